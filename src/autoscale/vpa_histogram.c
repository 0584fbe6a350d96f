/*
 * vpa_histogram.c: exponential-bucket histograms with exponential decay,
 * the storage behind every VPA recommendation.
 *
 * What it models.  The recommender keeps, per aggregate container state,
 * one histogram of CPU usage (cores) and one of memory peaks (bytes)
 * (kubernetes/autoscaler vertical-pod-autoscaler/pkg/recommender/util/
 * histogram.go, histogram_options.go, decaying_histogram.go; layouts from
 * model/aggregations_config.go).  Bucket n >= 1 starts at
 * f * (r^n - 1) / (r - 1); with f = 0.01 core and r = 1.05 bucket 25 is
 * [0.4773, 0.5111) cores.  A percentile is answered with the upper edge of
 * the bucket that holds it, which is why every VPA number starts from a
 * bucket edge (587m = 511m + 15 % for a 500m workload).
 *
 * Decay.  A sample at time t is added with weight wt * 2^((t - ref) / H),
 * H = 24 h.  Newer samples weigh more and only relative weights matter, so
 * ref is moved forward (to t rounded to a multiple of H, weights rescaled
 * by an exact power of two) only when t passes ref + 100 H, or when the
 * histogram is used for the first time: upstream's ref starts as Go's
 * zero time, so the first sample always re-anchors to the UTC midnight
 * nearest to it.  `ref_set = false` stands for that zero time.
 *
 * Fidelity.  The floating-point expressions are evaluated in the same
 * order as upstream (ratio - 1 is 0.05000000000000004, as in Go); glibc's
 * log/pow/exp2 may differ from Go's math package in the last ulp, which
 * only matters for a value exactly on a bucket edge (reference, open
 * question C).  Durations are whole ms, so (t - ref) / H is the same
 * correctly rounded quotient Go computes from nanoseconds.
 *
 * Costs.  A histogram is 176 doubles (1.4 KB); add is O(1) plus one log,
 * subtract and scale walk [min_b, max_b], percentile is O(buckets).
 * Checkpoint save/load (uint32 weights) is not modelled: ksim never
 * restarts the recommender.
 */
#include "autoscale/vpa_histogram.h"

#include <assert.h>
#include <math.h>

#include "util/error.h"

/* Decay exponent above which the reference time is moved forward. */
#define VPA_MAX_DECAY_EXPONENT	100

const struct vpa_hist_opts vpa_hist_cpu_opts = {
	.first = 0.01, .ratio = 1.0 + 0.05, .max = 1000.0,
	.epsilon = 0.001 * 0.1, .nbuckets = 176,
};

const struct vpa_hist_opts vpa_hist_mem_opts = {
	.first = 1e7, .ratio = 1.0 + 0.05, .max = 1e12,
	.epsilon = 0.001 * 0.1, .nbuckets = 176,
};

static double
vpa_log(double base, double x)
{
	return log(x) / log(base);
}

int
vpa_hist_opts_init(struct vpa_hist_opts *o, double max, double first,
    double ratio, double epsilon)
{
	double n;

	assert(o != NULL);
	if (!(max > 0.0) || !(first > 0.0) || !(ratio > 1.0) ||
	    !(epsilon > 0.0))
		return KS_EINVAL;
	n = ceil(vpa_log(ratio, max * (ratio - 1) / first + 1)) + 1;
	if (!(n <= VPA_HIST_MAX_BUCKETS))
		return KS_EINVAL;
	o->max = max;
	o->first = first;
	o->ratio = ratio;
	o->epsilon = epsilon;
	o->nbuckets = (int)n;
	return 0;
}

int
vpa_hist_bucket(const struct vpa_hist_opts *o, double v)
{
	double	b;

	if (!(v >= o->first))	/* also NaN, as Go's int(NaN) lands at 0 here */
		return 0;
	b = vpa_log(o->ratio, v * (o->ratio - 1) / o->first + 1);
	if (b >= o->nbuckets)
		return o->nbuckets - 1;
	return (int)b;
}

double
vpa_hist_bucket_start(const struct vpa_hist_opts *o, int b)
{
	assert(b >= 0 && b < o->nbuckets);
	if (b == 0)
		return 0.0;
	return o->first * (pow(o->ratio, (double)b) - 1) / (o->ratio - 1);
}

void
vpa_hist_init(struct vpa_hist *h, const struct vpa_hist_opts *o)
{
	assert(h != NULL && o != NULL);
	assert(o->nbuckets > 0 && o->nbuckets <= VPA_HIST_MAX_BUCKETS);
	for (int i = 0; i < VPA_HIST_MAX_BUCKETS; i++)
		h->w[i] = 0.0;
	h->opts = o;
	h->total = 0.0;
	h->min_b = o->nbuckets - 1;
	h->max_b = 0;
}

void
vpa_hist_add(struct vpa_hist *h, double v, double wt)
{
	int b;

	assert(wt >= 0.0);
	b = vpa_hist_bucket(h->opts, v);
	h->w[b] += wt;
	h->total += wt;
	if (b < h->min_b && h->w[b] >= h->opts->epsilon)
		h->min_b = b;
	if (b > h->max_b && h->w[b] >= h->opts->epsilon)
		h->max_b = b;
}

/* Adjust min_b/max_b after weights went down. */
static void
vpa_hist_update_bounds(struct vpa_hist *h)
{
	double	eps = h->opts->epsilon;
	int	last = h->opts->nbuckets - 1;

	while (h->w[h->min_b] < eps && h->min_b < last)
		h->min_b++;
	while (h->w[h->max_b] < eps && h->max_b > 0)
		h->max_b--;
}

static double
vpa_safe_sub(double v, double sub, double eps)
{
	v -= sub;
	return v < eps ? 0.0 : v;
}

void
vpa_hist_subtract(struct vpa_hist *h, double v, double wt)
{
	int b;

	assert(wt >= 0.0);
	b = vpa_hist_bucket(h->opts, v);
	h->total = vpa_safe_sub(h->total, wt, h->opts->epsilon);
	h->w[b] = vpa_safe_sub(h->w[b], wt, h->opts->epsilon);
	vpa_hist_update_bounds(h);
}

void
vpa_hist_merge(struct vpa_hist *h, const struct vpa_hist *o)
{
	assert(h->opts->nbuckets == o->opts->nbuckets &&
	    h->opts->first == o->opts->first &&
	    h->opts->ratio == o->opts->ratio);
	for (int b = o->min_b; b <= o->max_b; b++)
		h->w[b] += o->w[b];
	h->total += o->total;
	if (o->min_b < h->min_b)
		h->min_b = o->min_b;
	if (o->max_b > h->max_b)
		h->max_b = o->max_b;
}

void
vpa_hist_scale(struct vpa_hist *h, double f)
{
	assert(f >= 0.0);
	for (int b = h->min_b; b <= h->max_b; b++)
		h->w[b] *= f;
	h->total *= f;
	vpa_hist_update_bounds(h);
}

bool
vpa_hist_empty(const struct vpa_hist *h)
{
	return h->w[h->min_b] < h->opts->epsilon;
}

double
vpa_hist_percentile(const struct vpa_hist *h, double p)
{
	double	sum = 0.0, thr;
	int	b;

	if (vpa_hist_empty(h))
		return 0.0;
	thr = p * h->total;
	for (b = h->min_b; b < h->max_b; b++) {
		sum += h->w[b];
		if (sum >= thr)
			break;
	}
	if (b < h->opts->nbuckets - 1)
		return vpa_hist_bucket_start(h->opts, b + 1);
	return vpa_hist_bucket_start(h->opts, b);
}

void
vpa_dhist_init(struct vpa_dhist *d, const struct vpa_hist_opts *o,
    int64_t half_life_ms)
{
	assert(half_life_ms > 0);
	vpa_hist_init(&d->h, o);
	d->half_life_ms = half_life_ms;
	d->ref_ms = 0;
	d->ref_set = false;
}

/* Go's Time.Round(H): nearest multiple of H, halves rounded up. */
static int64_t
vpa_round_time(int64_t t, int64_t h)
{
	int64_t q = t / h, r = t % h;

	if (r < 0) {
		q--;
		r += h;
	}
	if (r + r >= h)	/* r < h, so r + r cannot overflow */
		q++;
	return q * h;
}

/* Re-anchor to `to` (rounded); weights scale by 2^round((ref - to') / H). */
static void
vpa_dhist_shift(struct vpa_dhist *d, int64_t to)
{
	int64_t	nref = vpa_round_time(to, d->half_life_ms);

	if (d->ref_set) {
		double e = floor((double)(d->ref_ms - nref) /
		    (double)d->half_life_ms + 0.5);
		vpa_hist_scale(&d->h, ldexp(1.0, (int)e));
	} else {
		/* From Go's zero time the exponent is about -1e5: factor 0. */
		vpa_hist_scale(&d->h, 0.0);
	}
	d->ref_ms = nref;
	d->ref_set = true;
}

static double
vpa_dhist_factor(struct vpa_dhist *d, int64_t t_ms)
{
	if (!d->ref_set || t_ms - d->ref_ms >
	    d->half_life_ms * VPA_MAX_DECAY_EXPONENT)
		vpa_dhist_shift(d, t_ms);
	return exp2((double)(t_ms - d->ref_ms) / (double)d->half_life_ms);
}

void
vpa_dhist_add(struct vpa_dhist *d, double v, double wt, int64_t t_ms)
{
	vpa_hist_add(&d->h, v, wt * vpa_dhist_factor(d, t_ms));
}

void
vpa_dhist_subtract(struct vpa_dhist *d, double v, double wt, int64_t t_ms)
{
	vpa_hist_subtract(&d->h, v, wt * vpa_dhist_factor(d, t_ms));
}

void
vpa_dhist_merge(struct vpa_dhist *d, struct vpa_dhist *o)
{
	assert(d->half_life_ms == o->half_life_ms);
	/* an unset reference is Go's zero time, before every other */
	if (o->ref_set && (!d->ref_set || d->ref_ms < o->ref_ms))
		vpa_dhist_shift(d, o->ref_ms);
	else if (d->ref_set && (!o->ref_set || o->ref_ms < d->ref_ms))
		vpa_dhist_shift(o, d->ref_ms);
	vpa_hist_merge(&d->h, &o->h);
}

bool
vpa_dhist_empty(const struct vpa_dhist *d)
{
	return vpa_hist_empty(&d->h);
}

double
vpa_dhist_percentile(const struct vpa_dhist *d, double p)
{
	return vpa_hist_percentile(&d->h, p);
}
