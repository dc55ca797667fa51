/*
 * test_str.c: string helpers and the bounded buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"

static struct core_str S(const char *s)
{
	return core_str_make(s, strlen(s));
}

struct u64_case {
	const char *in;
	bool ok;
	uint64_t want;
	const char *why;
};

static const struct u64_case u64_cases[] = {
	{ "0", true, 0, "zero" },
	{ "18446744073709551615", true, UINT64_MAX, "largest" },
	{ "18446744073709551616", false, 0, "one past the largest" },
	{ "", false, 0, "empty" },
	{ "12a", false, 0, "junk after digits" },
	{ "-1", false, 0, "sign is not a digit" },
	{ " 1", false, 0, "leading space" },
};

static void test_to_u64(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(u64_cases); i++) {
		const struct u64_case *c = &u64_cases[i];
		uint64_t v = 0;
		bool ok = core_str_to_u64(S(c->in), &v);

		if (ok != c->ok || (ok && v != c->want))
			fail_msg("%s: '%s'", c->why, c->in);
	}
}

static void test_to_i64(void **state)
{
	int64_t v;

	(void)state;
	assert_true(core_str_to_i64(S("-9223372036854775808"), &v));
	assert_true(v == INT64_MIN);
	assert_false(core_str_to_i64(S("9223372036854775808"), &v));
	assert_true(core_str_to_i64(S("+42"), &v));
	assert_int_equal(v, 42);
}

static void test_find(void **state)
{
	(void)state;
	assert_int_equal(core_str_find(S("abcabc"), S("ca")), 2);
	assert_int_equal(core_str_find(S("abc"), S("abcd")), -1);
	assert_int_equal(core_str_ifind(S("Failed PASSWORD"), S("password")),
			 7);
	assert_int_equal(core_str_ifind(S("xyz"), S("Y")), 1);
	assert_int_equal(core_str_ifind(S("xyz"), S("q")), -1);
	assert_true(core_str_ieq(S("SSHD"), S("sshd")));
	assert_false(core_str_ieq(S("sshd"), S("sshd2")));
	assert_true(core_str_starts(S("sshd[12]"), "sshd"));
}

static void test_trim(void **state)
{
	struct core_str t;

	(void)state;
	t = core_str_trim(S("  a b \t\r\n"));
	assert_true(core_str_eq_lit(t, "a b"));
	t = core_str_trim(S("   "));
	assert_int_equal(t.len, 0);
}

/* Trailing blanks only; a "%{...}" gives what it holds, whole or not. */
static void test_rtrim_unbrace(void **state)
{
	static const struct {
		const char *in, *trim, *unbrace;
	} rows[] = {
		{ "NtLmSsp ", "NtLmSsp", "NtLmSsp " },
		{ " a\t \t", " a", " a\t \t" },
		{ "\n", "\n", "\n" },
		{ "%{19195a5b}", "%{19195a5b}", "19195a5b" },
		{ "%{}", "%{}", "%{}" },
		{ "%{x} ", "%{x}", "%{x} " },
		{ "{x}", "{x}", "{x}" },
		{ "{0197231E-5D9C-6929-4111-000000000D00}",
		  "{0197231E-5D9C-6929-4111-000000000D00}",
		  "0197231E-5D9C-6929-4111-000000000D00" },
		{ "{0197231E-5D9C-6929-4111-000000000D0Z}",
		  "{0197231E-5D9C-6929-4111-000000000D0Z}",
		  "{0197231E-5D9C-6929-4111-000000000D0Z}" },
		{ "{0197231E-5D9C-6929-4111+000000000D00}",
		  "{0197231E-5D9C-6929-4111+000000000D00}",
		  "{0197231E-5D9C-6929-4111+000000000D00}" },
	};

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		struct core_str s = core_str_make(rows[i].in,
						  strlen(rows[i].in));

		assert_true(core_str_eq_lit(core_str_rtrim_blanks(s),
					    rows[i].trim));
		assert_true(core_str_eq_lit(core_str_unbrace(s),
					    rows[i].unbrace));
	}
}

static void test_buf_ceiling(void **state)
{
	struct core_buf b;

	(void)state;
	core_buf_init(&b, 8);
	assert_int_equal(core_buf_add(&b, "12345678", 8), 0);
	assert_string_equal(core_buf_cstr(&b), "12345678");
	/* Crossing the ceiling frees the buffer and is its own error. */
	assert_int_equal(core_buf_addc(&b, '9'), CORE_E_TOOBIG);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	core_buf_free(&b);
}

/*
 * core_buf_printf formats in place when the text fits and again after
 * growing when not: pieces of every length against the whole written at
 * once, then the ceiling, as core_buf_add keeps it.
 */
static void test_buf_printf(void **state)
{
	char want[2048], piece[40];
	size_t at = 0;
	struct core_buf b;

	(void)state;
	core_buf_init(&b, sizeof(want) - 1);
	for (int i = 0; at + 40 < sizeof(want); i++) {
		int n = snprintf(piece, sizeof(piece), "%.*s%d", i % 33,
				 "abcdefghijklmnopqrstuvwxyz0123456", i);

		assert_int_equal(core_buf_printf(&b, "%.*s%d", i % 33,
						 "abcdefghijklmnopqrstuvwxyz"
						 "0123456", i), 0);
		memcpy(want + at, piece, (size_t)n + 1);
		at += (size_t)n;
		assert_int_equal(b.len, at);
		assert_string_equal(core_buf_cstr(&b), want);
	}
	core_buf_free(&b);

	core_buf_init(&b, 8);
	assert_int_equal(core_buf_printf(&b, "%s", "1234567"), 0);
	assert_int_equal(core_buf_printf(&b, "%d", 8), 0);
	assert_string_equal(core_buf_cstr(&b), "12345678");
	assert_int_equal(core_buf_printf(&b, "%d", 9), CORE_E_TOOBIG);
	assert_null(b.p);
	core_buf_free(&b);
}

struct json_case {
	const char *in;
	size_t len;
	const char *want;
	const char *why;
};

static const struct json_case json_cases[] = {
	{ "plain", 5, "plain", "nothing to escape" },
	{ "a\"b\\c", 5, "a\\\"b\\\\c", "quote and backslash" },
	{ "\n\t\x01", 3, "\\n\\t\\u0001", "controls" },
	{ "\xc3\xa9", 2, "\xc3\xa9", "valid UTF-8 kept" },
	{ "\xff", 1, "\xef\xbf\xbd", "invalid byte becomes U+FFFD" },
	{ "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd", "overlong slash" },
	{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	  "surrogate half" },
	{ "a\0b", 3, "a\\u0000b", "NUL inside" },
};

static void test_json_escape(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(json_cases); i++) {
		const struct json_case *c = &json_cases[i];
		struct core_buf b;

		core_buf_init(&b, 1024);
		assert_int_equal(core_buf_add_json(&b, c->in, c->len), 0);
		if (strcmp(core_buf_cstr(&b), c->want) != 0)
			fail_msg("%s: got '%s'", c->why, core_buf_cstr(&b));
		core_buf_free(&b);
	}
}

/*
 * Length of the UTF-8 sequence at s (RFC 3629: shortest form, no
 * surrogates, at most U+10FFFF), 0 when there is none: by code point.
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t k = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	uint32_t cp;

	if (k == 0 || k > n || s[0] >= 0xf8)
		return 0;
	cp = s[0] & (0x7f >> k);
	for (size_t j = 1; j < k; j++) {
		if ((s[j] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[j] & 0x3f);
	}
	if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) ||
	    (k == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* The escaper byte by byte, as the format says: the oracle below. */
static void json_slow(struct core_buf *b, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];

		if (c == '"' || c == '\\') {
			core_buf_addc(b, '\\');
			core_buf_addc(b, (char)c);
		} else if (c == '\n') {
			core_buf_add(b, "\\n", 2);
		} else if (c == '\r') {
			core_buf_add(b, "\\r", 2);
		} else if (c == '\t') {
			core_buf_add(b, "\\t", 2);
		} else if (c < 0x20) {
			core_buf_printf(b, "\\u%04x", c);
		} else if (c < 0x80) {
			core_buf_addc(b, (char)c);
		} else {
			size_t k = utf8_seq(s + i, n - i);

			if (k > 0) {
				core_buf_add(b, s + i, k);
				i += k - 1;
			} else {
				core_buf_add(b, "\xef\xbf\xbd", 3);
			}
		}
	}
}

/* n bytes from pieces: plain, escapes, UTF-8 of 2 to 4 bytes, strays. */
static void json_input(unsigned char *in, size_t n, uint32_t *x)
{
	static const char *const piece[] = {
		"a", "b", " ", "\"", "\\", "\n", "\x01", "\x7f", "\xc3\xa9",
		"\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xff", "\x80",
		"\xed\xa0\x80", "\xc0\xaf",
	};
	size_t at = 0;

	while (at < n) {
		const char *p;
		size_t k;

		*x = *x * 1103515245u + 12345u;
		p = piece[(*x >> 16) % CORE_ARRAY_LEN(piece)];
		k = CORE_MIN(strlen(p), n - at);	/* may cut a sequence */
		memcpy(in + at, p, k);
		at += k;
	}
}

/* got and want hold the same bytes. */
static void same_buf(struct core_buf *got, struct core_buf *want)
{
	assert_int_equal(got->len, want->len);
	assert_memory_equal(core_buf_cstr(got), core_buf_cstr(want),
			    got->len);
}

/*
 * Random strings of every length up to 40, so that every escape falls
 * at every place of an eight-byte word; strings of 1,000 to 1,600 bytes,
 * whose UTF-8 falls across the 512-byte steps; and strings added near
 * the ceiling, where a step's worst case does not fit but its text may.
 */
static void test_json_escape_words(void **state)
{
	static unsigned char in[1600];
	struct core_buf got, want;
	uint32_t x = 7;

	(void)state;
	for (int round = 0; round < 24000; round++) {
		size_t n = round < 20000 ? (size_t)round % 41 :
			   1000 + (size_t)round % 601;

		json_input(in, n, &x);
		core_buf_init(&got, 1 << 16);
		core_buf_init(&want, 1 << 16);
		assert_int_equal(core_buf_add_json(&got, (const char *)in, n),
				 0);
		json_slow(&want, in, n);
		same_buf(&got, &want);
		core_buf_free(&got);
		core_buf_free(&want);
	}
	for (int round = 0; round < 200; round++) {
		size_t n = 600 + (size_t)round;
		size_t max;

		json_input(in, n, &x);
		core_buf_init(&want, 1 << 16);
		json_slow(&want, in, n);
		/* Exactly the room the text needs, then one byte less. */
		max = want.len;
		core_buf_init(&got, max);
		assert_int_equal(core_buf_add_json(&got, (const char *)in, n),
				 0);
		same_buf(&got, &want);
		core_buf_free(&got);
		core_buf_init(&got, max - 1);
		assert_int_equal(core_buf_add_json(&got, (const char *)in, n),
				 CORE_E_TOOBIG);
		core_buf_free(&got);
		core_buf_free(&want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_u64),
		cmocka_unit_test(test_to_i64),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_rtrim_unbrace),
		cmocka_unit_test(test_buf_ceiling),
		cmocka_unit_test(test_buf_printf),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_json_escape_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
