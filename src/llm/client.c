/*
 * client.c: the chat-completions client over libcurl.
 *
 * One chat is: wait for a slot under the concurrency limit, then up to
 * 1 + retries HTTP attempts.  An attempt that ends in 429, 5xx, a
 * timeout or a dropped connection is retried after a backoff that
 * doubles from backoff_ms (with jitter), or after the server's
 * Retry-After when it sent one, both capped at max_backoff_ms.  Other
 * 4xx answers are final, except one: a 400 that names response_format
 * means the server does not take structured output, so the chat is sent
 * once more without it and the client stops asking for it (vigil
 * validates the answer itself anyway).
 *
 * Bounds: connect and total timeouts from the config, the answer (body
 * or stream) cut at max_response_bytes, which fails the chat with
 * CORE_E_TOOBIG and is not retried.  Nothing here logs a header, a body
 * or the key; the key lives in the client and is wiped on free.
 */
#include "llm/llm.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct llm_client {
	struct llm_config cfg;
	char key[512];
	bool have_key;
	bool schema_ok;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned busy;
	struct llm_accounting acc;
	uint64_t jitter;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Reads the key; trailing whitespace (a newline from echo) is dropped. */
static int read_key(struct llm_client *c, struct core_error *err)
{
	const char *env = c->cfg.key_env[0] ? getenv(c->cfg.key_env) : NULL;
	size_t n = 0;

	if (c->cfg.key_file[0]) {
		FILE *f = fopen(c->cfg.key_file, "rb");

		if (!f)
			return core_fail(err, CORE_E_IO, c->cfg.key_file, 0,
					 "key file: %s", strerror(errno));
		n = fread(c->key, 1, sizeof(c->key) - 1, f);
		fclose(f);
	} else if (env) {
		n = strlen(env);
		if (n >= sizeof(c->key))
			return core_fail(err, CORE_E_INVAL, NULL, 0,
					 "key in $%s is too long",
					 c->cfg.key_env);
		memcpy(c->key, env, n);
	}
	while (n && (c->key[n - 1] == '\n' || c->key[n - 1] == '\r' ||
		     c->key[n - 1] == ' '))
		n--;
	c->key[n] = '\0';
	c->have_key = n > 0;
	return 0;
}

int llm_client_new(const struct llm_config *cfg, struct llm_client **out,
		   struct core_error *err)
{
	struct llm_client *c;
	int rc;

	*out = NULL;
	if (!cfg->base_url[0] || !cfg->model[0])
		return core_fail(err, CORE_E_INVAL, NULL, 0,
				 "no model configured (base_url and model)");
	c = calloc(1, sizeof(*c));
	if (!c)
		return CORE_E_NOMEM;
	c->cfg = *cfg;
	if (!c->cfg.concurrency)
		c->cfg.concurrency = 1;
	c->schema_ok = true;
	c->jitter = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)c;
	if ((rc = read_key(c, err)) != 0) {
		llm_client_free(c);
		return rc;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	pthread_once(&curl_once, curl_init_once);
	*out = c;
	return 0;
}

void llm_client_free(struct llm_client *c)
{
	if (!c)
		return;
	sodium_memzero(c->key, sizeof(c->key));
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
}

const struct llm_config *llm_client_config(const struct llm_client *c)
{
	return &c->cfg;
}

void llm_client_accounting(struct llm_client *c, struct llm_accounting *out)
{
	pthread_mutex_lock(&c->mu);
	*out = c->acc;
	pthread_mutex_unlock(&c->mu);
}

/* --------------------------------------------------------- one attempt */

/* What one HTTP attempt collects. */
struct attempt {
	struct core_buf body;
	struct llm_sse *sse;
	struct core_error *err;
	int sse_rc;
	bool too_big;
	long retry_after_ms;
	long status;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct attempt *a = ud;
	size_t len = sz * n;

	/*
	 * A stream is parsed as it comes; the bytes are kept too, since a
	 * server may answer an error (or ignore "stream") with a document.
	 */
	if (a->sse && a->sse_rc == 0) {
		a->sse_rc = llm_sse_feed(a->sse, p, len, a->err);
		if (a->sse_rc == CORE_E_TOOBIG) {
			a->too_big = true;
			return 0;
		}
	}
	if (core_buf_add(&a->body, p, len) != 0) {
		a->too_big = true;
		return 0;	/* aborts the transfer */
	}
	return len;
}

/* Retry-After: seconds (an HTTP date is treated as one second). */
static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct attempt *a = ud;
	size_t len = sz * n;
	struct core_str h = core_str_make(p, len);
	uint64_t secs;

	if (len > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
		h = core_str_trim(core_str_make(p + 12, len - 12));
		a->retry_after_ms = core_str_to_u64(h, &secs) &&
				    secs < 86400 ? (long)secs * 1000 : 1000;
	}
	return len;
}

static struct curl_slist *headers(const struct llm_client *c, bool stream)
{
	struct curl_slist *h = NULL;
	char line[600];

	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, stream ? "Accept: text/event-stream" :
			      "Accept: application/json");
	if (c->have_key) {
		if (c->cfg.provider == LLM_PROVIDER_AZURE)
			snprintf(line, sizeof(line), "api-key: %s", c->key);
		else
			snprintf(line, sizeof(line),
				 "Authorization: Bearer %s", c->key);
		h = curl_slist_append(h, line);
		sodium_memzero(line, sizeof(line));
	}
	return h;
}

static void endpoint(const struct llm_client *c, char *out, size_t n)
{
	const char *b = c->cfg.base_url;
	size_t bl = strlen(b);

	while (bl && b[bl - 1] == '/')
		bl--;
	if (c->cfg.provider == LLM_PROVIDER_AZURE && c->cfg.api_version[0])
		snprintf(out, n, "%.*s/chat/completions?api-version=%s",
			 (int)bl, b, c->cfg.api_version);
	else
		snprintf(out, n, "%.*s/chat/completions", (int)bl, b);
}

static CURLcode perform(const struct llm_client *c, const char *body,
			bool stream, struct attempt *a)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdr;
	char url[LLM_URL_MAX + 64];
	CURLcode cc;

	if (!h)
		return CURLE_OUT_OF_MEMORY;
	hdr = headers(c, stream);
	endpoint(c, url, sizeof(url));
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 c->cfg.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->cfg.timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return cc;
}

/* ------------------------------------------------------------- policy */

static bool retryable_status(long s)
{
	return s == 429 || s == 500 || s == 502 || s == 503 || s == 504 ||
	       s == 408;
}

static bool retryable_curl(CURLcode cc)
{
	return cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_COULDNT_CONNECT ||
	       cc == CURLE_GOT_NOTHING || cc == CURLE_RECV_ERROR ||
	       cc == CURLE_SEND_ERROR || cc == CURLE_PARTIAL_FILE;
}

static long backoff_ms(struct llm_client *c, unsigned attempt, long after)
{
	long cap = (long)c->cfg.max_backoff_ms;
	long ms;

	if (after > 0)
		return after < cap ? after : cap;
	ms = (long)c->cfg.backoff_ms << (attempt < 10 ? attempt : 10);
	c->jitter = c->jitter * 6364136223846793005ULL + 1442695040888963407ULL;
	ms += ms ? (long)((c->jitter >> 33) % (uint64_t)(ms / 4 + 1)) : 0;
	return ms < cap ? ms : cap;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void slot_take(struct llm_client *c)
{
	pthread_mutex_lock(&c->mu);
	while (c->busy >= c->cfg.concurrency)
		pthread_cond_wait(&c->cv, &c->mu);
	c->busy++;
	pthread_mutex_unlock(&c->mu);
}

static void slot_give(struct llm_client *c)
{
	pthread_mutex_lock(&c->mu);
	c->busy--;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

static void count(struct llm_client *c, uint64_t *field, uint64_t n)
{
	pthread_mutex_lock(&c->mu);
	*field += n;
	pthread_mutex_unlock(&c->mu);
}

/* --------------------------------------------------------------- chat */

/* Turns a finished attempt into r; returns 0 or an error. */
static int finish(struct attempt *a, CURLcode cc, struct llm_response *r,
		  struct core_error *err)
{
	if (a->too_big)
		return core_fail(err, CORE_E_TOOBIG, NULL, 0,
				 "answer above the size limit");
	if (cc != CURLE_OK)
		return core_fail(err, CORE_E_IO, NULL, 0, "request failed: %s",
				 curl_easy_strerror(cc));
	if (a->status < 200 || a->status > 299)
		return core_fail(err, CORE_E_IO, NULL, 0, "HTTP status %ld",
				 a->status);
	if (a->sse && a->sse_rc == 0 && llm_sse_finish(a->sse, r, NULL) == 0)
		return 0;
	if (a->sse && a->sse_rc && a->body.len && a->body.p[0] != '{')
		return a->sse_rc;
	llm_response_free(r);
	return llm_response_parse(a->body.p ? a->body.p : "", a->body.len, r,
				  err);
}

static bool mentions_format(const struct attempt *a)
{
	struct core_str b = core_str_make(a->body.p, a->body.len);

	return a->status == 400 && a->body.p &&
	       (core_str_ifind(b, CORE_STR("response_format")) >= 0 ||
		core_str_ifind(b, CORE_STR("json_schema")) >= 0);
}

/* One attempt with its own buffers; returns the curl code. */
static CURLcode attempt_run(struct llm_client *c, const struct llm_chat *chat,
			    const struct llm_chat_opts *o, struct attempt *a,
			    struct core_error *err)
{
	struct core_buf body;
	CURLcode cc;

	core_buf_init(&body, 64u << 20);
	memset(a, 0, sizeof(*a));
	a->err = err;
	core_buf_init(&a->body, c->cfg.max_response_bytes);
	if (o->stream)
		a->sse = llm_sse_new(c->cfg.max_response_bytes, o->on_delta,
				     o->ud);
	if (llm_request_json(&c->cfg, chat, o, c->schema_ok, &body) != 0) {
		core_buf_free(&body);
		return CURLE_OUT_OF_MEMORY;
	}
	cc = perform(c, core_buf_cstr(&body), o->stream, a);
	core_buf_free(&body);
	return cc;
}

static void attempt_free(struct attempt *a)
{
	core_buf_free(&a->body);
	llm_sse_free(a->sse);
	a->sse = NULL;
}

static int chat_loop(struct llm_client *c, const struct llm_chat *chat,
		     const struct llm_chat_opts *o, struct llm_response *r,
		     struct core_error *err)
{
	struct attempt a;
	unsigned i, extra = 0;
	int rc = CORE_E_IO;

	for (i = 0; i <= c->cfg.retries + extra; i++) {
		CURLcode cc = attempt_run(c, chat, o, &a, err);

		count(c, &c->acc.attempts, 1);
		if (cc == CURLE_OPERATION_TIMEDOUT)
			count(c, &c->acc.timeouts, 1);
		if (a.status == 429)
			count(c, &c->acc.rate_limited, 1);
		if (a.status >= 500)
			count(c, &c->acc.server_errors, 1);
		if (cc == CURLE_OK && c->schema_ok && mentions_format(&a) &&
		    !extra) {
			c->schema_ok = false;	/* this server: no schema */
			extra = 1;
			attempt_free(&a);
			continue;
		}
		rc = finish(&a, cc, r, err);
		r->http_status = a.status;
		r->attempts = i + 1;
		if (rc == 0 || a.too_big || i == c->cfg.retries + extra ||
		    !(retryable_curl(cc) ||
		      (cc == CURLE_OK && retryable_status(a.status)))) {
			attempt_free(&a);
			break;
		}
		llm_response_free(r);
		count(c, &c->acc.retries, 1);
		sleep_ms(backoff_ms(c, i, a.retry_after_ms));
		attempt_free(&a);
	}
	return rc;
}

int llm_client_chat(struct llm_client *c, const struct llm_chat *chat,
		    const struct llm_chat_opts *opts, struct llm_response *r,
		    struct core_error *err)
{
	static const struct llm_chat_opts none;
	int64_t t0 = core_time_now();
	unsigned attempts;
	long status;
	int rc;

	memset(r, 0, sizeof(*r));
	slot_take(c);
	rc = chat_loop(c, chat, opts ? opts : &none, r, err);
	slot_give(c);
	attempts = r->attempts;
	status = r->http_status;
	if (rc)
		llm_response_free(r);
	r->attempts = attempts;
	r->http_status = status;
	r->latency_us = core_time_now() - t0;
	pthread_mutex_lock(&c->mu);
	c->acc.requests++;
	c->acc.failures += rc != 0;
	c->acc.latency_us += r->latency_us;
	c->acc.prompt_tokens += r->prompt_tokens;
	c->acc.completion_tokens += r->completion_tokens;
	pthread_mutex_unlock(&c->mu);
	return rc;
}
