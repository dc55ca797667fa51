/*
 * test_time.c: civil-time conversion and ISO 8601 parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"

struct iso_case {
	const char *in;
	size_t consumed;	/* 0: must be rejected */
	int64_t want;		/* microseconds since the epoch */
	const char *why;
};

static const struct iso_case iso_cases[] = {
	{ "1970-01-01T00:00:00Z", 20, 0, "the epoch" },
	{ "2024-02-29T12:00:00Z", 20, 1709208000000000LL, "leap day" },
	{ "2023-02-29T12:00:00Z", 0, 0, "not a leap year" },
	{ "2024-03-01T10:00:00.123456+01:00", 32, 1709283600123456LL,
	  "fraction and positive offset" },
	{ "2024-03-01 09:00:00.5", 21, 1709283600500000LL,
	  "space separator, no zone means UTC" },
	{ "2024-03-01T09:00:00.123456789Z", 30, 1709283600123456LL,
	  "nanoseconds are cut to microseconds" },
	{ "2024-03-01T04:00:00-0500", 24, 1709283600000000LL,
	  "offset without a colon" },
	{ "2024-13-01T00:00:00Z", 0, 0, "month 13" },
	{ "2024-04-31T00:00:00Z", 0, 0, "April has 30 days" },
	{ "99999-01-01T00:00:00Z", 0, 0, "five-digit year" },
	{ "1969-12-31T23:59:59Z", 0, 0, "before the supported range" },
	{ "2024-03-01T24:00:00Z", 0, 0, "hour 24" },
	{ "2024-03-01", 0, 0, "date only" },
	{ "2024-03-01T10:00", 16, 1709287200000000LL, "no seconds" },
	{ "garbage", 0, 0, "not a time" },
};

static void test_iso_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(iso_cases); i++) {
		const struct iso_case *c = &iso_cases[i];
		int64_t got = -1;
		size_t n = core_time_parse_iso(c->in, strlen(c->in), &got);

		if (n != c->consumed || (n && got != c->want))
			fail_msg("%s: '%s' consumed %zu want %zu, got %lld",
				 c->why, c->in, n, c->consumed,
				 (long long)got);
	}
}

static void test_format_roundtrip(void **state)
{
	static const char *stamps[] = {
		"1970-01-01T00:00:00.000000Z",
		"2000-02-29T23:59:59.999999Z",
		"2026-12-04T14:10:27.000001Z",
		"9999-12-31T23:59:59.000000Z",
	};
	char out[64];

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(stamps); i++) {
		int64_t ts;

		assert_int_equal(core_time_parse_iso(stamps[i],
						     strlen(stamps[i]), &ts),
				 strlen(stamps[i]));
		core_time_format(ts, out, sizeof(out));
		assert_string_equal(out, stamps[i]);
	}
	core_time_format(CORE_TS_UNKNOWN, out, sizeof(out));
	assert_string_equal(out, "-");
}

static void test_months(void **state)
{
	(void)state;
	assert_int_equal(core_month_from_abbr("Jan"), 1);
	assert_int_equal(core_month_from_abbr("Dec"), 12);
	assert_int_equal(core_month_from_abbr("jan"), 0);
	assert_int_equal(core_month_from_abbr("Foo"), 0);
}

static void test_days_from_civil(void **state)
{
	(void)state;
	assert_int_equal(core_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(core_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(core_days_from_civil(1969, 12, 31), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iso_table),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_months),
		cmocka_unit_test(test_days_from_civil),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
