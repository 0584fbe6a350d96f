/*
 * eks_node.c: the EKS node factory.  A node of an instance type as EKS
 * would launch it: the capacity and allocatable of catalog_eks_node(), the
 * well-known labels, the region's on-demand or spot price, and a name in
 * EC2's private DNS form.  It knows a cluster, a catalog and a region,
 * not a run: the controllers (ca.c, karpenter.c) and the run's setup
 * (static node groups) reach it through run_node_new() and run_zone(),
 * inline in run/run.h, which pass the run's parts; so the factory sits
 * below the run and the front door that runs a scenario.
 */
#include "cloud/eks_node.h"

#include <stdio.h>
#include <string.h>

#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "util/intern.h"

const char *
eks_zone(const char *region, int z)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s%c", region, 'a' + z % 26);
	return intern(buf);
}

struct ks_node *
eks_node_new(const struct eks_env *e, const struct cat_itype *it, const char *zone, int spot,
    int max_pods, const char *prefix)
{
	struct cat_resources cap, alloc;
	struct ks_node *n;
	char name[256];
	uint32_t k = ++*e->node_seq;

	if (prefix != NULL)
		snprintf(name, sizeof(name), "%s-%u", prefix, k);
	else if (strcmp(e->region, "us-east-1") == 0)
		snprintf(name, sizeof(name), "ip-10-0-%u-%u.ec2.internal", k / 250, 10 + k % 250);
	else
		snprintf(name, sizeof(name), "ip-10-0-%u-%u.%s.compute.internal", k / 250,
		    10 + k % 250, e->region);
	n = cluster_node_new(e->cluster, name);
	catalog_eks_node(it, max_pods, &cap, &alloc);
	n->cap.v[RES_CPU] = cap.cpu_m;
	n->cap.v[RES_MEM] = cap.memory_b;
	n->cap.v[RES_EPH] = cap.eph_b;
	n->cap.v[RES_PODS] = cap.pods;
	res_set_devices(&n->cap, it, NULL);
	n->alloc.v[RES_CPU] = alloc.cpu_m;
	n->alloc.v[RES_MEM] = alloc.memory_b;
	n->alloc.v[RES_EPH] = alloc.eph_b;
	n->alloc.v[RES_PODS] = alloc.pods;
	res_set_devices(&n->alloc, it, NULL);
	n->itype = it;
	n->zone = zone;
	n->spot = spot;
	if (catalog_price(e->cat, e->region, it->name, spot, &n->price_nusd_h) != 0)
		n->price_nusd_h = 0;
	labels_set(&n->labels, "kubernetes.io/hostname", n->name);
	labels_set(&n->labels, "kubernetes.io/os", "linux");
	labels_set(&n->labels, "kubernetes.io/arch", it->arch);
	labels_set(&n->labels, "node.kubernetes.io/instance-type", it->name);
	labels_set(&n->labels, "topology.kubernetes.io/region", e->region);
	labels_set(&n->labels, "topology.kubernetes.io/zone", zone);
	labels_set(&n->labels, "karpenter.sh/capacity-type", spot ? "spot" : "on-demand");
	labels_set(&n->labels, "eks.amazonaws.com/capacityType", spot ? "SPOT" : "ON_DEMAND");
	return n;
}
