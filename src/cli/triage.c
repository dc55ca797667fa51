/*
 * triage.c: `vigil triage INCIDENT|--all` and `vigil triage stats`.
 *
 * Opens the store, the model client when vigil.yaml configures one (and
 * the privacy policy allows it), triages each incident and prints the
 * verdict with who produced it, the evidence it rests on, what the floor
 * did, and the local model's view.  --all triages every stored incident
 * and ends with the figures the analyst cares about: how many incidents
 * are shown, how many were hidden as likely repeat false positives, and
 * vigil's own overhead per incident (model latency excluded).
 */
#include "cli/cli_store.h"
#include "cli/cli_triage.h"
#include "triage/triage.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
"usage: vigil triage INCIDENT|--all [OPTIONS]\n"
"       vigil triage stats [--store PATH]\n"
"\n"
"Gives each incident a verdict (malicious, suspicious, benign,\n"
"false_positive) with its reasons: from the model configured in\n"
"vigil.yaml (docs/config.md), or from vigil's deterministic score when\n"
"there is none.  The output says which produced it.  Traces and\n"
"verdicts are kept in the store and shown by `vigil show`.\n"
"\n"
"  -a, --all            triage every stored incident\n"
"      --store PATH     the store (default: see `vigil analyze --help`)\n"
"  -c, --config FILE    read FILE instead of the default vigil.yaml\n"
"      --no-model       use the deterministic verdict only\n"
"  -f, --format FMT     text (default) or json\n"
"  -q, --quiet          only the summary line (with --all)\n"
"  -h, --help           this text\n";

struct opts {
	const char *store;
	const char *config;
	bool all, no_model, json, quiet, stats;
	int64_t id;
};

static int parse(struct opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "store", required_argument, NULL, 'S' },
		{ "config", required_argument, NULL, 'c' },
		{ "no-model", no_argument, NULL, 'N' },
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
		fputs(usage_text, stderr);
		return 2;
	}
	if (!o->all && cli_store_parse_id("triage", argv[optind], &o->id))
		return 2;
	return -1;
}

/* ------------------------------------------------------------- output */

static void print_text(const struct triage_result *r)
{
	printf("incident %lld: %s, confidence %.2f, score %u -> %u "
	       "(by %s", (long long)r->incident_id,
	       triage_verdict_name(r->verdict), r->confidence,
	       r->score_before, r->score, r->producer);
	if (strcmp(r->status, "ok"))
		printf("; the model was not used: %s", r->status);
	printf(")\n");
	if (r->steps)
		printf("  model: %u turn(s), %u tool call(s) (%u refused), "
		       "%llu+%llu tokens, %.2f s\n", r->steps, r->tool_calls,
		       r->tools_refused, (unsigned long long)r->prompt_tokens,
		       (unsigned long long)r->completion_tokens,
		       r->model_us / 1e6);
	if (r->floor.clamped)
		printf("  floor: %s%s\n", r->floor.reason,
		       r->floor.needs_analyst ? " (needs an analyst)" : "");
	printf("  evidence: %s\n", r->evidence ? r->evidence : "[]");
	printf("  why: %s\n", r->explanation ? r->explanation : "");
	printf("  actions: %s\n", r->actions ? r->actions : "[]");
	if (r->pack.flagged || r->tool_withheld)
		printf("  withheld from the model: %u field(s) of the pack, "
		       "%u value(s) of tool results with instruction-like "
		       "text\n", r->pack.flagged, r->tool_withheld);
	if (r->fp_probability >= 0)
		printf("  local model: p(false positive) %.2f (%s)%s\n",
		       r->fp_probability, r->fp_drivers,
		       r->hidden ? "; hidden as a likely repeat" : "");
	printf("  pack: %zu bytes, ~%zu tokens, %u evidence lines\n",
	       r->pack.bytes, r->pack.tokens, r->pack.evidence);
}

static void json_str(const char *s)
{
	struct core_buf b;

	core_buf_init(&b, 1u << 22);
	core_buf_add_json(&b, s ? s : "", s ? strlen(s) : 0);
	printf("\"%s\"", core_buf_cstr(&b));
	core_buf_free(&b);
}

static void print_json(const struct triage_result *r, bool first)
{
	printf("%s{\"incident\":%lld,\"verdict\":\"%s\",\"confidence\":%.3f,"
	       "\"producer\":\"%s\",\"status\":\"%s\",\"score_before\":%u,"
	       "\"score\":%u,\"floor_applied\":%s,\"needs_analyst\":%s,"
	       "\"steps\":%u,\"tool_calls\":%u,\"tools_refused\":%u,"
	       "\"prompt_tokens\":%llu,\"completion_tokens\":%llu,"
	       "\"model_us\":%lld,\"overhead_us\":%lld,\"pack_tokens\":%zu,"
	       "\"pack_bytes\":%zu,\"withheld\":%u,\"tool_withheld\":%u,"
	       "\"fp_probability\":%.3f,"
	       "\"hidden\":%s,\"evidence\":%s,\"actions\":%s,"
	       "\"explanation\":", first ? "" : ",\n",
	       (long long)r->incident_id, triage_verdict_name(r->verdict),
	       r->confidence, r->producer, r->status, r->score_before,
	       r->score, r->floor.clamped ? "true" : "false",
	       r->floor.needs_analyst ? "true" : "false", r->steps,
	       r->tool_calls, r->tools_refused,
	       (unsigned long long)r->prompt_tokens,
	       (unsigned long long)r->completion_tokens,
	       (long long)r->model_us, (long long)(r->total_us - r->model_us),
	       r->pack.tokens, r->pack.bytes, r->pack.flagged,
	       r->tool_withheld, r->fp_probability, r->hidden ? "true" : "false",
	       r->evidence ? r->evidence : "[]",
	       r->actions ? r->actions : "[]");
	json_str(r->explanation);
	printf("}");
}

/* ---------------------------------------------------------------- run */

struct totals {
	unsigned n, shown, hidden, by[4];
	int64_t overhead_us;
	size_t max_tokens;
};

static int one(struct triage_ctx *t, const struct opts *o, int64_t id,
	       struct totals *tot)
{
	struct core_error err = { 0 };
	struct triage_result r;
	char msg[900];

	if (triage_run(t, id, &r, &err) != 0) {
		core_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "vigil triage: incident %lld: %s\n",
			(long long)id, msg);
		return 1;
	}
	if (o->json)
		print_json(&r, tot->n == 0);
	else if (!o->quiet)
		print_text(&r);
	tot->n++;
	tot->by[r.verdict]++;
	tot->hidden += r.hidden;
	tot->shown += !r.hidden && r.verdict >= TRIAGE_SUSPICIOUS;
	tot->overhead_us += r.total_us - r.model_us;
	tot->max_tokens = CORE_MAX(tot->max_tokens, r.pack.tokens);
	triage_result_free(&r);
	return 0;
}

struct all {
	int64_t *ids;
	size_t n, cap;
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

static int each(struct triage_ctx *t, struct store *st, const struct opts *o)
{
	struct core_error err = { 0 };
	struct all a = { 0 };
	struct totals tot = { 0 };
	int failed = 0;

	if (o->json)
		printf("[");
	if (!o->all)
		failed = one(t, o, o->id, &tot);
	else if (store_incident_each(st, 0, 0, collect, &a, &err) == 0)
		for (size_t i = 0; i < a.n; i++)
			failed |= one(t, o, a.ids[i], &tot);
	free(a.ids);
	if (o->json)
		printf("]\n");
	if (o->all && !o->json)
		printf("triaged %u: malicious %u, suspicious %u, benign %u, "
		       "false_positive %u; shown to the analyst %u, hidden "
		       "as likely repeat false positives %u; overhead %.2f ms "
		       "per incident, largest pack ~%zu tokens\n", tot.n,
		       tot.by[TRIAGE_MALICIOUS], tot.by[TRIAGE_SUSPICIOUS],
		       tot.by[TRIAGE_BENIGN], tot.by[TRIAGE_FALSE_POSITIVE],
		       tot.shown, tot.hidden, tot.n ? tot.overhead_us / 1e3 /
		       tot.n : 0.0, tot.max_tokens);
	return failed;
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0;
}

static int stats(struct store *st)
{
	struct core_error err = { 0 };
	struct triage_stats s;
	char msg[900];

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
	       "%.1f%% of %llu, local/analyst %.1f%% of %llu, llm/local "
	       "%.1f%% of %llu\n", pct(s.llm_agree, s.llm_compared),
	       (unsigned long long)s.llm_compared,
	       pct(s.local_agree, s.local_compared),
	       (unsigned long long)s.local_compared,
	       pct(s.llm_local_agree, s.llm_local_compared),
	       (unsigned long long)s.llm_local_compared);
	printf("llm precision %.1f%%, false-positive rate %.1f%% "
	       "(tp %llu fp %llu fn %llu tn %llu)\n",
	       pct(s.tp, s.tp + s.fp), pct(s.fp, s.fp + s.tn),
	       (unsigned long long)s.tp, (unsigned long long)s.fp,
	       (unsigned long long)s.fn, (unsigned long long)s.tn);
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
	if (triage_ctx_new(st, &cfg, client, &t, &err) != 0) {
		core_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "vigil triage: %s\n", msg);
		rc = 1;
	} else {
		rc = each(t, st, &o);
	}
	triage_ctx_free(t);
	llm_client_free(client);
	store_close(st);
	return rc;
}
