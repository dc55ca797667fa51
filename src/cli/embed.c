/*
 * embed.c: `vigil embed`, `vigil similar`, `vigil eval anomalies`, and
 * the anomaly hook of `vigil analyze`.
 *
 * `embed` mines the logs named, computes the vectors (anomaly room,
 * embed.c) and writes one per event or per template, in binary or CSV,
 * and/or draws the template space as an SVG.  `similar` finds the
 * templates nearest to a line.  `eval anomalies` judges the anomaly
 * alerts on labelled loghub logs.  The analyze hook learns a baseline,
 * loads and saves the model's state and turns each event into anomaly
 * alerts.  Arguments and printing only: the anomaly room does the work.
 *
 * Binary output (docs/anomaly.md): the magic "VGEMBED1", dim u32, kind
 * u32 (0 events, 1 templates), count u64, then count records of
 * id u64, n u64 (the event's line, or the template's count) and dim
 * float32, all little-endian.
 */
#include "cli/cli_anomaly.h"
#include "cli/cli_input.h"
#include "cli/report.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "anomaly/anomaly.h"
#include "core/core.h"
#include "input/input.h"
#include "parse/evtx.h"
#include "store/store.h"

#define EMBED_MAGIC "VGEMBED1"
#define CLUSTER_COS 0.6

enum emb_fmt { FMT_BIN, FMT_CSV };

struct emb_run {
	unsigned dim;
	enum emb_fmt fmt;
	bool templates;		/* one vector per template, not per event */
	bool stats;
	const char *out, *plot, *baseline_state;
	struct anomaly_model *m;
	uint64_t lines, written;
	double mine_s, embed_s;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void say_error(const char *cmd, const struct core_error *err)
{
	char msg[1024];

	core_error_format(err, msg, sizeof(msg));
	fprintf(stderr, "vigil %s: %s\n", cmd, msg);
}

/* The files args[0 .. n) name, as analyze reads them, into *pl; what
 * is skipped is said under who ("vigil embed"). */
static void collect(const char *who, struct cli_paths *pl, char **args,
		    int n)
{
	*pl = (struct cli_paths){ .say = cli_paths_say, .ud = (void *)who };
	for (int i = 0; i < n; i++)
		cli_paths_add(pl, args[i]);
	cli_paths_done(pl);
}

static void line_event(struct core_event *ev, const char *src, uint64_t line,
		       struct core_str rec)
{
	core_event_reset(ev, NULL);
	ev->src = src;
	ev->line = line;
	ev->raw = rec;
	ev->ts = 0;
}

/*
 * What each_line() hands out: a text line as an event of its raw line
 * alone (line numbers from 1), an EVTX record decoded as analyze decodes
 * it (line = the record header's number).  Returns 0 to go on.
 */
typedef int (*event_fn)(void *ud, const struct core_event *ev);

/* The records of an EVTX input, to fn. */
static void each_record(const char *cmd, struct cli_input *in,
			event_fn fn, void *ud)
{
	struct core_error err = { 0 };
	struct core_arena *arena = core_arena_new(1 << 20);
	struct core_event *ev = calloc(1, sizeof(*ev));
	char prefix[64];

	if (arena == NULL || ev == NULL) {
		core_fail(&err, CORE_E_NOMEM, cli_input_name(in), 0,
			  "out of memory");
		say_error(cmd, &err);
		goto out;
	}
	snprintf(prefix, sizeof(prefix), "vigil %s", cmd);
	while (cli_input_evtx_read(in, ev, arena, prefix))
		if (fn(ud, ev) != 0)
			break;
out:
	free(ev);
	core_arena_free(arena);
}

/*
 * Calls fn on every line of path, or every record of an EVTX log (a
 * file, a pipe or gzip, as analyze reads it); 0, or 1 when it could not
 * be read.
 */
static int each_line(const char *cmd, const char *path, event_fn fn,
		     void *ud)
{
	static struct core_event ev;
	struct parse_evtx *dec = NULL;
	struct cli_input in;
	struct core_error err;
	struct core_str rec;
	uint64_t lineno;
	unsigned flags;
	int rc;

	if (cli_input_open(path, 0, CLI_EVTX_SNIFF, &dec, &in, &err) != 0) {
		say_error(cmd, &err);
		parse_evtx_free(dec);
		return 1;
	}
	if (in.evtx != NULL) {
		each_record(cmd, &in, fn, ud);
		cli_input_close(&in);
		parse_evtx_free(dec);
		return 0;
	}
	while ((rc = input_next(in.text, &rec, &lineno, &flags, &err)) == 1) {
		line_event(&ev, path, lineno, rec);
		if (fn(ud, &ev) != 0)
			break;
	}
	if (rc < 0)
		say_error(cmd, &err);
	cli_input_close(&in);
	return 0;
}

static int learn_line(void *ud, const struct core_event *ev)
{
	struct emb_run *run = ud;
	double t0 = now_s();
	int rc;

	rc = anomaly_model_learn(run->m, ev);
	run->mine_s += now_s() - t0;
	run->lines++;
	if (rc)
		fprintf(stderr, "vigil: out of memory\n");
	return rc;
}

/* ------------------------------------------------------------- writing */

static void put_le(FILE *f, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputc((int)((v >> (8 * i)) & 0xff), f);
}

static void put_vec(FILE *f, enum emb_fmt fmt, uint64_t id, uint64_t n,
		    const float *v, unsigned dim)
{
	if (fmt == FMT_CSV) {
		fprintf(f, "%016llx,%llu", (unsigned long long)id,
			(unsigned long long)n);
		for (unsigned i = 0; i < dim; i++)
			fprintf(f, ",%.6g", (double)v[i]);
		fputc('\n', f);
		return;
	}
	{
		unsigned char rec[16 + 4 * ANOMALY_DIM_MAX], *q = rec;

		for (size_t i = 0; i < 8; i++)
			*q++ = (unsigned char)(id >> (8 * i));
		for (size_t i = 0; i < 8; i++)
			*q++ = (unsigned char)(n >> (8 * i));
		for (unsigned i = 0; i < dim; i++) {
			uint32_t u;

			memcpy(&u, &v[i], sizeof(u));
			for (size_t k = 0; k < 4; k++)
				*q++ = (unsigned char)(u >> (8 * k));
		}
		fwrite(rec, 1, (size_t)(q - rec), f);
	}
}

static void put_header(FILE *f, const struct emb_run *run, uint64_t count)
{
	if (run->fmt == FMT_CSV) {
		fputs(run->templates ? "template_id,count" :
		      "template_id,line", f);
		for (unsigned i = 0; i < run->dim; i++)
			fprintf(f, ",v%u", i);
		fputc('\n', f);
		return;
	}
	fputs(EMBED_MAGIC, f);
	put_le(f, run->dim, 4);
	put_le(f, run->templates, 4);
	put_le(f, count, 8);
}

struct emit_ctx {
	struct emb_run *run;
	FILE *f;
	float *v;
};

static int embed_line(void *ud, const struct core_event *ev)
{
	struct emit_ctx *x = ud;
	struct anomaly_model *m = x->run->m;
	struct core_str msg;
	struct anomaly_template t;
	uint32_t id;
	double t0 = now_s();

	msg = anomaly_event_message(ev);
	anomaly_embed(anomaly_model_embedder(m), msg.p, msg.len, x->v);
	x->run->embed_s += now_s() - t0;
	if (anomaly_miner_add(anomaly_model_miner(m), msg.p, msg.len, &id))
		return 1;
	anomaly_miner_get(anomaly_model_miner(m),
			  anomaly_miner_resolve(anomaly_model_miner(m), id),
			  &t);
	if (x->f)
		put_vec(x->f, x->run->fmt, t.id, ev->line, x->v,
			x->run->dim);
	x->run->written++;
	return 0;
}

/* Vectors of the live templates: rows of dim floats; *n of them. */
static float *template_vectors(struct emb_run *run, uint32_t **idx,
			       size_t *n)
{
	struct anomaly_miner *mi = anomaly_model_miner(run->m);
	size_t nc = anomaly_miner_clusters(mi), k = 0;
	float *v = malloc((nc + 1) * run->dim * sizeof(*v));

	*idx = malloc((nc + 1) * sizeof(**idx));
	if (!v || !*idx) {
		free(v);
		free(*idx);
		*idx = NULL;
		return NULL;
	}
	for (size_t i = 0; i < nc; i++) {
		struct anomaly_template t;

		anomaly_miner_get(mi, (uint32_t)i, &t);
		if (!t.live || t.count == 0)
			continue;
		anomaly_embed(anomaly_model_embedder(run->m), t.text.p,
			      t.text.len, v + k * run->dim);
		(*idx)[k++] = (uint32_t)i;
	}
	*n = k;
	return v;
}

static int write_templates(struct emb_run *run, FILE *f)
{
	struct anomaly_miner *mi = anomaly_model_miner(run->m);
	uint32_t *idx;
	size_t n;
	float *v = template_vectors(run, &idx, &n);

	if (!v)
		return 1;
	put_header(f, run, n);
	for (size_t i = 0; i < n; i++) {
		struct anomaly_template t;

		anomaly_miner_get(mi, idx[i], &t);
		put_vec(f, run->fmt, t.id, t.count, v + i * run->dim,
			run->dim);
	}
	run->written = n;
	free(v);
	free(idx);
	return 0;
}

static int write_events(struct emb_run *run, FILE *f, char **files,
			int nfiles)
{
	struct emit_ctx x = { run, f, malloc(run->dim * sizeof(float)) };

	if (!x.v)
		return 1;
	put_header(f, run, 0);
	for (int i = 0; i < nfiles; i++)
		each_line("embed", files[i], embed_line, &x);
	if (run->fmt == FMT_BIN && fseek(f, 16, SEEK_SET) == 0)
		put_le(f, run->written, 8);	/* count, when seekable */
	free(x.v);
	return 0;
}

/* ---------------------------------------------------------------- plot */

static void ignore_alert(const struct detect_alert *a, void *ud)
{
	(void)a;
	(void)ud;
}

/* Is template text t new against the baseline model b? */
static bool new_against(struct anomaly_model *b, struct core_str text)
{
	static struct core_event ev;

	if (!b)
		return false;
	line_event(&ev, "plot", 0, text);
	core_event_set_str(&ev, CORE_F_MESSAGE, text);
	return anomaly_model_score(b, &ev, ignore_alert, NULL) > 0;
}

static struct anomaly_model *load_state_file(const char *path)
{
	struct core_buf b;
	struct core_error err;
	struct anomaly_model *m = NULL;
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "vigil: %s: cannot open: %s\n", path,
			strerror(errno));
		return NULL;
	}
	core_buf_init(&b, 64u << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (core_buf_add(&b, chunk, n) != 0)
			break;
	fclose(f);
	if (anomaly_state_load(b.p, b.len, NULL, &m, &err) != 0)
		fprintf(stderr, "vigil: %s: %s\n", path, err.msg);
	core_buf_free(&b);
	return m;
}

static int draw_plot(struct emb_run *run)
{
	struct anomaly_miner *mi = anomaly_model_miner(run->m);
	struct anomaly_model *base = run->baseline_state ?
		load_state_file(run->baseline_state) : NULL;
	struct anomaly_plot_point *pt = NULL;
	uint64_t *w = NULL;
	uint32_t *idx, *cl = NULL;
	float *xy = NULL;
	size_t n;
	float *v = template_vectors(run, &idx, &n);
	FILE *f = NULL;
	int rc = 1;

	if (!v || (run->baseline_state && !base))
		goto out;
	pt = calloc(n + 1, sizeof(*pt));
	w = calloc(n + 1, sizeof(*w));
	cl = calloc(n + 1, sizeof(*cl));
	xy = calloc(2 * (n + 1), sizeof(*xy));
	if (!pt || !w || !cl || !xy || anomaly_pca2(v, n, run->dim, xy))
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct anomaly_template t;

		anomaly_miner_get(mi, idx[i], &t);
		w[i] = t.count;
		pt[i].label = t.text;
		pt[i].count = t.count;
		pt[i].mark = t.count <= 2 && run->lines >= 100 ?
			     ANOMALY_MARK_RARE : ANOMALY_MARK_NONE;
		if (base && new_against(base, t.text))
			pt[i].mark = ANOMALY_MARK_INCIDENT;
	}
	if (anomaly_cluster(v, w, n, run->dim, CLUSTER_COS, cl) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		pt[i].cluster = cl[i];
	if (!(f = fopen(run->plot, "w"))) {
		fprintf(stderr, "vigil embed: %s: cannot write\n", run->plot);
		goto out;
	}
	rc = anomaly_plot_svg(f, pt, xy, n, "vigil: log templates, first two "
			      "principal components of their vectors") != 0;
out:
	if (f && fclose(f) != 0)
		rc = 1;
	anomaly_model_free(base);
	free(v);
	free(idx);
	free(pt);
	free(w);
	free(cl);
	free(xy);
	return rc;
}

/* --------------------------------------------------------------- embed */

static const char embed_usage[] =
"usage: vigil embed [OPTIONS] FILE|DIR...\n"
"\n"
"Maps every event (or template) of the logs named (text or Windows EVTX,\n"
"plain or gzip; '-' is standard input; directories and files named\n"
"twice as analyze reads them) to a dense vector and writes them; or\n"
"draws the template space.  An event's line is its line number, or an\n"
"EVTX record's number (its EventRecordID, unless the log was exported).\n"
"\n"
"  -o, --output FILE    where the vectors go ('-': standard output)\n"
"      --dim N          256 (default) or 512; any of 16..512 works\n"
"  -f, --format FMT     bin (default) or csv\n"
"      --templates      one vector per template instead of per event\n"
"      --plot FILE.svg  draw templates: PCA, clusters, rare points\n"
"      --baseline-state FILE  mark templates new against this state\n"
"      --stats          lines, speed and memory on stderr\n"
"  -h, --help           this text\n";

enum { OPT_DIM = 256, OPT_TEMPLATES, OPT_PLOT, OPT_STATS, OPT_BSTATE };

static int embed_args(int argc, char **argv, struct emb_run *run)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "dim", required_argument, NULL, OPT_DIM },
		{ "format", required_argument, NULL, 'f' },
		{ "templates", no_argument, NULL, OPT_TEMPLATES },
		{ "plot", required_argument, NULL, OPT_PLOT },
		{ "baseline-state", required_argument, NULL, OPT_BSTATE },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *why = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:h", lo, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'o': run->out = optarg; break;
		case 'f':
			if (strcmp(optarg, "csv") == 0)
				run->fmt = FMT_CSV;
			else if (strcmp(optarg, "bin") != 0) {
				why = "--format is bin or csv";
				goto bad;
			}
			break;
		case OPT_DIM:
			run->dim = (unsigned)strtoul(optarg, &end, 10);
			if (*end || run->dim < 16 ||
			    run->dim > ANOMALY_DIM_MAX) {
				why = "--dim is a number from 16 to 512";
				goto bad;
			}
			break;
		case OPT_TEMPLATES: run->templates = true; break;
		case OPT_PLOT: run->plot = optarg; break;
		case OPT_BSTATE: run->baseline_state = optarg; break;
		case OPT_STATS: run->stats = true; break;
		case 'h': fputs(embed_usage, stdout); return 0;
		default: goto bad;
		}
	}
	if (optind < argc && (run->out || run->plot))
		return -1;
	why = optind >= argc ? "no log file given" :
	      "say where the vectors go (-o FILE, '-' for standard output) "
	      "or draw them (--plot FILE.svg)";
bad:
	if (why)
		fprintf(stderr, "vigil embed: %s\n", why);
	fputs(embed_usage, stderr);
	return 2;
}

static void embed_stats(const struct emb_run *run)
{
	fprintf(stderr, "lines=%llu vectors=%llu dim=%u mine_s=%.3f "
		"mine_lines_per_s=%.0f embed_s=%.3f embed_lines_per_s=%.0f\n",
		(unsigned long long)run->lines,
		(unsigned long long)run->written, run->dim, run->mine_s,
		run->mine_s > 0 ? (double)run->lines / run->mine_s : 0,
		run->embed_s, run->embed_s > 0 ?
		(double)run->written / run->embed_s : 0);
}

static int embed_write(struct emb_run *run, char **files, int nfiles)
{
	FILE *f = strcmp(run->out, "-") == 0 ? stdout :
		  fopen(run->out, "wb");
	int rc;

	if (!f) {
		fprintf(stderr, "vigil embed: %s: cannot write\n", run->out);
		return 1;
	}
	rc = run->templates ? write_templates(run, f) :
	     write_events(run, f, files, nfiles);
	if (f != stdout && fclose(f) != 0)
		rc = 1;
	return rc;
}

/*
 * An unnamed file for stdin's copy, in $TMPDIR (else /tmp) as a user
 * with a small /tmp expects: made with mkstemp (mode 0600) and unlinked
 * at once.  Returns its descriptor, or -1 with errno set.
 */
static int copy_file(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd, e;

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	if (snprintf(path, sizeof(path), "%s/vigil-stdin.XXXXXX", dir) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkstemp(path)) < 0)
		return -1;
	if (unlink(path) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Writes all n bytes of p to fd; false on an error. */
static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

/*
 * Event vectors read the logs twice (learn, then embed), so standard
 * input ("-") is made readable twice: a pipe is first copied into a
 * temporary file that takes its place.  *start is where it begins.
 * Returns 0, or 1 after saying why not.
 */
static int stdin_twice(off_t *start)
{
	char buf[65536];
	ssize_t n;
	int fd, bad = 0;

	if ((*start = lseek(STDIN_FILENO, 0, SEEK_CUR)) >= 0)
		return 0;
	*start = 0;
	if ((fd = copy_file()) < 0) {
		fprintf(stderr, "vigil embed: <stdin>: cannot keep a copy: "
			"%s\n", strerror(errno));
		return 1;
	}
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || !write_all(fd, buf, (size_t)n)) {
			bad = 1;
			break;
		}
	}
	if (bad || dup2(fd, STDIN_FILENO) < 0 ||
	    lseek(STDIN_FILENO, 0, SEEK_SET) != 0) {
		fprintf(stderr, "vigil embed: <stdin>: cannot keep a copy: "
			"%s\n", strerror(errno));
		bad = 1;
	}
	close(fd);
	return bad;
}

/* True, said, when the output named by opt would destroy an input. */
static bool overwrites(const struct cli_paths *logs, const char *out,
		       const char *opt)
{
	if (out == NULL || strcmp(out, "-") == 0 ||
	    !cli_paths_holds(logs, out))
		return false;
	fprintf(stderr, "vigil embed: %s: is one of the inputs; writing it "
		"would destroy it (give %s another file)\n", out, opt);
	return true;
}

int cli_embed(int argc, char **argv)
{
	struct emb_run run = { ANOMALY_DIM, FMT_BIN, false, false, NULL, NULL,
			       NULL, NULL, 0, 0, 0, 0 };
	struct anomaly_model_opts o;
	struct cli_paths logs;
	bool stdin_in = false;
	off_t start = 0;
	int rc, bad = 0;

	if ((rc = embed_args(argc, argv, &run)) >= 0)
		return rc;
	collect("vigil embed", &logs, argv + optind, argc - optind);
	if (overwrites(&logs, run.out, "-o") ||
	    overwrites(&logs, run.plot, "--plot")) {
		cli_paths_free(&logs);
		return 2;
	}
	/* One file cannot hold both: the plot would be lost unsaid. */
	if (run.out != NULL && run.plot != NULL &&
	    strcmp(run.out, "-") != 0 && strcmp(run.out, run.plot) == 0) {
		fprintf(stderr, "vigil embed: %s: named by both -o and "
			"--plot; give each its own file\n", run.out);
		cli_paths_free(&logs);
		return 2;
	}
	for (size_t i = 0; i < logs.n; i++)
		stdin_in |= strcmp(logs.v[i], "-") == 0;
	stdin_in &= run.out != NULL && !run.templates;
	anomaly_model_opts_default(&o);
	o.dim = run.dim;
	if ((stdin_in && stdin_twice(&start) != 0) ||
	    !(run.m = anomaly_model_new(&o))) {
		cli_paths_free(&logs);
		return 1;
	}
	for (size_t i = 0; i < logs.n; i++)
		bad += each_line("embed", logs.v[i], learn_line, &run);
	rc = anomaly_model_seal(run.m) != 0;
	/*
	 * The plot first: writing event vectors adds each line to the
	 * miner again to learn its template, which doubles the counts.
	 */
	if (!rc && run.plot)
		rc = draw_plot(&run);
	if (!rc && stdin_in &&
	    lseek(STDIN_FILENO, start, SEEK_SET) != start) {
		fprintf(stderr, "vigil embed: <stdin>: cannot read it again: "
			"%s\n", strerror(errno));
		rc = 1;
	}
	if (!rc && run.out)
		rc = embed_write(&run, logs.v, (int)logs.n);
	if (run.stats)
		embed_stats(&run);
	anomaly_model_free(run.m);
	rc = rc || bad == (int)logs.n;
	cli_paths_free(&logs);
	return rc;
}

/* ------------------------------------------------------------- similar */

static const char similar_usage[] =
"usage: vigil similar [OPTIONS] LINE FILE|DIR...\n"
"       vigil similar [OPTIONS] --event FILE:LINE FILE|DIR...\n"
"\n"
"Mines the logs named (text or Windows EVTX, plain or gzip, as analyze\n"
"reads them) and prints\n"
"the templates nearest to a line (given as text, or as the line of a\n"
"file; of an EVTX, the record of that number), by cosine of\n"
"their vectors.\n"
"\n"
"  -k, --top K          templates shown (default 5)\n"
"  -e, --event F:N      take line N of file F as the query\n"
"  -h, --help           this text\n";

struct event_pick {
	uint64_t want;
	struct core_buf text;
	bool found;
};

static int pick_line(void *ud, const struct core_event *ev)
{
	struct event_pick *p = ud;

	if (ev->line != p->want)
		return 0;
	p->found = core_buf_add(&p->text, core_event_raw(ev)->p,
				core_event_raw(ev)->len) == 0;
	return 1;
}

/* The query of --event FILE:LINE into q. */
static int event_query(const char *spec, struct core_buf *q)
{
	const char *colon = strrchr(spec, ':');
	struct event_pick p = { 0, { 0 }, false };
	char path[4096];
	char *end;

	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(path))
		return -1;
	p.want = strtoull(colon + 1, &end, 10);
	if (*end || p.want == 0)
		return -1;
	memcpy(path, spec, (size_t)(colon - spec));
	path[colon - spec] = '\0';
	core_buf_init(&p.text, 1u << 20);
	each_line("similar", path, pick_line, &p);
	if (p.found)
		core_buf_add(q, p.text.p, p.text.len);
	core_buf_free(&p.text);
	return p.found ? 0 : 1;
}

struct hit {
	float cos;
	uint32_t idx;
};

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->cos != y->cos)
		return x->cos > y->cos ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int print_similar(struct emb_run *run, struct core_str q, unsigned k)
{
	struct anomaly_miner *mi = anomaly_model_miner(run->m);
	struct core_event ev;
	struct core_buf line;
	struct core_str msg;
	uint32_t *idx;
	size_t n;
	float *v = template_vectors(run, &idx, &n), *qv;
	struct hit *h = calloc(n + 1, sizeof(*h));

	qv = malloc(run->dim * sizeof(*qv));
	if (!v || !h || !qv) {
		free(v), free(idx), free(h), free(qv);
		return 1;
	}
	line_event(&ev, "query", 0, q);
	msg = anomaly_event_message(&ev);
	anomaly_embed(anomaly_model_embedder(run->m), msg.p, msg.len, qv);
	for (size_t i = 0; i < n; i++)
		h[i] = (struct hit){ anomaly_cosine(qv, v + i * run->dim,
						    run->dim), idx[i] };
	qsort(h, n, sizeof(*h), hit_cmp);
	printf("cosine  count  template\n");
	core_buf_init(&line, 1u << 20);
	for (size_t i = 0; i < n && i < k; i++) {
		struct anomaly_template t;

		anomaly_miner_get(mi, h[i].idx, &t);
		/* Log text for a terminal: escaped as the reports escape it. */
		core_buf_reset(&line);
		if (cli_report_escape(&line, t.text.p, t.text.len,
				      CLI_REPORT_WHOLE, 0) != 0)
			continue;
		printf("%6.3f %6llu  %s\n", (double)h[i].cos,
		       (unsigned long long)t.count, core_buf_cstr(&line));
	}
	core_buf_free(&line);
	free(v), free(idx), free(h), free(qv);
	return 0;
}

int cli_similar(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "top", required_argument, NULL, 'k' },
		{ "event", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct emb_run run = { ANOMALY_DIM, FMT_BIN, false, false, NULL, NULL,
			       NULL, NULL, 0, 0, 0, 0 };
	const char *event = NULL;
	struct cli_paths logs;
	struct core_buf q;
	unsigned k = 5;
	int c, rc, bad;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:e:h", lo, NULL)) != -1) {
		if (c == 'k' && (k = (unsigned)strtoul(optarg, NULL, 10)) > 0)
			continue;
		if (c == 'e') {
			event = optarg;
			continue;
		}
		fputs(similar_usage, c == 'h' ? stdout : stderr);
		return c == 'h' ? 0 : 2;
	}
	if (argc - optind < (event ? 1 : 2)) {
		fputs(similar_usage, stderr);
		return 2;
	}
	core_buf_init(&q, 1u << 20);
	if (event ? event_query(event, &q) != 0 :
	    core_buf_add(&q, argv[optind], strlen(argv[optind])) != 0) {
		fprintf(stderr, "vigil similar: no such line: %s\n",
			event ? event : "");
		core_buf_free(&q);
		return 1;
	}
	run.m = anomaly_model_new(NULL);
	collect("vigil similar", &logs, argv + optind + (event ? 0 : 1),
		argc - optind - (event ? 0 : 1));
	bad = 0;
	for (size_t i = 0; run.m && i < logs.n; i++)
		bad += each_line("similar", logs.v[i], learn_line, &run);
	/* As embed and templates: 1 when no log could be read at all. */
	rc = !run.m || bad == (int)logs.n || anomaly_model_seal(run.m) != 0 ||
	     print_similar(&run, core_str_make(q.p, q.len), k);
	cli_paths_free(&logs);
	anomaly_model_free(run.m);
	core_buf_free(&q);
	return rc;
}

/* ------------------------------------------------------ eval anomalies */

static bool labelled(const char *path)
{
	struct anomaly_csv *c;
	struct core_str f[64];
	size_t n;
	bool yes = false;

	if (anomaly_csv_open(path, 1u << 30, &c, NULL) != 0)
		return false;
	if (anomaly_csv_next(c, f, 64, &n, NULL) == 1)
		for (size_t i = 0; i < n; i++)
			yes |= core_str_eq_lit(f[i], "Label");
	anomaly_csv_close(c);
	return yes;
}

struct judge_ctx {
	int rc;
	unsigned rows;
	double share;
};

static void judge_one(const char *path, void *ud)
{
	struct judge_ctx *x = ud;
	struct anomaly_judgement j;
	struct core_error err;
	const char *base = strrchr(path, '/');
	size_t l = strlen(path);

	if (l < 15 || strcmp(path + l - 15, "_structured.csv") != 0 ||
	    !labelled(path))
		return;
	if (anomaly_judge_file(path, x->share, &j, &err) != 0) {
		say_error("eval", &err);
		x->rc = 1;
		return;
	}
	base = base ? base + 1 : path;
	printf("%-32.*s %6llu %6llu %5llu %5llu %5llu", (int)strcspn(base, "."),
	       base, (unsigned long long)j.learn_lines,
	       (unsigned long long)j.test_lines,
	       (unsigned long long)j.true_pos,
	       (unsigned long long)j.false_pos,
	       (unsigned long long)j.false_neg);
	if (j.true_pos + j.false_neg == 0)
		printf("     n/a     n/a     n/a  (no alert line scored; %llu "
		       "in the file, labels from the %s)\n",
		       (unsigned long long)j.alerts,
		       j.labels_from_log ? "raw log" : "csv");
	else
		printf(" %7.4f %7.4f %7.4f\n", j.precision, j.recall, j.f1);
	x->rows++;
}

static void judge_skip(const char *path, const char *why, void *ud)
{
	(void)ud;
	fprintf(stderr, "vigil eval: skipped %s: %s\n", path, why);
}

static const char judge_usage[] =
"usage: vigil eval anomalies [--learn SHARE] DIR|FILE...\n"
"\n"
"Judges the anomaly alerts on labelled loghub logs (a Label column, '-'\n"
"on normal lines): learns the normal lines of the first SHARE of each\n"
"file (default 0.5), in file order, and scores every line of the rest.\n";

int cli_eval_anomalies(int argc, char **argv)
{
	struct judge_ctx x = { 0, 0, 0.5 };
	int first = 2;

	if (argc < 3 || strcmp(argv[2], "--help") == 0) {
		fputs(judge_usage, argc < 3 ? stderr : stdout);
		return argc < 3 ? 2 : 0;
	}
	if (strcmp(argv[2], "--learn") == 0) {
		char *end = NULL;

		x.share = argc > 3 ? strtod(argv[3], &end) : 0;
		if (!end || *end || !(x.share > 0 && x.share < 1) ||
		    argc < 5) {
			fprintf(stderr, "vigil eval: --learn takes a share "
				"inside (0, 1) and then inputs\n");
			return 2;
		}
		first = 4;
	}
	printf("%-32s %6s %6s %5s %5s %5s %7s %7s %7s\n", "dataset", "learnt",
	       "tested", "tp", "fp", "fn", "P", "R", "F1");
	for (int i = first; i < argc; i++) {
		struct core_error err;

		if (input_walk(argv[i], judge_one, judge_skip, &x, &err) != 0)
			say_error("eval", &err), x.rc = 1;
	}
	if (x.rows == 0) {
		fprintf(stderr, "vigil eval: no labelled *_structured.csv\n");
		return 1;
	}
	return x.rc;
}

/* ---------------------------------------------------- the analyze hook */

#define STATE_NS "anomaly"
#define STATE_KEY "model"

struct cli_anomaly {
	struct anomaly_model *m;
	const char *state_path;		/* --anomaly-state FILE */
	const char *store_path;		/* --store PATH */
	bool learning;
	bool active;
	uint64_t alerts;
};

static void say_store(const char *path, const struct core_error *err)
{
	char msg[1024];

	core_error_format(err, msg, sizeof(msg));
	core_log(CORE_LOG_WARN, "anomaly", path, 0, "store: %s", msg);
}

/*
 * The model kept in the store at path under ("anomaly", "model"): 0
 * with *out set (NULL when the store or the model does not exist yet),
 * 1 when the store or the blob cannot be read.
 */
static int load_store_model(const char *path, struct anomaly_model **out)
{
	struct store_options o = { .flags = STORE_O_READONLY };
	struct core_error err = { 0 };
	struct store *st;
	struct core_buf b;
	int rc;

	*out = NULL;
	if (access(path, F_OK) != 0)
		return 0;
	if (store_open(path, &o, &st, &err) != 0) {
		say_store(path, &err);
		return 1;
	}
	core_buf_init(&b, STORE_STATE_MAX);
	rc = store_state_get(st, STATE_NS, STATE_KEY, &b, NULL, &err);
	store_close(st);
	if (rc == 0 && anomaly_state_load(b.p, b.len, NULL, out, &err) != 0)
		rc = err.code ? err.code : CORE_E_PARSE;
	core_buf_free(&b);
	if (rc == CORE_E_NOTFOUND)
		return 0;
	if (rc != 0)
		say_store(path, &err);
	return rc != 0;
}

struct cli_anomaly *cli_anomaly_new(const char *state_path,
				    const char *store_path, bool want)
{
	struct cli_anomaly *ca = calloc(1, sizeof(*ca));

	if (!ca)
		return NULL;
	ca->state_path = state_path;
	ca->store_path = store_path;
	if (state_path && access(state_path, F_OK) == 0) {
		if (!(ca->m = load_state_file(state_path))) {
			free(ca);
			return NULL;
		}
	} else if (store_path && load_store_model(store_path, &ca->m)) {
		free(ca);
		return NULL;
	}
	ca->active = want && ca->m;
	return ca;
}

void cli_anomaly_free(struct cli_anomaly *ca)
{
	if (!ca)
		return;
	anomaly_model_free(ca->m);
	free(ca);
}

/* Writes the blob b to the state file, through a temporary name. */
static int save_state_file(const char *path, const struct core_buf *b)
{
	char tmp[4096];
	FILE *f;
	int rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return CORE_E_INVAL;
	if (!(f = fopen(tmp, "wb"))) {
		rc = CORE_E_IO;
	} else {
		bool short_write = fwrite(b->p, 1, b->len, f) != b->len;

		if (fclose(f) != 0 || short_write || rename(tmp, path) != 0)
			rc = CORE_E_IO;
	}
	if (rc)
		core_log(CORE_LOG_WARN, "anomaly", path, 0,
			 "cannot save the anomaly state");
	return rc;
}

/* Writes the blob b into the store at path (created when absent). */
static int save_state_store(const char *path, const struct core_buf *b)
{
	struct core_error err = { 0 };
	struct store *st;
	int rc = store_open(path, NULL, &st, &err);

	if (rc == 0) {
		rc = store_state_put(st, STATE_NS, STATE_KEY, b->p, b->len,
				     &err);
		store_close(st);
	}
	if (rc)
		say_store(path, &err);
	return rc;
}

/* Saves the learnt model wherever it is kept: the file, the store. */
static int save_state(struct cli_anomaly *ca)
{
	struct core_buf b;
	int rc;

	if (!ca->state_path && !ca->store_path)
		return 0;
	core_buf_init(&b, STORE_STATE_MAX);
	rc = anomaly_state_save(ca->m, &b);
	if (rc)
		core_log(CORE_LOG_WARN, "anomaly", NULL, 0,
			 "the anomaly state is over %u bytes; not saved",
			 STORE_STATE_MAX);
	if (rc == 0 && ca->state_path)
		rc = save_state_file(ca->state_path, &b);
	if (rc == 0 && ca->store_path)
		rc = save_state_store(ca->store_path, &b);
	core_buf_free(&b);
	return rc;
}

int cli_anomaly_learning(struct cli_anomaly *ca, bool on, bool want)
{
	if (on && !ca->m && !(ca->m = anomaly_model_new(NULL)))
		return CORE_E_NOMEM;
	if (!on && ca->learning) {
		ca->active = want;
		ca->learning = false;
		return save_state(ca);
	}
	ca->learning = on;
	return 0;
}

void cli_anomaly_event(struct cli_anomaly *ca, const struct core_event *ev,
		       detect_alert_fn fn, void *ud)
{
	int rc = 0;

	if (!ca || !ca->m)
		return;
	if (ca->learning)
		rc = anomaly_model_learn(ca->m, ev);
	else if (ca->active && (rc = anomaly_model_score(ca->m, ev, fn,
							 ud)) > 0)
		ca->alerts += (uint64_t)rc;
	if (rc == CORE_E_NOMEM) {
		core_log(CORE_LOG_WARN, "anomaly", ev->src, ev->line,
			 "out of memory; anomaly scoring stops");
		ca->active = ca->learning = false;
	}
}

uint64_t cli_anomaly_finish(struct cli_anomaly *ca, detect_alert_fn fn,
			    void *ud)
{
	if (!ca || !ca->m || !ca->active)
		return 0;
	anomaly_model_flush(ca->m, fn, ud);
	return ca->alerts;
}

bool cli_anomaly_has_model(const struct cli_anomaly *ca)
{
	return ca && ca->m;
}

bool cli_anomaly_is_learning(const struct cli_anomaly *ca)
{
	return ca && ca->learning;
}
