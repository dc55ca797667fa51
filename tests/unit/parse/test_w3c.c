/*
 * test_w3c.c: W3C extended logs (IIS): directives, the column list a
 * #Fields header sets and a later one changes, entries mapped onto the
 * access log's ECS fields, and the records a header cannot explain.
 *
 * Rows of a table are one input, read in order through one header
 * state, as a file is; each row is line i + 1 of it.
 */
#include "parse_test.h"

/* A row with the reason parse_header_refusal() must give (or none). */
struct seq_row {
	const char *line;
	const char *expect;
	const char *refusal;	/* a substring; NULL: none */
	const char *why;
};

static void run_seq(enum core_format fmt, const struct seq_row *rows,
		    size_t n, int tz_offset_min)
{
	struct core_arena *arena = core_arena_new(0);
	struct parse_ctx ctx;
	struct core_event ev;

	assert_non_null(arena);
	pt_ctx(&ctx);
	ctx.tz_offset_min = tz_offset_min;
	ctx.hdr = parse_header_new();
	assert_non_null(ctx.hdr);
	for (size_t i = 0; i < n; i++) {
		const struct parse_row r = { rows[i].line, rows[i].expect,
					     rows[i].why };
		const char *e = r.expect, *got;
		int rc;

		core_arena_reset(arena);
		core_event_reset(&ev, arena);
		ev.line = i + 1;
		rc = parse_record(fmt, &ctx, &ev, r.line, strlen(r.line));
		while (*e) {
			const char *nl = strchr(e, '\n');
			size_t k = nl ? (size_t)(nl - e) : strlen(e);

			pt_expect(&r, &ev, rc, e, k);
			e += k + (nl ? 1 : 0);
		}
		got = parse_header_refusal(ctx.hdr);
		if (!rows[i].refusal && got)
			pt_fail(&r, "no refusal", got);
		if (rows[i].refusal && (!got || !strstr(got, rows[i].refusal)))
			pt_fail(&r, rows[i].refusal, got ? got : "none");
		if (rc == 0 && !ev.decoded)
			pt_fail(&r, "decoded", "raw");
	}
	parse_header_free(ctx.hdr);
	core_arena_free(arena);
}

#define IIS_FIELDS "#Fields: date time s-ip cs-method cs-uri-stem " \
	"cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) " \
	"sc-status sc-substatus sc-win32-status time-taken"

static const struct seq_row iis[] = {
	{ "2024-03-01 09:59:59 10.0.0.5 GET /early.aspx - 443 - 192.0.2.1 "
	  "x - 200 0 0 1",
	  "rc=-3\nmessage=2024-03-01 09:59:59 10.0.0.5 GET /early.aspx - 443 "
	  "- 192.0.2.1 x - 200 0 0 1\n!source.ip",
	  "record before any #Fields header", "an entry before any header: "
	  "raw, whole line kept, and said why" },
	{ "#Software: Microsoft Internet Information Services 10.0",
	  "rc=0\nevent.dataset=w3c\nevent.kind=event\n"
	  "message=#Software: Microsoft Internet Information Services 10.0",
	  NULL, "a directive is a decoded header event" },
	{ "#Version: 1.0", "rc=0\nevent.dataset=w3c", NULL, "version" },
	{ "#Date: 2024-03-01 10:00:00",
	  "rc=0\nts=2024-03-01T10:00:00.000000Z", NULL,
	  "#Date's time is the header event's, UTC" },
	{ IIS_FIELDS, "rc=0\nevent.dataset=w3c", NULL, "line 5: the columns" },
	{ "2024-03-01 10:00:01 10.0.0.5 GET /a.aspx id=1&b=2 443 alice "
	  "192.0.2.10 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) "
	  "https://shop.example/ 200 0 0 15\r",
	  "rc=0\nts=2024-03-01T10:00:01.000000Z\nsource.ip=192.0.2.10\n"
	  "destination.ip=10.0.0.5\ndestination.port=443\n"
	  "http.request.method=GET\nurl.original=/a.aspx?id=1&b=2\n"
	  "url.path=/a.aspx\nurl.query=id=1&b=2\nuser.name=alice\n"
	  "user_agent.original=Mozilla/5.0 (Windows NT 10.0; Win64; x64)\n"
	  "cs(User-Agent)=Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)\n"
	  "http.request.referrer=https://shop.example/\n"
	  "http.response.status_code=200\nevent.outcome=success\n"
	  "event.action=http_request\nevent.category=web\n"
	  "event.dataset=web.w3c\nevent.kind=event\ntime-taken=15\n"
	  "sc-substatus=0\ncs-uri-stem=/a.aspx\ncs-uri-query=id=1&b=2\n"
	  "sc-win32-status=0\nc-ip=192.0.2.10\n!message",
	  NULL, "an IIS entry: its columns and the access log's ECS fields; "
	  "the user agent with its spaces back, a CR line end dropped" },
	{ "2024-03-01 10:00:02 10.0.0.5 POST /login.aspx - 443 - "
	  "203.0.113.9 - - 401 1 2148074254 3",
	  "rc=0\nurl.original=/login.aspx\nurl.path=/login.aspx\n!url.query\n"
	  "!user.name\n!user_agent.original\n!cs(User-Agent)\n"
	  "!http.request.referrer\n!cs-uri-query\nevent.outcome=failure\n"
	  "http.response.status_code=401",
	  NULL, "'-' leaves a field out; 4xx is a failure" },
	{ "2024-03-01 10:00:03 10.0.0.5 GET /a.aspx - 443 - 192.0.2.10 x - "
	  "200 0 0",
	  "rc=-3\n!source.ip",
	  "record has 14 fields where the #Fields header of line 5 names 15",
	  "a value short: raw, with both counts and the header's line" },
	{ "2024-03-01 10:00:03 10.0.0.5 GET /a b - 443 - 192.0.2.10 x - "
	  "200 0 0 1",
	  "rc=-3", "record has 16 fields", "a space in a value: one too many" },
	{ "", "rc=-3", NULL, "a blank line is raw, and no damage" },
	{ "2024-03-01 24:00:03 10.0.0.5 GET /a.aspx - 443 - 192.0.2.10 x - "
	  "200 0 0 1",
	  "rc=0\nts=-\nsource.ip=192.0.2.10", NULL,
	  "an hour that does not exist: decoded, no time (ts_invalid)" },
	{ "2024-02-30 10:00:03 10.0.0.5 GET /a.aspx - 443 - 192.0.2.10 x - "
	  "200 0 0 1",
	  "rc=0\nts=-", NULL, "February 30" },
	{ "2024-03-01 10:00:03.25 10.0.0.5 GET /a.aspx - 443 - "
	  "2001:db8::7 x - 200 0 0 1",
	  "rc=0\nts=2024-03-01T10:00:03.250000Z\nsource.ip=2001:db8::7", NULL,
	  "a fraction of a second; an IPv6 client" },
	/* IIS restarted: a new header block with other columns. */
	{ "#Software: Microsoft Internet Information Services 10.0", "rc=0",
	  NULL, "restart" },
	{ "#Date: 2024-03-02 00:00:00", "rc=0", NULL, "a new day" },
	{ "#Fields: time s-computername c-ip cs-method cs-uri cs-version "
	  "cs(User-Agent) cs-host sc-status sc-bytes",
	  "rc=0", NULL, "line 16: the columns change" },
	{ "00:00:05 WEB01 192.0.2.20 GET /x.asp?y=1+2 HTTP/1.1 "
	  "\"Mozilla/5.0 (X11; \"\"q\"\") a+b\" shop.example 500 1532",
	  "rc=0\nts=2024-03-02T00:00:05.000000Z\nhost.name=WEB01\n"
	  "url.original=/x.asp?y=1+2\nurl.path=/x.asp\nurl.query=y=1+2\n"
	  "http.version=1.1\ncs-version=HTTP/1.1\n"
	  "user_agent.original=Mozilla/5.0 (X11; \"q\") a+b\n"
	  "url.domain=shop.example\ncs-host=shop.example\n"
	  "http.response.body.bytes=1532\nevent.outcome=failure\n"
	  "!s-ip\n!destination.ip",
	  NULL, "the new columns: no date (the day of #Date), a whole URI, a "
	  "quoted agent keeping its '+' and unescaping \"\"" },
	{ "2024-03-01 10:00:06 10.0.0.5 GET /a.aspx - 443 - 192.0.2.10 x - "
	  "200 0 0 1",
	  "rc=-3", "record has 15 fields where the #Fields header of line 16 "
	  "names 10", "an entry of the old columns no longer fits" },
	{ "00:00:07 WEB01 192.0.2.20 GET \"/q\" HTTP/1.1 \"unterminated "
	  "agent shop.example 200 1",
	  "rc=-3", "record has 11 fields", "an unterminated quote is words" },
	{ "#Fields:", "rc=-3\nmessage=#Fields:",
	  "#Fields header names no column",
	  "a header naming nothing is refused, and said" },
	{ "00:00:08 WEB01 192.0.2.20 GET /x HTTP/1.1 - - 200 1",
	  "rc=-3", "record after the refused #Fields header of line 20",
	  "entries after it are raw until the next #Fields" },
	{ "#Remark: no colon needed for what follows", "rc=0", NULL,
	  "other directives change nothing" },
	{ "#Fields: c-ip cs-method", "rc=0", NULL, "usable again" },
	{ "198.51.100.1 OPTIONS",
	  "rc=0\nsource.ip=198.51.100.1\nhttp.request.method=OPTIONS\n"
	  "event.action=http_request\n!event.outcome\nts=-",
	  NULL, "no status: a request without an outcome; no time column" },
	{ "# a comment", "rc=0\nmessage=# a comment", NULL,
	  "a '#' line without a colon is a directive too" },
};

static void test_w3c_iis(void **state)
{
	(void)state;
	run_seq(CORE_FMT_W3C, iis, CORE_ARRAY_LEN(iis), 0);
}

/* The Windows Firewall's log: local times, no web request. */
static const struct seq_row firewall[] = {
	{ "#Version: 1.5", "rc=0", NULL, "version" },
	{ "#Software: Microsoft Windows Firewall", "rc=0", NULL, "software" },
	{ "#Time Format: Local", "rc=0", NULL, "local times" },
	{ "#Fields: date time action protocol src-ip dst-ip src-port "
	  "dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode "
	  "info path",
	  "rc=0", NULL, "columns" },
	{ "2024-03-01 10:00:00 DROP TCP 203.0.113.5 10.0.0.5 51000 3389 52 "
	  "S 1 0 64240 - - - RECEIVE",
	  "rc=0\nts=2024-03-01T09:00:00.000000Z\nevent.dataset=w3c\n"
	  "action=DROP\nsrc-ip=203.0.113.5\ndst-port=3389\n!event.action\n"
	  "!icmptype",
	  NULL, "an hour east of UTC (--tz +01:00); columns as fields, no "
	  "web request" },
};

static void test_w3c_firewall_local_time(void **state)
{
	struct core_arena *arena = core_arena_new(0);
	struct core_event ev;
	struct parse_ctx ctx;
	static const char line[] = "2024-03-01 10:00:00 DROP TCP 203.0.113.5 "
		"10.0.0.5 51000 3389 52 S 1 0 64240 - - - RECEIVE";

	(void)state;
	run_seq(CORE_FMT_W3C, firewall, CORE_ARRAY_LEN(firewall), 60);

	/* The zone was guessed; an IIS entry's was not. */
	pt_ctx(&ctx);
	ctx.tz_offset_min = 60;
	ctx.hdr = parse_header_new();
	for (size_t i = 0; i < CORE_ARRAY_LEN(firewall) - 1; i++) {
		core_event_reset(&ev, arena);
		parse_record(CORE_FMT_W3C, &ctx, &ev, firewall[i].line,
			     strlen(firewall[i].line));
	}
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, &ctx, &ev, line,
				      sizeof(line) - 1), 0);
	assert_true(ev.ts_guessed);
	parse_header_free(ctx.hdr);
	core_arena_free(arena);
}

/* A bad time stamp is flagged, so the caller can say so. */
static void test_w3c_bad_time_flagged(void **state)
{
	struct core_arena *arena = core_arena_new(0);
	struct core_event ev;
	struct parse_ctx ctx;
	static const char hdr[] = "#Fields: date time c-ip";
	static const char bad[] = "2024-13-01 10:00:00 192.0.2.1";
	static const char good[] = "2024-03-01 10:00:00 192.0.2.1";

	(void)state;
	pt_ctx(&ctx);
	ctx.hdr = parse_header_new();
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, &ctx, &ev, hdr,
				      sizeof(hdr) - 1), 0);
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, &ctx, &ev, bad,
				      sizeof(bad) - 1), 0);
	assert_true(ev.ts_invalid);
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, &ctx, &ev, good,
				      sizeof(good) - 1), 0);
	assert_false(ev.ts_invalid);
	assert_false(ev.ts_guessed);
	parse_header_free(ctx.hdr);
	core_arena_free(arena);
}

/* The column list's bounds: 128 columns, 4096 bytes of names. */
static void test_w3c_header_bounds(void **state)
{
	struct core_arena *arena = core_arena_new(0);
	char line[8192], entry[1024];
	struct core_event ev;
	struct parse_ctx ctx;
	size_t n, m;

	(void)state;
	pt_ctx(&ctx);
	ctx.hdr = parse_header_new();

	/* 128 columns fit, and their entries decode. */
	n = (size_t)snprintf(line, sizeof(line), "#Fields:");
	m = 0;
	for (int i = 0; i < PARSE_HDR_COLS; i++) {
		n += (size_t)snprintf(line + n, sizeof(line) - n, " x-%d", i);
		m += (size_t)snprintf(entry + m, sizeof(entry) - m, "%s%d",
				      i ? " " : "", i);
	}
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, &ctx, &ev, line, n), 0);
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, &ctx, &ev, entry, m), 0);
	assert_true(core_str_eq_lit(parse_named(&ev, "x-127"), "127"));

	/* One more is refused, and so are the entries after it. */
	n += (size_t)snprintf(line + n, sizeof(line) - n, " x-128");
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, &ctx, &ev, line, n),
			 CORE_E_PARSE);
	assert_non_null(strstr(parse_header_refusal(ctx.hdr),
			       "more than 128 columns"));
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, &ctx, &ev, entry, m),
			 CORE_E_PARSE);
	assert_non_null(strstr(parse_header_refusal(ctx.hdr),
			       "after the refused"));

	/* 100 names of 50 bytes: more than 4096 bytes of names. */
	n = (size_t)snprintf(line, sizeof(line), "#Fields:");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " x-%047d",
				      i);
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, &ctx, &ev, line, n),
			 CORE_E_PARSE);
	assert_non_null(strstr(parse_header_refusal(ctx.hdr),
			       "longer than 4096 bytes in all"));
	parse_header_free(ctx.hdr);
	core_arena_free(arena);
}

/*
 * Without header state (a caller that keeps none) directives still
 * decode and entries stay raw; nothing is said, nothing crashes.
 */
static void test_w3c_no_state(void **state)
{
	struct core_arena *arena = core_arena_new(0);
	struct core_event ev;
	static const char hdr[] = "#Fields: c-ip";
	static const char entry[] = "192.0.2.1";

	(void)state;
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, NULL, &ev, hdr,
				      sizeof(hdr) - 1), 0);
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, NULL, &ev, entry,
				      sizeof(entry) - 1), CORE_E_PARSE);
	assert_null(parse_header_refusal(NULL));
	core_arena_free(arena);
}

/* A state a Zeek header left is no W3C column list, and reset forgets. */
static void test_w3c_state_per_format(void **state)
{
	struct core_arena *arena = core_arena_new(0);
	struct core_event ev;
	struct parse_ctx ctx;
	static const char zeek[] = "#fields\tc-ip";
	static const char w3c[] = "#Fields: c-ip";
	static const char entry[] = "192.0.2.1";

	(void)state;
	pt_ctx(&ctx);
	ctx.hdr = parse_header_new();
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_ZEEK_TSV, &ctx, &ev, zeek,
				      sizeof(zeek) - 1), 0);
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, &ctx, &ev, entry,
				      sizeof(entry) - 1), CORE_E_PARSE);
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, &ctx, &ev, w3c,
				      sizeof(w3c) - 1), 0);
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, &ctx, &ev, entry,
				      sizeof(entry) - 1), 0);
	parse_header_reset(ctx.hdr);
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_W3C, &ctx, &ev, entry,
				      sizeof(entry) - 1), CORE_E_PARSE);
	parse_header_free(ctx.hdr);
	parse_header_free(NULL);
	core_arena_free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_w3c_iis),
		cmocka_unit_test(test_w3c_firewall_local_time),
		cmocka_unit_test(test_w3c_bad_time_flagged),
		cmocka_unit_test(test_w3c_header_bounds),
		cmocka_unit_test(test_w3c_no_state),
		cmocka_unit_test(test_w3c_state_per_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
