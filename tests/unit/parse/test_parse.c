/*
 * test_parse.c: parse_record() itself: line-end trimming, RAW, AUTO,
 * failed records kept raw, and the shared helpers.
 */
#include "parse_test.h"

static void test_parse_raw_and_failures(void **state)
{
	struct core_event ev;
	static const char line[] = "anything at all\r\n";

	(void)state;
	core_event_reset(&ev, NULL);
	assert_int_equal(parse_record(CORE_FMT_RAW, NULL, &ev, line,
				      sizeof(line) - 1), CORE_E_PARSE);
	assert_false(ev.decoded);
	assert_int_equal(ev.raw.len, 15);
	assert_true(core_str_eq_lit(*core_event_get(&ev, CORE_F_MESSAGE),
				    "anything at all"));
	core_event_reset(&ev, NULL);
	assert_int_equal(parse_record(CORE_FMT__COUNT, NULL, &ev, line, 3),
			 CORE_E_INVAL);
}

static void test_parse_failed_keeps_only_raw(void **state)
{
	static const char line[] = "{\"event_type\":\"alert\",\"src_ip\":\"1\"";
	struct core_event ev;

	(void)state;
	core_event_reset(&ev, NULL);
	ev.src = "x.json";
	ev.line = 7;
	assert_int_equal(parse_record(CORE_FMT_EVE_JSON, NULL, &ev, line,
				      sizeof(line) - 1), CORE_E_PARSE);
	assert_int_equal(ev.nfields, 1);
	assert_int_equal(ev.line, 7);
	assert_string_equal(ev.src, "x.json");
	assert_int_equal(ev.format, CORE_FMT_EVE_JSON);
}

static void test_parse_auto(void **state)
{
	static const char line[] = "Mar  1 10:00:00 h sshd[1]: Invalid user a "
				   "from 192.0.2.1";
	struct core_event ev;

	(void)state;
	core_event_reset(&ev, NULL);
	assert_int_equal(parse_record(CORE_FMT_AUTO, NULL, &ev, line,
				      sizeof(line) - 1), 0);
	assert_int_equal(ev.format, CORE_FMT_SYSLOG);
	assert_true(ev.decoded);
}

static void test_parse_helpers(void **state)
{
	struct core_str s = CORE_STR("a b c"), tok;

	(void)state;
	assert_true(parse_token(&s, ' ', &tok));
	assert_true(core_str_eq_lit(tok, "a"));
	assert_int_equal(PARSE_RFIND(CORE_STR("x y x"), "x"), 4);
	assert_int_equal(PARSE_RFIND(CORE_STR(""), "x"), -1);
	assert_int_equal(PARSE_FIND(CORE_STR("ab"), "abc"), -1);
	assert_true(parse_is_digits(CORE_STR("0123")));
	assert_false(parse_is_digits(CORE_STR("")));
	assert_true(core_str_eq_lit(parse_small_num(23), "23"));
	assert_int_equal(parse_small_num(32).len, 0);
	assert_true(core_str_eq_lit(parse_transport(CORE_STR("TCP")), "tcp"));
	assert_int_equal(parse_transport(CORE_STR("xyz")).len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_raw_and_failures),
		cmocka_unit_test(test_parse_failed_keeps_only_raw),
		cmocka_unit_test(test_parse_auto),
		cmocka_unit_test(test_parse_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
