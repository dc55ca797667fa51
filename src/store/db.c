/*
 * db.c: opening and closing the store, transactions, and the statement
 * helpers the other files of the room use.
 *
 * The file is created with mode 0600 inside directories created 0700:
 * it holds log lines, user names and addresses.  SQLite gives its -wal
 * and -shm files the same permissions.  Settings applied on every open:
 * WAL journal (readers never block the writer), synchronous=NORMAL (safe
 * with WAL; a power cut may lose the last commit, never corrupt), foreign
 * keys on, and a busy timeout so that two vigil processes wait for each
 * other instead of failing.
 */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int store_sqlfail(struct store *st, struct core_error *err,
		  const char *what)
{
	return core_fail(err, CORE_E_IO, st->path, 0, "%s: %s", what,
			 sqlite3_errmsg(st->db));
}

int store_prepare(struct store *st, const char *sql, sqlite3_stmt **out,
		  struct core_error *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK) {
		*out = NULL;
		return store_sqlfail(st, err, "preparing a statement");
	}
	return 0;
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql,
			 struct core_error *err)
{
	sqlite3_stmt *s;

	for (size_t i = 0; i < st->ncache; i++) {
		if (st->cache[i].sql == sql) {
			s = st->cache[i].stmt;
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return s;
		}
	}
	if (store_prepare(st, sql, &s, err) != 0)
		return NULL;
	/* A full cache still works: the statement is kept in the last slot. */
	if (st->ncache == STORE_CACHE_MAX) {
		sqlite3_finalize(st->cache[STORE_CACHE_MAX - 1].stmt);
		st->ncache--;
	}
	st->cache[st->ncache].sql = sql;
	st->cache[st->ncache].stmt = s;
	st->ncache++;
	return s;
}

int store_step_done(struct store *st, sqlite3_stmt *s, const char *what,
		    struct core_error *err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_CONSTRAINT)
		return core_fail(err, CORE_E_INVAL, st->path, 0, "%s: %s",
				 what, sqlite3_errmsg(st->db));
	return store_sqlfail(st, err, what);
}

int store_bind_str(sqlite3_stmt *s, int i, struct core_str v)
{
	if (!v.p || v.len == 0)
		return sqlite3_bind_text(s, i, "", 0, SQLITE_STATIC);
	if (v.len > (size_t)INT32_MAX)
		return SQLITE_TOOBIG;
	return sqlite3_bind_text(s, i, v.p, (int)v.len, SQLITE_TRANSIENT);
}

int store_bind_cstr(sqlite3_stmt *s, int i, const char *v)
{
	return sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

int store_bind_ref(sqlite3_stmt *s, int i, int64_t id)
{
	if (id <= 0)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_int64(s, i, id);
}

void store_bind_vals(sqlite3_stmt *s, const struct store_val *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		int i = (int)k + 1;

		switch (v[k].type) {
		case STORE_V_INT:
			sqlite3_bind_int64(s, i, v[k].v.i);
			break;
		case STORE_V_REAL:
			sqlite3_bind_double(s, i, v[k].v.r);
			break;
		case STORE_V_STR:
			store_bind_str(s, i, v[k].v.s);
			break;
		case STORE_V_CSTR:
			store_bind_cstr(s, i, v[k].v.c);
			break;
		case STORE_V_REF:
			store_bind_ref(s, i, v[k].v.i);
			break;
		}
	}
}

int store_exec(struct store *st, const char *sql, const struct store_val *v,
	       size_t n, const char *what, struct core_error *err)
{
	sqlite3_stmt *s = store_stmt(st, sql, err);

	if (!s)
		return CORE_E_IO;
	store_bind_vals(s, v, n);
	return store_step_done(st, s, what, err);
}

int store_insert(struct store *st, const char *sql,
		 const struct store_val *v, size_t n, int64_t *id,
		 const char *what, struct core_error *err)
{
	int rc = store_exec(st, sql, v, n, what, err);

	if (rc != 0)
		return err ? err->code : CORE_E_IO;
	if (id)
		*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_each_row(struct store *st, sqlite3_stmt *s,
		   int (*row)(sqlite3_stmt *, void *), void *ud,
		   const char *what, struct core_error *err)
{
	int rc, stop = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((stop = row(s, ud)) != 0)
			break;
	if (stop == 0 && rc != SQLITE_DONE)
		stop = store_sqlfail(st, err, what);
	sqlite3_finalize(s);
	return stop;
}

struct core_str store_col_str(sqlite3_stmt *s, int i)
{
	const char *p = (const char *)sqlite3_column_text(s, i);
	int n = sqlite3_column_bytes(s, i);

	if (!p)
		return core_str_make("", 0);
	return core_str_make(p, (size_t)n);
}

const char *store_col_cstr(sqlite3_stmt *s, int i)
{
	const char *p = (const char *)sqlite3_column_text(s, i);

	return p ? p : "";
}

/* ---------------------------------------------------------------- path */

int store_default_path(char *out, size_t n)
{
	const char *env = getenv("VIGIL_STORE");
	int len;

	if (env && *env)
		len = snprintf(out, n, "%s", env);
	else if ((env = getenv("XDG_DATA_HOME")) && env[0] == '/')
		len = snprintf(out, n, "%s/vigil/vigil.db", env);
	else if ((env = getenv("HOME")) && *env)
		len = snprintf(out, n, "%s/.local/share/vigil/vigil.db", env);
	else
		return CORE_E_NOTFOUND;
	if (len < 0 || (size_t)len >= n)
		return CORE_E_TOOBIG;
	return 0;
}

/* Creates the directories above path (0700), as `mkdir -p` would. */
static int make_parents(const char *path, struct core_error *err)
{
	char dir[1024];
	size_t n = strlen(path);

	if (n >= sizeof(dir))
		return core_fail(err, CORE_E_TOOBIG, path, 0, "path too long");
	memcpy(dir, path, n + 1);
	for (size_t i = 1; i < n; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return core_fail(err, CORE_E_IO, dir, 0,
					 "cannot create directory: %s",
					 strerror(errno));
		dir[i] = '/';
	}
	return 0;
}

/* Creates the file 0600 when absent, so SQLite never makes it 0644. */
static int make_file(const char *path, struct core_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return core_fail(err, CORE_E_IO, path, 0, "cannot create: %s",
				 strerror(errno));
	close(fd);
	return 0;
}

/* ------------------------------------------------------------ open/close */

/*
 * SQLite opens any file lazily; the first read tells a database from
 * something else.  Asked first, so that the error says what the file is
 * rather than which statement met it.
 */
static int probe(struct store *st, struct core_error *err)
{
	int rc = sqlite3_exec(st->db, "SELECT count(*) FROM sqlite_master",
			      NULL, NULL, NULL);

	if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
		return core_fail(err, CORE_E_PARSE, st->path, 0,
				 "not a vigil store (%s)",
				 sqlite3_errmsg(st->db));
	return 0;	/* busy and the like: configure() says so */
}

static int configure(struct store *st, int busy_ms, struct core_error *err)
{
	static const char *const rw[] = {
		"PRAGMA journal_mode = WAL",
		"PRAGMA synchronous = NORMAL",
	};
	char *msg = NULL;

	sqlite3_extended_result_codes(st->db, 0);
	sqlite3_busy_timeout(st->db, busy_ms);
	if (sqlite3_exec(st->db, "PRAGMA foreign_keys = ON", NULL, NULL,
			 &msg) != SQLITE_OK)
		goto fail;
	for (size_t i = 0; !st->readonly && i < CORE_ARRAY_LEN(rw); i++)
		if (sqlite3_exec(st->db, rw[i], NULL, NULL, &msg) != SQLITE_OK)
			goto fail;
	return 0;

fail:
	core_fail(err, CORE_E_IO, st->path, 0, "cannot configure: %s",
		  msg ? msg : sqlite3_errmsg(st->db));
	sqlite3_free(msg);
	return CORE_E_IO;
}

int store_open(const char *path, const struct store_options *opts,
	       struct store **out, struct core_error *err)
{
	struct store_options o = opts ? *opts : (struct store_options){ 0 };
	struct store *st;
	int flags, rc;

	*out = NULL;
	if (!path || !*path)
		return core_fail(err, CORE_E_INVAL, NULL, 0, "no store path");
	if (strlen(path) >= sizeof(st->path))
		return core_fail(err, CORE_E_TOOBIG, path, 0, "path too long");
	if (o.flags & (STORE_O_READONLY | STORE_O_NOCREATE)) {
		if (access(path, F_OK) != 0)
			return core_fail(err, CORE_E_NOTFOUND, path, 0,
					 "no store here (vigil analyze "
					 "--store writes one)");
	} else if (make_parents(path, err) != 0 || make_file(path, err) != 0) {
		return err ? err->code : CORE_E_IO;
	}

	st = calloc(1, sizeof(*st));
	if (!st)
		return core_fail(err, CORE_E_NOMEM, path, 0, "out of memory");
	snprintf(st->path, sizeof(st->path), "%s", path);
	st->readonly = (o.flags & STORE_O_READONLY) != 0;
	flags = st->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	flags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		rc = core_fail(err, CORE_E_IO, path, 0, "cannot open: %s",
			       st->db ? sqlite3_errmsg(st->db) :
			       "out of memory");
		goto fail;
	}
	rc = probe(st, err);
	rc = rc ? rc : configure(st, o.busy_ms > 0 ? o.busy_ms :
				 STORE_DEFAULT_BUSY_MS, err);
	if (rc == 0)
		rc = store_migrate(st, o.target_version, err);
	if (rc != 0)
		goto fail;
	*out = st;
	return 0;

fail:
	store_close(st);
	return rc;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->ncache; i++)
		sqlite3_finalize(st->cache[i].stmt);
	if (st->depth)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(st->db);
	free(st);
}

int store_schema_version(struct store *st)
{
	return st->version;
}

/* ---------------------------------------------------------- transactions */

int store_begin(struct store *st, struct core_error *err)
{
	if (st->depth++ > 0)
		return 0;
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
	    SQLITE_OK)
		return 0;
	st->depth = 0;
	return store_sqlfail(st, err, "beginning a transaction");
}

int store_commit(struct store *st, struct core_error *err)
{
	if (st->depth == 0)
		return core_fail(err, CORE_E_INVAL, st->path, 0,
				 "commit without a transaction");
	if (--st->depth > 0)
		return 0;
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	store_sqlfail(st, err, "committing");
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return CORE_E_IO;
}

void store_rollback(struct store *st)
{
	if (st->depth == 0)
		return;
	st->depth = 0;
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}
