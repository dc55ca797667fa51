/*
 * evtx.c: the EVTX container: file header, chunks, event records.
 *
 * Layout (all integers little-endian):
 *
 *   file header, one 4 KiB block:
 *     0 "ElfFile\0"   24 next record id   32 header size (128)
 *     40 block size   42 chunk count      124 CRC32 of bytes [0, 120)
 *   chunks of 64 KiB, one after another:
 *     0 "ElfChnk\0"   8 first/16 last record number
 *     24 first/32 last record id          44 last record offset
 *     48 free space offset (end of records)
 *     52 CRC32 of the records, bytes [512, free space)
 *     124 CRC32 of bytes [0, 120) and [128, 512)
 *     128 string hash table, 384 template table, 512 first record
 *   records inside a chunk:
 *     0 "**\0\0"  4 size  8 record id  16 written (FILETIME)
 *     24 binary XML ... size - 4: a copy of size
 *
 * The chunk count in the file header goes stale in files that were not
 * closed cleanly, so every 64 KiB block after the header is looked at;
 * blocks of zeros (space the log reserved) are passed over silently,
 * also when the file ends inside one.
 * The header is still a witness: it lags behind a live log but never runs
 * ahead of it, so a header naming more chunks (or later records) than the
 * file holds means the file was cut short or lost chunks, and that is
 * reported once at the end.  A file that ends inside a chunk (a copy cut
 * short) has that chunk's complete records read; the cut is reported
 * with the record it fell in and how many of the chunk's were lost.
 * One chunk is held at a time (read with pread, or pointed at when the
 * image is in memory), so memory stays at 64 KiB whatever the file size.
 * Chunks are read in file order, so a pipe (standard input, a gzip
 * stream) reads the same way, each block as it comes, through the input
 * reader; its size is known only at its end.
 *
 * Workload: a few hundred thousand records per second pass through here;
 * the work per record is a few bounds checks, per chunk two CRC32s.  The
 * CRC32 is ISA-L's, which folds 64 bytes a step with carry-less
 * multiplication: over three times zlib's speed, with the same results
 * (tests/unit/input/test_evtx_crc.c keeps zlib as the oracle).
 */
#include "input/evtx.h"
#include "input/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <isa-l/crc.h>
#include <unistd.h>

#define FILE_HEADER 4096
#define CHUNK_HEADER 512
#define RECORD_MIN 28		/* header, no XML, size copy */
#define FILETIME_EPOCH_DIFF 11644473600LL

struct input_evtx {
	char name[4096];
	int fd;			/* -1 for an image in memory or a stream */
	const uint8_t *mem;
	struct input_reader *in;	/* a stream, not owned; else NULL */
	uint64_t size;
	uint64_t next_chunk_at;	/* file offset of the next chunk */
	uint64_t chunk_no;	/* of the chunk held; UINT64_MAX: none */
	const uint8_t *chunk;
	uint8_t *buf;		/* INPUT_EVTX_CHUNK bytes when reading */
	size_t pos;		/* next record's offset in the chunk */
	size_t end;		/* free space offset of the chunk */
	size_t chunk_len;	/* INPUT_EVTX_CHUNK, or less when cut */
	uint64_t last_id;	/* last good record id, for messages */
	uint64_t max_id;	/* highest good record id */
	uint64_t hdr_chunks;	/* what the file header says is there */
	uint64_t hdr_next;	/* 0: the header cannot be trusted */
	uint64_t chunks_seen;	/* whole blocks other than zeros */
	uint64_t cut_first;	/* the cut chunk's records, from its header */
	uint64_t cut_last;
	bool cut;		/* the file ends inside the chunk held */
	bool cut_known;		/* cut_first/cut_last are from a good header */
	bool header_bad;	/* reported before the first record */
	bool header_lost;	/* no ElfFile signature: a chunk followed */
	uint64_t zeros_from;	/* first zero block of a run, + 1; 0: none */
	uint64_t gap_from, gap_to;	/* zeros before a chunk, + 1: to tell */
	bool skipped;		/* a damaged chunk was already reported */
	bool done;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

bool input_evtx_magic(const void *p, size_t n)
{
	const uint8_t *b = p;

	return (n >= 8 && memcmp(b, "ElfFile\0", 8) == 0) ||
	       (n >= FILE_HEADER + 8 &&
		memcmp(b + FILE_HEADER, "ElfChnk\0", 8) == 0);
}

static int64_t filetime_us(uint64_t ft)
{
	if (ft == 0 || ft > (uint64_t)INT64_MAX)
		return CORE_TS_UNKNOWN;
	return (int64_t)(ft / 10) - FILETIME_EPOCH_DIFF * 1000000;
}

/*
 * Checks the file header in hdr (n bytes); sets header_bad and what the
 * header says is there.  A header cut short is not an error here: it is
 * reported as the end of the file (end_check()).  chunk: the first 8
 * bytes of the first chunk, or NULL when not known (a stream): a header
 * that lost its signature is taken as damaged when a chunk follows it.
 */
static int header_check(struct input_evtx *r, const uint8_t *hdr, size_t n,
			const uint8_t *chunk, struct core_error *err)
{
	if (n < 8 || memcmp(hdr, "ElfFile\0", 8) != 0) {
		if (chunk == NULL || memcmp(chunk, "ElfChnk\0", 8) != 0)
			return core_fail(err, CORE_E_PARSE, r->name, 0,
					 "not an EVTX file (no ElfFile "
					 "header)");
		/* What it says cannot be trusted: chunks speak for it. */
		r->header_bad = true;
		r->header_lost = true;
		r->next_chunk_at = FILE_HEADER;
		return 0;
	}
	if (n >= 44)
		r->hdr_chunks = (uint64_t)hdr[42] | (uint64_t)hdr[43] << 8;
	if (n >= 128) {
		r->header_bad = le32(hdr + 124) !=
				crc32_gzip_refl(0, hdr, 120);
		r->hdr_next = r->header_bad ? 0 : le64(hdr + 24);
	}
	/* Chunks follow one 4 KiB block whatever the header's size says. */
	r->next_chunk_at = FILE_HEADER;
	return 0;
}

/* n bytes of the stream, fewer at its end; a read error names the file. */
static int stream_read(struct input_evtx *r, uint8_t *buf, size_t n,
		       size_t *got, struct core_error *err)
{
	struct core_error e = { 0 };

	if (input_read(r->in, buf, n, got, &e) == 0)
		return 0;
	return core_fail(err, CORE_E_IO, r->name, 0, "cannot read: %s",
			 e.msg);
}

static int open_common(struct input_evtx *r, const char *name,
		       struct core_error *err)
{
	uint8_t hdr[128], sig[8];
	const uint8_t *chunk = NULL;
	size_t n = 0;

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->chunk_no = UINT64_MAX;
	if (r->in) {
		/* The whole 4 KiB header block: chunks start after it. */
		int rc = stream_read(r, r->buf, FILE_HEADER, &n, err);

		if (rc != 0)
			return rc;
		r->size = n;
		n = CORE_MIN(n, sizeof(hdr));
		memcpy(hdr, r->buf, n);
	} else if (r->mem) {
		n = (size_t)CORE_MIN(r->size, (uint64_t)sizeof(hdr));
		memcpy(hdr, r->mem, n);
		if (r->size >= FILE_HEADER + sizeof(sig))
			chunk = r->mem + FILE_HEADER;
	} else {
		ssize_t got = pread(r->fd, hdr, sizeof(hdr), 0);

		if (got < 0)
			return core_fail(err, CORE_E_IO, r->name, 0,
					 "cannot read: %s", strerror(errno));
		n = (size_t)got;
		if (pread(r->fd, sig, sizeof(sig), FILE_HEADER) ==
		    (ssize_t)sizeof(sig))
			chunk = sig;
	}
	return header_check(r, hdr, n, chunk, err);
}

int input_evtx_open(const char *path, struct input_evtx **out,
		    struct core_error *err)
{
	struct input_evtx *r;
	struct stat st;
	int rc;

	*out = NULL;
	/* Chunks are read by offset: a pipe cannot be one. */
	if (strcmp(path, "-") == 0)
		return core_fail(err, CORE_E_UNSUPPORTED, "<stdin>", 0,
				 "standard input cannot be read as EVTX; "
				 "give the file by its name");
	r = calloc(1, sizeof(*r));
	if (!r || !(r->buf = malloc(INPUT_EVTX_CHUNK))) {
		free(r);
		return core_fail(err, CORE_E_NOMEM, path, 0, "out of memory");
	}
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = core_fail(err, CORE_E_IO, path, 0, "cannot open: %s",
			       r->fd < 0 ? strerror(errno) :
			       "not a regular file");
		input_evtx_close(r);
		return rc;
	}
	r->size = (uint64_t)st.st_size;
	rc = open_common(r, path, err);
	if (rc != 0) {
		input_evtx_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int input_evtx_open_stream(struct input_reader *in, struct input_evtx **out,
			   struct core_error *err)
{
	struct input_evtx *r;
	int rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->buf = malloc(INPUT_EVTX_CHUNK))) {
		free(r);
		return core_fail(err, CORE_E_NOMEM, input_name(in), 0,
				 "out of memory");
	}
	r->fd = -1;
	r->in = in;
	rc = open_common(r, input_name(in), err);
	if (rc != 0) {
		input_evtx_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int input_evtx_open_mem(const char *name, const void *p, size_t n,
			struct input_evtx **out, struct core_error *err)
{
	struct input_evtx *r;
	int rc;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return core_fail(err, CORE_E_NOMEM, name, 0, "out of memory");
	r->fd = -1;
	r->mem = p;
	r->size = n;
	rc = open_common(r, name, err);
	if (rc != 0) {
		input_evtx_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

void input_evtx_close(struct input_evtx *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	free(r);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i])
			return false;
	}
	return true;
}

/*
 * Reads the block at the next chunk offset into r->chunk: a whole chunk,
 * or the rest of the file when it ends inside one (r->cut).  Returns 0
 * when there is no block left, 1, or CORE_E_IO.
 */
static int chunk_read(struct input_evtx *r, struct core_error *err)
{
	uint64_t at = r->next_chunk_at;
	size_t n;
	ssize_t got;

	if (r->in) {
		/* A short header block leaves the stream at its end. */
		if (at > r->size || stream_read(r, r->buf, INPUT_EVTX_CHUNK,
						&n, err) != 0) {
			r->chunk = NULL;
			return at > r->size ? 0 : CORE_E_IO;
		}
		r->size = at + n;
	}
	if (at >= r->size)
		return 0;
	n = (size_t)CORE_MIN(r->size - at, (uint64_t)INPUT_EVTX_CHUNK);
	r->cut = n < INPUT_EVTX_CHUNK;
	r->chunk_len = n;
	r->next_chunk_at = at + n;
	r->chunk_no = r->chunk_no == UINT64_MAX ? 0 : r->chunk_no + 1;
	r->chunk = NULL;
	if (r->mem) {
		r->chunk = r->mem + at;
		return 1;
	}
	if (r->in) {
		r->chunk = r->buf;
		return 1;
	}
	got = pread(r->fd, r->buf, n, (off_t)at);
	if (got < 0 || (size_t)got != n)
		return core_fail(err, CORE_E_IO, r->name, 0,
				 "chunk %llu: cannot read: %s",
				 (unsigned long long)r->chunk_no,
				 got < 0 ? strerror(errno) : "short");
	r->chunk = r->buf;
	return 1;
}

/*
 * Loads the next chunk into r->chunk.  Returns 1 when one is held, 2 for
 * a block of zeros or a cut chunk without a usable header (nothing to
 * read; end_check() reports the cut), 0 at the end, CORE_E_PARSE for a
 * damaged chunk (skipped), CORE_E_IO.
 */
static int chunk_load(struct input_evtx *r, struct core_error *err)
{
	uint32_t crc;
	bool hdr_ok;
	int rc = chunk_read(r, err);

	if (rc <= 0)
		return rc;
	if (r->chunk_len < CHUNK_HEADER ||
	    memcmp(r->chunk, "ElfChnk\0", 8) != 0) {
		bool zero = all_zero(r->chunk,
				     CORE_MIN(r->chunk_len, CHUNK_HEADER));

		r->chunk = NULL;
		/*
		 * Zeros are space the log reserved, whole or cut short: the
		 * file header alone tells whether a chunk was lost there.
		 */
		if (zero) {
			r->cut = false;
			if (r->zeros_from == 0)
				r->zeros_from = r->chunk_no + 1;
		}
		if (zero || r->cut)
			return 2;
		r->chunks_seen++;
		r->skipped = true;
		return core_fail(err, CORE_E_PARSE, r->name, 0,
				 "chunk %llu: no chunk signature; skipped",
				 (unsigned long long)r->chunk_no);
	}
	r->chunks_seen++;
	/*
	 * A log reserves zeros only after its last chunk: zeros before this
	 * one held chunks.  A trusted header tells that at the end; without
	 * one it is told here.
	 */
	if (r->zeros_from != 0 && r->hdr_next == 0) {
		r->gap_from = r->zeros_from;
		r->gap_to = r->chunk_no;
	}
	r->zeros_from = 0;
	crc = crc32_gzip_refl(0, r->chunk, 120);
	crc = crc32_gzip_refl(crc, r->chunk + 128, CHUNK_HEADER - 128);
	r->end = le32(r->chunk + 48);
	hdr_ok = crc == le32(r->chunk + 124);
	if (!hdr_ok || r->end < CHUNK_HEADER || r->end > INPUT_EVTX_CHUNK) {
		r->chunk = NULL;
		if (r->cut)
			return 2;
		r->skipped = true;
		return core_fail(err, CORE_E_PARSE, r->name, 0,
				 "chunk %llu: %s; skipped with its records",
				 (unsigned long long)r->chunk_no,
				 !hdr_ok ? "header checksum mismatch" :
				 "free space offset out of range");
	}
	r->pos = CHUNK_HEADER;
	if (r->cut) {
		/* Its records checksum cannot hold; the cut is told later. */
		r->cut_known = true;
		r->cut_first = le64(r->chunk + 24);
		r->cut_last = le64(r->chunk + 32);
		r->end = CORE_MIN(r->end, r->chunk_len);
		return 1;
	}
	crc = crc32_gzip_refl(0, r->chunk + CHUNK_HEADER,
			      r->end - CHUNK_HEADER);
	if (crc != le32(r->chunk + 52))
		return core_fail(err, CORE_E_PARSE, r->name, 0,
				 "chunk %llu: records checksum mismatch; "
				 "records checked one by one",
				 (unsigned long long)r->chunk_no);
	return 1;
}

/* A plausible record at off: signature, size in range, size copy. */
static bool record_ok(const struct input_evtx *r, size_t off, uint32_t *size)
{
	const uint8_t *p = r->chunk + off;
	uint32_t n;

	if (off + RECORD_MIN > r->end || memcmp(p, "**\0\0", 4) != 0)
		return false;
	n = le32(p + 4);
	if (n < RECORD_MIN || n > r->end - off || le32(p + n - 4) != n)
		return false;
	*size = n;
	return true;
}

/* Skips past a damaged record to the next signature that checks out. */
static int record_skip(struct input_evtx *r, struct core_error *err)
{
	size_t bad = r->pos;
	uint32_t size;

	for (r->pos = bad + 1; r->pos + RECORD_MIN <= r->end; r->pos++) {
		if (record_ok(r, r->pos, &size))
			break;
	}
	if (r->pos + RECORD_MIN > r->end)
		r->pos = r->end;
	return core_fail(err, CORE_E_PARSE, r->name, 0,
			 "chunk %llu: damaged record at offset %zu (after "
			 "record %llu); skipped",
			 (unsigned long long)r->chunk_no, bad,
			 (unsigned long long)r->last_id);
}

/* True when the record at r->pos is the one the end of the file cut. */
static bool record_cut(const struct input_evtx *r)
{
	const uint8_t *p = r->chunk + r->pos;

	if (!r->cut)
		return false;
	if (r->pos + 8 > r->chunk_len)
		return true;
	return memcmp(p, "**\0\0", 4) == 0 &&
	       r->pos + le32(p + 4) > r->chunk_len;
}

/* The cut of a file that ends inside a chunk; hdr: what the header says. */
static int cut_report(struct input_evtx *r, const char *hdr,
		      struct core_error *err)
{
	unsigned long long no = r->chunk_no, at = r->chunk_len;
	uint64_t before, lost;

	if (!r->cut_known)
		return core_fail(err, CORE_E_PARSE, r->name, 0,
				 "chunk %llu: file is cut short %llu bytes "
				 "into the chunk, inside its header; the "
				 "records before it were read%s", no, at, hdr);
	before = r->last_id >= r->cut_first && r->last_id <= r->cut_last ?
		 r->last_id : r->cut_first - 1;
	lost = r->cut_last >= before ? r->cut_last - before : 0;
	if (lost == 0)
		return core_fail(err, CORE_E_PARSE, r->name, 0,
				 "chunk %llu: file is cut short %llu bytes "
				 "into the chunk, after its last record; every "
				 "record was read%s", no, at, hdr);
	return core_fail(err, CORE_E_PARSE, r->name, 0,
			 "chunk %llu: file is cut short %llu bytes into the "
			 "chunk, in record %llu; %llu of the chunk's %llu "
			 "records lost%s%s",
			 no, at, (unsigned long long)(before + 1),
			 (unsigned long long)lost,
			 (unsigned long long)(r->cut_last - r->cut_first + 1),
			 before >= r->cut_first ?
			 ", the records before it were read" :
			 ", none of them read", hdr);
}

/*
 * At the end of the file: reports once a file cut short (inside its
 * header, or inside a chunk), or a header that names more chunks or
 * later records than the file holds.  Returns 0 when all is as the
 * header says, else CORE_E_PARSE.
 */
static int end_check(struct input_evtx *r, struct core_error *err)
{
	char hdr[128] = "";
	bool behind;

	if (r->hdr_next > 0)
		snprintf(hdr, sizeof(hdr), "; the file header names %llu "
			 "chunk%s, records up to %llu",
			 (unsigned long long)r->hdr_chunks,
			 r->hdr_chunks == 1 ? "" : "s",
			 (unsigned long long)(r->hdr_next - 1));
	if (r->size < FILE_HEADER)
		return core_fail(err, CORE_E_PARSE, r->name, 0,
				 "file is cut short inside its %d-byte "
				 "header (%llu bytes): no record in it%s",
				 FILE_HEADER, (unsigned long long)r->size,
				 hdr);
	if (r->cut)
		return cut_report(r, hdr, err);
	behind = r->hdr_next > 0 &&
		 (r->hdr_chunks > r->chunks_seen ||
		  (!r->skipped && r->hdr_next > r->max_id + 1));
	if (!behind)
		return 0;
	return core_fail(err, CORE_E_PARSE, r->name, 0,
			 "file header names %llu chunk%s, records up to %llu; "
			 "the file holds %llu, records up to %llu: it is cut "
			 "short or lost chunks; the records in it were read",
			 (unsigned long long)r->hdr_chunks,
			 r->hdr_chunks == 1 ? "" : "s",
			 (unsigned long long)(r->hdr_next - 1),
			 (unsigned long long)r->chunks_seen,
			 (unsigned long long)r->max_id);
}

/* Zeros before a chunk, without a header to tell it (chunk_load()). */
static int gap_report(struct input_evtx *r, struct core_error *err)
{
	unsigned long long from = r->gap_from - 1, to = r->gap_to - 1;
	char which[64];

	r->gap_to = 0;
	if (from == to)
		snprintf(which, sizeof(which), "chunk %llu is", from);
	else
		snprintf(which, sizeof(which), "chunks %llu to %llu are",
			 from, to);
	return core_fail(err, CORE_E_PARSE, r->name, 0,
			 "%s zeros before chunk %llu, where a log keeps none: "
			 "chunks were lost there; the rest is read", which,
			 to + 1);
}

int input_evtx_next(struct input_evtx *r, struct input_evtx_record *rec,
		    struct core_error *err)
{
	uint32_t size;
	int rc;

	if (r->header_bad) {
		r->header_bad = false;
		return core_fail(err, CORE_E_PARSE, r->name, 0,
				 "%s; chunks read as they are",
				 r->header_lost ? "file header damaged (no "
				 "ElfFile signature)" : "file header checksum "
				 "mismatch");
	}
	while (!r->done) {
		if (r->gap_to != 0)
			return gap_report(r, err);
		if (r->chunk == NULL || r->pos + RECORD_MIN > r->end) {
			rc = chunk_load(r, err);
			if (rc == 0 || rc == CORE_E_IO)
				r->done = true;
			if (rc == 0)
				return end_check(r, err);
			if (rc < 0)
				return rc;
			continue;
		}
		if (!record_ok(r, r->pos, &size)) {
			if (!record_cut(r))
				return record_skip(r, err);
			r->pos = r->end;
			continue;
		}
		rec->chunk = r->chunk;
		rec->chunk_len = r->chunk_len;
		rec->chunk_no = r->chunk_no;
		rec->off = r->pos + 24;
		rec->len = size - RECORD_MIN;
		rec->record_id = le64(r->chunk + r->pos + 8);
		rec->written = filetime_us(le64(r->chunk + r->pos + 16));
		r->last_id = rec->record_id;
		r->max_id = CORE_MAX(r->max_id, rec->record_id);
		r->pos += size;
		return 1;
	}
	return 0;
}

bool input_evtx_ended(const struct input_evtx *r)
{
	return r->done;
}

const char *input_evtx_name(const struct input_evtx *r)
{
	return r->name;
}

uint64_t input_evtx_size(const struct input_evtx *r)
{
	return r->size;
}

uint64_t input_evtx_consumed(const struct input_evtx *r)
{
	return CORE_MIN(r->next_chunk_at, r->size);
}
