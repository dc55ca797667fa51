/*
 * response.c: what comes back from a chat-completions server, as one
 * JSON document or as a stream of server-sent events.
 *
 * Both paths fill the same struct llm_response from the first choice:
 * content, tool calls (at most LLM_MAX_TOOL_CALLS; more are counted as
 * cut), finish reason and usage.  Servers differ in small ways that are
 * accepted here: content null or absent beside tool calls, arguments
 * given as an object instead of a string (some local servers), usage
 * only in the last stream chunk or not at all, "data:" lines with or
 * without a space, CRLF line ends, comments and keep-alive lines.
 * Everything else is an error with a message, never a crash: this is
 * the fuzzed surface (tests/fuzz/fuzz_llm_response.c).
 *
 * The SSE parser is fed arbitrary slices, keeps at most max_bytes of
 * text in all (a line, content and arguments together) and joins
 * tool-call fragments by their index.
 */
#include "llm/llm.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void llm_response_free(struct llm_response *r)
{
	if (!r)
		return;
	free(r->content);
	for (size_t i = 0; i < r->ntool_calls; i++)
		free(r->tool_calls[i].arguments);
	memset(r, 0, sizeof(*r));
}

static void copy_id(char *dst, const cJSON *s)
{
	if (cJSON_IsString(s))
		snprintf(dst, LLM_ID_MAX, "%s", s->valuestring);
}

/* Arguments as text: a string as is, an object printed. */
static char *arguments_text(const cJSON *a)
{
	if (cJSON_IsString(a))
		return strdup(a->valuestring);
	if (cJSON_IsObject(a))
		return cJSON_PrintUnformatted(a);
	return strdup("");
}

static int parse_usage(const cJSON *root, struct llm_response *r)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(root, "usage");
	const cJSON *pt, *ct;

	if (!cJSON_IsObject(u))
		return 0;
	pt = cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens");
	ct = cJSON_GetObjectItemCaseSensitive(u, "completion_tokens");
	if (cJSON_IsNumber(pt) && pt->valuedouble >= 0 &&
	    pt->valuedouble < 1e12)
		r->prompt_tokens = (uint64_t)pt->valuedouble;
	if (cJSON_IsNumber(ct) && ct->valuedouble >= 0 &&
	    ct->valuedouble < 1e12)
		r->completion_tokens = (uint64_t)ct->valuedouble;
	r->usage_known = cJSON_IsNumber(pt) || cJSON_IsNumber(ct);
	return 0;
}

static int parse_calls(const cJSON *calls, struct llm_response *r,
		       struct core_error *err)
{
	const cJSON *tc;

	cJSON_ArrayForEach(tc, calls) {
		const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc,
								   "function");
		struct llm_tool_call *c;

		if (!cJSON_IsObject(fn))
			return core_fail(err, CORE_E_PARSE, NULL, 0,
					 "tool call without a function");
		if (r->ntool_calls == LLM_MAX_TOOL_CALLS) {
			r->tool_calls_cut = true;
			break;
		}
		c = &r->tool_calls[r->ntool_calls];
		copy_id(c->id, cJSON_GetObjectItemCaseSensitive(tc, "id"));
		copy_id(c->name, cJSON_GetObjectItemCaseSensitive(fn, "name"));
		c->arguments = arguments_text(
			cJSON_GetObjectItemCaseSensitive(fn, "arguments"));
		if (!c->arguments)
			return CORE_E_NOMEM;
		if (!c->id[0])
			snprintf(c->id, LLM_ID_MAX, "call_%zu",
				 r->ntool_calls);
		r->ntool_calls++;
		if (!c->name[0])
			return core_fail(err, CORE_E_PARSE, NULL, 0,
					 "tool call without a name");
	}
	return 0;
}

static int server_error(const cJSON *root, struct core_error *err)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	const cJSON *m = cJSON_IsObject(e) ?
			 cJSON_GetObjectItemCaseSensitive(e, "message") : e;

	return core_fail(err, CORE_E_PARSE, NULL, 0, "server error: %.200s",
			 cJSON_IsString(m) ? m->valuestring : "(no message)");
}

static int parse_root(const cJSON *root, struct llm_response *r,
		      struct core_error *err)
{
	const cJSON *choices, *c0, *msg, *content, *fr;

	if (!cJSON_IsObject(root))
		return core_fail(err, CORE_E_PARSE, NULL, 0,
				 "answer is not a JSON object");
	if (cJSON_GetObjectItemCaseSensitive(root, "error"))
		return server_error(root, err);
	choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	c0 = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
	msg = cJSON_GetObjectItemCaseSensitive(c0, "message");
	if (!cJSON_IsObject(msg))
		return core_fail(err, CORE_E_PARSE, NULL, 0,
				 "answer has no choices[0].message");
	content = cJSON_GetObjectItemCaseSensitive(msg, "content");
	if (cJSON_IsString(content)) {
		r->content = strdup(content->valuestring);
		if (!r->content)
			return CORE_E_NOMEM;
	} else if (content && !cJSON_IsNull(content)) {
		return core_fail(err, CORE_E_PARSE, NULL, 0,
				 "message content is not a string");
	}
	fr = cJSON_GetObjectItemCaseSensitive(c0, "finish_reason");
	if (cJSON_IsString(fr))
		snprintf(r->finish_reason, sizeof(r->finish_reason), "%s",
			 fr->valuestring);
	parse_usage(root, r);
	return parse_calls(cJSON_GetObjectItemCaseSensitive(msg, "tool_calls"),
			   r, err);
}

int llm_response_parse(const char *p, size_t len, struct llm_response *r,
		       struct core_error *err)
{
	cJSON *root;
	int rc;

	memset(r, 0, sizeof(*r));
	root = cJSON_ParseWithLength(p, len);
	if (!root)
		return core_fail(err, CORE_E_PARSE, NULL, 0,
				 "answer is not JSON (%zu bytes)", len);
	rc = parse_root(root, r, err);
	cJSON_Delete(root);
	return rc;
}

/* ------------------------------------------------------------------ SSE */

struct llm_sse {
	struct core_buf line;
	struct core_buf content;
	struct core_buf args[LLM_MAX_TOOL_CALLS];
	struct llm_tool_call calls[LLM_MAX_TOOL_CALLS];
	size_t ncalls;
	bool cut;
	bool done;
	bool any;
	char finish_reason[32];
	uint64_t prompt_tokens, completion_tokens;
	bool usage_known;
	size_t max, used;
	llm_delta_fn cb;
	void *ud;
};

struct llm_sse *llm_sse_new(size_t max_bytes, llm_delta_fn cb, void *ud)
{
	struct llm_sse *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->max = max_bytes ? max_bytes : (1u << 20);
	core_buf_init(&s->line, s->max);
	core_buf_init(&s->content, s->max);
	for (size_t i = 0; i < LLM_MAX_TOOL_CALLS; i++)
		core_buf_init(&s->args[i], s->max);
	s->cb = cb;
	s->ud = ud;
	return s;
}

void llm_sse_free(struct llm_sse *s)
{
	if (!s)
		return;
	core_buf_free(&s->line);
	core_buf_free(&s->content);
	for (size_t i = 0; i < LLM_MAX_TOOL_CALLS; i++)
		core_buf_free(&s->args[i]);
	free(s);
}

static int budget(struct llm_sse *s, size_t n, struct core_error *err)
{
	s->used += n;
	if (s->used > s->max)
		return core_fail(err, CORE_E_TOOBIG, NULL, 0,
				 "streamed answer above %zu bytes", s->max);
	return 0;
}

static int delta_call(struct llm_sse *s, const cJSON *tc,
		      struct core_error *err)
{
	const cJSON *ix = cJSON_GetObjectItemCaseSensitive(tc, "index");
	const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(fn, "arguments");
	size_t i = cJSON_IsNumber(ix) && ix->valuedouble >= 0 &&
		   ix->valuedouble < 1e6 ? (size_t)ix->valuedouble : s->ncalls;

	if (i >= LLM_MAX_TOOL_CALLS) {
		s->cut = true;
		return 0;
	}
	if (i >= s->ncalls)
		s->ncalls = i + 1;
	copy_id(s->calls[i].id, cJSON_GetObjectItemCaseSensitive(tc, "id"));
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(fn, "name")))
		copy_id(s->calls[i].name,
			cJSON_GetObjectItemCaseSensitive(fn, "name"));
	if (!cJSON_IsString(a))
		return 0;
	if (budget(s, strlen(a->valuestring), err))
		return CORE_E_TOOBIG;
	return core_buf_add(&s->args[i], a->valuestring,
			    strlen(a->valuestring));
}

static int sse_chunk(struct llm_sse *s, const cJSON *root,
		     struct core_error *err)
{
	const cJSON *choices, *c0, *delta, *content, *fr, *tc;
	int rc;

	if (cJSON_GetObjectItemCaseSensitive(root, "error"))
		return server_error(root, err);
	if (cJSON_GetObjectItemCaseSensitive(root, "usage")) {
		struct llm_response u = { 0 };

		parse_usage(root, &u);
		if (u.usage_known) {
			s->prompt_tokens = u.prompt_tokens;
			s->completion_tokens = u.completion_tokens;
			s->usage_known = true;
		}
	}
	choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	c0 = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
	if (!c0)
		return 0;	/* usage-only chunk */
	fr = cJSON_GetObjectItemCaseSensitive(c0, "finish_reason");
	if (cJSON_IsString(fr))
		snprintf(s->finish_reason, sizeof(s->finish_reason), "%s",
			 fr->valuestring);
	delta = cJSON_GetObjectItemCaseSensitive(c0, "delta");
	content = cJSON_GetObjectItemCaseSensitive(delta, "content");
	if (cJSON_IsString(content) && content->valuestring[0]) {
		size_t n = strlen(content->valuestring);

		if (budget(s, n, err))
			return CORE_E_TOOBIG;
		if ((rc = core_buf_add(&s->content, content->valuestring, n)))
			return rc;
		if (s->cb)
			s->cb(content->valuestring, n, s->ud);
	}
	cJSON_ArrayForEach(tc, cJSON_GetObjectItemCaseSensitive(delta,
								"tool_calls"))
		if ((rc = delta_call(s, tc, err)) != 0)
			return rc;
	return 0;
}

/* One complete line of the stream. */
static int sse_line(struct llm_sse *s, const char *p, size_t n,
		    struct core_error *err)
{
	cJSON *root;
	int rc;

	if (n && p[n - 1] == '\r')
		n--;
	if (n < 5 || memcmp(p, "data:", 5) != 0)
		return 0;	/* blank, comment, event:, id:, retry: */
	p += 5;
	n -= 5;
	while (n && *p == ' ') {
		p++;
		n--;
	}
	if (n == 6 && memcmp(p, "[DONE]", 6) == 0) {
		s->done = true;
		return 0;
	}
	root = cJSON_ParseWithLength(p, n);
	if (!root)
		return core_fail(err, CORE_E_PARSE, NULL, 0,
				 "stream event is not JSON");
	s->any = true;
	rc = sse_chunk(s, root, err);
	cJSON_Delete(root);
	return rc;
}

int llm_sse_feed(struct llm_sse *s, const char *p, size_t len,
		 struct core_error *err)
{
	const char *end = p + len;
	int rc;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (core_buf_add(&s->line, p, n) != 0)
			return core_fail(err, CORE_E_TOOBIG, NULL, 0,
					 "stream line above %zu bytes",
					 s->max);
		p += n;
		if (!nl)
			break;
		p++;
		rc = sse_line(s, s->line.p ? s->line.p : "", s->line.len,
			      err);
		core_buf_reset(&s->line);
		if (rc)
			return rc;
	}
	return 0;
}

int llm_sse_finish(struct llm_sse *s, struct llm_response *r,
		   struct core_error *err)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (s->line.len) {
		rc = sse_line(s, s->line.p, s->line.len, err);
		core_buf_reset(&s->line);
		if (rc)
			return rc;
	}
	if (!s->any)
		return core_fail(err, CORE_E_PARSE, NULL, 0,
				 "stream ended without an answer");
	if (s->content.len)
		r->content = strdup(core_buf_cstr(&s->content));
	for (size_t i = 0; i < s->ncalls; i++) {
		r->tool_calls[i] = s->calls[i];
		r->tool_calls[i].arguments = strdup(s->args[i].len ?
			core_buf_cstr(&s->args[i]) : "{}");
		if (!r->tool_calls[i].id[0])
			snprintf(r->tool_calls[i].id, LLM_ID_MAX, "call_%zu",
				 i);
		r->ntool_calls = i + 1;
	}
	r->tool_calls_cut = s->cut;
	snprintf(r->finish_reason, sizeof(r->finish_reason), "%s",
		 s->finish_reason);
	r->prompt_tokens = s->prompt_tokens;
	r->completion_tokens = s->completion_tokens;
	r->usage_known = s->usage_known;
	return 0;
}

/* ------------------------------------------------------------ helpers */

/* End of the brace-balanced object starting at p[0] == '{', or NULL. */
static const char *object_end(const char *p, const char *end)
{
	int depth = 0;
	bool str = false;

	for (; p < end; p++) {
		if (str) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				str = false;
			continue;
		}
		if (*p == '"')
			str = true;
		else if (*p == '{')
			depth++;
		else if (*p == '}' && --depth == 0)
			return p + 1;
	}
	return NULL;
}

bool llm_json_extract(const char *p, size_t len, struct core_str *out)
{
	const char *end = p + len;

	for (const char *q = p; q < end; q++) {
		const char *e;

		if (*q != '{')
			continue;
		e = object_end(q, end);
		if (!e)
			return false;
		*out = core_str_make(q, (size_t)(e - q));
		return true;
	}
	return false;
}

size_t llm_token_estimate(const char *p, size_t len)
{
	size_t ascii = 0, other = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x80)
			ascii++;
		else if ((c & 0xc0) != 0x80)
			other++;
	}
	return (ascii + 3) / 4 + other;
}
