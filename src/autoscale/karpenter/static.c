/*
 * static.c: static NodePools (kubernetes-sigs/karpenter designs/
 * static-capacity.md, featureGates.staticCapacity): a v1 NodePool with
 * spec.replicas keeps that many NodeClaims whatever the pods ask.  Its
 * types (the pool's requirements, cheapest first) are set aside by
 * offerings.c's kp_pool_types, so dynamic provisioning never makes a
 * claim from it; its nodes still take pods, are not consolidation
 * candidates, and drift and expire as any other.  A reconcile every
 * second (upstream reacts to NodeClaim events; a second is below what a
 * run reports) launches the missing claims, one by one, within
 * limits.nodes, and deletes the surplus when a re-applied pool asks for
 * fewer: empty nodes first, then the youngest (upstream: unresolved,
 * then empty, then by disruption cost; the deprovisioning-priority
 * annotation is not modelled).  Scaling is a forceful method: no budget.
 */
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"
#include "util/xmalloc.h"

#define KP_STATIC_PERIOD_MS	1000	/* reconcile period */

/* Launch one claim of static pool p; 0 when no type could be launched. */
static int
kp_static_launch(struct kp_state *st, struct kp_pool *p)
{
	struct kp_claim *k = xcalloc(1, sizeof(*k));

	k->pool = p;
	kp_reqs_copy(&k->reqs, &p->reqs);
	k->its = xreallocarray(NULL, p->nstatic + 1, sizeof(*k->its));
	memcpy(k->its, p->static_its, p->nstatic * sizeof(*k->its));
	k->nits = p->nstatic;
	k->gone_ms = k->ready_ms = k->last_pod_event_ms = -1;
	return kp_claim_launch(st, k, "static") != NULL;
}

/* A claim static scale-down takes first (lower first): booting, empty, the rest. */
static int
kp_static_rank(const struct kp_state *st, const struct kp_claim *k)
{
	const struct ks_cluster *c = &st->r->cluster;
	size_t pods = 0;

	for (size_t i = 0; k->node != NULL && i < k->node->npods; i++)
		pods += !c->pods[k->node->pods[i]]->spec->is_daemon;
	return k->ready_ms < 0 ? 0 : pods == 0 ? 1 : 2;
}

static void
kp_static_pool(struct kp_state *st, struct kp_pool *p)
{
	int64_t live = 0, all = 0;

	for (size_t i = 0; i < st->nclaims; i++) {
		const struct kp_claim *k = st->claims[i];

		if (k->pool != p || k->gone_ms >= 0)
			continue;
		all++;
		live += !k->disrupting;
	}
	while (live < p->replicas && (p->limit_nodes < 0 || all < p->limit_nodes) &&
	    kp_static_launch(st, p)) {
		live++;
		all++;
	}
	while (live > p->replicas) {
		struct kp_claim *pick = NULL;

		for (size_t i = st->nclaims; i-- > 0;) {
			struct kp_claim *k = st->claims[i];

			if (k->pool != p || k->gone_ms >= 0 || k->disrupting)
				continue;
			if (pick == NULL || kp_static_rank(st, k) < kp_static_rank(st, pick))
				pick = k;
		}
		if (pick == NULL)
			break;
		kp_claim_delete(st, pick, "static-scale-down");
		live--;
	}
}

int64_t
kp_static_fired(struct sim *sim, void *arg)
{
	struct kp_state *st = arg;

	(void)sim;
	for (size_t i = 0; i < st->npools; i++)
		if (st->pools[i]->nstatic > 0 || st->pools[i]->static_its != NULL)
			kp_static_pool(st, st->pools[i]);
	return KP_STATIC_PERIOD_MS;
}

void
kp_static_setup(struct kp_state *st, struct kp_pool *p)
{
	free(p->static_its);
	p->static_its = NULL;
	p->nstatic = 0;
	if (p->replicas < 0)
		return;
	if (!st->static_gate) {
		ks_warn(&p->mark, "NodePool \"%s\": spec.replicas needs featureGates.staticCapacity: "
		    "true; the pool is dynamic", p->name);
		return;
	}
	/* the pool's types are the static controller's alone */
	p->static_its = p->its;
	p->nstatic = p->nits;
	p->its = xcalloc(1, sizeof(*p->its));
	p->nits = 0;
	p->underutil_ok = p->empty_ok = 0;
}
