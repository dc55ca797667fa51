/*
 * test_evtx.c: binary XML records into fields, on synthetic records
 * (tests/fuzz/evtx_fixture.h), the Windows JSON shapes, and damaged
 * binary XML that must be reported, never crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "parse/evtx.h"
#include "parse/parse.h"
#include "../../fuzz/evtx_fixture.h"

static struct fx fx;

/* Chunk 0 of a one-chunk image with three records. */
static const uint8_t *build(void)
{
	fx_begin(&fx);
	fx_record(&fx, "WS01.corp.example", "cmd.exe /c whoami", 1);
	fx_record(&fx, "WS01.corp.example", "net user", 1);
	fx_record(&fx, "WS01.corp.example", "ipconfig /all", 4688);
	fx_end(&fx);
	return fx.img + 4096;
}

/* Offset and length of the binary XML of the i-th record (0-based). */
static void record_at(const uint8_t *c, unsigned i, size_t *off,
		      size_t *len)
{
	size_t pos = 512;
	uint32_t size = 0;

	for (unsigned k = 0; k <= i; k++) {
		pos += size;
		size = (uint32_t)c[pos + 4] | (uint32_t)c[pos + 5] << 8 |
		       (uint32_t)c[pos + 6] << 16 |
		       (uint32_t)c[pos + 7] << 24;
	}
	*off = pos + 24;
	*len = size - 28;
}

static const struct want {
	unsigned rec;
	const char *field;
	const char *value;	/* NULL: must be absent */
	const char *why;
} wants[] = {
	{ 0, "EventID", "1", "System text by element name" },
	{ 0, "Provider_Name", "Microsoft-Windows-Sysmon",
	  "System attributes as Element_Attribute" },
	{ 0, "Channel", "Microsoft-Windows-Sysmon/Operational", "UTF-16" },
	{ 0, "Computer", "WS01.corp.example", "computer" },
	{ 0, "EventRecordID", "1", "uint64 value" },
	{ 0, "TimeCreated_SystemTime", "2019-04-17T18:40:01.0000000Z",
	  "FILETIME with 100 ns digits" },
	{ 0, "Security_UserID", "S-1-5-18", "SID" },
	{ 0, "CommandLine", "cmd.exe /c whoami", "Data by its Name" },
	{ 0, "Blob", "CAEFBE", "binary as upper-case hex" },
	{ 0, "ProcessGuid", "{12345678-1234-5678-9ABC-DEF001020304}",
	  "GUID with mixed-endian groups" },
	{ 0, "LogonId", "0x3e7", "HexInt64 as Windows renders it" },
	{ 0, "Options", ", xp_cmdshell, 0, 1",
	  "a named string array: its elements joined with commas" },
	{ 0, "Data", "x\n\nxp_cmdshell\n0\n1",
	  "an unnamed string array after an unnamed item: one item per "
	  "element, as Windows renders it, joined like separate items "
	  "(its first, empty, element too)" },
	{ 0, "host.name", "WS01.corp.example", "ECS from Computer" },
	{ 0, "process.command_line", "cmd.exe /c whoami", "ECS" },
	{ 0, "process.name", "cmd.exe", "basename of Image" },
	{ 0, "xmlns", NULL, "namespace attributes are not fields" },
	{ 0, "Name", NULL, "the Name attribute of Data is the field name" },
	{ 1, "CommandLine", "net user", "cached template, next values" },
	{ 1, "EventRecordID", "2", "second record" },
	{ 2, "EventID", "4688", "third record" },
};

static void decode(struct parse_evtx *d, struct core_event *ev,
		   struct core_arena *a, const uint8_t *c, unsigned i)
{
	size_t off, len;

	record_at(c, i, &off, &len);
	core_arena_reset(a);
	core_event_reset(ev, a);
	ev->src = "t.evtx";
	ev->line = i + 1;
	assert_int_equal(parse_evtx_record(d, ev, c, FX_CHUNK, 0, off, len,
					   CORE_TS_UNKNOWN, NULL), 0);
}

static void test_fields(void **state)
{
	struct parse_evtx *d = parse_evtx_new();
	struct core_arena *a = core_arena_new(65536);
	const uint8_t *c = build();
	const struct core_str *raw;
	struct core_event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const struct want *w = &wants[i];
		const struct core_str *v;

		decode(d, &ev, a, c, w->rec);
		assert_true(ev.decoded);
		assert_int_equal(ev.format, CORE_FMT_EVTX);
		v = core_event_get_named(&ev, w->field, strlen(w->field));
		if (w->value == NULL && v != NULL)
			fail_msg("row %zu (%s): %s is set", i, w->why,
				 w->field);
		if (w->value != NULL &&
		    (v == NULL || v->len != strlen(w->value) ||
		     memcmp(v->p, w->value, v->len) != 0))
			fail_msg("row %zu (%s): %s = '%.*s'", i, w->why,
				 w->field, v ? (int)v->len : 0,
				 v ? v->p : "");
	}
	/* ts from TimeCreated: 2019-04-17T18:40:01Z */
	decode(d, &ev, a, c, 0);
	assert_int_equal(ev.ts, 1555526401LL * 1000000);
	/* Rendered when asked for, not before. */
	assert_null(ev.raw.p);
	raw = core_event_raw(&ev);
	assert_true(raw->len > 0 && raw->p[0] == '{' &&
		    raw->p[raw->len - 1] == '}');
	assert_non_null(strstr(raw->p, "\"Image\":\"C:\\\\Windows"));
	assert_ptr_equal(core_event_raw(&ev), raw);
	parse_evtx_free(d);
	core_arena_free(a);
}

/* Every cut of a record and every flipped byte: reported or decoded. */
static void test_damage(void **state)
{
	struct parse_evtx *d = parse_evtx_new();
	struct core_arena *a = core_arena_new(65536);
	const uint8_t *c = build();
	uint8_t *copy = malloc(FX_CHUNK);
	struct core_event ev;
	size_t off, len;
	unsigned failed = 0;

	(void)state;
	record_at(c, 0, &off, &len);
	for (size_t cut = 0; cut < len; cut++) {
		struct core_error err = { 0 };

		memcpy(copy, c, FX_CHUNK);
		core_arena_reset(a);
		core_event_reset(&ev, a);
		ev.src = "t.evtx";
		ev.line = 7;
		/* A new chunk number drops the cache each time. */
		if (parse_evtx_record(d, &ev, copy, FX_CHUNK, cut + 1, off,
				      cut, CORE_TS_UNKNOWN, &err) != 0) {
			failed++;
			assert_string_equal(err.file, "t.evtx");
			assert_int_equal(err.line, 7);
			assert_non_null(strstr(err.msg, "evtx: "));
		}
	}
	assert_true(failed > len / 2);
	/* A message names the chunk and where in it decoding stopped:
	 * in the record, or at the template offset it names. */
	for (size_t i = 0; i < len; i++) {
		struct core_error err = { 0 };
		unsigned long long no;
		size_t at;

		memcpy(copy, c, FX_CHUNK);
		copy[off + i] ^= 0xa5;
		core_arena_reset(a);
		core_event_reset(&ev, a);
		if (parse_evtx_record(d, &ev, copy, FX_CHUNK, 100000 + i, off,
				      len, CORE_TS_UNKNOWN, &err) == 0)
			continue;
		assert_non_null(strstr(err.msg, "(chunk "));
		assert_int_equal(sscanf(strstr(err.msg, "(chunk "),
					"(chunk %llu, offset %zu)", &no, &at),
				 2);
		assert_int_equal(no, 100000 + i);
		if (!strstr(err.msg, "template offset out of range"))
			assert_true(at >= off && at <= off + len);
	}
	free(copy);
	parse_evtx_free(d);
	core_arena_free(a);
}

static const struct jrow {
	const char *json;
	const char *field;
	const char *value;	/* NULL: the field is absent */
	const char *why;
} jrows[] = {
	{ "{\"Event\":{\"System\":{\"EventID\":{\"#attributes\":{"
	  "\"Qualifiers\":16384},\"#text\":7045},\"Channel\":\"System\"}}}",
	  "EventID", "7045",
	  "evtx_dump: an EventID with Qualifiers is an object; its #text" },
	{ "{\"Event\":{\"System\":{\"EventID\":{\"#attributes\":{"
	  "\"Qualifiers\":16384},\"#text\":7045},\"Channel\":\"System\"}}}",
	  "EventID_Qualifiers", "16384", "and its attribute" },
	{ "{\"Event\":{\"System\":{\"EventID\":7036,\"EventID_attributes\":"
	  "{\"Qualifiers\":16384},\"Provider_attributes\":{\"Name\":"
	  "\"Service Control Manager\"}}}}", "Provider_Name",
	  "Service Control Manager",
	  "evtx_dump --separate-json-attributes: X_attributes.A is X_A" },
	{ "{\"Event\":{\"System\":{\"EventID\":7,\"Provider\":{"
	  "\"#attributes\":{\"#text\":\"p\"}}}}}", "event.dataset", "windows",
	  "an attribute named #text: no name left, nothing renamed" },
	{ "{\"winlog\":{\"channel\":\"Security\",\"event_id\":4688,"
	  "\"event_data\":{\"NewProcessName\":\"C:\\\\x\\\\cmd.exe\"}}}",
	  "process.name", "cmd.exe", "the program's name from its path" },
	{ "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/"
	  "Operational\",\"Image\":\"C:/t/a.exe\"}", "process.name", "a.exe",
	  "flat style, forward slashes" },
	{ "{\"winlog\":{\"channel\":\"Security\",\"event_id\":4688,"
	  "\"computer_name\":\"WS01\",\"event_data\":{\"NewProcessName\":"
	  "\"C:\\\\x\\\\cmd.exe\"}}}", "NewProcessName", "C:\\x\\cmd.exe",
	  "Winlogbeat 4688 keeps its own names" },
	{ "{\"winlog\":{\"channel\":\"Security\",\"event_id\":4688,"
	  "\"event_data\":{\"ProcessId\":\"0x248\",\"NewProcessId\":"
	  "\"0x1f4\"}}}", "process.pid", "0x1f4",
	  "4688: process.pid is the new process, not its creator" },
	{ "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/"
	  "Operational\",\"ProcessId\":\"4242\",\"ParentProcessId\":"
	  "\"7\"}", "process.pid", "4242", "Sysmon: process.pid is ProcessId" },
	{ "{\"winlog\":{\"channel\":\"Security\",\"event_id\":4624,"
	  "\"computer_name\":\"WS01\"}}", "Computer", "WS01",
	  "winlog.computer_name is Computer" },
	{ "{\"winlog\":{\"channel\":\"Security\",\"event_id\":4624,"
	  "\"computer_name\":\"WS01\"}}", "host.name", "WS01",
	  "and host.name" },
	{ "{\"winlog\":{\"event_id\":\"4625\",\"event_data\":{"
	  "\"IpAddress\":\"10.0.0.5\"}}}", "source.ip", "10.0.0.5",
	  "IpAddress is source.ip" },
	{ "{\"winlog\":{\"event_id\":\"4625\",\"event_data\":{"
	  "\"IpAddress\":\"::ffff:203.0.113.5\"}}}", "source.ip",
	  "203.0.113.5", "an IPv4-mapped address is the IPv4 one" },
	{ "{\"winlog\":{\"event_id\":\"4625\",\"event_data\":{"
	  "\"IpAddress\":\"::ffff:203.0.113.5\"}}}", "IpAddress",
	  "::ffff:203.0.113.5", "while the record keeps what it said" },
	{ "{\"winlog\":{\"event_id\":\"4625\",\"event_data\":{"
	  "\"IpAddress\":\"::ffff:cb00:7105\"}}}", "source.ip",
	  "::ffff:cb00:7105", "a hex-written mapped address is left alone" },
	{ "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/"
	  "Operational\",\"CommandLine\":\"whoami\"}", "process.command_line",
	  "whoami", "flat EventData style" },
	{ "{\"Event\":{\"System\":{\"EventID\":7,\"Provider\":{"
	  "\"#attributes\":{\"Name\":\"P\"}}},\"EventData\":{\"ImageLoaded\":"
	  "\"a.dll\"}}}", "Provider_Name", "P",
	  "Event.System attributes as Element_Attribute" },
	{ "{\"Event\":{\"System\":{\"EventID\":7},\"EventData\":{"
	  "\"ImageLoaded\":\"a.dll\"}}}", "ImageLoaded", "a.dll",
	  "Event.EventData items by name" },
	{ "{\"winlog\":{\"channel\":\"Microsoft-Windows-Windows Defender/"
	  "Operational\",\"event_id\":1116,\"event_data\":{\"Threat Name\":"
	  "\"EICAR\"}}}", "ThreatName", "EICAR",
	  "a Data name with spaces also without them" },
	{ "{\"winlog\":{\"channel\":\"Microsoft-Windows-Windows Defender/"
	  "Operational\",\"event_id\":1116,\"event_data\":{\"Threat Name\":"
	  "\"EICAR\"}}}", "Threat Name", "EICAR",
	  "and as it is" },
	{ "{\"EventID\":1116,\"Channel\":\"Microsoft-Windows-Windows Defender/"
	  "Operational\",\"Threat Name\":\"EICAR\"}", "ThreatName", "EICAR",
	  "flat style: a Data name with spaces also without them" },
	{ "{\"Event\":{\"System\":{\"EventID\":7},\"EventData\":{"
	  "\"Source Name\":\"Real-Time Protection\"}}}", "SourceName",
	  "Real-Time Protection", "nested: a Data name without its spaces" },
	{ "{\"winlog\":{\"channel\":\"Security\",\"event_id\":\"4625\"},"
	  "\"event\":{\"action\":\"logon-failed\",\"outcome\":\"failure\"}}",
	  "event.action", "windows_logon",
	  "Winlogbeat 8's own action gives way: the logon is counted" },
	{ "{\"winlog\":{\"channel\":\"Security\",\"event_id\":\"4624\"},"
	  "\"event\":{\"action\":\"logged-in\"}}", "event.outcome",
	  "success", "and a 4624 is a logon that worked" },
	{ "{\"winlog\":{\"channel\":\"Windows PowerShell\",\"event_id\":"
	  "400,\"event_data\":{\"param1\":\"Available\",\"param2\":"
	  "\"None\",\"param3\":\"HostApplication=pwsh\"}}}", "Data",
	  "Available\nNone\nHostApplication=pwsh",
	  "Winlogbeat's unnamed items param1..N joined as Data, as in EVTX" },
	{ "{\"winlog\":{\"channel\":\"Windows PowerShell\",\"event_id\":"
	  "400,\"event_data\":{\"param1\":\"Available\",\"param3\":"
	  "\"x\"}}}", "Data", "Available",
	  "the join stops at the first missing number" },
	{ "{\"EventID\":800,\"Channel\":\"Windows PowerShell\",\"Data\":"
	  "\"own\",\"param1\":\"p\"}", "Data", "own",
	  "a record's own Data is kept" },
	{ "{\"Event\":{\"System\":{\"EventID\":800},\"EventData\":{\"Data\":"
	  "{\"#text\":[\"ls\",\"Host=C:\\\\x\"]}}}}", "Data", "ls\nHost=C:\\x",
	  "evtx_dump's unnamed items, an array under #text: joined" },
	{ "{\"Event\":{\"System\":{\"EventID\":800},\"EventData\":{\"Data\":"
	  "{\"#text\":\"one\"}}}}", "Data", "one",
	  "and a single one, #text alone" },
	{ "{\"EventID\":800,\"Channel\":\"Windows PowerShell\",\"Data\":"
	  "[\"a\",\"b\"]}", "Data", "a\nb", "flat style: a Data array joined" },
	{ "{\"EventID\":800,\"Channel\":\"Windows PowerShell\",\"Data\":"
	  "[\"a\",2]}", "Data", "[\"a\",2]",
	  "an array of other values stays as written" },
	{ "{\"EventID\":800,\"Channel\":\"Windows PowerShell\",\"Data\":"
	  "\"[\\\"x\\\"] IEX DownloadString\"}", "Data",
	  "[\"x\"] IEX DownloadString",
	  "a string that starts like an array is kept whole" },
	{ "{\"EventID\":7036,\"Channel\":\"System\",\"param1\":\"a\"}",
	  "Data", NULL, "flat: named params are not joined into Data" },
	{ "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
	  "\"Initiated\":\"false\",\"SourceIp\":\"10.0.0.5\",\"SourcePort\":"
	  "\"445\",\"DestinationIp\":\"-\",\"DestinationPort\":\"50111\"}",
	  "source.port", "445", "no peer address: the ports stay too" },
	{ "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
	  "\"Initiated\":\"false\",\"SourceIp\":\"10.0.0.5\",\"SourcePort\":"
	  "\"445\",\"DestinationIp\":\"10.0.0.9\",\"DestinationPort\":"
	  "\"50111\"}",
	  "source.ip", "10.0.0.9",
	  "Sysmon 3 inbound: the remote end opened it, source.ip" },
	{ "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
	  "\"Initiated\":\"false\",\"SourceIp\":\"10.0.0.5\",\"SourcePort\":"
	  "\"445\",\"DestinationIp\":\"10.0.0.9\",\"DestinationPort\":"
	  "\"50111\"}",
	  "destination.port", "445", "and this host's port the destination" },
	{ "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
	  "\"Initiated\":\"false\",\"SourceIp\":\"10.0.0.5\",\"DestinationIp\":"
	  "\"10.0.0.9\"}", "SourceIp", "10.0.0.5",
	  "while the record's own fields stay" },
	{ "{\"EventID\":3,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
	  "\"Initiated\":\"true\",\"SourceIp\":\"10.0.0.5\",\"DestinationIp\":"
	  "\"203.0.113.7\"}", "source.ip", "10.0.0.5",
	  "Sysmon 3 outbound: this host is the source" },
	{ "{\"EventID\":5156,\"Channel\":\"Security\",\"Direction\":"
	  "\"%%14592\",\"SourceAddress\":\"10.0.0.5\",\"DestAddress\":"
	  "\"10.0.0.9\"}", "source.ip", "10.0.0.9",
	  "WFP inbound: the remote end is the source" },
	{ "{\"EventID\":5156,\"Channel\":\"Security\",\"Direction\":"
	  "\"%%14593\",\"SourceAddress\":\"10.0.0.5\",\"DestAddress\":"
	  "\"10.0.0.9\"}", "source.ip", "10.0.0.5",
	  "WFP outbound: as written" },
	{ "{\"EventID\":4688,\"Channel\":\"Security\",\"TargetUserName\":"
	  "\"-\",\"SubjectUserName\":\"bob\"}", "user.name", "bob",
	  "Windows' \"-\" is no user: the next name fills user.name" },
	{ "{\"EventID\":4625,\"Channel\":\"Security\",\"TargetUserName\":"
	  "\"-\"}", "TargetUserName", "-", "while the record keeps it" },
	{ "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
	  "\"User\":\"CORP\\\\eve\"}", "user.name", "eve",
	  "Sysmon's DOMAIN\\name is the name, as 4624's TargetUserName" },
	{ "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
	  "\"User\":\"CORP\\\\eve\"}", "User", "CORP\\eve",
	  "while the record keeps the domain" },
	{ "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
	  "\"User\":\"NT AUTHORITY\\\\SYSTEM\"}", "user.name", "SYSTEM",
	  "a built-in principal too" },
	{ "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
	  "\"User\":\"eve\"}", "user.name", "eve", "no domain: as written" },
	{ "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
	  "\"User\":\"CORP\\\\\"}", "user.name", "CORP\\",
	  "a domain and no name: kept whole, never empty" },
	{ "{\"EventID\":10,\"Channel\":"
	  "\"Microsoft-Windows-Sysmon/Operational\","
	  "\"SourceUser\":\"CORP\\\\eve\",\"TargetUser\":\"NT AUTHORITY\\\\"
	  "SYSTEM\"}", "user.name", "eve",
	  "a process access: the source process's account acts" },
	{ "{\"EventID\":4732,\"Channel\":\"Security\",\"TargetUserName\":"
	  "\"Administrators\",\"SubjectUserName\":\"eve\",\"MemberName\":"
	  "\"-\",\"MemberSid\":\"S-1-5-21-1-2-3-501\"}", "user.name", "eve",
	  "a member added to a group: the account that added it acts" },
	{ "{\"EventID\":4732,\"Channel\":\"Security\",\"TargetUserName\":"
	  "\"Administrators\",\"SubjectUserName\":\"eve\",\"MemberName\":"
	  "\"-\",\"MemberSid\":\"S-1-5-21-1-2-3-501\"}", "group.name",
	  "Administrators", "the group is group.name, not a user" },
	{ "{\"EventID\":4732,\"Channel\":\"Security\",\"TargetUserName\":"
	  "\"Administrators\",\"SubjectUserName\":\"eve\",\"MemberName\":"
	  "\"-\",\"MemberSid\":\"S-1-5-21-1-2-3-501\"}", "user.target.name",
	  "S-1-5-21-1-2-3-501", "the member, by SID when it has no name" },
	{ "{\"EventID\":4728,\"Channel\":\"Security\",\"TargetUserName\":"
	  "\"Domain Admins\",\"SubjectUserName\":\"eve\",\"MemberName\":"
	  "\"CN=mallory,CN=Users,DC=corp\",\"MemberSid\":\"S-1-5-21-9\"}",
	  "user.target.name", "CN=mallory,CN=Users,DC=corp",
	  "a domain group's member by its name" },
	{ "{\"EventID\":4720,\"Channel\":\"Security\",\"TargetUserName\":"
	  "\"backdoor$\",\"SubjectUserName\":\"eve\"}", "user.name", "eve",
	  "an account created: its creator acts" },
	{ "{\"EventID\":4720,\"Channel\":\"Security\",\"TargetUserName\":"
	  "\"backdoor$\",\"SubjectUserName\":\"eve\"}", "user.target.name",
	  "backdoor$", "and the new account is the target" },
	{ "{\"EventID\":4624,\"Channel\":\"Security\",\"TargetUserName\":"
	  "\"alice\",\"SubjectUserName\":\"WS1$\"}", "user.name", "alice",
	  "a logon keeps the account that logs on" },
	{ "{\"EventID\":4799,\"Channel\":\"Security\",\"TargetUserName\":"
	  "\"Administrators\",\"SubjectUserName\":\"eve\"}", "group.name",
	  "Administrators", "a group's members listed: group.name" },
	{ "{\"EventID\":4732,\"Channel\":\"Application\",\"TargetUserName\":"
	  "\"x\",\"SubjectUserName\":\"eve\"}", "user.name", "x",
	  "the same id on another channel is another event" },
	{ "{\"EventID\":4688,\"Channel\":\"Security\",\"SubjectUserSid\":"
	  "\"S-1-5-18\",\"SubjectUserName\":\"WS1$\",\"SubjectDomainName\":"
	  "\"CORP\",\"TargetUserName\":\"-\"}", "User", "NT AUTHORITY\\SYSTEM",
	  "4688 by SYSTEM: User as Sysmon names it, not the host account" },
	{ "{\"EventID\":4688,\"Channel\":\"Security\",\"SubjectUserSid\":"
	  "\"S-1-5-20\",\"SubjectUserName\":\"WS1$\",\"TargetUserName\":"
	  "\"-\"}", "User", "NT AUTHORITY\\NETWORK SERVICE",
	  "NETWORK SERVICE too" },
	{ "{\"EventID\":4688,\"Channel\":\"Security\",\"SubjectUserSid\":"
	  "\"S-1-5-18\",\"SubjectUserName\":\"WS1$\"}", "User", NULL,
	  "before version 2 (no Target...) the creator may not be the user" },
	{ "{\"EventID\":4688,\"Channel\":\"Security\",\"SubjectUserSid\":"
	  "\"S-1-5-21-1-2-3-1106\",\"SubjectUserName\":\"eve\","
	  "\"SubjectDomainName\":\"CORP\",\"TargetUserSid\":\"S-1-0-0\","
	  "\"TargetUserName\":\"-\",\"TargetDomainName\":\"-\"}", "User",
	  "CORP\\eve", "no other target: the creator's account, DOMAIN\\name" },
	{ "{\"EventID\":4688,\"Channel\":\"Security\",\"SubjectUserSid\":"
	  "\"S-1-5-18\",\"SubjectUserName\":\"WS1$\",\"TargetUserSid\":"
	  "\"S-1-0-0\",\"TargetUserName\":\"Administrator\","
	  "\"TargetDomainName\":\"CORP\"}", "User", "CORP\\Administrator",
	  "version 2's target: the account the process runs as" },
	{ "{\"EventID\":4688,\"Channel\":\"Security\",\"SubjectUserName\":"
	  "\"eve\",\"TargetUserName\":\"-\"}", "User", "eve",
	  "no domain: the name alone" },
	{ "{\"EventID\":4688,\"Channel\":\"Security\",\"SubjectUserName\":"
	  "\"eve\",\"User\":\"CORP\\\\bob\"}", "User", "CORP\\bob",
	  "a User of the record's own is kept" },
	{ "{\"EventID\":4688,\"Channel\":\"Security\",\"NewProcessName\":"
	  "\"\\\\Device\\\\Mup\\\\srv\\\\share\\\\a.exe\"}", "Image",
	  "\\\\srv\\share\\a.exe",
	  "a program run from a share: Image as Sysmon writes it" },
	{ "{\"EventID\":4688,\"Channel\":\"Security\",\"NewProcessName\":"
	  "\"\\\\Device\\\\Mup\\\\srv\\\\share\\\\a.exe\"}", "NewProcessName",
	  "\\Device\\Mup\\srv\\share\\a.exe",
	  "while the record keeps its own" },
	{ "{\"EventID\":4688,\"Channel\":\"Security\",\"ParentProcessName\":"
	  "\"\\\\device\\\\mup\\\\srv\\\\s\\\\p.exe\"}", "ParentImage",
	  "\\\\srv\\s\\p.exe", "the parent too, whatever the case" },
	{ "{\"EventID\":4688,\"Channel\":\"Security\",\"NewProcessName\":"
	  "\"C:\\\\Windows\\\\a.exe\"}", "Image", NULL,
	  "a local program: no Image added" },
	{ "{\"EventID\":4688,\"Channel\":\"Security\",\"ParentImage\":"
	  "\"\\\\Device\\\\Mup\\\\srv\\\\s\\\\p.exe\"}", "ParentImage",
	  "\\\\srv\\s\\p.exe",
	  "a ParentImage in device form (tracked from the creator) too" },
	{ "{\"EventID\":4688,\"Channel\":\"Application\",\"SubjectUserSid\":"
	  "\"S-1-5-18\"}", "User", NULL, "4688 of another channel: none" },
	{ "{\"user\":{\"name\":\"bob\"},\"EventID\":5}", "EventID", "5",
	  "an EventID alone is not Windows, but stays a field" },
	{ "{\"user\":{\"name\":\"bob\"}}", "event.dataset", "json",
	  "other JSON is left alone" },
};

static void test_json(void **state)
{
	struct core_arena *a = core_arena_new(65536);
	struct core_event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(jrows) / sizeof(jrows[0]); i++) {
		const struct jrow *r = &jrows[i];
		const struct core_str *v;
		enum core_field_id id;

		core_arena_reset(a);
		core_event_reset(&ev, a);
		assert_int_equal(parse_record(CORE_FMT_JSON, NULL, &ev, r->json,
					      strlen(r->json)), 0);
		id = core_field_lookup(r->field, strlen(r->field));
		v = id == CORE_F_NAMED ?
		    core_event_get_named(&ev, r->field, strlen(r->field)) :
		    core_event_get(&ev, id);
		if (r->value == NULL ? v != NULL :
		    v == NULL || v->len != strlen(r->value) ||
		    memcmp(v->p, r->value, v->len) != 0)
			fail_msg("row %zu (%s): %s = '%.*s'", i, r->why,
				 r->field, v ? (int)v->len : 0,
				 v ? v->p : "");
	}
	core_arena_free(a);
}

/* Where a Windows JSON record's time comes from; NULL: unknown. */
static const struct trow {
	const char *json;
	const char *ts;
	const char *why;
} trows[] = {
	{ "{\"EventID\":4625,\"Channel\":\"Security\",\"TimeCreated\":"
	  "\"2026-12-01T11:01:00Z\"}", "2026-12-01T11:01:00Z",
	  "flat style: TimeCreated" },
	{ "{\"EventID\":4625,\"Channel\":\"Security\","
	  "\"TimeCreated_SystemTime\":\"2026-12-01T11:02:00Z\","
	  "\"TimeCreated\":\"2026-12-01T11:03:00Z\"}",
	  "2026-12-01T11:02:00Z", "TimeCreated_SystemTime comes first" },
	{ "{\"EventID\":4625,\"Channel\":\"Security\",\"TimeCreated\":"
	  "\"/Date(1733050860000)/\"}", NULL,
	  "a TimeCreated that is no ISO time leaves it unknown" },
	{ "{\"user\":{\"name\":\"bob\"},\"TimeCreated\":"
	  "\"2026-12-01T11:01:00Z\"}", NULL,
	  "other JSON does not read TimeCreated" },
};

static void test_json_time(void **state)
{
	struct core_arena *a = core_arena_new(1 << 16);
	struct core_event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(trows) / sizeof(trows[0]); i++) {
		const struct trow *r = &trows[i];
		int64_t want = CORE_TS_UNKNOWN;

		if (r->ts != NULL)
			assert_true(core_time_parse_iso(r->ts, strlen(r->ts),
							&want) > 0);
		core_arena_reset(a);
		core_event_reset(&ev, a);
		assert_int_equal(parse_record(CORE_FMT_JSON, NULL, &ev, r->json,
					      strlen(r->json)), 0);
		if (ev.ts != want)
			fail_msg("row %zu (%s): ts %lld", i, r->why,
				 (long long)ev.ts);
	}
	core_arena_free(a);
}

/*
 * A wide export (Defender's 1116 and 1119 carry some 50 Data items, most
 * with spaces) keeps every item by name and squeezed name: the JSON
 * paths give way to the EVTX names, so nothing is dropped.  100 items
 * fit only so: with their paths kept beside the names they would need
 * 300 fields.
 */
#define WIDE_ITEMS 100

static void test_json_wide(void **state)
{
	struct core_arena *a = core_arena_new(1 << 17);
	struct core_buf b;
	struct core_event ev;
	char name[32];

	(void)state;
	core_buf_init(&b, 1 << 16);
	core_buf_printf(&b, "{\"Event\":{\"System\":{\"EventID\":1119,"
			"\"Channel\":\"Microsoft-Windows-Windows Defender/"
			"Operational\",\"Provider\":{\"#attributes\":{"
			"\"Name\":\"P\"}}},\"EventData\":{");
	for (int i = 0; i < WIDE_ITEMS; i++)
		core_buf_printf(&b, "%s\"Item %d\":\"v%d\"", i ? "," : "", i,
				i);
	core_buf_printf(&b, "}}}");
	core_event_reset(&ev, a);
	assert_int_equal(parse_record(CORE_FMT_JSON, NULL, &ev,
				      core_buf_cstr(&b), b.len), 0);
	assert_int_equal(ev.truncated, 0);
	for (int i = 0; i < WIDE_ITEMS; i++) {
		const struct core_str *v;
		char want[8];

		snprintf(want, sizeof(want), "v%d", i);
		snprintf(name, sizeof(name), "Item %d", i);
		v = core_event_get_named(&ev, name, strlen(name));
		assert_non_null(v);
		assert_true(core_str_eq_lit(*v, want));
		snprintf(name, sizeof(name), "Item%d", i);
		v = core_event_get_named(&ev, name, strlen(name));
		assert_non_null(v);
		assert_true(core_str_eq_lit(*v, want));
	}
	assert_non_null(core_event_get_named(&ev, "Provider_Name", 13));
	core_buf_free(&b);
	core_arena_free(a);
}

/* A Security 4688 of an older Windows: no ParentProcessName. */
static void old_4688(struct core_event *ev, struct core_arena *a,
		     const char *host, const char *ppid, const char *pid,
		     const char *image)
{
	core_arena_reset(a);
	core_event_reset(ev, a);
	core_event_set_named(ev, "EventID", 7, "4688", 4);
	core_event_set_named(ev, "Channel", 7, "Security", 8);
	core_event_set_named(ev, "Computer", 8, host, strlen(host));
	core_event_set_named(ev, "ProcessId", 9, ppid, strlen(ppid));
	core_event_set_named(ev, "NewProcessId", 12, pid, strlen(pid));
	core_event_set_named(ev, "NewProcessName", 14, image, strlen(image));
}

static void want_parent(const struct core_event *ev, const char *image)
{
	const struct core_str *v = core_event_get_named(ev, "ParentImage",
							11);

	if (image == NULL) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_int_equal(v->len, strlen(image));
	assert_memory_equal(v->p, image, v->len);
}

static void test_parent_tracking(void **state)
{
	struct parse_evtx *d = parse_evtx_new();
	struct core_arena *a = core_arena_new(65536);
	struct core_event ev;

	(void)state;
	old_4688(&ev, a, "WS01", "0x248", "0x0000000000000ae8",
		 "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe");
	parse_evtx_track(d, &ev);
	want_parent(&ev, NULL);
	old_4688(&ev, a, "WS01", "0x0000000000000ae8", "0x424",
		 "C:\\Windows\\System32\\calc.exe");
	parse_evtx_track(d, &ev);
	want_parent(&ev, "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe");
	/* The same id on another host is another process. */
	old_4688(&ev, a, "WS02", "0xae8", "0x500", "C:\\x.exe");
	parse_evtx_track(d, &ev);
	want_parent(&ev, NULL);
	/* A reused id takes the newer image. */
	old_4688(&ev, a, "WS01", "0x1", "0xae8", "C:\\new.exe");
	parse_evtx_track(d, &ev);
	old_4688(&ev, a, "WS01", "0xae8", "0x600", "C:\\child.exe");
	parse_evtx_track(d, &ev);
	want_parent(&ev, "C:\\new.exe");
	/* A ParentImage the record gave is kept. */
	old_4688(&ev, a, "WS01", "0xae8", "0x700", "C:\\y.exe");
	core_event_set_named(&ev, "ParentImage", 11, "C:\\p.exe", 8);
	parse_evtx_track(d, &ev);
	want_parent(&ev, "C:\\p.exe");
	parse_evtx_free(d);
	core_arena_free(a);
}

/*
 * A value that fits the raw rendering's bound but not once escaped
 * (2,000 control characters, six bytes each) is left out whole: the
 * rendering stops after the last whole field and says "...", never
 * inside an escape.
 */
static void test_raw_ceiling(void **state)
{
	static char cmd[2001];
	struct parse_evtx *d = parse_evtx_new();
	struct core_arena *a = core_arena_new(65536);
	struct core_event ev;
	const char *r;
	size_t n;

	(void)state;
	memset(cmd, 0x01, sizeof(cmd) - 1);
	fx_begin(&fx);
	fx_record(&fx, "WS01.corp.example", cmd, 1);
	fx_end(&fx);
	decode(d, &ev, a, fx.img + 4096, 0);
	assert_non_null(core_event_get_named(&ev, "CommandLine", 11));
	r = core_event_raw(&ev)->p;
	n = core_event_raw(&ev)->len;
	assert_true(n > 3 && n <= PARSE_EVTX_RAW_MAX + 3);
	assert_int_equal(strlen(r), n);
	assert_string_equal(r + n - 4, "\"...");
	assert_null(strstr(r, "\\u0001"));
	assert_non_null(strstr(r, "\"Computer\":\"WS01.corp.example\""));
	parse_evtx_free(d);
	core_arena_free(a);
}

/* Replaces every UTF-16 from in c[0, n) by to, as long. */
static unsigned swap_u16(uint8_t *c, size_t n, const char *from,
			 const char *to)
{
	size_t k = strlen(from);
	unsigned hits = 0;

	for (size_t i = 0; i + 2 * k <= n; i++) {
		size_t j = 0;

		while (j < k && c[i + 2 * j] == (uint8_t)from[j] &&
		       c[i + 2 * j + 1] == 0)
			j++;
		if (j < k)
			continue;
		for (j = 0; j < k; j++)
			c[i + 2 * j] = (uint8_t)to[j];
		hits++;
	}
	return hits;
}

/* Where the UTF-16 of s starts in c[0, n), or n. */
static size_t find_u16(const uint8_t *c, size_t n, const char *s)
{
	size_t k = strlen(s);

	for (size_t i = 0; i + 2 * k <= n; i++) {
		size_t j = 0;

		while (j < k && c[i + 2 * j] == (uint8_t)s[j] &&
		       c[i + 2 * j + 1] == 0)
			j++;
		if (j == k)
			return i;
	}
	return n;
}

/*
 * UTF-16 values to UTF-8, with a non-ASCII unit or a NUL put at every
 * place of a value, so that the paths taking several units a step meet
 * each at each lane: "é" and "中" are encoded, a NUL ends the value.
 */
static void test_utf16(void **state)
{
	static const char text[] = "cmd.exe /c whoami";
	static const struct {
		uint16_t unit;
		const char *utf8;	/* NULL: the value ends there */
	} subs[] = {
		{ 0x00e9, "\xc3\xa9" }, { 0x4e2d, "\xe4\xb8\xad" },
		{ 0x0000, NULL },
	};
	static uint8_t c[FX_CHUNK];
	struct core_arena *a = core_arena_new(65536);
	struct core_event ev;

	(void)state;
	for (size_t s = 0; s < CORE_ARRAY_LEN(subs); s++) {
		for (size_t k = 0; k < sizeof(text) - 1; k++) {
			struct parse_evtx *d = parse_evtx_new();
			const struct core_str *v;
			char want[64];
			size_t at;

			memcpy(c, build(), FX_CHUNK);
			at = find_u16(c, FX_CHUNK, text);
			assert_true(at < FX_CHUNK);
			c[at + 2 * k] = (uint8_t)subs[s].unit;
			c[at + 2 * k + 1] = (uint8_t)(subs[s].unit >> 8);
			snprintf(want, sizeof(want), "%.*s%s%s", (int)k, text,
				 subs[s].utf8 ? subs[s].utf8 : "",
				 subs[s].utf8 ? text + k + 1 : "");
			decode(d, &ev, a, c, 0);
			v = core_event_get_named(&ev, "CommandLine", 11);
			assert_non_null(v);
			if (v->len != strlen(want) ||
			    memcmp(v->p, want, v->len) != 0)
				fail_msg("unit %04x at %zu: '%.*s'",
					 subs[s].unit, k, (int)v->len, v->p);
			parse_evtx_free(d);
		}
	}
	core_arena_free(a);
}

/*
 * One decoder serves many files: after parse_evtx_reset() a chunk at the
 * same address with the same number, but other templates, is compiled
 * anew, and the processes of the file before are forgotten.
 */
static void test_reset(void **state)
{
	static uint8_t c[FX_CHUNK];
	struct parse_evtx *d = parse_evtx_new();
	struct core_arena *a = core_arena_new(65536);
	struct core_event ev;

	(void)state;
	memcpy(c, build(), FX_CHUNK);
	decode(d, &ev, a, c, 0);
	assert_non_null(core_event_get_named(&ev, "CommandLine", 11));
	assert_true(swap_u16(c, FX_CHUNK, "CommandLine", "CommandText") > 0);
	/* Same chunk, same number: the cached template still reads. */
	decode(d, &ev, a, c, 0);
	assert_non_null(core_event_get_named(&ev, "CommandLine", 11));
	parse_evtx_reset(d);
	decode(d, &ev, a, c, 0);
	assert_null(core_event_get_named(&ev, "CommandLine", 11));
	assert_non_null(core_event_get_named(&ev, "CommandText", 11));

	old_4688(&ev, a, "WS01", "0x248", "0xae8", "C:\\parent.exe");
	parse_evtx_track(d, &ev);
	parse_evtx_reset(d);
	old_4688(&ev, a, "WS01", "0xae8", "0x424", "C:\\child.exe");
	parse_evtx_track(d, &ev);
	want_parent(&ev, NULL);
	parse_evtx_free(d);
	core_arena_free(a);
}

/* ----------------------------------------- UTF-16 runs, numbers */

/* One code point as UTF-8 at o; returns its length. */
static size_t ref_put(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * What the decoder must make of n UTF-16 units, a unit at a time: a
 * NUL ends the text, a high surrogate followed by a low one is one
 * code point, any other surrogate is U+FFFD.
 */
static size_t ref_utf8(const uint16_t *u, size_t n, char *o)
{
	size_t len = 0;

	for (size_t i = 0; i < n && u[i] != 0; i++) {
		uint32_t cp = u[i];

		if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < n &&
		    u[i + 1] >= 0xdc00 && u[i + 1] < 0xe000) {
			cp = 0x10000 + ((cp - 0xd800) << 10) +
			     (uint32_t)(u[i + 1] - 0xdc00);
			i++;
		} else if (cp >= 0xd800 && cp < 0xe000) {
			cp = 0xfffd;
		}
		len += ref_put(o + len, cp);
	}
	return len;
}

#define RUN_MAX 40

/*
 * A chunk whose record 0 has a CommandLine of n units, where they are,
 * and a decoder for it.
 */
struct run_rec {
	uint8_t c[FX_CHUNK];
	size_t at;		/* the CommandLine's first unit */
	size_t n;
	struct parse_evtx *d;
	struct core_arena *a;
};

static void run_build(struct run_rec *rr, size_t n)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";
	static const char image[] = "C:\\Windows\\System32\\cmd.exe";
	char text[RUN_MAX + 1];

	assert_true(n <= RUN_MAX && sizeof(alpha) - 1 == RUN_MAX);
	memcpy(text, alpha, n);
	text[n] = '\0';
	fx_begin(&fx);
	fx_record(&fx, "WS01.corp.example", text, 1);
	fx_end(&fx);
	memcpy(rr->c, fx.img + 4096, FX_CHUNK);
	/* The Image value follows the CommandLine's, back to back. */
	rr->at = find_u16(rr->c, FX_CHUNK, image);
	assert_true(rr->at < FX_CHUNK && rr->at >= 2 * n);
	rr->at -= 2 * n;
	rr->n = n;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(rr->c[rr->at + 2 * i], (uint8_t)text[i]);
	/* Each length is another chunk: a decoder of its own. */
	parse_evtx_free(rr->d);
	rr->d = parse_evtx_new();
	assert_non_null(rr->d);
}

/* Decodes record 0 with CommandLine units u and checks the UTF-8. */
static void run_check(struct run_rec *rr, const uint16_t *u,
		      const char *what)
{
	char want[4 * RUN_MAX];
	uint8_t *p = rr->c + rr->at, keep[2 * RUN_MAX];
	const struct core_str *v;
	struct core_event ev;
	size_t n = rr->n, wlen = ref_utf8(u, n, want);

	memcpy(keep, p, 2 * n);
	for (size_t i = 0; i < n; i++) {
		p[2 * i] = (uint8_t)u[i];
		p[2 * i + 1] = (uint8_t)(u[i] >> 8);
	}
	decode(rr->d, &ev, rr->a, rr->c, 0);
	memcpy(p, keep, 2 * n);
	v = core_event_get_named(&ev, "CommandLine", 11);
	if (v == NULL || v->len != wlen || memcmp(v->p, want, wlen) != 0) {
		char units[5 * RUN_MAX + 1] = "";

		for (size_t i = 0; i < n; i++)
			snprintf(units + 5 * i, 6, "%04x ", u[i]);
		fail_msg("%s, %zu units [%s]: got %zu bytes '%.*s', want "
			 "%zu '%.*s'", what, n, units, v ? v->len : 0,
			 v ? (int)v->len : 0, v ? v->p : "", wlen,
			 (int)wlen, want);
	}
}

/*
 * The same with the CommandLine as the chunk's last bytes, in a buffer
 * of its own: the values after it are made empty and the record and the
 * chunk cut after it.  Under AddressSanitizer or valgrind a read past
 * the value's last unit is reported.
 */
static void run_check_end(struct run_rec *rr, const uint16_t *u,
			  const char *what)
{
	size_t n = rr->n, end = rr->at + 2 * n, off, len, vals, wlen;
	uint8_t *c = malloc(end);
	char want[4 * RUN_MAX];
	const struct core_str *v;
	struct core_event ev;

	assert_non_null(c);
	memcpy(c, rr->c, end);
	for (size_t i = 0; i < n; i++) {
		c[rr->at + 2 * i] = (uint8_t)u[i];
		c[rr->at + 2 * i + 1] = (uint8_t)(u[i] >> 8);
	}
	/* Descriptors (size 2, type, 0) before the first value. */
	vals = find_u16(c, end, "Microsoft-Windows-Sysmon");
	assert_true(vals >= 4 * FX_NVALUES && vals < rr->at);
	for (unsigned i = 8; i < FX_NVALUES; i++)
		memset(c + vals - 4 * FX_NVALUES + 4 * i, 0, 2);
	record_at(rr->c, 0, &off, &len);
	core_arena_reset(rr->a);
	core_event_reset(&ev, rr->a);
	assert_int_equal(parse_evtx_record(rr->d, &ev, c, end, 1000 + n, off,
					   end - off, CORE_TS_UNKNOWN, NULL),
			 0);
	wlen = ref_utf8(u, n, want);
	v = core_event_get_named(&ev, "CommandLine", 11);
	if (v == NULL || v->len != wlen || memcmp(v->p, want, wlen) != 0)
		fail_msg("%s at the end, %zu units: '%.*s'", what, n,
			 v ? (int)v->len : 0, v ? v->p : "");
	v = core_event_get_named(&ev, "Image", 5);
	assert_true(v == NULL || v->len == 0);
	free(c);
}

/* Units that are, or are near, what ends a run of ASCII units. */
static const uint16_t odd_units[] = {
	0x0000, 0x0001, 0x007f, 0x0080, 0x00e9, 0x00ff, 0x0100, 0x0141,
	0x07ff, 0x0800, 0x4e2d, 0x7fff, 0x8000, 0x8041, 0xd800, 0xdbff,
	0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff,
};

/* A random unit: printable ASCII three times in four, else odd. */
static uint16_t rand_unit(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	if ((*x & 0xf) < 12)
		return (uint16_t)(0x20 + (*x >> 8) % 0x5f);
	if ((*x & 0xf) < 15)
		return odd_units[(*x >> 8) % CORE_ARRAY_LEN(odd_units)];
	return (uint16_t)(*x >> 16);
}

/* Of one length: one odd unit or a surrogate pair at every place. */
static void run_places(struct run_rec *rr, uint16_t *u)
{
	size_t n = rr->n;

	for (size_t k = 0; k < n; k++) {
		uint16_t was = u[k], next = k + 1 < n ? u[k + 1] : 0;

		for (size_t s = 0; s < CORE_ARRAY_LEN(odd_units); s++) {
			u[k] = odd_units[s];
			run_check(rr, u, "one odd unit");
		}
		/* U+1F600, or its high half cut by the end. */
		u[k] = 0xd83d;
		if (k + 1 < n)
			u[k + 1] = 0xde00;
		run_check(rr, u, "a surrogate pair");
		u[k] = was;
		if (k + 1 < n)
			u[k + 1] = next;
	}
}

/*
 * UTF-16 values of every length up to 40 units through the decoder, so
 * that each length meets the sixteen- and eight-unit steps and the
 * last, overlapping eight-unit read (or the four-unit path below eight
 * units) with each remainder: one odd unit at every place, a surrogate
 * pair (U+1F600) at every place or cut by the end, random values; and
 * two odd units at every two places of the 40-unit value.  The
 * reference converts a unit at a time.  Each length is also decoded
 * with the value ending the buffer, so that a read past it shows.
 */
static void test_utf16_runs(void **state)
{
	static const uint16_t two[] = { 0x0000, 0x00e9, 0x4e2d, 0xd83d,
					0xde00, 0x8000 };
	static struct run_rec rr;
	uint16_t u[RUN_MAX], base[RUN_MAX];
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	rr.a = core_arena_new(65536);
	for (size_t n = 1; n <= RUN_MAX; n++) {
		run_build(&rr, n);
		for (size_t i = 0; i < n; i++)
			u[i] = rr.c[rr.at + 2 * i];
		run_check(&rr, u, "ASCII");
		run_check_end(&rr, u, "ASCII");
		u[n - 1] = 0x00e9;
		run_check_end(&rr, u, "a last unit not ASCII");
		u[n - 1] = 0x0000;
		run_check_end(&rr, u, "a last NUL");
		u[n - 1] = (uint16_t)rr.c[rr.at + 2 * (n - 1)];
		run_places(&rr, u);
		for (int t = 0; t < 200; t++) {
			for (size_t i = 0; i < n; i++)
				u[i] = rand_unit(&x);
			run_check(&rr, u, "random units");
		}
	}
	for (size_t i = 0; i < RUN_MAX; i++)
		base[i] = rr.c[rr.at + 2 * i];
	for (size_t k = 0; k < RUN_MAX; k++) {
		for (size_t j = k + 1; j < RUN_MAX; j++) {
			for (size_t s = 0; s < CORE_ARRAY_LEN(two); s++) {
				memcpy(u, base, sizeof(u));
				u[k] = two[s];
				u[j] = two[(s + j) % CORE_ARRAY_LEN(two)];
				run_check(&rr, u, "two odd units");
			}
		}
	}
	parse_evtx_free(rr.d);
	rr.d = NULL;
	core_arena_free(rr.a);
}

/* The text a number of type ty (its low bytes) must render as. */
static void num_want(char *o, size_t n, uint8_t ty, uint64_t v)
{
	static const uint8_t width[0x16] = {
		[0x03] = 1, [0x04] = 1, [0x05] = 2, [0x06] = 2, [0x07] = 4,
		[0x08] = 4, [0x09] = 8, [0x0a] = 8, [0x14] = 4, [0x15] = 8,
	};
	unsigned shift = 64 - 8 * width[ty];
	uint64_t low = v << shift >> shift;
	long long sv = (long long)((int64_t)(v << shift) >> shift);

	if (ty == 0x14 || ty == 0x15)
		snprintf(o, n, "0x%llx", (unsigned long long)low);
	else if (ty & 1)
		snprintf(o, n, "%lld", sv);
	else
		snprintf(o, n, "%llu", (unsigned long long)low);
}

/*
 * Integers of each width, signed, unsigned and hex, as EventRecordID's
 * value (its type changed): every power of ten and of two and their
 * neighbours, the extremes and random values, against snprintf().
 */
static void test_numbers(void **state)
{
	static const uint8_t types[] = { 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
					 0x09, 0x0a, 0x14, 0x15 };
	static uint8_t c[FX_CHUNK];
	struct parse_evtx *d = parse_evtx_new();
	struct core_arena *a = core_arena_new(65536);
	uint64_t vals[300], p = 1, x = 0x2545f4914f6cdd1dULL;
	size_t nv = 0, at;

	(void)state;
	for (int k = 0; k < 20; k++, p *= 10) {
		vals[nv++] = p - 1;
		vals[nv++] = p;
		vals[nv++] = p + 1;
	}
	for (int k = 0; k < 64; k++) {
		vals[nv++] = (1ULL << k) - 1;
		vals[nv++] = 1ULL << k;
	}
	vals[nv++] = UINT64_MAX;
	vals[nv++] = (uint64_t)INT64_MIN;
	while (nv < CORE_ARRAY_LEN(vals)) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		vals[nv++] = x >> (x & 63);
	}
	memcpy(c, build(), FX_CHUNK);
	/* Values start with Provider_Name's; descriptors (4 bytes) before. */
	at = find_u16(c, FX_CHUNK, "Microsoft-Windows-Sysmon");
	assert_true(at >= 4 * FX_NVALUES && at + 58 + 8 <= FX_CHUNK);
	assert_int_equal(c[at - 4 * FX_NVALUES + 4 * 3 + 2], 0x0a);
	for (size_t t = 0; t < CORE_ARRAY_LEN(types); t++) {
		c[at - 4 * FX_NVALUES + 4 * 3 + 2] = types[t];
		for (size_t i = 0; i < nv; i++) {
			const struct core_str *v;
			struct core_event ev;
			char want[32];

			/* After the provider (24 units), EventID and time. */
			for (unsigned b = 0; b < 8; b++)
				c[at + 58 + b] = (uint8_t)(vals[i] >> 8 * b);
			num_want(want, sizeof(want), types[t], vals[i]);
			decode(d, &ev, a, c, 0);
			v = core_event_get_named(&ev, "EventRecordID", 13);
			if (v == NULL || v->len != strlen(want) ||
			    memcmp(v->p, want, v->len) != 0)
				fail_msg("type %02x, %llx: '%.*s', want %s",
					 types[t], (unsigned long long)vals[i],
					 v ? (int)v->len : 0, v ? v->p : "",
					 want);
		}
	}
	parse_evtx_free(d);
	core_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_time),
		cmocka_unit_test(test_json_wide),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_utf16),
		cmocka_unit_test(test_utf16_runs),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_raw_ceiling),
		cmocka_unit_test(test_parent_tracking),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
