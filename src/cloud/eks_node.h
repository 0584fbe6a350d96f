/*
 * eks_node.h: the EKS node factory (eks_node.c): nodes of a catalog
 * instance type, as EKS launches them, for a run.  run/run.h includes
 * this header, so a controller that includes run/run.h reaches it too.
 */
#ifndef KS_CLOUD_EKS_NODE_H
#define KS_CLOUD_EKS_NODE_H

struct cat_itype;
struct ks_node;
struct ks_run;

/*
 * Create a node of an instance type from the catalog, as EKS would: the
 * capacity and allocatable of catalog_eks_node(), the well-known labels,
 * the region's on-demand or spot price.  The node is not Ready: call
 * cluster_node_ready() when it joins.  max_pods 0 = the ENI limit.
 */
struct ks_node *run_node_new(struct ks_run *, const struct cat_itype *, const char *zone,
	    int spot, int max_pods, const char *name_prefix);
/* The zone letter z (0 = a) of the run's region: "us-east-1a". */
const char *run_zone(struct ks_run *, int z);

#endif
