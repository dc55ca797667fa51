/*
 * test_whencache.c: the log source cache (src/detect/whencache.c) gives
 * the same sources as testing every `when`, on a miss and on a hit, for
 * events that differ only in what the `when` selections read, and for
 * an event whose key would be too long to keep.
 */
#include "detect_test.h"

#include "detect/detect_int.h"

#include <stdlib.h>
#include <unistd.h>

/* A map of four sources: values, a list, presence only, an ECS field. */
static const char map[] =
	"sources:\n"
	"  - product: windows\n"
	"    category: process_creation\n"
	"    when: {Channel: Security, EventID: [4688, 1]}\n"
	"    open_fields: true\n"
	"  - product: windows\n"
	"    service: sysmon\n"
	"    when: {Channel: Sysmon}\n"
	"    open_fields: true\n"
	"  - product: linux\n"
	"    category: file_event\n"
	"    when: {TargetFilename|exists: true, Channel|exists: false}\n"
	"    open_fields: true\n"
	"  - product: linux\n"
	"    service: auth\n"
	"    when: {event.dataset|startswith: linux.}\n"
	"    open_fields: true\n";

/* One rule per source, so that every source is in use. */
static const char rules[] =
	"title: a\nlogsource: {product: windows, category: process_creation}\n"
	"detection: {s: {Image: x}, condition: s}\n---\n"
	"title: b\nlogsource: {product: windows, service: sysmon}\n"
	"detection: {s: {Image: x}, condition: s}\n---\n"
	"title: c\nlogsource: {product: linux, category: file_event}\n"
	"detection: {s: {Image: x}, condition: s}\n---\n"
	"title: d\nlogsource: {product: linux, service: auth}\n"
	"detection: {s: {Image: x}, condition: s}\n";

struct row {
	const char *event;	/* t_event() spec */
	const char *sources;	/* indices of the sources that hold */
	const char *why;
};

static const struct row rows[] = {
	{ "Channel=Security|EventID=4688", "0", "both values" },
	{ "Channel=Security|EventID=1", "0", "the list's other value" },
	{ "Channel=Security|EventID=4689", "", "EventID differs" },
	{ "Channel=security|EventID=4688", "0", "case ignored" },
	{ "Channel=Sysmon|EventID=1", "1", "another source" },
	{ "TargetFilename=/tmp/a", "2", "presence, no Channel" },
	{ "TargetFilename=/tmp/b", "2", "another value, the same key" },
	{ "TargetFilename=/tmp/a|Channel=Sysmon", "1",
	  "Channel present: not the file source" },
	{ "event.dataset=linux.auth|TargetFilename=x", "23",
	  "two sources at once" },
	{ "event.dataset=linux.syslog", "3", "an ECS field's value" },
	{ "event.dataset=windows", "", "no source" },
	{ "", "", "an empty event" },
};

static char dir[64];

static int setup(void **state)
{
	char file[128];
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vigil-wc-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(file, sizeof(file), "%s/logsources.yml", dir);
	f = fopen(file, "w");
	if (f == NULL)
		return -1;
	fputs(map, f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	char file[128];

	(void)state;
	snprintf(file, sizeof(file), "%s/logsources.yml", dir);
	unlink(file);
	rmdir(dir);
	return 0;
}

static struct detect_ruleset *ruleset(const char *mapdir, const char *text)
{
	struct detect_ruleset *rs = detect_ruleset_new();
	struct t_run run = { 0 };

	assert_non_null(rs);
	assert_int_equal(detect_ruleset_set_datadir(rs, mapdir), 0);
	detect_ruleset_load_buffer(rs, "rules.yml", text, strlen(text),
				   t_on_reject, &run);
	assert_int_equal(detect_ruleset_compile(rs, NULL), 0);
	if (run.nrejects)
		fail_msg("refused: %s", run.reject);
	return rs;
}

/* The sources as a string of indices ("" for none). */
static void listed(const uint16_t *ls, unsigned n, char *out)
{
	for (unsigned i = 0; i < n; i++)
		out[i] = (char)('0' + ls[i]);
	out[n] = '\0';
}

static void test_rows(void **state)
{
	struct detect_ruleset *rs = ruleset(dir, rules);
	struct core_event ev;

	(void)state;
	assert_non_null(rs->wc);
	/* Twice over: the first pass misses, the second hits. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
			const uint16_t *ls;
			char got[16];
			unsigned n;

			t_event(&ev, rows[i].event, T_SEC, i + 1);
			n = detect_wc_sources(rs, &ev, &ls);
			listed(ls, n, got);
			if (strcmp(got, rows[i].sources) != 0)
				fail_msg("%s (pass %d): sources '%s'",
					 rows[i].why, pass, got);
		}
	}
	detect_ruleset_free(rs);
}

/* A matcher's own table answers as the ruleset's does. */
static void test_matcher(void **state)
{
	struct detect_ruleset *rs = ruleset(dir, rules);
	struct detect_matcher *m = detect_matcher_new(rs);
	struct core_event ev;
	uint32_t hits[4];

	(void)state;
	assert_non_null(m);
	t_event(&ev, "Channel=Security|EventID=4688|Image=x", T_SEC, 1);
	assert_int_equal(detect_matcher_run(m, &ev, hits, 4), 1);
	assert_int_equal(detect_matcher_run(m, &ev, hits, 4), 1);
	t_event(&ev, "Channel=Sysmon|Image=x|event.dataset=linux.a", T_SEC,
		2);
	assert_int_equal(detect_matcher_run(m, &ev, hits, 4), 2);
	detect_matcher_free(m);
	detect_ruleset_free(rs);
}

/* A value too long for a key: the event is tested without the cache. */
static void test_long_value(void **state)
{
	struct detect_ruleset *rs = ruleset(dir, rules);
	static char spec[800];
	struct core_event ev;
	const uint16_t *ls;
	char got[16];
	unsigned n;

	(void)state;
	snprintf(spec, sizeof(spec), "event.dataset=linux.%0600d", 7);
	for (int pass = 0; pass < 2; pass++) {
		t_event(&ev, spec, T_SEC, 1);
		n = detect_wc_sources(rs, &ev, &ls);
		listed(ls, n, got);
		assert_string_equal(got, "3");
	}
	detect_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_matcher),
		cmocka_unit_test(test_long_value),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
