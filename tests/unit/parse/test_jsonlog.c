/*
 * test_jsonlog.c: generic JSON lines: ECS documents, Cowrie and Zeek.
 */
#include "parse_test.h"

static const struct parse_row rows[] = {
	{ "{\"@timestamp\":\"2024-05-01T12:00:00.5Z\",\"source\":{\"ip\":"
	  "\"192.0.2.1\"},\"user\":{\"name\":\"ann\"},\"event\":{\"action\":"
	  "\"logon\",\"dataset\":\"windows.security\"},\"message\":\"hi\"}",
	  "rc=0\nts=2024-05-01T12:00:00.500000Z\nsource.ip=192.0.2.1\n"
	  "user.name=ann\nevent.action=logon\nmessage=hi\n"
	  "event.dataset=windows.security",
	  "ECS nested objects land on ECS fields" },
	{ "{\"eventid\":\"cowrie.login.failed\",\"username\":\"root\","
	  "\"password\":\"hunter2\",\"message\":\"login attempt "
	  "[root/hunter2] failed\",\"src_ip\":\"203.0.113.7\","
	  "\"timestamp\":\"2018-05-17T00:00:32.538490Z\"}",
	  "event.action=ssh_login\nevent.outcome=failure\nuser.name=root\n"
	  "source.ip=203.0.113.7\npassword=hunter2\n"
	  "message=login attempt failed\nevent.dataset=honeypot.cowrie",
	  "cowrie login: the password stays in its own field only" },
	{ "{\"eventid\":\"cowrie.login.success\",\"username\":\"pi\","
	  "\"password\":\"raspberry\",\"message\":\"login attempt [pi/"
	  "raspberry] succeeded\",\"src_ip\":\"203.0.113.8\"}",
	  "event.action=ssh_login\nevent.outcome=success\n"
	  "message=login attempt succeeded",
	  "cowrie login success" },
	{ "{\"eventid\":\"cowrie.command.input\",\"input\":\"uname -a\","
	  "\"src_ip\":\"203.0.113.9\",\"session\":\"abc\"}",
	  "event.action=honeypot_command\nprocess.command_line=uname -a\n"
	  "session=abc",
	  "cowrie command" },
	{ "{\"eventid\":\"cowrie.session.file_download\",\"url\":"
	  "\"http://x.example/a.sh?x=1\",\"src_ip\":\"203.0.113.9\"}",
	  "event.action=honeypot_file_download\nurl.path=http://x.example/a.sh"
	  "\nurl.query=x=1",
	  "cowrie download" },
	{ "{\"ts\":1526515232.265120,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\","
	  "\"id.orig_p\":5353,\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":53,"
	  "\"proto\":\"udp\",\"query\":\"zeek.example\"}",
	  "ts=2018-05-17T00:00:32.265120Z\nsource.ip=10.0.0.1\n"
	  "source.port=5353\ndestination.ip=10.0.0.2\ndestination.port=53\n"
	  "network.transport=udp\ndns.question.name=zeek.example\nuid=C1",
	  "zeek dns.log" },
	{ "{\"_path\":\"smb_files\",\"ts\":1709287500,\"id.orig_h\":"
	  "\"10.0.0.9\",\"name\":\"atsvc\"}",
	  "event.dataset=zeek.smb_files\nsource.ip=10.0.0.9\nname=atsvc",
	  "zeek: _path names the log (as #path does in TSV)" },
	{ "{\"ts\":1526515232265,\"msg\":\"ms\"}",
	  "ts=2018-05-17T00:00:32.265000Z", "epoch milliseconds" },
	{ "{\"a\":null,\"b\":[1,2],\"c\":true}",
	  "rc=0\n!a\nb=[1,2]\nc=true\nts=-", "nulls skipped, arrays raw" },
	{ "{\"a\":1", "rc=-3", "truncated" },
};

static void test_jsonlog_rows(void **state)
{
	(void)state;
	pt_table(CORE_FMT_JSON, rows, CORE_ARRAY_LEN(rows));
}

/* No field other than "password" may carry the password. */
static void test_jsonlog_password_confined(void **state)
{
	static const char line[] =
		"{\"eventid\":\"cowrie.login.failed\",\"username\":\"u\","
		"\"password\":\"S3cr3t-pw\",\"message\":\"login attempt "
		"[u/S3cr3t-pw] failed\"}";
	struct core_arena *arena = core_arena_new(0);
	struct core_event ev;

	(void)state;
	core_event_reset(&ev, arena);
	assert_int_equal(parse_record(CORE_FMT_JSON, NULL, &ev, line,
				      sizeof(line) - 1), 0);
	for (unsigned i = 0; i < ev.nfields; i++) {
		const struct core_field *f = &ev.fields[i];

		if (f->id == CORE_F_NAMED &&
		    core_str_eq_lit(f->name, "password"))
			continue;
		assert_true(core_str_find(f->value, CORE_STR("S3cr3t")) < 0);
	}
	core_arena_free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonlog_rows),
		cmocka_unit_test(test_jsonlog_password_confined),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
