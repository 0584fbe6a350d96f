/*
 * hpa_calc.c: the decision core of the Horizontal Pod Autoscaler.
 *
 * What it models.  One sync of kube-controller-manager's HPA controller
 * after the scale subresource was read: per-metric replica proposals
 * (pkg/controller/podautoscaler/replica_calculator.go), the maximum over
 * metrics with the invalid-metric rules and the reconcile branches
 * (horizontal.go: computeReplicasForMetrics, reconcileAutoscaler), and the
 * two normalization paths: the legacy one for an HPA without spec.behavior
 * (300 s max-window of recommendations, scale-up cap max(2c, 4)) and the
 * autoscaling/v2 behavior one (per-direction stabilization windows, Pods and
 * Percent policies over recorded scale events, selectPolicy).  The reason
 * and message strings are upstream's, because users grep for them.
 *
 * Upstream behaviours kept on purpose, however odd:
 * - utilization is an int32 percentage truncated before the ratio is taken,
 *   and the ratio is util / target in double; ceil() is applied to a double;
 * - the tolerance test is (1 - down) <= r <= (1 + up) with inclusive
 *   bounds, so a ratio of exactly 1.10 does not scale;
 * - with nothing missing or unready the proposal is ceil(r * readyPods),
 *   not ceil(r * current);
 * - "did not receive metrics" is tested before requests are checked, so a
 *   pod without a request fails the metric only when some metric is left;
 * - missing pods are filled at max(100 %, target) of their request on a
 *   scale-down (PR #112178) and at 0 on a scale-up; for plain (AverageValue)
 *   metrics with the target value on a scale-down; nothing is filled at a
 *   ratio of exactly 1.0;
 * - the Object AverageValue proposal is named "external metric ..." and an
 *   Object fetch error prints its arguments in upstream's shuffled order;
 * - a partial metric failure blocks a scale-down but not a scale-up;
 * - window membership is strict (ts > now - W), legacy "old" is ts < cutoff.
 *
 * Alternatives rejected.  Taking pods through the cluster model would tie
 * this file to the engine; taking one shared pod array with per-metric value
 * arrays saves a copy but makes the controller's code harder to read, so the
 * controller fills one small pod array per metric.  Values that upstream
 * converts from double to int32 without clamping are clamped here, since
 * the C conversion would be undefined; only absurd inputs notice.
 *
 * Costs.  A metric is O(pods) with one scratch allocation; normalization is
 * O(history), and the history stays small because old slots are reused
 * (one per sync within the longest window, as upstream).
 */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/hpa_calc.h"
#include "util/xmalloc.h"

#define MSG_LIMIT_UP	"the desired replica count is increasing faster than the maximum scale rate"
#define MSG_LIMIT_DOWN	"the desired replica count is decreasing faster than the maximum scale rate"
#define MSG_TOO_MANY	"the desired replica count is more than the maximum replica count"
#define MSG_TOO_FEW	"the desired replica count is less than the minimum replica count"
#define MSG_IN_RANGE	"the desired count is within the acceptable range"
#define MSG_DOWN_STAB	"recent recommendations were higher than current one, applying the highest recent recommendation"
#define MSG_UP_STAB	"recent recommendations were lower than current one, applying the lowest recent recommendation"
#define MSG_READY	"recommended size matches current size"
#define ERR_NO_PODS	"no pods returned by selector while calculating replica count"
#define ERR_NO_READY	"did not receive metrics for targeted pods (pods might be unready)"

/* Pod classes of groupPods, in the order they are tested. */
enum pod_class {
	CLASS_IGNORED,
	CLASS_UNREADY,
	CLASS_MISSING,
	CLASS_READY,
};

static void	msgf(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/*
 * snprintf into a fixed message buffer; truncation is accepted (messages
 * are bounded by HPA_MSG_MAX), hence a wrapper GCC does not second-guess.
 */
static void
msgf(char *buf, size_t len, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static void	cond_set(struct hpa_condition *, int, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));

static void
cond_set(struct hpa_condition *c, int status, const char *reason,
    const char *fmt, ...)
{
	va_list	ap;

	c->set = 1;
	c->status = status;
	msgf(c->reason, sizeof c->reason, "%s", reason);
	va_start(ap, fmt);
	vsnprintf(c->message, sizeof c->message, fmt, ap);
	va_end(ap);
}

/* Go's int32(math.Ceil(x)), clamped instead of undefined; NaN gives 0. */
static int32_t
ceil_i32(double x)
{
	double	c;

	if (isnan(x))
		return (0);
	c = ceil(x);
	if (c >= (double)INT32_MAX)
		return (INT32_MAX);
	if (c <= (double)INT32_MIN)
		return (INT32_MIN);
	return ((int32_t)c);
}

static int
tol_within(const struct hpa_tolerances *tol, double r)
{
	return ((1.0 - tol->down) <= r && r <= (1.0 + tol->up));
}

/* a + b saturating at the int64 rails (Go would wrap; both are absurd). */
static int64_t
sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return (INT64_MAX);
	if (b < 0 && a < INT64_MIN - b)
		return (INT64_MIN);
	return (a + b);
}

/* (a * 100) / b truncated toward zero, without overflowing, to int32. */
static int32_t
percent_of(int64_t a, int64_t b)
{
	assert(b != 0);
#ifdef __SIZEOF_INT128__
	__int128	q;

	q = ((__int128)a * 100) / b;
	if (q > INT32_MAX)
		return (INT32_MAX);
	if (q < INT32_MIN)
		return (INT32_MIN);
	return ((int32_t)q);
#else
	long double	q;

	q = truncl(((long double)a * 100) / b);
	if (q > INT32_MAX)
		return (INT32_MAX);
	if (q < INT32_MIN)
		return (INT32_MIN);
	return ((int32_t)q);
#endif
}

void
hpa_config_default(struct hpa_config *cfg)
{
	assert(cfg != NULL);
	cfg->tolerance = 0.1;
	cfg->downscale_window_ms = 300 * 1000;
	cfg->cpu_init_ms = 300 * 1000;
	cfg->readiness_delay_ms = 30 * 1000;
}

void
hpa_tolerances_for(const struct hpa_config *cfg,
    const struct hpa_behavior *behavior, struct hpa_tolerances *tol)
{
	assert(cfg != NULL && tol != NULL);
	tol->down = cfg->tolerance;
	tol->up = cfg->tolerance;
	if (behavior == NULL)
		return;
	if (behavior->down.has_tolerance)
		tol->down = behavior->down.tolerance;
	if (behavior->up.has_tolerance)
		tol->up = behavior->up.tolerance;
}

void
hpa_behavior_set_defaults(struct hpa_behavior *b)
{
	struct hpa_rules	*up = &b->up, *down = &b->down;

	assert(b != NULL);
	/* scaleUp: window 0, Max, {Pods 4 / 15 s}, {Percent 100 / 15 s}. */
	if (!up->has_window) {
		up->has_window = 1;
		up->window_s = 0;
	}
	if (!up->has_select) {
		up->has_select = 1;
		up->select = HPA_SELECT_MAX;
	}
	if (!up->has_policies) {
		up->has_policies = 1;
		up->npolicies = 2;
		up->policies[0] = (struct hpa_policy){ HPA_POLICY_PODS, 4, 15 };
		up->policies[1] = (struct hpa_policy){ HPA_POLICY_PERCENT, 100,
		    15 };
	}
	/* scaleDown: window left unset (the controller's flag), Max, 100 %/15 s. */
	if (!down->has_select) {
		down->has_select = 1;
		down->select = HPA_SELECT_MAX;
	}
	if (!down->has_policies) {
		down->has_policies = 1;
		down->npolicies = 1;
		down->policies[0] = (struct hpa_policy){ HPA_POLICY_PERCENT,
		    100, 15 };
	}
}

void
hpa_state_init(struct hpa_state *st)
{
	assert(st != NULL);
	memset(st, 0, sizeof *st);
}

void
hpa_state_free(struct hpa_state *st)
{
	if (st == NULL)
		return;
	free(st->recs);
	free(st->up);
	free(st->down);
	memset(st, 0, sizeof *st);
}

void
hpa_state_record_initial(struct hpa_state *st, int32_t current, int64_t now_ms)
{
	struct hpa_rec	rec = { current, now_ms };

	assert(st != NULL);
	if (st->nrecs == 0)
		VEC_PUSH(st->recs, st->nrecs, st->caprecs, rec);
}

/* Put a recommendation in slot `old` (reuse) or append it. */
static void
state_put_rec(struct hpa_state *st, int found_old, size_t old, int32_t raw,
    int64_t now_ms)
{
	struct hpa_rec	rec = { raw, now_ms };

	if (found_old)
		st->recs[old] = rec;
	else
		VEC_PUSH(st->recs, st->nrecs, st->caprecs, rec);
}

static int32_t
rules_longest_period(const struct hpa_rules *r)
{
	int32_t	longest = 0;
	size_t	i;

	for (i = 0; i < r->npolicies; i++)
		if (r->policies[i].period_s > longest)
			longest = r->policies[i].period_s;
	return (longest);
}

void
hpa_state_store_scale_event(struct hpa_state *st,
    const struct hpa_behavior *behavior, int32_t prev, int32_t next,
    int64_t now_ms)
{
	struct hpa_scale_event	 ev, **v;
	const struct hpa_rules	*rules;
	size_t			*n, *cap, i, old = 0;
	int64_t			 cutoff;
	int			 found = 0;

	assert(st != NULL);
	if (behavior == NULL)
		return;
	if (next > prev) {
		rules = &behavior->up;
		v = &st->up;
		n = &st->nup;
		cap = &st->capup;
		ev.change = next - prev;
	} else {
		rules = &behavior->down;
		v = &st->down;
		n = &st->ndown;
		cap = &st->capdown;
		ev.change = prev - next;
	}
	ev.at_ms = now_ms;
	ev.outdated = 0;
	cutoff = now_ms - (int64_t)rules_longest_period(rules) * 1000;
	for (i = 0; i < *n; i++) {
		if ((*v)[i].at_ms < cutoff)
			(*v)[i].outdated = 1;
		if ((*v)[i].outdated) {
			found = 1;
			old = i;
		}
	}
	if (found)
		(*v)[old] = ev;
	else
		VEC_PUSH(*v, *n, *cap, ev);
}

/* ---- per-metric calculation ------------------------------------------- */

static void	metric_fail(struct hpa_metric_result *, const char *,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

/*
 * Record a failure: `reason` for the condition and Warning event, `event`
 * as the event text (what getUnableComputeReplicaCountCondition saw), and
 * the fully wrapped error from the format.
 */
static void
metric_fail(struct hpa_metric_result *res, const char *reason,
    const char *event, const char *fmt, ...)
{
	va_list	ap;

	res->ok = 0;
	res->replicas = 0;
	msgf(res->reason, sizeof res->reason, "%s", reason);
	msgf(res->event_msg, sizeof res->event_msg, "%s", event);
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof res->error, fmt, ap);
	va_end(ap);
}

/* groupPods for one pod. */
static enum pod_class
pod_classify(const struct hpa_config *cfg, const struct hpa_pod_sample *p,
    int cpu, int64_t now_ms)
{
	int	unready;

	if (p->deleting || p->phase == HPA_PHASE_FAILED)
		return (CLASS_IGNORED);
	if (p->phase == HPA_PHASE_PENDING)
		return (CLASS_UNREADY);
	if (!p->has_metric)
		return (CLASS_MISSING);
	if (!cpu)
		return (CLASS_READY);
	if (p->ready == HPA_READY_NONE || !p->has_start)
		unready = 1;
	else if (p->start_ms + cfg->cpu_init_ms > now_ms) {
		/* Young pod: used once a full window followed readiness. */
		unready = p->ready == HPA_READY_FALSE ||
		    p->metric_ts_ms < p->ready_change_ms + p->metric_window_ms;
	} else {
		/* Older pod: unready only if it never became ready. */
		unready = p->ready == HPA_READY_FALSE &&
		    p->start_ms + cfg->readiness_delay_ms > p->ready_change_ms;
	}
	return (unready ? CLASS_UNREADY : CLASS_READY);
}

/* Metric map after grouping: has[i] says pod i has an entry, val[i] its value. */
struct metric_map {
	int		*has;		/* 1 if pod i is in the map */
	int64_t		*val;		/* value, milli-units */
	size_t		 n;		/* pods */
};

/* GetResourceUtilizationRatio; returns 0, or -1 when no request matched. */
static int
map_util_ratio(const struct metric_map *m, const struct hpa_pod_sample *pods,
    int32_t target, double *ratio, int32_t *util, int64_t *raw)
{
	int64_t	su = 0, sr = 0, k = 0;
	size_t	i;

	for (i = 0; i < m->n; i++) {
		if (!m->has[i])
			continue;
		su = sat_add(su, m->val[i]);
		sr = sat_add(sr, pods[i].request_m);
		k++;
	}
	if (sr == 0)
		return (-1);
	*util = percent_of(su, sr);
	*ratio = (double)*util / (double)target;
	if (raw != NULL)
		*raw = su / k;
	return (0);
}

/* GetMetricUsageRatio: integer average, then the ratio in double. */
static void
map_usage_ratio(const struct metric_map *m, int64_t target, double *ratio,
    int64_t *usage)
{
	int64_t	sum = 0, k = 0;
	size_t	i;

	for (i = 0; i < m->n; i++) {
		if (!m->has[i])
			continue;
		sum = sat_add(sum, m->val[i]);
		k++;
	}
	assert(k > 0);
	*usage = sum / k;
	*ratio = (double)*usage / (double)target;
}

static size_t
map_len(const struct metric_map *m)
{
	size_t	i, k = 0;

	for (i = 0; i < m->n; i++)
		k += m->has[i] != 0;
	return (k);
}

/*
 * groupPods: classify every pod, and put the ready ones' values in m (owned
 * arrays, n + 1 entries so an empty input allocates).  Returns the number
 * of ready pods; the unready and missing ones are counted.
 */
static int64_t
map_group(const struct hpa_config *cfg, const struct hpa_metric_input *in, int cpu,
    int64_t now_ms, struct metric_map *m, enum pod_class *cls, size_t *nunready,
    size_t *nmissing)
{
	int64_t	ready = 0;
	size_t	i;

	for (i = 0; i < m->n; i++) {
		const struct hpa_pod_sample *p = &in->pods[i];

		cls[i] = pod_classify(cfg, p, cpu, now_ms);
		switch (cls[i]) {
		case CLASS_IGNORED:
			break;
		case CLASS_UNREADY:
			(*nunready)++;
			break;
		case CLASS_MISSING:
			(*nmissing)++;
			break;
		case CLASS_READY:
			ready++;
			m->has[i] = 1;
			m->val[i] = p->value_m;
			break;
		}
	}
	return (ready);
}

/*
 * calculateRequests: every pod of the selector, any class, must request
 * the resource.  Returns 0, or -1 with the unwrapped error in errbuf.
 */
static int
check_requests(const struct hpa_metric_input *in, char *errbuf, size_t errlen)
{
	const struct hpa_metric_spec	*spec = in->spec;
	size_t				 i;

	for (i = 0; i < in->npods; i++) {
		const struct hpa_pod_sample *p = &in->pods[i];

		switch (p->req_state) {
		case HPA_REQ_OK:
			continue;
		case HPA_REQ_MISSING:
			msgf(errbuf, errlen, "missing request for "
			    "%s in container %s of Pod %s", spec->name,
			    p->req_container, p->name);
			break;
		case HPA_REQ_CONTAINER_ABSENT:
			msgf(errbuf, errlen, "container %s not "
			    "found in Pod %s", spec->container,
			    p->name);
			break;
		case HPA_REQ_POD_LEVEL_MISSING:
			msgf(errbuf, errlen, "missing pod-level "
			    "request for %s in Pod %s", spec->name,
			    p->name);
			break;
		}
		return (-1);
	}
	return (0);
}

/*
 * The map's usage ratio to the target: of the requests' utilization (util,
 * with the utilization in *u) or of the average value.  Returns 0 with the
 * ratio and the average, or -1 with the unwrapped error in errbuf.
 */
static int
map_ratio(const struct metric_map *m, const struct hpa_metric_input *in, int util,
    double *r, int32_t *u, int64_t *usage, char *errbuf, size_t errlen)
{
	if (!util) {
		map_usage_ratio(m, in->spec->target_milli, r, usage);
		return (0);
	}
	if (map_util_ratio(m, in->pods, in->spec->target_utilization, r, u,
	    usage) != 0) {
		msgf(errbuf, errlen,
		    "no metrics returned matched known pods");
		return (-1);
	}
	return (0);
}

/*
 * The rebalance of groupPods' leftovers before the second pass: missing
 * pods count as 0 on a scale-up (r > 1) and as the target (at least
 * 100 % of their request) on a scale-down; unready ones as 0 on a
 * scale-up.
 */
static void
map_fill(struct metric_map *m, const enum pod_class *cls,
    const struct hpa_metric_input *in, int util, double r, size_t nunready)
{
	const struct hpa_metric_spec	*spec = in->spec;
	int64_t				 fill;
	size_t				 i;

	for (i = 0; i < m->n; i++) {
		if (cls[i] == CLASS_MISSING && r != 1.0) {
			if (r > 1.0)
				fill = 0;
			else if (util) {
				fill = spec->target_utilization > 100 ?
				    spec->target_utilization : 100;
				fill = in->pods[i].request_m * fill / 100;
			} else
				fill = spec->target_milli;
			m->has[i] = 1;
			m->val[i] = fill;
		}
		if (cls[i] == CLASS_UNREADY && nunready > 0 && r > 1.0) {
			m->has[i] = 1;
			m->val[i] = 0;
		}
	}
}

/*
 * The shared body of GetResourceReplicas (util != 0), GetRawResourceReplicas
 * and GetMetricReplicas (calcPlainMetricReplicas).  Returns 0 with the
 * proposal, or -1 with the unwrapped error in errbuf.
 */
static int
calc_pod_metric(const struct hpa_config *cfg, const struct hpa_tolerances *tol,
    const struct hpa_metric_input *in, int util, int cpu, int32_t current,
    int64_t now_ms, int32_t *replicas, struct hpa_metric_result *res,
    char *errbuf, size_t errlen)
{
	struct metric_map		 m;
	enum pod_class			*cls = NULL;
	size_t				 nunready = 0, nmissing = 0;
	int64_t				 ready, usage = 0, usage2;
	int32_t				 u = 0, u2;
	double				 r, r2;
	int				 ret = -1;

	m.n = in->npods;
	m.has = xcalloc(m.n + 1, sizeof *m.has);
	m.val = xcalloc(m.n + 1, sizeof *m.val);
	cls = xcalloc(m.n + 1, sizeof *cls);

	ready = map_group(cfg, in, cpu, now_ms, &m, cls, &nunready, &nmissing);
	if (map_len(&m) == 0) {
		msgf(errbuf, errlen, "%s", ERR_NO_READY);
		goto cleanup;
	}
	if (util && check_requests(in, errbuf, errlen) != 0)
		goto cleanup;
	if (map_ratio(&m, in, util, &r, &u, &usage, errbuf, errlen) != 0)
		goto cleanup;
	if (util) {
		res->has_utilization = 1;
		res->utilization = u;
	}
	res->has_average = 1;
	res->average_m = usage;

	if (!(nunready > 0 && r > 1.0) && nmissing == 0) {
		*replicas = tol_within(tol, r) ? current :
		    ceil_i32(r * (double)ready);
		ret = 0;
		goto cleanup;
	}

	/* Rebalance: fill missing pods, and unready ones on a scale-up. */
	map_fill(&m, cls, in, util, r, nunready);
	if (map_ratio(&m, in, util, &r2, &u2, &usage2, errbuf, errlen) != 0)
		goto cleanup;
	if (tol_within(tol, r2) || (r < 1.0 && r2 > 1.0) ||
	    (r > 1.0 && r2 < 1.0)) {
		*replicas = current;
		ret = 0;
		goto cleanup;
	}
	*replicas = ceil_i32(r2 * (double)map_len(&m));
	if ((r2 < 1.0 && *replicas > current) ||
	    (r2 > 1.0 && *replicas < current))
		*replicas = current;
	ret = 0;

cleanup:
	free(m.has);
	free(m.val);
	free(cls);
	return (ret);
}

/* Pods with phase Running and Ready=True (getReadyPodsCount). */
static int64_t
count_ready_pods(const struct hpa_metric_input *in)
{
	int64_t	k = 0;
	size_t	i;

	for (i = 0; i < in->npods; i++)
		if (in->pods[i].phase == HPA_PHASE_RUNNING &&
		    in->pods[i].ready == HPA_READY_TRUE)
			k++;
	return (k);
}

/* getUsageRatioReplicaCount; returns -1 with the error in errbuf. */
static int
ratio_replicas(const struct hpa_tolerances *tol,
    const struct hpa_metric_input *in, int32_t current, double r,
    int32_t *replicas, char *errbuf, size_t errlen)
{
	double	x;

	if (current == 0) {
		*replicas = ceil_i32(r);
		return (0);
	}
	if (tol_within(tol, r)) {
		*replicas = current;
		return (0);
	}
	if (in->npods == 0) {
		msgf(errbuf, errlen, "unable to calculate ready pods: %s",
		    ERR_NO_PODS);
		return (-1);
	}
	x = r * (double)count_ready_pods(in);
	*replicas = x > (double)INT32_MAX ? INT32_MAX : ceil_i32(x);
	return (0);
}

/* Get{Object,External}PerPodMetricReplicas: uses scale.status.replicas. */
static void
per_pod_replicas(const struct hpa_tolerances *tol, int64_t usage,
    int64_t target, int32_t status_replicas, struct hpa_metric_result *res)
{
	double	r, q;

	res->replicas = status_replicas;
	r = (double)usage / ((double)target * (double)status_replicas);
	if (!tol_within(tol, r))
		res->replicas = ceil_i32((double)usage / (double)target);
	res->has_average = 1;
	if (status_replicas == 0) {
		/* Go converts +Inf/NaN to an arch-dependent int64; use 0. */
		res->average_m = 0;
		return;
	}
	q = ceil((double)usage / (double)status_replicas);
	res->average_m = q >= 9.2233720368547758e18 ? INT64_MAX : (int64_t)q;
}

static const char *
sel_str(const struct hpa_metric_spec *spec)
{
	return (spec->selector != NULL ? spec->selector : "nil");
}

static void
calc_resource(const struct hpa_config *cfg, const struct hpa_tolerances *tol,
    const struct hpa_metric_input *in, int32_t current, int64_t now_ms,
    struct hpa_metric_result *res)
{
	const struct hpa_metric_spec	*spec = in->spec;
	char				 err[HPA_MSG_MAX], ev[HPA_MSG_MAX];
	const char			*reason, *what;
	int				 util, cpu, container;
	size_t				 i, items = 0;
	int32_t				 replicas = 0;

	container = spec->type == HPA_METRIC_CONTAINER_RESOURCE;
	util = spec->target_type == HPA_TARGET_UTILIZATION;
	cpu = strcmp(spec->name, "cpu") == 0;
	reason = container ? "FailedGetContainerResourceMetric" :
	    "FailedGetResourceMetric";
	what = util ? "utilization" : "usage";
	assert(util || spec->target_type == HPA_TARGET_AVERAGE_VALUE);
	assert(!util || spec->target_utilization > 0);
	assert(util || spec->target_milli > 0);

	for (i = 0; i < in->npods; i++)
		items += in->pods[i].has_metric != 0;
	if (in->fetch_error != NULL || items == 0) {
		msgf(err, sizeof err, "unable to get metrics for resource "
		    "%s: %s", spec->name, in->fetch_error != NULL ?
		    in->fetch_error :
		    "no metrics returned from resource metrics API");
	} else if (in->npods == 0)
		msgf(err, sizeof err, "%s", ERR_NO_PODS);
	else if (calc_pod_metric(cfg, tol, in, util, cpu, current, now_ms,
	    &replicas, res, err, sizeof err) == 0) {
		res->ok = 1;
		res->replicas = replicas;
		if (!util)
			msgf(res->name, sizeof res->name, "%s resource",
			    spec->name);
		else
			msgf(res->name, sizeof res->name, "%s %sresource "
			    "utilization (percentage of request)", spec->name,
			    container ? "container " : "");
		return;
	}
	msgf(ev, sizeof ev, "failed to get %s %s: %s", spec->name, what,
	    err);
	if (container)
		metric_fail(res, reason, ev, "failed to get %s container "
		    "metric value: %s", spec->container, ev);
	else
		metric_fail(res, reason, ev, "failed to get %s resource "
		    "metric value: %s", spec->name, ev);
}

static void
calc_pods(const struct hpa_config *cfg, const struct hpa_tolerances *tol,
    const struct hpa_metric_input *in, int32_t current, int64_t now_ms,
    struct hpa_metric_result *res)
{
	const struct hpa_metric_spec	*spec = in->spec;
	char				 err[HPA_MSG_MAX];
	size_t				 i, items = 0;
	int32_t				 replicas = 0;

	assert(spec->target_type == HPA_TARGET_AVERAGE_VALUE);
	assert(spec->target_milli > 0);
	for (i = 0; i < in->npods; i++)
		items += in->pods[i].has_metric != 0;
	if (in->fetch_error != NULL || items == 0) {
		msgf(err, sizeof err, "unable to get metric %s: %s",
		    spec->name, in->fetch_error != NULL ? in->fetch_error :
		    "no metrics returned from custom metrics API");
	} else if (in->npods == 0)
		msgf(err, sizeof err, "%s", ERR_NO_PODS);
	else if (calc_pod_metric(cfg, tol, in, 0, 0, current, now_ms,
	    &replicas, res, err, sizeof err) == 0) {
		res->ok = 1;
		res->replicas = replicas;
		msgf(res->name, sizeof res->name, "pods metric %s",
		    spec->name);
		return;
	}
	metric_fail(res, "FailedGetPodsMetric", err,
	    "failed to get pods metric value: %s", err);
}

static void
calc_object(const struct hpa_tolerances *tol, const struct hpa_metric_input *in,
    int32_t spec_replicas, int32_t status_replicas,
    struct hpa_metric_result *res)
{
	const struct hpa_metric_spec	*spec = in->spec;
	char				 err[HPA_MSG_MAX];
	int32_t				 replicas = 0;

	assert(spec->target_milli > 0);
	if (in->fetch_error != NULL) {
		/* Upstream's argument order, verbatim. */
		msgf(err, sizeof err, "unable to get metric %s: %s on %s "
		    "%s/%s", spec->name, spec->object_kind,
		    in->ns != NULL ? in->ns : "", spec->object_name,
		    in->fetch_error);
		if (spec->target_type == HPA_TARGET_VALUE)
			metric_fail(res, "FailedGetObjectMetric", err,
			    "failed to get object metric value: %s", err);
		else
			metric_fail(res, "FailedGetObjectMetric", err,
			    "failed to get object metric value: failed to get "
			    "%s object metric: %s", spec->name, err);
		return;
	}
	if (spec->target_type == HPA_TARGET_VALUE) {
		if (ratio_replicas(tol, in, spec_replicas, (double)in->value_m /
		    (double)spec->target_milli, &replicas, err,
		    sizeof err) != 0) {
			metric_fail(res, "FailedGetObjectMetric", err,
			    "failed to get object metric value: %s", err);
			return;
		}
		res->replicas = replicas;
		res->has_value = 1;
		res->value_m = in->value_m;
		msgf(res->name, sizeof res->name, "%s metric %s",
		    spec->object_kind, spec->name);
	} else {
		assert(spec->target_type == HPA_TARGET_AVERAGE_VALUE);
		per_pod_replicas(tol, in->value_m, spec->target_milli,
		    status_replicas, res);
		/* sic: upstream names this proposal "external metric". */
		msgf(res->name, sizeof res->name, "external metric %s(%s)",
		    spec->name, sel_str(spec));
	}
	res->ok = 1;
}

static void
calc_external(const struct hpa_tolerances *tol,
    const struct hpa_metric_input *in, int32_t spec_replicas,
    int32_t status_replicas, struct hpa_metric_result *res)
{
	const struct hpa_metric_spec	*spec = in->spec;
	char				 err[HPA_MSG_MAX];
	int32_t				 replicas = 0;
	int				 value;

	assert(spec->target_milli > 0);
	value = spec->target_type == HPA_TARGET_VALUE;
	err[0] = '\0';
	if (in->fetch_error != NULL)
		msgf(err, sizeof err, "unable to get external metric "
		    "%s/%s/%s: %s", in->ns != NULL ? in->ns : "", spec->name,
		    sel_str(spec), in->fetch_error);
	else if (value && ratio_replicas(tol, in, spec_replicas,
	    (double)in->value_m / (double)spec->target_milli, &replicas, err,
	    sizeof err) == 0) {
		res->replicas = replicas;
		res->has_value = 1;
		res->value_m = in->value_m;
	} else if (!value)
		per_pod_replicas(tol, in->value_m, spec->target_milli,
		    status_replicas, res);
	if (err[0] != '\0') {
		if (value)
			metric_fail(res, "FailedGetExternalMetric", err,
			    "failed to get %s external metric value: failed "
			    "to get external metric %s: %s", spec->name,
			    spec->name, err);
		else
			metric_fail(res, "FailedGetExternalMetric", err,
			    "failed to get %s external metric value: failed "
			    "to get %s external metric: %s", spec->name,
			    spec->name, err);
		return;
	}
	res->ok = 1;
	msgf(res->name, sizeof res->name, "external metric %s(%s)",
	    spec->name, sel_str(spec));
}

void
hpa_calc_metric(const struct hpa_config *cfg, const struct hpa_tolerances *tol,
    const struct hpa_metric_input *in, int32_t spec_replicas,
    int32_t status_replicas, int64_t now_ms, struct hpa_metric_result *res)
{
	assert(cfg != NULL && tol != NULL && in != NULL && res != NULL);
	assert(in->spec != NULL && in->spec->name != NULL);
	assert(in->npods == 0 || in->pods != NULL);
	memset(res, 0, sizeof *res);
	switch (in->spec->type) {
	case HPA_METRIC_RESOURCE:
	case HPA_METRIC_CONTAINER_RESOURCE:
		calc_resource(cfg, tol, in, spec_replicas, now_ms, res);
		break;
	case HPA_METRIC_PODS:
		calc_pods(cfg, tol, in, spec_replicas, now_ms, res);
		break;
	case HPA_METRIC_OBJECT:
		calc_object(tol, in, spec_replicas, status_replicas, res);
		break;
	case HPA_METRIC_EXTERNAL:
		calc_external(tol, in, spec_replicas, status_replicas, res);
		break;
	}
}

int32_t
hpa_calc_metrics(const struct hpa_config *cfg, const struct hpa_tolerances *tol,
    const struct hpa_metric_input *in, size_t n, int32_t spec_replicas,
    int32_t status_replicas, int64_t now_ms, struct hpa_metric_result *res,
    const char **name, struct hpa_decision *d)
{
	const struct hpa_metric_result	*first = NULL;
	const char			*metric = "";
	int32_t				 replicas = 0;
	size_t				 i, invalid = 0;

	assert(n > 0 && in != NULL && res != NULL && d != NULL);
	for (i = 0; i < n; i++) {
		hpa_calc_metric(cfg, tol, &in[i], spec_replicas,
		    status_replicas, now_ms, &res[i]);
		if (!res[i].ok) {
			if (first == NULL)
				first = &res[i];
			invalid++;
			continue;
		}
		/* Ties keep the earlier metric; a 0 is replaced by anything. */
		if (replicas == 0 || res[i].replicas > replicas) {
			replicas = res[i].replicas;
			metric = res[i].name;
		}
	}
	if (name != NULL)
		*name = metric;
	if (invalid > 0)
		msgf(d->compute_error, sizeof d->compute_error,
		    "invalid metrics (%zu invalid out of %zu), first error is: "
		    "%s", invalid, n, first->error);
	if (invalid >= n || (invalid > 0 && replicas < spec_replicas)) {
		cond_set(&d->scaling_active, 0, first->reason,
		    "the HPA was unable to compute the replica count: %s",
		    first->event_msg);
		return (-1);
	}
	cond_set(&d->scaling_active, 1, "ValidMetricFound", "the HPA was able "
	    "to successfully calculate a replica count from %s", metric);
	return (replicas);
}

/* ---- normalization ------------------------------------------------------ */

int32_t
hpa_calc_normalize_legacy(struct hpa_state *st, const struct hpa_config *cfg,
    int32_t current, int32_t raw, int32_t min_replicas, int32_t max_replicas,
    int64_t now_ms, struct hpa_decision *d)
{
	int64_t		 cutoff;
	int32_t		 stab = raw, up_limit, max_allowed, desired;
	size_t		 i, old = 0;
	int		 found = 0;
	const char	*why, *msg;

	assert(st != NULL && cfg != NULL && d != NULL);
	/* stabilizeRecommendation: max over the window, reuse the last old slot. */
	cutoff = now_ms - cfg->downscale_window_ms;
	for (i = 0; i < st->nrecs; i++) {
		if (st->recs[i].at_ms < cutoff) {
			found = 1;
			old = i;
		} else if (st->recs[i].replicas > stab)
			stab = st->recs[i].replicas;
	}
	state_put_rec(st, found, old, raw, now_ms);
	if (stab != raw)
		cond_set(&d->able_to_scale, 1, "ScaleDownStabilized", "%s",
		    MSG_DOWN_STAB);
	else
		cond_set(&d->able_to_scale, 1, "ReadyForNewScale", "%s",
		    MSG_READY);

	/* convertDesiredReplicasWithRules; the cap is computed in double. */
	up_limit = (int32_t)fmax(2.0 * (double)current, 4.0);
	if (max_replicas > up_limit) {
		max_allowed = up_limit;
		why = "ScaleUpLimit";
		msg = MSG_LIMIT_UP;
	} else {
		max_allowed = max_replicas;
		why = "TooManyReplicas";
		msg = MSG_TOO_MANY;
	}
	if (stab < min_replicas) {
		desired = min_replicas;
		why = "TooFewReplicas";
		msg = MSG_TOO_FEW;
	} else if (stab > max_allowed)
		desired = max_allowed;
	else {
		desired = stab;
		why = "DesiredWithinRange";
		msg = MSG_IN_RANGE;
	}
	cond_set(&d->scaling_limited, desired != stab, why, "%s", msg);
	return (desired);
}

/* Replicas added (or removed) by events within the last period_s. */
static int32_t
events_in_period(const struct hpa_scale_event *ev, size_t n, int32_t period_s,
    int64_t now_ms)
{
	int64_t	cutoff = now_ms - (int64_t)period_s * 1000;
	int32_t	sum = 0;
	size_t	i;

	for (i = 0; i < n; i++)
		if (ev[i].at_ms > cutoff)
			sum += ev[i].change;
	return (sum);
}

/* calculateScaleUpLimitWithScalingRules / ...ScaleDownLimitWithBehaviors. */
static int32_t
rate_limit(const struct hpa_state *st, const struct hpa_rules *r, int up,
    int32_t current, int64_t now_ms)
{
	const struct hpa_policy	*pol;
	int32_t			 result, proposed = 0, start;
	size_t			 i;
	int			 take_max;

	if (r->select == HPA_SELECT_DISABLED)
		return (current);
	/* Up: Max picks the largest limit; down: Max the smallest floor. */
	take_max = (r->select == HPA_SELECT_MAX) == (up != 0);
	result = take_max ? INT32_MIN : INT32_MAX;
	for (i = 0; i < r->npolicies; i++) {
		pol = &r->policies[i];
		start = current -
		    events_in_period(st->up, st->nup, pol->period_s, now_ms) +
		    events_in_period(st->down, st->ndown, pol->period_s, now_ms);
		if (pol->type == HPA_POLICY_PODS)
			proposed = up ? start + pol->value : start - pol->value;
		else if (up)
			proposed = ceil_i32((double)start *
			    (1.0 + (double)pol->value / 100.0));
		else {
			double	x = (double)start *
			    (1.0 - (double)pol->value / 100.0);

			proposed = x >= (double)INT32_MAX ? INT32_MAX :
			    x <= (double)INT32_MIN ? INT32_MIN : (int32_t)x;
		}
		if (take_max ? proposed > result : proposed < result)
			result = proposed;
	}
	return (result);
}

int32_t
hpa_calc_normalize_behavior(struct hpa_state *st, const struct hpa_config *cfg,
    const struct hpa_behavior *b, int32_t current, int32_t raw,
    int32_t min_replicas, int32_t max_replicas, int64_t now_ms,
    struct hpa_decision *d)
{
	int64_t		 up_cut, down_cut;
	int32_t		 up_rec = raw, down_rec = raw, stab, limit, bound;
	int32_t		 up_w, down_w;
	size_t		 i, old = 0;
	int		 found = 0;
	const char	*why, *msg;

	assert(st != NULL && cfg != NULL && b != NULL && d != NULL);
	/* maybeInitScaleDownStabilizationWindow */
	up_w = b->up.has_window ? b->up.window_s : 0;
	down_w = b->down.has_window ? b->down.window_s :
	    (int32_t)(cfg->downscale_window_ms / 1000);
	up_cut = now_ms - (int64_t)up_w * 1000;
	down_cut = now_ms - (int64_t)down_w * 1000;
	for (i = 0; i < st->nrecs; i++) {
		const struct hpa_rec	*rec = &st->recs[i];

		if (rec->at_ms > up_cut && rec->replicas < up_rec)
			up_rec = rec->replicas;
		if (rec->at_ms > down_cut && rec->replicas > down_rec)
			down_rec = rec->replicas;
		if (rec->at_ms < up_cut && rec->at_ms < down_cut) {
			found = 1;
			old = i;
		}
	}
	stab = current;
	if (stab < up_rec)
		stab = up_rec;
	if (stab > down_rec)
		stab = down_rec;
	state_put_rec(st, found, old, raw, now_ms);
	if (stab == raw)
		cond_set(&d->able_to_scale, 1, "ReadyForNewScale", "%s",
		    MSG_READY);
	else if (raw >= current)
		cond_set(&d->able_to_scale, 1, "ScaleUpStabilized", "%s",
		    MSG_UP_STAB);
	else
		cond_set(&d->able_to_scale, 1, "ScaleDownStabilized", "%s",
		    MSG_DOWN_STAB);

	/* convertDesiredReplicasWithBehaviorRate */
	if (stab > current) {
		limit = rate_limit(st, &b->up, 1, current, now_ms);
		if (limit < current)
			limit = current;
		if (max_replicas > limit) {
			bound = limit;
			why = "ScaleUpLimit";
			msg = MSG_LIMIT_UP;
		} else {
			bound = max_replicas;
			why = "TooManyReplicas";
			msg = MSG_TOO_MANY;
		}
		if (stab > bound) {
			cond_set(&d->scaling_limited, 1, why, "%s", msg);
			return (bound);
		}
	} else if (stab < current) {
		limit = rate_limit(st, &b->down, 0, current, now_ms);
		if (limit > current)
			limit = current;
		if (min_replicas < limit) {
			bound = limit;
			why = "ScaleDownLimit";
			msg = MSG_LIMIT_DOWN;
		} else {
			bound = min_replicas;
			why = "TooFewReplicas";
			msg = MSG_TOO_FEW;
		}
		if (stab < bound) {
			cond_set(&d->scaling_limited, 1, why, "%s", msg);
			return (bound);
		}
	}
	cond_set(&d->scaling_limited, 0, "DesiredWithinRange", "%s",
	    MSG_IN_RANGE);
	return (stab);
}

/* ---- one reconcile ------------------------------------------------------ */

void
hpa_calc_reconcile(struct hpa_state *st, const struct hpa_config *cfg,
    const struct hpa_spec *spec, int32_t spec_replicas,
    int32_t status_replicas, const struct hpa_metric_input *in,
    int64_t now_ms, struct hpa_metric_result *res, struct hpa_decision *d)
{
	struct hpa_tolerances	 tol;
	const char		*metric = "";
	int32_t			 min = spec->min_replicas, raw, desired;

	assert(st != NULL && cfg != NULL && spec != NULL && d != NULL);
	memset(d, 0, sizeof *d);
	d->current = spec_replicas;
	d->raw = -1;
	cond_set(&d->able_to_scale, 1, "SucceededGetScale",
	    "the HPA controller was able to get the target's current scale");
	hpa_state_record_initial(st, spec_replicas, now_ms);

	if (spec_replicas == 0 && min != 0) {
		cond_set(&d->scaling_active, 0, "ScalingDisabled", "scaling is "
		    "disabled since the replica count of the target is zero");
		d->desired = spec_replicas;
		return;
	}
	if (spec_replicas > spec->max_replicas) {
		msgf(d->reason, sizeof d->reason,
		    "Current number of replicas above Spec.MaxReplicas");
		d->desired = spec->max_replicas;
		d->rescale = 1;
		return;
	}
	if (spec_replicas < min) {
		msgf(d->reason, sizeof d->reason,
		    "Current number of replicas below Spec.MinReplicas");
		d->desired = min;
		d->rescale = 1;
		return;
	}

	hpa_tolerances_for(cfg, spec->behavior, &tol);
	d->metrics_ran = 1;
	raw = hpa_calc_metrics(cfg, &tol, in, spec->nmetrics, spec_replicas,
	    status_replicas, now_ms, res, &metric, d);
	if (raw == -1) {
		d->blocked = 1;
		d->desired = spec_replicas;
		return;
	}
	desired = 0;
	if (raw > desired)
		desired = raw;
	else
		metric = "";
	d->raw = desired;
	if (desired > spec_replicas)
		msgf(d->reason, sizeof d->reason, "%s above target",
		    metric);
	if (desired < spec_replicas)
		msgf(d->reason, sizeof d->reason,
		    "All metrics below target");
	if (spec->behavior == NULL)
		desired = hpa_calc_normalize_legacy(st, cfg, spec_replicas,
		    desired, min, spec->max_replicas, now_ms, d);
	else
		desired = hpa_calc_normalize_behavior(st, cfg, spec->behavior,
		    spec_replicas, desired, min, spec->max_replicas, now_ms, d);
	d->rescale = desired != spec_replicas;
	d->desired = d->rescale ? desired : spec_replicas;
}

void
hpa_calc_fmt_rescale(char *buf, size_t len, int32_t size, const char *reason)
{
	msgf(buf, len, "New size: %d; reason: %s", (int)size, reason);
}

void
hpa_calc_fmt_failed_rescale(char *buf, size_t len, int32_t size,
    const char *reason, const char *error)
{
	msgf(buf, len, "New size: %d; reason: %s; error: %s", (int)size,
	    reason, error);
}

void
hpa_calc_cond_rescaled(struct hpa_condition *c, int32_t size)
{
	cond_set(c, 1, "SucceededRescale", "the HPA controller was able to "
	    "update the target scale to %d", (int)size);
}
