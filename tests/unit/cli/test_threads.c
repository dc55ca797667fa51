/*
 * test_threads.c: matching in worker threads (src/cli/threads.c) gives
 * the alerts of one thread, in the same order, for several thread
 * counts and batch sizes (partial batches, flushes mid-stream), and the
 * merge stage sees each event's own record and fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli_threads.h"

static const char rules[] =
	"title: root\nname: root\nlogsource: {product: linux, service: auth}\n"
	"detection:\n  s: {user.name: root}\n  condition: s\n"
	"---\ntitle: admin\nlogsource: {product: linux, service: auth}\n"
	"detection:\n  s: {user.name|startswith: adm}\n  condition: s\n"
	"---\ntitle: burst\ncorrelation:\n  type: event_count\n"
	"  rules: [root]\n  group-by: [source.ip]\n  timespan: 10s\n"
	"  generate: true\n  condition: {gte: 3}\n";

enum { NEV = 3000 };

struct log {
	char text[NEV * 4][48];
	unsigned n;
	unsigned bad_copies;
};

static void on_alert(const struct detect_alert *a, void *ud)
{
	struct log *l = ud;

	if (l->n < NEV * 4)
		snprintf(l->text[l->n++], sizeof(l->text[0]), "%s %lld %llu",
			 a->rule->title, (long long)a->ts_first,
			 (unsigned long long)a->count);
}

static struct detect_ruleset *load(void)
{
	struct detect_ruleset *rs = detect_ruleset_new();

	assert_non_null(rs);
	detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
	assert_true(detect_ruleset_load_buffer(rs, "t.yml", rules,
					       strlen(rules), NULL, NULL) > 0);
	assert_int_equal(detect_ruleset_compile(rs, NULL), 0);
	return rs;
}

static const char *users[] = { "root", "admin", "alice", "root" };

/* Event i: a user, a source address and its own raw text; the values
 * live in raw (two strings of up to 32 bytes each). */
static void make(struct core_event *ev, char *raw, unsigned i)
{
	char *ip = raw + 32;

	snprintf(ip, 32, "192.0.2.%u", i % 7);
	snprintf(raw, 32, "record %u", i);
	core_event_reset(ev, NULL);
	ev->ts = (int64_t)i * 1000000 / 3;
	ev->src = "t.log";
	ev->line = i + 1;
	ev->raw = core_str_make(raw, strlen(raw));
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "linux.auth");
	core_event_set(ev, CORE_F_USER_NAME, users[i % 4],
		       strlen(users[i % 4]));
	core_event_set_named(ev, "source.ip", 9, ip, strlen(ip));
}

struct merge {
	struct detect_ruleset *rs;
	struct log *log;
	unsigned next;
};

static void on_event(struct core_event *ev, const uint32_t *hits,
		     unsigned n, void *ud)
{
	struct merge *m = ud;
	char want[32];

	snprintf(want, sizeof(want), "record %u", m->next++);
	if (!core_str_eq_lit(ev->raw, want))
		m->log->bad_copies++;
	if (hits != NULL)
		detect_apply(m->rs, ev, hits, n, on_alert, m->log);
	else
		detect_match(m->rs, ev, on_alert, m->log);
}

static struct log one, many;

static void test_same_alerts(void **state)
{
	static const unsigned threads[] = { 2, 3, 4 };
	static const unsigned batches[] = { 1, 7, 1024 };
	struct core_event ev;
	char raw[64];

	(void)state;
	{
		struct detect_ruleset *rs = load();

		memset(&one, 0, sizeof(one));
		for (unsigned i = 0; i < NEV; i++) {
			make(&ev, raw, i);
			detect_match(rs, &ev, on_alert, &one);
		}
		detect_flush(rs, on_alert, &one);
		detect_ruleset_free(rs);
	}
	assert_true(one.n > NEV / 2);
	{
		unsigned bursts = 0;

		for (unsigned i = 0; i < one.n; i++)
			bursts += strncmp(one.text[i], "burst ", 6) == 0;
		/* One per source address at least: groups are kept apart. */
		assert_true(bursts >= 7);
	}
	for (size_t t = 0; t < 3; t++) {
		for (size_t b = 0; b < 3; b++) {
			struct merge m = { load(), &many, 0 };
			struct cli_threads *th;

			memset(&many, 0, sizeof(many));
			th = cli_threads_new(m.rs, threads[t], batches[b]);
			assert_non_null(th);
			for (unsigned i = 0; i < NEV; i++) {
				make(&ev, raw, i);
				cli_threads_push(th, &ev, on_event, &m);
				/* An input ending mid-batch flushes early. */
				if (i == NEV / 3)
					cli_threads_flush(th, on_event, &m);
			}
			cli_threads_flush(th, on_event, &m);
			detect_flush(m.rs, on_alert, &many);
			assert_int_equal(m.next, NEV);
			assert_int_equal(many.bad_copies, 0);
			assert_int_equal(many.n, one.n);
			for (unsigned i = 0; i < one.n; i++)
				assert_string_equal(many.text[i], one.text[i]);
			cli_threads_free(th);
			detect_ruleset_free(m.rs);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_alerts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
