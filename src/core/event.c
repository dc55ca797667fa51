/*
 * event.c: the normalised event's field table.
 *
 * Known ECS fields are found through ev->known[id], one array index; named
 * fields (whatever a JSON or EVTX record carried) through ev->named, an
 * open-addressed table by name hash: an EVTX record has dozens of them and
 * every candidate rule looks several up.  One hash of a name serves both
 * that table and the table of ECS names, built on first use.  When the
 * field table is full further fields are counted in ev->truncated (which
 * stops at UINT16_MAX rather than wrap to 0), never written past.
 */
#include "core/core.h"

#include <pthread.h>
#include <string.h>

static const char *field_names[CORE_F__COUNT] = {
#define CORE_FIELD_NAME(id, name) name,
	CORE_FIELD_LIST(CORE_FIELD_NAME)
#undef CORE_FIELD_NAME
};

static const char *format_names[CORE_FMT__COUNT] = {
#define CORE_FORMAT_NAME(id, name) name,
	CORE_FORMAT_LIST(CORE_FORMAT_NAME)
#undef CORE_FORMAT_NAME
};

const char *core_field_name(enum core_field_id id)
{
	return (unsigned)id < CORE_F__COUNT ? field_names[id] : "";
}

/* Lengths beside the names: lookups run per named field of every event. */
static const uint8_t field_lens[CORE_F__COUNT] = {
#define CORE_FIELD_LEN(id, name) sizeof(name) - 1,
	CORE_FIELD_LIST(CORE_FIELD_LEN)
#undef CORE_FIELD_LEN
};

/*
 * Names to ids: an open-addressed table of id + 1 (0: empty), built once;
 * every named field of every EVTX or JSON record is looked up here.
 */
#define FIELD_SLOTS 512

static uint16_t field_slot[FIELD_SLOTS];
static pthread_once_t field_once = PTHREAD_ONCE_INIT;

uint32_t core_field_hash(const char *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

static void field_index(void)
{
	for (unsigned i = 0; i < CORE_F__COUNT; i++) {
		unsigned k = core_field_hash(field_names[i], field_lens[i]) &
			     (FIELD_SLOTS - 1);

		while (field_slot[k] != 0)
			k = (k + 1) & (FIELD_SLOTS - 1);
		field_slot[k] = (uint16_t)(i + 1);
	}
}

static enum core_field_id lookup_h(const char *name, size_t len, uint32_t h)
{
	unsigned k;

	_Static_assert(CORE_F__COUNT < FIELD_SLOTS / 2, "field table");
	pthread_once(&field_once, field_index);
	for (k = h & (FIELD_SLOTS - 1); field_slot[k] != 0;
	     k = (k + 1) & (FIELD_SLOTS - 1)) {
		unsigned i = field_slot[k] - 1u;

		if (field_lens[i] == len &&
		    memcmp(field_names[i], name, len) == 0)
			return (enum core_field_id)i;
	}
	return CORE_F_NAMED;
}

enum core_field_id core_field_lookup(const char *name, size_t len)
{
	return lookup_h(name, len, core_field_hash(name, len));
}

const char *core_format_name(enum core_format f)
{
	return (unsigned)f < CORE_FMT__COUNT ? format_names[f] : "?";
}

int core_format_lookup(const char *name)
{
	for (unsigned i = 0; i < CORE_FMT__COUNT; i++) {
		if (strcmp(format_names[i], name) == 0)
			return (int)i;
	}
	return -1;
}

void core_event_reset(struct core_event *ev, struct core_arena *arena)
{
	ev->ts = CORE_TS_UNKNOWN;
	ev->src = NULL;
	ev->line = 0;
	ev->raw = CORE_STR_NULL;
	ev->raw_fn = NULL;
	ev->raw_ctx = NULL;
	ev->format = CORE_FMT_RAW;
	ev->decoded = false;
	ev->ts_guessed = false;
	ev->ts_invalid = false;
	ev->nfields = 0;
	ev->truncated = 0;
	ev->raw_nfields = 0;
	memset(ev->known, 0xff, sizeof(ev->known));
	memset(ev->named, 0, sizeof(ev->named));
	ev->arena = arena;
}

/* Counts a field the full table could not take; stops at the counter's top. */
static void dropped(struct core_event *ev)
{
	if (ev->truncated < UINT16_MAX)
		ev->truncated++;
}

void core_event_set(struct core_event *ev, enum core_field_id id,
		    const char *p, size_t len)
{
	struct core_field *f;

	if ((unsigned)id >= CORE_F__COUNT)
		return;
	if (ev->known[id] >= 0) {
		ev->fields[ev->known[id]].value = core_str_make(p, len);
		return;
	}
	if (ev->nfields >= CORE_EVENT_MAX_FIELDS) {
		dropped(ev);
		return;
	}
	f = &ev->fields[ev->nfields];
	f->id = (uint16_t)id;
	f->name = CORE_STR_NULL;
	f->value = core_str_make(p, len);
	ev->known[id] = (int16_t)ev->nfields++;
}

/* The slot of name in ev->named: where it is, or the empty one ending it. */
static unsigned named_slot(const struct core_event *ev, const char *name,
			   size_t nlen, uint32_t h)
{
	unsigned k = h & (CORE_EVENT_NAMED_SLOTS - 1);

	_Static_assert(CORE_EVENT_NAMED_SLOTS >= 2 * CORE_EVENT_MAX_FIELDS &&
		       (CORE_EVENT_NAMED_SLOTS &
			(CORE_EVENT_NAMED_SLOTS - 1)) == 0, "named table");
	for (; ev->named[k] != 0; k = (k + 1) & (CORE_EVENT_NAMED_SLOTS - 1)) {
		const struct core_field *f = &ev->fields[ev->named[k] - 1];

		if (f->hash == h && f->name.len == nlen &&
		    memcmp(f->name.p, name, nlen) == 0)
			break;
	}
	return k;
}

void core_event_set_named(struct core_event *ev, const char *name,
			  size_t nlen, const char *p, size_t len)
{
	uint32_t h = core_field_hash(name, nlen);

	core_event_set_named_h(ev, name, nlen, h, lookup_h(name, nlen, h), p,
			       len);
}

void core_event_set_named_h(struct core_event *ev, const char *name,
			    size_t nlen, uint32_t h, enum core_field_id id,
			    const char *p, size_t len)
{
	struct core_field *f;
	unsigned k;

	if (id != CORE_F_NAMED) {
		core_event_set(ev, id, p, len);
		return;
	}
	k = named_slot(ev, name, nlen, h);
	if (ev->named[k] != 0) {
		ev->fields[ev->named[k] - 1].value = core_str_make(p, len);
		return;
	}
	if (ev->nfields >= CORE_EVENT_MAX_FIELDS) {
		dropped(ev);
		return;
	}
	f = &ev->fields[ev->nfields++];
	f->id = CORE_F_NAMED;
	f->hash = h;
	f->name = core_str_make(name, nlen);
	f->value = core_str_make(p, len);
	ev->named[k] = ev->nfields;
}

/*
 * Empties slot k and moves later entries of its run back where their own
 * slot allows, so that no probe stops early (deletion without tombstones).
 */
static void named_delete(struct core_event *ev, unsigned k)
{
	const unsigned mask = CORE_EVENT_NAMED_SLOTS - 1;
	unsigned j = k;

	for (;;) {
		unsigned home;

		j = (j + 1) & mask;
		if (ev->named[j] == 0)
			break;
		home = ev->fields[ev->named[j] - 1].hash & mask;
		/* Stays when its home lies cyclically in (k, j]. */
		if (k < j ? (home > k && home <= j) : (home > k || home <= j))
			continue;
		ev->named[k] = ev->named[j];
		k = j;
	}
	ev->named[k] = 0;
}

void core_event_rename_named(struct core_event *ev, unsigned i,
			     const char *name, size_t nlen)
{
	struct core_field *f;
	unsigned k;

	if (i >= ev->nfields || ev->fields[i].id != CORE_F_NAMED)
		return;
	f = &ev->fields[i];
	k = named_slot(ev, f->name.p, f->name.len, f->hash);
	if (ev->named[k] == i + 1)
		named_delete(ev, k);
	f->hash = core_field_hash(name, nlen);
	f->name = core_str_make(name, nlen);
	k = named_slot(ev, name, nlen, f->hash);
	if (ev->named[k] == 0)
		ev->named[k] = (uint16_t)(i + 1);
}

const struct core_str *core_event_get(const struct core_event *ev,
				      enum core_field_id id)
{
	if ((unsigned)id >= CORE_F__COUNT || ev->known[id] < 0)
		return NULL;
	return &ev->fields[ev->known[id]].value;
}

const struct core_str *core_event_get_named_h(const struct core_event *ev,
					      const char *name, size_t nlen,
					      uint32_t hash)
{
	unsigned k = named_slot(ev, name, nlen, hash);

	return ev->named[k] ? &ev->fields[ev->named[k] - 1].value : NULL;
}

const struct core_str *core_event_get_named(const struct core_event *ev,
					    const char *name, size_t nlen)
{
	uint32_t h = core_field_hash(name, nlen);
	enum core_field_id id = lookup_h(name, nlen, h);

	if (id != CORE_F_NAMED)
		return core_event_get(ev, id);
	return core_event_get_named_h(ev, name, nlen, h);
}

const struct core_str *core_event_source(const struct core_event *ev)
{
	const struct core_str *v = core_event_get(ev, CORE_F_SOURCE_IP);

	if (!v)
		v = core_event_get(ev, CORE_F_SOURCE_ADDRESS);
	if (!v)
		v = core_event_get(ev, CORE_F_SOURCE_DOMAIN);
	return v;
}

uint64_t core_hash(const void *p, size_t len, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
