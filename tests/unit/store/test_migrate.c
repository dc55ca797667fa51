/*
 * test_migrate.c: the schema's versions: an empty file reaches the latest
 * version, every older version upgrades with its data intact, and a file
 * from a newer vigil is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "tmpstore.h"

static int count_rows(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int n = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return n;
}

static void empty_file_reaches_latest(void **state)
{
	struct tmpstore t;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	assert_int_equal(store_schema_version(t.st), STORE_SCHEMA_VERSION);
	store_close(t.st);
	t.st = NULL;
	/* One row per migration applied, in order. */
	assert_int_equal(count_rows(t.path, "SELECT count(*) FROM "
				    "schema_version"), STORE_SCHEMA_VERSION);
	/* Reopening applies nothing twice. */
	assert_int_equal(tmp_open(&t, 0), 0);
	assert_int_equal(store_schema_version(t.st), STORE_SCHEMA_VERSION);
	tmp_cleanup(&t);
}

static void each_older_version_upgrades(void **state)
{
	(void)state;
	for (int v = 1; v < STORE_SCHEMA_VERSION; v++) {
		struct tmpstore t;
		struct fixture f;
		struct core_buf b;

		tmp_path(&t);
		assert_int_equal(tmp_open(&t, v), 0);
		assert_int_equal(store_schema_version(t.st), v);
		/* Version 1 already holds runs and incidents. */
		fixture_write(t.st, &f);
		store_close(t.st);
		t.st = NULL;

		assert_int_equal(tmp_open(&t, 0), 0);
		assert_int_equal(store_schema_version(t.st),
				 STORE_SCHEMA_VERSION);
		assert_int_equal(store_incident_get(t.st, f.inc[0], NULL,
						    NULL, NULL), 0);
		/* The tables of later versions work on the old data. */
		core_buf_init(&b, 1 << 20);
		assert_int_equal(store_query_incident(t.st, f.inc[0], NULL,
						      &b, NULL), 0);
		core_buf_free(&b);
		tmp_cleanup(&t);
	}
}

static void newer_file_is_refused(void **state)
{
	struct tmpstore t;
	struct core_error err = { 0 };
	sqlite3 *db;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	store_close(t.st);
	t.st = NULL;
	assert_int_equal(sqlite3_open(t.path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO schema_version VALUES "
				      "(99, 0)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(t.path, NULL, &t.st, &err),
			 CORE_E_UNSUPPORTED);
	assert_null(t.st);
	assert_non_null(strstr(err.msg, "newer"));
	tmp_cleanup(&t);
}

static void readonly_old_file_is_not_upgraded(void **state)
{
	struct store_options ro = { .flags = STORE_O_READONLY };
	struct core_error err = { 0 };
	struct tmpstore t;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 1), 0);
	store_close(t.st);
	t.st = NULL;
	assert_int_equal(store_open(t.path, &ro, &t.st, &err),
			 CORE_E_UNSUPPORTED);
	assert_int_equal(count_rows(t.path, "SELECT max(version) FROM "
				    "schema_version"), 1);
	tmp_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_file_reaches_latest),
		cmocka_unit_test(each_older_version_upgrades),
		cmocka_unit_test(newer_file_is_refused),
		cmocka_unit_test(readonly_old_file_is_not_upgraded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
