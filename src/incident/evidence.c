/*
 * evidence.c: what an evidence line is about: the platform its record
 * came from, and for a Windows event a one-line summary of the fields an
 * analyst reads first.
 *
 * A Windows record's raw text is a JSON object whose first 400 bytes or
 * so are the System values (provider GUID, version, task, keywords ...):
 * cut to a report line, it shows nothing that matters.  The summary is
 * "Sysmon 1 | Image=C:\...\cmd.exe | CommandLine=..." built from a fixed
 * table of salient EventData names, in the table's order, each value
 * shortened in the middle so that the end of a path (the file name) is
 * kept, the whole within INCIDENT_SUMMARY_MAX bytes.
 *
 * The fields come from the event when detect hands one over (plain
 * rules); a correlation alert carries only the evidence text, so its
 * leaf "key":value pairs are read from the text in one pass, whatever
 * the nesting (the EVTX decoder's flat object, Winlogbeat's winlog.*).
 *
 * Workload: once per alert evidence, over at most a few kilobytes.  The
 * names looked for (some 75) are hashed once, with core_field_hash(),
 * the hash an event keeps for each named field; a record is read in one
 * pass that keeps only the values of those names (struct record), so an
 * event's fields are neither copied nor hashed again.  Values are folded
 * on the stack and the line is written straight into the caller's
 * buffer (struct line keeps the ceiling of the core_buf it was once
 * built in, so that every summary reads byte for byte as before).
 */
#include "incident/incident_int.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>

#define MAX_PAIRS 128		/* a record's fields read, at most */
#define NAMES_MAX 256		/* distinct names looked for, at most */
#define NAME_SLOTS 512		/* their hash slots, twice NAMES_MAX */
#define VALUE_MAX 56		/* a value's bytes in the summary */
#define COMMAND_MAX 72		/* a command line's */
#define MIN_VALUE 12		/* shorter is not worth showing */
#define FOLD_KEEP 512		/* bytes of each end of a long value read */
#define FOLD_MAX (2 * FOLD_KEEP + 3)	/* a folded value, "..." between */

_Static_assert(FOLD_KEEP > 2 * COMMAND_MAX && FOLD_KEEP > 2 * VALUE_MAX,
	       "a summary shows at most the ends FOLD_KEEP keeps");

/*
 * A name the summaries look for, held as the label it is shown with
 * (" | Image="), so that showing a field is one copy.  names_init()
 * sets the hash, core_field_hash() of the name (the hash an event keeps
 * for each named field), and the id, the same for the same name in two
 * tables.
 */
struct name {
	const char *label;	/* " | " name "="; NULL ends a list */
	uint32_t hash;
	uint8_t len;		/* of the name, at label + 3 */
	uint8_t id;		/* index into struct record, < NAMES_MAX */
	bool long_one;		/* a command or a query: more room */
};

#define NAME(s) { " | " s "=", 0, sizeof(s) - 1, 0, false }
#define LONG_NAME(s) { " | " s "=", 0, sizeof(s) - 1, 0, true }
#define NAMES_END { NULL, 0, 0, 0, false }

/*
 * A summary being written into the caller's bytes, at most max of them:
 * an addition that would pass the ceiling is cut there (never inside a
 * UTF-8 sequence), and the line then takes nothing more.
 */
struct line {
	char *p;
	size_t len;
	size_t max;
	bool full;
};

static const char *const platform_names[INCIDENT_PLAT__COUNT] = {
	"other", "windows", "linux", "web", "ids", "honeypot",
};

/* "windows", "linux" ...; "other" for anything else. */
const char *incident_platform_name(enum incident_platform p)
{
	if ((unsigned)p >= INCIDENT_PLAT__COUNT)
		return platform_names[0];
	return platform_names[p];
}

/* -------------------------------------------------------- the line */

/* Marks b full, dropping a UTF-8 sequence its last bytes leave unended. */
static void line_cut(struct line *b)
{
	size_t i = b->len, need;
	unsigned char lead;

	b->full = true;
	while (i > 0 && ((unsigned char)b->p[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0 || (lead = (unsigned char)b->p[i - 1]) < 0xc0)
		return;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	if (b->len - (i - 1) < need)
		b->len = i - 1;
}

static void line_add(struct line *b, const char *p, size_t k)
{
	size_t fit;

	if (b->full)
		return;
	fit = CORE_MIN(k, b->max - b->len);
	memcpy(b->p + b->len, p, fit);
	b->len += fit;
	if (fit < k)
		line_cut(b);
}

static void line_addc(struct line *b, char c)
{
	line_add(b, &c, 1);
}

/*
 * Ends the line in out (at most n - 1 bytes, NUL-terminated; b wrote
 * into out itself) and turns the control bytes of out[from, to) into
 * spaces: the bytes that come unfolded from the record.
 */
static size_t line_end(const struct line *b, char *out, size_t n,
		       size_t from, size_t to)
{
	size_t len = CORE_MIN(b->len, n - 1);

	out[len] = '\0';
	for (size_t i = from; i < CORE_MIN(to, len); i++)
		if ((unsigned char)out[i] < ' ' || out[i] == 0x7f)
			out[i] = ' ';
	return len;
}

/* ------------------------------------------------------------ names */

static struct name event_id_names[] = {
	NAME("EventID"), NAME("event_id"), NAMES_END,
};
static struct name channel_names[] = {
	NAME("Channel"), NAME("channel"), NAME("log_name"), NAMES_END,
};
static struct name provider_names[] = {
	NAME("Provider_Name"), NAME("provider_name"), NAME("source_name"),
	NAMES_END,
};

/*
 * The salient names, most telling first; a row lists names that say the
 * same thing in different events (Sysmon's Image, Security's
 * NewProcessName), of which the first present is shown.  A row ends at
 * its first unset entry.
 */
#define SALIENT_IMAGE 0		/* the program's row */
#define SALIENT_COMMAND 4	/* left out when it only names the program */
static struct name salient[][4] = {
	{ NAME("Image"), NAME("NewProcessName"), NAME("ProcessName") },
	{ NAME("SourceImage") },
	{ NAME("TargetImage") },
	{ NAME("GrantedAccess") },
	{ LONG_NAME("CommandLine") },
	{ NAME("ParentImage"), NAME("ParentProcessName") },
	/*
	 * WMI event subscriptions, before the user who made them: Sysmon 21
	 * binds a Consumer to a Filter, Sysmon 19 names a filter and its
	 * Query, Sysmon 20 a consumer, its Type and what it runs.
	 */
	{ NAME("Consumer") },
	{ NAME("Filter") },
	{ NAME("Name") },
	{ NAME("Type") },
	{ LONG_NAME("Destination") },
	{ LONG_NAME("Query") },
	{ NAME("TargetUserName") },
	{ NAME("SubjectUserName"), NAME("User") },
	{ NAME("IpAddress"), NAME("SourceIp"), NAME("SourceAddress") },
	{ NAME("WorkstationName") },
	{ NAME("LogonType") },
	{ NAME("ServiceName") },
	{ NAME("ImagePath"), NAME("ServiceFileName") },
	{ NAME("TaskName") },
	{ NAME("TargetObject") },
	{ NAME("Details") },
	{ NAME("PipeName") },
	{ NAME("TargetFilename") },
	{ NAME("ImageLoaded") },
	{ NAME("QueryName") },
	{ NAME("DestinationIp"), NAME("DestAddress") },
	{ NAME("DestinationPort"), NAME("DestPort") },
	{ NAME("ShareName") },
	{ NAME("RelativeTargetName") },
	{ NAME("TicketEncryptionType") },
	{ NAME("MemberName") },
	{ NAME("ThreatName") },
	{ LONG_NAME("ScriptBlockText"), NAME("Payload") },
	{ NAME("StartFunction") },
	{ NAME("url") },
	{ NAME("jobTitle") },
	{ NAME("Path") },
	{ NAME("Param1") },
	{ NAME("Param3") },
	/* Unnamed items (classic PowerShell, MSSQL, MSI): what they say. */
	{ LONG_NAME("Data") },
};

/* The journal's, EVE's and Cowrie's (a row of EVE's per value shown). */
static struct name journal_host[] = { NAME("_HOSTNAME"), NAMES_END };
static struct name journal_ident[] = {
	NAME("SYSLOG_IDENTIFIER"), NAME("_COMM"), NAMES_END,
};
static struct name journal_pid[] = {
	NAME("_PID"), NAME("SYSLOG_PID"), NAMES_END,
};
static struct name journal_msg[] = { NAME("MESSAGE"), NAMES_END };
static struct name eve_type[] = { NAME("event_type"), NAMES_END };
/* "signature" in the text, "alert.signature" among an event's fields. */
static struct name eve_sig[] = {
	NAME("signature"), NAME("alert.signature"), NAMES_END
};
static struct name eve_flow[][2] = {
	{ NAME("src_ip") }, { NAME("src_port") }, { NAME("dest_ip") },
	{ NAME("dest_port") }, { NAME("proto") },
};
static struct name cowrie_id[] = { NAME("eventid"), NAMES_END };
static struct name cowrie_src[] = { NAME("src_ip"), NAMES_END };
static struct name cowrie_msg[] = { NAME("message"), NAMES_END };

#define NAMES_IN(t) (sizeof(t) / sizeof(struct name))
_Static_assert(NAMES_IN(event_id_names) + NAMES_IN(channel_names) +
	       NAMES_IN(provider_names) + NAMES_IN(salient) +
	       NAMES_IN(journal_host) + NAMES_IN(journal_ident) +
	       NAMES_IN(journal_pid) + NAMES_IN(journal_msg) +
	       NAMES_IN(eve_type) + NAMES_IN(eve_sig) + NAMES_IN(eve_flow) +
	       NAMES_IN(cowrie_id) + NAMES_IN(cowrie_src) +
	       NAMES_IN(cowrie_msg) <= NAMES_MAX,
	       "struct record has room for every name");

/*
 * What a record says under the names looked for, by id: of its first
 * MAX_PAIRS fields (an event's named ones, a text's leaf pairs), the
 * first under each name.  Other names are passed over as they come, so
 * nothing is copied or hashed for them.
 */
struct record {
	uint64_t have[NAMES_MAX / 64];
	struct core_str v[NAMES_MAX];
};

/* Bytes add_folded() keeps as they are and that start no SID. */
static bool fold_plain[256];

/* The names by hash (id + 1, 0 is free), and by id. */
static uint16_t name_slot[NAME_SLOTS];
static const struct name *name_by_id[NAMES_MAX];
static size_t names_n;

static pthread_once_t names_once = PTHREAD_ONCE_INIT;

/* Hashes the names of list t (n entries) and gives each its id. */
static void names_index(struct name *t, size_t n)
{
	for (size_t i = 0; i < n && t[i].label; i++) {
		struct name *nm = &t[i];
		size_t k;

		nm->hash = core_field_hash(nm->label + 3, nm->len);
		k = nm->hash & (NAME_SLOTS - 1);
		for (; name_slot[k]; k = (k + 1) & (NAME_SLOTS - 1)) {
			const struct name *o = name_by_id[name_slot[k] - 1];

			if (o->len == nm->len &&
			    memcmp(o->label, nm->label, nm->len + 3) == 0)
				break;
		}
		if (!name_slot[k]) {
			name_by_id[names_n] = nm;
			name_slot[k] = (uint16_t)++names_n;
		}
		nm->id = (uint8_t)(name_slot[k] - 1);
	}
}

static void names_init(void)
{
	for (unsigned c = 0; c < 256; c++)
		fold_plain[c] = c > ' ' && c != 0x7f && c != 'S';
	names_index(event_id_names, CORE_ARRAY_LEN(event_id_names));
	names_index(channel_names, CORE_ARRAY_LEN(channel_names));
	names_index(provider_names, CORE_ARRAY_LEN(provider_names));
	for (size_t i = 0; i < CORE_ARRAY_LEN(salient); i++)
		names_index(salient[i], CORE_ARRAY_LEN(salient[i]));
	assert(strcmp(salient[SALIENT_IMAGE][0].label, " | Image=") == 0 &&
	       strcmp(salient[SALIENT_COMMAND][0].label,
		      " | CommandLine=") == 0);
	names_index(journal_host, CORE_ARRAY_LEN(journal_host));
	names_index(journal_ident, CORE_ARRAY_LEN(journal_ident));
	names_index(journal_pid, CORE_ARRAY_LEN(journal_pid));
	names_index(journal_msg, CORE_ARRAY_LEN(journal_msg));
	names_index(eve_type, CORE_ARRAY_LEN(eve_type));
	names_index(eve_sig, CORE_ARRAY_LEN(eve_sig));
	for (size_t i = 0; i < CORE_ARRAY_LEN(eve_flow); i++)
		names_index(eve_flow[i], CORE_ARRAY_LEN(eve_flow[i]));
	names_index(cowrie_id, CORE_ARRAY_LEN(cowrie_id));
	names_index(cowrie_src, CORE_ARRAY_LEN(cowrie_src));
	names_index(cowrie_msg, CORE_ARRAY_LEN(cowrie_msg));
}

/* ------------------------------------------------------ the record */

/* Field name (hash h) = v, when the name is looked for and new to r. */
static inline void record_add(struct record *r, const char *name,
			      size_t len, uint32_t h, struct core_str v)
{
	size_t k = h & (NAME_SLOTS - 1);

	for (; name_slot[k]; k = (k + 1) & (NAME_SLOTS - 1)) {
		const struct name *nm = name_by_id[name_slot[k] - 1];
		uint64_t bit = 1ULL << (nm->id % 64);

		if (nm->hash != h || nm->len != len ||
		    memcmp(nm->label + 3, name, len) != 0)
			continue;
		if (!(r->have[nm->id / 64] & bit)) {
			r->have[nm->id / 64] |= bit;
			r->v[nm->id] = v;
		}
		return;
	}
}

static inline struct core_str lookup(const struct record *r,
				     const struct name *k)
{
	if (r->have[k->id / 64] & (1ULL << (k->id % 64)))
		return r->v[k->id];
	return CORE_STR_NULL;
}

/* The first of names that is set and says something. */
static inline struct core_str first_set(const struct record *r,
					const struct name *names,
					const struct name **which)
{
	for (; names->label; names++) {
		struct core_str v = lookup(r, names);

		if (!v.len)
			continue;
		v = core_str_trim(v);
		if (v.len && !core_str_eq_lit(v, "-")) {
			*which = names;
			return v;
		}
	}
	return CORE_STR_NULL;
}

/*
 * The first MAX_PAIRS named fields of ev, by the hash each keeps
 * (core_field_hash() of its name).
 */
static void record_of_event(const struct core_event *ev, struct record *r)
{
	size_t named = 0;

	memset(r->have, 0, sizeof(r->have));
	for (size_t i = 0; i < ev->nfields && named < MAX_PAIRS; i++) {
		const struct core_field *f = &ev->fields[i];

		if (f->id != CORE_F_NAMED)
			continue;
		named++;
		record_add(r, f->name.p, f->name.len, f->hash, f->value);
	}
}

/* ------------------------------------------------------- the text */

/*
 * A JSON string starting at t[i] == '"': its end (after the closing
 * quote), or 0 when the text ends first (a cut record).
 */
static size_t string_end(struct core_str t, size_t i)
{
	for (i++; i < t.len; i++) {
		if (t.p[i] == '\\')
			i++;
		else if (t.p[i] == '"')
			return i + 1;
	}
	return 0;
}

/* Appends the unescaped body of the string t[i, end) to scratch. */
static struct core_str unescape(struct core_str t, size_t i, size_t end,
				char *scratch, size_t *used, size_t cap)
{
	size_t o = *used;
	struct core_str v;

	for (i++; i + 1 < end && o < cap; i++) {
		char c = t.p[i];

		if (c == '\\' && i + 2 < end) {
			c = t.p[++i];
			c = c == 'n' || c == 'r' || c == 't' ? ' ' :
			    c == 'u' ? '?' : c;
			if (t.p[i] == 'u')
				i += CORE_MIN((size_t)4, end - 2 - i);
		}
		scratch[o++] = c;
	}
	v = core_str_make(scratch + *used, o - *used);
	*used = o;
	return v;
}

static size_t skip_space(struct core_str t, size_t i)
{
	while (i < t.len && (t.p[i] == ' ' || t.p[i] == '\t'))
		i++;
	return i;
}

/* A bare value (number, true, false): its end. */
static size_t bare_end(struct core_str t, size_t i)
{
	while (i < t.len && t.p[i] != ',' && t.p[i] != '}' && t.p[i] != ']' &&
	       t.p[i] != ' ')
		i++;
	return i;
}

/* A leaf pair of a record's text. */
static void record_pair(struct record *r, struct core_str key,
			struct core_str v)
{
	record_add(r, key.p, key.len, core_field_hash(key.p, key.len), v);
}

/*
 * Every leaf "key": value pair of the JSON text, in order, the first
 * MAX_PAIRS of them into r.  Tolerant: a record cut in the middle yields
 * the pairs before the cut; text that is no JSON yields none.  String
 * values are unescaped into scratch.
 */
static void record_of_text(struct core_str t, struct record *r,
			   char *scratch, size_t cap)
{
	size_t i = 0, used = 0, n = 0;

	memset(r->have, 0, sizeof(r->have));
	if (!t.len || t.p[0] != '{')
		return;
	while (i < t.len && n < MAX_PAIRS) {
		struct core_str key;
		size_t k, v, e;

		if (t.p[i] != '"') {
			i++;
			continue;
		}
		k = string_end(t, i);
		if (!k)
			return;
		v = skip_space(t, k);
		if (v >= t.len || t.p[v] != ':') {
			i = k;
			continue;
		}
		v = skip_space(t, v + 1);
		if (v >= t.len)
			return;
		key = core_str_make(t.p + i + 1, k - i - 2);
		if (t.p[v] == '"') {
			e = string_end(t, v);
			if (!e)
				return;
			record_pair(r, key, unescape(t, v, e, scratch, &used,
						     cap));
			n++;
		} else if (t.p[v] == '{' || t.p[v] == '[') {
			e = v + 1;
		} else {
			e = bare_end(t, v);
			record_pair(r, key, core_str_make(t.p + v, e - v));
			n++;
		}
		i = e;
	}
}

/* -------------------------------------------------------- platform */

/*
 * A Windows record: an event id and a channel or provider; id and ch
 * get their values.
 */
static bool windows_head(const struct record *r, struct core_str *id,
			 struct core_str *ch)
{
	const struct name *w;

	*id = first_set(r, event_id_names, &w);
	if (!id->len)
		return false;
	*ch = first_set(r, channel_names, &w);
	if (!ch->len)
		*ch = first_set(r, provider_names, &w);
	return ch->len != 0;
}

static enum incident_platform platform_of_dataset(struct core_str ds)
{
	static const struct {
		const char *prefix;
		enum incident_platform p;
	} rows[] = {
		{ "windows", INCIDENT_PLAT_WINDOWS },
		{ "linux.", INCIDENT_PLAT_LINUX },
		{ "journal", INCIDENT_PLAT_LINUX },
		{ "web.", INCIDENT_PLAT_WEB },
		{ "zeek.http", INCIDENT_PLAT_WEB },
		{ "suricata.", INCIDENT_PLAT_IDS },
		{ "zeek", INCIDENT_PLAT_IDS },
		{ "honeypot.", INCIDENT_PLAT_HONEYPOT },
	};

	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++)
		if (core_str_starts(ds, rows[i].prefix))
			return rows[i].p;
	return INCIDENT_PLAT_OTHER;
}

static enum incident_platform platform_of_format(enum core_format f)
{
	switch (f) {
	case CORE_FMT_EVTX:
		return INCIDENT_PLAT_WINDOWS;
	case CORE_FMT_SYSLOG:
	case CORE_FMT_JOURNAL_JSON:
		return INCIDENT_PLAT_LINUX;
	case CORE_FMT_ACCESS_LOG:
		return INCIDENT_PLAT_WEB;
	case CORE_FMT_EVE_JSON:
		return INCIDENT_PLAT_IDS;
	default:
		return INCIDENT_PLAT_OTHER;
	}
}

/*
 * The platform of an evidence record: from ev's event.dataset, else its
 * format; without an event (correlation evidence) from the text: a JSON
 * object with an event id and a channel or provider is Windows, a line
 * holding an HTTP request is web, anything else is "other".
 */
enum incident_platform incident_platform_of(const struct core_event *ev,
					    struct core_str text)
{
	struct record r;
	char scratch[DETECT_EVIDENCE_MAX];
	const struct core_str *ds;
	enum incident_platform p;
	struct core_str id, ch;

	if (ev) {
		ds = core_event_get(ev, CORE_F_EVENT_DATASET);
		p = ds ? platform_of_dataset(*ds) : INCIDENT_PLAT_OTHER;
		return p != INCIDENT_PLAT_OTHER ? p :
		       platform_of_format(ev->format);
	}
	pthread_once(&names_once, names_init);
	text.len = CORE_MIN(text.len, sizeof(scratch));
	record_of_text(text, &r, scratch, sizeof(scratch));
	if (windows_head(&r, &id, &ch))
		return INCIDENT_PLAT_WINDOWS;
	if (incident_request_in_text(text).len)
		return INCIDENT_PLAT_WEB;
	return INCIDENT_PLAT_OTHER;
}

/* --------------------------------------------------------- summary */

/* The channel as people say it: "Sysmon", "Security", "PowerShell". */
static struct core_str short_channel(struct core_str c)
{
	static const char pre[] = "Microsoft-Windows-";
	const char *slash;

	if (core_str_starts(c, pre)) {
		c.p += sizeof(pre) - 1;
		c.len -= sizeof(pre) - 1;
		slash = memchr(c.p, '/', c.len);
		if (slash)
			c.len = (size_t)(slash - c.p);
	}
	if (core_str_eq_lit(c, "Security-Auditing"))
		c.len = 8;
	return c;
}

/*
 * Bytes of the domain part of an account SID at v.p + i ("S-1-5-21-"
 * and three numbers, each with its dash), or 0.  Summaries show it as
 * "S-1-5-21-...-": 30 bytes that say which domain, where the RID and
 * the registry path after it say what happened (HKU\S-1-5-21-...-1001\
 * Software\Classes\mscfile\shell\open\command).
 */
static size_t sid_domain_len(struct core_str v, size_t i)
{
	static const char pre[] = "S-1-5-21-";
	size_t k = i + sizeof(pre) - 1;

	if (v.len - i < sizeof(pre) - 1 ||
	    memcmp(v.p + i, pre, sizeof(pre) - 1) != 0)
		return 0;
	for (int part = 0; part < 3; part++) {
		size_t d = k;

		while (k < v.len && v.p[k] >= '0' && v.p[k] <= '9')
			k++;
		if (k == d || k == v.len || v.p[k] != '-')
			return 0;
		k++;
	}
	return k - i;
}

/*
 * Appends v with control bytes and runs of blanks folded to one space,
 * and the domain part of account SIDs shortened (sid_domain_len()).
 * Never more bytes than v has: a run of blanks gives one space, a SID's
 * domain part (15 bytes or more) 13.  Bytes kept as they are go in runs.
 */
static void add_folded(struct line *b, struct core_str v)
{
	bool blank = false;

	for (size_t i = 0, k; i < v.len; i = k) {
		unsigned char c = (unsigned char)v.p[i];

		if (c <= ' ' || c == 0x7f) {
			blank = true;
			k = i + 1;
			continue;
		}
		if (blank)
			line_addc(b, ' ');
		blank = false;
		k = c == 'S' ? sid_domain_len(v, i) : 0;
		if (k) {
			line_add(b, "S-1-5-21-...-", 13);
			k += i;
			continue;
		}
		for (k = i + 1; k < v.len && fold_plain[(uint8_t)v.p[k]]; k++)
			;
		line_add(b, v.p + i, k - i);
	}
}

static bool continuation(const char *p, size_t i)
{
	return ((unsigned char)p[i] & 0xc0) == 0x80;
}

/* Index of the last path separator in v, or v.len. */
static size_t last_separator(struct core_str v)
{
	for (size_t i = v.len; i > 0; i--)
		if (v.p[i - 1] == '\\' || v.p[i - 1] == '/')
			return i - 1;
	return v.len;
}

/*
 * Appends v cut to max bytes in the middle, never inside a UTF-8
 * sequence.  A command keeps half the room for its start (the program)
 * and half for its end; any other value keeps a third for its start, or,
 * when it is a path, as much as leaves its last component whole
 * ("C:\Program Files\...\sqlservr.exe").
 */
static void add_middle(struct line *b, struct core_str v, size_t max,
		       bool command)
{
	size_t head, tail, sep;

	if (v.len <= max || max < 8) {
		line_add(b, v.p, CORE_MIN(v.len, max));
		return;
	}
	head = (max - 3) / (command ? 2 : 3);
	sep = last_separator(v);
	if (!command && sep < v.len && v.len - sep + 3 + 3 <= max)
		head = max - 3 - (v.len - sep);
	tail = v.len - (max - 3 - head);
	while (head > 0 && continuation(v.p, head))
		head--;
	while (tail < v.len && continuation(v.p, tail))
		tail++;
	line_add(b, v.p, head);
	line_add(b, "...", 3);
	line_add(b, v.p + tail, v.len - tail);
}

/*
 * Adds " | name=value" when the value gets at least MIN_VALUE bytes in
 * the n - 1 of the line.  Returns false once the line is full: the value
 * had to be cut to the room left, or no field name fits any more.  What
 * it adds stays within n - 1 bytes, and holds no control byte.
 */
static bool add_field(struct line *b, const struct name *name,
		      struct core_str v, size_t n)
{
	size_t want = 3 + name->len + 1, left, room, cap;
	char fold[FOLD_MAX];
	struct line f = { fold, 0, sizeof(fold), false };
	bool cut;

	left = n - 1 > b->len ? n - 1 - b->len : 0;
	if (left < want + MIN_VALUE)
		return left >= 2 * MIN_VALUE;	/* a shorter name may fit */
	/*
	 * Only a value's two ends can be shown: fold at most FOLD_KEEP bytes
	 * of each, so that a long value never fills f (an attacker's padding
	 * must not push the start of a command line out of the summary).
	 */
	if (v.len > 2 * FOLD_KEEP) {
		add_folded(&f, core_str_make(v.p, FOLD_KEEP));
		line_add(&f, "...", 3);
		add_folded(&f, core_str_make(v.p + v.len - FOLD_KEEP,
					     FOLD_KEEP));
	} else {
		add_folded(&f, v);
	}
	cap = name->long_one ? COMMAND_MAX : VALUE_MAX;
	room = CORE_MIN(left - want, cap);
	cut = f.len > room && room < cap;
	if (f.len) {
		line_add(b, name->label, want);
		add_middle(b, core_str_make(f.p, f.len), room,
			   name->long_one);
	}
	return !cut;
}

/*
 * True when a command line only names the program (Image), quoted or
 * not: it says nothing the summary has not said, and its room goes to
 * the fields after it (the parent of a program started without
 * arguments).
 */
static bool command_is_image(struct core_str cmd, struct core_str image)
{
	cmd = core_str_trim(cmd);
	if (cmd.len >= 2 && cmd.p[0] == '"' && cmd.p[cmd.len - 1] == '"') {
		cmd.p++;
		cmd.len -= 2;
	}
	return image.len && core_str_ieq(cmd, image);
}

/*
 * The Windows summary of r, whose event id and channel (or provider)
 * windows_head() read.
 */
static size_t summary_of(const struct record *r, struct core_str id,
			 struct core_str ch, char *out, size_t n)
{
	struct line b = { out, 0, n - 1, false };
	struct core_str image = CORE_STR_NULL;
	const struct name *w;
	size_t head;

	add_middle(&b, short_channel(ch), 48, false);
	line_addc(&b, ' ');
	add_middle(&b, id, 12, false);
	head = b.len;
	for (size_t i = 0; i < CORE_ARRAY_LEN(salient); i++) {
		struct core_str v = first_set(r, salient[i], &w);

		if (i == SALIENT_IMAGE)
			image = v;
		if (v.len && w == &salient[SALIENT_COMMAND][0] &&
		    command_is_image(v, image))
			continue;
		if (v.len && !add_field(&b, w, v, n))
			break;
	}
	/* Channel and id are not folded: no control byte (NUL) may stay. */
	return line_end(&b, out, n, 0, head);
}

/*
 * A systemd journal record as its syslog line would read ("web1
 * sshd[812]: Failed password for root from ..."): the raw export puts
 * cursors, boot ids and timestamps first, and a cut record loses its
 * MESSAGE.  0 when r holds no journal record.
 */
static size_t summary_journal(const struct record *r, char *out, size_t n)
{
	struct line b = { out, 0, n - 1, false };
	struct core_str m, h, id, p;
	const struct name *w;

	m = first_set(r, journal_msg, &w);
	h = first_set(r, journal_host, &w);
	id = first_set(r, journal_ident, &w);
	if (!m.len || (!h.len && !id.len))
		return 0;
	p = first_set(r, journal_pid, &w);
	if (h.len) {
		add_middle(&b, h, 48, false);
		line_addc(&b, ' ');
	}
	if (id.len)
		add_middle(&b, id, 32, false);
	if (id.len && p.len) {
		line_addc(&b, '[');
		add_middle(&b, p, 12, false);
		line_addc(&b, ']');
	}
	line_add(&b, ": ", 2);
	add_folded(&b, core_str_make(m.p, CORE_MIN(m.len, FOLD_KEEP)));
	return line_end(&b, out, n, 0, n);
}

/*
 * A Suricata EVE record: its type, the signature of an alert and the
 * flow's ends ("EVE alert | signature=ET SCAN ... | 203.0.113.5:4431 ->
 * 10.0.0.2:22 TCP").  0 when r holds no EVE record.
 */
static size_t summary_eve(const struct record *r, char *out, size_t n)
{
	struct core_str t = core_str_trim(lookup(r, eve_type)), v[5], sg;
	struct line b = { out, 0, n - 1, false };
	const struct name *w;

	if (!t.len || !core_str_trim(lookup(r, eve_flow[0])).len)
		return 0;
	for (size_t i = 0; i < CORE_ARRAY_LEN(eve_flow); i++)
		v[i] = first_set(r, eve_flow[i], &w);
	line_add(&b, "EVE ", 4);
	add_middle(&b, t, 24, false);
	sg = first_set(r, eve_sig, &w);
	if (sg.len)
		add_field(&b, &eve_sig[0], sg, n);
	line_add(&b, " | ", 3);
	add_middle(&b, v[0], 48, false);
	if (v[1].len) {
		line_addc(&b, ':');
		add_middle(&b, v[1], 8, false);
	}
	if (v[2].len) {
		line_add(&b, " -> ", 4);
		add_middle(&b, v[2], 48, false);
	}
	if (v[3].len) {
		line_addc(&b, ':');
		add_middle(&b, v[3], 8, false);
	}
	if (v[4].len) {
		line_addc(&b, ' ');
		add_middle(&b, v[4], 12, false);
	}
	return line_end(&b, out, n, 0, n);
}

/*
 * A Cowrie honeypot record: its event and message ("cowrie
 * command.input | 66.79.183.91 | CMD: wget http://..."), what the
 * visitor did, which the raw record buries under key exchange lists.
 * 0 when r holds no Cowrie record.
 */
static size_t summary_cowrie(const struct record *r, char *out, size_t n)
{
	struct line b = { out, 0, n - 1, false };
	struct core_str e, m, a;
	const struct name *w;

	e = first_set(r, cowrie_id, &w);
	m = first_set(r, cowrie_msg, &w);
	if (!core_str_starts(e, "cowrie.") || !m.len)
		return 0;
	a = first_set(r, cowrie_src, &w);
	line_add(&b, "cowrie ", 7);
	add_middle(&b, core_str_make(e.p + 7, e.len - 7), 32, false);
	if (a.len) {
		line_add(&b, " | ", 3);
		add_middle(&b, a, 48, false);
	}
	line_add(&b, " | ", 3);
	add_folded(&b, core_str_make(m.p, CORE_MIN(m.len, FOLD_KEEP)));
	return line_end(&b, out, n, 0, n);
}

/*
 * Writes the summary of an evidence record into out (n bytes,
 * NUL-terminated, at most n - 1 of text): a Windows record's salient
 * fields ("Sysmon 1 | Image=... | CommandLine=..."), from ev's named
 * fields when ev is given, else from the JSON text; a journal, EVE or
 * Cowrie record's from the text, except an EVE record longer than the
 * text, read from ev.  Returns its length; 0 (out empty)
 * when the record is none of those.
 */
size_t incident_evidence_summary(const struct core_event *ev,
				 struct core_str text, char *out, size_t n)
{
	struct record r;
	char scratch[DETECT_EVIDENCE_MAX];
	struct core_str id, ch;
	size_t len;

	if (!n)
		return 0;
	out[0] = '\0';
	pthread_once(&names_once, names_init);
	if (ev && incident_platform_of(ev, text) == INCIDENT_PLAT_WINDOWS) {
		record_of_event(ev, &r);
		if (!windows_head(&r, &id, &ch))
			return 0;
		return summary_of(&r, id, ch, out, n);
	}
	/*
	 * An EVE record cut to its first kilobyte may have lost its alert
	 * object (pretty-printed exports put it last): its event says all.
	 */
	if (ev && text.len < core_event_raw(ev)->len) {
		const struct core_str *ds = core_event_get(
			ev, CORE_F_EVENT_DATASET);

		if (ds && core_str_eq_lit(*ds, "suricata.eve")) {
			record_of_event(ev, &r);
			return summary_eve(&r, out, n);
		}
	}
	/* Journal and EVE records, and correlation evidence: the text. */
	text.len = CORE_MIN(text.len, sizeof(scratch));
	record_of_text(text, &r, scratch, sizeof(scratch));
	if (windows_head(&r, &id, &ch))
		return ev ? 0 : summary_of(&r, id, ch, out, n);
	len = summary_journal(&r, out, n);
	if (!len)
		len = summary_cowrie(&r, out, n);
	return len ? len : summary_eve(&r, out, n);
}
