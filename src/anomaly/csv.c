/*
 * csv.c: an RFC 4180 reader for ground-truth files.
 *
 * The benchmark's structured files are a few megabytes, so the reader
 * loads a file whole (under a ceiling) and walks it record by record.
 * Quoted fields are unescaped into a buffer owned by the reader, plain
 * fields point into the file; both stay valid until the next record.
 * A quoted field may hold commas, doubled quotes and line ends; records
 * end at LF or CRLF, and the last one may have no line end at all.
 */
#include "anomaly/anomaly.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct anomaly_csv {
	char *own;		/* the file, when the reader loaded it */
	const char *p, *end;
	uint64_t line;		/* line of the record being read */
	struct core_buf unq;	/* unquoted text of this record */
	size_t *spans;		/* per field: offset in unq, or SIZE_MAX */
	size_t nspans;
};

int anomaly_csv_open_mem(const char *p, size_t len, struct anomaly_csv **out)
{
	struct anomaly_csv *c = calloc(1, sizeof(*c));

	if (!c)
		return CORE_E_NOMEM;
	c->p = p;
	c->end = p + len;
	c->line = 1;
	core_buf_init(&c->unq, len + 1);
	*out = c;
	return 0;
}

static int slurp(FILE *f, size_t max, char **out, size_t *len)
{
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap), *nb;

	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n > max) {
			free(buf);
			return CORE_E_TOOBIG;
		}
		if (n == cap) {
			nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	if (!buf || n == cap || ferror(f)) {
		free(buf);
		return ferror(f) ? CORE_E_IO : CORE_E_NOMEM;
	}
	*out = buf;
	*len = n;
	return 0;
}

int anomaly_csv_open(const char *path, size_t max_bytes,
		     struct anomaly_csv **out, struct core_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t len;
	int rc;

	if (!f)
		return core_fail(err, CORE_E_IO, path, 0, "cannot open: %m");
	rc = slurp(f, max_bytes, &buf, &len);
	fclose(f);
	if (rc == CORE_E_TOOBIG)
		return core_fail(err, rc, path, 0, "larger than %zu bytes",
				 max_bytes);
	if (rc)
		return core_fail(err, rc, path, 0, "cannot read: %s",
				 core_strerror(rc));
	rc = anomaly_csv_open_mem(buf, len, out);
	if (rc) {
		free(buf);
		return core_fail(err, rc, path, 0, "out of memory");
	}
	(*out)->own = buf;
	return 0;
}

void anomaly_csv_close(struct anomaly_csv *c)
{
	if (!c)
		return;
	core_buf_free(&c->unq);
	free(c->spans);
	free(c->own);
	free(c);
}

/* Reads a quoted field after its opening quote into unq. */
static int quoted(struct anomaly_csv *c, struct core_error *err)
{
	uint64_t start = c->line;

	for (;;) {
		const char *q;

		q = memchr(c->p, '"', (size_t)(c->end - c->p));
		if (!q)
			return core_fail(err, CORE_E_PARSE, NULL, start,
					 "unterminated quoted field");
		for (const char *r = c->p; r < q; r++)
			c->line += *r == '\n';
		if (core_buf_add(&c->unq, c->p, (size_t)(q - c->p)))
			return CORE_E_NOMEM;
		c->p = q + 1;
		if (c->p < c->end && *c->p == '"') {
			if (core_buf_addc(&c->unq, '"'))
				return CORE_E_NOMEM;
			c->p++;
			continue;
		}
		return 0;
	}
}

/* Reads one field; *last is set when the record ends after it. */
static int field(struct anomaly_csv *c, struct core_str *f, bool *last,
		 struct core_error *err)
{
	const char *s = c->p;
	int rc;

	if (c->p < c->end && *c->p == '"') {
		size_t off = c->unq.len;

		c->p++;
		if ((rc = quoted(c, err)) != 0)
			return rc;
		/* Bytes between the closing quote and the comma are kept. */
		while (c->p < c->end && *c->p != ',' && *c->p != '\n' &&
		       *c->p != '\r')
			if (core_buf_addc(&c->unq, *c->p++))
				return CORE_E_NOMEM;
		*f = core_str_make(NULL, c->unq.len - off);
		f->p = (const char *)(uintptr_t)off;
	} else {
		while (c->p < c->end && *c->p != ',' && *c->p != '\n' &&
		       *c->p != '\r')
			c->p++;
		*f = core_str_make(s, (size_t)(c->p - s));
	}
	*last = true;
	if (c->p < c->end && *c->p == ',') {
		c->p++;
		*last = false;
	} else {
		if (c->p < c->end && *c->p == '\r')
			c->p++;
		if (c->p < c->end && *c->p == '\n')
			c->p++;
		c->line++;
	}
	return 0;
}

int anomaly_csv_next(struct anomaly_csv *c, struct core_str *f, size_t max,
		     size_t *n, struct core_error *err)
{
	bool last = false, quotedf;
	struct core_str tmp;
	size_t k = 0;
	int rc;

	*n = 0;
	if (c->p >= c->end)
		return 0;
	core_buf_reset(&c->unq);
	if (!c->spans && !(c->spans = malloc(max * sizeof(*c->spans))))
		return CORE_E_NOMEM;
	if (max > c->nspans) {
		size_t *ns = realloc(c->spans, max * sizeof(*ns));

		if (!ns)
			return CORE_E_NOMEM;
		c->spans = ns;
		c->nspans = max;
	}
	while (!last) {
		quotedf = c->p < c->end && *c->p == '"';
		if ((rc = field(c, &tmp, &last, err)) != 0)
			return rc;
		if (k < max) {
			c->spans[k] = quotedf ? (size_t)(uintptr_t)tmp.p
					      : SIZE_MAX;
			f[k++] = tmp;
		}
	}
	/* The buffer may have moved while growing: resolve offsets now. */
	for (size_t i = 0; i < k; i++)
		if (c->spans[i] != SIZE_MAX)
			f[i].p = c->unq.p ? c->unq.p + c->spans[i] : "";
	*n = k;
	return 1;
}
