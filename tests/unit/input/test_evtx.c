/*
 * test_evtx.c: the EVTX container: records of good files, and damaged
 * headers, chunks and records reported and skipped with the rest read.
 */
#include <fcntl.h>
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

#include "input/evtx.h"
#include "input/input.h"
#include "../../fuzz/evtx_fixture.h"

static struct fx fx;

/* Two chunks: records 1-3 in chunk 0, 4-5 in chunk 1. */
static size_t build(void)
{
	fx_begin(&fx);
	fx_record(&fx, "WS01", "cmd.exe /c whoami", 1);
	fx_record(&fx, "WS01", "cmd.exe /c dir", 1);
	fx_record(&fx, "WS01", "net user", 1);
	fx_chunk_open(&fx);
	fx_record(&fx, "WS02", "ipconfig", 1);
	fx_record(&fx, "WS02", "hostname", 1);
	return fx_end(&fx);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t *chunk(unsigned i)
{
	return fx.img + 4096 + (size_t)i * FX_CHUNK;
}

/* Damage done to a good image before it is read. */
static void dmg_none(size_t *n)
{
	(void)n;
}

static void dmg_file_header(size_t *n)
{
	(void)n;
	fx.img[60] ^= 1;
}

static void dmg_chunk_header(size_t *n)
{
	(void)n;
	chunk(0)[100] ^= 1;
}

static void dmg_record_size(size_t *n)
{
	(void)n;
	/* The second record of chunk 0 claims an impossible size. */
	put32(chunk(0) + 512 + ((chunk(0)[516] | chunk(0)[517] << 8)) + 4,
	      0x7fffffff);
}

static void dmg_record_body(size_t *n)
{
	(void)n;
	chunk(1)[700] ^= 0x55;
}

/* Rewrites the file header's chunk count and next record id. */
static void set_header(unsigned chunks, uint64_t next)
{
	fx_put(fx.img + 42, chunks, 2);
	fx_put(fx.img + 24, next, 8);
	put32(fx.img + 124, fx_crc32(fx.img, 120));
}

/* Space the log reserved after its last chunk. */
static void dmg_zero_chunk(size_t *n)
{
	memset(chunk(1), 0, FX_CHUNK);
	set_header(1, 4);
	(void)n;
}

/* Reserved space cut short: zeros to the end of the copy. */
static void dmg_zero_chunk_cut(size_t *n)
{
	dmg_zero_chunk(n);
	*n = 4096 + FX_CHUNK + 1000;
}

/* Zeros where the header says a chunk is: the chunk was lost. */
static void dmg_zero_named_chunk(size_t *n)
{
	memset(chunk(1), 0, FX_CHUNK);
	(void)n;
}

/* Cut after the records of chunk 1, in its free space. */
static void dmg_cut_free_space(size_t *n)
{
	*n -= 1000;
}

/* Cut inside the second record of chunk 1. */
static void dmg_cut_first_record(size_t *n)
{
	*n = 4096 + FX_CHUNK + 512 + 40;
}

static void dmg_cut_record(size_t *n)
{
	size_t first = chunk(1)[516] | chunk(1)[517] << 8;

	*n = 4096 + FX_CHUNK + 512 + first + 40;
}

/* Cut inside the header of chunk 1. */
static void dmg_cut_chunk_header(size_t *n)
{
	*n = 4096 + FX_CHUNK + 300;
}

/* Cut inside zeros where the header says a chunk is. */
static void dmg_zero_named_chunk_cut(size_t *n)
{
	memset(chunk(1), 0, FX_CHUNK);
	*n = 4096 + FX_CHUNK + 1000;
}

/* Cut exactly after chunk 0: only the file header tells. */
static void dmg_cut_at_chunk(size_t *n)
{
	*n = 4096 + FX_CHUNK;
}

/* Cut inside the file header. */
static void dmg_cut_file_header(size_t *n)
{
	*n = 3000;
}

/* A header that promises later records than the chunks hold. */
static void dmg_header_next(size_t *n)
{
	(void)n;
	set_header(2, 9);
}

/* A header that lags behind (a log not closed cleanly) is normal. */
static void dmg_header_stale(size_t *n)
{
	(void)n;
	set_header(1, 3);
}

/* Zeros where chunk 0 was, and a header that cannot be trusted. */
static void dmg_gap_no_header(size_t *n)
{
	memset(chunk(0), 0, FX_CHUNK);
	dmg_file_header(n);
}

/* The same zeros under a good header: the header tells, at the end. */
static void dmg_gap_header(size_t *n)
{
	memset(chunk(0), 0, FX_CHUNK);
	(void)n;
}

/* A file header that lost its signature, a chunk after it. */
static void dmg_file_magic(size_t *n)
{
	(void)n;
	memcpy(fx.img, "NotFile", 8);
}

static void dmg_signature(size_t *n)
{
	(void)n;
	memcpy(chunk(0), "NotChnk", 8);
}

static const struct row {
	void (*damage)(size_t *n);
	unsigned records;
	unsigned errors;
	const char *msg;	/* in the first error */
	const char *why;
} rows[] = {
	{ dmg_none, 5, 0, NULL, "a good file reads whole" },
	{ dmg_file_header, 5, 1, "file header checksum",
	  "a bad file header is reported; the chunks are still read" },
	{ dmg_chunk_header, 2, 1, "chunk 0: header checksum mismatch; "
	  "skipped with its records",
	  "a chunk whose header fails its checksum is skipped" },
	{ dmg_record_size, 4, 2, "records checksum",
	  "a record with a wrong size is skipped, the rest still read" },
	{ dmg_record_body, 5, 1, "chunk 1: records checksum mismatch",
	  "records of a chunk failing its data checksum are still tried" },
	{ dmg_zero_chunk, 3, 0, NULL,
	  "a chunk of zeros past the header's (reserved space) is silent" },
	{ dmg_zero_named_chunk, 3, 1, "names 2 chunks, records up to 5; "
	  "the file holds 1, records up to 3",
	  "zeros where the header names a chunk are reported" },
	{ dmg_zero_chunk_cut, 3, 0, NULL,
	  "reserved zeros cut short lose no record and are silent" },
	{ dmg_zero_named_chunk_cut, 3, 1, "names 2 chunks, records up to 5; "
	  "the file holds 1, records up to 3: it is cut short",
	  "zeros cut short where the header names a chunk: the header tells" },
	{ dmg_cut_free_space, 5, 1, "chunk 1: file is cut short 64536 "
	  "bytes into the chunk, after its last record; every record",
	  "a cut in the free space of the last chunk loses no record" },
	{ dmg_cut_first_record, 3, 1, "chunk 1: file is cut short 552 "
	  "bytes into the chunk, in record 4; 2 of the chunk's 2 records "
	  "lost, none of them read",
	  "a cut inside a chunk's first record reads none of it" },
	{ dmg_cut_record, 4, 1, "chunk 1: file is cut short 2224 bytes "
	  "into the chunk, in record 5; 1 of the chunk's 2 records "
	  "lost, the records before it were read; the file header names 2 "
	  "chunks, records up to 5",
	  "a cut inside a record reads the chunk's records before it" },
	{ dmg_cut_chunk_header, 3, 1, "chunk 1: file is cut short 300 "
	  "bytes into the chunk, inside its header; the records before",
	  "a cut inside a chunk header is reported" },
	{ dmg_cut_at_chunk, 3, 1, "names 2 chunks, records up to 5; the "
	  "file holds 1, records up to 3: it is cut short",
	  "a cut at a chunk boundary is told by the file header" },
	{ dmg_cut_file_header, 0, 1, "file is cut short inside its "
	  "4096-byte header (3000 bytes): no record in it",
	  "a cut inside the file header is reported" },
	{ dmg_header_next, 5, 1, "records up to 8; the file holds 2, "
	  "records up to 5",
	  "a header naming later records than the file holds is reported" },
	{ dmg_header_stale, 5, 0, NULL,
	  "a header behind its chunks (not closed cleanly) is normal" },
	{ dmg_signature, 2, 1, "no chunk signature",
	  "a block without the chunk signature is reported and skipped" },
	{ dmg_gap_no_header, 2, 2, "file header checksum",
	  "zeros before a chunk under a broken header: told (second)" },
	{ dmg_gap_header, 2, 1, "names 2 chunks, records up to 5; the file "
	  "holds 1",
	  "zeros before a chunk under a good header: the header tells" },
	{ dmg_file_magic, 5, 1, "file header damaged (no ElfFile "
	  "signature); chunks read as they are",
	  "a file header without its signature: the chunks are read" },
};

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct input_evtx *r;
		struct input_evtx_record rec;
		struct core_error err = { 0 }, first = { 0 };
		unsigned nrec = 0, nerr = 0;
		size_t n = build();
		int rc;

		rows[i].damage(&n);
		assert_int_equal(input_evtx_open_mem("t.evtx", fx.img, n, &r,
						     &err), 0);
		while ((rc = input_evtx_next(r, &rec, &err)) != 0) {
			if (rc < 0) {
				assert_int_equal(rc, CORE_E_PARSE);
				if (nerr++ == 0)
					first = err;
				continue;
			}
			nrec++;
			assert_true(rec.off + rec.len <= rec.chunk_len);
		}
		input_evtx_close(r);
		if (nrec != rows[i].records || nerr != rows[i].errors)
			fail_msg("row %zu (%s): %u records, %u errors", i,
				 rows[i].why, nrec, nerr);
		if (rows[i].msg && !strstr(first.msg, rows[i].msg))
			fail_msg("row %zu (%s): message '%s'", i, rows[i].why,
				 first.msg);
		if (rows[i].msg)
			assert_string_equal(first.file, "t.evtx");
	}
}

static void test_record_header(void **state)
{
	struct input_evtx *r;
	struct input_evtx_record rec;
	uint64_t want = 1;
	size_t n = build();

	(void)state;
	assert_int_equal(input_evtx_open_mem("t.evtx", fx.img, n, &r, NULL),
			 0);
	while (input_evtx_next(r, &rec, NULL) == 1) {
		assert_int_equal(rec.record_id, want);
		assert_int_equal(rec.chunk_no, want <= 3 ? 0 : 1);
		/* 132000000000000000 + id s, as FILETIME, in us since 1970. */
		assert_int_equal(rec.written, (132000000000000000LL / 10 -
					       11644473600LL * 1000000) +
					      (int64_t)want * 1000000);
		assert_int_equal(rec.chunk[rec.off], 0x0f);
		want++;
	}
	assert_int_equal(want, 6);
	input_evtx_close(r);
}

static void test_not_evtx(void **state)
{
	static const char text[200] = "Jan  1 00:00:00 host sshd[1]: hello";
	struct input_evtx *r = NULL;
	struct core_error err = { 0 };

	(void)state;
	assert_int_equal(input_evtx_open_mem("x.log", text, sizeof(text), &r,
					     &err), CORE_E_PARSE);
	assert_null(r);
	assert_non_null(strstr(err.msg, "not an EVTX file"));
	assert_true(input_evtx_magic("ElfFile\0", 8));
	assert_false(input_evtx_magic("ElfFile", 7));
	/* Standard input has one name, and cannot be read by offset. */
	assert_int_equal(input_evtx_open("-", &r, &err), CORE_E_UNSUPPORTED);
	assert_null(r);
	assert_string_equal(err.file, "<stdin>");
}

static void test_file(void **state)
{
	char path[] = "/tmp/vigil-test-evtx-XXXXXX";
	struct input_evtx *r;
	struct input_evtx_record rec;
	size_t n = build();
	unsigned cnt = 0;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, fx.img, n), (ssize_t)n);
	close(fd);
	assert_int_equal(input_evtx_open(path, &r, NULL), 0);
	while (input_evtx_next(r, &rec, NULL) == 1)
		cnt++;
	assert_int_equal(cnt, 5);
	assert_int_equal(input_evtx_size(r), n);
	input_evtx_close(r);
	unlink(path);
	assert_int_equal(input_evtx_open(path, &r, NULL), CORE_E_IO);
}

/*
 * A file whose header lost its signature is still known as EVTX and read
 * when a chunk follows; without one it is not EVTX.
 */
static void test_lost_signature(void **state)
{
	char path[] = "/tmp/vigil-test-evtx-XXXXXX";
	struct input_evtx *r;
	struct input_evtx_record rec;
	struct core_error err = { 0 };
	size_t n = build();
	unsigned cnt = 0;
	int fd = mkstemp(path), rc;

	(void)state;
	assert_true(fd >= 0);
	memcpy(fx.img, "NotFile", 8);
	assert_true(input_evtx_magic(fx.img, n));
	assert_false(input_evtx_magic(fx.img, 4096 + 7));
	assert_int_equal(write(fd, fx.img, n), (ssize_t)n);
	close(fd);
	assert_int_equal(input_evtx_open(path, &r, &err), 0);
	while ((rc = input_evtx_next(r, &rec, &err)) != 0)
		cnt += rc == 1;
	assert_int_equal(cnt, 5);
	input_evtx_close(r);

	memcpy(chunk(0), "NotChnk", 8);
	assert_false(input_evtx_magic(fx.img, n));
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, fx.img, n), (ssize_t)n);
	close(fd);
	assert_int_equal(input_evtx_open(path, &r, &err), CORE_E_PARSE);
	assert_non_null(strstr(err.msg, "not an EVTX file"));
	assert_int_equal(input_evtx_open_mem("t.evtx", fx.img, n, &r, &err),
			 CORE_E_PARSE);
	unlink(path);
}

/* Writes the first n bytes of the image to path, gzip-compressed or not. */
static void write_image(const char *path, size_t n, bool gz)
{
	if (gz) {
		gzFile g = gzopen(path, "wb");

		assert_non_null(g);
		assert_int_equal(gzwrite(g, fx.img, (unsigned)n), (int)n);
		gzclose(g);
	} else {
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		assert_int_equal(fwrite(fx.img, 1, n, f), n);
		fclose(f);
	}
}

/*
 * The image an input reader holds (a pipe, a gzip stream) reads as the
 * file does: the same records, the same cut reported, chunk by chunk.
 */
static void test_stream(void **state)
{
	static const struct {
		size_t cut;		/* bytes kept; 0: all */
		bool gz;
		unsigned records;
		const char *msg;	/* of the last error, or NULL */
		const char *why;
	} cases[] = {
		{ 0, false, 5, NULL, "a whole image, plain" },
		{ 0, true, 5, NULL, "a whole image, gzip-compressed" },
		{ 4096 + FX_CHUNK + 300, false, 3, "chunk 1: file is cut short "
		  "300 bytes into the chunk, inside its header",
		  "cut inside the second chunk's header" },
		{ 3000, true, 0, "cut short inside its 4096-byte header "
		  "(3000 bytes)", "cut inside the file header" },
	};
	char path[] = "/tmp/vigil-test-evtx-XXXXXX";
	struct input_reader *in;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < CORE_ARRAY_LEN(cases); i++) {
		size_t n = build();
		struct input_evtx *r;
		struct input_evtx_record rec;
		struct core_error err = { 0 }, last = { 0 };
		unsigned cnt = 0;
		int rc;

		write_image(path, cases[i].cut ? cases[i].cut : n, cases[i].gz);
		assert_int_equal(input_open(path, INPUT_O_EVTX, &in, &err), 0);
		assert_true(input_is_evtx(in));
		assert_int_equal(input_evtx_open_stream(in, &r, &err), 0);
		while ((rc = input_evtx_next(r, &rec, &err)) != 0) {
			if (rc < 0) {
				last = err;
				continue;
			}
			assert_true(rec.off + rec.len <= rec.chunk_len);
			cnt++;
		}
		if (cnt != cases[i].records)
			fail_msg("%s: %u records", cases[i].why, cnt);
		if (cases[i].msg ? !strstr(last.msg, cases[i].msg) :
		    last.msg[0] != '\0')
			fail_msg("%s: '%s'", cases[i].why, last.msg);
		if (!cases[i].cut)
			assert_int_equal(input_evtx_size(r), n);
		input_evtx_close(r);
		input_close(in);
	}
	/* Without the flag the reader still refuses it, as before. */
	assert_int_equal(input_open(path, 0, &in, NULL), CORE_E_UNSUPPORTED);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_record_header),
		cmocka_unit_test(test_not_evtx),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_lost_signature),
		cmocka_unit_test(test_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
