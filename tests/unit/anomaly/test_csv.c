/*
 * test_csv.c: the RFC 4180 reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "anomaly/anomaly.h"

static const struct {
	const char *in;
	size_t nrec;		/* records */
	size_t nf;		/* fields of the last record */
	const char *last;	/* its last field */
	const char *why;
} rows[] = {
	{ "a,b,c\n", 1, 3, "c", "plain" },
	{ "a,b\r\nc,d\r\n", 2, 2, "d", "CRLF" },
	{ "a,b\nc,d", 2, 2, "d", "no final line end" },
	{ "x,\"a,b\"\n", 1, 2, "a,b", "comma in quotes" },
	{ "x,\"say \"\"hi\"\"\"\n", 1, 2, "say \"hi\"", "doubled quotes" },
	{ "x,\"two\nlines\"\n", 1, 2, "two\nlines", "line end in quotes" },
	{ "a,,\n", 1, 3, "", "empty last field" },
	{ "\"\"\n", 1, 1, "", "empty quoted field" },
	{ "", 0, 0, NULL, "empty input" },
};

static void test_csv_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct anomaly_csv *c;
		struct core_str f[8], last = CORE_STR_NULL;
		size_t n = 0, nf = 0, nrec = 0;
		int rc;

		assert_int_equal(anomaly_csv_open_mem(rows[i].in,
						      strlen(rows[i].in), &c),
				 0);
		while ((rc = anomaly_csv_next(c, f, 8, &n, NULL)) == 1) {
			nrec++;
			nf = n;
			last = f[n - 1];
		}
		assert_int_equal(rc, 0);
		if (nrec != rows[i].nrec || nf != rows[i].nf)
			fail_msg("%s: %zu records, %zu fields", rows[i].why,
				 nrec, nf);
		if (rows[i].last && !core_str_eq(last, core_str_make(
				rows[i].last, strlen(rows[i].last))))
			fail_msg("%s: last field '%.*s'", rows[i].why,
				 (int)last.len, last.p);
		anomaly_csv_close(c);
	}
}

static void test_csv_unterminated(void **state)
{
	const char *in = "a,b\nc,\"open\n";
	struct anomaly_csv *c;
	struct core_error err;
	struct core_str f[4];
	size_t n;

	(void)state;
	assert_int_equal(anomaly_csv_open_mem(in, strlen(in), &c), 0);
	assert_int_equal(anomaly_csv_next(c, f, 4, &n, &err), 1);
	assert_int_equal(anomaly_csv_next(c, f, 4, &n, &err), CORE_E_PARSE);
	assert_int_equal(err.line, 2);
	anomaly_csv_close(c);
}

static void test_csv_too_many_fields(void **state)
{
	const char *in = "a,b,c,d\n";
	struct anomaly_csv *c;
	struct core_str f[2];
	size_t n;

	(void)state;
	assert_int_equal(anomaly_csv_open_mem(in, strlen(in), &c), 0);
	assert_int_equal(anomaly_csv_next(c, f, 2, &n, NULL), 1);
	assert_int_equal(n, 2);
	assert_int_equal(anomaly_csv_next(c, f, 2, &n, NULL), 0);
	anomaly_csv_close(c);
	anomaly_csv_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_table),
		cmocka_unit_test(test_csv_unterminated),
		cmocka_unit_test(test_csv_too_many_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
