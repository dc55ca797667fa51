/*
 * syslog.c: syslog headers, as files on disk and network senders write
 * them, and the hand-off of the message to the program decoders.
 *
 * Shapes recognised, each optionally after "<PRI>":
 *   RFC 3164  "Mmm dd hh:mm:ss[.frac] host tag[pid]: msg"
 *   ISO       "2024-03-01T10:00:00.123456+01:00 host tag[pid]: msg"
 *             (rsyslog's high-precision file format)
 *   RFC 5424  "<PRI>1 TS HOST APP PROCID MSGID [SD...] MSG"
 *   no stamp  "host tag[pid]: msg" (journal-style exports)
 * The host is optional when the first word already looks like a tag.
 *
 * RFC 3164 has no year and no zone.  The year is ctx->default_year, else
 * that of ctx->file_mtime, else the current year; if the stamp then lies
 * more than a day after the file's mtime (or, with neither given, after
 * now) it is from the previous year (a December line read in January).
 * Zone-less stamps are taken as ctx->tz_offset_min east of UTC.  Either
 * guess sets ev->ts_guessed.  docs/formats.md states the same rule.
 *
 * Workload: every line of auth.log and friends; no allocation, one pass.
 */
#include "parse/parse_int.h"

#include <string.h>

#define DAY_US (86400LL * 1000000)

/* Year of a timestamp in µs (UTC). */
static int year_of(int64_t ts)
{
	int64_t days = ts / DAY_US;
	int y = (int)(1970 + days / 366);

	while (core_days_from_civil(y + 1, 1, 1) <= days)
		y++;
	return y;
}

static bool two_digits(const char *p, int *out)
{
	unsigned a = (unsigned char)p[0] - '0', b = (unsigned char)p[1] - '0';

	if (a > 9 || b > 9)
		return false;
	*out = (int)(a * 10 + b);
	return true;
}

/* Reads "<PRI>"; returns bytes consumed (0: none). */
static size_t read_pri(struct core_event *ev, struct core_str s)
{
	unsigned v = 0;
	size_t i = 1;

	if (s.len < 3 || s.p[0] != '<')
		return 0;
	while (i < s.len && i < 5 && (unsigned)(s.p[i] - '0') <= 9)
		v = v * 10 + (unsigned)(s.p[i++] - '0');
	if (i == 1 || i >= s.len || s.p[i] != '>' || v > 191)
		return 0;
	core_event_set_str(ev, CORE_F_LOG_SYSLOG_FACILITY,
			   parse_small_num(v >> 3));
	core_event_set_str(ev, CORE_F_LOG_SYSLOG_SEVERITY,
			   parse_small_num(v & 7));
	return i + 1;
}

/* Picks the year for a month/day and returns the stamp (see top). */
static bool bsd_time(const struct parse_ctx *ctx, int mon, int day, int h,
		     int mi, int sec, long usec, int64_t *out)
{
	int64_t ref = ctx->file_mtime ? ctx->file_mtime : 0;
	int y;

	if (ctx->default_year)
		y = ctx->default_year;
	else {
		if (!ref)
			ref = core_time_now();
		y = year_of(ref);
	}
	/* Feb 29 walks back to the nearest leap year. */
	for (int tries = 0; tries < 8; tries++, y--) {
		if (!core_time_from_parts(y, mon, day, h, mi, sec, usec,
					  ctx->tz_offset_min, out))
			continue;
		if (ref && *out > ref + DAY_US) {
			ref = 0;	/* roll back once only */
			continue;
		}
		return true;
	}
	return false;
}

/*
 * "Mmm dd hh:mm:ss[.frac] " at s (the day space-padded, zero-padded or
 * bare); returns bytes consumed or 0.
 */
static size_t read_bsd_stamp(const struct parse_ctx *ctx,
			     struct core_event *ev, struct core_str s)
{
	int mon, day, h, mi, sec;
	long usec = 0, scale = 100000;
	size_t i = 4;

	if (s.len < 15 || s.p[3] != ' ' || !(mon = core_month_from_abbr(s.p)))
		return 0;
	if (s.p[i] == ' ')
		i++;
	if ((unsigned)(s.p[i] - '0') > 9)
		return 0;
	day = s.p[i++] - '0';
	if ((unsigned)(s.p[i] - '0') <= 9)
		day = day * 10 + (s.p[i++] - '0');
	if (s.len < i + 10 || s.p[i] != ' ' || s.p[i + 3] != ':' ||
	    s.p[i + 6] != ':' || !two_digits(s.p + i + 1, &h) ||
	    !two_digits(s.p + i + 4, &mi) || !two_digits(s.p + i + 7, &sec))
		return 0;
	i += 9;
	if (s.p[i] == '.') {
		for (i++; i < s.len && (unsigned)(s.p[i] - '0') <= 9; i++) {
			usec += (s.p[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (i >= s.len || s.p[i] != ' ')
		return 0;
	/*
	 * A stamp of the right shape naming no real time (Feb 30, 25:61):
	 * the record is still read, without a time, and flagged.
	 */
	if (!bsd_time(ctx, mon, day, h, mi, sec, usec, &ev->ts)) {
		ev->ts = CORE_TS_UNKNOWN;
		ev->ts_invalid = true;
		return i + 1;
	}
	ev->ts_guessed = true;
	return i + 1;
}

/* True when the ISO stamp tok carries a zone (Z or +hh[:mm]/-hh[:mm]). */
static bool iso_has_zone(struct core_str tok)
{
	char last = tok.len ? tok.p[tok.len - 1] : 0;

	if (last == 'Z' || last == 'z')
		return true;
	for (size_t i = 19; i < tok.len; i++) {
		if (tok.p[i] == '+' || tok.p[i] == '-')
			return true;
	}
	return false;
}

/* "2024-03-01T10:00:00.123+01:00 " at s; returns bytes consumed or 0. */
static size_t read_iso_stamp(const struct parse_ctx *ctx,
			     struct core_event *ev, struct core_str s)
{
	const char *sp = s.len ? memchr(s.p, ' ', s.len) : NULL;
	struct core_str tok;

	if (!sp)
		return 0;
	tok = core_str_make(s.p, (size_t)(sp - s.p));
	if (tok.len < 16 ||
	    core_time_parse_iso(tok.p, tok.len, &ev->ts) != tok.len) {
		ev->ts = CORE_TS_UNKNOWN;
		return 0;
	}
	if (!iso_has_zone(tok)) {
		ev->ts -= (int64_t)ctx->tz_offset_min * 60 * 1000000;
		ev->ts_guessed = true;
	}
	return tok.len + 1;
}

/*
 * "tag[pid]: msg" or "tag: msg"; false when s is not tag-shaped.  strict
 * (lines without a stamp): the tag must start like a program name.
 */
static bool read_tag(struct core_event *ev, struct core_str s, bool strict,
		     struct core_str *prog, struct core_str *msg)
{
	size_t n = 0;

	/* "[sshd]: msg" (some BSD and appliance loggers). */
	if (s.len > 3 && s.p[0] == '[' && s.p[1] != '[') {
		const char *close = memchr(s.p, ']', CORE_MIN(s.len, 64));

		if (close && close - s.p > 1 && close + 1 < s.p + s.len &&
		    (close[1] == ':' || close[1] == ' ')) {
			*prog = core_str_make(s.p + 1,
					      (size_t)(close - s.p - 1));
			n = (size_t)(close - s.p) + 1 + (close[1] == ':');
			n += n < s.len && s.p[n] == ' ';
			core_event_set_str(ev, CORE_F_PROCESS_NAME, *prog);
			*msg = core_str_make(s.p + n, s.len - n);
			return true;
		}
	}
	while (n < s.len && s.p[n] != '[' && s.p[n] != ':' && s.p[n] != ' ')
		n++;
	if (n == 0 || n >= s.len || s.p[n] == ' ')
		return false;
	if (strict && !((s.p[0] | 0x20) >= 'a' && (s.p[0] | 0x20) <= 'z') &&
	    s.p[0] != '/' && s.p[0] != '_')
		return false;
	*prog = core_str_make(s.p, n);
	if (s.p[n] == '[') {
		size_t pid = ++n;

		while (n < s.len && s.p[n] != ']')
			n++;
		if (n >= s.len)
			return false;
		core_event_set(ev, CORE_F_PROCESS_PID, s.p + pid, n - pid);
		n++;
	}
	if (n < s.len && s.p[n] == ':')
		n++;
	else if (n < s.len && s.p[n] != ' ')
		return false;
	if (n < s.len && s.p[n] == ' ')
		n++;
	core_event_set_str(ev, CORE_F_PROCESS_NAME, *prog);
	*msg = core_str_make(s.p + n, s.len - n);
	return true;
}

/* Host (optional) and tag after the stamp. */
static void read_host_tag(struct core_event *ev, struct core_str s,
			  struct core_str *prog, struct core_str *msg)
{
	struct core_str host, rest = s;

	*prog = CORE_STR_NULL;
	if (read_tag(ev, s, false, prog, msg))
		return;
	if (!parse_token(&rest, ' ', &host)) {
		*msg = s;
		return;
	}
	core_event_set_str(ev, CORE_F_HOST_NAME, host);
	if (!read_tag(ev, rest, false, prog, msg))
		*msg = rest;
}

/* The next RFC 5424 header field; "-" is nil (len 0). */
static struct core_str field5424(struct core_str *s)
{
	struct core_str tok;

	if (!parse_token(s, ' ', &tok)) {
		tok = *s;
		s->p += s->len;
		s->len = 0;
	}
	if (tok.len == 1 && tok.p[0] == '-')
		tok.len = 0;
	return tok;
}

/* Skips "-" or "[id k="v\]"...]..." structured data; false if malformed. */
static bool skip_sd(struct core_str *s)
{
	size_t i = 0;

	if (s->len && s->p[0] == '-') {
		i = 1;
	} else {
		while (i < s->len && s->p[i] == '[') {
			bool inq = false;

			for (i++; i < s->len; i++) {
				char c = s->p[i];

				if (inq && c == '\\')
					i++;
				else if (c == '"')
					inq = !inq;
				else if (c == ']' && !inq)
					break;
			}
			if (i >= s->len)
				return false;
			i++;
		}
		if (i == 0)
			return false;
	}
	if (i < s->len && s->p[i] == ' ')
		i++;
	else if (i < s->len)
		return false;
	s->p += i;
	s->len -= i;
	return true;
}

static int read_5424(const struct parse_ctx *ctx, struct core_event *ev,
		     struct core_str s, struct core_str *prog,
		     struct core_str *msg)
{
	struct core_str ts, host, app, pid;

	ts = field5424(&s);
	if (ts.len) {
		if (core_time_parse_iso(ts.p, ts.len, &ev->ts) != ts.len) {
			ev->ts = CORE_TS_UNKNOWN;
			return CORE_E_PARSE;
		}
		if (!iso_has_zone(ts)) {
			ev->ts -= (int64_t)ctx->tz_offset_min * 60 * 1000000;
			ev->ts_guessed = true;
		}
	}
	host = field5424(&s);
	app = field5424(&s);
	pid = field5424(&s);
	field5424(&s);		/* MSGID */
	if (!skip_sd(&s))
		return CORE_E_PARSE;
	PARSE_EAT(&s, "\xef\xbb\xbf");
	if (host.len)
		core_event_set_str(ev, CORE_F_HOST_NAME, host);
	if (app.len)
		core_event_set_str(ev, CORE_F_PROCESS_NAME, app);
	if (pid.len)
		core_event_set_str(ev, CORE_F_PROCESS_PID, pid);
	*prog = app;
	*msg = s;
	return 0;
}

/*
 * line: one record without its line end.  Sets ev->ts, the header fields
 * and message; *prog and *msg receive the program and message.  Returns 0
 * or CORE_E_PARSE when no syslog shape fits (fields may be partly set).
 */
int parse_syslog_header(const struct parse_ctx *ctx, struct core_event *ev,
			struct core_str line, struct core_str *prog,
			struct core_str *msg)
{
	struct core_str s = line;
	size_t n = read_pri(ev, s);
	bool pri = n > 0;

	s.p += n;
	s.len -= n;
	*prog = CORE_STR_NULL;
	if (pri && PARSE_EAT(&s, "1 ")) {
		if (read_5424(ctx, ev, s, prog, msg))
			return CORE_E_PARSE;
		goto done;
	}
	if (s.len > 4 && s.p[4] == '-')
		n = read_iso_stamp(ctx, ev, s);
	else
		n = read_bsd_stamp(ctx, ev, s);
	s.p += n;
	s.len -= n;
	if (n == 0) {
		/* No stamp: only "host tag[pid]: " or "tag[pid]: " will do. */
		struct core_str t = s, host = CORE_STR_NULL;

		if (!read_tag(ev, t, true, prog, msg) &&
		    !(parse_token(&t, ' ', &host) &&
		      read_tag(ev, t, true, prog, msg)))
			return CORE_E_PARSE;
		if (t.p != s.p)
			core_event_set_str(ev, CORE_F_HOST_NAME, host);
		goto done;
	}
	read_host_tag(ev, s, prog, msg);
done:
	core_event_set_str(ev, CORE_F_MESSAGE, *msg);
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "linux.syslog");
	return 0;
}

/*
 * The SYSLOG decoder: header, then the program's message decoder.  A line
 * whose header decodes is decoded (returns 0) even when its message is not
 * understood; message then holds the text after the tag.
 */
int parse_syslog_record(const struct parse_ctx *ctx, struct core_event *ev,
			struct core_str line)
{
	struct core_str prog, msg;
	int rc = parse_syslog_header(ctx, ev, line, &prog, &msg);

	if (rc)
		return rc;
	if (parse_program_dispatch(ev, prog, msg) &&
	    !core_event_get(ev, CORE_F_EVENT_KIND))
		core_event_set_lit(ev, CORE_F_EVENT_KIND, "event");
	return 0;
}
