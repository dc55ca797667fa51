/*
 * threads.c: plain-rule matching in worker threads, merged in order.
 *
 * The reader thread decodes events as usual and copies each into a slot
 * of a fixed batch (its own arena holds the field names and values and
 * the raw record, so nothing points into the reader's buffers).  When
 * the batch is full, every thread, the caller's included, takes the
 * slots i, i + N, i + 2N ... and runs detect_matcher_run() on them: that
 * evaluates conditions only and changes no shared state.  Then the
 * caller walks the slots in input order and hands each event with its
 * hits to the merge callback, which applies them (plain alerts,
 * correlation state, incidents, anomaly models) exactly as one thread
 * would.  Output is therefore identical for any thread count.
 *
 * An EVTX record comes with no raw text: its JSON rendering is made
 * only when something reads it (a keyword rule, an alert's evidence), as
 * with one thread, and most records are never rendered.  The slot's copy
 * keeps that: parse_evtx_raw_attach() gives it a keeper of its own, so
 * the rendering is made from the slot's fields into the slot's arena by
 * whichever thread holds the slot then (a worker, or the caller in the
 * merge), the same text the decoder's event would give.
 *
 * Memory: batch slots of one event each plus their arenas, fixed at
 * start (an arena grows for a big record or rendering and shrinks back
 * when its slot is reused); threads are started per batch (a few
 * microseconds against the milliseconds a batch takes).
 */
#include "cli/cli_threads.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "parse/evtx.h"

/* Hits kept per event; more are rare and fall back to detect_match(). */
#define SLOT_HITS 64

struct slot {
	struct core_event ev;
	struct core_arena *arena;
	struct parse_evtx_raw raw;	/* ev's rendering, when EVTX */
	uint32_t hits[SLOT_HITS];
	unsigned nhits;
};

struct worker {
	struct cli_threads *t;
	struct detect_matcher *m;
	unsigned first;
	pthread_t tid;
};

struct cli_threads {
	struct detect_ruleset *rs;
	unsigned nthreads, cap, n;
	struct slot *slots;
	struct worker *w;
};

struct cli_threads *cli_threads_new(struct detect_ruleset *rs,
				    unsigned nthreads, unsigned batch)
{
	struct cli_threads *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->rs = rs;
	t->nthreads = nthreads < 2 ? 2 : nthreads;
	t->cap = batch ? batch : 1;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	t->w = calloc(t->nthreads, sizeof(*t->w));
	if (t->slots == NULL || t->w == NULL)
		goto fail;
	for (unsigned i = 0; i < t->cap; i++) {
		t->slots[i].arena = core_arena_new(16 * 1024);
		if (t->slots[i].arena == NULL)
			goto fail;
	}
	for (unsigned i = 0; i < t->nthreads; i++) {
		t->w[i].t = t;
		t->w[i].first = i;
		t->w[i].m = detect_matcher_new(rs);
		if (t->w[i].m == NULL)
			goto fail;
	}
	return t;
fail:
	cli_threads_free(t);
	return NULL;
}

void cli_threads_free(struct cli_threads *t)
{
	if (t == NULL)
		return;
	for (unsigned i = 0; t->slots && i < t->cap; i++)
		core_arena_free(t->slots[i].arena);
	for (unsigned i = 0; t->w && i < t->nthreads; i++)
		detect_matcher_free(t->w[i].m);
	free(t->slots);
	free(t->w);
	free(t);
}

/* A copy of s in the arena; an empty string stays as it is. */
static struct core_str dup_str(struct core_arena *a, struct core_str s)
{
	char *p;

	if (s.len == 0 || (p = core_arena_alloc(a, s.len)) == NULL)
		return core_str_make(s.len ? "" : s.p, 0);
	memcpy(p, s.p, s.len);
	return core_str_make(p, s.len);
}

void cli_threads_push(struct cli_threads *t, const struct core_event *ev,
		      cli_threads_fn fn, void *ud)
{
	struct slot *s;

	if (t->n == t->cap)
		cli_threads_flush(t, fn, ud);
	s = &t->slots[t->n++];
	core_arena_reset(s->arena);
	/* The fields in use only: the table (256) is ten times that. */
	memcpy(&s->ev, ev, offsetof(struct core_event, fields));
	memcpy(s->ev.fields, ev->fields, ev->nfields * sizeof(ev->fields[0]));
	s->ev.arena = s->arena;
	/* Any other raw is copied as it is (a line of the reader's buffer). */
	if (!parse_evtx_raw_attach(&s->ev, &s->raw)) {
		s->ev.raw = dup_str(s->arena, *core_event_raw(ev));
		s->ev.raw_fn = NULL;
		s->ev.raw_ctx = NULL;
	}
	for (unsigned i = 0; i < ev->nfields; i++) {
		struct core_field *f = &s->ev.fields[i];

		if (f->id == CORE_F_NAMED)
			f->name = dup_str(s->arena, f->name);
		f->value = dup_str(s->arena, f->value);
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct cli_threads *t = w->t;

	for (unsigned i = w->first; i < t->n; i += t->nthreads) {
		struct slot *s = &t->slots[i];

		s->nhits = detect_matcher_run(w->m, &s->ev, s->hits,
					      SLOT_HITS);
	}
	return NULL;
}

void cli_threads_flush(struct cli_threads *t, cli_threads_fn fn, void *ud)
{
	unsigned started = 1;

	if (t->n == 0)
		return;
	/* A thread that cannot start leaves its slots to the caller. */
	for (unsigned i = 1; i < t->nthreads; i++) {
		if (pthread_create(&t->w[i].tid, NULL, work, &t->w[i]) != 0)
			break;
		started++;
	}
	work(&t->w[0]);
	for (unsigned i = 1; i < started; i++)
		pthread_join(t->w[i].tid, NULL);
	for (unsigned i = started; i < t->nthreads; i++) {
		struct worker w = t->w[i];

		w.m = t->w[0].m;
		work(&w);
	}
	for (unsigned i = 0; i < t->n; i++) {
		struct slot *s = &t->slots[i];

		fn(&s->ev, s->nhits <= SLOT_HITS ? s->hits : NULL, s->nhits,
		   ud);
	}
	t->n = 0;
}
