/*
 * cli_triage.h: the subcommands that talk to a language model: `vigil
 * triage` (verdicts for stored incidents, and `vigil triage stats`) and
 * `vigil llm check`.
 */
#ifndef VIGIL_CLI_TRIAGE_H
#define VIGIL_CLI_TRIAGE_H

#include "llm/llm.h"

/*
 * Fills cfg with the defaults, then the config file: path when given
 * (it must exist), else the first one llm_config_find() names.  Prints
 * the error with its file and line and returns 1; 0 when fine.
 */
int cli_llm_config(const char *path, struct llm_config *cfg);

/* `vigil triage INCIDENT|--all|stats [--store PATH] [--config FILE]`. */
int cli_triage(int argc, char **argv);
/* `vigil llm check [--config FILE] [--stream]`. */
int cli_llm(int argc, char **argv);

#endif /* VIGIL_CLI_TRIAGE_H */
