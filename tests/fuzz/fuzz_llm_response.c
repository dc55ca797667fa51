/*
 * fuzz_llm_response.c: whatever a server sends back: parsed as a
 * chat-completions document, fed as a server-sent event stream in two
 * pieces, and checked as a triage answer against the verdict schema.
 * None of it may crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "llm/llm.h"

static const char schema[] =
	"{\"type\":\"object\",\"additionalProperties\":false,"
	"\"required\":[\"verdict\"],\"properties\":{\"verdict\":{\"type\":"
	"\"string\",\"enum\":[\"malicious\",\"benign\"]},\"evidence\":{"
	"\"type\":\"array\",\"maxItems\":3,\"items\":{\"type\":\"string\"}}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct llm_response r;
	struct llm_sse *s;
	struct core_str obj;
	size_t half = size / 2;

	llm_response_parse(p, size, &r, NULL);
	if (r.content && llm_json_extract(r.content, strlen(r.content), &obj))
		llm_schema_validate(schema, obj.p, obj.len, NULL);
	llm_response_free(&r);
	s = llm_sse_new(1 << 16, NULL, NULL);
	if (!s)
		return 0;
	if (llm_sse_feed(s, p, half, NULL) == 0 &&
	    llm_sse_feed(s, p + half, size - half, NULL) == 0 &&
	    llm_sse_finish(s, &r, NULL) == 0)
		llm_response_free(&r);
	llm_sse_free(s);
	if (llm_json_extract(p, size, &obj))
		llm_schema_validate(schema, obj.p, obj.len, NULL);
	return 0;
}
