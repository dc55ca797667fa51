/*
 * input.h: where records come from.  Files (plain or gzip, told apart by
 * their first bytes, not their names), standard input, and directories
 * walked recursively.
 *
 * A reader hands out one record at a time: a line without its line end
 * (LF or CRLF), pointing into the reader's buffer and valid until the next
 * call.  Damage is flagged on the record, never fatal: a line longer than
 * INPUT_MAX_LINE is cut there and the rest of it skipped, NUL bytes and
 * invalid UTF-8 are reported, a truncated gzip stream ends the file with an
 * error after every complete line it held has been delivered.
 */
#ifndef VIGIL_INPUT_H
#define VIGIL_INPUT_H

#include "core/core.h"

#define INPUT_MAX_LINE (1024 * 1024)

/* Flags on a record. */
enum {
	INPUT_F_TRUNCATED = 1 << 0,	/* longer than INPUT_MAX_LINE, cut */
	INPUT_F_NUL = 1 << 1,		/* held NUL bytes */
	INPUT_F_BAD_UTF8 = 1 << 2,	/* not valid UTF-8 */
	INPUT_F_NO_EOL = 1 << 3,	/* last line of the input, no newline */
};

struct input_reader;

/*
 * Opens path ("-" is standard input).  Fails with CORE_E_IO when the file
 * cannot be opened or is not a regular file or pipe, with
 * CORE_E_UNSUPPORTED when its first bytes name a format that is no text
 * log (xz, bzip2 or zstd compression, a Windows event log, a systemd
 * journal file, an executable, an image, an archive, a database) or its
 * first 8 KiB look binary by their mix of bytes; err says which.
 * oflags relax this:
 */
enum {
	INPUT_O_ANY = 1 << 0,	/* read whatever it is as text */
	/*
	 * Open data that looks binary by its mix of bytes alone (no known
	 * signature): a log with a stretch of junk near its top looks so
	 * too.  input_binary() says why, and the caller decides from the
	 * records it finds (input_peek()).
	 */
	INPUT_O_BINARY_OK = 1 << 1,
	/*
	 * Open a Windows event log (EVTX) for input_evtx_open_stream(),
	 * before any other check: input_is_evtx() says it is one.
	 */
	INPUT_O_EVTX = 1 << 2,
};

int input_open(const char *path, unsigned oflags, struct input_reader **out,
	       struct core_error *err);
void input_close(struct input_reader *r);

/*
 * The next record.  Returns 1 with *rec, *lineno and *flags set; 0 at the
 * end of the input; a negative CORE_E_... on a read error or a damaged
 * gzip stream (err names the file and the line reached).  After an error
 * the reader is at its end.
 */
int input_next(struct input_reader *r, struct core_str *rec,
	       uint64_t *lineno, unsigned *flags, struct core_error *err);

/*
 * Up to max of the first records, for sniffing, without consuming them.
 * Valid until the first input_next().  Returns how many were found.
 */
size_t input_peek(struct input_reader *r, struct core_str *lines, size_t max);

/*
 * Up to n bytes of the input as they come (decompressed), from where the
 * reader stands, for a binary format read in order (EVTX on a pipe); not
 * to be mixed with input_next().  *got is less than n only at the end.
 * Returns 0, or a negative CORE_E_... on a read error or a damaged gzip
 * stream (after *got bytes).
 */
int input_read(struct input_reader *r, void *buf, size_t n, size_t *got,
	       struct core_error *err);
bool input_is_evtx(const struct input_reader *r);	/* INPUT_O_EVTX */

const char *input_name(const struct input_reader *r);
/* Why the data looked binary (INPUT_O_BINARY_OK), or NULL: text. */
const char *input_binary(const struct input_reader *r);
bool input_is_gzip(const struct input_reader *r);
int64_t input_mtime(const struct input_reader *r);	/* us; 0: unknown */
uint64_t input_size(const struct input_reader *r);	/* 0: unknown */
uint64_t input_consumed(const struct input_reader *r); /* bytes read of it */

/*
 * Walks path: a file is reported as is; a directory is walked recursively
 * in name order, calling file_fn for each regular file and skip_fn for
 * what is left out (with the reason: special file, unreadable, symlinked
 * directory).  Returns 0, or a negative CORE_E_... when path itself cannot
 * be examined.
 */
typedef void (*input_file_fn)(const char *path, void *ud);
typedef void (*input_skip_fn)(const char *path, const char *why, void *ud);

int input_walk(const char *path, input_file_fn file_fn, input_skip_fn skip_fn,
	       void *ud, struct core_error *err);

/*
 * Reorders paths so that each logrotate family is read oldest first:
 * "auth.log.2.gz", "auth.log.1", then "auth.log"; "secure-20261101"
 * (or .20261101, -2026110104, -2026-11-01) before "secure-20261108"
 * before "secure".  A family's members take the places they had; every
 * other path keeps its place, and so does a name whose base ends in a
 * digit ("syslog.10.0.0.1").  Returns 0 or CORE_E_NOMEM (paths
 * unchanged).
 */
int input_order_rotated(char **paths, size_t n);

#endif /* VIGIL_INPUT_H */
