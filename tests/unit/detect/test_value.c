/*
 * test_value.c: Sigma values and modifiers (src/detect/value.c).
 *
 * Each row is a selection (YAML flow style), an event and whether the
 * rule "sel" must match, with the reason the row exists.
 */
#include "detect_test.h"

struct row {
	const char *sel;
	const char *event;
	bool match;
	const char *why;
};

#define DS "event.dataset=linux.auth|"

static const struct row rows[] = {
	{ "{user.name: root}", DS "user.name=root", true, "plain equality" },
	{ "{user.name: root}", DS "user.name=ROOT", true,
	  "case-insensitive by default" },
	{ "{user.name|cased: root}", DS "user.name=ROOT", false,
	  "cased matches case-sensitively" },
	{ "{user.name: root}", DS "user.name=rooty", false,
	  "equality is whole-value" },
	{ "{user.name: root}", DS "host.name=root", false,
	  "absent field never equals" },
	{ "{user.name: [alice, bob]}", DS "user.name=bob", true,
	  "a list of values is an OR" },
	{ "{message|contains|all: [foo, bar]}", DS "message=bar and foo",
	  true, "all turns the list into an AND" },
	{ "{message|contains|all: [foo, bar]}", DS "message=foo only", false,
	  "all needs every value" },
	{ "{message|contains: Failed}", DS "message=x failed password", true,
	  "contains, folded" },
	{ "{message|startswith: fail}", DS "message=Failed password", true,
	  "startswith" },
	{ "{message|startswith: fail}", DS "message=x Failed", false,
	  "startswith anchors at the start" },
	{ "{message|endswith: '.php'}", DS "message=/a/shell.PHP", true,
	  "endswith" },
	{ "{message: 'a*c'}", DS "message=abbbc", true, "star wildcard" },
	{ "{message: 'a?c'}", DS "message=abc", true, "qmark wildcard" },
	{ "{message: 'a?c'}", DS "message=abbc", false, "qmark is one byte" },
	{ "{message: '*x*y*'}", DS "message=aaxbbyc", true, "glob" },
	{ "{message: 'a\\*c'}", DS "message=a*c", true, "escaped star" },
	{ "{message: 'a\\*c'}", DS "message=abc", false,
	  "escaped star is literal" },
	{ "{message: 'a\\?'}", DS "message=a?", true, "escaped qmark" },
	{ "{message: 'C:\\\\*'}", DS "message=C:\\dir", true,
	  "escaped backslash, then a wildcard" },
	{ "{message: 'C:\\dir'}", DS "message=C:\\dir", true,
	  "a lone backslash is literal" },
	{ "{message: 'C:\\\\dir'}", DS "message=C:\\dir", true,
	  "a doubled backslash is one backslash" },
	{ "{message: '*'}", DS "message=", true, "lone star: any value" },
	{ "{message: '*'}", DS "user.name=x", false,
	  "lone star needs the field" },
	{ "{message: ''}", DS "message=", true, "empty string" },
	{ "{message: null}", DS "user.name=x", true, "null: absent" },
	{ "{message: null}", DS "message=x", false, "null: not present" },
	{ "{message|exists: true}", DS "message=x", true, "exists" },
	{ "{message|exists: false}", DS "user.name=x", true, "exists false" },
	{ "{message|exists: false}", DS "message=", false,
	  "exists counts empty values" },
	{ "{message|re: '^Fa.*d$'}", DS "message=Failed", true, "re" },
	{ "{message|re: '^fa'}", DS "message=Failed", false,
	  "re is case-sensitive by default" },
	{ "{message|re|i: '^fa'}", DS "message=Failed", true, "re|i" },
	{ "{source.ip|cidr: 10.0.0.0/8}", DS "source.ip=10.2.3.4", true,
	  "cidr v4" },
	{ "{source.ip|cidr: 10.0.0.0/8}", DS "source.ip=11.2.3.4", false,
	  "cidr outside" },
	{ "{source.ip|cidr: '2001:db8::/32'}", DS "source.ip=2001:db8::1",
	  true, "cidr v6" },
	{ "{source.ip|cidr: 10.0.0.0/8}", DS "source.ip=bogus", false,
	  "cidr on a non-address" },
	{ "{source.port|gt: 1024}", DS "source.port=2000", true, "gt" },
	{ "{source.port|gt: 1024}", DS "source.port=1024", false,
	  "gt is strict" },
	{ "{source.port|gte: 1024}", DS "source.port=1024", true, "gte" },
	{ "{source.port|lt: 10}", DS "source.port=9", true, "lt" },
	{ "{source.port|lte: 10}", DS "source.port=11", false, "lte" },
	{ "{source.port|lt: 10}", DS "source.port=x", false,
	  "numeric compare on junk" },
	{ "{user.name|neq: root}", DS "user.name=bob", true, "neq" },
	{ "{user.name|neq: root}", DS "user.name=root", false, "neq equal" },
	{ "{User: root}", DS "user.name=root", true,
	  "Sigma field mapped through the log source" },
	{ "{'|all': [foo, bar]}", DS "message=bar foo", true,
	  "keywords with all" },
};

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char yaml[1024];
		struct t_run run = { 0 };
		struct detect_ruleset *rs;
		struct core_event ev;

		snprintf(yaml, sizeof(yaml),
			 "title: t\nlogsource: {product: linux, service: auth}"
			 "\ndetection:\n  sel: %s\n  condition: sel\n",
			 rows[i].sel);
		rs = t_rules(yaml, &run);
		if (run.nrejects)
			fail_msg("row %zu (%s) rejected: %s", i, rows[i].why,
				 run.reject);
		t_event(&ev, rows[i].event, 1000 * T_SEC, 1);
		detect_match(rs, &ev, t_on_alert, &run);
		if ((run.nalerts == 1) != rows[i].match)
			fail_msg("row %zu: %s: want %d", i, rows[i].why,
				 rows[i].match);
		detect_ruleset_free(rs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
