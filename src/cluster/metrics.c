/*
 * metrics.c: the load model and metrics-server's view of it.
 *
 * What it models.  Pods use what the scenario's `spec.load` says: per pod
 * (each running pod of the workload burns X, as hamster does) or a shared
 * demand (a load generator's total, split evenly by a Service over the
 * READY pods behind it, as php-apache's is), each container capped at its
 * limit (CPU is throttled at the limit; memory is simply capped, OOM kills
 * are not modelled).  A value is constant, a piecewise series of points
 * (a step at each point, or a linear ramp into a point marked `ramp:
 * linear`) or a CSV trace (time,cpu,memory; steps).  Entries for the same
 * workload add up.  A pod with no entry uses nothing.  Custom metrics for
 * the HPA's Pods, Object and External metric types come from the same
 * entries (`metrics:` per pod or shared, `object:`, `external:`).  The
 * YAML is parsed by io/load_model.c; this file only evaluates it.
 *
 * metrics-server (kubernetes-sigs/metrics-server, pkg/storage) scrapes the
 * kubelets every --metric-resolution (15 s) and reports a CPU rate computed
 * from the last two cumulative counters, so what the HPA reads at time t is
 * the mean usage over [s - res, s] for the latest scrape s <= t, with
 * timestamp s and window res; a container appears only once two scrapes
 * have seen it (the reference hpa-vpa.md A4 and open question A).  Memory
 * is the working set at s.  CPU is reported in nanocores and the HPA reads
 * it with Quantity.MilliValue(), which rounds up: so do we.  Scrapes happen
 * at offset + k * res; the offset is the scenario's (default 0) because
 * metrics-server's phase relative to the load is what decides whether a
 * freshly loaded pod reads 130 % or 250 % on its first window.
 *
 * Nothing is sampled: the windowed mean is integrated exactly from the pod
 * records (ready/deleted times are kept for gone pods too) over the pieces
 * between breakpoints, where the per-pod usage is linear and the cap makes
 * at most one kink.  Alternatives rejected: scrape events in the engine
 * (they would interleave with controller ticks and need per-pod history)
 * and fixed-step sampling (inexact at ready transitions).
 *
 * Costs: one metrics_pod() call is O(E * (P + K) log(P + K)) for E entries
 * of the pod's workload, P pods ever created by it and K series points in
 * the window; a run without `spec.load` costs nothing.
 */
#include "cluster/metrics.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/load_model.h"
#include "run.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define MX_MEMO		64		/* remembered ready counts per entry */

/* A load entry and what the evaluation has learnt about its pods. */
struct mx_entry {
	const struct lm_entry *def;	/* borrowed from the model */
	uint32_t	*pods;		/* ids of the workload's pods, ever */
	size_t		 npods, podcap;	/* pods used, allocated */
	size_t		 scanned;	/* cluster pods looked at so far */
	int64_t		 memo_t[MX_MEMO]; /* past times whose ready count is known, ms */
	int		 memo_n[MX_MEMO]; /* ready pods at memo_t[i] */
	size_t		 nmemo;		/* memo entries written (ring) */
};

struct metrics {
	struct ks_run	*r;		/* borrowed: the run that owns it */
	struct load_model lm;		/* the parsed spec.load and spec.metricsServer */
	struct mx_entry	*e;		/* one per load entry, in spec order */
	size_t		 n;		/* entries */
};

/* The run's model, or NULL when it has none. */
static struct metrics *
mx_get(struct ks_run *r)
{
	return r->metrics;
}

int
metrics_init(struct ks_run *r, struct ks_error *err)
{
	struct metrics *m;
	int rc;

	if (r->metrics != NULL)
		return 0;
	m = xcalloc(1, sizeof(*m));
	m->r = r;
	if ((rc = load_model_parse(r->scn, &m->lm, err)) != 0) {
		free(m);
		return rc;
	}
	m->n = m->lm.n;
	m->e = xcalloc(m->n ? m->n : 1, sizeof(*m->e));
	for (size_t i = 0; i < m->n; i++)
		m->e[i].def = &m->lm.e[i];
	r->metrics = m;
	return 0;
}

void
metrics_free(struct ks_run *r)
{
	struct metrics *m = r->metrics;

	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].pods);
	free(m->e);
	load_model_free(&m->lm);
	free(m);
	r->metrics = NULL;
}

int64_t
metrics_resolution(struct ks_run *r)
{
	struct metrics *m = mx_get(r);

	return m != NULL ? m->lm.res_ms : LM_RES_DEFAULT;
}

/* ---- evaluation -------------------------------------------------------- */

/* Index of the last point at or before t (relative ms), -1 before the first. */
static ssize_t
chan_seg(const struct lm_chan *c, int64_t t)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->pts[mid].at_ms <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

/* Value at relative time t using the formula of segment i (which holds t). */
static double
chan_at(const struct lm_chan *c, ssize_t i, double t)
{
	const struct lm_point *a, *b;
	double a_at, a_v;

	if ((size_t)(i + 1) < c->n && c->pts[i + 1].linear) {
		b = &c->pts[i + 1];
		if (i < 0) {
			a_at = 0;
			a_v = 0;
		} else {
			a = &c->pts[i];
			a_at = (double)a->at_ms;
			a_v = (double)a->v;
		}
		if ((double)b->at_ms <= a_at)
			return (double)b->v;
		return a_v + ((double)b->v - a_v) * (t - a_at) / ((double)b->at_ms - a_at);
	}
	return i < 0 ? 0 : (double)c->pts[i].v;
}

static int
pod_ready_at(const struct ks_pod *p, int64_t t)
{
	return p->ready_ms >= 0 && p->ready_ms <= t && (p->deleted_ms < 0 || t < p->deleted_ms) &&
	    (p->gone_ms < 0 || t < p->gone_ms);
}

static int
pod_running_at(const struct ks_pod *p, int64_t t)
{
	return p->running_ms >= 0 && p->running_ms <= t &&
	    (p->deleted_ms < 0 || t < p->deleted_ms) && (p->gone_ms < 0 || t < p->gone_ms);
}

static int
entry_matches(const struct mx_entry *e, const struct ks_pod *p)
{
	return e->def->target == LM_WORKLOAD && p->owner != NULL && p->owner->kind == e->def->kind &&
	    p->owner->ns == e->def->ns && p->owner->name == e->def->name;
}

/* Bring the entry's list of its workload's pods up to date. */
static void
entry_scan(struct ks_cluster *c, struct mx_entry *e)
{
	for (; e->scanned < c->npods; e->scanned++)
		if (entry_matches(e, c->pods[e->scanned]))
			VEC_PUSH(e->pods, e->npods, e->podcap, (uint32_t)e->scanned);
}

/*
 * Ready pods of the entry's workload at t.  Pod records of times before now
 * never change, so counts for them are remembered: every pod of a workload
 * asks for the same window breakpoints, which makes a sync O(pods) rather
 * than O(pods^2).
 */
static int
entry_nready(struct ks_cluster *c, struct mx_entry *e, int64_t t)
{
	size_t lim = e->nmemo < MX_MEMO ? e->nmemo : MX_MEMO;
	int n = 0;

	for (size_t i = 0; i < lim; i++)
		if (e->memo_t[i] == t)
			return e->memo_n[i];
	for (size_t i = 0; i < e->npods; i++)
		n += pod_ready_at(c->pods[e->pods[i]], t);
	if (t < c->sim->now_ms) {
		e->memo_t[e->nmemo % MX_MEMO] = t;
		e->memo_n[e->nmemo % MX_MEMO] = n;
		e->nmemo++;
	}
	return n;
}

/* The container an entry's cpu and memory go to. */
static size_t
entry_ctr(const struct mx_entry *e, const struct ks_pod *p)
{
	for (size_t i = 0; i < p->spec->nctrs; i++) {
		const struct ks_container *k = &p->spec->ctrs[i];

		if (k->init && !k->sidecar)
			continue;
		if (e->def->container == NULL || k->name == e->def->container)
			return i;
	}
	return SIZE_MAX;
}

/*
 * The pod's share of entry e's channel ch on [s, t1] (t1 evaluated with the
 * formula in force at s): *v0 at s, *v1 at t1.  0 when inactive.
 */
static void
entry_share(struct ks_cluster *c, struct mx_entry *e, const struct lm_chan *ch,
    const struct ks_pod *p, int64_t s, int64_t t1, double *v0, double *v1)
{
	ssize_t seg;
	int n = 1;

	*v0 = *v1 = 0;
	if (s < e->def->from_ms || (e->def->until_ms >= 0 && s >= e->def->until_ms))
		return;
	if (e->def->shared) {
		if (!pod_ready_at(p, s))
			return;
		n = entry_nready(c, e, s);
		assert(n > 0);
	} else if (!pod_running_at(p, s))
		return;
	seg = chan_seg(ch, s - e->def->from_ms);
	*v0 = chan_at(ch, seg, (double)(s - e->def->from_ms)) / n;
	*v1 = chan_at(ch, seg, (double)(t1 - e->def->from_ms)) / n;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
bp_add(int64_t **bp, size_t *n, size_t *cap, int64_t a, int64_t b, int64_t t)
{
	if (t > a && t < b)
		VEC_PUSH(*bp, *n, *cap, t);
}

/* Integral over [0, L] of min(cap, u0 + (u1 - u0) x / L); cap 0 = none. */
static double
capped_integral(double u0, double u1, double cap, double len)
{
	double x;

	if (cap <= 0 || (u0 <= cap && u1 <= cap))
		return (u0 + u1) / 2 * len;
	if (u0 >= cap && u1 >= cap)
		return cap * len;
	x = (cap - u0) / (u1 - u0) * len;	/* where the line crosses the cap */
	if (u0 < cap)
		return (u0 + cap) / 2 * x + cap * (len - x);
	return cap * x + (cap + u1) / 2 * (len - x);
}

/*
 * Integral of container ctr's usage of channel chn (LM_CPU or LM_MEM) over
 * [a, b], in unit-ms, with the container's limit applied.
 */
static double
usage_integral(struct metrics *m, const struct ks_pod *p, size_t ctr, int chn, int64_t a,
    int64_t b)
{
	struct ks_cluster *c = &m->r->cluster;
	int64_t *bp = NULL;
	size_t nbp = 0, bpcap = 0;
	double lim = (double)pod_ctr_lim(p, ctr)->v[chn == LM_CPU ? RES_CPU : RES_MEM], sum = 0;
	int any = 0;

	VEC_PUSH(bp, nbp, bpcap, a);
	VEC_PUSH(bp, nbp, bpcap, b);
	bp_add(&bp, &nbp, &bpcap, a, b, p->running_ms);
	bp_add(&bp, &nbp, &bpcap, a, b, p->ready_ms);
	bp_add(&bp, &nbp, &bpcap, a, b, p->deleted_ms);
	bp_add(&bp, &nbp, &bpcap, a, b, p->gone_ms);
	for (size_t i = 0; i < m->n; i++) {
		struct mx_entry *e = &m->e[i];
		const struct lm_chan *ch = &e->def->ch[chn];

		if (!entry_matches(e, p) || entry_ctr(e, p) != ctr || ch->n == 0)
			continue;
		any = 1;
		bp_add(&bp, &nbp, &bpcap, a, b, e->def->from_ms);
		if (e->def->until_ms >= 0)
			bp_add(&bp, &nbp, &bpcap, a, b, e->def->until_ms);
		for (size_t k = 0; k < ch->n; k++)
			bp_add(&bp, &nbp, &bpcap, a, b, e->def->from_ms + ch->pts[k].at_ms);
		if (!e->def->shared)
			continue;
		entry_scan(c, e);
		for (size_t k = 0; k < e->npods; k++) {
			const struct ks_pod *q = c->pods[e->pods[k]];

			bp_add(&bp, &nbp, &bpcap, a, b, q->ready_ms);
			bp_add(&bp, &nbp, &bpcap, a, b, q->deleted_ms);
			bp_add(&bp, &nbp, &bpcap, a, b, q->gone_ms);
		}
	}
	if (!any) {
		free(bp);
		return 0;
	}
	qsort(bp, nbp, sizeof(*bp), cmp_i64);
	for (size_t k = 0; k + 1 < nbp; k++) {
		int64_t s = bp[k], t1 = bp[k + 1];
		double u0 = 0, u1 = 0;

		if (t1 <= s)
			continue;
		for (size_t i = 0; i < m->n; i++) {
			struct mx_entry *e = &m->e[i];
			double v0, v1;

			if (!entry_matches(e, p) || entry_ctr(e, p) != ctr || e->def->ch[chn].n == 0)
				continue;
			entry_share(c, e, &e->def->ch[chn], p, s, t1, &v0, &v1);
			u0 += v0;
			u1 += v1;
		}
		sum += capped_integral(u0, u1, lim, (double)(t1 - s));
	}
	free(bp);
	return sum;
}

/* Instantaneous usage of channel chn of container ctr at t, capped. */
static double
usage_at(struct metrics *m, const struct ks_pod *p, size_t ctr, int chn, int64_t t)
{
	struct ks_cluster *c = &m->r->cluster;
	double u = 0, lim = (double)pod_ctr_lim(p, ctr)->v[chn == LM_CPU ? RES_CPU : RES_MEM];

	for (size_t i = 0; i < m->n; i++) {
		struct mx_entry *e = &m->e[i];
		double v0, v1;

		if (!entry_matches(e, p) || entry_ctr(e, p) != ctr || e->def->ch[chn].n == 0)
			continue;
		if (e->def->shared)
			entry_scan(c, e);
		entry_share(c, e, &e->def->ch[chn], p, t, t, &v0, &v1);
		u += v0;
	}
	return lim > 0 && u > lim ? lim : u;
}

/* Round a non-negative double up to an integer, forgiving float noise. */
static int64_t
ceil_noise(double x)
{
	double r = nearbyint(x);

	if (fabs(x - r) < 1e-6)
		return (int64_t)r;
	return (int64_t)ceil(x);
}

void
metrics_usage(struct ks_run *r, const struct ks_pod *p, size_t ctr, int64_t t_ms,
    int64_t *cpu_m, int64_t *mem_b)
{
	struct metrics *m = mx_get(r);

	assert(p != NULL && cpu_m != NULL && mem_b != NULL);
	*cpu_m = *mem_b = 0;
	if (m == NULL || ctr >= p->spec->nctrs)
		return;
	*cpu_m = ceil_noise(usage_at(m, p, ctr, LM_CPU, t_ms));
	*mem_b = ceil_noise(usage_at(m, p, ctr, LM_MEM, t_ms));
}

/* The latest scrape at or before now; -1 before the first. */
static int64_t
last_scrape(const struct metrics *m, int64_t now)
{
	if (now < m->lm.offset_ms)
		return -1;
	return m->lm.offset_ms + (now - m->lm.offset_ms) / m->lm.res_ms * m->lm.res_ms;
}

int
metrics_pod(struct ks_run *r, const struct ks_pod *p, size_t ctr, int64_t *cpu_m,
    int64_t *mem_b, int64_t *ts_ms, int64_t *window_ms)
{
	struct metrics *m = mx_get(r);
	const struct ks_container *k;
	int64_t res = m != NULL ? m->lm.res_ms : LM_RES_DEFAULT, off = m != NULL ? m->lm.offset_ms : 0;
	int64_t now = r->sim.now_ms, s;
	double mean;

	assert(p != NULL);
	*cpu_m = *mem_b = *ts_ms = *window_ms = 0;
	if (ctr >= p->spec->nctrs)
		return KS_ENOENT;
	k = &p->spec->ctrs[ctr];
	if (k->init && !k->sidecar)
		return KS_ENOENT;
	s = now < off ? -1 : off + (now - off) / res * res;
	/* two scrapes must have seen the container: s - res and s */
	if (s < 0 || p->running_ms < 0 || p->running_ms > s - res ||
	    (p->gone_ms >= 0 && p->gone_ms <= s))
		return KS_ENOENT;
	*ts_ms = s;
	*window_ms = res;
	if (m == NULL)
		return 0;
	/* metrics-server's nanocores, read back with MilliValue() (rounds up) */
	mean = usage_integral(m, p, ctr, LM_CPU, s - res, s) / (double)res;
	*cpu_m = ceil_noise(mean);
	*mem_b = ceil_noise(usage_at(m, p, ctr, LM_MEM, s));
	return 0;
}

int
metrics_pod_custom(struct ks_run *r, const struct ks_pod *p, const char *name,
    int64_t *value_m, int64_t *ts_ms, int64_t *window_ms)
{
	struct metrics *m = mx_get(r);
	const char *in = intern(name);
	int64_t s;
	double v = 0;
	int any = 0;

	*value_m = *ts_ms = *window_ms = 0;
	if (m == NULL)
		return KS_ENOENT;
	s = last_scrape(m, r->sim.now_ms);
	if (s < 0 || !pod_running_at(p, s))
		return KS_ENOENT;
	for (size_t i = 0; i < m->n; i++) {
		struct mx_entry *e = &m->e[i];

		if (!entry_matches(e, p))
			continue;
		for (size_t j = LM_FIXED; j < e->def->nch; j++) {
			double v0, v1;

			if (e->def->ch[j].name != in)
				continue;
			any = 1;
			if (e->def->shared)
				entry_scan(&r->cluster, e);
			entry_share(&r->cluster, e, &e->def->ch[j], p, s, s, &v0, &v1);
			v += v0;
		}
	}
	if (!any)
		return KS_ENOENT;
	*value_m = ceil_noise(v);
	*ts_ms = s;
	*window_ms = m->lm.res_ms;
	return 0;
}

static int
metric_value(struct ks_run *r, enum lm_target tg, const char *ns, const char *kind,
    const char *name, const char *metric, int64_t *value_m)
{
	struct metrics *m = mx_get(r);
	int64_t now = r->sim.now_ms;
	double v = 0;
	int any = 0;

	*value_m = 0;
	if (m == NULL)
		return KS_ENOENT;
	for (size_t i = 0; i < m->n; i++) {
		const struct mx_entry *e = &m->e[i];
		const struct lm_chan *ch = &e->def->ch[LM_CPU];

		if (e->def->target != tg || e->def->ns != intern(ns) || e->def->metric != intern(metric))
			continue;
		if (tg == LM_OBJECT && (e->def->obj_kind != intern(kind) || e->def->name != intern(name)))
			continue;
		any = 1;
		if (now < e->def->from_ms || (e->def->until_ms >= 0 && now >= e->def->until_ms))
			continue;
		v += chan_at(ch, chan_seg(ch, now - e->def->from_ms), (double)(now - e->def->from_ms));
	}
	if (!any)
		return KS_ENOENT;
	*value_m = ceil_noise(v);
	return 0;
}

int
metrics_object(struct ks_run *r, const char *ns, const char *kind, const char *name,
    const char *metric, int64_t *value_m)
{
	return metric_value(r, LM_OBJECT, ns, kind, name, metric, value_m);
}

int
metrics_external(struct ks_run *r, const char *ns, const char *metric, int64_t *value_m)
{
	return metric_value(r, LM_EXTERNAL, ns, NULL, NULL, metric, value_m);
}
