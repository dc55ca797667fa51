/*
 * test_mask.c: variable masking of message tokens and header removal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "anomaly/anomaly.h"

static struct anomaly_tokens tok;

/* Joins the masked tokens with one space. */
static const char *masked(const char *msg)
{
	static char out[4096];
	size_t w = 0;

	anomaly_mask_line(msg, strlen(msg), &tok);
	for (size_t i = 0; i < tok.n; i++) {
		struct core_str s = anomaly_tokens_get(&tok, i);

		w += (size_t)snprintf(out + w, sizeof(out) - w, "%s%.*s",
				      i ? " " : "", (int)s.len, s.p);
	}
	out[w] = '\0';
	return out;
}

static const struct {
	const char *in, *want, *why;
} mask_rows[] = {
	{ "port 22", "port <*>", "a number" },
	{ "(uid=0)", "(uid=<*>)", "framing punctuation stays" },
	{ "from 10.0.0.1", "from <*>", "IPv4 folds into one slot" },
	{ "/10.250.19.102:54106", "/<*>:<*>", "address keeps its port" },
	{ "fe80::1ff:fe23:4567:890a", "<*>", "IPv6" },
	{ "00:1a:2b:3c:4d:5e", "<*>", "MAC" },
	{ "15:16:01", "<*>:<*>:<*>", "a clock time keeps its shape" },
	{ "flags=0x1,", "flags=<*>,", "hex with 0x" },
	{ "token=a64f992", "token=<*>", "a long hex run" },
	{ "BIOS-e820:", "BIOS-e820:", "a short hex-like word stays" },
	{ "blk_-6952295868487656571", "blk_<*>", "block id, signed" },
	{ "attempt_1445_0020_m_000000_0", "attempt_<*>", "numeric tail" },
	{ "size 12KB", "size <*>KB", "a unit suffix stays" },
	{ "ssh2", "ssh2", "letters then digits: a name" },
	{ "b9000564-fe1a-409b-b8cc-1e88b294cd1d", "<*>", "UUID" },
	{ "hdfs://host:9000/x", "hdfs://<*>", "URL keeps its scheme" },
	{ "ok /etc/httpd/conf/w.properties", "ok <*>", "a path" },
	{ "(/a/b)", "(<*>)", "a path in brackets" },
	{ "tag=\"View Lock\", n", "tag=\"<*>\", n", "quoted value" },
	{ "x=\"\"", "x=\"\"", "empty quoted value stays" },
	{ "\"GET /v2/x HTTP/1.1\" status", "\"GET <*>\" status",
	  "request line target and protocol" },
	{ "at Fri Jun 17 07:07:00 2005", "at <*>:<*>:<*>",
	  "a date in words folds into its clock" },
	{ "port 22 10:00:01", "port <*> <*>:<*>:<*>",
	  "no day or month name: numbers stay apart" },
	{ "from host-a-12 to ip-10-0-0-1", "from <*> to <*>",
	  "numbered host names of three parts" },
	{ "node-12 up", "node-<*> up", "a name and a number stay two" },
	{ "resolved a7.corp.example.com", "resolved <*>",
	  "a host name ending in a domain" },
	{ "at java.net.Socket", "at java.net.Socket",
	  "a class name is no host" },
	{ "May I", "May I", "a month name alone stays" },
	{ "time 0.2477829", "time <*>", "decimal" },
	{ "at 2026-12-10T13:05:01.12+0000", "at <*>-<*>-<*>T<*>:<*>:<*>+<*>",
	  "an ISO 8601 stamp: the hour is no constant" },
	{ "run 2T5 of", "run <*>T<*> of", "digits around one T" },
	{ "  a \t b  ", "a b", "white space" },
	{ "", "", "empty" },
};

static void test_mask_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mask_rows) / sizeof(mask_rows[0]); i++) {
		const char *got = masked(mask_rows[i].in);

		if (strcmp(got, mask_rows[i].want) != 0)
			fail_msg("%s: '%s' gave '%s', want '%s'",
				 mask_rows[i].why, mask_rows[i].in, got,
				 mask_rows[i].want);
	}
}

static void test_mask_flags(void **state)
{
	(void)state;
	anomaly_mask_line("user=root opened 22 /a/b", 24, &tok);
	assert_int_equal(tok.n, 4);
	assert_true(tok.flags[0] & ANOMALY_TOK_CONST);
	assert_int_equal(tok.klen[0], 4);
	assert_true(tok.flags[1] & ANOMALY_TOK_CONST);
	assert_true(tok.flags[2] & ANOMALY_TOK_SLOT);
	assert_true(tok.flags[3] & ANOMALY_TOK_SLOT);
}

static void test_mask_bounds(void **state)
{
	char *big = malloc(ANOMALY_MAX_LINE * 2);

	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i < ANOMALY_MAX_LINE * 2; i++)
		big[i] = i % 2 ? ' ' : '7';
	anomaly_mask_line(big, ANOMALY_MAX_LINE * 2, &tok);
	assert_int_equal(tok.n, ANOMALY_MAX_TOKENS);
	assert_true(tok.used <= ANOMALY_MASK_BUF);
	memset(big, '1', ANOMALY_MAX_LINE * 2);
	anomaly_mask_line(big, ANOMALY_MAX_LINE * 2, &tok);
	assert_true(tok.used <= ANOMALY_MASK_BUF);
	free(big);
}

static const struct {
	const char *in, *msg, *why;
} header_rows[] = {
	{ "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass",
	  "check pass", "syslog stamp, host and tag" },
	{ "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user x",
	  "Invalid user x", "syslog with pid" },
	{ "2015-10-18 18:01:47,978 INFO [main] Created x",
	  "[main] Created x", "ISO date, time and level" },
	{ "2024-03-01T10:00:00Z ERROR: failed", "failed", "ISO with zone" },
	{ "[error] oops", "oops", "bracketed level" },
	{ "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok",
	  "workerEnv.init() ok", "Apache's error log: ctime in brackets" },
	{ "Sun Dec 04 04:47:44 2005] [error] mod_jk child",
	  "mod_jk child", "the same with its opening bracket taken off" },
	{ "Sun is up", "Sun is up", "a day name alone is not a header" },
	{ "Created MRAppMaster", "Created MRAppMaster", "no header" },
	{ "10 apples", "10 apples", "a number alone is not a header" },
};

static void test_header_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(header_rows) / sizeof(header_rows[0]);
	     i++) {
		const char *in = header_rows[i].in;
		size_t off = anomaly_header_skip(in, strlen(in));

		if (strcmp(in + off, header_rows[i].msg) != 0)
			fail_msg("%s: '%s' gave '%s'", header_rows[i].why, in,
				 in + off);
	}
}

static const struct {
	const char *line;
	enum anomaly_level want;
	const char *why;
} level_cases[] = {
	{ "2024-01-02 10:00:00 INFO started", ANOMALY_LEVEL_LOW,
	  "a level after a stamp" },
	{ "2024-01-02 10:00:00 [error] disk gone", ANOMALY_LEVEL_ERROR,
	  "bracketed, lower case" },
	{ "2024-01-02 10:00:00 FATAL: out of memory", ANOMALY_LEVEL_ERROR,
	  "with a colon" },
	{ "Jun 14 15:16:01 web1 sshd[1]: error: bad key", ANOMALY_LEVEL_ERROR,
	  "a program's own level prefix after the tag" },
	{ "Jun 14 15:16:01 web1 app[1]: disk error now", ANOMALY_LEVEL_UNKNOWN,
	  "a word inside the message is not a stated level" },
	{ "no header at all", ANOMALY_LEVEL_UNKNOWN, "nothing stated" },
};

static void test_level_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(level_cases); i++) {
		const char *l = level_cases[i].line;

		if (anomaly_header_level(l, strlen(l)) != level_cases[i].want)
			fail_msg("%s: %s", l, level_cases[i].why);
	}
	assert_int_equal(anomaly_level_word("WARNING", 7), ANOMALY_LEVEL_LOW);
	assert_int_equal(anomaly_level_word("<crit>", 6), ANOMALY_LEVEL_ERROR);
	assert_int_equal(anomaly_level_word("INFOX", 5),
			 ANOMALY_LEVEL_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_table),
		cmocka_unit_test(test_mask_flags),
		cmocka_unit_test(test_mask_bounds),
		cmocka_unit_test(test_header_table),
		cmocka_unit_test(test_level_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
