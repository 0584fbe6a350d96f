/*
 * disruption.c: Karpenter's disruption controller (pkg/controllers/
 * disruption), every 10 s in the v1.5+ order Emptiness, Drift, Multi-node
 * and Single-node consolidation.  Candidates are initialized claims past
 * consolidateAfter without do-not-disrupt pods or blocking PDBs;
 * computeConsolidation re-packs their pods without them (packing.c) and
 * gives a delete, a strictly cheaper replace, or a reason it cannot.  A
 * command waits 15 s, re-validates, taints, launches its replacements and
 * deletes the candidates once they are Ready.  Also drift (NodePools the
 * timeline re-applies) and the scenario's spot interruptions.
 *
 * What a pass costs, and upstream's bounds on it.  A pass is a handful of
 * scheduling simulations for multi-node consolidation and one per
 * candidate for single-node; each packs the candidates' pods and the
 * pending ones (kp_pending_pods: the scheduler's lists, not every pod)
 * onto the pass's view of the cluster, built once (packing.c kp_view), with
 * first fit through a tree of free cpu; a simulation costs what it packs,
 * a pass O(nodes log nodes) plus that.  Upstream bounds the work so:
 *  - candidates in ascending disruption cost (kp_cand_cmp; upstream's sort
 *    is unstable, ours breaks ties by name);
 *  - multi-node: the first 101 disruptable candidates at most (kp_try_multi);
 *  - no consolidation while the cluster is as it was when consolidation
 *    last found nothing, re-armed after 5 minutes (IsConsolidated,
 *    state/cluster.go ConsolidationState; kp_disrupt_fired);
 *  - timeouts: multi-node gives up after 1 minute (returning the best
 *    command so far), single-node after 3 (and starts with the NodePools
 *    it did not reach, next time).  Those are the wall-clock time of
 *    upstream's own computation, which depends on the machine and the Go
 *    code running it, not on the cluster; a ksim pass takes no simulated
 *    time and there is no cost per simulation in upstream's code to derive
 *    one from.  So they are not modelled: ksim is upstream on a controller
 *    fast enough never to time out, evaluating every candidate of a pass.
 *    Where upstream would time out (thousands of nodes, hundreds of
 *    consolidatable candidates), its commands come over more passes, and
 *    single-node's may come in another order; ksim's come at once.
 *    (Single-node's interleaving of candidates by NodePool, which matters
 *    with several pools, is not modelled either.)
 * Unconsolidatable is published at most once per node per 15 minutes
 * (kp_uncons), as upstream's event recorder deduplicates it.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"
#include "explain/explain.h"
#include "util/intern.h"
#include "util/xmalloc.h"

struct kp_cand {
	struct kp_claim		*k;		/* the candidate claim */
	size_t			 npods;		/* reschedulable pods */
	double			 cost;		/* disruption cost */
	int64_t			 since;		/* its last pod event, ms (kp_last_event) */
};

static int
kp_cand_cmp(const void *a, const void *b)
{
	const struct kp_cand *x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	return strcmp(x->k->name, y->k->name);
}

static int
kp_pod_reschedulable(const struct ks_pod *p)
{
	return !p->spec->is_daemon && (p->phase == POD_BOUND || p->phase == POD_RUNNING);
}

/* The claim's last pod event (or its initialization), ms. */
static int64_t
kp_last_event(const struct kp_state *st, const struct kp_claim *k)
{
	const struct ks_cluster *c = &st->r->cluster;
	int64_t since = k->last_pod_event_ms > k->ready_ms ? k->last_pod_event_ms : k->ready_ms;

	/* a pod starting to terminate is a pod event too (podevents controller) */
	for (size_t i = 0; i < k->node->npods; i++) {
		const struct ks_pod *p = c->pods[k->node->pods[i]];

		if (!p->spec->is_daemon && p->deleted_ms > since)
			since = p->deleted_ms;
	}
	return since;
}

/* Can claim k be a candidate now?  Fills c; 0 when it cannot. */
static int
kp_candidate(struct kp_state *st, struct kp_claim *k, struct kp_cand *c)
{
	struct ks_cluster *cl = &st->r->cluster;
	int64_t now = st->r->sim.now_ms, age, exp = k->pool->expire_after_ms;
	double life = 1.0;

	if (k->gone_ms >= 0 || k->disrupting || k->in_cmd || k->node->state != NODE_READY ||
	    k->ready_ms < 0 || now < k->nominated_until || k->do_not_disrupt)
		return 0;
	age = now - k->created_ms;
	if (exp > 0)
		life = age >= exp ? 0.0 : (double)(exp - age) / (double)exp;
	memset(c, 0, sizeof(*c));
	c->k = k;
	for (size_t i = 0; i < k->node->npods; i++) {
		const struct ks_pod *p = cl->pods[k->node->pods[i]];
		const char *dnd, *pdc;
		const struct ks_pdb *b;
		double w;

		if (!kp_pod_reschedulable(p))
			continue;
		dnd = labels_get(&p->spec->annotations, "karpenter.sh/do-not-disrupt");
		if (dnd == NULL && kp_do_not_evict(st, k->pool))	/* removed in v1 */
			dnd = labels_get(&p->spec->annotations, "karpenter.sh/do-not-evict");
		if (dnd != NULL && strcmp(dnd, "true") == 0)
			return 0;
		if ((b = pdb_for_pod(cl, p)) != NULL && pdb_allowed(cl, b) == 0)
			return 0;
		pdc = labels_get(&p->spec->annotations, "controller.kubernetes.io/pod-deletion-cost");
		w = 1.0 + (pdc ? atof(pdc) : 0.0) / 134217728.0 + p->spec->priority / 33554432.0;
		if (w < -10.0)
			w = -10.0;
		if (w > 10.0)
			w = 10.0;
		c->cost += w * life;
		c->npods++;
	}
	c->since = kp_last_event(st, k);
	return 1;
}

/* Candidate c is past its pool's consolidateAfter (the Consolidatable condition). */
static int
kp_consolidatable(const struct kp_state *st, const struct kp_cand *c)
{
	if (c->k->pool->consolidate_after_ms < 0)
		return 0;
	return st->r->sim.now_ms - c->since >= c->k->pool->consolidate_after_ms;
}

/*
 * Publish Unconsolidatable on the node and its NodeClaim, deduplicated as
 * upstream's recorder does (pkg/events/recorder.go: the key is the reason
 * and the event's DedupeValues; disruption/events/events.go Unconsolidatable
 * gives the object's UID alone, with a 15-minute DedupeTimeout): after one
 * is published, none for the same node for 15 minutes, whatever its message.
 * The message names the pod that would not schedule, which churns with the
 * pods: keyed on the message, every candidate published every pass.
 */
static void
kp_uncons(struct kp_state *st, struct kp_claim *k, const char *msg)
{
	struct ks_cluster *c = &st->r->cluster;
	const char *m = intern(msg);
	int64_t now = st->r->sim.now_ms;
	char ref[300];

	xp_node(st->r->xp, k->node, XR_KP_UNCONSOLIDATABLE, &(struct xp_in){ .msg = m });
	if (k->uncons_msg != NULL && now - k->uncons_ms < KP_UNCONS_DEDUPE_MS)
		return;
	k->uncons_msg = m;
	k->uncons_ms = now;
	snprintf(ref, sizeof(ref), "node/%s", k->node->name);
	cluster_event(c, "Unconsolidatable", ref, "%s", m);
	snprintf(ref, sizeof(ref), "nodeclaim/%s", k->name);
	cluster_event(c, "Unconsolidatable", ref, "%s", m);
}

/*
 * The pods a consolidation round must place, in a new array (*npods of
 * them): the candidates' reschedulable pods (the only bound ones, see
 * kp_is_cand) and the pending provisionable ones.  Also the candidates'
 * total price and whether they are all spot.
 */
static uint32_t *
kp_cons_pods(struct kp_state *st, struct kp_claim **cands, size_t ncands, size_t *npods,
    int64_t *cand_price, int *all_spot)
{
	struct ks_cluster *c = &st->r->cluster;
	size_t npend, n = 0;
	uint32_t *pend = kp_pending_pods(st, &npend), *pods;

	for (size_t i = 0; i < ncands; i++)
		n += cands[i]->node->npods;
	pods = xreallocarray(NULL, n + npend + 1, sizeof(*pods));
	n = 0;
	*cand_price = 0;
	*all_spot = 1;
	for (size_t i = 0; i < ncands; i++) {
		struct ks_node *nd = cands[i]->node;

		*cand_price += nd->price_nusd_h;
		*all_spot &= cands[i]->spot;
		for (size_t j = 0; j < nd->npods; j++) {
			struct ks_pod *p = c->pods[nd->pods[j]];

			if (kp_pod_reschedulable(p))
				pods[n++] = p->id;
		}
	}
	memcpy(pods + n, pend, npend * sizeof(*pend));
	free(pend);
	*npods = n + npend;
	return pods;
}

/* Pod id of a consolidation round is a candidate's (bound) rather than a pending one. */
static int
kp_is_cand(const struct ks_cluster *c, uint32_t id)
{
	return c->pods[id]->node >= 0;
}

/* A candidate's pod that would not schedule, or only on an in-flight claim: msg says so. */
static void
kp_cons_unplaced(const struct kp_round *R, const uint32_t *pods, size_t npods, char *msg,
    size_t n)
{
	struct ks_cluster *c = &R->st->r->cluster;

	msg[0] = '\0';
	for (size_t i = 0; i < npods && msg[0] == '\0'; i++) {
		struct ks_pod *p = c->pods[pods[i]];

		if (!kp_is_cand(c, p->id))
			continue;
		if (R->where[i] == -1)
			snprintf(msg, n, "not all pods would schedule, %s/%s => %s", p->ns,
			    p->name, R->why[i]);
		else if (R->where[i] >= 0 && R->slots[R->where[i]].inflight)
			snprintf(msg, n, "not all pods would schedule, %s/%s => would schedule "
			    "against uninitialized nodeclaim/%s", p->ns, p->name,
			    R->slots[R->where[i]].claim->name);
	}
}

/* New claim j of the round holds a candidate's pod. */
static int
kp_cons_news_has(const struct kp_round *R, size_t j)
{
	const struct ks_cluster *c = &R->st->r->cluster;
	int has = 0;

	for (size_t q = 0; q < R->news[j]->npods && !has; q++)
		has = kp_is_cand(c, R->news_pods[j][q]);
	return has;
}

/* drift.go: delete and launch what the simulation needs, any price. */
static struct kp_cmd *
kp_cons_drift_cmd(struct kp_round *R, size_t nnew)
{
	struct kp_cmd *cmd = xcalloc(1, sizeof(*cmd));

	cmd->kind = KC_REPLACE;
	cmd->plans = xcalloc(nnew, sizeof(*cmd->plans));
	for (size_t j = 0; j < R->nnews; j++)
		if (kp_cons_news_has(R, j)) {
			cmd->plans[cmd->nplans++] = R->news[j];
			R->news[j] = NULL;
		}
	return cmd;
}

/*
 * The types of new claim k cheaper than the candidates (cand_price), each
 * at the most expensive offering of the preferred capacity type, cheapest
 * first, into pr; returns how many.
 */
static size_t
kp_cons_cheaper(const struct kp_state *st, const struct kp_claim *k, int allows_spot,
    int64_t cand_price, struct kp_priced *pr)
{
	size_t n = 0;

	for (size_t i = 0; i < k->nits; i++) {
		const struct kp_it *t = k->its[i];
		int spot = 0;
		int64_t worst;

		if (kp_it_price(st, t, &k->reqs, 0, NULL) == 0)
			continue;
		/* the most expensive offering of the preferred capacity type */
		spot = allows_spot && t->spot_nusd > 0 && kp_it_price(st, t, &k->reqs, 1, NULL) > 0;
		worst = kp_offer_price(st, t, &k->reqs, spot);
		if (worst <= 0 || worst >= cand_price)
			continue;
		pr[n].k = t;
		pr[n++].price = worst;
	}
	qsort(pr, n, sizeof(*pr), kp_priced_cmp);
	return n;
}

/*
 * multinodeconsolidation.go filterOutSameType: a type a candidate already
 * runs caps the price of the replacement.  Returns how many of pr[0..n) stay.
 */
static size_t
kp_cons_same_type(struct kp_priced *pr, size_t n, struct kp_claim **cands, size_t ncands)
{
	int64_t cap = INT64_MAX;
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < ncands; j++)
			if (cands[j]->it == pr[i].k && cands[j]->node->price_nusd_h < cap)
				cap = cands[j]->node->price_nusd_h;
	for (size_t i = 0; i < n; i++)
		if (pr[i].price < cap)
			pr[m++] = pr[i];
	return m;
}

/*
 * Replace the candidates with new claim newi of the round when it is
 * strictly cheaper (spot-to-spot behind its gate and its 15-type minimum).
 * Returns the command (the claim moves into it) or NULL with msg set.
 */
static struct kp_cmd *
kp_cons_replace(struct kp_round *R, size_t newi, struct kp_claim **cands, size_t ncands,
    int64_t cand_price, int all_spot, char *msg, size_t msgn)
{
	struct kp_state *st = R->st;
	struct kp_claim *k = R->news[newi];
	const struct kp_req *cr = kp_reqs_get(&k->reqs, st->ct_key);
	int allows_spot = cr == NULL || kp_req_admits(cr, kp_spot_s);
	int allows_od = cr == NULL || kp_req_admits(cr, kp_od_s);
	struct kp_priced *pr = xcalloc(k->nits + 1, sizeof(*pr));
	struct kp_cmd *cmd = NULL;
	size_t n = 0;
	int s2s = all_spot && allows_spot;

	if (s2s && !st->s2s) {
		snprintf(msg, msgn, "SpotToSpotConsolidation is disabled, can't replace a "
		    "spot node with a spot node");
		goto out;
	}
	if (s2s) {
		const char *sp = kp_spot_s;

		kp_reqs_add_op(&k->reqs, KP_CT_KEY, OP_IN, &sp, 1, 0);
	}
	n = kp_cons_cheaper(st, k, allows_spot, cand_price, pr);
	if (n == 0) {
		snprintf(msg, msgn, "%s", s2s ? "Can't replace spot node with a cheaper spot node" :
		    kp_msg_no_cheaper(st, cands[0]->pool));
		goto out;
	}
	if (s2s && ncands == 1 && n < KP_S2S_MIN_TYPES) {
		snprintf(msg, msgn, "SpotToSpotConsolidation requires %d cheaper instance "
		    "type options than the current candidate to consolidate, got %zu",
		    KP_S2S_MIN_TYPES, n);
		goto out;
	}
	if (s2s && ncands == 1)
		n = KP_S2S_MIN_TYPES;
	if (ncands > 1 && (n = kp_cons_same_type(pr, n, cands, ncands)) == 0) {
		snprintf(msg, msgn, "%s", kp_msg_no_cheaper(st, cands[0]->pool));
		goto out;
	}
	if (!s2s && allows_spot && allows_od) {
		int any_spot = 0;

		for (size_t i = 0; i < n; i++)
			any_spot |= pr[i].k->spot_nusd > 0;
		if (any_spot) {
			const char *sp = kp_spot_s;

			kp_reqs_add_op(&k->reqs, KP_CT_KEY, OP_IN, &sp, 1, 0);
		}
	}
	for (size_t i = 0; i < n; i++)
		k->its[i] = pr[i].k;
	k->nits = n;
	cmd = xcalloc(1, sizeof(*cmd));
	cmd->kind = KC_REPLACE;
	cmd->plans = xcalloc(1, sizeof(*cmd->plans));
	cmd->plans[cmd->nplans++] = k;
	R->news[newi] = NULL;
out:
	free(pr);
	return cmd;
}

/*
 * computeConsolidation (B.11.5): re-pack the candidates' pods (and the
 * pending ones) without the candidates.  Returns a command (owned) or NULL.
 * quiet: do not publish Unconsolidatable (multi-node probing).
 */
static struct kp_cmd *
kp_compute(struct kp_state *st, struct kp_claim **cands, size_t ncands, int quiet, int drift)
{
	struct kp_round R;
	uint32_t *pods;
	size_t npods, nnew = 0, newi = 0;
	struct kp_cmd *cmd = NULL;
	int64_t cand_price;
	int all_spot;
	char msg[1024];

	pods = kp_cons_pods(st, cands, ncands, &npods, &cand_price, &all_spot);
	kp_round_init(&R, st, cands, ncands);
	kp_round_solve(&R, pods, npods);
	kp_cons_unplaced(&R, pods, npods, msg, sizeof(msg));
	if (msg[0] != '\0')
		goto done;
	/* new claims that hold a candidate's pod */
	for (size_t j = 0; j < R.nnews; j++)
		if (kp_cons_news_has(&R, j)) {
			nnew++;
			newi = j;
		}
	if (nnew == 0) {
		cmd = xcalloc(1, sizeof(*cmd));
		cmd->kind = KC_DELETE;
	} else if (drift) {
		cmd = kp_cons_drift_cmd(&R, nnew);
	} else if (nnew > 1) {
		snprintf(msg, sizeof(msg), "Can't remove without creating %zu candidates", nnew);
	} else {
		cmd = kp_cons_replace(&R, newi, cands, ncands, cand_price, all_spot, msg,
		    sizeof(msg));
	}
	if (cmd != NULL && !drift && kp_balanced_reject(st, cands, ncands, cmd, cand_price, msg,
	    sizeof(msg))) {
		kp_cmd_free(cmd);
		cmd = NULL;
	}
done:
	if (cmd == NULL && msg[0] != '\0' && !quiet && !drift && ncands == 1)
		kp_uncons(st, cands[0], msg);
	if (cmd != NULL) {
		cmd->cands = xreallocarray(NULL, ncands, sizeof(*cmd->cands));
		memcpy(cmd->cands, cands, ncands * sizeof(*cands));
		cmd->ncands = ncands;
	}
	kp_round_free(&R);
	free(pods);
	return cmd;
}

static const char *
kp_reason_name(unsigned reason)
{
	return reason == KR_EMPTY ? "Empty" : reason == KR_DRIFTED ? "Drifted" : "Underutilized";
}

static const char *
kp_cmd_claim_reason(const struct kp_cmd *cmd)
{
	if (cmd->reason == KR_DRIFTED)
		return "drifted";
	return cmd->kind == KC_DELETE ? "consolidated-delete" : "consolidated-replace";
}

static void
kp_cmd_untaint(struct kp_state *st, struct kp_cmd *cmd)
{
	for (size_t i = 0; i < cmd->ncands; i++) {
		cmd->cands[i]->in_cmd = 0;
		if (cmd->cands[i]->disrupting && cmd->cands[i]->gone_ms < 0 &&
		    cmd->cands[i]->reason == NULL) {
			cmd->cands[i]->disrupting = 0;
			kp_node_del_taint(cmd->cands[i]->node, intern("karpenter.sh/disrupted"));
		}
	}
	(void)st;
}

/* The replacements are initialized: delete the candidates. */
static void
kp_cmd_finish(struct kp_state *st, struct kp_cmd *cmd)
{
	struct ks_cluster *c = &st->r->cluster;
	const char *why = kp_reason_name(cmd->reason);
	char ref[300];

	for (size_t i = 0; i < cmd->ncands; i++) {
		struct kp_claim *k = cmd->cands[i];

		snprintf(ref, sizeof(ref), "node/%s", k->node->name);
		xp_node(st->r->xp, k->node, XR_KP_DISRUPT, &(struct xp_in){ .msg = why });
		cluster_event(c, "DisruptionTerminating", ref, "Disrupting Node: %s", why);
		snprintf(ref, sizeof(ref), "nodeclaim/%s", k->name);
		cluster_event(c, "DisruptionTerminating", ref, "Disrupting NodeClaim: %s", why);
		kp_claim_delete(st, k, kp_cmd_claim_reason(cmd));
		k->in_cmd = 0;
	}
	cmd->done = 1;
}

void
kp_cmds_progress(struct kp_state *st, struct kp_claim *ready)
{
	for (size_t i = 0; i < st->ncmds; i++) {
		struct kp_cmd *cmd = st->cmds[i];

		if (cmd->done)
			continue;
		for (size_t j = 0; j < cmd->nrepls; j++)
			if (cmd->repls[j] == ready && ++cmd->nready == cmd->nrepls)
				kp_cmd_finish(st, cmd);
	}
}

/* "Underutilized/Replace, terminating 1 nodes (1 pods) n/c6gd.2xlarge/spot and replacing ..." */
static void
kp_cmd_log(struct kp_state *st, const struct kp_cmd *cmd)
{
	const struct kp_claim *repl = cmd->nplans == 1 ? cmd->plans[0] : NULL;
	struct ks_cluster *c = &st->r->cluster;
	char buf[2048];
	size_t len, pods = 0;

	for (size_t i = 0; i < cmd->ncands; i++)
		for (size_t j = 0; j < cmd->cands[i]->node->npods; j++)
			pods += kp_pod_reschedulable(c->pods[cmd->cands[i]->node->pods[j]]);
	len = (size_t)snprintf(buf, sizeof(buf), "%s/%s, terminating %zu nodes (%zu pods) ",
	    kp_reason_name(cmd->reason), cmd->kind == KC_DELETE ? "Delete" : "Replace",
	    cmd->ncands, pods);
	for (size_t i = 0; i < cmd->ncands && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s/%s/%s", i ? ", " : "",
		    cmd->cands[i]->node->name, cmd->cands[i]->it->it->name,
		    cmd->cands[i]->spot ? "spot" : "on-demand");
	if (repl != NULL && len < sizeof(buf)) {
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    " and replacing with %s node from types ", repl->spot ? "spot" : "on-demand");
		for (size_t i = 0; i < repl->nits && i < 5 && len < sizeof(buf); i++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? ", " : "",
			    repl->its[i]->it->name);
		if (repl->nits > 5 && len < sizeof(buf))
			snprintf(buf + len, sizeof(buf) - len, " and %zu other(s)", repl->nits - 5);
	} else if (cmd->nplans > 1 && len < sizeof(buf)) {
		snprintf(buf + len, sizeof(buf) - len, " and replacing with %zu nodes", cmd->nplans);
	}
	cluster_event(c, "DisruptionCommand", "karpenter", "%s", buf);
}

/*
 * queue.go: taint the candidates, launch the replacements, and delete the
 * candidates once every replacement is Ready (at once when there is none).
 */
static void
kp_cmd_execute(struct kp_state *st, struct kp_cmd *cmd)
{
	struct ks_cluster *c = &st->r->cluster;
	struct ks_taint t = { intern("karpenter.sh/disrupted"), intern(""), EFFECT_NOSCHEDULE };
	char ref[300];

	for (size_t i = 0; i < cmd->ncands; i++) {
		kp_node_add_taint(cmd->cands[i]->node, &t);
		cmd->cands[i]->disrupting = 1;
	}
	for (size_t i = 0; i < cmd->nplans; i++) {
		struct kp_claim *pl = cmd->plans[i];
		struct kp_priced *ord = xcalloc(pl->nits + 1, sizeof(*ord));

		pl->nits = kp_launch_order(st, &pl->reqs, pl->its, pl->nits, &pl->spot, ord,
		    KP_FLEET_TYPES);
		for (size_t j = 0; j < pl->nits; j++)
			pl->its[j] = ord[j].k;
		free(ord);
	}
	kp_cmd_log(st, cmd);
	if (cmd->nplans == 0) {
		kp_cmd_finish(st, cmd);
		return;
	}
	cmd->repls = xcalloc(cmd->nplans, sizeof(*cmd->repls));
	for (size_t i = 0; i < cmd->nplans; i++) {
		struct kp_claim *k = kp_claim_launch(st, cmd->plans[i],
		    cmd->reason == KR_DRIFTED ? "drift" : "consolidation");

		cmd->plans[i] = NULL;
		if (k == NULL)
			continue;
		cmd->repls[cmd->nrepls++] = k;
		snprintf(ref, sizeof(ref), "nodeclaim/%s", k->name);
		cluster_event(c, "DisruptionLaunching", ref, "Launching NodeClaim: %s",
		    kp_reason_name(cmd->reason));
		cluster_event(c, "DisruptionWaitingReadiness", ref,
		    "Waiting on readiness to continue disruption");
	}
	cmd->nplans = 0;
	if (cmd->nrepls == 0) {
		kp_cmd_untaint(st, cmd);
		cmd->done = 1;
	}
}

static int64_t
kp_validate_fired(struct sim *sim, void *arg)
{
	struct kp_cmd *cmd = arg;
	struct kp_state *st = cmd->cands[0]->st;
	struct kp_cmd *again;
	struct kp_cand cc;

	(void)sim;
	/* re-validate: still candidates, and the simulation gives the same decision */
	for (size_t i = 0; i < cmd->ncands; i++) {
		cmd->cands[i]->in_cmd = 0;
		if (!kp_candidate(st, cmd->cands[i], &cc) ||
		    (cmd->reason == KR_EMPTY && cc.npods > 0)) {
			kp_cmd_untaint(st, cmd);
			cmd->done = 1;
			return SIM_NOMORE;
		}
	}
	again = kp_compute(st, cmd->cands, cmd->ncands, 1, 0);
	for (size_t i = 0; i < cmd->ncands; i++)
		cmd->cands[i]->in_cmd = 1;
	if (again == NULL || again->kind != cmd->kind) {
		kp_cmd_free(again);
		kp_cmd_untaint(st, cmd);
		cmd->done = 1;
		return SIM_NOMORE;
	}
	kp_cmd_free(again);
	kp_cmd_execute(st, cmd);
	return SIM_NOMORE;
}

/* Invariant: no pool gives up more nodes in cmd than its budgets allow now. */
static int
kp_cmd_within_budgets(const struct kp_state *st, const struct kp_cmd *cmd, unsigned reason)
{
	for (size_t i = 0; i < st->npools; i++) {
		int64_t k = 0;

		for (size_t j = 0; j < cmd->ncands; j++)
			k += cmd->cands[j]->pool == st->pools[i];
		if (k > kp_budget_allowed(st, st->pools[i], reason))
			return 0;
	}
	return 1;
}

/* Drift: no validation wait. */
static void
kp_cmd_start_now(struct kp_state *st, struct kp_cmd *cmd, unsigned reason)
{
	assert(kp_cmd_within_budgets(st, cmd, reason));
	cmd->reason = reason;
	for (size_t i = 0; i < cmd->ncands; i++)
		cmd->cands[i]->in_cmd = 1;
	VEC_PUSH(st->cmds, st->ncmds, st->cmdcap, cmd);
	kp_pass_end(st);	/* the cluster changes */
	kp_cmd_execute(st, cmd);
	for (size_t i = 0; i < cmd->ncands; i++)
		if (cmd->done)
			cmd->cands[i]->in_cmd = 0;
}

static void
kp_cmd_start(struct kp_state *st, struct kp_cmd *cmd, unsigned reason)
{
	assert(kp_cmd_within_budgets(st, cmd, reason));
	cmd->reason = reason;
	for (size_t i = 0; i < cmd->ncands; i++)
		cmd->cands[i]->in_cmd = 1;
	VEC_PUSH(st->cmds, st->ncmds, st->cmdcap, cmd);
	sim_after(&st->r->sim, KP_VALIDATE_MS, "kp-validate", kp_validate_fired, cmd);
}

/* Per pool budget left during one pass (decremented as candidates are taken). */
static int64_t *
kp_budgets_now(struct kp_state *st, unsigned reason)
{
	int64_t *b = xcalloc(st->npools + 1, sizeof(*b));

	for (size_t i = 0; i < st->npools; i++)
		b[i] = kp_budget_allowed(st, st->pools[i], reason);
	return b;
}

/* Emptiness: every empty consolidatable candidate the budgets allow, in one command. */
static int
kp_try_emptiness(struct kp_state *st, const struct kp_cand *cands, size_t nc,
    struct kp_claim **take)
{
	int64_t *budget = kp_budgets_now(st, KR_EMPTY);
	size_t nt = 0;
	struct kp_cmd *cmd;

	for (size_t i = 0; i < nc; i++) {
		struct kp_claim *k = cands[i].k;
		size_t pi = kp_pool_index(st, k->pool);

		if (!kp_claim_empty(st, k, cands[i].npods) || !k->pool->empty_ok ||
		    !kp_consolidatable(st, &cands[i]) || budget[pi] <= 0)
			continue;
		budget[pi]--;
		take[nt++] = k;
	}
	free(budget);
	if (nt == 0)
		return 0;
	cmd = xcalloc(1, sizeof(*cmd));
	cmd->kind = KC_DELETE;
	cmd->cands = xreallocarray(NULL, nt, sizeof(*take));
	memcpy(cmd->cands, take, nt * sizeof(*take));
	cmd->ncands = nt;
	kp_cmd_start(st, cmd, KR_EMPTY);
	return 1;
}

/* Drift: empty claims first, then by when they drifted; one at a time. */
static int
kp_try_drift(struct kp_state *st, const struct kp_cand *cands, size_t nc)
{
	int64_t *budget = kp_budgets_now(st, KR_DRIFTED);

	for (int pass = 0; pass < 2; pass++) {
		struct kp_claim *pick = NULL;
		size_t pick_pods = 0;

		for (size_t i = 0; i < nc; i++) {
			struct kp_claim *k = cands[i].k;

			if (k->drifted_ms < 0 || (pass == 0) != (cands[i].npods == 0) ||
			    budget[kp_pool_index(st, k->pool)] <= 0)
				continue;
			if (pick == NULL || k->drifted_ms < pick->drifted_ms) {
				pick = k;
				pick_pods = cands[i].npods;
			}
		}
		(void)pick_pods;
		if (pick != NULL) {
			struct kp_cmd *cmd = kp_compute(st, &pick, 1, 1, 1);

			if (cmd != NULL) {
				free(budget);
				kp_cmd_start_now(st, cmd, KR_DRIFTED);
				return 1;
			}
		}
	}
	free(budget);
	return 0;
}

/* What consolidation would look at: a signature of the consolidatable candidates. */
static uint64_t
kp_cons_signature(const struct kp_state *st, const struct kp_cand *cands, size_t nc)
{
	uint64_t ncons = 0;

	for (size_t i = 0; i < nc; i++)
		if (cands[i].k->pool->underutil_ok && kp_consolidatable(st, &cands[i]))
			ncons = ncons * 1000003 + cands[i].npods * 7919 + (uint64_t)cands[i].since + 1;
	return ncons;
}

/*
 * Could claim k be of use to a method of this pass?  Every method but
 * drift wants it consolidatable, and its last pod event is at least its
 * last bind or unbind (kp_last_event), so a claim that is not drifted and
 * had one within consolidateAfter is of no use: skip it before walking
 * its pods.  With pods churning, that is most claims, most passes.
 */
static int
kp_cand_matters(const struct kp_state *st, const struct kp_claim *k)
{
	int64_t after = k->pool->consolidate_after_ms;
	int64_t since = k->last_pod_event_ms > k->ready_ms ? k->last_pod_event_ms : k->ready_ms;

	if (k->gone_ms >= 0)
		return 0;
	return k->drifted_ms >= 0 || (after >= 0 && st->r->sim.now_ms - since >= after);
}

/*
 * Candidate c may be consolidated (Underutilized) now: it has pods, its
 * pool allows it, it is past consolidateAfter and the pool's budget is
 * not spent.
 */
static int
kp_cons_eligible(const struct kp_state *st, const struct kp_cand *c, const int64_t *budget)
{
	const struct kp_claim *k = c->k;

	return !kp_claim_empty(st, k, c->npods) && k->pool->underutil_ok &&
	    kp_consolidatable(st, c) &&
	    budget[kp_pool_index(st, k->pool)] > 0;
}

/*
 * Multi-node consolidation: the largest valid prefix, by binary search
 * (multinodeconsolidation.go firstNConsolidationOption).  Upstream clamps
 * its "max" to 100 and then tries prefixes candidates[0:mid+1] for mid up
 * to that max, so with more than 100 disruptable candidates its largest
 * batch is 101 nodes: the same here.
 */
static int
kp_try_multi(struct kp_state *st, const struct kp_cand *cands, size_t nc,
    struct kp_claim **take)
{
	int64_t *budget = kp_budgets_now(st, KR_UNDERUTILIZED);
	struct kp_cmd *best = NULL;
	size_t nt = 0, lo = 1, hi;

	for (size_t i = 0; i < nc && nt < KP_MULTI_MAX + 1; i++) {
		if (!kp_cons_eligible(st, &cands[i], budget))
			continue;
		budget[kp_pool_index(st, cands[i].k->pool)]--;
		take[nt++] = cands[i].k;
	}
	free(budget);
	if (nt < 2)
		return 0;
	hi = nt - 1;
	while (lo <= hi) {
		size_t mid = (lo + hi) / 2;
		struct kp_cmd *cmd = kp_compute(st, take, mid + 1, 1, 0);

		if (cmd != NULL) {
			kp_cmd_free(best);
			best = cmd;
			lo = mid + 1;
		} else {
			if (mid == 0)
				break;
			hi = mid - 1;
		}
	}
	if (best == NULL)
		return 0;
	kp_cmd_start(st, best, KR_UNDERUTILIZED);
	return 1;
}

/* Single-node consolidation: the first candidate, by disruption cost, that can go. */
static int
kp_try_single(struct kp_state *st, const struct kp_cand *cands, size_t nc)
{
	int64_t *budget = kp_budgets_now(st, KR_UNDERUTILIZED);

	for (size_t i = 0; i < nc; i++) {
		struct kp_claim *k = cands[i].k;
		struct kp_cmd *cmd;

		if (!kp_cons_eligible(st, &cands[i], budget)) {
			if (cands[i].npods > 0 && k->pool->underutil_ok && kp_consolidatable(st, &cands[i]))
				xp_node(st->r->xp, k->node, XR_KP_BLOCKED, &(struct xp_in){
				    .msg = "No allowed disruptions for disruption reason "
				    "Underutilized due to blocking budget",
				    .by = k->pool->name, .by_kind = "nodepool" });
			continue;
		}
		if ((cmd = kp_compute(st, &k, 1, 0, 0)) != NULL) {
			kp_cmd_start(st, cmd, KR_UNDERUTILIZED);
			free(budget);
			return 1;
		}
	}
	free(budget);
	return 0;
}

int64_t
kp_disrupt_fired(struct sim *sim, void *arg)
{
	struct kp_state *st = arg;
	struct kp_cand *cands = xcalloc(st->nclaims + 1, sizeof(*cands));
	struct kp_claim **take = xcalloc(st->nclaims + 1, sizeof(*take));
	size_t nc = 0;
	uint64_t ncons;

	(void)sim;
	kp_pass_begin(st);
	for (size_t i = 0; i < st->nclaims; i++)
		if (kp_cand_matters(st, st->claims[i]) && kp_candidate(st, st->claims[i], &cands[nc]))
			nc++;
	qsort(cands, nc, sizeof(*cands), kp_cand_cmp);
	if (kp_try_emptiness(st, cands, nc, take) || kp_try_drift(st, cands, nc))
		goto out;
	/*
	 * Consolidation is skipped while nothing changed since it last found
	 * nothing (state/cluster.go ConsolidationState), re-armed every 5 min.
	 */
	ncons = kp_cons_signature(st, cands, nc);
	if (st->version == st->cons_version && ncons == st->cons_n &&
	    st->r->sim.now_ms - st->cons_ms < KP_CONS_REARM_MS)
		goto out;
	if (kp_try_multi(st, cands, nc, take) || kp_try_single(st, cands, nc))
		goto out;
	st->cons_version = st->version;
	st->cons_n = ncons;
	st->cons_ms = st->r->sim.now_ms;
out:
	kp_pass_end(st);
	free(cands);
	free(take);
	return KP_DISRUPT_PERIOD_MS;
}

/* ---- NodePools applied by the timeline, and drift ---- */


/* Why claim k no longer matches its (changed) pool, or NULL. */
static const char *
kp_drift_reason(const struct kp_claim *k)
{
	const struct kp_pool *p = k->pool;

	if (k->hash != kp_pool_hash(p))
		return "NodePoolDrifted";
	for (size_t i = 0; i < p->reqs.n; i++) {
		const struct kp_req *q = &p->reqs.v[i];

		if (labels_get(&p->labels, q->key) != NULL)
			continue;
		if (!kp_req_admits(q, labels_get(&k->node->labels, q->key)))
			return "RequirementsDrifted";
	}
	return NULL;
}

int64_t
kp_apply_fired(struct sim *sim, void *arg)
{
	struct kp_later *l = arg;
	struct kp_state *st = l->st;
	struct ks_cluster *c = &st->r->cluster;
	struct kp_pool *p = l->pool, *old = NULL;
	char ref[300];

	(void)sim;
	l->pool = NULL;
	st->version++;
	for (size_t i = 0; i < st->npools; i++)
		if (st->pools[i]->name == p->name)
			old = st->pools[i];
	kp_pool_types(st, p);
	snprintf(ref, sizeof(ref), "%s/%s", strcmp(p->kind, "Provisioner") == 0 ? "provisioner" :
	    "nodepool", p->name);
	if (old == NULL) {
		st->pools = xreallocarray(st->pools, st->npools + 1, sizeof(*st->pools));
		st->pools[st->npools++] = p;
		cluster_event(c, "Applied", ref, "%s %s created", p->kind, p->name);
	} else {
		/* keep the address: claims point at their pool */
		kp_pool_clear(old);
		*old = *p;
		free(p);
		cluster_event(c, "Applied", ref, "%s %s updated", old->kind, old->name);
		for (size_t i = 0; i < st->nclaims; i++) {
			struct kp_claim *k = st->claims[i];
			const char *why;

			if (k->pool != old || k->gone_ms >= 0 || k->drifted_ms >= 0 ||
			    !kp_drift_enabled(st, old) || (why = kp_drift_reason(k)) == NULL)
				continue;
			k->drifted_ms = st->r->sim.now_ms;
			snprintf(ref, sizeof(ref), "nodeclaim/%s", k->name);
			cluster_event(c, "Drifted", ref, "NodeClaim %s is drifted: %s", k->name, why);
		}
	}
	qsort(st->pools, st->npools, sizeof(*st->pools), kp_pool_cmp);
	/* pending pods may fit the new definition */
	{
		size_t n;
		uint32_t *ids = kp_pending_pods(st, &n);

		for (size_t i = 0; i < n; i++)
			kp_trigger(st, ids[i]);
		free(ids);
	}
	return SIM_NOMORE;
}

/* ---- spot interruptions ---- */

int64_t
kp_interrupt_fired(struct sim *sim, void *arg)
{
	struct kp_interrupt *in = arg;
	struct kp_state *st = in->st;
	struct ks_cluster *c = &st->r->cluster;
	struct kp_claim *victim = NULL;
	char ref[300];

	(void)sim;
	for (size_t i = 0; i < st->nclaims && victim == NULL; i++) {
		struct kp_claim *k = st->claims[i];

		if (k->spot && k->gone_ms < 0 && !k->disrupting &&
		    (in->pool == NULL || in->pool == k->pool->name))
			victim = k;
	}
	if (victim == NULL) {
		ks_warn(&in->mark, "no spot NodeClaim%s%s%s to interrupt at %lld ms",
		    in->pool ? " of nodepool \"" : "", in->pool ? in->pool : "", in->pool ? "\"" : "",
		    (long long)in->at_ms);
		return SIM_NOMORE;
	}
	st->interruptions++;
	{
		struct kp_unavail u = { victim->it, victim->zone, 1,
		    st->r->sim.now_ms + KP_UNAVAIL_MS };

		VEC_PUSH(st->unavail, st->nunavail, st->unavailcap, u);
	}
	for (size_t i = 0; i < victim->node->npods; i++)
		st->intr_pods += kp_pod_reschedulable(c->pods[victim->node->pods[i]]);
	snprintf(ref, sizeof(ref), "node/%s", victim->node->name);
	cluster_event(c, "SpotInterrupted", ref, "Spot interruption warning was triggered");
	snprintf(ref, sizeof(ref), "nodeclaim/%s", victim->name);
	cluster_event(c, "DisruptionTerminating", ref, "Disrupting NodeClaim: Interrupted");
	in->pods_from = c->npods;
	in->victim = victim;
	kp_claim_delete(st, victim, "interrupted");
	in->pods_to = c->npods;
	in->delivered = 1;
	return SIM_NOMORE;
}
