/*
 * entity.c: exact per-entity counters, taken from every event whatever
 * the rules say.
 *
 * An incident shows "1,204 failed logins for 57 user names" because this
 * file counted them, not because a rule's window happened to hold them.
 * Workload: one call per event, millions of events, three or four table
 * lookups each.
 *
 * Entities live in one open-addressing table (linear probing, load kept
 * under one half) keyed on type and value.  Values are copied into the
 * set's arena: events are transient.  The table is capped (by default a
 * million entities); an event whose entity does not fit is counted in
 * `untracked` and its figures are lost, never guessed.
 *
 * Distinct user names per source (and sources per user) are kept as an
 * exact set of 64-bit hashes up to INCIDENT_DISTINCT_EXACT values; past
 * that a 256-register HyperLogLog estimates them (about 6.5% error) and
 * the counters say the figure is an estimate.
 *
 * Only sshd's logins (ssh_login) and Windows logons (windows_logon:
 * Security 4624 and 4625) count as logins: pam_unix repeats what sshd
 * says and would count each failure twice.
 *
 * Besides the whole input's counters, each entity keeps them per slot of
 * time gap_us wide (an hour by default; a span, one per slot the entity
 * was active in, linked from the entity, newest first).  An incident
 * reads the slots that its own time touches, widened by one gap either
 * side, so a login a year (or a day) away from a web scan is no part of
 * the scan's story.  Input mostly comes in time order: the entity's
 * latest span is tried first, then an open-addressing index on (entity,
 * slot), so neither a year of hours nor a second file over the same
 * hours walks the entity's list.  An entity seen within one slot only
 * (most visitors of a web log) keeps no span: its slot's figures are
 * its own, and it notes the slot; its second slot makes the spans of
 * both.  Spans are capped (INCIDENT_MAX_SPANS, and never more than
 * entities); an entity one of whose events found no room is read whole,
 * as before.
 */
#include "incident/incident_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Web errors from a source after which its login is kept as hostile. */
#define LOGIN_SCAN_4XX 10

/* Finaliser so that FNV's weak low bits do not skew the estimator. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Returns true when a register grew, i.e. the estimate may change. */
static bool hll_add(uint8_t *regs, uint64_t h)
{
	/* Top 8 bits pick the register; bit 0 is always set (see below). */
	unsigned idx = (unsigned)(h >> 56);
	uint64_t rest = h >> 1;
	uint8_t rank = 1;

	while (rank < 55 && !(rest & 1)) {
		rank++;
		rest >>= 1;
	}
	if (regs[idx] >= rank)
		return false;
	regs[idx] = rank;
	return true;
}

static uint64_t hll_estimate(const uint8_t *regs)
{
	double m = INCIDENT_HLL_REGS, sum = 0, e;
	unsigned zeros = 0;

	for (unsigned i = 0; i < INCIDENT_HLL_REGS; i++) {
		sum += ldexp(1.0, -(int)regs[i]);
		zeros += regs[i] == 0;
	}
	e = (0.7213 / (1 + 1.079 / m)) * m * m / sum;
	if (e <= 2.5 * m && zeros > 0)
		e = m * log(m / zeros);
	return (uint64_t)(e + 0.5);
}

/* Slots of the exact set: twice the exact limit keeps probing short. */
#define DISTINCT_SLOTS (2 * INCIDENT_DISTINCT_EXACT)

static void distinct_to_hll(struct incident_set *s, struct incident_distinct *d)
{
	d->regs = incident_alloc(s, INCIDENT_HLL_REGS);
	if (!d->regs)
		return;
	for (unsigned i = 0; i < DISTINCT_SLOTS; i++)
		if (d->hashes[i])
			hll_add(d->regs, d->hashes[i]);
	incident_dealloc(s, d->hashes, DISTINCT_SLOTS * sizeof(uint64_t));
	d->hashes = NULL;
}

/*
 * Adds value to d; returns the new distinct figure and sets *estimated
 * once the exact set has overflowed.
 */
static uint64_t distinct_add(struct incident_set *s,
			     struct incident_distinct *d, struct core_str v,
			     bool *estimated)
{
	uint64_t h = mix64(core_hash(v.p, v.len, 0x64697374)) | 1;
	unsigned i;

	/*
	 * The estimate sums all registers: recompute it only when one grew,
	 * which after warm-up is rare, and keep it in d->n meanwhile.
	 */
	if (d->regs) {
		*estimated = true;
		if (hll_add(d->regs, h))
			d->n = hll_estimate(d->regs);
		return d->n;
	}
	if (!d->hashes) {
		d->hashes = incident_alloc(s, DISTINCT_SLOTS *
					   sizeof(uint64_t));
		if (!d->hashes)
			return d->n;
	}

	for (i = (unsigned)(h % DISTINCT_SLOTS); d->hashes[i];
	     i = (i + 1) % DISTINCT_SLOTS)
		if (d->hashes[i] == h)
			return d->n;
	if (d->n < INCIDENT_DISTINCT_EXACT) {
		d->hashes[i] = h;
		return ++d->n;
	}

	distinct_to_hll(s, d);
	if (!d->regs)
		return d->n;
	hll_add(d->regs, h);
	*estimated = true;
	d->n = hll_estimate(d->regs);
	return d->n;
}

static void distinct_free(struct incident_set *s, struct incident_distinct *d)
{
	incident_dealloc(s, d->hashes, DISTINCT_SLOTS * sizeof(uint64_t));
	incident_dealloc(s, d->regs, INCIDENT_HLL_REGS);
}

/* Target users share the user table: one person, one set of counters. */
static enum incident_entity_type table_type(enum incident_entity_type t)
{
	return t == INCIDENT_ENT_TARGET_USER ? INCIDENT_ENT_USER : t;
}

static uint64_t ent_hash(enum incident_entity_type t, struct core_str v)
{
	return core_hash(v.p, v.len, 0x9e3779b97f4a7c15ULL * (t + 1));
}

/* Returns the slot holding (t, v) or the free slot where it would go. */
static size_t ent_slot(const struct incident_enttab *tab, uint64_t h,
		       enum incident_entity_type t, struct core_str v)
{
	size_t mask = tab->nslots - 1, i = h & mask;

	while (tab->slots[i]) {
		const struct incident_ent *e = &tab->ents[tab->slots[i] - 1];

		if (e->hash == h && e->type == t && core_str_eq(e->value, v))
			return i;
		i = (i + 1) & mask;
	}
	return i;
}

/*
 * At most INCIDENT_VALUE_MAX bytes, not ending inside a character: a cut
 * before a continuation byte goes back to its lead byte, found within
 * three bytes.  Bytes that are no UTF-8 are cut where they fall, so a
 * value never shrinks by more than three.
 */
static struct core_str clip(struct core_str v)
{
	v = core_str_trim(v);
	if (v.len <= INCIDENT_VALUE_MAX)
		return v;
	v.len = INCIDENT_VALUE_MAX;
	if (((unsigned char)v.p[v.len] & 0xc0) != 0x80)
		return v;
	for (size_t k = 1; k <= 3; k++) {
		unsigned char c = (unsigned char)v.p[v.len - k];

		if (c >= 0xc0) {
			v.len -= k;
			break;
		}
		if ((c & 0xc0) != 0x80)
			break;
	}
	return v;
}

/* Looks an entity up without creating it; NULL when unknown. */
struct incident_ent *incident_ent_find(const struct incident_set *s,
				       enum incident_entity_type t,
				       struct core_str v)
{
	const struct incident_enttab *tab = &s->ents;
	uint64_t h;
	size_t i;

	if (!tab->nslots || !v.len)
		return NULL;
	t = table_type(t);
	v = clip(v);
	h = ent_hash(t, v);
	i = ent_slot(tab, h, t, v);
	return tab->slots[i] ? &tab->ents[tab->slots[i] - 1] : NULL;
}

static int ent_grow(struct incident_set *s)
{
	struct incident_enttab *tab = &s->ents;
	size_t nslots = tab->nslots ? tab->nslots * 2 : 1024;
	uint32_t *slots = incident_alloc(s, nslots * sizeof(*slots));

	if (!slots)
		return CORE_E_NOMEM;
	incident_dealloc(s, tab->slots, tab->nslots * sizeof(*slots));
	tab->slots = slots;
	tab->nslots = nslots;
	for (size_t k = 0; k < tab->n; k++) {
		struct incident_ent *e = &tab->ents[k];
		size_t i = ent_slot(tab, e->hash, e->type, e->value);

		tab->slots[i] = (uint32_t)(k + 1);
	}
	return 0;
}

static int ent_reserve(struct incident_set *s)
{
	struct incident_enttab *tab = &s->ents;
	size_t cap;
	void *p;

	if ((tab->n + 1) * 2 > tab->nslots && ent_grow(s) < 0)
		return CORE_E_NOMEM;
	if (tab->n < tab->cap)
		return 0;
	cap = tab->cap ? tab->cap * 2 : 256;
	if (cap > tab->max)
		cap = tab->max;
	p = incident_realloc(s, tab->ents, tab->cap * sizeof(*tab->ents),
			     cap * sizeof(*tab->ents));
	if (!p)
		return CORE_E_NOMEM;
	tab->ents = p;
	tab->cap = cap;
	return 0;
}

/* Finds or adds (t, v); NULL when the table is full (counted). */
static struct incident_ent *ent_get(struct incident_set *s,
				    enum incident_entity_type t,
				    struct core_str v)
{
	struct incident_enttab *tab = &s->ents;
	struct incident_ent *e;
	uint64_t h = ent_hash(t, v);
	size_t i;

	if (tab->nslots) {
		i = ent_slot(tab, h, t, v);
		if (tab->slots[i])
			return &tab->ents[tab->slots[i] - 1];
	}
	if (tab->n >= tab->max || ent_reserve(s) < 0) {
		tab->untracked++;
		return NULL;
	}

	i = ent_slot(tab, h, t, v);
	e = &tab->ents[tab->n];
	memset(e, 0, sizeof(*e));
	e->hash = h;
	e->type = (uint8_t)t;
	e->value = incident_strdup(s, v.p, v.len);
	e->c.first_seen = e->c.last_seen = CORE_TS_UNKNOWN;
	e->c.first_failure = e->c.last_success = CORE_TS_UNKNOWN;
	tab->slots[i] = (uint32_t)(++tab->n);
	return e;
}

/* Frees the entity table and its distinct sets. */
void incident_ent_free_all(struct incident_set *s)
{
	struct incident_enttab *tab = &s->ents;

	for (size_t k = 0; k < tab->n; k++) {
		distinct_free(s, &tab->ents[k].users);
		distinct_free(s, &tab->ents[k].sources);
	}
	incident_dealloc(s, tab->slots, tab->nslots * sizeof(*tab->slots));
	incident_dealloc(s, tab->ents, tab->cap * sizeof(*tab->ents));
	memset(tab, 0, sizeof(*tab));
	incident_dealloc(s, s->spans, s->spans_cap * sizeof(*s->spans));
	s->spans = NULL;
	s->nspans = s->spans_cap = 0;
	incident_dealloc(s, s->span_slots,
			 s->span_nslots * sizeof(*s->span_slots));
	s->span_slots = NULL;
	s->span_nslots = 0;
	incident_dealloc(s, s->logins, s->logins_cap * sizeof(*s->logins));
	s->logins = NULL;
	s->nlogins = s->logins_cap = 0;
}

/* Stands for an undated event's slot: every window holds it. */
#define SLOT_UNDATED INT64_MIN

static int64_t slot_of(const struct incident_set *s, int64_t ts)
{
	int64_t w = s->cfg.gap_us > 0 ? s->cfg.gap_us : 1;

	if (ts == CORE_TS_UNKNOWN)
		return SLOT_UNDATED;
	/* floor(ts / w) without negating ts (INT64_MIN has no opposite) */
	return ts / w - (ts % w < 0);
}

/* The index slot of (ent, slot): its span's, or the free one for it. */
static size_t span_pos(const struct incident_set *s, uint32_t ent,
		       int64_t slot)
{
	uint64_t k[2] = { (uint64_t)slot, ent };
	size_t mask = s->span_nslots - 1;
	size_t i = core_hash(k, sizeof(k), 0x7370616e) & mask;

	while (s->span_slots[i]) {
		const struct incident_span *sp;

		sp = &s->spans[s->span_slots[i] - 1];
		if (sp->ent == ent && sp->slot == slot)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

/* Doubles the index (kept at most half full) and puts every span back. */
static int span_index_grow(struct incident_set *s)
{
	size_t n = s->span_nslots ? 2 * s->span_nslots : 512;
	uint32_t *t = incident_alloc(s, n * sizeof(*t));

	if (!t)
		return CORE_E_NOMEM;
	incident_dealloc(s, s->span_slots,
			 s->span_nslots * sizeof(*s->span_slots));
	s->span_slots = t;
	s->span_nslots = n;
	for (size_t i = 0; i < s->nspans; i++)
		t[span_pos(s, s->spans[i].ent, s->spans[i].slot)] =
			(uint32_t)(i + 1);
	return 0;
}

static int span_reserve(struct incident_set *s)
{
	size_t cap;
	void *p;

	if (s->nspans >= CORE_MIN(s->ents.max, (size_t)INCIDENT_MAX_SPANS))
		return CORE_E_NOMEM;
	if ((s->nspans + 1) * 2 > s->span_nslots && span_index_grow(s) < 0)
		return CORE_E_NOMEM;
	if (s->nspans < s->spans_cap)
		return 0;
	cap = s->spans_cap ? s->spans_cap * 2 : 256;
	cap = CORE_MIN(cap, CORE_MIN(s->ents.max, (size_t)INCIDENT_MAX_SPANS));
	p = incident_realloc(s, s->spans, s->spans_cap * sizeof(*s->spans),
			     cap * sizeof(*s->spans));
	if (!p)
		return CORE_E_NOMEM;
	s->spans = p;
	s->spans_cap = cap;
	return 0;
}

/* A new span of e for slot, or NULL when none fits (then e is whole). */
static struct incident_span *span_new(struct incident_set *s,
				      struct incident_ent *e, int64_t slot)
{
	uint32_t ent = (uint32_t)(e - s->ents.ents);
	struct incident_span *sp;
	size_t i;

	if (span_reserve(s) < 0) {
		e->spans_lost = true;
		return NULL;
	}

	i = span_pos(s, ent, slot);
	sp = &s->spans[s->nspans];
	memset(sp, 0, sizeof(*sp));
	sp->slot = slot;
	sp->ent = ent;
	sp->next = e->span;
	sp->ok_ts = CORE_TS_UNKNOWN;
	sp->c.first_seen = sp->c.last_seen = CORE_TS_UNKNOWN;
	sp->c.first_failure = sp->c.last_success = CORE_TS_UNKNOWN;
	e->span = (uint32_t)++s->nspans;
	s->span_slots[i] = e->span;
	return sp;
}

/*
 * The span of e holding ts, made when new; NULL when e keeps none: it
 * was seen in this slot only so far (its own counters are the slot's),
 * or a span did not fit (then e is read whole from now on).  Called
 * before ts is counted against e.
 */
static struct incident_span *span_of(struct incident_set *s,
				     struct incident_ent *e, int64_t ts)
{
	int64_t slot = slot_of(s, ts);
	struct incident_span *sp;
	size_t i;

	if (e->spans_lost)
		return NULL;
	if (e->span && s->spans[e->span - 1].slot == slot)
		return &s->spans[e->span - 1];
	if (e->span) {
		i = span_pos(s, (uint32_t)(e - s->ents.ents), slot);
		if (s->span_slots[i])
			return &s->spans[s->span_slots[i] - 1];
		return span_new(s, e, slot);
	}
	if (!e->slotted || e->slot == slot) {
		e->slotted = true;
		e->slot = slot;
		return NULL;
	}

	/* A second slot: what e did so far was all in its first. */
	sp = span_new(s, e, e->slot);
	if (!sp)
		return NULL;
	sp->c = e->c;
	sp->ok_after_failure = e->ok_after_failure;
	sp->ok_platform = e->ok_platform;
	if (e->ok_user.len) {
		sp->ok_ts = e->ok_ts;
		sp->ok_user = e->ok_user;
	}
	return span_new(s, e, slot);
}

static void ts_min(int64_t *a, int64_t b)
{
	if (b != CORE_TS_UNKNOWN && (*a == CORE_TS_UNKNOWN || b < *a))
		*a = b;
}

static void ts_max(int64_t *a, int64_t b)
{
	if (b != CORE_TS_UNKNOWN && (*a == CORE_TS_UNKNOWN || b > *a))
		*a = b;
}

/* Adds the counters of one span to a window's. */
static void span_sum(struct incident_counters *c,
		     const struct incident_counters *x)
{
	c->events += x->events;
	c->login_failures += x->login_failures;
	c->login_successes += x->login_successes;
	c->windows_logons += x->windows_logons;
	c->invalid_lines += x->invalid_lines;
	c->invalid_failed += x->invalid_failed;
	c->invalid_users = CORE_MAX(c->invalid_lines, c->invalid_failed);
	c->pam_failures += x->pam_failures;
	c->privileged += x->privileged;
	c->requests += x->requests;
	c->http_4xx += x->http_4xx;
	c->http_5xx += x->http_5xx;
	c->ids_alerts += x->ids_alerts;
	ts_min(&c->first_seen, x->first_seen);
	ts_max(&c->last_seen, x->last_seen);
	ts_min(&c->first_failure, x->first_failure);
	ts_max(&c->last_success, x->last_success);
}

/*
 * Distinct figures are kept for the whole input only.  When the window
 * holds all the entity did they are exact; otherwise the window can have
 * seen no more names than it had attempts (or events, for sources), and
 * the figure is that bound, marked as an estimate.
 */
static void window_distinct(const struct incident_counters *all,
			    struct incident_counters *c)
{
	uint64_t tries = c->login_failures + c->login_successes +
			 c->invalid_lines + c->pam_failures;

	if (c->events == all->events) {
		c->distinct_users = all->distinct_users;
		c->distinct_sources = all->distinct_sources;
		c->distinct_estimated = all->distinct_estimated;
		return;
	}
	/*
	 * Bounds, not counts: exact only at 0 or 1 (one attempt tries one
	 * name; an entity that knew one name can have tried only that one).
	 */
	c->distinct_users = CORE_MIN(all->distinct_users, tries);
	c->distinct_sources = CORE_MIN(all->distinct_sources, c->events);
	c->distinct_estimated = c->distinct_users > 1 ||
				c->distinct_sources > 1 ||
				all->distinct_estimated;
}

/*
 * The login to name: the first in the window that came after failures
 * (in its slot or before it in the window), else the first at all.
 */
static void window_ok(const struct incident_set *s,
		      const struct incident_ent *e, int64_t lo, int64_t hi,
		      int64_t first_failure, struct incident_ok *ok)
{
	const struct incident_span *best = NULL;
	bool best_after = false;

	for (uint32_t i = e->span; i; i = s->spans[i - 1].next) {
		const struct incident_span *sp = &s->spans[i - 1];
		bool after;

		if ((sp->slot < lo || sp->slot > hi) &&
		    sp->slot != SLOT_UNDATED)
			continue;
		if (!sp->ok_user.len)
			continue;
		after = sp->ok_after_failure ||
			(first_failure != CORE_TS_UNKNOWN &&
			 sp->ok_ts > first_failure);
		if (!best || (after && !best_after) ||
		    (after == best_after && sp->ok_ts < best->ok_ts)) {
			best = sp;
			best_after = after;
		}
	}
	if (best) {
		ok->user = best->ok_user;
		ok->platform = best->ok_platform;
	}
}

void incident_ent_window(const struct incident_set *s,
			 const struct incident_ent *e, int64_t from,
			 int64_t to, struct incident_counters *c,
			 struct incident_ok *ok)
{
	struct incident_ok none = { CORE_STR_NULL, 0 };
	int64_t lo, hi;

	ok = ok ? ok : &none;
	*ok = none;
	lo = from == CORE_TS_UNKNOWN ? 0 : slot_of(s, from) - 1;
	hi = to == CORE_TS_UNKNOWN ? 0 : slot_of(s, to) + 1;
	/* Whole: no window, no spans, or its one slot in the window. */
	if (from == CORE_TS_UNKNOWN || to == CORE_TS_UNKNOWN ||
	    e->spans_lost || (!e->span && (!e->slotted ||
	    e->slot == SLOT_UNDATED || (e->slot >= lo && e->slot <= hi)))) {
		*c = e->c;
		ok->user = e->ok_user;
		ok->platform = e->ok_platform;
		return;
	}

	memset(c, 0, sizeof(*c));
	c->first_seen = c->last_seen = CORE_TS_UNKNOWN;
	c->first_failure = c->last_success = CORE_TS_UNKNOWN;
	for (uint32_t i = e->span; i; i = s->spans[i - 1].next) {
		const struct incident_span *sp = &s->spans[i - 1];

		if ((sp->slot >= lo && sp->slot <= hi) ||
		    sp->slot == SLOT_UNDATED)
			span_sum(c, &sp->c);
	}
	window_distinct(&e->c, c);
	window_ok(s, e, lo, hi, c->first_failure, ok);
}

/* User names every scanner tries: they never link two attackers. */
bool incident_user_is_common(struct core_str user)
{
	static const char *const common[] = {
		"root", "admin", "administrator", "test", "user", "guest",
		"ubuntu", "oracle", "postgres", "pi", "ftp", "www-data",
		"support", "git", "mysql", "nobody", "info", "debian",
		"centos", "ec2-user", "sysadmin", "operator", "demo",
	};

	for (size_t i = 0; i < CORE_ARRAY_LEN(common); i++)
		if (core_str_eq_lit(user, common[i]))
			return true;
	return false;
}

/* What one event says, classified once for all its entities. */
struct observed {
	int64_t ts;
	bool login, failure, success, invalid, invalid_failed, pam, privileged;
	bool windows;			/* the login is a Windows logon */
	uint8_t platform;		/* enum incident_platform, of a login */
	bool request, ids;
	uint64_t times;			/* "message repeated N times": N */
	unsigned status;
	struct core_str ip, user, target, host, ua;
};

static struct core_str field(const struct core_event *ev,
			     enum core_field_id id)
{
	const struct core_str *v = core_event_get(ev, id);

	return v ? clip(*v) : CORE_STR_NULL;
}

static void classify(const struct core_event *ev, struct observed *o)
{
	struct core_str act = field(ev, CORE_F_EVENT_ACTION);
	struct core_str out = field(ev, CORE_F_EVENT_OUTCOME);
	uint64_t status = 0;

	memset(o, 0, sizeof(*o));
	o->ts = ev->ts;
	o->ip = core_event_source(ev) ? clip(*core_event_source(ev)) :
		CORE_STR_NULL;
	o->user = field(ev, CORE_F_USER_NAME);
	o->target = field(ev, CORE_F_USER_TARGET_NAME);
	o->host = field(ev, CORE_F_HOST_NAME);
	o->ua = field(ev, CORE_F_USER_AGENT_ORIGINAL);

	o->windows = core_str_eq_lit(act, "windows_logon");
	o->login = o->windows || core_str_eq_lit(act, "ssh_login");
	if (o->login)
		o->platform = (uint8_t)incident_platform_of(ev, CORE_STR_NULL);
	o->failure = o->login && core_str_eq_lit(out, "failure");
	o->success = o->login && core_str_eq_lit(out, "success");
	/*
	 * sshd logs "Invalid user X" once per attempt and then "Failed
	 * password for invalid user X"; only the first counts, or every
	 * attempt would count twice.
	 */
	/*
	 * syslog's "message repeated N times: [ ... ]" stands for N events
	 * like the one inside it; counters count them all.
	 */
	o->times = 1;
	{
		const struct core_str *rep = core_event_get_named(ev,
			"vigil.repeat.count", 18);
		uint64_t n;

		if (rep && core_str_to_u64(*rep, &n) && n > 0 &&
		    n <= 1000000)
			o->times = n;
	}
	o->invalid = core_str_eq_lit(act, "ssh_invalid_user");
	o->invalid_failed = o->failure &&
		core_str_eq_lit(field(ev, CORE_F_EVENT_REASON), "invalid_user");
	/*
	 * PAM's failures are counted apart: next to sshd's "Failed" lines
	 * they repeat them, and old systems log nothing else.
	 */
	o->pam = core_str_eq_lit(act, "pam_auth_failure");
	o->privileged = core_str_eq_lit(act, "sudo_command") ||
			core_str_eq_lit(act, "su_success");
	o->request = core_str_eq_lit(act, "http_request");
	o->ids = core_str_eq_lit(act, "ids_alert");
	if (o->request &&
	    core_str_to_u64(field(ev, CORE_F_HTTP_RESPONSE_STATUS_CODE),
			    &status) && status < 1000)
		o->status = (unsigned)status;
}

static void seen(struct incident_counters *c, int64_t ts)
{
	c->events++;
	if (ts == CORE_TS_UNKNOWN)
		return;
	if (c->first_seen == CORE_TS_UNKNOWN || ts < c->first_seen)
		c->first_seen = ts;
	if (c->last_seen == CORE_TS_UNKNOWN || ts > c->last_seen)
		c->last_seen = ts;
}

/* The counts every entity type shares. */
static void count(struct incident_counters *c, const struct observed *o)
{
	uint64_t k = o->times;

	seen(c, o->ts);
	c->login_failures += k * o->failure;
	c->login_successes += k * o->success;
	c->windows_logons += k * (o->windows && (o->failure || o->success));
	/*
	 * Attempts for unknown users: sshd's "Invalid user" lines, or, where
	 * a log has none of those (some versions, journal filters), its
	 * "Failed ... for invalid user" lines; never both added up.
	 */
	c->invalid_lines += k * o->invalid;
	c->invalid_failed += k * o->invalid_failed;
	c->invalid_users = CORE_MAX(c->invalid_lines, c->invalid_failed);
	c->pam_failures += k * o->pam;
	c->privileged += k * o->privileged;
	c->requests += o->request;
	c->http_4xx += o->status >= 400 && o->status < 500;
	c->http_5xx += o->status >= 500 && o->status < 600;
	c->ids_alerts += o->ids;
	if (o->failure && o->ts != CORE_TS_UNKNOWN &&
	    (c->first_failure == CORE_TS_UNKNOWN || o->ts < c->first_failure))
		c->first_failure = o->ts;
	if (o->success && o->ts != CORE_TS_UNKNOWN && o->ts > c->last_success)
		c->last_success = o->ts;
}

static void add_user(struct incident_set *s, struct incident_ent *e,
		     const struct observed *o)
{
	bool est = false;

	if (!o->user.len || !(o->login || o->invalid || o->pam))
		return;
	e->c.distinct_users = distinct_add(s, &e->users, o->user, &est);
	e->c.distinct_estimated |= est;
}

static void add_source(struct incident_set *s, struct incident_ent *e,
		       const struct observed *o)
{
	bool est = false;

	if (!o->ip.len)
		return;
	e->c.distinct_sources = distinct_add(s, &e->sources, o->ip, &est);
	e->c.distinct_estimated |= est;
}

/* Keeps a login that worked after failures from the same source. */
static void login_add(struct incident_set *s, const struct observed *o)
{
	struct incident_login *l;

	for (size_t i = 0; i < s->nlogins; i++) {
		l = &s->logins[i];
		/* One entry per session-sized stretch of such logins. */
		if (core_str_eq(l->src, o->ip) &&
		    core_str_eq(l->user, o->user) &&
		    core_str_eq(l->host, o->host) &&
		    o->ts - l->ts <= s->cfg.gap_us &&
		    l->ts - o->ts <= s->cfg.gap_us)
			return;
	}
	if (s->nlogins == INCIDENT_MAX_LOGINS)
		return;
	if (s->nlogins == s->logins_cap) {
		size_t cap = s->logins_cap ? 2 * s->logins_cap : 64;
		void *p = incident_realloc(s, s->logins,
					   s->logins_cap * sizeof(*l),
					   cap * sizeof(*l));

		if (!p)
			return;
		s->logins = p;
		s->logins_cap = cap;
	}
	l = &s->logins[s->nlogins++];
	l->user = incident_strdup(s, o->user.p, o->user.len);
	l->host = incident_strdup(s, o->host.p, o->host.len);
	l->src = incident_strdup(s, o->ip.p, o->ip.len);
	l->ts = o->ts;
}

const struct incident_login *incident_login_before(
	const struct incident_set *s, struct core_str user,
	struct core_str host, int64_t t)
{
	const struct incident_login *best = NULL;

	for (size_t i = 0; i < s->nlogins; i++) {
		const struct incident_login *l = &s->logins[i];

		if (l->ts > t || !core_str_eq(l->user, user) ||
		    !core_str_eq(l->host, host))
			continue;
		if (!best || l->ts > best->ts)
			best = l;
	}
	return best;
}

/* Counts o against e, whole and in the span of its time. */
static struct incident_span *count_ent(struct incident_set *s,
				       struct incident_ent *e,
				       const struct observed *o)
{
	struct incident_span *sp = span_of(s, e, o->ts);

	count(&e->c, o);
	if (sp)
		count(&sp->c, o);
	return sp;
}

/*
 * The account a login names (clipped as entity values are), copied into
 * the string arena; empty when out of memory.
 */
static struct core_str ok_user_dup(struct incident_set *s, struct core_str u)
{
	return incident_strdup(s, u.p, u.len);
}

/* The span's login to name, kept as the entity's is (see below). */
static void span_ok(struct incident_set *s, struct incident_span *sp,
		    const struct observed *o)
{
	if (!sp || !o->success || !o->user.len)
		return;
	if (sp->ok_user.len &&
	    (sp->ok_after_failure || !sp->c.login_failures))
		return;
	sp->ok_after_failure = sp->c.login_failures > 0;
	sp->ok_platform = o->platform;
	sp->ok_ts = o->ts;
	sp->ok_user = ok_user_dup(s, o->user);
}

static void observe_source(struct incident_set *s, const struct observed *o)
{
	struct incident_ent *e = ent_get(s, INCIDENT_ENT_SOURCE_IP, o->ip);
	struct incident_span *sp;

	if (!e)
		return;
	sp = count_ent(s, e, o);
	span_ok(s, sp, o);
	add_user(s, e, o);
	/*
	 * A source that mostly fails and then gets in: it guessed.  One that
	 * scanned first (web errors, IDS alerts) and then gets in, with an
	 * account it had or found: its session is the attack too.
	 */
	if (o->success && o->user.len && o->host.len &&
	    ((e->c.login_failures >= 3 &&
	      e->c.login_failures > 2 * e->c.login_successes) ||
	     e->c.http_4xx >= LOGIN_SCAN_4XX || e->c.ids_alerts > 0))
		login_add(s, o);
	/*
	 * The account an incident names is the first that logged in after
	 * failures (the one guessed), else the first that logged in at all.
	 */
	if (o->success && o->user.len &&
	    (!e->ok_user.len ||
	     (!e->ok_after_failure && e->c.login_failures > 0))) {
		e->ok_after_failure = e->c.login_failures > 0;
		e->ok_platform = o->platform;
		e->ok_ts = o->ts;
		e->ok_user = ok_user_dup(s, o->user);
	}
}

/* Counts ev against its source, users, host and user agent. */
void incident_observe(struct incident_set *s, const struct core_event *ev)
{
	struct incident_span *sp;
	struct incident_ent *e;
	struct observed o;

	if (!s || !ev)
		return;
	s->started = true;
	s->events_observed++;
	classify(ev, &o);

	if (o.ip.len)
		observe_source(s, &o);
	if (o.user.len && (e = ent_get(s, INCIDENT_ENT_USER, o.user))) {
		count_ent(s, e, &o);
		if (o.login || o.invalid)
			add_source(s, e, &o);
	}
	if (o.target.len && !core_str_eq(o.target, o.user) &&
	    (e = ent_get(s, INCIDENT_ENT_USER, o.target))) {
		/* Before e counts it: a second slot copies e's first. */
		if ((sp = span_of(s, e, o.ts)))
			seen(&sp->c, o.ts);
		seen(&e->c, o.ts);
	}

	if (o.host.len && (e = ent_get(s, INCIDENT_ENT_HOST, o.host))) {
		count_ent(s, e, &o);
		add_user(s, e, &o);
		add_source(s, e, &o);
	}
	if (o.ua.len && (e = ent_get(s, INCIDENT_ENT_USER_AGENT, o.ua))) {
		count_ent(s, e, &o);
		add_source(s, e, &o);
	}
}
