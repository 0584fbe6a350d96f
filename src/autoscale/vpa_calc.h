/*
 * vpa_calc.h: the pure decision core of the Vertical Pod Autoscaler
 * (kubernetes/autoscaler vertical-pod-autoscaler): sample aggregation,
 * the estimator chain, capping, limit scaling, the updater's priority and
 * eviction-tolerance rules, and `kubectl get vpa` formatting.
 *
 * No engine, no YAML, no allocation: plain structs and functions over
 * them.  The controller (vpa.c) owns every struct; a vpa_container borrows
 * the vpa_agg it feeds, and the caller keeps the aggregate alive while
 * the container exists.  Units: time in ms (epoch: a UTC midnight, see
 * vpa_histogram.h), CPU in millicores, memory in bytes, all int64_t.
 * VPA_TIME_ZERO stands for Go's zero time ("never").
 */
#ifndef KS_VPA_CALC_H
#define KS_VPA_CALC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "autoscale/vpa_histogram.h"

#define VPA_TIME_ZERO		INT64_MIN
/* model.MaxResourceAmount: every float -> amount conversion clamps here */
#define VPA_MAX_RESOURCE_AMOUNT	INT64_C(100000000000000)
#define VPA_MS_PER_HOUR		INT64_C(3600000)
/* Buffer size for vpa_format_*: cluster/quantity.h's QTY_BUFSZ. */
#define VPA_QTY_BUFSZ		32

enum vpa_res {
	VPA_CPU = 0,		/* millicores */
	VPA_MEM = 1,		/* bytes */
	VPA_NRES
};
#define VPA_RES_BIT(r)	(1u << (r))
#define VPA_RES_ALL	(VPA_RES_BIT(VPA_CPU) | VPA_RES_BIT(VPA_MEM))

/* A ResourceList restricted to cpu and memory. */
struct vpa_resources {
	int64_t	 v[VPA_NRES];	/* cpu: millicores; memory: bytes */
	unsigned has;		/* VPA_RES_BIT(r) set when v[r] is present */
};

/*
 * Recommender and updater knobs with their upstream defaults.  Version
 * dependent behaviour (reference Part D) is set by vpa_config_init from
 * the VPA release being simulated.
 */
struct vpa_config {
	int	 ver_major;		/* VPA release simulated, e.g. 1 */
	int	 ver_minor;		/* e.g. 4 for 1.4.x */
	/* recommender */
	double	 margin_fraction;	/* --recommendation-margin-fraction, 0.15 */
	double	 pod_min_cpu_m;		/* --pod-recommendation-min-cpu-millicores, 25 */
	double	 pod_min_mem_mb;	/* --pod-recommendation-min-memory-mb, 250 (MiB) */
	double	 cpu_pct[3];		/* target, lower, upper: 0.9, 0.5, 0.95 */
	double	 mem_pct[3];		/* target, lower, upper: 0.9, 0.5, 0.95 */
	int64_t	 conf_cpu_ms;		/* --confidence-interval-cpu, 24 h */
	int64_t	 conf_mem_ms;		/* --confidence-interval-memory, 24 h */
	int64_t	 cpu_half_life_ms;	/* CPU histogram half-life, 24 h */
	int64_t	 mem_half_life_ms;	/* memory histogram half-life, 24 h */
	int64_t	 mem_interval_ms;	/* memory aggregation interval, 24 h */
	double	 min_sample_weight;	/* 0.1 */
	bool	 cpu_weight_by_request;	/* weight max(request cores, 0.1): VPA <= 1.3 */
	double	 oom_bump_ratio;	/* 1.2 */
	int64_t	 oom_min_bump_b;	/* 100 MiB, bytes */
	int64_t	 round_cpu_m;		/* --round-cpu-millicores, 1 = none */
	int64_t	 round_mem_b;		/* --round-memory-bytes, 1 = none */
	bool	 mem_binary_si;		/* print memory BinarySI (250Mi): VPA >= 1.5 */
	/* updater */
	double	 min_change_priority;	/* --pod-update-threshold, 0.1 */
	int64_t	 update_lifetime_ms;	/* in-recommendation-bounds eviction lifetime, 12 h */
	int64_t	 evict_after_oom_ms;	/* --evict-after-oom-threshold, 10 min */
	double	 eviction_tolerance;	/* --eviction-tolerance, 0.5 */
	int	 min_replicas;		/* --min-replicas, 2 */
};

/* All defaults above, for VPA release major.minor (1.4 is a good default:
 * constant 0.1 CPU weight and DecimalSI memory, "587m" / "262144k"). */
void	vpa_config_init(struct vpa_config *cfg, int major, int minor);

/*
 * AggregateContainerState (model/aggregate_container_state.go): the
 * history of all containers sharing (namespace, container name, pod
 * labels).  First/last/total count CPU samples only.
 */
struct vpa_agg {
	struct vpa_dhist cpu;		/* usage in cores */
	struct vpa_dhist mem;		/* per-interval peaks in bytes */
	int64_t	 first_sample_ms;	/* first CPU sample start, or VPA_TIME_ZERO */
	int64_t	 last_sample_ms;	/* last CPU sample start, or VPA_TIME_ZERO */
	int64_t	 total_samples;		/* CPU samples added */
};

void	vpa_agg_init(struct vpa_agg *a, const struct vpa_config *cfg);
/* Add one CPU sample straight to the aggregate (no per-container dedup). */
void	vpa_agg_add_cpu(struct vpa_agg *a, const struct vpa_config *cfg,
	    int64_t t_ms, int64_t usage_m, int64_t request_m);
/* Merge o into a (histograms added, first/last/count combined).  o's
 * histograms may be re-anchored in time (see vpa_dhist_merge). */
void	vpa_agg_merge(struct vpa_agg *a, struct vpa_agg *o);
/* History length in "days" of a 1-sample-per-minute stream:
 * min((last - first) / interval, total / interval-in-minutes). */
double	vpa_agg_confidence(const struct vpa_agg *a, int64_t interval_ms);

/* ContainerState (model/container.go): one container of one pod. */
struct vpa_container {
	struct vpa_agg	*agg;		/* borrowed; where samples go */
	int64_t	 last_cpu_ms;		/* last accepted CPU sample, or VPA_TIME_ZERO */
	int64_t	 last_mem_ms;		/* last accepted memory sample, or VPA_TIME_ZERO */
	int64_t	 window_end_ms;		/* end of the current memory interval, or VPA_TIME_ZERO */
	int64_t	 mem_peak_b;		/* usage peak recorded this interval, bytes */
	int64_t	 oom_peak_b;		/* OOM-bumped peak recorded this interval, bytes */
};

void	vpa_container_init(struct vpa_container *c, struct vpa_agg *agg);
/* A metrics-server CPU sample; false (ignored) unless t_ms is strictly
 * after the previous accepted one and usage_m >= 0. */
bool	vpa_container_add_cpu(struct vpa_container *c,
	    const struct vpa_config *cfg, int64_t t_ms, int64_t usage_m,
	    int64_t request_m);
/* A working-set sample; false (ignored) when usage_b < 0 or t_ms is
 * older than the last memory sample. */
bool	vpa_container_add_mem(struct vpa_container *c,
	    const struct vpa_config *cfg, int64_t t_ms, int64_t usage_b);
/* An OOM kill (memory = the container's memory request) or memory-eviction
 * (memory = the usage reported); false when older than the last memory
 * sample minus one interval.  Records max(used + 100 MiB, used * 1.2),
 * used = max(memory_b, this interval's usage peak). */
bool	vpa_container_record_oom(struct vpa_container *c,
	    const struct vpa_config *cfg, int64_t t_ms, int64_t memory_b);

/* One container's recommendation as the status holds it. */
struct vpa_rec {
	struct vpa_resources target;	/* after minimum and capping */
	struct vpa_resources lower;	/* lowerBound */
	struct vpa_resources upper;	/* upperBound */
	struct vpa_resources uncapped;	/* uncappedTarget: target before capping */
};

/*
 * Estimator chain (logic/recommender.go, estimator.go) for one container
 * name, ncontainers = the number of container names of the VPA after the
 * mode-Off filter (the pod minimum is split evenly between them):
 *   target = max(P90 + 15 %, min)
 *   lower  = max((P50 + 15 %) * (1 + 0.001/conf)^-2, min)
 *   upper  = max((P95 + 15 %) * (1 + 1/conf), min)
 * then only `controlled` resources are kept and --round-* applied.  Fills
 * target, lower, upper and uncapped (= target); no capping.
 */
void	vpa_estimate(const struct vpa_config *cfg, const struct vpa_agg *s,
	    size_t ncontainers, unsigned controlled, struct vpa_rec *out);
/* The per-container pod minimum: (int64)(int64(25 m) / n) for CPU and
 * (int64)(250 MiB / n) for memory. */
void	vpa_min_resources(const struct vpa_config *cfg, size_t ncontainers,
	    struct vpa_resources *out);

enum vpa_cmode {
	VPA_CMODE_AUTO = 0,		/* default */
	VPA_CMODE_OFF			/* no recommendation for the container */
};

enum vpa_cvalues {
	VPA_REQUESTS_AND_LIMITS = 0,	/* default: limits scaled proportionally */
	VPA_REQUESTS_ONLY		/* limits untouched; recommendation capped at them */
};

/* resourcePolicy.containerPolicies[] entry. */
struct vpa_cpolicy {
	enum vpa_cmode	 mode;		/* Auto or Off */
	struct vpa_resources min_allowed; /* minAllowed; absent or 0 = no bound */
	struct vpa_resources max_allowed; /* maxAllowed; absent or 0 = no bound */
	unsigned	 controlled;	/* controlledResources mask, VPA_RES_ALL */
	enum vpa_cvalues values;	/* controlledValues */
};

void	vpa_cpolicy_init(struct vpa_cpolicy *p);
/*
 * Capping (utils/vpa/capping.go) of target, lower and upper: each present
 * resource is raised to minAllowed, then lowered to maxAllowed (the
 * policy's, else global_max's).  With RequestsOnly and `limits` given,
 * then lowered to the container's limit (0 = none).  policy, global_max
 * and limits may be NULL.  `uncapped` is left alone.  The recommender
 * calls this with limits = NULL; admission and the updater pass the pod
 * container's limits.
 */
void	vpa_rec_cap(struct vpa_rec *rec, const struct vpa_cpolicy *policy,
	    const struct vpa_resources *global_max,
	    const struct vpa_resources *limits);

/*
 * RequestsAndLimits limit for a new request (utils/vpa/
 * limit_and_request_scaling.go).  Amounts of 0 mean absent.  Returns false
 * when no limit is to be set (no original limit, or new request 0); else
 * *limit = new request when the original request is absent or equals the
 * limit, otherwise floor(orig_limit * new_request / orig_request) computed
 * exactly (milli-units for CPU, bytes for memory), INT64_MAX with *capped
 * set when that overflows.
 */
bool	vpa_limit_scale(enum vpa_res r, int64_t orig_limit,
	    int64_t orig_request, int64_t new_request, int64_t *limit,
	    bool *capped);

/* One pod container as the updater's priority calculator sees it. */
struct vpa_upd_container {
	struct vpa_resources	 request;	/* the container's requests */
	const struct vpa_rec	*rec;		/* capped for this pod; NULL = none */
};

struct vpa_priority {
	bool	 outside;	/* some request outside [lowerBound, upperBound] */
	bool	 scale_up;	/* some target above its request */
	double	 resource_diff;	/* sum over resources of |req - rec| / req */
};

/* GetUpdatePriority (updater/priority/priority_processor.go). */
void	vpa_priority_calc(const struct vpa_upd_container *c, size_t n,
	    struct vpa_priority *out);
/* OOMKilled after running less than --evict-after-oom-threshold. */
bool	vpa_quick_oom(const struct vpa_config *cfg, int64_t started_ms,
	    int64_t finished_ms);
/* AddPod's verdict: evict/update iff outside bounds or quick OOM, or the
 * pod started (start_ms != VPA_TIME_ZERO) at least 12 h ago and the
 * resource diff is >= 0.1; a quick-OOM pod with diff 0 is refused. */
bool	vpa_update_wanted(const struct vpa_config *cfg,
	    const struct vpa_priority *p, bool quick_oom, int64_t start_ms,
	    int64_t now_ms);
/* Eviction order: scale-up first, then larger resource diff.  Fills
 * order[0..n) with indexes into p; ties keep input order (a stable sort,
 * which is what Go's sort.Sort does for the <= 12 elements it
 * insertion-sorts). */
void	vpa_priority_order(const struct vpa_priority *p, size_t n,
	    size_t *order);

/* One replica group (pods of one controller) for eviction restriction
 * (updater/restriction). */
struct vpa_group {
	int	 configured;	/* controller's spec.replicas */
	int	 tolerance;	/* (int)(configured * eviction tolerance) */
	int	 running;	/* live pods not Pending */
	int	 pending;	/* live pods Pending */
	int	 evicted;	/* non-Pending pods evicted this loop */
};

/* false when the group is skipped (live < min_replicas). */
bool	vpa_group_init(struct vpa_group *g, const struct vpa_config *cfg,
	    int min_replicas, int configured, int live, int pending);
bool	vpa_group_can_evict(const struct vpa_group *g, bool pod_pending);
/* Record a successful eviction. */
void	vpa_group_note_evicted(struct vpa_group *g, bool pod_pending);

/*
 * Formatting as `kubectl get vpa` / the status show it (model/types.go).
 * CPU: resource.NewScaledQuantity(m, -3), e.g. "587m", "1", "1500m".
 * Memory: NewScaledQuantity(bytes, 0) in DecimalSI ("262144k", VPA <= 1.4)
 * or BinarySI ("250Mi", VPA >= 1.5, binary_si = true).  Printing is
 * cluster/quantity.h's qty_format_cpu/qty_format_bytes; n >= VPA_QTY_BUFSZ.
 * Returns buf.
 */
char	*vpa_format_cpu(int64_t millicores, char *buf, size_t n);
char	*vpa_format_mem(int64_t bytes, bool binary_si, char *buf, size_t n);

#endif
