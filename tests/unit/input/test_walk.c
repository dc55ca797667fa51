/*
 * test_walk.c: directory walking order and what is skipped, with reasons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "input/input.h"

static char dir[] = "/tmp/vigil-test-walk-XXXXXX";

struct seen {
	char files[16][256];
	int nfiles;
	char skipped[16][256];
	int nskipped;
};

static void on_file(const char *path, void *ud)
{
	struct seen *s = ud;

	snprintf(s->files[s->nfiles++], 256, "%s", path + strlen(dir));
}

static void on_skip(const char *path, const char *why, void *ud)
{
	struct seen *s = ud;

	snprintf(s->skipped[s->nskipped++], 256, "%s: %s",
		 path + strlen(dir), why);
}

static void touch(const char *rel)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("x\n", f);
	fclose(f);
}

static void test_walk(void **state)
{
	struct seen s = { 0 };
	struct core_error err;
	char p[512], q[512];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	touch("b.log");
	touch("a.log");
	touch("sub/c.log");
	snprintf(q, sizeof(q), "%s/loop", dir);
	assert_int_equal(symlink(dir, q), 0);
	snprintf(q, sizeof(q), "%s/fifo", dir);
	assert_int_equal(mkfifo(q, 0600), 0);

	assert_int_equal(input_walk(dir, on_file, on_skip, &s, &err), 0);
	assert_int_equal(s.nfiles, 3);
	assert_string_equal(s.files[0], "/a.log");
	assert_string_equal(s.files[1], "/b.log");
	assert_string_equal(s.files[2], "/sub/c.log");
	assert_int_equal(s.nskipped, 2);
	assert_non_null(strstr(s.skipped[0], "/fifo: not a regular file"));
	assert_non_null(strstr(s.skipped[1], "/loop: symbolic link"));

	assert_int_equal(input_walk("/nonexistent", on_file, on_skip, &s,
				    &err), CORE_E_IO);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

static void on_path(const char *path, void *ud)
{
	struct seen *s = ud;

	snprintf(s->files[s->nfiles++], 256, "%s", path);
}

/* A directory named with trailing slashes gives the same file names. */
static void test_walk_slash(void **state)
{
	static const struct {
		const char *suffix;
		const char *want;	/* after the directory's name */
		const char *why;
	} rows[] = {
		{ "", "/a.log", "the directory as is" },
		{ "/", "/a.log", "one trailing slash is not doubled" },
		{ "///", "/a.log", "several trailing slashes give one" },
		{ "/./", "/./a.log", "a dot component is kept as given" },
	};
	char d[] = "/tmp/vigil-test-walk-XXXXXX", p[512], want[512];
	struct core_error err;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(d));
	snprintf(p, sizeof(p), "%s/a.log", d);
	assert_non_null(f = fopen(p, "w"));
	fclose(f);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct seen s = { 0 };

		snprintf(p, sizeof(p), "%s%s", d, rows[i].suffix);
		snprintf(want, sizeof(want), "%s%s", d, rows[i].want);
		assert_int_equal(input_walk(p, on_path, on_skip, &s, &err),
				 0);
		assert_int_equal(s.nfiles, 1);
		if (strcmp(s.files[0], want) != 0)
			fail_msg("row %zu (%s): %s, want %s", i, rows[i].why,
				 s.files[0], want);
	}
	snprintf(p, sizeof(p), "%s/a.log", d);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(rmdir(d), 0);
}

/* Rotation families read oldest first, in the places they had. */
static void test_order_rotated(void **state)
{
	static const struct {
		const char *in[6];
		const char *out[6];
	} rows[] = {
		{ { "auth.log", "auth.log.1", "auth.log.2.gz" },
		  { "auth.log.2.gz", "auth.log.1", "auth.log" } },
		{ { "a/syslog", "b.json", "a/syslog.10.gz", "a/syslog.9" },
		  { "a/syslog.10.gz", "b.json", "a/syslog.9", "a/syslog" } },
		{ { "secure", "secure-20261101", "secure-20261108.gz" },
		  { "secure-20261101", "secure-20261108.gz", "secure" } },
		{ { "x.evtx", "access.log", "y_3.evtx" },
		  { "x.evtx", "access.log", "y_3.evtx" } },
		{ { "logs/1", "logs/.2", "v2", "v1" },
		  { "logs/1", "logs/.2", "v2", "v1" } },
		/* dateformat .%Y%m%d, %Y%m%d%H, ISO dates and years */
		{ { "app.log.20261202", "app.log.20261201", "app.log" },
		  { "app.log.20261201", "app.log.20261202", "app.log" } },
		{ { "m-2026120105", "m-2026120104.gz", "m" },
		  { "m-2026120104.gz", "m-2026120105", "m" } },
		{ { "n-2026-12-02", "n-2026-11-30.gz", "n" },
		  { "n-2026-11-30.gz", "n-2026-12-02", "n" } },
		{ { "events.2024", "events.2023", "events" },
		  { "events.2023", "events.2024", "events" } },
		/* files named by address or version: no family */
		{ { "s.10.0.0.1", "s.10.0.0.2", "s.10.0.0.10" },
		  { "s.10.0.0.1", "s.10.0.0.2", "s.10.0.0.10" } },
		{ { "tool-1.2", "tool-1.10" }, { "tool-1.2", "tool-1.10" } },
		/* not a date: month 13; a count of 5 digits */
		{ { "x.20261301", "x.20261201" },
		  { "x.20261301", "x.20261201" } },
		{ { "y.12345", "y.2" }, { "y.12345", "y.2" } },
		{ { "one" }, { "one" } },
	};

	(void)state;
	assert_int_equal(input_order_rotated(NULL, 0), 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *v[6];
		size_t n = 0;

		while (n < 6 && rows[i].in[n] != NULL) {
			v[n] = (char *)rows[i].in[n];
			n++;
		}
		assert_int_equal(input_order_rotated(v, n), 0);
		for (size_t k = 0; k < n; k++) {
			if (strcmp(v[k], rows[i].out[k]) != 0)
				fail_msg("row %zu, place %zu: %s, want %s", i,
					 k, v[k], rows[i].out[k]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_walk_slash),
		cmocka_unit_test(test_order_rotated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
