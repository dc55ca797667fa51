/*
 * fuzz_input_reader.c: the line reader over hostile bytes, plain and gzip.
 *
 * The input becomes an in-memory file read through its /proc path, so the
 * reader's real open, sniff and gzip paths run.  Every record must lie
 * inside the reader's buffer and never exceed INPUT_MAX_LINE.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "input/input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input_reader *r;
	struct core_error err;
	struct core_str rec, peek[16];
	uint64_t line;
	unsigned flags;
	char path[64];
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	if (input_open(path, INPUT_O_ANY, &r, &err) == 0) {
		size_t n = input_peek(r, peek, 16);

		for (size_t i = 0; i < n; i++)
			if (peek[i].len > 65536)
				abort();
		while (input_next(r, &rec, &line, &flags, &err) == 1) {
			if (rec.len > INPUT_MAX_LINE)
				abort();
		}
		input_close(r);
	}
	close(fd);
	return 0;
}
