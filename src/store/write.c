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
	sqlite3_stmt *s = store_stmt(st, sql, err);

	if (!s)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, run->started);
	sqlite3_bind_int64(s, 2, run->finished);
	store_bind_cstr(s, 3, run->version);
	store_bind_str(s, 4, run->inputs.len ? run->inputs : CORE_STR("[]"));
	store_bind_str(s, 5, run->stats.len ? run->stats : CORE_STR("{}"));
	sqlite3_bind_int64(s, 6, ts_of(run->ts_first));
	sqlite3_bind_int64(s, 7, ts_of(run->ts_last));
	if (store_step_done(st, s, "adding a run", err) != 0)
		return err ? err->code : CORE_E_IO;
	if (id)
		*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_entity_id(struct store *st, const char *type, struct core_str value,
		    int64_t *id, struct core_error *err)
{
	static const char find[] = "SELECT id FROM entities "
		"WHERE type = ?1 AND value = ?2";
	static const char add[] = "INSERT INTO entities (type, value) "
		"VALUES (?1, ?2)";
	sqlite3_stmt *s = store_stmt(st, find, err);
	int rc;

	if (!s)
		return CORE_E_IO;
	if (!type || !*type)
		return core_fail(err, CORE_E_INVAL, st->path, 0,
				 "entity without a type");
	store_bind_cstr(s, 1, type);
	store_bind_str(s, 2, value);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		return 0;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlfail(st, err, "finding an entity");

	s = store_stmt(st, add, err);
	if (!s)
		return CORE_E_IO;
	store_bind_cstr(s, 1, type);
	store_bind_str(s, 2, value);
	if (store_step_done(st, s, "adding an entity", err) != 0)
		return err ? err->code : CORE_E_IO;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
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
	sqlite3_stmt *s = store_stmt(st, sql, err);
	const struct store_counters *v = c ? c : &none;
	const uint64_t n[] = {
		v->events, v->login_failures, v->login_successes,
		v->invalid_users, v->pam_failures, v->privileged, v->requests,
		v->http_4xx, v->http_5xx, v->ids_alerts, v->distinct_users,
		v->distinct_sources,
	};

	if (!s)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, entity_id);
	sqlite3_bind_int(s, 3, c != NULL);
	for (size_t i = 0; i < CORE_ARRAY_LEN(n); i++)
		sqlite3_bind_int64(s, 4 + (int)i, u64(n[i]));
	sqlite3_bind_int64(s, 16, ts_of(v->first_seen));
	sqlite3_bind_int64(s, 17, ts_of(v->last_seen));
	return store_step_done(st, s, "adding entity counters", err);
}

static int link_alert_entities(struct store *st, int64_t alert_id,
			       const struct store_alert *a,
			       struct core_error *err)
{
	static const char sql[] = "INSERT OR IGNORE INTO alert_entities "
		"(alert_id, entity_id) VALUES (?1, ?2)";

	for (size_t i = 0; i < a->nentities; i++) {
		sqlite3_stmt *s = store_stmt(st, sql, err);

		if (!s)
			return CORE_E_IO;
		sqlite3_bind_int64(s, 1, alert_id);
		sqlite3_bind_int64(s, 2, a->entities[i]);
		if (store_step_done(st, s, "linking an alert", err) != 0)
			return err ? err->code : CORE_E_IO;
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
	sqlite3_stmt *s = store_stmt(st, sql, err);
	int64_t aid;

	if (!s)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, a->run_id);
	store_bind_ref(s, 2, a->incident_id);
	store_bind_cstr(s, 3, a->rule_id);
	store_bind_cstr(s, 4, a->rule_title);
	store_bind_cstr(s, 5, a->level);
	sqlite3_bind_int64(s, 6, u64(a->raised));
	sqlite3_bind_int64(s, 7, u64(a->events));
	sqlite3_bind_int64(s, 8, u64(a->distinct));
	sqlite3_bind_int64(s, 9, ts_of(a->ts_first));
	sqlite3_bind_int64(s, 10, ts_of(a->ts_last));
	store_bind_str(s, 11, a->group.len ? a->group : CORE_STR("{}"));
	if (store_step_done(st, s, "adding an alert", err) != 0)
		return err ? err->code : CORE_E_IO;
	aid = sqlite3_last_insert_rowid(st->db);
	if (id)
		*id = aid;
	return link_alert_entities(st, aid, a, err);
}

int store_event_ref_add(struct store *st, const struct store_event_ref *r,
			int64_t *id, struct core_error *err)
{
	static const char sql[] = "INSERT INTO event_refs (run_id, alert_id, "
		"file, line, ts, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	sqlite3_stmt *s = store_stmt(st, sql, err);

	if (!s)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, r->run_id);
	store_bind_ref(s, 2, r->alert_id);
	store_bind_cstr(s, 3, r->file);
	sqlite3_bind_int64(s, 4, u64(r->line));
	sqlite3_bind_int64(s, 5, ts_of(r->ts));
	store_bind_str(s, 6, r->text);
	if (store_step_done(st, s, "adding an event reference", err) != 0)
		return err ? err->code : CORE_E_IO;
	if (id)
		*id = sqlite3_last_insert_rowid(st->db);
	return 0;
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
	sqlite3_stmt *s = store_stmt(st, sql, err);

	if (!s)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, inc->run_id);
	sqlite3_bind_int64(s, 2, inc->rank);
	store_bind_str(s, 3, inc->fingerprint);
	store_bind_str(s, 4, inc->title);
	sqlite3_bind_int64(s, 5, inc->score);
	store_bind_cstr(s, 6, inc->severity);
	sqlite3_bind_int64(s, 7, ts_of(inc->ts_first));
	sqlite3_bind_int64(s, 8, ts_of(inc->ts_last));
	sqlite3_bind_int64(s, 9, u64(inc->alerts));
	sqlite3_bind_int64(s, 10, u64(inc->records));
	sqlite3_bind_int64(s, 11, u64(inc->events));
	store_bind_str(s, 12, inc->tactics.len ? inc->tactics : CORE_STR("[]"));
	store_bind_str(s, 13, inc->techniques.len ? inc->techniques :
		       CORE_STR("[]"));
	store_bind_str(s, 14, inc->score_parts.len ? inc->score_parts :
		       CORE_STR("{}"));
	store_bind_str(s, 15, inc->explanation);
	sqlite3_bind_int64(s, 16, inc->created ? inc->created :
			   core_time_now());
	if (store_step_done(st, s, "adding an incident", err) != 0)
		return err ? err->code : CORE_E_IO;
	if (id)
		*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_incident_entity(struct store *st, int64_t incident_id,
			  int64_t entity_id, unsigned rank,
			  struct core_error *err)
{
	static const char sql[] = "INSERT OR IGNORE INTO incident_entities "
		"(incident_id, entity_id, rank) VALUES (?1, ?2, ?3)";
	sqlite3_stmt *s = store_stmt(st, sql, err);

	if (!s)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, incident_id);
	sqlite3_bind_int64(s, 2, entity_id);
	sqlite3_bind_int64(s, 3, rank);
	return store_step_done(st, s, "linking an entity", err);
}

int store_evidence_add(struct store *st, const struct store_evidence *e,
		       struct core_error *err)
{
	static const char sql[] = "INSERT INTO evidence (incident_id, rank, "
		"event_ref_id, alert_id, file, line, ts, text, rule_id, "
		"rule_title) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	sqlite3_stmt *s = store_stmt(st, sql, err);

	if (!s)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, e->incident_id);
	sqlite3_bind_int64(s, 2, e->rank);
	store_bind_ref(s, 3, e->event_ref_id);
	store_bind_ref(s, 4, e->alert_id);
	store_bind_cstr(s, 5, e->file);
	sqlite3_bind_int64(s, 6, u64(e->line));
	sqlite3_bind_int64(s, 7, ts_of(e->ts));
	store_bind_str(s, 8, e->text);
	store_bind_cstr(s, 9, e->rule_id);
	store_bind_cstr(s, 10, e->rule_title);
	return store_step_done(st, s, "adding evidence", err);
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

int store_incident_each(struct store *st, int64_t after_id, size_t limit,
			store_incident_fn fn, void *ud,
			struct core_error *err)
{
	static const char sql[] = "SELECT " INCIDENT_COLS
		" FROM incidents WHERE id > ?1 ORDER BY id LIMIT ?2";
	struct store_incident inc;
	sqlite3_stmt *s;
	int rc, stop = 0;

	if (store_prepare(st, sql, &s, err) != 0)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, after_id);
	sqlite3_bind_int64(s, 2, limit ? u64(limit) : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_incident(s, &inc);
		if ((stop = fn(&inc, ud)) != 0)
			break;
	}
	if (stop == 0 && rc != SQLITE_DONE)
		stop = store_sqlfail(st, err, "reading incidents");
	sqlite3_finalize(s);
	return stop;
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
	sqlite3_stmt *s;

	if (!b->type || !*b->type || !b->counter || !*b->counter ||
	    b->ntop > STORE_BASELINE_TOP)
		return core_fail(err, CORE_E_INVAL, st->path, 0,
				 "a baseline needs a type, a counter and at "
				 "most %d top values", STORE_BASELINE_TOP);
	s = store_stmt(st, sql, err);
	if (!s)
		return CORE_E_IO;
	sqlite3_bind_int64(s, 1, run_id);
	store_bind_cstr(s, 2, b->type);
	store_bind_cstr(s, 3, b->counter);
	sqlite3_bind_int64(s, 4, u64(b->population));
	sqlite3_bind_int64(s, 5, u64(b->nonzero));
	sqlite3_bind_double(s, 6, isfinite(b->mean) ? b->mean : 0);
	sqlite3_bind_double(s, 7, isfinite(b->variance) ? b->variance : 0);
	sqlite3_bind_int64(s, 8, u64(b->max));
	sqlite3_bind_int64(s, 9, u64(b->p50));
	sqlite3_bind_int64(s, 10, u64(b->p90));
	sqlite3_bind_int64(s, 11, u64(b->p99));
	int_array(hist, sizeof(hist), b->bins, STORE_BASELINE_BINS);
	int_array(top, sizeof(top), b->top, b->ntop);
	store_bind_cstr(s, 12, hist);
	store_bind_cstr(s, 13, top);
	return store_step_done(st, s, "adding a baseline", err);
}
