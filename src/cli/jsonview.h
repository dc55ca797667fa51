/*
 * jsonview.h: reading the store's JSON documents for printing (show,
 * investigate): typed lookups that give a neutral value when a key is
 * missing or of another type, and escaped output.
 */
#ifndef VIGIL_CLI_JSONVIEW_H
#define VIGIL_CLI_JSONVIEW_H

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli/report.h"

/* The string at key, or "". */
static inline const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The number at key, or 0. */
static inline double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The array at key, or NULL. */
static inline const cJSON *arr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsArray(v) ? v : NULL;
}

/* Escaped text, cut at max bytes; md also escapes ` and |. */
static inline void esc(struct core_buf *b, const char *s, size_t max,
		       bool md)
{
	cli_report_escape(b, s, strlen(s), max, md);
}

/*
 * A stored record's text as the report prints it: a Windows record as
 * the summary of its salient fields (incident_evidence_summary(), read
 * from the text as stored), any other record escaped as it is.
 */
static inline void esc_record(struct core_buf *b, const char *text,
			      size_t max, bool md)
{
	struct core_str t = core_str_make(text, strlen(text));
	char sum[INCIDENT_SUMMARY_MAX];
	size_t n = incident_evidence_summary(NULL, t, sum, sizeof(sum));

	esc(b, n ? sum : text, max, md);
}

/*
 * A stored RFC 3339 time as the report prints times ("2026-03-10
 * 13:02:05 UTC"); anything that does not parse is given as it is.
 */
static inline const char *when(const char *iso, char *out, size_t n)
{
	int64_t ts;
	size_t len = strlen(iso);

	if (len == 0 || core_time_parse_iso(iso, len, &ts) != len) {
		snprintf(out, n, "%s", *iso ? iso : "unknown");
		return out;
	}
	cli_report_time(ts, out, n);
	return out;
}

#endif /* VIGIL_CLI_JSONVIEW_H */
