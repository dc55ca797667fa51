/*
 * test_group.c: alert records folded into incidents (src/incident/
 * group.c): one attacker with several addresses is one story, unrelated
 * attackers sharing a host or a common user name stay apart, local
 * activity joins the login before it, background noise folds per rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "synth.h"

struct scenario {
	const char *name;
	const struct synth *alerts;
	size_t nalerts;
	size_t incidents;	/* expected */
	const char *why;
};

/* Three addresses try the same rare user within minutes, the last gets in. */
static const struct synth one_attacker[] = {
	{ &rule_brute, T0, 40, "198.51.100.1", "deploy", NULL, "web1",
	  NULL, NULL, 10 },
	{ &rule_brute, T0 + 120 * SEC, 35, "198.51.100.2", "deploy", NULL,
	  "web2", NULL, NULL, 20 },
	{ &rule_login, T0 + 300 * SEC, 1, "198.51.100.3", "deploy", NULL,
	  "web2", NULL, NULL, 30 },
	{ &rule_sudo, T0 + 400 * SEC, 1, NULL, "deploy", "root", "web2",
	  NULL, NULL, 31 },
};

/* Two strangers brute-force root on the same host at the same time. */
static const struct synth two_strangers[] = {
	{ &rule_brute, T0, 500, "203.0.113.7", "root", NULL, "web1",
	  NULL, NULL, 1 },
	{ &rule_brute, T0 + 60 * SEC, 300, "192.0.2.55", "root", NULL,
	  "web1", NULL, NULL, 2 },
};

/* The same web payload from two addresses: one tool, one story. */
static const struct synth one_tool[] = {
	{ &rule_web, T0, 1, "203.0.113.9", NULL, NULL, "shop",
	  "sqlmap/1.7", "\"GET /item.php?id=1%27+UNION+SELECT HTTP/1.1\"",
	  5 },
	{ &rule_web, T0 + 600 * SEC, 1, "203.0.113.10", NULL, NULL, "shop",
	  "sqlmap/1.7", "\"GET /item.php?id=7%27+UNION+SELECT HTTP/1.1\"",
	  6 },
};

/* One address, back after two days: two incidents. */
static const struct synth comeback[] = {
	{ &rule_brute, T0, 50, "203.0.113.7", NULL, NULL, "web1",
	  NULL, NULL, 1 },
	{ &rule_brute, T0 + 2 * 86400 * SEC, 50, "203.0.113.7", NULL, NULL,
	  "web1", NULL, NULL, 2 },
};

static const struct scenario scenarios[] = {
	{ "one_attacker", one_attacker, CORE_ARRAY_LEN(one_attacker), 1,
	  "rare user in a tight window links the addresses; sudo joins" },
	{ "two_strangers", two_strangers, CORE_ARRAY_LEN(two_strangers), 2,
	  "root and a shared host are hubs, not links" },
	{ "one_tool", one_tool, CORE_ARRAY_LEN(one_tool), 1,
	  "rare user agent and payload shape link the addresses" },
	{ "comeback", comeback, CORE_ARRAY_LEN(comeback), 2,
	  "records further apart than the gap start a new incident" },
};

static void test_scenarios(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(scenarios); i++) {
		const struct scenario *sc = &scenarios[i];
		struct incident_set *s = incident_set_new();

		assert_non_null(s);
		for (size_t k = 0; k < sc->nalerts; k++)
			assert_int_equal(synth_add(s, &sc->alerts[k]), 0);
		assert_int_equal(incident_build(s), 0);
		if (incident_set_count(s) != sc->incidents)
			fail_msg("%s: %zu incidents, want %zu (%s)", sc->name,
				 incident_set_count(s), sc->incidents,
				 sc->why);
		incident_set_free(s);
	}
}

/*
 * Background guessing that never got in folds into one incident whatever
 * mix of background tactics each source showed: sources that also
 * enumerated users (discovery) and sources that only guessed were two
 * incidents over the same hours.
 */
static void test_noise_folds_across_tactics(void **state)
{
	static const char *const t_enum[] = {
		"attack.discovery", "attack.t1087",
	};
	static const struct detect_rule_info brute_high = {
		.id = "r-brute-high", .title = "SSH brute force (high)",
		.level = DETECT_LEVEL_HIGH, .correlation = true,
		.tags = tags_brute, .ntags = 2,
	};
	static const struct detect_rule_info enumerate = {
		.id = "r-enum", .title = "SSH user enumeration",
		.level = DETECT_LEVEL_MEDIUM, .correlation = true,
		.tags = t_enum, .ntags = 2,
	};
	struct incident_set *s = incident_set_new();
	char ip[32];

	(void)state;
	for (int i = 0; i < 8; i++) {
		struct synth x = { &brute_high, T0 + i * 60 * SEC, 20, ip,
				   NULL, NULL, "web1", NULL, NULL,
				   (uint64_t)(2 * i + 1) };
		struct synth y = x;

		snprintf(ip, sizeof(ip), "198.51.%d.7", i + 1);
		assert_int_equal(synth_add(s, &x), 0);
		if (i >= 4) {
			y.rule = &enumerate;
			y.line = (uint64_t)(2 * i + 2);
			assert_int_equal(synth_add(s, &y), 0);
		}
	}
	assert_int_equal(incident_build(s), 0);
	assert_int_equal(incident_set_count(s), 1);
	incident_set_free(s);
}

/*
 * Ten attackers hit one host, each from its own network: ten stories.
 * (Addresses of one /24 would link: see test_network_links.)
 */
static void test_hub_host_does_not_glue(void **state)
{
	struct incident_set *s = incident_set_new();
	char ip[32];

	(void)state;
	for (int i = 0; i < 10; i++) {
		struct synth x = { &rule_login, T0 + i * 30 * SEC, 1, ip,
				   "root", NULL, "bastion", "Mozilla/5.0",
				   NULL, (uint64_t)i };

		snprintf(ip, sizeof(ip), "198.51.%d.7", i + 1);
		assert_int_equal(synth_add(s, &x), 0);
	}
	assert_int_equal(incident_build(s), 0);
	assert_int_equal(incident_set_count(s), 10);
	incident_set_free(s);
}

/* A Windows alert on host WS7, by user (or none), whose event names its
 * processes. */
static void add_proc_as(struct incident_set *s,
			const struct detect_rule_info *rule, int64_t ts,
			const char *user, const char *own_field,
			const char *own, const char *parent)
{
	static struct core_event ev;
	struct synth x = { rule, ts, 1, NULL, user, NULL, "WS7", NULL,
			   "Sysmon 10", 1 };
	struct detect_alert a;

	core_event_reset(&ev, NULL);
	ev.ts = ts;
	core_event_set(&ev, CORE_F_HOST_NAME, "WS7", 3);
	if (own)
		core_event_set_named(&ev, own_field, strlen(own_field), own,
				     strlen(own));
	if (parent)
		core_event_set_named(&ev, "ParentProcessGuid", 17, parent,
				     strlen(parent));
	synth_alert(&a, &x);
	a.event = &ev;
	assert_int_equal(incident_add_alert(s, &a), 0);
}

/* The same naming no user. */
static void add_proc(struct incident_set *s,
		     const struct detect_rule_info *rule, int64_t ts,
		     const char *own_field, const char *own,
		     const char *parent)
{
	add_proc_as(s, rule, ts, NULL, own_field, own, parent);
}

#define G1 "{747f3d96-98dd-5d69-0000-0010eb030000}"
#define G2 "{747f3d96-98dd-5d69-0000-0010ab120000}"
#define G0 "{00000000-0000-0000-0000-000000000000}"
#define G3 "{747f3d96-98dd-5d69-0000-0010cd450000}"

/*
 * On a Windows host with no user or address in the alerts, records of
 * different rules are one story when one process did them (the same
 * Sysmon GUID as actor, whichever spelling, or as parent), and stay
 * apart otherwise; an all-zero GUID names nothing, and a parent behind
 * more than a few anchors (services.exe) glues nothing, while one actor
 * seen by many rules is still one story.
 */
static void test_process_links(void **state)
{
	static const struct detect_rule_info *const r[] = {
		&rule_brute, &rule_login, &rule_sudo, &rule_web, &rule_scan,
	};
	struct incident_set *s;

	(void)state;
	s = incident_set_new();
	add_proc(s, &rule_sudo, T0, "SourceProcessGuid", G1, NULL);
	add_proc(s, &rule_web, T0 + SEC, "SourceProcessGUID", G1, NULL);
	add_proc(s, &rule_scan, T0 + 2 * SEC, "ProcessGuid", G2, G1);
	assert_int_equal(incident_build(s), 0);
	assert_int_equal(incident_set_count(s), 1);
	incident_set_free(s);

	s = incident_set_new();
	add_proc(s, &rule_sudo, T0, "SourceProcessGuid", G1, NULL);
	add_proc(s, &rule_web, T0 + SEC, "SourceProcessGuid", G2, NULL);
	add_proc(s, &rule_scan, T0 + 2 * SEC, "ProcessGuid", G0, G0);
	add_proc(s, &rule_login, T0 + 3 * SEC, "ProcessGuid", G0, NULL);
	assert_int_equal(incident_build(s), 0);
	assert_int_equal(incident_set_count(s), 4);
	incident_set_free(s);

	s = incident_set_new();
	for (size_t i = 0; i < CORE_ARRAY_LEN(r); i++) {
		char own[48];

		snprintf(own, sizeof(own), "{747f3d96-0000-0000-0000-%012zu}",
			 i + 1);
		add_proc(s, r[i], T0 + (int64_t)i * SEC, "ProcessGuid", own,
			 G1);
	}
	assert_int_equal(incident_build(s), 0);
	assert_int_equal(incident_set_count(s), CORE_ARRAY_LEN(r));
	incident_set_free(s);

	/* One tool seen by more rules than a hub may span: one story. */
	s = incident_set_new();
	for (size_t i = 0; i < CORE_ARRAY_LEN(r); i++)
		add_proc(s, r[i], T0 + (int64_t)i * SEC, "SourceProcessGuid",
			 G1, NULL);
	assert_int_equal(incident_build(s), 0);
	assert_int_equal(incident_set_count(s), 1);
	incident_set_free(s);
}

/*
 * A process and what its grandchild did are one story: a UAC bypass's
 * registry write (by G1) and the elevated shell started by the program
 * G1 started (parent G2, grandparent G1).  Without the grandparent they
 * share no process.
 */
static void test_grandparent_links(void **state)
{
	for (int with = 0; with < 2; with++) {
		struct incident_set *s = incident_set_new();
		static struct core_event ev;
		struct synth x = { &rule_sudo, T0 + SEC, 1, NULL, NULL, NULL,
				   "WS7", NULL, "Sysmon 1", 2 };
		struct detect_alert a;

		(void)state;
		add_proc(s, &rule_web, T0, "ProcessGuid", G1, NULL);
		core_event_reset(&ev, NULL);
		ev.ts = x.ts;
		core_event_set(&ev, CORE_F_HOST_NAME, "WS7", 3);
		core_event_set_named(&ev, "ProcessGuid", 11, G3, strlen(G3));
		core_event_set_named(&ev, "ParentProcessGuid", 17, G2,
				     strlen(G2));
		if (with)
			core_event_set_named(&ev, "GrandParentProcessGuid", 22,
					     G1, strlen(G1));
		synth_alert(&a, &x);
		a.event = &ev;
		assert_int_equal(incident_add_alert(s, &a), 0);
		assert_int_equal(incident_build(s), 0);
		assert_int_equal(incident_set_count(s), with ? 1 : 2);
		incident_set_free(s);
	}
}

/*
 * Public addresses of one /24 acting within the window are one actor;
 * private ones (offices, NAT) never link this way.
 */
static void test_network_links(void **state)
{
	static const struct { const char *fmt; size_t want; } rows[] = {
		{ "203.0.113.%d", 1 },
		{ "10.1.2.%d", 3 },
	};
	char ip[3][32];

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct incident_set *s = incident_set_new();

		for (int i = 0; i < 3; i++) {
			struct synth x = { &rule_login, T0 + i * 60 * SEC, 1,
					   ip[i], "root", NULL, "bastion",
					   NULL, NULL, (uint64_t)i };

			snprintf(ip[i], sizeof(ip[i]), rows[r].fmt, 10 + i);
			assert_int_equal(synth_add(s, &x), 0);
		}
		assert_int_equal(incident_build(s), 0);
		if (incident_set_count(s) != rows[r].want)
			fail_msg("%s: %zu incidents, want %zu", rows[r].fmt,
				 incident_set_count(s), rows[r].want);
		incident_set_free(s);
	}
}

/* 300 scanners, one low rule each: one background incident. */
static void test_noise_folds(void **state)
{
	struct incident_set *s = incident_set_new();
	const struct incident *inc;
	char ip[32];

	(void)state;
	for (int i = 0; i < 300; i++) {
		struct synth x = { &rule_scan, T0 + i * SEC, 3, ip, NULL, NULL,
				   "web1", NULL, NULL, (uint64_t)i };

		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 200, i % 200);
		assert_int_equal(synth_add(s, &x), 0);
	}
	assert_int_equal(incident_build(s), 0);
	assert_int_equal(incident_set_count(s), 1);
	inc = incident_set_get(s, 0);
	assert_int_equal(inc->alerts, 300);
	assert_int_equal(inc->events, 900);
	assert_non_null(strstr(inc->title.p, ": 300 sources"));
	incident_set_free(s);
}

/*
 * Background noise of two months is two incidents: a quiet week ends a
 * fold.  Within each month the scanners still fold, day after day.
 */
static void test_noise_folds_by_month(void **state)
{
	const int64_t day = 24 * 3600 * SEC;
	struct incident_set *s = incident_set_new();
	char ip[32];

	(void)state;
	for (int i = 0; i < 20; i++) {
		int64_t at = T0 + (i < 10 ? i : 30 + i) * day;
		struct synth x = { &rule_scan, at, 3, ip, NULL, NULL, "web1",
				   NULL, NULL, (uint64_t)i };

		snprintf(ip, sizeof(ip), "10.9.%d.1", i);
		assert_int_equal(synth_add(s, &x), 0);
	}
	assert_int_equal(incident_build(s), 0);
	assert_int_equal(incident_set_count(s), 2);
	for (size_t k = 0; k < 2; k++)
		assert_non_null(strstr(incident_set_get(s, k)->title.p,
				       ": 10 sources"));
	incident_set_free(s);
}

/*
 * A record naming neither source nor user joins the incident that alone
 * holds its rule on its host with a user, within the gap; with two such
 * users, another rule or days apart it stays on its own.  (The rules are
 * no escalation: pass 3b would join those to the latest escalation.)
 */
static void test_orphan_joins_only_owner(void **state)
{
	static const struct {
		const char *extra_user;	/* a second user's record, or none */
		const struct detect_rule_info *orphan_rule;
		int64_t orphan_at;
		size_t want;
	} rows[] = {
		{ NULL, &rule_web, 30 * SEC, 1 },
		{ "bob", &rule_web, 30 * SEC, 3 },
		{ NULL, &rule_scan, 30 * SEC, 2 },
		{ NULL, &rule_web, 3 * 24 * 3600 * SEC, 2 },
	};

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		struct incident_set *s = incident_set_new();
		struct synth eve = { &rule_web, T0, 1, NULL, "eve", NULL,
				     "WS9", NULL, NULL, 1 };
		struct synth bob = { &rule_web, T0 + 10 * SEC, 1, NULL,
				     rows[i].extra_user, NULL, "WS9", NULL,
				     NULL, 2 };
		struct synth orphan = { rows[i].orphan_rule,
					T0 + rows[i].orphan_at, 1, NULL, NULL,
					NULL, "WS9", NULL, NULL, 3 };

		assert_non_null(s);
		assert_int_equal(synth_add(s, &eve), 0);
		if (rows[i].extra_user)
			assert_int_equal(synth_add(s, &bob), 0);
		assert_int_equal(synth_add(s, &orphan), 0);
		assert_int_equal(incident_build(s), 0);
		if (incident_set_count(s) != rows[i].want)
			fail_msg("row %zu: %zu incidents", i,
				 (size_t)incident_set_count(s));
		incident_set_free(s);
	}
}

/*
 * An orphan a process already tied to bob's incident stays there: pass
 * 3d does not also give it to alice, the one user of its rule, which
 * would join alice's and bob's incidents.
 */
static void test_orphan_already_placed(void **state)
{
	struct incident_set *s = incident_set_new();

	(void)state;
	assert_non_null(s);
	add_proc_as(s, &rule_web, T0, "alice", "SourceProcessGuid", G2, NULL);
	add_proc_as(s, &rule_scan, T0 + 10 * SEC, "bob", "SourceProcessGuid",
		    G1, NULL);
	add_proc_as(s, &rule_web, T0 + 20 * SEC, NULL, "SourceProcessGuid",
		    G1, NULL);
	assert_int_equal(incident_build(s), 0);
	assert_int_equal(incident_set_count(s), 2);
	incident_set_free(s);
}

/* Every record names its incident; ids follow the output order. */
static void test_records_point_to_incidents(void **state)
{
	struct incident_set *s = incident_set_new();

	(void)state;
	for (size_t k = 0; k < CORE_ARRAY_LEN(two_strangers); k++)
		synth_add(s, &two_strangers[k]);
	synth_add(s, &one_attacker[2]);
	assert_int_equal(incident_build(s), 0);
	for (size_t i = 0; i < incident_set_alert_count(s); i++) {
		uint32_t id = incident_set_alert(s, i)->incident;

		assert_true(id >= 1 && id <= incident_set_count(s));
	}
	for (size_t i = 0; i < incident_set_count(s); i++)
		assert_int_equal(incident_set_get(s, i)->id, i + 1);
	assert_int_equal(incident_build(s), CORE_E_INVAL);
	incident_set_free(s);
}

/*
 * A brute force that got in (seen in the events, no alert names the
 * account), then sudo by that account on that host: one story.  The
 * same sudo with no guessed login before it stays apart.
 */
static void test_guessed_login_ties_sudo(void **state)
{
	static const struct { bool guessed; size_t want; } rows[] = {
		{ true, 1 }, { false, 2 },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct incident_set *s = incident_set_new();
		struct synth brute = { &rule_brute, T0, 30, "198.51.100.9",
				       NULL, NULL, "bastion", NULL, NULL, 1 };
		struct synth sudo = { &rule_sudo, T0 + 120 * SEC, 1, NULL,
				      "deploy", NULL, "bastion", NULL, NULL,
				      40 };

		for (int i = 0; i < 30; i++)
			synth_observe(s, T0 + i * SEC, "ssh_login",
				      "failure", "198.51.100.9", "root",
				      "bastion");
		if (rows[r].guessed)
			synth_observe(s, T0 + 60 * SEC, "ssh_login",
				      "success", "198.51.100.9", "deploy",
				      "bastion");
		assert_int_equal(synth_add(s, &brute), 0);
		assert_int_equal(synth_add(s, &sudo), 0);
		assert_int_equal(incident_build(s), 0);
		if (incident_set_count(s) != rows[r].want)
			fail_msg("guessed=%d: %zu incidents, want %zu",
				 rows[r].guessed, incident_set_count(s),
				 rows[r].want);
		incident_set_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_hub_host_does_not_glue),
		cmocka_unit_test(test_network_links),
		cmocka_unit_test(test_process_links),
		cmocka_unit_test(test_grandparent_links),
		cmocka_unit_test(test_guessed_login_ties_sudo),
		cmocka_unit_test(test_noise_folds),
		cmocka_unit_test(test_noise_folds_by_month),
		cmocka_unit_test(test_noise_folds_across_tactics),
		cmocka_unit_test(test_records_point_to_incidents),
		cmocka_unit_test(test_orphan_joins_only_owner),
		cmocka_unit_test(test_orphan_already_placed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
