/*
 * cli_threads.h: `vigil analyze --threads N`: plain-rule matching in
 * worker threads over batches of events, merged back in input order.
 */
#ifndef VIGIL_CLI_THREADS_H
#define VIGIL_CLI_THREADS_H

#include "detect/detect.h"

struct cli_threads;

/*
 * What the merge stage gets, once per event, in input order: the event
 * (a copy valid during the call) and the plain rules it matched (hits,
 * n of them, for detect_apply()); hits is NULL when the worker kept
 * more hits than it could store, and the caller must then run
 * detect_match() on the event itself.
 */
typedef void (*cli_threads_fn)(struct core_event *ev, const uint32_t *hits,
			       unsigned n, void *ud);

/*
 * Threads matching against rs (compiled), nthreads >= 2 of them counting
 * the caller's, over two batches of up to batch events each: the caller
 * fills one while nthreads - 1 workers match the other.  NULL on
 * failure.
 */
struct cli_threads *cli_threads_new(struct detect_ruleset *rs,
				    unsigned nthreads, unsigned batch);
void cli_threads_free(struct cli_threads *t);

/*
 * Copies ev (field names and values, its input's name and the raw
 * record, or for an EVTX record nothing more: its rendering is made from
 * the copy when read) into the batch being filled.  When that batch is
 * full (batch events, or 32 MiB of records) it goes to the worker
 * threads, and the batch they matched before is merged through fn, in
 * input order, while they match: fn runs on the caller's thread only.
 */
void cli_threads_push(struct cli_threads *t, const struct core_event *ev,
		      cli_threads_fn fn, void *ud);

/* Matches and merges every event pushed and not yet merged: call once
 * all inputs are read, before anything reads the merged state. */
void cli_threads_flush(struct cli_threads *t, cli_threads_fn fn, void *ud);

#endif /* VIGIL_CLI_THREADS_H */
