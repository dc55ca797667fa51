/*
 * test_advice.c: "What to do next" by platform and ATT&CK tactics
 * (src/incident/advice.c, and the platform choice in score.c): each row
 * is one incident of alerts from one or two platforms, with the
 * sentences its advice must hold and those it must not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "synth.h"

#define WIN_TEXT "{\"EventID\":\"1\",\"Channel\":\"Security\"}"

static const char *const t_privesc[] = {
	"attack.privilege_escalation", "attack.t1548.002",
};
static const char *const t_persist[] = {
	"attack.persistence", "attack.t1543.003",
};
static const char *const t_lsass[] = {
	"attack.credential_access", "attack.t1003.001",
};
static const char *const t_roast[] = {
	"attack.credential_access", "attack.t1558.003",
};
static const char *const t_golden[] = {
	"attack.credential_access", "attack.t1558.001",
};
static const char *const t_pth[] = {
	"attack.lateral_movement", "attack.t1550.002",
};
static const char *const t_exec[] = { "attack.execution", "attack.t1059" };
static const char *const t_clear[] = {
	"attack.defense-impairment", "attack.t1070.001",
};
static const char *const t_impair[] = {
	"attack.defense-impairment", "attack.t1685.001",
};
static const char *const t_proxy[] = {
	"attack.stealth", "attack.t1218.011",
};
static const char *const t_lateral[] = {
	"attack.lateral_movement", "attack.t1021.002",
};

#define RULE(name, t, tg)                                                    \
	static const struct detect_rule_info name = {                        \
		.id = #name, .title = t, .level = DETECT_LEVEL_HIGH,         \
		.tags = tg, .ntags = 2,                                      \
	}
RULE(r_privesc, "UAC bypass", t_privesc);
RULE(r_persist, "Service installed", t_persist);
RULE(r_lsass, "LSASS memory read", t_lsass);
RULE(r_roast, "Kerberoasting", t_roast);
RULE(r_golden, "Golden ticket", t_golden);
RULE(r_pth, "Pass the hash", t_pth);
RULE(r_exec, "Encoded PowerShell", t_exec);
RULE(r_lateral, "Admin share write", t_lateral);
RULE(r_clear, "Security log cleared", t_clear);
static const char *const t_stomp[] = { "attack.stealth", "attack.t1070.006" };
RULE(r_stomp, "File creation time changed", t_stomp);
static const char *const t_uac[] = {
	"attack.privilege-escalation", "attack.stealth", "attack.t1548.002",
};
static const struct detect_rule_info r_uac = {
	.id = "r_uac", .title = "UAC bypass through mscfile",
	.level = DETECT_LEVEL_HIGH, .tags = t_uac, .ntags = 3,
};
RULE(r_impair, "Defender real-time protection off", t_impair);
RULE(r_proxy, "Rundll32 proxy execution", t_proxy);

/* Tagged as its technique, T1078, is: four tactics for a logon. */
static const char *const t_valid4[] = {
	"attack.initial-access", "attack.persistence",
	"attack.privilege-escalation", "attack.stealth", "attack.t1078",
};
/* A phishing document starting a shell: the way in and a run. */
static const char *const t_phish[] = {
	"attack.initial-access", "attack.execution", "attack.t1566.001",
};
static const struct detect_rule_info r_phish = {
	.id = "r_phish", .title = "Office program starts a shell",
	.level = DETECT_LEVEL_HIGH, .tags = t_phish, .ntags = 3,
};
static const struct detect_rule_info r_valid4 = {
	.id = "r_valid4", .title = "Failed logon from a public address",
	.level = DETECT_LEVEL_HIGH, .tags = t_valid4, .ntags = 5,
};

/* Security 4661 on the domain's password policy. */
static const char *const t_policy[] = {
	"attack.discovery", "attack.t1201",
};
static const struct detect_rule_info r_policy = {
	.id = "r_policy", .title = "Password Policy Enumerated",
	.level = DETECT_LEVEL_MEDIUM, .tags = t_policy, .ntags = 2,
};

/* Windows guessing, then a logon from the guessing address. */
static const char *const t_guess[] = {
	"attack.credential-access", "attack.t1110.001",
};
static const char *const t_got_in[] = {
	"attack.credential-access", "attack.t1110", "attack.initial-access",
	"attack.t1078",
};
static const struct detect_rule_info r_guess = {
	.id = "r_guess", .title = "Many failed logons for one account",
	.level = DETECT_LEVEL_MEDIUM, .tags = t_guess, .ntags = 2,
};
static const struct detect_rule_info r_got_in = {
	.id = "r_got_in", .title = "Logon from an address that was guessing",
	.level = DETECT_LEVEL_CRITICAL, .tags = t_got_in, .ntags = 4,
};

/* Where an alert's event came from. */
enum plat { WIN, LINUX, WEB };

struct step {
	const struct detect_rule_info *rule;
	enum plat plat;
};

struct advice_row {
	struct step steps[3];
	const char *has[4];
	const char *lacks[4];
	const char *why;
};

static const struct advice_row rows[] = {
	{ { { &r_exec, WIN }, { &r_lsass, WIN } },
	  { "What to do next: First contain WS1: isolate it", NULL },
	  { NULL },
	  "code run and credentials taken on a host: contain it first" },
	{ { { &r_lateral, WIN } },
	  { "First contain WS1", NULL }, { NULL },
	  "lateral movement: contain first" },
	{ { { &r_lsass, WIN } },
	  { "LSASS is protected", NULL }, { "First contain", NULL },
	  "a credential alert alone: no isolation asked" },
	{ { { &r_guess, WIN } },
	  { "look for one that then succeeded", NULL }, { "First contain",
	  NULL }, "guessing: no isolation asked" },
	{ { { &r_stomp, WIN } },
	  { "File times were set back on WS1", "Sysmon 2", NULL },
	  { "Defences or logs were tampered", "hid what it ran", NULL },
	  "timestomping: the files whose times changed, not the audit policy" },
	{ { { &r_uac, WIN } },
	  { "A UAC bypass ran", "HKCU\\Software\\Classes", NULL },
	  { "hid what it ran", "Defences or logs", NULL },
	  "a UAC bypass: what it planted, not a hidden program" },
	{ { { &r_clear, WIN }, { &r_stomp, WIN } },
	  { "File times were set back", "Defences or logs were tampered",
	    NULL },
	  { NULL },
	  "a log cleared and a file's times set back: both said" },
	{ { { &r_clear, WIN } },
	  { "Defences or logs were tampered with on WS1", NULL },
	  { "hid what it ran", NULL },
	  "log clearing is tampering" },
	{ { { &r_impair, WIN } },
	  { "Defences or logs were tampered with on WS1", NULL },
	  { "hid what it ran", NULL },
	  "ATT&CK v19's T1685 (impair defenses) is tampering" },
	{ { { &r_proxy, WIN } },
	  { "Something on WS1 hid what it ran", "Hashes", NULL },
	  { "tampered", NULL },
	  "a proxy program hides what ran, it tampers with nothing" },
	{ { { &r_valid4, WIN } },
	  { "Ask the owner of CORP\\bob whether the logon or change on WS1",
	    "disable the account", NULL },
	  { "7045", "hid what it ran", "process tree and logon session",
	    NULL },
	  "a logon rule is the way in: no persistence, escalation, evasion;"
	  " its owner says whether it was theirs" },
	{ { { &r_policy, WIN } },
	  { "behind the queries on WS1", "Security 4661", NULL },
	  { "Ask the owner", NULL },
	  "discovery alone (Security 4661) says whom to look for" },
	{ { { &r_phish, WIN } },
	  { "On WS1, trace the processes", NULL },
	  { NULL },
	  "another initial-access rule keeps the run it shows" },
	{ { { &r_privesc, WIN } },
	  { "process tree and logon session of CORP\\bob on WS1",
	    "Security 4624", "Sysmon 1", NULL },
	  { "sudo", "cron", "SSH", NULL },
	  "Windows escalation: process tree and session, no sudo" },
	{ { { &rule_sudo, LINUX } },
	  { "Review sudo activity of user CORP\\bob on WS1", NULL },
	  { "Sysmon", "Security 4624", NULL },
	  "Linux escalation: sudo, as before" },
	{ { { &r_persist, WIN } },
	  { "7045", "4698", "Sysmon 13", "4720" },
	  { "cron", "new accounts, keys", NULL },
	  "Windows persistence: services, tasks, Run keys, accounts" },
	{ { { &r_persist, LINUX } },
	  { "Look for new accounts, keys, services and cron jobs.", NULL },
	  { "7045", NULL },
	  "Linux persistence, as before" },
	{ { { &r_lsass, WIN } },
	  { "as exposed", "starting with CORP\\bob", "LSASS is protected",
	    NULL },
	  { "rate-limit SSH", "krbtgt", NULL },
	  "LSASS dump: reset the exposed accounts, check LSASS protection" },
	{ { { &r_roast, WIN } },
	  { "service accounts whose Kerberos tickets", "RC4", NULL },
	  { "krbtgt", "rate-limit SSH", "LSASS", NULL },
	  "Kerberoasting: service account passwords, not krbtgt" },
	{ { { &r_golden, WIN } },
	  { "krbtgt account's password twice", NULL },
	  { "rate-limit SSH", NULL },
	  "forged tickets: krbtgt twice" },
	{ { { &rule_brute, LINUX } },
	  { "No login succeeded: rate-limit SSH and prefer keys to "
	    "passwords.", NULL },
	  { "Security", NULL },
	  "SSH guessing that never got in, as before" },
	{ { { &rule_brute, WEB } },
	  { "rate-limit the login page", NULL },
	  { "SSH", NULL },
	  "guessing at a web login is not SSH" },
	{ { { &r_pth, WIN } },
	  { "pass the hash", "Lateral movement", "CORP\\bob", NULL },
	  { "krbtgt", "LSASS", NULL },
	  "a hash used to log on, tagged lateral movement only" },
	{ { { &r_exec, WIN } },
	  { "On WS1, trace the processes", NULL },
	  { "logon session", NULL },
	  "execution alone: the process tree" },
	{ { { &r_lateral, WIN } },
	  { "Lateral movement", "4648", NULL },
	  { "SSH", NULL },
	  "lateral movement: accounts and logons" },
	{ { { &r_guess, WIN } },
	  { "look for one that then succeeded", NULL },
	  { "The guessing worked", NULL },
	  "Windows guessing alone: look for a logon that worked" },
	{ { { &r_guess, WIN }, { &r_got_in, WIN } },
	  { "The guessing worked", "enforce account lockout", NULL },
	  { "look for one that then succeeded", "Ask the owner", NULL },
	  "guessing, then a logon that worked: said, not asked" },
	{ { { &r_privesc, WIN }, { &rule_sudo, LINUX } },
	  { "process tree and logon session", "Review sudo activity", NULL },
	  { NULL },
	  "a mixed incident gets the advice of each platform" },
	{ { { &r_lsass, WIN }, { &rule_brute, LINUX } },
	  { "LSASS is protected", "rate-limit SSH", NULL },
	  { NULL },
	  "credential access on both: both kinds of advice" },
};

/* One alert of row step k, from the platform the step names. */
static void add_step(struct incident_set *s, const struct step *st,
		     uint64_t k)
{
	static struct core_event ev;
	const struct synth x = {
		st->rule, T0 + (int64_t)k * SEC, 1, NULL, "CORP\\bob", NULL,
		"WS1", NULL, st->plat == WIN ? WIN_TEXT : "line", k + 1,
	};
	struct detect_alert a;

	synth_alert(&a, &x);
	if (st->plat != WIN) {
		core_event_reset(&ev, NULL);
		if (st->plat == LINUX)
			core_event_set_lit(&ev, CORE_F_EVENT_DATASET,
					   "linux.auth");
		else
			core_event_set_lit(&ev, CORE_F_EVENT_DATASET,
					   "web.access");
		a.event = &ev;
	}
	assert_int_equal(incident_add_alert(s, &a), 0);
}

static void check_row(const struct advice_row *r, size_t i,
		      const struct incident *inc)
{
	const char *next = strstr(inc->explanation.p, "What to do next:");

	assert_non_null(next);
	for (size_t k = 0; k < 4 && r->has[k]; k++)
		if (!strstr(next, r->has[k]))
			fail_msg("row %zu (%s): no \"%s\" in: %s", i, r->why,
				 r->has[k], next);
	for (size_t k = 0; k < 4 && r->lacks[k]; k++)
		if (strstr(next, r->lacks[k]))
			fail_msg("row %zu (%s): \"%s\" in: %s", i, r->why,
				 r->lacks[k], next);
}

static void test_advice_by_platform_and_tactic(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		struct incident_set *s = incident_set_new();

		for (uint64_t k = 0; k < 3 && rows[i].steps[k].rule; k++)
			add_step(s, &rows[i].steps[k], k);
		assert_int_equal(incident_build(s), 0);
		if (incident_set_count(s) != 1)
			fail_msg("row %zu (%s): %zu incidents", i, rows[i].why,
				 incident_set_count(s));
		check_row(&rows[i], i, incident_set_get(s, 0));
		incident_set_free(s);
	}
}

/*
 * Accounts nobody resets by hand are left out of the accounts to reset:
 * built-in principals, machine accounts, and the Window Manager and Font
 * Driver Host virtual accounts, with or without their domain (Sysmon's
 * User gives user.name without it).
 */
static void test_builtin_accounts_not_reset(void **state)
{
	static const struct {
		const char *user;
		bool named;
	} users[] = {
		{ "alice", true }, { "CORP\\alice", true },
		{ "DWM-1", false }, { "Window Manager\\DWM-2", false },
		{ "UMFD-0", false }, { "Font Driver Host\\UMFD-3", false },
		{ "SYSTEM", false }, { "NT AUTHORITY\\SYSTEM", false },
		{ "WS1$", false }, { "LocalSystem", false },
		{ "NT AUTHORITY\\LocalService", false },
	};

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(users); i++) {
		struct incident_set *s = incident_set_new();
		const struct synth x = { &r_lsass, T0, 1, NULL, users[i].user,
					 NULL, "WS1", NULL, WIN_TEXT, 1 };
		char want[64];
		const char *next;

		assert_int_equal(synth_add(s, &x), 0);
		assert_int_equal(incident_build(s), 0);
		next = strstr(incident_set_get(s, 0)->explanation.p,
			      "What to do next:");
		assert_non_null(next);
		snprintf(want, sizeof(want), "starting with %s", users[i].user);
		if ((strstr(next, want) != NULL) != users[i].named)
			fail_msg("%s: %s", users[i].user, next);
		incident_set_free(s);
	}
}

/* Windows incidents say where they were seen; loopback is no attacker. */
static void test_windows_what_and_title(void **state)
{
	struct incident_set *s = incident_set_new();
	const struct synth x = {
		&r_pth, T0, 1, "::1", "CORP\\bob", NULL, "WS1", NULL,
		WIN_TEXT, 4,
	};
	const struct incident *inc;

	(void)state;
	assert_int_equal(synth_add(s, &x), 0);
	assert_int_equal(incident_build(s), 0);
	inc = incident_set_get(s, 0);
	assert_non_null(strstr(inc->explanation.p, "Seen in the Windows event "
				"logs of WS1, as CORP\\bob."));
	assert_non_null(strstr(inc->explanation.p, "::1 is the host itself"));
	assert_null(strstr(inc->explanation.p, "Investigate the internal"));
	assert_string_equal(inc->title.p, "Pass the hash: CORP\\bob on WS1");
	incident_set_free(s);
}

/* Every tactic's tag, as Sigma spells it. */
static const char *const tactic_tags[] = {
	"attack.reconnaissance", "attack.resource_development",
	"attack.initial_access", "attack.execution", "attack.persistence",
	"attack.privilege_escalation", "attack.defense_evasion",
	"attack.stealth", "attack.defense_impairment",
	"attack.credential_access", "attack.discovery",
	"attack.lateral_movement", "attack.collection",
	"attack.command_and_control", "attack.exfiltration", "attack.impact",
	NULL,	/* no tactic at all: the last resort */
};

/* The advice after "What to do next:", which must say something. */
static void check_advice(const struct incident *inc, const char *what,
			 enum plat plat)
{
	const char *next = strstr(inc->explanation.p, "What to do next:");
	const char *p;

	assert_non_null(next);
	p = next + strlen("What to do next:");
	while (*p == ' ')
		p++;
	if (!*p)
		fail_msg("%s on platform %d: no advice: %s", what, (int)plat,
			 inc->explanation.p);
}

/*
 * Every tactic alone, on Windows, Linux and the web, from a rule naming
 * that tactic only, with no source address to block: the advice is
 * never empty.  A rule naming none gets the last resort, which names
 * the host and the account.
 */
static void test_every_tactic_alone_gets_advice(void **state)
{
	static const enum plat plats[] = { WIN, LINUX, WEB };

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(tactic_tags); i++) {
		for (size_t k = 0; k < CORE_ARRAY_LEN(plats); k++) {
			const struct detect_rule_info r = {
				.id = "r_tactic", .title = "One tactic",
				.level = DETECT_LEVEL_MEDIUM,
				.tags = &tactic_tags[i],
				.ntags = tactic_tags[i] ? 1 : 0,
			};
			const struct step st = { &r, plats[k] };
			const char *what = tactic_tags[i] ? tactic_tags[i] :
					   "no tactic";
			struct incident_set *s = incident_set_new();
			const struct incident *inc;

			add_step(s, &st, 0);
			assert_int_equal(incident_build(s), 0);
			assert_int_equal(incident_set_count(s), 1);
			inc = incident_set_get(s, 0);
			check_advice(inc, what, plats[k]);
			if (!tactic_tags[i] &&
			    (!strstr(inc->explanation.p, "WS1") ||
			     !strstr(inc->explanation.p, "CORP\\bob")))
				fail_msg("last resort names no host or account:"
					 " %s", inc->explanation.p);
			incident_set_free(s);
		}
	}
}

/*
 * An incident with no tactic and no account (anomalies of a host's own:
 * a restart, an update) asks whether the change was planned, not what
 * an account did, and never says to reset a password.
 */
static void test_last_resort_without_account(void **state)
{
	static const struct detect_rule_info anomaly = {
		.id = "anomaly.process", .title = "Process never run before",
		.level = DETECT_LEVEL_LOW,
	};
	struct incident_set *s = incident_set_new();
	const struct synth x = { &anomaly, T0, 1, NULL, NULL, NULL, "combo",
				 NULL, "kernel: Linux version 2.6.5", 1 };
	const char *next;

	(void)state;
	assert_int_equal(synth_add(s, &x), 0);
	assert_int_equal(incident_build(s), 0);
	next = strstr(incident_set_get(s, 0)->explanation.p,
		      "What to do next:");
	assert_non_null(next);
	if (!strstr(next, "Ask whoever runs combo whether what the evidence "
		    "shows was expected") || strstr(next, "password") ||
	    strstr(next, "the account"))
		fail_msg("%s", next);
	incident_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_advice_by_platform_and_tactic),
		cmocka_unit_test(test_windows_what_and_title),
		cmocka_unit_test(test_builtin_accounts_not_reset),
		cmocka_unit_test(test_every_tactic_alone_gets_advice),
		cmocka_unit_test(test_last_resort_without_account),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
