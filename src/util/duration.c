/*
 * duration.c: Go durations in integer milliseconds.
 *
 * Kubernetes objects and autoscaler flags spell every period as a Go
 * time.Duration string, so ksim accepts exactly what Go's
 * time.ParseDuration (go/src/time/format.go) accepts: an optional sign, then
 * one or more <decimal><unit> terms (units ns, us, µs, μs, ms, s, m, h),
 * or "0" alone.  The arithmetic follows Go's too: the value is accumulated
 * in uint64 nanoseconds with Go's overflow limits (1<<63), and a fraction
 * is added as float64(f) * (unit / scale), so "1.1s" rounds the same way.
 * The result is truncated toward zero to milliseconds, as
 * Duration.Milliseconds() does: ksim's clock has millisecond resolution.
 *
 * Two things ksim adds for its users: a bare number such as "90" (valid in
 * a Kubernetes int field, a missing unit here) gets a hint naming the
 * expected form, and "1d" is refused with the list of units because Go has
 * no day unit and neither does any controller flag.
 *
 * ks_duration_format() is Duration.String() restricted to whole ms: under
 * one second "500ms", otherwise [h "h"][m "m"]s[.frac]"s" with trailing
 * zeros of the fraction dropped ("1m30s", "1h0m0s", "1.5s").
 *
 * Cost: one pass over the string, no allocation.
 */
#include "util/duration.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define HINT	"expected a duration such as \"90s\" or \"5m\""
#define LIMIT	(UINT64_C(1) << 63)

struct unit {
	const char	*name;	/* as written after the number */
	uint64_t	 ns;	/* nanoseconds per unit */
};

static const struct unit units[] = {
	{ "ns", 1 },
	{ "us", 1000 },
	{ "\xc2\xb5s", 1000 },	/* U+00B5 micro sign */
	{ "\xce\xbcs", 1000 },	/* U+03BC Greek small letter mu */
	{ "ms", 1000000 },
	{ "s", 1000000000 },
	{ "m", UINT64_C(60) * 1000000000 },
	{ "h", UINT64_C(3600) * 1000000000 },
};

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A sign and digits only (a Kubernetes integer written where a duration goes). */
static int
is_bare_number(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!is_digit(*s) && *s != '.')
			return 0;
	}
	return 1;
}

int
ks_duration_parse(const char *s, int64_t *ms, struct ks_error *err,
    const struct ks_mark *at)
{
	const char *orig = s, *p = s;
	uint64_t d = 0;
	int neg = 0;

	assert(s != NULL && ms != NULL);
	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	if (strcmp(p, "0") == 0) {
		*ms = 0;
		return 0;
	}
	if (*p == '\0')
		goto invalid;
	while (*p != '\0') {
		uint64_t v = 0, f = 0, unit = 0;
		double scale = 1;
		int pre = 0, post = 0, overflow = 0;
		size_t ulen;

		if (*p != '.' && !is_digit(*p))
			goto invalid;
		for (; is_digit(*p); p++) {
			if (v > LIMIT / 10)
				goto range;
			v = v * 10 + (uint64_t)(*p - '0');
			if (v > LIMIT)
				goto range;
			pre = 1;
		}
		if (*p == '.') {
			for (p++; is_digit(*p); p++) {
				post = 1;
				if (overflow)
					continue;
				if (f > (LIMIT - 1) / 10 ||
				    f * 10 + (uint64_t)(*p - '0') > LIMIT) {
					overflow = 1;
					continue;
				}
				f = f * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
		}
		if (!pre && !post)
			goto invalid;
		for (ulen = 0; p[ulen] != '\0' && p[ulen] != '.' &&
		    !is_digit(p[ulen]); ulen++)
			;
		if (ulen == 0) {
			if (is_bare_number(orig))
				goto invalid;
			return ks_error_set(err, at, KS_EINVAL,
			    "missing unit in duration \"%s\" (valid units "
			    "are ns, us, ms, s, m, h)", orig);
		}
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (strlen(units[i].name) == ulen &&
			    memcmp(units[i].name, p, ulen) == 0)
				unit = units[i].ns;
		}
		if (unit == 0)
			return ks_error_set(err, at, KS_EINVAL,
			    "unknown unit \"%.*s\" in duration \"%s\" (valid "
			    "units are ns, us, ms, s, m, h)", (int)ulen, p, orig);
		p += ulen;
		if (v > LIMIT / unit)
			goto range;
		v *= unit;
		if (f > 0) {
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > LIMIT)
				goto range;
		}
		d += v;
		if (d > LIMIT)
			goto range;
	}
	if (!neg && d > LIMIT - 1)
		goto range;
	/* Duration.Milliseconds(): truncation toward zero. */
	*ms = neg ? -(int64_t)(d / 1000000) : (int64_t)(d / 1000000);
	return 0;
range:
	return ks_error_set(err, at, KS_EINVAL,
	    "duration \"%s\" is out of range", orig);
invalid:
	return ks_error_set(err, at, KS_EINVAL, HINT ", found \"%s\"", orig);
}

char *
ks_duration_format(int64_t ms, char *buf, size_t n)
{
	uint64_t u, secs;
	unsigned frac;
	char fbuf[8] = "";
	const char *sign = ms < 0 ? "-" : "";

	assert(buf != NULL && n > 0);
	u = ms < 0 ? (uint64_t)(-(ms + 1)) + 1 : (uint64_t)ms;
	if (u == 0) {
		snprintf(buf, n, "0s");
		return buf;
	}
	if (u < 1000) {
		snprintf(buf, n, "%s%" PRIu64 "ms", sign, u);
		return buf;
	}
	secs = u / 1000;
	frac = (unsigned)(u % 1000);
	if (frac != 0) {
		snprintf(fbuf, sizeof(fbuf), ".%03u", frac);
		for (size_t i = strlen(fbuf) - 1; fbuf[i] == '0'; i--)
			fbuf[i] = '\0';
	}
	if (secs >= 3600)
		snprintf(buf, n, "%s%" PRIu64 "h%" PRIu64 "m%" PRIu64 "%ss",
		    sign, secs / 3600, secs / 60 % 60, secs % 60, fbuf);
	else if (secs >= 60)
		snprintf(buf, n, "%s%" PRIu64 "m%" PRIu64 "%ss", sign,
		    secs / 60, secs % 60, fbuf);
	else
		snprintf(buf, n, "%s%" PRIu64 "%ss", sign, secs, fbuf);
	return buf;
}
