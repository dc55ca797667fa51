/*
 * store.h: vigil's embedded store, one SQLite file.
 *
 * What it keeps: analysis runs, the incidents each run found (with their
 * entities, evidence lines and aggregated alert records), references to
 * the events behind the evidence and the alert samples (file, line, time;
 * never every event), triage traces and verdicts, analysts' feedback, an
 * append-only audit log and opaque state blobs that other rooms keep
 * between runs (learned weights, templates, baselines).  docs/store.md
 * describes the schema.
 *
 * Nothing but this room touches SQL.  Every statement is prepared with
 * bound parameters; no SQL text is ever built from data.  The file is
 * opened in WAL mode with foreign keys on and a busy timeout, and the
 * schema is brought to STORE_SCHEMA_VERSION by ordered migrations when it
 * is opened for writing.
 *
 * Conventions.  Times are microseconds since the epoch, UTC (as in
 * core.h); 0 stands for "unknown" in stored rows.  Ids are positive
 * 64-bit integers, never reused.  Strings are passed as struct core_str
 * (any bytes; a NUL inside is kept) or, for names the caller controls,
 * as C strings.  Records handed to callbacks are valid only during the
 * callback.  Functions return 0 or a negative CORE_E_... and fill the
 * optional struct core_error; CORE_E_IO stands for an SQLite failure,
 * CORE_E_NOTFOUND for a missing row.
 *
 * A handle is used by one thread at a time.  Several processes may open
 * the same file: WAL lets readers run beside one writer.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include "core/core.h"

struct store;

/* ------------------------------------------------------------- opening */

/* The schema version this build writes. */
#define STORE_SCHEMA_VERSION 3

#define STORE_O_READONLY 0x1	/* never write; fails if the file is absent */
#define STORE_O_NOCREATE 0x2	/* the file must exist (read-write) */

#define STORE_DEFAULT_BUSY_MS 5000

struct store_options {
	unsigned flags;		/* STORE_O_... */
	int busy_ms;		/* 0: STORE_DEFAULT_BUSY_MS */
	/*
	 * Migrate only up to this version (0: STORE_SCHEMA_VERSION).  For
	 * tests of upgrades from an older schema.
	 */
	int target_version;
};

/*
 * Opens (and creates, unless STORE_O_NOCREATE or STORE_O_READONLY) the
 * store at path, creating missing parent directories, and migrates it.
 * opts may be NULL.  A file written by a newer vigil (schema version
 * above STORE_SCHEMA_VERSION) is refused with CORE_E_UNSUPPORTED, one
 * that is no database at all with CORE_E_PARSE ("not a vigil store").
 */
int store_open(const char *path, const struct store_options *opts,
	       struct store **out, struct core_error *err);
/* Closes the handle; store_close(NULL) does nothing. */
void store_close(struct store *st);

/* The schema version of the open file. */
int store_schema_version(struct store *st);

/*
 * The default path: $VIGIL_STORE, else $XDG_DATA_HOME/vigil/vigil.db,
 * else $HOME/.local/share/vigil/vigil.db.  Returns CORE_E_NOTFOUND when
 * none of them is set, CORE_E_TOOBIG when the path does not fit in n.
 */
int store_default_path(char *out, size_t n);

/*
 * Groups writes into one transaction (much faster, and atomic).  Nested
 * calls are counted; only the outermost commit or rollback acts.
 */
int store_begin(struct store *st, struct core_error *err);
int store_commit(struct store *st, struct core_error *err);
void store_rollback(struct store *st);

/* ---------------------------------------------------------------- runs */

struct store_run {
	int64_t started;		/* when the analysis began */
	int64_t finished;
	const char *version;		/* vigil version */
	struct core_str inputs;		/* JSON array of input names */
	struct core_str stats;		/* JSON object of run figures */
	int64_t ts_first;		/* earliest event time, 0 unknown */
	int64_t ts_last;
};

/* Appends a run; its id goes to *id. */
int store_run_add(struct store *st, const struct store_run *run,
		  int64_t *id, struct core_error *err);

/* --------------------------------------------------- entities, alerts */

/*
 * Entity types are the ECS-style names the incident room uses
 * ("source.ip", "user.name", "user.target.name", "host.name",
 * "user_agent.original", "url.pattern").
 */
struct store_counters {
	uint64_t events;
	uint64_t login_failures;
	uint64_t login_successes;
	uint64_t invalid_users;
	uint64_t pam_failures;
	uint64_t privileged;
	uint64_t requests;
	uint64_t http_4xx;
	uint64_t http_5xx;
	uint64_t ids_alerts;
	uint64_t distinct_users;
	uint64_t distinct_sources;
	int64_t first_seen;		/* 0: unknown */
	int64_t last_seen;
};

/*
 * Finds or adds the entity (type, value); its id goes to *id.  Entities
 * are shared by all runs.
 */
int store_entity_id(struct store *st, const char *type, struct core_str value,
		    int64_t *id, struct core_error *err);

/* Records what one run counted for an entity (c may be NULL: no counts). */
int store_entity_counters(struct store *st, int64_t run_id,
			  int64_t entity_id, const struct store_counters *c,
			  struct core_error *err);

/* An aggregated alert record of one run. */
struct store_alert {
	int64_t run_id;
	int64_t incident_id;		/* 0: not (yet) in an incident */
	const char *rule_id;
	const char *rule_title;
	const char *level;		/* "low" ... "critical" */
	uint64_t raised;
	uint64_t events;
	uint64_t distinct;
	int64_t ts_first;
	int64_t ts_last;
	struct core_str group;		/* JSON object of group values */
	size_t nentities;
	const int64_t *entities;	/* entity ids it names */
};

int store_alert_add(struct store *st, const struct store_alert *a,
		    int64_t *id, struct core_error *err);

/*
 * A reference to one event: an alert sample or an incident's evidence
 * line.  text is the line as the report shows it (already cut to the
 * incident room's bound).
 */
struct store_event_ref {
	int64_t run_id;
	int64_t alert_id;		/* 0: none */
	const char *file;
	uint64_t line;
	int64_t ts;
	struct core_str text;
};

int store_event_ref_add(struct store *st, const struct store_event_ref *r,
			int64_t *id, struct core_error *err);

/* ----------------------------------------------------------- incidents */

struct store_incident {
	int64_t id;			/* set by the store */
	int64_t run_id;
	uint32_t rank;			/* its id in the run's report */
	struct core_str fingerprint;	/* same attack across runs */
	struct core_str title;
	unsigned score;
	const char *severity;
	int64_t ts_first;
	int64_t ts_last;
	uint64_t alerts;
	uint64_t records;
	uint64_t events;
	struct core_str tactics;	/* JSON array */
	struct core_str techniques;	/* JSON array */
	struct core_str score_parts;	/* JSON object */
	struct core_str explanation;
	int64_t created;		/* when it was stored */
};

/* Adds an incident (id is ignored); the new id goes to *id. */
int store_incident_add(struct store *st, const struct store_incident *inc,
		       int64_t *id, struct core_error *err);

/* Links an entity to an incident; rank 0 is the strongest. */
int store_incident_entity(struct store *st, int64_t incident_id,
			  int64_t entity_id, unsigned rank,
			  struct core_error *err);

struct store_evidence {
	int64_t incident_id;
	unsigned rank;			/* 0: strongest */
	int64_t event_ref_id;		/* 0: none */
	int64_t alert_id;		/* 0: none */
	const char *file;
	uint64_t line;
	int64_t ts;
	struct core_str text;
	const char *rule_id;
	const char *rule_title;
};

int store_evidence_add(struct store *st, const struct store_evidence *e,
		       struct core_error *err);

/* Reads one incident; CORE_E_NOTFOUND when there is none with that id. */
typedef int (*store_incident_fn)(const struct store_incident *inc, void *ud);
int store_incident_get(struct store *st, int64_t id, store_incident_fn fn,
		       void *ud, struct core_error *err);

/*
 * Calls fn for each incident with id > after_id, in id order, at most
 * limit (0: all).  A non-zero return of fn stops and is returned.
 */
int store_incident_each(struct store *st, int64_t after_id, size_t limit,
			store_incident_fn fn, void *ud,
			struct core_error *err);

/* The id of the most recent earlier incident with this fingerprint. */
int store_incident_previous(struct store *st, int64_t id, int64_t *prev,
			    struct core_error *err);

/* ---------------------------------------------------------------- triage */

/*
 * One triage attempt on an incident, whoever made it.  The texts are
 * stored as given: the caller pseudonymises what must be; the store never
 * sees keys.  tool_calls and messages are JSON documents the triage room
 * defines.
 */
struct store_trace {
	int64_t incident_id;
	const char *producer;		/* "deterministic", "llm", ... */
	const char *model;		/* may be NULL */
	int64_t started;
	int64_t duration_us;
	uint64_t prompt_tokens;
	uint64_t completion_tokens;
	unsigned steps;			/* model turns */
	const char *status;		/* "ok", "timeout", "invalid", ... */
	struct core_str prompt;
	struct core_str tool_calls;	/* JSON array */
	struct core_str answer;
	struct core_str messages;	/* JSON: the whole exchange */
};

int store_trace_add(struct store *st, const struct store_trace *t,
		    int64_t *id, struct core_error *err);

typedef int (*store_trace_fn)(int64_t id, const struct store_trace *t,
			      void *ud);
/* Traces of an incident, oldest first. */
int store_trace_each(struct store *st, int64_t incident_id,
		     store_trace_fn fn, void *ud, struct core_error *err);

/* Who produced a verdict. */
#define STORE_BY_DETERMINISTIC "deterministic"
#define STORE_BY_LLM "llm"
#define STORE_BY_ANALYST "analyst"
#define STORE_BY_LOCAL_MODEL "local-model"

struct store_verdict {
	int64_t incident_id;
	int64_t trace_id;		/* 0: none */
	const char *producer;		/* STORE_BY_... */
	const char *verdict;		/* "malicious", "suspicious", ... */
	double confidence;		/* 0..1 */
	int score_delta;		/* change applied to the score */
	struct core_str explanation;
	struct core_str evidence;	/* JSON: evidence lines cited */
	struct core_str actions;	/* JSON array of recommendations */
	int64_t created;		/* 0: now */
};

int store_verdict_add(struct store *st, const struct store_verdict *v,
		      int64_t *id, struct core_error *err);

typedef int (*store_verdict_fn)(int64_t id, const struct store_verdict *v,
				void *ud);
/* Verdicts of an incident (incident_id 0: all incidents), oldest first. */
int store_verdict_each(struct store *st, int64_t incident_id,
		       store_verdict_fn fn, void *ud,
		       struct core_error *err);

/* -------------------------------------------------------------- feedback */

#define STORE_FEEDBACK_MALICIOUS "malicious"
#define STORE_FEEDBACK_BENIGN "benign"
#define STORE_FEEDBACK_FALSE_POSITIVE "false-positive"

struct store_feedback {
	int64_t incident_id;
	const char *verdict;		/* STORE_FEEDBACK_... */
	const char *analyst;
	struct core_str note;
	int64_t created;		/* 0: now */
};

/*
 * Records an analyst's verdict and its audit entry in one transaction.
 * CORE_E_NOTFOUND when the incident does not exist, CORE_E_INVAL for a
 * verdict not in the list above.
 */
int store_feedback_add(struct store *st, const struct store_feedback *f,
		       int64_t *id, struct core_error *err);

typedef int (*store_feedback_fn)(int64_t id, const struct store_feedback *f,
				 void *ud);
/* Feedback on an incident (incident_id 0: all), oldest first. */
int store_feedback_each(struct store *st, int64_t incident_id,
			store_feedback_fn fn, void *ud,
			struct core_error *err);

/* ------------------------------------------------------------- audit log */

/*
 * Append-only: triggers refuse UPDATE and DELETE on the table, so a row
 * once written stays as it was.  And a hash chain shows it if someone
 * edits the file anyway: each row's hash is BLAKE2b-256 (libsodium's
 * generic hash) over the previous row's hash and the row's own fields,
 * so a changed row breaks its hash and a removed one breaks the next
 * row's (docs/store.md).
 */
struct store_audit {
	int64_t ts;			/* 0: now */
	const char *actor;		/* user name or "vigil" */
	const char *action;		/* "analyze", "feedback", "triage" */
	const char *object;		/* "incident:12", may be NULL */
	struct core_str detail;		/* JSON object */
};

int store_audit_append(struct store *st, const struct store_audit *a,
		       int64_t *id, struct core_error *err);

typedef int (*store_audit_fn)(int64_t id, const struct store_audit *a,
			      void *ud);
/* Rows with id > after_id, oldest first, at most limit (0: all). */
int store_audit_each(struct store *st, int64_t after_id, size_t limit,
		     store_audit_fn fn, void *ud, struct core_error *err);

#define STORE_AUDIT_HASH_HEX 64	/* hex digits of a chain hash */

/* What store_audit_verify() found. */
struct store_audit_check {
	uint64_t rows;			/* rows read */
	int64_t last_id;
	bool intact;
	int64_t bad_id;			/* first row at fault, 0: none */
	char reason[200];		/* why it is not intact */
	char head[STORE_AUDIT_HASH_HEX + 1];	/* the last row's hash */
};

/*
 * Walks the chain from the first row: every id present (a gap is a
 * removed row), every hash recomputed, and the highest id ever given
 * (SQLite's sequence) equal to the last row's, so rows cut from the end
 * show too.  expect, when not NULL, is a head recorded earlier (its hex,
 * at least 16 digits): the chain must still pass through it.  Returns 0
 * with out filled whatever it found; an error only when the log cannot
 * be read.
 */
int store_audit_verify(struct store *st, const char *expect,
		       struct store_audit_check *out,
		       struct core_error *err);

/* ------------------------------------------------------------ baselines */

#define STORE_BASELINE_BINS 65		/* as INCIDENT_DIST_BINS */
#define STORE_BASELINE_TOP 8

/*
 * One counter's distribution over every entity of one type a run
 * observed (not only those alerts name).  bins[0] counts zeros, bins[b]
 * the values in [2^(b-1), 2^b); top holds the largest values, largest
 * first.
 */
struct store_baseline {
	const char *type;		/* "source.ip", "user.name", ... */
	const char *counter;		/* "events", "login_failures", ... */
	uint64_t population;
	uint64_t nonzero;
	double mean;
	double variance;
	uint64_t max;
	uint64_t p50, p90, p99;
	uint64_t bins[STORE_BASELINE_BINS];
	unsigned ntop;
	uint64_t top[STORE_BASELINE_TOP];
};

/* Records a baseline of run_id (replacing one with the same key). */
int store_baseline_add(struct store *st, int64_t run_id,
		       const struct store_baseline *b,
		       struct core_error *err);

/* ----------------------------------------------------------------- state */

#define STORE_STATE_MAX (64u << 20)	/* largest blob, bytes */

/*
 * Opaque blobs other rooms keep between runs, under (namespace, key):
 * "triage.model"/"weights", "anomaly.templates"/"<source>".  put
 * replaces; get appends the blob to out (CORE_E_NOTFOUND when absent).
 */
int store_state_put(struct store *st, const char *ns, const char *key,
		    const void *blob, size_t len, struct core_error *err);
int store_state_get(struct store *st, const char *ns, const char *key,
		    struct core_buf *out, int64_t *updated,
		    struct core_error *err);
int store_state_delete(struct store *st, const char *ns, const char *key,
		       struct core_error *err);
typedef int (*store_state_fn)(const char *key, struct core_str blob,
			      int64_t updated, void *ud);
int store_state_each(struct store *st, const char *ns, store_state_fn fn,
		     void *ud, struct core_error *err);

/* ------------------------------------------------------ read-only queries */

/*
 * The analyst's and the model's investigation tools.  Each appends one
 * JSON document to out and never writes to the store.  Outputs are
 * bounded twice: by row limits (capped at STORE_QUERY_MAX_ROWS) and by
 * max_bytes (0: STORE_QUERY_DEFAULT_BYTES); when either cut rows, the
 * document says "truncated": true.  Documents are described in
 * docs/store.md.
 */
#define STORE_QUERY_MAX_ROWS 500
#define STORE_QUERY_DEFAULT_BYTES (64u << 10)

struct store_query {
	const char *type;		/* entity type; NULL: any type */
	struct core_str value;		/* entity value */
	int64_t ts_from;		/* 0: unbounded */
	int64_t ts_to;			/* 0: unbounded */
	size_t limit;			/* rows; 0: a default per query */
	size_t max_bytes;
};

/*
 * An incident as stored: its fields, entities with counters, evidence,
 * alert records, traces, verdicts and feedback.  CORE_E_NOTFOUND when
 * there is none.
 */
int store_query_incident(struct store *st, int64_t id,
			 const struct store_query *q, struct core_buf *out,
			 struct core_error *err);

/*
 * Everything about one entity (q->type, q->value; type NULL matches every
 * type with that value): incidents and alerts over time, first and last
 * seen, counters per run, peers (entities named by the same alerts), and
 * how unusual it is among every entity of its type that its latest run
 * observed (rank, z-score, percentile and quantiles of each counter,
 * from the run's baselines; for runs stored before baselines existed,
 * among the stored entities), and pairs seen only once.
 */
int store_query_entity(struct store *st, const struct store_query *q,
		       struct core_buf *out, struct core_error *err);

/* Event references (evidence and alert samples) naming the entity. */
int store_query_events(struct store *st, const struct store_query *q,
		       struct core_buf *out, struct core_error *err);

/*
 * Per rule (q->value: one rule id, empty: all): alert records, alerts
 * raised, events, runs and incidents it appeared in, first and last time,
 * and analysts' verdicts on those incidents.
 */
int store_query_rules(struct store *st, const struct store_query *q,
		      struct core_buf *out, struct core_error *err);

/*
 * Template statistics kept by the anomaly room under the state namespace
 * "anomaly.templates": the keys, sizes and update times, and the blobs
 * themselves when they are JSON (q->value: one key, empty: all).
 */
int store_query_templates(struct store *st, const struct store_query *q,
			  struct core_buf *out, struct core_error *err);

#endif /* VIGIL_STORE_H */
