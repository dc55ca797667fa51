/*
 * core.h: the vocabulary every room shares.
 *
 * Length-carrying strings that point into a record, a bump arena for
 * per-event data, the normalised event with its ECS field table, one error
 * type, levelled key=value logging, civil time and IP addresses.
 *
 * Nothing here knows about formats, rules or incidents.  The event is the
 * hot-path object: decoders fill it in place, without malloc, and reset it
 * before the next record.
 */
#ifndef VIGIL_CORE_H
#define VIGIL_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- strings */

/* A byte range, usually inside a record; never NUL-terminated by contract. */
struct core_str {
	const char *p;
	size_t len;
};

#define CORE_STR(lit) ((struct core_str){ (lit), sizeof(lit) - 1 })
#define CORE_STR_NULL ((struct core_str){ NULL, 0 })

static inline struct core_str core_str_make(const char *p, size_t len)
{
	return (struct core_str){ p, len };
}

/* Inline: field names are compared on every lookup of every record. */
static inline bool core_str_eq(struct core_str a, struct core_str b)
{
	return a.len == b.len &&
	       (a.len == 0 || __builtin_memcmp(a.p, b.p, a.len) == 0);
}

/* Inline, so that strlen() of a literal folds into a constant. */
static inline bool core_str_eq_lit(struct core_str a, const char *lit)
{
	size_t n = __builtin_strlen(lit);

	return a.len == n && __builtin_memcmp(a.p, lit, n) == 0;
}
/* The value of a hexadecimal digit, either case; -1 for anything else. */
static inline int core_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool core_str_ieq(struct core_str a, struct core_str b);
bool core_str_starts(struct core_str s, const char *lit);
/* Case-insensitive substring search; returns offset or -1. */
long core_str_ifind(struct core_str hay, struct core_str needle);
long core_str_find(struct core_str hay, struct core_str needle);
/* Parses an unsigned decimal; false on empty, junk or overflow. */
bool core_str_to_u64(struct core_str s, uint64_t *out);
bool core_str_to_i64(struct core_str s, int64_t *out);
struct core_str core_str_trim(struct core_str s);
/* s without its trailing spaces and tabs (inline: the prefilter asks
 * it of every field of every event). */
static inline struct core_str core_str_rtrim_blanks(struct core_str s)
{
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
		s.len--;
	return s;
}
/* Is s a GUID, "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" in hex digits? */
static inline bool core_str_is_guid(struct core_str s)
{
	if (s.len != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s.p[i] != '-' : core_hex_digit(s.p[i]) < 0)
			return false;
	}
	return true;
}
/* What a "%{...}" holds (Windows' directory GUIDs), the GUID alone of a
 * "{GUID}" (as JSON exports of EVTX give it), else s itself. */
static inline struct core_str core_str_unbrace(struct core_str s)
{
	if (s.len > 3 && s.p[0] == '%' && s.p[1] == '{' &&
	    s.p[s.len - 1] == '}')
		return core_str_make(s.p + 2, s.len - 3);
	if (s.len == 38 && s.p[0] == '{' && s.p[37] == '}' &&
	    core_str_is_guid(core_str_make(s.p + 1, 36)))
		return core_str_make(s.p + 1, 36);
	return s;
}

/*
 * Bounded growable buffer (curl's dynbuf shape): the ceiling is set at init;
 * crossing it frees the buffer and returns CORE_E_TOOBIG.
 */
struct core_buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max;
};

void core_buf_init(struct core_buf *b, size_t max);
void core_buf_free(struct core_buf *b);
void core_buf_reset(struct core_buf *b);
int core_buf_add(struct core_buf *b, const void *p, size_t len);
int core_buf_addc_slow(struct core_buf *b, char c);
/* One byte; inline while it fits (cap never passes max + 1). */
static inline int core_buf_addc(struct core_buf *b, char c)
{
	if (b->len + 2 > b->cap)
		return core_buf_addc_slow(b, c);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
	return 0;
}
int core_buf_printf(struct core_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends s with JSON string escaping, without the surrounding quotes. */
int core_buf_add_json(struct core_buf *b, const char *p, size_t len);
/* The most bytes core_json_escape() writes for n bytes (\u0001 for 1). */
#define CORE_JSON_ESCAPED_MAX(n) (6 * (n))
/*
 * Writes p[0, len) with JSON string escaping (no quotes, no NUL) to out,
 * which holds CORE_JSON_ESCAPED_MAX(len) bytes; returns the bytes
 * written.  Bytes that are not UTF-8 become U+FFFD.
 */
size_t core_json_escape(char *out, const char *p, size_t len);
/*
 * Makes room for n more bytes and the NUL; the caller then writes at
 * b->p + b->len and moves len.  CORE_E_TOOBIG past max (the buffer is
 * freed, as when adding), CORE_E_NOMEM.
 */
int core_buf_reserve(struct core_buf *b, size_t n);
/* Returns a NUL-terminated view (the buffer always keeps room for it). */
const char *core_buf_cstr(struct core_buf *b);

/* ----------------------------------------------------------------- errors */

enum core_errcode {
	CORE_OK = 0,
	CORE_E_NOMEM = -1,
	CORE_E_IO = -2,
	CORE_E_PARSE = -3,	/* input did not have the expected shape */
	CORE_E_TOOBIG = -4,	/* a bounded buffer or table is full */
	CORE_E_UNSUPPORTED = -5,
	CORE_E_INVAL = -6,	/* caller passed something meaningless */
	CORE_E_NOTFOUND = -7,
	CORE_E_AGAIN = -8,	/* need more input */
};

/* An error names where in the input it came from, so it can be acted on. */
struct core_error {
	int code;
	char file[256];
	uint64_t line;		/* 0: not tied to a line */
	char msg[512];
};

/* Fills err (which may be NULL) and returns code, for `return core_fail()`. */
int core_fail(struct core_error *err, int code, const char *file,
	      uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
const char *core_strerror(int code);
/* Prints "file:line: msg" (or "file: msg", or "msg") into out. */
void core_error_format(const struct core_error *err, char *out, size_t n);

/* ---------------------------------------------------------------- logging */

enum core_loglevel {
	CORE_LOG_ERROR = 0,
	CORE_LOG_WARN,
	CORE_LOG_INFO,
	CORE_LOG_DEBUG,
};

extern enum core_loglevel core_log_level;

/*
 * One line of key=value pairs on stderr:
 *   level=warn room=parse src=auth.log line=1042 msg="..."
 * src may be NULL and line 0.  Secrets never go through here; raw lines
 * only at debug.
 */
void core_log_at(enum core_loglevel lvl, const char *room, const char *src,
		 uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#define core_log(lvl, room, src, line, ...)                                  \
	do {                                                                  \
		if ((lvl) <= core_log_level)                                  \
			core_log_at((lvl), (room), (src), (line), __VA_ARGS__);\
	} while (0)

/* ------------------------------------------------------------------ arena */

/*
 * Bump allocator for per-event and per-batch data.  Memory comes in chunks;
 * reset keeps the first chunk and frees the rest, so a steady stream of
 * events of similar size allocates nothing after warm-up.
 */
struct core_arena;

struct core_arena *core_arena_new(size_t chunk);
void core_arena_free(struct core_arena *a);
void core_arena_reset(struct core_arena *a);
void *core_arena_alloc(struct core_arena *a, size_t n);
/* Copies a string into the arena; the copy is NUL-terminated. */
struct core_str core_arena_strdup(struct core_arena *a, const char *p,
				  size_t len);
size_t core_arena_used(const struct core_arena *a);

/* ------------------------------------------------------------------ event */

/*
 * The known field names.  A decoder sets fields by id; anything else (JSON
 * keys, EVTX EventData names) is a named field.  Ids are dense so a lookup
 * of a known field is one array index.
 */
#define CORE_FIELD_LIST(X)                                                    \
	X(TIMESTAMP, "@timestamp")                                           \
	X(MESSAGE, "message")                                                \
	X(EVENT_KIND, "event.kind")                                          \
	X(EVENT_CATEGORY, "event.category")                                  \
	X(EVENT_TYPE, "event.type")                                          \
	X(EVENT_ACTION, "event.action")                                      \
	X(EVENT_OUTCOME, "event.outcome")                                    \
	X(EVENT_DATASET, "event.dataset")                                    \
	X(EVENT_SEVERITY, "event.severity")                                  \
	X(EVENT_REASON, "event.reason")                                      \
	X(SOURCE_IP, "source.ip")                                            \
	X(SOURCE_PORT, "source.port")                                        \
	X(SOURCE_DOMAIN, "source.domain")                                    \
	X(SOURCE_ADDRESS, "source.address")                                  \
	X(DESTINATION_IP, "destination.ip")                                  \
	X(DESTINATION_PORT, "destination.port")                              \
	X(NETWORK_TRANSPORT, "network.transport")                            \
	X(NETWORK_PROTOCOL, "network.protocol")                              \
	X(USER_NAME, "user.name")                                            \
	X(USER_TARGET_NAME, "user.target.name")                              \
	X(USER_EFFECTIVE_NAME, "user.effective.name")                        \
	X(GROUP_NAME, "group.name")                                          \
	X(HOST_NAME, "host.name")                                            \
	X(PROCESS_NAME, "process.name")                                      \
	X(PROCESS_PID, "process.pid")                                        \
	X(PROCESS_COMMAND_LINE, "process.command_line")                      \
	X(PROCESS_WORKING_DIRECTORY, "process.working_directory")            \
	X(LOG_SYSLOG_FACILITY, "log.syslog.facility.code")                   \
	X(LOG_SYSLOG_SEVERITY, "log.syslog.severity.code")                   \
	X(LOG_LEVEL, "log.level")                                            \
	X(URL_ORIGINAL, "url.original")                                      \
	X(URL_PATH, "url.path")                                              \
	X(URL_QUERY, "url.query")                                            \
	X(HTTP_REQUEST_METHOD, "http.request.method")                        \
	X(HTTP_REQUEST_REFERRER, "http.request.referrer")                    \
	X(HTTP_RESPONSE_STATUS_CODE, "http.response.status_code")            \
	X(HTTP_RESPONSE_BODY_BYTES, "http.response.body.bytes")              \
	X(HTTP_VERSION, "http.version")                                      \
	X(USER_AGENT_ORIGINAL, "user_agent.original")                        \
	X(RULE_NAME, "rule.name")                                            \
	X(RULE_ID, "rule.id")                                                \
	X(RULE_CATEGORY, "rule.category")                                    \
	X(DNS_QUESTION_NAME, "dns.question.name")                            \
	X(FILE_PATH, "file.path")                                            \
	X(AUTH_METHOD, "vigil.auth.method")                                  \
	X(SERVICE_NAME, "service.name")

enum core_field_id {
#define CORE_FIELD_ENUM(id, name) CORE_F_##id,
	CORE_FIELD_LIST(CORE_FIELD_ENUM)
#undef CORE_FIELD_ENUM
	CORE_F__COUNT,
	CORE_F_NAMED = 0xffff,	/* not a known id: look at the name */
};

const char *core_field_name(enum core_field_id id);
/* Maps an ECS name to its id, or CORE_F_NAMED. */
enum core_field_id core_field_lookup(const char *name, size_t len);

/* Formats a record can be in.  Sniffing picks one per input. */
#define CORE_FORMAT_LIST(X)                                                   \
	X(AUTO, "auto")                                                      \
	X(RAW, "raw")                                                        \
	X(SYSLOG, "syslog")                                                  \
	X(JOURNAL_JSON, "journal")                                           \
	X(ACCESS_LOG, "access")                                              \
	X(EVE_JSON, "eve")                                                   \
	X(JSON, "json")                                                      \
	X(EVTX, "evtx")                                                      \
	X(ERROR_LOG, "errorlog")                                             \
	X(W3C, "w3c")                                                        \
	X(ZEEK_TSV, "zeek")                                                  \
	X(AUDITD, "auditd")

enum core_format {
#define CORE_FORMAT_ENUM(id, name) CORE_FMT_##id,
	CORE_FORMAT_LIST(CORE_FORMAT_ENUM)
#undef CORE_FORMAT_ENUM
	CORE_FMT__COUNT,
};

const char *core_format_name(enum core_format f);
/* Returns the format for a --format name, or -1. */
int core_format_lookup(const char *name);

#define CORE_EVENT_MAX_FIELDS 256
/* Named fields by name hash: twice the fields, so a probe always ends. */
#define CORE_EVENT_NAMED_SLOTS 512

struct core_field {
	uint16_t id;		/* enum core_field_id */
	uint32_t hash;		/* named: core_field_hash(name) */
	struct core_str name;	/* set only when id == CORE_F_NAMED */
	struct core_str value;
};

#define CORE_TS_UNKNOWN INT64_MIN

/*
 * A normalised event.  raw and the field values point into the record (or
 * into arena for values a decoder had to build, such as unescaped JSON
 * strings).  The caller owns the record and the arena and keeps both alive
 * while the event is in use.
 */
struct core_event {
	int64_t ts;		/* microseconds since the epoch, UTC */
	const char *src;	/* input name as the user gave it */
	uint64_t line;		/* 1-based line in src */
	struct core_str raw;	/* read through core_event_raw() */
	/*
	 * Set by a decoder that renders raw only when it is asked for (EVTX:
	 * the one-line JSON object of the record's named fields, in order,
	 * which most records never need): core_event_raw() calls it, and
	 * raw itself stays empty.  raw_fn reads nothing of the record but
	 * ev's first raw_nfields fields, and writes the text in ev's arena;
	 * raw_ctx only keeps the text once made.  So a copy of the event
	 * with fields and arena of its own, given its own keeper by the
	 * decoder (parse_evtx_raw_attach()), renders the same text without
	 * the decoder (cli/threads.c: a batch slot a worker thread reads).
	 */
	const struct core_str *(*raw_fn)(const struct core_event *ev,
					 void *ctx);
	void *raw_ctx;
	enum core_format format;
	bool decoded;		/* false: no decoder understood the record */
	bool ts_guessed;	/* year or zone was inferred (see docs) */
	bool ts_invalid;	/* a stamp was there but named no real time */
	uint16_t nfields;
	uint16_t truncated;	/* fields the full table dropped (saturates) */
	/* raw_fn renders these: the record's own, not fields derived after */
	uint16_t raw_nfields;
	int16_t known[CORE_F__COUNT];	/* index into fields, or -1 */
	/* index + 1 of a named field, open-addressed by name hash; 0: empty */
	uint16_t named[CORE_EVENT_NAMED_SLOTS];
	struct core_field fields[CORE_EVENT_MAX_FIELDS];
	struct core_arena *arena;
};

/* ev's raw text (the record as read, or as its decoder renders it). */
static inline const struct core_str *
core_event_raw(const struct core_event *ev)
{
	return ev->raw_fn != NULL ? ev->raw_fn(ev, ev->raw_ctx) : &ev->raw;
}

/* Prepares ev for a new record; arena may be NULL if no decoder needs one. */
void core_event_reset(struct core_event *ev, struct core_arena *arena);
/* Sets (or replaces) a known field. */
void core_event_set(struct core_event *ev, enum core_field_id id,
		    const char *p, size_t len);
static inline void core_event_set_str(struct core_event *ev,
				      enum core_field_id id, struct core_str v)
{
	core_event_set(ev, id, v.p, v.len);
}
#define core_event_set_lit(ev, id, lit)                                      \
	core_event_set((ev), (id), (lit), sizeof(lit) - 1)
/* Adds a field by name; known ECS names are stored under their id. */
void core_event_set_named(struct core_event *ev, const char *name,
			  size_t nlen, const char *p, size_t len);
/*
 * The same, for a caller that keeps the name's core_field_hash() and
 * core_field_lookup() (a decoder's compiled template).
 */
void core_event_set_named_h(struct core_event *ev, const char *name,
			    size_t nlen, uint32_t hash, enum core_field_id id,
			    const char *p, size_t len);
/* NULL when absent. */
const struct core_str *core_event_get(const struct core_event *ev,
				      enum core_field_id id);
const struct core_str *core_event_get_named(const struct core_event *ev,
					    const char *name, size_t nlen);
/*
 * Renames named field i to name, which ev must not have yet (a decoder
 * giving an exported field its native name).
 */
void core_event_rename_named(struct core_event *ev, unsigned i,
			     const char *name, size_t nlen);
/* The hash field names are indexed by, for lookups that keep it. */
uint32_t core_field_hash(const char *name, size_t nlen);
/*
 * A named (non-ECS) field by name and core_field_hash(name): no ECS
 * lookup, for callers that know the name is not an ECS one.
 */
const struct core_str *core_event_get_named_h(const struct core_event *ev,
					      const char *name, size_t nlen,
					      uint32_t hash);
/*
 * The remote party as an entity: source.ip, else source.address (a PAM
 * rhost may be a name), else source.domain.  NULL when none is set.
 */
const struct core_str *core_event_source(const struct core_event *ev);

/* ------------------------------------------------------------------- time */

/* Days since 1970-01-01 for a proleptic Gregorian date. */
int64_t core_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Microseconds since the epoch; false if a component is out of range. */
bool core_time_from_parts(int y, int mon, int day, int h, int mi, int s,
			  long usec, int offset_min, int64_t *out);
/* "Jan".."Dec" -> 1..12, 0 if not a month. */
int core_month_from_abbr(const char *p);
/*
 * RFC 3339 / ISO 8601 ("2024-03-01T10:00:00.123+01:00", "Z", or a space
 * for 'T'; a missing zone means UTC).  Returns bytes consumed, 0 on failure.
 */
size_t core_time_parse_iso(const char *p, size_t len, int64_t *out);
/* Writes RFC 3339 UTC with microseconds into out (at least 32 bytes). */
void core_time_format(int64_t ts, char *out, size_t n);
/* For people: "2024-03-01 10:00:00 UTC", seconds only (32 bytes). */
void core_time_format_human(int64_t ts, char *out, size_t n);
int64_t core_time_now(void);

/* --------------------------------------------------------- IP addresses */

struct core_ip {
	uint8_t family;		/* 4 or 6; 0 when invalid */
	uint8_t addr[16];	/* v4 in the first four bytes */
};

bool core_ip_parse(const char *p, size_t len, struct core_ip *out);
/* "10.0.0.0/8", "2001:db8::/32"; a bare address is a /32 or /128. */
bool core_cidr_parse(const char *p, size_t len, struct core_ip *net,
		     unsigned *prefix);
/* An IPv4 address and its IPv4-mapped IPv6 form (::ffff:a.b.c.d) are
 * one address here, either side. */
bool core_ip_in_cidr(const struct core_ip *ip, const struct core_ip *net,
		     unsigned prefix);
/* RFC 1918, loopback, link-local, ULA, CGNAT. */
bool core_ip_is_private(const struct core_ip *ip);
void core_ip_format(const struct core_ip *ip, char *out, size_t n);

/* ------------------------------------------------------------------ misc */

/* FNV-1a over bytes; for hash tables, not for security. */
uint64_t core_hash(const void *p, size_t len, uint64_t seed);

#define CORE_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define CORE_MIN(a, b) ((a) < (b) ? (a) : (b))
#define CORE_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif /* VIGIL_CORE_H */
