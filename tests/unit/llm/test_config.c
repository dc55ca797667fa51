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
};

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
