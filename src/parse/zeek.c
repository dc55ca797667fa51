/*
 * zeek.c: Zeek's logs in their default form, tab-separated values under
 * a header that says how to read them (tabs shown as two spaces):
 *
 *   #separator \x09
 *   #set_separator  ,
 *   #empty_field  (empty)
 *   #unset_field  -
 *   #path  conn
 *   #open  2024-03-01-10-00-00
 *   #fields  ts  uid  id.orig_h  id.orig_p  id.resp_h  ...
 *   #types  time  string  addr  port  addr  ...
 *   1709287200.123456  CAbc12  10.0.0.5  52100  192.0.2.9  ...
 *   #close  2024-03-01-11-00-00
 *
 * Lines starting with '#' are the header.  #separator (written with a
 * space, since the separator is not known yet) starts a header block
 * and forgets the one before, so logs joined with cat read right; the
 * other lines follow it with the separator.  #fields names the columns,
 * #types their Zeek types, #path the log (conn, dns, http ...).  The
 * state lives in the input's header (parse_ctx.hdr, parse_int.h); a
 * record before any #fields, or with another number of values than it
 * names, is kept raw with the reason there, which the caller reports
 * with the file and line.
 *
 * Each value becomes a field under its column's name, as Zeek's JSON
 * form gives it, then parse_zeek_fields() (jsonlog.c) maps both forms
 * alike, so a rule sees the same event from either: the unset field
 * ("-") is left out, as the JSON writer leaves it out; the empty field
 * ("(empty)") is an empty value ([] for a set); bytes Zeek escaped
 * (\x09, \x2d for a value that is itself "-", \x5c for a backslash) are
 * unescaped; a bool is "true" or "false", and a set or vector its JSON
 * array text (["a","b"], [80,443]), as the JSON decoder keeps arrays,
 * valid whatever the log holds (list()).  Without #types values stay
 * as written but unescaped.
 *
 * Workload: one call per line; values are split in place, and only
 * escaped values, sets and vectors are built (in ev->arena).
 */
#include "parse/parse_int.h"

#include <stdio.h>
#include <string.h>

/* How a column's values are written, from #types. */
enum type {
	T_PLAIN,	/* as written, unescaped */
	T_BOOL,		/* T / F */
	T_LIST_STR,	/* a set or vector of strings, addresses ... */
	T_LIST_NUM,	/* ... of numbers, times, ports */
	T_LIST_BOOL,	/* ... of bools */
};

enum role {
	R_NONE,
	R_TS,
};

/* True when v holds a \xHH escape. */
static bool has_escape(struct core_str v)
{
	const char *p = v.len ? memchr(v.p, '\\', v.len) : NULL;

	while (p) {
		size_t at = (size_t)(p - v.p);

		if (at + 3 < v.len && p[1] == 'x' &&
		    core_hex_digit(p[2]) >= 0 && core_hex_digit(p[3]) >= 0)
			return true;
		p = memchr(p + 1, '\\', v.len - at - 1);
	}
	return false;
}

/* Writes v with its \xHH escapes decoded to out (v.len bytes at most). */
static size_t unescape_to(char *out, struct core_str v)
{
	size_t n = 0;

	for (size_t i = 0; i < v.len; i++) {
		int hi = i + 3 < v.len ? core_hex_digit(v.p[i + 2]) : -1;
		int lo = i + 3 < v.len ? core_hex_digit(v.p[i + 3]) : -1;

		/* hi and lo are digits only when the four bytes are there. */
		if (hi >= 0 && lo >= 0 && v.p[i] == '\\' && v.p[i + 1] == 'x') {
			out[n++] = (char)(hi * 16 + lo);
			i += 3;
			continue;
		}
		out[n++] = v.p[i];
	}
	return n;
}

/* v unescaped, in the arena when it held an escape (else v itself). */
static struct core_str unescape(struct core_arena *a, struct core_str v)
{
	char *out;

	if (!has_escape(v) || !a || !(out = core_arena_alloc(a, v.len)))
		return v;
	return core_str_make(out, unescape_to(out, v));
}

/* Splits off the bytes before the next c; false when s is used up. */
static bool split(struct core_str *s, char c, struct core_str *out,
		  bool *more)
{
	const char *hit;

	if (!*more)
		return false;
	hit = s->len ? memchr(s->p, c, s->len) : NULL;
	if (!hit) {
		*out = *s;
		*more = false;
		return true;
	}
	*out = core_str_make(s->p, (size_t)(hit - s->p));
	s->len -= (size_t)(hit - s->p) + 1;
	s->p = hit + 1;
	return true;
}

/* ---------------------------------------------------------- the header */

static int header_event(struct core_event *ev, struct core_str line)
{
	core_event_set_str(ev, CORE_F_MESSAGE, line);
	core_event_set_lit(ev, CORE_F_EVENT_KIND, "event");
	/* Not "zeek": that is a record whose log is not known. */
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "zeek.header");
	return 0;
}

/* A new header block: Zeek's defaults, no columns, no path. */
static void begin(struct parse_header *h, char sep)
{
	parse_header_reset(h);
	h->fmt = CORE_FMT_ZEEK_TSV;
	h->sep = sep;
}

/* A short header value (unescaped) into buf; false when too long. */
static bool set_short(char *buf, size_t cap, uint8_t *len, struct core_str v)
{
	char tmp[64];

	if (v.len > sizeof(tmp))
		return false;
	v = core_str_make(tmp, unescape_to(tmp, v));
	if (v.len > cap)
		return false;
	memcpy(buf, v.p, v.len);
	*len = (uint8_t)v.len;
	return true;
}

/*
 * "#separator \x09": a new block and its separator, one byte, written
 * escaped or not.  Another one leaves the block without columns up to
 * its next #fields (read at tabs).
 */
static int set_separator(struct parse_header *h, struct core_str v,
			 uint64_t line)
{
	char b[4];
	size_t n;

	v = core_str_trim(v);
	n = v.len <= sizeof(b) ? unescape_to(b, v) : 0;
	begin(h, n == 1 ? b[0] : '\t');
	if (n == 1)
		return 0;
	h->refused = true;
	h->line = line;
	parse_header_refuse(h, "#separator is not one byte; records up to "
			    "the next #fields are kept raw");
	return CORE_E_PARSE;
}

/* #fields: the column names, copied into h->text. */
static int set_fields(struct parse_header *h, struct core_str v,
		      uint64_t line)
{
	struct core_str w;
	size_t used = 0;
	bool more = true;

	parse_header_cols_begin(h, line);
	while (split(&v, h->sep, &w, &more)) {
		if (parse_header_add_col(h, "#fields", w, &used) != 0)
			return CORE_E_PARSE;
		h->cols[h->ncols - 1].role =
			core_str_eq_lit(w, "ts") ? R_TS : R_NONE;
		h->cols[h->ncols - 1].type = T_PLAIN;
	}
	if (h->ncols == 1 && h->cols[0].name.len == 0)
		return parse_header_refuse_cols(h, "#fields",
						"names no column");
	return 0;
}

/* A Zeek type name ("bool", "set[string]", "vector[count]") as a type. */
static enum type type_of(struct core_str t)
{
	static const char *const numeric[] = {
		"count", "int", "double", "time", "interval", "port"
	};
	struct core_str e = t;

	if (core_str_eq_lit(t, "bool"))
		return T_BOOL;
	if (!PARSE_EAT(&e, "set[") && !PARSE_EAT(&e, "vector[") &&
	    !PARSE_EAT(&e, "table["))
		return T_PLAIN;
	if (!PARSE_EAT_TAIL(&e, "]"))
		return T_PLAIN;
	if (core_str_eq_lit(e, "bool"))
		return T_LIST_BOOL;
	for (size_t i = 0; i < CORE_ARRAY_LEN(numeric); i++) {
		if (core_str_eq(e, core_str_make(numeric[i],
						 strlen(numeric[i]))))
			return T_LIST_NUM;
	}
	return T_LIST_STR;
}

/* #types: one per column, or none at all (values as written). */
static int set_types(struct parse_header *h, struct core_str v)
{
	struct core_str w, s = v;
	unsigned n = 0;
	bool more = true;

	while (split(&s, h->sep, &w, &more))
		n++;
	for (unsigned i = 0; i < h->ncols; i++)
		h->cols[i].type = T_PLAIN;
	if (n != h->ncols) {
		parse_header_refuse(h, "#types names %u types where #fields "
				    "names %u columns; values are kept as "
				    "written", n, h->ncols);
		return CORE_E_PARSE;
	}
	more = true;
	for (unsigned i = 0; split(&v, h->sep, &w, &more); i++)
		h->cols[i].type = (uint8_t)type_of(w);
	return 0;
}

/* #path: at most 31 bytes, as the dataset zeek.PATH takes it. */
static int set_path(struct parse_header *h, struct core_str v)
{
	if (set_short(h->path, sizeof(h->path) - 1, &h->path_len, v))
		return 0;
	h->path_len = 0;
	parse_header_refuse(h, "#path is longer than %zu bytes; the log is "
			    "told by its fields", sizeof(h->path) - 1);
	return CORE_E_PARSE;
}

/* #set_separator, #empty_field, #unset_field. */
static int set_marks(struct parse_header *h, struct core_str name,
		     struct core_str v)
{
	uint8_t n;
	char c;

	if (core_str_eq_lit(name, "set_separator")) {
		if (set_short(&c, 1, &n, v) && n == 1) {
			h->set_sep = c;
			return 0;
		}
		parse_header_refuse(h, "#set_separator is not one byte; the "
				    "previous one is kept");
		return CORE_E_PARSE;
	}
	if (core_str_eq_lit(name, "empty_field") ?
	    set_short(h->empty, sizeof(h->empty), &h->empty_len, v) :
	    set_short(h->unset, sizeof(h->unset), &h->unset_len, v))
		return 0;
	parse_header_refuse(h, "#%.*s is longer than %zu bytes; the previous "
			    "one is kept", (int)name.len, name.p,
			    sizeof(h->unset));
	return CORE_E_PARSE;
}

/*
 * A header line.  Returns 0, or CORE_E_PARSE when it could not be used
 * (the record is then kept raw and parse_header_refusal() says why).
 */
static int directive(struct parse_header *h, struct core_event *ev,
		     struct core_str line)
{
	struct core_str name, v = core_str_make(line.p + 1, line.len - 1);
	char sep = h && h->fmt == CORE_FMT_ZEEK_TSV ? h->sep : '\t';

	if (PARSE_EAT(&v, "separator") && v.len &&
	    (v.p[0] == ' ' || v.p[0] == '\t')) {
		if (h && set_separator(h, v, ev->line) != 0)
			return CORE_E_PARSE;
		return header_event(ev, line);
	}
	if (!h)
		return header_event(ev, line);
	if (h->fmt != CORE_FMT_ZEEK_TSV)
		begin(h, sep);
	v = core_str_make(line.p + 1, line.len - 1);
	if (!parse_token(&v, sep, &name)) {
		/* Column names split otherwise (spaces for tabs, another
		 * #separator than the file's): said here, not record by
		 * record as if there were no header. */
		if (PARSE_EAT(&v, "fields") && v.len) {
			char why[64];

			if (sep == '\t')
				snprintf(why, sizeof(why), "is not split by "
					 "the #separator, a tab");
			else
				snprintf(why, sizeof(why), "is not split by "
					 "the #separator, byte 0x%02x",
					 (unsigned char)sep);
			h->line = ev->line;
			return parse_header_refuse_cols(h, "#fields", why);
		}
		return header_event(ev, line);
	}
	if (core_str_eq_lit(name, "fields") && set_fields(h, v, ev->line))
		return CORE_E_PARSE;
	if (core_str_eq_lit(name, "types") && set_types(h, v))
		return CORE_E_PARSE;
	if (core_str_eq_lit(name, "path") && set_path(h, v))
		return CORE_E_PARSE;
	if ((core_str_eq_lit(name, "set_separator") ||
	     core_str_eq_lit(name, "empty_field") ||
	     core_str_eq_lit(name, "unset_field")) && set_marks(h, name, v))
		return CORE_E_PARSE;
	return header_event(ev, line);
}

/* ------------------------------------------------------------- records */

/* The index past the digits of s from i. */
static size_t digits(struct core_str s, size_t i)
{
	while (i < s.len && s.p[i] >= '0' && s.p[i] <= '9')
		i++;
	return i;
}

/*
 * True when s is a number as JSON writes one: -?(0|[1-9][0-9]*), then
 * optionally .[0-9]+ and [eE][+-]?[0-9]+.
 */
static bool json_number(struct core_str s)
{
	size_t d = s.len && s.p[0] == '-', i = digits(s, d);

	if (i == d || (s.p[d] == '0' && i - d > 1))
		return false;
	if (i < s.len && s.p[i] == '.') {
		d = i + 1;
		if ((i = digits(s, d)) == d)
			return false;
	}
	if (i < s.len && (s.p[i] == 'e' || s.p[i] == 'E')) {
		d = i + 1;
		d += d < s.len && (s.p[d] == '+' || s.p[d] == '-');
		if ((i = digits(s, d)) == d)
			return false;
	}
	return i == s.len;
}

/*
 * A set or vector as JSON array text, the JSON decoder's form of it.
 * The text is valid JSON whatever the log holds: an element of a
 * numeric set that is no JSON number ("1],\"x", "inf", "007"), or of a
 * bool set neither T nor F, is written as a string, as an element of a
 * string set is, so that it cannot end the array or add to it.
 */
static struct core_str list(struct core_arena *a,
			    const struct parse_header *h, struct core_str v,
			    enum type type)
{
	size_t cap = 2 + CORE_JSON_ESCAPED_MAX(v.len) + 3 * (v.len + 1);
	char *out = core_arena_alloc(a, cap), *tmp = core_arena_alloc(a,
								      v.len);
	struct core_str e;
	size_t n = 0, k = 0;
	bool more = true, bare;

	if (!out || !tmp)
		return v;
	out[n++] = '[';
	while (split(&v, h->set_sep, &e, &more)) {
		struct core_str u = core_str_make(tmp, unescape_to(tmp, e));

		if (k++)
			out[n++] = ',';
		bare = type == T_LIST_NUM && json_number(u);
		if (type == T_LIST_BOOL && core_str_eq_lit(u, "T"))
			u = CORE_STR("true"), bare = true;
		else if (type == T_LIST_BOOL && core_str_eq_lit(u, "F"))
			u = CORE_STR("false"), bare = true;
		if (bare) {
			memcpy(out + n, u.p, u.len);
			n += u.len;
			continue;
		}
		out[n++] = '"';
		n += core_json_escape(out + n, u.p, u.len);
		out[n++] = '"';
	}
	out[n++] = ']';
	return core_str_make(out, n);
}

/* One value as its field holds it; false when unset (no field). */
static bool value(struct core_event *ev, const struct parse_header *h,
		  const struct parse_hdr_col *c, struct core_str *v)
{
	enum type t = (enum type)c->type;

	if (core_str_eq(*v, core_str_make(h->unset, h->unset_len)))
		return false;
	if (core_str_eq(*v, core_str_make(h->empty, h->empty_len))) {
		*v = t >= T_LIST_STR ? CORE_STR("[]") : CORE_STR("");
		return true;
	}
	if (t == T_BOOL && core_str_eq_lit(*v, "T"))
		*v = CORE_STR("true");
	else if (t == T_BOOL && core_str_eq_lit(*v, "F"))
		*v = CORE_STR("false");
	else if (t >= T_LIST_STR && ev->arena)
		*v = list(ev->arena, h, *v, t);
	else
		*v = unescape(ev->arena, *v);
	return true;
}

static int no_columns(struct parse_header *h)
{
	if (h && h->fmt == CORE_FMT_ZEEK_TSV && h->refused && h->line)
		parse_header_refuse(h, "record after the refused header line "
				    "%llu; kept raw",
				    (unsigned long long)h->line);
	else
		parse_header_refuse(h, "record before any #fields header; "
				    "kept raw");
	return CORE_E_PARSE;
}

static int record(struct parse_header *h, struct core_event *ev,
		  struct core_str line)
{
	struct core_str v, ts = CORE_STR_NULL;
	size_t n = 0;
	bool more = true;

	if (!h || h->fmt != CORE_FMT_ZEEK_TSV || h->ncols == 0)
		return no_columns(h);
	while (split(&line, h->sep, &v, &more)) {
		const struct parse_hdr_col *c;

		if (n++ >= h->ncols)
			continue;
		c = &h->cols[n - 1];
		if (c->name.len == 0 || !value(ev, h, c, &v))
			continue;
		core_event_set_named_h(ev, c->name.p, c->name.len, c->hash,
				       (enum core_field_id)c->id, v.p, v.len);
		if (c->role == R_TS)
			ts = v;
	}
	if (n != h->ncols)
		return parse_header_refuse_count(h, "#fields", n);
	if (ts.len && !parse_json_time(ts, &ev->ts))
		ev->ts_invalid = true;
	parse_zeek_fields(ev, core_str_make(h->path, h->path_len));
	core_event_set_lit(ev, CORE_F_EVENT_KIND, "event");
	return 0;
}

/*
 * The Zeek TSV decoder.  A header line is decoded (and changes
 * ctx->hdr); a record is decoded by the columns of the last #fields.
 * Returns 0, or CORE_E_PARSE for a blank line, a header line that could
 * not be used and a record that does not fit its header
 * (parse_header_refusal() says why).
 */
int parse_zeek_record(const struct parse_ctx *ctx, struct core_event *ev,
		      struct core_str line)
{
	if (line.len == 0)
		return CORE_E_PARSE;
	if (line.p[0] == '#')
		return directive(ctx->hdr, ev, line);
	return record(ctx->hdr, ev, line);
}
