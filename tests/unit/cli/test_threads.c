/*
 * test_threads.c: matching in worker threads (src/cli/threads.c) gives
 * the alerts of one thread, in the same order, for several thread
 * counts and batch sizes (partial batches, flushes mid-stream), and the
 * merge stage sees each event's own record and fields.  EVTX records
 * (tests/fuzz/evtx_fixture.h) keep their lazy rendering: pushing one
 * renders nothing, and the rendering a worker or the merge makes from
 * the slot's copy is byte for byte the decoder's, as keyword rules and
 * evidence read it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli_threads.h"
#include "input/evtx.h"
#include "parse/evtx.h"
#include "../../fuzz/evtx_fixture.h"

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

struct big {
	unsigned merged;
	unsigned bad;
};

static void on_big(struct core_event *ev, const uint32_t *hits, unsigned n,
		   void *ud)
{
	struct big *b = ud;
	char want[32];
	int k = snprintf(want, sizeof(want), "record %u ", b->merged++);

	(void)hits;
	(void)n;
	if (ev->raw.len < (size_t)k || memcmp(ev->raw.p, want, (size_t)k))
		b->bad++;
}

/*
 * Big records: a batch goes to the workers once it holds 32 MiB, not
 * only at its event count, so two batches bound the memory; each copy
 * is still its own record.
 */
static void test_byte_budget(void **state)
{
	enum { BIG = 8 << 20, NBIG = 10 };
	struct detect_ruleset *rs = load();
	struct cli_threads *th = cli_threads_new(rs, 2, 1024);
	char *raw = malloc(BIG);
	struct big b = { 0, 0 };
	struct core_event ev;

	(void)state;
	assert_non_null(th);
	assert_non_null(raw);
	memset(raw, 'x', BIG);
	for (unsigned i = 0; i < NBIG; i++) {
		make(&ev, raw, i);
		raw[strlen(raw)] = ' ';
		ev.raw = core_str_make(raw, BIG);
		cli_threads_push(th, &ev, on_big, &b);
	}
	/* Four records fill a batch; the first is merged as the third
	 * starts, with a 1,024-event batch none would be yet. */
	assert_true(b.merged >= 4);
	cli_threads_flush(th, on_big, &b);
	assert_int_equal(b.merged, NBIG);
	assert_int_equal(b.bad, 0);
	cli_threads_free(th);
	detect_ruleset_free(rs);
	free(raw);
}

/*
 * Keyword rules read an EVTX record's rendering, escapes and field
 * punctuation included; derivedonly lies only in a field added after
 * decoding, which the rendering leaves out; a correlation keeps
 * evidence of several records.
 */
static const char win_rules[] =
	"title: kw whoami\nname: whoami\nlogsource: {product: windows}\n"
	"detection:\n  keywords: [whoami]\n  condition: keywords\n"
	"---\ntitle: kw across fields\nlogsource: {product: windows}\n"
	"detection:\n  keywords: ['ipconfig /all\",\"Image\":\"C:']\n"
	"  condition: keywords\n"
	"---\ntitle: kw escaped tab\nlogsource: {product: windows}\n"
	"detection:\n  keywords: ['Tab\\there']\n  condition: keywords\n"
	"---\ntitle: kw cut\nlogsource: {product: windows}\n"
	"detection:\n  keywords: ['\"...']\n  condition: keywords\n"
	"---\ntitle: kw derived\nlogsource: {product: windows}\n"
	"detection:\n  keywords: [derivedonly]\n  condition: keywords\n"
	"---\ntitle: whoami burst\ncorrelation:\n  type: event_count\n"
	"  rules: [whoami]\n  group-by: [host.name]\n  timespan: 1h\n"
	"  generate: true\n  condition: {gte: 4}\n";

enum { NREC = 240, WIN_ALERTS = NREC * 3 };

/* Alerts with the lines and evidence text they carry. */
struct wlog {
	char text[WIN_ALERTS][DETECT_EVIDENCE_MAX + 64];
	unsigned n;
};

static void on_win_alert(const struct detect_alert *a, void *ud)
{
	struct wlog *l = ud;
	const struct detect_evidence *e = &a->evidence[0];

	assert_true(l->n < WIN_ALERTS);
	assert_true(a->nevidence > 0);
	snprintf(l->text[l->n++], sizeof(l->text[0]), "%s %llu %llu %u %.*s",
		 a->rule->title, (unsigned long long)a->count,
		 (unsigned long long)e->line, a->nevidence, (int)e->text.len,
		 e->text.p);
}

static struct detect_ruleset *win_load(void)
{
	struct detect_ruleset *rs = detect_ruleset_new();

	assert_non_null(rs);
	detect_ruleset_set_datadir(rs, TEST_SRCDIR "/data");
	assert_int_equal(detect_ruleset_load_buffer(rs, "w.yml", win_rules,
						    strlen(win_rules), NULL,
						    NULL),
			 6);
	assert_int_equal(detect_ruleset_compile(rs, NULL), 0);
	return rs;
}

static struct fx win_fx;
static char long_cmd[2001];

/*
 * NREC records over three chunks: plain command lines, one with a tab,
 * quotes and backslashes (escaped in the rendering), one with a Latin-1
 * letter, and now and then one whose control characters make the
 * rendering stop before it ("...").
 */
static size_t win_build(void)
{
	static const char *const cmds[] = {
		"cmd.exe /c whoami", "net user", "ipconfig /all",
		"Tab\there \"quoted\" C:\\Temp\\x.exe", "caf\xe9 whoami /all",
	};
	static const char *const hosts[] = { "WS01", "WS02", "DC01" };

	memset(long_cmd, 0x01, sizeof(long_cmd) - 1);
	fx_begin(&win_fx);
	for (unsigned i = 0; i < NREC; i++) {
		if (i > 0 && i % (NREC / 3) == 0)
			fx_chunk_open(&win_fx);
		fx_record(&win_fx, hosts[i % 3],
			  i % 37 == 5 ? long_cmd : cmds[i % 5], 1);
	}
	return fx_end(&win_fx);
}

/* The reading thread's side of analyze, over win_fx. */
struct reader {
	struct input_evtx *in;
	struct parse_evtx *d;
	struct core_arena *a;
};

/*
 * Decodes the next record into ev (the arena reset first, as analyze
 * does) and adds a field after decoding, as parse_procs_track() does.
 * False at the end.
 */
static bool win_next(struct reader *r, struct core_event *ev)
{
	struct input_evtx_record rec;
	int rc;

	do
		rc = input_evtx_next(r->in, &rec, NULL);
	while (rc < 0);
	if (rc == 0)
		return false;
	core_arena_reset(r->a);
	core_event_reset(ev, r->a);
	ev->src = "t.evtx";
	ev->line = rec.record_id;
	assert_int_equal(parse_evtx_record(r->d, ev, rec.chunk, rec.chunk_len,
					   rec.chunk_no, rec.off, rec.len,
					   rec.written, NULL),
			 0);
	core_event_set_named(ev, "ParentImage", 11, "C:\\derivedonly.exe",
			     18);
	return true;
}

static void win_open(struct reader *r, size_t len)
{
	assert_int_equal(input_evtx_open_mem("t.evtx", win_fx.img, len,
					     &r->in, NULL),
			 0);
	r->d = parse_evtx_new();
	r->a = core_arena_new(65536);
	assert_non_null(r->d);
	assert_non_null(r->a);
}

static void win_close(struct reader *r)
{
	input_evtx_close(r->in);
	parse_evtx_free(r->d);
	core_arena_free(r->a);
}

/* Each record's rendering by one thread, by EventRecordID (from 1). */
static char *want_raw[NREC + 1];
static size_t want_len[NREC + 1];

struct win_merge {
	struct detect_ruleset *rs;
	struct wlog *log;
	unsigned seen, bad;
};

/* The merge: the rendering of the slot's copy is the decoder's. */
static void on_win_event(struct core_event *ev, const uint32_t *hits,
			 unsigned n, void *ud)
{
	struct win_merge *m = ud;
	const struct core_str *raw;

	m->seen++;
	if (hits != NULL)
		detect_apply(m->rs, ev, hits, n, on_win_alert, m->log);
	else
		detect_match(m->rs, ev, on_win_alert, m->log);
	raw = core_event_raw(ev);
	assert_true(ev->line >= 1 && ev->line <= NREC);
	if (raw->len != want_len[ev->line] ||
	    memcmp(raw->p, want_raw[ev->line], raw->len) != 0) {
		if (m->bad++ == 0)
			print_message("record %llu: '%.*s', want '%s'\n",
				      (unsigned long long)ev->line,
				      (int)CORE_MIN(raw->len, 200), raw->p,
				      want_raw[ev->line]);
	}
}

static struct wlog win_one, win_many;

/*
 * One thread: the alerts and each record's rendering to compare with,
 * which must show every keyword rule's alert but the derived one's, and
 * cut renderings.
 */
static void win_one_thread(size_t len)
{
	static const char *const titles[] = {
		"kw whoami ", "kw across fields ", "kw escaped tab ",
		"kw cut ", "whoami burst ",
	};
	struct detect_ruleset *rs = win_load();
	unsigned cuts = 0, count[5] = { 0 };
	struct core_event ev;
	struct reader r;

	memset(&win_one, 0, sizeof(win_one));
	win_open(&r, len);
	while (win_next(&r, &ev)) {
		const struct core_str *raw;

		detect_match(rs, &ev, on_win_alert, &win_one);
		raw = core_event_raw(&ev);
		assert_true(ev.line >= 1 && ev.line <= NREC);
		want_raw[ev.line] = strndup(raw->p, raw->len);
		want_len[ev.line] = raw->len;
		cuts += raw->len > 4 &&
			strcmp(raw->p + raw->len - 4, "\"...") == 0;
	}
	win_close(&r);
	detect_flush(rs, on_win_alert, &win_one);
	detect_ruleset_free(rs);

	assert_true(cuts >= 5);
	for (unsigned i = 0; i < win_one.n; i++) {
		for (unsigned k = 0; k < 5; k++)
			count[k] += strncmp(win_one.text[i], titles[k],
					    strlen(titles[k])) == 0;
		/* A derived field is not part of the rendering. */
		assert_null(strstr(win_one.text[i], "derivedonly"));
	}
	for (unsigned k = 0; k < 5; k++)
		if (count[k] == 0)
			fail_msg("no alert of '%s'", titles[k]);
}

/* nthreads over batches of batch: what one thread gave, pushed lazily. */
static void win_threaded(size_t len, unsigned nthreads, unsigned batch)
{
	struct win_merge m = { win_load(), &win_many, 0, 0 };
	struct cli_threads *th = cli_threads_new(m.rs, nthreads, batch);
	struct core_event ev;
	struct reader r;

	assert_non_null(th);
	memset(&win_many, 0, sizeof(win_many));
	win_open(&r, len);
	while (win_next(&r, &ev)) {
		size_t used = core_arena_used(r.a);

		cli_threads_push(th, &ev, on_win_event, &m);
		/* Pushing renders nothing in the reader. */
		assert_int_equal(core_arena_used(r.a), used);
	}
	win_close(&r);
	cli_threads_flush(th, on_win_event, &m);
	detect_flush(m.rs, on_win_alert, &win_many);

	assert_int_equal(m.seen, NREC);
	assert_int_equal(m.bad, 0);
	assert_int_equal(win_many.n, win_one.n);
	for (unsigned i = 0; i < win_one.n; i++)
		assert_string_equal(win_many.text[i], win_one.text[i]);
	cli_threads_free(th);
	detect_ruleset_free(m.rs);
}

static void test_evtx_lazy_raw(void **state)
{
	static const unsigned threads[] = { 2, 3, 4 };
	static const unsigned batches[] = { 1, 7, 1024 };
	size_t len = win_build();

	(void)state;
	win_one_thread(len);
	for (size_t t = 0; t < 3; t++)
		for (size_t b = 0; b < 3; b++)
			win_threaded(len, threads[t], batches[b]);
	for (unsigned i = 0; i <= NREC; i++)
		free(want_raw[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_alerts),
		cmocka_unit_test(test_byte_budget),
		cmocka_unit_test(test_evtx_lazy_raw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
