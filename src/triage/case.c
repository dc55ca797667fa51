/*
 * case.c: an incident as triage sees it, read from the store's incident
 * document (store_query_incident, docs/store.md).
 *
 * The document is kept parsed as it is; the few figures every step needs
 * (id, score, strongest rule level) are taken out once.  Nothing here
 * trusts the document's strings: they are log data and stay data.
 */
#include "triage/triage_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const level_names[] = {
	"informational", "low", "medium", "high", "critical",
};

int triage_level_of(const char *name)
{
	for (int i = 0; i < 5; i++)
		if (name && !strcmp(name, level_names[i]))
			return i;
	return -1;
}

static int max_level(const cJSON *doc)
{
	const cJSON *a;
	int best = triage_level_of(cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(doc, "severity")));

	/* The incident's severity counts too, but a rule hit decides. */
	best = best > 2 ? 2 : best;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(
			      doc, "alert_records")) {
		int l = triage_level_of(cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(a, "level")));

		if (l > best)
			best = l;
	}
	return best < 0 ? 0 : best;
}

int triage_case_parse(const char *json, size_t len, struct triage_case **out,
		      struct core_error *err)
{
	struct triage_case *c;
	cJSON *doc = cJSON_ParseWithLength(json, len);
	const cJSON *id, *score;

	*out = NULL;
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return core_fail(err, CORE_E_PARSE, NULL, 0,
				 "incident document is not a JSON object");
	}
	id = cJSON_GetObjectItemCaseSensitive(doc, "id");
	score = cJSON_GetObjectItemCaseSensitive(doc, "score");
	if (!cJSON_IsNumber(id) || !cJSON_IsNumber(score)) {
		cJSON_Delete(doc);
		return core_fail(err, CORE_E_PARSE, NULL, 0,
				 "incident document without id or score");
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		cJSON_Delete(doc);
		return CORE_E_NOMEM;
	}
	c->doc = doc;
	c->id = (int64_t)id->valuedouble;
	c->score = score->valuedouble < 0 ? 0 :
		   score->valuedouble > 100 ? 100 :
		   (unsigned)score->valuedouble;
	c->max_level = max_level(doc);
	*out = c;
	return 0;
}

int triage_case_load(struct store *st, int64_t id, struct triage_case **out,
		     struct core_error *err)
{
	struct store_query q = { .max_bytes = 8u << 20 };
	struct core_buf b;
	int rc;

	core_buf_init(&b, 16u << 20);
	rc = store_query_incident(st, id, &q, &b, err);
	if (rc == 0)
		rc = triage_case_parse(b.p, b.len, out, err);
	core_buf_free(&b);
	return rc;
}

void triage_case_free(struct triage_case *c)
{
	if (!c)
		return;
	cJSON_Delete(c->doc);
	free(c);
}

int64_t triage_case_id(const struct triage_case *c)
{
	return c->id;
}

unsigned triage_case_score(const struct triage_case *c)
{
	return c->score;
}

int triage_case_max_level(const struct triage_case *c)
{
	return c->max_level;
}

static const char *str_or_empty(const cJSON *o, const char *k)
{
	const char *s = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(o, k));

	return s ? s : "";
}

const char *triage_case_title(const struct triage_case *c)
{
	return str_or_empty(c->doc, "title");
}

const char *triage_case_explanation(const struct triage_case *c)
{
	return str_or_empty(c->doc, "explanation");
}

const char *triage_verdict_name(enum triage_verdict v)
{
	static const char *const names[] = { "false_positive", "benign",
					     "suspicious", "malicious" };

	return (unsigned)v < 4 ? names[v] : "unknown";
}

int triage_verdict_lookup(const char *name)
{
	if (!name)
		return -1;
	if (!strcmp(name, "false-positive") || !strcmp(name, "false_positive"))
		return TRIAGE_FALSE_POSITIVE;
	if (!strcmp(name, "benign"))
		return TRIAGE_BENIGN;
	if (!strcmp(name, "suspicious"))
		return TRIAGE_SUSPICIOUS;
	if (!strcmp(name, "malicious"))
		return TRIAGE_MALICIOUS;
	return -1;
}
