/*
 * migrate.c: the schema and its versions.
 *
 * The schema is the result of an ordered list of migrations; migration N
 * takes a file from version N-1 to N.  Each runs in its own transaction
 * together with the row that records it in schema_version, so a file is
 * always at a whole version.  A migration is never edited once released:
 * a change to the schema is a new entry at the end of the list, and
 * STORE_SCHEMA_VERSION follows it.  The tests build a file at every
 * older version and upgrade it.
 *
 * The SQL below is constant text; no statement here takes data.
 */
#include "store/store_int.h"

#include <stdio.h>

/*
 * Version 1: runs, entities and their per-run counters, incidents,
 * alert records, event references, evidence and the audit log.
 */
static const char migration_1[] =
"CREATE TABLE runs ("
"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
"  started INTEGER NOT NULL,"
"  finished INTEGER NOT NULL,"
"  version TEXT NOT NULL,"
"  inputs TEXT NOT NULL,"
"  stats TEXT NOT NULL,"
"  ts_first INTEGER NOT NULL,"
"  ts_last INTEGER NOT NULL);"
"CREATE TABLE entities ("
"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
"  type TEXT NOT NULL,"
"  value TEXT NOT NULL,"
"  UNIQUE (type, value));"
"CREATE TABLE entity_counters ("
"  run_id INTEGER NOT NULL REFERENCES runs(id),"
"  entity_id INTEGER NOT NULL REFERENCES entities(id),"
"  observed INTEGER NOT NULL,"
"  events INTEGER NOT NULL, login_failures INTEGER NOT NULL,"
"  login_successes INTEGER NOT NULL, invalid_users INTEGER NOT NULL,"
"  pam_failures INTEGER NOT NULL, privileged INTEGER NOT NULL,"
"  requests INTEGER NOT NULL, http_4xx INTEGER NOT NULL,"
"  http_5xx INTEGER NOT NULL, ids_alerts INTEGER NOT NULL,"
"  distinct_users INTEGER NOT NULL, distinct_sources INTEGER NOT NULL,"
"  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
"  PRIMARY KEY (run_id, entity_id));"
"CREATE INDEX entity_counters_entity ON entity_counters(entity_id);"
"CREATE TABLE incidents ("
"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
"  run_id INTEGER NOT NULL REFERENCES runs(id),"
"  rank INTEGER NOT NULL,"
"  fingerprint TEXT NOT NULL,"
"  title TEXT NOT NULL,"
"  score INTEGER NOT NULL,"
"  severity TEXT NOT NULL,"
"  ts_first INTEGER NOT NULL, ts_last INTEGER NOT NULL,"
"  alerts INTEGER NOT NULL, records INTEGER NOT NULL,"
"  events INTEGER NOT NULL,"
"  tactics TEXT NOT NULL, techniques TEXT NOT NULL,"
"  score_parts TEXT NOT NULL, explanation TEXT NOT NULL,"
"  created INTEGER NOT NULL);"
"CREATE INDEX incidents_fingerprint ON incidents(fingerprint, id);"
"CREATE INDEX incidents_run ON incidents(run_id, rank);"
"CREATE TABLE incident_entities ("
"  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
"  entity_id INTEGER NOT NULL REFERENCES entities(id),"
"  rank INTEGER NOT NULL,"
"  PRIMARY KEY (incident_id, entity_id));"
"CREATE INDEX incident_entities_entity ON incident_entities(entity_id);"
"CREATE TABLE alerts ("
"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
"  run_id INTEGER NOT NULL REFERENCES runs(id),"
"  incident_id INTEGER REFERENCES incidents(id),"
"  rule_id TEXT NOT NULL, rule_title TEXT NOT NULL,"
"  level TEXT NOT NULL,"
"  raised INTEGER NOT NULL, events INTEGER NOT NULL,"
"  distinct_values INTEGER NOT NULL,"
"  ts_first INTEGER NOT NULL, ts_last INTEGER NOT NULL,"
"  grp TEXT NOT NULL);"
"CREATE INDEX alerts_rule ON alerts(rule_id);"
"CREATE INDEX alerts_incident ON alerts(incident_id);"
"CREATE TABLE alert_entities ("
"  alert_id INTEGER NOT NULL REFERENCES alerts(id),"
"  entity_id INTEGER NOT NULL REFERENCES entities(id),"
"  PRIMARY KEY (alert_id, entity_id));"
"CREATE INDEX alert_entities_entity ON alert_entities(entity_id);"
"CREATE TABLE event_refs ("
"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
"  run_id INTEGER NOT NULL REFERENCES runs(id),"
"  alert_id INTEGER REFERENCES alerts(id),"
"  file TEXT NOT NULL, line INTEGER NOT NULL, ts INTEGER NOT NULL,"
"  text TEXT NOT NULL);"
"CREATE INDEX event_refs_alert ON event_refs(alert_id);"
"CREATE TABLE evidence ("
"  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
"  rank INTEGER NOT NULL,"
"  event_ref_id INTEGER REFERENCES event_refs(id),"
"  alert_id INTEGER REFERENCES alerts(id),"
"  file TEXT NOT NULL, line INTEGER NOT NULL, ts INTEGER NOT NULL,"
"  text TEXT NOT NULL, rule_id TEXT NOT NULL, rule_title TEXT NOT NULL,"
"  PRIMARY KEY (incident_id, rank));"
"CREATE TABLE audit_log ("
"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
"  ts INTEGER NOT NULL,"
"  actor TEXT NOT NULL,"
"  action TEXT NOT NULL,"
"  object TEXT NOT NULL,"
"  detail TEXT NOT NULL);"
"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

/* Version 2: triage traces, verdicts, analysts' feedback, state blobs. */
static const char migration_2[] =
"CREATE TABLE triage_traces ("
"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
"  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
"  producer TEXT NOT NULL, model TEXT NOT NULL,"
"  started INTEGER NOT NULL, duration_us INTEGER NOT NULL,"
"  prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,"
"  steps INTEGER NOT NULL, status TEXT NOT NULL,"
"  prompt TEXT NOT NULL, tool_calls TEXT NOT NULL,"
"  answer TEXT NOT NULL, messages TEXT NOT NULL);"
"CREATE INDEX triage_traces_incident ON triage_traces(incident_id);"
"CREATE TABLE verdicts ("
"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
"  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
"  trace_id INTEGER REFERENCES triage_traces(id),"
"  producer TEXT NOT NULL CHECK (producer IN"
"    ('deterministic', 'llm', 'analyst', 'local-model')),"
"  verdict TEXT NOT NULL,"
"  confidence REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),"
"  score_delta INTEGER NOT NULL,"
"  explanation TEXT NOT NULL, evidence TEXT NOT NULL,"
"  actions TEXT NOT NULL, created INTEGER NOT NULL);"
"CREATE INDEX verdicts_incident ON verdicts(incident_id);"
"CREATE TABLE feedback ("
"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
"  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
"  verdict TEXT NOT NULL CHECK (verdict IN"
"    ('malicious', 'benign', 'false-positive')),"
"  analyst TEXT NOT NULL, note TEXT NOT NULL,"
"  created INTEGER NOT NULL);"
"CREATE INDEX feedback_incident ON feedback(incident_id);"
"CREATE TABLE state ("
"  ns TEXT NOT NULL, key TEXT NOT NULL,"
"  blob BLOB NOT NULL, updated INTEGER NOT NULL,"
"  PRIMARY KEY (ns, key));";

/*
 * Version 3: the audit log becomes a hash chain (each row's hash covers
 * the previous row's hash and its own fields, see record.c), and every
 * run keeps the distribution of each entity counter over all the
 * entities it observed.  Rows written before version 3 get their hashes
 * in the same transaction (audit_rechain below), which is why the update
 * trigger is dropped here and created again after.
 */
static const char migration_3[] =
"ALTER TABLE audit_log ADD COLUMN hash TEXT;"
"DROP TRIGGER audit_log_no_update;"
"CREATE TABLE entity_baselines ("
"  run_id INTEGER NOT NULL REFERENCES runs(id),"
"  type TEXT NOT NULL, counter TEXT NOT NULL,"
"  population INTEGER NOT NULL, nonzero INTEGER NOT NULL,"
"  mean REAL NOT NULL, variance REAL NOT NULL, max INTEGER NOT NULL,"
"  p50 INTEGER NOT NULL, p90 INTEGER NOT NULL, p99 INTEGER NOT NULL,"
"  histogram TEXT NOT NULL, top TEXT NOT NULL,"
"  PRIMARY KEY (run_id, type, counter));";

static const char audit_trigger[] =
"CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;";

static const char *const migrations[] = {
	migration_1, migration_2, migration_3,
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) ==
	       STORE_SCHEMA_VERSION,
	       "STORE_SCHEMA_VERSION must match the list of migrations");

static int exec(struct store *st, const char *sql, const char *what,
		struct core_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	core_fail(err, CORE_E_IO, st->path, 0, "%s: %s", what,
		  msg ? msg : sqlite3_errmsg(st->db));
	sqlite3_free(msg);
	return CORE_E_IO;
}

int store_read_version(struct store *st, int *out, struct core_error *err)
{
	static const char has[] = "SELECT count(*) FROM sqlite_master "
		"WHERE type = 'table' AND name = 'schema_version'";
	static const char max[] = "SELECT coalesce(max(version), 0) "
		"FROM schema_version";
	sqlite3_stmt *s;
	int rc;

	*out = 0;
	if (store_prepare(st, has, &s, err) != 0)
		return CORE_E_IO;
	rc = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_finalize(s);
	if (rc < 0)
		return store_sqlfail(st, err, "reading the schema");
	if (rc == 0)
		return 0;
	if (store_prepare(st, max, &s, err) != 0)
		return CORE_E_IO;
	rc = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_finalize(s);
	if (rc < 0)
		return store_sqlfail(st, err, "reading the schema version");
	*out = rc;
	return 0;
}

/* Applies migration v (1-based) and records it, in one transaction. */
static int apply(struct store *st, int v, struct core_error *err)
{
	static const char record[] = "INSERT INTO schema_version "
		"(version, applied) VALUES (?1, ?2)";
	sqlite3_stmt *s;
	char what[64];

	snprintf(what, sizeof(what), "schema migration %d", v);
	if (exec(st, "BEGIN IMMEDIATE", what, err) != 0)
		return CORE_E_IO;
	if (exec(st, "CREATE TABLE IF NOT EXISTS schema_version ("
		 "version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)",
		 what, err) != 0 ||
	    exec(st, migrations[v - 1], what, err) != 0)
		goto fail;
	if (v == 3 && (store_audit_rechain(st, err) != 0 ||
		       exec(st, audit_trigger, what, err) != 0))
		goto fail;
	if (store_prepare(st, record, &s, err) != 0)
		goto fail;
	sqlite3_bind_int(s, 1, v);
	sqlite3_bind_int64(s, 2, core_time_now());
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_sqlfail(st, err, what);
		sqlite3_finalize(s);
		goto fail;
	}
	sqlite3_finalize(s);
	if (exec(st, "COMMIT", what, err) != 0)
		goto fail;
	return 0;

fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return CORE_E_IO;
}

int store_migrate(struct store *st, int target, struct core_error *err)
{
	int have, rc;

	if (target <= 0 || target > STORE_SCHEMA_VERSION)
		target = STORE_SCHEMA_VERSION;
	rc = store_read_version(st, &have, err);
	if (rc != 0)
		return rc;
	if (have > STORE_SCHEMA_VERSION)
		return core_fail(err, CORE_E_UNSUPPORTED, st->path, 0,
				 "schema version %d is newer than this "
				 "vigil's (%d); use a newer vigil", have,
				 STORE_SCHEMA_VERSION);
	if (have < target && st->readonly)
		return core_fail(err, CORE_E_UNSUPPORTED, st->path, 0,
				 "schema version %d needs an upgrade to %d; "
				 "open the store for writing once", have,
				 target);
	while (have < target) {
		rc = apply(st, have + 1, err);
		if (rc != 0)
			return rc;
		have++;
		core_log(CORE_LOG_INFO, "store", st->path, 0,
			 "schema migrated to version %d", have);
	}
	st->version = have;
	return 0;
}
