/*
 * test_query.c: the read-only tools' JSON: valid, with the figures the
 * fixture wrote, and bounded by row limits and byte budgets whatever the
 * store holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "tmpstore.h"

static cJSON *parse(const struct core_buf *b)
{
	cJSON *d = cJSON_ParseWithLength(b->p, b->len);

	assert_non_null(d);
	return d;
}

static void incident_document_holds_the_fixture(void **state)
{
	struct tmpstore t;
	struct fixture f;
	struct core_buf b;
	cJSON *d, *e;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	fixture_write(t.st, &f);
	core_buf_init(&b, 1 << 20);
	assert_int_equal(store_query_incident(t.st, f.inc[0], NULL, &b, NULL),
			 0);
	d = parse(&b);
	assert_string_equal(cJSON_GetObjectItem(d, "title")->valuestring,
			    "SSH brute force: root");
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "entities"), 0);
	assert_string_equal(cJSON_GetObjectItem(e, "value")->valuestring,
			    "203.0.113.5");
	assert_int_equal(cJSON_GetObjectItem(e, "login_failures")->valueint,
			 37);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(d,
			 "alert_records")), 1);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(d, "truncated")));
	cJSON_Delete(d);
	core_buf_reset(&b);
	assert_int_equal(store_query_incident(t.st, 999, NULL, &b, NULL),
			 CORE_E_NOTFOUND);
	core_buf_free(&b);
	tmp_cleanup(&t);
}

static void entity_document_ranks_and_peers(void **state)
{
	struct store_query q = { .type = "source.ip",
				 .value = CORE_STR("203.0.113.5") };
	struct tmpstore t;
	struct fixture f;
	struct core_buf b;
	cJSON *d, *e, *u, *c;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	fixture_write(t.st, &f);
	core_buf_init(&b, 1 << 20);
	assert_int_equal(store_query_entity(t.st, &q, &b, NULL), 0);
	d = parse(&b);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "entities"), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(e,
			 "incidents")), 2);
	/* Peers: root (first alert) and web1 (second alert). */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(e, "peers")),
			 2);
	u = cJSON_GetObjectItem(e, "unusual");
	assert_int_equal(cJSON_GetObjectItem(u, "population")->valueint, 1);
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(u, "counters"), 0);
	assert_int_equal(cJSON_GetObjectItem(c, "rank")->valueint, 1);
	cJSON_Delete(d);
	q.value = CORE_STR("198.51.100.1");
	core_buf_reset(&b);
	assert_int_equal(store_query_entity(t.st, &q, &b, NULL),
			 CORE_E_NOTFOUND);
	core_buf_free(&b);
	tmp_cleanup(&t);
}

/* The counter named name in the entity's "unusual" section. */
static cJSON *counter_of(cJSON *doc, const char *name, const char **basis)
{
	cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "entities"), 0);
	cJSON *u = cJSON_GetObjectItem(e, "unusual"), *c;

	*basis = cJSON_GetStringValue(cJSON_GetObjectItem(u, "basis"));
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(u, "counters"))
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c,
			    "counter")), name))
			return c;
	return NULL;
}

/*
 * With a baseline of every observed source (99 with one event, one with
 * 40), the fixture's source (40 events) is extreme and ranks first;
 * the host, whose type has no baseline, falls back to stored entities.
 */
static void entity_is_weighed_against_the_baseline(void **state)
{
	struct store_baseline b = {
		.type = "source.ip", .counter = "events", .population = 100,
		.nonzero = 100, .mean = 1.39, .variance = 15.06, .max = 40,
		.p50 = 1, .p90 = 1, .p99 = 1, .ntop = 3,
		.top = { 40, 1, 1 },
	};
	struct store_query q = { .type = "source.ip",
				 .value = CORE_STR("203.0.113.5") };
	const char *basis;
	struct tmpstore t;
	struct fixture f;
	struct core_buf buf;
	cJSON *d, *c;

	(void)state;
	b.bins[1] = 99;
	b.bins[6] = 1;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	fixture_write(t.st, &f);
	assert_int_equal(store_baseline_add(t.st, f.run, &b, NULL), 0);
	core_buf_init(&buf, 1 << 20);
	assert_int_equal(store_query_entity(t.st, &q, &buf, NULL), 0);
	d = parse(&buf);
	c = counter_of(d, "events", &basis);
	assert_string_equal(basis, "all observed entities");
	assert_non_null(c);
	assert_int_equal(cJSON_GetObjectItem(c, "rank")->valueint, 1);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c, "rank_exact")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c, "extreme")));
	assert_true(cJSON_GetObjectItem(c, "z")->valuedouble > 9);
	assert_true(cJSON_GetObjectItem(c, "percentile")->valuedouble > 99);
	cJSON_Delete(d);
	q.type = "host.name";
	q.value = CORE_STR("web1");
	core_buf_reset(&buf);
	assert_int_equal(store_query_entity(t.st, &q, &buf, NULL), 0);
	d = parse(&buf);
	c = counter_of(d, "events", &basis);
	assert_string_equal(basis, "stored entities");
	assert_null(cJSON_GetObjectItem(c, "extreme"));
	cJSON_Delete(d);
	b.ntop = STORE_BASELINE_TOP + 1;
	assert_int_equal(store_baseline_add(t.st, f.run, &b, NULL),
			 CORE_E_INVAL);
	core_buf_free(&buf);
	tmp_cleanup(&t);
}

/* Many alerts on one entity: every list stays within its bounds. */
static void queries_are_bounded(void **state)
{
	static const struct {
		size_t limit, max_bytes;
		const char *why;
	} rows[] = {
		{ 0, 0, "defaults" },
		{ 5, 0, "row limit" },
		{ 0, 2048, "byte budget" },
		{ 100000, 4096, "limit above the cap, small budget" },
	};
	struct tmpstore t;
	struct fixture f;
	char text[600];

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	fixture_write(t.st, &f);
	memset(text, 'x', sizeof(text));
	assert_int_equal(store_begin(t.st, NULL), 0);
	for (int i = 0; i < 800; i++) {
		struct store_alert a = { .run_id = f.run, .rule_id = "r-many",
					 .rule_title = "many", .level = "low",
					 .nentities = 1, .entities = &f.ip };
		struct store_event_ref r = { .run_id = f.run, .file = "a.log",
					     .line = (uint64_t)i + 1,
					     .ts = T0 + i,
					     .text = { text, sizeof(text) } };

		assert_int_equal(store_alert_add(t.st, &a, &r.alert_id, NULL),
				 0);
		assert_int_equal(store_event_ref_add(t.st, &r, NULL, NULL), 0);
	}
	assert_int_equal(store_commit(t.st, NULL), 0);

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct store_query q = { .value = CORE_STR("203.0.113.5"),
					 .limit = rows[i].limit,
					 .max_bytes = rows[i].max_bytes };
		size_t budget = rows[i].max_bytes ? rows[i].max_bytes :
			STORE_QUERY_DEFAULT_BYTES;
		int (*fn[])(struct store *, const struct store_query *,
			    struct core_buf *, struct core_error *) = {
			store_query_entity, store_query_events,
			store_query_rules,
		};

		for (size_t k = 0; k < sizeof(fn) / sizeof(fn[0]); k++) {
			struct core_buf b;
			cJSON *d;

			core_buf_init(&b, 1 << 22);
			assert_int_equal(fn[k](t.st, &q, &b, NULL), 0);
			d = parse(&b);
			/* Closing brackets may pass the budget slightly. */
			assert_true(b.len <= budget + 256);
			if (k < 2)
				assert_true(cJSON_IsTrue(cJSON_GetObjectItem(
					d, "truncated")));
			cJSON_Delete(d);
			core_buf_free(&b);
		}
	}
	tmp_cleanup(&t);
}

static void templates_come_from_state(void **state)
{
	struct tmpstore t;
	struct core_buf b;
	cJSON *d, *x;

	(void)state;
	tmp_path(&t);
	assert_int_equal(tmp_open(&t, 0), 0);
	assert_int_equal(store_state_put(t.st, "anomaly.templates", "auth",
					 "{\"n\":3}", 7, NULL), 0);
	assert_int_equal(store_state_put(t.st, "anomaly.templates", "bin",
					 "\x01\x02", 2, NULL), 0);
	core_buf_init(&b, 1 << 20);
	assert_int_equal(store_query_templates(t.st, NULL, &b, NULL), 0);
	d = parse(&b);
	x = cJSON_GetObjectItem(d, "templates");
	assert_int_equal(cJSON_GetArraySize(x), 2);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(
		cJSON_GetArrayItem(x, 0), "data"), "n")->valueint, 3);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(x, 1),
						     "data")));
	cJSON_Delete(d);
	core_buf_free(&b);
	tmp_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(incident_document_holds_the_fixture),
		cmocka_unit_test(entity_document_ranks_and_peers),
		cmocka_unit_test(entity_is_weighed_against_the_baseline),
		cmocka_unit_test(queries_are_bounded),
		cmocka_unit_test(templates_come_from_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
