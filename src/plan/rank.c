/*
 * plan/rank.c: the ranking of `plan nodes` options and the scaling of a
 * run's cost to a day or a month (see plan.h for the order).
 */
#include "plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "cloud/catalog.h"

/* ---- ranking and scaling ---- */

static int
rank_class(const struct plan_option *o)
{
	if (!o->viable || o->failed)
		return 2;
	return o->unsched > 0 ? 1 : 0;
}

int
plan_cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

static int
option_cmp(const void *x, const void *y)
{
	const struct plan_option *a = x, *b = y;
	int ca = rank_class(a), cb = rank_class(b), d;

	if (ca != cb)
		return ca - cb;
	if (ca == 1 && (d = a->unsched - b->unsched) != 0)
		return d;
	if (ca < 2 && (d = plan_cmp_i64(a->cost_nusd, b->cost_nusd)) != 0)
		return d;
	if (ca < 2 && (d = a->nodes - b->nodes) != 0)
		return d;
	if ((d = strcmp(a->it->name, b->it->name)) != 0)
		return d;
	return a->spot - b->spot;
}

void
plan_rank(struct plan_option *o, size_t n)
{
	if (n > 1)
		qsort(o, n, sizeof(*o), option_cmp);
}

const struct plan_option *
plan_cheapest(const struct plan_option *o, size_t n)
{
	return n > 0 && rank_class(&o[0]) == 0 ? &o[0] : NULL;
}

int64_t
plan_scale(int64_t nusd, int64_t run_ms, int64_t period_ms)
{
	if (run_ms <= 0)
		return 0;
#ifdef __SIZEOF_INT128__
	{
		__int128 v = ((__int128)nusd * period_ms + run_ms / 2) / run_ms;

		return v > INT64_MAX ? INT64_MAX : v < -INT64_MAX ? -INT64_MAX : (int64_t)v;
	}
#else
	/* nusd * period / run without overflow for costs below ~9e9 USD */
	return nusd / run_ms * period_ms + (nusd % run_ms * period_ms + run_ms / 2) / run_ms;
#endif
}
