/*
 * store_run.c: `vigil analyze --store PATH`: one analysis run into the
 * store, and opening the store for the commands that read it.
 *
 * What is kept (docs/store.md): the run and its figures; every incident
 * with its shown entities (and their counters), evidence lines, tactics,
 * techniques, score parts and explanation; every aggregated alert record
 * with the entities it names and its sample lines; the counters of every
 * entity an alert or incident names, and of the other observed entities
 * up to RUN_MAX_OBSERVED (first seen first); and, per entity type and
 * counter, the distribution over every observed entity (the incident
 * room's summary, fixed in size), which `vigil investigate` weighs an
 * entity against.  Events are not stored one by one:
 * only the evidence and alert samples are kept as references (file,
 * line, time, text), so the store grows with incidents, not with logs.
 *
 * Incidents get new ids on every run (never reused); a fingerprint (the
 * title, strongest entity and first time) ties an incident to the same
 * one found by an earlier run over the same logs.
 */
#include "cli/cli_store.h"

#include <stdlib.h>
#include <string.h>

/* Entity ids whose counters this run already wrote: an id hash set. */
struct idset {
	int64_t *slots;
	size_t n, cap;
};

static bool idset_add(struct idset *s, int64_t id)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct idset g = { .cap = s->cap ? s->cap * 2 : 256 };

		g.slots = calloc(g.cap, sizeof(*g.slots));
		if (!g.slots)
			return false;
		for (size_t k = 0; k < s->cap; k++)
			if (s->slots[k])
				idset_add(&g, s->slots[k]);
		free(s->slots);
		*s = g;
	}
	i = (size_t)core_hash(&id, sizeof(id), 0) & (s->cap - 1);
	while (s->slots[i] && s->slots[i] != id)
		i = (i + 1) & (s->cap - 1);
	if (s->slots[i])
		return false;
	s->slots[i] = id;
	s->n++;
	return true;
}

/* Entities not named by any alert kept per run, with their counters. */
#define RUN_MAX_OBSERVED 20000

struct run {
	size_t observed_kept, observed_dropped;
	struct store *st;
	const struct incident_set *set;
	struct core_error err;
	int64_t run_id;
	int64_t *inc_ids;		/* by incident id - 1 */
	int64_t *alert_ids;		/* by alert record index */
	int64_t *sample_ids;		/* record * SAMPLES + sample */
	struct idset counted;
	struct core_buf json;
};

static void to_store_counters(const struct incident_counters *c,
			      struct store_counters *o)
{
	*o = (struct store_counters){
		.events = c->events, .login_failures = c->login_failures,
		.login_successes = c->login_successes,
		.invalid_users = c->invalid_users,
		.pam_failures = c->pam_failures, .privileged = c->privileged,
		.requests = c->requests, .http_4xx = c->http_4xx,
		.http_5xx = c->http_5xx, .ids_alerts = c->ids_alerts,
		.distinct_users = c->distinct_users,
		.distinct_sources = c->distinct_sources,
		.first_seen = c->first_seen == CORE_TS_UNKNOWN ? 0 :
			c->first_seen,
		.last_seen = c->last_seen == CORE_TS_UNKNOWN ? 0 :
			c->last_seen,
	};
}

/* The entity's id; its counters for this run are written once. */
static int entity(struct run *r, enum incident_entity_type t,
		  struct core_str value, int64_t *id)
{
	const struct incident_counters *c;
	struct store_counters sc;
	int rc;

	rc = store_entity_id(r->st, incident_entity_type_name(t), value, id,
			     &r->err);
	if (rc != 0 || !idset_add(&r->counted, *id))
		return rc;
	c = incident_set_counters(r->set, t, value);
	if (c)
		to_store_counters(c, &sc);
	return store_entity_counters(r->st, r->run_id, *id, c ? &sc : NULL,
				     &r->err);
}

/* ---------------------------------------------------------------- JSON */

static struct core_str json_done(struct run *r)
{
	return core_str_make(r->json.p ? r->json.p : "", r->json.len);
}

static void json_str(struct run *r, const char *p, size_t n)
{
	core_buf_addc(&r->json, '"');
	core_buf_add_json(&r->json, p, n);
	core_buf_addc(&r->json, '"');
}

static struct core_str stats_json(struct run *r, const struct cli_stats *s)
{
	core_buf_reset(&r->json);
	core_buf_printf(&r->json, "{\"inputs\":%llu,\"inputs_skipped\":%llu,"
			"\"bytes\":%llu,\"lines\":%llu,\"events\":%llu,"
			"\"decoded\":%llu,\"raw\":%llu,\"alerts\":%llu,"
			"\"rules_loaded\":%llu,\"elapsed_us\":%lld}",
			(unsigned long long)s->inputs,
			(unsigned long long)s->inputs_skipped,
			(unsigned long long)s->bytes,
			(unsigned long long)s->lines,
			(unsigned long long)s->events,
			(unsigned long long)s->decoded,
			(unsigned long long)s->raw,
			(unsigned long long)s->alerts,
			(unsigned long long)s->rules_loaded,
			(long long)s->elapsed_us);
	return json_done(r);
}

static struct core_str inputs_json(struct run *r, char *const *in, int n)
{
	core_buf_reset(&r->json);
	core_buf_addc(&r->json, '[');
	for (int i = 0; i < n; i++) {
		if (i)
			core_buf_addc(&r->json, ',');
		json_str(r, in[i], strlen(in[i]));
	}
	core_buf_addc(&r->json, ']');
	return json_done(r);
}

static struct core_str group_json(struct run *r, const struct incident_alert *a)
{
	core_buf_reset(&r->json);
	core_buf_addc(&r->json, '{');
	for (unsigned i = 0; i < a->ngroup; i++) {
		if (i)
			core_buf_addc(&r->json, ',');
		json_str(r, a->group[i].field.p, a->group[i].field.len);
		core_buf_addc(&r->json, ':');
		json_str(r, a->group[i].value.p, a->group[i].value.len);
	}
	core_buf_addc(&r->json, '}');
	return json_done(r);
}

/* ---------------------------------------------------------- incidents */

/* The same attack in the same logs: title, strongest entity, start. */
static void fingerprint(const struct incident *inc, char out[17])
{
	uint64_t h = core_hash(inc->title.p, inc->title.len, 0x76696769);

	if (inc->nentities)
		h = core_hash(inc->entities[0].value.p,
			      inc->entities[0].value.len, h);
	h = core_hash(&inc->ts_first, sizeof(inc->ts_first), h);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Tactics, techniques and score parts, as three JSON texts in r->json. */
static void chain_json(struct run *r, const struct incident *inc,
		       size_t cut[2])
{
	const struct incident_score_parts *p = &inc->parts;

	core_buf_reset(&r->json);
	core_buf_addc(&r->json, '[');
	for (unsigned i = 0; i < inc->ntactics; i++) {
		if (i)
			core_buf_addc(&r->json, ',');
		json_str(r, inc->tactics[i], strlen(inc->tactics[i]));
	}
	core_buf_add(&r->json, "][", 2);
	cut[0] = r->json.len - 1;
	for (unsigned i = 0; i < inc->ntechniques; i++) {
		if (i)
			core_buf_addc(&r->json, ',');
		json_str(r, inc->techniques[i], strlen(inc->techniques[i]));
	}
	core_buf_addc(&r->json, ']');
	cut[1] = r->json.len;
	core_buf_printf(&r->json, "{\"base\":%u,\"chain\":%u,\"success\":%u,"
			"\"privesc\":%u,\"volume\":%u,\"ids\":%u}", p->base,
			p->chain, p->success, p->privesc, p->volume, p->ids);
}

static int put_incident(struct run *r, const struct incident *inc)
{
	struct store_incident si = { 0 };
	char fp[17];
	size_t cut[2];

	fingerprint(inc, fp);
	chain_json(r, inc, cut);
	if (!r->json.p)
		return core_fail(&r->err, CORE_E_NOMEM, NULL, 0,
				 "out of memory");
	si.run_id = r->run_id;
	si.rank = inc->id;
	si.fingerprint = core_str_make(fp, 16);
	si.title = inc->title;
	si.score = inc->score;
	si.severity = incident_severity_name(inc->severity);
	si.ts_first = inc->ts_first;
	si.ts_last = inc->ts_last;
	si.alerts = inc->alerts;
	si.records = inc->records;
	si.events = inc->events;
	si.tactics = core_str_make(r->json.p, cut[0]);
	si.techniques = core_str_make(r->json.p + cut[0], cut[1] - cut[0]);
	si.score_parts = core_str_make(r->json.p + cut[1],
				       r->json.len - cut[1]);
	si.explanation = inc->explanation;
	return store_incident_add(r->st, &si, &r->inc_ids[inc->id - 1],
				  &r->err);
}

static int put_incident_entities(struct run *r, const struct incident *inc)
{
	for (size_t i = 0; i < inc->nentities; i++) {
		const struct incident_entity *e = &inc->entities[i];
		int64_t id;
		int rc = entity(r, e->type, e->value, &id);

		if (rc == 0)
			rc = store_incident_entity(r->st,
						   r->inc_ids[inc->id - 1], id,
						   (unsigned)i, &r->err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The event reference of an evidence line: its record's sample, or new. */
static int evidence_ref(struct run *r, const struct incident_evidence *e,
			int64_t *ref)
{
	const struct incident_alert *a = incident_set_alert(r->set, e->record);
	struct store_event_ref er = { 0 };

	for (unsigned j = 0; a && j < a->nsample; j++) {
		if (a->sample[j].line == e->line &&
		    strcmp(a->sample[j].src, e->src) == 0) {
			*ref = r->sample_ids[(size_t)e->record *
					     INCIDENT_RECORD_SAMPLES + j];
			return 0;
		}
	}
	er.run_id = r->run_id;
	er.alert_id = a ? r->alert_ids[e->record] : 0;
	er.file = e->src;
	er.line = e->line;
	er.ts = e->ts;
	er.text = e->text;
	return store_event_ref_add(r->st, &er, ref, &r->err);
}

static int put_evidence(struct run *r, const struct incident *inc)
{
	for (size_t i = 0; i < inc->nevidence; i++) {
		const struct incident_evidence *e = &inc->evidence[i];
		struct store_evidence se = { 0 };
		int rc = evidence_ref(r, e, &se.event_ref_id);

		if (rc != 0)
			return rc;
		se.incident_id = r->inc_ids[inc->id - 1];
		se.rank = (unsigned)i;
		se.alert_id = incident_set_alert(r->set, e->record) ?
			r->alert_ids[e->record] : 0;
		se.file = e->src;
		se.line = e->line;
		se.ts = e->ts;
		se.text = e->text;
		se.rule_id = e->rule ? e->rule->id : "";
		se.rule_title = e->rule ? e->rule->title : "";
		rc = store_evidence_add(r->st, &se, &r->err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* -------------------------------------------------------------- alerts */

static int put_samples(struct run *r, size_t idx,
		       const struct incident_alert *a)
{
	for (unsigned j = 0; j < a->nsample; j++) {
		const struct incident_evidence *e = &a->sample[j];
		struct store_event_ref er = {
			.run_id = r->run_id, .alert_id = r->alert_ids[idx],
			.file = e->src, .line = e->line, .ts = e->ts,
			.text = e->text,
		};
		int rc = store_event_ref_add(r->st, &er,
					     &r->sample_ids[idx *
					     INCIDENT_RECORD_SAMPLES + j],
					     &r->err);

		if (rc != 0)
			return rc;
	}
	return 0;
}

static int put_alert(struct run *r, size_t idx,
		     const struct incident_alert *a)
{
	int64_t ents[INCIDENT_ENT__COUNT];
	struct store_alert sa = { 0 };
	int rc;

	for (int t = 0; t < INCIDENT_ENT__COUNT; t++) {
		if (!a->entity[t].len)
			continue;
		rc = entity(r, (enum incident_entity_type)t, a->entity[t],
			    &ents[sa.nentities]);
		if (rc != 0)
			return rc;
		sa.nentities++;
	}
	sa.run_id = r->run_id;
	sa.incident_id = a->incident && a->incident <=
		incident_set_count(r->set) ? r->inc_ids[a->incident - 1] : 0;
	sa.rule_id = a->rule->id;
	sa.rule_title = a->rule->title;
	sa.level = incident_severity_name(
		incident_severity_of_level(a->rule->level));
	sa.raised = a->raised;
	sa.events = a->events;
	sa.distinct = a->distinct;
	sa.ts_first = a->ts_first;
	sa.ts_last = a->ts_last;
	sa.group = group_json(r, a);
	sa.entities = ents;
	rc = store_alert_add(r->st, &sa, &r->alert_ids[idx], &r->err);
	return rc ? rc : put_samples(r, idx, a);
}

/* ---------------------------------------------------------------- run */

static int put_run(struct run *r, const struct cli_stats *st,
		   char *const *inputs, int ninputs)
{
	struct store_run sr = { 0 };
	int64_t now = core_time_now();
	char *in;
	int rc;

	sr.started = now - st->elapsed_us;
	sr.finished = now;
	sr.version = VIGIL_VERSION;
	sr.ts_first = st->ts_first;
	sr.ts_last = st->ts_last;
	sr.inputs = inputs_json(r, inputs, ninputs);
	in = sr.inputs.len ? strndup(sr.inputs.p, sr.inputs.len) : NULL;
	sr.inputs = core_str_make(in, in ? strlen(in) : 0);
	sr.stats = stats_json(r, st);
	rc = store_run_add(r->st, &sr, &r->run_id, &r->err);
	free(in);
	return rc;
}

/* The other observed entities, so that any can be investigated. */
static int put_observed(struct run *r)
{
	enum incident_entity_type t;
	const struct incident_counters *c;
	struct core_str v;
	int64_t id;

	for (size_t i = 0; incident_set_observed(r->set, i, &t, &v, &c);
	     i++) {
		int rc;

		if (r->observed_kept == RUN_MAX_OBSERVED) {
			r->observed_dropped++;
			continue;
		}
		rc = entity(r, t, v, &id);
		if (rc != 0)
			return rc;
		r->observed_kept++;
	}
	return 0;
}

_Static_assert(STORE_BASELINE_BINS == INCIDENT_DIST_BINS &&
	       STORE_BASELINE_TOP == INCIDENT_DIST_TOP,
	       "the store keeps the incident room's summary as it is");

static int put_baselines(struct run *r)
{
	static const enum incident_entity_type types[] = {
		INCIDENT_ENT_SOURCE_IP, INCIDENT_ENT_USER, INCIDENT_ENT_HOST,
		INCIDENT_ENT_USER_AGENT,
	};
	struct incident_distribution d[INCIDENT_CNT__COUNT];

	for (size_t i = 0; i < CORE_ARRAY_LEN(types); i++) {
		incident_set_distributions(r->set, types[i], d);
		for (int k = 0; k < INCIDENT_CNT__COUNT; k++) {
			struct store_baseline b = {
				.type = incident_entity_type_name(types[i]),
				.counter = incident_counter_name(
					(enum incident_counter_id)k),
				.population = d[k].population,
				.nonzero = d[k].nonzero, .mean = d[k].mean,
				.variance = d[k].variance, .max = d[k].max,
				.p50 = d[k].p50, .p90 = d[k].p90,
				.p99 = d[k].p99, .ntop = d[k].ntop,
			};
			int rc;

			if (!d[k].population)
				break;
			memcpy(b.bins, d[k].bins, sizeof(b.bins));
			memcpy(b.top, d[k].top, sizeof(b.top));
			rc = store_baseline_add(r->st, r->run_id, &b, &r->err);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

static int put_audit(struct run *r, size_t nalerts)
{
	const char *user = getenv("USER");
	struct store_audit a = { 0 };
	char object[40];

	snprintf(object, sizeof(object), "run:%lld", (long long)r->run_id);
	core_buf_reset(&r->json);
	core_buf_printf(&r->json, "{\"incidents\":%zu,\"alert_records\":%zu,"
			"\"observed_kept\":%zu,\"observed_not_kept\":%zu}",
			incident_set_count(r->set), nalerts, r->observed_kept,
			r->observed_dropped);
	a.actor = user && *user ? user : "vigil";
	a.action = "analyze";
	a.object = object;
	a.detail = json_done(r);
	return store_audit_append(r->st, &a, NULL, &r->err);
}

static int put_all(struct run *r, const struct cli_stats *st,
		   char *const *inputs, int ninputs)
{
	size_t ninc = incident_set_count(r->set);
	size_t nal = incident_set_alert_count(r->set);
	int rc = put_run(r, st, inputs, ninputs);

	for (size_t i = 0; rc == 0 && i < ninc; i++)
		rc = put_incident(r, incident_set_get(r->set, i));
	for (size_t i = 0; rc == 0 && i < nal; i++)
		rc = put_alert(r, i, incident_set_alert(r->set, i));
	for (size_t i = 0; rc == 0 && i < ninc; i++) {
		const struct incident *inc = incident_set_get(r->set, i);

		rc = put_incident_entities(r, inc);
		if (rc == 0)
			rc = put_evidence(r, inc);
	}
	rc = rc ? rc : put_observed(r);
	rc = rc ? rc : put_baselines(r);
	return rc ? rc : put_audit(r, nal);
}

static void run_free(struct run *r)
{
	free(r->inc_ids);
	free(r->alert_ids);
	free(r->sample_ids);
	free(r->counted.slots);
	core_buf_free(&r->json);
	store_close(r->st);
}

int cli_store_run(const char *path, const struct cli_stats *st,
		  const struct incident_set *set, char *const *inputs,
		  int ninputs, bool quiet, struct cli_stored *out)
{
	size_t ninc = incident_set_count(set);
	size_t nal = incident_set_alert_count(set);
	struct run r = { .set = set };
	char msg[1024];
	int rc;

	core_buf_init(&r.json, 1u << 20);
	r.inc_ids = calloc(ninc + 1, sizeof(*r.inc_ids));
	r.alert_ids = calloc(nal + 1, sizeof(*r.alert_ids));
	r.sample_ids = calloc((nal + 1) * INCIDENT_RECORD_SAMPLES,
			      sizeof(*r.sample_ids));
	if (!r.inc_ids || !r.alert_ids || !r.sample_ids) {
		rc = core_fail(&r.err, CORE_E_NOMEM, path, 0, "out of memory");
		goto fail;
	}
	rc = store_open(path, NULL, &r.st, &r.err);
	if (rc == 0)
		rc = store_begin(r.st, &r.err);
	if (rc == 0 && (rc = put_all(&r, st, inputs, ninputs)) != 0)
		store_rollback(r.st);
	if (rc == 0)
		rc = store_commit(r.st, &r.err);
	if (rc != 0)
		goto fail;
	if (!quiet && ninc)
		fprintf(stderr, "vigil: stored run %lld in %s: incidents "
			"%lld..%lld (vigil show %lld)\n", (long long)r.run_id,
			path, (long long)r.inc_ids[0],
			(long long)r.inc_ids[ninc - 1],
			(long long)r.inc_ids[0]);
	else if (!quiet)
		fprintf(stderr, "vigil: stored run %lld in %s: no incidents\n",
			(long long)r.run_id, path);
	if (out != NULL) {
		out->run = r.run_id;
		out->incident = r.inc_ids;
		r.inc_ids = NULL;
	}
	run_free(&r);
	return 0;

fail:
	core_error_format(&r.err, msg, sizeof(msg));
	fprintf(stderr, "vigil: the run was not stored: %s\n", msg);
	run_free(&r);
	return 1;
}

/* ------------------------------------------------------------ reading */

int cli_store_open(const char *cmd, const char *path, struct store **out)
{
	struct store_options o = { .flags = STORE_O_NOCREATE };
	struct core_error err = { 0 };
	char def[1024], msg[1200];

	if (!path) {
		if (store_default_path(def, sizeof(def)) != 0) {
			fprintf(stderr, "vigil %s: no store path: give "
				"--store PATH or set HOME\n", cmd);
			return 1;
		}
		path = def;
	}
	if (store_open(path, &o, out, &err) != 0) {
		core_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "vigil %s: %s\n", cmd, msg);
		return 1;
	}
	return 0;
}

int cli_store_format(const char *name)
{
	if (strcmp(name, "text") == 0)
		return CLI_OUT_TEXT;
	if (strcmp(name, "json") == 0)
		return CLI_OUT_JSON;
	if (strcmp(name, "md") == 0 || strcmp(name, "markdown") == 0)
		return CLI_OUT_MD;
	return -1;
}

int cli_store_parse_id(const char *cmd, const char *s, int64_t *out)
{
	uint64_t v;

	/* '#12' as the text report prints it is accepted too. */
	if (s[0] == '#')
		s++;
	if (!core_str_to_u64(core_str_make(s, strlen(s)), &v) || v == 0 ||
	    v > (1ULL << 53)) {
		fprintf(stderr, "vigil %s: '%s' is not an incident id (a "
			"number, as `vigil analyze --store` printed)\n", cmd,
			s);
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}
