/*
 * test_cond.c: Sigma conditions (src/detect/cond.c): operators,
 * precedence, parentheses and "x of" quantifiers.
 *
 * Selections a, b, c, sel1, sel2 and _hidden each test one field
 * (a=1, b=1 ...); each row gives the condition, the fields set and the
 * expected result.
 */
#include "detect_test.h"

struct row {
	const char *cond;
	const char *event;
	bool match;
	const char *why;
};

#define DS "event.dataset=linux.auth|"

static const struct row rows[] = {
	{ "a", DS "a=1", true, "one selection" },
	{ "a and b", DS "a=1", false, "and needs both" },
	{ "a and b", DS "a=1|b=1", true, "and" },
	{ "a or b", DS "b=1", true, "or" },
	{ "not a", DS "b=1", true, "not" },
	{ "not a", DS "a=1", false, "not of a hit" },
	{ "a or b and c", DS "a=1", true, "and binds tighter than or" },
	{ "a or b and c", DS "b=1", false, "b and c both needed" },
	{ "(a or b) and c", DS "a=1", false, "parentheses regroup" },
	{ "(a or b) and c", DS "a=1|c=1", true, "parentheses" },
	{ "not a and b", DS "b=1", true, "not binds tighter than and" },
	{ "not a and b", DS "a=1|b=1", false, "(not a) and b" },
	{ "not (a and b)", DS "a=1", true, "not over a group" },
	{ "1 of sel*", DS "sel2=1", true, "1 of a pattern" },
	{ "all of sel*", DS "sel2=1", false, "all of needs every one" },
	{ "all of sel*", DS "sel1=1|sel2=1", true, "all of" },
	{ "1 of them", DS "c=1", true, "them" },
	{ "1 of them", DS "_hidden=1", false, "them skips _names" },
	{ "all of them", DS "a=1|b=1|c=1|sel1=1|sel2=1", true,
	  "all of them without _hidden" },
	{ "a and not 1 of sel*", DS "a=1|sel1=1", false,
	  "not over a quantifier" },
	{ "a and not 1 of sel*", DS "a=1", true, "not 1 of" },
	{ "_hidden", DS "_hidden=1", true, "named directly it counts" },
	{ "a or b or c and not sel1", DS "c=1|sel1=1", false,
	  "long chains" },
	/* sigma-rules-specification.md, Condition: "x of" for any x. */
	{ "2 of them", DS "a=1|c=1", true, "2 of them: two hold" },
	{ "2 of them", DS "a=1|_hidden=1", false,
	  "2 of them: _hidden does not count" },
	{ "3 of them", DS "a=1|b=1", false, "3 of them: only two" },
	{ "2 of sel*", DS "sel1=1|sel2=1", true, "2 of a pattern" },
	{ "not 2 of them", DS "a=1", true, "not over N of" },
	{ "a and 1 of sel* or b", DS "b=1", true,
	  "x of binds tighter than and / or" },
};

static const char *sels =
	"  a: {a: '1'}\n  b: {b: '1'}\n  c: {c: '1'}\n  sel1: {sel1: '1'}\n"
	"  sel2: {sel2: '1'}\n  _hidden: {_hidden: '1'}\n";

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char yaml[1024];
		struct t_run run = { 0 };
		struct detect_ruleset *rs;
		struct core_event ev;

		snprintf(yaml, sizeof(yaml),
			 "title: t\nlogsource: {product: suricata}\n"
			 "detection:\n%s  condition: %s\n", sels, rows[i].cond);
		rs = t_rules(yaml, &run);
		if (run.nrejects)
			fail_msg("row %zu rejected: %s", i, run.reject);
		t_event(&ev, rows[i].event, T_SEC, 1);
		core_event_set_lit(&ev, CORE_F_EVENT_DATASET, "suricata.eve");
		detect_match(rs, &ev, t_on_alert, &run);
		if ((run.nalerts == 1) != rows[i].match)
			fail_msg("row %zu: %s: want %d", i, rows[i].why,
				 rows[i].match);
		detect_ruleset_free(rs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
