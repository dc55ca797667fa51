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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
