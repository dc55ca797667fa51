/*
 * prefilter.c: one Vectorscan literal database over every plain rule, so
 * that an event is tested only against the rules it could match.
 *
 * For each rule the compiler derives *needs*: up to PF_MAX_CLAUSES sets
 * of literals (clauses) such that, if the rule's condition holds for an
 * event, each clause has a literal that occurs (ASCII case ignored) in
 * one of the event's field values, its message or its raw record.  A
 * rule is a candidate once all its clauses have been seen.  The
 * derivation follows the condition tree:
 *
 *   field matcher one clause, the union of its values' literals (|all:
 *                 one clause per rule value, the union of its
 *                 expansions); a negated matcher, or a value with no
 *                 literal (re, cidr, numbers, exists, null, fieldref, a
 *                 lone *) gives none;
 *   conjunction   the clauses of all its field matchers (all must hold);
 *   selection     one alternative: its clauses; several: one clause, the
 *                 union of each alternative's best clause;
 *   and           the clauses of all the children;
 *   or, N of      one child: its clauses; several: one clause, the union
 *                 of each child's best clause (N >= 1);
 *   not           none.
 *
 * "Best" prefers the set whose shortest literal is longest, then the
 * smaller set: long literals are rare in logs; the best PF_MAX_CLAUSES
 * clauses are kept, and of those only the ones without a literal under
 * PF_SHORT_LIT bytes when there is such a clause.  Literals under three
 * bytes count as no literal.  A rule with no clause stays a candidate
 * for every event.  Literals are taken from the compiled values (after
 * case folding, windash, base64, utf16 ... expansion), so a value's
 * literal is always a substring of any field value it matches.
 *
 * Each log source whose rules need many literals (pf_gate) has its own
 * two databases, so that an event is scanned only for the literals of
 * the sources it belongs to (a Security record is not scanned for the
 * eleven thousand of process creation): one of field literals, scanned
 * over the values of the fields some clause's literals come from, joined
 * into one buffer per event (one block scan costs far less than a
 * vectored scan of thirty short values, and GUIDs, times and ids are left
 * out; a literal found across two values only makes a rule a candidate in
 * vain), and one of keyword literals, scanned over what a keyword search
 * reads (message, else the raw record), so that long raw records (an
 * EVTX record's JSON rendering) are not scanned against every literal.
 * The rules of other sources are tested directly.
 * Each literal reports once per scan (HS_FLAG_SINGLEMATCH) and marks the
 * clauses holding it with the event's generation number; the rule whose
 * last clause is so marked gets its bit in the candidate bitmap, which
 * the matcher walks a log source's range of at a time (rules are
 * numbered by log source, then in index order).  Memory: the database,
 * one scratch per ruleset and the joining buffer (at most PF_MAX_BUF).
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

/* Clauses a rule keeps: each must be seen before the rule is tested. */
#define PF_MAX_CLAUSES 4

/* Clauses under construction, best kept; all are necessary. */
struct clauses {
	unsigned n;
	struct need c[PF_MAX_CLAUSES];
};

/* A gated log source's literals: its own two databases. */
struct pf_source {
	hs_database_t *db;	/* field literals, over the field values */
	hs_database_t *kdb;	/* keyword literals, over message or raw */
};

struct detect_pf {
	struct pf_source *src;	/* per log source (rs->nls) */
	unsigned nsrc;
	hs_scratch_t *scratch;	/* serves every database */
	unsigned npat;		/* patterns: (source, literal) pairs */
	unsigned ndb;		/* of which in a database (gated sources) */
	uint32_t *first;	/* pattern -> first index into who */
	uint32_t *who;		/* clause ids, grouped by pattern */
	uint32_t *crule;	/* clause -> rule id */
	uint32_t *rc0;		/* rule id -> its first clause */
	uint8_t *rnc;		/* rule id -> its clauses */
	uint64_t *always;	/* bitmap of the rules with no clause */
	uint64_t *cand;		/* bitmap of this scan's candidates */
	uint64_t *cmark;	/* clause -> generation it was seen in */
	uint64_t gen;
	unsigned nrules, nalways, nclauses, nwords;
	char *buf;		/* the field values joined, for one scan */
	size_t cap, nbuf;
	const struct core_str *kw;	/* what keyword literals scan */
	size_t kwoff;		/* kw copied to buf + kwoff, when kwready */
	bool kwready;
	bool bad;		/* the event cannot be scanned */
	/* The fields some clause's literals come from: known ids, and
	 * names in an open-addressed table of nslot (a power of two). */
	uint64_t ids[(CORE_F__COUNT + 63) / 64];
	struct core_str *names;
	unsigned nnames, nslot;
};

/* The scratch buffer's ceiling: a longer event is not scanned and every
 * rule stays a candidate. */
#define PF_MAX_BUF (64u << 20)

/*
 * Bytes of padding ('\n') after every scanned text.  Vectorscan 5.4.9
 * (Debian 12) can miss a literal that ends within the last few bytes of
 * a buffer longer than about 64 bytes when its database holds only two
 * or three literals ({abc, base} over 100 x's then "basey" finds
 * nothing); with 64 bytes of padding after the data no case missed.  A
 * match in the padding can only make a rule a candidate in vain.
 */
#define PF_PAD 64

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

/* Literals under this many bytes are kept only when a rule has no
 * longer clause (see cl_drop_short()). */
#define PF_SHORT_LIT 5

/*
 * A keyword literal weighs this many field literals in a log source's
 * gate (DETECT_PF_GATE_LITS): testing it reads the whole raw record (an
 * EVTX record's JSON rendering), testing a field literal one value.
 */
#define PF_KW_WEIGHT 16

/* A (literal, clause) pair before grouping, with the clause's source. */
struct pair {
	struct core_str lit;
	uint32_t rule;		/* the clause id */
	uint32_t src;
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

static void cl_free(struct clauses *cs)
{
	for (unsigned i = 0; i < cs->n; i++)
		need_free(&cs->c[i]);
	cs->n = 0;
}

/* Takes clause nd into cs (an unknown one is dropped); when cs is full,
 * the worst of them goes. */
static void cl_add(struct clauses *cs, struct need *nd)
{
	unsigned w = 0;

	if (!nd->known) {
		need_free(nd);
		return;
	}
	if (cs->n < PF_MAX_CLAUSES) {
		cs->c[cs->n++] = *nd;
		memset(nd, 0, sizeof(*nd));
		return;
	}
	for (unsigned i = 1; i < cs->n; i++) {
		if (need_better(&cs->c[w], &cs->c[i]))
			w = i;
	}
	if (need_better(nd, &cs->c[w])) {
		need_free(&cs->c[w]);
		cs->c[w] = *nd;
		memset(nd, 0, sizeof(*nd));
		return;
	}
	need_free(nd);
}

/*
 * Drops the clauses whose shortest literal is under PF_SHORT_LIT bytes
 * when another clause has none so short: "4624" or "cmd" occur at many
 * places of the values (ids, SIDs, paths) and make the scan confirm
 * there, while the longer clause alone already keeps the rule waiting.
 */
static void cl_drop_short(struct clauses *cs)
{
	unsigned k = 0;
	bool some_long = false;

	for (unsigned i = 0; i < cs->n; i++)
		some_long = some_long || need_minlen(&cs->c[i]) >= PF_SHORT_LIT;
	if (!some_long)
		return;
	for (unsigned i = 0; i < cs->n; i++) {
		if (need_minlen(&cs->c[i]) >= PF_SHORT_LIT)
			cs->c[k++] = cs->c[i];
		else
			need_free(&cs->c[i]);
	}
	cs->n = k;
}

/* Moves src's clauses into dst. */
static void cl_merge(struct clauses *dst, struct clauses *src)
{
	for (unsigned i = 0; i < src->n; i++)
		cl_add(dst, &src->c[i]);
	src->n = 0;
}

/* The index of cs's best clause (0 when it has none). */
static unsigned cl_best_at(const struct clauses *cs)
{
	unsigned b = 0;

	for (unsigned i = 1; i < cs->n; i++) {
		if (need_better(&cs->c[i], &cs->c[b]))
			b = i;
	}
	return b;
}

/* Moves cs's best clause into out (unknown when cs has none); frees cs. */
static void cl_best(struct clauses *cs, struct need *out)
{
	unsigned b = cl_best_at(cs);

	memset(out, 0, sizeof(*out));
	if (cs->n > 0) {
		*out = cs->c[b];
		memset(&cs->c[b], 0, sizeof(cs->c[b]));
	}
	cl_free(cs);
}

/* Puts name into the table of pf (which has room), by the hash an event
 * keeps of its field names. */
static void name_put(struct detect_pf *pf, struct core_str name)
{
	unsigned i = core_field_hash(name.p, name.len) & (pf->nslot - 1);

	while (pf->names[i].p != NULL) {
		if (core_str_eq(pf->names[i], name))
			return;
		i = (i + 1) & (pf->nslot - 1);
	}
	pf->names[i] = name;
	pf->nnames++;
}

/* Doubles the name table; false on no memory. */
static bool names_grow(struct detect_pf *pf)
{
	unsigned old = pf->nslot, n = old ? old * 2 : 64;
	struct core_str *prev = pf->names;

	pf->names = calloc(n, sizeof(*pf->names));
	if (pf->names == NULL) {
		pf->names = prev;
		return false;
	}
	pf->nslot = n;
	pf->nnames = 0;
	for (unsigned i = 0; i < old; i++) {
		if (prev[i].p != NULL)
			name_put(pf, prev[i]);
	}
	free(prev);
	return true;
}

/* Notes that clause literals come from field f or any of its alternates
 * (the value read may be any one's); false on no memory. */
static bool field_add(struct detect_pf *pf, const struct detect_fref *f)
{
	for (; f != NULL; f = f->or) {
		if (f->id == DETECT_F_KEYWORD)
			continue;
		if (f->id != CORE_F_NAMED) {
			if (f->id < CORE_F__COUNT)
				pf->ids[f->id / 64] |= 1ULL << (f->id % 64);
			continue;
		}
		if (f->name.len == 0)
			continue;
		if ((pf->nnames + 1) * 2 > pf->nslot && !names_grow(pf))
			return false;
		name_put(pf, f->name);
	}
	return true;
}

/* Is the event field e one that clause literals come from? */
static bool field_scanned(const struct detect_pf *pf,
			  const struct core_field *e)
{
	unsigned i;

	if (e->id != CORE_F_NAMED)
		return e->id < CORE_F__COUNT &&
		       (pf->ids[e->id / 64] >> (e->id % 64) & 1);
	if (pf->nslot == 0 || e->name.len == 0)
		return false;
	i = e->hash & (pf->nslot - 1);
	while (pf->names[i].p != NULL) {
		if (core_str_eq(pf->names[i], e->name))
			return true;
		i = (i + 1) & (pf->nslot - 1);
	}
	return false;
}

/* The clause of the values of f in group grp (any group when all is
 * false); unknown when one has no literal. */
static void need_vals(struct detect_ruleset *rs,
		      const struct detect_fmatch *f, bool all, uint16_t grp,
		      struct need *out)
{
	memset(out, 0, sizeof(*out));
	out->known = true;
	for (unsigned i = 0; i < f->nvals && out->known; i++) {
		struct core_str l;

		if ((all && f->vals[i].grp != grp) ||
		    (!all && f->vals[i].kind == DETECT_V_NONE))
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
	/* The scan reads only the fields literals come from (no memory to
	 * note the field: no clause). */
	if (out->known && !field_add(rs->pf, &f->field))
		out->known = false;
	if (!out->known)
		need_free(out);
}

/* |all: every rule value must match, so each value's expansions give a
 * clause of their own. */
static void need_fmatch(struct detect_ruleset *rs,
			const struct detect_fmatch *f, struct clauses *out)
{
	struct need nd;

	out->n = 0;
	if (f->neg || f->nvals == 0)
		return;
	if (!f->all) {
		need_vals(rs, f, false, 0, &nd);
		cl_add(out, &nd);
		return;
	}
	for (unsigned i = 0; i < f->nvals; i++) {
		if (i > 0 && f->vals[i].grp == f->vals[i - 1].grp)
			continue;
		need_vals(rs, f, true, f->vals[i].grp, &nd);
		cl_add(out, &nd);
	}
}

static void need_conj(struct detect_ruleset *rs, const struct detect_conj *cj,
		      struct clauses *out)
{
	out->n = 0;
	for (unsigned i = 0; i < cj->n; i++) {
		struct clauses c;

		need_fmatch(rs, &cj->f[i], &c);
		cl_merge(out, &c);
	}
}

static void need_sel(struct detect_ruleset *rs, const struct detect_sel *s,
		     struct clauses *out)
{
	struct need u = { .known = s->nalt > 0 };

	out->n = 0;
	if (s->nalt == 1) {
		need_conj(rs, &s->alt[0], out);
		return;
	}
	for (unsigned a = 0; a < s->nalt && u.known; a++) {
		struct clauses c;
		struct need best;

		need_conj(rs, &s->alt[a], &c);
		cl_best(&c, &best);
		u.known = need_union(&u, &best);
		need_free(&best);
	}
	cl_add(out, &u);
}

static void need_cond(struct detect_ruleset *rs, const struct detect_rule *r,
		      const struct detect_cond *k, struct clauses *out)
{
	struct need u = { .known = k->n > 0 };

	out->n = 0;
	switch (k->op) {
	case DETECT_C_SEL:
		need_sel(rs, &r->sels[k->sel], out);
		return;
	case DETECT_C_AND:
		for (unsigned i = 0; i < k->n; i++) {
			struct clauses c;

			need_cond(rs, r, k->kid[i], &c);
			cl_merge(out, &c);
		}
		return;
	case DETECT_C_OR:
	case DETECT_C_NOF:
		if (k->op == DETECT_C_NOF && k->k == 0)
			return;
		if (k->n == 1) {
			need_cond(rs, r, k->kid[0], out);
			return;
		}
		for (unsigned i = 0; i < k->n && u.known; i++) {
			struct clauses c;
			struct need best;

			need_cond(rs, r, k->kid[i], &c);
			cl_best(&c, &best);
			u.known = need_union(&u, &best);
			need_free(&best);
		}
		cl_add(out, &u);
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

/* Orders pairs by source, field before keyword, literal (ASCII case
 * ignored; utf16 literals hold NULs, so no string functions), clause. */
static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	size_t n = x->lit.len < y->lit.len ? x->lit.len : y->lit.len;

	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
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
	if (a->lit.len != b->lit.len || a->kw != b->kw || a->src != b->src)
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

/* Adds need nd of clause id of source src as pairs (cut to PF_MAX_LIT);
 * frees nd. */
static int add_need(struct pairs *ps, struct need *nd, uint32_t id,
		    uint32_t src)
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
		q->src = src;
	}
	need_free(nd);
	return 0;
}

/* Room for one more rule's clauses in pf's clause -> rule arrays. */
static int grow_clauses(struct detect_pf *pf, unsigned *cap, unsigned more)
{
	uint32_t *n;

	if (pf->nclauses + more <= *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 1024;
	if (*cap < pf->nclauses + more)
		*cap = pf->nclauses + more;
	n = realloc(pf->crule, *cap * sizeof(*n));
	if (n == NULL)
		return CORE_E_NOMEM;
	pf->crule = n;
	return 0;
}

/* Allocates the per-rule arrays and bitmaps once rules are counted. */
static int alloc_rules(struct detect_pf *pf, unsigned nrules)
{
	pf->nwords = (nrules + 63) / 64;
	pf->rc0 = calloc(nrules ? nrules : 1, sizeof(*pf->rc0));
	pf->rnc = calloc(nrules ? nrules : 1, sizeof(*pf->rnc));
	pf->always = calloc(pf->nwords ? pf->nwords : 1, sizeof(uint64_t));
	pf->cand = calloc(pf->nwords ? pf->nwords : 1, sizeof(uint64_t));
	if (!pf->rc0 || !pf->rnc || !pf->always || !pf->cand)
		return CORE_E_NOMEM;
	return 0;
}

/* One rule's clauses become clause ids and (literal, clause) pairs. */
static int add_rule(struct detect_ruleset *rs, struct detect_pf *pf,
		    struct detect_rule *r, struct pairs *ps, unsigned *cap,
		    unsigned src)
{
	unsigned *lits = &rs->ls[src].pf_lits;
	struct clauses cs;
	int rc = 0;

	need_cond(rs, r, r->cond, &cs);
	cl_drop_short(&cs);
	r->pf_always = cs.n == 0;
	pf->nalways += r->pf_always;
	if (r->pf_always)
		pf->always[r->pf_id / 64] |= 1ULL << (r->pf_id % 64);
	pf->rc0[r->pf_id] = pf->nclauses;
	pf->rnc[r->pf_id] = (uint8_t)cs.n;
	rc = grow_clauses(pf, cap, cs.n);
	/* The gate weighs the literals of the best clause alone. */
	if (cs.n > 0) {
		const struct need *b = &cs.c[cl_best_at(&cs)];

		for (unsigned j = 0; j < b->n; j++)
			*lits += b->lit[j].kw ? PF_KW_WEIGHT : 1;
	}
	for (unsigned i = 0; i < cs.n; i++) {
		if (rc == 0) {
			pf->crule[pf->nclauses] = r->pf_id;
			rc = add_need(ps, &cs.c[i], pf->nclauses++, src);
		}
	}
	cl_free(&cs);	/* what add_need() has not taken */
	return rc;
}

/*
 * Collects every plain rule's clauses as (literal, clause id) pairs.
 * Rules are numbered in log source order, then index order, so a source's
 * rules are one range of the candidate bitmap.
 */
static int collect(struct detect_ruleset *rs, struct detect_pf *pf,
		   struct pairs *ps)
{
	unsigned cap = 0, n = 0;
	int rc;

	for (unsigned i = 0; i < rs->nls; i++)
		n += rs->ls[i].nrules;
	rc = alloc_rules(pf, n);
	for (unsigned i = 0; i < rs->nls && rc == 0; i++) {
		struct detect_logsource *e = &rs->ls[i];

		e->pf_first = pf->nrules;
		e->pf_lits = 0;
		for (unsigned k = 0; k < e->nrules && rc == 0; k++) {
			e->rules[k]->pf_id = pf->nrules++;
			rc = add_rule(rs, pf, e->rules[k], ps, &cap, i);
		}
		e->pf_gate = rs->pf_forced || e->pf_lits >= DETECT_PF_GATE_LITS;
	}
	return rc;
}

/* Groups sorted pairs by (source, literal) into pf->first/who; fills the
 * arrays handed to the compiler. */
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
			np++;
		}
		pf->who[i] = p[i].rule;
	}
	pf->first[np] = (uint32_t)n;
	pf->npat = np;
	return 0;
}

/* Compiles n literals (ids kept) into *db (block mode); grows the shared
 * scratch for it. */
static int compile_one(struct detect_pf *pf, const char **expr,
		       const size_t *lens, const unsigned *ids, unsigned n,
		       hs_database_t **db, struct core_error *err)
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
	rc = hs_compile_lit_multi(expr, flags, ids, lens, n, HS_MODE_BLOCK,
				  NULL, db, &ce);
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

/*
 * One field and one keyword database per gated source, over its patterns
 * (a range of the sorted pairs: field ones, then keyword ones).  A source
 * tested directly gets none.
 */
static int compile_db(struct detect_ruleset *rs, struct detect_pf *pf,
		      const struct pair *p, const char **expr,
		      const size_t *lens, const unsigned *ids,
		      struct core_error *err)
{
	unsigned at = 0;
	int rc = 0;

	while (at < pf->npat && rc == 0) {
		uint32_t src = p[pf->first[at]].src;
		unsigned kw = at, end;
		struct pf_source *ps = &pf->src[src];

		while (kw < pf->npat && p[pf->first[kw]].src == src &&
		       !p[pf->first[kw]].kw)
			kw++;
		for (end = kw; end < pf->npat && p[pf->first[end]].src == src;
		     end++)
			;
		if (rs->ls[src].pf_gate) {
			pf->ndb += end - at;
			rc = compile_one(pf, expr + at, lens + at, ids + at,
					 kw - at, &ps->db, err);
			if (rc == 0)
				rc = compile_one(pf, expr + kw, lens + kw,
						 ids + kw, end - kw, &ps->kdb,
						 err);
		}
		at = end;
	}
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
	pf->nsrc = rs->nls;
	pf->src = calloc(rs->nls ? rs->nls : 1, sizeof(*pf->src));
	rc = pf->src == NULL ? CORE_E_NOMEM : collect(rs, pf, &ps);
	if (rc == 0) {
		if (ps.n > 0)
			qsort(ps.p, ps.n, sizeof(*ps.p), pair_cmp);
		rc = group(pf, ps.p, ps.n, &expr, &lens, &ids);
	}
	pf->cmark = calloc(pf->nclauses ? pf->nclauses : 1,
			   sizeof(*pf->cmark));
	if (rc == 0 && pf->cmark == NULL)
		rc = CORE_E_NOMEM;
	if (rc == 0 && pf->npat > 0)
		rc = compile_db(rs, pf, ps.p, expr, lens, ids, err);
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
	for (unsigned i = 0; pf->src != NULL && i < pf->nsrc; i++) {
		hs_free_database(pf->src[i].db);
		hs_free_database(pf->src[i].kdb);
	}
	free(pf->src);
	free(pf->first);
	free(pf->who);
	free(pf->crule);
	free(pf->rc0);
	free(pf->rnc);
	free(pf->always);
	free(pf->cand);
	free(pf->cmark);
	free(pf->buf);
	free(pf->names);
	free(pf);
	rs->pf = NULL;
}

/* ------------------------------------------------------------ matching */

/* A literal seen: its clauses are marked, and the rule whose clauses
 * are now all marked becomes a candidate. */
static int on_match(unsigned id, unsigned long long from,
		    unsigned long long to, unsigned flags, void *ctx)
{
	struct detect_pf *pf = ctx;

	(void)from;
	(void)to;
	(void)flags;
	for (uint32_t i = pf->first[id]; i < pf->first[id + 1]; i++) {
		uint32_t c = pf->who[i], r;
		unsigned k;

		if (pf->cmark[c] == pf->gen)
			continue;
		pf->cmark[c] = pf->gen;
		r = pf->crule[c];
		for (k = 0; k < pf->rnc[r] &&
		     pf->cmark[pf->rc0[r] + k] == pf->gen; k++)
			;
		if (k == pf->rnc[r])
			pf->cand[r / 64] |= 1ULL << (r % 64);
	}
	return 0;
}

/* Grows the scratch buffer to n bytes; false past PF_MAX_BUF or on no
 * memory. */
static bool buf_room(struct detect_pf *pf, size_t n)
{
	char *nb;
	size_t nc;

	if (n <= pf->cap)
		return true;
	if (n > PF_MAX_BUF)
		return false;
	nc = n < 4096 ? 4096 : n * 2;
	nc = nc > PF_MAX_BUF ? PF_MAX_BUF : nc;
	nb = realloc(pf->buf, nc);
	if (nb == NULL)
		return false;
	pf->buf = nb;
	pf->cap = nc;
	return true;
}

/*
 * Field literals may lie in the values of the fields they come from:
 * those are joined by newlines into one buffer, once per event, and each
 * gated source's database scans it in one call (a literal found across
 * two values only makes a rule a candidate in vain).  Keyword literals
 * lie in what a keyword search reads (detect_fref_get()): message, else
 * raw.
 */
void detect_pf_begin(struct detect_ruleset *rs, const struct core_event *ev)
{
	static const struct detect_fref kw = { .id = DETECT_F_KEYWORD };
	struct detect_pf *pf = rs->pf;
	size_t n = 0;

	pf->gen++;
	pf->bad = false;
	memset(pf->cand, 0, pf->nwords * sizeof(*pf->cand));
	for (unsigned i = 0; i < ev->nfields && !pf->bad; i++) {
		const struct core_str *v = &ev->fields[i].value;

		if (v->len == 0 || !field_scanned(pf, &ev->fields[i]))
			continue;
		pf->bad = !buf_room(pf, n + v->len + 1);
		if (pf->bad)
			break;
		memcpy(pf->buf + n, v->p, v->len);
		n += v->len;
		pf->buf[n++] = '\n';
	}
	if (!pf->bad && n > 0) {
		pf->bad = !buf_room(pf, n + PF_PAD);
		if (!pf->bad)
			memset(pf->buf + n, '\n', PF_PAD);
	}
	pf->nbuf = n;
	pf->kw = detect_fref_get(ev, &kw);
	pf->kwready = false;
	/* A failed scan must not hide rules: make every rule a candidate. */
	if (pf->bad || n > UINT32_MAX ||
	    (pf->kw != NULL && pf->kw->len > UINT32_MAX))
		memset(pf->cand, 0xff, pf->nwords * sizeof(*pf->cand));
}

void detect_pf_scan(struct detect_ruleset *rs,
		    const struct detect_logsource *e)
{
	struct detect_pf *pf = rs->pf;
	const struct pf_source *ps = &pf->src[e - rs->ls];
	const struct core_str *k = pf->kw;
	bool bad = false;

	if (pf->bad)
		return;
	if (ps->db != NULL && pf->nbuf > 0 &&
	    pf->nbuf + PF_PAD <= UINT32_MAX)
		bad = hs_scan(ps->db, pf->buf, (unsigned)(pf->nbuf + PF_PAD),
			      0, pf->scratch, on_match, pf) != HS_SUCCESS;
	if (ps->kdb != NULL && k != NULL && k->len > 0 &&
	    k->len + PF_PAD <= UINT32_MAX) {
		/* The keyword text, padded too, after the field block. */
		if (!pf->kwready) {
			pf->kwoff = pf->nbuf + PF_PAD;
			pf->kwready = buf_room(pf, pf->kwoff + k->len +
					       PF_PAD);
			if (pf->kwready) {
				memcpy(pf->buf + pf->kwoff, k->p, k->len);
				memset(pf->buf + pf->kwoff + k->len, '\n',
				       PF_PAD);
			}
		}
		bad |= !pf->kwready ||
		       hs_scan(ps->kdb, pf->buf + pf->kwoff,
			       (unsigned)(k->len + PF_PAD), 0, pf->scratch,
			       on_match, pf) != HS_SUCCESS;
	}
	if (bad)
		memset(pf->cand, 0xff, pf->nwords * sizeof(*pf->cand));
}

uint32_t detect_pf_next(const struct detect_ruleset *rs, uint32_t from,
			uint32_t end)
{
	const struct detect_pf *pf = rs->pf;

	while (from < end) {
		unsigned w = from / 64;
		uint64_t bits = (pf->cand[w] | pf->always[w]) >> (from % 64);

		if (bits != 0) {
			from += (uint32_t)__builtin_ctzll(bits);
			return from < end ? from : end;
		}
		from = (w + 1) * 64;
	}
	return end;
}

struct detect_pf *detect_pf_clone(const struct detect_pf *pf)
{
	struct detect_pf *c;

	if (pf == NULL || (c = malloc(sizeof(*c))) == NULL)
		return NULL;
	*c = *pf;
	c->scratch = NULL;
	c->gen = 0;
	c->buf = NULL;
	c->cap = 0;
	c->cmark = calloc(pf->nclauses ? pf->nclauses : 1, sizeof(*c->cmark));
	c->cand = calloc(pf->nwords ? pf->nwords : 1, sizeof(*c->cand));
	if (c->cmark == NULL || c->cand == NULL ||
	    (pf->scratch != NULL &&
	     hs_clone_scratch(pf->scratch, &c->scratch) != HS_SUCCESS)) {
		free(c->cmark);
		free(c->cand);
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
	free(pf->cmark);
	free(pf->cand);
	free(pf->buf);
	free(pf);
}

void detect_pf_stats(const struct detect_ruleset *rs, unsigned *literals,
		     unsigned *always)
{
	*literals = rs->pf ? rs->pf->ndb : 0;
	*always = rs->pf ? rs->pf->nalways : 0;
}
