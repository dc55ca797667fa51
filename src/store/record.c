/*
 * record.c: what people and models decide about incidents (triage
 * traces, verdicts, analysts' feedback), the append-only audit log and the
 * state blobs other rooms keep between runs.
 *
 * The audit log's immutability is the schema's (triggers refuse UPDATE
 * and DELETE, see migrate.c); this file only ever inserts into it.  The
 * triggers stop mistakes, not the file's owner, who can drop them; the
 * hash chain is what shows an edit afterwards.  A row's hash is
 * BLAKE2b-256 over a version tag, the previous row's hash (hex; empty
 * for the first row) and the row's id, time, actor, action, object and
 * detail, each preceded by its length, so no two rows hash alike by
 * moving bytes between fields.  The id is chosen here (one above SQLite's
 * sequence for the table) inside a write transaction, so that it is part
 * of what the hash covers and two writers cannot chain to the same row.
 * Feedback and its audit row are written in one transaction, so neither
 * exists without the other.
 */
#include "store/store_int.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int64_t u64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

static bool one_of(const char *v, const char *const *list, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		if (strcmp(v, list[i]) == 0)
			return true;
	return false;
}

/*
 * Prepares sql, binds id to ?1 and hands each row to row(s, it); for the
 * lists of one incident.
 */
static int each_of(struct store *st, const char *sql, int64_t id,
		   int (*row)(sqlite3_stmt *, void *), struct store_iter *it,
		   const char *what, struct core_error *err)
{
	sqlite3_stmt *s;

	if (store_prepare(st, sql, &s, err) != 0)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, id);
	return store_each_row(st, s, row, it, what, err);
}

/* ------------------------------------------------------------ traces */

int store_trace_add(struct store *st, const struct store_trace *t,
		    int64_t *id, struct core_error *err)
{
	static const char sql[] = "INSERT INTO triage_traces (incident_id, "
		"producer, model, started, duration_us, prompt_tokens, "
		"completion_tokens, steps, status, prompt, tool_calls, answer, "
		"messages) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		"?11, ?12, ?13)";
	const struct store_val v[] = {
		STORE_INT(t->incident_id), STORE_CSTR(t->producer),
		STORE_CSTR(t->model),
		STORE_INT(t->started ? t->started : core_time_now()),
		STORE_INT(t->duration_us), STORE_INT(u64(t->prompt_tokens)),
		STORE_INT(u64(t->completion_tokens)), STORE_INT(t->steps),
		STORE_CSTR(t->status ? t->status : "ok"), STORE_STR(t->prompt),
		STORE_JSON(t->tool_calls, "[]"), STORE_STR(t->answer),
		STORE_JSON(t->messages, "[]"),
	};

	if (!t->producer || !*t->producer)
		return core_fail(err, CORE_E_INVAL, st->path, 0,
				 "a trace needs its producer");
	return store_insert(st, sql, v, CORE_ARRAY_LEN(v), id,
			    "adding a triage trace", err);
}

static int trace_row(sqlite3_stmt *s, void *ud)
{
	struct store_iter *it = ud;
	struct store_trace t = {
		.incident_id = sqlite3_column_int64(s, 1),
		.producer = store_col_cstr(s, 2),
		.model = store_col_cstr(s, 3),
		.started = sqlite3_column_int64(s, 4),
		.duration_us = sqlite3_column_int64(s, 5),
		.prompt_tokens = (uint64_t)sqlite3_column_int64(s, 6),
		.completion_tokens = (uint64_t)sqlite3_column_int64(s, 7),
		.steps = (unsigned)sqlite3_column_int(s, 8),
		.status = store_col_cstr(s, 9),
		.prompt = store_col_str(s, 10),
		.tool_calls = store_col_str(s, 11),
		.answer = store_col_str(s, 12),
		.messages = store_col_str(s, 13),
	};

	return it->fn.trace(sqlite3_column_int64(s, 0), &t, it->ud);
}

int store_trace_each(struct store *st, int64_t incident_id,
		     store_trace_fn fn, void *ud, struct core_error *err)
{
	static const char sql[] = "SELECT id, incident_id, producer, model, "
		"started, duration_us, prompt_tokens, completion_tokens, "
		"steps, status, prompt, tool_calls, answer, messages "
		"FROM triage_traces WHERE incident_id = ?1 ORDER BY id";
	struct store_iter it = { .fn.trace = fn, .ud = ud };

	return each_of(st, sql, incident_id, trace_row, &it, "reading traces",
		       err);
}

/* ---------------------------------------------------------- verdicts */

int store_verdict_add(struct store *st, const struct store_verdict *v,
		      int64_t *id, struct core_error *err)
{
	static const char *const by[] = {
		STORE_BY_DETERMINISTIC, STORE_BY_LLM, STORE_BY_ANALYST,
		STORE_BY_LOCAL_MODEL,
	};
	static const char sql[] = "INSERT INTO verdicts (incident_id, "
		"trace_id, producer, verdict, confidence, score_delta, "
		"explanation, evidence, actions, created) VALUES (?1, ?2, ?3, "
		"?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	const struct store_val val[] = {
		STORE_INT(v->incident_id), STORE_REF(v->trace_id),
		STORE_CSTR(v->producer), STORE_CSTR(v->verdict),
		STORE_REAL(v->confidence), STORE_INT(v->score_delta),
		STORE_STR(v->explanation), STORE_JSON(v->evidence, "[]"),
		STORE_JSON(v->actions, "[]"),
		STORE_INT(v->created ? v->created : core_time_now()),
	};

	if (!one_of(v->producer, by, CORE_ARRAY_LEN(by)) || !v->verdict ||
	    !*v->verdict || !isfinite(v->confidence) || v->confidence < 0 ||
	    v->confidence > 1)
		return core_fail(err, CORE_E_INVAL, st->path, 0,
				 "verdict needs a known producer, a verdict "
				 "and a confidence in 0..1");
	return store_insert(st, sql, val, CORE_ARRAY_LEN(val), id,
			    "adding a verdict", err);
}

static int verdict_row(sqlite3_stmt *s, void *ud)
{
	struct store_iter *it = ud;
	struct store_verdict v = {
		.incident_id = sqlite3_column_int64(s, 1),
		.trace_id = sqlite3_column_int64(s, 2),
		.producer = store_col_cstr(s, 3),
		.verdict = store_col_cstr(s, 4),
		.confidence = sqlite3_column_double(s, 5),
		.score_delta = sqlite3_column_int(s, 6),
		.explanation = store_col_str(s, 7),
		.evidence = store_col_str(s, 8),
		.actions = store_col_str(s, 9),
		.created = sqlite3_column_int64(s, 10),
	};

	return it->fn.verdict(sqlite3_column_int64(s, 0), &v, it->ud);
}

int store_verdict_each(struct store *st, int64_t incident_id,
		       store_verdict_fn fn, void *ud,
		       struct core_error *err)
{
	static const char sql[] = "SELECT id, incident_id, "
		"coalesce(trace_id, 0), producer, verdict, confidence, "
		"score_delta, explanation, evidence, actions, created "
		"FROM verdicts WHERE ?1 = 0 OR incident_id = ?1 ORDER BY id";
	struct store_iter it = { .fn.verdict = fn, .ud = ud };

	return each_of(st, sql, incident_id, verdict_row, &it,
		       "reading verdicts", err);
}

/* ---------------------------------------------------------- feedback */

static int incident_exists(struct store *st, int64_t id,
			   struct core_error *err)
{
	static const char sql[] = "SELECT 1 FROM incidents WHERE id = ?1";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	int rc;

	if (!s)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return core_fail(err, CORE_E_NOTFOUND, st->path, 0,
				 "no incident %lld in the store",
				 (long long)id);
	return store_sqlfail(st, err, "finding an incident");
}

static int feedback_audit(struct store *st, const struct store_feedback *f,
			  int64_t fid, int64_t now, struct core_error *err)
{
	struct core_buf d;
	char object[48];
	struct store_audit a = { 0 };
	int rc;

	core_buf_init(&d, f->note.len * 6 + 256);
	rc = core_buf_printf(&d, "{\"feedback_id\":%lld,\"verdict\":\"",
			     (long long)fid);
	rc = rc ? rc : core_buf_add_json(&d, f->verdict, strlen(f->verdict));
	rc = rc ? rc : core_buf_add(&d, "\",\"note\":\"", 10);
	rc = rc ? rc : core_buf_add_json(&d, f->note.p ? f->note.p : "",
					 f->note.len);
	rc = rc ? rc : core_buf_add(&d, "\"}", 2);
	if (rc != 0) {
		core_buf_free(&d);
		return core_fail(err, rc, st->path, 0, "feedback too large");
	}
	snprintf(object, sizeof(object), "incident:%lld",
		 (long long)f->incident_id);
	a.ts = now;
	a.actor = f->analyst;
	a.action = "feedback";
	a.object = object;
	a.detail = core_str_make(d.p, d.len);
	rc = store_audit_append(st, &a, NULL, err);
	core_buf_free(&d);
	return rc;
}

static int feedback_insert(struct store *st, const struct store_feedback *f,
			   int64_t now, int64_t *id, struct core_error *err)
{
	static const char sql[] = "INSERT INTO feedback (incident_id, "
		"verdict, analyst, note, created) VALUES (?1, ?2, ?3, ?4, ?5)";
	const struct store_val v[] = {
		STORE_INT(f->incident_id), STORE_CSTR(f->verdict),
		STORE_CSTR(f->analyst), STORE_STR(f->note), STORE_INT(now),
	};

	return store_insert(st, sql, v, CORE_ARRAY_LEN(v), id,
			    "adding feedback", err);
}

int store_feedback_add(struct store *st, const struct store_feedback *f,
		       int64_t *id, struct core_error *err)
{
	static const char *const verdicts[] = {
		STORE_FEEDBACK_MALICIOUS, STORE_FEEDBACK_BENIGN,
		STORE_FEEDBACK_FALSE_POSITIVE,
	};
	int64_t now = f->created ? f->created : core_time_now(), fid = 0;
	int rc;

	if (!one_of(f->verdict, verdicts, CORE_ARRAY_LEN(verdicts)))
		return core_fail(err, CORE_E_INVAL, st->path, 0,
				 "verdict must be malicious, benign or "
				 "false-positive");
	if (!f->analyst || !*f->analyst)
		return core_fail(err, CORE_E_INVAL, st->path, 0,
				 "feedback needs the analyst's name");
	rc = store_begin(st, err);
	if (rc != 0)
		return rc;
	rc = incident_exists(st, f->incident_id, err);
	if (rc == 0)
		rc = feedback_insert(st, f, now, &fid, err);
	if (rc == 0)
		rc = feedback_audit(st, f, fid, now, err);
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	rc = store_commit(st, err);
	if (rc == 0 && id)
		*id = fid;
	return rc;
}

static int feedback_row(sqlite3_stmt *s, void *ud)
{
	struct store_iter *it = ud;
	struct store_feedback f = {
		.incident_id = sqlite3_column_int64(s, 1),
		.verdict = store_col_cstr(s, 2),
		.analyst = store_col_cstr(s, 3),
		.note = store_col_str(s, 4),
		.created = sqlite3_column_int64(s, 5),
	};

	return it->fn.feedback(sqlite3_column_int64(s, 0), &f, it->ud);
}

int store_feedback_each(struct store *st, int64_t incident_id,
			store_feedback_fn fn, void *ud,
			struct core_error *err)
{
	static const char sql[] = "SELECT id, incident_id, verdict, analyst, "
		"note, created FROM feedback WHERE ?1 = 0 OR incident_id = ?1 "
		"ORDER BY id";
	struct store_iter it = { .fn.feedback = fn, .ud = ud };

	return each_of(st, sql, incident_id, feedback_row, &it,
		       "reading feedback", err);
}

/* ---------------------------------------------------------- audit log */

#define CHAIN_TAG "vigil.audit.v1"

static void chain_part(crypto_generichash_state *h, const void *p, size_t n)
{
	unsigned char len[8];

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)n >> (8 * i));
	crypto_generichash_update(h, len, sizeof(len));
	if (n)
		crypto_generichash_update(h, p, n);
}

static void chain_int(crypto_generichash_state *h, int64_t v)
{
	char t[24];
	int n = snprintf(t, sizeof(t), "%lld", (long long)v);

	chain_part(h, t, (size_t)n);
}

/* The hash of one row after prev (hex, "" for the first), as hex. */
static void chain_hash(const char *prev, int64_t id, int64_t ts,
		       struct core_str actor, struct core_str action,
		       struct core_str object, struct core_str detail,
		       char out[STORE_AUDIT_HASH_HEX + 1])
{
	unsigned char md[STORE_AUDIT_HASH_HEX / 2];
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, sizeof(md));
	chain_part(&h, CHAIN_TAG, sizeof(CHAIN_TAG) - 1);
	chain_part(&h, prev, strlen(prev));
	chain_int(&h, id);
	chain_int(&h, ts);
	chain_part(&h, actor.p, actor.len);
	chain_part(&h, action.p, action.len);
	chain_part(&h, object.p, object.len);
	chain_part(&h, detail.p, detail.len);
	crypto_generichash_final(&h, md, sizeof(md));
	sodium_bin2hex(out, STORE_AUDIT_HASH_HEX + 1, md, sizeof(md));
}

static struct core_str cs(const char *v)
{
	return core_str_make(v ? v : "", v ? strlen(v) : 0);
}

/* The next id and the hash it chains to (of the row before it). */
static int chain_tail(struct store *st, int64_t *next,
		      char prev[STORE_AUDIT_HASH_HEX + 1],
		      struct core_error *err)
{
	static const char sql[] = "SELECT coalesce((SELECT seq FROM "
		"sqlite_sequence WHERE name = 'audit_log'), 0), "
		"coalesce((SELECT max(id) FROM audit_log), 0), "
		"(SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1)";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	int rc;

	if (!s)
		return CORE_E_IO;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(s, 0);
		int64_t max = sqlite3_column_int64(s, 1);

		*next = (seq > max ? seq : max) + 1;
		snprintf(prev, STORE_AUDIT_HASH_HEX + 1, "%s",
			 store_col_cstr(s, 2));
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : store_sqlfail(st, err,
						    "reading the audit chain");
}

static int audit_insert(struct store *st, const struct store_audit *a,
			int64_t *id, struct core_error *err)
{
	static const char sql[] = "INSERT INTO audit_log (id, ts, actor, "
		"action, object, detail, hash) VALUES (?1, ?2, ?3, ?4, ?5, "
		"?6, ?7)";
	struct core_str detail = a->detail.len ? a->detail : CORE_STR("{}");
	int64_t ts = a->ts ? a->ts : core_time_now();
	char prev[STORE_AUDIT_HASH_HEX + 1], hash[STORE_AUDIT_HASH_HEX + 1];
	struct store_val v[] = {	/* id and hash: from the chain */
		STORE_INT(0), STORE_INT(ts), STORE_CSTR(a->actor),
		STORE_CSTR(a->action), STORE_CSTR(a->object),
		STORE_STR(detail), STORE_CSTR(hash),
	};
	int rc = chain_tail(st, id, prev, err);

	if (rc != 0)
		return rc;
	chain_hash(prev, *id, ts, cs(a->actor), cs(a->action), cs(a->object),
		   detail, hash);
	v[0] = STORE_INT(*id);
	return store_exec(st, sql, v, CORE_ARRAY_LEN(v),
			  "appending to the audit log", err);
}

/* Before version 3 there is no chain: a plain insert. */
static int audit_insert_v2(struct store *st, const struct store_audit *a,
			   int64_t *id, struct core_error *err)
{
	static const char sql[] = "INSERT INTO audit_log (ts, actor, action, "
		"object, detail) VALUES (?1, ?2, ?3, ?4, ?5)";
	const struct store_val v[] = {
		STORE_INT(a->ts ? a->ts : core_time_now()),
		STORE_CSTR(a->actor), STORE_CSTR(a->action),
		STORE_CSTR(a->object), STORE_JSON(a->detail, "{}"),
	};

	return store_insert(st, sql, v, CORE_ARRAY_LEN(v), id,
			    "appending to the audit log", err);
}

int store_audit_append(struct store *st, const struct store_audit *a,
		       int64_t *id, struct core_error *err)
{
	int64_t row = 0;
	int rc;

	if (!a->actor || !*a->actor || !a->action || !*a->action)
		return core_fail(err, CORE_E_INVAL, st->path, 0,
				 "an audit entry needs an actor and action");
	if (st->version < 3) {
		rc = audit_insert_v2(st, a, &row, err);
	} else {
		rc = store_begin(st, err);
		if (rc != 0)
			return rc;
		rc = audit_insert(st, a, &row, err);
		if (rc != 0) {
			store_rollback(st);
			return rc;
		}
		rc = store_commit(st, err);
	}
	if (rc == 0 && id)
		*id = row;
	return rc;
}

int store_audit_rechain(struct store *st, struct core_error *err)
{
	static const char sel[] = "SELECT id, ts, actor, action, object, "
		"detail, hash FROM audit_log ORDER BY id";
	static const char upd[] = "UPDATE audit_log SET hash = ?1 "
		"WHERE id = ?2";
	char prev[STORE_AUDIT_HASH_HEX + 1] = "";
	sqlite3_stmt *s, *u;
	int rc;

	if (store_prepare(st, sel, &s, err) != 0)
		return CORE_E_IO;
	if (store_prepare(st, upd, &u, err) != 0) {
		sqlite3_finalize(s);
		return CORE_E_IO;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		chain_hash(prev, sqlite3_column_int64(s, 0),
			   sqlite3_column_int64(s, 1), store_col_str(s, 2),
			   store_col_str(s, 3), store_col_str(s, 4),
			   store_col_str(s, 5), prev);
		sqlite3_bind_text(u, 1, prev, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(u, 2, sqlite3_column_int64(s, 0));
		if (sqlite3_step(u) != SQLITE_DONE)
			break;
		sqlite3_reset(u);
	}
	sqlite3_finalize(u);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_sqlfail(st, err,
						     "chaining the audit log");
}

/* Walk state of store_audit_verify(). */
struct walk {
	struct store_audit_check *out;
	const char *expect;
	bool expect_seen;
	char prev[STORE_AUDIT_HASH_HEX + 1];
};

static void walk_fault(struct walk *w, int64_t id, const char *reason)
{
	if (!w->out->intact)
		return;
	w->out->intact = false;
	w->out->bad_id = id;
	snprintf(w->out->reason, sizeof(w->out->reason), "%s", reason);
}

static void walk_row(struct walk *w, sqlite3_stmt *s)
{
	int64_t id = sqlite3_column_int64(s, 0);
	const char *stored = store_col_cstr(s, 6);
	char h[STORE_AUDIT_HASH_HEX + 1], why[160];

	if (id != w->out->last_id + 1) {
		snprintf(why, sizeof(why), "rows %lld..%lld are missing "
			 "(removed)", (long long)w->out->last_id + 1,
			 (long long)id - 1);
		walk_fault(w, id, why);
	}
	chain_hash(w->prev, id, sqlite3_column_int64(s, 1),
		   store_col_str(s, 2), store_col_str(s, 3),
		   store_col_str(s, 4), store_col_str(s, 5), h);
	if (strcmp(h, stored) != 0) {
		snprintf(why, sizeof(why), "row %lld does not match its hash "
			 "(it was changed)", (long long)id);
		walk_fault(w, id, why);
	}
	/* Go on from the stored hash: one edit is reported once. */
	snprintf(w->prev, sizeof(w->prev), "%s", stored);
	if (w->expect && strncmp(stored, w->expect, strlen(w->expect)) == 0)
		w->expect_seen = true;
	w->out->rows++;
	w->out->last_id = id;
}

int store_audit_verify(struct store *st, const char *expect,
		       struct store_audit_check *out,
		       struct core_error *err)
{
	static const char sql[] = "SELECT id, ts, actor, action, object, "
		"detail, coalesce(hash, '') FROM audit_log ORDER BY id";
	static const char seq[] = "SELECT coalesce((SELECT seq FROM "
		"sqlite_sequence WHERE name = 'audit_log'), 0)";
	struct walk w = { .out = out, .expect = expect };
	sqlite3_stmt *s;
	char why[160];
	int64_t top = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->intact = true;
	if (st->version < 3)
		return core_fail(err, CORE_E_UNSUPPORTED, st->path, 0,
				 "schema version %d has no audit chain; open "
				 "the store for writing once", st->version);
	if (expect && strlen(expect) < 16)
		return core_fail(err, CORE_E_INVAL, st->path, 0,
				 "an expected head needs 16 hex digits or "
				 "more");
	if (store_prepare(st, sql, &s, err) != 0)
		return CORE_E_IO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		walk_row(&w, s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlfail(st, err, "reading the audit log");
	if (store_prepare(st, seq, &s, err) != 0)
		return CORE_E_IO;
	if (sqlite3_step(s) == SQLITE_ROW)
		top = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (top > out->last_id) {
		snprintf(why, sizeof(why), "rows %lld..%lld were cut from "
			 "the end (removed)", (long long)out->last_id + 1,
			 (long long)top);
		walk_fault(&w, out->last_id + 1, why);
	}
	if (expect && !w.expect_seen)
		walk_fault(&w, 0, "the recorded head is not in the chain "
			   "(rows were rewritten or removed)");
	snprintf(out->head, sizeof(out->head), "%s", w.prev);
	return 0;
}

static int audit_row(sqlite3_stmt *s, void *ud)
{
	struct store_iter *it = ud;
	struct store_audit a = {
		.ts = sqlite3_column_int64(s, 1),
		.actor = store_col_cstr(s, 2),
		.action = store_col_cstr(s, 3),
		.object = store_col_cstr(s, 4),
		.detail = store_col_str(s, 5),
	};

	return it->fn.audit(sqlite3_column_int64(s, 0), &a, it->ud);
}

int store_audit_each(struct store *st, int64_t after_id, size_t limit,
		     store_audit_fn fn, void *ud, struct core_error *err)
{
	static const char sql[] = "SELECT id, ts, actor, action, object, "
		"detail FROM audit_log WHERE id > ?1 ORDER BY id LIMIT ?2";
	struct store_iter it = { .fn.audit = fn, .ud = ud };
	sqlite3_stmt *s;

	if (store_prepare(st, sql, &s, err) != 0)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, after_id);
	sqlite3_bind_int64(s, 2, limit ? u64(limit) : -1);
	return store_each_row(st, s, audit_row, &it, "reading the audit log",
			      err);
}

/* -------------------------------------------------------------- state */

static int check_key(struct store *st, const char *ns, const char *key,
		     struct core_error *err)
{
	if (!ns || !*ns || !key)
		return core_fail(err, CORE_E_INVAL, st->path, 0,
				 "state needs a namespace and a key");
	return 0;
}

int store_state_put(struct store *st, const char *ns, const char *key,
		    const void *blob, size_t len, struct core_error *err)
{
	static const char sql[] = "INSERT OR REPLACE INTO state (ns, key, "
		"blob, updated) VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *s;

	if (check_key(st, ns, key, err) != 0)
		return CORE_E_INVAL;
	if (len > STORE_STATE_MAX)
		return core_fail(err, CORE_E_TOOBIG, st->path, 0,
				 "state blob %s/%s is %zu bytes (at most %u)",
				 ns, key, len, STORE_STATE_MAX);
	s = store_stmt(st, sql, err);
	if (!s)
		return CORE_E_IO;
	store_bind_cstr(s, 1, ns);
	store_bind_cstr(s, 2, key);
	sqlite3_bind_blob(s, 3, len ? blob : "", (int)len, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, core_time_now());
	return store_step_done(st, s, "writing state", err);
}

int store_state_get(struct store *st, const char *ns, const char *key,
		    struct core_buf *out, int64_t *updated,
		    struct core_error *err)
{
	static const char sql[] = "SELECT blob, updated FROM state "
		"WHERE ns = ?1 AND key = ?2";
	sqlite3_stmt *s;
	int rc;

	if (check_key(st, ns, key, err) != 0)
		return CORE_E_INVAL;
	s = store_stmt(st, sql, err);
	if (!s)
		return CORE_E_IO;
	store_bind_cstr(s, 1, ns);
	store_bind_cstr(s, 2, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const void *p = sqlite3_column_blob(s, 0);
		int n = sqlite3_column_bytes(s, 0);

		if (updated)
			*updated = sqlite3_column_int64(s, 1);
		rc = n > 0 ? core_buf_add(out, p, (size_t)n) : 0;
		if (rc != 0)
			core_fail(err, rc, st->path, 0,
				  "state %s/%s does not fit the buffer",
				  ns, key);
	} else if (rc == SQLITE_DONE) {
		rc = CORE_E_NOTFOUND;
	} else {
		rc = store_sqlfail(st, err, "reading state");
	}
	sqlite3_reset(s);
	return rc;
}

int store_state_delete(struct store *st, const char *ns, const char *key,
		       struct core_error *err)
{
	static const char sql[] = "DELETE FROM state WHERE ns = ?1 AND "
		"key = ?2";
	sqlite3_stmt *s;

	if (check_key(st, ns, key, err) != 0)
		return CORE_E_INVAL;
	s = store_stmt(st, sql, err);
	if (!s)
		return CORE_E_IO;
	store_bind_cstr(s, 1, ns);
	store_bind_cstr(s, 2, key);
	return store_step_done(st, s, "deleting state", err);
}

static int state_row(sqlite3_stmt *s, void *ud)
{
	struct store_iter *it = ud;
	const void *p = sqlite3_column_blob(s, 1);
	int n = sqlite3_column_bytes(s, 1);

	return it->fn.state(store_col_cstr(s, 0),
		      core_str_make(p ? p : "", (size_t)n),
		      sqlite3_column_int64(s, 2), it->ud);
}

int store_state_each(struct store *st, const char *ns, store_state_fn fn,
		     void *ud, struct core_error *err)
{
	static const char sql[] = "SELECT key, blob, updated FROM state "
		"WHERE ns = ?1 ORDER BY key";
	struct store_iter it = { .fn.state = fn, .ud = ud };
	sqlite3_stmt *s;

	if (check_key(st, ns, "", err) != 0)
		return CORE_E_INVAL;
	if (store_prepare(st, sql, &s, err) != 0)
		return CORE_E_IO;
	store_bind_cstr(s, 1, ns);
	return store_each_row(st, s, state_row, &it, "reading state", err);
}
