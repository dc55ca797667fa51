/*
 * report.h: what the three report writers (report.c, report_json.c,
 * report_md.c) share.  Private to the cli room.
 */
#ifndef VIGIL_CLI_REPORT_H
#define VIGIL_CLI_REPORT_H

#include "cli/cli.h"

/* Evidence and titles are cut to this many bytes in text and Markdown. */
#define CLI_REPORT_WIDTH 160
/* A link is printed whole up to this bound (a cut one leads nowhere). */
#define CLI_REPORT_LINK_MAX 2048

/* True when inc passes --min-severity; *shown counts towards --top. */
bool cli_report_selected(const struct cli_report_opts *opts,
			 const struct incident *inc, size_t *shown);

/*
 * Appends p with control characters and invalid UTF-8 escaped as \xNN,
 * and the characters that would hide or reorder text (C1 controls,
 * bidirectional controls, line and paragraph separators: see
 * cli_report_hidden_at()) as \uNNNN.  max bounds what is appended, in
 * bytes of the escaped text: past it the text is cut, with "..." after
 * (a screen's width of evidence); CLI_REPORT_WHOLE for text bounded where
 * it is made, printed whole however much escaping grows it.  md:
 * Markdown, CLI_ESC_MD (or true) for text and table cells, where a
 * backtick becomes \x60 and a pipe \| (GFM reads it as a pipe, also
 * inside a cell's inline code), or CLI_ESC_MD_SPAN for inline code
 * outside a table, where only the backtick is escaped (a backslash would
 * show there as it is).
 */
#define CLI_ESC_MD 1u
#define CLI_ESC_MD_SPAN 2u
#define CLI_REPORT_WHOLE SIZE_MAX

int cli_report_escape(struct core_buf *b, const char *p, size_t len,
		      size_t max, unsigned md);

/*
 * fputs() of text that may hold names or values from logs and rule
 * files (a file name, a rule title, a formatted error): escaped whole
 * as cli_report_escape() does, so nothing in it acts on a terminal.
 */
void cli_fputs_safe(const char *s, FILE *f);

/*
 * When the len bytes at p start with a character that is valid UTF-8
 * but hides or reorders text, returns its length and puts its code
 * point in *cp; else returns 0.  Such are the C1 controls (U+0080 to
 * U+009F), the bidirectional controls (U+061C, U+200E, U+200F, U+202A
 * to U+202E, U+2066 to U+2069: a Trojan Source spoof) and U+2028,
 * U+2029.  Every report escapes them, the JSON one as \uNNNN too.
 */
size_t cli_report_hidden_at(const char *p, size_t len, uint32_t *cp);

/*
 * Every JSON output (analyze, show, investigate, triage, templates)
 * writes its strings through these two, so that all escape the same
 * characters: DEL and those cli_report_hidden_at() finds are written
 * as \uNNNN, which a JSON parser reads back as the very same
 * character, and the document, shown in a terminal or a pager as it
 * is, reads as it holds.  core_buf_add_json() stays as it is: the
 * text rules match against is built with it.
 *
 * cli_report_json_str() appends p as a JSON string, quotes included:
 * control characters escaped and invalid UTF-8 as U+FFFD, as
 * core_buf_add_json() does, and the characters above as \uNNNN.  p
 * NULL is "".  Returns 0 or the buffer's error.
 */
int cli_report_json_str(struct core_buf *b, const char *p, size_t len);

/*
 * Appends JSON text p (a document or a value built elsewhere: the
 * store's documents, the triage's arrays) with the characters above
 * written as \uNNNN and every other byte as it is.  Valid JSON holds
 * them raw only inside strings (outside, only ASCII may stand, and no
 * escape ends in them), where \uNNNN means the same character, so the
 * text stays valid and parses to the same values.  It grows at most
 * CLI_REPORT_JSON_TEXT_MAX(len) bytes.  Returns 0 or the buffer's
 * error.
 */
int cli_report_json_text(struct core_buf *b, const char *p, size_t len);

/* The most bytes cli_report_json_text() appends for n (DEL: \u007f). */
#define CLI_REPORT_JSON_TEXT_MAX(n) (6 * (n))

/*
 * Appends a rule's reference s (NUL-terminated) escaped, whole up to
 * CLI_REPORT_LINK_MAX bytes of it, else cut there with "..." after.
 */
void cli_report_link(struct core_buf *b, const char *s, unsigned md);

/*
 * The strongest rule among inc's key alerts (its timeline) that lists a
 * link among its references, or NULL: the reports end an incident with
 * where to read more about it.
 */
const struct detect_rule_info *
cli_report_reference_rule(const struct incident *inc);

/*
 * Evidence lines to show per incident: --evidence, or every line kept
 * (INCIDENT_MAX_EVIDENCE) with --verbose when that is more.
 */
unsigned cli_report_evidence_max(const struct cli_report_opts *o);

/*
 * True when a rule's reference s (NUL-terminated) is a link,
 * scheme://something: Sigma rules also cite "Internal Research" or a
 * book, which "Read more" must not present as a place to go.
 */
bool cli_report_is_link(const char *s);

/*
 * The input name src shortened to at most max bytes (max >= 16) so that
 * its base name stays readable: leading directories give way first
 * (".../Lateral Movement/sample.evtx"), then the middle of a base name
 * too long on its own ("sample_wi...ement.evtx").  Writes a NUL-ended
 * string into out (n > max bytes) and returns its length.
 */
size_t cli_report_short_path(const char *src, size_t max, char *out,
			     size_t n);

/* Evidence input names are shortened to this many bytes. */
#define CLI_REPORT_PATH_MAX 64

/*
 * Appends input name src as the reports print it: shortened to
 * CLI_REPORT_PATH_MAX (cli_report_short_path()), then escaped (md as for
 * cli_report_escape()).
 */
void cli_report_path(struct core_buf *b, const char *src, bool md);

/* "12 events -> 3 alerts -> 1 incidents (reduction 3.0 x)". */
int cli_report_header(struct core_buf *b, const struct cli_stats *st,
		      const struct incident_set *set);
/* The footer: inputs, bytes, raw records, rules, elapsed time. */
int cli_report_footer(struct core_buf *b, const struct cli_stats *st);
/* Non-zero counters of an entity: "failures 12, successes 1, ...". */
int cli_report_counters(struct core_buf *b, const struct incident_entity *e);
/* RFC 3339 or "unknown". */
void cli_report_time(int64_t ts, char *out, size_t n);
/* Writes b to out and empties it; CORE_E_IO on a short write. */
int cli_report_flush(FILE *out, struct core_buf *b);

int cli_report_text(FILE *out, const struct cli_report_opts *opts,
		    const struct cli_stats *st,
		    const struct incident_set *set);
int cli_report_json(FILE *out, const struct cli_report_opts *opts,
		    const struct cli_stats *st,
		    const struct incident_set *set);
int cli_report_md(FILE *out, const struct cli_report_opts *opts,
		  const struct cli_stats *st, const struct incident_set *set);

#endif /* VIGIL_CLI_REPORT_H */
