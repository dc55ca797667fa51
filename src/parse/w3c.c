/*
 * w3c.c: W3C extended log files, as IIS writes them by default and as
 * other servers, proxies and the Windows Firewall write them too:
 *
 *   #Software: Microsoft Internet Information Services 10.0
 *   #Version: 1.0
 *   #Date: 2024-03-01 10:00:00
 *   #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port
 *       cs-username c-ip cs(User-Agent) cs(Referer) sc-status ...
 *   2024-03-01 10:00:01 10.0.0.5 GET /a.aspx id=1 443 - 192.0.2.7
 *       Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 15
 *
 * Lines starting with '#' are directives.  #Fields names the columns of
 * the entries after it, up to the next #Fields (IIS writes a new header
 * block whenever it starts a file or restarts, and the columns may
 * change there).  The list is kept in the input's header state
 * (parse_ctx.hdr, parse_int.h) with each column's role in the ECS
 * mapping worked out once, so an entry costs one pass over its values.
 * An entry before any #Fields, or with another number of values than
 * its #Fields names, is kept raw with the reason in the header state,
 * which the caller reports with the file and line.
 *
 * Values are split at spaces and tabs.  "-" is an empty value: the field
 * is left out.  A value in double quotes may hold spaces ("" is a quote
 * in it), as writers other than IIS quote strings; IIS writes spaces as
 * '+' instead, so an unquoted user agent gets its spaces back in
 * user_agent.original while the column keeps what was written.
 *
 * Every column is a field under its own name (cs-uri-stem, cs(User-Agent)
 * ...), and the webserver taxonomy's names are mapped onto the ECS
 * fields an access log gives (docs/formats.md), so Sigma's webserver
 * rules read IIS entries as they read Apache's.  Times are UTC (the date
 * and time columns; without a date column, the day of the last #Date),
 * except under "#Time Format: Local" (the Windows Firewall's log), where
 * they take --tz's zone and are marked guessed, as syslog stamps are.
 *
 * Workload: one call per line; nothing allocated but a URL joined from
 * its stem and query, a user agent with its spaces back and a quoted
 * value holding "" (in ev->arena).
 */
#include "parse/parse_int.h"

#include <string.h>

/* What a column fills beside its own field. */
enum role {
	R_NONE,
	R_DATE,
	R_TIME,
	R_CLIENT,
	R_CLIENT_DNS,
	R_CLIENT_PORT,
	R_SERVER_IP,
	R_SERVER_PORT,
	R_SERVER_NAME,
	R_METHOD,
	R_STEM,
	R_QUERY,
	R_URI,
	R_VERSION,
	R_USER,
	R_AGENT,
	R_REFERRER,
	R_HOST,
	R_STATUS,
	R_BYTES,
	R__COUNT,
};

/* Column names are compared without case: header names have none. */
static const struct {
	const char *name;
	enum role role;
} roles[] = {
	{ "date", R_DATE },
	{ "time", R_TIME },
	{ "c-ip", R_CLIENT },
	{ "c-dns", R_CLIENT_DNS },
	{ "c-port", R_CLIENT_PORT },
	{ "s-ip", R_SERVER_IP },
	{ "s-port", R_SERVER_PORT },
	{ "s-computername", R_SERVER_NAME },
	{ "cs-method", R_METHOD },
	{ "cs-uri-stem", R_STEM },
	{ "cs-uri-path", R_STEM },
	{ "cs-uri-query", R_QUERY },
	{ "cs-uri", R_URI },
	{ "cs-version", R_VERSION },
	{ "cs-username", R_USER },
	{ "cs(user-agent)", R_AGENT },
	{ "cs-user-agent", R_AGENT },
	{ "cs(referer)", R_REFERRER },
	{ "cs-referer", R_REFERRER },
	{ "cs-referrer", R_REFERRER },
	{ "cs(host)", R_HOST },
	{ "cs-host", R_HOST },
	{ "sc-status", R_STATUS },
	{ "sc-bytes", R_BYTES },
};

static enum role role_of(struct core_str name)
{
	for (size_t i = 0; i < CORE_ARRAY_LEN(roles); i++) {
		struct core_str r = core_str_make(roles[i].name,
						  strlen(roles[i].name));

		if (core_str_ieq(name, r))
			return roles[i].role;
	}
	return R_NONE;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Skips spaces and tabs; false when nothing else is left. */
static bool skip_space(struct core_str *s)
{
	while (s->len && is_space(s->p[0])) {
		s->p++;
		s->len--;
	}
	return s->len != 0;
}

/* The next run of bytes up to a space or tab; false at the end. */
static bool next_word(struct core_str *s, struct core_str *w)
{
	size_t n = 0;

	if (!skip_space(s))
		return false;
	while (n < s->len && !is_space(s->p[n]))
		n++;
	*w = core_str_make(s->p, n);
	s->p += n;
	s->len -= n;
	return true;
}

/*
 * The next value of an entry: a word, or a "quoted" string ending at a
 * quote that a space, a tab or the end follows.  *quoted says which;
 * *doubled that the string holds "" (to be unescaped).  An unterminated
 * quote is a word: the value as written.
 */
static bool next_value(struct core_str *s, struct core_str *v, bool *quoted,
		       bool *doubled)
{
	*quoted = false;
	*doubled = false;
	if (!skip_space(s))
		return false;
	if (s->p[0] == '"') {
		for (size_t i = 1; i < s->len; i++) {
			if (s->p[i] != '"')
				continue;
			if (i + 1 < s->len && s->p[i + 1] == '"') {
				*doubled = true;
				i++;
				continue;
			}
			if (i + 1 < s->len && !is_space(s->p[i + 1]))
				break;
			*v = core_str_make(s->p + 1, i - 1);
			*quoted = true;
			s->p += i + 1;
			s->len -= i + 1;
			return true;
		}
		*doubled = false;
	}
	return next_word(s, v);
}

/* A quoted value's "" as one quote, in the arena (as written without). */
static struct core_str undouble(struct core_arena *a, struct core_str v)
{
	char *out = a ? core_arena_alloc(a, v.len) : NULL;
	size_t n = 0;

	if (!out)
		return v;
	for (size_t i = 0; i < v.len; i++) {
		out[n++] = v.p[i];
		if (v.p[i] == '"' && i + 1 < v.len && v.p[i + 1] == '"')
			i++;
	}
	return core_str_make(out, n);
}

/* ---------------------------------------------------------- directives */

/* A header line's fields: the line itself, as other decoders keep it. */
static int header_event(struct core_event *ev, struct core_str line)
{
	core_event_set_str(ev, CORE_F_MESSAGE, line);
	core_event_set_lit(ev, CORE_F_EVENT_KIND, "event");
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "w3c");
	return 0;
}

/* #Fields: the new column list, names copied into h->text. */
static int set_fields(struct parse_header *h, struct core_str v,
		      uint64_t line)
{
	struct core_str w;
	size_t used = 0;

	h->fmt = CORE_FMT_W3C;
	parse_header_cols_begin(h, line);
	while (next_word(&v, &w)) {
		if (parse_header_add_col(h, "#Fields", w, &used) != 0)
			return CORE_E_PARSE;
		h->cols[h->ncols - 1].role = (uint8_t)role_of(w);
	}
	if (h->ncols == 0)
		return parse_header_refuse_cols(h, "#Fields",
						"names no column");
	return 0;
}

/* #Date: "2024-03-01 10:00:00", UTC; its day serves entries without one. */
static void set_date(struct parse_header *h, struct core_event *ev,
		     struct core_str v)
{
	const int64_t day = 86400LL * 1000000;
	int64_t ts;

	v = core_str_trim(v);
	if (v.len < 10 || core_time_parse_iso(v.p, v.len, &ts) != v.len)
		return;
	ev->ts = ts;
	if (h)
		h->day = ts - ((ts % day) + day) % day;
}

/*
 * A directive, "#Name: value".  Only #Fields, #Date and #Time Format
 * change the state; the others (#Software, #Version, #Remark ...) are
 * kept as header events.
 */
static int directive(const struct parse_ctx *ctx, struct core_event *ev,
		     struct core_str line)
{
	struct parse_header *h = ctx->hdr;
	struct core_str name, v = core_str_make(line.p + 1, line.len - 1);

	if (!parse_token(&v, ':', &name))
		return header_event(ev, line);
	name = core_str_trim(name);
	if (h && h->fmt != CORE_FMT_W3C) {
		parse_header_reset(h);
		h->fmt = CORE_FMT_W3C;
	}
	if (core_str_ieq(name, CORE_STR("Fields"))) {
		if (h && set_fields(h, v, ev->line) != 0)
			return CORE_E_PARSE;
	} else if (core_str_ieq(name, CORE_STR("Date"))) {
		set_date(h, ev, v);
	} else if (core_str_ieq(name, CORE_STR("Time Format")) && h) {
		h->local_time = core_str_ieq(core_str_trim(v),
					     CORE_STR("Local"));
	}
	return header_event(ev, line);
}

/* ------------------------------------------------------------- entries */

/* n digits at p as a number, or -1. */
static int digits(const char *p, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if ((unsigned)(p[i] - '0') > 9)
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* "hh:mm:ss" with an optional fraction, as microseconds into the day. */
static bool read_clock(struct core_str t, int64_t *out)
{
	int h, m, s;
	long us = 0, scale = 100000;

	if (t.len < 8 || t.p[2] != ':' || t.p[5] != ':')
		return false;
	h = digits(t.p, 2);
	m = digits(t.p + 3, 2);
	s = digits(t.p + 6, 2);
	if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60)
		return false;
	if (t.len > 8 && (t.p[8] != '.' || t.len == 9))
		return false;
	for (size_t i = 9; i < t.len; i++) {
		if ((unsigned)(t.p[i] - '0') > 9)
			return false;
		us += (t.p[i] - '0') * scale;
		scale /= 10;
	}
	*out = ((int64_t)h * 3600 + m * 60 + s) * 1000000 + us;
	return true;
}

/*
 * The entry's time from its date and time columns (or #Date's day):
 * UTC, or --tz's zone under "#Time Format: Local".  Columns that name
 * no real time leave it unknown and say so (ts_invalid).
 */
static void set_time(const struct parse_ctx *ctx, struct core_event *ev,
		     struct core_str date, struct core_str time)
{
	const struct parse_header *h = ctx->hdr;
	int offset = h->local_time ? ctx->tz_offset_min : 0;
	int64_t clock, day;
	int y, mo, d;

	if (time.len == 0)
		return;
	if (!read_clock(time, &clock))
		goto bad;
	if (date.len == 0) {
		if (h->day == CORE_TS_UNKNOWN)
			return;
		ev->ts = h->day + clock - (int64_t)offset * 60000000;
		ev->ts_guessed = h->local_time;
		return;
	}
	if (date.len != 10 || date.p[4] != '-' || date.p[7] != '-')
		goto bad;
	y = digits(date.p, 4);
	mo = digits(date.p + 5, 2);
	d = digits(date.p + 8, 2);
	if (y < 0 || mo < 0 || d < 0 ||
	    !core_time_from_parts(y, mo, d, 0, 0, 0, 0, offset, &day))
		goto bad;
	ev->ts = day + clock;
	ev->ts_guessed = h->local_time;
	return;
bad:
	ev->ts = CORE_TS_UNKNOWN;
	ev->ts_invalid = true;
}

/* url.original from the stem and the query IIS logs apart. */
static void set_url(struct core_event *ev, struct core_str stem,
		    struct core_str query)
{
	char *p;

	if (stem.len == 0 || query.len == 0 || !ev->arena ||
	    !(p = core_arena_alloc(ev->arena, stem.len + 1 + query.len))) {
		if (stem.len)
			core_event_set_str(ev, CORE_F_URL_ORIGINAL, stem);
		if (stem.len)
			core_event_set_str(ev, CORE_F_URL_PATH, stem);
		if (query.len)
			core_event_set_str(ev, CORE_F_URL_QUERY, query);
		return;
	}
	memcpy(p, stem.p, stem.len);
	p[stem.len] = '?';
	memcpy(p + stem.len + 1, query.p, query.len);
	core_event_set(ev, CORE_F_URL_ORIGINAL, p, stem.len + 1 + query.len);
	core_event_set_str(ev, CORE_F_URL_PATH, stem);
	core_event_set_str(ev, CORE_F_URL_QUERY, query);
}

/* IIS's user agent with its '+' back as spaces (arena; else as is). */
static struct core_str agent_spaces(struct core_arena *a, struct core_str v)
{
	char *p;

	if (!a || !memchr(v.p, '+', v.len) ||
	    !(p = core_arena_alloc(a, v.len)))
		return v;
	for (size_t i = 0; i < v.len; i++)
		p[i] = v.p[i] == '+' ? ' ' : v.p[i];
	return core_str_make(p, v.len);
}

/*
 * The ECS fields of an access-log line from the columns that have
 * them; v is indexed by role.  A request (a method, a URL or a status)
 * is an http_request of dataset web.w3c, as an access-log line is one
 * of web.access; anything else (a firewall's entry) keeps its columns
 * under dataset w3c.
 */
static void map_fields(struct core_event *ev, const struct core_str *v,
		       bool agent_quoted)
{
	uint64_t status = 0;
	bool has_status;

	if (v[R_URI].len)
		parse_set_url(ev, v[R_URI]);
	else
		set_url(ev, v[R_STEM], v[R_QUERY]);
	parse_set_peer(ev, v[R_CLIENT].len ? v[R_CLIENT] : v[R_CLIENT_DNS]);
	if (v[R_CLIENT_PORT].len)
		core_event_set_str(ev, CORE_F_SOURCE_PORT, v[R_CLIENT_PORT]);
	if (v[R_SERVER_IP].len)
		core_event_set_str(ev, CORE_F_DESTINATION_IP, v[R_SERVER_IP]);
	if (v[R_SERVER_PORT].len)
		core_event_set_str(ev, CORE_F_DESTINATION_PORT,
				   v[R_SERVER_PORT]);
	if (v[R_SERVER_NAME].len)
		core_event_set_str(ev, CORE_F_HOST_NAME, v[R_SERVER_NAME]);
	if (v[R_HOST].len)
		core_event_set_named(ev, "url.domain", 10, v[R_HOST].p,
				     v[R_HOST].len);
	if (v[R_USER].len)
		core_event_set_str(ev, CORE_F_USER_NAME, v[R_USER]);
	if (v[R_REFERRER].len)
		core_event_set_str(ev, CORE_F_HTTP_REQUEST_REFERRER,
				   v[R_REFERRER]);
	if (v[R_AGENT].len && !agent_quoted)
		core_event_set_str(ev, CORE_F_USER_AGENT_ORIGINAL,
				   agent_spaces(ev->arena, v[R_AGENT]));
	else if (v[R_AGENT].len)
		core_event_set_str(ev, CORE_F_USER_AGENT_ORIGINAL, v[R_AGENT]);
	if (v[R_BYTES].len && parse_is_digits(v[R_BYTES]))
		core_event_set_str(ev, CORE_F_HTTP_RESPONSE_BODY_BYTES,
				   v[R_BYTES]);
	if (v[R_VERSION].len) {
		struct core_str ver = v[R_VERSION];

		PARSE_EAT(&ver, "HTTP/");
		core_event_set_str(ev, CORE_F_HTTP_VERSION, ver);
	}
	if (v[R_METHOD].len)
		core_event_set_str(ev, CORE_F_HTTP_REQUEST_METHOD, v[R_METHOD]);

	has_status = core_str_to_u64(v[R_STATUS], &status);
	if (v[R_STATUS].len)
		core_event_set_str(ev, CORE_F_HTTP_RESPONSE_STATUS_CODE,
				   v[R_STATUS]);
	if (!v[R_METHOD].len && !v[R_STEM].len && !v[R_URI].len &&
	    !v[R_STATUS].len) {
		core_event_set_lit(ev, CORE_F_EVENT_DATASET, "w3c");
		return;
	}
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "web.w3c");
	parse_set_action(ev, "http_request", "web", !has_status ? NULL :
			 status >= 400 ? "failure" : "success");
}

/* Says why an entry with no usable column list is kept raw. */
static int no_columns(struct parse_header *h)
{
	if (h && h->fmt == CORE_FMT_W3C && h->refused)
		parse_header_refuse(h, "record after the refused #Fields "
				    "header of line %llu; kept raw",
				    (unsigned long long)h->line);
	else
		parse_header_refuse(h, "record before any #Fields header; "
				    "kept raw");
	return CORE_E_PARSE;
}

static int entry(const struct parse_ctx *ctx, struct core_event *ev,
		 struct core_str line)
{
	struct parse_header *h = ctx->hdr;
	struct core_str v[R__COUNT] = { { NULL, 0 } }, s = line, val;
	bool quoted, doubled, agent_quoted = false;
	size_t n = 0;

	if (!h || h->fmt != CORE_FMT_W3C || h->ncols == 0)
		return no_columns(h);
	while (next_value(&s, &val, &quoted, &doubled)) {
		const struct parse_hdr_col *c;

		if (n++ >= h->ncols || (!quoted && core_str_eq_lit(val, "-")))
			continue;
		c = &h->cols[n - 1];
		if (doubled)
			val = undouble(ev->arena, val);
		core_event_set_named_h(ev, c->name.p, c->name.len, c->hash,
				       (enum core_field_id)c->id, val.p,
				       val.len);
		v[c->role] = val;
		if (c->role == R_AGENT)
			agent_quoted = quoted;
	}
	if (n != h->ncols)
		return parse_header_refuse_count(h, "#Fields", n);
	set_time(ctx, ev, v[R_DATE], v[R_TIME]);
	map_fields(ev, v, agent_quoted);
	core_event_set_lit(ev, CORE_F_EVENT_KIND, "event");
	return 0;
}

/*
 * The W3C decoder.  A directive is decoded (and changes ctx->hdr); an
 * entry is decoded by the columns of the last #Fields.  Returns 0, or
 * CORE_E_PARSE for a blank line, a refused #Fields and an entry that
 * does not fit its header (parse_header_refusal() says why).
 */
int parse_w3c_record(const struct parse_ctx *ctx, struct core_event *ev,
		     struct core_str line)
{
	if (core_str_trim(line).len == 0)
		return CORE_E_PARSE;
	if (line.p[0] == '#')
		return directive(ctx, ev, line);
	return entry(ctx, ev, line);
}
