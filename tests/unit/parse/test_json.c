/*
 * test_json.c: the JSON tokenizer, checked against cJSON as an oracle:
 * every scalar leaf of every object must have the same dotted name and
 * the same (unescaped) value as cJSON finds.  Malformed input must be
 * rejected without reading out of bounds.
 */
#include "parse_test.h"

#include <cjson/cJSON.h>

#define MAX_LEAVES 512

struct leaves {
	size_t n;
	char name[MAX_LEAVES][PARSE_JSON_NAME_MAX];
	struct core_str value[MAX_LEAVES];
	enum parse_json_type type[MAX_LEAVES];
};

static void collect(void *ud, struct core_str name, enum parse_json_type type,
		    struct core_str value, unsigned flags)
{
	struct leaves *l = ud;

	if ((flags & PARSE_JSON_IN_ARRAY) || type == PARSE_JSON_ARRAY ||
	    l->n >= MAX_LEAVES)
		return;
	snprintf(l->name[l->n], PARSE_JSON_NAME_MAX, "%.*s", (int)name.len,
		 name.p);
	l->value[l->n] = value;
	l->type[l->n] = type;
	l->n++;
}

/* Checks cJSON's leaf at path against ours, by position (same order). */
static void oracle_walk(const cJSON *o, char *path, size_t plen,
			const struct leaves *l, size_t *at, const char *line)
{
	for (const cJSON *c = o->child; c; c = c->next) {
		size_t n = plen;

		if (plen)
			path[n++] = '.';
		snprintf(path + n, PARSE_JSON_NAME_MAX - n, "%s", c->string);
		if (cJSON_IsObject(c)) {
			oracle_walk(c, path, strlen(path), l, at, line);
		} else if (!cJSON_IsArray(c)) {
			if (*at >= l->n)
				fail_msg("%s: missing leaf %s", line, path);
			assert_string_equal(l->name[*at], path);
			if (cJSON_IsString(c)) {
				assert_int_equal(l->value[*at].len,
						 strlen(c->valuestring));
				assert_memory_equal(l->value[*at].p,
						    c->valuestring,
						    l->value[*at].len);
			} else if (cJSON_IsNumber(c)) {
				char num[128];

				snprintf(num, sizeof(num), "%.*s",
					 (int)l->value[*at].len,
					 l->value[*at].p);
				assert_true(strtod(num, NULL) ==
					    c->valuedouble);
			}
			(*at)++;
		}
		path[plen] = '\0';
	}
}

static void check_line(const char *line, struct core_arena *arena)
{
	static struct leaves l;
	char path[PARSE_JSON_NAME_MAX] = "";
	cJSON *doc;
	size_t at = 0;
	int rc;

	l.n = 0;
	core_arena_reset(arena);
	rc = parse_json_walk(line, strlen(line), arena, collect, &l);
	doc = cJSON_Parse(line);
	if (!doc || !cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		assert_int_not_equal(rc, 0);
		return;
	}
	assert_int_equal(rc, 0);
	oracle_walk(doc, path, 0, &l, &at, line);
	assert_int_equal(at, l.n);
	cJSON_Delete(doc);
}

static const char *const good[] = {
	"{}",
	"{\"a\":1}",
	" {\"a\" : \"b\" , \"c\":[1,2,{\"d\":3}], \"e\":{\"f\":{\"g\":null}}} ",
	"{\"esc\":\"q\\\"b\\\\s\\/n\\nt\\tr\\rb\\bf\\f\"}",
	"{\"u\":\"\\u00e9\\u4e2d\\u0041\"}",
	"{\"pair\":\"\\ud83d\\ude00 smile\"}",
	"{\"k\\u0065y\":\"v\"}",
	"{\"n\":-0.5e+10,\"m\":0,\"o\":12345678901234567890,\"p\":1E-3}",
	"{\"t\":true,\"f\":false,\"z\":null}",
	"{\"deep\":{\"a\":{\"b\":{\"c\":{\"d\":\"e\"}}}}}",
	"{\"utf8\":\"caf\xc3\xa9 \xe2\x82\xac\"}",
	"{\"arr\":[],\"obj\":{},\"s\":\"\"}",
	"{\"a\":\"x\"}\r",
};

static const char *const bad[] = {
	"", "{", "}", "[1,2]", "\"str\"", "{\"a\"}", "{\"a\":}",
	"{\"a\":1,}", "{\"a\":1 \"b\":2}", "{\"a\":tru}", "{\"a\":nul}",
	"{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}",
	"{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"unterminated}",
	"{\"a\":[1,2}", "{\"a\":{\"b\":1}", "{a:1}", "{\"a\":1} x",
	"{\"a\":\"tab\there\"}", "{\"a\":'x'}",
};

static void test_json_oracle_rows(void **state)
{
	struct core_arena *arena = core_arena_new(0);

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(good); i++)
		check_line(good[i], arena);
	for (size_t i = 0; i < CORE_ARRAY_LEN(bad); i++) {
		assert_int_not_equal(parse_json_walk(bad[i], strlen(bad[i]),
						     arena, NULL, NULL), 0);
	}
	core_arena_free(arena);
}

static void test_json_oracle_cowrie(void **state)
{
	const char *path = TEST_DATASETS "/logs/cowrie/cowrie.json.2018-05-17";
	struct core_arena *arena = core_arena_new(0);
	static char line[1 << 16];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	(void)state;
	if (!f) {
		printf("SKIP: dataset absent at %s\n", path);
		core_arena_free(arena);
		skip();
	}
	while (n < 3000 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		check_line(line, arena);
		n++;
	}
	fclose(f);
	core_arena_free(arena);
	assert_true(n > 100);
}

static void test_json_depth_limit(void **state)
{
	char buf[256];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(buf, sizeof(buf), "{\"a\":");
	for (int i = 0; i < 40; i++)
		buf[n++] = '[';
	for (int i = 0; i < 40; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	assert_int_not_equal(parse_json_walk(buf, n, NULL, NULL, NULL), 0);
}

static void test_json_lone_surrogate(void **state)
{
	static const char line[] = "{\"a\":\"x\\ud800y\"}";
	struct core_arena *arena = core_arena_new(0);
	static struct leaves l;

	(void)state;
	l.n = 0;
	assert_int_equal(parse_json_walk(line, sizeof(line) - 1, arena,
					 collect, &l), 0);
	assert_int_equal(l.n, 1);
	assert_true(core_str_eq_lit(l.value[0], "x\xef\xbf\xbdy"));
	core_arena_free(arena);
}

static void test_json_bytes_and_epoch(void **state)
{
	struct core_arena *arena = core_arena_new(0);
	struct core_str out;
	int64_t ts;

	(void)state;
	assert_true(parse_json_bytes(CORE_STR("[104, 105,0,255]"), arena,
				     &out));
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.p, "hi\0\xff", 4);
	assert_false(parse_json_bytes(CORE_STR("[256]"), arena, &out));
	assert_false(parse_json_bytes(CORE_STR("[\"a\"]"), arena, &out));
	assert_true(parse_epoch_seconds(CORE_STR("1526515232.265120"), &ts));
	assert_int_equal(ts, 1526515232265120LL);
	assert_false(parse_epoch_seconds(CORE_STR("99999999999999"), &ts));
	assert_false(parse_epoch_seconds(CORE_STR("1.2.3"), &ts));
	core_arena_free(arena);
}

/* Arrays of strings decoded and joined (parse_json_strings). */
static const struct srow {
	const char *json;
	const char *want;	/* NULL: refused */
} srows[] = {
	{ "[\"a\", \"b\"]", "a|b" },
	{ "[ \"C:\\\\x\" ,\"t\\tab\", \"\\u00e9\" ]", "C:\\x|t\tab|\xc3\xa9" },
	{ "[]", "" },
	{ "[\"\"]", "" },
	{ "[\"a\",1]", NULL },
	{ "[\"a\"", NULL },
	{ "[\"a\" \"b\"]", NULL },
	{ "\"a\"", NULL },
	{ "[\"a\\", NULL },
	{ "[\"\",\"b\"]", "|b" },
	{ "[\"a\",]", NULL },
	{ "[\"a\"] junk", NULL },
	{ "[\"a\"]]", NULL },
	{ "[\"a\"] ", "a" },
	{ "[,\"a\"]", NULL },
};

static void test_json_strings(void **state)
{
	struct core_arena *arena = core_arena_new(4096);
	struct core_str out;

	(void)state;
	for (size_t i = 0; i < sizeof(srows) / sizeof(srows[0]); i++) {
		bool ok = parse_json_strings(core_str_make(srows[i].json,
					     strlen(srows[i].json)), arena, '|',
					     &out);

		if (srows[i].want == NULL ? ok :
		    !ok || out.len != strlen(srows[i].want) ||
		    memcmp(out.p, srows[i].want, out.len) != 0)
			fail_msg("row %zu: %s -> %s '%.*s'", i, srows[i].json,
				 ok ? "ok" : "refused", ok ? (int)out.len : 0,
				 ok ? out.p : "");
	}
	core_arena_free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_oracle_rows),
		cmocka_unit_test(test_json_oracle_cowrie),
		cmocka_unit_test(test_json_depth_limit),
		cmocka_unit_test(test_json_lone_surrogate),
		cmocka_unit_test(test_json_bytes_and_epoch),
		cmocka_unit_test(test_json_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
