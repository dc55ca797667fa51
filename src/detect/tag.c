/*
 * tag.c: level names and ATT&CK tags.
 *
 * Sigma tags ATT&CK as "attack.<tactic>" (the tactic's name in lower case
 * with underscores) and "attack.tNNNN[.NNN]" for techniques.  The incident
 * room uses both to build its tactic chain; unknown tactics yield NULL
 * rather than a guess.
 */
#include "detect/detect.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *detect_level_name(enum detect_level l)
{
	static const char *names[] = { "informational", "low", "medium",
				       "high", "critical" };

	return (unsigned)l < CORE_ARRAY_LEN(names) ? names[l] : "unknown";
}

const char *detect_tag_tactic(const char *tag)
{
	static const char *tactics[] = {
		"reconnaissance",	"resource_development",
		"initial_access",	"execution",
		"persistence",		"privilege_escalation",
		"defense_evasion",	"credential_access",
		"discovery",		"lateral_movement",
		"collection",		"command_and_control",
		"exfiltration",		"impact",
	};

	if (tag == NULL || strncmp(tag, "attack.", 7) != 0)
		return NULL;
	for (size_t i = 0; i < CORE_ARRAY_LEN(tactics); i++) {
		if (strcmp(tag + 7, tactics[i]) == 0)
			return tactics[i];
	}
	return NULL;
}

static bool digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return false;
	}
	return true;
}

bool detect_tag_technique(const char *tag, char *out, size_t n)
{
	const char *t;
	size_t len;

	if (tag == NULL || strncmp(tag, "attack.", 7) != 0)
		return false;
	t = tag + 7;
	len = strlen(t);
	if ((t[0] != 't' && t[0] != 'T') || (len != 5 && len != 9) ||
	    !digits(t + 1, 4))
		return false;
	if (len == 9 && (t[5] != '.' || !digits(t + 6, 3)))
		return false;
	if (n < len + 1)
		return false;
	snprintf(out, n, "T%s", t + 1);
	return true;
}
