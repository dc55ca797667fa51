/*
 * time.c: civil time without the C library's time zone state.
 *
 * Timestamps are microseconds since the epoch, UTC.  Conversions use the
 * days-from-civil algorithm (proleptic Gregorian calendar), so they are
 * pure, thread-safe and need no TZ lookups on the hot path.  The supported
 * range is years 1970 to 9999; anything outside is rejected as out of range.
 */
#include "core/core.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>

int64_t core_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

bool core_time_from_parts(int y, int mon, int day, int h, int mi, int s,
			  long usec, int offset_min, int64_t *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };
	int maxday;
	int64_t days, secs;

	if (y < 1970 || y > 9999 || mon < 1 || mon > 12 || day < 1)
		return false;
	maxday = mdays[mon - 1] + (mon == 2 && is_leap(y));
	/* 60 allows a leap second; it folds into the next minute. */
	if (day > maxday || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
	    s > 60 || usec < 0 || usec > 999999 || offset_min < -1440 ||
	    offset_min > 1440)
		return false;

	days = core_days_from_civil(y, (unsigned)mon, (unsigned)day);
	secs = days * 86400 + h * 3600 + mi * 60 + s - offset_min * 60;
	*out = secs * 1000000 + usec;
	return true;
}

int core_month_from_abbr(const char *p)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	for (int i = 0; i < 12; i++) {
		if (memcmp(months + 3 * i, p, 3) == 0)
			return i + 1;
	}
	return 0;
}

/* Reads exactly n digits. */
static bool digits(const char *p, size_t len, size_t at, size_t n, int *out)
{
	int v = 0;

	if (at + n > len)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)p[at + i] - '0';

		if (d > 9)
			return false;
		v = v * 10 + (int)d;
	}
	*out = v;
	return true;
}

size_t core_time_parse_iso(const char *p, size_t len, int64_t *out)
{
	int y, mo, d, h, mi, s = 0, off = 0;
	long usec = 0;
	size_t i;

	if (!digits(p, len, 0, 4, &y) || len < 16 || p[4] != '-' ||
	    !digits(p, len, 5, 2, &mo) || p[7] != '-' ||
	    !digits(p, len, 8, 2, &d) || (p[10] != 'T' && p[10] != ' ' &&
					  p[10] != 't') ||
	    !digits(p, len, 11, 2, &h) || p[13] != ':' ||
	    !digits(p, len, 14, 2, &mi))
		return 0;
	i = 16;
	if (i < len && p[i] == ':') {
		if (!digits(p, len, i + 1, 2, &s))
			return 0;
		i += 3;
	}
	if (i < len && (p[i] == '.' || p[i] == ',')) {
		long scale = 100000;

		i++;
		if (i >= len || p[i] < '0' || p[i] > '9')
			return 0;
		/* Keep microseconds; further digits are read and dropped. */
		for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
			usec += (p[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (i < len && (p[i] == 'Z' || p[i] == 'z')) {
		i++;
	} else if (i < len && (p[i] == '+' || p[i] == '-')) {
		int oh, om = 0, sign = p[i] == '-' ? -1 : 1;

		if (!digits(p, len, i + 1, 2, &oh))
			return 0;
		i += 3;
		if (i < len && p[i] == ':')
			i++;
		if (digits(p, len, i, 2, &om))
			i += 2;
		off = sign * (oh * 60 + om);
	}
	if (!core_time_from_parts(y, mo, d, h, mi, s, usec, off, out))
		return 0;
	return i;
}

void core_time_format(int64_t ts, char *out, size_t n)
{
	int64_t secs, days, rem;
	unsigned m, d;
	int y;
	long usec;

	if (ts == CORE_TS_UNKNOWN) {
		snprintf(out, n, "-");
		return;
	}
	secs = ts / 1000000;
	usec = (long)(ts % 1000000);
	if (usec < 0) {
		usec += 1000000;
		secs--;
	}
	days = secs / 86400;
	rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(out, n, "%04d-%02u-%02uT%02d:%02d:%02d.%06ldZ", y, m, d,
		 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
		 usec);
}

int64_t core_time_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

void core_time_format_human(int64_t ts, char *out, size_t n)
{
	char full[40];

	if (ts == CORE_TS_UNKNOWN) {
		snprintf(out, n, "unknown");
		return;
	}
	/* 2024-03-01T10:00:00.000000Z -> 2024-03-01 10:00:00 UTC */
	core_time_format(ts, full, sizeof(full));
	full[10] = ' ';
	full[19] = '\0';
	snprintf(out, n, "%s UTC", full);
}
