/*
 * templates.c: `vigil templates` and `vigil eval templates`.
 *
 * `templates` reads logs as analyze does (text or EVTX, plain or gzip,
 * cli_input.h), strips a recognisable header from each line (an EVTX
 * record is its one-line JSON), mines the messages and prints the
 * templates, most frequent first, with their stable ids, counts and one
 * example line each; with --store it starts from the list kept in the
 * store and saves the result back, so ids survive across runs.  `eval
 * templates` scores the miner on loghub-style ground truth, one row per
 * dataset and the averages.  Parsing arguments
 * and printing are the only work done here; the anomaly room mines.
 */
#include "cli/cli_anomaly.h"
#include "cli/cli_input.h"
#include "cli/report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "anomaly/anomaly.h"
#include "core/core.h"
#include "input/input.h"
#include "parse/evtx.h"
#include "store/store.h"

enum out_fmt {
	OUT_TEXT,
	OUT_JSON,
	OUT_CSV,
	OUT_NONE,
};

struct tmpl_run {
	enum out_fmt fmt;
	bool raw;		/* keep headers: mine whole lines */
	bool stats;
	struct anomaly_miner *m;
	const char *store;	/* --store PATH: templates kept there */
	const char *name;	/* --name: their key in the store */
	uint64_t lines, bytes, files_bad;
	double mine_s;
	struct parse_evtx *evtx;	/* EVTX logs: decoder, event, arena */
	struct core_event *ev;
	struct core_arena *arena;
};

static const char templates_usage[] =
"usage: vigil templates [OPTIONS] FILE|DIR...\n"
"\n"
"Mines the message templates of the logs named (text or Windows EVTX,\n"
"plain or gzip; '-' is standard input; directories and files named\n"
"twice as analyze reads them) and prints them, most frequent first.\n"
"An EVTX record is mined as the one-line JSON of its fields.\n"
"\n"
"  -f, --format FMT   text (default), json, csv, or none\n"
"      --raw          mine whole lines; do not strip a leading header\n"
"      --stats        print lines, templates, speed and memory on stderr\n"
"      --store PATH   start from the templates kept in the store at PATH\n"
"                     and keep the result there: ids stay stable\n"
"      --name NAME    which template list of the store (default\n"
"                     \"default\")\n"
"  -h, --help         this text\n";

static const char eval_usage[] =
"usage: vigil eval templates [OPTIONS] DIR|FILE...\n"
"\n"
"Scores the template miner against loghub-style ground truth: every\n"
"*_structured.csv found gives one row of grouping accuracy (GA) and\n"
"parsing accuracy (PA); the last row is their average.\n"
"\n"
"  -f, --format FMT   text (default) or csv\n"
"  -h, --help         this text\n";

static const char eval_which[] =
"usage: vigil eval templates [OPTIONS] DIR|FILE...\n"
"       vigil eval anomalies [--learn SHARE] DIR|FILE...\n"
"\n"
"templates scores the template miner against loghub-style ground truth;\n"
"anomalies gives the precision and recall of the anomaly alerts on\n"
"labelled loghub logs.  `vigil eval templates --help` and `vigil eval\n"
"anomalies --help` list their options.\n";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_fmt(const char *s, bool eval, enum out_fmt *out)
{
	if (strcmp(s, "text") == 0)
		*out = OUT_TEXT;
	else if (strcmp(s, "csv") == 0)
		*out = OUT_CSV;
	else if (!eval && strcmp(s, "json") == 0)
		*out = OUT_JSON;
	else if (!eval && strcmp(s, "none") == 0)
		*out = OUT_NONE;
	else
		return -1;
	return 0;
}

/* ----------------------------------------------------------- templates */

static void say(const struct core_error *err)
{
	char msg[1024];

	core_error_format(err, msg, sizeof(msg));
	fprintf(stderr, "vigil templates: %s\n", msg);
}

/* Mines one message; rec is its whole record.  0, or 1: out of memory. */
static int mine_one(struct tmpl_run *run, struct core_str msg,
		    struct core_str rec)
{
	double t0 = now_s();

	if (anomaly_miner_add(run->m, msg.p, msg.len, NULL) != 0) {
		fprintf(stderr, "vigil templates: out of memory\n");
		return 1;
	}
	run->mine_s += now_s() - t0;
	run->lines++;
	run->bytes += rec.len;
	return 0;
}

/*
 * The records of an EVTX input, each as analyze's anomaly model sees it
 * (anomaly_event_message(): the compact JSON of its fields), or whole
 * with --raw.
 */
static void mine_evtx(struct tmpl_run *run, struct cli_input *in)
{
	struct core_error err = { 0 };

	if ((run->ev == NULL &&
	     (run->ev = calloc(1, sizeof(*run->ev))) == NULL) ||
	    (run->arena == NULL &&
	     (run->arena = core_arena_new(1 << 20)) == NULL)) {
		core_fail(&err, CORE_E_NOMEM, cli_input_name(in), 0,
			  "out of memory");
		say(&err);
		return;
	}
	while (cli_input_evtx_read(in, run->ev, run->arena,
				   "vigil templates")) {
		struct core_event *ev = run->ev;
		const struct core_str *raw = core_event_raw(ev);

		if (mine_one(run, run->raw ? *raw :
			     anomaly_event_message(ev), *raw) != 0)
			break;
	}
}

/* One log as analyze reads it: text lines, or EVTX records. */
static void mine_file(struct tmpl_run *run, const char *path)
{
	struct cli_input in;
	struct core_error err;
	struct core_str rec;
	uint64_t lineno;
	unsigned flags;
	int rc;

	if (cli_input_open(path, 0, CLI_EVTX_SNIFF, &run->evtx, &in,
			   &err) != 0) {
		say(&err);
		run->files_bad++;
		return;
	}
	if (in.evtx != NULL) {
		mine_evtx(run, &in);
		cli_input_close(&in);
		return;
	}
	while ((rc = input_next(in.text, &rec, &lineno, &flags, &err)) == 1) {
		size_t skip = run->raw ? 0 : anomaly_header_skip(rec.p,
								  rec.len);

		if (mine_one(run, core_str_make(rec.p + skip, rec.len - skip),
			     rec) != 0)
			break;
	}
	if (rc < 0)
		say(&err);
	cli_input_close(&in);
}

struct row {
	uint64_t count;
	uint32_t idx;
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Live templates, most frequent first; *n gets their number. */
static struct row *sorted_rows(struct anomaly_miner *m, size_t *n)
{
	size_t nc = anomaly_miner_clusters(m), k = 0;
	struct row *rows = malloc((nc + 1) * sizeof(*rows));

	if (!rows)
		return NULL;
	for (size_t i = 0; i < nc; i++) {
		struct anomaly_template t;

		anomaly_miner_get(m, (uint32_t)i, &t);
		if (t.live && t.count)
			rows[k++] = (struct row){ t.count, (uint32_t)i };
	}
	qsort(rows, k, sizeof(*rows), row_cmp);
	*n = k;
	return rows;
}

static void put_csv_field(FILE *out, struct core_str s)
{
	fputc('"', out);
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] == '"')
			fputc('"', out);
		fputc(s.p[i], out);
	}
	fputc('"', out);
}

/* Log text with control, invalid and hidden bytes escaped (report.h). */
static void put_text(FILE *out, struct core_buf *b, struct core_str s)
{
	core_buf_reset(b);
	if (cli_report_escape(b, s.p, s.len, CLI_REPORT_WHOLE, 0) == 0)
		fputs(core_buf_cstr(b), out);
}

/* A JSON string as every JSON output writes one (cli/report.h). */
static void put_json_field(FILE *out, struct core_buf *b, const char *key,
			   struct core_str s)
{
	core_buf_reset(b);
	if (cli_report_json_str(b, s.p, s.len) == 0)
		fprintf(out, ",\"%s\":%s", key, core_buf_cstr(b));
}

static void print_one(FILE *out, enum out_fmt fmt, struct core_buf *b,
		      const struct anomaly_template *t, bool first)
{
	switch (fmt) {
	case OUT_TEXT:
		/* Log text for a terminal: escaped as the reports escape it. */
		fprintf(out, "%016llx %8llu  ", (unsigned long long)t->id,
			(unsigned long long)t->count);
		put_text(out, b, t->text);
		fprintf(out, "\n%27s e.g. ", "");
		put_text(out, b, t->example);
		fputc('\n', out);
		break;
	case OUT_CSV:
		fprintf(out, "%016llx,%llu,", (unsigned long long)t->id,
			(unsigned long long)t->count);
		put_csv_field(out, t->text);
		fputc(',', out);
		put_csv_field(out, t->example);
		fputs("\r\n", out);
		break;
	case OUT_JSON:
		fprintf(out, "%s\n  {\"id\":\"%016llx\",\"count\":%llu",
			first ? "" : ",", (unsigned long long)t->id,
			(unsigned long long)t->count);
		put_json_field(out, b, "template", t->text);
		put_json_field(out, b, "example", t->example);
		fputc('}', out);
		break;
	case OUT_NONE:
		break;
	}
}

static int print_templates(FILE *out, struct tmpl_run *run)
{
	struct core_buf b;
	struct row *rows;
	size_t n;

	if (!(rows = sorted_rows(run->m, &n)))
		return -1;
	core_buf_init(&b, 4 * ANOMALY_MASK_BUF);
	if (run->fmt == OUT_CSV)
		fputs("id,count,template,example\r\n", out);
	if (run->fmt == OUT_JSON)
		fprintf(out, "{\"lines\":%llu,\"templates\":[",
			(unsigned long long)run->lines);
	for (size_t i = 0; i < n; i++) {
		struct anomaly_template t;

		anomaly_miner_get(run->m, rows[i].idx, &t);
		print_one(out, run->fmt, &b, &t, i == 0);
	}
	if (run->fmt == OUT_JSON)
		fputs("\n]}\n", out);
	core_buf_free(&b);
	free(rows);
	return (int)n;
}

static void print_stats(const struct tmpl_run *run, int ntemplates)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr,
		"lines=%llu bytes=%llu templates=%d mine_seconds=%.3f "
		"lines_per_second=%.0f peak_rss_kb=%ld\n",
		(unsigned long long)run->lines,
		(unsigned long long)run->bytes, ntemplates, run->mine_s,
		run->mine_s > 0 ? (double)run->lines / run->mine_s : 0.0,
		ru.ru_maxrss);
}

static int templates_args(int argc, char **argv, struct tmpl_run *run)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "raw", no_argument, NULL, 'R' },
		{ "stats", no_argument, NULL, 'S' },
		{ "store", required_argument, NULL, 'D' },
		{ "name", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_fmt(optarg, false, &run->fmt) == 0)
				break;
			fprintf(stderr, "vigil templates: unknown format "
				"'%s'\n", optarg);
			return 2;
		case 'R':
			run->raw = true;
			break;
		case 'S':
			run->stats = true;
			break;
		case 'D':
			run->store = optarg;
			break;
		case 'N':
			run->name = optarg;
			break;
		case 'h':
			fputs(templates_usage, stdout);
			return 0;
		default:
			fputs(templates_usage, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs(templates_usage, stderr);
		return 2;
	}
	return -1;
}

#define TMPL_NS "anomaly.templates"

static void store_error(const char *path, const struct core_error *err)
{
	char msg[1024];

	core_error_format(err, msg, sizeof(msg));
	fprintf(stderr, "vigil templates: %s: %s\n", path, msg);
}

/*
 * Opens the store (created when absent) and restores the templates kept
 * under the run's name, if any.  Returns 0, or 1 after saying why.
 */
static int store_load(struct tmpl_run *run, struct store **st)
{
	struct core_error err = { 0 };
	struct core_buf b;
	int rc;

	if (store_open(run->store, NULL, st, &err) != 0) {
		store_error(run->store, &err);
		return 1;
	}
	core_buf_init(&b, STORE_STATE_MAX);
	rc = store_state_get(*st, TMPL_NS, run->name, &b, NULL, &err);
	if (rc == 0)
		rc = anomaly_templates_load(run->m, b.p, b.len, &err);
	core_buf_free(&b);
	if (rc == 0 || rc == CORE_E_NOTFOUND)
		return 0;
	store_error(run->store, &err);
	return 1;
}

static int store_save(struct tmpl_run *run, struct store *st)
{
	struct core_error err = { 0 };
	struct core_buf b;
	int rc;

	core_buf_init(&b, STORE_STATE_MAX);
	rc = anomaly_templates_save(run->m, &b);
	if (rc == 0)
		rc = store_state_put(st, TMPL_NS, run->name, b.p, b.len, &err);
	else
		core_fail(&err, rc, run->store, 0, "templates over %u bytes",
			  STORE_STATE_MAX);
	core_buf_free(&b);
	if (rc)
		store_error(run->store, &err);
	return rc != 0;
}

int cli_templates(int argc, char **argv)
{
	struct store *st = NULL;
	struct cli_paths logs = { .say = cli_paths_say,
				  .ud = "vigil templates" };
	struct tmpl_run run;
	int rc, n;
	double t0;

	memset(&run, 0, sizeof(run));
	run.name = "default";
	if ((rc = templates_args(argc, argv, &run)) >= 0)
		return rc;
	if (!(run.m = anomaly_miner_new(NULL))) {
		fprintf(stderr, "vigil templates: out of memory\n");
		return 1;
	}
	if (run.store && store_load(&run, &st) != 0) {
		store_close(st);
		anomaly_miner_free(run.m);
		return 1;
	}
	for (int i = optind; i < argc; i++)
		cli_paths_add(&logs, argv[i]);
	cli_paths_done(&logs);
	run.files_bad += logs.skipped;
	for (size_t i = 0; i < logs.n; i++)
		mine_file(&run, logs.v[i]);
	cli_paths_free(&logs);
	t0 = now_s();
	rc = anomaly_miner_finish(run.m);
	run.mine_s += now_s() - t0;
	n = rc == 0 ? print_templates(stdout, &run) : -1;
	if (n < 0)
		fprintf(stderr, "vigil templates: out of memory\n");
	if (run.stats)
		print_stats(&run, n);
	if (st && n >= 0 && (run.lines || !run.files_bad) &&
	    store_save(&run, st) != 0)
		n = -1;
	store_close(st);
	anomaly_miner_free(run.m);
	parse_evtx_free(run.evtx);
	core_arena_free(run.arena);
	free(run.ev);
	if (n < 0 || (run.lines == 0 && run.files_bad))
		return 1;
	return 0;
}

/* ---------------------------------------------------------------- eval */

struct eval_list {
	char **paths;
	size_t n, cap;
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void eval_found(const char *path, void *ud)
{
	struct eval_list *l = ud;
	char **np;

	if (!ends_with(path, "_structured.csv"))
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		np = realloc(l->paths, l->cap * sizeof(*np));
		if (!np)
			return;
		l->paths = np;
	}
	if ((l->paths[l->n] = strdup(path)) != NULL)
		l->n++;
}

static void eval_skipped(const char *path, const char *why, void *ud)
{
	(void)ud;
	fprintf(stderr, "vigil eval: skipped %s: %s\n", path, why);
}

/* "dir/HDFS_2k.log_structured.csv" gives "HDFS_2k". */
static void dataset_name(const char *path, char *out, size_t n)
{
	const char *b = strrchr(path, '/');
	size_t len;

	b = b ? b + 1 : path;
	len = strlen(b) - strlen("_structured.csv");
	if (len > 4 && strncmp(b + len - 4, ".log", 4) == 0)
		len -= 4;
	snprintf(out, n, "%.*s", (int)len, b);
}

static void eval_row(enum out_fmt fmt, const char *name,
		     const struct anomaly_eval *e)
{
	double lps = e->seconds > 0 ? (double)e->lines / e->seconds : 0.0;

	if (fmt == OUT_CSV)
		printf("%s,%llu,%llu,%llu,%.4f,%.4f,%.0f\r\n", name,
		       (unsigned long long)e->lines,
		       (unsigned long long)e->truth_groups,
		       (unsigned long long)e->found_groups, e->ga, e->pa, lps);
	else
		printf("%-16s %7llu %6llu %6llu  %6.4f  %6.4f %10.0f\n", name,
		       (unsigned long long)e->lines,
		       (unsigned long long)e->truth_groups,
		       (unsigned long long)e->found_groups, e->ga, e->pa, lps);
}

static int eval_args(int argc, char **argv, enum out_fmt *fmt)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	if (argc < 2 || strcmp(argv[1], "templates") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
				  strcmp(argv[1], "-h") == 0)) {
			fputs(eval_which, stdout);
			return 0;
		}
		if (argc < 2)
			fputs("vigil eval: which evaluation? templates or "
			      "anomalies\n\n", stderr);
		else
			fprintf(stderr, "vigil eval: no evaluation '%s'\n\n",
				argv[1]);
		fputs(eval_which, stderr);
		return 2;
	}
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "f:h", longopts,
				NULL)) != -1) {
		if (c == 'h') {
			fputs(eval_usage, stdout);
			return 0;
		}
		if (c != 'f' || parse_fmt(optarg, true, fmt) != 0) {
			fputs(eval_usage, stderr);
			return 2;
		}
	}
	if (optind >= argc - 1) {
		fputs(eval_usage, stderr);
		return 2;
	}
	return -1;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int eval_all(const struct eval_list *l, enum out_fmt fmt)
{
	struct anomaly_eval sum, e;
	size_t scored = 0;
	int status = 0;

	memset(&sum, 0, sizeof(sum));
	if (fmt == OUT_CSV)
		fputs("dataset,lines,truth_groups,found_groups,ga,pa,"
		      "lines_per_second\r\n", stdout);
	else
		printf("%-16s %7s %6s %6s  %6s  %6s %10s\n", "dataset",
		       "lines", "truth", "found", "GA", "PA", "lines/s");
	for (size_t i = 0; i < l->n; i++) {
		struct core_error err;
		char name[128], msg[1024];

		if (anomaly_eval_file(l->paths[i], NULL, &e, &err) != 0) {
			core_error_format(&err, msg, sizeof(msg));
			fprintf(stderr, "vigil eval: %s\n", msg);
			status = 1;
			continue;
		}
		dataset_name(l->paths[i], name, sizeof(name));
		eval_row(fmt, name, &e);
		sum.lines += e.lines;
		sum.truth_groups += e.truth_groups;
		sum.found_groups += e.found_groups;
		sum.ga += e.ga;
		sum.pa += e.pa;
		sum.seconds += e.seconds;
		scored++;
	}
	if (scored) {
		sum.ga /= (double)scored;
		sum.pa /= (double)scored;
		eval_row(fmt, "average", &sum);
	}
	return scored ? status : 1;
}

int cli_eval(int argc, char **argv)
{
	enum out_fmt fmt = OUT_TEXT;
	struct eval_list l = { NULL, 0, 0 };
	int rc;

	if (argc >= 2 && strcmp(argv[1], "anomalies") == 0)
		return cli_eval_anomalies(argc, argv);
	if ((rc = eval_args(argc, argv, &fmt)) >= 0)
		return rc;
	for (int i = optind + 1; i < argc; i++) {
		struct core_error err;

		if (input_walk(argv[i], eval_found, eval_skipped, &l,
			       &err) != 0) {
			fprintf(stderr, "vigil eval: %s: cannot read\n",
				argv[i]);
			rc = 1;
		}
	}
	qsort(l.paths, l.n, sizeof(*l.paths), path_cmp);
	if (l.n == 0)
		fprintf(stderr, "vigil eval: no *_structured.csv found\n");
	else
		rc = CORE_MAX(eval_all(&l, fmt), rc < 0 ? 0 : rc);
	for (size_t i = 0; i < l.n; i++)
		free(l.paths[i]);
	free(l.paths);
	return l.n ? rc : 1;
}
