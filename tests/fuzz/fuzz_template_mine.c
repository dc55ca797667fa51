/*
 * fuzz_template_mine.c: feeds the lines of an input to the template
 * miner (with header stripping, as `vigil templates` does), runs the
 * final pass, and reads every template back.  Small table limits make
 * the overflow paths reachable.
 */
#include <stdint.h>
#include <string.h>

#include "anomaly/anomaly.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *e = p + size;
	struct anomaly_miner_opts o;
	struct anomaly_miner *m;

	anomaly_miner_opts_default(&o);
	o.max_templates = 32;
	o.cache_slots = 16;
	o.example_len = 16;
	if (!(m = anomaly_miner_new(&o)))
		return 0;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(e - p);
		size_t skip = anomaly_header_skip(p, len);
		uint32_t id;

		if (anomaly_miner_add(m, p + skip, len - skip, &id) == 0 &&
		    anomaly_miner_resolve(m, id) >= anomaly_miner_clusters(m))
			__builtin_trap();
		p += len + 1;
	}
	anomaly_miner_finish(m);
	for (size_t i = 0; i < anomaly_miner_clusters(m); i++) {
		struct anomaly_template t;

		anomaly_miner_get(m, (uint32_t)i, &t);
		if (anomaly_template_id(t.text.p, t.text.len) != t.id)
			__builtin_trap();
	}
	anomaly_miner_free(m);
	return 0;
}
