/*
 * fuzz_rule_load.c: libFuzzer target for the rule loader.  Each input is
 * one YAML rule file (any number of documents); it is loaded, compiled
 * and matched against one fixed event, then freed, once with the literal
 * prefilter and once without: the alert counts must agree.  Rejections
 * are expected; crashes, leaks and undefined behaviour are not.
 */
#include "detect/detect.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore_reject(const struct core_error *why, void *ud)
{
	(void)why;
	(void)ud;
}

static void count_alert(const struct detect_alert *a, void *ud)
{
	(void)a;
	(*(unsigned *)ud)++;
}

/* Loads, compiles and runs the input over the fixed events; returns the
 * number of alerts. */
static unsigned run(const uint8_t *data, size_t size, bool prefilter)
{
	struct detect_ruleset *rs = detect_ruleset_new();
	struct core_event ev;
	unsigned n = 0;

	if (rs == NULL)
		return 0;
	detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
	detect_ruleset_set_prefilter(rs, prefilter);
	detect_ruleset_load_buffer(rs, "fuzz.yml", data, size, ignore_reject,
				   NULL);
	detect_ruleset_compile(rs, NULL);
	core_event_reset(&ev, NULL);
	ev.ts = 1000000;
	ev.raw = CORE_STR("Failed password for root from 10.0.0.1");
	core_event_set_lit(&ev, CORE_F_EVENT_DATASET, "linux.auth");
	core_event_set_lit(&ev, CORE_F_EVENT_ACTION, "ssh_login");
	core_event_set_lit(&ev, CORE_F_PROCESS_NAME, "sshd");
	core_event_set_lit(&ev, CORE_F_SOURCE_IP, "10.0.0.1");
	core_event_set_lit(&ev, CORE_F_USER_NAME, "root");
	/* Padded, as Windows writes some (data/logsources-windows.yml). */
	core_event_set_named(&ev, "CommandLine", 11, "cmd /c whoami ", 14);
	/* A Security record's fields, for the message references. */
	core_event_set_named(&ev, "Channel", 7, "Security", 8);
	core_event_set_named(&ev, "AccessList", 10, "%%1538 %%4417", 13);
	for (int i = 0; i < 6; i++) {
		ev.ts += 1000000;
		detect_match(rs, &ev, count_alert, &n);
	}
	detect_flush(rs, count_alert, &n);
	detect_ruleset_free(rs);
	return n;
}

/* The literal prefilter must never change what fires. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (run(data, size, true) != run(data, size, false))
		abort();
	return 0;
}
