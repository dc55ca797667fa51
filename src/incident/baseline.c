/*
 * baseline.c: what every observed entity did, summarised, so that one
 * entity can be weighed against all of them rather than against the few
 * that alerts name.
 *
 * Workload: called once per run, after the last event, by whoever keeps
 * the figures (`vigil analyze --store`).  One pass over the entity table
 * per entity type fills, for each counter, the population's count, mean
 * and variance (Welford's update, stable for large counts), a log2
 * histogram of fixed size and the largest values.  Nothing is allocated:
 * the summary's size does not grow with the number of entities.
 */
#include "incident/incident_int.h"

#include <string.h>

static const char *const counter_names[INCIDENT_CNT__COUNT] = {
	"events", "login_failures", "login_successes", "invalid_users",
	"pam_failures", "privileged", "requests", "http_4xx", "http_5xx",
	"ids_alerts", "distinct_users", "distinct_sources",
};

const char *incident_counter_name(enum incident_counter_id k)
{
	return (unsigned)k < INCIDENT_CNT__COUNT ? counter_names[k] : "";
}

uint64_t incident_counter_get(const struct incident_counters *c,
			      enum incident_counter_id k)
{
	switch (k) {
	case INCIDENT_CNT_EVENTS: return c->events;
	case INCIDENT_CNT_LOGIN_FAILURES: return c->login_failures;
	case INCIDENT_CNT_LOGIN_SUCCESSES: return c->login_successes;
	case INCIDENT_CNT_INVALID_USERS: return c->invalid_users;
	case INCIDENT_CNT_PAM_FAILURES: return c->pam_failures;
	case INCIDENT_CNT_PRIVILEGED: return c->privileged;
	case INCIDENT_CNT_REQUESTS: return c->requests;
	case INCIDENT_CNT_HTTP_4XX: return c->http_4xx;
	case INCIDENT_CNT_HTTP_5XX: return c->http_5xx;
	case INCIDENT_CNT_IDS_ALERTS: return c->ids_alerts;
	case INCIDENT_CNT_DISTINCT_USERS: return c->distinct_users;
	case INCIDENT_CNT_DISTINCT_SOURCES: return c->distinct_sources;
	default: return 0;
	}
}

bool incident_set_observed(const struct incident_set *s, size_t i,
			   enum incident_entity_type *type,
			   struct core_str *value,
			   const struct incident_counters **c)
{
	const struct incident_ent *e;

	if (!s || i >= s->ents.n)
		return false;
	e = &s->ents.ents[i];
	*type = (enum incident_entity_type)e->type;
	*value = e->value;
	*c = &e->c;
	return true;
}

static unsigned bin_of(uint64_t v)
{
	return v ? 64u - (unsigned)__builtin_clzll(v) : 0;
}

/* Keeps the INCIDENT_DIST_TOP largest values, largest first. */
static void top_add(struct incident_distribution *d, uint64_t v)
{
	unsigned i;

	if (d->ntop == INCIDENT_DIST_TOP && v <= d->top[d->ntop - 1])
		return;
	if (d->ntop < INCIDENT_DIST_TOP)
		d->ntop++;
	for (i = d->ntop - 1; i > 0 && d->top[i - 1] < v; i--)
		d->top[i] = d->top[i - 1];
	d->top[i] = v;
}

static void add(struct incident_distribution *d, uint64_t v, double *m2)
{
	double x = (double)v, delta;

	d->population++;
	d->nonzero += v != 0;
	delta = x - d->mean;
	d->mean += delta / (double)d->population;
	*m2 += delta * (x - d->mean);
	if (v > d->max)
		d->max = v;
	d->bins[bin_of(v)]++;
	top_add(d, v);
}

/* The smallest value with at least share q of the population at or below. */
static uint64_t quantile(const struct incident_distribution *d, double q)
{
	double want = q * (double)d->population, seen = 0;

	for (unsigned b = 0; b < INCIDENT_DIST_BINS; b++) {
		double lo, hi, f;

		if (!d->bins[b] || seen + (double)d->bins[b] < want) {
			seen += (double)d->bins[b];
			continue;
		}
		if (b <= 1)
			return b;
		lo = (double)(1ULL << (b - 1));
		hi = b < 64 ? (double)(1ULL << b) - 1 : (double)UINT64_MAX;
		f = (want - seen) / (double)d->bins[b];
		hi = hi > (double)d->max ? (double)d->max : hi;
		return (uint64_t)(lo + f * (hi - lo) + 0.5);
	}
	return d->max;
}

void incident_set_distributions(const struct incident_set *s,
				enum incident_entity_type t,
				struct incident_distribution
				out[INCIDENT_CNT__COUNT])
{
	double m2[INCIDENT_CNT__COUNT] = { 0 };

	memset(out, 0, sizeof(*out) * INCIDENT_CNT__COUNT);
	if (!s)
		return;
	if (t == INCIDENT_ENT_TARGET_USER)
		t = INCIDENT_ENT_USER;
	for (size_t i = 0; i < s->ents.n; i++) {
		const struct incident_ent *e = &s->ents.ents[i];

		if (e->type != t)
			continue;
		for (int k = 0; k < INCIDENT_CNT__COUNT; k++)
			add(&out[k], incident_counter_get(&e->c,
				(enum incident_counter_id)k), &m2[k]);
	}
	for (int k = 0; k < INCIDENT_CNT__COUNT; k++) {
		struct incident_distribution *d = &out[k];

		if (!d->population)
			continue;
		d->variance = m2[k] / (double)d->population;
		d->p50 = quantile(d, 0.50);
		d->p90 = quantile(d, 0.90);
		d->p99 = quantile(d, 0.99);
	}
}
