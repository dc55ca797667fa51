/*
 * test_loader.c: what the loader refuses and why (src/detect/loader.c),
 * and the metadata it keeps.
 */
#include "detect_test.h"

struct row {
	const char *yaml;
	const char *reason;	/* substring of the rejection; NULL: loads */
	const char *why;
};

#define HEAD "title: t\nlogsource: {product: linux, service: auth}\n"

static const struct row rows[] = {
	{ HEAD "detection:\n  s: {user.name|base65: x}\n"
	  "  condition: s\n", "unsupported modifier 'base65'",
	  "unknown modifiers are refused, never ignored" },
	{ HEAD "detection:\n  s: {user.name|bogus: x}\n  condition: s\n",
	  "unsupported modifier 'bogus'", "typo in a modifier" },
	{ HEAD "detection:\n  s: {Image: x}\n  condition: s\n",
	  "unknown field 'Image'", "a field the log source cannot give" },
	{ "title: t\nlogsource: {product: plan9}\ndetection:\n"
	  "  s: {a: b}\n  condition: s\n", "unknown log source",
	  "no map entry" },
	{ "title: t\nlogsource: {product: linux, service: shd}\n"
	  "detection:\n  s: {a: b}\n  condition: s\n",
	  "did you mean service=sshd?", "a typo gets the name it missed" },
	{ "title: t\nlogsource: {product: lunix, service: sshd}\n"
	  "detection:\n  s: {a: b}\n  condition: s\n",
	  "did you mean product=linux?", "in the product too" },
	{ HEAD "detection:\n  s: {user.name: x}\n  condition: s and\n",
	  "condition syntax error", "dangling operator" },
	{ HEAD "detection:\n  s: {user.name: x}\n  condition: (s\n",
	  "expected ')'", "unbalanced parenthesis" },
	{ HEAD "detection:\n  s: {user.name: x}\n  condition: y\n",
	  "unknown selection 'y'", "undefined selection" },
	{ HEAD "detection:\n  s: {user.name: x}\n  condition: 1 of z*\n",
	  "unknown selection 'z*'", "pattern naming nothing" },
	{ HEAD "detection:\n  s: {user.name: x}\n"
	  "  condition: s | count() > 5\n", "aggregation",
	  "old aggregation syntax" },
	{ HEAD "detection:\n  s: {user.name|re: '(' }\n  condition: s\n",
	  "bad regular expression", "regex that does not compile" },
	{ HEAD "detection:\n  s: {source.ip|cidr: 10.0.0.0/99}\n"
	  "  condition: s\n", "bad cidr", "bad network" },
	{ HEAD "detection:\n  s: {source.port|gt: abc}\n  condition: s\n",
	  "not an integer", "numeric modifier needs a number" },
	{ HEAD "detection:\n  s: {user.name|contains|startswith: x}\n"
	  "  condition: s\n", "conflicting modifiers", "two positions" },
	{ "logsource: {product: linux}\ndetection:\n  s: [x]\n"
	  "  condition: s\n", "missing title", "title is mandatory" },
	{ HEAD "detection:\n  s: {user.name: x}\n", "no condition",
	  "condition is mandatory" },
	{ HEAD "level: severe\ndetection:\n  s: [x]\n  condition: s\n",
	  "unknown level", "level outside the five" },
	{ "title: c\ncorrelation:\n  type: value_sum\n  rules: [a]\n"
	  "  timespan: 1m\n", "needs condition.field",
	  "value_sum sums a field (correlation spec, Value Sum)" },
	{ "title: c\ncorrelation:\n  type: value_max\n  rules: [a]\n"
	  "  timespan: 1m\n", "unsupported correlation type",
	  "a type the specification does not define" },
	{ "title: c\ncorrelation:\n  type: event_count\n  rules: [a]\n"
	  "  timespan: 1x\n  condition: {gte: 2}\n", "bad timespan",
	  "unit must be s m h d" },
	{ "title: c\ncorrelation:\n  type: value_count\n  rules: [a]\n"
	  "  timespan: 1m\n  condition: {gte: 2}\n", "condition.field",
	  "value_count needs a field" },
	{ "title: c\ncorrelation:\n  type: event_count\n  rules: [nope]\n"
	  "  timespan: 1m\n  condition: {gte: 2}\n", "unknown rule 'nope'",
	  "unresolved reference (found at compile)" },
	{ "title: c\ncorrelation:\n  type: event_count\n  rules: [a]\n"
	  "  timespan: 1m\n  condition: {lt: 2}\n", "unknown rule 'a'",
	  "lt loads (closed window); the reference is still checked" },
	{ "a: [unclosed\n", "YAML error", "syntax error in the file" },
	{ HEAD "detection:\n  s: {user.name: x}\n  condition: s\n", NULL,
	  "a good rule loads" },
	{ HEAD "detection:\n  s: [foo, bar]\n  condition: s\n", NULL,
	  "keyword list" },
	{ HEAD "detection:\n  s:\n    - {user.name: x}\n    - {host.name: y}\n"
	  "  condition: s\n", NULL, "list of maps" },
};

static void test_rejections(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct t_run run = { 0 };
		struct detect_ruleset *rs = t_rules(rows[i].yaml, &run);

		if (rows[i].reason == NULL && run.nrejects)
			fail_msg("row %zu (%s): %s", i, rows[i].why,
				 run.reject);
		if (rows[i].reason != NULL &&
		    (run.nrejects == 0 || !strstr(run.reject, rows[i].reason)))
			fail_msg("row %zu (%s): got '%s'", i, rows[i].why,
				 run.reject);
		detect_ruleset_free(rs);
	}
}

static void test_reject_names_file_and_line(void **state)
{
	struct t_run run = { 0 };
	struct detect_ruleset *rs = t_rules(
		HEAD "detection:\n  s: {user.name: x}\n  condition: s\n"
		"---\n" HEAD "detection:\n  s:\n    user.name|nope: x\n"
		"  condition: s\n---\n" HEAD
		"detection:\n  s: {host.name: y}\n  condition: s\n", &run);

	(void)state;
	assert_int_equal(run.nrejects, 1);
	assert_non_null(strstr(run.reject, "snippet.yml:11:"));
	assert_int_equal(detect_ruleset_count(rs), 2);
	detect_ruleset_free(rs);
}

static void on_warn(const struct core_error *why, void *ud)
{
	t_on_reject(why, ud);
}

/* An undefined placeholder loads the rule, with a warning that names
 * the placeholder, the rule's file and line, and the file to edit. */
static void test_undefined_placeholder_warns(void **state)
{
	static const char yaml[] = HEAD "detection:\n  s:\n"
		"    user.name|expand: '%no_such_ph%'\n  condition: s\n";
	struct t_run rej = { 0 }, warn = { 0 };
	struct detect_ruleset *rs = detect_ruleset_new();

	(void)state;
	assert_non_null(rs);
	assert_int_equal(detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data"),
			 0);
	detect_ruleset_set_warn(rs, on_warn, &warn);
	assert_int_equal(detect_ruleset_load_buffer(rs, "snippet.yml", yaml,
						    strlen(yaml), t_on_reject,
						    &rej), 1);
	assert_int_equal(detect_ruleset_compile(rs, NULL), 0);
	assert_int_equal(rej.nrejects, 0);
	assert_int_equal(detect_ruleset_count(rs), 1);
	assert_int_equal(warn.nrejects, 1);
	assert_int_equal(detect_ruleset_warnings(rs), 1);
	assert_non_null(strstr(warn.reject, "snippet.yml:5:"));
	assert_non_null(strstr(warn.reject, "%no_such_ph%"));
	assert_non_null(strstr(warn.reject, "data/placeholders.yml"));
	detect_ruleset_free(rs);
}

/*
 * A field the events of a Windows category never carry (a typo, or a
 * name only some EDR adds) loads with one warning naming it and its
 * line; the names Sysmon 1 and Security 4688 give load silently.
 */
static void test_unknown_windows_field_warns(void **state)
{
	static const struct {
		const char *field;
		int warnings;
		const char *why;
	} cases[] = {
		{ "CommandLyne", 1, "a typo of CommandLine" },
		{ "CommandLine", 0, "Sysmon 1 and 4688 carry it" },
		{ "NewProcessName", 0, "4688 carries it" },
		{ "ParentUser", 0, "Sysmon 1 carries it" },
		{ "Channel", 0, "a System field" },
		{ "process.command_line", 0, "an ECS name" },
	};

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(cases); i++) {
		char yaml[512];
		struct t_run rej = { 0 }, warn = { 0 };
		struct detect_ruleset *rs = detect_ruleset_new();

		snprintf(yaml, sizeof(yaml), "title: t\nlogsource:\n"
			 "  product: windows\n  category: process_creation\n"
			 "detection:\n  s:\n    %s|contains: x\n"
			 "  condition: s\n", cases[i].field);
		assert_int_equal(detect_ruleset_set_datadir(rs,
			TEST_SRCDIR "/data"), 0);
		detect_ruleset_set_warn(rs, on_warn, &warn);
		assert_int_equal(detect_ruleset_load_buffer(rs, "w.yml", yaml,
			strlen(yaml), t_on_reject, &rej), 1);
		assert_int_equal(rej.nrejects, 0);
		if ((int)warn.nrejects != cases[i].warnings)
			fail_msg("%s: %u warnings", cases[i].why,
				 (unsigned)warn.nrejects);
		if (cases[i].warnings)
			assert_non_null(strstr(warn.reject, "w.yml:7:"));
		detect_ruleset_free(rs);
	}
}

static void on_info(const struct detect_alert *a, void *ud)
{
	*(const struct detect_rule_info **)ud = a->rule;
}

static void test_metadata_kept(void **state)
{
	const struct detect_rule_info *in = NULL;
	struct t_run run = { 0 };
	struct detect_ruleset *rs = t_rules(
		"title: T\nid: 0b6c1f3e-2a4d-4e8f-9c71-5d2e8a1b3c4d\nname: n\n"
		"status: test\nlevel: high\ndescription: D\n"
		"tags: [attack.credential_access, attack.t1110.001]\n"
		"references: [https://example.org/x]\n"
		"falsepositives: [none]\n"
		"logsource: {product: linux, service: auth}\n"
		"detection:\n  s: {user.name: x}\n  condition: s\n", &run);
	struct core_event ev;

	(void)state;
	t_event(&ev, "event.dataset=linux.auth|user.name=x", T_SEC, 1);
	detect_match(rs, &ev, on_info, &in);
	assert_non_null(in);
	assert_string_equal(in->title, "T");
	assert_string_equal(in->name, "n");
	assert_string_equal(in->status, "test");
	assert_int_equal(in->level, DETECT_LEVEL_HIGH);
	assert_int_equal(in->ntags, 2);
	assert_int_equal(in->nreferences, 1);
	assert_int_equal(in->nfalsepositives, 1);
	assert_int_equal(in->line, 1);
	assert_string_equal(in->tags[0], "attack.credential_access");
	assert_string_equal(in->tags[1], "attack.t1110.001");
	detect_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_reject_names_file_and_line),
		cmocka_unit_test(test_undefined_placeholder_warns),
		cmocka_unit_test(test_unknown_windows_field_warns),
		cmocka_unit_test(test_metadata_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
