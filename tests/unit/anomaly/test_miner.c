/*
 * test_miner.c: online template mining and the final merging pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "anomaly/anomaly.h"

/* Mines lines; returns the text of the template of line `which`. */
static const char *mine(const char *const *lines, size_t n, size_t which,
			uint32_t *ids, struct anomaly_miner **keep)
{
	static char out[1024];
	struct anomaly_miner *m = anomaly_miner_new(NULL);
	struct anomaly_template t;

	assert_non_null(m);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(anomaly_miner_add(m, lines[i],
						   strlen(lines[i]), &ids[i]),
				 0);
	assert_int_equal(anomaly_miner_finish(m), 0);
	for (size_t i = 0; i < n; i++)
		ids[i] = anomaly_miner_resolve(m, ids[i]);
	anomaly_miner_get(m, ids[which], &t);
	snprintf(out, sizeof(out), "%.*s", (int)t.text.len, t.text.p);
	if (keep)
		*keep = m;
	else
		anomaly_miner_free(m);
	return out;
}

static void test_numbers_and_hosts_join(void **state)
{
	const char *lines[] = {
		"Received disconnect from 1.2.3.4: 11: Bye Bye",
		"Received disconnect from 5.6.7.8: 11: Bye Bye",
		"reverse mapping for a1.example.com [1.2.3.4] failed",
		"reverse mapping for mail2.test.org [5.6.7.8] failed",
	};
	uint32_t id[4];

	(void)state;
	assert_string_equal(mine(lines, 4, 0, id, NULL),
			    "Received disconnect from <*>: <*>: Bye Bye");
	assert_int_equal(id[0], id[1]);
	assert_string_equal(mine(lines, 4, 2, id, NULL),
			    "reverse mapping for <*> [<*>] failed");
	assert_int_equal(id[2], id[3]);
	assert_int_not_equal(id[0], id[2]);
}

static void test_constant_words_stay_apart(void **state)
{
	const char *lines[] = {
		"session opened for root",
		"session closed for root",
		"VM Started (Lifecycle Event)",
		"VM Stopped (Lifecycle Event)",
	};
	uint32_t id[4];

	(void)state;
	mine(lines, 4, 0, id, NULL);
	assert_int_not_equal(id[0], id[1]);
	assert_int_not_equal(id[2], id[3]);
}

static void test_rare_words_merge_at_end(void **state)
{
	const char *lines[] = {
		"Invalid user alice from 1.1.1.1",
		"Invalid user bob from 1.1.1.2",
		"Invalid user carol from 1.1.1.3",
		"Invalid user dave from 1.1.1.4",
		"Invalid user erin from 1.1.1.5",
	};
	uint32_t id[5];

	(void)state;
	assert_string_equal(mine(lines, 5, 0, id, NULL),
			    "Invalid user <*> from <*>");
	for (size_t i = 1; i < 5; i++)
		assert_int_equal(id[i], id[0]);
}

static void test_keyword_merges_two(void **state)
{
	const char *lines[] = {
		"session closed for user news",
		"session closed for user cyrus",
		"session closed for user news",
	};
	uint32_t id[3];

	(void)state;
	assert_string_equal(mine(lines, 3, 0, id, NULL),
			    "session closed for user <*>");
	assert_int_equal(id[0], id[1]);
}

static void test_keys_must_agree(void **state)
{
	const char *lines[] = {
		"getDataEnabled: subId=1 phoneId=1",
		"getDataEnabled: subId=1 retVal=true",
	};
	uint32_t id[2];

	(void)state;
	mine(lines, 2, 0, id, NULL);
	assert_int_not_equal(id[0], id[1]);
}

static void test_widening_keeps_punctuation(void **state)
{
	const char *lines[] = {
		"connect rhost=a.example.org done",
		"connect rhost=b.example.net done",
		"connect rhost=c.example.com done",
		"connect (id3) done",
		"connect (id4) done",
	};
	uint32_t id[5];

	(void)state;
	assert_string_equal(mine(lines, 5, 0, id, NULL),
			    "connect rhost=<*> done");
	assert_string_equal(mine(lines, 5, 3, id, NULL),
			    "connect (<*>) done");
}

static void test_stable_ids_and_counts(void **state)
{
	const char *lines[] = { "a b 1", "a b 2", "a b 3" };
	struct anomaly_miner *m;
	struct anomaly_template t;
	uint32_t id[3];

	(void)state;
	mine(lines, 3, 0, id, &m);
	anomaly_miner_get(m, id[0], &t);
	assert_int_equal(t.count, 3);
	assert_true(t.live);
	assert_true(t.id == anomaly_template_id("a b <*>", 7));
	assert_int_equal(strncmp(t.example.p, "a b 1", 5), 0);
	anomaly_miner_free(m);
}

static void test_bounded_templates(void **state)
{
	struct anomaly_miner_opts o;
	struct anomaly_miner *m;
	char line[64];

	(void)state;
	anomaly_miner_opts_default(&o);
	o.max_templates = 8;
	m = anomaly_miner_new(&o);
	assert_non_null(m);
	for (int i = 0; i < 200; i++) {
		int n = snprintf(line, sizeof(line), "w%c%c only", 'a' + i % 26,
				 'a' + i / 26);

		assert_int_equal(anomaly_miner_add(m, line, (size_t)n, NULL),
				 0);
	}
	assert_true(anomaly_miner_clusters(m) <= 9);
	anomaly_miner_free(m);
	anomaly_miner_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_and_hosts_join),
		cmocka_unit_test(test_constant_words_stay_apart),
		cmocka_unit_test(test_rare_words_merge_at_end),
		cmocka_unit_test(test_keyword_merges_two),
		cmocka_unit_test(test_keys_must_agree),
		cmocka_unit_test(test_widening_keeps_punctuation),
		cmocka_unit_test(test_stable_ids_and_counts),
		cmocka_unit_test(test_bounded_templates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
