/*
 * triage.c: `vigil triage INCIDENT|--all` and `vigil triage stats`.
 *
 * Opens the store, the model client when vigil.yaml configures one (and
 * the privacy policy allows it), triages each incident and prints the
 * verdict with who produced it, the evidence it rests on, what the floor
 * did, and the local model's view.  --all triages every stored incident
 * and ends with the figures the analyst cares about: how many incidents
 * are shown, how many were hidden as likely repeat false positives, and
 * vigil's own overhead per incident (model latency excluded).  With a
 * model, --all keeps up to `concurrency` incidents (vigil.yaml) waiting
 * for it at once, one thread each, and prints the results in id order
 * as soon as each one and those before it are done.  --stream prints the
 * model's answer as it arrives, for one incident at a time.
 * --format json writes every string, and the arrays the triage made
 * (evidence ids, actions), as every JSON output does (report.h): DEL,
 * the C1 and bidirectional controls and U+2028, U+2029 as \uNNNN.
 */
#include "cli/cli_store.h"
#include "cli/cli_triage.h"
#include "triage/triage.h"

#include "cli/report.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
"usage: vigil triage INCIDENT|--all [OPTIONS]\n"
"       vigil triage stats [--store PATH]\n"
"\n"
"Gives each incident a verdict (malicious, suspicious, benign,\n"
"false-positive) with its reasons: from the model configured in\n"
"vigil.yaml (docs/config.md), or from vigil's deterministic score when\n"
"there is none.  The output says which produced it.  Traces and\n"
"verdicts are kept in the store and shown by `vigil show`.\n"
"\n"
"  -a, --all            triage every stored incident (up to\n"
"                       `concurrency` from vigil.yaml at once)\n"
"      --stream         print the model's answer as it arrives\n"
"                       (one incident, text format)\n"
"      --store PATH     the store (default: $VIGIL_STORE, else\n"
"                       $XDG_DATA_HOME/vigil/vigil.db, else\n"
"                       ~/.local/share/vigil/vigil.db)\n"
"  -c, --config FILE    read FILE instead of the default vigil.yaml\n"
"      --no-model       use the deterministic verdict only\n"
"  -f, --format FMT     text (default) or json\n"
"  -q, --quiet          only the summary line (with --all)\n"
"  -h, --help           this text\n";

struct opts {
	const char *store;
	const char *config;
	bool all, no_model, json, quiet, stats, stream;
	int64_t id;
	struct store *view;	/* a second handle: evidence for printing */
};

static int parse(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "store", required_argument, NULL, 'S' },
		{ "config", required_argument, NULL, 'c' },
		{ "no-model", no_argument, NULL, 'N' },
		{ "stream", no_argument, NULL, 'T' },
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ac:f:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': o->all = true; break;
		case 'S': o->store = optarg; break;
		case 'c': o->config = optarg; break;
		case 'N': o->no_model = true; break;
		case 'T': o->stream = true; break;
		case 'q': o->quiet = true; break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "vigil triage: bad --format "
					"'%s' (text or json)\n", optarg);
				return 2;
			}
			o->json = !strcmp(optarg, "json");
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "stats")) {
		o->stats = true;
		return -1;
	}
	if (o->all == (optind < argc) || argc - optind > 1) {
		fprintf(stderr, "vigil triage: %s\n\n",
			o->all ? "an incident or --all, not both" :
			optind < argc ? "one incident at a time" :
			"which incident? (or --all)");
		fputs(usage_text, stderr);
		return 2;
	}
	if (!o->all && cli_store_parse_id("triage", argv[optind], &o->id))
		return 2;
	if (o->stream && (o->all || o->json)) {
		fputs("vigil triage: --stream is for one incident in text "
		      "format\n", stderr);
		return 2;
	}
	return -1;
}

/* ------------------------------------------------------------- output */

/* Who gave the verdict and, when the model did not, why not. */
static void producer_note(const struct opts *o,
			  const struct triage_result *r, char *out, size_t n)
{
	if (strcmp(r->status, "ok") == 0)
		snprintf(out, n, "by %s", r->producer);
	else if (strcmp(r->status, "no-model") == 0)
		snprintf(out, n, "deterministic: %s", o->no_model ?
			 "--no-model" : "no model configured");
	else if (strcmp(r->status, "privacy-none") == 0)
		snprintf(out, n, "deterministic: privacy none sends nothing "
			 "to the model");
	else
		snprintf(out, n, "deterministic: the model failed: %s",
			 r->status);
}

/*
 * The stored incident's evidence array: the pack numbers its lines in
 * this order (L1 is the first), so an id names one of them.  *doc is to
 * be freed; NULL when the store cannot say.
 */
static const cJSON *stored_evidence(const struct opts *o, int64_t id,
				    cJSON **doc)
{
	struct store_query q = { .max_bytes = 8u << 20 };
	struct core_buf b;
	const cJSON *ev;

	*doc = NULL;
	if (o->view == NULL)
		return NULL;
	core_buf_init(&b, 8u << 20);
	if (store_query_incident(o->view, id, &q, &b, NULL) == 0)
		*doc = cJSON_ParseWithLength(b.p, b.len);
	core_buf_free(&b);
	ev = cJSON_GetObjectItemCaseSensitive(*doc, "evidence");
	return cJSON_IsArray(ev) ? ev : NULL;
}

/* "    L1 auth.log:1042  <the line>", one line per id cited. */
static void print_evidence(const struct opts *o,
			   const struct triage_result *r, struct core_buf *b)
{
	cJSON *ids = cJSON_Parse(r->evidence ? r->evidence : "[]"), *doc;
	const cJSON *ev = stored_evidence(o, r->incident_id, &doc), *id;

	core_buf_printf(b, "  evidence:%s\n",
			cJSON_GetArraySize(ids) ? "" : " none cited");
	cJSON_ArrayForEach(id, ids) {
		const char *s = cJSON_GetStringValue(id);
		unsigned long k = s && s[0] == 'L' ? strtoul(s + 1, NULL, 10) :
				  0;
		const cJSON *e = k && k <= INT32_MAX ?
				 cJSON_GetArrayItem(ev, (int)k - 1) : NULL;
		const char *file = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(e, "file"));
		const char *text = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(e, "text"));

		core_buf_printf(b, "    ");
		cli_report_escape(b, s ? s : "?", s ? strlen(s) : 1, 16,
				  false);
		if (e == NULL || file == NULL || text == NULL) {
			core_buf_printf(b, " (not among the stored "
					"evidence lines)\n");
			continue;
		}
		core_buf_printf(b, " ");
		cli_report_path(b, file, false);
		core_buf_printf(b, ":%.0f  ", cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(e, "line")));
		cli_report_escape(b, text, strlen(text), CLI_REPORT_WIDTH,
				  false);
		core_buf_addc(b, '\n');
	}
	cJSON_Delete(doc);
	cJSON_Delete(ids);
}

/* A text under its label ("  why: "), later lines indented under it. */
static void print_why(const char *label, const char *s, struct core_buf *b)
{
	size_t w = strlen(label);

	if (s == NULL || *s == '\0')
		core_buf_printf(b, "%s-\n", label);
	for (const char *lead = label; s != NULL && *s; lead = NULL) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		core_buf_printf(b, "%*s", (int)w, lead ? lead : "");
		cli_report_escape(b, s, n, 64 * CLI_REPORT_WIDTH, false);
		core_buf_addc(b, '\n');
		s += n + (nl != NULL);
	}
}

/*
 * The actions (a JSON array of strings) one a line under label, "none"
 * when there is none; anything else is shown escaped as it is.
 */
static void print_actions(const char *label, const char *json,
			  struct core_buf *b)
{
	cJSON *arr = json ? cJSON_Parse(json) : NULL;
	const cJSON *it;

	if (json != NULL && !cJSON_IsArray(arr)) {
		print_why(label, json, b);
		cJSON_Delete(arr);
		return;
	}
	if (cJSON_GetArraySize(arr) == 0)
		core_buf_printf(b, "%snone\n", label);
	else
		core_buf_printf(b, "%.*s\n", (int)(strlen(label) - 1), label);
	cJSON_ArrayForEach(it, arr) {
		const char *s = cJSON_IsString(it) ? it->valuestring : "?";

		core_buf_printf(b, "%*s- ", (int)strspn(label, " ") + 2, "");
		cli_report_escape(b, s, strlen(s), 64 * CLI_REPORT_WIDTH,
				  false);
		core_buf_addc(b, '\n');
	}
	cJSON_Delete(arr);
}

/*
 * A verdict as the user reads it: false-positive, as vigil feedback takes
 * it (which accepts false_positive too); the JSON output keeps the
 * model's spelling, triage_verdict_name().
 */
static const char *verdict_word(enum triage_verdict v)
{
	return v == TRIAGE_FALSE_POSITIVE ? "false-positive" :
		triage_verdict_name(v);
}

/* "  analyst decided: benign (the note) at TIME by NAME; vigil said X". */
static void print_decision(const struct triage_result *r, struct core_buf *b)
{
	const struct triage_decision *d = &r->analyst;
	char at[64];

	cli_report_time(d->at, at, sizeof(at));
	core_buf_printf(b, "  analyst decided: %s",
			verdict_word(d->verdict));
	if (d->note[0]) {
		core_buf_printf(b, " (");
		cli_report_escape(b, d->note, strlen(d->note),
				  CLI_REPORT_WHOLE, false);
		core_buf_printf(b, ")");
	}
	core_buf_printf(b, " at %s", at);
	if (d->analyst[0]) {
		core_buf_printf(b, " by ");
		cli_report_escape(b, d->analyst, strlen(d->analyst),
				  CLI_REPORT_WHOLE, false);
	}
	core_buf_printf(b, "; vigil said %s\n",
			verdict_word(d->vigil_verdict));
}

static void print_text(const struct opts *o, const struct triage_result *r)
{
	struct core_buf b;
	char by[160];

	core_buf_init(&b, 1u << 22);
	producer_note(o, r, by, sizeof(by));
	core_buf_printf(&b, "incident %lld: %s, confidence %.2f, score %u -> "
			"%u (%s)\n", (long long)r->incident_id,
			verdict_word(r->verdict), r->confidence,
			r->score_before, r->score, by);
	if (r->steps)
		core_buf_printf(&b, "  model: %u turn%s, %u tool call%s (%u "
				"refused), %llu+%llu tokens, %.2f s\n",
				r->steps, cli_plural(r->steps), r->tool_calls,
				cli_plural(r->tool_calls), r->tools_refused,
				(unsigned long long)r->prompt_tokens,
				(unsigned long long)r->completion_tokens,
				r->model_us / 1e6);
	if (r->analyst.decided)
		print_decision(r, &b);
	if (r->floor.clamped)
		core_buf_printf(&b, "  floor: %s%s\n", r->floor.reason,
				r->floor.needs_analyst ?
				" (needs an analyst)" : "");
	print_evidence(o, r, &b);
	print_why("  why: ", r->explanation, &b);
	print_actions("  actions: ", r->actions, &b);
	if (r->model_explanation) {
		core_buf_printf(&b, "  model (overruled): said %s\n",
				verdict_word(r->model_verdict));
		print_why("    model why: ", r->model_explanation, &b);
		print_actions("    model actions: ", r->model_actions, &b);
	}
	if (r->foreign_tokens)
		core_buf_printf(&b, "  left as written: %u token%s the "
				"model named that this incident's data did "
				"not hold\n", r->foreign_tokens,
				cli_plural(r->foreign_tokens));
	if (r->pack.flagged || r->tool_withheld)
		core_buf_printf(&b, "  withheld from the model: %u field%s of "
				"the pack, %u value%s of tool results with "
				"instruction-like text\n", r->pack.flagged,
				cli_plural(r->pack.flagged), r->tool_withheld,
				cli_plural(r->tool_withheld));
	if (r->fp_probability >= 0)
		core_buf_printf(&b, "  local model: p(false positive) %.2f "
				"(%s)%s\n", r->fp_probability, r->fp_drivers,
				r->hidden ? "; hidden as a likely repeat" :
				"");
	core_buf_printf(&b, "  pack: %zu byte%s, ~%zu token%s, %u evidence "
			"line%s\n", r->pack.bytes, cli_plural(r->pack.bytes),
			r->pack.tokens, cli_plural(r->pack.tokens),
			r->pack.evidence, cli_plural(r->pack.evidence));
	(void)cli_report_flush(stdout, &b);
	core_buf_free(&b);
}

/* s (NULL: "") as a JSON string. */
static void json_str(struct core_buf *b, const char *s)
{
	cli_report_json_str(b, s, s ? strlen(s) : 0);
}

/* A JSON array the triage made (evidence ids, actions); NULL: []. */
static void json_array(struct core_buf *b, const char *s)
{
	s = s ? s : "[]";
	cli_report_json_text(b, s, strlen(s));
}

/* The model's verdict the floor overruled, or null. */
static void json_overruled(struct core_buf *b, const struct triage_result *r)
{
	if (!r->model_explanation) {
		core_buf_printf(b, "null");
		return;
	}
	core_buf_printf(b, "{\"verdict\":\"%s\",\"actions\":",
			triage_verdict_name(r->model_verdict));
	json_array(b, r->model_actions);
	core_buf_printf(b, ",\"explanation\":");
	json_str(b, r->model_explanation);
	core_buf_addc(b, '}');
}

/* The analyst's decision, or null. */
static void json_analyst(struct core_buf *b, const struct triage_result *r)
{
	char at[40];

	if (!r->analyst.decided) {
		core_buf_printf(b, "null");
		return;
	}
	core_time_format(r->analyst.at, at, sizeof(at));
	core_buf_printf(b, "{\"verdict\":\"%s\",\"vigil_verdict\":\"%s\","
			"\"at\":\"%s\",\"analyst\":",
			triage_verdict_name(r->analyst.verdict),
			triage_verdict_name(r->analyst.vigil_verdict), at);
	json_str(b, r->analyst.analyst);
	core_buf_printf(b, ",\"note\":");
	json_str(b, r->analyst.note);
	core_buf_addc(b, '}');
}

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

static void print_json(const struct triage_result *r, bool first)
{
	struct core_buf b;
	/* Room for every string escaped at its longest (\u0001 for 1). */
	size_t max = 4096 + CLI_REPORT_JSON_TEXT_MAX(
		slen(r->evidence) + slen(r->actions) + slen(r->explanation) +
		slen(r->model_actions) + slen(r->model_explanation) +
		slen(r->analyst.analyst) + slen(r->analyst.note));

	core_buf_init(&b, max);
	core_buf_printf(&b, "%s{\"incident\":%lld,\"verdict\":\"%s\","
		"\"confidence\":%.3f,\"producer\":\"%s\",\"status\":\"%s\","
		"\"score_before\":%u,\"score\":%u,\"floor_applied\":%s,"
		"\"needs_analyst\":%s,\"steps\":%u,\"tool_calls\":%u,"
		"\"tools_refused\":%u,\"prompt_tokens\":%llu,"
		"\"completion_tokens\":%llu,\"model_us\":%lld,"
		"\"overhead_us\":%lld,\"pack_tokens\":%zu,\"pack_bytes\":%zu,"
		"\"withheld\":%u,\"tool_withheld\":%u,"
		"\"fp_probability\":%.3f,\"hidden\":%s,\"evidence\":",
		first ? "" : ",\n", (long long)r->incident_id,
		triage_verdict_name(r->verdict), r->confidence, r->producer,
		r->status, r->score_before, r->score,
		r->floor.clamped ? "true" : "false",
		r->floor.needs_analyst ? "true" : "false", r->steps,
		r->tool_calls, r->tools_refused,
		(unsigned long long)r->prompt_tokens,
		(unsigned long long)r->completion_tokens,
		(long long)r->model_us, (long long)(r->total_us - r->model_us),
		r->pack.tokens, r->pack.bytes, r->pack.flagged,
		r->tool_withheld, r->fp_probability,
		r->hidden ? "true" : "false");
	json_array(&b, r->evidence);
	core_buf_printf(&b, ",\"actions\":");
	json_array(&b, r->actions);
	core_buf_printf(&b, ",\"explanation\":");
	json_str(&b, r->explanation);
	core_buf_printf(&b, ",\"foreign_tokens\":%u,\"model_overruled\":",
			r->foreign_tokens);
	json_overruled(&b, r);
	core_buf_printf(&b, ",\"analyst\":");
	json_analyst(&b, r);
	core_buf_addc(&b, '}');
	(void)cli_report_flush(stdout, &b);
	core_buf_free(&b);
}

/* ---------------------------------------------------------------- run */

struct totals {
	unsigned n, shown, hidden, by[4];
	int64_t overhead_us;
	size_t max_tokens;
};

/* Prints one result and adds it to the totals. */
static void report(const struct opts *o, const struct triage_result *r,
		   struct totals *tot)
{
	if (o->json)
		print_json(r, tot->n == 0);
	else if (!o->quiet)
		print_text(o, r);
	tot->n++;
	tot->by[r->verdict]++;
	tot->hidden += r->hidden;
	tot->shown += !r->hidden && r->verdict >= TRIAGE_SUSPICIOUS;
	tot->overhead_us += r->total_us - r->model_us;
	tot->max_tokens = CORE_MAX(tot->max_tokens, r->pack.tokens);
}

static int run_one(struct triage_ctx *t, int64_t id, struct triage_result *r)
{
	struct core_error err = { 0 };
	char msg[900];

	if (triage_run(t, id, r, &err) == 0)
		return 0;
	core_error_format(&err, msg, sizeof(msg));
	fprintf(stderr, "vigil triage: incident %lld: %s\n", (long long)id,
		msg);
	return 1;
}

/* --all: the incidents, their results, and who works on which. */
struct all {
	int64_t *ids;
	size_t n, cap;
	struct triage_result *res;
	char *state;			/* 0 to do, 1 done, 2 failed */
	size_t next;			/* next to take */
	size_t printed;			/* results printed so far */
	pthread_mutex_t mu;
	struct triage_ctx *t;
	const struct opts *o;
	struct totals tot;
	int failed;
};

static int collect(const struct store_incident *inc, void *ud)
{
	struct all *a = ud;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		int64_t *ids = realloc(a->ids, cap * sizeof(*ids));

		if (!ids)
			return CORE_E_NOMEM;
		a->ids = ids;
		a->cap = cap;
	}
	a->ids[a->n++] = inc->id;
	return 0;
}

/* Prints the finished results that no unfinished one precedes. */
static void flush_done(struct all *a)
{
	while (a->printed < a->n && a->state[a->printed]) {
		struct triage_result *r = &a->res[a->printed];

		if (a->state[a->printed] == 1)
			report(a->o, r, &a->tot);
		a->failed |= a->state[a->printed] == 2;
		triage_result_free(r);
		a->printed++;
	}
	fflush(stdout);
}

static void *worker(void *ud)
{
	struct all *a = ud;

	for (;;) {
		size_t i;
		int bad;

		pthread_mutex_lock(&a->mu);
		i = a->next < a->n ? a->next++ : SIZE_MAX;
		pthread_mutex_unlock(&a->mu);
		if (i == SIZE_MAX)
			return NULL;
		bad = run_one(a->t, a->ids[i], &a->res[i]);
		pthread_mutex_lock(&a->mu);
		a->state[i] = bad ? 2 : 1;
		flush_done(a);
		pthread_mutex_unlock(&a->mu);
	}
}

/* Triage a->ids with up to nthreads incidents in flight. */
static void run_all(struct all *a, unsigned nthreads)
{
	pthread_t th[64];
	unsigned k = 0;

	nthreads = CORE_MAX(1u, CORE_MIN(nthreads, 64u));
	if (nthreads > a->n)
		nthreads = (unsigned)CORE_MAX(a->n, (size_t)1);
	for (; k + 1 < nthreads; k++)
		if (pthread_create(&th[k], NULL, worker, a) != 0)
			break;
	worker(a);	/* this thread works too */
	while (k-- > 0)
		pthread_join(th[k], NULL);
}

static void on_delta(const char *p, size_t len, void *ud)
{
	bool *started = ud;

	if (!*started)
		fputs("model: ", stdout);
	*started = true;
	fwrite(p, 1, len, stdout);
	fflush(stdout);
}

static int each(struct triage_ctx *t, struct store *st, const struct opts *o,
		unsigned concurrency)
{
	struct core_error err = { 0 };
	struct all a = { .t = t, .o = o };
	bool streamed = false;
	int rc = 0;

	pthread_mutex_init(&a.mu, NULL);
	if (o->json)
		printf("[");
	if (!o->all) {
		struct triage_result r;

		if (o->stream)
			triage_ctx_stream(t, on_delta, &streamed);
		rc = run_one(t, o->id, &r);
		if (streamed)
			fputs("\n", stdout);
		if (rc == 0) {
			report(o, &r, &a.tot);
			triage_result_free(&r);
		}
	} else if (store_incident_each(st, 0, 0, collect, &a, &err) == 0) {
		a.res = calloc(a.n + 1, sizeof(*a.res));
		a.state = calloc(a.n + 1, 1);
		if (a.res && a.state)
			run_all(&a, concurrency);
		else
			a.failed = 1;
		rc = a.failed;
	}
	free(a.ids);
	free(a.res);
	free(a.state);
	pthread_mutex_destroy(&a.mu);
	if (o->json)
		printf("]\n");
	if (o->all && !o->json)
		printf("triaged %u: malicious %u, suspicious %u, benign %u, "
		       "false-positive %u; shown to the analyst %u, hidden "
		       "as likely repeat false positives %u; overhead %.2f ms "
		       "per incident, largest pack ~%zu tokens\n", a.tot.n,
		       a.tot.by[TRIAGE_MALICIOUS], a.tot.by[TRIAGE_SUSPICIOUS],
		       a.tot.by[TRIAGE_BENIGN],
		       a.tot.by[TRIAGE_FALSE_POSITIVE], a.tot.shown,
		       a.tot.hidden, a.tot.n ? a.tot.overhead_us / 1e3 /
		       a.tot.n : 0.0, a.tot.max_tokens);
	return rc;
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

/* "12.5%", or what is missing when there is nothing to divide by. */
static const char *share(uint64_t a, uint64_t b, const char *none,
			 char *out, size_t n)
{
	if (b == 0)
		snprintf(out, n, "n/a (%s)", none);
	else
		snprintf(out, n, "%.1f%%", pct(a, b));
	return out;
}

/* "87.5% of 8", or "n/a (none compared)". */
static const char *agreement(uint64_t agree, uint64_t compared, char *out,
			     size_t n)
{
	if (compared == 0)
		snprintf(out, n, "n/a (none compared)");
	else
		snprintf(out, n, "%.1f%% of %llu", pct(agree, compared),
			 (unsigned long long)compared);
	return out;
}

/* One line of the per-producer table; "-" where a figure has no sense. */
static void producer_row(enum triage_producer p,
			 const struct triage_producer_stats *b)
{
	char prec[16] = "-", fpr[16] = "-", lat[24] = "-";

	if (p != TRIAGE_BY_ANALYST && b->tp + b->fp)
		snprintf(prec, sizeof(prec), "%.1f%%",
			 pct(b->tp, b->tp + b->fp));
	if (p != TRIAGE_BY_ANALYST && b->fp + b->tn)
		snprintf(fpr, sizeof(fpr), "%.1f%%",
			 pct(b->fp, b->fp + b->tn));
	if (b->timed && b->latency_us / (double)b->timed >= 1e6)
		snprintf(lat, sizeof(lat), "%.2f s",
			 b->latency_us / 1e6 / (double)b->timed);
	else if (b->timed)
		snprintf(lat, sizeof(lat), "%.3f ms",
			 b->latency_us / 1e3 / (double)b->timed);
	printf("  %-14s %8llu %8llu %10s %8s %12s %12llu\n",
	       triage_producer_name(p), (unsigned long long)b->verdicts,
	       (unsigned long long)b->compared, prec, fpr, lat,
	       (unsigned long long)(b->prompt_tokens + b->completion_tokens));
}

static int stats(struct store *st)
{
	struct core_error err = { 0 };
	struct triage_stats s;
	char msg[900], f[3][64];

	if (triage_stats_collect(st, &s, &err) != 0) {
		core_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "vigil triage stats: %s\n", msg);
		return 1;
	}
	printf("incidents with verdicts or feedback: %llu\n"
	       "verdicts: llm %llu, local model %llu, deterministic %llu; "
	       "analyst decisions %llu\n",
	       (unsigned long long)s.incidents,
	       (unsigned long long)s.llm_verdicts,
	       (unsigned long long)s.local_verdicts,
	       (unsigned long long)s.det_verdicts,
	       (unsigned long long)s.analyst);
	printf("agreement (real = malicious or suspicious): llm/analyst "
	       "%s, local/analyst %s, llm/local %s\n",
	       agreement(s.llm_agree, s.llm_compared, f[0], 64),
	       agreement(s.local_agree, s.local_compared, f[1], 64),
	       agreement(s.llm_local_agree, s.llm_local_compared, f[2], 64));
	printf("llm precision %s, false-positive rate %s (tp %llu fp %llu "
	       "fn %llu tn %llu)\n",
	       share(s.tp, s.tp + s.fp, s.llm_verdicts ? "no real verdict "
		     "compared" : "no verdicts", f[0], 64),
	       share(s.fp, s.fp + s.tn, s.llm_verdicts ? "no benign "
		     "incident compared" : "no verdicts", f[1], 64),
	       (unsigned long long)s.tp, (unsigned long long)s.fp,
	       (unsigned long long)s.fn, (unsigned long long)s.tn);
	printf("per producer, against the analysts (real = malicious or "
	       "suspicious; local model out of sample: each decision "
	       "predicted by a model trained only on earlier ones, %llu "
	       "model%s):\n", (unsigned long long)s.local_oos_steps,
	       cli_plural(s.local_oos_steps));
	printf("  %-14s %8s %8s %10s %8s %12s %12s\n", "producer",
	       "verdicts", "compared", "precision", "fp-rate",
	       "mean latency", "tokens");
	for (int i = 0; i < TRIAGE_BY__COUNT; i++)
		producer_row((enum triage_producer)i, &s.by[i]);
	printf("model traces %llu (failed %llu), mean latency %.2f s, "
	       "tokens %llu prompt + %llu completion\n",
	       (unsigned long long)s.traces,
	       (unsigned long long)s.failed_traces,
	       s.traces ? s.latency_us / 1e6 / (double)s.traces : 0.0,
	       (unsigned long long)s.prompt_tokens,
	       (unsigned long long)s.completion_tokens);
	return 0;
}

static int map_key(struct llm_config *cfg, const char *store)
{
	char def[1024];

	if (cfg->map_key_file[0])
		return 0;
	if (!store && store_default_path(def, sizeof(def)) == 0)
		store = def;
	if (!store)
		return 0;
	if (strlen(store) + 5 > sizeof(cfg->map_key_file))
		return -1;
	memcpy(cfg->map_key_file, store, strlen(store));
	memcpy(cfg->map_key_file + strlen(store), ".key", 5);
	return 0;
}

int cli_triage(int argc, char **argv)
{
	struct opts o = { 0 };
	struct core_error err = { 0 };
	struct llm_client *client = NULL;
	struct triage_ctx *t = NULL;
	struct llm_config cfg;
	struct store *st;
	char msg[900];
	int rc = parse(&o, argc, argv);

	if (rc >= 0)
		return rc;
	if (cli_llm_config(o.config, &cfg))
		return 2;
	if (cli_store_open("triage", o.store, &st))
		return 1;
	if (o.stats) {
		rc = stats(st);
		store_close(st);
		return rc;
	}
	map_key(&cfg, o.store);
	if (!o.no_model && llm_config_enabled(&cfg) &&
	    llm_client_new(&cfg, &client, &err) != 0) {
		core_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "vigil triage: %s\n", msg);
		store_close(st);
		return 1;
	}
	/* Evidence is read on a handle of its own: in --all, results are
	 * printed while other incidents are being triaged on st. */
	if (!o.json && !o.quiet && cli_store_open("triage", o.store, &o.view))
		o.view = NULL;
	if (triage_ctx_new(st, &cfg, client, &t, &err) != 0) {
		core_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "vigil triage: %s\n", msg);
		rc = 1;
	} else {
		rc = each(t, st, &o, client ? cfg.concurrency : 1);
	}
	triage_ctx_free(t);
	llm_client_free(client);
	store_close(o.view);
	store_close(st);
	return rc;
}
