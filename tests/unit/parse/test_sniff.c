/*
 * test_sniff.c: format guessing from sample lines, with garbage mixed in.
 */
#include "parse_test.h"

struct sniff_row {
	const char *lines[8];
	enum core_format want;
	const char *why;
};

static const struct sniff_row rows[] = {
	{ { "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user x from 1.2.3.4",
	    "Dec 10 06:55:48 LabSZ sshd[24200]: Connection closed by 1.2.3.4",
	    NULL }, CORE_FMT_SYSLOG, "auth.log" },
	{ { "<13>1 2024-03-01T10:00:00Z h app - - - m", NULL },
	  CORE_FMT_SYSLOG, "RFC 5424" },
	{ { "2024-03-01T10:00:00.123456+01:00 h app[1]: m", NULL },
	  CORE_FMT_SYSLOG, "rsyslog ISO" },
	{ { "{\"timestamp\":\"2024-01-01T00:00:00Z\",\"event_type\":\"alert\"}",
	    NULL }, CORE_FMT_EVE_JSON, "eve" },
	{ { "{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"x\"}", NULL },
	  CORE_FMT_JOURNAL_JSON, "journal" },
	{ { "{\"_SYSTEMD_UNIT\":\"a\",\"MESSAGE\":\"x\"}", NULL },
	  CORE_FMT_JOURNAL_JSON, "journal without a realtime stamp" },
	{ { "{\"eventid\":\"cowrie.login.failed\"}", NULL }, CORE_FMT_JSON,
	  "other JSON" },
	{ { "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1",
	    NULL }, CORE_FMT_ACCESS_LOG, "access log" },
	{ { "[Sun Dec 04 04:47:44 2005] [error] [client 192.0.2.1] x",
	    "[Sun Dec 04 04:47:45 2005] [notice] y", NULL },
	  CORE_FMT_ERROR_LOG, "Apache 2.2 error log" },
	{ { "[Wed Oct 11 14:32:52.123456 2023] [core:error] [pid 1:tid 2] x",
	    NULL }, CORE_FMT_ERROR_LOG, "Apache 2.4 error log" },
	{ { "2023/10/11 14:32:52 [alert] 1#1: worker process 2 exited",
	    "2023/10/11 14:32:53 [error] 3#3: *1 x, client: 192.0.2.1, "
	    "server: s", NULL }, CORE_FMT_ERROR_LOG, "nginx error log" },
	{ { "[UFW BLOCK] IN=eth0", "[x] [error] y", NULL }, CORE_FMT_RAW,
	  "brackets alone are no error log" },
	{ { "garbage first line",
	    "Mar  1 10:00:00 h app: a", "Mar  1 10:00:01 h app: b",
	    "Mar  1 10:00:02 h app: c", NULL },
	  CORE_FMT_SYSLOG, "a garbage line does not win" },
	{ { "{\"event_type\":\"dns\"}", "{\"event_type\":\"dns\"",
	    "", "{\"event_type\":\"flow\"}", NULL },
	  CORE_FMT_EVE_JSON, "a truncated record and a blank line" },
	{ { "hello", "world", "Mar  1 10:00:00 h app: a", "x", "y", NULL },
	  CORE_FMT_RAW, "one syslog line among many words: raw" },
	{ { "Mar  1 10:00:00 h app: a", "Mar  1 10:00:01 h app: b",
	    "\x8e\x01\xf3", "\x02\x9c 7", "j\x03\x04k", "\x1f\xee",
	    "\x7f\x10", NULL },
	  CORE_FMT_SYSLOG, "binary junk after two log lines does not vote" },
	{ { "\x8e\x01\xf3", "\x02\x9c 7", "Mar  1 10:00:00 h app: \x01",
	    NULL }, CORE_FMT_RAW,
	  "a log line holding control bytes does not vote either" },
	{ { "app: message without a stamp", NULL }, CORE_FMT_RAW,
	  "a tag alone is not syslog" },
	{ { "#Software: Microsoft Internet Information Services 10.0",
	    "#Version: 1.0", "#Date: 2024-03-01 10:00:00",
	    "#Fields: date time c-ip cs-method", "2024-03-01 10:00:00 a b",
	    NULL }, CORE_FMT_W3C, "IIS: its header opens the file" },
	{ { "", "#Fields: date time c-ip", "2024-03-01 10:00:00 a", NULL },
	  CORE_FMT_W3C, "#Fields alone, after a blank line" },
	{ { "#Version: 1.0", "2024-03-01 10:00:00 a b", NULL }, CORE_FMT_RAW,
	  "W3C directives but no #Fields in the sample" },
	{ { "2024-03-01 10:00:00 a b", "#Fields: date time c-ip", NULL },
	  CORE_FMT_W3C, "a header after a line: that line is kept raw" },
	{ { "\x8e\x01\xf3 junk", "#Software: IIS", "#Fields: date time",
	    "2024-03-01 10:00:00", NULL },
	  CORE_FMT_W3C, "junk, then an IIS header" },
	{ { "a", "b", "c", "d", "e", "#Fields: date time c-ip",
	    "2024-03-01 10:00:00 a", NULL },
	  CORE_FMT_RAW, "five lines before the header: no header of this log" },
	{ { "banner", "#separator \\x09", "#fields\tts", "1.5", NULL },
	  CORE_FMT_ZEEK_TSV, "a banner, then Zeek's header" },
	{ { "#separator \\x09", "#set_separator\t,", "#path\tconn",
	    "#fields\tts\tuid", "#types\ttime\tstring", "1.5\tC1", NULL },
	  CORE_FMT_ZEEK_TSV, "Zeek TSV" },
	{ { "#separator \\x09", "1.5\tC1", NULL }, CORE_FMT_RAW,
	  "Zeek's first line without #fields" },
	{ { "# just a comment", "#fields\tts", NULL }, CORE_FMT_RAW,
	  "a comment is neither header" },
	{ { NULL }, CORE_FMT_RAW, "nothing" },
};

static void test_sniff_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		struct core_str lines[8];
		size_t n = 0;

		while (n < 8 && rows[i].lines[n]) {
			lines[n] = core_str_make(rows[i].lines[n],
						 strlen(rows[i].lines[n]));
			n++;
		}
		if (parse_sniff(lines, n) != rows[i].want)
			fail_msg("%s: got %s", rows[i].why,
				 core_format_name(parse_sniff(lines, n)));
	}
}

static void test_sniff_loghub(void **state)
{
	const char *path = TEST_DATASETS "/loghub/Linux/Linux_2k.log";
	static char buf[64][1024];
	struct core_str lines[64];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	(void)state;
	if (!f) {
		printf("SKIP: dataset absent at %s\n", path);
		skip();
	}
	while (n < 64 && fgets(buf[n], sizeof(buf[n]), f)) {
		lines[n] = core_str_make(buf[n], strcspn(buf[n], "\n"));
		n++;
	}
	fclose(f);
	assert_int_equal(parse_sniff(lines, n), CORE_FMT_SYSLOG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff_rows),
		cmocka_unit_test(test_sniff_loghub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
