/*
 * parse_test.h: the table-row checker the parse room's unit tests share.
 *
 * A row is an input line, the expected fields and why the row exists.
 * Expectations are lines "name=value" (value compared exactly), "!name"
 * (field absent), "rc=N" (parse_record's return) or "ts=RFC3339" (the
 * event time as core_time_format prints it).  Included by test files only.
 */
#ifndef VIGIL_PARSE_TEST_H
#define VIGIL_PARSE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse/parse.h"
#include "parse/parse_int.h"

struct parse_row {
	const char *line;
	const char *expect;
	const char *why;
};

/* 2024-06-01T00:00:00Z: a fixed "file mtime" so years do not drift. */
#define PT_MTIME (1717200000LL * 1000000)

static inline void pt_ctx(struct parse_ctx *ctx)
{
	parse_ctx_init(ctx);
	ctx->file_mtime = PT_MTIME;
}

static inline void pt_fail(const struct parse_row *r, const char *want,
			   const char *got)
{
	print_error("line: %s\nwhy: %s\nwant: %s\ngot: %s\n", r->line, r->why,
		    want, got);
	fail();
}

/* Checks one "name=value" / "!name" expectation against ev. */
static inline void pt_expect(const struct parse_row *r,
			     const struct core_event *ev, int rc,
			     const char *e, size_t n)
{
	char want[512], got[512];
	const char *eq = memchr(e, '=', n);
	const struct core_str *v;

	snprintf(want, sizeof(want), "%.*s", (int)n, e);
	if (e[0] == '!') {
		v = core_event_get_named(ev, e + 1, n - 1);
		if (v)
			pt_fail(r, want, "present");
		return;
	}
	assert_non_null(eq);
	if (eq - e == 2 && memcmp(e, "rc", 2) == 0) {
		snprintf(got, sizeof(got), "rc=%d", rc);
	} else if (eq - e == 2 && memcmp(e, "ts", 2) == 0) {
		char ts[40];

		core_time_format(ev->ts, ts, sizeof(ts));
		snprintf(got, sizeof(got), "ts=%s", ts);
	} else {
		v = core_event_get_named(ev, e, (size_t)(eq - e));
		if (!v)
			pt_fail(r, want, "absent");
		snprintf(got, sizeof(got), "%.*s=%.*s", (int)(eq - e), e,
			 (int)v->len, v->p);
	}
	if (strcmp(want, got) != 0)
		pt_fail(r, want, got);
}

/* Decodes r->line as fmt and checks every expectation of the row. */
static inline void pt_check(enum core_format fmt, const struct parse_ctx *ctx,
			    struct core_arena *arena,
			    const struct parse_row *r)
{
	struct core_event ev;
	const char *e = r->expect;
	int rc;

	core_arena_reset(arena);
	core_event_reset(&ev, arena);
	rc = parse_record(fmt, ctx, &ev, r->line, strlen(r->line));
	while (*e) {
		const char *nl = strchr(e, '\n');
		size_t n = nl ? (size_t)(nl - e) : strlen(e);

		pt_expect(r, &ev, rc, e, n);
		e += n + (nl ? 1 : 0);
	}
}

static inline void pt_table(enum core_format fmt, const struct parse_row *rows,
			    size_t n)
{
	struct core_arena *arena = core_arena_new(0);
	struct parse_ctx ctx;

	assert_non_null(arena);
	pt_ctx(&ctx);
	for (size_t i = 0; i < n; i++)
		pt_check(fmt, &ctx, arena, &rows[i]);
	core_arena_free(arena);
}

#endif /* VIGIL_PARSE_TEST_H */
