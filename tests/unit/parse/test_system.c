/*
 * test_system.c: cron job lines and kernel netfilter lines.
 */
#include "parse_test.h"

#define T "Mar  3 10:00:00 srv "

static const struct parse_row rows[] = {
	{ T "CRON[42]: (root) CMD (cd / && run-parts --report "
	    "/etc/cron.hourly)",
	  "event.action=cron_command\nuser.name=root\n"
	  "process.command_line=cd / && run-parts --report /etc/cron.hourly\n"
	  "event.dataset=linux.cron",
	  "Debian cron job" },
	{ T "crond[42]: (www) CMD (/usr/bin/php (x).php)",
	  "process.command_line=/usr/bin/php (x).php",
	  "only the last parenthesis closes the command" },
	{ T "CRON[42]: (root) RELOAD (crontabs/root)",
	  "user.name=root\n!event.action\nevent.dataset=linux.cron",
	  "other cron verbs keep the user" },
	{ T "CRON[42]: pam_unix(cron:session): session opened for user root "
	    "by (uid=0)",
	  "event.action=session_opened\nuser.name=root\n"
	  "event.dataset=linux.auth",
	  "pam lines from cron are auth events" },
	{ T "kernel: [ 1234.567890] [UFW BLOCK] IN=eth0 OUT= "
	    "MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=203.0.113.5 "
	    "DST=192.0.2.1 LEN=40 TOS=0x00 PREC=0x00 TTL=241 ID=5 PROTO=TCP "
	    "SPT=51234 DPT=23 WINDOW=1024 RES=0x00 SYN URGP=0",
	  "event.action=firewall_drop\nevent.outcome=failure\n"
	  "source.ip=203.0.113.5\ndestination.ip=192.0.2.1\n"
	  "source.port=51234\ndestination.port=23\nnetwork.transport=tcp\n"
	  "event.reason=UFW BLOCK\nevent.dataset=linux.kernel",
	  "ufw block" },
	{ T "kernel: [UFW ALLOW] IN=eth0 OUT= SRC=203.0.113.5 DST=192.0.2.1 "
	    "PROTO=UDP SPT=5 DPT=53",
	  "event.action=firewall_allow\nevent.outcome=success\n"
	  "network.transport=udp",
	  "ufw allow" },
	{ T "kernel: IPTABLES-DROP: IN=eth0 OUT= SRC=203.0.113.5 "
	    "DST=192.0.2.1 PROTO=ICMP TYPE=8 CODE=0",
	  "event.action=firewall_drop\nevent.reason=IPTABLES-DROP\n"
	  "network.transport=icmp\n!source.port",
	  "iptables LOG prefix, ICMP has no ports" },
	{ T "kernel: IN=eth0 OUT= SRC=203.0.113.5 DST=192.0.2.1 PROTO=TCP",
	  "event.action=firewall_drop\n!event.reason", "no prefix" },
	{ T "kernel: [ 0.000000] Linux version 6.1.0",
	  "rc=0\n!event.action\nevent.dataset=linux.kernel",
	  "other kernel text" },
	{ T "kernel: IN=", "rc=0\n!event.action", "truncated netfilter" },
};

static void test_system_rows(void **state)
{
	(void)state;
	pt_table(CORE_FMT_SYSLOG, rows, CORE_ARRAY_LEN(rows));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
