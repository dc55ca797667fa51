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

/*
 * One value to bind, for the table-driven inserts: a statement's values
 * are listed in parameter order (?1 first) with the STORE_V_ makers.
 */
struct store_val {
	enum { STORE_V_INT, STORE_V_REAL, STORE_V_STR, STORE_V_CSTR,
	       STORE_V_REF } type;
	union {
		int64_t i;
		double r;
		struct core_str s;
		const char *c;
	} v;
};

#define STORE_INT(x) \
	((struct store_val){ .type = STORE_V_INT, .v.i = (int64_t)(x) })
#define STORE_REAL(x) \
	((struct store_val){ .type = STORE_V_REAL, .v.r = (x) })
#define STORE_STR(x) \
	((struct store_val){ .type = STORE_V_STR, .v.s = (x) })
#define STORE_CSTR(x) \
	((struct store_val){ .type = STORE_V_CSTR, .v.c = (x) })
/* 0 (or less) as NULL, for optional references. */
#define STORE_REF(x) \
	((struct store_val){ .type = STORE_V_REF, .v.i = (x) })
/* A JSON text column: empty text is stored as dflt ("[]" or "{}"). */
#define STORE_JSON(x, dflt) STORE_STR((x).len ? (x) : CORE_STR(dflt))

/* Binds v[0..n) to parameters 1..n. */
void store_bind_vals(sqlite3_stmt *s, const struct store_val *v, size_t n);
/*
 * Runs the cached statement sql with v bound; it returns no row.  The
 * result is store_step_done()'s.
 */
int store_exec(struct store *st, const char *sql, const struct store_val *v,
	       size_t n, const char *what, struct core_error *err);
/*
 * As store_exec() for an INSERT, then stores the new rowid in *id (when
 * id is not NULL).  On failure returns err's code (CORE_E_IO without err).
 */
int store_insert(struct store *st, const char *sql,
		 const struct store_val *v, size_t n, int64_t *id,
		 const char *what, struct core_error *err);
/* A caller's callback and its data, handed to the row readers. */
struct store_iter {
	union {
		store_incident_fn incident;
		store_trace_fn trace;
		store_verdict_fn verdict;
		store_feedback_fn feedback;
		store_audit_fn audit;
		store_state_fn state;
	} fn;
	void *ud;
};

/*
 * Steps an iterating statement, calling row(s, ud) for each row; returns
 * the first non-zero value row returned, or an SQLite failure.  Finalizes
 * the statement.
 */
int store_each_row(struct store *st, sqlite3_stmt *s,
		   int (*row)(sqlite3_stmt *, void *), void *ud,
		   const char *what, struct core_error *err);

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
