/*
 * cron.c: cron schedules on the simulated clock, for Karpenter's
 * disruption budgets and the CronJob controller.
 *
 * Simulated time has no wall clock: t=0 is Monday 2024-01-01 00:00 UTC,
 * so a schedule is evaluated on the civil calendar of that day onward,
 * one minute at a time (cron's resolution).
 */
#include "util/cron.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* One cron field ("*", "*\/n", "a", "a-b", "a-b/n", lists) admits v? */
static int
cron_field(const char *f, size_t len, int v, int lo, int hi)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		int a = lo, b = hi, step = 1;
		char part[64];

		while (j < len && f[j] != ',')
			j++;
		snprintf(part, sizeof(part), "%.*s", (int)(j - i), f + i);
		{
			char *slash = strchr(part, '/'), *dash;

			if (slash != NULL) {
				*slash = '\0';
				step = atoi(slash + 1);
				if (step < 1)
					step = 1;
			}
			if (strcmp(part, "*") != 0 && strcmp(part, "?") != 0) {
				dash = strchr(part, '-');
				a = atoi(part);
				b = dash ? atoi(dash + 1) : (slash ? hi : a);
			}
		}
		if (v >= a && v <= b && (v - a) % step == 0)
			return 1;
		i = j + 1;
	}
	return 0;
}

/* The cron schedule fires at minute index `min` (minutes since t=0, a Monday). */
int
cron_fires(const char *sched, int64_t min)
{
	const char *macro[][2] = { { "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" },
	    { "@monthly", "0 0 1 * *" }, { "@weekly", "0 0 * * 0" }, { "@daily", "0 0 * * *" },
	    { "@midnight", "0 0 * * *" }, { "@hourly", "0 * * * *" } };
	const char *f[5];
	size_t fl[5];
	int nf = 0, y, mo, d;
	int64_t days = min / 1440;

	for (size_t i = 0; i < sizeof(macro) / sizeof(macro[0]); i++)
		if (strcmp(sched, macro[i][0]) == 0)
			sched = macro[i][1];
	for (const char *q = sched; *q != '\0' && nf < 5;) {
		while (*q == ' ')
			q++;
		if (*q == '\0')
			break;
		f[nf] = q;
		while (*q != '\0' && *q != ' ')
			q++;
		fl[nf] = (size_t)(q - f[nf]);
		nf++;
	}
	if (nf != 5)
		return 0;
	cron_civil(19723 + days, &y, &mo, &d);	/* 19723 = 2024-01-01 */
	return cron_field(f[0], fl[0], (int)(min % 60), 0, 59) &&
	    cron_field(f[1], fl[1], (int)(min / 60 % 24), 0, 23) &&
	    cron_field(f[2], fl[2], d, 1, 31) &&
	    cron_field(f[3], fl[3], mo, 1, 12) &&
	    cron_field(f[4], fl[4], (int)((days + 1) % 7), 0, 6);
}
