/*
 * set.c: the incident set's life cycle, its memory accounting and the
 * read-only accessors the report writers use.
 *
 * Every array the room allocates goes through incident_alloc() and
 * friends so that incident_set_totals() can say how many bytes the set
 * holds: the tests feed a million alerts and check that this stays flat.
 * Strings go into one arena, freed with the set.
 */
#include "incident/incident_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const severity_names[] = {
	"informational", "low", "medium", "high", "critical",
};

static const char *const entity_type_names[] = {
	"source.ip", "user.name", "user.target.name", "host.name",
	"user_agent.original", "url.pattern",
};

/* Returns the name of sev, "informational" for anything out of range. */
const char *incident_severity_name(enum incident_severity sev)
{
	if ((unsigned)sev >= CORE_ARRAY_LEN(severity_names))
		return severity_names[0];
	return severity_names[sev];
}

/* Detect levels and incident severities share their five steps. */
enum incident_severity incident_severity_of_level(enum detect_level l)
{
	if ((unsigned)l > DETECT_LEVEL_CRITICAL)
		return INCIDENT_SEV_INFORMATIONAL;
	return (enum incident_severity)l;
}

/* Returns the ECS-style name of an entity type ("source.ip" ...). */
const char *incident_entity_label(const struct incident_entity *e)
{
	struct core_ip ip;

	if (e->type == INCIDENT_ENT_SOURCE_IP &&
	    !core_ip_parse(e->value.p, e->value.len, &ip))
		return "source.address";
	return incident_entity_type_name(e->type);
}

const char *incident_entity_type_name(enum incident_entity_type t)
{
	if ((unsigned)t >= CORE_ARRAY_LEN(entity_type_names))
		return "unknown";
	return entity_type_names[t];
}

/* malloc that counts; NULL on failure. */
void *incident_alloc(struct incident_set *s, size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p)
		s->memory += n;
	return p;
}

/*
 * realloc that counts; new bytes are zeroed.  On failure returns NULL and
 * leaves p allocated (the caller still owns it).
 */
void *incident_realloc(struct incident_set *s, void *p, size_t old,
		       size_t n)
{
	char *q = realloc(p, n ? n : 1);

	if (!q)
		return NULL;
	if (n > old)
		memset(q + old, 0, n - old);
	s->memory = s->memory - old + n;
	return q;
}

/* Frees what incident_alloc() gave, n being the size asked for. */
void incident_dealloc(struct incident_set *s, void *p, size_t n)
{
	if (!p)
		return;
	free(p);
	s->memory -= n;
}

/*
 * Copies len bytes into the set's arena (NUL-terminated).  Returns an
 * empty string when memory runs out: the caller loses a value, not the
 * run.
 */
struct core_str incident_strdup(struct incident_set *s, const char *p,
				size_t len)
{
	struct core_str out;

	if (!p || len == 0)
		return core_str_make("", 0);
	out = core_arena_strdup(s->strings, p, len);
	if (!out.p)
		return core_str_make("", 0);
	return out;
}

/* Returns a new empty set with default settings, or NULL without memory. */
struct incident_set *incident_set_new(void)
{
	struct incident_set *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->strings = core_arena_new(64 * 1024);
	if (!s->strings) {
		free(s);
		return NULL;
	}
	s->cfg.gap_us = INCIDENT_DEFAULT_GAP_US;
	s->cfg.max_entities = INCIDENT_DEFAULT_MAX_ENTITIES;
	s->cfg.max_records = INCIDENT_DEFAULT_MAX_RECORDS;
	s->ents.max = s->cfg.max_entities;
	s->recs.max = s->cfg.max_records;
	return s;
}

/* Applies cfg (zero fields keep the defaults) before any input. */
int incident_set_configure(struct incident_set *s,
			   const struct incident_config *cfg)
{
	if (!s || !cfg || s->started)
		return CORE_E_INVAL;
	if (cfg->gap_us > 0)
		s->cfg.gap_us = cfg->gap_us;
	if (cfg->max_entities > 0)
		s->cfg.max_entities = cfg->max_entities;
	if (cfg->max_records > 0)
		s->cfg.max_records = cfg->max_records;
	s->ents.max = s->cfg.max_entities;
	s->recs.max = s->cfg.max_records;
	return 0;
}

/* Frees the set and everything it handed out; NULL does nothing. */
void incident_set_free(struct incident_set *s)
{
	if (!s)
		return;
	incident_ent_free_all(s);
	incident_rec_free_all(s);
	free(s->incidents);
	free(s->ent_pool);
	free(s->step_pool);
	free(s->ev_pool);
	core_arena_free(s->strings);
	free(s);
}

/* Number of incidents after incident_build(); 0 before. */
size_t incident_set_count(const struct incident_set *s)
{
	return s ? s->nincidents : 0;
}

/* The i-th incident, most urgent first, or NULL. */
const struct incident *incident_set_get(const struct incident_set *s,
					size_t i)
{
	if (!s || i >= s->nincidents)
		return NULL;
	return &s->incidents[i];
}

/* Number of aggregated alert records. */
size_t incident_set_alert_count(const struct incident_set *s)
{
	return s ? s->recs.n : 0;
}

/* The i-th alert record (in the order first raised), or NULL. */
const struct incident_alert *incident_set_alert(const struct incident_set *s,
						size_t i)
{
	if (!s || i >= s->recs.n)
		return NULL;
	return &s->recs.recs[i];
}

/* Fills out with the set's figures; out must not be NULL. */
void incident_set_totals(const struct incident_set *s,
			 struct incident_totals *out)
{
	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	out->events_observed = s->events_observed;
	out->alerts = s->alerts;
	out->alerts_overflow = s->alerts_overflow;
	out->events_attached = s->events_attached;
	out->records = s->recs.n;
	out->entities = s->ents.n;
	out->entities_untracked = s->ents.untracked;
	out->incidents = s->nincidents;
	out->memory = s->memory + core_arena_used(s->strings);
}

/* Counters of one entity, or NULL when it has none. */
const struct incident_counters *
incident_set_counters(const struct incident_set *s,
		      enum incident_entity_type t, struct core_str value)
{
	const struct incident_ent *e;

	if (!s)
		return NULL;
	e = incident_ent_find(s, t, value);
	return e ? &e->c : NULL;
}

/*
 * Groups the records into incidents, scores and orders them.  Call once,
 * after the last alert; CORE_E_INVAL on a second call, CORE_E_NOMEM when
 * memory runs out (the set then holds no incidents).
 */
int incident_build(struct incident_set *s)
{
	uint32_t *root;
	int rc;

	if (!s || s->built)
		return CORE_E_INVAL;
	s->built = true;
	if (s->recs.n == 0)
		return 0;
	root = malloc(s->recs.n * sizeof(*root));
	if (!root)
		return CORE_E_NOMEM;
	rc = incident_group(s, root);
	if (rc == 0)
		rc = incident_assemble(s, root);
	free(root);
	return rc;
}
