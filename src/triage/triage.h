/*
 * triage.h: a verdict for each incident, with its reasons, from a
 * language model when one is configured and from the deterministic
 * score otherwise; and what vigil learns from analysts' decisions.
 *
 * The flow for one incident (triage_run):
 *
 *   case      the incident as stored (store_query_incident), parsed
 *   pack      a compact, bounded evidence pack (< TRIAGE_PACK_TOKENS
 *             estimated tokens whatever the incident's size), its log
 *             text pseudonymised and screened for instruction-like text
 *   model     the pack goes out as quoted, delimited data; the model may
 *             call read-only investigation tools, at most step_limit
 *             turns; the answer is validated against a schema, with one
 *             repair attempt, and mapped back from tokens
 *   floor     the deterministic floor bounds what the model may change
 *             (triage_floor)
 *   record    the trace (prompts as sent, tool calls, answers, timings,
 *             tokens) and the verdict go to the store
 *
 * Learning: triage_learn_* turns incidents into feature vectors, trains
 * a logistic regression on analysts' feedback that predicts false
 * positives (weights kept in the store), explains a prediction by its
 * strongest features, and finds the most similar past decisions, which
 * become examples in later prompts.
 */
#ifndef VIGIL_TRIAGE_H
#define VIGIL_TRIAGE_H

#include "core/core.h"
#include "llm/llm.h"
#include "store/store.h"

/* -------------------------------------------------------------- verdicts */

enum triage_verdict {
	TRIAGE_FALSE_POSITIVE = 0,
	TRIAGE_BENIGN,
	TRIAGE_SUSPICIOUS,
	TRIAGE_MALICIOUS,
};

/* "false_positive", "benign", "suspicious", "malicious". */
const char *triage_verdict_name(enum triage_verdict v);
/* Also accepts "false-positive"; -1 when unknown. */
int triage_verdict_lookup(const char *name);

/* ------------------------------------------------------------------ case */

#define TRIAGE_MAX_EVIDENCE 40
#define TRIAGE_MAX_ENTITIES 64
#define TRIAGE_MAX_RULES 32

/* The incident as triage sees it; parsed from the store's document. */
struct triage_case;

/* Parses a store_query_incident() document.  CORE_E_PARSE. */
int triage_case_parse(const char *json, size_t len, struct triage_case **out,
		      struct core_error *err);
/* Reads incident id from the store and parses it. */
int triage_case_load(struct store *st, int64_t id, struct triage_case **out,
		     struct core_error *err);
void triage_case_free(struct triage_case *c);

int64_t triage_case_id(const struct triage_case *c);
unsigned triage_case_score(const struct triage_case *c);
const char *triage_case_title(const struct triage_case *c);
/* The strongest rule level, 0 (informational) .. 4 (critical). */
int triage_case_max_level(const struct triage_case *c);
/* The explanation vigil's incident room wrote. */
const char *triage_case_explanation(const struct triage_case *c);

/* ------------------------------------------------------------------ pack */

/* Budget of the evidence pack, in llm_token_estimate() tokens. */
#define TRIAGE_PACK_TOKENS 3500

struct triage_pack_info {
	size_t bytes;
	size_t tokens;			/* llm_token_estimate of the pack */
	unsigned evidence;		/* lines kept */
	unsigned entities;
	unsigned dropped;		/* items left out to fit the budget */
	unsigned flagged;		/* fields with instruction-like text */
	unsigned ids;			/* evidence ids L1..Ln in the pack */
};

/*
 * Appends the evidence pack of c (a JSON document) to out.  With p, every
 * value from the logs is pseudonymised (entities registered first);
 * without, only secrets are removed.  history may be NULL or a JSON
 * document of the entities' history to include (cut to fit).
 */
int triage_pack_build(const struct triage_case *c, struct llm_pseudo *p,
		      const char *history, struct core_buf *out,
		      struct triage_pack_info *info);

/*
 * Screens one attacker-controlled text for instructions aimed at a model
 * (in several languages, after undoing URL and base64 encoding,
 * zero-width characters and homoglyphs).  Returns true when it found
 * some; docs/prompt-injection.md lists what is looked for.
 */
bool triage_guard_suspect(const char *p, size_t len);

/*
 * Screens a JSON document (a tool result) value by value: every string
 * that reads like an instruction is replaced by the withheld marker and
 * counted in *flagged; the rest of the document, keys and structure are
 * kept, so the model still gets the evidence around it.  Values vigil
 * writes itself from a closed set (verdicts, levels, times) are not
 * screened.  Appends the document, re-serialised, to out; text that is
 * not JSON is withheld whole (*flagged 1).  CORE_E_NOMEM, or the
 * buffer's error.
 */
int triage_guard_json(const char *json, size_t len, struct core_buf *out,
		      unsigned *flagged);

/* --------------------------------------------------------------- floor */

/* What the deterministic floor weighs. */
struct triage_floor_in {
	unsigned score;			/* the incident's own score */
	int max_level;			/* strongest rule, 0..4 */
	bool injection;			/* the pack held instruction text */
	unsigned bound;			/* points a model may take away */
	enum triage_verdict proposed;
	int proposed_score;		/* -1: none proposed */
};

struct triage_floor_out {
	enum triage_verdict verdict;
	unsigned score;
	bool clamped;			/* the floor changed the proposal */
	bool needs_analyst;		/* model disagreed with a strong hit */
	char reason[200];
};

/*
 * The floor, documented in docs/llm.md: the score goes down by at most
 * bound; with a high or critical rule hit, or instruction-like text in
 * the evidence, the verdict cannot go below the deterministic one and
 * the score not below 65, and a disagreement is left to an analyst.
 */
void triage_floor(const struct triage_floor_in *in,
		  struct triage_floor_out *out);

/* The verdict the score alone gives. */
enum triage_verdict triage_deterministic_verdict(unsigned score,
						 int max_level);

/* ------------------------------------------------------------- answers */

/* The JSON Schema a model's verdict must follow. */
extern const char triage_answer_schema[];

struct triage_answer {
	enum triage_verdict verdict;
	double confidence;
	int score;			/* -1: none */
	char *explanation;
	char *evidence;			/* JSON array of ids */
	char *actions;			/* JSON array of strings */
};

/*
 * Validates a model's text: the JSON object in it, against the schema,
 * with every cited evidence id among the pack's nids (L1..Ln).
 * CORE_E_PARSE with the reason.
 */
int triage_answer_parse(const char *text, size_t len, unsigned nids,
			struct triage_answer *a, struct core_error *err);
void triage_answer_free(struct triage_answer *a);

/* ------------------------------------------------------------------- run */

/*
 * The latest analyst's decision on an incident (`vigil feedback`): it
 * has the last word, so triage shows it as the verdict and keeps what
 * vigil's own producer said in vigil_verdict.
 */
struct triage_decision {
	bool decided;
	enum triage_verdict verdict;
	enum triage_verdict vigil_verdict;	/* stored for the producer */
	char analyst[64];
	char note[200];
	int64_t at;
};

struct triage_result {
	int64_t incident_id;
	const char *producer;		/* STORE_BY_LLM or _DETERMINISTIC */
	char status[32];		/* ok, no-model, timeout, invalid... */
	enum triage_verdict verdict;
	double confidence;
	unsigned score_before;
	unsigned score;
	struct triage_floor_out floor;
	char *explanation;		/* for the analyst: tokens revealed */
	char *evidence;			/* JSON array of evidence ids */
	char *actions;			/* JSON array, revealed */
	unsigned foreign_tokens;	/* left as written: not sent */
	/* The model's verdict and text when the floor overruled it. */
	enum triage_verdict model_verdict;
	char *model_explanation;	/* NULL: not overruled */
	char *model_actions;		/* JSON array */
	struct triage_decision analyst;
	unsigned steps;
	unsigned tool_calls;
	unsigned tools_refused;
	unsigned tool_withheld;		/* tool result values withheld */
	uint64_t prompt_tokens;
	uint64_t completion_tokens;
	int64_t model_us;		/* time waiting for the model */
	int64_t total_us;
	struct triage_pack_info pack;
	double fp_probability;		/* local model; -1: not trained */
	char fp_drivers[256];
	bool hidden;			/* local model: repeat false positive */
	int64_t trace_id;
};

void triage_result_free(struct triage_result *r);

struct triage_ctx;

/*
 * A triage session over one store.  client may be NULL (deterministic);
 * cfg gives the privacy policy, step limit and floor bound.  The
 * pseudonym map is loaded from the store (sealed with the key in
 * cfg->map_key_file, or beside the store) and saved back by
 * triage_ctx_free.
 */
int triage_ctx_new(struct store *st, const struct llm_config *cfg,
		   struct llm_client *client, struct triage_ctx **out,
		   struct core_error *err);
void triage_ctx_free(struct triage_ctx *t);

/*
 * Streams the model's answers to fn as they arrive (server-sent events),
 * for interactive use; fn NULL turns it off.  The text is what the model
 * writes, pseudonyms and all; the result's explanation is mapped back.
 */
void triage_ctx_stream(struct triage_ctx *t, llm_delta_fn fn, void *ud);

/*
 * Triage one incident; records trace and verdict in the store.  Several
 * threads may triage on one context at once: they wait for the model in
 * parallel (as many as the client's concurrency allows) and take turns
 * for everything else.
 */
int triage_run(struct triage_ctx *t, int64_t incident_id,
	       struct triage_result *r, struct core_error *err);

/* ------------------------------------------------------------- learning */

#define TRIAGE_FEATURES 24

/* The feature vector of a case (values scaled to about 0..1). */
void triage_features(const struct triage_case *c, double x[TRIAGE_FEATURES]);
const char *triage_feature_name(unsigned i);

struct triage_model {
	double w[TRIAGE_FEATURES];
	double b;
	unsigned trained_on;		/* labelled incidents */
};

/* Probability of a false positive (or benign) under m. */
double triage_model_predict(const struct triage_model *m,
			    const double x[TRIAGE_FEATURES]);
/* Names the three features that pushed p most, into out. */
void triage_model_explain(const struct triage_model *m,
			  const double x[TRIAGE_FEATURES], char *out,
			  size_t n);
/*
 * Trains on n labelled vectors (y 1: false positive or benign) by
 * gradient descent with L2 regularisation; deterministic.
 */
void triage_model_train(struct triage_model *m, const double *x,
			const int *y, size_t n);

/* ------------------------------------------------------------------ stats */

/* Who produced a verdict, for the per-producer figures. */
enum triage_producer {
	TRIAGE_BY_DETERMINISTIC = 0,
	TRIAGE_BY_LLM,
	TRIAGE_BY_LOCAL,
	TRIAGE_BY_ANALYST,
	TRIAGE_BY__COUNT,
};

/*
 * One producer's record against the analysts ("real" = malicious or
 * suspicious).  For the local model the comparison is out of sample:
 * each labelled incident is predicted by a model trained only on the
 * decisions made before it (time order).  Latency: the trace's duration
 * for vigil's producers, the time from storing the incident to the
 * decision for analysts, the prediction for the local model.
 */
struct triage_producer_stats {
	uint64_t verdicts;
	uint64_t compared, agree;
	uint64_t tp, fp, fn, tn;
	uint64_t timed;
	int64_t latency_us;		/* summed over timed */
	uint64_t prompt_tokens, completion_tokens;
};

const char *triage_producer_name(enum triage_producer p);

struct triage_stats {
	struct triage_producer_stats by[TRIAGE_BY__COUNT];
	uint64_t local_oos_steps;	/* models trained for the above */
	uint64_t incidents;
	uint64_t llm_verdicts, local_verdicts, det_verdicts, analyst;
	uint64_t llm_agree, llm_compared;	/* LLM vs analyst */
	uint64_t local_agree, local_compared;	/* local vs analyst */
	uint64_t llm_local_agree, llm_local_compared;
	uint64_t tp, fp, fn, tn;		/* LLM "real" vs analyst */
	uint64_t traces, failed_traces;
	uint64_t prompt_tokens, completion_tokens;
	int64_t latency_us;			/* summed over traces */
};

/* Gathers the figures from the store's verdicts, feedback and traces. */
int triage_stats_collect(struct store *st, struct triage_stats *out,
			 struct core_error *err);

#endif /* VIGIL_TRIAGE_H */
