/*
 * anomaly.h: template mining and its accuracy measurement.
 *
 * A template is a message with its variable parts replaced by the slot
 * marker "<*>": "Failed password for <*> from <*> port <*> ssh2".  The
 * miner assigns every message to a template in one pass and in bounded
 * memory; the masker is the first step of that pass and is exposed on its
 * own because baselines and embeddings (later in this room) start from the
 * same tokens.
 *
 * The pieces, each in its own file:
 *   mask.c    tokens of a message, variables masked, header stripping
 *   miner.c   online clustering of masked token sequences into templates
 *   csv.c     an RFC 4180 reader for ground-truth files
 *   eval.c    grouping and parsing accuracy against loghub ground truth
 *   embed.c   dense vectors of templates and messages (feature hashing)
 *   space.c   the 2-D projection, clusters and the SVG plot of vectors
 *   model.c   baselines per host and service, and anomaly alerts
 *   state.c   the model as one blob, for the store
 *   judge.c   precision and recall of the alerts on labelled logs
 *
 * Every parameter has a default that is tested on the public benchmark;
 * nothing is tuned per log type.  See docs/templates.md.
 */
#ifndef VIGIL_ANOMALY_H
#define VIGIL_ANOMALY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/core.h"
#include "detect/detect.h"

/* ------------------------------------------------------------- masking */

#define ANOMALY_MAX_TOKENS 128		/* more are folded into one slot */
#define ANOMALY_MAX_LINE 16384		/* bytes of a message looked at */
#define ANOMALY_MASK_BUF (3 * ANOMALY_MAX_LINE + 64)

/* Token flags. */
enum {
	/*
	 * Looks like a constant word: no digit, no slot, no path or address
	 * characters.  Two different constant-looking tokens at one position
	 * keep messages apart until the final pass says otherwise.
	 */
	ANOMALY_TOK_CONST = 1 << 0,
	ANOMALY_TOK_SLOT = 1 << 1,	/* the whole token is "<*>" */
};

/*
 * The masked tokens of one message.  A value type meant for the stack or
 * a long-lived owner (it is about 60 KB); read it through
 * anomaly_tokens_get() and the fields n, hash and flags.
 */
struct anomaly_tokens {
	size_t n;
	uint32_t off[ANOMALY_MAX_TOKENS];
	uint32_t len[ANOMALY_MAX_TOKENS];
	uint64_t hash[ANOMALY_MAX_TOKENS];
	uint8_t flags[ANOMALY_MAX_TOKENS];
	uint16_t klen[ANOMALY_MAX_TOKENS];	/* key of "key=value", or 0 */
	size_t used;
	char buf[ANOMALY_MASK_BUF];
};

/*
 * Splits a message at white space and masks the variables of each token:
 * numbers (signed, decimal, with a unit suffix kept: "12KB" gives
 * "<*>KB"), hexadecimal (0x..., or runs of six or more hex digits with a
 * digit among them), IPv4 and IPv6 addresses, MAC addresses, UUIDs, URLs
 * (the scheme is kept), paths of two or more components, quoted values
 * of key="value" (which may hold spaces), the target and protocol of a
 * quoted HTTP request line, month and day names next to a number, and
 * identifiers whose numeric tail follows an underscore ("blk_-12",
 * "attempt_14_0020_m_3" give "blk_<*>", "attempt_<*>").  Adjacent slots
 * and slots joined by a dot fold into one ("1.2.3.4" gives "<*>").
 * Bytes past ANOMALY_MAX_LINE, and tokens past ANOMALY_MAX_TOKENS, become
 * one final slot.  Never fails; an empty message gives no tokens.
 */
void anomaly_mask_line(const char *p, size_t len, struct anomaly_tokens *out);

/* Token i of t (i < t->n), pointing into t. */
struct core_str anomaly_tokens_get(const struct anomaly_tokens *t, size_t i);

/*
 * Where the message starts in a raw log line: skips a leading header made
 * of timestamps (syslog "Jun 14 15:16:01", ISO 8601, epoch seconds, dates,
 * clock times), a host and "tag[pid]:" after a syslog stamp, and a log
 * level ("INFO", "[error]", "W/").  Generic on purpose: it recognises
 * shapes, never a product.  Returns an offset into p (0: no header).
 */
size_t anomaly_header_skip(const char *p, size_t len);

/* How grave a line says it is, from its log level. */
enum anomaly_level {
	ANOMALY_LEVEL_UNKNOWN = 0,	/* no level stated */
	ANOMALY_LEVEL_LOW,		/* trace, debug, info, notice, warn */
	ANOMALY_LEVEL_ERROR,		/* error, critical, fatal, severe ... */
};

/*
 * The level a word names ("INFO", "[error]", "FATAL:"), case ignored;
 * ANOMALY_LEVEL_UNKNOWN when it names none.
 */
enum anomaly_level anomaly_level_word(const char *p, size_t len);

/*
 * The level stated in the header of a raw line (the part
 * anomaly_header_skip() skips), or ANOMALY_LEVEL_UNKNOWN.
 */
enum anomaly_level anomaly_header_level(const char *p, size_t len);

/* --------------------------------------------------------------- miner */

struct anomaly_miner_opts {
	/*
	 * Share of a template's constant positions a message must repeat
	 * to join it (the others may differ only where a variable could
	 * be).  Default 0.5.
	 */
	double similarity;
	/*
	 * Final pass: templates equal but for one position are merged into
	 * one with a slot there when at least this many of them differ
	 * there.  Default 3.  0 turns the final pass off.
	 */
	unsigned merge_min_values;
	/*
	 * ... and when the median of their message counts is at most this:
	 * variables take mostly rare values, alternatives of a constant
	 * ("VM Started", "VM Stopped") are each frequent.  Default 8.
	 */
	double merge_max_median;
	size_t max_templates;	/* default 100000; then nearest wins */
	size_t cache_slots;	/* exact-match cache entries; default 2^16 */
	size_t example_len;	/* bytes of example kept; default 240 */
};

struct anomaly_miner;

/* Fills o with the defaults above. */
void anomaly_miner_opts_default(struct anomaly_miner_opts *o);

/*
 * A new, empty miner.  opts may be NULL for the defaults.  Returns NULL
 * when out of memory.  Free with anomaly_miner_free().
 */
struct anomaly_miner *anomaly_miner_new(const struct anomaly_miner_opts *opts);
void anomaly_miner_free(struct anomaly_miner *m);

/*
 * Assigns one message (header already stripped) to a template, creating
 * or generalising one as needed.  *id (may be NULL) receives a cluster
 * number: stable for the life of the miner, and mapped to its final
 * template by anomaly_miner_resolve().  Returns 0, or CORE_E_NOMEM (the
 * miner stays usable).
 */
int anomaly_miner_add(struct anomaly_miner *m, const char *p, size_t len,
		      uint32_t *id);

/*
 * The final pass: merges templates that differ in one position where
 * enough distinct values were seen (merge_min_values).  May be called
 * more than once; adding may continue afterwards.  Returns 0 or
 * CORE_E_NOMEM.
 */
int anomaly_miner_finish(struct anomaly_miner *m);

/* The template a cluster number now belongs to (an index below count). */
uint32_t anomaly_miner_resolve(const struct anomaly_miner *m, uint32_t id);

/* Number of cluster numbers handed out (templates and merged ones). */
size_t anomaly_miner_clusters(const struct anomaly_miner *m);

struct anomaly_template {
	/*
	 * The hash of the text (anomaly_template_id), or the id it was
	 * saved with (anomaly_miner_restore): a saved template keeps its
	 * id when later messages widen it.
	 */
	uint64_t id;
	uint64_t count;		/* messages assigned */
	struct core_str text;	/* tokens joined by one space */
	struct core_str example; /* the first message, maybe cut */
	bool live;		/* false: merged into another */
};

/*
 * Describes cluster idx (below anomaly_miner_clusters()).  The strings
 * point into the miner and are valid until the next add or finish.
 */
void anomaly_miner_get(struct anomaly_miner *m, uint32_t idx,
		       struct anomaly_template *out);

/*
 * Adds a saved template as it was: in->text (tokens joined by spaces,
 * slots "<*>"), in->count, in->example and in->id (0: the hash of the
 * text) are copied; no matching, so saved templates never fold into
 * each other on reload.  Tokens holding slots match by the literal
 * around them.  *idx (may be NULL) receives its cluster number.
 * Returns 0 or CORE_E_NOMEM.
 */
int anomaly_miner_restore(struct anomaly_miner *m,
			  const struct anomaly_template *in, uint32_t *idx);

/* The stable id of a template text: FNV-1a over its bytes. */
uint64_t anomaly_template_id(const char *p, size_t len);

/* ----------------------------------------------------------------- csv */

/*
 * RFC 4180 reader over a file read whole (ground truth is small; the
 * ceiling is max_bytes).  Fields may be quoted, hold commas, doubled
 * quotes and line ends; records end at CRLF or LF; a missing final line
 * end is accepted.
 */
struct anomaly_csv;

/*
 * Opens path.  Fails with CORE_E_IO (cannot read), CORE_E_TOOBIG (over
 * max_bytes) or CORE_E_NOMEM; err says which.
 */
int anomaly_csv_open(const char *path, size_t max_bytes,
		     struct anomaly_csv **out, struct core_error *err);
/* Over a caller's buffer, which must outlive the reader. */
int anomaly_csv_open_mem(const char *p, size_t len, struct anomaly_csv **out);
void anomaly_csv_close(struct anomaly_csv *c);

/*
 * The next record: up to max fields into f (unquoted; valid until the
 * next call), their number in *n (more than max: the rest are dropped
 * and *n is max).  Returns 1, 0 at the end, or CORE_E_PARSE for an
 * unterminated quoted field (err has the line).
 */
int anomaly_csv_next(struct anomaly_csv *c, struct core_str *f, size_t max,
		     size_t *n, struct core_error *err);

/* ---------------------------------------------------------------- eval */

/*
 * Normalises a template for comparison, as the Loghub-2.0 study does on
 * both sides: trims and folds white space, turns tokens made only of
 * digits into slots, and folds "<*><*>" and "<*>.<*>" into "<*>".
 * Writes at most n - 1 bytes and a NUL; returns the length written.
 */
size_t anomaly_template_normalise(const char *p, size_t len, char *out,
				  size_t n);

struct anomaly_eval {
	uint64_t lines;
	uint64_t truth_groups;
	uint64_t found_groups;
	double ga;		/* grouping accuracy */
	double pa;		/* parsing accuracy */
	double seconds;		/* mining time alone */
};

/*
 * Mines the Content column of a loghub-style *_structured.csv and scores
 * the result against its EventTemplate column.  opts may be NULL.
 * Returns 0, or a negative CORE_E_... with err filled (missing columns,
 * unreadable file, bad quoting).
 */
int anomaly_eval_file(const char *path, const struct anomaly_miner_opts *opts,
		      struct anomaly_eval *out, struct core_error *err);

/* ----------------------------------------------------------- embedding */

/*
 * Every template and message maps to a dense vector of ANOMALY_DIM
 * (256) or ANOMALY_DIM_MAX (512) floats, L2-normalised, by feature
 * hashing with signed buckets: the features of a text are its masked
 * words, its word pairs and the character trigrams of its constant
 * words; each is hashed to a bucket and a sign and adds its weight
 * there, the weight being the feature's inverse document frequency over
 * the templates learnt (1 + ln((1 + N) / (1 + df))).  No model, no
 * training beyond those counts.  See docs/anomaly.md.
 */
#define ANOMALY_DIM 256
#define ANOMALY_DIM_MAX 512
#define ANOMALY_DF_SLOTS (1u << 16)	/* document-frequency sketch */

struct anomaly_embedder;

/* dim must be 16..ANOMALY_DIM_MAX; NULL on a bad dim or no memory. */
struct anomaly_embedder *anomaly_embedder_new(unsigned dim);
void anomaly_embedder_free(struct anomaly_embedder *e);
unsigned anomaly_embedder_dim(const struct anomaly_embedder *e);

/* Counts the features of one document (a template text) once each. */
void anomaly_embedder_learn(struct anomaly_embedder *e, const char *p,
			    size_t len);

/*
 * The vector of a text into out (dim floats).  The text is masked
 * first, so a raw message and its template land close together.  An
 * empty text gives the zero vector.
 */
void anomaly_embed(struct anomaly_embedder *e, const char *p, size_t len,
		   float *out);

/* Cosine of two L2-normalised vectors (their dot product). */
float anomaly_cosine(const float *a, const float *b, unsigned dim);

/* ------------------------------------------------------------ the space */

/*
 * The first two principal components of n vectors (rows of dim floats),
 * by power iteration with deflation on the centred data, written to xy
 * as n (x, y) pairs.  Deterministic.  Returns 0 or CORE_E_NOMEM.
 */
int anomaly_pca2(const float *v, size_t n, unsigned dim, float *xy);

/*
 * Groups near-duplicates: vectors taken in order of weight (heaviest
 * first) join the first cluster whose leader has cosine >= min_cos with
 * them, else lead a new one.  cluster[i] receives a number below the
 * return value (the number of clusters), 0 on the heaviest.  Returns
 * CORE_E_NOMEM (negative) on failure.
 */
long anomaly_cluster(const float *v, const uint64_t *weight, size_t n,
		     unsigned dim, double min_cos, uint32_t *cluster);

enum anomaly_mark {
	ANOMALY_MARK_NONE = 0,
	ANOMALY_MARK_RARE,	/* rarely seen template */
	ANOMALY_MARK_INCIDENT,	/* an event behind an alert or anomaly */
};

struct anomaly_plot_point {
	struct core_str label;	/* template text */
	uint64_t count;
	uint32_t cluster;
	enum anomaly_mark mark;
};

/*
 * Writes an SVG of the points at xy (from anomaly_pca2): one colour per
 * cluster, the biggest clusters labelled by their heaviest template,
 * rare points as hollow red rings and incident events as red crosses,
 * with a legend.  Labels are XML-escaped.  Returns 0 or CORE_E_IO.
 */
int anomaly_plot_svg(FILE *out, const struct anomaly_plot_point *pt,
		     const float *xy, size_t n, const char *title);

/* --------------------------------------------------------------- model */

/*
 * The model of normal: templates (a miner), their vectors, and baselines
 * per host and service (template counts, events per hour), and the
 * entity/action pairs seen (a user on a host, a process on a host, a
 * source network talking to a service).  Learnt from known-good logs,
 * then used to score new events: each departure becomes an alert shaped
 * like a rule hit (struct detect_alert) whose rule id starts with
 * "anomaly." and whose level is low or informational, so the incident
 * room folds it with rule hits on shared entities but weighs it less.
 */
struct anomaly_model;

struct anomaly_model_opts {
	unsigned dim;		/* vector dimension; default ANOMALY_DIM */
	/*
	 * A learnt template seen at most this often is rare.  Default 1.
	 * Rare alerts are raised only when the baseline's once-seen
	 * templates hold under 1% of its lines: a long tail of one-offs
	 * makes one more unremarkable.
	 */
	uint64_t rare_max;
	/*
	 * An hour of a host/service with more events than
	 * spike_factor * (mean + 3 standard deviations) + spike_min is a
	 * volume spike.  Defaults 2 and 20.
	 */
	double spike_factor;
	uint64_t spike_min;
	/*
	 * A new template whose nearest learnt template has at least this
	 * cosine is a variant of it (a reworded or re-cut message) and
	 * raises nothing.  Default 0: learnt at sealing, as the cosine
	 * that 90% of learnt templates stay below with their own nearest
	 * (distinct kinds of these logs come no closer), kept within
	 * [0.5, 0.9]; 0.8 with under 10 templates.  Above 1 turns it off.
	 */
	double variant_cos;
	/*
	 * Template alerts (new, rare) need a line at this level or above
	 * when the line states a level; a line stating none is always
	 * judged.  Default ANOMALY_LEVEL_ERROR: a never-seen message a
	 * program itself calls informational is counted, not raised.
	 * ANOMALY_LEVEL_UNKNOWN judges every line.
	 */
	enum anomaly_level min_level;
	/* Alerts of one kind per model at most; then counted only. */
	uint64_t max_alerts;	/* default 10000 */
};

void anomaly_model_opts_default(struct anomaly_model_opts *o);

/* NULL when out of memory.  opts may be NULL. */
struct anomaly_model *anomaly_model_new(const struct anomaly_model_opts *o);
void anomaly_model_free(struct anomaly_model *m);

/*
 * The message text of an event: the "message" field when a decoder set
 * one, else the raw record without its header (anomaly_header_skip).
 */
struct core_str anomaly_event_message(const struct core_event *ev);

/* Learns one known-good event.  Returns 0 or CORE_E_NOMEM. */
int anomaly_model_learn(struct anomaly_model *m, const struct core_event *ev);

/*
 * Ends learning: merges templates (anomaly_miner_finish) and computes
 * their vectors.  Scoring calls it when needed.  0 or CORE_E_NOMEM.
 */
int anomaly_model_seal(struct anomaly_model *m);

/*
 * Scores one event against the model and calls fn for each anomaly it
 * shows (template never seen, rare template, first-seen pair).  The
 * event is then part of the model (a second occurrence is not new).
 * The alert and its strings are valid during the callback only.
 * Returns the number of alerts raised, or CORE_E_NOMEM.
 */
int anomaly_model_score(struct anomaly_model *m, const struct core_event *ev,
			detect_alert_fn fn, void *ud);

/* Ends scoring: reports volume spikes of the hours still open. */
int anomaly_model_flush(struct anomaly_model *m, detect_alert_fn fn,
			void *ud);

/* Events learnt, and the first and last time among them (0: none). */
uint64_t anomaly_model_learnt(const struct anomaly_model *m, int64_t *first,
			      int64_t *last);

/* The model's miner and embedder, for listing and plotting. */
struct anomaly_miner *anomaly_model_miner(struct anomaly_model *m);
struct anomaly_embedder *anomaly_model_embedder(struct anomaly_model *m);

/* Is this rule one of the anomaly room's (id starting "anomaly.")? */
bool anomaly_rule_is(const struct detect_rule_info *r);

/* --------------------------------------------------------------- state */

/*
 * The model as one blob (docs/anomaly.md gives the layout: a magic, a
 * version, then length-prefixed sections, little-endian), for
 * store_state_put("anomaly", "model").  Appends to out.  0 or
 * CORE_E_NOMEM / CORE_E_TOOBIG.
 */
int anomaly_state_save(struct anomaly_model *m, struct core_buf *out);

/*
 * A model from a blob written by anomaly_state_save().  Every length and
 * count is checked against the bytes left; a bad blob is CORE_E_PARSE
 * with err saying where, and no model.  opts may be NULL.
 */
int anomaly_state_load(const void *p, size_t len,
		       const struct anomaly_model_opts *opts,
		       struct anomaly_model **out, struct core_error *err);

/*
 * The templates of a miner alone (ids, counts, texts, examples), for
 * store_state_put("anomaly.templates", NAME) by `vigil templates
 * --store`.  Appends to out.  0 or CORE_E_TOOBIG.
 */
int anomaly_templates_save(struct anomaly_miner *m, struct core_buf *out);

/*
 * Restores a blob of anomaly_templates_save() into m (normally empty),
 * each template as saved with its id.  A bad blob is CORE_E_PARSE with
 * err saying where; the templates before the fault stay in m.
 */
int anomaly_templates_load(struct anomaly_miner *m, const void *p,
			   size_t len, struct core_error *err);

/* --------------------------------------------------------------- judge */

struct anomaly_judgement {
	uint64_t alerts;	/* labelled alert lines in the whole file */
	bool labels_from_log;	/* read from the raw log, not the csv */
	uint64_t learn_lines, test_lines;
	uint64_t true_pos, false_pos, false_neg;
	double precision, recall, f1;
};

/*
 * Judges the anomaly alerts on a labelled loghub log (BGL, Thunderbird:
 * the first field is "-" on normal lines, an alert category otherwise):
 * learns the normal lines of the first learn_share of the file, in its
 * order, then scores every line of the rest; a line is predicted
 * anomalous when it raises an alert about itself (a volume spike is
 * about the hour before, not the line that closed it).  Reads the
 * *_structured.csv (Label, Timestamp, Content, Node or User, Component,
 * Level columns), the labels preferably from the raw log beside it.
 * Returns 0 or a negative CORE_E_... with err filled.
 */
int anomaly_judge_file(const char *path, double learn_share,
		       struct anomaly_judgement *out, struct core_error *err);

#endif /* VIGIL_ANOMALY_H */
