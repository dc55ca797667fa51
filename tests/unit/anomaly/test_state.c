/*
 * test_state.c: the model as a blob: round trip and rejected blobs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model_fixture.h"

static void count(const struct detect_alert *a, void *ud)
{
	(void)a;
	++*(unsigned *)ud;
}

static void test_round_trip(void **state)
{
	struct anomaly_model *m = learnt(), *back = NULL;
	struct core_buf a, b;
	struct core_error err;
	unsigned n1 = 0, n2 = 0;

	(void)state;
	core_buf_init(&a, 1u << 26);
	core_buf_init(&b, 1u << 26);
	assert_int_equal(anomaly_state_save(m, &a), 0);
	assert_int_equal(anomaly_state_load(a.p, a.len, NULL, &back, &err), 0);
	assert_int_equal(anomaly_model_learnt(back, NULL, NULL),
			 anomaly_model_learnt(m, NULL, NULL));
	assert_int_equal(anomaly_state_save(back, &b), 0);
	assert_int_equal(a.len, b.len);
	anomaly_model_score(m, event(T0 + 400 * HOUR, "Accepted publickey for "
			    "eve from 10.0.0.1 port 1 ssh2", "eve", "web1",
			    "10.0.0.5"), count, &n1);
	anomaly_model_score(back, event(T0 + 400 * HOUR, "Accepted publickey "
			    "for eve from 10.0.0.1 port 1 ssh2", "eve", "web1",
			    "10.0.0.5"), count, &n2);
	assert_true(n1 >= 1);		/* eve on web1, and her name */
	assert_int_equal(n1, n2);
	anomaly_model_free(m);
	anomaly_model_free(back);
	core_buf_free(&a);
	core_buf_free(&b);
}

static const struct {
	size_t cut;		/* bytes kept; 0: all, then flip */
	size_t flip;		/* offset of a byte made 0xff */
	const char *why;
} bad_rows[] = {
	{ 4, 0, "shorter than the magic" },
	{ 20, 0, "cut inside the header" },
	{ 100, 0, "cut inside the templates" },
	{ 0, 0, "bad magic" },
	{ 0, 8, "unknown version" },
	{ 0, 14, "bad dimension" },
	{ 0, 43, "template count beyond the bytes left" },
};

static void test_bad_blobs_table(void **state)
{
	struct anomaly_model *m = learnt(), *back;
	struct core_buf a;
	struct core_error err;

	(void)state;
	core_buf_init(&a, 1u << 26);
	assert_int_equal(anomaly_state_save(m, &a), 0);
	for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		char *copy = malloc(a.len);
		size_t len = bad_rows[i].cut ? bad_rows[i].cut : a.len;

		memcpy(copy, a.p, a.len);
		if (!bad_rows[i].cut)
			copy[bad_rows[i].flip] = (char)0xff;
		back = (struct anomaly_model *)1;
		if (anomaly_state_load(copy, len, NULL, &back, &err) !=
		    CORE_E_PARSE || back != NULL)
			fail_msg("%s", bad_rows[i].why);
		free(copy);
	}
	anomaly_model_free(m);
	core_buf_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_blobs_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
