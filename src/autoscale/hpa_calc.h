/*
 * hpa_calc.h: the pure decision core of the Horizontal Pod Autoscaler.
 *
 * Everything here is a function of plain structs: no engine, no cluster, no
 * YAML.  The HPA controller (hpa.c) fills one struct hpa_metric_input per
 * metric of spec.metrics on every 15 s sync, calls hpa_calc_reconcile(), acts
 * on the decision (scale the workload, record events and conditions) and,
 * after a successful rescale, calls hpa_state_store_scale_event().
 *
 * Ownership: every pointer in an input struct is borrowed for the duration
 * of the call.  struct hpa_state owns its two history arrays; it is set up
 * with hpa_state_init() and released with hpa_state_free().  Result and
 * decision structs hold only fixed buffers; nothing to free.
 *
 * Units: every metric quantity is an int64 milli-unit, as upstream HPA uses
 * internally: cpu in millicores, memory in bytes x 1000, custom and external
 * metrics in milli-units of their value.  Times are simulated ms.
 */
#ifndef KS_HPA_CALC_H
#define KS_HPA_CALC_H

#include <stddef.h>
#include <stdint.h>

#define HPA_MSG_MAX		512	/* bytes of every message buffer */
#define HPA_REASON_MAX		48	/* bytes of every reason buffer */
#define HPA_MAX_POLICIES	16	/* scaling policies per direction */

/* Controller flags (kube-controller-manager), see hpa_config_default(). */
struct hpa_config {
	double		 tolerance;		/* --horizontal-pod-autoscaler-tolerance, 0.1 */
	int64_t		 downscale_window_ms;	/* downscale stabilization, 300000 */
	int64_t		 cpu_init_ms;		/* cpu initialization period, 300000 */
	int64_t		 readiness_delay_ms;	/* initial readiness delay, 30000 */
};

/* Per-direction tolerances; a ratio r is "within" iff 1-down <= r <= 1+up. */
struct hpa_tolerances {
	double		 down;			/* fraction below 1.0 tolerated */
	double		 up;			/* fraction above 1.0 tolerated */
};

/* ---- metric specs ---------------------------------------------------- */

enum hpa_metric_type {
	HPA_METRIC_RESOURCE,			/* type: Resource */
	HPA_METRIC_CONTAINER_RESOURCE,		/* type: ContainerResource */
	HPA_METRIC_PODS,			/* type: Pods */
	HPA_METRIC_OBJECT,			/* type: Object */
	HPA_METRIC_EXTERNAL,			/* type: External */
};

enum hpa_target_type {
	HPA_TARGET_UTILIZATION,			/* averageUtilization (Resource kinds) */
	HPA_TARGET_AVERAGE_VALUE,		/* averageValue */
	HPA_TARGET_VALUE,			/* value (Object, External) */
};

struct hpa_metric_spec {
	enum hpa_metric_type	 type;		/* metric source type */
	const char		*name;		/* resource ("cpu", "memory") or metric name */
	const char		*container;	/* ContainerResource: container name */
	const char		*object_kind;	/* Object: describedObject.kind */
	const char		*object_name;	/* Object: describedObject.name */
	const char		*selector;	/* metric selector as Go's %+v prints it; NULL = "nil" */
	enum hpa_target_type	 target_type;	/* which target field is set */
	int32_t			 target_utilization; /* percent of request (Utilization) */
	int64_t			 target_milli;	/* AverageValue or Value, milli-units */
};

/* ---- pods as the HPA sees them ---------------------------------------- */

enum hpa_pod_phase {
	HPA_PHASE_PENDING,
	HPA_PHASE_RUNNING,
	HPA_PHASE_SUCCEEDED,
	HPA_PHASE_FAILED,
	HPA_PHASE_UNKNOWN,
};

enum hpa_ready_cond {
	HPA_READY_NONE,				/* no Ready condition on the pod */
	HPA_READY_TRUE,
	HPA_READY_FALSE,
	HPA_READY_UNKNOWN,
};

enum hpa_request_state {
	HPA_REQ_OK,				/* request_m is valid */
	HPA_REQ_MISSING,			/* req_container has no request */
	HPA_REQ_CONTAINER_ABSENT,		/* ContainerResource: container not in pod */
	HPA_REQ_POD_LEVEL_MISSING,		/* pod-level requests set, not for this resource */
};

/*
 * One pod matched by the target's selector (every phase, terminating ones
 * included), with its metric for ONE metric spec.  Resource kinds use every
 * field; Pods metrics ignore the request fields; Object/External Value
 * targets use only phase and ready (to count ready pods).
 */
struct hpa_pod_sample {
	const char		*name;		/* pod name, for error texts */
	enum hpa_pod_phase	 phase;		/* status.phase */
	int			 deleting;	/* 1 if deletionTimestamp is set */
	enum hpa_ready_cond	 ready;		/* Ready condition status */
	int64_t			 ready_change_ms; /* Ready lastTransitionTime, ms */
	int			 has_start;	/* 1 if status.startTime is set */
	int64_t			 start_ms;	/* status.startTime, ms */
	enum hpa_request_state	 req_state;	/* whether request_m is usable */
	const char		*req_container;	/* HPA_REQ_MISSING: first container without one */
	int64_t			 request_m;	/* summed request, milli-units */
	int			 has_metric;	/* 1 if metrics API returned a value */
	int64_t			 value_m;	/* metric value, milli-units */
	int64_t			 metric_ts_ms;	/* metric timestamp, ms */
	int64_t			 metric_window_ms; /* metric window, ms */
};

/* All the inputs for one metric on one sync. */
struct hpa_metric_input {
	const struct hpa_metric_spec *spec;	/* borrowed */
	const struct hpa_pod_sample *pods;	/* borrowed; all pods of the selector */
	size_t			 npods;		/* entries in pods */
	const char		*ns;		/* HPA namespace, for error texts */
	const char		*fetch_error;	/* metrics API failure text, NULL if it answered */
	int64_t			 value_m;	/* Object: value; External: sum of series, milli */
};

/* What one metric produced (a proposal and its status, or a failure). */
struct hpa_metric_result {
	int		 ok;			/* 1 proposal valid, 0 metric failed */
	int32_t		 replicas;		/* the proposal */
	char		 name[HPA_MSG_MAX];	/* e.g. "cpu resource utilization (percentage of request)" */
	int		 has_utilization;	/* status.current.averageUtilization set */
	int32_t		 utilization;		/* percent, truncated, first pass */
	int		 has_average;		/* status.current.averageValue set */
	int64_t		 average_m;		/* milli-units */
	int		 has_value;		/* status.current.value set */
	int64_t		 value_m;		/* milli-units */
	char		 reason[HPA_REASON_MAX]; /* failure: FailedGet*Metric, event reason */
	char		 event_msg[HPA_MSG_MAX]; /* failure: Warning event message */
	char		 error[HPA_MSG_MAX];	/* failure: fully wrapped error */
};

/* ---- behavior (autoscaling/v2 spec.behavior) -------------------------- */

enum hpa_policy_type {
	HPA_POLICY_PODS,
	HPA_POLICY_PERCENT,
};

enum hpa_select_policy {
	HPA_SELECT_MAX,
	HPA_SELECT_MIN,
	HPA_SELECT_DISABLED,
};

struct hpa_policy {
	enum hpa_policy_type	 type;		/* Pods or Percent */
	int32_t			 value;		/* pods, or percent */
	int32_t			 period_s;	/* periodSeconds */
};

/* One direction; a zeroed struct means "omitted in YAML". */
struct hpa_rules {
	int			 has_window;	/* stabilizationWindowSeconds given */
	int32_t			 window_s;	/* seconds */
	int			 has_select;	/* selectPolicy given */
	enum hpa_select_policy	 select;	/* Max, Min, Disabled */
	int			 has_policies;	/* policies given */
	size_t			 npolicies;	/* entries in policies */
	struct hpa_policy	 policies[HPA_MAX_POLICIES]; /* in spec order */
	int			 has_tolerance;	/* tolerance given (HPAConfigurableTolerance) */
	double			 tolerance;	/* fraction */
};

struct hpa_behavior {
	struct hpa_rules	 up;		/* scaleUp */
	struct hpa_rules	 down;		/* scaleDown */
};

/* ---- per-HPA memory (controller RAM upstream) ------------------------- */

struct hpa_rec {
	int32_t		 replicas;		/* unstabilized recommendation */
	int64_t		 at_ms;			/* when it was made */
};

struct hpa_scale_event {
	int32_t		 change;		/* |new - old| replicas */
	int64_t		 at_ms;			/* when the rescale happened */
	int		 outdated;		/* slot may be reused */
};

struct hpa_state {
	struct hpa_rec		*recs;		/* recommendation history */
	size_t			 nrecs;		/* entries used */
	size_t			 caprecs;	/* entries allocated */
	struct hpa_scale_event	*up;		/* scale-up events (behavior only) */
	size_t			 nup;		/* entries used */
	size_t			 capup;		/* entries allocated */
	struct hpa_scale_event	*down;		/* scale-down events (behavior only) */
	size_t			 ndown;		/* entries used */
	size_t			 capdown;	/* entries allocated */
};

/* ---- decision ---------------------------------------------------------- */

struct hpa_condition {
	int		 set;			/* 1 if this sync set it; else keep the old one */
	int		 status;		/* 1 True, 0 False */
	char		 reason[HPA_REASON_MAX]; /* e.g. "ScaleDownStabilized" */
	char		 message[HPA_MSG_MAX];	/* upstream wording */
};

struct hpa_decision {
	int32_t		 current;		/* scale.spec.replicas at the start */
	int32_t		 raw;			/* max(0, metric proposal); -1 if none */
	int32_t		 desired;		/* replicas to write if rescale, else current */
	int		 rescale;		/* 1: PUT scale.spec.replicas = desired */
	int		 metrics_ran;		/* 1 if metrics were evaluated */
	int		 blocked;		/* 1 if metric errors stopped the sync */
	char		 reason[HPA_MSG_MAX];	/* rescale reason for the event */
	char		 compute_error[HPA_MSG_MAX]; /* FailedComputeMetricsReplicas text, or "" */
	struct hpa_condition able_to_scale;	/* AbleToScale (after SucceededGetScale) */
	struct hpa_condition scaling_active;	/* ScalingActive */
	struct hpa_condition scaling_limited;	/* ScalingLimited */
};

/* The HPA spec fields the decision needs. */
struct hpa_spec {
	int32_t			 min_replicas;	/* spec.minReplicas (API default 1) */
	int32_t			 max_replicas;	/* spec.maxReplicas */
	const struct hpa_behavior *behavior;	/* NULL = legacy path; defaults applied */
	size_t			 nmetrics;	/* entries in spec.metrics (>= 1) */
};

void	hpa_config_default(struct hpa_config *cfg);
/* Tolerances for an HPA: the flag, overridden per direction by behavior. */
void	hpa_tolerances_for(const struct hpa_config *cfg,
	    const struct hpa_behavior *behavior, struct hpa_tolerances *tol);
/* API defaulting of a present spec.behavior (apis/autoscaling/v2/defaults.go). */
void	hpa_behavior_set_defaults(struct hpa_behavior *b);

void	hpa_state_init(struct hpa_state *st);
void	hpa_state_free(struct hpa_state *st);
/* recordInitialRecommendation: seeds (current, now) when the history is empty. */
void	hpa_state_record_initial(struct hpa_state *st, int32_t current,
	    int64_t now_ms);
/* After a successful rescale; a no-op when behavior is NULL (legacy path). */
void	hpa_state_store_scale_event(struct hpa_state *st,
	    const struct hpa_behavior *behavior, int32_t prev, int32_t next,
	    int64_t now_ms);

/*
 * One metric: replica proposal, status and error as replica_calculator.go.
 * spec_replicas is scale.spec.replicas, status_replicas scale.status.replicas.
 */
void	hpa_calc_metric(const struct hpa_config *cfg,
	    const struct hpa_tolerances *tol, const struct hpa_metric_input *in,
	    int32_t spec_replicas, int32_t status_replicas, int64_t now_ms,
	    struct hpa_metric_result *res);

/*
 * Several metrics (computeReplicasForMetrics): fills res[0..n) and returns
 * the maximum proposal, or -1 when all failed or a failure blocks a
 * scale-down; *name gets the winning metric's name (borrowed from res).
 */
int32_t	hpa_calc_metrics(const struct hpa_config *cfg,
	    const struct hpa_tolerances *tol, const struct hpa_metric_input *in,
	    size_t n, int32_t spec_replicas, int32_t status_replicas,
	    int64_t now_ms, struct hpa_metric_result *res, const char **name,
	    struct hpa_decision *d);

/* Legacy normalization (behavior == NULL): 300 s max window, max(2c,4) cap. */
int32_t	hpa_calc_normalize_legacy(struct hpa_state *st,
	    const struct hpa_config *cfg, int32_t current, int32_t raw,
	    int32_t min_replicas, int32_t max_replicas, int64_t now_ms,
	    struct hpa_decision *d);
/* Normalization with spec.behavior (defaults already applied). */
int32_t	hpa_calc_normalize_behavior(struct hpa_state *st,
	    const struct hpa_config *cfg, const struct hpa_behavior *b,
	    int32_t current, int32_t raw, int32_t min_replicas,
	    int32_t max_replicas, int64_t now_ms, struct hpa_decision *d);

/*
 * One reconcile after a successful GET of the scale subresource (A3):
 * in/res have spec->nmetrics entries.  Does not store the scale event: the
 * caller does that once the PUT succeeded.
 */
void	hpa_calc_reconcile(struct hpa_state *st, const struct hpa_config *cfg,
	    const struct hpa_spec *spec, int32_t spec_replicas,
	    int32_t status_replicas, const struct hpa_metric_input *in,
	    int64_t now_ms, struct hpa_metric_result *res,
	    struct hpa_decision *d);

/* "New size: N; reason: R" (SuccessfulRescale). */
void	hpa_calc_fmt_rescale(char *buf, size_t len, int32_t size,
	    const char *reason);
/* "New size: N; reason: R; error: E" (FailedRescale). */
void	hpa_calc_fmt_failed_rescale(char *buf, size_t len, int32_t size,
	    const char *reason, const char *error);
/* AbleToScale True SucceededRescale after a successful PUT. */
void	hpa_calc_cond_rescaled(struct hpa_condition *c, int32_t size);

#endif
