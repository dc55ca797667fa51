/*
 * embed.c: dense vectors of log texts by feature hashing.
 *
 * A text is masked (mask.c) so that a raw message and its template give
 * the same features.  Its features are:
 *
 *   each token            weight 1 (a slot "<*>": 0.25, it says little)
 *   each pair of tokens   weight 0.5 (word order: "opened" then "for")
 *   character trigrams    weight 0.3 each, of constant words, lowercased,
 *                         with word boundaries ("^pa", "pas", ..., "d$"):
 *                         "password" and "passwd" share most of them
 *
 * Each feature is a 64-bit hash.  Its weight is multiplied by its inverse
 * document frequency over the templates learnt, 1 + ln((1 + N) / (1 +
 * df)), so the words every template has ("for", "from") count less than
 * the ones that name an action.  Document frequencies live in a fixed
 * sketch of ANOMALY_DF_SLOTS counters (collisions only blur rare
 * weights).  The feature then adds +w or -w (one bit of the hash) to one
 * of dim buckets (other bits): feature hashing with signed buckets, whose
 * dot products estimate those of the sparse vectors without bias.  The
 * result is L2-normalised, so cosine is a dot product.
 *
 * Cost: one masking and about ten hashes per token; no allocation per
 * call (the scratch lives in the embedder).  One embedder is used by one
 * thread at a time.
 */
#include "anomaly/anomaly_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FEAT_MAX 4096		/* features looked at per text */
#define SEED_WORD 0x656d6265640a0001ULL
#define SEED_PAIR 0x656d6265640a0002ULL
#define SEED_GRAM 0x656d6265640a0003ULL

struct feat {
	uint64_t h;
	float w;
};

struct anomaly_embedder {
	unsigned dim;
	uint64_t docs;			/* N */
	uint32_t *df;			/* ANOMALY_DF_SLOTS counters */
	struct feat *f;			/* FEAT_MAX scratch */
	struct anomaly_tokens tok;	/* scratch of the text at hand */
};

struct anomaly_embedder *anomaly_embedder_new(unsigned dim)
{
	struct anomaly_embedder *e;

	if (dim < 16 || dim > ANOMALY_DIM_MAX)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->dim = dim;
	e->df = calloc(ANOMALY_DF_SLOTS, sizeof(*e->df));
	e->f = malloc(FEAT_MAX * sizeof(*e->f));
	if (!e->df || !e->f) {
		anomaly_embedder_free(e);
		return NULL;
	}
	return e;
}

void anomaly_embedder_free(struct anomaly_embedder *e)
{
	if (!e)
		return;
	free(e->df);
	free(e->f);
	free(e);
}

unsigned anomaly_embedder_dim(const struct anomaly_embedder *e)
{
	return e->dim;
}

uint32_t *anomaly_embedder_df(struct anomaly_embedder *e, uint64_t **docs)
{
	*docs = &e->docs;
	return e->df;
}

static void feat_put(struct anomaly_embedder *e, size_t *n, uint64_t h,
		     float w)
{
	if (*n < FEAT_MAX)
		e->f[(*n)++] = (struct feat){ h, w };
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Trigrams of "^word$", lowercased. */
static void trigrams(struct anomaly_embedder *e, size_t *n,
		     struct core_str w)
{
	char g[66];

	if (w.len > 64)
		return;
	g[0] = '^';
	for (size_t i = 0; i < w.len; i++)
		g[i + 1] = lower(w.p[i]);
	g[w.len + 1] = '$';
	for (size_t i = 0; i + 3 <= w.len + 2; i++)
		feat_put(e, n, core_hash(g + i, 3, SEED_GRAM), 0.3f);
}

/* The features of the text in e->tok, into e->f; returns how many. */
static size_t features(struct anomaly_embedder *e, const char *p, size_t len)
{
	struct anomaly_tokens *t = &e->tok;
	size_t n = 0;

	anomaly_mask_line(p, len, t);
	for (size_t i = 0; i < t->n; i++) {
		struct core_str w = anomaly_tokens_get(t, i);
		bool slot = t->flags[i] & ANOMALY_TOK_SLOT;

		feat_put(e, &n, core_hash(w.p, w.len, SEED_WORD),
			 slot ? 0.25f : 1.0f);
		if (i > 0) {
			uint64_t pair[2] = { t->hash[i - 1], t->hash[i] };

			feat_put(e, &n, core_hash(pair, sizeof(pair),
						  SEED_PAIR), 0.5f);
		}
		if (t->flags[i] & ANOMALY_TOK_CONST)
			trigrams(e, &n, w);
	}
	return n;
}

static int feat_cmp(const void *a, const void *b)
{
	const struct feat *x = a, *y = b;

	return x->h < y->h ? -1 : x->h > y->h;
}

void anomaly_embedder_learn(struct anomaly_embedder *e, const char *p,
			    size_t len)
{
	size_t n = features(e, p, len);

	qsort(e->f, n, sizeof(*e->f), feat_cmp);
	for (size_t i = 0; i < n; i++) {
		uint32_t *c = &e->df[e->f[i].h & (ANOMALY_DF_SLOTS - 1)];

		if ((i == 0 || e->f[i].h != e->f[i - 1].h) && *c < UINT32_MAX)
			(*c)++;
	}
	e->docs++;
}

static float idf(const struct anomaly_embedder *e, uint64_t h)
{
	double df = e->df[h & (ANOMALY_DF_SLOTS - 1)];

	return (float)(1.0 + log((1.0 + (double)e->docs) / (1.0 + df)));
}

void anomaly_embed(struct anomaly_embedder *e, const char *p, size_t len,
		   float *out)
{
	size_t n = features(e, p, len);
	double norm = 0;

	memset(out, 0, e->dim * sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		uint64_t h = e->f[i].h;
		float w = e->f[i].w * idf(e, h);

		out[(h >> 17) % e->dim] += (h >> 63) ? -w : w;
	}
	for (unsigned i = 0; i < e->dim; i++)
		norm += (double)out[i] * out[i];
	if (norm <= 0)
		return;
	norm = 1.0 / sqrt(norm);
	for (unsigned i = 0; i < e->dim; i++)
		out[i] = (float)(out[i] * norm);
}

float anomaly_cosine(const float *a, const float *b, unsigned dim)
{
	float s = 0;

	for (unsigned i = 0; i < dim; i++)
		s += a[i] * b[i];
	return s;
}
