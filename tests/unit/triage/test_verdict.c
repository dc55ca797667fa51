/*
 * test_verdict.c: the deterministic floor and the answer check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "triage/triage_int.h"

#define M TRIAGE_MALICIOUS
#define S TRIAGE_SUSPICIOUS
#define B TRIAGE_BENIGN
#define F TRIAGE_FALSE_POSITIVE

struct floor_row {
	unsigned score;
	int level;
	bool injection;
	unsigned bound;
	enum triage_verdict proposed;
	int proposed_score;
	enum triage_verdict want;
	unsigned want_score;
	bool analyst;
	const char *why;
};

static const struct floor_row rows[] = {
	{ 100, 4, false, 15, M, 100, M, 100, false, "agreement" },
	{ 100, 4, false, 15, B, 0, M, 85, true,
	  "critical hit: not silenced, score within bound" },
	{ 70, 3, false, 15, F, 10, M, 65, true,
	  "high hit: stays high (65) even when the bound allows 55" },
	{ 47, 2, false, 15, F, 0, F, 32, false,
	  "medium hit: the model may clear it, score by 15 at most" },
	{ 47, 2, false, 15, M, 90, M, 90, false, "raising is free" },
	{ 47, 2, true, 15, B, 0, S, 47, true,
	  "instruction-like text: no lowering below deterministic" },
	{ 30, 1, false, 0, B, 0, B, 30, false, "bound 0: score fixed" },
	{ 30, 1, false, 99, B, 0, B, 0, false,
	  "bound above the maximum is capped at 30" },
	{ 10, 0, false, 15, S, -1, S, 10, false, "no proposed score" },
};

static void test_floor(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct floor_row *r = &rows[i];
		struct triage_floor_in in = {
			r->score, r->level, r->injection, r->bound,
			r->proposed, r->proposed_score,
		};
		struct triage_floor_out out;

		triage_floor(&in, &out);
		if (out.verdict != r->want || out.score != r->want_score ||
		    out.needs_analyst != r->analyst)
			fail_msg("%s: got %s %u %d", r->why,
				 triage_verdict_name(out.verdict), out.score,
				 out.needs_analyst);
	}
}

struct answer_row {
	const char *text;
	int rc;
	const char *why;
};

#define OK_FIELDS "\"confidence\":0.7,\"score\":50,\"explanation\":\"x\"," \
	"\"actions\":[]"

static const struct answer_row answers[] = {
	{ "{\"verdict\":\"malicious\"," OK_FIELDS ",\"evidence\":[\"L2\"]}",
	  0, "valid" },
	{ "Here you go: {\"verdict\":\"benign\"," OK_FIELDS
	  ",\"evidence\":[\"L1\"]} thanks", 0, "JSON inside prose" },
	{ "{\"verdict\":\"malicious\"," OK_FIELDS ",\"evidence\":[\"L9\"]}",
	  CORE_E_PARSE, "evidence id not in the pack" },
	{ "{\"verdict\":\"malicious\"," OK_FIELDS ",\"evidence\":[]}",
	  CORE_E_PARSE, "no evidence cited" },
	{ "{\"verdict\":\"pwned\"," OK_FIELDS ",\"evidence\":[\"L1\"]}",
	  CORE_E_PARSE, "verdict outside the enum" },
	{ "{\"verdict\":\"malicious\"," OK_FIELDS ",\"evidence\":[\"L1\"],"
	  "\"run\":\"rm -rf\"}", CORE_E_PARSE, "extra property" },
	{ "no json at all", CORE_E_PARSE, "prose only" },
	{ "{\"verdict\":\"mal", CORE_E_PARSE, "cut short" },
};

static void test_answers(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		struct triage_answer a;
		struct core_error err = { 0 };
		int rc = triage_answer_parse(answers[i].text,
					     strlen(answers[i].text), 3, &a,
					     &err);

		if (rc != answers[i].rc)
			fail_msg("%s: rc %d (%s)", answers[i].why, rc,
				 err.msg);
		triage_answer_free(&a);
	}
}

/* What the model wrote, what the incident sent it, and what comes back. */
struct reveal_row {
	const char *text;
	const char *sent;
	const char *want;
	const char *foreign;
	unsigned nforeign;
	const char *why;
};

static const struct reveal_row reveals[] = {
	{ "Source IP-PRIV-4 failed", "{\"ip\":\"IP-PRIV-4\"}",
	  "Source 10.0.0.5 failed", "", 0, "this incident's token" },
	{ "Source IP-PUB-3 and IP-PUB-6 and USER-1", "\"IP-PRIV-4\"",
	  "Source IP-PUB-3 and IP-PUB-6 and USER-1",
	  "IP-PUB-3, IP-PUB-6, USER-1", 3,
	  "other incidents' tokens stay as written" },
	{ "IP-PUB-3, IP-PUB-3 and IP-PUB-1", "IP-PUB-1 IP-PUB-12",
	  "IP-PUB-3, IP-PUB-3 and 192.0.2.150", "IP-PUB-3", 1,
	  "a foreign token is named once" },
	{ "IP-PUB-12 then IP-PUB-1", "x IP-PUB-1x IP-PUB-12",
	  "IP-PUB-12 then IP-PUB-1", "IP-PUB-1", 1,
	  "a token counts only whole in what was sent" },
	{ "USER-7 logged in", "USER-7", "USER-7 logged in", "", 0,
	  "sent but unknown to the map: as written, not foreign" },
	{ "HOST-99 and DOMAIN-2x", "", "HOST-99 and DOMAIN-2x", "HOST-99", 1,
	  "an invented token is foreign; DOMAIN-2x is no token" },
	{ "XUSER-1 IP-PUBLIC-1", "USER-1", "XUSER-1 IP-PUBLIC-1", "", 0,
	  "no token inside a word or of another shape" },
	{ "Block USER-1.", "USER-1", "Block deploy.", "", 0,
	  "punctuation after a token" },
};

static void test_reveal(void **state)
{
	struct llm_pseudo *p = llm_pseudo_new(false, true);
	struct core_buf out, foreign, tok;
	static const struct { enum llm_pseudo_kind k; const char *v; } map[] = {
		{ LLM_PK_IP, "192.0.2.150" },	/* IP-PUB-1 */
		{ LLM_PK_IP, "203.0.113.52" },	/* IP-PUB-2 */
		{ LLM_PK_IP, "203.0.113.9" },	/* IP-PUB-3 */
		{ LLM_PK_IP, "10.0.0.5" },	/* IP-PRIV-4 */
		{ LLM_PK_USER, "deploy" },	/* USER-1 */
	};

	(void)state;
	assert_non_null(p);
	core_buf_init(&tok, 256);
	for (size_t i = 0; i < CORE_ARRAY_LEN(map); i++)
		assert_int_equal(llm_pseudo_token(p, map[i].k, map[i].v,
						  strlen(map[i].v), &tok), 0);
	assert_string_equal(core_buf_cstr(&tok),
			    "IP-PUB-1IP-PUB-2IP-PUB-3IP-PRIV-4USER-1");
	core_buf_init(&out, 4096);
	core_buf_init(&foreign, 4096);
	for (size_t i = 0; i < CORE_ARRAY_LEN(reveals); i++) {
		const struct reveal_row *r = &reveals[i];
		unsigned n = 0;

		core_buf_reset(&out);
		core_buf_reset(&foreign);
		assert_int_equal(triage_reveal(p, r->text, strlen(r->text),
					       core_str_make(r->sent,
							     strlen(r->sent)),
					       &out, &foreign, &n), 0);
		if (strcmp(core_buf_cstr(&out), r->want) ||
		    strcmp(core_buf_cstr(&foreign), r->foreign) ||
		    n != r->nforeign)
			fail_msg("%s: got '%s', foreign '%s' (%u)", r->why,
				 core_buf_cstr(&out), core_buf_cstr(&foreign),
				 n);
	}
	core_buf_free(&tok);
	core_buf_free(&out);
	core_buf_free(&foreign);
	llm_pseudo_free(p);
}

static void test_schema_is_valid_json_schema_subset(void **state)
{
	/* The schema validates an answer that uses every field. */
	const char *a = "{\"verdict\":\"suspicious\",\"confidence\":1,"
			"\"score\":0,\"explanation\":\"e\",\"evidence\":"
			"[\"L1\"],\"actions\":[\"a\"]}";

	assert_int_equal(llm_schema_validate(triage_answer_schema, a,
					     strlen(a), NULL), 0);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floor),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_reveal),
		cmocka_unit_test(test_schema_is_valid_json_schema_subset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
