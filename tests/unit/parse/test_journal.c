/*
 * test_journal.c: journalctl -o json records, and that sshd through the
 * journal decodes as it does through syslog.
 */
#include "parse_test.h"

static const struct parse_row rows[] = {
	{ "{\"__REALTIME_TIMESTAMP\":\"1709287200123456\","
	  "\"_HOSTNAME\":\"web1\",\"SYSLOG_IDENTIFIER\":\"sshd\","
	  "\"_PID\":\"42\",\"PRIORITY\":\"6\","
	  "\"MESSAGE\":\"Failed password for root from 192.0.2.1 port 5 "
	  "ssh2\"}",
	  "rc=0\nts=2024-03-01T10:00:00.123456Z\nhost.name=web1\n"
	  "process.name=sshd\nprocess.pid=42\nlog.syslog.severity.code=6\n"
	  "event.action=ssh_login\nevent.outcome=failure\nuser.name=root\n"
	  "source.ip=192.0.2.1\nevent.dataset=linux.auth",
	  "sshd through the journal" },
	{ "{\"__REALTIME_TIMESTAMP\":\"1709287200000000\",\"_COMM\":\"sshd\","
	  "\"MESSAGE\":[73,110,118,97,108,105,100,32,117,115,101,114,32,120,"
	  "32,102,114,111,109,32,49,46,50,46,51,46,52]}",
	  "message=Invalid user x from 1.2.3.4\nprocess.name=sshd\n"
	  "event.action=ssh_invalid_user\nsource.ip=1.2.3.4",
	  "MESSAGE as an array of bytes, _COMM as the program" },
	{ "{\"MESSAGE\":\"Started Session 1.\","
	  "\"_SYSTEMD_UNIT\":\"init.scope\",\"SYSLOG_IDENTIFIER\":\"systemd\"}",
	  "rc=0\nevent.dataset=journal\nservice.name=init.scope\n"
	  "_SYSTEMD_UNIT=init.scope\n!event.action",
	  "other programs keep the journal dataset; fields keep their names" },
	{ "{\"__REALTIME_TIMESTAMP\":\"99999999999999999999\","
	  "\"MESSAGE\":\"x\"}",
	  "rc=0\nts=-", "absurd time is ignored" },
	{ "{\"MESSAGE\":\"x\"", "rc=-3", "truncated record" },
	{ "not json", "rc=-3\nmessage=not json", "not JSON: raw" },
};

static void test_journal_rows(void **state)
{
	(void)state;
	pt_table(CORE_FMT_JOURNAL_JSON, rows, CORE_ARRAY_LEN(rows));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
