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

/*
 * Appends text with the pseudonym tokens that stand in sent (what this
 * incident's conversation sent the model: its pack and tool results)
 * replaced by their originals in p (NULL: none known).  Any other token,
 * another incident's or an invented one, stays as written; it is added
 * once to foreign ("IP-PUB-3, USER-9") and counted in *nforeign, so that
 * no real value the model was never shown for this incident reaches the
 * analyst.  The buffers' errors.
 */
int triage_reveal(const struct llm_pseudo *p, const char *text, size_t len,
		  struct core_str sent, struct core_buf *out,
		  struct core_buf *foreign, unsigned *nforeign);

#endif /* VIGIL_TRIAGE_INT_H */
