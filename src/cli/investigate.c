/*
 * investigate.c: `vigil investigate ENTITY`: what the store knows about
 * an address, user or host: its incidents and alerts over time, first
 * and last seen, its counters, its peers and how unusual it is against
 * every entity of its type the run observed (the run's baselines).
 *
 * The figures come from the store's read-only queries, the same the
 * model's tools call; --format json prints their documents as one
 * object {"entity": ..., "events": ...}, re-escaped on the way out as
 * show does (cli_report_json_text()): DEL, the C1 and bidirectional
 * controls and U+2028, U+2029 become \uNNNN, as in every JSON output.
 */
#include "cli/cli_store.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/jsonview.h"
#include "cli/report.h"

#define INV_MAX_BYTES (4u << 20)

static void help(FILE *out)
{
	fputs(
"usage: vigil investigate [OPTIONS] ENTITY\n"
"\n"
"Everything the store holds about ENTITY (an IP address, a user or a\n"
"host name): incidents and alert records over time, first and last seen,\n"
"counters per run, peers (entities named by the same alerts), how\n"
"unusual it is among the entities of its type, and its event lines.\n"
"\n"
"  -t, --type TYPE     ip, user, target, host, ua, url or a field name\n"
"                      (source.ip ...); default: every type\n"
"  -n, --limit N       rows per list (default 50, at most 500)\n"
"  -s, --store PATH    the store (default: as for vigil show)\n"
"  -f, --format FMT    text (default), json or md\n"
"  -h, --help          this text\n"
"\n"
"Exit status: 0 found, 1 not in the store or unreadable, 2 on a usage\n"
"error.\n", out);
}

static const char *const type_alias[][2] = {
	{ "ip", "source.ip" }, { "source.ip", "source.ip" },
	{ "user", "user.name" }, { "user.name", "user.name" },
	{ "target", "user.target.name" },
	{ "user.target.name", "user.target.name" },
	{ "host", "host.name" }, { "host.name", "host.name" },
	{ "ua", "user_agent.original" },
	{ "user_agent.original", "user_agent.original" },
	{ "url", "url.pattern" }, { "url.pattern", "url.pattern" },
};

static const char *type_of(const char *s)
{
	for (size_t i = 0; i < CORE_ARRAY_LEN(type_alias); i++)
		if (strcmp(s, type_alias[i][0]) == 0)
			return type_alias[i][1];
	return NULL;
}

/* ----------------------------------------------------------- printing */

static void section(struct core_buf *b, const char *name, bool md)
{
	core_buf_printf(b, md ? "\n### %s\n\n" : "  %s:\n", name);
}

static const char *item(bool md)
{
	return md ? "- " : "    ";
}

static void runs(struct core_buf *b, const cJSON *e, bool md)
{
	static const char *const names[] = {
		"events", "login_failures", "login_successes",
		"invalid_users", "pam_failures", "privileged", "requests",
		"http_4xx", "http_5xx", "ids_alerts", "distinct_users",
		"distinct_sources",
	};
	const cJSON *r;

	section(b, "counters per run", md);
	cJSON_ArrayForEach(r, arr(e, "runs")) {
		core_buf_printf(b, "%srun %.0f:", item(md), num(r, "run_id"));
		for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++)
			if (num(r, names[i]) > 0)
				core_buf_printf(b, " %s %.0f", names[i],
						num(r, names[i]));
		core_buf_printf(b, "%s\n", cJSON_IsTrue(
			cJSON_GetObjectItem(r, "observed")) ? "" :
			" (not observed in events)");
	}
}

static void incidents(struct core_buf *b, const cJSON *e, bool md)
{
	const cJSON *i;

	section(b, "incidents", md);
	cJSON_ArrayForEach(i, arr(e, "incidents")) {
		char t0[40];

		core_buf_printf(b, "%s#%.0f [%.0f %s] %s ", item(md),
				num(i, "id"), num(i, "score"),
				str(i, "severity"),
				when(str(i, "ts_first"), t0, sizeof(t0)));
		esc(b, str(i, "title"), CLI_REPORT_WIDTH, md);
		if (*str(i, "analyst_verdict"))
			core_buf_printf(b, "  (analyst: %s)",
					str(i, "analyst_verdict"));
		core_buf_addc(b, '\n');
	}
}

static void alerts(struct core_buf *b, const cJSON *e, bool md)
{
	const cJSON *a;

	section(b, "alert records over time", md);
	cJSON_ArrayForEach(a, arr(e, "alerts")) {
		char t0[40], t1[40];

		core_buf_printf(b, "%s%s .. %s  ", item(md),
				when(str(a, "ts_first"), t0, sizeof(t0)),
				when(str(a, "ts_last"), t1, sizeof(t1)));
		esc(b, str(a, "rule_title"), 96, md);
		core_buf_printf(b, " (%s): raised %.0f, events %.0f",
				str(a, "level"), num(a, "raised"),
				num(a, "events"));
		if (num(a, "incident_id") > 0)
			core_buf_printf(b, ", incident #%.0f",
					num(a, "incident_id"));
		core_buf_addc(b, '\n');
	}
}

static void peers(struct core_buf *b, const cJSON *e, bool md)
{
	const cJSON *p;

	section(b, "peers (named by the same alerts)", md);
	cJSON_ArrayForEach(p, arr(e, "peers")) {
		core_buf_printf(b, "%s%s ", item(md), str(p, "type"));
		esc(b, str(p, "value"), 96, md);
		core_buf_printf(b, ": %.0f alert record%s, %.0f incident%s%s\n",
				num(p, "shared_alerts"),
				cli_plural(num(p, "shared_alerts")),
				num(p, "shared_incidents"),
				cli_plural(num(p, "shared_incidents")),
				cJSON_IsTrue(cJSON_GetObjectItem(p,
				"rare_pair")) ? ", rare pair (seen with this "
				"entity only)" : "");
	}
}

static void unusual(struct core_buf *b, const cJSON *e, bool md)
{
	const cJSON *u = cJSON_GetObjectItem(e, "unusual"), *c;
	const char *basis = str(u, "basis");

	core_buf_printf(b, md ? "\n### how unusual (run %.0f, %.0f entities "
			"of this type: %s)\n\n" : "  how unusual (run %.0f, "
			"%.0f entities of this type: %s):\n",
			num(u, "run_id"), num(u, "population"),
			*basis ? basis : "stored entities");
	cJSON_ArrayForEach(c, arr(u, "counters")) {
		core_buf_printf(b, "%s%s %.0f: rank %s%.0f, z %.2f, percentile "
				"%.1f (mean %.2f, sd %.2f", item(md),
				str(c, "counter"), num(c, "value"),
				cJSON_IsFalse(cJSON_GetObjectItem(c,
				"rank_exact")) ? "~" : "", num(c, "rank"),
				num(c, "z"), num(c, "percentile"),
				num(c, "mean"), num(c, "stddev"));
		if (cJSON_GetObjectItem(c, "p99"))
			core_buf_printf(b, ", p50 %.0f, p99 %.0f, max %.0f",
					num(c, "p50"), num(c, "p99"),
					num(c, "max"));
		core_buf_printf(b, ")%s\n", cJSON_IsTrue(cJSON_GetObjectItem(
				c, "extreme")) ? "  EXTREME" : "");
	}
}

/* True when x is a line printed before: same file, line and text. */
static bool seen_line(const cJSON *const *seen, size_t n, const cJSON *x)
{
	for (size_t i = 0; i < n; i++) {
		if (num(seen[i], "line") == num(x, "line") &&
		    strcmp(str(seen[i], "file"), str(x, "file")) == 0 &&
		    strcmp(str(seen[i], "text"), str(x, "text")) == 0)
			return true;
	}
	return false;
}

/*
 * Each line once, though several alerts (and several entities of the
 * value) cite it: the store keeps one row per alert sample.
 */
static void events(struct core_buf *b, const cJSON *ev, bool md)
{
	const cJSON *e, *x, **seen = NULL;
	size_t n = 0, cap = 0;
	char t0[40];

	section(b, "event lines (evidence and alert samples)", md);
	cJSON_ArrayForEach(e, arr(ev, "entities")) {
		cJSON_ArrayForEach(x, arr(e, "events")) {
			if (seen_line(seen, n, x))
				continue;
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				const cJSON **v = realloc(seen,
							  nc * sizeof(*v));

				if (v == NULL)
					break;
				seen = v;
				cap = nc;
			}
			seen[n++] = x;
			core_buf_printf(b, "%s%s ", item(md),
					when(str(x, "ts"), t0, sizeof(t0)));
			cli_report_path(b, str(x, "file"), md);
			core_buf_printf(b, ":%.0f  ", num(x, "line"));
			esc_record(b, str(x, "text"), CLI_REPORT_WIDTH, md);
			core_buf_addc(b, '\n');
		}
	}
	free(seen);
}

static void entity(struct core_buf *b, const cJSON *e, bool md)
{
	char t0[40], t1[40];

	core_buf_printf(b, md ? "## %s `" : "%s ", str(e, "type"));
	esc(b, str(e, "value"), 96, md);
	core_buf_printf(b, md ? "`\n\n- first seen %s, last seen %s\n- %.0f "
			"alert record%s, %.0f incident%s\n" : "\n    first "
			"seen %s, last seen %s\n    %.0f alert record%s, %.0f "
			"incident%s\n",
			when(str(e, "first_seen"), t0, sizeof(t0)),
			when(str(e, "last_seen"), t1, sizeof(t1)),
			num(e, "alert_records"),
			cli_plural(num(e, "alert_records")),
			num(e, "incident_count"),
			cli_plural(num(e, "incident_count")));
	incidents(b, e, md);
	alerts(b, e, md);
	runs(b, e, md);
	peers(b, e, md);
	unusual(b, e, md);
}

static int print_text(FILE *out, const struct core_buf *ent,
		      const struct core_buf *ev, bool md)
{
	cJSON *d = cJSON_ParseWithLength(ent->p, ent->len);
	cJSON *x = cJSON_ParseWithLength(ev->p, ev->len);
	struct core_buf b;
	const cJSON *e;
	int rc;

	if (!d || !x) {
		cJSON_Delete(d);
		cJSON_Delete(x);
		return CORE_E_PARSE;
	}
	core_buf_init(&b, 4 * INV_MAX_BYTES);
	cJSON_ArrayForEach(e, arr(d, "entities"))
		entity(&b, e, md);
	events(&b, x, md);
	if (cJSON_IsTrue(cJSON_GetObjectItem(d, "truncated")) ||
	    cJSON_IsTrue(cJSON_GetObjectItem(x, "truncated")))
		core_buf_printf(&b, "(lists cut: --limit raises them)\n");
	cJSON_Delete(d);
	cJSON_Delete(x);
	rc = cli_report_flush(out, &b);
	core_buf_free(&b);
	return rc;
}

static int print_json(FILE *out, struct core_buf *ent, struct core_buf *ev)
{
	struct core_buf b;
	int rc;

	core_buf_init(&b, CLI_REPORT_JSON_TEXT_MAX(ent->len + ev->len) + 32);
	rc = core_buf_printf(&b, "{\"entity\":");
	rc = rc ? rc : cli_report_json_text(&b, ent->p, ent->len);
	rc = rc ? rc : core_buf_printf(&b, ",\"events\":");
	rc = rc ? rc : cli_report_json_text(&b, ev->p, ev->len);
	rc = rc ? rc : core_buf_printf(&b, "}\n");
	rc = rc ? rc : cli_report_flush(out, &b);
	core_buf_free(&b);
	return rc;
}

/* ---------------------------------------------------------------- main */

static int usage(const char *what, const char *arg)
{
	fprintf(stderr, "vigil investigate: %s%s%s\n(vigil investigate "
		"--help lists the options)\n", what, arg ? " " : "",
		arg ? arg : "");
	return 2;
}

static int query(struct store *st, struct store_query *q, int format)
{
	struct core_error err = { 0 };
	struct core_buf ent, ev;
	char msg[1024];
	int rc;

	core_buf_init(&ent, INV_MAX_BYTES);
	core_buf_init(&ev, INV_MAX_BYTES);
	rc = store_query_entity(st, q, &ent, &err);
	if (rc == 0)
		rc = store_query_events(st, q, &ev, &err);
	if (rc == 0)
		rc = format == CLI_OUT_JSON ? print_json(stdout, &ent, &ev) :
			print_text(stdout, &ent, &ev, format == CLI_OUT_MD);
	else
		core_error_format(&err, msg, sizeof(msg));
	core_buf_free(&ent);
	core_buf_free(&ev);
	if (rc != 0 && err.code)
		fprintf(stderr, "vigil investigate: %s\n", msg);
	else if (rc != 0)
		fprintf(stderr, "vigil investigate: cannot print: %s\n",
			core_strerror(rc));
	return rc ? 1 : 0;
}

int cli_investigate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'n' },
		{ "store", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_query q = { .max_bytes = INV_MAX_BYTES / 2 };
	const char *path = NULL;
	struct store *st;
	int format = CLI_OUT_TEXT, c, rc;
	uint64_t v;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:n:s:f:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 't':
			if (!(q.type = type_of(optarg)))
				return usage("unknown entity type", optarg);
			break;
		case 'n':
			if (!core_str_to_u64(core_str_make(optarg,
				strlen(optarg)), &v) || v == 0 ||
			    v > STORE_QUERY_MAX_ROWS)
				return usage("bad --limit (1..500)", optarg);
			q.limit = (size_t)v;
			break;
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
		return usage(optind >= argc ? "which entity?" :
			     "one entity at a time", NULL);
	q.value = core_str_make(argv[optind], strlen(argv[optind]));
	if (q.value.len == 0 || q.value.len > INCIDENT_VALUE_MAX)
		return usage("the entity must be 1 to 256 bytes", NULL);
	if (cli_store_open("investigate", path, &st) != 0)
		return 1;
	rc = query(st, &q, format);
	store_close(st);
	return rc;
}
