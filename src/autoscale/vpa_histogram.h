/*
 * vpa_histogram.h: the VPA recommender's exponential-bucket histograms,
 * plain and decaying (kubernetes/autoscaler vertical-pod-autoscaler,
 * pkg/recommender/util/histogram*.go, decaying_histogram.go).
 *
 * Ownership: every struct here is a plain value with a fixed-size bucket
 * array; nothing is allocated.  Options are borrowed (the two built-in
 * ones are static).  Times are int64 ms since an epoch that must be a UTC
 * midnight (the Unix epoch or the scenario start when it is one): the
 * decaying histogram rounds its reference time to a multiple of the
 * half-life counted from that epoch, as Go rounds from its zero time.
 */
#ifndef KS_VPA_HISTOGRAM_H
#define KS_VPA_HISTOGRAM_H

#include <stdbool.h>
#include <stdint.h>

/* Both upstream layouts (CPU and memory) have exactly 176 buckets. */
#define VPA_HIST_MAX_BUCKETS	176

struct vpa_hist_opts {
	double	 first;		/* size of bucket 0 (cores or bytes) */
	double	 ratio;		/* growth of each bucket, 1.05 */
	double	 max;		/* the last bucket starts at or above this */
	double	 epsilon;	/* weight below this counts as empty */
	int	 nbuckets;	/* ceil(log_ratio(max*(ratio-1)/first + 1)) + 1 */
};

/* CPU: first 0.01 core, max 1000 cores; memory: first 1e7 B, max 1e12 B.
 * Both: ratio 1.05, epsilon 0.001 * 0.1 (minimum sample weight). */
extern const struct vpa_hist_opts vpa_hist_cpu_opts;	/* values in cores */
extern const struct vpa_hist_opts vpa_hist_mem_opts;	/* values in bytes */

/* Fill *o and compute nbuckets; KS_EINVAL when an argument is out of range
 * (max, first, epsilon > 0, ratio > 1) or the layout needs more than
 * VPA_HIST_MAX_BUCKETS buckets. */
int	vpa_hist_opts_init(struct vpa_hist_opts *o, double max, double first,
	    double ratio, double epsilon);
/* Bucket of value v: 0 below `first`, else floor(log_ratio(v(r-1)/f + 1)),
 * clamped to the last bucket. */
int	vpa_hist_bucket(const struct vpa_hist_opts *o, double v);
/* Start (lower edge) of bucket b: f * (r^b - 1) / (r - 1); 0 for b = 0. */
double	vpa_hist_bucket_start(const struct vpa_hist_opts *o, int b);

struct vpa_hist {
	const struct vpa_hist_opts *opts;	/* borrowed bucket layout */
	double	 w[VPA_HIST_MAX_BUCKETS];	/* weight per bucket */
	double	 total;				/* sum of weights */
	int	 min_b;		/* first non-empty bucket, nbuckets-1 when empty */
	int	 max_b;		/* last non-empty bucket, 0 when empty */
};

void	vpa_hist_init(struct vpa_hist *h, const struct vpa_hist_opts *o);
/* wt >= 0 (asserted). */
void	vpa_hist_add(struct vpa_hist *h, double v, double wt);
/* Weights that fall below epsilon become exactly 0. */
void	vpa_hist_subtract(struct vpa_hist *h, double v, double wt);
/* Add o's weights into h (same options, asserted). */
void	vpa_hist_merge(struct vpa_hist *h, const struct vpa_hist *o);
/* Multiply every weight by f >= 0; buckets falling below epsilon drop out. */
void	vpa_hist_scale(struct vpa_hist *h, double f);
bool	vpa_hist_empty(const struct vpa_hist *h);
/* 0 when empty; otherwise the UPPER edge (start of the next bucket) of the
 * bucket holding the p-th fraction of the weight, or the start of the last
 * bucket when that is where it falls. */
double	vpa_hist_percentile(const struct vpa_hist *h, double p);

struct vpa_dhist {
	struct vpa_hist	 h;		/* weights, scaled by 2^((t-ref)/half_life) */
	int64_t		 half_life_ms;	/* 24 h for both upstream histograms */
	int64_t		 ref_ms;	/* reference time, a multiple of half_life_ms */
	bool		 ref_set;	/* false: Go's zero time (never used yet) */
};

void	vpa_dhist_init(struct vpa_dhist *d, const struct vpa_hist_opts *o,
	    int64_t half_life_ms);
void	vpa_dhist_add(struct vpa_dhist *d, double v, double wt, int64_t t_ms);
void	vpa_dhist_subtract(struct vpa_dhist *d, double v, double wt,
	    int64_t t_ms);
/* Add o into d.  As upstream, the one with the older reference time is
 * re-anchored to the newer one first, and that may be o: o is modified. */
void	vpa_dhist_merge(struct vpa_dhist *d, struct vpa_dhist *o);
bool	vpa_dhist_empty(const struct vpa_dhist *d);
double	vpa_dhist_percentile(const struct vpa_dhist *d, double p);

#endif
