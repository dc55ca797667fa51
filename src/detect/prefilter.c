/*
 * prefilter.c: one Vectorscan literal database over every plain rule, so
 * that an event is tested only against the rules it could match.
 *
 * For each rule the compiler derives a *need*: a set of literals such
 * that, if the rule's condition holds for an event, at least one of them
 * occurs (ASCII case ignored) in one of the event's field values, its
 * message or its raw record.  The derivation follows the condition tree:
 *
 *   selection     the union over its alternatives (OR of conjunctions);
 *   conjunction   the best need of any one field matcher (all must hold,
 *                 so any one of them is necessary);
 *   field matcher the union of its values' literals (|all: one rule
 *                 value's expansions suffice); a negated matcher, or a
 *                 value with no literal (re, cidr, numbers, exists, null,
 *                 fieldref, a lone *) has no need;
 *   and           the best need among the children;
 *   or, N of      the union of the children (N >= 1);
 *   not           no need.
 *
 * "Best" prefers the set whose shortest literal is longest, then the
 * smaller set: long literals are rare in logs.  Literals under three
 * bytes count as no literal.  A rule with no need stays
 * a candidate for every event.  Literals are taken from the compiled
 * values (after case folding, windash, base64, utf16 ... expansion), so
 * a value's literal is always a substring of any field value it matches.
 *
 * Literals come in two databases: those of field matchers, scanned over
 * the event's field values as one vectored scan (no copy; a literal
 * found across two values only makes a rule a candidate in vain), and
 * those of keywords, scanned over what a keyword search reads (message,
 * else the raw record), so that long raw records (an EVTX record's JSON
 * rendering) are not scanned against every literal.
 * Each literal reports once per scan (HS_FLAG_SINGLEMATCH) and marks the
 * rules needing it with the event's generation number.  Memory: the
 * database and one scratch per ruleset, fixed after compile.
 */
#include "detect/detect_int.h"

#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>

/* A need under construction: literals (pointers into rule values). */
struct nlit {
	struct core_str s;
	bool kw;		/* from a keyword: sought in message or raw */
};

struct need {
	bool known;
	unsigned n, cap;
	struct nlit *lit;
};

struct detect_pf {
	hs_database_t *db;	/* field literals, over the field values */
	hs_database_t *kdb;	/* keyword literals, over message or raw */
	hs_scratch_t *scratch;	/* serves both */
	unsigned npat;
	unsigned nfield;	/* patterns 0..nfield-1 are field literals */
	uint32_t *first;	/* pattern -> first index into who */
	uint32_t *who;		/* rule ids, grouped by pattern */
	uint64_t *mark;		/* id -> generation it became a candidate */
	uint64_t gen;
	unsigned nrules, nalways;
	unsigned nmarks;	/* rules, then log sources */
};

/*
 * Literals are cut to their last PF_MAX_LIT bytes: any piece of a
 * literal is as necessary as the whole, and short literals keep the
 * database small (long ones cost Vectorscan memory per byte) and merge
 * more.  The tail is kept because paths and file names end distinctly.
 */
#define PF_MAX_LIT 16

/*
 * Shorter literals give no need: "1" or "13" (event ids) occur in nearly
 * every record, cost a confirm step at almost every byte and skip
 * nothing, so another conjunct's longer literal is used instead.
 */
#define PF_MIN_LIT 3

/* A (literal, rule) pair before grouping. */
struct pair {
	struct core_str lit;
	uint32_t rule;
	bool kw;
};

/* -------------------------------------------------------------- needs */

static void need_free(struct need *n)
{
	free(n->lit);
	memset(n, 0, sizeof(*n));
}

static bool need_add(struct need *n, struct core_str l, bool kw)
{
	if (n->n == n->cap) {
		unsigned ncap = n->cap ? n->cap * 2 : 8;
		struct nlit *p = realloc(n->lit, ncap * sizeof(*p));

		if (p == NULL)
			return false;
		n->lit = p;
		n->cap = ncap;
	}
	n->lit[n->n].s = l;
	n->lit[n->n++].kw = kw;
	return true;
}

/* Appends src's literals to dst; false (dst unknown) when src is. */
static bool need_union(struct need *dst, const struct need *src)
{
	if (!src->known)
		return false;
	for (unsigned i = 0; i < src->n; i++) {
		if (!need_add(dst, src->lit[i].s, src->lit[i].kw))
			return false;
	}
	return true;
}

static size_t need_minlen(const struct need *n)
{
	size_t m = SIZE_MAX;

	for (unsigned i = 0; i < n->n; i++)
		m = n->lit[i].s.len < m ? n->lit[i].s.len : m;
	return m;
}

/* Is a a better need than b (both known)? */
static bool need_better(const struct need *a, const struct need *b)
{
	size_t la = need_minlen(a), lb = need_minlen(b);

	if (la != lb)
		return la > lb;
	return a->n < b->n;
}

/* Keeps the better of *best and *cand in *best; frees the other. */
static void need_keep(struct need *best, struct need *cand)
{
	if (cand->known && (!best->known || need_better(cand, best))) {
		need_free(best);
		*best = *cand;
		memset(cand, 0, sizeof(*cand));
		return;
	}
	need_free(cand);
}

/* The longest run of plain bytes in a value's glob tokens. */
static struct core_str value_lit(struct detect_ruleset *rs,
				 const struct detect_value *v)
{
	size_t best = 0, blen = 0, run = 0;
	char *s;

	switch (v->kind) {
	case DETECT_V_EQ:
	case DETECT_V_PREFIX:
	case DETECT_V_SUFFIX:
	case DETECT_V_CONTAINS:
		return v->lit;
	case DETECT_V_GLOB:
		break;
	default:
		return core_str_make(NULL, 0);
	}
	for (size_t i = 0; i <= v->nglob; i++) {
		if (i < v->nglob && v->glob[i] < 256) {
			run++;
			continue;
		}
		if (run > blen) {
			blen = run;
			best = i - run;
		}
		run = 0;
	}
	s = detect_alloc(rs, blen + 1);
	for (size_t i = 0; i < blen; i++)
		s[i] = (char)v->glob[best + i];
	return core_str_make(s, blen);
}

static void need_fmatch(struct detect_ruleset *rs,
			const struct detect_fmatch *f, struct need *out)
{
	uint16_t grp = 0;

	memset(out, 0, sizeof(*out));
	if (f->neg || f->nvals == 0)
		return;
	/* |all: every rule value must match, so one's expansions do; take
	 * the group of the first value with the longest literal. */
	if (f->all) {
		size_t blen = 0;

		for (unsigned i = 0; i < f->nvals; i++) {
			struct core_str l = value_lit(rs, &f->vals[i]);

			if (l.len > blen) {
				blen = l.len;
				grp = f->vals[i].grp;
			}
		}
		if (blen < PF_MIN_LIT)
			return;
	}
	out->known = true;
	for (unsigned i = 0; i < f->nvals && out->known; i++) {
		struct core_str l;

		if ((f->all && f->vals[i].grp != grp) ||
		    (!f->all && f->vals[i].kind == DETECT_V_NONE))
			continue;
		l = value_lit(rs, &f->vals[i]);
		if (l.len < PF_MIN_LIT ||
		    !need_add(out, l, f->field.id == DETECT_F_KEYWORD))
			out->known = false;
	}
	/* Nothing but undefined placeholders: the field never matches, but
	 * the rule is simply tested (no literal to wait for). */
	if (out->known && out->n == 0)
		out->known = false;
	if (!out->known)
		need_free(out);
}

static void need_sel(struct detect_ruleset *rs, const struct detect_sel *s,
		     struct need *out)
{
	memset(out, 0, sizeof(*out));
	out->known = s->nalt > 0;
	for (unsigned a = 0; a < s->nalt && out->known; a++) {
		const struct detect_conj *cj = &s->alt[a];
		struct need best = { 0 };

		for (unsigned i = 0; i < cj->n; i++) {
			struct need c;

			need_fmatch(rs, &cj->f[i], &c);
			need_keep(&best, &c);
		}
		out->known = need_union(out, &best);
		need_free(&best);
	}
	if (!out->known)
		need_free(out);
}

static void need_cond(struct detect_ruleset *rs, const struct detect_rule *r,
		      const struct detect_cond *k, struct need *out)
{
	memset(out, 0, sizeof(*out));
	switch (k->op) {
	case DETECT_C_SEL:
		need_sel(rs, &r->sels[k->sel], out);
		return;
	case DETECT_C_AND:
		for (unsigned i = 0; i < k->n; i++) {
			struct need c;

			need_cond(rs, r, k->kid[i], &c);
			need_keep(out, &c);
		}
		return;
	case DETECT_C_OR:
	case DETECT_C_NOF:
		if (k->op == DETECT_C_NOF && k->k == 0)
			return;
		out->known = k->n > 0;
		for (unsigned i = 0; i < k->n && out->known; i++) {
			struct need c;

			need_cond(rs, r, k->kid[i], &c);
			out->known = need_union(out, &c);
			need_free(&c);
		}
		if (!out->known)
			need_free(out);
		return;
	default:
		return;
	}
}

/* ------------------------------------------------------------ building */

static int lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c | 0x20 : c;
}

/* Orders pairs by literal (ASCII case ignored; utf16 literals hold NULs,
 * so no string functions), then by rule. */
static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	size_t n = x->lit.len < y->lit.len ? x->lit.len : y->lit.len;

	if (x->kw != y->kw)
		return x->kw ? 1 : -1;
	for (size_t i = 0; i < n; i++) {
		int c = lower((unsigned char)x->lit.p[i]) -
			lower((unsigned char)y->lit.p[i]);

		if (c != 0)
			return c;
	}
	if (x->lit.len != y->lit.len)
		return x->lit.len < y->lit.len ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static bool same_lit(const struct pair *a, const struct pair *b)
{
	if (a->lit.len != b->lit.len || a->kw != b->kw)
		return false;
	for (size_t i = 0; i < a->lit.len; i++) {
		if (lower((unsigned char)a->lit.p[i]) !=
		    lower((unsigned char)b->lit.p[i]))
			return false;
	}
	return true;
}

struct pairs {
	struct pair *p;
	size_t n, cap;
};

/* Adds need nd of mark id as pairs (cut to PF_MAX_LIT); frees nd. */
static int add_need(struct pairs *ps, struct need *nd, uint32_t id)
{
	for (unsigned j = 0; nd->known && j < nd->n; j++) {
		struct pair *q;

		if (ps->n == ps->cap) {
			size_t nc = ps->cap ? ps->cap * 2 : 1024;

			q = realloc(ps->p, nc * sizeof(*q));
			if (q == NULL) {
				need_free(nd);
				return CORE_E_NOMEM;
			}
			ps->p = q;
			ps->cap = nc;
		}
		q = &ps->p[ps->n++];
		q->lit = nd->lit[j].s;
		q->kw = nd->lit[j].kw;
		if (q->lit.len > PF_MAX_LIT) {
			q->lit.p += q->lit.len - PF_MAX_LIT;
			q->lit.len = PF_MAX_LIT;
		}
		q->rule = id;
	}
	need_free(nd);
	return 0;
}

/*
 * Collects every plain rule's need, then every used log source's `when`
 * need, as (literal, mark id) pairs: rules take ids 0.., sources follow.
 */
static int collect(struct detect_ruleset *rs, struct detect_pf *pf,
		   struct pairs *ps)
{
	struct need nd;
	int rc = 0;

	for (unsigned i = 0; i < rs->nls && rc == 0; i++) {
		const struct detect_logsource *e = &rs->ls[i];

		for (unsigned k = 0; k < e->nrules && rc == 0; k++) {
			struct detect_rule *r = e->rules[k];

			r->pf_id = pf->nrules++;
			need_cond(rs, r, r->cond, &nd);
			r->pf_always = !nd.known;
			rs->ls[i].pf_lits += nd.known ? nd.n : 0;
			pf->nalways += r->pf_always;
			rc = add_need(ps, &nd, r->pf_id);
		}
	}
	pf->nmarks = pf->nrules;
	for (unsigned i = 0; i < rs->nls && rc == 0; i++) {
		struct detect_logsource *e = &rs->ls[i];

		e->pf_id = pf->nmarks++;
		e->pf_gate = rs->pf_forced || e->pf_lits >= DETECT_PF_GATE_LITS;
		need_sel(rs, &e->when, &nd);
		e->pf_always = !nd.known;
		rc = add_need(ps, &nd, e->pf_id);
	}
	return rc;
}

/* Groups sorted pairs by literal into pf->first/who; fills the arrays
 * handed to the compiler. */
static int group(struct detect_pf *pf, const struct pair *p, size_t n,
		 const char ***expr, size_t **lens, unsigned **ids)
{
	unsigned np = 0;

	pf->first = malloc((n + 1) * sizeof(*pf->first));
	pf->who = malloc((n ? n : 1) * sizeof(*pf->who));
	*expr = malloc((n ? n : 1) * sizeof(**expr));
	*lens = malloc((n ? n : 1) * sizeof(**lens));
	*ids = malloc((n ? n : 1) * sizeof(**ids));
	if (!pf->first || !pf->who || !*expr || !*lens || !*ids)
		return CORE_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || !same_lit(&p[i - 1], &p[i])) {
			pf->first[np] = (uint32_t)i;
			(*expr)[np] = p[i].lit.p;
			(*lens)[np] = p[i].lit.len;
			(*ids)[np] = np;
			pf->nfield += !p[i].kw;
			np++;
		}
		pf->who[i] = p[i].rule;
	}
	pf->first[np] = (uint32_t)n;
	pf->npat = np;
	return 0;
}

/* Compiles n literals (ids kept) into *db, mode a HS_MODE_...; grows
 * the shared scratch for it. */
static int compile_one(struct detect_pf *pf, const char **expr,
		       const size_t *lens, const unsigned *ids, unsigned n,
		       unsigned mode, hs_database_t **db,
		       struct core_error *err)
{
	hs_compile_error_t *ce = NULL;
	unsigned *flags;
	hs_error_t rc;

	if (n == 0)
		return 0;
	flags = malloc(n * sizeof(*flags));
	if (flags == NULL)
		return CORE_E_NOMEM;
	for (unsigned i = 0; i < n; i++)
		flags[i] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
	rc = hs_compile_lit_multi(expr, flags, ids, lens, n, mode, NULL, db,
				  &ce);
	free(flags);
	if (rc != HS_SUCCESS) {
		core_fail(err, CORE_E_UNSUPPORTED, NULL, 0,
			  "prefilter: cannot compile %u literals: %s", n,
			  ce && ce->message ? ce->message : "unknown error");
		hs_free_compile_error(ce);
		return CORE_E_UNSUPPORTED;
	}
	if (hs_alloc_scratch(*db, &pf->scratch) != HS_SUCCESS)
		return core_fail(err, CORE_E_NOMEM, NULL, 0,
				 "prefilter: no scratch space");
	return 0;
}

static int compile_db(struct detect_pf *pf, const char **expr,
		      const size_t *lens, const unsigned *ids,
		      struct core_error *err)
{
	unsigned nf = pf->nfield;
	int rc;

	rc = compile_one(pf, expr, lens, ids, nf, HS_MODE_VECTORED, &pf->db,
			 err);
	if (rc == 0)
		rc = compile_one(pf, expr + nf, lens + nf, ids + nf,
				 pf->npat - nf, HS_MODE_BLOCK, &pf->kdb, err);
	return rc;
}

int detect_pf_build(struct detect_ruleset *rs, struct core_error *err)
{
	struct detect_pf *pf = calloc(1, sizeof(*pf));
	struct pairs ps = { 0 };
	const char **expr = NULL;
	size_t *lens = NULL;
	unsigned *ids = NULL;
	int rc;

	if (pf == NULL)
		return CORE_E_NOMEM;
	rs->pf = pf;
	rc = collect(rs, pf, &ps);
	if (rc == 0) {
		if (ps.n > 0)
			qsort(ps.p, ps.n, sizeof(*ps.p), pair_cmp);
		rc = group(pf, ps.p, ps.n, &expr, &lens, &ids);
	}
	pf->mark = calloc(pf->nmarks ? pf->nmarks : 1, sizeof(*pf->mark));
	if (rc == 0 && pf->mark == NULL)
		rc = CORE_E_NOMEM;
	if (rc == 0 && pf->npat > 0)
		rc = compile_db(pf, expr, lens, ids, err);
	free(ps.p);
	free(expr);
	free(lens);
	free(ids);
	if (rc != 0) {
		detect_pf_free(rs);
		return rc;
	}
	return 0;
}

void detect_pf_free(struct detect_ruleset *rs)
{
	struct detect_pf *pf = rs->pf;

	if (pf == NULL)
		return;
	hs_free_scratch(pf->scratch);
	hs_free_database(pf->db);
	hs_free_database(pf->kdb);
	free(pf->first);
	free(pf->who);
	free(pf->mark);
	free(pf);
	rs->pf = NULL;
}

/* ------------------------------------------------------------ matching */

static int on_match(unsigned id, unsigned long long from,
		    unsigned long long to, unsigned flags, void *ctx)
{
	struct detect_pf *pf = ctx;

	(void)from;
	(void)to;
	(void)flags;
	for (uint32_t i = pf->first[id]; i < pf->first[id + 1]; i++)
		pf->mark[pf->who[i]] = pf->gen;
	return 0;
}

/* Field literals may lie in any field value; keyword literals only in
 * what a keyword search reads (detect_fref_get()): message, else raw. */
void detect_pf_scan(struct detect_ruleset *rs, const struct core_event *ev)
{
	static const struct detect_fref kw = { .id = DETECT_F_KEYWORD };
	struct detect_pf *pf = rs->pf;
	const char *data[CORE_EVENT_MAX_FIELDS];
	unsigned len[CORE_EVENT_MAX_FIELDS];
	const struct core_str *k;
	bool bad = false;
	unsigned n = 0;

	pf->gen++;
	for (unsigned i = 0; pf->db != NULL && i < ev->nfields; i++) {
		const struct core_str *v = &ev->fields[i].value;

		if (v->len == 0 || v->len > UINT32_MAX)
			continue;
		data[n] = v->p;
		len[n++] = (unsigned)v->len;
	}
	if (n > 0)
		bad = hs_scan_vector(pf->db, data, len, n, 0, pf->scratch,
				     on_match, pf) != HS_SUCCESS;
	k = pf->kdb != NULL ? detect_fref_get(ev, &kw) : NULL;
	if (k != NULL && k->len > 0 && k->len <= UINT32_MAX)
		bad |= hs_scan(pf->kdb, k->p, (unsigned)k->len, 0,
			       pf->scratch, on_match, pf) != HS_SUCCESS;
	/* A failed scan must not hide rules: make every rule a candidate. */
	for (unsigned i = 0; bad && i < pf->nmarks; i++)
		pf->mark[i] = pf->gen;
}

bool detect_pf_candidate(const struct detect_ruleset *rs,
			 const struct detect_rule *r)
{
	return r->pf_always || rs->pf->mark[r->pf_id] == rs->pf->gen;
}

struct detect_pf *detect_pf_clone(const struct detect_pf *pf)
{
	struct detect_pf *c;

	if (pf == NULL || (c = malloc(sizeof(*c))) == NULL)
		return NULL;
	*c = *pf;
	c->scratch = NULL;
	c->gen = 0;
	c->mark = calloc(pf->nmarks ? pf->nmarks : 1, sizeof(*c->mark));
	if (c->mark == NULL || (pf->scratch != NULL &&
				hs_clone_scratch(pf->scratch, &c->scratch) !=
				HS_SUCCESS)) {
		free(c->mark);
		free(c);
		return NULL;
	}
	return c;
}

void detect_pf_clone_free(struct detect_pf *pf)
{
	if (pf == NULL)
		return;
	hs_free_scratch(pf->scratch);
	free(pf->mark);
	free(pf);
}

bool detect_pf_source(const struct detect_ruleset *rs,
		      const struct detect_logsource *e)
{
	return e->pf_always || rs->pf->mark[e->pf_id] == rs->pf->gen;
}

void detect_pf_stats(const struct detect_ruleset *rs, unsigned *literals,
		     unsigned *always)
{
	*literals = rs->pf ? rs->pf->npat : 0;
	*always = rs->pf ? rs->pf->nalways : 0;
}
