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
	/* Rows below cite sigma-appendix-modifiers.md (2.1) sections. */
	{ "{message|base64: ping}", DS "message=cGluZw==", true,
	  "Encoding: base64 encodes the whole value" },
	{ "{message|base64|contains: ping}", DS "message=x cGluZw== y", true,
	  "Encoding: base64 then contains" },
	{ "{message|base64offset|contains: ping}",
	  DS "message=aGVsbG8gcGluZw==", true,
	  "Encoding: base64offset finds the value at offset 6 (0 mod 3)" },
	{ "{message|base64offset|contains: ping}", DS "message=IHBpbmc=",
	  true, "Encoding: base64offset, value shifted by one byte" },
	{ "{message|base64offset|contains: ping}", DS "message=ICBwaW5n",
	  true, "Encoding: base64offset, value shifted by two bytes" },
	{ "{message|base64offset|contains: ping}", DS "message=cG9uZw==",
	  false, "Encoding: base64offset of another value" },
	{ "{message|windash|contains: ' -enc'}", DS "message=ps /enc x", true,
	  "String: windash turns - into /" },
	{ "{message|windash|contains: ' -enc'}",
	  DS "message=ps \xe2\x80\x93" "enc x", true,
	  "String: windash turns - into an en dash" },
	{ "{message|windash|contains: ' -enc'}", DS "message=ps +enc x",
	  false, "String: windash knows only the five dashes" },
	{ "{message|windash|contains|all: [' -a', ' -b']}",
	  DS "message=x /a /b", true,
	  "String: windash variants of one value stay an OR under all" },
	{ "{message|windash|contains|all: [' -a', ' -b']}",
	  DS "message=x /a", false, "String: all still needs each value" },
	{ "{message|hour: 3}", DS "message=2024-01-02T03:04:05Z", true,
	  "Time: hour" },
	{ "{message|minute|gte: 30}", DS "message=2024-01-02 03:44:05",
	  true, "Time: minute with a numeric modifier" },
	{ "{message|month: 2}", DS "message=2024-01-02T03:04:05Z", false,
	  "Time: month" },
	{ "{message|year: 2024}", DS "message=2024-01-02T03:04:05Z", true,
	  "Time: year" },
	{ "{message|day: 2}", DS "message=2024-01-02T03:04:05Z", true,
	  "Time: day" },
	{ "{message|week: 1}", DS "message=2024-01-02T03:04:05Z", true,
	  "Time: ISO week (2024-01-01 is a Monday)" },
	{ "{message|hour: 3}", DS "message=yesterday", false,
	  "Time: not a date" },
	{ "{user.name|fieldref: host.name}", DS "user.name=a|host.name=A",
	  true, "Specific: fieldref compares two fields, folded" },
	{ "{user.name|fieldref: host.name}", DS "user.name=a|host.name=b",
	  false, "Specific: fieldref, different values" },
	{ "{user.name|fieldref|neq: host.name}", DS "user.name=a|host.name=b",
	  true, "Specific: fieldref combined with neq" },
	{ "{user.name|fieldref|startswith: host.name}",
	  DS "user.name=web01x|host.name=web01", true,
	  "Specific: fieldref with startswith" },
	{ "{user.name|fieldref: host.name}", DS "user.name=a", false,
	  "Specific: fieldref to an absent field" },
	{ "{message|cased|contains: Foo}", DS "message=a foo", false,
	  "Generic: cased with contains" },
	{ "{message|re|s: 'a.b'}", DS "message=a\nb", true,
	  "Regular Expression: s lets dot match a newline" },
	{ "{message|re|m: '^b$'}", DS "message=a\nb", true,
	  "Regular Expression: m anchors at lines" },
	{ "{message|re: '^b$'}", DS "message=a\nb", false,
	  "Regular Expression: without m, ^ is the start" },
	{ "{message: 'a\\\\\\\\*'}", DS "message=a\\\\xyz", true,
	  "rules spec, Escape Character: four backslashes are two" },
	{ "{message: 'a\\\\\\*'}", DS "message=a\\*", true,
	  "rules spec, Escape Character: three, then *: \\ and a plain *" },
	{ "{message: 'a\\\\\\*'}", DS "message=a\\xyz", false,
	  "rules spec, Escape Character: that * is no wildcard" },
	{ "{message|contains: xyz}", DS "message=aaXYZ", true,
	  "contains: the literal at the very end, other case" },
	{ "{message|contains: ab}", DS "message=aAaB", true,
	  "contains: first byte seen in both cases before the match" },
	{ "{message|contains: abc}", DS "message=abab", false,
	  "contains: a partial match at the end is no match" },
	{ "{message|contains: '\\cmd'}", DS "message=C:\\X\\CMD.exe", true,
	  "contains: a first byte without case" },
	{ "{user.name|expand: '%no_such_ph%'}", DS "user.name=x", false,
	  "an undefined placeholder is an empty list: matches nothing" },
	{ "{user.name|expand: '%no_such_ph%'}", DS "host.name=x", false,
	  "an undefined placeholder: not even an absent field" },
	{ "{user.name|expand: ['%no_such_ph%', root]}", DS "user.name=root",
	  true, "an undefined placeholder leaves the other values" },
	{ "{message|contains|all|expand: ['%no_such_ph%', foo]}",
	  DS "message=foo", false,
	  "under all, the undefined placeholder's value never holds" },
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
