/*
 * test_correlate.c: correlation semantics (src/detect/correlate.c):
 * thresholds, sliding windows, bursts, group separation, value counts,
 * evictions, temporal order and the generate flag.
 *
 * Base rule "hit" matches event.action=hit, "a" and "b" match action a
 * and b.  Each scenario feeds events (second, fields) and checks the
 * alerts reported, including those flushed at the end.
 */
#include "detect_test.h"

#define BASE                                                                 \
	"title: hit\nname: hit\nlogsource: {product: suricata}\n"           \
	"detection:\n  s: {event.action: hit}\n  condition: s\n---\n"       \
	"title: a\nname: a\nlogsource: {product: suricata}\n"               \
	"detection:\n  s: {event.action: a}\n  condition: s\n---\n"         \
	"title: b\nname: b\nlogsource: {product: suricata}\n"               \
	"detection:\n  s: {event.action: b}\n  condition: s\n---\n"

#define COUNT3                                                               \
	BASE "title: C\ncorrelation:\n  type: event_count\n  rules: [hit]\n"  \
	     "  group-by: [source.ip]\n  timespan: 60s\n"                     \
	     "  condition: {gte: 3}\n"

#define VALUES3                                                              \
	BASE "title: C\ncorrelation:\n  type: value_count\n  rules: [hit]\n"  \
	     "  group-by: [source.ip]\n  timespan: 60s\n"                     \
	     "  condition: {field: user.name, gte: 3}\n"

#define ORDERED(type)                                                        \
	BASE "title: C\ncorrelation:\n  type: " type "\n  rules: [a, b]\n"    \
	     "  group-by: [source.ip]\n  timespan: 60s\n"

/* A closed-window correlation of the given type and condition. */
#define CLOSED(type, cond)                                                   \
	BASE "title: C\ncorrelation:\n  type: " type "\n  rules: [hit]\n"   \
	     "  group-by: [source.ip]\n  timespan: 60s\n"                     \
	     "  condition: " cond "\n"

#define B(n) "event.action=hit|source.ip=1.1.1.1|source.bytes=" #n

struct ev {
	int sec;
	const char *fields;
};

struct scenario {
	const char *why;
	const char *yaml;
	unsigned cap;
	struct ev evs[16];
	unsigned nalerts;	/* alerts titled C */
	uint64_t count;		/* of the first C alert */
	uint64_t distinct;
	unsigned plain;		/* alerts of the base rules */
};

#define H1 "event.action=hit|source.ip=1.1.1.1"
#define H2 "event.action=hit|source.ip=2.2.2.2"

static const struct scenario sc[] = {
	{ "threshold reached", COUNT3, 0,
	  { { 0, H1 }, { 10, H1 }, { 20, H1 } }, 1, 3, 0, 0 },
	{ "a line repeated 4 times stands for 4 events", COUNT3, 0,
	  { { 0, H1 }, { 5, H1 "|vigil.repeat.count=4" } }, 1, 5, 0, 0 },
	{ "a repeat count that is not a number counts once", COUNT3, 0,
	  { { 0, H1 }, { 5, H1 "|vigil.repeat.count=x" } }, 0, 0, 0, 0 },
	{ "below threshold", COUNT3, 0, { { 0, H1 }, { 10, H1 } }, 0, 0, 0,
	  0 },
	{ "chained but never 3 within the window", COUNT3, 0,
	  { { 0, H1 }, { 50, H1 }, { 100, H1 } }, 0, 0, 0, 0 },
	{ "count covers the chain before the threshold", COUNT3, 0,
	  { { 0, H1 }, { 50, H1 }, { 100, H1 }, { 101, H1 }, { 102, H1 } },
	  1, 5, 0, 0 },
	{ "burst ends on a gap, a new one needs the threshold again", COUNT3,
	  0, { { 0, H1 }, { 1, H1 }, { 2, H1 }, { 3, H1 }, { 300, H1 } }, 1,
	  4, 0, 0 },
	{ "two bursts, two alerts", COUNT3, 0,
	  { { 0, H1 }, { 1, H1 }, { 2, H1 }, { 300, H1 }, { 301, H1 },
	    { 302, H1 } }, 2, 3, 0, 0 },
	{ "groups are separate", COUNT3, 0,
	  { { 0, H1 }, { 1, H2 }, { 2, H1 }, { 3, H2 }, { 4, H1 } }, 1, 3, 0,
	  0 },
	{ "timestamps going back a little still count", COUNT3, 0,
	  { { 10, H1 }, { 9, H1 }, { 8, H1 } }, 1, 3, 0, 0 },
	{ "value_count: distinct users", VALUES3, 0,
	  { { 0, H1 "|user.name=x" }, { 1, H1 "|user.name=x" },
	    { 2, H1 "|user.name=y" }, { 3, H1 "|user.name=z" } }, 1, 4, 3,
	  0 },
	{ "value_count: one user many times", VALUES3, 0,
	  { { 0, H1 "|user.name=x" }, { 1, H1 "|user.name=x" },
	    { 2, H1 "|user.name=x" }, { 3, H1 "|user.name=x" } }, 0, 0, 0,
	  0 },
	{ "value_count: distinct values spread beyond the window", VALUES3,
	  0, { { 0, H1 "|user.name=x" }, { 50, H1 "|user.name=y" },
	       { 100, H1 "|user.name=z" } }, 0, 0, 0, 0 },
	{ "value_count: events without the field do not count", VALUES3, 0,
	  { { 0, H1 }, { 1, H1 }, { 2, H1 } }, 0, 0, 0, 0 },
	{ "eviction reports the open burst of the evicted group", COUNT3, 1,
	  { { 0, H1 }, { 1, H1 }, { 2, H1 }, { 3, H2 } }, 1, 3, 0, 0 },
	{ "eviction forgets a group below threshold", COUNT3, 1,
	  { { 0, H1 }, { 1, H1 }, { 2, H2 }, { 3, H1 } }, 0, 0, 0, 0 },
	{ "temporal_ordered: a then b", ORDERED("temporal_ordered"), 0,
	  { { 0, "event.action=a|source.ip=1.1.1.1" },
	    { 10, "event.action=b|source.ip=1.1.1.1" } }, 1, 2, 0, 0 },
	{ "temporal_ordered: b then a is not the sequence",
	  ORDERED("temporal_ordered"), 0,
	  { { 0, "event.action=b|source.ip=1.1.1.1" },
	    { 10, "event.action=a|source.ip=1.1.1.1" } }, 0, 0, 0, 0 },
	{ "temporal_ordered: too far apart", ORDERED("temporal_ordered"), 0,
	  { { 0, "event.action=a|source.ip=1.1.1.1" },
	    { 100, "event.action=b|source.ip=1.1.1.1" } }, 0, 0, 0, 0 },
	{ "temporal_ordered: other group", ORDERED("temporal_ordered"), 0,
	  { { 0, "event.action=a|source.ip=1.1.1.1" },
	    { 10, "event.action=b|source.ip=2.2.2.2" } }, 0, 0, 0, 0 },
	{ "a later input older than the first still correlates",
	  ORDERED("temporal_ordered"), 0,
	  { { 0, "event.action=a|source.ip=3.3.3.3" },
	    { 1000, "event.action=other" },
	    { 10, "event.action=a|source.ip=1.1.1.1" },
	    { 11, "event.action=a|source.ip=2.2.2.2" },
	    { 12, "event.action=b|source.ip=1.1.1.1" } }, 1, 2, 0, 0 },
	{ "temporal: any order", ORDERED("temporal"), 0,
	  { { 0, "event.action=b|source.ip=1.1.1.1" },
	    { 10, "event.action=a|source.ip=1.1.1.1" } }, 1, 2, 0, 0 },
	{ "generate: true lets the base rule alert too",
	  COUNT3 "generate: true\n", 0,
	  { { 0, H1 }, { 10, H1 }, { 20, H1 } }, 1, 3, 0, 3 },
	{ "unreferenced base rules alert on their own", COUNT3, 0,
	  { { 0, "event.action=a" } }, 0, 0, 0, 1 },
	/* sigma-correlation-rules-specification.md, Condition: lt / lte /
	 * eq / neq and ranges are tested when the window closes. */
	{ "Condition lt: a quiet group is reported when its window closes",
	  CLOSED("event_count", "{lt: 3}"), 0,
	  { { 0, H1 }, { 10, H1 }, { 100, H1 } }, 2, 2, 0, 0 },
	{ "Condition lt: a busy window is not",
	  CLOSED("event_count", "{lt: 3}"), 0,
	  { { 0, H1 }, { 10, H1 }, { 20, H1 } }, 0, 0, 0, 0 },
	{ "Condition eq", CLOSED("event_count", "{eq: 2}"), 0,
	  { { 0, H1 }, { 10, H1 } }, 1, 2, 0, 0 },
	{ "Condition range gt + lte", CLOSED("event_count",
	  "{gt: 1, lte: 2}"), 0, { { 0, H1 }, { 1, H1 }, { 2, H1 } }, 0, 0,
	  0, 0 },
	{ "Value Sum: gt on the sum of a field",
	  CLOSED("value_sum", "{field: source.bytes, gt: 100}"), 0,
	  { { 0, B(60) }, { 10, B(50) } }, 1, 2, 0, 0 },
	{ "Value Sum: below the bound",
	  CLOSED("value_sum", "{field: source.bytes, gt: 100}"), 0,
	  { { 0, B(60) }, { 10, B(40) } }, 0, 0, 0, 0 },
	{ "Value Average: decimal bound",
	  CLOSED("value_avg", "{field: source.bytes, gte: 50.5}"), 0,
	  { { 0, B(50) }, { 10, B(51) } }, 1, 2, 0, 0 },
	{ "Value Median: the middle value, not the mean",
	  CLOSED("value_median", "{field: source.bytes, lte: 10}"), 0,
	  { { 0, B(1) }, { 1, B(10) }, { 2, B(1000) } }, 1, 3, 0, 0 },
	{ "Value Percentile: the rarest value's share of events",
	  CLOSED("value_percentile", "{field: user.name, lte: 25}"), 0,
	  { { 0, H1 "|user.name=a" }, { 1, H1 "|user.name=a" },
	    { 2, H1 "|user.name=a" }, { 3, H1 "|user.name=b" } }, 1, 4, 0, 0 },
	{ "Value Count with lt: few distinct values",
	  CLOSED("value_count", "{field: user.name, lt: 2}"), 0,
	  { { 0, H1 "|user.name=a" }, { 1, H1 "|user.name=a" } }, 1, 2, 1,
	  0 },
	{ "closed windows that held feed the correlation above them",
	  BASE "title: low\nname: low\ncorrelation:\n  type: value_count\n"
	  "  rules: [hit]\n  group-by: [source.ip]\n  timespan: 60s\n"
	  "  condition: {field: user.name, lt: 2}\n---\n"
	  "title: C\ncorrelation:\n  type: event_count\n  rules: [low]\n"
	  "  group-by: [source.ip]\n  timespan: 600s\n"
	  "  condition: {gte: 2}\n", 0,
	  { { 0, H1 "|user.name=a" }, { 1, H1 "|user.name=a" },
	    { 100, H1 "|user.name=a" }, { 101, H1 "|user.name=a" } },
	  1, 2, 0, 0 },
	{ "a closed window that did not hold feeds nothing",
	  BASE "title: low\nname: low\ncorrelation:\n  type: value_count\n"
	  "  rules: [hit]\n  group-by: [source.ip]\n  timespan: 60s\n"
	  "  condition: {field: user.name, lt: 2}\n---\n"
	  "title: C\ncorrelation:\n  type: event_count\n  rules: [low]\n"
	  "  group-by: [source.ip]\n  timespan: 600s\n"
	  "  condition: {gte: 2}\n", 0,
	  { { 0, H1 "|user.name=a" }, { 1, H1 "|user.name=b" },
	    { 100, H1 "|user.name=a" }, { 101, H1 "|user.name=a" } },
	  0, 0, 0, 0 },
	{ "temporal with gte 1 of 2 rules fires on the first",
	  ORDERED("temporal") "  condition: {gte: 1}\n", 0,
	  { { 0, "event.action=a|source.ip=1.1.1.1" } }, 1, 2, 0, 0 },
};

static void run_one(const struct scenario *s, size_t i)
{
	struct t_run run = { 0 };
	struct detect_ruleset *rs = detect_ruleset_new();
	unsigned nc = 0, plain = 0;
	const struct t_alert *first = NULL;

	detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
	if (s->cap)
		detect_ruleset_set_group_cap(rs, s->cap);
	detect_ruleset_load_buffer(rs, "c.yml", s->yaml, strlen(s->yaml),
				   t_on_reject, &run);
	detect_ruleset_compile(rs, NULL);
	if (run.nrejects)
		fail_msg("scenario %zu rejected: %s", i, run.reject);
	for (unsigned k = 0; k < 16 && s->evs[k].fields; k++) {
		char buf[256];
		struct core_event ev;

		snprintf(buf, sizeof(buf), "%s|event.dataset=suricata.eve",
			 s->evs[k].fields);
		t_event(&ev, buf, s->evs[k].sec * T_SEC, k + 1);
		detect_match(rs, &ev, t_on_alert, &run);
	}
	detect_flush(rs, t_on_alert, &run);
	for (unsigned k = 0; k < run.nalerts; k++) {
		if (strcmp(run.a[k].title, "C") == 0) {
			first = first ? first : &run.a[k];
			nc++;
		} else {
			plain++;
		}
	}
	if (nc != s->nalerts || plain != s->plain)
		fail_msg("scenario %zu (%s): %u alerts, %u plain", i, s->why,
			 nc, plain);
	if (first && (first->count != s->count ||
		      first->distinct != s->distinct))
		fail_msg("scenario %zu (%s): count %llu distinct %llu", i,
			 s->why, (unsigned long long)first->count,
			 (unsigned long long)first->distinct);
	detect_ruleset_free(rs);
}

static void test_scenarios(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sc) / sizeof(sc[0]); i++)
		run_one(&sc[i], i);
}

static void test_burst_evidence_first_and_last(void **state)
{
	struct t_run run = { 0 };
	struct detect_ruleset *rs = t_rules(COUNT3, &run);
	struct detect_stats st;

	(void)state;
	for (unsigned k = 0; k < 20; k++) {
		struct core_event ev;

		t_event(&ev, H1 "|event.dataset=suricata.eve", k * T_SEC,
			k + 1);
		detect_match(rs, &ev, t_on_alert, &run);
	}
	detect_flush(rs, t_on_alert, &run);
	assert_int_equal(run.nalerts, 1);
	assert_int_equal(run.a[0].count, 20);
	assert_int_equal(run.a[0].nevidence, DETECT_ALERT_MAX_EVIDENCE);
	assert_int_equal(run.a[0].first_line, 1);
	assert_int_equal(run.a[0].last_line, 20);
	assert_int_equal(run.a[0].ts_first, 0);
	assert_int_equal(run.a[0].ts_last, 19 * T_SEC);
	assert_string_equal(run.a[0].group, "1.1.1.1");
	detect_ruleset_stats(rs, &st);
	assert_int_equal(st.evictions, 0);
	detect_ruleset_free(rs);
}

/* The first evidence text of the last alert, copied. */
static void keep_text(const struct detect_alert *a, void *ud)
{
	char *out = ud;

	if (a->nevidence)
		snprintf(out, DETECT_EVIDENCE_MAX + 1, "%.*s",
			 (int)a->evidence[0].text.len, a->evidence[0].text.p);
}

/* True when p is valid UTF-8 throughout: no character cut in two. */
static bool utf8_whole(const char *p)
{
	for (const unsigned char *s = (const unsigned char *)p; *s;) {
		int n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 :
			(*s & 0xf0) == 0xe0 ? 3 : (*s & 0xf8) == 0xf0 ? 4 : 0;

		if (n == 0)
			return false;
		for (int k = 1; k < n; k++)
			if ((s[k] & 0xc0) != 0x80)
				return false;
		s += n;
	}
	return true;
}

/*
 * A Windows record longer than an evidence copy (a Winlogbeat export
 * with its EventData first and long values) is kept as its own fields:
 * EventID, Channel and Computer first, the object closed, within the
 * limit, no character cut in two.
 */
static void test_long_windows_evidence(void **state)
{
	static const char yaml[] =
		"title: f\nname: f\nlogsource: {product: windows, service: "
		"security}\ndetection:\n  s: {EventID: 4625}\n  condition: "
		"s\n---\ntitle: C\ncorrelation:\n  type: event_count\n"
		"  rules: [f]\n  group-by: [Computer]\n  timespan: 60s\n"
		"  condition: {gte: 2}\n";
	struct t_run run = { 0 };
	struct detect_ruleset *rs = t_rules(yaml, &run);
	char spec[8192], text[DETECT_EVIDENCE_MAX + 1] = "", big[700];
	size_t at = 0;

	(void)state;
	assert_int_equal(run.nrejects, 0);
	/* 'a' then two-byte characters: a cut at an even length splits. */
	big[0] = 'a';
	for (size_t i = 1; i + 2 < sizeof(big); i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[sizeof(big) - 2] = '\0';
	for (int k = 1; k <= 8; k++)
		at += (size_t)snprintf(spec + at, sizeof(spec) - at,
				       "D%d=%s|", k, big);
	snprintf(spec + at, sizeof(spec) - at, "event.dataset=windows|"
		 "EventID=4625|Channel=Security|Computer=ws1|"
		 "Keywords=0x8010000000000000");
	for (unsigned k = 0; k < 3; k++) {
		struct core_event ev;

		t_event(&ev, spec, k * T_SEC, k + 1);
		detect_match(rs, &ev, keep_text, text);
	}
	detect_flush(rs, keep_text, text);
	assert_true(strncmp(text, "{\"EventID\":\"4625\",\"Channel\":"
			    "\"Security\",\"Computer\":\"ws1\",\"D1\":",
			    56) == 0);
	assert_true(strlen(text) <= DETECT_EVIDENCE_MAX);
	assert_int_equal(text[strlen(text) - 1], '}');
	assert_null(strstr(text, "Keywords"));
	assert_true(utf8_whole(text));
	detect_ruleset_free(rs);
}

static void test_evictions_counted(void **state)
{
	struct t_run run = { 0 };
	struct detect_ruleset *rs = detect_ruleset_new();
	struct detect_stats st;
	static char buf[100][64];

	(void)state;
	detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
	detect_ruleset_set_group_cap(rs, 10);
	detect_ruleset_load_buffer(rs, "c.yml", COUNT3, strlen(COUNT3),
				   t_on_reject, &run);
	for (unsigned k = 0; k < 100; k++) {
		struct core_event ev;

		snprintf(buf[k], sizeof(buf[k]), "event.action=hit|source.ip="
			 "10.0.0.%u|event.dataset=suricata.eve", k);
		t_event(&ev, buf[k], T_SEC, k + 1);
		detect_match(rs, &ev, t_on_alert, &run);
	}
	detect_ruleset_stats(rs, &st);
	assert_int_equal(st.evictions, 90);
	detect_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_burst_evidence_first_and_last),
		cmocka_unit_test(test_evictions_counted),
		cmocka_unit_test(test_long_windows_evidence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
