/*
 * test_alert.c: alerts folded into aggregated records
 * (src/incident/alert.c): repeats aggregate, counts stay exact, storage
 * stays flat on a million alerts, evidence is bounded, the events alerts
 * cite are told apart by their whole key whatever the input's name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "incident/incident_int.h"
#include "synth.h"

#define MILLION 1000000

/* A million alerts on 100 sources: 100 records, flat memory. */
static void test_million_repeats(void **state)
{
	struct incident_set *s = incident_set_new();
	struct incident_totals t;
	size_t mem_early = 0;
	char ip[32], text[64];

	(void)state;
	for (int i = 0; i < MILLION; i++) {
		struct synth x = { &rule_brute, T0 + i * 1000LL, 2, ip, NULL,
				   NULL, "h", NULL, text, (uint64_t)i };

		snprintf(ip, sizeof(ip), "10.0.%d.%d", i % 100 / 10, i % 10);
		snprintf(text, sizeof(text), "Failed password line %d", i);
		assert_int_equal(synth_add(s, &x), 0);
		if (i == 10000) {
			incident_set_totals(s, &t);
			mem_early = t.memory;
		}
	}
	incident_set_totals(s, &t);
	assert_int_equal(t.alerts, MILLION);
	assert_int_equal(t.events_attached, 2 * MILLION);
	assert_int_equal(t.records, 100);
	assert_true(t.memory <= mem_early + 4096);

	assert_int_equal(incident_build(s), 0);
	for (size_t i = 0; i < incident_set_alert_count(s); i++) {
		const struct incident_alert *a = incident_set_alert(s, i);

		assert_int_equal(a->raised, MILLION / 100);
		assert_true(a->nsample <= INCIDENT_RECORD_SAMPLES);
	}
	incident_set_free(s);
}

/* A million distinct sources with a small table: overflow, exact sums. */
static void test_million_distinct_overflow(void **state)
{
	struct incident_config cfg = { .max_records = 1000 };
	struct incident_set *s = incident_set_new();
	struct incident_totals t;
	uint64_t raised = 0;
	char ip[32];

	(void)state;
	assert_int_equal(incident_set_configure(s, &cfg), 0);
	for (int i = 0; i < MILLION; i++) {
		struct synth x = { &rule_scan, T0 + i * 1000LL, 1, ip, NULL,
				   NULL, NULL, NULL, NULL, (uint64_t)i };

		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16,
			 (i >> 8) & 255, i & 255);
		assert_int_equal(synth_add(s, &x), 0);
	}
	incident_set_totals(s, &t);
	assert_int_equal(t.alerts, MILLION);
	assert_int_equal(t.records, 1001);
	assert_int_equal(t.alerts_overflow, MILLION - 1000);
	assert_true(t.memory < 4u << 20);
	assert_int_equal(incident_set_configure(s, &cfg), CORE_E_INVAL);

	assert_int_equal(incident_build(s), 0);
	for (size_t i = 0; i < incident_set_alert_count(s); i++)
		raised += incident_set_alert(s, i)->raised;
	assert_int_equal(raised, MILLION);
	assert_true(incident_set_count(s) < 10);
	incident_set_free(s);
}

/* One incident from many records keeps the strongest evidence only. */
static void test_evidence_bounds(void **state)
{
	struct incident_set *s = incident_set_new();
	const struct incident *inc;
	char user[32];

	(void)state;
	for (int i = 0; i < 200; i++) {
		const struct detect_rule_info *r = i == 150 ? &rule_sudo :
						   &rule_brute;
		struct synth x = { r, T0 + i * SEC, 1, "203.0.113.5", user,
				   NULL, "h", NULL, NULL, (uint64_t)i + 1 };

		snprintf(user, sizeof(user), "u%d", i);
		synth_add(s, &x);
	}
	assert_int_equal(incident_build(s), 0);
	assert_int_equal(incident_set_count(s), 1);
	inc = incident_set_get(s, 0);
	assert_int_equal(inc->nevidence, INCIDENT_MAX_EVIDENCE);
	assert_ptr_equal(inc->evidence[0].rule, &rule_sudo);
	assert_int_equal(inc->evidence[0].line, 151);
	assert_int_equal(inc->evidence[1].line, 200);
	assert_true(inc->ntimeline <= INCIDENT_MAX_TIMELINE);
	assert_true(inc->nentities <= INCIDENT_MAX_SHOWN_ENTITIES);
	assert_int_equal(inc->entities_total, 202);
	assert_int_equal(inc->alerts, 200);
	incident_set_free(s);
}

/* Long evidence is cut; the alert's own bytes may go away. */
static void test_evidence_copied_and_cut(void **state)
{
	struct incident_set *s = incident_set_new();
	char text[2048];
	struct synth x = { &rule_web, T0, 1, "192.0.2.8", NULL, NULL, "h",
			   NULL, text, 9 };
	const struct incident_alert *a;

	(void)state;
	memset(text, 'A', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	synth_add(s, &x);
	memset(text, 'B', sizeof(text) - 1);
	assert_int_equal(incident_build(s), 0);
	a = incident_set_alert(s, 0);
	assert_int_equal(a->sample[0].text.len, INCIDENT_TEXT_MAX);
	assert_int_equal(a->sample[0].text.p[0], 'A');
	assert_int_equal(incident_add_alert(s, NULL), CORE_E_INVAL);
	incident_set_free(s);
}

/*
 * Every alert's evidence names its input, however many inputs there
 * are: a folder of 3,000 EVTX files once gave "(other input)" past the
 * 1,024th name.
 */
static void test_many_inputs_named(void **state)
{
	enum { INPUTS = 3000 };
	struct incident_set *s = incident_set_new();
	char name[64], ip[32];

	(void)state;
	for (int i = 0; i < INPUTS; i++) {
		struct synth x = { &rule_web, T0 + i * SEC, 1, ip, NULL, NULL,
				   "h", NULL, "GET /x", 1 };
		struct detect_alert a;

		snprintf(ip, sizeof(ip), "10.%d.%d.1", i >> 8, i & 255);
		snprintf(name, sizeof(name), "samples/file-%04d.evtx", i);
		synth_alert(&a, &x);
		a.evidence[0].src = name;
		assert_int_equal(incident_add_alert(s, &a), 0);
	}
	assert_int_equal(incident_build(s), 0);
	for (int i = 0; i < INPUTS; i += 999) {
		const struct incident_alert *a = incident_set_alert(s,
								   (size_t)i);

		snprintf(name, sizeof(name), "samples/file-%04d.evtx", i);
		assert_non_null(a);
		assert_string_equal(a->sample[0].src, name);
	}
	incident_set_free(s);
}

/*
 * Repeats of one alert more than a day apart are separate records, in
 * time order or not (files read by name): August, March, then August
 * again 19 days later make three; two a minute apart, one.
 */
static void test_gap_either_way(void **state)
{
	static const int64_t day = 24 * 3600 * SEC;
	static const int64_t at[] = { 153 * day, 0, 172 * day, 172 * day + 60 *
				      SEC };
	struct incident_set *s = incident_set_new();

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(at); i++) {
		struct synth x = { &rule_sudo, T0 + at[i], 1, NULL, "bob",
				   NULL, "h", NULL, NULL, (uint64_t)i };

		assert_int_equal(synth_add(s, &x), 0);
	}
	assert_int_equal(incident_set_alert_count(s), 3);
	for (size_t i = 0; i < incident_set_alert_count(s); i++) {
		const struct incident_alert *r = incident_set_alert(s, i);

		assert_true(r->ts_last - r->ts_first <= 60 * SEC);
	}
	incident_set_free(s);
}

/* A correlation over lines first..last of auth.log, each its evidence. */
static void corr_alert(struct detect_alert *a, uint64_t first,
		       uint64_t last, uint64_t count)
{
	memset(a, 0, sizeof(*a));
	a->rule = &rule_brute;
	a->ts_first = T0 + (int64_t)first * SEC;
	a->ts_last = T0 + (int64_t)last * SEC;
	a->count = count;
	for (uint64_t l = first; l <= last &&
	     a->nevidence < DETECT_ALERT_MAX_EVIDENCE; l++) {
		struct detect_evidence *e = &a->evidence[a->nevidence++];

		e->src = "auth.log";
		e->line = l;
		e->ts = T0 + (int64_t)l * SEC;
		e->text = synth_str("Failed password");
		e->entity[DETECT_ENT_SOURCE_IP] = synth_str("192.0.2.9");
		e->entity[DETECT_ENT_HOST] = synth_str("h");
	}
}

/*
 * An incident's events are distinct events: one event two rules raised,
 * or a plain rule and a correlation both cited, counts once; so does one
 * a correlation cites twice.  Beyond what alerts cite, the events its
 * sources did in its time and the events read bound the figure.
 */
static void test_events_counted_once(void **state)
{
	static const struct {
		unsigned nplain;	/* plain alerts, lines 1.. or 3 */
		bool same_line;		/* ... all on line 3 */
		uint64_t corr_count;	/* 0: no correlation (lines 1..5) */
		unsigned observed;	/* events read from the source */
		uint64_t want;
		const char *why;
	} rows[] = {
		{ 2, true, 0, 0, 1, "two rules on one event" },
		{ 3, true, 0, 0, 1, "three rules on one event" },
		{ 2, false, 0, 0, 2, "two rules on two events" },
		{ 1, true, 5, 0, 5, "a plain hit within a correlation" },
		{ 0, false, 5, 0, 5, "a correlation alone" },
		{ 1, true, 100, 10, 10, "no more than the source did" },
		{ 2, false, 0, 1, 1, "no more than were read" },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		static const struct detect_rule_info *plain[] = {
			&rule_sudo, &rule_web, &rule_login,
		};
		struct incident_set *s = incident_set_new();
		struct detect_alert a;
		const struct incident *inc;

		for (unsigned i = 0; i < rows[r].observed; i++)
			synth_observe(s, T0 + i * SEC, "ssh_login", "failure",
				      "192.0.2.9", "root", "h");
		if (rows[r].corr_count) {
			corr_alert(&a, 1, 5, rows[r].corr_count);
			assert_int_equal(incident_add_alert(s, &a), 0);
		}
		for (unsigned i = 0; i < rows[r].nplain; i++) {
			uint64_t line = rows[r].same_line ? 3 : 1 + i;
			struct synth x = { plain[i], T0 + (int64_t)line * SEC,
					   1, "192.0.2.9", NULL, NULL, "h",
					   NULL, NULL, line };

			assert_int_equal(synth_add(s, &x), 0);
		}
		assert_int_equal(incident_build(s), 0);
		assert_int_equal(incident_set_count(s), 1);
		inc = incident_set_get(s, 0);
		if (inc->events != rows[r].want)
			fail_msg("row %zu (%s): %llu events, want %llu", r,
				 rows[r].why, (unsigned long long)inc->events,
				 (unsigned long long)rows[r].want);
		incident_set_free(s);
	}
}

/* A plain alert of rule on 192.0.2.9 at h cites line `line` of src. */
static void cite_line(struct incident_set *s,
		      const struct detect_rule_info *rule, const char *src,
		      uint64_t line)
{
	struct synth x = { rule, T0 + (int64_t)line * SEC, 1, "192.0.2.9",
			   NULL, NULL, "h", NULL, NULL, line };
	struct detect_alert a;

	synth_alert(&a, &x);
	a.evidence[0].src = src;
	assert_int_equal(incident_add_alert(s, &a), 0);
}

/*
 * The events alerts cited are told apart by their real key, within a
 * window of the latest INCIDENT_CITE_SLOTS that no hash decides: every
 * event one record cited and another cited again while it was in the
 * window counts once, whatever the input is called.  A table indexed by
 * a hash of the input's name, one event a slot, forgot an event when a
 * later one fell in its slot: OpenSSH_2k.log gave 1453 events read as
 * "a.log" and 1454 as "ssh.log".
 */
static void test_cited_events_exact(void **state)
{
	enum { W = INCIDENT_CITE_SLOTS };
	static const char *const names[] = {
		"ssh.log", "a.log", "f", "/tmp/d1/ssh.log",
	};
	static const struct {
		uint64_t lines;		/* the first record cites 1..lines */
		uint64_t lag;		/* the second cites line - lag */
		uint64_t from;		/* ... from this line on */
		uint64_t want;
		const char *why;
	} rows[] = {
		{ W, W, 1, W, "a full window, cited again after it" },
		{ 4000, 100, 1, 4000, "cited again 100 events later" },
		{ W + 1000, W - 1, 1001, W + 1000,
		  "the latest window's events, after older ones left" },
		{ 3 * W, W / 2, 1, 3 * W,
		  "twice the window left, what stayed is still found" },
		{ W + 1, W + 1, 1, 2 * (W + 1),
		  "one more than the window: each left before its turn" },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		for (size_t k = 0; k < CORE_ARRAY_LEN(names); k++) {
			struct incident_set *s = incident_set_new();
			uint64_t n = rows[r].lines + rows[r].lag;
			const struct incident *inc;

			for (uint64_t i = 1; i <= n; i++) {
				uint64_t again = i - rows[r].lag;

				if (i <= rows[r].lines)
					cite_line(s, &rule_sudo, names[k], i);
				if (i > rows[r].lag && again >= rows[r].from)
					cite_line(s, &rule_web, names[k],
						  again);
			}
			assert_int_equal(incident_build(s), 0);
			assert_int_equal(incident_set_count(s), 1);
			inc = incident_set_get(s, 0);
			if (inc->events != rows[r].want)
				fail_msg("row %zu (%s) as %s: %llu events, "
					 "want %llu", r, rows[r].why, names[k],
					 (unsigned long long)inc->events,
					 (unsigned long long)rows[r].want);
			incident_set_free(s);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_million_repeats),
		cmocka_unit_test(test_million_distinct_overflow),
		cmocka_unit_test(test_evidence_bounds),
		cmocka_unit_test(test_evidence_copied_and_cut),
		cmocka_unit_test(test_gap_either_way),
		cmocka_unit_test(test_many_inputs_named),
		cmocka_unit_test(test_events_counted_once),
		cmocka_unit_test(test_cited_events_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
