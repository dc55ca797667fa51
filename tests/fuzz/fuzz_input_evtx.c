/*
 * fuzz_input_evtx.c: arbitrary bytes as a whole .evtx file, through the
 * container reader and the binary XML decoder, record by record.
 *
 * Mutated bytes would almost always fail the chunk checksums and never
 * reach the decoder, so unless the first byte is odd the harness puts
 * right every chunk's checksums (and the file header's) before reading;
 * odd first bytes keep the damage and test the skipping paths.
 */
#include "input/evtx.h"
#include "parse/evtx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_checksums(uint8_t *img, size_t size)
{
	if (size >= 128)
		put32(img + 124, (uint32_t)crc32(0, img, 120));
	for (size_t at = 4096; at + INPUT_EVTX_CHUNK <= size;
	     at += INPUT_EVTX_CHUNK) {
		uint8_t *c = img + at;
		uint32_t end = (uint32_t)c[48] | (uint32_t)c[49] << 8 |
			       (uint32_t)c[50] << 16 | (uint32_t)c[51] << 24;
		uLong crc;

		if (end >= 512 && end <= INPUT_EVTX_CHUNK)
			put32(c + 52, (uint32_t)crc32(0, c + 512, end - 512));
		crc = crc32(0, c, 120);
		crc = crc32(crc, c + 128, 384);
		put32(c + 124, (uint32_t)crc);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct core_arena *arena;
	struct input_evtx *r;
	struct input_evtx_record rec;
	struct parse_evtx *d;
	struct core_event ev;
	uint8_t *img = malloc(size ? size : 1);
	int rc;

	if (!img)
		return 0;
	if (!arena)
		arena = core_arena_new(0);
	memcpy(img, data, size);
	if (size && (data[0] & 1) == 0)
		fix_checksums(img, size);
	if (input_evtx_open_mem("fuzz.evtx", img, size, &r, NULL) != 0) {
		free(img);
		return 0;
	}
	d = parse_evtx_new();
	while (d && (rc = input_evtx_next(r, &rec, NULL)) != 0) {
		if (rc < 0)
			continue;
		core_arena_reset(arena);
		core_event_reset(&ev, arena);
		ev.src = "fuzz.evtx";
		ev.line = rec.record_id;
		parse_evtx_record(d, &ev, rec.chunk, rec.chunk_len,
				  rec.chunk_no, rec.off, rec.len, rec.written,
				  NULL);
		if (core_event_raw(&ev)->len > PARSE_EVTX_RAW_MAX + 3)
			abort();
	}
	parse_evtx_free(d);
	input_evtx_close(r);
	free(img);
	return 0;
}
