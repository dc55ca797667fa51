/*
 * schema.c: vigil's own check of structured output against a JSON
 * Schema.
 *
 * Servers that accept response_format json_schema usually honour it, but
 * not all do, some ignore it silently, and a hostile or broken model may
 * answer anything: every answer is validated here either way.  Only the
 * keywords vigil's schemas use are implemented (see llm.h); a keyword
 * the validator does not know is ignored, so the schemas must stay
 * within the subset (unit tests hold them to it).  Depth is capped so a
 * deeply nested answer cannot exhaust the stack.
 */
#include "llm/llm.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 16

struct ctx {
	char path[160];
	struct core_error *err;
};

static int violation(struct ctx *c, const char *what)
{
	return core_fail(c->err, CORE_E_PARSE, NULL, 0, "%s: %s",
			 c->path[0] ? c->path : "$", what);
}

static bool type_ok(const cJSON *v, const char *t)
{
	if (!strcmp(t, "object"))
		return cJSON_IsObject(v);
	if (!strcmp(t, "array"))
		return cJSON_IsArray(v);
	if (!strcmp(t, "string"))
		return cJSON_IsString(v);
	if (!strcmp(t, "boolean"))
		return cJSON_IsBool(v);
	if (!strcmp(t, "null"))
		return cJSON_IsNull(v);
	if (!strcmp(t, "number"))
		return cJSON_IsNumber(v) && isfinite(v->valuedouble);
	if (!strcmp(t, "integer"))
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
		       floor(v->valuedouble) == v->valuedouble;
	return true;
}

static bool in_enum(const cJSON *v, const cJSON *e)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, e)
		if (cJSON_Compare(v, x, true))
			return true;
	return false;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int check(struct ctx *c, const cJSON *s, const cJSON *v, int depth);

static int check_object(struct ctx *c, const cJSON *s, const cJSON *v,
			int depth)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(
		s, "additionalProperties");
	const cJSON *x;
	size_t plen = strlen(c->path);
	int rc;

	cJSON_ArrayForEach(x, req) {
		if (cJSON_IsString(x) &&
		    !cJSON_GetObjectItemCaseSensitive(v, x->valuestring)) {
			char m[96];

			snprintf(m, sizeof(m), "missing required '%.60s'",
				 x->valuestring);
			return violation(c, m);
		}
	}
	cJSON_ArrayForEach(x, v) {
		const cJSON *ps = cJSON_GetObjectItemCaseSensitive(props,
								   x->string);

		snprintf(c->path + plen, sizeof(c->path) - plen, ".%.40s",
			 x->string);
		if (!ps && cJSON_IsFalse(extra))
			return violation(c, "property not allowed");
		if (ps && (rc = check(c, ps, x, depth + 1)) != 0)
			return rc;
		c->path[plen] = '\0';
	}
	return 0;
}

static int check_array(struct ctx *c, const cJSON *s, const cJSON *v,
		       int depth)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
	const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minItems");
	const cJSON *mx = cJSON_GetObjectItemCaseSensitive(s, "maxItems");
	int n = cJSON_GetArraySize(v), i = 0, rc;
	size_t plen = strlen(c->path);
	const cJSON *x;

	if (cJSON_IsNumber(mn) && n < mn->valuedouble)
		return violation(c, "too few items");
	if (cJSON_IsNumber(mx) && n > mx->valuedouble)
		return violation(c, "too many items");
	if (!cJSON_IsObject(items))
		return 0;
	cJSON_ArrayForEach(x, v) {
		snprintf(c->path + plen, sizeof(c->path) - plen, "[%d]", i++);
		if ((rc = check(c, items, x, depth + 1)) != 0)
			return rc;
		c->path[plen] = '\0';
	}
	return 0;
}

static int check_scalar(struct ctx *c, const cJSON *s, const cJSON *v)
{
	const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minimum");
	const cJSON *mx = cJSON_GetObjectItemCaseSensitive(s, "maximum");
	const cJSON *ml = cJSON_GetObjectItemCaseSensitive(s, "minLength");
	const cJSON *xl = cJSON_GetObjectItemCaseSensitive(s, "maxLength");

	if (cJSON_IsNumber(v)) {
		if (cJSON_IsNumber(mn) && v->valuedouble < mn->valuedouble)
			return violation(c, "below minimum");
		if (cJSON_IsNumber(mx) && v->valuedouble > mx->valuedouble)
			return violation(c, "above maximum");
	}
	if (cJSON_IsString(v)) {
		size_t n = utf8_chars(v->valuestring);

		if (cJSON_IsNumber(ml) && (double)n < ml->valuedouble)
			return violation(c, "string too short");
		if (cJSON_IsNumber(xl) && (double)n > xl->valuedouble)
			return violation(c, "string too long");
	}
	return 0;
}

static int check(struct ctx *c, const cJSON *s, const cJSON *v, int depth)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "type");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(s, "enum");

	if (depth > MAX_DEPTH)
		return violation(c, "nested too deeply");
	if (cJSON_IsString(t) && !type_ok(v, t->valuestring)) {
		char m[64];

		snprintf(m, sizeof(m), "expected %s", t->valuestring);
		return violation(c, m);
	}
	if (cJSON_IsArray(e) && !in_enum(v, e))
		return violation(c, "value not in enum");
	if (cJSON_IsObject(v))
		return check_object(c, s, v, depth);
	if (cJSON_IsArray(v))
		return check_array(c, s, v, depth);
	return check_scalar(c, s, v);
}

int llm_schema_validate(const char *schema, const char *json, size_t len,
			struct core_error *err)
{
	struct ctx c = { .path = "$", .err = err };
	cJSON *s = cJSON_Parse(schema);
	cJSON *v;
	int rc;

	if (!s)
		return core_fail(err, CORE_E_INVAL, NULL, 0,
				 "schema is not JSON");
	v = cJSON_ParseWithLength(json, len);
	if (!v) {
		cJSON_Delete(s);
		return core_fail(err, CORE_E_PARSE, NULL, 0,
				 "answer is not valid JSON");
	}
	rc = check(&c, s, v, 0);
	cJSON_Delete(v);
	cJSON_Delete(s);
	return rc;
}
