/*
 * anomaly_int.h: what the files of the anomaly room share beyond the
 * public header: raw access to the embedder's counts and the model's
 * tables for the state (de)serialiser.  Not for other rooms.
 */
#ifndef VIGIL_ANOMALY_INT_H
#define VIGIL_ANOMALY_INT_H

#include <string.h>

#include "anomaly/anomaly.h"

/*
 * The hash of token texts and token sequences inside one process (never
 * stored: template ids use anomaly_template_id()).  Eight bytes a step,
 * each folded in by a multiply and a shift; byte-at-a-time FNV-1a was a
 * sixth of the mining time.
 */
static inline uint64_t anomaly_hash(const void *p, size_t len, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = seed ^ ((uint64_t)len * 0x9e3779b97f4a7c15ULL), w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, len);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

/*
 * The document-frequency sketch (ANOMALY_DF_SLOTS counters) and, in
 * *docs, the number of documents learnt: both may be written.
 */
uint32_t *anomaly_embedder_df(struct anomaly_embedder *e, uint64_t **docs);

/* One learnt template's figures, indexed like the miner's clusters. */
struct anomaly_tstat {
	uint64_t count;
	int64_t first, last;
};

/* A set of 64-bit keys (pairs seen), open addressing, 0 never stored. */
struct anomaly_set {
	uint64_t *k;
	size_t n, cap;		/* cap: power of two */
	size_t max;		/* ceiling on n */
};

bool anomaly_set_has(const struct anomaly_set *s, uint64_t k);
/* Adds k; 1 added, 0 present, CORE_E_NOMEM, CORE_E_TOOBIG at max. */
int anomaly_set_add(struct anomaly_set *s, uint64_t k);

/* Per host/service volume: events per hour, learnt then watched. */
struct anomaly_vol {
	uint64_t key;
	char name[64];		/* "host/service", cut */
	uint64_t hours;		/* hours learnt with events */
	double sum, sumsq;	/* of events per such hour */
	int64_t hour;		/* hour at hand (scoring), or -1 */
	uint64_t now;		/* events in it */
	int64_t first_ts;
	char src[160];		/* evidence: the hour's first event */
	uint64_t line;
};

/* The model's tables, for state.c. */
struct anomaly_model_tables {
	struct anomaly_tstat **tstat;
	size_t *ntstat;
	struct anomaly_set *pairs;
	struct anomaly_vol **vol;
	size_t *nvol;
	uint64_t *learnt;
	int64_t *first, *last;
};

void anomaly_model_tables(struct anomaly_model *m,
			  struct anomaly_model_tables *out);

/* Makes room for n templates' figures in the model.  0 or NOMEM. */
int anomaly_model_tstat_reserve(struct anomaly_model *m, size_t n);

/* Rebuilds the volume index after *nvol records were filled in. */
int anomaly_model_vol_index(struct anomaly_model *m);

#endif /* VIGIL_ANOMALY_INT_H */
