/*
 * str.c: length-carrying strings and the bounded buffer.
 *
 * Everything here works on [p, p + len) and never reads past it; nothing
 * assumes a terminating NUL.  The buffer keeps one spare byte so that
 * core_buf_cstr() can always terminate without growing.
 */
#include "core/core.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool core_str_ieq(struct core_str a, struct core_str b)
{
	if (a.len != b.len)
		return false;
	for (size_t i = 0; i < a.len; i++) {
		if (tolower((unsigned char)a.p[i]) !=
		    tolower((unsigned char)b.p[i]))
			return false;
	}
	return true;
}

bool core_str_starts(struct core_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len >= n && memcmp(s.p, lit, n) == 0;
}

long core_str_find(struct core_str hay, struct core_str needle)
{
	const char *hit;

	if (needle.len == 0)
		return 0;
	if (needle.len > hay.len)
		return -1;
	hit = memmem(hay.p, hay.len, needle.p, needle.len);
	return hit ? (long)(hit - hay.p) : -1;
}

long core_str_ifind(struct core_str hay, struct core_str needle)
{
	unsigned char first;

	if (needle.len == 0)
		return 0;
	if (needle.len > hay.len)
		return -1;

	first = (unsigned char)tolower((unsigned char)needle.p[0]);
	for (size_t i = 0; i + needle.len <= hay.len; i++) {
		size_t j;

		if ((unsigned char)tolower((unsigned char)hay.p[i]) != first)
			continue;
		for (j = 1; j < needle.len; j++) {
			if (tolower((unsigned char)hay.p[i + j]) !=
			    tolower((unsigned char)needle.p[j]))
				break;
		}
		if (j == needle.len)
			return (long)i;
	}
	return -1;
}

bool core_str_to_u64(struct core_str s, uint64_t *out)
{
	uint64_t v = 0;

	if (s.len == 0 || s.len > 20)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		unsigned d = (unsigned char)s.p[i] - '0';

		if (d > 9)
			return false;
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool core_str_to_i64(struct core_str s, int64_t *out)
{
	bool neg = false;
	uint64_t v;

	if (s.len > 0 && (s.p[0] == '-' || s.p[0] == '+')) {
		neg = s.p[0] == '-';
		s.p++;
		s.len--;
	}
	if (!core_str_to_u64(s, &v))
		return false;
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
		return true;
	}
	if (v > INT64_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

struct core_str core_str_trim(struct core_str s)
{
	while (s.len && isspace((unsigned char)s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len && isspace((unsigned char)s.p[s.len - 1]))
		s.len--;
	return s;
}

/* ----------------------------------------------------------------- buffer */

void core_buf_init(struct core_buf *b, size_t max)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void core_buf_free(struct core_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void core_buf_reset(struct core_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* Declared in core.h. */
int core_buf_reserve(struct core_buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > b->max || b->len > b->max - n) {
		core_buf_free(b);
		return CORE_E_TOOBIG;
	}
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;

	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->p, cap);
	if (!p)
		return CORE_E_NOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int core_buf_add(struct core_buf *b, const void *p, size_t len)
{
	int rc = core_buf_reserve(b, len);

	if (rc)
		return rc;
	if (len)
		memcpy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

int core_buf_addc_slow(struct core_buf *b, char c)
{
	return core_buf_add(b, &c, 1);
}

int core_buf_printf(struct core_buf *b, const char *fmt, ...)
{
	size_t room = b->p != NULL ? b->cap - b->len : 0;
	va_list ap;
	int n, rc;

	/* Formats once when the text fits the room there is (the usual). */
	va_start(ap, fmt);
	n = vsnprintf(room ? b->p + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (room)
			b->p[b->len] = '\0';
		return CORE_E_INVAL;
	}
	if ((size_t)n < room) {
		b->len += (size_t)n;
		return 0;
	}
	if (room)
		b->p[b->len] = '\0';
	rc = core_buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

/*
 * JSON string escaping.  Bytes that are not valid UTF-8 become U+FFFD so
 * the output is always valid JSON whatever the log held.
 */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t need;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4, cp = c & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

/* True when none of the 8 bytes of x needs escaping in a JSON string. */
static bool json_word_plain(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones << 7;
	uint64_t q = x ^ (ones * '"'), bs = x ^ (ones * '\\');

	/*
	 * A high bit marks a byte below 0x20, a quote or a backslash (the
	 * zero-byte test on x - 0x20, q and bs: exact for "any", if not for
	 * "which"), or a byte of 0x80 and above, which needs UTF-8 checks.
	 */
	return ((((x - ones * 0x20) & ~x) | ((q - ones) & ~q) |
		 ((bs - ones) & ~bs) | x) & high) == 0;
}

static bool json_byte_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

size_t core_json_escape(char *out, const char *p, size_t len)
{
	static const char hx[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)p;
	char *w = out;
	size_t i = 0;

	while (i < len) {
		size_t run = i, n;

		/*
		 * The longest stretch that needs no escaping goes in one
		 * copy: printable ASCII, eight bytes a step, and valid UTF-8.
		 */
		for (;;) {
			uint64_t x;

			while (run + 8 <= len) {
				memcpy(&x, s + run, 8);
				if (!json_word_plain(x))
					break;
				run += 8;
			}
			while (run < len && json_byte_plain(s[run]))
				run++;
			if (run == len || s[run] < 0x80 ||
			    (n = utf8_valid_len(s + run, len - run)) == 0)
				break;
			run += n;
		}
		memcpy(w, s + i, run - i);
		w += run - i;
		if (run == len)
			break;
		i = run;
		*w++ = '\\';
		switch (s[i]) {
		case '"': *w++ = '"'; break;
		case '\\': *w++ = '\\'; break;
		case '\n': *w++ = 'n'; break;
		case '\r': *w++ = 'r'; break;
		case '\t': *w++ = 't'; break;
		default:
			if (s[i] < 0x20) {
				memcpy(w, "u00", 3);
				w[3] = hx[s[i] >> 4];
				w[4] = hx[s[i] & 0xf];
				w += 5;
			} else {
				/* Not UTF-8: U+FFFD over the backslash. */
				memcpy(w - 1, "\xef\xbf\xbd", 3);
				w += 2;
			}
		}
		i++;
	}
	return (size_t)(w - out);
}

/* Input bytes escaped per step: a whole step's output fits on the stack. */
#define JSON_STEP 512

int core_buf_add_json(struct core_buf *b, const char *p, size_t len)
{
	char tmp[CORE_JSON_ESCAPED_MAX(JSON_STEP)];

	while (len > 0) {
		size_t n = CORE_MIN(len, (size_t)JSON_STEP), k;
		int rc;

		/*
		 * A step ends before a UTF-8 sequence, never inside one: a
		 * lead byte in the last three whose sequence runs past the
		 * step moves the end back to it.
		 */
		for (size_t j = n - 1; n < len && j + 3 >= n; j--) {
			unsigned char c = (unsigned char)p[j];

			if ((c & 0xc0) == 0x80)
				continue;
			if (j + (c >= 0xf0 ? 4u : c >= 0xe0 ? 3u : 2u) > n &&
			    c >= 0xc0)
				n = j;
			break;
		}
		if (CORE_JSON_ESCAPED_MAX(n) <= b->max - b->len) {
			rc = core_buf_reserve(b, CORE_JSON_ESCAPED_MAX(n));
			if (rc)
				return rc;
			b->len += core_json_escape(b->p + b->len, p, n);
			b->p[b->len] = '\0';
		} else {
			/* Near the ceiling: only what is written counts. */
			k = core_json_escape(tmp, p, n);
			rc = core_buf_add(b, tmp, k);
			if (rc)
				return rc;
		}
		p += n;
		len -= n;
	}
	return 0;
}

const char *core_buf_cstr(struct core_buf *b)
{
	return b->p ? b->p : "";
}
