/*
 * ca.c: the Cluster Autoscaler on AWS Auto Scaling groups.
 *
 * What it models: kubernetes/autoscaler cluster-autoscaler 1.36 by default
 * (the version is read from the image tag of the cluster-autoscaler
 * Deployment, or from spec.clusterAutoscaler.version, and selects the
 * defaults that changed: the expander, frequent loops, the <= test of
 * under-utilization and the kube-system rule; reference ca-karpenter.md D).
 *
 * Node groups are ASGs.  They come from an eksctl ClusterConfig
 * (eksctl.io/v1alpha5 managedNodeGroups and nodeGroups) or from the
 * Scenario's spec.nodeGroups; every group is autoscaled (the auto-discovery
 * tags are assumed).  Each group's nodes exist at desiredCapacity at t=0.
 * CA's configuration is the command line of the cluster-autoscaler
 * container (config/flags/flags.go names and defaults), then the strict
 * spec.clusterAutoscaler block, whose keys are the flags in camelCase.
 *
 * The loop (core/static_autoscaler.go RunOnce, loop/trigger.go):
 *  - every scan-interval, and with frequent loops (1.35+) also at once when
 *    a pod first becomes unschedulable or after a productive loop;
 *  - pending pods are those the scheduler marked Unschedulable; expendable
 *    ones (priority < cutoff) are dropped, then "filter out schedulable"
 *    places each, highest priority first, on Ready nodes and on template
 *    copies of upcoming nodes (desired - Ready per group); DaemonSet pods
 *    and pods younger than new-pod-scale-up-delay are dropped;
 *  - nothing happens this loop (neither scale-up nor deletions) while the
 *    oldest pod left is younger than 2 s, or the oldest one that asks for
 *    a GPU younger than 30 s;
 *  - scale-up (core/scaleup/orchestrator): per group not backed off and
 *    below max, pods are grouped by controller and spec (equivalence
 *    groups), one sample per group is tested on one empty template node
 *    (a real node of the group Ready >= 1 min, else one built from the
 *    instance type with allocatable = capacity, A.4), and the binpacking
 *    estimator (estimator/binpacking_estimator.go) counts new nodes; the
 *    expander chain picks one option; balance-similar-node-groups spreads
 *    it; the ASG's desired capacity grows and instances start after the
 *    ASG reaction and boot times (reference 0.4: 10 s + 70 s by default);
 *  - scale-down (core/scaledown): utilization max(cpu, mem) of requests
 *    over allocatable; drain simulation with the drainability rules
 *    (simulator/drainability/rules) and a first-fit placement of the pods
 *    on the other nodes; unneeded nodes get the soft taint
 *    DeletionCandidateOfClusterAutoscaler:PreferNoSchedule; a node unneeded
 *    for scale-down-unneeded-time, outside the cooldowns and within the
 *    parallelism budgets, is tainted ToBeDeletedByClusterAutoscaler, and
 *    5 s later drained (evictions a PodDisruptionBudget refuses retried
 *    every 10 s; the node waits for the evicted pods to terminate) and
 *    terminated with the desired capacity decremented.
 *
 * Every pod left Pending gets CA's reason in upstream words ("pod didn't
 * trigger scale-up: 1 Insufficient cpu, 1 Insufficient memory"), every
 * node that stays its reason (NotUnderutilized, NoPlaceToMovePods,
 * BlockedByPod ...).  Scale-up and scale-down are timeline rows.
 *
 * --expander=price is an input error, as upstream stops at start on AWS
 * (no pricing model); with another --cloud-provider (a warning) it prices
 * nodes from the catalog and pods with the GCE per-cpu and per-GiB prices.
 *
 * Simplifications: the scheduler filters CA runs on template and
 * destination nodes skip inter-pod terms (sched_fits without a context);
 * a scale-up timeout cancels the instances still starting (1.36) in every
 * version; the legacy (<= 1.27) deletion path, unready nodes, the
 * cluster-health check and the soft-taint rate limits are not modelled,
 * and the placement hints of "filter out schedulable" are replaced by
 * first fit.
 *
 * Costs: a loop is O(pending pods x (nodes + groups)) plus, for scale-down,
 * O(candidates x their pods x nodes).
 *
 * Layout: this file holds the loop, the cluster hooks and the ctl_ops
 * entry (ca_ctl, the only symbol the folder exports); ca.h the state the
 * files share; flags.c the flag table and the configuration; nodegroup.c
 * the groups, their template nodes and instance launches; scaleup.c and
 * expander.c the scale-up; scaledown.c the scale-down and deletions;
 * report.c the JSON and text report.
 */
#include <assert.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ca/ca.h"
#include "util/duration.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define NEVER	(INT64_MIN / 4)

int
ca_pod_is_daemon(const struct ks_pod *p)
{
	return p->spec->is_daemon || (p->owner != NULL && p->owner->kind == WL_DAEMONSET);
}

const char *
ca_pod_annotation(const struct ks_pod *p, const char *key)
{
	return labels_get(&p->spec->annotations, key);
}

void
ca_record_add(struct ca_state *st, const struct ca_record *rec)
{
	VEC_PUSH(st->recs, st->nrecs, st->reccap, *rec);
}

/* ---- the loop ---- */

static int64_t ca_loop_fired(struct sim *, void *);

static void
schedule_loop(struct ca_state *st, int64_t delay)
{
	st->loop_ev = sim_after(&st->r->sim, delay, "ca-loop", ca_loop_fired, st);
}

static int
pod_cmp_id(const void *a, const void *b)
{
	uint32_t x = (*(struct ks_pod *const *)a)->id, y = (*(struct ks_pod *const *)b)->id;

	return x < y ? -1 : x > y;
}

/*
 * allPodsAreNew (static_autoscaler.go): the oldest pod is younger than
 * 2 s, or the oldest pod that asks for a GPU is younger than 30 s.
 */
int
ca_all_pods_new(struct ks_pod *const *pods, size_t n, int64_t now)
{
	int64_t oldest = INT64_MAX, oldest_gpu = INT64_MAX;

	for (size_t i = 0; i < n; i++) {
		if (pods[i]->created_ms < oldest)
			oldest = pods[i]->created_ms;
		if (pods[i]->req.v[RES_GPU] > 0 && pods[i]->created_ms < oldest_gpu)
			oldest_gpu = pods[i]->created_ms;
	}
	if (n > 0 && oldest + CA_NEW_POD_MS > now)
		return 1;
	return oldest_gpu != INT64_MAX && oldest_gpu + CA_NEW_GPU_POD_MS > now;
}

/*
 * --max-nodes-total reached by the Ready nodes: no scale-up is tried.
 * 1.32 only logs it; from 1.33 every pod gets NotTriggerScaleUp with
 * ReasonsMessage's "max total nodes in cluster reached".
 */
static void
loop_max_total(struct ca_state *st, struct ks_pod **pods, size_t n)
{
	/* and the MaxNodesTotalReached warning, once while the cap holds */
	if (st->version >= 33 && !st->at_node_cap)
		cluster_event(&st->r->cluster, "MaxNodesTotalReached",
		    "configmap/kube-system/cluster-autoscaler-status",
		    "Max total nodes in cluster reached: %d", st->o.max_nodes_total);
	st->at_node_cap = 1;
	for (size_t i = 0; i < n; i++) {
		if (st->version >= 33)
			ca_pod_why(st, pods[i], "NotTriggerScaleUp",
			    "pod didn't trigger scale-up: max total nodes in cluster reached");
		else
			pods[i]->why_not = intern("max total nodes in cluster reached "
			    "(--max-nodes-total): no scale-up was tried");
	}
}

static int64_t
ca_loop_fired(struct sim *sim, void *arg)
{
	struct ca_state *st = arg;
	struct ks_cluster *c = &st->r->cluster;
	int64_t now = sim->now_ms;
	struct ks_pod **pods = NULL;
	size_t n = 0, cap = 0;
	int forbidden = 0, productive, scaled = 0;

	st->loop_ev = NULL;
	st->in_loop = 1;
	st->triggered = 0;
	st->loops++;
	for (size_t i = 0; i < st->ngroups; i++) {
		ca_group_check_timeout(st, st->groups[i]);
		ca_tmpl_update(st, st->groups[i]);
	}
	/* unschedulable pods, not expendable.  A pending pod that has failed
	 * to schedule is on the scheduler's unschedulable list or, when the
	 * cluster changed, back in its queue: walk those, not every pod, and
	 * keep creation order as a walk of all pods would. */
	for (int list = 0; list < 2; list++) {
		const uint32_t *ids = list ? c->queue : c->unsched;
		size_t nids = list ? c->nqueue : c->nunsched;

		for (size_t i = 0; i < nids; i++) {
			struct ks_pod *p = c->pods[ids[i]];

			if (p->phase != POD_PENDING || p->node >= 0 || p->unsched_since < 0 ||
			    p->deleted_ms >= 0 || p->spec->priority < st->o.cutoff)
				continue;
			VEC_PUSH(pods, n, cap, p);
		}
	}
	if (n > 1)
		qsort(pods, n, sizeof(*pods), pod_cmp_id);
	n = ca_filter_schedulable(st, pods, n);
	/* DaemonSet pods, and pods younger than the scale-up delay */
	{
		size_t k = 0;

		for (size_t i = 0; i < n; i++) {
			struct ks_pod *p = pods[i];
			int64_t delay = st->o.new_pod_delay_ms, ad;
			const char *a = ca_pod_annotation(p, "cluster-autoscaler.kubernetes.io/pod-scale-up-delay");

			if (ca_pod_is_daemon(p))
				continue;
			if (a != NULL && ks_duration_parse(a, &ad, NULL, NULL) == 0 && ad > delay)
				delay = ad;
			if (now - p->created_ms < delay)
				continue;
			pods[k++] = p;
		}
		n = k;
	}
	if (n > 0) {
		size_t ready = 0;

		for (size_t i = 0; i < c->nnodes; i++)
			ready += c->nodes[i]->state == NODE_READY;
		/* the node cap is checked before the wait for new pods */
		st->at_node_cap &= st->o.max_nodes_total > 0 && (int)ready >= st->o.max_nodes_total;
		if (st->o.max_nodes_total > 0 && (int)ready >= st->o.max_nodes_total)
			loop_max_total(st, pods, n);	/* scale-down goes on */
		else if (ca_all_pods_new(pods, n, now))
			forbidden = 1;	/* no scale-up, no deletions */
		else
			scaled = ca_scale_up(st, pods, n);
	}
	free(pods);
	productive = scaled;
	/* up to 1.33 RunOnce returned after a successful scale-up; from 1.34
	 * scale-down runs, in the cooldown of scale-down-delay-after-add */
	if (!scaled || st->version >= 34)
		productive |= ca_scale_down(st, forbidden);
	st->in_loop = 0;
	if (st->o.frequent && (productive || st->triggered))
		schedule_loop(st, 0);
	else
		schedule_loop(st, st->o.scan_ms);
	return SIM_NOMORE;
}

/* loop/trigger.go: a pod that just became unschedulable starts a loop (frequent loops). */
static void
ca_pod_unschedulable(struct ks_cluster *c, struct ks_pod *p, void *arg)
{
	struct ca_state *st = arg;

	if (!st->o.frequent || p->unsched_since != c->sim->now_ms)
		return;
	if (st->in_loop) {
		st->triggered = 1;
		return;
	}
	if (st->loop_ev != NULL && st->loop_ev->at_ms > c->sim->now_ms)
		sim_reschedule(c->sim, st->loop_ev, c->sim->now_ms);
}

static void
ca_node_gone(struct ks_cluster *c, struct ks_node *n, void *arg)
{
	struct ca_state *st = arg;
	struct ca_group *g = ca_node_group(st, n);

	(void)c;
	if (g != NULL)
		ca_group_sample(st, g);
}

/* ---- controller ---- */

static void
ca_state_free(struct ca_state *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->ngroups; i++)
		ca_group_free(st->groups[i]);
	free(st->groups);
	for (size_t i = 0; i < st->nprios; i++)
		regfree(&st->prios[i].re);
	free(st->prios);
	ca_jobs_free(st);
	free(st->ni);
	free(st->recs);
	free(st);
}

static int
ca_init(struct ks_run *r, void **state, struct ks_error *err)
{
	struct ca_state *st = xcalloc(1, sizeof(*st));
	struct cluster_hooks h;
	int rc;

	*state = NULL;
	st->r = r;
	st->last_scale_up = st->last_delete = st->last_sd_fail = NEVER;
	rng_seed(&st->rng, r->scn->seed, CA_RNG_STREAM);
	/* the flags, the node groups, then --nodes=min:max:name, which names groups */
	if ((rc = ca_config_load(st, err)) != 0 || (rc = ca_groups_load(st, err)) != 0 ||
	    (rc = ca_config_nodes(st, err)) != 0) {
		ca_state_free(st);
		return rc;
	}
	for (int e = 0; e < st->o.nexp; e++)
		if (st->o.exp[e] == EXP_PRIORITY && (rc = ca_priorities_load(st, err)) != 0) {
			ca_state_free(st);
			return rc;
		}
	if (st->ngroups == 0 && !st->enabled) {
		ca_state_free(st);
		return 0;
	}
	/* the ASGs' instances at t=0 */
	for (size_t i = 0; i < st->ngroups; i++) {
		struct ca_group *g = st->groups[i];

		for (int k = 0; k < g->desired; k++)
			cluster_node_ready(&r->cluster, ca_group_node_new(st, g));
		ca_group_sample(st, g);
	}
	if (st->enabled) {
		memset(&h, 0, sizeof(h));
		h.pod_unschedulable = ca_pod_unschedulable;
		h.node_gone = ca_node_gone;
		h.arg = st;
		cluster_hook(&r->cluster, &h);
		schedule_loop(st, 0);
	}
	*state = st;
	return 0;
}

static void
ca_free(void *state)
{
	ca_state_free(state);
}

static const char *const ca_kinds[] = { "ClusterConfig", NULL };
static const char *const ca_spec_keys[] = { "clusterAutoscaler", "nodeGroups", NULL };

const struct ctl_ops ca_ctl = { .name = "ca", .kinds = ca_kinds, .spec_keys = ca_spec_keys,
	.init = ca_init, .report = ca_report_json, .free = ca_free };
