/*
 * test_errorlog.c: Apache 2.2 and 2.4, nginx and ModSecurity error-log
 * lines, and lines that only look like them.
 */
#include "parse_test.h"

#include <time.h>

static const struct parse_row apache[] = {
	{ "[Sun Dec 04 04:47:44 2005] [error] [client 192.0.2.10] "
	  "File does not exist: /var/www/html/robots.txt",
	  "rc=0\nts=2005-12-04T04:47:44.000000Z\nlog.level=error\n"
	  "source.ip=192.0.2.10\n!source.port\n!log.logger\n"
	  "message=File does not exist: /var/www/html/robots.txt\n"
	  "event.dataset=web.error\nevent.kind=event\nevent.category=web\n"
	  "!event.action",
	  "Apache 2.2 with a client" },
	{ "[Sun Dec 04 04:47:44 2005] [notice] jk2_init() Found child 6725 "
	  "in scoreboard slot 10",
	  "rc=0\nlog.level=notice\n!source.ip\n"
	  "message=jk2_init() Found child 6725 in scoreboard slot 10",
	  "Apache 2.2 without a client" },
	{ "[Mon Dec  5 09:01:02 2005] [notice] child pid 1234 exit signal "
	  "Segmentation fault (11)",
	  "ts=2005-12-05T09:01:02.000000Z\n"
	  "message=child pid 1234 exit signal Segmentation fault (11)",
	  "space-padded day" },
	{ "[Wed Oct 11 14:32:52.123456 2023] [core:error] [pid 1234:tid "
	  "140245] [client 10.0.0.2:5555] AH00126: Invalid URI in request "
	  "GET /%zz HTTP/1.1",
	  "rc=0\nts=2023-10-11T14:32:52.123456Z\nlog.level=error\n"
	  "log.logger=core\nprocess.pid=1234\nprocess.thread.id=140245\n"
	  "source.ip=10.0.0.2\nsource.port=5555\nerror.code=AH00126\n"
	  "message=AH00126: Invalid URI in request GET /%zz HTTP/1.1",
	  "Apache 2.4 default ErrorLogFormat" },
	{ "[Thu May 12 08:28:57.652118 2011] [core:info] [pid 8777:tid 43] "
	  "[client ::1:58619] AH00128: File does not exist: /x/favicon.ico",
	  "source.ip=::1\nsource.port=58619\nlog.level=info",
	  "2.4 IPv6 client with its port" },
	{ "[Thu May 12 08:28:57.652118 2011] [core:info] [pid 8777] "
	  "[client 2001:db8::5:443] AH00128: x",
	  "source.ip=2001:db8::5\nsource.port=443\nprocess.pid=8777\n"
	  "!process.thread.id",
	  "IPv6 with a port, prefork pid without tid" },
	{ "[Sun Dec 04 04:47:44 2005] [error] [client 2001:db8::7] x",
	  "source.ip=2001:db8::7\n!source.port",
	  "2.2 IPv6 client: no port to split off" },
	{ "[Sun Oct 08 09:29:52.451209 2023] [proxy_fcgi:error] [pid 41:tid "
	  "42] (70007)The timeout specified has expired: [client "
	  "198.51.100.4:51000] AH01075: Error dispatching request to : "
	  "(polling), referer: https://example.org/form",
	  "source.ip=198.51.100.4\nsource.port=51000\nerror.code=AH01075\n"
	  "log.logger=proxy_fcgi\n"
	  "http.request.referrer=https://example.org/form\n"
	  "message=(70007)The timeout specified has expired: [client "
	  "198.51.100.4:51000] AH01075: Error dispatching request to : "
	  "(polling), referer: https://example.org/form",
	  "APR error before the client; referer at the end" },
	{ "[Tue Jan 02 03:04:05.000001 2024] [mpm_event:notice] [pid 1:tid "
	  "2] AH00489: Apache/2.4.57 (Unix) configured -- resuming normal "
	  "operations",
	  "log.logger=mpm_event\nerror.code=AH00489\n!source.ip",
	  "startup notice" },
	{ "[Tue Jan 02 03:04:05.5 2024] [:error] [pid 9] [client "
	  "203.0.113.9:3000] PHP Warning:  include(x.php): failed to open "
	  "stream",
	  "ts=2024-01-02T03:04:05.500000Z\nlog.level=error\n!log.logger\n"
	  "source.ip=203.0.113.9",
	  "empty module, short fraction" },
	{ "[Tue Jan 02 03:04:05.000001 2024] [ssl:trace3] [pid 9] x",
	  "log.level=trace3\nlog.logger=ssl", "trace levels" },
	{ "[2023-10-11 14:32:52.250000] [core:warn] [pid 77] AH00045: x",
	  "rc=0\nts=2023-10-11T14:32:52.250000Z\nlog.level=warn\n"
	  "error.code=AH00045",
	  "ErrorLogFormat with %{cu}t" },
	{ "[Sun Dec 04 04:47:44 2005] [error] [client bad.example] x",
	  "source.domain=bad.example\n!source.ip", "a name for the client" },
	{ "[Sun Dec 04 04:47:44 2005] [error] [client 192.0.2.1:99999] x",
	  "!source.port\nsource.domain=192.0.2.1:99999",
	  "a port out of range is not split off" },
	{ "[Sun Feb 30 04:47:44 2005] [error] x",
	  "rc=0\nts=-\nmessage=x",
	  "a stamp naming no day: decoded, time unknown" },
	{ "[2023-02-30 14:32:52.250000] [core:warn] [pid 77] x",
	  "rc=0\nts=-\nlog.level=warn\nmessage=x",
	  "a %{cu}t stamp naming no day: decoded, time unknown" },
	{ "[2023-10-11 14:32] [core:warn] x", "rc=-3",
	  "a %{cu}t stamp without seconds" },
	{ "[Sun Dec 04 04:47:44 2005] [oops] x", "rc=-3\n!log.level",
	  "unknown level" },
	{ "[Sun Dec 04 04:47:44 2005] [core:] x", "rc=-3", "module, no level" },
	{ "[Sun Dec 04 04:47:44 2005] [a b:error] x", "rc=-3",
	  "a module with a space" },
	{ "[Sun Dec 04 04:47:44 2005]", "rc=-3", "stamp only" },
	{ "[Sun Dec 04 04:47:44 2005] [error", "rc=-3",
	  "unterminated level" },
	{ "[Sun Dec 04 04:47 2005] [error] x", "rc=-3", "short time" },
	{ "[UFW BLOCK] IN=eth0 OUT= SRC=1.2.3.4", "rc=-3\n!log.level",
	  "a bracket that is no stamp" },
	{ "[Sun Dec 04 04:47:44 2005] [error] [client 192.0.2.3",
	  "rc=0\n!source.ip\nmessage=[client 192.0.2.3",
	  "unterminated client bracket stays in the message" },
};

static const struct parse_row nginx[] = {
	{ "2023/10/11 14:32:52 [error] 1234#1234: *5 open() "
	  "\"/usr/share/nginx/html/x\" failed (2: No such file or directory), "
	  "client: 10.0.0.1, server: example.org, request: \"GET /x?a=1 "
	  "HTTP/1.1\", host: \"example.org\", referrer: \"http://r.example/\"",
	  "rc=0\nts=2023-10-11T14:32:52.000000Z\nlog.level=error\n"
	  "process.pid=1234\nprocess.thread.id=1234\n"
	  "nginx.error.connection_id=5\nsource.ip=10.0.0.1\n"
	  "server.domain=example.org\nhttp.request.method=GET\n"
	  "url.original=/x?a=1\nurl.path=/x\nurl.query=a=1\n"
	  "http.version=1.1\nurl.domain=example.org\n"
	  "http.request.referrer=http://r.example/\n"
	  "event.dataset=web.error\nevent.category=web\n"
	  "message=open() \"/usr/share/nginx/html/x\" failed (2: No such file "
	  "or directory), client: 10.0.0.1, server: example.org, request: "
	  "\"GET /x?a=1 HTTP/1.1\", host: \"example.org\", referrer: "
	  "\"http://r.example/\"",
	  "nginx with the full context" },
	{ "2023/10/11 14:32:52 [alert] 1200#1200: worker process 1201 exited "
	  "on signal 6 (core dumped)",
	  "rc=0\nlog.level=alert\nprocess.pid=1200\n"
	  "!nginx.error.connection_id\n!source.ip\n"
	  "message=worker process 1201 exited on signal 6 (core dumped)",
	  "master process message, no connection" },
	{ "2023/10/11 14:32:52 [info] 7#7: *31 client 192.0.2.8 closed "
	  "keepalive connection",
	  "log.level=info\nnginx.error.connection_id=31\n!source.ip",
	  "no context tail: the client in the text is not taken" },
	{ "2023/10/11 14:32:52 [crit] 7#7: *1 SSL_do_handshake() failed "
	  "while SSL handshaking, client: 2001:db8::9, server: 0.0.0.0:443",
	  "source.ip=2001:db8::9\nserver.domain=0.0.0.0:443\n"
	  "!http.request.method",
	  "client and server only, IPv6 client" },
	{ "2023/10/11 14:32:52 [error] 7#7: *2 upstream timed out (110: "
	  "Connection timed out) while reading response header from "
	  "upstream, client: 192.0.2.20, server: , request: \"POST /api "
	  "HTTP/2.0\", upstream: \"http://127.0.0.1:8080/api\", host: "
	  "\"api.example\"",
	  "source.ip=192.0.2.20\n!server.domain\nhttp.request.method=POST\n"
	  "url.original=/api\nurl.domain=api.example",
	  "empty server name, upstream" },
	{ "2023/10/11 14:32:52 [error] 7#7: *3 open() \"/srv/a, client: "
	  "6.6.6.6, server: x\" failed, client: 192.0.2.30, server: s, "
	  "request: \"GET / HTTP/1.1\"",
	  "source.ip=192.0.2.30\nserver.domain=s",
	  "a fake tail in the text does not pick the client" },
	{ "2023/10/11 14:32:52 [error] 7#7: *4 x, client: 192.0.2.31, "
	  "server: s, request: \"GET /\", host: \"h\", referrer: \"a, client: "
	  "6.6.6.6, server: evil\"",
	  "source.ip=192.0.2.31\nhttp.request.referrer=a, client: 6.6.6.6, "
	  "server: evil",
	  "a fake tail in the referrer does not pick the client" },
	{ "2023/10/11 14:32:52 [error] 7#7: *7 open() \"/srv/x, client: "
	  "6.6.6.6, server: evil, request: \"\" failed (2: No such file or "
	  "directory), client: 192.0.2.33, server: s, request: \"GET "
	  "/x%2C%20client%3A%206.6.6.6 HTTP/1.1\", host: \"h\"",
	  "!source.ip\n!server.domain\n!http.request.method\n"
	  "nginx.error.tail=ambiguous",
	  "a whole fake tail in a file name: two tails, neither is taken" },
	{ "2023/10/11 14:32:52 [error] 7#7: *8 x, client: 192.0.2.34, "
	  "server: s, request: \"GET / HTTP/1.1\", host: \"h\", referrer: "
	  "\"a, client: 6.6.6.6, server: evil, host: \"x\"",
	  "!source.ip\nnginx.error.tail=ambiguous",
	  "a whole fake tail in the referrer: neither is taken" },
	{ "2023/10/11 14:32:52 [error] 7#7: *5 x, client: 192.0.2.32, "
	  "server: s, request: \"GET /",
	  "rc=0\n!source.ip\n!http.request.method",
	  "cut inside the request: the tail is not taken" },
	{ "2023/10/11 14:32:52 [error] 7#7: *6 x, client: unix:, server: s",
	  "!source.ip\n!source.domain\nserver.domain=s",
	  "unix socket client" },
	{ "2023/02/30 14:32:52 [error] 7#7: x", "rc=0\nts=-",
	  "a date that does not exist" },
	{ "2023/10/11 14:32:52 [oops] 7#7: x", "rc=-3", "unknown level" },
	{ "2023/10/11 14:32:52 [error] 7: x", "rc=-3", "pid without tid" },
	{ "2023/10/11 14:32:52 [error] a#7: x", "rc=-3", "pid not a number" },
	{ "2023/10/11 14:32:52 [error]", "rc=-3", "header cut short" },
	{ "2023-10-11 14:32:52 [error] 7#7: x", "rc=-3", "dashes in the date" },
	{ "just words", "rc=-3\nmessage=just words", "not an error log" },
	{ "", "rc=-3", "empty line" },
};

static const struct parse_row modsec[] = {
	{ "[Wed Oct 11 14:32:52.123456 2023] [security2:error] [pid 1234:tid "
	  "140] [client 10.0.0.2:5555] [client 10.0.0.2] ModSecurity: Access "
	  "denied with code 403 (phase 2). Matched \"Operator `Ge' with "
	  "parameter `5' against variable `TX:ANOMALY_SCORE' (Value: `5' )\" "
	  "at TX:ANOMALY_SCORE. [file \"/etc/modsecurity/crs/REQUEST-949-"
	  "BLOCKING-EVALUATION.conf\"] [line \"80\"] [id \"949110\"] [msg "
	  "\"Inbound Anomaly Score Exceeded (Total Score: 5)\"] [severity "
	  "\"CRITICAL\"] [ver \"OWASP_CRS/3.3.2\"] [tag \"application-multi\"]"
	  " [tag \"attack-generic\"] [hostname \"www.example.org\"] [uri "
	  "\"/index.php\"] [unique_id \"ZSa8hH8AAQEAAAbSAAAAAA\"]",
	  "rc=0\nevent.action=modsecurity_denied\nevent.type=denied\n"
	  "event.kind=alert\nevent.category=intrusion_detection\n"
	  "http.response.status_code=403\nrule.id=949110\n"
	  "rule.name=Inbound Anomaly Score Exceeded (Total Score: 5)\n"
	  "event.severity=2\nrule.ruleset=OWASP_CRS/3.3.2\n"
	  "rule.category=attack-generic\nurl.domain=www.example.org\n"
	  "url.original=/index.php\nhttp.request.id=ZSa8hH8AAQEAAAbSAAAAAA\n"
	  "source.ip=10.0.0.2\nsource.port=5555\nlog.logger=security2\n"
	  "event.dataset=web.error",
	  "ModSecurity 2 in Apache 2.4, blocked" },
	{ "[Sun Dec 04 04:47:44 2005] [error] [client 192.0.2.44] "
	  "ModSecurity: Warning. Pattern match \"(?i:union.*select)\" at "
	  "ARGS:id. [file \"/etc/modsecurity/r.conf\"] [line \"12\"] [id "
	  "\"942100\"] [msg \"SQL Injection Attack\"] [data \"Matched Data: "
	  "union select found within ARGS:id: 1 union select [id \\\"1\\\"]\"] "
	  "[uri \"/x\"] [unique_id \"abc\"]",
	  "event.action=modsecurity_warning\n!event.type\nrule.id=942100\n"
	  "rule.name=SQL Injection Attack\nurl.original=/x\n"
	  "source.ip=192.0.2.44\n!http.response.status_code",
	  "ModSecurity in Apache 2.2, detection only; an escaped tag in the "
	  "data is not a tag" },
	{ "2023/10/11 14:32:52 [error] 1234#1234: *5 [client 10.0.0.1] "
	  "ModSecurity: Access denied with code 403 (phase 2). Matched "
	  "\"Operator `Ge' ...\" [file \"/etc/nginx/crs/REQUEST-942.conf\"] "
	  "[line \"45\"] [id \"942100\"] [rev \"\"] [msg \"SQL Injection "
	  "Attack Detected via libinjection\"] [severity \"2\"] [ver "
	  "\"OWASP_CRS/3.3.4\"] [hostname \"10.0.0.5\"] [uri \"/x\"] "
	  "[unique_id \"169702397238.441722\"], client: 10.0.0.1, server: "
	  "example.org, request: \"GET /x?id=1%27 HTTP/1.1\", host: "
	  "\"example.org\"",
	  "event.action=modsecurity_denied\nrule.id=942100\n"
	  "rule.name=SQL Injection Attack Detected via libinjection\n"
	  "event.severity=2\nsource.ip=10.0.0.1\nurl.original=/x?id=1%27\n"
	  "url.domain=example.org\nhttp.request.method=GET\n"
	  "http.request.id=169702397238.441722\n!rule.version",
	  "ModSecurity 3 in nginx: the request wins over the uri tag" },
	{ "[Mon Dec 23 13:12:31 2013] [error] [client 192.0.2.46] "
	  "ModSecurity:  [file \"/etc/httpd/crs_21.conf\"] [line \"47\"] "
	  "[id \"960015\"] [msg \"Request Missing an Accept Header\"] "
	  "[severity \"NOTICE\"][tag \"OWASP_CRS/PROTOCOL_VIOLATION\"] "
	  "Access denied with code 403 (phase 2). Operator EQ matched 0 at "
	  "REQUEST_HEADERS. [hostname \"www.example.net\"] [uri \"/\"]",
	  "event.action=modsecurity_denied\nhttp.response.status_code=403\n"
	  "rule.id=960015\nevent.severity=5\nurl.original=/\n"
	  "!rule.category",
	  "ModSecurity 2.6: the tags come before the text" },
	{ "[Sun Dec 04 04:47:44 2005] [notice] ModSecurity for Apache/2.9.3 "
	  "(http://www.modsecurity.org/) configured.",
	  "rc=0\n!event.action\nevent.kind=event",
	  "the start-up notice is no ModSecurity message" },
	{ "[Sun Dec 04 04:47:44 2005] [error] ModSecurity: Audit log: Failed "
	  "to lock global mutex: Permission denied",
	  "event.action=modsecurity_message\nevent.kind=event\n!rule.id",
	  "ModSecurity's own trouble: a message, no alert" },
	{ "[Wed Oct 11 14:32:52.123456 2023] [php7:notice] [pid 1] [client "
	  "192.0.2.47:4000] ModSecurity: Access denied with code 403 (phase "
	  "2). [id \"949110\"] [msg \"x\"]",
	  "rc=0\n!event.action\n!rule.id\nevent.kind=event\nlog.logger=php7",
	  "another module's text (PHP error_log) is no ModSecurity alert" },
	{ "[Sun Dec 04 04:47:44 2005] [error] [client 192.0.2.45] File does "
	  "not exist: /var/www/ModSecurity: Access denied [id \"1\"]",
	  "!event.action\n!rule.id\nevent.kind=event",
	  "ModSecurity's words inside a path are no ModSecurity message" },
	{ "[Sun Dec 04 04:47:44 2005] [error] ModSecurity: Access denied "
	  "with code 4 [id \"1\" [msg \"x\"] [msg \"unterminated",
	  "event.action=modsecurity_denied\n!http.response.status_code\n"
	  "!rule.id\nrule.name=x",
	  "broken tags are skipped, a short code is not a status" },
};

/* Error-log text under a web server's syslog tag (read as syslog). */
static const struct parse_row relayed[] = {
	{ "Feb 15 16:23:00 srv httpd[22034]: [authz_core:error] [pid 22034] "
	  "[client 192.0.2.1:58585] AH01630: client denied by server "
	  "configuration: /home/www/",
	  "rc=0\nhost.name=srv\nevent.dataset=web.error\nlog.level=error\n"
	  "log.logger=authz_core\nsource.ip=192.0.2.1\nsource.port=58585\n"
	  "error.code=AH01630\nts=2024-02-15T16:23:00.000000Z\n"
	  "message=AH01630: client denied by server configuration: /home/www/",
	  "Apache 2.4 ErrorLog syslog: no stamp of its own" },
	{ "Feb 15 16:23:40 srv httpd/backend1[22036]: [error] [client "
	  "192.0.2.2] user x not found: /basic/file",
	  "event.dataset=web.error\nsource.ip=192.0.2.2\n!source.port",
	  "a tag naming the virtual host" },
	{ "Jan 21 10:56:10 host nginx[2833]: 2015/01/21 10:56:10 [error] "
	  "2833#0: *16336 open() \"/srv/php4\" failed (2: No such file or "
	  "directory), client: 192.0.2.5, server: localhost, request: \"GET "
	  "/cgi-bin/php4 HTTP/1.1\", host: \"192.0.2.9\"",
	  "event.dataset=web.error\nprocess.pid=2833\nsource.ip=192.0.2.5\n"
	  "url.original=/cgi-bin/php4\nts=2024-01-21T10:56:10.000000Z",
	  "nginx error_log syslog: the syslog time is kept" },
	{ "Feb 15 16:23:00 srv httpd[1]: [oops] text",
	  "rc=0\nevent.dataset=linux.syslog\n!log.level\n"
	  "message=[oops] text",
	  "not error-log text: an ordinary syslog line" },
	{ "Feb 15 16:23:00 srv other[1]: [core:error] [pid 1] x",
	  "event.dataset=linux.syslog\n!log.level",
	  "only a web server's tag is read so" },
};

static void test_errorlog_relayed(void **state)
{
	(void)state;
	pt_table(CORE_FMT_SYSLOG, relayed, CORE_ARRAY_LEN(relayed));
}

static void test_errorlog_apache(void **state)
{
	(void)state;
	pt_table(CORE_FMT_ERROR_LOG, apache, CORE_ARRAY_LEN(apache));
}

static void test_errorlog_nginx(void **state)
{
	(void)state;
	pt_table(CORE_FMT_ERROR_LOG, nginx, CORE_ARRAY_LEN(nginx));
}

static void test_errorlog_modsecurity(void **state)
{
	(void)state;
	pt_table(CORE_FMT_ERROR_LOG, modsec, CORE_ARRAY_LEN(modsec));
}

/* Stamps read with --tz +02:00: a zone-less one follows it, guessed. */
static const struct zone_row {
	const char *line;
	const char *ts;
	bool guessed;
	const char *why;
} zone_rows[] = {
	{ "2023/10/11 14:32:52 [error] 7#7: x", "2023-10-11T12:32:52.000000Z",
	  true, "nginx: no zone" },
	{ "[Wed Oct 11 14:32:52 2023] [error] x",
	  "2023-10-11T12:32:52.000000Z", true, "Apache ctime: no zone" },
	{ "[2023-10-11 14:32:52.5] [core:warn] x",
	  "2023-10-11T12:32:52.500000Z", true, "%{cu}t: no zone" },
	{ "[2023-10-11 14:32:52Z] [core:warn] x",
	  "2023-10-11T14:32:52.000000Z", false, "a Z is UTC" },
	{ "[2023-10-11 14:32+01:00] [core:warn] x",
	  "2023-10-11T13:32:00.000000Z", false,
	  "a zone right after the minutes is the stamp's, not --tz" },
};

static void test_errorlog_zone(void **state)
{
	struct core_arena *arena = core_arena_new(0);
	struct core_event ev;
	struct parse_ctx ctx;
	char ts[40];

	(void)state;
	assert_non_null(arena);
	pt_ctx(&ctx);
	ctx.tz_offset_min = 120;
	for (size_t i = 0; i < CORE_ARRAY_LEN(zone_rows); i++) {
		const struct zone_row *r = &zone_rows[i];

		core_event_reset(&ev, arena);
		assert_int_equal(parse_record(CORE_FMT_ERROR_LOG, &ctx, &ev,
					      r->line, strlen(r->line)), 0);
		core_time_format(ev.ts, ts, sizeof(ts));
		if (strcmp(ts, r->ts) != 0 || ev.ts_guessed != r->guessed)
			fail_msg("%s (%s): ts %s guessed %d", r->line, r->why,
				 ts, ev.ts_guessed);
	}
	core_arena_free(arena);
}

/*
 * Lines of 1 MiB holding ", client: " some 30,000 times: each place
 * tried may scan to the end of the line, which cost minutes before the
 * scans were bounded; a real tail at the end is still found.
 */
static void test_errorlog_many_tails(void **state)
{
	/* The real tail, found; a key with no value, so no tail at all. */
	static const char *const ends[] = {
		", client: 192.0.2.77, server: s", "\", host: \"",
	};
	struct core_arena *arena = core_arena_new(0);
	struct core_event ev;
	struct core_buf b;
	clock_t t0 = clock();

	(void)state;
	assert_non_null(arena);
	for (size_t k = 0; k < CORE_ARRAY_LEN(ends); k++) {
		const struct core_str *ip;

		core_buf_init(&b, 2u << 20);
		core_buf_printf(&b, "2023/10/11 14:32:52 [error] 7#7: *1 x");
		while (b.len < (1u << 20))
			core_buf_printf(&b, ", client: 6.6.6.6, request: \"x");
		core_buf_printf(&b, "%s", ends[k]);
		core_event_reset(&ev, arena);
		assert_int_equal(parse_record(CORE_FMT_ERROR_LOG, NULL, &ev,
					      core_buf_cstr(&b), b.len), 0);
		ip = core_event_get(&ev, CORE_F_SOURCE_IP);
		if (k == 0 ? ip == NULL || !core_str_eq_lit(*ip, "192.0.2.77")
			   : ip != NULL)
			fail_msg("end %zu: source.ip %s", k, ip ? "wrong" :
				 "missing");
		core_buf_free(&b);
	}
	/* Bounded: milliseconds; unbounded: tens of seconds. */
	if (clock() - t0 > 2 * CLOCKS_PER_SEC)
		fail_msg("%.1f s of CPU for two lines",
			 (double)(clock() - t0) / CLOCKS_PER_SEC);
	core_arena_free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errorlog_apache),
		cmocka_unit_test(test_errorlog_nginx),
		cmocka_unit_test(test_errorlog_modsecurity),
		cmocka_unit_test(test_errorlog_zone),
		cmocka_unit_test(test_errorlog_many_tails),
		cmocka_unit_test(test_errorlog_relayed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
