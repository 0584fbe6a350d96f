/*
 * cron.c: cron schedules on the simulated clock, for Karpenter's
 * disruption budgets and the CronJob controller.
 *
 * Simulated time has no wall clock: t=0 is Monday 2024-01-01 00:00 UTC,
 * so a schedule is evaluated on the civil calendar of that day onward,
 * one minute at a time (cron's resolution).
 *
 * The syntax is robfig/cron's standard parser, which both Kubernetes
 * (CronJob validation, the CronJob controller) and Karpenter use: five
 * fields (minute, hour, day of month, month, day of week 0-6 with 0 =
 * Sunday); "*" and "?"; a, a-b, with /step, and lists; month and weekday
 * names (JAN, MON, case-insensitive); the macros @yearly, @annually,
 * @monthly, @weekly, @daily, @midnight and @hourly, and "@every
 * DURATION" (fires every DURATION from t=0, rounded down to whole
 * minutes, at least one).  As in cron, when both day fields are
 * restricted a day matches either one; when either is "*" or "?", both
 * must match.  cron_check() says what is wrong with a schedule, so a bad
 * one is an error at its line; cron_fires() treats one as never firing.
 */
#include "util/cron.h"

#include <ctype.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/duration.h"

/* Days since 1970-01-01 -> civil date (Howard Hinnant's algorithm). */
static void
cron_civil(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static const char *const cron_months[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul",
	"aug", "sep", "oct", "nov", "dec", NULL };
static const char *const cron_days[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

static const struct {
	const char	*name;	/* the field, for messages */
	int		 lo, hi;	/* its bounds */
	const char *const *names;	/* names of its values from lo, or NULL */
} cron_fields[5] = {
	{ "minute", 0, 59, NULL }, { "hour", 0, 23, NULL }, { "day of month", 1, 31, NULL },
	{ "month", 1, 12, cron_months }, { "day of week", 0, 6, cron_days },
};

/* A number or a name of field f: its value, or -1. */
static int
cron_value(const char *s, size_t len, int f)
{
	char *end;
	long v;

	if (len == 0)
		return -1;
	if (isdigit((unsigned char)s[0])) {
		v = strtol(s, &end, 10);
		return (size_t)(end - s) == len && v <= 1000 ? (int)v : -1;
	}
	for (int i = 0; cron_fields[f].names != NULL && cron_fields[f].names[i] != NULL; i++)
		if (len == 3 && strncasecmp(s, cron_fields[f].names[i], 3) == 0)
			return cron_fields[f].lo + i;
	return -1;
}

/*
 * One range of field f ("*", "?", "a", "a-b", each with an optional
 * "/step"; "a/step" runs to the field's end): its bounds and step, and
 * whether it is the "*" of robfig/cron's star bit.  0, or -1 when invalid.
 */
static int
cron_range(const char *p, size_t len, int f, int *a, int *b, int *step, int *star)
{
	const char *slash = memchr(p, '/', len), *dash;
	size_t rl = slash ? (size_t)(slash - p) : len;

	*a = cron_fields[f].lo;
	*b = cron_fields[f].hi;
	*step = 1;
	*star = 0;
	if (slash != NULL && (*step = cron_value(slash + 1, len - rl - 1, 0)) < 1)
		return -1;
	if ((rl == 1 && (p[0] == '*' || p[0] == '?'))) {
		*star = *step == 1;
		return 0;
	}
	dash = memchr(p, '-', rl);
	if (dash == NULL) {
		*a = cron_value(p, rl, f);
		if (slash == NULL)
			*b = *a;
	} else {
		*a = cron_value(p, (size_t)(dash - p), f);
		*b = cron_value(dash + 1, rl - (size_t)(dash - p) - 1, f);
	}
	if (*a < cron_fields[f].lo || *b > cron_fields[f].hi || *a > *b)
		return -1;
	return 0;
}

/* Field f (len bytes at s): does it admit v (when v >= 0)?  *star: it is "*" or "?". */
static int
cron_field(const char *s, size_t len, int f, int v, int *ok, int *star)
{
	size_t i = 0;
	int hit = 0;

	*ok = 1;
	*star = 0;
	while (i <= len) {
		size_t j = i;
		int a, b, step, st;

		while (j < len && s[j] != ',')
			j++;
		if (cron_range(s + i, j - i, f, &a, &b, &step, &st) != 0) {
			*ok = 0;
			return 0;
		}
		*star |= st;
		if (v >= a && v <= b && (v - a) % step == 0)
			hit = 1;
		i = j + 1;
	}
	return hit;
}

/* Split sched into its five fields after expanding a macro; -1 when not five. */
static int
cron_split(const char **sched, const char *f[5], size_t fl[5])
{
	static const char *const macro[][2] = { { "@yearly", "0 0 1 1 *" },
	    { "@annually", "0 0 1 1 *" }, { "@monthly", "0 0 1 * *" }, { "@weekly", "0 0 * * 0" },
	    { "@daily", "0 0 * * *" }, { "@midnight", "0 0 * * *" }, { "@hourly", "0 * * * *" } };
	int nf = 0;

	for (size_t i = 0; i < sizeof(macro) / sizeof(macro[0]); i++)
		if (strcmp(*sched, macro[i][0]) == 0)
			*sched = macro[i][1];
	for (const char *q = *sched; *q != '\0';) {
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '\0')
			break;
		if (nf == 5)
			return -1;
		f[nf] = q;
		while (*q != '\0' && *q != ' ' && *q != '\t')
			q++;
		fl[nf] = (size_t)(q - f[nf]);
		nf++;
	}
	return nf == 5 ? 0 : -1;
}

/* "@every D": D in whole minutes (at least 1), or 0 when sched is no @every. */
static int64_t
cron_every(const char *sched, int *bad)
{
	int64_t ms;

	*bad = 0;
	if (strncmp(sched, "@every ", 7) != 0)
		return 0;
	if (ks_duration_parse(sched + 7, &ms, NULL, NULL) != 0 || ms <= 0) {
		*bad = 1;
		return 0;
	}
	return ms / 60000 > 0 ? ms / 60000 : 1;
}

int
cron_check(const char *sched, char *why, size_t n)
{
	const char *f[5];
	size_t fl[5];
	int ok, star, bad;

	if (strncmp(sched, "TZ=", 3) == 0 || strncmp(sched, "CRON_TZ=", 8) == 0) {
		snprintf(why, n, "a time zone in the schedule is not allowed: use spec.timeZone");
		return -1;
	}
	if (cron_every(sched, &bad) > 0 || bad) {
		if (bad)
			snprintf(why, n, "expected @every and a duration such as 1h30m");
		return bad ? -1 : 0;
	}
	if (sched[0] == '@' && cron_split(&sched, f, fl) != 0) {
		snprintf(why, n, "unknown descriptor %s: expected @yearly, @annually, @monthly, "
		    "@weekly, @daily, @midnight, @hourly or @every DURATION", sched);
		return -1;
	}
	if (cron_split(&sched, f, fl) != 0) {
		snprintf(why, n, "expected exactly 5 fields (minute hour day-of-month month "
		    "day-of-week)");
		return -1;
	}
	for (int i = 0; i < 5; i++) {
		cron_field(f[i], fl[i], i, -1, &ok, &star);
		if (!ok) {
			snprintf(why, n, "bad %s field \"%.*s\": expected values %d-%d",
			    cron_fields[i].name, (int)fl[i], f[i], cron_fields[i].lo,
			    cron_fields[i].hi);
			return -1;
		}
	}
	return 0;
}

int
cron_fires(const char *sched, int64_t min)
{
	const char *f[5];
	size_t fl[5];
	int y, mo, d, ok[5], star[5], dom, dow, bad;
	int64_t days = min / 1440, every = cron_every(sched, &bad);

	if (every > 0)
		return min % every == 0;
	if (bad || cron_split(&sched, f, fl) != 0)
		return 0;
	cron_civil(19723 + days, &y, &mo, &d);	/* 19723 = 2024-01-01 */
	if (!cron_field(f[0], fl[0], 0, (int)(min % 60), &ok[0], &star[0]) ||
	    !cron_field(f[1], fl[1], 1, (int)(min / 60 % 24), &ok[1], &star[1]) ||
	    !cron_field(f[3], fl[3], 3, mo, &ok[3], &star[3]))
		return 0;
	dom = cron_field(f[2], fl[2], 2, d, &ok[2], &star[2]);
	dow = cron_field(f[4], fl[4], 4, (int)((days + 1) % 7), &ok[4], &star[4]);
	if (!ok[2] || !ok[4])
		return 0;
	return star[2] || star[4] ? dom && dow : dom || dow;
}
