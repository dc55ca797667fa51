/*
 * report.c: the report for people, in a terminal, and what the three
 * writers share (selection, escaping, header, footer, counters).
 *
 * The text report fits a screen: the most urgent incidents first, each
 * with score, title, ATT&CK chain, entities with their exact counters, a
 * few evidence lines as "file:line  text" and the explanation.  Log text
 * is hostile: control characters and invalid UTF-8 are printed as \xNN
 * so that a crafted line cannot move the cursor or recolour the screen,
 * and every line is cut to CLI_REPORT_WIDTH bytes.
 */
#include "cli/report.h"

#include <string.h>

#define BUF_MAX (64u << 20)

static const char *const sev_colour[] = {
	"\033[2m", "\033[36m", "\033[33m", "\033[31m", "\033[1;31m",
};

/* Selection by --min-severity and --top, in the set's order. */
bool cli_report_selected(const struct cli_report_opts *opts,
			 const struct incident *inc, size_t *shown)
{
	if ((int)inc->severity < (int)opts->min_severity)
		return false;
	if (opts->top && *shown >= opts->top)
		return false;
	(*shown)++;
	return true;
}

/*
 * Length of the valid UTF-8 sequence at p (1..4), its code point in *cp;
 * 0 when the bytes at p are no such sequence.
 */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t need;

	*cp = p[0];
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		need = 2, *cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		need = 3, *cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		need = 4, *cp = p[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	if ((need == 3 && (*cp < 0x800 || (*cp >= 0xd800 && *cp <= 0xdfff))) ||
	    (need == 4 && (*cp < 0x10000 || *cp > 0x10ffff)))
		return 0;
	return need;
}

/*
 * Characters that are valid UTF-8 yet must not reach a reader as they
 * are: the C1 controls (U+0080..U+009F, which terminals may obey as
 * escape sequences), the Unicode bidirectional controls (U+061C,
 * U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), which reorder the
 * text after them so that a line reads otherwise than it holds, and the
 * line and paragraph separators (U+2028, U+2029), which break a line
 * where it has no line end.
 */
static bool hidden_char(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* See report.h. */
size_t cli_report_hidden_at(const char *p, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t n;

	/* Every such character starts with one of these lead bytes. */
	if (!len || (s[0] != 0xc2 && s[0] != 0xd8 && s[0] != 0xe2))
		return 0;
	n = utf8_decode(s, len, cp);
	return n && hidden_char(*cp) ? n : 0;
}

/*
 * Appends p split at DEL and the hidden characters, each written as
 * \uNNNN: str, the runs between them escaped as JSON string content;
 * else copied as they are, p being JSON text, whose bytes that are no
 * UTF-8 (they can stand only inside its strings) become \ufffd, as
 * core_buf_add_json() makes them in a string.  A run never ends inside
 * a valid UTF-8 character (the lead bytes of hidden ones are no
 * continuation bytes), so it is escaped as the whole would be.
 */
static int json_split(struct core_buf *b, const char *p, size_t len,
		      bool str)
{
	size_t i = 0, from = 0, n;
	uint32_t cp;
	int rc = 0;

	while (i < len && rc == 0) {
		unsigned char c = (unsigned char)p[i];

		/* Every such character starts with DEL or these leads. */
		cp = 0x7f;
		n = c == 0x7f ? 1 : c == 0xc2 || c == 0xd8 || c == 0xe2 ?
			cli_report_hidden_at(p + i, len - i, &cp) : 0;
		if (!n && !str && c >= 0x80) {
			uint32_t any;
			size_t k = utf8_decode((const unsigned char *)p + i,
					       len - i, &any);

			if (k) {
				i += k;
				continue;
			}
			cp = 0xfffd;
			n = 1;
		}
		if (!n) {
			i++;
			continue;
		}
		rc = str ? core_buf_add_json(b, p + from, i - from) :
			core_buf_add(b, p + from, i - from);
		rc = rc ? rc : core_buf_printf(b, "\\u%04x", (unsigned)cp);
		i += n;
		from = i;
	}
	if (rc || from == len)
		return rc;
	return str ? core_buf_add_json(b, p + from, len - from) :
		core_buf_add(b, p + from, len - from);
}

/* See report.h. */
int cli_report_json_str(struct core_buf *b, const char *p, size_t len)
{
	int rc = core_buf_addc(b, '"');

	rc = rc ? rc : json_split(b, p, p ? len : 0, true);
	return rc ? rc : core_buf_addc(b, '"');
}

/* See report.h. */
int cli_report_json_text(struct core_buf *b, const char *p, size_t len)
{
	return json_split(b, p, p ? len : 0, false);
}

/* Escapes hostile bytes; see report.h. */
int cli_report_escape(struct core_buf *b, const char *p, size_t len,
		      size_t max, unsigned md)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, start = b->len;
	int rc = 0;

	while (i < len && rc == 0) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (b->len - start >= max) {
			rc = core_buf_add(b, "...", 3);
			break;
		}
		if (n == 0 || s[i] < 0x20 || s[i] == 0x7f ||
		    (md && s[i] == '`')) {
			rc = core_buf_printf(b, "\\x%02x", s[i]);
			n = 1;
		} else if (hidden_char(cp)) {
			rc = core_buf_printf(b, "\\u%04x", (unsigned)cp);
		} else if (s[i] == '|' && (md & CLI_ESC_MD)) {
			rc = core_buf_add(b, "\\|", 2);
		} else {
			rc = core_buf_add(b, p + i, n);
		}
		i += n;
	}
	return rc;
}

/* See report.h. */
void cli_fputs_safe(const char *s, FILE *f)
{
	struct core_buf b;

	core_buf_init(&b, 1u << 20);
	if (cli_report_escape(&b, s, strlen(s), CLI_REPORT_WHOLE, 0) == 0)
		fputs(core_buf_cstr(&b), f);
	core_buf_free(&b);
}

/* Start of the UTF-8 sequence holding byte i of p, back from i. */
static size_t char_start(const char *p, size_t i)
{
	while (i > 0 && ((unsigned char)p[i] & 0xc0) == 0x80)
		i--;
	return i;
}

/* snprintf's result as the length written to out[n]. */
static size_t written(int rc, size_t n)
{
	return rc < 0 ? 0 : CORE_MIN((size_t)rc, n - 1);
}

/* Shortens an input name, directories first; see report.h. */
size_t cli_report_short_path(const char *src, size_t max, char *out,
			     size_t n)
{
	size_t len = strlen(src), base = len, head, tail;

	if (!n)
		return 0;
	max = CORE_MIN(max, n - 1);
	if (len <= max || max < 16) {
		len = char_start(src, CORE_MIN(len, max));
		return written(snprintf(out, n, "%.*s", (int)len, src), n);
	}
	while (base > 0 && src[base - 1] != '/')
		base--;
	if (len - base + 4 <= max) {
		/* Whole trailing components, as many as fit after ".../". */
		size_t from = base;

		for (size_t i = base; i > 0; i--)
			if (src[i - 1] == '/' && len - i + 4 <= max)
				from = i;
		return written(snprintf(out, n, ".../%s", src + from), n);
	}
	/*
	 * The base name alone is too long: keep its start and its end.  A
	 * name that is not UTF-8 may start with continuation bytes: the
	 * head never goes back past the base.
	 */
	head = CORE_MAX(char_start(src, base + (max - 3) / 3), base);
	tail = len - (max - 3 - (head - base));
	while (tail < len && ((unsigned char)src[tail] & 0xc0) == 0x80)
		tail++;
	return written(snprintf(out, n, "%.*s...%s", (int)(head - base),
				src + base, src + tail), n);
}

/* See report.h. */
void cli_report_path(struct core_buf *b, const char *src, bool md)
{
	char path[CLI_REPORT_PATH_MAX + 1];
	size_t n = cli_report_short_path(src, CLI_REPORT_PATH_MAX, path,
					 sizeof(path));

	/* Already shortened: escaping must not cut its base name. */
	cli_report_escape(b, path, n, CLI_REPORT_WHOLE, md);
}

/* See report.h. */
void cli_report_link(struct core_buf *b, const char *s, unsigned md)
{
	size_t len = strlen(s), n = len;

	if (len > CLI_REPORT_LINK_MAX)
		n = char_start(s, CLI_REPORT_LINK_MAX);
	cli_report_escape(b, s, n, CLI_REPORT_WHOLE, md);
	if (n < len)
		core_buf_add(b, "...", 3);
}

/* "2024-03-01 10:00:00 UTC", or "unknown". */
void cli_report_time(int64_t ts, char *out, size_t n)
{
	if (ts == CORE_TS_UNKNOWN) {
		snprintf(out, n, "unknown");
		return;
	}
	core_time_format_human(ts, out, n);
}

/* Events -> alerts -> incidents, and how much reading the fold saves. */
int cli_report_header(struct core_buf *b, const struct cli_stats *st,
		      const struct incident_set *set)
{
	size_t k = incident_set_count(set);
	struct incident_totals t;
	uint64_t alerts;

	incident_set_totals(set, &t);
	alerts = st->alerts ? st->alerts : t.alerts;
	core_buf_printf(b, "%llu event%s -> %llu alert%s -> ",
			(unsigned long long)st->events, cli_plural(st->events),
			(unsigned long long)alerts, cli_plural(alerts));
	if (k == 0)
		return core_buf_printf(b, "0 incidents\n");
	return core_buf_printf(b, "%zu incident%s (reduction %.1f x)\n", k,
			       cli_plural(k), (double)alerts / (double)k);
}

/* Inputs, bytes, raw records, rules and time, in one line. */
int cli_report_footer(struct core_buf *b, const struct cli_stats *st)
{
	return core_buf_printf(b, "inputs %llu (skipped %llu), %llu bytes, "
			       "%llu records, %llu decoded, %llu raw, "
			       "%llu bad; rules %llu loaded, %llu rejected; "
			       "%.2f s\n",
			       (unsigned long long)st->inputs,
			       (unsigned long long)st->inputs_skipped,
			       (unsigned long long)st->bytes,
			       (unsigned long long)st->lines,
			       (unsigned long long)st->decoded,
			       (unsigned long long)st->raw,
			       (unsigned long long)st->bad_records,
			       (unsigned long long)st->rules_loaded,
			       (unsigned long long)st->rules_rejected,
			       (double)st->elapsed_us / 1e6);
}

static int counter(struct core_buf *b, bool *first, const char *name,
		   uint64_t v, bool about)
{
	int rc;

	if (!v)
		return 0;
	rc = core_buf_printf(b, "%s%s %s%llu", *first ? "" : ", ", name,
			     about ? "~" : "", (unsigned long long)v);
	*first = false;
	return rc;
}

/* Non-zero counters of e, or the number of alert records naming it. */
int cli_report_counters(struct core_buf *b, const struct incident_entity *e)
{
	const struct incident_counters *c = &e->c;
	bool first = true, est = c->distinct_estimated;

	if (!e->observed)
		return core_buf_printf(b, "named by %llu distinct rule hit%s",
				       (unsigned long long)e->records,
				       cli_plural(e->records));
	counter(b, &first, "failed logins", c->login_failures, false);
	counter(b, &first, "logins", c->login_successes, false);
	counter(b, &first, "unknown-user attempts", c->invalid_users, false);
	counter(b, &first, "PAM failures", c->pam_failures, false);
	counter(b, &first, "users tried", c->distinct_users, est);
	counter(b, &first, "sources", c->distinct_sources, est);
	counter(b, &first, "privileged", c->privileged, false);
	counter(b, &first, "requests", c->requests, false);
	counter(b, &first, "4xx", c->http_4xx, false);
	counter(b, &first, "5xx", c->http_5xx, false);
	counter(b, &first, "IDS alerts", c->ids_alerts, false);
	return counter(b, &first, "events", first ? c->events : 0, false);
}

/* Writes b out and empties it. */
int cli_report_flush(FILE *out, struct core_buf *b)
{
	if (b->len && fwrite(b->p, 1, b->len, out) != b->len) {
		core_buf_reset(b);
		return CORE_E_IO;
	}
	core_buf_reset(b);
	return 0;
}

/*
 * Appends text wrapped at about 100 bytes, each line indented: at the
 * last space, or where a longer word reaches the width (never inside a
 * UTF-8 character; the word goes on on the next line).  Every byte is
 * printed, escaped, but the spaces and line ends it breaks at.
 */
static void wrap(struct core_buf *b, struct core_str t, const char *indent)
{
	size_t i = 0;

	while (i < t.len) {
		size_t end = i, brk = 0, next;

		while (end < t.len && t.p[end] != '\n' && end - i < 100) {
			if (t.p[end] == ' ')
				brk = end;
			end++;
		}
		next = end + 1;		/* past the line end */
		if (end < t.len && t.p[end] != '\n' && brk > i) {
			end = brk;
			next = brk + 1;
		} else if (end < t.len && t.p[end] != '\n') {
			/* A longer word: the rest of it on the next line. */
			if (char_start(t.p, end) > i)
				end = char_start(t.p, end);
			next = end;
		}
		core_buf_printf(b, "%s", indent);
		cli_report_escape(b, t.p + i, end - i, CLI_REPORT_WHOLE, false);
		core_buf_addc(b, '\n');
		i = CORE_MIN(next, t.len);
	}
}

static void text_chain(struct core_buf *b, const struct incident *inc)
{
	if (!inc->ntactics && !inc->ntechniques)
		return;
	core_buf_printf(b, "    ATT&CK: ");
	for (unsigned i = 0; i < inc->ntactics; i++)
		core_buf_printf(b, "%s%s", i ? " > " : "", inc->tactics[i]);
	for (unsigned i = 0; i < inc->ntechniques; i++)
		core_buf_printf(b, "%s%s", i ? ", " : "  (",
				inc->techniques[i]);
	core_buf_printf(b, "%s\n", inc->ntechniques ? ")" : "");
}

/*
 * The first entities (all of them with --verbose) with their counters,
 * counted in the incident's own hours (docs/scoring.md).  Request shapes
 * (url.pattern) are fingerprints for grouping, folded and lower-cased:
 * they are left to the JSON report, so nothing here reads like evidence
 * that is not.
 */
static void text_entities(struct core_buf *b, const struct incident *inc,
			  bool all)
{
	size_t shown = 0, max = all ? SIZE_MAX : 6;
	bool bound = false;	/* a distinct count marked ~ was shown */

	for (size_t i = 0; i < inc->nentities && shown < max; i++) {
		const struct incident_entity *e = &inc->entities[i];

		if (e->type == INCIDENT_ENT_URL_PATTERN)
			continue;
		shown++;
		bound |= e->observed && e->c.distinct_estimated &&
			 (e->c.distinct_users || e->c.distinct_sources);
		core_buf_printf(b, "    %s ",
				incident_entity_label(e));
		cli_report_escape(b, e->value.p, e->value.len, 64, false);
		core_buf_printf(b, ": ");
		cli_report_counters(b, e);
		core_buf_addc(b, '\n');
	}
	if (bound)
		core_buf_printf(b, "    (~: not exact: counted over the "
				"whole input and capped by this incident's "
				"attempts or events, or estimated past 64 "
				"names)\n");
	if (inc->entities_total > shown)
		core_buf_printf(b, "    ... %zu entit%s in all "
				"(--format json lists them)\n",
				inc->entities_total,
				inc->entities_total == 1 ? "y" : "ies");
}

static void text_evidence(struct core_buf *b, const struct incident *inc,
			  unsigned max)
{
	for (size_t i = 0; i < inc->nevidence && i < max; i++) {
		const struct incident_evidence *e = &inc->evidence[i];
		/* A Windows record reads better as its salient fields. */
		struct core_str t = e->summary.len ? e->summary : e->text;

		core_buf_printf(b, "    ");
		cli_report_path(b, e->src, false);
		core_buf_printf(b, ":%llu  ", (unsigned long long)e->line);
		cli_report_escape(b, t.p, t.len, CLI_REPORT_WIDTH, false);
		core_buf_addc(b, '\n');
	}
}

/* See report.h. */
unsigned cli_report_evidence_max(const struct cli_report_opts *o)
{
	return o->verbose ? CORE_MAX(o->evidence, INCIDENT_MAX_EVIDENCE) :
			    o->evidence;
}

/* See report.h. */
bool cli_report_is_link(const char *s)
{
	size_t i = 0;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	while (s[i] && (strchr("+-.", s[i]) || (s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z')))
		i++;
	return strncmp(s + i, "://", 3) == 0 && s[i + 3] > ' ';
}

/*
 * The strongest rule of inc's key alerts that gives a link among its
 * references (the JSON report lists every reference of every rule).
 */
const struct detect_rule_info *
cli_report_reference_rule(const struct incident *inc)
{
	const struct detect_rule_info *best = NULL;

	for (size_t i = 0; i < inc->ntimeline; i++) {
		const struct detect_rule_info *r = inc->timeline[i].alert->rule;
		bool linked = false;

		for (size_t k = 0; k < r->nreferences && !linked; k++)
			linked = cli_report_is_link(r->references[k]);
		if (linked && (!best || r->level > best->level))
			best = r;
	}
	return best;
}

/* Where to read more: that rule's first two links, a line each. */
static void text_references(struct core_buf *b, const struct incident *inc)
{
	const struct detect_rule_info *best = cli_report_reference_rule(inc);
	size_t shown = 0;

	for (size_t i = 0; best && i < best->nreferences && shown < 2; i++) {
		if (!cli_report_is_link(best->references[i]))
			continue;
		core_buf_printf(b, "    %s ", shown++ ? "          " :
				"Read more:");
		cli_report_link(b, best->references[i], false);
		core_buf_addc(b, '\n');
	}
}

static void text_incident(struct core_buf *b, const struct cli_report_opts *o,
			  const struct incident *inc)
{
	char t0[40], t1[40];

	cli_report_time(inc->ts_first, t0, sizeof(t0));
	cli_report_time(inc->ts_last, t1, sizeof(t1));
	core_buf_printf(b, "\n#%u %s[%u %s]%s ", inc->id,
			o->colour ? sev_colour[inc->severity] : "",
			inc->score, incident_severity_name(inc->severity),
			o->colour ? "\033[0m" : "");
	cli_report_escape(b, inc->title.p, inc->title.len, CLI_REPORT_WIDTH,
			  false);
	if (strcmp(t0, t1) == 0)	/* within the second shown */
		core_buf_printf(b, "\n    %s  alerts %llu  events %llu\n", t0,
				(unsigned long long)inc->alerts,
				(unsigned long long)inc->events);
	else
		core_buf_printf(b, "\n    %s .. %s  alerts %llu  events %llu\n",
				t0, t1, (unsigned long long)inc->alerts,
				(unsigned long long)inc->events);
	text_chain(b, inc);
	text_entities(b, inc, o->verbose);
	text_evidence(b, inc, cli_report_evidence_max(o));
	wrap(b, inc->explanation, "    ");
	text_references(b, inc);
}

/* The terminal report; see cli_report_write(). */
int cli_report_text(FILE *out, const struct cli_report_opts *opts,
		    const struct cli_stats *st,
		    const struct incident_set *set)
{
	struct core_buf b;
	size_t shown = 0, n = incident_set_count(set);
	int rc = 0;

	core_buf_init(&b, BUF_MAX);
	cli_report_header(&b, st, set);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct incident *inc = incident_set_get(set, i);

		if (!cli_report_selected(opts, inc, &shown))
			continue;
		text_incident(&b, opts, inc);
		rc = cli_report_flush(out, &b);
	}
	if (shown < n)
		core_buf_printf(&b, "\n(%zu more incident%s not shown: --top, "
				"--min-severity)\n", n - shown,
				cli_plural(n - shown));
	core_buf_addc(&b, '\n');
	cli_report_footer(&b, st);
	if (rc == 0)
		rc = cli_report_flush(out, &b);
	core_buf_free(&b);
	return rc;
}

/* Writes the report in the chosen format; 0 or CORE_E_IO. */
int cli_report_write(FILE *out, const struct cli_report_opts *opts,
		     const struct cli_stats *st,
		     const struct incident_set *set)
{
	int rc;

	if (!out || !opts || !st)
		return CORE_E_INVAL;
	switch (opts->format) {
	case CLI_OUT_JSON:
		rc = cli_report_json(out, opts, st, set);
		break;
	case CLI_OUT_MD:
		rc = cli_report_md(out, opts, st, set);
		break;
	default:
		rc = cli_report_text(out, opts, st, set);
	}
	if (rc == 0 && fflush(out) != 0)
		rc = CORE_E_IO;
	return rc;
}
