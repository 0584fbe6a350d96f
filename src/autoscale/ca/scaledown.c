/*
 * scaledown.c: one loop's scale-down (A.7) and the deletion that follows.
 *
 * Candidates are Ready nodes of groups above their minimum; a node is
 * unneeded when its utilization max(cpu, mem) is under the threshold, no
 * pod blocks its drain (simulator/drainability/rules) and its pods fit the
 * other nodes (first fit over a fork of their usage).  Unneeded nodes carry
 * the soft taint; one unneeded for scale-down-unneeded-time, outside the
 * cooldowns and within the parallelism budgets, is tainted
 * ToBeDeletedByClusterAutoscaler and, node-delete-delay-after-taint later,
 * drained (sd_actuate_fired: evictions retried while a budget refuses
 * them, then a wait for the evicted pods' grace period) and terminated.
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ca/ca.h"
#include "cluster/sched.h"
#include "explain/explain.h"
#include "util/intern.h"
#include "util/xmalloc.h"

/* ---- small helpers ---- */

static struct ca_nodeinfo *
ca_ni(struct ca_state *st, const struct ks_node *n)
{
	while (st->nni <= n->id) {
		size_t old = st->nni;

		st->nni = st->nni ? 2 * st->nni : 16;
		st->ni = xreallocarray(st->ni, st->nni, sizeof(*st->ni));
		for (size_t i = old; i < st->nni; i++) {
			memset(&st->ni[i], 0, sizeof(st->ni[i]));
			st->ni[i].unneeded_since = -1;
		}
	}
	return &st->ni[n->id];
}

/* ---- scale-down (A.7) ---- */

/* max(cpu, mem) of requests over allocatable (simulator/utilization/info.go). */
static double
ca_node_utilization(struct ks_cluster *c, const struct ks_node *n, int ignore_ds, int *gpu)
{
	struct ks_res used = { { 0 } }, alloc = n->alloc;
	double u = 0;

	for (size_t i = 0; i < n->npods; i++) {
		const struct ks_pod *p = c->pods[n->pods[i]];

		if (ignore_ds && ca_pod_is_daemon(p)) {
			res_sub(&alloc, &p->req);
			continue;
		}
		res_add(&used, &p->req);
	}
	*gpu = n->alloc.v[RES_GPU] > 0;
	if (*gpu)
		return alloc.v[RES_GPU] > 0 ? (double)used.v[RES_GPU] / (double)alloc.v[RES_GPU] : 0;
	if (alloc.v[RES_CPU] > 0)
		u = (double)used.v[RES_CPU] / (double)alloc.v[RES_CPU];
	if (alloc.v[RES_MEM] > 0 && (double)used.v[RES_MEM] / (double)alloc.v[RES_MEM] > u)
		u = (double)used.v[RES_MEM] / (double)alloc.v[RES_MEM];
	return u;
}

enum drain { DR_SKIP, DR_MOVE, DR_BLOCK };

/* The drainability rules, first match decides; *why gets BlockedByPod's detail. */
static enum drain
ca_drainable(struct ca_state *st, const struct ks_pod *p, const char **why)
{
	struct ks_cluster *c = &st->r->cluster;
	const char *ste = ca_pod_annotation(p, "cluster-autoscaler.kubernetes.io/safe-to-evict");
	int64_t now = st->r->sim.now_ms;
	const struct ks_pdb *pdb;

	*why = NULL;
	if (p->phase == POD_TERMINATING || !pod_alive(p))
		return DR_SKIP;
	if (st->o.skip_custom && p->owner != NULL && p->owner->kind != WL_DAEMONSET) {
		if (p->owner->deleted) {
			*why = "ControllerNotFound";
			return DR_BLOCK;
		}
		if ((p->owner->kind == WL_DEPLOYMENT || p->owner->kind == WL_REPLICASET) &&
		    p->owner->replicas < st->o.min_replicas) {
			*why = "MinReplicasReached";
			return DR_BLOCK;
		}
	}
	if (ca_pod_is_daemon(p))
		return DR_SKIP;
	if (ste != NULL && strcmp(ste, "true") == 0)
		return DR_MOVE;
	if (p->phase == POD_SUCCEEDED)
		return DR_MOVE;
	if (ste != NULL && strcmp(ste, "on-completion") == 0) {
		*why = "NotSafeToEvictAnnotation";
		return DR_BLOCK;
	}
	if (p->owner == NULL) {
		*why = "NotReplicated";
		return DR_BLOCK;
	}
	pdb = pdb_for_pod(c, p);
	/* rules/system: drainable once the drain time is After creation + timeout */
	if (st->o.skip_system && strcmp(p->ns, "kube-system") == 0 && pdb == NULL &&
	    (st->o.system_block_ms < 0 || now - p->created_ms <= st->o.system_block_ms)) {
		*why = "UnmovableKubeSystemPod";
		return DR_BLOCK;
	}
	if (ste != NULL && strcmp(ste, "false") == 0) {
		*why = "NotSafeToEvictAnnotation";
		return DR_BLOCK;
	}
	if (st->o.skip_local && p->spec->local_storage &&
	    ca_pod_annotation(p, "cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes") == NULL) {
		*why = "LocalStorageRequested";
		return DR_BLOCK;
	}
	if (pdb != NULL && pdb_allowed(c, pdb) < 1) {
		*why = "NotEnoughPdb";
		return DR_BLOCK;
	}
	return DR_MOVE;
}

struct cand {
	struct ks_node	*n;
	int		 empty;		/* nothing to move */
	int		 was_unneeded;	/* unneeded in the previous loop */
};

static int
cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	if (a->empty != b->empty)
		return a->empty ? -1 : 1;
	if (a->was_unneeded != b->was_unneeded)
		return a->was_unneeded ? -1 : 1;
	return a->n->id < b->n->id ? -1 : a->n->id > b->n->id;
}

static int64_t sd_actuate_fired(struct sim *, void *);

/*
 * One node's deletion, from its taint to its removal
 * (core/scaledown/actuation); the argument of its event, which owns it
 * (sim_after_owned): freed when the deletion ends, or with the engine when
 * the run ends first.
 */
struct sd_job {
	struct ca_state	*st;
	struct ks_node	*n;
	int		 waiting;	/* evictions done: waiting for the pods to go */
	int64_t		 retry_until;	/* evictions retried until, ms; -1 unset */
	int64_t		 wait_until;	/* evicted pods waited for until, ms */
	uint32_t	 refused;	/* id of the pod last refused eviction */
};

static void
node_untaint(struct ks_node *n)
{
	size_t k = 0;

	for (size_t i = 0; i < n->ntaints; i++)
		if (strcmp(n->taints[i].key, CA_TBD_TAINT) != 0)
			n->taints[k++] = n->taints[i];
	n->ntaints = k;
}

static int
deletions_in_progress(struct ca_state *st, const struct ca_group *g, int *drains)
{
	struct ks_cluster *c = &st->r->cluster;
	int k = 0;

	if (drains != NULL)
		*drains = 0;
	for (size_t i = 0; i < c->nnodes; i++) {
		struct ks_node *n = c->nodes[i];

		if (n->state == NODE_GONE || !ca_ni(st, n)->deleting)
			continue;
		if (g != NULL && n->owner != g)
			continue;
		k++;
		if (drains != NULL && !ca_ni(st, n)->empty)
			(*drains)++;
	}
	return k;
}

/* One scale-down pass: what its steps share. */
struct sd_loop {
	struct ca_state	*st;		/* the controller */
	struct ks_cluster *c;		/* its cluster */
	int64_t		 now;		/* loop time, ms */
	struct cand	*cand;		/* candidates, in deletion order */
	size_t		 ncand, ccap;	/* entries, allocated */
	struct ks_res	*dest_extra;	/* requests moved onto each node so far, by index */
	char		*removing;	/* 1 = unneeded in this loop, by node */
};

/* HasNoScaleDownAnnotation: cluster-autoscaler.kubernetes.io/scale-down-disabled is "true". */
static int
sd_disabled(const struct ca_group *g)
{
	const char *v = labels_get(&g->annotations, CA_SD_DISABLED);

	return v != NULL && strcmp(v, "true") == 0;
}

/* Ready nodes of groups above their minimum; the others get their reason. */
static void
sd_candidates(struct sd_loop *l)
{
	struct ca_state *st = l->st;
	struct ks_cluster *c = l->c;

	for (size_t i = 0; i < c->nnodes; i++) {
		struct ks_node *n = c->nodes[i];
		struct ca_group *g = ca_node_group(st, n);
		struct ca_nodeinfo *ni = ca_ni(st, n);
		struct cand cd;

		if (n->state != NODE_READY || ni->deleting)
			continue;
		/* eligibility.go: the annotation first, before the node group */
		if (g != NULL && sd_disabled(g)) {
			ni->why = intern("ScaleDownDisabledAnnotation");
			ni->unneeded_since = -1;
			continue;
		}
		if (g == NULL) {
			ni->why = intern("NotAutoscaled");
			ni->unneeded_since = -1;
			continue;
		}
		if (g->desired <= g->min) {
			int gpu;

			ni->util = ca_node_utilization(c, n, st->o.ignore_ds_util, &gpu);
			ni->why = intern("NodeGroupMinSizeReached");
			ni->unneeded_since = -1;
			continue;
		}
		cd.n = n;
		cd.empty = 1;
		for (size_t k = 0; k < n->npods && cd.empty; k++) {
			const struct ks_pod *p = c->pods[n->pods[k]];

			/* only DaemonSet and terminating pods: nothing to move */
			cd.empty = ca_pod_is_daemon(p) || p->phase == POD_TERMINATING || !pod_alive(p);
		}
		cd.was_unneeded = ni->unneeded_since >= 0;
		VEC_PUSH(l->cand, l->ncand, l->ccap, cd);
	}
	if (l->ncand > 1)
		qsort(l->cand, l->ncand, sizeof(*l->cand), cand_cmp);
}

/* The first pod that blocks n's drain, as BlockedByPod's reason in why; 0 none. */
static int
sd_blocked(struct ca_state *st, const struct ks_node *n, char *why, size_t len)
{
	struct ks_cluster *c = &st->r->cluster;

	for (size_t k = 0; k < n->npods; k++) {
		struct ks_pod *p = c->pods[n->pods[k]];
		const char *bw;

		if (ca_drainable(st, p, &bw) == DR_BLOCK) {
			snprintf(why, len, "BlockedByPod: %s/%s (%s)", p->ns, p->name, bw);
			return 1;
		}
	}
	return 0;
}

/*
 * Place n's pods on the other nodes, first fit, on a fork of the
 * destinations' usage; when every pod fits the fork is kept, so the next
 * candidate cannot count on the room they took.  Returns 1 when all fit.
 */
static int
sd_place_pods(struct sd_loop *l, const struct ks_node *n)
{
	struct ca_state *st = l->st;
	struct ks_cluster *c = l->c;
	struct ks_res *tmp;
	int moved_all = 1;

	tmp = xreallocarray(NULL, c->nnodes ? c->nnodes : 1, sizeof(*tmp));
	memcpy(tmp, l->dest_extra, c->nnodes * sizeof(*tmp));
	for (size_t k = 0; k < n->npods && moved_all; k++) {
		struct ks_pod *p = c->pods[n->pods[k]];
		const char *bw;
		int placed = 0;

		if (ca_drainable(st, p, &bw) != DR_MOVE)
			continue;
		for (size_t j = 0; j < c->nnodes && !placed; j++) {
			struct ks_node *d = c->nodes[j];
			struct sched_fit f;

			if (d == n || d->state != NODE_READY || l->removing[j] || ca_ni(st, d)->deleting)
				continue;
			if (sched_fits(c, p, d, &tmp[j], NULL, &f)) {
				res_add(&tmp[j], &p->req);
				placed = 1;
			}
		}
		moved_all = placed;
	}
	if (moved_all)
		memcpy(l->dest_extra, tmp, c->nnodes * sizeof(*tmp));
	free(tmp);
	return moved_all;
}

/* Is the candidate unneeded?  Sets its reason, and removing[] when it is. */
static void
sd_check(struct sd_loop *l, const struct cand *cd)
{
	struct ca_state *st = l->st;
	struct ks_node *n = cd->n;
	struct ca_nodeinfo *ni = ca_ni(st, n);
	int gpu;
	double thr;
	char why[600];

	ni->util = ca_node_utilization(l->c, n, st->o.ignore_ds_util, &gpu);
	thr = gpu ? st->o.sd_gpu_threshold : st->o.sd_threshold;
	if (st->o.strict_under ? ni->util >= thr : ni->util > thr) {
		ni->why = intern("NotUnderutilized");
		ni->unneeded_since = -1;
		return;
	}
	if (ni->recheck_at > l->now) {
		ni->unneeded_since = -1;
		return;		/* RecentlyUnremovable: keep the last reason */
	}
	if (sd_blocked(st, n, why, sizeof(why))) {
		ni->why = intern(why);
		ni->unneeded_since = -1;
		ni->recheck_at = l->now + st->o.recheck_ms;
		return;
	}
	if (!sd_place_pods(l, n)) {
		ni->why = intern("NoPlaceToMovePods");
		ni->unneeded_since = -1;
		ni->recheck_at = l->now + st->o.recheck_ms;
		return;
	}
	l->removing[n->id] = 1;
	ni->empty = cd->empty;
	if (ni->unneeded_since < 0)
		ni->unneeded_since = l->now;
	ni->why = intern("NotUnneededLongEnough");
}

/*
 * Unneeded nodes carry DeletionCandidateOfClusterAutoscaler:PreferNoSchedule
 * so the scheduler prefers other nodes; it goes when they are needed again.
 */
static void
sd_soft_taints(struct sd_loop *l)
{
	struct ca_state *st = l->st;
	struct ks_cluster *c = l->c;

	for (size_t i = 0; i < c->nnodes; i++) {
		struct ks_node *n = c->nodes[i];
		size_t k;

		if (n->state != NODE_READY || ca_node_group(st, n) == NULL || ca_ni(st, n)->deleting)
			continue;
		for (k = 0; k < n->ntaints; k++)
			if (strcmp(n->taints[k].key, CA_SOFT_TAINT) == 0)
				break;
		if (l->removing[i] && k == n->ntaints) {
			struct ks_taint t;
			char val[32];

			snprintf(val, sizeof(val), "%lld", (long long)(l->now / 1000));
			t.key = intern(CA_SOFT_TAINT);
			t.val = intern(val);
			t.effect = EFFECT_PREFERNOSCHEDULE;
			n->taints = xreallocarray(n->taints, n->ntaints + 1, sizeof(*n->taints));
			n->taints[n->ntaints++] = t;
		} else if (!l->removing[i] && k < n->ntaints) {
			memmove(&n->taints[k], &n->taints[k + 1],
			    (n->ntaints - k - 1) * sizeof(*n->taints));
			n->ntaints--;
		}
	}
}

/* Taint the node, then terminate it after node-delete-delay-after-taint. */
static void
sd_start_delete(struct sd_loop *l, const struct cand *cd)
{
	struct ca_state *st = l->st;
	struct ks_cluster *c = l->c;
	struct ks_node *n = cd->n;
	struct ca_nodeinfo *ni = ca_ni(st, n);
	struct ca_group *g = ca_node_group(st, n);
	struct sd_job *job;
	struct ks_taint t;
	char val[32], obj[300];

	snprintf(val, sizeof(val), "%lld", (long long)(l->now / 1000));
	t.key = intern(CA_TBD_TAINT);
	t.val = intern(val);
	t.effect = EFFECT_NOSCHEDULE;
	n->taints = xreallocarray(n->taints, n->ntaints + 1, sizeof(*n->taints));
	n->taints[n->ntaints++] = t;
	cluster_node_cordon(c, n, "cluster-autoscaler");
	snprintf(obj, sizeof(obj), "node/%s", n->name);
	cluster_event(c, "ScaleDown", obj, "marked the node as toBeDeleted/unschedulable");
	snprintf(obj, sizeof(obj), "nodegroup/%s", g->name);
	if (cd->empty)
		cluster_event(c, "ScaleDownEmpty", obj, "Scale-down: removing empty node %s",
		    n->name);
	else
		cluster_event(c, "ScaleDown", obj,
		    "Scale-down: removing node %s, utilization: %.3f", n->name, ni->util);
	ni->deleting = 1;
	ni->why = intern("CurrentlyBeingDeleted");
	job = xcalloc(1, sizeof(*job));
	job->st = st;
	job->n = n;
	job->retry_until = -1;
	sim_after_owned(&st->r->sim, st->o.taint_delay_ms, "ca-scale-down", sd_actuate_fired,
	    job, free);
	st->last_delete = l->now;
}

/*
 * The room above the minimums of --cores-total (m) and --memory-total
 * (bytes): the nodes' capacity, those being deleted left out, minus the
 * minimum, never negative (core/scaledown/resource LimitsLeft,
 * computeAboveMin); INT64_MAX when the minimum is 0 (no limit).
 */
static void
sd_limits_left(struct ca_state *st, int64_t *cpu_left, int64_t *mem_left)
{
	struct ks_cluster *c = &st->r->cluster;
	int64_t cpu = 0, mem = 0, cmin = st->o.cores_min * 1000;
	int64_t mmin = st->o.mem_min_gib * 1024 * 1024 * 1024;

	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *n = c->nodes[i];

		if (n->state == NODE_GONE || ca_ni(st, n)->deleting)
			continue;
		cpu += n->cap.v[RES_CPU];
		mem += n->cap.v[RES_MEM];
	}
	*cpu_left = cmin <= 0 ? INT64_MAX : cpu > cmin ? cpu - cmin : 0;
	*mem_left = mmin <= 0 ? INT64_MAX : mem > mmin ? mem - mmin : 0;
}

/*
 * Removing n keeps the cluster at or above the minimums: then its
 * capacity is taken from the room (ConsumeQuota / TryDecrementBy), else
 * it is MinimalResourceLimitExceeded.
 */
static int
sd_limits_take(const struct ks_node *n, int64_t *cpu_left, int64_t *mem_left)
{
	if (n->cap.v[RES_CPU] > *cpu_left || n->cap.v[RES_MEM] > *mem_left)
		return 0;
	if (*cpu_left != INT64_MAX)
		*cpu_left -= n->cap.v[RES_CPU];
	if (*mem_left != INT64_MAX)
		*mem_left -= n->cap.v[RES_MEM];
	return 1;
}

/*
 * The deletions: nodes unneeded long enough, empty ones first, within
 * max-scale-down-parallelism and max-drain-parallelism, above the
 * group's minimum and the cluster's minimum cores and memory.  Returns 1
 * when one started.
 */
static int
sd_delete(struct sd_loop *l, int cooldown)
{
	struct ca_state *st = l->st;
	int started = 0, drains, total;
	int64_t cpu_left, mem_left;

	total = deletions_in_progress(st, NULL, &drains);
	sd_limits_left(st, &cpu_left, &mem_left);
	for (int pass = 0; pass < 2 && !cooldown && st->o.sd_enabled; pass++) {
		for (size_t i = 0; i < l->ncand; i++) {
			struct ks_node *n = l->cand[i].n;
			struct ca_nodeinfo *ni = ca_ni(st, n);
			struct ca_group *g = ca_node_group(st, n);

			if (!l->removing[n->id] || ni->deleting || l->cand[i].empty != (pass == 0))
				continue;
			/* unneeded/nodes.go: removable once since + time is Before now */
			if (l->now - ni->unneeded_since <= st->o.sd_unneeded_ms)
				continue;
			if (g->desired - deletions_in_progress(st, g, NULL) <= g->min) {
				ni->why = intern("NodeGroupMinSizeReached");
				continue;
			}
			/* RemovableAt takes the quota before the budgets cut */
			if (!sd_limits_take(n, &cpu_left, &mem_left)) {
				ni->why = intern("MinimalResourceLimitExceeded");
				continue;
			}
			if (total >= st->o.max_sd_parallel)
				break;
			if (!l->cand[i].empty && drains >= st->o.max_drain_parallel)
				continue;
			total++;
			drains += !l->cand[i].empty;
			sd_start_delete(l, &l->cand[i]);
			started = 1;
		}
	}
	return started;
}

/* Returns 1 when a deletion started. */
int
ca_scale_down(struct ca_state *st, int forbidden)
{
	struct ks_cluster *c = &st->r->cluster;
	struct sd_loop l;
	int cooldown, started;

	memset(&l, 0, sizeof(l));
	l.st = st;
	l.c = c;
	l.now = st->r->sim.now_ms;
	l.dest_extra = xcalloc(c->nnodes ? c->nnodes : 1, sizeof(*l.dest_extra));
	l.removing = xcalloc(c->nnodes ? c->nnodes : 1, 1);
	sd_candidates(&l);
	for (size_t i = 0; i < l.ncand; i++)
		sd_check(&l, &l.cand[i]);
	sd_soft_taints(&l);
	/* isScaleDownInCooldown: while last + delay is After now */
	cooldown = forbidden || l.now < st->last_scale_up + st->o.sd_after_add_ms ||
	    l.now < st->last_delete + st->o.sd_after_delete_ms ||
	    l.now < st->last_sd_fail + st->o.sd_after_failure_ms;
	started = sd_delete(&l, cooldown);
	if (cooldown) {
		for (size_t i = 0; i < l.ncand; i++) {
			struct ca_nodeinfo *ni = ca_ni(st, l.cand[i].n);

			if (l.removing[l.cand[i].n->id] &&
			    l.now - ni->unneeded_since > st->o.sd_unneeded_ms)
				ni->why = intern("ScaleDownInCooldown");
		}
	}
	for (size_t i = 0; st->r->xp != NULL && i < c->nnodes && i < st->nni; i++)
		if (c->nodes[i]->state == NODE_READY)	/* explain: each node's verdict */
			xp_ca_node(st->r->xp, c, c->nodes[i], st->ni[i].why,
			    st->ni[i].unneeded_since, st->ni[i].util);
	free(l.cand);
	free(l.dest_extra);
	free(l.removing);
	return started;
}

/* The drain failed: the node is untainted and stays; a scale-down failure. */
static int64_t
sd_drain_failed(struct sd_job *job, const struct ks_pod *p)
{
	struct ca_state *st = job->st;
	struct ks_node *n = job->n;
	struct ks_cluster *c = &st->r->cluster;
	struct ca_nodeinfo *ni = ca_ni(st, n);
	char obj[300];

	node_untaint(n);
	n->unschedulable = 0;
	ni->deleting = 0;
	ni->why = intern("FailedToEvictPods");
	if (st->r->xp != NULL) {	/* explain: the PDB that said no, or the timeout */
		const struct ks_pdb *b = p != NULL ? pdb_for_pod(c, p) : NULL;

		if (b != NULL)
			snprintf(obj, sizeof(obj), "pdb/%s/%s", b->ns, b->name);
		xp_node(st->r->xp, n, XR_CA_FAILED_EVICT, &(struct xp_in){ .by = b ? obj : NULL,
		    .msg = p == NULL ? "FailedToEvictPods: pods remaining after timeout" : NULL });
	}
	st->last_sd_fail = st->r->sim.now_ms;
	snprintf(obj, sizeof(obj), "node/%s", n->name);
	if (p != NULL)
		cluster_event(c, "ScaleDownFailed", obj,
		    "failed to drain the node: pod %s/%s is protected by a PodDisruptionBudget",
		    p->ns, p->name);
	else
		cluster_event(c, "ScaleDownFailed", obj,
		    "failed to drain the node: pods remaining after timeout");
	return SIM_NOMORE;
}

/*
 * Evict every pod that has to move and whose PodDisruptionBudget allows
 * it now; returns the first one refused (to retry), or NULL.
 */
static struct ks_pod *
sd_evict(struct ca_state *st, struct ks_node *n)
{
	struct ks_cluster *c = &st->r->cluster;
	struct ks_pod *refused = NULL;

	for (size_t k = n->npods; k-- > 0;) {
		struct ks_pod *p;
		const struct ks_pdb *pdb;
		const char *bw;

		if (k >= n->npods)
			continue;
		p = c->pods[n->pods[k]];
		/* the budget is the eviction's to refuse, not a rule's */
		if (p->phase == POD_TERMINATING || (ca_drainable(st, p, &bw) != DR_MOVE &&
		    (bw == NULL || strcmp(bw, "NotEnoughPdb") != 0)))
			continue;
		pdb = pdb_for_pod(c, p);
		if (pdb != NULL && pdb_allowed(c, pdb) < 1) {
			refused = p;
			continue;
		}
		cluster_pod_evict(c, p, "ScaleDown", "deleting pod for node scale down");
	}
	return refused;
}

/* A pod CA evicted (not a DaemonSet's) is still on n. */
static int
sd_pods_remain(struct ca_state *st, const struct ks_node *n)
{
	struct ks_cluster *c = &st->r->cluster;

	for (size_t k = 0; k < n->npods; k++) {
		const struct ks_pod *p = c->pods[n->pods[k]];

		if (!ca_pod_is_daemon(p) && p->evicted_by != NULL &&
		    strcmp(p->evicted_by, "ScaleDown") == 0)
			return 1;
	}
	return 0;
}

/* The node is drained: terminate it and decrement its group. */
static int64_t
sd_remove(struct sd_job *job, struct ca_group *g)
{
	struct ca_state *st = job->st;
	struct ks_node *n = job->n;
	struct ks_cluster *c = &st->r->cluster;
	struct ca_record rec;
	char obj[300];

	memset(&rec, 0, sizeof(rec));
	rec.at_ms = st->r->sim.now_ms;
	rec.group = g->name;
	rec.from = g->desired;
	g->desired--;
	assert(g->desired >= g->min);	/* never below the group's minSize */
	rec.to = g->desired;
	rec.node = n->name;
	rec.empty = ca_ni(st, n)->empty;
	rec.score = NAN;
	ca_record_add(st, &rec);
	g->nscaledowns++;
	snprintf(obj, sizeof(obj), "node/%s", n->name);
	cluster_event(c, "ScaleDown", obj, "node removed by cluster autoscaler");
	cluster_node_delete(c, n, "removed by the cluster autoscaler");
	ca_group_sample(st, g);
	return SIM_NOMORE;
}

/*
 * The deletion, node-delete-delay-after-taint after the taint
 * (core/scaledown/actuation/drain.go Evictor): an empty node goes at
 * once; otherwise each pod that has to move is evicted, an eviction its
 * PodDisruptionBudget refuses is retried every 10 s while before
 * max-pod-eviction-time (at the first retry time not before it the
 * drain fails and the node stays), and the node goes once the evicted
 * pods have terminated (their grace period; checked every 5 s while
 * under max-graceful-termination-sec + 30 s, failing at the first check
 * time not under it).
 */
static int64_t
sd_actuate_fired(struct sim *sim, void *arg)
{
	struct sd_job *job = arg;
	struct ca_state *st = job->st;
	struct ks_node *n = job->n;
	struct ca_group *g = ca_node_group(st, n);
	int64_t now = sim->now_ms;
	struct ks_pod *refused;

	if (n->state != NODE_READY || g == NULL) {
		ca_ni(st, n)->deleting = 0;
		return SIM_NOMORE;
	}
	if (ca_ni(st, n)->empty)
		return sd_remove(job, g);
	if (!job->waiting) {
		if (job->retry_until < 0) {
			job->retry_until = now + st->o.max_evict_ms;
		} else if (now >= job->retry_until) {
			/* evictPod tries again only while Before retryUntil */
			char ref[600];

			assert(job->refused < st->r->cluster.npods);
			refused = st->r->cluster.pods[job->refused];
			cluster_event(&st->r->cluster, "ScaleDownFailed",
			    pod_ref(refused, ref, sizeof(ref)), "failed to delete pod for ScaleDown");
			return sd_drain_failed(job, refused);
		}
		if ((refused = sd_evict(st, n)) != NULL) {
			job->refused = refused->id;
			return CA_EVICT_RETRY_MS;
		}
		job->waiting = 1;
		job->wait_until = now + st->o.max_grace_s * 1000 + CA_EVICT_HEADROOM_MS;
	}
	/* waitPodsToDisappear looks only while the time since it began is
	 * under the limit; at the limit it gives up without looking */
	if (now >= job->wait_until)
		return sd_drain_failed(job, NULL);
	if (!sd_pods_remain(st, n))
		return sd_remove(job, g);
	return CA_DRAIN_POLL_MS;
}
