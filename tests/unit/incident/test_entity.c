/*
 * test_entity.c: exact per-entity counters from events
 * (src/incident/entity.c): logins, distinct sets (exact, then
 * estimated), the table cap, the per-hour counters of a long input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <time.h>

#include "synth.h"

static const struct incident_counters *get(struct incident_set *s,
					   enum incident_entity_type t,
					   const char *v)
{
	return incident_set_counters(s, t, core_str_make(v, strlen(v)));
}

static void test_login_counts(void **state)
{
	struct incident_set *s = incident_set_new();
	const struct incident_counters *c;
	char user[32];

	(void)state;
	for (int i = 0; i < 50; i++) {
		snprintf(user, sizeof(user), "user%d", i % 10);
		synth_observe(s, T0 + i * SEC, "ssh_login", "failure",
			      "203.0.113.7", user, "web1");
	}
	synth_observe(s, T0 + 60 * SEC, "ssh_invalid_user", "failure",
		      "203.0.113.7", "oracle", "web1");
	synth_observe(s, T0 + 90 * SEC, "ssh_login", "success",
		      "203.0.113.7", "user3", "web1");
	synth_observe(s, T0 + 95 * SEC, "sudo_command", "success", NULL,
		      "user3", "web1");

	c = get(s, INCIDENT_ENT_SOURCE_IP, "203.0.113.7");
	assert_non_null(c);
	assert_int_equal(c->login_failures, 50);
	assert_int_equal(c->login_successes, 1);
	assert_int_equal(c->invalid_users, 1);
	assert_int_equal(c->distinct_users, 11);
	assert_false(c->distinct_estimated);
	assert_int_equal(c->first_seen, T0);
	assert_int_equal(c->last_success, T0 + 90 * SEC);

	c = get(s, INCIDENT_ENT_USER, "user3");
	assert_int_equal(c->login_failures, 5);
	assert_int_equal(c->login_successes, 1);
	assert_int_equal(c->privileged, 1);
	assert_int_equal(c->distinct_sources, 1);
	c = get(s, INCIDENT_ENT_HOST, "web1");
	assert_int_equal(c->events, 53);
	assert_null(get(s, INCIDENT_ENT_SOURCE_IP, "192.0.2.1"));
	incident_set_free(s);
}

static const struct {
	int users;
	bool estimated;
	const char *why;
} distinct_rows[] = {
	{ 1, false, "one" },
	{ INCIDENT_DISTINCT_EXACT, false, "the exact limit" },
	{ INCIDENT_DISTINCT_EXACT + 1, true, "one past it" },
	{ 5000, true, "many, estimated within 15%" },
};

static void test_distinct_users(void **state)
{
	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(distinct_rows); r++) {
		struct incident_set *s = incident_set_new();
		const struct incident_counters *c;
		int n = distinct_rows[r].users;
		char user[32];
		double err;

		for (int i = 0; i < n; i++) {
			snprintf(user, sizeof(user), "u%d", i);
			synth_observe(s, T0, "ssh_login", "failure",
				      "198.51.100.9", user, NULL);
			synth_observe(s, T0, "ssh_login", "failure",
				      "198.51.100.9", user, NULL);
		}
		c = get(s, INCIDENT_ENT_SOURCE_IP, "198.51.100.9");
		assert_int_equal(c->login_failures, 2 * n);
		assert_int_equal(c->distinct_estimated,
				 distinct_rows[r].estimated);
		err = ((double)c->distinct_users - n) / n;
		if (err > 0.15 || err < -0.15 ||
		    (!distinct_rows[r].estimated &&
		     c->distinct_users != (uint64_t)n))
			fail_msg("%s: %llu for %d", distinct_rows[r].why,
				 (unsigned long long)c->distinct_users, n);
		incident_set_free(s);
	}
}

static void test_table_cap(void **state)
{
	struct incident_config cfg = { .max_entities = 100 };
	struct incident_set *s = incident_set_new();
	struct incident_totals t;
	char ip[32];

	(void)state;
	incident_set_configure(s, &cfg);
	for (int i = 0; i < 1000; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 256, i % 256);
		synth_observe(s, T0, "http_request", "success", ip, NULL,
			      NULL);
	}
	incident_set_totals(s, &t);
	assert_int_equal(t.entities, 100);
	assert_int_equal(t.entities_untracked, 900);
	assert_int_equal(t.events_observed, 1000);
	assert_non_null(get(s, INCIDENT_ENT_SOURCE_IP, "10.0.0.1"));
	assert_null(get(s, INCIDENT_ENT_SOURCE_IP, "10.0.3.1"));
	incident_set_free(s);
}

/*
 * An entity active for years keeps one span per hour.  Finding the
 * span of an event must not walk them all: in time order (one file)
 * nor when a second file goes over the same hours again (auth.log
 * after syslog).  Walking them cost hours^2 and made a year of logs
 * crawl; a generous CPU-time bound catches that, not a slow machine.
 */
static void test_many_hours(void **state)
{
	enum { HOURS = 20000 };
	struct incident_set *s = incident_set_new();
	const struct incident_counters *c;
	clock_t t0 = clock();
	double cpu;

	(void)state;
	for (int pass = 0; pass < 2; pass++)
		for (int h = 0; h < HOURS; h++)
			synth_observe(s, T0 + (int64_t)h * 3600 * SEC,
				      "ssh_login", "failure", "203.0.113.9",
				      "root", "web1");
	cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;

	c = get(s, INCIDENT_ENT_SOURCE_IP, "203.0.113.9");
	assert_non_null(c);
	assert_int_equal(c->events, 2 * HOURS);
	assert_int_equal(c->login_failures, 2 * HOURS);
	if (cpu > 3.0)
		fail_msg("%d hours observed twice took %.1f s of CPU", HOURS,
			 cpu);
	incident_set_free(s);
}

/* Times at the ends of int64_t get an hour without overflow (UBSan). */
static void test_extreme_times(void **state)
{
	static const int64_t ts[] = { INT64_MIN + 1, INT64_MIN + 2, -1, 0,
				      INT64_MAX };
	struct incident_set *s = incident_set_new();
	const struct incident_counters *c;

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(ts); i++)
		synth_observe(s, ts[i], "ssh_login", "failure", "203.0.113.5",
			      "root", "h");
	c = get(s, INCIDENT_ENT_SOURCE_IP, "203.0.113.5");
	assert_non_null(c);
	assert_int_equal(c->login_failures, CORE_ARRAY_LEN(ts));
	incident_set_free(s);
}

/*
 * Entities active hour after hour (hosts, crawlers, cron users over a
 * month of logs) would each keep a span per hour: the spans are capped,
 * so memory stays bounded whatever the input's length, and the whole
 * input's counters stay exact.
 */
static void test_spans_capped(void **state)
{
	enum { SOURCES = 200, HOURS = 1000 };
	struct incident_set *s = incident_set_new();
	struct incident_totals t;
	const struct incident_counters *c;
	char ip[32];

	(void)state;
	for (int h = 0; h < HOURS; h++)
		for (int i = 0; i < SOURCES; i++) {
			snprintf(ip, sizeof(ip), "10.0.%d.%d", i >> 8, i & 255);
			synth_observe(s, T0 + (int64_t)h * 3600 * SEC,
				      "http_request", "success", ip, NULL,
				      NULL);
		}
	incident_set_totals(s, &t);
	if (t.memory > 24u << 20)
		fail_msg("%zu bytes for %d sources over %d hours", t.memory,
			 SOURCES, HOURS);
	c = get(s, INCIDENT_ENT_SOURCE_IP, "10.0.0.199");
	assert_non_null(c);
	assert_int_equal(c->events, HOURS);
	incident_set_free(s);
}

/*
 * Most entities of a web log are visitors seen within one hour: their
 * hour's figures are the entity's own, and keeping them again in a span
 * of their hour tripled the memory of a month of logs.  Only an entity
 * seen in a second hour needs spans.
 */
static void test_one_hour_entities(void **state)
{
	enum { SOURCES = 20000 };
	struct incident_set *s = incident_set_new();
	struct incident_totals t;
	char ip[32];

	(void)state;
	for (int i = 0; i < SOURCES; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16,
			 (i >> 8) & 255, i & 255);
		synth_observe(s, T0 + (int64_t)i * 60 * SEC, "http_request",
			      "success", ip, NULL, NULL);
	}
	incident_set_totals(s, &t);
	assert_int_equal(t.entities, SOURCES);
	if (t.memory > (size_t)SOURCES * 600)
		fail_msg("%zu bytes for %d entities of one hour each",
			 t.memory, SOURCES);
	incident_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_counts),
		cmocka_unit_test(test_distinct_users),
		cmocka_unit_test(test_table_cap),
		cmocka_unit_test(test_many_hours),
		cmocka_unit_test(test_one_hour_entities),
		cmocka_unit_test(test_spans_capped),
		cmocka_unit_test(test_extreme_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
