/*
 * detect_test.h: helpers the detect room's unit tests share: a ruleset
 * from a YAML snippet, events built by hand, alerts collected in order.
 */
#ifndef VIGIL_DETECT_TEST_H
#define VIGIL_DETECT_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "detect/detect.h"

#define T_MAX_ALERTS 64

struct t_alert {
	char title[128];
	uint64_t count;
	uint64_t distinct;
	int64_t ts_first, ts_last;
	unsigned nevidence;
	char group[128];
	uint64_t first_line, last_line;
};

struct t_run {
	unsigned nalerts;
	struct t_alert a[T_MAX_ALERTS];
	unsigned nrejects;
	char reject[512];
};

static inline void t_on_alert(const struct detect_alert *a, void *ud)
{
	struct t_run *run = ud;
	struct t_alert *t;

	if (run->nalerts == T_MAX_ALERTS)
		return;
	t = &run->a[run->nalerts++];
	snprintf(t->title, sizeof(t->title), "%s", a->rule->title);
	t->count = a->count;
	t->distinct = a->distinct;
	t->ts_first = a->ts_first;
	t->ts_last = a->ts_last;
	t->nevidence = a->nevidence;
	t->group[0] = '\0';
	if (a->ngroup > 0)
		snprintf(t->group, sizeof(t->group), "%.*s",
			 (int)a->group[0].value.len, a->group[0].value.p);
	t->first_line = a->nevidence ? a->evidence[0].line : 0;
	t->last_line = a->nevidence ? a->evidence[a->nevidence - 1].line : 0;
}

static inline void t_on_reject(const struct core_error *why, void *ud)
{
	struct t_run *run = ud;

	if (run->nrejects++ == 0)
		core_error_format(why, run->reject, sizeof(run->reject));
}

/* A ruleset holding the YAML text; rejections are counted in run. */
static inline struct detect_ruleset *t_rules(const char *yaml,
					     struct t_run *run)
{
	struct detect_ruleset *rs = detect_ruleset_new();

	assert_non_null(rs);
	assert_int_equal(detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data"),
			 0);
	detect_ruleset_load_buffer(rs, "snippet.yml", yaml, strlen(yaml),
				   t_on_reject, run);
	detect_ruleset_compile(rs, NULL);
	return rs;
}

/*
 * Fills ev from "field=value|field=value" (values may not hold '|').
 * The spec string must outlive the event.
 */
static inline void t_event(struct core_event *ev, const char *spec,
			   int64_t ts, uint64_t line)
{
	const char *p = spec;

	core_event_reset(ev, NULL);
	ev->ts = ts;
	ev->src = "test.log";
	ev->line = line;
	ev->raw = core_str_make(spec, strlen(spec));
	while (*p) {
		const char *eq = strchr(p, '='), *bar;

		if (eq == NULL)
			break;
		bar = strchr(eq, '|');
		if (bar == NULL)
			bar = eq + strlen(eq);
		core_event_set_named(ev, p, (size_t)(eq - p), eq + 1,
				     (size_t)(bar - eq - 1));
		p = *bar ? bar + 1 : bar;
	}
}

#define T_SEC 1000000LL

#endif /* VIGIL_DETECT_TEST_H */
