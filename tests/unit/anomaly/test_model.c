/*
 * test_model.c: baselines and the anomaly alerts they raise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model_fixture.h"

struct seen {
	char id[64];
	char text[512];
	unsigned n;
};

static void collect(const struct detect_alert *a, void *ud)
{
	struct seen *s = ud;

	assert_true(anomaly_rule_is(a->rule));
	assert_true(a->rule->level <= DETECT_LEVEL_LOW);
	if (s->n++ == 0) {
		snprintf(s->id, sizeof(s->id), "%s", a->rule->id);
		snprintf(s->text, sizeof(s->text), "%.*s",
			 (int)a->evidence[0].text.len, a->evidence[0].text.p);
	}
}

static const struct {
	const char *msg, *user, *host, *ip;
	const char *want_id;	/* first alert, or NULL: none */
	const char *want_text;	/* in its reason */
	const char *why;
} score_rows[] = {
	{ "Accepted publickey for alice from 10.0.0.3 port 50001 ssh2",
	  "alice", "web1", "10.0.0.5", NULL, NULL,
	  "a known template, user, host and network raise nothing" },
	{ "kernel: segfault at 0000 ip 00007f sp 00007ffd error 4",
	  NULL, "web1", "10.0.0.5", "anomaly.template.new",
	  "never seen in 13 days of history; nearest known template",
	  "a kind of message never learnt" },
	{ "Accepted publickey for alice from 10.0.0.3 port 50002 ssh2",
	  "mallory", "web1", "10.0.0.5", "anomaly.pair.user_host",
	  "user mallory never seen on host web1",
	  "a user on a host for the first time" },
	{ "Accepted publickey for alice from 10.0.0.3 port 50003 ssh2",
	  "mallory", "web1", "10.0.0.5", NULL, NULL,
	  "the second time is not new" },
	{ "Accepted publickey for alice from 10.0.0.3 port 50004 ssh2",
	  "alice", "web1", "192.0.2.7", "anomaly.pair.network_service",
	  "network 192.0.2 never seen talking to sshd",
	  "a source network never seen by the service" },
};

static void test_score_table(void **state)
{
	struct anomaly_model *m = learnt();

	(void)state;
	for (size_t i = 0; i < sizeof(score_rows) / sizeof(score_rows[0]);
	     i++) {
		struct seen s = { "", "", 0 };

		anomaly_model_score(m, event(T0 + 14 * 24 * HOUR,
			score_rows[i].msg, score_rows[i].user,
			score_rows[i].host, score_rows[i].ip), collect, &s);
		if (!score_rows[i].want_id ? s.n != 0 :
		    strcmp(s.id, score_rows[i].want_id) != 0 ||
		    !strstr(s.text, score_rows[i].want_text))
			fail_msg("%s: got %u alerts, first %s: %s",
				 score_rows[i].why, s.n, s.id, s.text);
	}
	anomaly_model_free(m);
}

static void test_volume_spike(void **state)
{
	struct anomaly_model *m = learnt();
	struct seen s = { "", "", 0 };
	char msg[128];

	(void)state;
	for (int i = 0; i < 200; i++) {
		snprintf(msg, sizeof(msg), "Connection closed by 10.0.0.1 "
			 "port %d", 20000 + i);
		anomaly_model_score(m, event(T0 + 15 * 24 * HOUR + i, msg, NULL,
					     "web1", "10.0.0.5"), collect, &s);
	}
	assert_int_equal(s.n, 0);
	assert_int_equal(anomaly_model_flush(m, collect, &s), 1);
	assert_string_equal(s.id, "anomaly.volume.spike");
	assert_non_null(strstr(s.text, "200 events in one hour"));
	anomaly_model_free(m);
}

static void test_rule_prefix(void **state)
{
	struct detect_rule_info r = { 0 };

	(void)state;
	r.id = "anomaly.template.new";
	assert_true(anomaly_rule_is(&r));
	r.id = "5f3a-uuid";
	assert_false(anomaly_rule_is(&r));
	assert_false(anomaly_rule_is(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score_table),
		cmocka_unit_test(test_volume_spike),
		cmocka_unit_test(test_rule_prefix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
