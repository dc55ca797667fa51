/*
 * alert.c: alerts copied into aggregated alert records.
 *
 * A brute force raises the same rule on the same source thousands of
 * times; keeping each alert with its text would make memory grow with
 * the input.  Instead every alert folds into the record of its rule and
 * entities (and correlation group values): the record adds up counts and
 * the time span and keeps INCIDENT_RECORD_SAMPLES evidence lines, the
 * first one and the most recent ones.  Replaced sample texts are freed,
 * so a million repeats cost no more than one.
 *
 * Records live in an open-addressing table capped at max_records.  An
 * alert that finds the table full goes to its rule's overflow record,
 * whose entities are unknown: counts stay exact, detail is lost.
 *
 * An entity of a correlation alert is known when the group-by values
 * name it or when all its evidence events agree on it; a brute force
 * that tried many user names is an alert about a source, not a user.
 *
 * One event may raise several rules (two Sigma rules on one command
 * line, a plain rule and a correlation counting the same requests).  So
 * that an incident counts such an event once, every event an alert names
 * (a plain alert's one, a correlation's kept evidence) is remembered by
 * input, line and time with the first record that cited it; a later
 * citation by another record (or the same one again) adds one to that
 * pair of records' shared events.  Only recent events are remembered
 * (the latest INCIDENT_CITE_SLOTS first cited, found by their whole key:
 * no hash decides which): the rules one event raises are reported
 * together, and a correlation's kept evidence is mostly its latest
 * events.  A correlation's events beyond its kept evidence, and events
 * that left the window before their second citation, are not matched:
 * score.c bounds an incident's events by what its sources did in its
 * time and by the events read.  Pairs are capped at INCIDENT_MAX_SHARED.
 */
#include "incident/incident_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define SRC_NAMES_MAX (1u << 16)

/* Stands for every input past SRC_NAMES_MAX: it identifies no event. */
static const char src_other[] = "(other input)";

/* Slot of name src (hash h) in the index: its own, or the empty one. */
static uint32_t *src_slot(const struct incident_set *s, const char *src,
			  uint64_t h)
{
	size_t mask = 2 * s->srcs_cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		uint32_t *slot = &s->src_slots[i];

		if (!*slot || strcmp(s->srcs[*slot - 1], src) == 0)
			return slot;
	}
}

/* Doubles the names and rebuilds their index; false when out of memory. */
static bool src_grow(struct incident_set *s)
{
	size_t cap = s->srcs_cap ? s->srcs_cap * 2 : 16;
	uint32_t *slots = incident_alloc(s, 2 * cap * sizeof(*slots));
	void *p;

	if (!slots)
		return false;
	p = incident_realloc(s, s->srcs, s->srcs_cap * sizeof(*s->srcs),
			     cap * sizeof(*s->srcs));
	if (!p) {
		incident_dealloc(s, slots, 2 * cap * sizeof(*slots));
		return false;
	}
	s->srcs = p;
	memset(slots, 0, 2 * cap * sizeof(*slots));
	incident_dealloc(s, s->src_slots,
			 2 * s->srcs_cap * sizeof(*s->src_slots));
	s->src_slots = slots;
	s->srcs_cap = cap;
	for (size_t i = 0; i < s->nsrcs; i++) {
		const char *n = s->srcs[i];

		*src_slot(s, n, core_hash(n, strlen(n), 0)) = (uint32_t)i + 1;
	}
	return true;
}

/*
 * Input names are few and repeat for every alert: interned once (a hash
 * index; the last one asked for first), shared by every sample and cite.
 */
static const char *intern_src(struct incident_set *s, const char *src)
{
	struct core_str v;
	uint32_t *slot;
	uint64_t h;

	if (!src)
		return "";
	if (s->nsrcs && strcmp(s->srcs[s->nsrcs - 1], src) == 0)
		return s->srcs[s->nsrcs - 1];
	h = core_hash(src, strlen(src), 0);
	if (s->nsrcs) {
		slot = src_slot(s, src, h);
		if (*slot)
			return s->srcs[*slot - 1];
	}
	if (s->nsrcs >= SRC_NAMES_MAX ||
	    (s->nsrcs == s->srcs_cap && !src_grow(s)))
		return src_other;
	v = incident_strdup(s, src, strlen(src));
	if (!v.p)
		return src_other;
	slot = src_slot(s, src, h);
	s->srcs[s->nsrcs++] = v.p;
	*slot = (uint32_t)s->nsrcs;
	return v.p;
}

/*
 * Writes the shape of a request target into out: lower case, every run
 * of digits folded to one '0', cut at n - 1 bytes.  Returns its length.
 */
size_t incident_url_pattern(const char *p, size_t len, char *out, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (isdigit(c)) {
			while (i + 1 < len && isdigit((unsigned char)p[i + 1]))
				i++;
			c = '0';
		}
		out[o++] = (char)tolower(c);
	}
	out[o] = '\0';
	return o;
}

/*
 * The request target in an access-log line: `"GET /x?y HTTP/1.1"` gives
 * `/x?y`, pointing into t.  len 0 when t holds no request line.
 */
struct core_str incident_request_in_text(struct core_str t)
{
	for (size_t i = 0; i + 3 < t.len; i++) {
		size_t m = i + 1, e;

		if (t.p[i] != '"')
			continue;
		while (m < t.len && m - i <= 8 &&
		       isupper((unsigned char)t.p[m]))
			m++;
		if (m == i + 1 || m + 1 >= t.len || t.p[m] != ' ' ||
		    t.p[m + 1] != '/')
			continue;
		for (e = m + 1; e < t.len && t.p[e] != ' ' && t.p[e] != '"';)
			e++;
		return core_str_make(t.p + m + 1, e - m - 1);
	}
	return CORE_STR_NULL;
}

/*
 * A payload shape is worth linking on only when it is specific: a query
 * string or a long path.  "/" and "/wp-login.php" are everyone's.
 */
static bool pattern_specific(const char *p, size_t len)
{
	return memchr(p, '?', len) != NULL || len >= 24;
}

/* Entities and group values of one alert, before they are copied. */
struct alert_key {
	struct core_str entity[INCIDENT_ENT__COUNT];
	char pattern[128];
};

static int entity_of_field(struct core_str f)
{
	static const char *const names[] = {
		"source.ip", "user.name", "user.target.name", "host.name",
		"user_agent.original",
	};

	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++)
		if (core_str_eq_lit(f, names[i]))
			return (int)i;
	return -1;
}

static struct core_str cut(struct core_str v, size_t max)
{
	v = core_str_trim(v);
	if (v.len > max)
		v.len = max;
	return v;
}

/* An entity all evidence events agree on, or none. */
static struct core_str agreed(const struct detect_alert *a, int t)
{
	struct core_str v = a->evidence[0].entity[t];

	for (unsigned i = 1; i < a->nevidence; i++)
		if (!core_str_eq(v, a->evidence[i].entity[t]))
			return CORE_STR_NULL;
	return v;
}

static struct core_str event_entity(const struct core_event *ev, int t)
{
	static const enum core_field_id ids[DETECT_ENT__COUNT] = {
		CORE_F_SOURCE_IP, CORE_F_USER_NAME, CORE_F_USER_TARGET_NAME,
		CORE_F_HOST_NAME, CORE_F_USER_AGENT_ORIGINAL,
	};
	const struct core_str *v = t == DETECT_ENT_SOURCE_IP ?
		core_event_source(ev) : core_event_get(ev, ids[t]);

	return v ? *v : CORE_STR_NULL;
}

static void pattern_of(const struct detect_alert *a, struct alert_key *k)
{
	struct core_str url = CORE_STR_NULL;
	const struct core_str *u;
	size_t n;

	if (a->event && (u = core_event_get(a->event, CORE_F_URL_ORIGINAL)))
		url = *u;
	else if (a->nevidence > 0 && (a->event == NULL ||
				      incident_platform_of(a->event,
							   CORE_STR_NULL) !=
				      INCIDENT_PLAT_WINDOWS))
		/* A Windows record's JSON holds no request line: not read. */
		url = incident_request_in_text(a->evidence[0].text);
	if (!url.len || !pattern_specific(url.p, url.len))
		return;
	n = incident_url_pattern(url.p, url.len, k->pattern,
				 sizeof(k->pattern));
	k->entity[INCIDENT_ENT_URL_PATTERN] = core_str_make(k->pattern, n);
}

static void key_of(const struct detect_alert *a, struct alert_key *k)
{
	memset(k, 0, sizeof(*k));
	for (unsigned i = 0; i < a->ngroup && i < DETECT_ALERT_MAX_GROUP;
	     i++) {
		struct core_str f = core_str_make(a->group[i].field,
			a->group[i].field ? strlen(a->group[i].field) : 0);
		int t = entity_of_field(f);

		if (t >= 0)
			k->entity[t] = a->group[i].value;
	}
	for (int t = 0; t < DETECT_ENT__COUNT && a->nevidence > 0; t++)
		if (!k->entity[t].len)
			k->entity[t] = agreed(a, t);
	for (int t = 0; t < DETECT_ENT__COUNT && a->event; t++)
		if (!k->entity[t].len)
			k->entity[t] = event_entity(a->event, t);
	for (int t = 0; t < DETECT_ENT__COUNT; t++)
		k->entity[t] = cut(k->entity[t], INCIDENT_VALUE_MAX);
	pattern_of(a, k);
}

static uint64_t key_hash(const struct detect_alert *a,
			 const struct alert_key *k, bool overflow)
{
	uint64_t h = core_hash(&a->rule, sizeof(a->rule), overflow);

	if (overflow)
		return h | 1;
	for (int t = 0; t < INCIDENT_ENT__COUNT; t++)
		h = core_hash(k->entity[t].p, k->entity[t].len, h + t);
	for (unsigned i = 0; i < a->ngroup && i < DETECT_ALERT_MAX_GROUP;
	     i++)
		h = core_hash(a->group[i].value.p, a->group[i].value.len,
			      h + 16 + i);
	return h | 1;	/* 0 marks a retired record */
}

static bool key_eq(const struct incident_alert *r,
		   const struct detect_alert *a, const struct alert_key *k,
		   bool overflow)
{
	unsigned ng = CORE_MIN(a->ngroup, DETECT_ALERT_MAX_GROUP);

	if (r->rule != a->rule || r->overflow != overflow)
		return false;
	if (overflow)
		return true;
	for (int t = 0; t < INCIDENT_ENT__COUNT; t++)
		if (!core_str_eq(r->entity[t], k->entity[t]))
			return false;
	if (r->ngroup != ng)
		return false;
	for (unsigned i = 0; i < ng; i++)
		if (!core_str_eq(r->group[i].value,
				 cut(a->group[i].value, INCIDENT_VALUE_MAX)))
			return false;
	return true;
}

static size_t rec_slot(const struct incident_rectab *tab, uint64_t h,
		       const struct detect_alert *a,
		       const struct alert_key *k, bool overflow)
{
	size_t mask = tab->nslots - 1, i = h & mask;

	for (; tab->slots[i]; i = (i + 1) & mask) {
		uint32_t r = tab->slots[i] - 1;

		if (tab->hashes[r] == h &&
		    key_eq(&tab->recs[r], a, k, overflow))
			return i;
	}
	return i;
}

static int rec_rehash(struct incident_set *s)
{
	struct incident_rectab *tab = &s->recs;
	size_t nslots = tab->nslots ? tab->nslots * 2 : 256;
	uint32_t *slots = incident_alloc(s, nslots * sizeof(*slots));

	if (!slots)
		return CORE_E_NOMEM;
	incident_dealloc(s, tab->slots, tab->nslots * sizeof(*slots));
	tab->slots = slots;
	tab->nslots = nslots;
	for (size_t r = 0; r < tab->n; r++) {
		size_t i = tab->hashes[r] & (nslots - 1);

		if (!tab->hashes[r])
			continue;
		while (tab->slots[i])
			i = (i + 1) & (nslots - 1);
		tab->slots[i] = (uint32_t)(r + 1);
	}
	return 0;
}

static int rec_reserve(struct incident_set *s)
{
	struct incident_rectab *tab = &s->recs;
	size_t cap;
	void *p, *q;

	if ((tab->n + 1) * 2 > tab->nslots && rec_rehash(s) < 0)
		return CORE_E_NOMEM;
	if (tab->n < tab->cap)
		return 0;
	cap = tab->cap ? tab->cap * 2 : 64;
	p = incident_realloc(s, tab->recs, tab->cap * sizeof(*tab->recs),
			     cap * sizeof(*tab->recs));
	if (!p)
		return CORE_E_NOMEM;
	tab->recs = p;
	q = incident_realloc(s, tab->hashes, tab->cap * sizeof(uint64_t),
			     cap * sizeof(uint64_t));
	if (!q)
		return CORE_E_NOMEM;
	tab->hashes = q;
	tab->cap = cap;
	return 0;
}

/* A GUID that names a process: not absent, not all zeros. */
static bool guid_named(const struct core_str *v)
{
	if (!v || v->len < 8 || v->len > 64)
		return false;
	for (size_t i = 0; i < v->len; i++)
		if (!strchr("0-{}", v->p[i]))
			return true;
	return false;
}

/*
 * The process GUIDs of a Windows event (Sysmon): the program that acted
 * (SourceProcessGuid for a remote thread or a process access, else
 * ProcessGuid), its parent (ParentProcessGuid) and grandparent
 * (GrandParentProcessGuid, which parse's process table gives a process
 * creation).  A GUID names one process instance on one host, so records
 * sharing one are one program's doing.
 */
static void process_of(struct incident_set *s, struct incident_alert *r,
		       const struct core_event *ev)
{
	/* Sysmon 10 spells it SourceProcessGUID, Sysmon 8 ...Guid. */
	static const char *const own[] = { "SourceProcessGuid",
					   "SourceProcessGUID",
					   "ProcessGuid" };
	const struct core_str *v = NULL;

	for (size_t i = 0; i < CORE_ARRAY_LEN(own) && !v; i++)
		v = core_event_get_named(ev, own[i], strlen(own[i]));
	if (guid_named(v))
		r->process[0] = incident_strdup(s, v->p, v->len);
	v = core_event_get_named(ev, "ParentProcessGuid", 17);
	if (guid_named(v))
		r->process[1] = incident_strdup(s, v->p, v->len);
	v = core_event_get_named(ev, "GrandParentProcessGuid", 22);
	if (guid_named(v))
		r->process[2] = incident_strdup(s, v->p, v->len);
}

static void rec_init(struct incident_set *s, struct incident_alert *r,
		     const struct detect_alert *a, const struct alert_key *k,
		     bool overflow)
{
	memset(r, 0, sizeof(*r));
	r->index = (uint32_t)s->recs.n;
	r->rule = a->rule;
	r->overflow = overflow;
	r->ts_first = r->ts_last = CORE_TS_UNKNOWN;
	if (overflow)
		return;
	for (int t = 0; t < INCIDENT_ENT__COUNT; t++)
		r->entity[t] = incident_strdup(s, k->entity[t].p,
					       k->entity[t].len);
	if (a->event) {
		const struct core_str *sig = core_event_get(a->event,
							    CORE_F_RULE_NAME);

		if (sig) {
			struct core_str v = cut(*sig, 160);

			r->detail = incident_strdup(s, v.p, v.len);
		}
		process_of(s, r, a->event);
	}
	r->ngroup = CORE_MIN(a->ngroup, DETECT_ALERT_MAX_GROUP);
	for (unsigned i = 0; i < r->ngroup; i++) {
		const char *f = a->group[i].field ? a->group[i].field : "";
		struct core_str v = cut(a->group[i].value, INCIDENT_VALUE_MAX);

		r->group[i].field = incident_strdup(s, f, strlen(f));
		r->group[i].value = incident_strdup(s, v.p, v.len);
	}
}

/*
 * A repeat after more than a day of silence (or gap_us, when longer)
 * starts a new record, so an address that comes back next week is a new
 * incident, not a week-long one, while one that probes all day is one
 * record, not one per burst.  Input is not always in time order (files
 * read by name, a host's clock set back): an alert that far before the
 * record's first one starts a new record too.
 */
static bool stale(const struct incident_set *s,
		  const struct incident_alert *r, const struct detect_alert *a)
{
	/* The same span as grouping's anchors: a day of silence, at least. */
	int64_t gap = CORE_MAX(s->cfg.gap_us, INCIDENT_RECORD_GAP_US);
	int64_t last = a->ts_last != CORE_TS_UNKNOWN ? a->ts_last :
		       a->ts_first;

	if (r->ts_last == CORE_TS_UNKNOWN || a->ts_first == CORE_TS_UNKNOWN)
		return false;
	return a->ts_first - r->ts_last > gap || r->ts_first - last > gap;
}

/*
 * Retires the record in slot i and puts a fresh one for the same key in
 * its place.  A retired record keeps its data but a zero hash, so a
 * rehash leaves it out of the table.
 */
static struct incident_alert *rec_renew(struct incident_set *s, size_t i,
					const struct detect_alert *a,
					const struct alert_key *k, uint64_t h)
{
	struct incident_rectab *tab = &s->recs;

	if (rec_reserve(s) < 0)
		return NULL;
	i = rec_slot(tab, h, a, k, false);
	tab->hashes[tab->slots[i] - 1] = 0;
	rec_init(s, &tab->recs[tab->n], a, k, false);
	tab->hashes[tab->n] = h;
	tab->slots[i] = (uint32_t)(++tab->n);
	return &tab->recs[tab->n - 1];
}

/* Finds or makes the record for a; NULL without memory. */
static struct incident_alert *rec_get(struct incident_set *s,
				      const struct detect_alert *a)
{
	struct incident_rectab *tab = &s->recs;
	struct alert_key k;
	bool overflow = false;
	uint64_t h;
	size_t i;

	key_of(a, &k);
	h = key_hash(a, &k, false);
	if (tab->nslots) {
		i = rec_slot(tab, h, a, &k, false);
		struct incident_alert *r = tab->slots[i] ?
			&tab->recs[tab->slots[i] - 1] : NULL;

		if (r && (!stale(s, r, a) || tab->n >= tab->max))
			return r;
		if (r)
			return rec_renew(s, i, a, &k, h);
	}
	if (tab->n >= tab->max) {
		overflow = true;
		h = key_hash(a, &k, true);
		i = rec_slot(tab, h, a, &k, true);
		if (tab->slots[i])
			return &tab->recs[tab->slots[i] - 1];
	}

	if (rec_reserve(s) < 0)
		return NULL;
	i = rec_slot(tab, h, a, &k, overflow);
	rec_init(s, &tab->recs[tab->n], a, &k, overflow);
	tab->hashes[tab->n] = h;
	tab->slots[i] = (uint32_t)(++tab->n);
	return &tab->recs[tab->n - 1];
}

/*
 * The summary of a Windows record (see evidence.c), copied into the set;
 * ev is the evidence's event when detect handed one over, else NULL.
 */
static struct core_str summary_copy(struct incident_set *s,
				    const struct core_event *ev,
				    struct core_str text)
{
	char line[INCIDENT_SUMMARY_MAX];
	size_t len = incident_evidence_summary(ev, text, line, sizeof(line));
	char *p = len ? incident_alloc(s, len + 1) : NULL;

	if (!p)
		return core_str_make("", 0);
	memcpy(p, line, len + 1);
	return core_str_make(p, len);
}

static void sample_set(struct incident_set *s, struct incident_evidence *d,
		       const struct detect_evidence *e, uint32_t rec,
		       const struct core_event *ev)
{
	size_t len = CORE_MIN(e->text.len, INCIDENT_TEXT_MAX);
	char *p = len ? incident_alloc(s, len + 1) : NULL;

	if (p) {
		memcpy(p, e->text.p, len);
		p[len] = '\0';
	}
	d->summary = summary_copy(s, ev, e->text);
	d->src = intern_src(s, e->src);
	d->line = e->line;
	d->ts = e->ts;
	d->text = core_str_make(p ? p : "", p ? len : 0);
	d->rule = s->recs.recs[rec].rule;
	d->record = rec;
}

static void sample_clear(struct incident_set *s, struct incident_evidence *d)
{
	if (d->text.len)
		incident_dealloc(s, (char *)d->text.p, d->text.len + 1);
	if (d->summary.len)
		incident_dealloc(s, (char *)d->summary.p, d->summary.len + 1);
	memset(d, 0, sizeof(*d));
}

/*
 * Keeps the first sample and the most recent ones; ev is e's event or
 * NULL.  Notes the platform of every evidence record, kept or not.
 */
static void sample_add(struct incident_set *s, struct incident_alert *r,
		       const struct detect_evidence *e,
		       const struct core_event *ev)
{
	struct incident_evidence *sm = r->sample;

	r->platforms |= 1u << incident_platform_of(ev, e->text);
	if (r->nsample < INCIDENT_RECORD_SAMPLES) {
		sample_set(s, &sm[r->nsample++], e, r->index, ev);
		return;
	}
	sample_clear(s, &sm[1]);
	memmove(&sm[1], &sm[2], (INCIDENT_RECORD_SAMPLES - 2) * sizeof(*sm));
	sample_set(s, &sm[INCIDENT_RECORD_SAMPLES - 1], e, r->index, ev);
}

static void span_add(struct incident_alert *r, int64_t first, int64_t last)
{
	if (first != CORE_TS_UNKNOWN &&
	    (r->ts_first == CORE_TS_UNKNOWN || first < r->ts_first))
		r->ts_first = first;
	if (last != CORE_TS_UNKNOWN && last > r->ts_last)
		r->ts_last = last;
}

/* True when ev says it failed (a refused logon): event.outcome failure. */
bool incident_event_failed(const struct core_event *ev)
{
	const struct core_str *o = ev ? core_event_get(ev,
						       CORE_F_EVENT_OUTCOME) :
				   NULL;

	return o && core_str_eq_lit(*o, "failure");
}

/* ------------------------------------------------ events cited twice */

/* Slots of the cited events' index: at most half of them are used. */
#define CITE_INDEX (2 * INCIDENT_CITE_SLOTS)

/*
 * The index slot an event's probe starts at.  It hashes the name, not
 * the interned pointer, so that a run is the same from one to the next;
 * what the table holds never depends on it (see cite()).
 */
static uint32_t cite_home(const char *src, uint64_t line, int64_t ts)
{
	uint64_t k[2] = { line, (uint64_t)ts };

	return (uint32_t)(core_hash(k, sizeof(k),
				    core_hash(src, strlen(src), 0x63)) &
			  (CITE_INDEX - 1));
}

/*
 * The index slot holding the event (src, line, ts), else the free slot
 * where it would go.  Keys are compared whole (an interned name by its
 * pointer): two events that hash alike stay two.
 */
static uint32_t *cite_find(const struct incident_citetab *c, uint32_t home,
			   const char *src, uint64_t line, int64_t ts)
{
	for (size_t i = home;; i = (i + 1) & (CITE_INDEX - 1)) {
		uint32_t *slot = &c->index[i];
		const struct incident_cited *k;

		if (!*slot)
			return slot;
		k = &c->cited[*slot - 1];
		if (k->src == src && k->line == line && k->ts == ts)
			return slot;
	}
}

/*
 * Takes ring entry k out of the index.  The entries after its slot, up
 * to a free one, move back into the gap when their probe starts at or
 * before it (cyclically), so that every probe still reaches its key.
 */
static void cite_unindex(struct incident_citetab *c,
			 const struct incident_cited *k)
{
	const size_t mask = CITE_INDEX - 1;
	size_t hole = (size_t)(cite_find(c, k->home, k->src, k->line, k->ts) -
			       c->index);

	for (size_t j = (hole + 1) & mask; c->index[j]; j = (j + 1) & mask) {
		size_t home = c->cited[c->index[j] - 1].home;

		if (((j - home) & mask) >= ((j - hole) & mask)) {
			c->index[hole] = c->index[j];
			hole = j;
		}
	}
	c->index[hole] = 0;
}

static bool cite_alloc(struct incident_set *s)
{
	struct incident_citetab *c = &s->cites;

	c->cited = incident_alloc(s, INCIDENT_CITE_SLOTS * sizeof(*c->cited));
	c->index = incident_alloc(s, CITE_INDEX * sizeof(*c->index));
	if (c->cited && c->index)
		return true;
	incident_dealloc(s, c->cited, INCIDENT_CITE_SLOTS * sizeof(*c->cited));
	incident_dealloc(s, c->index, CITE_INDEX * sizeof(*c->index));
	c->cited = NULL;
	c->index = NULL;
	return false;
}

static uint64_t pair_hash(uint32_t a, uint32_t b)
{
	uint32_t k[2] = { a, b };

	return core_hash(k, sizeof(k), 0x70616972);
}

static struct incident_shared *pair_slot(struct incident_shared *t,
					 size_t nslots, uint32_t a,
					 uint32_t b)
{
	size_t mask = nslots - 1, i = pair_hash(a, b) & mask;

	while (t[i].n && (t[i].a != a || t[i].b != b))
		i = (i + 1) & mask;
	return &t[i];
}

static bool pair_grow(struct incident_set *s)
{
	struct incident_citetab *c = &s->cites;
	size_t n = c->shared_slots ? 2 * c->shared_slots : 256;
	struct incident_shared *t = incident_alloc(s, n * sizeof(*t));

	if (!t)
		return false;
	for (size_t i = 0; i < c->shared_slots; i++)
		if (c->shared[i].n)
			*pair_slot(t, n, c->shared[i].a, c->shared[i].b) =
				c->shared[i];
	incident_dealloc(s, c->shared, c->shared_slots * sizeof(*t));
	c->shared = t;
	c->shared_slots = n;
	return true;
}

/* Records a and b (in either order) both cited one more event. */
static void share(struct incident_set *s, uint32_t a, uint32_t b)
{
	struct incident_citetab *c = &s->cites;
	struct incident_shared *p;

	if (a > b) {
		uint32_t t = a;

		a = b;
		b = t;
	}
	if (c->shared_slots) {
		p = pair_slot(c->shared, c->shared_slots, a, b);
		if (p->n) {
			p->n++;
			return;
		}
	}
	if (c->nshared >= INCIDENT_MAX_SHARED ||
	    ((c->nshared + 1) * 2 > c->shared_slots && !pair_grow(s))) {
		c->full = true;
		return;
	}
	p = pair_slot(c->shared, c->shared_slots, a, b);
	p->a = a;
	p->b = b;
	p->n = 1;
	c->nshared++;
}

/*
 * Notes that record rec cites the event of e (see the top of the file).
 * The latest INCIDENT_CITE_SLOTS events first cited are held, so memory
 * stays flat: a new one takes the place of the oldest, which is no
 * longer matched.  Which events are held depends on the order they were
 * cited alone: the same input gives the same counts under any name.
 */
static void cite(struct incident_set *s, uint32_t rec,
		 const struct detect_evidence *e)
{
	struct incident_citetab *c = &s->cites;
	const char *src = e->src ? intern_src(s, e->src) : NULL;
	struct incident_cited *k;
	uint32_t home, *slot;

	if (!src || !*src || src == src_other || !e->line)
		return;
	if (!c->cited && !cite_alloc(s))
		return;
	home = cite_home(src, e->line, e->ts);
	slot = cite_find(c, home, src, e->line, e->ts);
	if (*slot) {
		share(s, c->cited[*slot - 1].rec, rec);
		return;
	}

	k = &c->cited[c->next];
	if (c->ncited == INCIDENT_CITE_SLOTS) {
		/* The gap the oldest leaves may be where the new one goes. */
		cite_unindex(c, k);
		slot = cite_find(c, home, src, e->line, e->ts);
	} else {
		c->ncited++;
	}
	k->src = src;
	k->line = e->line;
	k->ts = e->ts;
	k->rec = rec;
	k->home = home;
	*slot = c->next + 1;
	c->next = (c->next + 1) % INCIDENT_CITE_SLOTS;
}

void incident_shared_events(const struct incident_set *s,
			    const uint32_t *inc_of, uint64_t *dup)
{
	const struct incident_citetab *c = &s->cites;

	for (size_t i = 0; i < c->shared_slots; i++) {
		const struct incident_shared *p = &c->shared[i];

		if (p->n && inc_of[p->a] == inc_of[p->b])
			dup[inc_of[p->a]] += p->n;
	}
}

/*
 * A plain alert whose event failed, or a correlation whose every kept
 * evidence did (a count of refused logons).
 */
static bool alert_failed(const struct detect_alert *a)
{
	if (a->event != NULL)
		return incident_event_failed(a->event);
	for (unsigned i = 0; i < a->nevidence; i++)
		if (!a->evidence[i].failed)
			return false;
	return a->nevidence > 0;
}

/*
 * Folds a into its record.  Copies everything kept (values, evidence
 * text, input names); a may go away after.  Returns 0, CORE_E_INVAL for
 * an alert without a rule or after incident_build(), CORE_E_NOMEM.
 */
int incident_add_alert(struct incident_set *s, const struct detect_alert *a)
{
	struct incident_alert *r;
	uint64_t n;

	if (!s || !a || !a->rule || s->built)
		return CORE_E_INVAL;
	s->started = true;
	r = rec_get(s, a);
	if (!r)
		return CORE_E_NOMEM;

	n = a->count ? a->count : 1;
	s->alerts++;
	s->alerts_overflow += r->overflow;
	s->events_attached += n;
	r->raised++;
	r->failed += alert_failed(a);
	r->events += n;
	r->distinct = CORE_MAX(r->distinct, a->distinct);
	span_add(r, a->ts_first, a->ts_last);
	if (!a->nevidence)
		r->platforms |= 1u << incident_platform_of(a->event,
							   CORE_STR_NULL);
	for (unsigned i = 0; i < a->nevidence && i < DETECT_ALERT_MAX_EVIDENCE;
	     i++) {
		span_add(r, a->evidence[i].ts, a->evidence[i].ts);
		cite(s, r->index, &a->evidence[i]);
		/* A plain alert's one evidence is its event. */
		sample_add(s, r, &a->evidence[i], i == 0 ? a->event : NULL);
	}
	return 0;
}

bool incident_alert_stronger(const struct incident_alert *a,
			     const struct incident_alert *b)
{
	if (a->rule->level != b->rule->level)
		return a->rule->level > b->rule->level;
	if (a->events != b->events)
		return a->events > b->events;
	return a->index < b->index;
}

/* Frees the record table and the sample texts. */
void incident_rec_free_all(struct incident_set *s)
{
	struct incident_rectab *tab = &s->recs;

	for (size_t r = 0; r < tab->n; r++)
		for (unsigned i = 0; i < tab->recs[r].nsample; i++)
			sample_clear(s, &tab->recs[r].sample[i]);
	incident_dealloc(s, tab->slots, tab->nslots * sizeof(*tab->slots));
	incident_dealloc(s, tab->recs, tab->cap * sizeof(*tab->recs));
	incident_dealloc(s, tab->hashes, tab->cap * sizeof(uint64_t));
	memset(tab, 0, sizeof(*tab));
	incident_dealloc(s, s->cites.cited,
			 INCIDENT_CITE_SLOTS * sizeof(*s->cites.cited));
	incident_dealloc(s, s->cites.index,
			 CITE_INDEX * sizeof(*s->cites.index));
	incident_dealloc(s, s->cites.shared,
			 s->cites.shared_slots * sizeof(*s->cites.shared));
	memset(&s->cites, 0, sizeof(s->cites));
	incident_dealloc(s, s->srcs, s->srcs_cap * sizeof(*s->srcs));
	incident_dealloc(s, s->src_slots,
			 2 * s->srcs_cap * sizeof(*s->src_slots));
	s->srcs = NULL;
	s->src_slots = NULL;
	s->nsrcs = s->srcs_cap = 0;
}
