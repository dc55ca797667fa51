/*
 * test_schema.c: the JSON Schema subset, row by row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "llm/llm.h"

static const char schema[] =
	"{\"type\":\"object\",\"additionalProperties\":false,"
	"\"required\":[\"v\",\"c\"],\"properties\":{"
	"\"v\":{\"type\":\"string\",\"enum\":[\"a\",\"b\"]},"
	"\"c\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1},"
	"\"n\":{\"type\":\"integer\"},"
	"\"s\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":3},"
	"\"l\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":2,"
	"\"items\":{\"type\":\"string\"}}}}";

struct row {
	const char *json;
	int rc;
	const char *msg;	/* part of the message, or NULL */
	const char *why;
};

static const struct row rows[] = {
	{ "{\"v\":\"a\",\"c\":0.5}", 0, NULL, "minimal valid" },
	{ "{\"v\":\"a\",\"c\":1,\"n\":3,\"s\":\"abc\",\"l\":[\"x\"]}", 0,
	  NULL, "all fields at their bounds" },
	{ "{\"c\":0.5}", CORE_E_PARSE, "missing required 'v'",
	  "required field missing" },
	{ "{\"v\":\"z\",\"c\":0.5}", CORE_E_PARSE, "$.v: value not in enum",
	  "enum" },
	{ "{\"v\":\"a\",\"c\":7}", CORE_E_PARSE, "$.c: above maximum",
	  "maximum" },
	{ "{\"v\":\"a\",\"c\":-1}", CORE_E_PARSE, "below minimum",
	  "minimum" },
	{ "{\"v\":\"a\",\"c\":\"1\"}", CORE_E_PARSE, "expected number",
	  "number as a string" },
	{ "{\"v\":\"a\",\"c\":0,\"n\":1.5}", CORE_E_PARSE,
	  "expected integer", "integer" },
	{ "{\"v\":\"a\",\"c\":0,\"x\":1}", CORE_E_PARSE,
	  "property not allowed", "additionalProperties false" },
	{ "{\"v\":\"a\",\"c\":0,\"s\":\"\"}", CORE_E_PARSE, "too short",
	  "minLength" },
	{ "{\"v\":\"a\",\"c\":0,\"s\":\"\xc3\xa4\xc3\xa4\xc3\xa4\"}", 0,
	  NULL, "maxLength counts characters, not bytes" },
	{ "{\"v\":\"a\",\"c\":0,\"l\":[]}", CORE_E_PARSE, "too few",
	  "minItems" },
	{ "{\"v\":\"a\",\"c\":0,\"l\":[\"a\",\"b\",\"c\"]}", CORE_E_PARSE,
	  "too many", "maxItems" },
	{ "{\"v\":\"a\",\"c\":0,\"l\":[1]}", CORE_E_PARSE, "$.l[0]",
	  "item type, with its path" },
	{ "[]", CORE_E_PARSE, "expected object", "not an object" },
	{ "{\"v\":", CORE_E_PARSE, "not valid JSON", "broken JSON" },
};

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct core_error err = { 0 };
		int rc = llm_schema_validate(schema, rows[i].json,
					     strlen(rows[i].json), &err);

		if (rc != rows[i].rc)
			fail_msg("%s: rc %d (%s)", rows[i].why, rc, err.msg);
		if (rows[i].msg && !strstr(err.msg, rows[i].msg))
			fail_msg("%s: message '%s'", rows[i].why, err.msg);
	}
}

static void test_deep_nesting(void **state)
{
	char deep[400];
	const char *s = "{\"type\":\"object\",\"properties\":{\"a\":"
			"{\"type\":\"object\"}}}";
	size_t o = 0;

	(void)state;
	for (int i = 0; i < 100; i++)
		deep[o++] = '[';
	for (int i = 0; i < 100; i++)
		deep[o++] = ']';
	assert_int_equal(llm_schema_validate(s, deep, o, NULL), CORE_E_PARSE);
	assert_int_equal(llm_schema_validate("{", "{}", 2, NULL), CORE_E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_deep_nesting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
