/*
 * tmpstore.h: a fresh store in a temporary directory for each test, and
 * a small fixture of one run with two incidents.  Static inline helpers:
 * each test file includes this once.
 */
#ifndef VIGIL_TEST_STORE_TMPSTORE_H
#define VIGIL_TEST_STORE_TMPSTORE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

#define SEC 1000000LL
#define T0 (1709287200LL * SEC)	/* 2024-03-01T10:00:00Z */

struct tmpstore {
	char dir[256];
	char path[300];
	struct store *st;
};

/* Makes the directory and a path inside it; the store is not opened. */
static inline void tmp_path(struct tmpstore *t)
{
	const char *base = getenv("TMPDIR");

	snprintf(t->dir, sizeof(t->dir), "%s/vigil-store-XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(t->dir))
		abort();
	snprintf(t->path, sizeof(t->path), "%s/sub/dir/vigil.db", t->dir);
	t->st = NULL;
}

static inline void tmp_cleanup(struct tmpstore *t)
{
	char p[400];
	static const char *const names[] = {
		"sub/dir/vigil.db", "sub/dir/vigil.db-wal",
		"sub/dir/vigil.db-shm", "sub/dir", "sub",
	};

	store_close(t->st);
	t->st = NULL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", t->dir, names[i]);
		if (unlink(p) != 0)
			rmdir(p);
	}
	rmdir(t->dir);
}

static inline int tmp_open(struct tmpstore *t, int version)
{
	struct store_options o = { .target_version = version };
	struct core_error err = { 0 };

	return store_open(t->path, &o, &t->st, &err);
}

/* Ids the fixture wrote. */
struct fixture {
	int64_t run, inc[2], ip, user, host, alert[2];
};

static inline void fixture_write(struct store *st, struct fixture *f)
{
	struct store_run run = { .started = T0, .finished = T0 + SEC,
				 .version = "test" };
	struct store_counters c = { .events = 40, .login_failures = 37,
				    .distinct_users = 5, .first_seen = T0,
				    .last_seen = T0 + 60 * SEC };
	struct store_incident inc = {
		.rank = 1, .title = CORE_STR("SSH brute force: root"),
		.score = 80, .severity = "high", .ts_first = T0,
		.ts_last = T0 + 60 * SEC, .alerts = 3, .records = 1,
		.events = 40, .fingerprint = CORE_STR("fp-1"),
		.explanation = CORE_STR("many failures"),
		.tactics = CORE_STR("[\"credential_access\"]"),
	};
	struct store_alert a = { .rule_id = "r-brute",
				 .rule_title = "SSH brute force",
				 .level = "medium", .raised = 3,
				 .events = 37, .ts_first = T0,
				 .ts_last = T0 + 60 * SEC };
	struct store_event_ref r = { .file = "auth.log", .line = 7,
				     .ts = T0 + SEC,
				     .text = CORE_STR("Failed password") };
	struct store_evidence e = { .file = "auth.log", .line = 7,
				    .ts = T0 + SEC, .rule_id = "r-brute",
				    .text = CORE_STR("Failed password") };
	int64_t ents[2];

	if (store_begin(st, NULL) || store_run_add(st, &run, &f->run, NULL) ||
	    store_entity_id(st, "source.ip", CORE_STR("203.0.113.5"), &f->ip,
			    NULL) ||
	    store_entity_id(st, "user.name", CORE_STR("root"), &f->user,
			    NULL) ||
	    store_entity_id(st, "host.name", CORE_STR("web1"), &f->host, NULL))
		abort();
	if (store_entity_counters(st, f->run, f->ip, &c, NULL))
		abort();
	c.login_failures = 2;
	c.events = 3;
	if (store_entity_counters(st, f->run, f->host, &c, NULL) ||
	    store_entity_counters(st, f->run, f->user, NULL, NULL))
		abort();
	inc.run_id = f->run;
	if (store_incident_add(st, &inc, &f->inc[0], NULL))
		abort();
	inc.rank = 2;
	inc.score = 20;
	inc.severity = "low";
	inc.title = CORE_STR("SSH scan");
	inc.fingerprint = CORE_STR("fp-2");
	if (store_incident_add(st, &inc, &f->inc[1], NULL))
		abort();
	ents[0] = f->ip;
	ents[1] = f->user;
	a.run_id = f->run;
	a.incident_id = f->inc[0];
	a.nentities = 2;
	a.entities = ents;
	if (store_alert_add(st, &a, &f->alert[0], NULL))
		abort();
	a.incident_id = f->inc[1];
	a.rule_id = "r-scan";
	ents[1] = f->host;
	if (store_alert_add(st, &a, &f->alert[1], NULL))
		abort();
	r.run_id = f->run;
	r.alert_id = f->alert[0];
	e.incident_id = f->inc[0];
	e.alert_id = f->alert[0];
	if (store_event_ref_add(st, &r, &e.event_ref_id, NULL) ||
	    store_evidence_add(st, &e, NULL) ||
	    store_incident_entity(st, f->inc[0], f->ip, 0, NULL) ||
	    store_incident_entity(st, f->inc[0], f->user, 1, NULL) ||
	    store_incident_entity(st, f->inc[1], f->ip, 0, NULL) ||
	    store_commit(st, NULL))
		abort();
}

#endif /* VIGIL_TEST_STORE_TMPSTORE_H */
