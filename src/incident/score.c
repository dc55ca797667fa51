/*
 * score.c: incidents assembled from grouped alert records: members,
 * ATT&CK chain, entities with their counters, timeline, evidence, score,
 * title and explanation, and the final most-urgent-first order.
 *
 * The score is deterministic and documented in docs/scoring.md:
 *
 *   base     10 / 25 / 45 / 65 / 85 for the strongest rule level
 *   chain    +5 per tactic beyond the first, at most +15
 *   success  +20 when a source logged in after failing (from the events:
 *            at least 3 failures, then a success), or when a credential
 *            access alert is followed by an initial access alert
 *   privesc  +10 for privilege escalation after access (success above or
 *            an initial access tactic)
 *   volume   3 * log10(distinct events behind the alerts), at most +10
 *   ids      +5 when the IDS raised alerts for one of the sources
 *   anomaly  +3 per anomaly record (rule id "anomaly.") beside rule hits,
 *            at most +6; an incident of anomaly records alone scores
 *            10 + 3 per record beyond the first, at most 19
 *
 * capped at 100; severity is critical from 85, high from 65, medium from
 * 40, low from 20, informational below.  Incidents sort by score, then by
 * last activity (newest first), then by id of their first record.
 */
#include "incident/incident_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* What the assembly of one incident works from. */
struct work {
	struct incident_set *s;
	struct incident *inc;
	const uint32_t *mem;		/* member record indexes */
	size_t nmem;
	const struct incident_alert *top;	/* strongest record */
	const struct incident_ent *success;	/* source that got in */
	struct incident_ent got_in;	/* ... as seen in the span: *success */
	uint32_t tactic_mask;
	size_t nrules;			/* distinct rules of the alerts */
	bool escalated;			/* an escalation not also the access */
	bool accessed;			/* initial access, not a failed logon */
	bool cred_then_access;
	bool folded;			/* background noise of one rule */
	uint64_t shared;		/* events two of its records cited */
	size_t nsources;
	struct core_buf text;
	const struct incident_alert *head;	/* the title's rule */
	/*
	 * The user and the host that the most events name (counting the
	 * events of the records naming them), len 0 for none; and those
	 * counts (see title_who()).
	 */
	struct core_str main_user, main_host;
	uint64_t user_events, host_events;
	size_t nhosts;			/* distinct hosts named */
	uint64_t all_events;		/* of all its records */
};

static int strcmp_view(struct core_str x, struct core_str y)
{
	size_t n = CORE_MIN(x.len, y.len);
	int c = n ? memcmp(x.p, y.p, n) : 0;

	if (c)
		return c;
	return (x.len > y.len) - (x.len < y.len);
}

static const struct incident_alert *rec(const struct work *w, size_t i)
{
	return &w->s->recs.recs[w->mem[i]];
}

/* Tactic mask and earliest tactic of a rule, from its tags. */
static uint32_t rule_tactics(const struct detect_rule_info *r, int *first)
{
	uint32_t mask = 0;

	*first = INCIDENT_TACTIC_COUNT;
	for (size_t i = 0; i < r->ntags; i++) {
		int t = incident_tactic_of_tag(r->tags[i]);

		if (t >= 0) {
			mask |= 1u << t;
			*first = CORE_MIN(*first, t);
		}
	}
	return mask;
}

static void add_technique(struct incident *inc, const char *id, int *order,
			  int tactic)
{
	unsigned i;

	for (i = 0; i < inc->ntechniques; i++)
		if (strcmp(inc->techniques[i], id) == 0)
			break;
	if (i == inc->ntechniques) {
		if (i == INCIDENT_MAX_TECHNIQUES)
			return;
		snprintf(inc->techniques[i], sizeof(inc->techniques[i]), "%s",
			 id);
		order[i] = tactic;
		inc->ntechniques++;
	}
	order[i] = CORE_MIN(order[i], tactic);
}

/* Techniques in the order of the earliest tactic they serve, then id. */
static void sort_techniques(struct incident *inc, int *order)
{
	for (unsigned i = 1; i < inc->ntechniques; i++)
		for (unsigned j = i; j > 0; j--) {
			char tmp[16];
			int o;

			if (order[j - 1] < order[j] ||
			    (order[j - 1] == order[j] &&
			     strcmp(inc->techniques[j - 1],
				    inc->techniques[j]) <= 0))
				break;
			memcpy(tmp, inc->techniques[j], sizeof(tmp));
			memcpy(inc->techniques[j], inc->techniques[j - 1],
			       sizeof(tmp));
			memcpy(inc->techniques[j - 1], tmp, sizeof(tmp));
			o = order[j];
			order[j] = order[j - 1];
			order[j - 1] = o;
		}
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return (x > y) - (x < y);
}

/* How many different rules raised the incident's alerts (0: no memory). */
static size_t rules_of(const struct work *w)
{
	uintptr_t *r = malloc((w->nmem + 1) * sizeof(*r));
	size_t n = 0;

	if (r == NULL)
		return 0;
	for (size_t i = 0; i < w->nmem; i++)
		r[i] = (uintptr_t)rec(w, i)->rule;
	qsort(r, w->nmem, sizeof(*r), ptr_cmp);
	for (size_t i = 0; i < w->nmem; i++)
		n += i == 0 || r[i] != r[i - 1];
	free(r);
	return n;
}

static void chain_of(struct work *w)
{
	struct incident *inc = w->inc;
	int order[INCIDENT_MAX_TECHNIQUES];
	int64_t cred_t = INT64_MAX, access_t = INT64_MIN;

	for (size_t i = 0; i < w->nmem; i++) {
		const struct incident_alert *r = rec(w, i);
		int first;
		uint32_t m = rule_tactics(r->rule, &first);
		bool account = incident_rule_valid_account(r->rule);
		char id[16];

		w->tactic_mask |= m;
		/*
		 * Only a logon's outcome tells a way in from an attempt: an
		 * exploit may work whatever the server answered.
		 */
		if ((m & INCIDENT_TAC_BIT(INITIAL)) &&
		    (!account || r->failed < r->raised))
			w->accessed = true;
		/* The way in is no proof of an escalation after it. */
		if (incident_rule_steps(r->rule) & INCIDENT_TAC_BIT(PRIVESC))
			w->escalated = true;
		if (m & INCIDENT_TAC_BIT(CRED))
			cred_t = CORE_MIN(cred_t, r->ts_first);
		/*
		 * Access by a valid account: a login, not a web exploit,
		 * and one that worked (a rule tagged T1078 for failed
		 * logons shows an attempt, not a way in).
		 */
		if ((m & INCIDENT_TAC_BIT(INITIAL)) && account &&
		    r->failed < r->raised)
			access_t = CORE_MAX(access_t, r->ts_last);
		for (size_t t = 0; t < r->rule->ntags; t++)
			if (incident_technique_of_tag(r->rule->tags[t], id,
						      sizeof(id)))
				add_technique(inc, id, order, first);
	}
	w->cred_then_access = cred_t != INT64_MAX && access_t >= cred_t;
	w->nrules = rules_of(w);
	for (int t = 0; t < INCIDENT_TACTIC_COUNT; t++)
		if (w->tactic_mask & (1u << t))
			inc->tactics[inc->ntactics++] = incident_tactic_name(t);
	sort_techniques(inc, order);
}

/* ---------------------------------------------------------- entities */

static int type_rank(enum incident_entity_type t)
{
	static const int rank[INCIDENT_ENT__COUNT] = { 0, 2, 1, 3, 4, 5 };

	return rank[t];
}

static int entity_cmp(const void *pa, const void *pb)
{
	const struct incident_entity *x = pa, *y = pb;
	int c = type_rank(x->type) - type_rank(y->type);

	if (c)
		return c;
	if (x->c.events != y->c.events)
		return x->c.events < y->c.events ? 1 : -1;
	if (x->records != y->records)
		return x->records < y->records ? 1 : -1;
	return strcmp_view(x->value, y->value);
}

/*
 * An entity value as gathered from the records, before the repeats fold:
 * small, so that an incident of many records costs little while built.
 */
struct gathered {
	struct core_str value;
	uint64_t events;		/* of the records naming it */
	uint32_t records;
	uint8_t type;
};

static int value_cmp(const void *pa, const void *pb)
{
	const struct gathered *x = pa, *y = pb;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return strcmp_view(x->value, y->value);
}

/* Sorts the gathered values and folds repeats into a record count. */
static size_t dedup(struct gathered *list, size_t n)
{
	size_t o = 0;

	if (n)
		qsort(list, n, sizeof(*list), value_cmp);
	for (size_t i = 0; i < n; i++) {
		if (o && value_cmp(&list[o - 1], &list[i]) == 0) {
			list[o - 1].records++;
			list[o - 1].events += list[i].events;
			continue;
		}
		list[o++] = list[i];
	}
	return o;
}

/*
 * Fills counters from the events of the incident's own time (see
 * incident_ent_window()) and notes the source that got in then.
 */
static void entity_counters(struct work *w, struct incident_entity *e)
{
	const struct incident_ent *o;
	struct incident_counters c;
	struct incident_ok ok;

	if (e->type == INCIDENT_ENT_URL_PATTERN)
		return;
	o = incident_ent_find(w->s, e->type, e->value);
	if (!o)
		return;
	incident_ent_window(w->s, o, w->inc->ts_first, w->inc->ts_last, &c,
			    &ok);
	e->observed = true;
	e->c = c;
	if (e->type != INCIDENT_ENT_SOURCE_IP)
		return;
	if (c.login_successes > 0 && c.login_failures >= 3 &&
	    c.last_success >= c.first_failure &&
	    (!w->success || c.last_success > w->success->c.last_success)) {
		memset(&w->got_in, 0, sizeof(w->got_in));
		w->got_in.type = (uint8_t)e->type;
		w->got_in.value = o->value;
		w->got_in.c = c;
		w->got_in.ok_platform = ok.platform;
		w->got_in.ok_user = ok.user;
		w->success = &w->got_in;
	}
}

/*
 * An incident's events are distinct events: the records' events, less
 * those two records both cited (alert.c), and never more than its
 * sources did in its time (with the events of records that name no
 * observed source) nor than the events read (when the caller reported
 * any, incident_observe()).  A correlation's events
 * are known one by one only as far as it kept evidence; the bounds hold
 * for the rest.
 */
static void distinct_events(struct work *w, const struct incident_entity *e,
			    size_t n)
{
	struct incident *inc = w->inc;
	uint64_t bound = 0;

	inc->events -= CORE_MIN(w->shared, inc->events);
	for (size_t i = 0; i < n; i++)
		if (e[i].type == INCIDENT_ENT_SOURCE_IP && e[i].observed)
			bound += e[i].c.events;
	for (size_t i = 0; i < w->nmem; i++) {
		const struct incident_alert *r = rec(w, i);

		if (!incident_ent_find(w->s, INCIDENT_ENT_SOURCE_IP,
				       r->entity[INCIDENT_ENT_SOURCE_IP]))
			bound += r->events;
	}
	inc->events = CORE_MIN(inc->events, bound);
	/* A caller that reports no events read leaves that bound out. */
	if (w->s->events_observed)
		inc->events = CORE_MIN(inc->events, w->s->events_observed);
}

/* e, named by events of the incident, beats best, named by most? */
static bool names_more(const struct incident_entity *e, uint64_t events,
		       const struct incident_entity *best, uint64_t most)
{
	if (!best || events != most)
		return !best || events > most;
	return entity_cmp(e, best) < 0;
}

/*
 * The user and the host a title may name: of each type, the one whose
 * records hold the most of the incident's events, a tie going to the
 * one listed first.  list[i] was gathered as g[i]; values stay the
 * records' own.
 */
static void main_entities(struct work *w, const struct incident_entity *list,
			  const struct gathered *g, size_t n)
{
	const struct incident_entity *user = NULL, *host = NULL;

	for (size_t i = 0; i < n; i++) {
		const struct incident_entity *e = &list[i];

		if (e->type == INCIDENT_ENT_USER &&
		    names_more(e, g[i].events, user, w->user_events)) {
			user = e;
			w->user_events = g[i].events;
		} else if (e->type == INCIDENT_ENT_HOST) {
			w->nhosts++;
			if (names_more(e, g[i].events, host, w->host_events)) {
				host = e;
				w->host_events = g[i].events;
			}
		}
	}
	w->main_user = user ? user->value : CORE_STR_NULL;
	w->main_host = host ? host->value : CORE_STR_NULL;
}

static int entities_of(struct work *w, struct incident_entity **out,
		       size_t *nout)
{
	struct incident_entity *list;
	struct gathered *g;
	size_t n = 0;

	g = malloc((w->nmem * INCIDENT_ENT__COUNT + 1) * sizeof(*g));
	if (!g)
		return CORE_E_NOMEM;
	for (size_t i = 0; i < w->nmem; i++) {
		const struct incident_alert *r = rec(w, i);

		for (int t = 0; t < INCIDENT_ENT__COUNT; t++) {
			if (!r->entity[t].len)
				continue;
			g[n].type = (uint8_t)t;
			g[n].value = r->entity[t];
			g[n].events = r->events;
			g[n++].records = 1;
		}
	}
	n = dedup(g, n);
	list = calloc(n + 1, sizeof(*list));
	if (!list) {
		free(g);
		return CORE_E_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		list[i].type = (enum incident_entity_type)g[i].type;
		list[i].value = g[i].value;
		list[i].records = g[i].records;
	}

	for (size_t i = 0; i < n; i++) {
		entity_counters(w, &list[i]);
		w->nsources += list[i].type == INCIDENT_ENT_SOURCE_IP;
	}
	main_entities(w, list, g, n);
	free(g);
	distinct_events(w, list, n);
	if (n)
		qsort(list, n, sizeof(*list), entity_cmp);
	w->inc->entities_total = n;
	*out = list;
	*nout = n;
	return 0;
}

/* ------------------------------------------------- timeline, evidence */

static int64_t t0_of(const struct incident_alert *r)
{
	return r->ts_first != CORE_TS_UNKNOWN ? r->ts_first : r->ts_last;
}

static int step_time_cmp(const void *pa, const void *pb)
{
	const struct incident_step *x = pa, *y = pb;

	if (x->ts_first != y->ts_first)
		return x->ts_first < y->ts_first ? -1 : 1;
	return (x->alert->index > y->alert->index) -
	       (x->alert->index < y->alert->index);
}

static int step_strength_cmp(const void *pa, const void *pb)
{
	const struct incident_step *x = pa, *y = pb;

	if (x->alert == y->alert)
		return 0;
	return incident_alert_stronger(x->alert, y->alert) ? -1 : 1;
}

/* Key alerts: the strongest INCIDENT_MAX_TIMELINE records, in time order. */
static int timeline_of(struct work *w, struct incident_step **out,
		       size_t *nout)
{
	struct incident_step *st = malloc((w->nmem + 1) * sizeof(*st));
	size_t n = w->nmem;

	if (!st)
		return CORE_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		st[i].alert = rec(w, i);
		st[i].ts_first = t0_of(st[i].alert);
		st[i].ts_last = st[i].alert->ts_last;
	}
	if (n > INCIDENT_MAX_TIMELINE) {
		qsort(st, n, sizeof(*st), step_strength_cmp);
		n = INCIDENT_MAX_TIMELINE;
	}
	qsort(st, n, sizeof(*st), step_time_cmp);
	*out = st;
	*nout = n;
	return 0;
}

/* Strongest first: rule level, then the most recent. */
static int evidence_cmp(const void *pa, const void *pb)
{
	const struct incident_evidence *x = pa, *y = pb;

	if (x->rule->level != y->rule->level)
		return x->rule->level < y->rule->level ? 1 : -1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? 1 : -1;
	if (x->record != y->record)
		return x->record < y->record ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

static bool same_line(const struct incident_evidence *a,
		      const struct incident_evidence *b)
{
	return a->line == b->line && strcmp(a->src, b->src) == 0;
}

static bool rule_shown(const struct incident_evidence *kept, size_t nkept,
		       const struct detect_rule_info *rule)
{
	for (size_t i = 0; i < nkept; i++)
		if (kept[i].rule == rule)
			return true;
	return false;
}

/*
 * A line of what the title names: its rule or, for a title naming an
 * IDS signature (the record's detail), that record.
 */
static bool names_head(const struct incident_evidence *e,
		       const struct incident_alert *head)
{
	if (head->detail.len)
		return e->record == head->index;
	return e->rule == head->rule;
}

/*
 * Lines a report shows of an incident unless told otherwise (the text
 * report's --evidence): one of them shows what the title names.
 */
#define EVIDENCE_SHOWN 5

/*
 * Chooses into kept the evidence to show from samples sorted strongest
 * first: with head (the rule the title names), its strongest line first;
 * then a line for each ATT&CK tactic not yet shown, then one line per
 * rule, then the rest, so that the first lines tell each step of the
 * attack; a line that two rules cited is shown once.  Returns how many
 * were kept (at most INCIDENT_MAX_EVIDENCE).
 */
static size_t pick_evidence(const struct incident_evidence *ev, size_t n,
			    const struct incident_alert *head,
			    struct incident_evidence *kept)
{
	bool *used = calloc(n ? n : 1, sizeof(*used));
	size_t nkept = 0;
	uint32_t shown = 0;

	if (!used) {
		nkept = CORE_MIN(n, (size_t)INCIDENT_MAX_EVIDENCE);
		memcpy(kept, ev, nkept * sizeof(*ev));
		return nkept;
	}
	for (size_t i = 0; head && i < n && !nkept; i++)
		if (names_head(&ev[i], head)) {
			shown = incident_rule_tactics(ev[i].rule);
			used[i] = true;
			kept[nkept++] = ev[i];
		}
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < n && nkept < INCIDENT_MAX_EVIDENCE;
		     i++) {
			uint32_t t = incident_rule_tactics(ev[i].rule);
			bool dup = false;

			if (used[i] || (pass == 0 && !(t & ~shown)) ||
			    (pass == 1 && rule_shown(kept, nkept, ev[i].rule)))
				continue;
			shown |= t;
			for (size_t k = 0; k < nkept && !dup; k++)
				dup = same_line(&kept[k], &ev[i]);
			used[i] = true;
			if (!dup)
				kept[nkept++] = ev[i];
		}
	}
	free(used);
	return nkept;
}

/*
 * The evidence: the lines pick_evidence() chooses by tactic and rule,
 * unless none of the first EVIDENCE_SHOWN is of the rule the title
 * names; then its strongest line leads.  A title's rule is not always
 * the strongest line's (a rule of the same level acted later), and an
 * analyst reading the title looks for its line.
 */
static int evidence_of(struct work *w, struct incident_evidence **out,
		       size_t *nout)
{
	struct incident_evidence kept[INCIDENT_MAX_EVIDENCE];
	struct incident_evidence *ev;
	size_t n = 0, nkept, shown;
	bool told = false;

	ev = malloc((w->nmem * INCIDENT_RECORD_SAMPLES + 1) * sizeof(*ev));
	if (!ev)
		return CORE_E_NOMEM;
	for (size_t i = 0; i < w->nmem; i++) {
		const struct incident_alert *r = rec(w, i);

		for (unsigned k = 0; k < r->nsample; k++)
			ev[n++] = r->sample[k];
	}
	if (n)
		qsort(ev, n, sizeof(*ev), evidence_cmp);

	nkept = pick_evidence(ev, n, NULL, kept);
	shown = CORE_MIN(nkept, (size_t)EVIDENCE_SHOWN);
	for (size_t i = 0; i < shown && !told; i++)
		told = names_head(&kept[i], w->head);
	if (!told)
		nkept = pick_evidence(ev, n, w->head, kept);
	memcpy(ev, kept, nkept * sizeof(*ev));
	*out = ev;
	*nout = nkept;
	return 0;
}

/* ------------------------------------------------------------ scoring */

static unsigned popcount(uint32_t m)
{
	unsigned n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

/*
 * Steps along the kill chain: distinct tactics, with Defense Evasion and
 * the two tactics ATT&CK v19 split it into (a rule may name the old and
 * the new) counted as one.
 */
static unsigned chain_steps(uint32_t mask)
{
	unsigned n = popcount(mask & ~INCIDENT_TAC_EVASION_BITS);

	return n + ((mask & INCIDENT_TAC_EVASION_BITS) != 0);
}

/*
 * The chain's length: its steps, each rule counted for one at most, so a
 * single rule tagged with four tactics is one observation, not four.
 */
static unsigned chain_len(const struct work *w)
{
	unsigned n = chain_steps(w->tactic_mask);

	return w->nrules && w->nrules < n ? (unsigned)w->nrules : n;
}

/*
 * The IDS raised alerts for one of the sources, and something else (a
 * log, a honeypot) raised the incident's other alerts: an incident of
 * IDS alerts alone is not corroborated by them.
 */
static bool has_ids(const struct work *w)
{
	const struct incident *inc = w->inc;
	unsigned other = 0;

	for (size_t i = 0; i < w->nmem; i++)
		other |= rec(w, i)->platforms &
			 ~(1u << INCIDENT_PLAT_IDS);
	if (!other)
		return false;
	for (size_t i = 0; i < inc->nentities; i++)
		if (inc->entities[i].type == INCIDENT_ENT_SOURCE_IP &&
		    inc->entities[i].c.ids_alerts > 0)
			return true;
	return false;
}

static enum incident_severity severity_of(unsigned score)
{
	if (score >= 85)
		return INCIDENT_SEV_CRITICAL;
	if (score >= 65)
		return INCIDENT_SEV_HIGH;
	if (score >= 40)
		return INCIDENT_SEV_MEDIUM;
	if (score >= 20)
		return INCIDENT_SEV_LOW;
	return INCIDENT_SEV_INFORMATIONAL;
}

/* Members that are anomaly records (rule ids "anomaly.") and the others. */
static void count_anomalies(const struct work *w, size_t *anom, size_t *hits)
{
	*anom = *hits = 0;
	for (size_t i = 0; i < w->nmem; i++) {
		const char *id = rec(w, i)->rule->id;

		if (id && strncmp(id, "anomaly.", 8) == 0)
			++*anom;
		else
			++*hits;
	}
}

static unsigned anomaly_points(const struct work *w, bool *alone)
{
	size_t anom, hits;

	count_anomalies(w, &anom, &hits);
	*alone = anom && !hits;
	if (*alone)
		return (unsigned)CORE_MIN(10 + 3 * (anom - 1), 19u);
	return (unsigned)CORE_MIN(3 * anom, 6u);
}

static void score_of(struct work *w)
{
	static const unsigned base[] = { 10, 25, 45, 65, 85 };
	struct incident *inc = w->inc;
	struct incident_score_parts *p = &inc->parts;
	unsigned ntac = chain_len(w), sum;
	bool success = w->success || w->cred_then_access;
	bool access = success || w->accessed;
	bool alone;
	unsigned anom;

	p->base = base[CORE_MIN((unsigned)w->top->rule->level, 4u)];
	p->chain = ntac > 1 ? CORE_MIN(5 * (ntac - 1), 15u) : 0;
	p->success = success ? 20 : 0;
	p->privesc = access && w->escalated ? 10 : 0;
	p->volume = inc->events > 1 ?
		    CORE_MIN((unsigned)(3 * log10((double)inc->events)), 10u) :
		    0;
	p->ids = has_ids(w) ? 5 : 0;
	if (w->success && w->success->c.login_successes >
			  w->success->c.login_failures) {
		p->success = 0;
		p->familiar = 40;
	}

	sum = p->base + p->chain + p->success + p->privesc + p->volume +
	      p->ids;
	anom = anomaly_points(w, &alone);
	p->anomaly = anom;
	if (alone) {
		/* No rule hit: the anomalies are the whole score. */
		memset(p, 0, sizeof(*p));
		p->anomaly = anom;
		sum = anom;
	} else {
		sum += anom;
	}
	sum = sum > p->familiar ? sum - p->familiar : 0;
	inc->score = CORE_MIN(sum, 100u);
	inc->severity = severity_of(inc->score);
}

/* ------------------------------------------------ title, explanation */

static const struct incident_entity *first_of(const struct incident *inc,
					      enum incident_entity_type t)
{
	for (size_t i = 0; i < inc->nentities; i++)
		if (inc->entities[i].type == t)
			return &inc->entities[i];
	return NULL;
}

static void add_value(struct core_buf *b, struct core_str v)
{
	core_buf_add(b, v.p, CORE_MIN(v.len, (size_t)64));
}

/*
 * A source address as an address: Windows writes IPv4 clients of
 * dual-stack services mapped ("::ffff:10.1.2.3"); they are read as the
 * IPv4 address they carry.
 */
static bool source_ip(struct core_str v, struct core_ip *ip)
{
	if (v.len > 7 && strncasecmp(v.p, "::ffff:", 7) == 0 &&
	    memchr(v.p + 7, '.', v.len - 7))
		v = core_str_make(v.p + 7, v.len - 7);
	return core_ip_parse(v.p, v.len, ip);
}

/*
 * 127.0.0.0/8 or ::1: the host itself (a Windows logon from the same
 * machine, a local tunnel), no other machine to block or investigate.
 */
static bool loopback_source(struct core_str v)
{
	static const uint8_t one[16] = { [15] = 1 };
	struct core_ip ip;

	if (!source_ip(v, &ip))
		return false;
	return ip.family == 4 ? ip.addr[0] == 127 :
	       memcmp(ip.addr, one, sizeof(one)) == 0;
}

/* The first source that is not the host itself, or NULL. */
static const struct incident_entity *first_remote(const struct incident *inc,
						  size_t *n)
{
	const struct incident_entity *first = NULL;

	*n = 0;
	for (size_t i = 0; i < inc->nentities; i++) {
		const struct incident_entity *e = &inc->entities[i];

		if (e->type != INCIDENT_ENT_SOURCE_IP ||
		    loopback_source(e->value))
			continue;
		++*n;
		if (!first)
			first = e;
	}
	return first;
}

/*
 * The rule a title starts with: the strongest one, except that a story of
 * failures then success starts with its strongest credential access
 * rule ("SSH brute force ... followed by a successful login").
 */
static const struct incident_alert *title_head(const struct work *w)
{
	const struct incident_alert *head = NULL;
	int first;

	if (!w->success && !w->cred_then_access)
		return w->top;
	for (size_t i = 0; i < w->nmem; i++) {
		const struct incident_alert *r = rec(w, i);

		if ((rule_tactics(r->rule, &first) & INCIDENT_TAC_BIT(CRED)) &&
		    (!head || incident_alert_stronger(r, head)))
			head = r;
	}
	return head ? head : w->top;
}

/* The user who escalated the most (root only when nobody else did). */
static const struct incident_entity *
escalator(const struct incident *inc, const struct incident_entity *dflt)
{
	const struct incident_entity *best = NULL;

	for (size_t i = 0; i < inc->nentities; i++) {
		const struct incident_entity *e = &inc->entities[i];

		if (e->type != INCIDENT_ENT_USER || !e->c.privileged ||
		    core_str_eq_lit(e->value, "root"))
			continue;
		if (!best || e->c.privileged > best->c.privileged)
			best = e;
	}
	return best ? best : dflt;
}

/* Whom a title names after its rule. */
enum who {
	WHO_NONE = 0,
	WHO_SOURCES,		/* the first source "and N other sources" */
	WHO_USER,		/* the main user "on" the main host */
	WHO_HOST,		/* the main host */
};

/* A remote source's login that worked, by a valid account (T1078). */
static bool remote_login(const struct incident_alert *r)
{
	struct core_str ip = r->entity[INCIDENT_ENT_SOURCE_IP];

	return ip.len && !loopback_source(ip) && r->failed < r->raised &&
	       incident_rule_valid_account(r->rule) &&
	       (incident_rule_tactics(r->rule) & INCIDENT_TAC_BIT(INITIAL));
}

/*
 * The entity the incident is about: the one most of its events name,
 * counting the events of the records that name it.  The remote sources
 * count together, as the title lists them; a loopback source is the
 * host itself.  Sources that half the events name or more come first,
 * then a user who is in half of them: on Linux, the web and an IDS
 * nearly every record names the attacker's address (the host is only
 * the one that logged it), while on Windows the host and the account
 * are in every record and an address (a logon's client, a connection's
 * own end) in a few.  Else the most named of the three wins, ties in
 * that order.  An incident of Windows records alone breaks ties the
 * other way: its sources need more than half, and come last, since an
 * address there is as often the host's own (Sysmon 3's SourceIp).  A
 * story of guesses then a login (cred_then_access) is the sources'
 * when one of them logged in: as with a source that got in, it is the
 * one to act on.
 */
static enum who title_who(struct work *w, bool remote)
{
	uint64_t all = 0, rest, named[3] = { 0, w->user_events,
					      w->host_events };
	bool have[3] = { remote, w->main_user.len > 0, w->main_host.len > 0 };
	bool windows = w->inc->platforms == 1u << INCIDENT_PLAT_WINDOWS;
	bool got_in = false;
	int best = -1;

	for (size_t i = 0; i < w->nmem; i++) {
		const struct incident_alert *r = rec(w, i);
		struct core_str ip = r->entity[INCIDENT_ENT_SOURCE_IP];

		all += r->events;
		if (ip.len && !loopback_source(ip))
			named[0] += r->events;
		got_in |= remote && w->cred_then_access && remote_login(r);
	}
	w->all_events = all;
	rest = all - named[0];
	if (got_in || (have[0] && (named[0] > rest ||
				   (named[0] == rest && !windows))))
		return WHO_SOURCES;
	if (have[1] && named[1] >= all - named[1])
		return WHO_USER;
	/* Ties: sources, user, host; on Windows user, host, sources. */
	for (int k = 0; k < 3; k++) {
		int j = windows ? (k + 1) % 3 : k;

		if (have[j] && (best < 0 || named[j] > named[best]))
			best = j;
	}
	return best < 0 ? WHO_NONE : (enum who)(WHO_SOURCES + best);
}

static void title_of(struct work *w)
{
	struct incident *inc = w->inc;
	const struct incident_entity *ip;
	const struct incident_alert *head = w->head;
	struct core_str user = CORE_STR_NULL, host = CORE_STR_NULL;
	struct core_buf b;
	size_t nremote;
	enum who who;

	core_buf_init(&b, 1024);
	/* A loopback source names no attacker: the title names who, where. */
	ip = first_remote(inc, &nremote);
	who = title_who(w, ip != NULL);
	if (who == WHO_USER)
		user = w->main_user;
	if (who == WHO_USER || who == WHO_HOST)
		host = w->main_host;
	/* An IDS signature says more than the rule that passed it on. */
	if (head->detail.len)
		core_buf_printf(&b, "%.*s (%s)", (int)head->detail.len,
				head->detail.p, head->rule->title ?
				head->rule->title : "alert");
	else
		core_buf_printf(&b, "%s", head->rule->title ?
				head->rule->title : head->rule->id ?
				head->rule->id : "Alert");

	/* "<rule>: <who>; <what followed>", whatever the rule's wording. */
	if (w->folded && w->nsources > 1) {
		core_buf_printf(&b, ": %zu sources", w->nsources);
	} else if (w->success || who == WHO_SOURCES) {
		core_buf_printf(&b, ": ");
		/* The source that got in leads; it is the one to act on. */
		add_value(&b, w->success ? w->success->value : ip->value);
		if (nremote > 1)
			core_buf_printf(&b, " and %zu other source%s",
					nremote - 1, nremote > 2 ? "s" : "");
	} else if (user.len) {
		core_buf_printf(&b, ": ");
		add_value(&b, user);
		if (w->nhosts > 1 &&
		    w->host_events < w->all_events - w->host_events) {
			/* No host holds half: the account went around. */
			core_buf_printf(&b, " on %zu hosts", w->nhosts);
		} else if (host.len) {
			core_buf_printf(&b, " on ");
			add_value(&b, host);
		}
	} else if (host.len) {
		core_buf_printf(&b, ": ");
		add_value(&b, host);
	}

	if (w->success && w->success->ok_user.len)
		core_buf_printf(&b, "; logged in as %.*s",
				(int)w->success->ok_user.len,
				w->success->ok_user.p);
	else if (w->success || w->cred_then_access)
		core_buf_printf(&b, "; a login succeeded");
	if (inc->parts.privesc)
		core_buf_printf(&b, ", then escalated privileges");
	inc->title = incident_strdup(w->s, b.p ? b.p : "", b.len);
	core_buf_free(&b);
}

static void when(struct core_buf *b, int64_t ts)
{
	char t[40];

	if (ts == CORE_TS_UNKNOWN) {
		core_buf_printf(b, "an unknown time");
		return;
	}
	core_time_format_human(ts, t, sizeof(t));
	core_buf_printf(b, "%s", t);
}

/* One sentence per source address: what the events say it did. */
static void tell_source(struct core_buf *b, const struct incident_entity *e)
{
	const struct incident_counters *c = &e->c;

	core_buf_printf(b, "%.*s", (int)CORE_MIN(e->value.len, (size_t)64),
			e->value.p);
	if (!e->observed) {
		core_buf_printf(b, " was named by the alerts. ");
		return;
	}
	if (c->windows_logons &&
	    c->windows_logons == c->login_failures + c->login_successes &&
	    !c->invalid_users) {
		if (c->login_failures)
			core_buf_printf(b, " failed %llu Windows logon%s "
					"(%s%llu account%s tried)",
					(unsigned long long)c->login_failures,
					c->login_failures == 1 ? "" : "s",
					c->distinct_estimated ? "about " : "",
					(unsigned long long)c->distinct_users,
					c->distinct_users == 1 ? "" : "s");
	} else if (c->login_failures || c->invalid_users) {
		core_buf_printf(b, " failed %llu %slogin%s (%s%llu user "
				"name%s tried, %llu attempt%s for users that "
				"do not exist)",
				(unsigned long long)c->login_failures,
				c->windows_logons ? "SSH and Windows " : "SSH ",
				c->login_failures == 1 ? "" : "s",
				c->distinct_estimated ? "about " : "",
				(unsigned long long)c->distinct_users,
				c->distinct_users == 1 ? "" : "s",
				(unsigned long long)c->invalid_users,
				c->invalid_users == 1 ? "" : "s");
	}
	if (c->pam_failures)
		core_buf_printf(b, "%s had %llu authentication failures "
				"reported by PAM",
				c->login_failures || c->invalid_users ?
				"; it" : "",
				(unsigned long long)c->pam_failures);
	if (c->login_successes)
		core_buf_printf(b, "%s logged in successfully %llu time%s",
				c->login_failures ? " and" : "",
				(unsigned long long)c->login_successes,
				c->login_successes > 1 ? "s" : "");
	if (c->requests)
		core_buf_printf(b, "%s sent %llu web requests (%llu 4xx, "
				"%llu 5xx)",
				c->login_failures || c->login_successes ?
				"; it" : "",
				(unsigned long long)c->requests,
				(unsigned long long)c->http_4xx,
				(unsigned long long)c->http_5xx);
	if (c->ids_alerts)
		core_buf_printf(b, "%s the IDS raised %llu alert%s for it",
				c->login_failures || c->login_successes ||
				c->requests || c->pam_failures ? ";" : ":",
				(unsigned long long)c->ids_alerts,
				c->ids_alerts == 1 ? "" : "s");
	if (!c->login_failures && !c->login_successes && !c->requests &&
	    !c->ids_alerts && !c->pam_failures)
		core_buf_printf(b, " appears in %llu events",
				(unsigned long long)c->events);
	core_buf_printf(b, ". ");
}

static void tell_what(struct work *w, struct core_buf *b)
{
	const struct incident *inc = w->inc;
	size_t told = 0, nrules;
	char t0[40], t1[40];

	/* Times are shown to the second: within one, it is one time. */
	core_time_format_human(inc->ts_first, t0, sizeof(t0));
	core_time_format_human(inc->ts_last, t1, sizeof(t1));
	if (strcmp(t0, t1) == 0) {
		core_buf_printf(b, "What happened: at ");
		when(b, inc->ts_first);
	} else {
		core_buf_printf(b, "What happened: between ");
		when(b, inc->ts_first);
		core_buf_printf(b, " and ");
		when(b, inc->ts_last);
	}
	nrules = w->nrules;
	core_buf_printf(b, ", %llu alert%s from %zu rule%s. ",
			(unsigned long long)inc->alerts,
			inc->alerts == 1 ? "" : "s", nrules,
			nrules == 1 ? "" : "s");
	for (size_t i = 0; i < inc->nentities && told < 3; i++)
		if (inc->entities[i].type == INCIDENT_ENT_SOURCE_IP) {
			tell_source(b, &inc->entities[i]);
			told++;
		}
	if (w->nsources > told)
		core_buf_printf(b, "%zu more source%s took part. ",
				w->nsources - told,
				w->nsources - told > 1 ? "s" : "");
	incident_tell_windows(w->s, w->mem, w->nmem, b);
	if (inc->ntactics)
		core_buf_printf(b, "ATT&CK: %s%s.", inc->tactics[0],
				inc->ntactics > 1 ? " and later steps" : "");
	core_buf_printf(b, "\n");
}

static void tell_why(struct work *w, struct core_buf *b)
{
	const struct incident *inc = w->inc;
	const struct incident_score_parts *p = &inc->parts;
	bool alone;
	unsigned anom = anomaly_points(w, &alone);

	if (alone) {
		core_buf_printf(b, "Why it scored %u (%s): anomalies alone, "
				"no rule hit: 10, +3 per further anomaly "
				"record, at most 19.\n", inc->score,
				incident_severity_name(inc->severity));
		return;
	}
	core_buf_printf(b, "Why it scored %u (%s): %u from the strongest rule "
			"(%s, level %s)", inc->score,
			incident_severity_name(inc->severity), p->base,
			w->top->rule->title ? w->top->rule->title : "untitled",
			incident_severity_name(incident_severity_of_level(
				w->top->rule->level)));
	if (p->chain)
		core_buf_printf(b, ", +%u for %u tactics along the kill chain",
				p->chain, chain_len(w));
	if (p->success)
		core_buf_printf(b, ", +%u for a successful login after "
				"failures", p->success);
	if (p->privesc)
		core_buf_printf(b, ", +%u for privilege escalation after "
				"access", p->privesc);
	if (p->volume)
		core_buf_printf(b, ", +%u for volume (%llu events)", p->volume,
				(unsigned long long)inc->events);
	if (p->ids)
		core_buf_printf(b, ", +%u for IDS corroboration", p->ids);
	if (anom)
		core_buf_printf(b, ", +%u for anomalies beside the rule hits",
				anom);
	if (p->familiar)
		core_buf_printf(b, ", -%u because %.*s logs in successfully "
				"far more often than it fails (a jump host or "
				"users mistyping, not guessing)", p->familiar,
				(int)CORE_MIN(w->success->value.len,
					      (size_t)64),
				w->success->value.p);
	if (p->base + p->chain + p->success + p->privesc + p->volume + p->ids +
	    anom > 100 + p->familiar)
		core_buf_printf(b, "; capped at 100");
	core_buf_printf(b, ".\n");
}

/* A private or loopback address: a host of one's own, not to block. */
static bool internal_source(struct core_str v)
{
	struct core_ip ip;

	return source_ip(v, &ip) && core_ip_is_private(&ip);
}

/* True when v is a name (a log's rhost=), not an address. */
static bool named_source(struct core_str v)
{
	struct core_ip ip;

	return !source_ip(v, &ip);
}

/*
 * Lists up to three sources of one kind (outside or internal, never the
 * host itself), the one that got in first, then addresses before names
 * (a firewall takes addresses); returns how many there are, and in
 * *names whether a name was listed.
 */
static size_t list_sources(struct work *w, struct core_buf *b, bool internal,
			   bool *names)
{
	const struct incident *inc = w->inc;
	size_t n = 0, all = 0;

	*names = false;
	if (w->success && internal_source(w->success->value) == internal &&
	    !loopback_source(w->success->value)) {
		add_value(b, w->success->value);
		*names = named_source(w->success->value);
		n = all = 1;
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < inc->nentities; i++) {
			const struct incident_entity *e = &inc->entities[i];

			if (e->type != INCIDENT_ENT_SOURCE_IP ||
			    named_source(e->value) != (pass == 1) ||
			    internal_source(e->value) != internal ||
			    loopback_source(e->value) ||
			    (w->success &&
			     core_str_eq(e->value, w->success->value)))
				continue;
			all++;
			if (n < 3) {
				core_buf_printf(b, "%s", n ? ", " : "");
				add_value(b, e->value);
				*names |= pass == 1;
				n++;
			}
		}
	if (all > n)
		core_buf_printf(b, " and %zu other source%s", all - n,
				all - n > 1 ? "s" : "");
	return all;
}

/* Sources of one kind; loopback ones only when loop is set. */
static size_t count_sources(const struct incident *inc, bool internal,
			    bool loop)
{
	size_t n = 0;

	for (size_t i = 0; i < inc->nentities; i++) {
		const struct incident_entity *e = &inc->entities[i];

		if (e->type != INCIDENT_ENT_SOURCE_IP)
			continue;
		if (loop)
			n += loopback_source(e->value);
		else
			n += internal_source(e->value) == internal &&
			     !loopback_source(e->value);
	}
	return n;
}

/* "::1 is the host itself": once, naming the first loopback source. */
static void tell_loopback(const struct incident *inc, struct core_buf *b)
{
	for (size_t i = 0; i < inc->nentities; i++) {
		const struct incident_entity *e = &inc->entities[i];

		if (e->type != INCIDENT_ENT_SOURCE_IP ||
		    !loopback_source(e->value))
			continue;
		core_buf_printf(b, " The source ");
		add_value(b, e->value);
		core_buf_printf(b, " is the host itself (a loopback address): "
				"the activity is local to it.");
		return;
	}
}

static void tell_sources_block(struct work *w, struct core_buf *b)
{
	size_t inside = count_sources(w->inc, true, false);
	bool names;

	if (count_sources(w->inc, false, false)) {
		core_buf_printf(b, " Block ");
		list_sources(w, b, false, &names);
		core_buf_printf(b, " at the firewall (%sinvestigate instead if "
				"the address is your own).", names ?
				"the names are what the logs gave: resolve "
				"them to addresses first; " : "");
	}
	if (inside) {
		core_buf_printf(b, " Investigate the internal host%s ",
				inside > 1 ? "s" : "");
		list_sources(w, b, true, &names);
		core_buf_printf(b, ": an address of your own network did "
				"this.");
	}
	if (count_sources(w->inc, false, true))
		tell_loopback(w->inc, b);
}

/* The host of the strongest escalation by user, else of any escalation. */
static struct core_str escalation_host(const struct work *w,
				       struct core_str user, unsigned mask)
{
	struct core_str any = CORE_STR_NULL;

	for (size_t i = 0; i < w->nmem; i++) {
		const struct incident_alert *r = rec(w, i);
		struct core_str h = r->entity[INCIDENT_ENT_HOST];

		if (!h.len || !(r->platforms & mask) ||
		    !(incident_rule_tactics(r->rule) &
		      INCIDENT_TAC_BIT(PRIVESC)))
			continue;
		if (core_str_eq(r->entity[INCIDENT_ENT_USER], user))
			return h;
		if (!any.len)
			any = h;
	}
	return any;
}

/*
 * The user to name for an escalation on the platforms of mask: in an
 * incident of those platforms alone, the first user (as ever); beside
 * Windows records, the user of an escalation on those platforms.
 */
static const struct incident_entity *escalation_user(const struct work *w,
						     unsigned mask)
{
	const struct incident *inc = w->inc;
	const struct incident_entity *user = first_of(inc, INCIDENT_ENT_USER);

	if (!(inc->platforms & ~mask) || !user)
		return user;
	for (size_t i = 0; i < w->nmem; i++) {
		const struct incident_alert *r = rec(w, i);
		struct core_str u = r->entity[INCIDENT_ENT_USER];

		if (!u.len || !(r->platforms & mask) ||
		    !(incident_rule_tactics(r->rule) &
		      INCIDENT_TAC_BIT(PRIVESC)))
			continue;
		for (size_t k = 0; k < inc->nentities; k++)
			if (inc->entities[k].type == INCIDENT_ENT_USER &&
			    core_str_eq(inc->entities[k].value, u))
				return &inc->entities[k];
	}
	return user;
}

static void tell_unix_privesc(struct work *w, struct core_buf *b,
			      unsigned mask)
{
	const struct incident_entity *user = escalation_user(w, mask);
	const struct incident_entity *host = first_of(w->inc,
						      INCIDENT_ENT_HOST);
	struct core_str who, where;

	if (!user)
		return;
	who = escalator(w->inc, user)->value;
	where = escalation_host(w, who, mask);
	core_buf_printf(b, " Review sudo activity of user ");
	add_value(b, who);
	if (where.len || host) {
		core_buf_printf(b, " on ");
		add_value(b, where.len ? where : host->value);
	}
	core_buf_printf(b, ".");
}

/*
 * Credential access with no login that worked, by where the attempts
 * were seen: SSH on a Linux host (and anything unknown, as before), a
 * web login form, a honeypot, or what an IDS saw on the wire.
 */
static void tell_no_login(struct work *w, struct core_buf *b, unsigned mask)
{
	unsigned p = 0;

	for (size_t i = 0; i < w->nmem; i++)
		if (incident_rule_tactics(rec(w, i)->rule) &
		    INCIDENT_TAC_BIT(CRED))
			p |= rec(w, i)->platforms & mask;
	if (!p || (p & ((1u << INCIDENT_PLAT_LINUX) |
			(1u << INCIDENT_PLAT_OTHER))))
		core_buf_printf(b, " No login succeeded: rate-limit SSH and "
				"prefer keys to passwords.");
	else if (p & (1u << INCIDENT_PLAT_WEB))
		core_buf_printf(b, " No login succeeded: rate-limit the login "
				"page and lock accounts out after repeated "
				"failures.");
	else if (p & (1u << INCIDENT_PLAT_HONEYPOT))
		core_buf_printf(b, " The guesses hit a honeypot: block the "
				"source on the hosts that matter and check "
				"them for the same user names.");
	else
		core_buf_printf(b, " No login succeeded that the IDS saw: "
				"rate-limit the service it names and prefer "
				"keys to passwords.");
}

/* A web record's rule names T1505.003: a web shell that answered. */
static bool web_shell(const struct work *w)
{
	for (size_t i = 0; i < w->nmem; i++) {
		const struct incident_alert *r = rec(w, i);

		if (!(r->platforms & (1u << INCIDENT_PLAT_WEB)))
			continue;
		for (size_t t = 0; t < r->rule->ntags; t++)
			if (r->rule->tags[t] &&
			    strcasecmp(r->rule->tags[t],
				       "attack.t1505.003") == 0)
				return true;
	}
	return false;
}

/* The Linux, web and IDS advice: records of any platform but Windows. */
static void tell_next_unix(struct work *w, struct core_buf *b)
{
	const unsigned mask = ~(1u << INCIDENT_PLAT_WINDOWS);
	uint32_t tac = incident_tactics_on(w->s, w->mem, w->nmem, mask);

	if (tac & INCIDENT_TAC_BIT(PRIVESC))
		tell_unix_privesc(w, b, mask);
	if (web_shell(w))
		core_buf_printf(b, " A web shell answered: take the script the "
				"evidence names off the server (keep a copy), "
				"then find how it got there (uploads and the "
				"requests before it) and what it ran (the web "
				"server user's processes and files changed "
				"since).");
	if (tac & INCIDENT_TAC_BIT(PERSIST))
		core_buf_printf(b, " Look for new accounts, keys, services and "
				"cron jobs.");
	if (!w->success && !w->cred_then_access &&
	    (tac & INCIDENT_TAC_BIT(CRED)))
		tell_no_login(w, b, mask);
}

/* What to do about the account a source logged in as, by platform. */
static void tell_success(struct core_buf *b, const struct incident_ent *e)
{
	switch (e->ok_platform) {
	case INCIDENT_PLAT_WINDOWS:
		core_buf_printf(b, " Reset the password of %.*s, end its logon "
				"sessions (Security 4624 Logon ID) and review "
				"what they did.", (int)e->ok_user.len,
				e->ok_user.p);
		break;
	case INCIDENT_PLAT_HONEYPOT:
		core_buf_printf(b, " The honeypot let the source in as %.*s: "
				"read what the session typed and fetched, and "
				"check real hosts for the same password.",
				(int)e->ok_user.len, e->ok_user.p);
		break;
	default:
		core_buf_printf(b, " Reset the password of %.*s, end its "
				"sessions and check its authorized_keys.",
				(int)e->ok_user.len, e->ok_user.p);
	}
}

static void tell_next(struct work *w, struct core_buf *b)
{
	size_t said;

	core_buf_printf(b, "What to do next:");
	said = b->len;
	if (w->nsources)
		tell_sources_block(w, b);
	if (w->success && w->success->ok_user.len)
		tell_success(b, w->success);
	else if (w->cred_then_access)
		core_buf_printf(b, " Reset the password of the account that "
				"logged in and end its sessions.");
	tell_next_unix(w, b);
	if (w->inc->platforms & (1u << INCIDENT_PLAT_WINDOWS))
		incident_advise_windows(w->s, w->mem, w->nmem,
					count_sources(w->inc, true, false) +
					count_sources(w->inc, false, false) > 0,
					b);
	/* Never nothing: the tactics left unsaid, else the last resort. */
	if (b->len == said)
		incident_advise_unsaid(w->s, w->mem, w->nmem, b);
	/* Noise scored high (a brute force rule's level) is acted on. */
	if (w->folded && w->inc->severity < INCIDENT_SEV_HIGH)
		core_buf_printf(b, " This is background activity; act if it "
				"grows.");
}

static void explain(struct work *w)
{
	struct core_buf *b = &w->text;

	core_buf_init(b, 16 * 1024);
	tell_what(w, b);
	tell_why(w, b);
	tell_next(w, b);
	w->inc->explanation = incident_strdup(w->s, b->p ? b->p : "", b->len);
	core_buf_free(b);
}

/* -------------------------------------------------------- assembling */

/* Capped per-incident arrays, appended to the set's pools. */
struct pools {
	size_t nent, nstep, nev;
	size_t *ent_off, *step_off, *ev_off;
};

static int pool_add(struct incident_set *s, void **pool, size_t *used,
		    const void *src, size_t n, size_t size)
{
	void *p;

	if (!n)
		return 0;
	p = incident_realloc(s, *pool, *used * size, (*used + n) * size);
	if (!p)
		return CORE_E_NOMEM;
	memcpy((char *)p + *used * size, src, n * size);
	*pool = p;
	*used += n;
	return 0;
}

static void basics_of(struct work *w)
{
	struct incident *inc = w->inc;

	inc->ts_first = CORE_TS_UNKNOWN;
	inc->ts_last = CORE_TS_UNKNOWN;
	w->top = rec(w, 0);
	for (size_t i = 0; i < w->nmem; i++) {
		const struct incident_alert *r = rec(w, i);
		int64_t t0 = t0_of(r);

		inc->records++;
		inc->platforms |= r->platforms;
		inc->alerts += r->raised;
		inc->events += r->events;
		if (t0 != CORE_TS_UNKNOWN &&
		    (inc->ts_first == CORE_TS_UNKNOWN || t0 < inc->ts_first))
			inc->ts_first = t0;
		if (r->ts_last > inc->ts_last)
			inc->ts_last = r->ts_last;
		if (incident_alert_stronger(r, w->top))
			w->top = r;
	}
}

static bool single_rule(const struct work *w)
{
	for (size_t i = 1; i < w->nmem; i++)
		if (rec(w, i)->rule != rec(w, 0)->rule)
			return false;
	return true;
}

/* Builds incident k from its members; appends its arrays to the pools. */
static int assemble_one(struct incident_set *s, struct incident *inc,
			const uint32_t *mem, size_t nmem, struct pools *pl,
			size_t k, uint64_t shared)
{
	struct work w = { .s = s, .inc = inc, .mem = mem, .nmem = nmem,
			  .shared = shared };
	struct incident_entity *ents = NULL;
	struct incident_step *steps = NULL;
	struct incident_evidence *evs = NULL;
	size_t nent = 0, nstep = 0, nev = 0;
	int rc;

	basics_of(&w);
	rc = entities_of(&w, &ents, &nent);
	if (rc == 0)
		rc = timeline_of(&w, &steps, &nstep);
	if (rc < 0)
		goto fail;

	inc->entities = ents;
	inc->nentities = CORE_MIN(nent, (size_t)INCIDENT_MAX_SHOWN_ENTITIES);
	inc->ntimeline = nstep;
	chain_of(&w);
	score_of(&w);
	w.folded = w.nsources >= 4 && !w.success && !w.cred_then_access &&
		   ((single_rule(&w) &&
		     w.top->rule->level <= DETECT_LEVEL_MEDIUM) ||
		    (w.tactic_mask &&
		     !(w.tactic_mask & ~INCIDENT_NOISE_TACTICS)));
	/* The evidence shows the rule the title names: it waits for it. */
	w.head = title_head(&w);
	rc = evidence_of(&w, &evs, &nev);
	if (rc < 0)
		goto fail;
	inc->nevidence = nev;
	title_of(&w);
	explain(&w);

	pl->ent_off[k] = pl->nent;
	pl->step_off[k] = pl->nstep;
	pl->ev_off[k] = pl->nev;
	rc = pool_add(s, (void **)&s->ent_pool, &pl->nent, ents,
		      inc->nentities, sizeof(*ents));
	if (rc == 0)
		rc = pool_add(s, (void **)&s->step_pool, &pl->nstep, steps,
			      nstep, sizeof(*steps));
	if (rc == 0)
		rc = pool_add(s, (void **)&s->ev_pool, &pl->nev, evs, nev,
			      sizeof(*evs));
fail:
	free(ents);
	free(steps);
	free(evs);
	return rc;
}

static int urgency_cmp(const void *pa, const void *pb)
{
	const struct incident *x = pa, *y = pb;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	if (x->ts_last != y->ts_last)
		return x->ts_last < y->ts_last ? 1 : -1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Members of each incident, grouped by a counting sort over roots. */
static int members_of(const struct incident_set *s, const uint32_t *root,
		      uint32_t *idx, size_t *off, uint32_t *mem,
		      size_t *ninc)
{
	size_t n = s->recs.n, k = 0;
	size_t *fill;

	for (size_t i = 0; i < n; i++)
		if (root[i] == i)
			idx[i] = (uint32_t)k++;
	memset(off, 0, (k + 1) * sizeof(*off));
	for (size_t i = 0; i < n; i++)
		off[idx[root[i]] + 1]++;
	for (size_t j = 0; j < k; j++)
		off[j + 1] += off[j];
	fill = malloc((k + 1) * sizeof(*fill));
	if (!fill)
		return CORE_E_NOMEM;
	memcpy(fill, off, (k + 1) * sizeof(*fill));
	for (size_t i = 0; i < n; i++)
		mem[fill[idx[root[i]]]++] = (uint32_t)i;
	free(fill);
	*ninc = k;
	return 0;
}

static void finish(struct incident_set *s, const struct pools *pl,
		   const uint32_t *root, const uint32_t *idx)
{
	size_t k = s->nincidents;
	uint32_t *pos = malloc((k + 1) * sizeof(*pos));

	for (size_t j = 0; j < k; j++) {
		struct incident *inc = &s->incidents[j];

		inc->entities = s->ent_pool + pl->ent_off[j];
		inc->timeline = s->step_pool + pl->step_off[j];
		inc->evidence = s->ev_pool + pl->ev_off[j];
		inc->id = (uint32_t)j;
	}
	qsort(s->incidents, k, sizeof(*s->incidents), urgency_cmp);
	for (size_t j = 0; j < k; j++) {
		if (pos)
			pos[s->incidents[j].id] = (uint32_t)j;
		s->incidents[j].id = (uint32_t)(j + 1);
	}
	for (size_t i = 0; pos && i < s->recs.n; i++)
		s->recs.recs[i].incident = pos[idx[root[i]]] + 1;
	free(pos);
}

/* Events each incident's records cited twice (see alert.c). */
static int shared_of(const struct incident_set *s, const uint32_t *root,
		     const uint32_t *idx, uint64_t *shared)
{
	uint32_t *inc_of = malloc((s->recs.n + 1) * sizeof(*inc_of));

	if (!inc_of)
		return CORE_E_NOMEM;
	for (size_t i = 0; i < s->recs.n; i++)
		inc_of[i] = idx[root[i]];
	incident_shared_events(s, inc_of, shared);
	free(inc_of);
	return 0;
}

/*
 * Builds the incident views from root (see incident_group()).  Returns 0
 * or CORE_E_NOMEM (then the set holds no incidents).
 */
int incident_assemble(struct incident_set *s, const uint32_t *root)
{
	size_t n = s->recs.n, k = 0;
	uint32_t *idx = malloc((n + 1) * sizeof(*idx));
	uint32_t *mem = malloc((n + 1) * sizeof(*mem));
	size_t *off = malloc((n + 2) * sizeof(*off));
	size_t *offs = calloc(3 * (n + 1), sizeof(*offs));
	uint64_t *shared = calloc(n + 1, sizeof(*shared));
	struct pools pl = { 0 };
	int rc = CORE_E_NOMEM;

	if (!idx || !mem || !off || !offs || !shared)
		goto fail;
	pl.ent_off = offs;
	pl.step_off = offs + n + 1;
	pl.ev_off = offs + 2 * (n + 1);
	rc = members_of(s, root, idx, off, mem, &k);
	if (rc < 0)
		goto fail;
	rc = shared_of(s, root, idx, shared);
	if (rc < 0)
		goto fail;

	s->incidents = incident_alloc(s, (k + 1) * sizeof(*s->incidents));
	rc = s->incidents ? 0 : CORE_E_NOMEM;

	for (size_t j = 0; rc == 0 && j < k; j++)
		rc = assemble_one(s, &s->incidents[j], mem + off[j],
				  off[j + 1] - off[j], &pl, j, shared[j]);
	if (rc == 0) {
		s->nincidents = k;
		finish(s, &pl, root, idx);
	}
fail:
	free(idx);
	free(mem);
	free(off);
	free(offs);
	free(shared);
	return rc;
}
