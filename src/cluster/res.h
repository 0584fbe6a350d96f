/*
 * res.h: a fixed vector of the resources the scheduler and the autoscalers
 * reason about.  Every pod request, node capacity and allocatable is one of
 * these, so "does it fit" is five integer comparisons, not a map walk.
 * Extended resources other than GPUs are not modelled (no scenario of ours
 * needs them; an unknown one is a load-time warning).
 */
#ifndef KS_RES_H
#define KS_RES_H

#include <stdint.h>

enum { RES_CPU, RES_MEM, RES_EPH, RES_PODS, RES_GPU, RES_N };

struct ks_res {
	int64_t	v[RES_N];	/* cpu: millicores; mem, eph: bytes; pods, gpu: count */
};

/* kube-scheduler's names, used in "Insufficient cpu" and in reports */
extern const char *const res_name[RES_N];

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

#endif
