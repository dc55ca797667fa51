/*
 * fuzz_parse.h: the body every decoder's fuzz target shares.
 *
 * The input is copied to a buffer of exactly its size so any read past
 * the record is caught; the decoder must return 0 or CORE_E_PARSE, keep
 * raw inside the record, and leave every field name and value readable,
 * also after the Sysmon process tracker (sysmon.c) filled some in.
 */
#ifndef VIGIL_FUZZ_PARSE_H
#define VIGIL_FUZZ_PARSE_H

#include "parse/parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline int fuzz_parse_one(enum core_format fmt, const uint8_t *data,
				 size_t size)
{
	static struct core_arena *arena;
	static struct parse_procs *procs;	/* across inputs, as a run */
	struct core_event ev;
	struct parse_ctx ctx;
	char *rec = malloc(size ? size : 1);
	int rc;

	if (!rec)
		return 0;
	if (!arena)
		arena = core_arena_new(0);
	if (!procs)
		procs = parse_procs_new();
	memcpy(rec, data, size);
	parse_ctx_init(&ctx);
	ctx.tz_offset_min = size % 2 ? 90 : -600;
	core_arena_reset(arena);
	core_event_reset(&ev, arena);
	rc = parse_record(fmt, &ctx, &ev, rec, size);
	if (rc != 0 && rc != CORE_E_PARSE)
		abort();
	if (ev.raw.len > size || (ev.raw.len && ev.raw.p != rec))
		abort();
	parse_procs_track(procs, &ev);
	for (unsigned i = 0; i < ev.nfields; i++) {
		/* Touch every byte so ASan sees a bad pointer. */
		volatile char sink = 0;

		for (size_t j = 0; j < ev.fields[i].value.len; j++)
			sink ^= ev.fields[i].value.p[j];
		for (size_t j = 0; j < ev.fields[i].name.len; j++)
			sink ^= ev.fields[i].name.p[j];
		(void)sink;
	}
	free(rec);
	return 0;
}

/*
 * For the formats read by a header (w3c, zeek): the input is split into
 * lines, each in a buffer of exactly its size, and decoded in order
 * through one header state, as a file is; the same checks per record,
 * and a refusal, when there is one, is a string inside its buffer.
 */
static inline int fuzz_parse_lines(enum core_format fmt, const uint8_t *data,
				   size_t size)
{
	static struct core_arena *arena;
	struct parse_ctx ctx;
	struct core_event ev;
	size_t start = 0;

	if (!arena)
		arena = core_arena_new(0);
	parse_ctx_init(&ctx);
	ctx.tz_offset_min = size % 2 ? 90 : -600;
	ctx.hdr = parse_header_new();
	if (!arena || !ctx.hdr)
		abort();
	for (size_t i = 0; i <= size; i++) {
		size_t len = i - start;
		char *rec;
		const char *why;
		int rc;

		if (i < size && data[i] != '\n')
			continue;
		rec = malloc(len ? len : 1);
		if (!rec)
			break;
		memcpy(rec, data + start, len);
		start = i + 1;
		core_arena_reset(arena);
		core_event_reset(&ev, arena);
		ev.line = i;
		rc = parse_record(fmt, &ctx, &ev, rec, len);
		if (rc != 0 && rc != CORE_E_PARSE)
			abort();
		if (ev.raw.len > len || (ev.raw.len && ev.raw.p != rec))
			abort();
		why = parse_header_refusal(ctx.hdr);
		if (why && (rc == 0 || why[0] == '\0'))
			abort();
		for (unsigned k = 0; k < ev.nfields; k++) {
			volatile char sink = 0;

			for (size_t j = 0; j < ev.fields[k].value.len; j++)
				sink ^= ev.fields[k].value.p[j];
			for (size_t j = 0; j < ev.fields[k].name.len; j++)
				sink ^= ev.fields[k].name.p[j];
			(void)sink;
		}
		free(rec);
	}
	parse_header_free(ctx.hdr);
	return 0;
}

#endif /* VIGIL_FUZZ_PARSE_H */
