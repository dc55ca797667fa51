/*
 * state.c: the model as one blob and back, for the store.
 *
 * Layout (all integers little-endian, no padding):
 *
 *   magic    8 bytes "VGANOM\0\1"
 *   version  u32 (1)       dim  u32 (16..512)
 *   learnt   u64           first i64   last i64   (microseconds)
 *   ntpl     u32, then per template:
 *            id u64 (version 2 only), len u32, text (len bytes),
 *            count u64, first i64, last i64
 *   npairs   u32, then npairs u64 keys
 *   nvol     u32, then per host/service:
 *            key u64, namelen u8, name, hours u64, sum f64, sumsq f64
 *
 * Vectors are not stored: they are a deterministic function of the
 * templates (embed.c) and are recomputed when the model is sealed, so a
 * blob never disagrees with the code reading it.  Loading restores the
 * templates as they were (anomaly_miner_restore), with their ids, so a
 * template keeps its id in every later run; version 1 blobs (no ids)
 * are still read, their ids then being the hashes of the texts.
 *
 * The templates alone (`vigil templates --store`) have their own blob:
 *
 *   magic    8 bytes "VGTMPL\0\1"
 *   version  u32 (1)
 *   ntpl     u32, then per template:
 *            id u64, count u64, len u32, text, exlen u32, example
 *
 * The reader trusts nothing: every count is checked against the bytes
 * left before anything is allocated, and a short or inconsistent blob
 * is CORE_E_PARSE saying at which offset.  It has a fuzz target.
 */
#include "anomaly/anomaly_int.h"

#include <stdlib.h>
#include <string.h>

#define STATE_MAGIC "VGANOM\0\1"
#define STATE_VERSION 2
#define TMPL_MAGIC "VGTMPL\0\1"
#define TMPL_VERSION 1
#define STATE_MAX_TEXT (64u * 1024)

/* ------------------------------------------------------------- writing */

static int put_u(struct core_buf *b, uint64_t v, size_t n)
{
	unsigned char x[8];

	for (size_t i = 0; i < n; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	return core_buf_add(b, x, n);
}

static int put_f(struct core_buf *b, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof(v));
	return put_u(b, v, 8);
}

static int put_templates(struct anomaly_model *m, struct core_buf *b,
			 const struct anomaly_model_tables *t)
{
	struct anomaly_miner *mi = anomaly_model_miner(m);
	size_t nc = anomaly_miner_clusters(mi), live = 0;
	int rc = 0;

	for (size_t i = 0; i < nc; i++) {
		struct anomaly_template tp;

		anomaly_miner_get(mi, (uint32_t)i, &tp);
		live += tp.live;
	}
	rc |= put_u(b, live, 4);
	for (size_t i = 0; i < nc; i++) {
		struct anomaly_template tp;
		const struct anomaly_tstat *s = &(*t->tstat)[i];

		anomaly_miner_get(mi, (uint32_t)i, &tp);
		if (!tp.live)
			continue;
		rc |= put_u(b, tp.id, 8);
		rc |= put_u(b, tp.text.len, 4);
		rc |= core_buf_add(b, tp.text.p, tp.text.len);
		rc |= put_u(b, i < *t->ntstat ? s->count : 0, 8);
		rc |= put_u(b, (uint64_t)(i < *t->ntstat ? s->first : 0), 8);
		rc |= put_u(b, (uint64_t)(i < *t->ntstat ? s->last : 0), 8);
	}
	return rc;
}

int anomaly_state_save(struct anomaly_model *m, struct core_buf *b)
{
	struct anomaly_model_tables t;
	int rc = anomaly_model_seal(m);

	if (rc)
		return rc;
	anomaly_model_tables(m, &t);
	rc |= core_buf_add(b, STATE_MAGIC, 8);
	rc |= put_u(b, STATE_VERSION, 4);
	rc |= put_u(b, anomaly_embedder_dim(anomaly_model_embedder(m)), 4);
	rc |= put_u(b, *t.learnt, 8);
	rc |= put_u(b, (uint64_t)*t.first, 8);
	rc |= put_u(b, (uint64_t)*t.last, 8);
	rc |= put_templates(m, b, &t);
	rc |= put_u(b, t.pairs->n, 4);
	for (size_t i = 0; i < t.pairs->cap; i++)
		if (t.pairs->k[i])
			rc |= put_u(b, t.pairs->k[i], 8);
	rc |= put_u(b, *t.nvol, 4);
	for (size_t i = 0; i < *t.nvol; i++) {
		const struct anomaly_vol *v = &(*t.vol)[i];
		size_t nl = strnlen(v->name, sizeof(v->name) - 1);

		rc |= put_u(b, v->key, 8);
		rc |= put_u(b, nl, 1);
		rc |= core_buf_add(b, v->name, nl);
		rc |= put_u(b, v->hours, 8);
		rc |= put_f(b, v->sum);
		rc |= put_f(b, v->sumsq);
	}
	return rc ? CORE_E_TOOBIG : 0;
}

/* ------------------------------------------------------------- reading */

struct rd {
	const unsigned char *p;
	size_t len, off;
	bool bad;
};

static uint64_t get_u(struct rd *r, size_t n)
{
	uint64_t v = 0;

	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)r->p[r->off + i] << (8 * i);
	r->off += n;
	return v;
}

static double get_f(struct rd *r)
{
	uint64_t v = get_u(r, 8);
	double d;

	memcpy(&d, &v, sizeof(d));
	return d;
}

/* A count of items of at least each bytes, checked against what is left. */
static size_t get_count(struct rd *r, size_t each)
{
	uint64_t n = get_u(r, 4);

	if (!r->bad && n > (r->len - r->off) / each)
		r->bad = true;
	return r->bad ? 0 : (size_t)n;
}

static const char *get_bytes(struct rd *r, size_t n)
{
	const char *p = (const char *)r->p + r->off;

	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		return NULL;
	}
	r->off += n;
	return p;
}

static int bad(struct core_error *err, const struct rd *r, const char *what)
{
	return core_fail(err, CORE_E_PARSE, "state", 0,
			 "anomaly state: %s at byte %zu", what, r->off);
}

static int load_templates(struct anomaly_model *m, struct rd *r,
			  unsigned version)
{
	struct anomaly_model_tables t;
	size_t n = get_count(r, version >= 2 ? 36 : 28);

	anomaly_model_tables(m, &t);
	for (size_t i = 0; i < n && !r->bad; i++) {
		struct anomaly_template tp = { 0 };
		struct anomaly_tstat *s;
		uint32_t id;
		int rc;

		tp.id = version >= 2 ? get_u(r, 8) : 0;
		tp.text.len = (size_t)get_u(r, 4);
		tp.text.p = tp.text.len <= STATE_MAX_TEXT ?
			    get_bytes(r, tp.text.len) : NULL;
		tp.count = get_u(r, 8);
		tp.example = tp.text;
		if (!tp.text.p || r->bad)
			return r->bad = true, 0;
		if ((rc = anomaly_miner_restore(anomaly_model_miner(m), &tp,
						&id)) != 0 ||
		    (rc = anomaly_model_tstat_reserve(m, (size_t)id + 1)) != 0)
			return rc;
		s = &(*t.tstat)[id];
		s->count = tp.count;
		s->first = (int64_t)get_u(r, 8);
		s->last = (int64_t)get_u(r, 8);
	}
	return 0;
}

static int load_tables(struct anomaly_model *m, struct rd *r)
{
	struct anomaly_model_tables t;
	size_t n;

	anomaly_model_tables(m, &t);
	n = get_count(r, 8);
	for (size_t i = 0; i < n && !r->bad; i++) {
		uint64_t k = get_u(r, 8);
		int rc;

		if (k == 0)
			return r->bad = true, 0;
		if ((rc = anomaly_set_add(t.pairs, k)) < 0)
			return rc;
	}
	n = get_count(r, 33);
	if (r->bad || n > 65536)
		return r->bad = true, 0;
	if (n && !(*t.vol = calloc(n, sizeof(**t.vol))))
		return CORE_E_NOMEM;
	for (size_t i = 0; i < n && !r->bad; i++) {
		struct anomaly_vol *v = &(*t.vol)[i];
		size_t nl;
		const char *name;

		v->key = get_u(r, 8);
		nl = (size_t)get_u(r, 1);
		name = get_bytes(r, nl);
		if (!name || nl >= sizeof(v->name))
			return r->bad = true, 0;
		memcpy(v->name, name, nl);
		v->hours = get_u(r, 8);
		v->sum = get_f(r);
		v->sumsq = get_f(r);
		v->hour = -1;
		*t.nvol = i + 1;
	}
	return anomaly_model_vol_index(m);
}

int anomaly_state_load(const void *p, size_t len,
		       const struct anomaly_model_opts *opts,
		       struct anomaly_model **out, struct core_error *err)
{
	struct anomaly_model_opts o;
	struct anomaly_model_tables t;
	struct rd r = { p, len, 0, false };
	struct anomaly_model *m;
	const char *magic = get_bytes(&r, 8);
	unsigned version;
	int rc;

	*out = NULL;
	if (!magic || memcmp(magic, STATE_MAGIC, 8) != 0)
		return bad(err, &r, "not a vigil anomaly state");
	version = (unsigned)get_u(&r, 4);
	if (version < 1 || version > STATE_VERSION)
		return bad(err, &r, "unknown version");
	if (opts)
		o = *opts;
	else
		anomaly_model_opts_default(&o);
	o.dim = (unsigned)get_u(&r, 4);
	if (r.bad || o.dim < 16 || o.dim > ANOMALY_DIM_MAX)
		return bad(err, &r, "bad dimension");
	if (!(m = anomaly_model_new(&o)))
		return core_fail(err, CORE_E_NOMEM, "state", 0, "no memory");
	anomaly_model_tables(m, &t);
	*t.learnt = get_u(&r, 8);
	*t.first = (int64_t)get_u(&r, 8);
	*t.last = (int64_t)get_u(&r, 8);
	if ((rc = load_templates(m, &r, version)) == 0 && !r.bad)
		rc = load_tables(m, &r);
	if (rc == 0 && !r.bad && r.off != r.len)
		r.bad = true;
	if (rc == 0 && !r.bad)
		rc = anomaly_model_seal(m);
	if (rc || r.bad) {
		anomaly_model_free(m);
		if (rc)
			return core_fail(err, rc, "state", 0, "no memory");
		return bad(err, &r, "truncated or inconsistent");
	}
	*out = m;
	return 0;
}

/* ----------------------------------------------------- templates alone */

int anomaly_templates_save(struct anomaly_miner *m, struct core_buf *b)
{
	size_t nc = anomaly_miner_clusters(m), live = 0;
	struct anomaly_template tp;
	int rc = 0;

	for (size_t i = 0; i < nc; i++) {
		anomaly_miner_get(m, (uint32_t)i, &tp);
		live += tp.live;
	}
	rc |= core_buf_add(b, TMPL_MAGIC, 8);
	rc |= put_u(b, TMPL_VERSION, 4);
	rc |= put_u(b, live, 4);
	for (size_t i = 0; i < nc; i++) {
		anomaly_miner_get(m, (uint32_t)i, &tp);
		if (!tp.live)
			continue;
		rc |= put_u(b, tp.id, 8);
		rc |= put_u(b, tp.count, 8);
		rc |= put_u(b, tp.text.len, 4);
		rc |= core_buf_add(b, tp.text.p, tp.text.len);
		rc |= put_u(b, tp.example.len, 4);
		rc |= core_buf_add(b, tp.example.p, tp.example.len);
	}
	return rc ? CORE_E_TOOBIG : 0;
}

static struct core_str get_str(struct rd *r)
{
	size_t len = (size_t)get_u(r, 4);
	const char *p = len <= STATE_MAX_TEXT ? get_bytes(r, len) : NULL;

	if (!p)
		r->bad = true;
	return core_str_make(p ? p : "", p ? len : 0);
}

int anomaly_templates_load(struct anomaly_miner *m, const void *p,
			   size_t len, struct core_error *err)
{
	struct rd r = { p, len, 0, false };
	const char *magic = get_bytes(&r, 8);
	size_t n;

	if (!magic || memcmp(magic, TMPL_MAGIC, 8) != 0)
		return bad(err, &r, "not a vigil template list");
	if (get_u(&r, 4) != TMPL_VERSION)
		return bad(err, &r, "unknown version");
	n = get_count(&r, 24);
	for (size_t i = 0; i < n && !r.bad; i++) {
		struct anomaly_template tp = { 0 };
		int rc;

		tp.id = get_u(&r, 8);
		tp.count = get_u(&r, 8);
		tp.text = get_str(&r);
		tp.example = get_str(&r);
		if (r.bad)
			break;
		if ((rc = anomaly_miner_restore(m, &tp, NULL)) != 0)
			return core_fail(err, rc, "state", 0, "no memory");
	}
	if (r.bad || r.off != r.len)
		return bad(err, &r, "truncated or inconsistent");
	return 0;
}
