/*
 * test_report.c: the report writers (src/cli/report*.c) on synthetic
 * incidents.  JSON must parse (cJSON, always) and match
 * docs/vigil-report.schema.json (python3 with jsonschema, skipped loudly
 * when absent); hostile bytes in logs must come out escaped in every
 * format; --top and --min-severity must hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "cli/report.h"
#include "../incident/synth.h"

/* Log lines and names an attacker controls. */
static const char hostile_text[] =
	"Failed password for \x1b[31mroot\x1b[0m \"quoted\" back\\slash "
	"bad\xff\xfe utf8 \xc3\x28 nul-free tab\there\r\n";
static const char hostile_user[] = "ev\x01il\"user\xc0";

static struct incident_set *synth_set(void)
{
	struct incident_set *s = incident_set_new();
	const struct synth alerts[] = {
		{ &rule_brute, T0, 400, "203.0.113.7", NULL, NULL, "web1",
		  NULL, hostile_text, 100 },
		{ &rule_login, T0 + 600 * SEC, 1, "203.0.113.7", hostile_user,
		  NULL, "web1", NULL, "Accepted password", 512 },
		{ &rule_sudo, T0 + 700 * SEC, 1, NULL, hostile_user, "root",
		  "web1", NULL, "sudo: COMMAND=/bin/bash", 513 },
		{ &rule_scan, T0 + 50 * SEC, 2, "192.0.2.9", NULL, NULL,
		  "web1", NULL, "Did not receive identification", 7 },
	};

	for (int i = 0; i < 5; i++)
		synth_observe(s, T0 + i * SEC, "ssh_login", "failure",
			      "203.0.113.7", hostile_user, "web1");
	synth_observe(s, T0 + 600 * SEC, "ssh_login", "success",
		      "203.0.113.7", hostile_user, "web1");
	for (size_t i = 0; i < CORE_ARRAY_LEN(alerts); i++)
		assert_int_equal(synth_add(s, &alerts[i]), 0);
	assert_int_equal(incident_build(s), 0);
	return s;
}

/* The report of s after a run of events events that raised alerts. */
static char *render_run(const struct incident_set *s,
			enum cli_output_format f, unsigned top,
			uint64_t events, uint64_t alerts, size_t *len)
{
	struct cli_report_opts o = { .format = f, .top = top,
				     .min_severity = DETECT_LEVEL_INFORMATIONAL,
				     .evidence = 8 };
	struct cli_stats st = { .inputs = 1, .events = events,
				.alerts = alerts, .ts_first = T0,
				.ts_last = T0 + 700 * SEC };
	char *p = NULL;
	FILE *out = open_memstream(&p, len);

	assert_non_null(out);
	assert_int_equal(cli_report_write(out, &o, &st, s), 0);
	fclose(out);
	return p;
}

static char *render(const struct incident_set *s, enum cli_output_format f,
		    unsigned top, enum detect_level min, size_t *len)
{
	struct cli_report_opts o = { .format = f, .top = top,
				     .min_severity = min, .evidence = 8 };
	struct cli_stats st = { .inputs = 1, .events = 1000, .alerts = 4,
				.ts_first = T0, .ts_last = T0 + 700 * SEC };
	char *p = NULL;
	FILE *out = open_memstream(&p, len);

	assert_non_null(out);
	assert_int_equal(cli_report_write(out, &o, &st, s), 0);
	fclose(out);
	return p;
}

static void test_json_parses(void **state)
{
	struct incident_set *s = synth_set();
	size_t len;
	char *doc = render(s, CLI_OUT_JSON, 0, DETECT_LEVEL_INFORMATIONAL,
			   &len);
	cJSON *root = cJSON_ParseWithLength(doc, len), *incs, *first;

	(void)state;
	assert_non_null(root);
	incs = cJSON_GetObjectItem(root, "incidents");
	assert_true(cJSON_IsArray(incs));
	assert_int_equal(cJSON_GetArraySize(incs), incident_set_count(s));
	first = cJSON_GetArrayItem(incs, 0);
	assert_int_equal(cJSON_GetObjectItem(first, "id")->valueint, 1);
	assert_true(cJSON_IsString(cJSON_GetObjectItem(first,
						       "explanation")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root,
								"alerts")),
			 incident_set_alert_count(s));
	cJSON_Delete(root);
	free(doc);
	incident_set_free(s);
}

/* Writes doc to a file and runs the schema check; 77 means skipped. */
static int schema_check(const char *doc, size_t len)
{
	char path[] = "/tmp/vigil-report-XXXXXX";
	char cmd[1024];
	int fd = mkstemp(path), rc;

	if (fd < 0 || write(fd, doc, len) != (ssize_t)len)
		return -1;
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import jsonschema' 2>/dev/null || exit 77; "
		 "python3 -c 'import json, sys, jsonschema\n"
		 "s = json.load(open(sys.argv[1]))\n"
		 "d = json.load(open(sys.argv[2]))\n"
		 "jsonschema.Draft202012Validator.check_schema(s)\n"
		 "jsonschema.Draft202012Validator(s).validate(d)' "
		 "%s/docs/vigil-report.schema.json %s", TEST_SRCDIR, path);
	rc = system(cmd);
	unlink(path);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_json_matches_schema(void **state)
{
	struct incident_set *s = synth_set();
	size_t len;
	char *doc = render(s, CLI_OUT_JSON, 0, DETECT_LEVEL_INFORMATIONAL,
			   &len);
	int rc = schema_check(doc, len);

	(void)state;
	if (rc == 77)
		fprintf(stderr, "SKIP: python3 jsonschema not available; "
			"schema not checked\n");
	else
		assert_int_equal(rc, 0);
	free(doc);
	incident_set_free(s);
}

/* No raw control byte (other than newline) may reach a terminal. */
static void test_hostile_bytes_escaped(void **state)
{
	const enum cli_output_format fmts[] = { CLI_OUT_TEXT, CLI_OUT_MD,
						CLI_OUT_JSON };
	struct incident_set *s = synth_set();

	(void)state;
	for (size_t f = 0; f < CORE_ARRAY_LEN(fmts); f++) {
		size_t len;
		char *doc = render(s, fmts[f], 0, DETECT_LEVEL_INFORMATIONAL,
				   &len);

		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)doc[i];

			if (c < 0x20 && c != '\n')
				fail_msg("format %zu: raw byte 0x%02x at %zu",
					 f, c, i);
			if (c == 0xff || c == 0xfe || c == 0xc0)
				fail_msg("format %zu: invalid UTF-8 at %zu",
					 f, i);
		}
		if (fmts[f] == CLI_OUT_TEXT)
			assert_non_null(strstr(doc, "\\x1b[31mroot"));
		free(doc);
	}
	incident_set_free(s);
}

/* What each escaping mode makes of the bytes Markdown cares about. */
static void test_escape_modes(void **state)
{
	static const struct {
		const char *in;
		unsigned md;
		const char *want;
	} rows[] = {
		{ "a | b `c`", 0, "a | b `c`" },
		{ "a | b `c`", CLI_ESC_MD, "a \\| b \\x60c\\x60" },
		{ "a | b `c`", CLI_ESC_MD_SPAN, "a | b \\x60c\\x60" },
		{ "tab\there", CLI_ESC_MD_SPAN, "tab\\x09here" },
	};

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		struct core_buf b;

		core_buf_init(&b, 1024);
		assert_int_equal(cli_report_escape(&b, rows[i].in,
						   strlen(rows[i].in), 100,
						   rows[i].md), 0);
		assert_string_equal(core_buf_cstr(&b), rows[i].want);
		core_buf_free(&b);
	}
}

/*
 * Characters that hide or reorder text, each with its escape, and
 * characters next to them that are shown as they are.
 */
static const struct {
	const char *utf8, *esc, *why;
} hidden_rows[] = {
	{ "\xe2\x80\xae", "\\u202e", "right-to-left override" },
	{ "\xe2\x80\xaa", "\\u202a", "left-to-right embedding" },
	{ "\xe2\x80\xab", "\\u202b", "right-to-left embedding" },
	{ "\xe2\x80\xac", "\\u202c", "pop directional formatting" },
	{ "\xe2\x80\xad", "\\u202d", "left-to-right override" },
	{ "\xe2\x81\xa6", "\\u2066", "left-to-right isolate" },
	{ "\xe2\x81\xa7", "\\u2067", "right-to-left isolate" },
	{ "\xe2\x81\xa8", "\\u2068", "first strong isolate" },
	{ "\xe2\x81\xa9", "\\u2069", "pop directional isolate" },
	{ "\xe2\x80\x8e", "\\u200e", "left-to-right mark" },
	{ "\xe2\x80\x8f", "\\u200f", "right-to-left mark" },
	{ "\xd8\x9c", "\\u061c", "Arabic letter mark" },
	{ "\xe2\x80\xa8", "\\u2028", "line separator" },
	{ "\xe2\x80\xa9", "\\u2029", "paragraph separator" },
	{ "\xc2\x9b", "\\u009b", "C1 CSI, an escape to some terminals" },
	{ "\xc2\x85", "\\u0085", "C1 next line" },
	{ "\xc2\x80", "\\u0080", "first C1 control" },
	{ "\xc2\x9f", "\\u009f", "last C1 control" },
	{ "\xc3\xa9", "\xc3\xa9", "a letter, shown" },
	{ "\xc2\xa0", "\xc2\xa0", "no-break space, past the C1 controls" },
	{ "\xe2\x80\x8b", "\xe2\x80\x8b", "zero width space, no control" },
	{ "\xe2\x80\xa7", "\xe2\x80\xa7", "hyphenation point, before U+2028" },
	{ "\xe2\x80\xaf", "\xe2\x80\xaf", "narrow no-break space, U+202F" },
	{ "\xe2\x81\xa5", "\xe2\x81\xa5", "unassigned, before U+2066" },
	{ "\xe2\x81\xaa", "\xe2\x81\xaa", "after U+2069, no bidi control" },
	{ "\xe2\x80\xae", "\\xe2\\x80", "cut short: bytes, not a character" },
};

/*
 * What cli_report_escape() makes of each character of hidden_rows, in
 * every mode, and what cli_report_hidden_at() says of it.
 */
static void test_escape_hidden_chars(void **state)
{
	static const unsigned modes[] = { 0, CLI_ESC_MD, CLI_ESC_MD_SPAN };

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(hidden_rows); r++) {
		const char *u = hidden_rows[r].utf8;
		/* The last row gives its character but its last byte. */
		size_t n = strlen(u) - (r + 1 == CORE_ARRAY_LEN(hidden_rows));
		bool hidden = hidden_rows[r].esc[0] == '\\';
		char in[32], want[64];
		uint32_t cp;

		snprintf(in, sizeof(in), "a%.*sb", (int)n, u);
		snprintf(want, sizeof(want), "a%sb", hidden_rows[r].esc);
		for (size_t m = 0; m < CORE_ARRAY_LEN(modes); m++) {
			struct core_buf b;

			core_buf_init(&b, 1024);
			assert_int_equal(cli_report_escape(&b, in, strlen(in),
							   100, modes[m]), 0);
			if (strcmp(core_buf_cstr(&b), want) != 0)
				fail_msg("row %zu (%s), mode %u: \"%s\"", r,
					 hidden_rows[r].why, modes[m],
					 core_buf_cstr(&b));
			core_buf_free(&b);
		}
		if ((cli_report_hidden_at(u, n, &cp) != 0) !=
		    (hidden && n == strlen(u)))
			fail_msg("row %zu (%s): hidden_at says otherwise", r,
				 hidden_rows[r].why);
	}
}

/* A set of one intrusion: failures, then a login as user, with its line. */
static struct incident_set *login_set(const char *user, const char *text)
{
	struct incident_set *s = incident_set_new();
	const struct synth alerts[] = {
		{ &rule_brute, T0, 6, "203.0.113.9", user, NULL, "host",
		  NULL, text, 6 },
		{ &rule_login, T0 + 9 * SEC, 1, "203.0.113.9", user, NULL,
		  "host", NULL, text, 7 },
	};

	for (int i = 0; i < 6; i++)
		synth_observe(s, T0 + i * SEC, "ssh_login", "failure",
			      "203.0.113.9", user, "host");
	synth_observe(s, T0 + 9 * SEC, "ssh_login", "success", "203.0.113.9",
		      user, "host");
	for (size_t i = 0; i < CORE_ARRAY_LEN(alerts); i++)
		assert_int_equal(synth_add(s, &alerts[i]), 0);
	assert_int_equal(incident_build(s), 0);
	return s;
}

/* DEL, escaped as \x7f in text, is \u007f in JSON, as it was read. */
static void test_json_del_escaped(void **state)
{
	struct incident_set *s = login_set("ro\x7fot", "Accepted password");
	size_t len;
	char *json = render(s, CLI_OUT_JSON, 0, DETECT_LEVEL_INFORMATIONAL,
			    &len);
	char *text = render(s, CLI_OUT_TEXT, 0, DETECT_LEVEL_INFORMATIONAL,
			    &len);

	(void)state;
	assert_non_null(strstr(json, "\"ro\\u007fot\""));
	assert_null(strchr(json, 0x7f));
	assert_non_null(strstr(text, "ro\\x7fot"));
	free(json);
	free(text);
	incident_set_free(s);
}

/*
 * A user name holding a character that reorders text (U+202E makes
 * "root" after it read backwards) is escaped in the text and Markdown
 * reports, and in JSON as \uNNNN, which parses back to the same name.
 */
static void test_hidden_chars_in_reports(void **state)
{
	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(hidden_rows) - 1; r++) {
		const char *u = hidden_rows[r].utf8;
		bool hidden = hidden_rows[r].esc[0] == '\\';
		char user[32], line[160], esc[32], jesc[32];
		struct incident_set *s;
		size_t len;
		char *doc[3];
		cJSON *root, *ents, *ent;
		int users;

		snprintf(user, sizeof(user), "ad%sroot", u);
		snprintf(line, sizeof(line), "sshd[1]: Accepted password for "
			 "%s from 203.0.113.9 port 22 ssh2", user);
		snprintf(esc, sizeof(esc), "ad%sroot", hidden_rows[r].esc);
		snprintf(jesc, sizeof(jesc), "\"ad%sroot\"",
			 hidden_rows[r].esc);
		s = login_set(user, line);
		doc[0] = render(s, CLI_OUT_TEXT, 0,
				DETECT_LEVEL_INFORMATIONAL, &len);
		doc[1] = render(s, CLI_OUT_MD, 0, DETECT_LEVEL_INFORMATIONAL,
				&len);
		doc[2] = render(s, CLI_OUT_JSON, 0,
				DETECT_LEVEL_INFORMATIONAL, &len);
		for (int f = 0; f < 3; f++)
			if (hidden && strstr(doc[f], u))
				fail_msg("row %zu (%s): raw in format %d:\n%s",
					 r, hidden_rows[r].why, f, doc[f]);
		if (!strstr(doc[0], esc) || !strstr(doc[1], esc) ||
		    (hidden ? !strstr(doc[2], jesc) : !strstr(doc[2], user)))
			fail_msg("row %zu (%s): not shown as %s", r,
				 hidden_rows[r].why, esc);
		root = cJSON_ParseWithLength(doc[2], len);
		ents = cJSON_GetObjectItem(cJSON_GetArrayItem(
			cJSON_GetObjectItem(root, "incidents"), 0), "entities");
		users = 0;
		cJSON_ArrayForEach(ent, ents) {
			if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(
				    ent, "type")), "user.name") != 0)
				continue;
			assert_string_equal(cJSON_GetStringValue(
				cJSON_GetObjectItem(ent, "value")), user);
			users++;
		}
		assert_int_equal(users, 1);
		cJSON_Delete(root);
		for (int f = 0; f < 3; f++)
			free(doc[f]);
		incident_set_free(s);
	}
}

/*
 * cli_report_json_str(), which every JSON output writes its strings
 * with, on each character of hidden_rows between two letters: the
 * hidden ones as \uNNNN, the others as they are, and the string parses
 * back to what was given.
 */
static void test_json_str_hidden_chars(void **state)
{
	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(hidden_rows) - 1; r++) {
		char in[32], want[64];
		struct core_buf b;
		cJSON *v;

		snprintf(in, sizeof(in), "a%sb", hidden_rows[r].utf8);
		snprintf(want, sizeof(want), "\"a%sb\"", hidden_rows[r].esc);
		core_buf_init(&b, 1024);
		assert_int_equal(cli_report_json_str(&b, in, strlen(in)), 0);
		if (strcmp(core_buf_cstr(&b), want) != 0)
			fail_msg("row %zu (%s): %s", r, hidden_rows[r].why,
				 core_buf_cstr(&b));
		v = cJSON_Parse(core_buf_cstr(&b));
		assert_true(cJSON_IsString(v));
		assert_string_equal(cJSON_GetStringValue(v), in);
		cJSON_Delete(v);
		core_buf_free(&b);
	}
}

/* What cli_report_json_str() and cli_report_json_text() write. */
static const struct {
	const char *in, *str, *text, *why;
} json_rows[] = {
	{ "", "\"\"", "", "nothing" },
	{ "\x7f", "\"\\u007f\"", "\\u007f", "DEL alone" },
	{ "ro\x7fot\x1b", "\"ro\\u007fot\\u001b\"", "ro\\u007fot\x1b",
	  "DEL beside a control: text leaves the control to the writer" },
	{ "\"\xe2\x80\xae\\\"\"",
	  "\"\\\"\\u202e\\\\\\\"\\\"\"", "\"\\u202e\\\"\"",
	  "a string holding U+202E, then an escaped quote" },
	{ "{\"u\":\"a\xe2\x80\xae\xe2\x81\xa6" "b\"}",
	  "\"{\\\"u\\\":\\\"a\\u202e\\u2066b\\\"}\"",
	  "{\"u\":\"a\\u202e\\u2066b\"}",
	  "two in a row inside a document" },
	{ "[\"\\\\\xd8\x9c\",\"\\u202e\"]",
	  "\"[\\\"\\\\\\\\\\u061c\\\",\\\"\\\\u202e\\\"]\"",
	  "[\"\\\\\\u061c\",\"\\u202e\"]",
	  "after an escaped backslash; an escape already there stays" },
	{ "\xe2\x80\xae\xe2\x80", "\"\\u202e\xef\xbf\xbd\xef\xbf\xbd\"",
	  "\\u202e\\ufffd\\ufffd",
	  "a character cut short after one: U+FFFD in a string, as it is "
	  "in text" },
	{ "\xe2\xe2\x80\xae", "\"\xef\xbf\xbd\\u202e\"", "\\ufffd\\u202e",
	  "a stray lead byte before one" },
	{ "\xc2\xa0\xc2\x85\xe2\x80\xa9", "\"\xc2\xa0\\u0085\\u2029\"",
	  "\xc2\xa0\\u0085\\u2029",
	  "no-break space shown, C1 next line and U+2029 escaped" },
};

/*
 * json_rows through both writers; a valid JSON text re-escaped parses
 * to the same value as before.
 */
static void test_json_str_and_text(void **state)
{
	struct core_buf b;

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(json_rows); r++) {
		const char *in = json_rows[r].in;
		struct core_buf t;
		cJSON *before, *after;

		core_buf_init(&b, 1024);
		core_buf_init(&t, 1024);
		assert_int_equal(cli_report_json_str(&b, in, strlen(in)), 0);
		assert_int_equal(cli_report_json_text(&t, in, strlen(in)), 0);
		if (strcmp(core_buf_cstr(&b), json_rows[r].str) != 0)
			fail_msg("row %zu (%s): string %s", r,
				 json_rows[r].why, core_buf_cstr(&b));
		if (strcmp(core_buf_cstr(&t), json_rows[r].text) != 0)
			fail_msg("row %zu (%s): text %s", r,
				 json_rows[r].why, core_buf_cstr(&t));
		assert_true(t.len <= CLI_REPORT_JSON_TEXT_MAX(strlen(in)));
		before = cJSON_Parse(in);
		after = cJSON_Parse(core_buf_cstr(&t));
		assert_true((before == NULL) == (after == NULL));
		if (before && !cJSON_Compare(before, after, true))
			fail_msg("row %zu (%s): parses otherwise", r,
				 json_rows[r].why);
		cJSON_Delete(before);
		cJSON_Delete(after);
		core_buf_free(&b);
		core_buf_free(&t);
	}
	core_buf_init(&b, 16);
	assert_int_equal(cli_report_json_str(&b, NULL, 3), 0);
	assert_string_equal(core_buf_cstr(&b), "\"\"");
	core_buf_free(&b);
}

/* s without its spaces and line ends, in place: wrapping undone. */
static char *squeeze(char *s)
{
	size_t o = 0;

	for (size_t i = 0; s[i]; i++)
		if (s[i] != ' ' && s[i] != '\n')
			s[o++] = s[i];
	s[o] = '\0';
	return s;
}

/* doc with every "\n    " (a wrapped line's break) made sep. */
static char *unwrap(const char *doc, const char *sep)
{
	size_t n = strlen(doc), o = 0;
	char *out = malloc(n + 1);

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(doc + i, "\n    ", 5) == 0) {
			memcpy(out + o, sep, strlen(sep));
			o += strlen(sep);
			i += 4;
			continue;
		}
		out[o++] = doc[i];
	}
	out[o] = '\0';
	return out;
}

/*
 * The explanation is vigil's own wording, bounded where it is made: the
 * text and Markdown reports show every line of it whole, however much
 * escaping the names it holds grows it.  Markdown cut each line at its
 * length before escaping: "r\xffoot" lost the end of "What to do next"
 * ("check its authorized_ke..."), a long invalid name all of it.
 */
static void test_explanation_whole(void **state)
{
	static const struct {
		const char *user, *why;
	} rows[] = {
		{ "r\xffoot", "one invalid byte" },
		{ NULL, "200 invalid bytes" },
		{ "\x1b[31mroot\x1b[0m", "terminal escapes" },
		{ "ad\xe2\x80\xaeroot", "a right-to-left override" },
		{ "back`tick|pipe", "Markdown's own escapes" },
	};
	char long_user[201];

	(void)state;
	memset(long_user, 0xff, 200);
	long_user[200] = '\0';
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		const char *user = rows[r].user ? rows[r].user : long_user;
		struct incident_set *s = login_set(user, "Accepted password");
		struct core_str t = incident_set_get(s, 0)->explanation;
		size_t len, i = 0;
		char *md = render(s, CLI_OUT_MD, 0, DETECT_LEVEL_INFORMATIONAL,
				  &len);
		char *raw = render(s, CLI_OUT_TEXT, 0,
				   DETECT_LEVEL_INFORMATIONAL, &len);
		char *text = unwrap(raw, " ");
		char *squeezed = squeeze(strdup(raw));

		while (i < t.len) {
			const char *nl = memchr(t.p + i, '\n', t.len - i);
			size_t end = nl ? (size_t)(nl - t.p) : t.len;
			struct core_buf want_md, want_text;

			core_buf_init(&want_md, 1 << 16);
			core_buf_init(&want_text, 1 << 16);
			core_buf_addc(&want_md, '\n');
			cli_report_escape(&want_md, t.p + i, end - i,
					  CLI_REPORT_WHOLE, CLI_ESC_MD);
			core_buf_addc(&want_md, '\n');
			cli_report_escape(&want_text, t.p + i, end - i,
					  CLI_REPORT_WHOLE, 0);
			/* A word past a line's width is broken without a
			 * space: the text is compared without them. */
			if (!strstr(md, core_buf_cstr(&want_md)) ||
			    !strstr(squeezed,
				    squeeze((char *)core_buf_cstr(&want_text))))
				fail_msg("row %zu (%s): not whole:\n%s\n%s\n%s",
					 r, rows[r].why,
					 core_buf_cstr(&want_md), md, raw);
			core_buf_free(&want_md);
			core_buf_free(&want_text);
			i = end + 1;
		}
		assert_non_null(strstr(md, "What to do next"));
		free(md);
		free(raw);
		free(text);
		free(squeezed);
		incident_set_free(s);
	}
}

/*
 * The text report wraps the explanation at about 100 bytes: a word
 * longer than that goes on on the next line, every byte of it, and is
 * never cut inside a UTF-8 character (a byte was lost at each such
 * break, and the halves of a character shown as \xNN).
 */
static void test_wrap_long_word(void **state)
{
	struct detect_rule_info rule = rule_sudo;
	struct incident_set *s = incident_set_new();
	struct synth x = {
		&rule, T0, 1, NULL, "bob", NULL, "ws1", NULL, NULL, 3,
	};
	char title[256], want[300];
	size_t len;
	char *raw, *text, *why;

	(void)state;
	/* "(" and 98 bytes, then an e acute across the 100th byte. */
	memset(title, 'T', 98);
	memcpy(title + 98, "\xc3\xa9", 2);
	memset(title + 100, 'U', 120);
	title[220] = '\0';
	rule.title = title;
	assert_int_equal(synth_add(s, &x), 0);
	assert_int_equal(incident_build(s), 0);
	raw = render(s, CLI_OUT_TEXT, 0, DETECT_LEVEL_INFORMATIONAL, &len);
	text = unwrap(raw, "");
	why = strstr(text, "Why it scored");
	snprintf(want, sizeof(want), "(%s, level", title);
	if (!why || !strstr(why, want) || strstr(raw, "\\xc3") ||
	    strstr(raw, "\\xa9"))
		fail_msg("the rule's name is not whole:\n%s", raw);
	free(raw);
	free(text);
	incident_set_free(s);
}

/*
 * An input name is shortened before it is escaped, and a link is
 * printed whole up to CLI_REPORT_LINK_MAX bytes: escaping cuts neither
 * (a name of control bytes lost its base name, a link of pipes its end
 * in Markdown, where a pipe is "\|").
 */
static void test_names_and_links_whole(void **state)
{
	static char name[64], link[2000], long_link[3000];
	static const char *refs[] = { link, long_link };
	struct detect_rule_info rule = rule_sudo;
	struct incident_set *s = incident_set_new();
	struct synth x = {
		&rule, T0, 1, NULL, "bob", NULL, "ws1", NULL, NULL, 3,
	};
	struct detect_alert a;
	struct core_buf want;
	size_t len;
	char *text, *md;

	(void)state;
	snprintf(name, sizeof(name), "logs/%s.log",
		 "\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b"
		 "\x1b\x1b\x1b\x1b\x1b\x1b" "auth");
	snprintf(link, sizeof(link), "https://example.test/");
	memset(link + strlen(link), '|', sizeof(link) - 1 - strlen(link));
	snprintf(long_link, sizeof(long_link), "https://example.test/");
	memset(long_link + strlen(long_link), 'x',
	       sizeof(long_link) - 1 - strlen(long_link));
	rule.references = refs;
	rule.nreferences = 2;
	synth_alert(&a, &x);
	a.evidence[0].src = name;
	assert_int_equal(incident_add_alert(s, &a), 0);
	assert_int_equal(incident_build(s), 0);
	text = render(s, CLI_OUT_TEXT, 0, DETECT_LEVEL_INFORMATIONAL, &len);
	md = render(s, CLI_OUT_MD, 0, DETECT_LEVEL_INFORMATIONAL, &len);

	core_buf_init(&want, 1 << 16);
	cli_report_escape(&want, name, strlen(name), CLI_REPORT_WHOLE, 0);
	core_buf_add(&want, ":3  ", 4);
	assert_non_null(strstr(text, core_buf_cstr(&want)));
	core_buf_reset(&want);
	core_buf_addc(&want, '`');
	cli_report_escape(&want, name, strlen(name), CLI_REPORT_WHOLE,
			  CLI_ESC_MD_SPAN);
	core_buf_add(&want, "` line 3", 8);
	assert_non_null(strstr(md, core_buf_cstr(&want)));

	core_buf_reset(&want);
	cli_report_escape(&want, link, strlen(link), CLI_REPORT_WHOLE,
			  CLI_ESC_MD);
	core_buf_add(&want, ", ", 2);
	cli_report_escape(&want, long_link, CLI_REPORT_LINK_MAX,
			  CLI_REPORT_WHOLE, CLI_ESC_MD);
	core_buf_add(&want, "...\n", 4);
	if (!strstr(md, core_buf_cstr(&want)))
		fail_msg("Markdown links not whole:\n%s", md);
	core_buf_free(&want);
	free(text);
	free(md);
	incident_set_free(s);
}

static void test_top_and_severity(void **state)
{
	struct incident_set *s = synth_set();
	size_t len;
	char *one = render(s, CLI_OUT_JSON, 1, DETECT_LEVEL_INFORMATIONAL,
			   &len);
	cJSON *root = cJSON_ParseWithLength(one, len);
	char *text;

	(void)state;
	assert_true(incident_set_count(s) >= 2);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(root,
								"incidents")),
			 1);
	cJSON_Delete(root);
	free(one);
	text = render(s, CLI_OUT_TEXT, 0, DETECT_LEVEL_CRITICAL, &len);
	assert_null(strstr(text, "SSH scan"));
	assert_non_null(strstr(text, "events -> 4 alerts -> "));
	free(text);
	incident_set_free(s);
}

struct path_row {
	const char *src;
	size_t max;
	const char *want;
	const char *why;
};

static const struct path_row path_rows[] = {
	{ "auth.log", 64, "auth.log", "short names stay whole" },
	{ "../data/samples/Lateral Movement/LM_wmiexec_sysmon.evtx", 44,
	  ".../Lateral Movement/LM_wmiexec_sysmon.evtx",
	  "leading directories give way first, whole components kept" },
	{ "/var/log/a-very-long-directory-name/x.log", 20, ".../x.log",
	  "only the components that fit" },
	{ "/d/an_extremely_long_base_name_of_a_sample_file.evtx", 24,
	  "an_extr...mple_file.evtx",
	  "a base name too long alone loses its middle" },
	{ "/d/\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9.log", 16,
	  "\xc3\xa9\xc3\xa9...\xc3\xa9\xc3\xa9.log",
	  "never cut inside a UTF-8 sequence" },
	{ "/logs/\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80"
	  "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80"
	  "\x80\x80\x80\x80tail.evtx", 16, "...tail.evtx",
	  "a base of stray continuation bytes: the head stays in the base" },
	{ "/var/log/a-long-directory/another-long-one/", 20, ".../",
	  "a path ending in a slash" },
};

static void test_short_path(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(path_rows); i++) {
		const struct path_row *r = &path_rows[i];
		char out[CLI_REPORT_PATH_MAX + 1];
		size_t n = cli_report_short_path(r->src, r->max, out,
						 sizeof(out));

		if (strcmp(out, r->want) != 0 || n != strlen(out) ||
		    n > r->max)
			fail_msg("row %zu (%s): \"%s\"", i, r->why, out);
	}
}

/* Windows evidence reads as its summary in text, beside the raw in JSON. */
static void test_windows_summary_shown(void **state)
{
	struct incident_set *s = incident_set_new();
	const struct synth x = {
		&rule_sudo, T0, 1, NULL, "bob", NULL, "ws1", NULL,
		"{\"Provider_Guid\":\"{5770385F}\",\"EventID\":\"4688\","
		"\"Channel\":\"Security\",\"NewProcessName\":\"C:\\\\a.exe\"}",
		3,
	};
	size_t len;
	char *text, *json;

	(void)state;
	assert_int_equal(synth_add(s, &x), 0);
	assert_int_equal(incident_build(s), 0);
	text = render(s, CLI_OUT_TEXT, 0, DETECT_LEVEL_INFORMATIONAL, &len);
	assert_non_null(strstr(text, "auth.log:3  Security 4688 | "
				     "NewProcessName=C:\\a.exe\n"));
	assert_null(strstr(text, "Provider_Guid"));
	json = render(s, CLI_OUT_JSON, 0, DETECT_LEVEL_INFORMATIONAL, &len);
	assert_non_null(strstr(json, "\"summary\":\"Security 4688 | "));
	assert_non_null(strstr(json, "Provider_Guid"));
	assert_non_null(strstr(json, "\"platforms\":[\"windows\"]"));
	free(text);
	free(json);
	incident_set_free(s);
}

/*
 * Times are shown to the second: alerts 0.3 s apart read as one time in
 * every report and in the explanation, one second apart as a span.
 */
static void test_one_second_one_time(void **state)
{
	static const struct {
		int64_t gap;
		const char *text, *md, *why;
	} rows[] = {
		{ SEC / 3, "\n    2024-03-01 10:00:00 UTC  alerts 2",
		  "2024-03-01 10:00:00 UTC · 2 alerts",
		  "a third of a second: one time" },
		{ SEC, "\n    2024-03-01 10:00:00 UTC .. 2024-03-01 10:00:01 "
		  "UTC  alerts 2", "2024-03-01 10:00:00 UTC to 2024-03-01 "
		  "10:00:01 UTC · 2 alerts", "a second: a span" },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct incident_set *s = incident_set_new();
		size_t len;
		char *text, *md;

		for (int i = 0; i < 2; i++) {
			const struct synth x = { &rule_sudo,
				T0 + i * rows[r].gap, 1, NULL, "bob", NULL,
				"h1", NULL, NULL, (uint64_t)(1 + i) };

			assert_int_equal(synth_add(s, &x), 0);
		}
		assert_int_equal(incident_build(s), 0);
		text = render(s, CLI_OUT_TEXT, 0,
			      DETECT_LEVEL_INFORMATIONAL, &len);
		md = render(s, CLI_OUT_MD, 0, DETECT_LEVEL_INFORMATIONAL,
			    &len);
		if (strstr(text, rows[r].text) == NULL ||
		    strstr(md, rows[r].md) == NULL ||
		    (strstr(text, "What happened: at ") == NULL) !=
		    (rows[r].gap >= SEC))
			fail_msg("%s:\n%s\n%s", rows[r].why, text, md);
		free(text);
		free(md);
		incident_set_free(s);
	}
}

/*
 * --verbose shows every entity and every evidence line kept; without it
 * the text report shows six entities and --evidence lines.
 */
static void test_verbose_shows_all(void **state)
{
	struct incident_set *s = incident_set_new();
	char ip[32];

	(void)state;
	for (int i = 0; i < 9; i++) {
		struct synth x = { &rule_brute, T0 + i * SEC, 10, ip, NULL,
				   NULL, "h", NULL, "Failed password",
				   (uint64_t)i + 1 };

		snprintf(ip, sizeof(ip), "192.0.2.%d", 10 + i);
		assert_int_equal(synth_add(s, &x), 0);
	}
	assert_int_equal(incident_build(s), 0);
	for (int v = 0; v < 2; v++) {
		struct cli_report_opts o = { .format = CLI_OUT_TEXT,
					     .evidence = 2, .verbose = v };
		struct cli_stats st = { .inputs = 1, .events = 90 };
		size_t len, ips = 0, lines = 0;
		char *p = NULL;
		FILE *out = open_memstream(&p, &len);

		assert_non_null(out);
		assert_int_equal(cli_report_write(out, &o, &st, s), 0);
		fclose(out);
		for (const char *q = p; (q = strstr(q, "source.ip 192.0.2."));
		     q++)
			ips++;
		for (const char *q = p; (q = strstr(q, "auth.log:")); q++)
			lines++;
		if (v ? ips != 9 || lines < 3 : ips != 6 || lines != 2)
			fail_msg("verbose %d: %zu entities, %zu lines:\n%s", v,
				 ips, lines, p);
		free(p);
	}
	incident_set_free(s);
}

/* The strongest rule's references, status and source reach the reports. */
static void test_rule_references_shown(void **state)
{
	static const char *const refs[] = {
		"https://attack.mitre.org/techniques/T1548/003/",
		"https://example.test/sudo-notes",
		"https://example.test/third",
	};
	static const char *const fps[] = { "Administrators at work" };
	struct detect_rule_info rule = rule_sudo;
	struct incident_set *s = incident_set_new();
	struct synth x = {
		&rule, T0, 1, NULL, "bob", NULL, "ws1", NULL, NULL, 3,
	};
	size_t len;
	char *text, *md, *json;

	(void)state;
	rule.references = refs;
	rule.nreferences = 3;
	rule.falsepositives = fps;
	rule.nfalsepositives = 1;
	rule.status = "test";
	rule.file = "rules/linux/sudo.yml";
	rule.line = 1;
	assert_int_equal(synth_add(s, &x), 0);
	assert_int_equal(incident_build(s), 0);
	text = render(s, CLI_OUT_TEXT, 0, DETECT_LEVEL_INFORMATIONAL, &len);
	assert_non_null(strstr(text, "    Read more: https://attack.mitre.org/"
				     "techniques/T1548/003/\n"
				     "               https://example.test/"
				     "sudo-notes\n"));
	assert_null(strstr(text, "third"));
	md = render(s, CLI_OUT_MD, 0, DETECT_LEVEL_INFORMATIONAL, &len);
	assert_non_null(strstr(md, "Read more: https://attack.mitre.org/"));
	json = render(s, CLI_OUT_JSON, 0, DETECT_LEVEL_INFORMATIONAL, &len);
	assert_non_null(strstr(json, "\"status\":\"test\""));
	assert_non_null(strstr(json, "\"references\":[\"https://attack"));
	assert_non_null(strstr(json, "example.test/third"));
	assert_non_null(strstr(json, "\"falsepositives\":[\"Administrators"));
	assert_non_null(strstr(json, "\"file\":\"rules/linux/sudo.yml\""));
	free(text);
	free(md);
	free(json);
	incident_set_free(s);
}

/*
 * One of a thing reads in the singular, more in the plural: "1 event
 * -> 1 alert -> 1 incident", "1 more incident not shown".
 */
static void test_counts_agree_in_number(void **state)
{
	static const struct {
		enum cli_output_format f;
		unsigned top;
		const char *want, *not, *why;
	} rows[] = {
		{ CLI_OUT_TEXT, 0, "1 event -> 1 alert -> 2 incidents",
		  "1 events", "text header, one event and alert" },
		{ CLI_OUT_MD, 0, "1 event -> 1 alert -> 2 incidents",
		  "1 alerts", "Markdown header, one event and alert" },
		{ CLI_OUT_TEXT, 1, "(1 more incident not shown",
		  "1 more incidents", "text, one incident left out" },
		{ CLI_OUT_MD, 1, "\n1 more incident not shown.",
		  "1 more incidents", "Markdown, one incident left out" },
		{ CLI_OUT_MD, 0, " · 1 alert · ", "· 1 alerts",
		  "Markdown incident line, one alert" },
	};
	struct incident_set *s = incident_set_new();
	const struct synth x[] = {
		{ &rule_sudo, T0, 1, NULL, "bob", NULL, "h1", NULL, NULL, 1 },
		{ &rule_sudo, T0 + 9000 * SEC, 1, NULL, "carol", NULL, "h2",
		  NULL, NULL, 2 },
	};

	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(x); i++)
		assert_int_equal(synth_add(s, &x[i]), 0);
	assert_int_equal(incident_build(s), 0);
	assert_int_equal(incident_set_count(s), 2);
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		size_t len;
		char *out = render_run(s, rows[r].f, rows[r].top, 1, 1, &len);

		if (!strstr(out, rows[r].want) || strstr(out, rows[r].not))
			fail_msg("row %zu (%s):\n%s", r, rows[r].why, out);
		free(out);
	}
	incident_set_free(s);
}

/*
 * "Read more" offers links only: a reference that is no URL ("Internal
 * Research") is left out of the text and Markdown reports, and a rule
 * that gives no link at all adds no "Read more"; JSON keeps every one.
 */
static void test_references_links_only(void **state)
{
	static const char *const mixed[] = {
		"Internal Research", "https://example.test/sudo-notes",
		"see the wiki", "ftp://example.test/notes.txt",
	};
	static const char *const none[] = { "Internal Research" };
	static const struct {
		const char *const *refs;
		size_t n;
		const char *text, *md, *why;
	} rows[] = {
		{ mixed, 4, "    Read more: https://example.test/sudo-notes\n"
		  "               ftp://example.test/notes.txt\n",
		  "\nRead more: https://example.test/sudo-notes, "
		  "ftp://example.test/notes.txt\n",
		  "the links, in order, the rest left out" },
		{ none, 1, NULL, NULL, "no link: no Read more" },
	};

	(void)state;
	for (size_t r = 0; r < CORE_ARRAY_LEN(rows); r++) {
		struct detect_rule_info rule = rule_sudo;
		struct incident_set *s = incident_set_new();
		struct synth x = {
			&rule, T0, 1, NULL, "bob", NULL, "ws1", NULL, NULL, 3,
		};
		size_t len;
		char *text, *md, *json;

		rule.references = rows[r].refs;
		rule.nreferences = rows[r].n;
		assert_int_equal(synth_add(s, &x), 0);
		assert_int_equal(incident_build(s), 0);
		text = render(s, CLI_OUT_TEXT, 0, DETECT_LEVEL_INFORMATIONAL,
			      &len);
		md = render(s, CLI_OUT_MD, 0, DETECT_LEVEL_INFORMATIONAL,
			    &len);
		json = render(s, CLI_OUT_JSON, 0, DETECT_LEVEL_INFORMATIONAL,
			      &len);
		if (strstr(text, "Internal Research") ||
		    strstr(md, "Internal Research") ||
		    strstr(text, "wiki") || strstr(md, "wiki") ||
		    (rows[r].text ? !strstr(text, rows[r].text) :
		     strstr(text, "Read more") != NULL) ||
		    (rows[r].md ? !strstr(md, rows[r].md) :
		     strstr(md, "Read more") != NULL) ||
		    !strstr(json, "\"Internal Research\""))
			fail_msg("row %zu (%s):\n%s\n%s", r, rows[r].why,
				 text, md);
		free(text);
		free(md);
		free(json);
		incident_set_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_path),
		cmocka_unit_test(test_windows_summary_shown),
		cmocka_unit_test(test_one_second_one_time),
		cmocka_unit_test(test_verbose_shows_all),
		cmocka_unit_test(test_rule_references_shown),
		cmocka_unit_test(test_json_parses),
		cmocka_unit_test(test_json_matches_schema),
		cmocka_unit_test(test_hostile_bytes_escaped),
		cmocka_unit_test(test_escape_modes),
		cmocka_unit_test(test_escape_hidden_chars),
		cmocka_unit_test(test_hidden_chars_in_reports),
		cmocka_unit_test(test_json_del_escaped),
		cmocka_unit_test(test_explanation_whole),
		cmocka_unit_test(test_wrap_long_word),
		cmocka_unit_test(test_names_and_links_whole),
		cmocka_unit_test(test_top_and_severity),
		cmocka_unit_test(test_counts_agree_in_number),
		cmocka_unit_test(test_references_links_only),
		cmocka_unit_test(test_json_str_hidden_chars),
		cmocka_unit_test(test_json_str_and_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
