/*
 * test_syslog.c: syslog headers (RFC 3164, ISO, RFC 5424, no stamp),
 * year and zone inference, and hostile input.
 */
#include "parse_test.h"

static const struct parse_row rows[] = {
	{ "Mar  3 10:00:00 srv cron[1]: hello",
	  "rc=0\nts=2024-03-03T10:00:00.000000Z\nhost.name=srv\n"
	  "process.name=cron\nprocess.pid=1\nmessage=hello",
	  "RFC 3164: year from the file's mtime (2024-06-01)" },
	{ "Dec 10 06:55:46 LabSZ app[2]: x",
	  "ts=2023-12-10T06:55:46.000000Z",
	  "later than mtime + 1 day: previous year" },
	{ "Jun  2 00:00:00 h app: x", "ts=2024-06-02T00:00:00.000000Z",
	  "within a day after mtime: same year (clock skew)" },
	{ "Jun  3 00:00:00 h app: x", "ts=2023-06-03T00:00:00.000000Z",
	  "two days after mtime: previous year" },
	{ "Feb 29 12:00:00 h app: x", "ts=2024-02-29T12:00:00.000000Z",
	  "leap day in a leap year" },
	{ "<34>Oct 11 22:14:15 mymachine su: 'su root' failed",
	  "log.syslog.facility.code=4\nlog.syslog.severity.code=2\n"
	  "host.name=mymachine\nprocess.name=su\n!process.pid",
	  "RFC 3164 with PRI (the RFC's own example)" },
	{ "Jun 7 01:10:56 h app: x", "ts=2023-06-07T01:10:56.000000Z",
	  "unpadded day" },
	{ "Mar  3 00:17:22 [sshd]: User root from 192.0.2.9 not allowed "
	  "because listed in DenyUsers",
	  "process.name=sshd\nevent.action=ssh_user_not_allowed\n!host.name",
	  "bracketed tag without host" },
	{ "Mar  3 10:00:00.250 h app: x", "ts=2024-03-03T10:00:00.250000Z",
	  "fractional seconds in a BSD stamp" },
	{ "2024-03-01T10:00:00.123456+01:00 web1 nginx[7]: up",
	  "ts=2024-03-01T09:00:00.123456Z\nhost.name=web1\n"
	  "process.name=nginx\nprocess.pid=7\nmessage=up",
	  "rsyslog high-precision format" },
	{ "2024-03-01T10:00:00Z web1 nginx: up",
	  "ts=2024-03-01T10:00:00.000000Z", "ISO with Z" },
	{ "<13>1 2024-03-01T10:00:00.5Z host app 99 ID47 - BOM-less msg",
	  "ts=2024-03-01T10:00:00.500000Z\nhost.name=host\nprocess.name=app\n"
	  "process.pid=99\nmessage=BOM-less msg\nlog.syslog.severity.code=5",
	  "RFC 5424 without structured data" },
	{ "<13>1 2024-03-01T10:00:00Z host app - - [a@1 x=\"q\\]\" y=\"]\"]"
	  "[b@2] the msg",
	  "message=the msg\n!process.pid",
	  "RFC 5424 structured data with escaped and quoted ]" },
	{ "<13>1 - - - - - -",
	  "rc=0\nmessage=", "RFC 5424 all nil" },
	{ "<13>1 2024-03-01T10:00:00Z host app - - [unterminated x=\"y",
	  "rc=-3", "broken structured data" },
	{ "srv sshd[13709]: Failed password for root from 192.0.2.1 port 1 "
	  "ssh2",
	  "rc=0\nhost.name=srv\nsource.ip=192.0.2.1",
	  "journal-style export: no stamp" },
	{ "Mar  3 10:00:00 srv last message repeated 3 times",
	  "rc=0\nhost.name=srv\nmessage=last message repeated 3 times",
	  "no tag: message is what follows the host" },
	{ "Feb 30 10:00:00 h app: x",
	  "rc=0\nhost.name=h\nprocess.name=app\nmessage=x",
	  "impossible date: decoded without a time (flagged)" },
	{ "Mar  3 25:00:00 h sshd[9]: Failed password for root from "
	  "192.0.2.9 port 22 ssh2",
	  "rc=0\nsource.ip=192.0.2.9\nevent.outcome=failure",
	  "hour 25: the failed login is still seen" },
	{ "99999-01-01T00:00:00Z h app: x", "rc=-3", "year 99999: raw" },
	{ "Foo  3 10:00:00 h app: x", "rc=-3", "not a month" },
	{ "Mar  3 10:00:00", "rc=-3", "stamp only" },
	{ "<999>Mar  3 10:00:00 h app: x", "rc=-3", "PRI out of range" },
	{ "", "rc=-3", "empty line" },
	{ "Mar  3 10:00:00 h app: caf\xc3\xa9 \xff\xfe",
	  "rc=0\nmessage=caf\xc3\xa9 \xff\xfe", "invalid UTF-8 kept" },
};

static void test_syslog_rows(void **state)
{
	(void)state;
	pt_table(CORE_FMT_SYSLOG, rows, CORE_ARRAY_LEN(rows));
}

static void test_syslog_zone(void **state)
{
	struct core_arena *arena = core_arena_new(0);
	struct parse_ctx ctx;
	static const struct parse_row zoned[] = {
		{ "Mar  3 10:00:00 h app: x", "ts=2024-03-03T09:00:00.000000Z",
		  "zone-less stamps are tz_offset_min east of UTC" },
		{ "2024-03-03T10:00:00 h app: x",
		  "ts=2024-03-03T09:00:00.000000Z",
		  "ISO without a zone too" },
		{ "2024-03-03T10:00:00-02:00 h app: x",
		  "ts=2024-03-03T12:00:00.000000Z",
		  "an explicit zone wins" },
	};

	(void)state;
	pt_ctx(&ctx);
	ctx.tz_offset_min = 60;
	ctx.default_year = 2024;
	for (size_t i = 0; i < CORE_ARRAY_LEN(zoned); i++)
		pt_check(CORE_FMT_SYSLOG, &ctx, arena, &zoned[i]);
	core_arena_free(arena);
}

static void test_syslog_guessed_flag(void **state)
{
	struct core_event ev;
	const char *bsd = "Mar  3 10:00:00 h app: x";
	const char *iso = "2024-03-03T10:00:00Z h app: x";

	(void)state;
	core_event_reset(&ev, NULL);
	parse_record(CORE_FMT_SYSLOG, NULL, &ev, bsd, strlen(bsd));
	assert_true(ev.ts_guessed);
	core_event_reset(&ev, NULL);
	parse_record(CORE_FMT_SYSLOG, NULL, &ev, iso, strlen(iso));
	assert_false(ev.ts_guessed);
}

/* NUL bytes, a 1 MiB line and every prefix of a line: no crash. */
static void test_syslog_hostile(void **state)
{
	static const char base[] = "<13>1 2024-03-01T10:00:00Z host sshd 1 - "
				   "[a x=\"]\"] Failed password for root "
				   "from 192.0.2.1 port 2 ssh2";
	size_t big = 1 << 20;
	char *p = malloc(big);
	struct core_event ev;
	int rc;

	(void)state;
	assert_non_null(p);
	for (size_t n = 0; n <= sizeof(base) - 1; n++) {
		memcpy(p, base, n);
		core_event_reset(&ev, NULL);
		parse_record(CORE_FMT_SYSLOG, NULL, &ev, p, n);
	}
	memset(p, 'A', big);
	memcpy(p, "Mar  3 10:00:00 h sshd[1]: ", 27);
	core_event_reset(&ev, NULL);
	rc = parse_record(CORE_FMT_SYSLOG, NULL, &ev, p, big);
	assert_int_equal(rc, 0);
	memset(p + 30, '\0', 100);
	core_event_reset(&ev, NULL);
	rc = parse_record(CORE_FMT_SYSLOG, NULL, &ev, p, big);
	assert_int_equal(rc, 0);
	assert_int_equal(core_event_get(&ev, CORE_F_MESSAGE)->len, big - 27);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syslog_rows),
		cmocka_unit_test(test_syslog_zone),
		cmocka_unit_test(test_syslog_guessed_flag),
		cmocka_unit_test(test_syslog_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
