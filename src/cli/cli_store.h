/*
 * cli_store.h: the subcommands that work on the store: writing a run
 * from `vigil analyze --store`, and `vigil show`, `vigil investigate` and
 * `vigil feedback`, which read incidents and entities back by id.
 */
#ifndef VIGIL_CLI_STORE_H
#define VIGIL_CLI_STORE_H

#include "cli/cli.h"
#include "store/store.h"

/*
 * Writes one analysis run into the store at path (created if absent):
 * the run, its incidents with entities and evidence, the alert records
 * with their sample lines, the entities' counters and an audit entry, in
 * one transaction.  inputs are the command-line inputs.  Prints what it
 * stored on stderr unless quiet.  Returns 0, with *out (when not NULL)
 * set to the run's id and the incidents' ids, or 1 after printing why
 * the run could not be stored.
 */
struct cli_stored {
	int64_t run;
	int64_t *incident;	/* by incident id - 1; free() it */
};

int cli_store_run(const char *path, const struct cli_stats *st,
		  const struct incident_set *set, char *const *inputs,
		  int ninputs, bool quiet, struct cli_stored *out);

/*
 * The store the reading commands use: --store's value, else the default
 * path (store_default_path()).  Prints why on failure and returns 1; 0
 * with *out open (read-write, never created).
 */
int cli_store_open(const char *cmd, const char *path, struct store **out);

/* "text", "json", "md" (or "markdown") -> CLI_OUT_...; -1 otherwise. */
int cli_store_format(const char *name);

/*
 * Parses a positive decimal id (no sign, no junk, at most 2^53); returns
 * 0, or -1 after printing a usage error naming cmd.
 */
int cli_store_parse_id(const char *cmd, const char *s, int64_t *out);

/* `vigil show INCIDENT [--store PATH] [--format text|json|md]`. */
int cli_show(int argc, char **argv);
/* `vigil investigate ENTITY [--type T] [--store PATH] [--format F]`. */
int cli_investigate(int argc, char **argv);
/* `vigil feedback INCIDENT VERDICT [--note TEXT] [--store PATH]`. */
int cli_feedback(int argc, char **argv);
/* `vigil audit verify [--store PATH] [--expect HEAD]`. */
int cli_audit(int argc, char **argv);

#endif /* VIGIL_CLI_STORE_H */
