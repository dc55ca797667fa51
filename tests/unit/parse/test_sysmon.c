/*
 * test_sysmon.c: what Sysmon's process creation said, given to the
 * process's later events (src/parse/sysmon.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "parse/parse.h"

#define SYSMON "Microsoft-Windows-Sysmon/Operational"
#define G1 "{1f2e3d4c-0000-6630-0a00-000000000f00}"
#define G2 "{1f2e3d4c-0000-6630-0b00-000000000f00}"

/* An event of fields "name=value|name=value" into ev. */
static void make(struct core_event *ev, struct core_arena *a,
		 const char *spec)
{
	char buf[4096], *save = NULL;

	core_arena_reset(a);
	core_event_reset(ev, a);
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *kv = strtok_r(buf, "|", &save); kv;
	     kv = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(kv, '=');
		struct core_str v;

		if (!eq)
			continue;
		*eq = '\0';
		v = core_arena_strdup(a, eq + 1, strlen(eq + 1));
		core_event_set_named(ev, core_arena_strdup(a, kv,
			strlen(kv)).p, strlen(kv), v.p, v.len);
	}
}

static const struct {
	const char *first;	/* fed before */
	const char *then;	/* fed and checked */
	const char *field;
	const char *want;	/* NULL: absent */
	const char *why;
} rows[] = {
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|CommandLine=a.exe -x|ParentImage=C:\\p.exe",
	  "EventID=3|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1,
	  "CommandLine", "a.exe -x", "a connection gets its command line" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|CommandLine=a.exe -x|ParentImage=C:\\p.exe",
	  "EventID=11|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1,
	  "ParentImage", "C:\\p.exe", "a file event gets the parent" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|CommandLine=a.exe -x",
	  "EventID=3|Channel=" SYSMON "|Computer=ws2|ProcessGuid=" G1,
	  "CommandLine", NULL, "the same GUID on another host is another" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|CommandLine=a.exe -x",
	  "EventID=3|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G2,
	  "CommandLine", NULL, "another process gets nothing" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|CommandLine=a.exe -x",
	  "EventID=3|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|CommandLine=own",
	  "CommandLine", "own", "what the event says is kept" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|CommandLine=a.exe -x|ParentImage=C:\\p.exe",
	  "EventID=10|Channel=" SYSMON "|Computer=ws1|SourceProcessGUID=" G1,
	  "SourceCommandLine", "a.exe -x",
	  "a process access gets its source's command line" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|CommandLine=a.exe -x|ParentImage=C:\\p.exe",
	  "EventID=8|Channel=" SYSMON "|Computer=ws1|SourceProcessGuid=" G1,
	  "SourceParentImage", "C:\\p.exe",
	  "a remote thread gets its source's parent" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|ParentImage=C:\\explorer.exe|ParentCommandLine=explorer.exe",
	  "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G2
	  "|ParentProcessGuid=" G1 "|ParentImage=C:\\a.exe",
	  "GrandParentImage", "C:\\explorer.exe",
	  "a process creation gets its parent's parent" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|ParentImage=C:\\explorer.exe|ParentCommandLine=explorer.exe",
	  "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G2
	  "|ParentProcessGuid=" G1 "|ParentImage=C:\\a.exe",
	  "GrandParentCommandLine", "explorer.exe",
	  "and that parent's command line" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|ParentProcessGuid={d0d0d0d0-98dd-5d69-0000-0010eb030000}",
	  "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G2
	  "|ParentProcessGuid=" G1 "|ParentImage=C:\\a.exe",
	  "GrandParentProcessGuid", "{d0d0d0d0-98dd-5d69-0000-0010eb030000}",
	  "and that parent's parent's GUID, for incidents" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|ParentImage=C:\\explorer.exe",
	  "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G2
	  "|ParentProcessGuid=" G2 "|ParentImage=C:\\a.exe",
	  "GrandParentImage", NULL, "an unknown parent gives nothing" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|IntegrityLevel=High",
	  "EventID=11|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1,
	  "IntegrityLevel", "High", "a file event gets the integrity level" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|ParentProcessId=612",
	  "EventID=8|Channel=" SYSMON "|Computer=ws1|TargetProcessGuid=" G1,
	  "TargetParentProcessId", "612",
	  "a remote thread gets its target's parent process id" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|ParentProcessId=612",
	  "EventID=3|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1,
	  "ParentProcessId", NULL, "other events do not get the parent's id" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|User=CORP\\eve",
	  "EventID=13|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1,
	  "User", "CORP\\eve",
	  "a registry event of an older Sysmon gets the user" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|User=CORP\\eve",
	  "EventID=13|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|User=NT AUTHORITY\\SYSTEM",
	  "User", "NT AUTHORITY\\SYSTEM", "and keeps a user of its own" },
	{ "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1
	  "|User=CORP\\eve",
	  "EventID=10|Channel=" SYSMON "|Computer=ws1|SourceProcessGUID=" G1,
	  "SourceUser", "CORP\\eve",
	  "an older Sysmon's process access gets its source's user" },
	{ "EventID=1|Channel=Security|Computer=ws1|ProcessGuid=" G1
	  "|CommandLine=a.exe -x",
	  "EventID=3|Channel=" SYSMON "|Computer=ws1|ProcessGuid=" G1,
	  "CommandLine", NULL, "only Sysmon's event 1 is remembered" },
};

static void test_fill(void **state)
{
	struct core_arena *a = core_arena_new(1 << 16);
	struct core_event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct parse_procs *p = parse_procs_new();
		const struct core_str *v;

		assert_non_null(p);
		make(&ev, a, rows[i].first);
		parse_procs_track(p, &ev);
		make(&ev, a, rows[i].then);
		parse_procs_track(p, &ev);
		v = core_event_get_named(&ev, rows[i].field,
					 strlen(rows[i].field));
		if (rows[i].want == NULL ? v != NULL :
		    v == NULL || !core_str_eq_lit(*v, rows[i].want))
			fail_msg("row %zu (%s): %s = '%.*s'", i, rows[i].why,
				 rows[i].field, v ? (int)v->len : 0,
				 v ? v->p : "");
		parse_procs_free(p);
	}
	core_arena_free(a);
}

/* A filled-in User gives user.name, as the decoder's own User does;
 * an event with a user.name keeps it. */
static void test_user_name(void **state)
{
	struct core_arena *a = core_arena_new(1 << 16);
	struct parse_procs *p = parse_procs_new();
	const struct core_str *v;
	struct core_event ev;

	(void)state;
	make(&ev, a, "EventID=1|Channel=" SYSMON "|Computer=ws1|ProcessGuid="
	     G1 "|User=CORP\\eve");
	parse_procs_track(p, &ev);
	make(&ev, a, "EventID=13|Channel=" SYSMON "|Computer=ws1|ProcessGuid="
	     G1);
	parse_procs_track(p, &ev);
	v = core_event_get(&ev, CORE_F_USER_NAME);
	assert_non_null(v);
	assert_true(core_str_eq_lit(*v, "eve"));
	make(&ev, a, "EventID=13|Channel=" SYSMON "|Computer=ws1|ProcessGuid="
	     G1);
	core_event_set_lit(&ev, CORE_F_USER_NAME, "bob");
	parse_procs_track(p, &ev);
	v = core_event_get(&ev, CORE_F_USER_NAME);
	assert_true(v != NULL && core_str_eq_lit(*v, "bob"));
	parse_procs_free(p);
	core_arena_free(a);
}

/* A command line too long for a slot is not kept, never cut. */
static void test_long_value_not_cut(void **state)
{
	struct core_arena *a = core_arena_new(1 << 16);
	struct parse_procs *p = parse_procs_new();
	struct core_event ev;
	char spec[4096];

	(void)state;
	snprintf(spec, sizeof(spec), "EventID=1|Channel=" SYSMON
		 "|Computer=ws1|ProcessGuid=" G1 "|CommandLine=%03000d", 7);
	make(&ev, a, spec);
	parse_procs_track(p, &ev);
	make(&ev, a, "EventID=3|Channel=" SYSMON "|Computer=ws1|ProcessGuid="
	     G1);
	parse_procs_track(p, &ev);
	assert_null(core_event_get_named(&ev, "CommandLine", 11));
	parse_procs_free(p);
	core_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_user_name),
		cmocka_unit_test(test_long_value_not_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
