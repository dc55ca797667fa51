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
 * Workload: once per alert evidence, over at most a few kilobytes.
 */
#include "incident/incident_int.h"

#include <string.h>

#define MAX_PAIRS 128
#define PAIR_SLOTS 256		/* hash slots, twice MAX_PAIRS */
#define VALUE_MAX 56		/* a value's bytes in the summary */
#define COMMAND_MAX 72		/* a command line's */
#define MIN_VALUE 12		/* shorter is not worth showing */
#define FOLD_KEEP 512		/* bytes of each end of a long value read */

_Static_assert(FOLD_KEEP > 2 * COMMAND_MAX && FOLD_KEEP > 2 * VALUE_MAX,
	       "a summary shows at most the ends FOLD_KEEP keeps");

struct pair {
	struct core_str key;
	struct core_str value;
};

/* The pairs of one record, and a hash of their keys: first one wins. */
struct pairs {
	struct pair p[MAX_PAIRS];
	size_t n;
	uint8_t slot[PAIR_SLOTS];	/* index + 1, 0 is free */
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

/* ------------------------------------------------------- the pairs */

static void index_pairs(struct pairs *ps)
{
	memset(ps->slot, 0, sizeof(ps->slot));
	for (size_t i = 0; i < ps->n; i++) {
		struct core_str k = ps->p[i].key;
		size_t h = core_hash(k.p, k.len, 0) & (PAIR_SLOTS - 1);

		while (ps->slot[h] &&
		       !core_str_eq(ps->p[ps->slot[h] - 1].key, k))
			h = (h + 1) & (PAIR_SLOTS - 1);
		if (!ps->slot[h])
			ps->slot[h] = (uint8_t)(i + 1);
	}
}

static struct core_str lookup(const struct pairs *ps, const char *key)
{
	struct core_str k = core_str_make(key, strlen(key));
	size_t h = core_hash(k.p, k.len, 0) & (PAIR_SLOTS - 1);

	for (; ps->slot[h]; h = (h + 1) & (PAIR_SLOTS - 1))
		if (core_str_eq(ps->p[ps->slot[h] - 1].key, k))
			return ps->p[ps->slot[h] - 1].value;
	return CORE_STR_NULL;
}

/* The first of names (NULL-terminated) that is set and says something. */
static struct core_str first_set(const struct pairs *ps,
				 const char *const *names, const char **which)
{
	for (size_t i = 0; names[i]; i++) {
		struct core_str v = core_str_trim(lookup(ps, names[i]));

		if (v.len && !core_str_eq_lit(v, "-")) {
			*which = names[i];
			return v;
		}
	}
	return CORE_STR_NULL;
}

static void pairs_of_event(const struct core_event *ev, struct pairs *ps)
{
	ps->n = 0;
	for (size_t i = 0; i < ev->nfields && ps->n < MAX_PAIRS; i++) {
		const struct core_field *f = &ev->fields[i];

		if (f->id != CORE_F_NAMED)
			continue;
		ps->p[ps->n].key = f->name;
		ps->p[ps->n++].value = f->value;
	}
	index_pairs(ps);
}

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

/*
 * Every leaf "key": value pair of the JSON text, in order.  Tolerant: a
 * record cut in the middle yields the pairs before the cut; text that is
 * no JSON yields none.  String values are unescaped into scratch.
 */
static void walk_text(struct core_str t, struct pairs *ps, char *scratch,
		      size_t cap)
{
	size_t i = 0, used = 0;

	ps->n = 0;
	memset(ps->slot, 0, sizeof(ps->slot));
	if (!t.len || t.p[0] != '{')
		return;
	while (i < t.len && ps->n < MAX_PAIRS) {
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
		ps->p[ps->n].key = core_str_make(t.p + i + 1, k - i - 2);
		if (t.p[v] == '"') {
			e = string_end(t, v);
			if (!e)
				return;
			ps->p[ps->n++].value = unescape(t, v, e, scratch,
							&used, cap);
		} else if (t.p[v] == '{' || t.p[v] == '[') {
			e = v + 1;
		} else {
			e = bare_end(t, v);
			ps->p[ps->n++].value = core_str_make(t.p + v, e - v);
		}
		i = e;
	}
}

static void pairs_of_text(struct core_str t, struct pairs *ps, char *scratch,
			  size_t cap)
{
	walk_text(t, ps, scratch, cap);
	index_pairs(ps);
}

/* -------------------------------------------------------- platform */

static const char *const event_id_names[] = { "EventID", "event_id", NULL };
static const char *const channel_names[] = {
	"Channel", "channel", "log_name", NULL,
};
static const char *const provider_names[] = {
	"Provider_Name", "provider_name", "source_name", NULL,
};

/* A Windows record: an event id and a channel or provider. */
static bool windows_pairs(const struct pairs *ps)
{
	const char *w;

	return first_set(ps, event_id_names, &w).len &&
	       (first_set(ps, channel_names, &w).len ||
		first_set(ps, provider_names, &w).len);
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
	struct pairs ps;
	char scratch[DETECT_EVIDENCE_MAX];
	const struct core_str *ds;
	enum incident_platform p;

	if (ev) {
		ds = core_event_get(ev, CORE_F_EVENT_DATASET);
		p = ds ? platform_of_dataset(*ds) : INCIDENT_PLAT_OTHER;
		return p != INCIDENT_PLAT_OTHER ? p :
		       platform_of_format(ev->format);
	}
	text.len = CORE_MIN(text.len, sizeof(scratch));
	pairs_of_text(text, &ps, scratch, sizeof(scratch));
	if (windows_pairs(&ps))
		return INCIDENT_PLAT_WINDOWS;
	if (incident_request_in_text(text).len)
		return INCIDENT_PLAT_WEB;
	return INCIDENT_PLAT_OTHER;
}

/* --------------------------------------------------------- summary */

/*
 * The salient names, most telling first; a row lists names that say the
 * same thing in different events (Sysmon's Image, Security's
 * NewProcessName), of which the first present is shown.
 */
static const char *const salient[][4] = {
	{ "Image", "NewProcessName", "ProcessName", NULL },
	{ "SourceImage", NULL },
	{ "TargetImage", NULL },
	{ "GrantedAccess", NULL },
	{ "CommandLine", NULL },
	{ "ParentImage", "ParentProcessName", NULL },
	/*
	 * WMI event subscriptions, before the user who made them: Sysmon 21
	 * binds a Consumer to a Filter, Sysmon 19 names a filter and its
	 * Query, Sysmon 20 a consumer, its Type and what it runs.
	 */
	{ "Consumer", NULL },
	{ "Filter", NULL },
	{ "Name", NULL },
	{ "Type", NULL },
	{ "Destination", NULL },
	{ "Query", NULL },
	{ "TargetUserName", NULL },
	{ "SubjectUserName", "User", NULL },
	{ "IpAddress", "SourceIp", "SourceAddress", NULL },
	{ "WorkstationName", NULL },
	{ "LogonType", NULL },
	{ "ServiceName", NULL },
	{ "ImagePath", "ServiceFileName", NULL },
	{ "TaskName", NULL },
	{ "TargetObject", NULL },
	{ "Details", NULL },
	{ "PipeName", NULL },
	{ "TargetFilename", NULL },
	{ "ImageLoaded", NULL },
	{ "QueryName", NULL },
	{ "DestinationIp", "DestAddress", NULL },
	{ "DestinationPort", "DestPort", NULL },
	{ "ShareName", NULL },
	{ "RelativeTargetName", NULL },
	{ "TicketEncryptionType", NULL },
	{ "MemberName", NULL },
	{ "ThreatName", NULL },
	{ "ScriptBlockText", "Payload", NULL },
	{ "StartFunction", NULL },
	{ "url", NULL },
	{ "jobTitle", NULL },
	{ "Path", NULL },
	{ "Param1", NULL },
	{ "Param3", NULL },
	/* Unnamed items (classic PowerShell, MSSQL, MSI): what they say. */
	{ "Data", NULL },
};

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
 */
static void add_folded(struct core_buf *b, struct core_str v)
{
	bool blank = false;

	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];
		size_t sid = c == 'S' ? sid_domain_len(v, i) : 0;

		if (sid) {
			if (blank)
				core_buf_addc(b, ' ');
			blank = false;
			core_buf_add(b, "S-1-5-21-...-", 13);
			i += sid - 1;
			continue;
		}
		if (c <= ' ' || c == 0x7f) {
			blank = true;
			continue;
		}
		if (blank)
			core_buf_addc(b, ' ');
		blank = false;
		core_buf_addc(b, (char)c);
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
static void add_middle(struct core_buf *b, struct core_str v, size_t max,
		       bool command)
{
	size_t head, tail, sep;

	if (v.len <= max || max < 8) {
		core_buf_add(b, v.p, CORE_MIN(v.len, max));
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
	core_buf_add(b, v.p, head);
	core_buf_add(b, "...", 3);
	core_buf_add(b, v.p + tail, v.len - tail);
}

/*
 * Adds " | name=value" when the value gets at least MIN_VALUE bytes in
 * the n - 1 of the line.  Returns false once the line is full: the value
 * had to be cut to the room left, or no field name fits any more.
 */
static bool add_field(struct core_buf *b, const char *name,
		      struct core_str v, size_t n)
{
	size_t want = 3 + strlen(name) + 1, left, room, cap;
	bool long_one = strcmp(name, "CommandLine") == 0 ||
			strcmp(name, "ScriptBlockText") == 0 ||
			strcmp(name, "Destination") == 0 ||
			strcmp(name, "Query") == 0 ||
			strcmp(name, "Data") == 0;
	struct core_buf f;
	bool cut;

	left = n - 1 > b->len ? n - 1 - b->len : 0;
	if (left < want + MIN_VALUE)
		return left >= 2 * MIN_VALUE;	/* a shorter name may fit */
	/*
	 * Only a value's two ends can be shown: fold at most FOLD_KEEP bytes
	 * of each, so that a long value never fills f (an attacker's padding
	 * must not push the start of a command line out of the summary).
	 */
	core_buf_init(&f, 4 * FOLD_KEEP);
	if (v.len > 2 * FOLD_KEEP) {
		add_folded(&f, core_str_make(v.p, FOLD_KEEP));
		core_buf_add(&f, "...", 3);
		add_folded(&f, core_str_make(v.p + v.len - FOLD_KEEP,
					     FOLD_KEEP));
	} else {
		add_folded(&f, v);
	}
	cap = long_one ? COMMAND_MAX : VALUE_MAX;
	room = CORE_MIN(left - want, cap);
	cut = f.len > room && room < cap;
	if (f.len) {
		core_buf_printf(b, " | %s=", name);
		add_middle(b, core_str_make(f.p, f.len), room, long_one);
	}
	core_buf_free(&f);
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

static size_t summary_of(const struct pairs *ps, char *out, size_t n)
{
	struct core_str id, ch;
	struct core_buf b;
	const char *w, *wi;
	size_t len;

	if (!n || !windows_pairs(ps))
		return 0;
	id = first_set(ps, event_id_names, &w);
	ch = first_set(ps, channel_names, &w);
	if (!ch.len)
		ch = first_set(ps, provider_names, &w);
	core_buf_init(&b, n);
	add_middle(&b, short_channel(ch), 48, false);
	core_buf_addc(&b, ' ');
	add_middle(&b, id, 12, false);
	for (size_t i = 0; i < CORE_ARRAY_LEN(salient); i++) {
		struct core_str v = first_set(ps, salient[i], &w);

		if (v.len && strcmp(w, "CommandLine") == 0 &&
		    command_is_image(v, first_set(ps, salient[0], &wi)))
			continue;
		if (v.len && !add_field(&b, w, v, n))
			break;
	}
	len = CORE_MIN(b.len, n - 1);
	memcpy(out, b.p ? b.p : "", len);
	out[len] = '\0';
	/* Channel and id are not folded: no control byte (NUL) may stay. */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)out[i] < ' ' || out[i] == 0x7f)
			out[i] = ' ';
	core_buf_free(&b);
	return len;
}

/* Copies b (at most n - 1 bytes, control bytes as spaces) into out. */
static size_t line_out(const struct core_buf *b, char *out, size_t n)
{
	size_t len = CORE_MIN(b->len, n - 1);

	memcpy(out, b->p ? b->p : "", len);
	out[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)out[i] < ' ' || out[i] == 0x7f)
			out[i] = ' ';
	return len;
}

/*
 * A systemd journal record as its syslog line would read ("web1
 * sshd[812]: Failed password for root from ..."): the raw export puts
 * cursors, boot ids and timestamps first, and a cut record loses its
 * MESSAGE.  0 when ps holds no journal record.
 */
static size_t summary_journal(const struct pairs *ps, char *out, size_t n)
{
	static const char *const host[] = { "_HOSTNAME", NULL };
	static const char *const ident[] = {
		"SYSLOG_IDENTIFIER", "_COMM", NULL,
	};
	static const char *const pid[] = { "_PID", "SYSLOG_PID", NULL };
	static const char *const msg[] = { "MESSAGE", NULL };
	struct core_str m, h, id, p;
	struct core_buf b;
	const char *w;
	size_t len;

	m = first_set(ps, msg, &w);
	h = first_set(ps, host, &w);
	id = first_set(ps, ident, &w);
	if (!m.len || (!h.len && !id.len))
		return 0;
	p = first_set(ps, pid, &w);
	core_buf_init(&b, n);
	if (h.len) {
		add_middle(&b, h, 48, false);
		core_buf_addc(&b, ' ');
	}
	if (id.len)
		add_middle(&b, id, 32, false);
	if (id.len && p.len) {
		core_buf_addc(&b, '[');
		add_middle(&b, p, 12, false);
		core_buf_addc(&b, ']');
	}
	core_buf_add(&b, ": ", 2);
	add_folded(&b, core_str_make(m.p, CORE_MIN(m.len, FOLD_KEEP)));
	len = line_out(&b, out, n);
	core_buf_free(&b);
	return len;
}

/*
 * A Suricata EVE record: its type, the signature of an alert and the
 * flow's ends ("EVE alert | signature=ET SCAN ... | 203.0.113.5:4431 ->
 * 10.0.0.2:22 TCP").  0 when ps holds no EVE record.
 */
static size_t summary_eve(const struct pairs *ps, char *out, size_t n)
{
	static const char *const type[] = { "event_type", NULL };
	static const char *const sig[] = { "signature", NULL };
	static const char *const names[][2] = {
		{ "src_ip", NULL }, { "src_port", NULL },
		{ "dest_ip", NULL }, { "dest_port", NULL }, { "proto", NULL },
	};
	struct core_str t = core_str_trim(lookup(ps, type[0])), v[5], sg;
	struct core_buf b;
	const char *w;
	size_t len;

	if (!t.len || !core_str_trim(lookup(ps, names[0][0])).len)
		return 0;
	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++)
		v[i] = first_set(ps, names[i], &w);
	core_buf_init(&b, n);
	core_buf_add(&b, "EVE ", 4);
	add_middle(&b, t, 24, false);
	sg = first_set(ps, sig, &w);
	if (sg.len)
		add_field(&b, "signature", sg, n);
	core_buf_add(&b, " | ", 3);
	add_middle(&b, v[0], 48, false);
	if (v[1].len) {
		core_buf_addc(&b, ':');
		add_middle(&b, v[1], 8, false);
	}
	if (v[2].len) {
		core_buf_add(&b, " -> ", 4);
		add_middle(&b, v[2], 48, false);
	}
	if (v[3].len) {
		core_buf_addc(&b, ':');
		add_middle(&b, v[3], 8, false);
	}
	if (v[4].len) {
		core_buf_addc(&b, ' ');
		add_middle(&b, v[4], 12, false);
	}
	len = line_out(&b, out, n);
	core_buf_free(&b);
	return len;
}

/*
 * A Cowrie honeypot record: its event and message ("cowrie
 * command.input | 66.79.183.91 | CMD: wget http://..."), what the
 * visitor did, which the raw record buries under key exchange lists.
 * 0 when ps holds no Cowrie record.
 */
static size_t summary_cowrie(const struct pairs *ps, char *out, size_t n)
{
	static const char *const id[] = { "eventid", NULL };
	static const char *const src[] = { "src_ip", NULL };
	static const char *const msg[] = { "message", NULL };
	struct core_str e, m, a;
	struct core_buf b;
	const char *w;
	size_t len;

	e = first_set(ps, id, &w);
	m = first_set(ps, msg, &w);
	if (!core_str_starts(e, "cowrie.") || !m.len)
		return 0;
	a = first_set(ps, src, &w);
	core_buf_init(&b, n);
	core_buf_add(&b, "cowrie ", 7);
	add_middle(&b, core_str_make(e.p + 7, e.len - 7), 32, false);
	if (a.len) {
		core_buf_add(&b, " | ", 3);
		add_middle(&b, a, 48, false);
	}
	core_buf_add(&b, " | ", 3);
	add_folded(&b, core_str_make(m.p, CORE_MIN(m.len, FOLD_KEEP)));
	len = line_out(&b, out, n);
	core_buf_free(&b);
	return len;
}

/*
 * Writes the summary of an evidence record into out (n bytes,
 * NUL-terminated, at most n - 1 of text): a Windows record's salient
 * fields ("Sysmon 1 | Image=... | CommandLine=..."), from ev's named
 * fields when ev is given, else from the JSON text; a journal, EVE or
 * Cowrie record's from the text.  Returns its length; 0 (out empty)
 * when the record is none of those.
 */
size_t incident_evidence_summary(const struct core_event *ev,
				 struct core_str text, char *out, size_t n)
{
	struct pairs ps;
	char scratch[DETECT_EVIDENCE_MAX];
	size_t len;

	if (n)
		out[0] = '\0';
	if (!n)
		return 0;
	if (ev && incident_platform_of(ev, text) == INCIDENT_PLAT_WINDOWS) {
		pairs_of_event(ev, &ps);
		return summary_of(&ps, out, n);
	}
	/* Journal and EVE records, and correlation evidence: the text. */
	text.len = CORE_MIN(text.len, sizeof(scratch));
	pairs_of_text(text, &ps, scratch, sizeof(scratch));
	if (windows_pairs(&ps))
		return ev ? 0 : summary_of(&ps, out, n);
	len = summary_journal(&ps, out, n);
	if (!len)
		len = summary_cowrie(&ps, out, n);
	return len ? len : summary_eve(&ps, out, n);
}
