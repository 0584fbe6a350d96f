/*
 * stats.h: order statistics over samples, the way every report of ksim
 * states them (pending-time percentiles of an expectation, the spread of a
 * sweep): nearest rank over values sorted ascending, so a percentile is
 * always one of the samples and never an interpolation.
 */
#ifndef KS_UTIL_STATS_H
#define KS_UTIL_STATS_H

#include <stddef.h>
#include <stdint.h>

/* qsort comparator for int64_t, ascending */
int	stats_cmp_i64(const void *, const void *);
/* Nearest-rank percentile (pct 1..100) of v[0..n), sorted ascending; 0 when n is 0. */
int64_t	stats_percentile(const int64_t *v, size_t n, int pct);

#endif
