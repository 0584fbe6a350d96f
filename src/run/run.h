/*
 * run.h: one simulation run: the engine, the cluster, the catalog and the
 * scenario it came from, and the active controllers.  Controllers receive
 * a ks_run and reach the model through it; the EKS node factory they
 * create nodes with is cloud/eks_node.h, included here.
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

#define KS_MAX_CTL	8

struct ks_run {
	struct sim		 sim;		/* the engine */
	struct ks_cluster	 cluster;	/* the model */
	const struct catalog	*cat;		/* borrowed */
	struct ks_scenario	*scn;		/* borrowed */
	const char		*region;	/* interned */
	void			*ctl_state[KS_MAX_CTL];	/* per ctl_table entry, NULL = inactive */
	uint32_t		 node_seq;	/* for generated node names */
};

#endif
