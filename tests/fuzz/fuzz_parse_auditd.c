/*
 * fuzz_parse_auditd.c: the audit log decoder on any bytes (see
 * fuzz_parse.h).
 */
#include "fuzz_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse_one(CORE_FMT_AUDITD, data, size);
}
