/*
 * synth.h: synthetic events, rules and alerts for the incident tests.
 *
 * Tests build struct detect_alert values by hand, as detect would hand
 * them over, so the incident room is tested without rules or logs.  All
 * helpers are static inline: each test file includes this once.
 */
#ifndef VIGIL_TEST_INCIDENT_SYNTH_H
#define VIGIL_TEST_INCIDENT_SYNTH_H

#include <stdio.h>
#include <string.h>

#include "incident/incident.h"

#define SEC 1000000LL
#define T0 (1709287200LL * SEC)	/* 2024-03-01T10:00:00Z */

static const char *const tags_brute[] = {
	"attack.credential_access", "attack.t1110.001",
};
static const char *const tags_login[] = {
	"attack.initial_access", "attack.t1078",
};
static const char *const tags_sudo[] = {
	"attack.t1548.003", "attack.privilege_escalation",
};
static const char *const tags_web[] = {
	"attack.initial_access", "attack.t1190",
};
static const char *const tags_scan[] = {
	"attack.reconnaissance", "attack.t1595",
};

static const struct detect_rule_info rule_brute = {
	.id = "r-brute", .title = "SSH brute force",
	.level = DETECT_LEVEL_MEDIUM, .correlation = true,
	.tags = tags_brute, .ntags = 2,
};
static const struct detect_rule_info rule_login = {
	.id = "r-login", .title = "Login after failures",
	.level = DETECT_LEVEL_HIGH, .tags = tags_login, .ntags = 2,
};
static const struct detect_rule_info rule_sudo = {
	.id = "r-sudo", .title = "Sudo to root shell",
	.level = DETECT_LEVEL_HIGH, .tags = tags_sudo, .ntags = 2,
};
static const struct detect_rule_info rule_web = {
	.id = "r-web", .title = "SQL injection attempt",
	.level = DETECT_LEVEL_HIGH, .tags = tags_web, .ntags = 2,
};
static const struct detect_rule_info rule_scan = {
	.id = "r-scan", .title = "SSH scan",
	.level = DETECT_LEVEL_LOW, .tags = tags_scan, .ntags = 2,
};

struct synth {
	const struct detect_rule_info *rule;
	int64_t ts;
	uint64_t count;
	const char *ip, *user, *target, *host, *ua;
	const char *text;
	uint64_t line;
};

static inline struct core_str synth_str(const char *p)
{
	return p ? core_str_make(p, strlen(p)) : CORE_STR_NULL;
}

/* One alert with one evidence line carrying the entities. */
static inline void synth_alert(struct detect_alert *a, const struct synth *x)
{
	struct detect_evidence *e = &a->evidence[0];

	memset(a, 0, sizeof(*a));
	a->rule = x->rule;
	a->ts_first = a->ts_last = x->ts;
	a->count = x->count ? x->count : 1;
	a->nevidence = 1;
	e->src = "auth.log";
	e->line = x->line;
	e->ts = x->ts;
	e->text = synth_str(x->text ? x->text : "synthetic line");
	e->entity[DETECT_ENT_SOURCE_IP] = synth_str(x->ip);
	e->entity[DETECT_ENT_USER] = synth_str(x->user);
	e->entity[DETECT_ENT_TARGET_USER] = synth_str(x->target);
	e->entity[DETECT_ENT_HOST] = synth_str(x->host);
	e->entity[DETECT_ENT_USER_AGENT] = synth_str(x->ua);
}

static inline int synth_add(struct incident_set *s, const struct synth *x)
{
	struct detect_alert a;

	synth_alert(&a, x);
	return incident_add_alert(s, &a);
}

/* An sshd-like event: action, outcome, source, user, host. */
static inline void synth_event(struct core_event *ev, int64_t ts,
			       const char *act, const char *outcome,
			       const char *ip, const char *user,
			       const char *host)
{
	core_event_reset(ev, NULL);
	ev->ts = ts;
	ev->src = "auth.log";
	ev->decoded = true;
	if (act)
		core_event_set(ev, CORE_F_EVENT_ACTION, act, strlen(act));
	if (outcome)
		core_event_set(ev, CORE_F_EVENT_OUTCOME, outcome,
			       strlen(outcome));
	if (ip)
		core_event_set(ev, CORE_F_SOURCE_IP, ip, strlen(ip));
	if (user)
		core_event_set(ev, CORE_F_USER_NAME, user, strlen(user));
	if (host)
		core_event_set(ev, CORE_F_HOST_NAME, host, strlen(host));
}

static inline void synth_observe(struct incident_set *s, int64_t ts,
			  const char *act, const char *outcome,
			  const char *ip, const char *user, const char *host)
{
	static struct core_event ev;

	synth_event(&ev, ts, act, outcome, ip, user, host);
	incident_observe(s, &ev);
}

#endif /* VIGIL_TEST_INCIDENT_SYNTH_H */
