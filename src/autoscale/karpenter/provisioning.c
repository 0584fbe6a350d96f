/*
 * provisioning.c: the provisioner's loop (pkg/controllers/provisioning):
 * the batcher (a window closing 1 s after the last unschedulable pod, 10 s
 * at most), a round of packing.c over the provisionable pods, launching
 * the round's new claims and nominating their pods, and the NodeClaim
 * lifecycle: a Node appears NotReady at launch, joins Ready after the boot
 * time, expires at expireAfter, and is cordoned and drained on delete.
 * The cluster hooks that feed the batcher and the disruption bookkeeping
 * are here too.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"
#include "cluster/quantity.h"
#include "explain/explain.h"
#include "util/intern.h"
#include "util/xmalloc.h"

/* ---- launch and NodeClaim lifecycle ---- */


static const char *
kp_claim_name(struct kp_state *st, const struct kp_pool *p)
{
	static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
	char buf[300];
	size_t len = (size_t)snprintf(buf, sizeof(buf) - 8, "%s-", p->name);

	if (len > sizeof(buf) - 8)
		len = sizeof(buf) - 8;
	for (int i = 0; i < 5; i++)
		buf[len++] = alnum[rng_below(&st->rng, sizeof(alnum) - 1)];
	buf[len] = '\0';
	return intern(buf);
}

void
kp_node_add_taint(struct ks_node *n, const struct ks_taint *t)
{
	n->taints = xreallocarray(n->taints, n->ntaints + 1, sizeof(*n->taints));
	n->taints[n->ntaints++] = *t;
}

void
kp_node_del_taint(struct ks_node *n, const char *key)
{
	for (size_t i = 0; i < n->ntaints; i++)
		if (n->taints[i].key == key) {
			memmove(&n->taints[i], &n->taints[i + 1], (n->ntaints - i - 1) * sizeof(*n->taints));
			n->ntaints--;
			return;
		}
}

static int64_t
kp_ready_fired(struct sim *sim, void *arg)
{
	struct kp_claim *k = arg;
	struct kp_state *st = k->st;

	(void)sim;
	k->ready_ev = NULL;
	if (k->gone_ms >= 0 || k->node->state != NODE_NOTREADY)
		return SIM_NOMORE;
	cluster_node_ready(&st->r->cluster, k->node);
	k->ready_ms = st->r->sim.now_ms;
	st->version++;
	kp_cmds_progress(st, k);
	return SIM_NOMORE;
}


static int64_t
kp_expire_fired(struct sim *sim, void *arg)
{
	struct kp_claim *k = arg;
	struct kp_state *st = k->st;
	char ref[300];

	(void)sim;
	k->expire_ev = NULL;
	if (k->gone_ms >= 0 || k->disrupting)
		return SIM_NOMORE;
	snprintf(ref, sizeof(ref), "nodeclaim/%s", k->name);
	cluster_event(&st->r->cluster, "DisruptionTerminating", ref, "Disrupting NodeClaim: Expired");
	kp_claim_delete(st, k, "expired");
	return SIM_NOMORE;
}

/*
 * Launch claim k (ownership passes to the state): pick the capacity type,
 * the cheapest of the 60 cheapest types and the first admitted zone,
 * create its Node (NotReady) and schedule its join.  NULL when nothing can
 * be launched (k is freed).
 */
struct kp_claim *
kp_claim_launch(struct kp_state *st, struct kp_claim *k, const char *created_by)
{
	struct ks_run *r = st->r;
	struct kp_pool *p = k->pool;
	struct kp_priced *ord = xcalloc(k->nits + 1, sizeof(*ord));
	const struct kp_req *zr = kp_reqs_get(&k->reqs, st->zone_key);
	const struct kp_it **its;
	size_t n;
	int spot;
	char ref[300], cpu[QTY_BUFSZ], mem[QTY_BUFSZ];
	struct ks_node *node;
	struct ks_res total;

	n = kp_launch_order(st, &k->reqs, k->its, k->nits, &spot, ord, KP_FLEET_TYPES);
	if (n == 0) {
		free(ord);
		kp_claim_free(k);
		return NULL;
	}
	its = xreallocarray(NULL, n, sizeof(*its));
	for (size_t i = 0; i < n; i++)
		its[i] = ord[i].k;
	free(k->its);
	k->its = its;
	k->nits = n;
	free(ord);
	k->st = st;
	k->it = NULL;
	k->spot = spot;
	/* per type, the first admitted zone whose offering is available; then
	 * CreateFleet's choice among those types (fleet.c) */
	{
		int *zone = xcalloc(n + 1, sizeof(*zone));
		size_t pick;

		for (size_t i = 0; i < n; i++) {
			zone[i] = -1;
			for (size_t z = 0; z < st->nzones && zone[i] < 0; z++) {
				int gone = 0;

				if (zr != NULL && !kp_req_admits(zr, st->zones[z]))
					continue;
				for (size_t u = 0; u < st->nunavail && !gone; u++)
					gone = st->unavail[u].k == its[i] &&
					    st->unavail[u].zone == st->zones[z] &&
					    st->unavail[u].spot == spot &&
					    st->unavail[u].until_ms > r->sim.now_ms;
				if (!gone)
					zone[i] = (int)z;
			}
		}
		pick = kp_fleet_pick(st, zone, its, n, spot);
		if (pick < n) {
			k->it = its[pick];
			k->zone = st->zones[zone[pick]];
		}
		free(zone);
	}
	if (k->it == NULL) {
		kp_claim_free(k);
		return NULL;
	}
	k->name = kp_claim_name(st, p);
	k->created_ms = r->sim.now_ms;
	k->ready_ms = k->gone_ms = k->last_pod_event_ms = -1;
	k->created_by = intern(created_by);
	k->hash = kp_pool_hash(p);
	{
		const char *dnd = labels_get(&p->annotations, "karpenter.sh/do-not-disrupt");

		k->do_not_disrupt = dnd != NULL && strcmp(dnd, "true") == 0;
	}
	k->drifted_ms = -1;
	kp_ds_overhead(st, p, k->it, &k->ds);
	node = run_node_new(r, k->it->it, k->zone, spot, p->max_pods, NULL);
	node->owner_kind = NODE_OWNER_NODECLAIM;
	if (st->overlay_gate) {
		struct ks_res add;

		/* NodeOverlay: its price is what the node costs; its capacity, what
		 * the node advertises (the device plugin the overlay stands for) */
		node->price_nusd_h = kp_offer_price(st, k->it, &k->reqs, spot);
		memset(&add, 0, sizeof(add));
		kp_overlay_capacity_of(st, k->it, &k->reqs, &add);
		res_add(&node->cap, &add);
		res_add(&node->alloc, &add);
	}
	node->owner = k;
	node->group = p->name;
	node->mark = p->mark;
	for (size_t i = 0; i < p->labels.n; i++)
		labels_set(&node->labels, p->labels.v[i].key, p->labels.v[i].val);
	for (int i = 0; i < KL_N; i++)
		if (k->it->lab[i] != NULL)
			labels_set(&node->labels, kp_label_key(st, p, i), k->it->lab[i]);
	kp_node_automode(st, p, node);
	for (size_t i = 0; i < p->ntaints; i++)
		kp_node_add_taint(node, &p->taints[i]);
	k->node = node;
	VEC_PUSH(st->claims, st->nclaims, st->claimcap, k);
	st->version++;
	total = k->req;
	res_add(&total, &k->ds);
	snprintf(ref, sizeof(ref), "nodeclaim/%s", k->name);
	cluster_event(&r->cluster, "Launched", ref,
	    "Launched NodeClaim %s (nodepool %s): %s %s in %s, node %s; requests cpu %s, memory %s, "
	    "pods %lld with daemonsets; %zu instance types",
	    k->name, p->name, k->it->it->name, spot ? "spot" : "on-demand", k->zone, node->name,
	    qty_format_cpu(total.v[RES_CPU], cpu, sizeof(cpu)),
	    qty_format_bytes(total.v[RES_MEM], QTY_BINARY_SI, mem, sizeof(mem)),
	    (long long)total.v[RES_PODS], n);
	kp_explain_launch(st, k, spot);
	k->ready_ev = sim_after(&r->sim, st->boot_ms, "kp-ready", kp_ready_fired, k);
	if (p->expire_after_ms > 0)
		k->expire_ev = sim_after(&r->sim, p->expire_after_ms, "kp-expire", kp_expire_fired, k);
	return k;
}

/* Delete the claim: its node is cordoned and drained, then terminated. */
void
kp_claim_delete(struct kp_state *st, struct kp_claim *k, const char *reason)
{
	struct ks_cluster *c = &st->r->cluster;
	char by[128];

	if (k->gone_ms >= 0)
		return;
	k->reason = intern(reason);
	k->disrupting = 1;
	if (k->ready_ev != NULL) {
		sim_cancel(&st->r->sim, k->ready_ev);
		k->ready_ev = NULL;
	}
	if (k->expire_ev != NULL) {
		sim_cancel(&st->r->sim, k->expire_ev);
		k->expire_ev = NULL;
	}
	snprintf(by, sizeof(by), "karpenter: %s", reason);
	cluster_node_cordon(c, k->node, "karpenter");
	cluster_node_delete(c, k->node, by);
}

/* ---- provisioning ---- */

static void
kp_nominate(struct kp_state *st, struct ks_pod *p, const void *target, const char *what,
    const char *name)
{
	char ref[600];

	if (p->id >= st->nnom) {
		size_t n = st->r->cluster.npods + 16;

		st->nom = xreallocarray(st->nom, n, sizeof(*st->nom));
		memset(st->nom + st->nnom, 0, (n - st->nnom) * sizeof(*st->nom));
		st->nnom = n;
	}
	xp_pod(st->r->xp, p, XR_KP_NOMINATED, &(struct xp_in){ .by = name, .by_kind = what });
	if (st->nom[p->id] == target)
		return;
	st->nom[p->id] = target;
	cluster_event(&st->r->cluster, "Nominated", pod_ref(p, ref, sizeof(ref)),
	    "Pod should schedule on: %s/%s", what, name);
}

static void
kp_provision(struct kp_state *st)
{
	struct ks_cluster *c = &st->r->cluster;
	struct kp_round R;
	size_t npods;
	uint32_t *pods = kp_pending_pods(st, &npods);
	struct kp_claim **launched;
	char ref[600];

	if (npods == 0) {
		free(pods);
		return;
	}
	st->rounds++;
	kp_round_init(&R, st, NULL, 0);
	kp_round_solve(&R, pods, npods);
	launched = xcalloc(R.nnews + 1, sizeof(*launched));
	for (size_t i = 0; i < R.nnews; i++) {
		launched[i] = kp_claim_launch(st, R.news[i], "provisioning");
		R.news[i] = NULL;
	}
	for (size_t i = 0; i < npods; i++) {
		struct ks_pod *p = c->pods[pods[i]];
		int w = R.where[i];

		if (w == -1) {
			xp_pod(st->r->xp, p, XR_KP_UNSCHEDULABLE, &(struct xp_in){ .msg = R.why[i] });
			if (p->why_not != R.why[i]) {
				p->why_not = R.why[i];
				cluster_event(c, "FailedScheduling", pod_ref(p, ref, sizeof(ref)),
				    "Failed to schedule pod, %s", p->why_not);
			}
			continue;
		}
		p->why_not = NULL;
		if (w >= 0) {
			struct kp_slot *s = &R.slots[w];

			if (s->claim != NULL)
				s->claim->nominated_until = st->r->sim.now_ms + KP_NOMINATION_MS;
			if (s->inflight)
				kp_nominate(st, p, s->claim, "nodeclaim", s->claim->name);
			continue;
		}
		if (launched[-w - 2] != NULL) {
			struct kp_claim *k = launched[-w - 2];

			k->nominated_until = st->r->sim.now_ms + KP_NOMINATION_MS;
			kp_nominate(st, p, k, "nodeclaim", k->name);
		} else {
			p->why_not = intern("no instance type could be launched");
		}
	}
	free(launched);
	kp_round_free(&R);
	free(pods);
}

static int64_t
kp_batch_fired(struct sim *sim, void *arg)
{
	struct kp_state *st = arg;

	(void)sim;
	st->batch_ev = NULL;
	st->window++;
	kp_provision(st);
	return SIM_NOMORE;
}

/* batcher.go: the window closes after idle without a new pod, or at max. */
void
kp_trigger(struct kp_state *st, uint32_t pod_id)
{
	struct sim *sim = &st->r->sim;
	int64_t at;

	/* a pod already seen in this window does not extend it */
	if (st->window == 0)
		st->window = 1;
	if (pod_id < st->nseen && st->seen[pod_id] == st->window)
		return;
	if (pod_id >= st->nseen) {
		size_t n = (size_t)pod_id + 1 > 2 * st->nseen ? (size_t)pod_id + 1 : 2 * st->nseen;

		st->seen = xreallocarray(st->seen, n, sizeof(*st->seen));
		memset(st->seen + st->nseen, 0, (n - st->nseen) * sizeof(*st->seen));
		st->nseen = n;
	}
	st->seen[pod_id] = st->window;
	if (st->batch_ev == NULL) {
		st->batch_start = sim->now_ms;
		st->batch_ev = sim_after(sim, st->idle_ms, "kp-batch", kp_batch_fired, st);
		return;
	}
	at = sim->now_ms + st->idle_ms;
	if (at > st->batch_start + st->max_ms)
		at = st->batch_start + st->max_ms;
	if (at != st->batch_ev->at_ms)
		sim_reschedule(sim, st->batch_ev, at);
}

void
kp_hook_unschedulable(struct ks_cluster *c, struct ks_pod *p, void *arg)
{
	struct kp_state *st = arg;

	(void)c;
	st->version++;
	if (st->npools == 0 || !kp_pod_provisionable(p))
		return;
	kp_trigger(st, p->id);
}

static struct kp_claim *
kp_claim_of(const struct ks_cluster *c, const struct ks_pod *p)
{
	const struct ks_node *n;

	if (p->node < 0 || p->spec->is_daemon)
		return NULL;
	n = c->nodes[p->node];
	return n->owner_kind == NODE_OWNER_NODECLAIM ? n->owner : NULL;
}

void
kp_hook_pod_event(struct ks_cluster *c, struct ks_pod *p, void *arg)
{
	struct kp_claim *k = kp_claim_of(c, p);

	((struct kp_state *)arg)->version++;
	if (k != NULL)
		k->last_pod_event_ms = c->sim->now_ms;
}

void
kp_hook_node_gone(struct ks_cluster *c, struct ks_node *n, void *arg)
{
	struct kp_claim *k = n->owner_kind == NODE_OWNER_NODECLAIM ? n->owner : NULL;

	((struct kp_state *)arg)->version++;
	if (k == NULL)
		return;
	k->gone_ms = c->sim->now_ms;
	if (k->reason == NULL)
		k->reason = intern("deleted");
}
