/*
 * reader.c: files and standard input as a stream of line records.
 *
 * Everything goes through zlib's gz* functions, which read gzip members
 * and, transparently, plain data; so a compressed log needs no name
 * suffix.  One buffer per reader, twice INPUT_MAX_LINE plus a read block,
 * holds the unconsumed tail and the next block; records point into it.
 * A large block (1 MiB) makes zlib read plain files straight into it.
 *
 * Workload: every byte of every input passes here once; the line search
 * is memchr, the NUL and UTF-8 checks run only over lines that need them.
 *
 * JSON documents.  Some tools write their records as one pretty-printed
 * JSON array, or as objects spread over many lines.  Such an input is
 * told from JSON lines by its first value (an array, or an object that
 * does not end on its first line); its records are then the top-level
 * objects, each compacted in place onto one line (whitespace outside
 * strings removed, the buffer tail padded with the newlines taken out so
 * line counts stay true) and numbered by the line its '{' is on.
 */
#include "input/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define READ_BLOCK (1024 * 1024)
#define BUF_SIZE (2 * INPUT_MAX_LINE + READ_BLOCK)
#define SNIFF_BYTES 8192

struct input_reader {
	char name[4096];
	gzFile gz;
	char *buf;
	size_t start;		/* first unconsumed byte */
	size_t end;		/* one past the last buffered byte */
	uint64_t lineno;
	uint64_t consumed;	/* decoded bytes handed out or skipped */
	uint64_t size;
	int64_t mtime;
	bool eof;
	bool skipping;		/* discarding the rest of an overlong line */
	bool gzip;
	bool jsondoc;		/* pretty-printed JSON: records are objects */
	uint64_t jline;		/* jsondoc: the line r->start is on */
	int pending;		/* error to report once the buffer is empty */
	char pending_msg[256];
	const char *binary;	/* INPUT_O_BINARY_OK: why it looks binary */
	bool evtx;		/* INPUT_O_EVTX: an EVTX image */
};

/* Reads more into the buffer; sets eof and a pending error as needed. */
static void fill(struct input_reader *r)
{
	int n, errnum;
	const char *msg;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->eof || r->end >= BUF_SIZE)
		return;

	n = gzread(r->gz, r->buf + r->end, (unsigned)(BUF_SIZE - r->end));
	if (n > 0) {
		r->end += (size_t)n;
		return;
	}
	r->eof = true;

	/* zlib reports a cut-off gzip stream as Z_BUF_ERROR at the end. */
	msg = gzerror(r->gz, &errnum);
	if (n < 0 || errnum == Z_BUF_ERROR || errnum == Z_DATA_ERROR) {
		r->pending = CORE_E_IO;
		if (errnum == Z_BUF_ERROR)
			msg = "gzip stream is truncated";
		else if (errnum == Z_ERRNO)
			msg = strerror(errno);
		snprintf(r->pending_msg, sizeof(r->pending_msg), "%s", msg);
	}
}

/*
 * Formats told by their first bytes that are no text log, however their
 * bytes happen to mix.  A name in the message says what the file is.
 */
static const struct {
	const char *magic;
	size_t len;
	const char *what;
} signatures[] = {
	{ "\xfd" "7zXZ\0", 6,
	  "xz-compressed data: not read; decompress it first" },
	{ "\x28\xb5\x2f\xfd", 4,
	  "zstd-compressed data: not read; decompress it first" },
	{ "ElfFile\0", 8,
	  "a Windows event log (EVTX), not a text log" },
	{ "\x7f" "ELF", 4, "an executable (ELF), not a log" },
	{ "\x89PNG\r\n\x1a\n", 8, "a PNG image, not a log" },
	{ "\xff\xd8\xff", 3, "a JPEG image, not a log" },
	{ "GIF87a", 6, "a GIF image, not a log" },
	{ "GIF89a", 6, "a GIF image, not a log" },
	{ "%PDF-", 5, "a PDF document, not a log" },
	{ "PK\x03\x04", 4, "a zip archive, not a log; unpack it first" },
	{ "SQLite format 3\0", 16, "an SQLite database, not a log" },
	{ "\xd4\xc3\xb2\xa1", 4, "a packet capture (pcap), not a log" },
	{ "\xa1\xb2\xc3\xd4", 4, "a packet capture (pcap), not a log" },
};

/*
 * What the first bytes say the input is, when it is no text log, into
 * out; false when nothing is known of them.
 */
static bool signature_kind(const unsigned char *p, size_t n,
			   const char *name, char *out, size_t outn)
{
	if (n >= 4 && memcmp(p, "BZh", 3) == 0 && p[3] >= '1' && p[3] <= '9') {
		snprintf(out, outn, "bzip2-compressed data: not read; "
			 "decompress it first");
		return true;
	}
	/* systemd's own journal files: journalctl turns them into JSON. */
	if (n >= 8 && memcmp(p, "LPKSHHRH", 8) == 0) {
		snprintf(out, outn, "a systemd journal file, not a text log "
			 "(journalctl -o json --file %s | vigil analyze - "
			 "reads it)",
			 strcmp(name, "<stdin>") == 0 ? "FILE" : name);
		return true;
	}
	for (size_t i = 0; i < CORE_ARRAY_LEN(signatures); i++) {
		if (n >= signatures[i].len &&
		    memcmp(p, signatures[i].magic, signatures[i].len) == 0) {
			snprintf(out, outn, "%s", signatures[i].what);
			return true;
		}
	}
	return false;
}

/*
 * Binary by the mix of its bytes: the reason, or NULL for text.  Only a
 * guess: a log with a stretch of junk near its top looks the same, so
 * the caller may still find records in it (INPUT_O_BINARY_OK).
 */
static const char *looks_binary(const unsigned char *p, size_t n)
{
	size_t ctl = 0, nul = 0, runs = 0;

	/*
	 * A crash can leave a log with a page of NULs; runs of 16 or more
	 * are set aside, and what is left is judged.  Text logs hold next to
	 * no control bytes; compressed, encrypted or executable data about
	 * one in eight.  Five in a hundred is the line.
	 */
	for (size_t i = 0; i < n; i++) {
		if (p[i] == 0) {
			size_t run = 1;

			while (i + run < n && p[i + run] == 0)
				run++;
			if (run >= 16)
				runs += run;
			else
				nul += run;
			i += run - 1;
		} else if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
			   p[i] != '\r' && p[i] != '\f' && p[i] != 0x1b) {
			ctl++;
		}
	}
	if (n - runs < 64 && runs > 0)
		return "only NUL bytes, not a text log";
	if ((nul + ctl) * 20 > n - runs)
		return "binary data, not a text log";
	return NULL;
}

/* ------------------------------------------------------ JSON documents */

static bool json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * One past the end of the JSON value opening at b[at] ('{' or '['), or 0
 * when [at, end) ends first.  Strings and escapes are honoured; *nl gets
 * the newlines inside.
 */
static size_t json_value_end(const char *b, size_t at, size_t end,
			     size_t *nl)
{
	bool str = false, esc = false;
	int depth = 0;

	*nl = 0;
	for (size_t i = at; i < end; i++) {
		char c = b[i];

		if (c == '\n')
			(*nl)++;
		if (str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				str = false;
			continue;
		}
		if (c == '"')
			str = true;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth <= 0)
			return i + 1;
	}
	return 0;
}

/*
 * Compacts p[0, n) in place and returns the new length; the freed tail
 * holds the newlines removed, then spaces, so a second scan of the same
 * bytes sees the same object and counts the same lines.
 */
static size_t json_compact(char *p, size_t n)
{
	bool str = false, esc = false;
	size_t w = 0, nl = 0;

	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				str = false;
			p[w++] = c;
			continue;
		}
		if (json_space(c)) {
			nl += c == '\n';
			continue;
		}
		if (c == '"')
			str = true;
		p[w++] = c;
	}
	memset(p + w, '\n', nl);
	memset(p + w + nl, ' ', n - w - nl);
	return w;
}

/*
 * An array of objects, or an object that does not close on its first
 * line.  A bracket before anything else opens many log lines ("[Sun Dec
 * 04 04:47:44 2005] [error] ...") and is no array.
 */
static bool is_json_document(const struct input_reader *r)
{
	size_t at = r->start, nl;
	const char *eol;

	while (at < r->end && json_space(r->buf[at]))
		at++;
	if (at == r->end)
		return false;
	if (r->buf[at] == '[') {
		for (at++; at < r->end && json_space(r->buf[at]); at++)
			;
		return at == r->end || r->buf[at] == '{' || r->buf[at] == ']';
	}
	if (r->buf[at] != '{')
		return false;
	eol = memchr(r->buf + at, '\n', r->end - at);
	if (!eol)
		return false;
	return json_value_end(r->buf, at, (size_t)(eol - r->buf), &nl) == 0;
}

/* Skips what separates top-level objects: blanks, commas, brackets. */
static void json_skip_between(struct input_reader *r)
{
	while (r->start < r->end) {
		char c = r->buf[r->start];

		if (!json_space(c) && c != ',' && c != '[' && c != ']')
			break;
		r->jline += c == '\n';
		r->start++;
		r->consumed++;
	}
}

int input_open(const char *path, unsigned oflags, struct input_reader **out,
	       struct core_error *err)
{
	struct input_reader *r;
	struct stat st;
	const unsigned char *head;
	size_t nhead;
	char why[512];
	/* One name for standard input, in messages and in evidence. */
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	int fd;

	*out = NULL;
	if (strcmp(path, "-") == 0) {
		fd = dup(STDIN_FILENO);
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return core_fail(err, CORE_E_IO, name, 0, "cannot open: %s",
				 strerror(errno));
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode) ||
	    (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) &&
	     !S_ISCHR(st.st_mode) && !S_ISSOCK(st.st_mode))) {
		close(fd);
		return core_fail(err, CORE_E_IO, name, 0,
				 "not a regular file or stream");
	}

	r = calloc(1, sizeof(*r));
	if (!r || !(r->buf = malloc(BUF_SIZE))) {
		free(r);
		close(fd);
		return core_fail(err, CORE_E_NOMEM, name, 0, "out of memory");
	}
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	r->mtime = S_ISREG(st.st_mode) ?
		(int64_t)st.st_mtim.tv_sec * 1000000 +
		st.st_mtim.tv_nsec / 1000 : 0;

	r->gz = gzdopen(fd, "rb");
	if (!r->gz) {
		close(fd);
		input_close(r);
		return core_fail(err, CORE_E_NOMEM, name, 0, "out of memory");
	}
	gzbuffer(r->gz, 256 * 1024);
	fill(r);
	r->gzip = !gzdirect(r->gz);

	head = (const unsigned char *)r->buf;
	nhead = CORE_MIN(r->end, (size_t)SNIFF_BYTES);
	if ((oflags & INPUT_O_EVTX) && nhead >= 8 &&
	    memcmp(head, "ElfFile\0", 8) == 0) {
		r->evtx = true;
		*out = r;
		return 0;
	}
	if (!(oflags & INPUT_O_ANY) &&
	    signature_kind(head, nhead, name, why, sizeof(why))) {
		input_close(r);
		return core_fail(err, CORE_E_UNSUPPORTED, name, 0, "%s", why);
	}
	r->binary = looks_binary(head, nhead);
	if (r->binary && !(oflags & (INPUT_O_ANY | INPUT_O_BINARY_OK))) {
		core_fail(err, CORE_E_UNSUPPORTED, name, 0, "%s", r->binary);
		input_close(r);
		return CORE_E_UNSUPPORTED;
	}
	if (oflags & INPUT_O_ANY)
		r->binary = NULL;
	/* A byte-order mark is not part of the first record. */
	if (r->end >= 3 && memcmp(r->buf, "\xef\xbb\xbf", 3) == 0) {
		r->start = 3;
		r->consumed = 3;
	}
	r->jsondoc = is_json_document(r);
	r->jline = 1;
	*out = r;
	return 0;
}

void input_close(struct input_reader *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	free(r->buf);
	free(r);
}

/* UTF-8 validity (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t need;
		uint32_t cp;

		/* Skip ASCII eight bytes at a time. */
		if (c < 0x80) {
			uint64_t w;

			while (i + 8 <= n) {
				memcpy(&w, s + i, 8);
				if (w & 0x8080808080808080ULL)
					break;
				i += 8;
			}
			while (i < n && s[i] < 0x80)
				i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return false;
		for (size_t k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

static bool has_high_bit(const unsigned char *s, size_t n)
{
	size_t i = 0;
	uint64_t w, acc = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= s[i];
	return (acc & 0x8080808080808080ULL) != 0;
}

static int deliver(struct input_reader *r, size_t from, size_t len,
		   unsigned flags, struct core_str *rec, uint64_t *lineno,
		   unsigned *fl)
{
	const unsigned char *s = (const unsigned char *)r->buf + from;

	if (len && s[len - 1] == '\r')
		len--;
	if (memchr(s, '\0', len)) {
		flags |= INPUT_F_NUL;
		/* NULs before a record are what a crash left behind. */
		while (len && *s == '\0') {
			s++;
			from++;
			len--;
		}
	}
	if (has_high_bit(s, len) && !utf8_valid(s, len))
		flags |= INPUT_F_BAD_UTF8;
	*rec = core_str_make(r->buf + from, len);
	*lineno = ++r->lineno;
	*fl = flags;
	return 1;
}

static int next_line(struct input_reader *r, struct core_str *rec,
		     uint64_t *lineno, unsigned *flags, struct core_error *err);

/* The end of the input: a pending read error, once, then 0. */
static int at_end(struct input_reader *r, struct core_error *err)
{
	int code = r->pending;

	r->start = r->end;
	if (!code)
		return 0;
	r->pending = 0;
	return core_fail(err, code, r->name, r->lineno + 1, "%s",
			 r->pending_msg);
}

/*
 * JSON-document mode.  An object larger than INPUT_MAX_LINE is cut like
 * an overlong line, and the rest of the input is read line by line.
 * Bytes that are not an object (junk between records) become a record of
 * their own up to the end of their line, so nothing is dropped unseen.
 */
static int next_object(struct input_reader *r, struct core_str *rec,
		       uint64_t *lineno, unsigned *flags,
		       struct core_error *err)
{
	for (;;) {
		size_t from, e, nl, len;
		uint64_t line;

		json_skip_between(r);
		if (r->start == r->end) {
			if (r->eof)
				return at_end(r, err);
			fill(r);
			continue;
		}
		from = r->start;
		line = r->jline;
		if (r->buf[from] != '{') {
			char *eol = memchr(r->buf + from, '\n',
					   r->end - from);

			if (!eol && !r->eof && r->end - from < INPUT_MAX_LINE) {
				fill(r);
				continue;
			}
			len = eol ? (size_t)(eol - (r->buf + from)) :
				CORE_MIN(r->end - from, (size_t)INPUT_MAX_LINE);
			r->start = from + len;
			r->consumed += len;
			r->lineno = line - 1;
			return deliver(r, from, len, 0, rec, lineno, flags);
		}

		e = json_value_end(r->buf, from, r->end, &nl);
		if (!e && !r->eof && r->end - from < INPUT_MAX_LINE) {
			fill(r);
			continue;
		}
		if (!e) {
			/* Too big, or cut off by the end of the input. */
			r->jsondoc = false;
			r->lineno = line - 1;
			return next_line(r, rec, lineno, flags, err);
		}
		len = json_compact(r->buf + from, e - from);
		r->start = from + len;
		r->consumed += len;
		r->lineno = line - 1;
		return deliver(r, from, len, 0, rec, lineno, flags);
	}
}

int input_next(struct input_reader *r, struct core_str *rec,
	       uint64_t *lineno, unsigned *flags, struct core_error *err)
{
	if (r->jsondoc)
		return next_object(r, rec, lineno, flags, err);
	return next_line(r, rec, lineno, flags, err);
}

static int next_line(struct input_reader *r, struct core_str *rec,
		     uint64_t *lineno, unsigned *flags, struct core_error *err)
{
	for (;;) {
		size_t avail = r->end - r->start;
		char *nl = memchr(r->buf + r->start, '\n', avail);
		size_t from = r->start;

		if (nl) {
			size_t len = (size_t)(nl - (r->buf + from));

			r->start = from + len + 1;
			r->consumed += len + 1;
			if (r->skipping) {
				r->skipping = false;
				continue;
			}
			if (len > INPUT_MAX_LINE)
				return deliver(r, from, INPUT_MAX_LINE,
					       INPUT_F_TRUNCATED, rec, lineno,
					       flags);
			return deliver(r, from, len, 0, rec, lineno, flags);
		}

		if (r->skipping) {
			r->consumed += avail;
			r->start = r->end;
		} else if (avail >= INPUT_MAX_LINE) {
			/* Cut here; the rest of the line is dropped. */
			r->start = from + INPUT_MAX_LINE;
			r->consumed += INPUT_MAX_LINE;
			r->skipping = true;
			return deliver(r, from, INPUT_MAX_LINE,
				       INPUT_F_TRUNCATED, rec, lineno, flags);
		}

		if (r->eof) {
			if (r->end > r->start && !r->skipping) {
				r->start = r->end;
				r->consumed += avail;
				return deliver(r, from, avail, INPUT_F_NO_EOL,
					       rec, lineno, flags);
			}
			return at_end(r, err);
		}
		fill(r);
	}
}

/* Peeking compacts objects in place; input_next() finds them the same. */
static size_t peek_objects(struct input_reader *r, struct core_str *lines,
			   size_t max)
{
	size_t n = 0, at = r->start, nl;

	while (n < max && at < r->end) {
		char c = r->buf[at];
		size_t e;

		if (json_space(c) || c == ',' || c == '[' || c == ']') {
			at++;
			continue;
		}
		if (c != '{')
			break;
		e = json_value_end(r->buf, at, r->end, &nl);
		if (!e)
			break;
		lines[n++] = core_str_make(r->buf + at,
					   json_compact(r->buf + at, e - at));
		at = e;
	}
	return n;
}

size_t input_peek(struct input_reader *r, struct core_str *lines, size_t max)
{
	size_t n = 0, at = r->start;

	if (r->jsondoc)
		return peek_objects(r, lines, max);

	while (n < max && at < r->end) {
		char *nl = memchr(r->buf + at, '\n', r->end - at);
		size_t len = nl ? (size_t)(nl - (r->buf + at)) : r->end - at;
		size_t cut = CORE_MIN(len, (size_t)65536);

		if (cut && r->buf[at + cut - 1] == '\r')
			cut--;
		lines[n++] = core_str_make(r->buf + at, cut);
		if (!nl)
			break;
		at += len + 1;
	}
	return n;
}

const char *input_name(const struct input_reader *r)
{
	return r->name;
}

int input_read(struct input_reader *r, void *buf, size_t n, size_t *got,
	       struct core_error *err)
{
	size_t done = 0;

	while (done < n) {
		size_t k = CORE_MIN(r->end - r->start, n - done);

		if (k == 0) {
			if (r->eof)
				break;
			fill(r);
			continue;
		}
		memcpy((char *)buf + done, r->buf + r->start, k);
		r->start += k;
		r->consumed += k;
		done += k;
	}
	*got = done;
	return done < n ? at_end(r, err) : 0;
}

bool input_is_evtx(const struct input_reader *r)
{
	return r->evtx;
}

const char *input_binary(const struct input_reader *r)
{
	return r->binary;
}

bool input_is_gzip(const struct input_reader *r)
{
	return r->gzip;
}

int64_t input_mtime(const struct input_reader *r)
{
	return r->mtime;
}

uint64_t input_size(const struct input_reader *r)
{
	return r->size;
}

uint64_t input_consumed(const struct input_reader *r)
{
	/*
	 * For gzip, progress is measured on the compressed side; a pipe has
	 * no offset to ask for (gzoffset() fails), so the decoded bytes say
	 * how far it went instead of nothing.
	 */
	if (r->gzip) {
		long off = gzoffset(r->gz);

		if (off > 0)
			return (uint64_t)off;
	}
	return r->consumed;
}
