/*
 * run.h: one simulation run: the engine, the cluster, the catalog and the
 * scenario it came from, and the active controllers.  Controllers receive
 * a ks_run and reach the model through it, and create nodes with
 * run_node_new(): the EKS node factory (cloud/eks_node.c) applied to the
 * run's cluster, catalog and region, inline here, so a controller calls
 * the cloud model directly and never the code that runs a scenario.
 */
#ifndef KS_RUN_H
#define KS_RUN_H

#include <stdint.h>

#include "autoscale/ctl.h"
#include "cloud/eks_node.h"
#include "cluster/cluster.h"
#include "io/load.h"
#include "sim/engine.h"

struct catalog;
struct cat_itype;
struct metrics;
struct xp_log;

#define KS_MAX_CTL	8

struct ks_run {
	struct sim		 sim;		/* the engine */
	struct ks_cluster	 cluster;	/* the model */
	const struct catalog	*cat;		/* borrowed */
	struct ks_scenario	*scn;		/* borrowed */
	const char		*region;	/* interned */
	void			*ctl_state[KS_MAX_CTL];	/* per ctl_table entry, NULL = inactive */
	uint32_t		 node_seq;	/* for generated node names */
	struct metrics		*metrics;	/* the load model and metrics-server (owned) */
	struct ks_warn_log	*warnings;	/* every warning the load and the run raised (owned) */
	struct xp_log		*xp;		/* decision log (owned), NULL = not recording */
};

/*
 * Create a node of an instance type from the catalog, as EKS would
 * (eks_node_new() with the run's cluster, catalog and region): the
 * capacity and allocatable of catalog_eks_node(), the well-known labels,
 * the region's on-demand or spot price.  The node is not Ready: call
 * cluster_node_ready() when it joins.  max_pods 0 = the ENI limit.
 */
static inline struct ks_node *
run_node_new(struct ks_run *r, const struct cat_itype *it, const char *zone, int spot,
    int max_pods, const char *name_prefix)
{
	struct eks_env env = { &r->cluster, r->cat, r->region, &r->node_seq };

	return eks_node_new(&env, it, zone, spot, max_pods, name_prefix);
}

/*
 * Put the scenario's objects into the cluster at t=0: the static nodes
 * (Ready), Node objects, PDBs, workloads (started) and bare pods, and
 * schedule its timeline actions.  The scenario's definitions are taken.
 */
void	run_setup(struct ks_run *r);

/* The zone letter z (0 = a) of the run's region: "us-east-1a". */
static inline const char *
run_zone(struct ks_run *r, int z)
{
	return eks_zone(r->region, z);
}

#endif
