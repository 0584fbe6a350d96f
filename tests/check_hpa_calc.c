/*
 * check_hpa_calc.c: the HPA decision core against hand-computed upstream
 * numbers (replica_calculator.go, horizontal.go).  Every expected value has
 * its arithmetic in a comment; utilization is truncated to an integer
 * percent before the ratio util/target is taken.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/hpa_calc.h"
#include "testutil.h"

#define S(x)	((int64_t)(x) * 1000)	/* seconds to ms */
#define NOW	S(10000)		/* an arbitrary "now" */

static struct hpa_config	cfg;
static struct hpa_tolerances	tol;

static void
setup(void)
{
	hpa_config_default(&cfg);
	hpa_tolerances_for(&cfg, NULL, &tol);
}

/* A Running pod, Ready for 10 min, with a fresh metric. */
static struct hpa_pod_sample
pod_ready(const char *name, int64_t req_m, int64_t val_m, int64_t now)
{
	struct hpa_pod_sample	p;

	memset(&p, 0, sizeof p);
	p.name = name;
	p.phase = HPA_PHASE_RUNNING;
	p.ready = HPA_READY_TRUE;
	p.has_start = 1;
	p.start_ms = now - S(600);
	p.ready_change_ms = now - S(590);
	p.req_state = HPA_REQ_OK;
	p.request_m = req_m;
	p.has_metric = 1;
	p.value_m = val_m;
	p.metric_ts_ms = now;
	p.metric_window_ms = S(15);
	return (p);
}

static struct hpa_pod_sample
pod_pending(const char *name, int64_t req_m)
{
	struct hpa_pod_sample	p;

	memset(&p, 0, sizeof p);
	p.name = name;
	p.phase = HPA_PHASE_PENDING;
	p.req_state = HPA_REQ_OK;
	p.request_m = req_m;
	return (p);
}

/* Running and Ready, but metrics-server has nothing for it yet. */
static struct hpa_pod_sample
pod_nometric(const char *name, int64_t req_m, int64_t now)
{
	struct hpa_pod_sample	p = pod_ready(name, req_m, 0, now);

	p.has_metric = 0;
	return (p);
}

static struct hpa_metric_spec
spec_util(const char *res, int32_t target)
{
	struct hpa_metric_spec	s;

	memset(&s, 0, sizeof s);
	s.type = HPA_METRIC_RESOURCE;
	s.name = res;
	s.target_type = HPA_TARGET_UTILIZATION;
	s.target_utilization = target;
	return (s);
}

static void
calc1(const struct hpa_metric_spec *spec, const struct hpa_pod_sample *pods,
    size_t n, int32_t current, struct hpa_metric_result *res)
{
	struct hpa_metric_input	in;

	memset(&in, 0, sizeof in);
	in.spec = spec;
	in.pods = pods;
	in.npods = n;
	in.ns = "default";
	hpa_calc_metric(&cfg, &tol, &in, current, current, NOW, res);
}

/* ten pods of 100m each, all using `each` millicores, target 100 % */
static int32_t
ten_pods(int64_t each)
{
	struct hpa_pod_sample	p[10];
	struct hpa_metric_spec	s = spec_util("cpu", 100);
	struct hpa_metric_result r;
	int			i;

	for (i = 0; i < 10; i++)
		p[i] = pod_ready("p", 100, each, NOW);
	calc1(&s, p, 10, 10, &r);
	ck_assert_int_eq(r.ok, 1);
	return (r.replicas);
}

/* ---- core -------------------------------------------------------------- */

START_TEST(test_tolerance_boundary)
{
	/* util 110 % / 100 % = 1.10 <= 1 + 0.1 (inclusive) -> keep 10 */
	ck_assert_int_eq(ten_pods(110), 10);
	/* 111 % -> r = 1.11 -> ceil(1.11 * 10) = ceil(11.1) = 12 */
	ck_assert_int_eq(ten_pods(111), 12);
	/* 90 % -> r = 0.90 >= 1 - 0.1 -> keep 10 */
	ck_assert_int_eq(ten_pods(90), 10);
	/* 89 % -> r = 0.89 -> ceil(8.9) = 9 */
	ck_assert_int_eq(ten_pods(89), 9);
}
END_TEST

START_TEST(test_php_apache_first_reading)
{
	struct hpa_pod_sample	 p = pod_ready("php-apache-0", 200, 484, NOW);
	struct hpa_metric_spec	 s = spec_util("cpu", 50);
	struct hpa_metric_result r;

	/* util = (int)(484 * 100 / 200) = 242; r = 242/50 = 4.84;
	 * raw = ceil(4.84 * 1 ready pod) = 5; status 242 %, average 484m */
	calc1(&s, &p, 1, 1, &r);
	ck_assert_int_eq(r.ok, 1);
	ck_assert_int_eq(r.replicas, 5);
	ck_assert_int_eq(r.utilization, 242);
	ck_assert_int_eq(r.average_m, 484);
	ck_assert_str_eq(r.name,
	    "cpu resource utilization (percentage of request)");
}
END_TEST

START_TEST(test_php_apache_first_step_legacy_vs_behavior)
{
	struct hpa_state	st;
	struct hpa_decision	d;
	struct hpa_behavior	b;
	int32_t			n;

	/* legacy: cap (int32)max(2.0 * 1, 4.0) = 4 < maxReplicas 10 -> 4 */
	hpa_state_init(&st);
	memset(&d, 0, sizeof d);
	n = hpa_calc_normalize_legacy(&st, &cfg, 1, 5, 1, 10, NOW, &d);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(d.scaling_limited.status, 1);
	ck_assert_str_eq(d.scaling_limited.reason, "ScaleUpLimit");
	ck_assert_str_eq(d.scaling_limited.message, "the desired replica "
	    "count is increasing faster than the maximum scale rate");
	ck_assert_str_eq(d.able_to_scale.reason, "ReadyForNewScale");
	hpa_state_free(&st);

	/* default behavior: max(1 + 4 pods, ceil(1 * 2.0)) = 5 -> 5 */
	memset(&b, 0, sizeof b);
	hpa_behavior_set_defaults(&b);
	hpa_state_init(&st);
	memset(&d, 0, sizeof d);
	n = hpa_calc_normalize_behavior(&st, &cfg, &b, 1, 5, 1, 10, NOW, &d);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(d.scaling_limited.status, 0);
	ck_assert_str_eq(d.scaling_limited.reason, "DesiredWithinRange");
	hpa_state_free(&st);
}
END_TEST

START_TEST(test_windowed_first_reading)
{
	struct hpa_pod_sample	 p = pod_ready("php-apache-0", 200, 260, NOW);
	struct hpa_metric_spec	 s = spec_util("cpu", 50);
	struct hpa_metric_result r;

	/* (int)(260 * 100 / 200) = 130 %; r = 2.6; ceil(2.6 * 1) = 3 */
	calc1(&s, &p, 1, 1, &r);
	ck_assert_int_eq(r.replicas, 3);
	ck_assert_int_eq(r.utilization, 130);
}
END_TEST

START_TEST(test_unready_scale_up)
{
	struct hpa_pod_sample	 p[3];
	struct hpa_metric_spec	 s = spec_util("cpu", 50);
	struct hpa_metric_result r;

	p[0] = pod_ready("a", 200, 484, NOW);
	p[1] = pod_pending("b", 200);
	p[2] = pod_pending("c", 200);
	/* first pass 242 % (r = 4.84 > 1, two unready): unready -> 0:
	 * (int)(484 * 100 / 600) = 80 %, r2 = 1.6, ceil(1.6 * 3) = 5;
	 * the status keeps the first pass: 242 % */
	calc1(&s, p, 3, 3, &r);
	ck_assert_int_eq(r.replicas, 5);
	ck_assert_int_eq(r.utilization, 242);
}
END_TEST

START_TEST(test_unready_scale_down)
{
	struct hpa_pod_sample	 p[3];
	struct hpa_metric_spec	 s = spec_util("cpu", 50);
	struct hpa_metric_result r;

	p[0] = pod_ready("a", 200, 20, NOW);
	p[1] = pod_pending("b", 200);
	p[2] = pod_pending("c", 200);
	/* 10 %, r = 0.2 < 1: unready pods are simply dropped:
	 * ceil(0.2 * 1 ready) = 1 */
	calc1(&s, p, 3, 3, &r);
	ck_assert_int_eq(r.replicas, 1);
	ck_assert_int_eq(r.utilization, 10);
}
END_TEST

START_TEST(test_missing_scale_up)
{
	struct hpa_pod_sample	 p[3];
	struct hpa_metric_spec	 s = spec_util("cpu", 50);
	struct hpa_metric_result r;

	p[0] = pod_ready("a", 200, 200, NOW);
	p[1] = pod_ready("b", 200, 200, NOW);
	p[2] = pod_nometric("c", 200, NOW);
	/* 100 %, r = 2; missing -> 0: (int)(400 * 100 / 600) = 66 %,
	 * r2 = 1.32, ceil(1.32 * 3) = ceil(3.96) = 4 */
	calc1(&s, p, 3, 3, &r);
	ck_assert_int_eq(r.replicas, 4);
	ck_assert_int_eq(r.utilization, 100);

	/* 75 % each: r = 1.5; missing -> 0: 300*100/600 = 50 %, r2 = 1.0,
	 * within tolerance -> keep 3 */
	p[0].value_m = p[1].value_m = 150;
	calc1(&s, p, 3, 3, &r);
	ck_assert_int_eq(r.replicas, 3);
}
END_TEST

START_TEST(test_missing_scale_down)
{
	struct hpa_pod_sample	 p[5];
	struct hpa_metric_spec	 s = spec_util("cpu", 50);
	struct hpa_metric_result r;
	int			 i;

	for (i = 0; i < 4; i++)
		p[i] = pod_ready("r", 200, 10, NOW);
	p[4] = pod_nometric("m", 200, NOW);
	/* 40 / 800 = 5 %, r = 0.1; missing -> 100 % of 200m:
	 * (40 + 200) * 100 / 1000 = 24 %, r2 = 0.48, ceil(0.48 * 5) =
	 * ceil(2.4) = 3 (without the missing pod: ceil(0.1 * 4) = 1) */
	calc1(&s, p, 5, 5, &r);
	ck_assert_int_eq(r.replicas, 3);
	ck_assert_int_eq(r.utilization, 5);
}
END_TEST

START_TEST(test_missing_scale_down_target_above_100)
{
	struct hpa_pod_sample	 p[4];
	struct hpa_metric_spec	 s = spec_util("cpu", 150);
	struct hpa_metric_result r;

	p[0] = pod_ready("r", 200, 0, NOW);
	p[1] = pod_nometric("m1", 200, NOW);
	p[2] = pod_nometric("m2", 200, NOW);
	p[3] = pod_nometric("m3", 200, NOW);
	/* 0 %, r = 0; missing filled at max(100, 150) = 150 % -> 300m each:
	 * 900 * 100 / 800 = 112 %, r2 = 112/150 = 0.7467,
	 * ceil(0.7467 * 4) = ceil(2.987) = 3 (100 % fill would give 2) */
	calc1(&s, p, 4, 4, &r);
	ck_assert_int_eq(r.replicas, 3);
}
END_TEST

START_TEST(test_direction_flip_keeps_current)
{
	struct hpa_pod_sample	 p[2];
	struct hpa_metric_spec	 s = spec_util("cpu", 50);
	struct hpa_metric_result r;

	p[0] = pod_ready("a", 200, 80, NOW);
	p[1] = pod_nometric("b", 200, NOW);
	/* 40 %, r = 0.8 (down); missing -> 200m: 280*100/400 = 70 %,
	 * r2 = 1.4 > 1: the direction would flip -> keep 2 */
	calc1(&s, p, 2, 2, &r);
	ck_assert_int_eq(r.replicas, 2);
}
END_TEST

START_TEST(test_cpu_readiness)
{
	struct hpa_pod_sample	 p[2];
	struct hpa_metric_spec	 cpu = spec_util("cpu", 50);
	struct hpa_metric_spec	 mem = spec_util("memory", 50);
	struct hpa_metric_result r;

	p[0] = pod_ready("old", 200, 200, NOW);
	/* young pod: started 10 s ago, Ready 5 s ago, metric at now with a
	 * 15 s window: now < ready + 15 s -> unready for cpu */
	p[1] = pod_ready("young", 200, 200, NOW);
	p[1].start_ms = NOW - S(10);
	p[1].ready_change_ms = NOW - S(5);
	/* cpu: 100 %, r = 2, one unready -> 0: 200*100/400 = 50 %,
	 * r2 = 1.0 -> keep 2 */
	calc1(&cpu, p, 2, 2, &r);
	ck_assert_int_eq(r.replicas, 2);
	/* memory has no readiness test: 100 %, r = 2 -> ceil(2 * 2) = 4 */
	calc1(&mem, p, 2, 2, &r);
	ck_assert_int_eq(r.replicas, 4);
	/* a full window after readiness: metric ts = ready + 15 s -> ready */
	p[1].ready_change_ms = NOW - S(15);
	calc1(&cpu, p, 2, 2, &r);
	ck_assert_int_eq(r.replicas, 4);

	/* older than 5 min, Ready=False since start+10 s: never ready ->
	 * unready (r2 = 1.0 -> 2) */
	p[1] = pod_ready("never", 200, 200, NOW);
	p[1].ready = HPA_READY_FALSE;
	p[1].ready_change_ms = p[1].start_ms + S(10);
	calc1(&cpu, p, 2, 2, &r);
	ck_assert_int_eq(r.replicas, 2);
	/* went unready later (start+100 s): counts as ready -> 4 */
	p[1].ready_change_ms = p[1].start_ms + S(100);
	calc1(&cpu, p, 2, 2, &r);
	ck_assert_int_eq(r.replicas, 4);
	/* no Ready condition at all -> unready */
	p[1].ready = HPA_READY_NONE;
	calc1(&cpu, p, 2, 2, &r);
	ck_assert_int_eq(r.replicas, 2);
}
END_TEST

START_TEST(test_ignored_pods)
{
	struct hpa_pod_sample	 p[3];
	struct hpa_metric_spec	 s = spec_util("cpu", 50);
	struct hpa_metric_result r;

	p[0] = pod_ready("a", 200, 200, NOW);
	p[1] = pod_ready("gone", 200, 0, NOW);
	p[1].deleting = 1;
	p[2] = pod_ready("failed", 200, 0, NOW);
	p[2].phase = HPA_PHASE_FAILED;
	/* only "a" counts: 100 %, r = 2, ceil(2 * 1) = 2 */
	calc1(&s, p, 3, 3, &r);
	ck_assert_int_eq(r.replicas, 2);
}
END_TEST

START_TEST(test_plain_average_value)
{
	struct hpa_pod_sample	 p[3];
	struct hpa_metric_spec	 s;
	struct hpa_metric_result r;

	memset(&s, 0, sizeof s);
	s.type = HPA_METRIC_PODS;
	s.name = "vllm_num_requests_running";
	s.target_type = HPA_TARGET_AVERAGE_VALUE;
	s.target_milli = 4000;
	p[0] = pod_ready("a", 0, 1000, NOW);
	p[1] = pod_ready("b", 0, 2001, NOW);
	p[2] = pod_nometric("c", 0, NOW);
	/* usage = (1000 + 2001) / 2 = 1500 (int), r = 0.375 < 1;
	 * missing filled with the target 4000: (3001 + 4000) / 3 = 2333,
	 * r2 = 0.58325, ceil(0.58325 * 3) = ceil(1.75) = 2 */
	calc1(&s, p, 3, 3, &r);
	ck_assert_int_eq(r.ok, 1);
	ck_assert_int_eq(r.replicas, 2);
	ck_assert_int_eq(r.average_m, 1500);
	ck_assert_str_eq(r.name, "pods metric vllm_num_requests_running");

	/* no readiness test for Pods metrics: a young pod counts.
	 * (1000 + 20000) / 2 = 10500, r = 2.625 -> ceil(5.25) = 6 */
	p[1].value_m = 20000;
	p[1].start_ms = NOW - S(1);
	p[1].ready_change_ms = NOW;
	calc1(&s, p, 2, 2, &r);
	ck_assert_int_eq(r.replicas, 6);
}
END_TEST

START_TEST(test_resource_average_value)
{
	struct hpa_pod_sample	 p[2];
	struct hpa_metric_spec	 s;
	struct hpa_metric_result r;

	memset(&s, 0, sizeof s);
	s.type = HPA_METRIC_RESOURCE;
	s.name = "memory";
	s.target_type = HPA_TARGET_AVERAGE_VALUE;
	s.target_milli = (int64_t)100 * 1048576 * 1000;	/* 100Mi */
	p[0] = pod_ready("a", 0, (int64_t)150 * 1048576 * 1000, NOW);
	p[1] = pod_ready("b", 0, (int64_t)150 * 1048576 * 1000, NOW);
	/* r = 150Mi / 100Mi = 1.5 -> ceil(1.5 * 2) = 3 */
	calc1(&s, p, 2, 2, &r);
	ck_assert_int_eq(r.replicas, 3);
	ck_assert_str_eq(r.name, "memory resource");
	ck_assert_int_eq(r.has_utilization, 0);
}
END_TEST

START_TEST(test_object_external)
{
	struct hpa_pod_sample	 p[3];
	struct hpa_metric_spec	 s;
	struct hpa_metric_input	 in;
	struct hpa_metric_result r;

	p[0] = pod_ready("a", 0, 0, NOW);
	p[1] = pod_ready("b", 0, 0, NOW);
	p[2] = pod_pending("c", 0);
	memset(&s, 0, sizeof s);
	s.type = HPA_METRIC_OBJECT;
	s.name = "requests-per-second";
	s.object_kind = "Ingress";
	s.object_name = "main-route";
	s.target_type = HPA_TARGET_VALUE;
	s.target_milli = 10000;
	memset(&in, 0, sizeof in);
	in.spec = &s;
	in.pods = p;
	in.npods = 3;
	in.value_m = 30000;
	/* r = 3; ready pods (Running and Ready) = 2 -> ceil(3 * 2) = 6 */
	hpa_calc_metric(&cfg, &tol, &in, 3, 3, NOW, &r);
	ck_assert_int_eq(r.replicas, 6);
	ck_assert_int_eq(r.value_m, 30000);
	ck_assert_str_eq(r.name, "Ingress metric requests-per-second");
	/* scale from zero: ceil(r) = 3, no tolerance */
	hpa_calc_metric(&cfg, &tol, &in, 0, 0, NOW, &r);
	ck_assert_int_eq(r.replicas, 3);
	/* within tolerance: 10500 / 10000 = 1.05 -> keep 3 */
	in.value_m = 10500;
	hpa_calc_metric(&cfg, &tol, &in, 3, 3, NOW, &r);
	ck_assert_int_eq(r.replicas, 3);

	/* Object AverageValue: status replicas 2, usage 100, target 20:
	 * r = 100 / (20 * 2) = 2.5 -> ceil(100 / 20) = 5;
	 * average = ceil(100 / 2) = 50; named "external metric" upstream */
	s.target_type = HPA_TARGET_AVERAGE_VALUE;
	s.target_milli = 20;
	in.value_m = 100;
	hpa_calc_metric(&cfg, &tol, &in, 3, 2, NOW, &r);
	ck_assert_int_eq(r.replicas, 5);
	ck_assert_int_eq(r.average_m, 50);
	ck_assert_str_eq(r.name, "external metric requests-per-second(nil)");

	/* External AverageValue: 95 / (20 * 5) = 0.95 -> keep status 5 */
	s.type = HPA_METRIC_EXTERNAL;
	s.name = "queue_depth";
	in.value_m = 95;
	hpa_calc_metric(&cfg, &tol, &in, 4, 5, NOW, &r);
	ck_assert_int_eq(r.replicas, 5);
	ck_assert_int_eq(r.average_m, 19);	/* ceil(95 / 5) */
	ck_assert_str_eq(r.name, "external metric queue_depth(nil)");
}
END_TEST

START_TEST(test_multi_metric_max)
{
	struct hpa_pod_sample	 pc = pod_ready("a", 200, 200, NOW);
	struct hpa_pod_sample	 pm = pod_ready("a", 100, 300, NOW);
	struct hpa_metric_spec	 cpu = spec_util("cpu", 50);
	struct hpa_metric_spec	 mem = spec_util("memory", 50);
	struct hpa_metric_input	 in[2];
	struct hpa_metric_result res[2];
	struct hpa_decision	 d;
	const char		*name;
	int32_t			 n;

	memset(in, 0, sizeof in);
	memset(&d, 0, sizeof d);
	in[0].spec = &cpu;
	in[0].pods = &pc;
	in[0].npods = 1;
	in[1].spec = &mem;
	in[1].pods = &pm;
	in[1].npods = 1;
	/* cpu 100 % -> ceil(2 * 1) = 2; memory 300 % -> ceil(6 * 1) = 6 */
	n = hpa_calc_metrics(&cfg, &tol, in, 2, 1, 1, NOW, res, &name, &d);
	ck_assert_int_eq(n, 6);
	ck_assert_str_eq(name,
	    "memory resource utilization (percentage of request)");
	ck_assert_str_eq(d.scaling_active.reason, "ValidMetricFound");
	ck_assert_str_eq(d.scaling_active.message, "the HPA was able to "
	    "successfully calculate a replica count from memory resource "
	    "utilization (percentage of request)");
	/* tie (memory 200 % -> 2 too): the first metric keeps the name */
	pm.value_m = 100;
	n = hpa_calc_metrics(&cfg, &tol, in, 2, 1, 1, NOW, res, &name, &d);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(name,
	    "cpu resource utilization (percentage of request)");
}
END_TEST

/* ---- legacy normalization ---------------------------------------------- */

START_TEST(test_legacy_downscale_window)
{
	struct hpa_state	st;
	struct hpa_decision	d;
	int32_t			n;
	int			k;

	hpa_state_init(&st);
	hpa_state_record_initial(&st, 7, S(0));
	/* raw 1 every 15 s: the seed (7, 0 s) holds until it is strictly
	 * older than now - 300 s */
	for (k = 1; k <= 20; k++) {
		memset(&d, 0, sizeof d);
		n = hpa_calc_normalize_legacy(&st, &cfg, 7, 1, 1, 10,
		    S(15 * k), &d);
		ck_assert_int_eq(n, 7);
		ck_assert_str_eq(d.able_to_scale.reason, "ScaleDownStabilized");
		ck_assert_str_eq(d.able_to_scale.message, "recent "
		    "recommendations were higher than current one, applying "
		    "the highest recent recommendation");
	}
	/* 300 s: cutoff 0, the seed at 0 is not < 0, still 7 (k = 20);
	 * 315 s: cutoff 15 > 0 -> old; the rest are 1 -> 1 */
	memset(&d, 0, sizeof d);
	n = hpa_calc_normalize_legacy(&st, &cfg, 7, 1, 1, 10, S(315), &d);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(d.able_to_scale.reason, "ReadyForNewScale");
	ck_assert_str_eq(d.scaling_limited.reason, "DesiredWithinRange");
	ck_assert_int_eq(d.scaling_limited.status, 0);
	/* the old slot was reused: 21 entries, not 22 */
	ck_assert_uint_eq(st.nrecs, 21);
	hpa_state_free(&st);
}
END_TEST

START_TEST(test_legacy_scale_up_cap)
{
	struct hpa_state	st;
	struct hpa_decision	d;

	hpa_state_init(&st);
	/* current 3: cap max(6, 4) = 6 < max 10 -> 6, ScaleUpLimit */
	ck_assert_int_eq(hpa_calc_normalize_legacy(&st, &cfg, 3, 10, 1, 10,
	    S(0), &d), 6);
	ck_assert_str_eq(d.scaling_limited.reason, "ScaleUpLimit");
	/* current 1: cap max(2, 4) = 4 */
	ck_assert_int_eq(hpa_calc_normalize_legacy(&st, &cfg, 1, 10, 1, 10,
	    S(0), &d), 4);
	/* current 3, max 5: cap 6 >= 5 -> TooManyReplicas, 5 */
	ck_assert_int_eq(hpa_calc_normalize_legacy(&st, &cfg, 3, 10, 1, 5,
	    S(0), &d), 5);
	ck_assert_str_eq(d.scaling_limited.reason, "TooManyReplicas");
	ck_assert_int_eq(d.scaling_limited.status, 1);
	ck_assert_str_eq(d.scaling_limited.message, "the desired replica "
	    "count is more than the maximum replica count");
	hpa_state_free(&st);
}
END_TEST

/* ---- behavior normalization -------------------------------------------- */

START_TEST(test_behavior_defaults)
{
	struct hpa_behavior	b;
	struct hpa_state	st;
	struct hpa_decision	d;

	memset(&b, 0, sizeof b);
	hpa_behavior_set_defaults(&b);
	ck_assert_int_eq(b.up.window_s, 0);
	ck_assert_uint_eq(b.up.npolicies, 2);
	ck_assert_int_eq(b.down.has_window, 0);
	ck_assert_uint_eq(b.down.npolicies, 1);
	ck_assert_int_eq(b.down.policies[0].value, 100);
	hpa_state_init(&st);
	/* current 10, raw 50: Pods 10 + 4 = 14, Percent ceil(10 * 2) = 20;
	 * Max -> 20 < max 100 -> ScaleUpLimit 20 */
	ck_assert_int_eq(hpa_calc_normalize_behavior(&st, &cfg, &b, 10, 50,
	    1, 100, S(0), &d), 20);
	ck_assert_str_eq(d.scaling_limited.reason, "ScaleUpLimit");
	/* Min -> 14 */
	b.up.select = HPA_SELECT_MIN;
	ck_assert_int_eq(hpa_calc_normalize_behavior(&st, &cfg, &b, 10, 50,
	    1, 100, S(0), &d), 14);
	/* Disabled -> stays at 10 */
	b.up.select = HPA_SELECT_DISABLED;
	ck_assert_int_eq(hpa_calc_normalize_behavior(&st, &cfg, &b, 10, 50,
	    1, 100, S(0), &d), 10);
	hpa_state_free(&st);
}
END_TEST

START_TEST(test_behavior_period_window)
{
	struct hpa_behavior	b;
	struct hpa_state	st;
	struct hpa_decision	d;

	memset(&b, 0, sizeof b);
	b.up.has_policies = 1;
	b.up.npolicies = 1;
	b.up.policies[0] = (struct hpa_policy){ HPA_POLICY_PODS, 4, 60 };
	hpa_behavior_set_defaults(&b);
	hpa_state_init(&st);
	/* a 1 -> 5 scale-up stored at 100 s */
	hpa_state_store_scale_event(&st, &b, 1, 5, S(100));
	/* at 130 s: period start = 5 - 4 = 1, limit 1 + 4 = 5 = current:
	 * no further growth, raw 8 -> 5 (ScaleUpLimit) */
	ck_assert_int_eq(hpa_calc_normalize_behavior(&st, &cfg, &b, 5, 8, 1,
	    20, S(130), &d), 5);
	ck_assert_int_eq(d.scaling_limited.status, 1);
	ck_assert_str_eq(d.scaling_limited.reason, "ScaleUpLimit");
	/* at 160 s the event is exactly 60 s old: 100 > 160 - 60 is false,
	 * so it is out: start 5, limit 9, raw 8 fits */
	ck_assert_int_eq(hpa_calc_normalize_behavior(&st, &cfg, &b, 5, 8, 1,
	    20, S(160), &d), 8);
	ck_assert_str_eq(d.scaling_limited.reason, "DesiredWithinRange");
	hpa_state_free(&st);
}
END_TEST

START_TEST(test_behavior_scale_down_percent)
{
	struct hpa_behavior	b;
	struct hpa_state	st;
	struct hpa_decision	d;
	int32_t			n;

	memset(&b, 0, sizeof b);
	b.down.has_window = 1;
	b.down.window_s = 0;
	b.down.has_policies = 1;
	b.down.npolicies = 2;
	b.down.policies[0] = (struct hpa_policy){ HPA_POLICY_PERCENT, 50, 60 };
	b.down.policies[1] = (struct hpa_policy){ HPA_POLICY_PODS, 1, 60 };
	hpa_behavior_set_defaults(&b);
	hpa_state_init(&st);
	/* current 10, raw 1: Percent (int)(10 * 0.5) = 5, Pods 10 - 1 = 9;
	 * Max (largest change) = min(5, 9) = 5 > minReplicas 1 ->
	 * ScaleDownLimit 5 */
	n = hpa_calc_normalize_behavior(&st, &cfg, &b, 10, 1, 1, 20, S(0), &d);
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(d.scaling_limited.reason, "ScaleDownLimit");
	ck_assert_str_eq(d.scaling_limited.message, "the desired replica "
	    "count is decreasing faster than the maximum scale rate");
	hpa_state_store_scale_event(&st, &b, 10, 5, S(0));
	/* 15 s later: period start = 5 + 5 = 10 -> floor 5 = current */
	ck_assert_int_eq(hpa_calc_normalize_behavior(&st, &cfg, &b, 5, 1, 1,
	    20, S(15), &d), 5);
	/* Min (smallest change) = max(5, 9) = 9 -> 9 would exceed current 5:
	 * limit min(9, 5) = 5 */
	b.down.select = HPA_SELECT_MIN;
	ck_assert_int_eq(hpa_calc_normalize_behavior(&st, &cfg, &b, 5, 1, 1,
	    20, S(15), &d), 5);
	b.down.select = HPA_SELECT_MAX;
	/* 61 s: the event left the 60 s period: start 5 ->
	 * (int)(5 * 0.5) = 2, Pods 4 -> 2 */
	ck_assert_int_eq(hpa_calc_normalize_behavior(&st, &cfg, &b, 5, 1, 1,
	    20, S(61), &d), 2);
	/* minReplicas 3 wins over the policy floor 2: TooFewReplicas */
	ck_assert_int_eq(hpa_calc_normalize_behavior(&st, &cfg, &b, 5, 1, 3,
	    20, S(76), &d), 3);
	ck_assert_str_eq(d.scaling_limited.reason, "TooFewReplicas");
	hpa_state_free(&st);
}
END_TEST

START_TEST(test_behavior_stabilization)
{
	struct hpa_behavior	b;
	struct hpa_state	st;
	struct hpa_decision	d;

	memset(&b, 0, sizeof b);
	b.up.has_window = 1;
	b.up.window_s = 60;
	hpa_behavior_set_defaults(&b);
	hpa_state_init(&st);
	hpa_state_record_initial(&st, 2, S(0));
	/* up window 60 s holds the min of recent recs (2): raw 6 -> 2 */
	ck_assert_int_eq(hpa_calc_normalize_behavior(&st, &cfg, &b, 2, 6, 1,
	    20, S(15), &d), 2);
	ck_assert_str_eq(d.able_to_scale.reason, "ScaleUpStabilized");
	/* at 61 s the (2, 0 s) rec is out; (6, 15 s) in: min(6, 7) = 6 */
	ck_assert_int_eq(hpa_calc_normalize_behavior(&st, &cfg, &b, 2, 7, 1,
	    20, S(61), &d), 6);
	/* scale down: the default down window is the 300 s flag: raw 1,
	 * max of recent (6, 7) = 7 capped at current 6 -> 6 */
	ck_assert_int_eq(hpa_calc_normalize_behavior(&st, &cfg, &b, 6, 1, 1,
	    20, S(90), &d), 6);
	ck_assert_str_eq(d.able_to_scale.reason, "ScaleDownStabilized");
	hpa_state_free(&st);
}
END_TEST

/* ---- reconcile and the C2 sequence ------------------------------------- */

START_TEST(test_reconcile_bounds)
{
	struct hpa_state	st;
	struct hpa_decision	d;
	struct hpa_spec		sp = { 2, 5, NULL, 1 };

	hpa_state_init(&st);
	hpa_calc_reconcile(&st, &cfg, &sp, 7, 7, NULL, S(15), NULL, &d);
	ck_assert_int_eq(d.rescale, 1);
	ck_assert_int_eq(d.desired, 5);
	ck_assert_str_eq(d.reason,
	    "Current number of replicas above Spec.MaxReplicas");
	hpa_calc_reconcile(&st, &cfg, &sp, 1, 1, NULL, S(30), NULL, &d);
	ck_assert_int_eq(d.desired, 2);
	ck_assert_str_eq(d.reason,
	    "Current number of replicas below Spec.MinReplicas");
	hpa_calc_reconcile(&st, &cfg, &sp, 0, 0, NULL, S(45), NULL, &d);
	ck_assert_int_eq(d.rescale, 0);
	ck_assert_str_eq(d.scaling_active.reason, "ScalingDisabled");
	ck_assert_str_eq(d.scaling_active.message, "scaling is disabled "
	    "since the replica count of the target is zero");
	hpa_state_free(&st);
}
END_TEST

/*
 * §C2 php-apache, legacy path: request 200m, target 50 %, min 1, max 10,
 * demand about 640m.  'R' pods are Running and Ready long enough for their
 * metric to count (start t-27 s, Ready t-22 s, 15 s window at t); 'P' pods
 * are Pending.
 */
struct c2_tick {
	int		 t_s;		/* reconcile time, s */
	const char	*state;		/* one letter per pod */
	int		 val[10];	/* millicores per pod (R only) */
	int		 util;		/* expected status %, first pass */
	int		 raw;		/* expected raw recommendation */
	int		 desired;	/* expected replicas after the tick */
	const char	*event;		/* expected SuccessfulRescale, or NULL */
};

#define UP	"cpu resource utilization (percentage of request) above target"
static const struct c2_tick c2[] = {
	/* idle 1m: 0 %, raw ceil(0 * 1) = 0; seed (1, 15 s) holds 1 */
	{ 15, "R", { 1 }, 0, 0, 1, NULL },
	/* windowed 130 %: r = 2.6, ceil(2.6) = 3 <= cap 4 */
	{ 30, "R", { 260 }, 130, 3, 3, "New size: 3; reason: " UP },
	/* 242 % with two Pending: 484*100/600 = 80 %, r2 = 1.6,
	 * ceil(4.8) = 5 <= cap 6 */
	{ 45, "RPP", { 484 }, 242, 5, 5, "New size: 5; reason: " UP },
	/* 640m on 3 ready: 64000/600 = 106 %, r = 2.12; 2 Pending -> 0:
	 * 64000/1000 = 64 %, r2 = 1.28, ceil(6.4) = 7 <= cap 10 */
	{ 60, "RRRPP", { 214, 213, 213 }, 106, 7, 7,
	    "New size: 7; reason: " UP },
	/* 640m on 5 ready: 128m = 64 %, r = 1.28; 2 Pending -> 0:
	 * 64000/1400 = 45 %, r2 = 0.9: within tolerance -> 7 */
	{ 75, "RRRRRPP", { 128, 128, 128, 128, 128 }, 64, 7, 7, NULL },
	/* 7 ready, 640m: 64000/1400 = 45 %, r = 0.9 -> keep 7 */
	{ 90, "RRRRRRR", { 92, 92, 92, 91, 91, 91, 91 }, 45, 7, 7, NULL },
	/* 588m: 42 %, r = 0.84, ceil(5.88) = 6; window max 7 holds */
	{ 105, "RRRRRRR", { 84, 84, 84, 84, 84, 84, 84 }, 42, 6, 7, NULL },
	/* 602m: 43 %, r = 0.86, ceil(6.02) = 7: the last raw 7 (120 s) */
	{ 120, "RRRRRRR", { 86, 86, 86, 86, 86, 86, 86 }, 43, 7, 7, NULL },
	/* load stopped: 0 %, raw 0, held by the 7s of the last 300 s */
	{ 135, "RRRRRRR", { 0 }, 0, 0, 7, NULL },
	{ 300, "RRRRRRR", { 0 }, 0, 0, 7, NULL },
	/* 420 s: cutoff 120, the 7 at 120 s is not < 120: still 7 */
	{ 420, "RRRRRRR", { 0 }, 0, 0, 7, NULL },
	/* 435 s: cutoff 135, every 7 is old: max 0 -> min 1 */
	{ 435, "RRRRRRR", { 0 }, 0, 0, 1,
	    "New size: 1; reason: All metrics below target" },
};

START_TEST(test_c2_sequence)
{
	struct hpa_state	 st;
	struct hpa_decision	 d;
	struct hpa_metric_spec	 s = spec_util("cpu", 50);
	struct hpa_spec		 sp = { 1, 10, NULL, 1 };
	struct hpa_pod_sample	 pods[10];
	struct hpa_metric_input	 in;
	struct hpa_metric_result res;
	char			 ev[HPA_MSG_MAX];
	const struct c2_tick	*k;
	int32_t			 current = 1;
	size_t			 i, j, n;
	int64_t			 t;

	hpa_state_init(&st);
	for (i = 0; i < sizeof c2 / sizeof c2[0]; i++) {
		k = &c2[i];
		t = S(k->t_s);
		n = strlen(k->state);
		ck_assert_uint_eq(n, (size_t)current);
		for (j = 0; j < n; j++) {
			if (k->state[j] == 'P') {
				pods[j] = pod_pending("php-apache", 200);
				continue;
			}
			pods[j] = pod_ready("php-apache", 200, k->val[j], t);
			pods[j].start_ms = t - S(27);
			pods[j].ready_change_ms = t - S(22);
		}
		memset(&in, 0, sizeof in);
		in.spec = &s;
		in.pods = pods;
		in.npods = n;
		hpa_calc_reconcile(&st, &cfg, &sp, current, current, &in, t,
		    &res, &d);
		ck_assert_msg(res.ok, "tick %d: %s", k->t_s, res.error);
		ck_assert_msg(res.utilization == k->util, "tick %d: util %d",
		    k->t_s, (int)res.utilization);
		ck_assert_msg(d.raw == k->raw, "tick %d: raw %d", k->t_s,
		    (int)d.raw);
		ck_assert_msg(d.desired == k->desired, "tick %d: desired %d",
		    k->t_s, (int)d.desired);
		ck_assert_int_eq(d.rescale, k->event != NULL);
		if (k->event != NULL) {
			hpa_calc_fmt_rescale(ev, sizeof ev, d.desired,
			    d.reason);
			ck_assert_str_eq(ev, k->event);
			hpa_state_store_scale_event(&st, sp.behavior, current,
			    d.desired, t);
			current = d.desired;
		}
	}
	/* the last step: raw 0 clamped to minReplicas 1 */
	ck_assert_str_eq(d.scaling_limited.reason, "TooFewReplicas");
	ck_assert_int_eq(d.scaling_limited.status, 1);
	hpa_state_free(&st);
}
END_TEST

/* ---- limits ------------------------------------------------------------ */

START_TEST(test_legacy_min_clamp)
{
	struct hpa_state	st;
	struct hpa_decision	d;

	hpa_state_init(&st);
	/* fresh history: raw 0 < min 2 -> 2, TooFewReplicas */
	ck_assert_int_eq(hpa_calc_normalize_legacy(&st, &cfg, 3, 0, 2, 10,
	    S(0), &d), 2);
	ck_assert_str_eq(d.scaling_limited.reason, "TooFewReplicas");
	ck_assert_str_eq(d.scaling_limited.message, "the desired replica "
	    "count is less than the minimum replica count");
	hpa_state_free(&st);
}
END_TEST

START_TEST(test_behavior_max_clamp)
{
	struct hpa_behavior	b;
	struct hpa_state	st;
	struct hpa_decision	d;

	memset(&b, 0, sizeof b);
	hpa_behavior_set_defaults(&b);
	hpa_state_init(&st);
	/* current 8: limit max(12, 16) = 16 > max 10 -> TooManyReplicas 10 */
	ck_assert_int_eq(hpa_calc_normalize_behavior(&st, &cfg, &b, 8, 30, 1,
	    10, S(0), &d), 10);
	ck_assert_str_eq(d.scaling_limited.reason, "TooManyReplicas");
	hpa_state_free(&st);
}
END_TEST

START_TEST(test_per_direction_tolerance)
{
	struct hpa_behavior	b;
	struct hpa_tolerances	t2;

	memset(&b, 0, sizeof b);
	b.up.has_tolerance = 1;
	b.up.tolerance = 0.05;
	hpa_tolerances_for(&cfg, &b, &t2);
	ck_assert(t2.up == 0.05);
	ck_assert(t2.down == 0.1);
	hpa_tolerances_for(&cfg, NULL, &t2);
	ck_assert(t2.up == 0.1);
}
END_TEST

START_TEST(test_huge_values_saturate)
{
	struct hpa_pod_sample	 p = pod_ready("a", 1, INT64_MAX / 2, NOW);
	struct hpa_metric_spec	 s = spec_util("memory", 50);
	struct hpa_metric_result r;

	/* util saturates at INT32_MAX = 2147483647 %; r = 42949672.94,
	 * ceil(r * 1) = 42949673 */
	calc1(&s, &p, 1, 1, &r);
	ck_assert_int_eq(r.utilization, INT32_MAX);
	ck_assert_int_eq(r.replicas, 42949673);
	/* a ratio beyond int32: target 1 % -> INT32_MAX * 3 pods saturates */
	{
		struct hpa_pod_sample	q[3] = { p, p, p };

		s.target_utilization = 1;
		calc1(&s, q, 3, 3, &r);
		ck_assert_int_eq(r.replicas, INT32_MAX);
	}
}
END_TEST

START_TEST(test_scale_event_slot_reuse)
{
	struct hpa_behavior	b;
	struct hpa_state	st;

	memset(&b, 0, sizeof b);
	hpa_behavior_set_defaults(&b);
	hpa_state_init(&st);
	hpa_state_store_scale_event(&st, &b, 1, 5, S(0));
	hpa_state_store_scale_event(&st, &b, 5, 10, S(10));
	/* longest up period 15 s: at 20 s the event at 0 s is outdated */
	hpa_state_store_scale_event(&st, &b, 10, 14, S(20));
	ck_assert_uint_eq(st.nup, 2);
	ck_assert_int_eq(st.up[0].change, 4);
	hpa_state_store_scale_event(&st, &b, 14, 3, S(25));
	ck_assert_uint_eq(st.ndown, 1);
	ck_assert_int_eq(st.down[0].change, 11);
	/* legacy path stores nothing */
	hpa_state_store_scale_event(&st, NULL, 3, 9, S(30));
	ck_assert_uint_eq(st.nup, 2);
	hpa_state_free(&st);
	hpa_state_free(NULL);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

START_TEST(test_missing_request)
{
	struct hpa_pod_sample	 p[2];
	struct hpa_metric_spec	 s = spec_util("cpu", 50);
	struct hpa_metric_input	 in;
	struct hpa_metric_result res;
	struct hpa_spec		 sp = { 1, 10, NULL, 1 };
	struct hpa_state	 st;
	struct hpa_decision	 d;

	p[0] = pod_ready("php-apache-7d8f9-abcde", 200, 300, NOW);
	/* a Pending pod without a request fails the whole metric */
	p[1] = pod_pending("php-apache-7d8f9-fghij", 0);
	p[1].req_state = HPA_REQ_MISSING;
	p[1].req_container = "php-apache";
	memset(&in, 0, sizeof in);
	in.spec = &s;
	in.pods = p;
	in.npods = 2;
	hpa_state_init(&st);
	hpa_calc_reconcile(&st, &cfg, &sp, 2, 2, &in, NOW, &res, &d);
	ck_assert_int_eq(res.ok, 0);
	ck_assert_str_eq(res.reason, "FailedGetResourceMetric");
	ck_assert_str_eq(res.event_msg, "failed to get cpu utilization: "
	    "missing request for cpu in container php-apache of Pod "
	    "php-apache-7d8f9-fghij");
	ck_assert_int_eq(d.blocked, 1);
	ck_assert_int_eq(d.rescale, 0);
	ck_assert_int_eq(d.desired, 2);
	ck_assert_int_eq(d.scaling_active.status, 0);
	ck_assert_str_eq(d.scaling_active.reason, "FailedGetResourceMetric");
	ck_assert_str_eq(d.scaling_active.message, "the HPA was unable to "
	    "compute the replica count: failed to get cpu utilization: "
	    "missing request for cpu in container php-apache of Pod "
	    "php-apache-7d8f9-fghij");
	ck_assert_str_eq(d.compute_error, "invalid metrics (1 invalid out of "
	    "1), first error is: failed to get cpu resource metric value: "
	    "failed to get cpu utilization: missing request for cpu in "
	    "container php-apache of Pod php-apache-7d8f9-fghij");
	hpa_state_free(&st);
}
END_TEST

START_TEST(test_no_ready_metrics)
{
	struct hpa_pod_sample	 p[2];
	struct hpa_metric_spec	 s = spec_util("cpu", 50);
	struct hpa_metric_result r;

	p[0] = pod_ready("a", 200, 100, NOW);
	p[0].start_ms = NOW - S(10);
	p[0].ready_change_ms = NOW - S(5);
	p[1] = pod_pending("b", 0);
	p[1].req_state = HPA_REQ_MISSING;
	p[1].req_container = "c";
	/* no ready metric left: this error comes before the request check */
	calc1(&s, p, 2, 2, &r);
	ck_assert_int_eq(r.ok, 0);
	ck_assert_str_eq(r.event_msg, "failed to get cpu utilization: did not "
	    "receive metrics for targeted pods (pods might be unready)");
	/* no metrics at all */
	p[0].has_metric = 0;
	calc1(&s, p, 2, 2, &r);
	ck_assert_str_eq(r.event_msg, "failed to get cpu utilization: unable "
	    "to get metrics for resource cpu: no metrics returned from "
	    "resource metrics API");
	ck_assert_str_eq(r.error, "failed to get cpu resource metric value: "
	    "failed to get cpu utilization: unable to get metrics for "
	    "resource cpu: no metrics returned from resource metrics API");
}
END_TEST

START_TEST(test_container_resource_errors)
{
	struct hpa_pod_sample	 p = pod_ready("web-0", 200, 100, NOW);
	struct hpa_metric_spec	 s = spec_util("cpu", 50);
	struct hpa_metric_result r;

	s.type = HPA_METRIC_CONTAINER_RESOURCE;
	s.container = "app";
	p.req_state = HPA_REQ_CONTAINER_ABSENT;
	calc1(&s, &p, 1, 1, &r);
	ck_assert_str_eq(r.reason, "FailedGetContainerResourceMetric");
	ck_assert_str_eq(r.error, "failed to get app container metric value: "
	    "failed to get cpu utilization: container app not found in Pod "
	    "web-0");
	/* and its proposal name when it works: 50 % -> keep 1 */
	p.req_state = HPA_REQ_OK;
	calc1(&s, &p, 1, 1, &r);
	ck_assert_int_eq(r.ok, 1);
	ck_assert_str_eq(r.name,
	    "cpu container resource utilization (percentage of request)");
}
END_TEST

START_TEST(test_partial_failure)
{
	struct hpa_pod_sample	 pc = pod_ready("a", 200, 20, NOW);
	struct hpa_metric_spec	 cpu = spec_util("cpu", 50);
	struct hpa_metric_spec	 ext;
	struct hpa_metric_input	 in[2];
	struct hpa_metric_result res[2];
	struct hpa_decision	 d;
	int32_t			 n;

	memset(&ext, 0, sizeof ext);
	ext.type = HPA_METRIC_EXTERNAL;
	ext.name = "queue_depth";
	ext.target_type = HPA_TARGET_VALUE;
	ext.target_milli = 1000;
	memset(in, 0, sizeof in);
	in[0].spec = &cpu;
	in[0].pods = &pc;
	in[0].npods = 1;
	in[1].spec = &ext;
	in[1].ns = "default";
	in[1].fetch_error = "no metrics returned from external metrics API";
	/* cpu 10 % wants ceil(0.2 * 1) = 1 < current 3: a failed metric
	 * blocks the scale-down */
	memset(&d, 0, sizeof d);
	n = hpa_calc_metrics(&cfg, &tol, in, 2, 3, 3, NOW, res, NULL, &d);
	ck_assert_int_eq(n, -1);
	ck_assert_str_eq(d.scaling_active.reason, "FailedGetExternalMetric");
	ck_assert_str_eq(res[1].event_msg, "unable to get external metric "
	    "default/queue_depth/nil: no metrics returned from external "
	    "metrics API");
	ck_assert_str_eq(d.compute_error, "invalid metrics (1 invalid out of "
	    "2), first error is: failed to get queue_depth external metric "
	    "value: failed to get external metric queue_depth: unable to get "
	    "external metric default/queue_depth/nil: no metrics returned "
	    "from external metrics API");
	/* cpu 150 % wants ceil(3 * 1) = 3 >= current 1: scale-up proceeds */
	pc.value_m = 300;
	memset(&d, 0, sizeof d);
	n = hpa_calc_metrics(&cfg, &tol, in, 2, 1, 1, NOW, res, NULL, &d);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(d.scaling_active.reason, "ValidMetricFound");
}
END_TEST

START_TEST(test_object_fetch_error)
{
	struct hpa_metric_spec	 s;
	struct hpa_metric_input	 in;
	struct hpa_metric_result r;

	memset(&s, 0, sizeof s);
	s.type = HPA_METRIC_OBJECT;
	s.name = "rps";
	s.object_kind = "Service";
	s.object_name = "web";
	s.target_type = HPA_TARGET_VALUE;
	s.target_milli = 1000;
	memset(&in, 0, sizeof in);
	in.spec = &s;
	in.ns = "prod";
	in.fetch_error = "the server could not find the metric";
	hpa_calc_metric(&cfg, &tol, &in, 2, 2, NOW, &r);
	ck_assert_str_eq(r.reason, "FailedGetObjectMetric");
	/* upstream's argument order: name: kind on ns name/err */
	ck_assert_str_eq(r.event_msg, "unable to get metric rps: Service on "
	    "prod web/the server could not find the metric");
	/* Value target with no pods at all */
	in.fetch_error = NULL;
	in.value_m = 5000;
	hpa_calc_metric(&cfg, &tol, &in, 2, 2, NOW, &r);
	ck_assert_str_eq(r.error, "failed to get object metric value: unable "
	    "to calculate ready pods: no pods returned by selector while "
	    "calculating replica count");
}
END_TEST

START_TEST(test_message_formats)
{
	char			buf[HPA_MSG_MAX];
	struct hpa_condition	c;

	hpa_calc_fmt_rescale(buf, sizeof buf, 7, "cpu resource utilization "
	    "(percentage of request) above target");
	ck_assert_str_eq(buf, "New size: 7; reason: cpu resource utilization "
	    "(percentage of request) above target");
	hpa_calc_fmt_failed_rescale(buf, sizeof buf, 3, "All metrics below "
	    "target", "conflict");
	ck_assert_str_eq(buf, "New size: 3; reason: All metrics below target; "
	    "error: conflict");
	hpa_calc_cond_rescaled(&c, 4);
	ck_assert_str_eq(c.reason, "SucceededRescale");
	ck_assert_str_eq(c.message,
	    "the HPA controller was able to update the target scale to 4");
}
END_TEST

Suite *hpa_calc_suite(void);

Suite *
hpa_calc_suite(void)
{
	Suite	*s = suite_create("hpa_calc");
	TCase	*tc;

	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_tolerance_boundary);
	tcase_add_test(tc, test_php_apache_first_reading);
	tcase_add_test(tc, test_php_apache_first_step_legacy_vs_behavior);
	tcase_add_test(tc, test_windowed_first_reading);
	tcase_add_test(tc, test_unready_scale_up);
	tcase_add_test(tc, test_unready_scale_down);
	tcase_add_test(tc, test_missing_scale_up);
	tcase_add_test(tc, test_missing_scale_down);
	tcase_add_test(tc, test_missing_scale_down_target_above_100);
	tcase_add_test(tc, test_direction_flip_keeps_current);
	tcase_add_test(tc, test_cpu_readiness);
	tcase_add_test(tc, test_ignored_pods);
	tcase_add_test(tc, test_plain_average_value);
	tcase_add_test(tc, test_resource_average_value);
	tcase_add_test(tc, test_object_external);
	tcase_add_test(tc, test_multi_metric_max);
	tcase_add_test(tc, test_legacy_downscale_window);
	tcase_add_test(tc, test_legacy_scale_up_cap);
	tcase_add_test(tc, test_behavior_defaults);
	tcase_add_test(tc, test_behavior_period_window);
	tcase_add_test(tc, test_behavior_scale_down_percent);
	tcase_add_test(tc, test_behavior_stabilization);
	tcase_add_test(tc, test_reconcile_bounds);
	tcase_add_test(tc, test_c2_sequence);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_legacy_min_clamp);
	tcase_add_test(tc, test_behavior_max_clamp);
	tcase_add_test(tc, test_per_direction_tolerance);
	tcase_add_test(tc, test_huge_values_saturate);
	tcase_add_test(tc, test_scale_event_slot_reuse);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_missing_request);
	tcase_add_test(tc, test_no_ready_metrics);
	tcase_add_test(tc, test_container_resource_errors);
	tcase_add_test(tc, test_partial_failure);
	tcase_add_test(tc, test_object_fetch_error);
	tcase_add_test(tc, test_message_formats);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	return tu_main(hpa_calc_suite());
}
