/*
 * balanced.c: consolidationPolicy Balanced (karpenter.sh/v1, kubernetes-sigs/
 * karpenter designs/balanced-consolidation.md and pkg/controllers/disruption
 * types.go): a consolidation move is approved only when its savings, as a
 * fraction of its NodePool's cost, are at least 1/k (k = BalancedK = 2, a
 * constant, no field) of its disruption as a fraction of the pool's total
 * disruption.  A node's disruption ("reschedule disruption cost") is a
 * base of 1.0 plus, for each reschedulable pod, max(0, EvictionCost):
 * EvictionCost = 1 + pod-deletion-cost / 2^27 + priority / 2^25, clamped to
 * [-10, 10] (pkg/utils/disruption).  Upstream's IsEmpty is that cost being
 * the base alone, so a node whose pods all cost <= 0 counts as empty; ksim
 * applies that definition once a pool asks for Balanced (the Karpenter that
 * has Balanced has it), and "has no pods" otherwise.  A command spanning
 * several pools shares its savings among them by their share of the
 * candidates' price, and each Balanced pool must pass on its own.  The
 * totals are taken when the move is computed.  Only consolidation is scored:
 * not emptiness, drift, expiry or interruptions.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"

/* A pod consolidation would move (disruption.c's rule): bound, not a DaemonSet's. */
static int
kp_pod_movable(const struct ks_pod *p)
{
	return !p->spec->is_daemon && (p->phase == POD_BOUND || p->phase == POD_RUNNING);
}

double
kp_eviction_cost(const struct ks_pod *p)
{
	const char *pdc = labels_get(&p->spec->annotations,
	    "controller.kubernetes.io/pod-deletion-cost");
	double w = 1.0 + (pdc ? atof(pdc) : 0.0) / 134217728.0 + p->spec->priority / 33554432.0;

	return w < -10.0 ? -10.0 : w > 10.0 ? 10.0 : w;
}

double
kp_resched_cost(const struct kp_state *st, const struct kp_claim *k)
{
	const struct ks_cluster *c = &st->r->cluster;
	double cost = KP_NODE_BASE_COST;

	if (k->node == NULL)
		return cost;
	for (size_t i = 0; i < k->node->npods; i++) {
		const struct ks_pod *p = c->pods[k->node->pods[i]];
		double w;

		if (kp_pod_movable(p) && (w = kp_eviction_cost(p)) > 0)
			cost += w;
	}
	return cost;
}

/* Is any pool Balanced (so the running Karpenter has the cost-based IsEmpty)? */
static int
kp_any_balanced(const struct kp_state *st)
{
	for (size_t i = 0; i < st->npools; i++)
		if (st->pools[i]->balanced)
			return 1;
	return 0;
}

int
kp_claim_empty(const struct kp_state *st, const struct kp_claim *k, size_t npods)
{
	if (npods == 0)
		return 1;
	return kp_any_balanced(st) && kp_resched_cost(st, k) <= KP_NODE_BASE_COST;
}

double
karpenter_balanced_score(double savings, double pool_cost, double disruption,
    double pool_disruption)
{
	double sf, df;

	if (savings <= 0 || pool_cost <= 0)
		return 0;
	sf = savings / pool_cost;
	df = pool_disruption > 0 ? disruption / pool_disruption : 0;
	return df <= 0 ? 1e300 : sf / df;
}

/* The price of what a command launches: each plan's cheapest option, nano-USD/h. */
static int64_t
kp_cmd_dest_price(const struct kp_state *st, const struct kp_cmd *cmd)
{
	int64_t sum = 0;

	for (size_t i = 0; i < cmd->nplans; i++) {
		const struct kp_claim *k = cmd->plans[i];
		int64_t best = 0;

		for (size_t j = 0; j < k->nits; j++) {
			int64_t p = kp_it_price(st, k->its[j], &k->reqs, 0, NULL);

			if (p > 0 && (best == 0 || p < best))
				best = p;
		}
		sum += best;
	}
	return sum;
}

/* Pool p's totals: the price and reschedule cost of every node it has. */
static void
kp_pool_totals(const struct kp_state *st, const struct kp_pool *p, double *cost, double *disr)
{
	*cost = *disr = 0;
	for (size_t i = 0; i < st->nclaims; i++) {
		const struct kp_claim *k = st->claims[i];

		if (k->pool != p || k->gone_ms >= 0 || k->node == NULL)
			continue;
		*cost += (double)k->node->price_nusd_h;
		*disr += kp_resched_cost(st, k);
	}
}

/*
 * Does Balanced reject the move of cands (cand_price their price) that cmd
 * would make?  Then msg says why (the score as ConsolidationRejected says it).
 */
int
kp_balanced_reject(const struct kp_state *st, struct kp_claim *const *cands, size_t ncands,
    const struct kp_cmd *cmd, int64_t cand_price, char *msg, size_t msgn)
{
	double savings = (double)(cand_price - kp_cmd_dest_price(st, cmd));

	for (size_t i = 0; i < ncands; i++) {
		const struct kp_pool *p = cands[i]->pool;
		double pcost = 0, disr = 0, tcost, tdisr, share, score;
		int seen = 0;

		for (size_t j = 0; j < i; j++)
			seen |= cands[j]->pool == p;
		if (!p->balanced || seen)
			continue;
		for (size_t j = i; j < ncands; j++)
			if (cands[j]->pool == p) {
				pcost += (double)cands[j]->node->price_nusd_h;
				disr += kp_resched_cost(st, cands[j]);
			}
		share = cand_price > 0 ? savings * pcost / (double)cand_price : 0;
		kp_pool_totals(st, p, &tcost, &tdisr);
		score = karpenter_balanced_score(share, tcost, disr, tdisr);
		if (score >= 1.0 / KP_BALANCED_K)
			continue;
		snprintf(msg, msgn, "score %.2f < threshold %.2f (savings %.1f%%, disruption %.1f%%)",
		    score, 1.0 / KP_BALANCED_K, tcost > 0 ? 100.0 * share / tcost : 0.0,
		    tdisr > 0 ? 100.0 * disr / tdisr : 0.0);
		return 1;
	}
	return 0;
}
