/*
 * hpa.c: the Horizontal Pod Autoscaler controller.
 *
 * What it models.  kube-controller-manager's HPA controller
 * (pkg/controller/podautoscaler/horizontal.go) around the pure decision
 * core in hpa_calc.c: every HorizontalPodAutoscaler document
 * (autoscaling/v1 as `kubectl autoscale` writes it, autoscaling/v2 and
 * v2beta2 with metrics and behavior) becomes one controller object that
 * syncs every 15 s, the first time 15 s after the HPA appears (the work
 * queue's fixed rate limiter, reference hpa-vpa.md A2).  A sync reads the
 * scale subresource of the target (spec.replicas; status.replicas = its
 * non-terminating pods), builds one hpa_metric_input per metric from the
 * target's pods as the API server would show them (phase, Ready condition
 * and its transition time, startTime = when the kubelet accepted the pod,
 * requests) and from metrics-server's view of their usage (metrics.c),
 * calls hpa_calc_reconcile(), and acts: a rescale writes spec.replicas
 * through cluster_workload_scale(), then the SuccessfulRescale event is
 * recorded with upstream's text and, on the behavior path, the scale event
 * is stored for the rate policies.  Metric failures give upstream's Warning
 * events; like the API server's event aggregation, a warning that repeats
 * the previous one of the same reason is not recorded again.
 *
 * API defaulting (apis/autoscaling/v2/defaults.go): minReplicas 1, empty
 * metrics = cpu Utilization 80 %, and behavior defaults filled in only
 * when a behavior block is present: without it the legacy path runs
 * (autoscaling/v1 has no behavior at all).
 *
 * Output: every sync is a sample (replicas at the start of the sync, the
 * desired count and each metric's first-pass value, which is what
 * `kubectl get hpa` shows), given to the report as data (hpa_report());
 * the text report (report/text_hpa.c) prints the samples where something
 * changed.
 *
 * Costs: a sync is O(pods of the target x metrics) plus metrics.c's
 * integration; samples are O(syncs) memory, 240 per simulated hour.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ctl.h"
#include "autoscale/hpa_calc.h"
#include "run/metrics.h"
#include "cluster/quantity.h"
#include "explain/explain.h"
#include "run/run.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define HPA_SYNC_MS	15000		/* --horizontal-pod-autoscaler-sync-period */

/* One metric's value in a sample. */
struct hpa_mval {
	int		 has;		/* 1 if a current value was computed */
	int64_t		 current;	/* percent (Utilization) or milli-units */
};

struct hpa_sample {
	int64_t		 at_ms;		/* sync time */
	int32_t		 current;	/* status.currentReplicas (spec at sync start) */
	int32_t		 desired;	/* status.desiredReplicas */
	struct hpa_mval	*m;		/* one per metric */
};

struct hpa_ctl;

struct hpa {
	struct ks_run		*r;		/* borrowed */
	struct hpa_ctl		*ctl;		/* borrowed: the controller */
	int			 warned;	/* a warning was due in this sync */
	const char		*name, *ns;	/* interned */
	char			 ref[300];	/* "horizontalpodautoscaler/ns/name" */
	enum wl_kind		 kind;		/* scaleTargetRef kind */
	const char		*target;	/* interned scaleTargetRef name */
	struct ks_workload	*tw;		/* the target when last found, or NULL */
	int32_t			 min, max;	/* spec.minReplicas, maxReplicas */
	struct hpa_metric_spec	*metrics;	/* spec.metrics, defaulted */
	size_t			 nmetrics;
	int			 has_behavior;	/* spec.behavior present */
	struct hpa_behavior	 behavior;	/* defaults applied */
	const char		*api;		/* interned apiVersion */
	int64_t			 created_ms;	/* when the HPA appears */
	struct hpa_state	 st;		/* recommendation and scale history */
	struct hpa_condition	 able, active, limited; /* last conditions */
	char			 last_warn[4][HPA_MSG_MAX]; /* dedup of repeating warnings */
	char			 last_warn_reason[4][HPA_REASON_MAX];
	struct hpa_sample	*samples;	/* one per sync */
	size_t			 nsamples, samplecap;
	char			 nreq_warning[HPA_MSG_MAX]; /* pods without requests, or "" */
	int			 started;	/* its sync timer runs */
	struct ks_mark		 mark;		/* the document */
};

struct hpa_ctl {
	struct ks_run		*r;		/* borrowed */
	struct hpa_config	 cfg;		/* controller flags */
	struct hpa		**v;		/* in document order */
	size_t			 n, cap;
};

/* ---- parsing ----------------------------------------------------------- */

static int
get_i32(const struct yt_node *n, int32_t *out, struct ks_error *err)
{
	int64_t x;

	if (yt_get_int64(n, &x, err) != 0)
		return KS_EINVAL;
	if (x < INT32_MIN || x > INT32_MAX)
		return ks_error_set(err, &n->mark, KS_EINVAL,
		    "expected a 32-bit integer, found %lld", (long long)x);
	*out = (int32_t)x;
	return 0;
}

static int
get_str(const struct yt_node *map, const char *key, const char **out, const char *what,
    struct ks_error *err)
{
	const struct yt_node *v = yt_map_get(map, key);

	if (v == NULL || yt_is_null(v))
		return ks_error_set(err, load_mark(map), KS_EINVAL,
		    "expected %s in %s, found none", key, what);
	if (yt_get_str(v, out, err) != 0)
		return KS_EINVAL;
	*out = intern(*out);
	return 0;
}

/* A positive quantity in milli-units (memory: bytes x 1000, as upstream). */
static int
get_milli(const struct yt_node *n, const char *field, int64_t *out, struct ks_error *err)
{
	const char *s;

	if (yt_get_str(n, &s, err) != 0 || qty_parse(s, out, NULL, err, &n->mark) != 0)
		return KS_EINVAL;
	if (*out <= 0)
		return ks_error_set(err, &n->mark, KS_EINVAL,
		    "expected %s to be greater than 0, found %s", field, s);
	return 0;
}

/* A Utilization target of v, a percentage of the request above 0. */
static int
get_utilization(const struct yt_node *v, const char *field, struct hpa_metric_spec *m,
    struct ks_error *err)
{
	m->target_type = HPA_TARGET_UTILIZATION;
	if (get_i32(v, &m->target_utilization, err) != 0)
		return KS_EINVAL;
	if (m->target_utilization <= 0)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "expected %s to be greater than 0, found %d", field,
		    (int)m->target_utilization);
	return 0;
}

/*
 * The target of an autoscaling/v2beta1 metric, where it sits beside the
 * metric's name, converted as the API server converts it to v2
 * (pkg/apis/autoscaling/v2beta1/conversion.go): targetAverageUtilization
 * is a Utilization target (Resource metrics only), targetAverageValue
 * (averageValue in an Object metric) an AverageValue one, and targetValue
 * (Object, External) a Value one, in that order of precedence.
 */
static int
parse_target_v2beta1(const struct yt_node *src, struct hpa_metric_spec *m, int resource,
    struct ks_error *err)
{
	const char *avg = m->type == HPA_METRIC_OBJECT ? "averageValue" : "targetAverageValue";
	const struct yt_node *v;

	if (resource && (v = yt_map_get(src, "targetAverageUtilization")) != NULL)
		return get_utilization(v, "targetAverageUtilization", m, err);
	if ((v = yt_map_get(src, avg)) != NULL) {
		m->target_type = HPA_TARGET_AVERAGE_VALUE;
		return get_milli(v, avg, &m->target_milli, err);
	}
	if (!resource && m->type != HPA_METRIC_PODS && (v = yt_map_get(src, "targetValue")) != NULL) {
		m->target_type = HPA_TARGET_VALUE;
		return get_milli(v, "targetValue", &m->target_milli, err);
	}
	return ks_error_set(err, &src->mark, KS_EINVAL, "expected %s in an autoscaling/v2beta1 "
	    "metric, found none", resource ? "targetAverageUtilization or targetAverageValue" :
	    m->type == HPA_METRIC_PODS ? "targetAverageValue" : m->type == HPA_METRIC_OBJECT ?
	    "targetValue or averageValue" : "targetValue or targetAverageValue");
}

/* target: {type, averageUtilization | averageValue | value} */
static int
parse_target(const struct yt_node *src, struct hpa_metric_spec *m, int resource,
    struct ks_error *err)
{
	const struct yt_node *v, *t = yt_map_get(src, "target");
	const char *type;

	if (t == NULL)
		return ks_error_set(err, &src->mark, KS_EINVAL,
		    "expected target in a metric, found none");
	if (yt_expect_map(t, err) != 0 || get_str(t, "type", &type, "a metric target", err) != 0)
		return KS_EINVAL;
	if (strcmp(type, "Utilization") == 0) {
		if (!resource)
			return ks_error_set(err, &yt_map_get(t, "type")->mark, KS_EINVAL,
			    "expected target type AverageValue or Value for this metric, "
			    "found Utilization");
		if ((v = yt_map_get(t, "averageUtilization")) == NULL)
			return ks_error_set(err, &t->mark, KS_EINVAL,
			    "expected averageUtilization in a Utilization target, found none");
		return get_utilization(v, "averageUtilization", m, err);
	}
	if (strcmp(type, "AverageValue") == 0) {
		m->target_type = HPA_TARGET_AVERAGE_VALUE;
		if ((v = yt_map_get(t, "averageValue")) == NULL)
			return ks_error_set(err, &t->mark, KS_EINVAL,
			    "expected averageValue in an AverageValue target, found none");
		return get_milli(v, "averageValue", &m->target_milli, err);
	}
	if (strcmp(type, "Value") == 0 && !resource && m->type != HPA_METRIC_PODS) {
		m->target_type = HPA_TARGET_VALUE;
		if ((v = yt_map_get(t, "value")) == NULL)
			return ks_error_set(err, &t->mark, KS_EINVAL,
			    "expected value in a Value target, found none");
		return get_milli(v, "value", &m->target_milli, err);
	}
	return ks_error_set(err, &yt_map_get(t, "type")->mark, KS_EINVAL,
	    "expected target type %s, found \"%s\"", resource ?
	    "Utilization or AverageValue" : m->type == HPA_METRIC_PODS ? "AverageValue" :
	    "Value or AverageValue", type);
}

/* metric: {name, selector} */
static int
parse_metric_id(const struct yt_node *src, struct hpa_metric_spec *m, struct ks_error *err)
{
	const struct yt_node *id = yt_map_get(src, "metric");

	if (id == NULL)
		return ks_error_set(err, &src->mark, KS_EINVAL,
		    "expected metric in a metric source, found none");
	if (yt_expect_map(id, err) != 0)
		return KS_EINVAL;
	return get_str(id, "name", &m->name, "metric", err);
}

/* One of spec.metrics; beta1: in autoscaling/v2beta1's form (see parse_target_v2beta1). */
static int
parse_metric(const struct yt_node *n, int beta1, struct hpa_metric_spec *m,
    struct ks_error *err)
{
	static const char *const types[] = { "Resource", "ContainerResource", "Pods", "Object",
		"External" };
	static const char *const fields[] = { "resource", "containerResource", "pods", "object",
		"external" };
	const struct yt_node *src;
	const char *type;
	int k = -1;

	memset(m, 0, sizeof(*m));
	if (yt_expect_map(n, err) != 0 || get_str(n, "type", &type, "a metric", err) != 0)
		return KS_EINVAL;
	for (int i = 0; i < 5; i++)
		if (strcmp(type, types[i]) == 0)
			k = i;
	if (k < 0)
		return ks_error_set(err, &yt_map_get(n, "type")->mark, KS_EINVAL,
		    "expected metric type Resource, ContainerResource, Pods, Object or External, "
		    "found \"%s\"", type);
	m->type = (enum hpa_metric_type)k;
	src = yt_map_get(n, fields[k]);
	if (src == NULL || yt_is_null(src))
		return ks_error_set(err, &n->mark, KS_EINVAL,
		    "expected %s in a metric of type %s, found none", fields[k], type);
	if (yt_expect_map(src, err) != 0)
		return KS_EINVAL;
	switch (m->type) {
	case HPA_METRIC_CONTAINER_RESOURCE:
		if (get_str(src, "container", &m->container, fields[k], err) != 0)
			return KS_EINVAL;
		/* FALLTHROUGH */
	case HPA_METRIC_RESOURCE:
		if (get_str(src, "name", &m->name, fields[k], err) != 0)
			return KS_EINVAL;
		if (strcmp(m->name, "cpu") != 0 && strcmp(m->name, "memory") != 0)
			return ks_error_set(err, &yt_map_get(src, "name")->mark, KS_EINVAL,
			    "expected resource cpu or memory, found \"%s\"", m->name);
		return beta1 ? parse_target_v2beta1(src, m, 1, err) : parse_target(src, m, 1, err);
	case HPA_METRIC_OBJECT: {
		const char *obj = beta1 ? "target" : "describedObject";
		const struct yt_node *d = yt_map_get(src, obj);

		if (d == NULL || yt_expect_map(d, err) != 0)
			return ks_error_set(err, &src->mark, KS_EINVAL,
			    "expected %s in an Object metric, found none", obj);
		if (get_str(d, "kind", &m->object_kind, obj, err) != 0 ||
		    get_str(d, "name", &m->object_name, obj, err) != 0)
			return KS_EINVAL;
	}
		/* FALLTHROUGH */
	case HPA_METRIC_PODS:
	case HPA_METRIC_EXTERNAL:
		if (beta1)	/* metricName: v2's metric.name */
			return get_str(src, "metricName", &m->name, fields[k], err) != 0 ?
			    KS_EINVAL : parse_target_v2beta1(src, m, 0, err);
		if (parse_metric_id(src, m, err) != 0)
			return KS_EINVAL;
		return parse_target(src, m, 0, err);
	}
	return 0;
}

static int
parse_rules(const struct yt_node *n, struct hpa_rules *r, struct ks_error *err)
{
	const struct yt_node *v;

	if (n == NULL || yt_is_null(n))
		return 0;
	if (yt_expect_map(n, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(n, "stabilizationWindowSeconds")) != NULL) {
		if (get_i32(v, &r->window_s, err) != 0)
			return KS_EINVAL;
		if (r->window_s < 0 || r->window_s > 3600)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected stabilizationWindowSeconds from 0 to 3600, found %d",
			    (int)r->window_s);
		r->has_window = 1;
	}
	if ((v = yt_map_get(n, "selectPolicy")) != NULL) {
		const char *s;

		if (yt_get_str(v, &s, err) != 0)
			return KS_EINVAL;
		r->has_select = 1;
		if (strcmp(s, "Max") == 0)
			r->select = HPA_SELECT_MAX;
		else if (strcmp(s, "Min") == 0)
			r->select = HPA_SELECT_MIN;
		else if (strcmp(s, "Disabled") == 0)
			r->select = HPA_SELECT_DISABLED;
		else
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected selectPolicy Max, Min or Disabled, found \"%s\"", s);
	}
	if ((v = yt_map_get(n, "tolerance")) != NULL) {
		const char *s;
		int64_t milli;

		if (yt_get_str(v, &s, err) != 0 || qty_parse(s, &milli, NULL, err, &v->mark) != 0)
			return KS_EINVAL;
		if (milli < 0)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected tolerance to be 0 or more, found %s", s);
		r->has_tolerance = 1;
		r->tolerance = (double)milli / 1000.0;
	}
	if ((v = yt_map_get(n, "policies")) != NULL && !yt_is_null(v)) {
		if (yt_expect_seq(v, err) != 0)
			return KS_EINVAL;
		if (v->nitems > HPA_MAX_POLICIES)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected at most %d policies, found %zu", HPA_MAX_POLICIES, v->nitems);
		r->has_policies = 1;
		for (size_t i = 0; i < v->nitems; i++) {
			const struct yt_node *p = v->items[i], *x;
			struct hpa_policy *pol = &r->policies[r->npolicies++];
			const char *type;

			if (yt_expect_map(p, err) != 0 ||
			    get_str(p, "type", &type, "a scaling policy", err) != 0)
				return KS_EINVAL;
			if (strcmp(type, "Pods") == 0)
				pol->type = HPA_POLICY_PODS;
			else if (strcmp(type, "Percent") == 0)
				pol->type = HPA_POLICY_PERCENT;
			else
				return ks_error_set(err, &yt_map_get(p, "type")->mark, KS_EINVAL,
				    "expected policy type Pods or Percent, found \"%s\"", type);
			if ((x = yt_map_get(p, "value")) == NULL || get_i32(x, &pol->value, err) != 0)
				return ks_error_set(err, &p->mark, KS_EINVAL,
				    "expected an integer value in a scaling policy");
			if (pol->value <= 0)
				return ks_error_set(err, &x->mark, KS_EINVAL,
				    "expected value to be greater than 0, found %d", (int)pol->value);
			if ((x = yt_map_get(p, "periodSeconds")) == NULL ||
			    get_i32(x, &pol->period_s, err) != 0)
				return ks_error_set(err, &p->mark, KS_EINVAL,
				    "expected an integer periodSeconds in a scaling policy");
			if (pol->period_s <= 0 || pol->period_s > 1800)
				return ks_error_set(err, &x->mark, KS_EINVAL,
				    "expected periodSeconds from 1 to 1800, found %d",
				    (int)pol->period_s);
		}
	}
	return 0;
}

/* Is kind/ns/name declared by the scenario at or before at_ms? */
static const struct wl_def *
target_def(const struct ks_scenario *s, enum wl_kind k, const char *ns, const char *name,
    int64_t at_ms)
{
	for (size_t i = 0; i < s->nwls; i++)
		if (s->wls[i]->kind == k && s->wls[i]->ns == ns && s->wls[i]->name == name)
			return s->wls[i];
	for (size_t i = 0; i < s->nactions; i++) {
		const struct wl_def *w = s->actions[i].wl;

		if (w != NULL && s->actions[i].at_ms <= at_ms && w->kind == k && w->ns == ns &&
		    w->name == name)
			return w;
	}
	return NULL;
}

/* The no-request warning: a cpu/memory Utilization metric over a template without requests. */
static void
check_requests(struct hpa *h, const struct ks_podspec *sp)
{
	for (size_t i = 0; i < h->nmetrics && sp != NULL; i++) {
		const struct hpa_metric_spec *m = &h->metrics[i];
		int res = strcmp(m->name, "cpu") == 0 ? RES_CPU : RES_MEM;

		if ((m->type != HPA_METRIC_RESOURCE && m->type != HPA_METRIC_CONTAINER_RESOURCE) ||
		    m->target_type != HPA_TARGET_UTILIZATION)
			continue;
		for (size_t j = 0; j < sp->nctrs; j++) {
			const struct ks_container *k = &sp->ctrs[j];

			if ((k->init && !k->sidecar) || k->req.v[res] > 0 ||
			    (k->req_set & (1u << res)))
				continue;	/* a request of "0" is a request */
			if (m->container != NULL && k->name != m->container)
				continue;
			snprintf(h->nreq_warning, sizeof(h->nreq_warning),
			    "hpa %s/%s targets %s/%s, whose container %s has no %s request: "
			    "the HPA cannot compute its utilization (ScalingActive False)",
			    h->ns, h->name, wl_kind_name[h->kind], h->target, k->name, m->name);
			ks_warn(&h->mark, "%s", h->nreq_warning);
			return;
		}
	}
}

/* One metric: cpu Utilization at pct % (autoscaling/v1; the v2 default at 80). */
static void
cpu_metric(struct hpa *h, int32_t pct)
{
	free(h->metrics);
	h->metrics = xcalloc(1, sizeof(*h->metrics));
	h->nmetrics = 1;
	h->metrics[0].type = HPA_METRIC_RESOURCE;
	h->metrics[0].name = intern("cpu");
	h->metrics[0].target_type = HPA_TARGET_UTILIZATION;
	h->metrics[0].target_utilization = pct;
}

/* v1: targetCPUUtilizationPercentage; v2: metrics (defaulted) and behavior. */
static int
parse_spec_metrics(struct hpa *h, const struct yt_node *sp, int v1, struct ks_error *err)
{
	const struct yt_node *v;

	if (v1) {
		cpu_metric(h, 80);
		if ((v = yt_map_get(sp, "targetCPUUtilizationPercentage")) != NULL &&
		    !yt_is_null(v)) {
			if (get_i32(v, &h->metrics[0].target_utilization, err) != 0)
				return KS_EINVAL;
			if (h->metrics[0].target_utilization <= 0)
				return ks_error_set(err, &v->mark, KS_EINVAL,
				    "expected targetCPUUtilizationPercentage to be greater than 0, "
				    "found %d", (int)h->metrics[0].target_utilization);
		}
		return 0;
	}
	v = yt_map_get(sp, "metrics");
	if (v != NULL && !yt_is_null(v)) {
		if (yt_expect_seq(v, err) != 0)
			return KS_EINVAL;
		h->metrics = xcalloc(v->nitems ? v->nitems : 1, sizeof(*h->metrics));
		for (size_t i = 0; i < v->nitems; i++) {
			if (parse_metric(v->items[i], strcmp(h->api, "autoscaling/v2beta1") == 0,
			    &h->metrics[i], err) != 0)
				return KS_EINVAL;
			h->nmetrics++;
		}
	}
	if (h->nmetrics == 0)		/* apis/autoscaling/v2/defaults.go: cpu at 80 % */
		cpu_metric(h, 80);
	v = yt_map_get(sp, "behavior");
	if (v != NULL && !yt_is_null(v)) {
		if (yt_expect_map(v, err) != 0 ||
		    parse_rules(yt_map_get(v, "scaleUp"), &h->behavior.up, err) != 0 ||
		    parse_rules(yt_map_get(v, "scaleDown"), &h->behavior.down, err) != 0)
			return KS_EINVAL;
		h->has_behavior = 1;
		hpa_behavior_set_defaults(&h->behavior);
	}
	return 0;
}

static int
hpa_parse(struct ks_run *r, const struct ks_doc *d, int64_t at_ms, struct hpa **out,
    struct ks_error *err)
{
	const struct yt_node *sp = yt_map_get(d->root, "spec"), *ref, *v;
	const struct wl_def *def;
	struct hpa *h;
	const char *kind;
	int v1, k = -1, rc = KS_EINVAL;

	*out = NULL;
	v1 = strcmp(d->api_version, "autoscaling/v1") == 0;
	if (!v1 && strcmp(d->api_version, "autoscaling/v2") != 0 &&
	    strcmp(d->api_version, "autoscaling/v2beta2") != 0 &&
	    strcmp(d->api_version, "autoscaling/v2beta1") != 0)
		return ks_error_set(err, load_mark(yt_map_get(d->root, "apiVersion")), KS_EINVAL,
		    "expected apiVersion autoscaling/v1, autoscaling/v2, autoscaling/v2beta2 or "
		    "autoscaling/v2beta1 for a HorizontalPodAutoscaler, found \"%s\"",
		    d->api_version);
	if (strcmp(d->api_version, "autoscaling/v2beta1") == 0)	/* removed in 1.25 */
		ks_warn(&d->mark, "HorizontalPodAutoscaler %s/%s: apiVersion %s is deprecated; "
		    "read as autoscaling/v2", d->ns, d->name, d->api_version);
	if (sp == NULL || yt_expect_map(sp, err) != 0)
		return ks_error_set(err, &d->mark, KS_EINVAL,
		    "expected spec in a HorizontalPodAutoscaler, found none");
	h = xcalloc(1, sizeof(*h));
	h->r = r;
	h->name = d->name;
	h->ns = d->ns;
	h->api = d->api_version;
	h->mark = d->mark;
	h->created_ms = at_ms;
	h->min = 1;
	snprintf(h->ref, sizeof(h->ref), "horizontalpodautoscaler/%s/%s", h->ns, h->name);
	hpa_state_init(&h->st);

	if ((ref = yt_map_get(sp, "scaleTargetRef")) == NULL || yt_expect_map(ref, err) != 0) {
		ks_error_set(err, &sp->mark, KS_EINVAL,
		    "expected scaleTargetRef in a HorizontalPodAutoscaler, found none");
		goto fail;
	}
	if (get_str(ref, "kind", &kind, "scaleTargetRef", err) != 0 ||
	    get_str(ref, "name", &h->target, "scaleTargetRef", err) != 0)
		goto fail;
	for (int i = WL_DEPLOYMENT; i <= WL_STATEFULSET; i++)
		if (strcmp(kind, wl_kind_name[i]) == 0)
			k = i;
	if (k < 0) {
		ks_error_set(err, &yt_map_get(ref, "kind")->mark, KS_EINVAL,
		    "expected scaleTargetRef kind Deployment, ReplicaSet or StatefulSet, "
		    "found \"%s\"", kind);
		goto fail;
	}
	h->kind = (enum wl_kind)k;
	def = target_def(r->scn, h->kind, h->ns, h->target, at_ms);
	if (def == NULL && !r->scn->has_scenario) {
		/* loose manifests (an upstream HPA file on its own): like the
		 * API server, accept it; it reports FailedGetScale */
		ks_warn(load_mark(yt_map_get(ref, "name")), "scaleTargetRef names %s %s/%s, "
		    "which the inputs do not declare", kind, h->ns, h->target);
	} else if (def == NULL) {
		ks_error_set(err, &yt_map_get(ref, "name")->mark, KS_EINVAL,
		    "scaleTargetRef names %s %s/%s, which the scenario does not declare",
		    kind, h->ns, h->target);
		goto fail;
	}
	if ((v = yt_map_get(sp, "minReplicas")) != NULL && !yt_is_null(v)) {
		if (get_i32(v, &h->min, err) != 0)
			goto fail;
		if (h->min < 1) {
			ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected minReplicas to be 1 or more, found %d", (int)h->min);
			goto fail;
		}
	}
	if ((v = yt_map_get(sp, "maxReplicas")) == NULL) {
		ks_error_set(err, &sp->mark, KS_EINVAL,
		    "expected maxReplicas in a HorizontalPodAutoscaler, found none");
		goto fail;
	}
	if (get_i32(v, &h->max, err) != 0)
		goto fail;
	if (h->max < h->min) {
		ks_error_set(err, &v->mark, KS_EINVAL,
		    "expected maxReplicas to be at least minReplicas (%d), found %d", (int)h->min,
		    (int)h->max);
		goto fail;
	}
	if (parse_spec_metrics(h, sp, v1, err) != 0)
		goto fail;
	for (size_t i = 0; i < h->nmetrics && def != NULL; i++) {
		const struct hpa_metric_spec *m = &h->metrics[i];
		int found = m->type != HPA_METRIC_CONTAINER_RESOURCE;

		for (size_t j = 0; !found && def->spec != NULL && j < def->spec->nctrs; j++)
			found = def->spec->ctrs[j].name == m->container;
		if (!found)
			ks_warn(&h->mark, "hpa %s/%s: container %s is not in %s %s's pod template",
			    h->ns, h->name, m->container, kind, h->target);
	}
	if (def != NULL)
		check_requests(h, def->spec);
	*out = h;
	return 0;
fail:
	hpa_state_free(&h->st);
	free(h->metrics);
	free(h);
	return rc;
}

/* ---- the sync ----------------------------------------------------------- */

static enum hpa_pod_phase
pod_phase(const struct ks_pod *p)
{
	switch (p->phase) {
	case POD_PENDING:
	case POD_BOUND:
		return HPA_PHASE_PENDING;
	case POD_RUNNING:
		return HPA_PHASE_RUNNING;
	case POD_TERMINATING:
		return p->running_ms >= 0 ? HPA_PHASE_RUNNING : HPA_PHASE_PENDING;
	case POD_SUCCEEDED:
		return HPA_PHASE_SUCCEEDED;
	default:
		return HPA_PHASE_UNKNOWN;
	}
}

/* The pod as the API server shows it, without the metric. */
static void
sample_pod(const struct ks_pod *p, struct hpa_pod_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->name = p->name;
	s->phase = pod_phase(p);
	s->deleting = p->deleted_ms >= 0;
	if (p->node < 0) {
		s->ready = HPA_READY_NONE;
	} else if (p->ready) {
		s->ready = HPA_READY_TRUE;
		s->ready_change_ms = p->ready_ms;
	} else {
		/* the kubelet set Ready=False when it took the pod, or at deletion */
		s->ready = HPA_READY_FALSE;
		s->ready_change_ms = p->ready_ms >= 0 && p->deleted_ms >= 0 ? p->deleted_ms :
		    p->scheduled_ms;
	}
	s->has_start = p->scheduled_ms >= 0;
	s->start_ms = p->scheduled_ms;
}

/* Requests and metric of one pod for a Resource/ContainerResource metric. */
static void
sample_resource(struct ks_run *r, const struct ks_pod *p, const struct hpa_metric_spec *m,
    struct hpa_pod_sample *s)
{
	int cpu = strcmp(m->name, "cpu") == 0, res = cpu ? RES_CPU : RES_MEM, found = 0;
	int64_t sum = 0, req = 0, ts = 0, win = 0;

	s->req_state = HPA_REQ_OK;
	s->has_metric = 1;
	for (size_t i = 0; i < p->spec->nctrs; i++) {
		const struct ks_container *k = &p->spec->ctrs[i];
		int64_t c, mem, v, cts, cwin;

		if (k->init && !k->sidecar)
			continue;
		if (m->container != NULL && k->name != m->container)
			continue;
		found = 1;
		v = pod_ctr_req(p, i)->v[res];
		if (v <= 0 && !(k->req_set & (1u << res)) && s->req_state == HPA_REQ_OK) {
			s->req_state = HPA_REQ_MISSING;
			s->req_container = k->name;
		}
		req += cpu ? v : v * 1000;
		if (metrics_pod(r, p, i, &c, &mem, &cts, &cwin) != 0) {
			s->has_metric = 0;
			continue;
		}
		sum += cpu ? c : mem * 1000;
		if (ts == 0) {
			ts = cts;
			win = cwin;
		}
	}
	if (!found) {
		s->req_state = HPA_REQ_CONTAINER_ABSENT;
		s->req_container = m->container;
		s->has_metric = 0;
	}
	s->request_m = req;
	s->value_m = sum;
	s->metric_ts_ms = ts;
	s->metric_window_ms = win;
}

/* Record a Warning event unless it repeats the last one of its reason. */
static void
hpa_warn(struct hpa *h, const char *reason, const char *msg)
{
	size_t slot = 0;

	h->warned = 1;
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(h->last_warn_reason[i], reason) == 0 || h->last_warn_reason[i][0] == '\0') {
			slot = i;
			break;
		}
		slot = 3;
	}
	if (strcmp(h->last_warn_reason[slot], reason) == 0 && strcmp(h->last_warn[slot], msg) == 0)
		return;
	snprintf(h->last_warn_reason[slot], sizeof(h->last_warn_reason[slot]), "%s", reason);
	snprintf(h->last_warn[slot], sizeof(h->last_warn[slot]), "%s", msg);
	cluster_event(&h->r->cluster, reason, h->ref, "%s", msg);
}

static void
cond_keep(struct hpa_condition *old, const struct hpa_condition *c)
{
	if (c->set)
		*old = *c;
}

/* The sync's sample: replicas and each metric's first-pass value. */
static void
hpa_record(struct hpa *h, int64_t now, const struct hpa_decision *d,
    const struct hpa_metric_result *res)
{
	struct hpa_sample smp;

	smp.at_ms = now;
	smp.current = d->current;
	smp.desired = d->rescale ? d->desired : d->current;
	smp.m = xcalloc(h->nmetrics, sizeof(*smp.m));
	for (size_t k = 0; k < h->nmetrics && d->metrics_ran; k++) {
		if (!res[k].ok)
			continue;
		smp.m[k].has = 1;
		if (res[k].has_utilization && h->metrics[k].target_type == HPA_TARGET_UTILIZATION)
			smp.m[k].current = res[k].utilization;
		else if (res[k].has_value)
			smp.m[k].current = res[k].value_m;
		else if (res[k].has_average)
			smp.m[k].current = res[k].average_m;
		else
			smp.m[k].has = 0;
	}
	VEC_PUSH(h->samples, h->nsamples, h->samplecap, smp);
}

static void
hpa_sync_once(struct hpa_ctl *ctl, struct hpa *h)
{
	struct ks_run *r = h->r;
	struct ks_cluster *c = &r->cluster;
	int64_t now = r->sim.now_ms;
	struct ks_workload *w;
	struct hpa_metric_input *in;
	struct hpa_metric_result *res;
	struct hpa_pod_sample *pods;
	struct hpa_decision d;
	struct hpa_spec spec;
	int32_t status_replicas = 0;
	size_t np;

	/* the cluster declares another target of this name only once it is deleted */
	if (h->tw == NULL || h->tw->deleted)
		h->tw = cluster_workload_find(c, h->kind, h->ns, h->target);
	w = h->tw;
	if (w == NULL || w->deleted) {
		struct hpa_condition f = { 1, 0, "FailedGetScale", "" };

		snprintf(f.message, sizeof(f.message), "the HPA controller was unable to get the "
		    "target's current scale: %ss.apps \"%s\" not found",
		    h->kind == WL_DEPLOYMENT ? "deployment" : h->kind == WL_REPLICASET ?
		    "replicaset" : "statefulset", h->target);
		cond_keep(&h->able, &f);
		hpa_warn(h, "FailedGetScale", f.message + strlen("the HPA controller was unable "
		    "to get the target's current scale: "));
		return;
	}
	np = w->npods;
	for (size_t i = 0; i < np; i++) {
		const struct ks_pod *p = c->pods[w->pods[i]];

		status_replicas += p->phase == POD_PENDING || p->phase == POD_BOUND ||
		    p->phase == POD_RUNNING;
	}
	in = xcalloc(h->nmetrics, sizeof(*in));
	res = xcalloc(h->nmetrics, sizeof(*res));
	pods = xcalloc(h->nmetrics * (np ? np : 1), sizeof(*pods));
	for (size_t k = 0; k < h->nmetrics; k++) {
		const struct hpa_metric_spec *m = &h->metrics[k];
		struct hpa_pod_sample *ps = pods + k * np;

		in[k].spec = m;
		in[k].pods = ps;
		in[k].npods = np;
		in[k].ns = h->ns;
		for (size_t i = 0; i < np; i++) {
			const struct ks_pod *p = c->pods[w->pods[i]];
			int64_t ts, win;

			sample_pod(p, &ps[i]);
			switch (m->type) {
			case HPA_METRIC_RESOURCE:
			case HPA_METRIC_CONTAINER_RESOURCE:
				sample_resource(r, p, m, &ps[i]);
				break;
			case HPA_METRIC_PODS:
				ps[i].has_metric = metrics_pod_custom(r, p, m->name, &ps[i].value_m,
				    &ts, &win) == 0;
				ps[i].metric_ts_ms = ts;
				ps[i].metric_window_ms = win;
				break;
			default:
				break;
			}
		}
		if (m->type == HPA_METRIC_OBJECT && metrics_object(r, h->ns, m->object_kind,
		    m->object_name, m->name, &in[k].value_m) != 0)
			in[k].fetch_error = "unable to fetch metrics from custom metrics API: "
			    "the server could not find the metric";
		if (m->type == HPA_METRIC_EXTERNAL && metrics_external(r, h->ns, m->name,
		    &in[k].value_m) != 0)
			in[k].fetch_error = "unable to fetch metrics from external metrics API: "
			    "the server could not find the requested resource";
	}
	spec.min_replicas = h->min;
	spec.max_replicas = h->max;
	spec.behavior = h->has_behavior ? &h->behavior : NULL;
	spec.nmetrics = h->nmetrics;
	hpa_calc_reconcile(&h->st, &ctl->cfg, &spec, w->replicas, status_replicas, in, now, res,
	    &d);
	for (size_t k = 0; k < h->nmetrics; k++)
		if (d.metrics_ran && !res[k].ok && res[k].reason[0] != '\0')
			hpa_warn(h, res[k].reason, res[k].event_msg);
	if (d.compute_error[0] != '\0')
		hpa_warn(h, "FailedComputeMetricsReplicas", d.compute_error);
	xp_hpa(h->r->xp, h->ns, h->name, &d, res, h->nmetrics);
	if (d.rescale) {
		char msg[HPA_MSG_MAX + 64];

		hpa_calc_fmt_rescale(msg, sizeof(msg), d.desired, d.reason);
		cluster_event(c, "SuccessfulRescale", h->ref, "%s", msg);
		cluster_workload_scale(c, w, d.desired, NULL);
		hpa_calc_cond_rescaled(&d.able_to_scale, d.desired);
		hpa_state_store_scale_event(&h->st, spec.behavior, d.current, d.desired, now);
	}
	cond_keep(&h->able, &d.able_to_scale);
	cond_keep(&h->active, &d.scaling_active);
	cond_keep(&h->limited, &d.scaling_limited);

	hpa_record(h, now, &d, res);
	free(pods);
	free(res);
	free(in);
}

static int64_t
hpa_sync(struct sim *sim, void *arg)
{
	struct hpa *h = arg;
	(void)sim;
	h->warned = 0;
	hpa_sync_once(h->ctl, h);
	if (!h->warned)		/* a new episode of the same failure is recorded again */
		memset(h->last_warn_reason, 0, sizeof(h->last_warn_reason));
	return HPA_SYNC_MS;
}

/* An HPA of the timeline appears: its first sync is one period later. */
static int64_t
hpa_appear(struct sim *sim, void *arg)
{
	struct hpa *h = arg;

	sim_after(sim, HPA_SYNC_MS, "hpa-sync", hpa_sync, h);
	return SIM_NOMORE;
}

/* ---- the controller ---------------------------------------------------- */

static void
hpa_free(void *state)
{
	struct hpa_ctl *ctl = state;

	if (ctl == NULL)
		return;
	for (size_t i = 0; i < ctl->n; i++) {
		struct hpa *h = ctl->v[i];

		for (size_t j = 0; j < h->nsamples; j++)
			free(h->samples[j].m);
		free(h->samples);
		hpa_state_free(&h->st);
		free(h->metrics);
		free(h);
	}
	free(ctl->v);
	free(ctl);
}

static int
is_hpa(const struct ks_doc *d)
{
	return d != NULL && strcmp(d->kind, "HorizontalPodAutoscaler") == 0;
}

static int
hpa_init(struct ks_run *r, void **state, struct ks_error *err)
{
	struct ks_scenario *s = r->scn;
	struct hpa_ctl *ctl;
	int rc;

	*state = NULL;
	ctl = xcalloc(1, sizeof(*ctl));
	ctl->r = r;
	hpa_config_default(&ctl->cfg);
	*state = ctl;
	for (size_t i = 0; i < s->ndocs; i++) {
		struct hpa *h;

		if (!is_hpa(s->docs[i]))
			continue;
		if ((rc = hpa_parse(r, s->docs[i], 0, &h, err)) != 0)
			return rc;
		h->ctl = ctl;
		VEC_PUSH(ctl->v, ctl->n, ctl->cap, h);
		sim_at(&r->sim, HPA_SYNC_MS, "hpa-sync", hpa_sync, h);
	}
	for (size_t i = 0; i < s->nactions; i++) {
		const struct ks_action *a = &s->actions[i];
		struct hpa *h;

		if (a->type != ACT_CREATE || !is_hpa(a->doc))
			continue;
		if ((rc = hpa_parse(r, a->doc, a->at_ms, &h, err)) != 0)
			return rc;
		h->ctl = ctl;
		VEC_PUSH(ctl->v, ctl->n, ctl->cap, h);
		sim_at(&r->sim, a->at_ms, "hpa-appear", hpa_appear, h);
	}
	return 0;
}

/* ---- reports ------------------------------------------------------------ */

static const char *
metric_unit(const struct hpa_metric_spec *m)
{
	if (m->target_type == HPA_TARGET_UTILIZATION)
		return "percent";
	if ((m->type == HPA_METRIC_RESOURCE || m->type == HPA_METRIC_CONTAINER_RESOURCE) &&
	    strcmp(m->name, "cpu") == 0)
		return "millicores";
	return "milli";
}

static int64_t
metric_target(const struct hpa_metric_spec *m)
{
	return m->target_type == HPA_TARGET_UTILIZATION ? m->target_utilization : m->target_milli;
}

/* The simulated metrics-server release, "v0.9.0", and where it came from. */
static const char *
ms_release(struct ks_run *r, char *buf, size_t n, const char **src)
{
	int v = metrics_server_version(r, src);

	snprintf(buf, n, "v%d.%d.%d", v / 10000, v / 100 % 100, v % 100);
	return buf;
}

static json_t *
cond_json(const char *type, const struct hpa_condition *c)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "status", json_string(c->status ? "True" : "False"));
	json_object_set_new(o, "reason", json_string(c->reason));
	json_object_set_new(o, "message", json_string(c->message));
	return o;
}

/*
 * The HPAs' data: everything the formats print of them (report/text_hpa.c
 * renders it as text), under "hpas".
 */
static void
hpa_report(struct ks_run *r, void *state, json_t *root)
{
	struct hpa_ctl *ctl = state;
	const char *src;
	char ver[32];
	json_t *arr;

	if (ctl->n == 0)
		return;
	ms_release(r, ver, sizeof(ver), &src);
	arr = json_array();
	for (size_t i = 0; i < ctl->n; i++) {
		const struct hpa *h = ctl->v[i];
		json_t *o = json_object(), *samples = json_array(), *conds = json_array();
		char tgt[300];

		snprintf(tgt, sizeof(tgt), "%s/%s", wl_kind_name[h->kind], h->target);
		json_object_set_new(o, "name", json_string(h->name));
		json_object_set_new(o, "namespace", json_string(h->ns));
		json_object_set_new(o, "api_version", json_string(h->api));
		json_object_set_new(o, "target", json_string(tgt));
		json_object_set_new(o, "min_replicas", json_integer(h->min));
		json_object_set_new(o, "max_replicas", json_integer(h->max));
		json_object_set_new(o, "behavior", json_boolean(h->has_behavior));
		json_object_set_new(o, "metrics_server_version", json_string(ver));
		json_object_set_new(o, "metrics_server_version_source", json_string(src));
		json_object_set_new(o, "warning", h->nreq_warning[0] ?
		    json_string(h->nreq_warning) : json_null());
		for (size_t j = 0; j < h->nsamples; j++) {
			const struct hpa_sample *s = &h->samples[j];
			json_t *so = json_object(), *ms = json_array();

			json_object_set_new(so, "at_ms", json_integer(s->at_ms));
			json_object_set_new(so, "current_replicas", json_integer(s->current));
			json_object_set_new(so, "desired_replicas", json_integer(s->desired));
			for (size_t k = 0; k < h->nmetrics; k++) {
				json_t *mo = json_object();

				json_object_set_new(mo, "name", json_string(h->metrics[k].name));
				json_object_set_new(mo, "unit", json_string(metric_unit(&h->metrics[k])));
				json_object_set_new(mo, "current", s->m[k].has ?
				    json_integer(s->m[k].current) : json_null());
				json_object_set_new(mo, "target",
				    json_integer(metric_target(&h->metrics[k])));
				json_array_append_new(ms, mo);
			}
			json_object_set_new(so, "metrics", ms);
			json_array_append_new(samples, so);
		}
		json_object_set_new(o, "samples", samples);
		if (h->able.reason[0])
			json_array_append_new(conds, cond_json("AbleToScale", &h->able));
		if (h->active.reason[0])
			json_array_append_new(conds, cond_json("ScalingActive", &h->active));
		if (h->limited.reason[0])
			json_array_append_new(conds, cond_json("ScalingLimited", &h->limited));
		json_object_set_new(o, "conditions", conds);
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "hpas", arr);
}

static const char *const hpa_kinds[] = { "HorizontalPodAutoscaler", NULL };
static const char *const hpa_spec_keys[] = { NULL };

const struct ctl_ops hpa_ctl = {
	.name = "hpa",
	.kinds = hpa_kinds,
	.spec_keys = hpa_spec_keys,
	.init = hpa_init,
	.report = hpa_report,
	.free = hpa_free,
};
