/*
 * store_int.h: the store room's private handle and statement helpers,
 * shared by its files and by nothing else (the public API is store.h).
 *
 * Statements that write one row are prepared once per handle and kept in
 * a small cache keyed by the address of their SQL text (always a static
 * string); statements that iterate and call back are prepared per call,
 * so that a callback may use the store again.
 */
#ifndef VIGIL_STORE_INT_H
#define VIGIL_STORE_INT_H

#include <sqlite3.h>

#include "store/store.h"

#define STORE_CACHE_MAX 48

struct store {
	sqlite3 *db;
	char path[1024];
	bool readonly;
	int version;			/* schema version after migration */
	unsigned depth;			/* store_begin() nesting */
	size_t ncache;
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} cache[STORE_CACHE_MAX];
};

/*
 * Returns the cached, reset statement for sql (a static string), or NULL
 * with err filled.
 */
sqlite3_stmt *store_stmt(struct store *st, const char *sql,
			 struct core_error *err);
/* Prepares an uncached statement; the caller finalizes it. */
int store_prepare(struct store *st, const char *sql, sqlite3_stmt **out,
		  struct core_error *err);
/* Fills err with SQLite's message for the last failure; CORE_E_IO. */
int store_sqlfail(struct store *st, struct core_error *err,
		  const char *what);
/* Steps a statement that returns no row; resets it. */
int store_step_done(struct store *st, sqlite3_stmt *s, const char *what,
		    struct core_error *err);

/* Binds bytes as text (NULL pointer: empty text). */
int store_bind_str(sqlite3_stmt *s, int i, struct core_str v);
int store_bind_cstr(sqlite3_stmt *s, int i, const char *v);
/* Binds 0 as NULL, for optional references. */
int store_bind_ref(sqlite3_stmt *s, int i, int64_t id);
/* A column as a length-carrying string (valid until the next step). */
struct core_str store_col_str(sqlite3_stmt *s, int i);
/* A column as a C string, "" for NULL. */
const char *store_col_cstr(sqlite3_stmt *s, int i);

/* Migrations, in migrate.c: brings the file to target (0: latest). */
int store_migrate(struct store *st, int target, struct core_error *err);
/*
 * Hashes every audit row that has no hash yet, in id order (migration
 * 3, for rows written before the chain existed).
 */
int store_audit_rechain(struct store *st, struct core_error *err);
/* The version recorded in the file, 0 for an empty one. */
int store_read_version(struct store *st, int *out, struct core_error *err);

#endif /* VIGIL_STORE_INT_H */
