/*
 * eve.c: Suricata EVE JSON records (eve.json), one object per line.
 *
 * Every key is kept flattened under its dotted name (alert.signature,
 * http.hostname, tls.sni ...); the ones vigil's rules and scoring use are
 * mapped onto ECS fields as well.  An alert is event.kind=alert with
 * event.action=ids_alert; any other event_type X becomes eve_X.  DNS
 * names come from dns.rrname (EVE v1), dns.query[].rrname or
 * dns.queries[].rrname (v2 and later), whichever the record has.
 */
#include "parse/parse_int.h"

#include <string.h>

static void leaf(void *ud, struct core_str name, enum parse_json_type type,
		 struct core_str value, unsigned flags)
{
	parse_json_set_leaf(ud, name, type, value, flags);
}

static const struct {
	const char *from;
	enum core_field_id to;
} eve_map[] = {
	{ "src_ip", CORE_F_SOURCE_IP },
	{ "src_port", CORE_F_SOURCE_PORT },
	{ "dest_ip", CORE_F_DESTINATION_IP },
	{ "dest_port", CORE_F_DESTINATION_PORT },
	{ "app_proto", CORE_F_NETWORK_PROTOCOL },
	{ "host", CORE_F_HOST_NAME },
	{ "alert.signature", CORE_F_RULE_NAME },
	{ "alert.signature_id", CORE_F_RULE_ID },
	{ "alert.category", CORE_F_RULE_CATEGORY },
	{ "alert.severity", CORE_F_EVENT_SEVERITY },
	{ "http.http_user_agent", CORE_F_USER_AGENT_ORIGINAL },
	{ "http.http_method", CORE_F_HTTP_REQUEST_METHOD },
	{ "http.status", CORE_F_HTTP_RESPONSE_STATUS_CODE },
	{ "http.http_refer", CORE_F_HTTP_REQUEST_REFERRER },
	{ "http.length", CORE_F_HTTP_RESPONSE_BODY_BYTES },
	{ "dns.rrname", CORE_F_DNS_QUESTION_NAME },
	{ "dns.query.rrname", CORE_F_DNS_QUESTION_NAME },
	{ "dns.queries.rrname", CORE_F_DNS_QUESTION_NAME },
	{ "fileinfo.filename", CORE_F_FILE_PATH },
};

static void map_fields(struct core_event *ev)
{
	struct core_str v;

	for (size_t i = 0; i < CORE_ARRAY_LEN(eve_map); i++) {
		v = parse_named(ev, eve_map[i].from);
		if (v.len && !core_event_get(ev, eve_map[i].to))
			core_event_set_str(ev, eve_map[i].to, v);
	}
	v = parse_named(ev, "proto");
	if ((v = parse_transport(v)).len)
		core_event_set_str(ev, CORE_F_NETWORK_TRANSPORT, v);
	v = parse_named(ev, "http.url");
	if (v.len)
		parse_set_url(ev, v);
	v = parse_named(ev, "http.protocol");
	if (PARSE_EAT(&v, "HTTP/"))
		core_event_set_str(ev, CORE_F_HTTP_VERSION, v);
}

/* event.action "eve_<type>", built in the arena. */
static void set_type_action(struct core_event *ev, struct core_str type)
{
	char *a;

	if (!ev->arena || type.len == 0 || type.len > 64)
		return;
	a = core_arena_alloc(ev->arena, type.len + 5);
	if (!a)
		return;
	memcpy(a, "eve_", 4);
	memcpy(a + 4, type.p, type.len);
	a[type.len + 4] = '\0';
	core_event_set(ev, CORE_F_EVENT_ACTION, a, type.len + 4);
	core_event_set_lit(ev, CORE_F_EVENT_CATEGORY, "network");
}

/*
 * The EVE_JSON decoder.  Returns 0 for a JSON object with an event_type,
 * CORE_E_PARSE otherwise.
 */
int parse_eve_record(const struct parse_ctx *ctx, struct core_event *ev,
		     struct core_str line)
{
	struct core_str type, ts;

	(void)ctx;
	if (parse_json_walk(line.p, line.len, ev->arena, leaf, ev))
		return CORE_E_PARSE;
	type = parse_named(ev, "event_type");
	if (!type.len)
		return CORE_E_PARSE;
	ts = parse_named(ev, "timestamp");
	if (!ts.len || core_time_parse_iso(ts.p, ts.len, &ev->ts) != ts.len)
		ev->ts = CORE_TS_UNKNOWN;

	map_fields(ev);
	core_event_set_lit(ev, CORE_F_EVENT_DATASET, "suricata.eve");
	if (core_str_eq_lit(type, "alert")) {
		core_event_set_lit(ev, CORE_F_EVENT_KIND, "alert");
		parse_set_action(ev, "ids_alert", "intrusion_detection", NULL);
	} else {
		core_event_set_lit(ev, CORE_F_EVENT_KIND, "event");
		set_type_action(ev, type);
	}
	return 0;
}
