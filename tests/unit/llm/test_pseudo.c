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
	{ "Accepted publickey for carol from 10.0.0.1",
	  "Accepted publickey for USER-1 from IP-PRIV-1",
	  "a user after 'for'" },
	{ "pam_unix(sshd:auth): ruser= rhost=x user=dave",
	  "pam_unix(sshd:auth): ruser= rhost=x user=USER-1", "user= key" },
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
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_seal),
		cmocka_unit_test(test_scrub_keeps_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
