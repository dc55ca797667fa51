/*
 * judge.c: precision and recall of the anomaly alerts on labelled logs.
 *
 * The loghub BGL and Thunderbird logs mark each line: "-" for normal,
 * an alert category ("KERNDTLB", "APPREAD" ...) otherwise.  The split is
 * chronological, as a deployment would see it: the first learn_share of
 * the lines (file order is time order) is the baseline, learnt from its
 * normal lines only (as DeepLog and its successors train on normal
 * sessions); every line after it is scored, and a line is predicted
 * anomalous when the model raises any alert on it.  The labels are read
 * only to pick the baseline's lines and to count hits.
 *
 * From the *_structured.csv the event gets its time (Timestamp), its
 * message (Content), its host (Node, or User on Thunderbird, which holds
 * the node), its service (Component) and its level (Level, when there is
 * one).  The labels come from the raw log beside the csv when there is
 * one with as many lines (the csv minus "_structured.csv"): its first
 * field is the label the dataset's description defines, so a csv whose
 * Label column was lost or flattened is still judged right; else from
 * the Label column.  A split with no alert line scored has no
 * precision or recall (the caller prints n/a).
 */
#include "anomaly/anomaly.h"

#include <stdlib.h>
#include <string.h>

#define JUDGE_MAX_FILE (1024u * 1024 * 1024)
#define JUDGE_FIELDS 32

struct span {
	size_t off, len;	/* into the table's text */
};

struct row {
	bool alert;
	int64_t ts;
	struct span msg, host, service, level;
};

static int col(const struct core_str *f, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (core_str_eq_lit(f[i], name))
			return (int)i;
	return -1;
}

static struct core_str at(const struct core_str *f, size_t n, int i)
{
	return i >= 0 && (size_t)i < n ? f[i] : core_str_make("", 0);
}

static int64_t num(struct core_str s)
{
	int64_t v = 0;

	for (size_t i = 0; i < s.len && s.p[i] >= '0' && s.p[i] <= '9'; i++)
		v = v * 10 + (s.p[i] - '0');
	return v;
}

struct table {
	struct row *r;
	size_t n, cap;
	char *text;			/* copies of the fields */
	size_t used, tcap;
};

/* Copies s into t's text; *ok turns false when out of memory. */
static struct span keep(struct table *t, struct core_str s, bool *ok)
{
	struct span sp = { t->used, s.len };
	char *p;

	if (t->used + s.len > t->tcap) {
		size_t cap = CORE_MAX(2 * t->tcap, t->used + s.len + 65536);

		if (!(p = realloc(t->text, cap))) {
			*ok = false;
			return (struct span){ 0, 0 };
		}
		t->text = p;
		t->tcap = cap;
	}
	memcpy(t->text + t->used, s.p, s.len);
	t->used += s.len;
	return sp;
}

static struct core_str text_of(const struct table *t, struct span sp)
{
	return core_str_make(t->text + sp.off, sp.len);
}

static int push(struct table *t, const struct row *r)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 4096;
		struct row *n = realloc(t->r, cap * sizeof(*n));

		if (!n)
			return CORE_E_NOMEM;
		t->r = n;
		t->cap = cap;
	}
	t->r[t->n++] = *r;
	return 0;
}

/* One csv record into a row of t. */
static int add_record(struct table *t, const struct core_str *f, size_t n,
		      const int *c)
{
	struct core_str label = at(f, n, c[0]);
	struct row r;
	bool ok = true;

	r.alert = !(label.len == 1 && label.p[0] == '-');
	r.ts = num(at(f, n, c[1])) * 1000000;
	r.msg = keep(t, at(f, n, c[2]), &ok);
	r.host = keep(t, at(f, n, c[3]), &ok);
	r.service = keep(t, at(f, n, c[4]), &ok);
	r.level = keep(t, at(f, n, c[5]), &ok);
	if (!ok)
		return CORE_E_NOMEM;
	return push(t, &r);
}

/*
 * Labels from the raw log at path (the csv's name minus
 * "_structured.csv"), when it exists and has one line per row: 1
 * taken, 0 not.  Lines longer than the buffer count once.
 */
static int raw_labels(const char *csv, struct table *t, uint64_t *alerts)
{
	static char line[65536];
	size_t l = strlen(csv), n = 0;
	char path[4096];
	bool *lab, fresh = true;
	FILE *f;

	if (l < 16 || l >= sizeof(path) ||
	    strcmp(csv + l - 15, "_structured.csv") != 0)
		return 0;
	memcpy(path, csv, l - 15);
	path[l - 15] = '\0';
	if (!(f = fopen(path, "r")))
		return 0;
	if (!(lab = calloc(t->n + 1, sizeof(*lab)))) {
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		if (fresh && n <= t->n)
			lab[n++] = !(line[0] == '-' && line[1] == ' ');
		fresh = strchr(line, '\n') != NULL;
	}
	fclose(f);
	if (n == t->n)
		for (size_t i = 0; i < n; i++)
			*alerts += (t->r[i].alert = lab[i]);
	free(lab);
	return n == t->n;
}

static int read_rows(const char *path, struct table *t,
		     struct core_error *err)
{
	struct core_str f[JUDGE_FIELDS];
	struct anomaly_csv *c;
	size_t n;
	int rc, k[6];

	if ((rc = anomaly_csv_open(path, JUDGE_MAX_FILE, &c, err)) != 0)
		return rc;
	rc = anomaly_csv_next(c, f, JUDGE_FIELDS, &n, err);
	k[0] = col(f, n, "Label");
	k[1] = col(f, n, "Timestamp");
	k[2] = col(f, n, "Content");
	k[3] = col(f, n, "Node") >= 0 ? col(f, n, "Node") : col(f, n, "User");
	k[4] = col(f, n, "Component");
	k[5] = col(f, n, "Level");
	if (rc <= 0 || k[0] < 0 || k[2] < 0) {
		anomaly_csv_close(c);
		return core_fail(err, CORE_E_PARSE, path, 1,
				 "no Label or Content column");
	}
	while ((rc = anomaly_csv_next(c, f, JUDGE_FIELDS, &n, err)) == 1)
		if ((rc = add_record(t, f, n, k)) != 0)
			break;
	anomaly_csv_close(c);
	return rc < 0 ? rc : 0;
}

static void to_event(const struct table *t, size_t i, const char *path,
		     struct core_event *ev)
{
	const struct row *r = &t->r[i];

	core_event_reset(ev, NULL);
	ev->ts = r->ts;
	ev->src = path;
	ev->line = i + 2;	/* after the header row */
	ev->raw = text_of(t, r->msg);
	core_event_set_str(ev, CORE_F_MESSAGE, ev->raw);
	if (r->host.len)
		core_event_set_str(ev, CORE_F_HOST_NAME, text_of(t, r->host));
	if (r->service.len)
		core_event_set_str(ev, CORE_F_SERVICE_NAME,
				   text_of(t, r->service));
	if (r->level.len)
		core_event_set_str(ev, CORE_F_LOG_LEVEL, text_of(t, r->level));
}

struct hits {
	const struct core_event *ev;
	uint64_t n;
};

/* Counts the alerts about the event scored (not an hour it closed). */
static void count_alert(const struct detect_alert *a, void *ud)
{
	struct hits *h = ud;

	h->n += a->event == h->ev;
}

static int judge_rows(const struct table *t, const char *path, double share,
		      struct anomaly_judgement *out)
{
	struct anomaly_model *m = anomaly_model_new(NULL);
	struct core_event *ev = malloc(sizeof(*ev));
	size_t cut = (size_t)((double)t->n * share);
	int rc = m && ev ? 0 : CORE_E_NOMEM;

	for (size_t i = 0; i < cut && rc == 0; i++) {
		if (t->r[i].alert)
			continue;
		to_event(t, i, path, ev);
		rc = anomaly_model_learn(m, ev);
		out->learn_lines++;
	}
	for (size_t i = cut; i < t->n && rc >= 0; i++) {
		struct hits h = { ev, 0 };
		bool hits;

		to_event(t, i, path, ev);
		rc = anomaly_model_score(m, ev, count_alert, &h);
		hits = h.n > 0;
		out->test_lines++;
		out->true_pos += hits && t->r[i].alert;
		out->false_pos += hits && !t->r[i].alert;
		out->false_neg += !hits && t->r[i].alert;
	}
	anomaly_model_free(m);
	free(ev);
	return rc < 0 ? rc : 0;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

int anomaly_judge_file(const char *path, double learn_share,
		       struct anomaly_judgement *out, struct core_error *err)
{
	struct table t = { NULL, 0, 0, NULL, 0, 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	if (learn_share <= 0 || learn_share >= 1)
		return core_fail(err, CORE_E_INVAL, path, 0,
				 "the learnt share must be inside (0, 1)");
	if ((rc = read_rows(path, &t, err)) == 0) {
		out->labels_from_log = raw_labels(path, &t, &out->alerts);
		if (!out->labels_from_log)
			for (size_t i = 0; i < t.n; i++)
				out->alerts += t.r[i].alert;
	}
	if (rc == 0 && (rc = judge_rows(&t, path, learn_share, out)) != 0)
		core_fail(err, rc, path, 0, "out of memory");
	free(t.r);
	free(t.text);
	if (rc)
		return rc;
	out->precision = ratio(out->true_pos, out->true_pos + out->false_pos);
	out->recall = ratio(out->true_pos, out->true_pos + out->false_neg);
	out->f1 = out->precision + out->recall > 0 ?
		  2 * out->precision * out->recall /
		  (out->precision + out->recall) : 0;
	return 0;
}
