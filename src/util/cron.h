/*
 * cron.h: cron schedules ("0 * * * *", "@hourly", steps and lists) on
 * the simulated clock, whose t=0 is Monday 2024-01-01 00:00 UTC.
 */
#ifndef KS_CRON_H
#define KS_CRON_H

#include <stdint.h>

/* The schedule fires at minute index min (minutes since t=0). */
int	cron_fires(const char *sched, int64_t min);

#endif
