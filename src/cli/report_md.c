/*
 * report_md.c: the report as Markdown, for tickets and wikis.
 *
 * The same content as the text report.  Log text goes into inline code
 * with backticks escaped, and pipes too inside a table (see
 * cli_report_escape()), so a crafted line cannot break out of its span
 * or a table.
 */
#include "cli/report.h"

#include <string.h>

#define BUF_MAX (64u << 20)

/* Inline code; cell: inside a table, where a pipe must be escaped. */
static void md_code(struct core_buf *b, const char *p, size_t len,
		    size_t max, bool cell)
{
	core_buf_addc(b, '`');
	cli_report_escape(b, p, len, max, cell ? CLI_ESC_MD : CLI_ESC_MD_SPAN);
	core_buf_addc(b, '`');
}

static void md_entities(struct core_buf *b, const struct incident *inc)
{
	if (!inc->nentities)
		return;
	core_buf_printf(b, "\n| entity | value | counts |\n| --- | --- | "
			"--- |\n");
	for (size_t i = 0; i < inc->nentities; i++) {
		const struct incident_entity *e = &inc->entities[i];

		core_buf_printf(b, "| %s | ",
				incident_entity_label(e));
		md_code(b, e->value.p, e->value.len, 64, true);
		core_buf_printf(b, " | ");
		cli_report_counters(b, e);
		core_buf_printf(b, " |\n");
	}
}

static void md_evidence(struct core_buf *b, const struct incident *inc,
			unsigned max)
{
	if (!inc->nevidence || !max)
		return;
	core_buf_printf(b, "\nEvidence:\n\n");
	for (size_t i = 0; i < inc->nevidence && i < max; i++) {
		const struct incident_evidence *e = &inc->evidence[i];
		struct core_str t = e->summary.len ? e->summary : e->text;
		char path[CLI_REPORT_PATH_MAX + 1];
		size_t n = cli_report_short_path(e->src, CLI_REPORT_PATH_MAX,
						 path, sizeof(path));

		core_buf_printf(b, "- ");
		md_code(b, path, n, CLI_REPORT_WHOLE, false);
		core_buf_printf(b, " line %llu: ", (unsigned long long)e->line);
		md_code(b, t.p, t.len, CLI_REPORT_WIDTH, false);
		core_buf_addc(b, '\n');
	}
}

/* Explanation lines become paragraphs. */
static void md_explanation(struct core_buf *b, struct core_str t)
{
	size_t i = 0;

	while (i < t.len) {
		const char *nl = memchr(t.p + i, '\n', t.len - i);
		size_t end = nl ? (size_t)(nl - t.p) : t.len;

		core_buf_addc(b, '\n');
		/* vigil's own wording, bounded where it is made: whole. */
		cli_report_escape(b, t.p + i, end - i, CLI_REPORT_WHOLE, true);
		core_buf_addc(b, '\n');
		i = end + 1;
	}
}

/*
 * The strongest rule's first two links, as the text report: a reference
 * that is no URL ("Internal Research") is not offered as one.
 */
static void md_references(struct core_buf *b, const struct incident *inc)
{
	const struct detect_rule_info *r = cli_report_reference_rule(inc);
	size_t shown = 0;

	for (size_t i = 0; r && i < r->nreferences && shown < 2; i++) {
		if (!cli_report_is_link(r->references[i]))
			continue;
		core_buf_printf(b, "%s", shown++ ? ", " : "\nRead more: ");
		cli_report_link(b, r->references[i], true);
	}
	if (shown)
		core_buf_addc(b, '\n');
}

static void md_incident(struct core_buf *b, const struct cli_report_opts *o,
			const struct incident *inc)
{
	char t0[40], t1[40];
	bool one;

	cli_report_time(inc->ts_first, t0, sizeof(t0));
	cli_report_time(inc->ts_last, t1, sizeof(t1));
	one = strcmp(t0, t1) == 0;	/* within the second shown */
	core_buf_printf(b, "\n## %u. ", inc->id);
	cli_report_escape(b, inc->title.p, inc->title.len, CLI_REPORT_WIDTH,
			  true);
	core_buf_printf(b, "\n\n**%u %s** · %s%s%s · %llu alert%s · %llu "
			"event%s\n", inc->score,
			incident_severity_name(inc->severity), t0,
			one ? "" : " to ", one ? "" : t1,
			(unsigned long long)inc->alerts,
			cli_plural(inc->alerts),
			(unsigned long long)inc->events,
			cli_plural(inc->events));
	if (inc->ntactics) {
		core_buf_printf(b, "\nATT&CK: ");
		for (unsigned i = 0; i < inc->ntactics; i++)
			core_buf_printf(b, "%s%s", i ? " → " : "",
					inc->tactics[i]);
		for (unsigned i = 0; i < inc->ntechniques; i++)
			core_buf_printf(b, "%s%s", i ? ", " : " (",
					inc->techniques[i]);
		core_buf_printf(b, "%s\n", inc->ntechniques ? ")" : "");
	}
	md_entities(b, inc);
	md_evidence(b, inc, cli_report_evidence_max(o));
	md_explanation(b, inc->explanation);
	md_references(b, inc);
}

/* The Markdown report; see cli_report_write(). */
int cli_report_md(FILE *out, const struct cli_report_opts *opts,
		  const struct cli_stats *st, const struct incident_set *set)
{
	struct core_buf b;
	size_t shown = 0, n = incident_set_count(set);
	int rc = 0;

	core_buf_init(&b, BUF_MAX);
	core_buf_printf(&b, "# vigil report\n\n");
	cli_report_header(&b, st, set);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct incident *inc = incident_set_get(set, i);

		if (!cli_report_selected(opts, inc, &shown))
			continue;
		md_incident(&b, opts, inc);
		rc = cli_report_flush(out, &b);
	}
	if (shown < n)
		core_buf_printf(&b, "\n%zu more incident%s not shown.\n",
				n - shown, cli_plural(n - shown));
	core_buf_printf(&b, "\n---\n\n");
	cli_report_footer(&b, st);
	if (rc == 0)
		rc = cli_report_flush(out, &b);
	core_buf_free(&b);
	return rc;
}
