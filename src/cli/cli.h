/*
 * cli.h: what the subcommands share: run statistics, report options and
 * the report writers.  Parsing arguments and printing are the only jobs of
 * this room; the work is done by the rooms it calls.
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdio.h>

#include "core/core.h"
#include "detect/detect.h"
#include "incident/incident.h"

/* Figures of one analysis run, for the report's header and --format json. */
struct cli_stats {
	uint64_t inputs;		/* files and streams read */
	uint64_t inputs_skipped;	/* unreadable, empty, not regular */
	uint64_t bytes;
	uint64_t lines;			/* records read */
	uint64_t events;		/* records turned into events */
	uint64_t decoded;		/* ... that a decoder understood */
	uint64_t raw;			/* ... kept raw: no decoder fit */
	uint64_t per_format[CORE_FMT__COUNT];
	uint64_t bad_records;		/* truncated, binary, bad UTF-8 */
	uint64_t alerts;		/* plain and correlation alerts */
	uint64_t rules_loaded;
	uint64_t rules_rejected;
	int64_t elapsed_us;
	int64_t ts_first;		/* earliest event time seen */
	int64_t ts_last;
};

enum cli_output_format {
	CLI_OUT_TEXT = 0,
	CLI_OUT_JSON,
	CLI_OUT_MD,
};

struct cli_report_opts {
	enum cli_output_format format;
	unsigned top;			/* incidents to show; 0: all */
	enum detect_level min_severity;
	bool colour;			/* ANSI colour: only on a terminal */
	unsigned evidence;		/* evidence lines per incident */
	bool verbose;
	/* Set when the run was stored first (--store): where, the run's
	 * id and each incident's (by incident id - 1), for the JSON report
	 * to lead to `vigil show`. */
	const char *store;
	int64_t stored_run;
	const int64_t *stored_ids;
};

/*
 * Writes the report for one run.  Text and Markdown are for people; JSON
 * follows docs/json-output.md and docs/vigil-report.schema.json.
 * Returns 0, or CORE_E_IO when out could not be written.
 */
int cli_report_write(FILE *out, const struct cli_report_opts *opts,
		     const struct cli_stats *st,
		     const struct incident_set *set);

/* Subcommands: argc/argv start at the subcommand's own name. */
int cli_analyze(int argc, char **argv);
/* vigil rules check|test|fields (src/cli/rules.c). */
int cli_rules(int argc, char **argv);
/*
 * Why rule path gave no rules after a load returned rc: the system's
 * reason when it cannot be read (missing, no permission), else what the
 * loader returned.
 */
const char *cli_rules_load_reason(const char *path, int rc);

/* "s" unless n is one: "1 alert", "2 alerts". */
static inline const char *cli_plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

#endif /* VIGIL_CLI_H */
