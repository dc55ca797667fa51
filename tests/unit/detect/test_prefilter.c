/*
 * test_prefilter.c: the literal prefilter (src/detect/prefilter.c) never
 * hides a hit: every row runs with the prefilter on and off and must give
 * the expected answer both ways; rows also say whether the rule has a
 * literal need (else it is tested on every event).
 */
#include "detect_test.h"

#include "detect/detect_int.h"

struct row {
	const char *detection;	/* the rule's detection block */
	const char *event;	/* t_event() spec; raw is cleared */
	bool hit;
	bool always;		/* no literal need */
	const char *why;
};

static const struct row rows[] = {
	{ "  s: {user.name: root}\n  condition: s\n",
	  "user.name=ROOT", true, false, "equality, case ignored" },
	{ "  s: {user.name: root}\n  condition: s\n",
	  "user.name=alice", false, false, "literal absent" },
	{ "  s: {process.command_line|contains: ' -enc '}\n"
	  "  condition: s\n",
	  "process.command_line=powershell -ENC aGk=", true, false,
	  "contains" },
	{ "  s: {process.command_line|contains|all: [aaa, bbbbbb]}\n"
	  "  condition: s\n",
	  "process.command_line=x aaa y", false, false,
	  "|all: one literal present is not enough to hit" },
	{ "  s: {process.command_line|contains|all: [aaa, bbbbbb]}\n"
	  "  condition: s\n",
	  "process.command_line=bbbbbb aaa", true, false, "|all holds" },
	{ "  s: {process.name: 'w*32.e?e'}\n  condition: s\n",
	  "process.name=wscript32.exe", true, false,
	  "glob: its longest plain run is the literal" },
	{ "  s: {process.name|re: '^ab+c$'}\n  condition: s\n",
	  "process.name=abbbc", true, true, "re has no literal" },
	{ "  s: {user.name: root}\n  f: {host.name: web}\n"
	  "  condition: s and not f\n",
	  "user.name=root|host.name=db", true, false,
	  "and not: the positive side's literal" },
	{ "  s: {user.name: root}\n  f: {host.name: web}\n"
	  "  condition: not f\n",
	  "user.name=x|host.name=db", true, true, "not alone: no need" },
	{ "  a: {user.name: root}\n  b: {source.ip|cidr: 10.0.0.0/8}\n"
	  "  condition: a or b\n",
	  "source.ip=10.1.2.3", true, true,
	  "or with a cidr side: no need" },
	{ "  a: {user.name: root}\n  b: {host.name: mailhost}\n"
	  "  condition: 1 of them\n",
	  "host.name=mailhost", true, false, "1 of: the union" },
	{ "  s:\n    - {user.name: root, host.name: web}\n"
	  "    - {user.name: admin}\n  condition: s\n",
	  "user.name=admin", true, false,
	  "list of maps: union of the alternatives" },
	{ "  s: {user.name|exists: true}\n  condition: s\n",
	  "user.name=x", true, true, "exists: no literal" },
	{ "  s: {process.command_line|windash|contains: '-yes'}\n"
	  "  condition: s\n",
	  "process.command_line=tool /yes", true, false,
	  "windash expansions are literals each" },
	{ "  s: {process.command_line|windash|contains: '-y'}\n"
	  "  condition: s\n",
	  "process.command_line=tool /y", true, true,
	  "literals under 3 bytes give no need" },
	{ "  s: {source.port: 13, process.name: regedit.exe}\n"
	  "  condition: s\n",
	  "source.port=13|process.name=regedit.exe", true, false,
	  "a short conjunct leaves the need to a longer one" },
	{ "  s: {process.command_line|base64offset|contains: 'http'}\n"
	  "  condition: s\n",
	  "process.command_line=x aHR0cA== y", true, false,
	  "base64offset expansions" },
	{ "  keywords: [needle]\n  condition: keywords\n",
	  "message=a NEEDLE here", true, false, "keywords over message" },
	{ "  a: {user.name: rooty}\n  b: {host.name: mailhost}\n"
	  "  condition: a and b\n",
	  "user.name=rooty|host.name=mailhost", true, false,
	  "and: both clauses seen" },
	{ "  a: {user.name: rooty}\n  b: {host.name: mailhost}\n"
	  "  condition: a and b\n",
	  "user.name=rooty|host.name=web", false, false,
	  "and: one clause seen is not enough" },
	{ "  s: {user.name: rooty, host.name: mailhost}\n"
	  "  condition: s\n",
	  "host.name=mailhost|user.name=rooty", true, false,
	  "a conjunction's clauses, in any order" },
	{ "  s: {process.command_line|contains|all: [aaa, bbbbbb, cccc]}\n"
	  "  condition: s\n",
	  "process.command_line=cccc bbbbbb aaa", true, false,
	  "|all: a clause per value" },
	{ "  keywords: [needle]\n  s: {user.name: rooty}\n"
	  "  condition: keywords and s\n",
	  "message=a needle|user.name=rooty", true, false,
	  "a keyword clause and a field clause" },
	{ "  a: {user.name: rooty}\n  b: {host.name: mailhost}\n"
	  "  f: {process.name: cron}\n  condition: (a or b) and not f\n",
	  "host.name=mailhost|process.name=sshd", true, false,
	  "or under and: the union of the best clauses" },
	{ "  s: {user.name: rooty}\n  condition: s\n",
	  "user.name=x|host.name=rooty", false, false,
	  "literal in another field: candidate, but no hit" },
};

static void run_row(const struct row *r, bool pf)
{
	char yaml[2048], spec[512];
	struct t_run run = { 0 };
	struct detect_ruleset *rs = detect_ruleset_new();
	struct detect_stats st;
	struct core_event ev;

	snprintf(yaml, sizeof(yaml), "title: t\nlogsource: {product: linux, "
		 "service: auth}\ndetection:\n%s", r->detection);
	assert_non_null(rs);
	detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
	assert_int_equal(detect_ruleset_set_prefilter(rs, pf), 0);
	detect_ruleset_load_buffer(rs, "row.yml", yaml, strlen(yaml),
				   t_on_reject, &run);
	assert_int_equal(detect_ruleset_compile(rs, NULL), 0);
	if (run.nrejects)
		fail_msg("%s: refused: %s", r->why, run.reject);
	snprintf(spec, sizeof(spec), "event.dataset=linux.auth|%s",
		 r->event);
	t_event(&ev, spec, T_SEC, 1);
	ev.raw = core_str_make(NULL, 0);
	detect_match(rs, &ev, t_on_alert, &run);
	if ((run.nalerts == 1) != r->hit)
		fail_msg("%s (prefilter %s): hit %u", r->why,
			 pf ? "on" : "off", run.nalerts);
	detect_ruleset_stats(rs, &st);
	if (pf && (st.pf_always == 1) != r->always)
		fail_msg("%s: always %u", r->why, st.pf_always);
	assert_int_equal(detect_ruleset_set_prefilter(rs, pf), CORE_E_INVAL);
	detect_ruleset_free(rs);
}

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		run_row(&rows[i], true);
		run_row(&rows[i], false);
	}
}

/* Regular expressions are JIT-compiled where PCRE2 has a JIT. */
/*
 * 64 literals in CommandLine, so that the source has its own database,
 * then the YAML in tail; alerts of spec with the prefilter on or off.
 */
static void end_case(const char *source, const char *tail, const char *spec,
		     const char *want)
{
	static char yaml[4096];
	size_t n;

	n = (size_t)snprintf(yaml, sizeof(yaml), "title: filler\nlogsource: "
			     "{product: windows, %s}\ndetection:\n  s:\n"
			     "    CommandLine|contains:\n", source);
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
				      "      - qqfiller%03dxx\n", i);
	n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
			      "  condition: s\n%s", tail);
	assert_true(n < sizeof(yaml));
	for (int pf = 0; pf < 2; pf++) {
		struct detect_ruleset *rs = detect_ruleset_new();
		struct t_run run = { 0 };
		struct core_event ev;

		assert_non_null(rs);
		detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
		assert_int_equal(detect_ruleset_set_prefilter(rs, pf), 0);
		detect_ruleset_load_buffer(rs, "end.yml", yaml, n,
					   t_on_reject, &run);
		assert_int_equal(detect_ruleset_compile(rs, NULL), 0);
		assert_int_equal(run.nrejects, 0);
		t_event(&ev, spec, T_SEC, 1);
		detect_match(rs, &ev, t_on_alert, &run);
		if (run.nalerts != 1 || strcmp(run.a[0].title, want) != 0)
			fail_msg("prefilter %d: %u alerts", pf, run.nalerts);
		detect_ruleset_free(rs);
	}
}

/*
 * A literal at the very end of the scanned text, in a log source whose
 * database holds two field literals (the source is gated by its four
 * keywords): Vectorscan 5.4.9 misses such a literal unless the text is
 * padded (PF_PAD).  Both ways, with and without the prefilter, must hit.
 */
static void test_literal_at_the_end(void **state)
{
	(void)state;
	end_case("service: security",
		 "---\ntitle: kw\nlogsource: {product: windows, category: "
		 "process_creation}\ndetection:\n  keywords: [zzkeyword1, "
		 "zzkeyword2, zzkeyword3, zzkeyword4]\n  condition: keywords\n"
		 "---\ntitle: field\nlogsource: {product: windows, category: "
		 "process_creation}\ndetection:\n  s: {Description|endswith: "
		 "[abc, base]}\n  condition: s\n",
		 "Channel=Microsoft-Windows-Sysmon/Operational|EventID=1|"
		 "CommandLine=C:\\Windows\\System32\\cmd.exe /c echo a "
		 "perfectly ordinary command line|Description=base", "field");
}

/* The same for keyword literals, at the end of the raw record. */
static void test_keyword_at_the_end(void **state)
{
	(void)state;
	end_case("category: process_creation",
		 "---\ntitle: kw\nlogsource: {product: windows, category: "
		 "process_creation}\ndetection:\n  keywords: [abc, base]\n"
		 "  condition: keywords\n",
		 "Channel=Microsoft-Windows-Sysmon/Operational|EventID=1|"
		 "CommandLine=a perfectly ordinary command|Description=base",
		 "kw");
}

static void test_regex_jit(void **state)
{
	struct t_run run = { 0 };
	struct detect_ruleset *rs = t_rules(
		"title: t\nlogsource: {product: linux, service: auth}\n"
		"detection:\n  s: {user.name|re: 'x+y', host.name|re: "
		"'^[0-9]{3}$'}\n  condition: s\n",
		&run);
	struct detect_stats st;
	uint32_t jit = 0;

	(void)state;
	detect_ruleset_stats(rs, &st);
	assert_int_equal(st.regexes, 2);
	pcre2_config(PCRE2_CONFIG_JIT, &jit);
	assert_int_equal(st.regexes_jit, jit ? 2 : 0);
	detect_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_regex_jit),
		cmocka_unit_test(test_literal_at_the_end),
		cmocka_unit_test(test_keyword_at_the_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
