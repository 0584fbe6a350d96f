/*
 * budgets.c: NodePool disruption budgets (pkg/controllers/disruption,
 * reference B.11.3): how many of a pool's nodes may be disrupted for a
 * reason now, counting the ones already being disrupted and ignoring the
 * ones still booting.  A budget with a
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
#include "util/xmalloc.h"

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

/*
 * Nodes of pool p that may still be disrupted for `reason` now, as
 * BuildDisruptionBudgetMapping (pkg/controllers/disruption/helpers.go)
 * counts them: the pool's initialized nodes, those being disrupted
 * included, give the total a percentage applies to; a node not yet
 * initialized (booting) is ignored altogether; the nodes being disrupted
 * (marked for deletion, or not Ready) are then subtracted.
 */
int64_t
kp_budget_allowed(const struct kp_state *st, const struct kp_pool *p, unsigned reason)
{
	int64_t n = 0, busy = 0, allowed = INT64_MAX;

	for (size_t i = 0; i < st->nclaims; i++) {
		const struct kp_claim *k = st->claims[i];

		if (k->pool != p || k->gone_ms >= 0 || k->ready_ms < 0)
			continue;
		n++;
		if (k->disrupting || k->in_cmd || k->node->state != NODE_READY)
			busy++;
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

int64_t
karpenter_budget_allowed(const char *nodes, int ready, int disrupting, int booting)
{
	struct ks_run *r = xcalloc(1, sizeof(*r));
	struct kp_state st;
	struct kp_pool pool;
	struct kp_budget b;
	int total = ready + disrupting + booting;
	struct kp_claim *k = xcalloc((size_t)total + 1, sizeof(*k));
	struct kp_claim **pk = xcalloc((size_t)total + 1, sizeof(*pk));
	struct ks_node *nd = xcalloc((size_t)total + 1, sizeof(*nd));
	size_t len = strlen(nodes);
	int64_t got;

	memset(&st, 0, sizeof(st));
	memset(&pool, 0, sizeof(pool));
	memset(&b, 0, sizeof(b));
	st.r = r;
	b.pct = len > 0 && nodes[len - 1] == '%';
	b.nodes = atoll(nodes);
	b.reasons = KR_ALL;
	pool.budgets = &b;
	pool.nbudgets = 1;
	for (int i = 0; i < total; i++) {
		k[i].pool = &pool;
		k[i].node = &nd[i];
		k[i].gone_ms = -1;
		k[i].ready_ms = i < ready + disrupting ? 0 : -1;
		k[i].disrupting = i >= ready && i < ready + disrupting;
		nd[i].state = k[i].ready_ms < 0 ? NODE_NOTREADY : NODE_READY;
		pk[i] = &k[i];
	}
	st.claims = pk;
	st.nclaims = (size_t)total;
	got = kp_budget_allowed(&st, &pool, KR_UNDERUTILIZED);
	free(nd);
	free(pk);
	free(k);
	free(r);
	return got;
}
