/*
 * cond.c: Sigma conditions and selections.
 *
 * The condition is parsed by recursive descent with the precedence the
 * specification gives (least binding first): or, and, not, "x of", then
 * parentheses.  "1 of P" / "all of P" expand at parse time into an OR /
 * AND over the selections whose names match the pattern P (with *
 * wildcards); "them" means every selection not starting with '_'.  A name
 * or pattern that names no selection is an error, as is the old pipe
 * aggregation syntax, which correlation rules replace.
 *
 * Evaluation short-circuits; a selection is an OR of conjunctions of field
 * matchers, so a typical rule stops at its first field test.
 */
#include "detect/detect_int.h"

#include <stdio.h>
#include <string.h>

enum tok {
	T_END = 0,
	T_NAME,
	T_AND,
	T_OR,
	T_NOT,
	T_LP,
	T_RP,
	T_ONE,
	T_ALL,
	T_OF,
	T_THEM,
	T_BAD,
};

struct cparse {
	struct detect_ruleset *rs;
	const char *p, *end, *start;
	const struct detect_sel *sels;
	unsigned nsels;
	enum tok tok;
	struct core_str text;	/* current token */
	char *why;
	size_t nwhy;
	bool failed;
	unsigned depth;
};

#define COND_MAX_DEPTH 64

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '*' || c == '-' ||
	       c == '.';
}

static enum tok word(struct core_str w)
{
	static const struct {
		const char *s;
		enum tok t;
	} words[] = {
		{ "and", T_AND }, { "or", T_OR },     { "not", T_NOT },
		{ "all", T_ALL }, { "of", T_OF },     { "them", T_THEM },
	};
	uint64_t n;

	for (size_t i = 0; i < CORE_ARRAY_LEN(words); i++) {
		if (core_str_eq_lit(w, words[i].s))
			return words[i].t;
	}
	/* "N of": any positive count; the selection names are words. */
	if (core_str_to_u64(w, &n) && n >= 1 && n <= 65535)
		return T_ONE;
	return T_NAME;
}

static void next(struct cparse *c)
{
	const char *q;

	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\n' || *c->p == '\r'))
		c->p++;
	c->text = core_str_make(c->p, 0);
	if (c->p >= c->end) {
		c->tok = T_END;
		return;
	}
	if (*c->p == '(' || *c->p == ')') {
		c->tok = *c->p == '(' ? T_LP : T_RP;
		c->text.len = 1;
		c->p++;
		return;
	}
	for (q = c->p; q < c->end && name_char(*q); q++)
		;
	if (q == c->p) {
		c->tok = T_BAD;
		c->text.len = 1;
		return;
	}
	c->text = core_str_make(c->p, (size_t)(q - c->p));
	c->tok = word(c->text);
	c->p = q;
}

static struct detect_cond *fail(struct cparse *c, const char *what)
{
	if (!c->failed) {
		if (c->tok == T_BAD && *c->text.p == '|')
			snprintf(c->why, c->nwhy, "condition syntax error at "
				 "offset %zu: aggregation with '|' is not "
				 "supported, use a correlation rule",
				 (size_t)(c->text.p - c->start));
		else
			snprintf(c->why, c->nwhy, "condition syntax error at "
				 "offset %zu: %s", (size_t)(c->text.p -
							    c->start), what);
	}
	c->failed = true;
	return NULL;
}

static struct detect_cond *node(struct cparse *c, enum detect_cop op,
				unsigned n)
{
	struct detect_cond *k = detect_alloc(c->rs, sizeof(*k));

	if (k == NULL)
		return NULL;
	k->op = (uint8_t)op;
	k->n = (uint16_t)n;
	if (n > 0)
		k->kid = detect_alloc(c->rs, n * sizeof(*k->kid));
	return k;
}

/* Matches a selection name against a pattern with * wildcards. */
static bool name_glob(const char *pat, size_t np, const char *s, size_t ns)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;

	while (si < ns) {
		if (pi < np && pat[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (pi < np && pat[pi] == s[si]) {
			pi++;
			si++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < np && pat[pi] == '*')
		pi++;
	return pi == np;
}

static struct detect_cond *sel_leaf(struct cparse *c, unsigned i)
{
	struct detect_cond *k = node(c, DETECT_C_SEL, 0);

	if (k != NULL)
		k->sel = i;
	return k;
}

/*
 * "1 of X" / "all of X" / "N of X": an OR / AND / at-least-N over the
 * selections matching X.
 */
static struct detect_cond *quantified(struct cparse *c, bool all)
{
	unsigned hits[256], n = 0;
	struct detect_cond *k;
	uint64_t want = 1;
	bool them;

	if (!all)
		(void)core_str_to_u64(c->text, &want);
	next(c);
	if (c->tok != T_OF)
		return fail(c, "expected 'of'");
	next(c);
	them = c->tok == T_THEM;
	if (c->tok != T_NAME && !them)
		return fail(c, "expected a selection pattern or 'them'");
	for (unsigned i = 0; i < c->nsels && n < CORE_ARRAY_LEN(hits); i++) {
		const char *nm = c->sels[i].name;

		if (them ? nm[0] != '_' :
		    name_glob(c->text.p, c->text.len, nm, strlen(nm)))
			hits[n++] = i;
	}
	if (n == 0) {
		snprintf(c->why, c->nwhy, "unknown selection '%.*s'",
			 (int)CORE_MIN(c->text.len, 64), c->text.p);
		c->failed = true;
		return NULL;
	}
	if (want > n) {
		snprintf(c->why, c->nwhy, "'%llu of %.*s' but only %u "
			 "selections match", (unsigned long long)want,
			 (int)CORE_MIN(c->text.len, 64), c->text.p, n);
		c->failed = true;
		return NULL;
	}
	next(c);
	k = node(c, all ? DETECT_C_AND : want == 1 ? DETECT_C_OR :
		  DETECT_C_NOF, n);
	if (k != NULL)
		k->k = (uint16_t)want;
	for (unsigned i = 0; k != NULL && i < n; i++)
		k->kid[i] = sel_leaf(c, hits[i]);
	return k;
}

static struct detect_cond *name_ref(struct cparse *c)
{
	for (unsigned i = 0; i < c->nsels; i++) {
		if (core_str_eq_lit(c->text, c->sels[i].name)) {
			next(c);
			return sel_leaf(c, i);
		}
	}
	snprintf(c->why, c->nwhy, "unknown selection '%.*s'",
		 (int)CORE_MIN(c->text.len, 64), c->text.p);
	c->failed = true;
	return NULL;
}

static struct detect_cond *expr(struct cparse *c);

static struct detect_cond *factor(struct cparse *c)
{
	struct detect_cond *k;

	if (++c->depth > COND_MAX_DEPTH)
		return fail(c, "nested too deeply");
	switch (c->tok) {
	case T_NOT:
		next(c);
		k = node(c, DETECT_C_NOT, 1);
		if (k != NULL && (k->kid[0] = factor(c)) == NULL)
			k = NULL;
		break;
	case T_LP:
		next(c);
		k = expr(c);
		if (k != NULL && c->tok != T_RP)
			k = fail(c, "expected ')'");
		else if (k != NULL)
			next(c);
		break;
	case T_ONE:
	case T_ALL:
		k = quantified(c, c->tok == T_ALL);
		break;
	case T_NAME:
		k = name_ref(c);
		break;
	default:
		k = fail(c, "expected a selection");
		break;
	}
	c->depth--;
	return k;
}

/* Parses a chain of lower-level terms joined by op (and / or). */
static struct detect_cond *chain(struct cparse *c, enum tok op,
				 struct detect_cond *(*sub)(struct cparse *))
{
	struct detect_cond *first = sub(c), *k, *items[64];
	unsigned n = 1;

	if (first == NULL)
		return NULL;
	if (c->tok != op)
		return first;
	items[0] = first;
	while (c->tok == op) {
		if (n == CORE_ARRAY_LEN(items))
			return fail(c, "too many operands");
		next(c);
		if ((items[n++] = sub(c)) == NULL)
			return NULL;
	}
	k = node(c, op == T_AND ? DETECT_C_AND : DETECT_C_OR, n);
	if (k != NULL)
		memcpy(k->kid, items, n * sizeof(*items));
	return k;
}

static struct detect_cond *term(struct cparse *c)
{
	return chain(c, T_AND, factor);
}

static struct detect_cond *expr(struct cparse *c)
{
	return chain(c, T_OR, term);
}

struct detect_cond *detect_cond_parse(struct detect_ruleset *rs,
				      const char *text, size_t len,
				      const struct detect_sel *sels,
				      unsigned nsels, char *why, size_t nwhy)
{
	struct cparse c = {
		.rs = rs, .p = text, .end = text + len, .start = text,
		.sels = sels, .nsels = nsels, .why = why, .nwhy = nwhy,
	};
	struct detect_cond *k;

	next(&c);
	if (c.tok == T_END) {
		snprintf(why, nwhy, "condition is empty");
		return NULL;
	}
	k = expr(&c);
	if (k != NULL && c.tok != T_END)
		k = fail(&c, "unexpected token");
	return c.failed ? NULL : k;
}

/* ------------------------------------------------------------ evaluation */

/*
 * The values of f against field value v: OR over them, or under |all an
 * AND over the rule's values where each may have expanded into several
 * alternatives (its grp), any of which will do.
 */
static bool fvalues(struct detect_ruleset *rs, const struct detect_fmatch *f,
		    const struct core_str *v, const struct core_event *ev)
{
	bool hit = false;

	if (!f->all) {
		for (unsigned i = 0; i < f->nvals && !hit; i++)
			hit = detect_value_match(rs, &f->vals[i], v, ev);
		return hit;
	}
	hit = true;
	for (unsigned i = 0; i < f->nvals && hit;) {
		unsigned g = f->vals[i].grp;
		bool any = false;

		for (; i < f->nvals && f->vals[i].grp == g; i++)
			any = any || detect_value_match(rs, &f->vals[i], v, ev);
		hit = any;
	}
	return hit;
}

/*
 * A field matcher.  The value is read as it is, then in the other
 * readings f->reread names where they differ: without its trailing
 * blanks, a "%{GUID}" or "{GUID}" as the GUID; then the field f->also
 * names, when the event has it.
 */
static bool fmatch(struct detect_ruleset *rs, const struct detect_fmatch *f,
		   const struct core_event *ev)
{
	const struct core_str *v = detect_fref_get(ev, &f->field);
	bool hit = fvalues(rs, f, v, ev);
	struct core_str t;

	if (!hit && (f->reread & DETECT_REREAD_BLANKS) && v != NULL &&
	    (t = core_str_rtrim_blanks(*v)).len < v->len)
		hit = fvalues(rs, f, &t, ev);
	if (!hit && (f->reread & DETECT_REREAD_BRACES) && v != NULL &&
	    (t = core_str_unbrace(*v)).len < v->len)
		hit = fvalues(rs, f, &t, ev);
	if (!hit && f->also != NULL &&
	    (v = detect_fref_get(ev, f->also)) != NULL)
		hit = fvalues(rs, f, v, ev);
	return f->neg ? !hit : hit;
}

bool detect_sel_match(struct detect_ruleset *rs, const struct detect_sel *s,
		      const struct core_event *ev)
{
	for (unsigned a = 0; a < s->nalt; a++) {
		const struct detect_conj *cj = &s->alt[a];
		unsigned i;

		for (i = 0; i < cj->n; i++) {
			if (!fmatch(rs, &cj->f[i], ev))
				break;
		}
		if (i == cj->n)
			return true;
	}
	return false;
}

bool detect_cond_eval(struct detect_ruleset *rs, const struct detect_rule *r,
		      const struct detect_cond *k, const struct core_event *ev)
{
	switch (k->op) {
	case DETECT_C_SEL:
		return detect_sel_match(rs, &r->sels[k->sel], ev);
	case DETECT_C_NOT:
		return !detect_cond_eval(rs, r, k->kid[0], ev);
	case DETECT_C_NOF: {
		unsigned hits = 0;

		for (unsigned i = 0; i < k->n && hits < k->k; i++)
			hits += detect_cond_eval(rs, r, k->kid[i], ev);
		return hits >= k->k;
	}
	case DETECT_C_AND:
		for (unsigned i = 0; i < k->n; i++) {
			if (!detect_cond_eval(rs, r, k->kid[i], ev))
				return false;
		}
		return true;
	default:
		for (unsigned i = 0; i < k->n; i++) {
			if (detect_cond_eval(rs, r, k->kid[i], ev))
				return true;
		}
		return false;
	}
}
