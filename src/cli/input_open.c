/*
 * input_open.c: a log opened as analyze opens it (cli_input.h): EVTX by
 * offset, by stream or not at all, and its records decoded.
 */
#include "cli/cli_input.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "input/evtx.h"
#include "input/input.h"
#include "parse/evtx.h"

/*
 * True when path is a regular file that starts as an EVTX file does.
 * Anything else (standard input, a named pipe) is left to the input
 * reader: sniffing it here would eat the bytes it needs.
 */
static bool evtx_file(const char *path)
{
	struct stat st;
	char magic[4096 + 8];
	size_t n = 0;
	FILE *f;

	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 ||
	    !S_ISREG(st.st_mode))
		return false;
	f = fopen(path, "rb");
	if (f == NULL)
		return false;
	n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	return input_evtx_magic(magic, n);
}

/* The decoder for a new EVTX input: made once, then reset. */
static int ready_decoder(struct parse_evtx **dec, const char *name,
			 struct core_error *err)
{
	if (*dec != NULL) {
		parse_evtx_reset(*dec);
		return 0;
	}
	*dec = parse_evtx_new();
	return *dec ? 0 : core_fail(err, CORE_E_NOMEM, name, 0,
				    "out of memory");
}

int cli_input_open(const char *path, unsigned oflags,
		   enum cli_input_evtx evtx, struct parse_evtx **dec,
		   struct cli_input *in, struct core_error *err)
{
	const char *name = path;
	int rc;

	memset(in, 0, sizeof(*in));
	/* A file is read by offset; a pipe or gzip stream in order. */
	if (evtx != CLI_EVTX_NEVER && evtx_file(path)) {
		rc = input_evtx_open(path, &in->evtx, err);
	} else {
		if (evtx != CLI_EVTX_NEVER)
			oflags |= INPUT_O_EVTX;
		rc = input_open(path, oflags, &in->text, err);
		if (rc != 0)
			return rc;
		if (!input_is_evtx(in->text) && evtx != CLI_EVTX_ALWAYS)
			return 0;
		in->stream = in->text;
		in->text = NULL;
		name = input_name(in->stream);
		rc = input_evtx_open_stream(in->stream, &in->evtx, err);
	}
	if (rc == 0)
		rc = ready_decoder(dec, name, err);
	if (rc != 0) {
		cli_input_close(in);
		in->is_evtx = true;
		return rc;
	}
	in->is_evtx = true;
	in->dec = *dec;
	return 0;
}

int cli_input_evtx_next(struct cli_input *in, struct core_event *ev,
			struct core_arena *arena, struct core_error *err)
{
	struct input_evtx_record rec;
	int rc = input_evtx_next(in->evtx, &rec, err);

	if (rc <= 0)
		return rc;
	core_arena_reset(arena);
	core_event_reset(ev, arena);
	ev->src = input_evtx_name(in->evtx);
	ev->line = rec.record_id;
	rc = parse_evtx_record(in->dec, ev, rec.chunk, rec.chunk_len,
			       rec.chunk_no, rec.off, rec.len, rec.written,
			       err);
	return rc == 0 ? 1 : 2;
}

int cli_input_evtx_read(struct cli_input *in, struct core_event *ev,
			struct core_arena *arena, const char *prefix)
{
	struct core_error err = { 0 };
	char msg[1024];
	int rc;

	do {
		rc = cli_input_evtx_next(in, ev, arena, &err);
		if (rc < 0 || rc == 2) {
			core_error_format(&err, msg, sizeof(msg));
			fprintf(stderr, "%s: %s\n", prefix, msg);
		}
	} while (rc == CORE_E_PARSE);
	return rc > 0;
}

const char *cli_input_name(const struct cli_input *in)
{
	if (in->evtx != NULL)
		return input_evtx_name(in->evtx);
	return in->text ? input_name(in->text) : "";
}

void cli_input_close(struct cli_input *in)
{
	input_evtx_close(in->evtx);
	input_close(in->text);
	input_close(in->stream);
	memset(in, 0, sizeof(*in));
}
