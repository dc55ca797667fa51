/*
 * eval.c: grouping and parsing accuracy against loghub ground truth.
 *
 * A loghub *_structured.csv holds one row per line of the sample: the
 * header fields, the message (Content) and the true template
 * (EventTemplate).  The miner sees the Content column only, so headers
 * are not its business here.  Two scores, as in the Loghub-2.0 study:
 *
 *   grouping accuracy (GA): the share of lines whose found group holds
 *   exactly the lines of their true group;
 *   parsing accuracy (PA): the share of lines whose found template text
 *   equals the true one, both normalised by anomaly_template_normalise().
 *
 * Templates are compared by interning their normalised text, so each
 * line costs one integer comparison.  The files are small (thousands of
 * lines); everything lives in one arena freed at the end.
 */
#include "anomaly/anomaly.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EVAL_MAX_FILE (512u * 1024 * 1024)
#define EVAL_MAX_FIELDS 64

/* ------------------------------------------------------- normalisation */

static bool is_delim(char c)
{
	return c == ' ' || (c != '\0' && strchr(",!;:=|\"'[](){}.-+@#$%&/\\",
						c));
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Appends with folding of "<*><*>" and "<*>.<*>" as slots arrive. */
static void put_norm(char *out, size_t n, size_t *w, const char *p,
		     size_t len)
{
	if (len == 3 && memcmp(p, "<*>", 3) == 0) {
		if (*w >= 3 && memcmp(out + *w - 3, "<*>", 3) == 0)
			return;
		if (*w >= 4 && memcmp(out + *w - 4, "<*>.", 4) == 0) {
			(*w)--;
			return;
		}
	}
	for (size_t i = 0; i < len && *w + 1 < n; i++)
		out[(*w)++] = p[i];
}

size_t anomaly_template_normalise(const char *p, size_t len, char *out,
				  size_t n)
{
	const char *e = p + len;
	size_t w = 0;

	if (n == 0)
		return 0;
	while (p < e && is_ws(*p))
		p++;
	while (e > p && is_ws(e[-1]))
		e--;
	while (p < e) {
		const char *q = p;
		bool digits = true;

		if (is_ws(*p)) {
			while (p < e && is_ws(*p))
				p++;
			put_norm(out, n, &w, " ", 1);
			continue;
		}
		if (is_delim(*p)) {
			put_norm(out, n, &w, p, 1);
			p++;
			continue;
		}
		if (e - p >= 3 && memcmp(p, "<*>", 3) == 0) {
			put_norm(out, n, &w, p, 3);
			p += 3;
			continue;
		}
		while (q < e && !is_delim(*q) && !is_ws(*q) &&
		       !(e - q >= 3 && memcmp(q, "<*>", 3) == 0)) {
			digits &= *q >= '0' && *q <= '9';
			q++;
		}
		if (digits)
			put_norm(out, n, &w, "<*>", 3);
		else
			put_norm(out, n, &w, p, (size_t)(q - p));
		p = q;
	}
	out[w] = '\0';
	return w;
}

/* ----------------------------------------------------------- interning */

struct intern {
	struct core_arena *a;
	struct core_str *keys;
	uint32_t *size;		/* lines per id, counted by the caller */
	size_t n, cap;		/* ids; slots in keys (power of two) */
	uint32_t *slot_id;
};

static int intern_init(struct intern *in)
{
	memset(in, 0, sizeof(*in));
	in->a = core_arena_new(1 << 16);
	in->cap = 1 << 12;
	in->keys = calloc(in->cap, sizeof(*in->keys));
	in->slot_id = calloc(in->cap, sizeof(*in->slot_id));
	if (!in->a || !in->keys || !in->slot_id)
		return CORE_E_NOMEM;
	return 0;
}

static void intern_free(struct intern *in)
{
	core_arena_free(in->a);
	free(in->keys);
	free(in->slot_id);
}

static int intern_grow(struct intern *in)
{
	size_t cap = in->cap * 2;
	struct core_str *k = calloc(cap, sizeof(*k));
	uint32_t *id = calloc(cap, sizeof(*id));

	if (!k || !id) {
		free(k);
		free(id);
		return CORE_E_NOMEM;
	}
	for (size_t i = 0; i < in->cap; i++) {
		size_t h;

		if (!in->keys[i].p)
			continue;
		h = core_hash(in->keys[i].p, in->keys[i].len, 0) & (cap - 1);
		while (k[h].p)
			h = (h + 1) & (cap - 1);
		k[h] = in->keys[i];
		id[h] = in->slot_id[i];
	}
	free(in->keys);
	free(in->slot_id);
	in->keys = k;
	in->slot_id = id;
	in->cap = cap;
	return 0;
}

/* The id of string s, added when new; -1 when out of memory. */
static long intern_get(struct intern *in, const char *s, size_t len)
{
	size_t h;

	if (2 * (in->n + 1) > in->cap && intern_grow(in))
		return -1;
	h = core_hash(s, len, 0) & (in->cap - 1);
	while (in->keys[h].p) {
		if (in->keys[h].len == len && !memcmp(in->keys[h].p, s, len))
			return in->slot_id[h];
		h = (h + 1) & (in->cap - 1);
	}
	in->keys[h] = core_arena_strdup(in->a, s, len);
	if (!in->keys[h].p)
		return -1;
	in->slot_id[h] = (uint32_t)in->n;
	return (long)in->n++;
}

/* ------------------------------------------------------------- scoring */

struct rows {
	uint32_t *found;	/* cluster number per line */
	uint32_t *truth;	/* interned true template per line */
	size_t n, cap;
};

static int rows_push(struct rows *r, uint32_t found, uint32_t truth)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4096;
		uint32_t *f = realloc(r->found, cap * sizeof(*f));
		uint32_t *t;

		if (!f)
			return CORE_E_NOMEM;
		r->found = f;
		t = realloc(r->truth, cap * sizeof(*t));
		if (!t)
			return CORE_E_NOMEM;
		r->truth = t;
		r->cap = cap;
	}
	r->found[r->n] = found;
	r->truth[r->n++] = truth;
	return 0;
}

static int column(const struct core_str *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (core_str_eq_lit(f[i], name))
			return (int)i;
	return -1;
}

/* Grouping accuracy over rows, clusters already resolved to roots. */
static double grouping_accuracy(const struct rows *r, size_t nclusters,
				size_t ntruth, struct anomaly_eval *out)
{
	uint32_t *fsize = calloc(nclusters + 1, sizeof(*fsize));
	uint32_t *tsize = calloc(ntruth + 1, sizeof(*tsize));
	uint32_t *tof = malloc((nclusters + 1) * sizeof(*tof));
	uint64_t good = 0, groups = 0;

	if (!fsize || !tsize || !tof) {
		free(fsize);
		free(tsize);
		free(tof);
		return -1.0;
	}
	memset(tof, 0xff, (nclusters + 1) * sizeof(*tof));
	for (size_t i = 0; i < r->n; i++) {
		uint32_t f = r->found[i], t = r->truth[i];

		groups += fsize[f]++ == 0;
		tsize[t]++;
		if (tof[f] == UINT32_MAX)
			tof[f] = t;
		else if (tof[f] != t)
			tof[f] = UINT32_MAX - 1;	/* mixed */
	}
	for (size_t f = 0; f < nclusters; f++)
		if (fsize[f] && tof[f] < UINT32_MAX - 1 &&
		    tsize[tof[f]] == fsize[f])
			good += fsize[f];
	out->found_groups = groups;
	free(fsize);
	free(tsize);
	free(tof);
	return r->n ? (double)good / (double)r->n : 0.0;
}

/* Parsing accuracy: interned normalised template per cluster vs truth. */
static double parsing_accuracy(struct anomaly_miner *m, struct intern *in,
			       const struct rows *r, char *norm, size_t nsz)
{
	size_t nc = anomaly_miner_clusters(m);
	long *tid = malloc((nc + 1) * sizeof(*tid));
	uint64_t good = 0;

	if (!tid)
		return -1.0;
	for (size_t c = 0; c < nc; c++) {
		struct anomaly_template t;
		size_t l;

		anomaly_miner_get(m, (uint32_t)c, &t);
		l = anomaly_template_normalise(t.text.p, t.text.len, norm,
					       nsz);
		tid[c] = intern_get(in, norm, l);
	}
	for (size_t i = 0; i < r->n; i++)
		good += r->found[i] < nc &&
			tid[r->found[i]] == (long)r->truth[i];
	free(tid);
	return r->n ? (double)good / (double)r->n : 0.0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads rows, mining Content; fills r and in. */
static int mine_rows(struct anomaly_csv *c, struct anomaly_miner *m,
		     struct intern *in, struct rows *r, char *norm,
		     size_t nsz, const char *path, struct anomaly_eval *out,
		     struct core_error *err)
{
	struct core_str f[EVAL_MAX_FIELDS];
	int ci, ti, rc;
	size_t n;

	rc = anomaly_csv_next(c, f, EVAL_MAX_FIELDS, &n, err);
	if (rc <= 0)
		return core_fail(err, CORE_E_PARSE, path, 1, "no header row");
	ci = column(f, n, "Content");
	ti = column(f, n, "EventTemplate");
	if (ci < 0 || ti < 0)
		return core_fail(err, CORE_E_PARSE, path, 1,
				 "no Content or EventTemplate column");
	while ((rc = anomaly_csv_next(c, f, EVAL_MAX_FIELDS, &n, err)) == 1) {
		uint32_t id;
		double t0;
		long t;

		if (n <= (size_t)ci || n <= (size_t)ti)
			continue;	/* a short row: not a line */
		t0 = now_s();
		if (anomaly_miner_add(m, f[ci].p, f[ci].len, &id))
			return CORE_E_NOMEM;
		out->seconds += now_s() - t0;
		n = anomaly_template_normalise(f[ti].p, f[ti].len, norm, nsz);
		if ((t = intern_get(in, norm, n)) < 0 ||
		    rows_push(r, id, (uint32_t)t))
			return CORE_E_NOMEM;
	}
	if (rc < 0 && err)
		memcpy(err->file, path, CORE_MIN(strlen(path) + 1,
						 sizeof(err->file) - 1));
	return rc;
}

static int score(struct anomaly_miner *m, struct intern *in, struct rows *r,
		 char *norm, size_t nsz, struct anomaly_eval *out)
{
	size_t ntruth = in->n;
	double t0 = now_s();

	if (anomaly_miner_finish(m))
		return CORE_E_NOMEM;
	out->seconds += now_s() - t0;
	for (size_t i = 0; i < r->n; i++)
		r->found[i] = anomaly_miner_resolve(m, r->found[i]);
	out->lines = r->n;
	out->truth_groups = ntruth;
	out->ga = grouping_accuracy(r, anomaly_miner_clusters(m), ntruth, out);
	out->pa = parsing_accuracy(m, in, r, norm, nsz);
	return out->ga < 0 || out->pa < 0 ? CORE_E_NOMEM : 0;
}

int anomaly_eval_file(const char *path, const struct anomaly_miner_opts *opts,
		      struct anomaly_eval *out, struct core_error *err)
{
	struct anomaly_csv *c = NULL;
	struct anomaly_miner *m = NULL;
	struct rows r = { NULL, NULL, 0, 0 };
	size_t nsz = ANOMALY_MASK_BUF;
	struct intern in;
	char *norm = malloc(nsz);
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = intern_init(&in)) != 0 || !norm ||
	    !(m = anomaly_miner_new(opts))) {
		rc = core_fail(err, CORE_E_NOMEM, path, 0, "out of memory");
		goto fail;
	}
	if ((rc = anomaly_csv_open(path, EVAL_MAX_FILE, &c, err)) != 0)
		goto fail;
	rc = mine_rows(c, m, &in, &r, norm, nsz, path, out, err);
	if (rc == 0)
		rc = score(m, &in, &r, norm, nsz, out);
	if (rc == CORE_E_NOMEM)
		core_fail(err, rc, path, 0, "out of memory");
fail:
	anomaly_csv_close(c);
	anomaly_miner_free(m);
	intern_free(&in);
	free(r.found);
	free(r.truth);
	free(norm);
	return rc;
}
