/*
 * parse.c: the entry point of the parse room and the helpers its decoders
 * share.
 *
 * parse_record() trims the line end a caller may have left (loghub files
 * carry CRLF), records raw, and hands the line to one decoder.  A decoder
 * that fails leaves the event raw with message set to the whole line, so
 * keyword rules still see it.  Workload: called once per input line, so
 * everything here is branch-light and allocation-free.
 *
 * The header state of the self-describing formats (struct parse_header,
 * parse_int.h) is made and reset here; w3c.c and zeek.c fill it from
 * their header lines.  parse_record() clears its refusal before each
 * record, so parse_header_refusal() speaks of the last record only.
 */
#include "parse/parse.h"
#include "parse/parse_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void parse_ctx_init(struct parse_ctx *ctx)
{
	ctx->default_year = 0;
	ctx->tz_offset_min = 0;
	ctx->file_mtime = 0;
	ctx->hdr = NULL;
}

static int decode(enum core_format fmt, const struct parse_ctx *ctx,
		  struct core_event *ev, struct core_str line)
{
	switch (fmt) {
	case CORE_FMT_SYSLOG:
		return parse_syslog_record(ctx, ev, line);
	case CORE_FMT_JOURNAL_JSON:
		return parse_journal_record(ctx, ev, line);
	case CORE_FMT_ACCESS_LOG:
		return parse_access_record(ctx, ev, line);
	case CORE_FMT_EVE_JSON:
		return parse_eve_record(ctx, ev, line);
	case CORE_FMT_JSON:
		return parse_json_record(ctx, ev, line);
	case CORE_FMT_ERROR_LOG:
		return parse_errorlog_record(ctx, ev, line);
	case CORE_FMT_W3C:
		return parse_w3c_record(ctx, ev, line);
	case CORE_FMT_ZEEK_TSV:
		return parse_zeek_record(ctx, ev, line);
	case CORE_FMT_AUDITD:
		return parse_auditd_record(ctx, ev, line);
	default:
		return CORE_E_PARSE;
	}
}

/*
 * fmt: any format but AUTO (AUTO sniffs this one line).  ctx may be NULL
 * (defaults).  ev: reset by the caller.  Returns 0 when decoded,
 * CORE_E_PARSE when kept raw (RAW always returns CORE_E_PARSE: nothing
 * was decoded), CORE_E_INVAL for an unknown format.
 */
int parse_record(enum core_format fmt, const struct parse_ctx *ctx,
		 struct core_event *ev, const char *p, size_t len)
{
	struct parse_ctx dflt;
	struct core_str line = core_str_make(p, len);
	int rc;

	if ((unsigned)fmt >= CORE_FMT__COUNT)
		return CORE_E_INVAL;
	if (!ctx) {
		parse_ctx_init(&dflt);
		ctx = &dflt;
	}
	while (line.len && (line.p[line.len - 1] == '\r' ||
			    line.p[line.len - 1] == '\n'))
		line.len--;
	if (fmt == CORE_FMT_AUTO)
		fmt = parse_sniff(&line, 1);

	ev->raw = line;
	ev->format = fmt;
	if (ctx->hdr)
		ctx->hdr->why[0] = '\0';
	rc = decode(fmt, ctx, ev, line);
	if (rc == 0) {
		ev->decoded = true;
		return 0;
	}
	parse_event_clear(ev);
	core_event_set_str(ev, CORE_F_MESSAGE, line);
	return CORE_E_PARSE;
}

/* ----------------------------------------------------------- header state */

struct parse_header *parse_header_new(void)
{
	struct parse_header *h = malloc(sizeof(*h));

	if (h)
		parse_header_reset(h);
	return h;
}

void parse_header_free(struct parse_header *h)
{
	free(h);
}

void parse_header_reset(struct parse_header *h)
{
	h->fmt = CORE_FMT_RAW;
	h->ncols = 0;
	h->line = 0;
	h->refused = false;
	h->day = CORE_TS_UNKNOWN;
	h->local_time = false;
	h->sep = '\t';
	h->set_sep = ',';
	memcpy(h->unset, "-", 1);
	h->unset_len = 1;
	memcpy(h->empty, "(empty)", 7);
	h->empty_len = 7;
	h->path_len = 0;
	h->why[0] = '\0';
}

const char *parse_header_refusal(const struct parse_header *h)
{
	return h && h->why[0] ? h->why : NULL;
}

void parse_header_refuse(struct parse_header *h, const char *fmt, ...)
{
	va_list ap;

	if (!h)
		return;
	va_start(ap, fmt);
	vsnprintf(h->why, sizeof(h->why), fmt, ap);
	va_end(ap);
}

void parse_header_cols_begin(struct parse_header *h, uint64_t line)
{
	h->ncols = 0;
	h->line = line;
	h->refused = false;
}

int parse_header_refuse_cols(struct parse_header *h, const char *directive,
			     const char *why)
{
	h->ncols = 0;
	h->refused = true;
	parse_header_refuse(h, "%s header %s; records up to the next one "
			    "are kept raw", directive, why);
	return CORE_E_PARSE;
}

int parse_header_refuse_count(struct parse_header *h, const char *directive,
			      size_t n)
{
	parse_header_refuse(h, "record has %zu fields where the %s header of "
			    "line %llu names %u; kept raw", n, directive,
			    (unsigned long long)h->line, h->ncols);
	return CORE_E_PARSE;
}

int parse_header_add_col(struct parse_header *h, const char *directive,
			 struct core_str name, size_t *used)
{
	struct parse_hdr_col *c;

	if (h->ncols == PARSE_HDR_COLS)
		return parse_header_refuse_cols(h, directive, "names more "
						"than "
						PARSE_STR(PARSE_HDR_COLS)
						" columns");
	if (name.len > sizeof(h->text) - *used)
		return parse_header_refuse_cols(h, directive, "names are "
						"longer than "
						PARSE_STR(PARSE_HDR_TEXT)
						" bytes in all");
	memcpy(h->text + *used, name.p, name.len);
	c = &h->cols[h->ncols++];
	c->name = core_str_make(h->text + *used, name.len);
	c->hash = core_field_hash(c->name.p, c->name.len);
	c->id = (uint16_t)core_field_lookup(c->name.p, c->name.len);
	c->role = 0;
	c->type = 0;
	*used += name.len;
	return 0;
}

/* ---------------------------------------------------------------- helpers */

bool parse_token(struct core_str *s, char c, struct core_str *tok)
{
	const char *hit = s->len ? memchr(s->p, c, s->len) : NULL;

	if (!hit)
		return false;
	*tok = core_str_make(s->p, (size_t)(hit - s->p));
	s->len -= (size_t)(hit - s->p) + 1;
	s->p = hit + 1;
	return true;
}

long parse_find(struct core_str s, const char *lit, size_t n)
{
	const char *hit;

	if (n > s.len)
		return -1;
	hit = memmem(s.p, s.len, lit, n);
	return hit ? (long)(hit - s.p) : -1;
}

long parse_rfind(struct core_str s, const char *lit, size_t n)
{
	if (n > s.len)
		return -1;
	for (size_t i = s.len - n + 1; i-- > 0;) {
		if (s.p[i] == lit[0] && memcmp(s.p + i, lit, n) == 0)
			return (long)i;
	}
	return -1;
}

bool parse_is_digits(struct core_str s)
{
	if (s.len == 0)
		return false;
	for (size_t i = 0; i < s.len; i++) {
		if ((unsigned)(s.p[i] - '0') > 9)
			return false;
	}
	return true;
}

void parse_set_peer(struct core_event *ev, struct core_str s)
{
	struct core_ip ip;

	if (s.len == 0)
		return;
	core_event_set_str(ev, CORE_F_SOURCE_ADDRESS, s);
	if (core_ip_parse(s.p, s.len, &ip))
		core_event_set_str(ev, CORE_F_SOURCE_IP, s);
	else
		core_event_set_str(ev, CORE_F_SOURCE_DOMAIN, s);
}

void parse_set_action(struct core_event *ev, const char *action,
		      const char *category, const char *outcome)
{
	core_event_set(ev, CORE_F_EVENT_ACTION, action, strlen(action));
	if (category)
		core_event_set(ev, CORE_F_EVENT_CATEGORY, category,
			       strlen(category));
	if (outcome)
		core_event_set(ev, CORE_F_EVENT_OUTCOME, outcome,
			       strlen(outcome));
}

void parse_event_clear(struct core_event *ev)
{
	const char *src = ev->src;
	uint64_t line = ev->line;
	struct core_str raw = ev->raw;
	enum core_format fmt = ev->format;

	core_event_reset(ev, ev->arena);
	ev->src = src;
	ev->line = line;
	ev->raw = raw;
	ev->format = fmt;
}

struct core_str parse_small_num(unsigned v)
{
	static const char *const nums[32] = {
		"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
		"12", "13", "14", "15", "16", "17", "18", "19", "20", "21",
		"22", "23", "24", "25", "26", "27", "28", "29", "30", "31"
	};

	if (v >= CORE_ARRAY_LEN(nums))
		return CORE_STR_NULL;
	return core_str_make(nums[v], v < 10 ? 1 : 2);
}

struct core_str parse_transport(struct core_str s)
{
	static const char *names[] = { "tcp", "udp", "icmp", "sctp",
				       "ipv6-icmp", "icmpv6", "gre" };

	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++) {
		struct core_str n = core_str_make(names[i],
						  strlen(names[i]));

		if (core_str_ieq(s, n))
			return n;
	}
	return CORE_STR_NULL;
}

void parse_set_url(struct core_event *ev, struct core_str url)
{
	const char *q = url.len ? memchr(url.p, '?', url.len) : NULL;

	core_event_set_str(ev, CORE_F_URL_ORIGINAL, url);
	if (!q) {
		core_event_set_str(ev, CORE_F_URL_PATH, url);
		return;
	}
	core_event_set(ev, CORE_F_URL_PATH, url.p, (size_t)(q - url.p));
	core_event_set(ev, CORE_F_URL_QUERY, q + 1,
		       url.len - (size_t)(q - url.p) - 1);
}
