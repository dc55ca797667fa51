/*
 * detect.h: Sigma rules and Sigma correlation rules, compiled and matched
 * against normalised events.
 *
 * A ruleset is loaded from YAML files (one or more documents each), its
 * field names mapped onto the event model per log source, and compiled.
 * Matching is streaming: detect_match() sees each event once, in input
 * order, and reports alerts through a callback; correlation rules keep
 * bounded state per group and report when their condition holds, and
 * detect_flush() reports what is still open at the end of the input.
 */
#ifndef VIGIL_DETECT_H
#define VIGIL_DETECT_H

#include "core/core.h"

enum detect_level {
	DETECT_LEVEL_INFORMATIONAL = 0,
	DETECT_LEVEL_LOW,
	DETECT_LEVEL_MEDIUM,
	DETECT_LEVEL_HIGH,
	DETECT_LEVEL_CRITICAL,
};

const char *detect_level_name(enum detect_level l);

/* What an alert says about its rule; lives as long as the ruleset. */
struct detect_rule_info {
	const char *id;			/* Sigma id (UUID) or the file name */
	const char *name;		/* Sigma `name`, for correlation refs */
	const char *title;
	const char *description;
	const char *status;
	const char *file;
	uint64_t line;
	enum detect_level level;
	bool correlation;		/* a correlation rule */
	bool generate;			/* a plain rule whose hits are alerts */
	const char *const *tags;	/* "attack.t1110.001", ... */
	size_t ntags;
	const char *const *references;
	size_t nreferences;
	const char *const *falsepositives;
	size_t nfalsepositives;
	const char *const *fields;	/* Sigma `fields`: worth showing */
	size_t nfields;
};

/* Entities an alert names; the incident room folds alerts on these. */
enum detect_entity {
	DETECT_ENT_SOURCE_IP = 0,
	DETECT_ENT_USER,
	DETECT_ENT_TARGET_USER,
	DETECT_ENT_HOST,
	DETECT_ENT_USER_AGENT,
	DETECT_ENT__COUNT,
};

/*
 * One event behind an alert.  text is the raw record (cut to
 * DETECT_EVIDENCE_MAX bytes); it and the entity values are valid only
 * during the callback.
 */
#define DETECT_EVIDENCE_MAX 1024

struct detect_evidence {
	const char *src;
	uint64_t line;
	int64_t ts;
	struct core_str text;
	struct core_str entity[DETECT_ENT__COUNT];
	bool failed;		/* the event said event.outcome failure */
};

#define DETECT_ALERT_MAX_EVIDENCE 8
#define DETECT_ALERT_MAX_GROUP 4

/*
 * An alert.  A plain rule's alert has count 1 and one evidence (the
 * event); a correlation rule's alert covers count events between ts_first
 * and ts_last and carries a sample of them (the first and the last ones).
 * group holds the correlation's group-by field values.
 */
struct detect_alert {
	const struct detect_rule_info *rule;
	int64_t ts_first;
	int64_t ts_last;
	uint64_t count;
	/* value_count: the number of distinct values seen (else 0). */
	uint64_t distinct;
	unsigned ngroup;
	struct {
		const char *field;
		struct core_str value;
	} group[DETECT_ALERT_MAX_GROUP];
	unsigned nevidence;
	struct detect_evidence evidence[DETECT_ALERT_MAX_EVIDENCE];
	/* The event that raised a plain alert; NULL for correlations. */
	const struct core_event *event;
};

typedef void (*detect_alert_fn)(const struct detect_alert *alert, void *ud);

struct detect_ruleset;

/* Called once per rule that cannot be used, with the reason. */
typedef void (*detect_reject_fn)(const struct core_error *why, void *ud);

struct detect_ruleset *detect_ruleset_new(void);
void detect_ruleset_free(struct detect_ruleset *rs);

/*
 * Loads every *.yml / *.yaml under path (a file or a directory, recursively).
 * A rule that cannot be used is reported through reject (with file, line
 * and reason) and skipped; the others load.  Returns the number of rules
 * loaded, or a negative CORE_E_... when path itself cannot be read.
 */
int detect_ruleset_load(struct detect_ruleset *rs, const char *path,
			detect_reject_fn reject, void *ud);

/* Resolves correlation references and compiles; call once after loading. */
int detect_ruleset_compile(struct detect_ruleset *rs, struct core_error *err);

size_t detect_ruleset_count(const struct detect_ruleset *rs);

/*
 * Loads the rule documents of one in-memory YAML file; name stands for
 * the file in rejections.  Returns the number of rules loaded, or a
 * negative CORE_E_... when the log source map cannot be found.
 */
int detect_ruleset_load_buffer(struct detect_ruleset *rs, const char *name,
			       const void *data, size_t len,
			       detect_reject_fn reject, void *ud);

/*
 * Directory holding logsources.yml.  Without it the map is looked for in
 * $VIGIL_DATADIR, then beside the rules path (DIR/../data, DIR/data),
 * then in the source tree and the installed share/vigil/data.  Must be
 * called before the first load; CORE_E_INVAL after.
 */
int detect_ruleset_set_datadir(struct detect_ruleset *rs, const char *dir);

/*
 * Turns the literal prefilter (see prefilter.c) on or off; off tests
 * every rule of a matching log source, for comparison.  Left unset, it
 * gates the log sources whose rules need many literals, where it pays;
 * on gates them all.  Call before detect_ruleset_compile();
 * CORE_E_INVAL after.
 */
int detect_ruleset_set_prefilter(struct detect_ruleset *rs, bool on);

/*
 * Keeps the prefilter's compiled databases in the directory dir and reads
 * them back when the same literals are compiled again (see pfcache.c):
 * the community rule set loads in a third of the time.  dir NULL takes
 * the environment's: $VIGIL_CACHE_DIR, else $XDG_CACHE_HOME/vigil, else
 * $HOME/.cache/vigil; an empty dir or $VIGIL_CACHE_DIR, or no HOME,
 * leaves the cache off.  Without this call there is none.  A cache that
 * cannot be used never fails the compile (one warning at most).  Call
 * before detect_ruleset_compile(); CORE_E_INVAL after, CORE_E_TOOBIG for
 * a path over 1,023 bytes.
 */
int detect_ruleset_set_cache(struct detect_ruleset *rs, const char *dir);

/*
 * Called once per notice about a rule that loads but may not do what its
 * author meant: a placeholder data/placeholders.yml does not define
 * (it matches nothing).  why->file and why->line name the rule.
 */
void detect_ruleset_set_warn(struct detect_ruleset *rs, detect_reject_fn warn,
			     void *ud);

/* Notices given through the warn callback so far. */
uint64_t detect_ruleset_warnings(const struct detect_ruleset *rs);

/* Groups each correlation may track (default 100000); call before use. */
void detect_ruleset_set_group_cap(struct detect_ruleset *rs, unsigned cap);

struct detect_stats {
	size_t rules;		/* usable rules, correlations included */
	size_t correlations;
	size_t filters;		/* Sigma filters (counted in rules too) */
	size_t logsources;	/* entries in the log source map */
	uint64_t evictions;	/* groups dropped because a table was full */
	size_t regexes;		/* compiled `re` values */
	size_t regexes_jit;	/* of which PCRE2 JIT-compiled them */
	unsigned pf_literals;	/* literals in the prefilter's databases */
	unsigned pf_exact;	/* exact field values it looks up */
	unsigned pf_always;	/* plain rules with no need: always run */
	unsigned pf_dbs;	/* its compiled databases */
	unsigned pf_dbs_cached;	/* of which read from the cache */
	unsigned pf_dbs_written;	/* compiled and written to it */
	const char *pf_cache_dir;	/* NULL: no cache */
};

void detect_ruleset_stats(const struct detect_ruleset *rs,
			  struct detect_stats *st);

/*
 * How many of the log sources that have rules ev belongs to: 0 when no
 * loaded rule can look at it (rules test says so when nothing hit).
 */
unsigned detect_sources_of(struct detect_ruleset *rs,
			   const struct core_event *ev);

/*
 * Matches one event (input order; timestamps may repeat or go back a
 * little).  Alerts go to fn.  Not thread-safe: one ruleset per thread.
 */
void detect_match(struct detect_ruleset *rs, const struct core_event *ev,
		  detect_alert_fn fn, void *ud);

/*
 * Matching in worker threads.  A matcher evaluates the plain rules of a
 * compiled ruleset on an event without touching the ruleset (each has
 * its own prefilter scratch and regex match data), so several threads
 * may run one matcher each at once.  detect_matcher_run() stores the
 * hits, in the order detect_match() would raise them, into hits (cap
 * entries) and returns their number, which may exceed cap: then call
 * detect_match() on that event instead.  detect_apply() then does, in
 * input order on the ruleset's own thread, what detect_match() does
 * with those hits: plain alerts and correlation state.  Together they
 * give exactly detect_match()'s alerts.
 */
struct detect_matcher;

struct detect_matcher *detect_matcher_new(struct detect_ruleset *rs);
void detect_matcher_free(struct detect_matcher *m);
unsigned detect_matcher_run(struct detect_matcher *m,
			    const struct core_event *ev, uint32_t *hits,
			    unsigned cap);
void detect_apply(struct detect_ruleset *rs, const struct core_event *ev,
		  const uint32_t *hits, unsigned n, detect_alert_fn fn,
		  void *ud);

/* Reports correlation alerts still open at the end of the input. */
void detect_flush(struct detect_ruleset *rs, detect_alert_fn fn, void *ud);

/* One field a log source provides: Sigma name -> event field. */
typedef void (*detect_field_fn)(const char *sigma, const char *event_field,
				void *ud);

/*
 * Lists the fields of log source "product/service" or
 * "product/category" (e.g. "linux/sshd", "windows/process_creation";
 * "product" alone for the product's generic source), else of
 * "category/service" with no product ("network/dns").  label (may be
 * NULL) gets the source's label and *open whether any field name is
 * accepted as is.  Loads the log source map if needed.  Returns 0 or
 * CORE_E_NOTFOUND.
 */
int detect_ruleset_fields(struct detect_ruleset *rs, const char *source,
			  const char **label, bool *open, detect_field_fn fn,
			  void *ud);

/*
 * Calls fn with each field name the events of that log source carry
 * (its `known:` list in the map) and returns how many; 0 when the map
 * lists none for it.
 */
unsigned detect_ruleset_known(struct detect_ruleset *rs, const char *source,
			      void (*fn)(const char *name, void *ud),
			      void *ud);

/*
 * Calls fn with each field of that log source a test also reads
 * another way (how: "without trailing blanks", "as the GUID inside
 * %{...} or {...}": the map file's padded_fields and braced_fields, "*"
 * for every field) and returns how many.
 */
unsigned detect_ruleset_rereads(struct detect_ruleset *rs, const char *source,
				void (*fn)(const char *field, const char *how,
					   void *ud),
				void *ud);

/*
 * Calls fn with each message reference the fields of that log source
 * hold (its `message_refs` in the map: field, "%%4417", its text) and
 * returns how many.
 */
unsigned detect_ruleset_msgrefs(struct detect_ruleset *rs, const char *source,
				void (*fn)(const char *field, const char *ref,
					   const char *text, void *ud),
				void *ud);

/*
 * Entry i (from 0, in map order) of the log source map: *label is the
 * same pointer detect_ruleset_fields() gives for that entry, *refuse
 * (may be NULL) why no event can belong to it, or NULL when events can.
 * Loads the log source map if needed.  Returns 0, or CORE_E_NOTFOUND
 * past the last entry or without a map.
 */
int detect_ruleset_source(struct detect_ruleset *rs, unsigned i,
			  const char **label, const char **refuse);

/*
 * For a plain alert (alert->event set), calls fn with each field a
 * selection that holds for the event names, and its value, once per
 * field; then unmet with each other field the rule tested that holds a
 * value (a filter's, which did not hold), once per field too.  unmet may
 * be NULL.
 */
typedef void (*detect_match_fn)(const char *field, struct core_str value,
				void *ud);
void detect_alert_fields(struct detect_ruleset *rs,
			 const struct detect_alert *alert, detect_match_fn fn,
			 detect_match_fn unmet, void *ud);

/*
 * For a plain alert, calls fn with each field of the rule's Sigma
 * `fields` list that holds a value in the event and that
 * detect_alert_fields() does not already give, in the list's order.
 */
void detect_alert_shown(struct detect_ruleset *rs,
			const struct detect_alert *alert, detect_match_fn fn,
			void *ud);

#endif /* VIGIL_DETECT_H */
