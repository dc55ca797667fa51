/*
 * learn.c: what vigil learns from analysts: incident features, a
 * logistic regression that predicts false positives, and the figures
 * that show whether the LLM, the local model and the analysts agree.
 *
 * Features are read from the stored incident document, each scaled to
 * about 0..1 so that one learning rate fits all; rule ids are hashed into
 * five buckets so that a rule that analysts keep clearing gains weight
 * without a vocabulary to maintain.  Training is plain batch gradient
 * descent with L2 regularisation over at most a few thousand labelled
 * incidents: deterministic, milliseconds, no dependency.
 */
#include "triage/triage_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULE_BUCKETS 5
#define EPOCHS 400
#define RATE 0.5
#define L2 0.001

static const char *const feature_names[TRIAGE_FEATURES] = {
	"score", "strongest rule level", "tactics", "techniques",
	"events (log)", "alerts (log)", "entities", "private source",
	"public source", "user entity", "host entity", "user agent entity",
	"login succeeded", "privileged command", "IDS alerts",
	"share of 4xx answers", "many user names tried", "seen before",
	"duration (log)", "rule group A", "rule group B", "rule group C",
	"rule group D", "rule group E",
};

const char *triage_feature_name(unsigned i)
{
	return i < TRIAGE_FEATURES ? feature_names[i] : "?";
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static double clamp1(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

static void entity_features(const cJSON *doc, double *x)
{
	const cJSON *e;
	double req = 0, e4 = 0;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc,
							       "entities")) {
		const char *t = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(e, "type"));
		const char *v = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(e, "value"));
		struct core_ip ip;

		if (!t)
			continue;
		if (!strcmp(t, "source.ip") && v &&
		    core_ip_parse(v, strlen(v), &ip))
			x[core_ip_is_private(&ip) ? 7 : 8] = 1;
		if (!strncmp(t, "user.", 5))
			x[9] = 1;
		if (!strcmp(t, "host.name"))
			x[10] = 1;
		if (!strcmp(t, "user_agent.original"))
			x[11] = 1;
		x[12] = num(e, "login_successes") > 0 ? 1 : x[12];
		x[13] = num(e, "privileged") > 0 ? 1 : x[13];
		x[14] = num(e, "ids_alerts") > 0 ? 1 : x[14];
		x[16] = num(e, "distinct_users") > 5 ? 1 : x[16];
		req += num(e, "requests");
		e4 += num(e, "http_4xx");
	}
	x[15] = req > 0 ? clamp1(e4 / req) : 0;
}

static double seconds_between(const char *a, const char *b)
{
	int64_t ta, tb;

	if (!a || !b || !core_time_parse_iso(a, strlen(a), &ta) ||
	    !core_time_parse_iso(b, strlen(b), &tb))
		return 0;
	return tb > ta ? (double)(tb - ta) / 1e6 : 0;
}

void triage_features(const struct triage_case *c, double x[TRIAGE_FEATURES])
{
	const cJSON *d = c->doc, *a;

	memset(x, 0, TRIAGE_FEATURES * sizeof(*x));
	x[0] = c->score / 100.0;
	x[1] = c->max_level / 4.0;
	x[2] = clamp1(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
		d, "tactics")) / 7.0);
	x[3] = clamp1(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
		d, "techniques")) / 12.0);
	x[4] = clamp1(log10(num(d, "events") + 1) / 5);
	x[5] = clamp1(log10(num(d, "alerts") + 1) / 4);
	x[6] = clamp1(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
		d, "entities")) / 32.0);
	entity_features(d, x);
	x[17] = num(d, "previous_id") > 0;
	x[18] = clamp1(log10(seconds_between(
		cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			d, "ts_first")),
		cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			d, "ts_last"))) + 1) / 6);
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(
			      d, "alert_records")) {
		const char *id = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(a, "rule_id"));

		if (id)
			x[19 + core_hash(id, strlen(id), 7) % RULE_BUCKETS] = 1;
	}
}

static double sigmoid(double z)
{
	return 1 / (1 + exp(-z));
}

double triage_model_predict(const struct triage_model *m,
			    const double x[TRIAGE_FEATURES])
{
	double z = m->b;

	for (int i = 0; i < TRIAGE_FEATURES; i++)
		z += m->w[i] * x[i];
	return sigmoid(z);
}

void triage_model_explain(const struct triage_model *m,
			  const double x[TRIAGE_FEATURES], char *out,
			  size_t n)
{
	int used[3] = { -1, -1, -1 };
	size_t o = 0;

	out[0] = '\0';
	for (int k = 0; k < 3; k++) {
		double best = 0;

		for (int i = 0; i < TRIAGE_FEATURES; i++) {
			double c = fabs(m->w[i] * x[i]);

			if (c > best && i != used[0] && i != used[1]) {
				best = c;
				used[k] = i;
			}
		}
		if (used[k] < 0 || o >= n)
			break;
		o += (size_t)snprintf(out + o, n - o, "%s%s %+.2f",
				      k ? ", " : "", feature_names[used[k]],
				      m->w[used[k]] * x[used[k]]);
	}
}

void triage_model_train(struct triage_model *m, const double *x,
			const int *y, size_t n)
{
	double g[TRIAGE_FEATURES], gb;

	memset(m, 0, sizeof(*m));
	m->trained_on = (unsigned)n;
	for (int ep = 0; ep < EPOCHS && n; ep++) {
		memset(g, 0, sizeof(g));
		gb = 0;
		for (size_t i = 0; i < n; i++) {
			const double *xi = x + i * TRIAGE_FEATURES;
			double e = triage_model_predict(m, xi) - y[i];

			for (int j = 0; j < TRIAGE_FEATURES; j++)
				g[j] += e * xi[j];
			gb += e;
		}
		for (int j = 0; j < TRIAGE_FEATURES; j++)
			m->w[j] -= RATE * (g[j] / (double)n + L2 * m->w[j]);
		m->b -= RATE * gb / (double)n;
	}
}

/* ---------------------------------------------------------------- stats */

/* The latest verdict per producer and the analyst's, per incident. */
struct seen {
	int64_t id;
	int llm, local, det, analyst;	/* verdict, -1: none */
	int64_t decided;		/* when the analyst decided */
};

struct gather {
	struct seen *s;
	size_t n, cap;
	struct triage_stats *st;
	struct store *store;
};

static const char *const producer_names[TRIAGE_BY__COUNT] = {
	"deterministic", "llm", "local model", "analyst",
};

const char *triage_producer_name(enum triage_producer p)
{
	return (unsigned)p < TRIAGE_BY__COUNT ? producer_names[p] : "";
}

static struct seen *slot(struct gather *g, int64_t id)
{
	for (size_t i = g->n; i-- > 0;)
		if (g->s[i].id == id)
			return &g->s[i];
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		struct seen *s = realloc(g->s, cap * sizeof(*s));

		if (!s)
			return NULL;
		g->s = s;
		g->cap = cap;
	}
	g->s[g->n] = (struct seen){ id, -1, -1, -1, -1, 0 };
	return &g->s[g->n++];
}

static int on_verdict(int64_t id, const struct store_verdict *v, void *ud)
{
	struct gather *g = ud;
	struct seen *s = slot(g, v->incident_id);
	int val = triage_verdict_lookup(v->verdict);

	(void)id;
	if (!s)
		return CORE_E_NOMEM;
	if (!strcmp(v->producer, STORE_BY_LLM)) {
		s->llm = val;
		g->st->llm_verdicts++;
		g->st->by[TRIAGE_BY_LLM].verdicts++;
	} else if (!strcmp(v->producer, STORE_BY_LOCAL_MODEL)) {
		s->local = val;
		g->st->local_verdicts++;
		g->st->by[TRIAGE_BY_LOCAL].verdicts++;
	} else if (!strcmp(v->producer, STORE_BY_DETERMINISTIC)) {
		s->det = val;
		g->st->det_verdicts++;
		g->st->by[TRIAGE_BY_DETERMINISTIC].verdicts++;
	}
	return 0;
}

static int on_fb(int64_t id, const struct store_feedback *f, void *ud)
{
	struct gather *g = ud;
	struct seen *s = slot(g, f->incident_id);

	(void)id;
	if (!s)
		return CORE_E_NOMEM;
	s->analyst = triage_verdict_lookup(f->verdict);
	s->decided = f->created;
	g->st->analyst++;
	g->st->by[TRIAGE_BY_ANALYST].verdicts++;
	return 0;
}

/*
 * A trace's cost goes to the model when one was asked (a failed model
 * call falls back to the deterministic verdict, but its tokens and time
 * were the model's), else to the deterministic producer.
 */
static int on_trace(int64_t id, const struct store_trace *t, void *ud)
{
	struct triage_stats *st = ud;
	bool model = !strcmp(t->producer, STORE_BY_LLM) ||
		     (t->model && *t->model);
	struct triage_producer_stats *p =
		&st->by[model ? TRIAGE_BY_LLM : TRIAGE_BY_DETERMINISTIC];

	(void)id;
	p->timed++;
	p->latency_us += t->duration_us;
	p->prompt_tokens += t->prompt_tokens;
	p->completion_tokens += t->completion_tokens;
	if (!model)
		return 0;
	st->traces++;
	st->failed_traces += strcmp(t->status, "ok") != 0;
	st->prompt_tokens += t->prompt_tokens;
	st->completion_tokens += t->completion_tokens;
	st->latency_us += t->duration_us;
	return 0;
}

/* "Real" (malicious or suspicious) against "not" (benign, FP). */
static bool real(int v)
{
	return v >= TRIAGE_SUSPICIOUS;
}

static void score(struct triage_producer_stats *p, int v, int truth)
{
	p->compared++;
	p->agree += real(v) == real(truth);
	p->tp += real(v) && real(truth);
	p->fp += real(v) && !real(truth);
	p->fn += !real(v) && real(truth);
	p->tn += !real(v) && !real(truth);
}

static void compare(const struct seen *s, struct triage_stats *st)
{
	if (s->llm >= 0 && s->analyst >= 0) {
		st->llm_compared++;
		st->llm_agree += real(s->llm) == real(s->analyst);
		st->tp += real(s->llm) && real(s->analyst);
		st->fp += real(s->llm) && !real(s->analyst);
		st->fn += !real(s->llm) && real(s->analyst);
		st->tn += !real(s->llm) && !real(s->analyst);
		score(&st->by[TRIAGE_BY_LLM], s->llm, s->analyst);
	}
	if (s->det >= 0 && s->analyst >= 0)
		score(&st->by[TRIAGE_BY_DETERMINISTIC], s->det, s->analyst);
	if (s->local >= 0 && s->analyst >= 0) {
		st->local_compared++;
		st->local_agree += real(s->local) == real(s->analyst);
	}
	if (s->local >= 0 && s->llm >= 0) {
		st->llm_local_compared++;
		st->llm_local_agree += real(s->local) == real(s->llm);
	}
}

/* ------------------------------------------- local model, out of sample */

/* At most this many models are trained for the time-ordered check. */
#define OOS_MAX_MODELS 100

struct labelled_case {
	int64_t decided;
	int truth;			/* the analyst's verdict */
	int det;			/* what the score alone says */
	double x[TRIAGE_FEATURES];
};

static int by_decided(const void *a, const void *b)
{
	const struct labelled_case *x = a, *y = b;

	return (x->decided > y->decided) - (x->decided < y->decided);
}

static int on_created(const struct store_incident *inc, void *ud)
{
	*(int64_t *)ud = inc->created;
	return 0;
}

/* Analysts' time to decide, from the incident's storing. */
static void analyst_latency(struct gather *g, const struct seen *s)
{
	int64_t created = 0;
	struct triage_producer_stats *p = &g->st->by[TRIAGE_BY_ANALYST];

	if (store_incident_get(g->store, s->id, on_created, &created,
			       NULL) != 0 || !created || s->decided < created)
		return;
	p->timed++;
	p->latency_us += s->decided - created;
}

/*
 * Time order: the labelled incidents sorted by decision time, cut into
 * at most OOS_MAX_MODELS blocks; each block is predicted by a model
 * trained on every decision before the block, once there are four of
 * them with both answers among them, as vigil triage would have.
 */
static void local_out_of_sample(struct triage_stats *st,
				struct labelled_case *L, size_t n)
{
	struct triage_producer_stats *p = &st->by[TRIAGE_BY_LOCAL];
	size_t stride = (n + OOS_MAX_MODELS - 1) / OOS_MAX_MODELS;
	double *x = malloc(n * sizeof(L->x) + 1);
	int *y = malloc(n * sizeof(int) + 1);
	struct triage_model m;

	if (!x || !y)
		goto done;
	qsort(L, n, sizeof(*L), by_decided);
	for (size_t i = 0; i < n; i++) {
		memcpy(x + i * TRIAGE_FEATURES, L[i].x, sizeof(L[i].x));
		y[i] = !real(L[i].truth);
	}
	for (size_t b = 0; b < n; b += stride) {
		size_t pos = 0;

		for (size_t i = 0; i < b; i++)
			pos += (size_t)y[i];
		if (b < 4 || pos == 0 || pos == b)
			continue;
		triage_model_train(&m, x, y, b);
		st->local_oos_steps++;
		for (size_t i = b; i < n && i < b + stride; i++) {
			int64_t t0 = core_time_now();
			double fp = triage_model_predict(&m, L[i].x);

			p->latency_us += core_time_now() - t0;
			p->timed++;
			score(p, fp >= 0.5 ? TRIAGE_FALSE_POSITIVE : L[i].det,
			      L[i].truth);
		}
	}
done:
	free(x);
	free(y);
}

/* Features of every incident an analyst decided, then the check. */
static int local_check(struct gather *g)
{
	struct labelled_case *L = calloc(g->n + 1, sizeof(*L));
	size_t n = 0;

	if (!L)
		return CORE_E_NOMEM;
	for (size_t i = 0; i < g->n; i++) {
		struct triage_case *c;

		if (g->s[i].analyst < 0)
			continue;
		analyst_latency(g, &g->s[i]);
		if (triage_case_load(g->store, g->s[i].id, &c, NULL) != 0)
			continue;
		triage_features(c, L[n].x);
		L[n].det = (int)triage_deterministic_verdict(
			triage_case_score(c), triage_case_max_level(c));
		L[n].decided = g->s[i].decided;
		L[n].truth = g->s[i].analyst;
		triage_case_free(c);
		n++;
	}
	local_out_of_sample(g->st, L, n);
	free(L);
	return 0;
}

int triage_stats_collect(struct store *st, struct triage_stats *out,
			 struct core_error *err)
{
	struct gather g = { .st = out, .store = st };
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_verdict_each(st, 0, on_verdict, &g, err);
	rc = rc ? rc : store_feedback_each(st, 0, on_fb, &g, err);
	for (size_t i = 0; i < g.n && rc == 0; i++) {
		compare(&g.s[i], out);
		rc = store_trace_each(st, g.s[i].id, on_trace, out, err);
	}
	rc = rc ? rc : local_check(&g);
	out->incidents = g.n;
	free(g.s);
	return rc;
}
