/*
 * prefilter.c: one Vectorscan literal database per busy log source, and a
 * table of exact field values, so that an event is tested only against
 * the rules it could match.
 *
 * For each rule the compiler derives *needs*: up to PF_MAX_CLAUSES sets
 * of literals (clauses) such that, if the rule's condition holds for an
 * event, each clause has a literal the event shows.  A literal is one of:
 *
 *   field literal   a substring (ASCII case ignored) of the value of its
 *                   field or one of its alternates (contains, startswith,
 *                   endswith, a glob's longest plain run, a regular
 *                   expression's required literal);
 *   exact value     the whole value of its field (a plain value with no
 *                   wildcard: `EventID: 4688`), found by a table lookup
 *                   whatever its length;
 *   keyword literal a substring of what a keyword search reads (message,
 *                   else the raw record).
 *
 * A rule is a candidate once all its clauses have been seen.  The
 * derivation follows the condition tree:
 *
 *   field matcher one clause, the union of its values' literals (|all:
 *                 one clause per rule value, the union of its
 *                 expansions); a negated matcher, or a value with no
 *                 literal (cidr, numbers, exists, null, fieldref, a lone
 *                 *, a regular expression with no required literal)
 *                 gives none;
 *   conjunction   the clauses of all its field matchers (all must hold);
 *   and           the clauses of all the children;
 *   selection of several alternatives, or, N of
 *                 one child: its clauses; several: for each clause of
 *                 each child, that clause joined with the best clause of
 *                 every other child (cl_or());
 *   not           none.
 *
 * "Best" prefers the set whose shortest literal is longest (an exact
 * value ranks as PF_EQ_RANK bytes at least), then the smaller set: long
 * literals are rare in logs; the best PF_MAX_CLAUSES clauses are kept,
 * and of those only the ones without a literal under PF_SHORT_LIT bytes
 * when there is such a clause.  Substrings under three bytes count as no
 * literal (two will do when both are non-ASCII).  A rule with no clause
 * stays a candidate for every event.  Literals are taken from the
 * compiled values (after case folding, windash, base64, utf16 ...
 * expansion), so a value's literal is always in any field value it
 * matches.
 *
 * Each log source whose rules need many literals (pf_gate) has its own
 * two databases, so that an event is scanned only for the literals of
 * the sources it belongs to (a Security record is not scanned for the
 * eleven thousand of process creation): one of field literals, scanned
 * over the values of the fields its literals come from, joined into one
 * buffer per event (one block scan costs far less than a vectored scan
 * of thirty short values; GUIDs, times and ids are left out), and one of
 * keyword literals, scanned over the keyword text (kw_ready()).  A field
 * literal reports every place it is found, and counts only when that
 * place lies in the value of one of its own fields (each scanned field
 * has a bit; each (literal, clause) pair the mask of its fields).  A
 * keyword literal reports once per scan and counts anywhere.  Exact
 * values are looked up, in every source, gated or not: the value of
 * each field some rule compares whole, when its length is one sought.
 * The rules of a source that is not gated keep only their clauses of
 * exact values.  A find marks the clauses it counts for with the event's
 * generation and counts the rule's clauses seen; the rule whose last
 * clause is so marked gets its bit in the candidate bitmap, which the
 * matcher walks a log source's range of at a time (rules are numbered
 * by log source, then in index order).  Memory: the databases, the
 * exact-value table, one scratch per ruleset and the joining buffer (at
 * most PF_MAX_BUF).
 *
 * Each database numbers its patterns from 0 (its source's base added
 * back when a match is marked), so that its compile inputs depend on its
 * own literals only: with a cache (detect_ruleset_set_cache(),
 * pfcache.c) a database whose inputs were compiled before is read back
 * instead of compiled, and editing one rule recompiles its source only.
 */
#include "detect/detect_int.h"

#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>

/* A need under construction: literals (pointers into rule values). */
struct nlit {
	struct core_str s;
	bool kw;		/* from a keyword: sought in message or raw */
	/* Set: not a substring but the whole value of this field (or of an
	 * alternate), ASCII case ignored, found by a table lookup. */
	const struct detect_fref *eq;
	/* A field literal's field (and alternates): a scan's match counts
	 * only in their values. */
	const struct detect_fref *in;
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

/* A field some clause's literals come from: scanned, and/or holding
 * whole values looked up (eqlens: a bit per length of those values, so
 * that a value of no such length is not looked up). */
struct pf_field {
	struct core_str name;
	bool scan;
	uint8_t bit;		/* scanned: its bit in a literal's field mask */
	uint64_t eqlens[4];
};

/* An exact value's slot: the hash of its field and folded value, and its
 * pattern (an index into first, after the Vectorscan ones). */
struct pf_eq {
	uint64_t key;		/* 0: empty */
	uint32_t pat;
};

/* One clause a pattern counts for: the clause, its rule, and the fields
 * (bits) a scan's match counts in. */
struct pf_who {
	uint32_t clause, rule;
	uint64_t mask;
};

/* A rule's clauses seen in generation gen. */
struct pf_rstate {
	uint32_t gen, seen;
};

/* A gated log source's literals: its own two databases.  Each numbers
 * its patterns from 0 (so that an edit elsewhere leaves its compile
 * inputs, and its cache key, as they were); base is the first one's
 * pattern id. */
struct pf_source {
	hs_database_t *db;	/* field literals, over the field values */
	hs_database_t *kdb;	/* keyword literals, over message or raw */
	uint32_t base, kbase;	/* db's and kdb's first pattern ids */
	uint64_t fields;	/* the fields db's literals come from (bits) */
};

struct detect_pf {
	struct pf_source *src;	/* per log source (rs->nls) */
	unsigned nsrc;
	hs_scratch_t *scratch;	/* serves every database */
	unsigned npat;		/* patterns: (source, literal) pairs */
	unsigned ndb;		/* of which in a database (gated sources) */
	uint32_t idbase;	/* the scanned database's base */
	struct detect_pfc *cache;	/* while compiling, when on */
	unsigned ndbs, ncached, nstored;	/* databases: all, read, kept */
	unsigned neq;		/* exact patterns, numbered from npat on */
	struct pf_eq *eqtab;	/* open-addressed, neqslot (a power of 2) */
	unsigned neqslot;
	uint32_t *first;	/* pattern -> first index into who */
	struct pf_who *who;	/* grouped by pattern */
	unsigned nbits;		/* scanned fields given a bit so far */
	uint8_t *rnc;		/* rule id -> its clauses */
	uint64_t *always;	/* bitmap of the rules with no clause */
	uint64_t *cand;		/* bitmap of this scan's candidates */
	uint32_t *cmark;	/* clause -> generation it was seen in */
	struct pf_rstate *rstate;	/* per rule id */
	uint32_t gen;		/* the event's; 0 never is */
	unsigned nrules, nalways, nclauses, nwords;
	char *buf;		/* the field values joined, for one scan */
	size_t cap, nbuf;
	const struct core_event *ev;	/* the event begun */
	uint16_t scan[CORE_EVENT_MAX_FIELDS];	/* its fields to scan */
	/* The joined buffer: where each scanned value's separator lies, and
	 * its field's bit. */
	uint32_t seg_end[CORE_EVENT_MAX_FIELDS];
	uint8_t seg_bit[CORE_EVENT_MAX_FIELDS];
	unsigned nscan;
	bool joined;		/* buf holds them (first scan of the event) */
	size_t kwoff, kwlen;	/* the keyword text in buf, when kwready */
	bool kwready;
	bool bad;		/* the event cannot be scanned */
	/* The fields some clause's literals come from: known ids, and
	 * names in an open-addressed table of nslot (a power of two). */
	struct pf_field ids[CORE_F__COUNT];
	struct pf_field *names;
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
 * nothing, so another conjunct's longer literal is used instead.  One
 * byte shorter will do when every byte is non-ASCII: a Cyrillic or
 * Greek letter (two bytes of UTF-8) is rare in logs.
 */
#define PF_MIN_LIT 3

static bool lit_short(struct core_str l)
{
	if (l.len + 1 != PF_MIN_LIT)
		return l.len < PF_MIN_LIT;
	for (size_t i = 0; i < l.len; i++) {
		if ((unsigned char)l.p[i] < 0x80)
			return true;
	}
	return false;
}

/* Literals under this many bytes are kept only when a rule has no
 * longer clause (see cl_drop_short()). */
#define PF_SHORT_LIT 5

/*
 * A value a field must equal (plain, no wildcard: `EventID: 4688`,
 * `OriginalFileName: whoami.exe`) is a literal of its own kind, found
 * by looking the field's value up in a table rather than by the scan:
 * a lookup costs the same whatever the length, so an event id of two
 * digits is as good a need as a long path.  Longer values than this are
 * sought as substrings (their last PF_MAX_LIT bytes).  Ranked among the
 * other literals as if PF_EQ_RANK bytes long, or longer when they are:
 * better than a short substring, not better than a long one.
 */
#define PF_EQ_MAX 255
#define PF_EQ_RANK PF_SHORT_LIT

/*
 * A keyword literal weighs this many field literals in a log source's
 * gate (DETECT_PF_GATE_LITS): testing it reads the whole raw record (an
 * EVTX record's JSON rendering), testing a field literal one value.
 */
#define PF_KW_WEIGHT 16

/* A (literal, clause) pair before grouping, with the clause's source. */
struct pair {
	struct core_str lit;
	uint32_t clause, rule;	/* the clause id, and its rule's */
	uint32_t src;
	bool kw;
	uint64_t mask;		/* the fields it counts in */
};

/* An (exact value, clause) pair: eq_key() of the field and value. */
struct xpair {
	uint64_t key;
	uint32_t clause, rule;
};

/* -------------------------------------------------------------- needs */

static void need_free(struct need *n)
{
	free(n->lit);
	memset(n, 0, sizeof(*n));
}

static bool need_add(struct need *n, struct core_str l, bool kw,
		     const struct detect_fref *eq, const struct detect_fref *in)
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
	n->lit[n->n].kw = kw;
	n->lit[n->n].in = in;
	n->lit[n->n++].eq = eq;
	return true;
}

/* Appends src's literals to dst; false (dst unknown) when src is. */
static bool need_union(struct need *dst, const struct need *src)
{
	if (!src->known)
		return false;
	for (unsigned i = 0; i < src->n; i++) {
		if (!need_add(dst, src->lit[i].s, src->lit[i].kw,
			      src->lit[i].eq, src->lit[i].in))
			return false;
	}
	return true;
}

/* A literal's length as need_better() ranks it. */
static size_t lit_rank(const struct nlit *l)
{
	if (l->eq != NULL)
		return l->s.len > PF_EQ_RANK ? l->s.len : PF_EQ_RANK;
	return l->s.len;
}

static size_t need_minlen(const struct need *n)
{
	size_t m = SIZE_MAX;

	for (unsigned i = 0; i < n->n; i++)
		m = lit_rank(&n->lit[i]) < m ? lit_rank(&n->lit[i]) : m;
	return m;
}

/* Has n a literal the scan must find (not only exact values)? */
static bool need_scanned(const struct need *n)
{
	for (unsigned i = 0; i < n->n; i++) {
		if (n->lit[i].eq == NULL)
			return true;
	}
	return false;
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
	case DETECT_V_RE:	/* its required literal, if any */
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

/*
 * The longest run of l with no quote, backslash, control or non-ASCII
 * byte: what a keyword literal is sought as, so that it lies whole in
 * one name or value of a JSON rendering and outside its escapes (see
 * kw_ready()).
 */
static struct core_str plain_run(struct core_str l)
{
	size_t best = 0, blen = 0, run = 0;

	if (l.len == 0)
		return l;
	for (size_t i = 0; i <= l.len; i++) {
		unsigned char c = i < l.len ? (unsigned char)l.p[i] : 0;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			run++;
			continue;
		}
		if (run > blen) {
			blen = run;
			best = i - run;
		}
		run = 0;
	}
	return core_str_make(l.p + best, blen);
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

/* name's entry in the table of pf (which has room), added when absent;
 * placed by the hash an event keeps of its field names. */
static struct pf_field *name_put(struct detect_pf *pf, struct core_str name)
{
	unsigned i = core_field_hash(name.p, name.len) & (pf->nslot - 1);

	while (pf->names[i].name.p != NULL) {
		if (core_str_eq(pf->names[i].name, name))
			return &pf->names[i];
		i = (i + 1) & (pf->nslot - 1);
	}
	pf->names[i].name = name;
	pf->nnames++;
	return &pf->names[i];
}

/* Doubles the name table; false on no memory. */
static bool names_grow(struct detect_pf *pf)
{
	unsigned old = pf->nslot, n = old ? old * 2 : 64;
	struct pf_field *prev = pf->names;

	pf->names = calloc(n, sizeof(*pf->names));
	if (pf->names == NULL) {
		pf->names = prev;
		return false;
	}
	pf->nslot = n;
	pf->nnames = 0;
	for (unsigned i = 0; i < old; i++) {
		if (prev[i].name.p != NULL)
			*name_put(pf, prev[i].name) = prev[i];
	}
	free(prev);
	return true;
}

/*
 * Notes that clause literals come from field f or any of its alternates
 * (the value read may be any one's): scanned ones when scan is true,
 * whole values of the lengths in eqlens.  False on no memory.
 */
static bool field_add(struct detect_pf *pf, const struct detect_fref *f,
		      bool scan, const uint64_t eqlens[4])
{
	for (; f != NULL; f = f->or) {
		struct pf_field *e;

		if (f->id == DETECT_F_KEYWORD)
			continue;
		if (f->id != CORE_F_NAMED) {
			if (f->id >= CORE_F__COUNT)
				continue;
			e = &pf->ids[f->id];
		} else {
			if (f->name.len == 0)
				continue;
			if ((pf->nnames + 1) * 2 > pf->nslot &&
			    !names_grow(pf))
				return false;
			e = name_put(pf, f->name);
		}
		if (scan && !e->scan) {
			/* Fields past the 63rd share the last bit. */
			e->bit = (uint8_t)CORE_MIN(pf->nbits, 63u);
			pf->nbits++;
		}
		e->scan = e->scan || scan;
		for (unsigned k = 0; k < 4; k++)
			e->eqlens[k] |= eqlens[k];
	}
	return true;
}

/* The entry of field id (or, named, of name with that hash), or NULL
 * when no literal comes from it. */
static const struct pf_field *entry(const struct detect_pf *pf,
				    uint16_t id, struct core_str name,
				    uint32_t hash)
{
	unsigned i;

	if (id != CORE_F_NAMED)
		return id < CORE_F__COUNT ? &pf->ids[id] : NULL;
	if (pf->nslot == 0 || name.len == 0)
		return NULL;
	for (i = hash & (pf->nslot - 1); pf->names[i].name.p != NULL;
	     i = (i + 1) & (pf->nslot - 1)) {
		if (core_str_eq(pf->names[i].name, name))
			return &pf->names[i];
	}
	return NULL;
}

/* The entry of event field e, by the hash it carries. */
static const struct pf_field *field_of(const struct detect_pf *pf,
				       const struct core_field *e)
{
	return entry(pf, e->id, e->name, e->hash);
}

/* The bits of the scanned fields f and its alternates name: where a
 * match of one of its literals counts (all, for a keyword). */
static uint64_t fref_mask(const struct detect_pf *pf,
			  const struct detect_fref *f)
{
	uint64_t m = 0;

	if (f == NULL)
		return ~0ULL;
	for (; f != NULL; f = f->or) {
		const struct pf_field *e = entry(pf, f->id, f->name,
			core_field_hash(f->name.p, f->name.len));

		if (e != NULL && e->scan)
			m |= 1ULL << e->bit;
	}
	return m;
}

/* Can a value of f be looked up whole: is each of its fields an event
 * field (not keywords, not a name no event has)? */
static bool fref_eq_ok(const struct detect_fref *f)
{
	for (; f != NULL; f = f->or) {
		if (f->id == DETECT_F_KEYWORD ||
		    (f->id == CORE_F_NAMED && f->name.len == 0) ||
		    (f->id != CORE_F_NAMED && f->id >= CORE_F__COUNT))
			return false;
	}
	return true;
}

/* The clause of the values of f in group grp (any group when all is
 * false); unknown when one has no literal. */
static void need_vals(struct detect_ruleset *rs,
		      const struct detect_fmatch *f, bool all, uint16_t grp,
		      struct need *out)
{
	/* The fields a literal may lie in: the matcher's, then also's. */
	const struct detect_fref *in = f->pf_field ? f->pf_field : &f->field;
	bool eq_ok = fref_eq_ok(in), scan = false;
	uint64_t eqlens[4] = { 0 };

	memset(out, 0, sizeof(*out));
	out->known = true;
	for (unsigned i = 0; i < f->nvals && out->known; i++) {
		const struct detect_value *v = &f->vals[i];
		struct core_str l;

		if ((all && v->grp != grp) ||
		    (!all && v->kind == DETECT_V_NONE))
			continue;
		if (eq_ok && v->kind == DETECT_V_EQ &&
		    v->lit.len <= PF_EQ_MAX) {
			out->known = need_add(out, v->lit, false, in,
					      NULL);
			eqlens[v->lit.len / 64] |= 1ULL << (v->lit.len % 64);
			continue;
		}
		l = value_lit(rs, v);
		if (f->field.id == DETECT_F_KEYWORD)
			l = plain_run(l);
		if (lit_short(l) ||
		    !need_add(out, l, f->field.id == DETECT_F_KEYWORD, NULL,
			      f->field.id == DETECT_F_KEYWORD ? NULL : in))
			out->known = false;
		scan = true;
	}
	/* Nothing but undefined placeholders: the field never matches, but
	 * the rule is simply tested (no literal to wait for). */
	if (out->known && out->n == 0)
		out->known = false;
	/* The scan reads only the fields literals come from, the lookups
	 * only values of a length sought (no memory to note the field: no
	 * clause). */
	if (out->known && !field_add(rs->pf, in, scan, eqlens))
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

/*
 * The clauses of an `or` of n children whose clauses are kids[0, n):
 * any clause of child j joined with the best clause of every other
 * child is necessary (if child j holds, so does its clause; else
 * another child holds, and so does its best clause).  Each such union
 * goes to out, which keeps the best; a child with no clause leaves out
 * empty.  Frees kids.
 */
static void cl_or(struct clauses *kids, unsigned n, struct clauses *out)
{
	unsigned *best = malloc((n ? n : 1) * sizeof(*best));
	bool ok = best != NULL && n > 0;

	out->n = 0;
	for (unsigned j = 0; j < n && ok; j++) {
		ok = kids[j].n > 0;
		if (ok)
			best[j] = cl_best_at(&kids[j]);
	}
	for (unsigned j = 0; j < n && ok; j++) {
		for (unsigned i = 0; i < kids[j].n; i++) {
			struct need u = { .known = true };

			u.known = need_union(&u, &kids[j].c[i]);
			for (unsigned o = 0; o < n && u.known; o++) {
				if (o != j)
					u.known = need_union(
						&u, &kids[o].c[best[o]]);
			}
			cl_add(out, &u);
		}
	}
	for (unsigned j = 0; j < n; j++)
		cl_free(&kids[j]);
	free(best);
}

static void need_sel(struct detect_ruleset *rs, const struct detect_sel *s,
		     struct clauses *out)
{
	struct clauses *kids;

	out->n = 0;
	if (s->nalt == 1) {
		need_conj(rs, &s->alt[0], out);
		return;
	}
	kids = calloc(s->nalt ? s->nalt : 1, sizeof(*kids));
	if (kids == NULL)
		return;
	for (unsigned a = 0; a < s->nalt; a++)
		need_conj(rs, &s->alt[a], &kids[a]);
	cl_or(kids, s->nalt, out);
	free(kids);
}

static void need_cond(struct detect_ruleset *rs, const struct detect_rule *r,
		      const struct detect_cond *k, struct clauses *out)
{
	struct clauses *kids;

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
		kids = calloc(k->n, sizeof(*kids));
		if (kids == NULL)
			return;
		for (unsigned i = 0; i < k->n; i++)
			need_cond(rs, r, k->kid[i], &kids[i]);
		cl_or(kids, k->n, out);
		free(kids);
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
	return x->clause < y->clause ? -1 : x->clause > y->clause;
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
	struct xpair *x;	/* exact values */
	size_t nx, xcap;
};

/* The key of a field (core_field_hash() of its name, or its id) and a
 * value, ASCII case ignored; never 0. */
static uint64_t eq_key(uint32_t field, const char *p, size_t len)
{
	uint64_t h = (0xcbf29ce484222325ULL ^ field) * 0x100000001b3ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)lower((unsigned char)p[i]);
		h *= 0x100000001b3ULL;
	}
	return h ? h : 1;
}

/* The field part of eq_key() for an event field or a rule's field. */
static uint32_t field_key(uint16_t id, uint32_t name_hash)
{
	return id == CORE_F_NAMED ? name_hash : 0x9e3779b9u ^ id;
}

/* Adds one (key, clause) pair per field that an exact literal's value may
 * be read from. */
static int add_eq(struct pairs *ps, const struct nlit *l, uint32_t id,
		  uint32_t rule)
{
	for (const struct detect_fref *f = l->eq; f != NULL; f = f->or) {
		uint32_t h = f->id == CORE_F_NAMED ?
			core_field_hash(f->name.p, f->name.len) : 0;

		if (ps->nx == ps->xcap) {
			size_t nc = ps->xcap ? ps->xcap * 2 : 1024;
			struct xpair *q = realloc(ps->x, nc * sizeof(*q));

			if (q == NULL)
				return CORE_E_NOMEM;
			ps->x = q;
			ps->xcap = nc;
		}
		ps->x[ps->nx].key = eq_key(field_key(f->id, h), l->s.p,
					   l->s.len);
		ps->x[ps->nx].clause = id;
		ps->x[ps->nx++].rule = rule;
	}
	return 0;
}

/* Adds need nd, clause id of rule rule in source src, as pairs (cut to
 * PF_MAX_LIT); frees nd. */
static int add_need(const struct detect_pf *pf, struct pairs *ps,
		    struct need *nd, uint32_t id, uint32_t rule, uint32_t src)
{
	int rc = 0;

	for (unsigned j = 0; nd->known && j < nd->n && rc == 0; j++) {
		struct pair *q;

		if (nd->lit[j].eq != NULL) {
			rc = add_eq(ps, &nd->lit[j], id, rule);
			continue;
		}
		if (ps->n == ps->cap) {
			size_t nc = ps->cap ? ps->cap * 2 : 1024;

			q = realloc(ps->p, nc * sizeof(*q));
			if (q == NULL) {
				rc = CORE_E_NOMEM;
				break;
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
		q->clause = id;
		q->rule = rule;
		q->src = src;
		q->mask = fref_mask(pf, nd->lit[j].in);
	}
	need_free(nd);
	return rc;
}

/* Allocates the per-rule arrays and bitmaps once rules are counted. */
static int alloc_rules(struct detect_pf *pf, unsigned nrules)
{
	pf->nwords = (nrules + 63) / 64;
	pf->rnc = calloc(nrules ? nrules : 1, sizeof(*pf->rnc));
	pf->rstate = calloc(nrules ? nrules : 1, sizeof(*pf->rstate));
	pf->always = calloc(pf->nwords ? pf->nwords : 1, sizeof(uint64_t));
	pf->cand = calloc(pf->nwords ? pf->nwords : 1, sizeof(uint64_t));
	if (!pf->rnc || !pf->rstate || !pf->always || !pf->cand)
		return CORE_E_NOMEM;
	return 0;
}

/* The weight of a rule's best clause in its source's gate: exact values
 * cost no scan. */
static unsigned gate_weight(const struct clauses *cs)
{
	const struct need *b;
	unsigned w = 0;

	if (cs->n == 0)
		return 0;
	b = &cs->c[cl_best_at(cs)];
	for (unsigned j = 0; j < b->n; j++) {
		if (b->lit[j].eq == NULL)
			w += b->lit[j].kw ? PF_KW_WEIGHT : 1;
	}
	return w;
}

/* Keeps only the clauses of exact values: a source that is not scanned
 * can see no other. */
static void cl_keep_eq(struct clauses *cs)
{
	unsigned k = 0;

	for (unsigned i = 0; i < cs->n; i++) {
		if (need_scanned(&cs->c[i]))
			need_free(&cs->c[i]);
		else
			cs->c[k++] = cs->c[i];
	}
	cs->n = k;
}

/* One rule's clauses (cs, freed) become clause ids and (literal, clause)
 * pairs. */
static int add_rule(struct detect_pf *pf, struct detect_rule *r,
		    struct clauses *cs, struct pairs *ps, unsigned src)
{
	int rc = 0;

	r->pf_always = cs->n == 0;
	pf->nalways += r->pf_always;
	if (r->pf_always)
		pf->always[r->pf_id / 64] |= 1ULL << (r->pf_id % 64);
	pf->rnc[r->pf_id] = (uint8_t)cs->n;
	for (unsigned i = 0; i < cs->n && rc == 0; i++)
		rc = add_need(pf, ps, &cs->c[i], pf->nclauses++, r->pf_id,
			      src);
	cl_free(cs);	/* what add_need() has not taken */
	return rc;
}

/*
 * Collects every plain rule's clauses as (literal, clause id) pairs.
 * Rules are numbered in log source order, then index order, so a source's
 * rules are one range of the candidate bitmap.  A source is gated (its
 * literals scanned) when its rules' best clauses need enough literals;
 * the rules of one that is not keep only their clauses of exact values.
 */
static int collect(struct detect_ruleset *rs, struct detect_pf *pf,
		   struct pairs *ps)
{
	unsigned n = 0, most = 0;
	struct clauses *cs;
	int rc;

	for (unsigned i = 0; i < rs->nls; i++) {
		n += rs->ls[i].nrules;
		most = CORE_MAX(most, rs->ls[i].nrules);
	}
	rc = alloc_rules(pf, n);
	cs = calloc(most ? most : 1, sizeof(*cs));
	if (cs == NULL)
		rc = CORE_E_NOMEM;
	for (unsigned i = 0; i < rs->nls && rc == 0; i++) {
		struct detect_logsource *e = &rs->ls[i];

		e->pf_first = pf->nrules;
		e->pf_lits = 0;
		for (unsigned k = 0; k < e->nrules; k++) {
			struct detect_rule *r = e->rules[k];

			need_cond(rs, r, r->cond, &cs[k]);
			cl_drop_short(&cs[k]);
			e->pf_lits += gate_weight(&cs[k]);
		}
		e->pf_gate = rs->pf_forced || e->pf_lits >= DETECT_PF_GATE_LITS;
		for (unsigned k = 0; k < e->nrules; k++) {
			e->rules[k]->pf_id = pf->nrules++;
			if (!e->pf_gate)
				cl_keep_eq(&cs[k]);
			if (rc == 0)
				rc = add_rule(pf, e->rules[k], &cs[k], ps, i);
			else
				cl_free(&cs[k]);
		}
	}
	free(cs);
	return rc;
}

static int xpair_cmp(const void *a, const void *b)
{
	const struct xpair *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->clause < y->clause ? -1 : x->clause > y->clause;
}

/* Puts exact pattern pat under key into pf's table (which has room). */
static void eq_put(struct detect_pf *pf, uint64_t key, uint32_t pat)
{
	unsigned i = (unsigned)(key ^ key >> 32) & (pf->neqslot - 1);

	while (pf->eqtab[i].key != 0)
		i = (i + 1) & (pf->neqslot - 1);
	pf->eqtab[i].key = key;
	pf->eqtab[i].pat = pat;
}

/*
 * Groups the sorted pairs by (source, literal) into pf->first/who and
 * fills the arrays handed to the compiler; then the sorted exact pairs by
 * key, as the patterns after those, into first/who and the lookup table.
 */
static int group(struct detect_pf *pf, const struct pairs *ps,
		 const char ***expr, size_t **lens)
{
	const struct pair *p = ps->p;
	size_t n = ps->n, all = ps->n + ps->nx;
	unsigned np = 0;

	pf->first = malloc((all + 1) * sizeof(*pf->first));
	pf->who = malloc((all ? all : 1) * sizeof(*pf->who));
	*expr = malloc((n ? n : 1) * sizeof(**expr));
	*lens = malloc((n ? n : 1) * sizeof(**lens));
	if (!pf->first || !pf->who || !*expr || !*lens)
		return CORE_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || !same_lit(&p[i - 1], &p[i])) {
			pf->first[np] = (uint32_t)i;
			(*expr)[np] = p[i].lit.p;
			(*lens)[np] = p[i].lit.len;
			np++;
		}
		pf->who[i].clause = p[i].clause;
		pf->who[i].rule = p[i].rule;
		pf->who[i].mask = p[i].mask;
	}
	pf->npat = np;
	for (size_t i = 0; i < ps->nx; i++) {
		if (i == 0 || ps->x[i - 1].key != ps->x[i].key) {
			pf->first[np++] = (uint32_t)(n + i);
			pf->neq++;
		}
		pf->who[n + i].clause = ps->x[i].clause;
		pf->who[n + i].rule = ps->x[i].rule;
		pf->who[n + i].mask = ~0ULL;
	}
	pf->first[np] = (uint32_t)all;
	if (pf->neq == 0)
		return 0;
	for (pf->neqslot = 16; pf->neqslot < pf->neq * 2;)
		pf->neqslot *= 2;
	pf->eqtab = calloc(pf->neqslot, sizeof(*pf->eqtab));
	if (pf->eqtab == NULL)
		return CORE_E_NOMEM;
	for (unsigned k = pf->npat; k < np; k++)
		eq_put(pf, ps->x[pf->first[k] - n].key, k);
	return 0;
}

/*
 * Compiles n literals, numbered from 0, into *db (block mode), each
 * reporting once per scan when single; or reads the database the cache
 * holds for those inputs, and keeps a compiled one there.  Grows the
 * shared scratch for it either way.  A field literal reports every time:
 * the first place it is found may be a field where it does not count.
 */
static int compile_one(struct detect_pf *pf, const char **expr,
		       const size_t *lens, unsigned n, bool single,
		       hs_database_t **db, struct core_error *err)
{
	unsigned char key[DETECT_PFC_KEY];
	hs_compile_error_t *ce = NULL;
	unsigned *flags, *ids;
	hs_error_t rc = HS_SUCCESS;

	if (n == 0)
		return 0;
	flags = malloc(n * sizeof(*flags));
	ids = malloc(n * sizeof(*ids));
	if (flags == NULL || ids == NULL) {
		free(flags);
		free(ids);
		return CORE_E_NOMEM;
	}
	for (unsigned i = 0; i < n; i++) {
		flags[i] = HS_FLAG_CASELESS |
			   (single ? HS_FLAG_SINGLEMATCH : 0u);
		ids[i] = i;
	}

	if (pf->cache != NULL) {
		struct detect_pfc_in in = { expr, lens, flags, ids, n,
					    HS_MODE_BLOCK };

		detect_pfc_key(pf->cache, &in, key);
		*db = detect_pfc_get(pf->cache, key);
	}
	if (*db == NULL) {
		rc = hs_compile_lit_multi(expr, flags, ids, lens, n,
					  HS_MODE_BLOCK, NULL, db, &ce);
		if (rc == HS_SUCCESS && pf->cache != NULL)
			detect_pfc_put(pf->cache, key, *db);
	}
	free(flags);
	free(ids);
	if (rc != HS_SUCCESS) {
		core_fail(err, CORE_E_UNSUPPORTED, NULL, 0,
			  "prefilter: cannot compile %u literals: %s", n,
			  ce && ce->message ? ce->message : "unknown error");
		hs_free_compile_error(ce);
		return CORE_E_UNSUPPORTED;
	}
	pf->ndbs++;
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
		      const size_t *lens, struct core_error *err)
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
			for (unsigned k = at; k < kw; k++) {
				for (uint32_t i = pf->first[k];
				     i < pf->first[k + 1]; i++)
					ps->fields |= p[i].mask;
			}
			pf->ndb += end - at;
			ps->base = at;
			ps->kbase = kw;
			rc = compile_one(pf, expr + at, lens + at, kw - at,
					 false, &ps->db, err);
			if (rc == 0)
				rc = compile_one(pf, expr + kw, lens + kw,
						 end - kw, true, &ps->kdb,
						 err);
		}
		at = end;
	}
	return rc;
}

/* Compiles the databases, through the cache when the ruleset has one. */
static int compile_all(struct detect_ruleset *rs, struct detect_pf *pf,
		       const struct pair *p, const char **expr,
		       const size_t *lens, struct core_error *err)
{
	int rc;

	if (rs->pf_cache)
		pf->cache = detect_pfc_open(rs->pf_cache_dir);
	rc = compile_db(rs, pf, p, expr, lens, err);
	detect_pfc_close(pf->cache, &pf->ncached, &pf->nstored);
	pf->cache = NULL;
	return rc;
}

int detect_pf_build(struct detect_ruleset *rs, struct core_error *err)
{
	struct detect_pf *pf = calloc(1, sizeof(*pf));
	struct pairs ps = { 0 };
	const char **expr = NULL;
	size_t *lens = NULL;
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
		if (ps.nx > 0)
			qsort(ps.x, ps.nx, sizeof(*ps.x), xpair_cmp);
		rc = group(pf, &ps, &expr, &lens);
	}
	pf->cmark = calloc(pf->nclauses ? pf->nclauses : 1,
			   sizeof(*pf->cmark));
	if (rc == 0 && pf->cmark == NULL)
		rc = CORE_E_NOMEM;
	if (rc == 0 && pf->npat > 0)
		rc = compile_all(rs, pf, ps.p, expr, lens, err);
	free(ps.p);
	free(ps.x);
	free(expr);
	free(lens);
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
	free(pf->rstate);
	free(pf->rnc);
	free(pf->always);
	free(pf->cand);
	free(pf->cmark);
	free(pf->buf);
	free(pf->names);
	free(pf->eqtab);
	free(pf);
	rs->pf = NULL;
}

/* ------------------------------------------------------------ matching */

/* Pattern id seen in a field of mask m: the clauses it counts for there
 * are marked, and the rule whose clauses are now all marked becomes a
 * candidate. */
static void mark(struct detect_pf *pf, unsigned id, uint64_t m)
{
	for (uint32_t i = pf->first[id]; i < pf->first[id + 1]; i++) {
		const struct pf_who *w = &pf->who[i];
		struct pf_rstate *st;

		if (!(w->mask & m) || pf->cmark[w->clause] == pf->gen)
			continue;
		pf->cmark[w->clause] = pf->gen;
		st = &pf->rstate[w->rule];
		if (st->gen != pf->gen) {
			st->gen = pf->gen;
			st->seen = 0;
		}
		if (++st->seen == pf->rnc[w->rule])
			pf->cand[w->rule / 64] |= 1ULL << (w->rule % 64);
	}
}

/* A keyword literal found by a scan: it counts anywhere. */
static int on_match(unsigned id, unsigned long long from,
		    unsigned long long to, unsigned flags, void *ctx)
{
	struct detect_pf *pf = ctx;

	(void)from;
	(void)to;
	(void)flags;
	mark(pf, pf->idbase + id, ~0ULL);
	return 0;
}

/* A field literal found by a scan of the joined values: it counts in the
 * field of the value its last byte lies in (or whose separator it is;
 * past the end, the last value). */
static int on_field_match(unsigned id, unsigned long long from,
			  unsigned long long to, unsigned flags, void *ctx)
{
	struct detect_pf *pf = ctx;
	unsigned lo = 0, hi = pf->nscan - 1;

	(void)from;
	(void)flags;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (pf->seg_end[mid] + 1ULL < to)
			lo = mid + 1;
		else
			hi = mid;
	}
	mark(pf, pf->idbase + id, 1ULL << pf->seg_bit[lo]);
	return 0;
}

/* Looks value v of field f up among the exact values (all of them: two
 * keys may share a slot's hash). */
static void eq_find(struct detect_pf *pf, const struct core_field *f,
		    struct core_str v)
{
	uint64_t key = eq_key(field_key(f->id, f->hash), v.p, v.len);
	unsigned i = (unsigned)(key ^ key >> 32) & (pf->neqslot - 1);

	for (; pf->eqtab[i].key != 0; i = (i + 1) & (pf->neqslot - 1)) {
		if (pf->eqtab[i].key == key)
			mark(pf, pf->eqtab[i].pat, ~0ULL);
	}
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

/* eq_find() when some rule seeks a value of v's length in e's field. */
static void eq_try(struct detect_pf *pf, const struct pf_field *e,
		   const struct core_field *f, struct core_str v)
{
	if (v.len <= PF_EQ_MAX && (e->eqlens[v.len / 64] >> (v.len % 64) & 1))
		eq_find(pf, f, v);
}

/*
 * Marks the clauses of the exact values ev's fields hold, and notes the
 * fields a scan reads.  Field literals may lie in the values of the
 * fields they come from: those are joined by newlines into one buffer
 * at the event's first scan, and each gated source's database scans it
 * in one call (a literal found across two values only makes a rule a
 * candidate in vain).  Keyword literals lie in what a keyword search
 * reads (detect_fref_get()): message, else raw.
 */
void detect_pf_begin(struct detect_ruleset *rs, const struct core_event *ev,
		     const uint16_t *src, unsigned nsrc)
{
	struct detect_pf *pf = rs->pf;
	uint64_t want = 0;

	/* The fields the event's gated sources scan: no other is joined. */
	for (unsigned j = 0; j < nsrc; j++) {
		if (rs->ls[src[j]].pf_gate)
			want |= pf->src[src[j]].fields;
	}

	if (++pf->gen == 0) {
		/* Wrapped: no mark may look current. */
		memset(pf->cmark, 0, pf->nclauses * sizeof(*pf->cmark));
		memset(pf->rstate, 0, pf->nrules * sizeof(*pf->rstate));
		pf->gen = 1;
	}
	pf->bad = false;
	pf->ev = ev;
	pf->joined = false;
	pf->nscan = 0;
	memset(pf->cand, 0, pf->nwords * sizeof(*pf->cand));
	for (unsigned i = 0; i < ev->nfields; i++) {
		const struct core_field *f = &ev->fields[i];
		const struct pf_field *e = field_of(pf, f);
		struct core_str other;

		if (e == NULL)
			continue;
		if (e->scan && f->value.len > 0 && (want >> e->bit & 1)) {
			pf->seg_bit[pf->nscan] = e->bit;
			pf->scan[pf->nscan++] = (uint16_t)i;
		}
		if (pf->neq == 0)
			continue;
		eq_try(pf, e, f, f->value);
		/* Padded and braced fields' rules also compare the value
		 * without its trailing blanks or braces (cond.c): so may
		 * the lookup. */
		other = core_str_rtrim_blanks(f->value);
		if (other.len < f->value.len)
			eq_try(pf, e, f, other);
		other = core_str_unbrace(f->value);
		if (other.len < f->value.len)
			eq_try(pf, e, f, other);
	}
}

/* Joins the event's scanned values into pf->buf; on failure every rule
 * becomes a candidate. */
static void join(struct detect_pf *pf)
{
	const struct core_event *ev = pf->ev;
	size_t n = 0;

	pf->joined = true;
	for (unsigned i = 0; i < pf->nscan && !pf->bad; i++) {
		const struct core_str *v = &ev->fields[pf->scan[i]].value;

		pf->bad = !buf_room(pf, n + v->len + 1) ||
			  n + v->len >= UINT32_MAX;
		if (pf->bad)
			break;
		memcpy(pf->buf + n, v->p, v->len);
		n += v->len;
		pf->seg_end[i] = (uint32_t)n;
		pf->buf[n++] = '\n';
	}
	if (!pf->bad && n > 0) {
		pf->bad = !buf_room(pf, n + PF_PAD);
		if (!pf->bad)
			memset(pf->buf + n, '\n', PF_PAD);
	}
	pf->nbuf = n;
	pf->kwready = false;
	/* A failed scan must not hide rules: make every rule a candidate. */
	if (pf->bad || n > UINT32_MAX)
		memset(pf->cand, 0xff, pf->nwords * sizeof(*pf->cand));
}

/* Has s a byte under 0x20 (one JSON escapes as \n, \t or \u00XX)?
 * Eight bytes a step: a byte under 0x20 borrows into its top bit. */
static bool has_control(struct core_str s)
{
	size_t i = 0;

	for (; i + 8 <= s.len; i += 8) {
		uint64_t x;

		memcpy(&x, s.p + i, 8);
		if ((x - 0x2020202020202020ULL) & ~x & 0x8080808080808080ULL)
			return true;
	}
	for (; i < s.len; i++) {
		if ((unsigned char)s.p[i] < 0x20)
			return true;
	}
	return false;
}

/* Appends s and a quote (no keyword literal holds one) at w. */
static char *kw_put(char *w, struct core_str s)
{
	memcpy(w, s.p, s.len);
	w += s.len;
	*w++ = '"';
	return w;
}

/* Appends at w the JSON escaping of s, and a quote, when it holds a
 * control character (the caller made room). */
static char *kw_put_escaped(char *w, struct core_str s)
{
	if (has_control(s)) {
		w += core_json_escape(w, s.p, s.len);
		*w++ = '"';
	}
	return w;
}

/*
 * Puts what keyword literals are sought in after the field block: the
 * message, else the raw record.  A raw record its decoder renders on
 * demand (the JSON object of the named fields) is not rendered: its
 * names and values are joined instead, each followed by a quote, then
 * the "{..." of a cut, then the JSON escaping of those that hold a
 * control character.
 * A keyword literal holds no quote, backslash, control or non-ASCII
 * byte (see plain_run()), so it can only lie inside one name or value of
 * the rendering, and away from a backslash escape: then it lies in the
 * joined text too, which the scan needs.  False on no memory.
 */
static bool kw_ready(struct detect_pf *pf)
{
	const struct core_event *ev = pf->ev;
	const struct core_str *m = core_event_get(ev, CORE_F_MESSAGE);
	size_t n = pf->nbuf + PF_PAD;
	bool ok = true;

	pf->kwready = true;
	pf->kwoff = n;
	if (m == NULL && ev->raw_fn != NULL) {
		size_t need = n + 5, esc = 0;
		char *w;

		for (unsigned i = 0; i < ev->nfields; i++) {
			const struct core_field *f = &ev->fields[i];

			if (f->id == CORE_F_NAMED) {
				need += f->name.len + f->value.len + 2;
				esc += CORE_JSON_ESCAPED_MAX(f->name.len) +
				       CORE_JSON_ESCAPED_MAX(f->value.len) + 2;
			}
		}
		ok = buf_room(pf, need);
		w = pf->buf + n;
		for (unsigned i = 0; i < ev->nfields && ok; i++) {
			const struct core_field *f = &ev->fields[i];

			if (f->id != CORE_F_NAMED)
				continue;
			w = kw_put(w, f->name);
			w = kw_put(w, f->value);
		}
		if (ok)
			w = kw_put(w, core_str_make("{...", 4));
		/* Rarely, escapings too: one test over the whole text. */
		if (ok && has_control(core_str_make(pf->buf + pf->kwoff,
						    (size_t)(w - pf->buf) -
						    pf->kwoff))) {
			size_t at = (size_t)(w - pf->buf);

			ok = buf_room(pf, at + esc);
			w = pf->buf + at;
			for (unsigned i = 0; i < ev->nfields && ok; i++) {
				const struct core_field *f = &ev->fields[i];

				if (f->id == CORE_F_NAMED) {
					w = kw_put_escaped(w, f->name);
					w = kw_put_escaped(w, f->value);
				}
			}
		}
		if (ok)
			n = (size_t)(w - pf->buf);
	} else if (m != NULL || ev->raw.p != NULL) {
		if (m == NULL)
			m = &ev->raw;
		ok = buf_room(pf, n + m->len);
		if (ok) {
			memcpy(pf->buf + n, m->p, m->len);
			n += m->len;
		}
	}
	pf->kwlen = n - pf->kwoff;
	ok = ok && pf->kwlen + PF_PAD <= UINT32_MAX &&
	     buf_room(pf, n + PF_PAD);
	if (ok)
		memset(pf->buf + n, '\n', PF_PAD);
	return ok;
}

void detect_pf_scan(struct detect_ruleset *rs,
		    const struct detect_logsource *e)
{
	struct detect_pf *pf = rs->pf;
	const struct pf_source *ps = &pf->src[e - rs->ls];
	bool bad = false;

	if (!pf->joined)
		join(pf);
	if (pf->bad)
		return;
	pf->idbase = ps->base;
	if (ps->db != NULL && pf->nbuf > 0 &&
	    pf->nbuf + PF_PAD <= UINT32_MAX)
		bad = hs_scan(ps->db, pf->buf, (unsigned)(pf->nbuf + PF_PAD),
			      0, pf->scratch, on_field_match, pf) !=
		      HS_SUCCESS;
	/* The keyword text, padded too, after the field block. */
	if (ps->kdb != NULL && !pf->kwready)
		pf->bad = !kw_ready(pf);
	pf->idbase = ps->kbase;
	if (ps->kdb != NULL && !pf->bad && pf->kwlen > 0)
		bad |= hs_scan(ps->kdb, pf->buf + pf->kwoff,
			       (unsigned)(pf->kwlen + PF_PAD), 0, pf->scratch,
			       on_match, pf) != HS_SUCCESS;
	bad |= pf->bad;
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
	c->ev = NULL;
	c->cmark = calloc(pf->nclauses ? pf->nclauses : 1, sizeof(*c->cmark));
	c->rstate = calloc(pf->nrules ? pf->nrules : 1, sizeof(*c->rstate));
	c->cand = calloc(pf->nwords ? pf->nwords : 1, sizeof(*c->cand));
	if (c->cmark == NULL || c->rstate == NULL || c->cand == NULL ||
	    (pf->scratch != NULL &&
	     hs_clone_scratch(pf->scratch, &c->scratch) != HS_SUCCESS)) {
		free(c->cmark);
		free(c->rstate);
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
	free(pf->rstate);
	free(pf->cand);
	free(pf->buf);
	free(pf);
}

void detect_pf_stats(const struct detect_ruleset *rs, unsigned *literals,
		     unsigned *exact, unsigned *always)
{
	*literals = rs->pf ? rs->pf->ndb : 0;
	*exact = rs->pf ? rs->pf->neq : 0;
	*always = rs->pf ? rs->pf->nalways : 0;
}

void detect_pf_cache_stats(const struct detect_ruleset *rs, unsigned *dbs,
			   unsigned *cached, unsigned *stored)
{
	*dbs = rs->pf ? rs->pf->ndbs : 0;
	*cached = rs->pf ? rs->pf->ncached : 0;
	*stored = rs->pf ? rs->pf->nstored : 0;
}
