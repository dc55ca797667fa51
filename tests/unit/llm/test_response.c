/*
 * test_response.c: chat-completions answers as documents and as
 * server-sent event streams, well-formed and not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "llm/llm.h"

/* A document, whether it parses, what it holds, and why. */
struct doc_case {
	const char *in;
	int rc;
	const char *content;	/* NULL: none expected */
	size_t calls;
	const char *why;
};

static const struct doc_case docs[] = {
	{ "{\"choices\":[{\"message\":{\"content\":\"hi\"},"
	  "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,"
	  "\"completion_tokens\":1}}", 0, "hi", 0, "plain answer" },
	{ "{\"choices\":[{\"message\":{\"content\":null,\"tool_calls\":[{"
	  "\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
	  "\"arguments\":\"{\\\"a\\\":1}\"}}]}}]}", 0, NULL, 1,
	  "tool call with null content" },
	{ "{\"choices\":[{\"message\":{\"tool_calls\":[{\"function\":{"
	  "\"name\":\"f\",\"arguments\":{\"a\":1}}}]}}]}", 0, NULL, 1,
	  "arguments as an object, no id" },
	{ "{\"error\":{\"message\":\"quota\"}}", CORE_E_PARSE, NULL, 0,
	  "server error object" },
	{ "{\"choices\":[]}", CORE_E_PARSE, NULL, 0, "no choices" },
	{ "{\"choices\":[{\"message\":{\"content\":7}}]}", CORE_E_PARSE,
	  NULL, 0, "content of the wrong type" },
	{ "{\"choices\":[{\"message\":{\"tool_calls\":[{\"function\":{}}]}}]}",
	  CORE_E_PARSE, NULL, 0, "tool call without a name" },
	{ "[1,2]", CORE_E_PARSE, NULL, 0, "not an object" },
	{ "{\"choices\":[{\"message\":{\"content\":\"x\"", CORE_E_PARSE,
	  NULL, 0, "cut short" },
	{ "", CORE_E_PARSE, NULL, 0, "empty" },
};

static void test_documents(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		const struct doc_case *c = &docs[i];
		struct llm_response r;
		struct core_error err = { 0 };
		int rc = llm_response_parse(c->in, strlen(c->in), &r, &err);

		if (rc != c->rc)
			fail_msg("%s: rc %d want %d (%s)", c->why, rc, c->rc,
				 err.msg);
		bool same = c->content ? r.content &&
			    !strcmp(r.content, c->content) : !r.content;

		if (rc == 0 && !same)
			fail_msg("%s: content", c->why);
		if (rc == 0 && r.ntool_calls != c->calls)
			fail_msg("%s: %zu calls", c->why, r.ntool_calls);
		llm_response_free(&r);
	}
}

static void test_many_calls_are_cut(void **state)
{
	char doc[8192];
	size_t o;
	struct llm_response r;

	(void)state;
	o = (size_t)snprintf(doc, sizeof(doc),
			     "{\"choices\":[{\"message\":{\"tool_calls\":[");
	for (int i = 0; i < 20; i++)
		o += (size_t)snprintf(doc + o, sizeof(doc) - o,
				      "%s{\"function\":{\"name\":\"f\"}}",
				      i ? "," : "");
	snprintf(doc + o, sizeof(doc) - o, "]}}]}");
	assert_int_equal(llm_response_parse(doc, strlen(doc), &r, NULL), 0);
	assert_int_equal(r.ntool_calls, LLM_MAX_TOOL_CALLS);
	assert_true(r.tool_calls_cut);
	llm_response_free(&r);
}

static size_t deltas;

static void on_delta(const char *p, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	deltas += n;
}

static const char stream[] =
	": keep-alive\r\n\r\n"
	"data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\r\n\r\n"
	"data:{\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n"
	"event: x\nid: 3\n"
	"data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
	"\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\"}}"
	"]}}]}\n\n"
	"data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
	"\"function\":{\"arguments\":\"\\\":1}\"}}]},\"finish_reason\":"
	"\"tool_calls\"}]}\n\n"
	"data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,"
	"\"completion_tokens\":2}}\n\n"
	"data: [DONE]\n\n";

/* The same stream fed in every split must give the same answer. */
static void test_sse_any_split(void **state)
{
	(void)state;
	for (size_t step = 1; step <= 64; step *= 2) {
		struct llm_sse *s = llm_sse_new(1 << 16, on_delta, NULL);
		struct llm_response r;
		size_t n = strlen(stream);

		deltas = 0;
		for (size_t i = 0; i < n; i += step)
			assert_int_equal(llm_sse_feed(s, stream + i,
					 CORE_MIN(step, n - i), NULL), 0);
		assert_int_equal(llm_sse_finish(s, &r, NULL), 0);
		assert_string_equal(r.content, "Hello");
		assert_int_equal(deltas, 5);
		assert_int_equal(r.ntool_calls, 1);
		assert_string_equal(r.tool_calls[0].arguments, "{\"a\":1}");
		assert_string_equal(r.finish_reason, "tool_calls");
		assert_true(r.usage_known);
		assert_int_equal(r.prompt_tokens, 5);
		llm_response_free(&r);
		llm_sse_free(s);
	}
}

static void test_sse_bad(void **state)
{
	struct llm_sse *s = llm_sse_new(64, NULL, NULL);
	struct llm_response r;
	char big[200];

	(void)state;
	assert_int_equal(llm_sse_feed(s, "data: {nope\n", 12, NULL),
			 CORE_E_PARSE);
	llm_sse_free(s);
	s = llm_sse_new(64, NULL, NULL);
	memset(big, 'a', sizeof(big));
	assert_int_equal(llm_sse_feed(s, big, sizeof(big), NULL),
			 CORE_E_TOOBIG);
	llm_sse_free(s);
	s = llm_sse_new(64, NULL, NULL);
	assert_int_equal(llm_sse_finish(s, &r, NULL), CORE_E_PARSE);
	llm_sse_free(s);
}

static void test_extract_and_estimate(void **state)
{
	struct core_str o;
	const char *t = "Sure! ```json\n{\"a\":\"}\",\"b\":{}}\n``` done";

	(void)state;
	assert_true(llm_json_extract(t, strlen(t), &o));
	assert_true(core_str_eq_lit(o, "{\"a\":\"}\",\"b\":{}}"));
	assert_false(llm_json_extract("no json", 7, &o));
	assert_false(llm_json_extract("{\"a\":", 5, &o));
	assert_int_equal(llm_token_estimate("abcd", 4), 1);
	assert_int_equal(llm_token_estimate("abcde", 5), 2);
	assert_int_equal(llm_token_estimate("\xe5\xbf\xbd\xe7\x95\xa5", 6),
			 2);
}

static void test_request_body(void **state)
{
	struct llm_config cfg;
	struct llm_chat *c = llm_chat_new();
	struct core_buf b;
	struct llm_chat_opts o = { .schema = "{\"type\":\"object\"}",
				   .schema_name = "v" };

	(void)state;
	llm_config_defaults(&cfg);
	snprintf(cfg.model, sizeof(cfg.model), "m");
	core_buf_init(&b, 1 << 16);
	llm_chat_add(c, LLM_ROLE_SYSTEM, "s");
	llm_chat_add_tool_result(c, "c1", "r");
	assert_int_equal(llm_request_json(&cfg, c, &o, true, &b), 0);
	assert_non_null(strstr(core_buf_cstr(&b), "\"json_schema\""));
	assert_non_null(strstr(core_buf_cstr(&b), "\"tool_call_id\":\"c1\""));
	core_buf_reset(&b);
	assert_int_equal(llm_request_json(&cfg, c, &o, false, &b), 0);
	assert_null(strstr(core_buf_cstr(&b), "response_format"));
	core_buf_free(&b);
	llm_chat_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_many_calls_are_cut),
		cmocka_unit_test(test_sse_any_split),
		cmocka_unit_test(test_sse_bad),
		cmocka_unit_test(test_extract_and_estimate),
		cmocka_unit_test(test_request_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
