/*
 * fuzz_cli_report.c: the whole pipeline after the reader on arbitrary
 * lines: sniff, decode, match the shipped rules (correlations included),
 * count entities, fold incidents and write all three reports.  Catches
 * what no single room's target can: bytes that survive decoding and
 * trip detection, grouping, scoring or the report writers.
 */
#include "cli/cli.h"
#include "parse/parse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_alert(const struct detect_alert *a, void *ud)
{
	incident_add_alert(ud, a);
}

static void report(const struct incident_set *set, enum cli_output_format f)
{
	struct cli_report_opts opts = { .format = f, .evidence = 5 };
	struct cli_stats st = { .ts_first = CORE_TS_UNKNOWN,
				.ts_last = CORE_TS_UNKNOWN };
	FILE *out = fopen("/dev/null", "w");

	if (!out)
		return;
	cli_report_write(out, &opts, &st, set);
	fclose(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct detect_ruleset *rs = detect_ruleset_new();
	struct incident_set *set = incident_set_new();
	struct core_arena *arena = core_arena_new(0);
	struct core_str lines[64];
	char *buf = malloc(size + 1);
	struct core_event ev;
	struct parse_ctx ctx;
	enum core_format fmt;
	size_t n = 0, at = 0;

	if (!rs || !set || !arena || !buf)
		goto done;
	memcpy(buf, data, size);
	detect_ruleset_load(rs, TEST_SRCDIR "/rules", NULL, NULL);
	if (detect_ruleset_compile(rs, NULL) != 0)
		goto done;

	/* Lines, as the reader would give them (no line ends). */
	for (size_t i = 0; i <= size && n < CORE_ARRAY_LEN(lines); i++) {
		if (i == size || buf[i] == '\n') {
			lines[n++] = core_str_make(buf + at, i - at);
			at = i + 1;
		}
	}
	fmt = parse_sniff(lines, n);
	parse_ctx_init(&ctx);
	ctx.default_year = 2024;
	ctx.hdr = parse_header_new();
	for (size_t i = 0; i < n; i++) {
		core_arena_reset(arena);
		core_event_reset(&ev, arena);
		ev.src = "fuzz.log";
		ev.line = i + 1;
		ev.raw = lines[i];
		parse_record(fmt, &ctx, &ev, lines[i].p, lines[i].len);
		incident_observe(set, &ev);
		detect_match(rs, &ev, on_alert, set);
	}
	detect_flush(rs, on_alert, set);
	incident_build(set);
	report(set, CLI_OUT_TEXT);
	report(set, CLI_OUT_JSON);
	report(set, CLI_OUT_MD);
	parse_header_free(ctx.hdr);
done:
	free(buf);
	core_arena_free(arena);
	incident_set_free(set);
	detect_ruleset_free(rs);
	return 0;
}
