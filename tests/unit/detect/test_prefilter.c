/*
 * test_prefilter.c: the literal prefilter (src/detect/prefilter.c) never
 * hides a hit: every row runs with the prefilter on and off and must give
 * the expected answer both ways; rows also say whether the rule has a
 * literal need (else it is tested on every event).  A value a field must
 * equal is a need of its own kind, looked up whole, even in a log source
 * too small to scan (test_exact_ungated).  Keywords over a lazily
 * rendered record: test_prefilter_raw.c.
 */
#include "detect_test.h"

#include "detect/detect_int.h"

#include <stdlib.h>

struct row {
	const char *detection;	/* the rule's detection block */
	const char *event;	/* t_event() spec; raw is cleared */
	bool hit;
	bool always;		/* no literal need */
	const char *why;
};

#define SEC4688 "Channel=Security|EventID=4688|"
#define WHOAMI "C:\\Windows\\System32\\whoami.exe"

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
	/* Exact values: a field's whole value, looked up. */
	{ "  s: {source.port: 29}\n  condition: s\n",
	  "source.port=29", true, false,
	  "a 2-digit equality is a need, and hits" },
	{ "  s: {source.port: 29}\n  condition: s\n",
	  "source.port=290", false, false, "equality: a longer value" },
	{ "  s: {source.port: 29}\n  condition: s\n",
	  "source.port=2", false, false, "equality: a shorter value" },
	{ "  s: {source.port: 29}\n  condition: s\n",
	  "process.pid=29|source.port=30", false, false,
	  "equality: the value only in another field" },
	{ "  s: {source.port: 29}\n  condition: s\n",
	  "process.pid=29", false, false,
	  "equality: the field absent, the value in another" },
	{ "  s: {user.name: ab}\n  condition: s\n",
	  "user.name=AB", true, false, "a short equality, case ignored" },
	{ "  s: {user.name: WhoAmI.exe}\n  condition: s\n",
	  "user.name=wHOaMi.EXE", true, false, "equality, mixed case" },
	{ "  s: {user.name|cased: Admin}\n  condition: s\n",
	  "user.name=Admin", true, false, "a cased equality" },
	{ "  s: {user.name|cased: Admin}\n  condition: s\n",
	  "user.name=admin", false, false,
	  "a cased equality: a candidate, no hit" },
	{ "  s: {user.name: [ab, cd, ef]}\n  condition: s\n",
	  "user.name=Cd", true, false, "a list of equalities" },
	{ "  s: {user.name: ''}\n  condition: s\n",
	  "user.name=", true, false, "equal to the empty string" },
	{ "  s: {user.name: 'a\\*b'}\n  condition: s\n",
	  "user.name=A*B", true, false,
	  "an escaped wildcard in an equality" },
	{ "  a: {user.name: ab}\n"
	  "  b: {process.command_line|contains: mimikatz}\n"
	  "  condition: a or b\n",
	  "process.command_line=run MIMIKATZ now", true, false,
	  "equality or contains: the union (the contains side)" },
	{ "  a: {user.name: ab}\n"
	  "  b: {process.command_line|contains: mimikatz}\n"
	  "  condition: a or b\n",
	  "user.name=ab|process.command_line=x", true, false,
	  "equality or contains: the union (the equality side)" },
	{ "  a: {user.name: ab}\n"
	  "  b: {process.command_line|contains: mimikatz}\n"
	  "  condition: a or b\n",
	  "user.name=abc|process.command_line=ab mimi", false, false,
	  "equality or contains: neither" },
	{ "  s:\n    - {user.name: ab}\n"
	  "    - {process.command_line|contains: mimikatz}\n"
	  "  condition: s\n",
	  "user.name=AB", true, false,
	  "a list of maps: an equality or a contains" },
	{ "  s: {user.name: ab, process.command_line|contains: mimikatz}\n"
	  "  condition: s\n",
	  "user.name=ab|process.command_line=mimikatz", true, false,
	  "an equality and a contains" },
	{ "  s: {user.name: ab, process.command_line|contains: mimikatz}\n"
	  "  condition: s\n",
	  "user.name=ab1|process.command_line=mimikatz", false, false,
	  "an equality and a contains: the equality fails" },
	{ "  s: {user.name: ab}\n  f: {host.name: db}\n"
	  "  condition: s and not f\n",
	  "user.name=ab|host.name=web", true, false,
	  "an equality and not another" },
	{ "  s: {user.name|re: '^ab$'}\n  condition: s\n",
	  "user.name=ab", true, true, "re is never an equality" },
};

/* The same in Windows process creation, whose Image reads Image, else
 * (Security 4688) NewProcessName. */
static const struct row pc_rows[] = {
	{ "  s: {Image: '" WHOAMI "'}\n  condition: s\n",
	  SEC4688 "NewProcessName=c:\\windows\\SYSTEM32\\WhoAmI.exe",
	  true, false, "equality on a field's alternate" },
	{ "  s: {Image: '" WHOAMI "'}\n  condition: s\n",
	  "Channel=Microsoft-Windows-Sysmon/Operational|EventID=1|"
	  "Image=" WHOAMI, true, false,
	  "equality on a field with alternates: the first" },
	{ "  s: {Image: '" WHOAMI "'}\n  condition: s\n",
	  SEC4688 "Image=C:\\x.exe|NewProcessName=" WHOAMI, false, false,
	  "an alternate is read only when the first field is absent" },
	{ "  s: {Image: '" WHOAMI "'}\n  condition: s\n",
	  SEC4688 "NewProcessName=C:\\cmd.exe|CommandLine=" WHOAMI, false,
	  false, "the value in another field than the alternates" },
	{ "  s: {EventID: 4688, Image|endswith: '\\whoami.exe'}\n"
	  "  condition: s\n",
	  SEC4688 "NewProcessName=" WHOAMI, true, false,
	  "an event id and an alternate's suffix" },
};

#define PC "product: windows, category: process_creation"

/* Runs row r in log source src (NULL: linux auth, whose event.dataset
 * the event is given). */
static void run_row(const struct row *r, bool pf, const char *src)
{
	char yaml[2048], spec[512];
	struct t_run run = { 0 };
	struct detect_ruleset *rs = detect_ruleset_new();
	struct detect_stats st;
	struct core_event ev;

	snprintf(yaml, sizeof(yaml), "title: t\nlogsource: {%s}\n"
		 "detection:\n%s",
		 src ? src : "product: linux, service: auth",
		 r->detection);
	assert_non_null(rs);
	detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
	assert_int_equal(detect_ruleset_set_prefilter(rs, pf), 0);
	detect_ruleset_load_buffer(rs, "row.yml", yaml, strlen(yaml),
				   t_on_reject, &run);
	assert_int_equal(detect_ruleset_compile(rs, NULL), 0);
	if (run.nrejects)
		fail_msg("%s: refused: %s", r->why, run.reject);
	snprintf(spec, sizeof(spec), "%s%s",
		 src ? "" : "event.dataset=linux.auth|", r->event);
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
		run_row(&rows[i], true, NULL);
		run_row(&rows[i], false, NULL);
	}
	for (size_t i = 0; i < sizeof(pc_rows) / sizeof(pc_rows[0]); i++) {
		run_row(&pc_rows[i], true, PC);
		run_row(&pc_rows[i], false, PC);
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

/*
 * Rules the prefilter once hid: the literal detect_re_literal() told for
 * these regular expressions was not in every match (see
 * test_re_literal.c).  A comment or a verb now gives no literal.
 */
static const struct row once_missed_rows[] = {
	{ "  s: {user.name|re: 'abcdef(?#x)?gh'}\n  condition: s\n",
	  "user.name=abcdegh", true, true,
	  "a comment between a char and its quantifier" },
	{ "  s: {user.name|re: 'rooty(*ACCEPT)zzzzzz'}\n  condition: s\n",
	  "user.name=rooty", true, true, "(*ACCEPT) ends the match" },
	{ "  s: {user.name|re: 'rooty{00}zz'}\n  condition: s\n",
	  "user.name=rootzz", true, false, "{00} is {0}" },
};

static void test_once_missed(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(once_missed_rows); i++) {
		run_row(&once_missed_rows[i], false, NULL);
		run_row(&once_missed_rows[i], true, NULL);
	}
}

/* ------------------------------------------------- an ungated source */

/*
 * Windows Security rules too few for the scan to pay: their source is
 * not gated, yet a rule needing an exact value still waits for it (a
 * lookup), and a rule needing only a substring is tested on every event.
 */
static const char ungated_yaml[] =
	"title: probe\n"
	"logsource: {product: windows, service: security}\n"
	"detection:\n  keywords: [zzprobezz]\n  s: {EventID: 30}\n"
	"  condition: keywords and s\n"
	"---\ntitle: exact\n"
	"logsource: {product: windows, service: security}\n"
	"detection:\n  s: {EventID: 29}\n  condition: s\n"
	"---\ntitle: exact and contains\n"
	"logsource: {product: windows, service: security}\n"
	"detection:\n  s: {EventID: 4625, CommandLine|contains: foobar}\n"
	"  condition: s\n"
	"---\ntitle: contains\n"
	"logsource: {product: windows, service: security}\n"
	"detection:\n  s: {CommandLine|contains: mimikatz}\n"
	"  condition: s\n"
	"---\ntitle: exact or contains\n"
	"logsource: {product: windows, service: security}\n"
	"detection:\n  a: {TargetUserName: svc01}\n"
	"  b: {CommandLine|contains: barbaz}\n  condition: a or b\n"
	"---\ntitle: short name\n"
	"logsource: {product: windows, service: security}\n"
	"detection:\n  s: {TargetUserName: ab}\n  condition: s\n";

/*
 * Does the prefilter leave a rule untested?  "probe" reads the raw record
 * (its keyword) before its EventID, so the event's raw_fn is called when
 * the rule is tested; it needs EventID 30 and never holds.  An alert
 * reads the raw record too: only events that raise none tell.  A
 * TargetUserName of 30 is looked up too (short name needs one of two
 * bytes), under that field.
 */
static const struct {
	const char *event;
	const char *want;	/* titles hit, in order, each then ';' */
	bool tested;		/* probe is tested, the prefilter on */
} ungated_events[] = {
	{ "Channel=Security|EventID=29", "exact;", false },
	{ "Channel=Security|EventID=30", "", true },
	{ "Channel=Security|EventID=4624", "", false },
	{ "Channel=Security|EventID=290", "", false },
	{ "Channel=Security|EventID=300", "", false },
	{ "Channel=Security|EventID=2", "", false },
	{ "Channel=Security|EventID=3", "", false },
	{ "Channel=Security|EventID=4624|TargetUserName=30", "", false },
	{ "Channel=Security|EventID=4624|TargetUserName=AB", "short name;",
	  false },
	{ "Channel=Security|EventID=4625|CommandLine=x FOOBAR",
	  "exact and contains;", false },
	{ "Channel=Security|EventID=4625|CommandLine=x", "", false },
	{ "Channel=Security|EventID=4624|CommandLine=foobar mimikatz",
	  "contains;", false },
	{ "Channel=Security|EventID=4624|TargetUserName=SVC01",
	  "exact or contains;", false },
	{ "Channel=Security|EventID=4624|CommandLine=barbaz",
	  "exact or contains;", false },
	{ "Channel=Security|EventID=29|CommandLine=MimiKatz",
	  "exact;contains;", false },
	{ "Channel=Security|EventID=30|CommandLine=barbaz",
	  "exact or contains;", true },
	{ "Channel=System|EventID=30|CommandLine=mimikatz", "", false },
};

/* ev->raw_fn of the events above: counts the calls. */
static const struct core_str *raw_counted(const struct core_event *ev,
					  void *ctx)
{
	(*(unsigned *)ctx)++;
	return &ev->raw;
}

static struct detect_ruleset *ungated_rules(bool off)
{
	struct detect_ruleset *rs = detect_ruleset_new();
	struct t_run run = { 0 };

	assert_non_null(rs);
	detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
	/* Left unset: the prefilter gates only the sources that pay. */
	if (off)
		assert_int_equal(detect_ruleset_set_prefilter(rs, false), 0);
	detect_ruleset_load_buffer(rs, "ungated.yml", ungated_yaml,
				   strlen(ungated_yaml), t_on_reject, &run);
	assert_int_equal(detect_ruleset_compile(rs, NULL), 0);
	if (run.nrejects)
		fail_msg("refused: %s", run.reject);
	return rs;
}

/* The source's rules: 6, not gated; the two without an exact value
 * have no need. */
static void ungated_check(struct detect_ruleset *rs)
{
	struct detect_stats st;
	unsigned n = 0;

	assert_non_null(rs->pf);
	for (unsigned i = 0; i < rs->nls; i++) {
		const struct detect_logsource *e = &rs->ls[i];

		n += e->nrules;
		if (e->nrules > 0)
			assert_false(e->pf_gate);
		for (unsigned k = 0; k < e->nrules; k++) {
			const char *t = e->rules[k]->info.title;
			bool need = strcmp(t, "exact") == 0 ||
				    strcmp(t, "exact and contains") == 0 ||
				    strcmp(t, "probe") == 0 ||
				    strcmp(t, "short name") == 0;

			if (e->rules[k]->pf_always == need)
				fail_msg("%s: pf_always %d", t,
					 e->rules[k]->pf_always);
		}
	}
	assert_int_equal(n, 6);
	detect_ruleset_stats(rs, &st);
	assert_int_equal(st.pf_always, 2);
	assert_int_equal(st.pf_literals, 0);
}

/* Event i of ungated_events: its alerts, and whether probe was tested. */
static void ungated_event(struct detect_ruleset *rs, size_t i, bool off)
{
	const char *spec = ungated_events[i].event;
	struct t_run run = { 0 };
	struct core_event ev;
	char got[256] = "";
	size_t n = 0;
	unsigned calls = 0;
	bool tested;

	t_event(&ev, spec, T_SEC, i + 1);
	ev.raw_fn = raw_counted;
	ev.raw_ctx = &calls;
	detect_match(rs, &ev, t_on_alert, &run);
	for (unsigned a = 0; a < run.nalerts; a++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s;",
				      run.a[a].title);
	if (strcmp(got, ungated_events[i].want) != 0)
		fail_msg("%s (prefilter %s): '%s', want '%s'", spec,
			 off ? "off" : "default", got, ungated_events[i].want);

	/* Off, probe is tested on every Security event. */
	tested = off ? strstr(spec, "=Security|") != NULL :
		 ungated_events[i].tested;
	if (run.nalerts == 0 && (calls > 0) != tested)
		fail_msg("%s (prefilter %s): probe %s tested", spec,
			 off ? "off" : "default", calls ? "was" : "was not");
}

static void test_exact_ungated(void **state)
{
	(void)state;
	for (int off = 0; off < 2; off++) {
		struct detect_ruleset *rs = ungated_rules(off);

		for (size_t i = 0; i < CORE_ARRAY_LEN(ungated_events); i++)
			ungated_event(rs, i, off);
		if (!off)
			ungated_check(rs);
		else
			assert_null(rs->pf);
		detect_ruleset_free(rs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_regex_jit),
		cmocka_unit_test(test_literal_at_the_end),
		cmocka_unit_test(test_keyword_at_the_end),
		cmocka_unit_test(test_exact_ungated),
		cmocka_unit_test(test_once_missed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
