/*
 * test_eve.c: Suricata EVE records: alerts, protocol events, nested keys
 * flattened, DNS names from every EVE version.
 */
#include "parse_test.h"

static const struct parse_row rows[] = {
	{ "{\"timestamp\":\"2018-03-24T14:37:19.037299-0600\","
	  "\"flow_id\":9,"
	  "\"event_type\":\"alert\",\"src_ip\":\"10.0.0.5\",\"src_port\":26078,"
	  "\"dest_ip\":\"10.47.8.150\",\"dest_port\":22,\"proto\":\"TCP\","
	  "\"alert\":{\"action\":\"allowed\",\"gid\":1,"
	  "\"signature_id\":2001219,"
	  "\"rev\":20,\"signature\":\"ET SCAN Potential SSH Scan\","
	  "\"category\":\"Attempted Information Leak\",\"severity\":2}}",
	  "rc=0\nts=2018-03-24T20:37:19.037299Z\nevent.kind=alert\n"
	  "event.action=ids_alert\nevent.category=intrusion_detection\n"
	  "rule.name=ET SCAN Potential SSH Scan\nrule.id=2001219\n"
	  "rule.category=Attempted Information Leak\nevent.severity=2\n"
	  "source.ip=10.0.0.5\nsource.port=26078\n"
	  "destination.ip=10.47.8.150\ndestination.port=22\n"
	  "network.transport=tcp\nalert.action=allowed\n"
	  "event.dataset=suricata.eve",
	  "an alert" },
	{ "{\"timestamp\":\"2024-01-01T00:00:00.000000+0000\","
	  "\"event_type\":\"http\",\"src_ip\":\"192.0.2.1\",\"http\":{"
	  "\"hostname\":\"example.com\",\"url\":\"/a?b=1\","
	  "\"http_user_agent\":\"curl/8\",\"http_method\":\"GET\","
	  "\"protocol\":\"HTTP/1.1\",\"status\":404,\"length\":12}}",
	  "event.action=eve_http\nevent.kind=event\nurl.original=/a?b=1\n"
	  "url.path=/a\nurl.query=b=1\nhttp.hostname=example.com\n"
	  "user_agent.original=curl/8\nhttp.request.method=GET\n"
	  "http.response.status_code=404\nhttp.version=1.1\n"
	  "http.response.body.bytes=12",
	  "http event, nested keys flattened" },
	{ "{\"timestamp\":\"2024-01-01T00:00:00Z\",\"event_type\":\"dns\","
	  "\"dns\":{\"type\":\"query\",\"rrname\":\"old.example\"}}",
	  "dns.question.name=old.example", "EVE v1 dns" },
	{ "{\"timestamp\":\"2024-01-01T00:00:00Z\",\"event_type\":\"dns\","
	  "\"dns\":{\"query\":[{\"rrname\":\"v2.example\",\"rrtype\":\"A\"},"
	  "{\"rrname\":\"second.example\"}]}}",
	  "dns.question.name=v2.example\ndns.query.rrname=v2.example",
	  "EVE v2 dns: the first query" },
	{ "{\"timestamp\":\"2024-01-01T00:00:00Z\",\"event_type\":\"dns\","
	  "\"dns\":{\"version\":3,\"queries\":[{\"rrname\":\"v3.example\"}]}}",
	  "dns.question.name=v3.example", "EVE v3 dns" },
	{ "{\"timestamp\":\"2024-01-01T00:00:00Z\",\"event_type\":\"tls\","
	  "\"tls\":{\"sni\":\"s.example\",\"version\":\"TLS 1.3\"}}",
	  "event.action=eve_tls\ntls.sni=s.example", "tls" },
	{ "{\"timestamp\":\"2024-01-01T00:00:00Z\",\"event_type\":\"ssh\","
	  "\"ssh\":{\"client\":{\"software_version\":\"libssh2\"}}}",
	  "event.action=eve_ssh\nssh.client.software_version=libssh2", "ssh" },
	{ "{\"timestamp\":\"2024-01-01T00:00:00Z\",\"src_ip\":\"1.2.3.4\"}",
	  "rc=-3\n!source.ip", "no event_type: not EVE, left raw" },
	{ "{\"timestamp\":\"garbage\",\"event_type\":\"flow\"}",
	  "rc=0\nts=-\nevent.action=eve_flow", "bad time: event kept" },
};

static void test_eve_rows(void **state)
{
	(void)state;
	pt_table(CORE_FMT_EVE_JSON, rows, CORE_ARRAY_LEN(rows));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eve_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
