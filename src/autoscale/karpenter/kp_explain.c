/*
 * karpenter/kp_explain.c: Karpenter's launch decision as a decision record
 * (explain/explain.h), for `ksim explain nodeclaim/NAME`.
 *
 * A launch is explained by what upstream's provisioner looked at: the
 * requirements after intersecting the pods' with the NodePool's, how many
 * instance types were left to put in the fleet request, the cheapest few
 * with their prices, and why the one launched won (the cheapest whose
 * offering is available in an admitted zone; a cheaper one was skipped
 * only when its offering was unavailable, the insufficient-capacity
 * cache).  Kept beside the provisioner, which calls it only when the run
 * records decisions, so the record module needs no Karpenter type.
 */
#include <stdio.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"
#include "cloud/catalog.h"
#include "explain/explain.h"
#include "run/run.h"
#include "util/fmt.h"

#define KP_XP_CHEAPEST	3	/* the cheapest types named in the record */

void
kp_explain_launch(struct kp_state *st, const struct kp_claim *k, int spot)
{
	struct xp_log *x = st->r->xp;
	char msg[1400], reqs[600], usd[32];
	size_t len;
	int64_t price;

	if (x == NULL)
		return;
	kp_reqs_format(&k->reqs, reqs, sizeof(reqs));
	price = spot ? k->it->spot_nusd : k->it->od_nusd;
	len = (size_t)snprintf(msg, sizeof(msg), "%s %s in %s at $%s/h: %s of the %zu "
	    "instance types left by the requirements {%s} (a launch request holds at most 60); "
	    "the cheapest:", k->it->it->name,
	    spot ? "spot" : "on-demand", k->zone, fmt_usd(price, usd, sizeof(usd)),
	    k->it == k->its[0] ? "the cheapest" :
	    "the cheapest with an available offering in an admitted zone", k->nits, reqs);
	for (size_t i = 0; i < k->nits && i < KP_XP_CHEAPEST && len < sizeof(msg); i++)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s %s $%s/h", i ? "," : "",
		    k->its[i]->it->name, fmt_usd(spot ? k->its[i]->spot_nusd : k->its[i]->od_nusd,
		    usd, sizeof(usd)));
	xp_obj(x, "nodeclaim", NULL, k->name, XR_KP_LAUNCH, &(struct xp_in){ .msg = msg,
	    .by = k->pool->name, .by_kind = "nodepool",
	    .v = { (int64_t)k->nits, price, k->req.v[RES_CPU], k->req.v[RES_MEM] } });
	xp_node(x, k->node, XR_NODE_LAUNCHED, &(struct xp_in){ .by = k->name,
	    .by_kind = "nodeclaim" });
}
