/*
 * test_pseudo.c: the pseudonymiser: what leaves, what is kept, what
 * comes back, and the sealed map.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "llm/llm.h"

/* Input text, the output expected, and why. */
struct row {
	const char *in;
	const char *want;
	const char *why;
};

static const struct row rows[] = {
	{ "from 203.0.113.45 port 22", "from IP-PUB-1 port 22",
	  "a public IPv4 address" },
	{ "10.0.1.5 then 203.0.113.45 and 10.0.1.5",
	  "IP-PRIV-1 then IP-PUB-2 and IP-PRIV-1",
	  "the same address gets the same token" },
	{ "peer 203.0.113.45:443.", "peer IP-PUB-1:443.",
	  "address with a port, trailing dot" },
	{ "src=2001:db8::7 dst=[2001:db8::8]", "src=IP-PUB-1 dst=[IP-PUB-2]",
	  "IPv6 addresses" },
	{ "at 14:41:08 UTC", "at 14:41:08 UTC", "a clock time is no address" },
	{ "mail alice@example.com now", "mail EMAIL-1 now",
	  "an e-mail address" },
	{ "GET http://www.example.com/a?b=1 HTTP/1.1",
	  "GET http://DOMAIN-1/a?b=1 HTTP/1.1", "a URL host" },
	{ "https://bob:hunter2@git.example.org:8443/x",
	  "https://[REDACTED]@DOMAIN-1:8443/x", "basic auth in a URL" },
	{ "sqlmap/1.8.2#stable (https://sqlmap.org)",
	  "sqlmap/1.8.2#stable (https://DOMAIN-1)",
	  "the parenthesis closing a URL stays outside its host" },
	{ "see <https://a.example.com:8080>, then (http://b.example.net.)",
	  "see <https://DOMAIN-1:8080>, then (http://DOMAIN-2.)",
	  "a port, a comma, a sentence's dot after URL hosts" },
	{ "(http://203.0.113.9:80)", "(http://IP-PUB-1:80)",
	  "an address as a URL host, in parentheses" },
	{ "curl -H 'Authorization: Bearer abc.def.ghi' x",
	  "curl -H 'Authorization: Bearer [REDACTED]' x", "a bearer token" },
	{ "mysql --password=s3cr3t -u app",
	  "mysql --password=[REDACTED] -u app",
	  "a --password= flag" },
	{ "tool --api-key AbC123 run", "tool --api-key [REDACTED] run",
	  "a --api-key flag with a space" },
	{ "GET /x?user_id=4&token=deadbeef&x=1",
	  "GET /x?user_id=4&token=[REDACTED]&x=1", "a token in a query" },
	{ "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG",
	  "export AWS_SECRET_ACCESS_KEY=[REDACTED]", "an AWS secret" },
	{ "key AKIAIOSFODNN7EXAMPLE used", "key [REDACTED] used",
	  "an AWS access key id by its shape" },
	{ "gh ghp_0123456789abcdefghijABCDEFGHIJ012345 x", "gh [REDACTED] x",
	  "a GitHub token by its shape" },
	{ "password: \"correct horse\" ok", "password: [REDACTED] ok",
	  "a quoted password" },
	{ "k -----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n"
	  "-----END OPENSSH PRIVATE KEY----- done", "k [REDACTED] done",
	  "a PEM private key block" },
	{ "Failed password for invalid user oracle from 192.0.2.9",
	  "Failed password for invalid user USER-1 from IP-PUB-1",
	  "a user name in sshd's position" },
	{ "198.51.100.150 - jdoe [22/Nov/2026:09:00:00 +0000] \"GET / "
	  "HTTP/1.1\" 401 381",
	  "IP-PUB-1 - USER-1 [22/Nov/2026:09:00:00 +0000] \"GET / "
	  "HTTP/1.1\" 401 381",
	  "an access log's authenticated user" },
	{ "198.51.100.150 - - [22/Nov/2026:09:00:00 +0000] \"GET /\"",
	  "IP-PUB-1 - - [22/Nov/2026:09:00:00 +0000] \"GET /\"",
	  "an access log line with no user names none" },
	{ "*0 user \"jdoe\" was not found in \"/etc/nginx/.htpasswd\", "
	  "client: 198.51.100.150",
	  "*0 user \"USER-1\" was not found in \"/etc/nginx/.htpasswd\", "
	  "client: IP-PUB-1",
	  "nginx's quoted user" },
	{ "*1 user \"jdoe\": password mismatch, client: 10.0.0.9",
	  "*1 user \"USER-1\": password mismatch, client: IP-PRIV-1",
	  "nginx's password mismatch" },
	{ "198.51.100.150 - CORP\\jdoe [22/Nov/2026:09:00:00 +0000] \"GET /\"",
	  "IP-PUB-1 - USER-1 [22/Nov/2026:09:00:00 +0000] \"GET /\"",
	  "an access log's user with its domain is one name" },
	{ "*0 user \"john smith\" was not found in \"/etc/nginx/.htpasswd\"",
	  "*0 user \"USER-1\" was not found in \"/etc/nginx/.htpasswd\"",
	  "nginx's quoted user with a space, whole" },
	{ "AH01618: user CORP\\jdoe not found: /private",
	  "AH01618: user USER-1 not found: /private",
	  "Apache's user with its domain, whole" },
	{ "AH01618: user jdoe not found: /private",
	  "AH01618: user USER-1 not found: /private",
	  "Apache's user not found" },
	{ "AH01617: user jdoe: authentication failure for \"/private\": "
	  "Password Mismatch",
	  "AH01617: user USER-1: authentication failure for \"/private\": "
	  "Password Mismatch", "Apache's authentication failure" },
	{ "Accepted publickey for carol from 10.0.0.1",
	  "Accepted publickey for USER-1 from IP-PRIV-1",
	  "a user after 'for'" },
	{ "pam_unix(sshd:auth): ruser= rhost=x user=dave",
	  "pam_unix(sshd:auth): ruser= rhost=HOST-1 user=USER-1",
	  "user= and rhost= keys; an empty ruser= names nothing" },
	{ "Invalid user support from 203.0.113.45 port 39864",
	  "Invalid user USER-1 from IP-PUB-1 port 39864",
	  "sshd's invalid user clause" },
	{ "Connection closed by invalid user admin 192.0.2.7 port 22 [preauth]",
	  "Connection closed by invalid user USER-1 IP-PUB-1 port 22 [preauth]",
	  "invalid user followed by an address" },
	{ "input_userauth_request: invalid user test [preauth]",
	  "input_userauth_request: invalid user USER-1 [preauth]",
	  "invalid user before [preauth]" },
	{ "Disconnected from user root 10.0.0.1 port 22",
	  "Disconnected from user USER-1 IP-PRIV-1 port 22",
	  "user X followed by an address" },
	{ "session opened for user root(uid=0) by deploy(uid=1000)",
	  "session opened for user USER-1(uid=0) by USER-2(uid=1000)",
	  "PAM's for user X(uid= and by X(uid=" },
	{ "pam_unix(sshd:session): session closed for user alice",
	  "pam_unix(sshd:session): session closed for user USER-1",
	  "for user X at the end of the line" },
	{ "sudo:   deploy : TTY=pts/1 ; PWD=/home/deploy ; USER=root ; "
	  "COMMAND=/bin/su -",
	  "sudo:   USER-1 : TTY=pts/1 ; PWD=/home/USER-1 ; USER=USER-2 ; "
	  "COMMAND=/bin/su -",
	  "sudo's user, then the same name in a path, and USER=" },
	{ "{\"TargetUserName\":\"alice\",\"WorkstationName\":\"WS-PC7\"}",
	  "{\"TargetUserName\":\"USER-1\",\"WorkstationName\":\"HOST-1\"}",
	  "user and host fields of a JSON record" },
	{ "{\"hostname\": \"Bastion\", \"user.name\": \"eve\"}",
	  "{\"hostname\": \"HOST-1\", \"user.name\": \"USER-1\"}",
	  "JSON fields with a space after the colon, dotted key" },
	{ "type=USER_LOGIN acct=\"mallory\" exe=\"/usr/sbin/sshd\"",
	  "type=USER_LOGIN acct=\"USER-1\" exe=\"/usr/sbin/sshd\"",
	  "a quoted acct= of an audit record" },
	{ "from ::ffff:198.51.100.23 port 22", "from IP-PUB-1 port 22",
	  "an IPv4-mapped IPv6 address" },
	{ "via 2001:db8:85a3::8a2e:370:7334, done", "via IP-PUB-1, done",
	  "a long IPv6 address before a comma" },
	{ "\"python-requests/2.31 (contact Ops.Team@Example.ORG)\"",
	  "\"python-requests/2.31 (contact EMAIL-1)\"",
	  "an e-mail address inside a user agent" },
	{ "Web vulnerability scanner user agent",
	  "Web vulnerability scanner user agent",
	  "no: 'user agent' is not a user clause" },
	{ "SSH invalid user login attempts", "SSH invalid user login attempts",
	  "no: a title's 'invalid user' is followed by no address" },
	{ "[withheld by vigil: instruction-like text]",
	  "[withheld by vigil: instruction-like text]",
	  "no: 'by X' is a clause only as by X(uid=" },
	{ "Port scan blocked by firewall", "Port scan blocked by firewall",
	  "no: a word after 'by'" },
	{ "searched for passwords from one source",
	  "searched for passwords from one source",
	  "no: 'for X from' is a clause only after an sshd method" },
	{ "new user: name=sysupd, UID=1006", "new user: name=sysupd, UID=1006",
	  "no: 'user:' is prose, name= is not a user field" },
	{ "user=1000 uid=0", "user=1000 uid=0", "no: a number is no name" },
	{ "GET /login?pwd=hunter2 PWD=/srv",
	  "GET /login?pwd=[REDACTED] PWD=/srv",
	  "pwd= is a password, sudo's PWD= a directory" },
	{ "Mar 10 14:41:08 bastion sshd[1]: x",
	  "Mar 10 14:41:08 HOST-1 sshd[1]: x",
	  "the host of an RFC 3164 line" },
	{ "resolved evil.example.net via img.php",
	  "resolved DOMAIN-1 via img.php", "a domain, but not a file name" },
	{ "Failed password for root from", "Failed password for USER-1 from",
	  "root is a user name like any other" },
	{ "ünïcode 203.0.113.1 text", "ünïcode IP-PUB-1 text",
	  "non-ASCII bytes pass through" },
	{ "GET /ping?host=127.0.0.1%3Bcat%20/etc/passwd",
	  "GET /ping?host=IP-PRIV-1%3Bcat%20/etc/passwd",
	  "an address before percent-encoded bytes" },
	{ "x?q=curl%20-H%20Authorization:%20Bearer%20abc.def HTTP",
	  "x?q=curl%20-H%20Authorization:%20Bearer%20[REDACTED] HTTP",
	  "a percent-encoded bearer token" },
	{ "Accepted password for USER-5 from 10.0.0.1",
	  "Accepted password for USER-1 from IP-PRIV-1",
	  "log text shaped like a token is pseudonymised like a value" },
	{ "GET /srv/IP-PUB-3/x.HOST-2/ok", "GET /srv/IP-1/HOST-1/ok",
	  "token-shaped pieces of a path, at word boundaries" },
	{ "USER_LOGIN USERS-5 XUSER-5 USER-5a", "USER_LOGIN USERS-5 XUSER-5 "
	  "USER-5a", "no: not a token's shape or not at a boundary" },
	{ "", "", "empty text" },
};

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct llm_pseudo *p = llm_pseudo_new(false, true);
		struct core_buf out;

		core_buf_init(&out, 1 << 16);
		assert_int_equal(llm_pseudo_text(p, rows[i].in,
						 strlen(rows[i].in), &out), 0);
		if (strcmp(core_buf_cstr(&out), rows[i].want))
			fail_msg("%s: got '%s' want '%s'", rows[i].why,
				 core_buf_cstr(&out), rows[i].want);
		core_buf_free(&out);
		llm_pseudo_free(p);
	}
}

static void test_registered_and_reveal(void **state)
{
	struct llm_pseudo *p = llm_pseudo_new(false, true);
	const char *in = "deploy logged in to bastion from 203.0.113.47";
	struct core_buf out, back;

	(void)state;
	core_buf_init(&out, 4096);
	core_buf_init(&back, 4096);
	assert_int_equal(llm_pseudo_register(p, LLM_PK_USER, "deploy", 6), 0);
	assert_int_equal(llm_pseudo_register(p, LLM_PK_HOST, "bastion", 7), 0);
	assert_int_equal(llm_pseudo_text(p, in, strlen(in), &out), 0);
	assert_string_equal(core_buf_cstr(&out),
			    "USER-1 logged in to HOST-1 from IP-PUB-1");
	assert_int_equal(llm_pseudo_reveal(p, out.p, out.len, &back), 0);
	assert_string_equal(core_buf_cstr(&back), in);
	core_buf_reset(&back);
	/* Unknown tokens and look-alikes stay as they are. */
	assert_int_equal(llm_pseudo_reveal(p, "USER-9 XUSER-1 USER-10", 22,
					   &back), 0);
	assert_string_equal(core_buf_cstr(&back), "USER-9 XUSER-1 USER-10");
	core_buf_free(&out);
	core_buf_free(&back);
	llm_pseudo_free(p);
}

/* Text, what it becomes once deploy, bastion and web01 are known, why. */
static const struct row reg_rows[] = {
	{ "GET /~deploy/backup_deploy.tar.gz HTTP/1.1",
	  "GET /~USER-1/backup_USER-1.tar.gz HTTP/1.1",
	  "a user name in a URL path and inside a file name" },
	{ "GET http://web01:8080/x", "GET http://HOST-2:8080/x",
	  "a registered host as a URL host keeps its host token" },
	{ "{\"dst\":\"BASTION\",\"note\":\"web01-db\"}",
	  "{\"dst\":\"HOST-1\",\"note\":\"HOST-2-db\"}",
	  "host names without regard to case, inside a JSON value" },
	{ "COMMAND=/usr/bin/sudo -u deploy 'cat ~deploy/.pgpass'",
	  "COMMAND=/usr/bin/sudo -u USER-1 'cat ~USER-1/.pgpass'",
	  "a user name in a command line and a quoted string" },
	{ "deployer redeploy", "deployer redeploy",
	  "no: a name is replaced only between non-alphanumeric bytes" },
	{ "Deploy", "Deploy", "no: user names keep their case" },
};

/* A token-shaped log text reads back as itself, not as a real value. */
static void test_token_shaped_text(void **state)
{
	struct llm_pseudo *p = llm_pseudo_new(false, true);
	const char *a = "Failed password for root from 203.0.113.9";
	const char *b = "user IP-PUB-1 said hello";
	struct core_buf out;
	struct core_str v;

	(void)state;
	core_buf_init(&out, 4096);
	assert_int_equal(llm_pseudo_text(p, a, strlen(a), &out), 0);
	core_buf_reset(&out);
	assert_int_equal(llm_pseudo_text(p, b, strlen(b), &out), 0);
	assert_string_equal(core_buf_cstr(&out), "user IP-2 said hello");
	assert_true(llm_pseudo_lookup(p, "IP-2", 4, &v));
	assert_true(core_str_eq_lit(v, "IP-PUB-1"));
	assert_true(llm_pseudo_lookup(p, "IP-PUB-1", 8, &v));
	assert_true(core_str_eq_lit(v, "203.0.113.9"));
	core_buf_free(&out);
	llm_pseudo_free(p);
}

static void test_registered_everywhere(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(reg_rows) / sizeof(reg_rows[0]); i++) {
		struct llm_pseudo *p = llm_pseudo_new(false, true);
		const struct row *r = &reg_rows[i];
		struct core_buf out;

		core_buf_init(&out, 1 << 16);
		llm_pseudo_register(p, LLM_PK_USER, "deploy", 6);
		llm_pseudo_register(p, LLM_PK_HOST, "bastion", 7);
		llm_pseudo_register(p, LLM_PK_HOST, "web01", 5);
		assert_int_equal(llm_pseudo_text(p, r->in, strlen(r->in),
						 &out), 0);
		if (strcmp(core_buf_cstr(&out), r->want))
			fail_msg("%s: got '%s' want '%s'", r->why,
				 core_buf_cstr(&out), r->want);
		core_buf_free(&out);
		llm_pseudo_free(p);
	}
}

/* Vigil's own text: patterns and registered names, no log rules. */
static const struct row prose_rows[] = {
	{ "Web vulnerability scanner user agent",
	  "Web vulnerability scanner user agent", "a rule title" },
	{ "Failed password for root from 203.0.113.5",
	  "Failed password for root from IP-PUB-1",
	  "no user clause in prose; addresses still go" },
	{ "Mar 10 14:41:08 gateway sshd: x", "Mar 10 14:41:08 gateway sshd: x",
	  "no syslog host in prose" },
	{ "sudo by deploy on bastion", "sudo by USER-1 on HOST-1",
	  "registered names go in prose too" },
	{ "user=admin token=abc", "user=admin token=[REDACTED]",
	  "no keyed fields, but secrets go" },
};

static void test_prose(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(prose_rows) / sizeof(prose_rows[0]);
	     i++) {
		struct llm_pseudo *p = llm_pseudo_new(false, true);
		const struct row *r = &prose_rows[i];
		struct core_buf out;

		core_buf_init(&out, 1 << 16);
		llm_pseudo_register(p, LLM_PK_USER, "deploy", 6);
		llm_pseudo_register(p, LLM_PK_HOST, "bastion", 7);
		assert_int_equal(llm_pseudo_prose(p, r->in, strlen(r->in),
						  &out), 0);
		if (strcmp(core_buf_cstr(&out), r->want))
			fail_msg("%s: got '%s' want '%s'", r->why,
				 core_buf_cstr(&out), r->want);
		core_buf_free(&out);
		llm_pseudo_free(p);
	}
}

/* A name learnt from one line is replaced in another. */
static void test_learn(void **state)
{
	struct llm_pseudo *p = llm_pseudo_new(false, true);
	const char *l1 = "Mar 10 14:41:08 bastion sshd[1]: Accepted password "
			 "for deploy from 203.0.113.47 port 1 ssh2";
	const char *l2 = "cat /home/deploy/.bash_history on Bastion";
	struct core_buf out;

	(void)state;
	core_buf_init(&out, 4096);
	assert_int_equal(llm_pseudo_learn(p, l1, strlen(l1)), 0);
	assert_int_equal(llm_pseudo_count(p), 3);
	assert_int_equal(llm_pseudo_text(p, l2, strlen(l2), &out), 0);
	assert_string_equal(core_buf_cstr(&out),
			    "cat /home/USER-1/.bash_history on HOST-1");
	core_buf_free(&out);
	llm_pseudo_free(p);
}

static void test_prefix(void **state)
{
	struct llm_pseudo *p = llm_pseudo_new(true, true);
	struct core_buf out, back;

	(void)state;
	core_buf_init(&out, 4096);
	core_buf_init(&back, 4096);
	assert_int_equal(llm_pseudo_text(p, "a 203.0.113.47 b", 16, &out), 0);
	assert_string_equal(core_buf_cstr(&out),
			    "a IP-PUB[203.0.113.0/24]-1 b");
	assert_int_equal(llm_pseudo_reveal(p, out.p, out.len, &back), 0);
	assert_string_equal(core_buf_cstr(&back), "a 203.0.113.47 b");
	core_buf_free(&out);
	core_buf_free(&back);
	llm_pseudo_free(p);
}

static void test_seal(void **state)
{
	struct llm_pseudo *p = llm_pseudo_new(false, true);
	struct llm_pseudo *q = llm_pseudo_new(false, true);
	unsigned char key[32], other[32];
	struct core_buf blob, out;
	struct core_error err;
	struct core_str orig;
	char path[] = "/tmp/vigil-test-key-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(llm_seal_key_load(path, key, &err), 0);
	assert_int_equal(llm_seal_key_load(path, other, &err), 0);
	assert_memory_equal(key, other, 32);
	core_buf_init(&blob, 1 << 20);
	core_buf_init(&out, 4096);
	llm_pseudo_text(p, "203.0.113.45 alice@example.com", 30, &out);
	assert_int_equal(llm_pseudo_seal(p, key, &blob), 0);
	/* The sealed map does not hold the values in the clear. */
	assert_null(memmem(blob.p, blob.len, "203.0.113.45", 12));
	assert_int_equal(llm_pseudo_unseal(q, key, blob.p, blob.len, &err), 0);
	assert_true(llm_pseudo_lookup(q, "EMAIL-1", 7, &orig));
	assert_true(core_str_eq_lit(orig, "alice@example.com"));
	/* New values continue the numbering, old ones keep their token. */
	core_buf_reset(&out);
	llm_pseudo_text(q, "203.0.113.9 203.0.113.45", 24, &out);
	assert_string_equal(core_buf_cstr(&out), "IP-PUB-2 IP-PUB-1");
	blob.p[blob.len - 1] ^= 1;
	assert_int_equal(llm_pseudo_unseal(q, key, blob.p, blob.len, &err),
			 CORE_E_PARSE);
	unlink(path);
	core_buf_free(&blob);
	core_buf_free(&out);
	llm_pseudo_free(p);
	llm_pseudo_free(q);
}

/*
 * Two maps that grew apart (the same token handed out for two values)
 * must not merge silently: the reload that makes triage runs agree
 * relies on the error.
 */
static void test_seal_conflict(void **state)
{
	struct llm_pseudo *p = llm_pseudo_new(false, true);
	struct llm_pseudo *q = llm_pseudo_new(false, true);
	unsigned char key[32] = { 7 };
	struct core_buf blob, out;
	struct core_error err = { 0 };

	(void)state;
	core_buf_init(&blob, 1 << 20);
	core_buf_init(&out, 4096);
	llm_pseudo_text(p, "203.0.113.45", 12, &out);
	assert_int_equal(llm_pseudo_seal(p, key, &blob), 0);
	/* The same map merges into itself and into a copy. */
	assert_int_equal(llm_pseudo_unseal(p, key, blob.p, blob.len, &err), 0);
	llm_pseudo_text(q, "192.0.2.150", 11, &out);
	assert_int_equal(llm_pseudo_unseal(q, key, blob.p, blob.len, &err),
			 CORE_E_PARSE);
	assert_non_null(strstr(err.msg, "IP-PUB-1"));
	assert_null(strstr(err.msg, "192.0.2.150"));
	core_buf_free(&blob);
	core_buf_free(&out);
	llm_pseudo_free(p);
	llm_pseudo_free(q);
}

/*
 * Processes creating the map key at once all succeed and all read the
 * same key (one of them wins the link; none sees a partial file).
 */
static void test_seal_key_race(void **state)
{
	enum { KIDS = 12, ROUNDS = 8 };
	char dir[] = "/tmp/vigil-test-keyrace-XXXXXX", path[64];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k", dir);
	for (int r = 0; r < ROUNDS; r++) {
		unsigned char want[32], got[32];
		struct core_error err;
		int go[2], res[2], status;

		unlink(path);
		assert_int_equal(pipe(go), 0);
		assert_int_equal(pipe(res), 0);
		for (int k = 0; k < KIDS; k++) {
			if (fork() == 0) {
				char c;
				unsigned char key[33] = { 0 };

				close(go[1]);
				if (read(go[0], &c, 1) < 0)
					_exit(2);
				key[32] = llm_seal_key_load(path, key, &err) ?
					  1 : 0;
				_exit(write(res[1], key, 33) == 33 ? 0 : 2);
			}
		}
		close(go[0]);
		close(go[1]);	/* every child starts at once */
		close(res[1]);
		for (int k = 0; k < KIDS; k++) {
			unsigned char buf[33];

			assert_int_equal(read(res[0], buf, 33), 33);
			assert_int_equal(buf[32], 0);
			memcpy(k ? got : want, buf, 32);
			if (k)
				assert_memory_equal(want, got, 32);
		}
		close(res[0]);
		while (wait(&status) > 0)
			assert_int_equal(WEXITSTATUS(status), 0);
	}
	unlink(path);
	rmdir(dir);
}

static void test_scrub_keeps_names(void **state)
{
	struct core_buf out;
	const char *in = "user=bob password=x 203.0.113.1";

	(void)state;
	core_buf_init(&out, 4096);
	assert_int_equal(llm_pseudo_scrub(in, strlen(in), &out), 0);
	assert_string_equal(core_buf_cstr(&out),
			    "user=bob password=[REDACTED] 203.0.113.1");
	core_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_registered_and_reveal),
		cmocka_unit_test(test_registered_everywhere),
		cmocka_unit_test(test_token_shaped_text),
		cmocka_unit_test(test_prose),
		cmocka_unit_test(test_learn),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_seal),
		cmocka_unit_test(test_seal_conflict),
		cmocka_unit_test(test_seal_key_race),
		cmocka_unit_test(test_scrub_keeps_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
