/*
 * evtx.h: the binary XML of Windows event records, decoded into events.
 *
 * The input room cuts an .evtx file into records (input/evtx.h); this
 * decoder turns one record's binary XML into fields: the System values
 * (EventID, Channel, Computer, Provider_Name, TimeCreated_SystemTime ...),
 * every EventData Data item under its Name, and the leaves of UserData
 * under their element names, plus the ECS fields that follow from them
 * (docs/formats.md, "Windows event logs").
 *
 * Templates are compiled once per chunk into a list of field operations
 * and cached, so a record costs the rendering of its substitution values
 * and nothing more.  The decoder holds that cache and must see the records
 * of one file in order; use one decoder per file.
 */
#ifndef VIGIL_PARSE_EVTX_H
#define VIGIL_PARSE_EVTX_H

#include "core/core.h"

/* Longest compact rendering given as raw; longer ones end in "...". */
#define PARSE_EVTX_RAW_MAX 8192

struct parse_evtx;

/*
 * Where a decoded record's rendering (its raw) is kept once made; the
 * text itself lies in the event's arena.  The decoder has one, for the
 * record it decoded last; a copy of an event kept past the next record
 * needs its own (parse_evtx_raw_attach()).  Touch it through that only.
 */
struct parse_evtx_raw {
	struct core_str text;
	bool done;
};

/* NULL on out of memory. */
struct parse_evtx *parse_evtx_new(void);
void parse_evtx_free(struct parse_evtx *d);
/*
 * Readies d for another file: forgets its templates and the processes
 * it saw, keeps its memory (a run over thousands of small files makes
 * one decoder, not one per file).
 */
void parse_evtx_reset(struct parse_evtx *d);

/*
 * Decodes the record whose binary XML is chunk[off, off + len) into ev
 * (reset by the caller, with an arena; src and line set for messages).
 * chunk is the record's whole chunk (names and templates are found by
 * offset in it) and chunk_no tells chunks apart: the template cache is
 * dropped when it changes.  written (us, or CORE_TS_UNKNOWN) is the
 * record header's time, used when TimeCreated is missing.
 *
 * Sets the fields, ev->ts, ev->format (CORE_FMT_EVTX), ev->decoded, and
 * ev->raw_fn: core_event_raw() renders a one-line JSON object of the
 * record's own fields (the first ev->raw_nfields; those derived after,
 * here or by the caller, are left out) on first use, into ev's arena,
 * kept by d until the next call.  Returns 0, or CORE_E_PARSE with err
 * (may be NULL) naming ev->src, ev->line and what was wrong; fields
 * decoded before the damage are kept.
 */
int parse_evtx_record(struct parse_evtx *d, struct core_event *ev,
		      const uint8_t *chunk, size_t chunk_len,
		      uint64_t chunk_no, size_t off, size_t len,
		      int64_t written, struct core_error *err);

/*
 * For a copy of an event parse_evtx_record() decoded, whose fields,
 * raw_nfields and arena are its own (copied, names and values too) but
 * whose raw_fn and raw_ctx are still the original's: makes keep, the
 * copy's, keep its rendering, so that core_event_raw() renders the copy
 * on first use into the copy's arena and never touches the decoder (which
 * may be decoding the next record in another thread).  The text is the
 * original's, as it reads nothing else.  Returns false, changing nothing,
 * when ev's raw is not rendered by this decoder; the caller then copies
 * core_event_raw() instead.
 */
bool parse_evtx_raw_attach(struct core_event *ev,
			   struct parse_evtx_raw *keep);

/*
 * Remembers the process each Security 4688 record starts (NewProcessId
 * on Computer -> NewProcessName) and gives a later 4688 without a
 * ParentProcessName (Windows before 10 and Server 2016 leave it out)
 * the ParentImage of its creator (ProcessId) when d saw it start.  The
 * newest of about a thousand processes are kept; a reused id takes the
 * newer image.  parse_evtx_record() calls it on every record.
 */
void parse_evtx_track(struct parse_evtx *d, struct core_event *ev);

/*
 * For the JSON decoder: when the fields of a walked JSON line are a
 * Windows event exported by Winlogbeat (winlog.event_id, winlog.channel,
 * winlog.event_data.*), in the flat EventData style (EventID, Channel,
 * Computer and the Data items at the top level) or nested as
 * Event.System / Event.EventData, adds the names the EVTX decoder gives
 * (EventID, Channel, Computer, Provider_Name, each Data item by name) and
 * their ECS fields, and returns true.  Returns false and changes nothing
 * for any other JSON.
 */
bool parse_evtx_json(struct core_event *ev);

#endif /* VIGIL_PARSE_EVTX_H */
