/*
 * write.c: what an analysis run leaves in the store (runs, entities and
 * their counters, alert records, event references, incidents, evidence)
 * and reading incidents back.
 *
 * Workload: one run writes a few thousand rows at most (incidents and
 * alert records are bounded by the incident room), inside one
 * transaction the caller opens; every insert is a cached prepared
 * statement.
 */
#include "store/store_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* SQLite keeps signed 64-bit integers; counters beyond that are capped. */
static int64_t u64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* Unknown times are stored as 0 (CORE_TS_UNKNOWN does not order well). */
static int64_t ts_of(int64_t ts)
{
	return ts == CORE_TS_UNKNOWN ? 0 : ts;
}

int store_run_add(struct store *st, const struct store_run *run,
		  int64_t *id, struct core_error *err)
{
	static const char sql[] = "INSERT INTO runs (started, finished, "
		"version, inputs, stats, ts_first, ts_last) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	const struct store_val v[] = {
		STORE_INT(run->started), STORE_INT(run->finished),
		STORE_CSTR(run->version), STORE_JSON(run->inputs, "[]"),
		STORE_JSON(run->stats, "{}"), STORE_INT(ts_of(run->ts_first)),
		STORE_INT(ts_of(run->ts_last)),
	};

	return store_insert(st, sql, v, CORE_ARRAY_LEN(v), id, "adding a run",
			    err);
}

int store_entity_id(struct store *st, const char *type, struct core_str value,
		    int64_t *id, struct core_error *err)
{
	static const char find[] = "SELECT id FROM entities "
		"WHERE type = ?1 AND value = ?2";
	static const char add[] = "INSERT INTO entities (type, value) "
		"VALUES (?1, ?2)";
	const struct store_val v[] = { STORE_CSTR(type), STORE_STR(value) };
	sqlite3_stmt *s = store_stmt(st, find, err);
	int rc;

	if (!s)
		return CORE_E_IO;
	if (!type || !*type)
		return core_fail(err, CORE_E_INVAL, st->path, 0,
				 "entity without a type");
	store_bind_vals(s, v, CORE_ARRAY_LEN(v));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlfail(st, err, "finding an entity");

	return store_insert(st, add, v, CORE_ARRAY_LEN(v), id,
			    "adding an entity", err);
}

int store_entity_counters(struct store *st, int64_t run_id,
			  int64_t entity_id, const struct store_counters *c,
			  struct core_error *err)
{
	static const char sql[] = "INSERT OR REPLACE INTO entity_counters "
		"(run_id, entity_id, observed, events, login_failures, "
		"login_successes, invalid_users, pam_failures, privileged, "
		"requests, http_4xx, http_5xx, ids_alerts, distinct_users, "
		"distinct_sources, first_seen, last_seen) VALUES (?1, ?2, ?3, "
		"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
		"?17)";
	static const struct store_counters none;
	const struct store_counters *cnt = c ? c : &none;
	const uint64_t n[] = {
		cnt->events, cnt->login_failures, cnt->login_successes,
		cnt->invalid_users, cnt->pam_failures, cnt->privileged,
		cnt->requests, cnt->http_4xx, cnt->http_5xx, cnt->ids_alerts,
		cnt->distinct_users, cnt->distinct_sources,
	};
	struct store_val v[17] = {
		STORE_INT(run_id), STORE_INT(entity_id), STORE_INT(c != NULL),
	};

	for (size_t i = 0; i < CORE_ARRAY_LEN(n); i++)
		v[3 + i] = STORE_INT(u64(n[i]));
	v[15] = STORE_INT(ts_of(cnt->first_seen));
	v[16] = STORE_INT(ts_of(cnt->last_seen));
	return store_exec(st, sql, v, CORE_ARRAY_LEN(v),
			  "adding entity counters", err);
}

static int link_alert_entities(struct store *st, int64_t alert_id,
			       const struct store_alert *a,
			       struct core_error *err)
{
	static const char sql[] = "INSERT OR IGNORE INTO alert_entities "
		"(alert_id, entity_id) VALUES (?1, ?2)";

	for (size_t i = 0; i < a->nentities; i++) {
		const struct store_val v[] = {
			STORE_INT(alert_id), STORE_INT(a->entities[i]),
		};

		int rc = store_insert(st, sql, v, CORE_ARRAY_LEN(v), NULL,
				      "linking an alert", err);

		if (rc != 0)
			return rc;
	}
	return 0;
}

int store_alert_add(struct store *st, const struct store_alert *a,
		    int64_t *id, struct core_error *err)
{
	static const char sql[] = "INSERT INTO alerts (run_id, incident_id, "
		"rule_id, rule_title, level, raised, events, distinct_values, "
		"ts_first, ts_last, grp) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
		"?8, ?9, ?10, ?11)";
	const struct store_val v[] = {
		STORE_INT(a->run_id), STORE_REF(a->incident_id),
		STORE_CSTR(a->rule_id), STORE_CSTR(a->rule_title),
		STORE_CSTR(a->level), STORE_INT(u64(a->raised)),
		STORE_INT(u64(a->events)), STORE_INT(u64(a->distinct)),
		STORE_INT(ts_of(a->ts_first)), STORE_INT(ts_of(a->ts_last)),
		STORE_JSON(a->group, "{}"),
	};
	int64_t aid;
	int rc = store_insert(st, sql, v, CORE_ARRAY_LEN(v), &aid,
			      "adding an alert", err);

	if (rc != 0)
		return rc;
	if (id)
		*id = aid;
	return link_alert_entities(st, aid, a, err);
}

int store_event_ref_add(struct store *st, const struct store_event_ref *r,
			int64_t *id, struct core_error *err)
{
	static const char sql[] = "INSERT INTO event_refs (run_id, alert_id, "
		"file, line, ts, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	const struct store_val v[] = {
		STORE_INT(r->run_id), STORE_REF(r->alert_id),
		STORE_CSTR(r->file), STORE_INT(u64(r->line)),
		STORE_INT(ts_of(r->ts)), STORE_STR(r->text),
	};

	return store_insert(st, sql, v, CORE_ARRAY_LEN(v), id,
			    "adding an event reference", err);
}

/* ----------------------------------------------------------- incidents */

int store_incident_add(struct store *st, const struct store_incident *inc,
		       int64_t *id, struct core_error *err)
{
	static const char sql[] = "INSERT INTO incidents (run_id, rank, "
		"fingerprint, title, score, severity, ts_first, ts_last, "
		"alerts, records, events, tactics, techniques, score_parts, "
		"explanation, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
		"?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
	const struct store_val v[] = {
		STORE_INT(inc->run_id), STORE_INT(inc->rank),
		STORE_STR(inc->fingerprint), STORE_STR(inc->title),
		STORE_INT(inc->score), STORE_CSTR(inc->severity),
		STORE_INT(ts_of(inc->ts_first)), STORE_INT(ts_of(inc->ts_last)),
		STORE_INT(u64(inc->alerts)), STORE_INT(u64(inc->records)),
		STORE_INT(u64(inc->events)), STORE_JSON(inc->tactics, "[]"),
		STORE_JSON(inc->techniques, "[]"),
		STORE_JSON(inc->score_parts, "{}"),
		STORE_STR(inc->explanation),
		STORE_INT(inc->created ? inc->created : core_time_now()),
	};

	return store_insert(st, sql, v, CORE_ARRAY_LEN(v), id,
			    "adding an incident", err);
}

int store_incident_entity(struct store *st, int64_t incident_id,
			  int64_t entity_id, unsigned rank,
			  struct core_error *err)
{
	static const char sql[] = "INSERT OR IGNORE INTO incident_entities "
		"(incident_id, entity_id, rank) VALUES (?1, ?2, ?3)";
	const struct store_val v[] = {
		STORE_INT(incident_id), STORE_INT(entity_id), STORE_INT(rank),
	};

	return store_exec(st, sql, v, CORE_ARRAY_LEN(v), "linking an entity",
			  err);
}

int store_evidence_add(struct store *st, const struct store_evidence *e,
		       struct core_error *err)
{
	static const char sql[] = "INSERT INTO evidence (incident_id, rank, "
		"event_ref_id, alert_id, file, line, ts, text, rule_id, "
		"rule_title) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	const struct store_val v[] = {
		STORE_INT(e->incident_id), STORE_INT(e->rank),
		STORE_REF(e->event_ref_id), STORE_REF(e->alert_id),
		STORE_CSTR(e->file), STORE_INT(u64(e->line)),
		STORE_INT(ts_of(e->ts)), STORE_STR(e->text),
		STORE_CSTR(e->rule_id), STORE_CSTR(e->rule_title),
	};

	return store_exec(st, sql, v, CORE_ARRAY_LEN(v), "adding evidence",
			  err);
}

/* ------------------------------------------------------------- reading */

#define INCIDENT_COLS "id, run_id, rank, fingerprint, title, score, " \
	"severity, ts_first, ts_last, alerts, records, events, tactics, " \
	"techniques, score_parts, explanation, created"

static void read_incident(sqlite3_stmt *s, struct store_incident *inc)
{
	memset(inc, 0, sizeof(*inc));
	inc->id = sqlite3_column_int64(s, 0);
	inc->run_id = sqlite3_column_int64(s, 1);
	inc->rank = (uint32_t)sqlite3_column_int64(s, 2);
	inc->fingerprint = store_col_str(s, 3);
	inc->title = store_col_str(s, 4);
	inc->score = (unsigned)sqlite3_column_int(s, 5);
	inc->severity = store_col_cstr(s, 6);
	inc->ts_first = sqlite3_column_int64(s, 7);
	inc->ts_last = sqlite3_column_int64(s, 8);
	inc->alerts = (uint64_t)sqlite3_column_int64(s, 9);
	inc->records = (uint64_t)sqlite3_column_int64(s, 10);
	inc->events = (uint64_t)sqlite3_column_int64(s, 11);
	inc->tactics = store_col_str(s, 12);
	inc->techniques = store_col_str(s, 13);
	inc->score_parts = store_col_str(s, 14);
	inc->explanation = store_col_str(s, 15);
	inc->created = sqlite3_column_int64(s, 16);
}

int store_incident_get(struct store *st, int64_t id, store_incident_fn fn,
		       void *ud, struct core_error *err)
{
	static const char sql[] = "SELECT " INCIDENT_COLS
		" FROM incidents WHERE id = ?1";
	struct store_incident inc;
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, sql, &s, err) != 0)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_incident(s, &inc);
		rc = fn ? fn(&inc, ud) : 0;
	} else if (rc == SQLITE_DONE) {
		rc = core_fail(err, CORE_E_NOTFOUND, st->path, 0,
			       "no incident %lld in the store",
			       (long long)id);
	} else {
		rc = store_sqlfail(st, err, "reading an incident");
	}
	sqlite3_finalize(s);
	return rc;
}

static int incident_row(sqlite3_stmt *s, void *ud)
{
	struct store_iter *it = ud;
	struct store_incident inc;

	read_incident(s, &inc);
	return it->fn.incident(&inc, it->ud);
}

int store_incident_each(struct store *st, int64_t after_id, size_t limit,
			store_incident_fn fn, void *ud,
			struct core_error *err)
{
	static const char sql[] = "SELECT " INCIDENT_COLS
		" FROM incidents WHERE id > ?1 ORDER BY id LIMIT ?2";
	struct store_iter it = { .fn.incident = fn, .ud = ud };
	sqlite3_stmt *s;

	if (store_prepare(st, sql, &s, err) != 0)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, after_id);
	sqlite3_bind_int64(s, 2, limit ? u64(limit) : -1);
	return store_each_row(st, s, incident_row, &it, "reading incidents",
			      err);
}

int store_incident_previous(struct store *st, int64_t id, int64_t *prev,
			    struct core_error *err)
{
	static const char sql[] = "SELECT p.id FROM incidents p, incidents i "
		"WHERE i.id = ?1 AND p.fingerprint = i.fingerprint "
		"AND p.id < i.id ORDER BY p.id DESC LIMIT 1";
	sqlite3_stmt *s = store_stmt(st, sql, err);
	int rc;

	if (!s)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	*prev = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return CORE_E_NOTFOUND;
	return store_sqlfail(st, err, "finding an earlier incident");
}

/* ---------------------------------------------------------- baselines */

/* A JSON array of n integers into buf (at most n * 21 + 3 bytes). */
static size_t int_array(char *buf, size_t cap, const uint64_t *v, size_t n)
{
	size_t len = 0;

	buf[len++] = '[';
	for (size_t i = 0; i < n && len + 24 < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%lld",
					i ? "," : "", (long long)u64(v[i]));
	buf[len++] = ']';
	buf[len] = '\0';
	return len;
}

int store_baseline_add(struct store *st, int64_t run_id,
		       const struct store_baseline *b,
		       struct core_error *err)
{
	static const char sql[] = "INSERT OR REPLACE INTO entity_baselines "
		"(run_id, type, counter, population, nonzero, mean, variance, "
		"max, p50, p90, p99, histogram, top) VALUES (?1, ?2, ?3, ?4, "
		"?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
	char hist[STORE_BASELINE_BINS * 22 + 4];
	char top[STORE_BASELINE_TOP * 22 + 4];
	const struct store_val v[] = {	/* hist and top filled below */
		STORE_INT(run_id), STORE_CSTR(b->type), STORE_CSTR(b->counter),
		STORE_INT(u64(b->population)), STORE_INT(u64(b->nonzero)),
		STORE_REAL(isfinite(b->mean) ? b->mean : 0),
		STORE_REAL(isfinite(b->variance) ? b->variance : 0),
		STORE_INT(u64(b->max)), STORE_INT(u64(b->p50)),
		STORE_INT(u64(b->p90)), STORE_INT(u64(b->p99)),
		STORE_CSTR(hist), STORE_CSTR(top),
	};

	if (!b->type || !*b->type || !b->counter || !*b->counter ||
	    b->ntop > STORE_BASELINE_TOP)
		return core_fail(err, CORE_E_INVAL, st->path, 0,
				 "a baseline needs a type, a counter and at "
				 "most %d top values", STORE_BASELINE_TOP);
	int_array(hist, sizeof(hist), b->bins, STORE_BASELINE_BINS);
	int_array(top, sizeof(top), b->top, b->ntop);
	return store_exec(st, sql, v, CORE_ARRAY_LEN(v), "adding a baseline",
			  err);
}
