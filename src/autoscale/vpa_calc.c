/*
 * vpa_calc.c: the Vertical Pod Autoscaler's arithmetic, free of any
 * engine, so every number in a ksim VPA timeline can be checked by hand.
 *
 * What it models (kubernetes/autoscaler vertical-pod-autoscaler/pkg/,
 * snapshot 55c37cd5 as read for shared/reference/hpa-vpa.md Part B):
 *
 * - Samples (recommender/model/container.go, aggregate_container_state.go).
 *   A CPU sample is accepted only when strictly later than the container's
 *   previous one and is added to the aggregate's decaying histogram in
 *   cores with weight 0.1 (VPA >= 1.4) or max(request cores, 0.1) (VPA <=
 *   1.3).  Memory keeps one peak per container per 24 h interval,
 *   timestamped at the interval's end: a larger sample in the same
 *   interval replaces the peak (subtract, add), a smaller one is ignored.
 *   An OOM adds max(used + 100 MiB, used * 1.2) as a peak.
 * - Estimation (recommender/logic/recommender.go, estimator.go):
 *   percentile -> +15 % margin -> confidence factor (bounds only) -> max
 *   with the per-container share of the pod minimum (25m, 250 MiB).  Every
 *   float -> amount conversion clamps to [0, 1e14] and truncates; NaN
 *   (0 * inf with no samples) becomes 0 (reference, open question D).
 * - Capping (utils/vpa/capping.go): minAllowed, maxAllowed (or the global
 *   maximum), and for RequestsOnly the container limit.
 * - Limits (utils/vpa/limit_and_request_scaling.go): RequestsAndLimits
 *   keeps the limit/request ratio with exact integer floor division, as
 *   upstream does with big.Int; we use a 64x64 -> 128-bit multiply and a
 *   shift-subtract division instead of a compiler extension.
 * - Updater (updater/priority/priority_processor.go,
 *   update_priority_calculator.go, restriction/): the outside-bounds and
 *   12 h / 10 % rules, the resource-diff priority, and eviction tolerance.
 * - Formatting (recommender/model/types.go, apimachinery Quantity): CPU as
 *   NewScaledQuantity(m, -3) in DecimalSI; memory as NewScaledQuantity(b,
 *   0) in DecimalSI ("262144k") up to VPA 1.4.x, BinarySI ("250Mi") from
 *   VPA 1.5.0 (reference B7 and Part D item 2).  vpa_config_init(1, 4)
 *   reproduces VPA 1.4.x: the 0.1 constant CPU weight and "262144k".
 *   The canonical form itself is cluster/quantity.c's; vpa_format_* only
 *   pick the format for the VPA version.
 *
 * Not modelled: checkpoints, --humanize-memory, LimitRange capping, the
 * pod-level resource policy, the CPU-integer post-processor.  The
 * controller does label matching, merging by container name and GC.
 *
 * Costs: estimation is six percentile walks over 176 buckets; everything
 * else is O(containers).
 */
#include "autoscale/vpa_calc.h"

#include <assert.h>
#include <math.h>

#include "cluster/quantity.h"

_Static_assert(VPA_QTY_BUFSZ >= QTY_BUFSZ, "vpa buffer smaller than qty's");

#define VPA_MS_PER_MINUTE	INT64_C(60000)

enum { VPA_TARGET, VPA_LOWER, VPA_UPPER };

void
vpa_config_init(struct vpa_config *cfg, int major, int minor)
{
	bool ge14, ge15;

	assert(cfg != NULL);
	ge14 = major > 1 || (major == 1 && minor >= 4);
	ge15 = major > 1 || (major == 1 && minor >= 5);
	cfg->ver_major = major;
	cfg->ver_minor = minor;
	cfg->margin_fraction = 0.15;
	cfg->pod_min_cpu_m = 25;
	cfg->pod_min_mem_mb = 250;
	cfg->cpu_pct[VPA_TARGET] = 0.9;
	cfg->cpu_pct[VPA_LOWER] = 0.5;
	cfg->cpu_pct[VPA_UPPER] = 0.95;
	cfg->mem_pct[VPA_TARGET] = 0.9;
	cfg->mem_pct[VPA_LOWER] = 0.5;
	cfg->mem_pct[VPA_UPPER] = 0.95;
	cfg->conf_cpu_ms = 24 * VPA_MS_PER_HOUR;
	cfg->conf_mem_ms = 24 * VPA_MS_PER_HOUR;
	cfg->cpu_half_life_ms = 24 * VPA_MS_PER_HOUR;
	cfg->mem_half_life_ms = 24 * VPA_MS_PER_HOUR;
	cfg->mem_interval_ms = 24 * VPA_MS_PER_HOUR;
	cfg->min_sample_weight = 0.1;
	cfg->cpu_weight_by_request = !ge14;
	cfg->oom_bump_ratio = 1.2;
	cfg->oom_min_bump_b = INT64_C(100) * 1024 * 1024;
	cfg->round_cpu_m = 1;
	cfg->round_mem_b = 1;
	cfg->mem_binary_si = ge15;
	cfg->min_change_priority = 0.1;
	cfg->update_lifetime_ms = 12 * VPA_MS_PER_HOUR;
	cfg->evict_after_oom_ms = 10 * VPA_MS_PER_MINUTE;
	cfg->eviction_tolerance = 0.5;
	cfg->min_replicas = 2;
}

/* model.resourceAmountFromFloat, with NaN -> 0 (Go leaves it undefined). */
static int64_t
vpa_amount(double x)
{
	if (isnan(x) || x < 0)
		return 0;
	if (x > (double)VPA_MAX_RESOURCE_AMOUNT)
		return VPA_MAX_RESOURCE_AMOUNT;
	return (int64_t)x;
}

/* model.ScaleResource */
static int64_t
vpa_scale(int64_t a, double f)
{
	return vpa_amount((double)a * f);
}

/* ---- samples ---------------------------------------------------------- */

void
vpa_agg_init(struct vpa_agg *a, const struct vpa_config *cfg)
{
	assert(a != NULL && cfg != NULL);
	vpa_dhist_init(&a->cpu, &vpa_hist_cpu_opts, cfg->cpu_half_life_ms);
	vpa_dhist_init(&a->mem, &vpa_hist_mem_opts, cfg->mem_half_life_ms);
	a->first_sample_ms = VPA_TIME_ZERO;
	a->last_sample_ms = VPA_TIME_ZERO;
	a->total_samples = 0;
}

void
vpa_agg_add_cpu(struct vpa_agg *a, const struct vpa_config *cfg,
    int64_t t_ms, int64_t usage_m, int64_t request_m)
{
	double	cores = (double)usage_m / 1000.0;
	double	wt = cfg->min_sample_weight;

	assert(t_ms != VPA_TIME_ZERO);
	if (cfg->cpu_weight_by_request)
		wt = fmax((double)request_m / 1000.0, cfg->min_sample_weight);
	vpa_dhist_add(&a->cpu, cores, wt, t_ms);
	if (t_ms > a->last_sample_ms)
		a->last_sample_ms = t_ms;
	if (a->first_sample_ms == VPA_TIME_ZERO || t_ms < a->first_sample_ms)
		a->first_sample_ms = t_ms;
	a->total_samples++;
}

void
vpa_agg_merge(struct vpa_agg *a, struct vpa_agg *o)
{
	vpa_dhist_merge(&a->cpu, &o->cpu);
	vpa_dhist_merge(&a->mem, &o->mem);
	if (a->first_sample_ms == VPA_TIME_ZERO ||
	    (o->first_sample_ms != VPA_TIME_ZERO &&
	    o->first_sample_ms < a->first_sample_ms))
		a->first_sample_ms = o->first_sample_ms;
	if (o->last_sample_ms > a->last_sample_ms)
		a->last_sample_ms = o->last_sample_ms;
	a->total_samples += o->total_samples;
}

double
vpa_agg_confidence(const struct vpa_agg *a, int64_t interval_ms)
{
	double	span = 0.0, amount, minutes;

	assert(interval_ms > 0);
	if (a->first_sample_ms != VPA_TIME_ZERO &&
	    a->last_sample_ms != VPA_TIME_ZERO)
		span = (double)(a->last_sample_ms - a->first_sample_ms) /
		    (double)interval_ms;
	/* time.Duration.Minutes(): whole minutes plus the fraction */
	minutes = (double)(interval_ms / VPA_MS_PER_MINUTE) +
	    (double)(interval_ms % VPA_MS_PER_MINUTE) /
	    (double)VPA_MS_PER_MINUTE;
	amount = (double)a->total_samples / minutes;
	return fmin(span, amount);
}

void
vpa_container_init(struct vpa_container *c, struct vpa_agg *agg)
{
	assert(c != NULL && agg != NULL);
	c->agg = agg;
	c->last_cpu_ms = VPA_TIME_ZERO;
	c->last_mem_ms = VPA_TIME_ZERO;
	c->window_end_ms = VPA_TIME_ZERO;
	c->mem_peak_b = 0;
	c->oom_peak_b = 0;
}

bool
vpa_container_add_cpu(struct vpa_container *c, const struct vpa_config *cfg,
    int64_t t_ms, int64_t usage_m, int64_t request_m)
{
	if (usage_m < 0 || t_ms <= c->last_cpu_ms)
		return false;
	vpa_agg_add_cpu(c->agg, cfg, t_ms, usage_m, request_m);
	c->last_cpu_ms = t_ms;
	return true;
}

static bool
vpa_container_add_peak(struct vpa_container *c, const struct vpa_config *cfg,
    int64_t t_ms, int64_t usage_b, bool oom)
{
	bool	add = false;
	int64_t	old, iv = cfg->mem_interval_ms;

	if (usage_b < 0 || (!oom && t_ms < c->last_mem_ms))
		return false;
	c->last_mem_ms = t_ms;
	if (c->window_end_ms == VPA_TIME_ZERO)
		c->window_end_ms = t_ms;
	if (t_ms < c->window_end_ms) {
		old = c->mem_peak_b > c->oom_peak_b ? c->mem_peak_b :
		    c->oom_peak_b;
		if (old != 0 && usage_b > old) {
			vpa_dhist_subtract(&c->agg->mem, (double)old, 1.0,
			    c->window_end_ms);
			add = true;
		}
	} else {
		c->window_end_ms += (t_ms - c->window_end_ms) / iv * iv + iv;
		c->mem_peak_b = 0;
		c->oom_peak_b = 0;
		add = true;
	}
	if (add) {
		vpa_dhist_add(&c->agg->mem, (double)usage_b, 1.0,
		    c->window_end_ms);
		if (oom)
			c->oom_peak_b = usage_b;
		else
			c->mem_peak_b = usage_b;
	}
	return true;
}

bool
vpa_container_add_mem(struct vpa_container *c, const struct vpa_config *cfg,
    int64_t t_ms, int64_t usage_b)
{
	return vpa_container_add_peak(c, cfg, t_ms, usage_b, false);
}

bool
vpa_container_record_oom(struct vpa_container *c,
    const struct vpa_config *cfg, int64_t t_ms, int64_t memory_b)
{
	int64_t	used, bump, scaled;

	if (c->last_mem_ms != VPA_TIME_ZERO &&
	    t_ms < c->last_mem_ms - cfg->mem_interval_ms)
		return false;
	/* the OOM peak is left out so repeated OOMs do not compound */
	used = memory_b > c->mem_peak_b ? memory_b : c->mem_peak_b;
	bump = used + vpa_amount((double)cfg->oom_min_bump_b);
	scaled = vpa_scale(used, cfg->oom_bump_ratio);
	return vpa_container_add_peak(c, cfg, t_ms,
	    bump > scaled ? bump : scaled, true);
}

/* ---- estimation ------------------------------------------------------- */

void
vpa_min_resources(const struct vpa_config *cfg, size_t ncontainers,
    struct vpa_resources *out)
{
	double fraction;

	assert(ncontainers > 0);
	fraction = 1.0 / (double)ncontainers;
	out->v[VPA_CPU] = vpa_scale(
	    vpa_amount(cfg->pod_min_cpu_m * 0.001 * 1000.0), fraction);
	out->v[VPA_MEM] = vpa_scale(
	    vpa_amount(cfg->pod_min_mem_mb * 1024 * 1024), fraction);
	out->has = VPA_RES_ALL;
}

/* model.RoundUpToScale for --round-cpu-millicores/--round-memory-bytes */
static int64_t
vpa_round_up(int64_t v, int64_t unit)
{
	if (unit <= 1 || v == 0 || v % unit == 0)
		return v;
	if (v > INT64_MAX - unit)
		return v;
	return (v / unit + 1) * unit;
}

/* One estimator of the chain: P, margin, confidence factor. */
static int64_t
vpa_estimate_one(const struct vpa_config *cfg, const struct vpa_agg *s,
    enum vpa_res r, int which)
{
	int64_t	base, margined;
	double	p, conf;

	if (r == VPA_CPU) {
		p = vpa_dhist_percentile(&s->cpu, cfg->cpu_pct[which]);
		base = vpa_amount(p * 1000.0);
		conf = vpa_agg_confidence(s, cfg->conf_cpu_ms);
	} else {
		p = vpa_dhist_percentile(&s->mem, cfg->mem_pct[which]);
		base = vpa_amount(p);
		conf = vpa_agg_confidence(s, cfg->conf_mem_ms);
	}
	margined = base + vpa_scale(base, cfg->margin_fraction);
	switch (which) {
	case VPA_LOWER:
		return vpa_scale(margined, pow(1. + 0.001 / conf, -2.0));
	case VPA_UPPER:
		return vpa_scale(margined, pow(1. + 1.0 / conf, 1.0));
	default:
		return margined;
	}
}

void
vpa_estimate(const struct vpa_config *cfg, const struct vpa_agg *s,
    size_t ncontainers, unsigned controlled, struct vpa_rec *out)
{
	struct vpa_resources	 min;
	struct vpa_resources	*dst[3] = { &out->target, &out->lower,
				     &out->upper };
	int64_t			 round[VPA_NRES];

	assert(cfg != NULL && s != NULL && out != NULL);
	vpa_min_resources(cfg, ncontainers, &min);
	round[VPA_CPU] = cfg->round_cpu_m;
	round[VPA_MEM] = cfg->round_mem_b;
	for (int w = VPA_TARGET; w <= VPA_UPPER; w++) {
		dst[w]->has = controlled & VPA_RES_ALL;
		for (int r = 0; r < VPA_NRES; r++) {
			int64_t v = vpa_estimate_one(cfg, s, r, w);

			if (v < min.v[r])
				v = min.v[r];
			dst[w]->v[r] = vpa_round_up(v, round[r]);
		}
	}
	out->uncapped = out->target;
}

/* ---- capping and limits ----------------------------------------------- */

void
vpa_cpolicy_init(struct vpa_cpolicy *p)
{
	assert(p != NULL);
	p->mode = VPA_CMODE_AUTO;
	p->min_allowed.has = 0;
	p->max_allowed.has = 0;
	for (int r = 0; r < VPA_NRES; r++) {
		p->min_allowed.v[r] = 0;
		p->max_allowed.v[r] = 0;
	}
	p->controlled = VPA_RES_ALL;
	p->values = VPA_REQUESTS_AND_LIMITS;
}

static void
vpa_cap_list(struct vpa_resources *l, const struct vpa_cpolicy *policy,
    const struct vpa_resources *global_max,
    const struct vpa_resources *limits)
{
	for (int r = 0; r < VPA_NRES; r++) {
		unsigned bit = VPA_RES_BIT(r);
		const struct vpa_resources *max = NULL;

		if (!(l->has & bit))
			continue;
		if (policy != NULL && (policy->min_allowed.has & bit) &&
		    policy->min_allowed.v[r] != 0 &&
		    l->v[r] < policy->min_allowed.v[r])
			l->v[r] = policy->min_allowed.v[r];
		if (policy != NULL && (policy->max_allowed.has & bit))
			max = &policy->max_allowed;
		else if (global_max != NULL && (global_max->has & bit))
			max = global_max;
		if (max != NULL && max->v[r] != 0 && l->v[r] > max->v[r])
			l->v[r] = max->v[r];
		if (limits != NULL && policy != NULL &&
		    policy->values == VPA_REQUESTS_ONLY &&
		    (limits->has & bit) && limits->v[r] != 0 &&
		    l->v[r] > limits->v[r])
			l->v[r] = limits->v[r];
	}
}

void
vpa_rec_cap(struct vpa_rec *rec, const struct vpa_cpolicy *policy,
    const struct vpa_resources *global_max,
    const struct vpa_resources *limits)
{
	assert(rec != NULL);
	vpa_cap_list(&rec->target, policy, global_max, limits);
	vpa_cap_list(&rec->lower, policy, global_max, limits);
	vpa_cap_list(&rec->upper, policy, global_max, limits);
}

/* floor(a * b / c) exactly; false when it does not fit in 64 bits. */
static bool
vpa_muldiv(uint64_t a, uint64_t b, uint64_t c, uint64_t *q)
{
	const uint64_t	m32 = UINT64_C(0xffffffff);
	uint64_t	p00, p01, p10, p11, mid, lo, hi, rem, quo = 0;

	assert(c > 0 && c <= (uint64_t)INT64_MAX);
	p00 = (a & m32) * (b & m32);
	p01 = (a & m32) * (b >> 32);
	p10 = (a >> 32) * (b & m32);
	p11 = (a >> 32) * (b >> 32);
	mid = (p00 >> 32) + (p01 & m32) + (p10 & m32);
	lo = (p00 & m32) | (mid << 32);
	hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
	if (hi >= c)
		return false;
	rem = hi;
	for (int i = 63; i >= 0; i--) {
		/* rem < c < 2^63, so the shift cannot lose a bit */
		rem = (rem << 1) | ((lo >> i) & 1);
		quo <<= 1;
		if (rem >= c) {
			rem -= c;
			quo |= 1;
		}
	}
	*q = quo;
	return true;
}

bool
vpa_limit_scale(enum vpa_res r, int64_t orig_limit, int64_t orig_request,
    int64_t new_request, int64_t *limit, bool *capped)
{
	uint64_t q;

	assert(r == VPA_CPU || r == VPA_MEM);
	assert(orig_limit >= 0 && orig_request >= 0 && new_request >= 0);
	*capped = false;
	if (orig_limit == 0 || new_request == 0)
		return false;
	if (orig_request == 0 || orig_request == orig_limit) {
		*limit = new_request;
		return true;
	}
	/* CPU is already in milli-units and memory in whole bytes, the
	 * units upstream scales in, so one formula serves both. */
	if (!vpa_muldiv((uint64_t)orig_limit, (uint64_t)new_request,
	    (uint64_t)orig_request, &q) || q > (uint64_t)INT64_MAX) {
		*limit = INT64_MAX;
		*capped = true;
		return true;
	}
	*limit = (int64_t)q;
	return true;
}

/* ---- updater ---------------------------------------------------------- */

/* Quantity.MilliValue() of an amount in our units, saturating. */
static int64_t
vpa_milli(enum vpa_res r, int64_t v)
{
	if (r == VPA_CPU)
		return v;
	if (v > INT64_MAX / 1000)
		return INT64_MAX;
	if (v < INT64_MIN / 1000)
		return INT64_MIN;
	return v * 1000;
}

static int64_t
vpa_sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

void
vpa_priority_calc(const struct vpa_upd_container *c, size_t n,
    struct vpa_priority *out)
{
	int64_t	req[VPA_NRES] = { 0 }, rec[VPA_NRES] = { 0 };
	bool	seen[VPA_NRES] = { false };

	assert(out != NULL && (c != NULL || n == 0));
	out->outside = false;
	out->scale_up = false;
	out->resource_diff = 0.0;
	for (size_t i = 0; i < n; i++) {
		const struct vpa_rec *rc = c[i].rec;

		if (rc == NULL)
			continue;
		for (int r = 0; r < VPA_NRES; r++) {
			unsigned bit = VPA_RES_BIT(r);
			int64_t target, request;

			if (!(rc->target.has & bit))
				continue;
			target = rc->target.v[r];
			seen[r] = true;
			rec[r] = vpa_sat_add(rec[r], vpa_milli(r, target));
			if (!(c[i].request.has & bit)) {
				/* treated as a 0 request, wanting to grow */
				out->scale_up = true;
				out->outside = true;
				continue;
			}
			request = c[i].request.v[r];
			req[r] = vpa_sat_add(req[r], vpa_milli(r, request));
			if (target > request)
				out->scale_up = true;
			if (((rc->lower.has & bit) && request < rc->lower.v[r]) ||
			    ((rc->upper.has & bit) && request > rc->upper.v[r]))
				out->outside = true;
		}
	}
	for (int r = 0; r < VPA_NRES; r++) {
		double total;

		if (!seen[r])
			continue;
		total = fmax((double)req[r], 1.0);
		out->resource_diff += fabs(total - (double)rec[r]) / total;
	}
}

bool
vpa_quick_oom(const struct vpa_config *cfg, int64_t started_ms,
    int64_t finished_ms)
{
	return finished_ms - started_ms < cfg->evict_after_oom_ms;
}

bool
vpa_update_wanted(const struct vpa_config *cfg, const struct vpa_priority *p,
    bool quick_oom, int64_t start_ms, int64_t now_ms)
{
	if (!p->outside && !quick_oom) {
		if (start_ms == VPA_TIME_ZERO)
			return false;
		if (now_ms < start_ms + cfg->update_lifetime_ms)
			return false;
		if (p->resource_diff < cfg->min_change_priority)
			return false;
	}
	if (quick_oom && p->resource_diff == 0.0)
		return false;
	return true;
}

/* true when a must be evicted before b (PodPriority.Less reversed) */
static bool
vpa_priority_before(const struct vpa_priority *a, const struct vpa_priority *b)
{
	if (a->scale_up != b->scale_up)
		return a->scale_up;
	return a->resource_diff > b->resource_diff;
}

void
vpa_priority_order(const struct vpa_priority *p, size_t n, size_t *order)
{
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		while (j > 0 && vpa_priority_before(&p[i], &p[order[j - 1]])) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
}

bool
vpa_group_init(struct vpa_group *g, const struct vpa_config *cfg,
    int min_replicas, int configured, int live, int pending)
{
	assert(g != NULL && pending >= 0 && pending <= live);
	if (live < min_replicas)
		return false;
	g->configured = configured;
	g->tolerance = (int)((double)configured * cfg->eviction_tolerance);
	g->pending = pending;
	g->running = live - pending;
	g->evicted = 0;
	return true;
}

bool
vpa_group_can_evict(const struct vpa_group *g, bool pod_pending)
{
	if (pod_pending)
		return true;
	if (g->running - g->evicted > g->configured - g->tolerance)
		return true;
	/* all running and tolerance rounded to 0: one pod may still go */
	return g->running == g->configured && g->tolerance == 0 &&
	    g->evicted == 0;
}

void
vpa_group_note_evicted(struct vpa_group *g, bool pod_pending)
{
	if (!pod_pending)
		g->evicted++;
}

/* ---- formatting ------------------------------------------------------- */

char *
vpa_format_cpu(int64_t millicores, char *buf, size_t n)
{
	assert(buf != NULL && n >= QTY_BUFSZ);
	return qty_format_cpu(millicores, buf, n);
}

char *
vpa_format_mem(int64_t bytes, bool binary_si, char *buf, size_t n)
{
	assert(buf != NULL && n >= QTY_BUFSZ);
	return qty_format_bytes(bytes, binary_si ? QTY_BINARY_SI :
	    QTY_DECIMAL_SI, buf, n);
}
