/*
 * whencache.c: which log sources an event belongs to, remembered per
 * distinct combination of the fields the sources' `when` selections read.
 *
 * Every event used to be tested against every log source's `when` (about
 * a hundred with the Windows map, each reading Channel and EventID), to
 * find the two or three that hold.  Those selections read few fields
 * (Channel, EventID, EventType, event.dataset, process.name and some
 * `|exists` tests), and their answer depends on nothing else: no `when`
 * may use keywords or a field reference (which read other fields), else
 * nothing is cached and every `when` is tested each time.
 *
 * The key of an event is, for each field read, whether it is present
 * and, unless every test of that field is `|exists`, its value.  A
 * direct-mapped table of WC_SLOTS keys maps a key to the ascending list
 * of the log sources (with rules) whose `when` holds; a miss tests every
 * `when` and replaces the slot.  Memory: the slots and their keys and
 * lists, allocated on first use, at most WC_SLOTS * (WC_MAX_KEY + nls * 2)
 * bytes.  A matcher thread gets its own table (detect_wc_clone()).
 */
#include "detect/detect_int.h"

#include <stdlib.h>
#include <string.h>

/* Slots in the table (a power of two). */
#define WC_SLOTS 1024

/* Longest key cached; an event with a longer one is tested directly. */
#define WC_MAX_KEY 512

/* Fields a cacheable map may read in its `when` selections. */
#define WC_MAX_FIELDS 64

struct wc_field {
	const struct detect_fref *f;
	bool value;		/* some test reads the value, not presence */
};

struct wc_slot {
	uint64_t hash;
	uint16_t klen;
	bool used;
	char *key;		/* WC_MAX_KEY bytes once used */
	uint16_t n;
	uint16_t *ls;		/* nls entries once used */
};

/* A field name some `when` reads, and the fields (bits) it stands in. */
struct wc_name {
	struct core_str name;
	uint64_t mask;
};

struct detect_wc {
	struct wc_field field[WC_MAX_FIELDS];
	unsigned nfield;
	/* Which of field[] an event field is (or an alternate of): known
	 * ids, and names open-addressed by core_field_hash() in nslot. */
	uint64_t idmask[CORE_F__COUNT];
	struct wc_name *names;
	unsigned nnames, nslot;
	bool direct;		/* not cacheable: every `when` is tested */
	unsigned nls;
	uint16_t *scratch;	/* nls entries: a miss's list */
	struct wc_slot *slot;	/* WC_SLOTS */
};

/* The same field and the same alternates, in the same order. */
static bool same_fref(const struct detect_fref *a, const struct detect_fref *b)
{
	for (; a != NULL && b != NULL; a = a->or, b = b->or) {
		if (a->id != b->id || !core_str_eq(a->name, b->name))
			return false;
	}
	return a == NULL && b == NULL;
}

/* Adds fm's field to wc; false when the map cannot be cached. */
static bool add_fmatch(struct detect_wc *wc, const struct detect_fmatch *fm)
{
	bool value = false;
	unsigned i;

	/* The map loader refuses both today; a `when` reading more than its
	 * own fields must not be cached if it ever allows them. */
	if (fm->field.id == DETECT_F_KEYWORD)
		return false;
	for (unsigned k = 0; k < fm->nvals; k++) {
		if (fm->vals[k].kind == DETECT_V_FIELDREF)
			return false;
		value = value || fm->vals[k].kind != DETECT_V_EXISTS;
	}
	for (i = 0; i < wc->nfield && !same_fref(wc->field[i].f, &fm->field);
	     i++)
		;
	if (i == WC_MAX_FIELDS)
		return false;
	if (i == wc->nfield) {
		wc->field[i].f = &fm->field;
		wc->field[i].value = false;
		wc->nfield++;
	}
	wc->field[i].value = wc->field[i].value || value;
	return true;
}

/* name's entry, added when absent (the table has room). */
static struct wc_name *name_put(struct detect_wc *wc, struct core_str name)
{
	unsigned i = core_field_hash(name.p, name.len) & (wc->nslot - 1);

	while (wc->names[i].name.p != NULL) {
		if (core_str_eq(wc->names[i].name, name))
			return &wc->names[i];
		i = (i + 1) & (wc->nslot - 1);
	}
	wc->names[i].name = name;
	wc->nnames++;
	return &wc->names[i];
}

/* Notes each alternate of field[k] as standing in it; false on no
 * memory. */
static bool index_field(struct detect_wc *wc, unsigned k)
{
	for (const struct detect_fref *f = wc->field[k].f; f; f = f->or) {
		if (f->id != CORE_F_NAMED) {
			if (f->id < CORE_F__COUNT)
				wc->idmask[f->id] |= 1ULL << k;
			continue;
		}
		if (f->name.len == 0)
			continue;
		if ((wc->nnames + 1) * 2 > wc->nslot) {
			struct wc_name *old = wc->names;
			unsigned n = wc->nslot;

			wc->nslot = n ? n * 2 : 64;
			wc->names = calloc(wc->nslot, sizeof(*wc->names));
			if (wc->names == NULL) {
				wc->names = old;
				wc->nslot = n;
				return false;
			}
			wc->nnames = 0;
			for (unsigned i = 0; i < n; i++) {
				if (old[i].name.p != NULL)
					*name_put(wc, old[i].name) = old[i];
			}
			free(old);
		}
		name_put(wc, f->name)->mask |= 1ULL << k;
	}
	return true;
}

static bool add_sel(struct detect_wc *wc, const struct detect_sel *s)
{
	for (unsigned a = 0; a < s->nalt; a++) {
		for (unsigned i = 0; i < s->alt[a].n; i++) {
			if (!add_fmatch(wc, &s->alt[a].f[i]))
				return false;
		}
	}
	return true;
}

static struct detect_wc *wc_alloc(unsigned nls)
{
	struct detect_wc *wc = calloc(1, sizeof(*wc));

	if (wc == NULL)
		return NULL;
	wc->nls = nls;
	wc->scratch = calloc(nls ? nls : 1, sizeof(*wc->scratch));
	wc->slot = calloc(WC_SLOTS, sizeof(*wc->slot));
	if (wc->scratch == NULL || wc->slot == NULL) {
		detect_wc_free(wc);
		return NULL;
	}
	return wc;
}

int detect_wc_build(struct detect_ruleset *rs)
{
	struct detect_wc *wc;

	detect_wc_free(rs->wc);
	rs->wc = NULL;
	if (rs->nls > UINT16_MAX)
		return CORE_E_INVAL;
	wc = wc_alloc(rs->nls);
	if (wc == NULL)
		return CORE_E_NOMEM;
	for (unsigned i = 0; i < rs->nls && !wc->direct; i++) {
		if (rs->ls[i].nrules > 0 && !add_sel(wc, &rs->ls[i].when))
			wc->direct = true;
	}
	for (unsigned k = 0; k < wc->nfield && !wc->direct; k++)
		wc->direct = !index_field(wc, k);
	rs->wc = wc;
	return 0;
}

struct detect_wc *detect_wc_clone(const struct detect_wc *wc)
{
	struct detect_wc *c;

	if (wc == NULL || (c = wc_alloc(wc->nls)) == NULL)
		return NULL;
	memcpy(c->field, wc->field, sizeof(c->field));
	c->nfield = wc->nfield;
	c->direct = wc->direct;
	memcpy(c->idmask, wc->idmask, sizeof(c->idmask));
	if (wc->nslot > 0) {
		c->names = malloc(wc->nslot * sizeof(*c->names));
		if (c->names == NULL) {
			detect_wc_free(c);
			return NULL;
		}
		memcpy(c->names, wc->names, wc->nslot * sizeof(*c->names));
		c->nslot = wc->nslot;
		c->nnames = wc->nnames;
	}
	return c;
}

void detect_wc_free(struct detect_wc *wc)
{
	if (wc == NULL)
		return;
	for (unsigned i = 0; wc->slot != NULL && i < WC_SLOTS; i++) {
		free(wc->slot[i].key);
		free(wc->slot[i].ls);
	}
	free(wc->slot);
	free(wc->scratch);
	free(wc->names);
	free(wc);
}

/* ------------------------------------------------------------ matching */

/* Appends n bytes to the key; false when it would pass WC_MAX_KEY. */
static bool key_add(char *key, size_t *at, const void *p, size_t n)
{
	if (n > WC_MAX_KEY - *at)
		return false;
	memcpy(key + *at, p, n);
	*at += n;
	return true;
}

/* The fields of wc that ev has (one of their alternates): a bit each. */
static uint64_t present(const struct detect_wc *wc,
			const struct core_event *ev)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < ev->nfields; i++) {
		const struct core_field *f = &ev->fields[i];
		unsigned k;

		if (f->id != CORE_F_NAMED) {
			m |= f->id < CORE_F__COUNT ? wc->idmask[f->id] : 0;
			continue;
		}
		if (wc->nslot == 0 || f->name.len == 0)
			continue;
		for (k = f->hash & (wc->nslot - 1); wc->names[k].name.p;
		     k = (k + 1) & (wc->nslot - 1)) {
			if (core_str_eq(wc->names[k].name, f->name)) {
				m |= wc->names[k].mask;
				break;
			}
		}
	}
	return m;
}

/*
 * ev's key into key (WC_MAX_KEY bytes); false when too long.  Presence
 * comes from one pass over the event's fields; a value is read as the
 * `when` tests read it (detect_fref_get()).
 */
static bool make_key(const struct detect_wc *wc, const struct core_event *ev,
		     char *key, size_t *len)
{
	uint64_t has = present(wc, ev);

	*len = 0;
	for (unsigned i = 0; i < wc->nfield; i++) {
		const struct core_str *v = NULL;
		char tag = (char)(has >> i & 1);
		uint32_t n;

		if (!key_add(key, len, &tag, 1))
			return false;
		if (!tag || !wc->field[i].value)
			continue;
		v = detect_fref_get(ev, wc->field[i].f);
		if (v == NULL)
			return false;
		if (v->len > WC_MAX_KEY)
			return false;
		n = (uint32_t)v->len;
		if (!key_add(key, len, &n, sizeof(n)) ||
		    !key_add(key, len, v->p, n))
			return false;
	}
	return true;
}

/* FNV-1a. */
static uint64_t key_hash(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return h;
}

/* Tests every `when` into out; returns how many hold. */
static unsigned test_all(struct detect_ruleset *rs,
			 const struct core_event *ev, uint16_t *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < rs->nls; i++) {
		const struct detect_logsource *e = &rs->ls[i];

		if (e->nrules > 0 && detect_sel_match(rs, &e->when, ev))
			out[n++] = (uint16_t)i;
	}
	return n;
}

/* Keeps key -> list in slot s; on no memory the slot stays unused. */
static void fill(struct detect_wc *wc, struct wc_slot *s, uint64_t h,
		 const char *key, size_t klen, unsigned n)
{
	if (s->key == NULL)
		s->key = malloc(WC_MAX_KEY);
	if (s->ls == NULL)
		s->ls = malloc((wc->nls ? wc->nls : 1) * sizeof(*s->ls));
	if (s->key == NULL || s->ls == NULL) {
		s->used = false;
		return;
	}
	memcpy(s->key, key, klen);
	memcpy(s->ls, wc->scratch, n * sizeof(*s->ls));
	s->klen = (uint16_t)klen;
	s->n = (uint16_t)n;
	s->hash = h;
	s->used = true;
}

unsigned detect_wc_sources(struct detect_ruleset *rs,
			   const struct core_event *ev, const uint16_t **out)
{
	struct detect_wc *wc = rs->wc;
	char key[WC_MAX_KEY];
	struct wc_slot *s;
	size_t klen;
	uint64_t h;
	unsigned n;

	if (wc->direct || !make_key(wc, ev, key, &klen)) {
		*out = wc->scratch;
		return test_all(rs, ev, wc->scratch);
	}
	h = key_hash(key, klen);
	s = &wc->slot[h & (WC_SLOTS - 1)];
	if (s->used && s->hash == h && s->klen == klen &&
	    memcmp(s->key, key, klen) == 0) {
		*out = s->ls;
		return s->n;
	}
	n = test_all(rs, ev, wc->scratch);
	fill(wc, s, h, key, klen, n);
	*out = wc->scratch;
	return n;
}
