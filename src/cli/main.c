/*
 * main.c: the vigil command: finds the subcommand and hands over.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_anomaly.h"
#include "cli/cli_store.h"
#include "cli/cli_triage.h"

static void usage(FILE *out)
{
	fputs("usage: vigil COMMAND [OPTIONS] [ARGS]\n"
	      "\n"
	      "vigil reads the logs you already have (syslog and auth logs,\n"
	      "journal JSON, web access logs, Suricata EVE, Windows event\n"
	      "logs, JSON lines), detects attacks with Sigma rules and\n"
	      "correlation rules, and folds the alerts into a few scored,\n"
	      "explained incidents.\n"
	      "\n"
	      "commands:\n"
	      "  analyze FILE|DIR|-...   detect and report incidents\n"
	      "  show INCIDENT           a stored incident, its triage and\n"
	      "                          feedback\n"
	      "  investigate ENTITY      a stored address, user or host over\n"
	      "                          time, its peers, how unusual it is\n"
	      "  feedback INCIDENT VERDICT  record an analyst's verdict\n"
	      "  audit verify            check the audit log's hash chain\n"
	      "  triage INCIDENT|--all   verdicts with reasons (LLM or\n"
	      "                          deterministic); triage stats\n"
	      "  llm check               test the configured model endpoint\n"
	      "  templates FILE|DIR...   mine message templates\n"
	      "  eval templates DIR      score the template miner against\n"
	      "                          loghub-style ground truth\n"
	      "  eval anomalies DIR      precision and recall of the anomaly\n"
	      "                          alerts on labelled loghub logs\n"
	      "  embed FILE|DIR...       vectors of events or templates; plot\n"
	      "  similar LINE FILE...    templates nearest to a line\n"
	      "  rules check|test|fields check Sigma rules, try them on logs,\n"
	      "                          list a log source's fields\n"
	      "  help [COMMAND]          this text, or a command's options\n"
	      "  version                 print the version\n"
	      "\n"
	      "`vigil COMMAND --help` lists a command's options; the manual\n"
	      "has the details: `man vigil` once installed (cmake --install),\n"
	      "`man -l docs/vigil.1` in the source tree.\n", out);
}

/* The subcommands, by name. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "analyze", cli_analyze }, { "show", cli_show },
	{ "investigate", cli_investigate }, { "feedback", cli_feedback },
	{ "audit", cli_audit }, { "triage", cli_triage }, { "llm", cli_llm },
	{ "templates", cli_templates }, { "eval", cli_eval },
	{ "embed", cli_embed }, { "similar", cli_similar },
	{ "rules", cli_rules },
};

static int (*command(const char *name))(int, char **)
{
	for (size_t i = 0; i < CORE_ARRAY_LEN(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].run;
	return NULL;
}

/* "vigil help COMMAND" is "vigil COMMAND --help". */
static int help(int argc, char **argv)
{
	int (*run)(int, char **);
	char *args[3];

	if (argc < 3 || strcmp(argv[2], "help") == 0) {
		usage(stdout);
		return 0;
	}
	run = command(argv[2]);
	if (!run) {
		fprintf(stderr, "vigil: no command '%s' to help with\n\n",
			argv[2]);
		usage(stderr);
		return 2;
	}
	args[0] = argv[2];
	args[1] = "--help";
	args[2] = NULL;
	return run(2, args);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int (*run)(int, char **);

	if (!cmd) {
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "help") == 0)
		return help(argc, argv);
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("vigil %s\n", VIGIL_VERSION);
		return 0;
	}
	run = command(cmd);
	if (run)
		return run(argc - 1, argv + 1);
	fprintf(stderr, "vigil: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return 2;
}
