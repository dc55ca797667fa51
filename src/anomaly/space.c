/*
 * space.c: looking at the vectors: a 2-D projection, clusters of
 * near-duplicates and an SVG plot for people.
 *
 * The projection is PCA: the two leading eigenvectors of the covariance
 * of the centred vectors, found by power iteration (60 rounds from a
 * fixed start, the second after deflating the first), never forming the
 * dim x dim matrix: each round is two passes over the data, so n
 * templates of 256 floats cost 60 * 2 * n * 256 multiply-adds.
 *
 * Clustering is leader clustering by cosine: cheap, deterministic and
 * good enough to show which templates are rewordings of each other.
 *
 * The plot draws each point as a dot sized by the log of its count and
 * coloured by cluster, labels the heaviest template of the biggest
 * clusters, rings rare templates in red and crosses the events behind
 * incidents, and lists the clusters in a legend.
 */
#include "anomaly/anomaly.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PCA_ROUNDS 60
#define PLOT_W 1200
#define PLOT_H 800
#define PLOT_PAD 60
#define LEGEND_W 380
#define LABELS_MAX 12

/* ---------------------------------------------------------------- PCA */

static void normalise(double *u, unsigned dim)
{
	double s = 0;

	for (unsigned i = 0; i < dim; i++)
		s += u[i] * u[i];
	s = s > 0 ? 1.0 / sqrt(s) : 0;
	for (unsigned i = 0; i < dim; i++)
		u[i] *= s;
}

/* u <- C u for the centred data, minus the part along prev (if any). */
static void cov_times(const float *v, size_t n, unsigned dim,
		      const double *mean, const double *u, const double *prev,
		      double lambda_prev, double *out)
{
	memset(out, 0, dim * sizeof(*out));
	for (size_t r = 0; r < n; r++) {
		const float *x = v + r * dim;
		double d = 0;

		for (unsigned i = 0; i < dim; i++)
			d += ((double)x[i] - mean[i]) * u[i];
		for (unsigned i = 0; i < dim; i++)
			out[i] += d * ((double)x[i] - mean[i]);
	}
	if (prev) {
		double d = 0;

		for (unsigned i = 0; i < dim; i++)
			d += prev[i] * u[i];
		for (unsigned i = 0; i < dim; i++)
			out[i] -= lambda_prev * (double)n * d * prev[i];
	}
}

/* The leading eigenvector into u; returns its eigenvalue (per row). */
static double power(const float *v, size_t n, unsigned dim,
		    const double *mean, double *u, double *tmp,
		    const double *prev, double lambda_prev)
{
	double lambda = 0;

	for (unsigned i = 0; i < dim; i++)
		u[i] = 1.0 + (double)((i * 7919u) % 13) / 13.0;
	normalise(u, dim);
	for (int k = 0; k < PCA_ROUNDS; k++) {
		double s = 0;

		cov_times(v, n, dim, mean, u, prev, lambda_prev, tmp);
		for (unsigned i = 0; i < dim; i++)
			s += tmp[i] * u[i];
		lambda = n ? s / (double)n : 0;
		memcpy(u, tmp, dim * sizeof(*u));
		normalise(u, dim);
	}
	return lambda;
}

int anomaly_pca2(const float *v, size_t n, unsigned dim, float *xy)
{
	double *mean = calloc(4 * (size_t)dim, sizeof(*mean));
	double *u1 = mean + dim, *u2 = u1 + dim, *tmp = u2 + dim, l1;

	if (!mean)
		return CORE_E_NOMEM;
	for (size_t r = 0; r < n; r++)
		for (unsigned i = 0; i < dim; i++)
			mean[i] += v[r * dim + i];
	for (unsigned i = 0; i < dim && n; i++)
		mean[i] /= (double)n;
	l1 = power(v, n, dim, mean, u1, tmp, NULL, 0);
	power(v, n, dim, mean, u2, tmp, u1, l1);
	for (size_t r = 0; r < n; r++) {
		double a = 0, b = 0;

		for (unsigned i = 0; i < dim; i++) {
			double c = (double)v[r * dim + i] - mean[i];

			a += c * u1[i];
			b += c * u2[i];
		}
		xy[2 * r] = (float)a;
		xy[2 * r + 1] = (float)b;
	}
	free(mean);
	return 0;
}

/* ---------------------------------------------------------- clustering */

static const uint64_t *sort_w;

static int by_weight(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (sort_w[x] != sort_w[y])
		return sort_w[x] > sort_w[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

long anomaly_cluster(const float *v, const uint64_t *weight, size_t n,
		     unsigned dim, double min_cos, uint32_t *cluster)
{
	size_t *order = malloc((n + 1) * sizeof(*order));
	size_t *leader = malloc((n + 1) * sizeof(*leader));
	long nc = 0;

	if (!order || !leader) {
		free(order);
		free(leader);
		return CORE_E_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	sort_w = weight;
	if (weight)
		qsort(order, n, sizeof(*order), by_weight);
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		long c;

		for (c = 0; c < nc; c++)
			if (anomaly_cosine(v + i * dim, v + leader[c] * dim,
					   dim) >= min_cos)
				break;
		if (c == nc)
			leader[nc++] = i;
		cluster[i] = (uint32_t)c;
	}
	free(order);
	free(leader);
	return nc;
}

/* ---------------------------------------------------------------- plot */

static const char *const palette[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
	"#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31",
};

static void put_xml(FILE *out, struct core_str s, size_t max)
{
	size_t n = CORE_MIN(s.len, max);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (c == '&')
			fputs("&amp;", out);
		else if (c == '"')
			fputs("&quot;", out);
		else if (c < 0x20 || c >= 0x7f)
			fputc('?', out);
		else
			fputc(c, out);
	}
	if (s.len > max)
		fputs("...", out);
}

struct frame {
	float x0, x1, y0, y1;
};

static struct frame frame_of(const float *xy, size_t n)
{
	struct frame f = { 0, 1, 0, 1 };

	for (size_t i = 0; i < n; i++) {
		float x = xy[2 * i], y = xy[2 * i + 1];

		if (i == 0 || x < f.x0)
			f.x0 = x;
		if (i == 0 || x > f.x1)
			f.x1 = x;
		if (i == 0 || y < f.y0)
			f.y0 = y;
		if (i == 0 || y > f.y1)
			f.y1 = y;
	}
	if (f.x1 - f.x0 < 1e-6f)
		f.x1 = f.x0 + 1;
	if (f.y1 - f.y0 < 1e-6f)
		f.y1 = f.y0 + 1;
	return f;
}

static double px(const struct frame *f, float x)
{
	return PLOT_PAD + (x - f->x0) / (f->x1 - f->x0) *
	       (PLOT_W - LEGEND_W - 2 * PLOT_PAD);
}

static double py(const struct frame *f, float y)
{
	return PLOT_H - PLOT_PAD - (y - f->y0) / (f->y1 - f->y0) *
	       (PLOT_H - 2 * PLOT_PAD);
}

/* Index of the heaviest point of each cluster below max; head[c]. */
static void heads(const struct anomaly_plot_point *pt, size_t n,
		  size_t *head, uint64_t *size, size_t max)
{
	for (size_t c = 0; c < max; c++)
		head[c] = SIZE_MAX, size[c] = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = pt[i].cluster;

		if (c >= max)
			continue;
		size[c] += pt[i].count;
		if (head[c] == SIZE_MAX || pt[i].count > pt[head[c]].count)
			head[c] = i;
	}
}

static void draw_points(FILE *out, const struct anomaly_plot_point *pt,
			const float *xy, size_t n, const struct frame *f)
{
	for (size_t i = 0; i < n; i++) {
		double x = px(f, xy[2 * i]), y = py(f, xy[2 * i + 1]);
		double r = 3 + 1.5 * log10(1.0 + (double)pt[i].count);
		const char *col = pt[i].cluster < CORE_ARRAY_LEN(palette) ?
				  palette[pt[i].cluster] : "#b0b0b0";

		fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" "
			"fill=\"%s\" fill-opacity=\"0.75\"><title>", x, y, r,
			col);
		put_xml(out, pt[i].label, 300);
		fprintf(out, " (%llu)</title></circle>\n",
			(unsigned long long)pt[i].count);
		if (pt[i].mark == ANOMALY_MARK_RARE)
			fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f"
				"\" fill=\"none\" stroke=\"#d62728\" "
				"stroke-width=\"2\"/>\n", x, y, r + 4);
		else if (pt[i].mark == ANOMALY_MARK_INCIDENT)
			fprintf(out, "<path d=\"M%.1f %.1fl12 12m0 -12l-12 12"
				"\" stroke=\"#d62728\" stroke-width=\"3\"/>\n",
				x - 6, y - 6);
	}
}

static void draw_labels(FILE *out, const struct anomaly_plot_point *pt,
			const float *xy, const struct frame *f,
			const size_t *head, const uint64_t *size)
{
	int lx = PLOT_W - LEGEND_W + 10, ly = PLOT_PAD;

	fprintf(out, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">"
		"Clusters (events), heaviest template</text>\n", lx, ly - 20);
	for (size_t c = 0; c < LABELS_MAX; c++) {
		double x, y;

		if (head[c] == SIZE_MAX)
			continue;
		x = px(f, xy[2 * head[c]]);
		y = py(f, xy[2 * head[c] + 1]);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
			"fill=\"%s\">%zu</text>\n", x + 8, y - 6, palette[c],
			c + 1);
		fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\""
			"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size="
			"\"11\">%zu (%llu): ", lx, ly - 9, palette[c], lx + 14,
			ly, c + 1, (unsigned long long)size[c]);
		put_xml(out, pt[head[c]].label, 44);
		fputs("</text>\n", out);
		ly += 18;
	}
	ly += 20;
	fprintf(out, "<circle cx=\"%d\" cy=\"%d\" r=\"6\" fill=\"none\" "
		"stroke=\"#d62728\" stroke-width=\"2\"/><text x=\"%d\" y=\"%d"
		"\" font-size=\"11\">rare template</text>\n", lx + 5, ly - 4,
		lx + 16, ly);
	ly += 20;
	fprintf(out, "<path d=\"M%d %dl10 10m0 -10l-10 10\" stroke=\"#d62728"
		"\" stroke-width=\"3\"/><text x=\"%d\" y=\"%d\" font-size=\""
		"11\">event behind an incident or anomaly</text>\n", lx,
		ly - 9, lx + 16, ly);
}

int anomaly_plot_svg(FILE *out, const struct anomaly_plot_point *pt,
		     const float *xy, size_t n, const char *title)
{
	struct frame f = frame_of(xy, n);
	size_t head[LABELS_MAX];
	uint64_t size[LABELS_MAX];

	heads(pt, n, head, size, LABELS_MAX);
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif"
		"\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>"
		"\n<text x=\"%d\" y=\"30\" font-size=\"18\">", PLOT_W, PLOT_H,
		PLOT_W, PLOT_H, PLOT_PAD);
	put_xml(out, core_str_make(title, strlen(title)), 120);
	fprintf(out, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\""
		"%d\" fill=\"none\" stroke=\"#ccc\"/>\n", PLOT_PAD / 2,
		PLOT_PAD / 2 + 10, PLOT_W - LEGEND_W - PLOT_PAD,
		PLOT_H - PLOT_PAD - 10);
	fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#666\">"
		"first principal component</text>\n", PLOT_PAD,
		PLOT_H - PLOT_PAD / 2 + 14);
	draw_points(out, pt, xy, n, &f);
	draw_labels(out, pt, xy, &f, head, size);
	fputs("</svg>\n", out);
	return ferror(out) ? CORE_E_IO : 0;
}
