/*
 * detect_int.h: the detect room's internal types, shared by its files and
 * by its unit tests; nothing outside src/detect/ and tests/unit/detect/
 * includes it.
 *
 * A loaded rule is a tree: the condition (and/or/not over selections), each
 * selection an OR of alternatives, each alternative an AND of field
 * matchers, each field matcher a list of values combined with OR (or AND
 * under |all).  Everything a rule owns lives in the ruleset's arena, except
 * compiled regular expressions, which the ruleset frees in one pass.
 */
#ifndef VIGIL_DETECT_INT_H
#define VIGIL_DETECT_INT_H

/*
 * Literals a log source's rules must need before the prefilter's scan
 * gates them: the scan costs about as much as testing a hundred small
 * rules, so a source with few (vigil's sshd rules) is tested directly.
 */
#define DETECT_PF_GATE_LITS 64

#define PCRE2_CODE_UNIT_WIDTH 8

#include "detect/detect.h"

#include <pcre2.h>
#include <yaml.h>

/* ------------------------------------------------------------ field refs */

/* Pseudo field id: keyword search over message (or raw when absent). */
#define DETECT_F_KEYWORD 0xfffe

/*
 * An event field, resolved at load: a known id or a name, and the fields
 * to read in turn when it is absent (a log source mapping one Sigma name
 * onto different fields of different events).
 */
struct detect_fref {
	uint16_t id;
	uint32_t hash;		/* core_field_hash(name) */
	struct core_str name;	/* set when id == CORE_F_NAMED */
	const struct detect_fref *or;	/* read when this field is absent */
};

/* The value of the first of f's fields that ev has, or NULL. */
const struct core_str *detect_fref_get(const struct core_event *ev,
				       const struct detect_fref *f);

/* ---------------------------------------------------------------- values */

enum detect_vkind {
	DETECT_V_EQ = 0,
	DETECT_V_PREFIX,
	DETECT_V_SUFFIX,
	DETECT_V_CONTAINS,
	DETECT_V_GLOB,
	DETECT_V_ANY,		/* the lone wildcard "*": any present value */
	DETECT_V_RE,
	DETECT_V_CIDR,
	DETECT_V_NUM,
	DETECT_V_EXISTS,
	DETECT_V_NULL,
	DETECT_V_FIELDREF,	/* compare with another field of the event */
	DETECT_V_NONE,		/* an undefined placeholder: matches nothing */
};

/* Transformation modifiers, applied in the order the rule gives. */
enum detect_xform {
	DETECT_X_WINDASH = 1,
	DETECT_X_BASE64,
	DETECT_X_BASE64OFFSET,
	DETECT_X_UTF16LE,
	DETECT_X_UTF16BE,
	DETECT_X_UTF16,
};

/* Time modifiers: the part of a date field compared as a number. */
enum detect_tpart {
	DETECT_T_NONE = 0,
	DETECT_T_MINUTE,
	DETECT_T_HOUR,
	DETECT_T_DAY,
	DETECT_T_WEEK,
	DETECT_T_MONTH,
	DETECT_T_YEAR,
};

#define DETECT_MAX_XFORMS 8
/* Values one rule value may expand into (windash, base64offset ...). */
#define DETECT_MAX_EXPANSION 1024
/* Values one field matcher may hold, expansions included. */
#define DETECT_MAX_VALUES (60 * DETECT_MAX_EXPANSION)

enum detect_cmp {
	DETECT_CMP_EQ = 0,
	DETECT_CMP_GT,
	DETECT_CMP_GTE,
	DETECT_CMP_LT,
	DETECT_CMP_LTE,
	DETECT_CMP_NEQ,
};

/* Glob tokens: bytes 0..255, or one of these. */
#define DETECT_GLOB_STAR 0x100
#define DETECT_GLOB_QMARK 0x101

struct detect_value {
	uint8_t kind;
	uint8_t cmp;
	bool cased;
	bool exists;
	uint8_t tpart;		/* DETECT_T_... for DETECT_V_NUM */
	uint16_t grp;		/* the rule value this one was expanded from */
	struct detect_fref ref;	/* DETECT_V_FIELDREF */
	struct core_str lit;	/* folded to lower case unless cased */
	const uint16_t *glob;
	size_t nglob;
	pcre2_code *re;
	struct core_ip net;
	unsigned prefix;
	int64_t num;
};

/* Modifiers of one field key, parsed from "field|mod|mod". */
struct detect_mods {
	bool contains, startswith, endswith, all, re, cidr, exists;
	bool cased, neq, re_i, re_m, re_s;
	bool expand, fieldref;
	int cmp;		/* DETECT_CMP_... for gt/gte/lt/lte, else -1 */
	uint8_t tpart;		/* DETECT_T_... */
	uint8_t nxf;
	uint8_t xf[DETECT_MAX_XFORMS];	/* DETECT_X_... in rule order */
};

struct detect_ruleset;

/*
 * Parses "a|b|c" modifiers (the part after the field name) into m.
 * Returns 0, or CORE_E_UNSUPPORTED with the reason in why.
 */
int detect_mods_parse(const char *p, size_t len, struct detect_mods *m,
		      char *why, size_t nwhy);

/*
 * Compiles one rule value under the modifiers into v; is_null says the
 * YAML scalar was a plain null.  Allocations come from the ruleset.
 * Refuses modifiers that expand a value into several (use
 * detect_value_expand()).  Returns 0 or a negative CORE_E_... with the
 * reason in why.
 */
int detect_value_compile(struct detect_ruleset *rs, struct detect_value *v,
			 const char *p, size_t len, bool is_null,
			 const struct detect_mods *m, char *why, size_t nwhy);

/*
 * Compiles one rule value into the values it expands to (placeholders,
 * windash, base64offset ...), appended to *vals (an arena array of
 * capacity *cap, grown as needed) with grp set to group.  A fieldref
 * value is left for the caller to resolve (kind DETECT_V_FIELDREF, lit
 * the field name).  Returns 0 or a negative CORE_E_... with why.
 */
int detect_value_expand(struct detect_ruleset *rs, const char *p, size_t len,
			bool is_null, const struct detect_mods *m,
			uint16_t group, struct detect_value **vals,
			unsigned *n, unsigned *cap, char *why, size_t nwhy);

/*
 * The literal every match of regular expression p[0, len) contains (in
 * lower case, in rs's memory; empty when none can be told), for the
 * prefilter; caseless as |re|i.  See value.c.
 */
struct core_str detect_re_literal(struct detect_ruleset *rs, const char *p,
				  size_t len, bool caseless);

struct detect_msgrefs;

/*
 * Windows message references: for each value of (*vals)[from, *n) (one
 * rule value's expansions) that a reference's text satisfies, appends
 * the same test of the reference ("%%4417"), and for each one the
 * reference satisfies, the same test of its text, in the same group.
 * Only equality, prefix, suffix and substring tests are carried over.
 * Returns 0, or CORE_E_TOOBIG past DETECT_MAX_VALUES values.
 */
int detect_value_msgrefs(struct detect_ruleset *rs,
			  const struct detect_msgrefs *mr, unsigned from,
			  struct detect_value **vals, unsigned *n,
			  unsigned *cap);

/* Does the field value (NULL: field absent) of ev satisfy v? */
bool detect_value_match(struct detect_ruleset *rs,
			const struct detect_value *v,
			const struct core_str *field,
			const struct core_event *ev);

/* ------------------------------------------------------------ selections */

/*
 * Other readings of a field's value a matcher also tries (a map file's
 * `padded_fields` and `braced_fields`): without its trailing spaces and
 * tabs, and a "%{GUID}" or "{GUID}" as the GUID alone.
 */
#define DETECT_REREAD_BLANKS 1
#define DETECT_REREAD_BRACES 2

struct detect_fmatch {
	struct detect_fref field;
	bool all;		/* rule values ANDed (|all) instead of ORed */
	bool neg;		/* |neq: none of the values */
	uint8_t reread;		/* DETECT_REREAD_...: other readings */
	const struct detect_fref *also;	/* a field read as well, or NULL */
	const struct detect_fref *pf_field;	/* field, then also: for the
						 * prefilter; NULL: field */
	uint16_t nvals;		/* expanded values; grp says whose */
	struct detect_value *vals;
};

/* An AND of field matchers. */
struct detect_conj {
	uint16_t n;
	struct detect_fmatch *f;
};

/* A named selection: an OR of conjunctions. */
struct detect_sel {
	const char *name;
	uint16_t nalt;
	struct detect_conj *alt;
};

bool detect_sel_match(struct detect_ruleset *rs, const struct detect_sel *s,
		      const struct core_event *ev);

/* ------------------------------------------------------------ conditions */

enum detect_cop {
	DETECT_C_SEL = 0,
	DETECT_C_AND,
	DETECT_C_OR,
	DETECT_C_NOT,
	DETECT_C_NOF,		/* at least k of the children */
};

struct detect_cond {
	uint8_t op;
	uint16_t n;		/* children of AND / OR / NOF */
	uint16_t k;		/* DETECT_C_NOF */
	uint32_t sel;		/* DETECT_C_SEL: index into the rule's sels */
	struct detect_cond **kid;
};

/*
 * Parses a Sigma condition over the named selections.  Returns the tree
 * (arena-owned) or NULL with the reason in why.
 */
struct detect_cond *detect_cond_parse(struct detect_ruleset *rs,
				      const char *text, size_t len,
				      const struct detect_sel *sels,
				      unsigned nsels, char *why, size_t nwhy);

struct detect_rule;

/* Evaluates condition k of rule r on ev. */
bool detect_cond_eval(struct detect_ruleset *rs, const struct detect_rule *r,
		      const struct detect_cond *k, const struct core_event *ev);

/* -------------------------------------------------------------- rules */

enum detect_ctype {
	DETECT_CORR_EVENT_COUNT = 0,
	DETECT_CORR_VALUE_COUNT,
	DETECT_CORR_TEMPORAL,
	DETECT_CORR_TEMPORAL_ORDERED,
	DETECT_CORR_VALUE_SUM,
	DETECT_CORR_VALUE_AVG,
	DETECT_CORR_VALUE_PERCENTILE,
	DETECT_CORR_VALUE_MEDIAN,
};

#define DETECT_CORR_MAX_RULES 8
#define DETECT_CORR_MAX_COND 2
/* A threshold above this is refused: the window keeps one slot per unit. */
#define DETECT_CORR_MAX_THRESHOLD 4096

struct detect_rule;
struct detect_ctab;

struct detect_alias {
	const char *alias;
	const char *rule;	/* a rule name */
	const char *field;
};

struct detect_corr {
	enum detect_ctype type;
	unsigned nrefs;
	const char *refs[DETECT_CORR_MAX_RULES];
	uint64_t ref_line[DETECT_CORR_MAX_RULES];	/* line naming each */
	struct detect_rule *kids[DETECT_CORR_MAX_RULES];
	unsigned ngroup;
	const char *group[DETECT_ALERT_MAX_GROUP];
	/* Group-by fields resolved per referenced rule: [kid][group]. */
	struct detect_fref gref[DETECT_CORR_MAX_RULES][DETECT_ALERT_MAX_GROUP];
	const char *field;	/* value_count */
	struct detect_fref fref[DETECT_CORR_MAX_RULES];
	int64_t timespan;	/* microseconds */
	unsigned ncond;
	struct {
		enum detect_cmp op;
		int64_t v;
		double d;	/* the same bound, for averages and medians */
	} cond[DETECT_CORR_MAX_COND];
	unsigned window;	/* events (or values) the window must hold */
	/* Closed windows: the condition is tested when a window of
	 * `timespan` from a group's first hit closes (lt, lte, eq, neq,
	 * ranges, the value_* metrics); else the burst semantics. */
	bool closed;
	bool generate;		/* generate: true (referenced rules alert) */
	unsigned nalias;
	struct detect_alias *alias;
	struct detect_ctab *tab;
};

/* A correlation this rule feeds, and at which position of its rules. */
struct detect_parent {
	struct detect_rule *rule;
	unsigned slot;
};

struct detect_rule {
	struct detect_rule_info info;
	unsigned logsource;
	unsigned nsels;
	struct detect_sel *sels;
	struct detect_cond *cond;
	struct detect_corr *corr;
	unsigned nparents;
	struct detect_parent *parents;
	struct detect_fref *shown;	/* info.fields, resolved */
	struct detect_rule **filters;	/* Sigma filters excluding events */
	unsigned nfilters;
	const char *const *filter_refs;	/* a filter's `rules` */
	size_t nfilter_refs;
	bool is_filter;
	bool id_given;		/* id came from the rule, not the file */
	bool dead;		/* rejected at compile time */
	bool visiting;		/* cycle check */
	bool pf_always;		/* no literal need: always a candidate */
	uint32_t pf_id;		/* prefilter id: log source, then index order */
	uint32_t plain_id;	/* index in rs->plain (indexed rules) */
};

/* ----------------------------------------------------------- log sources */

/* A placeholder the user defined: %name% -> values (Sigma strings). */
struct detect_placeholder {
	const char *name;
	const char **vals;
	unsigned n;
};

/*
 * Loads data/placeholders.yml (a map of name -> value or list of values)
 * into rs.  Returns 0 or a negative CORE_E_... with err filled.
 */
int detect_placeholders_load(struct detect_ruleset *rs, const char *file,
			     struct core_error *err);

struct detect_fmap {
	const char *sigma;
	struct detect_fref ecs;
	const struct detect_fref *also;	/* `also:` fields, or NULL */
};

/*
 * The message references one field of a log source holds (`message_refs`
 * in the map): Windows keeps some EventData values as references into a
 * message table, "%%4417", and shows them as their text, "WriteData (or
 * AddFile)"; rules are written against either form.
 */
struct detect_msgrefs {
	const char *field;	/* the Sigma field name */
	struct core_str *ref;	/* "%%4417" ... */
	struct core_str *text;	/* the text each stands for */
	unsigned n;
};

struct detect_logsource {
	const char *label;	/* "product=linux service=sshd" */
	const char **product;	/* "" stands for absent */
	unsigned nproduct;
	const char **service;
	unsigned nservice;
	const char **category;
	unsigned ncategory;
	struct detect_sel when;
	struct detect_fmap *fields;
	unsigned nfields, capfields;
	bool open_fields;	/* any field name is accepted as is */
	const char **known;	/* names its events carry; NULL: unknown */
	unsigned nknown;
	const char *refuse;	/* why no event can belong here, or NULL */
	struct detect_msgrefs *msgrefs;
	unsigned nmsgrefs;
	/* The map file's own message_refs, for every source of it. */
	const struct detect_msgrefs *file_msgrefs;
	unsigned nfile_msgrefs;
	const char **padded;	/* `padded_fields` of its map file */
	unsigned npadded;
	const char **braced;	/* `braced_fields` of its map file */
	unsigned nbraced;
	struct detect_rule **rules;	/* plain rules indexed here */
	unsigned nrules, caprules;
	uint32_t pf_first;	/* prefilter id of its first rule */
	unsigned pf_lits;	/* literals its rules need, in all */
	bool pf_gate;		/* its rules wait for the prefilter's scan */
};

/*
 * Appends the sources of one log source map file (data/logsources.yml or
 * one of data/logsources-*.yml) to rs.  Fieldsets are local to the file.
 * Returns 0 or a negative CORE_E_... with err filled.
 */
int detect_logsource_load(struct detect_ruleset *rs, const char *file,
			  struct core_error *err);

/* Which of a rule's logsource keys a name is. */
enum detect_ls_key {
	DETECT_LS_PRODUCT,
	DETECT_LS_SERVICE,
	DETECT_LS_CATEGORY,
};

/*
 * The product, service or category of the map closest to name (a typo:
 * one edit for names under five bytes, else two), or NULL when name is
 * one of the map's or none is close.
 */
const char *detect_logsource_suggest(const struct detect_ruleset *rs,
				     enum detect_ls_key key, const char *name);

/* Finds the log source for a rule's product/service/category (NULL for
 * absent); returns its index or -1. */
int detect_logsource_find(const struct detect_ruleset *rs, const char *product,
			  const char *service, const char *category);

/*
 * False when log source ls lists the field names its events carry
 * (`known:` in the map) and name is none of them, nor an ECS name, nor
 * one it maps: a rule naming it loads but that selection cannot match.
 */
bool detect_logsource_known(const struct detect_ruleset *rs, int ls,
			    const char *name, size_t len);

/* The other readings (DETECT_REREAD_...) field name has in source ls. */
unsigned detect_logsource_reread(const struct detect_ruleset *rs, int ls,
				 const char *name, size_t len);


/*
 * The fields a test of Sigma field name in log source ls also holds of
 * (`also:` in the map: webserver's cs-uri-query also reads the whole
 * URL), or NULL.
 */
const struct detect_fref *detect_logsource_also(
	const struct detect_ruleset *rs, int ls, const char *name, size_t len);

/* The message references field name holds in log source ls, or NULL. */
const struct detect_msgrefs *detect_logsource_msgrefs(
	const struct detect_ruleset *rs, int ls, const char *name, size_t len);

/*
 * Resolves a Sigma field name in log source ls (-1: none, ECS names only).
 * Returns false when the name is unknown there.
 */
bool detect_logsource_field(struct detect_ruleset *rs, int ls,
			    const char *name, size_t len,
			    struct detect_fref *out);

/* --------------------------------------------------------------- ruleset */

/* Rule ids or names to rule index + 1 (0: empty); see ruleset.c. */
struct detect_reftab {
	uint32_t *slot;
	uint32_t cap, n;
};

struct detect_ruleset {
	struct core_arena *arena;
	struct detect_rule **rules;
	unsigned nrules, caprules;
	struct detect_logsource *ls;	/* malloc'd, grows while loading */
	unsigned nls, capls;
	bool ls_loaded;
	char datadir[1024];
	struct detect_placeholder *ph;	/* from data/placeholders.yml */
	unsigned nph;
	char ph_file[1024];	/* the placeholders file, for warnings */
	char ph_missing[72];	/* set by detect_value_expand(): %name% */
	detect_reject_fn warn;	/* notices about rules that load */
	void *warn_ud;
	uint64_t nwarn;
	pcre2_code **res;
	unsigned nres, capres;
	pcre2_match_data *md;
	detect_reject_fn reject;
	void *reject_ud;
	bool compiled;
	unsigned group_cap;
	uint64_t evictions;
	int64_t clock;		/* latest event time seen */
	struct detect_pf *pf;	/* literal prefilter, NULL when off */
	struct detect_rule **plain;	/* indexed plain rules, by plain_id */
	unsigned nplain;
	bool pf_off;		/* detect_ruleset_set_prefilter(false) */
	bool pf_forced;		/* detect_ruleset_set_prefilter(true) */
	bool pf_cache;		/* detect_ruleset_set_cache(): pf_cache_dir */
	char pf_cache_dir[1024];
	unsigned nre_jit;	/* regular expressions JIT-compiled */
	struct detect_wc *wc;	/* log sources per `when` key */
	struct detect_reftab ids, names;	/* duplicate checks */
};

/* Arena helpers for the loader. */
void *detect_alloc(struct detect_ruleset *rs, size_t n);
const char *detect_strdup(struct detect_ruleset *rs, const char *p,
			  size_t len);
/* Keeps a compiled regular expression to free with the ruleset. */
int detect_keep_re(struct detect_ruleset *rs, pcre2_code *re);

/* Parses one YAML file's documents into rules; see loader.c. */
int detect_load_yaml(struct detect_ruleset *rs, const char *name,
		     const unsigned char *data, size_t len);

/* Adds a parsed rule to the ruleset (which takes it). */
int detect_ruleset_add(struct detect_ruleset *rs, struct detect_rule *r);

/* Edit distance of a and b (case folded), or max + 1 once past max. */
unsigned detect_edit_distance(const char *a, const char *b, unsigned max);

/* Reports a notice about a loaded rule through the warn callback. */
void detect_warn(struct detect_ruleset *rs, const char *file, uint64_t line,
		 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Reports a rejected rule through the ruleset's callback. */
void detect_reject(struct detect_ruleset *rs, const char *file,
		   uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ------------------------------------------------------------- prefilter */

struct detect_pf;

/*
 * Derives each indexed plain rule's literal need and compiles them into
 * one Vectorscan database (rs->pf); see prefilter.c.  Returns 0 or a
 * negative CORE_E_... with err filled.
 */
int detect_pf_build(struct detect_ruleset *rs, struct core_error *err);
void detect_pf_free(struct detect_ruleset *rs);
/* Starts matching ev, which belongs to log sources src[0, nsrc): looks
 * its values up among the exact ones and notes the fields to scan. */
void detect_pf_begin(struct detect_ruleset *rs, const struct core_event *ev,
		     const uint16_t *src, unsigned nsrc);
/* Scans that event for gated source e's literals; then detect_pf_next()
 * answers for e's rules. */
void detect_pf_scan(struct detect_ruleset *rs,
		    const struct detect_logsource *e);
/*
 * The first prefilter id in [from, end) of a rule that may hold for the
 * scanned event (all its literal clauses seen, or it has none), else end.
 */
uint32_t detect_pf_next(const struct detect_ruleset *rs, uint32_t from,
			uint32_t end);
/*
 * A copy of rs's prefilter sharing its database, with its own scratch
 * and marks (for a matcher thread); NULL when rs has no prefilter or on
 * failure (the caller then matches without it).
 */
struct detect_pf *detect_pf_clone(const struct detect_pf *pf);
void detect_pf_clone_free(struct detect_pf *pf);

/* Literals in the databases (a literal counts once per log source that
 * needs it), exact values looked up, and rules with no need. */
void detect_pf_stats(const struct detect_ruleset *rs, unsigned *literals,
		     unsigned *exact, unsigned *always);

/* Databases built, of which read from the cache, and written to it. */
void detect_pf_cache_stats(const struct detect_ruleset *rs, unsigned *dbs,
			   unsigned *cached, unsigned *stored);

/* ------------------------------------------------------- prefilter cache */

/*
 * pfcache.c: compiled prefilter databases kept in a directory, named by
 * a hash of their compile's inputs (see the file's header).
 */
#define DETECT_PFC_KEY 32

struct detect_pfc;
struct hs_database;

/* One database's compile inputs, as hs_compile_lit_multi() takes them. */
struct detect_pfc_in {
	const char *const *expr;
	const size_t *lens;
	const unsigned *flags, *ids;
	unsigned n, mode;
};

/*
 * The cache directory the environment names: $VIGIL_CACHE_DIR, else
 * $XDG_CACHE_HOME/vigil, else $HOME/.cache/vigil.  CORE_E_NOTFOUND when
 * $VIGIL_CACHE_DIR is empty (the cache is off) or no variable gives an
 * absolute path; CORE_E_TOOBIG when out (n bytes) is too short.
 */
int detect_pfc_default_dir(char *out, size_t n);

/*
 * Opens (creates 0700 when missing) the cache in dir.  A directory that
 * cannot be used gives a cache that reads and writes nothing, after one
 * warning; NULL only on no memory.
 */
struct detect_pfc *detect_pfc_open(const char *dir);

/* The key of in's database, for this library and host. */
void detect_pfc_key(const struct detect_pfc *c,
		    const struct detect_pfc_in *in,
		    unsigned char key[DETECT_PFC_KEY]);

/* The cached database of key (the caller frees it with
 * hs_free_database()), or NULL: absent, untrusted or damaged. */
struct hs_database *detect_pfc_get(struct detect_pfc *c,
				   const unsigned char key[DETECT_PFC_KEY]);

/* Keeps db under key; a failure is told once and stops later writes. */
void detect_pfc_put(struct detect_pfc *c,
		    const unsigned char key[DETECT_PFC_KEY],
		    const struct hs_database *db);

/* Gives the databases read and written, prunes the directory when one
 * was written, and frees c (NULL: nothing). */
void detect_pfc_close(struct detect_pfc *c, unsigned *nread,
		      unsigned *nwritten);

/* ------------------------------------------------------------ when cache */

struct detect_wc;

/*
 * Builds rs->wc over the `when` of every log source with rules; when some
 * `when` reads more than its fields (keywords, a field reference), it
 * caches nothing and tests every `when`.  Returns 0 or CORE_E_NOMEM.
 */
int detect_wc_build(struct detect_ruleset *rs);
/* A copy with its own table, for a matcher thread; NULL on failure. */
struct detect_wc *detect_wc_clone(const struct detect_wc *wc);
void detect_wc_free(struct detect_wc *wc);
/*
 * The log sources (indices into rs->ls, ascending) that have rules and
 * whose `when` holds for ev, in *out (valid until the next call); returns
 * how many.
 */
unsigned detect_wc_sources(struct detect_ruleset *rs,
			   const struct core_event *ev, const uint16_t **out);

/* ------------------------------------------------------------ correlation */

/* Prepares state for every correlation rule (called from compile). */
int detect_corr_init(struct detect_ruleset *rs, struct detect_rule *r);
void detect_corr_free(struct detect_rule *r);

/*
 * Feeds ev to correlation r as a hit of its rule at position slot.  May
 * report alerts (fn) and feed r's own parents.
 */
void detect_corr_feed(struct detect_ruleset *rs, struct detect_rule *r,
		      unsigned slot, const struct core_event *ev,
		      detect_alert_fn fn, void *ud);

/* Reports every open burst of r and forgets r's state. */
void detect_corr_flush(struct detect_ruleset *rs, struct detect_rule *r,
		       detect_alert_fn fn, void *ud);

/* A rule (plain or correlation) held for ev: alert and feed parents. */
void detect_rule_hit(struct detect_ruleset *rs, struct detect_rule *r,
		     const struct core_event *ev, detect_alert_fn fn,
		     void *ud);

/* Fills an evidence record from ev (pointers into ev). */
void detect_evidence_from(struct detect_evidence *e,
			  const struct core_event *ev);

#endif /* VIGIL_DETECT_INT_H */
