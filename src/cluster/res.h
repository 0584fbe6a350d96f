/*
 * res.h: a fixed vector of the resources the scheduler and the autoscalers
 * reason about.  Every pod request, node capacity and allocatable is one of
 * these, so "does it fit" is RES_N integer comparisons, not a map walk.
 *
 * Extended resources.  kube-scheduler's NodeResourcesFit treats every
 * extended resource alike: a pod asking for more of one than a node has
 * left gets "Insufficient <name>", and a node that does not advertise it
 * has none.  ksim keeps that rule with a small fixed table instead of a
 * map: the device plugins' names get fixed slots (RES_GPU nvidia.com/gpu,
 * amd.com/gpu, the Neuron plugin's three, habana.ai/gaudi), and RES_NEXT
 * more slots are named the first time a pod, node or instance type uses an
 * extended resource outside that list (nvidia.com/mig-1g.5gb, example.com/
 * foo).  The names are process-wide and never reused for another name, so
 * a slot means the same resource in every scenario of a run; nothing
 * printed depends on slot order (reasons are sorted).  A name past the
 * last free slot is not modelled (res_index returns -1 and the loader
 * warns).  Rejected: a per-pod map of extended resources (an allocation
 * and a string compare per fit check, in the scheduler's hottest loop).
 */
#ifndef KS_RES_H
#define KS_RES_H

#include <stddef.h>
#include <stdint.h>

enum {
	RES_CPU, RES_MEM, RES_EPH, RES_PODS,
	RES_GPU,		/* nvidia.com/gpu */
	RES_AMD_GPU,		/* amd.com/gpu */
	RES_NEURON,		/* aws.amazon.com/neuron */
	RES_NEURONDEVICE,	/* aws.amazon.com/neurondevice */
	RES_NEURONCORE,		/* aws.amazon.com/neuroncore */
	RES_GAUDI,		/* habana.ai/gaudi */
	RES_EXT0,		/* first slot named at run time */
	RES_N = RES_EXT0 + 6
};
#define RES_NEXT	(RES_N - RES_EXT0)	/* run-time named slots */

struct ks_res {
	int64_t	v[RES_N];	/* cpu: millicores; mem, eph: bytes; others: count */
};

/*
 * kube-scheduler's names, used in "Insufficient cpu" and in reports; a
 * run-time slot not yet named is NULL.
 */
extern const char *res_name[RES_N];

/* The slot of resource `name` ("cpu", "nvidia.com/gpu"), or -1. */
int	res_lookup(const char *name);
/*
 * The slot of extended resource `name`, naming a free run-time slot when
 * it has none; -1 when every slot is taken.
 */
int	res_index(const char *name);

struct cat_itype;
/*
 * Set the device plugins' extended resources of a node of type it (both
 * capacity and allocatable, as the plugins advertise them) on r; the other
 * extended slots are zeroed.  mig_profile: see catalog_device_resources().
 */
void	res_set_devices(struct ks_res *r, const struct cat_itype *it,
	    const char *mig_profile);

/*
 * The largest quantity the loader accepts for one resource of one object
 * (2^53: 8Pi bytes, about 9e12 cores).  Every pod's sum of containers stays
 * within it too, so sums over a node's pods cannot overflow, and sums over
 * a whole cluster (plans, reports) saturate instead of wrapping.
 */
#define RES_QTY_MAX	(INT64_C(1) << 53)

/* a += b per resource, saturating at INT64_MIN/INT64_MAX. */
static inline void
res_add(struct ks_res *a, const struct ks_res *b)
{
	for (int i = 0; i < RES_N; i++)
		if (__builtin_add_overflow(a->v[i], b->v[i], &a->v[i]))
			a->v[i] = b->v[i] > 0 ? INT64_MAX : INT64_MIN;
}

/* a -= b per resource, saturating. */
static inline void
res_sub(struct ks_res *a, const struct ks_res *b)
{
	for (int i = 0; i < RES_N; i++)
		if (__builtin_sub_overflow(a->v[i], b->v[i], &a->v[i]))
			a->v[i] = b->v[i] < 0 ? INT64_MAX : INT64_MIN;
}

static inline void
res_max(struct ks_res *a, const struct ks_res *b)
{
	for (int i = 0; i < RES_N; i++)
		if (b->v[i] > a->v[i])
			a->v[i] = b->v[i];
}

/* Bit i set when `need` of resource i exceeds `free` (need > 0 only). */
static inline unsigned
res_short(const struct ks_res *need, const struct ks_res *free)
{
	unsigned m = 0;

	for (int i = 0; i < RES_N; i++)
		if (need->v[i] > 0 && need->v[i] > free->v[i])
			m |= 1u << i;
	return m;
}

/*
 * res_short() of need against alloc - used - extra (extra may be NULL),
 * without building that vector: NodeResourcesFit's check, in the
 * scheduler's hottest loop.  Only the resources need asks for are read,
 * so the extended slots, zero for most pods, cost a compare each.
 */
static inline unsigned
res_short_free(const struct ks_res *need, const struct ks_res *alloc,
    const struct ks_res *used, const struct ks_res *extra)
{
	unsigned m = 0;

	for (int i = 0; i < RES_N; i++) {
		int64_t f;

		if (need->v[i] <= 0)
			continue;
		f = alloc->v[i] - used->v[i] - (extra != NULL ? extra->v[i] : 0);
		if (need->v[i] > f)
			m |= 1u << i;
	}
	return m;
}

#endif
