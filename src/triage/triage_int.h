/*
 * triage_int.h: what the triage room's files share and nobody else sees.
 */
#ifndef VIGIL_TRIAGE_INT_H
#define VIGIL_TRIAGE_INT_H

#include "triage/triage.h"

#include <cjson/cJSON.h>

struct triage_case {
	cJSON *doc;			/* the store's incident document */
	int64_t id;
	unsigned score;
	int max_level;
};

/* "informational" .. "critical" -> 0..4, -1 when unknown. */
int triage_level_of(const char *name);

/* The pseudonym kind of an entity type, or -1 (not tokenised whole). */
int triage_entity_kind(const char *type);

/* The text placed where instruction-like text was withheld. */
#define TRIAGE_WITHHELD "[withheld by vigil: instruction-like text]"

#endif /* VIGIL_TRIAGE_INT_H */
