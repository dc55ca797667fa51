/*
 * test_pfcache.c: the prefilter's database cache (src/detect/pfcache.c).
 * A warm compile reads every database and gives the alerts a cold one
 * and one without the cache give; a damaged, foreign or loosely
 * permitted file is ignored and replaced; a directory that is not
 * trusted or cannot be written never fails the compile; the disabled
 * cache writes nothing; an edited rule recompiles its own source only;
 * pruning removes only our old files.  Every directory is a temporary
 * one: $VIGIL_CACHE_DIR and $HOME point into it before any test runs.
 */
#include "detect_test.h"

#include "detect/detect_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <hs/hs.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char top[64];		/* this run's temporary directory */

#define PC "logsource: {product: windows, category: process_creation}\n"
#define AUTH "logsource: {product: linux, service: auth}\n"

/*
 * Three databases: auth's keywords (four weigh 64, so that the source is
 * scanned), and process creation's field literals (64 of them) and
 * keywords.  kw4 is the last auth keyword (or two), which an edit
 * changes: auth's database comes first, so an edit that numbered the
 * patterns of all databases as one would change every later one's.
 */
static const char *rules_yaml(const char *kw4)
{
	static char y[8192];
	size_t n;

	n = (size_t)snprintf(y, sizeof(y), "title: pc-field\n" PC
			     "detection:\n  s:\n    CommandLine|contains:\n");
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(y + n, sizeof(y) - n,
				      "      - pcfield%03dzz\n", i);
	n += (size_t)snprintf(y + n, sizeof(y) - n,
		"  condition: s\n---\ntitle: pc-kw\n" PC "detection:\n"
		"  keywords: [pckwone, pckwtwo, pckwthree, pckwfour]\n"
		"  condition: keywords\n---\ntitle: auth-kw\n" AUTH
		"detection:\n  keywords: [authkwone, authkwtwo, authkwthree, "
		"%s]\n  condition: keywords\n", kw4);
	assert_true(n < sizeof(y));
	return y;
}

#define SYSMON "Channel=Microsoft-Windows-Sysmon/Operational|EventID=1|"

/* pcfield001zz is pattern 1 of its database, 5 of the prefilter (after
 * auth's four): a match marked without the database's base would count
 * for an auth keyword. */
static const char *const events[] = {
	SYSMON "CommandLine=tool.exe -x pcfield001zz -y",
	SYSMON "CommandLine=tool.exe pcfield999zz",
	SYSMON "CommandLine=run pckwthree now",
	SYSMON "CommandLine=run pckwfour now",
	"event.dataset=linux.auth|message=session authkwtwo opened",
	"event.dataset=linux.auth|message=session opened",
	"event.dataset=linux.auth|message=session authkwfive opened",
};

/* What a compile gave: its stats and every alert's title, in order. */
struct outcome {
	struct detect_stats st;
	char titles[512];
	int rc;
};

/* run_with()'s dir for detect_ruleset_set_cache(rs, NULL). */
static const char from_env[] = "(the environment's)";

/*
 * Compiles the rules (kw4: see rules_yaml()) with the cache in dir
 * (NULL: no call, the library's default of none; "" turns it off;
 * from_env: the environment's), then matches the events.
 */
static struct outcome run_with(const char *dir, const char *kw4)
{
	struct detect_ruleset *rs = detect_ruleset_new();
	const char *y = rules_yaml(kw4);
	struct t_run run = { 0 };
	struct outcome o = { 0 };
	size_t n = 0;

	assert_non_null(rs);
	detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
	if (dir != NULL)
		assert_int_equal(detect_ruleset_set_cache(rs, dir == from_env ?
							  NULL : dir), 0);
	detect_ruleset_load_buffer(rs, "cache.yml", y, strlen(y),
				   t_on_reject, &run);
	assert_int_equal(run.nrejects, 0);
	o.rc = detect_ruleset_compile(rs, NULL);
	for (size_t i = 0; i < CORE_ARRAY_LEN(events); i++) {
		struct core_event ev;

		t_event(&ev, events[i], T_SEC * (int64_t)(i + 1), i + 1);
		detect_match(rs, &ev, t_on_alert, &run);
	}
	for (unsigned i = 0; i < run.nalerts; i++)
		n += (size_t)snprintf(o.titles + n, sizeof(o.titles) - n,
				      "%s;", run.a[i].title);
	detect_ruleset_stats(rs, &o.st);
	o.st.pf_cache_dir = NULL;	/* points into rs */
	detect_ruleset_free(rs);
	return o;
}

#define WANT "pc-field;pc-kw;pc-kw;auth-kw;"

/* A fresh directory under top. */
static const char *new_dir(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", top, name);
	assert_int_equal(mkdir(path, 0700), 0);
	return path;
}

/* The database files in dir (names ending .hsdb), up to 8. */
static unsigned db_files(const char *dir, char names[8][128])
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l > 5 && strcmp(de->d_name + l - 5, ".hsdb") == 0 &&
		    n < 8)
			snprintf(names[n++], 128, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	return n;
}

static unsigned count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.' ||
		     strncmp(de->d_name, ".tmp", 4) == 0;
	closedir(d);
	return n;
}

/* Cold, then warm: same alerts as without the cache, all read back. */
static void test_warm_equals_cold(void **state)
{
	const char *dir = new_dir("warm");
	struct outcome none, cold, warm;
	char names[8][128];
	struct stat st;

	(void)state;
	none = run_with(NULL, "authkwfour");
	cold = run_with(dir, "authkwfour");
	warm = run_with(dir, "authkwfour");
	assert_string_equal(none.titles, WANT);
	assert_string_equal(cold.titles, WANT);
	assert_string_equal(warm.titles, WANT);
	assert_int_equal(cold.st.pf_dbs, 3);
	assert_int_equal(cold.st.pf_dbs_cached, 0);
	assert_int_equal(cold.st.pf_dbs_written, 3);
	assert_int_equal(warm.st.pf_dbs_cached, 3);
	assert_int_equal(warm.st.pf_dbs_written, 0);
	assert_int_equal(none.st.pf_dbs_written, 0);
	assert_int_equal(db_files(dir, names), 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(stat(names[i], &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(count_entries(dir), 3);	/* no temporary left */
}

/* An edit to one rule changes its own database only. */
static void test_edit_recompiles_one(void **state)
{
	const char *dir = new_dir("edit");
	struct outcome a, b;

	(void)state;
	a = run_with(dir, "authkwfour");
	b = run_with(dir, "authkwfour, authkwfive");
	assert_int_equal(a.st.pf_dbs_written, 3);
	assert_int_equal(b.st.pf_dbs_cached, 2);
	assert_int_equal(b.st.pf_dbs_written, 1);
	assert_string_equal(b.titles, WANT "auth-kw;");
}

/* Damage done to a cached file: what it changes, why it must be seen. */
struct damage {
	long at;		/* byte offset; negative: from the end */
	int how;	/* 'x': flip, 't': truncate there, 'a': append */
	const char *why;
};

static const struct damage damages[] = {
	{ 0, 'x', "magic" },
	{ 9, 'x', "key in the header (only the name would match)" },
	{ 40, 'x', "payload length" },
	{ 50, 'x', "payload hash (the payload itself is intact)" },
	{ 200, 'x', "a byte of the library's bytecode" },
	{ -1, 'x', "the last byte" },
	{ 100, 't', "truncated inside the payload" },
	{ 40, 't', "truncated inside the header" },
	{ 0, 't', "empty" },
	{ 0, 'a', "a byte appended" },
};

static void do_damage(const char *path, const struct damage *d)
{
	struct stat st;
	long at;
	int fd;

	assert_int_equal(stat(path, &st), 0);
	at = d->at < 0 ? (long)st.st_size + d->at : d->at;
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	if (d->how == 't') {
		assert_int_equal(ftruncate(fd, at), 0);
	} else if (d->how == 'a') {
		assert_int_equal(pwrite(fd, "z", 1, st.st_size), 1);
	} else {
		unsigned char c;

		assert_int_equal(pread(fd, &c, 1, at), 1);
		c ^= 0x40;
		assert_int_equal(pwrite(fd, &c, 1, at), 1);
	}
	close(fd);
}

/* Each damage to every file: all ignored, compiled, rewritten whole. */
static void test_damaged_files_replaced(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(damages); i++) {
		char name[32], names[8][128];
		const char *dir;
		struct outcome o;

		snprintf(name, sizeof(name), "damage%zu", i);
		dir = new_dir(name);
		run_with(dir, "authkwfour");
		assert_int_equal(db_files(dir, names), 3);
		for (int k = 0; k < 3; k++)
			do_damage(names[k], &damages[i]);
		o = run_with(dir, "authkwfour");
		if (o.st.pf_dbs_cached != 0 || o.st.pf_dbs_written != 3)
			fail_msg("%s: %u read, %u written", damages[i].why,
				 o.st.pf_dbs_cached, o.st.pf_dbs_written);
		assert_string_equal(o.titles, WANT);
		o = run_with(dir, "authkwfour");
		if (o.st.pf_dbs_cached != 3)
			fail_msg("%s: not rewritten", damages[i].why);
	}
}

/*
 * A file holding a valid database of the wrong mode (streaming) under
 * the right key, with a correct header and hash: the library would take
 * it; its info ("Mode: STREAM") must refuse it.
 */
static void test_wrong_mode_refused(void **state)
{
	const char *dir = new_dir("mode");
	const char *expr[] = { "abcdef" };
	const unsigned flags[] = { HS_FLAG_CASELESS }, ids[] = { 0 };
	const size_t lens[] = { 6 };
	hs_compile_error_t *ce = NULL;
	unsigned char hdr[80];
	char names[8][128], *bytes;
	hs_database_t *db;
	size_t n;
	FILE *f;

	(void)state;
	run_with(dir, "authkwfour");
	assert_int_equal(db_files(dir, names), 3);
	assert_int_equal(hs_compile_lit_multi(expr, flags, ids, lens, 1,
					      HS_MODE_STREAM, NULL, &db, &ce),
			 HS_SUCCESS);
	assert_int_equal(hs_serialize_database(db, &bytes, &n), HS_SUCCESS);
	hs_free_database(db);
	f = fopen(names[0], "r+");
	assert_non_null(f);
	assert_int_equal(fread(hdr, 1, 80, f), 80);	/* keeps the key */
	for (int i = 0; i < 8; i++)
		hdr[40 + i] = (unsigned char)((uint64_t)n >> (8 * i));
	crypto_generichash(hdr + 48, 32, (unsigned char *)bytes, n, NULL, 0);
	assert_int_equal(ftruncate(fileno(f), 0), 0);
	rewind(f);
	assert_int_equal(fwrite(hdr, 1, 80, f), 80);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	fclose(f);
	free(bytes);
	assert_int_equal(run_with(dir, "authkwfour").st.pf_dbs_cached, 2);
	assert_int_equal(run_with(dir, "authkwfour").st.pf_dbs_cached, 3);
}

/* Files not to be trusted: ignored, and replaced by one of ours. */
static void test_untrusted_files(void **state)
{
	static const char *const whys[] = {
		"group-writable", "world-writable", "owned by another user",
		"a symbolic link to a good copy", "a FIFO",
	};

	(void)state;
	for (int w = 0; w < (int)CORE_ARRAY_LEN(whys); w++) {
		char name[32], names[8][128], copy[256];
		const char *dir;
		struct outcome o;
		struct stat st;

		if (w == 2 && geteuid() != 0)
			continue;	/* only root can give a file away */
		snprintf(name, sizeof(name), "trust%d", w);
		dir = new_dir(name);
		run_with(dir, "authkwfour");
		assert_int_equal(db_files(dir, names), 3);
		snprintf(copy, sizeof(copy), "%s/../%s.copy", dir, name);
		if (w == 0)
			assert_int_equal(chmod(names[0], 0620), 0);
		else if (w == 1)
			assert_int_equal(chmod(names[0], 0602), 0);
		else if (w == 2)
			assert_int_equal(chown(names[0], 65534, 65534), 0);
		else if (w == 3)
			assert_true(rename(names[0], copy) == 0 &&
				    symlink(copy, names[0]) == 0);
		else
			assert_true(unlink(names[0]) == 0 &&
				    mkfifo(names[0], 0600) == 0);
		o = run_with(dir, "authkwfour");
		if (o.st.pf_dbs_cached != 2 || o.st.pf_dbs_written != 1)
			fail_msg("%s: %u read, %u written", whys[w],
				 o.st.pf_dbs_cached, o.st.pf_dbs_written);
		assert_string_equal(o.titles, WANT);
		assert_int_equal(lstat(names[0], &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_mode & 0777, 0600);
		assert_int_equal(st.st_uid, geteuid());
	}
}

/* A directory others may write to, or someone else's: never used. */
static void test_untrusted_directory(void **state)
{
	for (int w = 0; w < 2; w++) {
		const char *dir = new_dir(w ? "dir-owner" : "dir-group");
		char names[8][128];
		struct outcome o;

		(void)state;
		if (w == 1 && geteuid() != 0)
			continue;
		run_with(dir, "authkwfour");
		assert_int_equal(db_files(dir, names), 3);
		if (w == 0)
			assert_int_equal(chmod(dir, 0770), 0);
		else
			assert_int_equal(chown(dir, 65534, 65534), 0);
		unlink(names[0]);
		o = run_with(dir, "authkwfour");
		assert_int_equal(o.rc, 0);
		assert_string_equal(o.titles, WANT);
		assert_int_equal(o.st.pf_dbs_cached, 0);
		assert_int_equal(o.st.pf_dbs_written, 0);
		assert_int_equal(count_entries(dir), 2);
	}
}

/* No directory can be made there, or none written: compiled anyway. */
static void test_unwritable_directory(void **state)
{
	char path[256], file[128];
	struct outcome o;
	int fd;

	(void)state;
	snprintf(file, sizeof(file), "%s/a-file", top);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/cache", file);
	o = run_with(path, "authkwfour");
	assert_int_equal(o.rc, 0);
	assert_string_equal(o.titles, WANT);
	assert_int_equal(o.st.pf_dbs, 3);
	assert_int_equal(o.st.pf_dbs_written, 0);
	if (geteuid() != 0) {	/* root writes through a mode */
		const char *dir = new_dir("readonly");

		assert_int_equal(chmod(dir, 0500), 0);
		o = run_with(dir, "authkwfour");
		assert_int_equal(o.rc, 0);
		assert_string_equal(o.titles, WANT);
		assert_int_equal(o.st.pf_dbs_written, 0);
		assert_int_equal(count_entries(dir), 0);
		chmod(dir, 0700);
	}
}

/* Where the environment puts the cache, and how it turns it off. */
struct envrow {
	const char *vigil, *xdg, *home;	/* NULL: unset */
	const char *want;		/* NULL: off */
};

static const struct envrow envrows[] = {
	{ "/c/v", "/c/x", "/c/h", "/c/v" },
	{ NULL, "/c/x", "/c/h", "/c/x/vigil" },
	{ NULL, NULL, "/c/h", "/c/h/.cache/vigil" },
	{ NULL, "", "/c/h", "/c/h/.cache/vigil" },
	{ NULL, "relative", "/c/h", "/c/h/.cache/vigil" },
	{ "", "/c/x", "/c/h", NULL },
	{ NULL, NULL, NULL, NULL },
	{ NULL, NULL, "", NULL },
};

static void set_or_unset(const char *name, const char *v)
{
	if (v == NULL)
		unsetenv(name);
	else
		setenv(name, v, 1);
}

static void test_environment(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(envrows); i++) {
		const struct envrow *r = &envrows[i];
		char out[1024];
		int rc;

		set_or_unset("VIGIL_CACHE_DIR", r->vigil);
		set_or_unset("XDG_CACHE_HOME", r->xdg);
		set_or_unset("HOME", r->home);
		rc = detect_pfc_default_dir(out, sizeof(out));
		if (r->want == NULL && rc != CORE_E_NOTFOUND)
			fail_msg("row %zu: on (%s)", i, out);
		if (r->want != NULL &&
		    (rc != 0 || strcmp(out, r->want) != 0))
			fail_msg("row %zu: %s", i, rc ? "off" : out);
	}
	setenv("VIGIL_CACHE_DIR", top, 1);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", top, 1);
}

/* Off, by an empty $VIGIL_CACHE_DIR or an empty dir: nothing written. */
static void test_disabled_writes_nothing(void **state)
{
	char home[128];
	struct outcome o;

	(void)state;
	snprintf(home, sizeof(home), "%s", new_dir("home"));
	setenv("HOME", home, 1);
	unsetenv("XDG_CACHE_HOME");
	/* Through an empty $VIGIL_CACHE_DIR, then by an empty dir while the
	 * environment names the home cache. */
	for (int w = 0; w < 2; w++) {
		if (w == 0)
			setenv("VIGIL_CACHE_DIR", "", 1);
		else
			unsetenv("VIGIL_CACHE_DIR");
		o = run_with(w ? "" : from_env, "authkwfour");
		assert_string_equal(o.titles, WANT);
		assert_int_equal(o.st.pf_dbs, 3);
		assert_int_equal(o.st.pf_dbs_written, 0);
		assert_int_equal(count_entries(home), 0);
	}
	/* The same environment with the variable unset: the home cache. */
	unsetenv("VIGIL_CACHE_DIR");
	{
		struct detect_ruleset *rs = detect_ruleset_new();
		const char *y = rules_yaml("authkwfour");
		struct detect_stats st;
		struct t_run run = { 0 };
		char path[192];
		struct stat sb;

		detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
		assert_int_equal(detect_ruleset_set_cache(rs, NULL), 0);
		detect_ruleset_load_buffer(rs, "c.yml", y, strlen(y),
					   t_on_reject, &run);
		assert_int_equal(detect_ruleset_compile(rs, NULL), 0);
		detect_ruleset_stats(rs, &st);
		assert_int_equal(st.pf_dbs_written, 3);
		snprintf(path, sizeof(path), "%s/.cache/vigil", home);
		assert_string_equal(st.pf_cache_dir, path);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0700);
		assert_int_equal(detect_ruleset_set_cache(rs, NULL),
				 CORE_E_INVAL);
		detect_ruleset_free(rs);
	}
	setenv("VIGIL_CACHE_DIR", top, 1);
	setenv("HOME", top, 1);
}

/* Makes an empty file named name in dir, last modified age seconds ago. */
static void old_file(const char *dir, const char *name, time_t age)
{
	char path[256];
	struct timespec ts[2];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	ts[0].tv_sec = ts[1].tv_sec = time(NULL) - age;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	assert_int_equal(futimens(fd, ts), 0);
	close(fd);
}

static bool exists_in(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

#define HEX64(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
/* HEX64 gives 64 copies. */

/* After a write: ours unused for 30 days go, others' never. */
static void test_prune_by_age(void **state)
{
	const char *dir = new_dir("prune-age");
	const time_t day = 86400;

	(void)state;
	old_file(dir, HEX64("a") ".hsdb", 31 * day);
	old_file(dir, HEX64("b") ".hsdb", 29 * day);
	old_file(dir, ".tmp-0123456789abcdef", 2 * day);
	old_file(dir, ".tmp-fedcba9876543210", 60);
	old_file(dir, "notes.txt", 400 * day);
	old_file(dir, HEX64("A") ".hsdb", 400 * day);
	old_file(dir, HEX64("c") ".hsdb.bak", 400 * day);
	assert_int_equal(run_with(dir, "authkwfour").st.pf_dbs_written, 3);
	assert_false(exists_in(dir, HEX64("a") ".hsdb"));
	assert_true(exists_in(dir, HEX64("b") ".hsdb"));
	assert_false(exists_in(dir, ".tmp-0123456789abcdef"));
	assert_true(exists_in(dir, ".tmp-fedcba9876543210"));
	assert_true(exists_in(dir, "notes.txt"));
	assert_true(exists_in(dir, HEX64("A") ".hsdb"));
	assert_true(exists_in(dir, HEX64("c") ".hsdb.bak"));
}

/* Past 512 files the least recently used go, never this compile's. */
static void test_prune_by_count(void **state)
{
	const char *dir = new_dir("prune-count");
	char names[8][128];
	struct outcome o;
	unsigned left = 0;

	(void)state;
	o = run_with(dir, "authkwfour");
	assert_int_equal(db_files(dir, names), 3);
	/* Ours, a week old: 3 + 600 > 512, and no age-based removal. */
	for (int i = 0; i < 600; i++) {
		char name[80];

		snprintf(name, sizeof(name), "%064x.hsdb", i);
		old_file(dir, name, 7 * 86400 + i);
	}
	for (int i = 0; i < 3; i++)
		assert_int_equal(unlink(names[i]), 0);
	o = run_with(dir, "authkwfour");
	assert_int_equal(o.st.pf_dbs_written, 3);
	left = count_entries(dir);
	assert_int_equal(left, 512);
	for (int i = 0; i < 600; i++) {
		char name[80];

		snprintf(name, sizeof(name), "%064x.hsdb", i);
		/* The newest (smallest age) are kept. */
		if (exists_in(dir, name) != (i < 509))
			fail_msg("file %d of 600: %s", i,
				 i < 509 ? "removed" : "kept");
	}
	assert_int_equal(run_with(dir, "authkwfour").st.pf_dbs_cached, 3);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) == 0 ? 0 : -1;
	return unlink(path) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/vigil-pfcache.XXXXXX");
	if (mkdtemp(top) == NULL)
		return -1;
	/* Never the caller's home cache, whatever a test forgets. */
	setenv("VIGIL_CACHE_DIR", top, 1);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", top, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	chmod(top, 0700);
	return nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warm_equals_cold),
		cmocka_unit_test(test_edit_recompiles_one),
		cmocka_unit_test(test_damaged_files_replaced),
		cmocka_unit_test(test_wrong_mode_refused),
		cmocka_unit_test(test_untrusted_files),
		cmocka_unit_test(test_untrusted_directory),
		cmocka_unit_test(test_unwritable_directory),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_disabled_writes_nothing),
		cmocka_unit_test(test_prune_by_age),
		cmocka_unit_test(test_prune_by_count),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
