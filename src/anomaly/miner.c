/*
 * miner.c: online template mining.
 *
 * Each message is masked (mask.c) into tokens, then assigned to a
 * template in one pass:
 *
 *   1. An exact-match cache maps the hash of the whole masked token
 *      sequence to the template that took it last time.  Real logs repeat
 *      their masked shapes, so most messages end here, at the cost of one
 *      hash and one probe.
 *   2. Otherwise the candidates are the templates of the same length
 *      whose first token is the same constant word (or, when the first
 *      token is not a constant-looking word, those whose first token is
 *      not either): Drain's first two tree levels as one hash bucket.
 *   3. A candidate accepts the message unless two different
 *      constant-looking words meet at one position (a "hard" mismatch:
 *      "opened" against "closed"), and only when the message repeats at
 *      least `similarity` of the positions that are not slots yet.  The
 *      best candidate takes it and turns the positions that differed into
 *      slots, keeping the punctuation common to both sides
 *      ("(id3)" and "(id4)" give "(<*>)").
 *   4. No candidate: a new template, as the message's tokens.
 *
 * Words that are variables (user and host names) are therefore never
 * merged online; the final pass (anomaly_miner_finish) does it from
 * evidence: templates equal but for one position, with at least
 * merge_min_values different words there, become one template with a slot
 * at that position, when the median of their counts is small (variables
 * take mostly rare values; alternatives of a constant, "VM Started" and
 * "VM Stopped", are each frequent), or when the word before announces a
 * name ("for user X").  "opened"/"closed" stay apart.
 *
 * Memory is bounded by max_templates (each holds its tokens and a cut
 * example) and the fixed cache; when the table is full, a message that
 * fits no template joins the nearest one of its bucket, or a catch-all.
 */
#include "anomaly/anomaly_int.h"

#include <stdlib.h>
#include <string.h>

#define SLOT "<*>"
#define ID_SEED 0x76696769c0ffee01ULL
#define SEQ_SEED 0x5bd1e9955bd1e995ULL
#define CACHE_PROBES 8

/* Per-token flags of a template. */
enum {
	TF_CONST = 1 << 0,	/* a constant-looking word */
	TF_GLOB = 1 << 1,	/* prefix + slot + suffix, matches by shape */
};

struct tpl {
	uint32_t n;
	uint32_t parent;	/* union-find: itself while live */
	uint32_t next;		/* bucket chain; UINT32_MAX ends it */
	uint64_t bkey;
	uint64_t count;
	uint64_t sid;		/* stable id once saved; 0: from text */
	uint64_t *hash;		/* of each token's text */
	uint8_t *flags;
	uint32_t *off, *len;	/* into text */
	uint16_t *plen, *slen;	/* literal prefix and suffix of a glob */
	uint16_t *klen;		/* key of key=value tokens, or 0 */
	char *text;		/* tokens joined by one space, NUL ended */
	size_t text_len;
	char *example;
	size_t example_len;
};

struct cache_ent {
	uint64_t key;		/* 0: empty */
	uint32_t tpl;
};

struct anomaly_miner {
	struct anomaly_miner_opts o;
	struct tpl *t;
	size_t nt, capt;
	uint32_t *bhead;	/* bucket heads, power-of-two size */
	size_t nbuckets;
	struct cache_ent *cache;
	size_t cache_mask;
	uint32_t catch_all;	/* UINT32_MAX until needed */
	struct anomaly_tokens tok;	/* scratch of the message at hand */
	struct core_buf scratch;	/* text rebuilding */
};

void anomaly_miner_opts_default(struct anomaly_miner_opts *o)
{
	o->similarity = 0.5;
	o->merge_min_values = 3;
	o->merge_max_median = 8;
	o->max_templates = 100000;
	o->cache_slots = 1u << 16;
	o->example_len = 240;
}

uint64_t anomaly_template_id(const char *p, size_t len)
{
	return core_hash(p, len, ID_SEED);
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 16;

	while (p < n)
		p <<= 1;
	return p;
}

struct anomaly_miner *anomaly_miner_new(const struct anomaly_miner_opts *opts)
{
	struct anomaly_miner *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (opts)
		m->o = *opts;
	else
		anomaly_miner_opts_default(&m->o);
	if (m->o.max_templates == 0 || m->o.max_templates > UINT32_MAX / 2)
		m->o.max_templates = 100000;
	m->catch_all = UINT32_MAX;
	m->nbuckets = 1024;
	m->bhead = malloc(m->nbuckets * sizeof(*m->bhead));
	m->cache_mask = pow2_at_least(m->o.cache_slots) - 1;
	m->cache = calloc(m->cache_mask + 1, sizeof(*m->cache));
	if (!m->bhead || !m->cache) {
		anomaly_miner_free(m);
		return NULL;
	}
	memset(m->bhead, 0xff, m->nbuckets * sizeof(*m->bhead));
	core_buf_init(&m->scratch, 4 * ANOMALY_MASK_BUF);
	return m;
}

static void tpl_release(struct tpl *t)
{
	free(t->hash);
	free(t->text);
	free(t->example);
}

void anomaly_miner_free(struct anomaly_miner *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nt; i++)
		tpl_release(&m->t[i]);
	free(m->t);
	free(m->bhead);
	free(m->cache);
	core_buf_free(&m->scratch);
	free(m);
}

/* ------------------------------------------------------------- buckets */

static uint64_t bucket_key(const struct anomaly_tokens *tk)
{
	uint64_t k = (uint64_t)tk->n * 0x9e3779b97f4a7c15ULL;

	if (tk->n && (tk->flags[0] & ANOMALY_TOK_CONST))
		k ^= tk->hash[0];
	return k | 1;
}

static int buckets_grow(struct anomaly_miner *m)
{
	size_t nb = m->nbuckets * 2;
	uint32_t *h = malloc(nb * sizeof(*h));

	if (!h)
		return CORE_E_NOMEM;
	memset(h, 0xff, nb * sizeof(*h));
	for (size_t i = 0; i < m->nt; i++) {
		struct tpl *t = &m->t[i];
		size_t b = t->bkey & (nb - 1);

		t->next = h[b];
		h[b] = (uint32_t)i;
	}
	free(m->bhead);
	m->bhead = h;
	m->nbuckets = nb;
	return 0;
}

/* --------------------------------------------------------------- cache */

static uint64_t seq_key(const struct anomaly_tokens *tk)
{
	uint64_t k = anomaly_hash(tk->hash, tk->n * sizeof(tk->hash[0]),
			       SEQ_SEED);

	return k ? k : 1;
}

static struct cache_ent *cache_find(struct anomaly_miner *m, uint64_t key)
{
	for (size_t i = 0; i < CACHE_PROBES; i++) {
		struct cache_ent *c = &m->cache[(key + i) & m->cache_mask];

		if (c->key == key)
			return c;
		if (c->key == 0)
			return NULL;
	}
	return NULL;
}

static void cache_put(struct anomaly_miner *m, uint64_t key, uint32_t tpl)
{
	struct cache_ent *first = &m->cache[key & m->cache_mask];

	for (size_t i = 0; i < CACHE_PROBES; i++) {
		struct cache_ent *c = &m->cache[(key + i) & m->cache_mask];

		if (c->key == 0 || c->key == key) {
			c->key = key;
			c->tpl = tpl;
			return;
		}
	}
	first->key = key;
	first->tpl = tpl;
}

/* ----------------------------------------------------------- templates */

static bool is_word_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (unsigned char)c >= 0x80;
}

/* Would cutting a before offset c split a "<*>" in it? */
static bool splits_slot(struct core_str a, size_t c)
{
	for (size_t k = c >= 2 ? c - 2 : 0; k < c && k + 3 <= a.len; k++)
		if (memcmp(a.p + k, SLOT, 3) == 0)
			return true;
	return false;
}

/* Longest common prefix of a and b ending just after punctuation. */
static size_t common_prefix(struct core_str a, struct core_str b)
{
	size_t c = 0, max = CORE_MIN(a.len, b.len);

	while (c < max && a.p[c] == b.p[c])
		c++;
	while (c > 0 && (is_word_char(a.p[c - 1]) || splits_slot(a, c)))
		c--;
	return c;
}

/* Longest common suffix of a and b starting at punctuation. */
static size_t common_suffix(struct core_str a, struct core_str b)
{
	size_t c = 0, max = CORE_MIN(a.len, b.len);

	while (c < max && a.p[a.len - 1 - c] == b.p[b.len - 1 - c])
		c++;
	while (c > 0 && (is_word_char(a.p[a.len - c]) ||
			 a.p[a.len - c] == '_' || splits_slot(a, a.len - c)))
		c--;
	return c;
}

static struct core_str tpl_tok(const struct tpl *t, size_t i)
{
	return core_str_make(t->text + t->off[i], t->len[i]);
}

/* Does token s fit glob i of t (prefix and suffix present, apart)? */
static bool glob_fits(const struct tpl *t, size_t i, struct core_str s)
{
	struct core_str g = tpl_tok(t, i);
	size_t pl = t->plen[i], sl = t->slen[i];

	return s.len >= pl + sl && memcmp(s.p, g.p, pl) == 0 &&
	       memcmp(s.p + s.len - sl, g.p + g.len - sl, sl) == 0;
}

/* Number of slots in [p, p + n). */
static size_t slots_in(const char *p, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i + 3 <= n; i++)
		if (memcmp(p + i, SLOT, 3) == 0)
			k++, i += 2;
	return k;
}

/*
 * A token that would hold three or more slots once widened
 * ("<*>~<*>~amd64~~<*>") is a compound value that varies as a whole:
 * it becomes one slot, keeping only the brackets and quotes around it.
 */
static void frame_only(struct core_str g, size_t *pl, size_t *sl)
{
	size_t a = 0, z = 0;

	while (a < *pl && strchr("([{'\"", g.p[a]))
		a++;
	while (z < *sl && strchr(")]}'\",;:.", g.p[g.len - 1 - z]))
		z++;
	*pl = a;
	*sl = z;
}

/*
 * Rebuilds t's text with token i replaced by the glob of its common
 * prefix and suffix with s (s may point into t's own text).
 */
static int tpl_widen(struct anomaly_miner *m, struct tpl *t, size_t i,
		     struct core_str s)
{
	struct core_str g = tpl_tok(t, i), pre, suf;
	struct core_buf *b = &m->scratch;
	size_t pl, sl;
	char *text;
	int rc = 0;

	if (t->flags[i] & TF_GLOB) {
		pre = core_str_make(g.p, t->plen[i]);
		suf = core_str_make(g.p + g.len - t->slen[i], t->slen[i]);
	} else {
		pre = suf = g;
	}
	pl = common_prefix(pre, s);
	sl = common_suffix(suf, s);
	if (pl + sl > CORE_MIN(g.len, s.len))
		sl = 0;
	/* A slot next to the new one is absorbed: never "<*><*>". */
	if (pl >= 3 && memcmp(g.p + pl - 3, SLOT, 3) == 0)
		pl -= 3;
	if (sl >= 3 && memcmp(g.p + g.len - sl, SLOT, 3) == 0)
		sl -= 3;
	if (slots_in(g.p, pl) + 1 + slots_in(g.p + g.len - sl, sl) >= 3)
		frame_only(g, &pl, &sl);
	core_buf_reset(b);
	rc |= core_buf_add(b, t->text, t->off[i] + pl);
	rc |= core_buf_add(b, SLOT, 3);
	rc |= core_buf_add(b, g.p + g.len - sl, sl);
	rc |= core_buf_add(b, g.p + g.len, t->text_len - t->off[i] - g.len);
	if (rc)
		return CORE_E_NOMEM;
	text = malloc(b->len + 1);
	if (!text)
		return CORE_E_NOMEM;
	memcpy(text, b->p, b->len);
	text[b->len] = '\0';
	for (size_t k = i + 1; k < t->n; k++)
		t->off[k] = t->off[k] + (uint32_t)(pl + 3 + sl) - t->len[i];
	t->len[i] = (uint32_t)(pl + 3 + sl);
	t->plen[i] = (uint16_t)pl;
	t->slen[i] = (uint16_t)sl;
	t->flags[i] = TF_GLOB;
	if (pl <= t->klen[i])
		t->klen[i] = 0;
	free(t->text);
	t->text = text;
	t->text_len = b->len;
	t->hash[i] = anomaly_hash(text + t->off[i], t->len[i],
			       0x9e3779b97f4a7c15ULL);
	return 0;
}

static int tpl_init(struct anomaly_miner *m, struct tpl *t,
		    const struct anomaly_tokens *tk, const char *msg,
		    size_t len)
{
	size_t n = tk->n, per = 8 + 1 + 4 + 4 + 2 + 2 + 2, tl = 0;
	char *mem;

	memset(t, 0, sizeof(*t));
	mem = malloc(n * per + 1);
	for (size_t i = 0; i < n; i++)
		tl += tk->len[i] + 1;
	t->text = malloc(tl + 1);
	t->example_len = CORE_MIN(len, m->o.example_len);
	t->example = malloc(t->example_len + 1);
	if (!mem || !t->text || !t->example) {
		free(mem);
		tpl_release(t);
		return CORE_E_NOMEM;
	}
	t->hash = (uint64_t *)(void *)mem;
	t->off = (uint32_t *)(void *)(mem + n * 8);
	t->len = t->off + n;
	t->plen = (uint16_t *)(void *)(t->len + n);
	t->slen = t->plen + n;
	t->klen = t->slen + n;
	t->flags = (uint8_t *)(t->klen + n);
	t->n = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		struct core_str s = anomaly_tokens_get(tk, i);

		if (i)
			t->text[t->text_len++] = ' ';
		t->off[i] = (uint32_t)t->text_len;
		t->len[i] = (uint32_t)s.len;
		memcpy(t->text + t->text_len, s.p, s.len);
		t->text_len += s.len;
		t->hash[i] = tk->hash[i];
		t->flags[i] = (tk->flags[i] & ANOMALY_TOK_CONST) ? TF_CONST : 0;
		if (tk->flags[i] & ANOMALY_TOK_SLOT)
			t->flags[i] = TF_GLOB;
		t->plen[i] = t->slen[i] = 0;
		t->klen[i] = tk->klen[i];
	}
	t->text[t->text_len] = '\0';
	memcpy(t->example, msg, t->example_len);
	t->example[t->example_len] = '\0';
	return 0;
}

static int tpl_add(struct anomaly_miner *m, const struct anomaly_tokens *tk,
		   const char *msg, size_t len, uint32_t *out)
{
	struct tpl *t;
	size_t b;
	int rc;

	if (m->nt == m->capt) {
		size_t cap = m->capt ? m->capt * 2 : 64;
		struct tpl *nt = realloc(m->t, cap * sizeof(*nt));

		if (!nt)
			return CORE_E_NOMEM;
		m->t = nt;
		m->capt = cap;
	}
	if (m->nt >= 2 * m->nbuckets && (rc = buckets_grow(m)) != 0)
		return rc;
	t = &m->t[m->nt];
	if ((rc = tpl_init(m, t, tk, msg, len)) != 0)
		return rc;
	t->parent = (uint32_t)m->nt;
	t->bkey = bucket_key(tk);
	t->count = 1;
	b = t->bkey & (m->nbuckets - 1);
	t->next = m->bhead[b];
	m->bhead[b] = (uint32_t)m->nt;
	*out = (uint32_t)m->nt++;
	return 0;
}

/* ------------------------------------------------------------ matching */

struct score {
	size_t eq;		/* equal tokens */
	size_t wild;		/* tokens a glob took */
	size_t soft;		/* tokens that would widen the template */
	bool hard;		/* two constant words met */
};

/* Both tokens at i are key=value with one key. */
static bool same_key(const struct tpl *t, size_t i,
		     const struct anomaly_tokens *tk)
{
	return t->klen[i] == tk->klen[i] &&
	       memcmp(t->text + t->off[i], tk->buf + tk->off[i],
		      t->klen[i]) == 0;
}

static struct score score_of(const struct tpl *t,
			     const struct anomaly_tokens *tk)
{
	struct score s = { 0, 0, 0, false };

	for (size_t i = 0; i < t->n; i++) {
		if (t->hash[i] == tk->hash[i])
			s.eq++;
		else if ((t->flags[i] & TF_GLOB) &&
			 glob_fits(t, i, anomaly_tokens_get(tk, i)))
			s.wild++;
		else if ((t->klen[i] || tk->klen[i]) && !same_key(t, i, tk))
			return s.hard = true, s;
		else if ((t->flags[i] & TF_CONST) &&
			 (tk->flags[i] & ANOMALY_TOK_CONST))
			return s.hard = true, s;
		else
			s.soft++;
	}
	return s;
}

static bool score_accepts(const struct anomaly_miner *m, struct score s)
{
	return !s.hard && (double)s.eq >= m->o.similarity * (double)(s.eq +
								   s.soft);
}

static bool score_better(struct score a, struct score b)
{
	if (a.eq != b.eq)
		return a.eq > b.eq;
	return a.wild > b.wild;
}

/* Widens t where tk differs from it. */
static int tpl_absorb(struct anomaly_miner *m, struct tpl *t,
		      const struct anomaly_tokens *tk)
{
	for (size_t i = 0; i < t->n; i++) {
		struct core_str s = anomaly_tokens_get(tk, i);
		int rc;

		if (t->hash[i] == tk->hash[i])
			continue;
		if ((t->flags[i] & TF_GLOB) && glob_fits(t, i, s))
			continue;
		if ((rc = tpl_widen(m, t, i, s)) != 0)
			return rc;
	}
	return 0;
}

static uint32_t find_root(const struct anomaly_miner *m, uint32_t i)
{
	while (m->t[i].parent != i)
		i = m->t[i].parent;
	return i;
}

/* Best live candidate in tk's bucket; UINT32_MAX when none accepts. */
static uint32_t best_candidate(struct anomaly_miner *m,
			       const struct anomaly_tokens *tk, uint64_t bkey,
			       bool any)
{
	uint32_t best = UINT32_MAX;
	struct score bs = { 0, 0, 0, false };

	for (uint32_t i = m->bhead[bkey & (m->nbuckets - 1)]; i != UINT32_MAX;
	     i = m->t[i].next) {
		struct tpl *t = &m->t[i];
		struct score s;

		if (t->bkey != bkey || t->parent != i || t->n != tk->n)
			continue;
		s = score_of(t, tk);
		if (!any && !score_accepts(m, s))
			continue;
		if (best == UINT32_MAX || score_better(s, bs)) {
			best = i;
			bs = s;
		}
	}
	return best;
}

static int catch_all(struct anomaly_miner *m, const char *p, size_t len,
		     uint32_t *id)
{
	struct anomaly_tokens *tk = &m->tok;
	int rc;

	if (m->catch_all == UINT32_MAX) {
		anomaly_mask_line(SLOT, 3, tk);
		if ((rc = tpl_add(m, tk, p, len, &m->catch_all)) != 0)
			return rc;
		m->t[m->catch_all].count = 0;
	}
	m->t[m->catch_all].count++;
	*id = m->catch_all;
	return 0;
}

int anomaly_miner_add(struct anomaly_miner *m, const char *p, size_t len,
		      uint32_t *id)
{
	struct anomaly_tokens *tk = &m->tok;
	struct cache_ent *c;
	uint64_t key, bkey;
	uint32_t best, dummy;
	int rc;

	if (!id)
		id = &dummy;
	anomaly_mask_line(p, len, tk);
	key = seq_key(tk);
	if ((c = cache_find(m, key)) != NULL) {
		*id = find_root(m, c->tpl);
		m->t[*id].count++;
		return 0;
	}

	bkey = bucket_key(tk);
	best = best_candidate(m, tk, bkey, false);
	if (best == UINT32_MAX && m->nt >= m->o.max_templates) {
		best = best_candidate(m, tk, bkey, true);
		if (best == UINT32_MAX)
			return catch_all(m, p, len, id);
	}

	if (best == UINT32_MAX) {
		if ((rc = tpl_add(m, tk, p, len, &best)) != 0)
			return rc;
	} else {
		if ((rc = tpl_absorb(m, &m->t[best], tk)) != 0)
			return rc;
		m->t[best].count++;
	}
	cache_put(m, key, best);
	*id = best;
	return 0;
}

/* ---------------------------------------------------------- final pass */

struct sib {
	uint64_t sig;		/* hash of the other positions and length */
	uint32_t tpl;
};

static int sib_cmp(const void *a, const void *b)
{
	const struct sib *x = a, *y = b;

	if (x->sig != y->sig)
		return x->sig < y->sig ? -1 : 1;
	return x->tpl < y->tpl ? -1 : x->tpl > y->tpl;
}

static uint64_t sig_without(const struct tpl *t, size_t pos)
{
	uint64_t h = core_hash(&t->n, sizeof(t->n), pos + 1);

	for (size_t i = 0; i < t->n; i++)
		if (i != pos)
			h = core_hash(&t->hash[i], sizeof(t->hash[i]), h);
	return core_hash(t->text + t->off[pos], t->klen[pos], h);
}

/* Distinct values at pos among the templates s[0..n). */
static size_t distinct_at(const struct anomaly_miner *m, const struct sib *s,
			  size_t n, size_t pos)
{
	size_t d = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t h = m->t[s[i].tpl].hash[pos];
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = m->t[s[j].tpl].hash[pos] == h;
		d += !seen;
	}
	return d;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Do the n templates s[0..n), all different at one position, read as
 * one template with a variable there?  Enough of them, and the median
 * value seen only a few times: "VM Started", "VM Stopped" ... each
 * seen dozens of times are alternatives of a constant; user names are
 * mostly rare, even when "root" is common.
 */
static bool looks_variable(const struct anomaly_miner *m, const struct sib *s,
			   size_t n, uint64_t *counts)
{
	if (n < m->o.merge_min_values)
		return false;
	for (size_t i = 0; i < n; i++)
		counts[i] = m->t[s[i].tpl].count;
	qsort(counts, n, sizeof(*counts), u64_cmp);
	return (double)counts[n / 2] <= m->o.merge_max_median;
}

static const char *const name_keywords[] = {
	"user", "users", "username", "account", "login", "group", "host",
	"hostname",
};

/*
 * Is the token before pos a word that announces a name ("for user X")?
 * Then two values are enough evidence of a variable.
 */
static bool after_keyword(const struct tpl *t, size_t pos)
{
	struct core_str w = tpl_tok(t, pos - 1);

	if (w.len && (w.p[w.len - 1] == ':'))
		w.len--;
	for (size_t k = 0; k < CORE_ARRAY_LEN(name_keywords); k++)
		if (core_str_ieq(w, core_str_make(name_keywords[k],
						  strlen(name_keywords[k]))))
			return true;
	return false;
}

/* Folds the group s[0..n) into its first template at pos. */
static int merge_group(struct anomaly_miner *m, const struct sib *s,
		       size_t n, size_t pos)
{
	struct tpl *a = &m->t[s[0].tpl];

	for (size_t i = 1; i < n; i++) {
		struct tpl *b = &m->t[s[i].tpl];
		int rc;

		if (!(a->flags[pos] & TF_GLOB) || !glob_fits(a, pos,
							     tpl_tok(b, pos))) {
			if ((rc = tpl_widen(m, a, pos, tpl_tok(b, pos))) != 0)
				return rc;
		}
		a->count += b->count;
		b->count = 0;
		b->parent = s[0].tpl;
	}
	return 0;
}

/* One sweep over position pos of all live templates; *merged counts. */
static int merge_at(struct anomaly_miner *m, struct sib *s, uint64_t *counts,
		    size_t pos, size_t *merged)
{
	size_t ns = 0;

	for (size_t i = 0; i < m->nt; i++) {
		struct tpl *t = &m->t[i];

		if (t->parent == i && t->n > pos && t->n >= 3 && pos > 0 &&
		    i != m->catch_all)
			s[ns++] = (struct sib){ sig_without(t, pos),
						(uint32_t)i };
	}
	qsort(s, ns, sizeof(*s), sib_cmp);
	for (size_t i = 0, j; i < ns; i = j) {
		size_t d;
		int rc;

		for (j = i + 1; j < ns && s[j].sig == s[i].sig; j++)
			;
		if (j - i < 2)
			continue;
		d = distinct_at(m, s + i, j - i, pos);
		if (d != 1 && (d != j - i ||
			       (!after_keyword(&m->t[s[i].tpl], pos) &&
				!looks_variable(m, s + i, j - i, counts))))
			continue;
		if ((rc = merge_group(m, s + i, j - i, pos)) != 0)
			return rc;
		*merged += j - i - 1;
	}
	return 0;
}

int anomaly_miner_finish(struct anomaly_miner *m)
{
	size_t maxn = 0, merged;
	uint64_t *counts;
	struct sib *s;
	int rc = 0;

	if (m->o.merge_min_values == 0 || m->nt == 0)
		return 0;
	for (size_t i = 0; i < m->nt; i++)
		maxn = CORE_MAX(maxn, m->t[i].n);
	s = malloc(m->nt * sizeof(*s));
	counts = malloc(m->nt * sizeof(*counts));
	if (!s || !counts) {
		free(s);
		free(counts);
		return CORE_E_NOMEM;
	}
	for (int round = 0; round < 4; round++) {
		merged = 0;
		for (size_t pos = 0; pos < maxn && rc == 0; pos++)
			rc = merge_at(m, s, counts, pos, &merged);
		if (rc || merged == 0)
			break;
	}
	free(s);
	free(counts);
	return rc;
}

uint32_t anomaly_miner_resolve(const struct anomaly_miner *m, uint32_t id)
{
	if (id >= m->nt)
		return id;
	return find_root(m, id);
}

size_t anomaly_miner_clusters(const struct anomaly_miner *m)
{
	return m->nt;
}

void anomaly_miner_get(struct anomaly_miner *m, uint32_t idx,
		       struct anomaly_template *out)
{
	struct tpl *t = &m->t[idx];

	out->live = t->parent == idx;
	out->count = t->count;
	out->text = core_str_make(t->text, t->text_len);
	out->example = core_str_make(t->example, t->example_len);
	out->id = t->sid ? t->sid : anomaly_template_id(t->text, t->text_len);
}

/*
 * A restored token holding slots matches by shape: the literal before
 * its first slot and after its last one.
 */
static void restore_glob(struct tpl *t, size_t i)
{
	struct core_str g = tpl_tok(t, i);
	size_t first = g.len, last = 0;

	for (size_t k = 0; k + 3 <= g.len; k++)
		if (memcmp(g.p + k, SLOT, 3) == 0) {
			first = CORE_MIN(first, k);
			last = k + 3;
		}
	if (first == g.len)
		return;
	t->flags[i] = TF_GLOB;
	t->plen[i] = (uint16_t)first;
	t->slen[i] = (uint16_t)(g.len - last);
	if (t->plen[i] <= t->klen[i])
		t->klen[i] = 0;
}

int anomaly_miner_restore(struct anomaly_miner *m,
			  const struct anomaly_template *in, uint32_t *idx)
{
	struct anomaly_tokens *tk = &m->tok;
	struct tpl *t;
	uint32_t i;
	int rc;

	anomaly_mask_line(in->text.p, in->text.len, tk);
	if ((rc = tpl_add(m, tk, in->example.p, in->example.len, &i)) != 0)
		return rc;
	t = &m->t[i];
	for (size_t k = 0; k < t->n; k++)
		restore_glob(t, k);
	t->count = in->count;
	t->sid = in->id;
	if (idx)
		*idx = i;
	return 0;
}
