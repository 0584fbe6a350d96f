/*
 * nodegroup.c: node groups (AWS Auto Scaling groups) and their nodes.
 *
 * Groups come from an eksctl ClusterConfig (managedNodeGroups and
 * nodeGroups, with eksctl's defaults for sizes and instance type) or from
 * the Scenario's spec.nodeGroups (strict keys).  This file also builds a
 * group's template node (A.4: a copy of a real Ready node, else one made
 * from the instance type), launches instances after the ASG reaction and
 * boot times, and gives up a scale-up after max-node-provision-time with
 * the group's exponential backoff (A.3).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ca/ca.h"
#include "cluster/sched.h"
#include "explain/explain.h"
#include "util/intern.h"
#include "util/xmalloc.h"

struct ca_group *
ca_node_group(struct ca_state *st, const struct ks_node *n)
{
	if (n->owner_kind != NODE_OWNER_NODEGROUP || n->owner == NULL)
		return NULL;
	for (size_t i = 0; i < st->ngroups; i++)
		if (st->groups[i] == n->owner)
			return st->groups[i];
	return NULL;
}

int
ca_group_ready(struct ca_state *st, const struct ca_group *g)
{
	struct ks_cluster *c = &st->r->cluster;
	int k = 0;

	for (size_t i = 0; i < c->nnodes; i++)
		if (c->nodes[i]->owner == g && c->nodes[i]->state == NODE_READY)
			k++;
	return k;
}

void
ca_group_sample(struct ca_state *st, struct ca_group *g)
{
	struct ca_sample s;

	assert(g->min <= g->desired && g->desired <= g->max);	/* the ASG's bounds */
	s.at_ms = st->r->sim.now_ms;
	s.desired = g->desired;
	s.ready = ca_group_ready(st, g);
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

/* ---- node groups ---- */

static const char *const ng_keys[] = { "name", "instanceType", "instanceTypes", "minSize",
	"maxSize", "desiredCapacity", "labels", "taints", "capacityType", "availabilityZones",
	"maxPods", "namePrefix", "asgReaction", "nodeStartup", "imagePull", "images",
	"annotations", NULL };

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

void
ca_group_free(struct ca_group *g)
{
	struct ca_launch *l, *nx;

	if (g == NULL)
		return;
	labels_free(&g->labels);
	labels_free(&g->annotations);
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

/* instanceType, or the first of instanceTypes (A.8); eksctl defaults to m5.large. */
static int
load_group_itype(struct ca_state *st, struct ca_group *g, const struct yt_node *e, int eksctl,
    struct ks_error *err)
{
	const struct yt_node *v;
	const char *str;

	str = eksctl ? "m5.large" : NULL;	/* eksctl's default instance type */
	v = yt_map_get(e, "instanceType");
	if (v == NULL || yt_is_null(v)) {
		const struct yt_node *l = yt_map_get(e, "instanceTypes");

		/* eksctl's unmanaged groups list them in instancesDistribution */
		if (eksctl && (l == NULL || yt_is_null(l)))
			l = yt_map_get(yt_map_get(e, "instancesDistribution"), "instanceTypes");
		/* mixed instances: the first override is the template (A.8) */
		v = l != NULL && l->kind == YT_SEQ && l->nitems > 0 ? l->items[0] : NULL;
		if (l != NULL && !yt_is_null(l) && yt_expect_seq(l, err) != 0)
			return KS_EINVAL;
	}
	if (v != NULL && yt_get_str(v, &str, err) != 0)
		return KS_EINVAL;
	if (str == NULL)
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expected instanceType or instanceTypes in node group \"%s\", found none", g->name);
	g->itype = catalog_find(st->r->cat, str);
	if (g->itype == NULL)
		return ks_error_set(err, v ? &v->mark : &e->mark, KS_EINVAL,
		    "unknown instance type \"%s\": not in the catalog", str);
	return 0;
}

/* minSize, maxSize, desiredCapacity with eksctl's defaults, checked. */
static int
load_group_sizes(struct ca_group *g, const struct yt_node *e, int eksctl, struct ks_error *err)
{
	const struct yt_node *v;
	int has_min, has_max, has_des;

	g->desired = -1;
	if ((has_des = get_int_field(e, "desiredCapacity", &g->desired, err)) < 0 ||
	    (has_min = get_int_field(e, "minSize", &g->min, err)) < 0 ||
	    (has_max = get_int_field(e, "maxSize", &g->max, err)) < 0)
		return KS_EINVAL;
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
		return ks_error_set(err, v ? &v->mark : &e->mark, KS_EINVAL,
		    "node group \"%s\": minSize %d is greater than maxSize %d", g->name, g->min, g->max);
	}
	if (g->desired < g->min || g->desired > g->max) {
		v = yt_map_get(e, "desiredCapacity");
		return ks_error_set(err, v ? &v->mark : &e->mark, KS_EINVAL,
		    "node group \"%s\": desiredCapacity %d is outside minSize %d .. maxSize %d",
		    g->name, g->desired, g->min, g->max);
	}
	return 0;
}

/*
 * What an eksctl node group says that changes its nodes and that ksim
 * does not model: warned, naming what ksim does instead.
 */
static void
warn_eksctl(const struct ca_group *g, const struct yt_node *e)
{
	const struct yt_node *v, *d = yt_map_get(e, "instancesDistribution");

	if ((v = yt_map_get(e, "kubeletExtraConfig")) != NULL && !yt_is_null(v))
		ks_warn(&v->mark, "node group %s: kubeletExtraConfig is not modelled: ksim gives "
		    "its nodes the EKS AMI's allocatable", g->name);
	if ((v = yt_map_get(e, "amiFamily")) != NULL && v->str != NULL &&
	    strcmp(v->str, "AmazonLinux2") != 0 && strcmp(v->str, "AmazonLinux2023") != 0)
		ks_warn(&v->mark, "node group %s: amiFamily %s is not modelled: ksim gives its "
		    "nodes the EKS AMI's (AL2023) allocatable", g->name, v->str);
	if (d != NULL && !yt_is_null(d))
		ks_warn(&d->mark, "node group %s: instancesDistribution's on-demand and spot "
		    "split is not modelled: ksim launches the first of its instanceTypes, %s", g->name,
		    g->spot ? "spot" : "on-demand");
}

/* spot / capacityType, and availabilityZones (default: the run's first zone). */
static int
load_group_placement(struct ca_state *st, struct ca_group *g, const struct yt_node *e,
    struct ks_error *err)
{
	const struct yt_node *v;
	const char *str;

	if ((v = yt_map_get(e, "spot")) != NULL && !yt_is_null(v) && yt_get_bool(v, &g->spot, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(e, "capacityType")) != NULL) {
		if (yt_get_str(v, &str, err) != 0)
			return KS_EINVAL;
		if (strcmp(str, "spot") != 0 && strcmp(str, "on-demand") != 0 &&
		    strcmp(str, "SPOT") != 0 && strcmp(str, "ON_DEMAND") != 0)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected capacityType spot or on-demand, found \"%s\"", str);
		g->spot = strcmp(str, "spot") == 0 || strcmp(str, "SPOT") == 0;
	}
	if ((v = yt_map_get(e, "availabilityZones")) != NULL && !yt_is_null(v)) {
		if (yt_expect_seq(v, err) != 0)
			return KS_EINVAL;
		for (size_t i = 0; i < v->nitems && g->nzones < 8; i++) {
			if (yt_get_str(v->items[i], &str, err) != 0)
				return KS_EINVAL;
			g->zones[g->nzones++] = intern(str);
		}
	}
	if (g->nzones == 0)
		g->zones[g->nzones++] = run_zone(st->r, 0);
	return 0;
}

/* The nodes: labels, annotations, taints, maxPods, name prefix, timings and image pulls. */
static int
load_group_nodes(struct ca_group *g, const struct yt_node *e, int eksctl, struct ks_error *err)
{
	const struct yt_node *v;
	const char *str;

	if (load_labels(yt_map_get(e, "labels"), &g->labels, err) != 0 ||
	    (!eksctl && load_labels(yt_map_get(e, "annotations"), &g->annotations, err) != 0) ||
	    load_group_taints(yt_map_get(e, "taints"), g, err) != 0)
		return KS_EINVAL;
	if (labels_get(&g->labels, "nvidia.com/mig.config") != NULL)
		ks_warn(&e->mark, "node group %s: nvidia.com/mig.config is not modelled on the nodes "
		    "it launches: they advertise whole GPUs as nvidia.com/gpu (MIG strategy none); "
		    "declare MIG-partitioned nodes as Nodes", g->name);
	if (get_int_field(e, eksctl ? "maxPodsPerNode" : "maxPods", &g->max_pods, err) < 0)
		return KS_EINVAL;
	if ((v = yt_map_get(e, "namePrefix")) != NULL) {
		if (yt_get_str(v, &str, err) != 0)
			return KS_EINVAL;
		g->prefix = intern(str);
	}
	if ((v = yt_map_get(e, "asgReaction")) != NULL &&
	    (load_duration_nonneg(v, "asgReaction", &g->asg_ms, err) != 0))
		return KS_EINVAL;
	if ((v = yt_map_get(e, "nodeStartup")) != NULL &&
	    (load_duration_nonneg(v, "nodeStartup", &g->boot_ms, err) != 0))
		return KS_EINVAL;
	/* image pull times on this group's nodes (a pre-baked AMI) */
	g->pull.pull_ms = -1;
	if ((v = yt_map_get(e, "imagePull")) != NULL &&
	    (load_duration_nonneg(v, "imagePull", &g->pull.pull_ms, err) != 0))
		return KS_EINVAL;
	if (load_images(yt_map_get(e, "images"), &g->pull, err) != 0)
		return KS_EINVAL;
	return 0;
}

static int
load_group(struct ca_state *st, const struct yt_node *e, int eksctl, int managed,
    const char *cluster, struct ks_error *err)
{
	struct ca_group *g = xcalloc(1, sizeof(*g));
	const struct yt_node *v;
	const char *str;

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
	if (load_group_itype(st, g, e, eksctl, err) != 0 ||
	    load_group_sizes(g, e, eksctl, err) != 0 ||
	    load_group_placement(st, g, e, err) != 0 ||
	    load_group_nodes(g, e, eksctl, err) != 0)
		goto fail;
	if (eksctl)
		warn_eksctl(g, e);
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
	ca_group_free(g);
	return KS_EINVAL;
}

int
ca_groups_load(struct ca_state *st, struct ks_error *err)
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

		if (ca_pod_is_daemon(p) && p->phase != POD_TERMINATING)
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
	res_set_devices(&g->tmpl.cap, it, NULL);
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

void
ca_tmpl_update(struct ca_state *st, struct ca_group *g)
{
	struct ks_cluster *c = &st->r->cluster;
	int64_t now = st->r->sim.now_ms;

	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *n = c->nodes[i];
		int tbd = 0;

		/* isNodeGoodTemplateCandidate: stable once ready + delay is Before now */
		if (n->owner != g || n->state != NODE_READY || n->unschedulable ||
		    now - n->ready_ms <= CA_TMPL_STABLE_MS)
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

struct ks_node *
ca_group_node_new(struct ca_state *st, struct ca_group *g)
{
	struct ks_node *n = run_node_new(st->r, g->itype, launch_zone(st, g), g->spot,
	    g->max_pods, g->prefix);

	if (g->pull.pull_ms >= 0 || g->pull.nimg > 0)
		n->pull = &g->pull;
	xp_node(st->r->xp, n, XR_NODE_LAUNCHED, &(struct xp_in){ .by = g->name,
	    .by_kind = "nodegroup" });

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
	l->node = ca_group_node_new(l->st, g);
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
	ca_group_sample(st, l->g);
	free(l);
	return SIM_NOMORE;
}

void
ca_group_launch(struct ca_state *st, struct ca_group *g, int k)
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
void
ca_group_check_timeout(struct ca_state *st, struct ca_group *g)
{
	struct ks_cluster *c = &st->r->cluster;
	int64_t now = st->r->sim.now_ms;
	int upcoming = g->desired - ca_group_ready(st, g);
	struct ca_launch *l, *nx;
	char obj[300];

	if (g->scaleup_at_ms < 0)
		return;
	if (upcoming <= 0 || g->launches == NULL) {
		g->scaleup_at_ms = -1;
		return;
	}
	/* clusterstate.go updateScaleRequests: ExpectedAddTime Before now */
	if (now - g->scaleup_at_ms <= st->o.provision_ms)
		return;
	snprintf(obj, sizeof(obj), "nodegroup/%s", g->name);
	cluster_event(c, "ScaleUpTimedOut", obj,
	    "Nodes added to group %s failed to register within %lld s; backing off", g->name,
	    (long long)(st->o.provision_ms / 1000));
	if (g->last_fail_ms >= 0 && now - g->last_fail_ms > st->o.backoff_reset_ms)
		g->backoff_ms = 0;
	if (g->backoff_ms == 0)
		g->backoff_ms = st->o.backoff_init_ms;
	else if (g->backoff_until_ms < now)	/* backoffUntil Before now */
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
	ca_group_sample(st, g);
}
