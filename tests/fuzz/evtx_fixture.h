/*
 * evtx_fixture.h: writes small synthetic EVTX images for the tests and
 * the fuzz seeds: a file header and one or more chunks of records, each
 * record a template instance over one Sysmon-like template (defined
 * inline by the chunk's first record, referenced by the others), with
 * values of the common types.  Checksums are computed as Windows does.
 */
#ifndef VIGIL_TEST_EVTX_FIXTURE_H
#define VIGIL_TEST_EVTX_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FX_CHUNK 65536
#define FX_MAX_CHUNKS 4

struct fx {
	uint8_t img[4096 + FX_MAX_CHUNKS * FX_CHUNK];
	size_t len;		/* of the image so far */
	uint8_t *c;		/* chunk being written */
	size_t pos;		/* in it */
	uint32_t tmpl_off;	/* template definition in this chunk */
	uint64_t next_id;
	unsigned nchunks;
	unsigned in_chunk;	/* records in the current chunk */
	size_t last_rec;
};

static inline uint32_t fx_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static inline void fx_put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void fx_b(struct fx *f, uint64_t v, unsigned n)
{
	fx_put(f->c + f->pos, v, n);
	f->pos += n;
}

/* UTF-16LE of an ASCII string, without a terminator. */
static inline void fx_u16(struct fx *f, const char *s)
{
	for (; *s; s++)
		fx_b(f, (uint8_t)*s, 2);
}

/* A name offset followed by the name itself (defined inline). */
static inline void fx_name(struct fx *f, const char *s)
{
	fx_b(f, f->pos + 4, 4);
	fx_b(f, 0, 4);
	fx_b(f, 0, 2);
	fx_b(f, strlen(s), 2);
	fx_u16(f, s);
	fx_b(f, 0, 2);
}

/*
 * Element start; returns where its size sits, for fx_close().  With
 * attributes, the attribute list size follows the name; fx_attrs_end()
 * fills it in.
 */
static inline size_t fx_open(struct fx *f, const char *name, int attrs)
{
	size_t at;

	fx_b(f, attrs ? 0x41 : 0x01, 1);
	fx_b(f, 0xffff, 2);
	at = f->pos;
	fx_b(f, 0, 4);
	fx_name(f, name);
	if (attrs)
		fx_b(f, 0, 4);
	return at;
}

/* Sizes count the bytes after the size field up to the element's end. */
static inline void fx_attrs_end(struct fx *f, size_t list_at)
{
	fx_put(f->c + list_at, f->pos - list_at - 4, 4);
}

static inline void fx_close(struct fx *f, size_t at, int empty)
{
	fx_b(f, empty ? 0x03 : 0x04, 1);
	fx_put(f->c + at, f->pos - at - 4, 4);
}

static inline void fx_attr(struct fx *f, const char *name, int more)
{
	fx_b(f, more ? 0x46 : 0x06, 1);
	fx_name(f, name);
}

static inline void fx_text(struct fx *f, const char *s)
{
	fx_b(f, 0x05, 1);
	fx_b(f, 0x01, 1);
	fx_b(f, strlen(s), 2);
	fx_u16(f, s);
}

static inline void fx_sub(struct fx *f, unsigned id, unsigned type)
{
	fx_b(f, 0x0e, 1);
	fx_b(f, id, 2);
	fx_b(f, type, 1);
}

/* <tag>%id</tag> */
static inline void fx_leaf(struct fx *f, const char *tag, unsigned id,
			   unsigned type)
{
	size_t at = fx_open(f, tag, 0);

	fx_b(f, 0x02, 1);
	fx_sub(f, id, type);
	fx_close(f, at, 0);
}

/* <tag attr="%id"/> */
static inline void fx_empty(struct fx *f, const char *tag, const char *attr,
			    unsigned id, unsigned type)
{
	size_t at = fx_open(f, tag, 1), list = f->pos - 4;

	fx_attr(f, attr, 0);
	fx_sub(f, id, type);
	fx_attrs_end(f, list);
	fx_close(f, at, 1);
}

/* <Data Name="name">%id</Data> */
static inline void fx_data(struct fx *f, const char *name, unsigned id,
			   unsigned type)
{
	size_t at = fx_open(f, "Data", 1), list = f->pos - 4;

	fx_attr(f, "Name", 0);
	fx_text(f, name);
	fx_attrs_end(f, list);
	fx_b(f, 0x02, 1);
	fx_sub(f, id, type);
	fx_close(f, at, 0);
}

/* <Data>%id</Data>, an item without a name */
static inline void fx_data_unnamed(struct fx *f, unsigned id, unsigned type)
{
	size_t at = fx_open(f, "Data", 0);

	fx_b(f, 0x02, 1);
	fx_sub(f, id, type);
	fx_close(f, at, 0);
}

#define FX_NVALUES 15

/* Both string arrays: four NUL-terminated UTF-16 strings, the first empty. */
#define FX_ARRAY "\0" "xp_cmdshell\0" "0\0" "1\0"
#define FX_ARRAY_LEN 17

/*
 * The template: System with the usual children, EventData of eight
 * items: two string arrays, one named and one not, the second after an
 * unnamed item "x".
 */
static inline void fx_template_body(struct fx *f)
{
	size_t ev, sys, data, list;

	fx_b(f, 0x0f, 1);
	fx_b(f, 0x000101, 3);
	ev = fx_open(f, "Event", 1);
	list = f->pos - 4;
	fx_attr(f, "xmlns", 0);
	fx_text(f, "http://schemas.microsoft.com/win/2004/08/events/event");
	fx_attrs_end(f, list);
	fx_b(f, 0x02, 1);
	sys = fx_open(f, "System", 0);
	fx_b(f, 0x02, 1);
	fx_empty(f, "Provider", "Name", 0, 0x01);
	fx_leaf(f, "EventID", 1, 0x06);
	fx_empty(f, "TimeCreated", "SystemTime", 2, 0x11);
	fx_leaf(f, "EventRecordID", 3, 0x0a);
	fx_leaf(f, "Channel", 4, 0x01);
	fx_leaf(f, "Computer", 5, 0x01);
	fx_empty(f, "Security", "UserID", 6, 0x13);
	fx_close(f, sys, 0);
	data = fx_open(f, "EventData", 0);
	fx_b(f, 0x02, 1);
	fx_data(f, "CommandLine", 7, 0x01);
	fx_data(f, "Image", 8, 0x01);
	fx_data(f, "Blob", 9, 0x0e);
	fx_data(f, "ProcessGuid", 10, 0x0f);
	fx_data(f, "LogonId", 11, 0x15);
	fx_data(f, "Options", 12, 0x81);
	fx_data_unnamed(f, 14, 0x01);
	fx_data_unnamed(f, 13, 0x81);
	fx_close(f, data, 0);
	fx_close(f, ev, 0);
	fx_b(f, 0x00, 1);
}

static inline void fx_chunk_close(struct fx *f)
{
	uint8_t *c = f->c, tmp[120 + 384];

	if (c == NULL)
		return;
	fx_put(c + 8, f->next_id - f->in_chunk, 8);
	fx_put(c + 16, f->next_id - 1, 8);
	fx_put(c + 24, f->next_id - f->in_chunk, 8);
	fx_put(c + 32, f->next_id - 1, 8);
	fx_put(c + 40, 128, 4);
	fx_put(c + 44, f->last_rec, 4);
	fx_put(c + 48, f->pos, 4);
	fx_put(c + 52, fx_crc32(c + 512, f->pos - 512), 4);
	memcpy(tmp, c, 120);
	memcpy(tmp + 120, c + 128, 384);
	fx_put(c + 124, fx_crc32(tmp, sizeof(tmp)), 4);
	f->c = NULL;
}

static inline void fx_chunk_open(struct fx *f)
{
	fx_chunk_close(f);
	f->c = f->img + 4096 + (size_t)f->nchunks * FX_CHUNK;
	memset(f->c, 0, FX_CHUNK);
	memcpy(f->c, "ElfChnk", 8);
	f->pos = 512;
	f->tmpl_off = 0;
	f->in_chunk = 0;
	f->nchunks++;
	f->len = 4096 + (size_t)f->nchunks * FX_CHUNK;
}

static inline void fx_begin(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->img, "ElfFile", 8);
	f->next_id = 1;
	fx_chunk_open(f);
}

/* Appends one record: a template instance with the given strings. */
static inline void fx_record(struct fx *f, const char *computer,
			     const char *cmdline, unsigned eid)
{
	static const uint8_t sid[12] = { 1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0 };
	static const uint8_t guid[16] = { 0x78, 0x56, 0x34, 0x12, 0x34, 0x12,
		0x78, 0x56, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x02, 0x03, 0x04 };
	const char *image = "C:\\Windows\\System32\\cmd.exe";
	const char *prov = "Microsoft-Windows-Sysmon";
	const char *chan = "Microsoft-Windows-Sysmon/Operational";
	size_t start = f->pos, sizes[FX_NVALUES];
	uint64_t ft = 132000000000000000ULL + f->next_id * 10000000ULL;

	f->last_rec = start;
	fx_b(f, 0x00002a2a, 4);
	fx_b(f, 0, 4);
	fx_b(f, f->next_id, 8);
	fx_b(f, ft, 8);
	fx_b(f, 0x0f, 1);
	fx_b(f, 0x000101, 3);
	fx_b(f, 0x0c, 1);
	fx_b(f, 0x01, 1);
	fx_b(f, 0, 4);
	if (f->tmpl_off == 0) {
		size_t size_at;

		f->tmpl_off = (uint32_t)(f->pos + 4);
		fx_b(f, f->tmpl_off, 4);
		fx_b(f, 0, 4);
		fx_b(f, 0x11223344, 8);
		fx_b(f, 0, 8);
		size_at = f->pos;
		fx_b(f, 0, 4);
		fx_template_body(f);
		fx_put(f->c + size_at, f->pos - size_at - 4, 4);
	} else {
		fx_b(f, f->tmpl_off, 4);
	}
	sizes[0] = 2 * strlen(prov);
	sizes[1] = 2;
	sizes[2] = 8;
	sizes[3] = 8;
	sizes[4] = 2 * strlen(chan);
	sizes[5] = 2 * strlen(computer);
	sizes[6] = sizeof(sid);
	sizes[7] = 2 * strlen(cmdline);
	sizes[8] = 2 * strlen(image);
	sizes[9] = 3;
	sizes[10] = 16;
	sizes[11] = 8;
	sizes[12] = 2 * FX_ARRAY_LEN;
	sizes[13] = 2 * FX_ARRAY_LEN;
	sizes[14] = 2;
	fx_b(f, FX_NVALUES, 4);
	for (unsigned i = 0; i < FX_NVALUES; i++) {
		static const uint8_t types[FX_NVALUES] = { 0x01, 0x06, 0x11,
			0x0a, 0x01, 0x01, 0x13, 0x01, 0x01, 0x0e, 0x0f, 0x15,
			0x81, 0x81, 0x01 };

		fx_b(f, sizes[i], 2);
		fx_b(f, types[i], 1);
		fx_b(f, 0, 1);
	}
	fx_u16(f, prov);
	fx_b(f, eid, 2);
	fx_b(f, ft, 8);
	fx_b(f, f->next_id, 8);
	fx_u16(f, chan);
	fx_u16(f, computer);
	memcpy(f->c + f->pos, sid, sizeof(sid));
	f->pos += sizeof(sid);
	fx_u16(f, cmdline);
	fx_u16(f, image);
	fx_b(f, 0xbeefca, 3);
	memcpy(f->c + f->pos, guid, 16);
	f->pos += 16;
	fx_b(f, 0x3e7, 8);
	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < FX_ARRAY_LEN; i++)
			fx_b(f, (uint8_t)FX_ARRAY[i], 2);
	fx_u16(f, "x");
	fx_b(f, 0x00, 1);
	fx_b(f, 0, 4);
	fx_put(f->c + start + 4, f->pos - start, 4);
	fx_put(f->c + f->pos - 4, f->pos - start, 4);
	f->next_id++;
	f->in_chunk++;
}

/* Closes the last chunk and writes the file header. */
static inline size_t fx_end(struct fx *f)
{
	fx_chunk_close(f);
	fx_put(f->img + 8, 0, 8);
	fx_put(f->img + 16, f->nchunks - 1, 8);
	fx_put(f->img + 24, f->next_id, 8);
	fx_put(f->img + 32, 128, 4);
	fx_put(f->img + 36, 1, 2);
	fx_put(f->img + 38, 3, 2);
	fx_put(f->img + 40, 4096, 2);
	fx_put(f->img + 42, f->nchunks, 2);
	fx_put(f->img + 124, fx_crc32(f->img, 120), 4);
	return f->len;
}

#endif /* VIGIL_TEST_EVTX_FIXTURE_H */
