/*
 * test_attack.c: ATT&CK tactics and techniques from Sigma tags
 * (src/incident/attack.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "synth.h"

static const struct {
	const char *tag;
	int tactic;
	const char *why;
} tactic_rows[] = {
	{ "attack.reconnaissance", 0, "first of the chain" },
	{ "attack.initial_access", 2, "snake case" },
	{ "attack.Initial-Access", 2, "case and dash are forgiven" },
	{ "attack.defense_evasion", 6, "defense evasion, before v19" },
	{ "attack.stealth", 7, "v19: stealth" },
	{ "attack.defense-impairment", 8, "v19: defense impairment" },
	{ "attack.credential_access", 9, "credential access" },
	{ "attack.impact", 15, "last of the chain" },
	{ "attack.t1110", -1, "a technique is not a tactic" },
	{ "attack.initial_access2", -1, "no trailing junk" },
	{ "cve.2021-44228", -1, "not an attack tag" },
	{ "attack.", -1, "empty" },
};

static const struct {
	const char *tag;
	const char *out;	/* NULL: not a technique */
	const char *why;
} technique_rows[] = {
	{ "attack.t1110", "T1110", "technique" },
	{ "attack.t1110.001", "T1110.001", "sub-technique" },
	{ "attack.T1078", "T1078", "upper case" },
	{ "attack.t111", NULL, "three digits" },
	{ "attack.t11100", NULL, "five digits" },
	{ "attack.t1110.01", NULL, "short sub-technique" },
	{ "attack.t1110.0011", NULL, "long sub-technique" },
	{ "attack.credential_access", NULL, "a tactic" },
};

static void test_tactics(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(tactic_rows); i++)
		if (incident_tactic_of_tag(tactic_rows[i].tag) !=
		    tactic_rows[i].tactic)
			fail_msg("%s: %s", tactic_rows[i].tag,
				 tactic_rows[i].why);
	assert_string_equal(incident_tactic_name(5), "privilege_escalation");
	assert_null(incident_tactic_name(INCIDENT_TACTIC_COUNT));
}

static void test_techniques(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(technique_rows); i++) {
		char out[16] = "";
		bool ok = incident_technique_of_tag(technique_rows[i].tag, out,
						    sizeof(out));

		if (ok != (technique_rows[i].out != NULL) ||
		    (ok && strcmp(out, technique_rows[i].out) != 0))
			fail_msg("%s: %s", technique_rows[i].tag,
				 technique_rows[i].why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tactics),
		cmocka_unit_test(test_techniques),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
