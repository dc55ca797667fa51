/*
 * threads.c: plain-rule matching in worker threads, merged in order.
 *
 * The reader thread decodes events as usual and copies each into a slot
 * of a batch (the slot's own arena holds the field names and values, the
 * raw record and the input's name, so nothing points into the reader's
 * buffers).  There are two batches.  When the one being filled is full,
 * the reader waits for the other (if it is out being matched), hands the
 * full one to the worker threads, merges the one that came back and
 * fills it again: matching one batch overlaps decoding and merging the
 * next, which is where a second core pays; when the reader must wait for
 * a batch, it matches the slots no worker has taken yet itself.  Each
 * matcher takes a few slots at a time and runs detect_matcher_run() on
 * them: that evaluates conditions only and changes no shared state, and
 * the merge touches nothing a matcher reads.  The merge walks a batch's
 * slots in input order and hands each event with its hits to the
 * callback, which applies them (plain alerts, correlation state,
 * incidents, anomaly models) exactly as one thread would.  Output is
 * therefore identical for any thread count.
 *
 * An EVTX record comes with no raw text: its JSON rendering is made
 * only when something reads it (a keyword rule, an alert's evidence), as
 * with one thread, and most records are never rendered.  The slot's copy
 * keeps that: parse_evtx_raw_attach() gives it a keeper of its own, so
 * the rendering is made from the slot's fields into the slot's arena by
 * whichever thread holds the slot then (a worker, or the reader in the
 * merge), the same text the decoder's event would give.
 *
 * Memory: two batches of slots of one event each plus their arenas,
 * fixed at start (an arena grows for a big record or rendering and
 * shrinks back when its slot is reused); worker threads are started per
 * batch (a few microseconds against the milliseconds a batch takes).
 */
#include "cli/cli_threads.h"

#include <pthread.h>
#include <stdatomic.h>
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

/* Slots a matcher takes from a batch at a time. */
#define TAKE 8
/* Bytes of records a batch holds before it goes to the workers, however
 * few: two batches of big records stay within twice this. */
#define BATCH_BYTES (32u << 20)
/* Field names kept once for the run (names[] slots; their bytes). */
#define NAMES_SLOTS 8192
#define NAMES_MAX (NAMES_SLOTS / 2)
#define NAMES_BYTES (512 * 1024)

struct batch {
	struct slot *slots;
	unsigned n;
	size_t bytes;		/* what its slots' arenas hold */
	atomic_uint next;	/* the first slot no matcher has taken */
};

struct worker {
	struct detect_matcher *m;
	struct batch *b;	/* the batch it matches */
	pthread_t tid;
	bool running;
};

struct cli_threads {
	struct detect_ruleset *rs;
	unsigned nthreads, cap;
	struct batch b[2];
	unsigned fill;		/* the batch being filled */
	bool out;		/* the other one is with the workers */
	struct worker *w;	/* w[0] is the reader's own */
	/*
	 * Field names, each copied once, open-addressed by the field's
	 * hash: records repeat a few hundred names, and a slot pointing at
	 * the shared copy saves a copy per field and keeps the names the
	 * matchers compare in cache.  Past NAMES_MAX names or NAMES_BYTES
	 * (keys of JSON records may all differ), names go to the slot.
	 */
	struct core_str names[NAMES_SLOTS];
	unsigned nnames;
	struct core_arena *name_arena;
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
	t->w = calloc(t->nthreads, sizeof(*t->w));
	t->name_arena = core_arena_new(64 * 1024);
	if (t->w == NULL || t->name_arena == NULL)
		goto fail;
	for (unsigned k = 0; k < 2; k++) {
		t->b[k].slots = calloc(t->cap, sizeof(*t->b[k].slots));
		if (t->b[k].slots == NULL)
			goto fail;
		for (unsigned i = 0; i < t->cap; i++) {
			t->b[k].slots[i].arena = core_arena_new(16 * 1024);
			if (t->b[k].slots[i].arena == NULL)
				goto fail;
		}
	}
	for (unsigned i = 0; i < t->nthreads; i++) {
		t->w[i].m = detect_matcher_new(rs);
		if (t->w[i].m == NULL)
			goto fail;
	}
	return t;
fail:
	cli_threads_free(t);
	return NULL;
}

/* A copy of s in the arena; an empty string stays as it is. */
static struct core_str dup_str(struct core_arena *a, struct core_str s)
{
	char *p;

	if (s.len == 0 || (p = core_arena_alloc(a, s.len)) == NULL)
		return core_str_make("", 0);
	memcpy(p, s.p, s.len);
	return core_str_make(p, s.len);
}

/* The run's copy of field name n (hash h), else a copy in a. */
static struct core_str name_of(struct cli_threads *t, struct core_arena *a,
			       struct core_str n, uint32_t h)
{
	unsigned k = h & (NAMES_SLOTS - 1);
	char *p;

	for (; t->names[k].p != NULL; k = (k + 1) & (NAMES_SLOTS - 1)) {
		if (core_str_eq(t->names[k], n))
			return t->names[k];
	}
	if (t->nnames == NAMES_MAX || n.len > 256 ||
	    core_arena_used(t->name_arena) + n.len > NAMES_BYTES ||
	    (p = core_arena_alloc(t->name_arena, n.len + 1)) == NULL)
		return dup_str(a, n);
	memcpy(p, n.p, n.len);
	p[n.len] = '\0';
	t->names[k] = core_str_make(p, n.len);
	t->nnames++;
	return t->names[k];
}

/* A copy of the NUL-terminated s in the arena, or NULL. */
static const char *dup_cstr(struct core_arena *a, const char *s)
{
	size_t n = s ? strlen(s) + 1 : 0;
	char *p = n ? core_arena_alloc(a, n) : NULL;

	if (p)
		memcpy(p, s, n);
	return p;
}

/* Matches the slots of its batch no other matcher took. */
static void *work(void *arg)
{
	struct worker *w = arg;
	struct batch *b = w->b;
	unsigned i;

	while ((i = atomic_fetch_add(&b->next, TAKE)) < b->n) {
		unsigned end = CORE_MIN(i + TAKE, b->n);

		for (; i < end; i++) {
			struct slot *s = &b->slots[i];

			s->nhits = detect_matcher_run(w->m, &s->ev, s->hits,
						      SLOT_HITS);
		}
	}
	return NULL;
}

/*
 * Hands b to the workers w[1, nthreads), each in a thread of its own; a
 * thread that cannot start leaves its share to the others.
 */
static void start(struct cli_threads *t, struct batch *b)
{
	atomic_store(&b->next, 0);
	for (unsigned i = 0; i < t->nthreads; i++)
		t->w[i].b = b;
	for (unsigned i = 1; i < t->nthreads; i++)
		t->w[i].running = pthread_create(&t->w[i].tid, NULL, work,
						 &t->w[i]) == 0;
}

/*
 * Waits until the batch handed out is matched: the caller matches what
 * the workers have not taken yet (w[0], its own matcher), then joins
 * them.
 */
static void wait_all(struct cli_threads *t)
{
	work(&t->w[0]);
	for (unsigned i = 1; i < t->nthreads; i++) {
		if (t->w[i].running)
			pthread_join(t->w[i].tid, NULL);
		t->w[i].running = false;
	}
}

/* Hands b's events with their hits to fn, in input order. */
static void merge(struct batch *b, cli_threads_fn fn, void *ud)
{
	for (unsigned i = 0; i < b->n; i++) {
		struct slot *s = &b->slots[i];

		fn(&s->ev, s->nhits <= SLOT_HITS ? s->hits : NULL, s->nhits,
		   ud);
	}
	b->n = 0;
	b->bytes = 0;
}

void cli_threads_push(struct cli_threads *t, const struct core_event *ev,
		      cli_threads_fn fn, void *ud)
{
	struct batch *b = &t->b[t->fill];
	struct slot *s;

	if (b->n == t->cap || b->bytes >= BATCH_BYTES) {
		struct batch *back = &t->b[!t->fill];

		if (t->out)
			wait_all(t);
		start(t, b);
		t->out = true;
		if (back->n)
			merge(back, fn, ud);
		t->fill = !t->fill;
		b = back;
	}
	s = &b->slots[b->n++];
	core_arena_reset(s->arena);
	/* The fields in use only: the table (256) is ten times that. */
	memcpy(&s->ev, ev, offsetof(struct core_event, fields));
	memcpy(s->ev.fields, ev->fields, ev->nfields * sizeof(ev->fields[0]));
	s->ev.arena = s->arena;
	/* The input may be closed before the slot is merged. */
	s->ev.src = dup_cstr(s->arena, ev->src);
	/* Any other raw is copied as it is (a line of the reader's buffer). */
	if (!parse_evtx_raw_attach(&s->ev, &s->raw)) {
		s->ev.raw = dup_str(s->arena, *core_event_raw(ev));
		s->ev.raw_fn = NULL;
		s->ev.raw_ctx = NULL;
	}
	for (unsigned i = 0; i < ev->nfields; i++) {
		struct core_field *f = &s->ev.fields[i];

		if (f->id == CORE_F_NAMED)
			f->name = name_of(t, s->arena, f->name, f->hash);
		f->value = dup_str(s->arena, f->value);
	}
	b->bytes += core_arena_used(s->arena);
}

void cli_threads_flush(struct cli_threads *t, cli_threads_fn fn, void *ud)
{
	struct batch *b = &t->b[t->fill];

	if (t->out) {
		wait_all(t);
		merge(&t->b[!t->fill], fn, ud);
		t->out = false;
	}
	if (b->n == 0)
		return;
	start(t, b);
	wait_all(t);
	merge(b, fn, ud);
}

void cli_threads_free(struct cli_threads *t)
{
	if (t == NULL)
		return;
	if (t->out)		/* a batch still out: callers flush first */
		wait_all(t);
	for (unsigned k = 0; k < 2; k++) {
		for (unsigned i = 0; t->b[k].slots && i < t->cap; i++)
			core_arena_free(t->b[k].slots[i].arena);
		free(t->b[k].slots);
	}
	for (unsigned i = 0; t->w && i < t->nthreads; i++)
		detect_matcher_free(t->w[i].m);
	core_arena_free(t->name_arena);
	free(t->w);
	free(t);
}
