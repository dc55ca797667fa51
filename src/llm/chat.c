/*
 * chat.c: conversations and the request body that carries them.
 *
 * A chat is a growing list of messages owned by the chat (every string
 * copied in).  The body follows the chat-completions protocol: model,
 * messages (assistant turns keep their tool_calls, tool turns their
 * tool_call_id), temperature, max_tokens, tools, and response_format for
 * structured output when the server is believed to support it.  The key
 * never appears here: it travels only in a header set by client.c.
 */
#include "llm/llm.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct msg {
	enum llm_role role;
	char *content;
	char tool_call_id[LLM_ID_MAX];
	size_t ncalls;
	struct llm_tool_call *calls;
};

struct llm_chat {
	struct msg *m;
	size_t n, cap;
};

struct llm_chat *llm_chat_new(void)
{
	return calloc(1, sizeof(struct llm_chat));
}

void llm_chat_free(struct llm_chat *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->m[i].content);
		for (size_t j = 0; j < c->m[i].ncalls; j++)
			free(c->m[i].calls[j].arguments);
		free(c->m[i].calls);
	}
	free(c->m);
	free(c);
}

size_t llm_chat_count(const struct llm_chat *c)
{
	return c->n;
}

static struct msg *push(struct llm_chat *c)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct msg *m = realloc(c->m, cap * sizeof(*m));

		if (!m)
			return NULL;
		c->m = m;
		c->cap = cap;
	}
	memset(&c->m[c->n], 0, sizeof(c->m[0]));
	return &c->m[c->n++];
}

int llm_chat_add(struct llm_chat *c, enum llm_role role, const char *content)
{
	struct msg *m = push(c);

	if (!m)
		return CORE_E_NOMEM;
	m->role = role;
	m->content = strdup(content ? content : "");
	if (!m->content) {
		c->n--;
		return CORE_E_NOMEM;
	}
	return 0;
}

int llm_chat_add_tool_result(struct llm_chat *c, const char *id,
			     const char *content)
{
	int rc = llm_chat_add(c, LLM_ROLE_TOOL, content);

	if (rc == 0)
		snprintf(c->m[c->n - 1].tool_call_id, LLM_ID_MAX, "%s", id);
	return rc;
}

int llm_chat_add_response(struct llm_chat *c, const struct llm_response *r)
{
	struct msg *m;

	if (llm_chat_add(c, LLM_ROLE_ASSISTANT, r->content) != 0)
		return CORE_E_NOMEM;
	m = &c->m[c->n - 1];
	if (!r->ntool_calls)
		return 0;
	m->calls = calloc(r->ntool_calls, sizeof(*m->calls));
	if (!m->calls)
		return CORE_E_NOMEM;
	for (size_t i = 0; i < r->ntool_calls; i++) {
		m->calls[i] = r->tool_calls[i];
		m->calls[i].arguments = strdup(r->tool_calls[i].arguments ?
					       r->tool_calls[i].arguments :
					       "{}");
		if (!m->calls[i].arguments)
			return CORE_E_NOMEM;
		m->ncalls = i + 1;
	}
	return 0;
}

/* ------------------------------------------------------------- request */

static const char *role_name(enum llm_role r)
{
	static const char *const names[] = { "system", "user", "assistant",
					     "tool" };

	return names[r];
}

static cJSON *message_json(const struct msg *m)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *calls;

	cJSON_AddStringToObject(o, "role", role_name(m->role));
	if (m->role == LLM_ROLE_ASSISTANT && m->ncalls && !m->content[0])
		cJSON_AddNullToObject(o, "content");
	else
		cJSON_AddStringToObject(o, "content", m->content);
	if (m->role == LLM_ROLE_TOOL)
		cJSON_AddStringToObject(o, "tool_call_id", m->tool_call_id);
	if (!m->ncalls)
		return o;
	calls = cJSON_AddArrayToObject(o, "tool_calls");
	for (size_t i = 0; i < m->ncalls; i++) {
		cJSON *tc = cJSON_CreateObject();
		cJSON *fn = cJSON_AddObjectToObject(tc, "function");

		cJSON_AddStringToObject(tc, "id", m->calls[i].id);
		cJSON_AddStringToObject(tc, "type", "function");
		cJSON_AddStringToObject(fn, "name", m->calls[i].name);
		cJSON_AddStringToObject(fn, "arguments",
					m->calls[i].arguments);
		cJSON_AddItemToArray(calls, tc);
	}
	return o;
}

static void add_tools(cJSON *root, const struct llm_chat_opts *o)
{
	cJSON *tools = cJSON_AddArrayToObject(root, "tools");

	for (size_t i = 0; i < o->ntools; i++) {
		cJSON *t = cJSON_CreateObject();
		cJSON *fn = cJSON_AddObjectToObject(t, "function");
		cJSON *params = cJSON_Parse(o->tools[i].parameters);

		cJSON_AddStringToObject(t, "type", "function");
		cJSON_AddStringToObject(fn, "name", o->tools[i].name);
		cJSON_AddStringToObject(fn, "description",
					o->tools[i].description);
		if (!params)
			params = cJSON_CreateObject();
		cJSON_AddItemToObject(fn, "parameters", params);
		cJSON_AddItemToArray(tools, t);
	}
}

static void add_format(cJSON *root, const struct llm_config *cfg,
		       const struct llm_chat_opts *o)
{
	cJSON *rf, *js, *schema;

	if (!o->schema || cfg->structured == LLM_STRUCT_NONE)
		return;
	rf = cJSON_AddObjectToObject(root, "response_format");
	if (cfg->structured == LLM_STRUCT_JSON_OBJECT) {
		cJSON_AddStringToObject(rf, "type", "json_object");
		return;
	}
	cJSON_AddStringToObject(rf, "type", "json_schema");
	js = cJSON_AddObjectToObject(rf, "json_schema");
	cJSON_AddStringToObject(js, "name",
				o->schema_name ? o->schema_name : "answer");
	schema = cJSON_Parse(o->schema);
	cJSON_AddItemToObject(js, "schema",
			      schema ? schema : cJSON_CreateObject());
	cJSON_AddBoolToObject(js, "strict", true);
}

int llm_request_json(const struct llm_config *cfg, const struct llm_chat *chat,
		     const struct llm_chat_opts *opts, bool schema_ok,
		     struct core_buf *out)
{
	static const struct llm_chat_opts none;
	cJSON *root = cJSON_CreateObject();
	cJSON *msgs;
	char *s;
	int rc;

	if (!opts)
		opts = &none;
	if (!root)
		return CORE_E_NOMEM;
	cJSON_AddStringToObject(root, "model", cfg->model);
	msgs = cJSON_AddArrayToObject(root, "messages");
	for (size_t i = 0; i < chat->n; i++)
		cJSON_AddItemToArray(msgs, message_json(&chat->m[i]));
	cJSON_AddNumberToObject(root, "temperature", cfg->temperature);
	cJSON_AddNumberToObject(root, "max_tokens", opts->max_tokens ?
				opts->max_tokens : cfg->max_tokens);
	if (opts->ntools)
		add_tools(root, opts);
	if (schema_ok)
		add_format(root, cfg, opts);
	if (opts->stream) {
		cJSON_AddBoolToObject(root, "stream", true);
		cJSON_AddBoolToObject(cJSON_AddObjectToObject(root,
				      "stream_options"), "include_usage",
				      true);
	}
	s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!s)
		return CORE_E_NOMEM;
	rc = core_buf_add(out, s, strlen(s));
	free(s);
	return rc;
}
