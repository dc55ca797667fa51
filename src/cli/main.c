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
	      "  templates FILE...       mine message templates\n"
	      "  eval templates DIR      score the template miner against\n"
	      "                          loghub-style ground truth\n"
	      "  eval anomalies DIR      precision and recall of the anomaly\n"
	      "                          alerts on labelled loghub logs\n"
	      "  embed FILE...           vectors of events or templates; plot\n"
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

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "help") == 0) {
		if (argc > 2 && strcmp(argv[2], "analyze") == 0) {
			char *args[] = { argv[2], "--help", NULL };

			return cli_analyze(2, args);
		}
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("vigil %s\n", VIGIL_VERSION);
		return 0;
	}
	if (strcmp(cmd, "analyze") == 0)
		return cli_analyze(argc - 1, argv + 1);
	if (strcmp(cmd, "show") == 0)
		return cli_show(argc - 1, argv + 1);
	if (strcmp(cmd, "investigate") == 0)
		return cli_investigate(argc - 1, argv + 1);
	if (strcmp(cmd, "feedback") == 0)
		return cli_feedback(argc - 1, argv + 1);
	if (strcmp(cmd, "audit") == 0)
		return cli_audit(argc - 1, argv + 1);
	if (strcmp(cmd, "triage") == 0)
		return cli_triage(argc - 1, argv + 1);
	if (strcmp(cmd, "llm") == 0)
		return cli_llm(argc - 1, argv + 1);
	if (strcmp(cmd, "templates") == 0)
		return cli_templates(argc - 1, argv + 1);
	if (strcmp(cmd, "eval") == 0)
		return cli_eval(argc - 1, argv + 1);
	if (strcmp(cmd, "embed") == 0)
		return cli_embed(argc - 1, argv + 1);
	if (strcmp(cmd, "similar") == 0)
		return cli_similar(argc - 1, argv + 1);
	if (strcmp(cmd, "rules") == 0)
		return cli_rules(argc - 1, argv + 1);

	fprintf(stderr, "vigil: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return 2;
}
