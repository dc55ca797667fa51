/*
 * fuzz_incident_summary.c: the evidence text of correlation alerts read
 * as Windows JSON (src/incident/evidence.c): arbitrary bytes, cut
 * records and odd escapes must give a platform and a summary that is
 * NUL-terminated within its buffer, whatever the buffer's size.
 */
#include "incident/incident.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct core_str text = core_str_make((const char *)data, size);
	char out[INCIDENT_SUMMARY_MAX];
	size_t sizes[] = { 1, 17, sizeof(out) };
	enum incident_platform p = incident_platform_of(NULL, text);

	if ((unsigned)p >= INCIDENT_PLAT__COUNT)
		abort();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = incident_evidence_summary(NULL, text, out,
						     sizes[i]);

		if (n >= sizes[i] || out[n] != '\0' || strlen(out) != n)
			abort();
	}
	return 0;
}
