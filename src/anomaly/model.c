/*
 * model.c: the model of normal and the anomalies found against it.
 *
 * Learning (anomaly_model_learn, on known-good logs) feeds every event's
 * message to the miner and records, per template, how often and when it
 * was seen; per host and service (process.name or service.name) the
 * events of each hour; and the entity/action pairs seen, as 64-bit
 * hashes in one set: a user on a host, a process on a host, a source
 * network (IPv4 /24, IPv6 /64, or the name) talking to a host's service.
 * Sealing merges the templates and computes their vectors.
 *
 * Scoring (anomaly_model_score) gives, per event:
 *
 *   anomaly.template.new    its message fits no learnt template; the
 *                           reason names the nearest learnt template by
 *                           cosine of the vectors (embed.c)
 *   anomaly.template.rare   it fits a template learnt at most rare_max
 *                           times
 *   anomaly.pair.*          the first time a pair above appears
 *   anomaly.volume.spike    an hour of a host/service far above its
 *                           learnt hours (checked when the hour ends;
 *                           needs SPIKE_MIN_HOURS learnt hours)
 *
 * Each is a struct detect_alert whose rule is one of six static rule
 * descriptions below (ids "anomaly.*", level low or informational, tag
 * "anomaly"), with the event as evidence and the reason in words in
 * front of the evidence text.  The incident room recognises them by the
 * id prefix and weighs them below rule hits (docs/scoring.md).
 *
 * Memory: the miner's bound, one figure per template, the pair set (at
 * most 4 M keys) and one record per host/service (at most 65,536).
 */
#include "anomaly/anomaly_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAIR_MAX (4u << 20)
#define VARIANT_COS 0.8		/* too few templates to learn one */
#define VARIANT_MIN 0.5		/* bounds of the learnt threshold */
#define VARIANT_MAX 0.9
#define VARIANT_QUANTILE 0.9
#define VARIANT_SAMPLE 1000	/* templates looked at, at most */
#define VARIANT_MIN_TPL 10
#define RARE_MASS 0.01		/* of lines in once-seen templates */
#define VOL_MAX 65536
#define HOUR_US (3600LL * 1000000)
#define SPIKE_MIN_HOURS 3	/* learnt hours before spikes count */
#define DAY_US (24 * HOUR_US)

enum kind {
	K_NEW,
	K_RARE,
	K_USER_HOST,
	K_PROC_HOST,
	K_NET_SERVICE,
	K_SPIKE,
	K__COUNT,
};

static const char *const tag_anomaly[] = { "anomaly" };

static const struct detect_rule_info rules[K__COUNT] = {
	[K_NEW] = { .id = "anomaly.template.new", .name = "anomaly_new",
		    .title = "Log message of a kind never seen before",
		    .description = "The message fits no template learnt "
				   "from the baseline.",
		    .level = DETECT_LEVEL_LOW, .generate = true,
		    .tags = tag_anomaly, .ntags = 1 },
	[K_RARE] = { .id = "anomaly.template.rare", .name = "anomaly_rare",
		     .title = "Rare log message",
		     .description = "The message fits a template seen only "
				    "a few times in the baseline.",
		     .level = DETECT_LEVEL_INFORMATIONAL, .generate = true,
		     .tags = tag_anomaly, .ntags = 1 },
	[K_USER_HOST] = { .id = "anomaly.pair.user_host",
			  .name = "anomaly_user_host",
			  .title = "User seen on a host for the first time",
			  .level = DETECT_LEVEL_LOW, .generate = true,
			  .tags = tag_anomaly, .ntags = 1 },
	[K_PROC_HOST] = { .id = "anomaly.pair.process_host",
			  .name = "anomaly_process_host",
			  .title = "Process never run before on a host",
			  .level = DETECT_LEVEL_LOW, .generate = true,
			  .tags = tag_anomaly, .ntags = 1 },
	[K_NET_SERVICE] = { .id = "anomaly.pair.network_service",
			    .name = "anomaly_network_service",
			    .title = "Source network never seen by a service",
			    .level = DETECT_LEVEL_LOW, .generate = true,
			    .tags = tag_anomaly, .ntags = 1 },
	[K_SPIKE] = { .id = "anomaly.volume.spike",
		      .name = "anomaly_volume_spike",
		      .title = "Volume of a host's service far above its "
			       "baseline",
		      .level = DETECT_LEVEL_LOW, .generate = true,
		      .tags = tag_anomaly, .ntags = 1 },
};

/* What a new template's first message found as its nearest. */
struct nearest {
	uint32_t cluster;	/* the new cluster */
	uint32_t tpl;		/* learnt template, UINT32_MAX: none */
	float cos;
};

struct anomaly_model {
	struct anomaly_model_opts o;
	struct anomaly_miner *miner;
	struct anomaly_embedder *emb;
	bool sealed;
	struct anomaly_tstat *tstat;	/* per cluster of the miner */
	size_t ntstat, captstat;
	size_t nlearnt;			/* clusters at sealing */
	float *vec;			/* per live learnt template */
	uint32_t *vec_tpl;
	size_t nvec;
	struct nearest *near;		/* per new cluster */
	size_t nnear, capnear;
	struct anomaly_set pairs;
	struct anomaly_vol *vol;
	size_t nvol, capvol;
	uint32_t *vidx;			/* key -> vol index + 1 */
	size_t vidx_cap;
	uint64_t learnt;
	int64_t first, last;
	uint64_t raised[K__COUNT];
	float *q;			/* scratch vector */
	double variant_cos;		/* in force: set or learnt */
	bool rare_on;			/* rare templates are news */
	struct core_buf text;		/* evidence text */
};

void anomaly_model_opts_default(struct anomaly_model_opts *o)
{
	o->dim = ANOMALY_DIM;
	o->rare_max = 1;
	o->spike_factor = 2;
	o->spike_min = 20;
	o->max_alerts = 10000;
	o->variant_cos = 0;
	o->min_level = ANOMALY_LEVEL_ERROR;
}

bool anomaly_rule_is(const struct detect_rule_info *r)
{
	return r && r->id && strncmp(r->id, "anomaly.", 8) == 0;
}

struct anomaly_model *anomaly_model_new(const struct anomaly_model_opts *o)
{
	struct anomaly_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (o)
		m->o = *o;
	else
		anomaly_model_opts_default(&m->o);
	m->miner = anomaly_miner_new(NULL);
	m->emb = anomaly_embedder_new(m->o.dim);
	m->q = malloc(ANOMALY_DIM_MAX * sizeof(*m->q));
	m->pairs.max = PAIR_MAX;
	if (!m->miner || !m->emb || !m->q) {
		anomaly_model_free(m);
		return NULL;
	}
	core_buf_init(&m->text, DETECT_EVIDENCE_MAX + 512);
	return m;
}

void anomaly_model_free(struct anomaly_model *m)
{
	if (!m)
		return;
	anomaly_miner_free(m->miner);
	anomaly_embedder_free(m->emb);
	free(m->tstat);
	free(m->vec);
	free(m->vec_tpl);
	free(m->near);
	free(m->pairs.k);
	free(m->vol);
	free(m->vidx);
	free(m->q);
	core_buf_free(&m->text);
	free(m);
}

struct anomaly_miner *anomaly_model_miner(struct anomaly_model *m)
{
	return m->miner;
}

struct anomaly_embedder *anomaly_model_embedder(struct anomaly_model *m)
{
	return m->emb;
}

uint64_t anomaly_model_learnt(const struct anomaly_model *m, int64_t *first,
			      int64_t *last)
{
	if (first)
		*first = m->first;
	if (last)
		*last = m->last;
	return m->learnt;
}

void anomaly_model_tables(struct anomaly_model *m,
			  struct anomaly_model_tables *out)
{
	out->tstat = &m->tstat;
	out->ntstat = &m->ntstat;
	out->pairs = &m->pairs;
	out->vol = &m->vol;
	out->nvol = &m->nvol;
	out->learnt = &m->learnt;
	out->first = &m->first;
	out->last = &m->last;
}

/* ----------------------------------------------------------------- set */

static size_t set_slot(const struct anomaly_set *s, uint64_t k)
{
	size_t i = (size_t)(k * 0x9e3779b97f4a7c15ULL) & (s->cap - 1);

	while (s->k[i] && s->k[i] != k)
		i = (i + 1) & (s->cap - 1);
	return i;
}

bool anomaly_set_has(const struct anomaly_set *s, uint64_t k)
{
	return s->cap && s->k[set_slot(s, k | 1)] == (k | 1);
}

int anomaly_set_add(struct anomaly_set *s, uint64_t k)
{
	size_t i;

	k |= 1;
	if (s->n + 1 > s->cap / 2) {
		struct anomaly_set g = { NULL, 0, s->cap ? s->cap * 2 : 1024,
					 s->max };

		if (s->max && s->n >= s->max)
			return anomaly_set_has(s, k) ? 0 : CORE_E_TOOBIG;
		if (!(g.k = calloc(g.cap, sizeof(*g.k))))
			return CORE_E_NOMEM;
		for (size_t j = 0; j < s->cap; j++)
			if (s->k[j])
				g.k[set_slot(&g, s->k[j])] = s->k[j], g.n++;
		free(s->k);
		*s = g;
	}
	i = set_slot(s, k);
	if (s->k[i])
		return 0;
	s->k[i] = k;
	s->n++;
	return 1;
}

/* ------------------------------------------------------------- helpers */

struct core_str anomaly_event_message(const struct core_event *ev)
{
	const struct core_str *msg = core_event_get(ev, CORE_F_MESSAGE);
	const struct core_str *raw;
	size_t skip;

	if (msg && msg->len)
		return *msg;
	raw = core_event_raw(ev);
	skip = anomaly_header_skip(raw->p, raw->len);
	return core_str_make(raw->p + skip, raw->len - skip);
}

static struct core_str field(const struct core_event *ev,
			     enum core_field_id id)
{
	const struct core_str *v = core_event_get(ev, id);

	return v ? *v : core_str_make("", 0);
}

/*
 * The level the event states: log.level, else the syslog severity code
 * (0..3 are error and worse), else a level word in the raw header.
 */
static enum anomaly_level level_of(const struct core_event *ev)
{
	const struct core_str *v = core_event_get(ev, CORE_F_LOG_LEVEL);
	enum anomaly_level l;

	if (v && v->len &&
	    (l = anomaly_level_word(v->p, v->len)) != ANOMALY_LEVEL_UNKNOWN)
		return l;
	v = core_event_get(ev, CORE_F_LOG_SYSLOG_SEVERITY);
	if (v && v->len == 1 && v->p[0] >= '0' && v->p[0] <= '7')
		return v->p[0] <= '3' ? ANOMALY_LEVEL_ERROR :
		       ANOMALY_LEVEL_LOW;
	return anomaly_header_level(core_event_raw(ev)->p,
				    core_event_raw(ev)->len);
}

static struct core_str service_of(const struct core_event *ev)
{
	struct core_str s = field(ev, CORE_F_SERVICE_NAME);

	return s.len ? s : field(ev, CORE_F_PROCESS_NAME);
}

/* The network of a source: an IPv4 /24, an IPv6 /64, else the name. */
static struct core_str network_of(struct core_str ip)
{
	size_t dots = 0, colons = 0;

	for (size_t i = 0; i < ip.len; i++) {
		if (ip.p[i] == '.' && ++dots == 3)
			return core_str_make(ip.p, i);
		if (ip.p[i] == ':' && ++colons == 4)
			return core_str_make(ip.p, i);
	}
	return ip;
}

static uint64_t pair_key(enum kind k, struct core_str a, struct core_str b)
{
	uint64_t h = core_hash(a.p, a.len, 0x70616972u + (uint64_t)k);

	h = core_hash("\0", 1, h);
	return core_hash(b.p, b.len, h);
}

static int tstat_reserve(struct anomaly_model *m, size_t n)
{
	struct anomaly_tstat *t;
	size_t cap = m->captstat ? m->captstat : 256;

	if (n <= m->captstat)
		return 0;
	while (cap < n)
		cap *= 2;
	if (!(t = realloc(m->tstat, cap * sizeof(*t))))
		return CORE_E_NOMEM;
	memset(t + m->captstat, 0, (cap - m->captstat) * sizeof(*t));
	m->tstat = t;
	m->captstat = cap;
	return 0;
}

int anomaly_model_tstat_reserve(struct anomaly_model *m, size_t n)
{
	int rc = tstat_reserve(m, n);

	if (rc == 0 && n > m->ntstat)
		m->ntstat = n;
	return rc;
}

static void tstat_note(struct anomaly_tstat *t, int64_t ts)
{
	t->count++;
	if (ts && (!t->first || ts < t->first))
		t->first = ts;
	if (ts > t->last)
		t->last = ts;
}

/* ------------------------------------------------------------- volumes */

static int vidx_rebuild(struct anomaly_model *m, size_t cap)
{
	uint32_t *x = calloc(cap, sizeof(*x));

	if (!x)
		return CORE_E_NOMEM;
	free(m->vidx);
	m->vidx = x;
	m->vidx_cap = cap;
	for (size_t i = 0; i < m->nvol; i++) {
		size_t j = (size_t)m->vol[i].key & (cap - 1);

		while (x[j])
			j = (j + 1) & (cap - 1);
		x[j] = (uint32_t)i + 1;
	}
	return 0;
}

/* The volume record of host/service, made when new; NULL when full. */
static struct anomaly_vol *vol_of(struct anomaly_model *m,
				  const struct core_event *ev)
{
	struct core_str h = field(ev, CORE_F_HOST_NAME), s = service_of(ev);
	uint64_t key = pair_key(K_SPIKE, h, s) | 1;
	struct anomaly_vol *v;
	size_t j;

	if (m->vidx_cap < 2 * (m->nvol + 1) &&
	    vidx_rebuild(m, m->vidx_cap ? m->vidx_cap * 2 : 256))
		return NULL;
	for (j = (size_t)key & (m->vidx_cap - 1); m->vidx[j];
	     j = (j + 1) & (m->vidx_cap - 1))
		if (m->vol[m->vidx[j] - 1].key == key)
			return &m->vol[m->vidx[j] - 1];
	if (m->nvol >= VOL_MAX)
		return NULL;
	if (m->nvol == m->capvol) {
		size_t cap = m->capvol ? m->capvol * 2 : 64;

		if (!(v = realloc(m->vol, cap * sizeof(*v))))
			return NULL;
		m->vol = v;
		m->capvol = cap;
	}
	v = &m->vol[m->nvol];
	memset(v, 0, sizeof(*v));
	v->key = key;
	v->hour = -1;
	snprintf(v->name, sizeof(v->name), "%.*s/%.*s",
		 (int)CORE_MIN(h.len, 30u), h.p, (int)CORE_MIN(s.len, 30u),
		 s.p);
	m->vidx[j] = (uint32_t)++m->nvol;
	return v;
}

int anomaly_model_vol_index(struct anomaly_model *m)
{
	size_t cap = 256;

	m->capvol = CORE_MAX(m->capvol, m->nvol);
	while (cap < 2 * (m->nvol + 1))
		cap *= 2;
	return vidx_rebuild(m, cap);
}

/* Closes a learnt hour into the record's sums. */
static void vol_close_learnt(struct anomaly_vol *v)
{
	if (v->hour >= 0 && v->now) {
		v->hours++;
		v->sum += (double)v->now;
		v->sumsq += (double)v->now * (double)v->now;
	}
	v->now = 0;
}

/* ----------------------------------------------------------- learning */

static int learn_pairs(struct anomaly_model *m, const struct core_event *ev,
		       bool *fresh)
{
	struct core_str host = field(ev, CORE_F_HOST_NAME);
	struct core_str user = field(ev, CORE_F_USER_NAME);
	struct core_str proc = field(ev, CORE_F_PROCESS_NAME);
	const struct core_str *src = core_event_source(ev);
	struct {
		enum kind k;
		struct core_str a, b;
	} p[3] = {
		{ K_USER_HOST, user, host },
		{ K_PROC_HOST, proc, host },
		{ K_NET_SERVICE, src ? network_of(*src) : core_str_make("", 0),
		  service_of(ev) },
	};

	for (int i = 0; i < 3; i++) {
		int rc;

		fresh[i] = false;
		if (!p[i].a.len || (!p[i].b.len && p[i].k != K_NET_SERVICE))
			continue;
		rc = anomaly_set_add(&m->pairs, pair_key(p[i].k, p[i].a,
							 p[i].b));
		if (rc == CORE_E_NOMEM)
			return rc;
		fresh[i] = rc == 1;
	}
	return 0;
}

int anomaly_model_learn(struct anomaly_model *m, const struct core_event *ev)
{
	struct core_str msg = anomaly_event_message(ev);
	struct anomaly_vol *v;
	bool fresh[3];
	uint32_t id;
	int rc;

	if ((rc = anomaly_miner_add(m->miner, msg.p, msg.len, &id)) != 0 ||
	    (rc = anomaly_model_tstat_reserve(m, (size_t)id + 1)) != 0)
		return rc;
	tstat_note(&m->tstat[id], ev->ts);
	if ((rc = learn_pairs(m, ev, fresh)) != 0)
		return rc;
	if ((v = vol_of(m, ev)) != NULL) {
		int64_t hour = ev->ts / HOUR_US;

		if (hour != v->hour)
			vol_close_learnt(v);
		v->hour = hour;
		v->now++;
	}
	m->learnt++;
	if (ev->ts && (!m->first || ev->ts < m->first))
		m->first = ev->ts;
	if (ev->ts > m->last)
		m->last = ev->ts;
	m->sealed = false;
	return 0;
}

/* Folds merged clusters' figures into the template they joined. */
static void fold_tstat(struct anomaly_model *m)
{
	for (size_t i = 0; i < m->ntstat; i++) {
		uint32_t r = anomaly_miner_resolve(m->miner, (uint32_t)i);
		struct anomaly_tstat *a = &m->tstat[r], *b = &m->tstat[i];

		if (r == i || b->count == 0)
			continue;
		a->count += b->count;
		if (b->first && (!a->first || b->first < a->first))
			a->first = b->first;
		a->last = CORE_MAX(a->last, b->last);
		b->count = 0;
	}
}

static int compute_vectors(struct anomaly_model *m)
{
	size_t nc = anomaly_miner_clusters(m->miner), d = m->o.dim, k = 0;
	struct anomaly_template t;
	uint64_t *docs;
	uint32_t *df = anomaly_embedder_df(m->emb, &docs);

	free(m->vec);
	free(m->vec_tpl);
	m->vec = malloc((nc + 1) * d * sizeof(*m->vec));
	m->vec_tpl = malloc((nc + 1) * sizeof(*m->vec_tpl));
	if (!m->vec || !m->vec_tpl)
		return CORE_E_NOMEM;
	/* Vectors are a function of the templates: counts start afresh. */
	memset(df, 0, ANOMALY_DF_SLOTS * sizeof(*df));
	*docs = 0;
	for (size_t i = 0; i < nc; i++) {
		anomaly_miner_get(m->miner, (uint32_t)i, &t);
		if (t.live)
			anomaly_embedder_learn(m->emb, t.text.p, t.text.len);
	}
	for (size_t i = 0; i < nc; i++) {
		anomaly_miner_get(m->miner, (uint32_t)i, &t);
		if (!t.live)
			continue;
		anomaly_embed(m->emb, t.text.p, t.text.len, m->vec + k * d);
		m->vec_tpl[k++] = (uint32_t)i;
	}
	m->nvec = k;
	return 0;
}

static int float_cmp(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

/*
 * The variant threshold from the learnt templates themselves: how close
 * distinct templates of these logs come to each other (the cosine of
 * each to its nearest other, over a sample of at most VARIANT_SAMPLE).
 * A new template nearer to a learnt one than VARIANT_QUANTILE of them
 * are to theirs is a re-worded or re-cut variant.
 */
static double learnt_variant_cos(const struct anomaly_model *m)
{
	size_t n = CORE_MIN(m->nvec, (size_t)VARIANT_SAMPLE);
	size_t step = n ? m->nvec / n : 1;
	unsigned d = m->o.dim;
	float *nn;
	double q;

	if (n < VARIANT_MIN_TPL || !(nn = malloc(n * sizeof(*nn))))
		return VARIANT_COS;
	for (size_t i = 0; i < n; i++) {
		nn[i] = -1;
		for (size_t j = 0; j < n; j++) {
			float c;

			if (j == i)
				continue;
			c = anomaly_cosine(m->vec + i * step * d,
					   m->vec + j * step * d, d);
			nn[i] = c > nn[i] ? c : nn[i];
		}
	}
	qsort(nn, n, sizeof(*nn), float_cmp);
	q = nn[(size_t)((double)(n - 1) * VARIANT_QUANTILE)];
	free(nn);
	return CORE_MIN(CORE_MAX(q, VARIANT_MIN), VARIANT_MAX);
}

/*
 * Rare templates are news only when the baseline rarely shows them:
 * the lines falling in once-seen templates (the Good-Turing estimate of
 * meeting a rare one next) are under RARE_MASS of all learnt.
 */
static bool learnt_rare_on(const struct anomaly_model *m)
{
	uint64_t once = 0, all = 0;

	for (size_t i = 0; i < m->nvec; i++) {
		uint64_t c = m->tstat[m->vec_tpl[i]].count;

		once += c == 1;
		all += c;
	}
	return all && (double)once <= RARE_MASS * (double)all;
}

int anomaly_model_seal(struct anomaly_model *m)
{
	int rc;

	if (m->sealed)
		return 0;
	if ((rc = anomaly_miner_finish(m->miner)) != 0 ||
	    (rc = anomaly_model_tstat_reserve(
		     m, anomaly_miner_clusters(m->miner))) != 0)
		return rc;
	fold_tstat(m);
	for (size_t i = 0; i < m->nvol; i++) {
		vol_close_learnt(&m->vol[i]);
		m->vol[i].hour = -1;
	}
	if ((rc = compute_vectors(m)) != 0)
		return rc;
	m->variant_cos = m->o.variant_cos > 0 ? m->o.variant_cos :
			 learnt_variant_cos(m);
	m->rare_on = learnt_rare_on(m);
	m->nlearnt = anomaly_miner_clusters(m->miner);
	m->nnear = 0;
	m->sealed = true;
	return 0;
}

/* ------------------------------------------------------------ scoring */

/* "14 days", "3 hours": the span of the baseline, in words. */
static void span_words(const struct anomaly_model *m, char *out, size_t n)
{
	int64_t span = m->last > m->first ? m->last - m->first : 0;

	if (span >= 2 * DAY_US)
		snprintf(out, n, "%lld days", (long long)(span / DAY_US));
	else if (span >= 2 * HOUR_US)
		snprintf(out, n, "%lld hours", (long long)(span / HOUR_US));
	else
		snprintf(out, n, "%llu events",
			 (unsigned long long)m->learnt);
}

struct emit {
	struct anomaly_model *m;
	const struct core_event *ev;	/* NULL: an hour, not an event */
	detect_alert_fn fn;
	void *ud;
	int raised;
	const struct anomaly_vol *v;	/* the hour's record, for spikes */
};

/* Raises one alert of kind k with the reason in m->text. */
static void raise_alert(struct emit *x, enum kind k)
{
	struct anomaly_model *m = x->m;
	const struct core_event *ev = x->ev;
	struct detect_alert a;
	struct detect_evidence *e = &a.evidence[0];
	const struct core_str *src = ev ? core_event_source(ev) : NULL;
	size_t room;

	if (m->raised[k]++ >= m->o.max_alerts)
		return;
	memset(&a, 0, sizeof(a));
	a.rule = &rules[k];
	a.count = 1;
	a.nevidence = 1;
	if (ev) {
		a.ts_first = a.ts_last = ev->ts;
		a.event = ev;
		e->src = ev->src;
		e->line = ev->line;
		e->ts = ev->ts;
		room = DETECT_EVIDENCE_MAX > m->text.len + 3 ?
		       DETECT_EVIDENCE_MAX - m->text.len - 3 : 0;
		core_buf_add(&m->text, " | ", 3);
		core_buf_add(&m->text, core_event_raw(ev)->p,
			     CORE_MIN(core_event_raw(ev)->len, room));
		if (src)
			e->entity[DETECT_ENT_SOURCE_IP] = *src;
		e->entity[DETECT_ENT_USER] = field(ev, CORE_F_USER_NAME);
		e->entity[DETECT_ENT_HOST] = field(ev, CORE_F_HOST_NAME);
	} else if (x->v) {
		a.ts_first = e->ts = x->v->first_ts;
		a.ts_last = x->v->first_ts + HOUR_US - 1;
		a.count = x->v->now;
		e->src = x->v->src;
		e->line = x->v->line;
	}
	e->text = core_str_make(m->text.p, m->text.len);
	x->fn(&a, x->ud);
	x->raised++;
}

/* The learnt template nearest to msg; UINT32_MAX when none. */
static uint32_t nearest(struct anomaly_model *m, struct core_str msg,
			float *cos)
{
	uint32_t best = UINT32_MAX;
	float bc = -2;

	anomaly_embed(m->emb, msg.p, msg.len, m->q);
	for (size_t i = 0; i < m->nvec; i++) {
		float c = anomaly_cosine(m->q, m->vec + i * m->o.dim,
					 m->o.dim);

		if (c > bc) {
			bc = c;
			best = m->vec_tpl[i];
		}
	}
	*cos = bc;
	return best;
}

static struct nearest *near_of(struct anomaly_model *m, uint32_t cluster,
			       struct core_str msg)
{
	struct nearest *n;

	for (size_t i = 0; i < m->nnear; i++)
		if (m->near[i].cluster == cluster)
			return &m->near[i];
	if (m->nnear == m->capnear) {
		size_t cap = m->capnear ? m->capnear * 2 : 64;

		if (!(n = realloc(m->near, cap * sizeof(*n))))
			return NULL;
		m->near = n;
		m->capnear = cap;
	}
	n = &m->near[m->nnear++];
	n->cluster = cluster;
	n->tpl = nearest(m, msg, &n->cos);
	return n;
}

static void score_template(struct emit *x, struct core_str msg, uint32_t id)
{
	struct anomaly_model *m = x->m;
	uint32_t root = anomaly_miner_resolve(m->miner, id);
	struct anomaly_template t;
	struct nearest *n;
	enum anomaly_level lv = level_of(x->ev);
	char span[32];

	span_words(m, span, sizeof(span));
	core_buf_reset(&m->text);
	if (lv != ANOMALY_LEVEL_UNKNOWN && lv < m->o.min_level)
		return;		/* the program itself calls it benign */
	if (root < m->nlearnt) {
		if (m->tstat[root].count > m->o.rare_max || !m->rare_on)
			return;
		core_buf_printf(&m->text, "anomaly: template seen only %llu "
				"time(s) in %s of history",
				(unsigned long long)m->tstat[root].count,
				span);
		raise_alert(x, K_RARE);
		return;
	}
	n = near_of(m, root, msg);
	if (n && n->tpl != UINT32_MAX && n->cos >= m->variant_cos)
		return;		/* a variant of a learnt template */
	core_buf_printf(&m->text, "anomaly: template never seen in %s of "
			"history", span);
	if (n && n->tpl != UINT32_MAX) {
		anomaly_miner_get(m->miner, n->tpl, &t);
		core_buf_printf(&m->text, "; nearest known template (cosine "
				"%.2f) is \"%.*s\"", (double)n->cos,
				(int)CORE_MIN(t.text.len, 200u), t.text.p);
	}
	raise_alert(x, K_NEW);
}

static void score_pairs(struct emit *x, const bool *fresh)
{
	static const char *const what[3] = { "user", "process", "network" };
	static const char *const where[3] = { "on host", "on host",
					      "talking to" };
	const struct core_event *ev = x->ev;
	struct core_str a[3] = { field(ev, CORE_F_USER_NAME),
				 field(ev, CORE_F_PROCESS_NAME),
				 core_str_make("", 0) };
	struct core_str b[3] = { field(ev, CORE_F_HOST_NAME),
				 field(ev, CORE_F_HOST_NAME), service_of(ev) };
	const struct core_str *src = core_event_source(ev);
	char span[32];

	if (src)
		a[2] = network_of(*src);
	if (!b[2].len)
		b[2] = core_str_make("its service", 11);
	span_words(x->m, span, sizeof(span));
	for (int i = 0; i < 3; i++) {
		if (!fresh[i])
			continue;
		core_buf_reset(&x->m->text);
		core_buf_printf(&x->m->text, "anomaly: %s %.*s never seen %s "
				"%.*s in %s of history", what[i],
				(int)CORE_MIN(a[i].len, 64u), a[i].p,
				where[i], (int)CORE_MIN(b[i].len, 64u),
				b[i].p, span);
		raise_alert(x, (enum kind)(K_USER_HOST + i));
	}
}

/* Reports the hour of v that just ended if it was a spike. */
static void check_spike(struct emit *x, struct anomaly_vol *v)
{
	struct anomaly_model *m = x->m;
	double mean = v->hours ? v->sum / (double)v->hours : 0;
	double var = v->hours ? v->sumsq / (double)v->hours - mean * mean : 0;
	double limit = m->o.spike_factor * (mean + 3 * sqrt(CORE_MAX(var, 0)))
		       + (double)m->o.spike_min;
	const struct core_event *ev = x->ev;

	if (v->hour < 0 || v->hours < SPIKE_MIN_HOURS ||
	    (double)v->now <= limit)
		return;
	core_buf_reset(&m->text);
	core_buf_printf(&m->text, "anomaly: %llu events in one hour from %s, "
			"against %.1f per active hour in %llu learnt hours "
			"(limit %.0f)", (unsigned long long)v->now, v->name,
			mean, (unsigned long long)v->hours, limit);
	x->ev = NULL;
	x->v = v;
	raise_alert(x, K_SPIKE);
	x->ev = ev;
	x->v = NULL;
}

static void score_volume(struct emit *x)
{
	struct anomaly_vol *v = vol_of(x->m, x->ev);
	int64_t hour = x->ev->ts / HOUR_US;

	if (!v)
		return;
	if (hour != v->hour) {
		check_spike(x, v);
		v->hour = hour;
		v->now = 0;
		v->first_ts = x->ev->ts;
		snprintf(v->src, sizeof(v->src), "%s",
			 x->ev->src ? x->ev->src : "");
		v->line = x->ev->line;
	}
	v->now++;
}

int anomaly_model_score(struct anomaly_model *m, const struct core_event *ev,
			detect_alert_fn fn, void *ud)
{
	struct emit x = { m, ev, fn, ud, 0, NULL };
	struct core_str msg = anomaly_event_message(ev);
	bool fresh[3];
	uint32_t id;
	int rc;

	if ((rc = anomaly_model_seal(m)) != 0 ||
	    (rc = anomaly_miner_add(m->miner, msg.p, msg.len, &id)) != 0 ||
	    (rc = tstat_reserve(m, (size_t)id + 1)) != 0)
		return rc;
	score_template(&x, msg, id);
	if ((rc = learn_pairs(m, ev, fresh)) != 0)
		return rc;
	score_pairs(&x, fresh);
	score_volume(&x);
	return x.raised;
}

int anomaly_model_flush(struct anomaly_model *m, detect_alert_fn fn,
			void *ud)
{
	struct emit x = { m, NULL, fn, ud, 0, NULL };

	for (size_t i = 0; i < m->nvol; i++) {
		check_spike(&x, &m->vol[i]);
		m->vol[i].hour = -1;
		m->vol[i].now = 0;
	}
	return x.raised;
}
