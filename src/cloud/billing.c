/*
 * billing.c: a node's cost (see billing.h).
 *
 * One rule, in billing_nusd(), for the report's per-node cost, the cost
 * series of --csv and --svg and the plans: so the chart's last point, the
 * CSV's last row and the report's total are the same number.
 */
#include "cloud/billing.h"

#include "cluster/cluster.h"

int64_t
billing_nusd(int64_t price_nusd_h, int64_t ms)
{
	int64_t secs = (ms + 999) / 1000;

	if (secs < 60)
		secs = 60;
	/* price per hour * seconds / 3600, rounded to the nearest nano-USD */
	return (price_nusd_h * secs + 1800) / 3600;
}

int64_t
billing_node_cost_nusd(const struct ks_node *n, int64_t end_ms)
{
	int64_t until = n->gone_ms >= 0 ? n->gone_ms : end_ms;

	if (until < n->launched_ms)
		return 0;
	return billing_nusd(n->price_nusd_h + n->fee_nusd_h, until - n->launched_ms);
}

int64_t
billing_node_cost_at(const struct ks_node *n, int64_t t)
{
	int64_t until = n->gone_ms >= 0 && n->gone_ms < t ? n->gone_ms : t;

	if (n->launched_ms > t || until < n->launched_ms)
		return 0;
	return billing_nusd(n->price_nusd_h + n->fee_nusd_h, until - n->launched_ms);
}
