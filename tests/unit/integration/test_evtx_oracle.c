/*
 * test_evtx_oracle.c: vigil's EVTX decoder against libevtx's evtxexport
 * on every file of the EVTX attack samples: for each record, the record
 * id, EventID, Computer, Channel, Provider_Name, TimeCreated and every
 * EventData Data item must be equal; items without a name, as vigil's
 * Data, joined with newlines from the first one that is not empty.
 * Skips, saying so, when the datasets or evtxexport (Debian's
 * libevtx-utils) are missing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "input/evtx.h"
#include "parse/evtx.h"

extern char **environ;

#define MAX_FILES 1024
#define MAX_OUT (256u << 20)

static char *files[MAX_FILES];
static size_t nfiles;

static int on_file(const char *p, const struct stat *st, int type,
		   struct FTW *ftw)
{
	size_t n = strlen(p);

	(void)st;
	(void)ftw;
	if (type == FTW_F && n > 5 && strcmp(p + n - 5, ".evtx") == 0 &&
	    nfiles < MAX_FILES)
		files[nfiles++] = strdup(p);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* evtxexport -f xml path, its standard output; NULL when it cannot run. */
static char *export_xml(const char *path, size_t *len)
{
	char *argv[] = { "evtxexport", "-f", "xml", (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	size_t cap = 1 << 20, n = 0;
	char *out = malloc(cap);
	int fds[2], st;
	pid_t pid;
	ssize_t got;

	if (out == NULL || pipe(fds) != 0)
		return NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", 1, 0);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	if (posix_spawnp(&pid, "evtxexport", &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		free(out);
		return NULL;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while ((got = read(fds[0], out + n, cap - n - 1)) > 0) {
		n += (size_t)got;
		if (n + 1 == cap && cap < MAX_OUT)
			out = realloc(out, cap *= 2);
		assert_non_null(out);
	}
	close(fds[0]);
	waitpid(pid, &st, 0);
	out[n] = '\0';
	*len = n;
	return out;
}

/* XML entities of evtxexport's output back to text, in place. */
static size_t unescape(char *s, size_t n)
{
	static const char *ent[][2] = { { "&amp;", "&" }, { "&lt;", "<" },
		{ "&gt;", ">" }, { "&quot;", "\"" }, { "&apos;", "'" } };
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k, l = 0;

		for (k = 0; s[i] == '&' && k < 5; k++) {
			l = strlen(ent[k][0]);
			if (i + l <= n && memcmp(s + i, ent[k][0], l) == 0)
				break;
		}
		if (s[i] == '&' && k < 5) {
			s[w++] = ent[k][1][0];
			i += l - 1;
		} else {
			s[w++] = s[i];
		}
	}
	return w;
}

struct stats {
	unsigned long records, values, mismatches;
};

/* "0x000003e7" -> "0x3e7" in place; other text as it is.  New length. */
static size_t hex_trim(char *s, size_t n)
{
	size_t z = 2;

	if (n < 4 || s[0] != '0' || s[1] != 'x')
		return n;
	for (size_t i = 2; i < n; i++)
		if (strchr("0123456789abcdefABCDEF", s[i]) == NULL ||
		    s[i] == '\0')
			return n;
	while (z < n - 1 && s[z] == '0')
		z++;
	memmove(s + 2, s + z, n - z);
	return n - (z - 2);
}

static void check(struct stats *st, const struct core_event *ev,
		  const char *name, char *val, size_t vlen, const char *file)
{
	const struct core_str *v = core_event_get_named(ev, name,
							strlen(name));
	char got[64];
	size_t glen = 0;

	vlen = unescape(val, vlen);
	/* libevtx pads hex integers to their width; vigil renders them as
	 * Windows does, "0x3e7": compare both without leading zeros. */
	vlen = hex_trim(val, vlen);
	if (v != NULL && v->len < sizeof(got) && v->len > 2 &&
	    v->p[0] == '0' && v->p[1] == 'x') {
		memcpy(got, v->p, v->len);
		glen = hex_trim(got, v->len);
	}
	/* libevtx prints 9 digits of a FILETIME, Windows 7. */
	if (vlen == 30 && val[19] == '.' && memcmp(val + 27, "00Z", 3) == 0) {
		val[27] = 'Z';
		vlen = 28;
	}
	st->values++;
	if (vlen == 0 && v == NULL)
		return;
	if (glen && glen == vlen && memcmp(got, val, vlen) == 0)
		return;
	if (v == NULL || v->len != vlen || memcmp(v->p, val, vlen) != 0) {
		if (st->mismatches++ < 10)
			print_message("%s: record %llu: %s: want '%.*s' got "
				      "'%.*s'\n", file,
				      (unsigned long long)ev->line, name,
				      (int)CORE_MIN(vlen, 80), val,
				      v ? (int)CORE_MIN(v->len, 80) : 0,
				      v ? v->p : "");
	}
}

/* Text between open and close inside [p, end), or NULL. */
static char *between(char *p, char *end, const char *open,
		     const char *close, size_t *len)
{
	char *a = memmem(p, (size_t)(end - p), open, strlen(open)), *b;

	if (a == NULL)
		return NULL;
	a += strlen(open);
	b = memmem(a, (size_t)(end - a), close, strlen(close));
	if (b == NULL)
		return NULL;
	*len = (size_t)(b - a);
	return a;
}

/*
 * The unnamed items of EventData [p, end) (<Data>x</Data>, <Data/>),
 * joined as vigil joins them, checked against its Data.
 */
static void check_unnamed(struct stats *st, const struct core_event *ev,
			  char *p, char *end, const char *file)
{
	char buf[16384], *v;
	size_t len = 0, n;
	bool any = false;

	while ((v = memmem(p, (size_t)(end - p), "<Data", 5)) != NULL) {
		p = v + 5;
		if (p < end && *p == '/') {
			n = 0;
		} else if (p < end && *p == '>') {
			v = between(p, end, ">", "</Data>", &n);
			if (v == NULL)
				break;
			p = v + n;
		} else {
			continue;	/* a named item */
		}
		any = true;
		if (len + 1 + n > sizeof(buf))
			return;
		if (len > 0)
			buf[len++] = '\n';
		memcpy(buf + len, v, n);
		len += n;
	}
	if (any)
		check(st, ev, "Data", buf, len, file);
}

static void compare_event(struct stats *st, const struct core_event *ev,
			  char *p, char *end, const char *file)
{
	static const char *sys[][3] = {
		{ "EventID", "<EventID", "</EventID>" },
		{ "Computer", "<Computer>", "</Computer>" },
		{ "Channel", "<Channel>", "</Channel>" },
		{ "Provider_Name", "<Provider Name=\"", "\"" },
		{ "TimeCreated_SystemTime", "SystemTime=\"", "\"" },
	};
	char *v, *data, *dend, name[256];
	size_t n;

	for (size_t i = 0; i < CORE_ARRAY_LEN(sys); i++) {
		v = between(p, end, sys[i][1], sys[i][2], &n);
		if (v == NULL)
			continue;
		if (i == 0) {
			char *gt = memchr(v, '>', n);

			n -= (size_t)(gt + 1 - v);
			v = gt + 1;
		}
		check(st, ev, sys[i][0], v, n, file);
	}
	data = between(p, end, "<EventData>", "</EventData>", &n);
	if (data == NULL)
		return;
	dend = data + n;
	check_unnamed(st, ev, data, dend, file);
	while ((v = between(data, dend, "<Data Name=\"", "\"", &n)) != NULL) {
		snprintf(name, sizeof(name), "%.*s", (int)n, v);
		data = v + n + 1;
		if (data[0] == '/') {
			check(st, ev, name, data, 0, file);
			continue;
		}
		v = between(data, dend, ">", "</Data>", &n);
		if (v == NULL)
			break;
		check(st, ev, name, v, n, file);
		data = v + n;
	}
}

static void compare_file(struct stats *st, const char *path)
{
	struct core_arena *a = core_arena_new(65536);
	struct parse_evtx *d = parse_evtx_new();
	struct input_evtx_record rec;
	struct input_evtx *r;
	struct core_event ev;
	size_t len;
	char *xml = export_xml(path, &len), *at, *end;
	int rc;

	assert_non_null(xml);
	assert_int_equal(input_evtx_open(path, &r, NULL), 0);
	at = xml;
	while ((rc = input_evtx_next(r, &rec, NULL)) != 0) {
		if (rc < 0)
			continue;
		core_arena_reset(a);
		core_event_reset(&ev, a);
		ev.src = path;
		ev.line = rec.record_id;
		parse_evtx_record(d, &ev, rec.chunk, rec.chunk_len,
				  rec.chunk_no, rec.off, rec.len, rec.written,
				  NULL);
		at = strstr(at, "<Event xmlns");
		end = at ? strstr(at, "</Event>") : NULL;
		if (end == NULL) {
			st->mismatches++;
			print_message("%s: record %llu not in evtxexport\n",
				      path, (unsigned long long)ev.line);
			break;
		}
		st->records++;
		compare_event(st, &ev, at, end, path);
		at = end;
	}
	input_evtx_close(r);
	parse_evtx_free(d);
	core_arena_free(a);
	free(xml);
}

static void test_oracle(void **state)
{
	struct stats st = { 0 };
	size_t len;
	char *probe;

	(void)state;
	if (nftw(TEST_DATASETS "/evtx-attack-samples", on_file, 16,
		 FTW_PHYS) != 0 || nfiles == 0) {
		print_message("SKIP: no EVTX samples under %s\n",
			      TEST_DATASETS "/evtx-attack-samples");
		skip();
	}
	qsort(files, nfiles, sizeof(files[0]), cmp);
	probe = export_xml(files[0], &len);
	if (probe == NULL || len == 0) {
		print_message("SKIP: evtxexport (libevtx-utils) not found\n");
		free(probe);
		skip();
	}
	free(probe);
	for (size_t i = 0; i < nfiles; i++) {
		compare_file(&st, files[i]);
		free(files[i]);
	}
	print_message("evtx oracle: %zu files, %lu records, %lu values, "
		      "%lu mismatches\n", nfiles, st.records, st.values,
		      st.mismatches);
	assert_true(st.records > 1000);
	assert_int_equal(st.mismatches, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oracle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
