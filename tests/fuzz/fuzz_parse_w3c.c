/*
 * fuzz_parse_w3c.c: the w3c decoder on any bytes, line by line through
 * one header state (see fuzz_parse.h).
 */
#include "fuzz_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_parse_lines(CORE_FMT_W3C, data, size);
}
