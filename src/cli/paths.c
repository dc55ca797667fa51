/*
 * paths.c: the files a command's log arguments name (cli_input.h).
 *
 * Every argument is walked (input_walk(): a directory recursively in
 * name order), each file's identity kept beside its name.  At the end a
 * file named twice (the same name, another name, a hard link, a file
 * inside a directory also given, "-" twice or "-" redirected from a file
 * also named) keeps only its first place, and each logrotate family is
 * put oldest first.  What is skipped or repeated is said through the
 * caller's say(), so each command keeps its own voice.
 */
#include "cli/cli_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/input.h"

/* A file's identity, so one given twice is read once. */
struct cli_fileid {
	uint64_t dev, ino;
	uint64_t size;
	size_t pos;		/* in list order */
};

static void say(struct cli_paths *pl, const char *path, const char *msg)
{
	if (pl->say != NULL)
		pl->say(pl->ud, path, msg);
}

static int grow(struct cli_paths *pl)
{
	size_t cap = pl->cap ? pl->cap * 2 : 64;
	char **v = realloc(pl->v, cap * sizeof(*v));
	struct cli_fileid *id;

	if (v == NULL)
		return CORE_E_NOMEM;
	pl->v = v;
	id = realloc(pl->id, cap * sizeof(*id));
	if (id == NULL)
		return CORE_E_NOMEM;
	pl->id = id;
	pl->cap = cap;
	return 0;
}

/*
 * Standard input is known by what it is open on.  A file that cannot be
 * examined gets an identity of its own (its place).
 */
static void on_file(const char *path, void *ud)
{
	struct cli_paths *pl = ud;
	struct cli_fileid *id;
	struct stat st;
	bool in = strcmp(path, "-") == 0;

	if (pl->n == pl->cap && grow(pl) != 0)
		return;
	pl->v[pl->n] = strdup(path);
	if (pl->v[pl->n] == NULL)
		return;
	id = &pl->id[pl->n];
	id->pos = pl->n++;
	if ((in ? fstat(STDIN_FILENO, &st) : stat(path, &st)) != 0) {
		id->dev = in ? 0 : UINT64_MAX;
		id->ino = in ? 0 : id->pos;
		id->size = 0;
		return;
	}
	id->dev = (uint64_t)st.st_dev;
	id->ino = (uint64_t)st.st_ino;
	id->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	pl->bytes += id->size;
}

static void on_skip(const char *path, const char *why, void *ud)
{
	struct cli_paths *pl = ud;
	char msg[512];

	pl->skipped++;
	snprintf(msg, sizeof(msg), "%s; skipped", why);
	say(pl, path, msg);
}

void cli_paths_say(void *ud, const char *path, const char *msg)
{
	const char *who = ud;

	if (path != NULL)
		fprintf(stderr, "%s: %s: %s\n", who, path, msg);
	else
		fprintf(stderr, "%s: %s\n", who, msg);
}

/* A directory an argument named, so that it is walked once. */
struct cli_dirid {
	uint64_t dev, ino;
	char *name;
};

/*
 * True, said, when path is a directory an earlier argument walked (by
 * any name): its files would be dropped as repeats anyway, but what it
 * skips would be said again.  Else notes it when it is a directory.
 */
static bool dir_again(struct cli_paths *pl, const char *path)
{
	struct cli_dirid *d;
	struct stat st;
	char msg[1024];

	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 ||
	    !S_ISDIR(st.st_mode))
		return false;
	for (size_t i = 0; i < pl->ndirs; i++) {
		d = &pl->dirs[i];
		if (d->dev != (uint64_t)st.st_dev ||
		    d->ino != (uint64_t)st.st_ino)
			continue;
		if (strcmp(d->name, path) == 0)
			snprintf(msg, sizeof(msg), "given twice; read once");
		else
			snprintf(msg, sizeof(msg), "the same directory as %s; "
				 "read once", d->name);
		say(pl, path, msg);
		return true;
	}
	d = realloc(pl->dirs, (pl->ndirs + 1) * sizeof(*d));
	if (d == NULL)
		return false;
	pl->dirs = d;
	d[pl->ndirs].dev = (uint64_t)st.st_dev;
	d[pl->ndirs].ino = (uint64_t)st.st_ino;
	d[pl->ndirs].name = strdup(path);
	if (d[pl->ndirs].name != NULL)
		pl->ndirs++;
	return false;
}

void cli_paths_add(struct cli_paths *pl, const char *path)
{
	struct core_error err;
	size_t n = pl->n;
	uint64_t skips = pl->skipped;
	char msg[1024];

	if (dir_again(pl, path))
		return;
	if (input_walk(path, on_file, on_skip, pl, &err) != 0) {
		core_error_format(&err, msg, sizeof(msg));
		strncat(msg, "; skipped", sizeof(msg) - strlen(msg) - 1);
		say(pl, NULL, msg);
		pl->skipped++;
		pl->errors++;
		return;
	}
	if (pl->n > n)
		return;
	/* A directory that yields no file is named, and counted once. */
	if (pl->skipped == skips) {
		pl->skipped++;
		say(pl, path, "no files in it");
	} else {
		say(pl, path, "no file in it could be read");
	}
}

static int fileid_cmp(const void *x, const void *y)
{
	const struct cli_fileid *a = x, *b = y;

	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	if (a->ino != b->ino)
		return a->ino < b->ino ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Names a repeat once: by count when given by the same name. */
static void tell_repeat(struct cli_paths *pl, size_t i, size_t keep,
			unsigned *times)
{
	const char *name = strcmp(pl->v[i], "-") == 0 ? "<stdin>" : pl->v[i];
	char msg[1024];

	if (strcmp(pl->v[i], pl->v[keep]) != 0) {
		snprintf(msg, sizeof(msg), "the same file as %s; read once",
			 pl->v[keep]);
		say(pl, name, msg);
		return;
	}
	if (times[keep] == 0)
		return;
	if (times[keep] == 2)
		snprintf(msg, sizeof(msg), "given twice; read once");
	else
		snprintf(msg, sizeof(msg), "given %u times; read once",
			 times[keep]);
	say(pl, name, msg);
	times[keep] = 0;
}

/*
 * Drops every path naming a file already in the list, keeping the
 * first, and says so once per file.  On out of memory the list is left
 * as it is.
 */
static void drop_repeats(struct cli_paths *pl)
{
	struct cli_fileid *by = NULL;
	size_t *keep = NULL, k = 0;
	unsigned *times = NULL;

	if (pl->n < 2)
		return;
	by = malloc(pl->n * sizeof(*by));
	keep = malloc(pl->n * sizeof(*keep));
	times = calloc(pl->n, sizeof(*times));
	if (by == NULL || keep == NULL || times == NULL)
		goto out;
	memcpy(by, pl->id, pl->n * sizeof(*by));
	qsort(by, pl->n, sizeof(*by), fileid_cmp);
	for (size_t i = 0, first = 0; i < pl->n; i++) {
		if (by[i].dev != by[first].dev || by[i].ino != by[first].ino)
			first = i;
		keep[by[i].pos] = by[first].pos;
		if (strcmp(pl->v[by[i].pos], pl->v[by[first].pos]) == 0)
			times[by[first].pos]++;
	}

	for (size_t i = 0; i < pl->n; i++) {
		if (keep[i] != i)
			tell_repeat(pl, i, keep[i], times);
	}
	for (size_t i = 0; i < pl->n; i++) {
		if (keep[i] == i) {
			pl->v[k] = pl->v[i];
			pl->id[k++] = pl->id[i];
			continue;
		}
		pl->bytes -= pl->id[i].size;
		free(pl->v[i]);
	}
	pl->n = k;
out:
	free(by);
	free(keep);
	free(times);
}

void cli_paths_done(struct cli_paths *pl)
{
	drop_repeats(pl);
	/*
	 * Rotated logs oldest first, so correlations run across them.  The
	 * names move, their identities do not: from here on id is only
	 * asked whether it holds a file (cli_paths_holds()).
	 */
	(void)input_order_rotated(pl->v, pl->n);
}

bool cli_paths_holds(const struct cli_paths *pl, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return false;
	for (size_t i = 0; i < pl->n; i++) {
		if (pl->id[i].dev == (uint64_t)st.st_dev &&
		    pl->id[i].ino == (uint64_t)st.st_ino)
			return true;
	}
	return false;
}

void cli_paths_free(struct cli_paths *pl)
{
	for (size_t i = 0; i < pl->n; i++)
		free(pl->v[i]);
	free(pl->v);
	free(pl->id);
	for (size_t i = 0; i < pl->ndirs; i++)
		free(pl->dirs[i].name);
	free(pl->dirs);
	pl->dirs = NULL;
	pl->ndirs = 0;
	pl->v = NULL;
	pl->id = NULL;
	pl->n = pl->cap = 0;
}
