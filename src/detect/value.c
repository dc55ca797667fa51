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

#include <ctype.h>
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

static const struct core_str *fref_one(const struct core_event *ev,
				       const struct detect_fref *f)
{
	const struct core_str *v;

	if (f->id == DETECT_F_KEYWORD) {
		v = core_event_get(ev, CORE_F_MESSAGE);
		if (v == NULL && core_event_raw(ev)->p != NULL)
			v = core_event_raw(ev);
		return v;
	}
	if (f->id != CORE_F_NAMED)
		return core_event_get(ev, (enum core_field_id)f->id);
	/* Known at load not to be an ECS name: only the named fields. */
	if (f->name.len == 0)
		return NULL;
	return core_event_get_named_h(ev, f->name.p, f->name.len, f->hash);
}

const struct core_str *detect_fref_get(const struct core_event *ev,
				       const struct detect_fref *f)
{
	const struct core_str *v = fref_one(ev, f);

	while (v == NULL && f->or != NULL) {
		f = f->or;
		v = fref_one(ev, f);
	}
	return v;
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
		{ "neq", &m->neq },	      { "expand", &m->expand },
		{ "fieldref", &m->fieldref },
	};

	for (size_t i = 0; i < CORE_ARRAY_LEN(flags); i++) {
		if (mod_is(p, len, flags[i].name)) {
			*flags[i].flag = true;
			return true;
		}
	}
	return false;
}

static bool mod_table(const char *p, size_t len, struct detect_mods *m)
{
	static const struct {
		const char *name;
		uint8_t xf, tpart;
	} t[] = {
		{ "windash", DETECT_X_WINDASH, 0 },
		{ "base64", DETECT_X_BASE64, 0 },
		{ "base64offset", DETECT_X_BASE64OFFSET, 0 },
		{ "utf16le", DETECT_X_UTF16LE, 0 },
		{ "wide", DETECT_X_UTF16LE, 0 },
		{ "utf16be", DETECT_X_UTF16BE, 0 },
		{ "utf16", DETECT_X_UTF16, 0 },
		{ "minute", 0, DETECT_T_MINUTE },
		{ "hour", 0, DETECT_T_HOUR },
		{ "day", 0, DETECT_T_DAY },
		{ "week", 0, DETECT_T_WEEK },
		{ "month", 0, DETECT_T_MONTH },
		{ "year", 0, DETECT_T_YEAR },
	};

	for (size_t i = 0; i < CORE_ARRAY_LEN(t); i++) {
		if (!mod_is(p, len, t[i].name))
			continue;
		if (t[i].tpart) {
			m->tpart = t[i].tpart;
			return true;
		}
		if (m->nxf == DETECT_MAX_XFORMS)
			return false;
		m->xf[m->nxf++] = t[i].xf;
		return true;
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
	int kinds = m->re + m->cidr + m->exists + (m->cmp >= 0 || m->tpart);
	int pos = m->contains + m->startswith + m->endswith;

	if (kinds > 1 || (kinds == 1 && pos > 0) || pos > 1 ||
	    (m->fieldref && (kinds > 0 || m->nxf || m->expand))) {
		snprintf(why, nwhy, "conflicting modifiers");
		return CORE_E_UNSUPPORTED;
	}
	if (m->nxf && kinds > 0) {
		snprintf(why, nwhy, "encoding modifiers apply to strings, "
			 "not to re, cidr, exists or numbers");
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
		    !mod_table(p, n, m) && !mod_re_sub(p, n, m)) {
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

/* A list of token strings: one rule value and what it expanded into. */
struct tlist {
	uint16_t *t[DETECT_MAX_EXPANSION];
	size_t n[DETECT_MAX_EXPANSION];
	unsigned cnt;
};

static int tl_add(struct detect_ruleset *rs, struct tlist *l,
		  const uint16_t *t, size_t n, size_t extra)
{
	uint16_t *c;

	if (l->cnt == DETECT_MAX_EXPANSION)
		return CORE_E_TOOBIG;
	c = detect_alloc(rs, (n + extra + 2) * sizeof(*c));
	if (n)
		memcpy(c, t, n * sizeof(*c));
	l->t[l->cnt] = c;
	l->n[l->cnt++] = n;
	return 0;
}

static bool word_tok(uint16_t t)
{
	return t < 256 && (t == '_' || (t >= '0' && t <= '9') ||
			   ((t | 32) >= 'a' && (t | 32) <= 'z'));
}

/*
 * windash: every '-' or '/' that starts a word (no word character
 * before it, one after it) becomes each of - / and the en dash, em dash
 * and horizontal bar, in every combination.
 */
static int x_windash(struct detect_ruleset *rs, const uint16_t *t, size_t n,
		     struct tlist *out)
{
	static const char *dash[] = { "-", "/", "\xe2\x80\x93",
				      "\xe2\x80\x94", "\xe2\x80\x95" };
	size_t pos[16], np = 0;
	unsigned long combos = 1;

	for (size_t i = 0; i < n; i++) {
		bool before = i > 0 && word_tok(t[i - 1]);

		if ((t[i] == '-' || t[i] == '/') && !before && i + 1 < n &&
		    word_tok(t[i + 1])) {
			if (np == CORE_ARRAY_LEN(pos))
				return CORE_E_TOOBIG;
			pos[np++] = i;
			combos *= 5;
		}
	}
	if (combos > DETECT_MAX_EXPANSION)
		return CORE_E_TOOBIG;
	for (unsigned long c = 0; c < combos; c++) {
		uint16_t buf[4096];
		unsigned long sel = c;
		size_t o = 0, k = 0;

		if (n * 3 > CORE_ARRAY_LEN(buf))
			return CORE_E_TOOBIG;
		for (size_t i = 0; i < n; i++) {
			const char *d;

			if (k < np && pos[k] == i) {
				d = dash[sel % 5];
				sel /= 5;
				k++;
				while (*d)
					buf[o++] = (unsigned char)*d++;
				continue;
			}
			buf[o++] = t[i];
		}
		if (tl_add(rs, out, buf, o, 2) != 0)
			return CORE_E_TOOBIG;
	}
	return 0;
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 of bytes[0, n) into out (4 * ceil(n / 3) tokens). */
static size_t b64_enc(const unsigned char *in, size_t n, uint16_t *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;

		v |= i + 1 < n ? (unsigned)in[i + 1] << 8 : 0;
		v |= i + 2 < n ? in[i + 2] : 0;
		out[o++] = (unsigned char)b64[(v >> 18) & 63];
		out[o++] = (unsigned char)b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? (unsigned char)b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? (unsigned char)b64[v & 63] : '=';
	}
	return o;
}

/*
 * base64 encodes the whole value; base64offset gives the three encodings
 * of the value shifted by 0, 1 and 2 bytes, cut to the characters that
 * do not depend on the bytes around it.
 */
static int x_base64(struct detect_ruleset *rs, const uint16_t *t, size_t n,
		    bool offset, struct tlist *out, char *why, size_t nwhy)
{
	static const size_t cut_start[3] = { 0, 2, 3 };
	static const size_t cut_end[3] = { 0, 3, 2 };
	unsigned char bytes[2048];
	uint16_t enc[2800];

	if (n + 2 > sizeof(bytes))
		return CORE_E_TOOBIG;
	for (size_t i = 0; i < n; i++) {
		if (t[i] > 255) {
			snprintf(why, nwhy, "base64 of a value with wildcards");
			return CORE_E_UNSUPPORTED;
		}
		bytes[i + 2] = (unsigned char)t[i];
	}
	if (!offset)
		return tl_add(rs, out, enc, b64_enc(bytes + 2, n, enc), 2);
	for (unsigned s = 0; s < 3; s++) {
		size_t m, e;

		memset(bytes + 2 - s, ' ', s);
		m = b64_enc(bytes + 2 - s, n + s, enc);
		e = cut_end[(n + s) % 3];
		if (m < cut_start[s] + e)
			continue;
		if (tl_add(rs, out, enc + cut_start[s],
			   m - cut_start[s] - e, 2) != 0)
			return CORE_E_TOOBIG;
	}
	return 0;
}

/* Decodes one UTF-8 sequence from tokens; wildcards come back as is. */
static size_t utf8_cp(const uint16_t *t, size_t n, uint32_t *cp)
{
	unsigned c = t[0], need = 0;

	if (c > 255 || c < 0x80) {
		*cp = c;
		return 1;
	}
	need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
	*cp = c & (0x3f >> need);
	if (need == 0 || need >= n)
		return 1;
	for (unsigned i = 1; i <= need; i++)
		*cp = (*cp << 6) | (t[i] & 0x3f);
	return need + 1;
}

/* utf16le / utf16be / utf16 (with a little-endian byte order mark). */
static int x_utf16(struct detect_ruleset *rs, const uint16_t *t, size_t n,
		   uint8_t how, struct tlist *out)
{
	uint16_t buf[8192];
	size_t o = 0;
	bool be = how == DETECT_X_UTF16BE;

	if (how == DETECT_X_UTF16) {
		buf[o++] = 0xff;
		buf[o++] = 0xfe;
	}
	for (size_t i = 0; i < n;) {
		uint32_t cp, u[2];
		unsigned nu = 1;

		i += utf8_cp(t + i, n - i, &cp);
		if (o + 4 > CORE_ARRAY_LEN(buf))
			return CORE_E_TOOBIG;
		if (cp > 0xffff && cp <= 0x10ffff && cp != DETECT_GLOB_STAR &&
		    cp != DETECT_GLOB_QMARK) {
			cp -= 0x10000;
			u[0] = 0xd800 | (cp >> 10);
			u[1] = 0xdc00 | (cp & 0x3ff);
			nu = 2;
		} else {
			u[0] = cp;
		}
		for (unsigned k = 0; k < nu; k++) {
			if (u[k] == DETECT_GLOB_STAR ||
			    u[k] == DETECT_GLOB_QMARK) {
				buf[o++] = (uint16_t)u[k];
				continue;
			}
			buf[o++] = be ? (u[k] >> 8) & 255 : u[k] & 255;
			buf[o++] = be ? u[k] & 255 : (u[k] >> 8) & 255;
		}
	}
	return tl_add(rs, out, buf, o, 2);
}

static int xform_all(struct detect_ruleset *rs, struct tlist **cur,
		     struct tlist **spare, uint8_t xf, char *why, size_t nwhy)
{
	struct tlist *in = *cur, *out = *spare;
	int rc = 0;

	out->cnt = 0;
	for (unsigned i = 0; i < in->cnt && rc == 0; i++) {
		if (xf == DETECT_X_WINDASH)
			rc = x_windash(rs, in->t[i], in->n[i], out);
		else if (xf == DETECT_X_BASE64 || xf == DETECT_X_BASE64OFFSET)
			rc = x_base64(rs, in->t[i], in->n[i],
				      xf == DETECT_X_BASE64OFFSET, out, why,
				      nwhy);
		else
			rc = x_utf16(rs, in->t[i], in->n[i], xf, out);
	}
	if (rc == CORE_E_TOOBIG)
		snprintf(why, nwhy, "value expands into more than %d values",
			 DETECT_MAX_EXPANSION);
	*cur = out;
	*spare = in;
	return rc;
}

/* Adds the positional wildcards, folds case and picks the matcher. */
static int finish_string(struct detect_ruleset *rs, struct detect_value *v,
			 uint16_t *t, size_t n, const struct detect_mods *m)
{
	size_t from, to;
	char *lit;

	if (m->contains || m->endswith) {
		memmove(t + 1, t, n * sizeof(*t));
		t[0] = DETECT_GLOB_STAR;
		n++;
	}
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
	for (size_t i = from; i < to; i++)
		lit[i - from] = (char)t[i];
	v->lit = core_str_make(lit, to - from);
	return 0;
}

static int compile_string(struct detect_ruleset *rs, struct detect_value *v,
			  const char *p, size_t len,
			  const struct detect_mods *m)
{
	uint16_t *t = detect_alloc(rs, (len + 2) * sizeof(*t));

	return finish_string(rs, v, t, unescape(p, len, t), m);
}

/* Index just past the class opening at p[i] ('['), or len + 1 when it
 * is not closed. */
static size_t skip_class(const char *p, size_t len, size_t i)
{
	i++;
	if (i < len && p[i] == '^')
		i++;
	if (i < len && p[i] == ']')
		i++;
	for (; i < len; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == ']')
			return i + 1;
	}
	return len + 1;
}

/* Index just past the group opening at p[i] ('('), or len + 1. */
static size_t skip_group(const char *p, size_t len, size_t i)
{
	unsigned depth = 0;

	for (i++; i < len; i++) {
		if (p[i] == '\\') {
			i++;
		} else if (p[i] == '[') {
			i = skip_class(p, len, i) - 1;
		} else if (p[i] == '(') {
			depth++;
		} else if (p[i] == ')') {
			if (depth-- == 0)
				return i + 1;
		}
	}
	return len + 1;
}

/* An inline option group "(?i)" "(?-s)" "(?Jx)" ...: is p[i..end) one,
 * and does it set x (which makes blanks mean nothing)? */
static bool re_options(const char *p, size_t i, size_t end, bool *x)
{
	if (end - i < 4 || p[i + 1] != '?' || p[end - 1] != ')')
		return false;
	*x = false;
	for (size_t k = i + 2; k < end - 1; k++) {
		if (!isalpha((unsigned char)p[k]) && p[k] != '-' &&
		    p[k] != '^')
			return false;
		*x = *x || p[k] == 'x';
	}
	return true;
}

/*
 * Constructs the reading below does not follow, given up on wherever
 * they stand: verbs such as (*ACCEPT), comments (a quantifier after one
 * binds to the atom before it), \Q...\E, \c (which takes the next
 * character, a bracket too, as its argument), POSIX classes, and the x
 * option anywhere, scoped or not (blanks mean nothing there, and # opens
 * a comment that may hold brackets).
 */
static bool re_unread(const char *p, size_t len)
{
	static const char *const bad[] = { "(*", "(?#", "\\Q", "\\c", "[:",
					   "[.", "[=" };

	for (size_t i = 0; i + 1 < len; i++) {
		for (size_t k = 0; k < CORE_ARRAY_LEN(bad); k++) {
			size_t n = strlen(bad[k]);

			if (i + n <= len && memcmp(p + i, bad[k], n) == 0)
				return true;
		}
		if (p[i] != '(' || p[i + 1] != '?')
			continue;
		for (size_t k = i + 2; k < len; k++) {
			if (p[k] == 'x')
				return true;
			if (!isalpha((unsigned char)p[k]) && p[k] != '-' &&
			    p[k] != '^')
				break;
		}
	}
	return false;
}

/*
 * The regular expression's required literal: the longest run of plain
 * characters that every match contains, in lower case, for the prefilter
 * (in rs's memory; empty when none can be told).  Only what stands
 * outside groups and classes counts.  What re_unread() names, a
 * top-level `|`, a numbered or named escape, or a brace that is not a
 * quantifier give up.  A
 * character made optional (?, *, {0) ends the run before it, one
 * repeated (+, {n}) after it.  Caseless, PCRE2 in UTF mode folds k and s
 * with the Kelvin and long-s signs and non-ASCII letters with theirs,
 * which ASCII case folding does not: those end the run too, and an
 * option group met on the way is taken to turn caseless on.
 */
struct core_str detect_re_literal(struct detect_ruleset *rs, const char *p,
				  size_t len, bool caseless)
{
	char *best = detect_alloc(rs, 2 * len + 2), *cur;
	size_t i = 0, run = 0, nbest = 0;

	if (best == NULL || re_unread(p, len))
		return core_str_make(NULL, 0);
	cur = best + len + 1;
	while (i <= len) {
		size_t next = i + 1, q;
		int c = -1;	/* the atom's literal byte, else -1 */
		bool opt = false, rep = false, x;

		if (i == len) {
			next = len + 1;
		} else if (p[i] == '\\') {
			unsigned char e = i + 1 < len ? (unsigned char)p[i + 1]
						      : 0;

			if (e == 0 || e >= 0x80)
				return core_str_make(NULL, 0);
			next = i + 2;
			if (!isalnum(e) && e != '_')
				c = e;
			else if (strchr("sSdDwWbBAzZGhHvVRNXntrfea", e) == NULL)
				return core_str_make(NULL, 0);
		} else if (p[i] == '(') {
			next = skip_group(p, len, i);
			if (next > len)
				return core_str_make(NULL, 0);
			if (re_options(p, i, next, &x)) {
				if (x)
					return core_str_make(NULL, 0);
				caseless = true;
			}
		} else if (p[i] == '[') {
			next = skip_class(p, len, i);
			if (next > len)
				return core_str_make(NULL, 0);
		} else if ((unsigned char)p[i] >= 0x80) {
			/* One UTF-8 character: an atom, not sought. */
			while (next < len && ((unsigned char)p[next] & 0xc0) ==
			       0x80)
				next++;
		} else if (strchr("|{)*+?", p[i]) != NULL) {
			return core_str_make(NULL, 0);
		} else if (strchr(".^$", p[i]) == NULL) {
			c = (unsigned char)p[i];
		}
		/* The quantifier after the atom. */
		q = next;
		if (q < len && (p[q] == '?' || p[q] == '*')) {
			opt = rep = true;
			q++;
		} else if (q < len && p[q] == '+') {
			rep = true;
			q++;
		} else if (q < len && p[q] == '{') {
			size_t d = ++q;

			while (q < len && isdigit((unsigned char)p[q]))
				q++;
			/* {0}, {00,3}, {,3}: none required. */
			opt = true;
			for (size_t k = d; k < q; k++)
				opt = opt && p[k] == '0';
			if (q < len && p[q] == ',')
				for (q++; q < len &&
				     isdigit((unsigned char)p[q]); q++)
					;
			if (q == len || p[q] != '}' || (q == d + 1 &&
							p[d] == ','))
				return core_str_make(NULL, 0);
			rep = true;
			q++;
		}
		if (rep && q < len && (p[q] == '?' || p[q] == '+'))
			q++;
		if (c >= 0 && caseless && strchr("kKsS", c) != NULL)
			c = -1;
		if (c >= 0 && !opt)
			cur[run++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		if (c < 0 || opt || rep || i == len) {
			if (run > nbest) {
				memcpy(best, cur, run);
				nbest = run;
			}
			run = 0;
		}
		i = q;
	}
	return core_str_make(best, nbest);
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
	v->lit = detect_re_literal(rs, p, len, m->re_i);
	v->re = pcre2_compile((PCRE2_SPTR)p, len, opt, &code, &off, NULL);
	if (v->re == NULL) {
		PCRE2_UCHAR msg[128];

		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(why, nwhy, "bad regular expression at offset %zu: %s",
			 (size_t)off, (const char *)msg);
		return CORE_E_PARSE;
	}
	/* JIT is an optimisation: without it the interpreter still works;
	 * detect_ruleset_stats() says how many were JIT-compiled. */
	if (pcre2_jit_compile(v->re, PCRE2_JIT_COMPLETE) == 0)
		rs->nre_jit++;
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
	v->cmp = (uint8_t)(m->cmp >= 0 ? m->cmp : DETECT_CMP_EQ);
	v->tpart = m->tpart;
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
	if (m->nxf || m->expand || m->fieldref) {
		snprintf(why, nwhy, "modifier not allowed here");
		return CORE_E_UNSUPPORTED;
	}
	if (is_null && !m->exists) {
		v->kind = DETECT_V_NULL;
		return 0;
	}
	if (m->re)
		return compile_re(rs, v, p, len, m, why, nwhy);
	if (m->cidr || m->exists || m->cmp >= 0 || m->tpart)
		return compile_other(v, p, len, m, why, nwhy);
	return compile_string(rs, v, p, len, m);
}

static const struct detect_placeholder *ph_find(struct detect_ruleset *rs,
						const char *p, size_t len)
{
	for (unsigned i = 0; i < rs->nph; i++) {
		if (strlen(rs->ph[i].name) == len &&
		    memcmp(rs->ph[i].name, p, len) == 0)
			return &rs->ph[i];
	}
	return NULL;
}

struct slist {
	char *s[DETECT_MAX_EXPANSION];
	size_t n[DETECT_MAX_EXPANSION];
	unsigned cnt;
};

/* Appends text to every string of l (arena copies). */
static void sl_append(struct detect_ruleset *rs, struct slist *l,
		      const char *p, size_t len)
{
	for (unsigned i = 0; i < l->cnt; i++) {
		char *c = detect_alloc(rs, l->n[i] + len + 1);

		memcpy(c, l->s[i], l->n[i]);
		memcpy(c + l->n[i], p, len);
		l->s[i] = c;
		l->n[i] += len;
	}
}

/* Each string of l, once per value of the placeholder. */
static int sl_cross(struct detect_ruleset *rs, struct slist *l,
		    const struct detect_placeholder *ph)
{
	struct slist *o = detect_alloc(rs, sizeof(*o));

	if ((size_t)l->cnt * ph->n > DETECT_MAX_EXPANSION)
		return CORE_E_TOOBIG;
	for (unsigned i = 0; i < l->cnt; i++) {
		for (unsigned k = 0; k < ph->n; k++) {
			o->s[o->cnt] = l->s[i];
			o->n[o->cnt++] = l->n[i];
		}
	}
	for (unsigned i = 0; i < o->cnt; i++) {
		const char *v = ph->vals[i % ph->n];
		size_t vl = strlen(v);
		char *c = detect_alloc(rs, o->n[i] + vl + 1);

		memcpy(c, o->s[i], o->n[i]);
		memcpy(c + o->n[i], v, vl);
		o->s[i] = c;
		o->n[i] += vl;
	}
	memcpy(l, o, sizeof(*l));
	return 0;
}

/*
 * expand: %name% is replaced by each value the user gave the placeholder
 * (data/placeholders.yml); \% is a plain percent sign.  A placeholder
 * nobody defined is an empty list: the value matches nothing, the rule
 * still loads, and its name is left in rs->ph_missing for the loader to
 * warn about.  Returns 1 then, else 0 or a negative CORE_E_....
 */
static int placeholders(struct detect_ruleset *rs, const char *p, size_t len,
			struct slist *l, char *why, size_t nwhy)
{
	size_t i = 0, lit = 0;

	l->cnt = 1;
	l->s[0] = "";
	l->n[0] = 0;
	while (i < len) {
		const char *close;
		const struct detect_placeholder *ph;

		if (p[i] == '\\' && i + 1 < len && p[i + 1] == '%') {
			sl_append(rs, l, p + lit, i - lit);
			lit = ++i;
			i++;
			continue;
		}
		close = p[i] == '%' ? memchr(p + i + 1, '%', len - i - 1) :
			NULL;
		if (close == NULL) {
			i++;
			continue;
		}
		sl_append(rs, l, p + lit, i - lit);
		ph = ph_find(rs, p + i + 1, (size_t)(close - p - i - 1));
		if (ph == NULL) {
			snprintf(rs->ph_missing, sizeof(rs->ph_missing),
				 "%.*s",
				 (int)CORE_MIN((size_t)(close - p - i) + 1, 64),
				 p + i);
			return 1;
		}
		if (sl_cross(rs, l, ph) != 0) {
			snprintf(why, nwhy, "placeholders expand into more "
				 "than %d values", DETECT_MAX_EXPANSION);
			return CORE_E_TOOBIG;
		}
		i = lit = (size_t)(close - p) + 1;
	}
	sl_append(rs, l, p + lit, len - lit);
	return 0;
}

static void vals_push(struct detect_ruleset *rs, struct detect_value **vals,
		      unsigned *n, unsigned *cap, const struct detect_value *v)
{
	if (*n == *cap) {
		unsigned ncap = *cap ? *cap * 2 : 4;
		struct detect_value *nv = detect_alloc(rs, ncap * sizeof(*nv));

		if (*n)
			memcpy(nv, *vals, *n * sizeof(*nv));
		*vals = nv;
		*cap = ncap;
	}
	(*vals)[(*n)++] = *v;
}

static int expand_strings(struct detect_ruleset *rs, const struct slist *sl,
			  const struct detect_mods *m, uint16_t group,
			  struct detect_value **vals, unsigned *n,
			  unsigned *cap, char *why, size_t nwhy)
{
	struct tlist *a = detect_alloc(rs, sizeof(*a));
	struct tlist *b = detect_alloc(rs, sizeof(*b));
	int rc = 0;

	for (unsigned i = 0; i < sl->cnt; i++) {
		uint16_t *t = detect_alloc(rs, (sl->n[i] + 2) * sizeof(*t));

		a->t[a->cnt] = t;
		a->n[a->cnt++] = unescape(sl->s[i], sl->n[i], t);
	}
	for (unsigned x = 0; x < m->nxf && rc == 0; x++)
		rc = xform_all(rs, &a, &b, m->xf[x], why, nwhy);
	for (unsigned i = 0; i < a->cnt && rc == 0; i++) {
		struct detect_value v;

		memset(&v, 0, sizeof(v));
		if (*n >= DETECT_MAX_VALUES) {
			snprintf(why, nwhy, "more than %d values",
				 DETECT_MAX_VALUES);
			return CORE_E_TOOBIG;
		}
		finish_string(rs, &v, a->t[i], a->n[i], m);
		v.grp = group;
		vals_push(rs, vals, n, cap, &v);
	}
	return rc;
}

int detect_value_expand(struct detect_ruleset *rs, const char *p, size_t len,
			bool is_null, const struct detect_mods *m,
			uint16_t group, struct detect_value **vals,
			unsigned *n, unsigned *cap, char *why, size_t nwhy)
{
	struct detect_mods plain = *m;
	struct detect_value v;
	struct slist *sl;
	int rc;

	if (!fold_ready)
		fold_init();
	memset(&v, 0, sizeof(v));
	v.grp = group;
	if (m->fieldref) {
		v.kind = DETECT_V_FIELDREF;
		v.cased = m->cased;
		/* cmp stands for the position: eq, startswith (gte),
		 * endswith (lte) or contains (neq). */
		v.cmp = m->startswith ? DETECT_CMP_GTE : m->endswith ?
			DETECT_CMP_LTE : m->contains ? DETECT_CMP_NEQ :
			DETECT_CMP_EQ;
		v.lit = core_str_make(detect_strdup(rs, p, len), len);
		vals_push(rs, vals, n, cap, &v);
		return 0;
	}
	if (is_null || m->re || m->cidr || m->exists || m->cmp >= 0 ||
	    m->tpart || (!m->nxf && !m->expand)) {
		plain.nxf = 0;
		plain.expand = false;
		rc = detect_value_compile(rs, &v, p, len, is_null, &plain, why,
					  nwhy);
		v.grp = group;
		if (rc == 0)
			vals_push(rs, vals, n, cap, &v);
		return rc;
	}
	sl = detect_alloc(rs, sizeof(*sl));
	if (m->expand) {
		rc = placeholders(rs, p, len, sl, why, nwhy);
		if (rc == 1) {
			v.kind = DETECT_V_NONE;
			vals_push(rs, vals, n, cap, &v);
			return 0;
		}
		if (rc != 0)
			return rc;
	} else {
		sl->cnt = 1;
		sl->s[0] = (char *)p;
		sl->n[0] = len;
	}
	return expand_strings(rs, sl, m, group, vals, n, cap, why, nwhy);
}

/*
 * A copy of v that tests lit the same way; v is an equality, prefix,
 * suffix or substring test.
 */
static void value_relit(struct detect_ruleset *rs,
			const struct detect_value *v, struct core_str lit,
			struct detect_value *out)
{
	struct detect_mods m = { .cased = v->cased, .cmp = -1 };
	uint16_t *t = detect_alloc(rs, (lit.len + 2) * sizeof(*t));
	size_t n = 0;

	*out = *v;
	if (v->kind == DETECT_V_SUFFIX || v->kind == DETECT_V_CONTAINS)
		t[n++] = DETECT_GLOB_STAR;
	for (size_t i = 0; i < lit.len; i++)
		t[n++] = (unsigned char)lit.p[i];
	if (v->kind == DETECT_V_PREFIX || v->kind == DETECT_V_CONTAINS)
		t[n++] = DETECT_GLOB_STAR;
	finish_string(rs, out, t, n, &m);
}

int detect_value_msgrefs(struct detect_ruleset *rs,
			  const struct detect_msgrefs *mr, unsigned from,
			  struct detect_value **vals, unsigned *n,
			  unsigned *cap)
{
	unsigned end = *n;

	for (unsigned i = from; i < end; i++) {
		uint8_t kind = (*vals)[i].kind;

		if ((kind != DETECT_V_EQ && kind != DETECT_V_PREFIX &&
		     kind != DETECT_V_SUFFIX && kind != DETECT_V_CONTAINS) ||
		    (*vals)[i].lit.len == 0)
			continue;
		for (unsigned k = 0; k < mr->n; k++) {
			/* vals_push() may move the values: index each time. */
			const struct detect_value *v = &(*vals)[i];
			struct detect_value alt;

			if (detect_value_match(rs, v, &mr->text[k], NULL))
				value_relit(rs, v, mr->ref[k], &alt);
			else if (detect_value_match(rs, v, &mr->ref[k], NULL))
				value_relit(rs, v, mr->text[k], &alt);
			else
				continue;
			if (*n >= DETECT_MAX_VALUES)
				return CORE_E_TOOBIG;
			vals_push(rs, vals, n, cap, &alt);
		}
	}
	return 0;
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

/* Both sides folded: neither was prepared at load. */
static bool ieq_raw(const char *a, const char *b, size_t n, bool cased)
{
	if (cased)
		return memcmp(a, b, n) == 0;
	for (size_t i = 0; i < n; i++) {
		if (fold[(unsigned char)a[i]] != fold[(unsigned char)b[i]])
			return false;
	}
	return true;
}

/*
 * Where lit (folded) may start in s: each place memchr finds its first
 * byte c, which has no other case.  memchr skips the bytes in between
 * many at a time, which a byte loop does not.
 */
static bool ifind_one(struct core_str s, struct core_str lit, unsigned char c)
{
	const char *p = s.p, *last = s.p + s.len - lit.len;

	while (p <= last &&
	       (p = memchr(p, c, (size_t)(last - p) + 1)) != NULL) {
		if (ieq(p + 1, lit.p + 1, lit.len - 1, false))
			return true;
		p++;
	}
	return false;
}

/* The same for a first byte with two cases: lower c0, upper c1. */
static bool ifind_two(struct core_str s, struct core_str lit,
		      unsigned char c0, unsigned char c1)
{
	const char *p = s.p, *last = s.p + s.len - lit.len;
	const char *a = NULL, *b = NULL;

	while (p <= last) {
		size_t n = (size_t)(last - p) + 1;

		if (a != NULL && a < p)
			a = NULL;
		if (b != NULL && b < p)
			b = NULL;
		if (a == NULL && (a = memchr(p, c0, n)) == NULL)
			a = last + 1;
		if (b == NULL && (b = memchr(p, c1, n)) == NULL)
			b = last + 1;
		p = a < b ? a : b;
		if (p > last)
			return false;
		if (ieq(p + 1, lit.p + 1, lit.len - 1, false))
			return true;
		p++;
	}
	return false;
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
	if (c0 == c1)
		return ifind_one(s, lit, c0);
	return ifind_two(s, lit, c0, c1);
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

/*
 * The part of a date a time modifier names, from "YYYY-MM-DD[T ]HH:MM"
 * or more; no zone conversion (the specification says so).
 */
static bool time_part(struct core_str s, unsigned part, int64_t *out)
{
	uint64_t f[5];
	static const size_t at[5] = { 0, 5, 8, 11, 14 };
	static const size_t len[5] = { 4, 2, 2, 2, 2 };
	int64_t days, jan1, wd;

	s = core_str_trim(s);
	if (s.len < 16)
		return false;
	for (int i = 0; i < 5; i++) {
		if (!core_str_to_u64(core_str_make(s.p + at[i], len[i]),
				     &f[i]))
			return false;
	}
	switch (part) {
	case DETECT_T_MINUTE:
		*out = (int64_t)f[4];
		return true;
	case DETECT_T_HOUR:
		*out = (int64_t)f[3];
		return true;
	case DETECT_T_DAY:
		*out = (int64_t)f[2];
		return true;
	case DETECT_T_MONTH:
		*out = (int64_t)f[1];
		return true;
	case DETECT_T_YEAR:
		*out = (int64_t)f[0];
		return true;
	default:
		break;
	}
	/* ISO 8601 week: the week holding the year's first Thursday is 1. */
	days = core_days_from_civil((int64_t)f[0], (unsigned)f[1],
				    (unsigned)f[2]);
	jan1 = core_days_from_civil((int64_t)f[0], 1, 1);
	wd = ((days + 3) % 7 + 7) % 7;	/* 0 = Monday */
	*out = (days - jan1 - wd + 10) / 7;
	if (*out < 1)
		*out = 52;
	else if (*out > 52)
		*out = 1;
	return true;
}

static bool num_match(const struct detect_value *v, struct core_str s)
{
	int64_t x;

	if (v->tpart) {
		if (!time_part(s, v->tpart, &x))
			return false;
	} else if (!core_str_to_i64(core_str_trim(s), &x)) {
		return false;
	}
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

/* fieldref: the other field's value is the literal (see expand). */
static bool ref_match(const struct detect_value *v, struct core_str s,
		      const struct core_event *ev)
{
	const struct core_str *o = ev ? detect_fref_get(ev, &v->ref) : NULL;
	struct core_str l;

	if (o == NULL || s.len < o->len)
		return false;
	l = *o;
	switch (v->cmp) {
	case DETECT_CMP_GTE:
		return ieq_raw(s.p, l.p, l.len, v->cased);
	case DETECT_CMP_LTE:
		return ieq_raw(s.p + s.len - l.len, l.p, l.len, v->cased);
	case DETECT_CMP_NEQ:
		for (size_t i = 0; i + l.len <= s.len; i++) {
			if (ieq_raw(s.p + i, l.p, l.len, v->cased))
				return true;
		}
		return false;
	default:
		return s.len == l.len && ieq_raw(s.p, l.p, l.len, v->cased);
	}
}

bool detect_value_match(struct detect_ruleset *rs,
			const struct detect_value *v,
			const struct core_str *field,
			const struct core_event *ev)
{
	struct core_str s, l = v->lit;

	if (v->kind == DETECT_V_NULL)
		return field == NULL || field->len == 0;
	if (v->kind == DETECT_V_NONE)
		return false;
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
	case DETECT_V_FIELDREF:
		return ref_match(v, s, ev);
	default:
		return num_match(v, s);
	}
}
