/*
 * versions.c: the rules and words that differ between the Karpenter
 * releases a scenario's manifests come from.  The API version a pool is
 * written in stands for the release that serves it: karpenter.sh/v1alpha5
 * Provisioners for v0.31 and before, v1beta1 NodePools for v0.32 to v0.37,
 * v1 NodePools for v1.0 and later.  Kept here, not spread over the
 * controllers, so that each difference is stated once:
 * - the Unconsolidatable message when no cheaper type exists: "can't
 *   replace with a cheaper node" (pkg/controllers/deprovisioning, v0.31),
 *   "Can't replace with a cheaper node" (pkg/controllers/disruption,
 *   v0.32 on);
 * - the Drift feature gate: honoured before v1.0 (settings featureGates
 *   drift, default on since v0.33), removed in v1.0 where drift is always
 *   on;
 * - the pod annotation karpenter.sh/do-not-evict: honoured before v1.0
 *   (disruption.c).
 */
#include <stddef.h>

#include "autoscale/karpenter/karpenter.h"

const char *
kp_msg_no_cheaper(const struct kp_pool *p)
{
	return p->version == KP_V1ALPHA5 ? "can't replace with a cheaper node" :
	    "Can't replace with a cheaper node";
}

int
kp_drift_enabled(const struct kp_state *st, const struct kp_pool *p)
{
	return p->version == KP_V1 || st->drift;
}
