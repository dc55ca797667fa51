/*
 * test_space.c: PCA by power iteration, leader clustering and the SVG.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include <cmocka.h>

#include "anomaly/anomaly.h"

/* Points on a line along axis 3 of 16: the first component finds it. */
static void test_pca_finds_the_spread_axis(void **state)
{
	float v[8 * 16] = { 0 }, xy[16];

	(void)state;
	for (int r = 0; r < 8; r++) {
		v[r * 16 + 3] = (float)r;
		v[r * 16 + 5] = (r % 2) ? 0.1f : -0.1f;
	}
	assert_int_equal(anomaly_pca2(v, 8, 16, xy), 0);
	for (int r = 1; r < 8; r++)
		assert_float_equal(xy[2 * r] - xy[2 * (r - 1)],
				   xy[2] - xy[0], 2e-2);
	assert_true(xy[2] - xy[0] > 0.9 || xy[2] - xy[0] < -0.9);
}

static const struct {
	float cos;		/* of the second vector with the first */
	double min;
	long clusters;
	const char *why;
} cluster_rows[] = {
	{ 0.95f, 0.8, 1, "near-duplicates join" },
	{ 0.5f, 0.8, 2, "far apart stay apart" },
	{ 0.8f, 0.8, 1, "the threshold is inclusive" },
};

static void test_cluster_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cluster_rows) / sizeof(cluster_rows[0]);
	     i++) {
		float c = cluster_rows[i].cos, v[2 * 16] = { 0 };
		uint64_t w[2] = { 5, 1 };
		uint32_t cl[2];

		v[0] = 1;
		v[16] = c;
		v[17] = sqrtf(1 - c * c);
		if (anomaly_cluster(v, w, 2, 16, cluster_rows[i].min, cl) !=
		    cluster_rows[i].clusters)
			fail_msg("%s", cluster_rows[i].why);
		assert_int_equal(cl[0], 0);
	}
}

static void test_svg_escapes_labels(void **state)
{
	struct anomaly_plot_point pt[2] = {
		{ { "a <b> & \"c\"", 12 }, 10, 0, ANOMALY_MARK_NONE },
		{ { "rare one", 8 }, 1, 1, ANOMALY_MARK_RARE },
	};
	float xy[4] = { 0, 0, 1, 1 };
	char buf[65536];
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
	size_t n;

	(void)state;
	assert_int_equal(anomaly_plot_svg(f, pt, xy, 2, "t<"), 0);
	n = (size_t)ftell(f);
	fclose(f);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "a &lt;b&gt; &amp; &quot;c&quot;"));
	assert_non_null(strstr(buf, "t&lt;"));
	assert_non_null(strstr(buf, "stroke=\"#d62728\""));
	assert_null(strstr(buf, "<b>"));
	assert_non_null(strstr(buf, "</svg>"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pca_finds_the_spread_axis),
		cmocka_unit_test(test_cluster_table),
		cmocka_unit_test(test_svg_escapes_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
