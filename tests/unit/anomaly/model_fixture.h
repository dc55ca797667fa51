/*
 * model_fixture.h: the anomaly tests' event builder and a model that has
 * learnt two weeks of one host.  Static helpers: a test file includes this
 * once, after cmocka.h.
 */
#ifndef VIGIL_TEST_ANOMALY_MODEL_FIXTURE_H
#define VIGIL_TEST_ANOMALY_MODEL_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "anomaly/anomaly.h"

#define HOUR 3600000000LL
#define T0 1700000000000000LL

static struct core_event ev;

static inline const struct core_event *event(int64_t ts,
					     const char *msg,
					     const char *user,
					     const char *host,
					     const char *ip)
{
	core_event_reset(&ev, NULL);
	ev.ts = ts;
	ev.src = "test.log";
	ev.line = 1;
	ev.raw = core_str_make(msg, strlen(msg));
	core_event_set(&ev, CORE_F_PROCESS_NAME, "sshd", 4);
	if (user)
		core_event_set(&ev, CORE_F_USER_NAME, user, strlen(user));
	if (host)
		core_event_set(&ev, CORE_F_HOST_NAME, host, strlen(host));
	if (ip)
		core_event_set(&ev, CORE_F_SOURCE_IP, ip, strlen(ip));
	return &ev;
}

/* Two weeks of one host: the same logins and closes every hour. */
static inline struct anomaly_model *learnt(void)
{
	struct anomaly_model *m = anomaly_model_new(NULL);
	char msg[128];

	assert_non_null(m);
	for (int h = 0; h < 14 * 24; h++) {
		snprintf(msg, sizeof(msg), "Accepted publickey for alice from "
			 "10.0.0.%d port %d ssh2", h % 7, 40000 + h);
		assert_int_equal(anomaly_model_learn(m, event(T0 + h * HOUR,
			msg, "alice", "web1", "10.0.0.5")), 0);
		snprintf(msg, sizeof(msg), "Connection closed by 10.0.0.%d "
			 "port %d", h % 5, 30000 + h);
		assert_int_equal(anomaly_model_learn(m, event(T0 + h * HOUR,
			msg, NULL, "web1", "10.0.0.5")), 0);
	}
	return m;
}

#endif /* VIGIL_TEST_ANOMALY_MODEL_FIXTURE_H */
