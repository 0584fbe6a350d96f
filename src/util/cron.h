/*
 * cron.h: cron schedules ("0 * * * *", "@hourly", steps and lists) on
 * the simulated clock, whose t=0 is Monday 2024-01-01 00:00 UTC.
 */
#ifndef KS_CRON_H
#define KS_CRON_H

#include <stddef.h>
#include <stdint.h>

/* 0 when sched is a valid schedule; else -1 and why (n bytes) says what is wrong. */
int	cron_check(const char *sched, char *why, size_t n);
/* The schedule fires at minute index min (minutes since t=0); never when invalid. */
int	cron_fires(const char *sched, int64_t min);

#endif
