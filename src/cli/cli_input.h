/*
 * cli_input.h: a log opened as `vigil analyze` opens it, for every
 * subcommand that reads logs (analyze, rules test, templates, embed), and
 * the list of files its arguments name.
 *
 * A Windows event log (EVTX) named as a file is read by offset; anything
 * else goes through an input reader (plain, gzip, standard input), and
 * when that reader holds an EVTX image (a pipe, an .evtx.gz) its records
 * are read from it in order.  Either way an EVTX input hands out decoded
 * events, one per record, through cli_input_evtx_next(); a text input
 * hands out lines through input_next() on in->text.
 */
#ifndef VIGIL_CLI_INPUT_H
#define VIGIL_CLI_INPUT_H

#include "core/core.h"

struct input_reader;
struct input_evtx;
struct parse_evtx;

/* How the first bytes decide whether a log is EVTX. */
enum cli_input_evtx {
	CLI_EVTX_SNIFF = 0,	/* by its signature (file, pipe or gzip) */
	CLI_EVTX_ALWAYS,	/* read as EVTX whatever it holds */
	CLI_EVTX_NEVER,		/* a format other than EVTX was forced */
};

struct cli_input {
	struct input_reader *text;	/* lines; NULL for EVTX */
	struct input_evtx *evtx;	/* records; NULL for text */
	struct input_reader *stream;	/* what evtx reads, when a stream */
	struct parse_evtx *dec;		/* decodes evtx; the caller's */
	bool is_evtx;			/* taken as EVTX (even on failure) */
};

/*
 * Opens path ("-" is standard input) into *in.  oflags go to
 * input_open() for a text log (INPUT_O_EVTX is added unless evtx is
 * CLI_EVTX_NEVER).  An EVTX input uses the decoder *dec: made at the
 * first EVTX input, reset for each later one, freed by the caller with
 * parse_evtx_free() after its last input.  Returns 0, or a negative
 * CORE_E_... with err when path cannot be opened or is no EVTX it was
 * taken for (in->is_evtx tells which); nothing is left open then.
 */
int cli_input_open(const char *path, unsigned oflags,
		   enum cli_input_evtx evtx, struct parse_evtx **dec,
		   struct cli_input *in, struct core_error *err);

/*
 * The next record of an EVTX input decoded into ev, which is reset on
 * arena (reset too) first: ev->src is the input's name, ev->line the
 * record's EventRecordID.  Returns 1 with ev set; 2 with ev set as far
 * as its record could be decoded and err saying what was wrong; 0 at
 * the end; CORE_E_PARSE with err when a damaged chunk or record was
 * skipped (call again); another negative CORE_E_... on a read error,
 * after which the input is at its end.
 */
int cli_input_evtx_next(struct cli_input *in, struct core_event *ev,
			struct core_arena *arena, struct core_error *err);

/*
 * cli_input_evtx_next() for a command that only reports damage: each
 * problem is said on stderr as "PREFIX: message" and damaged chunks and
 * records are skipped.  Returns 1 with ev set, 0 at the end or after a
 * read error.
 */
int cli_input_evtx_read(struct cli_input *in, struct core_event *ev,
			struct core_arena *arena, const char *prefix);

/* The name messages give the input ("<stdin>" for "-"). */
const char *cli_input_name(const struct cli_input *in);

void cli_input_close(struct cli_input *in);

/*
 * The files a command's log arguments name, as analyze reads them
 * (paths.c): directories walked recursively in name order, a file named
 * twice (by any name, or inside a directory also given; "-" twice) read
 * once, each logrotate family oldest first.  Zero-initialise, set say
 * (NULL: say nothing) and ud, cli_paths_add() each argument, then
 * cli_paths_done(); v[0 .. n) are the files to read.
 */
struct cli_fileid;
struct cli_dirid;

struct cli_paths {
	char **v;
	size_t n;
	uint64_t bytes;		/* sizes of the regular files in v */
	uint64_t skipped;	/* files skipped, arguments that gave none */
	uint64_t errors;	/* arguments that could not be walked */
	/* What is skipped or repeated, under the path it is about (NULL
	 * when the message names it). */
	void (*say)(void *ud, const char *path, const char *msg);
	void *ud;
	struct cli_fileid *id;	/* the files' identities, as a set */
	size_t cap;
	struct cli_dirid *dirs;	/* directories walked, by argument */
	size_t ndirs;
};

void cli_paths_add(struct cli_paths *pl, const char *path);

/* A say() for commands that speak plainly: "WHO: PATH: MSG" on stderr,
 * WHO being ud ("vigil templates"). */
void cli_paths_say(void *ud, const char *path, const char *msg);
void cli_paths_done(struct cli_paths *pl);

/*
 * True when path names a file of the list (same device and inode), so
 * that an output about to be written there would destroy an input.
 */
bool cli_paths_holds(const struct cli_paths *pl, const char *path);
void cli_paths_free(struct cli_paths *pl);

#endif /* VIGIL_CLI_INPUT_H */
