/*
 * walk.c: expands a path into the files to read.
 *
 * Directories are walked depth-first in byte order of names, so a run is
 * repeatable.  Symlinks to files are followed; symlinks to directories are
 * not (they can loop), and are reported as skipped.  Nothing is left out
 * without a reason reaching skip_fn.
 */
#include "input/input.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WALK_MAX_DEPTH 64

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_dir(const char *dir, int depth, input_file_fn file_fn,
		     input_skip_fn skip_fn, void *ud);

static void walk_entry(const char *path, int depth, input_file_fn file_fn,
		       input_skip_fn skip_fn, void *ud)
{
	struct stat lst, st;

	if (lstat(path, &lst) != 0) {
		skip_fn(path, strerror(errno), ud);
		return;
	}
	if (S_ISLNK(lst.st_mode)) {
		if (stat(path, &st) != 0) {
			skip_fn(path, "dangling symbolic link", ud);
			return;
		}
		if (S_ISDIR(st.st_mode)) {
			skip_fn(path, "symbolic link to a directory, "
				"not followed", ud);
			return;
		}
	} else {
		st = lst;
	}

	if (S_ISDIR(st.st_mode))
		walk_dir(path, depth + 1, file_fn, skip_fn, ud);
	else if (S_ISREG(st.st_mode))
		file_fn(path, ud);
	else
		skip_fn(path, "not a regular file", ud);
}

/*
 * Length of dir without its trailing slashes, so that "logs/" and "logs"
 * give the same "logs/x" names; the root keeps its one slash.
 */
static int dir_len(const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		n = 0;
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

static void walk_dir(const char *dir, int depth, input_file_fn file_fn,
		     input_skip_fn skip_fn, void *ud)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	int dlen = dir_len(dir);
	struct dirent *de;
	DIR *d;

	if (depth > WALK_MAX_DEPTH) {
		skip_fn(dir, "directories nested too deep", ud);
		return;
	}
	d = opendir(dir);
	if (!d) {
		skip_fn(dir, strerror(errno), ud);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **grown;

			cap = cap ? cap * 2 : 32;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				break;
			names = grown;
		}
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);

	for (size_t i = 0; i < n; i++) {
		char path[4096];
		int len = snprintf(path, sizeof(path), "%.*s/%s", dlen, dir,
				   names[i]);

		if (len < 0 || (size_t)len >= sizeof(path))
			skip_fn(names[i], "path too long", ud);
		else
			walk_entry(path, depth, file_fn, skip_fn, ud);
		free(names[i]);
	}
	free(names);
}

int input_walk(const char *path, input_file_fn file_fn, input_skip_fn skip_fn,
	       void *ud, struct core_error *err)
{
	struct stat st;

	if (strcmp(path, "-") == 0) {
		file_fn(path, ud);
		return 0;
	}
	if (stat(path, &st) != 0)
		return core_fail(err, CORE_E_IO, path, 0, "%s",
				 strerror(errno));
	if (S_ISDIR(st.st_mode))
		walk_dir(path, 0, file_fn, skip_fn, ud);
	else
		file_fn(path, ud);
	return 0;
}

/* --------------------------------------------------- rotated files */

/* Where a path stands in its rotation family (see input_order_rotated). */
struct rot {
	const char *path;
	size_t baselen;		/* the family: path[0..baselen) */
	int64_t rank;		/* older first */
	size_t pos;		/* index in the caller's order */
};

static bool all_digits(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
	}
	return n > 0;
}

/* n digits at p as a number (n <= 18). */
static int64_t num(const char *p, size_t n)
{
	int64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

/*
 * A date suffix as YYYYMMDDHH: YYYYMMDD or YYYYMMDDHH (logrotate's
 * dateext) or YYYY-MM-DD, with a plausible year, month, day and hour.
 */
static bool date_rank(const char *p, size_t n, int64_t *rank)
{
	char d[10];
	int64_t y, mo, dd, h = 0;

	if (n == 10 && p[4] == '-' && p[7] == '-') {
		memcpy(d, p, 4);
		memcpy(d + 4, p + 5, 2);
		memcpy(d + 6, p + 8, 2);
		n = 8;
	} else if (n == 8 || n == 10) {
		memcpy(d, p, n);
	} else {
		return false;
	}
	if (!all_digits(d, n))
		return false;
	y = num(d, 4);
	mo = num(d + 4, 2);
	dd = num(d + 6, 2);
	if (n == 10)
		h = num(d + 8, 2);
	if (y < 1970 || y > 2999 || mo < 1 || mo > 12 || dd < 1 || dd > 31 ||
	    h > 23)
		return false;
	*rank = ((y * 100 + mo) * 100 + dd) * 100 + h;
	return true;
}

/*
 * Where a path stands in its rotation family.  Recognised before an
 * optional ".gz": a count ".N" of up to three digits (logrotate's: the
 * higher, the older), a year ".YYYY", and a date after "." or "-"
 * (date_rank()); the current file has no suffix and ranks last.  A base
 * that ends in a digit or a '/' forms no family (per-host files named by
 * address, versions, a bare number).
 */
static void rot_of(struct rot *r, const char *path, size_t pos)
{
	size_t n = strlen(path), k, base = 0;
	int64_t rank = INT64_MAX;

	r->path = path;
	r->pos = pos;
	r->baselen = n;
	r->rank = INT64_MAX;
	if (n > 3 && strcmp(path + n - 3, ".gz") == 0)
		n -= 3;
	for (k = n; k > 0 && path[k - 1] >= '0' && path[k - 1] <= '9'; k--)
		;
	if (n >= 11 && (path[n - 11] == '.' || path[n - 11] == '-') &&
	    date_rank(path + n - 10, 10, &rank)) {
		base = n - 11;
	} else if (k == 0 || k == n ||
		   (path[k - 1] != '.' && path[k - 1] != '-')) {
		return;
	} else if (date_rank(path + k, n - k, &rank)) {
		base = k - 1;
	} else if (path[k - 1] == '.' && n - k == 4 &&
		   num(path + k, 4) >= 1970) {
		rank = num(path + k, 4) * 1000000;	/* a year */
		base = k - 1;
	} else if (path[k - 1] == '.' && n - k <= 3) {
		rank = -num(path + k, n - k);		/* a count */
		base = k - 1;
	} else {
		return;
	}
	if (base == 0 || path[base - 1] == '/' ||
	    (path[base - 1] >= '0' && path[base - 1] <= '9'))
		return;
	r->baselen = base;
	r->rank = rank;
}

static int rot_cmp(const void *a, const void *b)
{
	const struct rot *x = a, *y = b;
	size_t n = x->baselen < y->baselen ? x->baselen : y->baselen;
	int c = memcmp(x->path, y->path, n);

	if (c != 0)
		return c;
	if (x->baselen != y->baselen)
		return x->baselen < y->baselen ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int pos_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

int input_order_rotated(char **paths, size_t n)
{
	struct rot *r;
	size_t *slots;
	char **was;

	if (n < 2)
		return 0;
	r = calloc(n, sizeof(*r));
	slots = calloc(n, sizeof(*slots));
	was = calloc(n, sizeof(*was));
	if (r == NULL || slots == NULL || was == NULL) {
		free(r);
		free(slots);
		free(was);
		return CORE_E_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		rot_of(&r[i], paths[i], i);
		was[i] = paths[i];
	}
	qsort(r, n, sizeof(*r), rot_cmp);
	/* Each family takes the places its members had, oldest first. */
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && r[j].baselen == r[i].baselen &&
		     memcmp(r[j].path, r[i].path, r[i].baselen) == 0; j++)
			;
		for (size_t k = i; k < j; k++)
			slots[k - i] = r[k].pos;
		qsort(slots, j - i, sizeof(*slots), pos_cmp);
		for (size_t k = i; k < j; k++)
			paths[slots[k - i]] = was[r[k].pos];
	}
	free(r);
	free(slots);
	free(was);
	return 0;
}
