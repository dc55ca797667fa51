/*
 * mask.c: the tokens of a message with their variables masked, and the
 * removal of a leading log header.
 *
 * Every message the miner sees passes through anomaly_mask_line() once,
 * so it is written as one walk over the bytes with a class table, no
 * regular expressions and no allocation: a few hundred nanoseconds for a
 * typical 100-byte message.
 *
 * Masking works inside a token, on runs of letters and digits, so the
 * punctuation that frames a variable stays in the template: "(uid=0)"
 * gives "(uid=<*>)", "[10.0.0.1]" gives "[<*>]".  What is masked is what
 * is variable in any log, whatever its type: numbers, hex, addresses,
 * identifiers with numeric tails.  Words are never masked here; whether
 * a word is a variable (a user name, a host) is learnt by the miner from
 * how many values it takes.
 */
#include "anomaly/anomaly_int.h"

#include <string.h>
#include <strings.h>

enum {
	C_DIGIT = 1 << 0,
	C_ALPHA = 1 << 1,
	C_HEX = 1 << 2,		/* a-f, A-F (digits are C_DIGIT) */
	C_SPACE = 1 << 3,
};

static uint8_t cls[256];

static void cls_init(void)
{
	if (cls['0'])
		return;
	for (int c = 0; c < 256; c++) {
		uint8_t v = 0;

		if (c >= '0' && c <= '9')
			v = C_DIGIT;
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 c >= 0x80)
			v = C_ALPHA;
		if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
			v |= C_HEX;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
		    c == '\v' || c == '\f')
			v = C_SPACE;
		cls[c] = v;
	}
}

#define IS_DIGIT(c) (cls[(uint8_t)(c)] & C_DIGIT)
#define IS_ALNUM(c) (cls[(uint8_t)(c)] & (C_DIGIT | C_ALPHA))
#define IS_HEXD(c) (cls[(uint8_t)(c)] & (C_DIGIT | C_HEX))
#define IS_SPACE(c) (cls[(uint8_t)(c)] & C_SPACE)

/* The output of one token being built, from start to len in buf. */
struct out {
	char *buf;
	size_t start;
	size_t len;
};

static void put(struct out *o, const char *p, size_t n)
{
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static bool ends_slot(const struct out *o, size_t back)
{
	size_t l = o->len - back;

	return l >= o->start + 3 && memcmp(o->buf + l - 3, "<*>", 3) == 0;
}

/* A slot, folded into a slot just before it or before a dot before it. */
static void put_slot(struct out *o)
{
	if (ends_slot(o, 0))
		return;
	if (o->len > o->start && o->buf[o->len - 1] == '.' && ends_slot(o, 1)) {
		o->len--;
		return;
	}
	put(o, "<*>", 3);
}

/* Length of a run of hex digits at p (at most max). */
static size_t hex_run(const char *p, const char *e, size_t max)
{
	size_t n = 0;

	while (p + n < e && n <= max && IS_HEXD(p[n]))
		n++;
	return n;
}

/* Length of a UUID (8-4-4-4-12 hex) starting at p, or 0. */
static size_t uuid_at(const char *p, const char *e)
{
	static const size_t group[] = { 8, 4, 4, 4, 12 };
	const char *q = p;

	for (size_t g = 0; g < CORE_ARRAY_LEN(group); g++) {
		if (hex_run(q, e, group[g]) != group[g])
			return 0;
		q += group[g];
		if (g < 4) {
			if (q >= e || *q != '-')
				return 0;
			q++;
		}
	}
	if (q < e && IS_ALNUM(*q))
		return 0;
	return (size_t)(q - p);
}

/*
 * IPv6 or MAC address filling [p, e): hex digits and one kind of
 * separator, with "::" or at least five separators (so clock times,
 * with at most three, keep their shape).
 */
static bool is_addr(const char *p, const char *e)
{
	size_t colons = 0, dashes = 0, dots = 0, digits = 0;
	bool dbl = false;

	for (const char *q = p; q < e; q++) {
		if (*q == ':') {
			colons++;
			dbl |= q + 1 < e && q[1] == ':';
		} else if (*q == '-') {
			dashes++;
		} else if (*q == '.') {
			dots++;
		} else if (IS_HEXD(*q)) {
			digits++;
		} else {
			return false;
		}
	}
	if (digits == 0 || (colons && dashes))
		return false;
	if (colons >= 2 && (dbl || colons >= 5))
		return dots == 0 || dots == 3;
	return dashes == 5 && dots == 0 && (size_t)(e - p) == 17;
}

/*
 * A path of two or more components filling [p, e): "/var/log/x",
 * "./a/b", "C:\\Windows\\x".  One component ("/10.0.0.1:80") is left
 * to the number rules, so an address keeps its port.
 */
static bool is_path(const char *p, const char *e)
{
	size_t seps = 0;

	if (e - p >= 3 && ((p[0] >= 'A' && p[0] <= 'Z') ||
			   (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':' &&
	    p[2] == '\\')
		return true;
	if (p < e && *p == '.')
		p++;
	if (p >= e || (*p != '/' && *p != '~'))
		return false;
	for (; p < e; p++) {
		if (*p == '/')
			seps++;
		else if (IS_SPACE(*p) || *p == '"' || *p == '\'')
			return false;
	}
	return seps >= 2;
}

/* Masks the alphanumeric run [p, q) that starts inside a token. */
static void mask_run(struct out *o, const char *p, const char *q)
{
	size_t n = (size_t)(q - p), d = 0, h = 0;

	while (d < n && IS_DIGIT(p[d]))
		d++;
	while (h < n && IS_HEXD(p[h]))
		h++;
	if (d == n) {
		put_slot(o);
		return;
	}
	if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    hex_run(p + 2, q, n) == n - 2) {
		put_slot(o);
		return;
	}
	if (h == n && n >= 6) {
		put_slot(o);
		return;
	}
	if (d > 0) {
		/* A number with a unit ("12KB", "10ms"): keep the unit. */
		size_t a = d, t;

		while (a < n && !IS_DIGIT(p[a]))
			a++;
		if (a == n) {
			put_slot(o);
			put(o, p + d, n - d);
			return;
		}
		/* The date and time of an ISO 8601 stamp ("10T13"). */
		for (t = d + 1; t < n && IS_DIGIT(p[t]); t++)
			;
		if (p[d] == 'T' && a == d + 1 && t == n) {
			put_slot(o);
			put(o, "T", 1);
			put_slot(o);
			return;
		}
	}
	put(o, p, n);
}

/* End of the identifier ([A-Za-z0-9_-]) that starts at p. */
static const char *ident_end(const char *p, const char *e)
{
	while (p < e && (IS_ALNUM(*p) || *p == '_' || *p == '-'))
		p++;
	return p;
}

static const char *const tlds[] = {
	"com", "net", "org", "edu", "gov", "mil", "int", "io", "local",
	"lan", "corp", "internal", "localdomain", "arpa",
};

/*
 * A host name of three or more labels ending in a generic top-level or
 * site-local domain ("node7.corp.example.com"): one variable.  Java
 * class names ("java.net.Socket") end in a class, not a domain.
 */
static bool is_domain(const char *p, const char *e)
{
	const char *last = p;
	size_t labels = 1;

	for (const char *q = p; q < e; q++) {
		if (*q == '.') {
			if (q == last || q + 1 == e)
				return false;
			labels++;
			last = q + 1;
		} else if (!IS_ALNUM(*q) && *q != '-') {
			return false;
		}
	}
	if (labels < 3)
		return false;
	for (size_t k = 0; k < CORE_ARRAY_LEN(tlds); k++)
		if ((size_t)(e - last) == strlen(tlds[k]) &&
		    strncasecmp(last, tlds[k], (size_t)(e - last)) == 0)
			return true;
	return false;
}

/*
 * End of a numbered host name at p ("web-prod-03", "ip-10-0-0-1"): a
 * word, then two or more parts joined by '-', the last all digits.  One
 * hyphen ("node-12") is a name and a number, and stays so.  NULL if not.
 */
static const char *numbered_host(const char *p, const char *e)
{
	const char *q = p, *part = p;
	size_t parts = 1;

	if (p >= e || IS_DIGIT(*p) || !IS_ALNUM(*p))
		return NULL;
	for (; q < e && (IS_ALNUM(*q) || *q == '-'); q++) {
		if (*q != '-')
			continue;
		if (q == part)
			return NULL;
		parts++;
		part = q + 1;
	}
	if (parts < 3 || part == q || (q < e && (*q == '_' || *q == '.')))
		return NULL;
	for (const char *d = part; d < q; d++)
		if (!IS_DIGIT(*d))
			return NULL;
	return q;
}

/* Brackets and quotes that open a token's core (a switch, not strchr). */
static bool opens(char c)
{
	switch (c) {
	case '(': case '[': case '{': case '<': case '\'': case '"':
		return true;
	default:
		return false;
	}
}

/* ... and what closes or trails it. */
static bool closes(char c)
{
	switch (c) {
	case ')': case ']': case '}': case '>': case '\'': case '"':
	case ',': case ';': case ':': case '.':
		return true;
	default:
		return false;
	}
}

/* Masks the token [p, e) into o. */
static void mask_token(struct out *o, const char *p, const char *e)
{
	const char *s = p, *core = p, *cend = e;

	while (core < cend && opens(*core))
		core++;
	while (cend > core && closes(cend[-1]))
		cend--;
	if (cend > core && (is_addr(core, cend) || is_path(core, cend) ||
			    is_domain(core, cend) ||
			    uuid_at(core, cend) == (size_t)(cend - core))) {
		put(o, s, (size_t)(core - s));
		put_slot(o);
		put(o, cend, (size_t)(e - cend));
		return;
	}
	while (p < e) {
		const char *q;
		size_t u;

		if (!IS_ALNUM(*p)) {
			if (*p == '-' && p + 1 < e &&
			    IS_DIGIT(p[1]) && (p == s || !IS_ALNUM(p[-1]))) {
				q = p + 1;
				while (q < e && IS_ALNUM(*q))
					q++;
				mask_run(o, p + 1, q);
				p = q;
				continue;
			}
			if (*p == '=' && e - p > 2 && p[1] == '"' &&
			    (q = memchr(p + 2, '"', (size_t)(e - p - 2)))) {
				/* key="a quoted value, maybe with spaces" */
				put(o, p, 2);
				if (q > p + 2)
					put_slot(o);
				put(o, q, 1);
				p = q + 1;
				continue;
			}
			if (*p == ':' && e - p > 3 && p[1] == '/' &&
			    p[2] == '/') {
				/* A URL: keep the scheme, mask the rest. */
				put(o, p, 3);
				put_slot(o);
				p = cend > p + 3 ? cend : e;
				continue;
			}
			put(o, p, 1);
			p++;
			continue;
		}
		if ((u = uuid_at(p, e)) != 0) {
			put_slot(o);
			p += u;
			continue;
		}
		if (IS_DIGIT(*p) && p > s && p[-1] == '_') {
			/* The numeric tail of "attempt_14_0020_m_3". */
			put_slot(o);
			p = ident_end(p, e);
			continue;
		}
		if ((p == s || !IS_ALNUM(p[-1])) &&
		    (q = numbered_host(p, e)) != NULL) {
			put_slot(o);
			p = q;
			continue;
		}
		q = p;
		while (q < e && IS_ALNUM(*q))
			q++;
		mask_run(o, p, q);
		p = q;
	}
}

static uint8_t token_flags(const char *p, size_t n)
{
	if (n == 3 && memcmp(p, "<*>", 3) == 0)
		return ANOMALY_TOK_SLOT;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (IS_DIGIT(c) || c == '/' || c == '\\' || c == '@')
			return 0;
		if (c == '<' && i + 2 < n && p[i + 1] == '*' && p[i + 2] == '>')
			return 0;
	}
	return ANOMALY_TOK_CONST;
}

/* Length of the key of "key=value" (a word before the first '='), or 0. */
static uint16_t key_len(const char *p, size_t n)
{
	const char *q = memchr(p, '=', n);

	if (!q || q == p || !IS_ALNUM(q[-1]) || q - p > 255)
		return 0;
	return (uint16_t)(q - p);
}

static void add_token(struct anomaly_tokens *t, struct out *o)
{
	size_t n = o->len - o->start;

	t->off[t->n] = (uint32_t)o->start;
	t->len[t->n] = (uint32_t)n;
	t->hash[t->n] = anomaly_hash(o->buf + o->start, n,
				     0x9e3779b97f4a7c15ULL);
	t->flags[t->n] = token_flags(o->buf + o->start, n);
	t->klen[t->n] = key_len(o->buf + o->start, n);
	t->n++;
	o->start = o->len;
}

/* End of the token at p: the next space, but key="..." stays whole. */
static const char *token_end(const char *p, const char *e)
{
	const char *q = p, *r;

	while (q < e && !IS_SPACE(*q)) {
		if (*q == '=' && q + 1 < e && q[1] == '"' &&
		    (r = memchr(q + 2, '"',
				(size_t)CORE_MIN(e - q - 2, 256)))) {
			q = r + 1;
			continue;
		}
		q++;
	}
	return q;
}

static bool tok_is(const struct anomaly_tokens *t, size_t i, const char *w)
{
	size_t n = strlen(w);

	return t->len[i] >= n && memcmp(t->buf + t->off[i], w, n) == 0;
}

/* Makes token i a slot, writing "<*>" at the end of the buffer. */
static void set_slot(struct anomaly_tokens *t, struct out *o, size_t i,
		     const char *tail)
{
	o->start = o->len;
	put(o, "<*>", 3);
	put(o, tail, strlen(tail));
	t->off[i] = (uint32_t)o->start;
	t->len[i] = (uint32_t)(o->len - o->start);
	t->hash[i] = anomaly_hash(o->buf + o->start, t->len[i],
				  0x9e3779b97f4a7c15ULL);
	t->flags[i] = *tail ? 0 : ANOMALY_TOK_SLOT;
	t->klen[i] = 0;
	o->start = o->len;
}

static void drop_token(struct anomaly_tokens *t, size_t i)
{
	for (size_t k = i; k + 1 < t->n; k++) {
		t->off[k] = t->off[k + 1];
		t->len[k] = t->len[k + 1];
		t->hash[k] = t->hash[k + 1];
		t->flags[k] = t->flags[k + 1];
		t->klen[k] = t->klen[k + 1];
	}
	t->n--;
}

static const char *const methods[] = {
	"\"GET", "\"POST", "\"PUT", "\"DELETE", "\"HEAD", "\"OPTIONS",
	"\"PATCH",
};

/* "GET /x HTTP/1.1": the target and protocol are one variable. */
static void fold_requests(struct anomaly_tokens *t, struct out *o)
{
	for (size_t i = 0; i + 2 < t->n; i++) {
		size_t k, l = t->len[i + 2];

		if (t->len[i] < 4 || t->buf[t->off[i]] != '"')
			continue;	/* the common case, decided at once */
		for (k = 0; k < CORE_ARRAY_LEN(methods); k++)
			if (t->len[i] == strlen(methods[k]) &&
			    tok_is(t, i, methods[k]))
				break;
		if (k == CORE_ARRAY_LEN(methods) ||
		    !tok_is(t, i + 2, "HTTP/") ||
		    t->buf[t->off[i + 2] + l - 1] != '"')
			continue;
		set_slot(t, o, i + 1, "\"");
		drop_token(t, i + 2);
	}
}

static const char *const date_words[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
};

static bool is_date_word(const struct anomaly_tokens *t, size_t i)
{
	size_t n = t->len[i];

	if (n == 4 && t->buf[t->off[i] + 3] == ',')
		n = 3;
	if (n != 3 || !(cls[(uint8_t)t->buf[t->off[i]]] & C_ALPHA))
		return false;
	for (size_t k = 0; k < CORE_ARRAY_LEN(date_words); k++)
		if (tok_is(t, i, date_words[k]))
			return true;
	return false;
}

static bool starts_slot(const struct anomaly_tokens *t, size_t i)
{
	return i < t->n && tok_is(t, i, "<*>");
}

/* Is token i a masked clock time ("<*>:<*>:<*>", "<*>:<*>")? */
static bool is_clock(const struct anomaly_tokens *t, size_t i)
{
	struct core_str w = anomaly_tokens_get(t, i);

	return core_str_eq_lit(w, "<*>:<*>:<*>") ||
	       core_str_eq_lit(w, "<*>:<*>");
}

/*
 * "at Fri Jun 17 07:07:00 2005": a date written out in words and numbers
 * is one variable, shaped like its clock.  The day and month names and
 * numbers before a clock time, and a number right after it, fold into
 * the clock token; at least one name must be there, so "port 22
 * 10:00:01" keeps its port.
 */
static void fold_dates(struct anomaly_tokens *t)
{
	for (size_t i = 1; i < t->n; i++) {
		size_t b = i, words = 0;

		if (!is_clock(t, i))
			continue;
		while (b > 0 && (is_date_word(t, b - 1) ||
				 core_str_eq_lit(anomaly_tokens_get(t, b - 1),
						 "<*>"))) {
			words += is_date_word(t, b - 1);
			b--;
		}
		if (words == 0)
			continue;
		if (i + 1 < t->n &&
		    core_str_eq_lit(anomaly_tokens_get(t, i + 1), "<*>"))
			drop_token(t, i + 1);
		for (; b < i; i--)
			drop_token(t, b);
	}
}

/* "Fri Jun 17 07:07:00 2005": month and day names next to numbers. */
static void mask_dates(struct anomaly_tokens *t, struct out *o)
{
	fold_dates(t);
	for (size_t i = 0; i < t->n; i++) {
		if (!is_date_word(t, i))
			continue;
		if (starts_slot(t, i + 1) || (i > 0 && starts_slot(t, i - 1)) ||
		    (i + 2 < t->n && is_date_word(t, i + 1) &&
		     starts_slot(t, i + 2)))
			set_slot(t, o, i, "");
	}
}

static const char *const units[] = {
	"B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB", "bytes",
	"ms", "us", "ns", "s", "sec", "secs", "seconds", "min", "mins",
	"minutes", "h", "hours",
};

/*
 * A unit after a number ("5.2 KB", "93.0 B") may change with the number,
 * so it is not a constant word: the miner may make it part of a slot.
 */
static void soften_units(struct anomaly_tokens *t)
{
	for (size_t i = 1; i < t->n; i++) {
		struct core_str w = anomaly_tokens_get(t, i);

		if (!(t->flags[i] & ANOMALY_TOK_CONST) ||
		    !starts_slot(t, i - 1))
			continue;
		while (w.len && strchr(",;.)]", w.p[w.len - 1]))
			w.len--;
		if (w.len == 0 || w.len > 7)
			continue;	/* longer than every unit */
		for (size_t k = 0; k < CORE_ARRAY_LEN(units); k++)
			if (core_str_eq_lit(w, units[k]))
				t->flags[i] = 0;
	}
}

void anomaly_mask_line(const char *p, size_t len, struct anomaly_tokens *t)
{
	struct out o = { t->buf, 0, 0 };
	const char *e, *q;
	bool cut = len > ANOMALY_MAX_LINE;

	cls_init();
	t->n = 0;
	e = p + (cut ? ANOMALY_MAX_LINE : len);
	while (p < e) {
		while (p < e && IS_SPACE(*p))
			p++;
		if (p == e)
			break;
		if (t->n == ANOMALY_MAX_TOKENS - 1) {
			cut = true;
			break;
		}
		q = token_end(p, e);
		mask_token(&o, p, q);
		add_token(t, &o);
		p = q;
	}
	if (cut) {
		put(&o, "<*>", 3);
		add_token(t, &o);
	}
	fold_requests(t, &o);
	mask_dates(t, &o);
	soften_units(t);
	t->used = o.len;
}

struct core_str anomaly_tokens_get(const struct anomaly_tokens *t, size_t i)
{
	return core_str_make(t->buf + t->off[i], t->len[i]);
}

/* ------------------------------------------------------------- headers */

static const char *const levels[] = {
	"TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "WARNING", "ERROR",
	"ERR", "CRIT", "CRITICAL", "FATAL", "SEVERE", "ALERT", "EMERG",
};

/* Length of a level word at p ("INFO", "[warn]", "<error>", "INFO:"). */
static size_t level_at(const char *p, const char *e)
{
	const char *q = p, *w;
	size_t n;

	if (q < e && (*q == '[' || *q == '<'))
		q++;
	w = q;
	while (q < e && IS_ALNUM(*q))
		q++;
	n = (size_t)(q - w);
	for (size_t i = 0; i < CORE_ARRAY_LEN(levels); i++) {
		if (strlen(levels[i]) != n || strncasecmp(w, levels[i], n))
			continue;
		if (w > p && q < e && (*q == ']' || *q == '>'))
			q++;
		else if (w > p)
			return 0;
		if (q < e && *q == ':')
			q++;
		return q == e || IS_SPACE(*q) ? (size_t)(q - p) : 0;
	}
	return 0;
}

/* Digits at p, exactly between lo and hi of them. */
static size_t digits_at(const char *p, const char *e, size_t lo, size_t hi)
{
	size_t n = 0;

	while (p + n < e && IS_DIGIT(p[n]))
		n++;
	return n >= lo && n <= hi ? n : 0;
}

/*
 * A date or time token: digits and the separators - / . : , T Z +
 * with at least two separators and at least four digits, ending at space.
 */
static size_t stamp_at(const char *p, const char *e)
{
	size_t n = 0, digits = 0, seps = 0;

	if (p < e && *p == '[')
		n++;
	while (p + n < e && !IS_SPACE(p[n])) {
		char c = p[n];

		if (IS_DIGIT(c))
			digits++;
		else if (strchr("-/.:,TZ+", c))
			seps++;
		else if (c != ']')
			return 0;
		n++;
	}
	return digits >= 4 && seps >= 2 ? n : 0;
}

/* "Jun 14 15:16:01 host tag[1]:" or the stamp alone. */
static size_t syslog_at(const char *p, const char *e)
{
	const char *q = p + 3;
	char mon[4];
	size_t n;

	if (e - p < 15)
		return 0;
	memcpy(mon, p, 3);
	mon[3] = '\0';
	if (!core_month_from_abbr(mon) || *q != ' ')
		return 0;
	while (q < e && *q == ' ')
		q++;
	if (!(n = digits_at(q, e, 1, 2)))
		return 0;
	q += n;
	if (q >= e || *q != ' ' || !(n = stamp_at(q + 1, e)))
		return 0;
	q += 1 + n;
	return (size_t)(q - p);
}

/*
 * A ctime stamp, bracketed as Apache's error log writes it: "[Sun Dec 04
 * 04:47:44 2005]" (the brackets optional, a fraction allowed).
 */
static size_t ctime_at(const char *p, const char *e)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	const char *q = p, *d;
	size_t n;

	if (q < e && *q == '[')
		q++;
	if (e - q < 24)
		return 0;
	for (d = days; *d && strncmp(q, d, 3) != 0; d += 3)
		;
	if (!*d || q[3] != ' ')
		return 0;
	q += 4;
	if (!(n = syslog_at(q, e)))
		return 0;
	q += n;
	if (q >= e || *q != ' ' || digits_at(q + 1, e, 4, 4) != 4)
		return 0;
	q += 5;
	/* The bracket may close one a reader already took off. */
	if (q < e && *q == ']')
		q++;
	else if (p[0] == '[')
		return 0;
	return q == e || IS_SPACE(*q) ? (size_t)(q - p) : 0;
}

/* After a syslog stamp: "host tag[pid]:" when the second word ends ':'. */
static size_t host_tag_at(const char *p, const char *e)
{
	const char *q = p, *t;

	while (q < e && IS_SPACE(*q))
		q++;
	while (q < e && !IS_SPACE(*q))
		q++;
	while (q < e && IS_SPACE(*q))
		q++;
	t = q;
	while (q < e && !IS_SPACE(*q))
		q++;
	if (q == t || q[-1] != ':')
		return 0;
	return (size_t)(q - p);
}

/* Index in levels[] from which a level is an error or worse. */
#define LEVEL_ERROR_FROM 6

enum anomaly_level anomaly_level_word(const char *p, size_t len)
{
	cls_init();
	if (len && (*p == '[' || *p == '<'))
		p++, len--;
	while (len && !IS_ALNUM(p[len - 1]))
		len--;
	for (size_t i = 0; i < CORE_ARRAY_LEN(levels); i++)
		if (strlen(levels[i]) == len &&
		    strncasecmp(p, levels[i], len) == 0)
			return i >= LEVEL_ERROR_FROM ? ANOMALY_LEVEL_ERROR :
			       ANOMALY_LEVEL_LOW;
	return ANOMALY_LEVEL_UNKNOWN;
}

enum anomaly_level anomaly_header_level(const char *p, size_t len)
{
	size_t end = anomaly_header_skip(p, len), n;
	const char *e = p + end, *q = p;

	while (q < e) {
		while (q < e && IS_SPACE(*q))
			q++;
		if ((n = level_at(q, e)) != 0)
			return anomaly_level_word(q, n);
		while (q < e && !IS_SPACE(*q))
			q++;
	}
	return ANOMALY_LEVEL_UNKNOWN;
}

size_t anomaly_header_skip(const char *p, size_t len)
{
	const char *e = p + len, *q = p;
	bool stamped = false;

	cls_init();
	for (int step = 0; step < 8; step++) {
		size_t n;

		while (q < e && IS_SPACE(*q))
			q++;
		if ((n = ctime_at(q, e)) != 0) {
			q += n;
			stamped = true;
		} else if ((n = syslog_at(q, e)) != 0) {
			q += n;
			q += host_tag_at(q, e);
			stamped = true;
		} else if ((n = stamp_at(q, e)) != 0 ||
			   (n = level_at(q, e)) != 0) {
			q += n;
			stamped = true;
		} else if (stamped && (n = digits_at(q, e, 1, 13)) != 0 &&
			   (q + n == e || IS_SPACE(q[n]))) {
			q += n;		/* epoch seconds, pid after a stamp */
		} else {
			break;
		}
	}
	while (q < e && IS_SPACE(*q))
		q++;
	return stamped ? (size_t)(q - p) : 0;
}
