/*
 * cluster.c: the object model and the pod lifecycle.
 *
 * What it models: the part of Kubernetes between the API server and the
 * kubelet that every autoscaler depends on: the ReplicaSet, StatefulSet,
 * Job and DaemonSet controllers keeping pods in line with their specs, and
 * a pod's life on a node (kubelet pulls images serially, as with the
 * default serializeImagePulls=true, starts containers, becomes Ready after
 * the readiness delay; on deletion it gets SIGTERM and is gone after its
 * containers exit, at most terminationGracePeriodSeconds later).
 *
 * Upstream behaviour reproduced:
 *  - ReplicaSet counts only active pods (not terminating), so a deleted pod
 *    is replaced at once (pkg/controller/replicaset); scale-down deletes the
 *    pods controller.ActivePods ranks first: unassigned, then pending, then
 *    not ready, then the newest.
 *  - StatefulSet (OrderedReady): ordinal i is created only when 0..i-1 are
 *    Running and Ready; a deleted ordinal is recreated with the same name
 *    only after the old pod is gone; scale-down removes the highest first.
 *  - A Kubeflow Notebook is a StatefulSet of one replica (the notebook
 *    controller creates it), so its pod is "<name>-0".
 *  - DaemonSet pods are pinned to their node (the controller sets node
 *    affinity on metadata.name) and tolerate the node-lifecycle taints.
 *  - The kubelet caches images per node: a pod whose image is already on
 *    the node (or being pulled there) waits only for that pull to finish.
 *  - Events are correlated as client-go's eventLogger does
 *    (tools/record/events_cache.go, eventObserve keyed by getEventKey):
 *    an occurrence identical to an earlier one (same reason, involved
 *    object and message; the source is implied by the reason here) bumps
 *    that Event's count and lastTimestamp instead of creating a new one.
 *    Not modelled, on purpose: the EventAggregator (10 messages of one
 *    reason and object within 10 min become "(combined from similar
 *    events): ...") and the EventSourceObjectSpamFilter (25 events per
 *    source and object, refilled one per 5 min), which rewrite or drop
 *    what the timeline must keep for analysis; nor the correlator's LRU
 *    of 4,096 keys per process and the API server's 1 h event TTL: ksim
 *    correlates over the whole run.  See ksim-scenario(5), events[].
 *
 * The scheduler is not part of this file: it plugs in through
 * cluster_sched_ops (cluster.h), which the cluster calls when a pod is
 * added, bound or unbound and when a node joins or goes, so the model
 * builds and is tested without it, and the scheduler keeps its own state.
 *
 * Costs: every operation is O(1) or O(pods of one workload / one node)
 * except cluster_node_ready, which walks the DaemonSets, and a scale-down,
 * which ranks the workload's pods once (O(n log n)).  Pod and node lists
 * use swap-removal with the index stored in the pod.  An event costs
 * O(1): its strings are interned and a repeat is found by a hash of their
 * pointers, so it allocates nothing; the timeline's memory grows with the
 * distinct events, not with the occurrences.
 */
#include "cluster/cluster.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/intern.h"
#include "util/xmalloc.h"

const char *const pod_phase_name[] = { "Pending", "Scheduled", "Running", "Terminating",
    "Deleted", "Succeeded" };
const char *const wl_kind_name[] = { "Pod", "Deployment", "ReplicaSet", "StatefulSet",
    "Job", "Notebook", "DaemonSet" };

static void	wl_reconcile(struct ks_cluster *, struct ks_workload *);
static int64_t	pod_timer_fired(struct sim *, void *);
static void	pod_delete(struct ks_cluster *, struct ks_pod *, const char *, int);

void
cluster_init(struct ks_cluster *c, struct sim *sim, uint64_t seed)
{
	memset(c, 0, sizeof(*c));
	c->sim = sim;
	sim->world = c;
	c->seed = seed;
	rng_seed(&c->rng_names, seed, 1);
	c->timing.pull_ms = 0;
	c->timing.start_ms = 1000;
	c->timing.shutdown_ms = 1000;
	c->timing.sched_retry_ms = 5 * 60 * 1000;
}

void
podspec_free(struct ks_podspec *s)
{
	labels_free(&s->labels);
	labels_free(&s->annotations);
	labels_free(&s->node_selector);
	free(s->ctrs);
	for (size_t i = 0; i < s->naffinity; i++)
		selector_free(&s->affinity[i]);
	free(s->affinity);
	for (size_t i = 0; i < s->npref; i++)
		selector_free(&s->pref_affinity[i]);
	free(s->pref_affinity);
	free(s->pref_weight);
	free(s->tols);
	for (size_t i = 0; i < s->npod_aff; i++) {
		selector_free(&s->pod_aff[i].sel);
		free(s->pod_aff[i].namespaces);
	}
	free(s->pod_aff);
	for (size_t i = 0; i < s->npod_anti; i++) {
		selector_free(&s->pod_anti[i].sel);
		free(s->pod_anti[i].namespaces);
	}
	free(s->pod_anti);
	for (size_t i = 0; i < s->ntsc; i++)
		selector_free(&s->tsc[i].sel);
	free(s->tsc);
	memset(s, 0, sizeof(*s));
}

void
cluster_free(struct ks_cluster *c)
{
	cluster_sched_set(c, NULL, NULL);
	for (size_t i = 0; i < c->nnodes; i++) {
		struct ks_node *n = c->nodes[i];

		labels_free(&n->labels);
		free(n->taints);
		free(n->pods);
		free(n->images);
		free(n->image_at);
		free(n);
	}
	free(c->nodes);
	for (size_t i = 0; i < c->npods; i++) {
		struct ks_pod *p = c->pods[i];

		if (p->owner == NULL) {
			podspec_free((struct ks_podspec *)p->spec);
			free((void *)p->spec);
		}
		free(p->ctr_req);
		free(p->ctr_lim);
		free(p);
	}
	free(c->pods);
	for (size_t i = 0; i < c->nwls; i++) {
		struct ks_workload *w = c->wls[i];

		podspec_free(&w->spec);
		selector_free(&w->selector);
		free(w->pods);
		free(w->ordinals);
		free(w);
	}
	free(c->wls);
	for (size_t i = 0; i < c->npdbs; i++) {
		selector_free(&c->pdbs[i]->sel);
		free(c->pdbs[i]);
	}
	free(c->pdbs);
	free(c->events);
	free(c->ev_slots);
	free(c->queue);
	free(c->unsched);
	free(c->bare_ids);
	free(c->alive);
	free(c->hooks);
	ptrmap_free(&c->node_idx);
	ptrmap_free(&c->pod_idx);
	ptrmap_free(&c->wl_idx);
}

void
cluster_hook(struct ks_cluster *c, const struct cluster_hooks *h)
{
	c->hooks = xreallocarray(c->hooks, c->nhooks + 1, sizeof(*c->hooks));
	c->hooks[c->nhooks++] = *h;
}

void
cluster_sched_set(struct ks_cluster *c, const struct cluster_sched_ops *ops, void *state)
{
	if (c->sched_ops != NULL && c->sched_ops->free != NULL)
		c->sched_ops->free(c->sched);
	c->sched_ops = ops;
	c->sched = state;
}

/* Tell the scheduler, if one is plugged in and listens for fn. */
#define SCHED(c, fn, ...) do {						\
	if ((c)->sched_ops != NULL && (c)->sched_ops->fn != NULL)	\
		(c)->sched_ops->fn((c), __VA_ARGS__, (c)->sched);	\
} while (0)

#define HOOK(c, fn, obj) do {						\
	for (size_t hi_ = 0; hi_ < (c)->nhooks; hi_++)			\
		if ((c)->hooks[hi_].fn != NULL)				\
			(c)->hooks[hi_].fn((c), (obj), (c)->hooks[hi_].arg); \
} while (0)

void
cluster_pod_unschedulable(struct ks_cluster *c, struct ks_pod *p)
{
	HOOK(c, pod_unschedulable, p);
}

/* The index slot of the event (type, object, message), all interned: its own or a free one. */
static size_t
event_slot(const struct ks_cluster *c, const char *type, const char *object, const char *message)
{
	uint64_t h = (uint64_t)(uintptr_t)type * 0x9e3779b97f4a7c15ULL;
	size_t mask = c->ev_nslots - 1, i;

	h = (h ^ (uint64_t)(uintptr_t)object) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (uint64_t)(uintptr_t)message) * 0x94d049bb133111ebULL;
	for (i = (size_t)(h ^ (h >> 31)) & mask;; i = (i + 1) & mask) {
		const struct ks_event *e;

		if (c->ev_slots[i] == 0)
			return i;
		e = &c->events[c->ev_slots[i] - 1];
		if (e->type == type && e->object == object && e->message == message)
			return i;
	}
}

/* Keep the index at most half full (the hash order never reaches output). */
static void
event_index_grow(struct ks_cluster *c)
{
	if (2 * (c->nevents + 1) <= c->ev_nslots)
		return;
	free(c->ev_slots);
	c->ev_nslots = c->ev_nslots == 0 ? 256 : 2 * c->ev_nslots;
	c->ev_slots = xcalloc(c->ev_nslots, sizeof(*c->ev_slots));
	for (size_t k = 0; k < c->nevents; k++) {
		const struct ks_event *e = &c->events[k];

		c->ev_slots[event_slot(c, e->type, e->object, e->message)] = (uint32_t)(k + 1);
	}
}

/*
 * Record an occurrence on the timeline.  An identical one seen before
 * (same reason, object and message) bumps that record's count and last
 * time, as client-go's eventLogger patches the Event it created first;
 * anything else is a new record (see the essay above for what of the
 * correlator is not modelled).
 */
void
cluster_event(struct ks_cluster *c, const char *type, const char *object,
    const char *fmt, ...)
{
	struct ks_event *e;
	const char *msg;
	va_list ap;
	char buf[1024];
	size_t slot;

	if (c->no_events)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	type = intern(type);
	object = intern(object);
	msg = intern(buf);
	c->ev_occurrences++;
	event_index_grow(c);
	slot = event_slot(c, type, object, msg);
	if (c->ev_slots[slot] != 0) {
		e = &c->events[c->ev_slots[slot] - 1];
		assert(c->sim->now_ms >= e->last_ms);
		e->last_ms = c->sim->now_ms;
		if (e->count < UINT32_MAX)
			e->count++;
		return;
	}
	assert(c->nevents < UINT32_MAX);
	VEC_GROW(c->events, c->nevents, c->evcap);
	e = &c->events[c->nevents++];
	c->ev_slots[slot] = (uint32_t)c->nevents;
	e->at_ms = e->last_ms = c->sim->now_ms;
	e->count = 1;
	e->type = type;
	e->object = object;
	e->message = msg;
}

const char *
pod_ref(const struct ks_pod *p, char *buf, size_t n)
{
	snprintf(buf, n, "pod/%s/%s", p->ns, p->name);
	return buf;
}

static const char *
node_ref(const struct ks_node *n, char *buf, size_t sz)
{
	snprintf(buf, sz, "node/%s", n->name);
	return buf;
}

/* ---- nodes ---- */

struct ks_node *
cluster_node_new(struct ks_cluster *c, const char *name)
{
	struct ks_node *n = xcalloc(1, sizeof(*n));

	n->id = (uint32_t)c->nnodes;
	n->name = intern(name);
	n->zone = intern("");
	n->state = NODE_NOTREADY;
	n->launched_ms = c->sim->now_ms;
	n->ready_ms = -1;
	n->gone_ms = -1;
	VEC_PUSH(c->nodes, c->nnodes, c->nodecap, n);
	ptrmap_put(&c->node_idx, n->name, n);
	return n;
}

struct ks_node *
cluster_node_find(struct ks_cluster *c, const char *name)
{
	return ptrmap_get(&c->node_idx, intern(name));
}

int
node_has_image(const struct ks_node *n, const char *image)
{
	for (size_t i = 0; i < n->nimages; i++)
		if (n->images[i] == image)
			return 1;
	return 0;
}

/* The pull time of an image on a node: its group's table first (a
 * pre-baked AMI), then the scenario's; pull_ms < 0 means "not set". */
static int64_t
image_pull_time(const struct ks_cluster *c, const struct ks_node *n, const char *image)
{
	const struct cluster_timing *t[2] = { n->pull, &c->timing };

	for (int k = 0; k < 2; k++) {
		if (t[k] == NULL)
			continue;
		for (size_t i = 0; i < t[k]->nimg; i++)
			if (t[k]->img_names[i] == image)
				return t[k]->img_ms[i];
		if (t[k]->pull_ms >= 0)
			return t[k]->pull_ms;
	}
	return 0;
}

int64_t
node_pull_ms(const struct ks_cluster *c, const struct ks_node *n, const char *image)
{
	for (size_t i = 0; i < n->nimages; i++)
		if (n->images[i] == image)
			return n->image_at[i] > c->sim->now_ms ? n->image_at[i] - c->sim->now_ms : 0;
	return image_pull_time(c, n, image);
}

static void
node_add_image(struct ks_node *n, const char *image, int64_t at)
{
	if (node_has_image(n, image))
		return;
	if (n->nimages >= n->imgcap) {
		n->imgcap = n->imgcap ? 2 * n->imgcap : 4;
		n->images = xreallocarray(n->images, n->imgcap, sizeof(*n->images));
		n->image_at = xreallocarray(n->image_at, n->imgcap, sizeof(*n->image_at));
	}
	n->images[n->nimages] = image;
	n->image_at[n->nimages++] = at;
}

static int
ds_tolerates_node(const struct ks_podspec *s, const struct ks_node *n)
{
	/* DaemonSet pods get tolerations for the node-lifecycle taints (not-ready,
	 * unreachable, disk/memory/pid pressure, unschedulable); other taints
	 * must be tolerated by the template. */
	for (size_t i = 0; i < n->ntaints; i++) {
		const struct ks_taint *t = &n->taints[i];

		if (t->effect == EFFECT_PREFERNOSCHEDULE ||
		    strncmp(t->key, "node.kubernetes.io/", 19) == 0)
			continue;
		if (taints_untolerated(t, 1, s->tols, s->ntols) != NULL)
			return 0;
	}
	return 1;
}

static int
spec_node_affinity_ok(const struct ks_podspec *s, const struct ks_node *n)
{
	for (size_t i = 0; i < s->node_selector.n; i++)
		if (labels_get(&n->labels, s->node_selector.v[i].key) != s->node_selector.v[i].val)
			return 0;
	if (s->naffinity == 0)
		return 1;
	for (size_t i = 0; i < s->naffinity; i++)
		if (selector_matches(&s->affinity[i], &n->labels))
			return 1;
	return 0;
}

static void
ds_create_pod(struct ks_cluster *c, struct ks_workload *w, struct ks_node *n)
{
	struct ks_pod *p;
	char name[256];

	if (!spec_node_affinity_ok(&w->spec, n) || !ds_tolerates_node(&w->spec, n))
		return;
	for (size_t i = 0; i < w->npods; i++)
		if (c->pods[w->pods[i]]->pin_node == (int32_t)n->id &&
		    c->pods[w->pods[i]]->phase != POD_TERMINATING)
			return;
	snprintf(name, sizeof(name), "%s-%c%c%c%c%c", w->name,
	    "bcdfghjklmnpqrstvwxz2456789"[rng_below(&c->rng_names, 27)],
	    "bcdfghjklmnpqrstvwxz2456789"[rng_below(&c->rng_names, 27)],
	    "bcdfghjklmnpqrstvwxz2456789"[rng_below(&c->rng_names, 27)],
	    "bcdfghjklmnpqrstvwxz2456789"[rng_below(&c->rng_names, 27)],
	    "bcdfghjklmnpqrstvwxz2456789"[rng_below(&c->rng_names, 27)]);
	p = cluster_pod_new(c, w, &w->spec, w->ns, name);
	p->pin_node = (int32_t)n->id;
}

void
cluster_node_ready(struct ks_cluster *c, struct ks_node *n)
{
	char ref[300];

	n->state = NODE_READY;
	n->ready_ms = c->sim->now_ms;
	cluster_event(c, "NodeReady", node_ref(n, ref, sizeof(ref)),
	    "Node %s status is now: NodeReady", n->name);
	for (size_t i = 0; i < c->nwls; i++)
		if (c->wls[i]->kind == WL_DAEMONSET && !c->wls[i]->deleted)
			ds_create_pod(c, c->wls[i], n);
	HOOK(c, node_ready, n);
	SCHED(c, node_changed, n);
}

void
cluster_node_cordon(struct ks_cluster *c, struct ks_node *n, const char *by)
{
	char ref[300];

	if (n->unschedulable)
		return;
	n->unschedulable = 1;
	cluster_event(c, "NodeNotSchedulable", node_ref(n, ref, sizeof(ref)),
	    "Node %s status is now: NodeNotSchedulable (%s)", n->name, by);
}

/*
 * NodeInfo.NonZeroRequested: the scoring plugins count a pod without a cpu
 * or memory request as 100m / 200Mi (schedutil.DefaultMilliCPURequest,
 * DefaultMemoryRequest).  Kept per node so a score is O(1), not a walk
 * over the node's pods.
 */
static void
node_nonzero_add(struct ks_node *n, const struct ks_res *r, int sign)
{
	n->nz_cpu_m += sign * (r->v[RES_CPU] ? r->v[RES_CPU] : 100);
	n->nz_mem_b += sign * (r->v[RES_MEM] ? r->v[RES_MEM] : 200LL * 1024 * 1024);
}

static void
node_remove_pod(struct ks_node *n, struct ks_pod *p)
{
	size_t i = p->node_idx;

	assert(i < n->npods && n->pods[i] == p->id);
	n->pods[i] = n->pods[--n->npods];
	res_sub(&n->used, &p->req);
	node_nonzero_add(n, &p->req, -1);
}

static void
node_finish(struct ks_cluster *c, struct ks_node *n)
{
	char ref[300];

	n->state = NODE_GONE;
	n->gone_ms = c->sim->now_ms;
	SCHED(c, node_changed, n);
	cluster_event(c, "RemovingNode", node_ref(n, ref, sizeof(ref)),
	    "Node %s event: Removing Node %s from Controller", n->name, n->name);
	HOOK(c, node_gone, n);
}

struct node_del {
	struct ks_cluster	*c;
	struct ks_node		*n;
};

static int64_t
node_gone_fired(struct sim *sim, void *arg)
{
	struct node_del *d = arg;
	struct ks_cluster *c = d->c;
	struct ks_node *n = d->n;

	(void)sim;
	free(d);
	/* DaemonSet pods and anything left die with the node. */
	while (n->npods > 0) {
		struct ks_pod *p = c->pods[n->pods[n->npods - 1]];

		cluster_pod_delete(c, p, NULL);
		if (p->phase != POD_GONE) {
			/* force: the node is gone */
			if (p->timer != NULL) {
				sim_cancel(c->sim, p->timer);
				p->timer = NULL;
			}
			p->phase = POD_TERMINATING;
			pod_timer_fired(c->sim, p);
		}
	}
	node_finish(c, n);
	return SIM_NOMORE;
}

void
cluster_node_delete(struct ks_cluster *c, struct ks_node *n, const char *reason)
{
	int64_t wait = 0;
	struct node_del *d;

	if (n->state == NODE_DELETING || n->state == NODE_GONE)
		return;
	n->removed_by = reason ? intern(reason) : NULL;
	n->unschedulable = 1;
	n->state = NODE_DELETING;
	/* Drain: evict every pod that is not a DaemonSet pod. */
	for (size_t i = n->npods; i-- > 0;) {
		struct ks_pod *p;

		if (i >= n->npods)
			continue;
		p = c->pods[n->pods[i]];
		if (p->spec->is_daemon || p->phase == POD_TERMINATING)
			continue;
		cluster_pod_delete(c, p, NULL);
	}
	for (size_t i = 0; i < n->npods; i++) {
		struct ks_pod *p = c->pods[n->pods[i]];

		if (p->phase == POD_TERMINATING && p->timer != NULL &&
		    p->timer->at_ms - c->sim->now_ms > wait)
			wait = p->timer->at_ms - c->sim->now_ms;
	}
	d = xmalloc(sizeof(*d));
	d->c = c;
	d->n = n;
	sim_after(c->sim, wait, "node-gone", node_gone_fired, d);
}

/* ---- workloads ---- */

static const char *
wl_key(enum wl_kind k, const char *ns, const char *name)
{
	char buf[600];

	snprintf(buf, sizeof(buf), "%s/%s/%s", wl_kind_name[k], ns, name);
	return intern(buf);
}

struct ks_workload *
cluster_workload_new(struct ks_cluster *c, enum wl_kind kind, const char *ns,
    const char *name)
{
	struct ks_workload *w = xcalloc(1, sizeof(*w));
	char hash[11];

	w->id = (uint32_t)c->nwls;
	w->kind = kind;
	w->ns = intern(ns);
	w->name = intern(name);
	w->replicas = 1;
	w->run_ms = -1;
	w->completions = -1;
	w->spec.grace_ms = 30000;
	for (int i = 0; i < 10; i++)
		hash[i] = "bcdfghjklmnpqrstvwxz2456789"[rng_below(&c->rng_names, 27)];
	hash[10] = '\0';
	w->hash = intern(hash);
	VEC_PUSH(c->wls, c->nwls, c->wlcap, w);
	ptrmap_put(&c->wl_idx, wl_key(kind, w->ns, w->name), w);
	return w;
}

struct ks_workload *
cluster_workload_find(struct ks_cluster *c, enum wl_kind kind, const char *ns,
    const char *name)
{
	return ptrmap_get(&c->wl_idx, wl_key(kind, ns, name));
}

static int
pod_active(const struct ks_pod *p)
{
	return p->phase == POD_PENDING || p->phase == POD_BOUND || p->phase == POD_RUNNING;
}

int
pod_alive(const struct ks_pod *p)
{
	return p->phase != POD_GONE && p->phase != POD_SUCCEEDED;
}

static void
wl_new_pod(struct ks_cluster *c, struct ks_workload *w)
{
	static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
	char name[300];
	struct ks_pod *p;
	int ord = -1;

	switch (w->kind) {
	case WL_STATEFULSET:
	case WL_NOTEBOOK:
		ord = w->next_ordinal;
		snprintf(name, sizeof(name), "%s-%d", w->name, ord);
		break;
	case WL_DEPLOYMENT:
		snprintf(name, sizeof(name), "%s-%s-%c%c%c%c%c", w->name, w->hash,
		    alnum[rng_below(&c->rng_names, 27)], alnum[rng_below(&c->rng_names, 27)],
		    alnum[rng_below(&c->rng_names, 27)], alnum[rng_below(&c->rng_names, 27)],
		    alnum[rng_below(&c->rng_names, 27)]);
		break;
	default:
		snprintf(name, sizeof(name), "%s-%c%c%c%c%c", w->name,
		    alnum[rng_below(&c->rng_names, 27)], alnum[rng_below(&c->rng_names, 27)],
		    alnum[rng_below(&c->rng_names, 27)], alnum[rng_below(&c->rng_names, 27)],
		    alnum[rng_below(&c->rng_names, 27)]);
		break;
	}
	p = cluster_pod_new(c, w, &w->spec, w->ns, name);
	p->ordinal = ord;
}

/* controller.ActivePods order: the pod to delete first sorts first. */
static int
pod_delete_before(const struct ks_pod *a, const struct ks_pod *b)
{
	int ra, rb;

	if ((a->node < 0) != (b->node < 0))
		return a->node < 0;
	ra = a->phase == POD_RUNNING ? 2 : a->phase == POD_BOUND ? 1 : 0;
	rb = b->phase == POD_RUNNING ? 2 : b->phase == POD_BOUND ? 1 : 0;
	if (ra != rb)
		return ra < rb;
	if (a->ready != b->ready)
		return !a->ready;
	if (a->ready && a->ready_ms != b->ready_ms)
		return a->ready_ms > b->ready_ms;
	if (a->created_ms != b->created_ms)
		return a->created_ms > b->created_ms;
	return a->id > b->id;
}

static int
pod_delete_cmp(const void *x, const void *y)
{
	const struct ks_pod *a = *(struct ks_pod *const *)x, *b = *(struct ks_pod *const *)y;

	return pod_delete_before(a, b) ? -1 : pod_delete_before(b, a) ? 1 : 0;
}

static int
sts_has_ordinal(struct ks_cluster *c, struct ks_workload *w, int ord)
{
	for (size_t i = 0; i < w->npods; i++)
		if (c->pods[w->pods[i]]->ordinal == ord)
			return 1;
	return 0;
}

static void
wl_reconcile(struct ks_cluster *c, struct ks_workload *w)
{
	int32_t want = w->deleted ? 0 : w->replicas;
	int32_t active = 0;

	if (w->kind == WL_POD || w->kind == WL_DAEMONSET)
		return;
	for (size_t i = 0; i < w->npods; i++)
		if (pod_active(c->pods[w->pods[i]]))
			active++;

	if (w->kind == WL_STATEFULSET || w->kind == WL_NOTEBOOK) {
		/* OrderedReady: create the lowest missing ordinal once all lower
		 * ones are Running and Ready; delete from the highest. */
		for (int ord = 0; ord < want; ord++) {
			struct ks_pod *found = NULL;

			for (size_t i = 0; i < w->npods; i++)
				if (c->pods[w->pods[i]]->ordinal == ord)
					found = c->pods[w->pods[i]];
			if (found == NULL) {
				if (sts_has_ordinal(c, w, ord))
					break;
				w->next_ordinal = ord;
				wl_new_pod(c, w);
				break;
			}
			if (!found->ready || found->phase != POD_RUNNING)
				break;
		}
		for (size_t i = w->npods; i-- > 0;) {
			struct ks_pod *p;

			if (i >= w->npods)
				continue;
			p = c->pods[w->pods[i]];
			if (p->ordinal >= want && pod_active(p))
				cluster_pod_delete(c, p, NULL);
		}
		return;
	}
	if (w->kind == WL_JOB && w->completions >= 0 &&
	    w->succeeded + active >= w->completions)
		want = active < w->completions - w->succeeded ? active : w->completions - w->succeeded;
	while (active < want) {
		wl_new_pod(c, w);
		active++;
	}
	if (active > want) {
		/* Rank the active pods once (O(n log n), not a search per
		 * victim) and delete from the front.  The deletions do not
		 * reconcile w again, so a scale-down of 100k pods is a loop, not
		 * a recursion 100k deep; only a Job reconciles itself when an
		 * unbound pod goes at once, hence the recount. */
		struct ks_pod **v = xreallocarray(NULL, (size_t)active, sizeof(*v));
		size_t nv = 0;

		for (size_t i = 0; i < w->npods; i++)
			if (pod_active(c->pods[w->pods[i]]))
				v[nv++] = c->pods[w->pods[i]];
		qsort(v, nv, sizeof(*v), pod_delete_cmp);
		for (size_t i = 0; i < nv && active > want; i++) {
			if (!pod_active(v[i]))
				continue;
			pod_delete(c, v[i], NULL, 0);
			active--;
			if (w->kind == WL_JOB) {
				active = 0;
				for (size_t j = 0; j < w->npods; j++)
					active += pod_active(c->pods[w->pods[j]]);
			}
		}
		free(v);
	}
}

void
cluster_workload_start(struct ks_cluster *c, struct ks_workload *w)
{
	if (w->kind == WL_DAEMONSET) {
		for (size_t i = 0; i < c->nnodes; i++)
			if (c->nodes[i]->state == NODE_READY)
				ds_create_pod(c, w, c->nodes[i]);
		return;
	}
	wl_reconcile(c, w);
}

void
cluster_workload_scale(struct ks_cluster *c, struct ks_workload *w, int32_t replicas,
    const char *by)
{
	char ref[600];
	const char *what = w->kind == WL_DEPLOYMENT ? "replica set" : "";

	if (replicas == w->replicas)
		return;
	snprintf(ref, sizeof(ref), "%s/%s/%s", wl_kind_name[w->kind], w->ns, w->name);
	for (char *q = ref; *q && *q != '/'; q++)
		*q = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
	if (w->kind == WL_DEPLOYMENT)
		cluster_event(c, "ScalingReplicaSet", ref,
		    "Scaled %s %s %s-%s from %d to %d%s%s", replicas > w->replicas ? "up" : "down",
		    what, w->name, w->hash, w->replicas, replicas, by ? " by " : "", by ? by : "");
	else
		cluster_event(c, "Scaled", ref, "Scaled %s from %d to %d%s%s",
		    w->name, w->replicas, replicas, by ? " by " : "", by ? by : "");
	w->replicas = replicas;
	wl_reconcile(c, w);
}

void
cluster_workload_delete(struct ks_cluster *c, struct ks_workload *w)
{
	w->deleted = 1;
	for (size_t i = w->npods; i-- > 0;) {
		struct ks_pod *p;

		if (i >= w->npods)
			continue;
		p = c->pods[w->pods[i]];
		if (pod_active(p))
			pod_delete(c, p, NULL, 0);
	}
}

/* ---- pods ---- */

void
podspec_effective(const struct ks_podspec *s, const struct ks_res *ctr_req, struct ks_res *out)
{
	struct ks_res sum = { { 0 } }, init_max = { { 0 } }, side = { { 0 } };

	/* max(sum of app containers + sidecars, each init container + sidecars
	 * started before it): component-helpers resource.PodRequests. */
	for (size_t i = 0; i < s->nctrs; i++) {
		const struct ks_res *r = ctr_req ? &ctr_req[i] : &s->ctrs[i].req;

		if (!s->ctrs[i].init) {
			res_add(&sum, r);
		} else if (s->ctrs[i].sidecar) {
			res_add(&side, r);
		} else {
			struct ks_res t = side;

			res_add(&t, r);
			res_max(&init_max, &t);
		}
	}
	res_add(&sum, &side);
	res_max(&sum, &init_max);
	res_add(&sum, &s->overhead);
	sum.v[RES_PODS] = 1;
	*out = sum;
}

const struct ks_res *
pod_ctr_req(const struct ks_pod *p, size_t i)
{
	return p->ctr_req ? &p->ctr_req[i] : &p->spec->ctrs[i].req;
}

const struct ks_res *
pod_ctr_lim(const struct ks_pod *p, size_t i)
{
	return p->ctr_lim ? &p->ctr_lim[i] : &p->spec->ctrs[i].lim;
}

static void
queue_pod(struct ks_cluster *c, struct ks_pod *p)
{
	if (p->queued)
		return;
	p->queued = 1;
	VEC_PUSH(c->queue, c->nqueue, c->qcap, p->id);
	SCHED(c, pod_added, p);
}

struct ks_pod *
cluster_pod_new(struct ks_cluster *c, struct ks_workload *owner,
    const struct ks_podspec *spec, const char *ns, const char *name)
{
	struct ks_pod *p = xcalloc(1, sizeof(*p));
	char key[600];

	p->id = (uint32_t)c->npods;
	p->ns = intern(ns);
	p->name = intern(name);
	p->spec = spec;
	p->owner = owner != NULL && owner->kind != WL_POD ? owner : NULL;
	p->phase = POD_PENDING;
	p->node = -1;
	p->pin_node = -1;
	p->ordinal = -1;
	p->created_ms = c->sim->now_ms;
	p->scheduled_ms = p->running_ms = p->ready_ms = -1;
	p->deleted_ms = p->gone_ms = p->unsched_since = -1;
	podspec_effective(spec, NULL, &p->req);
	VEC_PUSH(c->pods, c->npods, c->podcap, p);
	snprintf(key, sizeof(key), "%s/%s", p->ns, p->name);
	ptrmap_put(&c->pod_idx, intern(key), p);
	p->alive_idx = c->nalive;
	VEC_PUSH(c->alive, c->nalive, c->alivecap, p->id);
	if (owner != NULL) {
		p->owner = owner;
		p->owner_idx = owner->npods;
		VEC_PUSH(owner->pods, owner->npods, owner->podcap, p->id);
	} else {
		p->owner_idx = c->nbare;
		VEC_PUSH(c->bare_ids, c->nbare, c->barecap, p->id);
	}
	HOOK(c, pod_created, p);
	queue_pod(c, p);
	return p;
}

struct ks_pod *
cluster_pod_find(struct ks_cluster *c, const char *ns, const char *name)
{
	char key[600];

	snprintf(key, sizeof(key), "%s/%s", ns, name);
	return ptrmap_get(&c->pod_idx, intern(key));
}

static void
pod_set_timer(struct ks_cluster *c, struct ks_pod *p, int64_t delay, const char *name)
{
	if (p->timer != NULL)
		sim_cancel(c->sim, p->timer);
	p->timer = sim_after(c->sim, delay, name, pod_timer_fired, p);
}

void
cluster_pod_bind(struct ks_cluster *c, struct ks_pod *p, struct ks_node *n)
{
	char ref[600];
	int64_t pull = 0;

	assert(p->phase == POD_PENDING && p->node < 0);
	p->node = (int32_t)n->id;
	p->phase = POD_BOUND;
	p->scheduled_ms = c->sim->now_ms;
	p->reason = NULL;
	p->node_idx = n->npods;
	VEC_PUSH(n->pods, n->npods, n->podcap, p->id);
	res_add(&n->used, &p->req);
	node_nonzero_add(n, &p->req, 1);
	cluster_event(c, "Scheduled", pod_ref(p, ref, sizeof(ref)),
	    "Successfully assigned %s/%s to %s", p->ns, p->name, n->name);
	/* The kubelet pulls images one after another (serializeImagePulls). */
	for (size_t i = 0; i < p->spec->nctrs; i++) {
		const char *img = p->spec->ctrs[i].image;

		if (img == NULL || img[0] == '\0')
			continue;
		pull += node_pull_ms(c, n, img);
		node_add_image(n, img, c->sim->now_ms + pull);
	}
	SCHED(c, pod_bound, p);
	HOOK(c, pod_bound, p);
	pod_set_timer(c, p, pull + c->timing.start_ms, "pod-start");
}

void
cluster_pod_set_running(struct ks_cluster *c, struct ks_pod *p)
{
	assert(p->phase == POD_BOUND);
	if (p->timer != NULL) {
		sim_cancel(c->sim, p->timer);
		p->timer = NULL;
	}
	p->phase = POD_RUNNING;
	p->running_ms = p->ready_ms = c->sim->now_ms;
	p->ready = 1;
	p->preexisting = 1;
	for (size_t i = 0; i < p->spec->nctrs; i++)
		if (p->spec->ctrs[i].image[0] != '\0')
			node_add_image(c->nodes[p->node], p->spec->ctrs[i].image, 0);
	if (p->owner != NULL && p->owner->kind == WL_JOB && p->owner->run_ms >= 0)
		pod_set_timer(c, p, p->owner->run_ms, "job-done");	/* a full run from now */
}

static void
owner_remove_pod(struct ks_workload *w, struct ks_cluster *c, struct ks_pod *p)
{
	size_t i = p->owner_idx;

	assert(i < w->npods && w->pods[i] == p->id);
	w->pods[i] = w->pods[--w->npods];
	if (i < w->npods)
		c->pods[w->pods[i]]->owner_idx = i;
}

/* Swap-remove id at *idx from ids[0, *n); fix the moved pod's index. */
static void
ids_unlink(struct ks_cluster *c, uint32_t *ids, size_t *n, size_t i, int alive_list)
{
	assert(i < *n);
	ids[i] = ids[--*n];
	if (i < *n) {
		if (alive_list)
			c->pods[ids[i]]->alive_idx = i;
		else
			c->pods[ids[i]]->owner_idx = i;
	}
}

static void
pod_finish(struct ks_cluster *c, struct ks_pod *p, enum pod_phase final)
{
	struct ks_node *n = p->node >= 0 ? c->nodes[p->node] : NULL;

	assert(pod_alive(p) && c->alive[p->alive_idx] == p->id);
	ids_unlink(c, c->alive, &c->nalive, p->alive_idx, 1);
	if (p->owner == NULL) {
		assert(c->bare_ids[p->owner_idx] == p->id);
		ids_unlink(c, c->bare_ids, &c->nbare, p->owner_idx, 0);
	}
	p->phase = final;
	p->ready = 0;
	p->gone_ms = c->sim->now_ms;
	p->timer = NULL;
	if (n != NULL) {
		size_t i = p->node_idx;

		node_remove_pod(n, p);
		if (i < n->npods)
			c->pods[n->pods[i]]->node_idx = i;
		SCHED(c, pod_unbound, p, n);
	}
	if (p->owner != NULL) {
		struct ks_workload *w = p->owner;

		owner_remove_pod(w, c, p);
		if (final == POD_SUCCEEDED)
			w->succeeded++;
		if (w->kind == WL_STATEFULSET || w->kind == WL_NOTEBOOK || w->kind == WL_JOB)
			wl_reconcile(c, w);
	}
	HOOK(c, pod_gone, p);
}

static int64_t
pod_timer_fired(struct sim *sim, void *arg)
{
	struct ks_pod *p = arg;
	struct ks_cluster *c = sim->world;
	char ref[600];

	p->timer = NULL;
	switch (p->phase) {
	case POD_BOUND:
		p->phase = POD_RUNNING;
		p->running_ms = c->sim->now_ms;
		cluster_event(c, "Started", pod_ref(p, ref, sizeof(ref)),
		    "Started container %s", p->spec->nctrs ? p->spec->ctrs[0].name : p->name);
		if (p->spec->ready_delay_ms > 0) {
			pod_set_timer(c, p, p->spec->ready_delay_ms, "pod-ready");
			break;
		}
		/* FALLTHROUGH */
	case POD_RUNNING:
		if (!p->ready) {
			p->ready = 1;
			p->ready_ms = c->sim->now_ms;
			if (p->owner != NULL && (p->owner->kind == WL_STATEFULSET ||
			    p->owner->kind == WL_NOTEBOOK))
				wl_reconcile(c, p->owner);
			if (p->owner != NULL && p->owner->kind == WL_JOB &&
			    p->owner->run_ms >= 0) {
				pod_set_timer(c, p, p->owner->run_ms, "job-done");
				break;
			}
			break;
		}
		/* a finished Job pod */
		cluster_event(c, "Completed", pod_ref(p, ref, sizeof(ref)),
		    "Pod %s/%s completed", p->ns, p->name);
		pod_finish(c, p, POD_SUCCEEDED);
		break;
	case POD_TERMINATING:
		pod_finish(c, p, POD_GONE);
		break;
	default:
		break;
	}
	return SIM_NOMORE;
}

static void
pod_terminate(struct ks_cluster *c, struct ks_pod *p)
{
	int64_t wait;

	if (p->phase == POD_TERMINATING || !pod_alive(p))
		return;
	p->deleted_ms = c->sim->now_ms;
	p->ready = 0;
	if (p->node < 0) {
		pod_finish(c, p, POD_GONE);
		return;
	}
	p->phase = POD_TERMINATING;
	wait = c->timing.shutdown_ms < p->spec->grace_ms ? c->timing.shutdown_ms : p->spec->grace_ms;
	pod_set_timer(c, p, wait, "pod-gone");
}

/* Delete p; reconcile: let its controller replace it (not when the
 * controller itself is deleting). */
static void
pod_delete(struct ks_cluster *c, struct ks_pod *p, const char *by, int reconcile)
{
	char ref[600];

	if (p->phase == POD_TERMINATING || !pod_alive(p))
		return;
	if (by != NULL)
		cluster_event(c, "Killing", pod_ref(p, ref, sizeof(ref)),
		    "Deleting pod %s/%s (%s)", p->ns, p->name, by);
	pod_terminate(c, p);
	if (reconcile && p->owner != NULL && p->owner->kind != WL_STATEFULSET &&
	    p->owner->kind != WL_NOTEBOOK)
		wl_reconcile(c, p->owner);
}

void
cluster_pod_delete(struct ks_cluster *c, struct ks_pod *p, const char *by)
{
	pod_delete(c, p, by, 1);
}

void
cluster_pod_evict(struct ks_cluster *c, struct ks_pod *p, const char *type, const char *msg)
{
	char ref[600];

	if (p->phase == POD_TERMINATING || !pod_alive(p))
		return;
	cluster_event(c, type, pod_ref(p, ref, sizeof(ref)), "%s", msg);
	p->evicted_by = intern(type);
	pod_terminate(c, p);
	if (p->owner != NULL && p->owner->kind != WL_STATEFULSET && p->owner->kind != WL_NOTEBOOK)
		wl_reconcile(c, p->owner);
}

void
cluster_pod_set_requests(struct ks_cluster *c, struct ks_pod *p,
    const struct ks_res *ctr_req, const struct ks_res *ctr_lim)
{
	size_t n = p->spec->nctrs;

	(void)c;
	assert(p->node < 0);
	if (p->ctr_req == NULL)
		p->ctr_req = xreallocarray(NULL, n ? n : 1, sizeof(*p->ctr_req));
	memcpy(p->ctr_req, ctr_req, n * sizeof(*p->ctr_req));
	if (ctr_lim != NULL) {
		if (p->ctr_lim == NULL)
			p->ctr_lim = xreallocarray(NULL, n ? n : 1, sizeof(*p->ctr_lim));
		memcpy(p->ctr_lim, ctr_lim, n * sizeof(*p->ctr_lim));
	}
	podspec_effective(p->spec, p->ctr_req, &p->req);
}

/* ---- disruption budgets ---- */

const struct ks_pdb *
pdb_for_pod(struct ks_cluster *c, const struct ks_pod *p)
{
	for (size_t i = 0; i < c->npdbs; i++)
		if (c->pdbs[i]->ns == p->ns && selector_matches(&c->pdbs[i]->sel, &p->spec->labels))
			return c->pdbs[i];
	return NULL;
}

int32_t
pdb_allowed(struct ks_cluster *c, const struct ks_pdb *b)
{
	int32_t expected = 0, healthy = 0, desired;

	/*
	 * disruption controller: expected = pods selected, healthy = ready.
	 * A controller's pods share its template, so the selector is matched
	 * once per workload: O(workloads + their pods), not every pod ever.
	 */
	for (size_t i = 0; i < c->nwls + c->nbare; i++) {
		const struct ks_workload *w = i < c->nwls ? c->wls[i] : NULL;
		const struct ks_pod *bare = w == NULL ? c->pods[c->bare_ids[i - c->nwls]] : NULL;
		size_t n = w != NULL ? w->npods : 1;

		if (w != NULL ? w->ns != b->ns || !selector_matches(&b->sel, &w->spec.labels) :
		    bare->ns != b->ns || !selector_matches(&b->sel, &bare->spec->labels))
			continue;
		for (size_t j = 0; j < n; j++) {
			const struct ks_pod *p = w != NULL ? c->pods[w->pods[j]] : bare;

			if (!pod_alive(p) || p->phase == POD_TERMINATING)
				continue;
			expected++;
			if (p->ready)
				healthy++;
		}
	}
	if (b->min_available >= 0) {
		desired = b->pct ? (int32_t)(((int64_t)b->min_available * expected + 99) / 100) :
		    b->min_available;
	} else if (b->max_unavailable >= 0) {
		int32_t mu = b->pct ? (int32_t)(((int64_t)b->max_unavailable * expected + 99) / 100) :
		    b->max_unavailable;
		desired = expected - mu;
		if (desired < 0)
			desired = 0;
	} else {
		desired = 0;
	}
	return healthy - desired > 0 ? healthy - desired : 0;
}
