/*
 * evtx.c: Windows binary XML (BinXML) records into events.
 *
 * A record's binary XML is almost always a fragment holding one template
 * instance: a reference to a template definition (an XML skeleton stored
 * once per chunk, with numbered substitution slots) and the substitution
 * values of this record, each described by size and type.  Rendering XML
 * text and parsing it back would waste most of the time, so a template is
 * compiled instead, once per chunk, into a list of operations: "field
 * EventID = value 3", "field SubjectUserName = value 1", "field
 * Provider_Name = 'Microsoft-Windows-Sysmon'".  Running the list over the
 * values of a record is all the per-record work.  A value of type BinXml
 * (nested XML, usually EventData or UserData with a template of its own)
 * is run the same way, with the section it sits in.
 *
 * Token grammar (one byte each, 0x40 set = "more follows"/"has attributes"):
 *   0x0f fragment header (3 more bytes)   0x0c template instance
 *   0x01/0x41 element start: dependency id (2), size (4), name offset (4),
 *     the name inline when its offset is here, attribute list size (4)
 *   0x06/0x46 attribute: name offset (4) [+ inline name], then its value
 *   0x02 close start   0x03 close empty   0x04 end element   0x00 end
 *   0x05/0x45 text value: type (1, 0x01 = UTF-16 string), chars (2), text
 *   0x0d/0x0e (optional) substitution: value index (2), type (1)
 *   0x07 CDATA   0x08 character reference   0x09 entity reference
 *   0x0a/0x0b processing instruction target and data (ignored)
 * A name at an offset: next offset (4), hash (2), chars (2), UTF-16, NUL.
 *
 * Field naming (docs/formats.md): System children by element name, their
 * attributes as Element_Attribute (Provider_Name, Security_UserID ...);
 * EventData Data items by their Name (unnamed ones joined as Data), a
 * Name with spaces also without them ("Threat Name" and "ThreatName");
 * UserData leaves by element name.  Empty attribute substitutions (the
 * optional ones Windows leaves out) set nothing.
 *
 * Memory: compiled templates live in an arena reset when the chunk
 * changes; per-record values in the event's arena, and so does the
 * record's JSON rendering (raw), made from the event's fields only when
 * something reads it.  Every offset and size read from the record is
 * checked against the chunk before use.
 */
#include "parse/evtx.h"
#include "parse/parse_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define CACHE_SLOTS 512		/* power of two */
#define MAX_OPS 2048		/* per compiled template */
#define MAX_PARTS 4096
#define MAX_ELEM_PARTS 32	/* text pieces of one element or attribute */
#define MAX_DEPTH 32		/* element nesting in a template */
#define MAX_NEST 8		/* BinXml values inside values */
#define MAX_VALUES 1024
#define FILETIME_EPOCH_DIFF 11644473600LL
#define PROC_SLOTS 1024		/* processes remembered; power of two */
#define PROC_IMAGE_MAX 260	/* MAX_PATH */

/* Where an element sits; decides how its text and attributes are named. */
enum section {
	SEC_NONE,
	SEC_EVENT,		/* inside <Event> */
	SEC_SYSTEM,		/* inside <System> */
	SEC_SYSITEM,		/* inside a child of <System> */
	SEC_EVENTDATA,		/* inside <EventData> */
	SEC_DATA,		/* inside <Data> */
	SEC_USERDATA,		/* inside <UserData> or other payload */
	SEC_SKIP,		/* <RenderingInfo>: nothing kept */
};

/* ECS fields derived from well-known Windows names; lower rank wins. */
enum derive {
	DERIVE_NONE,
	DERIVE_PLAIN,		/* value as is */
	DERIVE_IP,		/* only when the value is an address */
	DERIVE_BASENAME,	/* last path component */
	DERIVE_ACCOUNT,		/* "DOMAIN\\name" as name, as ECS user.name */
};

struct part {
	int32_t subst;		/* value index; -1: lit */
	struct core_str lit;
};

struct op {
	struct core_str name;	/* empty: no field, BinXml values only */
	uint32_t name_hash;	/* core_field_hash(name) */
	uint16_t name_id;	/* core_field_lookup(name) */
	int32_t name_subst;	/* Data Name="%n"; -1 */
	uint32_t part0, nparts;
	uint8_t sec;		/* section of the element, for BinXml */
	bool attr;		/* an attribute: NULL values set nothing */
	bool join;		/* unnamed Data: appended to earlier ones */
	bool is_time;		/* TimeCreated_SystemTime */
	uint8_t ecs_rank;
	uint16_t ecs;		/* enum core_field_id or CORE_F_NAMED */
	uint8_t derive;
};

struct tmpl {
	uint32_t off;
	uint8_t sec;
	struct op *ops;
	uint32_t nops;
	struct part *parts;
};

struct value {
	const uint8_t *p;
	uint32_t size;
	uint8_t type;
};

/* A process a Security 4688 record started, for its children's parent. */
struct proc_seen {
	uint64_t key;		/* pid and host, hashed; 0: empty */
	uint16_t len;
	char image[PROC_IMAGE_MAX];
};

/*
 * One per file.  A file is often small (a few dozen records), so making
 * one must be cheap: the process table waits for the first 4688, and the
 * compile scratch, last, is never zeroed.
 */
struct parse_evtx {
	struct core_arena *arena;	/* compiled templates of this chunk */
	struct proc_seen *proc;	/* PROC_SLOTS by key, newest wins; or NULL */
	const uint8_t *chunk;
	uint64_t chunk_no;
	struct tmpl *cache[CACHE_SLOTS];
	struct parse_evtx_raw raw;	/* the last record's rendering */
	uint8_t rank[CORE_F__COUNT];	/* per record: rank of the setter */
	bool have_ts;
	struct op ops[MAX_OPS];		/* compile scratch: first of the rest */
	struct part parts[MAX_PARTS];
};

/* One compile pass over a template body (or a bare fragment). */
struct cc {
	struct parse_evtx *d;
	struct core_arena *arena;
	const uint8_t *c;	/* chunk */
	size_t clen;
	size_t pos, end;	/* chunk-relative */
	uint32_t nops, nparts;
	const char *why;
};

/* One run of a fragment over a record's values. */
struct run {
	struct parse_evtx *d;
	struct core_event *ev;
	const uint8_t *c;
	size_t clen;
	const char *why;
	size_t why_at;
};

/* ------------------------------------------------------------ helpers */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * The leading code units of p (n of them) that are ASCII but NUL, as
 * bytes at w; returns how many.  Four a step in a 64-bit word: units
 * after the last whole step are left to the caller.
 */
static size_t ascii_words(char *w, const uint8_t *p, size_t n)
{
	const uint64_t ones = 0x0001000100010001ULL;
	size_t i = 0;

	for (; n - i >= 4; i += 4) {
		uint64_t x = (uint64_t)le32(p + 2 * i) |
			     (uint64_t)le32(p + 2 * i + 4) << 32;

		if ((x & 0xff80ff80ff80ff80ULL) != 0 ||
		    ((x - ones) & ~x & (ones << 15)) != 0)
			break;
		w[i] = (char)x;
		w[i + 1] = (char)(x >> 16);
		w[i + 2] = (char)(x >> 32);
		w[i + 3] = (char)(x >> 48);
	}
	return i;
}

#if defined(__SSE2__)
/*
 * All ones in the lanes of x (eight units) that are ASCII but NUL.  A
 * unit u is in 1..0x7f when u - 1 is below 0x7f, unsigned; SSE2
 * compares signed, so both sides are moved down by 0x8000 first.
 */
static __m128i ascii_mask(__m128i x)
{
	return _mm_cmplt_epi16(_mm_add_epi16(x, _mm_set1_epi16(0x7fff)),
			       _mm_set1_epi16(-0x8000 + 0x7f));
}

/*
 * Eight units at p: their low bytes stored at w (all eight, whatever
 * they are), and a bit per unit, set when the unit is ASCII but NUL.
 */
static unsigned ascii8(char *w, const uint8_t *p)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i ok = ascii_mask(x);

	_mm_storel_epi64((__m128i *)(void *)w, _mm_packus_epi16(x, x));
	return (unsigned)_mm_movemask_epi8(_mm_packs_epi16(ok, ok)) & 0xff;
}

/* The same for sixteen units, a bit each. */
static unsigned ascii16(char *w, const uint8_t *p)
{
	__m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
	__m128i ok = _mm_packs_epi16(ascii_mask(x0), ascii_mask(x1));

	_mm_storeu_si128((__m128i *)(void *)w, _mm_packus_epi16(x0, x1));
	return (unsigned)_mm_movemask_epi8(ok);
}

/*
 * ascii_words() with SSE2, sixteen units a step, then eight.  The
 * units left after that (fewer than eight) are done by reading the
 * last eight units again, some of them already copied: nothing is read
 * past p + 2n, and the bytes stored again are the same.  Bytes stored
 * for units past the ones returned are garbage the caller overwrites;
 * w has room, three bytes per unit, for all of them.
 */
static size_t ascii_run(char *w, const uint8_t *p, size_t n)
{
	size_t i = 0, k;

	if (n < 8)
		return ascii_words(w, p, n);
	for (; n - i >= 16; i += 16) {
		k = (size_t)__builtin_ctz(~ascii16(w + i, p + 2 * i));
		if (k < 16)
			return i + k;
	}
	if (n - i >= 8) {
		k = (size_t)__builtin_ctz(~ascii8(w + i, p + 2 * i));
		if (k < 8)
			return i + k;
		i += 8;
	}
	if (i == n)
		return n;
	/* Units n - 8 .. i - 1 are ASCII: their bits are set. */
	k = (size_t)__builtin_ctz(~ascii8(w + n - 8, p + 2 * (n - 8)));
	return n - 8 + k;
}
#else
static size_t ascii_run(char *w, const uint8_t *p, size_t n)
{
	return ascii_words(w, p, n);
}
#endif

/*
 * UTF-16LE (n units) to UTF-8 in the arena, stopping at a NUL; a lone
 * surrogate becomes U+FFFD.  Three bytes per unit always suffice.
 */
static struct core_str utf16(struct core_arena *a, const uint8_t *p,
			     size_t n)
{
	char *o = core_arena_alloc(a, n * 3 + 1), *w = o;
	size_t i = 0, k;

	if (o == NULL)
		return CORE_STR_NULL;
	for (; i < n; i++) {
		uint32_t u;

		/* A run of ASCII units but NUL, several a step. */
		k = ascii_run(w, p + 2 * i, n - i);
		w += k;
		i += k;
		if (i == n)
			break;
		u = le16(p + 2 * i);
		if (u < 0x80 && u != 0) {
			*w++ = (char)u;
			continue;
		}
		if (u == 0)
			break;
		if (u >= 0xd800 && u < 0xdc00 && i + 1 < n) {
			uint32_t lo = le16(p + 2 * i + 2);

			if (lo >= 0xdc00 && lo < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
				i++;
			} else {
				u = 0xfffd;
			}
		} else if (u >= 0xd800 && u < 0xe000) {
			u = 0xfffd;
		}
		w += put_utf8(w, u);
	}
	*w = '\0';
	return core_str_make(o, (size_t)(w - o));
}

/* ------------------------------------------------------------ naming */

static enum section sec_child(enum section parent, struct core_str name)
{
	switch (parent) {
	case SEC_NONE:
		if (core_str_eq_lit(name, "Event"))
			return SEC_EVENT;
		return sec_child(SEC_EVENT, name);
	case SEC_EVENT:
		if (core_str_eq_lit(name, "System"))
			return SEC_SYSTEM;
		if (core_str_eq_lit(name, "EventData"))
			return SEC_EVENTDATA;
		if (core_str_eq_lit(name, "RenderingInfo"))
			return SEC_SKIP;
		return SEC_USERDATA;
	case SEC_SYSTEM:
		return SEC_SYSITEM;
	case SEC_EVENTDATA:
		if (core_str_eq_lit(name, "Data"))
			return SEC_DATA;
		return SEC_USERDATA;
	case SEC_DATA:
	case SEC_USERDATA:
		return SEC_USERDATA;
	default:
		return SEC_SKIP;
	}
}

struct ecs_map {
	const char *name;
	uint8_t len;		/* strlen(name), known when compiled */
	uint16_t id;
	uint8_t rank;
	uint8_t derive;
};

#define ECS(name, id, rank, derive) \
	{ name, sizeof(name) - 1, id, rank, derive }

/* Windows names that carry an ECS field (docs/formats.md). */
static const struct ecs_map ecs_maps[] = {
	ECS("Computer", CORE_F_HOST_NAME, 0, DERIVE_PLAIN),
	ECS("CommandLine", CORE_F_PROCESS_COMMAND_LINE, 0, DERIVE_PLAIN),
	ECS("CurrentDirectory", CORE_F_PROCESS_WORKING_DIRECTORY, 0,
	    DERIVE_PLAIN),
	ECS("Image", CORE_F_PROCESS_NAME, 0, DERIVE_BASENAME),
	ECS("NewProcessName", CORE_F_PROCESS_NAME, 1, DERIVE_BASENAME),
	ECS("ProcessName", CORE_F_PROCESS_NAME, 2, DERIVE_BASENAME),
	/* Security 4688's ProcessId is the creator's; NewProcessId is its. */
	ECS("NewProcessId", CORE_F_PROCESS_PID, 0, DERIVE_PLAIN),
	ECS("ProcessId", CORE_F_PROCESS_PID, 1, DERIVE_PLAIN),
	ECS("TargetUserName", CORE_F_USER_NAME, 0, DERIVE_PLAIN),
	/*
	 * Sysmon's User is "DOMAIN\name"; Security's TargetUserName is the
	 * name alone: both give the name, so a logon and what the account
	 * then ran are one user.
	 */
	ECS("User", CORE_F_USER_NAME, 1, DERIVE_ACCOUNT),
	ECS("SubjectUserName", CORE_F_USER_NAME, 2, DERIVE_PLAIN),
	ECS("AccountName", CORE_F_USER_NAME, 3, DERIVE_PLAIN),
	/* Sysmon 8 and 10: the account of the process that acts. */
	ECS("SourceUser", CORE_F_USER_NAME, 4, DERIVE_ACCOUNT),
	ECS("IpAddress", CORE_F_SOURCE_IP, 0, DERIVE_IP),
	ECS("SourceIp", CORE_F_SOURCE_IP, 1, DERIVE_IP),
	ECS("SourceAddress", CORE_F_SOURCE_IP, 2, DERIVE_IP),
	ECS("ClientAddress", CORE_F_SOURCE_IP, 3, DERIVE_IP),
	ECS("IpPort", CORE_F_SOURCE_PORT, 0, DERIVE_PLAIN),
	ECS("SourcePort", CORE_F_SOURCE_PORT, 1, DERIVE_PLAIN),
	ECS("WorkstationName", CORE_F_SOURCE_DOMAIN, 0, DERIVE_PLAIN),
	ECS("DestinationIp", CORE_F_DESTINATION_IP, 0, DERIVE_IP),
	ECS("DestAddress", CORE_F_DESTINATION_IP, 1, DERIVE_IP),
	ECS("DestinationPort", CORE_F_DESTINATION_PORT, 0, DERIVE_PLAIN),
	ECS("DestPort", CORE_F_DESTINATION_PORT, 1, DERIVE_PLAIN),
	ECS("TargetFilename", CORE_F_FILE_PATH, 0, DERIVE_PLAIN),
	ECS("QueryName", CORE_F_DNS_QUESTION_NAME, 0, DERIVE_PLAIN),
	ECS("ServiceName", CORE_F_SERVICE_NAME, 0, DERIVE_PLAIN),
	ECS("TargetGroupName", CORE_F_GROUP_NAME, 0, DERIVE_PLAIN),
};

#undef ECS

/* True when name is m's name: lengths first, no strlen(). */
static bool ecs_is(struct core_str name, const struct ecs_map *m)
{
	return name.len == m->len && memcmp(name.p, m->name, m->len) == 0;
}

static void op_name(struct cc *cc, struct op *op, struct core_str name)
{
	op->name = name;
	op->name_hash = core_field_hash(name.p, name.len);
	op->name_id = (uint16_t)core_field_lookup(name.p, name.len);
	op->ecs = CORE_F_NAMED;
	op->is_time = core_str_eq_lit(name, "TimeCreated_SystemTime");
	for (size_t i = 0; i < CORE_ARRAY_LEN(ecs_maps); i++) {
		if (ecs_is(name, &ecs_maps[i])) {
			op->ecs = ecs_maps[i].id;
			op->ecs_rank = ecs_maps[i].rank;
			op->derive = ecs_maps[i].derive;
			break;
		}
	}
	(void)cc;
}

/* "Element_Attribute" in the compile arena. */
static struct core_str joined(struct cc *cc, struct core_str a,
			      struct core_str b)
{
	char *p = core_arena_alloc(cc->arena, a.len + b.len + 2);

	if (p == NULL)
		return CORE_STR_NULL;
	memcpy(p, a.p, a.len);
	p[a.len] = '_';
	memcpy(p + a.len + 1, b.p, b.len);
	p[a.len + 1 + b.len] = '\0';
	return core_str_make(p, a.len + b.len + 1);
}

/* ----------------------------------------------------------- compiling */

static int cfail(struct cc *cc, const char *why)
{
	if (cc->why == NULL)
		cc->why = why;
	return CORE_E_PARSE;
}

static bool cneed(struct cc *cc, size_t n)
{
	return cc->pos <= cc->end && n <= cc->end - cc->pos;
}

/*
 * Reads a name offset at pos and the name it points to; skips the name
 * when it is stored inline, right here.
 */
static int read_name(struct cc *cc, struct core_str *out)
{
	uint32_t off;
	uint16_t n;

	if (!cneed(cc, 4))
		return cfail(cc, "truncated name offset");
	off = le32(cc->c + cc->pos);
	cc->pos += 4;
	if ((size_t)off + 8 > cc->clen)
		return cfail(cc, "name offset out of range");
	n = le16(cc->c + off + 6);
	if ((size_t)off + 8 + 2 * (size_t)n > cc->clen)
		return cfail(cc, "name runs past the chunk");
	*out = utf16(cc->arena, cc->c + off + 8, n);
	if (off == cc->pos) {
		if (!cneed(cc, 8 + 2 * (size_t)n + 2))
			return cfail(cc, "truncated inline name");
		cc->pos += 8 + 2 * (size_t)n + 2;
	}
	return 0;
}

/*
 * Text pieces of one element or attribute, before they become an op;
 * only the first n are ever read, so only n is set at the start.
 */
struct pieces {
	struct part v[MAX_ELEM_PARTS];
	unsigned n;
};

static int piece_add(struct cc *cc, struct pieces *ps, int32_t subst,
		     struct core_str lit)
{
	if (ps->n == MAX_ELEM_PARTS)
		return cfail(cc, "too many text pieces in one element");
	ps->v[ps->n].subst = subst;
	ps->v[ps->n].lit = lit;
	ps->n++;
	return 0;
}

static struct core_str entity(struct core_str name)
{
	static const char *names[][2] = {
		{ "amp", "&" }, { "lt", "<" }, { "gt", ">" },
		{ "quot", "\"" }, { "apos", "'" },
	};

	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++) {
		if (core_str_eq_lit(name, names[i][0]))
			return core_str_make(names[i][1], 1);
	}
	return CORE_STR_NULL;
}

/*
 * One value-ish token at pos (text, substitution, CDATA, character or
 * entity reference) appended to ps.  Returns 1 when consumed, 0 when the
 * token is something else, or CORE_E_PARSE.
 */
static int value_token(struct cc *cc, struct pieces *ps)
{
	uint8_t t = cc->c[cc->pos];
	struct core_str s;
	uint16_t n;
	char *o;

	switch (t & 0xbf) {
	case 0x05:
		if (!cneed(cc, 4))
			return cfail(cc, "truncated text");
		if (cc->c[cc->pos + 1] != 0x01)
			return cfail(cc, "text value that is not a string");
		n = le16(cc->c + cc->pos + 2);
		cc->pos += 4;
		if (!cneed(cc, 2 * (size_t)n))
			return cfail(cc, "truncated text");
		s = utf16(cc->arena, cc->c + cc->pos, n);
		cc->pos += 2 * (size_t)n;
		return piece_add(cc, ps, -1, s) == 0 ? 1 : CORE_E_PARSE;
	case 0x0d:
	case 0x0e:
		if (!cneed(cc, 4))
			return cfail(cc, "truncated substitution");
		n = le16(cc->c + cc->pos + 1);
		cc->pos += 4;
		return piece_add(cc, ps, n, CORE_STR_NULL) == 0 ? 1 :
			CORE_E_PARSE;
	case 0x07:
		if (!cneed(cc, 3))
			return cfail(cc, "truncated CDATA");
		n = le16(cc->c + cc->pos + 1);
		cc->pos += 3;
		if (!cneed(cc, 2 * (size_t)n))
			return cfail(cc, "truncated CDATA");
		s = utf16(cc->arena, cc->c + cc->pos, n);
		cc->pos += 2 * (size_t)n;
		return piece_add(cc, ps, -1, s) == 0 ? 1 : CORE_E_PARSE;
	case 0x08:
		if (!cneed(cc, 3))
			return cfail(cc, "truncated character reference");
		n = le16(cc->c + cc->pos + 1);
		cc->pos += 3;
		o = core_arena_alloc(cc->arena, 4);
		if (o == NULL)
			return cfail(cc, "out of memory");
		s = core_str_make(o, put_utf8(o, n ? n : 0xfffd));
		return piece_add(cc, ps, -1, s) == 0 ? 1 : CORE_E_PARSE;
	case 0x09:
		cc->pos++;
		if (read_name(cc, &s) != 0)
			return CORE_E_PARSE;
		return piece_add(cc, ps, -1, entity(s)) == 0 ? 1 :
			CORE_E_PARSE;
	default:
		return 0;
	}
}

static int emit(struct cc *cc, const struct pieces *ps, struct core_str name,
		int32_t name_subst, enum section sec, bool attr)
{
	struct op *op;

	if (cc->nops == MAX_OPS || cc->nparts + ps->n > MAX_PARTS)
		return cfail(cc, "template too large");
	op = &cc->d->ops[cc->nops++];
	memset(op, 0, sizeof(*op));
	op_name(cc, op, name);
	op->name_subst = name_subst;
	op->sec = (uint8_t)sec;
	op->attr = attr;
	op->join = name_subst < 0 && core_str_eq_lit(name, "Data") &&
		   sec == SEC_DATA;
	op->part0 = cc->nparts;
	op->nparts = ps->n;
	memcpy(&cc->d->parts[cc->nparts], ps->v, ps->n * sizeof(ps->v[0]));
	cc->nparts += ps->n;
	return 0;
}

/*
 * name without its spaces, in arena a ("Threat Name" -> "ThreatName"), as
 * Sigma rules name the EventData items of classic providers; a null
 * string when name has no space (or memory ran out).
 */
static struct core_str squeeze(struct core_arena *a, struct core_str name)
{
	char *o;
	size_t n = 0;

	if (name.len == 0 || memchr(name.p, ' ', name.len) == NULL)
		return CORE_STR_NULL;
	o = core_arena_alloc(a, name.len + 1);
	if (o == NULL)
		return CORE_STR_NULL;
	for (size_t i = 0; i < name.len; i++)
		if (name.p[i] != ' ')
			o[n++] = name.p[i];
	o[n] = '\0';
	return n ? core_str_make(o, n) : CORE_STR_NULL;
}

/* What an element's Name attribute said, for <Data Name="...">. */
struct dname {
	struct core_str lit;
	int32_t subst;
	bool set;
};

static int attribute(struct cc *cc, struct core_str elem, enum section sec,
		     struct dname *dn)
{
	struct pieces ps;
	struct core_str an;
	int rc = 0;

	ps.n = 0;
	cc->pos++;
	if (read_name(cc, &an) != 0)
		return CORE_E_PARSE;
	while (cneed(cc, 1) && (rc = value_token(cc, &ps)) == 1)
		;
	if (!cneed(cc, 1) || rc < 0)
		return cfail(cc, "truncated attribute");
	if (core_str_starts(an, "xmlns"))
		return 0;
	if (sec == SEC_DATA && core_str_eq_lit(an, "Name")) {
		dn->set = true;
		dn->subst = -1;
		if (ps.n == 1 && ps.v[0].subst >= 0)
			dn->subst = ps.v[0].subst;
		else if (ps.n == 1)
			dn->lit = ps.v[0].lit;
		return 0;
	}
	if (sec != SEC_SYSITEM && sec != SEC_USERDATA)
		return 0;
	return emit(cc, &ps, joined(cc, elem, an), -1, sec, true);
}

static int element(struct cc *cc, enum section parent, unsigned depth);

/* Children and text of an element, up to its end token. */
static int content(struct cc *cc, enum section sec, unsigned depth,
		   struct pieces *ps)
{
	int rc;

	for (;;) {
		uint8_t t;

		if (!cneed(cc, 1))
			return cfail(cc, "element not closed");
		t = cc->c[cc->pos];
		if (t == 0x04) {
			cc->pos++;
			return 0;
		}
		if ((t & 0xbf) == 0x01) {
			rc = element(cc, sec, depth + 1);
		} else if (t == 0x0a || t == 0x0b) {
			struct core_str pi;

			cc->pos++;
			if (t == 0x0a) {
				rc = read_name(cc, &pi);
			} else if (!cneed(cc, 2)) {
				rc = cfail(cc, "truncated PI data");
			} else {
				cc->pos += 2 + 2 * (size_t)le16(cc->c +
							       cc->pos);
				rc = cc->pos <= cc->end ? 0 :
					cfail(cc, "truncated PI data");
			}
		} else {
			rc = value_token(cc, ps);
			if (rc == 0)
				return cfail(cc, "unexpected token in element");
			rc = rc == 1 ? 0 : rc;
		}
		if (rc != 0)
			return rc;
	}
}

/* How the text of an element in sec, named name, becomes a field. */
static int element_text(struct cc *cc, enum section sec, struct core_str name,
			const struct dname *dn, const struct pieces *ps,
			bool empty)
{
	if (sec == SEC_DATA) {
		struct core_str sq = CORE_STR_NULL;
		int rc;

		if (dn->set && dn->subst >= 0)
			return emit(cc, ps, CORE_STR_NULL, dn->subst, sec,
				    false);
		rc = emit(cc, ps, dn->set ? dn->lit : CORE_STR("Data"), -1,
			  sec, false);
		if (dn->set)
			sq = squeeze(cc->arena, dn->lit);
		/* Also under the name without spaces (Sigma's form). */
		if (rc == 0 && sq.len)
			rc = emit(cc, ps, sq, -1, sec, false);
		return rc;
	}
	if (empty || ps->n == 0)
		return 0;
	if (sec == SEC_SYSITEM || sec == SEC_USERDATA)
		return emit(cc, ps, name, -1, sec, false);
	/* Text elsewhere is dropped, but a BinXml value still runs. */
	return emit(cc, ps, CORE_STR_NULL, -1, sec, false);
}

static int element(struct cc *cc, enum section parent, unsigned depth)
{
	struct pieces ps;
	struct dname dn = { .set = false, .subst = -1 };
	struct core_str name;
	enum section sec;
	uint8_t t = cc->c[cc->pos];
	int rc = 0;

	ps.n = 0;
	if (depth > MAX_DEPTH)
		return cfail(cc, "elements nested too deep");
	if (!cneed(cc, 7))
		return cfail(cc, "truncated element");
	cc->pos += 7;
	if (read_name(cc, &name) != 0)
		return CORE_E_PARSE;
	if (t & 0x40) {
		if (!cneed(cc, 4))
			return cfail(cc, "truncated attribute list");
		cc->pos += 4;
	}
	sec = sec_child(parent, name);
	while (rc == 0 && cneed(cc, 1) && (cc->c[cc->pos] & 0xbf) == 0x06)
		rc = attribute(cc, name, sec, &dn);
	if (rc != 0)
		return rc;
	if (!cneed(cc, 1))
		return cfail(cc, "truncated element");
	if (cc->c[cc->pos] == 0x03) {
		cc->pos++;
		return element_text(cc, sec, name, &dn, &ps, true);
	}
	if (cc->c[cc->pos] != 0x02)
		return cfail(cc, "bad token after element start");
	cc->pos++;
	rc = content(cc, sec, depth, &ps);
	if (rc != 0)
		return rc;
	return element_text(cc, sec, name, &dn, &ps, false);
}

/* Skips fragment headers; true when one or more were there. */
static void skip_headers(struct cc *cc)
{
	while (cneed(cc, 4) && cc->c[cc->pos] == 0x0f)
		cc->pos += 4;
}

/*
 * Compiles the elements in [pos, end) into a template in the arena; on
 * failure NULL, with why and at (the chunk offset it stopped at) set.
 */
static struct tmpl *compile(struct parse_evtx *d, struct core_arena *arena,
			    const uint8_t *c, size_t clen, size_t pos,
			    size_t end, enum section sec, const char **why,
			    size_t *at)
{
	struct cc cc = { .d = d, .arena = arena, .c = c, .clen = clen,
			 .pos = pos, .end = end };
	struct tmpl *t;
	int rc = 0;

	skip_headers(&cc);
	while (rc == 0 && cneed(&cc, 1) && cc.c[cc.pos] != 0x00) {
		if ((cc.c[cc.pos] & 0xbf) != 0x01) {
			rc = cfail(&cc, "expected an element");
			break;
		}
		rc = element(&cc, sec, 0);
	}
	t = core_arena_alloc(arena, sizeof(*t));
	if (rc == 0 && t != NULL) {
		t->ops = core_arena_alloc(arena, cc.nops * sizeof(*t->ops) +
					  1);
		t->parts = core_arena_alloc(arena,
					    cc.nparts * sizeof(*t->parts) + 1);
		if (t->ops == NULL || t->parts == NULL)
			t = NULL;
	}
	if (rc != 0 || t == NULL) {
		*why = cc.why ? cc.why : "out of memory";
		*at = cc.pos;
		return NULL;
	}
	memcpy(t->ops, d->ops, cc.nops * sizeof(*t->ops));
	memcpy(t->parts, d->parts, cc.nparts * sizeof(*t->parts));
	t->nops = cc.nops;
	t->sec = (uint8_t)sec;
	return t;
}

/* The compiled template defined at off, from the cache or compiled now. */
static struct tmpl *tmpl_get(struct run *r, uint32_t off, enum section sec)
{
	struct parse_evtx *d = r->d;
	uint32_t h = (off * 2654435761u ^ (uint32_t)sec) & (CACHE_SLOTS - 1);
	struct tmpl *t;
	uint32_t size;

	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		t = d->cache[(h + i) & (CACHE_SLOTS - 1)];
		if (t == NULL)
			break;
		if (t->off == off && t->sec == sec)
			return t;
	}
	r->why_at = off;
	if ((size_t)off + 24 > r->clen) {
		r->why = "template offset out of range";
		return NULL;
	}
	size = le32(r->c + off + 20);
	if (size > r->clen - off - 24) {
		r->why = "template runs past the chunk";
		return NULL;
	}
	t = compile(d, d->arena, r->c, r->clen, off + 24, off + 24 + size,
		    sec, &r->why, &r->why_at);
	if (t == NULL)
		return NULL;
	t->off = off;
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		struct tmpl **slot = &d->cache[(h + i) & (CACHE_SLOTS - 1)];

		if (*slot == NULL) {
			*slot = t;
			break;
		}
	}
	return t;
}

/* ----------------------------------------------------------- rendering */

/* The decimal digits of v before end, two a step; returns the first. */
static char *u64_dec(char *end, uint64_t v)
{
	static const char d2[] =
		"00010203040506070809" "10111213141516171819"
		"20212223242526272829" "30313233343536373839"
		"40414243444546474849" "50515253545556575859"
		"60616263646566676869" "70717273747576777879"
		"80818283848586878889" "90919293949596979899";

	for (; v >= 100; v /= 100) {
		end -= 2;
		memcpy(end, d2 + 2 * (v % 100), 2);
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, d2 + 2 * v, 2);
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}

/*
 * How many decimal digits v has.  A number of b bits has about
 * b * log10(2) digits, 1233 / 4096 being log10(2) a little short; one
 * comparison with the power of ten settles it.  v | 1 has the digits
 * of v (no power of ten is odd but 1) and is never 0.
 */
static unsigned dec_len(uint64_t v)
{
	static const uint64_t p10[20] = {
		1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL,
		1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
		10000000000ULL, 100000000000ULL, 1000000000000ULL,
		10000000000000ULL, 100000000000000ULL,
		1000000000000000ULL, 10000000000000000ULL,
		100000000000000000ULL, 1000000000000000000ULL,
		10000000000000000000ULL,
	};
	uint64_t x = v | 1;
	unsigned t = (unsigned)(64 - __builtin_clzll(x)) * 1233 >> 12;

	return t + (x >= p10[t]);
}

/* Written straight into the arena: as long as a copy would be. */
static struct core_str num_str(struct core_arena *a, uint64_t v, bool neg)
{
	size_t len = dec_len(v) + neg;
	char *o = core_arena_alloc(a, len + 1);

	if (o == NULL)
		return CORE_STR_NULL;
	o[len] = '\0';
	if (neg)
		o[0] = '-';
	u64_dec(o + len, v);
	return core_str_make(o, len);
}

/*
 * HexInt32/HexInt64 as Windows renders them, without leading zeros
 * ("0x3e7", "0x2"): the form Sigma rules compare with (LogonId '0x3e7',
 * AccessMask '0x2'); libevtx pads to the type's width instead.
 */
static struct core_str hex_str(struct core_arena *a, uint64_t v)
{
	static const char hx[] = "0123456789abcdef";
	/* "0x" and a digit per four bits, the highest set one included. */
	size_t len = 2 + (size_t)(67 - __builtin_clzll(v | 1)) / 4;
	char *o = core_arena_alloc(a, len + 1), *b;

	if (o == NULL)
		return CORE_STR_NULL;
	b = o + len;
	*b = '\0';
	do {
		*--b = hx[v & 0xf];
		v >>= 4;
	} while (v);
	o[0] = '0';
	o[1] = 'x';
	return core_str_make(o, len);
}

static struct core_str bin_str(struct core_arena *a, const uint8_t *p,
			       size_t n)
{
	static const char hx[] = "0123456789ABCDEF";
	char *o = core_arena_alloc(a, 2 * n + 1);

	if (o == NULL)
		return CORE_STR_NULL;
	for (size_t i = 0; i < n; i++) {
		o[2 * i] = hx[p[i] >> 4];
		o[2 * i + 1] = hx[p[i] & 0xf];
	}
	o[2 * n] = '\0';
	return core_str_make(o, 2 * n);
}

/* v in decimal, zero-padded to at least width digits; returns the end. */
static char *put_dec(char *w, uint64_t v, unsigned width)
{
	unsigned n = dec_len(v);
	char *b;

	if (n < width)
		n = width;
	b = u64_dec(w + n, v);
	while (b > w)
		*--b = '0';
	return w + n;
}

/* Two upper-case hex digits of b; returns the end. */
static char *put_byte(char *w, uint8_t b)
{
	static const char hx[] = "0123456789ABCDEF";

	w[0] = hx[b >> 4];
	w[1] = hx[b & 0xf];
	return w + 2;
}

/*
 * "{0A1B2C3D-...}": the first three parts are little-endian numbers,
 * shown high byte first; the last two show the bytes as they are.
 */
static struct core_str guid_str(struct core_arena *a, const uint8_t *p)
{
	char *o = core_arena_alloc(a, 40), *w = o;

	if (o == NULL)
		return CORE_STR_NULL;
	*w++ = '{';
	w = put_byte(w, p[3]);
	w = put_byte(w, p[2]);
	w = put_byte(w, p[1]);
	w = put_byte(w, p[0]);
	*w++ = '-';
	w = put_byte(w, p[5]);
	w = put_byte(w, p[4]);
	*w++ = '-';
	w = put_byte(w, p[7]);
	w = put_byte(w, p[6]);
	*w++ = '-';
	w = put_byte(w, p[8]);
	w = put_byte(w, p[9]);
	*w++ = '-';
	for (int i = 10; i < 16; i++)
		w = put_byte(w, p[i]);
	*w++ = '}';
	*w = '\0';
	return core_str_make(o, (size_t)(w - o));
}

static struct core_str sid_str(struct core_arena *a, const uint8_t *p,
			       size_t n)
{
	uint64_t auth = 0;
	unsigned cnt;
	char *o, *w;

	if (n < 8)
		return bin_str(a, p, n);
	cnt = p[1];
	if (8 + 4 * (size_t)cnt > n)
		return bin_str(a, p, n);
	for (int i = 2; i < 8; i++)
		auth = auth << 8 | p[i];
	o = core_arena_alloc(a, 32 + 11 * (size_t)cnt);
	if (o == NULL)
		return CORE_STR_NULL;
	w = o;
	*w++ = 'S';
	*w++ = '-';
	w = put_dec(w, p[0], 1);
	*w++ = '-';
	w = put_dec(w, auth, 1);
	for (unsigned i = 0; i < cnt; i++) {
		*w++ = '-';
		w = put_dec(w, le32(p + 8 + 4 * i), 1);
	}
	*w = '\0';
	return core_str_make(o, (size_t)(w - o));
}

/*
 * "YYYY-MM-DDThh:mm:ss.fffZ" into o (48 bytes), each part padded as
 * printf's %02u would pad it, with frac_digits digits of fraction.
 */
static struct core_str iso_str(char *o, uint64_t y, unsigned mo, unsigned d,
			       unsigned h, unsigned mi, unsigned s,
			       uint64_t frac, unsigned frac_digits)
{
	char *w = put_dec(o, y, 4);

	*w++ = '-';
	w = put_dec(w, mo, 2);
	*w++ = '-';
	w = put_dec(w, d, 2);
	*w++ = 'T';
	w = put_dec(w, h, 2);
	*w++ = ':';
	w = put_dec(w, mi, 2);
	*w++ = ':';
	w = put_dec(w, s, 2);
	*w++ = '.';
	w = put_dec(w, frac, frac_digits);
	*w++ = 'Z';
	*w = '\0';
	return core_str_make(o, (size_t)(w - o));
}

/* FILETIME as "2019-08-14T14:06:44.4956748Z"; sets *us. */
static struct core_str filetime_str(struct core_arena *a, uint64_t ft,
				    int64_t *us)
{
	int64_t secs = (int64_t)(ft / 10000000) - FILETIME_EPOCH_DIFF;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rem = secs - days * 86400, z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = (int64_t)yoe + era * 400 + (m <= 2);
	char *o = core_arena_alloc(a, 48);

	*us = (int64_t)(ft / 10) - FILETIME_EPOCH_DIFF * 1000000;
	if (o == NULL)
		return CORE_STR_NULL;
	return iso_str(o, (uint64_t)y, m, d, (unsigned)(rem / 3600),
		       (unsigned)(rem / 60 % 60), (unsigned)(rem % 60),
		       ft % 10000000, 7);
}

/* SYSTEMTIME: eight 16-bit fields, the day of the week (p + 4) unused. */
static struct core_str systime_str(struct core_arena *a, const uint8_t *p)
{
	char *o = core_arena_alloc(a, 48);

	if (o == NULL)
		return CORE_STR_NULL;
	return iso_str(o, le16(p), le16(p + 2), le16(p + 6), le16(p + 8),
		       le16(p + 10), le16(p + 12), le16(p + 14), 3);
}

/* Latin-1 (windows-1252's printable subset) bytes to UTF-8. */
static struct core_str ansi_str(struct core_arena *a, const uint8_t *p,
				size_t n)
{
	char *o = core_arena_alloc(a, 2 * n + 1), *w = o;

	if (o == NULL)
		return CORE_STR_NULL;
	for (size_t i = 0; i < n && p[i]; i++)
		w += put_utf8(w, p[i]);
	*w = '\0';
	return core_str_make(o, (size_t)(w - o));
}

static int64_t sext(uint64_t v, unsigned bytes)
{
	unsigned shift = 64 - 8 * bytes;

	return (int64_t)(v << shift) >> shift;
}

/*
 * The first n bytes at p as a little-endian number, of which only the
 * first eight count (a GUID or a SYSTEMTIME: sixteen).  The widths
 * type_width() gives are read in one go.
 */
static uint64_t le_n(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	switch (n) {
	case 1:
		return p[0];
	case 2:
		return le16(p);
	case 4:
		return le32(p);
	default:
		break;
	}
	if (n >= 8)
		return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* Width of a fixed-size type, 0 for variable ones. */
static unsigned type_width(uint8_t type, uint32_t size)
{
	static const uint8_t w[0x16] = {
		[0x03] = 1, [0x04] = 1, [0x05] = 2, [0x06] = 2, [0x07] = 4,
		[0x08] = 4, [0x09] = 8, [0x0a] = 8, [0x0b] = 4, [0x0c] = 8,
		[0x0d] = 4, [0x0f] = 16, [0x11] = 8, [0x12] = 16, [0x14] = 4,
		[0x15] = 8,
	};

	if (type == 0x10)
		return size == 4 ? 4 : 8;
	return type < CORE_ARRAY_LEN(w) ? w[type] : 0;
}

/* One scalar of a fixed-width type. */
static struct core_str scalar(struct run *r, uint8_t type, const uint8_t *p,
			      unsigned w, bool is_time)
{
	struct core_arena *a = r->ev->arena;
	uint64_t v = le_n(p, w);
	int64_t us, sv;
	double f;
	char tmp[40];
	int n;

	switch (type) {
	case 0x03: case 0x05: case 0x07: case 0x09:
		sv = sext(v, w);
		return num_str(a, sv < 0 ? 0 - (uint64_t)sv : (uint64_t)sv,
			       sv < 0);
	case 0x04: case 0x06: case 0x08: case 0x0a:
		return num_str(a, v, false);
	case 0x0b:
	case 0x0c:
		if (w == 4) {
			float f4;
			uint32_t v4 = (uint32_t)v;

			memcpy(&f4, &v4, 4);
			f = f4;
		} else {
			memcpy(&f, &v, 8);
		}
		n = snprintf(tmp, sizeof(tmp), "%.9g", f);
		return core_arena_strdup(a, tmp, (size_t)n);
	case 0x0d:
		return v ? CORE_STR("true") : CORE_STR("false");
	case 0x0f:
		return guid_str(a, p);
	case 0x10:
	case 0x14:
	case 0x15:
		return hex_str(a, v);
	case 0x11: {
		struct core_str s = filetime_str(a, v, &us);

		if (is_time) {
			r->ev->ts = us;
			r->d->have_ts = true;
		}
		return s;
	}
	case 0x12:
		return systime_str(a, p);
	default:
		return bin_str(a, p, w);
	}
}

/* The element of an array value at *i, as text; *i moves past it. */
static struct core_str array_elem(struct run *r, const struct value *v,
				  size_t *i)
{
	uint8_t base = v->type & 0x7f;
	unsigned w = type_width(base, 8);
	size_t j = *i;
	struct core_str s;

	if (base == 0x01) {
		while (j + 1 < v->size && le16(v->p + j))
			j += 2;
		s = utf16(r->ev->arena, v->p + *i, (j - *i) / 2);
		*i = j + 2;
	} else if (base == 0x02) {
		while (j < v->size && v->p[j])
			j++;
		s = ansi_str(r->ev->arena, v->p + *i, j - *i);
		*i = j + 1;
	} else if (w && *i + w <= v->size) {
		s = scalar(r, base, v->p + *i, w, false);
		*i += w;
	} else {
		s = bin_str(r->ev->arena, v->p + *i, v->size - *i);
		*i = v->size;
	}
	return s;
}

/* Joins the elements of an array value with ", ". */
static struct core_str array_str(struct run *r, const struct value *v)
{
	struct core_buf b;
	struct core_str s, out;
	size_t i = 0, k = 0;

	core_buf_init(&b, 1 << 20);
	while (i < v->size) {
		s = array_elem(r, v, &i);
		if (k++)
			core_buf_add(&b, ", ", 2);
		core_buf_add(&b, s.p, s.len);
	}
	out = core_arena_strdup(r->ev->arena, b.p ? b.p : "", b.len);
	core_buf_free(&b);
	return out;
}

/* A value as text (BinXml values are run by the caller, not here). */
static struct core_str render(struct run *r, const struct value *v,
			      bool is_time)
{
	struct core_arena *a = r->ev->arena;
	unsigned w;

	if (v->type & 0x80)
		return array_str(r, v);
	switch (v->type) {
	case 0x00:
		return CORE_STR_NULL;
	case 0x01:
		return utf16(a, v->p, v->size / 2);
	case 0x02:
		return ansi_str(a, v->p, v->size);
	case 0x0e:
		return bin_str(a, v->p, v->size);
	case 0x13:
		return sid_str(a, v->p, v->size);
	default:
		break;
	}
	w = type_width(v->type, v->size);
	if (w == 0 || v->size < w)
		return bin_str(a, v->p, v->size);
	return scalar(r, v->type, v->p, w, is_time);
}

/* -------------------------------------------------------------- running */

static int run_fragment(struct run *r, size_t pos, size_t end,
			enum section sec, unsigned nest);

static const char *basename_of(struct core_str s, size_t *len)
{
	size_t i = s.len;

	while (i > 0 && s.p[i - 1] != '\\' && s.p[i - 1] != '/')
		i--;
	*len = s.len - i;
	return s.p + i;
}

struct core_str parse_windows_account(struct core_str s)
{
	size_t i = s.len;

	while (i > 0 && s.p[i - 1] != '\\')
		i--;
	if (i == s.len)		/* "DOMAIN\" names no account: keep it */
		return s;
	return core_str_make(s.p + i, s.len - i);
}

/*
 * An IPv4-mapped IPv6 address ("::ffff:203.0.113.5", as Windows writes
 * the clients of dual-stack services) as the IPv4 address it carries,
 * so that it is the same entity as in other logs.
 */
static struct core_str unmapped(struct core_str v)
{
	static const char pre[] = "::ffff:";
	const size_t np = sizeof(pre) - 1;

	if (v.len > np && strncasecmp(v.p, pre, np) == 0 &&
	    memchr(v.p + np, '.', v.len - np) != NULL)
		return core_str_make(v.p + np, v.len - np);
	return v;
}

/*
 * True for a value Windows writes for "none": empty, or "-" (a logon
 * without a workstation, a subject that is no account).  Such values
 * fill no ECS field, so that "-" never becomes a user or a host.
 */
static bool windows_none(struct core_str v)
{
	return v.len == 0 || (v.len == 1 && v.p[0] == '-');
}

static void set_ecs(struct run *r, const struct op *op, struct core_str v)
{
	struct core_ip ip;
	size_t n;
	const char *p;

	if (op->ecs >= CORE_F__COUNT || windows_none(v) ||
	    r->d->rank[op->ecs] <= op->ecs_rank)
		return;
	if (op->derive == DERIVE_IP && !core_ip_parse(v.p, v.len, &ip))
		return;
	r->d->rank[op->ecs] = op->ecs_rank;
	if (op->derive == DERIVE_IP)
		v = unmapped(v);
	if (op->derive == DERIVE_ACCOUNT)
		v = parse_windows_account(v);
	if (op->derive == DERIVE_BASENAME) {
		p = basename_of(v, &n);
		core_event_set(r->ev, op->ecs, p, n);
		return;
	}
	core_event_set_str(r->ev, op->ecs, v);
}

/* Unnamed Data items: each one after the first joins with a newline. */
static void set_joined(struct run *r, struct core_str name,
		       struct core_str v)
{
	const struct core_str *old = core_event_get_named(r->ev, name.p,
							  name.len);
	char *p;

	if (old == NULL || old->len == 0) {
		core_event_set_named(r->ev, name.p, name.len, v.p, v.len);
		return;
	}
	p = core_arena_alloc(r->ev->arena, old->len + v.len + 1);
	if (p == NULL)
		return;
	memcpy(p, old->p, old->len);
	p[old->len] = '\n';
	memcpy(p + old->len + 1, v.p, v.len);
	core_event_set_named(r->ev, name.p, name.len, p, old->len + v.len + 1);
}

static const struct value NULL_VALUE = { NULL, 0, 0 };

static const struct value *val_at(const struct value *vals, uint32_t nvals,
				  int32_t i)
{
	return i >= 0 && (uint32_t)i < nvals ? &vals[i] : &NULL_VALUE;
}

static int run_op(struct run *r, const struct tmpl *t, const struct op *op,
		  const struct value *vals, uint32_t nvals, unsigned nest)
{
	const struct part *pt = &t->parts[op->part0];
	struct core_str name = op->name, v = CORE_STR_NULL;
	struct core_buf b;
	bool any = op->nparts == 0;

	/*
	 * An array in an unnamed Data item: Windows renders one item per
	 * element (<Data>a</Data><Data>b</Data>), so each joins the items
	 * as a separate one would.
	 */
	if (op->join && op->nparts == 1 && pt[0].subst >= 0) {
		const struct value *x = val_at(vals, nvals, pt[0].subst);

		if ((x->type & 0x80) && x->size > 0) {
			for (size_t i = 0; i < x->size;)
				set_joined(r, name, array_elem(r, x, &i));
			return 0;
		}
	}

	/* Only text of several pieces is joined in a buffer. */
	if (op->nparts > 1)
		core_buf_init(&b, 1 << 20);
	for (uint32_t i = 0; i < op->nparts; i++) {
		const struct value *x = val_at(vals, nvals, pt[i].subst);
		struct core_str s = pt[i].lit;

		if (pt[i].subst >= 0 && x->type == 0x21) {
			int rc = run_fragment(r, (size_t)(x->p - r->c),
					      (size_t)(x->p - r->c) + x->size,
					      (enum section)op->sec, nest + 1);

			if (rc != 0) {
				if (op->nparts > 1)
					core_buf_free(&b);
				return rc;
			}
			continue;
		}
		if (pt[i].subst >= 0) {
			if (x->type == 0 || x->size == 0)
				continue;
			s = render(r, x, op->is_time);
		}
		any = true;
		if (op->nparts == 1)
			v = s;
		else
			core_buf_add(&b, s.p, s.len);
	}
	if (op->nparts > 1) {
		if (any)
			v = core_arena_strdup(r->ev->arena, b.p ? b.p : "",
					      b.len);
		core_buf_free(&b);
	}

	if (op->name_subst >= 0)
		name = render(r, val_at(vals, nvals, op->name_subst), false);
	if (name.len == 0 || (!any && op->attr))
		return 0;
	if (v.p == NULL)
		v = CORE_STR("");
	if (op->join) {
		set_joined(r, name, v);
	} else if (op->name_subst < 0) {
		/* The template's own name: hashed once, when compiled. */
		core_event_set_named_h(r->ev, name.p, name.len, op->name_hash,
				       (enum core_field_id)op->name_id, v.p,
				       v.len);
	} else {
		core_event_set_named(r->ev, name.p, name.len, v.p, v.len);
		name = squeeze(r->ev->arena, name);
		if (name.len)
			core_event_set_named(r->ev, name.p, name.len, v.p,
					     v.len);
	}
	set_ecs(r, op, v);
	return 0;
}

static int run_tmpl(struct run *r, const struct tmpl *t,
		    const struct value *vals, uint32_t nvals, unsigned nest)
{
	for (uint32_t i = 0; i < t->nops; i++) {
		int rc = run_op(r, t, &t->ops[i], vals, nvals, nest);

		if (rc != 0)
			return rc;
	}
	return 0;
}

static int rfail(struct run *r, size_t at, const char *why)
{
	if (r->why == NULL) {
		r->why = why;
		r->why_at = at;
	}
	return CORE_E_PARSE;
}

/* A template instance at pos: its template and its values. */
static int run_instance(struct run *r, size_t pos, size_t end,
			enum section sec, unsigned nest, size_t *next)
{
	uint32_t def, nvals;
	struct value *vals;
	const uint8_t *desc, *data;
	const struct tmpl *t;

	if (pos + 10 > end)
		return rfail(r, pos, "truncated template instance");
	def = le32(r->c + pos + 6);
	pos += 10;
	if (def == pos) {
		if (pos + 24 > end ||
		    le32(r->c + pos + 20) > end - pos - 24)
			return rfail(r, pos, "truncated template definition");
		pos += 24 + le32(r->c + pos + 20);
	}
	t = tmpl_get(r, def, sec);
	if (t == NULL)
		return rfail(r, def, r->why ? r->why : "bad template");
	if (pos + 4 > end)
		return rfail(r, pos, "truncated value count");
	nvals = le32(r->c + pos);
	pos += 4;
	if (nvals > MAX_VALUES || (size_t)nvals * 4 > end - pos)
		return rfail(r, pos, "value count out of range");
	desc = r->c + pos;
	data = desc + 4 * (size_t)nvals;
	vals = core_arena_alloc(r->ev->arena, (nvals + 1) * sizeof(*vals));
	if (vals == NULL)
		return rfail(r, pos, "out of memory");
	for (uint32_t i = 0; i < nvals; i++) {
		uint16_t size = le16(desc + 4 * i);

		if ((size_t)size > (size_t)(r->c + end - data))
			return rfail(r, pos, "value runs past the record");
		vals[i].p = data;
		vals[i].size = size;
		vals[i].type = desc[4 * i + 2];
		data += size;
	}
	*next = (size_t)(data - r->c);
	return run_tmpl(r, t, vals, nvals, nest);
}

/*
 * Runs the fragment in [pos, end): a template instance (the usual case)
 * or bare elements, compiled for this record only.
 */
static int run_fragment(struct run *r, size_t pos, size_t end,
			enum section sec, unsigned nest)
{
	const char *why = NULL;
	size_t at = pos;
	struct tmpl *t;

	if (nest > MAX_NEST)
		return rfail(r, pos, "BinXml values nested too deep");
	while (pos + 4 <= end && r->c[pos] == 0x0f)
		pos += 4;
	if (pos >= end)
		return rfail(r, pos, "empty fragment");
	if (r->c[pos] == 0x0c) {
		size_t next = pos;

		return run_instance(r, pos, end, sec, nest, &next);
	}
	t = compile(r->d, r->ev->arena, r->c, r->clen, pos, end, sec, &why,
		    &at);
	if (t == NULL)
		return rfail(r, at, why);
	return run_tmpl(r, t, NULL, 0, nest);
}

/* A process id (Security writes them in hex) and the host, as a key. */
static uint64_t proc_key(const struct core_event *ev, const char *field,
			 size_t flen)
{
	const struct core_str *pid = core_event_get_named(ev, field, flen);
	const struct core_str *host = core_event_get_named(ev, "Computer", 8);
	char tmp[24];
	uint64_t n, k;
	char *end;

	if (pid == NULL || pid->len == 0 || pid->len >= sizeof(tmp))
		return 0;
	memcpy(tmp, pid->p, pid->len);
	tmp[pid->len] = '\0';
	n = strtoull(tmp, &end, 0);
	if (*end != '\0')
		return 0;
	k = core_hash(&n, sizeof(n), host ? core_hash(host->p, host->len, 0) :
		      0);
	return k ? k : 1;
}

void parse_evtx_track(struct parse_evtx *d, struct core_event *ev)
{
	const struct core_str *eid = core_event_get_named(ev, "EventID", 7);
	const struct core_str *ch, *img;
	struct proc_seen *ps;
	uint64_t k;

	if (eid == NULL || !core_str_eq_lit(*eid, "4688"))
		return;
	ch = core_event_get_named(ev, "Channel", 7);
	if (ch == NULL || !core_str_eq_lit(*ch, "Security"))
		return;
	if (d->proc == NULL) {
		d->proc = calloc(PROC_SLOTS, sizeof(*d->proc));
		if (d->proc == NULL)
			return;
	}
	k = proc_key(ev, "ProcessId", 9);
	ps = &d->proc[k & (PROC_SLOTS - 1)];
	if (k && ps->key == k &&
	    !core_event_get_named(ev, "ParentProcessName", 17) &&
	    !core_event_get_named(ev, "ParentImage", 11))
		core_event_set_named(ev, "ParentImage", 11,
				     core_arena_strdup(ev->arena, ps->image,
						       ps->len).p, ps->len);
	k = proc_key(ev, "NewProcessId", 12);
	img = core_event_get_named(ev, "NewProcessName", 14);
	if (k == 0 || img == NULL || img->len == 0 ||
	    img->len > PROC_IMAGE_MAX)
		return;
	ps = &d->proc[k & (PROC_SLOTS - 1)];
	ps->key = k;
	ps->len = (uint16_t)img->len;
	memcpy(ps->image, img->p, img->len);
}

/* Swaps the values of ECS fields a and b; false unless both are set. */
static bool swap_fields(struct core_event *ev, enum core_field_id a,
			enum core_field_id b)
{
	const struct core_str *va = core_event_get(ev, a);
	const struct core_str *vb = core_event_get(ev, b);
	struct core_str sa, sb;

	if (va == NULL || vb == NULL)
		return false;
	sa = *va;
	sb = *vb;
	core_event_set_str(ev, a, sb);
	core_event_set_str(ev, b, sa);
	return true;
}

/*
 * Sysmon's network connection (3) calls the local end Source and the
 * remote one Destination whichever way the connection went, and the
 * Windows Filtering Platform (5152, 5156, 5157) does the same for
 * inbound traffic.  In ECS the source is the side that opened the
 * connection: for an inbound one, the remote peer.  So source.ip and
 * destination.ip (and the ports) are swapped for inbound connections,
 * and an incident's source is the peer that connected, not this host;
 * the record's own SourceIp ... fields stay as written.
 */
static void connection_direction(struct core_event *ev)
{
	const struct core_str *eid = core_event_get_named(ev, "EventID", 7);
	const struct core_str *ch = core_event_get_named(ev, "Channel", 7);
	const struct core_str *v;
	bool inbound = false;

	if (eid == NULL || ch == NULL)
		return;
	if (core_str_eq_lit(*eid, "3") &&
	    core_str_eq_lit(*ch, "Microsoft-Windows-Sysmon/Operational")) {
		v = core_event_get_named(ev, "Initiated", 9);
		inbound = v && core_str_eq_lit(*v, "false");
	} else if ((core_str_eq_lit(*eid, "5152") ||
		    core_str_eq_lit(*eid, "5156") ||
		    core_str_eq_lit(*eid, "5157")) &&
		   core_str_eq_lit(*ch, "Security")) {
		v = core_event_get_named(ev, "Direction", 9);
		inbound = v && (core_str_eq_lit(*v, "%%14592") ||
				core_str_eq_lit(*v, "Inbound"));
	}
	/* The ports follow their addresses, never alone. */
	if (inbound && swap_fields(ev, CORE_F_SOURCE_IP, CORE_F_DESTINATION_IP))
		swap_fields(ev, CORE_F_SOURCE_PORT, CORE_F_DESTINATION_PORT);
}

/* True when the id is one of ids, a list of four-digit strings. */
static bool eid_is(struct core_str eid, const char (*ids)[5], size_t n)
{
	if (eid.len != 4)
		return false;
	for (size_t i = 0; i < n; i++)
		if (memcmp(eid.p, ids[i], 4) == 0)
			return true;
	return false;
}

/*
 * Security's account management events name the account that acted
 * Subject... and the one acted on Target...; a group's membership events
 * put the group in TargetUserName and the member in MemberName or
 * MemberSid.  In ECS the actor is user.name, the account acted on
 * user.target.name and the group group.name: without this, 4732 (a
 * member added to Administrators) made "Administrators" the user, and
 * the account that did it was nowhere.  Logons (4624 ...) and Kerberos
 * (4768 ...) keep TargetUserName, there the account that logs on.
 */
static void account_roles(struct core_event *ev)
{
	static const char accounts[][5] = {
		"4720", "4722", "4723", "4724", "4725", "4726", "4738",
		"4765", "4766", "4767", "4781", "4794", "4798",
	};
	static const char groups[][5] = {
		"4727", "4728", "4729", "4730", "4731", "4732", "4733",
		"4734", "4735", "4737", "4744", "4745", "4746", "4747",
		"4748", "4749", "4750", "4751", "4752", "4753", "4754",
		"4755", "4756", "4757", "4758", "4759", "4760", "4761",
		"4762", "4763", "4764", "4799",
	};
	const struct core_str *eid = core_event_get_named(ev, "EventID", 7);
	const struct core_str *ch = core_event_get_named(ev, "Channel", 7);
	const struct core_str *subj, *tgt, *m;
	bool group;

	if (eid == NULL || ch == NULL || !core_str_eq_lit(*ch, "Security"))
		return;
	group = eid_is(*eid, groups, CORE_ARRAY_LEN(groups));
	if (!group && !eid_is(*eid, accounts, CORE_ARRAY_LEN(accounts)))
		return;
	subj = core_event_get_named(ev, "SubjectUserName", 15);
	tgt = core_event_get_named(ev, "TargetUserName", 14);
	if (subj && !windows_none(*subj))
		core_event_set_str(ev, CORE_F_USER_NAME, *subj);
	if (!group) {
		if (tgt && !windows_none(*tgt))
			core_event_set_str(ev, CORE_F_USER_TARGET_NAME, *tgt);
		return;
	}
	if (tgt && !windows_none(*tgt))
		core_event_set_str(ev, CORE_F_GROUP_NAME, *tgt);
	m = core_event_get_named(ev, "MemberName", 10);
	if (m == NULL || windows_none(*m))
		m = core_event_get_named(ev, "MemberSid", 9);
	if (m && !windows_none(*m))
		core_event_set_str(ev, CORE_F_USER_TARGET_NAME, *m);
}

/* Is ev a Security 4688 (a process created) with an arena to write to? */
static bool is_4688(const struct core_event *ev)
{
	const struct core_str *eid = core_event_get_named(ev, "EventID", 7);
	const struct core_str *ch = core_event_get_named(ev, "Channel", 7);

	return ev->arena != NULL && eid != NULL && ch != NULL &&
	       core_str_eq_lit(*eid, "4688") &&
	       core_str_eq_lit(*ch, "Security");
}

/*
 * Security 4688 names a program run from a network share by its device
 * path, "\Device\Mup\server\share\a.exe"; Sysmon and the rules that
 * look for such programs (Image|startswith: '\\') write it
 * "\\server\share\a.exe".  Such a 4688 gets Image and ParentImage in
 * that form (process_creation maps them first, then NewProcessName and
 * ParentProcessName); the record keeps its own.  A ParentImage
 * parse_evtx_track() gave (the creator's NewProcessName) is rewritten.
 */
static void process_unc(struct core_event *ev)
{
	static const char mup[] = "\\Device\\Mup\\";
	static const char *const names[][2] = {
		{ "NewProcessName", "Image" },
		{ "ParentProcessName", "ParentImage" },
	};
	const size_t n = sizeof(mup) - 1;

	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++) {
		const char *to = names[i][1];
		const struct core_str *v = core_event_get_named(
			ev, names[i][0], strlen(names[i][0]));
		const struct core_str *have = core_event_get_named(
			ev, to, strlen(to));
		char *u;

		if (have != NULL)	/* given, or tracked: in device form? */
			v = have;
		if (v == NULL || v->len <= n || strncasecmp(v->p, mup, n) != 0)
			continue;
		u = core_arena_alloc(ev->arena, v->len - n + 2);
		if (u == NULL)
			continue;
		u[0] = u[1] = '\\';
		memcpy(u + 2, v->p + n, v->len - n);
		core_event_set_named(ev, to, strlen(to), u, v->len - n + 2);
	}
}

/*
 * Security 4688 version 2 names the account a new process runs as in
 * Target... when it is not the creator's, and the creator in
 * Subject...; Sysmon's process creation gives it as User,
 * "DOMAIN\name" or "NT AUTHORITY\SYSTEM".  process_creation rules read
 * User (else SubjectUserName, data/logsources-windows.yml): such a 4688
 * gets a User of that form, the well-known service accounts named as
 * Sysmon names them rather than by the computer account ("HOST$") the
 * record gives.  Before version 2 the record has no Target... and the
 * creator is often not who the process runs as (a UAC elevation or a
 * runas is created by SYSTEM): no User is made.
 */
static void process_user(struct core_event *ev)
{
	static const struct {
		const char *sid, *name;
	} known[] = {
		{ "S-1-5-18", "NT AUTHORITY\\SYSTEM" },
		{ "S-1-5-19", "NT AUTHORITY\\LOCAL SERVICE" },
		{ "S-1-5-20", "NT AUTHORITY\\NETWORK SERVICE" },
	};
	const struct core_str *name, *sid, *dom;
	char *u;

	if (core_event_get_named(ev, "User", 4) != NULL ||
	    (name = core_event_get_named(ev, "TargetUserName", 14)) == NULL)
		return;
	if (!windows_none(*name)) {
		sid = core_event_get_named(ev, "TargetUserSid", 13);
		dom = core_event_get_named(ev, "TargetDomainName", 16);
	} else {
		name = core_event_get_named(ev, "SubjectUserName", 15);
		sid = core_event_get_named(ev, "SubjectUserSid", 14);
		dom = core_event_get_named(ev, "SubjectDomainName", 17);
	}
	for (size_t i = 0; sid != NULL && i < CORE_ARRAY_LEN(known); i++) {
		if (core_str_eq_lit(*sid, known[i].sid)) {
			core_event_set_named(ev, "User", 4, known[i].name,
					     strlen(known[i].name));
			return;
		}
	}
	if (name == NULL || windows_none(*name))
		return;
	if (dom == NULL || windows_none(*dom)) {
		core_event_set_named(ev, "User", 4, name->p, name->len);
		return;
	}
	u = core_arena_alloc(ev->arena, dom->len + 1 + name->len);
	if (u == NULL)
		return;
	memcpy(u, dom->p, dom->len);
	u[dom->len] = '\\';
	memcpy(u + dom->len + 1, name->p, name->len);
	core_event_set_named(ev, "User", 4, u, dom->len + 1 + name->len);
}

/* What vigil adds to a 4688 (process_unc(), process_user()). */
static void process_4688(struct core_event *ev)
{
	if (!is_4688(ev))
		return;
	process_unc(ev);
	process_user(ev);
}

/*
 * Security 4624 and 4625 are logons that worked and failed: they get
 * event.category authentication, event.action windows_logon and the
 * outcome, so incidents count them as they count sshd's logins.  An
 * action the record brought (Winlogbeat's "logon-failed") gives way.
 */
static void logon_outcome(struct core_event *ev)
{
	const struct core_str *eid = core_event_get_named(ev, "EventID", 7);
	const struct core_str *ch;
	bool ok;

	if (eid == NULL)
		return;
	if (core_str_eq_lit(*eid, "4624"))
		ok = true;
	else if (core_str_eq_lit(*eid, "4625"))
		ok = false;
	else
		return;
	ch = core_event_get_named(ev, "Channel", 7);
	if (ch == NULL || !core_str_eq_lit(*ch, "Security"))
		return;
	core_event_set_lit(ev, CORE_F_EVENT_CATEGORY, "authentication");
	core_event_set_lit(ev, CORE_F_EVENT_ACTION, "windows_logon");
	core_event_set_lit(ev, CORE_F_EVENT_OUTCOME, ok ? "success" :
			   "failure");
}

/* ----------------------------------------------------- JSON exports */

/* Winlogbeat's System keys (7.x and later; 6.x at the top level). */
static const struct {
	const char *from;
	const char *to;
} beat_keys[] = {
	{ "winlog.event_id", "EventID" },
	{ "winlog.channel", "Channel" },
	{ "winlog.computer_name", "Computer" },
	{ "winlog.provider_name", "Provider_Name" },
	{ "winlog.provider_guid", "Provider_Guid" },
	{ "winlog.record_id", "EventRecordID" },
	{ "winlog.version", "Version" },
	{ "winlog.process.pid", "Execution_ProcessID" },
	{ "winlog.process.thread.id", "Execution_ThreadID" },
	{ "winlog.user.identifier", "Security_UserID" },
	{ "event_id", "EventID" },
	{ "log_name", "Channel" },
	{ "computer_name", "Computer" },
	{ "source_name", "Provider_Name" },
	{ "record_number", "EventRecordID" },
};

/* Prefixes whose remainder is an EventData or UserData name. */
static const char *const data_prefixes[] = {
	"winlog.event_data.", "winlog.user_data.", "event_data.",
	"user_data.", "Event.EventData.", "Event.UserData.",
};

/* The last dotted component of s. */
static struct core_str last_part(struct core_str s)
{
	size_t i = s.len;

	while (i > 0 && s.p[i - 1] != '.')
		i--;
	return core_str_make(s.p + i, s.len - i);
}

/*
 * Gives field i the name n, the EVTX decoder's name for it, in place of
 * its JSON path: a wide event (Defender's carry some 50 items, each also
 * under its squeezed name) then fits the field table as it does from an
 * EVTX file.  Adds instead when n is an ECS name or already present.
 */
static void rename_field(struct core_event *ev, unsigned i, struct core_str n)
{
	const struct core_field *f = &ev->fields[i];

	if (core_field_lookup(n.p, n.len) != CORE_F_NAMED ||
	    core_event_get_named(ev, n.p, n.len) != NULL) {
		core_event_set_named(ev, n.p, n.len, f->value.p, f->value.len);
		return;
	}
	core_event_rename_named(ev, i, n.p, n.len);
}

/*
 * Event.System.X -> X; the attribute A of X, Event.System.X.#attributes.A
 * or, as evtx_dump writes it with --separate-json-attributes,
 * Event.System.X_attributes.A -> X_A; the text of an element that also
 * has attributes, Event.System.X.#text (an EventID with Qualifiers) -> X.
 * n is the name of field i.
 */
static void system_key(struct core_event *ev, unsigned i, struct core_str n)
{
	struct core_str rest = core_str_make(n.p + 13, n.len - 13);
	size_t mark = 13;
	long at;
	char *p;

	if (rest.len > 6 && memcmp(rest.p + rest.len - 6, ".#text", 6) == 0)
		rest.len -= 6;
	at = core_str_find(rest, CORE_STR(".#attributes."));
	if (at < 0) {
		at = core_str_find(rest, CORE_STR("_attributes."));
		mark = 12;
	}
	if (at <= 0) {
		if (memchr(rest.p, '.', rest.len) == NULL)
			rename_field(ev, i, rest);
		return;
	}
	p = core_arena_alloc(ev->arena, rest.len);
	if (p == NULL)
		return;
	memcpy(p, rest.p, (size_t)at);
	p[at] = '_';
	memcpy(p + at + 1, rest.p + at + mark, rest.len - (size_t)at - mark);
	rename_field(ev, i, core_str_make(p, rest.len - mark + 1));
}

/*
 * Unnamed Data items exported as a JSON array (evtx_dump writes
 * "Data": {"#text": ["a", "b"]}, flat exports "Data": ["a", "b"]) get the
 * EVTX decoder's value: the items unescaped, joined with newlines.
 */
static void data_items(struct core_event *ev, unsigned i)
{
	struct core_str v = ev->fields[i].value, items;

	if (v.len > 1 && v.p[0] == '[' &&
	    parse_json_strings(v, ev->arena, '\n', &items))
		ev->fields[i].value = items;
}

/*
 * Field i, named n, under the EVTX decoder's names (beat_keys above).
 * Returns true for param1, an EventData item Winlogbeat named for want
 * of a name (see unnamed_data()).
 */
static bool json_field(struct core_event *ev, unsigned i)
{
	struct core_str n = ev->fields[i].name, v = ev->fields[i].value;
	struct core_str rest;

	for (size_t k = 0; k < CORE_ARRAY_LEN(beat_keys); k++) {
		if (core_str_eq_lit(n, beat_keys[k].from)) {
			core_event_set_named(ev, beat_keys[k].to,
					     strlen(beat_keys[k].to), v.p,
					     v.len);
			return false;
		}
	}
	if (core_str_starts(n, "Event.System.") && n.len > 13) {
		system_key(ev, i, n);
		return false;
	}
	for (size_t k = 0; k < CORE_ARRAY_LEN(data_prefixes); k++) {
		bool param1;

		if (!core_str_starts(n, data_prefixes[k]))
			continue;
		rest = last_part(n);
		/* An element with attributes: X.#text is X's own text. */
		if (core_str_eq_lit(rest, "#text") && n.len > 6)
			rest = last_part(core_str_make(n.p, n.len - 6));
		if (core_str_eq_lit(rest, "Data"))
			data_items(ev, i);
		if (rest.len)
			rename_field(ev, i, rest);
		param1 = core_str_eq_lit(rest, "param1");
		rest = squeeze(ev->arena, rest);
		if (rest.len)
			core_event_set_named(ev, rest.p, rest.len, v.p, v.len);
		return param1;
	}
	/* The flat style: a Data item with spaces, at the top level. */
	if (core_str_eq_lit(n, "Data"))
		data_items(ev, i);
	if (memchr(n.p, '.', n.len) == NULL) {
		rest = squeeze(ev->arena, n);
		if (rest.len)
			core_event_set_named(ev, rest.p, rest.len, v.p, v.len);
	}
	return false;
}

/*
 * Winlogbeat names EventData items that have no name param1, param2 ...
 * (the classic PowerShell log, SQL Server's audit messages); the EVTX
 * decoder joins them, in order and with newlines, as Data, which is the
 * name Sigma rules read.  The same join here when a record exported that
 * way (the items under event_data) has no Data, up to PARAMS_MAX items.
 * A record whose items were really named paramN (System 7036) cannot be
 * told apart in such an export and gets the Data too.
 */
#define PARAMS_MAX 16

static void unnamed_data(struct core_event *ev)
{
	const struct core_str *v[PARAMS_MAX];
	size_t len = 0, n = 0;
	char name[16], *p;

	if (core_event_get_named(ev, "Data", 4) != NULL)
		return;
	for (; n < PARAMS_MAX; n++) {
		int k = snprintf(name, sizeof(name), "param%zu", n + 1);

		v[n] = core_event_get_named(ev, name, (size_t)k);
		if (v[n] == NULL)
			break;
		len += v[n]->len + 1;
	}
	if (n == 0 || (p = core_arena_alloc(ev->arena, len)) == NULL)
		return;
	len = 0;
	for (size_t i = 0; i < n; i++) {
		if (i)
			p[len++] = '\n';
		memcpy(p + len, v[i]->p, v[i]->len);
		len += v[i]->len;
	}
	core_event_set_named(ev, "Data", 4, p, len);
}

/* True when the JSON fields look like an exported Windows event. */
static bool json_is_windows(const struct core_event *ev)
{
	return core_event_get_named(ev, "winlog.channel", 14) ||
	       core_event_get_named(ev, "winlog.event_id", 15) ||
	       core_event_get_named(ev, "Event.System.EventID", 20) ||
	       core_event_get_named(ev, "Event.System.EventID.#text", 26) ||
	       (core_event_get_named(ev, "event_id", 8) &&
		core_event_get_named(ev, "log_name", 8)) ||
	       (core_event_get_named(ev, "EventID", 7) &&
		(core_event_get_named(ev, "Channel", 7) ||
		 core_event_get_named(ev, "Provider_Name", 13)));
}

bool parse_evtx_json(struct core_event *ev)
{
	unsigned n = ev->nfields;
	const struct core_str *v;
	int64_t ts;
	bool params = false;

	if (!json_is_windows(ev))
		return false;
	for (unsigned i = 0; i < n; i++) {
		const struct core_field *f = &ev->fields[i];

		if (f->id == CORE_F_NAMED)
			params |= json_field(ev, i);
	}
	if (params)
		unnamed_data(ev);
	for (size_t i = 0; i < CORE_ARRAY_LEN(ecs_maps); i++) {
		const struct ecs_map *m = &ecs_maps[i];
		struct core_ip ip;
		size_t bl = 0;

		v = core_event_get_named(ev, m->name, m->len);
		if (v == NULL || windows_none(*v) ||
		    core_event_get(ev, m->id) ||
		    (m->derive == DERIVE_IP &&
		     !core_ip_parse(v->p, v->len, &ip)))
			continue;
		/*
		 * basename_of() before the call that takes bl: C leaves the
		 * order of arguments open, and gcc read bl (0) first.
		 */
		if (m->derive == DERIVE_BASENAME) {
			const char *base = basename_of(*v, &bl);

			core_event_set(ev, m->id, base, bl);
		} else if (m->derive == DERIVE_IP) {
			core_event_set_str(ev, m->id, unmapped(*v));
		} else if (m->derive == DERIVE_ACCOUNT) {
			core_event_set_str(ev, m->id,
					   parse_windows_account(*v));
		} else {
			core_event_set_str(ev, m->id, *v);
		}
	}
	/* TimeCreated_SystemTime (evtx_dump), else the flat TimeCreated. */
	v = core_event_get_named(ev, "TimeCreated_SystemTime", 22);
	if (v == NULL)
		v = core_event_get_named(ev, "TimeCreated", 11);
	if (ev->ts == CORE_TS_UNKNOWN && v != NULL &&
	    core_time_parse_iso(v->p, v->len, &ts) > 0)
		ev->ts = ts;
	if (!core_event_get(ev, CORE_F_EVENT_DATASET))
		core_event_set_lit(ev, CORE_F_EVENT_DATASET, "windows");
	logon_outcome(ev);
	connection_direction(ev);
	account_roles(ev);
	process_4688(ev);
	return true;
}

/* ------------------------------------------------------------- entry */

struct parse_evtx *parse_evtx_new(void)
{
	struct parse_evtx *d = malloc(sizeof(*d));

	if (d == NULL)
		return NULL;
	memset(d, 0, offsetof(struct parse_evtx, ops));
	d->arena = core_arena_new(256 * 1024);
	if (d->arena == NULL) {
		free(d);
		return NULL;
	}
	d->chunk_no = UINT64_MAX;
	return d;
}

void parse_evtx_reset(struct parse_evtx *d)
{
	core_arena_reset(d->arena);
	memset(d->cache, 0, sizeof(d->cache));
	d->chunk = NULL;
	d->chunk_no = UINT64_MAX;
	free(d->proc);
	d->proc = NULL;
}

void parse_evtx_free(struct parse_evtx *d)
{
	if (d == NULL)
		return;
	core_arena_free(d->arena);
	free(d->proc);
	free(d);
}

/* The most bytes a rendering takes (see raw_bound()). */
#define RAW_CEILING (CORE_JSON_ESCAPED_MAX(PARSE_EVTX_RAW_MAX) + 64)

/*
 * The most bytes render_raw() writes for ev, its NUL included: every
 * field escaped at worst, and never more than RAW_CEILING, since a field
 * is written only when its plain bytes fit before PARSE_EVTX_RAW_MAX
 * (escaped, it may pass the bound once, and is then dropped).  Most
 * records need a few kilobytes, so a rendering costs its arena little.
 */
static size_t raw_bound(const struct core_event *ev)
{
	size_t n = 5;	/* '{', then "..." or '}', and the NUL */

	for (unsigned i = 0; i < ev->raw_nfields && i < ev->nfields; i++) {
		const struct core_field *f = &ev->fields[i];

		if (f->id != CORE_F_NAMED)
			continue;
		n += CORE_JSON_ESCAPED_MAX(f->name.len + f->value.len) + 6;
		if (n >= RAW_CEILING)
			return RAW_CEILING;
	}
	return n;
}

/*
 * The record's own (named) fields, the first ev->raw_nfields, not those
 * derived after decoding (a tracked ParentImage), as one JSON line of at
 * most PARSE_EVTX_RAW_MAX bytes and "...": the fields that fit, each
 * whole, so that a cut never falls inside an escape or a UTF-8
 * sequence.  Each field is escaped straight into out, which holds
 * raw_bound(ev) bytes; returns the length written before the NUL.  Reads
 * only ev, so a copy of the event renders the same text.
 */
static size_t render_raw(const struct core_event *ev, char *out)
{
	char *w = out;
	bool cut = false;

	*w++ = '{';
	for (unsigned i = 0; i < ev->raw_nfields && i < ev->nfields; i++) {
		const struct core_field *f = &ev->fields[i];
		size_t len = (size_t)(w - out);
		size_t room = PARSE_EVTX_RAW_MAX - CORE_MIN(len,
							    PARSE_EVTX_RAW_MAX);
		char *p = w;

		if (f->id != CORE_F_NAMED)
			continue;
		if (f->name.len + f->value.len + 6 > room) {
			cut = true;
			break;
		}
		if (len > 1)
			*p++ = ',';
		*p++ = '"';
		p += core_json_escape(p, f->name.p, f->name.len);
		memcpy(p, "\":\"", 3);
		p += 3;
		p += core_json_escape(p, f->value.p, f->value.len);
		*p++ = '"';
		/* Escaping can pass the bound: the field goes whole. */
		if ((size_t)(p - out) > PARSE_EVTX_RAW_MAX) {
			cut = true;
			break;
		}
		w = p;
	}
	if (cut) {
		memcpy(w, "...", 3);
		w += 3;
	} else {
		*w++ = '}';
	}
	*w = '\0';
	return (size_t)(w - out);
}

/*
 * ev->raw_fn: ev's rendering, made on first use into ev's arena and kept
 * in ctx (a struct parse_evtx_raw); "" when the arena has no room.
 */
static const struct core_str *raw_of(const struct core_event *ev, void *ctx)
{
	struct parse_evtx_raw *keep = ctx;
	size_t max;
	char *out;

	if (keep->done)
		return &keep->text;
	keep->done = true;
	keep->text = core_str_make("", 0);
	max = raw_bound(ev);
	out = ev->arena != NULL ? core_arena_alloc(ev->arena, max) : NULL;
	if (out != NULL)
		keep->text = core_str_make(out, render_raw(ev, out));
	return &keep->text;
}

bool parse_evtx_raw_attach(struct core_event *ev,
			   struct parse_evtx_raw *keep)
{
	if (ev->raw_fn != raw_of)
		return false;
	keep->text = core_str_make("", 0);
	keep->done = false;
	ev->raw_ctx = keep;
	return true;
}

int parse_evtx_record(struct parse_evtx *d, struct core_event *ev,
		      const uint8_t *chunk, size_t chunk_len,
		      uint64_t chunk_no, size_t off, size_t len,
		      int64_t written, struct core_error *err)
{
	struct run r = { .d = d, .ev = ev, .c = chunk, .clen = chunk_len };
	int rc;

	if (chunk != d->chunk || chunk_no != d->chunk_no) {
		core_arena_reset(d->arena);
		memset(d->cache, 0, sizeof(d->cache));
		d->chunk = chunk;
		d->chunk_no = chunk_no;
	}
	memset(d->rank, 0xff, sizeof(d->rank));
	d->have_ts = false;
	ev->format = CORE_FMT_EVTX;
	if (off > chunk_len || len > chunk_len - off)
		rc = rfail(&r, off, "record outside its chunk");
	else
		rc = run_fragment(&r, off, off + len, SEC_NONE, 0);
	if (!d->have_ts)
		ev->ts = written;
	d->raw.done = false;
	ev->raw_nfields = ev->nfields;
	ev->raw = CORE_STR_NULL;
	ev->raw_fn = raw_of;
	ev->raw_ctx = &d->raw;
	parse_evtx_track(d, ev);
	logon_outcome(ev);
	connection_direction(ev);
	account_roles(ev);
	process_4688(ev);
	if (rc != 0)
		return core_fail(err, CORE_E_PARSE, ev->src, ev->line,
				 "evtx: %s (chunk %llu, offset %zu)",
				 r.why ? r.why : "bad binary XML",
				 (unsigned long long)chunk_no, r.why_at);
	ev->decoded = true;
	return 0;
}
