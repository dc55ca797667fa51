/*
 * journal.c: systemd journal records as `journalctl -o json` prints them.
 *
 * One JSON object per line.  __REALTIME_TIMESTAMP is µs since the epoch as
 * a decimal string; MESSAGE is a string, or an array of byte values when
 * the message was not valid UTF-8 (decoded into the arena).  After the
 * header fields are mapped, MESSAGE goes to the same program decoders
 * syslog uses, keyed by SYSLOG_IDENTIFIER (else _COMM), so an sshd line
 * decodes alike from either source.  Every journal field stays available
 * under its own name.
 */
#include "parse/parse_int.h"

#include <string.h>

struct journal_walk {
	struct core_event *ev;
	struct core_str message;
};

static void leaf(void *ud, struct core_str name, enum parse_json_type type,
		 struct core_str value, unsigned flags)
{
	struct journal_walk *jw = ud;

	if (core_str_eq_lit(name, "MESSAGE")) {
		if (type == PARSE_JSON_ARRAY)
			parse_json_bytes(value, jw->ev->arena, &value);
		jw->message = value;
	}
	parse_json_set_leaf(jw->ev, name, type, value, flags);
}

static void map(struct core_event *ev, const char *from,
		enum core_field_id to)
{
	struct core_str v = parse_named(ev, from);

	if (v.len && !core_event_get(ev, to))
		core_event_set_str(ev, to, v);
}

/*
 * The JOURNAL_JSON decoder.  Returns 0 for a JSON object (decoded even
 * when its message is not understood), CORE_E_PARSE otherwise.
 */
int parse_journal_record(const struct parse_ctx *ctx, struct core_event *ev,
			 struct core_str line)
{
	struct journal_walk jw = { .ev = ev, .message = CORE_STR_NULL };
	struct core_str v, prog;
	uint64_t us;

	(void)ctx;
	if (parse_json_walk(line.p, line.len, ev->arena, leaf, &jw))
		return CORE_E_PARSE;
	v = parse_named(ev, "__REALTIME_TIMESTAMP");
	if (core_str_to_u64(v, &us) && us < 253402300800000000ULL)
		ev->ts = (int64_t)us;
	map(ev, "_HOSTNAME", CORE_F_HOST_NAME);
	map(ev, "SYSLOG_IDENTIFIER", CORE_F_PROCESS_NAME);
	map(ev, "_COMM", CORE_F_PROCESS_NAME);
	map(ev, "_PID", CORE_F_PROCESS_PID);
	map(ev, "SYSLOG_PID", CORE_F_PROCESS_PID);
	map(ev, "PRIORITY", CORE_F_LOG_SYSLOG_SEVERITY);
	map(ev, "SYSLOG_FACILITY", CORE_F_LOG_SYSLOG_FACILITY);
	map(ev, "_SYSTEMD_UNIT", CORE_F_SERVICE_NAME);
	core_event_set_str(ev, CORE_F_MESSAGE, jw.message);
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "journal");

	prog = parse_named(ev, "SYSLOG_IDENTIFIER");
	if (!prog.len)
		prog = parse_named(ev, "_COMM");
	if (parse_program_dispatch(ev, prog, jw.message))
		core_event_set_lit(ev, CORE_F_EVENT_KIND, "event");
	return 0;
}
