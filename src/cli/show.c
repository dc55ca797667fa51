/*
 * show.c: `vigil show INCIDENT`: one stored incident as the report shows
 * it, with what happened to it since: triage traces, verdicts and the
 * analysts' feedback.
 *
 * The store's read-only query builds the JSON document (the same one a
 * model's tool receives); this file only prints it.  Text and md lay it
 * out for people, escaping every byte that came from logs or from a
 * model.  --format json writes the document re-escaped on the way out
 * (cli_report_json_text()): DEL, the C1 and bidirectional controls and
 * U+2028, U+2029, which the store keeps raw inside its strings, become
 * \uNNNN, as in every JSON output, and every other byte is written as
 * stored.  Re-escaping the finished text, rather than building it with
 * the cli's helper, keeps SQL and the document's shape in the store
 * room and covers every part of it (traces, verdicts, feedback) with
 * one pass; it is safe because valid JSON holds such characters raw
 * only inside strings, where the escape reads back as the very same
 * character.
 */
#include "cli/cli_store.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/jsonview.h"
#include "cli/report.h"

#define SHOW_MAX_BYTES (8u << 20)

static void help(FILE *out)
{
	fputs(
"usage: vigil show [OPTIONS] INCIDENT\n"
"\n"
"Prints a stored incident (its id as `vigil analyze --store` printed it):\n"
"entities, evidence, alert records, explanation, triage traces, verdicts\n"
"and analysts' feedback.\n"
"\n"
"  -s, --store PATH    the store (default: $VIGIL_STORE, else\n"
"                      $XDG_DATA_HOME/vigil/vigil.db, else\n"
"                      ~/.local/share/vigil/vigil.db)\n"
"  -f, --format FMT    text (default), json or md\n"
"  -h, --help          this text\n"
"\n"
"Exit status: 0 shown, 1 not found or the store could not be read, 2 on\n"
"a usage error.\n", out);
}

/* ----------------------------------------------------------- printing */

static void strings(struct core_buf *b, const cJSON *a, const char *sep)
{
	const cJSON *v;
	bool first = true;

	cJSON_ArrayForEach(v, a) {
		if (!cJSON_IsString(v))
			continue;
		core_buf_printf(b, "%s", first ? "" : sep);
		esc(b, v->valuestring, 64, false);
		first = false;
	}
}

static const char *const counters[][2] = {
	{ "login_failures", "failed logins" }, { "login_successes", "logins" },
	{ "invalid_users", "unknown-user attempts" },
	{ "pam_failures", "PAM failures" },
	{ "distinct_users", "users tried" }, { "distinct_sources", "sources" },
	{ "privileged", "privileged" }, { "requests", "requests" },
	{ "http_4xx", "4xx" }, { "http_5xx", "5xx" },
	{ "ids_alerts", "IDS alerts" },
};

static void counter_list(struct core_buf *b, const cJSON *o)
{
	bool first = true;

	for (size_t i = 0; i < CORE_ARRAY_LEN(counters); i++) {
		double v = num(o, counters[i][0]);

		if (v <= 0)
			continue;
		core_buf_printf(b, "%s%s %.0f", first ? "" : ", ",
				counters[i][1], v);
		first = false;
	}
	/* As the report has it: events only when nothing else counts. */
	if (first && num(o, "events") > 0)
		core_buf_printf(b, "events %.0f", num(o, "events"));
	else if (first)
		core_buf_printf(b, "named by alerts only");
}

static void head(struct core_buf *b, const cJSON *d, bool md)
{
	char t0[64], t1[64];

	core_buf_printf(b, md ? "## Incident %.0f: [%.0f %s] " :
			"#%.0f [%.0f %s] ", num(d, "id"), num(d, "score"),
			str(d, "severity"));
	esc(b, str(d, "title"), CLI_REPORT_WIDTH, md);
	core_buf_printf(b, md ? "\n\n- run %.0f, report #%.0f\n- %s .. %s, "
			"alerts %.0f, events %.0f\n" :
			"\n    run %.0f, report #%.0f\n    %s .. %s  alerts "
			"%.0f  events %.0f\n", num(d, "run_id"),
			num(d, "rank"),
			when(str(d, "ts_first"), t0, sizeof(t0)),
			when(str(d, "ts_last"), t1, sizeof(t1)),
			num(d, "alerts"), num(d, "events"));
	core_buf_printf(b, md ? "- ATT&CK: " : "    ATT&CK: ");
	strings(b, arr(d, "tactics"), " > ");
	core_buf_printf(b, "  (");
	strings(b, arr(d, "techniques"), ", ");
	core_buf_printf(b, ")\n");
	if (num(d, "previous_id") > 0)
		core_buf_printf(b, md ? "- seen before as incident %.0f\n" :
				"    seen before as incident %.0f\n",
				num(d, "previous_id"));
}

static void section(struct core_buf *b, const char *name, bool md)
{
	core_buf_printf(b, md ? "\n### %s\n\n" : "  %s:\n", name);
}

static void entities(struct core_buf *b, const cJSON *d, bool md)
{
	const cJSON *e;

	section(b, "entities", md);
	cJSON_ArrayForEach(e, arr(d, "entities")) {
		core_buf_printf(b, md ? "- %s `" : "    %s ", str(e, "type"));
		esc(b, str(e, "value"), 96, md);
		core_buf_printf(b, md ? "`: " : ": ");
		counter_list(b, e);
		core_buf_addc(b, '\n');
	}
}

static void evidence(struct core_buf *b, const cJSON *d, bool md)
{
	const cJSON *e;

	section(b, "evidence", md);
	cJSON_ArrayForEach(e, arr(d, "evidence")) {
		core_buf_printf(b, md ? "- `" : "    ");
		cli_report_path(b, str(e, "file"), md);
		core_buf_printf(b, ":%.0f%s", num(e, "line"),
				md ? "` `" : "  ");
		esc_record(b, str(e, "text"), CLI_REPORT_WIDTH, md);
		core_buf_printf(b, md ? "`\n" : "\n");
	}
}

static void alerts(struct core_buf *b, const cJSON *d, bool md)
{
	const cJSON *a;
	char t0[64], t1[64];

	section(b, "alert records", md);
	cJSON_ArrayForEach(a, arr(d, "alert_records")) {
		core_buf_printf(b, md ? "- " : "    ");
		esc(b, str(a, "rule_title"), 96, md);
		core_buf_printf(b, " (%s): raised %.0f, events %.0f, "
				"%s .. %s\n",
				str(a, "level"), num(a, "raised"),
				num(a, "events"),
				when(str(a, "ts_first"), t0, sizeof(t0)),
				when(str(a, "ts_last"), t1, sizeof(t1)));
	}
}

static void explanation(struct core_buf *b, const cJSON *d, bool md)
{
	const char *s = str(d, "explanation");

	section(b, "explanation", md);
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		core_buf_printf(b, md ? "" : "    ");
		/* vigil's own wording, bounded where it is made: whole. */
		cli_report_escape(b, s, n, CLI_REPORT_WHOLE, md);
		core_buf_printf(b, md ? "  \n" : "\n");
		s += n + (nl != NULL);
	}
}

static void traces(struct core_buf *b, const cJSON *d, bool md)
{
	const cJSON *t;
	char t0[64];

	section(b, "triage traces", md);
	if (!cJSON_GetArraySize(arr(d, "traces")))
		core_buf_printf(b, md ? "none (vigil triage makes them)\n" :
				"    none (vigil triage makes them)\n");
	cJSON_ArrayForEach(t, arr(d, "traces")) {
		core_buf_printf(b, md ? "- trace %.0f: %s" : "    trace %.0f: "
				"%s", num(t, "id"), str(t, "producer"));
		if (*str(t, "model")) {
			core_buf_addc(b, ' ');
			esc(b, str(t, "model"), 64, md);
		}
		core_buf_printf(b, ", %s, %s, %.0f ms, %.0f+%.0f tokens, %.0f "
				"step%s\n", when(str(t, "started"), t0,
						  sizeof(t0)), str(t, "status"),
				num(t, "duration_us") / 1000,
				num(t, "prompt_tokens"),
				num(t, "completion_tokens"), num(t, "steps"),
				num(t, "steps") == 1 ? "" : "s");
		core_buf_printf(b, md ? "  - answer: " : "      answer: ");
		esc(b, str(t, "answer"), 4 * CLI_REPORT_WIDTH, md);
		core_buf_addc(b, '\n');
	}
}

/*
 * A text vigil stored with its own line breaks (a verdict's reasons): each
 * line escaped on its own, the later ones indented under the first, so
 * that a break vigil wrote reads as one and a control byte from the logs
 * or a model still shows as \xNN.
 */
static void lines(struct core_buf *b, const char *s, const char *indent,
		  bool md)
{
	for (bool first = true; first || *s; first = false) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		if (!first)
			core_buf_printf(b, md ? "  \n%s" : "\n%s", indent);
		cli_report_escape(b, s, n, 4 * CLI_REPORT_WIDTH, md);
		s += n + (nl != NULL);
	}
}

/*
 * A verdict as the user reads it: the model's false_positive is shown as
 * vigil feedback takes it, false-positive (JSON keeps it as stored).
 */
static const char *verdict_word(const char *v)
{
	return strcmp(v, "false_positive") == 0 ? "false-positive" : v;
}

static void verdicts(struct core_buf *b, const cJSON *d, bool md)
{
	const cJSON *v;
	char t0[64];

	section(b, "verdicts", md);
	cJSON_ArrayForEach(v, arr(d, "verdicts")) {
		core_buf_printf(b, md ? "- %s: **%s** (confidence %.2f, score "
				"%+.0f), %s: " : "    %s: %s (confidence %.2f, "
				"score %+.0f), %s: ", str(v, "producer"),
				verdict_word(str(v, "verdict")),
				num(v, "confidence"),
				num(v, "score_delta"),
				when(str(v, "created"), t0, sizeof(t0)));
		lines(b, str(v, "explanation"), md ? "  " : "      ", md);
		core_buf_addc(b, '\n');
	}
}

static void feedback(struct core_buf *b, const cJSON *d, bool md)
{
	const cJSON *f;
	char t0[64];

	section(b, "analyst feedback", md);
	cJSON_ArrayForEach(f, arr(d, "feedback")) {
		core_buf_printf(b, md ? "- %s " : "    %s ",
				when(str(f, "created"), t0, sizeof(t0)));
		esc(b, str(f, "analyst"), 64, md);
		core_buf_printf(b, ": %s", verdict_word(str(f, "verdict")));
		if (*str(f, "note")) {
			core_buf_printf(b, ": ");
			esc(b, str(f, "note"), 4 * CLI_REPORT_WIDTH, md);
		}
		core_buf_addc(b, '\n');
	}
}

/* --format json: the stored document re-escaped (see the top). */
static int print_json(FILE *out, const struct core_buf *doc)
{
	struct core_buf b;
	int rc;

	core_buf_init(&b, CLI_REPORT_JSON_TEXT_MAX(doc->len) + 2);
	rc = cli_report_json_text(&b, doc->p, doc->len);
	rc = rc ? rc : core_buf_addc(&b, '\n');
	rc = rc ? rc : cli_report_flush(out, &b);
	core_buf_free(&b);
	return rc;
}

static int print_doc(FILE *out, struct core_buf *doc, int format)
{
	struct core_buf b;
	cJSON *d;
	bool md = format == CLI_OUT_MD;
	int rc;

	if (format == CLI_OUT_JSON)
		return print_json(out, doc);
	d = cJSON_ParseWithLength(doc->p, doc->len);
	if (!d)
		return CORE_E_PARSE;
	core_buf_init(&b, SHOW_MAX_BYTES);
	head(&b, d, md);
	entities(&b, d, md);
	evidence(&b, d, md);
	alerts(&b, d, md);
	explanation(&b, d, md);
	traces(&b, d, md);
	verdicts(&b, d, md);
	feedback(&b, d, md);
	cJSON_Delete(d);
	rc = cli_report_flush(out, &b);
	core_buf_free(&b);
	return rc;
}

/* ---------------------------------------------------------------- main */

static int usage(const char *what, const char *arg)
{
	fprintf(stderr, "vigil show: %s%s%s\n(vigil show --help lists the "
		"options)\n", what, arg ? " " : "", arg ? arg : "");
	return 2;
}

int cli_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	struct core_error err = { 0 };
	struct store_query q = { .max_bytes = SHOW_MAX_BYTES / 2 };
	struct core_buf doc;
	struct store *st;
	int format = CLI_OUT_TEXT, c, rc;
	int64_t id;
	char msg[1024];

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'f':
			if ((format = cli_store_format(optarg)) < 0)
				return usage("unknown format", optarg);
			break;
		case 'h':
			help(stdout);
			return 0;
		default:
			return usage("unknown option", NULL);
		}
	}
	if (optind + 1 != argc)
		return usage(optind >= argc ? "which incident?" :
			     "one incident at a time", NULL);
	if (cli_store_parse_id("show", argv[optind], &id) != 0)
		return 2;
	if (cli_store_open("show", path, &st) != 0)
		return 1;

	core_buf_init(&doc, SHOW_MAX_BYTES);
	rc = store_query_incident(st, id, &q, &doc, &err);
	store_close(st);
	if (rc == 0)
		rc = print_doc(stdout, &doc, format);
	else
		core_error_format(&err, msg, sizeof(msg));
	core_buf_free(&doc);
	if (rc != 0 && err.code)
		fprintf(stderr, "vigil show: %s\n", msg);
	else if (rc != 0)
		fprintf(stderr, "vigil show: cannot print: %s\n",
			core_strerror(rc));
	return rc ? 1 : 0;
}
