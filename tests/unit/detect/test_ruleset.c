/*
 * test_ruleset.c: loading directories, the shipped rules and the public
 * community rules (src/detect/ruleset.c), and match speed.
 */
#include "detect_test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static void print_reject(const struct core_error *why, void *ud)
{
	char buf[1024];

	(*(unsigned *)ud)++;
	core_error_format(why, buf, sizeof(buf));
	printf("reject: %s\n", buf);
}

static struct detect_ruleset *shipped(unsigned *rejects)
{
	struct detect_ruleset *rs = detect_ruleset_new();
	int n;

	assert_non_null(rs);
	n = detect_ruleset_load(rs, TEST_SRCDIR "/rules", print_reject,
				rejects);
	assert_true(n > 0);
	assert_int_equal(detect_ruleset_compile(rs, NULL), 0);
	return rs;
}

static void test_shipped_rules_load_cleanly(void **state)
{
	unsigned rejects = 0;
	struct detect_ruleset *rs = shipped(&rejects);
	struct detect_stats st;

	(void)state;
	detect_ruleset_stats(rs, &st);
	printf("shipped: %zu rules (%zu correlations)\n", st.rules,
	       st.correlations);
	assert_int_equal(rejects, 0);
	assert_true(st.correlations >= 10);
	detect_ruleset_free(rs);
}

struct share {
	unsigned rejects;
	unsigned reasons[8];
};

static void count_reject(const struct core_error *why, void *ud)
{
	struct share *s = ud;
	static const char *keys[] = { "unknown log source", "unknown field",
				      "unsupported modifier" };

	s->rejects++;
	for (unsigned i = 0; i < 3; i++) {
		if (strstr(why->msg, keys[i]))
			s->reasons[i]++;
	}
}

static unsigned count_docs(const char *dir)
{
	char cmd[1024];
	unsigned n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "find '%s' -name '*.yml' | wc -l", dir);
	p = popen(cmd, "r");
	if (p != NULL) {
		if (fscanf(p, "%u", &n) != 1)
			n = 0;
		pclose(p);
	}
	return n;
}

static void test_community_linux_load_share(void **state)
{
	const char *dir = TEST_DATASETS "/sigma/rules/linux";
	struct share s = { 0 };
	struct detect_ruleset *rs;
	struct stat st;
	unsigned total;
	int n;

	(void)state;
	if (stat(dir, &st) != 0) {
		printf("SKIP: dataset absent at %s\n", dir);
		skip();
	}
	rs = detect_ruleset_new();
	detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
	n = detect_ruleset_load(rs, dir, count_reject, &s);
	total = count_docs(dir);
	printf("community linux rules: %d of %u loaded (%.1f%%); rejected "
	       "%u: unknown log source %u, unknown field %u, unsupported "
	       "modifier %u\n", n, total, total ? 100.0 * n / total : 0.0,
	       s.rejects, s.reasons[0], s.reasons[1], s.reasons[2]);
	assert_true(n > 0);
	assert_int_equal((unsigned)n + s.rejects, total);
	detect_ruleset_free(rs);
}

static void test_shipped_ssh_scenario(void **state)
{
	static const char *lines[] = {
		"event.action=ssh_login|event.outcome=failure|user.name=root",
		"event.action=ssh_login|event.outcome=failure|user.name=admin",
		"event.action=ssh_login|event.outcome=failure|user.name=test",
		"event.action=ssh_login|event.outcome=failure|user.name=oracle",
		"event.action=ssh_login|event.outcome=failure|user.name=pi",
		"event.action=ssh_login|event.outcome=failure|user.name=git",
		"event.action=ssh_login|event.outcome=success|user.name=git",
	};
	char buf[7][256];
	unsigned rejects = 0;
	struct detect_ruleset *rs = shipped(&rejects);
	struct t_run run = { 0 };
	bool brute = false, spray = false, success = false;

	(void)state;
	for (unsigned i = 0; i < 7; i++) {
		struct core_event ev;

		snprintf(buf[i], sizeof(buf[i]), "%s|process.name=sshd|"
			 "event.dataset=linux.auth|source.ip=203.0.113.9",
			 lines[i]);
		t_event(&ev, buf[i], (1000 + i * 10) * T_SEC, i + 1);
		detect_match(rs, &ev, t_on_alert, &run);
	}
	detect_flush(rs, t_on_alert, &run);
	for (unsigned i = 0; i < run.nalerts; i++) {
		printf("alert: %s count=%llu\n", run.a[i].title,
		       (unsigned long long)run.a[i].count);
		brute |= strstr(run.a[i].title, "brute force") != NULL &&
			 run.a[i].count == 6;
		spray |= strstr(run.a[i].title, "spraying") != NULL &&
			 run.a[i].distinct == 6;
		success |= strstr(run.a[i].title, "success after") != NULL;
	}
	assert_true(brute);
	assert_true(spray);
	assert_true(success);
	assert_int_equal(run.nalerts, 3);
	detect_ruleset_free(rs);
}

/* Not a pass/fail test: prints events per second over auth events. */
static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * data/logsources-*.yml add sources after data/logsources.yml, in name
 * order, each with its own fieldsets; the first matching source wins.
 */
static void test_extra_map_files(void **state)
{
	char dir[] = "/tmp/vigil-ls-XXXXXX", p[256];
	struct t_run run = { 0 };
	struct detect_ruleset *rs;
	struct core_event ev;
	const char *rule = "title: w\nlogsource: {product: windows}\n"
		"detection:\n  s: {Img: a}\n  condition: s\n";

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/logsources.yml", dir);
	write_file(p, "sources:\n  - product: linux\n");
	snprintf(p, sizeof(p), "%s/logsources-b.yml", dir);
	write_file(p, "sources:\n  - product: windows\n"
		   "    fields: {Img: second}\n");
	snprintf(p, sizeof(p), "%s/logsources-a.yml", dir);
	write_file(p, "fieldsets:\n  w: {Img: first}\n"
		   "sources:\n  - product: windows\n    use: [w]\n");
	rs = detect_ruleset_new();
	assert_int_equal(detect_ruleset_set_datadir(rs, dir), 0);
	detect_ruleset_load_buffer(rs, "w.yml", rule, strlen(rule),
				   t_on_reject, &run);
	detect_ruleset_compile(rs, NULL);
	assert_int_equal(run.nrejects, 0);
	t_event(&ev, "first=a", T_SEC, 1);
	detect_match(rs, &ev, t_on_alert, &run);
	t_event(&ev, "second=a", T_SEC, 2);
	detect_match(rs, &ev, t_on_alert, &run);
	assert_int_equal(run.nalerts, 1);
	assert_int_equal(run.a[0].first_line, 1);
	detect_ruleset_free(rs);
	snprintf(p, sizeof(p), "%s/logsources.yml", dir);
	remove(p);
	snprintf(p, sizeof(p), "%s/logsources-a.yml", dir);
	remove(p);
	snprintf(p, sizeof(p), "%s/logsources-b.yml", dir);
	remove(p);
	remove(dir);
}

/* Matches one event built from spec against rs, frees rs: the alerts. */
static unsigned alerts_on(struct detect_ruleset *rs, struct t_run *run,
			  const char *spec)
{
	struct core_event ev;

	assert_int_equal(run->nrejects, 0);
	t_event(&ev, spec, T_SEC, 1);
	detect_match(rs, &ev, t_on_alert, run);
	detect_ruleset_free(rs);
	return run->nalerts;
}

/*
 * A `fields` entry listing several event fields reads the first one the
 * event has; an empty list is refused with the map's file and line.
 */
static void test_field_alternatives(void **state)
{
	static const struct {
		const char *event;
		unsigned hits;
	} rows[] = {
		{ "first=a", 1 },
		{ "second=a", 1 },
		{ "first=b|second=a", 0 },	/* first present: it is read */
		{ "third=a", 0 },
	};
	char dir[] = "/tmp/vigil-ls-XXXXXX", p[256];
	struct t_run bad = { 0 };
	struct detect_ruleset *rs;
	const char *rule = "title: w\nlogsource: {product: windows}\n"
		"detection:\n  s: {Img: a}\n  condition: s\n";

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/logsources.yml", dir);
	write_file(p, "sources:\n  - product: windows\n"
		   "    fields: {Img: [first, second]}\n");
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		struct t_run run = { 0 };

		rs = detect_ruleset_new();
		assert_int_equal(detect_ruleset_set_datadir(rs, dir), 0);
		detect_ruleset_load_buffer(rs, "w.yml", rule, strlen(rule),
					   t_on_reject, &run);
		detect_ruleset_compile(rs, NULL);
		if (alerts_on(rs, &run, rows[i].event) != rows[i].hits)
			fail_msg("row %zu (%s): %u alerts", i, rows[i].event,
				 run.nalerts);
	}
	write_file(p, "sources:\n  - product: windows\n"
		   "    fields: {Img: []}\n");
	rs = detect_ruleset_new();
	assert_int_equal(detect_ruleset_set_datadir(rs, dir), 0);
	detect_ruleset_load_buffer(rs, "w.yml", rule, strlen(rule),
				   t_on_reject, &bad);
	assert_true(bad.nrejects > 0);
	assert_non_null(strstr(bad.reject, "logsources.yml:3"));
	assert_non_null(strstr(bad.reject, "empty event field name"));
	detect_ruleset_free(rs);
	/* The map form needs its `read` list. */
	write_file(p, "sources:\n  - product: windows\n"
		   "    fields: {Img: {also: [first]}}\n");
	memset(&bad, 0, sizeof(bad));
	rs = detect_ruleset_new();
	assert_int_equal(detect_ruleset_set_datadir(rs, dir), 0);
	detect_ruleset_load_buffer(rs, "w.yml", rule, strlen(rule),
				   t_on_reject, &bad);
	assert_true(bad.nrejects > 0);
	assert_non_null(strstr(bad.reject, "or to read: and also:"));
	detect_ruleset_free(rs);
	remove(p);
	remove(dir);
}

/*
 * A source that `refuse`s says why its rules cannot be used; a refusing
 * source with a `when` is a mistake in the map.
 */
static void test_refused_source(void **state)
{
	static const struct {
		const char *map;
		const char *want;
	} rows[] = {
		{ "sources:\n  - product: windows\n"
		  "    refuse: no log has it\n",
		  "w.yml:2: log source (product=windows service=- "
		  "category=-) not available: no log has it" },
		{ "sources:\n  - product: windows\n"
		  "    refuse: no log has it\n    when: {a: b}\n",
		  "an entry that refuses takes no when" },
		{ "sources:\n  - product: windows\n    refuse: ''\n",
		  "refuse must say why" },
	};
	char dir[] = "/tmp/vigil-ls-XXXXXX", p[256];
	const char *rule = "title: w\nlogsource: {product: windows}\n"
		"detection:\n  s: {Img: a}\n  condition: s\n";

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/logsources.yml", dir);
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		struct t_run run = { 0 };
		struct detect_ruleset *rs = detect_ruleset_new();

		write_file(p, rows[i].map);
		assert_int_equal(detect_ruleset_set_datadir(rs, dir), 0);
		detect_ruleset_load_buffer(rs, "w.yml", rule, strlen(rule),
					   t_on_reject, &run);
		detect_ruleset_compile(rs, NULL);
		if (run.nrejects == 0 || !strstr(run.reject, rows[i].want))
			fail_msg("row %zu: '%s'", i, run.reject);
		assert_int_equal(detect_ruleset_count(rs), 0);
		detect_ruleset_free(rs);
	}
	remove(p);
	remove(dir);
}

/*
 * The shipped Windows map: AccessList holds message references (%%4417)
 * that the event viewer shows as text (WriteData (or AddFile)); a rule
 * written against either form matches both, in the Security log only,
 * under every modifier that keeps the test a literal one.  The map
 * file's own references (Level 2 is "Error") hold in each source.
 */
static void test_message_refs(void **state)
{
	static const struct {
		const char *service;
		const char *sel;
		const char *event;
		unsigned hits;
	} rows[] = {
		{ "security", "{AccessList|contains: 'WriteData'}",
		  "AccessList=%%1538\r\n\t\t%%4417\r\n\t\t", 1 },
		{ "security", "{AccessList|contains: 'WriteData'}",
		  "AccessList=%%1538\r\n\t\t%%4416\r\n\t\t", 0 },
		{ "security", "{AccessList|contains: '%%4417'}",
		  "AccessList=READ_CONTROL WriteData (or AddFile)", 1 },
		{ "security", "{AccessList|contains: '4416'}",
		  "AccessList=ReadData (or ListDirectory)", 1 },
		{ "security",
		  "{AccessList|contains|all: ['WriteData', 'READ_CONTROL']}",
		  "AccessList=%%1538 %%4417", 1 },
		{ "security",
		  "{AccessList|contains|all: ['WriteData', 'READ_CONTROL']}",
		  "AccessList=%%4417", 0 },
		/* The text is WRITE_DAC. */
		{ "security", "{AccessList|contains: 'WriteDAC'}",
		  "AccessList=%%1539", 0 },
		{ "security", "{AccessList: 'DELETE'}",
		  "AccessList=%%1537", 1 },
		{ "security", "{AccessList: 'DELETE'}",
		  "AccessList=%%1537 %%1538", 0 },
		{ "security", "{AccessList|startswith: 'delete'}",
		  "AccessList=%%1537 %%1538", 1 },
		{ "security", "{AccessList|cased|contains: 'writedata'}",
		  "AccessList=%%4417", 0 },
		{ "security", "{AccessList|neq: 'DELETE'}",
		  "AccessList=%%1537", 0 },
		{ "security", "{AccessList|neq: 'DELETE'}",
		  "AccessList=%%1538", 1 },
		/* Another field, another log. */
		{ "security", "{ObjectName|contains: 'WriteData'}",
		  "ObjectName=%%4417", 0 },
		{ "system", "{AccessList|contains: 'WriteData'}",
		  "AccessList=%%4417", 0 },
		/* The file's own references: Level in every source. */
		{ "application", "{Level: Error}", "Level=2", 1 },
		{ "application", "{Level: 2}", "Level=Error", 1 },
		{ "system", "{Level: Warning}", "Level=2", 0 },
	};
	char rule[512], spec[256];

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		struct t_run run = { 0 };
		struct detect_ruleset *rs;

		snprintf(rule, sizeof(rule), "title: m\nlogsource: {product: "
			 "windows, service: %s}\ndetection:\n  s: %s\n"
			 "  condition: s\n", rows[i].service, rows[i].sel);
		rs = t_rules(rule, &run);
		snprintf(spec, sizeof(spec), "Channel=%c%s|EventID=5145|%s",
			 rows[i].service[0] - 'a' + 'A', rows[i].service + 1,
			 rows[i].event);
		if (alerts_on(rs, &run, spec) != rows[i].hits)
			fail_msg("row %zu (%s on %s): %u alerts", i,
				 rows[i].sel, rows[i].event, run.nalerts);
	}
}

/*
 * Alerts one rule of one selection under logsource raises on the event
 * spec, with the shipped map, the prefilter on or off.
 */
static unsigned alerts_with(const char *logsource, const char *sel,
			    const char *spec, bool prefilter)
{
	struct detect_ruleset *rs = detect_ruleset_new();
	struct t_run run = { 0 };
	char rule[512];

	snprintf(rule, sizeof(rule), "title: r\nlogsource: %s\ndetection:\n"
		 "  s: %s\n  condition: s\n", logsource, sel);
	assert_non_null(rs);
	assert_int_equal(detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data"),
			 0);
	detect_ruleset_set_prefilter(rs, prefilter);
	detect_ruleset_load_buffer(rs, "r.yml", rule, strlen(rule),
				   t_on_reject, &run);
	detect_ruleset_compile(rs, NULL);
	return alerts_on(rs, &run, spec);
}

/*
 * The shipped Windows map's padded and braced fields: Windows writes
 * "NtLmSsp " and some command lines with trailing blanks, and a
 * directory object's class as "%{GUID}"; a rule's test holds of the
 * value as written or without them, with and without the prefilter (an
 * exact value is looked up every way).  Other fields are read as they
 * are.
 */
static void test_padded_fields(void **state)
{
	static const struct {
		const char *sel;
		const char *event;
		unsigned hits;
	} rows[] = {
		{ "{LogonProcessName: 'NtLmSsp'}",
		  "EventID=4624|LogonProcessName=NtLmSsp ", 1 },
		{ "{LogonProcessName: 'Advapi'}",
		  "EventID=4624|LogonProcessName=Advapi \t ", 1 },
		{ "{LogonProcessName: 'NtLmSsp'}",
		  "EventID=4624|LogonProcessName=NtLmSsp", 1 },
		{ "{LogonProcessName|endswith: 'Ssp '}",
		  "EventID=4624|LogonProcessName=NtLmSsp ", 1 },
		{ "{LogonProcessName|neq: 'NtLmSsp'}",
		  "EventID=4624|LogonProcessName=NtLmSsp ", 0 },
		{ "{LogonProcessName: 'NtLmSsp'}",
		  "EventID=4624|LogonProcessName=NtLmSspx ", 0 },
		{ "{CommandLine|endswith: '.exe'}",
		  "EventID=4688|CommandLine=C:\\a\\b.exe ", 1 },
		/* "*": every field of the Windows sources, as the JSON
		 * exports rules are written against trim every value. */
		{ "{WorkstationName: 'WS1'}",
		  "EventID=4624|WorkstationName=WS1 ", 1 },
		{ "{WorkstationName|endswith: '1'}",
		  "EventID=4624|WorkstationName=WS1 ", 1 },
		{ "{WorkstationName: 'WS1'}",
		  "EventID=4624|WorkstationName= WS1", 0 },
		/* Braced: a directory class as "%{GUID}", or by its name. */
		{ "{ObjectType: '19195a5b-6da0-11d0-afd3-00c04fd930c9'}",
		  "EventID=4662|ObjectType=%{19195a5b-6da0-11d0-afd3-"
		  "00c04fd930c9}", 1 },
		{ "{ObjectType: 'domainDNS'}",
		  "EventID=4662|ObjectType=%{19195a5b-6da0-11d0-afd3-"
		  "00c04fd930c9}", 1 },
		{ "{ObjectType: 'bf967aba-0de6-11d0-a285-00aa003049e2'}",
		  "EventID=4662|ObjectType=%{19195a5b-6da0-11d0-afd3-"
		  "00c04fd930c9}", 0 },
		{ "{ObjectName: '19195a5b-6da0-11d0-afd3-00c04fd930c9'}",
		  "EventID=4662|ObjectName=%{19195a5b-6da0-11d0-afd3-"
		  "00c04fd930c9}", 1 },
		/* A Sysmon GUID in braces, named bare as JSON exports give
		 * it; only a GUID's braces are taken off. */
		{ "{ProcessGuid: '0197231E-5D9C-6929-4111-000000000D00'}",
		  "EventID=1|ProcessGuid={0197231E-5D9C-6929-4111-"
		  "000000000D00}", 1 },
		{ "{ProcessGuid|endswith: '000000000D00'}",
		  "EventID=1|ProcessGuid={0197231E-5D9C-6929-4111-"
		  "000000000D00}", 1 },
		{ "{CommandLine: 'abc'}",
		  "EventID=1|CommandLine={abc}", 0 },
	};
	char spec[256];

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		for (int pf = 0; pf < 2; pf++) {
			unsigned n;

			snprintf(spec, sizeof(spec), "Channel=Security|%s",
				 rows[i].event);
			n = alerts_with("{product: windows, service: security}",
					rows[i].sel, spec, pf);
			if (n != rows[i].hits)
				fail_msg("row %zu (%s on %s, prefilter %d): "
					 "%u alerts", i, rows[i].sel,
					 rows[i].event, pf, n);
		}
	}
}

/*
 * Loads a rule of product windows against a log source map of text map;
 * the rejection must hold each of want (NULL-ended) or row fails.
 */
static void map_refuses(const char *map, const char *const *want,
			size_t row)
{
	char dir[] = "/tmp/vigil-ls-XXXXXX", p[256];
	const char *rule = "title: w\nlogsource: {product: windows}\n"
		"detection:\n  s: {AccessList: a}\n  condition: s\n";
	struct detect_ruleset *rs = detect_ruleset_new();
	struct t_run run = { 0 };

	assert_non_null(rs);
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/logsources.yml", dir);
	write_file(p, map);
	assert_int_equal(detect_ruleset_set_datadir(rs, dir), 0);
	detect_ruleset_load_buffer(rs, "w.yml", rule, strlen(rule),
				   t_on_reject, &run);
	for (; *want != NULL; want++) {
		if (run.nrejects == 0 || !strstr(run.reject, *want))
			fail_msg("row %zu: '%s' lacks '%s'", row, run.reject,
				 *want);
	}
	detect_ruleset_free(rs);
	remove(p);
	remove(dir);
}

/* padded_fields or braced_fields that is not a list of names is
 * refused with the file and line. */
static void test_padded_fields_refused(void **state)
{
	static const char *const maps[] = {
		"padded_fields: x\nsources:\n  - product: windows\n",
		"padded_fields: [a, '']\nsources:\n  - product: windows\n",
		"braced_fields: x\nsources:\n  - product: windows\n",
	};
	static const char *const want[] = {
		"logsources.yml:1: ", "_fields", NULL,
	};

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(maps); i++)
		map_refuses(maps[i], want, i);
}

/* A `message_refs` entry that is not a map of references to text is
 * refused with the map's file and line. */
static void test_message_refs_refused(void **state)
{
	static const struct {
		const char *refs;
		const char *want;
	} rows[] = {
		{ "[AccessList]", "logsources.yml:3: message_refs must map" },
		{ "{AccessList: x}",
		  "logsources.yml:3: message_refs: a field" },
		{ "{AccessList: {'4417': x}}",
		  "logsources.yml:3: message_refs: a reference is %% and" },
		{ "{AccessList: {'%%44x7': x}}", "a reference is %% and" },
		{ "{ObjectType: {'%{19195a5b-6da0-11d0-afd3-00c04fd930cX}': "
		  "x}}", "%{GUID} or a number" },
		{ "{Level: {'1234': x}}", "%{GUID} or a number" },
		{ "{AccessList: {'%%4417': ''}}",
		  "a reference needs its text" },
		{ "{AccessList: {'%%4417': a, '%%4417': b}}",
		  "logsources.yml:3: message_refs: the reference is listed" },
		{ "{AccessList: {'%%4417': a}, AccessList: {'%%4418': b}}",
		  "message_refs: the field is listed twice" },
		{ "{? [x] : {'%%4417': a}}",
		  "logsources.yml:3: message_refs: expected a field name" },
	};
	char map[256];

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		const char *want[] = { rows[i].want, NULL };

		snprintf(map, sizeof(map), "sources:\n  - product: windows\n"
			 "    message_refs: %s\n", rows[i].refs);
		map_refuses(map, want, i);
	}
}

/*
 * The shipped map's `also`: the taxonomy's cs-uri-query is the part after
 * '?', but most rules put paths in it, so a test also holds of the whole
 * URL; a null test still asks for the query, and either prefilter mode
 * gives the same.
 */
static void test_query_also_reads_url(void **state)
{
	static const struct {
		const char *sel;
		const char *event;
		unsigned hits;
	} rows[] = {
		{ "{cs-uri-query|contains: '/cgi-bin/.%2e/'}",
		  "url.original=/cgi-bin/.%2e/.%2e/etc/passwd", 1 },
		{ "{cs-uri-query|startswith: 'cmd='}",
		  "url.original=/x?cmd=ls|url.query=cmd=ls", 1 },
		{ "{cs-uri-query: null}", "url.original=/index.html", 1 },
		{ "{cs-uri-query: null}", "url.original=/a?b=1|url.query=b=1",
		  0 },
		{ "{cs-uri-query|exists: true}", "url.original=/index.html",
		  0 },
		{ "{cs-uri-query|exists: false}", "url.original=/index.html",
		  1 },
		{ "{cs-uri-query|contains: 'passwd'}",
		  "url.original=/index.html", 0 },
		{ "{cs-uri-stem|contains: 'passwd'}",
		  "url.original=/x?f=passwd|url.path=/x|url.query=f=passwd",
		  0 },
	};
	char spec[256];

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		for (int pf = 0; pf < 2; pf++) {
			unsigned n;

			snprintf(spec, sizeof(spec),
				 "event.dataset=web.access|%s", rows[i].event);
			n = alerts_with("{category: webserver}", rows[i].sel,
					spec, pf);
			if (n != rows[i].hits)
				fail_msg("row %zu (%s on %s, prefilter %d): "
					 "%u alerts", i, rows[i].sel,
					 rows[i].event, pf, n);
		}
	}
}

/*
 * Linux sources: JSON process records carrying Sigma's own names match
 * through the linux fieldset; a program's service (clamav) reads its
 * lines only.
 */
static void test_linux_sources(void **state)
{
	static const struct {
		const char *logsource;
		const char *sel;
		const char *event;
		unsigned hits;
	} rows[] = {
		{ "{product: linux, category: process_creation}",
		  "{CommandLine|contains: 'crontab -l'}",
		  "Image=/usr/bin/crontab|CommandLine=crontab -l", 1 },
		{ "{product: linux, category: process_creation}",
		  "{User: root}", "Image=/usr/bin/id|User=root", 1 },
		{ "{product: linux, category: process_creation}",
		  "{CommandLine|contains: 'crontab -l'}",
		  "Image=/usr/bin/crontab|CommandLine=crontab -l|"
		  "Channel=Linux-Sysmon/Operational", 1 },
		{ "{product: linux, service: clamav}", "{keywords: FOUND}",
		  "event.dataset=linux.syslog|process.name=clamd|"
		  "message=x.exe: Htran FOUND", 1 },
		{ "{product: linux, service: clamav}", "{keywords: FOUND}",
		  "event.dataset=linux.syslog|process.name=sshd|"
		  "message=SSHTransport found", 0 },
	};
	char rule[512];

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		struct t_run run = { 0 };
		struct detect_ruleset *rs;
		const char *kw = strstr(rows[i].sel, "keywords: ");

		if (kw != NULL)
			snprintf(rule, sizeof(rule), "title: l\nlogsource: %s\n"
				 "detection:\n  keywords: [%.*s]\n"
				 "  condition: keywords\n", rows[i].logsource,
				 (int)strcspn(kw + 10, "}"), kw + 10);
		else
			snprintf(rule, sizeof(rule), "title: l\nlogsource: %s\n"
				 "detection:\n  s: %s\n  condition: s\n",
				 rows[i].logsource, rows[i].sel);
		rs = t_rules(rule, &run);
		if (alerts_on(rs, &run, rows[i].event) != rows[i].hits)
			fail_msg("row %zu (%s on %s): %u alerts", i,
				 rows[i].sel, rows[i].event, run.nalerts);
	}
}

/*
 * Proxy rules read proxy records, not a web server's access log: there
 * the same user agents are a server's visitors.
 */
static void test_proxy_is_not_access_log(void **state)
{
	static const struct {
		const char *event;
		unsigned hits;
	} rows[] = {
		{ "c-uri=http://a.test/x|c-useragent=EvilBot/1.0", 1 },
		{ "event.dataset=web.access|url.original=/x|"
		  "user_agent.original=EvilBot/1.0", 0 },
	};
	const char *rule = "title: p\nlogsource: {category: proxy}\n"
		"detection:\n  s: {c-useragent|contains: EvilBot}\n"
		"  condition: s\n";

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		struct t_run run = { 0 };
		struct detect_ruleset *rs = t_rules(rule, &run);

		if (alerts_on(rs, &run, rows[i].event) != rows[i].hits)
			fail_msg("row %zu (%s): %u alerts", i, rows[i].event,
				 run.nalerts);
	}
}

/*
 * The shipped Windows map: Sigma process_creation rules name Sysmon's
 * fields and match Security 4688, which names them its own way.
 */
static void test_security_process_names(void **state)
{
	static const struct {
		const char *rule_sel;
		const char *event;
	} rows[] = {
		{ "{Image|endswith: '\\cmd.exe'}",
		  "NewProcessName=C:\\w\\cmd.exe" },
		{ "{ParentImage|endswith: '\\wmiprvse.exe'}",
		  "ParentProcessName=C:\\w\\WmiPrvSE.exe" },
		{ "{User: 'bob'}", "SubjectUserName=bob" },
		{ "{LogonId: '0x3e7'}", "SubjectLogonId=0x3e7" },
		{ "{IntegrityLevel: 'S-1-16-12288'}",
		  "MandatoryLabel=S-1-16-12288" },
		{ "{ParentProcessId: '0x248'}", "ProcessId=0x248" },
	};
	char rule[512], spec[256];

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		struct t_run run = { 0 };
		struct detect_ruleset *rs;

		snprintf(rule, sizeof(rule), "title: p\nlogsource: {product: "
			 "windows, category: process_creation}\ndetection:\n"
			 "  s: %s\n  condition: s\n", rows[i].rule_sel);
		rs = t_rules(rule, &run);
		snprintf(spec, sizeof(spec), "Channel=Security|EventID=4688|%s",
			 rows[i].event);
		if (alerts_on(rs, &run, spec) != 1)
			fail_msg("row %zu (%s): %u alerts", i, rows[i].event,
				 run.nalerts);
	}
}

/*
 * Golden file: for a few hundred community rules (the Linux, web,
 * network and cloud folders), how many load and how many are refused
 * per reason.  tests/unit/detect/golden/community_load.txt holds the
 * summary; VIGIL_UPDATE_GOLDEN=1 rewrites it after a deliberate change.
 */
static void test_community_golden(void **state)
{
	static const char *dirs[] = { "rules/linux", "rules/web",
				      "rules/network", "rules/cloud",
				      "rules/macos" };
	const char *golden = TEST_SRCDIR
		"/tests/unit/detect/golden/community_load.txt";
	char got[2048], want[2048];
	size_t off = 0, n;
	struct stat st;
	FILE *f;

	(void)state;
	if (stat(TEST_DATASETS "/sigma/rules", &st) != 0) {
		printf("SKIP: dataset absent at %s\n",
		       TEST_DATASETS "/sigma/rules");
		skip();
	}
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[1024];
		struct share sh = { 0 };
		struct detect_ruleset *rs = detect_ruleset_new();

		snprintf(path, sizeof(path), "%s/sigma/%s", TEST_DATASETS,
			 dirs[i]);
		detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
		detect_ruleset_load(rs, path, count_reject, &sh);
		detect_ruleset_compile(rs, NULL);
		off += (size_t)snprintf(got + off, sizeof(got) - off,
			"%s loaded=%zu refused=%u logsource=%u field=%u "
			"modifier=%u\n", dirs[i], detect_ruleset_count(rs),
			sh.rejects, sh.reasons[0], sh.reasons[1],
			sh.reasons[2]);
		detect_ruleset_free(rs);
	}
	printf("%s", got);
	if (getenv("VIGIL_UPDATE_GOLDEN")) {
		f = fopen(golden, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
		return;
	}
	f = fopen(golden, "r");
	assert_non_null(f);
	n = fread(want, 1, sizeof(want) - 1, f);
	fclose(f);
	want[n] = '\0';
	assert_string_equal(got, want);
}

/* sigma-filters-specification.md: a filter silences the rules it names. */
static void test_filter_excludes_events(void **state)
{
	struct t_run run = { 0 };
	struct core_event ev;
	struct detect_ruleset *rs = t_rules(
		"title: r\nid: r1\nlogsource: {product: linux, service: auth}\n"
		"detection:\n  s: {user.name|startswith: a}\n  condition: s\n"
		"---\ntitle: f\nlogsource: {product: linux, service: auth}\n"
		"filter:\n  rules: [r1]\n  selection: {user.name: admin}\n"
		"  condition: selection\n", &run);

	(void)state;
	assert_int_equal(run.nrejects, 0);
	t_event(&ev, "event.dataset=linux.auth|user.name=admin", T_SEC, 1);
	detect_match(rs, &ev, t_on_alert, &run);
	t_event(&ev, "event.dataset=linux.auth|user.name=alice", T_SEC, 2);
	detect_match(rs, &ev, t_on_alert, &run);
	assert_int_equal(run.nalerts, 1);
	assert_int_equal(run.a[0].first_line, 2);
	detect_ruleset_free(rs);
}

/* A rule id or name given twice is refused, naming the first; ids taken
 * from file names (no id given) do not clash. */
static void test_duplicates_refused(void **state)
{
	static const struct {
		const char *a, *b;	/* the key lines of two rules */
		unsigned rejects;
		const char *why;
	} rows[] = {
		{ "id: same", "id: same", 1, "the same id" },
		{ "name: n", "name: n", 1, "the same name" },
		{ "id: x1", "id: x2", 0, "distinct ids" },
		{ "id: n", "name: n", 0, "an id and a name are apart" },
		{ "status: test", "status: test", 0, "no id: the file's" },
	};

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		struct t_run run = { 0 };
		struct detect_ruleset *rs;
		char yaml[512];

		snprintf(yaml, sizeof(yaml), "title: a\n%s\nlogsource: "
			 "{product: linux, service: auth}\ndetection: {s: "
			 "{user.name: a}, condition: s}\n---\ntitle: b\n%s\n"
			 "logsource: {product: linux, service: auth}\n"
			 "detection: {s: {user.name: b}, condition: s}\n",
			 rows[i].a, rows[i].b);
		rs = t_rules(yaml, &run);
		if (run.nrejects != rows[i].rejects)
			fail_msg("%s: %u refused", rows[i].why, run.nrejects);
		if (rows[i].rejects && strstr(run.reject, "first in") == NULL)
			fail_msg("%s: %s", rows[i].why, run.reject);
		detect_ruleset_free(rs);
	}
}

static void test_match_speed(void **state)
{
	static const char *kinds[] = {
		"event.action=ssh_login|event.outcome=failure|user.name=root",
		"event.action=ssh_login|event.outcome=success|user.name=alice",
		"event.action=session_opened|event.outcome=success",
		"event.action=ssh_disconnect|event.reason=preauth",
		("event.action=sudo_command|user.effective.name=root|"
		 "process.command_line=/usr/bin/apt update"),
	};
	enum { N = 2000000, VARIANTS = 4096 };
	static char buf[VARIANTS][256];
	static struct core_event evs[VARIANTS];
	unsigned rejects = 0;
	struct detect_ruleset *rs = shipped(&rejects);
	struct t_run run = { 0 };
	struct timespec a, b;
	double s;

	(void)state;
	for (unsigned i = 0; i < VARIANTS; i++) {
		unsigned k = i % 5;

		snprintf(buf[i], sizeof(buf[i]), "%s|process.name=%s|"
			 "event.dataset=linux.auth|source.ip=198.51.%u.%u",
			 kinds[k], k == 4 ? "sudo" : "sshd", (i / 256) % 256,
			 i % 256);
		t_event(&evs[i], buf[i], 0, i + 1);
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (unsigned i = 0; i < N; i++) {
		evs[i % VARIANTS].ts = (int64_t)i * 1000;
		detect_match(rs, &evs[i % VARIANTS], NULL, &run);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("match speed: %.0f auth events/s (%u events, %.3f s)\n",
	       N / s, N, s);
	detect_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_rules_load_cleanly),
		cmocka_unit_test(test_community_linux_load_share),
		cmocka_unit_test(test_shipped_ssh_scenario),
		cmocka_unit_test(test_extra_map_files),
		cmocka_unit_test(test_field_alternatives),
		cmocka_unit_test(test_refused_source),
		cmocka_unit_test(test_security_process_names),
		cmocka_unit_test(test_message_refs),
		cmocka_unit_test(test_message_refs_refused),
		cmocka_unit_test(test_padded_fields),
		cmocka_unit_test(test_padded_fields_refused),
		cmocka_unit_test(test_proxy_is_not_access_log),
		cmocka_unit_test(test_query_also_reads_url),
		cmocka_unit_test(test_linux_sources),
		cmocka_unit_test(test_community_golden),
		cmocka_unit_test(test_filter_excludes_events),
		cmocka_unit_test(test_duplicates_refused),
		cmocka_unit_test(test_match_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
