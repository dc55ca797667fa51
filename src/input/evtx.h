/*
 * evtx.h: Windows XML event log files (.evtx) as a stream of records.
 *
 * The container only: the file header, the 64 KiB chunks and the event
 * records inside them.  A record is handed out as a range of its chunk,
 * because the binary XML it holds refers to names and templates by offset
 * from the chunk's start; decoding that XML is the parse room's job
 * (parse/evtx.h).
 *
 * Damage is reported and skipped, never fatal: a chunk whose header
 * checksum fails or whose layout is impossible is skipped whole; a record
 * whose signature, size or trailing size copy is wrong is skipped and the
 * chunk's next record found by its signature.  Each such skip is returned
 * once as CORE_E_PARSE with the file and the chunk (and record) number;
 * the caller reports it and calls again.  A file cut short (or missing
 * chunks its header names) is read up to the cut and reported once, as
 * CORE_E_PARSE, as its end.
 */
#ifndef VIGIL_INPUT_EVTX_H
#define VIGIL_INPUT_EVTX_H

#include "core/core.h"

#define INPUT_EVTX_CHUNK 65536

struct input_evtx;

/* One event record, valid until the next call. */
struct input_evtx_record {
	const uint8_t *chunk;	/* the chunk holding it (chunk_len bytes) */
	size_t chunk_len;	/* less than INPUT_EVTX_CHUNK when cut */
	uint64_t chunk_no;	/* 0-based, in file order */
	size_t off;		/* its binary XML: chunk[off, off + len) */
	size_t len;
	uint64_t record_id;	/* the record header's number */
	int64_t written;	/* us since the epoch; CORE_TS_UNKNOWN */
};

/*
 * True when the first n bytes start an EVTX file: its header ("ElfFile\0")
 * or, with n of 4104 or more, a first chunk ("ElfChnk\0" at 4096) after
 * a header that lost its signature.
 */
bool input_evtx_magic(const void *p, size_t n);

/*
 * Opens path for reading.  Fails with CORE_E_IO when it cannot be opened
 * or read, CORE_E_PARSE when it is not an EVTX file.  A file header whose
 * checksum fails, or that lost its signature while a chunk follows it,
 * is not an error: the chunks describe themselves, and
 * input_evtx_next() reports it once before the first record.  (A stream
 * needs the signature: its first chunk is not read before it is open.)
 */
int input_evtx_open(const char *path, struct input_evtx **out,
		    struct core_error *err);
/*
 * Reads the EVTX image an input reader holds (standard input, a gzip
 * stream: input_open() with INPUT_O_EVTX), chunk after chunk as it
 * comes; in is not owned and must outlive the reader.  Fails as
 * input_evtx_open() does; input_evtx_size() grows as the stream is read.
 */
struct input_reader;
int input_evtx_open_stream(struct input_reader *in, struct input_evtx **out,
			   struct core_error *err);
/* Also reads an EVTX image held in memory (fuzzing, tests); not copied. */
int input_evtx_open_mem(const char *name, const void *p, size_t n,
			struct input_evtx **out, struct core_error *err);
void input_evtx_close(struct input_evtx *r);

/*
 * The next record.  Returns 1 with *rec set; 0 at the end; CORE_E_PARSE
 * when a damaged header, chunk or record was skipped (err names the file,
 * line 0, and the chunk and record in its message): call again; CORE_E_IO
 * on a read error, after which the reader is at its end.
 */
int input_evtx_next(struct input_evtx *r, struct input_evtx_record *rec,
		    struct core_error *err);

/* True once input_evtx_next() has reported the end (or a read error). */
bool input_evtx_ended(const struct input_evtx *r);

const char *input_evtx_name(const struct input_evtx *r);
uint64_t input_evtx_size(const struct input_evtx *r);
uint64_t input_evtx_consumed(const struct input_evtx *r);

#endif /* VIGIL_INPUT_EVTX_H */
