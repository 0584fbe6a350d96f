/*
 * report.c: Karpenter's data for the run's report: every NodeClaim with
 * its type, capacity type, zone, times and reason, the NodePools, and what
 * spot interruptions cost (pods' seconds until running again, nodes'
 * seconds that served no pod), as the JSON sections "node_claims" and
 * "karpenter".  The formats render them (report/text_karpenter.c prints
 * the text section from this data), so nothing here formats text.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"
#include "util/fmt.h"
#include "util/xmalloc.h"

/* ---- report data ---- */

static const char *
kp_claim_reason(const struct kp_claim *k)
{
	return k->reason ? k->reason : "provisioned";
}

/*
 * What interruptions cost the workloads: for each pod recreated when an
 * interrupted node drained, the seconds until it ran again (or until the
 * end of the run).
 */
static int64_t
kp_interrupt_pod_seconds(const struct kp_state *st)
{
	const struct ks_cluster *c = &st->r->cluster;
	int64_t ms = 0, end = st->r->sim.now_ms;

	for (size_t i = 0; i < st->nintr; i++) {
		const struct kp_interrupt *in = &st->intr[i];

		if (!in->delivered)
			continue;
		for (size_t j = in->pods_from; j < in->pods_to && j < c->npods; j++) {
			const struct ks_pod *p = c->pods[j];

			if (p->spec->is_daemon)
				continue;
			ms += (p->running_ms >= 0 ? p->running_ms : end) - in->at_ms;
		}
	}
	return ms / 1000;
}

/*
 * What interruptions cost in capacity: node-seconds paid for that served no
 * pod.  For each interruption, the interrupted node from its notice until
 * its instance is gone (cordoned, draining), and every NodeClaim that a
 * displaced pod ended up on, if it was launched after the notice, from its
 * launch until it was Ready (counted once).
 */
static int64_t
kp_interrupt_node_seconds(const struct kp_state *st)
{
	const struct ks_cluster *c = &st->r->cluster;
	int64_t ms = 0, end = st->r->sim.now_ms;
	const struct kp_claim **seen = NULL;
	size_t nseen = 0, seencap = 0;

	for (size_t i = 0; i < st->nintr; i++) {
		const struct kp_interrupt *in = &st->intr[i];

		if (!in->delivered)
			continue;
		ms += (in->victim->gone_ms >= 0 ? in->victim->gone_ms : end) - in->at_ms;
		for (size_t j = in->pods_from; j < in->pods_to && j < c->npods; j++) {
			const struct ks_pod *p = c->pods[j];
			const struct kp_claim *k = NULL;
			int dup = 0;

			if (p->spec->is_daemon || p->node < 0)
				continue;
			for (size_t m = 0; m < st->nclaims && k == NULL; m++)
				if (st->claims[m]->node == c->nodes[p->node])
					k = st->claims[m];
			if (k == NULL || k->created_ms < in->at_ms)
				continue;
			for (size_t m = 0; m < nseen && !dup; m++)
				dup = seen[m] == k;
			if (dup)
				continue;
			VEC_PUSH(seen, nseen, seencap, k);
			ms += (k->ready_ms >= 0 ? k->ready_ms : end) - k->created_ms;
		}
	}
	free(seen);
	return ms / 1000;
}

/* Karpenter's data (see above), added to root. */
void
karpenter_report_json(struct ks_run *r, void *state, json_t *root)
{
	struct kp_state *st = state;
	json_t *claims = json_array(), *kp = json_object(), *pools = json_array();

	(void)r;
	for (size_t i = 0; i < st->nclaims; i++) {
		const struct kp_claim *k = st->claims[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(k->name));
		json_object_set_new(o, "node_pool", json_string(k->pool->name));
		json_object_set_new(o, "node", json_string(k->node->name));
		json_object_set_new(o, "instance_type", json_string(k->it->it->name));
		json_object_set_new(o, "capacity_type", json_string(k->spot ? "spot" : "on-demand"));
		json_object_set_new(o, "zone", json_string(k->zone));
		json_object_set_new(o, "launched_at_ms", json_integer(k->created_ms));
		json_object_set_new(o, "ready_at_ms", k->ready_ms >= 0 ?
		    json_integer(k->ready_ms) : json_null());
		json_object_set_new(o, "terminated_at_ms", k->gone_ms >= 0 ?
		    json_integer(k->gone_ms) : json_null());
		json_object_set_new(o, "reason", json_string(kp_claim_reason(k)));
		json_object_set_new(o, "created_by", json_string(k->created_by));
		json_object_set_new(o, "instance_type_options", json_integer((json_int_t)k->nits));
		json_object_set_new(o, "price_usd_per_hour", fmt_json_usd(k->node->price_nusd_h));
		json_array_append_new(claims, o);
	}
	for (size_t i = 0; i < st->npools; i++) {
		const struct kp_pool *p = st->pools[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(p->name));
		json_object_set_new(o, "kind", json_string(p->kind));
		json_object_set_new(o, "api_version", json_string(p->version == KP_V1 ?
		    "karpenter.sh/v1" : p->version == KP_V1BETA1 ? "karpenter.sh/v1beta1" :
		    "karpenter.sh/v1alpha5"));
		json_object_set_new(o, "weight", json_integer(p->weight));
		json_object_set_new(o, "instance_types", json_integer((json_int_t)p->nits));
		json_array_append_new(pools, o);
	}
	json_object_set_new(kp, "node_pools", pools);
	json_object_set_new(kp, "spot_to_spot_consolidation", json_boolean(st->s2s));
	json_object_set_new(kp, "provisioning_rounds", json_integer((json_int_t)st->rounds));
	json_object_set_new(kp, "spot_interruptions", json_integer((json_int_t)st->interruptions));
	json_object_set_new(kp, "interrupted_pods", json_integer((json_int_t)st->intr_pods));
	json_object_set_new(kp, "interrupted_pod_seconds",
	    json_integer((json_int_t)kp_interrupt_pod_seconds(st)));
	json_object_set_new(kp, "interrupted_node_seconds",
	    json_integer((json_int_t)kp_interrupt_node_seconds(st)));
	json_object_set_new(root, "node_claims", claims);
	json_object_set_new(root, "karpenter", kp);
}
