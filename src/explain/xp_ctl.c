/*
 * explain/xp_ctl.c: the HPA's and the VPA's decisions as records.
 *
 * The HPA's pure core (hpa_calc.c) already says why in its conditions:
 * AbleToScale (ScaleDownStabilized, ScaleUpLimit, ...), ScalingLimited
 * (TooManyReplicas, TooFewReplicas, ScaleUpLimit, ...) and the rescale
 * reason; a sync becomes one record (SuccessfulRescale, ScalingLimited or
 * Held) whose message starts with the upstream condition reason, and whose
 * inputs are the current count, the raw proposal of the metrics, the
 * count written and the first metric's utilization.  Identical syncs
 * merge (record.c), so "held by ScaleDownStabilized for 300 s" is one
 * record.
 *
 * The VPA updater's verdict per pod names the rule that decided, in the
 * order upstream's AddPod and the eviction restriction apply them:
 * outside [lowerBound, upperBound] or a quick OOM (evict), inside bounds
 * and started less than 12 h ago (keep: in range), 12 h old but the
 * change under 10 % (keep), evictionRequirements, the replica group's
 * eviction tolerance or minReplicas, a PodDisruptionBudget.
 */
#include "explain/explain.h"

#include <stdio.h>
#include <string.h>

#include "autoscale/hpa_calc.h"
#include "autoscale/vpa_calc.h"
#include "cluster/cluster.h"

static const struct hpa_condition *
held_by(const struct hpa_decision *d)
{
	if (d->scaling_limited.set && d->scaling_limited.status)
		return &d->scaling_limited;
	if (d->able_to_scale.set)
		return &d->able_to_scale;
	if (d->scaling_active.set && !d->scaling_active.status)
		return &d->scaling_active;
	return NULL;
}

void
xp_hpa(struct xp_log *x, const char *ns, const char *name, const struct hpa_decision *d,
    const struct hpa_metric_result *res, size_t nres)
{
	const struct hpa_condition *c;
	struct xp_in in = { 0 };
	char msg[3 * HPA_MSG_MAX];
	enum xp_rule rule;

	if (x == NULL)
		return;
	in.v[0] = d->current;
	in.v[1] = d->raw;
	in.v[2] = d->desired;
	in.v[3] = nres > 0 && res[0].ok && res[0].has_utilization ? res[0].utilization : -1;
	c = held_by(d);
	if (d->compute_error[0] != '\0') {
		rule = XR_HPA_HELD;
		snprintf(msg, sizeof(msg), "FailedComputeMetricsReplicas: %s", d->compute_error);
	} else if (c == &d->scaling_limited) {
		rule = XR_HPA_LIMITED;
		if (d->rescale)
			snprintf(msg, sizeof(msg), "%s: %s; New size: %d; reason: %s", c->reason,
			    c->message, d->desired, d->reason);
		else
			snprintf(msg, sizeof(msg), "%s: %s", c->reason, c->message);
	} else if (d->rescale) {
		rule = XR_HPA_RESCALE;
		hpa_calc_fmt_rescale(msg, sizeof(msg), d->desired, d->reason);
	} else {
		rule = XR_HPA_HELD;
		if (c != NULL)
			snprintf(msg, sizeof(msg), "%s: %s", c->reason, c->message);
		else
			snprintf(msg, sizeof(msg), "DesiredWithinRange: the desired count is within "
			    "the acceptable range");
	}
	in.msg = msg;
	xp_obj(x, "hpa", ns, name, rule, &in);
}

void
xp_vpa_rec(struct xp_log *x, const char *ns, const char *name, const char *ctr,
    const struct vpa_rec *r)
{
	char obj[700], msg[300];

	if (x == NULL)
		return;
	snprintf(obj, sizeof(obj), "vpa/%s/%s/%s", ns, name, ctr);
	snprintf(msg, sizeof(msg), "container %s", ctr);
	xp_note(x, obj, XR_VPA_RECOMMEND, &(struct xp_in){ .msg = msg, .v = {
	    r->target.has & VPA_RES_BIT(VPA_CPU) ? r->target.v[VPA_CPU] : -1,
	    r->target.has & VPA_RES_BIT(VPA_MEM) ? r->target.v[VPA_MEM] : -1,
	    r->lower.has & VPA_RES_BIT(VPA_CPU) ? r->lower.v[VPA_CPU] : -1,
	    r->upper.has & VPA_RES_BIT(VPA_CPU) ? r->upper.v[VPA_CPU] : -1 } });
}

void
xp_vpa_verdict(struct xp_log *x, const struct ks_pod *p, const char *vpa_ns,
    const char *vpa_name, const struct vpa_config *cfg,
    const struct vpa_priority *pr, int quick_oom, int64_t now, int evreqs_hold)
{
	int64_t age = p->running_ms >= 0 ? now - p->running_ms : -1;
	const char *why;

	if (x == NULL)
		return;
	if (pr->outside || quick_oom) {
		if (evreqs_hold)
			return;		/* a candidate: the eviction loop says what became of it */
		why = "EvictionRequirements: updatePolicy.evictionRequirements do not hold";
	} else if (age < 0 || age < cfg->update_lifetime_ms)
		why = "InRange: every request is within [lowerBound, upperBound] and the pod "
		    "started less than 12h ago";
	else if (pr->resource_diff < 0.1)
		why = "UnderTolerance: the pod is 12h old but its requests differ from the "
		    "target by less than 10%";
	else if (!evreqs_hold)
		why = "EvictionRequirements: updatePolicy.evictionRequirements do not hold";
	else
		return;
	xp_pod(x, p, XR_VPA_KEEP, &(struct xp_in){ .msg = why, .by = vpa_name, .by_ns = vpa_ns,
	    .by_kind = "vpa",
	    .v = { pr->outside, (int64_t)(pr->resource_diff * 1000 + 0.5) } });
}
