/*
 * llm.h: vigil's side of a language model: the configuration, an
 * OpenAI-compatible chat-completions client, the parsers for its answers
 * (whole documents and server-sent event streams), a small JSON Schema
 * validator for structured output, and the pseudonymiser that stands
 * between log data and any request that leaves the machine.
 *
 * The client speaks the one protocol that Azure OpenAI, DeepSeek,
 * Qwen-compatible endpoints, Ollama, vLLM and llama.cpp's server share:
 * POST {base_url}/chat/completions with a JSON body (docs/llm.md lists
 * each server's base URL and quirks).  Every answer is bounded in size
 * and time, retried with backoff on 429 and 5xx, and accounted for.
 *
 * The API key is read from an environment variable or a file when the
 * client is made, kept only in the client, wiped when it is freed, and
 * never logged, stored or copied into a trace.
 *
 * Ownership: everything an llm_* call returns is owned by the caller and
 * freed with the matching _free; strings are NUL-terminated and carry no
 * meaning beyond UTF-8 bytes.
 */
#ifndef VIGIL_LLM_H
#define VIGIL_LLM_H

#include "core/core.h"

/* -------------------------------------------------------------- config */

/* What may leave the machine (docs/config.md, `privacy:`). */
enum llm_privacy {
	LLM_PRIVACY_PSEUDONYMISE = 0,	/* default: tokens, no secrets */
	LLM_PRIVACY_OFF,		/* send log data as it is */
	LLM_PRIVACY_NONE,		/* send nothing: no model is asked */
};

/* How structured output is requested (`structured_output:`). */
enum llm_structured {
	LLM_STRUCT_JSON_SCHEMA = 0,	/* response_format json_schema */
	LLM_STRUCT_JSON_OBJECT,		/* response_format json_object */
	LLM_STRUCT_NONE,		/* prompt only; vigil validates */
};

/* Which header carries the key (`provider:`). */
enum llm_provider {
	LLM_PROVIDER_OPENAI = 0,	/* Authorization: Bearer KEY */
	LLM_PROVIDER_AZURE,		/* api-key: KEY, ?api-version= */
};

#define LLM_URL_MAX 512
#define LLM_NAME_MAX 128
#define LLM_PATH_MAX 512

/*
 * Defaults (llm_config_defaults) in brackets.  base_url empty means no
 * model is configured: triage stays deterministic.
 */
struct llm_config {
	char base_url[LLM_URL_MAX];	/* ["" ] .../v1 */
	char model[LLM_NAME_MAX];	/* [""] */
	char key_env[LLM_NAME_MAX];	/* [VIGIL_LLM_API_KEY] */
	char key_file[LLM_PATH_MAX];	/* [""] */
	char api_version[LLM_NAME_MAX];	/* Azure only [""] */
	enum llm_provider provider;
	enum llm_structured structured;
	enum llm_privacy privacy;
	bool keep_ip_prefix;		/* IP tokens keep the /24 or /48 */
	bool keep_ip_class;		/* ... and private/public [true] */
	long connect_timeout_ms;	/* [5000] */
	long timeout_ms;		/* whole request [60000] */
	unsigned retries;		/* extra attempts [2] */
	unsigned backoff_ms;		/* first backoff [500] */
	unsigned max_backoff_ms;	/* and Retry-After cap [20000] */
	unsigned concurrency;		/* requests in flight [2] */
	unsigned max_tokens;		/* per answer [1024] */
	double temperature;		/* [0] */
	size_t max_response_bytes;	/* [1 MiB] */
	unsigned step_limit;		/* model turns per incident [6] */
	unsigned score_floor_bound;	/* points a model may take [15] */
	char map_key_file[LLM_PATH_MAX];	/* pseudonym map key [""] */
};

/* The upper bound score_floor_bound may be set to. */
#define LLM_SCORE_FLOOR_BOUND_MAX 30
#define LLM_STEP_LIMIT_MAX 20

void llm_config_defaults(struct llm_config *cfg);

/*
 * Reads vigil.yaml at path over the current values of cfg (unknown keys
 * are errors, so typos are seen).  Errors carry the file and line.
 */
int llm_config_load(struct llm_config *cfg, const char *path,
		    struct core_error *err);

/*
 * The config file to read: $VIGIL_CONFIG, else ./vigil.yaml, else
 * $XDG_CONFIG_HOME/vigil/vigil.yaml or ~/.config/vigil/vigil.yaml, when
 * it exists.  Returns false when there is none.
 */
bool llm_config_find(char *out, size_t n);

/* True when a model is configured and the privacy policy allows asking. */
bool llm_config_enabled(const struct llm_config *cfg);

const char *llm_privacy_name(enum llm_privacy p);

/* ------------------------------------------------------------ messages */

enum llm_role {
	LLM_ROLE_SYSTEM = 0,
	LLM_ROLE_USER,
	LLM_ROLE_ASSISTANT,
	LLM_ROLE_TOOL,
};

#define LLM_MAX_TOOL_CALLS 8		/* kept per answer; more are cut */
#define LLM_ID_MAX 64

struct llm_tool_call {
	char id[LLM_ID_MAX];
	char name[LLM_ID_MAX];
	char *arguments;		/* JSON text as the model wrote it */
};

/* A function the model may call: name, description, JSON Schema. */
struct llm_tool_def {
	const char *name;
	const char *description;
	const char *parameters;		/* JSON Schema text */
};

/* A conversation: the messages sent, in order. */
struct llm_chat;

struct llm_chat *llm_chat_new(void);
void llm_chat_free(struct llm_chat *c);
/* Copies content.  CORE_E_NOMEM. */
int llm_chat_add(struct llm_chat *c, enum llm_role role, const char *content);
/* The result of a tool call, answering call id. */
int llm_chat_add_tool_result(struct llm_chat *c, const char *id,
			     const char *content);
size_t llm_chat_count(const struct llm_chat *c);

/* ------------------------------------------------------------- answers */

/* One answer, parsed from a document or assembled from a stream. */
struct llm_response {
	char *content;			/* NULL when the model sent none */
	size_t ntool_calls;
	struct llm_tool_call tool_calls[LLM_MAX_TOOL_CALLS];
	bool tool_calls_cut;		/* the model asked for more */
	char finish_reason[32];
	uint64_t prompt_tokens;
	uint64_t completion_tokens;
	bool usage_known;		/* the server reported usage */
	long http_status;
	unsigned attempts;
	int64_t latency_us;
};

void llm_response_free(struct llm_response *r);

/* Appends the assistant's answer (content and tool calls) to c. */
int llm_chat_add_response(struct llm_chat *c, const struct llm_response *r);

/*
 * Parses a chat-completions response document (the first choice).
 * CORE_E_PARSE with a message when it is not one; an error object from
 * the server becomes CORE_E_PARSE with the server's message.  r is reset
 * first and must be freed whatever the result.
 */
int llm_response_parse(const char *p, size_t len, struct llm_response *r,
		       struct core_error *err);

/*
 * Incremental server-sent event parser for streamed answers: feed bytes
 * as they come (any split), then finish.  Content deltas go to cb as
 * they arrive (cb may be NULL); tool-call fragments are joined by index.
 */
struct llm_sse;
typedef void (*llm_delta_fn)(const char *p, size_t len, void *ud);

struct llm_sse *llm_sse_new(size_t max_bytes, llm_delta_fn cb, void *ud);
void llm_sse_free(struct llm_sse *s);
/* CORE_E_TOOBIG past max_bytes, CORE_E_PARSE on a bad event. */
int llm_sse_feed(struct llm_sse *s, const char *p, size_t len,
		 struct core_error *err);
/* Moves the assembled answer into r; CORE_E_PARSE when nothing came. */
int llm_sse_finish(struct llm_sse *s, struct llm_response *r,
		   struct core_error *err);

/* ------------------------------------------------------------- schemas */

/*
 * Validates JSON text against a JSON Schema (the subset vigil's schemas
 * use: type, properties, required, additionalProperties false, enum,
 * items, minItems, maxItems, minimum, maximum, minLength, maxLength).
 * Returns 0, or CORE_E_PARSE with the first violation and its JSON path
 * in err ("$.confidence: above maximum 1").
 */
int llm_schema_validate(const char *schema, const char *json, size_t len,
			struct core_error *err);

/*
 * The JSON object inside a model's text: the whole text, or the first
 * fenced or brace-balanced object in it (models wrap JSON in prose).
 * Returns false when there is none.
 */
bool llm_json_extract(const char *p, size_t len, struct core_str *out);

/* -------------------------------------------------------------- client */

struct llm_client;

/* What a client has done since it was made. */
struct llm_accounting {
	uint64_t requests;		/* chats asked */
	uint64_t attempts;		/* HTTP requests sent */
	uint64_t retries;
	uint64_t failures;		/* chats that returned an error */
	uint64_t timeouts;
	uint64_t rate_limited;		/* 429 answers */
	uint64_t server_errors;		/* 5xx answers */
	uint64_t prompt_tokens;
	uint64_t completion_tokens;
	int64_t latency_us;		/* summed over chats */
};

/*
 * Makes a client for cfg (copied).  Reads the key from cfg->key_file or
 * the environment variable cfg->key_env; a missing key is not an error
 * (local servers need none).  CORE_E_INVAL without base_url or model,
 * CORE_E_IO when key_file cannot be read.
 */
int llm_client_new(const struct llm_config *cfg, struct llm_client **out,
		   struct core_error *err);
/* Wipes the key; llm_client_free(NULL) does nothing. */
void llm_client_free(struct llm_client *c);

/* Options of one chat. */
struct llm_chat_opts {
	const char *schema_name;	/* structured output; NULL: none */
	const char *schema;		/* JSON Schema text */
	const struct llm_tool_def *tools;
	size_t ntools;
	bool stream;			/* server-sent events */
	llm_delta_fn on_delta;		/* streamed content, may be NULL */
	void *ud;
	unsigned max_tokens;		/* 0: the config's */
};

/*
 * Sends the chat and fills r.  Blocks while the concurrency limit is
 * reached; retries 429, 5xx, timeouts and dropped connections with
 * exponential backoff (honouring Retry-After, capped).  Errors:
 * CORE_E_IO (network, timeout, HTTP error after retries; err says which
 * and the status), CORE_E_TOOBIG (answer above max_response_bytes),
 * CORE_E_PARSE (not a chat-completions answer).  Thread-safe.
 */
int llm_client_chat(struct llm_client *c, const struct llm_chat *chat,
		    const struct llm_chat_opts *opts, struct llm_response *r,
		    struct core_error *err);

/*
 * The request body llm_client_chat would send (for traces and tests):
 * appended to out.  Never contains the key.
 */
int llm_request_json(const struct llm_config *cfg, const struct llm_chat *chat,
		     const struct llm_chat_opts *opts, bool schema_ok,
		     struct core_buf *out);

void llm_client_accounting(struct llm_client *c, struct llm_accounting *out);
const struct llm_config *llm_client_config(const struct llm_client *c);

/* ----------------------------------------------------- pseudonymisation */

/* Kinds of value that become tokens. */
enum llm_pseudo_kind {
	LLM_PK_IP = 0,
	LLM_PK_USER,
	LLM_PK_HOST,
	LLM_PK_EMAIL,
	LLM_PK_DOMAIN,
	LLM_PK__COUNT,
};

/* The replacement for a removed secret. */
#define LLM_PSEUDO_SECRET "[REDACTED]"

/*
 * A consistent mapping from values to tokens ("IP-PUB-3", "USER-2",
 * "HOST-1", "EMAIL-1", "DOMAIN-4"): the same value always gets the same
 * token, across incidents too when the map is saved and loaded.  Text
 * going out has its addresses, e-mail addresses, URL hosts and domains
 * replaced by pattern, user and host names replaced where they were
 * registered (or stand in a log's user clause or a user or host field),
 * and secrets removed.
 */
struct llm_pseudo;

struct llm_pseudo *llm_pseudo_new(bool keep_ip_prefix, bool keep_ip_class);
void llm_pseudo_free(struct llm_pseudo *p);

/* Makes value known as kind, so that it is replaced wherever it occurs. */
int llm_pseudo_register(struct llm_pseudo *p, enum llm_pseudo_kind kind,
			const char *value, size_t len);

/*
 * The token for value (registering it), appended to out.  For fields
 * whose kind is known (an entity's value).
 */
int llm_pseudo_token(struct llm_pseudo *p, enum llm_pseudo_kind kind,
		     const char *value, size_t len, struct core_buf *out);

/* Appends text with every value replaced and every secret removed. */
int llm_pseudo_text(struct llm_pseudo *p, const char *text, size_t len,
		    struct core_buf *out);

/*
 * The same for text vigil wrote (rule titles, incident titles, its own
 * notes): registered values, patterns and secrets, but none of the rules
 * that read a log's layout (a user clause, a keyed field, a syslog host),
 * so that "scanner user agent" stays as it is.
 */
int llm_pseudo_prose(struct llm_pseudo *p, const char *text, size_t len,
		     struct core_buf *out);

/*
 * Reads text as llm_pseudo_text() does and keeps only what it learnt:
 * every name and address found becomes registered, so that it is then
 * replaced wherever it stands, in this text or another.  For the lines
 * of an evidence pack, before the pack is written.
 */
int llm_pseudo_learn(struct llm_pseudo *p, const char *text, size_t len);

/* Appends text with every known token replaced by its original value. */
int llm_pseudo_reveal(const struct llm_pseudo *p, const char *text,
		      size_t len, struct core_buf *out);

/* The original of one token; false when it is not a token of p. */
bool llm_pseudo_lookup(const struct llm_pseudo *p, const char *token,
		       size_t len, struct core_str *out);

size_t llm_pseudo_count(const struct llm_pseudo *p);

/* Removes secrets only (for LLM_PRIVACY_OFF and for traces). */
int llm_pseudo_scrub(const char *text, size_t len, struct core_buf *out);

#define LLM_SEAL_KEY_BYTES 32

/*
 * Reads the 32-byte map key from path, creating it (mode 0600, random)
 * when absent.  CORE_E_IO when it cannot; CORE_E_INVAL when the file is
 * not exactly a key or is readable by others.
 */
int llm_seal_key_load(const char *path, unsigned char key[32],
		      struct core_error *err);

/*
 * The mapping sealed with libsodium's secretbox (XSalsa20-Poly1305,
 * random nonce in front), appended to out; and opened again into p
 * (which gains the entries).  Opening fails with CORE_E_PARSE when the
 * blob was altered or the key is wrong.
 */
int llm_pseudo_seal(const struct llm_pseudo *p, const unsigned char key[32],
		    struct core_buf *out);
int llm_pseudo_unseal(struct llm_pseudo *p, const unsigned char key[32],
		      const void *blob, size_t len, struct core_error *err);

/* ------------------------------------------------------------ estimate */

/*
 * Tokens a text costs a model, estimated: one per 4 ASCII bytes (rounded
 * up) plus one per non-ASCII code point.  Documented in docs/llm.md;
 * within about 25% of the BPE tokenisers of common models on log text,
 * and on the high side for CJK.
 */
size_t llm_token_estimate(const char *p, size_t len);

#endif /* VIGIL_LLM_H */
