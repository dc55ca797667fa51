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

#endif /* VIGIL_CLI_ANOMALY_H */
