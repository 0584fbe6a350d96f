/*
 * budgets.c: NodePool disruption budgets (pkg/controllers/disruption,
 * reference B.11.3): how many of a pool's nodes may be disrupted for a
 * reason now, counting the ones already being disrupted.  A budget with a
 * cron schedule is active for its duration after the schedule fires; the
 * simulated clock's t=0 is Monday 2024-01-01 00:00 UTC, so schedules are
 * evaluated on a civil calendar without a wall clock.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"
#include "util/cron.h"

/* ---- disruption ---- */

static int
kp_budget_active(const struct kp_budget *b, int64_t now_ms)
{
	int64_t now_min = now_ms / 60000, back = b->duration_ms / 60000;

	if (b->schedule == NULL)
		return 1;
	if (back > 7 * 24 * 60)
		back = 7 * 24 * 60;
	for (int64_t m = now_min; m >= 0 && m > now_min - back - 1; m--)
		if (cron_fires(b->schedule, m))
			return now_ms < m * 60000 + b->duration_ms;
	return 0;
}

/* Nodes of pool p that may still be disrupted for `reason` now (B.11.3). */
int64_t
kp_budget_allowed(const struct kp_state *st, const struct kp_pool *p, unsigned reason)
{
	int64_t n = 0, busy = 0, allowed = INT64_MAX;

	for (size_t i = 0; i < st->nclaims; i++) {
		const struct kp_claim *k = st->claims[i];

		if (k->pool != p || k->gone_ms >= 0)
			continue;
		if (k->disrupting || k->in_cmd || k->node->state != NODE_READY)
			busy++;
		else
			n++;
	}
	for (size_t i = 0; i < p->nbudgets; i++) {
		const struct kp_budget *b = &p->budgets[i];
		int64_t v;

		if (!(b->reasons & reason) || !kp_budget_active(b, st->r->sim.now_ms))
			continue;
		v = b->pct ? (b->nodes * n + 99) / 100 : b->nodes;
		if (v < allowed)
			allowed = v;
	}
	if (allowed == INT64_MAX)
		return INT64_MAX;
	allowed -= busy;
	return allowed > 0 ? allowed : 0;
}
