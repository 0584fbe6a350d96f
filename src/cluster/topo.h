/*
 * topo.h: what the scheduler knows of the cluster's topology, kept up to
 * date as pods are bound and unbound instead of recomputed per pod: each
 * node's zone, hostname and shape (its label set but the hostname, and its
 * taints), and per workload the number of its pods on each node and in each
 * domain of a topology key.
 *
 * Ownership: a struct topo belongs to the scheduler that made it
 * (topo_new/topo_free); the struct topo_wl records inside it live as long
 * as it does.  Every string is interned.
 */
#ifndef KS_TOPO_H
#define KS_TOPO_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/cluster.h"
#include "util/ptrmap.h"

/* Facts about one node of the cluster, refreshed when its labels or taints change. */
struct topo_node {
	const struct ks_label	*lv;		/* n->labels.v when read */
	size_t			 ln;		/* n->labels.n then */
	const struct ks_taint	*tv;		/* n->taints then */
	size_t			 tn;		/* n->ntaints then */
	uint32_t		 shape;		/* shape id + 1 (0: not read yet) */
	const char		*zone;		/* topology.kubernetes.io/zone label, or NULL */
	const char		*host;		/* kubernetes.io/hostname label, else the node name */
	uint8_t			 reg;		/* registered (Ready or deleting), as last reported */
};

struct topo_key {
	const char	*key;		/* topology key (interned, not the hostname) */
	struct ptrmap	 dom;		/* domain value -> pods (as intptr_t) */
};

/* A workload's counted pods (see topo_wl below). */
struct topo_wl {
	const struct ks_workload *w;	/* the workload (borrowed) */
	int32_t		*by_node;	/* pods per node id, [0, cap) */
	size_t		 cap;		/* entries of by_node */
	int		 total;		/* pods counted */
	struct topo_key	*keys;		/* per-domain counts for the keys asked about */
	size_t		 nkeys;
};

struct topo {
	struct ks_cluster	*c;		/* borrowed */
	const char		*k_host;	/* intern("kubernetes.io/hostname") */
	const char		*k_zone;	/* intern("topology.kubernetes.io/zone") */
	struct topo_node	*nodes;		/* by node id, [0, nodecap) */
	size_t			 nodecap;
	struct ptrmap		 shape_idx;	/* interned shape text -> id + 1 */
	uint32_t		 nshapes;
	struct topo_wl		**wls;		/* by workload id, NULL until asked for */
	size_t			 wlcap;
};

struct topo	*topo_new(struct ks_cluster *);
void		 topo_free(struct topo *);

/* The cluster's changes, passed on by the scheduler's hook. */
void	topo_pod_bound(struct topo *, const struct ks_pod *);
void	topo_pod_unbound(struct topo *, const struct ks_pod *, const struct ks_node *);
void	topo_node_changed(struct topo *, const struct ks_node *);

/* Node facts (n must be one of the cluster's nodes), and the shape count. */
const struct topo_node *topo_node_read(struct topo *, const struct ks_node *);
uint32_t topo_nshapes(const struct topo *);
/* Registered (Ready or being deleted), as the cluster last reported. */
int	topo_registered(const struct topo *, const struct ks_node *);
/* Is n one of the cluster's nodes (not an autoscaler's template)? */
int	topo_has_node(const struct topo *, const struct ks_node *);
/* Is key kubernetes.io/hostname (interned or not)? */
int	topo_key_is_host(const struct topo *, const char *key);
/* The domain of n for a topology key, or NULL when n lacks the label. */
const char *topo_domain(struct topo *, const struct ks_node *, const char *key);

/*
 * Counts of a workload's pods that are bound (not gone) to a registered
 * node (Ready or being deleted), per node and per domain.  Built on first
 * use from the workload's pods, then kept on every bind and unbind.
 */
struct topo_wl *topo_wl(struct topo *, const struct ks_workload *);
int	topo_wl_total(const struct topo_wl *);

int	topo_wl_in_domain(struct topo *, struct topo_wl *, const char *key, const char *dom);
/* Add the workload's per-domain counts of key into acc (domain -> count). */
void	topo_wl_domains(struct topo *, struct topo_wl *, const char *key, struct ptrmap *acc);

/* topo_node_read, inline when the node's facts are current (the hot path). */
static inline const struct topo_node *
topo_node(struct topo *t, const struct ks_node *n)
{
	if (n->id < t->nodecap) {
		const struct topo_node *e = &t->nodes[n->id];

		if (e->shape != 0 && e->lv == n->labels.v && e->ln == n->labels.n &&
		    e->tv == n->taints && e->tn == n->ntaints)
			return e;
	}
	return topo_node_read(t, n);
}

/* topo_domain, inline for the zone and hostname keys of a cluster node. */
static inline const char *
topo_domain_fast(struct topo *t, const struct ks_node *n, const char *key)
{
	if ((key == t->k_zone || key == t->k_host) && n->id < t->c->nnodes &&
	    t->c->nodes[n->id] == n) {
		const struct topo_node *e = topo_node(t, n);

		return key == t->k_zone ? e->zone : e->host;
	}
	return topo_domain(t, n, key);
}

/* The workload's pods on node node_id (inline: the filters' hot path). */
static inline int
topo_wl_on_node(const struct topo_wl *tw, uint32_t node_id)
{
	return node_id < tw->cap ? tw->by_node[node_id] : 0;
}

/* ptrmap values used as counters */
static inline int
topo_count_get(const struct ptrmap *m, const void *key)
{
	return (int)(intptr_t)ptrmap_get(m, key);
}

static inline void
topo_count_add(struct ptrmap *m, const void *key, int d)
{
	ptrmap_put(m, key, (void *)((intptr_t)ptrmap_get(m, key) + d));
}

#endif
