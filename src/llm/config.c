/*
 * config.c: vigil.yaml, the deployment's model settings.
 *
 * The file is one mapping of scalar keys (docs/config.md lists them); the
 * same keys may sit under a top-level `llm:` or `triage:` mapping, so a
 * larger config file can group them.  Unknown keys, bad values and a key
 * given twice (anywhere in the file, in a group or not: the last would
 * win unseen) are errors that name the file and line: a typo in
 * `privacy:` must not silently send raw data.  The file never holds the
 * key itself, only where to find it (key_env, key_file); base_url is
 * refused when it carries credentials (userinfo, a query or fragment),
 * which would be printed and sent along.
 */
#include "llm/llm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

void llm_config_defaults(struct llm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->key_env, sizeof(cfg->key_env), "VIGIL_LLM_API_KEY");
	cfg->keep_ip_class = true;
	cfg->connect_timeout_ms = 5000;
	cfg->timeout_ms = 60000;
	cfg->retries = 2;
	cfg->backoff_ms = 500;
	cfg->max_backoff_ms = 20000;
	cfg->concurrency = 2;
	cfg->max_tokens = 1024;
	cfg->max_response_bytes = 1u << 20;
	cfg->step_limit = 6;
	cfg->score_floor_bound = 15;
}

bool llm_config_enabled(const struct llm_config *cfg)
{
	return cfg->base_url[0] && cfg->model[0] &&
	       cfg->privacy != LLM_PRIVACY_NONE;
}

const char *llm_privacy_name(enum llm_privacy p)
{
	switch (p) {
	case LLM_PRIVACY_OFF:
		return "off";
	case LLM_PRIVACY_NONE:
		return "none";
	default:
		return "pseudonymise";
	}
}

/* ------------------------------------------------------------- values */

/* An integer within [lo, hi]; the error message, or NULL. */
static const char *parse_long(const char *v, long lo, long hi, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || *end)
		return "not a number";
	if (errno || n < lo || n > hi)
		return "value out of range";
	*out = n;
	return NULL;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on")) {
		*out = true;
		return true;
	}
	if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off")) {
		*out = false;
		return true;
	}
	return false;
}

static bool set_string(char *dst, size_t n, const char *v)
{
	if (strlen(v) >= n)
		return false;
	snprintf(dst, n, "%s", v);
	return true;
}

static bool set_enum(const char *v, const char *const *names, size_t n,
		     int *out)
{
	for (size_t i = 0; i < n; i++) {
		if (names[i] && !strcmp(v, names[i])) {
			*out = (int)i;
			return true;
		}
	}
	return false;
}

/*
 * http:// or https://, a host, an optional port, an optional path; no
 * user name or password and no query or fragment, which is where a
 * pasted credential would hide.  The messages never repeat the value.
 */
static const char *check_url(const char *v)
{
	const char *a, *end, *host;

	if (!strncmp(v, "http://", 7))
		a = v + 7;
	else if (!strncmp(v, "https://", 8))
		a = v + 8;
	else
		return "must start with http:// or https://";
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return "holds a space or control character";
	end = a + strcspn(a, "/?#");
	if (memchr(a, '@', (size_t)(end - a)))
		return "must not hold a user name or password; "
		       "give the key with key_env or key_file";
	if (strpbrk(v, "?#"))
		return "must not hold a query or fragment; give the "
		       "key with key_env or key_file";
	host = a;
	if (*host == '[')
		a = memchr(host, ']', (size_t)(end - host));
	else
		a = host + strcspn(host, ":/");
	if (!a || a == host || (*host == '[' && a == host + 1))
		return "no host";
	if (*host == '[')
		a++;
	if (a < end && *a == ':') {
		long port;

		if (a + 1 == end || strspn(a + 1, "0123456789") !=
		    (size_t)(end - a - 1) || (size_t)(end - a - 1) > 5)
			return "bad port";
		port = strtol(a + 1, NULL, 10);
		if (port < 1 || port > 65535)
			return "bad port";
	} else if (a != end) {
		return "bad host";
	}
	return NULL;
}

/* Integer keys: name, bounds and where they go. */
struct int_key {
	const char *name;
	long lo, hi;
	size_t off;
	size_t size;
};

#define IK(n, lo, hi, f)                                                      \
	{ n, lo, hi, offsetof(struct llm_config, f),                          \
	  sizeof(((struct llm_config *)0)->f) }

static const struct int_key int_keys[] = {
	IK("connect_timeout_ms", 1, 600000, connect_timeout_ms),
	IK("timeout_ms", 1, 3600000, timeout_ms),
	IK("retries", 0, 10, retries),
	IK("backoff_ms", 0, 60000, backoff_ms),
	IK("max_backoff_ms", 0, 600000, max_backoff_ms),
	IK("concurrency", 1, 64, concurrency),
	IK("max_tokens", 16, 65536, max_tokens),
	IK("max_response_bytes", 1024, 64L << 20, max_response_bytes),
	IK("step_limit", 1, LLM_STEP_LIMIT_MAX, step_limit),
	IK("score_floor_bound", 0, LLM_SCORE_FLOOR_BOUND_MAX,
	   score_floor_bound),
};

static void store_int(struct llm_config *cfg, const struct int_key *k,
		      long v)
{
	char *dst = (char *)cfg + k->off;

	if (k->size == sizeof(long)) {
		long l = v;

		memcpy(dst, &l, sizeof(l));
	} else if (k->size == sizeof(unsigned)) {
		unsigned u = (unsigned)v;

		memcpy(dst, &u, sizeof(u));
	}
	/* size_t and long share a size on the platforms vigil builds for. */
}

static const char *const privacy_names[] = { "pseudonymise", "off", "none" };
static const char *const structured_names[] = { "json_schema", "json_object",
						"none" };
static const char *const provider_names[] = { "openai", "azure" };

/* Applies one key; returns an error message or NULL. */
static const char *apply(struct llm_config *cfg, const char *k, const char *v)
{
	const char *msg;
	int e;
	long n;

	for (size_t i = 0; i < CORE_ARRAY_LEN(int_keys); i++) {
		if (strcmp(k, int_keys[i].name))
			continue;
		msg = parse_long(v, int_keys[i].lo, int_keys[i].hi, &n);
		if (!msg)
			store_int(cfg, &int_keys[i], n);
		return msg;
	}
	if (!strcmp(k, "base_url") || !strcmp(k, "endpoint")) {
		if ((msg = check_url(v)) != NULL)
			return msg;
		return set_string(cfg->base_url, sizeof(cfg->base_url), v) ?
		       NULL : "too long";
	}
	if (!strcmp(k, "model"))
		return set_string(cfg->model, sizeof(cfg->model), v) ?
		       NULL : "too long";
	if (!strcmp(k, "key_env"))
		return set_string(cfg->key_env, sizeof(cfg->key_env), v) ?
		       NULL : "too long";
	if (!strcmp(k, "key_file"))
		return set_string(cfg->key_file, sizeof(cfg->key_file), v) ?
		       NULL : "too long";
	if (!strcmp(k, "map_key_file"))
		return set_string(cfg->map_key_file,
				  sizeof(cfg->map_key_file), v) ?
		       NULL : "too long";
	if (!strcmp(k, "api_version"))
		return set_string(cfg->api_version, sizeof(cfg->api_version),
				  v) ? NULL : "too long";
	if (!strcmp(k, "api_key") || !strcmp(k, "key"))
		return "the key itself never goes in the file: use key_env "
		       "or key_file";
	if (!strcmp(k, "privacy")) {
		if (!strcmp(v, "pseudonymize"))
			v = "pseudonymise";
		if (!set_enum(v, privacy_names, 3, &e))
			return "privacy is off, pseudonymise or none";
		cfg->privacy = (enum llm_privacy)e;
		return NULL;
	}
	if (!strcmp(k, "structured_output")) {
		if (!set_enum(v, structured_names, 3, &e))
			return "structured_output is json_schema, json_object "
			       "or none";
		cfg->structured = (enum llm_structured)e;
		return NULL;
	}
	if (!strcmp(k, "provider")) {
		if (!set_enum(v, provider_names, 2, &e))
			return "provider is openai or azure";
		cfg->provider = (enum llm_provider)e;
		return NULL;
	}
	if (!strcmp(k, "keep_ip_prefix"))
		return parse_bool(v, &cfg->keep_ip_prefix) ? NULL :
		       "expected true or false";
	if (!strcmp(k, "keep_ip_class"))
		return parse_bool(v, &cfg->keep_ip_class) ? NULL :
		       "expected true or false";
	if (!strcmp(k, "temperature")) {
		char *end;
		double d = strtod(v, &end);

		if (end == v || *end || d < 0 || d > 2)
			return "temperature is between 0 and 2";
		cfg->temperature = d;
		return NULL;
	}
	return "unknown key";
}

/* -------------------------------------------------------------- parse */

#define SEEN_MAX 64

/* A key met so far, by its canonical name, and the line it stood on. */
struct seen {
	char key[64];
	uint64_t line;
};

struct walk {
	yaml_parser_t parser;
	const char *path;
	struct llm_config *cfg;
	struct core_error *err;
	struct seen seen[SEEN_MAX];
	size_t nseen;
};

static int bad(struct walk *w, const yaml_event_t *ev, const char *msg,
	       const char *key)
{
	return core_fail(w->err, CORE_E_PARSE, w->path,
			 ev->start_mark.line + 1, "%s%s%s", key ? key : "",
			 key ? ": " : "", msg);
}

static int next(struct walk *w, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&w->parser, ev))
		return core_fail(w->err, CORE_E_PARSE, w->path,
				 w->parser.problem_mark.line + 1, "%s",
				 w->parser.problem ? w->parser.problem :
				 "bad YAML");
	return 0;
}

/*
 * Remembers key (line) and fails when it was met before, in any group:
 * `privacy: pseudonymise` then `privacy: off` must not quietly mean off.
 * "endpoint" is another name for base_url.
 */
static int once(struct walk *w, const yaml_event_t *k, const char *key)
{
	const char *name = strcmp(key, "endpoint") ? key : "base_url";
	uint64_t line = k->start_mark.line + 1;

	for (size_t i = 0; i < w->nseen; i++)
		if (!strcmp(w->seen[i].key, name))
			return core_fail(w->err, CORE_E_PARSE, w->path, line,
					 "%s: duplicate key (first at line "
					 "%llu)", key,
					 (unsigned long long)w->seen[i].line);
	if (w->nseen == SEEN_MAX)
		return core_fail(w->err, CORE_E_PARSE, w->path, line,
				 "more than %d keys", SEEN_MAX);
	snprintf(w->seen[w->nseen].key, sizeof(w->seen[0].key), "%s", name);
	w->seen[w->nseen++].line = line;
	return 0;
}

/* Reads key/value pairs until the end of the current mapping. */
static int walk_mapping(struct walk *w, int depth)
{
	yaml_event_t k, v;
	char key[64];
	const char *msg;
	int rc;

	for (;;) {
		if ((rc = next(w, &k)) != 0)
			return rc;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			return 0;
		}
		if (k.type != YAML_SCALAR_EVENT) {
			rc = bad(w, &k, "expected a key", NULL);
			yaml_event_delete(&k);
			return rc;
		}
		snprintf(key, sizeof(key), "%s", (char *)k.data.scalar.value);
		rc = once(w, &k, key);
		yaml_event_delete(&k);
		if (rc)
			return rc;
		if ((rc = next(w, &v)) != 0)
			return rc;
		if (v.type == YAML_MAPPING_START_EVENT && depth == 0 &&
		    (!strcmp(key, "llm") || !strcmp(key, "triage"))) {
			yaml_event_delete(&v);
			if ((rc = walk_mapping(w, 1)) != 0)
				return rc;
			continue;
		}
		if (v.type != YAML_SCALAR_EVENT) {
			rc = bad(w, &v, "expected a scalar value", key);
			yaml_event_delete(&v);
			return rc;
		}
		msg = apply(w->cfg, key, (const char *)v.data.scalar.value);
		rc = msg ? bad(w, &v, msg, key) : 0;
		yaml_event_delete(&v);
		if (rc)
			return rc;
	}
}

/* Skips to the document's top mapping; an empty file is no settings. */
static int walk_document(struct walk *w)
{
	yaml_event_t ev;
	int rc;

	for (;;) {
		if ((rc = next(w, &ev)) != 0)
			return rc;
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_START_EVENT:
			yaml_event_delete(&ev);
			continue;
		case YAML_MAPPING_START_EVENT:
			yaml_event_delete(&ev);
			return walk_mapping(w, 0);
		case YAML_STREAM_END_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			return 0;
		default:
			rc = bad(w, &ev, "the file is one mapping of keys",
				 NULL);
			yaml_event_delete(&ev);
			return rc;
		}
	}
}

int llm_config_load(struct llm_config *cfg, const char *path,
		    struct core_error *err)
{
	struct walk w = { .path = path, .cfg = cfg, .err = err };
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f)
		return core_fail(err, CORE_E_IO, path, 0, "%s",
				 strerror(errno));
	if (!yaml_parser_initialize(&w.parser)) {
		fclose(f);
		return core_fail(err, CORE_E_NOMEM, path, 0, "out of memory");
	}
	yaml_parser_set_input_file(&w.parser, f);
	rc = walk_document(&w);
	yaml_parser_delete(&w.parser);
	fclose(f);
	return rc;
}

static bool exists(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

bool llm_config_find(char *out, size_t n)
{
	const char *env = getenv("VIGIL_CONFIG");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int w;

	if (env && *env)
		return (size_t)snprintf(out, n, "%s", env) < n;
	if (exists("vigil.yaml"))
		return (size_t)snprintf(out, n, "vigil.yaml") < n;
	if (xdg && *xdg)
		w = snprintf(out, n, "%s/vigil/vigil.yaml", xdg);
	else if (home && *home)
		w = snprintf(out, n, "%s/.config/vigil/vigil.yaml", home);
	else
		return false;
	return w > 0 && (size_t)w < n && exists(out);
}
