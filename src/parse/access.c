/*
 * access.c: web server access logs, Apache and Nginx "common" and
 * "combined" formats:
 *
 *   [vhost[:port] ]client ident user [10/Oct/2000:13:55:36 -0700]
 *       "GET /x HTTP/1.1" 200 2326["referer" "user agent"]...
 *
 * Quoted fields may hold \" (Apache escapes quotes that way; values are
 * kept as written, escapes included, pointing into the record).  A request
 * line that is not "METHOD TARGET VERSION" (TLS handshakes sent to a
 * plain port, "-", scanner junk) is kept as url.original with no method.
 * Fields after the user agent (Nginx extras, response times) are ignored.
 */
#include "parse/parse_int.h"

#include <string.h>

/* "dd/Mon/yyyy:hh:mm:ss +zzzz]" at s; bytes consumed or 0. */
static size_t read_clf_time(struct core_str s, int64_t *out)
{
	int d, y, h, mi, sec, oh, om, mon;
	const char *p = s.p;

	if (s.len < 27 || p[2] != '/' || p[6] != '/' || p[11] != ':' ||
	    p[14] != ':' || p[17] != ':' || p[20] != ' ' ||
	    (p[21] != '+' && p[21] != '-') || p[26] != ']')
		return 0;
	mon = core_month_from_abbr(p + 3);
	d = (p[0] - '0') * 10 + (p[1] - '0');
	y = 0;
	for (int i = 7; i < 11; i++) {
		if ((unsigned)(p[i] - '0') > 9)
			return 0;
		y = y * 10 + (p[i] - '0');
	}
	h = (p[12] - '0') * 10 + (p[13] - '0');
	mi = (p[15] - '0') * 10 + (p[16] - '0');
	sec = (p[18] - '0') * 10 + (p[19] - '0');
	oh = (p[22] - '0') * 10 + (p[23] - '0');
	om = (p[24] - '0') * 10 + (p[25] - '0');
	for (int i = 0; i < 26; i++) {
		if ((i < 2 || i == 12 || i == 13 || i == 15 || i == 16 ||
		     i == 18 || i == 19 || i >= 22) &&
		    (unsigned)(p[i] - '0') > 9)
			return 0;
	}
	if (!mon || !core_time_from_parts(y, mon, d, h, mi, sec, 0,
					  (p[21] == '-' ? -1 : 1) *
					  (oh * 60 + om), out))
		return 0;
	return 27;
}

/* A "quoted" field at s (s at the opening quote); false if unterminated. */
static bool read_quoted(struct core_str *s, struct core_str *out)
{
	size_t i = 1;

	if (s->len == 0 || s->p[0] != '"')
		return false;
	while (i < s->len) {
		if (s->p[i] == '\\' && i + 1 < s->len) {
			i += 2;
			continue;
		}
		if (s->p[i] == '"')
			break;
		i++;
	}
	if (i >= s->len)
		return false;
	*out = core_str_make(s->p + 1, i - 1);
	s->p += i + 1;
	s->len -= i + 1;
	return true;
}

static bool is_method(struct core_str m)
{
	if (m.len == 0 || m.len > 20)
		return false;
	for (size_t i = 0; i < m.len; i++) {
		if (!((m.p[i] >= 'A' && m.p[i] <= 'Z') || m.p[i] == '-' ||
		      m.p[i] == '_'))
			return false;
	}
	return true;
}

/*
 * A request line: "GET /x HTTP/1.1" and "GET /x" (HTTP/0.9) set the method,
 * the URL fields and the version; anything else is kept whole as
 * url.original; "-" or nothing sets nothing.  Values point into req.
 */
void parse_access_request(struct core_event *ev, struct core_str req)
{
	struct core_str r = req, method, target;
	long sp;

	if (req.len == 0 || core_str_eq_lit(req, "-"))
		return;
	if (parse_token(&r, ' ', &method) && is_method(method) && r.len) {
		sp = PARSE_RFIND(r, " HTTP/");
		target = sp >= 0 ? core_str_make(r.p, (size_t)sp) : r;
		if (sp < 0 && memchr(r.p, ' ', r.len))
			goto junk;
		core_event_set_str(ev, CORE_F_HTTP_REQUEST_METHOD, method);
		parse_set_url(ev, target);
		if (sp >= 0)
			core_event_set(ev, CORE_F_HTTP_VERSION, r.p + sp + 6,
				       r.len - (size_t)sp - 6);
		return;
	}
junk:
	core_event_set_str(ev, CORE_F_URL_ORIGINAL, req);
}

/* The words before "[": client ident user, or vhost client ident user. */
static bool read_head(struct core_event *ev, struct core_str head)
{
	struct core_str t[4], s = head, user;
	struct core_ip ip;
	int n = 0;

	while (n < 4 && parse_token(&s, ' ', &t[n]))
		n++;
	if (n < 3)
		return false;
	if (n == 4 && !core_ip_parse(t[0].p, t[0].len, &ip)) {
		const char *colon = memchr(t[0].p, ':', t[0].len);

		if (colon && colon == memrchr(t[0].p, ':', t[0].len))
			t[0].len = (size_t)(colon - t[0].p);
		core_event_set_named(ev, "url.domain", 10, t[0].p, t[0].len);
		parse_set_peer(ev, t[1]);
		user = t[3];
	} else {
		parse_set_peer(ev, t[0]);
		user = core_str_make(t[2].p, (size_t)(head.p + head.len -
						      t[2].p));
		user = core_str_trim(user);
	}
	if (user.len && !core_str_eq_lit(user, "-"))
		core_event_set_str(ev, CORE_F_USER_NAME, user);
	return true;
}

/* Status, size, then optional "referer" "agent". */
static bool read_tail(struct core_event *ev, struct core_str s)
{
	struct core_str status, size, q;
	unsigned code;

	if (!parse_token(&s, ' ', &status)) {
		status = s;
		s.len = 0;
	}
	if (status.len != 3 || !parse_is_digits(status))
		return false;
	if (!parse_token(&s, ' ', &size)) {
		size = s;
		s.len = 0;
	}
	code = (unsigned)((status.p[0] - '0') * 100 + (status.p[1] - '0') * 10
			  + (status.p[2] - '0'));
	core_event_set_str(ev, CORE_F_HTTP_RESPONSE_STATUS_CODE, status);
	if (parse_is_digits(size))
		core_event_set_str(ev, CORE_F_HTTP_RESPONSE_BODY_BYTES, size);
	parse_set_action(ev, "http_request", "web",
			 code >= 400 ? "failure" : "success");
	if (read_quoted(&s, &q) && q.len && !core_str_eq_lit(q, "-"))
		core_event_set_str(ev, CORE_F_HTTP_REQUEST_REFERRER, q);
	PARSE_EAT(&s, " ");
	if (read_quoted(&s, &q) && q.len && !core_str_eq_lit(q, "-"))
		core_event_set_str(ev, CORE_F_USER_AGENT_ORIGINAL, q);
	return true;
}

/*
 * The ACCESS_LOG decoder.  Returns 0 when the line has the common-log
 * shape, CORE_E_PARSE otherwise.
 */
int parse_access_record(const struct parse_ctx *ctx, struct core_event *ev,
			struct core_str line)
{
	struct core_str s = line, req;
	long br = PARSE_FIND(line, " [");
	size_t n;

	(void)ctx;
	if (br <= 0 || br > 1024 ||
	    !read_head(ev, core_str_make(line.p, (size_t)br + 1)))
		return CORE_E_PARSE;
	s.p += br + 2;
	s.len -= (size_t)br + 2;
	n = read_clf_time(s, &ev->ts);
	if (n == 0)
		return CORE_E_PARSE;
	s.p += n;
	s.len -= n;
	if (!PARSE_EAT(&s, " ") || !read_quoted(&s, &req) ||
	    !PARSE_EAT(&s, " "))
		return CORE_E_PARSE;
	parse_access_request(ev, req);
	if (!read_tail(ev, s))
		return CORE_E_PARSE;
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "web.access");
	core_event_set_lit(ev, CORE_F_EVENT_KIND, "event");
	return 0;
}
