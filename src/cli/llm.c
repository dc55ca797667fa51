/*
 * llm.c: `vigil llm check`: is the configured model reachable, does it
 * answer, does it follow a JSON schema, and what did that cost.
 *
 * The check sends one small chat with structured output (and, with
 * --stream, streams it), validates the answer as triage would, and
 * prints the endpoint (never the key), the status, the latency and the
 * tokens.  Exit status 0 when the model answered valid JSON, 1 when it
 * did not, 2 on a usage or configuration error.
 */
#include "cli/cli_triage.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
"usage: vigil llm check [--config FILE] [--stream]\n"
"\n"
"Sends one small request to the model configured in vigil.yaml\n"
"(docs/config.md) and reports whether it answered valid JSON.\n"
"\n"
"  -c, --config FILE   read FILE instead of the default vigil.yaml\n"
"      --stream        ask for a streamed (server-sent events) answer\n"
"  -h, --help          this text\n";

static const char check_schema[] =
	"{\"type\":\"object\",\"additionalProperties\":false,"
	"\"required\":[\"status\"],\"properties\":{\"status\":{\"type\":"
	"\"string\",\"enum\":[\"ok\"]}}}";

int cli_llm_config(const char *path, struct llm_config *cfg)
{
	struct core_error err = { 0 };
	char found[1024];
	char msg[900];

	llm_config_defaults(cfg);
	if (!path && llm_config_find(found, sizeof(found)))
		path = found;
	if (!path)
		return 0;
	if (llm_config_load(cfg, path, &err) != 0) {
		core_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "vigil: %s\n", msg);
		return 1;
	}
	return 0;
}

static void on_delta(const char *p, size_t n, void *ud)
{
	(void)ud;
	fwrite(p, 1, n, stderr);
}

static int check(const struct llm_config *cfg, bool stream)
{
	struct llm_chat_opts o = {
		.schema_name = "check", .schema = check_schema,
		.stream = stream, .on_delta = stream ? on_delta : NULL,
		.max_tokens = 32,
	};
	struct core_error err = { 0 };
	struct llm_client *c;
	struct llm_chat *chat;
	struct llm_response r;
	struct core_str obj;
	char msg[900];
	int rc;

	if (llm_client_new(cfg, &c, &err) != 0) {
		core_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "vigil llm check: %s\n", msg);
		return 2;
	}
	printf("endpoint %s, model %s, privacy %s\n", cfg->base_url,
	       cfg->model, llm_privacy_name(cfg->privacy));
	chat = llm_chat_new();
	llm_chat_add(chat, LLM_ROLE_SYSTEM, "Answer with a JSON object only.");
	llm_chat_add(chat, LLM_ROLE_USER, "Reply with {\"status\":\"ok\"}.");
	rc = llm_client_chat(c, chat, &o, &r, &err);
	if (stream)
		fputc('\n', stderr);
	if (rc == 0 && (!r.content ||
			!llm_json_extract(r.content, strlen(r.content), &obj) ||
			llm_schema_validate(check_schema, obj.p, obj.len,
					    &err) != 0)) {
		rc = CORE_E_PARSE;
		if (!err.msg[0])
			snprintf(err.msg, sizeof(err.msg), "no JSON object");
	}
	if (rc) {
		core_error_format(&err, msg, sizeof(msg));
		printf("FAILED after %u attempt(s), %.2f s: %s\n", r.attempts,
		       r.latency_us / 1e6, msg);
	} else {
		printf("ok: valid JSON in %.2f s, %u attempt(s), tokens %llu "
		       "prompt + %llu completion%s\n", r.latency_us / 1e6,
		       r.attempts, (unsigned long long)r.prompt_tokens,
		       (unsigned long long)r.completion_tokens,
		       r.usage_known ? "" : " (server sent no usage)");
	}
	llm_response_free(&r);
	llm_chat_free(chat);
	llm_client_free(c);
	return rc ? 1 : 0;
}

int cli_llm(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "stream", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL;
	struct llm_config cfg;
	bool stream = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		if (c == 'c')
			config = optarg;
		else if (c == 's')
			stream = true;
		else if (c == 'h') {
			fputs(usage_text, stdout);
			return 0;
		} else {
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind >= argc || strcmp(argv[optind], "check") != 0) {
		fputs(usage_text, stderr);
		return 2;
	}
	if (cli_llm_config(config, &cfg))
		return 2;
	if (!cfg.base_url[0] || !cfg.model[0]) {
		fprintf(stderr, "vigil llm check: no model configured (set "
			"base_url and model in vigil.yaml, docs/config.md)\n");
		return 2;
	}
	return check(&cfg, stream);
}
