/*
 * sniff.c: guessing a file's format from its first records.
 *
 * Each sampled line votes for the format whose decoder accepts it: JSON
 * objects vote EVE when they carry event_type, JOURNAL when they carry
 * __REALTIME_TIMESTAMP, _SYSTEMD_UNIT or MESSAGE, else JSON; other lines
 * vote ACCESS_LOG, ERROR_LOG, AUDITD or SYSLOG when those decoders'
 * shapes fit (a syslog line must carry a time stamp: a bare "word: text"
 * line is not enough; Apache's and nginx's error-log headers are no
 * syslog header; an audit record opens "type=T msg=audit(").
 * Blank lines do not vote, nor do binary ones (holding NULs or other
 * control bytes than tab, form feed, carriage return, escape and GS): a
 * stretch of junk near a log's top is damage, not a format.  The format
 * with most votes wins if it got at least a third of the votes, so a few
 * garbage lines (a banner, a truncated first line) do not turn a file
 * raw; otherwise RAW.
 *
 * Self-describing logs (W3C extended, Zeek TSV) are told by their header
 * instead: their records mean nothing without it, and it opens the file,
 * or nearly (a banner or a line of junk before it, at most
 * HEADER_AFTER lines, which the decoder then keeps raw and reports).
 * A line that is a W3C directive (#Software:, #Version:, #Date:,
 * #Fields: ...) or Zeek's "#separator " picks the format, when the
 * sample also holds the column header (#Fields: or #fields) after it.
 */
#include "parse/parse_int.h"

#include <string.h>

struct keys {
	bool eve;
	bool journal;
};

static void key_cb(void *ud, struct core_str name, enum parse_json_type type,
		   struct core_str value, unsigned flags)
{
	struct keys *k = ud;

	(void)type;
	(void)value;
	if (flags & PARSE_JSON_IN_ARRAY)
		return;
	if (core_str_eq_lit(name, "event_type"))
		k->eve = true;
	else if (core_str_eq_lit(name, "__REALTIME_TIMESTAMP") ||
		 core_str_eq_lit(name, "_SYSTEMD_UNIT") ||
		 core_str_eq_lit(name, "MESSAGE"))
		k->journal = true;
}

static enum core_format classify_json(struct core_str s)
{
	struct keys k = { false, false };

	/* No arena: values are not needed, only key names. */
	if (parse_json_walk(s.p, s.len, NULL, key_cb, &k))
		return CORE_FMT_RAW;
	if (k.eve)
		return CORE_FMT_EVE_JSON;
	return k.journal ? CORE_FMT_JOURNAL_JSON : CORE_FMT_JSON;
}

static enum core_format classify(struct core_str s)
{
	struct core_event *ev;
	struct core_str prog, msg;
	struct parse_ctx ctx;
	static _Thread_local struct core_event scratch;
	enum core_format f = CORE_FMT_RAW;

	while (s.len && (s.p[s.len - 1] == '\r' || s.p[s.len - 1] == '\n'))
		s.len--;
	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.len--;
	}
	if (s.len && s.p[0] == '{')
		return classify_json(s);

	ev = &scratch;
	parse_ctx_init(&ctx);
	core_event_reset(ev, NULL);
	if (parse_access_record(&ctx, ev, s) == 0)
		return CORE_FMT_ACCESS_LOG;
	core_event_reset(ev, NULL);
	if (parse_errorlog_record(&ctx, ev, s) == 0)
		return CORE_FMT_ERROR_LOG;
	core_event_reset(ev, NULL);
	if (parse_auditd_record(&ctx, ev, s) == 0)
		return CORE_FMT_AUDITD;
	core_event_reset(ev, NULL);
	if (parse_syslog_header(&ctx, ev, s, &prog, &msg) == 0 &&
	    (ev->ts != CORE_TS_UNKNOWN || ev->ts_invalid))
		f = CORE_FMT_SYSLOG;
	return f;
}

/* A line no text log writes: NULs or control bytes (but for escape, and
 * GS, which auditd's enriched records hold). */
static bool is_binary(struct core_str s)
{
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
		    c != '\f' && c != 0x1b && c != 0x1d)
			return true;
	}
	return false;
}

/* True when some line of the sample starts with lit. */
static bool sample_has(const struct core_str *lines, size_t n,
		       const char *lit)
{
	for (size_t i = 0; i < n; i++) {
		if (core_str_starts(lines[i], lit))
			return true;
	}
	return false;
}

/* A directive of the W3C draft: "#Version:", "#Fields:" ... */
static bool is_w3c_directive(struct core_str s)
{
	static const char *const names[] = {
		"#Version:", "#Fields:", "#Software:", "#Date:", "#Remark:",
		"#Start-Date:", "#End-Date:",
	};

	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++) {
		if (core_str_starts(s, names[i]))
			return true;
	}
	return false;
}

/* Lines before a self-describing log's header that it may follow. */
#define HEADER_AFTER 4

/* W3C or ZEEK_TSV by the header that opens the sample; else AUTO. */
static enum core_format sniff_header(const struct core_str *lines, size_t n)
{
	size_t i = 0, before = 0;

	for (; i < n; i++) {
		struct core_str t = core_str_trim(lines[i]);

		if (t.len && lines[i].p[0] == '#' &&
		    (is_w3c_directive(lines[i]) ||
		     core_str_starts(lines[i], "#separator")))
			break;
		if (t.len && ++before > HEADER_AFTER)
			return CORE_FMT_AUTO;
	}
	if (i == n)
		return CORE_FMT_AUTO;
	if (is_w3c_directive(lines[i]) &&
	    sample_has(lines + i, n - i, "#Fields:"))
		return CORE_FMT_W3C;
	if ((core_str_starts(lines[i], "#separator ") ||
	     core_str_starts(lines[i], "#separator\t")) &&
	    sample_has(lines + i, n - i, "#fields"))
		return CORE_FMT_ZEEK_TSV;
	return CORE_FMT_AUTO;
}

/*
 * lines: n sample records (line ends allowed).  Returns the format most
 * of them fit (see the top of this file), CORE_FMT_RAW when none fits.
 */
enum core_format parse_sniff(const struct core_str *lines, size_t n)
{
	size_t votes[CORE_FMT__COUNT] = { 0 }, total = 0, best = 0;
	enum core_format win = sniff_header(lines, n);

	if (win != CORE_FMT_AUTO)
		return win;
	win = CORE_FMT_RAW;
	for (size_t i = 0; i < n; i++) {
		struct core_str t = core_str_trim(lines[i]);

		if (t.len == 0 || is_binary(t))
			continue;
		votes[classify(lines[i])]++;
		total++;
	}
	for (int f = 0; f < CORE_FMT__COUNT; f++) {
		if (f == CORE_FMT_RAW || votes[f] <= best)
			continue;
		best = votes[f];
		win = (enum core_format)f;
	}
	if (best == 0 || best * 3 < total)
		return CORE_FMT_RAW;
	return win;
}
