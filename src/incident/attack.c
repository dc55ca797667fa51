/*
 * attack.c: ATT&CK tactics and techniques from Sigma tags.
 *
 * Sigma tags name tactics as "attack.credential_access" and techniques as
 * "attack.t1110" or "attack.t1110.001".  The incident room orders tactics
 * along the enterprise kill chain (enum incident_tactic); the table below
 * names each place.  These helpers are the room's own: the incident room
 * reads the tags, it does not ask detect what they mean.
 */
#include "incident/incident_int.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* A tactic mask is a uint32_t; struct incident lists the tactics. */
_Static_assert(INCIDENT_TACTIC_COUNT <= 32, "tactic mask");
_Static_assert(INCIDENT_TACTIC_COUNT <=
	       CORE_ARRAY_LEN(((struct incident *)0)->tactics),
	       "struct incident's tactics");

static const char *const tactics[INCIDENT_TACTIC_COUNT] = {
	[INCIDENT_TAC_RECON] = "reconnaissance",
	[INCIDENT_TAC_RESOURCE] = "resource_development",
	[INCIDENT_TAC_INITIAL] = "initial_access",
	[INCIDENT_TAC_EXEC] = "execution",
	[INCIDENT_TAC_PERSIST] = "persistence",
	[INCIDENT_TAC_PRIVESC] = "privilege_escalation",
	[INCIDENT_TAC_EVASION] = "defense_evasion",
	[INCIDENT_TAC_STEALTH] = "stealth",
	[INCIDENT_TAC_IMPAIR] = "defense_impairment",
	[INCIDENT_TAC_CRED] = "credential_access",
	[INCIDENT_TAC_DISCOVERY] = "discovery",
	[INCIDENT_TAC_LATERAL] = "lateral_movement",
	[INCIDENT_TAC_COLLECTION] = "collection",
	[INCIDENT_TAC_C2] = "command_and_control",
	[INCIDENT_TAC_EXFIL] = "exfiltration",
	[INCIDENT_TAC_IMPACT] = "impact",
};

/* Compares a tag tail with a tactic name, '-' matching '_', any case. */
static bool tactic_eq(const char *tag, const char *name)
{
	for (; *tag && *name; tag++, name++) {
		char c = (char)tolower((unsigned char)*tag);

		if (c == '-')
			c = '_';
		if (c != *name)
			return false;
	}
	return *tag == '\0' && *name == '\0';
}

uint32_t incident_rule_tactics(const struct detect_rule_info *r)
{
	uint32_t mask = 0;

	for (size_t i = 0; i < r->ntags; i++) {
		int t = incident_tactic_of_tag(r->tags[i]);

		if (t >= 0)
			mask |= 1u << t;
	}
	return mask;
}

/*
 * The tactics a rule's hit shows happened: all it names, except that a
 * logon rule of Valid Accounts (T1078, tagged initial access) shows the
 * way in only.  Such rules name initial access, persistence, escalation
 * and evasion at once, as the technique does; a failed logon is evidence
 * of none of the others.
 */
uint32_t incident_rule_steps(const struct detect_rule_info *r)
{
	uint32_t m = incident_rule_tactics(r);

	if ((m & INCIDENT_TAC_BIT(INITIAL)) && incident_rule_valid_account(r))
		return INCIDENT_TAC_BIT(INITIAL);
	return m;
}

bool incident_rule_valid_account(const struct detect_rule_info *r)
{
	for (size_t i = 0; i < r->ntags; i++)
		if (strncasecmp(r->tags[i], "attack.t1078", 12) == 0)
			return true;
	return false;
}

int incident_tactic_of_tag(const char *tag)
{
	if (!tag || strncasecmp(tag, "attack.", 7) != 0)
		return -1;
	for (int i = 0; i < INCIDENT_TACTIC_COUNT; i++)
		if (tactic_eq(tag + 7, tactics[i]))
			return i;
	return -1;
}

/* Name of the tactic at place i in the chain, or NULL. */
const char *incident_tactic_name(int tactic)
{
	if (tactic < 0 || tactic >= INCIDENT_TACTIC_COUNT)
		return NULL;
	return tactics[tactic];
}

static size_t digits(const char *p, size_t max)
{
	size_t n = 0;

	while (n < max && isdigit((unsigned char)p[n]))
		n++;
	return n;
}

/*
 * "attack.t1110.001" -> "T1110.001".  A technique is 't' and four digits,
 * optionally '.' and three digits, and nothing after.  out must hold 10
 * bytes; false (and out untouched) when the tag is not a technique.
 */
bool incident_technique_of_tag(const char *tag, char *out, size_t n)
{
	const char *p;
	size_t len;

	if (!tag || !out || n < 10 || strncasecmp(tag, "attack.t", 8) != 0)
		return false;
	p = tag + 8;
	if (digits(p, 5) != 4)
		return false;
	len = 4;
	if (p[4] == '.') {
		if (digits(p + 5, 4) != 3 || p[8] != '\0')
			return false;
		len = 8;
	} else if (p[4] != '\0') {
		return false;
	}

	out[0] = 'T';
	memcpy(out + 1, p, len);
	out[len + 1] = '\0';
	return true;
}
