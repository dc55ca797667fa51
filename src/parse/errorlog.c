/*
 * errorlog.c: web server error logs (error.log) of Apache httpd 2.2 and
 * 2.4 and of nginx, and the ModSecurity messages both servers write there.
 *
 *   Apache 2.2  [Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] text
 *   Apache 2.4  [Wed Oct 11 14:32:52.123456 2023] [core:error]
 *                 [pid 1234:tid 140] [client 10.0.0.2:5555] AH00126: text
 *   nginx       2023/10/11 14:32:52 [error] 1234#1234: *5 text, client:
 *                 10.0.0.1, server: example.org, request: "GET / HTTP/1.1"
 *
 * Apache: the stamp is ctime-shaped (2.4 adds microseconds) or, with an
 * ErrorLogFormat of %{cu}t, "2023-10-11 14:32:52.123456".  The second
 * bracket is the level, in 2.4 after the module ("core:error", ":error"
 * when a module gave none).  Then come, in any order and each optional,
 * [pid P:tid T], [client A] and [remote A]; 2.4 writes the client with
 * its port ("::1:58619"), 2.2 without, so the port is split off only in
 * the 2.4 shape.  An APR error ("(111)Connection refused: ") may stand
 * before the client.  The text that follows is message; an "AHnnnnn:"
 * code at its start is error.code, a trailing ", referer: X" is
 * http.request.referrer.
 *
 * nginx: "PID#TID: " and an optional "*CONN " precede the text; nginx
 * appends ", client: A, server: S" and quoted request, subrequest,
 * upstream, host and referrer values.  nginx escapes none of them, so the
 * text and the quoted values may both hold ", client: ": the one place
 * from which the whole rest of the line reads as that tail is taken, and
 * none when two do (see ngx_context()).  message keeps the tail (keyword
 * rules see the request too).
 *
 * ModSecurity (2.x in Apache, 3.x in nginx): a message that starts
 * "ModSecurity: " (after an optional "[client A] ") is an alert; its
 * [key "value"] tags give the rule and the request (docs/formats.md).
 * ModSecurity escapes quotes inside values, so the matched data cannot
 * fake a tag.
 *
 * Stamps carry no zone: they are taken as ctx->tz_offset_min east of UTC
 * and set ev->ts_guessed, as syslog does; a stamp of the right shape
 * naming no real time leaves the time unknown and sets ev->ts_invalid.
 * Workload: every line of a server's error log; no allocation, values
 * point into the record.
 */
#include "parse/parse_int.h"

#include <string.h>

#define SET_NAMED(ev, lit, v)                                                \
	core_event_set_named((ev), (lit), sizeof(lit) - 1, (v).p, (v).len)

static bool is_digit(char c)
{
	return (unsigned)((unsigned char)c - (unsigned)'0') <= 9;
}

/* n decimal digits at p into *out; false if any is not a digit. */
static bool read_digits(const char *p, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return true;
}

/* Skips leading blanks. */
static void skip_blanks(struct core_str *s)
{
	while (s->len && s->p[0] == ' ') {
		s->p++;
		s->len--;
	}
}

/* ---------------------------------------------------------------- time */

/* A zone-less local time t = {y, mon, d, h, mi, s} (see the top). */
static void set_local_time(const struct parse_ctx *ctx,
			   struct core_event *ev, const int t[6], long usec)
{
	if (!core_time_from_parts(t[0], t[1], t[2], t[3], t[4], t[5], usec,
				  ctx->tz_offset_min, &ev->ts)) {
		ev->ts = CORE_TS_UNKNOWN;
		ev->ts_invalid = true;
		return;
	}
	ev->ts_guessed = true;
}

/* Reads ".ffffff" at p[*i] (if there) into µs; extra digits ignored. */
static long read_fraction(struct core_str st, size_t *i)
{
	long usec = 0, scale = 100000;

	if (*i >= st.len || st.p[*i] != '.')
		return 0;
	for ((*i)++; *i < st.len && is_digit(st.p[*i]); (*i)++) {
		usec += (st.p[*i] - '0') * scale;
		scale /= 10;
	}
	return usec;
}

/*
 * "Www Mmm dd hh:mm:ss[.ffffff] yyyy", the whole of st (the day may be
 * space-padded).  False when st has another shape.
 */
static bool read_ctime(const struct parse_ctx *ctx, struct core_event *ev,
		       struct core_str st)
{
	const char *p = st.p;
	size_t i = 19;
	int t[6];
	long usec;

	if (st.len < 24 || p[3] != ' ' || p[7] != ' ' || p[10] != ' ' ||
	    p[13] != ':' || p[16] != ':')
		return false;
	t[1] = core_month_from_abbr(p + 4);
	if (!t[1] || !(p[8] == ' ' ? read_digits(p + 9, 1, &t[2]) :
		       read_digits(p + 8, 2, &t[2])) ||
	    !read_digits(p + 11, 2, &t[3]) || !read_digits(p + 14, 2, &t[4]) ||
	    !read_digits(p + 17, 2, &t[5]))
		return false;
	usec = read_fraction(st, &i);
	if (st.len != i + 5 || p[i] != ' ' || !read_digits(p + i + 1, 4, &t[0]))
		return false;
	set_local_time(ctx, ev, t, usec);
	return true;
}

/* "dddd-dd-dd dd:dd:dd[.f...]": the %{cu}t shape, whatever the numbers. */
static bool iso_shape(struct core_str st)
{
	static const char mask[] = "dddd-dd-dd dd:dd:dd";
	size_t i;

	for (i = 0; i < sizeof(mask) - 1; i++) {
		char c = i < st.len ? st.p[i] : '\0';

		if (mask[i] == 'd' ? !is_digit(c) :
		    c != mask[i] && !(i == 10 && c == 'T'))
			return false;
	}
	if (i < st.len && st.p[i] == '.')
		for (i++; i < st.len && is_digit(st.p[i]); i++)
			;
	return i == st.len;
}

/*
 * "2023-10-11 14:32:52[.ffffff]" (ErrorLogFormat %{cu}t), all of st; a
 * zone after the minutes is honoured.
 */
static bool read_iso(const struct parse_ctx *ctx, struct core_event *ev,
		     struct core_str st)
{
	int64_t ts;

	if (st.len < 19 || st.p[4] != '-' ||
	    (st.p[10] != ' ' && st.p[10] != 'T'))
		return false;
	if (core_time_parse_iso(st.p, st.len, &ts) != st.len) {
		if (!iso_shape(st))
			return false;
		ev->ts = CORE_TS_UNKNOWN;
		ev->ts_invalid = true;
		return true;
	}
	for (size_t i = 16; i < st.len; i++) {
		if (st.p[i] == 'Z' || st.p[i] == 'z' || st.p[i] == '+' ||
		    st.p[i] == '-') {
			ev->ts = ts;
			return true;
		}
	}
	ev->ts = ts - (int64_t)ctx->tz_offset_min * 60 * 1000000;
	ev->ts_guessed = true;
	return true;
}

/* ---------------------------------------------------------- the header */

/* Apache's and nginx's level names (2.4 adds trace1 .. trace8). */
static bool is_level(struct core_str s)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "error", "warn", "notice", "info",
		"debug"
	};

	if (s.len == 6 && memcmp(s.p, "trace", 5) == 0)
		return s.p[5] >= '1' && s.p[5] <= '8';
	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++) {
		if (core_str_eq_lit(s, names[i]))
			return true;
	}
	return false;
}

/* A module name: letters, digits, '_', '-', '.', at most 64 bytes. */
static bool is_module(struct core_str s)
{
	if (s.len > 64)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      is_digit(c) || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* "[module:]level"; *v24 is set when the module part is there. */
static bool read_level(struct core_event *ev, struct core_str s, bool *v24)
{
	const char *colon = s.len ? memchr(s.p, ':', s.len) : NULL;
	struct core_str mod = CORE_STR_NULL, lvl = s;

	*v24 = colon != NULL;
	if (colon) {
		mod = core_str_make(s.p, (size_t)(colon - s.p));
		lvl = core_str_make(colon + 1, s.len - mod.len - 1);
	}
	if (!is_level(lvl) || !is_module(mod))
		return false;
	core_event_set_str(ev, CORE_F_LOG_LEVEL, lvl);
	if (mod.len)
		SET_NAMED(ev, "log.logger", mod);
	return true;
}

/* Sets source.port when s is a port number (1 to 5 digits, <= 65535). */
static bool set_port(struct core_event *ev, struct core_str s)
{
	int v;

	if (s.len == 0 || s.len > 5 || !read_digits(s.p, s.len, &v) ||
	    v > 65535)
		return false;
	core_event_set_str(ev, CORE_F_SOURCE_PORT, s);
	return true;
}

/*
 * The client: "1.2.3.4", "1.2.3.4:5555", "::1:58619" or a name (Apache
 * writes no brackets around IPv6 addresses).  with_port: the 2.4 shape,
 * whose last ":N" is the port.
 */
static void read_client(struct core_event *ev, struct core_str s,
			bool with_port)
{
	const char *colon = s.len ? memrchr(s.p, ':', s.len) : NULL;
	struct core_ip ip;

	if (core_event_source(ev) || s.len == 0 || s.len > 300)
		return;
	if (colon && (with_port || !core_ip_parse(s.p, s.len, &ip))) {
		struct core_str host = core_str_make(s.p,
						     (size_t)(colon - s.p));
		struct core_str port = core_str_make(colon + 1, s.len -
						     host.len - 1);

		if (core_ip_parse(host.p, host.len, &ip) &&
		    set_port(ev, port)) {
			parse_set_peer(ev, host);
			return;
		}
	}
	parse_set_peer(ev, s);
}

/* "P" or "P:tid T" of a [pid ...] bracket. */
static void read_pid(struct core_event *ev, struct core_str s)
{
	struct core_str pid = s;

	if (parse_token(&s, ':', &pid) && PARSE_EAT(&s, "tid ") &&
	    parse_is_digits(s))
		SET_NAMED(ev, "process.thread.id", s);
	if (parse_is_digits(pid) && pid.len <= 20)
		core_event_set_str(ev, CORE_F_PROCESS_PID, pid);
}

/*
 * Consumes the [pid ..], [client ..] and [remote ..] brackets at *s, in
 * any order; stops before anything else.  The first address wins, so
 * ModSecurity's second [client A] and [remote A] change nothing.
 */
static void read_brackets(struct core_event *ev, struct core_str *s,
			  bool v24)
{
	for (;;) {
		struct core_str t = *s, in;

		skip_blanks(&t);
		if (PARSE_EAT(&t, "[pid ")) {
			if (!parse_token(&t, ']', &in))
				return;
			read_pid(ev, in);
		} else if (PARSE_EAT(&t, "[client ") ||
			   PARSE_EAT(&t, "[remote ")) {
			if (!parse_token(&t, ']', &in))
				return;
			read_client(ev, in, v24);
		} else {
			return;
		}
		*s = t;
	}
}

/* "AHnnnnn:" at the start of m. */
static void read_ah_code(struct core_event *ev, struct core_str m)
{
	int v;

	if (m.len >= 8 && m.p[0] == 'A' && m.p[1] == 'H' &&
	    read_digits(m.p + 2, 5, &v) && m.p[7] == ':')
		SET_NAMED(ev, "error.code", core_str_make(m.p, 7));
}

/*
 * The Apache text after the brackets: an APR error that stands before
 * the client, the AH code and the referer (see the top).
 */
static void apache_message(struct core_event *ev, struct core_str m,
			   bool v24)
{
	long at = PARSE_RFIND(m, ", referer: ");

	if (at >= 0)
		core_event_set(ev, CORE_F_HTTP_REQUEST_REFERRER,
			       m.p + at + 11, m.len - (size_t)at - 11);
	if (m.len > 2 && m.p[0] == '(' && is_digit(m.p[1])) {
		at = PARSE_FIND(m, ": ");
		if (at > 0 && at < 256) {
			m.p += at + 2;
			m.len -= (size_t)at + 2;
			read_brackets(ev, &m, v24);
			skip_blanks(&m);
		}
	}
	read_ah_code(ev, m);
}

/*
 * Apache's text from the level bracket on; *msg receives the text after
 * the brackets.  v24: the stamp had microseconds.  Sets nothing when it
 * returns CORE_E_PARSE.
 */
static int apache_body(struct core_event *ev, struct core_str s, bool v24,
		       struct core_str *msg)
{
	struct core_str lv;
	bool mod;

	if (!PARSE_EAT(&s, "[") || !parse_token(&s, ']', &lv) ||
	    !read_level(ev, lv, &mod))
		return CORE_E_PARSE;
	v24 = v24 || mod;
	read_brackets(ev, &s, v24);
	skip_blanks(&s);
	*msg = s;
	apache_message(ev, s, v24);
	return 0;
}

/* Apache 2.2 / 2.4: the stamp, then apache_body(). */
static int apache_record(const struct parse_ctx *ctx, struct core_event *ev,
			 struct core_str line, struct core_str *msg)
{
	struct core_str s = line, st;

	if (!PARSE_EAT(&s, "[") || !parse_token(&s, ']', &st) ||
	    (!read_ctime(ctx, ev, st) && !read_iso(ctx, ev, st)) ||
	    !PARSE_EAT(&s, " "))
		return CORE_E_PARSE;
	return apache_body(ev, s, memchr(st.p, '.', st.len) != NULL, msg);
}

/* ----------------------------------------------------------------- nginx */

/* The quoted values nginx may append after client and server. */
static const char *const ngx_keys[] = {
	", request: \"", ", subrequest: \"", ", upstream: \"", ", host: \"",
	", referrer: \""
};

enum { NGX_REQUEST, NGX_SUBREQUEST, NGX_UPSTREAM, NGX_HOST, NGX_REFERRER,
       NGX__COUNT };

struct ngx_tail {
	struct core_str client;
	struct core_str server;
	struct core_str v[NGX__COUNT];
};

/* The key of ngx_keys that s starts with, or -1. */
static int ngx_key_at(struct core_str s)
{
	for (int k = 0; k < NGX__COUNT; k++) {
		size_t n = strlen(ngx_keys[k]);

		if (s.len >= n && memcmp(s.p, ngx_keys[k], n) == 0)
			return k;
	}
	return -1;
}

/* Up to ", " or the end; false when the word holds a space or quote. */
static bool ngx_word(struct core_str *s, struct core_str *out)
{
	size_t i = 0;

	while (i < s->len && !(s->p[i] == ',' && i + 1 < s->len &&
			       s->p[i + 1] == ' ')) {
		if (s->p[i] == ' ' || s->p[i] == '"')
			return false;
		i++;
	}
	*out = core_str_make(s->p, i);
	s->p += i;
	s->len -= i;
	return true;
}

/*
 * The rest of a line after ", client: ": true when all of it reads as
 * nginx's tail, which then fills *t.  The value scans read at most
 * *budget bytes in all (see ngx_context()); false once it is spent.
 */
static bool ngx_tail_read(struct core_str s, struct ngx_tail *t,
			  size_t *budget)
{
	memset(t, 0, sizeof(*t));
	if (!ngx_word(&s, &t->client) || t->client.len == 0)
		return false;
	if (PARSE_EAT(&s, ", server: ") && !ngx_word(&s, &t->server))
		return false;
	/* The last quoted value ends the line: no need to scan for it. */
	if (s.len && s.p[s.len - 1] != '"')
		return false;
	while (s.len) {
		int k = ngx_key_at(s);
		size_t i = 0;

		if (k < 0)
			return false;
		s.p += strlen(ngx_keys[k]);
		s.len -= strlen(ngx_keys[k]);
		/* The value ends at a quote that ends the line or a key. */
		for (;; i++) {
			if (i >= s.len || *budget == 0)
				return false;
			(*budget)--;
			if (s.p[i] == '"' && (i + 1 == s.len ||
			    ngx_key_at(core_str_make(s.p + i + 1,
						     s.len - i - 1)) >= 0))
				break;
		}
		if (t->v[k].p == NULL)
			t->v[k] = core_str_make(s.p, i);
		s.p += i + 1;
		s.len -= i + 1;
	}
	return true;
}

/*
 * The next place in *m from which the rest reads as a tail, into *t;
 * false when there is none or the budget is spent.
 */
static bool ngx_next_tail(struct core_str *m, struct ngx_tail *t,
			  size_t *budget)
{
	long at;

	while ((at = PARSE_FIND(*m, ", client: ")) >= 0) {
		m->p += at + 10;
		m->len -= (size_t)at + 10;
		if (ngx_tail_read(*m, t, budget))
			return true;
		if (*budget == 0)
			return false;
	}
	return false;
}

/*
 * Finds and applies the tail (see the top); nothing when there is none.
 * Each place tried may scan to the end of the line, so a line of many
 * ", client: " would cost its length squared: the scans share a budget
 * of a few times the length, and when it is spent no tail is taken.
 *
 * nginx escapes nothing, so a client can write a whole tail into the
 * line: into the text (a file name it asked for, decoded) or into the
 * referrer.  Either way two places then read as a tail, its own and
 * nginx's, and nothing says which is which: such a line keeps no tail at
 * all.  A client can so hide where its own line came from, never make
 * it name another address.
 */
static void ngx_context(struct core_event *ev, struct core_str m)
{
	size_t budget = 4 * m.len;
	struct ngx_tail t, other;

	if (!ngx_next_tail(&m, &t, &budget))
		return;
	if (ngx_next_tail(&m, &other, &budget) || budget == 0) {
		core_event_set_named(ev, "nginx.error.tail", 16, "ambiguous",
				     9);
		return;
	}
	if (!core_str_starts(t.client, "unix:"))
		parse_set_peer(ev, t.client);
	if (t.server.len)
		SET_NAMED(ev, "server.domain", t.server);
	if (t.v[NGX_REQUEST].len)
		parse_access_request(ev, t.v[NGX_REQUEST]);
	if (t.v[NGX_HOST].len)
		SET_NAMED(ev, "url.domain", t.v[NGX_HOST]);
	if (t.v[NGX_REFERRER].len)
		core_event_set_str(ev, CORE_F_HTTP_REQUEST_REFERRER,
				   t.v[NGX_REFERRER]);
}

/* "yyyy/mm/dd hh:mm:ss " at line into t; false if not that shape. */
static bool nginx_stamp(struct core_str line, int t[6])
{
	const char *p = line.p;

	return line.len >= 20 && p[4] == '/' && p[7] == '/' && p[10] == ' ' &&
	       p[13] == ':' && p[16] == ':' && p[19] == ' ' &&
	       read_digits(p, 4, &t[0]) && read_digits(p + 5, 2, &t[1]) &&
	       read_digits(p + 8, 2, &t[2]) && read_digits(p + 11, 2, &t[3]) &&
	       read_digits(p + 14, 2, &t[4]) && read_digits(p + 17, 2, &t[5]);
}

/*
 * nginx's "[level] PID#TID: [*CONN ]text"; *msg receives the text.  Sets
 * nothing when it returns CORE_E_PARSE.
 */
static int nginx_body(struct core_event *ev, struct core_str s,
		      struct core_str *msg)
{
	struct core_str lvl, ids, pid;

	if (!PARSE_EAT(&s, "[") || !parse_token(&s, ']', &lvl) ||
	    !is_level(lvl) || !PARSE_EAT(&s, " ") ||
	    !parse_token(&s, ':', &ids) || !parse_token(&ids, '#', &pid) ||
	    !parse_is_digits(pid) || !parse_is_digits(ids) || pid.len > 20)
		return CORE_E_PARSE;
	core_event_set_str(ev, CORE_F_LOG_LEVEL, lvl);
	core_event_set_str(ev, CORE_F_PROCESS_PID, pid);
	SET_NAMED(ev, "process.thread.id", ids);
	PARSE_EAT(&s, " ");
	if (s.len > 1 && s.p[0] == '*' && is_digit(s.p[1])) {
		struct core_str t2 = s, conn;

		t2.p++;
		t2.len--;
		if (parse_token(&t2, ' ', &conn) && parse_is_digits(conn)) {
			SET_NAMED(ev, "nginx.error.connection_id", conn);
			s = t2;
		}
	}
	*msg = s;
	ngx_context(ev, s);
	return 0;
}

/* nginx: the stamp, then nginx_body(). */
static int nginx_record(const struct parse_ctx *ctx, struct core_event *ev,
			struct core_str line, struct core_str *msg)
{
	int t[6];

	if (!nginx_stamp(line, t) ||
	    nginx_body(ev, core_str_make(line.p + 20, line.len - 20), msg))
		return CORE_E_PARSE;
	set_local_time(ctx, ev, t, 0);
	return 0;
}

/* ----------------------------------------------------------- ModSecurity */

/* ModSecurity 2's severity names, by their syslog number. */
static struct core_str modsec_severity(struct core_str v)
{
	static const char *const names[] = {
		"EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING",
		"NOTICE", "INFO", "DEBUG"
	};

	if (v.len == 1 && v.p[0] >= '0' && v.p[0] <= '7')
		return v;
	for (unsigned i = 0; i < CORE_ARRAY_LEN(names); i++) {
		if (core_str_eq_lit(v, names[i]))
			return parse_small_num(i);
	}
	return CORE_STR_NULL;
}

/* One [key "value"] tag: where the tag's fields go. */
static void modsec_tag(struct core_event *ev, struct core_str key,
		       struct core_str v)
{
	if (v.len == 0)
		return;
	if (core_str_eq_lit(key, "id") && !core_event_get(ev, CORE_F_RULE_ID))
		core_event_set_str(ev, CORE_F_RULE_ID, v);
	else if (core_str_eq_lit(key, "msg") &&
		 !core_event_get(ev, CORE_F_RULE_NAME))
		core_event_set_str(ev, CORE_F_RULE_NAME, v);
	else if (core_str_eq_lit(key, "tag") && core_str_starts(v, "attack-") &&
		 !core_event_get(ev, CORE_F_RULE_CATEGORY))
		core_event_set_str(ev, CORE_F_RULE_CATEGORY, v);
	else if (core_str_eq_lit(key, "severity") &&
		 !core_event_get(ev, CORE_F_EVENT_SEVERITY) &&
		 (v = modsec_severity(v)).len)
		core_event_set_str(ev, CORE_F_EVENT_SEVERITY, v);
	else if (core_str_eq_lit(key, "uri") &&
		 !core_event_get(ev, CORE_F_URL_ORIGINAL))
		parse_set_url(ev, v);
	else if (core_str_eq_lit(key, "hostname") &&
		 !core_event_get_named(ev, "url.domain", 10))
		SET_NAMED(ev, "url.domain", v);
	else if (core_str_eq_lit(key, "unique_id"))
		SET_NAMED(ev, "http.request.id", v);
	else if (core_str_eq_lit(key, "ver"))
		SET_NAMED(ev, "rule.ruleset", v);
}

/*
 * Reads [key "value"] at s (s at '['); returns the bytes it spans, 0
 * when s holds no tag there.  Backslash escapes stay in the value.
 */
static size_t modsec_read_tag(struct core_str s, struct core_str *key,
			      struct core_str *val)
{
	size_t i = 1, v0;

	while (i < s.len && i < 20 && ((s.p[i] >= 'a' && s.p[i] <= 'z') ||
				       s.p[i] == '_'))
		i++;
	if (i == 1 || i + 2 >= s.len || s.p[i] != ' ' || s.p[i + 1] != '"')
		return 0;
	*key = core_str_make(s.p + 1, i - 1);
	v0 = i + 2;
	for (i = v0; i < s.len && s.p[i] != '"'; i++) {
		if (s.p[i] == '\\')
			i++;
	}
	if (i + 1 >= s.len || s.p[i + 1] != ']')
		return 0;
	*val = core_str_make(s.p + v0, i - v0);
	return i + 2;
}

/*
 * The text after "ModSecurity: ": action, status and tags.  A denial or
 * a warning (after the tags, where old versions put them) is an alert;
 * any other text is ModSecurity's own state (audit log, configuration).
 */
static void modsec_message(struct core_event *ev, struct core_str m)
{
	struct core_str s = m, key, val;
	const char *at, *action = "modsecurity_message";
	bool alert = true;
	size_t n;

	/* ModSecurity 2.6 and older put the tags first. */
	for (;;) {
		skip_blanks(&s);
		if (s.len == 0 || s.p[0] != '[' ||
		    (n = modsec_read_tag(s, &key, &val)) == 0)
			break;
		s.p += n;
		s.len -= n;
	}
	if (PARSE_EAT(&s, "Access denied")) {
		action = "modsecurity_denied";
		core_event_set_lit(ev, CORE_F_EVENT_TYPE, "denied");
		if (PARSE_EAT(&s, " with code ") && s.len >= 3 &&
		    parse_is_digits(core_str_make(s.p, 3)))
			core_event_set(ev, CORE_F_HTTP_RESPONSE_STATUS_CODE,
				       s.p, 3);
	} else if (PARSE_EAT(&s, "Warning.")) {
		action = "modsecurity_warning";
	} else {
		alert = false;
	}
	parse_set_action(ev, action, alert ? "intrusion_detection" : "web",
			 NULL);
	if (alert)
		core_event_set_lit(ev, CORE_F_EVENT_KIND, "alert");
	else
		core_event_set_lit(ev, CORE_F_EVENT_KIND, "event");

	s = m;
	while (s.len && (at = memchr(s.p, '[', s.len)) != NULL) {
		s.len -= (size_t)(at - s.p);
		s.p = at;
		n = modsec_read_tag(s, &key, &val);
		if (n)
			modsec_tag(ev, key, val);
		n = n ? n : 1;
		s.p += n;
		s.len -= n;
	}
}

/* True when m (after an optional "[client A] ") is a ModSecurity text. */
static bool modsec_text(struct core_str m, struct core_str *rest)
{
	struct core_str in;

	if (PARSE_EAT(&m, "[client ") && (!parse_token(&m, ']', &in) ||
					   !PARSE_EAT(&m, " ")))
		return false;
	if (!PARSE_EAT(&m, "ModSecurity: "))
		return false;
	*rest = m;
	return true;
}

/*
 * What every decoded line gets: message, dataset, ModSecurity or not.
 * Apache 2.4 names the module that logged: ModSecurity 2 is security2
 * (or none), so another module's text (a PHP error_log() call, a CGI
 * script's stderr) that starts "ModSecurity: " raises no alert.
 */
static void finish(struct core_event *ev, struct core_str msg)
{
	const struct core_str *mod = core_event_get_named(ev, "log.logger", 10);
	struct core_str rest;

	core_event_set_str(ev, CORE_F_MESSAGE, msg);
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "web.error");
	if ((mod == NULL || core_str_eq_lit(*mod, "security2")) &&
	    modsec_text(msg, &rest)) {
		modsec_message(ev, rest);
		return;
	}
	core_event_set_lit(ev, CORE_F_EVENT_KIND, "event");
	core_event_set_lit(ev, CORE_F_EVENT_CATEGORY, "web");
}

/*
 * The ERROR_LOG decoder.  Returns 0 for an Apache or nginx error-log
 * line, CORE_E_PARSE when the header has neither shape.
 */
int parse_errorlog_record(const struct parse_ctx *ctx, struct core_event *ev,
			  struct core_str line)
{
	struct core_str msg = CORE_STR_NULL;
	int rc;

	if (line.len && line.p[0] == '[')
		rc = apache_record(ctx, ev, line, &msg);
	else
		rc = nginx_record(ctx, ev, line, &msg);
	if (rc != 0)
		return rc;
	finish(ev, msg);
	return 0;
}

/* httpd, httpd/vhost, apache2, apache, nginx: a web server's tag. */
static bool is_server_tag(struct core_str prog)
{
	static const char *const names[] = { "httpd", "apache2", "apache",
					     "nginx" };

	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++) {
		size_t n = strlen(names[i]);

		if (prog.len >= n && memcmp(prog.p, names[i], n) == 0 &&
		    (prog.len == n || prog.p[n] == '/' || prog.p[n] == '-'))
			return true;
	}
	return false;
}

/*
 * An error-log line a web server sent to syslog (ErrorLog syslog: no
 * stamp, "[core:error] [pid 1] ..."; nginx's error_log syslog: keeps its
 * own stamp, which the syslog header's time is kept over).  prog: the
 * syslog tag.  True when decoded; nothing is set otherwise.
 */
bool parse_errorlog_message(struct core_event *ev, struct core_str prog,
			    struct core_str msg)
{
	struct core_str text;
	int t[6];

	if (!is_server_tag(prog))
		return false;
	if (msg.len && msg.p[0] == '[') {
		if (apache_body(ev, msg, false, &text))
			return false;
	} else if (!nginx_stamp(msg, t) ||
		   nginx_body(ev, core_str_make(msg.p + 20, msg.len - 20),
			      &text)) {
		return false;
	}
	finish(ev, text);
	return true;
}
