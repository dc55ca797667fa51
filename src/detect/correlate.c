/*
 * correlate.c: Sigma correlation rules over a stream, in bounded memory.
 *
 * Each correlation keeps a table of groups keyed by its group-by values.
 * A group's events form a burst: a chain of hits each within `timespan`
 * of the one before.  For event_count and value_count the condition is
 * tested on a sliding window of `timespan` ending at each hit (the last N
 * hit times, or the N most recently seen distinct values, N being the
 * threshold); the first time it holds the burst is open, and it stays
 * open for as long as the chain goes on.  The burst is reported when it
 * ends: a later hit beyond `timespan`, the group ageing out, or
 * detect_flush().  Its count covers every hit of the chain, those before
 * the threshold included, and its evidence keeps the first four and the
 * last four hits.  Every hit while the condition holds also feeds the
 * correlations that reference this one, so "brute force, then a success"
 * sees the brute force as soon as it is under way, not when it ends.
 *
 * temporal / temporal_ordered keep, per group, when each referenced rule
 * last hit (ordered: when each step was reached, and when that chain
 * began); one alert per completed sequence, with one evidence per step.
 *
 * Memory: at most group_cap groups per correlation (100k by default).  A
 * new group first retires stale groups (idle for over `timespan` before
 * the event that opens it) from the cold end of the recency list, then,
 * if the table is still full,
 * evicts the least recently touched group, reporting its burst if open;
 * evictions are counted.  Evidence copies are cut to DETECT_EVIDENCE_MAX;
 * a Windows record longer than that is kept as its own fields (see
 * evid_windows()).
 */
#include "detect/detect_int.h"

#include <stdlib.h>
#include <string.h>

#define HEAD 4
#define TAIL (DETECT_ALERT_MAX_EVIDENCE - HEAD)
#define DSET_MAX 65536
#define KEY_MAX 1024
#define RES_MAX 1024		/* value_median sample size */
#define VC_MAX 256		/* value_percentile distinct values */

struct cgroup {
	struct cgroup *hnext;
	struct cgroup *older, *newer;
	uint64_t hash;
	char *key;
	size_t klen;
	uint16_t voff[DETECT_ALERT_MAX_GROUP], vlen[DETECT_ALERT_MAX_GROUP];
	int64_t first_ts, last_ts;
	uint64_t count;
	bool open;
	int64_t *ring;		/* event_count: last `window` hit times */
	unsigned rn, rpos;
	struct {
		uint64_t h;
		int64_t ts;
	} *vals;		/* value_count: most recent distinct values */
	unsigned nv;
	uint64_t *dset;		/* distinct values of the burst (hashes) */
	unsigned dcap, dn;
	struct detect_evidence *ev[DETECT_ALERT_MAX_EVIDENCE];
	unsigned nhead, ntail, tpos;
	/* Closed windows: what the metric types accumulate. */
	double sum;
	uint64_t nnum;		/* numeric values seen */
	double *res;		/* value_median: a sample of the values */
	unsigned nres;
	struct vcount {
		uint64_t h;
		uint64_t n;
	} *vc;			/* value_percentile: events per value */
	unsigned vcap, vn;
	unsigned steps;		/* temporal_ordered: steps seen in order */
	int64_t sts[DETECT_CORR_MAX_RULES];	/* temporal: step times */
	int64_t start[DETECT_CORR_MAX_RULES];	/* ordered: chain start */
	uint32_t reached;
};

struct detect_ctab {
	struct cgroup **bucket;
	unsigned nbucket;
	unsigned n;
	struct cgroup *newest, *oldest;
};

/* -------------------------------------------------------------- evidence */

void detect_evidence_from(struct detect_evidence *e,
			  const struct core_event *ev)
{
	static const enum core_field_id ent[DETECT_ENT__COUNT] = {
		CORE_F_SOURCE_IP, CORE_F_USER_NAME, CORE_F_USER_TARGET_NAME,
		CORE_F_HOST_NAME, CORE_F_USER_AGENT_ORIGINAL,
	};
	const struct core_str *out, *raw = core_event_raw(ev);

	memset(e, 0, sizeof(*e));
	e->src = ev->src;
	e->line = ev->line;
	e->ts = ev->ts;
	e->text = core_str_make(raw->p,
				CORE_MIN(raw->len, DETECT_EVIDENCE_MAX));
	for (unsigned i = 0; i < DETECT_ENT__COUNT; i++) {
		const struct core_str *v = i == DETECT_ENT_SOURCE_IP ?
			core_event_source(ev) : core_event_get(ev, ent[i]);

		if (v != NULL)
			e->entity[i] = *v;
	}
	out = core_event_get(ev, CORE_F_EVENT_OUTCOME);
	e->failed = out != NULL && core_str_eq_lit(*out, "failure");
}

#define EVID_VALUE_MAX 240u	/* bytes of one value in evid_windows() */

/* Fields every Windows record carries, which tell nothing of this one. */
static const char *const evid_boilerplate[] = {
	"Version", "Level", "Task", "Opcode", "Keywords", "EventRecordID",
	"Provider_Guid", "Correlation_ActivityID",
	"Correlation_RelatedActivityID", "Execution_ProcessID",
	"Execution_ThreadID", "Security_UserID", "TimeCreated_SystemTime",
	"EventID_Qualifiers", "RuleName", "UtcTime", "LogonGuid",
};

/* Named first: whatever else fits, the record is known for Windows. */
static const char *const evid_first[] = {
	"EventID", "Channel", "Computer",
};

static bool evid_shown(struct core_str name)
{
	if (name.len == 0 || name.p[0] == '@' || name.p[0] == '#' ||
	    memchr(name.p, '.', name.len) != NULL)
		return false;
	for (size_t i = 0; i < CORE_ARRAY_LEN(evid_boilerplate); i++)
		if (core_str_eq_lit(name, evid_boilerplate[i]))
			return false;
	for (size_t i = 0; i < CORE_ARRAY_LEN(evid_first); i++)
		if (core_str_eq_lit(name, evid_first[i]))
			return false;
	return true;
}

/* Bytes of v to keep: at most max, not splitting a UTF-8 character. */
static size_t evid_cut(struct core_str v, size_t max)
{
	size_t n = CORE_MIN(v.len, max);

	while (n > 0 && n < v.len && ((unsigned char)v.p[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/*
 * Appends "name":"value" to the object in b when it fits with room left
 * to close it within DETECT_EVIDENCE_MAX; pair is scratch.
 */
static void evid_pair(struct core_buf *b, struct core_buf *pair,
		      struct core_str name, struct core_str value)
{
	int rc;

	core_buf_reset(pair);
	rc = core_buf_add(pair, b->len > 1 ? ",\"" : "\"", b->len > 1 ? 2 : 1);
	if (rc == 0)
		rc = core_buf_add_json(pair, name.p, name.len);
	if (rc == 0)
		rc = core_buf_add(pair, "\":\"", 3);
	if (rc == 0)
		rc = core_buf_add_json(pair, value.p,
				       evid_cut(value, EVID_VALUE_MAX));
	if (rc == 0)
		rc = core_buf_addc(pair, '"');
	if (rc == 0 && b->len + pair->len + 1 <= DETECT_EVIDENCE_MAX)
		(void)core_buf_add(b, pair->p, pair->len);
}

/*
 * A Windows record too long to keep whole: cut, its first kilobyte is
 * the System values and an exporter's own keys, and the EventData an
 * analyst reads (the account, the address, the command) is lost.  It is
 * kept instead as one flat JSON object of the fields the event names:
 * EventID, Channel and Computer first, then the EventData items in
 * order, each value cut to EVID_VALUE_MAX bytes, as many as fit in
 * DETECT_EVIDENCE_MAX with the object closed; in b.  False when ev is no
 * such record.
 */
static bool evid_windows(const struct core_event *ev, struct core_buf *b)
{
	const struct core_str *ds = core_event_get(ev, CORE_F_EVENT_DATASET);
	struct core_buf pair;

	if (core_event_raw(ev)->len <= DETECT_EVIDENCE_MAX || ds == NULL ||
	    !core_str_eq_lit(*ds, "windows") || core_buf_addc(b, '{') != 0)
		return false;
	core_buf_init(&pair, 8 * EVID_VALUE_MAX);
	for (size_t k = 0; k < CORE_ARRAY_LEN(evid_first); k++) {
		const char *n = evid_first[k];
		const struct core_str *v = core_event_get_named(ev, n,
								strlen(n));

		if (v != NULL)
			evid_pair(b, &pair, core_str_make(n, strlen(n)), *v);
	}
	for (unsigned i = 0; i < ev->nfields; i++) {
		const struct core_field *f = &ev->fields[i];

		if (f->id == CORE_F_NAMED && evid_shown(f->name))
			evid_pair(b, &pair, f->name, f->value);
	}
	core_buf_free(&pair);
	return b->p != NULL && b->len > 1 && core_buf_addc(b, '}') == 0;
}

/* Copies an evidence record and its strings into one allocation. */
static struct detect_evidence *evid_copy(const struct core_event *ev)
{
	struct detect_evidence tmp, *e;
	size_t need = sizeof(*e), slen;
	struct core_buf b;
	char *p;

	detect_evidence_from(&tmp, ev);
	core_buf_init(&b, 16 * DETECT_EVIDENCE_MAX);
	if (evid_windows(ev, &b))
		tmp.text = core_str_make(b.p, b.len);
	slen = tmp.src ? strlen(tmp.src) + 1 : 0;
	need += slen + tmp.text.len;
	for (unsigned i = 0; i < DETECT_ENT__COUNT; i++)
		need += tmp.entity[i].len;
	e = malloc(need);
	if (e == NULL) {
		core_buf_free(&b);
		return NULL;
	}
	*e = tmp;
	p = (char *)(e + 1);
	if (slen) {
		memcpy(p, tmp.src, slen);
		e->src = p;
		p += slen;
	}
	memcpy(p, tmp.text.p ? tmp.text.p : "", tmp.text.len);
	e->text.p = p;
	p += tmp.text.len;
	for (unsigned i = 0; i < DETECT_ENT__COUNT; i++) {
		memcpy(p, tmp.entity[i].p ? tmp.entity[i].p : "",
		       tmp.entity[i].len);
		e->entity[i].p = p;
		p += tmp.entity[i].len;
	}
	core_buf_free(&b);
	return e;
}

/* Keeps the first HEAD hits and a ring of the last TAIL. */
static void evid_add(struct cgroup *g, const struct core_event *ev)
{
	struct detect_evidence *e = evid_copy(ev);
	unsigned slot;

	if (e == NULL)
		return;
	if (g->nhead < HEAD) {
		g->ev[g->nhead++] = e;
		return;
	}
	slot = HEAD + g->tpos;
	free(g->ev[slot]);
	g->ev[slot] = e;
	g->tpos = (g->tpos + 1) % TAIL;
	if (g->ntail < TAIL)
		g->ntail++;
}

static void evid_clear(struct cgroup *g)
{
	for (unsigned i = 0; i < DETECT_ALERT_MAX_EVIDENCE; i++) {
		free(g->ev[i]);
		g->ev[i] = NULL;
	}
	g->nhead = g->ntail = g->tpos = 0;
}

/* ---------------------------------------------------------------- groups */

static void group_reset(struct cgroup *g)
{
	evid_clear(g);
	g->count = 0;
	g->open = false;
	g->rn = g->rpos = 0;
	g->nv = 0;
	g->dn = 0;
	if (g->dset != NULL)
		memset(g->dset, 0, g->dcap * sizeof(*g->dset));
	g->reached = 0;
	g->sum = 0;
	g->nnum = 0;
	g->nres = 0;
	g->vn = 0;
	g->steps = 0;
	if (g->vc != NULL)
		memset(g->vc, 0, g->vcap * sizeof(*g->vc));
}

static void group_free(struct cgroup *g)
{
	evid_clear(g);
	free(g->res);
	free(g->vc);
	free(g->ring);
	free(g->vals);
	free(g->dset);
	free(g->key);
	free(g);
}

static void lru_unlink(struct detect_ctab *t, struct cgroup *g)
{
	if (g->older)
		g->older->newer = g->newer;
	else
		t->oldest = g->newer;
	if (g->newer)
		g->newer->older = g->older;
	else
		t->newest = g->older;
	g->older = g->newer = NULL;
}

static void lru_push(struct detect_ctab *t, struct cgroup *g)
{
	g->older = t->newest;
	g->newer = NULL;
	if (t->newest)
		t->newest->newer = g;
	t->newest = g;
	if (t->oldest == NULL)
		t->oldest = g;
}

static void hash_unlink(struct detect_ctab *t, struct cgroup *g)
{
	struct cgroup **pp = &t->bucket[g->hash & (t->nbucket - 1)];

	while (*pp != NULL && *pp != g)
		pp = &(*pp)->hnext;
	if (*pp == g)
		*pp = g->hnext;
}

static int table_grow(struct detect_ctab *t)
{
	unsigned nb = t->nbucket ? t->nbucket * 2 : 1024;
	struct cgroup **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return CORE_E_NOMEM;
	for (unsigned i = 0; i < t->nbucket; i++) {
		struct cgroup *g = t->bucket[i], *nx;

		for (; g != NULL; g = nx) {
			nx = g->hnext;
			g->hnext = b[g->hash & (nb - 1)];
			b[g->hash & (nb - 1)] = g;
		}
	}
	free(t->bucket);
	t->bucket = b;
	t->nbucket = nb;
	return 0;
}

/* Builds the group key of ev for slot; false when it is too long. */
static bool key_build(const struct detect_corr *c, unsigned slot,
		      const struct core_event *ev, char *key, size_t *klen,
		      uint16_t *voff, uint16_t *vlen)
{
	size_t n = 0;

	for (unsigned i = 0; i < c->ngroup; i++) {
		const struct core_str *v = detect_fref_get(ev,
							   &c->gref[slot][i]);
		size_t len = v ? v->len : 0;

		if (n + len + 1 > KEY_MAX)
			return false;
		voff[i] = (uint16_t)n;
		vlen[i] = (uint16_t)len;
		if (len)
			memcpy(key + n, v->p, len);
		n += len;
		key[n++] = '\0';
	}
	*klen = n;
	return true;
}

/* ---------------------------------------------------------------- alerts */

static void report(struct detect_ruleset *rs, struct detect_rule *r,
		   struct cgroup *g, detect_alert_fn fn, void *ud)
{
	const struct detect_corr *c = r->corr;
	struct detect_alert a;
	unsigned k = 0;

	if (!r->info.generate || fn == NULL)
		return;
	(void)rs;
	memset(&a, 0, sizeof(a));
	a.rule = &r->info;
	a.ts_first = g->first_ts;
	a.ts_last = g->last_ts;
	a.count = g->count;
	a.distinct = c->type == DETECT_CORR_VALUE_COUNT ? g->dn : 0;
	a.ngroup = c->ngroup;
	for (unsigned i = 0; i < c->ngroup; i++) {
		a.group[i].field = c->group[i];
		a.group[i].value = core_str_make(g->key + g->voff[i],
						 g->vlen[i]);
	}
	for (unsigned i = 0; i < g->nhead; i++)
		if (g->ev[i])
			a.evidence[k++] = *g->ev[i];
	for (unsigned i = 0; i < g->ntail; i++) {
		unsigned s = HEAD + (g->tpos + TAIL - g->ntail + i) % TAIL;

		if (g->ev[s])
			a.evidence[k++] = *g->ev[s];
	}
	a.nevidence = k;
	fn(&a, ud);
}

static void window_close(struct detect_ruleset *rs, struct detect_rule *r,
			 struct cgroup *g, detect_alert_fn fn, void *ud);

/* Ends g's burst: reports it if the condition held, then clears it. */
static void burst_end(struct detect_ruleset *rs, struct detect_rule *r,
		      struct cgroup *g, detect_alert_fn fn, void *ud)
{
	if (r->corr->closed) {
		window_close(rs, r, g, fn, ud);
		return;
	}
	if (g->open)
		report(rs, r, g, fn, ud);
	group_reset(g);
}

static void group_drop(struct detect_ruleset *rs, struct detect_rule *r,
		       struct cgroup *g, detect_alert_fn fn, void *ud)
{
	struct detect_ctab *t = r->corr->tab;

	burst_end(rs, r, g, fn, ud);
	lru_unlink(t, g);
	hash_unlink(t, g);
	t->n--;
	group_free(g);
}

/*
 * Retires a few groups from the cold end that are stale at `now`, the
 * time of the event that needs a group, then evicts if full.  Stale is
 * measured from that event, not from the latest time seen, and either
 * way: a second input older than the first (sample files of different
 * years) still correlates within itself, and the first one's groups,
 * newer than `timespan` past it, retire instead of blocking the rest.
 */
static void make_room(struct detect_ruleset *rs, struct detect_rule *r,
		      int64_t now, detect_alert_fn fn, void *ud)
{
	struct detect_ctab *t = r->corr->tab;

	for (int i = 0; i < 2 && t->oldest != NULL; i++) {
		int64_t idle = now - t->oldest->last_ts;

		/* Stale either way: a newer group of an earlier input too. */
		if (idle <= r->corr->timespan && -idle <= r->corr->timespan)
			break;
		group_drop(rs, r, t->oldest, fn, ud);
	}
	if (t->n >= rs->group_cap && t->oldest != NULL) {
		rs->evictions++;
		group_drop(rs, r, t->oldest, fn, ud);
	}
}

static struct cgroup *group_get(struct detect_ruleset *rs,
				struct detect_rule *r, unsigned slot,
				const struct core_event *ev,
				detect_alert_fn fn, void *ud)
{
	struct detect_ctab *t = r->corr->tab;
	char key[KEY_MAX];
	uint16_t voff[DETECT_ALERT_MAX_GROUP], vlen[DETECT_ALERT_MAX_GROUP];
	struct cgroup *g;
	size_t klen;
	uint64_t h;

	if (!key_build(r->corr, slot, ev, key, &klen, voff, vlen))
		return NULL;
	h = core_hash(key, klen, 0);
	for (g = t->bucket[h & (t->nbucket - 1)]; g != NULL; g = g->hnext) {
		if (g->hash == h && g->klen == klen &&
		    memcmp(g->key, key, klen) == 0) {
			lru_unlink(t, g);
			lru_push(t, g);
			return g;
		}
	}
	make_room(rs, r, ev->ts == CORE_TS_UNKNOWN ? rs->clock : ev->ts, fn,
		  ud);
	if (t->n >= t->nbucket && table_grow(t) != 0)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (g == NULL || (g->key = malloc(klen)) == NULL) {
		free(g);
		return NULL;
	}
	memcpy(g->key, key, klen);
	memcpy(g->voff, voff, sizeof(voff));
	memcpy(g->vlen, vlen, sizeof(vlen));
	g->klen = klen;
	g->hash = h;
	g->hnext = t->bucket[h & (t->nbucket - 1)];
	t->bucket[h & (t->nbucket - 1)] = g;
	lru_push(t, g);
	t->n++;
	return g;
}

/* ------------------------------------------------------- counting types */

static void dset_put(uint64_t *set, unsigned cap, uint64_t h, unsigned *n)
{
	unsigned i;

	for (i = (unsigned)h & (cap - 1); set[i] != 0;
	     i = (i + 1) & (cap - 1)) {
		if (set[i] == h)
			return;
	}
	set[i] = h;
	(*n)++;
}

/* Adds h to the burst's distinct set; saturates at DSET_MAX / 2 values. */
static void dset_add(struct cgroup *g, uint64_t h)
{
	h |= 1;			/* 0 marks an empty slot */
	if ((g->dn + 1) * 2 > g->dcap) {
		unsigned ncap = g->dcap ? g->dcap * 2 : 16, n = 0;
		uint64_t *nset;

		if (ncap > DSET_MAX || (nset = calloc(ncap, 8)) == NULL)
			return;
		for (unsigned i = 0; i < g->dcap; i++) {
			if (g->dset[i] != 0)
				dset_put(nset, ncap, g->dset[i], &n);
		}
		free(g->dset);
		g->dset = nset;
		g->dcap = ncap;
		g->dn = n;
	}
	dset_put(g->dset, g->dcap, h, &g->dn);
}

/*
 * How many events ev stands for: syslog's "message repeated N times:
 * [ ... ]" is N events like the one inside it (the decoder sets
 * vigil.repeat.count), everything else one.
 */
static uint64_t event_times(const struct core_event *ev)
{
	const struct core_str *rep = core_event_get_named(ev,
		"vigil.repeat.count", 18);
	uint64_t n;

	if (rep && core_str_to_u64(*rep, &n) && n > 1 && n <= 1000000)
		return n;
	return 1;
}

static bool ring_holds(const struct detect_corr *c, struct cgroup *g,
		       int64_t t)
{
	unsigned w = c->window;

	if (g->ring == NULL && (g->ring = calloc(w, sizeof(*g->ring))) == NULL)
		return false;
	g->ring[g->rpos] = t;
	g->rpos = (g->rpos + 1) % w;
	if (g->rn < w)
		g->rn++;
	/* rpos now indexes the oldest of the last w hit times. */
	return g->rn == w && t - g->ring[g->rpos % w] <= c->timespan;
}

static bool values_hold(const struct detect_corr *c, struct cgroup *g,
			uint64_t h, int64_t t)
{
	unsigned w = c->window, i, old = 0;
	int64_t min;

	if (g->vals == NULL && (g->vals = calloc(w, sizeof(*g->vals))) == NULL)
		return false;
	for (i = 0; i < g->nv && g->vals[i].h != h; i++)
		;
	if (i == g->nv && g->nv < w)
		g->nv++;
	if (i == g->nv) {
		for (i = 1; i < g->nv; i++)
			old = g->vals[i].ts < g->vals[old].ts ? i : old;
		i = old;
	}
	g->vals[i].h = h;
	g->vals[i].ts = t;
	if (g->nv < w)
		return false;
	min = g->vals[0].ts;
	for (i = 1; i < w; i++)
		min = CORE_MIN(min, g->vals[i].ts);
	return t - min <= c->timespan;
}

static void count_feed(struct detect_ruleset *rs, struct detect_rule *r,
		       struct cgroup *g, unsigned slot,
		       const struct core_event *ev, int64_t t,
		       detect_alert_fn fn, void *ud)
{
	const struct detect_corr *c = r->corr;
	const struct core_str *v = NULL;
	uint64_t h = 0, times = event_times(ev);
	bool holds;

	if (c->type == DETECT_CORR_VALUE_COUNT) {
		v = detect_fref_get(ev, &c->fref[slot]);
		if (v == NULL)
			return;
		h = core_hash(v->p, v->len, 0x5151);
	}
	if (g->count > 0 && t - g->last_ts > c->timespan)
		burst_end(rs, r, g, fn, ud);
	if (g->count > 0 && t < g->last_ts)
		t = g->last_ts;
	if (g->count == 0)
		g->first_ts = t;
	g->count += c->type == DETECT_CORR_VALUE_COUNT ? 1 : times;
	g->last_ts = t;
	evid_add(g, ev);
	if (c->type == DETECT_CORR_VALUE_COUNT) {
		dset_add(g, h);
		holds = values_hold(c, g, h, t);
	} else {
		/* A repeated line fills as many places as it stands for. */
		holds = false;
		for (uint64_t k = 0; k < CORE_MIN(times, (uint64_t)c->window);
		     k++)
			holds |= ring_holds(c, g, t);
	}
	if (holds)
		g->open = true;
	if (g->open)
		detect_rule_hit(rs, r, ev, fn, ud);
}

/* ------------------------------------------------------- temporal types */

static void seq_report(struct detect_ruleset *rs, struct detect_rule *r,
		       struct cgroup *g, int64_t first, int64_t t,
		       const struct core_event *ev, detect_alert_fn fn,
		       void *ud)
{
	g->count = r->corr->nrefs;
	g->first_ts = first;
	g->last_ts = t;
	g->nhead = CORE_MIN(r->corr->nrefs, DETECT_ALERT_MAX_EVIDENCE);
	g->ntail = 0;
	g->open = true;
	report(rs, r, g, fn, ud);
	detect_rule_hit(rs, r, ev, fn, ud);
	group_reset(g);
}

static void step_keep(struct cgroup *g, unsigned slot,
		      const struct core_event *ev)
{
	if (slot >= DETECT_ALERT_MAX_EVIDENCE)
		return;
	free(g->ev[slot]);
	g->ev[slot] = evid_copy(ev);
}

static void temporal_feed(struct detect_ruleset *rs, struct detect_rule *r,
			  struct cgroup *g, unsigned slot,
			  const struct core_event *ev, int64_t t,
			  detect_alert_fn fn, void *ud)
{
	const struct detect_corr *c = r->corr;
	uint32_t all = (1u << c->nrefs) - 1;
	int64_t first = t;

	g->last_ts = t;
	g->sts[slot] = t;
	g->reached |= 1u << slot;
	step_keep(g, slot, ev);
	for (unsigned i = 0; i < c->nrefs; i++) {
		if ((g->reached & (1u << i)) && t - g->sts[i] > c->timespan)
			g->reached &= ~(1u << i);
		else if (g->reached & (1u << i))
			first = CORE_MIN(first, g->sts[i]);
	}
	if ((unsigned)__builtin_popcount(g->reached) >= c->window ||
	    g->reached == all)
		seq_report(rs, r, g, first, t, ev, fn, ud);
}

static void ordered_feed(struct detect_ruleset *rs, struct detect_rule *r,
			 struct cgroup *g, unsigned slot,
			 const struct core_event *ev, int64_t t,
			 detect_alert_fn fn, void *ud)
{
	const struct detect_corr *c = r->corr;

	g->last_ts = t;
	if (slot == 0) {
		g->start[0] = t;
	} else if ((g->reached & (1u << (slot - 1))) &&
		   t - g->start[slot - 1] <= c->timespan) {
		g->start[slot] = g->start[slot - 1];
	} else {
		return;
	}
	g->reached |= 1u << slot;
	step_keep(g, slot, ev);
	if (slot + 1 >= c->window)
		seq_report(rs, r, g, g->start[slot], t, ev, fn, ud);
}

/* -------------------------------------------------------- closed windows */

static bool cond_holds(const struct detect_corr *c, double x)
{
	for (unsigned i = 0; i < c->ncond; i++) {
		double b = c->cond[i].d;
		bool ok;

		switch (c->cond[i].op) {
		case DETECT_CMP_GT:
			ok = x > b;
			break;
		case DETECT_CMP_GTE:
			ok = x >= b;
			break;
		case DETECT_CMP_LT:
			ok = x < b;
			break;
		case DETECT_CMP_LTE:
			ok = x <= b;
			break;
		case DETECT_CMP_NEQ:
			ok = x != b;
			break;
		default:
			ok = x == b;
			break;
		}
		if (!ok)
			return false;
	}
	return true;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static bool median(struct cgroup *g, double *out)
{
	double tmp[RES_MAX];

	if (g->nres == 0)
		return false;
	memcpy(tmp, g->res, g->nres * sizeof(*tmp));
	qsort(tmp, g->nres, sizeof(*tmp), dcmp);
	*out = g->nres % 2 ? tmp[g->nres / 2] :
	       (tmp[g->nres / 2 - 1] + tmp[g->nres / 2]) / 2;
	return true;
}

/* The share (percent) of the window's events the rarest value holds. */
static bool rarest(const struct cgroup *g, double *out)
{
	uint64_t least = UINT64_MAX, all = 0;

	for (unsigned i = 0; i < g->vcap; i++) {
		if (g->vc[i].h == 0)
			continue;
		all += g->vc[i].n;
		least = CORE_MIN(least, g->vc[i].n);
	}
	if (all == 0)
		return false;
	*out = 100.0 * (double)least / (double)all;
	return true;
}

/* The window's figure the condition is about; false: nothing to test. */
static bool metric(const struct detect_corr *c, struct cgroup *g, double *x)
{
	switch (c->type) {
	case DETECT_CORR_EVENT_COUNT:
		*x = (double)g->count;
		return g->count > 0;
	case DETECT_CORR_VALUE_COUNT:
		*x = (double)g->dn;
		return g->count > 0;
	case DETECT_CORR_TEMPORAL:
		*x = __builtin_popcount(g->reached);
		return g->count > 0;
	case DETECT_CORR_TEMPORAL_ORDERED:
		*x = g->steps;
		return g->count > 0;
	case DETECT_CORR_VALUE_SUM:
		*x = g->sum;
		return g->nnum > 0;
	case DETECT_CORR_VALUE_AVG:
		*x = g->nnum ? g->sum / (double)g->nnum : 0;
		return g->nnum > 0;
	case DETECT_CORR_VALUE_MEDIAN:
		return median(g, x);
	default:
		return rarest(g, x);
	}
}

/*
 * A closed window that held feeds the correlations referencing r with an
 * event made of its group-by values (under the group-by names), its last
 * time and its last evidence's record, as an open burst feeds them with
 * the event that made it hold.  Correlations flushed at the end of the
 * input before r is are not fed again.
 */
static void feed_up(struct detect_ruleset *rs, struct detect_rule *r,
		    struct cgroup *g, detect_alert_fn fn, void *ud)
{
	const struct detect_corr *c = r->corr;
	const struct detect_evidence *last = NULL;
	struct core_event *e;

	if (r->nparents == 0 || rs == NULL || fn == NULL)
		return;
	e = malloc(sizeof(*e));
	if (e == NULL)
		return;
	if (g->ntail > 0)
		last = g->ev[HEAD + (g->tpos + TAIL - 1) % TAIL];
	else if (g->nhead > 0)
		last = g->ev[g->nhead - 1];
	core_event_reset(e, NULL);
	e->ts = g->last_ts;
	e->decoded = true;
	if (last != NULL) {
		e->src = last->src;
		e->line = last->line;
		e->raw = last->text;
	}
	for (unsigned i = 0; i < c->ngroup; i++)
		core_event_set_named(e, c->group[i], strlen(c->group[i]),
				     g->key + g->voff[i], g->vlen[i]);
	detect_rule_hit(rs, r, e, fn, ud);
	free(e);
}

static void window_close(struct detect_ruleset *rs, struct detect_rule *r,
			 struct cgroup *g, detect_alert_fn fn, void *ud)
{
	double x;

	if (metric(r->corr, g, &x) && cond_holds(r->corr, x)) {
		g->open = true;
		report(rs, r, g, fn, ud);
		feed_up(rs, r, g, fn, ud);
	}
	group_reset(g);
}

static void vc_add(struct cgroup *g, uint64_t h)
{
	unsigned i;

	h |= 1;
	if (g->vc == NULL) {
		g->vc = calloc(VC_MAX * 2, sizeof(*g->vc));
		if (g->vc == NULL)
			return;
		g->vcap = VC_MAX * 2;
	}
	for (i = (unsigned)h & (g->vcap - 1); g->vc[i].h != 0 &&
	     g->vc[i].h != h; i = (i + 1) & (g->vcap - 1))
		;
	if (g->vc[i].h == 0) {
		if (g->vn == VC_MAX)
			return;
		g->vc[i].h = h;
		g->vn++;
	}
	g->vc[i].n++;
}

/* Keeps a sample of RES_MAX values: all of them until it is full. */
static void res_add(struct cgroup *g, double x)
{
	uint64_t at;

	if (g->res == NULL && (g->res = malloc(RES_MAX * sizeof(double))) ==
	    NULL)
		return;
	if (g->nres < RES_MAX) {
		g->res[g->nres++] = x;
		return;
	}
	at = core_hash(&g->nnum, sizeof(g->nnum), 0x6d) % g->nnum;
	if (at < RES_MAX)
		g->res[at] = x;
}

static bool num_of(struct core_str v, double *x)
{
	char buf[64], *end;

	v = core_str_trim(v);
	if (v.len == 0 || v.len >= sizeof(buf))
		return false;
	memcpy(buf, v.p, v.len);
	buf[v.len] = '\0';
	*x = strtod(buf, &end);
	return *end == '\0';
}

static void closed_feed(struct detect_ruleset *rs, struct detect_rule *r,
			struct cgroup *g, unsigned slot,
			const struct core_event *ev, int64_t t,
			detect_alert_fn fn, void *ud)
{
	const struct detect_corr *c = r->corr;
	const struct core_str *v = c->field ?
		detect_fref_get(ev, &c->fref[slot]) : NULL;
	double x;

	if (g->count > 0 && t - g->first_ts > c->timespan)
		window_close(rs, r, g, fn, ud);
	if (g->count++ == 0)
		g->first_ts = t;
	g->last_ts = CORE_MAX(g->last_ts, t);
	evid_add(g, ev);
	switch (c->type) {
	case DETECT_CORR_VALUE_COUNT:
		if (v != NULL)
			dset_add(g, core_hash(v->p, v->len, 0x5151));
		break;
	case DETECT_CORR_TEMPORAL:
		g->reached |= 1u << slot;
		break;
	case DETECT_CORR_TEMPORAL_ORDERED:
		if (slot == g->steps)
			g->steps++;
		break;
	case DETECT_CORR_VALUE_PERCENTILE:
		if (v != NULL)
			vc_add(g, core_hash(v->p, v->len, 0x5151));
		break;
	case DETECT_CORR_EVENT_COUNT:
		break;
	default:
		if (v == NULL || !num_of(*v, &x))
			break;
		g->sum += x;
		g->nnum++;
		if (c->type == DETECT_CORR_VALUE_MEDIAN)
			res_add(g, x);
		break;
	}
}

/* ------------------------------------------------------------ interface */

int detect_corr_init(struct detect_ruleset *rs, struct detect_rule *r)
{
	struct detect_ctab *t = calloc(1, sizeof(*t));

	(void)rs;
	if (t == NULL)
		return CORE_E_NOMEM;
	r->corr->tab = t;
	return table_grow(t);
}

void detect_corr_feed(struct detect_ruleset *rs, struct detect_rule *r,
		      unsigned slot, const struct core_event *ev,
		      detect_alert_fn fn, void *ud)
{
	int64_t t = ev->ts == CORE_TS_UNKNOWN ? rs->clock : ev->ts;
	struct cgroup *g;

	if (r->corr->tab == NULL)
		return;
	g = group_get(rs, r, slot, ev, fn, ud);
	if (g == NULL)
		return;
	if (r->corr->closed) {
		closed_feed(rs, r, g, slot, ev, t, fn, ud);
		return;
	}
	switch (r->corr->type) {
	case DETECT_CORR_TEMPORAL:
		temporal_feed(rs, r, g, slot, ev, t, fn, ud);
		break;
	case DETECT_CORR_TEMPORAL_ORDERED:
		ordered_feed(rs, r, g, slot, ev, t, fn, ud);
		break;
	default:
		count_feed(rs, r, g, slot, ev, t, fn, ud);
		break;
	}
}

void detect_corr_flush(struct detect_ruleset *rs, struct detect_rule *r,
		       detect_alert_fn fn, void *ud)
{
	struct detect_ctab *t = r->corr ? r->corr->tab : NULL;

	if (t == NULL)
		return;
	while (t->oldest != NULL) {
		struct cgroup *g = t->oldest;

		if (r->corr->type == DETECT_CORR_EVENT_COUNT ||
		    r->corr->type == DETECT_CORR_VALUE_COUNT ||
		    r->corr->closed)
			burst_end(rs, r, g, fn, ud);
		group_drop(rs, r, g, NULL, NULL);
	}
}

void detect_corr_free(struct detect_rule *r)
{
	if (r->corr == NULL || r->corr->tab == NULL)
		return;
	detect_corr_flush(NULL, r, NULL, NULL);
	free(r->corr->tab->bucket);
	free(r->corr->tab);
	r->corr->tab = NULL;
}
