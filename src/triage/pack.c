/*
 * pack.c: the evidence pack, the only view of an incident a model gets.
 *
 * A JSON document: the incident's figures, its ATT&CK tactics and
 * techniques, the rules that fired (strongest first), entities with
 * their counters, a short timeline of alert records, the strongest
 * evidence lines (each with an id L1..Ln the answer must cite), the
 * entities' history when the caller has it, and the deterministic
 * verdict.  Every string that came from a log is attacker-controlled:
 * it is screened (triage_guard_suspect) and withheld when it reads like
 * an instruction, then pseudonymised (or only scrubbed of secrets when
 * the policy is "off"), cut, and JSON-escaped, so it can never leave its
 * quotes.
 *
 * Bounded: the pack is built with generous limits, then rebuilt with
 * fewer items and shorter texts until llm_token_estimate() says it fits
 * TRIAGE_PACK_TOKENS, so a 100,000-event incident costs what a small one
 * does.  Items left out are counted in the pack ("omitted").
 */
#include "triage/triage_int.h"

#include <stdio.h>
#include <string.h>

/* The limits of one build; shrink() tightens them. */
struct limits {
	unsigned evidence, entities, timeline, rules, text;
	bool history;
};

struct build {
	const struct triage_case *c;
	struct llm_pseudo *p;
	struct core_buf *out;
	struct limits lim;
	struct triage_pack_info *info;
	struct core_buf tmp;
	int rc;
};

int triage_entity_kind(const char *type)
{
	if (!type)
		return -1;
	if (!strcmp(type, "source.ip") || !strcmp(type, "destination.ip"))
		return LLM_PK_IP;
	if (!strcmp(type, "user.name") || !strcmp(type, "user.target.name") ||
	    !strcmp(type, "user.effective.name"))
		return LLM_PK_USER;
	if (!strcmp(type, "host.name") || !strcmp(type, "source.address"))
		return LLM_PK_HOST;
	if (!strcmp(type, "source.domain"))
		return LLM_PK_DOMAIN;
	return -1;
}

static void raw(struct build *b, const char *s)
{
	if (b->rc == 0)
		b->rc = core_buf_add(b->out, s, strlen(s));
}

/* Cuts at most n bytes on a UTF-8 boundary. */
static size_t cut(const char *s, size_t len, size_t n)
{
	if (len <= n)
		return len;
	while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* A string vigil wrote itself (rule ids, levels): quoted only. */
static void own_str(struct build *b, const char *s)
{
	raw(b, "\"");
	if (b->rc == 0 && s)
		b->rc = core_buf_add_json(b->out, s, strlen(s));
	raw(b, "\"");
}

/* A number; a missing one (NaN from cJSON) is 0. */
static void num(struct build *b, double v)
{
	if (!(v == v) || v > 1e15 || v < -1e15)
		v = 0;
	if (b->rc == 0)
		b->rc = core_buf_printf(b->out, "%.0f", v);
}

/*
 * A log-derived string: screened, pseudonymised, cut, quoted.  prose:
 * vigil wrote it (a title), so no log layout is read into it.
 */
static void any_str(struct build *b, const char *s, size_t cap, bool prose)
{
	size_t len = s ? strlen(s) : 0, n;

	if (b->rc)
		return;
	if (len && triage_guard_suspect(s, len)) {
		b->info->flagged++;
		own_str(b, TRIAGE_WITHHELD);
		return;
	}
	core_buf_reset(&b->tmp);
	if (!b->p)
		b->rc = llm_pseudo_scrub(s ? s : "", len, &b->tmp);
	else if (prose)
		b->rc = llm_pseudo_prose(b->p, s ? s : "", len, &b->tmp);
	else
		b->rc = llm_pseudo_text(b->p, s ? s : "", len, &b->tmp);
	if (b->rc)
		return;
	n = cut(b->tmp.p ? b->tmp.p : "", b->tmp.len, cap);
	raw(b, "\"");
	if (b->rc == 0)
		b->rc = core_buf_add_json(b->out, b->tmp.p ? b->tmp.p : "", n);
	raw(b, n < b->tmp.len ? "...\"" : "\"");
}

static void data_str(struct build *b, const char *s, size_t cap)
{
	any_str(b, s, cap, false);
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *gets_(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(get(o, k));
}

/* An entity value: a whole token when its kind is known. */
static void entity_value(struct build *b, const char *type, const char *v)
{
	int kind = triage_entity_kind(type);

	if (!b->p || kind < 0 || !v || !*v) {
		data_str(b, v, 160);
		return;
	}
	core_buf_reset(&b->tmp);
	b->rc = b->rc ? b->rc : llm_pseudo_token(b->p, kind, v, strlen(v),
						 &b->tmp);
	own_str(b, core_buf_cstr(&b->tmp));
}

static void register_one(struct build *b, const cJSON *e)
{
	const char *v = gets_(e, "value"), *type = gets_(e, "type");
	int kind = triage_entity_kind(type);

	if (!v || !*v)
		return;
	if (kind >= 0)
		llm_pseudo_register(b->p, kind, v, strlen(v));
	else if (type && !strncmp(type, "url.", 4))
		llm_pseudo_learn(b->p, v, strlen(v));
}

/*
 * Before anything is written: the incident's and its alerts' entities
 * are registered, and every evidence line is read once, so that a name
 * known anywhere is replaced everywhere (in a URL, a command line, a
 * JSON value, a title).
 */
static void register_entities(struct build *b)
{
	const cJSON *e, *a;

	if (!b->p)
		return;
	cJSON_ArrayForEach(e, get(b->c->doc, "entities"))
		register_one(b, e);
	cJSON_ArrayForEach(a, get(b->c->doc, "alert_records"))
		cJSON_ArrayForEach(e, get(a, "entities"))
			register_one(b, e);
	cJSON_ArrayForEach(e, get(b->c->doc, "evidence")) {
		const char *t = gets_(e, "text");

		if (t)
			llm_pseudo_learn(b->p, t, strlen(t));
	}
}

/* A JSON array of strings vigil derived (tactics, techniques). */
static void own_list(struct build *b, const cJSON *a, int max)
{
	const cJSON *x;
	int n = 0;

	raw(b, "[");
	cJSON_ArrayForEach(x, a) {
		if (!cJSON_IsString(x) || n == max)
			continue;
		if (n++)
			raw(b, ",");
		data_str(b, x->valuestring, 40);
	}
	raw(b, "]");
}

/* ------------------------------------------------------------- sections */

static void head(struct build *b)
{
	const cJSON *d = b->c->doc;

	raw(b, "{\"incident\":{\"title\":");
	any_str(b, gets_(d, "title"), 200, true);
	raw(b, ",\"score\":");
	num(b, b->c->score);
	raw(b, ",\"severity\":");
	own_str(b, gets_(d, "severity"));
	raw(b, ",\"first\":");
	own_str(b, gets_(d, "ts_first"));
	raw(b, ",\"last\":");
	own_str(b, gets_(d, "ts_last"));
	raw(b, ",\"alerts\":");
	num(b, cJSON_GetNumberValue(get(d, "alerts")));
	raw(b, ",\"events\":");
	num(b, cJSON_GetNumberValue(get(d, "events")));
	raw(b, "},\"attack\":{\"tactics\":");
	own_list(b, get(d, "tactics"), 16);	/* tactics vigil knows */
	raw(b, ",\"techniques\":");
	own_list(b, get(d, "techniques"), 24);
	raw(b, "}");
}

/* Rules, strongest level first, one row per rule id. */
static void rules(struct build *b)
{
	const cJSON *a, *alerts = get(b->c->doc, "alert_records");
	const char *seen[TRIAGE_MAX_RULES];
	unsigned n = 0, total = 0;

	raw(b, ",\"rules\":[");
	for (int lvl = 4; lvl >= 0; lvl--) {
		cJSON_ArrayForEach(a, alerts) {
			const char *id = gets_(a, "rule_id");
			bool dup = false;

			if (triage_level_of(gets_(a, "level")) != lvl)
				continue;
			for (unsigned i = 0; i < n && !dup; i++)
				dup = id && seen[i] && !strcmp(seen[i], id);
			if (dup)
				continue;
			total++;
			if (n == b->lim.rules || n == TRIAGE_MAX_RULES)
				continue;
			seen[n] = id;
			raw(b, n++ ? ",{\"id\":" : "{\"id\":");
			data_str(b, id, 64);
			raw(b, ",\"title\":");
			any_str(b, gets_(a, "rule_title"), 100, true);
			raw(b, ",\"level\":");
			own_str(b, gets_(a, "level"));
			raw(b, "}");
		}
	}
	raw(b, "]");
	b->info->dropped += total - n;
}

static void counters(struct build *b, const cJSON *e)
{
	static const char *const names[] = {
		"events", "login_failures", "login_successes",
		"invalid_users", "pam_failures", "privileged", "requests",
		"http_4xx", "http_5xx", "ids_alerts", "distinct_users",
		"distinct_sources",
	};

	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++) {
		const cJSON *v = get(e, names[i]);

		if (!cJSON_IsNumber(v) || v->valuedouble == 0)
			continue;
		raw(b, ",\"");
		raw(b, names[i]);
		raw(b, "\":");
		num(b, v->valuedouble);
	}
}

static void entities(struct build *b)
{
	const cJSON *e;
	unsigned n = 0, total = 0;

	raw(b, ",\"entities\":[");
	cJSON_ArrayForEach(e, get(b->c->doc, "entities")) {
		total++;
		if (n == b->lim.entities)
			continue;
		raw(b, n++ ? ",{\"type\":" : "{\"type\":");
		own_str(b, gets_(e, "type"));
		raw(b, ",\"value\":");
		entity_value(b, gets_(e, "type"), gets_(e, "value"));
		counters(b, e);
		raw(b, "}");
	}
	raw(b, "]");
	b->info->entities = n;
	b->info->dropped += total - n;
}

static void timeline(struct build *b)
{
	const cJSON *a;
	unsigned n = 0, total = 0;

	raw(b, ",\"timeline\":[");
	cJSON_ArrayForEach(a, get(b->c->doc, "alert_records")) {
		total++;
		if (n == b->lim.timeline)
			continue;
		raw(b, n++ ? ",{\"first\":" : "{\"first\":");
		own_str(b, gets_(a, "ts_first"));
		raw(b, ",\"rule\":");
		data_str(b, gets_(a, "rule_id"), 64);
		raw(b, ",\"raised\":");
		num(b, cJSON_GetNumberValue(get(a, "raised")));
		raw(b, "}");
	}
	raw(b, "]");
	b->info->dropped += total - n;
}

/* The file's last path component: directories may name people. */
static const char *base(const char *f)
{
	const char *s = f ? strrchr(f, '/') : NULL;

	return s ? s + 1 : f ? f : "";
}

static void evidence(struct build *b)
{
	const cJSON *e;
	unsigned n = 0, total = 0;
	char at[300];

	raw(b, ",\"evidence\":[");
	cJSON_ArrayForEach(e, get(b->c->doc, "evidence")) {
		total++;
		if (n == b->lim.evidence || n == TRIAGE_MAX_EVIDENCE)
			continue;
		if (b->rc == 0)
			b->rc = core_buf_printf(b->out, "%s{\"id\":\"L%u\","
						"\"at\":", n ? "," : "", n + 1);
		n++;
		snprintf(at, sizeof(at), "%.200s:%.0f", base(gets_(e, "file")),
			 cJSON_GetNumberValue(get(e, "line")));
		data_str(b, at, 220);
		raw(b, ",\"rule\":");
		data_str(b, gets_(e, "rule_id"), 64);
		raw(b, ",\"text\":");
		data_str(b, gets_(e, "text"), b->lim.text);
		raw(b, "}");
	}
	raw(b, "]");
	b->info->evidence = n;
	b->info->ids = n;
	b->info->dropped += total - n;
}

static void tail(struct build *b, const char *history)
{
	enum triage_verdict v = triage_deterministic_verdict(
		b->c->score, b->c->max_level);

	if (history && b->lim.history) {
		raw(b, ",\"history\":");
		data_str(b, history, 1200);
	}
	raw(b, ",\"deterministic\":{\"verdict\":");
	own_str(b, triage_verdict_name(v));
	raw(b, ",\"strongest_rule_level\":");
	num(b, b->c->max_level);
	if (b->rc == 0)
		b->rc = core_buf_printf(b->out, "},\"omitted\":%u,"
					"\"withheld\":%u}", b->info->dropped,
					b->info->flagged);
}

static int build_once(struct build *b, const char *history)
{
	size_t start = b->out->len;

	memset(b->info, 0, sizeof(*b->info));
	b->rc = 0;
	head(b);
	rules(b);
	entities(b);
	timeline(b);
	evidence(b);
	tail(b, history);
	b->info->bytes = b->out->len - start;
	b->info->tokens = b->rc ? 0 : llm_token_estimate(b->out->p + start,
							 b->info->bytes);
	return b->rc;
}

/* Tightens the limits one step; false when nothing is left to cut. */
static bool shrink(struct limits *l)
{
	if (l->history) {
		l->history = false;
		return true;
	}
	if (l->text > 160) {
		l->text -= 40;
		return true;
	}
	if (l->timeline > 4 || l->entities > 6 || l->evidence > 4 ||
	    l->rules > 4) {
		l->timeline = l->timeline > 4 ? l->timeline - 2 : l->timeline;
		l->entities = l->entities > 6 ? l->entities - 2 : l->entities;
		l->evidence = l->evidence > 4 ? l->evidence - 1 : l->evidence;
		l->rules = l->rules > 4 ? l->rules - 2 : l->rules;
		return true;
	}
	if (l->text > 80) {
		l->text -= 20;
		return true;
	}
	return false;
}

int triage_pack_build(const struct triage_case *c, struct llm_pseudo *p,
		      const char *history, struct core_buf *out,
		      struct triage_pack_info *info)
{
	struct triage_pack_info dummy;
	struct build b = {
		.c = c, .p = p, .out = out, .info = info ? info : &dummy,
		.lim = { 12, 16, 10, 10, 280, true },
	};
	size_t start = out->len;
	int rc;

	core_buf_init(&b.tmp, 1u << 20);
	register_entities(&b);
	for (;;) {
		rc = build_once(&b, history);
		if (rc || b.info->tokens <= TRIAGE_PACK_TOKENS ||
		    !shrink(&b.lim))
			break;
		out->len = start;
	}
	core_buf_free(&b.tmp);
	return rc;
}
