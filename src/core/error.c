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

/*
 * Length of a UTF-8 character at p (n bytes) that a terminal would obey
 * or that reorders the line: a C1 control (U+0080 to U+009F), U+061C,
 * U+200E, U+200F, U+2028 to U+202E, U+2066 to U+2069; else 0.  File
 * names and log values reach these lines, and whoever names a file may
 * be the attacker.
 */
static size_t hidden_len(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	if (n >= 2 && p[0] == 0xd8 && p[1] == 0x9c)
		return 2;
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x80 &&
	    (p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xa8 && p[2] <= 0xae)))
		return 3;
	if (n >= 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 &&
	    p[2] <= 0xa9)
		return 3;
	return 0;
}

/*
 * s made safe for one log line into out (n bytes): control bytes and
 * DEL as \xNN, the characters hidden_len() finds as \xNN\xNN..., and,
 * quoted, '"' and '\\' escaped.  Cut at n - 1.
 */
static void log_escape(char *out, size_t n, const char *s, bool quoted)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), j = 0;

	for (size_t i = 0; i < len && j + 1 < n;) {
		size_t h = hidden_len(p + i, len - i);
		size_t k = h ? h : 1;

		if (h || p[i] < 0x20 || p[i] == 0x7f) {
			if (j + 4 * k + 1 > n)
				break;
			for (size_t m = 0; m < k; m++, j += 4)
				snprintf(out + j, 5, "\\x%02x", p[i + m]);
		} else if (quoted && (p[i] == '"' || p[i] == '\\')) {
			if (j + 3 > n)
				break;
			out[j++] = '\\';
			out[j++] = (char)p[i];
		} else {
			out[j++] = (char)p[i];
		}
		i += k;
	}
	out[j] = '\0';
}

void core_log_at(enum core_loglevel lvl, const char *room, const char *src,
		 uint64_t line, const char *fmt, ...)
{
	char msg[1024];
	char esc[4 * sizeof(msg)], where[4 * 4096 + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* The message is quoted; escape what would break the line apart
	 * or act on a terminal; the source too (a file name). */
	log_escape(esc, sizeof(esc), msg, true);
	fprintf(stderr, "level=%s room=%s", level_name[lvl], room);
	if (src) {
		log_escape(where, sizeof(where), src, false);
		fprintf(stderr, " src=%s", where);
	}
	if (line)
		fprintf(stderr, " line=%llu", (unsigned long long)line);
	fprintf(stderr, " msg=\"%s\"\n", esc);
}
