/*
 * test_judge.c: precision and recall on labelled logs: a fixture of
 * our own, and the floor on the loghub BGL sample.
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

/* BGL keeps the floor a little below what it measured (F1 0.121). */
#define FLOOR_BGL_RECALL 0.95
#define FLOOR_BGL_F1 0.10

static const char fixture[] =
"LineId,Label,Timestamp,Node,Component,Content\n"
"1,-,100,n1,KERNEL,instruction cache parity error corrected\n"
"2,-,101,n1,KERNEL,generating core.12\n"
"3,-,102,n1,KERNEL,instruction cache parity error corrected\n"
"4,-,103,n1,KERNEL,generating core.13\n"
"5,-,104,n1,KERNEL,generating core.99\n"
"6,FATAL,105,n1,KERNEL,machine check interrupt on node 7\n"
"7,-,106,n1,KERNEL,instruction cache parity error corrected\n"
"8,-,107,n1,KERNEL,generating core.7\n";

static void test_judge_fixture(void **state)
{
	char path[] = "/tmp/vigil_judge_XXXXXX";
	int fd = mkstemp(path);
	struct anomaly_judgement j;
	struct core_error err;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, fixture, sizeof(fixture) - 1),
			 (ssize_t)sizeof(fixture) - 1);
	close(fd);
	assert_int_equal(anomaly_judge_file(path, 0.5, &j, &err), 0);
	assert_int_equal(j.learn_lines, 4);
	assert_int_equal(j.test_lines, 4);
	assert_int_equal(j.true_pos, 1);
	assert_int_equal(j.false_pos, 0);
	assert_int_equal(j.false_neg, 0);
	assert_float_equal(j.f1, 1.0, 1e-9);
	assert_int_equal(anomaly_judge_file(path, 1.5, &j, &err),
			 CORE_E_INVAL);
	unlink(path);
}

static void test_bgl_floor(void **state)
{
	char path[4096];
	struct anomaly_judgement j;
	struct core_error err;

	(void)state;
	snprintf(path, sizeof(path), "%s/loghub/BGL/BGL_2k.log_structured.csv",
		 TEST_DATASETS);
	if (access(path, R_OK) != 0) {
		printf("SKIP: dataset absent at %s\n", path);
		skip();
	}
	assert_int_equal(anomaly_judge_file(path, 0.5, &j, &err), 0);
	printf("BGL_2k P %.4f R %.4f F1 %.4f\n", j.precision, j.recall, j.f1);
	assert_true(j.recall >= FLOOR_BGL_RECALL);
	assert_true(j.f1 >= FLOOR_BGL_F1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_fixture),
		cmocka_unit_test(test_bgl_floor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
