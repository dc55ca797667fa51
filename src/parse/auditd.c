/*
 * auditd.c: the Linux audit log as auditd writes it (audit.log).
 *
 *   type=SYSCALL msg=audit(1709287200.123:4567): arch=c000003e
 *     syscall=59 success=yes exit=0 a0=55d0 ... comm="curl"
 *     exe="/usr/bin/curl" key="exec"
 *   type=EXECVE msg=audit(1709287200.123:4567): argc=3 a0="curl"
 *     a1="-o" a2=2F746D702F612062
 *
 * A record may start "node=NAME " (a host's name, in logs that gather
 * several) and, with log_format=ENRICHED, end in a GS byte (0x1d) and
 * the values translated to names ("UID=\"root\" SYSCALL=execve").  Every
 * key=value pair becomes a field of its own key, as the JSON exports of
 * audit records name them (data/logsources.yml, service auditd):
 * type, syscall, a0, exe ..., and the enriched SYSCALL, UID, AUID.  A
 * quoted value is taken without its quotes.  auditd writes a value that
 * may hold spaces, quotes or control bytes (EXECVE's arguments,
 * proctitle, comm, exe, cwd, name ...) in upper-case hex instead: such a
 * value is decoded, its NULs (proctitle's argument separators) read as
 * spaces.  SYSCALL's a0 to a3 are numbers in hex and stay as they are.
 *
 * The time is the record's own (seconds and milliseconds since the
 * epoch, UTC); the serial after the colon, which the records of one
 * event share, is audit.sequence.  ECS: event.dataset linux.auditd,
 * host.name from node, process.pid and process.name (pid, comm),
 * user.name from the enriched AUID, else acct; source.ip from addr (a
 * login's or an authentication's peer), event.outcome from res; an
 * EXECVE's arguments joined are process.command_line.  message is the
 * text after the header, so keyword rules see the pairs.  A raw SYSCALL
 * record (no enriched names) gets SYSCALL and ARCH as an enriched one
 * would say them, from its syscall number and arch (audit_syscalls.h),
 * for the rules that test the names.
 *
 * The records of one event that tell what its process did (EXECVE,
 * PROCTITLE, PATH, SOCKADDR) get the process's pid, uid, auid, exe ...
 * from the event's SYSCALL record (parse_audit_track()), so that an
 * EXECVE alert names the process; the records of a login session that
 * name no user get the account its login opened the session for.
 *
 * Workload: every line of an audit log.  Values point into the record
 * but for decoded hex and the joined command line, which go to the
 * event's arena.
 */
#include "parse/parse_int.h"
#include "parse/audit_syscalls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SET_NAMED(ev, lit, v)                                                \
	core_event_set_named((ev), (lit), sizeof(lit) - 1, (v).p, (v).len)

/* Pairs of one record read (an EXECVE record holds up to about 7.5 KB
 * of arguments; the event keeps CORE_EVENT_MAX_FIELDS fields). */
#define AUDIT_MAX_PAIRS 320

/* Where a pair stood: as the kernel wrote it (before msg='...'), inside
 * a USER_* record's msg='...' (a program's text), after the GS. */
enum pair_from { FROM_KERNEL, FROM_MSG, FROM_ENRICHED };

struct pair {
	struct core_str key, value;
	bool quoted;
	uint8_t from;		/* enum pair_from */
};

/* An EXECVE argument's name: "a" and digits; its number, else -1.  With
 * part, "aN[K]" (a piece of a long argument) is taken too. */
static int arg_index(struct core_str k, bool part)
{
	int v = 0;
	size_t i = 1;

	if (k.len < 2 || k.p[0] != 'a')
		return -1;
	for (; i < k.len && i < 5 && k.p[i] >= '0' && k.p[i] <= '9'; i++)
		v = v * 10 + (k.p[i] - '0');
	if (i == 1)
		return -1;
	if (i == k.len)
		return part ? -1 : v;
	return part && k.p[i] == '[' && k.p[k.len - 1] == ']' ? v : -1;
}

/* Keys whose values auditd writes in hex when they hold unsafe bytes
 * (its field table's "encoded" ones). */
static bool may_be_hex(struct core_str type, struct core_str key)
{
	static const char *const names[] = {
		"proctitle", "comm", "exe", "cwd", "name", "cmd", "acct",
		"key", "data", "old-chardev", "new-chardev", "grp", "new_group",
		"path", "ocomm", "dir", "file", "watch", "cgroup", "vm", "sw",
		"new-fs", "old-fs", "root_dir", "new-disk", "old-disk",
	};

	if (core_str_eq_lit(type, "EXECVE") && arg_index(key, false) >= 0)
		return true;
	for (size_t i = 0; i < CORE_ARRAY_LEN(names); i++) {
		if (core_str_eq_lit(key, names[i]))
			return true;
	}
	return false;
}

/* v decoded from upper-case hex into a, NULs read as spaces; v itself
 * when it is not such hex (or a is NULL). */
static struct core_str unhex(struct core_arena *a, struct core_str v)
{
	char *out;

	if (a == NULL || v.len < 2 || v.len % 2)
		return v;
	for (size_t i = 0; i < v.len; i++) {
		char c = v.p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
			return v;
	}
	out = core_arena_alloc(a, v.len / 2);
	if (out == NULL)
		return v;
	for (size_t i = 0; i < v.len / 2; i++) {
		char c = (char)(core_hex_digit(v.p[2 * i]) << 4 |
				core_hex_digit(v.p[2 * i + 1]));

		out[i] = c == '\0' ? ' ' : c;
	}
	return core_str_make(out, v.len / 2);
}

/*
 * Splits s into key=value pairs: a value is "quoted" (to the closing
 * quote), 'quoted' (to the last ' of s: only a USER_* record's msg is,
 * and the pairs nested in it may hold a ' in a quoted login name) or
 * bare (to the next space); a word with no '=' (an AVC record's "denied
 * { read } for") is passed over.  Returns how many, or -1 when a quote
 * is not closed; *cut is set when more than max stood there.
 */
static int split(struct core_str s, struct pair *out, int max, bool *cut)
{
	size_t i = 0;
	int n = 0;

	while (i < s.len) {
		size_t k = i, v;
		char q;

		if (s.p[i] == ' ') {
			i++;
			continue;
		}
		while (i < s.len && s.p[i] != '=' && s.p[i] != ' ')
			i++;
		if (i == s.len || s.p[i] != '=' || i == k) {
			while (i < s.len && s.p[i] != ' ')
				i++;
			continue;
		}
		if (n == max) {
			*cut = true;
			return n;
		}
		out[n].key = core_str_make(s.p + k, i - k);
		v = ++i;
		q = v < s.len ? s.p[v] : 0;
		if (q == '"' || q == '\'') {
			const char *end = q == '"' ?
				memchr(s.p + v + 1, q, s.len - v - 1) :
				memrchr(s.p + v + 1, q, s.len - v - 1);
			size_t e;

			if (end == NULL)
				return -1;
			e = (size_t)(end - s.p);
			out[n].value = core_str_make(s.p + v + 1, e - v - 1);
			out[n++].quoted = true;
			i = e + 1;
			continue;
		}
		while (i < s.len && s.p[i] != ' ')
			i++;
		out[n].value = core_str_make(s.p + v, i - v);
		out[n++].quoted = false;
	}
	return n;
}

/* "audit(SECS.MS:SERIAL):" at the start of s: the time and the serial;
 * s is left after the colon that closes it. */
static bool header(struct core_str *s, int64_t *ts, struct core_str *serial)
{
	uint64_t sec = 0, ms = 0;
	size_t i = 6, k;

	if (!core_str_starts(*s, "audit("))
		return false;
	for (k = i; i < s->len && s->p[i] >= '0' && s->p[i] <= '9'; i++)
		sec = sec * 10 + (uint64_t)(s->p[i] - '0');
	if (i == k || i - k > 12 || i == s->len || s->p[i] != '.')
		return false;
	for (k = ++i; i < s->len && s->p[i] >= '0' && s->p[i] <= '9'; i++)
		ms = ms * 10 + (uint64_t)(s->p[i] - '0');
	if (i - k != 3 || i == s->len || s->p[i] != ':')
		return false;
	for (k = ++i; i < s->len && s->p[i] >= '0' && s->p[i] <= '9'; i++)
		;
	if (i == k || i + 1 >= s->len || s->p[i] != ')' || s->p[i + 1] != ':')
		return false;
	*serial = core_str_make(s->p + k, i - k);
	*ts = (int64_t)sec * 1000000 + (int64_t)ms * 1000;
	*s = core_str_make(s->p + i + 2, s->len - i - 2);
	return true;
}

/* An EXECVE's a0 a1 ... (up to argc) joined by spaces, in the arena. */
static void command_line(struct core_event *ev, const struct pair *p, int n)
{
	size_t len = 0;
	char *out;

	if (ev->arena == NULL)
		return;
	for (int i = 0; i < n; i++)
		len += p[i].value.len + 1;
	if (len == 0 || (out = core_arena_alloc(ev->arena, len)) == NULL)
		return;
	len = 0;
	for (int i = 0; i < n; i++) {
		memcpy(out + len, p[i].value.p, p[i].value.len);
		len += p[i].value.len;
		out[len++] = ' ';
	}
	core_event_set(ev, CORE_F_PROCESS_COMMAND_LINE, out, len - 1);
}

/* What precedes a record's pairs. */
struct head {
	struct core_str node, type, serial;
	struct core_str body;		/* the pairs */
	struct core_str enriched;	/* after GS, or empty */
	int64_t ts;
};

/* "[node=N ]type=T msg=audit(...): " and the GS split of the rest. */
static bool head_parse(struct core_str s, struct head *h)
{
	const char *sep;

	memset(h, 0, sizeof(*h));
	if (core_str_starts(s, "node=")) {
		sep = memchr(s.p, ' ', s.len);
		if (sep == NULL)
			return false;
		h->node = core_str_make(s.p + 5, (size_t)(sep - s.p) - 5);
		s = core_str_make(sep + 1, s.len - (size_t)(sep + 1 - s.p));
	}
	if (!core_str_starts(s, "type="))
		return false;
	sep = memchr(s.p, ' ', s.len);
	if (sep == NULL)
		return false;
	h->type = core_str_make(s.p + 5, (size_t)(sep - s.p) - 5);
	s = core_str_make(sep + 1, s.len - (size_t)(sep + 1 - s.p));
	if (h->type.len == 0 || !core_str_starts(s, "msg="))
		return false;
	s = core_str_make(s.p + 4, s.len - 4);
	if (!header(&s, &h->ts, &h->serial))
		return false;
	/*
	 * The enriched part follows the record's last GS, and no quote
	 * follows it: a GS a program wrote inside msg='...' has the
	 * kernel's closing quote after it, and stays text.
	 */
	sep = memrchr(s.p, 0x1d, s.len);
	if (sep != NULL &&
	    memchr(sep, '\'', s.len - (size_t)(sep - s.p)) != NULL)
		sep = NULL;
	if (sep != NULL) {
		h->enriched = core_str_trim(core_str_make(
			sep + 1, s.len - (size_t)(sep + 1 - s.p)));
		s = core_str_make(s.p, (size_t)(sep - s.p));
	}
	h->body = core_str_trim(s);
	return true;
}

/* The pairs of h into p: the body's, a USER_* record's nested
 * msg='...' ones, the enriched ones.  -1 on an unclosed quote. */
static int pairs_of(const struct head *h, struct pair *p, bool *cut)
{
	int n = split(h->body, p, AUDIT_MAX_PAIRS, cut), k;

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++)
		p[i].from = FROM_KERNEL;
	for (int i = 0, end = n; i < end; i++) {
		if (!core_str_eq_lit(p[i].key, "msg") || !p[i].quoted)
			continue;
		k = split(p[i].value, p + n, AUDIT_MAX_PAIRS - n, cut);
		for (int j = 0; j < k; j++)
			p[n + j].from = FROM_MSG;
		n += k > 0 ? k : 0;
	}
	k = h->enriched.len ? split(h->enriched, p + n, AUDIT_MAX_PAIRS - n,
				    cut) : 0;
	for (int j = 0; j < k; j++)
		p[n + j].from = FROM_ENRICHED;
	return n + (k > 0 ? k : 0);
}

/* Sets the ECS fields a pair gives; with !overwrite, only those the
 * event lacks. */
static void pair_ecs(struct core_event *ev, struct core_str key,
		     struct core_str v, bool overwrite)
{
	struct core_ip ip;
	enum core_field_id f = CORE_F__COUNT;

	if (core_str_eq_lit(key, "addr") && core_ip_parse(v.p, v.len, &ip))
		f = CORE_F_SOURCE_IP;
	else if (core_str_eq_lit(key, "res") &&
		 (core_str_eq_lit(v, "success") ||
		  core_str_eq_lit(v, "failed")))
		f = CORE_F_EVENT_OUTCOME;
	else if (core_str_eq_lit(key, "pid"))
		f = CORE_F_PROCESS_PID;
	else if (core_str_eq_lit(key, "comm"))
		f = CORE_F_PROCESS_NAME;
	else if ((core_str_eq_lit(key, "AUID") &&
		  !core_str_eq_lit(v, "unset")) ||
		 (core_str_eq_lit(key, "acct") &&
		  !core_event_get(ev, CORE_F_USER_NAME)))
		f = CORE_F_USER_NAME;
	if (f == CORE_F__COUNT || (!overwrite && core_event_get(ev, f)))
		return;
	if (f == CORE_F_EVENT_OUTCOME)
		core_event_set_lit(ev, f, v.p[0] == 's' ? "success" :
				   "failure");
	else
		core_event_set_str(ev, f, v);
}

/*
 * The pieces of a long EXECVE argument ("a1[0]=... a1[1]=...", after
 * "a1_len=N") joined, in hex as written, then decoded; field aN.
 */
struct long_arg {
	int n;			/* the argument, or -1 */
	struct core_buf hex;
};

static void long_arg_end(struct core_event *ev, struct long_arg *la,
			 struct pair *args, int *nargs)
{
	char name[8];
	struct core_str v;

	if (la->n < 0)
		return;
	v = core_arena_strdup(ev->arena, la->hex.p ? la->hex.p : "",
			      la->hex.len);
	if (v.p != NULL) {
		v = unhex(ev->arena, v);
		snprintf(name, sizeof(name), "a%d", la->n);
		core_event_set_named(ev, core_arena_strdup(ev->arena, name,
				     strlen(name)).p, strlen(name), v.p, v.len);
		if (la->n == *nargs) {
			args[*nargs].value = v;
			(*nargs)++;
		}
	}
	la->n = -1;
	core_buf_reset(&la->hex);
}

/*
 * SYSCALL and ARCH of a raw SYSCALL record, named from its syscall= and
 * arch= as log_format=ENRICHED names them, where the record has none.
 */
static void syscall_names(struct core_event *ev)
{
	const struct core_str *nr = core_event_get_named(ev, "syscall", 7);
	const struct core_str *arch = core_event_get_named(ev, "arch", 4);
	uint64_t v;

	if (nr == NULL || arch == NULL || !core_str_to_u64(*nr, &v) ||
	    core_event_get_named(ev, "SYSCALL", 7) != NULL)
		return;
	for (size_t i = 0; i < CORE_ARRAY_LEN(audit_archs); i++) {
		const struct audit_arch *a = &audit_archs[i];
		struct core_str want = { a->arch, strlen(a->arch) };
		const char *name;

		if (!core_str_ieq(*arch, want))
			continue;
		name = v < a->n ? a->syscalls[v] : NULL;
		if (name != NULL)
			core_event_set_named(ev, "SYSCALL", 7, name,
					     strlen(name));
		if (core_event_get_named(ev, "ARCH", 4) == NULL)
			core_event_set_named(ev, "ARCH", 4, a->name,
					     strlen(a->name));
		return;
	}
}

/*
 * True for a key that names what the header gives (type,
 * audit.sequence) or an ECS field (message, user.name ...): such pairs
 * are passed over, so that text a user controls in a record (a login
 * name in a nested msg) cannot pose as another record or set a field
 * vigil derives.  Audit field names hold no dot.
 */
static bool header_key(struct core_str key)
{
	return core_str_eq_lit(key, "type") ||
	       core_str_eq_lit(key, "audit.sequence") ||
	       core_field_lookup(key.p, key.len) != CORE_F_NAMED;
}

/*
 * Is pair i not the kernel's, but a key a kernel pair of p has, or,
 * inside msg='...', an enriched name (upper case: AUID, UID ...), which
 * only auditd writes, after the record?
 */
static bool kernel_said(const struct pair *p, int n, int i)
{
	if (p[i].from == FROM_KERNEL)
		return false;
	if (p[i].from == FROM_MSG && p[i].key.p[0] >= 'A' &&
	    p[i].key.p[0] <= 'Z')
		return true;
	for (int j = 0; j < n && p[j].from == FROM_KERNEL; j++)
		if (core_str_eq(p[j].key, p[i].key))
			return true;
	return false;
}

/*
 * Decodes one audit.log line into ev (reset by the caller; ev->arena
 * holds decoded values, and may be NULL: hex then stays hex).  Returns
 * 0, or CORE_E_PARSE when line is no audit record or a quote in it is
 * not closed.  Pairs past AUDIT_MAX_PAIRS count as dropped fields.
 */
int parse_auditd_record(const struct parse_ctx *ctx, struct core_event *ev,
			struct core_str line)
{
	struct pair p[AUDIT_MAX_PAIRS], args[AUDIT_MAX_PAIRS];
	struct long_arg la = { -1, { 0 } };
	struct head h;
	bool cut = false, execve;
	int n, nargs = 0;

	(void)ctx;
	if (!head_parse(line, &h) || (n = pairs_of(&h, p, &cut)) < 0)
		return CORE_E_PARSE;
	execve = core_str_eq_lit(h.type, "EXECVE");
	ev->ts = h.ts;
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "linux.auditd");
	SET_NAMED(ev, "type", h.type);
	SET_NAMED(ev, "audit.sequence", h.serial);
	if (h.node.len)
		core_event_set_str(ev, CORE_F_HOST_NAME, h.node);
	core_event_set_str(ev, CORE_F_MESSAGE, h.body);
	core_buf_init(&la.hex, 1 << 20);
	for (int i = 0; i < n; i++) {
		struct core_str v = p[i].value;
		int a = execve ? arg_index(p[i].key, true) : -1;

		if (a >= 0 && ev->arena != NULL) {
			if (a != la.n)
				long_arg_end(ev, &la, args, &nargs);
			la.n = a;
			core_buf_add(&la.hex, v.p, v.len);
			continue;
		}
		long_arg_end(ev, &la, args, &nargs);
		/* What the kernel wrote before msg='...' stands: text a
		 * program wrote inside it may not say ses= or auid= again. */
		if (header_key(p[i].key) || kernel_said(p, n, i))
			continue;
		if (!p[i].quoted && may_be_hex(h.type, p[i].key))
			v = unhex(ev->arena, v);
		core_event_set_named(ev, p[i].key.p, p[i].key.len, v.p, v.len);
		if (execve && arg_index(p[i].key, false) == nargs)
			args[nargs++].value = v;
		pair_ecs(ev, p[i].key, v, true);
	}
	long_arg_end(ev, &la, args, &nargs);
	core_buf_free(&la.hex);
	if (nargs > 0)
		command_line(ev, args, nargs);
	if (core_str_eq_lit(h.type, "SYSCALL"))
		syscall_names(ev);
	if (cut && ev->truncated < UINT16_MAX)
		ev->truncated++;
	return 0;
}

/* ------------------------------------------------ the records of one event */

/*
 * The SYSCALL records of the last AUDIT_SLOTS events, each under its
 * exact time, serial and node (records of events in flight at once may
 * interleave), the oldest replaced first.  Values of AUDIT_VALUE_MAX
 * bytes or more, and nodes longer than AUDIT_NODE_MAX, are not kept.
 */
#define AUDIT_SLOTS 16
#define AUDIT_KEPT 10
#define AUDIT_VALUE_MAX 256
#define AUDIT_NODE_MAX 255
#define AUDIT_SERIAL_MAX 20

static const char *const audit_kept[AUDIT_KEPT] = {
	"pid", "ppid", "uid", "auid", "ses", "tty", "exe", "comm", "UID",
	"AUID",
};

struct audit_slot {
	bool used;
	int64_t ts;
	uint8_t serial_len, node_len;
	char serial[AUDIT_SERIAL_MAX];
	char node[AUDIT_NODE_MAX];
	uint16_t len[AUDIT_KEPT];
	bool set[AUDIT_KEPT];
	char v[AUDIT_KEPT][AUDIT_VALUE_MAX];
};

/*
 * The account of a login session.  The kernel writes a LOGIN record
 * when a login program sets a process's login uid (pid=, auid=, the new
 * ses=); PAM's USER_START of that same process opening the session
 * (op=PAM:session_open) names the account (acct=).  The session's later
 * records (its commands, as SYSCALL and EXECVE) name it only by number
 * (auid, ses) unless the log is enriched: those of the same input, node,
 * session and auid get the account as user.name.  Only a LOGIN by root
 * (uid=0: sshd, login) counts; sudo and su open sessions of root inside
 * the user's from other processes, and are not taken even from the
 * login's own.  A new LOGIN of the same session number (after a reboot)
 * starts afresh, as does DAEMON_START; a session closed by its process
 * is forgotten; past AUDIT_SESSIONS the least recently used goes.
 */
#define AUDIT_SESSIONS 64
#define AUDIT_NUM_MAX 10	/* digits of a 32-bit id */
#define AUDIT_ACCT_MAX 64

struct audit_session {
	bool used;
	uint64_t src;		/* the input's name, hashed */
	uint64_t last;		/* when last used (a tick) */
	uint8_t ses_len, node_len, auid_len, pid_len, acct_len;
	char ses[AUDIT_NUM_MAX];
	char auid[AUDIT_NUM_MAX];
	char pid[AUDIT_NUM_MAX];
	char node[AUDIT_NODE_MAX];
	char acct[AUDIT_ACCT_MAX];
};

struct parse_audit {
	struct audit_slot slot[AUDIT_SLOTS];
	unsigned next;		/* the slot to replace */
	struct audit_session ses[AUDIT_SESSIONS];
	uint64_t tick;
};

struct parse_audit *parse_audit_new(void)
{
	return calloc(1, sizeof(struct parse_audit));
}

void parse_audit_free(struct parse_audit *a)
{
	free(a);
}

/* The event's serial and node; false when it has no serial or either is
 * too long to be kept. */
static bool event_id(const struct core_event *ev, struct core_str *serial,
		     struct core_str *node)
{
	const struct core_str *s = core_event_get_named(ev, "audit.sequence",
							14);
	const struct core_str *n = core_event_get(ev, CORE_F_HOST_NAME);

	*node = n ? *n : CORE_STR("");
	if (s == NULL || s->len == 0 || s->len > AUDIT_SERIAL_MAX ||
	    node->len > AUDIT_NODE_MAX)
		return false;
	*serial = *s;
	return true;
}

/* Does what a slot kept (len bytes at kept) equal v? */
static bool same(const char *kept, uint8_t len, struct core_str v)
{
	return len == v.len && memcmp(kept, v.p, v.len) == 0;
}

static struct audit_slot *find(struct parse_audit *a, int64_t ts,
			       struct core_str serial, struct core_str node)
{
	for (unsigned i = 0; i < AUDIT_SLOTS; i++) {
		struct audit_slot *s = &a->slot[i];

		if (s->used && s->ts == ts &&
		    same(s->serial, s->serial_len, serial) &&
		    same(s->node, s->node_len, node))
			return s;
	}
	return NULL;
}

static void remember(struct parse_audit *a, const struct core_event *ev,
		     struct core_str serial, struct core_str node)
{
	struct audit_slot *s = find(a, ev->ts, serial, node);

	if (s == NULL) {
		s = &a->slot[a->next];
		a->next = (a->next + 1) % AUDIT_SLOTS;
	}
	s->used = true;
	s->ts = ev->ts;
	s->serial_len = (uint8_t)serial.len;
	memcpy(s->serial, serial.p, serial.len);
	s->node_len = (uint8_t)node.len;
	memcpy(s->node, node.p, node.len);
	for (int i = 0; i < AUDIT_KEPT; i++) {
		const char *n = audit_kept[i];
		const struct core_str *v = core_event_get_named(ev, n,
								strlen(n));

		s->set[i] = v && v->len < AUDIT_VALUE_MAX;
		s->len[i] = s->set[i] ? (uint16_t)v->len : 0;
		if (s->set[i])
			memcpy(s->v[i], v->p, v->len);
	}
}

/* Records that tell what the event's process did, and take its fields:
 * what it ran, the files and addresses it used. */
static bool takes_process(struct core_str type)
{
	return core_str_eq_lit(type, "EXECVE") ||
	       core_str_eq_lit(type, "PROCTITLE") ||
	       core_str_eq_lit(type, "PATH") ||
	       core_str_eq_lit(type, "SOCKADDR");
}

/* A decimal id of ev's field name, not 4294967295 (unset); false else. */
static bool num_of(const struct core_event *ev, const char *name,
		   struct core_str *out)
{
	const struct core_str *v = core_event_get_named(ev, name,
							strlen(name));
	uint64_t x;

	if (v == NULL || v->len > AUDIT_NUM_MAX || !core_str_to_u64(*v, &x) ||
	    x == UINT32_MAX)
		return false;
	*out = *v;
	return true;
}

static uint64_t src_of(const struct core_event *ev)
{
	return ev->src ? core_hash(ev->src, strlen(ev->src), 0) : 0;
}

static struct audit_session *session_find(struct parse_audit *a,
					  uint64_t src, struct core_str node,
					  struct core_str ses)
{
	for (unsigned i = 0; i < AUDIT_SESSIONS; i++) {
		struct audit_session *x = &a->ses[i];

		if (x->used && x->src == src &&
		    same(x->node, x->node_len, node) &&
		    same(x->ses, x->ses_len, ses))
			return x;
	}
	return NULL;
}

/* LOGIN: a process got a login uid and a new session; its slot. */
static void session_login(struct parse_audit *a,
			  const struct core_event *ev, struct core_str node)
{
	const struct core_str *uid;
	struct core_str ses, auid, pid;
	struct audit_session *x;
	uint64_t src = src_of(ev);

	uid = core_event_get_named(ev, "uid", 3);
	if (!num_of(ev, "ses", &ses) || !num_of(ev, "auid", &auid) ||
	    !num_of(ev, "pid", &pid) || uid == NULL ||
	    !core_str_eq_lit(*uid, "0"))
		return;
	x = session_find(a, src, node, ses);
	if (x == NULL) {
		/* A free slot, else the least recently used. */
		x = &a->ses[0];
		for (unsigned i = 0; i < AUDIT_SESSIONS && x->used; i++)
			if (!a->ses[i].used || a->ses[i].last < x->last)
				x = &a->ses[i];
	}
	x->used = true;
	x->src = src;
	x->last = ++a->tick;
	x->ses_len = (uint8_t)ses.len;
	memcpy(x->ses, ses.p, ses.len);
	x->auid_len = (uint8_t)auid.len;
	memcpy(x->auid, auid.p, auid.len);
	x->pid_len = (uint8_t)pid.len;
	memcpy(x->pid, pid.p, pid.len);
	x->node_len = (uint8_t)node.len;
	memcpy(x->node, node.p, node.len);
	x->acct_len = 0;
}

/* Programs that open a session of another account (root) for a user;
 * their process may be the one that logged in, when it set its own
 * login uid. */
static bool switches_user(const struct core_str *exe)
{
	static const char *const names[] = {
		"/sudo", "/sudo.ws", "/su", "/sudo-rs", "/doas", "/pkexec",
		"/runuser", "/ksu", "/userhelper",
	};

	for (size_t i = 0; exe != NULL && i < CORE_ARRAY_LEN(names); i++) {
		size_t n = strlen(names[i]);

		if (exe->len >= n &&
		    memcmp(exe->p + exe->len - n, names[i], n) == 0)
			return true;
	}
	return false;
}

/* The session a USER_START or USER_END record speaks of, when its own
 * process logged it in; NULL else. */
static struct audit_session *session_of_login(struct parse_audit *a,
					      const struct core_event *ev,
					      struct core_str node,
					      const char *op)
{
	const struct core_str *o = core_event_get_named(ev, "op", 2);
	const struct core_str *res = core_event_get_named(ev, "res", 3);
	struct audit_session *x;
	struct core_str ses, pid;

	if (o == NULL || !core_str_eq_lit(*o, op) || res == NULL ||
	    !core_str_eq_lit(*res, "success") || !num_of(ev, "ses", &ses) ||
	    !num_of(ev, "pid", &pid) ||
	    (x = session_find(a, src_of(ev), node, ses)) == NULL ||
	    !same(x->pid, x->pid_len, pid))
		return NULL;
	return x;
}

/* user.name of a record of a known session that names no user. */
static void session_user(struct parse_audit *a, struct core_event *ev,
			 struct core_str node)
{
	struct audit_session *x;
	struct core_str ses, auid, v;

	if (core_event_get(ev, CORE_F_USER_NAME) != NULL ||
	    !num_of(ev, "ses", &ses) || !num_of(ev, "auid", &auid) ||
	    (x = session_find(a, src_of(ev), node, ses)) == NULL ||
	    x->acct_len == 0 || !same(x->auid, x->auid_len, auid))
		return;
	x->last = ++a->tick;
	v = core_arena_strdup(ev->arena, x->acct, x->acct_len);
	if (v.p != NULL)
		core_event_set_str(ev, CORE_F_USER_NAME, v);
}

/* The session records: LOGIN, the login's USER_START and USER_END, and
 * DAEMON_START, after which session numbers start again. */
static void session_track(struct parse_audit *a, struct core_event *ev,
			  struct core_str type, struct core_str node)
{
	const struct core_str *acct;
	struct audit_session *x;
	uint64_t src;

	if (core_str_eq_lit(type, "LOGIN")) {
		session_login(a, ev, node);
	} else if (core_str_eq_lit(type, "USER_START")) {
		x = session_of_login(a, ev, node, "PAM:session_open");
		acct = core_event_get_named(ev, "acct", 4);
		if (x != NULL && x->acct_len == 0 && acct != NULL &&
		    !switches_user(core_event_get_named(ev, "exe", 3)) &&
		    acct->len > 0 && acct->len <= AUDIT_ACCT_MAX) {
			x->acct_len = (uint8_t)acct->len;
			memcpy(x->acct, acct->p, acct->len);
		}
	} else if (core_str_eq_lit(type, "USER_END")) {
		x = session_of_login(a, ev, node, "PAM:session_close");
		if (x != NULL)
			x->used = false;
	} else if (core_str_eq_lit(type, "DAEMON_START")) {
		src = src_of(ev);
		for (unsigned i = 0; i < AUDIT_SESSIONS; i++)
			if (a->ses[i].src == src &&
			    same(a->ses[i].node, a->ses[i].node_len, node))
				a->ses[i].used = false;
	}
}

void parse_audit_track(struct parse_audit *a, struct core_event *ev)
{
	const struct core_str *type = core_event_get_named(ev, "type", 4);
	struct core_str serial, node;
	const struct audit_slot *s;

	if (a == NULL || ev->arena == NULL || type == NULL ||
	    !event_id(ev, &serial, &node))
		return;
	session_track(a, ev, *type, node);
	if (core_str_eq_lit(*type, "SYSCALL")) {
		remember(a, ev, serial, node);
		session_user(a, ev, node);
		return;
	}
	s = takes_process(*type) ? find(a, ev->ts, serial, node) : NULL;
	for (int i = 0; s != NULL && i < AUDIT_KEPT; i++) {
		const char *n = audit_kept[i];
		struct core_str key = { n, strlen(n) }, v;

		if (!s->set[i] || core_event_get_named(ev, key.p, key.len))
			continue;
		v = core_arena_strdup(ev->arena, s->v[i], s->len[i]);
		if (v.p == NULL)
			return;
		core_event_set_named(ev, key.p, key.len, v.p, v.len);
		pair_ecs(ev, key, v, false);
	}
	session_user(a, ev, node);
}
