/*
 * cli_anomaly.h: the subcommands of the anomaly room: `vigil templates`
 * (mine templates from logs) and `vigil eval templates` (score the miner
 * against loghub-style ground truth).
 */
#ifndef VIGIL_CLI_ANOMALY_H
#define VIGIL_CLI_ANOMALY_H

/*
 * `vigil templates [--format text|json|csv] [--raw] [--stats] FILE...`.
 * argv[0] is "templates".  Returns the exit status: 0, 1 when no input
 * could be read, 2 on a bad command line.
 */
int cli_templates(int argc, char **argv);

/*
 * `vigil eval templates [--format text|csv] DIR|FILE...`: grouping and
 * parsing accuracy per *_structured.csv found, and their averages.
 * argv[0] is "eval".  Returns 0, 1 when a file could not be scored or
 * none was found, 2 on a bad command line.
 */
int cli_eval(int argc, char **argv);

/*
 * `vigil eval anomalies DIR|FILE...`: precision, recall and F1 of the
 * anomaly alerts on labelled loghub logs.  argv[0] is "eval".
 */
int cli_eval_anomalies(int argc, char **argv);

/*
 * `vigil embed [--dim N] [--format bin|csv] [--templates] -o OUT
 * [--plot FILE.svg] FILE...`.  Returns 0, 1 on failure, 2 on a bad
 * command line.
 */
int cli_embed(int argc, char **argv);

/* `vigil similar [--top K] LINE|--event FILE:LINE FILE...`. */
int cli_similar(int argc, char **argv);

/*
 * The anomaly hook of `vigil analyze`.  Life cycle: cli_anomaly_new()
 * (loads the model from the state file when it exists, else from the
 * store at store_path, ("anomaly", "model"), when it holds one); for
 * baseline inputs cli_anomaly_learning(on), events,
 * cli_anomaly_learning(off) (which saves the model to the state file
 * and the store, each when given; a loaded model learns on, so
 * baselines accumulate); cli_anomaly_event() per event;
 * cli_anomaly_finish() at the end.  Scoring runs when want is true and
 * a model exists (learnt or loaded).  Scoring never writes the model
 * back: only known-good logs shape it.
 */
#include <stdbool.h>

#include "core/core.h"
#include "detect/detect.h"

struct cli_anomaly;

/*
 * state_path, store_path may be NULL.  NULL when the state file or the
 * store's model exists but cannot be read (said on stderr), or no
 * memory.
 */
struct cli_anomaly *cli_anomaly_new(const char *state_path,
				    const char *store_path, bool want);
void cli_anomaly_free(struct cli_anomaly *ca);
int cli_anomaly_learning(struct cli_anomaly *ca, bool on, bool want);
void cli_anomaly_event(struct cli_anomaly *ca, const struct core_event *ev,
		       detect_alert_fn fn, void *ud);
/* Reports volume spikes still open; returns the anomaly alerts raised. */
uint64_t cli_anomaly_finish(struct cli_anomaly *ca, detect_alert_fn fn,
			    void *ud);
/* Has a model been loaded or learnt? */
bool cli_anomaly_has_model(const struct cli_anomaly *ca);
/* Is the hook learning (baseline inputs) right now? */
bool cli_anomaly_is_learning(const struct cli_anomaly *ca);

#endif /* VIGIL_CLI_ANOMALY_H */
