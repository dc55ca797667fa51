/*
 * test_config.c: vigil.yaml: what is accepted, what is refused and
 * where the error points.
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

struct row {
	const char *yaml;
	int rc;
	uint64_t line;		/* of the error */
	const char *msg;	/* part of it */
	const char *why;
};

static const struct row rows[] = {
	{ "base_url: http://127.0.0.1:11434/v1\nmodel: m\n", 0, 0, NULL,
	  "minimal" },
	{ "llm:\n  model: m\ntriage:\n  step_limit: 3\n", 0, 0, NULL,
	  "grouped keys" },
	{ "", 0, 0, NULL, "empty file: defaults" },
	{ "model: m\nprivacy: offf\n", CORE_E_PARSE, 2, "privacy is off",
	  "a typo in privacy" },
	{ "api_key: sk-123\n", CORE_E_PARSE, 1, "never goes in the file",
	  "the key itself is refused" },
	{ "retries: 99\n", CORE_E_PARSE, 1, "out of range", "bounds" },
	{ "score_floor_bound: 31\n", CORE_E_PARSE, 1, "out of range",
	  "the floor bound has a maximum" },
	{ "modle: m\n", CORE_E_PARSE, 1, "unknown key", "unknown key" },
	{ "model: [a, b]\n", CORE_E_PARSE, 1, "scalar", "not a scalar" },
	{ "- a\n- b\n", CORE_E_PARSE, 1, "one mapping", "a list" },
	{ "model: m\n  bad: : x\n", CORE_E_PARSE, 2, NULL, "bad YAML" },
	{ "timeout_ms: fast\n", CORE_E_PARSE, 1, "timeout_ms: not a number",
	  "a word where a number goes is not a range problem" },
	{ "timeout_ms: 15s\n", CORE_E_PARSE, 1, "not a number",
	  "a unit after the number" },
	{ "timeout_ms: 0\n", CORE_E_PARSE, 1, "out of range",
	  "a number out of its bounds" },
	/* Duplicates: the last one would win unseen. */
	{ "privacy: pseudonymise\nmodel: m\nprivacy: off\n", CORE_E_PARSE,
	  3, "privacy: duplicate key (first at line 1)",
	  "privacy twice at the top level" },
	{ "llm:\n  privacy: pseudonymise\ntriage:\n  privacy: off\n",
	  CORE_E_PARSE, 4, "duplicate key (first at line 2)",
	  "privacy in the llm: and the triage: group" },
	{ "privacy: off\nllm:\n  privacy: pseudonymise\n", CORE_E_PARSE,
	  3, "duplicate key", "privacy at the top level and in a group" },
	{ "base_url: http://a/v1\nendpoint: http://b/v1\n", CORE_E_PARSE,
	  2, "endpoint: duplicate key", "endpoint is base_url's alias" },
	{ "llm:\n  model: m\nllm:\n  retries: 1\n", CORE_E_PARSE, 3,
	  "llm: duplicate key", "the llm: group twice" },
	{ "model: m\nmodel: m\n", CORE_E_PARSE, 2, "duplicate",
	  "even with the same value" },
	/* base_url: a URL to a host, never a credential. */
	{ "base_url: https://api.example.com/v1\n", 0, 0, NULL, "https" },
	{ "base_url: http://[::1]:8080/v1\n", 0, 0, NULL, "IPv6 and port" },
	{ "base_url: http://127.0.0.1:11434\n", 0, 0, NULL, "no path" },
	{ "base_url: ftp://127.0.0.1/v1\n", CORE_E_PARSE, 1,
	  "http:// or https://", "another scheme" },
	{ "base_url: 127.0.0.1:8080/v1\n", CORE_E_PARSE, 1,
	  "http:// or https://", "no scheme" },
	{ "base_url: http:///v1\n", CORE_E_PARSE, 1, "no host",
	  "no host" },
	{ "model: m\nbase_url: http://admin:pw@127.0.0.1:18080/v1\n",
	  CORE_E_PARSE, 2, "key_env or key_file", "a user and password" },
	{ "base_url: http://tok@127.0.0.1/v1\n", CORE_E_PARSE, 1,
	  "user name or password", "a user alone" },
	{ "base_url: http://127.0.0.1:18080/v1?token=abc\n", CORE_E_PARSE,
	  1, "query or fragment", "a token in the query" },
	{ "base_url: http://127.0.0.1/v1#abc\n", CORE_E_PARSE, 1,
	  "query or fragment", "a fragment" },
	{ "base_url: http://127.0.0.1:99999/v1\n", CORE_E_PARSE, 1,
	  "bad port", "a port out of range" },
	{ "base_url: http://127.0.0.1:/v1\n", CORE_E_PARSE, 1, "bad port",
	  "an empty port" },
	{ "base_url: \"http://h /v1\"\n", CORE_E_PARSE, 1, "space",
	  "a space" },
};

/* Secrets a refused base_url held: none may reach the message. */
static const char *const secrets[] = { "pw", "admin", "abc", "tok@" };

static void test_rows(void **state)
{
	char path[] = "/tmp/vigil-cfg-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct llm_config cfg;
		struct core_error err = { 0 };
		FILE *f = fopen(path, "w");
		int rc;

		fputs(r->yaml, f);
		fclose(f);
		llm_config_defaults(&cfg);
		rc = llm_config_load(&cfg, path, &err);
		if (rc != r->rc || (rc && r->line && err.line != r->line) ||
		    (r->msg && !strstr(err.msg, r->msg)))
			fail_msg("%s: rc %d line %llu '%s'", r->why, rc,
				 (unsigned long long)err.line, err.msg);
		for (size_t k = 0; rc && k < 4; k++)
			if (strstr(err.msg, secrets[k]))
				fail_msg("%s: '%s' printed in '%s'", r->why,
					 secrets[k], err.msg);
	}
	unlink(path);
}

static void test_values(void **state)
{
	char path[] = "/tmp/vigil-cfg-XXXXXX";
	int fd = mkstemp(path);
	struct llm_config cfg;
	FILE *f;

	(void)state;
	close(fd);
	f = fopen(path, "w");
	fputs("base_url: http://h/v1\nmodel: m\nprivacy: none\n"
	      "timeout_ms: 1500\nkeep_ip_prefix: true\nprovider: azure\n"
	      "max_response_bytes: 4096\n", f);
	fclose(f);
	llm_config_defaults(&cfg);
	assert_int_equal(cfg.privacy, LLM_PRIVACY_PSEUDONYMISE);
	assert_int_equal(llm_config_load(&cfg, path, NULL), 0);
	assert_int_equal(cfg.timeout_ms, 1500);
	assert_int_equal(cfg.max_response_bytes, 4096);
	assert_true(cfg.keep_ip_prefix);
	assert_int_equal(cfg.provider, LLM_PROVIDER_AZURE);
	assert_false(llm_config_enabled(&cfg));	/* privacy none */
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
