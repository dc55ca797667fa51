/*
 * parse_int.h: what the parse room's files share and nobody else sees.
 *
 * The program dispatcher (syslog and the journal both hand a message to
 * it), the auth sub-decoders, the JSON tokenizer and the small scanning
 * helpers every decoder walks its [p, end) range with.  Unit tests include
 * this header to reach the pieces directly; other rooms use parse.h only.
 */
#ifndef VIGIL_PARSE_INT_H
#define VIGIL_PARSE_INT_H

#include "parse/parse.h"

/* ------------------------------------------------------------ scanning */

/* Consumes lit when s starts with it. */
static inline bool parse_eat(struct core_str *s, const char *lit, size_t n)
{
	if (s->len < n || __builtin_memcmp(s->p, lit, n) != 0)
		return false;
	s->p += n;
	s->len -= n;
	return true;
}

#define PARSE_EAT(s, lit) parse_eat((s), (lit), sizeof(lit) - 1)

/* True when s ends with lit; strips it. */
static inline bool parse_eat_tail(struct core_str *s, const char *lit,
				  size_t n)
{
	if (s->len < n || __builtin_memcmp(s->p + s->len - n, lit, n) != 0)
		return false;
	s->len -= n;
	return true;
}

#define PARSE_EAT_TAIL(s, lit) parse_eat_tail((s), (lit), sizeof(lit) - 1)

/* Splits off the bytes before the first c; s keeps what follows c. */
bool parse_token(struct core_str *s, char c, struct core_str *tok);
/* Offset of lit in s or -1 (memmem, bounded). */
long parse_find(struct core_str s, const char *lit, size_t n);
#define PARSE_FIND(s, lit) parse_find((s), (lit), sizeof(lit) - 1)
/* Offset of the last occurrence of lit in s or -1. */
long parse_rfind(struct core_str s, const char *lit, size_t n);
#define PARSE_RFIND(s, lit) parse_rfind((s), (lit), sizeof(lit) - 1)
/* True when s is all decimal digits (and not empty). */
bool parse_is_digits(struct core_str s);
/* Sets source.ip when s is an address, else source.domain. */
void parse_set_peer(struct core_event *ev, struct core_str s);
/* Sets event.action, event.category and event.outcome (NULL: none). */
void parse_set_action(struct core_event *ev, const char *action,
		      const char *category, const char *outcome);
/* Wipes the fields a failed decoder left; keeps src, line and raw. */
void parse_event_clear(struct core_event *ev);
/* Static text for a small number (0..31), for derived numeric fields. */
struct core_str parse_small_num(unsigned v);
/* Lower-case transport name for "TCP", "udp", "ICMP" ...; len 0 if not. */
struct core_str parse_transport(struct core_str s);
/* The account name of "DOMAIN\name": what follows the last backslash
 * ("DOMAIN\" stays as it is). */
struct core_str parse_windows_account(struct core_str s);
/* Sets url.original and its url.path / url.query halves. */
void parse_set_url(struct core_event *ev, struct core_str url);
/* A request line ("GET /x HTTP/1.1") into method, URL and version. */
void parse_access_request(struct core_event *ev, struct core_str req);

/* ------------------------------------------------------ program dispatch */

/*
 * Decodes a syslog or journal message by the program that wrote it
 * (process.name): sshd, pam modules, sudo, su, shadow tools, cron and the
 * kernel.  Sets event.dataset when it recognises the program.  Returns
 * true when the message matched a known shape.
 */
bool parse_program_dispatch(struct core_event *ev, struct core_str prog,
			    struct core_str msg);

/* sshd / sshd-session message; true when understood. */
bool parse_sshd_message(struct core_event *ev, struct core_str msg);
/* A pam module's text after "pam_x(svc:type): "; svc may be empty. */
bool parse_pam_message(struct core_event *ev, struct core_str svc,
		       struct core_str msg);
/* "pam_x(svc:type): rest" anywhere a program logs it; true if matched. */
bool parse_pam_prefixed(struct core_event *ev, struct core_str msg);
bool parse_sudo_message(struct core_event *ev, struct core_str msg);
bool parse_su_message(struct core_event *ev, struct core_str msg);
bool parse_shadow_message(struct core_event *ev, struct core_str msg);
bool parse_cron_message(struct core_event *ev, struct core_str msg);
bool parse_kernel_message(struct core_event *ev, struct core_str msg);
/* A web server's error-log text under its syslog tag (errorlog.c). */
bool parse_errorlog_message(struct core_event *ev, struct core_str prog,
			    struct core_str msg);

/* ---------------------------------------------------------- syslog header */

/*
 * Decodes a syslog header (RFC 3164, RFC 5424, ISO-stamped) and sets the
 * header fields and ev->ts; *msg receives the message part and *prog the
 * program name.  Returns 0 or CORE_E_PARSE (nothing set worth keeping).
 */
int parse_syslog_header(const struct parse_ctx *ctx, struct core_event *ev,
			struct core_str line, struct core_str *prog,
			struct core_str *msg);

/* ------------------------------------------------------------------ JSON */

enum parse_json_type {
	PARSE_JSON_STRING,
	PARSE_JSON_NUMBER,
	PARSE_JSON_TRUE,
	PARSE_JSON_FALSE,
	PARSE_JSON_NULL,
	PARSE_JSON_ARRAY,	/* value: the array's raw text */
};

#define PARSE_JSON_DEPTH 32
#define PARSE_JSON_NAME_MAX 256

/* Set in flags for leaves reached through an array. */
#define PARSE_JSON_IN_ARRAY 1u

/*
 * Called once per leaf: name is the dotted path ("alert.signature"),
 * valid until the walk ends (top-level names point into the record, nested
 * ones into the arena); value points into the record, or into the arena
 * for strings that held escapes.  Arrays are walked, then reported once
 * with their raw text: objects inside them report their members with the
 * array's path as prefix and PARSE_JSON_IN_ARRAY set; scalars inside
 * arrays are not reported one by one.  With a NULL arena nested names are
 * valid only during the call.
 */
typedef void (*parse_json_cb)(void *ud, struct core_str name,
			      enum parse_json_type type, struct core_str value,
			      unsigned flags);

/*
 * Walks one JSON object in [p, p + len) (trailing white space allowed).
 * arena may be NULL: strings with escapes are then reported raw.  Returns
 * 0, or CORE_E_PARSE on malformed JSON, nesting deeper than
 * PARSE_JSON_DEPTH, or a top-level value that is not an object; the
 * callback may already have been called for earlier leaves.
 */
int parse_json_walk(const char *p, size_t len, struct core_arena *arena,
		    parse_json_cb cb, void *ud);

/* Decodes an array of byte numbers ([104,105]) into arena bytes. */
bool parse_json_bytes(struct core_str arr, struct core_arena *arena,
		      struct core_str *out);

/*
 * Decodes a JSON array of strings (["a","b\\n"]) into its strings,
 * unescaped and joined by sep, in arena; false when an element is not a
 * string or the array is malformed.
 */
bool parse_json_strings(struct core_str arr, struct core_arena *arena,
			char sep, struct core_str *out);

/* Parses "1526515232.265" (seconds, fraction) into µs; false on junk. */
bool parse_epoch_seconds(struct core_str s, int64_t *out);

/*
 * Stores one walked JSON leaf as a named field (ECS names land on their
 * ids): nulls are skipped; leaves inside arrays only fill names not yet
 * set, so the first element wins.
 */
void parse_json_set_leaf(struct core_event *ev, struct core_str name,
			 enum parse_json_type type, struct core_str value,
			 unsigned flags);
/* A named field's value, or an empty string when absent. */
struct core_str parse_named(const struct core_event *ev, const char *name);
/* Parses a JSON time value: ISO-8601 text or epoch seconds (or ms). */
bool parse_json_time(struct core_str v, int64_t *out);

/*
 * Maps a Zeek record's own fields (id.orig_h, method, query ...) onto ECS
 * ones and sets event.dataset "zeek.PATH" from path (the JSON record's
 * "_path", the TSV header's #path), or from the fields only one log has
 * when path is empty; a zeek.http record is an http_request.  Shared by
 * the JSON and TSV forms, so rules see the same event from either.
 */
void parse_zeek_fields(struct core_event *ev, struct core_str path);

/* ---------------------------------------------------------- header state */

#define PARSE_STR_(x) #x
#define PARSE_STR(x) PARSE_STR_(x)	/* a number macro as a literal */

#define PARSE_HDR_COLS 128	/* columns a header may name */
#define PARSE_HDR_TEXT 4096	/* bytes of their names, in all */
#define PARSE_HDR_WHY 160

struct parse_hdr_col {
	struct core_str name;	/* into parse_header.text */
	uint32_t hash;		/* core_field_hash(name) */
	uint16_t id;		/* core_field_lookup(name) */
	uint8_t role;		/* the decoder's: what the column fills */
	uint8_t type;		/* the decoder's: how values are written */
};

/*
 * What an input's header lines said (parse.h: parse_ctx.hdr).  fmt names
 * the decoder that last set it, so a state left by another format is
 * never read as one's own.  The column names live in text, so fields
 * named after them stay valid while the state does (an event's names
 * point here, as the JSON decoder's point into the record).
 */
struct parse_header {
	enum core_format fmt;	/* RAW: no header seen */
	unsigned ncols;		/* 0: no usable column list */
	uint64_t line;		/* of the column header; 0: none yet */
	bool refused;		/* that header could not be used */
	struct parse_hdr_col cols[PARSE_HDR_COLS];
	char text[PARSE_HDR_TEXT];
	/* w3c */
	int64_t day;		/* #Date's day at 00:00 UTC, or unknown */
	bool local_time;	/* "#Time Format: Local" */
	/* zeek */
	char sep, set_sep;
	uint8_t unset_len, empty_len, path_len;
	char unset[16], empty[16], path[32];
	char why[PARSE_HDR_WHY];	/* parse_header_refusal(); "" */
};

/* Sets h->why (printf-style) when h is not NULL. */
void parse_header_refuse(struct parse_header *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A column list read from the header line named directive ("#Fields",
 * "#fields"): parse_header_cols_begin() at its line, then each name
 * through parse_header_add_col(), which appends it (role and type 0)
 * or, when the list outgrows the state, refuses it.  A refused list
 * leaves no columns: records up to the next one are kept raw.  Both
 * refusing calls return CORE_E_PARSE.
 */
void parse_header_cols_begin(struct parse_header *h, uint64_t line);
int parse_header_add_col(struct parse_header *h, const char *directive,
			 struct core_str name, size_t *used);
int parse_header_refuse_cols(struct parse_header *h, const char *directive,
			     const char *why);
/* A record of n values that its column list does not fit: kept raw. */
int parse_header_refuse_count(struct parse_header *h, const char *directive,
			      size_t n);

/* Per-format decoders behind parse_record(). */
int parse_syslog_record(const struct parse_ctx *ctx, struct core_event *ev,
			struct core_str line);
int parse_journal_record(const struct parse_ctx *ctx, struct core_event *ev,
			 struct core_str line);
int parse_access_record(const struct parse_ctx *ctx, struct core_event *ev,
			struct core_str line);
int parse_eve_record(const struct parse_ctx *ctx, struct core_event *ev,
		     struct core_str line);
int parse_json_record(const struct parse_ctx *ctx, struct core_event *ev,
		      struct core_str line);
int parse_errorlog_record(const struct parse_ctx *ctx, struct core_event *ev,
			  struct core_str line);
int parse_w3c_record(const struct parse_ctx *ctx, struct core_event *ev,
		     struct core_str line);
int parse_auditd_record(const struct parse_ctx *ctx, struct core_event *ev,
			struct core_str line);
int parse_zeek_record(const struct parse_ctx *ctx, struct core_event *ev,
		      struct core_str line);

/*
 * What the SYSCALL record of an audit event said of its process, given
 * to the event's later records that lack it (auditd.c).  One per
 * tracker of parse_procs_track() (sysmon.c), which feeds it every audit
 * event in input order.  _new returns NULL when out of memory.
 */
struct parse_audit;

struct parse_audit *parse_audit_new(void);
void parse_audit_free(struct parse_audit *a);
void parse_audit_track(struct parse_audit *a, struct core_event *ev);

#endif /* VIGIL_PARSE_INT_H */
