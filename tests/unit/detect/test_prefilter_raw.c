/*
 * test_prefilter_raw.c: keyword literals over a raw record its decoder
 * renders only on demand (EVTX: core_event_raw() calls ev->raw_fn for
 * the JSON object of the named fields).  The prefilter does not render
 * it: it seeks keyword literals in the names and values joined, plus the
 * JSON escaping of those holding a control character (kw_ready() in
 * src/detect/prefilter.c).  Whatever the rendering holds, a keyword rule
 * must give the same answer with the prefilter off, forced on, and on by
 * default in a source that enough literals gate.
 */
#include "detect_test.h"

#include "detect/detect_int.h"

/* ------------------------------------------------------------ rendering */

struct render {
	char buf[4096];
	struct core_str s;
	unsigned calls;
};

static char *put(char *w, const char *p, size_t n)
{
	memcpy(w, p, n);
	return w + n;
}

/* A rendering's most bytes: the fields that fit, each whole, then "..."
 * (PARSE_EVTX_RAW_MAX for the EVTX decoder). */
#define RENDER_MAX 256

/* Ends the rendering at w, cut short. */
static const struct core_str *cut(struct render *r, char *w)
{
	w = put(w, "...", 3);
	r->s = core_str_make(r->buf, (size_t)(w - r->buf));
	return &r->s;
}

/* ev->raw_fn: {"name":"value",...} over ev's named fields, in order,
 * as the EVTX decoder renders a record. */
static const struct core_str *render_json(const struct core_event *ev,
					  void *ctx)
{
	struct render *r = ctx;
	char *w = r->buf;
	bool first = true;

	r->calls++;
	w = put(w, "{", 1);
	for (unsigned i = 0; i < ev->nfields; i++) {
		const struct core_field *f = &ev->fields[i];
		char *at = w;

		if (f->id != CORE_F_NAMED)
			continue;
		assert_true(CORE_JSON_ESCAPED_MAX(f->name.len + f->value.len) +
			    8 < sizeof(r->buf) - (size_t)(w - r->buf));
		if ((size_t)(w - r->buf) + f->name.len + f->value.len + 6 >
		    RENDER_MAX)
			return cut(r, w);
		if (!first)
			w = put(w, ",", 1);
		first = false;
		w = put(w, "\"", 1);
		w += core_json_escape(w, f->name.p, f->name.len);
		w = put(w, "\":\"", 3);
		w += core_json_escape(w, f->value.p, f->value.len);
		w = put(w, "\"", 1);
		if ((size_t)(w - r->buf) > RENDER_MAX)
			return cut(r, at);
	}
	w = put(w, "}", 1);
	r->s = core_str_make(r->buf, (size_t)(w - r->buf));
	return &r->s;
}

/* ---------------------------------------------------------------- cases */

#define NFIELDS 4

struct kv {
	const char *name, *value;
};

struct kcase {
	const char *keyword;	/* a YAML scalar */
	struct kv f[NFIELDS];	/* besides Channel and EventID */
	bool hit;
	bool always;		/* the keyword gives no need */
	const char *why;
};

#define DLL "C:\\Windows\\System32\\mimilib.dll"
#define X10 "xxxxxxxxxx"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define X300 X100 X100 X100

static const struct kcase cases[] = {
	{ "'\\mimilib.dll'", { { "ImageLoaded", DLL } }, true, false,
	  "a keyword with a backslash, against a path (escaped \\\\)" },
	{ "'System32\\mimilib.dll'", { { "ImageLoaded", DLL } }, false,
	  false, "the rendering doubles the backslash: no hit" },
	{ "nbtstat", { { "CommandLine", "cmd /c a\nbtstat -n" } }, true,
	  false, "found in the escape of a real newline (a\\nbtstat)" },
	{ "'btstat -n'", { { "CommandLine", "cmd /c a\nbtstat -n" } },
	  true, false, "after a real newline" },
	{ "zzqueryfield", { { "ZzQueryField", "x" } }, true, false,
	  "a keyword that is a field name" },
	{ "'\"ZzQueryField\":\"x\"'", { { "ZzQueryField", "x" } }, true,
	  false, "a keyword over a name, its value and the quotes" },
	{ "'\"ZzQueryField\":\"y\"'", { { "ZzQueryField", "x" } }, false,
	  false, "the same, another value" },
	{ "'hello world'", { { "Description", "say \"hello world\"" } },
	  true, false, "a value with double quotes" },
	{ "'\"hello world\"'", { { "Description", "say \"hello world\"" } },
	  false, false, "a keyword with double quotes: escaped in JSON" },
	{ "'\\\"hello world\\\"'",
	  { { "Description", "say \"hello world\"" } }, true, false,
	  "a keyword with escaped double quotes, as JSON has them" },
	{ "secretword", { { "Payload", "col1\tsecretword" } }, true, false,
	  "a keyword only in a value with a tab" },
	{ "tsecretword", { { "Payload", "col1\tsecretword" } }, true, false,
	  "found in the escape of the tab (\\tsecretword)" },
	{ "'col1\\tsecretword'", { { "Payload", "col1\tsecretword" } },
	  true, false, "a keyword spelling the tab's escape" },
	{ "\"col1\\tsecretword\"", { { "Payload", "col1\tsecretword" } },
	  false, false, "a keyword with a real tab: JSON escapes it" },
	{ "u0001cdefgh", { { "Data", "ab\001cdefgh" } }, true, false,
	  "found in a \\u0001 escape" },
	{ "nzzname", { { "a\nzzname", "v" } }, true, false,
	  "found in the escape of a newline in a name" },
	{ "'\"1\"...'", { { "Big", X300 } }, true, false,
	  "the \"...\" of a rendering cut short" },
	{ "'last\"}'", { { "Small", "the last" } }, true, false,
	  "a keyword running into the closing brace" },
	{ "zzabsentzz", { { "CommandLine", "whoami /all" },
			  { "Payload", "col1\tsecretword" } },
	  false, false, "a keyword absent" },
	{ "'a\"b'", { { "CommandLine", "a\"b" } }, false, true,
	  "a keyword with no plain run of 3 gives no need" },
	{ "'caf\xc3\xa9'", { { "Data", "au caf\xc3\xa9" } }, true, false,
	  "UTF-8 in a value and a keyword" },
	{ "cdefg", { { "Data", "ab\xff" "cdefg" } }, true, false,
	  "a value that is not UTF-8 (U+FFFD in the rendering)" },
	{ "cdefg", { { "Data", "ab\x7f" "cdefg" } }, true, false,
	  "a DEL is no control to JSON" },
	{ "zzecsvalue", { { "user.name", "zzecsvalue" } }, false, false,
	  "an ECS field is not in the rendering" },
	{ "nbtstat", { { "message", "x nbtstat y" },
		       { "CommandLine", "whoami" } }, true, false,
	  "with a message, keywords read it" },
	{ "nbtstat", { { "message", "x y" },
		       { "CommandLine", "nbtstat" } }, false, false,
	  "with a message, the rendering is not read" },
};

/* -------------------------------------------------------------- running */

enum mode { M_OFF, M_FORCED, M_GATED, M__COUNT };

static const char *const mode_name[] = { "off", "forced", "gated" };

#define SRC "logsource: {product: windows, category: process_creation}\n"

/* The keyword rule, after (M_GATED) a filler with 64 literals that makes
 * the source gated without forcing. */
static struct detect_ruleset *rules_for(const char *keyword, enum mode m)
{
	static char yaml[4096];
	struct detect_ruleset *rs = detect_ruleset_new();
	struct t_run run = { 0 };
	size_t n = 0;

	assert_non_null(rs);
	detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
	if (m != M_GATED)
		assert_int_equal(detect_ruleset_set_prefilter(rs,
							      m == M_FORCED),
				 0);
	if (m == M_GATED) {
		n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
				      "title: filler\n" SRC "detection:\n"
				      "  s:\n    CommandLine|contains:\n");
		for (int i = 0; i < 64; i++)
			n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
					      "      - qqfiller%03dxx\n", i);
		n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
				      "  condition: s\n---\n");
	}
	n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
			      "title: kw\n" SRC "detection:\n  keywords:\n"
			      "    - %s\n  condition: keywords\n", keyword);
	assert_true(n < sizeof(yaml));
	detect_ruleset_load_buffer(rs, "kw.yml", yaml, n, t_on_reject, &run);
	assert_int_equal(detect_ruleset_compile(rs, NULL), 0);
	if (run.nrejects)
		fail_msg("%s: refused: %s", keyword, run.reject);
	return rs;
}

/* The keyword rule's log source is gated, and the rule has a need
 * unless the case says it has none. */
static void check_gate(struct detect_ruleset *rs, const struct kcase *c)
{
	for (unsigned i = 0; i < rs->nls; i++) {
		const struct detect_logsource *e = &rs->ls[i];

		if (e->nrules == 0)
			continue;
		assert_true(e->pf_gate);
		for (unsigned k = 0; k < e->nrules; k++) {
			const struct detect_rule *r = e->rules[k];

			if (strcmp(r->info.title, "kw") == 0 &&
			    r->pf_always != c->always)
				fail_msg("%s: pf_always %d", c->why,
					 r->pf_always);
		}
	}
}

/* A Sysmon process creation record with c's fields, rendered lazily. */
static void make_event(struct core_event *ev, const struct kcase *c,
		       struct render *r)
{
	core_event_reset(ev, NULL);
	ev->ts = T_SEC;
	ev->src = "test.evtx";
	ev->line = 1;
	core_event_set_named(ev, "Channel", 7,
			     "Microsoft-Windows-Sysmon/Operational", 36);
	core_event_set_named(ev, "EventID", 7, "1", 1);
	for (int i = 0; i < NFIELDS && c->f[i].name != NULL; i++)
		core_event_set_named(ev, c->f[i].name, strlen(c->f[i].name),
				     c->f[i].value, strlen(c->f[i].value));
	memset(r, 0, sizeof(*r));
	ev->raw_fn = render_json;
	ev->raw_ctx = r;
}

static void run_case(const struct kcase *c, enum mode m)
{
	struct detect_ruleset *rs = rules_for(c->keyword, m);
	static struct render r;
	struct t_run run = { 0 };
	struct core_event ev;

	if (m != M_OFF)
		check_gate(rs, c);
	make_event(&ev, c, &r);
	detect_match(rs, &ev, t_on_alert, &run);
	if ((run.nalerts == 1 && strcmp(run.a[0].title, "kw") == 0) != c->hit
	    || run.nalerts > 1)
		fail_msg("%s (prefilter %s): %u alerts, want %s", c->why,
			 mode_name[m], run.nalerts, c->hit ? "a hit" : "none");
	detect_ruleset_free(rs);
}

static void test_keywords_over_rendering(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(cases); i++) {
		for (int m = 0; m < M__COUNT; m++)
			run_case(&cases[i], (enum mode)m);
	}
}

/* A record without the keyword's literal is not rendered when the
 * prefilter is on: the rule is not tested. */
static void test_not_rendered(void **state)
{
	static const struct kcase c = {
		"zzabsentzz", { { "CommandLine", "whoami /all" } }, false,
		false, "absent"
	};

	(void)state;
	for (int m = 0; m < M__COUNT; m++) {
		struct detect_ruleset *rs = rules_for(c.keyword, (enum mode)m);
		struct t_run run = { 0 };
		struct core_event ev;
		struct render r;

		make_event(&ev, &c, &r);
		detect_match(rs, &ev, t_on_alert, &run);
		assert_int_equal(run.nalerts, 0);
		if ((r.calls == 0) != (m != M_OFF))
			fail_msg("prefilter %s: rendered %u times",
				 mode_name[m], r.calls);
		detect_ruleset_free(rs);
	}
}

/* The test's renderer itself: named fields only, escaped. */
static void test_renderer(void **state)
{
	static const struct kcase c = {
		"x", { { "A", "b\"c\\d\ne" }, { "user.name", "root" } },
		false, false, "renderer"
	};
	static const char want[] =
		"{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
		"\"EventID\":\"1\",\"A\":\"b\\\"c\\\\d\\ne\"}";
	struct core_event ev;
	struct render r;
	const struct core_str *s;

	(void)state;
	make_event(&ev, &c, &r);
	s = core_event_raw(&ev);
	assert_int_equal(s->len, strlen(want));
	assert_memory_equal(s->p, want, s->len);
	assert_int_equal(r.calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_renderer),
		cmocka_unit_test(test_keywords_over_rendering),
		cmocka_unit_test(test_not_rendered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
