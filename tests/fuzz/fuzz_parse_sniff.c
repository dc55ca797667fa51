/*
 * fuzz_parse_sniff.c: format sniffing over arbitrary bytes split into
 * lines; each line is its own exact-size buffer so overreads are caught.
 */
#include "parse/parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct core_str lines[32];
	char *bufs[32];
	size_t n = 0, start = 0;
	enum core_format f;

	for (size_t i = 0; i <= size && n < 32; i++) {
		if (i < size && data[i] != '\n')
			continue;
		bufs[n] = malloc(i - start ? i - start : 1);
		if (!bufs[n])
			break;
		memcpy(bufs[n], data + start, i - start);
		lines[n] = core_str_make(bufs[n], i - start);
		n++;
		start = i + 1;
	}
	f = parse_sniff(lines, n);
	if ((unsigned)f >= CORE_FMT__COUNT || f == CORE_FMT_AUTO)
		abort();
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
	return 0;
}
