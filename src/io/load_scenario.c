/*
 * load_scenario.c: files -> one scenario.
 *
 * All documents of all files form one scenario, in command-line order.  A
 * `kind: List` (what `kubectl get -o yaml` prints) contributes its items.
 * At most one Scenario document (apiVersion ksim/v1alpha1) says how long
 * to run, which seed and region to use, which static nodes exist, how long
 * images take to pull, and what happens when (the timeline).  Without one,
 * the documents are the cluster at t=0 and the run lasts an hour.
 *
 * The Scenario kind is ours, so it is strict: an unknown field is an error
 * naming the fields that are allowed.  Kubernetes kinds are lenient: users
 * paste real manifests.
 */
#include "io/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/catalog.h"
#include "cluster/quantity.h"
#include "io/expect.h"
#include "io/override.h"
#include "util/duration.h"
#include "util/intern.h"
#include "util/xmalloc.h"

/* Kinds that have no effect on scheduling or autoscaling: accepted, skipped. */
static const char *const ignored_kinds[] = {
	"Namespace", "Service", "ServiceAccount", "ConfigMap", "Secret", "ClusterRole",
	"ClusterRoleBinding", "Role", "RoleBinding", "Ingress", "NetworkPolicy",
	"PersistentVolumeClaim", "PersistentVolume", "StorageClass", "Endpoints",
	"EndpointSlice", "CustomResourceDefinition", "Lease", "Event", "LimitRange",
	"ResourceQuota", "HorizontalPodAutoscalerList", NULL
};

/* Kinds a controller parses (kept as documents). */
static const char *const controller_kinds[] = {
	"HorizontalPodAutoscaler", "VerticalPodAutoscaler", "VerticalPodAutoscalerCheckpoint",
	"NodePool", "EC2NodeClass", "Provisioner", "AWSNodeTemplate", "NodeClaim",
	"NodeClass", "ClusterConfig", "NodeOverlay", NULL
};

static int
in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

static enum wl_kind
wl_kind_of(const char *kind)
{
	for (int k = 0; k < WL_KIND_N; k++)
		if (strcmp(kind, wl_kind_name[k]) == 0)
			return (enum wl_kind)k;
	return WL_KIND_N;
}

static void
wl_def_free(struct wl_def *d)
{
	if (d == NULL)
		return;
	if (d->spec != NULL) {
		podspec_free(d->spec);
		free(d->spec);
	}
	selector_free(&d->sel);
	free(d);
}

static void
node_def_free(struct node_def *d)
{
	if (d == NULL)
		return;
	labels_free(&d->labels);
	free(d->taints);
	free(d);
}

void
ks_scenario_free(struct ks_scenario *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nsnodes; i++) {
		labels_free(&s->snodes[i].labels);
		free(s->snodes[i].taints);
	}
	free(s->snodes);
	for (size_t i = 0; i < s->nnodes; i++)
		node_def_free(s->nodes[i]);
	free(s->nodes);
	for (size_t i = 0; i < s->nwls; i++)
		wl_def_free(s->wls[i]);
	free(s->wls);
	for (size_t i = 0; i < s->npods; i++)
		wl_def_free(s->pods[i]);
	free(s->pods);
	for (size_t i = 0; i < s->npdbs; i++) {
		if (s->pdbs[i] != NULL)
			selector_free(&s->pdbs[i]->sel);
		free(s->pdbs[i]);
	}
	free(s->pdbs);
	for (size_t i = 0; i < s->ndocs; i++)
		free(s->docs[i]);
	free(s->docs);
	for (size_t i = 0; i < s->nactions; i++) {
		wl_def_free(s->actions[i].wl);
		node_def_free(s->actions[i].node);
		free(s->actions[i].doc);
	}
	free(s->actions);
	free(s->timing.img_names);
	free(s->timing.img_ms);
	expect_set_free(s->expect);
	for (size_t i = 0; i < s->nstreams; i++)
		yt_stream_free(s->streams[i]);
	free(s->streams);
	free(s);
}

/* ---- objects ---- */

static int
load_workload(const struct yt_node *root, enum wl_kind kind, struct wl_def **out,
    struct ks_error *err)
{
	struct wl_def *d = xcalloc(1, sizeof(*d));
	const struct yt_node *sp = yt_map_get(root, "spec"), *tmpl, *v;
	int rc;

	*out = d;
	d->kind = kind;
	d->mark = root->mark;
	d->replicas = 1;
	d->run_ms = -1;
	d->completions = -1;
	d->owner_kind = WL_POD;
	if ((rc = load_meta(root, &d->ns, &d->name, err)) != 0)
		return rc;
	d->spec = xcalloc(1, sizeof(*d->spec));
	if (kind == WL_POD) {
		const struct yt_node *st = yt_map_get(root, "status"), *md = yt_map_get(root, "metadata");
		const struct yt_node *owners = yt_map_get(md, "ownerReferences");
		const char *phase = NULL;

		if ((rc = load_podspec(root, d->ns, d->spec, err)) != 0)
			return rc;
		d->node_name = d->spec->node_name;
		if (st != NULL && (v = yt_map_get(st, "phase")) != NULL && yt_get_str(v, &phase, err) != 0)
			return KS_EINVAL;
		d->running = phase != NULL && strcmp(phase, "Running") == 0;
		if (phase != NULL)
			/* a snapshot pod: nodeName is where it runs, not a scheduling
			 * constraint; bound to a node the snapshot lacks, it is
			 * scheduled afresh */
			d->spec->node_name = NULL;
		if (phase != NULL && (strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0))
			d->running = -1;	/* finished: skipped */
		if (owners != NULL && owners->kind == YT_SEQ && owners->nitems > 0) {
			const char *ok = NULL, *on = NULL;
			const struct yt_node *o = owners->items[0];

			if ((v = yt_map_get(o, "kind")) != NULL && yt_get_str(v, &ok, err) != 0)
				return KS_EINVAL;
			if ((v = yt_map_get(o, "name")) != NULL && yt_get_str(v, &on, err) != 0)
				return KS_EINVAL;
			if (ok != NULL && on != NULL) {
				d->owner_kind = wl_kind_of(ok);
				d->owner_name = intern(on);
			}
		}
		return 0;
	}
	if (sp == NULL || yt_expect_map(sp, err) != 0)
		return sp == NULL ? ks_error_set(err, &root->mark, KS_EINVAL,
		    "expected a spec in %s %s, found none", wl_kind_name[kind], d->name) : KS_EINVAL;
	tmpl = yt_map_get(sp, "template");
	if (tmpl == NULL)
		return ks_error_set(err, &sp->mark, KS_EINVAL,
		    "expected spec.template in %s %s, found none", wl_kind_name[kind], d->name);
	if ((rc = load_podspec(tmpl, d->ns, d->spec, err)) != 0)
		return rc;
	if (kind == WL_NOTEBOOK) {
		/* the notebook controller labels its StatefulSet's pods */
		labels_set(&d->spec->labels, "notebook-name", d->name);
		labels_set(&d->spec->labels, "statefulset", d->name);
		return 0;
	}
	if (kind == WL_JOB) {
		const struct yt_node *ann = yt_map_get(yt_map_get(root, "metadata"), "annotations");
		int64_t x;

		if ((v = yt_map_get(sp, "parallelism")) != NULL && !yt_is_null(v)) {
			if (yt_get_int64(v, &x, err) != 0)
				return KS_EINVAL;
			d->replicas = (int32_t)x;
		}
		if ((v = yt_map_get(sp, "completions")) != NULL && !yt_is_null(v)) {
			if (yt_get_int64(v, &x, err) != 0)
				return KS_EINVAL;
			d->completions = (int32_t)x;
		}
		if ((v = yt_map_get(ann, "ksim.io/run-duration")) != NULL &&
		    yt_get_duration(v, &d->run_ms, err) != 0)
			return KS_EINVAL;
	} else if ((v = yt_map_get(sp, "replicas")) != NULL && !yt_is_null(v)) {
		int64_t x;

		if (yt_get_int64(v, &x, err) != 0)
			return KS_EINVAL;
		if (x < 0)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "replicas must not be negative, found %lld", (long long)x);
		d->replicas = (int32_t)x;
	}
	if (kind == WL_DAEMONSET)
		d->spec->is_daemon = 1;
	if (kind != WL_JOB) {
		v = yt_map_get(sp, "selector");
		if ((rc = load_label_selector(v, &d->sel, err)) != 0)
			return rc;
	}
	return 0;
}

static int
load_node(const struct yt_node *root, const struct catalog *cat, struct node_def **out,
    struct ks_error *err)
{
	struct node_def *d = xcalloc(1, sizeof(*d));
	const struct yt_node *md = yt_map_get(root, "metadata"), *sp = yt_map_get(root, "spec");
	const struct yt_node *st = yt_map_get(root, "status");
	const char *ns, *v;
	int rc;

	*out = d;
	d->mark = root->mark;
	if ((rc = load_meta(root, &ns, &d->name, err)) != 0 ||
	    (rc = load_labels(yt_map_get(md, "labels"), &d->labels, err)) != 0)
		return rc;
	if (sp != NULL && !yt_is_null(sp)) {
		const struct yt_node *u = yt_map_get(sp, "unschedulable");

		if ((rc = load_taints(yt_map_get(sp, "taints"), &d->taints, &d->ntaints, err)) != 0)
			return rc;
		if (u != NULL && yt_get_bool(u, &d->unschedulable, err) != 0)
			return KS_EINVAL;
	}
	if (st != NULL && !yt_is_null(st)) {
		if ((rc = load_resources(yt_map_get(st, "capacity"), &d->cap, err)) != 0 ||
		    (rc = load_resources(yt_map_get(st, "allocatable"), &d->alloc, err)) != 0)
			return rc;
	}
	v = labels_get(&d->labels, "node.kubernetes.io/instance-type");
	if (v == NULL)
		v = labels_get(&d->labels, "beta.kubernetes.io/instance-type");
	if (v != NULL && catalog_find(cat, v) != NULL)
		d->itype = v;
	v = labels_get(&d->labels, "topology.kubernetes.io/zone");
	if (v == NULL)
		v = labels_get(&d->labels, "failure-domain.beta.kubernetes.io/zone");
	d->zone = v ? v : intern("");
	v = labels_get(&d->labels, "karpenter.sh/capacity-type");
	if (v == NULL)
		v = labels_get(&d->labels, "eks.amazonaws.com/capacityType");
	d->spot = v != NULL && (strcmp(v, "spot") == 0 || strcmp(v, "SPOT") == 0);
	if (d->alloc.v[RES_CPU] == 0 && d->itype == NULL && d->cap.v[RES_CPU] == 0)
		ks_warn(&root->mark, "node %s has neither status.allocatable nor a known "
		    "instance-type label: it can hold no pods", d->name);
	if (d->alloc.v[RES_CPU] == 0 && d->cap.v[RES_CPU] != 0)
		d->alloc = d->cap;
	return 0;
}

static int
load_pdb(const struct yt_node *root, struct ks_pdb **out, struct ks_error *err)
{
	struct ks_pdb *b = xcalloc(1, sizeof(*b));
	const struct yt_node *sp = yt_map_get(root, "spec"), *v;
	int rc;

	*out = b;
	b->mark = root->mark;
	b->min_available = b->max_unavailable = -1;
	if ((rc = load_meta(root, &b->ns, &b->name, err)) != 0)
		return rc;
	if (sp == NULL || yt_expect_map(sp, err) != 0)
		return ks_error_set(err, &root->mark, KS_EINVAL,
		    "expected a spec in PodDisruptionBudget %s", b->name);
	if ((rc = load_label_selector(yt_map_get(sp, "selector"), &b->sel, err)) != 0)
		return rc;
	for (int which = 0; which < 2; which++) {
		const char *s;
		int32_t *dst = which ? &b->max_unavailable : &b->min_available;
		char *end;
		long x;

		v = yt_map_get(sp, which ? "maxUnavailable" : "minAvailable");
		if (v == NULL || yt_is_null(v))
			continue;
		if (yt_get_str(v, &s, err) != 0)
			return KS_EINVAL;
		x = strtol(s, &end, 10);
		if (end == s || (*end != '\0' && strcmp(end, "%") != 0) || x < 0)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected a non-negative integer or percentage, found \"%s\"", s);
		*dst = (int32_t)x;
		b->pct = *end == '%';
	}
	return 0;
}

/* ---- the scenario ---- */

struct loader {
	struct ks_scenario	*s;
	const struct catalog	*cat;
	const char		**pc_names;	/* PriorityClass names */
	int32_t			*pc_values;
	size_t			 npc, pccap;
	const struct yt_node	*scenario;	/* the Scenario document */
	size_t			 wlcap, podcap, nodecap, pdbcap, doccap;
};

static int load_object(struct loader *, const struct yt_node *, struct ks_error *);

static struct ks_doc *
doc_new(const struct yt_node *root, const char *api, const char *kind, struct ks_error *err)
{
	struct ks_doc *d = xcalloc(1, sizeof(*d));

	d->api_version = api;
	d->kind = kind;
	d->root = root;
	d->mark = root->mark;
	if (yt_map_get(root, "metadata") != NULL && load_meta(root, &d->ns, &d->name, err) != 0) {
		free(d);
		return NULL;
	}
	if (d->name == NULL)
		d->name = intern("");
	if (d->ns == NULL)
		d->ns = intern("default");
	return d;
}

/* Parse one object into a creatable thing; used for t=0 and for timeline creates. */
static int
parse_object(struct loader *L, const struct yt_node *root, struct wl_def **wl,
    struct node_def **node, struct ks_pdb **pdb, struct ks_doc **doc, int *skip,
    struct ks_error *err)
{
	const struct yt_node *kn = yt_map_get(root, "kind"), *an = yt_map_get(root, "apiVersion");
	const char *kind, *api = "";
	enum wl_kind wk;

	*wl = NULL;
	*node = NULL;
	*pdb = NULL;
	*doc = NULL;
	*skip = 0;
	if (yt_expect_map(root, err) != 0)
		return KS_EINVAL;
	if (kn == NULL)
		return ks_error_set(err, &root->mark, KS_EINVAL,
		    "expected a Kubernetes object with apiVersion and kind, found no kind");
	if (yt_get_str(kn, &kind, err) != 0)
		return KS_EINVAL;
	if (an != NULL && yt_get_str(an, &api, err) != 0)
		return KS_EINVAL;
	kind = intern(kind);
	api = intern(api);
	wk = wl_kind_of(kind);
	if (wk != WL_KIND_N)
		return load_workload(root, wk, wl, err);
	if (strcmp(kind, "Node") == 0)
		return load_node(root, L->cat, node, err);
	if (strcmp(kind, "PodDisruptionBudget") == 0)
		return load_pdb(root, pdb, err);
	if (in_list(kind, controller_kinds)) {
		*doc = doc_new(root, api, kind, err);
		return *doc == NULL ? KS_EINVAL : 0;
	}
	if (in_list(kind, ignored_kinds)) {
		*skip = 1;
		return 0;
	}
	*skip = 2;
	ks_warn(&root->mark, "unknown kind \"%s\" (apiVersion \"%s\") skipped", kind, api);
	return 0;
}

static int
load_priority_class(struct loader *L, const struct yt_node *root, struct ks_error *err)
{
	const char *ns, *name;
	const struct yt_node *v = yt_map_get(root, "value");
	int64_t x;

	if (load_meta(root, &ns, &name, err) != 0)
		return KS_EINVAL;
	if (v == NULL)
		return ks_error_set(err, &root->mark, KS_EINVAL,
		    "expected a value in PriorityClass %s, found none", name);
	if (yt_get_int64(v, &x, err) != 0)
		return KS_EINVAL;
	if (L->npc >= L->pccap) {
		L->pccap = L->pccap ? 2 * L->pccap : 8;
		L->pc_names = xreallocarray(L->pc_names, L->pccap, sizeof(char *));
		L->pc_values = xreallocarray(L->pc_values, L->pccap, sizeof(int32_t));
	}
	L->pc_names[L->npc] = name;
	L->pc_values[L->npc++] = (int32_t)x;
	return 0;
}

static int
load_object(struct loader *L, const struct yt_node *root, struct ks_error *err)
{
	struct ks_scenario *s = L->s;
	const struct yt_node *kn = yt_map_get(root, "kind"), *an = yt_map_get(root, "apiVersion");
	struct wl_def *wl;
	struct node_def *node;
	struct ks_pdb *pdb;
	struct ks_doc *doc;
	int skip, rc;

	if (yt_expect_map(root, err) != 0)
		return KS_EINVAL;
	if (kn != NULL && kn->str != NULL) {
		if (strcmp(kn->str, "List") == 0 || strcmp(kn->str, "NodeList") == 0 ||
		    strcmp(kn->str, "PodList") == 0) {
			const struct yt_node *items = yt_map_get(root, "items");

			if (items == NULL || yt_is_null(items))
				return 0;
			if (yt_expect_seq(items, err) != 0)
				return KS_EINVAL;
			for (size_t i = 0; i < items->nitems; i++) {
				/* a typed list's items may omit kind */
				if (yt_map_get(items->items[i], "kind") == NULL && strcmp(kn->str, "List") != 0) {
					ks_warn(&items->items[i]->mark, "list item without kind skipped");
					continue;
				}
				if ((rc = load_object(L, items->items[i], err)) != 0)
					return rc;
			}
			return 0;
		}
		if (strcmp(kn->str, "Scenario") == 0 && an != NULL && an->str != NULL &&
		    strncmp(an->str, "ksim/", 5) == 0) {
			if (strcmp(an->str, "ksim/v1alpha1") != 0)
				return ks_error_set(err, &an->mark, KS_EINVAL,
				    "unsupported apiVersion \"%s\": expected ksim/v1alpha1", an->str);
			if (L->scenario != NULL)
				return ks_error_set(err, &root->mark, KS_EINVAL,
				    "a second Scenario document (the first is at %s:%d)",
				    L->scenario->mark.file, L->scenario->mark.line);
			L->scenario = root;
			return 0;
		}
		if (strcmp(kn->str, "PriorityClass") == 0)
			return load_priority_class(L, root, err);
	}
	if ((rc = parse_object(L, root, &wl, &node, &pdb, &doc, &skip, err)) != 0) {
		if (wl != NULL)
			wl_def_free(wl);
		if (node != NULL)
			node_def_free(node);
		if (pdb != NULL) {
			selector_free(&pdb->sel);
			free(pdb);
		}
		return rc;
	}
	if (wl != NULL && wl->kind == WL_POD) {
		if (wl->running < 0) {
			wl_def_free(wl);
			return 0;
		}
		VEC_PUSH(s->pods, s->npods, L->podcap, wl);
	} else if (wl != NULL) {
		for (size_t i = 0; i < s->nwls; i++)
			if (s->wls[i]->kind == wl->kind && s->wls[i]->ns == wl->ns &&
			    s->wls[i]->name == wl->name) {
				rc = ks_error_set(err, load_mark(yt_map_get(yt_map_get(root,
				    "metadata"), "name")), KS_EINVAL,
				    "duplicate %s %s/%s (first at %s:%d)", wl_kind_name[wl->kind],
				    wl->ns, wl->name, s->wls[i]->mark.file, s->wls[i]->mark.line);
				wl_def_free(wl);
				return rc;
			}
		VEC_PUSH(s->wls, s->nwls, L->wlcap, wl);
	}
	if (node != NULL) {
		for (size_t i = 0; i < s->nnodes; i++)
			if (s->nodes[i]->name == node->name) {
				rc = ks_error_set(err, load_mark(yt_map_get(yt_map_get(root,
				    "metadata"), "name")), KS_EINVAL,
				    "duplicate Node %s (first at %s:%d)", node->name,
				    s->nodes[i]->mark.file, s->nodes[i]->mark.line);
				node_def_free(node);
				return rc;
			}
		VEC_PUSH(s->nodes, s->nnodes, L->nodecap, node);
	}
	if (pdb != NULL)
		VEC_PUSH(s->pdbs, s->npdbs, L->pdbcap, pdb);
	if (doc == NULL && skip != 2) {
		/* every known document is kept: controllers read other kinds too
		 * (the Cluster Autoscaler reads its own Deployment's flags) */
		const struct yt_node *an2 = yt_map_get(root, "apiVersion");

		doc = doc_new(root, intern(an2 && an2->str ? an2->str : ""), intern(kn->str), err);
		if (doc == NULL)
			return KS_EINVAL;
	}
	if (doc != NULL)
		VEC_PUSH(s->docs, s->ndocs, L->doccap, doc);
	return 0;
}

static const char *const scenario_keys[] = { "apiVersion", "kind", "metadata", "spec", NULL };
static const char *const spec_keys[] = { "duration", "seed", "region", "nodes", "timing",
	"timeline", "scheduler", "load", "metricsServer", "clusterAutoscaler", "nodeGroups",
	"karpenter", "expect", NULL };
static const char *const nodes_keys[] = { "instanceType", "count", "zone", "capacityType",
	"namePrefix", "labels", "taints", "maxPods", NULL };
static const char *const timing_keys[] = { "imagePull", "images", "containerStart",
	"podShutdown", NULL };
static const char *const action_keys[] = { "at", "create", "delete", "scale", NULL };
static const char *const ref_keys[] = { "kind", "name", "namespace", "replicas", NULL };
static const char *const sched_keys[] = { "scoring", "percentageOfNodesToScore", NULL };

static int
load_static_nodes(struct loader *L, const struct yt_node *n, struct ks_error *err)
{
	struct ks_scenario *s = L->s;

	if (yt_expect_seq(n, err) != 0)
		return KS_EINVAL;
	s->snodes = xcalloc(n->nitems ? n->nitems : 1, sizeof(*s->snodes));
	for (size_t i = 0; i < n->nitems; i++) {
		const struct yt_node *e = n->items[i], *v;
		struct static_nodes *d = &s->snodes[s->nsnodes++];
		const char *str;
		int64_t x;

		d->mark = e->mark;
		d->count = 1;
		if (load_strict(e, nodes_keys, "spec.nodes[]", err) != 0)
			return KS_EINVAL;
		v = yt_map_get(e, "instanceType");
		if (v == NULL)
			return ks_error_set(err, &e->mark, KS_EINVAL,
			    "expected instanceType in spec.nodes[], found none");
		if (yt_get_str(v, &str, err) != 0)
			return KS_EINVAL;
		if (catalog_find(L->cat, str) == NULL)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "unknown instance type \"%s\": not in the catalog", str);
		d->itype = intern(str);
		if ((v = yt_map_get(e, "count")) != NULL) {
			if (yt_get_int64(v, &x, err) != 0)
				return KS_EINVAL;
			if (x < 0 || x > 100000)
				return ks_error_set(err, &v->mark, KS_EINVAL,
				    "count must be between 0 and 100000, found %lld", (long long)x);
			d->count = (int)x;
		}
		if ((v = yt_map_get(e, "zone")) != NULL) {
			if (yt_get_str(v, &str, err) != 0)
				return KS_EINVAL;
			d->zone = intern(str);
		}
		if ((v = yt_map_get(e, "capacityType")) != NULL) {
			if (yt_get_str(v, &str, err) != 0)
				return KS_EINVAL;
			if (strcmp(str, "spot") != 0 && strcmp(str, "on-demand") != 0)
				return ks_error_set(err, &v->mark, KS_EINVAL,
				    "expected capacityType spot or on-demand, found \"%s\"", str);
			d->spot = strcmp(str, "spot") == 0;
		}
		if ((v = yt_map_get(e, "namePrefix")) != NULL) {
			if (yt_get_str(v, &str, err) != 0)
				return KS_EINVAL;
			d->prefix = intern(str);
		}
		if ((v = yt_map_get(e, "maxPods")) != NULL) {
			if (yt_get_int64(v, &x, err) != 0)
				return KS_EINVAL;
			if (x < 1 || x > 1000)
				return ks_error_set(err, &v->mark, KS_EINVAL,
				    "maxPods must be between 1 and 1000, found %lld", (long long)x);
			d->max_pods = (int)x;
		}
		if (load_labels(yt_map_get(e, "labels"), &d->labels, err) != 0 ||
		    load_taints(yt_map_get(e, "taints"), &d->taints, &d->ntaints, err) != 0)
			return KS_EINVAL;
	}
	return 0;
}

static int
load_timing(struct loader *L, const struct yt_node *t, struct ks_error *err)
{
	struct cluster_timing *tm = &L->s->timing;
	const struct yt_node *v;

	if (load_strict(t, timing_keys, "spec.timing", err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(t, "imagePull")) != NULL && yt_get_duration(v, &tm->pull_ms, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(t, "containerStart")) != NULL &&
	    yt_get_duration(v, &tm->start_ms, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(t, "podShutdown")) != NULL &&
	    yt_get_duration(v, &tm->shutdown_ms, err) != 0)
		return KS_EINVAL;
	return load_images(yt_map_get(t, "images"), tm, err);
}

int
load_images(const struct yt_node *v, struct cluster_timing *tm, struct ks_error *err)
{
	if (v == NULL || yt_is_null(v))
		return 0;
	if (yt_expect_map(v, err) != 0)
		return KS_EINVAL;
	tm->img_names = xcalloc(v->npairs ? v->npairs : 1, sizeof(char *));
	tm->img_ms = xcalloc(v->npairs ? v->npairs : 1, sizeof(int64_t));
	for (size_t i = 0; i < v->npairs; i++) {
		const char *img;

		if (yt_get_str(v->pairs[i].key, &img, err) != 0 ||
		    yt_get_duration(v->pairs[i].value, &tm->img_ms[i], err) != 0)
			return KS_EINVAL;
		tm->img_names[tm->nimg++] = intern(img);
	}
	return 0;
}

static int
load_ref(const struct yt_node *r, struct ks_action *a, int want_replicas, struct ks_error *err)
{
	const struct yt_node *v;
	const char *str;

	if (load_strict(r, ref_keys, want_replicas ? "a scale action" : "a delete action", err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(r, "kind")) == NULL || yt_get_str(v, &str, err) != 0)
		return ks_error_set(err, &r->mark, KS_EINVAL, "expected kind in the action's target");
	a->kind = intern(str);
	if ((v = yt_map_get(r, "name")) == NULL || yt_get_str(v, &str, err) != 0)
		return ks_error_set(err, &r->mark, KS_EINVAL, "expected name in the action's target");
	a->name = intern(str);
	a->ns = intern("default");
	if ((v = yt_map_get(r, "namespace")) != NULL) {
		if (yt_get_str(v, &str, err) != 0)
			return KS_EINVAL;
		a->ns = intern(str);
	}
	v = yt_map_get(r, "replicas");
	if (want_replicas) {
		int64_t x;

		if (v == NULL)
			return ks_error_set(err, &r->mark, KS_EINVAL,
			    "expected replicas in the scale action, found none");
		if (yt_get_int64(v, &x, err) != 0)
			return KS_EINVAL;
		if (x < 0)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "replicas must not be negative, found %lld", (long long)x);
		a->replicas = (int32_t)x;
	} else if (v != NULL) {
		return ks_error_set(err, &v->mark, KS_EINVAL, "replicas belongs in a scale action");
	}
	return 0;
}

static int
action_cmp(const void *x, const void *y)
{
	const struct ks_action *a = x, *b = y;

	if (a->at_ms != b->at_ms)
		return a->at_ms < b->at_ms ? -1 : 1;
	/* stable: by position in the file */
	if (a->mark.line != b->mark.line)
		return a->mark.line < b->mark.line ? -1 : 1;
	return a->mark.col < b->mark.col ? -1 : a->mark.col > b->mark.col;
}

static int
load_timeline(struct loader *L, const struct yt_node *t, struct ks_error *err)
{
	struct ks_scenario *s = L->s;

	if (yt_expect_seq(t, err) != 0)
		return KS_EINVAL;
	s->actions = xcalloc(t->nitems ? t->nitems : 1, sizeof(*s->actions));
	for (size_t i = 0; i < t->nitems; i++) {
		const struct yt_node *e = t->items[i], *v;
		struct ks_action *a = &s->actions[s->nactions];
		int n = 0, skip, rc;
		struct ks_pdb *pdb;

		if (load_strict(e, action_keys, "a timeline entry", err) != 0)
			return KS_EINVAL;
		a->mark = e->mark;
		if ((v = yt_map_get(e, "at")) == NULL)
			return ks_error_set(err, &e->mark, KS_EINVAL,
			    "expected \"at\" (a duration such as \"90s\") in the timeline entry");
		if (yt_get_duration(v, &a->at_ms, err) != 0)
			return KS_EINVAL;
		if ((v = yt_map_get(e, "create")) != NULL) {
			n++;
			a->type = ACT_CREATE;
			s->nactions++;
			rc = parse_object(L, v, &a->wl, &a->node, &pdb, &a->doc, &skip, err);
			if (rc != 0)
				return rc;
			if (pdb != NULL) {
				selector_free(&pdb->sel);
				free(pdb);
				return ks_error_set(err, &v->mark, KS_EINVAL,
				    "a PodDisruptionBudget cannot be created on the timeline; declare it at t=0");
			}
			if (skip)
				return ks_error_set(err, &v->mark, KS_EINVAL,
				    "this kind cannot be created on the timeline");
		} else {
			s->nactions++;
		}
		if ((v = yt_map_get(e, "delete")) != NULL) {
			n++;
			a->type = ACT_DELETE;
			if (load_ref(v, a, 0, err) != 0)
				return KS_EINVAL;
		}
		if ((v = yt_map_get(e, "scale")) != NULL) {
			n++;
			a->type = ACT_SCALE;
			if (load_ref(v, a, 1, err) != 0)
				return KS_EINVAL;
		}
		if (n != 1)
			return ks_error_set(err, &e->mark, KS_EINVAL,
			    "expected exactly one of create, delete or scale in the timeline entry, found %d", n);
	}
	qsort(s->actions, s->nactions, sizeof(*s->actions), action_cmp);
	return 0;
}

static int
load_scenario_doc(struct loader *L, const struct yt_node *root, struct ks_error *err)
{
	struct ks_scenario *s = L->s;
	const struct yt_node *sp = yt_map_get(root, "spec"), *v;
	const char *ns, *name;

	s->has_scenario = 1;
	if (load_strict(root, scenario_keys, "the Scenario", err) != 0)
		return KS_EINVAL;
	if (yt_map_get(root, "metadata") != NULL) {
		if (load_meta(root, &ns, &name, err) != 0)
			return KS_EINVAL;
		s->name = name;
	}
	if (sp == NULL || yt_is_null(sp))
		return 0;
	if (load_strict(sp, spec_keys, "the Scenario's spec", err) != 0)
		return KS_EINVAL;
	s->spec = sp;
	s->spec_mark = sp->mark;
	if ((v = yt_map_get(sp, "duration")) != NULL) {
		if (yt_get_duration(v, &s->duration_ms, err) != 0)
			return KS_EINVAL;
		if (s->duration_ms <= 0)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "duration must be positive, found \"%s\"", v->str);
	}
	if ((v = yt_map_get(sp, "seed")) != NULL) {
		int64_t x;

		if (yt_get_int64(v, &x, err) != 0)
			return KS_EINVAL;
		s->seed = (uint64_t)x;
	}
	if ((v = yt_map_get(sp, "region")) != NULL) {
		const char *r;

		if (yt_get_str(v, &r, err) != 0)
			return KS_EINVAL;
		if (!catalog_has_region(L->cat, r))
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "unknown region \"%s\": the catalog has no prices for it", r);
		s->region = intern(r);
	}
	if ((v = yt_map_get(sp, "scheduler")) != NULL) {
		const struct yt_node *sc;

		if (load_strict(v, sched_keys, "spec.scheduler", err) != 0)
			return KS_EINVAL;
		if ((sc = yt_map_get(v, "scoring")) != NULL) {
			const char *str;

			if (yt_get_str(sc, &str, err) != 0)
				return KS_EINVAL;
			if (strcmp(str, "MostAllocated") == 0)
				s->most_allocated = 1;
			else if (strcmp(str, "LeastAllocated") != 0)
				return ks_error_set(err, &sc->mark, KS_EINVAL,
				    "expected scoring LeastAllocated or MostAllocated, found \"%s\"", str);
		}
	}
	if ((v = yt_map_get(sp, "nodes")) != NULL && !yt_is_null(v) && load_static_nodes(L, v, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(sp, "timing")) != NULL && load_timing(L, v, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(sp, "timeline")) != NULL && !yt_is_null(v) && load_timeline(L, v, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(sp, "expect")) != NULL && expect_parse(v, &s->expect, err) != 0)
		return KS_EINVAL;
	return 0;
}

static void
resolve_priorities(struct loader *L, struct ks_podspec *sp)
{
	if (sp == NULL || sp->priority_class == NULL)
		return;
	for (size_t i = 0; i < L->npc; i++)
		if (L->pc_names[i] == sp->priority_class)
			sp->priority = L->pc_values[i];
}

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	char buf[256];
	char *dot;

	snprintf(buf, sizeof(buf), "%s", b ? b + 1 : path);
	dot = strrchr(buf, '.');
	if (dot != NULL)
		*dot = '\0';
	return intern(buf);
}

int
ks_scenario_load(const char *const *files, size_t nfiles, const char *const *sets,
    size_t nsets, const struct catalog *cat, struct ks_scenario **out, struct ks_error *err)
{
	struct loader L;
	struct ks_scenario *s = xcalloc(1, sizeof(*s));
	int rc = 0;

	memset(&L, 0, sizeof(L));
	L.s = s;
	L.cat = cat;
	s->duration_ms = 3600 * 1000;
	s->seed = 1;
	s->region = intern("us-east-1");
	s->timing.pull_ms = 0;
	s->timing.start_ms = 1000;
	s->timing.shutdown_ms = 1000;
	s->timing.sched_retry_ms = 5 * 60 * 1000;
	s->name = nfiles > 0 ? base_name(files[0]) : intern("scenario");
	s->streams = xcalloc(nfiles ? nfiles : 1, sizeof(*s->streams));
	for (size_t f = 0; f < nfiles && rc == 0; f++) {
		struct yt_stream *st;

		if ((rc = yt_load_file(files[f], &st, err)) != 0)
			break;
		s->streams[s->nstreams++] = st;
	}
	/* --set changes the documents before anything reads them */
	if (rc == 0 && nsets > 0)
		rc = override_apply(s->streams, s->nstreams, sets, nsets, err);
	for (size_t f = 0; f < s->nstreams && rc == 0; f++) {
		const struct yt_stream *st = s->streams[f];

		for (size_t d = 0; d < st->ndocs && rc == 0; d++)
			if (st->docs[d].root != NULL)
				rc = load_object(&L, st->docs[d].root, err);
	}
	if (rc == 0 && L.scenario != NULL)
		rc = load_scenario_doc(&L, L.scenario, err);
	if (rc == 0) {
		for (size_t i = 0; i < s->nwls; i++)
			resolve_priorities(&L, s->wls[i]->spec);
		for (size_t i = 0; i < s->npods; i++)
			resolve_priorities(&L, s->pods[i]->spec);
		for (size_t i = 0; i < s->nactions; i++)
			if (s->actions[i].wl != NULL)
				resolve_priorities(&L, s->actions[i].wl->spec);
	}
	free(L.pc_names);
	free(L.pc_values);
	if (rc != 0) {
		ks_scenario_free(s);
		*out = NULL;
		return rc;
	}
	*out = s;
	return 0;
}
