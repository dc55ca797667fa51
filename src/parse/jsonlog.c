/*
 * jsonlog.c: generic JSON lines: ECS-shaped documents, Cowrie honeypot
 * events and Zeek JSON logs, plus the leaf-to-field helpers the EVE and
 * journal decoders share.
 *
 * Every leaf becomes a named field under its dotted path, so an ECS
 * document ({"source":{"ip":"1.2.3.4"}}) fills source.ip by itself.  Then
 * a post-pass maps the vocabularies that are not ECS: Cowrie (eventid
 * "cowrie.*", src_ip, username ...) and Zeek (id.orig_h, id.resp_p ...;
 * parse_zeek_fields(), which Zeek's TSV form shares).
 * Cowrie records carry the password an attacker tried; it stays in its
 * own "password" field only, and the message of a login event (which
 * repeats it) is replaced by a fixed text.
 */
#include "parse/evtx.h"
#include "parse/parse_int.h"

#include <string.h>

void parse_json_set_leaf(struct core_event *ev, struct core_str name,
			 enum parse_json_type type, struct core_str value,
			 unsigned flags)
{
	if (type == PARSE_JSON_NULL || name.len == 0)
		return;
	if ((flags & PARSE_JSON_IN_ARRAY) &&
	    core_event_get_named(ev, name.p, name.len))
		return;
	core_event_set_named(ev, name.p, name.len, value.p, value.len);
}

struct core_str parse_named(const struct core_event *ev, const char *name)
{
	const struct core_str *v = core_event_get_named(ev, name,
							strlen(name));

	return v ? *v : CORE_STR_NULL;
}

bool parse_json_time(struct core_str v, int64_t *out)
{
	const char *dot;
	size_t ilen;

	if (v.len == 0)
		return false;
	if (v.len >= 10 && v.p[4] == '-')
		return core_time_parse_iso(v.p, v.len, out) == v.len;
	dot = memchr(v.p, '.', v.len);
	ilen = dot ? (size_t)(dot - v.p) : v.len;
	if (!dot && ilen >= 13 && ilen <= 14) {
		uint64_t ms;

		/* Epoch milliseconds (Java and JavaScript loggers). */
		if (!core_str_to_u64(v, &ms) || ms / 1000 > 253402300799ULL)
			return false;
		*out = (int64_t)ms * 1000;
		return true;
	}
	return parse_epoch_seconds(v, out);
}

static void leaf(void *ud, struct core_str name, enum parse_json_type type,
		 struct core_str value, unsigned flags)
{
	parse_json_set_leaf(ud, name, type, value, flags);
}

/* Copies named field from onto known id to when present. */
static void map(struct core_event *ev, const char *from,
		enum core_field_id to)
{
	struct core_str v = parse_named(ev, from);

	if (v.len && !core_event_get(ev, to))
		core_event_set_str(ev, to, v);
}

static void cowrie_action(struct core_event *ev, struct core_str id)
{
	if (core_str_eq_lit(id, "login.failed") ||
	    core_str_eq_lit(id, "login.success")) {
		bool ok = id.p[6] == 's';

		parse_set_action(ev, "ssh_login", "authentication",
				 ok ? "success" : "failure");
		core_event_set_lit(ev, CORE_F_AUTH_METHOD, "password");
		/* The original message repeats the password. */
		if (ok)
			core_event_set_lit(ev, CORE_F_MESSAGE,
					   "login attempt succeeded");
		else
			core_event_set_lit(ev, CORE_F_MESSAGE,
					   "login attempt failed");
	} else if (core_str_eq_lit(id, "command.input")) {
		parse_set_action(ev, "honeypot_command", "process", NULL);
	} else if (core_str_eq_lit(id, "session.connect")) {
		parse_set_action(ev, "honeypot_connect", "network", NULL);
	} else if (core_str_eq_lit(id, "session.file_download")) {
		parse_set_action(ev, "honeypot_file_download", "network",
				 NULL);
	}
}

static void cowrie(struct core_event *ev, struct core_str id)
{
	struct core_str url = parse_named(ev, "url");

	id.p += 7;
	id.len -= 7;
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "honeypot.cowrie");
	map(ev, "src_ip", CORE_F_SOURCE_IP);
	map(ev, "src_port", CORE_F_SOURCE_PORT);
	map(ev, "dst_ip", CORE_F_DESTINATION_IP);
	map(ev, "dst_port", CORE_F_DESTINATION_PORT);
	map(ev, "username", CORE_F_USER_NAME);
	map(ev, "input", CORE_F_PROCESS_COMMAND_LINE);
	map(ev, "sensor", CORE_F_HOST_NAME);
	map(ev, "protocol", CORE_F_NETWORK_PROTOCOL);
	if (url.len)
		parse_set_url(ev, url);
	cowrie_action(ev, id);
}

/*
 * Which Zeek log a record is from: its path when the writer kept it (a
 * JSON record's "_path", a TSV file's #path), else the fields only that
 * log has.  "zeek.http" records are web requests to the rules (category
 * webserver), like access-log lines.
 */
static void zeek_dataset(struct core_event *ev, struct core_str path)
{
	static const struct { const char *field, *dataset; } by_field[] = {
		{ "method", "zeek.http" }, { "status_code", "zeek.http" },
		{ "qtype_name", "zeek.dns" }, { "query", "zeek.dns" },
		{ "auth_success", "zeek.ssh" }, { "conn_state", "zeek.conn" },
		{ "server_name", "zeek.ssl" }, { "notice", "zeek.notice" },
	};
	char *ds;

	if (path.len && path.len < 32 && ev->arena &&
	    (ds = core_arena_alloc(ev->arena, path.len + 6)) != NULL) {
		memcpy(ds, "zeek.", 5);
		memcpy(ds + 5, path.p, path.len);
		core_event_set(ev, CORE_F_EVENT_DATASET, ds, path.len + 5);
		return;
	}
	for (size_t i = 0; i < CORE_ARRAY_LEN(by_field); i++) {
		if (parse_named(ev, by_field[i].field).len) {
			core_event_set(ev, CORE_F_EVENT_DATASET,
				       by_field[i].dataset,
				       strlen(by_field[i].dataset));
			return;
		}
	}
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "zeek");
}

/*
 * The TSV decoder (zeek.c) calls this too, after setting each column as
 * a named field, so both forms of a log give rules the same event.
 */
void parse_zeek_fields(struct core_event *ev, struct core_str path)
{
	const struct core_str *ds;
	struct core_str v;

	map(ev, "id.orig_h", CORE_F_SOURCE_IP);
	map(ev, "id.orig_p", CORE_F_SOURCE_PORT);
	map(ev, "id.resp_h", CORE_F_DESTINATION_IP);
	map(ev, "id.resp_p", CORE_F_DESTINATION_PORT);
	map(ev, "method", CORE_F_HTTP_REQUEST_METHOD);
	map(ev, "status_code", CORE_F_HTTP_RESPONSE_STATUS_CODE);
	map(ev, "user_agent", CORE_F_USER_AGENT_ORIGINAL);
	map(ev, "referrer", CORE_F_HTTP_REQUEST_REFERRER);
	map(ev, "query", CORE_F_DNS_QUESTION_NAME);
	map(ev, "service", CORE_F_NETWORK_PROTOCOL);
	v = parse_named(ev, "uri");
	if (v.len)
		parse_set_url(ev, v);
	v = parse_transport(parse_named(ev, "proto"));
	if (v.len)
		core_event_set_str(ev, CORE_F_NETWORK_TRANSPORT, v);
	zeek_dataset(ev, path);

	/* An HTTP request counts as one, as an access-log line does. */
	ds = core_event_get(ev, CORE_F_EVENT_DATASET);
	if (ds && core_str_eq_lit(*ds, "zeek.http")) {
		uint64_t status = 0;

		core_str_to_u64(parse_named(ev, "status_code"), &status);
		parse_set_action(ev, "http_request", "web",
				 status >= 400 ? "failure" : "success");
	}
}

static void set_time(struct core_event *ev)
{
	static const char *keys[] = { "@timestamp", "timestamp", "ts",
				      "time" };

	for (size_t i = 0; i < CORE_ARRAY_LEN(keys); i++) {
		struct core_str v = parse_named(ev, keys[i]);

		if (v.len && parse_json_time(v, &ev->ts))
			return;
	}
	ev->ts = CORE_TS_UNKNOWN;
}

/*
 * The JSON decoder.  Returns 0 for any JSON object; CORE_E_PARSE when the
 * line is not one (the event is then left raw by parse_record()).
 */
int parse_json_record(const struct parse_ctx *ctx, struct core_event *ev,
		      struct core_str line)
{
	struct core_str id;

	(void)ctx;
	if (parse_json_walk(line.p, line.len, ev->arena, leaf, ev))
		return CORE_E_PARSE;
	set_time(ev);
	id = parse_named(ev, "eventid");
	if (core_str_starts(id, "cowrie."))
		cowrie(ev, id);
	else if (parse_named(ev, "id.orig_h").len)
		parse_zeek_fields(ev, parse_named(ev, "_path"));
	else
		parse_evtx_json(ev);
	if (!core_event_get(ev, CORE_F_EVENT_DATASET))
		core_event_set_lit(ev, CORE_F_EVENT_DATASET, "json");
	if (!core_event_get(ev, CORE_F_EVENT_KIND))
		core_event_set_lit(ev, CORE_F_EVENT_KIND, "event");
	return 0;
}
