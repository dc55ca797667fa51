/*
 * analyze.c: `vigil analyze`, the main job.
 *
 * Reads every input in order, one record at a time: decode into an event,
 * count it for the entities it names, match it against the rules; alerts
 * go to the incident set.  At the end the open correlations are flushed,
 * incidents are built and the report is written.  Memory is bounded by the
 * rules' and incidents' own caps, not by the input's size: records live in
 * the reader's buffer, per-event data in one arena reset after each event.
 *
 * Damaged input is reported with its file and line and never stops the
 * run; the exit status is non-zero only when nothing could be analysed or
 * the command line was wrong.
 */
#include "cli/cli.h"
#include "cli/cli_anomaly.h"
#include "cli/cli_input.h"
#include "cli/cli_threads.h"
#include "cli/cli_store.h"
#include "cli/report.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/evtx.h"
#include "input/input.h"
#include "parse/evtx.h"
#include "parse/parse.h"

#define SNIFF_LINES 64
#define MAX_RULE_DIRS 32
#define WARN_PER_KIND 3		/* messages per file and kind of damage */
#define PROGRESS_AFTER_US 1000000
#define PROGRESS_EVERY_US 250000
#define HALF_YEAR_US (183LL * 86400 * 1000000)
#define INPUT_FORMATS "syslog, journal, access, errorlog, eve, json, " \
	"w3c, zeek, auditd, evtx, raw"

enum damage {
	DAMAGE_TRUNCATED,
	DAMAGE_NUL,
	DAMAGE_UTF8,
	DAMAGE_TIME,
	DAMAGE_FIELDS,
	DAMAGE_OLD_TIME,
	DAMAGE_HEADER,
	DAMAGE__COUNT,
};

/* A decoder's flags beside the reader's INPUT_F_* ones. */
#define DAMAGE_F_BAD_TIME (1u << 16)
#define DAMAGE_F_FIELDS (1u << 17)	/* core_event's table was full */
#define DAMAGE_F_OLD_TIME (1u << 18)	/* before TIME_FLOOR */
#define DAMAGE_F_HEADER (1u << 19)	/* fits no column header (w3c, zeek) */

/*
 * 1990-01-01: no log vigil reads comes from before, while a clock never
 * set (or a placeholder such as 01/Jan/1970) writes such stamps; they
 * are kept, but said, since they stretch the incident they fall in.
 */
#define TIME_FLOOR (631152000LL * 1000000)

static const char *damage_what[DAMAGE__COUNT] = {
	"line longer than 1 MiB; cut there, the rest of it skipped",
	"line holds NUL bytes",
	"line is not valid UTF-8; kept as bytes",
	"time stamp names no real date or time; analysed without a time",
	"record has more fields than an event holds; the rest were dropped",
	"time stamp is before 1990 (a clock never set?); kept as written",
	"record does not fit its file's header; kept raw",
};

struct analyze {
	/* options */
	int input_format;		/* CORE_FMT_AUTO or forced */
	struct cli_report_opts report;
	const char *rule_dirs[MAX_RULE_DIRS];
	size_t nrule_dirs;
	bool default_rules;
	uint64_t windows_events;	/* events of dataset windows */
	bool no_prefilter;		/* --no-prefilter */
	unsigned threads;		/* --threads; 0 or 1: no workers */
	struct cli_threads *thr;	/* workers when threads > 1 */
	bool quiet;
	const char *baselines[MAX_RULE_DIRS];	/* --baseline */
	size_t nbaselines;
	const char *anomaly_state;		/* --anomaly-state */
	int anomaly;			/* -1 default, 0 off, 1 on */
	struct cli_anomaly *anom;
	const char *output;
	const char *store;		/* --store PATH, or NULL */
	struct parse_ctx pctx;

	/* run state */
	struct detect_ruleset *rules;
	struct incident_set *incidents;
	struct core_arena *arena;
	struct parse_procs *procs;	/* Sysmon processes seen (sysmon.c) */
	struct parse_header *hdr;	/* w3c and zeek columns, per input */
	struct parse_evtx *evtx;	/* EVTX decoder, made at the first */
	struct core_event ev;
	struct cli_stats st;
	uint64_t rejects_shown;
	uint64_t bytes_total;		/* of all inputs, for progress */
	uint64_t bytes_done;		/* of inputs already finished */
	int64_t started;
	int64_t last_progress;
	bool progress;
	bool progress_shown;
	int errors;			/* inputs that could not be read */
};

static void print_help(FILE *out)
{
	fputs(
"usage: vigil analyze [OPTIONS] FILE|DIR|-...\n"
"\n"
"Reads logs (plain or gzip; directories recursively; - is standard input),\n"
"detects attacks and prints incidents, most urgent first.\n"
"\n"
"input:\n"
"  -F, --input-format FMT  read every input as FMT instead of sniffing:\n"
"                          syslog, journal, access, errorlog, eve, json,\n"
"                          w3c, zeek, auditd, evtx, raw\n"
"      --year YYYY         year of the first syslog stamp without one;\n"
"                          a New Year in the file moves it on (default:\n"
"                          the year of the file's modification time, one\n"
"                          back for a stamp later than that time)\n"
"      --tz +HH:MM         zone of stamps without one (default: UTC)\n"
"rules:\n"
"  -r, --rules DIR         also load the Sigma rules under DIR (repeatable)\n"
"      --no-default-rules  load only the --rules directories\n"
"      --no-prefilter      test every rule on every event (no literal\n"
"                          prefilter; slower, same alerts)\n"
"      --threads N         match rules in N threads, 1 to 256 (default\n"
"                          1; the report is the same for any N)\n"
"output:\n"
"  -f, --format FMT        text (default), json or md; an input format\n"
"                          name (syslog, journal, access, eve, raw) is\n"
"                          taken as --input-format\n"
"  -o, --output FILE       write the report to FILE instead of stdout\n"
"      --store PATH        also keep the run in the store at PATH\n"
"                          (vigil show, investigate, feedback read it)\n"
"  -n, --top N             show the N most urgent incidents (text: 10;\n"
"                          0 shows all; json and md: all)\n"
"  -s, --min-severity LVL  hide incidents below LVL: informational, low,\n"
"                          medium, high, critical\n"
"  -e, --evidence N        evidence lines per incident (default 5)\n"
"      --color WHEN        auto (default: only on a terminal), always,\n"
"                          never\n"
"  -q, --quiet             no progress line, no warnings about the input\n"
"      --baseline PATH     learn normal from these known-good logs first;\n"
"                          with --store the model is saved there and\n"
"                          later runs with --store reuse it\n"
"      --anomaly-state FILE  load the learnt model from FILE (before the\n"
"                          store's); save it there after --baseline\n"
"      --anomaly, --no-anomaly  anomaly alerts on or off (default: on\n"
"                          when a baseline or a saved model exists)\n"
"  -v, --verbose           every entity and evidence line kept, every\n"
"                          unusable rule\n"
"  -h, --help              this text\n"
"\n"
"Exit status: 0 when the analysis ran (incidents found or not), 1 when no\n"
"input could be read or the rules could not be loaded, 2 on a usage\n"
"error.\n", out);
}

/* ------------------------------------------------------------- options */

static int parse_level(const char *s, enum detect_level *out)
{
	static const char *names[] = { "informational", "low", "medium",
				       "high", "critical" };

	for (unsigned i = 0; i < CORE_ARRAY_LEN(names); i++) {
		if (strcmp(s, names[i]) == 0 ||
		    (strcmp(s, "info") == 0 && i == 0)) {
			*out = (enum detect_level)i;
			return 0;
		}
	}
	return -1;
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	uint64_t v;

	if (!core_str_to_u64(core_str_make(s, strlen(s)), &v) || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* "+HH:MM", "-HHMM", "Z" or "UTC" -> minutes east of UTC. */
static int parse_tz(const char *s, int *out)
{
	int sign, h, m = 0;
	size_t n = strlen(s);

	if (strcmp(s, "Z") == 0 || strcmp(s, "UTC") == 0) {
		*out = 0;
		return 0;
	}
	if (n < 3 || (s[0] != '+' && s[0] != '-'))
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	if (s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
		return -1;
	h = (s[1] - '0') * 10 + (s[2] - '0');
	s += 3;
	if (*s == ':')
		s++;
	if (*s) {
		if (strlen(s) != 2 || s[0] < '0' || s[0] > '5' || s[1] < '0' ||
		    s[1] > '9')
			return -1;
		m = (s[0] - '0') * 10 + (s[1] - '0');
	}
	if (h > 14)
		return -1;
	*out = sign * (h * 60 + m);
	return 0;
}

static int set_format(struct analyze *a, const char *v)
{
	int f;

	if (strcmp(v, "text") == 0)
		a->report.format = CLI_OUT_TEXT;
	else if (strcmp(v, "json") == 0)
		a->report.format = CLI_OUT_JSON;
	else if (strcmp(v, "md") == 0 || strcmp(v, "markdown") == 0)
		a->report.format = CLI_OUT_MD;
	else if ((f = core_format_lookup(v)) > CORE_FMT_AUTO)
		a->input_format = f;
	else
		return -1;
	return 0;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "vigil analyze: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(vigil analyze --help lists the options)\n");
	return 2;
}

/*
 * The option getopt stopped at, as typed: a long one whole, a short one
 * by the letter it did not know ("-x" of "-qx").
 */
static const char *bad_option(const char *arg)
{
	static char buf[3];

	if (optopt == 0 || strncmp(arg, "--", 2) == 0)
		return arg;
	snprintf(buf, sizeof(buf), "-%c", optopt);
	return buf;
}

/* Returns the index of the first input argument, or -(exit status). */
static int parse_args(struct analyze *a, int argc, char **argv)
{
	enum { OPT_YEAR = 256, OPT_TZ, OPT_NODEFRULES, OPT_COLOR, OPT_STORE };
	enum { OPT_BASELINE = 512, OPT_ASTATE, OPT_ANOMALY, OPT_NO_ANOMALY };
	enum { OPT_NO_PREFILTER = 768, OPT_THREADS };
	static const struct option longopts[] = {
		{ "input-format", required_argument, NULL, 'F' },
		{ "format", required_argument, NULL, 'f' },
		{ "rules", required_argument, NULL, 'r' },
		{ "no-default-rules", no_argument, NULL, OPT_NODEFRULES },
		{ "no-prefilter", no_argument, NULL, OPT_NO_PREFILTER },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "output", required_argument, NULL, 'o' },
		{ "store", required_argument, NULL, OPT_STORE },
		{ "top", required_argument, NULL, 'n' },
		{ "min-severity", required_argument, NULL, 's' },
		{ "evidence", required_argument, NULL, 'e' },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "colour", required_argument, NULL, OPT_COLOR },
		{ "year", required_argument, NULL, OPT_YEAR },
		{ "tz", required_argument, NULL, OPT_TZ },
		{ "quiet", no_argument, NULL, 'q' },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "anomaly-state", required_argument, NULL, OPT_ASTATE },
		{ "anomaly", no_argument, NULL, OPT_ANOMALY },
		{ "no-anomaly", no_argument, NULL, OPT_NO_ANOMALY },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int color = -1, top = -1, c, f;
	unsigned u;

	/* getopt says nothing itself: one message per mistake, below. */
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":F:f:r:o:n:s:e:qvh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'F':
			f = core_format_lookup(optarg);
			if (f <= CORE_FMT_AUTO)
				return -usage_error("unknown input format "
						    "'%s' (" INPUT_FORMATS ")",
						    optarg);
			a->input_format = f;
			break;
		case 'f':
			if (set_format(a, optarg) != 0)
				return -usage_error("unknown format '%s' "
						    "(text, json, md, or an "
						    "input format)", optarg);
			break;
		case 'r':
			if (a->nrule_dirs == MAX_RULE_DIRS)
				return -usage_error("%s", "too many --rules");
			a->rule_dirs[a->nrule_dirs++] = optarg;
			break;
		case OPT_NODEFRULES:
			a->default_rules = false;
			break;
		case OPT_NO_PREFILTER:
			a->no_prefilter = true;
			break;
		case OPT_THREADS:
			if (parse_uint(optarg, 256, &a->threads) != 0 ||
			    a->threads == 0)
				return -usage_error("bad --threads '%s' (a "
						    "number of threads, 1 to "
						    "256)", optarg);
			break;
		case 'o':
			a->output = optarg;
			break;
		case OPT_STORE:
			a->store = optarg;
			break;
		case 'n':
			if (parse_uint(optarg, 1000000, &u) != 0)
				return -usage_error("bad --top '%s' (a number, "
						    "0 to 1000000; 0 shows "
						    "all)", optarg);
			top = (int)u;
			break;
		case 's':
			if (parse_level(optarg, &a->report.min_severity) != 0)
				return -usage_error("unknown severity '%s' "
						    "(informational, low, "
						    "medium, high, critical)",
						    optarg);
			break;
		case 'e':
			if (parse_uint(optarg, 1000, &a->report.evidence) != 0)
				return -usage_error("bad --evidence '%s' (a "
						    "number, 0 to 1000)",
						    optarg);
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "always") == 0)
				color = 1;
			else if (strcmp(optarg, "never") == 0)
				color = 0;
			else if (strcmp(optarg, "auto") != 0)
				return -usage_error("bad --color '%s' (auto, "
						    "always, never)", optarg);
			break;
		case OPT_YEAR:
			if (parse_uint(optarg, 9999, &u) != 0 || u < 1970)
				return -usage_error("bad --year '%s' (1970 to "
						    "9999)", optarg);
			a->pctx.default_year = (int)u;
			break;
		case OPT_TZ:
			if (parse_tz(optarg, &a->pctx.tz_offset_min) != 0)
				return -usage_error("bad --tz '%s' (+HH:MM)",
						    optarg);
			break;
		case OPT_BASELINE:
			if (a->nbaselines == MAX_RULE_DIRS)
				return -usage_error("too many --baseline: %s",
						    optarg);
			a->baselines[a->nbaselines++] = optarg;
			break;
		case OPT_ASTATE:
			a->anomaly_state = optarg;
			break;
		case OPT_ANOMALY:
		case OPT_NO_ANOMALY:
			a->anomaly = c == OPT_ANOMALY;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'v':
			a->report.verbose = true;
			break;
		case 'h':
			print_help(stdout);
			return -0x100;
		case ':':
			return -usage_error("%s needs a value",
					    argv[optind - 1]);
		default:
			return -usage_error("unknown option '%s'",
					    bad_option(argv[optind - 1]));
		}
	}
	if (optind >= argc)
		return -usage_error("%s", "no input given (use - for stdin)");

	a->report.top = top >= 0 ? (unsigned)top :
		a->report.format == CLI_OUT_TEXT ? 10 : 0;
	a->report.colour = color >= 0 ? color == 1 :
		(!a->output && a->report.format == CLI_OUT_TEXT &&
		 isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
	return optind;
}

/* --------------------------------------------------------------- rules */

static void on_reject(const struct core_error *why, void *ud)
{
	struct analyze *a = ud;
	char msg[1024];

	a->st.rules_rejected++;
	if (a->quiet || (a->rejects_shown >= 20 && !a->report.verbose))
		return;
	a->rejects_shown++;
	core_error_format(why, msg, sizeof(msg));
	fputs("vigil: rule not used: ", stderr);
	cli_fputs_safe(msg, stderr);
	fputc('\n', stderr);
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The shipped rules: $VIGIL_RULES_DIR, the installed copy, the source tree. */
static const char *default_rules_dir(void)
{
	static char beside[PATH_MAX + 32];
	const char *env = getenv("VIGIL_RULES_DIR");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(beside, sizeof(beside),
				 "%s/../share/vigil/rules", exe);
			if (is_dir(beside))
				return beside;
		}
	}
	if (is_dir(VIGIL_RULES_DIR))
		return VIGIL_RULES_DIR;
	if (is_dir(VIGIL_SOURCE_RULES_DIR))
		return VIGIL_SOURCE_RULES_DIR;
	return NULL;
}

static int load_rules(struct analyze *a)
{
	struct core_error err = { 0 };
	char msg[1024];
	int n;

	a->rules = detect_ruleset_new();
	if (!a->rules)
		return CORE_E_NOMEM;
	/* By default the ruleset decides whether the prefilter pays. */
	if (a->no_prefilter)
		detect_ruleset_set_prefilter(a->rules, false);
	/* Compiled databases kept where the environment says (or not). */
	detect_ruleset_set_cache(a->rules, NULL);
	if (a->default_rules) {
		const char *dir = default_rules_dir();

		if (!dir) {
			fprintf(stderr, "vigil: the shipped rules were not "
				"found; set VIGIL_RULES_DIR\n");
			return CORE_E_NOTFOUND;
		}
		n = detect_ruleset_load(a->rules, dir, on_reject, a);
		if (n < 0) {
			fprintf(stderr, "vigil: %s: %s\n", dir,
				core_strerror(n));
			return n;
		}
	}
	for (size_t i = 0; i < a->nrule_dirs; i++) {
		n = detect_ruleset_load(a->rules, a->rule_dirs[i], on_reject,
					a);
		if (n < 0) {
			fprintf(stderr, "vigil: %s: cannot read rules: %s\n",
				a->rule_dirs[i],
				cli_rules_load_reason(a->rule_dirs[i], n));
			return n;
		}
		/* An empty folder or file, a mistyped one: not silent. */
		if (n == 0 && !a->quiet)
			core_log(CORE_LOG_WARN, "rules", a->rule_dirs[i], 0,
				 "no rule loaded from it (vigil rules check "
				 "says why)");
	}
	if (detect_ruleset_compile(a->rules, &err) != 0) {
		core_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "vigil: rules: %s\n", msg);
		return err.code ? err.code : CORE_E_INVAL;
	}
	a->st.rules_loaded = detect_ruleset_count(a->rules);
	if (a->st.rules_rejected > a->rejects_shown && !a->quiet)
		fprintf(stderr, "vigil: %llu more rules not used "
			"(--verbose lists them)\n",
			(unsigned long long)(a->st.rules_rejected -
					     a->rejects_shown));
	return 0;
}

/* ------------------------------------------------------------ progress */

static void human_bytes(uint64_t b, char *out, size_t n)
{
	if (b >= (1ULL << 30))
		snprintf(out, n, "%.1f GiB", (double)b / (1ULL << 30));
	else if (b >= (1ULL << 20))
		snprintf(out, n, "%.1f MiB", (double)b / (1ULL << 20));
	else
		snprintf(out, n, "%.0f KiB", (double)b / 1024);
}

static void progress(struct analyze *a, const struct input_reader *r,
		     bool done)
{
	int64_t now = core_time_now(), spent = now - a->started;
	uint64_t at = a->bytes_done + (r ? input_consumed(r) : 0);
	char done_s[32], total_s[32], eta[32] = "";
	double rate;

	if (!done && (spent < PROGRESS_AFTER_US ||
		      now - a->last_progress < PROGRESS_EVERY_US))
		return;
	a->last_progress = now;
	if (done) {
		if (a->progress_shown)
			fputs("\r\033[K", stderr);
		return;
	}
	human_bytes(at, done_s, sizeof(done_s));
	human_bytes(a->bytes_total, total_s, sizeof(total_s));
	rate = (double)a->st.lines / ((double)spent / 1e6);
	if (a->bytes_total > at && at > 0)
		snprintf(eta, sizeof(eta), ", ETA %.0fs",
			 (double)(a->bytes_total - at) * spent / at / 1e6);
	fprintf(stderr, "\r\033[Kvigil: %s / %s, %.2f M lines/s%s",
		done_s, total_s, rate / 1e6, eta);
	a->progress_shown = true;
}

/* ------------------------------------------------------------- reading */

static void on_alert(const struct detect_alert *alert, void *ud)
{
	struct analyze *a = ud;

	a->st.alerts++;
	if (incident_add_alert(a->incidents, alert) != 0 && !a->quiet)
		core_log(CORE_LOG_WARN, "incident", NULL, 0,
			 "alert of rule %s not kept: out of memory",
			 alert->rule->id);
}

/*
 * why: the decoder's own words for DAMAGE_F_HEADER (which column header
 * the record does not fit), said instead of damage_what's.
 */
static void note_damage(struct analyze *a, const char *src, uint64_t line,
			unsigned flags, uint64_t seen[DAMAGE__COUNT],
			const char *why)
{
	static const unsigned bit[DAMAGE__COUNT] = {
		INPUT_F_TRUNCATED, INPUT_F_NUL, INPUT_F_BAD_UTF8,
		DAMAGE_F_BAD_TIME, DAMAGE_F_FIELDS, DAMAGE_F_OLD_TIME,
		DAMAGE_F_HEADER
	};

	a->st.bad_records++;
	for (int k = 0; k < DAMAGE__COUNT; k++) {
		if (!(flags & bit[k]))
			continue;
		if (seen[k]++ < WARN_PER_KIND && !a->quiet)
			core_log(CORE_LOG_WARN, "input", src, line, "%s",
				 k == DAMAGE_HEADER && why ? why :
				 damage_what[k]);
	}
}

/* A Windows record, whichever input it came from. */
static bool is_windows(const struct core_event *ev)
{
	const struct core_str *ds = core_event_get(ev, CORE_F_EVENT_DATASET);

	return ds && core_str_eq_lit(*ds, "windows");
}

/*
 * Counts a decoded (or raw) event, then observes and matches it; with
 * --threads the plain rules already ran in a worker and hits (n of them,
 * NULL: too many, match here) holds what held.
 */
static void analyze_one(struct core_event *ev, const uint32_t *hits,
			unsigned n, void *ud)
{
	struct analyze *a = ud;

	if (cli_anomaly_is_learning(a->anom)) {
		cli_anomaly_event(a->anom, ev, NULL, NULL);
		return;
	}
	a->st.events++;
	a->st.per_format[ev->format]++;
	if (ev->format == CORE_FMT_EVTX || is_windows(ev))
		a->windows_events++;
	if (ev->decoded)
		a->st.decoded++;
	else
		a->st.raw++;
	if (ev->ts != CORE_TS_UNKNOWN) {
		if (a->st.ts_first == CORE_TS_UNKNOWN ||
		    ev->ts < a->st.ts_first)
			a->st.ts_first = ev->ts;
		if (a->st.ts_last == CORE_TS_UNKNOWN ||
		    ev->ts > a->st.ts_last)
			a->st.ts_last = ev->ts;
	}

	incident_observe(a->incidents, ev);
	if (a->thr != NULL && hits != NULL)
		detect_apply(a->rules, ev, hits, n, on_alert, a);
	else
		detect_match(a->rules, ev, on_alert, a);
	cli_anomaly_event(a->anom, ev, on_alert, a);
}

static void analyze_event(struct analyze *a)
{
	if (a->thr != NULL)
		cli_threads_push(a->thr, &a->ev, analyze_one, a);
	else
		analyze_one(&a->ev, NULL, 0, a);
}

/* The last message of a file (a cut, say) is shown past the cap. */
static void evtx_warn(struct analyze *a, const struct core_error *err,
		      uint64_t *shown, bool last)
{
	char msg[1024];

	a->st.bad_records++;
	if (a->quiet)
		return;
	/* shown past the cap counts what is left unsaid. */
	if (*shown >= WARN_PER_KIND * 4 && !last) {
		(*shown)++;
		return;
	}
	if (*shown < WARN_PER_KIND * 4)
		(*shown)++;
	/* src= and line= as for the other inputs, when the error has them. */
	if (err->file[0]) {
		core_log(CORE_LOG_WARN, "input", err->file, err->line, "%s",
			 err->msg);
		return;
	}
	core_error_format(err, msg, sizeof(msg));
	core_log(CORE_LOG_WARN, "input", NULL, 0, "%s", msg);
}

/*
 * An EVTX input, record by record (cli_input.h: a file read by offset, a
 * pipe or gzip stream in order).  line is the number in the record's
 * header: the EventRecordID of a log as Windows writes it, the place in
 * the file of an exported one (docs/formats.md).
 */
static void read_evtx(struct analyze *a, struct cli_input *in)
{
	struct core_error err = { 0 };
	uint64_t shown = 0, seen[DAMAGE__COUNT] = { 0 };
	const char *name = cli_input_name(in);
	int rc;

	a->st.inputs++;
	while ((rc = cli_input_evtx_next(in, &a->ev, a->arena, &err)) != 0) {
		if (rc < 0) {
			evtx_warn(a, &err, &shown, input_evtx_ended(in->evtx));
			if (rc == CORE_E_PARSE)
				continue;
			a->errors++;
			break;
		}
		a->st.lines++;
		if (rc == 2)
			evtx_warn(a, &err, &shown, false);
		parse_procs_track(a->procs, &a->ev);
		if (a->ev.truncated)
			note_damage(a, a->ev.src, a->ev.line, DAMAGE_F_FIELDS,
				    seen, NULL);
		analyze_event(a);
		if (a->progress && (a->st.lines & 0xffff) == 0)
			progress(a, NULL, false);
	}
	if (shown > WARN_PER_KIND * 4 && !a->quiet)
		core_log(CORE_LOG_WARN, "input", name, 0,
			 "%llu more damaged records or chunks",
			 (unsigned long long)(shown - WARN_PER_KIND * 4));
	if (seen[DAMAGE_FIELDS] > WARN_PER_KIND && !a->quiet)
		core_log(CORE_LOG_WARN, "input", name, 0,
			 "%llu more records: %s",
			 (unsigned long long)(seen[DAMAGE_FIELDS] -
					      WARN_PER_KIND),
			 damage_what[DAMAGE_FIELDS]);
	a->bytes_done += input_evtx_size(in->evtx);
	a->st.bytes += input_evtx_size(in->evtx);
}

/* An input that could not be opened: named as src=, counted, skipped. */
static void open_failed(struct analyze *a, const struct core_error *err)
{
	char msg[1024];

	a->st.inputs_skipped++;
	a->errors++;
	if (a->quiet)
		return;
	if (err->file[0]) {
		core_log(CORE_LOG_WARN, "input", err->file, 0, "%s; skipped",
			 err->msg);
		return;
	}
	core_error_format(err, msg, sizeof(msg));
	core_log(CORE_LOG_WARN, "input", NULL, 0, "%s; skipped", msg);
}

/* Decodes rec into a->ev, afresh. */
static void decode(struct analyze *a, const struct parse_ctx *ctx,
		   enum core_format fmt, const char *src, struct core_str rec,
		   uint64_t line)
{
	core_arena_reset(a->arena);
	core_event_reset(&a->ev, a->arena);
	a->ev.src = src;
	a->ev.line = line;
	a->ev.raw = rec;
	a->ev.format = fmt;
	parse_record(fmt, ctx, &a->ev, rec.p, rec.len);
}

/* True when ts falls in year y, counted in the zone of zone-less stamps. */
static bool in_year(int64_t ts, int y, int tz_offset_min)
{
	int64_t from, to;

	if (!core_time_from_parts(y, 1, 1, 0, 0, 0, 0, tz_offset_min, &from))
		return false;
	if (!core_time_from_parts(y + 1, 1, 1, 0, 0, 0, 0, tz_offset_min,
				  &to))
		to = INT64_MAX;
	return ts >= from && ts < to;
}

/*
 * Under --year, stamps without a year take ctx->default_year, which
 * starts as the year given and moves on at each New Year the file
 * crosses: a stamp of the year in force more than half a year before the
 * latest one is in the next year, and its record is decoded again so.  A
 * stamp that carries its own year (ISO) is left as it is: outside the
 * year in force it is not looked at; inside it, decoding it again does
 * not move it, and the year stays.  *last is the latest stamp so far.
 */
static void year_rollover(struct analyze *a, struct parse_ctx *ctx,
			  int64_t *last)
{
	int64_t ts = a->ev.ts;
	int y = ctx->default_year;

	if (ts == CORE_TS_UNKNOWN || !a->ev.ts_guessed ||
	    !in_year(ts, y, ctx->tz_offset_min))
		return;
	if (*last != CORE_TS_UNKNOWN && ts < *last - HALF_YEAR_US &&
	    y < 9999) {
		ctx->default_year = y + 1;
		decode(a, ctx, a->ev.format, a->ev.src, a->ev.raw,
		       a->ev.line);
		/* February 29 of a year that has none walks back: keep y. */
		if (a->ev.ts == CORE_TS_UNKNOWN ||
		    !in_year(a->ev.ts, y + 1, ctx->tz_offset_min)) {
			ctx->default_year = y;
			decode(a, ctx, a->ev.format, a->ev.src, a->ev.raw,
			       a->ev.line);
		}
	}
	if (*last == CORE_TS_UNKNOWN || a->ev.ts > *last)
		*last = a->ev.ts;
}

static enum core_format sniff(struct input_reader *r)
{
	struct core_str lines[SNIFF_LINES];
	size_t n = input_peek(r, lines, SNIFF_LINES);

	return n ? parse_sniff(lines, n) : CORE_FMT_RAW;
}

static void read_input(struct analyze *a, const char *path)
{
	uint64_t seen[DAMAGE__COUNT] = { 0 }, raw = 0, first_raw = 0, count = 0;
	struct core_error err = { 0 };
	struct input_reader *r;
	struct cli_input in;
	struct parse_ctx ctx = a->pctx;
	int64_t last_ts = CORE_TS_UNKNOWN;
	enum cli_input_evtx evtx;
	enum core_format fmt;
	unsigned oflags;
	int rc;

	/*
	 * A format the user forced is read whatever the bytes look like;
	 * otherwise data that looks binary is read when its first records
	 * are of a format vigil knows (junk near the top of a log).
	 */
	oflags = a->input_format != CORE_FMT_AUTO ? INPUT_O_ANY :
		 INPUT_O_BINARY_OK;
	evtx = a->input_format == CORE_FMT_EVTX ? CLI_EVTX_ALWAYS :
	       a->input_format == CORE_FMT_AUTO ? CLI_EVTX_SNIFF :
	       CLI_EVTX_NEVER;
	rc = cli_input_open(path, oflags, evtx, &a->evtx, &in, &err);
	if (rc != 0 && in.is_evtx) {
		uint64_t shown = 0;

		evtx_warn(a, &err, &shown, true);
		a->st.inputs_skipped++;
		a->errors++;
		return;
	}
	if (rc != 0) {
		open_failed(a, &err);
		return;
	}
	if (in.evtx != NULL) {
		read_evtx(a, &in);
		cli_input_close(&in);
		return;
	}
	r = in.text;
	fmt = a->input_format != CORE_FMT_AUTO ? (enum core_format)
		a->input_format : sniff(r);
	if (input_binary(r) && fmt == CORE_FMT_RAW) {
		core_fail(&err, CORE_E_UNSUPPORTED, input_name(r), 0,
			  "%s (no records of a known format at its start; "
			  "--input-format FMT reads it anyway)",
			  input_binary(r));
		cli_input_close(&in);
		open_failed(a, &err);
		return;
	}
	a->st.inputs++;
	/* --year is the first line's year, whenever the file was written. */
	if (!ctx.default_year)
		ctx.file_mtime = input_mtime(r);
	parse_header_reset(a->hdr);
	ctx.hdr = a->hdr;

	for (;;) {
		struct core_str rec;
		uint64_t line;
		unsigned flags;

		rc = input_next(r, &rec, &line, &flags, &err);
		if (rc <= 0)
			break;
		a->st.lines++;
		count++;
		flags &= INPUT_F_TRUNCATED | INPUT_F_NUL | INPUT_F_BAD_UTF8;

		decode(a, &ctx, fmt, input_name(r), rec, line);
		if (a->pctx.default_year)
			year_rollover(a, &ctx, &last_ts);
		parse_procs_track(a->procs, &a->ev);
		/* One damaged record, however many kinds of damage. */
		flags |= (a->ev.ts_invalid ? DAMAGE_F_BAD_TIME : 0) |
			 (a->ev.truncated ? DAMAGE_F_FIELDS : 0) |
			 (a->ev.ts != CORE_TS_UNKNOWN && a->ev.ts < TIME_FLOOR ?
			  DAMAGE_F_OLD_TIME : 0) |
			 (parse_header_refusal(a->hdr) ? DAMAGE_F_HEADER : 0);
		if (flags)
			note_damage(a, input_name(r), line, flags, seen,
				    parse_header_refusal(a->hdr));

		if (!a->ev.decoded && raw++ == 0)
			first_raw = line;
		analyze_event(a);

		if (a->progress && (a->st.lines & 0xffff) == 0)
			progress(a, r, false);
	}

	if (rc < 0) {
		/* src= and line= as for every other warning (a cut gzip). */
		if (!a->quiet)
			core_log(CORE_LOG_WARN, "input",
				 err.file[0] ? err.file : NULL, err.line,
				 "%s; the lines before it were analysed",
				 err.msg);
		a->errors++;
	}
	if (!a->quiet) {
		for (int k = 0; k < DAMAGE__COUNT; k++) {
			if (seen[k] > WARN_PER_KIND)
				core_log(CORE_LOG_WARN, "input", input_name(r),
					 0, "%llu more line%s: %s",
					 (unsigned long long)(seen[k] -
							      WARN_PER_KIND),
					 cli_plural(seen[k] - WARN_PER_KIND),
					 damage_what[k]);
		}
		if (raw && fmt == CORE_FMT_RAW &&
		    a->input_format == CORE_FMT_AUTO)
			core_log(CORE_LOG_WARN, "parse", input_name(r), 0,
				 "format not recognised from the first "
				 "records; %llu record%s kept raw",
				 (unsigned long long)raw, cli_plural(raw));
		else if (raw && fmt != CORE_FMT_RAW)
			core_log(CORE_LOG_WARN, "parse", input_name(r),
				 first_raw, "%llu of %llu record%s not "
				 "understood as %s (first here); kept raw",
				 (unsigned long long)raw,
				 (unsigned long long)count, cli_plural(count),
				 core_format_name(fmt));
	}
	a->bytes_done += input_size(r) ? input_size(r) : input_consumed(r);
	a->st.bytes += input_consumed(r);
	cli_input_close(&in);
}

/* ---------------------------------------------------------- collecting */

/* What collecting says: a structured warning, unless --quiet. */
static void say_input(void *ud, const char *path, const char *msg)
{
	const struct analyze *a = ud;

	if (!a->quiet)
		core_log(CORE_LOG_WARN, "input", path, 0, "%s", msg);
}

/* The files args[0 .. n) name, in reading order. */
static void collect(struct analyze *a, struct cli_paths *pl,
		    const char *const *args, size_t n)
{
	*pl = (struct cli_paths){ .say = say_input, .ud = a };
	for (size_t i = 0; i < n; i++)
		cli_paths_add(pl, args[i]);
	cli_paths_done(pl);
	a->st.inputs_skipped += pl->skipped;
	a->errors += (int)pl->errors;
}

/* ---------------------------------------------------------------- main */

/*
 * The directory path's file is in (its identity) and its last name, so
 * that two names of a file not made yet can still be told one.
 */
static bool dir_and_name(const char *path, struct stat *dir,
			 const char **base)
{
	char d[4096];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n >= sizeof(d))
		return false;
	if (slash == NULL)
		snprintf(d, sizeof(d), ".");
	else if (n == 0)
		snprintf(d, sizeof(d), "/");
	else
		snprintf(d, sizeof(d), "%.*s", (int)n, path);
	*base = slash ? slash + 1 : path;
	return **base != '\0' && stat(d, dir) == 0;
}

/*
 * True when path and other name one file: the same existing file, or
 * the same name in the same directory for one not made yet (a store or
 * a state the run is about to create).
 */
static bool same_file(const char *path, const char *other)
{
	struct stat a, b;
	const char *na, *nb;

	if (other == NULL)
		return false;
	if (stat(path, &a) == 0 && stat(other, &b) == 0)
		return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	return dir_and_name(path, &a, &na) && dir_and_name(other, &b, &nb) &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
	       strcmp(na, nb) == 0;
}

/*
 * What -o would destroy: an input, a baseline, a rule file, the store
 * (its database, journal and key files) or the anomaly state, by any
 * name.  Said, before anything is read or written.
 */
static bool output_clobbers(const struct analyze *a, char *const *args,
			    size_t n)
{
	static const char *const store_files[] = { "", "-wal", "-shm", ".key" };
	struct cli_paths pl = { 0 };
	const char *what = NULL;
	char name[4096];

	if (a->output == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		cli_paths_add(&pl, args[i]);
	if (cli_paths_holds(&pl, a->output))
		what = "one of the inputs";
	cli_paths_free(&pl);
	for (size_t i = 0; what == NULL && i < a->nbaselines; i++)
		cli_paths_add(&pl, a->baselines[i]);
	if (what == NULL && cli_paths_holds(&pl, a->output))
		what = "a --baseline log";
	cli_paths_free(&pl);
	for (size_t i = 0; what == NULL && i < a->nrule_dirs; i++)
		cli_paths_add(&pl, a->rule_dirs[i]);
	if (what == NULL && cli_paths_holds(&pl, a->output))
		what = "a rule file";
	cli_paths_free(&pl);
	for (size_t i = 0; what == NULL && a->store &&
	     i < CORE_ARRAY_LEN(store_files); i++) {
		snprintf(name, sizeof(name), "%s%s", a->store, store_files[i]);
		if (same_file(a->output, name))
			what = "the store's";
	}
	if (what == NULL && same_file(a->output, a->anomaly_state))
		what = "the --anomaly-state file";
	if (what == NULL)
		return false;
	fprintf(stderr, "vigil: %s: is %s%s; the report would overwrite it "
		"(give -o another file)\n", a->output, what,
		strcmp(what, "the store's") == 0 ? " own file" : "");
	return true;
}

/*
 * An existing --store is opened before any input is read, so that a file
 * that is no store fails at once, under its own name, instead of after
 * the whole analysis (the anomaly state is read from it first).
 */
static int store_first(struct analyze *a)
{
	struct store *st;

	if (!a->store || access(a->store, F_OK) != 0)
		return 0;	/* created when the run is stored */
	if (cli_store_open("analyze", a->store, &st) != 0)
		return 1;
	store_close(st);
	return 0;
}

/* The anomaly hook: state loaded, --baseline learnt (not counted). */
static int anomaly_start(struct analyze *a)
{
	struct cli_stats keep = a->st;
	struct cli_paths pl;
	bool want = a->anomaly != 0;
	int errors = a->errors;

	a->anom = cli_anomaly_new(a->anomaly_state, a->store, want);
	if (!a->anom)
		return 1;
	if (a->nbaselines == 0) {
		if (a->anomaly == 1 && !cli_anomaly_has_model(a->anom))
			core_log(CORE_LOG_WARN, "anomaly", NULL, 0,
				 "--anomaly needs --baseline or a saved "
				 "model; no anomaly alerts");
		return 0;
	}
	if (cli_anomaly_learning(a->anom, true, want) != 0)
		return 1;
	collect(a, &pl, a->baselines, a->nbaselines);
	for (size_t i = 0; i < pl.n; i++)
		read_input(a, pl.v[i]);
	cli_paths_free(&pl);
	a->st = keep;
	a->errors = errors;
	return cli_anomaly_learning(a->anom, false, want) != 0;
}

static int write_report(struct analyze *a)
{
	FILE *out = stdout;
	int rc;

	if (a->output) {
		out = fopen(a->output, "w");
		if (!out) {
			fprintf(stderr, "vigil: %s: %s\n", a->output,
				strerror(errno));
			return 1;
		}
	}
	rc = cli_report_write(out, &a->report, &a->st, a->incidents);
	if (fflush(out) != 0)
		rc = CORE_E_IO;
	if (out != stdout && fclose(out) != 0)
		rc = CORE_E_IO;
	if (rc != 0) {
		fprintf(stderr, "vigil: cannot write the report: %s\n",
			strerror(errno));
		return 1;
	}
	return 0;
}

static void analyze_free(struct analyze *a)
{
	cli_threads_free(a->thr);
	cli_anomaly_free(a->anom);
	detect_ruleset_free(a->rules);
	incident_set_free(a->incidents);
	parse_procs_free(a->procs);
	parse_header_free(a->hdr);
	parse_evtx_free(a->evtx);
	core_arena_free(a->arena);
}

/*
 * Tells on standard error that n records (what: "Windows event") met
 * vigil's own rules only (which: what those see), when the user named
 * no rules: the community set holds more (theirs).
 */
static void own_rules_note(const struct analyze *a, uint64_t n,
			   const char *what, const char *which,
			   const char *theirs)
{
	if (a->quiet || n == 0 || !a->default_rules || a->nrule_dirs != 0)
		return;
	fprintf(stderr, "vigil: %llu %s%s matched with vigil's own rules "
		"only%s; add the Sigma community rules with -r DIR for the "
		"%s (docs/rules.md)\n", (unsigned long long)n, what,
		n == 1 ? " was" : "s were", which, theirs);
}

int cli_analyze(int argc, char **argv)
{
	struct analyze a = { 0 };
	struct cli_stored stored = { 0 };
	struct cli_paths pl;
	int first, status = 0;

	a.input_format = CORE_FMT_AUTO;
	a.anomaly = -1;
	a.default_rules = true;
	a.report.evidence = 5;
	parse_ctx_init(&a.pctx);
	first = parse_args(&a, argc, argv);
	if (first == -0x100)
		return 0;
	if (first < 0)
		return -first;
	if (output_clobbers(&a, argv + first, (size_t)(argc - first)))
		return 2;

	a.started = core_time_now();
	a.st.ts_first = a.st.ts_last = CORE_TS_UNKNOWN;
	a.progress = !a.quiet && isatty(STDERR_FILENO);
	a.arena = core_arena_new(64 * 1024);
	a.incidents = incident_set_new();
	a.procs = parse_procs_new();
	a.hdr = parse_header_new();
	if (!a.arena || !a.incidents || !a.procs || !a.hdr) {
		fprintf(stderr, "vigil: out of memory\n");
		analyze_free(&a);
		return 1;
	}
	if (store_first(&a) != 0 || load_rules(&a) != 0 ||
	    anomaly_start(&a) != 0) {
		analyze_free(&a);
		return 1;
	}
	if (a.threads > 1 &&
	    (a.thr = cli_threads_new(a.rules, a.threads, 1024)) == NULL) {
		fprintf(stderr, "vigil: cannot start %u threads\n", a.threads);
		analyze_free(&a);
		return 1;
	}

	collect(&a, &pl, (const char *const *)(argv + first),
		(size_t)(argc - first));
	a.bytes_total = pl.bytes;
	for (size_t i = 0; i < pl.n; i++)
		read_input(&a, pl.v[i]);
	cli_paths_free(&pl);

	if (a.thr != NULL)
		cli_threads_flush(a.thr, analyze_one, &a);
	detect_flush(a.rules, on_alert, &a);
	cli_anomaly_finish(a.anom, on_alert, &a);
	if (a.progress)
		progress(&a, NULL, true);
	incident_build(a.incidents);
	a.st.elapsed_us = core_time_now() - a.started;

	if (a.st.inputs == 0) {
		fprintf(stderr, "vigil: no input could be read\n");
		status = 1;
	} else {
		/*
		 * Stored first: a report cut short (a closed pipe) must not
		 * lose the run, and the JSON report gives the stored ids.
		 */
		if (a.store && cli_store_run(a.store, &a.st, a.incidents,
					     argv + first, argc - first,
					     a.quiet, &stored) != 0)
			status = 1;
		a.report.store = a.store;
		a.report.stored_run = stored.run;
		a.report.stored_ids = stored.incident;
		if (write_report(&a) != 0)
			status = 1;
		/*
		 * vigil's Windows and audit rules cover what the community
		 * set misses, not the whole of it: say so when a user gave
		 * no rules.
		 */
		own_rules_note(&a, a.windows_events, "Windows event",
			       "", "techniques they cover");
		own_rules_note(&a, a.st.per_format[CORE_FMT_AUDITD],
			       "audit record", " (logins, reverse shells)",
			       "auditd rules they hold");
	}
	free(stored.incident);
	analyze_free(&a);
	return status;
}
