/*
 * test_reader.c: line records from plain, gzip and damaged files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "input/input.h"

static char dir[] = "/tmp/vigil-test-reader-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const void *data, size_t n)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
	return path;
}

static const char *write_gzip(const char *name, const char *data, size_t n)
{
	static char path[256];
	gzFile gz;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	gz = gzopen(path, "wb");
	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, data, (unsigned)n), (int)n);
	gzclose(gz);
	return path;
}

/* Reads every record; returns their count and the flags OR-ed. */
static int read_all(const char *path, struct core_str *first,
		    unsigned *flags_or, int *rc_end)
{
	struct input_reader *r;
	struct core_error err;
	struct core_str rec;
	uint64_t line;
	unsigned flags;
	int n = 0, rc;

	assert_int_equal(input_open(path, 0, &r, &err), 0);
	*flags_or = 0;
	while ((rc = input_next(r, &rec, &line, &flags, &err)) == 1) {
		if (n == 0 && first) {
			char *copy = malloc(rec.len + 1);

			memcpy(copy, rec.p, rec.len);
			copy[rec.len] = '\0';
			*first = core_str_make(copy, rec.len);
		}
		n++;
		assert_int_equal(line, (uint64_t)n);
		*flags_or |= flags;
	}
	*rc_end = rc;
	input_close(r);
	return n;
}

static void test_crlf_and_no_eol(void **state)
{
	const char *p = write_file("crlf.log", "one\r\ntwo\r\nthree", 15);
	struct core_str first;
	unsigned fl;
	int rc;

	(void)state;
	assert_int_equal(read_all(p, &first, &fl, &rc), 3);
	assert_int_equal(rc, 0);
	assert_true(core_str_eq_lit(first, "one"));
	assert_true(fl & INPUT_F_NO_EOL);
	free((void *)first.p);
}

static void test_empty_file(void **state)
{
	const char *p = write_file("empty.log", "", 0);
	unsigned fl;
	int rc;

	(void)state;
	assert_int_equal(read_all(p, NULL, &fl, &rc), 0);
	assert_int_equal(rc, 0);
}

static void test_long_line_cut(void **state)
{
	size_t big = INPUT_MAX_LINE * 3 + 17;
	char *data = malloc(big + 8);
	struct core_str first;
	const char *p;
	unsigned fl;
	int rc;

	(void)state;
	memset(data, 'x', big);
	memcpy(data + big, "\nafter\n", 7);
	p = write_file("long.log", data, big + 7);
	free(data);

	/* The long line is one record, cut; the next line survives. */
	assert_int_equal(read_all(p, &first, &fl, &rc), 2);
	assert_int_equal(first.len, INPUT_MAX_LINE);
	assert_true(fl & INPUT_F_TRUNCATED);
	free((void *)first.p);
}

static void test_nul_and_utf8_flags(void **state)
{
	static const char data[] = "ok line\nnul\0here\nbad \xff\xfe utf8\n"
				   "good \xc3\xa9t\xc3\xa9\n";
	const char *p = write_file("damaged.log", data, sizeof(data) - 1);
	struct input_reader *r;
	struct core_error err;
	struct core_str rec;
	uint64_t line;
	unsigned want[] = { 0, INPUT_F_NUL, INPUT_F_BAD_UTF8, 0 }, fl;

	(void)state;
	assert_int_equal(input_open(p, 0, &r, &err), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(input_next(r, &rec, &line, &fl, &err), 1);
		if (fl != want[i])
			fail_msg("line %d flags %u want %u", i + 1, fl,
				 want[i]);
	}
	assert_int_equal(input_next(r, &rec, &line, &fl, &err), 0);
	input_close(r);
}

static void test_gzip(void **state)
{
	static const char data[] = "Jan  1 00:00:00 h sshd[1]: a\nsecond\n";
	const char *p = write_gzip("auth.log.1", data, sizeof(data) - 1);
	struct input_reader *r;
	struct core_error err;
	struct core_str lines[4];

	(void)state;
	assert_int_equal(input_open(p, 0, &r, &err), 0);
	assert_true(input_is_gzip(r));
	assert_int_equal(input_peek(r, lines, 4), 2);
	assert_true(core_str_eq_lit(lines[1], "second"));
	input_close(r);
}

static void test_truncated_gzip(void **state)
{
	char data[20000], cut[256];
	const char *p;
	FILE *f;
	long size;
	char *gz;
	unsigned fl;
	int n, rc;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (i % 50 == 49) ? '\n' : (char)('a' + i * 7 % 26);
	p = write_gzip("full.gz", data, sizeof(data));

	/* Keep the first half of the compressed file only. */
	f = fopen(p, "rb");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	gz = malloc((size_t)size);
	assert_int_equal(fread(gz, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	snprintf(cut, sizeof(cut), "%s", write_file("cut.gz", gz,
						    (size_t)size / 2));
	free(gz);

	n = read_all(cut, NULL, &fl, &rc);
	assert_true(n > 0 && n < 400);
	assert_int_equal(rc, CORE_E_IO);
}

struct reject_case {
	const char *name;
	const char *data;
	size_t len;
	const char *why;
};

static void test_rejects(void **state)
{
	static const char zeros[512];
	char bin[4096];
	const struct reject_case rows[] = {
		{ "x.xz", "\xfd" "7zXZ\0\0\0", 8, "xz" },
		{ "x.zst", "\x28\xb5\x2f\xfd\0\0", 6, "zstd" },
		{ "x.evtx", "ElfFile\0\0\0\0\0", 12, "EVTX" },
		{ "zeros", zeros, sizeof(zeros), "all NULs" },
		{ "bin", bin, sizeof(bin), "random binary" },
	};
	struct input_reader *r;
	struct core_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (char)((i * 2654435761u) >> 13);
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		const char *p = write_file(rows[i].name, rows[i].data,
					   rows[i].len);

		if (input_open(p, 0, &r, &err) != CORE_E_UNSUPPORTED)
			fail_msg("%s: not rejected", rows[i].why);
		assert_string_equal(err.file, p);
		/* Forced, it reads anyway. */
		assert_int_equal(input_open(p, INPUT_O_ANY, &r, &err), 0);
		input_close(r);
	}
}

/*
 * INPUT_O_BINARY_OK opens data binary only by its mix of bytes (a log
 * with junk near its top looks so) and says why; a known signature stays
 * refused, by its name.
 */
static void test_binary_ok(void **state)
{
	static const struct {
		const char *name;
		const char *data;
		size_t len;
		int rc;			/* of input_open with BINARY_OK */
		const char *msg;	/* in err.msg, or input_binary() */
	} rows[] = {
		{ "elf", "\x7f" "ELF\2\1\1\0\0\0", 10, CORE_E_UNSUPPORTED,
		  "executable (ELF)" },
		{ "x.png", "\x89PNG\r\n\x1a\n\0\0", 10, CORE_E_UNSUPPORTED,
		  "PNG image" },
		{ "system.journal", "LPKSHHRH\0\0\0\0", 12,
		  CORE_E_UNSUPPORTED, "journalctl -o json --file " },
		{ "x.db", "SQLite format 3\0\0", 17, CORE_E_UNSUPPORTED,
		  "SQLite database" },
		{ "junk.log", NULL, 0, 0, "binary data" },
	};
	struct input_reader *r;
	char junk[4096];

	(void)state;
	/* Two log lines, then bytes of every value. */
	snprintf(junk, sizeof(junk), "Mar  1 10:00:00 h app: a\n"
		 "Mar  1 10:00:01 h app: b\n");
	for (size_t i = 50; i < sizeof(junk); i++)
		junk[i] = (char)((i * 2654435761u) >> 13);
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		const char *data = rows[i].data ? rows[i].data : junk;
		size_t len = rows[i].data ? rows[i].len : sizeof(junk);
		const char *p = write_file(rows[i].name, data, len);
		struct core_error err = { 0 };
		int rc = input_open(p, INPUT_O_BINARY_OK, &r, &err);

		if (rc != rows[i].rc)
			fail_msg("%s: rc %d", rows[i].name, rc);
		if (rc != 0) {
			if (!strstr(err.msg, rows[i].msg))
				fail_msg("%s: '%s'", rows[i].name, err.msg);
			assert_string_equal(err.file, p);
			continue;
		}
		assert_non_null(input_binary(r));
		assert_non_null(strstr(input_binary(r), rows[i].msg));
		input_close(r);
		/* Without the flag it is refused; forced, it is text. */
		assert_int_equal(input_open(p, 0, &r, &err),
				 CORE_E_UNSUPPORTED);
		assert_int_equal(input_open(p, INPUT_O_ANY, &r, &err), 0);
		assert_null(input_binary(r));
		input_close(r);
	}
	/* Text is no binary. */
	assert_int_equal(input_open(write_file("t.log", "a\nb\n", 4),
				    INPUT_O_BINARY_OK, &r, NULL), 0);
	assert_null(input_binary(r));
	input_close(r);
}

struct jdoc_case {
	const char *data;
	int n;			/* records */
	const char *first;	/* first record as delivered */
	uint64_t last_line;	/* line of the last record */
	const char *why;
};

static const struct jdoc_case jdoc_cases[] = {
	{ "[\n  {\n    \"a\": 1,\n    \"b\": \"x y\"\n  },\n"
	  "  {\"c\": [1, 2]}\n]\n", 2, "{\"a\":1,\"b\":\"x y\"}", 6,
	  "pretty-printed array; spaces inside strings kept" },
	{ "{\n \"a\": \"}{\\\"\"\n}\n{\n \"b\": 2\n}\n", 2,
	  "{\"a\":\"}{\\\"\"}", 4,
	  "concatenated objects; braces and quotes inside strings" },
	{ "[\n {\"a\": 1},\n junk here\n {\"b\": 2}\n]\n", 3,
	  "{\"a\":1}", 4, "junk between objects is a record of its own" },
	{ "\xef\xbb\xbf[{\"a\": 1}]", 1, "{\"a\":1}", 1,
	  "byte-order mark, one line" },
	{ "[\n {\"a\": 1},\n {\"b\": \n", 2, "{\"a\":1}", 3,
	  "cut off: the rest is read as lines" },
	{ "{\"a\": 1}\n{\"b\": 2}\n", 2, "{\"a\": 1}", 2,
	  "JSON lines stay lines (not compacted)" },
	{ "[Sun Dec 04 04:47:44 2005] [error] x\n[Sun Dec 04 04:47:45 2005] "
	  "[notice] y\n", 2, "[Sun Dec 04 04:47:44 2005] [error] x", 2,
	  "a log line opening with a bracket is no JSON array" },
};

static void test_json_documents(void **state)
{
	(void)state;
	for (size_t i = 0; i < CORE_ARRAY_LEN(jdoc_cases); i++) {
		const struct jdoc_case *c = &jdoc_cases[i];
		const char *p = write_file("doc.json", c->data,
					   strlen(c->data));
		struct input_reader *r;
		struct core_error err;
		struct core_str rec, peek[4];
		uint64_t line = 0;
		unsigned fl;
		int n = 0;

		assert_int_equal(input_open(p, 0, &r, &err), 0);
		/* Peeking first must not change what is read after. */
		if (input_peek(r, peek, 4) == 0)
			fail_msg("%s: nothing to peek", c->why);
		while (input_next(r, &rec, &line, &fl, &err) == 1) {
			if (n++ == 0 && (rec.len != strlen(c->first) ||
					 memcmp(rec.p, c->first, rec.len)))
				fail_msg("%s: first is '%.*s'", c->why,
					 (int)rec.len, rec.p);
		}
		if (n != c->n || line != c->last_line)
			fail_msg("%s: %d records, last line %llu", c->why, n,
				 (unsigned long long)line);
		input_close(r);
	}
}

static void test_missing_and_dir(void **state)
{
	struct input_reader *r;
	struct core_error err;

	(void)state;
	assert_int_equal(input_open("/nonexistent/x.log", 0, &r, &err),
			 CORE_E_IO);
	assert_non_null(strstr(err.msg, "cannot open"));
	assert_int_equal(input_open(dir, 0, &r, &err), CORE_E_IO);
}

/* Standard input is "<stdin>" in every message and in every record. */
static void test_stdin_name(void **state)
{
	static const struct {
		const char *data;
		size_t len;
		int rc;			/* of input_open */
		const char *why;
	} rows[] = {
		{ "\xfd" "7zXZ\0\0\0", 8, CORE_E_UNSUPPORTED,
		  "a rejected content names <stdin>" },
		{ "one\ntwo\n", 8, 0, "a read record's input is <stdin>" },
	};
	int saved = dup(STDIN_FILENO);

	(void)state;
	assert_true(saved >= 0);
	for (size_t i = 0; i < CORE_ARRAY_LEN(rows); i++) {
		const char *p = write_file("in", rows[i].data, rows[i].len);
		struct input_reader *r;
		struct core_error err = { 0 };
		FILE *f = freopen(p, "rb", stdin);
		int rc;

		assert_non_null(f);
		rc = input_open("-", 0, &r, &err);
		if (rc != rows[i].rc)
			fail_msg("row %zu (%s): rc %d", i, rows[i].why, rc);
		if (rc != 0 && strcmp(err.file, "<stdin>") != 0)
			fail_msg("row %zu (%s): named '%s'", i, rows[i].why,
				 err.file);
		if (rc == 0) {
			assert_string_equal(input_name(r), "<stdin>");
			input_close(r);
		}
	}
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crlf_and_no_eol),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_long_line_cut),
		cmocka_unit_test(test_nul_and_utf8_flags),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_truncated_gzip),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_binary_ok),
		cmocka_unit_test(test_json_documents),
		cmocka_unit_test(test_missing_and_dir),
		cmocka_unit_test(test_stdin_name),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
