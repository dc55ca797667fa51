/*
 * test_embed.c: vectors by feature hashing: unit length, determinism,
 * and nearness of related texts over unrelated ones.
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

#include "anomaly/anomaly.h"

static const struct {
	const char *a, *b, *c, *why;	/* cos(a, b) > cos(a, c) */
} near_rows[] = {
	{ "Failed password for root from 10.0.0.1 port 22 ssh2",
	  "Failed password for admin from 10.9.9.9 port 4242 ssh2",
	  "session opened for user root by (uid=0)",
	  "same template, other values, is nearer than another template" },
	{ "Failed password for root from 10.0.0.1 port 22 ssh2",
	  "Failed passwd for root from 10.0.0.1 port 22 ssh2",
	  "Connection closed by 10.0.0.1 port 22",
	  "character trigrams keep a misspelling close" },
	{ "disk sda1 is 91% full", "disk sdb2 is 97% full",
	  "user bob logged out", "numbers are masked before hashing" },
};

static void test_embed_near_table(void **state)
{
	struct anomaly_embedder *e = anomaly_embedder_new(ANOMALY_DIM);
	float a[ANOMALY_DIM], b[ANOMALY_DIM], c[ANOMALY_DIM];

	(void)state;
	assert_non_null(e);
	for (size_t i = 0; i < sizeof(near_rows) / sizeof(near_rows[0]); i++) {
		anomaly_embed(e, near_rows[i].a, strlen(near_rows[i].a), a);
		anomaly_embed(e, near_rows[i].b, strlen(near_rows[i].b), b);
		anomaly_embed(e, near_rows[i].c, strlen(near_rows[i].c), c);
		if (!(anomaly_cosine(a, b, ANOMALY_DIM) >
		      anomaly_cosine(a, c, ANOMALY_DIM)))
			fail_msg("%s", near_rows[i].why);
	}
	anomaly_embedder_free(e);
}

static const struct {
	unsigned dim;
	bool ok;
	const char *why;
} dim_rows[] = {
	{ 256, true, "the default" },
	{ 512, true, "the largest" },
	{ 16, true, "the smallest" },
	{ 15, false, "too small" },
	{ 513, false, "too large" },
};

static void test_embed_dims_table(void **state)
{
	static float v[ANOMALY_DIM_MAX], w[ANOMALY_DIM_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(dim_rows) / sizeof(dim_rows[0]); i++) {
		unsigned d = dim_rows[i].dim;
		struct anomaly_embedder *e = anomaly_embedder_new(d);

		if ((e != NULL) != dim_rows[i].ok)
			fail_msg("dim %u: %s", d, dim_rows[i].why);
		if (!e)
			continue;
		anomaly_embed(e, "x y z", 5, v);
		anomaly_embed(e, "x y z", 5, w);
		assert_float_equal(anomaly_cosine(v, v, dim_rows[i].dim), 1.0,
				   1e-4);
		assert_memory_equal(v, w, dim_rows[i].dim * sizeof(float));
		anomaly_embed(e, "", 0, v);
		assert_float_equal(anomaly_cosine(v, v, dim_rows[i].dim), 0.0,
				   1e-9);
		anomaly_embedder_free(e);
	}
}

static void test_embed_idf_lowers_common_words(void **state)
{
	struct anomaly_embedder *e = anomaly_embedder_new(ANOMALY_DIM);
	float a[ANOMALY_DIM], b[ANOMALY_DIM], before, after;

	(void)state;
	anomaly_embed(e, "alpha for beta", 14, a);
	anomaly_embed(e, "gamma for delta", 15, b);
	before = anomaly_cosine(a, b, ANOMALY_DIM);
	for (int i = 0; i < 50; i++)
		anomaly_embedder_learn(e, "x for y", 7);
	anomaly_embed(e, "alpha for beta", 14, a);
	anomaly_embed(e, "gamma for delta", 15, b);
	after = anomaly_cosine(a, b, ANOMALY_DIM);
	assert_true(after < before);
	anomaly_embedder_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embed_near_table),
		cmocka_unit_test(test_embed_dims_table),
		cmocka_unit_test(test_embed_idf_lowers_common_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
