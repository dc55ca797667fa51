/*
 * test_score.c: scores, severities, order, titles and the ATT&CK chain
 * of assembled incidents (src/incident/score.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "synth.h"

/* Brute force alone against brute force then a login, same volume. */
static void test_success_outranks_failures(void **state)
{
	struct incident_set *s = incident_set_new();
	const struct synth alerts[] = {
		{ &rule_brute, T0, 300, "198.51.100.1", NULL, NULL, "h", NULL,
		  NULL, 1 },
		{ &rule_brute, T0, 300, "192.0.2.2", NULL, NULL, "h", NULL,
		  NULL, 2 },
	};
	const struct incident *a, *b;

	(void)state;
	for (int i = 0; i < 10; i++) {
		synth_observe(s, T0 + i * SEC, "ssh_login", "failure",
			      "198.51.100.1", "root", "h");
		synth_observe(s, T0 + i * SEC, "ssh_login", "failure",
			      "192.0.2.2", "root", "h");
	}
	synth_observe(s, T0 + 60 * SEC, "ssh_login", "success", "192.0.2.2",
		      "root", "h");
	for (size_t i = 0; i < CORE_ARRAY_LEN(alerts); i++)
		synth_add(s, &alerts[i]);
	assert_int_equal(incident_build(s), 0);
	assert_int_equal(incident_set_count(s), 2);

	a = incident_set_get(s, 0);
	b = incident_set_get(s, 1);
	assert_true(a->score > b->score);
	assert_int_equal(a->parts.success, 20);
	assert_int_equal(b->parts.success, 0);
	assert_non_null(strstr(a->title.p, "192.0.2.2; logged in as root"));
	assert_true(a->severity > b->severity);
	incident_set_free(s);
}

/*
 * The account a guessing source got in as is named whole in the title
 * and in what to do, however long (a user principal name); a name past
 * INCIDENT_VALUE_MAX bytes is cut before a character, not inside one,
 * and bytes that are no UTF-8 where they fall: never to nothing.
 */
static void test_long_account_named_whole(void **state)
{
	static char names[4][400];
	static const size_t keep[4] = { 63, 255, 256, 253 };
	char want[300];
	const struct synth a = { &rule_brute, T0, 300, "192.0.2.2", NULL,
				 NULL, "h", NULL, NULL, 1 };
	const struct incident *inc;
	struct incident_set *s;

	(void)state;
	snprintf(names[0], sizeof(names[0]), "%s",
		 "firstname.middlename.lastname-admin"
		 "@subsidiary.corp.example.com");
	/* 255 'a' then a two-byte character across the ceiling. */
	memset(names[1], 'a', 255);
	memcpy(names[1] + 255, "\xc3\xa9tail", 7);
	/* 300 continuation bytes: no character to go back to. */
	memset(names[2], 0x80, 300);
	/* 253 'a' then a four-byte character across the ceiling. */
	memset(names[3], 'a', 253);
	memcpy(names[3] + 253, "\xf0\x9f\x98\x80tail", 9);
	assert_int_equal(strlen(names[0]), keep[0]);
	for (int k = 0; k < 4; k++) {
		const char *who = names[k];
		const char *at;

		s = incident_set_new();
		for (int i = 0; i < 10; i++)
			synth_observe(s, T0 + i * SEC, "ssh_login", "failure",
				      "192.0.2.2", who, "h");
		synth_observe(s, T0 + 60 * SEC, "ssh_login", "success",
			      "192.0.2.2", who, "h");
		synth_add(s, &a);
		assert_int_equal(incident_build(s), 0);
		inc = incident_set_get(s, 0);
		snprintf(want, sizeof(want), "logged in as %.*s",
			 (int)keep[k], who);
		at = strstr(inc->title.p, want);
		if (at == NULL || (at[strlen(want)] != '\0' &&
				   at[strlen(want)] != ';'))
			fail_msg("row %d: title '%s'", k, inc->title.p);
		snprintf(want, sizeof(want), "Reset the password of %.*s, ",
			 (int)keep[k], who);
		assert_non_null(strstr(inc->explanation.p, want));
		incident_set_free(s);
	}
}

struct chain_row {
	const struct detect_rule_info *rules[3];
	const char *tactics[4];
	const char *techniques[4];
	const char *why;
};

static const char *const tags_hide[] = {
	"attack.stealth", "attack.t1564.001",
};
static const struct detect_rule_info rule_hide = {
	.id = "r-hide", .title = "Hidden file attribute set",
	.level = DETECT_LEVEL_MEDIUM, .tags = tags_hide, .ntags = 2,
};

static const struct chain_row chain_rows[] = {
	{ { &rule_sudo, &rule_brute, &rule_login },
	  { "initial_access", "privilege_escalation", "credential_access" },
	  { "T1078", "T1548.003", "T1110.001" },
	  "tactics follow the enterprise order, not the alerts' order" },
	{ { &rule_scan, &rule_web, NULL },
	  { "reconnaissance", "initial_access" },
	  { "T1595", "T1190" }, "reconnaissance comes first" },
	{ { &rule_brute, &rule_hide, &rule_sudo },
	  { "privilege_escalation", "stealth", "credential_access" },
	  { "T1548.003", "T1564.001", "T1110.001" },
	  "ATT&CK v19's stealth stands where defense evasion did" },
};

static void test_tactic_order(void **state)
{
	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(chain_rows); r++) {
		const struct chain_row *row = &chain_rows[r];
		struct incident_set *s = incident_set_new();
		const struct incident *inc;
		unsigned n = 0;

		for (int i = 0; i < 3 && row->rules[i]; i++) {
			struct synth x = { row->rules[i], T0 + i * SEC, 1,
					   "198.51.100.77", NULL, NULL, "h",
					   NULL, NULL, (uint64_t)i };

			synth_add(s, &x);
		}
		assert_int_equal(incident_build(s), 0);
		inc = incident_set_get(s, 0);
		for (; n < 4 && row->tactics[n]; n++) {
			assert_string_equal(inc->tactics[n], row->tactics[n]);
			assert_string_equal(inc->techniques[n],
					    row->techniques[n]);
		}
		assert_int_equal(inc->ntactics, n);
		incident_set_free(s);
	}
}

static const char *const tags_hide_both[] = {
	"attack.defense_evasion", "attack.stealth", "attack.t1564.001",
};
static const struct detect_rule_info rule_hide_both = {
	.id = "r-hide2", .title = "Hidden file attribute (old and new tags)",
	.level = DETECT_LEVEL_MEDIUM, .tags = tags_hide_both, .ntags = 3,
};

/* A failed logon rule tagged as its technique, T1078, is tagged. */
static const char *const tags_valid4[] = {
	"attack.initial-access", "attack.persistence",
	"attack.privilege-escalation", "attack.stealth", "attack.t1078",
};
static const struct detect_rule_info rule_valid4 = {
	.id = "r-valid4", .title = "Failed logon from a public address",
	.level = DETECT_LEVEL_MEDIUM, .tags = tags_valid4, .ntags = 5,
};

/*
 * Chain points count steps seen: defense evasion and the two tactics
 * ATT&CK v19 made of it are one step, and one rule is one step however
 * many tactics it names.  Escalation points need an escalation that is
 * not the access itself.
 */
static void test_evasion_one_step(void **state)
{
	static const struct {
		const struct detect_rule_info *rules[2];
		unsigned chain, privesc;
		const char *why;
	} rows[] = {
		{ { &rule_hide_both, NULL }, 0, 0, "old and new names" },
		{ { &rule_hide_both, &rule_hide }, 0, 0, "stealth twice: one" },
		{ { &rule_hide_both, &rule_sudo }, 5, 0, "and escalation: 2" },
		{ { &rule_valid4, NULL }, 0, 0,
		  "one rule of four tactics: one step, no escalation" },
		{ { &rule_valid4, &rule_sudo }, 5, 10,
		  "its access, then a sudo: escalation after access" },
		{ { &rule_login, &rule_sudo }, 5, 10, "login, then sudo" },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct incident_set *s = incident_set_new();
		const struct incident *inc;

		for (int i = 0; i < 2 && rows[r].rules[i]; i++) {
			struct synth x = { rows[r].rules[i], T0 + i * SEC, 1,
					   "198.51.100.77", NULL, NULL, "h",
					   NULL, NULL, (uint64_t)i };

			synth_add(s, &x);
		}
		assert_int_equal(incident_build(s), 0);
		inc = incident_set_get(s, 0);
		if (inc->parts.chain != rows[r].chain ||
		    inc->parts.privesc != rows[r].privesc)
			fail_msg("%s: chain %u, privesc %u", rows[r].why,
				 inc->parts.chain, inc->parts.privesc);
		incident_set_free(s);
	}
}

/*
 * Guessing, then a T1078 logon alert: a way in when the logon worked,
 * only an attempt when its event failed (a "failed logon" rule tagged
 * T1078): no success points, no escalation after it.  A correlation
 * (no event of its own) is an attempt when every evidence it kept
 * failed: a count of refused logons.
 */
static void test_failed_access_is_no_success(void **state)
{
	static const struct {
		const char *outcome;
		bool correlation;
		bool evidence_failed[2];
		unsigned success, privesc;
	} rows[] = {
		{ "success", false, { false, false }, 20, 10 },
		{ "failure", false, { false, false }, 0, 0 },
		{ NULL, false, { false, false }, 20, 10 },
		{ NULL, true, { true, true }, 0, 0 },
		{ NULL, true, { true, false }, 20, 10 },
		{ NULL, true, { false, false }, 20, 10 },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct incident_set *s = incident_set_new();
		struct synth brute = { &rule_brute, T0, 30, "198.51.100.7",
				       NULL, NULL, "h", NULL, NULL, 1 };
		struct synth login = { &rule_valid4, T0 + 60 * SEC, 1,
				       "198.51.100.7", NULL, NULL, "h", NULL,
				       NULL, 2 };
		struct synth sudo = { &rule_sudo, T0 + 90 * SEC, 1,
				      "198.51.100.7", NULL, NULL, "h", NULL,
				      NULL, 3 };
		struct core_event ev;
		struct detect_alert a;
		const struct incident *inc;

		synth_add(s, &brute);
		synth_alert(&a, &login);
		synth_event(&ev, login.ts, "windows_logon", rows[r].outcome,
			    login.ip, NULL, "h");
		a.event = &ev;
		if (rows[r].correlation) {
			a.event = NULL;
			a.evidence[1] = a.evidence[0];
			a.nevidence = 2;
			for (unsigned k = 0; k < 2; k++)
				a.evidence[k].failed =
					rows[r].evidence_failed[k];
		}
		assert_int_equal(incident_add_alert(s, &a), 0);
		synth_add(s, &sudo);
		assert_int_equal(incident_build(s), 0);
		inc = incident_set_get(s, 0);
		if (inc->parts.success != rows[r].success ||
		    inc->parts.privesc != rows[r].privesc)
			fail_msg("row %zu, outcome %s: success %u, privesc %u",
				 r, rows[r].outcome ? rows[r].outcome : "-",
				 inc->parts.success, inc->parts.privesc);
		incident_set_free(s);
	}
}

/*
 * Only a T1078 logon that failed is an attempt rather than a way in.  An
 * exploit's answer says nothing of its success (a server error, a 404
 * while the payload runs): a web exploit alert whose requests all "failed"
 * (status 400 and up) is still the way in of an escalation after it.
 */
static void test_failed_web_exploit_still_access(void **state)
{
	struct incident_set *s = incident_set_new();
	struct synth web = { &rule_web, T0, 1, "198.51.100.7", NULL, NULL,
			     "h", NULL, NULL, 1 };
	struct synth sudo = { &rule_sudo, T0 + 90 * SEC, 1, "198.51.100.7",
			      NULL, NULL, "h", NULL, NULL, 2 };
	struct core_event ev;
	struct detect_alert a;
	const struct incident *inc;

	(void)state;
	synth_alert(&a, &web);
	synth_event(&ev, web.ts, "http_request", "failure", web.ip, NULL,
		    "h");
	a.event = &ev;
	assert_int_equal(incident_add_alert(s, &a), 0);
	synth_add(s, &sudo);
	assert_int_equal(incident_build(s), 0);
	assert_int_equal(incident_set_count(s), 1);
	inc = incident_set_get(s, 0);
	assert_int_equal(inc->parts.privesc, 10);
	incident_set_free(s);
}

/*
 * IDS alerts for a source corroborate what the logs say of it: +5 for a
 * brute force in an auth log whose source the IDS flagged, nothing for
 * an incident of IDS alerts alone (they would corroborate themselves).
 */
static void test_ids_corroborates_others_only(void **state)
{
	static const struct {
		const char *dataset;
		unsigned ids;
	} rows[] = {
		{ "linux.auth", 5 },
		{ "suricata.eve", 0 },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct incident_set *s = incident_set_new();
		struct synth x = { &rule_brute, T0, 1, "198.51.100.7", NULL,
				   NULL, "h", NULL, NULL, 1 };
		struct core_event ev;
		struct detect_alert a;

		synth_observe(s, T0, "ids_alert", NULL, "198.51.100.7",
			      NULL, "h");
		synth_alert(&a, &x);
		synth_event(&ev, T0, NULL, NULL, x.ip, NULL, "h");
		core_event_set(&ev, CORE_F_EVENT_DATASET, rows[r].dataset,
			       strlen(rows[r].dataset));
		a.event = &ev;
		assert_int_equal(incident_add_alert(s, &a), 0);
		assert_int_equal(incident_build(s), 0);
		if (incident_set_get(s, 0)->parts.ids != rows[r].ids)
			fail_msg("%s: ids %u", rows[r].dataset,
				 incident_set_get(s, 0)->parts.ids);
		incident_set_free(s);
	}
}

/*
 * Brute force from many sources that never got in is background noise:
 * said so when it scores below high; a rule of level high scores it high,
 * and the advice then does not tell the analyst to wait.
 */
static void test_background_only_below_high(void **state)
{
	static const struct detect_rule_info brute_high = {
		.id = "r-brute-high", .title = "SSH brute force (high)",
		.level = DETECT_LEVEL_HIGH, .correlation = true,
		.tags = tags_brute, .ntags = 2,
	};
	static const struct {
		const struct detect_rule_info *rule;
		bool background;
	} rows[] = {
		{ &rule_brute, true },
		{ &brute_high, false },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct incident_set *s = incident_set_new();
		const struct incident *inc;
		char ip[32];

		for (int i = 0; i < 6; i++) {
			struct synth x = { rows[r].rule, T0 + i * SEC, 10, ip,
					   NULL, NULL, "h", NULL, NULL,
					   (uint64_t)i + 1 };

			snprintf(ip, sizeof(ip), "198.51.100.%d", 10 + i);
			synth_add(s, &x);
		}
		assert_int_equal(incident_build(s), 0);
		assert_int_equal(incident_set_count(s), 1);
		inc = incident_set_get(s, 0);
		if ((strstr(inc->explanation.p, "background activity") !=
		     NULL) != rows[r].background)
			fail_msg("%s, %s: %s", rows[r].rule->title,
				 incident_severity_name(inc->severity),
				 inc->explanation.p);
		incident_set_free(s);
	}
}

/*
 * An incident of anomaly records alone scores by them alone, and its
 * parts say so: base, volume and the rest are zero, the anomaly part
 * is the score (the JSON report's parts add up to it).
 */
static void test_anomalies_alone_parts(void **state)
{
	static const struct detect_rule_info anomaly = {
		.id = "anomaly.template", .title = "Log message never seen",
		.level = DETECT_LEVEL_MEDIUM,
	};
	struct incident_set *s = incident_set_new();
	const struct incident *inc;
	const struct incident_score_parts *p;

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct synth x = { &anomaly, T0 + i * SEC, 30, NULL, NULL,
				   NULL, "h", NULL, "kernel: odd", 1 + i };

		assert_int_equal(synth_add(s, &x), 0);
	}
	assert_int_equal(incident_build(s), 0);
	inc = incident_set_get(s, 0);
	p = &inc->parts;
	assert_int_equal(p->base + p->chain + p->success + p->privesc +
			 p->volume + p->ids + p->anomaly - p->familiar,
			 inc->score);
	assert_int_equal(p->anomaly, inc->score);
	assert_true(inc->score >= 10 && inc->score <= 19);
	incident_set_free(s);
}

/*
 * A firewall takes addresses: the sources to block list addresses before
 * the names a log gave (PAM's rhost=), and say to resolve a name shown.
 */
static void test_block_addresses_first(void **state)
{
	static const struct {
		const char *ips[3];
		const char *has, *lacks;
	} rows[] = {
		{ { "n219076184117.example.net", "198.51.100.7", NULL },
		  "Block 198.51.100.7, n219076184117.example.net",
		  "Block n219076184117" },
		{ { "n219076184117.example.net", NULL, NULL },
		  "resolve them to addresses first", NULL },
		{ { "198.51.100.7", NULL, NULL }, "Block 198.51.100.7 at",
		  "resolve them" },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct incident_set *s = incident_set_new();
		const char *next;

		for (int i = 0; i < 3 && rows[r].ips[i]; i++) {
			/* A rare user links the two sources: one story. */
			struct synth x = { &rule_brute, T0 + i * SEC, 10,
					   rows[r].ips[i], "svc_backup9", NULL,
					   "h", NULL, NULL, (uint64_t)i + 1 };

			synth_observe(s, x.ts, "ssh_login", "failure",
				      x.ip, "svc_backup9", "h");
			assert_int_equal(synth_add(s, &x), 0);
		}
		assert_int_equal(incident_build(s), 0);
		assert_int_equal(incident_set_count(s), 1);
		next = strstr(incident_set_get(s, 0)->explanation.p,
			      "What to do next:");
		assert_non_null(next);
		if (!strstr(next, rows[r].has) ||
		    (rows[r].lacks && strstr(next, rows[r].lacks)))
			fail_msg("row %zu: %s", r, next);
		incident_set_free(s);
	}
}

/* A web shell that answered gets advice about the script, on the web. */
static void test_web_shell_advice(void **state)
{
	static const char *const t_shell[] = {
		"attack.persistence", "attack.t1505.003",
	};
	static const struct detect_rule_info shell = {
		.id = "r-shell", .title = "Known web shell answered",
		.level = DETECT_LEVEL_CRITICAL, .tags = t_shell, .ntags = 2,
	};
	static const char *const datasets[] = { "web.access", "linux.auth" };

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(datasets); r++) {
		struct incident_set *s = incident_set_new();
		struct synth x = { &shell, T0, 1, "198.51.100.77", NULL, NULL,
				   "www1", NULL, "GET /uploads/shell.php 200",
				   3 };
		struct core_event ev;
		struct detect_alert a;
		bool said;

		synth_alert(&a, &x);
		synth_event(&ev, x.ts, NULL, NULL, x.ip, NULL, "www1");
		core_event_set(&ev, CORE_F_EVENT_DATASET, datasets[r],
			       strlen(datasets[r]));
		a.event = &ev;
		assert_int_equal(incident_add_alert(s, &a), 0);
		assert_int_equal(incident_build(s), 0);
		said = strstr(incident_set_get(s, 0)->explanation.p,
			      "A web shell answered") != NULL;
		if (said != (r == 0))
			fail_msg("%s: %s", datasets[r],
				 incident_set_get(s, 0)->explanation.p);
		incident_set_free(s);
	}
}

/* Score parts add up, stay in range, and sort the set. */
static void test_scores_bounded_and_sorted(void **state)
{
	struct incident_set *s = incident_set_new();
	char ip[32];

	(void)state;
	for (int i = 0; i < 40; i++) {
		const struct detect_rule_info *r[] = { &rule_brute,
			&rule_login, &rule_sudo, &rule_web };
		struct synth x = { r[i % 4], T0 + i * SEC,
				   (uint64_t)(1 + i * 1000), ip, NULL, NULL,
				   "h", NULL, NULL, (uint64_t)i };

		snprintf(ip, sizeof(ip), "192.0.2.%d", i % 7);
		synth_add(s, &x);
	}
	assert_int_equal(incident_build(s), 0);
	for (size_t i = 0; i < incident_set_count(s); i++) {
		const struct incident *inc = incident_set_get(s, i);
		const struct incident_score_parts *p = &inc->parts;
		unsigned sum = p->base + p->chain + p->success + p->privesc +
			       p->volume + p->ids;

		assert_true(inc->score <= 100);
		assert_int_equal(inc->score, sum > 100 ? 100 : sum);
		if (i)
			assert_true(incident_set_get(s, i - 1)->score >=
				    inc->score);
		assert_true(inc->nevidence <= INCIDENT_MAX_EVIDENCE);
		assert_true(inc->explanation.len > 0);
	}
	incident_set_free(s);
}

static void test_severity_names(void **state)
{
	(void)state;
	assert_string_equal(incident_severity_name(INCIDENT_SEV_CRITICAL),
			    "critical");
	assert_string_equal(incident_severity_name(99), "informational");
	assert_int_equal(incident_severity_of_level(DETECT_LEVEL_HIGH),
			 INCIDENT_SEV_HIGH);
}

/*
 * A source that logs in far more often than it fails (a jump host) and
 * trips "success after failures" loses 40 points and the success bonus.
 */
static void test_familiar_source(void **state)
{
	static const struct { int logins; bool familiar; } rows[] = {
		{ 1, false }, { 50, true },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct incident_set *s = incident_set_new();
		struct synth x = { &rule_brute, T0, 10, "10.0.1.5", NULL,
				   NULL, "web01", NULL, NULL, 1 };
		const struct incident *inc;

		for (int i = 0; i < 10; i++)
			synth_observe(s, T0 + i * SEC, "ssh_login",
				      "failure", "10.0.1.5", "bob", "web01");
		for (int i = 0; i < rows[r].logins; i++)
			synth_observe(s, T0 + (20 + i) * SEC, "ssh_login",
				      "success", "10.0.1.5", "bob", "web01");
		assert_int_equal(synth_add(s, &x), 0);
		assert_int_equal(incident_build(s), 0);
		inc = incident_set_get(s, 0);
		assert_int_equal(inc->parts.familiar,
				 rows[r].familiar ? 40 : 0);
		assert_int_equal(inc->parts.success,
				 rows[r].familiar ? 0 : 20);
		incident_set_free(s);
	}
}

/*
 * An incident reads its entities' activity over its own time, widened
 * by the grouping gap (an hour, in whole hours: docs/scoring.md): a
 * login by the scanning address far from the scan neither adds the
 * success bonus nor names an account, nor is told in the story.
 */
static void test_login_outside_span(void **state)
{
	static const struct {
		int64_t offset;		/* of the logins from the scan */
		bool joins;
		const char *why;
	} rows[] = {
		{ 5 * 365 * 24 * 3600 * SEC, false, "five years later" },
		{ -5 * 365 * 24 * 3600 * SEC, false, "five years before" },
		{ 24 * 3600 * SEC, false, "a day later" },
		{ 3 * 3600 * SEC, false, "three hours later" },
		{ 30 * 60 * SEC, true, "half an hour later" },
		{ -45 * 60 * SEC, true, "three quarters of an hour before" },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct incident_set *s = incident_set_new();
		struct synth x = { &rule_web, T0, 1, "198.51.100.9", NULL,
				   NULL, NULL, NULL, NULL, 1 };
		int64_t t = T0 + rows[r].offset;
		const struct incident *inc;
		bool told;

		synth_observe(s, T0, "http_request", NULL, "198.51.100.9",
			      NULL, NULL);
		synth_observe(s, T0 + SEC, "http_request", NULL,
			      "198.51.100.9", NULL, NULL);
		for (int i = 0; i < 3; i++)
			synth_observe(s, t + i * SEC, "ssh_login", "failure",
				      "198.51.100.9", "alice", "web1");
		synth_observe(s, t + 5 * SEC, "ssh_login", "success",
			      "198.51.100.9", "alice", "web1");
		assert_int_equal(synth_add(s, &x), 0);
		assert_int_equal(incident_build(s), 0);
		assert_int_equal(incident_set_count(s), 1);

		inc = incident_set_get(s, 0);
		told = strstr(inc->explanation.p, "failed 3 SSH logins") &&
		       strstr(inc->explanation.p, "Reset the password of "
			      "alice");
		if ((inc->parts.success == 20) != rows[r].joins ||
		    (strstr(inc->title.p, "logged in as alice") != NULL) !=
		    rows[r].joins || told != rows[r].joins ||
		    !strstr(inc->explanation.p, "sent 2 web requests"))
			fail_msg("row %zu (%s): %s\n%s", r, rows[r].why,
				 inc->title.p, inc->explanation.p);
		incident_set_free(s);
	}
}

/*
 * The figures shown are those of the incident's time: failures a week
 * before a brute force are not its failures, nor its events.
 */
static void test_counters_of_span(void **state)
{
	struct incident_set *s = incident_set_new();
	struct synth x = { &rule_brute, T0, 5, "192.0.2.7", NULL, NULL, "h",
			   NULL, NULL, 1 };
	const struct incident *inc;
	const struct incident_entity *e = NULL;

	(void)state;
	for (int i = 0; i < 20; i++)
		synth_observe(s, T0 - 7 * 24 * 3600 * SEC + i * SEC,
			      "ssh_login", "failure", "192.0.2.7", "root", "h");
	for (int i = 0; i < 5; i++)
		synth_observe(s, T0 + i * SEC, "ssh_login", "failure",
			      "192.0.2.7", "root", "h");
	assert_int_equal(synth_add(s, &x), 0);
	assert_int_equal(incident_build(s), 0);

	inc = incident_set_get(s, 0);
	for (size_t i = 0; i < inc->nentities; i++)
		if (inc->entities[i].type == INCIDENT_ENT_SOURCE_IP)
			e = &inc->entities[i];
	assert_non_null(e);
	assert_int_equal(e->c.login_failures, 5);
	assert_int_equal(e->c.events, 5);
	assert_int_equal(e->c.distinct_users, 1);
	assert_non_null(strstr(inc->explanation.p, "failed 5 SSH logins"));
	/* The whole input's figures stay what incident_observe() counted. */
	assert_int_equal(incident_set_counters(s, INCIDENT_ENT_SOURCE_IP,
					       synth_str("192.0.2.7"))
			 ->login_failures, 25);
	incident_set_free(s);
}

/*
 * A user tried from three sources, two of them a week before: in the
 * incident's time the sources are at most the events there, and said to
 * be estimated; tried from one source only, the figure stays exact.
 */
static void test_distinct_of_span_estimated(void **state)
{
	static const struct {
		int before;		/* sources a week before */
		uint64_t sources;
		bool estimated;
	} rows[] = {
		{ 2, 3, true },
		{ 0, 1, false },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct incident_set *s = incident_set_new();
		struct synth x = { &rule_brute, T0, 8, "192.0.2.99", "oracle",
				   NULL, "h", NULL, NULL, 1 };
		const struct incident *inc;
		const struct incident_entity *e = NULL;
		char ip[32];

		for (int i = 0; i < rows[r].before; i++) {
			snprintf(ip, sizeof(ip), "198.51.100.%d", i + 1);
			synth_observe(s, T0 - 7 * 24 * 3600 * SEC, "ssh_login",
				      "failure", ip, "oracle", "h");
		}
		for (int i = 0; i < 8; i++)
			synth_observe(s, T0 + i * SEC, "ssh_login", "failure",
				      "192.0.2.99", "oracle", "h");
		assert_int_equal(synth_add(s, &x), 0);
		assert_int_equal(incident_build(s), 0);
		inc = incident_set_get(s, incident_set_count(s) - 1);
		for (size_t i = 0; i < inc->nentities; i++)
			if (inc->entities[i].type == INCIDENT_ENT_USER)
				e = &inc->entities[i];
		assert_non_null(e);
		if (e->c.distinct_sources > rows[r].sources ||
		    e->c.distinct_estimated != rows[r].estimated)
			fail_msg("row %zu: sources %llu, estimated %d", r,
				 (unsigned long long)e->c.distinct_sources,
				 e->c.distinct_estimated);
		incident_set_free(s);
	}
}

/* Windows rules for the titles below (their tactics do not matter). */
static const char *const tags_proxy[] = {
	"attack.defense_evasion", "attack.t1218",
};
static const char *const tags_c2[] = {
	"attack.command_and_control", "attack.t1105",
};
static const struct detect_rule_info rule_wusa = {
	.id = "r-wusa", .title = "wusa.exe extracting a package",
	.level = DETECT_LEVEL_HIGH, .tags = tags_proxy, .ntags = 2,
};
static const struct detect_rule_info rule_thread = {
	.id = "r-thread", .title = "Remote thread outside any module",
	.level = DETECT_LEVEL_HIGH, .tags = tags_proxy, .ntags = 2,
};
static const struct detect_rule_info rule_conn = {
	.id = "r-conn", .title = "Proxy program connects out",
	.level = DETECT_LEVEL_MEDIUM, .tags = tags_c2, .ntags = 2,
};

/* Adds x as raised by a Windows record (platform windows) or not. */
static void add_on(struct incident_set *s, const struct synth *x,
		   bool windows)
{
	struct core_event ev;
	struct detect_alert a;

	synth_alert(&a, x);
	if (windows) {
		synth_event(&ev, x->ts, NULL, NULL, x->ip, x->user, x->host);
		core_event_set(&ev, CORE_F_EVENT_DATASET, "windows", 7);
		a.event = &ev;
	}
	assert_int_equal(incident_add_alert(s, &a), 0);
}

/*
 * The title names whom most of the incident's events name (the events
 * of the records naming them): the sources when half of them or more
 * do (more than half for Windows records alone), else an account half
 * of them name, on its host, else the most named of sources, account
 * and host.  A minor address or account does not title a host's
 * incident.
 */
static void test_title_names_main_entity(void **state)
{
	static const struct {
		struct synth x[3];
		bool windows;
		const char *title;
		const char *why;
	} rows[] = {
		{ { { &rule_conn, T0, 2, "10.0.2.15", "IEUser", NULL,
		      "IEWIN7", NULL, NULL, 1 },
		    { &rule_wusa, T0 + 60 * SEC, 4, NULL, "IEUser", NULL,
		      "IEWIN7", NULL, NULL, 2 },
		    { &rule_thread, T0 + 120 * SEC, 3, NULL, "IEUser", NULL,
		      "IEWIN7", NULL, NULL, 3 } }, true,
		  "wusa.exe extracting a package: IEUser on IEWIN7",
		  "Windows: an address in 2 of 9 events titles nothing" },
		{ { { &rule_thread, T0, 5, NULL, NULL, "svc_x9", "IEWIN7",
		      NULL, NULL, 1 },
		    { &rule_conn, T0 + 60 * SEC, 1, NULL, "SYSTEM", "svc_x9",
		      "IEWIN7", NULL, NULL, 2 } }, true,
		  "Remote thread outside any module: IEWIN7",
		  "Windows: an account in 1 of 6 events, the host in all" },
		{ { { &rule_brute, T0, 300, "198.51.100.1", NULL, NULL, "h",
		      NULL, NULL, 1 },
		    { &rule_scan, T0 + SEC, 20, "198.51.100.1", NULL, NULL,
		      "h", NULL, NULL, 2 } }, false,
		  "SSH brute force: 198.51.100.1",
		  "Linux: the address and the host in every event" },
		{ { { &rule_login, T0, 1, "198.51.100.9", "alice", NULL, "h",
		      NULL, NULL, 1 },
		    { &rule_sudo, T0 + 60 * SEC, 1, NULL, "alice", NULL, "h",
		      NULL, NULL, 2 } }, false,
		  "Login after failures: 198.51.100.9, then escalated "
		  "privileges",
		  "the address in half the events: a tie goes to it" },
		{ { { &rule_sudo, T0, 2, NULL, "bob7", NULL, "h1", NULL, NULL,
		      1 },
		    { &rule_sudo, T0 + 60 * SEC, 2, NULL, "bob7", NULL, "h2",
		      NULL, NULL, 2 },
		    { &rule_sudo, T0 + 120 * SEC, 1, NULL, "bob7", NULL, "h3",
		      NULL, NULL, 3 } }, false,
		  "Sudo to root shell: bob7 on 3 hosts",
		  "an account in every event, no host in half of them" },
		{ { { &rule_brute, T0, 3, "198.51.100.5", NULL, "alice", "h",
		      NULL, NULL, 1 },
		    { &rule_login, T0 + 60 * SEC, 1, "198.51.100.5", "alice",
		      NULL, "h", NULL, NULL, 2 },
		    { &rule_sudo, T0 + 120 * SEC, 20, NULL, "alice", NULL,
		      "h", NULL, NULL, 3 } }, false,
		  "SSH brute force: 198.51.100.5; a login succeeded, then "
		  "escalated privileges",
		  "guesses then a login: the source that got in leads" },
		{ { { &rule_login, T0, 1, "::1", "IEUser", NULL, "IEWIN7",
		      NULL, NULL, 1 },
		    { &rule_wusa, T0 + 60 * SEC, 3, NULL, "IEUser", NULL,
		      "IEWIN7", NULL, NULL, 2 } }, true,
		  "wusa.exe extracting a package: IEUser on IEWIN7",
		  "a loopback source is the host itself" },
		{ { { &rule_conn, T0, 3, "10.0.2.15", NULL, "svc_x9",
		      "MSEDGEWIN10", NULL, NULL, 1 },
		    { &rule_wusa, T0 + 60 * SEC, 3, NULL, "IEUser", "svc_x9",
		      "MSEDGEWIN10", NULL, NULL, 2 } }, false,
		  "wusa.exe extracting a package: 10.0.2.15",
		  "an address in half the events: a tie goes to it" },
		{ { { &rule_conn, T0, 3, "10.0.2.15", NULL, "svc_x9",
		      "MSEDGEWIN10", NULL, NULL, 1 },
		    { &rule_wusa, T0 + 60 * SEC, 3, NULL, "IEUser", "svc_x9",
		      "MSEDGEWIN10", NULL, NULL, 2 } }, true,
		  "wusa.exe extracting a package: IEUser on MSEDGEWIN10",
		  "Windows: a tie goes to the account and host" },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct incident_set *s = incident_set_new();
		const struct incident *inc;

		for (int i = 0; i < 3 && rows[r].x[i].rule; i++)
			add_on(s, &rows[r].x[i], rows[r].windows);
		assert_int_equal(incident_build(s), 0);
		assert_int_equal(incident_set_count(s), 1);
		inc = incident_set_get(s, 0);
		if (strcmp(inc->title.p, rows[r].title) != 0)
			fail_msg("%s: '%s', want '%s'", rows[r].why,
				 inc->title.p, rows[r].title);
		incident_set_free(s);
	}
}

static const char *const tags_step[][1] = {
	{ "attack.execution" }, { "attack.persistence" },
	{ "attack.privilege_escalation" }, { "attack.defense_evasion" },
	{ "attack.discovery" }, { "attack.lateral_movement" },
};
static const struct detect_rule_info rule_step[] = {
	{ .id = "r-s0", .title = "Step 0", .level = DETECT_LEVEL_HIGH,
	  .tags = tags_step[0], .ntags = 1 },
	{ .id = "r-s1", .title = "Step 1", .level = DETECT_LEVEL_HIGH,
	  .tags = tags_step[1], .ntags = 1 },
	{ .id = "r-s2", .title = "Step 2", .level = DETECT_LEVEL_HIGH,
	  .tags = tags_step[2], .ntags = 1 },
	{ .id = "r-s3", .title = "Step 3", .level = DETECT_LEVEL_HIGH,
	  .tags = tags_step[3], .ntags = 1 },
	{ .id = "r-s4", .title = "Step 4", .level = DETECT_LEVEL_HIGH,
	  .tags = tags_step[4], .ntags = 1 },
	{ .id = "r-s5", .title = "Step 5", .level = DETECT_LEVEL_HIGH,
	  .tags = tags_step[5], .ntags = 1 },
};

/*
 * The rule that titles an incident (the strongest: here the earliest of
 * rules of one level) has a line among the first five shown.  Lines go
 * most recent first, one per tactic: with five later rules its line
 * would come sixth, so it leads; with four it is fifth already, and the
 * order stays as it was.
 */
static void test_evidence_shows_title_rule(void **state)
{
	static const struct {
		int nrules;
		int order[6];		/* rule_step of each line */
	} rows[] = {
		{ 6, { 0, 5, 4, 3, 2, 1 } },
		{ 5, { 4, 3, 2, 1, 0, -1 } },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct incident_set *s = incident_set_new();
		const struct incident *inc;

		for (int i = 0; i < rows[r].nrules; i++) {
			struct synth x = { &rule_step[i], T0 + i * SEC, 1,
					   "198.51.100.40", NULL, NULL, "h",
					   NULL, NULL, (uint64_t)i + 1 };

			assert_int_equal(synth_add(s, &x), 0);
		}
		assert_int_equal(incident_build(s), 0);
		assert_int_equal(incident_set_count(s), 1);
		inc = incident_set_get(s, 0);
		assert_non_null(strstr(inc->title.p, "Step 0: "));
		assert_int_equal(inc->nevidence, rows[r].nrules);
		for (int i = 0; i < rows[r].nrules; i++)
			if (inc->evidence[i].rule !=
			    &rule_step[rows[r].order[i]])
				fail_msg("row %zu: line %d is %s", r, i,
					 inc->evidence[i].rule->title);
		incident_set_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success_outranks_failures),
		cmocka_unit_test(test_long_account_named_whole),
		cmocka_unit_test(test_tactic_order),
		cmocka_unit_test(test_evasion_one_step),
		cmocka_unit_test(test_failed_access_is_no_success),
		cmocka_unit_test(test_ids_corroborates_others_only),
		cmocka_unit_test(test_background_only_below_high),
		cmocka_unit_test(test_anomalies_alone_parts),
		cmocka_unit_test(test_block_addresses_first),
		cmocka_unit_test(test_web_shell_advice),
		cmocka_unit_test(test_failed_web_exploit_still_access),
		cmocka_unit_test(test_scores_bounded_and_sorted),
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test(test_familiar_source),
		cmocka_unit_test(test_login_outside_span),
		cmocka_unit_test(test_counters_of_span),
		cmocka_unit_test(test_distinct_of_span_estimated),
		cmocka_unit_test(test_title_names_main_entity),
		cmocka_unit_test(test_evidence_shows_title_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
