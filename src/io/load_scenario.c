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
 *
 * Lenient about fields, not about values: what the API server would refuse
 * is refused here, in its words where it has them, so a scenario never
 * simulates a cluster that cannot exist.  Names are RFC 1123 subdomains and
 * namespaces labels; one object per kind, namespace and name (a hash set,
 * so a 40,000-pod dump stays linear); an apps/v1 selector must select its
 * template.  spec.limits bounds the cost of a run (pods declared, simulated
 * time, labels per map) and is read before any object, so that hostile but
 * valid input is refused before it is expensive.
 */
#include "io/load.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ctl.h"
#include "cloud/catalog.h"
#include "cluster/quantity.h"
#include "io/expect.h"
#include "io/override.h"
#include "util/duration.h"
#include "util/intern.h"
#include "util/ptrmap.h"
#include "util/xmalloc.h"

/* Kinds that have no effect on scheduling or autoscaling: accepted, skipped. */
static const char *const ignored_kinds[] = {
	"Namespace", "Service", "ServiceAccount", "ConfigMap", "Secret", "ClusterRole",
	"ClusterRoleBinding", "Role", "RoleBinding", "Ingress", "NetworkPolicy",
	"PersistentVolumeClaim", "PersistentVolume", "StorageClass", "Endpoints",
	"EndpointSlice", "CustomResourceDefinition", "Lease", "Event", "LimitRange",
	"ResourceQuota", "ControllerRevision", "PodTemplate", NULL
};

static int
in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* A kind a controller parses (kept as documents): each declares its own in its ops. */
static int
controller_kind(const char *kind)
{
	for (size_t i = 0; ctl_table[i] != NULL; i++)
		if (ctl_table[i]->kinds != NULL && in_list(kind, ctl_table[i]->kinds))
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

void
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
	free(s->pc_names);
	free(s->pc_values);
	free(s->timing.img_names);
	free(s->timing.img_ms);
	expect_set_free(s->expect);
	for (size_t i = 0; i < s->nstreams; i++)
		yt_stream_free(s->streams[i]);
	free(s->streams);
	free(s);
}

/* ---- objects ---- */

/*
 * apps/v1 validation (ValidateDeploymentSpec and its siblings): the
 * selector is required and must select the template's labels, in the API
 * server's words: `spec.template.metadata.labels: Invalid value:
 * map[string]string{"app":"web"}: `selector` does not match template
 * `labels``.  The labels are printed as Go's %#v does, sorted by key.
 */
static int
check_selector(const struct yt_node *sel, const struct yt_node *tmpl, const struct wl_def *d,
    struct ks_error *err)
{
	const struct ks_labels *l = &d->spec->labels;
	const struct yt_node *at;
	char buf[160];
	size_t len;

	if (sel == NULL || yt_is_null(sel))
		return ks_error_set(err, load_mark(yt_map_get(tmpl, "metadata") ?
		    yt_map_get(tmpl, "metadata") : tmpl), KS_EINVAL, "spec.selector: Required value");
	if (selector_matches(&d->sel, l))
		return 0;
	len = (size_t)snprintf(buf, sizeof(buf), "map[string]string{");
	for (size_t i = 0; i < l->n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\"%s\":\"%s\"",
		    i ? ", " : "", l->v[i].key, l->v[i].val);
	if (len < sizeof(buf))
		snprintf(buf + len, sizeof(buf) - len, "}");
	at = yt_map_get(yt_map_get(tmpl, "metadata"), "labels");
	return ks_error_set(err, load_mark(at ? at : tmpl), KS_EINVAL,
	    "spec.template.metadata.labels: Invalid value: %s: `selector` does not match "
	    "template `labels`", buf);
}

/* A Job's spec (parallelism, completions) and the ksim.io/run-duration
 * annotation of ann: a Job, or a CronJob's jobTemplate. */
int
load_job_spec(const struct yt_node *sp, const struct yt_node *ann, struct wl_def *d,
    struct ks_error *err)
{
	const struct yt_node *v;
	int64_t x;

	if ((v = yt_map_get(sp, "parallelism")) != NULL && !yt_is_null(v)) {
		if (load_int_in(v, "parallelism", 0, INT32_MAX, &x, err) != 0)
			return KS_EINVAL;
		d->replicas = (int32_t)x;
		d->count_mark = v->mark;
	}
	if ((v = yt_map_get(sp, "completions")) != NULL && !yt_is_null(v)) {
		if (load_int_in(v, "completions", 0, INT32_MAX, &x, err) != 0)
			return KS_EINVAL;
		d->completions = (int32_t)x;
		if (x > d->replicas)
			d->count_mark = v->mark;
	}
	if ((v = yt_map_get(ann, "ksim.io/run-duration")) != NULL &&
	    load_duration_nonneg(v, "ksim.io/run-duration", &d->run_ms, err) != 0)
		return KS_EINVAL;
	return 0;
}

static int
load_workload(const struct yt_node *root, enum wl_kind kind, struct wl_def **out,
    struct ks_error *err)
{
	struct wl_def *d = xcalloc(1, sizeof(*d));
	const struct yt_node *sp = yt_map_get(root, "spec"), *tmpl, *v;
	int rc;

	*out = d;
	d->kind = kind;
	d->mark = d->count_mark = root->mark;
	d->replicas = 1;
	d->run_ms = -1;
	d->completions = -1;
	d->owner_kind = WL_POD;
	if ((rc = load_meta(root, &d->ns, &d->name, err)) != 0 ||
	    (rc = load_owner_meta(root, d, err)) != 0)
		return rc;
	d->spec = xcalloc(1, sizeof(*d->spec));
	if (kind == WL_POD) {
		const struct yt_node *st = yt_map_get(root, "status");
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
		rc = load_job_spec(sp, yt_map_get(yt_map_get(root, "metadata"), "annotations"), d, err);
		if (rc != 0)
			return rc;
	} else if ((v = yt_map_get(sp, "replicas")) != NULL && !yt_is_null(v)) {
		int64_t x;

		if (load_int_in(v, "replicas", 0, INT32_MAX, &x, err) != 0)
			return KS_EINVAL;
		d->replicas = (int32_t)x;
		d->count_mark = v->mark;
	}
	if (kind == WL_DAEMONSET)
		d->spec->is_daemon = 1;
	if (kind != WL_JOB) {
		v = yt_map_get(sp, "selector");
		if ((rc = load_label_selector(v, &d->sel, err)) != 0)
			return rc;
		if ((rc = check_selector(v, tmpl, d, err)) != 0)
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
		errno = 0;
		x = strtol(s, &end, 10);
		if (end == s || (*end != '\0' && strcmp(end, "%") != 0) || x < 0)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected a non-negative integer or percentage, found \"%s\"", s);
		if (errno == ERANGE || x > (*end == '%' ? 100 : INT32_MAX))
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "%s must be at most %s, found \"%s\"",
			    which ? "maxUnavailable" : "minAvailable",
			    *end == '%' ? "100%" : "2147483647", s);
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
	const char		*item_kind;	/* a typed list's item kind, for items without one */
	const char		*item_api;	/* and its apiVersion */
	size_t			 wlcap, podcap, nodecap, pdbcap, doccap;
	struct ptrmap		 names;		/* interned "kind/ns/name" -> first object's root */
};

/* Kinds without a namespace: their names are unique cluster-wide. */
static const char *const cluster_kinds[] = {
	"Node", "Namespace", "PersistentVolume", "StorageClass", "ClusterRole",
	"ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass", "NodePool",
	"EC2NodeClass", "NodeClaim", "Provisioner", "AWSNodeTemplate", NULL
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
	if (kn == NULL && L->item_kind == NULL)
		return ks_error_set(err, &root->mark, KS_EINVAL,
		    "expected a Kubernetes object with apiVersion and kind, found no kind");
	if (kn == NULL)
		kind = L->item_kind;
	else if (yt_get_str(kn, &kind, err) != 0)
		return KS_EINVAL;
	if (an == NULL && kn == NULL)
		api = L->item_api;
	else if (an != NULL && yt_get_str(an, &api, err) != 0)
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
	if (controller_kind(kind)) {
		*doc = doc_new(root, api, kind, err);
		if (*doc != NULL && load_compat(*doc)) {
			free(*doc);	/* an old version ksim cannot read: warned */
			*doc = NULL;
			*skip = 2;
		}
		return *doc == NULL && *skip == 0 ? KS_EINVAL : 0;
	}
	if (in_list(kind, ignored_kinds)) {
		*skip = 1;
		return 0;
	}
	*skip = 2;
	ks_warn(&root->mark, "unknown kind \"%s\" (apiVersion \"%s\") skipped", kind, api);
	return 0;
}

/*
 * The API server's AlreadyExists: one object per kind, namespace and name
 * (per kind and name for cluster-scoped kinds).  A name made from
 * generateName is unique by construction and not checked.  Linear: one
 * hash lookup per object, so a 40,000-pod dump costs nothing noticeable.
 */
static int
check_unique(struct loader *L, const struct yt_node *root, const char *kind, const char *ns,
    const char *name, struct ks_error *err)
{
	const struct yt_node *nn = yt_map_get(yt_map_get(root, "metadata"), "name");
	const struct yt_node *first;
	int cluster = in_list(kind, cluster_kinds);
	const char *key;
	char *buf;
	size_t n;

	if (nn == NULL || name == NULL || name[0] == '\0')
		return 0;
	n = strlen(kind) + strlen(ns) + strlen(name) + 3;
	buf = xmalloc(n);
	snprintf(buf, n, "%s/%s/%s", kind, cluster ? "" : ns, name);
	key = intern(buf);
	free(buf);
	if ((first = ptrmap_get(&L->names, key)) == NULL) {
		ptrmap_put(&L->names, key, (void *)(uintptr_t)root);
		return 0;
	}
	if (cluster)
		return ks_error_set(err, &nn->mark, KS_EINVAL, "duplicate %s %s (first at %s:%d)",
		    kind, name, first->mark.file, first->mark.line);
	return ks_error_set(err, &nn->mark, KS_EINVAL, "duplicate %s %s/%s (first at %s:%d)",
	    kind, ns, name, first->mark.file, first->mark.line);
}

/* An RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 bytes. */
static int
is_dns_label(const char *s, size_t n)
{
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* An RFC 1123 subdomain: labels joined by '.', at most 253 bytes. */
static int
is_dns_subdomain(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253)
		return 0;
	for (const char *p = s, *dot; ; p = dot + 1) {
		dot = strchr(p, '.');
		if (!is_dns_label(p, dot ? (size_t)(dot - p) : strlen(p)))
			return 0;
		if (dot == NULL)
			return 1;
	}
}

/*
 * The API server's name rules (ValidateObjectMeta): the kinds ksim models
 * take an RFC 1123 subdomain as name (NameIsDNSSubdomain: pods, workloads,
 * nodes, PDBs, priority classes, autoscalers) and a namespace is an RFC
 * 1123 label.  The wording is upstream's, without the regex (which would
 * not fit a message).  A name from generateName is not checked.
 */
static int
check_name(const struct yt_node *root, const char *ns, const char *name, struct ks_error *err)
{
	const struct yt_node *md = yt_map_get(root, "metadata");
	const struct yt_node *nn = yt_map_get(md, "name"), *nsn = yt_map_get(md, "namespace");
	char buf[64];	/* yt_describe cuts at 40 bytes: the message fits in 256 */

	if (nn != NULL && name != NULL && !is_dns_subdomain(name))
		return ks_error_set(err, &nn->mark, KS_EINVAL, strlen(name) > 253 ?
		    "metadata.name: Invalid value: %s: must be no more than 253 characters" :
		    "metadata.name: Invalid value: %s: a lowercase RFC 1123 subdomain must consist "
		    "of lower case alphanumeric characters, '-' or '.', and must start and end with "
		    "an alphanumeric character (e.g. 'example.com')", yt_describe(nn, buf, sizeof(buf)));
	if (nsn != NULL && ns != NULL && !is_dns_label(ns, strlen(ns)))
		return ks_error_set(err, &nsn->mark, KS_EINVAL, strlen(ns) > 63 ?
		    "metadata.namespace: Invalid value: %s: must be no more than 63 characters" :
		    "metadata.namespace: Invalid value: %s: a lowercase RFC 1123 label must consist "
		    "of lower case alphanumeric characters or '-', and must start and end with an "
		    "alphanumeric character (e.g. 'my-name',  or '123-abc')",
		    yt_describe(nsn, buf, sizeof(buf)));
	return 0;
}

static int
load_priority_class(struct loader *L, const struct yt_node *root, struct ks_error *err)
{
	const char *ns, *name;
	const struct yt_node *v = yt_map_get(root, "value");
	int64_t x;

	if (load_meta(root, &ns, &name, err) != 0 || check_name(root, NULL, name, err) != 0 ||
	    check_unique(L, root, intern("PriorityClass"), ns, name, err) != 0)
		return KS_EINVAL;
	if (v == NULL)
		return ks_error_set(err, &root->mark, KS_EINVAL,
		    "expected a value in PriorityClass %s, found none", name);
	if (load_int_in(v, "value", INT32_MIN, INT32_MAX, &x, err) != 0)
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

/* One item of a List or typed list (load_list_items' callback). */
static int
list_item(void *arg, const struct yt_node *item, const char *kind, const char *api,
    struct ks_error *err)
{
	struct loader *L = arg;
	const char *ok = L->item_kind, *oa = L->item_api;
	int rc;

	L->item_kind = kind;
	L->item_api = api;
	rc = load_object(L, item, err);
	L->item_kind = ok;
	L->item_api = oa;
	return rc;
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
	const char *kstr;
	int skip, rc;

	if (yt_expect_map(root, err) != 0)
		return KS_EINVAL;
	kstr = kn != NULL && kn->str != NULL ? kn->str : kn == NULL ? L->item_kind : NULL;
	if (kstr != NULL) {
		if (load_is_list(root))
			return load_list_items(root, list_item, L, err);
		if (strcmp(kstr, "Scenario") == 0 && an != NULL && an->str != NULL &&
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
		if (strcmp(kstr, "PriorityClass") == 0)
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
	if (wl != NULL && wl->kind == WL_POD && wl->running < 0) {
		wl_def_free(wl);	/* a finished snapshot pod */
		return 0;
	}
	if (doc == NULL && skip != 2) {
		/* every known document is kept: controllers read other kinds too
		 * (the Cluster Autoscaler reads its own Deployment's flags) */
		const struct yt_node *an2 = yt_map_get(root, "apiVersion");

		doc = doc_new(root, intern(an2 && an2->str ? an2->str : L->item_api ? L->item_api : ""),
		    intern(kn != NULL && kn->str != NULL ? kn->str : L->item_kind), err);
		if (doc == NULL)
			return KS_EINVAL;
	}
	if ((doc == NULL && skip != 2) ||
	    (doc != NULL && skip == 0 && check_name(root, doc->ns, doc->name, err) != 0) ||
	    (doc != NULL && check_unique(L, root, doc->kind, doc->ns, doc->name, err) != 0)) {
		wl_def_free(wl);
		node_def_free(node);
		if (pdb != NULL)
			selector_free(&pdb->sel);
		free(pdb);
		free(doc);
		return KS_EINVAL;
	}
	if (wl != NULL && wl->kind == WL_POD)
		VEC_PUSH(s->pods, s->npods, L->podcap, wl);
	else if (wl != NULL)
		VEC_PUSH(s->wls, s->nwls, L->wlcap, wl);
	if (node != NULL)
		VEC_PUSH(s->nodes, s->nnodes, L->nodecap, node);
	if (pdb != NULL)
		VEC_PUSH(s->pdbs, s->npdbs, L->pdbcap, pdb);
	if (doc != NULL)
		VEC_PUSH(s->docs, s->ndocs, L->doccap, doc);
	return 0;
}

static const char *const scenario_keys[] = { "apiVersion", "kind", "metadata", "spec", NULL };
static const char *const spec_keys_own[] = { "duration", "seed", "region", "nodes", "timing",
	"timeline", "scheduler", "load", "metricsServer", NULL };
static const char *const spec_keys_last[] = { "expect", "strict", "limits", NULL };

/*
 * The keys the Scenario's spec allows, NULL-terminated in keys[cap]: ours,
 * then each controller's (its ops declare them) in table order, then the
 * expectations, strict and limits; the error naming them lists them in this order.
 */
static const char *const *
spec_keys(const char **keys, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; spec_keys_own[i] != NULL; i++)
		keys[n++] = spec_keys_own[i];
	for (size_t i = 0; ctl_table[i] != NULL; i++)
		for (size_t k = 0; ctl_table[i]->spec_keys != NULL &&
		    ctl_table[i]->spec_keys[k] != NULL; k++) {
			assert(n + 1 < cap);
			keys[n++] = ctl_table[i]->spec_keys[k];
		}
	for (size_t i = 0; spec_keys_last[i] != NULL; i++) {
		assert(n + 1 < cap);
		keys[n++] = spec_keys_last[i];
	}
	keys[n] = NULL;
	return keys;
}

static const char *const limits_keys[] = { "maxPods", "maxDuration", "maxLabels", NULL };
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
	if ((v = yt_map_get(t, "imagePull")) != NULL &&
	    load_duration_nonneg(v, "imagePull", &tm->pull_ms, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(t, "containerStart")) != NULL &&
	    load_duration_nonneg(v, "containerStart", &tm->start_ms, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(t, "podShutdown")) != NULL &&
	    load_duration_nonneg(v, "podShutdown", &tm->shutdown_ms, err) != 0)
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
		    load_duration_nonneg(v->pairs[i].value, "an image's pull time", &tm->img_ms[i],
		    err) != 0)
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
		if (load_int_in(v, "replicas", 0, INT32_MAX, &x, err) != 0)
			return KS_EINVAL;
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
		if (load_duration_nonneg(v, "at", &a->at_ms, err) != 0)
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
			if (a->wl != NULL && check_name(v, a->wl->ns, a->wl->name, err) != 0)
				return KS_EINVAL;
			if (a->node != NULL && check_name(v, NULL, a->node->name, err) != 0)
				return KS_EINVAL;
			if (a->doc != NULL && check_name(v, a->doc->ns, a->doc->name, err) != 0)
				return KS_EINVAL;
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
	const char *ns, *name, *keys[48];

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
	if (load_strict(sp, spec_keys(keys, sizeof(keys) / sizeof(keys[0])),
	    "the Scenario's spec", err) != 0)
		return KS_EINVAL;
	s->spec = sp;
	s->spec_mark = sp->mark;
	if ((v = yt_map_get(sp, "duration")) != NULL) {
		if (yt_get_duration(v, &s->duration_ms, err) != 0)
			return KS_EINVAL;
		if (s->duration_ms <= 0)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "duration must be positive, found \"%s\"", v->str);
		s->duration_mark = v->mark;
		if (ks_scenario_check_duration(s, NULL, err) != 0)
			return KS_EINVAL;
	}
	if ((v = yt_map_get(sp, "seed")) != NULL) {
		int64_t x;

		if (load_int_in(v, "seed", 0, INT64_MAX, &x, err) != 0)
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

/*
 * spec.limits, read before any object so that load_labels knows its bound.
 * Defaults when there is no Scenario or no limits block.
 */
static int
load_limits(const struct yt_node *scenario, struct ks_limits *lim, struct ks_error *err)
{
	const struct yt_node *l = yt_map_get(yt_map_get(scenario, "spec"), "limits"), *v;

	memset(lim, 0, sizeof(*lim));
	lim->max_pods = KS_DEFAULT_MAX_PODS;
	lim->max_duration_ms = KS_DEFAULT_MAX_DURATION_MS;
	lim->max_labels = KS_DEFAULT_MAX_LABELS;
	if (l == NULL || yt_is_null(l))
		return 0;
	if (load_strict(l, limits_keys, "spec.limits", err) != 0)
		return KS_EINVAL;
	lim->mark = l->mark;
	if ((v = yt_map_get(l, "maxPods")) != NULL &&
	    load_int_in(v, "maxPods", 1, KS_CEIL_MAX_PODS, &lim->max_pods, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(l, "maxLabels")) != NULL &&
	    load_int_in(v, "maxLabels", 1, KS_CEIL_MAX_LABELS, &lim->max_labels, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(l, "maxDuration")) != NULL) {
		char buf[64];

		if (yt_get_duration(v, &lim->max_duration_ms, err) != 0)
			return KS_EINVAL;
		if (lim->max_duration_ms <= 0 || lim->max_duration_ms > KS_CEIL_MAX_DURATION_MS)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "maxDuration must be positive and at most 87600h (10 years), found %s",
			    yt_describe(v, buf, sizeof(buf)));
	}
	return 0;
}

/* The first Scenario document of the streams, or NULL. */
static const struct yt_node *
find_scenario(const struct ks_scenario *s)
{
	for (size_t f = 0; f < s->nstreams; f++)
		for (size_t d = 0; d < s->streams[f]->ndocs; d++) {
			const struct yt_node *r = s->streams[f]->docs[d].root;
			const struct yt_node *k = yt_map_get(r, "kind"), *a = yt_map_get(r, "apiVersion");

			if (k != NULL && k->str != NULL && strcmp(k->str, "Scenario") == 0 &&
			    a != NULL && a->str != NULL && strncmp(a->str, "ksim/", 5) == 0)
				return r;
		}
	return NULL;
}

int
ks_scenario_check_duration(const struct ks_scenario *s, const char *what, struct ks_error *err)
{
	char d[32], m[32];

	if (s->duration_ms <= s->limits.max_duration_ms)
		return 0;
	ks_duration_format(s->duration_ms, d, sizeof(d));
	ks_duration_format(s->limits.max_duration_ms, m, sizeof(m));
	return ks_error_set(err, what != NULL ? NULL : &s->duration_mark, KS_EINVAL,
	    "%s %s is longer than spec.limits.maxDuration (%s): raise the limit to "
	    "simulate longer", what ? what : "duration", d, m);
}

/* One workload's pods in the sum: its largest declared count. */
static int
count_pods(struct ptrmap *seen, int64_t *slots, size_t *nslots, const char *kind,
    const char *ns, const char *name, int64_t n, const struct ks_mark *at,
    const struct ks_scenario *s, int64_t *total, struct ks_error *err)
{
	size_t len = strlen(kind) + strlen(ns) + strlen(name) + 3;
	char *buf = xmalloc(len);
	const char *key;
	int64_t *slot;

	snprintf(buf, len, "%s/%s/%s", kind, ns, name);
	key = intern(buf);
	free(buf);
	if ((slot = ptrmap_get(seen, key)) == NULL) {
		slot = &slots[(*nslots)++];
		ptrmap_put(seen, key, slot);
	}
	if (n > *slot) {
		*total += n - *slot;
		*slot = n;
	}
	if (*total > s->limits.max_pods)
		return ks_error_set(err, at, KS_EINVAL, "the scenario declares %lld pods, more than "
		    "spec.limits.maxPods (%lld): raise the limit to simulate more",
		    (long long)*total, (long long)s->limits.max_pods);
	return 0;
}

/*
 * spec.limits.maxPods: bare pods plus, for each workload, the most
 * replicas it is declared with (at t=0, created or scaled on the timeline;
 * a Job's parallelism or completions).  DaemonSets follow the node count,
 * which is bounded on its own.  Controllers may scale beyond this.
 */
static int
check_pods(const struct ks_scenario *s, struct ks_error *err)
{
	struct ptrmap seen = { 0 };
	int64_t *slots = xcalloc(s->nwls + s->nactions + 1, sizeof(*slots));
	int64_t total = (int64_t)s->npods;
	size_t nslots = 0;
	int rc = 0;

	for (size_t i = 0; i < s->nwls + s->nactions && rc == 0; i++) {
		const struct ks_action *a = i >= s->nwls ? &s->actions[i - s->nwls] : NULL;
		const struct wl_def *w = a == NULL ? s->wls[i] : a->wl;
		int64_t n;

		if (a != NULL && a->type == ACT_SCALE) {
			rc = count_pods(&seen, slots, &nslots, a->kind, a->ns, a->name, a->replicas,
			    &a->mark, s, &total, err);
			continue;
		}
		if (w == NULL || w->kind == WL_DAEMONSET)
			continue;
		n = w->kind == WL_JOB && w->completions > w->replicas ? w->completions : w->replicas;
		rc = count_pods(&seen, slots, &nslots, wl_kind_name[w->kind], w->ns, w->name, n,
		    &w->count_mark, s, &total, err);
	}
	ptrmap_free(&seen);
	free(slots);
	return rc;
}

void
ks_scenario_priority(const struct ks_scenario *s, struct ks_podspec *sp)
{
	if (sp == NULL || sp->priority_class == NULL)
		return;
	for (size_t i = 0; i < s->npc; i++)
		if (s->pc_names[i] == sp->priority_class)
			sp->priority = s->pc_values[i];
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
	s->name = nfiles > 0 && strcmp(files[0], "-") != 0 ? base_name(files[0]) : intern("scenario");
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
	if (rc == 0)
		rc = load_limits(find_scenario(s), &s->limits, err);
	load_set_max_labels(rc == 0 ? s->limits.max_labels : KS_DEFAULT_MAX_LABELS);
	for (size_t f = 0; f < s->nstreams && rc == 0; f++) {
		const struct yt_stream *st = s->streams[f];

		for (size_t d = 0; d < st->ndocs && rc == 0; d++)
			if (st->docs[d].root != NULL)
				rc = load_object(&L, st->docs[d].root, err);
	}
	if (rc == 0 && L.scenario != NULL)
		rc = load_scenario_doc(&L, L.scenario, err);
	if (rc == 0)
		load_owners_resolve(s);
	if (rc == 0)
		rc = check_pods(s, err);
	/* the scenario keeps the PriorityClasses: the CronJob controller's Jobs need them */
	s->pc_names = L.pc_names;
	s->pc_values = L.pc_values;
	s->npc = L.npc;
	if (rc == 0) {
		for (size_t i = 0; i < s->nwls; i++)
			ks_scenario_priority(s, s->wls[i]->spec);
		for (size_t i = 0; i < s->npods; i++)
			ks_scenario_priority(s, s->pods[i]->spec);
		for (size_t i = 0; i < s->nactions; i++)
			if (s->actions[i].wl != NULL)
				ks_scenario_priority(s, s->actions[i].wl->spec);
	}
	ptrmap_free(&L.names);
	if (rc != 0) {
		ks_scenario_free(s);
		*out = NULL;
		return rc;
	}
	*out = s;
	return 0;
}
