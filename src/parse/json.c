/*
 * json.c: a small JSON tokenizer for one record per line.
 *
 * It walks [p, end) once, recursively, and reports every leaf to a
 * callback under its dotted path, which is how EVE, journal and generic
 * JSON decoders flatten nested objects into event fields.  No malloc:
 * values point into the record; a string is copied (unescaped) into the
 * arena only when it holds a backslash, and nested names are built in a
 * stack buffer and copied to the arena only when reported.  \uXXXX
 * escapes become UTF-8, surrogate pairs joined; a lone surrogate becomes
 * U+FFFD rather than failing the record.  Nesting is limited to
 * PARSE_JSON_DEPTH so hostile input cannot exhaust the stack.  The grammar
 * is RFC 8259's, strictly (no comments, no trailing commas, no control
 * bytes inside strings).  Bytes that are not valid UTF-8 are passed
 * through: logs hold them and dropping the record would hide evidence.
 */
#include "parse/parse_int.h"

#include <string.h>

struct walker {
	const char *p;
	const char *end;
	struct core_arena *arena;
	parse_json_cb cb;
	void *ud;
	unsigned depth;
	size_t plen;		/* bytes of path in use */
	bool path_ok;		/* false once a name did not fit */
	struct core_str direct;	/* top-level key in the record, if plain */
	char path[PARSE_JSON_NAME_MAX];
};

static int walk_value(struct walker *w, unsigned flags, bool report);

static void skip_ws(struct walker *w)
{
	while (w->p < w->end && (*w->p == ' ' || *w->p == '\t' ||
				 *w->p == '\n' || *w->p == '\r'))
		w->p++;
}

static bool hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		int h = core_hex_digit(p[i]);

		if (h < 0)
			return false;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return true;
}

/*
 * Scans a string whose opening quote is at w->p; leaves w->p after the
 * closing quote.  *esc says whether it needs unescaping.
 */
static int scan_string(struct walker *w, struct core_str *raw, bool *esc)
{
	const char *s = ++w->p;
	unsigned cp;

	*esc = false;
	while (w->p < w->end) {
		unsigned char c = (unsigned char)*w->p;

		if (c == '"') {
			*raw = core_str_make(s, (size_t)(w->p - s));
			w->p++;
			return 0;
		}
		if (c < 0x20)
			return CORE_E_PARSE;
		if (c != '\\') {
			w->p++;
			continue;
		}
		*esc = true;
		if (w->end - w->p < 2)
			return CORE_E_PARSE;
		c = (unsigned char)w->p[1];
		if (c == 'u') {
			if (w->end - w->p < 6 || !hex4(w->p + 2, &cp))
				return CORE_E_PARSE;
			w->p += 6;
		} else if (strchr("\"\\/bfnrt", c) && c) {
			w->p += 2;
		} else {
			return CORE_E_PARSE;
		}
	}
	return CORE_E_PARSE;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Reads the \u escape at s[i] (already validated); joins pairs. */
static unsigned read_u(const char *s, size_t len, size_t *i)
{
	unsigned hi, lo;

	hex4(s + *i + 2, &hi);
	*i += 6;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return 0xfffd;
	if (hi < 0xd800 || hi > 0xdbff)
		return hi;
	if (*i + 6 <= len && s[*i] == '\\' && s[*i + 1] == 'u' &&
	    hex4(s + *i + 2, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
		*i += 6;
		return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	}
	return 0xfffd;
}

/*
 * Unescapes a validated string body into the arena.  The output is never
 * longer than the input: every escape is at least as long as its UTF-8.
 */
static struct core_str unescape(struct walker *w, struct core_str raw)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	char *o, *out;
	size_t i = 0;

	if (!w->arena)
		return raw;
	out = core_arena_alloc(w->arena, raw.len + 1);
	if (!out)
		return raw;
	o = out;
	while (i < raw.len) {
		const char *bs = memchr(raw.p + i, '\\', raw.len - i);
		size_t run = bs ? (size_t)(bs - raw.p) - i : raw.len - i;

		memcpy(o, raw.p + i, run);
		o += run;
		i += run;
		if (i >= raw.len)
			break;
		if (raw.p[i + 1] == 'u') {
			o += put_utf8(o, read_u(raw.p, raw.len, &i));
			continue;
		}
		*o++ = to[strchr(from, raw.p[i + 1]) - from];
		i += 2;
	}
	*o = '\0';
	return core_str_make(out, (size_t)(o - out));
}

static int scan_number(struct walker *w, struct core_str *out)
{
	const char *s = w->p, *e = w->end, *q = s;

	if (q < e && *q == '-')
		q++;
	if (q >= e || (unsigned)(*q - '0') > 9)
		return CORE_E_PARSE;
	if (*q == '0')
		q++;
	else
		while (q < e && (unsigned)(*q - '0') <= 9)
			q++;
	if (q < e && *q == '.') {
		if (++q >= e || (unsigned)(*q - '0') > 9)
			return CORE_E_PARSE;
		while (q < e && (unsigned)(*q - '0') <= 9)
			q++;
	}
	if (q < e && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < e && (*q == '+' || *q == '-'))
			q++;
		if (q >= e || (unsigned)(*q - '0') > 9)
			return CORE_E_PARSE;
		while (q < e && (unsigned)(*q - '0') <= 9)
			q++;
	}
	*out = core_str_make(s, (size_t)(q - s));
	w->p = q;
	return 0;
}

/* The current path as a name that outlives the stack buffer. */
static struct core_str path_name(struct walker *w)
{
	struct core_str n = core_str_make(w->path, w->plen);

	if (w->direct.p && w->direct.len == w->plen)
		return w->direct;
	if (w->arena) {
		struct core_str c = core_arena_strdup(w->arena, w->path,
						      w->plen);

		if (c.p)
			n = c;
	}
	return n;
}

static void report(struct walker *w, struct core_str name,
		   enum parse_json_type t, struct core_str v, unsigned flags)
{
	if (w->path_ok && w->cb)
		w->cb(w->ud, name, t, v, flags);
}

static int walk_literal(struct walker *w, const char *lit, size_t n)
{
	if ((size_t)(w->end - w->p) < n || memcmp(w->p, lit, n) != 0)
		return CORE_E_PARSE;
	w->p += n;
	return 0;
}

/* Appends ".key" (or "key" at the top) to the path; returns old length. */
static size_t path_push(struct walker *w, struct core_str key)
{
	size_t old = w->plen, need = key.len + (old ? 1 : 0);

	if (!w->path_ok || need > sizeof(w->path) - 1 - old) {
		w->path_ok = false;
		return old;
	}
	if (old)
		w->path[w->plen++] = '.';
	memcpy(w->path + w->plen, key.p, key.len);
	w->plen += key.len;
	return old;
}

static int walk_object(struct walker *w, unsigned flags)
{
	bool was_ok = w->path_ok;
	int rc;

	w->p++;
	skip_ws(w);
	if (w->p < w->end && *w->p == '}') {
		w->p++;
		return 0;
	}
	for (;;) {
		struct core_str key;
		size_t old;
		bool esc;

		if (w->p >= w->end || *w->p != '"')
			return CORE_E_PARSE;
		if ((rc = scan_string(w, &key, &esc)) != 0)
			return rc;
		if (esc)
			key = unescape(w, key);
		skip_ws(w);
		if (w->p >= w->end || *w->p != ':')
			return CORE_E_PARSE;
		w->p++;
		skip_ws(w);

		old = path_push(w, key);
		w->direct = old == 0 && !esc ? key : CORE_STR_NULL;
		rc = walk_value(w, flags, true);
		w->plen = old;
		w->path_ok = was_ok;
		if (rc)
			return rc;

		skip_ws(w);
		if (w->p < w->end && *w->p == ',') {
			w->p++;
			skip_ws(w);
			continue;
		}
		if (w->p < w->end && *w->p == '}') {
			w->p++;
			return 0;
		}
		return CORE_E_PARSE;
	}
}

static int walk_array(struct walker *w, unsigned flags, bool rep)
{
	const char *start = w->p;
	struct core_str name = CORE_STR_NULL;
	int rc;

	w->p++;
	skip_ws(w);
	if (w->p < w->end && *w->p == ']') {
		w->p++;
		goto done;
	}
	for (;;) {
		if ((rc = walk_value(w, flags | PARSE_JSON_IN_ARRAY, false)))
			return rc;
		skip_ws(w);
		if (w->p < w->end && *w->p == ',') {
			w->p++;
			skip_ws(w);
			continue;
		}
		if (w->p < w->end && *w->p == ']') {
			w->p++;
			break;
		}
		return CORE_E_PARSE;
	}
done:
	if (rep) {
		name = path_name(w);
		report(w, name, PARSE_JSON_ARRAY,
		       core_str_make(start, (size_t)(w->p - start)), flags);
	}
	return 0;
}

/*
 * One value at w->p.  report: false for scalars directly inside an array
 * (they are covered by the array's raw text).
 */
static int walk_value(struct walker *w, unsigned flags, bool rep)
{
	enum parse_json_type t;
	struct core_str v;
	bool esc;
	int rc;

	if (w->p >= w->end)
		return CORE_E_PARSE;
	if (*w->p == '{' || *w->p == '[') {
		if (w->depth >= PARSE_JSON_DEPTH)
			return CORE_E_PARSE;
		w->depth++;
		rc = *w->p == '{' ? walk_object(w, flags)
				  : walk_array(w, flags, rep);
		w->depth--;
		return rc;
	}

	switch (*w->p) {
	case '"':
		if ((rc = scan_string(w, &v, &esc)) != 0)
			return rc;
		if (esc && rep)
			v = unescape(w, v);
		t = PARSE_JSON_STRING;
		break;
	case 't':
		v = core_str_make(w->p, 4);
		rc = walk_literal(w, "true", 4);
		t = PARSE_JSON_TRUE;
		break;
	case 'f':
		v = core_str_make(w->p, 5);
		rc = walk_literal(w, "false", 5);
		t = PARSE_JSON_FALSE;
		break;
	case 'n':
		v = core_str_make(w->p, 4);
		rc = walk_literal(w, "null", 4);
		t = PARSE_JSON_NULL;
		break;
	default:
		rc = scan_number(w, &v);
		t = PARSE_JSON_NUMBER;
	}
	if (rc)
		return rc;
	if (rep)
		report(w, path_name(w), t, v, flags);
	return 0;
}

int parse_json_walk(const char *p, size_t len, struct core_arena *arena,
		    parse_json_cb cb, void *ud)
{
	struct walker w = {
		.p = p, .end = p + len, .arena = arena, .cb = cb, .ud = ud,
		.path_ok = true,
	};
	int rc;

	skip_ws(&w);
	if (w.p >= w.end || *w.p != '{')
		return CORE_E_PARSE;
	w.depth = 1;
	rc = walk_object(&w, 0);
	if (rc)
		return rc;
	skip_ws(&w);
	return w.p == w.end ? 0 : CORE_E_PARSE;
}

bool parse_json_bytes(struct core_str arr, struct core_arena *arena,
		      struct core_str *out)
{
	const char *p = arr.p, *e = arr.p + arr.len;
	char *o, *buf;

	if (!arena || arr.len < 2 || *p != '[')
		return false;
	/* Each byte needs at least two input bytes ("1,"), so len/2 fits. */
	buf = core_arena_alloc(arena, arr.len / 2 + 1);
	if (!buf)
		return false;
	o = buf;
	for (p++; p < e && *p != ']';) {
		unsigned v = 0, nd = 0;

		while (p < e && (*p == ' ' || *p == ',' || *p == '\n' ||
				 *p == '\t' || *p == '\r'))
			p++;
		if (p < e && *p == ']')
			break;
		while (p < e && (unsigned)(*p - '0') <= 9 && nd < 4) {
			v = v * 10 + (unsigned)(*p++ - '0');
			nd++;
		}
		if (nd == 0 || v > 255)
			return false;
		*o++ = (char)v;
	}
	*o = '\0';
	*out = core_str_make(buf, (size_t)(o - buf));
	return true;
}

bool parse_json_strings(struct core_str arr, struct core_arena *arena,
			char sep, struct core_str *out)
{
	struct walker w = { .p = arr.p, .end = arr.p + arr.len,
			    .arena = arena };
	char *buf, *o;

	if (!arena || arr.len < 2 || *w.p != '[')
		return false;
	/* Unescaped strings and one separator each fit in the input. */
	buf = core_arena_alloc(arena, arr.len + 1);
	if (!buf)
		return false;
	o = buf;
	w.p++;
	skip_ws(&w);
	if (w.p < w.end && *w.p == ']') {
		w.p++;
	} else {
		for (size_t n = 0;; n++) {
			struct core_str v;
			bool esc;

			if (w.p >= w.end || *w.p != '"' ||
			    scan_string(&w, &v, &esc) != 0)
				return false;
			if (esc)
				v = unescape(&w, v);
			if (n)
				*o++ = sep;
			memcpy(o, v.p, v.len);
			o += v.len;
			skip_ws(&w);
			if (w.p < w.end && *w.p == ',') {
				w.p++;
				skip_ws(&w);
				continue;
			}
			if (w.p < w.end && *w.p == ']') {
				w.p++;
				break;
			}
			return false;
		}
	}
	/* The whole value is the array: text after it is no array. */
	skip_ws(&w);
	if (w.p != w.end)
		return false;
	*o = '\0';
	*out = core_str_make(buf, (size_t)(o - buf));
	return true;
}

bool parse_epoch_seconds(struct core_str s, int64_t *out)
{
	struct core_str ip = s, fp = CORE_STR_NULL;
	const char *dot = s.len ? memchr(s.p, '.', s.len) : NULL;
	uint64_t secs, usec = 0, scale = 100000;

	if (dot) {
		ip = core_str_make(s.p, (size_t)(dot - s.p));
		fp = core_str_make(dot + 1, s.len - ip.len - 1);
	}
	/* Year 9999 ends before 2.6e11 seconds. */
	if (!core_str_to_u64(ip, &secs) || secs > 253402300799ULL)
		return false;
	for (size_t i = 0; i < fp.len; i++) {
		unsigned d = (unsigned char)fp.p[i] - '0';

		if (d > 9)
			return false;
		usec += d * scale;
		scale /= 10;
	}
	*out = (int64_t)secs * 1000000 + (int64_t)usec;
	return true;
}
