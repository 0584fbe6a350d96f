/*
 * stats.c: nearest-rank percentiles (see stats.h).  The rank of the p-th
 * percentile of n sorted samples is ceil(p * n / 100), 1-based, as in the
 * NIST definition; p = 100 is the maximum.
 */
#include "util/stats.h"

int
stats_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int64_t
stats_percentile(const int64_t *v, size_t n, int pct)
{
	size_t rank = ((size_t)pct * n + 99) / 100;

	return n == 0 ? 0 : v[rank ? rank - 1 : 0];
}
