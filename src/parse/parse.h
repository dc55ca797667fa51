/*
 * parse.h: decoders, one per record format, turning a record into an event.
 *
 * A decoder reads [p, p + len) (one record, without its line end), fills
 * the event in place and returns 0, or a negative CORE_E_... when it does
 * not understand the record.  On failure the event still carries the raw
 * record (ev->decoded stays false) so nothing is dropped.  Decoders do not
 * call malloc; values they must build (unescaped JSON strings, dotted
 * names) go into ev->arena.
 */
#ifndef VIGIL_PARSE_H
#define VIGIL_PARSE_H

#include "core/core.h"

struct parse_header;

/*
 * What a decoder needs to know beyond the record: syslog lines without a
 * year or zone take them from here (documented in docs/formats.md).  A
 * caller keeps one per input, so it is also where per-input state lives.
 */
struct parse_ctx {
	int default_year;	/* for RFC 3164 stamps; 0: current year */
	int tz_offset_min;	/* offset of zone-less stamps from UTC */
	int64_t file_mtime;	/* us; a later stamp rolls a year back */
	/*
	 * The input's header state, for the self-describing formats (w3c,
	 * zeek) whose records are read by the columns a header line named:
	 * header lines change it, records read it, both inside
	 * parse_record(), so records must be decoded in input order.  The
	 * only state a decoder changes through ctx; the caller owns it and
	 * resets it when a new input starts.  NULL (parse_ctx_init()): such
	 * records stay raw.
	 */
	struct parse_header *hdr;
};

void parse_ctx_init(struct parse_ctx *ctx);

/*
 * Header state (w3c.c, zeek.c), about 9 KiB, bounded: a header naming
 * more columns than it holds is refused, and so are the records after
 * it up to the next usable header.  _new returns NULL when out of
 * memory; _free(NULL) does nothing; _reset forgets every header seen.
 */
struct parse_header *parse_header_new(void);
void parse_header_free(struct parse_header *h);
void parse_header_reset(struct parse_header *h);

/*
 * Why the record parse_record() last decoded with h was kept raw, when
 * a header is the reason ("record before any #Fields header", "record
 * has 14 fields where the #Fields header of line 4 names 15"); NULL
 * otherwise.  Valid until the next parse_record() call with h.
 */
const char *parse_header_refusal(const struct parse_header *h);

/*
 * Decodes one record of format fmt into ev.  ev must have been reset with
 * core_event_reset(); src, line and raw are set by the caller or here.
 * Returns 0 when decoded, CORE_E_PARSE when the record is kept raw.
 */
int parse_record(enum core_format fmt, const struct parse_ctx *ctx,
		 struct core_event *ev, const char *p, size_t len);

/*
 * Picks the format from a sample of a file's first records (lines, without
 * line ends).  Returns CORE_FMT_RAW when nothing fits.
 */
enum core_format parse_sniff(const struct core_str *lines, size_t n);

/*
 * What Sysmon's process creation (event 1) said of a process, given to
 * its later events (sysmon.c): CommandLine, ParentImage and
 * ParentCommandLine where an event of the same ProcessGuid on the same
 * Computer lacks them; SourceCommandLine and SourceParentImage for a
 * remote thread or process access (8, 10).  The same tracker gives the
 * records of one Linux audit event what its SYSCALL record said of the
 * process (auditd.c).  One tracker per run, fed every event in input
 * order, EVTX and JSON alike.
 */
struct parse_procs;
struct parse_procs *parse_procs_new(void);
void parse_procs_free(struct parse_procs *p);
void parse_procs_track(struct parse_procs *p, struct core_event *ev);

#endif /* VIGIL_PARSE_H */
