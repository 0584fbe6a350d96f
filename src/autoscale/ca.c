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
 *    oldest pod left is younger than 2 s (30 s with a GPU);
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
 *    5 s later drained and terminated with the desired capacity decremented.
 *
 * Every pod left Pending gets CA's reason in upstream words ("pod didn't
 * trigger scale-up: 1 Insufficient cpu, 1 Insufficient memory"), every
 * node that stays its reason (NotUnderutilized, NoPlaceToMovePods,
 * BlockedByPod ...).  Scale-up and scale-down are timeline rows.
 *
 * Simplifications: the scheduler filters CA runs on template and
 * destination nodes skip inter-pod terms (sched_fits without a context);
 * the price expander, which upstream only has on GCE, prices nodes from
 * the catalog and pods with the GCE per-cpu and per-GiB prices; a scale-up
 * timeout cancels the instances still starting (1.36) in every version;
 * the legacy (<= 1.27) deletion path, unready nodes, the cluster-health
 * check and the soft-taint rate limits are not modelled, and the placement
 * hints of "filter out schedulable" are replaced by first fit.
 *
 * Costs: a loop is O(pending pods x (nodes + groups)) plus, for scale-down,
 * O(candidates x their pods x nodes).
 */
#include <assert.h>
#include <math.h>
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ctl.h"
#include "cloud/catalog.h"
#include "cluster/sched.h"
#include "io/load.h"
#include "io/report.h"
#include "run/run.h"
#include "sim/rng.h"
#include "util/duration.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define CA_TBD_TAINT	"ToBeDeletedByClusterAutoscaler"
#define CA_SOFT_TAINT	"DeletionCandidateOfClusterAutoscaler"
#define CA_RNG_STREAM	0x4341u		/* "CA": the random expander's stream */
#define CA_NEW_POD_MS	2000		/* unschedulablePodTimeBuffer */
#define CA_NEW_GPU_POD_MS 30000		/* unschedulablePodWithGpuTimeBuffer */
#define CA_TMPL_STABLE_MS 60000		/* stabilizationDelay of a template node */
#define CA_DEFAULT_VERSION 36

enum { EXP_RANDOM, EXP_MOST_PODS, EXP_LEAST_NODES, EXP_LEAST_WASTE, EXP_PRICE,
       EXP_PRIORITY, EXP_N };
static const char *const exp_name[EXP_N] = { "random", "most-pods", "least-nodes",
    "least-waste", "price", "priority" };

/* The flags that change decisions (config/flags/flags.go). */
struct ca_opts {
	int64_t		 scan_ms;		/* scan-interval */
	int		 frequent;		/* frequent-loops-enabled */
	int64_t		 new_pod_delay_ms;	/* new-pod-scale-up-delay */
	int		 exp[EXP_N];		/* expander chain, EXP_* */
	int		 nexp;
	int		 max_nodes_total;	/* 0 = unlimited */
	int64_t		 cores_min, cores_max;	/* cores-total, cores */
	int64_t		 mem_min_gib, mem_max_gib; /* memory-total, GiB */
	int		 max_per_scaleup;	/* max-nodes-per-scaleup */
	int		 balance;		/* balance-similar-node-groups */
	double		 max_free_diff;		/* max-free-difference-ratio */
	double		 max_alloc_diff;	/* max-allocatable-difference-ratio */
	double		 mem_diff;		/* memory-difference-ratio */
	const char	*ignore_labels[16];	/* balancing-ignore-label, interned */
	int		 nignore;
	int64_t		 provision_ms;		/* max-node-provision-time */
	int64_t		 backoff_init_ms;	/* initial-node-group-backoff-duration */
	int64_t		 backoff_max_ms;	/* max-node-group-backoff-duration */
	int64_t		 backoff_reset_ms;	/* node-group-backoff-reset-timeout */
	int		 sd_enabled;		/* scale-down-enabled */
	double		 sd_threshold;		/* scale-down-utilization-threshold */
	double		 sd_gpu_threshold;	/* scale-down-gpu-utilization-threshold */
	int64_t		 sd_unneeded_ms;	/* scale-down-unneeded-time */
	int64_t		 sd_after_add_ms;	/* scale-down-delay-after-add */
	int64_t		 sd_after_delete_ms;	/* scale-down-delay-after-delete */
	int64_t		 sd_after_failure_ms;	/* scale-down-delay-after-failure */
	int64_t		 recheck_ms;		/* unremovable-node-recheck-timeout */
	int		 max_sd_parallel;	/* max-scale-down-parallelism */
	int		 max_drain_parallel;	/* max-drain-parallelism */
	int		 ignore_ds_util;	/* ignore-daemonsets-utilization */
	int		 skip_system;		/* skip-nodes-with-system-pods */
	int		 skip_local;		/* skip-nodes-with-local-storage */
	int		 skip_custom;		/* skip-nodes-with-custom-controller-pods */
	int64_t		 system_block_ms;	/* blocking-system-pod-distruption-timeout, -1 forever */
	int		 min_replicas;		/* min-replica-count */
	int64_t		 taint_delay_ms;	/* node-delete-delay-after-taint */
	int		 cutoff;		/* expendable-pods-priority-cutoff */
	int		 strict_under;		/* util < threshold (<= 1.34) instead of <= */
	int64_t		 asg_ms;		/* AWS: SetDesiredCapacity -> instance (not a flag) */
	int64_t		 boot_ms;		/* AWS: instance -> Node Ready (not a flag) */
};

struct ca_sample {
	int64_t		 at_ms;		/* when */
	int		 desired;	/* ASG desired capacity */
	int		 ready;		/* Ready nodes of the group */
};

struct ca_group {
	const char		*name;		/* ASG / node group name, interned */
	const struct cat_itype	*itype;		/* the template's instance type */
	int			 min, max;	/* ASG sizes */
	int			 desired;	/* ASG desired capacity (CA's target) */
	int			 spot;		/* spot instances */
	const char		*zones[8];	/* availability zones, interned */
	int			 nzones;
	struct ks_labels	 labels;	/* node labels */
	struct ks_taint		*taints;	/* node taints */
	size_t			 ntaints;
	int			 max_pods;	/* kubelet maxPods, 0 = ENI limit */
	const char		*prefix;	/* node name prefix, NULL = EC2 names */
	int64_t			 asg_ms;	/* ASG reaction, ms; -1 = the scenario's */
	int64_t			 boot_ms;	/* boot to Ready, ms; -1 = the scenario's */
	struct cluster_timing	 pull;		/* image pull times on its nodes; pull_ms -1 = the scenario's */
	struct ks_mark		 mark;		/* where it was declared */
	/* state */
	struct ks_node		 tmpl;		/* template node (never in the cluster) */
	int			 tmpl_ok;	/* tmpl is built */
	int			 tmpl_real;	/* tmpl copied from a real node (cached) */
	int64_t			 scaleup_at_ms;	/* last IncreaseSize, -1 none outstanding */
	int64_t			 backoff_until_ms; /* no scale-up before, 0 none */
	int64_t			 backoff_ms;	/* last backoff duration */
	int64_t			 last_fail_ms;	/* last failed scale-up, -1 */
	struct ca_launch	*launches;	/* instances starting (list) */
	int			 nscaleups;	/* scale-ups of this group */
	int			 nscaledowns;	/* nodes it removed */
	struct ca_sample	*samples;
	size_t			 nsamples, samplecap;
};

/* One instance between SetDesiredCapacity and Node Ready. */
struct ca_launch {
	struct ca_state		*st;
	struct ca_group		*g;
	struct ks_node		*node;		/* NULL until the instance exists */
	struct sim_event	*ev;		/* its next step */
	struct ca_launch	*next;
};

/* CA's view of one cluster node, indexed by node id. */
struct ca_nodeinfo {
	int64_t		 unneeded_since;	/* -1 when needed */
	int64_t		 recheck_at;		/* unremovable until, 0 none */
	const char	*why;			/* interned: why it stays */
	double		 util;			/* last utilization */
	int		 deleting;		/* tainted by CA */
	int		 empty;			/* no pods to move at the last check */
};

struct ca_record {
	int64_t		 at_ms;		/* decision time */
	int		 up;		/* 1 scale-up, 0 scale-down */
	const char	*group;		/* interned */
	int		 from, to;	/* desired before and after */
	const char	*expander;	/* deciding expander (scale-up) */
	double		 score;		/* its score, NAN when none */
	int		 options;	/* options it chose from */
	int		 pods;		/* pods helped */
	const char	*node;		/* removed node (scale-down) */
	int		 empty;		/* the node was empty */
};

struct ca_prio {
	int		 prio;		/* priority value */
	regex_t		 re;		/* compiled pattern */
};

struct ca_state {
	struct ks_run		*r;
	struct ca_opts		 o;
	int			 enabled;	/* CA runs (else groups are static) */
	int			 version;	/* minor version, 1.<version> */
	const char		*source;	/* where the config came from (text) */
	struct ca_group		**groups;
	size_t			 ngroups, gcap;
	struct ca_nodeinfo	*ni;
	size_t			 nni;
	struct ks_rng		 rng;		/* random expander */
	struct sim_event	*loop_ev;	/* the next loop */
	int			 in_loop;	/* a loop is running */
	int			 triggered;	/* a pod event arrived during the loop */
	int64_t			 last_scale_up;	/* -inf = INT64_MIN / 2 */
	int64_t			 last_delete;
	int64_t			 last_sd_fail;
	struct ca_prio		*prios;		/* priority expander config */
	size_t			 nprios;
	struct ca_record	*recs;
	size_t			 nrecs, reccap;
	uint64_t		 loops;		/* loops run */
};

#define NEVER	(INT64_MIN / 4)

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

static struct ca_group *
node_group(struct ca_state *st, const struct ks_node *n)
{
	if (n->owner_kind != NODE_OWNER_NODEGROUP || n->owner == NULL)
		return NULL;
	for (size_t i = 0; i < st->ngroups; i++)
		if (st->groups[i] == n->owner)
			return st->groups[i];
	return NULL;
}

static int
group_ready(struct ca_state *st, const struct ca_group *g)
{
	struct ks_cluster *c = &st->r->cluster;
	int k = 0;

	for (size_t i = 0; i < c->nnodes; i++)
		if (c->nodes[i]->owner == g && c->nodes[i]->state == NODE_READY)
			k++;
	return k;
}

static void
group_sample(struct ca_state *st, struct ca_group *g)
{
	struct ca_sample s;

	s.at_ms = st->r->sim.now_ms;
	s.desired = g->desired;
	s.ready = group_ready(st, g);
	if (g->nsamples > 0) {
		struct ca_sample *l = &g->samples[g->nsamples - 1];

		if (l->desired == s.desired && l->ready == s.ready)
			return;
		if (l->at_ms == s.at_ms) {
			*l = s;
			return;
		}
	}
	VEC_PUSH(g->samples, g->nsamples, g->samplecap, s);
}

static int
pod_is_daemon(const struct ks_pod *p)
{
	return p->spec->is_daemon || (p->owner != NULL && p->owner->kind == WL_DAEMONSET);
}

static const char *
pod_annotation(const struct ks_pod *p, const char *key)
{
	return labels_get(&p->spec->annotations, key);
}

static void
add_record(struct ca_state *st, const struct ca_record *rec)
{
	VEC_PUSH(st->recs, st->nrecs, st->reccap, *rec);
}

/* ---- configuration: flags ---- */

enum flag_type { FT_BOOL, FT_INT, FT_DUR, FT_FLOAT, FT_EXPANDER, FT_RANGE, FT_LABEL,
		 FT_NODES, FT_ESTIMATOR, FT_PROVIDER, FT_NOEFFECT };

struct flag_def {
	const char	*name;		/* flag name without dashes */
	enum flag_type	 type;
	size_t		 off;		/* offset in struct ca_opts (or of the first of a pair) */
	size_t		 off2;		/* FT_RANGE: the max */
};

#define O(f)	offsetof(struct ca_opts, f)
static const struct flag_def flags[] = {
	{ "scan-interval", FT_DUR, O(scan_ms), 0 },
	{ "frequent-loops-enabled", FT_BOOL, O(frequent), 0 },
	{ "new-pod-scale-up-delay", FT_DUR, O(new_pod_delay_ms), 0 },
	{ "expander", FT_EXPANDER, 0, 0 },
	{ "estimator", FT_ESTIMATOR, 0, 0 },
	{ "max-nodes-total", FT_INT, O(max_nodes_total), 0 },
	{ "cores-total", FT_RANGE, O(cores_min), O(cores_max) },
	{ "memory-total", FT_RANGE, O(mem_min_gib), O(mem_max_gib) },
	{ "max-nodes-per-scaleup", FT_INT, O(max_per_scaleup), 0 },
	{ "balance-similar-node-groups", FT_BOOL, O(balance), 0 },
	{ "balancing-ignore-label", FT_LABEL, 0, 0 },
	{ "max-free-difference-ratio", FT_FLOAT, O(max_free_diff), 0 },
	{ "max-allocatable-difference-ratio", FT_FLOAT, O(max_alloc_diff), 0 },
	{ "memory-difference-ratio", FT_FLOAT, O(mem_diff), 0 },
	{ "max-node-provision-time", FT_DUR, O(provision_ms), 0 },
	{ "initial-node-group-backoff-duration", FT_DUR, O(backoff_init_ms), 0 },
	{ "max-node-group-backoff-duration", FT_DUR, O(backoff_max_ms), 0 },
	{ "node-group-backoff-reset-timeout", FT_DUR, O(backoff_reset_ms), 0 },
	{ "scale-down-enabled", FT_BOOL, O(sd_enabled), 0 },
	{ "scale-down-utilization-threshold", FT_FLOAT, O(sd_threshold), 0 },
	{ "scale-down-gpu-utilization-threshold", FT_FLOAT, O(sd_gpu_threshold), 0 },
	{ "scale-down-unneeded-time", FT_DUR, O(sd_unneeded_ms), 0 },
	{ "scale-down-delay-after-add", FT_DUR, O(sd_after_add_ms), 0 },
	{ "scale-down-delay-after-delete", FT_DUR, O(sd_after_delete_ms), 0 },
	{ "scale-down-delay-after-failure", FT_DUR, O(sd_after_failure_ms), 0 },
	{ "unremovable-node-recheck-timeout", FT_DUR, O(recheck_ms), 0 },
	{ "max-scale-down-parallelism", FT_INT, O(max_sd_parallel), 0 },
	{ "max-drain-parallelism", FT_INT, O(max_drain_parallel), 0 },
	{ "ignore-daemonsets-utilization", FT_BOOL, O(ignore_ds_util), 0 },
	{ "skip-nodes-with-system-pods", FT_BOOL, O(skip_system), 0 },
	{ "skip-nodes-with-local-storage", FT_BOOL, O(skip_local), 0 },
	{ "skip-nodes-with-custom-controller-pods", FT_BOOL, O(skip_custom), 0 },
	{ "blocking-system-pod-distruption-timeout", FT_DUR, O(system_block_ms), 0 },
	{ "min-replica-count", FT_INT, O(min_replicas), 0 },
	{ "node-delete-delay-after-taint", FT_DUR, O(taint_delay_ms), 0 },
	{ "expendable-pods-priority-cutoff", FT_INT, O(cutoff), 0 },
	{ "nodes", FT_NODES, 0, 0 },
	{ "cloud-provider", FT_PROVIDER, 0, 0 },
	/* accepted; they do not change a decision ksim models */
	{ "v", FT_NOEFFECT, 0, 0 }, { "stderrthreshold", FT_NOEFFECT, 0, 0 },
	{ "logtostderr", FT_NOEFFECT, 0, 0 }, { "node-group-auto-discovery", FT_NOEFFECT, 0, 0 },
	{ "aws-use-static-instance-list", FT_NOEFFECT, 0, 0 }, { "kubeconfig", FT_NOEFFECT, 0, 0 },
	{ "namespace", FT_NOEFFECT, 0, 0 }, { "address", FT_NOEFFECT, 0, 0 },
	{ "leader-elect", FT_NOEFFECT, 0, 0 }, { "write-status-configmap", FT_NOEFFECT, 0, 0 },
	{ "status-config-map-name", FT_NOEFFECT, 0, 0 }, { "cluster-name", FT_NOEFFECT, 0, 0 },
	{ "profiling", FT_NOEFFECT, 0, 0 }, { "max-node-startup-time", FT_NOEFFECT, 0, 0 },
	{ "scale-down-unready-time", FT_NOEFFECT, 0, 0 },
	{ "scale-down-unready-enabled", FT_NOEFFECT, 0, 0 },
	{ "max-graceful-termination-sec", FT_NOEFFECT, 0, 0 },
	{ "max-pod-eviction-time", FT_NOEFFECT, 0, 0 },
	{ "max-empty-bulk-delete", FT_NOEFFECT, 0, 0 },
	{ "ignore-mirror-pods-utilization", FT_NOEFFECT, 0, 0 },
	{ "scale-down-simulation-timeout", FT_NOEFFECT, 0, 0 },
	{ "max-binpacking-time", FT_NOEFFECT, 0, 0 },
	{ "max-nodegroup-binpacking-duration", FT_NOEFFECT, 0, 0 },
	{ "max-total-unready-percentage", FT_NOEFFECT, 0, 0 },
	{ "ok-total-unready-count", FT_NOEFFECT, 0, 0 },
	{ "regional", FT_NOEFFECT, 0, 0 }, { "feature-gates", FT_NOEFFECT, 0, 0 },
	{ "enforce-node-group-min-size", FT_NOEFFECT, 0, 0 },
	{ "daemonset-eviction-for-occupied-nodes", FT_NOEFFECT, 0, 0 },
	{ "daemonset-eviction-for-empty-nodes", FT_NOEFFECT, 0, 0 },
	{ "cordon-node-before-terminating", FT_NOEFFECT, 0, 0 },
	{ NULL, FT_NOEFFECT, 0, 0 }
};
#undef O

static void
opts_defaults(struct ca_opts *o, int version)
{
	memset(o, 0, sizeof(*o));
	o->scan_ms = 10000;
	o->frequent = version >= 35;
	o->exp[0] = version >= 33 ? EXP_LEAST_WASTE : EXP_RANDOM;
	o->nexp = 1;
	o->cores_max = 320000;
	o->mem_max_gib = 6400000;
	o->max_per_scaleup = 1000;
	o->max_free_diff = 0.05;
	o->max_alloc_diff = 0.05;
	o->mem_diff = 0.015;
	o->provision_ms = 15 * 60000;
	o->backoff_init_ms = 5 * 60000;
	o->backoff_max_ms = 30 * 60000;
	o->backoff_reset_ms = 3 * 3600000;
	o->sd_enabled = 1;
	o->sd_threshold = 0.5;
	o->sd_gpu_threshold = 0.5;
	o->sd_unneeded_ms = 10 * 60000;
	o->sd_after_add_ms = 10 * 60000;
	o->sd_after_failure_ms = 3 * 60000;
	o->recheck_ms = 5 * 60000;
	o->max_sd_parallel = 10;
	o->max_drain_parallel = 1;
	o->skip_system = 1;
	o->skip_local = 1;
	o->skip_custom = 1;
	o->system_block_ms = version >= 33 ? 3600000 : -1;
	o->taint_delay_ms = 5000;
	o->cutoff = -10;
	o->strict_under = version < 35;
	o->asg_ms = 10000;
	o->boot_ms = 70000;
}

/* "scale-down-unneeded-time" -> "scaleDownUnneededTime" */
static void
camel(const char *flag, char *buf, size_t n)
{
	size_t k = 0;
	int up = 0;

	for (; *flag && k + 1 < n; flag++) {
		if (*flag == '-') {
			up = 1;
			continue;
		}
		buf[k++] = up && *flag >= 'a' && *flag <= 'z' ? (char)(*flag - 'a' + 'A') : *flag;
		up = 0;
	}
	buf[k] = '\0';
}

static const struct flag_def *
flag_find(const char *name, int camel_case)
{
	char buf[128];

	for (size_t i = 0; flags[i].name != NULL; i++) {
		if (camel_case) {
			camel(flags[i].name, buf, sizeof(buf));
			if (strcmp(buf, name) == 0)
				return &flags[i];
		} else if (strcmp(flags[i].name, name) == 0) {
			return &flags[i];
		}
	}
	return NULL;
}

static int
parse_bool(const char *v, int *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "t") == 0 ||
	    strcmp(v, "True") == 0 || strcmp(v, "TRUE") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "f") == 0 ||
	    strcmp(v, "False") == 0 || strcmp(v, "FALSE") == 0) {
		*out = 0;
		return 0;
	}
	return -1;
}

static int
parse_int(const char *v, int64_t *out)
{
	char *end;

	if (*v == '\0')
		return -1;
	*out = strtoll(v, &end, 10);
	return *end == '\0' ? 0 : -1;
}

static int
group_set_minmax(struct ca_state *st, const char *spec, const struct ks_mark *at,
    struct ks_error *err)
{
	/* --nodes=min:max:asg-name */
	char buf[256], *c1, *c2;
	int64_t mn, mx;

	snprintf(buf, sizeof(buf), "%s", spec);
	c1 = strchr(buf, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c1 == NULL || c2 == NULL)
		return ks_error_set(err, at, KS_EINVAL,
		    "expected --nodes=min:max:name, found \"%s\"", spec);
	*c1 = *c2 = '\0';
	if (parse_int(buf, &mn) != 0 || parse_int(c1 + 1, &mx) != 0 || mn < 0 || mx < mn)
		return ks_error_set(err, at, KS_EINVAL,
		    "expected --nodes=min:max:name with 0 <= min <= max, found \"%s\"", spec);
	for (size_t i = 0; i < st->ngroups; i++) {
		struct ca_group *g = st->groups[i];

		if (strcmp(g->name, c2 + 1) != 0)
			continue;
		g->min = (int)mn;
		g->max = (int)mx;
		if (g->desired < g->min)
			g->desired = g->min;
		if (g->desired > g->max)
			g->desired = g->max;
		return 0;
	}
	ks_warn(at, "--nodes names node group \"%s\", which no ClusterConfig or spec.nodeGroups "
	    "declares; ignored", c2 + 1);
	return 0;
}

static int
set_expander(struct ca_opts *o, const char *v, const struct ks_mark *at, struct ks_error *err)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", v);
	o->nexp = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		int k;

		for (k = 0; k < EXP_N; k++)
			if (strcmp(tok, exp_name[k]) == 0)
				break;
		if (k == EXP_N)
			return ks_error_set(err, at, KS_EINVAL,
			    "unknown expander \"%s\": expected random, most-pods, least-nodes, "
			    "least-waste, price or priority", tok);
		if (o->nexp >= EXP_N)
			return ks_error_set(err, at, KS_EINVAL, "too many expanders in \"%s\"", v);
		o->exp[o->nexp++] = k;
	}
	if (o->nexp == 0)
		return ks_error_set(err, at, KS_EINVAL, "expected an expander name, found \"\"");
	return 0;
}

/* Apply one flag; groups must exist for --nodes (applied in a second pass). */
static int
flag_apply(struct ca_state *st, const struct flag_def *f, const char *v, int has_value,
    const struct ks_mark *at, int nodes_pass, struct ks_error *err)
{
	struct ca_opts *o = &st->o;
	char *base = (char *)o;
	int64_t x;
	double d;
	char *end;
	int b;

	if ((f->type == FT_NODES) != nodes_pass)
		return 0;
	if (!has_value && f->type != FT_BOOL && f->type != FT_NOEFFECT)
		return ks_error_set(err, at, KS_EINVAL, "flag --%s needs a value (--%s=...)",
		    f->name, f->name);
	switch (f->type) {
	case FT_BOOL:
		if (!has_value)
			b = 1;
		else if (parse_bool(v, &b) != 0)
			return ks_error_set(err, at, KS_EINVAL,
			    "expected true or false for --%s, found \"%s\"", f->name, v);
		*(int *)(base + f->off) = b;
		break;
	case FT_INT:
		if (parse_int(v, &x) != 0 || x < INT32_MIN || x > INT32_MAX)
			return ks_error_set(err, at, KS_EINVAL,
			    "expected an integer for --%s, found \"%s\"", f->name, v);
		*(int *)(base + f->off) = (int)x;
		break;
	case FT_DUR:
		if (ks_duration_parse(v, &x, err, at) != 0)
			return KS_EINVAL;
		*(int64_t *)(base + f->off) = x;
		break;
	case FT_FLOAT:
		d = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || d < 0)
			return ks_error_set(err, at, KS_EINVAL,
			    "expected a non-negative number for --%s, found \"%s\"", f->name, v);
		*(double *)(base + f->off) = d;
		break;
	case FT_RANGE: {
		char buf[128], *colon;
		int64_t lo, hi;

		snprintf(buf, sizeof(buf), "%s", v);
		colon = strchr(buf, ':');
		if (colon == NULL)
			return ks_error_set(err, at, KS_EINVAL,
			    "expected min:max for --%s, found \"%s\"", f->name, v);
		*colon = '\0';
		if (parse_int(buf, &lo) != 0 || parse_int(colon + 1, &hi) != 0 || lo < 0 || hi < lo)
			return ks_error_set(err, at, KS_EINVAL,
			    "expected min:max with 0 <= min <= max for --%s, found \"%s\"", f->name, v);
		*(int64_t *)(base + f->off) = lo;
		*(int64_t *)(base + f->off2) = hi;
		break;
	}
	case FT_LABEL:
		if (o->nignore < 16)
			o->ignore_labels[o->nignore++] = intern(v);
		break;
	case FT_EXPANDER:
		return set_expander(o, v, at, err);
	case FT_ESTIMATOR:
		if (strcmp(v, "binpacking") != 0)
			return ks_error_set(err, at, KS_EINVAL,
			    "unknown estimator \"%s\": expected binpacking", v);
		break;
	case FT_PROVIDER:
		if (strcmp(v, "aws") != 0)
			ks_warn(at, "cloud provider \"%s\": ksim models AWS Auto Scaling groups", v);
		break;
	case FT_NODES:
		return group_set_minmax(st, v, at, err);
	case FT_NOEFFECT:
		break;
	}
	return 0;
}

/* One command-line item "--name=value" / "--name"; items that are not flags are skipped. */
static int
flag_item(struct ca_state *st, const struct yt_node *item, int nodes_pass, struct ks_error *err)
{
	const char *s, *eq;
	char name[128];
	const struct flag_def *f;

	if (item->kind != YT_SCALAR || item->str == NULL)
		return ks_error_set(err, &item->mark, KS_EINVAL,
		    "expected a command-line string, found %s", yt_kind_name(item));
	s = item->str;
	if (s[0] != '-')
		return 0;	/* ./cluster-autoscaler */
	while (*s == '-')
		s++;
	eq = strchr(s, '=');
	snprintf(name, sizeof(name), "%.*s", (int)(eq ? (size_t)(eq - s) : strlen(s)), s);
	f = flag_find(name, 0);
	if (f == NULL) {
		if (!nodes_pass)
			ks_warn(&item->mark, "unknown cluster-autoscaler flag --%s ignored", name);
		return 0;
	}
	return flag_apply(st, f, eq ? eq + 1 : "", eq != NULL, &item->mark, nodes_pass, err);
}

/* The cluster-autoscaler container of a Deployment, or NULL. */
static const struct yt_node *
ca_container(const struct ks_doc *d)
{
	const struct yt_node *t, *cs;

	if (strcmp(d->kind, "Deployment") != 0)
		return NULL;
	t = yt_map_get(yt_map_get(yt_map_get(d->root, "spec"), "template"), "spec");
	cs = yt_map_get(t, "containers");
	if (cs == NULL || cs->kind != YT_SEQ)
		return NULL;
	for (size_t i = 0; i < cs->nitems; i++) {
		const struct yt_node *n = yt_map_get(cs->items[i], "name");
		const struct yt_node *im = yt_map_get(cs->items[i], "image");

		if ((n != NULL && n->str != NULL && strcmp(n->str, "cluster-autoscaler") == 0) ||
		    (im != NULL && im->str != NULL && strstr(im->str, "/cluster-autoscaler:") != NULL))
			return cs->items[i];
	}
	return NULL;
}

/* "registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.1" -> 32 */
static int
image_minor(const char *image)
{
	const char *tag = image ? strrchr(image, ':') : NULL;
	int major, minor;

	if (tag == NULL)
		return -1;
	tag++;
	if (*tag == 'v')
		tag++;
	if (sscanf(tag, "%d.%d", &major, &minor) != 2 || major != 1)
		return -1;
	return minor;
}

static const char *const spec_ca_keys_extra[] = { "version", "enabled", "asgReaction",
	"nodeStartup", NULL };

static int
spec_ca_check(const struct yt_node *b, struct ks_error *err)
{
	if (yt_expect_map(b, err) != 0)
		return KS_EINVAL;
	for (size_t i = 0; i < b->npairs; i++) {
		const struct yt_node *k = b->pairs[i].key;
		int ok = 0;

		if (k->str == NULL)
			return ks_error_set(err, &k->mark, KS_EINVAL, "expected a key, found %s",
			    yt_kind_name(k));
		for (size_t j = 0; spec_ca_keys_extra[j] != NULL; j++)
			ok |= strcmp(k->str, spec_ca_keys_extra[j]) == 0;
		if (!ok) {
			const struct flag_def *f = flag_find(k->str, 1);

			ok = f != NULL && f->type != FT_NOEFFECT && f->type != FT_NODES &&
			    f->type != FT_PROVIDER;
		}
		if (!ok)
			return ks_error_set(err, &k->mark, KS_EINVAL,
			    "unknown field \"%s\" in spec.clusterAutoscaler: expected version, enabled, "
			    "asgReaction, nodeStartup or a cluster-autoscaler flag in camelCase "
			    "(scanInterval, expander, scaleDownUnneededTime, ...)", k->str);
	}
	return 0;
}

static int
load_config(struct ca_state *st, struct ks_error *err)
{
	struct ks_scenario *s = st->r->scn;
	const struct yt_node *cmd = NULL, *args = NULL, *block = NULL, *v;
	const struct ks_doc *dep = NULL;
	int version = CA_DEFAULT_VERSION, has_block;

	for (size_t i = 0; i < s->ndocs && dep == NULL; i++) {
		const struct yt_node *ctr = ca_container(s->docs[i]);

		if (ctr == NULL)
			continue;
		dep = s->docs[i];
		cmd = yt_map_get(ctr, "command");
		args = yt_map_get(ctr, "args");
		v = yt_map_get(ctr, "image");
		if (v != NULL && v->str != NULL && image_minor(v->str) > 0)
			version = image_minor(v->str);
	}
	if (s->spec != NULL)
		block = yt_map_get(s->spec, "clusterAutoscaler");
	has_block = block != NULL;	/* an empty block means the defaults */
	if (block != NULL && yt_is_null(block))
		block = NULL;
	if (block != NULL) {
		if (spec_ca_check(block, err) != 0)
			return KS_EINVAL;
		if ((v = yt_map_get(block, "version")) != NULL) {
			const char *str;
			char tmp[64];

			if (yt_get_str(v, &str, err) != 0)
				return KS_EINVAL;
			snprintf(tmp, sizeof(tmp), "x:%s", str);
			version = image_minor(tmp);
			if (version < 20 || version > 40)
				return ks_error_set(err, &v->mark, KS_EINVAL,
				    "expected a cluster-autoscaler version 1.20 to 1.40 such as \"1.32\", "
				    "found \"%s\"", str);
		}
	}
	st->version = version;
	opts_defaults(&st->o, version);
	st->enabled = dep != NULL || has_block;
	if (dep != NULL) {
		static char src[300];

		snprintf(src, sizeof(src), "Deployment %s/%s", dep->ns, dep->name);
		st->source = intern(src);
	} else {
		st->source = intern(has_block ? "spec.clusterAutoscaler" : "defaults");
	}
	{
		const struct yt_node *lists[2] = { cmd, args };

		for (int l = 0; l < 2; l++) {
			if (lists[l] == NULL || yt_is_null(lists[l]))
				continue;
			if (yt_expect_seq(lists[l], err) != 0)
				return KS_EINVAL;
			for (size_t i = 0; i < lists[l]->nitems; i++)
				if (flag_item(st, lists[l]->items[i], 0, err) != 0)
					return KS_EINVAL;
		}
	}
	if (block != NULL) {
		for (size_t i = 0; i < block->npairs; i++) {
			const struct yt_node *k = block->pairs[i].key, *val = block->pairs[i].value;
			const struct flag_def *f;
			const char *str;

			if (strcmp(k->str, "version") == 0)
				continue;
			if (strcmp(k->str, "enabled") == 0) {
				if (yt_get_bool(val, &st->enabled, err) != 0)
					return KS_EINVAL;
				continue;
			}
			if (strcmp(k->str, "asgReaction") == 0 || strcmp(k->str, "nodeStartup") == 0) {
				int64_t ms;

				if (yt_get_duration(val, &ms, err) != 0)
					return KS_EINVAL;
				if (ms < 0)
					return ks_error_set(err, &val->mark, KS_EINVAL,
					    "expected a non-negative duration, found \"%s\"", val->str);
				if (k->str[0] == 'a')
					st->o.asg_ms = ms;
				else
					st->o.boot_ms = ms;
				continue;
			}
			f = flag_find(k->str, 1);
			assert(f != NULL);
			if (yt_get_str(val, &str, err) != 0)
				return KS_EINVAL;
			if (flag_apply(st, f, str, 1, &val->mark, 0, err) != 0)
				return KS_EINVAL;
		}
	}
	return 0;
}

/* ---- node groups ---- */

static const char *const ng_keys[] = { "name", "instanceType", "instanceTypes", "minSize",
	"maxSize", "desiredCapacity", "labels", "taints", "capacityType", "availabilityZones",
	"maxPods", "namePrefix", "asgReaction", "nodeStartup", "imagePull", "images", NULL };

static int
get_int_field(const struct yt_node *m, const char *key, int *out, struct ks_error *err)
{
	const struct yt_node *v = yt_map_get(m, key);
	int64_t x;

	if (v == NULL || yt_is_null(v))
		return 0;
	if (yt_get_int64(v, &x, err) != 0)
		return KS_EINVAL;
	if (x < 0 || x > 100000)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "%s must be between 0 and 100000, found %lld", key, (long long)x);
	*out = (int)x;
	return 1;
}

static void
group_free(struct ca_group *g)
{
	struct ca_launch *l, *nx;

	if (g == NULL)
		return;
	labels_free(&g->labels);
	free(g->taints);
	free(g->pull.img_names);
	free(g->pull.img_ms);
	if (g->tmpl_ok) {
		labels_free(&g->tmpl.labels);
		free(g->tmpl.taints);
	}
	for (l = g->launches; l != NULL; l = nx) {
		nx = l->next;
		free(l);
	}
	free(g->samples);
	free(g);
}

/* eksctl taints: a list of {key, value, effect} or a map key: "value:Effect". */
static int
load_group_taints(const struct yt_node *t, struct ca_group *g, struct ks_error *err)
{
	if (t == NULL || yt_is_null(t))
		return 0;
	if (t->kind != YT_MAP)
		return load_taints(t, &g->taints, &g->ntaints, err);
	for (size_t i = 0; i < t->npairs; i++) {
		const char *k, *v, *colon;
		struct ks_taint tt;
		char val[256];

		if (yt_get_str(t->pairs[i].key, &k, err) != 0 ||
		    yt_get_str(t->pairs[i].value, &v, err) != 0)
			return KS_EINVAL;
		colon = strrchr(v, ':');
		if (colon == NULL || taint_effect_parse(colon + 1, &tt.effect) != 0)
			return ks_error_set(err, &t->pairs[i].value->mark, KS_EINVAL,
			    "expected \"value:Effect\" (NoSchedule, PreferNoSchedule or NoExecute), "
			    "found \"%s\"", v);
		snprintf(val, sizeof(val), "%.*s", (int)(colon - v), v);
		tt.key = intern(k);
		tt.val = intern(val);
		g->taints = xreallocarray(g->taints, g->ntaints + 1, sizeof(*g->taints));
		g->taints[g->ntaints++] = tt;
	}
	return 0;
}

static int
load_group(struct ca_state *st, const struct yt_node *e, int eksctl, int managed,
    const char *cluster, struct ks_error *err)
{
	struct ks_run *r = st->r;
	struct ca_group *g = xcalloc(1, sizeof(*g));
	const struct yt_node *v;
	const char *str;
	int has_min, has_max, has_des, rc;

	g->mark = e->mark;
	g->asg_ms = g->boot_ms = -1;
	g->scaleup_at_ms = -1;
	g->last_fail_ms = -1;
	if (yt_expect_map(e, err) != 0)
		goto fail;
	if (!eksctl && load_strict(e, ng_keys, "spec.nodeGroups[]", err) != 0)
		goto fail;
	if ((v = yt_map_get(e, "name")) == NULL) {
		ks_error_set(err, &e->mark, KS_EINVAL, "expected a name in the node group, found none");
		goto fail;
	}
	if (yt_get_str(v, &str, err) != 0)
		goto fail;
	g->name = intern(str);
	for (size_t i = 0; i < st->ngroups; i++)
		if (st->groups[i]->name == g->name) {
			ks_error_set(err, &v->mark, KS_EINVAL, "duplicate node group \"%s\" (first at %s:%d)",
			    str, st->groups[i]->mark.file, st->groups[i]->mark.line);
			goto fail;
		}
	str = eksctl ? "m5.large" : NULL;	/* eksctl's default instance type */
	v = yt_map_get(e, "instanceType");
	if (v == NULL || yt_is_null(v)) {
		const struct yt_node *l = yt_map_get(e, "instanceTypes");

		/* mixed instances: the first override is the template (A.8) */
		v = l != NULL && l->kind == YT_SEQ && l->nitems > 0 ? l->items[0] : NULL;
		if (l != NULL && !yt_is_null(l) && yt_expect_seq(l, err) != 0)
			goto fail;
	}
	if (v != NULL && yt_get_str(v, &str, err) != 0)
		goto fail;
	if (str == NULL) {
		ks_error_set(err, &e->mark, KS_EINVAL,
		    "expected instanceType or instanceTypes in node group \"%s\", found none", g->name);
		goto fail;
	}
	g->itype = catalog_find(r->cat, str);
	if (g->itype == NULL) {
		ks_error_set(err, v ? &v->mark : &e->mark, KS_EINVAL,
		    "unknown instance type \"%s\": not in the catalog", str);
		goto fail;
	}
	g->desired = -1;
	if ((has_des = get_int_field(e, "desiredCapacity", &g->desired, err)) < 0 ||
	    (has_min = get_int_field(e, "minSize", &g->min, err)) < 0 ||
	    (has_max = get_int_field(e, "maxSize", &g->max, err)) < 0)
		goto fail;
	/* eksctl's defaults: desired 2 (or minSize), min and max = desired */
	if (!has_des) {
		g->desired = has_min ? g->min : eksctl ? 2 : 1;
		if (has_max && g->desired > g->max)
			g->desired = g->max;
	}
	if (!has_min)
		g->min = g->desired;
	if (!has_max)
		g->max = g->desired > g->min ? g->desired : g->min;
	if (g->min > g->max) {
		v = yt_map_get(e, "minSize");
		ks_error_set(err, v ? &v->mark : &e->mark, KS_EINVAL,
		    "node group \"%s\": minSize %d is greater than maxSize %d", g->name, g->min, g->max);
		goto fail;
	}
	if (g->desired < g->min || g->desired > g->max) {
		v = yt_map_get(e, "desiredCapacity");
		ks_error_set(err, v ? &v->mark : &e->mark, KS_EINVAL,
		    "node group \"%s\": desiredCapacity %d is outside minSize %d .. maxSize %d",
		    g->name, g->desired, g->min, g->max);
		goto fail;
	}
	if ((v = yt_map_get(e, "spot")) != NULL && !yt_is_null(v) && yt_get_bool(v, &g->spot, err) != 0)
		goto fail;
	if ((v = yt_map_get(e, "capacityType")) != NULL) {
		if (yt_get_str(v, &str, err) != 0)
			goto fail;
		if (strcmp(str, "spot") != 0 && strcmp(str, "on-demand") != 0 &&
		    strcmp(str, "SPOT") != 0 && strcmp(str, "ON_DEMAND") != 0) {
			ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected capacityType spot or on-demand, found \"%s\"", str);
			goto fail;
		}
		g->spot = strcmp(str, "spot") == 0 || strcmp(str, "SPOT") == 0;
	}
	if ((v = yt_map_get(e, "availabilityZones")) != NULL && !yt_is_null(v)) {
		if (yt_expect_seq(v, err) != 0)
			goto fail;
		for (size_t i = 0; i < v->nitems && g->nzones < 8; i++) {
			if (yt_get_str(v->items[i], &str, err) != 0)
				goto fail;
			g->zones[g->nzones++] = intern(str);
		}
	}
	if (g->nzones == 0)
		g->zones[g->nzones++] = run_zone(r, 0);
	if (load_labels(yt_map_get(e, "labels"), &g->labels, err) != 0 ||
	    load_group_taints(yt_map_get(e, "taints"), g, err) != 0)
		goto fail;
	if ((rc = get_int_field(e, eksctl ? "maxPodsPerNode" : "maxPods", &g->max_pods, err)) < 0)
		goto fail;
	if ((v = yt_map_get(e, "namePrefix")) != NULL) {
		if (yt_get_str(v, &str, err) != 0)
			goto fail;
		g->prefix = intern(str);
	}
	if ((v = yt_map_get(e, "asgReaction")) != NULL &&
	    (yt_get_duration(v, &g->asg_ms, err) != 0))
		goto fail;
	if ((v = yt_map_get(e, "nodeStartup")) != NULL &&
	    (yt_get_duration(v, &g->boot_ms, err) != 0))
		goto fail;
	/* image pull times on this group's nodes (a pre-baked AMI) */
	g->pull.pull_ms = -1;
	if ((v = yt_map_get(e, "imagePull")) != NULL &&
	    (yt_get_duration(v, &g->pull.pull_ms, err) != 0))
		goto fail;
	if (load_images(yt_map_get(e, "images"), &g->pull, err) != 0)
		goto fail;
	if (eksctl) {
		labels_set(&g->labels, "alpha.eksctl.io/nodegroup-name", g->name);
		if (cluster != NULL)
			labels_set(&g->labels, "alpha.eksctl.io/cluster-name", cluster);
		if (managed)
			labels_set(&g->labels, "eks.amazonaws.com/nodegroup", g->name);
	}
	VEC_PUSH(st->groups, st->ngroups, st->gcap, g);
	return 0;
fail:
	group_free(g);
	return KS_EINVAL;
}

static int
load_groups(struct ca_state *st, struct ks_error *err)
{
	struct ks_scenario *s = st->r->scn;
	const struct yt_node *l;

	for (size_t i = 0; i < s->ndocs; i++) {
		const struct ks_doc *d = s->docs[i];
		static const char *const keys[2] = { "managedNodeGroups", "nodeGroups" };

		if (strcmp(d->kind, "ClusterConfig") != 0 ||
		    strncmp(d->api_version, "eksctl.io/", 10) != 0)
			continue;
		for (int k = 0; k < 2; k++) {
			l = yt_map_get(d->root, keys[k]);
			if (l == NULL || yt_is_null(l))
				continue;
			if (yt_expect_seq(l, err) != 0)
				return KS_EINVAL;
			for (size_t j = 0; j < l->nitems; j++)
				if (load_group(st, l->items[j], 1, k == 0, d->name, err) != 0)
					return KS_EINVAL;
		}
	}
	if (s->spec != NULL && (l = yt_map_get(s->spec, "nodeGroups")) != NULL && !yt_is_null(l)) {
		if (yt_expect_seq(l, err) != 0)
			return KS_EINVAL;
		for (size_t j = 0; j < l->nitems; j++)
			if (load_group(st, l->items[j], 0, 0, NULL, err) != 0)
				return KS_EINVAL;
	}
	return 0;
}

/* The priority expander's ConfigMap (expander/priority/priority.go). */
static int
load_priorities(struct ca_state *st, struct ks_error *err)
{
	struct ks_scenario *s = st->r->scn;
	struct yt_stream *ys = NULL;
	const struct yt_node *pr, *root;

	for (size_t i = 0; i < s->ndocs; i++) {
		const struct ks_doc *d = s->docs[i];

		if (strcmp(d->kind, "ConfigMap") != 0 ||
		    strcmp(d->name, "cluster-autoscaler-priority-expander") != 0)
			continue;
		pr = yt_map_get(yt_map_get(d->root, "data"), "priorities");
		if (pr == NULL || pr->str == NULL) {
			ks_warn(&d->mark, "ConfigMap %s has no data.priorities; the priority expander "
			    "passes every option", d->name);
			return 0;
		}
		if (yt_load_buffer(pr->mark.file, pr->str, pr->len, &ys, err) != 0) {
			/* marks inside a block scalar: point at the scalar */
			err->at = pr->mark;
			return KS_EINVAL;
		}
		root = ys->ndocs > 0 ? ys->docs[0].root : NULL;
		if (root == NULL || root->kind != YT_MAP) {
			yt_stream_free(ys);
			return ks_error_set(err, &pr->mark, KS_EINVAL,
			    "expected priorities as a map of integer -> list of regexps");
		}
		for (size_t k = 0; k < root->npairs; k++) {
			const struct yt_node *key = root->pairs[k].key, *list = root->pairs[k].value;
			int64_t p;

			if (key->str == NULL || parse_int(key->str, &p) != 0 || list->kind != YT_SEQ) {
				yt_stream_free(ys);
				return ks_error_set(err, &pr->mark, KS_EINVAL,
				    "expected priorities as a map of integer -> list of regexps");
			}
			for (size_t j = 0; j < list->nitems; j++) {
				struct ca_prio cp;

				if (list->items[j]->str == NULL ||
				    regcomp(&cp.re, list->items[j]->str, REG_EXTENDED | REG_NOSUB) != 0) {
					yt_stream_free(ys);
					return ks_error_set(err, &pr->mark, KS_EINVAL,
					    "bad regular expression in priorities for %lld", (long long)p);
				}
				cp.prio = (int)p;
				st->prios = xreallocarray(st->prios, st->nprios + 1, sizeof(*st->prios));
				st->prios[st->nprios++] = cp;
			}
		}
		yt_stream_free(ys);
		return 0;
	}
	return 0;
}

/* ---- templates (A.4) ---- */

static int
ca_taint(const struct ks_taint *t)
{
	return strcmp(t->key, CA_TBD_TAINT) == 0 || strcmp(t->key, CA_SOFT_TAINT) == 0 ||
	    strncmp(t->key, "node.kubernetes.io/", 19) == 0 ||
	    strncmp(t->key, "startup-taint.cluster-autoscaler.kubernetes.io/", 47) == 0 ||
	    strncmp(t->key, "ignore-taint.cluster-autoscaler.kubernetes.io/", 46) == 0;
}

static void
tmpl_reset(struct ca_group *g)
{
	if (g->tmpl_ok) {
		labels_free(&g->tmpl.labels);
		free(g->tmpl.taints);
	}
	memset(&g->tmpl, 0, sizeof(g->tmpl));
	g->tmpl_ok = 0;
	g->tmpl_real = 0;
}

static void
tmpl_base(struct ca_group *g)
{
	char name[300];

	snprintf(name, sizeof(name), "template-node-for-%s", g->name);
	g->tmpl.id = UINT32_MAX;
	g->tmpl.name = intern(name);
	g->tmpl.itype = g->itype;
	g->tmpl.zone = g->zones[0];
	g->tmpl.spot = g->spot;
	g->tmpl.state = NODE_READY;
	g->tmpl.owner_kind = NODE_OWNER_NODEGROUP;
	g->tmpl.owner = g;
	g->tmpl.group = g->name;
	g->tmpl.gone_ms = -1;
	g->tmpl_ok = 1;
}

/* A copy of a real node: capacity, labels, taints and its DaemonSet pods. */
static void
tmpl_from_node(struct ca_state *st, struct ca_group *g, const struct ks_node *n)
{
	struct ks_cluster *c = &st->r->cluster;

	tmpl_reset(g);
	tmpl_base(g);
	g->tmpl_real = 1;
	g->tmpl.cap = n->cap;
	g->tmpl.alloc = n->alloc;
	g->tmpl.zone = n->zone;
	labels_copy(&g->tmpl.labels, &n->labels);
	labels_set(&g->tmpl.labels, "kubernetes.io/hostname", g->tmpl.name);
	labels_set(&g->tmpl.labels, "cluster-autoscaler.kubernetes.io/template-node", "true");
	for (size_t i = 0; i < n->ntaints; i++) {
		if (ca_taint(&n->taints[i]))
			continue;
		g->tmpl.taints = xreallocarray(g->tmpl.taints, g->tmpl.ntaints + 1, sizeof(struct ks_taint));
		g->tmpl.taints[g->tmpl.ntaints++] = n->taints[i];
	}
	for (size_t i = 0; i < n->npods; i++) {
		const struct ks_pod *p = c->pods[n->pods[i]];

		if (pod_is_daemon(p) && p->phase != POD_TERMINATING)
			res_add(&g->tmpl.used, &p->req);
	}
}

/* From the ASG: the instance type's nominal resources, allocatable = capacity. */
static void
tmpl_from_asg(struct ca_state *st, struct ca_group *g)
{
	struct ks_run *r = st->r;
	struct ks_cluster *c = &r->cluster;
	const struct cat_itype *it = g->itype;

	tmpl_reset(g);
	tmpl_base(g);
	g->tmpl.cap.v[RES_CPU] = (int64_t)it->vcpu * 1000;
	g->tmpl.cap.v[RES_MEM] = it->memory_mib * 1024 * 1024;
	g->tmpl.cap.v[RES_EPH] = (int64_t)CAT_EKS_ROOT_GIB * 1024 * 1024 * 1024;
	g->tmpl.cap.v[RES_PODS] = 110;
	g->tmpl.cap.v[RES_GPU] = it->gpus;
	g->tmpl.alloc = g->tmpl.cap;
	labels_copy(&g->tmpl.labels, &g->labels);
	labels_set(&g->tmpl.labels, "kubernetes.io/hostname", g->tmpl.name);
	labels_set(&g->tmpl.labels, "kubernetes.io/os", "linux");
	labels_set(&g->tmpl.labels, "kubernetes.io/arch", it->arch);
	labels_set(&g->tmpl.labels, "node.kubernetes.io/instance-type", it->name);
	labels_set(&g->tmpl.labels, "topology.kubernetes.io/region", r->region);
	labels_set(&g->tmpl.labels, "topology.kubernetes.io/zone", g->zones[0]);
	labels_set(&g->tmpl.labels, "cluster-autoscaler.kubernetes.io/template-node", "true");
	if (g->ntaints > 0) {
		g->tmpl.taints = xreallocarray(NULL, g->ntaints, sizeof(struct ks_taint));
		memcpy(g->tmpl.taints, g->taints, g->ntaints * sizeof(struct ks_taint));
		g->tmpl.ntaints = g->ntaints;
	}
	/* every DaemonSet whose pods would run there */
	for (size_t i = 0; i < c->nwls; i++) {
		const struct ks_workload *w = c->wls[i];
		struct ks_pod fake;
		struct sched_fit f;

		if (w->kind != WL_DAEMONSET || w->deleted)
			continue;
		memset(&fake, 0, sizeof(fake));
		fake.spec = &w->spec;
		fake.req = w->spec.req;
		fake.pin_node = -1;
		fake.node = -1;
		if (sched_fits(c, &fake, &g->tmpl, NULL, NULL, &f) || f.fail == SF_RESOURCES)
			res_add(&g->tmpl.used, &w->spec.req);
	}
}

static void
tmpl_update(struct ca_state *st, struct ca_group *g)
{
	struct ks_cluster *c = &st->r->cluster;
	int64_t now = st->r->sim.now_ms;

	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *n = c->nodes[i];
		int tbd = 0;

		if (n->owner != g || n->state != NODE_READY || n->unschedulable ||
		    now - n->ready_ms < CA_TMPL_STABLE_MS)
			continue;
		for (size_t k = 0; k < n->ntaints; k++)
			tbd |= strcmp(n->taints[k].key, CA_TBD_TAINT) == 0;
		if (tbd)
			continue;
		tmpl_from_node(st, g, n);
		return;
	}
	if (!g->tmpl_real)
		tmpl_from_asg(st, g);	/* else keep the cached real template */
}

/* ---- launching instances ---- */

static int64_t launch_ready_fired(struct sim *, void *);

static const char *
launch_zone(struct ca_state *st, struct ca_group *g)
{
	struct ks_cluster *c = &st->r->cluster;
	int best = -1, bestn = 0;

	/* the ASG keeps its zones balanced */
	for (int z = 0; z < g->nzones; z++) {
		int k = 0;

		for (size_t i = 0; i < c->nnodes; i++)
			if (c->nodes[i]->owner == g && c->nodes[i]->state != NODE_GONE &&
			    c->nodes[i]->zone == g->zones[z])
				k++;
		if (best < 0 || k < bestn) {
			best = z;
			bestn = k;
		}
	}
	return g->zones[best];
}

static struct ks_node *
group_node_new(struct ca_state *st, struct ca_group *g)
{
	struct ks_node *n = run_node_new(st->r, g->itype, launch_zone(st, g), g->spot,
	    g->max_pods, g->prefix);

	if (g->pull.pull_ms >= 0 || g->pull.nimg > 0)
		n->pull = &g->pull;

	for (size_t i = 0; i < g->labels.n; i++)
		labels_set(&n->labels, g->labels.v[i].key, g->labels.v[i].val);
	if (g->ntaints > 0) {
		n->taints = xreallocarray(n->taints, n->ntaints + g->ntaints, sizeof(*n->taints));
		memcpy(n->taints + n->ntaints, g->taints, g->ntaints * sizeof(*g->taints));
		n->ntaints += g->ntaints;
	}
	n->owner_kind = NODE_OWNER_NODEGROUP;
	n->owner = g;
	n->group = g->name;
	n->mark = g->mark;
	return n;
}

static void
launch_unlink(struct ca_launch *l)
{
	struct ca_launch **pp;

	for (pp = &l->g->launches; *pp != NULL; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			return;
		}
}

static int64_t
launch_created_fired(struct sim *sim, void *arg)
{
	struct ca_launch *l = arg;
	struct ca_group *g = l->g;
	int64_t boot = g->boot_ms >= 0 ? g->boot_ms : l->st->o.boot_ms;

	(void)sim;
	l->node = group_node_new(l->st, g);
	l->ev = sim_after(&l->st->r->sim, boot, "ca-node-ready", launch_ready_fired, l);
	return SIM_NOMORE;
}

static int64_t
launch_ready_fired(struct sim *sim, void *arg)
{
	struct ca_launch *l = arg;
	struct ca_state *st = l->st;

	(void)sim;
	launch_unlink(l);
	cluster_node_ready(&st->r->cluster, l->node);
	group_sample(st, l->g);
	free(l);
	return SIM_NOMORE;
}

static void
group_launch(struct ca_state *st, struct ca_group *g, int k)
{
	int64_t asg = g->asg_ms >= 0 ? g->asg_ms : st->o.asg_ms;

	for (int i = 0; i < k; i++) {
		struct ca_launch *l = xcalloc(1, sizeof(*l));

		l->st = st;
		l->g = g;
		l->next = g->launches;
		g->launches = l;
		l->ev = sim_after(&st->r->sim, asg, "ca-asg-launch", launch_created_fired, l);
	}
}

/* A scale-up that did not bring nodes within max-node-provision-time (A.3). */
static void
group_check_timeout(struct ca_state *st, struct ca_group *g)
{
	struct ks_cluster *c = &st->r->cluster;
	int64_t now = st->r->sim.now_ms;
	int upcoming = g->desired - group_ready(st, g);
	struct ca_launch *l, *nx;
	char obj[300];

	if (g->scaleup_at_ms < 0)
		return;
	if (upcoming <= 0 || g->launches == NULL) {
		g->scaleup_at_ms = -1;
		return;
	}
	if (now - g->scaleup_at_ms < st->o.provision_ms)
		return;
	snprintf(obj, sizeof(obj), "nodegroup/%s", g->name);
	cluster_event(c, "ScaleUpTimedOut", obj,
	    "Nodes added to group %s failed to register within %lld s; backing off", g->name,
	    (long long)(st->o.provision_ms / 1000));
	if (g->last_fail_ms >= 0 && now - g->last_fail_ms > st->o.backoff_reset_ms)
		g->backoff_ms = 0;
	if (g->backoff_ms == 0)
		g->backoff_ms = st->o.backoff_init_ms;
	else if (g->backoff_until_ms <= now)
		g->backoff_ms = g->backoff_ms * 2 > st->o.backoff_max_ms ? st->o.backoff_max_ms :
		    g->backoff_ms * 2;
	g->backoff_until_ms = now + g->backoff_ms;
	g->last_fail_ms = now;
	g->scaleup_at_ms = -1;
	/* the instances still starting are given up and the target decreased */
	for (l = g->launches; l != NULL; l = nx) {
		nx = l->next;
		sim_cancel(&st->r->sim, l->ev);
		if (l->node != NULL)
			cluster_node_delete(c, l->node, "scale-up timed out");
		g->desired--;
		free(l);
	}
	g->launches = NULL;
	group_sample(st, g);
}

/* ---- scale-up (A.5, A.6) ---- */

struct eqg {
	struct ks_pod	**pods;		/* members, in list order */
	size_t		  n, cap;
	int		  fits;		/* the sample fits the current group's template */
	double		  score;	/* estimator order */
};

struct option {
	struct ca_group	 *g;
	int		  nodes;	/* N */
	struct ks_pod	**pods;		/* pods the estimate placed */
	size_t		  npods;
	double		  score;	/* deciding expander's score, NAN none */
};

static int
same_eq(const struct ks_pod *a, const struct ks_pod *b)
{
	return a->owner != NULL && a->owner == b->owner && a->spec == b->spec &&
	    memcmp(&a->req, &b->req, sizeof(a->req)) == 0;
}

static void
eq_build(struct ks_pod **pods, size_t n, struct eqg **out, size_t *nout)
{
	struct eqg *v = NULL;
	size_t nv = 0, cap = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < nv; j++)
			if (same_eq(v[j].pods[0], pods[i]))
				break;
		if (j == nv) {
			struct eqg e;

			memset(&e, 0, sizeof(e));
			VEC_PUSH(v, nv, cap, e);
		}
		VEC_PUSH(v[j].pods, v[j].n, v[j].cap, pods[i]);
	}
	*out = v;
	*nout = nv;
}

static void
eq_free(struct eqg *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].pods);
	free(v);
}

static int
eq_score_cmp(const void *x, const void *y)
{
	const struct eqg *const *a = x, *const *b = y;

	if ((*a)->score != (*b)->score)
		return (*a)->score > (*b)->score ? -1 : 1;
	/* the groups are elements of one array: this is their index order */
	return *a < *b ? -1 : *a > *b;
}

/*
 * The binpacking estimator (estimator/binpacking_estimator.go): how many
 * template nodes the fitting equivalence groups need, at most `limit`.
 * Placed pods are appended to *placed.  Returns N, the nodes that got a pod.
 */
static int
ca_estimate(struct ks_cluster *c, const struct ks_node *tmpl, struct eqg *eq, size_t neq,
    int limit, struct ks_pod ***placed, size_t *nplaced)
{
	struct eqg **order = xcalloc(neq ? neq : 1, sizeof(*order));
	struct ks_res *extra = NULL;
	int *count = NULL;
	size_t nn = 0, cap = 0, ord = 0, pcap = 0, last = 0;
	int used = 0;

	for (size_t i = 0; i < neq; i++) {
		const struct ks_pod *p = eq[i].pods[0];
		double s = 0;

		if (tmpl->alloc.v[RES_CPU] > 0)
			s += (double)p->req.v[RES_CPU] / (double)tmpl->alloc.v[RES_CPU];
		if (tmpl->alloc.v[RES_MEM] > 0)
			s += (double)p->req.v[RES_MEM] / (double)tmpl->alloc.v[RES_MEM];
		eq[i].score = s;
		if (eq[i].fits)
			order[ord++] = &eq[i];
	}
	if (ord > 1)
		qsort(order, ord, sizeof(*order), eq_score_cmp);
	for (size_t gi = 0; gi < ord; gi++) {
		struct eqg *e = order[gi];
		int existing = 1;

		for (size_t k = 0; k < e->n; k++) {
			struct ks_pod *p = e->pods[k];
			struct sched_fit f;
			int done = 0;

			if (existing && nn > 0) {
				/* first fit over the nodes added so far, from the last placement */
				for (size_t j = 0; j < nn && !done; j++) {
					size_t idx = (last + j) % nn;

					if (sched_fits(c, p, tmpl, &extra[idx], NULL, &f)) {
						res_add(&extra[idx], &p->req);
						count[idx]++;
						last = idx;
						done = 1;
					}
				}
				if (!done)
					existing = 0;
			}
			if (!done && nn > 0 && count[nn - 1] > 0 &&
			    sched_fits(c, p, tmpl, &extra[nn - 1], NULL, &f)) {
				res_add(&extra[nn - 1], &p->req);
				count[nn - 1]++;
				done = 1;
			}
			if (!done) {
				if (nn > 0 && count[nn - 1] == 0)
					break;	/* does not fit an empty node */
				if (used >= limit)
					break;	/* the limiter said no */
				if (nn >= cap) {
					cap = cap ? 2 * cap : 8;
					extra = xreallocarray(extra, cap, sizeof(*extra));
					count = xreallocarray(count, cap, sizeof(*count));
				}
				memset(&extra[nn], 0, sizeof(extra[nn]));
				count[nn] = 0;
				nn++;
				used++;
				if (!sched_fits(c, p, tmpl, &extra[nn - 1], NULL, &f))
					break;
				res_add(&extra[nn - 1], &p->req);
				count[nn - 1]++;
				last = nn - 1;
			}
			VEC_PUSH(*placed, *nplaced, pcap, p);
		}
	}
	used = 0;
	for (size_t j = 0; j < nn; j++)
		used += count[j] > 0;
	free(order);
	free(extra);
	free(count);
	return used;
}

/* least-waste (expander/waste/waste.go), over the template's capacity. */
static double
ca_waste_score(const struct ks_node *tmpl, int nodes, struct ks_pod **pods, size_t npods)
{
	double cpu = (double)tmpl->cap.v[RES_CPU] * nodes, mem = (double)tmpl->cap.v[RES_MEM] * nodes;
	double rc = 0, rm = 0;

	for (size_t i = 0; i < npods; i++) {
		rc += (double)pods[i]->req.v[RES_CPU];
		rm += (double)pods[i]->req.v[RES_MEM];
	}
	if (cpu <= 0 || mem <= 0)
		return INFINITY;
	return (cpu - rc) / cpu + (mem - rm) / mem;
}

/* price (expander/price): GCE's pod prices, node prices from the catalog. */
static double
ca_price_score(struct ca_state *st, const struct option *o, size_t nclusternodes)
{
	static const double cpu_h = 0.033174, gib_h = 0.004446;	/* gce_price_model.go */
	int64_t nusd = 0;
	double node_price, pod_price = 0, stab, pref, unfit, cores;

	if (catalog_price(st->r->cat, st->r->region, o->g->itype->name, o->g->spot, &nusd) != 0)
		nusd = 0;
	node_price = (double)nusd / 1e9 * o->nodes;
	for (size_t i = 0; i < o->npods; i++)
		pod_price += (double)o->pods[i]->req.v[RES_CPU] / 1000.0 * cpu_h +
		    (double)o->pods[i]->req.v[RES_MEM] / (1024.0 * 1024 * 1024) * gib_h;
	stab = 0.5 * cpu_h + 500.0 / 1024 * gib_h;
	/* simplePreferredNodeProvider: the preferred size doubles as the cluster triples */
	pref = nclusternodes <= 2 ? 1 : nclusternodes <= 6 ? 2 : nclusternodes <= 20 ? 4 :
	    nclusternodes <= 60 ? 8 : nclusternodes <= 200 ? 16 : 32;
	cores = (double)o->g->tmpl.cap.v[RES_CPU] / 1000.0;
	unfit = cores > 0 ? fmax(pref / cores, cores / pref) : 1000;
	unfit = (unfit - 1) * (1 - tanh((o->nodes - 1) / 15.0)) + 1;
	return unfit * (node_price + stab) / (pod_price + stab);
}

static int
prio_of(struct ca_state *st, const char *group, int *out)
{
	int found = 0;

	for (size_t i = 0; i < st->nprios; i++)
		if (regexec(&st->prios[i].re, group, 0, NULL, 0) == 0 &&
		    (!found || st->prios[i].prio > *out)) {
			*out = st->prios[i].prio;
			found = 1;
		}
	return found;
}

/* Run the chain; returns the chosen index, sets *by to the deciding expander. */
static size_t
expander_choose(struct ca_state *st, struct option *opt, size_t n, const char **by)
{
	size_t *keep = xcalloc(n, sizeof(*keep)), nk = n, pick;
	double *sc = xcalloc(n, sizeof(*sc));
	size_t nodes = 0;

	for (size_t i = 0; i < st->r->cluster.nnodes; i++)
		nodes += st->r->cluster.nodes[i]->state == NODE_READY;
	for (size_t i = 0; i < n; i++) {
		keep[i] = i;
		opt[i].score = NAN;
	}
	*by = exp_name[st->o.exp[0]];
	/* each expander keeps the options with the best (lowest) score */
	for (int e = 0; e < st->o.nexp && (nk > 1 || e == 0); e++) {
		int kind = st->o.exp[e];
		double best = INFINITY;
		size_t k = 0;

		*by = exp_name[kind];
		if (kind == EXP_RANDOM)
			break;
		for (size_t i = 0; i < nk; i++) {
			struct option *o = &opt[keep[i]];
			int pr = 0;

			switch (kind) {
			case EXP_MOST_PODS:
				sc[i] = -(double)o->npods;
				break;
			case EXP_LEAST_NODES:
				sc[i] = o->nodes;
				break;
			case EXP_LEAST_WASTE:
				sc[i] = o->score = ca_waste_score(&o->g->tmpl, o->nodes, o->pods, o->npods);
				break;
			case EXP_PRICE:
				sc[i] = o->score = ca_price_score(st, o, nodes);
				break;
			default:	/* EXP_PRIORITY: higher is better; no match = dropped */
				sc[i] = prio_of(st, o->g->name, &pr) ? -(double)pr : INFINITY;
				break;
			}
			if (i == 0 || sc[i] < best)
				best = sc[i];
		}
		if (kind == EXP_PRIORITY && isinf(best))
			continue;	/* nothing matched: every option passes */
		for (size_t i = 0; i < nk; i++)
			if (sc[i] == best)
				keep[k++] = keep[i];
		nk = k;
	}
	/* ties left are broken at random */
	pick = keep[nk > 1 ? rng_below(&st->rng, nk) : 0];
	free(keep);
	free(sc);
	return pick;
}

static int
ignored_label(struct ca_state *st, const char *k)
{
	static const char *const builtin[] = { "kubernetes.io/hostname",
		"topology.kubernetes.io/zone", "topology.kubernetes.io/region",
		"failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
		"beta.kubernetes.io/fluentd-ds-ready", "kops.k8s.io/instancegroup",
		"alpha.eksctl.io/instance-id", "alpha.eksctl.io/nodegroup-name",
		"eks.amazonaws.com/nodegroup", "k8s.amazonaws.com/eniConfig", "lifecycle",
		"topology.ebs.csi.aws.com/zone", "topology.k8s.aws/zone-id", NULL };

	for (size_t i = 0; builtin[i] != NULL; i++)
		if (strcmp(k, builtin[i]) == 0)
			return 1;
	for (int i = 0; i < st->o.nignore; i++)
		if (strcmp(k, st->o.ignore_labels[i]) == 0)
			return 1;
	return 0;
}

static int
within(int64_t a, int64_t b, double ratio)
{
	int64_t mx = a > b ? a : b, d = a > b ? a - b : b - a;

	return mx == 0 || (double)d / (double)mx <= ratio;
}

/* processors/nodegroupset: similar templates (A.6.5). */
static int
ca_similar(struct ca_state *st, const struct ks_node *a, const struct ks_node *b)
{
	const struct ca_opts *o = &st->o;

	for (int r = 0; r < RES_N; r++) {
		if (r == RES_MEM) {
			if (!within(a->cap.v[r], b->cap.v[r], o->mem_diff))
				return 0;
		} else if (r != RES_EPH && a->cap.v[r] != b->cap.v[r]) {
			return 0;
		}
	}
	if (!within(a->alloc.v[RES_CPU], b->alloc.v[RES_CPU], o->max_alloc_diff) ||
	    !within(a->alloc.v[RES_MEM], b->alloc.v[RES_MEM], o->max_alloc_diff) ||
	    !within(a->alloc.v[RES_CPU] - a->used.v[RES_CPU], b->alloc.v[RES_CPU] - b->used.v[RES_CPU],
	    o->max_free_diff) ||
	    !within(a->alloc.v[RES_MEM] - a->used.v[RES_MEM], b->alloc.v[RES_MEM] - b->used.v[RES_MEM],
	    o->max_free_diff))
		return 0;
	for (int pass = 0; pass < 2; pass++) {
		const struct ks_labels *x = pass ? &b->labels : &a->labels;
		const struct ks_labels *y = pass ? &a->labels : &b->labels;

		for (size_t i = 0; i < x->n; i++) {
			if (ignored_label(st, x->v[i].key))
				continue;
			if (labels_get(y, x->v[i].key) != x->v[i].val)
				return 0;
		}
	}
	return 1;
}

static void
set_why(struct ca_state *st, struct ks_pod *p, const char *type, const char *msg)
{
	char ref[600];

	msg = intern(msg);
	if (p->why_not == msg)
		return;
	p->why_not = msg;
	cluster_event(&st->r->cluster, type, pod_ref(p, ref, sizeof(ref)), "%s", msg);
}

static int
group_backed_off(struct ca_state *st, const struct ca_group *g)
{
	return g->backoff_until_ms > st->r->sim.now_ms;
}

/* Cluster totals against cores-total / memory-total (maximums). */
static int
quota_room(struct ca_state *st, const struct ca_group *g, int k)
{
	struct ks_cluster *c = &st->r->cluster;
	int64_t cores = 0, mem = 0;

	for (size_t i = 0; i < c->nnodes; i++)
		if (c->nodes[i]->state != NODE_GONE) {
			cores += c->nodes[i]->cap.v[RES_CPU];
			mem += c->nodes[i]->cap.v[RES_MEM];
		}
	for (size_t i = 0; i < st->ngroups; i++) {
		/* instances asked for but not created yet */
		for (struct ca_launch *l = st->groups[i]->launches; l != NULL; l = l->next)
			if (l->node == NULL) {
				cores += st->groups[i]->tmpl.cap.v[RES_CPU];
				mem += st->groups[i]->tmpl.cap.v[RES_MEM];
			}
	}
	while (k > 0 && (cores + k * g->tmpl.cap.v[RES_CPU] > st->o.cores_max * 1000 ||
	    mem + k * g->tmpl.cap.v[RES_MEM] > st->o.mem_max_gib * 1024 * 1024 * 1024))
		k--;
	return k;
}

static int
pod_cmp_prio(const void *x, const void *y)
{
	const struct ks_pod *a = *(struct ks_pod *const *)x, *b = *(struct ks_pod *const *)y;

	if (a->spec->priority != b->spec->priority)
		return a->spec->priority > b->spec->priority ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * "Filter out schedulable": pods that fit a Ready node or an upcoming
 * template node (in priority order, first fit from the last placement) are
 * expected to land there.  Returns the number of pods kept in pods[].
 */
static size_t
filter_schedulable(struct ca_state *st, struct ks_pod **pods, size_t n)
{
	struct ks_cluster *c = &st->r->cluster;
	struct simnode { const struct ks_node *n; struct ks_res extra; } *sn = NULL;
	size_t nsn = 0, cap = 0, kept = 0, last = 0;

	for (size_t i = 0; i < c->nnodes; i++)
		if (c->nodes[i]->state == NODE_READY) {
			struct simnode s = { c->nodes[i], { { 0 } } };

			VEC_PUSH(sn, nsn, cap, s);
		}
	for (size_t gi = 0; gi < st->ngroups; gi++) {
		struct ca_group *g = st->groups[gi];
		int up = g->desired - group_ready(st, g);

		if (group_backed_off(st, g) || !g->tmpl_ok)
			continue;
		for (int k = 0; k < up; k++) {
			struct simnode s = { &g->tmpl, { { 0 } } };

			VEC_PUSH(sn, nsn, cap, s);
		}
	}
	if (n > 1)
		qsort(pods, n, sizeof(*pods), pod_cmp_prio);
	for (size_t i = 0; i < n; i++) {
		struct ks_pod *p = pods[i];
		int placed = 0;

		for (size_t j = 0; j < nsn && !placed; j++) {
			size_t idx = (last + j) % nsn;
			struct sched_fit f;

			if (sched_fits(c, p, sn[idx].n, &sn[idx].extra, NULL, &f)) {
				res_add(&sn[idx].extra, &p->req);
				last = idx;
				placed = 1;
			}
		}
		if (!placed)
			pods[kept++] = p;
	}
	free(sn);
	return kept;
}

static void
record_scaleup(struct ca_state *st, struct ca_group *g, int from, const char *by,
    double score, int nopts, int npods)
{
	struct ca_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.at_ms = st->r->sim.now_ms;
	rec.up = 1;
	rec.group = g->name;
	rec.from = from;
	rec.to = g->desired;
	rec.expander = by;
	rec.score = score;
	rec.options = nopts;
	rec.pods = npods;
	add_record(st, &rec);
}

/* Returns 1 when a scale-up was executed. */
static int
scale_up(struct ca_state *st, struct ks_pod **pods, size_t n)
{
	struct ks_cluster *c = &st->r->cluster;
	struct eqg *eq;
	size_t neq, nopt = 0, chosen;
	struct option *opt = xcalloc(st->ngroups ? st->ngroups : 1, sizeof(*opt));
	struct sched_hist *hist = xcalloc(n ? n : 1, sizeof(*hist));
	int *helped = xcalloc(n ? n : 1, sizeof(*helped)), done = 0;
	const char *by;
	char msg[2048];
	size_t readyn = 0;

	/* GetCappedNewNodeCount counts the nodes there are and the ones on
	 * their way (desired - Ready per group), so a loop that runs while a
	 * node boots cannot pass --max-nodes-total */
	for (size_t i = 0; i < c->nnodes; i++)
		readyn += c->nodes[i]->state == NODE_READY;
	for (size_t gi = 0; gi < st->ngroups; gi++) {
		int up = st->groups[gi]->desired - group_ready(st, st->groups[gi]);

		if (up > 0)
			readyn += (size_t)up;
	}
	eq_build(pods, n, &eq, &neq);
	for (size_t gi = 0; gi < st->ngroups; gi++) {
		struct ca_group *g = st->groups[gi];
		const char *skip = NULL;
		int limit = g->max - g->desired;
		struct option *o = &opt[nopt];

		if (group_backed_off(st, g))
			skip = "in backoff after failed scale-up";
		else if (g->desired >= g->max)
			skip = "max node group size reached";
		else if (quota_room(st, g, 1) < 1)
			skip = "exceeded max cluster cpu or memory limit";
		if (skip != NULL) {
			for (size_t i = 0; i < n; i++)
				sched_hist_add(&hist[i], skip);
			continue;
		}
		for (size_t e = 0; e < neq; e++) {
			struct sched_fit f;

			eq[e].fits = sched_fits(c, eq[e].pods[0], &g->tmpl, NULL, NULL, &f);
			if (eq[e].fits)
				continue;
			for (size_t k = 0; k < eq[e].n; k++)
				for (size_t i = 0; i < n; i++)
					if (pods[i] == eq[e].pods[k])
						sched_hist_add_fit(&hist[i], &f);
		}
		if (limit > st->o.max_per_scaleup)
			limit = st->o.max_per_scaleup;
		if (st->o.max_nodes_total > 0 && limit > st->o.max_nodes_total - (int)readyn)
			limit = st->o.max_nodes_total - (int)readyn;
		o->g = g;
		o->nodes = ca_estimate(c, &g->tmpl, eq, neq, limit, &o->pods, &o->npods);
		if (o->nodes > 0 && o->npods > 0)
			nopt++;
		else {
			free(o->pods);
			memset(o, 0, sizeof(*o));
		}
	}
	if (nopt > 0) {
		struct option *best;
		struct ca_group *grps[64];
		int adds[64], ng = 0, total;
		char infos[1024];
		size_t len = 0;

		chosen = expander_choose(st, opt, nopt, &by);
		best = &opt[chosen];
		total = quota_room(st, best->g, best->nodes);
		if (st->o.max_nodes_total > 0 && (int)readyn + total > st->o.max_nodes_total)
			total = st->o.max_nodes_total - (int)readyn;
		grps[ng] = best->g;
		adds[ng++] = 0;
		if (st->o.balance) {
			for (size_t gi = 0; gi < st->ngroups && ng < 64; gi++) {
				struct ca_group *g = st->groups[gi];
				int ok = g != best->g && !group_backed_off(st, g) && g->desired < g->max &&
				    ca_similar(st, &best->g->tmpl, &g->tmpl);

				for (size_t k = 0; ok && k < best->npods; k++) {
					struct sched_fit f;

					ok = sched_fits(c, best->pods[k], &g->tmpl, NULL, NULL, &f);
				}
				if (ok) {
					grps[ng] = g;
					adds[ng++] = 0;
				}
			}
		}
		/* water-filling: one node at a time to the smallest group below max */
		for (int k = 0; k < total; k++) {
			int pick = -1;

			for (int i = 0; i < ng; i++)
				if (grps[i]->desired + adds[i] < grps[i]->max &&
				    (pick < 0 || grps[i]->desired + adds[i] < grps[pick]->desired + adds[pick]))
					pick = i;
			if (pick < 0)
				break;
			adds[pick]++;
		}
		infos[0] = '\0';
		for (int i = 0; i < ng; i++) {
			struct ca_group *g = grps[i];
			int from = g->desired;
			char obj[300];

			if (adds[i] == 0)
				continue;
			g->desired += adds[i];
			g->scaleup_at_ms = st->r->sim.now_ms;
			g->nscaleups++;
			group_launch(st, g, adds[i]);
			len += (size_t)snprintf(infos + len, len < sizeof(infos) ? sizeof(infos) - len : 0,
			    "%s{%s %d->%d (max: %d)}", len ? " " : "", g->name, from, g->desired, g->max);
			snprintf(obj, sizeof(obj), "nodegroup/%s", g->name);
			if (isnan(best->score))
				cluster_event(c, "ScaledUpGroup", obj,
				    "Scale-up: setting group %s size to %d instead of %d (max: %d); "
				    "expander %s chose it from %zu option(s)", g->name, g->desired, from,
				    g->max, by, nopt);
			else
				cluster_event(c, "ScaledUpGroup", obj,
				    "Scale-up: setting group %s size to %d instead of %d (max: %d); "
				    "expander %s chose it from %zu option(s), score %.3f", g->name,
				    g->desired, from, g->max, by, nopt, best->score);
			record_scaleup(st, g, from, by, g == best->g ? best->score : NAN, (int)nopt,
			    g == best->g ? (int)best->npods : 0);
			group_sample(st, g);
			done = 1;
		}
		if (done) {
			snprintf(msg, sizeof(msg), "pod triggered scale-up: [%s]", infos);
			for (size_t k = 0; k < best->npods; k++) {
				for (size_t i = 0; i < n; i++)
					if (pods[i] == best->pods[k])
						helped[i] = 1;
				set_why(st, best->pods[k], "TriggeredScaleUp", msg);
			}
			st->last_scale_up = st->r->sim.now_ms;
		}
	}
	/* pods no option could help */
	for (size_t i = 0; i < n; i++) {
		int in_option = 0;
		size_t len;

		if (helped[i])
			continue;
		for (size_t k = 0; k < nopt && !in_option; k++)
			for (size_t j = 0; j < opt[k].npods && !in_option; j++)
				in_option = opt[k].pods[j] == pods[i];
		if (in_option)
			continue;	/* awaiting evaluation: another option can help it */
		len = (size_t)snprintf(msg, sizeof(msg), "pod didn't trigger scale-up:");
		if (hist[i].n > 0) {
			msg[len++] = ' ';
			sched_hist_format(&hist[i], msg + len, sizeof(msg) - len);
		}
		set_why(st, pods[i], "NotTriggerScaleUp", msg);
	}
	for (size_t k = 0; k < nopt; k++)
		free(opt[k].pods);
	free(opt);
	free(hist);
	free(helped);
	eq_free(eq, neq);
	return done;
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

		if (ignore_ds && pod_is_daemon(p)) {
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
	const char *ste = pod_annotation(p, "cluster-autoscaler.kubernetes.io/safe-to-evict");
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
	if (pod_is_daemon(p))
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
	if (st->o.skip_system && strcmp(p->ns, "kube-system") == 0 && pdb == NULL &&
	    (st->o.system_block_ms < 0 || now - p->created_ms < st->o.system_block_ms)) {
		*why = "UnmovableKubeSystemPod";
		return DR_BLOCK;
	}
	if (ste != NULL && strcmp(ste, "false") == 0) {
		*why = "NotSafeToEvictAnnotation";
		return DR_BLOCK;
	}
	if (st->o.skip_local && p->spec->local_storage &&
	    pod_annotation(p, "cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes") == NULL) {
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

struct sd_job {
	struct ca_state	*st;
	struct ks_node	*n;
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

/* Returns 1 when a deletion started. */
static int
scale_down(struct ca_state *st, int forbidden)
{
	struct ks_run *r = st->r;
	struct ks_cluster *c = &r->cluster;
	int64_t now = r->sim.now_ms;
	struct cand *cand = NULL;
	size_t ncand = 0, ccap = 0;
	struct ks_res *dest_extra = xcalloc(c->nnodes ? c->nnodes : 1, sizeof(*dest_extra));
	char *removing = xcalloc(c->nnodes ? c->nnodes : 1, 1);
	int cooldown, started = 0, drains, total;
	char why[600];

	for (size_t i = 0; i < c->nnodes; i++) {
		struct ks_node *n = c->nodes[i];
		struct ca_group *g = node_group(st, n);
		struct ca_nodeinfo *ni = ca_ni(st, n);
		struct cand cd;

		if (n->state != NODE_READY || ni->deleting)
			continue;
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
			cd.empty = pod_is_daemon(p) || p->phase == POD_TERMINATING || !pod_alive(p);
		}
		cd.was_unneeded = ni->unneeded_since >= 0;
		VEC_PUSH(cand, ncand, ccap, cd);
	}
	if (ncand > 1)
		qsort(cand, ncand, sizeof(*cand), cand_cmp);
	for (size_t i = 0; i < ncand; i++) {
		struct ks_node *n = cand[i].n;
		struct ca_nodeinfo *ni = ca_ni(st, n);
		int gpu, blocked = 0, moved_all = 1;
		double thr;
		struct ks_res *tmp;

		ni->util = ca_node_utilization(c, n, st->o.ignore_ds_util, &gpu);
		thr = gpu ? st->o.sd_gpu_threshold : st->o.sd_threshold;
		if (st->o.strict_under ? ni->util >= thr : ni->util > thr) {
			ni->why = intern("NotUnderutilized");
			ni->unneeded_since = -1;
			continue;
		}
		if (ni->recheck_at > now) {
			ni->unneeded_since = -1;
			continue;	/* RecentlyUnremovable: keep the last reason */
		}
		/* the pods to move, and the blockers */
		for (size_t k = 0; k < n->npods && !blocked; k++) {
			struct ks_pod *p = c->pods[n->pods[k]];
			const char *bw;

			if (ca_drainable(st, p, &bw) == DR_BLOCK) {
				snprintf(why, sizeof(why), "BlockedByPod: %s/%s (%s)", p->ns, p->name, bw);
				blocked = 1;
			}
		}
		if (blocked) {
			ni->why = intern(why);
			ni->unneeded_since = -1;
			ni->recheck_at = now + st->o.recheck_ms;
			continue;
		}
		/* place them on the other nodes (a fork of the destinations' usage) */
		tmp = xreallocarray(NULL, c->nnodes ? c->nnodes : 1, sizeof(*tmp));
		memcpy(tmp, dest_extra, c->nnodes * sizeof(*tmp));
		for (size_t k = 0; k < n->npods && moved_all; k++) {
			struct ks_pod *p = c->pods[n->pods[k]];
			const char *bw;
			int placed = 0;

			if (ca_drainable(st, p, &bw) != DR_MOVE)
				continue;
			for (size_t j = 0; j < c->nnodes && !placed; j++) {
				struct ks_node *d = c->nodes[j];
				struct sched_fit f;

				if (d == n || d->state != NODE_READY || removing[j] || ca_ni(st, d)->deleting)
					continue;
				if (sched_fits(c, p, d, &tmp[j], NULL, &f)) {
					res_add(&tmp[j], &p->req);
					placed = 1;
				}
			}
			moved_all = placed;
		}
		if (!moved_all) {
			free(tmp);
			ni->why = intern("NoPlaceToMovePods");
			ni->unneeded_since = -1;
			ni->recheck_at = now + st->o.recheck_ms;
			continue;
		}
		memcpy(dest_extra, tmp, c->nnodes * sizeof(*tmp));
		free(tmp);
		removing[n->id] = 1;
		ni->empty = cand[i].empty;
		if (ni->unneeded_since < 0)
			ni->unneeded_since = now;
		ni->why = intern("NotUnneededLongEnough");
	}
	/*
	 * Unneeded nodes carry DeletionCandidateOfClusterAutoscaler:PreferNoSchedule
	 * so the scheduler prefers other nodes; it goes when they are needed again.
	 */
	for (size_t i = 0; i < c->nnodes; i++) {
		struct ks_node *n = c->nodes[i];
		size_t k;

		if (n->state != NODE_READY || node_group(st, n) == NULL || ca_ni(st, n)->deleting)
			continue;
		for (k = 0; k < n->ntaints; k++)
			if (strcmp(n->taints[k].key, CA_SOFT_TAINT) == 0)
				break;
		if (removing[i] && k == n->ntaints) {
			struct ks_taint t;
			char val[32];

			snprintf(val, sizeof(val), "%lld", (long long)(now / 1000));
			t.key = intern(CA_SOFT_TAINT);
			t.val = intern(val);
			t.effect = EFFECT_PREFERNOSCHEDULE;
			n->taints = xreallocarray(n->taints, n->ntaints + 1, sizeof(*n->taints));
			n->taints[n->ntaints++] = t;
		} else if (!removing[i] && k < n->ntaints) {
			memmove(&n->taints[k], &n->taints[k + 1],
			    (n->ntaints - k - 1) * sizeof(*n->taints));
			n->ntaints--;
		}
	}
	/* deletions */
	cooldown = forbidden || now < st->last_scale_up + st->o.sd_after_add_ms ||
	    now < st->last_delete + st->o.sd_after_delete_ms ||
	    now < st->last_sd_fail + st->o.sd_after_failure_ms;
	total = deletions_in_progress(st, NULL, &drains);
	for (int pass = 0; pass < 2 && !cooldown && st->o.sd_enabled; pass++) {
		for (size_t i = 0; i < ncand; i++) {
			struct ks_node *n = cand[i].n;
			struct ca_nodeinfo *ni = ca_ni(st, n);
			struct ca_group *g = node_group(st, n);
			struct sd_job *job;
			struct ks_taint t;
			char val[32], obj[300];

			if (!removing[n->id] || ni->deleting || cand[i].empty != (pass == 0))
				continue;
			if (now - ni->unneeded_since < st->o.sd_unneeded_ms)
				continue;
			if (g->desired - deletions_in_progress(st, g, NULL) <= g->min) {
				ni->why = intern("NodeGroupMinSizeReached");
				continue;
			}
			if (total >= st->o.max_sd_parallel)
				break;
			if (!cand[i].empty && drains >= st->o.max_drain_parallel)
				continue;
			total++;
			drains += !cand[i].empty;
			/* taint, then terminate after node-delete-delay-after-taint */
			snprintf(val, sizeof(val), "%lld", (long long)(now / 1000));
			t.key = intern(CA_TBD_TAINT);
			t.val = intern(val);
			t.effect = EFFECT_NOSCHEDULE;
			n->taints = xreallocarray(n->taints, n->ntaints + 1, sizeof(*n->taints));
			n->taints[n->ntaints++] = t;
			cluster_node_cordon(c, n, "cluster-autoscaler");
			snprintf(obj, sizeof(obj), "node/%s", n->name);
			cluster_event(c, "ScaleDown", obj, "marked the node as toBeDeleted/unschedulable");
			snprintf(obj, sizeof(obj), "nodegroup/%s", g->name);
			if (cand[i].empty)
				cluster_event(c, "ScaleDownEmpty", obj, "Scale-down: removing empty node %s",
				    n->name);
			else
				cluster_event(c, "ScaleDown", obj,
				    "Scale-down: removing node %s, utilization: %.3f", n->name, ni->util);
			ni->deleting = 1;
			ni->why = intern("CurrentlyBeingDeleted");
			job = xmalloc(sizeof(*job));
			job->st = st;
			job->n = n;
			sim_after(&r->sim, st->o.taint_delay_ms, "ca-scale-down", sd_actuate_fired, job);
			st->last_delete = now;
			started = 1;
		}
	}
	if (cooldown) {
		for (size_t i = 0; i < ncand; i++) {
			struct ca_nodeinfo *ni = ca_ni(st, cand[i].n);

			if (removing[cand[i].n->id] && now - ni->unneeded_since >= st->o.sd_unneeded_ms)
				ni->why = intern("ScaleDownInCooldown");
		}
	}
	free(cand);
	free(dest_extra);
	free(removing);
	return started;
}

static int64_t
sd_actuate_fired(struct sim *sim, void *arg)
{
	struct sd_job *job = arg;
	struct ca_state *st = job->st;
	struct ks_node *n = job->n;
	struct ks_cluster *c = &st->r->cluster;
	struct ca_nodeinfo *ni = ca_ni(st, n);
	struct ca_group *g = node_group(st, n);
	struct ca_record rec;
	char obj[300];

	(void)sim;
	free(job);
	if (n->state != NODE_READY || g == NULL) {
		ni->deleting = 0;
		return SIM_NOMORE;
	}
	/* evict what has to move; a PDB that says no aborts the node */
	for (size_t k = 0; k < n->npods; k++) {
		struct ks_pod *p = c->pods[n->pods[k]];
		const struct ks_pdb *pdb;
		const char *bw;

		if (ca_drainable(st, p, &bw) != DR_MOVE)
			continue;
		pdb = pdb_for_pod(c, p);
		if (pdb != NULL && pdb_allowed(c, pdb) < 1) {
			node_untaint(n);
			n->unschedulable = 0;
			ni->deleting = 0;
			ni->why = intern("FailedToEvictPods");
			st->last_sd_fail = st->r->sim.now_ms;
			snprintf(obj, sizeof(obj), "node/%s", n->name);
			cluster_event(c, "ScaleDownFailed", obj,
			    "failed to drain the node: pod %s/%s is protected by a PodDisruptionBudget",
			    p->ns, p->name);
			return SIM_NOMORE;
		}
	}
	for (size_t k = n->npods; k-- > 0;) {
		struct ks_pod *p;
		const char *bw;

		if (k >= n->npods)
			continue;
		p = c->pods[n->pods[k]];
		if (ca_drainable(st, p, &bw) == DR_MOVE && p->phase != POD_TERMINATING)
			cluster_pod_evict(c, p, "ScaleDown", "deleting pod for node scale down");
	}
	memset(&rec, 0, sizeof(rec));
	rec.at_ms = st->r->sim.now_ms;
	rec.group = g->name;
	rec.from = g->desired;
	g->desired--;
	rec.to = g->desired;
	rec.node = n->name;
	rec.empty = ni->empty;
	rec.score = NAN;
	add_record(st, &rec);
	g->nscaledowns++;
	snprintf(obj, sizeof(obj), "node/%s", n->name);
	cluster_event(c, "ScaleDown", obj, "node removed by cluster autoscaler");
	cluster_node_delete(c, n, "removed by the cluster autoscaler");
	group_sample(st, g);
	return SIM_NOMORE;
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

static int64_t
ca_loop_fired(struct sim *sim, void *arg)
{
	struct ca_state *st = arg;
	struct ks_cluster *c = &st->r->cluster;
	int64_t now = sim->now_ms;
	int new_pods = 0, new_gpu = 0;
	struct ks_pod **pods = NULL;
	size_t n = 0, cap = 0;
	int forbidden = 0, productive = 0;

	st->loop_ev = NULL;
	st->in_loop = 1;
	st->triggered = 0;
	st->loops++;
	for (size_t i = 0; i < st->ngroups; i++) {
		group_check_timeout(st, st->groups[i]);
		tmpl_update(st, st->groups[i]);
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
	n = filter_schedulable(st, pods, n);
	/* DaemonSet pods, and pods younger than the scale-up delay */
	{
		size_t k = 0;

		for (size_t i = 0; i < n; i++) {
			struct ks_pod *p = pods[i];
			int64_t delay = st->o.new_pod_delay_ms, ad;
			const char *a = pod_annotation(p, "cluster-autoscaler.kubernetes.io/pod-scale-up-delay");

			if (pod_is_daemon(p))
				continue;
			if (a != NULL && ks_duration_parse(a, &ad, NULL, NULL) == 0 && ad > delay)
				delay = ad;
			if (now - p->created_ms < delay)
				continue;
			pods[k++] = p;
		}
		n = k;
	}
	/* allPodsAreNew: the oldest is younger than 2 s, or a GPU pod younger than 30 s */
	for (size_t i = 0; i < n; i++) {
		if (pods[i]->created_ms + CA_NEW_POD_MS > now)
			new_pods++;
		if (pods[i]->req.v[RES_GPU] > 0 && pods[i]->created_ms + CA_NEW_GPU_POD_MS > now)
			new_gpu = 1;
	}
	if (n > 0) {
		size_t ready = 0;

		for (size_t i = 0; i < c->nnodes; i++)
			ready += c->nodes[i]->state == NODE_READY;
		if ((size_t)new_pods == n || new_gpu)
			forbidden = 1;	/* all pods are new: no scale-up, no deletions */
		else if (st->o.max_nodes_total > 0 && (int)ready >= st->o.max_nodes_total) {
			/* upstream logs this and records no pod event */
			for (size_t i = 0; i < n; i++)
				pods[i]->why_not = intern("max total nodes in cluster reached "
				    "(--max-nodes-total): no scale-up was tried");
		} else {
			productive = scale_up(st, pods, n);
		}
	}
	free(pods);
	productive |= scale_down(st, forbidden);
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
	struct ca_group *g = node_group(st, n);

	(void)c;
	if (g != NULL)
		group_sample(st, g);
}

/* ---- controller ---- */

static void
ca_state_free(struct ca_state *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->ngroups; i++)
		group_free(st->groups[i]);
	free(st->groups);
	for (size_t i = 0; i < st->nprios; i++)
		regfree(&st->prios[i].re);
	free(st->prios);
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
	if ((rc = load_config(st, err)) != 0 || (rc = load_groups(st, err)) != 0) {
		ca_state_free(st);
		return rc;
	}
	/* --nodes=min:max:name needs the groups */
	{
		const struct yt_node *lists[2] = { NULL, NULL };

		for (size_t i = 0; i < r->scn->ndocs; i++) {
			const struct yt_node *ctr = ca_container(r->scn->docs[i]);

			if (ctr != NULL) {
				lists[0] = yt_map_get(ctr, "command");
				lists[1] = yt_map_get(ctr, "args");
				break;
			}
		}
		for (int l = 0; l < 2; l++)
			for (size_t i = 0; lists[l] != NULL && lists[l]->kind == YT_SEQ &&
			    i < lists[l]->nitems; i++)
				if ((rc = flag_item(st, lists[l]->items[i], 1, err)) != 0) {
					ca_state_free(st);
					return rc;
				}
	}
	for (int e = 0; e < st->o.nexp; e++)
		if (st->o.exp[e] == EXP_PRIORITY && (rc = load_priorities(st, err)) != 0) {
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
			cluster_node_ready(&r->cluster, group_node_new(st, g));
		group_sample(st, g);
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

static const char *
expander_text(const struct ca_state *st, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int e = 0; e < st->o.nexp; e++)
		len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", e ? "," : "",
		    exp_name[st->o.exp[e]]);
	return buf;
}

static void
ca_report_json(struct ks_run *r, void *state, json_t *root)
{
	struct ca_state *st = state;
	struct ks_cluster *c = &r->cluster;
	json_t *groups = json_array(), *ca = json_object(), *ups = json_array(),
	    *downs = json_array(), *nodes = json_array();
	char buf[128];

	for (size_t i = 0; i < st->ngroups; i++) {
		struct ca_group *g = st->groups[i];
		json_t *o = json_object(), *samples = json_array();

		json_object_set_new(o, "name", json_string(g->name));
		json_object_set_new(o, "instance_type", json_string(g->itype->name));
		json_object_set_new(o, "capacity_type", json_string(g->spot ? "spot" : "on-demand"));
		json_object_set_new(o, "min", json_integer(g->min));
		json_object_set_new(o, "max", json_integer(g->max));
		json_object_set_new(o, "desired", json_integer(g->desired));
		json_object_set_new(o, "scale_ups", json_integer(g->nscaleups));
		json_object_set_new(o, "scale_downs", json_integer(g->nscaledowns));
		for (size_t k = 0; k < g->nsamples; k++) {
			json_t *s = json_object();

			json_object_set_new(s, "at_ms", json_integer(g->samples[k].at_ms));
			json_object_set_new(s, "desired", json_integer(g->samples[k].desired));
			json_object_set_new(s, "ready", json_integer(g->samples[k].ready));
			json_array_append_new(samples, s);
		}
		json_object_set_new(o, "samples", samples);
		json_array_append_new(groups, o);
	}
	json_object_set_new(root, "node_groups", groups);
	if (!st->enabled) {
		json_decref(ca);
		json_decref(ups);
		json_decref(downs);
		json_decref(nodes);
		return;
	}
	snprintf(buf, sizeof(buf), "1.%d", st->version);
	json_object_set_new(ca, "version", json_string(buf));
	json_object_set_new(ca, "config", json_string(st->source));
	json_object_set_new(ca, "expander", json_string(expander_text(st, buf, sizeof(buf))));
	json_object_set_new(ca, "loops", json_integer((json_int_t)st->loops));
	for (size_t i = 0; i < st->nrecs; i++) {
		const struct ca_record *rec = &st->recs[i];
		json_t *o = json_object();

		json_object_set_new(o, "at_ms", json_integer(rec->at_ms));
		json_object_set_new(o, "group", json_string(rec->group));
		json_object_set_new(o, "from", json_integer(rec->from));
		json_object_set_new(o, "to", json_integer(rec->to));
		if (rec->up) {
			json_object_set_new(o, "expander", json_string(rec->expander));
			json_object_set_new(o, "score", isnan(rec->score) ? json_null() :
			    json_real(round(rec->score * 1000) / 1000));
			json_object_set_new(o, "options", json_integer(rec->options));
			json_object_set_new(o, "pods", json_integer(rec->pods));
			json_array_append_new(ups, o);
		} else {
			json_object_set_new(o, "node", json_string(rec->node));
			json_object_set_new(o, "empty", json_boolean(rec->empty));
			json_array_append_new(downs, o);
		}
	}
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *n = c->nodes[i];
		json_t *o;

		if (n->id >= st->nni || st->ni[n->id].why == NULL)
			continue;
		o = json_object();
		json_object_set_new(o, "name", json_string(n->name));
		json_object_set_new(o, "utilization", json_real(round(st->ni[n->id].util * 1000) / 1000));
		json_object_set_new(o, "status", json_string(n->state == NODE_GONE ? "Removed" :
		    st->ni[n->id].why));
		json_array_append_new(nodes, o);
	}
	json_object_set_new(ca, "scale_ups", ups);
	json_object_set_new(ca, "scale_downs", downs);
	json_object_set_new(ca, "nodes", nodes);
	json_object_set_new(root, "cluster_autoscaler", ca);
}

static void
ca_report_text(struct ks_run *r, void *state, FILE *fp)
{
	struct ca_state *st = state;
	struct ks_cluster *c = &r->cluster;
	char buf[128], t1[32];

	if (st->enabled)
		fprintf(fp, "\nCLUSTER AUTOSCALER 1.%d (expander %s; config from %s)\n", st->version,
		    expander_text(st, buf, sizeof(buf)), st->source);
	else
		fprintf(fp, "\nNODE GROUPS (no cluster autoscaler)\n");
	fprintf(fp, "%-24s %-14s %-5s %-5s %-8s %-6s %-10s %s\n", "GROUP", "TYPE", "MIN", "MAX",
	    "DESIRED", "READY", "SCALE-UPS", "SCALE-DOWNS");
	for (size_t i = 0; i < st->ngroups; i++) {
		struct ca_group *g = st->groups[i];

		fprintf(fp, "%-24s %-14s %-5d %-5d %-8d %-6d %-10d %d\n", g->name, g->itype->name,
		    g->min, g->max, g->desired, group_ready(st, g), g->nscaleups, g->nscaledowns);
	}
	if (!st->enabled)
		return;
	for (size_t i = 0; i < st->nrecs; i++) {
		const struct ca_record *rec = &st->recs[i];

		if (rec->up)
			fprintf(fp, "%-12s scale-up   %s %d->%d, %d pod(s), expander %s (%d option(s)%s",
			    report_time(rec->at_ms, t1, sizeof(t1)), rec->group, rec->from, rec->to,
			    rec->pods, rec->expander, rec->options, isnan(rec->score) ? ")\n" : ", ");
		else
			fprintf(fp, "%-12s scale-down %s %d->%d, node %s%s\n",
			    report_time(rec->at_ms, t1, sizeof(t1)), rec->group, rec->from, rec->to,
			    rec->node, rec->empty ? " (empty)" : "");
		if (rec->up && !isnan(rec->score))
			fprintf(fp, "score %.3f)\n", rec->score);
	}
	fprintf(fp, "%-34s %-6s %s\n", "NODE", "UTIL", "SCALE-DOWN STATUS");
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *n = c->nodes[i];

		if (n->id >= st->nni || st->ni[n->id].why == NULL)
			continue;
		fprintf(fp, "%-34s %-6.3f %s\n", n->name, st->ni[n->id].util,
		    n->state == NODE_GONE ? "Removed" : st->ni[n->id].why);
	}
}

const struct ctl_ops ca_ctl = { "ca", ca_init, ca_report_json, ca_report_text, ca_free };
