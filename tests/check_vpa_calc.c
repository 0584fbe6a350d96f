/*
 * check_vpa_calc.c: the VPA decision core against numbers worked out by
 * hand from shared/reference/hpa-vpa.md Part B and §C1 (hamster).
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/vpa_calc.h"
#include "autoscale/vpa_histogram.h"
#include "testutil.h"
#include "util/error.h"

Suite	*vpa_calc_suite(void);

#define H_MS	(24 * VPA_MS_PER_HOUR)
#define MIB	(INT64_C(1024) * 1024)

static struct vpa_config cfg;

static void
setup(void)
{
	vpa_config_init(&cfg, 1, 4);
}

static struct vpa_resources
res(int64_t cpu_m, int64_t mem_b)
{
	struct vpa_resources r = { { cpu_m, mem_b }, VPA_RES_ALL };

	return r;
}

/* The hamster policy `*`: minAllowed 100m/50Mi, maxAllowed 1/500Mi. */
static void
hamster_policy(struct vpa_cpolicy *p)
{
	vpa_cpolicy_init(p);
	p->min_allowed = res(100, 50 * MIB);
	p->max_allowed = res(1000, 500 * MIB);
}

/* ---- core --------------------------------------------------------------- */

START_TEST(test_layout)
{
	struct vpa_hist_opts o;

	/* N = ceil(ln(1000*0.05/0.01 + 1) / ln 1.05) + 1
	 *   = ceil(ln 5001 / ln 1.05) + 1 = ceil(174.57) + 1 = 176;
	 * memory: 1e12*0.05/1e7 + 1 = 5001 too. */
	ck_assert_int_eq(vpa_hist_opts_init(&o, 1000.0, 0.01, 1.0 + 0.05,
	    0.001 * 0.1), 0);
	ck_assert_int_eq(o.nbuckets, 176);
	ck_assert_int_eq(vpa_hist_cpu_opts.nbuckets, 176);
	ck_assert_int_eq(vpa_hist_opts_init(&o, 1e12, 1e7, 1.0 + 0.05,
	    0.001 * 0.1), 0);
	ck_assert_int_eq(o.nbuckets, 176);
	ck_assert_int_eq(vpa_hist_mem_opts.nbuckets, 176);
}
END_TEST

START_TEST(test_cpu_bucket)
{
	const struct vpa_hist_opts *o = &vpa_hist_cpu_opts;

	/* bucket(0.5) = floor(ln(0.5*0.05/0.01 + 1) / ln 1.05)
	 *             = floor(ln 3.5 / ln 1.05) = floor(25.68) = 25 */
	ck_assert_int_eq(vpa_hist_bucket(o, 0.5), 25);
	/* bucket 25 = [0.477271, 0.511135): 477m -> 24, 478m..511m -> 25,
	 * 512m -> 26 */
	ck_assert_int_eq(vpa_hist_bucket(o, 0.477), 24);
	ck_assert_int_eq(vpa_hist_bucket(o, 0.478), 25);
	ck_assert_int_eq(vpa_hist_bucket(o, 0.511), 25);
	ck_assert_int_eq(vpa_hist_bucket(o, 0.512), 26);
	/* below the first bucket size 0.01 core: bucket 0 */
	ck_assert_int_eq(vpa_hist_bucket(o, 0.0099), 0);
	ck_assert_int_eq(vpa_hist_bucket(o, 0.01), 1);
	/* start(n) = 0.2 * (1.05^n - 1): start(25) = 0.477271,
	 * start(26) = 0.511135 */
	ck_assert_double_eq_tol(vpa_hist_bucket_start(o, 25), 0.477271, 1e-6);
	ck_assert_double_eq_tol(vpa_hist_bucket_start(o, 26), 0.511135, 1e-6);
	ck_assert(vpa_hist_bucket_start(o, 0) == 0.0);
	/* the reference table: T = (int)(1000*start(k+1)) * 1.15 truncated */
	ck_assert_int_eq((int64_t)(vpa_hist_bucket_start(o, 8) * 1000), 95);
	ck_assert_int_eq((int64_t)(vpa_hist_bucket_start(o, 37) * 1000), 1016);
}
END_TEST

START_TEST(test_mem_layout)
{
	const struct vpa_hist_opts *o = &vpa_hist_mem_opts;

	/* start(n) = 2e8 * (1.05^n - 1) bytes; start(1) = 1e7 exactly.
	 * The reference rounds start(15) = 215785635.88 to 215785636 and
	 * start(16) = 236574917.68 to 236574918; truncation (what a
	 * percentile -> amount conversion does) gives ...635 and ...917. */
	ck_assert(vpa_hist_bucket_start(o, 1) == 1e7);
	ck_assert_double_eq_tol(vpa_hist_bucket_start(o, 15), 215785635.88,
	    0.01);
	ck_assert_double_eq_tol(vpa_hist_bucket_start(o, 16), 236574917.68,
	    0.01);
	ck_assert_int_eq((int64_t)vpa_hist_bucket_start(o, 15), 215785635);
	ck_assert_int_eq((int64_t)vpa_hist_bucket_start(o, 16), 236574917);
	/* a few MiB is below 1e7: bucket 0 */
	ck_assert_int_eq(vpa_hist_bucket(o, 3.0 * 1024 * 1024), 0);
	ck_assert_int_eq(vpa_hist_bucket(o, 215785636.0 + 1), 15);
}
END_TEST

START_TEST(test_percentile_upper_edge)
{
	struct vpa_hist h;

	vpa_hist_init(&h, &vpa_hist_cpu_opts);
	ck_assert(vpa_hist_empty(&h));
	ck_assert(vpa_hist_percentile(&h, 0.9) == 0.0);
	vpa_hist_add(&h, 0.5, 0.1);
	ck_assert_int_eq(h.min_b, 25);
	ck_assert_int_eq(h.max_b, 25);
	/* all weight in bucket 25: the answer is start(26), not start(25) */
	ck_assert(vpa_hist_percentile(&h, 0.9) ==
	    vpa_hist_bucket_start(&vpa_hist_cpu_opts, 26));
	ck_assert_int_eq((int64_t)(vpa_hist_percentile(&h, 0.9) * 1000.0), 511);
	/* 9 x 0.2 cores (bucket 14) + 1 x 1.0 core: p50 and p90 are in
	 * bucket 14 (cumulative 0.9 >= 0.9*1.0), p95 in the 1-core bucket.
	 * bucket(1.0) = floor(ln 6 / ln 1.05) = floor(36.72) = 36 */
	vpa_hist_init(&h, &vpa_hist_cpu_opts);
	for (int i = 0; i < 9; i++)
		vpa_hist_add(&h, 0.2, 0.1);
	vpa_hist_add(&h, 1.0, 0.1);
	ck_assert_int_eq(vpa_hist_bucket(&vpa_hist_cpu_opts, 0.2), 14);
	ck_assert_int_eq(vpa_hist_bucket(&vpa_hist_cpu_opts, 1.0), 36);
	ck_assert(vpa_hist_percentile(&h, 0.5) ==
	    vpa_hist_bucket_start(&vpa_hist_cpu_opts, 15));
	ck_assert(vpa_hist_percentile(&h, 0.95) ==
	    vpa_hist_bucket_start(&vpa_hist_cpu_opts, 37));
}
END_TEST

START_TEST(test_decay_halves)
{
	struct vpa_dhist d;
	int b1, b2;

	/* two samples of equal weight 24 h apart: the older weighs half */
	vpa_dhist_init(&d, &vpa_hist_cpu_opts, H_MS);
	vpa_dhist_add(&d, 0.1, 1.0, 0);
	vpa_dhist_add(&d, 1.0, 1.0, H_MS);
	ck_assert(d.ref_set);
	ck_assert_int_eq(d.ref_ms, 0);
	b1 = vpa_hist_bucket(&vpa_hist_cpu_opts, 0.1);
	b2 = vpa_hist_bucket(&vpa_hist_cpu_opts, 1.0);
	ck_assert(d.h.w[b1] == 1.0);
	ck_assert(d.h.w[b2] == 2.0);
	ck_assert(d.h.total == 3.0);
	/* p = 1/3 still in the old bucket, p = 0.34 in the new one */
	ck_assert(vpa_dhist_percentile(&d, 1.0 / 3.0) ==
	    vpa_hist_bucket_start(&vpa_hist_cpu_opts, b1 + 1));
	ck_assert(vpa_dhist_percentile(&d, 0.34) ==
	    vpa_hist_bucket_start(&vpa_hist_cpu_opts, b2 + 1));

	/* first use at 13 h re-anchors to round(13 h, 24 h) = 24 h, so the
	 * weight is 2^((13 - 24) / 24) = 2^(-11/24) */
	vpa_dhist_init(&d, &vpa_hist_cpu_opts, H_MS);
	vpa_dhist_add(&d, 0.5, 1.0, 13 * VPA_MS_PER_HOUR);
	ck_assert_int_eq(d.ref_ms, H_MS);
	ck_assert_double_eq_tol(d.h.w[25], exp2(-11.0 / 24.0), 1e-15);
	/* exactly 12 h rounds up (Go's Time.Round) */
	vpa_dhist_init(&d, &vpa_hist_cpu_opts, H_MS);
	vpa_dhist_add(&d, 0.5, 1.0, 12 * VPA_MS_PER_HOUR);
	ck_assert_int_eq(d.ref_ms, H_MS);
}
END_TEST

START_TEST(test_margin_and_minimum)
{
	struct vpa_resources min;
	struct vpa_agg a;
	struct vpa_rec rec;

	/* C = 1: 25m and 250 * 1024 * 1024 = 262144000 B */
	vpa_min_resources(&cfg, 1, &min);
	ck_assert_int_eq(min.v[VPA_CPU], 25);
	ck_assert_int_eq(min.v[VPA_MEM], 262144000);
	/* C = 2: (int)(25 * 0.5) = 12; 131072000 */
	vpa_min_resources(&cfg, 2, &min);
	ck_assert_int_eq(min.v[VPA_CPU], 12);
	ck_assert_int_eq(min.v[VPA_MEM], 131072000);
	/* C = 3: (int)(25 / 3) = 8; (int)(262144000 / 3) = 87381333 */
	vpa_min_resources(&cfg, 3, &min);
	ck_assert_int_eq(min.v[VPA_CPU], 8);
	ck_assert_int_eq(min.v[VPA_MEM], 87381333);

	/* one 500m sample: P90 = start(26) = 0.511135 -> 511m;
	 * margin (int)(511 * 0.15) = (int)76.65 = 76 -> 587m.
	 * memory 3 MiB -> bucket 0 -> start(1) = 1e7 -> + 1500000 =
	 * 11500000 < 262144000, so the minimum wins. */
	vpa_agg_init(&a, &cfg);
	vpa_agg_add_cpu(&a, &cfg, 60000, 500, 100);
	vpa_dhist_add(&a.mem, 3.0 * MIB, 1.0, 60000 + H_MS);
	vpa_estimate(&cfg, &a, 1, VPA_RES_ALL, &rec);
	ck_assert_int_eq(rec.target.v[VPA_CPU], 587);
	ck_assert_int_eq(rec.target.v[VPA_MEM], 262144000);
	ck_assert_int_eq(rec.uncapped.v[VPA_CPU], 587);
	/* with 4 containers the memory minimum is 65536000 > 11.5 MB */
	vpa_estimate(&cfg, &a, 4, VPA_RES_ALL, &rec);
	ck_assert_int_eq(rec.target.v[VPA_MEM], 65536000);
	/* 40 containers: 6553600 < 11500000, so the margin value shows */
	vpa_estimate(&cfg, &a, 40, VPA_RES_ALL, &rec);
	ck_assert_int_eq(rec.target.v[VPA_MEM], 11500000);
	/* controlledResources [cpu]: memory left out of every list */
	vpa_estimate(&cfg, &a, 1, VPA_RES_BIT(VPA_CPU), &rec);
	ck_assert_uint_eq(rec.target.has, VPA_RES_BIT(VPA_CPU));
	ck_assert_uint_eq(rec.lower.has, VPA_RES_BIT(VPA_CPU));
	ck_assert_uint_eq(rec.upper.has, VPA_RES_BIT(VPA_CPU));
}
END_TEST

/* Feed `loops` recommender loops of the §C1 stream into one aggregate:
 * loop k at t = k min, two pods, CPU 501m and 506m (both in bucket 25),
 * working sets 2.5 MiB and 3 MiB, requests 100m. */
static void
hamster_feed(struct vpa_agg *a, struct vpa_container *c, int from, int to)
{
	for (int k = from; k <= to; k++) {
		int64_t t = k * INT64_C(60000);

		ck_assert(vpa_container_add_cpu(&c[0], &cfg, t, 501, 100));
		ck_assert(vpa_container_add_cpu(&c[1], &cfg, t, 506, 100));
		ck_assert(vpa_container_add_mem(&c[0], &cfg, t, 5 * MIB / 2));
		ck_assert(vpa_container_add_mem(&c[1], &cfg, t, 3 * MIB));
	}
	(void)a;
}

START_TEST(test_confidence_bounds)
{
	/* conf at loop k = min((k-1)/1440, 2k/1440) = (k-1)/1440 days.
	 * lower = (int)(587 * (1 + 0.001*1440/(k-1))^-2), then >= 25m, then
	 * minAllowed 100m:
	 *   k=3:  (1 + 0.72)^-2  = 0.33802 -> (int)198.4 = 198
	 *   k=6:  (1 + 0.288)^-2 = 0.60277 -> (int)353.8 = 353
	 *   k=31: (1 + 0.048)^-2 = 0.91051 -> (int)534.5 = 534
	 *   k=61: (1 + 0.024)^-2 = 0.95367 -> (int)559.8 = 559 */
	static const struct { int k; int64_t lower; } tab[] = {
		{ 3, 198 }, { 6, 353 }, { 31, 534 }, { 61, 559 },
	};
	struct vpa_agg a;
	struct vpa_container c[2];
	struct vpa_rec rec;
	int done = 0;

	vpa_agg_init(&a, &cfg);
	vpa_container_init(&c[0], &a);
	vpa_container_init(&c[1], &a);
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		hamster_feed(&a, c, done + 1, tab[i].k);
		done = tab[i].k;
		ck_assert_int_eq(a.total_samples, 2 * tab[i].k);
		ck_assert_double_eq_tol(vpa_agg_confidence(&a, cfg.conf_cpu_ms),
		    (tab[i].k - 1) / 1440.0, 1e-15);
		vpa_estimate(&cfg, &a, 1, VPA_RES_ALL, &rec);
		ck_assert_int_eq(rec.target.v[VPA_CPU], 587);
		ck_assert_int_eq(rec.lower.v[VPA_CPU], tab[i].lower);
	}
}
END_TEST

START_TEST(test_capping)
{
	struct vpa_cpolicy p;
	struct vpa_rec rec;
	struct vpa_resources gmax = res(4000, 0);
	struct vpa_resources lim = res(500, 200 * MIB);

	hamster_policy(&p);
	rec.target = res(587, 262144000);
	rec.lower = res(25, 262144000);
	rec.upper = res(VPA_MAX_RESOURCE_AMOUNT, VPA_MAX_RESOURCE_AMOUNT);
	rec.uncapped = rec.target;
	vpa_rec_cap(&rec, &p, NULL, NULL);
	/* 587m in [100m, 1000m]; 25m -> 100m; 1e14 -> 1 core / 500Mi */
	ck_assert_int_eq(rec.target.v[VPA_CPU], 587);
	ck_assert_int_eq(rec.target.v[VPA_MEM], 262144000);
	ck_assert_int_eq(rec.lower.v[VPA_CPU], 100);
	ck_assert_int_eq(rec.upper.v[VPA_CPU], 1000);
	ck_assert_int_eq(rec.upper.v[VPA_MEM], 524288000);
	ck_assert_int_eq(rec.uncapped.v[VPA_CPU], 587);

	/* no maxAllowed cpu in the policy: the global 4 cores applies;
	 * the global memory 0 means "no bound" */
	vpa_cpolicy_init(&p);
	rec.upper = res(9000, 9 * MIB * 1024);
	vpa_rec_cap(&rec, &p, &gmax, NULL);
	ck_assert_int_eq(rec.upper.v[VPA_CPU], 4000);
	ck_assert_int_eq(rec.upper.v[VPA_MEM], 9 * MIB * 1024);
	/* a policy maxAllowed of 0 is "no bound", and hides the global */
	p.max_allowed = res(0, 0);
	rec.upper = res(9000, 1);
	vpa_rec_cap(&rec, &p, &gmax, NULL);
	ck_assert_int_eq(rec.upper.v[VPA_CPU], 9000);

	/* RequestsOnly caps at the container limit, after maxAllowed */
	hamster_policy(&p);
	p.values = VPA_REQUESTS_ONLY;
	rec.target = res(587, 262144000);
	vpa_rec_cap(&rec, &p, NULL, &lim);
	ck_assert_int_eq(rec.target.v[VPA_CPU], 500);
	ck_assert_int_eq(rec.target.v[VPA_MEM], 200 * MIB);
	/* RequestsAndLimits ignores the limit */
	p.values = VPA_REQUESTS_AND_LIMITS;
	rec.target = res(587, 262144000);
	vpa_rec_cap(&rec, &p, NULL, &lim);
	ck_assert_int_eq(rec.target.v[VPA_CPU], 587);
	/* absent resources stay absent */
	rec.target.has = VPA_RES_BIT(VPA_MEM);
	rec.target.v[VPA_CPU] = 1;
	vpa_rec_cap(&rec, &p, NULL, NULL);
	ck_assert_int_eq(rec.target.v[VPA_CPU], 1);
}
END_TEST

START_TEST(test_limit_scaling)
{
	int64_t l = -1;
	bool capped = true;

	/* request 100m limit 200m, new request 587m: 200*587/100 = 1174m */
	ck_assert(vpa_limit_scale(VPA_CPU, 200, 100, 587, &l, &capped));
	ck_assert_int_eq(l, 1174);
	ck_assert(!capped);
	/* floor: 300 * 587 / 200 = 880.5 -> 880m */
	ck_assert(vpa_limit_scale(VPA_CPU, 300, 200, 587, &l, &capped));
	ck_assert_int_eq(l, 880);
	/* memory 50Mi/100Mi, new 262144000 -> 104857600*262144000/52428800
	 * = 524288000 */
	ck_assert(vpa_limit_scale(VPA_MEM, 100 * MIB, 50 * MIB, 262144000,
	    &l, &capped));
	ck_assert_int_eq(l, 524288000);
	/* request == limit: limit = new request */
	ck_assert(vpa_limit_scale(VPA_CPU, 100, 100, 587, &l, &capped));
	ck_assert_int_eq(l, 587);
	/* no original request: limit = new request */
	ck_assert(vpa_limit_scale(VPA_MEM, 100 * MIB, 0, 262144000, &l,
	    &capped));
	ck_assert_int_eq(l, 262144000);
	/* no original limit, or a zero new request: no limit */
	ck_assert(!vpa_limit_scale(VPA_CPU, 0, 100, 587, &l, &capped));
	ck_assert(!vpa_limit_scale(VPA_CPU, 200, 100, 0, &l, &capped));
}
END_TEST

START_TEST(test_updater_decisions)
{
	struct vpa_rec rec;
	struct vpa_upd_container c;
	struct vpa_priority p;
	int64_t start = 0, h12 = 12 * VPA_MS_PER_HOUR;

	rec.target = res(587, 262144000);
	rec.lower = res(353, 262144000);
	rec.upper = res(1000, 524288000);
	rec.uncapped = rec.target;
	c.rec = &rec;

	/* inside bounds, equal to target: diff 0, never evicted */
	c.request = res(587, 262144000);
	vpa_priority_calc(&c, 1, &p);
	ck_assert(!p.outside && !p.scale_up);
	ck_assert(p.resource_diff == 0.0);
	ck_assert(!vpa_update_wanted(&cfg, &p, false, start, start + 2 * h12));

	/* below lowerBound (cpu 300m < 353m): evicted at once.
	 * diff = |300 - 587| / 300 = 0.95667 */
	c.request = res(300, 262144000);
	vpa_priority_calc(&c, 1, &p);
	ck_assert(p.outside && p.scale_up);
	ck_assert_double_eq_tol(p.resource_diff, 287.0 / 300.0, 1e-12);
	ck_assert(vpa_update_wanted(&cfg, &p, false, start, start + 1));

	/* above upperBound: outside, scale down */
	c.request = res(1500, 262144000);
	vpa_priority_calc(&c, 1, &p);
	ck_assert(p.outside && !p.scale_up);

	/* inside, 500m vs 587m: diff 87/500 = 0.174 >= 0.1: only after 12 h */
	c.request = res(500, 262144000);
	vpa_priority_calc(&c, 1, &p);
	ck_assert(!p.outside && p.scale_up);
	ck_assert_double_eq_tol(p.resource_diff, 0.174, 1e-12);
	ck_assert(!vpa_update_wanted(&cfg, &p, false, start, start + h12 - 1));
	ck_assert(vpa_update_wanted(&cfg, &p, false, start, start + h12));
	/* no start time: never by the 12 h rule */
	ck_assert(!vpa_update_wanted(&cfg, &p, false, VPA_TIME_ZERO, h12 * 9));

	/* inside, 560m vs 587m: diff 27/560 = 0.048 < 0.1: never */
	c.request = res(560, 262144000);
	vpa_priority_calc(&c, 1, &p);
	ck_assert(!vpa_update_wanted(&cfg, &p, false, start, start + 4 * h12));

	/* quick OOM (ran 5 min < 10 min) forces it, unless diff == 0 */
	ck_assert(vpa_quick_oom(&cfg, 0, 5 * 60000));
	ck_assert(!vpa_quick_oom(&cfg, 0, 10 * 60000));
	ck_assert(vpa_update_wanted(&cfg, &p, true, start, start + 1));
	c.request = res(587, 262144000);
	vpa_priority_calc(&c, 1, &p);
	ck_assert(!vpa_update_wanted(&cfg, &p, true, start, start + 1));

	/* the hamster pods before the first eviction: requests 100m/50Mi.
	 * cpu |100-587|/100 = 4.87; memory in milli-units
	 * |52428800000 - 262144000000| / 52428800000 = 4.0; sum 8.87 */
	c.request = res(100, 50 * MIB);
	vpa_priority_calc(&c, 1, &p);
	ck_assert(p.outside && p.scale_up);
	ck_assert_double_eq_tol(p.resource_diff, 8.87, 1e-12);

	/* a missing request counts as outside and scale-up */
	c.request = res(587, 0);
	c.request.has = VPA_RES_BIT(VPA_CPU);
	vpa_priority_calc(&c, 1, &p);
	ck_assert(p.outside && p.scale_up);
}
END_TEST

START_TEST(test_priority_order)
{
	struct vpa_priority p[4] = {
		{ false, false, 0.5 },
		{ true, true, 0.2 },
		{ false, true, 0.9 },
		{ false, true, 0.2 },
	};
	size_t order[4];

	/* scale-up first (2: 0.9, then 1 and 3 tie at 0.2 in input order),
	 * then the scale-down */
	vpa_priority_order(p, 4, order);
	ck_assert_uint_eq(order[0], 2);
	ck_assert_uint_eq(order[1], 1);
	ck_assert_uint_eq(order[2], 3);
	ck_assert_uint_eq(order[3], 0);
}
END_TEST

START_TEST(test_group)
{
	struct vpa_group g;

	/* configured 2: tolerance (int)(2 * 0.5) = 1; running 2 - 0 > 1 */
	ck_assert(vpa_group_init(&g, &cfg, cfg.min_replicas, 2, 2, 0));
	ck_assert_int_eq(g.tolerance, 1);
	ck_assert(vpa_group_can_evict(&g, false));
	vpa_group_note_evicted(&g, false);
	/* 2 - 1 = 1, not > 1 */
	ck_assert(!vpa_group_can_evict(&g, false));
	/* next loop: the replacement Pending, running 1: not > 1 */
	ck_assert(vpa_group_init(&g, &cfg, cfg.min_replicas, 2, 2, 1));
	ck_assert(!vpa_group_can_evict(&g, false));
	ck_assert(vpa_group_can_evict(&g, true));
	/* a single replica: skipped (live 1 < min-replicas 2) */
	ck_assert(!vpa_group_init(&g, &cfg, cfg.min_replicas, 1, 1, 0));
	/* min-replicas 1, configured 1: tolerance 0, one pod may go */
	ck_assert(vpa_group_init(&g, &cfg, 1, 1, 1, 0));
	ck_assert_int_eq(g.tolerance, 0);
	ck_assert(vpa_group_can_evict(&g, false));
	vpa_group_note_evicted(&g, false);
	ck_assert(!vpa_group_can_evict(&g, false));
}
END_TEST

START_TEST(test_format)
{
	char buf[VPA_QTY_BUFSZ];

	ck_assert_str_eq(vpa_format_cpu(587, buf, sizeof(buf)), "587m");
	ck_assert_str_eq(vpa_format_cpu(1000, buf, sizeof(buf)), "1");
	ck_assert_str_eq(vpa_format_cpu(1500, buf, sizeof(buf)), "1500m");
	ck_assert_str_eq(vpa_format_cpu(2000, buf, sizeof(buf)), "2");
	ck_assert_str_eq(vpa_format_cpu(100, buf, sizeof(buf)), "100m");
	ck_assert_str_eq(vpa_format_cpu(0, buf, sizeof(buf)), "0");
	ck_assert_str_eq(vpa_format_cpu(1000000, buf, sizeof(buf)), "1k");
	/* DecimalSI (VPA <= 1.4.x): 262144000 = 262144 * 10^3 */
	ck_assert_str_eq(vpa_format_mem(262144000, false, buf, sizeof(buf)),
	    "262144k");
	ck_assert_str_eq(vpa_format_mem(524288000, false, buf, sizeof(buf)),
	    "524288k");
	ck_assert_str_eq(vpa_format_mem(11500000, false, buf, sizeof(buf)),
	    "11500k");
	ck_assert_str_eq(vpa_format_mem(513318181, false, buf, sizeof(buf)),
	    "513318181");
	ck_assert_str_eq(vpa_format_mem(1000000, false, buf, sizeof(buf)),
	    "1M");
	ck_assert_str_eq(vpa_format_mem(VPA_MAX_RESOURCE_AMOUNT, false, buf,
	    sizeof(buf)), "100T");
	/* BinarySI (VPA >= 1.5): 262144000 = 250 * 1024^2 */
	ck_assert_str_eq(vpa_format_mem(262144000, true, buf, sizeof(buf)),
	    "250Mi");
	ck_assert_str_eq(vpa_format_mem(524288000, true, buf, sizeof(buf)),
	    "500Mi");
	ck_assert_str_eq(vpa_format_mem(11500000, true, buf, sizeof(buf)),
	    "11500000");
	ck_assert_str_eq(vpa_format_mem(1000, true, buf, sizeof(buf)), "1k");
	ck_assert_str_eq(vpa_format_mem(1024, true, buf, sizeof(buf)), "1Ki");
}
END_TEST

/*
 * §C1 end to end: 2 hamster pods, one aggregate (same labels), 1 loop per
 * minute.  Target 587m / 262144k from loop 1 on; bounds as the reference
 * lists them; then the updater's first decision and the stable state.
 */
START_TEST(test_hamster)
{
	struct vpa_agg a;
	struct vpa_container c[2];
	struct vpa_cpolicy pol;
	struct vpa_rec rec;
	struct vpa_upd_container uc;
	struct vpa_priority pr;
	struct vpa_group g;
	char cpu[VPA_QTY_BUFSZ], mem[VPA_QTY_BUFSZ];
	int64_t upper_mem[70];

	hamster_policy(&pol);
	vpa_agg_init(&a, &cfg);
	vpa_container_init(&c[0], &a);
	vpa_container_init(&c[1], &a);
	for (int k = 1; k < 70; k++) {
		hamster_feed(&a, c, k, k);
		vpa_estimate(&cfg, &a, 1, VPA_RES_ALL, &rec);
		vpa_rec_cap(&rec, &pol, NULL, NULL);
		ck_assert_int_eq(rec.target.v[VPA_CPU], 587);
		ck_assert_int_eq(rec.target.v[VPA_MEM], 262144000);
		ck_assert_str_eq(vpa_format_cpu(rec.target.v[VPA_CPU], cpu,
		    sizeof(cpu)), "587m");
		ck_assert_str_eq(vpa_format_mem(rec.target.v[VPA_MEM],
		    cfg.mem_binary_si, mem, sizeof(mem)), "262144k");
		/* lower memory is the floor; upper CPU 587*(1 + 1440/(k-1))
		 * stays above 1000m until conf > 1.42 days */
		ck_assert_int_eq(rec.lower.v[VPA_MEM], 262144000);
		ck_assert_int_eq(rec.upper.v[VPA_CPU], 1000);
		upper_mem[k] = rec.upper.v[VPA_MEM];
		if (k <= 2)	/* 25m (k=1: factor 0) and 98m: minAllowed */
			ck_assert_int_eq(rec.lower.v[VPA_CPU], 100);
		if (k == 1) {
			/* conf 0: upper = 1e14 before capping, lower = 0 */
			struct vpa_rec raw;

			vpa_estimate(&cfg, &a, 1, VPA_RES_ALL, &raw);
			ck_assert_int_eq(raw.upper.v[VPA_CPU],
			    VPA_MAX_RESOURCE_AMOUNT);
			ck_assert_int_eq(raw.lower.v[VPA_CPU], 25);
		}
		if (k == 2) {
			/* (1 + 1.44)^-2 = 0.16797 -> (int)98.6 = 98 -> 100 */
			struct vpa_rec raw;

			vpa_estimate(&cfg, &a, 1, VPA_RES_ALL, &raw);
			ck_assert_int_eq(raw.lower.v[VPA_CPU], 98);
		}
	}
	/* upper memory = 11500000 * (1 + 1440/(k-1)):
	 * k=33: *46 = 529000000 > 500Mi -> 524288000
	 * k=34: *44.6364 = 513318181.8 -> 513318181
	 * k=67: *22.8182 = 262409090.9 -> 262409090
	 * k=68: *22.4925 = 258663805 < floor -> 262144000 */
	ck_assert_int_eq(upper_mem[1], 524288000);
	ck_assert_int_eq(upper_mem[33], 524288000);
	ck_assert_int_eq(upper_mem[34], 513318181);
	ck_assert_int_eq(upper_mem[67], 262409090);
	ck_assert_int_eq(upper_mem[68], 262144000);
	ck_assert_int_eq(upper_mem[69], 262144000);

	/* updater, loop 1: both pods outside (50Mi < 262144k) */
	uc.request = res(100, 50 * MIB);
	uc.rec = &rec;
	vpa_priority_calc(&uc, 1, &pr);
	ck_assert(pr.outside && pr.scale_up);
	ck_assert(vpa_update_wanted(&cfg, &pr, false, 0, 60000));
	ck_assert(vpa_group_init(&g, &cfg, cfg.min_replicas, 2, 2, 0));
	ck_assert(vpa_group_can_evict(&g, false));
	vpa_group_note_evicted(&g, false);
	ck_assert(!vpa_group_can_evict(&g, false));
	/* after admission: requests = target, inside [lower, upper], stable */
	uc.request = rec.target;
	vpa_priority_calc(&uc, 1, &pr);
	ck_assert(!pr.outside);
	ck_assert(!vpa_update_wanted(&cfg, &pr, false, 0, 100 * H_MS));
}
END_TEST

/* ---- limits ------------------------------------------------------------- */

START_TEST(test_bucket_edges)
{
	const struct vpa_hist_opts *o = &vpa_hist_cpu_opts;
	struct vpa_hist h;

	/* above max: the last bucket; percentile there is start(175) */
	ck_assert_int_eq(vpa_hist_bucket(o, 1e6), 175);
	vpa_hist_init(&h, o);
	vpa_hist_add(&h, 1e6, 1.0);
	ck_assert(vpa_hist_percentile(&h, 0.5) == vpa_hist_bucket_start(o, 175));
	ck_assert(vpa_hist_bucket_start(o, 175) >= 1000.0);
	/* a weight below epsilon (1e-4) does not move min/max: empty */
	vpa_hist_init(&h, o);
	vpa_hist_add(&h, 0.5, 0.00005);
	ck_assert(vpa_hist_empty(&h));
	ck_assert(vpa_hist_percentile(&h, 0.9) == 0.0);
	/* subtract to below epsilon clears the bucket and total */
	vpa_hist_init(&h, o);
	vpa_hist_add(&h, 0.5, 1.0);
	vpa_hist_add(&h, 0.2, 1.0);
	vpa_hist_subtract(&h, 0.5, 0.99995);
	ck_assert(h.w[25] == 0.0);
	ck_assert_int_eq(h.max_b, 14);
	ck_assert_int_eq(h.min_b, 14);
}
END_TEST

START_TEST(test_decay_reanchor)
{
	struct vpa_dhist d;

	/* after 100 half-lives the reference moves: old weight 1 at ref 0
	 * becomes 2^-101 (< epsilon, dropped) when ref moves to 101 days */
	vpa_dhist_init(&d, &vpa_hist_cpu_opts, H_MS);
	vpa_dhist_add(&d, 0.1, 1.0, 0);
	vpa_dhist_add(&d, 0.5, 1.0, 100 * H_MS);
	ck_assert_int_eq(d.ref_ms, 0);
	ck_assert(d.h.w[25] == ldexp(1.0, 100));
	vpa_dhist_add(&d, 0.5, 1.0, 101 * H_MS);
	ck_assert_int_eq(d.ref_ms, 101 * H_MS);
	/* 2^100 * 2^-101 + 1 = 1.5 in bucket 25; bucket of 0.1 dropped */
	ck_assert(d.h.w[25] == 1.5);
	ck_assert_int_eq(d.h.min_b, 25);
}
END_TEST

START_TEST(test_merge)
{
	struct vpa_agg a, b, m;

	vpa_agg_init(&a, &cfg);
	vpa_agg_init(&b, &cfg);
	vpa_agg_init(&m, &cfg);
	vpa_agg_add_cpu(&a, &cfg, 60000, 500, 100);
	vpa_agg_add_cpu(&b, &cfg, 2 * H_MS, 200, 100);	/* ref 2 days */
	vpa_agg_merge(&m, &a);
	vpa_agg_merge(&m, &b);
	/* a's weight 0.1*2^(1min/24h) rescaled by 2^-2 to b's reference */
	ck_assert_int_eq(m.cpu.ref_ms, 2 * H_MS);
	ck_assert_double_eq_tol(m.cpu.h.w[25],
	    0.1 * exp2(60000.0 / H_MS) / 4.0, 1e-15);
	ck_assert_double_eq_tol(m.cpu.h.w[14], 0.1, 1e-15);
	ck_assert_int_eq(m.first_sample_ms, 60000);
	ck_assert_int_eq(m.last_sample_ms, 2 * H_MS);
	ck_assert_int_eq(m.total_samples, 2);
}
END_TEST

START_TEST(test_memory_peaks)
{
	struct vpa_agg a;
	struct vpa_container c;
	int b300 = vpa_hist_bucket(&vpa_hist_mem_opts, 300e6);
	int b400 = vpa_hist_bucket(&vpa_hist_mem_opts, 400e6);

	vpa_agg_init(&a, &cfg);
	vpa_container_init(&c, &a);
	/* first sample at 1 min: window end = 1 min + 24 h */
	ck_assert(vpa_container_add_mem(&c, &cfg, 60000, 300000000));
	ck_assert_int_eq(c.window_end_ms, 60000 + H_MS);
	/* larger, same interval: replaces the peak (still one peak) */
	ck_assert(vpa_container_add_mem(&c, &cfg, 120000, 400000000));
	ck_assert(a.mem.h.w[b300] == 0.0);
	ck_assert(a.mem.h.w[b400] > 0.0);
	ck_assert_int_eq(c.mem_peak_b, 400000000);
	/* smaller: ignored (accepted, but nothing changes) */
	ck_assert(vpa_container_add_mem(&c, &cfg, 180000, 300000000));
	ck_assert(a.mem.h.w[b300] == 0.0);
	/* next interval: a new peak, window end moves by whole intervals */
	ck_assert(vpa_container_add_mem(&c, &cfg, 60000 + 2 * H_MS + 5,
	    300000000));
	ck_assert_int_eq(c.window_end_ms, 60000 + 3 * H_MS);
	ck_assert(a.mem.h.w[b300] > 0.0);
	/* CPU samples carry no memory, and memory none of first/last */
	ck_assert_int_eq(a.total_samples, 0);
	ck_assert_int_eq(a.first_sample_ms, VPA_TIME_ZERO);
}
END_TEST

START_TEST(test_oom_bump)
{
	struct vpa_agg a;
	struct vpa_container c;
	int b;

	vpa_agg_init(&a, &cfg);
	vpa_container_init(&c, &a);
	ck_assert(vpa_container_add_mem(&c, &cfg, 60000, 40 * MIB));
	/* OOM with request 50Mi: used = max(50Mi, 40Mi) = 52428800;
	 * needed = max(52428800 + 104857600, (int)(52428800 * 1.2))
	 *        = max(157286400, 62914560) = 157286400 */
	ck_assert(vpa_container_record_oom(&c, &cfg, 120000, 50 * MIB));
	ck_assert_int_eq(c.oom_peak_b, 157286400);
	b = vpa_hist_bucket(&vpa_hist_mem_opts, 157286400.0);
	ck_assert(a.mem.h.w[b] > 0.0);
	ck_assert(a.mem.h.w[0] == 0.0);	/* the 40Mi peak was replaced */
	/* 1 GiB request: 1.2 * 1073741824 = 1288490188.8 -> 1288490188 >
	 * 1073741824 + 104857600 = 1178599424 */
	ck_assert(vpa_container_record_oom(&c, &cfg, 180000, 1024 * MIB));
	ck_assert_int_eq(c.oom_peak_b, 1288490188);
	/* the OOM peak is not the base of the next bump: used = request */
	ck_assert(vpa_container_record_oom(&c, &cfg, 240000, 50 * MIB));
	ck_assert_int_eq(c.oom_peak_b, 1288490188);	/* smaller: ignored */
}
END_TEST

START_TEST(test_weight_versions)
{
	struct vpa_config old;
	struct vpa_agg a;

	/* VPA 1.3: weight max(request cores, 0.1): 2000m -> 2.0 */
	vpa_config_init(&old, 1, 3);
	ck_assert(old.cpu_weight_by_request);
	ck_assert(!old.mem_binary_si);
	vpa_agg_init(&a, &old);
	vpa_agg_add_cpu(&a, &old, 0, 500, 2000);
	vpa_agg_add_cpu(&a, &old, 1, 500, 50);	/* 0.05 -> 0.1 */
	ck_assert_double_eq_tol(a.cpu.h.w[25], 2.1, 1e-9);
	/* VPA 1.4: always 0.1 */
	vpa_agg_init(&a, &cfg);
	vpa_agg_add_cpu(&a, &cfg, 0, 500, 2000);
	ck_assert_double_eq_tol(a.cpu.h.w[25], 0.1, 1e-15);
	/* VPA 1.5: BinarySI memory */
	vpa_config_init(&old, 1, 5);
	ck_assert(old.mem_binary_si);
	ck_assert(!old.cpu_weight_by_request);
}
END_TEST

START_TEST(test_no_samples)
{
	struct vpa_agg a;
	struct vpa_rec rec;

	/* a container without samples still gets the minimum-only
	 * recommendation; conf = 0 and 0 * inf = NaN -> 0 -> minimum */
	vpa_agg_init(&a, &cfg);
	vpa_estimate(&cfg, &a, 2, VPA_RES_ALL, &rec);
	ck_assert_int_eq(rec.target.v[VPA_CPU], 12);
	ck_assert_int_eq(rec.lower.v[VPA_CPU], 12);
	ck_assert_int_eq(rec.upper.v[VPA_CPU], 12);
	ck_assert_int_eq(rec.upper.v[VPA_MEM], 131072000);
}
END_TEST

START_TEST(test_limit_overflow)
{
	int64_t l;
	bool capped;

	/* 4e18 * 4e18 / 1 does not fit: MaxInt64, capped */
	ck_assert(vpa_limit_scale(VPA_MEM, INT64_C(4000000000000000000), 1,
	    INT64_C(4000000000000000000), &l, &capped));
	ck_assert(capped);
	ck_assert_int_eq(l, INT64_MAX);
	/* the product overflows 64 bits but the quotient fits:
	 * 4e18 * 3e18 / 6e18 = 2e18 */
	ck_assert(vpa_limit_scale(VPA_MEM, INT64_C(4000000000000000000),
	    INT64_C(6000000000000000000), INT64_C(3000000000000000000), &l,
	    &capped));
	ck_assert(!capped);
	ck_assert_int_eq(l, INT64_C(2000000000000000000));
}
END_TEST

START_TEST(test_rounding_flags)
{
	struct vpa_config c2 = cfg;
	struct vpa_agg a;
	struct vpa_rec rec;

	/* --round-cpu-millicores 100: 587m -> 600m */
	c2.round_cpu_m = 100;
	vpa_agg_init(&a, &c2);
	vpa_agg_add_cpu(&a, &c2, 60000, 500, 100);
	vpa_estimate(&c2, &a, 1, VPA_RES_ALL, &rec);
	ck_assert_int_eq(rec.target.v[VPA_CPU], 600);
	ck_assert_int_eq(rec.uncapped.v[VPA_CPU], 600);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

START_TEST(test_bad_options)
{
	struct vpa_hist_opts o;

	ck_assert_int_eq(vpa_hist_opts_init(&o, 0.0, 0.01, 1.05, 1e-4),
	    KS_EINVAL);
	ck_assert_int_eq(vpa_hist_opts_init(&o, 1000.0, 0.0, 1.05, 1e-4),
	    KS_EINVAL);
	ck_assert_int_eq(vpa_hist_opts_init(&o, 1000.0, 0.01, 1.0, 1e-4),
	    KS_EINVAL);
	ck_assert_int_eq(vpa_hist_opts_init(&o, 1000.0, 0.01, 1.05, 0.0),
	    KS_EINVAL);
	ck_assert_int_eq(vpa_hist_opts_init(&o, NAN, 0.01, 1.05, 1e-4),
	    KS_EINVAL);
	/* ratio 1.01 would need 857 buckets */
	ck_assert_int_eq(vpa_hist_opts_init(&o, 1000.0, 0.01, 1.01, 1e-4),
	    KS_EINVAL);
}
END_TEST

START_TEST(test_rejected_samples)
{
	struct vpa_agg a;
	struct vpa_container c;

	vpa_agg_init(&a, &cfg);
	vpa_container_init(&c, &a);
	/* negative usage */
	ck_assert(!vpa_container_add_cpu(&c, &cfg, 60000, -1, 100));
	ck_assert(!vpa_container_add_mem(&c, &cfg, 60000, -1));
	/* a repeated metrics-server timestamp gives no second CPU sample */
	ck_assert(vpa_container_add_cpu(&c, &cfg, 60000, 500, 100));
	ck_assert(!vpa_container_add_cpu(&c, &cfg, 60000, 500, 100));
	ck_assert(!vpa_container_add_cpu(&c, &cfg, 30000, 500, 100));
	ck_assert_int_eq(a.total_samples, 1);
	/* out-of-order memory sample */
	ck_assert(vpa_container_add_mem(&c, &cfg, 2 * H_MS, MIB));
	ck_assert(!vpa_container_add_mem(&c, &cfg, H_MS, MIB));
	/* OOM older than last memory sample - 24 h: discarded */
	ck_assert(!vpa_container_record_oom(&c, &cfg, H_MS - 1, MIB));
	ck_assert(vpa_container_record_oom(&c, &cfg, H_MS, MIB));
}
END_TEST

Suite *
vpa_calc_suite(void)
{
	Suite	*s = suite_create("vpa_calc");
	TCase	*tc;

	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_cpu_bucket);
	tcase_add_test(tc, test_mem_layout);
	tcase_add_test(tc, test_percentile_upper_edge);
	tcase_add_test(tc, test_decay_halves);
	tcase_add_test(tc, test_margin_and_minimum);
	tcase_add_test(tc, test_confidence_bounds);
	tcase_add_test(tc, test_capping);
	tcase_add_test(tc, test_limit_scaling);
	tcase_add_test(tc, test_updater_decisions);
	tcase_add_test(tc, test_priority_order);
	tcase_add_test(tc, test_group);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_hamster);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_bucket_edges);
	tcase_add_test(tc, test_decay_reanchor);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_memory_peaks);
	tcase_add_test(tc, test_oom_bump);
	tcase_add_test(tc, test_weight_versions);
	tcase_add_test(tc, test_no_samples);
	tcase_add_test(tc, test_limit_overflow);
	tcase_add_test(tc, test_rounding_flags);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_bad_options);
	tcase_add_test(tc, test_rejected_samples);
	suite_add_tcase(s, tc);
	return s;
}

#ifndef KS_NO_TEST_MAIN
int
main(void)
{
	return tu_main(vpa_calc_suite());
}
#endif
