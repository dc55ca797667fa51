/*
 * error.c: the error type and levelled key=value logging.
 *
 * Logging writes one line per call to stderr.  The level test happens in
 * the core_log() macro, before any argument is formatted.
 */
#include "core/core.h"

#include <stdio.h>
#include <string.h>

enum core_loglevel core_log_level = CORE_LOG_WARN;

int core_fail(struct core_error *err, int code, const char *file,
	      uint64_t line, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err->line = line;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

const char *core_strerror(int code)
{
	switch (code) {
	case CORE_OK: return "success";
	case CORE_E_NOMEM: return "out of memory";
	case CORE_E_IO: return "input/output error";
	case CORE_E_PARSE: return "malformed input";
	case CORE_E_TOOBIG: return "size limit reached";
	case CORE_E_UNSUPPORTED: return "not supported";
	case CORE_E_INVAL: return "invalid argument";
	case CORE_E_NOTFOUND: return "not found";
	case CORE_E_AGAIN: return "incomplete input";
	}
	return "unknown error";
}

void core_error_format(const struct core_error *err, char *out, size_t n)
{
	if (err->file[0] && err->line)
		snprintf(out, n, "%s:%llu: %s", err->file,
			 (unsigned long long)err->line, err->msg);
	else if (err->file[0])
		snprintf(out, n, "%s: %s", err->file, err->msg);
	else
		snprintf(out, n, "%s", err->msg);
}

static const char *level_name[] = { "error", "warn", "info", "debug" };

void core_log_at(enum core_loglevel lvl, const char *room, const char *src,
		 uint64_t line, const char *fmt, ...)
{
	char msg[1024];
	char esc[2 * sizeof(msg)];
	size_t j = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* The message is quoted; escape what would break the line apart. */
	for (size_t i = 0; msg[i] && j + 2 < sizeof(esc); i++) {
		unsigned char c = (unsigned char)msg[i];

		if (c == '"' || c == '\\') {
			esc[j++] = '\\';
			esc[j++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			esc[j++] = '?';
		} else {
			esc[j++] = (char)c;
		}
	}
	esc[j] = '\0';

	fprintf(stderr, "level=%s room=%s", level_name[lvl], room);
	if (src)
		fprintf(stderr, " src=%s", src);
	if (line)
		fprintf(stderr, " line=%llu", (unsigned long long)line);
	fprintf(stderr, " msg=\"%s\"\n", esc);
}
