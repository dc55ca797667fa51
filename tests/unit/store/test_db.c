/*
 * test_db.c: opening the store: where the default path points, the
 * file's and directories' permissions, WAL mode, refusing to create in
 * the read modes, and nested transactions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "tmpstore.h"

static void default_path_follows_the_environment(void **state)
{
	static const struct {
		const char *vigil, *xdg, *home;
		int want;
		const char *path;
	} rows[] = {
		{ "/s/v.db", "/x", "/h", 0, "/s/v.db" },
		{ NULL, "/x", "/h", 0, "/x/vigil/vigil.db" },
		{ NULL, "relative", "/h", 0, "/h/.local/share/vigil/vigil.db" },
		{ NULL, NULL, "/h", 0, "/h/.local/share/vigil/vigil.db" },
		{ NULL, NULL, NULL, CORE_E_NOTFOUND, NULL },
	};
	char out[256];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *v[] = { rows[i].vigil, rows[i].xdg, rows[i].home };
		const char *names[] = { "VIGIL_STORE", "XDG_DATA_HOME",
					"HOME" };

		for (int k = 0; k < 3; k++) {
			if (v[k])
				setenv(names[k], v[k], 1);
			else
				unsetenv(names[k]);
		}
		assert_int_equal(store_default_path(out, sizeof(out)),
				 rows[i].want);
		if (rows[i].path)
			assert_string_equal(out, rows[i].path);
	}
	setenv("HOME", "/h", 1);
	unsetenv("XDG_DATA_HOME");
	assert_int_equal(store_default_path(out, 8), CORE_E_TOOBIG);
}

static void file_is_private_and_in_wal_mode(void **state)
{
	struct tmpstore t;
	struct stat st;
	char dir[320];
	sqlite3 *db;
	sqlite3_stmt *s;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	assert_int_equal(stat(t.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(dir, sizeof(dir), "%s/sub/dir", t.dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(sqlite3_open(t.path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
	tmp_cleanup(&t);
}

static void read_modes_never_create(void **state)
{
	static const unsigned flags[] = { STORE_O_READONLY, STORE_O_NOCREATE };
	struct tmpstore t;

	(void)state;
	tmp_path(&t);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct store_options o = { .flags = flags[i] };
		struct core_error err = { 0 };

		assert_int_equal(store_open(t.path, &o, &t.st, &err),
				 CORE_E_NOTFOUND);
		assert_null(t.st);
		assert_int_not_equal(access(t.path, F_OK), 0);
	}
	assert_int_equal(store_open("", NULL, &t.st, NULL), CORE_E_INVAL);
	tmp_cleanup(&t);
}

static int count(const struct store_incident *inc, void *ud)
{
	(void)inc;
	(*(int *)ud)++;
	return 0;
}

static void nested_transactions_commit_once(void **state)
{
	struct store_run run = { .version = "t" };
	struct tmpstore t;
	int64_t id;
	int n = 0;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	assert_int_equal(store_begin(t.st, NULL), 0);
	assert_int_equal(store_begin(t.st, NULL), 0);
	assert_int_equal(store_run_add(t.st, &run, &id, NULL), 0);
	assert_int_equal(store_commit(t.st, NULL), 0);
	store_rollback(t.st);
	/* The outer rollback took the inner commit back. */
	assert_int_equal(store_commit(t.st, NULL), CORE_E_INVAL);
	assert_int_equal(store_incident_each(t.st, 0, 0, count, &n, NULL), 0);
	assert_int_equal(n, 0);
	tmp_cleanup(&t);
}

/* Files that are no store: refused by name, in every mode. */
static void a_file_that_is_no_database_is_named(void **state)
{
	static const struct {
		const char *bytes;
		unsigned flags;
		const char *why;
	} rows[] = {
		{ "not a database at all\n", 0, "text, read-write" },
		{ "not a database at all\n", STORE_O_READONLY, "read-only" },
		{ "SQLite format 3", STORE_O_NOCREATE, "a torn header" },
	};
	struct tmpstore t;

	(void)state;
	tmp_path(&t);
	snprintf(t.path, sizeof(t.path), "%s/bad.db", t.dir);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct store_options o = { .flags = rows[i].flags };
		struct core_error err = { 0 };
		FILE *f = fopen(t.path, "w");

		assert_non_null(f);
		fputs(rows[i].bytes, f);
		fclose(f);
		if (store_open(t.path, &o, &t.st, &err) != CORE_E_PARSE ||
		    !strstr(err.msg, "not a vigil store") ||
		    strcmp(err.file, t.path))
			fail_msg("%s: '%s' '%s'", rows[i].why, err.file,
				 err.msg);
		assert_null(t.st);
	}
	unlink(t.path);
	tmp_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_path_follows_the_environment),
		cmocka_unit_test(file_is_private_and_in_wal_mode),
		cmocka_unit_test(read_modes_never_create),
		cmocka_unit_test(nested_transactions_commit_once),
		cmocka_unit_test(a_file_that_is_no_database_is_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
