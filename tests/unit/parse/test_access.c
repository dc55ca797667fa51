/*
 * test_access.c: Apache and Nginx access logs.
 */
#include "parse_test.h"

static const struct parse_row rows[] = {
	{ "192.0.2.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET "
	  "/apache_pb.gif?x=1 HTTP/1.0\" 200 2326",
	  "rc=0\nts=2000-10-10T20:55:36.000000Z\nsource.ip=192.0.2.1\n"
	  "user.name=frank\nhttp.request.method=GET\n"
	  "url.original=/apache_pb.gif?x=1\nurl.path=/apache_pb.gif\n"
	  "url.query=x=1\nhttp.version=1.0\nhttp.response.status_code=200\n"
	  "http.response.body.bytes=2326\nevent.action=http_request\n"
	  "event.outcome=success\nevent.category=web\n"
	  "event.dataset=web.access\n!user_agent.original",
	  "common log format" },
	{ "192.0.2.2 - - [17/May/2015:10:05:03 +0000] \"GET /a HTTP/1.1\" 404 "
	  "- \"http://ref.example/\" \"Mozilla/5.0 (X11)\"",
	  "event.outcome=failure\n!http.response.body.bytes\n!user.name\n"
	  "http.request.referrer=http://ref.example/\n"
	  "user_agent.original=Mozilla/5.0 (X11)",
	  "combined, 404, '-' size" },
	{ "www.example.com:443 192.0.2.3 - - [17/May/2015:10:05:03 +0000] "
	  "\"POST /login HTTP/1.1\" 302 0 \"-\" \"curl/8\"",
	  "source.ip=192.0.2.3\nurl.domain=www.example.com\n"
	  "http.request.method=POST\n!http.request.referrer",
	  "vhost_combined prefix" },
	{ "2001:db8::1 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/2.0\" "
	  "200 5 \"-\" \"ua\"",
	  "source.ip=2001:db8::1\nhttp.version=2.0", "IPv6 client" },
	{ "192.0.2.4 - - [17/May/2015:10:05:03 +0000] \"GET /q?a=\\\"x\\\" "
	  "HTTP/1.1\" 200 1 \"-\" \"say \\\"hi\\\"\"",
	  "url.original=/q?a=\\\"x\\\"\nuser_agent.original=say \\\"hi\\\"",
	  "escaped quotes stay as written" },
	{ "192.0.2.5 - - [17/May/2015:10:05:03 +0000] "
	  "\"\\x16\\x03\\x01\\x00\\xa5\" 400 150 \"-\" \"-\"",
	  "url.original=\\x16\\x03\\x01\\x00\\xa5\n!http.request.method\n"
	  "event.outcome=failure",
	  "TLS handshake to a plain port: kept, no method" },
	{ "192.0.2.6 - - [17/May/2015:10:05:03 +0000] \"-\" 408 0 \"-\" \"-\"",
	  "!url.original\nhttp.response.status_code=408", "empty request" },
	{ "host.example - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" "
	  "200 1",
	  "source.domain=host.example", "HostnameLookups on" },
	{ "192.0.2.7 - - [32/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 1",
	  "rc=-3", "day 32" },
	{ "192.0.2.7 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1",
	  "rc=-3", "truncated in the request" },
	{ "192.0.2.7 - - [17/May/2015:10:05:03 +0000] \"GET /\" abc 1",
	  "rc=-3", "status not a number" },
	{ "just words", "rc=-3\nmessage=just words", "not an access log" },
};

static void test_access_rows(void **state)
{
	(void)state;
	pt_table(CORE_FMT_ACCESS_LOG, rows, CORE_ARRAY_LEN(rows));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_access_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
