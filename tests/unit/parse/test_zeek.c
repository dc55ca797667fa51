/*
 * test_zeek.c: Zeek's TSV logs: the header (separator, marks, path,
 * fields, types) and its blocks, values unescaped and typed, records the
 * header cannot explain, and the same record in Zeek's JSON form giving
 * the very same fields.
 *
 * Rows of a table are one input, read in order through one header
 * state, as a file is; each row is line i + 1 of it.
 */
#include "parse_test.h"

struct seq_row {
	const char *line;
	const char *expect;
	const char *refusal;	/* a substring; NULL: none */
	const char *why;
};

static void run_seq(const struct seq_row *rows, size_t n)
{
	struct core_arena *arena = core_arena_new(0);
	struct parse_ctx ctx;
	struct core_event ev;

	assert_non_null(arena);
	pt_ctx(&ctx);
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
		rc = parse_record(CORE_FMT_ZEEK_TSV, &ctx, &ev, r.line,
				  strlen(r.line));
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
	}
	parse_header_free(ctx.hdr);
	core_arena_free(arena);
}

static const struct seq_row dns[] = {
	{ "1709287201.004411\tC1\t10.0.0.5", "rc=-3\n!source.ip",
	  "record before any #fields header", "a record before the header" },
	{ "#separator \\x09",
	  "rc=0\nevent.dataset=zeek.header\nevent.kind=event\n"
	  "message=#separator \\x09", NULL, "the separator, escaped" },
	{ "#set_separator\t,", "rc=0", NULL, "set separator" },
	{ "#empty_field\t(empty)", "rc=0", NULL, "empty mark" },
	{ "#unset_field\t-", "rc=0", NULL, "unset mark" },
	{ "#path\tdns", "rc=0", NULL, "the log" },
	{ "#open\t2024-03-01-10-00-00", "rc=0", NULL, "open" },
	{ "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
	  "proto\tquery\tanswers\tTTLs\trejected\tAA\tZ",
	  "rc=0", NULL, "line 8: the columns" },
	{ "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\t"
	  "vector[string]\tvector[interval]\tbool\tbool\tcount",
	  "rc=0", NULL, "their types" },
	{ "1709287201.004411\tCpQ8\t10.0.0.5\t53211\t10.0.0.2\t53\tudp\t"
	  "www.example.com\ta\\x09b\\x2cc,93.184.216.34\t60.000000,30.5\t"
	  "F\tT\t0",
	  "rc=0\nts=2024-03-01T10:00:01.004411Z\nuid=CpQ8\n"
	  "source.ip=10.0.0.5\nsource.port=53211\n"
	  "destination.ip=10.0.0.2\ndestination.port=53\n"
	  "network.transport=udp\ndns.question.name=www.example.com\n"
	  "query=www.example.com\nanswers=[\"a\\tb,c\",\"93.184.216.34\"]\n"
	  "TTLs=[60.000000,30.5]\nrejected=false\nAA=true\nZ=0\n"
	  "event.dataset=zeek.dns\nevent.kind=event\nid.orig_p=53211\n"
	  "!message\n!event.action",
	  NULL, "a dns record: ECS fields as the JSON form maps them; a "
	  "vector as JSON array text, split before unescaping; bools" },
	{ "1709287202.5\tCx\t10.0.0.5\t53212\t10.0.0.2\t53\tudp\t\\x2d\t"
	  "(empty)\t-\tT\tF\t-",
	  "rc=0\nquery=-\ndns.question.name=-\nanswers=[]\n!TTLs\n"
	  "rejected=true\nAA=false\n!Z",
	  NULL, "\\x2d is a value '-'; (empty) an empty vector; - unset" },
	{ "1709287203\tCy\t10.0.0.5\t53213\t10.0.0.2\t53\tudp\tq\t-\t-\tF\tF",
	  "rc=-3\n!source.ip",
	  "record has 12 fields where the #fields header of line 8 names 13",
	  "a value short" },
	{ "1709287203\tCy\t10.0.0.5\t53213\t10.0.0.2\t53\tudp\tq\t-\t-\tF\tF"
	  "\t0\t",
	  "rc=-3", "record has 14 fields", "a separator too many" },
	{ "junk\tCz\t10.0.0.5\t53214\t10.0.0.2\t53\tudp\tq\t-\t-\tF\tF\t0",
	  "rc=0\nts=-\nsource.ip=10.0.0.5", NULL,
	  "a ts that is no time: decoded, no time (ts_invalid)" },
	{ "", "rc=-3", NULL, "a blank line: raw, no damage" },
	{ "#types\ttime\tstring", "rc=-3\nmessage=#types\ttime\tstring",
	  "#types names 2 types where #fields names 13 columns",
	  "types that do not fit are refused" },
	{ "1709287204\tCw\t10.0.0.5\t53215\t10.0.0.2\t53\tudp\tq\ta,b\t-\tT"
	  "\tF\t0",
	  "rc=0\nanswers=a,b\nrejected=T", NULL,
	  "without types, values as written" },
	{ "#close\t2024-03-01-11-00-00", "rc=0", NULL, "close" },
	/* A second log joined to the first (cat conn.log http.log). */
	{ "#separator \\x09", "rc=0", NULL, "a new block forgets the old" },
	{ "1709287205\tCw\t10.0.0.5", "rc=-3",
	  "record before any #fields header", "no columns yet" },
	{ "#path\thttp", "rc=0", NULL, "http" },
	{ "#fields\tts\tid.orig_h\tid.resp_p\tmethod\thost\turi\tstatus_code"
	  "\tuser_agent\treferrer\tresp_mime_types",
	  "rc=0", NULL, "line 22: http columns" },
	{ "#types\ttime\taddr\tport\tstring\tstring\tstring\tcount\tstring\t"
	  "string\tvector[string]",
	  "rc=0", NULL, "types" },
	{ "1709287400.0001\t203.0.113.66\t80\tGET\tshop.example\t"
	  "/p.php?id=7'+union+select+1--\t404\tsqlmap/1.7\t\\x2d\t"
	  "text/html,application/x-dosexec",
	  "rc=0\nevent.dataset=zeek.http\nevent.action=http_request\n"
	  "event.category=web\nevent.outcome=failure\n"
	  "http.request.method=GET\nurl.original=/p.php?id=7'+union+"
	  "select+1--\nurl.path=/p.php\nurl.query=id=7'+union+select+1--\n"
	  "http.response.status_code=404\nuser_agent.original=sqlmap/1.7\n"
	  "http.request.referrer=-\n"
	  "resp_mime_types=[\"text/html\",\"application/x-dosexec\"]",
	  NULL, "an http record is a web request, as in JSON" },
	{ "#separator ,", "rc=0", NULL, "another separator, unescaped" },
	{ "#fields,ts,id.orig_h,conn_state,local_orig", "rc=0", NULL,
	  "line 26: no path, no types" },
	{ "1.5,10.0.0.1,S0,T",
	  "rc=0\nts=1970-01-01T00:00:01.500000Z\nevent.dataset=zeek.conn\n"
	  "conn_state=S0\nlocal_orig=T",
	  NULL, "the log told by its fields, as JSON records without _path" },
	{ "#separator \\x09\\x09", "rc=-3", "#separator is not one byte",
	  "a separator of two bytes is refused" },
	{ "#set_separator\t,,", "rc=-3", "#set_separator is not one byte",
	  "so is a set separator of two" },
	{ "#unset_field\t0123456789abcdefg", "rc=-3",
	  "#unset_field is longer than 16 bytes",
	  "marks are 16 bytes at most" },
	{ "#path\t01234567890123456789012345678901",
	  "rc=-3", "#path is longer than 31 bytes", "a path of 32 bytes" },
	{ "#fields\t", "rc=-3", "#fields header names no column",
	  "a header naming nothing" },
	{ "1\t2", "rc=-3", "record after the refused header line 32",
	  "records after it stay raw" },
	{ "#weird\tx", "rc=0", NULL, "other header lines change nothing" },
	{ "#separator \\x09", "rc=0", NULL, "an SMB log" },
	{ "#path\tsmb_files", "rc=0", NULL, "a log no field tells" },
	{ "#fields\tts\tid.orig_h\tpath\tname", "rc=0", NULL, "columns" },
	{ "1709287500\t10.0.0.9\t\\\\*\\IPC$\tatsvc",
	  "rc=0\nevent.dataset=zeek.smb_files\npath=\\\\*\\IPC$\n"
	  "name=atsvc\nsource.ip=10.0.0.9",
	  NULL, "#path names the log (Sigma's service smb_files); a "
	  "backslash not starting \\xHH stays" },
	{ "#fields\tts\tid.orig_h\tcounts\tports\tflags", "rc=0", NULL,
	  "columns of numbers and bools" },
	{ "#types\ttime\taddr\tvector[count]\tset[port]\tvector[bool]",
	  "rc=0", NULL, "their types" },
	{ "1709287600\t10.0.0.9\t1],\"x\t80,443\tT,F",
	  "rc=0\ncounts=[\"1]\",\"\\\"x\"]\nports=[80,443]\n"
	  "flags=[true,false]",
	  NULL, "a count that is no number is a string, so '1],\"x' "
	  "cannot end the array and add to it" },
	{ "1709287601\t10.0.0.9\t007,-0.5e+3,inf,,1.\t-1,2E9,0x50\tT,yes,1",
	  "rc=0\ncounts=[\"007\",-0.5e+3,\"inf\",\"\",\"1.\"]\n"
	  "ports=[-1,2E9,\"0x50\"]\nflags=[true,\"yes\",\"1\"]",
	  NULL, "numbers as JSON writes them stay bare; a leading zero, "
	  "inf, nothing, a bare point, hex, a bool neither T nor F are "
	  "strings" },
};

static void test_zeek_sequence(void **state)
{
	(void)state;
	run_seq(dns, CORE_ARRAY_LEN(dns));
}

/* Every field of ev, "name=value" lines sorted, into out. */
static void fields_of(const struct core_event *ev, char *out, size_t cap)
{
	char lines[64][256];
	size_t n = 0, w = 0;

	for (unsigned i = 0; i < ev->nfields && n < 64; i++) {
		const struct core_field *f = &ev->fields[i];
		struct core_str name = f->id == CORE_F_NAMED ? f->name :
			core_str_make(core_field_name(f->id),
				      strlen(core_field_name(f->id)));

		snprintf(lines[n++], sizeof(lines[0]), "%.*s=%.*s",
			 (int)name.len, name.p, (int)f->value.len,
			 f->value.p);
	}
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0;
		     j--) {
			char tmp[256];

			memcpy(tmp, lines[j], sizeof(tmp));
			memcpy(lines[j], lines[j - 1], sizeof(tmp));
			memcpy(lines[j - 1], tmp, sizeof(tmp));
		}
	}
	for (size_t i = 0; i < n; i++)
		w += (size_t)snprintf(out + w, cap - w, "%s\n", lines[i]);
}

struct pair {
	const char *header[3];	/* #path, #fields, #types */
	const char *tsv;
	const char *json;
	const char *why;
};

/* Records as Zeek writes them in each form (JSON without "_path"). */
static const struct pair pairs[] = {
	{ { "#path\tconn",
	    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
	    "proto\tservice\tduration\tconn_state\tlocal_orig\tmissed_bytes"
	    "\thistory\ttunnel_parents",
	    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\t"
	    "interval\tstring\tbool\tcount\tstring\tset[string]" },
	  "1709287260.500004\tCmN2\t10.0.0.7\t40000\t203.0.113.80\t4444\ttcp"
	  "\t-\t3.5\tS0\tT\t0\tS\t(empty)",
	  "{\"ts\":1709287260.500004,\"uid\":\"CmN2\",\"id.orig_h\":"
	  "\"10.0.0.7\",\"id.orig_p\":40000,\"id.resp_h\":\"203.0.113.80\","
	  "\"id.resp_p\":4444,\"proto\":\"tcp\",\"duration\":3.5,"
	  "\"conn_state\":\"S0\",\"local_orig\":true,\"missed_bytes\":0,"
	  "\"history\":\"S\",\"tunnel_parents\":[]}",
	  "conn: unset service left out, a bool, an empty set" },
	{ { "#path\tdns",
	    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
	    "proto\tquery\tqtype_name\tanswers\trejected",
	    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\t"
	    "string\tvector[string]\tbool" },
	  "1709287300.25\tCeR5\t10.0.0.7\t61002\t10.0.0.2\t53\tudp\t"
	  "xmrpool.com\tA\t198.51.100.77,x\\x2cy\\x5c\tF",
	  "{\"ts\":1709287300.25,\"uid\":\"CeR5\",\"id.orig_h\":\"10.0.0.7\","
	  "\"id.orig_p\":61002,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":53,"
	  "\"proto\":\"udp\",\"query\":\"xmrpool.com\",\"qtype_name\":\"A\","
	  "\"answers\":[\"198.51.100.77\",\"x,y\\\\\"],\"rejected\":false}",
	  "dns: a vector whose element holds the set separator and a "
	  "backslash" },
	{ { "#path\thttp",
	    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
	    "method\thost\turi\tstatus_code\tuser_agent\tresp_mime_types",
	    "#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring\t"
	    "string\tcount\tstring\tvector[string]" },
	  "1709287460.9\tCgH1\t10.0.0.7\t49800\t198.51.100.5\t80\tPUT\t"
	  "files.example.net\t/up/a b.exe?x=1\t201\t"
	  "Microsoft-WebDAV-MiniRedir/10.0\tapplication/x-dosexec",
	  "{\"ts\":1709287460.9,\"uid\":\"CgH1\",\"id.orig_h\":\"10.0.0.7\","
	  "\"id.orig_p\":49800,\"id.resp_h\":\"198.51.100.5\","
	  "\"id.resp_p\":80,\"method\":\"PUT\",\"host\":"
	  "\"files.example.net\",\"uri\":\"/up/a b.exe?x=1\","
	  "\"status_code\":201,\"user_agent\":"
	  "\"Microsoft-WebDAV-MiniRedir/10.0\",\"resp_mime_types\":"
	  "[\"application/x-dosexec\"]}",
	  "http: a web request either way" },
};

/* The same record read from TSV and from JSON: the same fields. */
static void test_zeek_same_as_json(void **state)
{
	struct core_arena *arena = core_arena_new(0);
	static char tsv_fields[16384], json_fields[16384];
	struct core_event ev;
	struct parse_ctx ctx;

	(void)state;
	pt_ctx(&ctx);
	ctx.hdr = parse_header_new();
	for (size_t i = 0; i < CORE_ARRAY_LEN(pairs); i++) {
		const struct pair *p = &pairs[i];
		int64_t ts;

		parse_header_reset(ctx.hdr);
		for (size_t k = 0; k < 3; k++) {
			core_event_reset(&ev, arena);
			assert_int_equal(parse_record(CORE_FMT_ZEEK_TSV, &ctx,
						      &ev, p->header[k],
						      strlen(p->header[k])),
					 0);
		}
		core_arena_reset(arena);
		core_event_reset(&ev, arena);
		assert_int_equal(parse_record(CORE_FMT_ZEEK_TSV, &ctx, &ev,
					      p->tsv, strlen(p->tsv)), 0);
		fields_of(&ev, tsv_fields, sizeof(tsv_fields));
		ts = ev.ts;

		core_event_reset(&ev, arena);
		assert_int_equal(parse_record(CORE_FMT_JSON, NULL, &ev,
					      p->json, strlen(p->json)), 0);
		fields_of(&ev, json_fields, sizeof(json_fields));
		if (strcmp(tsv_fields, json_fields) != 0 || ts != ev.ts) {
			print_error("%s\nTSV:\n%s\nJSON:\n%s\n", p->why,
				    tsv_fields, json_fields);
			fail();
		}
		core_arena_reset(arena);
	}
	parse_header_free(ctx.hdr);
	core_arena_free(arena);
}

/* 128 columns fit; 129 are refused. */
static void test_zeek_header_bounds(void **state)
{
	struct core_arena *arena = core_arena_new(0);
	char line[4096];
	struct core_event ev;
	struct parse_ctx ctx;
	size_t n;

	(void)state;
	pt_ctx(&ctx);
	ctx.hdr = parse_header_new();
	n = (size_t)snprintf(line, sizeof(line), "#fields");
	for (int i = 0; i < PARSE_HDR_COLS; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "\tc%d", i);
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_ZEEK_TSV, &ctx, &ev, line, n),
			 0);
	n += (size_t)snprintf(line + n, sizeof(line) - n, "\tc128");
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_ZEEK_TSV, &ctx, &ev, line, n),
			 CORE_E_PARSE);
	assert_non_null(strstr(parse_header_refusal(ctx.hdr),
			       "more than 128 columns"));
	parse_header_free(ctx.hdr);
	core_arena_free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zeek_sequence),
		cmocka_unit_test(test_zeek_same_as_json),
		cmocka_unit_test(test_zeek_header_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
