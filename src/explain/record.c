/*
 * explain/record.c: the decision log of a run (see explain.h).
 *
 * One vector of fixed-size records in the order of their first note, and a
 * map from each object (an interned "kind/ns/name") to the index of its
 * last record per controller, so a note that repeats that record extends
 * it in O(1).  Formatting happens only when a record is printed: the
 * inputs stay numbers, the wording stays the interned string the
 * controller already built for its event.
 *
 * The scheduler is heard through the cluster's hooks (pod_unschedulable,
 * pod_bound, node_ready, node_gone) rather than a call inside sched.c: its
 * FitError is p->reason when the hook fires, and a hook registered only
 * when the log exists costs nothing otherwise.
 *
 * Rejected: a record per sync (an HPA syncs every 15 s, CA loops every
 * 10 s: a day of a busy cluster would hold millions of identical
 * records), and formatted strings per note (the cost falls on every note
 * though few are ever read).
 */
#include "explain/explain.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "sim/engine.h"
#include "util/fmt.h"
#include "util/intern.h"
#include "util/ptrmap.h"
#include "util/xmalloc.h"

const char *const xp_ctl_name[XP_CTL_N] = {
	"kube-scheduler", "kubelet", "cluster-autoscaler", "karpenter",
	"horizontal-pod-autoscaler", "vpa",
};

/* Names are the upstream words (event reasons, conditions, UnremovableReason). */
const struct xp_rule_info xp_rules[XR_N] = {
	[XR_UNSCHEDULABLE] = { "Unschedulable", XP_SCHED, "no node fits the pod", { 0 } },
	[XR_BOUND] = { "Scheduled", XP_SCHED, "Successfully assigned the pod", { 0 } },
	[XR_NODE_LAUNCHED] = { "Launched", XP_CLUSTER, "node asked for", { 0 } },
	[XR_NODE_READY] = { "NodeReady", XP_CLUSTER, "Node status is now: NodeReady",
		{ "launched_ms" } },
	[XR_NODE_REMOVED] = { "RemovingNode", XP_CLUSTER, "node removed", { 0 } },
	[XR_CA_NOSCALEUP] = { "NotTriggerScaleUp", XP_CA, "pod didn't trigger scale-up", { 0 } },
	[XR_CA_TRIGGERED] = { "TriggeredScaleUp", XP_CA, "pod triggered scale-up", { 0 } },
	[XR_CA_SCALEUP] = { "ScaledUpGroup", XP_CA, "Scale-up: setting the group's size",
		{ "from", "to", "max", "options" } },
	[XR_CA_UNNEEDED] = { "Unneeded", XP_CA, "node is unneeded (NotUnneededLongEnough)",
		{ "unneeded_since_ms", "utilization_permille" }, 1 },
	[XR_CA_UNREMOVABLE] = { "Unremovable", XP_CA, "node is not removable",
		{ "utilization_permille" }, 1 },
	[XR_CA_BLOCKED] = { "BlockedByPod", XP_CA, "a pod blocks the drain",
		{ "utilization_permille" }, 1 },
	[XR_CA_DELETING] = { "CurrentlyBeingDeleted", XP_CA,
		"marked the node as toBeDeleted/unschedulable", { "utilization_permille" }, 1 },
	[XR_CA_FAILED_EVICT] = { "FailedToEvictPods", XP_CA,
		"failed to drain the node", { "utilization_permille" } },
	[XR_KP_UNSCHEDULABLE] = { "FailedScheduling", XP_KARPENTER,
		"Failed to schedule pod", { 0 } },
	[XR_KP_NOMINATED] = { "Nominated", XP_KARPENTER, "Pod should schedule on", { 0 } },
	[XR_KP_LAUNCH] = { "Launched", XP_KARPENTER, "Launched NodeClaim",
		{ "instance_types", "price_nusd_h", "cpu_m", "memory_b" } },
	[XR_KP_UNCONSOLIDATABLE] = { "Unconsolidatable", XP_KARPENTER,
		"node cannot be consolidated", { 0 } },
	[XR_KP_DISRUPT] = { "DisruptionTerminating", XP_KARPENTER, "Disrupting Node", { 0 } },
	[XR_KP_BLOCKED] = { "DisruptionBlocked", XP_KARPENTER,
		"No allowed disruptions due to blocking budget", { 0 }, 1 },
	[XR_HPA_RESCALE] = { "SuccessfulRescale", XP_HPA, "New size",
		{ "current", "proposal", "desired", "utilization_pct" } },
	[XR_HPA_HELD] = { "Held", XP_HPA, "the proposal was not applied",
		{ "current", "proposal", "desired", "utilization_pct" }, 1 },
	[XR_HPA_LIMITED] = { "ScalingLimited", XP_HPA, "the desired count was limited",
		{ "current", "proposal", "desired", "utilization_pct" }, 1 },
	[XR_VPA_RECOMMEND] = { "Recommendation", XP_VPA, "container",
		{ "target_cpu_m", "target_memory_b", "lower_cpu_m", "upper_cpu_m" } },
	[XR_VPA_EVICT] = { "EvictedByVPA", XP_VPA, "Pod was evicted by VPA Updater",
		{ "outside_bounds", "resource_diff_permille" } },
	[XR_VPA_KEEP] = { "NotEvicted", XP_VPA, "the updater keeps the pod",
		{ "outside_bounds", "resource_diff_permille" }, 1 },
};

/* Per object: the last record of each controller, SIZE_MAX = none. */
struct xp_obj {
	size_t		 last[XP_CTL_N];	/* index into log->v */
};

struct xp_log *
xp_log_new(const struct sim *sim)
{
	struct xp_log *x = xcalloc(1, sizeof(*x));

	x->sim = sim;
	return x;
}

void
xp_log_free(struct xp_log *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->nobjs; i++)
		free(x->objs[i]);
	free(x->objs);
	ptrmap_free(&x->idx);
	free(x->v);
	free(x);
}

int
xp_rule_find(const char *s)
{
	for (int i = 0; i < XR_N; i++)
		if (strcmp(xp_rules[i].name, s) == 0)
			return i;
	return -1;
}

static int
rec_same(const struct xp_rec *r, enum xp_rule rule, const char *msg, const char *by,
    const int64_t *v)
{
	return r->rule == rule && r->msg == msg && r->by == by &&
	    (xp_rules[rule].state || memcmp(r->in, v, sizeof(r->in)) == 0);
}

void
xp_note(struct xp_log *x, const char *obj, enum xp_rule rule, const struct xp_in *in)
{
	static const struct xp_in none;
	enum xp_ctl ctl;
	struct xp_obj *o;
	struct xp_rec *r;
	const char *msg, *by;
	int64_t now;

	if (x == NULL)
		return;
	assert(rule < XR_N);
	if (in == NULL)
		in = &none;
	ctl = xp_rules[rule].ctl;
	now = x->sim->now_ms;
	obj = intern(obj);
	msg = in->msg != NULL ? intern(in->msg) : NULL;
	if (in->by != NULL && in->by_kind != NULL) {
		char b[600];

		if (in->by_ns != NULL)
			snprintf(b, sizeof(b), "%s/%s/%s", in->by_kind, in->by_ns, in->by);
		else
			snprintf(b, sizeof(b), "%s/%s", in->by_kind, in->by);
		by = intern(b);
	} else
		by = in->by != NULL ? intern(in->by) : NULL;
	if ((o = ptrmap_get(&x->idx, obj)) == NULL) {
		o = xmalloc(sizeof(*o));
		for (int i = 0; i < XP_CTL_N; i++)
			o->last[i] = SIZE_MAX;
		ptrmap_put(&x->idx, obj, o);
		VEC_PUSH(x->objs, x->nobjs, x->objcap, o);
	}
	if (o->last[ctl] != SIZE_MAX && rec_same(&x->v[o->last[ctl]], rule, msg, by, in->v)) {
		r = &x->v[o->last[ctl]];
		r->last_ms = now;
		r->count++;
		return;
	}
	VEC_GROW(x->v, x->n, x->cap);
	r = &x->v[x->n];
	memset(r, 0, sizeof(*r));
	r->first_ms = r->last_ms = now;
	memcpy(r->in, in->v, sizeof(r->in));
	r->obj = obj;
	r->msg = msg;
	r->by = by;
	r->count = 1;
	r->rule = (uint16_t)rule;
	o->last[ctl] = x->n++;
}

void
xp_pod(struct xp_log *x, const struct ks_pod *p, enum xp_rule rule, const struct xp_in *in)
{
	char ref[600];

	if (x == NULL)
		return;
	xp_note(x, pod_ref(p, ref, sizeof(ref)), rule, in);
}

void
xp_node(struct xp_log *x, const struct ks_node *n, enum xp_rule rule, const struct xp_in *in)
{
	if (x == NULL)
		return;
	xp_obj(x, "node", NULL, n->name, rule, in);
}

void
xp_obj(struct xp_log *x, const char *kind, const char *ns, const char *name,
    enum xp_rule rule, const struct xp_in *in)
{
	char ref[600];

	if (x == NULL)
		return;
	if (ns != NULL)
		snprintf(ref, sizeof(ref), "%s/%s/%s", kind, ns, name);
	else
		snprintf(ref, sizeof(ref), "%s/%s", kind, name);
	xp_note(x, ref, rule, in);
}

/*
 * The CA's verdict on a node after a scale-down loop, from its
 * UnremovableReason (simulator/unremovable reasons, as ca/scaledown.c
 * names them).  BlockedByPod's detail names the pod; when the pod is held
 * by a PodDisruptionBudget (NotEnoughPdb) the PDB is what decided.
 */
void
xp_ca_node(struct xp_log *x, struct ks_cluster *c, const struct ks_node *n, const char *why,
    int64_t unneeded_since, double util)
{
	struct xp_in in = { .msg = why };
	int64_t pm = (int64_t)(util * 1000 + 0.5);
	char ns[256], name[256], by[600];

	if (x == NULL || why == NULL)
		return;
	in.v[0] = pm;
	if (strcmp(why, "NotUnneededLongEnough") == 0) {
		in.v[0] = unneeded_since;
		in.v[1] = pm;
		xp_node(x, n, XR_CA_UNNEEDED, &in);
	} else if (strcmp(why, "CurrentlyBeingDeleted") == 0) {
		xp_node(x, n, XR_CA_DELETING, &in);
	} else if (strcmp(why, "FailedToEvictPods") == 0) {
		return;		/* noted by the drain, with the PDB that said no */
	} else if (sscanf(why, "BlockedByPod: %255[^/]/%255s", ns, name) == 2) {
		const struct ks_pod *p = cluster_pod_find(c, intern(ns), intern(name));
		const struct ks_pdb *pdb;

		snprintf(by, sizeof(by), "pod/%s/%s", ns, name);
		in.by = by;
		if (p != NULL && strstr(why, "(NotEnoughPdb)") != NULL &&
		    (pdb = pdb_for_pod(c, p)) != NULL) {
			snprintf(by, sizeof(by), "pdb/%s/%s", pdb->ns, pdb->name);
			in.by = by;
		}
		xp_node(x, n, XR_CA_BLOCKED, &in);
	} else {
		xp_node(x, n, XR_CA_UNREMOVABLE, &in);
	}
}

/* ---- the scheduler and the kubelet, through the cluster's hooks ---- */

static void
hook_unsched(struct ks_cluster *c, struct ks_pod *p, void *arg)
{
	(void)c;
	if (p->reason != NULL)
		xp_pod(arg, p, XR_UNSCHEDULABLE, &(struct xp_in){ .msg = p->reason });
}

static void
hook_bound(struct ks_cluster *c, struct ks_pod *p, void *arg)
{
	char by[300];

	snprintf(by, sizeof(by), "node/%s", c->nodes[p->node]->name);
	xp_pod(arg, p, XR_BOUND, &(struct xp_in){ .by = by });
}

static void
hook_ready(struct ks_cluster *c, struct ks_node *n, void *arg)
{
	(void)c;
	xp_node(arg, n, XR_NODE_READY, &(struct xp_in){ .v = { n->launched_ms } });
}

static void
hook_gone(struct ks_cluster *c, struct ks_node *n, void *arg)
{
	(void)c;
	xp_node(arg, n, XR_NODE_REMOVED, &(struct xp_in){ .msg = n->removed_by });
}

void
xp_log_attach(struct xp_log *x, struct ks_cluster *c)
{
	struct cluster_hooks h = { .pod_unschedulable = hook_unsched, .pod_bound = hook_bound,
		.node_ready = hook_ready, .node_gone = hook_gone, .arg = x };

	cluster_hook(c, &h);
}

/* ---- output ---- */

json_t *
xp_rec_json(const struct xp_rec *r)
{
	const struct xp_rule_info *ri = &xp_rules[r->rule];
	json_t *o = json_object(), *in = json_object();

	json_object_set_new(o, "at_ms", json_integer(r->first_ms));
	json_object_set_new(o, "until_ms", json_integer(r->last_ms));
	json_object_set_new(o, "count", json_integer(r->count));
	json_object_set_new(o, "object", json_string(r->obj));
	json_object_set_new(o, "controller", json_string(xp_ctl_name[ri->ctl]));
	json_object_set_new(o, "rule", json_string(ri->name));
	json_object_set_new(o, "message", json_string(r->msg != NULL ? r->msg : ri->wording));
	if (r->by != NULL)
		json_object_set_new(o, "by", json_string(r->by));
	for (int k = 0; k < 4; k++)
		if (ri->in[k] != NULL)
			json_object_set_new(in, ri->in[k], json_integer(r->in[k]));
	json_object_set_new(o, "inputs", in);
	return o;
}

json_t *
xp_json(const struct xp_log *x, const char *obj)
{
	json_t *a = json_array();

	if (obj != NULL)
		obj = intern(obj);
	for (size_t i = 0; x != NULL && i < x->n; i++)
		if (obj == NULL || x->v[i].obj == obj)
			json_array_append_new(a, xp_rec_json(&x->v[i]));
	return a;
}

/* An input printed in its unit: times as times, money as USD, the rest as numbers. */
static void
print_input(FILE *fp, const char *name, int64_t v)
{
	char buf[64];
	size_t l = strlen(name);

	if (l > 3 && strcmp(name + l - 3, "_ms") == 0)
		fprintf(fp, " %.*s=%s", (int)(l - 3), name, v < 0 ? "-" : fmt_time(v, buf, sizeof(buf)));
	else if (l > 7 && strcmp(name + l - 7, "_nusd_h") == 0)
		fprintf(fp, " %.*s=$%s/h", (int)(l - 7), name, fmt_usd(v, buf, sizeof(buf)));
	else if (strcmp(name, "utilization_permille") == 0)
		fprintf(fp, " utilization=%lld.%lld%%", (long long)(v / 10), (long long)(v % 10));
	else
		fprintf(fp, " %s=%lld", name, (long long)v);
}

void
xp_rec_print(FILE *fp, const struct xp_rec *r)
{
	const struct xp_rule_info *ri = &xp_rules[r->rule];
	char a[32], b[32];

	fmt_time(r->first_ms, a, sizeof(a));
	if (r->count > 1)
		fprintf(fp, "  %s-%s  ", a, fmt_time(r->last_ms, b, sizeof(b)));
	else
		fprintf(fp, "  %s          ", a);
	fprintf(fp, "%s  ", xp_ctl_name[ri->ctl]);
	if (r->msg != NULL && strncmp(r->msg, ri->name, strlen(ri->name)) == 0)
		fputs(r->msg, fp);	/* it names its rule already: "BlockedByPod: ..." */
	else
		fprintf(fp, "%s: %s", ri->name, r->msg != NULL ? r->msg : ri->wording);
	if (r->by != NULL)
		fprintf(fp, " [by %s]", r->by);
	for (int k = 0; k < 4; k++)
		if (ri->in[k] != NULL)
			print_input(fp, ri->in[k], r->in[k]);
	if (r->count > 1)
		fprintf(fp, " (%u times)", r->count);
	fputc('\n', fp);
}
