/*
 * test_sshd.c: sshd and sshd-session messages, old and new OpenSSH
 * wording, and a check over the loghub OpenSSH sample.
 */
#include "parse_test.h"

#define H "Mar  3 10:00:00 srv sshd[411]: "
#define S "Mar  3 10:00:00 srv sshd-session[411]: "

static const struct parse_row rows[] = {
	{ H "Failed password for root from 203.0.113.9 port 4242 ssh2",
	  "event.action=ssh_login\nevent.outcome=failure\nuser.name=root\n"
	  "source.ip=203.0.113.9\nsource.port=4242\n"
	  "vigil.auth.method=password\nevent.dataset=linux.auth\n"
	  "event.category=authentication\n!event.reason",
	  "the classic failed login" },
	{ H "Failed password for invalid user admin from 203.0.113.9 port 1 "
	    "ssh2",
	  "event.action=ssh_login\nuser.name=admin\n"
	  "event.reason=invalid_user\nsource.ip=203.0.113.9",
	  "sshd says the account does not exist" },
	{ H "Failed password for invalid user  0101 from 198.51.100.7 port 9 "
	    "ssh2",
	  "user.name= 0101\nsource.ip=198.51.100.7",
	  "a user name with a leading space is kept as sent" },
	{ H "Failed password for invalid user x from 10.0.0.1 port 22 ssh2 "
	    "from 198.51.100.7 port 50273 ssh2",
	  "source.ip=198.51.100.7\nsource.port=50273",
	  "a hostile user name cannot choose the source address" },
	{ H "Failed publickey for git from 2001:db8::5 port 57904 ssh2: RSA "
	    "SHA256:abcdef",
	  "vigil.auth.method=publickey\nsource.ip=2001:db8::5\n"
	  "user.name=git",
	  "IPv6 source and key info after the colon" },
	{ H "Failed keyboard-interactive/pam for invalid user jim from "
	    "192.0.2.4 port 3 ssh2",
	  "vigil.auth.method=keyboard-interactive\nuser.name=jim",
	  "the /pam suffix is not part of the method" },
	{ H "Failed none for invalid user test from 192.0.2.4 port 3 ssh2",
	  "vigil.auth.method=none\nevent.reason=invalid_user",
	  "method none" },
	{ H "Failed password for invalid user ROOT from 192.0.2.8",
	  "source.ip=192.0.2.8\n!source.port",
	  "old sshd without a port" },
	{ H "Accepted publickey for deploy from 192.0.2.10 port 51000 ssh2: "
	    "ED25519 SHA256:xyz",
	  "event.action=ssh_login\nevent.outcome=success\nuser.name=deploy\n"
	  "vigil.auth.method=publickey",
	  "successful key login" },
	{ H "Invalid user oracle from 192.0.2.11 port 40000",
	  "event.action=ssh_invalid_user\nuser.name=oracle\n"
	  "source.ip=192.0.2.11\nsource.port=40000\nevent.outcome=failure",
	  "invalid user with port (OpenSSH 7.5+)" },
	{ H "Invalid user  from 192.0.2.11 port 40000",
	  "event.action=ssh_invalid_user\nuser.name=",
	  "empty user name" },
	{ H "input_userauth_request: invalid user oracle [preauth]",
	  "user.name=oracle\n!event.action",
	  "repeats the Invalid user line: not counted twice" },
	{ S "Connection closed by invalid user x 192.0.2.12 port 5 [preauth]",
	  "event.action=ssh_disconnect\nevent.reason=preauth\nuser.name=x\n"
	  "source.ip=192.0.2.12\nsource.port=5\nprocess.name=sshd-session",
	  "OpenSSH 9.8 sshd-session wording" },
	{ H "Connection closed by 192.0.2.13 [preauth]",
	  "event.action=ssh_disconnect\nsource.ip=192.0.2.13\n!user.name",
	  "old wording without user or port" },
	{ H "Connection closed by 192.0.2.13 port 22",
	  "event.action=ssh_disconnect\n!event.reason\nsource.port=22",
	  "closed after authentication: no preauth reason" },
	{ H "Disconnected from authenticating user root 192.0.2.14 port 5 "
	    "[preauth]",
	  "event.action=ssh_disconnect\nuser.name=root\nsource.ip=192.0.2.14",
	  "authenticating user wording" },
	{ H "Connection reset by authenticating user root 192.0.2.14 port 5 "
	    "[preauth]",
	  "event.action=ssh_disconnect\nuser.name=root",
	  "reset by peer during authentication" },
	{ H "Received disconnect from 192.0.2.15: 11: Bye Bye [preauth]",
	  "event.action=ssh_disconnect\nsource.ip=192.0.2.15\n"
	  "event.reason=preauth",
	  "old received-disconnect wording" },
	{ H "Received disconnect from 192.0.2.15 port 58846:11: Bye Bye "
	    "[preauth]",
	  "source.ip=192.0.2.15\nsource.port=58846",
	  "new wording with port and no space before the code" },
	{ H "error: Received disconnect from 192.0.2.15: 14: No more user "
	    "authentication methods available. [preauth]",
	  "event.action=ssh_disconnect", "error: prefix is skipped" },
	{ H "error: maximum authentication attempts exceeded for root from "
	    "192.0.2.16 port 2 ssh2 [preauth]",
	  "event.action=ssh_max_auth_attempts\nuser.name=root\n"
	  "source.ip=192.0.2.16\nevent.reason=too_many_failures",
	  "max attempts" },
	{ H "error: maximum authentication attempts exceeded for invalid user "
	    "xx from 192.0.2.16 port 2 ssh2 [preauth]",
	  "user.name=xx\nevent.action=ssh_max_auth_attempts",
	  "max attempts for an invalid user" },
	{ H "Disconnecting: Too many authentication failures for admin "
	    "[preauth]",
	  "event.action=ssh_max_auth_attempts\nuser.name=admin",
	  "old too-many wording" },
	{ H "Disconnecting invalid user xxx 192.0.2.17 port 49941: Too many "
	    "authentication failures [preauth]",
	  "event.action=ssh_max_auth_attempts\nsource.ip=192.0.2.17\n"
	  "user.name=xxx",
	  "new too-many wording" },
	{ H "Did not receive identification string from 192.0.2.18",
	  "event.action=ssh_no_identification\nsource.ip=192.0.2.18",
	  "port scan" },
	{ H "Did not receive identification string from 192.0.2.18 port 35836",
	  "source.port=35836", "port scan, newer wording" },
	{ H "Bad protocol version identification 'GET / HTTP/1.1' from "
	    "192.0.2.19 port 31778",
	  "event.action=ssh_bad_protocol\nsource.ip=192.0.2.19",
	  "HTTP sent to the ssh port" },
	{ H "banner exchange: Connection from 192.0.2.20 port 44105: invalid "
	    "format",
	  "event.action=ssh_bad_protocol\nsource.ip=192.0.2.20\n"
	  "source.port=44105",
	  "OpenSSH 8.x banner error" },
	{ H "Unable to negotiate with 192.0.2.21 port 50404: no matching host "
	    "key type found. Their offer: ssh-dss [preauth]",
	  "event.action=ssh_bad_protocol\nsource.ip=192.0.2.21",
	  "legacy client or scanner" },
	{ H "reverse mapping checking getaddrinfo for ns.example.com "
	    "[192.0.2.22] failed - POSSIBLE BREAK-IN ATTEMPT!",
	  "event.action=ssh_reverse_mapping_failed\nsource.ip=192.0.2.22\n"
	  "source.domain=ns.example.com",
	  "reverse DNS mismatch" },
	{ H "Address 192.0.2.23 maps to a.example.com, but this does not map "
	    "back to the address - POSSIBLE BREAK-IN ATTEMPT!",
	  "event.action=ssh_reverse_mapping_failed\nsource.ip=192.0.2.23\n"
	  "source.domain=a.example.com",
	  "the other reverse DNS wording" },
	{ H "User root from 192.0.2.24 not allowed because not listed in "
	    "AllowUsers",
	  "event.action=ssh_user_not_allowed\nuser.name=root\n"
	  "source.ip=192.0.2.24\nevent.reason=not listed in AllowUsers",
	  "refused by configuration" },
	{ H "ROOT LOGIN REFUSED FROM ::ffff:192.0.2.25",
	  "event.action=ssh_user_not_allowed\nsource.ip=192.0.2.25",
	  "PermitRootLogin no, mapped IPv4" },
	{ H "error: PAM: Authentication failure for alice from 192.0.2.26",
	  "event.action=ssh_login\nevent.outcome=failure\nuser.name=alice\n"
	  "source.ip=192.0.2.26",
	  "PAM failure reported by sshd" },
	{ H "error: PAM: Authentication failure for stefan from host.example",
	  "source.domain=host.example", "PAM failure from a host name" },
	{ H "message repeated 5 times: [ Failed password for root from "
	    "192.0.2.27 port 42393 ssh2]",
	  "event.action=ssh_login\nvigil.repeat.count=5\n"
	  "source.ip=192.0.2.27\nuser.name=root",
	  "rsyslog folded repeats: decode the inner message" },
	{ H "PAM 2 more authentication failures; logname= uid=0 euid=0 "
	    "tty=ssh ruser= rhost=192.0.2.28  user=root",
	  "event.action=pam_auth_failure\nsource.ip=192.0.2.28\n"
	  "user.name=root\nevent.reason=too_many_failures",
	  "PAM summary line" },
	{ H "pam_unix(sshd:auth): authentication failure; logname= uid=0 "
	    "euid=0 tty=ssh ruser= rhost=192.0.2.29  user=root",
	  "event.action=pam_auth_failure\nsource.ip=192.0.2.29\n"
	  "user.name=root\nservice.name=sshd",
	  "pam_unix inside sshd" },
	{ H "[ID 800047 auth.info] Failed keyboard-interactive for <invalid "
	    "username> from 192.0.2.30 port 42742 ssh2",
	  "event.action=ssh_login\nevent.reason=invalid_user\n!user.name",
	  "Solaris message id prefix" },
	{ H "Server listening on 0.0.0.0 port 22.",
	  "rc=0\n!event.action\nmessage=Server listening on 0.0.0.0 port 22.",
	  "unknown sshd text: header decoded, message kept" },
	{ H "Failed password for root from 192.0.2.31 port 22 ssh2\r",
	  "source.ip=192.0.2.31\nsource.port=22",
	  "CRLF files: the trailing CR is tolerated" },
	{ H "Failed password for",
	  "rc=0\n!event.action", "truncated message" },
	{ H "Received disconnect from ",
	  "rc=0\n!event.action", "truncated after from" },
};

static void test_sshd_rows(void **state)
{
	(void)state;
	pt_table(CORE_FMT_SYSLOG, rows, CORE_ARRAY_LEN(rows));
}

/* The address after the last " from " in a Failed password line. */
static size_t expected_ip(const char *line, char *out, size_t n)
{
	const char *p = strstr(line, " from "), *last = NULL;
	size_t len = 0;

	while (p) {
		last = p;
		p = strstr(p + 1, " from ");
	}
	if (!last)
		return 0;
	last += 6;
	while (last[len] && last[len] != ' ' && len + 1 < n)
		len++;
	memcpy(out, last, len);
	out[len] = '\0';
	return len;
}

static void test_sshd_loghub(void **state)
{
	const char *path = TEST_DATASETS "/loghub/OpenSSH/OpenSSH_2k.log";
	struct core_arena *arena = core_arena_new(0);
	struct core_event ev;
	struct parse_ctx ctx;
	char line[4096], ip[64];
	size_t failed = 0, lines = 0;
	FILE *f = fopen(path, "r");

	(void)state;
	if (!f) {
		printf("SKIP: dataset absent at %s\n", path);
		core_arena_free(arena);
		skip();
	}
	pt_ctx(&ctx);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n");
		const struct core_str *v;

		line[n] = '\0';
		lines++;
		core_arena_reset(arena);
		core_event_reset(&ev, arena);
		assert_int_equal(parse_record(CORE_FMT_SYSLOG, &ctx, &ev, line,
					      n), 0);
		if (!strstr(line, "Failed password"))
			continue;
		failed++;
		v = core_event_get(&ev, CORE_F_EVENT_ACTION);
		assert_non_null(v);
		assert_true(core_str_eq_lit(*v, "ssh_login"));
		v = core_event_get(&ev, CORE_F_EVENT_OUTCOME);
		assert_true(v && core_str_eq_lit(*v, "failure"));
		assert_true(expected_ip(line, ip, sizeof(ip)) > 0);
		v = core_event_get(&ev, CORE_F_SOURCE_IP);
		assert_non_null(v);
		assert_true(core_str_eq_lit(*v, ip));
	}
	fclose(f);
	core_arena_free(arena);
	assert_int_equal(lines, 2000);
	/* 383 + 133 + 1 + 1, and the two "message repeated" lines. */
	assert_true(failed >= 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sshd_rows),
		cmocka_unit_test(test_sshd_loghub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
