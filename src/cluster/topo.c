/*
 * topo.c: the scheduler's incremental view of topology.
 *
 * kube-scheduler's PreFilter for PodTopologySpread and InterPodAffinity
 * walks every node's pods for every pod it schedules (upstream keeps a
 * snapshot of NodeInfos and counts matching pods in it).  At 5,000 nodes
 * and 150,000 pods that walk, repeated per pod, is what made scheduling
 * grow faster than the cluster.  Here the counts are kept instead:
 *
 *  - per workload, the pods bound to each node and, for each topology key
 *    some term asked about, to each domain of it.  A controller's pods
 *    share its template (cluster.h), so a label selector is matched once
 *    per workload and the answer for a node is a sum over the workloads
 *    it matched: usually one.  The counts are built on first use from the
 *    workload's pods and then follow every bind and unbind the cluster
 *    reports, so a pod's set-up no longer depends on the cluster's size.
 *    A pod counts from the moment it is bound to a registered node (Ready
 *    or being deleted) until it is gone, as the old per-pod walk counted.
 *  - per node, its zone and hostname and a shape id: the node's labels
 *    but the hostname, plus its taints.  Nodes of one group share a shape,
 *    so a pod's static filters (taints, nodeSelector, required node
 *    affinity) are evaluated once per shape (sched.c), not once per node.
 *    The facts are read again when the node's label or taint array
 *    changes (its pointer or length): the autoscalers add and remove
 *    taints on Ready nodes in place.  That is why the zone and hostname
 *    live here, next to the check, rather than in struct ks_node, where
 *    a label edit would leave a copy stale.
 *
 * Costs: a bind or unbind is O(keys tracked for its workload); a node's
 * facts are O(labels + taints) when they change; memory is one int per
 * node per workload that some term selected.
 */
#include "cluster/topo.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "util/intern.h"
#include "util/xmalloc.h"

#define HOST_KEY	"kubernetes.io/hostname"
#define ZONE_KEY	"topology.kubernetes.io/zone"

struct topo *
topo_new(struct ks_cluster *c)
{
	struct topo *t = xcalloc(1, sizeof(*t));

	t->c = c;
	t->k_host = intern(HOST_KEY);
	t->k_zone = intern(ZONE_KEY);
	return t;
}

void
topo_free(struct topo *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->wlcap; i++) {
		struct topo_wl *tw = t->wls[i];

		if (tw == NULL)
			continue;
		for (size_t k = 0; k < tw->nkeys; k++)
			ptrmap_free(&tw->keys[k].dom);
		free(tw->keys);
		free(tw->by_node);
		free(tw);
	}
	free(t->wls);
	free(t->nodes);
	ptrmap_free(&t->shape_idx);
	free(t);
}

int
topo_key_is_host(const struct topo *t, const char *key)
{
	return key == t->k_host || strcmp(key, HOST_KEY) == 0;
}

int
topo_has_node(const struct topo *t, const struct ks_node *n)
{
	return n->id < t->c->nnodes && t->c->nodes[n->id] == n;
}

uint32_t
topo_nshapes(const struct topo *t)
{
	return t->nshapes;
}

/* The value of key on n by pointer (label keys are interned), then by text. */
static const char *
label_of(const struct ks_node *n, const char *key)
{
	for (size_t i = n->labels.n; i-- > 0;)
		if (n->labels.v[i].key == key)
			return n->labels.v[i].val;
	return labels_get(&n->labels, key);
}

/* Intern the node's shape: labels but the hostname, then taints. */
static uint32_t
shape_of(struct topo *t, const struct ks_node *n)
{
	size_t len = 2, at = 0;
	char *buf;
	const char *key;
	uintptr_t id;

	for (size_t i = 0; i < n->labels.n; i++)
		len += strlen(n->labels.v[i].key) + strlen(n->labels.v[i].val) + 2;
	for (size_t i = 0; i < n->ntaints; i++)
		len += strlen(n->taints[i].key) + strlen(n->taints[i].val) + 4;
	buf = xmalloc(len);
	for (size_t i = 0; i < n->labels.n; i++) {
		if (n->labels.v[i].key == t->k_host)
			continue;
		at += (size_t)sprintf(buf + at, "%s=%s\n", n->labels.v[i].key, n->labels.v[i].val);
	}
	buf[at++] = '|';
	for (size_t i = 0; i < n->ntaints; i++)
		at += (size_t)sprintf(buf + at, "%s=%s:%c\n", n->taints[i].key, n->taints[i].val,
		    '0' + (int)n->taints[i].effect);
	assert(at < len);
	key = intern_n(buf, at);
	free(buf);
	id = (uintptr_t)ptrmap_get(&t->shape_idx, key);
	if (id == 0) {
		id = ++t->nshapes;
		ptrmap_put(&t->shape_idx, key, (void *)id);
	}
	return (uint32_t)id;
}

static struct topo_node *
node_entry(struct topo *t, const struct ks_node *n)
{
	struct topo_node *e;

	assert(topo_has_node(t, n));
	if (n->id >= t->nodecap) {
		size_t cap = t->nodecap ? t->nodecap : 64;

		while (cap <= n->id)
			cap *= 2;
		t->nodes = xreallocarray(t->nodes, cap, sizeof(*t->nodes));
		memset(t->nodes + t->nodecap, 0, (cap - t->nodecap) * sizeof(*t->nodes));
		t->nodecap = cap;
	}
	e = &t->nodes[n->id];
	if (e->shape != 0 && e->lv == n->labels.v && e->ln == n->labels.n &&
	    e->tv == n->taints && e->tn == n->ntaints)
		return e;
	e->lv = n->labels.v;
	e->ln = n->labels.n;
	e->tv = n->taints;
	e->tn = n->ntaints;
	e->zone = label_of(n, t->k_zone);
	e->host = label_of(n, t->k_host);
	if (e->host == NULL)
		e->host = n->name;	/* every node has a hostname */
	e->shape = shape_of(t, n);
	return e;
}

const struct topo_node *
topo_node_read(struct topo *t, const struct ks_node *n)
{
	return node_entry(t, n);
}

const char *
topo_domain(struct topo *t, const struct ks_node *n, const char *key)
{
	if (topo_has_node(t, n)) {
		if (key == t->k_zone)
			return topo_node(t, n)->zone;
		if (key == t->k_host)
			return topo_node(t, n)->host;
	}
	{
		const char *h = label_of(n, key);

		if (h == NULL && topo_key_is_host(t, key))
			h = n->name;
		return h;
	}
}

/* ---- per-workload counts ---- */

int
topo_registered(const struct topo *t, const struct ks_node *n)
{
	return topo_has_node(t, n) && n->id < t->nodecap && t->nodes[n->id].reg;
}

static struct ptrmap *
wl_key_map(struct topo_wl *tw, const char *key)
{
	for (size_t k = 0; k < tw->nkeys; k++)
		if (tw->keys[k].key == key)
			return &tw->keys[k].dom;
	return NULL;
}

/* Count (d = +1) or uncount (d = -1) a pod of tw's workload on node n. */
static void
wl_count(struct topo *t, struct topo_wl *tw, const struct ks_node *n, int d)
{
	if (n->id >= tw->cap) {
		size_t cap = tw->cap ? tw->cap : 64;

		while (cap <= n->id)
			cap *= 2;
		tw->by_node = xreallocarray(tw->by_node, cap, sizeof(*tw->by_node));
		memset(tw->by_node + tw->cap, 0, (cap - tw->cap) * sizeof(*tw->by_node));
		tw->cap = cap;
	}
	tw->by_node[n->id] += d;
	tw->total += d;
	assert(tw->by_node[n->id] >= 0 && tw->total >= 0);
	for (size_t k = 0; k < tw->nkeys; k++) {
		const char *dom = topo_domain(t, n, tw->keys[k].key);

		if (dom != NULL)
			topo_count_add(&tw->keys[k].dom, dom, d);
	}
}

static int
pod_counted(const struct topo *t, const struct ks_pod *q)
{
	return q->node >= 0 && pod_alive(q) && topo_registered(t, t->c->nodes[q->node]);
}

struct topo_wl *
topo_wl(struct topo *t, const struct ks_workload *w)
{
	struct topo_wl *tw;

	if (w->id >= t->wlcap) {
		size_t cap = t->wlcap ? t->wlcap : 16;

		while (cap <= w->id)
			cap *= 2;
		t->wls = xreallocarray(t->wls, cap, sizeof(*t->wls));
		memset(t->wls + t->wlcap, 0, (cap - t->wlcap) * sizeof(*t->wls));
		t->wlcap = cap;
	}
	if ((tw = t->wls[w->id]) != NULL)
		return tw;
	tw = xcalloc(1, sizeof(*tw));
	tw->w = w;
	t->wls[w->id] = tw;
	for (size_t j = 0; j < w->npods; j++) {
		const struct ks_pod *q = t->c->pods[w->pods[j]];

		if (pod_counted(t, q))
			wl_count(t, tw, t->c->nodes[q->node], 1);
	}
	return tw;
}

int
topo_wl_total(const struct topo_wl *tw)
{
	return tw->total;
}

/* The per-domain map of key, built from the per-node counts on first use. */
static struct ptrmap *
wl_domains(struct topo *t, struct topo_wl *tw, const char *key)
{
	struct ptrmap *m = wl_key_map(tw, key);
	struct ks_cluster *c = t->c;

	if (m != NULL)
		return m;
	tw->keys = xreallocarray(tw->keys, tw->nkeys + 1, sizeof(*tw->keys));
	memset(&tw->keys[tw->nkeys], 0, sizeof(tw->keys[0]));
	tw->keys[tw->nkeys].key = key;
	m = &tw->keys[tw->nkeys++].dom;
	for (size_t j = 0; j < tw->w->npods; j++) {
		const struct ks_pod *q = c->pods[tw->w->pods[j]];
		const char *dom;

		if (!pod_counted(t, q))
			continue;
		dom = topo_domain(t, c->nodes[q->node], key);
		if (dom != NULL)
			topo_count_add(m, dom, 1);
	}
	return m;
}

int
topo_wl_in_domain(struct topo *t, struct topo_wl *tw, const char *key, const char *dom)
{
	return topo_count_get(wl_domains(t, tw, key), dom);
}

void
topo_wl_domains(struct topo *t, struct topo_wl *tw, const char *key, struct ptrmap *acc)
{
	const struct ptrmap *m = wl_domains(t, tw, key);

	/* slot order does not matter: the counts are summed */
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i] != NULL && m->vals[i] != NULL)
			topo_count_add(acc, m->keys[i], (int)(intptr_t)m->vals[i]);
}

/* ---- the cluster's changes ---- */

static struct topo_wl *
tracked(struct topo *t, const struct ks_pod *p)
{
	if (p->owner == NULL || p->owner->id >= t->wlcap)
		return NULL;
	return t->wls[p->owner->id];
}

void
topo_pod_bound(struct topo *t, const struct ks_pod *p)
{
	struct topo_wl *tw = tracked(t, p);
	const struct ks_node *n = t->c->nodes[p->node];

	if (tw != NULL && topo_registered(t, n))
		wl_count(t, tw, n, 1);
}

void
topo_pod_unbound(struct topo *t, const struct ks_pod *p, const struct ks_node *n)
{
	struct topo_wl *tw = tracked(t, p);

	if (tw != NULL && topo_registered(t, n))
		wl_count(t, tw, n, -1);
}

void
topo_node_changed(struct topo *t, const struct ks_node *n)
{
	/* a node that joins brings the pods already bound to it into the
	 * counts (a snapshot's); one that is gone has none left */
	int reg = n->state == NODE_READY || n->state == NODE_DELETING;
	struct topo_node *e = node_entry(t, n);

	assert(reg || n->npods == 0);
	if (e->reg == reg)
		return;
	e->reg = (uint8_t)reg;
	if (!reg)
		return;
	for (size_t i = 0; i < n->npods; i++) {
		const struct ks_pod *q = t->c->pods[n->pods[i]];
		struct topo_wl *tw = tracked(t, q);

		if (tw != NULL && pod_alive(q))
			wl_count(t, tw, n, 1);
	}
}
