/*
 * value.c: Sigma values and modifiers, compiled once and matched per event.
 *
 * A value string is first unescaped per the Sigma escape rules (a backslash
 * escapes * ? and itself; a run of k backslashes before a wildcard gives
 * k/2 backslashes and a literal wildcard when k is odd; elsewhere a run
 * gives ceil(k/2) backslashes).  contains/startswith/endswith then add
 * wildcards, and the token list is classified: a plain literal, a prefix,
 * a suffix and a substring each get a direct test; anything else is a
 * glob matched with one-star backtracking.  Matching folds ASCII case
 * unless |cased.  re runs PCRE2 (JIT when available), cidr parses the
 * field as an address, gt/gte/lt/lte compare signed integers.
 *
 * Workload: every field test of every candidate rule for every event, so
 * literal tests touch no allocation and no NUL.
 */
#include "detect/detect_int.h"

#include <stdio.h>
#include <string.h>

static unsigned char fold[256];
static bool fold_ready;

static void fold_init(void)
{
	for (unsigned i = 0; i < 256; i++)
		fold[i] = (unsigned char)((i >= 'A' && i <= 'Z') ? i + 32 : i);
	fold_ready = true;
}

const struct core_str *detect_fref_get(const struct core_event *ev,
				       const struct detect_fref *f)
{
	const struct core_str *v;

	if (f->id == DETECT_F_KEYWORD) {
		v = core_event_get(ev, CORE_F_MESSAGE);
		if (v == NULL && ev->raw.p != NULL)
			v = &ev->raw;
		return v;
	}
	if (f->id == CORE_F_NAMED)
		return core_event_get_named(ev, f->name.p, f->name.len);
	return core_event_get(ev, (enum core_field_id)f->id);
}

/* --------------------------------------------------------------- parsing */

static bool mod_is(const char *p, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(p, name, len) == 0;
}

static bool mod_cmp(const char *p, size_t len, struct detect_mods *m)
{
	static const struct {
		const char *name;
		int cmp;
	} cmps[] = {
		{ "gt", DETECT_CMP_GT },   { "gte", DETECT_CMP_GTE },
		{ "lt", DETECT_CMP_LT },   { "lte", DETECT_CMP_LTE },
	};

	for (size_t i = 0; i < CORE_ARRAY_LEN(cmps); i++) {
		if (mod_is(p, len, cmps[i].name)) {
			m->cmp = cmps[i].cmp;
			return true;
		}
	}
	return false;
}

static bool mod_flag(const char *p, size_t len, struct detect_mods *m)
{
	const struct {
		const char *name;
		bool *flag;
	} flags[] = {
		{ "contains", &m->contains }, { "startswith", &m->startswith },
		{ "endswith", &m->endswith }, { "all", &m->all },
		{ "re", &m->re },	      { "cidr", &m->cidr },
		{ "exists", &m->exists },     { "cased", &m->cased },
		{ "neq", &m->neq },
	};

	for (size_t i = 0; i < CORE_ARRAY_LEN(flags); i++) {
		if (mod_is(p, len, flags[i].name)) {
			*flags[i].flag = true;
			return true;
		}
	}
	return false;
}

/* The re sub-modifiers i, m, s are only meaningful after re. */
static bool mod_re_sub(const char *p, size_t len, struct detect_mods *m)
{
	if (!m->re || len != 1)
		return false;
	if (*p == 'i')
		m->re_i = true;
	else if (*p == 'm')
		m->re_m = true;
	else if (*p == 's')
		m->re_s = true;
	else
		return false;
	return true;
}

static int mods_check(const struct detect_mods *m, char *why, size_t nwhy)
{
	int kinds = m->re + m->cidr + m->exists + (m->cmp >= 0);
	int pos = m->contains + m->startswith + m->endswith;

	if (kinds > 1 || (kinds == 1 && pos > 0) || pos > 1) {
		snprintf(why, nwhy, "conflicting modifiers");
		return CORE_E_UNSUPPORTED;
	}
	return 0;
}

int detect_mods_parse(const char *p, size_t len, struct detect_mods *m,
		      char *why, size_t nwhy)
{
	const char *end = p + len;

	memset(m, 0, sizeof(*m));
	m->cmp = -1;
	while (p < end) {
		const char *bar = memchr(p, '|', (size_t)(end - p));
		size_t n = bar ? (size_t)(bar - p) : (size_t)(end - p);

		if (!mod_flag(p, n, m) && !mod_cmp(p, n, m) &&
		    !mod_re_sub(p, n, m)) {
			snprintf(why, nwhy, "unsupported modifier '%.*s'",
				 (int)CORE_MIN(n, 64), p);
			return CORE_E_UNSUPPORTED;
		}
		p += n + (bar != NULL);
	}
	return mods_check(m, why, nwhy);
}

/* ------------------------------------------------------------- compiling */

/*
 * Unescapes a Sigma string into tokens (see the file comment).  out must
 * hold len + 2 tokens (room for added wildcards).  Returns the count.
 */
static size_t unescape(const char *p, size_t len, uint16_t *out)
{
	size_t n = 0, i = 0;

	while (i < len) {
		size_t k = 0;
		unsigned char c;

		if (p[i] != '\\') {
			c = (unsigned char)p[i++];
			out[n++] = c == '*' ? DETECT_GLOB_STAR :
				   c == '?' ? DETECT_GLOB_QMARK : c;
			continue;
		}
		while (i < len && p[i] == '\\') {
			k++;
			i++;
		}
		if (i < len && (p[i] == '*' || p[i] == '?')) {
			for (size_t j = 0; j < k / 2; j++)
				out[n++] = '\\';
			if (k % 2) {
				out[n++] = (unsigned char)p[i];
				i++;
			}
			continue;
		}
		for (size_t j = 0; j < (k + 1) / 2; j++)
			out[n++] = '\\';
	}
	return n;
}

static bool is_wild(uint16_t t)
{
	return t == DETECT_GLOB_STAR || t == DETECT_GLOB_QMARK;
}

/* Chooses the cheapest matcher for a token list. */
static enum detect_vkind classify(const uint16_t *t, size_t n, size_t *from,
				  size_t *to)
{
	size_t a = 0, b = n, inner = 0;
	bool lead, trail;

	*from = *to = 0;
	if (n == 1 && t[0] == DETECT_GLOB_STAR)
		return DETECT_V_ANY;
	lead = n > 0 && t[0] == DETECT_GLOB_STAR;
	trail = n > 1 && t[n - 1] == DETECT_GLOB_STAR;
	a = lead;
	b = n - trail;
	for (size_t i = a; i < b; i++)
		inner += is_wild(t[i]);
	*from = a;
	*to = b;
	if (inner > 0)
		return DETECT_V_GLOB;
	if (lead && trail)
		return DETECT_V_CONTAINS;
	return lead ? DETECT_V_SUFFIX : trail ? DETECT_V_PREFIX : DETECT_V_EQ;
}

static int compile_string(struct detect_ruleset *rs, struct detect_value *v,
			  const char *p, size_t len,
			  const struct detect_mods *m)
{
	uint16_t *t = detect_alloc(rs, (len + 2) * sizeof(*t));
	size_t n, from, to;
	char *lit;

	if (t == NULL)
		return CORE_E_NOMEM;
	n = 0;
	if (m->contains || m->endswith)
		t[n++] = DETECT_GLOB_STAR;
	n += unescape(p, len, t + n);
	if (m->contains || m->startswith)
		t[n++] = DETECT_GLOB_STAR;

	v->cased = m->cased;
	for (size_t i = 0; i < n; i++) {
		if (!v->cased && t[i] < 256)
			t[i] = fold[t[i]];
	}
	v->kind = (uint8_t)classify(t, n, &from, &to);
	v->glob = t;
	v->nglob = n;
	lit = detect_alloc(rs, to - from + 1);
	if (lit == NULL)
		return CORE_E_NOMEM;
	for (size_t i = from; i < to; i++)
		lit[i - from] = (char)t[i];
	v->lit = core_str_make(lit, to - from);
	return 0;
}

static int compile_re(struct detect_ruleset *rs, struct detect_value *v,
		      const char *p, size_t len,
		      const struct detect_mods *m, char *why, size_t nwhy)
{
	uint32_t opt = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	PCRE2_SIZE off;
	int code;

	opt |= m->re_i ? PCRE2_CASELESS : 0;
	opt |= m->re_m ? PCRE2_MULTILINE : 0;
	opt |= m->re_s ? PCRE2_DOTALL : 0;
	v->kind = DETECT_V_RE;
	v->re = pcre2_compile((PCRE2_SPTR)p, len, opt, &code, &off, NULL);
	if (v->re == NULL) {
		PCRE2_UCHAR msg[128];

		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(why, nwhy, "bad regular expression at offset %zu: %s",
			 (size_t)off, (const char *)msg);
		return CORE_E_PARSE;
	}
	/* JIT is an optimisation: without it the interpreter still works. */
	(void)pcre2_jit_compile(v->re, PCRE2_JIT_COMPLETE);
	return detect_keep_re(rs, v->re);
}

static int compile_other(struct detect_value *v, const char *p, size_t len,
			 const struct detect_mods *m, char *why, size_t nwhy)
{
	if (m->cidr) {
		v->kind = DETECT_V_CIDR;
		if (core_cidr_parse(p, len, &v->net, &v->prefix))
			return 0;
		snprintf(why, nwhy, "bad cidr '%.*s'", (int)CORE_MIN(len, 64),
			 p);
		return CORE_E_PARSE;
	}
	if (m->exists) {
		v->kind = DETECT_V_EXISTS;
		v->exists = core_str_eq_lit(core_str_make(p, len), "true");
		if (v->exists ||
		    core_str_eq_lit(core_str_make(p, len), "false"))
			return 0;
		snprintf(why, nwhy, "exists needs true or false");
		return CORE_E_PARSE;
	}
	v->kind = DETECT_V_NUM;
	v->cmp = (uint8_t)m->cmp;
	if (core_str_to_i64(core_str_make(p, len), &v->num))
		return 0;
	snprintf(why, nwhy, "'%.*s' is not an integer", (int)CORE_MIN(len, 64),
		 p);
	return CORE_E_PARSE;
}

int detect_value_compile(struct detect_ruleset *rs, struct detect_value *v,
			 const char *p, size_t len, bool is_null,
			 const struct detect_mods *m, char *why, size_t nwhy)
{
	if (!fold_ready)
		fold_init();
	memset(v, 0, sizeof(*v));
	if (is_null && !m->exists) {
		v->kind = DETECT_V_NULL;
		return 0;
	}
	if (m->re)
		return compile_re(rs, v, p, len, m, why, nwhy);
	if (m->cidr || m->exists || m->cmp >= 0)
		return compile_other(v, p, len, m, why, nwhy);
	return compile_string(rs, v, p, len, m);
}

/* -------------------------------------------------------------- matching */

static bool ieq(const char *a, const char *lit, size_t n, bool cased)
{
	if (cased)
		return memcmp(a, lit, n) == 0;
	for (size_t i = 0; i < n; i++) {
		if (fold[(unsigned char)a[i]] != (unsigned char)lit[i])
			return false;
	}
	return true;
}

static bool icontains(struct core_str s, struct core_str lit, bool cased)
{
	unsigned char c0, c1;

	if (lit.len == 0)
		return true;
	if (lit.len > s.len)
		return false;
	if (cased)
		return memmem(s.p, s.len, lit.p, lit.len) != NULL;
	c0 = (unsigned char)lit.p[0];
	c1 = (unsigned char)(c0 >= 'a' && c0 <= 'z' ? c0 - 32 : c0);
	for (size_t i = 0; i + lit.len <= s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if ((c == c0 || c == c1) &&
		    ieq(s.p + i + 1, lit.p + 1, lit.len - 1, false))
			return true;
	}
	return false;
}

static bool tok_eq(uint16_t t, unsigned char c, bool cased)
{
	return t == DETECT_GLOB_QMARK || t == (cased ? c : fold[c]);
}

/* Glob with * and ?: greedy with backtracking to the last star. */
static bool glob(const uint16_t *t, size_t nt, struct core_str s, bool cased)
{
	size_t ti = 0, si = 0, star = (size_t)-1, mark = 0;

	while (si < s.len) {
		if (ti < nt && t[ti] == DETECT_GLOB_STAR) {
			star = ti++;
			mark = si;
		} else if (ti < nt &&
			   tok_eq(t[ti], (unsigned char)s.p[si], cased)) {
			ti++;
			si++;
		} else if (star != (size_t)-1) {
			ti = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (ti < nt && t[ti] == DETECT_GLOB_STAR)
		ti++;
	return ti == nt;
}

static bool num_match(const struct detect_value *v, struct core_str s)
{
	int64_t x;

	if (!core_str_to_i64(core_str_trim(s), &x))
		return false;
	switch (v->cmp) {
	case DETECT_CMP_GT:
		return x > v->num;
	case DETECT_CMP_GTE:
		return x >= v->num;
	case DETECT_CMP_LT:
		return x < v->num;
	case DETECT_CMP_LTE:
		return x <= v->num;
	default:
		return x == v->num;
	}
}

static bool re_match(struct detect_ruleset *rs, const struct detect_value *v,
		     struct core_str s)
{
	int rc;

	if (rs->md == NULL) {
		rs->md = pcre2_match_data_create(4, NULL);
		if (rs->md == NULL)
			return false;
	}
	rc = pcre2_match(v->re, (PCRE2_SPTR)(s.p ? s.p : ""), s.len, 0, 0,
			 rs->md, NULL);
	return rc >= 0;
}

static bool cidr_match(const struct detect_value *v, struct core_str s)
{
	struct core_ip ip;

	if (!core_ip_parse(s.p, s.len, &ip))
		return false;
	return core_ip_in_cidr(&ip, &v->net, v->prefix);
}

bool detect_value_match(struct detect_ruleset *rs,
			const struct detect_value *v,
			const struct core_str *field)
{
	struct core_str s, l = v->lit;

	if (v->kind == DETECT_V_NULL)
		return field == NULL || field->len == 0;
	if (v->kind == DETECT_V_EXISTS)
		return (field != NULL) == v->exists;
	if (field == NULL)
		return false;
	s = *field;
	switch (v->kind) {
	case DETECT_V_EQ:
		return s.len == l.len && ieq(s.p, l.p, l.len, v->cased);
	case DETECT_V_PREFIX:
		return s.len >= l.len && ieq(s.p, l.p, l.len, v->cased);
	case DETECT_V_SUFFIX:
		return s.len >= l.len &&
		       ieq(s.p + s.len - l.len, l.p, l.len, v->cased);
	case DETECT_V_CONTAINS:
		return icontains(s, l, v->cased);
	case DETECT_V_GLOB:
		return glob(v->glob, v->nglob, s, v->cased);
	case DETECT_V_ANY:
		return true;
	case DETECT_V_RE:
		return re_match(rs, v, s);
	case DETECT_V_CIDR:
		return cidr_match(v, s);
	default:
		return num_match(v, s);
	}
}
