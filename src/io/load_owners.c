/*
 * load_owners.c: owner chains, as the controllers see them in a dump.
 *
 * `kubectl get all -A -o yaml` holds each Deployment, its ReplicaSets and
 * their pods, each Job and the CronJob that made it.  Read as independent
 * workloads they would double the cluster, so the chain is resolved here,
 * once every object of t=0 is loaded:
 *
 *   - A ReplicaSet whose controller is a Deployment of the input is one of
 *     the Deployment's revisions, not a workload: the Deployment's
 *     spec.replicas is what is wanted, and the current revision's
 *     pod-template-hash names the pods it creates.  Old revisions (at 0)
 *     do nothing.
 *   - A pod attaches to its controller through the chain: a pod of a
 *     revision belongs to the Deployment.  A pod of a ReplicaSet the input
 *     lacks belongs to the Deployment its name implies ("web-5d4f8c7b9" ->
 *     "web"), the shape of `kubectl get deploy,pods`.  Its owner counts it
 *     toward its replicas, so the workloads continue from the dump's state.
 *   - A Job whose controller is a CronJob stays a workload (it runs its
 *     pods) and keeps the CronJob's name for the CronJob controller
 *     (cluster/cronjob.c); a finished Job (condition Complete or Failed) is
 *     history and is dropped, as its Succeeded pods are.
 *   - A pod being deleted (metadata.deletionTimestamp) is dropped: its
 *     controller no longer counts it (FilterActivePods) and the snapshot
 *     holds its replacement.  The node gets its room back at t=0, up to a
 *     grace period early.
 *   - Orphans -- no controller, or one the input lacks (a warning when
 *     the input has workloads of that kind; a pods-only snapshot is
 *     silent), or one whose selector no longer matches the pod's labels
 *     (the controller releases such a pod; a warning) -- are workloads or
 *     bare pods of their own.  Bookkeeping kinds (ControllerRevision) are skipped by
 *     the loader.
 *
 * Only ownerReferences with `controller: true` make a chain, as in the
 * controllers' ControllerRef; without one, the first reference is taken
 * (hand-written snapshots omit the flag).  A reference without kind or
 * name, or two controller references, is an error at its line: the API
 * server rejects such an object.  A uid that differs from the owner's is
 * a warning, and the object is an orphan: the garbage collector would
 * delete it, kubectl shows it.
 *
 * Cost: one hash lookup per owner reference (a 150,000-pod snapshot
 * resolves in linear time).
 */
#include "io/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/intern.h"
#include "util/ptrmap.h"

static enum wl_kind
owner_kind(const char *kind)
{
	for (int k = 0; k < WL_KIND_N; k++)
		if (strcmp(kind, wl_kind_name[k]) == 0)
			return (enum wl_kind)k;
	return WL_KIND_N;
}

/* A Job's status: how many pods succeeded; finished when Complete or Failed. */
static int
load_job_status(const struct yt_node *st, struct wl_def *d, struct ks_error *err)
{
	const struct yt_node *v, *conds;
	int64_t x;

	if (st == NULL || st->kind != YT_MAP)
		return 0;
	if ((v = yt_map_get(st, "succeeded")) != NULL && !yt_is_null(v)) {
		if (yt_get_int64(v, &x, err) != 0)
			return KS_EINVAL;
		d->succeeded = (int32_t)x;
	}
	conds = yt_map_get(st, "conditions");
	if (conds == NULL || conds->kind != YT_SEQ)
		return 0;
	for (size_t i = 0; i < conds->nitems; i++) {
		const char *t = NULL, *s = NULL;

		if (conds->items[i]->kind != YT_MAP ||
		    load_str_opt(conds->items[i], "type", &t, err) != 0 ||
		    load_str_opt(conds->items[i], "status", &s, err) != 0)
			return conds->items[i]->kind != YT_MAP ? 0 : KS_EINVAL;
		if (t != NULL && s != NULL && strcmp(s, "True") == 0 &&
		    (strcmp(t, "Complete") == 0 || strcmp(t, "Failed") == 0))
			d->finished = 1;
	}
	return 0;
}

int
load_owner_meta(const struct yt_node *root, struct wl_def *d, struct ks_error *err)
{
	const struct yt_node *md = yt_map_get(root, "metadata"), *owners, *pick = NULL;
	const struct yt_node *lab, *v;
	int ncontrollers = 0;

	if (md == NULL || md->kind != YT_MAP)
		return 0;
	if (load_str_opt(md, "uid", &d->uid, err) != 0)
		return KS_EINVAL;
	v = yt_map_get(md, "deletionTimestamp");
	d->terminating = v != NULL && !yt_is_null(v);
	lab = yt_map_get(md, "labels");
	if (lab != NULL && lab->kind == YT_MAP &&
	    (v = yt_map_get(lab, "pod-template-hash")) != NULL && v->str != NULL)
		d->tmpl_hash = intern(v->str);
	if (d->kind == WL_JOB && load_job_status(yt_map_get(root, "status"), d, err) != 0)
		return KS_EINVAL;
	owners = yt_map_get(md, "ownerReferences");
	if (owners == NULL || yt_is_null(owners))
		return 0;
	if (yt_expect_seq(owners, err) != 0)
		return KS_EINVAL;
	for (size_t i = 0; i < owners->nitems; i++) {
		const struct yt_node *o = owners->items[i], *c;
		const char *k, *n;
		int ctl = 0;

		if (yt_expect_map(o, err) != 0 || load_str_opt(o, "kind", &k, err) != 0 ||
		    load_str_opt(o, "name", &n, err) != 0)
			return KS_EINVAL;
		if (k == NULL || n == NULL)
			return ks_error_set(err, &o->mark, KS_EINVAL,
			    "owner reference without %s: expected apiVersion, kind, name and uid",
			    k == NULL ? "kind" : "name");
		if ((c = yt_map_get(o, "controller")) != NULL && !yt_is_null(c) &&
		    yt_get_bool(c, &ctl, err) != 0)
			return KS_EINVAL;
		if (ctl && ++ncontrollers > 1)
			return ks_error_set(err, &o->mark, KS_EINVAL,
			    "a second owner reference with controller: true (%s %s): "
			    "only one reference can be the controller", k, n);
		if (ctl || pick == NULL)
			pick = o;
	}
	if (pick == NULL)
		return 0;
	if (load_str_opt(pick, "kind", &d->owner_kind_name, err) != 0 ||
	    load_str_opt(pick, "name", &d->owner_name, err) != 0 ||
	    load_str_opt(pick, "uid", &d->owner_uid, err) != 0)
		return KS_EINVAL;
	d->owner_kind = owner_kind(d->owner_kind_name);
	return 0;
}

/* The workloads of t=0 by kind, namespace and name (interned keys). */
struct owner_index {
	struct ptrmap	 map;		/* interned "kind/ns/name" -> struct wl_def */
	unsigned	 kinds;		/* bit k: the input has a workload of kind k */
};

static const char *
def_key(enum wl_kind k, const char *ns, const char *name)
{
	char buf[600];

	snprintf(buf, sizeof(buf), "%d/%s/%s", (int)k, ns, name);
	return intern(buf);
}

static struct wl_def *
find_def(const struct owner_index *ix, enum wl_kind k, const char *ns, const char *name)
{
	return ptrmap_get(&ix->map, def_key(k, ns, name));
}

/* The owner reference's uid, when both sides have one, names another object. */
static int
uid_differs(const struct wl_def *d, const struct wl_def *owner)
{
	return d->owner_uid != NULL && owner->uid != NULL && d->owner_uid != owner->uid;
}

static void
orphan(struct wl_def *d)
{
	d->owner_kind = WL_POD;
	d->owner_name = NULL;
	d->owner_kind_name = NULL;
}

static void
resolve_workload(const struct owner_index *ix, struct wl_def *d)
{
	struct wl_def *dep;

	if (d->owner_kind_name == NULL || d->kind != WL_REPLICASET ||
	    strcmp(d->owner_kind_name, "Deployment") != 0)
		return;
	dep = find_def(ix, WL_DEPLOYMENT, d->ns, d->owner_name);
	if (dep == NULL) {
		ks_warn(&d->mark, "ReplicaSet %s/%s is owned by Deployment %s, which the input "
		    "does not have: the ReplicaSet runs on its own", d->ns, d->name, d->owner_name);
		orphan(d);
		return;
	}
	if (uid_differs(d, dep)) {
		ks_warn(&d->mark, "ReplicaSet %s/%s names Deployment %s with uid %s, but the "
		    "Deployment's uid is %s: the ReplicaSet runs on its own", d->ns, d->name,
		    dep->name, d->owner_uid, dep->uid);
		orphan(d);
		return;
	}
	d->revision_of = dep;
	if (d->replicas > 0 && d->tmpl_hash != NULL)
		dep->tmpl_hash = d->tmpl_hash;	/* the current revision */
}

/* "web-5d4f8c7b9" -> Deployment "web", when the input has it. */
static struct wl_def *
implied_deployment(const struct owner_index *ix, const struct wl_def *p)
{
	const char *dash = strrchr(p->owner_name, '-');
	char dep[256];

	if (dash == NULL)
		return NULL;
	snprintf(dep, sizeof(dep), "%.*s", (int)(dash - p->owner_name), p->owner_name);
	return find_def(ix, WL_DEPLOYMENT, p->ns, intern(dep));
}

/* The input has workloads of kind k (a ReplicaSet's pods: or Deployments). */
static int
has_kind(const struct owner_index *ix, enum wl_kind k)
{
	return (ix->kinds & (1u << k)) != 0 ||
	    (k == WL_REPLICASET && (ix->kinds & (1u << WL_DEPLOYMENT)) != 0);
}

static void
resolve_pod(const struct owner_index *ix, struct wl_def *p)
{
	struct wl_def *o;

	if (p->owner_kind_name == NULL || p->owner_kind >= WL_KIND_N)
		return;		/* bare, or owned by a kind ksim does not run (a CRD) */
	o = find_def(ix, p->owner_kind, p->ns, p->owner_name);
	if (o != NULL && uid_differs(p, o)) {
		ks_warn(&p->mark, "pod %s/%s names %s %s with uid %s, but its uid is %s: "
		    "the pod runs as a bare pod", p->ns, p->name, p->owner_kind_name,
		    o->name, p->owner_uid, o->uid);
		orphan(p);
		return;
	}
	if (o != NULL && o->revision_of != NULL)
		o = o->revision_of;
	else if (o == NULL && p->owner_kind == WL_REPLICASET)
		o = implied_deployment(ix, p);
	if (o == NULL && has_kind(ix, p->owner_kind)) {
		ks_warn(&p->mark, "pod %s/%s is owned by %s %s, which the input does not have: "
		    "it runs as a bare pod", p->ns, p->name, p->owner_kind_name, p->owner_name);
		return;		/* run.c finds no owner either */
	}
	if (o == NULL)
		return;		/* a pods-only snapshot: a bare pod, as expected */
	if (o->kind != WL_JOB && !selector_matches(&o->sel, &p->spec->labels)) {
		ks_warn(&p->mark, "pod %s/%s is owned by %s %s, whose selector does not match "
		    "its labels: the controller releases it, and it runs as a bare pod",
		    p->ns, p->name, p->owner_kind_name, p->owner_name);
		orphan(p);
		return;
	}
	p->owner_kind = o->kind;
	p->owner_name = o->name;
}

static void
index_add(struct owner_index *ix, struct wl_def *d)
{
	const char *k = def_key(d->kind, d->ns, d->name);

	if (ptrmap_get(&ix->map, k) == NULL)
		ptrmap_put(&ix->map, k, d);
	ix->kinds |= 1u << d->kind;
}

void
load_owners_resolve(struct ks_scenario *s)
{
	struct owner_index ix;
	size_t k = 0;

	memset(&ix, 0, sizeof(ix));
	for (size_t i = 0; i < s->nwls; i++)
		index_add(&ix, s->wls[i]);
	for (size_t i = 0; i < s->nactions; i++)	/* workloads the timeline creates */
		if (s->actions[i].wl != NULL && s->actions[i].wl->kind != WL_POD)
			index_add(&ix, s->actions[i].wl);
	for (size_t i = 0; i < s->nwls; i++)
		resolve_workload(&ix, s->wls[i]);
	for (size_t i = 0; i < s->npods; i++)
		resolve_pod(&ix, s->pods[i]);
	for (size_t i = 0; i < s->nactions; i++)	/* pods the timeline creates */
		if (s->actions[i].wl != NULL && s->actions[i].wl->kind == WL_POD)
			resolve_pod(&ix, s->actions[i].wl);
	ptrmap_free(&ix.map);
	/* a terminating pod: its controller no longer counts it and has made
	 * its replacement, which the snapshot holds */
	for (size_t i = 0; i < s->npods; i++) {
		if (s->pods[i]->terminating)
			wl_def_free(s->pods[i]);
		else
			s->pods[k++] = s->pods[i];
	}
	s->npods = k;
	k = 0;
	/* revisions and finished Jobs are no workloads of their own */
	for (size_t i = 0; i < s->nwls; i++) {
		struct wl_def *d = s->wls[i];

		if (d->revision_of != NULL || (d->kind == WL_JOB && d->finished))
			wl_def_free(d);
		else
			s->wls[k++] = d;
	}
	s->nwls = k;
}
