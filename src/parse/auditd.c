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
 * user.name from the enriched AUID, else acct; an EXECVE's arguments
 * joined are process.command_line.  message is the text after the
 * header, so keyword rules see the pairs.
 *
 * Workload: every line of an audit log.  Values point into the record
 * but for decoded hex and the joined command line, which go to the
 * event's arena.
 */
#include "parse/parse_int.h"

#include <string.h>

#define SET_NAMED(ev, lit, v)                                                \
	core_event_set_named((ev), (lit), sizeof(lit) - 1, (v).p, (v).len)

/* Pairs of one record kept (a long EXECVE holds many arguments). */
#define AUDIT_MAX_PAIRS 192

struct pair {
	struct core_str key, value;
	bool quoted;
};

/* Keys whose values auditd writes in hex when they hold unsafe bytes. */
static bool may_be_hex(struct core_str type, struct core_str key)
{
	static const char *const names[] = {
		"proctitle", "comm", "exe", "cwd", "name", "cmd", "acct",
		"key", "data", "old-chardev", "new-chardev", "grp", "new_group",
	};

	if (core_str_eq_lit(type, "EXECVE") && key.len >= 2 &&
	    key.p[0] == 'a' && key.p[1] >= '0' && key.p[1] <= '9')
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
 * quote), 'quoted' or bare (to the next space); a word with no '=' (an
 * AVC record's "denied { read } for") is passed over.  Returns how
 * many, or -1 when a quote is not closed.
 */
static int split(struct core_str s, struct pair *out, int max)
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
		if (n == max)
			return n;
		out[n].key = core_str_make(s.p + k, i - k);
		v = ++i;
		q = v < s.len ? s.p[v] : 0;
		if (q == '"' || q == '\'') {
			const char *end = memchr(s.p + v + 1, q,
						 s.len - v - 1);
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

/* A bare argument name: a0, a1 ... a191. */
static int arg_index(struct core_str k)
{
	int v = 0;

	if (k.len < 2 || k.len > 4 || k.p[0] != 'a')
		return -1;
	for (size_t i = 1; i < k.len; i++) {
		if (k.p[i] < '0' || k.p[i] > '9')
			return -1;
		v = v * 10 + (k.p[i] - '0');
	}
	return v;
}

int parse_auditd_record(const struct parse_ctx *ctx, struct core_event *ev,
			struct core_str line)
{
	struct pair p[AUDIT_MAX_PAIRS], args[AUDIT_MAX_PAIRS];
	struct core_str s = line, rest, node = CORE_STR_NULL, type, serial;
	struct core_str gs = CORE_STR_NULL;
	const char *sep;
	int n, m, nargs = 0;
	int64_t ts;

	(void)ctx;
	if (core_str_starts(s, "node=")) {
		const char *sp = memchr(s.p, ' ', s.len);

		if (sp == NULL)
			return CORE_E_PARSE;
		node = core_str_make(s.p + 5, (size_t)(sp - s.p) - 5);
		s = core_str_make(sp + 1, s.len - (size_t)(sp + 1 - s.p));
	}
	if (!core_str_starts(s, "type="))
		return CORE_E_PARSE;
	sep = memchr(s.p, ' ', s.len);
	if (sep == NULL)
		return CORE_E_PARSE;
	type = core_str_make(s.p + 5, (size_t)(sep - s.p) - 5);
	s = core_str_make(sep + 1, s.len - (size_t)(sep + 1 - s.p));
	if (type.len == 0 || !core_str_starts(s, "msg="))
		return CORE_E_PARSE;
	s = core_str_make(s.p + 4, s.len - 4);
	if (!header(&s, &ts, &serial))
		return CORE_E_PARSE;
	/* The enriched names follow a GS byte. */
	sep = memchr(s.p, 0x1d, s.len);
	if (sep != NULL) {
		gs = core_str_make(sep + 1, s.len - (size_t)(sep + 1 - s.p));
		s = core_str_make(s.p, (size_t)(sep - s.p));
	}
	rest = core_str_trim(s);
	n = split(rest, p, AUDIT_MAX_PAIRS);
	if (n <= 0)
		return CORE_E_PARSE;
	/* A USER_* record's msg='...' nests pairs of its own. */
	for (int i = 0, end = n; i < end; i++) {
		int k;

		if (!core_str_eq_lit(p[i].key, "msg") || !p[i].quoted)
			continue;
		k = split(p[i].value, p + n, AUDIT_MAX_PAIRS - n);
		n += k > 0 ? k : 0;
	}
	m = gs.len ? split(core_str_trim(gs), p + n, AUDIT_MAX_PAIRS - n) : 0;
	if (m < 0)
		m = 0;

	ev->ts = ts;
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "linux.auditd");
	SET_NAMED(ev, "type", type);
	core_event_set_named(ev, "audit.sequence", 14, serial.p, serial.len);
	if (node.len)
		core_event_set_str(ev, CORE_F_HOST_NAME, node);
	core_event_set_str(ev, CORE_F_MESSAGE, rest);
	for (int i = 0; i < n + m; i++) {
		struct core_str v = p[i].value;
		int a;

		if (!p[i].quoted && may_be_hex(type, p[i].key))
			v = unhex(ev->arena, v);
		core_event_set_named(ev, p[i].key.p, p[i].key.len, v.p, v.len);
		a = core_str_eq_lit(type, "EXECVE") ? arg_index(p[i].key) : -1;
		if (a >= 0 && a == nargs) {
			args[nargs] = p[i];
			args[nargs++].value = v;
		}
		if (core_str_eq_lit(p[i].key, "pid"))
			core_event_set_str(ev, CORE_F_PROCESS_PID, v);
		else if (core_str_eq_lit(p[i].key, "comm"))
			core_event_set_str(ev, CORE_F_PROCESS_NAME, v);
		else if ((core_str_eq_lit(p[i].key, "AUID") &&
			  !core_str_eq_lit(v, "unset")) ||
			 (core_str_eq_lit(p[i].key, "acct") &&
			  !core_event_get(ev, CORE_F_USER_NAME)))
			core_event_set_str(ev, CORE_F_USER_NAME, v);
	}
	if (nargs > 0)
		command_line(ev, args, nargs);
	return 0;
}
