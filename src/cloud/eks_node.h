/*
 * eks_node.h: the EKS node factory (eks_node.c): nodes of a catalog
 * instance type, as EKS launches them, into a cluster.  A run reaches it
 * through run_node_new() and run_zone(), inline in run/run.h.
 */
#ifndef KS_CLOUD_EKS_NODE_H
#define KS_CLOUD_EKS_NODE_H

#include <stdint.h>

struct cat_itype;
struct catalog;
struct ks_cluster;
struct ks_node;

/* Where nodes are created: the parts of a run the factory needs. */
struct eks_env {
	struct ks_cluster	*cluster;	/* the nodes join it (not Ready) */
	const struct catalog	*cat;		/* prices */
	const char		*region;	/* interned */
	uint32_t		*node_seq;	/* numbers generated node names, incremented */
};

/*
 * Create a node of an instance type from the catalog, as EKS would: the
 * capacity and allocatable of catalog_eks_node(), the well-known labels,
 * the region's on-demand or spot price.  The node is not Ready: call
 * cluster_node_ready() when it joins.  max_pods 0 = the ENI limit.
 */
struct ks_node	*eks_node_new(const struct eks_env *, const struct cat_itype *,
		    const char *zone, int spot, int max_pods, const char *name_prefix);
/* The zone letter z (0 = a) of region: "us-east-1a" (interned). */
const char	*eks_zone(const char *region, int z);

#endif
