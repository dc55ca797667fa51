/*
 * report_json.c: the report as one JSON document, the stable interface
 * described field by field in docs/json-output.md and checked against
 * docs/vigil-report.schema.json by the tests.
 *
 *   {"vigil": {...}, "stats": {...}, "incidents": [...], "alerts": [...]}
 *
 * Every string goes through cli_report_json_str() (report.c), which
 * escapes control characters and replaces invalid UTF-8, so the
 * document is valid JSON whatever bytes the logs held, and writes the
 * characters that hide or reorder text as \uNNNN, as every JSON output
 * of vigil does.  Times are RFC 3339 strings, or null when unknown.
 * The buffer is flushed after each incident and each alert so memory
 * stays bounded on large sets.
 */
#include "cli/report.h"

#include <string.h>

#define BUF_MAX (64u << 20)

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0.0.0"
#endif

/* The document's format version: bump on incompatible changes. */
#define REPORT_SCHEMA 1

/*
 * A JSON string, as every JSON output writes one (report.h): the
 * characters that hide or reorder text, and DEL, as \uNNNN.
 */
static void jstr(struct core_buf *b, const char *p, size_t len)
{
	(void)cli_report_json_str(b, p, len);
}

static void jcstr(struct core_buf *b, const char *s)
{
	if (!s) {
		core_buf_add(b, "null", 4);
		return;
	}
	jstr(b, s, strlen(s));
}

static void jkey(struct core_buf *b, bool *first, const char *k)
{
	core_buf_printf(b, "%s\"%s\":", *first ? "" : ",", k);
	*first = false;
}

static void jtime(struct core_buf *b, int64_t ts)
{
	char t[40];

	if (ts == CORE_TS_UNKNOWN) {
		core_buf_add(b, "null", 4);
		return;
	}
	core_time_format(ts, t, sizeof(t));
	jcstr(b, t);
}

static void jnum(struct core_buf *b, bool *first, const char *k, uint64_t v)
{
	jkey(b, first, k);
	core_buf_printf(b, "%llu", (unsigned long long)v);
}

static void json_stats(struct core_buf *b, const struct cli_stats *st,
		       const struct incident_set *set)
{
	struct incident_totals t;
	bool f = true, g = true;

	incident_set_totals(set, &t);
	core_buf_printf(b, "\"stats\":{");
	jnum(b, &f, "inputs", st->inputs);
	jnum(b, &f, "inputs_skipped", st->inputs_skipped);
	jnum(b, &f, "bytes", st->bytes);
	jnum(b, &f, "lines", st->lines);
	jnum(b, &f, "events", st->events);
	jnum(b, &f, "decoded", st->decoded);
	jnum(b, &f, "raw", st->raw);
	jnum(b, &f, "bad_records", st->bad_records);
	jkey(b, &f, "per_format");
	core_buf_addc(b, '{');
	for (int i = 0; i < CORE_FMT__COUNT; i++)
		jnum(b, &g, core_format_name((enum core_format)i),
		     st->per_format[i]);
	core_buf_addc(b, '}');
	jnum(b, &f, "alerts", st->alerts ? st->alerts : t.alerts);
	jnum(b, &f, "alert_records", t.records);
	jnum(b, &f, "alerts_overflow", t.alerts_overflow);
	jnum(b, &f, "incidents", t.incidents);
	jkey(b, &f, "reduction");
	core_buf_printf(b, "%.2f", t.incidents ?
			(double)(st->alerts ? st->alerts : t.alerts) /
			(double)t.incidents : 0.0);
	jnum(b, &f, "entities", t.entities);
	jnum(b, &f, "entities_untracked", t.entities_untracked);
	jnum(b, &f, "rules_loaded", st->rules_loaded);
	jnum(b, &f, "rules_rejected", st->rules_rejected);
	jkey(b, &f, "elapsed_us");
	core_buf_printf(b, "%lld", (long long)st->elapsed_us);
	jkey(b, &f, "ts_first");
	jtime(b, st->ts_first);
	jkey(b, &f, "ts_last");
	jtime(b, st->ts_last);
	core_buf_addc(b, '}');
}

static void json_counters(struct core_buf *b, const struct incident_counters *c)
{
	bool f = true;

	core_buf_addc(b, '{');
	jnum(b, &f, "events", c->events);
	jnum(b, &f, "login_failures", c->login_failures);
	jnum(b, &f, "login_successes", c->login_successes);
	jnum(b, &f, "windows_logons", c->windows_logons);
	jnum(b, &f, "invalid_users", c->invalid_users);
	jnum(b, &f, "invalid_lines", c->invalid_lines);
	jnum(b, &f, "invalid_failed", c->invalid_failed);
	jnum(b, &f, "pam_failures", c->pam_failures);
	jnum(b, &f, "privileged", c->privileged);
	jnum(b, &f, "requests", c->requests);
	jnum(b, &f, "http_4xx", c->http_4xx);
	jnum(b, &f, "http_5xx", c->http_5xx);
	jnum(b, &f, "ids_alerts", c->ids_alerts);
	jnum(b, &f, "distinct_users", c->distinct_users);
	jnum(b, &f, "distinct_sources", c->distinct_sources);
	jkey(b, &f, "distinct_estimated");
	core_buf_printf(b, "%s", c->distinct_estimated ? "true" : "false");
	jkey(b, &f, "first_seen");
	jtime(b, c->first_seen);
	jkey(b, &f, "last_seen");
	jtime(b, c->last_seen);
	core_buf_addc(b, '}');
}

static void json_entity(struct core_buf *b, const struct incident_entity *e)
{
	bool f = true;

	core_buf_addc(b, '{');
	jkey(b, &f, "type");
	jcstr(b, incident_entity_label(e));
	jkey(b, &f, "value");
	jstr(b, e->value.p, e->value.len);
	jnum(b, &f, "records", e->records);
	jkey(b, &f, "counters");
	if (e->observed)
		json_counters(b, &e->c);
	else
		core_buf_add(b, "null", 4);
	core_buf_addc(b, '}');
}

static void json_evidence(struct core_buf *b,
			  const struct incident_evidence *e)
{
	bool f = true;

	core_buf_addc(b, '{');
	jkey(b, &f, "file");
	jcstr(b, e->src);
	jnum(b, &f, "line", e->line);
	jkey(b, &f, "text");
	jstr(b, e->text.p, e->text.len);
	if (e->summary.len) {
		jkey(b, &f, "summary");
		jstr(b, e->summary.p, e->summary.len);
	}
	jkey(b, &f, "ts");
	jtime(b, e->ts);
	jkey(b, &f, "rule");
	jcstr(b, e->rule && e->rule->id ? e->rule->id : "");
	jnum(b, &f, "alert", e->record);
	core_buf_addc(b, '}');
}

static void json_step(struct core_buf *b, const struct incident_step *st)
{
	const struct detect_rule_info *r = st->alert->rule;
	bool f = true;

	core_buf_addc(b, '{');
	jkey(b, &f, "ts_first");
	jtime(b, st->ts_first);
	jkey(b, &f, "ts_last");
	jtime(b, st->ts_last);
	jnum(b, &f, "alert", st->alert->index);
	jkey(b, &f, "rule");
	jcstr(b, r->id ? r->id : "");
	jkey(b, &f, "title");
	jcstr(b, r->title ? r->title : "");
	jkey(b, &f, "level");
	jcstr(b, incident_severity_name(incident_severity_of_level(r->level)));
	jnum(b, &f, "count", st->alert->raised);
	jnum(b, &f, "events", st->alert->events);
	core_buf_addc(b, '}');
}

static void json_parts(struct core_buf *b, const struct incident *inc)
{
	const struct incident_score_parts *p = &inc->parts;
	bool f = true;

	core_buf_addc(b, '{');
	jnum(b, &f, "base", p->base);
	jnum(b, &f, "chain", p->chain);
	jnum(b, &f, "success", p->success);
	jnum(b, &f, "privesc", p->privesc);
	jnum(b, &f, "volume", p->volume);
	jnum(b, &f, "ids", p->ids);
	jnum(b, &f, "anomaly", p->anomaly);
	jnum(b, &f, "familiar", p->familiar);
	core_buf_addc(b, '}');
}

static void json_lists(struct core_buf *b, const struct incident *inc)
{
	bool any = false;

	core_buf_printf(b, ",\"platforms\":[");
	for (int p = 0; p < INCIDENT_PLAT__COUNT; p++)
		if (inc->platforms & (1u << p)) {
			core_buf_printf(b, "%s", any ? "," : "");
			jcstr(b, incident_platform_name(p));
			any = true;
		}
	core_buf_printf(b, "],\"tactics\":[");
	for (unsigned i = 0; i < inc->ntactics; i++) {
		core_buf_printf(b, "%s", i ? "," : "");
		jcstr(b, inc->tactics[i]);
	}
	core_buf_printf(b, "],\"techniques\":[");
	for (unsigned i = 0; i < inc->ntechniques; i++) {
		core_buf_printf(b, "%s", i ? "," : "");
		jcstr(b, inc->techniques[i]);
	}
	core_buf_printf(b, "],\"entities\":[");
	for (size_t i = 0; i < inc->nentities; i++) {
		core_buf_printf(b, "%s", i ? "," : "");
		json_entity(b, &inc->entities[i]);
	}
	core_buf_printf(b, "],\"timeline\":[");
	for (size_t i = 0; i < inc->ntimeline; i++) {
		core_buf_printf(b, "%s", i ? "," : "");
		json_step(b, &inc->timeline[i]);
	}
	core_buf_printf(b, "],\"evidence\":[");
	for (size_t i = 0; i < inc->nevidence; i++) {
		core_buf_printf(b, "%s", i ? "," : "");
		json_evidence(b, &inc->evidence[i]);
	}
	core_buf_addc(b, ']');
}

static void json_incident(struct core_buf *b, const struct incident *inc,
			  const struct cli_report_opts *opts)
{
	bool f = true, g = true;

	core_buf_addc(b, '{');
	jnum(b, &f, "id", inc->id);
	if (opts->stored_ids != NULL)
		jnum(b, &f, "stored_id",
		     (uint64_t)opts->stored_ids[inc->id - 1]);
	jkey(b, &f, "title");
	jstr(b, inc->title.p, inc->title.len);
	jnum(b, &f, "score", inc->score);
	jkey(b, &f, "severity");
	jcstr(b, incident_severity_name(inc->severity));
	jkey(b, &f, "score_parts");
	json_parts(b, inc);
	jkey(b, &f, "ts_first");
	jtime(b, inc->ts_first);
	jkey(b, &f, "ts_last");
	jtime(b, inc->ts_last);
	jkey(b, &f, "counts");
	core_buf_addc(b, '{');
	jnum(b, &g, "alerts", inc->alerts);
	jnum(b, &g, "alert_records", inc->records);
	jnum(b, &g, "events", inc->events);
	jnum(b, &g, "entities", inc->entities_total);
	core_buf_addc(b, '}');
	json_lists(b, inc);
	core_buf_printf(b, ",\"explanation\":");
	jstr(b, inc->explanation.p, inc->explanation.len);
	core_buf_addc(b, '}');
}

static void json_strings(struct core_buf *b, const char *const *v, size_t n)
{
	core_buf_addc(b, '[');
	for (size_t i = 0; i < n; i++) {
		core_buf_printf(b, "%s", i ? "," : "");
		jcstr(b, v[i] ? v[i] : "");
	}
	core_buf_addc(b, ']');
}

static void json_rule(struct core_buf *b, const struct detect_rule_info *r)
{
	bool f = true;

	core_buf_addc(b, '{');
	jkey(b, &f, "id");
	jcstr(b, r->id ? r->id : "");
	jkey(b, &f, "title");
	jcstr(b, r->title ? r->title : "");
	jkey(b, &f, "level");
	jcstr(b, incident_severity_name(incident_severity_of_level(r->level)));
	jkey(b, &f, "tags");
	json_strings(b, r->tags, r->ntags);
	if (r->status) {
		jkey(b, &f, "status");
		jcstr(b, r->status);
	}
	jkey(b, &f, "references");
	json_strings(b, r->references, r->nreferences);
	jkey(b, &f, "falsepositives");
	json_strings(b, r->falsepositives, r->nfalsepositives);
	if (r->file) {
		jkey(b, &f, "file");
		jcstr(b, r->file);
		jkey(b, &f, "line");
		core_buf_printf(b, "%llu", (unsigned long long)r->line);
	}
	core_buf_addc(b, '}');
}

static void json_alert(struct core_buf *b, const struct incident_alert *a)
{
	bool f = true, g = true;

	core_buf_addc(b, '{');
	jnum(b, &f, "index", a->index);
	jkey(b, &f, "rule");
	json_rule(b, a->rule);
	jnum(b, &f, "count", a->raised);
	jnum(b, &f, "events", a->events);
	jnum(b, &f, "distinct", a->distinct);
	jkey(b, &f, "ts_first");
	jtime(b, a->ts_first);
	jkey(b, &f, "ts_last");
	jtime(b, a->ts_last);
	jkey(b, &f, "entities");
	core_buf_addc(b, '{');
	for (int t = 0; t < INCIDENT_ENT__COUNT; t++)
		if (a->entity[t].len) {
			jkey(b, &g, incident_entity_type_name(
				(enum incident_entity_type)t));
			jstr(b, a->entity[t].p, a->entity[t].len);
		}
	core_buf_printf(b, "},\"group\":[");
	for (unsigned i = 0; i < a->ngroup; i++) {
		core_buf_printf(b, "%s{\"field\":", i ? "," : "");
		jstr(b, a->group[i].field.p, a->group[i].field.len);
		core_buf_printf(b, ",\"value\":");
		jstr(b, a->group[i].value.p, a->group[i].value.len);
		core_buf_addc(b, '}');
	}
	core_buf_printf(b, "],\"incident\":%u,\"overflow\":%s}", a->incident,
			a->overflow ? "true" : "false");
}

/* The JSON document; see cli_report_write() and docs/json-output.md. */
int cli_report_json(FILE *out, const struct cli_report_opts *opts,
		    const struct cli_stats *st,
		    const struct incident_set *set)
{
	struct core_buf b;
	size_t shown = 0, n = incident_set_count(set), k = 0;
	int rc = 0;

	core_buf_init(&b, BUF_MAX);
	core_buf_printf(&b, "{\"vigil\":{\"version\":\"%s\",\"schema\":%d},\n",
			VIGIL_VERSION, REPORT_SCHEMA);
	if (opts->store != NULL && opts->stored_ids != NULL) {
		core_buf_printf(&b, "\"store\":{\"path\":");
		jstr(&b, opts->store, strlen(opts->store));
		core_buf_printf(&b, ",\"run\":%lld},\n",
				(long long)opts->stored_run);
	}
	json_stats(&b, st, set);
	core_buf_printf(&b, ",\n\"incidents\":[");
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct incident *inc = incident_set_get(set, i);

		if (!cli_report_selected(opts, inc, &shown))
			continue;
		core_buf_printf(&b, "%s\n", k++ ? "," : "");
		json_incident(&b, inc, opts);
		rc = cli_report_flush(out, &b);
	}
	core_buf_printf(&b, "],\n\"alerts\":[");
	for (size_t i = 0; rc == 0 && i < incident_set_alert_count(set); i++) {
		core_buf_printf(&b, "%s\n", i ? "," : "");
		json_alert(&b, incident_set_alert(set, i));
		if (b.len > 65536)
			rc = cli_report_flush(out, &b);
	}
	core_buf_printf(&b, "]}\n");
	if (rc == 0)
		rc = cli_report_flush(out, &b);
	core_buf_free(&b);
	return rc;
}
