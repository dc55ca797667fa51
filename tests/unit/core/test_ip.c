/*
 * test_ip.c: address and network parsing, membership, private ranges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"

struct ip_case {
	const char *in;
	int family;		/* 0: rejected */
	const char *why;
};

static const struct ip_case ip_cases[] = {
	{ "192.0.2.1", 4, "plain IPv4" },
	{ "255.255.255.255", 4, "broadcast" },
	{ "256.1.1.1", 0, "octet out of range" },
	{ "1.2.3", 0, "three octets" },
	{ "01.2.3.4", 0, "leading zero is ambiguous (octal)" },
	{ "2001:db8::1", 6, "compressed IPv6" },
	{ "[2001:db8::1]", 6, "bracketed as in URLs" },
	{ "fe80::1%eth0", 6, "zone id dropped" },
	{ "::ffff:192.0.2.1", 6, "v4-mapped" },
	{ "2001:db8:::1", 0, "two double colons" },
	{ "", 0, "empty" },
	{ "example.com", 0, "a name" },
	{ "1.2.3.4 ", 0, "trailing space" },
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(ip_cases); i++) {
		const struct ip_case *c = &ip_cases[i];
		struct core_ip ip;
		bool ok = core_ip_parse(c->in, strlen(c->in), &ip);

		if (ok != (c->family != 0) || (ok && ip.family != c->family))
			fail_msg("%s: '%s' -> ok=%d family=%d", c->why, c->in,
				 ok, ip.family);
	}
}

struct cidr_case {
	const char *ip;
	const char *net;
	bool in;
	const char *why;
};

static const struct cidr_case cidr_cases[] = {
	{ "10.1.2.3", "10.0.0.0/8", true, "inside /8" },
	{ "11.1.2.3", "10.0.0.0/8", false, "outside /8" },
	{ "192.168.1.130", "192.168.1.128/25", true, "odd prefix" },
	{ "192.168.1.127", "192.168.1.128/25", false, "just below" },
	{ "203.0.113.9", "203.0.113.9", true, "bare address is /32" },
	{ "2001:db8::5", "2001:db8::/32", true, "IPv6 /32" },
	{ "2001:db9::5", "2001:db8::/32", false, "IPv6 outside" },
	{ "10.0.0.1", "::/0", false, "families differ" },
	{ "::ffff:10.1.2.3", "10.0.0.0/8", true, "v4-mapped in a v4 net" },
	{ "::ffff:11.1.2.3", "10.0.0.0/8", false, "v4-mapped outside" },
	{ "10.1.2.3", "::ffff:10.0.0.0/104", true, "v4 in a mapped net" },
	{ "10.1.2.3", "::ffff:11.0.0.0/104", false, "v4 outside it" },
	{ "::ffff:10.1.2.3", "::ffff:10.0.0.0/104", true, "mapped in mapped" },
	{ "::1", "0.0.0.0/0", false, "loopback v6 maps no v4" },
	{ "8.8.8.8", "0.0.0.0/0", true, "default route holds all" },
};

static void test_cidr_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(cidr_cases); i++) {
		const struct cidr_case *c = &cidr_cases[i];
		struct core_ip ip, net;
		unsigned prefix;

		assert_true(core_ip_parse(c->ip, strlen(c->ip), &ip));
		assert_true(core_cidr_parse(c->net, strlen(c->net), &net,
					    &prefix));
		if (core_ip_in_cidr(&ip, &net, prefix) != c->in)
			fail_msg("%s: %s in %s", c->why, c->ip, c->net);
	}
}

static void test_bad_cidr(void **state)
{
	static const char *bad[] = { "10.0.0.0/33", "10.0.0.0/", "/8",
				     "10.0.0.0/8x", "::/129" };
	struct core_ip net;
	unsigned prefix;

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(bad); i++)
		assert_false(core_cidr_parse(bad[i], strlen(bad[i]), &net,
					     &prefix));
}

static void test_private(void **state)
{
	static const struct { const char *ip; bool priv; } rows[] = {
		{ "10.9.9.9", true }, { "172.16.0.1", true },
		{ "172.32.0.1", false }, { "192.168.0.1", true },
		{ "127.0.0.1", true }, { "100.64.0.1", true },
		{ "203.0.113.5", false }, { "::1", true },
		{ "fd00::1", true }, { "2001:db8::1", false },
	};

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		struct core_ip ip;

		assert_true(core_ip_parse(rows[i].ip, strlen(rows[i].ip), &ip));
		if (core_ip_is_private(&ip) != rows[i].priv)
			fail_msg("%s private=%d", rows[i].ip, rows[i].priv);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_cidr_table),
		cmocka_unit_test(test_bad_cidr),
		cmocka_unit_test(test_private),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
