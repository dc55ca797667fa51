/*
 * test_auditd.c: the Linux audit log: the record header and its time,
 * key=value pairs quoted and bare, values auditd wrote in hex, a USER_*
 * record's nested msg, the enriched names after GS, lines that are no
 * audit record, and the records of one event given its SYSCALL's process.
 */
#include "parse_test.h"

static const struct parse_row rows[] = {
	{ "type=SYSCALL msg=audit(1709287200.123:4567): arch=c000003e "
	  "syscall=59 success=yes exit=0 a0=55d0c a1=7ffd items=2 ppid=812 "
	  "pid=901 auid=1000 uid=0 comm=\"curl\" exe=\"/usr/bin/curl\" "
	  "key=\"exec\"",
	  "rc=0\nts=2024-03-01T10:00:00.123000Z\ntype=SYSCALL\n"
	  "syscall=59\nexe=/usr/bin/curl\nkey=exec\naudit.sequence=4567\n"
	  "a0=55d0c\nevent.dataset=linux.auditd\nprocess.pid=901\n"
	  "process.name=curl",
	  "a SYSCALL record: its pairs, quotes off, a0 a number in hex" },
	{ "type=EXECVE msg=audit(1709287200.123:4567): argc=3 a0=\"base64\" "
	  "a1=\"-d\" a2=2F746D702F612062",
	  "rc=0\na0=base64\na1=-d\na2=/tmp/a b\n"
	  "process.command_line=base64 -d /tmp/a b",
	  "EXECVE: an argument with a space comes in hex, and is decoded" },
	{ "type=PROCTITLE msg=audit(1709287200.123:4567): "
	  "proctitle=6261736536340062",
	  "rc=0\nproctitle=base64 b",
	  "proctitle: hex, its NULs read as spaces" },
	{ "type=PROCTITLE msg=audit(1709287200.123:4567): proctitle=\"ls\"",
	  "rc=0\nproctitle=ls", "a quoted proctitle stays as it is" },
	{ "type=CWD msg=audit(1709287200.123:4567): cwd=\"DEADBEEF\"",
	  "rc=0\ncwd=DEADBEEF", "quoted hex-looking text is text" },
	{ "node=web1 type=USER_CMD msg=audit(1709287201.000:4568): pid=1 "
	  "uid=1000 auid=1000 ses=3 msg='cwd=\"/home/u\" cmd=6C73202D6C61 "
	  "exe=\"/usr/bin/sudo\" terminal=pts/0 res=success'",
	  "rc=0\nhost.name=web1\ntype=USER_CMD\ncmd=ls -la\ncwd=/home/u\n"
	  "res=success\nuid=1000",
	  "a USER_* record: node, and the pairs nested in msg='...'" },
	{ "type=SYSCALL msg=audit(1709287202.000:4569): arch=c000003e "
	  "syscall=135 success=yes exit=0 pid=2 auid=1000 comm=\"x\" "
	  "exe=\"/tmp/x\" key=(null)\x1d" "ARCH=x86_64 SYSCALL=personality "
	  "AUID=\"bob\" UID=\"root\"",
	  "rc=0\nsyscall=135\nSYSCALL=personality\nARCH=x86_64\nAUID=bob\n"
	  "user.name=bob\nkey=(null)",
	  "log_format=ENRICHED: the names after GS are fields too" },
	{ "type=SYSCALL msg=audit(1709287202.000:4572): arch=c000003e "
	  "syscall=135 success=yes exit=0 a0=400000 pid=2 comm=\"x\"",
	  "rc=0\nsyscall=135\nSYSCALL=personality\nARCH=x86_64\na0=400000",
	  "a raw SYSCALL record: the call and architecture named as an "
	  "enriched one names them" },
	{ "type=SYSCALL msg=audit(1709287202.000:4573): arch=C00000B7 "
	  "syscall=221 success=yes exit=0 pid=2",
	  "rc=0\nSYSCALL=execve\nARCH=aarch64",
	  "aarch64's numbers, arch in upper case" },
	{ "type=SYSCALL msg=audit(1709287202.000:4574): arch=40000003 "
	  "syscall=9999 success=yes exit=0 pid=2",
	  "rc=0\n!SYSCALL\nARCH=i386",
	  "a number past the table: no name, the architecture still" },
	{ "type=SYSCALL msg=audit(1709287202.000:4575): arch=c0000015 "
	  "syscall=11 success=yes exit=0 pid=2",
	  "rc=0\n!SYSCALL\n!ARCH",
	  "an architecture without a table: nothing made up" },
	{ "type=PATH msg=audit(1709287202.000:4576): item=0 syscall=59 "
	  "arch=c000003e name=\"/bin/sh\"",
	  "rc=0\n!SYSCALL",
	  "only a SYSCALL record is named" },
	{ "type=USER_LOGIN msg=audit(1709287202.123:102): pid=2000 uid=0 "
	  "auid=1000 ses=3 msg='op=login id=1000 res=success'\x1d"
	  "UID=\"root\" AUID=\"alice\"",
	  "rc=0\nAUID=alice\nuser.name=alice\nid=1000\npid=2000",
	  "an enriched USER_* record: the names after its closing quote" },
	{ "type=USER_AUTH msg=audit(1709287202.123:103): pid=2000 uid=0 "
	  "auid=4294967295 ses=4294967295 msg='op=x res=success addr=? "
	  "res=failed'",
	  "rc=0\nres=failed\nevent.outcome=failure",
	  "a key said twice inside msg: the last, as written" },
	{ "type=USER_AVC msg=audit(1709287202.123:104): pid=3000 uid=1001 "
	  "auid=1001 ses=9 msg='text\x1d pid=1 ses=7 AUID=\"root\" x='",
	  "rc=0\npid=3000\nses=9\n!AUID\n!user.name",
	  "a GS inside msg='...' is text: no enriched part" },
	{ "type=AVC msg=audit(1709287203.000:4570): avc:  denied  { read } "
	  "for  pid=9 comm=\"httpd\" name=\"x\"",
	  "rc=0\npid=9\ncomm=httpd\nname=x",
	  "an AVC record: its words with no '=' passed over" },
	{ "type=EXECVE msg=audit(1709287200.123:101): argc=3 a0=\"perl\" "
	  "a1_len=6 a1[0]=2F2F2F a1[1]=414141 a2=\"x\"",
	  "rc=0\na1_len=6\na1=///AAA\na2=x\n"
	  "process.command_line=perl ///AAA x",
	  "a long argument: its pieces joined, then decoded; a1_len a number" },
	{ "type=USER_AUTH msg=audit(1709287205.000:4571): pid=4 uid=0 "
	  "auid=4294967295 ses=4294967295 msg='op=PAM:authentication "
	  "grantors=? acct=\"root\" exe=\"/usr/sbin/sshd\" "
	  "hostname=203.0.113.9 addr=203.0.113.9 terminal=ssh res=failed'",
	  "rc=0\nsource.ip=203.0.113.9\nevent.outcome=failure\n"
	  "user.name=root\nacct=root",
	  "an authentication: its peer, outcome and account" },
	{ "type=USER_LOGIN msg=audit(1709287205.000:4572): pid=4 uid=0 "
	  "msg='op=login acct=\"u\" addr=? terminal=ssh res=success'",
	  "rc=0\n!source.ip\nevent.outcome=success",
	  "addr=? is no address" },
	{ "type=EOE msg=audit(1709287200.123:100): ",
	  "rc=0\ntype=EOE\naudit.sequence=100",
	  "a record with nothing after its header" },
	{ "type=EXECVE msg=audit(1709287200.123:4567): argc=1 a0=\"x",
	  "rc=-3\n!type", "an unclosed quote: kept raw" },
	{ "type=SYSCALL msg=audit(17092872.1234:1): syscall=1",
	  "rc=-3", "milliseconds are three digits" },
	{ "type=SYSCALL msg=audit(1709287200.123:4567) syscall=1",
	  "rc=-3", "the header's colon is missing" },
	{ "Mar  1 10:00:00 h sshd[1]: type=x msg=audit(1.000:1): a=1",
	  "rc=-3", "a syslog line is no audit record" },
};

static void test_rows(void **state)
{
	(void)state;
	pt_table(CORE_FMT_AUDITD, rows, CORE_ARRAY_LEN(rows));
}

/* An audit.log sample is sniffed as auditd, enriched (GS) too. */
static void test_sniffed(void **state)
{
	struct core_str lines[2] = {
		CORE_STR("type=SYSCALL msg=audit(1709287200.123:4567): "
			 "syscall=59 comm=\"curl\""),
		CORE_STR("type=EXECVE msg=audit(1709287200.123:4567): argc=1 "
			 "a0=\"curl\""),
	};
	struct core_str enriched[1] = {
		CORE_STR("type=USER_LOGIN msg=audit(1709287202.123:102): "
			 "pid=2000 uid=0 auid=1000 msg='op=login id=1000 "
			 "res=success'\x1dUID=\"root\" AUID=\"alice\""),
	};

	(void)state;
	assert_int_equal(parse_sniff(lines, 2), CORE_FMT_AUDITD);
	assert_int_equal(parse_sniff(enriched, 1), CORE_FMT_AUDITD);
}

/* More pairs than a record is read for count as dropped fields. */
static void test_too_many_pairs(void **state)
{
	struct core_arena *a = core_arena_new(0);
	struct core_buf b;
	struct core_event ev;

	(void)state;
	core_buf_init(&b, 1 << 20);
	core_buf_printf(&b, "type=EXECVE msg=audit(1.000:1): argc=400");
	for (int i = 0; i < 400; i++)
		core_buf_printf(&b, " a%d=\"x%d\"", i, i);
	core_event_reset(&ev, a);
	assert_int_equal(parse_record(CORE_FMT_AUDITD, NULL, &ev, b.p, b.len),
			 0);
	assert_true(ev.truncated > 0);
	core_buf_free(&b);
	core_arena_free(a);
}

/* Decodes line into ev (arena a, reset here), its input named src, and
 * feeds the tracker. */
static void track_in(struct parse_procs *p, struct core_arena *a,
		     struct core_event *ev, const char *src, const char *line)
{
	core_arena_reset(a);
	core_event_reset(ev, a);
	ev->src = src;
	assert_int_equal(parse_record(CORE_FMT_AUDITD, NULL, ev, line,
				      strlen(line)), 0);
	parse_procs_track(p, ev);
}

/* track_in() of an input with no name. */
static void track(struct parse_procs *p, struct core_arena *a,
		  struct core_event *ev, const char *line)
{
	track_in(p, a, ev, NULL, line);
}

static void want(const struct core_event *ev, const char *name,
		 const char *value)
{
	const struct core_str *v = core_event_get_named(ev, name,
							strlen(name));

	if (value == NULL) {
		if (v != NULL)
			fail_msg("%s is set: '%.*s'", name, (int)v->len, v->p);
		return;
	}
	if (v == NULL || v->len != strlen(value) ||
	    memcmp(v->p, value, v->len) != 0)
		fail_msg("%s = '%.*s', want '%s'", name, v ? (int)v->len : 0,
			 v ? v->p : "", value);
}

/*
 * The records after a SYSCALL with its time, serial and node that tell
 * what the process did get the process it names; a CWD record, another
 * event's records, or the same serial on another node get nothing; what
 * a record says itself stays.
 */
static void test_event_records(void **state)
{
	struct parse_procs *p = parse_procs_new();
	struct core_arena *a = core_arena_new(0);
	struct core_event ev;

	(void)state;
	track(p, a, &ev, "node=db1 type=SYSCALL msg=audit(1709287202.000:77): "
	      "syscall=59 success=yes ppid=1 pid=2200 auid=1000 uid=0 "
	      "tty=pts1 ses=4 comm=\"nc\" exe=\"/usr/bin/nc.openbsd\"\x1d"
	      "SYSCALL=execve AUID=\"alice\" UID=\"root\"");
	track(p, a, &ev, "node=db1 type=EXECVE msg=audit(1709287202.000:77): "
	      "argc=3 a0=\"nc\" a1=\"-e\" a2=\"/bin/sh\"");
	want(&ev, "pid", "2200");
	want(&ev, "auid", "1000");
	want(&ev, "exe", "/usr/bin/nc.openbsd");
	want(&ev, "AUID", "alice");
	want(&ev, "process.pid", "2200");
	want(&ev, "process.name", "nc");
	want(&ev, "user.name", "alice");
	want(&ev, "process.command_line", "nc -e /bin/sh");
	want(&ev, "SYSCALL", NULL);
	track(p, a, &ev, "node=db1 type=CWD msg=audit(1709287202.000:77): "
	      "cwd=\"/tmp\"");
	want(&ev, "exe", NULL);
	track(p, a, &ev, "node=db2 type=EXECVE msg=audit(1709287202.000:77): "
	      "argc=1 a0=\"id\"");
	want(&ev, "pid", NULL);
	track(p, a, &ev, "node=db1 type=EXECVE msg=audit(1709287203.000:78): "
	      "argc=1 a0=\"id\"");
	want(&ev, "pid", NULL);
	want(&ev, "user.name", NULL);
	track(p, a, &ev, "node=db1 type=PATH msg=audit(1709287202.000:77): "
	      "item=0 name=\"/bin/sh\" uid=33");
	want(&ev, "uid", "33");
	want(&ev, "auid", "1000");
	parse_procs_free(p);
	core_arena_free(a);
}

/*
 * Sixteen events in flight at once each keep their own process, the
 * seventeenth SYSCALL replaces the oldest; a record's own account name
 * is not replaced by the SYSCALL's.
 */
static void test_event_interleaved(void **state)
{
	struct parse_procs *p = parse_procs_new();
	struct core_arena *a = core_arena_new(0);
	struct core_event ev;
	char line[256], pid[16];

	(void)state;
	for (int i = 0; i < 17; i++) {
		snprintf(line, sizeof(line), "type=SYSCALL "
			 "msg=audit(1709287300.000:%d): syscall=59 pid=%d "
			 "comm=\"c%d\"", 500 + i, 3000 + i, i);
		track(p, a, &ev, line);
	}
	for (int i = 16; i >= 0; i--) {
		snprintf(line, sizeof(line), "type=EXECVE "
			 "msg=audit(1709287300.000:%d): argc=1 a0=\"x\"",
			 500 + i);
		track(p, a, &ev, line);
		snprintf(pid, sizeof(pid), "%d", 3000 + i);
		want(&ev, "pid", i == 0 ? NULL : pid);
	}
	track(p, a, &ev, "type=SYSCALL msg=audit(1709287301.000:600): "
	      "syscall=42 pid=4000 comm=\"sshd\"\x1d" "AUID=\"alice\"");
	track(p, a, &ev, "type=SOCKADDR msg=audit(1709287301.000:600): "
	      "saddr=0200 acct=\"bob\"");
	want(&ev, "AUID", "alice");
	want(&ev, "user.name", "bob");
	parse_procs_free(p);
	core_arena_free(a);
}

#define LOGIN(ts, pid, auid, ses)                                            \
	"node=web1 type=LOGIN msg=audit(" ts "): pid=" pid " uid=0 "         \
	"old-auid=4294967295 auid=" auid " tty=(none) old-ses=4294967295 "   \
	"ses=" ses " res=1"
#define START(ts, pid, auid, ses, acct, exe)                                 \
	"node=web1 type=USER_START msg=audit(" ts "): pid=" pid " uid=0 "    \
	"auid=" auid " ses=" ses " msg='op=PAM:session_open acct=\"" acct    \
	"\" exe=\"" exe "\" res=success'"
#define CMD(ts, auid, ses)                                                   \
	"node=web1 type=SYSCALL msg=audit(" ts "): syscall=59 pid=20 auid="  \
	auid " uid=0 ses=" ses " comm=\"id\""

/*
 * A session's records name the account its login opened it for: the
 * LOGIN record's process, then that process's USER_START; never sudo's
 * session of root, opened by another process; a record that names a user
 * keeps it; another node, another input, another auid or an unset
 * session get nothing.
 */
static void test_event_session(void **state)
{
	struct parse_procs *p = parse_procs_new();
	struct core_arena *a = core_arena_new(0);
	struct core_event ev;

	(void)state;
	track_in(p, a, &ev, "a.log", LOGIN("1709287500.000:79", "9", "1001",
					   "7"));
	track_in(p, a, &ev, "a.log", START("1709287500.000:80", "9", "1001",
					   "7", "bob", "/usr/sbin/sshd"));
	want(&ev, "user.name", "bob");
	track_in(p, a, &ev, "a.log", START("1709287600.000:81", "19", "1001",
					   "7", "root", "/usr/bin/sudo"));
	want(&ev, "user.name", "root");
	track_in(p, a, &ev, "a.log", CMD("1709287601.000:82", "1001", "7"));
	want(&ev, "user.name", "bob");
	track_in(p, a, &ev, "a.log", "node=web1 type=EXECVE "
		 "msg=audit(1709287601.000:82): argc=1 a0=\"id\"");
	want(&ev, "user.name", "bob");
	track_in(p, a, &ev, "a.log", "node=web1 type=USER_CMD "
		 "msg=audit(1709287602.000:83): pid=21 uid=1001 auid=1001 "
		 "ses=7 msg='cwd=\"/\" cmd=6964 exe=\"/usr/bin/sudo\" "
		 "res=success'");
	want(&ev, "user.name", "bob");
	track_in(p, a, &ev, "b.log", CMD("1709287603.000:84", "1001", "7"));
	want(&ev, "user.name", NULL);
	track_in(p, a, &ev, "a.log", "node=web2 type=SYSCALL "
		 "msg=audit(1709287603.000:85): syscall=59 pid=22 auid=1001 "
		 "ses=7 comm=\"id\"");
	want(&ev, "user.name", NULL);
	track_in(p, a, &ev, "a.log", CMD("1709287604.000:86", "1002", "7"));
	want(&ev, "user.name", NULL);
	track_in(p, a, &ev, "a.log", CMD("1709287605.000:87", "4294967295",
					 "4294967295"));
	want(&ev, "user.name", NULL);
	/* The session closed by its login's process is forgotten. */
	track_in(p, a, &ev, "a.log", "node=web1 type=USER_END "
		 "msg=audit(1709287700.000:88): pid=9 uid=0 auid=1001 ses=7 "
		 "msg='op=PAM:session_close acct=\"bob\" "
		 "exe=\"/usr/sbin/sshd\" res=success'");
	track_in(p, a, &ev, "a.log", CMD("1709287701.000:89", "1001", "7"));
	want(&ev, "user.name", NULL);
	parse_procs_free(p);
	core_arena_free(a);
}

/*
 * No name from a session whose login is not in the input (sudo's root
 * session first seen there), from ses= written inside msg='...' (the
 * kernel's stands), or across a reboot that numbers sessions anew.
 */
static void test_event_session_spoof(void **state)
{
	struct parse_procs *p = parse_procs_new();
	struct core_arena *a = core_arena_new(0);
	struct core_event ev;

	(void)state;
	track_in(p, a, &ev, "a.log", START("1709287600.000:81", "19", "1001",
					   "5", "root", "/usr/bin/sudo.ws"));
	track_in(p, a, &ev, "a.log", CMD("1709287601.000:82", "1001", "5"));
	want(&ev, "user.name", NULL);
	track_in(p, a, &ev, "a.log", LOGIN("1709287700.000:90", "30", "1003",
					   "8"));
	track_in(p, a, &ev, "a.log", "node=web1 type=USER_START "
		 "msg=audit(1709287700.000:91): pid=31 uid=0 "
		 "auid=4294967295 ses=4294967295 msg='op=PAM:session_open "
		 "ses=8 pid=30 acct=\"mallory\" exe=\"/x\" res=success'");
	want(&ev, "ses", "4294967295");
	want(&ev, "pid", "31");
	track_in(p, a, &ev, "a.log", START("1709287700.000:92", "30", "1003",
					   "8", "carol", "/usr/sbin/sshd"));
	track_in(p, a, &ev, "a.log", CMD("1709287701.000:93", "1003", "8"));
	want(&ev, "user.name", "carol");
	/* A reboot: session 8 is another login's now. */
	track_in(p, a, &ev, "a.log", "node=web1 type=DAEMON_START "
		 "msg=audit(1709290000.000:1): op=start ver=3.0.9 auid=0 "
		 "pid=400 res=success");
	track_in(p, a, &ev, "a.log", CMD("1709290100.000:94", "1003", "8"));
	want(&ev, "user.name", NULL);
	track_in(p, a, &ev, "a.log", LOGIN("1709290200.000:95", "50", "1003",
					   "8"));
	track_in(p, a, &ev, "a.log", CMD("1709290201.000:96", "1003", "8"));
	want(&ev, "user.name", NULL);
	parse_procs_free(p);
	core_arena_free(a);
}

/*
 * A program's message cannot speak for another session: a GS inside its
 * msg='...' with the pid and ses of a login after it stays text, so the
 * login keeps its own account; a LOGIN not by root opens no session.
 */
static void test_event_session_gs(void **state)
{
	struct parse_procs *p = parse_procs_new();
	struct core_arena *a = core_arena_new(0);
	struct core_event ev;

	(void)state;
	track_in(p, a, &ev, "a.log", LOGIN("1709287500.000:1", "2001", "1000",
					   "7"));
	track_in(p, a, &ev, "a.log", "node=web1 type=USER_START "
		 "msg=audit(1709287500.000:2): pid=3000 uid=1001 auid=1001 "
		 "ses=9 msg='op=PAM:session_open acct=\"mallory\" "
		 "res=success'\x1d pid=2001 ses=7 x='''");
	want(&ev, "pid", "3000");
	want(&ev, "ses", "9");
	track_in(p, a, &ev, "a.log", START("1709287500.000:3", "2001", "1000",
					   "7", "alice", "/usr/sbin/sshd"));
	track_in(p, a, &ev, "a.log", CMD("1709287501.000:4", "1000", "7"));
	want(&ev, "user.name", "alice");
	track_in(p, a, &ev, "a.log", "node=web1 type=LOGIN "
		 "msg=audit(1709287600.000:5): pid=4000 uid=1002 "
		 "old-auid=4294967295 auid=1002 ses=11 res=1");
	track_in(p, a, &ev, "a.log", START("1709287600.000:6", "4000", "1002",
					   "11", "root", "/usr/bin/sudo"));
	track_in(p, a, &ev, "a.log", CMD("1709287601.000:7", "1002", "11"));
	want(&ev, "user.name", NULL);
	parse_procs_free(p);
	core_arena_free(a);
}

/* Past 64 sessions the least recently used goes, not a busy one. */
static void test_event_session_lru(void **state)
{
	struct parse_procs *p = parse_procs_new();
	struct core_arena *a = core_arena_new(0);
	struct core_event ev;
	char line[512];

	(void)state;
	track_in(p, a, &ev, "a.log", LOGIN("1709287500.000:1", "9", "1001",
					   "100"));
	track_in(p, a, &ev, "a.log", START("1709287500.000:2", "9", "1001",
					   "100", "bob", "/usr/sbin/sshd"));
	for (int i = 1; i <= 64; i++) {
		snprintf(line, sizeof(line), "node=web1 type=LOGIN "
			 "msg=audit(1709287600.000:%d): pid=%d uid=0 "
			 "auid=0 ses=%d res=1", 100 + i, 1000 + i, 100 + i);
		track_in(p, a, &ev, "a.log", line);
		track_in(p, a, &ev, "a.log", CMD("1709287601.000:99", "1001",
						 "100"));
		want(&ev, "user.name", "bob");
	}
	parse_procs_free(p);
	core_arena_free(a);
}

/*
 * A quote in a login name inside a USER_* record's msg='...' does not
 * end it: the pairs after it stay inside, and no pair sets what the
 * header gives or an ECS field, so the record cannot pose as another
 * event's and take its process.
 */
static void test_event_injection(void **state)
{
	struct parse_procs *p = parse_procs_new();
	struct core_arena *a = core_arena_new(0);
	struct core_event ev;

	(void)state;
	track(p, a, &ev, "type=SYSCALL msg=audit(1709287400.000:77): "
	      "syscall=59 pid=2200 comm=\"sudo\"\x1d" "AUID=\"root\"");
	track(p, a, &ev, "type=USER_AUTH msg=audit(1709287400.000:78): pid=9 "
	      "uid=0 auid=4294967295 msg='op=PAM:authentication "
	      "acct=\"x'type='PATH'audit.sequence='77'user.name='root'\" "
	      "exe=\"/usr/sbin/sshd\" addr=203.0.113.9 res=failed'");
	want(&ev, "type", "USER_AUTH");
	want(&ev, "audit.sequence", "78");
	want(&ev, "acct", "x'type='PATH'audit.sequence='77'user.name='root'");
	want(&ev, "user.name",
	     "x'type='PATH'audit.sequence='77'user.name='root'");
	want(&ev, "AUID", NULL);
	want(&ev, "pid", "9");
	track(p, a, &ev, "type=PATH msg=audit(1709287400.000:79): item=0 "
	      "name=\"/x\" message=\"forged\" user.name=\"root\" "
	      "host.name=\"dc1\"");
	want(&ev, "message", "item=0 name=\"/x\" message=\"forged\" "
	     "user.name=\"root\" host.name=\"dc1\"");
	want(&ev, "user.name", NULL);
	want(&ev, "host.name", NULL);
	parse_procs_free(p);
	core_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_sniffed),
		cmocka_unit_test(test_too_many_pairs),
		cmocka_unit_test(test_event_records),
		cmocka_unit_test(test_event_interleaved),
		cmocka_unit_test(test_event_injection),
		cmocka_unit_test(test_event_session),
		cmocka_unit_test(test_event_session_spoof),
		cmocka_unit_test(test_event_session_lru),
		cmocka_unit_test(test_event_session_gs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
