/*
 * offerings.c: what Karpenter knows of instance types before it launches
 * one (aws/karpenter-provider-aws pkg/providers/instancetype): the
 * well-known labels each type answers from the catalog, the capacity and
 * allocatable estimate of types.go (reference B.8), the offerings (every
 * zone of the EC2NodeClass times each capacity type the catalog prices),
 * the per-pool prefilter of compatible types, and the launch order of
 * pkg/providers/instance (B.9: spot when allowed, exotic types last, the
 * 60 cheapest).  Prices are per region, so every admitted zone of a type
 * costs the same: an offering is a type, a capacity type and a zone list.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"
#include "util/intern.h"
#include "util/xmalloc.h"

const char *const kp_label_names[KL_N] = {
	"node.kubernetes.io/instance-type", "karpenter.k8s.aws/instance-family",
	"karpenter.k8s.aws/instance-category", "karpenter.k8s.aws/instance-generation",
	"karpenter.k8s.aws/instance-size", "karpenter.k8s.aws/instance-cpu",
	"karpenter.k8s.aws/instance-memory", "karpenter.k8s.aws/instance-gpu-count",
	"karpenter.k8s.aws/instance-hypervisor", "karpenter.k8s.aws/instance-cpu-manufacturer",
	"kubernetes.io/arch", "kubernetes.io/os", "topology.kubernetes.io/region",
	"karpenter.k8s.aws/instance-gpu-name", "karpenter.k8s.aws/instance-gpu-manufacturer",
	"karpenter.k8s.aws/instance-gpu-memory", "karpenter.k8s.aws/instance-accelerator-name",
	"karpenter.k8s.aws/instance-accelerator-manufacturer",
	"karpenter.k8s.aws/instance-accelerator-count",
};
/*
 * Karpenter's estimate for a type it has not seen yet (aws types.go, B.8):
 * memory capacity = (nominal - 64 MiB on arm64) less 7.5% (rounded up),
 * allocatable = capacity - kube-reserved (EKS formula on ENI pods) - 100 MiB
 * eviction; cpu = vCPUs - kube-reserved cpu; ephemeral 20 GiB - 1 GiB - 10%.
 * The catalog's karpenter-allocatable.csv holds the same numbers for every
 * type it knows; this formula covers the others.
 */
void
kp_estimate(const struct cat_itype *it, struct ks_res *cap, struct ks_res *alloc)
{
	int64_t mem = it->memory_mib - (strcmp(it->arch, "arm64") == 0 ? 64 : 0);
	int64_t vm = (mem * 75 + 999) / 1000;

	memset(cap, 0, sizeof(*cap));
	memset(alloc, 0, sizeof(*alloc));
	mem -= vm;
	cap->v[RES_CPU] = (int64_t)it->vcpu * 1000;
	cap->v[RES_MEM] = mem * KP_MIB;
	cap->v[RES_EPH] = CAT_EKS_ROOT_GIB * KP_GIB;
	cap->v[RES_PODS] = it->max_pods;
	res_set_devices(cap, it, NULL);
	if (it->has_kp) {
		alloc->v[RES_CPU] = it->kp_cpu_m;
		alloc->v[RES_MEM] = it->kp_memory_mib * KP_MIB;
		alloc->v[RES_EPH] = it->kp_eph_gib * KP_GIB;
		alloc->v[RES_PODS] = it->kp_pods;
	} else {
		alloc->v[RES_CPU] = cap->v[RES_CPU] - catalog_eks_kube_reserved_cpu_m(it->vcpu);
		alloc->v[RES_MEM] = (mem - catalog_eks_kube_reserved_mem_mib(it->max_pods) - 100) *
		    KP_MIB;
		alloc->v[RES_EPH] = (CAT_EKS_ROOT_GIB - 1) * KP_GIB - CAT_EKS_ROOT_GIB * KP_GIB / 10;
		alloc->v[RES_PODS] = it->max_pods;
	}
	res_set_devices(alloc, it, NULL);
}

static const char *
kp_cpu_manufacturer(const struct cat_itype *it)
{
	const char *s = it->family;

	/* the letters after the generation digit: "gd" of c6gd, "a" of c5a */
	while (*s != '\0' && !(*s >= '0' && *s <= '9'))
		s++;
	while (*s >= '0' && *s <= '9')
		s++;
	if (strchr(s, 'g') != NULL && strcmp(it->arch, "arm64") == 0)
		return "aws";
	if (strchr(s, 'a') != NULL && strchr(s, 'm') == NULL)
		return "amd";
	return strcmp(it->arch, "arm64") == 0 ? "aws" : "intel";
}

/*
 * The accelerator labels of the AWS provider (instancetype/types.go):
 * instance-gpu-{name,manufacturer,count,memory} for GPUs,
 * instance-accelerator-{name,manufacturer,count} for Neuron, Gaudi and
 * Qualcomm devices, from accelerators.csv (the gpus column alone without it).
 */
static void
kp_it_accel_labels(struct kp_it *k, const struct cat_itype *it)
{
	const struct cat_accel *a = it->accel;
	char buf[32];

	if (a == NULL) {
		if (it->gpus > 0) {
			snprintf(buf, sizeof(buf), "%d", it->gpus);
			k->lab[KL_GPU_COUNT] = intern(buf);
		}
		return;
	}
	snprintf(buf, sizeof(buf), "%d", a->count);
	if (strcmp(a->kind, "gpu") == 0) {
		k->lab[KL_GPU_COUNT] = intern(buf);
		k->lab[KL_GPU_NAME] = intern(a->device);
		k->lab[KL_GPU_MANUFACTURER] = intern(a->manufacturer);
		snprintf(buf, sizeof(buf), "%lld", (long long)a->memory_mib);
		k->lab[KL_GPU_MEMORY] = intern(buf);
	} else {
		k->lab[KL_ACC_COUNT] = intern(buf);
		k->lab[KL_ACC_NAME] = intern(a->device);
		k->lab[KL_ACC_MANUFACTURER] = intern(a->manufacturer);
	}
}

void
kp_it_init(struct kp_it *k, const struct cat_itype *it, const char *region)
{
	char buf[32];

	memset(k, 0, sizeof(*k));
	k->it = it;
	k->lab[KL_TYPE] = intern(it->name);
	k->lab[KL_FAMILY] = intern(it->family);
	k->lab[KL_CATEGORY] = intern(it->category);
	snprintf(buf, sizeof(buf), "%d", it->generation);
	k->lab[KL_GENERATION] = intern(buf);
	k->lab[KL_SIZE] = intern(it->size);
	snprintf(buf, sizeof(buf), "%d", it->vcpu);
	k->lab[KL_CPU] = intern(buf);
	snprintf(buf, sizeof(buf), "%lld", (long long)it->memory_mib);
	k->lab[KL_MEMORY] = intern(buf);
	kp_it_accel_labels(k, it);
	if (it->hypervisor != NULL && it->hypervisor[0] != '\0')
		k->lab[KL_HYPERVISOR] = intern(it->hypervisor);
	k->lab[KL_CPU_MANUFACTURER] = intern(kp_cpu_manufacturer(it));
	k->lab[KL_ARCH] = intern(it->arch);
	k->lab[KL_OS] = intern("linux");
	k->lab[KL_REGION] = region;
	kp_estimate(it, &k->cap, &k->alloc);
	k->exotic = it->metal || it->gpus > 0 || (it->accel != NULL && it->accel->count > 0);
}

/*
 * EKS Auto Mode's names for the same labels (EKS User Guide, "Create a
 * Node Pool for EKS Auto Mode", the supported labels table): requirements
 * may use either prefix, and an Auto Mode node carries these.  NULL: the
 * label has no Auto Mode name (the Karpenter one, or a well-known one).
 */
static const char *const kp_eks_label_names[KL_N] = {
	[KL_FAMILY] = "eks.amazonaws.com/instance-family",
	[KL_CATEGORY] = "eks.amazonaws.com/instance-category",
	[KL_GENERATION] = "eks.amazonaws.com/instance-generation",
	[KL_SIZE] = "eks.amazonaws.com/instance-size",
	[KL_CPU] = "eks.amazonaws.com/instance-cpu",
	[KL_MEMORY] = "eks.amazonaws.com/instance-memory",
	[KL_GPU_COUNT] = "eks.amazonaws.com/instance-gpu-count",
	[KL_HYPERVISOR] = "eks.amazonaws.com/instance-hypervisor",
	[KL_CPU_MANUFACTURER] = "eks.amazonaws.com/instance-cpu-manufacturer",
	[KL_GPU_NAME] = "eks.amazonaws.com/instance-gpu-name",
	[KL_GPU_MANUFACTURER] = "eks.amazonaws.com/instance-gpu-manufacturer",
	[KL_GPU_MEMORY] = "eks.amazonaws.com/instance-gpu-memory",
};
static const char *kp_eks_keys[KL_N];	/* interned kp_eks_label_names */

/* The itype label index of key (Karpenter's or Auto Mode's name), or -1. */
int
kp_label_index(const struct kp_state *st, const char *key)
{
	for (int i = 0; i < KL_N; i++)
		if (st->labk[i] == key)
			return i;
	if (strncmp(key, "eks.amazonaws.com/", 18) != 0)
		return -1;
	for (int i = 0; i < KL_N; i++) {
		if (kp_eks_label_names[i] != NULL && kp_eks_keys[i] == NULL)
			kp_eks_keys[i] = intern(kp_eks_label_names[i]);
		if (kp_eks_keys[i] != NULL && kp_eks_keys[i] == key)
			return i;
	}
	return -1;
}

/* The key under which a node of pool p carries label i. */
const char *
kp_label_key(const struct kp_state *st, const struct kp_pool *p, int i)
{
	assert(i >= 0 && i < KL_N);
	if (p == NULL || !p->automode || kp_eks_label_names[i] == NULL)
		return st->labk[i];
	if (kp_eks_keys[i] == NULL)
		kp_eks_keys[i] = intern(kp_eks_label_names[i]);
	return kp_eks_keys[i];
}

/*
 * The families EKS Auto Mode launches (EKS User Guide, "Learn about Amazon
 * EKS Auto Mode managed instances", supported instance reference, as of
 * 2024-12-18): an Auto Mode NodePool never offers another type, whatever
 * its requirements allow.
 */
static const char *const kp_automode_families[] = {
	"c8g", "c7a", "c7g", "c7gn", "c7gd", "c7i", "c7i-flex", "c6a", "c6g", "c6i", "c6gn",
	"c6id", "c6in", "c6gd", "c5", "c5a", "c5d", "c5ad", "c5n", "c4",
	"m8g", "m7i", "m7a", "m7g", "m7gd", "m7i-flex", "m6a", "m6i", "m6in", "m6g", "m6idn",
	"m6id", "m6gd", "m5", "m5a", "m5ad", "m5n", "m5dn", "m5d", "m5zn", "m4",
	"r8g", "r7a", "r7iz", "r7gd", "r7i", "r7g", "r6a", "r6i", "r6id", "r6in", "r6idn",
	"r6g", "r6gd", "r5", "r5n", "r5a", "r5dn", "r5b", "r5ad", "r5d", "r4",
	"t4g", "t3", "t3a", "t2", "z1d", "x8g", "x2gd",
	"i4g", "i4i", "i3", "i3en", "is4gen", "d3", "d3en", "im4gn",
	"p5", "p4d", "p3", "p3dn", "gr6", "g6", "g6e", "g5g", "g5", "g4dn", "inf2", "inf1",
	"trn1", "trn1n", "x2iezn", "x2iedn", "x2idn", NULL
};

int
kp_automode_family(const char *family)
{
	for (size_t i = 0; kp_automode_families[i] != NULL; i++)
		if (strcmp(kp_automode_families[i], family) == 0)
			return 1;
	return 0;
}

/*
 * What Auto Mode adds to a node it launches: the compute-type label, and
 * the management fee per instance-hour (catalog automode-fees.csv), billed
 * with the EC2 price whatever the capacity type.  The fee stays out of
 * price_nusd_h, which consolidation compares with offering prices that
 * carry no fee; with the fee a percentage of the price (the table's one
 * rule), the cheaper of two choices is the same with or without it.
 */
void
kp_node_automode(struct kp_state *st, const struct kp_pool *p, struct ks_node *n)
{
	int64_t fee;

	if (!p->automode)
		return;
	labels_set(&n->labels, "eks.amazonaws.com/compute-type", "auto");
	if (n->itype != NULL &&
	    catalog_automode_fee(st->r->cat, st->r->region, n->itype->name, &fee) == 0)
		n->fee_nusd_h = fee;
}

/* ---- offerings and instance-type filtering ---- */

const char *kp_spot_s, *kp_od_s;

/*
 * The cheapest offering of type k the requirements allow: a zone of the
 * EC2NodeClass the zone requirement admits, times a capacity type the
 * capacity-type requirement admits and the catalog prices.  Prices are per
 * region, so every admitted zone costs the same.  0 = no offering.
 * *spot_out (may be NULL) says which capacity type won.
 */
int64_t
kp_it_price(const struct kp_state *st, const struct kp_it *k, const struct kp_reqs *rs,
    int only_spot, int *spot_out)
{
	const struct kp_req *zr = kp_reqs_get(rs, st->zone_key);
	const struct kp_req *cr = kp_reqs_get(rs, st->ct_key);
	int zone_ok = 0;
	int64_t best = 0;

	for (size_t z = 0; z < st->nzones && !zone_ok; z++)
		zone_ok = zr == NULL || kp_req_admits(zr, st->zones[z]);
	if (!zone_ok)
		return 0;
	if (k->spot_nusd > 0 && (cr == NULL || kp_req_admits(cr, kp_spot_s))) {
		best = kp_offer_price(st, k, rs, 1);
		if (spot_out != NULL)
			*spot_out = 1;
	}
	if (!only_spot && k->od_nusd > 0 && (cr == NULL || kp_req_admits(cr, kp_od_s))) {
		int64_t od = kp_offer_price(st, k, rs, 0);

		if (best == 0 || od < best) {
			best = od;
			if (spot_out != NULL)
				*spot_out = 0;
		}
	}
	return best;
}

/* The type's labels satisfy every requirement on a key it defines. */
int
kp_it_labels_ok(const struct kp_state *st, const struct kp_it *k, const struct kp_reqs *rs,
    const struct kp_req **bad)
{
	for (size_t i = 0; i < rs->n; i++) {
		int li = kp_label_index(st, rs->v[i].key);

		if (li < 0)
			continue;
		if (!kp_req_admits(&rs->v[i], k->lab[li])) {
			if (bad != NULL)
				*bad = &rs->v[i];
			return 0;
		}
	}
	return 1;
}

int
kp_it_compatible(const struct kp_state *st, const struct kp_it *k, const struct kp_reqs *rs)
{
	return kp_it_labels_ok(st, k, rs, NULL) && kp_it_price(st, k, rs, 0, NULL) > 0;
}

/* Allocatable Karpenter expects of type k in pool p, less DaemonSet overhead ds. */
void
kp_it_free_res(const struct kp_pool *p, const struct kp_it *k, const struct ks_res *ds,
    struct ks_res *out)
{
	*out = k->alloc;
	if (p != NULL && p->ovcap != NULL)
		res_add(out, &p->ovcap[k - p->its_base]);
	if (p != NULL && p->max_pods > 0)
		out->v[RES_PODS] = p->max_pods;
	if (ds != NULL)
		res_sub(out, ds);
}

int
kp_priced_cmp(const void *a, const void *b)
{
	const struct kp_priced *x = a, *y = b;

	if (x->price != y->price)
		return x->price < y->price ? -1 : 1;
	return strcmp(x->k->it->name, y->k->it->name);
}

/* Does any requirement carry minValues (scheduling.Requirements.HasMinValues)? */
static int
kp_reqs_min_values(const struct kp_reqs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->v[i].min_values > 0)
			return 1;
	return 0;
}

/*
 * The launch filters of the AWS provider (pkg/providers/instance/filter,
 * applied in instance.go filterInstanceTypes in this order) over the
 * claim's types, in place; returns how many stay.  A type stays when it has
 * an offering the requirements admit (compatible-available).  Then, unless
 * a requirement has minValues: exotic types (metal, GPUs, accelerators) go
 * when anything else stays; and when both capacity types are allowed and
 * both are offered, a type whose spot offering costs more than the cheapest
 * on-demand offering left goes (a type without a spot offering stays).
 */
static size_t
kp_launch_filters(const struct kp_state *st, const struct kp_reqs *rs, const struct kp_it **v,
    size_t n)
{
	const struct kp_req *cr = kp_reqs_get(rs, st->ct_key);
	int both = cr == NULL || (kp_req_admits(cr, kp_spot_s) && kp_req_admits(cr, kp_od_s));
	size_t m = 0, generic = 0;
	int64_t od_min = 0;
	int any_spot = 0;

	for (size_t i = 0; i < n; i++)
		if (kp_it_price(st, v[i], rs, 0, NULL) > 0)
			v[m++] = v[i];
	n = m;
	if (kp_reqs_min_values(rs))
		return n;
	for (size_t i = 0; i < n; i++)
		generic += !v[i]->exotic;
	if (generic > 0 && generic < n) {
		m = 0;
		for (size_t i = 0; i < n; i++)
			if (!v[i]->exotic)
				v[m++] = v[i];
		n = m;
	}
	if (!both)
		return n;
	for (size_t i = 0; i < n; i++) {
		int64_t od = kp_offer_price(st, v[i], rs, 0);

		if (od > 0 && (od_min == 0 || od < od_min))
			od_min = od;
		any_spot |= v[i]->spot_nusd > 0;
	}
	if (od_min == 0 || !any_spot)
		return n;
	m = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i]->spot_nusd <= 0 || kp_offer_price(st, v[i], rs, 1) <= od_min)
			v[m++] = v[i];
	return m;
}

/*
 * The types a launch sends to CreateFleet, cheapest first (reference B.9):
 * the claim's types after the launch filters, priced in the capacity type
 * chosen (spot when the requirements allow it and a type left offers it,
 * else on-demand), at most max of them (instance.go maxInstanceTypes = 60).
 * Returns the number kept in out.
 */
size_t
kp_launch_order(const struct kp_state *st, const struct kp_reqs *rs, const struct kp_it *const *its,
    size_t nits, int *spot, struct kp_priced *out, size_t max)
{
	const struct kp_req *cr = kp_reqs_get(rs, st->ct_key);
	const struct kp_it **v = xreallocarray(NULL, nits + 1, sizeof(*v));
	size_t n = 0, kept;

	memcpy(v, its, nits * sizeof(*v));
	kept = kp_launch_filters(st, rs, v, nits);
	*spot = 0;
	for (size_t i = 0; i < kept && (cr == NULL || kp_req_admits(cr, kp_spot_s)); i++)
		if (v[i]->spot_nusd > 0 && kp_it_price(st, v[i], rs, 1, NULL) > 0)
			*spot = 1;
	for (size_t i = 0; i < kept; i++) {
		int64_t pr = kp_offer_price(st, v[i], rs, *spot);

		if (pr <= 0)
			continue;
		out[n].k = v[i];
		out[n++].price = pr;
	}
	free(v);
	qsort(out, n, sizeof(*out), kp_priced_cmp);
	return n < max ? n : max;
}

void
kp_pool_types(struct kp_state *st, struct kp_pool *p)
{
	char rs[2048];

	p->its = xreallocarray(NULL, st->nits + 1, sizeof(*p->its));
	p->nits = 0;
	for (size_t i = 0; i < st->nits; i++)
		if (kp_it_compatible(st, &st->its[i], &p->reqs) &&
		    (!p->automode || kp_automode_family(st->its[i].it->family)))
			p->its[p->nits++] = &st->its[i];
	free(p->ovcap);
	p->ovcap = NULL;
	p->its_base = st->its;
	for (size_t i = 0; i < st->nits && st->overlay_gate; i++) {
		struct ks_res add;

		memset(&add, 0, sizeof(add));
		kp_overlay_capacity_of(st, &st->its[i], &p->reqs, &add);
		for (int r = 0; r < RES_N; r++)
			if (add.v[r] != 0) {
				if (p->ovcap == NULL)
					p->ovcap = xcalloc(st->nits + 1, sizeof(*p->ovcap));
				p->ovcap[i].v[r] = add.v[r];
			}
	}
	if (p->nits == 0) {
		kp_reqs_format(&p->reqs, rs, sizeof(rs));
		ks_warn(&p->mark, "%s \"%s\": no instance type in the catalog satisfies its "
		    "requirements (%s) in the offered zones", p->kind, p->name, rs);
	}
	kp_static_setup(st, p);
}
