/*
 * test_baseline.c: the summary of every observed entity
 * (src/incident/baseline.c): counts, mean and variance, the histogram,
 * quantiles, the largest values and the iteration over entities.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "synth.h"

/* n sources failing k times each, from 198.51.100.x or 203.0.113.x. */
struct crowd {
	const char *prefix;
	int n;
	int failures;
};

static void feed(struct incident_set *s, const struct crowd *c, size_t nc)
{
	char ip[32];
	int64_t t = T0;

	for (size_t i = 0; i < nc; i++)
		for (int j = 0; j < c[i].n; j++)
			for (int k = 0; k < c[i].failures; k++) {
				snprintf(ip, sizeof(ip), "%s%d", c[i].prefix,
					 j + 1);
				synth_observe(s, t += SEC, "ssh_login",
					      "failure", ip, "alice", "web1");
			}
}

static void test_distribution_of_failures(void **state)
{
	static const struct crowd crowd[] = {
		{ "198.51.100.", 99, 1 },	/* mistyped passwords */
		{ "203.0.113.", 1, 500 },	/* the one guessing */
	};
	struct incident_distribution d[INCIDENT_CNT__COUNT];
	struct incident_set *s = incident_set_new();
	const struct incident_distribution *f;

	(void)state;
	feed(s, crowd, CORE_ARRAY_LEN(crowd));
	incident_set_distributions(s, INCIDENT_ENT_SOURCE_IP, d);
	f = &d[INCIDENT_CNT_LOGIN_FAILURES];
	assert_int_equal(f->population, 100);
	assert_int_equal(f->nonzero, 100);
	assert_int_equal(f->max, 500);
	assert_int_equal(f->top[0], 500);
	assert_int_equal(f->top[1], 1);
	assert_int_equal(f->ntop, INCIDENT_DIST_TOP);
	assert_true(f->mean > 5.98 && f->mean < 6.0);
	/* 99 values of 1 and one of 500: variance (n-1)/n^2 * 499^2. */
	assert_true(f->variance > 2465 && f->variance < 2466);
	assert_int_equal(f->p50, 1);
	assert_int_equal(f->p90, 1);
	assert_int_equal(f->bins[1], 99);
	assert_int_equal(f->bins[9], 1);	/* 256..511 */
	/* Nothing succeeded: the counter is all zero, in bin 0. */
	assert_int_equal(d[INCIDENT_CNT_LOGIN_SUCCESSES].bins[0], 100);
	assert_int_equal(d[INCIDENT_CNT_LOGIN_SUCCESSES].max, 0);
	incident_set_free(s);
}

static void test_types_and_iteration(void **state)
{
	static const struct crowd crowd[] = { { "192.0.2.", 3, 2 } };
	struct incident_distribution d[INCIDENT_CNT__COUNT];
	struct incident_set *s = incident_set_new();
	enum incident_entity_type t;
	const struct incident_counters *c;
	struct core_str v;
	size_t n = 0, ips = 0;

	(void)state;
	feed(s, crowd, CORE_ARRAY_LEN(crowd));
	while (incident_set_observed(s, n, &t, &v, &c)) {
		ips += t == INCIDENT_ENT_SOURCE_IP;
		assert_true(c->events > 0);
		n++;
	}
	/* Three sources, one user, one host. */
	assert_int_equal(n, 5);
	assert_int_equal(ips, 3);
	incident_set_distributions(s, INCIDENT_ENT_TARGET_USER, d);
	assert_int_equal(d[INCIDENT_CNT_EVENTS].population, 1);
	assert_int_equal(d[INCIDENT_CNT_EVENTS].max, 6);
	incident_set_distributions(s, INCIDENT_ENT_URL_PATTERN, d);
	assert_int_equal(d[INCIDENT_CNT_EVENTS].population, 0);
	incident_set_distributions(NULL, INCIDENT_ENT_HOST, d);
	assert_int_equal(d[INCIDENT_CNT_EVENTS].population, 0);
	incident_set_free(s);
}

static void test_counter_names(void **state)
{
	static const struct {
		enum incident_counter_id k;
		const char *name;
	} rows[] = {
		{ INCIDENT_CNT_EVENTS, "events" },
		{ INCIDENT_CNT_HTTP_4XX, "http_4xx" },
		{ INCIDENT_CNT_DISTINCT_SOURCES, "distinct_sources" },
		{ INCIDENT_CNT__COUNT, "" },	/* out of range */
	};

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++)
		assert_string_equal(incident_counter_name(rows[i].k),
				    rows[i].name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distribution_of_failures),
		cmocka_unit_test(test_types_and_iteration),
		cmocka_unit_test(test_counter_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
