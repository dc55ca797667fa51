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

static void walk_dir(const char *dir, int depth, input_file_fn file_fn,
		     input_skip_fn skip_fn, void *ud)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
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
	qsort(names, n, sizeof(*names), name_cmp);

	for (size_t i = 0; i < n; i++) {
		char path[4096];
		int len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]);

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
