/*
 * group.c: alert records folded into incidents.
 *
 * Union-find over alert records, through the entities they share, in
 * four passes.  Keys are weighted by how much they say about who the
 * attacker is:
 *
 *   1. Anchor (strong).  A record's anchor is its source address; without
 *      one, user@host (local activity such as sudo); without a user, host
 *      and rule; without anything, the rule.  Records with the same
 *      anchor join when each starts within ANCHOR_GAP_US (a day; more if
 *      gap_us is longer) of the chain before it: one address probing in
 *      bursts through a day is one story, while an address that comes
 *      back next week is a new incident.
 *
 *   2. Attacker fingerprints (rare keys).  The same user agent, the same
 *      payload shape (see alert.c), the same targeted user name or, on
 *      a Windows host, the same process (a Sysmon ProcessGuid: the one
 *      that acted, its parent or grandparent) links anchors, but only
 *      when the key is rare: it spans at most RARE_MAX anchors (a
 *      process: at most RARE_MAX as an ancestor, PROCESS_SPAN_MAX in
 *      all), the events saw it from at most RARE_MAX sources, and a
 *      user name is not one every scanner tries (root, admin ...).  User
 *      names link only in a tight window (gap / 4): they say less than a
 *      tool's fingerprint.  This is how one attacker with several
 *      addresses becomes one story while a hub (a host every alert
 *      names, root, a common browser) glues nothing.
 *
 *   3. Local activity (weak, directed).  A record without a source (sudo,
 *      su, useradd) joins the one incident whose source logged in as
 *      that user on that host most recently before it, within gap_us.
 *      It never joins two sources together: a host alone links nothing.
 *      A record naming neither source nor user (a Windows event of a
 *      process vigil saw no start of) joins the incident of its rule on
 *      its host when only one holds that rule there with a user.
 *
 *   4. Noise folding.  With no successful login behind them and no
 *      critical rule, anchors holding a single rule at medium level or
 *      below fold per rule, and anchors whose tactics are all background
 *      ones (reconnaissance, credential access, discovery: brute force
 *      that never got in) fold together, when FOLD_MIN or more
 *      exist ("SSH brute force: 39 sources"): the reader gets one
 *      incident for the background, not two hundred.  A week with none
 *      of them (FOLD_GAP_US) ends a fold: the next starts anew.
 *
 * Workload: records are already aggregated, so n is at most max_records
 * plus one overflow record per rule; every pass is a sort and a walk.
 */
#include "incident/incident_int.h"

#include <stdlib.h>
#include <string.h>

#define ANCHOR_GAP_US (24LL * 3600 * 1000000)

#define RARE_MAX 4
#define PROCESS_SPAN_MAX 32	/* anchors one process's own acts link */
#define NET_SPAN_MAX 256	/* anchors of one network that still link */
#define FOLD_MIN 4
#define FOLD_GAP_US (7 * 24 * 3600 * 1000000LL)	/* quiet week: new fold */

enum key_kind {
	KEY_SOURCE = 0,
	KEY_USERHOST,
	KEY_HOSTRULE,
	KEY_RULE,
	KEY_UA,
	KEY_PATTERN,
	KEY_USER,
	KEY_TACTICS,
	KEY_NET,
	KEY_PROCESS,
};

struct key_item {
	uint64_t h;
	uint8_t kind;
	struct core_str a, b;
	const void *rule;
	uint32_t tactics;	/* KEY_TACTICS: the tactic mask */
	int64_t t0, t1;
	uint32_t rec;
	uint8_t ancestor;	/* KEY_PROCESS: the parent or grandparent */
};

struct uf {
	uint32_t *parent;
};

static uint32_t uf_find(struct uf *u, uint32_t x)
{
	while (u->parent[x] != x) {
		u->parent[x] = u->parent[u->parent[x]];
		x = u->parent[x];
	}
	return x;
}

static void uf_union(struct uf *u, uint32_t a, uint32_t b)
{
	a = uf_find(u, a);
	b = uf_find(u, b);
	if (a == b)
		return;
	/* The smaller index stays the root: results do not depend on order. */
	if (a < b)
		u->parent[b] = a;
	else
		u->parent[a] = b;
}

static int strcmp_str(struct core_str x, struct core_str y)
{
	size_t n = CORE_MIN(x.len, y.len);
	int c = n ? memcmp(x.p, y.p, n) : 0;

	if (c)
		return c;
	return (x.len > y.len) - (x.len < y.len);
}

static int key_same(const struct key_item *x, const struct key_item *y)
{
	int c;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if ((c = strcmp_str(x->a, y->a)) != 0)
		return c;
	if ((c = strcmp_str(x->b, y->b)) != 0)
		return c;
	if (x->rule != y->rule)
		return (uintptr_t)x->rule < (uintptr_t)y->rule ? -1 : 1;
	if (x->tactics != y->tactics)
		return x->tactics < y->tactics ? -1 : 1;
	return 0;
}

/* Sorts by key, then time, then record: equal keys form runs. */
static int key_cmp(const void *pa, const void *pb)
{
	const struct key_item *x = pa, *y = pb;
	int c = key_same(x, y);

	if (c)
		return c;
	if (x->t0 != y->t0)
		return x->t0 < y->t0 ? -1 : 1;
	return (x->rec > y->rec) - (x->rec < y->rec);
}

static int64_t rec_t0(const struct incident_alert *r)
{
	if (r->ts_first != CORE_TS_UNKNOWN)
		return r->ts_first;
	return r->ts_last != CORE_TS_UNKNOWN ? r->ts_last : 0;
}

static int64_t rec_t1(const struct incident_alert *r)
{
	return r->ts_last != CORE_TS_UNKNOWN ? r->ts_last : rec_t0(r);
}

static struct key_item item_make(const struct incident_alert *r,
				 enum key_kind kind, struct core_str a,
				 struct core_str b, const void *rule)
{
	struct key_item k;

	k.kind = (uint8_t)kind;
	k.a = a;
	k.b = b;
	k.rule = rule;
	k.tactics = 0;
	k.ancestor = 0;
	k.t0 = rec_t0(r);
	k.t1 = rec_t1(r);
	k.rec = r->index;
	k.h = core_hash(a.p, a.len, kind);
	k.h = core_hash(b.p, b.len, k.h);
	k.h = core_hash(&rule, sizeof(rule), k.h);
	return k;
}

static struct core_str rec_user(const struct incident_alert *r)
{
	if (r->entity[INCIDENT_ENT_USER].len)
		return r->entity[INCIDENT_ENT_USER];
	return r->entity[INCIDENT_ENT_TARGET_USER];
}

static struct key_item anchor_of(const struct incident_alert *r)
{
	const struct core_str *e = r->entity;
	struct core_str user = rec_user(r);

	if (r->overflow)
		return item_make(r, KEY_RULE, CORE_STR_NULL, CORE_STR_NULL,
				 r->rule);
	if (e[INCIDENT_ENT_SOURCE_IP].len)
		return item_make(r, KEY_SOURCE, e[INCIDENT_ENT_SOURCE_IP],
				 CORE_STR_NULL, NULL);
	if (user.len)
		return item_make(r, KEY_USERHOST, user,
				 e[INCIDENT_ENT_HOST], NULL);
	if (e[INCIDENT_ENT_HOST].len)
		return item_make(r, KEY_HOSTRULE, e[INCIDENT_ENT_HOST],
				 CORE_STR_NULL, r->rule);
	return item_make(r, KEY_RULE, CORE_STR_NULL, CORE_STR_NULL, r->rule);
}

/* Joins runs of equal keys whose members follow within window. */
static void chain_runs(struct uf *u, struct key_item *it, size_t n,
		       int64_t window)
{
	size_t i = 0;

	qsort(it, n, sizeof(*it), key_cmp);
	while (i < n) {
		int64_t last = it[i].t1;
		size_t j = i + 1;

		for (; j < n && key_same(&it[i], &it[j]) == 0; j++) {
			if (it[j].t0 - last <= window)
				uf_union(u, it[j - 1].rec, it[j].rec);
			last = CORE_MAX(last, it[j].t1);
		}
		i = j;
	}
}

/* Pass 1: anchors. */
static int pass_anchor(struct incident_set *s, struct uf *u)
{
	size_t n = s->recs.n;
	struct key_item *it = malloc((n ? n : 1) * sizeof(*it));

	if (!it)
		return CORE_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		it[i] = anchor_of(&s->recs.recs[i]);
	chain_runs(u, it, n, CORE_MAX(s->cfg.gap_us, ANCHOR_GAP_US));
	free(it);
	return 0;
}

/* A fingerprint seen from many sources in the events is nobody's own. */
static bool key_rare(const struct incident_set *s, const struct key_item *k)
{
	const struct incident_ent *e = NULL;

	if (k->kind == KEY_USER) {
		if (incident_user_is_common(k->a))
			return false;
		e = incident_ent_find(s, INCIDENT_ENT_USER, k->a);
	} else if (k->kind == KEY_UA) {
		e = incident_ent_find(s, INCIDENT_ENT_USER_AGENT, k->a);
	}
	return !e || e->c.distinct_sources <= RARE_MAX;
}

/*
 * Distinct anchors (pass-1 roots) in a run, counted up to max + 1; with
 * ancestors_only, only those of items naming the key as an ancestor.
 */
static size_t run_span(const uint32_t *root1, const struct key_item *it,
		       size_t n, size_t max, bool ancestors_only)
{
	uint32_t seen[NET_SPAN_MAX + 1];
	size_t k = 0;

	for (size_t i = 0; i < n && k <= max; i++) {
		uint32_t r = root1[it[i].rec];
		size_t j = 0;

		if (ancestors_only && !it[i].ancestor)
			continue;

		while (j < k && seen[j] != r)
			j++;
		if (j == k)
			seen[k++] = r;
	}
	return k;
}

/*
 * The network a public source address belongs to, as the prefix of its
 * text: the first three octets of IPv4 (a /24), the first three groups
 * of a fully written IPv6 address (a /48).  Attack infrastructure is
 * rented in such blocks; office and home users behind private addresses
 * are not linked this way.
 */
static bool net_of(struct core_str ip, struct core_str *net)
{
	struct core_ip a;
	size_t dots = 0, i;

	if (!ip.len || !core_ip_parse(ip.p, ip.len, &a) ||
	    core_ip_is_private(&a))
		return false;
	for (i = 0; i < ip.len; i++) {
		char sep = a.family == 4 ? '.' : ':';

		if (ip.p[i] == sep && ++dots == 3)
			break;
		if (a.family == 6 && ip.p[i] == ':' && i + 1 < ip.len &&
		    ip.p[i + 1] == ':')
			return false;	/* "::" hides how many groups */
	}
	if (dots < 3)
		return false;
	*net = core_str_make(ip.p, i + 1);
	return true;
}

/* True when r's process GUID p is one of those before it (p = 0 ...). */
static bool process_seen(const struct incident_alert *r, int p)
{
	for (int q = 0; q < p; q++)
		if (core_str_eq(r->process[q], r->process[p]))
			return true;
	return false;
}

/*
 * A record's fingerprints: at most 8 (address, agent, pattern, two
 * users, three processes).
 */
static size_t link_items(const struct incident_set *s, struct key_item *it)
{
	size_t m = 0;

	for (size_t i = 0; i < s->recs.n; i++) {
		const struct incident_alert *r = &s->recs.recs[i];
		const struct core_str *e = r->entity;
		struct core_str net;

		if (r->overflow)
			continue;
		if (net_of(e[INCIDENT_ENT_SOURCE_IP], &net))
			it[m++] = item_make(r, KEY_NET, net, CORE_STR_NULL,
					    NULL);
		if (e[INCIDENT_ENT_USER_AGENT].len)
			it[m++] = item_make(r, KEY_UA,
					    e[INCIDENT_ENT_USER_AGENT],
					    CORE_STR_NULL, NULL);
		if (e[INCIDENT_ENT_URL_PATTERN].len)
			it[m++] = item_make(r, KEY_PATTERN,
					    e[INCIDENT_ENT_URL_PATTERN],
					    CORE_STR_NULL, NULL);
		if (e[INCIDENT_ENT_USER].len)
			it[m++] = item_make(r, KEY_USER, e[INCIDENT_ENT_USER],
					    CORE_STR_NULL, NULL);
		if (e[INCIDENT_ENT_TARGET_USER].len &&
		    !core_str_eq(e[INCIDENT_ENT_TARGET_USER],
				 e[INCIDENT_ENT_USER]))
			it[m++] = item_make(r, KEY_USER,
					    e[INCIDENT_ENT_TARGET_USER],
					    CORE_STR_NULL, NULL);
		for (int p = 0; p < 3; p++) {
			if (!r->process[p].len || !e[INCIDENT_ENT_HOST].len ||
			    process_seen(r, p))
				continue;
			it[m] = item_make(r, KEY_PROCESS, e[INCIDENT_ENT_HOST],
					  r->process[p], NULL);
			it[m++].ancestor = p > 0;
		}
	}
	return m;
}

/* Pass 2: rare fingerprints link anchors. */
static int pass_link(struct incident_set *s, struct uf *u, uint32_t *root1)
{
	size_t n = s->recs.n, m, i = 0;
	struct key_item *it = malloc((8 * n + 1) * sizeof(*it));

	if (!it)
		return CORE_E_NOMEM;
	for (size_t k = 0; k < n; k++)
		root1[k] = uf_find(u, (uint32_t)k);
	m = link_items(s, it);
	qsort(it, m, sizeof(*it), key_cmp);

	while (i < m) {
		size_t j = i + 1, span, max;
		int64_t window = s->cfg.gap_us, last;

		while (j < m && key_same(&it[i], &it[j]) == 0)
			j++;
		max = it[i].kind == KEY_NET ? NET_SPAN_MAX :
		      it[i].kind == KEY_PROCESS ? PROCESS_SPAN_MAX : RARE_MAX;
		span = run_span(root1, it + i, j - i, max, false);
		/*
		 * A process is a hub when many anchors name it as their
		 * parent or grandparent (explorer.exe, services.exe); the
		 * anchors of what it did itself are one story however many
		 * rules saw it.
		 */
		if (it[i].kind == KEY_PROCESS &&
		    run_span(root1, it + i, j - i, RARE_MAX, true) > RARE_MAX)
			span = max + 1;
		if (it[i].kind == KEY_USER)
			window /= 4;
		last = it[i].t1;
		for (size_t k = i + 1; span > 1 &&
		     span <= max &&
		     k < j && key_rare(s, &it[i]); k++) {
			if (it[k].t0 - last <= window)
				uf_union(u, it[k - 1].rec, it[k].rec);
			last = CORE_MAX(last, it[k].t1);
		}
		i = j;
	}
	free(it);
	return 0;
}

static int host_time_cmp(const void *pa, const void *pb)
{
	const struct key_item *x = pa, *y = pb;
	int c;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	if ((c = strcmp_str(x->a, y->a)) != 0)
		return c;
	if (x->t0 != y->t0)
		return x->t0 < y->t0 ? -1 : 1;
	return (x->rec > y->rec) - (x->rec < y->rec);
}

/* Pass 3: local activity joins the latest login as that user there. */
static int pass_local(struct incident_set *s, struct uf *u)
{
	size_t n = s->recs.n, m = 0, i = 0;
	struct key_item *it = malloc((n + 1) * sizeof(*it));

	if (!it)
		return CORE_E_NOMEM;
	for (size_t k = 0; k < n; k++) {
		const struct incident_alert *r = &s->recs.recs[k];
		struct core_str user = rec_user(r);

		if (!r->overflow && user.len &&
		    r->entity[INCIDENT_ENT_HOST].len)
			it[m++] = item_make(r, KEY_USERHOST, user,
					    r->entity[INCIDENT_ENT_HOST], NULL);
	}
	qsort(it, m, sizeof(*it), key_cmp);

	while (i < m) {
		size_t j = i, best = SIZE_MAX;

		for (; j < m && key_same(&it[i], &it[j]) == 0; j++) {
			const struct incident_alert *r;

			r = &s->recs.recs[it[j].rec];

			if (r->entity[INCIDENT_ENT_SOURCE_IP].len) {
				best = j;
				continue;
			}
			if (best != SIZE_MAX && it[j].t0 - it[best].t1 <=
			    s->cfg.gap_us)
				uf_union(u, it[best].rec, it[j].rec);
		}
		i = j;
	}
	free(it);
	return 0;
}

/*
 * Pass 3b: what root does follows whoever became root.  A record on a
 * host with no source and no acting user but root (useradd, usermod, a
 * root password change) that is persistence or escalation joins the
 * latest record of privilege escalation by a named user on that host
 * before it, within gap_us.  It never joins two sources together.
 */
static bool acting_root_or_none(const struct incident_alert *r)
{
	struct core_str u = r->entity[INCIDENT_ENT_USER];

	return u.len == 0 || core_str_eq_lit(u, "root");
}

static int pass_follow(struct incident_set *s, struct uf *u)
{
	size_t n = s->recs.n, m = 0, i = 0;
	struct key_item *it = malloc((n + 1) * sizeof(*it));

	if (!it)
		return CORE_E_NOMEM;
	for (size_t k = 0; k < n; k++) {
		const struct incident_alert *r = &s->recs.recs[k];
		uint32_t t = incident_rule_tactics(r->rule);

		if (r->overflow || !r->entity[INCIDENT_ENT_HOST].len ||
		    !(t & (INCIDENT_TAC_BIT(PRIVESC) |
			   INCIDENT_TAC_BIT(PERSIST))))
			continue;
		it[m] = item_make(r, KEY_HOSTRULE, r->entity[INCIDENT_ENT_HOST],
				  CORE_STR_NULL, NULL);
		/* tactics: 1 for an escalation by a named user, else 0. */
		it[m].tactics = (t & INCIDENT_TAC_BIT(PRIVESC)) &&
				!acting_root_or_none(r);
		if (it[m].tactics ||
		    (!r->entity[INCIDENT_ENT_SOURCE_IP].len &&
		     acting_root_or_none(r)))
			m++;
	}
	/* Same host together, in time order (tactics is not part of it). */
	for (size_t k = 0; k < m; k++)
		it[k].h = core_hash(it[k].a.p, it[k].a.len, KEY_HOSTRULE);
	qsort(it, m, sizeof(*it), host_time_cmp);

	while (i < m) {
		size_t j = i, best = SIZE_MAX;

		for (; j < m && it[j].h == it[i].h &&
		     core_str_eq(it[j].a, it[i].a); j++) {
			if (it[j].tactics) {
				best = j;
				continue;
			}
			if (best != SIZE_MAX &&
			    it[j].t0 - it[best].t1 <= s->cfg.gap_us)
				uf_union(u, it[best].rec, it[j].rec);
		}
		i = j;
	}
	free(it);
	return 0;
}

/* Do the spans of x and y come within gap of each other? */
static bool near(const struct key_item *x, const struct key_item *y,
		 int64_t gap)
{
	return x->t0 - y->t1 <= gap && y->t0 - x->t1 <= gap;
}

/* A join pass 3d found: the orphan's incident, the owner's. */
struct adopt {
	uint32_t orphan, owner;	/* roots before the pass */
	uint32_t orphan_rec, owner_rec;
};

static int adopt_cmp(const void *pa, const void *pb)
{
	const struct adopt *x = pa, *y = pb;

	if (x->orphan != y->orphan)
		return x->orphan < y->orphan ? -1 : 1;
	return (x->owner > y->owner) - (x->owner < y->owner);
}

/*
 * The owner of one run of a host's records of one rule (it[i, j)): the
 * root of the one incident holding the run's records that name a user,
 * or UINT32_MAX when none or several do.
 */
static uint32_t run_owner(struct uf *u, const struct key_item *it,
			  size_t i, size_t j)
{
	uint32_t owner = UINT32_MAX;

	for (size_t k = i; k < j; k++) {
		uint32_t r;

		if (!it[k].tactics)
			continue;
		r = uf_find(u, it[k].rec);
		if (owner != UINT32_MAX && owner != r)
			return UINT32_MAX;
		owner = r;
	}
	return owner;
}

/*
 * Pass 3d: a record with no source and no user (a Windows event that
 * names neither, such as a remote thread whose process vigil saw no
 * start of) joins the incident of the same rule on the same host within
 * gap_us, when one incident alone holds that rule's records with a user
 * there; with two or more users it cannot tell whose, and stays apart.
 * An orphan already in an incident with a user stays there, and one
 * incident of orphans that two owners would adopt joins neither.  The
 * joins are decided first and made after, so no run sees another's.
 */
static int pass_orphan(struct incident_set *s, struct uf *u)
{
	size_t n = s->recs.n, m = 0, i = 0, na = 0;
	struct key_item *it = malloc((n + 1) * sizeof(*it));
	struct adopt *ad = malloc((n + 1) * sizeof(*ad));
	bool *named = calloc(n + 1, sizeof(*named));
	int rc = CORE_E_NOMEM;

	if (!it || !ad || !named)
		goto out;
	for (size_t k = 0; k < n; k++) {
		const struct incident_alert *r = &s->recs.recs[k];

		if (rec_user(r).len)
			named[uf_find(u, (uint32_t)k)] = true;
		if (r->overflow || !r->entity[INCIDENT_ENT_HOST].len ||
		    r->entity[INCIDENT_ENT_SOURCE_IP].len)
			continue;
		it[m] = item_make(r, KEY_HOSTRULE, r->entity[INCIDENT_ENT_HOST],
				  CORE_STR_NULL, r->rule);
		/* tactics: 1 for a record naming a user. */
		it[m++].tactics = rec_user(r).len > 0;
	}
	for (size_t k = 0; k < m; k++)
		it[k].h = core_hash(&it[k].rule, sizeof(it[k].rule),
				    core_hash(it[k].a.p, it[k].a.len,
					      KEY_HOSTRULE));
	qsort(it, m, sizeof(*it), host_time_cmp);

	while (i < m) {
		size_t j = i;
		uint32_t owner;

		while (j < m && it[j].h == it[i].h &&
		       it[j].rule == it[i].rule &&
		       core_str_eq(it[j].a, it[i].a))
			j++;
		owner = run_owner(u, it, i, j);
		for (size_t k = i; owner != UINT32_MAX && k < j; k++) {
			uint32_t r = uf_find(u, it[k].rec);

			if (it[k].tactics || named[r])
				continue;
			for (size_t q = i; q < j; q++) {
				if (it[q].tactics &&
				    near(&it[k], &it[q], s->cfg.gap_us)) {
					ad[na++] = (struct adopt){
						r, owner, it[k].rec, it[q].rec
					};
					break;
				}
			}
		}
		i = j;
	}
	/* An incident of orphans joins its owner when it has only one. */
	qsort(ad, na, sizeof(*ad), adopt_cmp);
	for (size_t k = 0; k < na;) {
		size_t e = k;

		while (e < na && ad[e].orphan == ad[k].orphan)
			e++;
		if (ad[e - 1].owner == ad[k].owner) {
			for (size_t q = k; q < e; q++)
				uf_union(u, ad[q].owner_rec, ad[q].orphan_rec);
		}
		k = e;
	}
	rc = 0;
out:
	free(it);
	free(ad);
	free(named);
	return rc;
}

/*
 * Pass 3a: what an account does on a host (sudo, su; no source in the
 * record) right after a source got in as it there, by guessing, belongs
 * to that source's incident, even when no alert named the account.  The
 * logins come from the events (incident_login_before()).
 */
static int pass_login(struct incident_set *s, struct uf *u)
{
	for (size_t k = 0; k < s->recs.n; k++) {
		const struct incident_alert *r = &s->recs.recs[k];
		struct core_str user = r->entity[INCIDENT_ENT_USER];
		struct core_str host = r->entity[INCIDENT_ENT_HOST];
		const struct incident_login *l;
		int64_t t0 = rec_t0(r);

		if (r->overflow || r->entity[INCIDENT_ENT_SOURCE_IP].len ||
		    !user.len || !host.len || t0 == CORE_TS_UNKNOWN)
			continue;
		l = incident_login_before(s, user, host, t0);
		if (!l || t0 - l->ts > s->cfg.gap_us)
			continue;
		for (size_t j = 0; j < s->recs.n; j++) {
			const struct incident_alert *q = &s->recs.recs[j];

			if (!q->overflow &&
			    core_str_eq(q->entity[INCIDENT_ENT_SOURCE_IP],
					l->src)) {
				uf_union(u, (uint32_t)j, (uint32_t)k);
				break;
			}
		}
	}
	return 0;
}

/* Did this record's source log in after failing?  (From the events.) */
static bool rec_success(const struct incident_set *s,
			const struct incident_alert *r)
{
	const struct incident_ent *e;

	e = incident_ent_find(s, INCIDENT_ENT_SOURCE_IP,
			      r->entity[INCIDENT_ENT_SOURCE_IP]);
	return e && e->c.login_successes > 0;
}

/*
 * Per root: the one rule it holds (NULL: several), the union of its
 * tactics, whether any rule is above medium or is critical, and whether
 * a login succeeded.
 */
struct root_info {
	const void *rule;
	uint32_t tactics;
	bool several, high, critical, success, seen;
	int64_t t0, t1;		/* first and last time of its records */
};

static void root_scan(const struct incident_set *s, struct uf *u,
		      struct root_info *ri)
{
	for (size_t k = 0; k < s->recs.n; k++) {
		const struct incident_alert *r = &s->recs.recs[k];
		struct root_info *x = &ri[uf_find(u, (uint32_t)k)];

		if (x->rule && x->rule != r->rule)
			x->several = true;
		x->rule = r->rule;
		if (!x->seen || rec_t0(r) < x->t0)
			x->t0 = rec_t0(r);
		if (!x->seen || rec_t1(r) > x->t1)
			x->t1 = rec_t1(r);
		x->seen = true;
		x->tactics |= incident_rule_tactics(r->rule);
		x->high |= r->rule->level > DETECT_LEVEL_MEDIUM;
		x->critical |= r->rule->level >= DETECT_LEVEL_CRITICAL;
		x->success |= rec_success(s, r);
	}
}

/*
 * How a root folds: by its one rule when that is medium or below; with
 * the other background when its tactics are all background ones
 * (INCIDENT_NOISE_TACTICS), however many rules; or not at all.  Nothing
 * with a successful login or a critical rule folds.
 */
static bool fold_key(const struct incident_set *s, const struct root_info *x,
		     uint32_t k, struct key_item *out)
{
	const struct incident_alert *r = &s->recs.recs[k];

	if (x->success || x->critical)
		return false;
	if (!x->several && !x->high) {
		*out = item_make(r, KEY_RULE, CORE_STR_NULL, CORE_STR_NULL,
				 x->rule);
		return true;
	}
	/*
	 * One key for every mix of background tactics: brute force with and
	 * without user enumeration against one server is one background,
	 * not two incidents over the same hours.
	 */
	if (x->tactics && !(x->tactics & ~INCIDENT_NOISE_TACTICS)) {
		const uint32_t noise = INCIDENT_NOISE_TACTICS;

		*out = item_make(r, KEY_TACTICS, CORE_STR_NULL, CORE_STR_NULL,
				 NULL);
		out->tactics = noise;
		out->h = core_hash(&noise, sizeof(noise), out->h);
		return true;
	}
	return false;
}

/* Pass 4: background noise, one incident per rule. */
static int pass_fold(struct incident_set *s, struct uf *u)
{
	size_t n = s->recs.n, m = 0, i = 0;
	struct root_info *ri = calloc(n + 1, sizeof(*ri));
	struct key_item *it = malloc((n + 1) * sizeof(*it));

	if (!ri || !it) {
		free(ri);
		free(it);
		return CORE_E_NOMEM;
	}
	root_scan(s, u, ri);
	for (size_t k = 0; k < n; k++)
		if (uf_find(u, (uint32_t)k) == k &&
		    fold_key(s, &ri[k], (uint32_t)k, &it[m])) {
			it[m].t0 = ri[k].t0;
			it[m].t1 = ri[k].t1;
			m++;
		}
	qsort(it, m, sizeof(*it), key_cmp);

	/*
	 * Same key, in time order; a quiet week between two roots starts a
	 * new fold, so that background noise of different months (or of
	 * logs a year apart) is not one incident.
	 */
	while (i < m) {
		size_t j = i + 1;
		int64_t end = it[i].t1;

		while (j < m && key_same(&it[i], &it[j]) == 0 &&
		       it[j].t0 <= end + FOLD_GAP_US) {
			end = CORE_MAX(end, it[j].t1);
			j++;
		}
		for (size_t k = i + 1; j - i >= FOLD_MIN && k < j; k++)
			uf_union(u, it[i].rec, it[k].rec);
		i = j;
	}
	free(ri);
	free(it);
	return 0;
}

/*
 * Groups the set's records: root[i] receives the smallest record index of
 * record i's incident.  root must hold s->recs.n entries.  Returns 0 or
 * CORE_E_NOMEM.
 */
int incident_group(struct incident_set *s, uint32_t *root)
{
	size_t n = s->recs.n;
	uint32_t *root1 = malloc((n + 1) * sizeof(*root1));
	struct uf u = { root };
	int rc;

	if (!root1)
		return CORE_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		root[i] = (uint32_t)i;

	rc = pass_anchor(s, &u);
	if (rc == 0)
		rc = pass_link(s, &u, root1);
	if (rc == 0)
		rc = pass_local(s, &u);
	if (rc == 0)
		rc = pass_login(s, &u);
	if (rc == 0)
		rc = pass_follow(s, &u);
	if (rc == 0)
		rc = pass_orphan(s, &u);
	if (rc == 0)
		rc = pass_fold(s, &u);

	for (size_t i = 0; i < n; i++)
		root[i] = uf_find(&u, (uint32_t)i);
	free(root1);
	return rc;
}
