/*
 * query.c: the read-only investigation tools, for the analyst's commands
 * and for a model's tool calls alike.
 *
 * Each query writes one JSON document.  Model tools need hard bounds, so
 * every list has a row limit (capped at STORE_QUERY_MAX_ROWS), every text
 * field is cut to a quarter of the byte budget, and a row that would take
 * the document past the budget is taken back out; "truncated" tells the
 * reader that rows were left out.  The document is built in a scratch
 * buffer and appended to the caller's only when whole.
 *
 * Columns that hold JSON are passed through SQLite's json() so that what
 * is printed is valid JSON whatever was stored; a column that is not
 * valid JSON comes out as a string.
 */
#include "store/store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_ROWS 50
#define SCRATCH_SLACK (256u << 10)
#define MAX_MATCHES 8		/* entities of different types, one value */

/* A document under construction. */
struct doc {
	struct store *st;
	struct core_buf b;
	size_t budget;
	size_t field_max;
	size_t rows;			/* row limit per list */
	bool truncated;
	int rc;				/* first buffer failure */
};

static void doc_init(struct doc *d, struct store *st,
		     const struct store_query *q)
{
	size_t budget = q && q->max_bytes ? q->max_bytes :
		STORE_QUERY_DEFAULT_BYTES;
	size_t rows = q && q->limit ? q->limit : DEFAULT_ROWS;

	memset(d, 0, sizeof(*d));
	d->st = st;
	d->budget = budget;
	d->field_max = CORE_MAX(budget / 4, 256);
	d->rows = CORE_MIN(rows, STORE_QUERY_MAX_ROWS);
	core_buf_init(&d->b, budget + SCRATCH_SLACK + d->field_max * 6);
}

/* Appends the finished document to out; frees the scratch buffer. */
static int doc_finish(struct doc *d, struct core_buf *out,
		      struct core_error *err)
{
	int rc = d->rc;

	if (rc == 0)
		rc = core_buf_add(out, d->b.p, d->b.len);
	core_buf_free(&d->b);
	if (rc != 0)
		return core_fail(err, rc, d->st->path, 0,
				 "query result does not fit: %s",
				 core_strerror(rc));
	return 0;
}

static void raw(struct doc *d, const char *s)
{
	if (d->rc == 0)
		d->rc = core_buf_add(&d->b, s, strlen(s));
}

static void fmt_int(struct doc *d, const char *key, int64_t v)
{
	if (d->rc == 0)
		d->rc = core_buf_printf(&d->b, "\"%s\":%lld,", key,
					(long long)v);
}

static void fmt_real(struct doc *d, const char *key, double v)
{
	if (d->rc == 0)
		d->rc = isfinite(v) ?
			core_buf_printf(&d->b, "\"%s\":%.4g,", key, v) :
			core_buf_printf(&d->b, "\"%s\":null,", key);
}

static void fmt_str(struct doc *d, const char *key, struct core_str v)
{
	size_t n = CORE_MIN(v.len, d->field_max);

	if (d->rc == 0)
		d->rc = core_buf_printf(&d->b, "\"%s\":\"", key);
	if (d->rc == 0)
		d->rc = core_buf_add_json(&d->b, v.p ? v.p : "", n);
	if (d->rc == 0 && n < v.len)
		d->rc = core_buf_add(&d->b, "\\u2026", 6);
	raw(d, "\",");
	if (n < v.len)
		d->truncated = true;
}

static void fmt_cstr(struct doc *d, const char *key, const char *v)
{
	fmt_str(d, key, core_str_make(v ? v : "", v ? strlen(v) : 0));
}

static void fmt_col(struct doc *d, const char *key, sqlite3_stmt *s, int i)
{
	fmt_str(d, key, store_col_str(s, i));
}

/* A time column: RFC 3339, or null when unknown (0). */
static void fmt_ts(struct doc *d, const char *key, int64_t ts)
{
	char t[40];

	if (ts == 0) {
		if (d->rc == 0)
			d->rc = core_buf_printf(&d->b, "\"%s\":null,", key);
		return;
	}
	core_time_format(ts, t, sizeof(t));
	if (d->rc == 0)
		d->rc = core_buf_printf(&d->b, "\"%s\":\"%s\",", key, t);
}

/* A column read through json(): printed as is, else as a string. */
static void fmt_json(struct doc *d, const char *key, sqlite3_stmt *s, int i)
{
	struct core_str v = store_col_str(s, i);

	if (sqlite3_column_type(s, i) == SQLITE_NULL || v.len == 0 ||
	    v.len > d->field_max) {
		raw(d, "\"");
		raw(d, key);
		raw(d, "\":null,");
		if (v.len > d->field_max)
			d->truncated = true;
		return;
	}
	if (d->rc == 0)
		d->rc = core_buf_printf(&d->b, "\"%s\":", key);
	if (d->rc == 0)
		d->rc = core_buf_add(&d->b, v.p, v.len);
	raw(d, ",");
}

/* Replaces a trailing comma by the closing bracket c. */
static void close_with(struct doc *d, char c)
{
	if (d->rc != 0)
		return;
	if (d->b.len && d->b.p[d->b.len - 1] == ',')
		d->b.p[d->b.len - 1] = c;
	else
		d->rc = core_buf_addc(&d->b, c);
	if (d->rc == 0)
		d->rc = core_buf_addc(&d->b, ',');
}

/*
 * Row bracketing: row_begin() remembers where the row started; row_end()
 * takes it back out and reports false when it crossed the budget.
 */
static size_t row_begin(struct doc *d)
{
	raw(d, "{");
	return d->b.len - 1;
}

static bool row_end(struct doc *d, size_t mark)
{
	close_with(d, '}');
	if (d->rc == 0 && d->b.len <= d->budget)
		return true;
	if (d->rc == 0) {
		d->b.len = mark;
		d->truncated = true;
	}
	return false;
}

/* Steps s and writes each row with fn, at most d->rows of them. */
static int list(struct doc *d, const char *key, sqlite3_stmt *s,
		void (*fn)(struct doc *, sqlite3_stmt *))
{
	size_t n = 0;
	int rc;

	if (d->rc == 0)
		d->rc = core_buf_printf(&d->b, "\"%s\":[", key);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		size_t mark;

		if (n == d->rows) {
			d->truncated = true;
			break;
		}
		mark = row_begin(d);
		fn(d, s);
		if (!row_end(d, mark))
			break;
		n++;
	}
	close_with(d, ']');
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = store_sqlfail(d->st, NULL, "query");
	else
		rc = 0;
	sqlite3_finalize(s);
	return rc ? CORE_E_IO : 0;
}

/* Prepares sql, binds (i64 a, i64 b) where the statement has them. */
static sqlite3_stmt *prep2(struct doc *d, const char *sql, int64_t a,
			   int64_t b)
{
	sqlite3_stmt *s;

	if (store_prepare(d->st, sql, &s, NULL) != 0) {
		d->rc = CORE_E_IO;
		return NULL;
	}
	if (sqlite3_bind_parameter_count(s) >= 1)
		sqlite3_bind_int64(s, 1, a);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, b);
	return s;
}

static int sublist(struct doc *d, const char *key, const char *sql,
		   int64_t a, int64_t b,
		   void (*fn)(struct doc *, sqlite3_stmt *))
{
	sqlite3_stmt *s = prep2(d, sql, a, b);

	if (!s)
		return CORE_E_IO;
	return list(d, key, s, fn);
}

static void end_doc(struct doc *d)
{
	if (d->rc == 0)
		d->rc = core_buf_printf(&d->b, "\"truncated\":%s",
					d->truncated ? "true" : "false");
	raw(d, "}");
}

/* ------------------------------------------------------- row writers */

/* How a column is written: under key, read as kind. */
enum col_kind { C_INT, C_REAL, C_TEXT, C_TS, C_JSON };

struct col {
	const char *key;
	enum col_kind kind;
};

/* Writes columns 0..n of s, as cols says. */
static void write_cols(struct doc *d, sqlite3_stmt *s, const struct col *cols,
		       size_t n)
{
	for (size_t k = 0; k < n; k++) {
		int i = (int)k;

		switch (cols[k].kind) {
		case C_INT:
			fmt_int(d, cols[k].key, sqlite3_column_int64(s, i));
			break;
		case C_REAL:
			fmt_real(d, cols[k].key, sqlite3_column_double(s, i));
			break;
		case C_TEXT:
			fmt_col(d, cols[k].key, s, i);
			break;
		case C_TS:
			fmt_ts(d, cols[k].key, sqlite3_column_int64(s, i));
			break;
		case C_JSON:
			fmt_json(d, cols[k].key, s, i);
			break;
		}
	}
}

/* A row writer for list(): the columns of the table cols, in order. */
#define ROW_WRITER(name, cols) \
	static void name(struct doc *d, sqlite3_stmt *s) \
	{ \
		write_cols(d, s, cols, CORE_ARRAY_LEN(cols)); \
	}

/* The counter columns, prefixed with the table alias c. */
#define COUNTER_COLS "c.events, c.login_failures, c.login_successes, " \
	"c.invalid_users, c.pam_failures, c.privileged, c.requests, " \
	"c.http_4xx, c.http_5xx, c.ids_alerts, c.distinct_users, " \
	"c.distinct_sources"

static const char *const counter_names[] = {
	"events", "login_failures", "login_successes", "invalid_users",
	"pam_failures", "privileged", "requests", "http_4xx", "http_5xx",
	"ids_alerts", "distinct_users", "distinct_sources",
};
#define NCOUNTERS 12

_Static_assert(CORE_ARRAY_LEN(counter_names) == NCOUNTERS, "counters");

/* Counters from column `first` on, printed only when non-zero. */
static void counters_at(struct doc *d, sqlite3_stmt *s, int first)
{
	for (int i = 0; i < NCOUNTERS; i++) {
		int64_t v = sqlite3_column_int64(s, first + i);

		if (v)
			fmt_int(d, counter_names[i], v);
	}
}

static void row_entity(struct doc *d, sqlite3_stmt *s)
{
	fmt_col(d, "type", s, 0);
	fmt_col(d, "value", s, 1);
	fmt_int(d, "rank", sqlite3_column_int64(s, 2));
	if (sqlite3_column_int(s, 3))
		counters_at(d, s, 4);
	fmt_ts(d, "first_seen", sqlite3_column_int64(s, 16));
	fmt_ts(d, "last_seen", sqlite3_column_int64(s, 17));
}

static const struct col evidence_cols[] = {
	{ "rank", C_INT }, { "file", C_TEXT }, { "line", C_INT },
	{ "ts", C_TS }, { "text", C_TEXT }, { "rule_id", C_TEXT },
	{ "rule_title", C_TEXT },
};
ROW_WRITER(row_evidence, evidence_cols)

static const struct col alert_cols[] = {
	{ "id", C_INT }, { "run_id", C_INT }, { "incident_id", C_INT },
	{ "rule_id", C_TEXT }, { "rule_title", C_TEXT }, { "level", C_TEXT },
	{ "raised", C_INT }, { "events", C_INT }, { "ts_first", C_TS },
	{ "ts_last", C_TS }, { "group", C_JSON }, { "entities", C_JSON },
};
ROW_WRITER(row_alert, alert_cols)

static const struct col trace_cols[] = {
	{ "id", C_INT }, { "producer", C_TEXT }, { "model", C_TEXT },
	{ "started", C_TS }, { "duration_us", C_INT },
	{ "prompt_tokens", C_INT }, { "completion_tokens", C_INT },
	{ "steps", C_INT }, { "status", C_TEXT }, { "prompt", C_TEXT },
	{ "tool_calls", C_JSON }, { "answer", C_TEXT }, { "messages", C_JSON },
};
ROW_WRITER(row_trace, trace_cols)

static const struct col verdict_cols[] = {
	{ "id", C_INT }, { "trace_id", C_INT }, { "producer", C_TEXT },
	{ "verdict", C_TEXT }, { "confidence", C_REAL },
	{ "score_delta", C_INT }, { "explanation", C_TEXT },
	{ "evidence", C_JSON }, { "actions", C_JSON }, { "created", C_TS },
};
ROW_WRITER(row_verdict, verdict_cols)

static const struct col feedback_cols[] = {
	{ "id", C_INT }, { "verdict", C_TEXT }, { "analyst", C_TEXT },
	{ "note", C_TEXT }, { "created", C_TS },
};
ROW_WRITER(row_feedback, feedback_cols)

/* ---------------------------------------------------------- incident */

static const char q_inc[] = "SELECT id, run_id, rank, title, score, "
	"severity, ts_first, ts_last, alerts, records, events, "
	"json(tactics), json(techniques), json(score_parts), explanation, "
	"created, fingerprint, (SELECT max(p.id) FROM incidents p WHERE "
	"p.fingerprint = i.fingerprint AND p.id < i.id) "
	"FROM incidents i WHERE id = ?1";

static const char q_inc_ent[] = "SELECT e.type, e.value, ie.rank, "
	"coalesce(c.observed, 0), " COUNTER_COLS ", "
	"coalesce(c.first_seen, 0), coalesce(c.last_seen, 0) "
	"FROM incident_entities ie JOIN entities e ON e.id = ie.entity_id "
	"JOIN incidents i ON i.id = ie.incident_id "
	"LEFT JOIN entity_counters c ON c.entity_id = e.id AND "
	"c.run_id = i.run_id WHERE ie.incident_id = ?1 ORDER BY ie.rank";

static const char q_inc_evidence[] = "SELECT rank, file, line, ts, text, "
	"rule_id, rule_title FROM evidence WHERE incident_id = ?1 "
	"ORDER BY rank";

/* An alert record with the entities it names, as a JSON array. */
#define ALERT_COLS "a.id, a.run_id, coalesce(a.incident_id, 0), a.rule_id, " \
	"a.rule_title, a.level, a.raised, a.events, a.ts_first, a.ts_last, " \
	"json(a.grp), (SELECT json_group_array(json_object('type', x.type, " \
	"'value', x.value)) FROM alert_entities y JOIN entities x ON " \
	"x.id = y.entity_id WHERE y.alert_id = a.id)"

static const char q_inc_alerts[] = "SELECT " ALERT_COLS " FROM alerts a "
	"WHERE a.incident_id = ?1 ORDER BY a.ts_first, a.id";

static const char q_inc_traces[] = "SELECT id, producer, model, started, "
	"duration_us, prompt_tokens, completion_tokens, steps, status, "
	"prompt, CASE WHEN json_valid(tool_calls) THEN json(tool_calls) END, "
	"answer, CASE WHEN json_valid(messages) THEN json(messages) END "
	"FROM triage_traces WHERE incident_id = ?1 ORDER BY id";

static const char q_inc_verdicts[] = "SELECT id, coalesce(trace_id, 0), "
	"producer, verdict, confidence, score_delta, explanation, "
	"CASE WHEN json_valid(evidence) THEN json(evidence) END, "
	"CASE WHEN json_valid(actions) THEN json(actions) END, created "
	"FROM verdicts WHERE incident_id = ?1 ORDER BY id";

static const char q_inc_feedback[] = "SELECT id, verdict, analyst, note, "
	"created FROM feedback WHERE incident_id = ?1 ORDER BY id";

static const struct col incident_head_cols[] = {
	{ "id", C_INT }, { "run_id", C_INT }, { "rank", C_INT },
	{ "title", C_TEXT }, { "score", C_INT }, { "severity", C_TEXT },
	{ "ts_first", C_TS }, { "ts_last", C_TS }, { "alerts", C_INT },
	{ "records", C_INT }, { "events", C_INT }, { "tactics", C_JSON },
	{ "techniques", C_JSON }, { "score_parts", C_JSON },
	{ "explanation", C_TEXT }, { "stored", C_TS },
	{ "fingerprint", C_TEXT }, { "previous_id", C_INT },
};
ROW_WRITER(incident_head, incident_head_cols)

int store_query_incident(struct store *st, int64_t id,
			 const struct store_query *q, struct core_buf *out,
			 struct core_error *err)
{
	static const char *const keys[] = {
		"entities", "evidence", "alert_records", "traces",
		"verdicts", "feedback",
	};
	static const char *const sqls[] = {
		q_inc_ent, q_inc_evidence, q_inc_alerts, q_inc_traces,
		q_inc_verdicts, q_inc_feedback,
	};
	static void (*const rows[])(struct doc *, sqlite3_stmt *) = {
		row_entity, row_evidence, row_alert, row_trace, row_verdict,
		row_feedback,
	};
	struct doc d;
	sqlite3_stmt *s;
	int rc;

	doc_init(&d, st, q);
	s = prep2(&d, q_inc, id, 0);
	if (!s)
		goto fail;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		core_buf_free(&d.b);
		if (rc == SQLITE_DONE)
			return core_fail(err, CORE_E_NOTFOUND, st->path, 0,
					 "no incident %lld in the store",
					 (long long)id);
		return store_sqlfail(st, err, "reading an incident");
	}
	raw(&d, "{");
	incident_head(&d, s);
	sqlite3_finalize(s);
	for (size_t i = 0; i < CORE_ARRAY_LEN(keys); i++)
		if (sublist(&d, keys[i], sqls[i], id, 0, rows[i]) != 0)
			goto fail;
	end_doc(&d);
	return doc_finish(&d, out, err);

fail:
	core_buf_free(&d.b);
	return store_sqlfail(st, err, "reading an incident");
}

/* ------------------------------------------------------------ entity */

/* Entity ids matching (type, value); type NULL or "" matches any. */
static size_t match_entities(struct store *st, const struct store_query *q,
			     int64_t *ids, size_t max,
			     struct core_error *err)
{
	static const char sql[] = "SELECT id FROM entities WHERE value = ?1 "
		"AND (?2 = '' OR type = ?2) ORDER BY id LIMIT ?3";
	sqlite3_stmt *s;
	size_t n = 0;

	if (store_prepare(st, sql, &s, err) != 0)
		return 0;
	store_bind_str(s, 1, q->value);
	store_bind_cstr(s, 2, q->type);
	sqlite3_bind_int64(s, 3, (int64_t)max);
	while (n < max && sqlite3_step(s) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/*
 * The incidents of entity ?1: those that list it among their entities,
 * and those whose alert records name it.  An incident stores only its
 * strongest entities (INCIDENT_MAX_SHOWN_ENTITIES), so a user behind a
 * brute force from hundreds of addresses is named by its alerts alone.
 */
#define ENT_INCIDENT_IDS(e) "SELECT ie.incident_id FROM incident_entities " \
	"ie WHERE ie.entity_id = " e " UNION SELECT a.incident_id FROM " \
	"alerts a JOIN alert_entities y ON y.alert_id = a.id WHERE " \
	"y.entity_id = " e " AND a.incident_id > 0"

static const char q_ent_head[] = "SELECT e.type, e.value, "
	"(SELECT count(*) FROM entity_counters c WHERE c.entity_id = e.id), "
	"(SELECT min(v) FROM (SELECT first_seen AS v FROM entity_counters "
	"  WHERE entity_id = e.id AND first_seen > 0 UNION ALL "
	"  SELECT a.ts_first FROM alerts a JOIN alert_entities y ON "
	"  y.alert_id = a.id WHERE y.entity_id = e.id AND a.ts_first > 0)), "
	"(SELECT max(v) FROM (SELECT last_seen AS v FROM entity_counters "
	"  WHERE entity_id = e.id UNION ALL "
	"  SELECT a.ts_last FROM alerts a JOIN alert_entities y ON "
	"  y.alert_id = a.id WHERE y.entity_id = e.id)), "
	"(SELECT count(*) FROM alert_entities y WHERE y.entity_id = e.id), "
	"(SELECT count(*) FROM (" ENT_INCIDENT_IDS("e.id") ")) "
	"FROM entities e WHERE e.id = ?1";

static const char q_ent_runs[] = "SELECT c.run_id, r.started, c.observed, "
	COUNTER_COLS ", c.first_seen, c.last_seen FROM entity_counters c "
	"JOIN runs r ON r.id = c.run_id WHERE c.entity_id = ?1 "
	"ORDER BY c.run_id DESC";

static const char q_ent_incidents[] = "SELECT i.id, i.run_id, i.rank, "
	"i.title, i.score, i.severity, i.ts_first, i.ts_last, "
	"(SELECT f.verdict FROM feedback f WHERE f.incident_id = i.id "
	"  ORDER BY f.id DESC LIMIT 1), "
	"(SELECT v.verdict FROM verdicts v WHERE v.incident_id = i.id "
	"  ORDER BY v.id DESC LIMIT 1) "
	"FROM incidents i WHERE i.id IN (" ENT_INCIDENT_IDS("?1") ") "
	"ORDER BY i.ts_first, i.id";

static const char q_ent_alerts[] = "SELECT " ALERT_COLS " FROM alerts a "
	"JOIN alert_entities y ON y.alert_id = a.id WHERE y.entity_id = ?1 "
	"ORDER BY a.ts_first, a.id";

/*
 * Peers: entities named by the same alert records.  partners counts the
 * entities of our type the peer shares records with; 1 means the pair is
 * rare (the peer was seen with this entity only).
 */
static const char q_ent_peers[] = "SELECT p.type, p.value, "
	"count(DISTINCT y.alert_id), "
	"count(DISTINCT a.incident_id), "
	"(SELECT count(DISTINCT z2.entity_id) FROM alert_entities z1 "
	"  JOIN alert_entities z2 ON z2.alert_id = z1.alert_id "
	"  JOIN entities o ON o.id = z2.entity_id "
	"  WHERE z1.entity_id = p.id AND o.type = "
	"  (SELECT type FROM entities WHERE id = ?1)) "
	"FROM alert_entities x JOIN alert_entities y ON "
	"y.alert_id = x.alert_id AND y.entity_id <> x.entity_id "
	"JOIN entities p ON p.id = y.entity_id "
	"JOIN alerts a ON a.id = y.alert_id "
	"WHERE x.entity_id = ?1 GROUP BY p.id "
	"ORDER BY count(DISTINCT y.alert_id) DESC, p.type, p.value";

static const char q_ent_rules[] = "SELECT a.rule_id, a.rule_title, "
	"a.level, count(*), sum(a.raised), sum(a.events), min(a.ts_first), "
	"max(a.ts_last) FROM alerts a JOIN alert_entities y ON "
	"y.alert_id = a.id WHERE y.entity_id = ?1 GROUP BY a.rule_id "
	"ORDER BY sum(a.raised) DESC";

static void row_ent_run(struct doc *d, sqlite3_stmt *s)
{
	fmt_int(d, "run_id", sqlite3_column_int64(s, 0));
	fmt_ts(d, "run_started", sqlite3_column_int64(s, 1));
	raw(d, sqlite3_column_int(s, 2) ? "\"observed\":true," :
	    "\"observed\":false,");
	counters_at(d, s, 3);
	fmt_ts(d, "first_seen", sqlite3_column_int64(s, 15));
	fmt_ts(d, "last_seen", sqlite3_column_int64(s, 16));
}

static void row_ent_incident(struct doc *d, sqlite3_stmt *s)
{
	fmt_int(d, "id", sqlite3_column_int64(s, 0));
	fmt_int(d, "run_id", sqlite3_column_int64(s, 1));
	fmt_int(d, "rank", sqlite3_column_int64(s, 2));
	fmt_col(d, "title", s, 3);
	fmt_int(d, "score", sqlite3_column_int64(s, 4));
	fmt_col(d, "severity", s, 5);
	fmt_ts(d, "ts_first", sqlite3_column_int64(s, 6));
	fmt_ts(d, "ts_last", sqlite3_column_int64(s, 7));
	if (sqlite3_column_type(s, 8) != SQLITE_NULL)
		fmt_col(d, "analyst_verdict", s, 8);
	if (sqlite3_column_type(s, 9) != SQLITE_NULL)
		fmt_col(d, "triage_verdict", s, 9);
}

static void row_peer(struct doc *d, sqlite3_stmt *s)
{
	fmt_col(d, "type", s, 0);
	fmt_col(d, "value", s, 1);
	fmt_int(d, "shared_alerts", sqlite3_column_int64(s, 2));
	fmt_int(d, "shared_incidents", sqlite3_column_int64(s, 3));
	fmt_int(d, "partners", sqlite3_column_int64(s, 4));
	raw(d, sqlite3_column_int64(s, 4) == 1 ? "\"rare_pair\":true," :
	    "\"rare_pair\":false,");
}

static const struct col rule_brief_cols[] = {
	{ "rule_id", C_TEXT }, { "rule_title", C_TEXT }, { "level", C_TEXT },
	{ "records", C_INT }, { "raised", C_INT }, { "events", C_INT },
	{ "ts_first", C_TS }, { "ts_last", C_TS },
};
ROW_WRITER(row_rule_brief, rule_brief_cols)

/*
 * How unusual the entity is in the latest run that counted it.  The
 * reference is every entity of its type that run observed, summarised
 * in entity_baselines by `vigil analyze --store`: for each counter the
 * entity's rank (1: highest; exact among the largest values kept, else
 * estimated), the population's mean, standard deviation and quantiles,
 * the z-score and the percentile (share of entities at or below it,
 * below it plus half of those equal, interpolated within its log2 bin).
 * "extreme" marks a counter above the population's 99th percentile and
 * at least three standard deviations above its mean (docs/store.md).
 * Runs stored before baselines existed fall back to the entities the
 * store holds.
 */
static const char q_population[] = "SELECT c.entity_id, " COUNTER_COLS
	" FROM entity_counters c JOIN entities e ON e.id = c.entity_id "
	"WHERE c.run_id = ?2 AND c.observed = 1 AND e.type = "
	"(SELECT type FROM entities WHERE id = ?1)";

static const char q_latest_run[] = "SELECT max(run_id) FROM "
	"entity_counters WHERE entity_id = ?1 AND observed = 1";

static const char q_mine[] = "SELECT c.entity_id, " COUNTER_COLS ", "
	"CASE e.type WHEN 'user.target.name' THEN 'user.name' ELSE e.type "
	"END FROM entity_counters c JOIN entities e ON e.id = c.entity_id "
	"WHERE c.entity_id = ?1 AND c.run_id = ?2";

static const char q_baseline[] = "SELECT counter, population, nonzero, "
	"mean, variance, max, p50, p90, p99, histogram, top "
	"FROM entity_baselines WHERE run_id = ?1 AND type = ?2";

struct pop {
	double sum[NCOUNTERS], sumsq[NCOUNTERS];
	int64_t mine[NCOUNTERS];
	uint64_t above[NCOUNTERS], at_or_below[NCOUNTERS];
	uint64_t n;
	bool found;
};

static void pop_scan(sqlite3_stmt *s, int64_t id, struct pop *p)
{
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (sqlite3_column_int64(s, 0) == id) {
			p->found = true;
			for (int i = 0; i < NCOUNTERS; i++)
				p->mine[i] = sqlite3_column_int64(s, 1 + i);
		}
		p->n++;
		for (int i = 0; i < NCOUNTERS; i++) {
			double v = (double)sqlite3_column_int64(s, 1 + i);

			p->sum[i] += v;
			p->sumsq[i] += v * v;
		}
	}
	sqlite3_reset(s);
	/* Second pass for ranks, now that our own values are known. */
	while (p->found && sqlite3_step(s) == SQLITE_ROW) {
		for (int i = 0; i < NCOUNTERS; i++) {
			int64_t v = sqlite3_column_int64(s, 1 + i);

			if (v > p->mine[i])
				p->above[i]++;
			else
				p->at_or_below[i]++;
		}
	}
}

static void pop_metric(struct doc *d, const struct pop *p, int i)
{
	double mean = p->sum[i] / (double)p->n;
	double var = p->sumsq[i] / (double)p->n - mean * mean;
	double sd = var > 0 ? sqrt(var) : 0;
	size_t mark = row_begin(d);

	fmt_cstr(d, "counter", counter_names[i]);
	fmt_int(d, "value", p->mine[i]);
	fmt_int(d, "rank", (int64_t)p->above[i] + 1);
	fmt_real(d, "mean", mean);
	fmt_real(d, "stddev", sd);
	fmt_real(d, "z", sd > 0 ? ((double)p->mine[i] - mean) / sd : 0);
	fmt_real(d, "percentile",
		 100.0 * (double)p->at_or_below[i] / (double)p->n);
	row_end(d, mark);
}

/* The old reference: the stored entities of the type in that run. */
static void unusual_stored(struct doc *d, int64_t id, int64_t run)
{
	sqlite3_stmt *s;
	struct pop p = { 0 };

	if (run > 0 && (s = prep2(d, q_population, id, run)) != NULL) {
		pop_scan(s, id, &p);
		sqlite3_finalize(s);
	}
	raw(d, "\"basis\":\"stored entities\",");
	fmt_int(d, "population", (int64_t)p.n);
	raw(d, "\"counters\":[");
	for (int i = 0; p.found && i < NCOUNTERS; i++)
		if (p.mine[i] != 0 || p.sum[i] != 0)
			pop_metric(d, &p, i);
	close_with(d, ']');
}

/* One counter's baseline, as stored. */
struct base {
	uint64_t pop, nonzero, max, q[3];	/* q: p50, p90, p99 */
	double mean, var;
	uint64_t bins[STORE_BASELINE_BINS];
	unsigned ntop;
	uint64_t top[STORE_BASELINE_TOP];
};

/* Reads a JSON array of integers (as store_baseline_add wrote it). */
static unsigned int_list(const char *p, uint64_t *out, unsigned max)
{
	unsigned n = 0;

	while (p && *p && n < max) {
		char *end;
		unsigned long long v;

		while (*p && (*p < '0' || *p > '9'))
			p++;
		if (!*p)
			break;
		v = strtoull(p, &end, 10);
		out[n++] = v;
		p = end;
	}
	return n;
}

static unsigned bin_of(uint64_t v)
{
	return v ? 64u - (unsigned)__builtin_clzll(v) : 0;
}

/*
 * Share of the population below v plus `equal` times the share equal to
 * it, in percent.  With equal 0.5 it is the mid-rank percentile (an
 * entity among many with the same value sits in their middle, not at
 * their top); with 1, the share at or below v.
 */
static double base_share(const struct base *b, uint64_t v, double equal)
{
	unsigned k = bin_of(v);
	double below = 0, lo, hi, f;

	if (!b->pop)
		return 0;
	if (v > b->max)
		return 100;
	for (unsigned i = 0; i < k; i++)
		below += (double)b->bins[i];
	if (k <= 1)
		return 100.0 * (below + equal * (double)b->bins[k]) /
		       (double)b->pop;
	lo = (double)(1ULL << (k - 1));
	hi = k < 64 ? (double)(1ULL << k) - 1 : (double)UINT64_MAX;
	hi = hi > (double)b->max ? (double)b->max : hi;
	f = hi > lo ? ((double)v - lo + equal) / (hi - lo + 1) : equal;
	return 100.0 * (below + f * (double)b->bins[k]) / (double)b->pop;
}

/* Entities with a larger value: exact within the kept largest values. */
static uint64_t base_above(const struct base *b, uint64_t v, bool *exact)
{
	uint64_t n = 0;
	double est;

	*exact = b->ntop && (b->pop <= b->ntop ||
			     v >= b->top[b->ntop - 1]);
	if (*exact) {
		for (unsigned i = 0; i < b->ntop; i++)
			n += b->top[i] > v;
		return n;
	}
	est = (double)b->pop * (1 - base_share(b, v, 1) / 100);
	return est > (double)b->ntop ? (uint64_t)(est + 0.5) : b->ntop;
}

static void base_read(sqlite3_stmt *s, struct base *b)
{
	memset(b, 0, sizeof(*b));
	b->pop = (uint64_t)sqlite3_column_int64(s, 1);
	b->nonzero = (uint64_t)sqlite3_column_int64(s, 2);
	b->mean = sqlite3_column_double(s, 3);
	b->var = sqlite3_column_double(s, 4);
	b->max = (uint64_t)sqlite3_column_int64(s, 5);
	for (int i = 0; i < 3; i++)
		b->q[i] = (uint64_t)sqlite3_column_int64(s, 6 + i);
	int_list(store_col_cstr(s, 9), b->bins, STORE_BASELINE_BINS);
	b->ntop = int_list(store_col_cstr(s, 10), b->top, STORE_BASELINE_TOP);
}

static void base_metric(struct doc *d, const char *name, uint64_t v,
			const struct base *b)
{
	double sd = b->var > 0 ? sqrt(b->var) : 0;
	double z = sd > 0 ? ((double)v - b->mean) / sd : 0;
	bool exact;
	uint64_t above = base_above(b, v, &exact);
	bool extreme = v > b->q[2] && z >= 3;
	size_t mark = row_begin(d);

	fmt_cstr(d, "counter", name);
	fmt_int(d, "value", (int64_t)v);
	fmt_int(d, "rank", (int64_t)above + 1);
	raw(d, exact ? "\"rank_exact\":true," : "\"rank_exact\":false,");
	fmt_real(d, "mean", b->mean);
	fmt_real(d, "stddev", sd);
	fmt_real(d, "z", z);
	fmt_real(d, "percentile", base_share(b, v, 0.5));
	fmt_int(d, "p50", (int64_t)b->q[0]);
	fmt_int(d, "p90", (int64_t)b->q[1]);
	fmt_int(d, "p99", (int64_t)b->q[2]);
	fmt_int(d, "max", (int64_t)b->max);
	fmt_int(d, "nonzero", (int64_t)b->nonzero);
	raw(d, extreme ? "\"extreme\":true," : "\"extreme\":false,");
	row_end(d, mark);
}

/*
 * Against the run's baselines; false when the run has none for the
 * entity's type (stored before baselines existed).
 */
static bool unusual_baseline(struct doc *d, int64_t id, int64_t run)
{
	sqlite3_stmt *m = prep2(d, q_mine, id, run), *s;
	int64_t mine[NCOUNTERS] = { 0 };
	uint64_t pop = 0;
	bool any = false;
	size_t start;

	if (!m)
		return false;
	if (sqlite3_step(m) != SQLITE_ROW ||
	    store_prepare(d->st, q_baseline, &s, NULL) != 0) {
		sqlite3_finalize(m);
		return false;
	}
	for (int i = 0; i < NCOUNTERS; i++)
		mine[i] = sqlite3_column_int64(m, 1 + i);
	sqlite3_bind_int64(s, 1, run);
	store_bind_str(s, 2, store_col_str(m, 1 + NCOUNTERS));
	start = d->b.len;
	raw(d, "\"basis\":\"all observed entities\",\"counters\":[");
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *name = store_col_cstr(s, 0);
		struct base b;

		for (int i = 0; i < NCOUNTERS; i++) {
			if (strcmp(name, counter_names[i]) != 0)
				continue;
			base_read(s, &b);
			pop = b.pop;
			any = true;
			if (mine[i] != 0 || b.max != 0)
				base_metric(d, name, (uint64_t)mine[i], &b);
		}
	}
	sqlite3_finalize(s);
	sqlite3_finalize(m);
	if (!any) {
		d->b.len = start;
		return false;
	}
	close_with(d, ']');
	fmt_int(d, "population", (int64_t)pop);
	return true;
}

static void unusual(struct doc *d, int64_t id)
{
	sqlite3_stmt *s = prep2(d, q_latest_run, id, 0);
	int64_t run = 0;

	if (!s)
		return;
	if (sqlite3_step(s) == SQLITE_ROW)
		run = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	raw(d, "\"unusual\":{");
	fmt_int(d, "run_id", run);
	if (run <= 0 || !unusual_baseline(d, id, run))
		unusual_stored(d, id, run);
	close_with(d, '}');
}

static int entity_one(struct doc *d, int64_t id,
		      const struct store_query *q)
{
	/*
	 * The compact summaries first, the bulky alert records last: a
	 * model's tool call has a small budget, and what is cut to fit it
	 * should be the tail of the alerts, not how unusual the entity is.
	 */
	static const char *const keys[] = {
		"runs", "incidents", "rules", "peers", "alerts",
	};
	static const char *const sqls[] = {
		q_ent_runs, q_ent_incidents, q_ent_rules, q_ent_peers,
		q_ent_alerts,
	};
	static void (*const rows[])(struct doc *, sqlite3_stmt *) = {
		row_ent_run, row_ent_incident, row_rule_brief, row_peer,
		row_alert,
	};
	sqlite3_stmt *s = prep2(d, q_ent_head, id, 0);

	(void)q;		/* the lists take no range */
	if (!s)
		return CORE_E_IO;
	raw(d, "{");
	if (sqlite3_step(s) == SQLITE_ROW) {
		fmt_col(d, "type", s, 0);
		fmt_col(d, "value", s, 1);
		fmt_int(d, "runs_counted", sqlite3_column_int64(s, 2));
		fmt_ts(d, "first_seen", sqlite3_column_int64(s, 3));
		fmt_ts(d, "last_seen", sqlite3_column_int64(s, 4));
		fmt_int(d, "alert_records", sqlite3_column_int64(s, 5));
		fmt_int(d, "incident_count", sqlite3_column_int64(s, 6));
	}
	sqlite3_finalize(s);
	unusual(d, id);
	for (size_t i = 0; i < CORE_ARRAY_LEN(keys); i++)
		if (sublist(d, keys[i], sqls[i], id, 0, rows[i]) != 0)
			return CORE_E_IO;
	close_with(d, '}');
	return d->rc;
}

/*
 * A document of the entities matching q, each written by one(); with
 * need, no match is CORE_E_NOTFOUND rather than an empty list.
 */
static int entities_doc(struct store *st, const struct store_query *q,
			bool need,
			int (*one)(struct doc *, int64_t,
				   const struct store_query *),
			struct core_buf *out, struct core_error *err)
{
	int64_t ids[MAX_MATCHES];
	struct doc d;
	size_t n;

	if (!q || !q->value.len)
		return core_fail(err, CORE_E_INVAL, st->path, 0,
				 "which entity? (an address, user or host)");
	n = match_entities(st, q, ids, MAX_MATCHES, err);
	if (need && n == 0)
		return core_fail(err, CORE_E_NOTFOUND, st->path, 0,
				 "no such entity in the store");
	doc_init(&d, st, q);
	raw(&d, "{\"entities\":[");
	for (size_t i = 0; i < n; i++)
		if (one(&d, ids[i], q) != 0)
			break;
	close_with(&d, ']');
	end_doc(&d);
	return doc_finish(&d, out, err);
}

int store_query_entity(struct store *st, const struct store_query *q,
		       struct core_buf *out, struct core_error *err)
{
	return entities_doc(st, q, true, entity_one, out, err);
}

/* ------------------------------------------------------------ events */

static const char q_events[] = "SELECT r.id, r.run_id, r.file, r.line, "
	"r.ts, r.text, a.rule_id, a.id, coalesce(a.incident_id, 0) "
	"FROM event_refs r JOIN alerts a ON a.id = r.alert_id "
	"WHERE r.alert_id IN (SELECT alert_id FROM alert_entities "
	"  WHERE entity_id = ?1) "
	"AND (?2 = 0 OR r.ts >= ?2) AND (?3 = 0 OR r.ts <= ?3) "
	"ORDER BY r.ts, r.id";

static const struct col event_cols[] = {
	{ "id", C_INT }, { "run_id", C_INT }, { "file", C_TEXT },
	{ "line", C_INT }, { "ts", C_TS }, { "text", C_TEXT },
	{ "rule_id", C_TEXT }, { "alert_id", C_INT }, { "incident_id", C_INT },
};
ROW_WRITER(row_event, event_cols)

/* One entity's events in q's time range; non-zero stops the list. */
static int events_one(struct doc *d, int64_t id, const struct store_query *q)
{
	sqlite3_stmt *s;

	if (d->rc != 0)
		return d->rc;
	raw(d, "{");
	if (store_prepare(d->st, q_events, &s, NULL) != 0) {
		d->rc = CORE_E_IO;
		return d->rc;
	}
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, q->ts_from);
	sqlite3_bind_int64(s, 3, q->ts_to);
	fmt_int(d, "entity_id", id);
	list(d, "events", s, row_event);
	close_with(d, '}');
	return d->rc;
}

int store_query_events(struct store *st, const struct store_query *q,
		       struct core_buf *out, struct core_error *err)
{
	return entities_doc(st, q, false, events_one, out, err);
}

/* ------------------------------------------------------------- rules */

static const char q_rules[] = "SELECT a.rule_id, a.rule_title, a.level, "
	"count(*), sum(a.raised), sum(a.events), count(DISTINCT a.run_id), "
	"count(DISTINCT a.incident_id), min(a.ts_first), max(a.ts_last), "
	"(SELECT count(DISTINCT f.incident_id) FROM feedback f WHERE "
	"  f.verdict = 'malicious' AND f.incident_id IN (SELECT b.incident_id "
	"  FROM alerts b WHERE b.rule_id = a.rule_id)), "
	"(SELECT count(DISTINCT f.incident_id) FROM feedback f WHERE "
	"  f.verdict <> 'malicious' AND f.incident_id IN (SELECT "
	"  b.incident_id FROM alerts b WHERE b.rule_id = a.rule_id)) "
	"FROM alerts a WHERE (?1 = '' OR a.rule_id = ?1) "
	"AND (?2 = 0 OR a.ts_last >= ?2) AND (?3 = 0 OR a.ts_first <= ?3) "
	"GROUP BY a.rule_id ORDER BY sum(a.raised) DESC, a.rule_id";

static const struct col rule_cols[] = {
	{ "rule_id", C_TEXT }, { "rule_title", C_TEXT }, { "level", C_TEXT },
	{ "records", C_INT }, { "raised", C_INT }, { "events", C_INT },
	{ "runs", C_INT }, { "incidents", C_INT }, { "ts_first", C_TS },
	{ "ts_last", C_TS }, { "analyst_malicious", C_INT },
	{ "analyst_benign_or_fp", C_INT },
};
ROW_WRITER(row_rule, rule_cols)

/*
 * A document of one list: head opens it, then key holds the rows of sql
 * with the query's value bound to ?1 and its time range to ?2 and ?3
 * (where the statement has them).
 */
static int query_list(struct store *st, const struct store_query *q,
		      const char *sql, const char *head, const char *key,
		      void (*fn)(struct doc *, sqlite3_stmt *),
		      struct core_buf *out, struct core_error *err)
{
	struct store_query none = { 0 };
	struct doc d;
	sqlite3_stmt *s;

	if (!q)
		q = &none;
	doc_init(&d, st, q);
	if (store_prepare(st, sql, &s, err) != 0) {
		core_buf_free(&d.b);
		return CORE_E_IO;
	}
	store_bind_str(s, 1, q->value);
	if (sqlite3_bind_parameter_count(s) >= 3) {
		sqlite3_bind_int64(s, 2, q->ts_from);
		sqlite3_bind_int64(s, 3, q->ts_to);
	}
	raw(&d, head);
	list(&d, key, s, fn);
	end_doc(&d);
	return doc_finish(&d, out, err);
}

int store_query_rules(struct store *st, const struct store_query *q,
		      struct core_buf *out, struct core_error *err)
{
	return query_list(st, q, q_rules, "{", "rules", row_rule, out, err);
}

/* --------------------------------------------------------- templates */

static const char q_templates[] = "SELECT key, length(blob), updated, "
	"CASE WHEN json_valid(CAST(blob AS TEXT)) THEN "
	"json(CAST(blob AS TEXT)) END FROM state WHERE ns = "
	"'anomaly.templates' AND (?1 = '' OR key = ?1) ORDER BY key";

static const struct col template_cols[] = {
	{ "key", C_TEXT }, { "bytes", C_INT }, { "updated", C_TS },
	{ "data", C_JSON },
};
ROW_WRITER(row_template, template_cols)

int store_query_templates(struct store *st, const struct store_query *q,
			  struct core_buf *out, struct core_error *err)
{
	return query_list(st, q, q_templates,
			  "{\"namespace\":\"anomaly.templates\",",
			  "templates", row_template, out, err);
}
