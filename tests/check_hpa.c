/*
 * check_hpa.c: the load model, metrics-server's view and the HPA
 * controller, end to end through the library.
 *
 * "core" pins the php-apache acceptance (SCENARIOS.md §2, reference
 * hpa-vpa.md §C2) and its behavior variant by reading the JSON report, and
 * metrics-server's windowed values with hand-computed integrals; "limits"
 * covers caps, ramps, traces, custom metrics and pods without requests;
 * "errors" checks codes, lines and columns of bad input.  The scenarios of
 * the legacy cap and the custom metrics are tests/cases/hpa-*.yaml, whose
 * expect: blocks assert the replicas; the tests here read the readings and
 * conditions expect: cannot name.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloud/catalog.h"
#include "cluster/metrics.h"
#include "io/load_model.h"
#include "ksim.h"
#include "run/run.h"
#include "testutil.h"

Suite *hpa_suite(void);

/* tests/cases/<name>.yaml */
#define CASE(name)	tu_scenario("../tests/cases/" name ".yaml")

static const char *tmpdir;

static void
setup(void)
{
	tmpdir = tu_tmpdir();
}

/* tmpdir/name (a ring of static buffers, so two can be used at once). */
static const char *
tpath(const char *name)
{
	static char buf[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
	return buf[k];
}

/* The sample taken at at_ms. */
static json_t *
sample_at(json_t *h, int64_t at_ms)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(h, "samples"), i, s)
		if (json_integer_value(json_object_get(s, "at_ms")) == at_ms)
			return s;
	ck_abort_msg("no sample at %lld ms", (long long)at_ms);
	return NULL;
}

/* First metric's current value; -1 for <unknown>. */
static int64_t
scur(json_t *s)
{
	return tu_int(json_array_get(json_object_get(s, "metrics"), 0), "current");
}

/* The list of rescales as "at_ms:from->to" joined by spaces. */
static void
rescales(json_t *h, char *buf, size_t n)
{
	json_t *s;
	size_t i, len = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(h, "samples"), i, s) {
		int64_t c = tu_int(s, "current_replicas"), d = tu_int(s, "desired_replicas");

		if (c != d && len < n)
			len += (size_t)snprintf(buf + len, n - len, "%s%lld:%lld->%lld",
			    len ? " " : "", (long long)tu_int(s, "at_ms"), (long long)c,
			    (long long)d);
	}
}

/*
 * php-apache (scenarios/php-apache-hpa.yaml, whose comments derive every
 * number): the field report's path 1 -> 3 -> 5 -> 6 -> 7 at 3m15s, 3m30s,
 * 4m and 4m15s, 242 % at the 3 -> 5 sync, 7 held with 35-46 % while the
 * load runs, then 7 -> 6 when the 300 s window forgets the last 7 (7m15s)
 * and 6 -> 1 when it forgets the last 6 (9m00s).
 */
START_TEST(test_php_apache)
{
	static const struct {
		int64_t at_ms;
		int64_t reading;	/* first-pass utilization, % */
	} rd[] = {
		{ 195000, 133 }, { 210000, 242 }, { 225000, 91 }, { 240000, 56 },
		{ 255000, 67 }, { 270000, 56 }, { 285000, 43 }, { 315000, 35 },
		{ 435000, 46 }, { 450000, 38 }, { 555000, 0 },
	};
	json_t *root = tu_run_ok(tu_scenario("php-apache-hpa.yaml"));
	json_t *h = tu_find(root, "hpas", "php-apache"), *s;
	char buf[512];
	size_t i;

	rescales(h, buf, sizeof(buf));
	ck_assert_str_eq(buf, "195000:1->3 210000:3->5 240000:5->6 255000:6->7 "
	    "750000:7->6 855000:6->1");
	ck_assert_int_eq(scur(sample_at(h, 15000)), -1);	/* no metric yet */
	for (i = 0; i < sizeof(rd) / sizeof(rd[0]); i++)
		ck_assert_int_eq(scur(sample_at(h, rd[i].at_ms)), rd[i].reading);
	json_array_foreach(json_object_get(h, "samples"), i, s) {
		int64_t at = tu_int(s, "at_ms");

		if (at > 270000 && at <= 540000)
			ck_assert(scur(s) >= 35 && scur(s) <= 46);	/* the report's range */
		if (at > 255000 && at <= 750000)
			ck_assert_int_eq(tu_int(s, "current_replicas"), 7);
	}
	json_decref(root);
}
END_TEST

/*
 * The behavior variant: scaleUp {Pods 1 / 60 s} allows one pod per minute
 * (the event at 3m15s leaves the strict (now-60, now] period at 4m15s, and
 * so on) up to 6 at 7m15s; scaleDown stabilization 60 s: the last 6 is
 * recorded at 9m00s; at 10m00s the window (9m00s, 10m00s] holds only 0s:
 * 6 -> 1 (100 % per 15 s allows it).
 */
START_TEST(test_php_apache_behavior)
{
	json_t *root = tu_run_ok(tu_scenario("php-apache-hpa-behavior.yaml"));
	json_t *h = tu_find(root, "hpas", "php-apache");
	char buf[512];

	rescales(h, buf, sizeof(buf));
	ck_assert_str_eq(buf, "195000:1->2 255000:2->3 315000:3->4 375000:4->5 "
	    "435000:5->6 600000:6->1");
	ck_assert_int_eq(scur(sample_at(h, 465000)), 44);
	json_decref(root);
}
END_TEST

/*
 * tests/cases/hpa-legacy-cap.yaml: php-apache with scrapes aligned to the
 * load's start (offset 0); its expect: block asserts 1 -> 4 at 75 s (the
 * legacy cap max(2 * 1, 4) on a proposal of 5) and derives it.  Here: the
 * pod reads its 500m limit of a 200m request, 250 %.
 */
START_TEST(test_legacy_cap)
{
	json_t *root = tu_run_ok(CASE("hpa-legacy-cap"));
	json_t *h = tu_find(root, "hpas", "php-apache");
	char buf[512];

	ck_assert_int_eq(scur(sample_at(h, 75000)), 250);
	rescales(h, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "75000:1->4 "));
	json_decref(root);
}
END_TEST

/* ---- metrics-server, through a finished run ---------------------------- */

static const char metrics_yaml[] =
    "apiVersion: ksim/v1alpha1\n"
    "kind: Scenario\n"
    "metadata: {name: m}\n"
    "spec:\n"
    "  duration: 1m\n"
    "  nodes: [{instanceType: m5.4xlarge, count: 1, namePrefix: n}]\n"
    "  timing: {imagePull: 0s, containerStart: 1s}\n"
    "  timeline:\n"
    "  - {at: 20s, scale: {kind: Deployment, name: b, replicas: 2}}\n"
    "  load:\n"
    "  - {workload: Deployment/a, perPod: {cpu: 500m, memory: 100Mi}}\n"
    "  - {workload: Deployment/b, shared: {cpu: 630m}}\n"
    "  - workload: Deployment/c\n"
    "    perPod:\n"
    "      series:\n"
    "      - {at: 15s, cpu: 0}\n"
    "      - {at: 30s, cpu: 300m, ramp: linear}\n"
    "  - {workload: Deployment/d, perPod: {trace: d.csv}}\n"
    "  - {workload: Deployment/e, shared: {cpu: 600m}, from: 20s, until: 25s}\n"
    "  - {workload: Deployment/e, perPod: {cpu: 10m}, from: 20s, until: 25s}\n"
    "%s";

static const char deploy_fmt[] =
    "---\n"
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata: {name: %s}\n"
    "spec:\n"
    "  replicas: 1\n"
    "  selector: {matchLabels: {app: %s}}\n"
    "  template:\n"
    "    metadata: {labels: {app: %s}}\n"
    "    spec:\n"
    "      containers:\n"
    "      - name: main\n"
    "        image: img\n"
    "        resources: %s\n";

static void
write_metrics_scenario(const char *extra_spec)
{
	static const char *const names[] = { "a", "b", "c", "d", "e" };
	static const char *const res[] = { "{requests: {cpu: 100m}}",
		"{requests: {cpu: 100m}, limits: {cpu: 500m}}",
		"{requests: {cpu: 100m}, limits: {cpu: 200m}}", "{requests: {cpu: 100m}}",
		"{requests: {cpu: 100m}}" };
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	fprintf(fp, metrics_yaml, extra_spec);
	for (int i = 0; i < 5; i++)
		fprintf(fp, deploy_fmt, names[i], names[i], names[i], res[i]);
	fclose(fp);
	tu_write_in(tmpdir, "m.yaml", text);
	free(text);
	tu_write_in(tmpdir, "d.csv", "time,cpu,memory\n# a comment\n0s,100m,10Mi\n20,300m,20Mi\n");
}

static struct ks_run *
simulate(const char *file, const struct catalog **catp)
{
	const char *files[1] = { file };
	struct ksim_opts o;
	struct ks_error err;
	struct catalog *cat = NULL;
	struct ks_run *r = NULL;

	tu_opts_init(&o, files, 1);
	ks_error_clear(&err);
	ck_assert_int_eq(ksim_catalog_load(&o, &cat, &err), 0);
	ck_assert_msg(ksim_simulate(&o, cat, NULL, &r, &err) == 0, "%s", err.msg);
	*catp = cat;
	return r;
}

/* The i-th pod (creation order) of workload name. */
static const struct ks_pod *
pod_of(struct ks_run *r, const char *name, int i)
{
	for (size_t k = 0; k < r->cluster.npods; k++) {
		const struct ks_pod *p = r->cluster.pods[k];

		if (p->owner != NULL && strcmp(p->owner->name, name) == 0 && i-- == 0)
			return p;
	}
	ck_abort_msg("no pod %d of %s", i, name);
	return NULL;
}

static int
mpod(struct ks_run *r, const struct ks_pod *p, int64_t now, int64_t *cpu, int64_t *mem,
    int64_t *ts)
{
	int64_t win;

	r->sim.now_ms = now;
	return metrics_pod(r, p, 0, cpu, mem, ts, &win);
}


START_TEST(test_metrics_window)
{
	const struct catalog *cat;
	struct ks_run *r;
	int64_t cpu, mem, ts, win;

	write_metrics_scenario("");
	r = simulate(tpath("m.yaml"), &cat);
	/*
	 * a: running at 1 s; the scrape at 15 s is its first, 14 s after the
	 * start (10 s <= 14 s < 15 s): metrics-server >= 0.5.0 reports it over
	 * [1, 15] at once.
	 */
	ck_assert_int_eq(mpod(r, pod_of(r, "a", 0), 15000, &cpu, &mem, &ts), 0);
	ck_assert_int_eq(cpu, 500);
	ck_assert_int_eq(ts, 15000);
	r->sim.now_ms = 29999;
	ck_assert_int_eq(metrics_pod(r, pod_of(r, "a", 0), 0, &cpu, &mem, &ts, &win), 0);
	ck_assert_int_eq(win, 14000);
	ck_assert_int_eq(mpod(r, pod_of(r, "a", 0), 30000, &cpu, &mem, &ts), 0);
	ck_assert_int_eq(cpu, 500);
	ck_assert_int_eq(mem, 104857600);
	ck_assert_int_eq(ts, 30000);
	r->sim.now_ms = 44999;
	ck_assert_int_eq(metrics_pod(r, pod_of(r, "a", 0), 0, &cpu, &mem, &ts, &win), 0);
	ck_assert_int_eq(ts, 30000);
	ck_assert_int_eq(win, 15000);
	/*
	 * b: 630m shared, limit 500m; pod 2 created at 20 s, ready at 21 s.
	 * Window [15,30] of pod 1: 6 s alone at the 500m cap + 9 s at 315m =
	 * (3000 + 2835) / 15 = 389m.  Pod 2: only one scrape saw it.
	 * Window [30,45]: 315m each.
	 */
	ck_assert_int_eq(mpod(r, pod_of(r, "b", 0), 30000, &cpu, &mem, &ts), 0);
	ck_assert_int_eq(cpu, 389);
	ck_assert_int_eq(mpod(r, pod_of(r, "b", 1), 30000, &cpu, &mem, &ts), KS_ENOENT);
	ck_assert_int_eq(mpod(r, pod_of(r, "b", 1), 45000, &cpu, &mem, &ts), 0);
	ck_assert_int_eq(cpu, 315);
	/*
	 * c: ramp 0 -> 300m over [15,30], capped at 200m from 25 s:
	 * (0.5 * 10 s * 200m + 5 s * 200m) / 15 s = 133.3 -> 134m (rounded up
	 * as MilliValue() does).
	 */
	ck_assert_int_eq(mpod(r, pod_of(r, "c", 0), 30000, &cpu, &mem, &ts), 0);
	ck_assert_int_eq(cpu, 134);
	metrics_usage(r, pod_of(r, "c", 0), 0, 20000, &cpu, &mem);
	ck_assert_int_eq(cpu, 100);
	metrics_usage(r, pod_of(r, "c", 0), 0, 29000, &cpu, &mem);
	ck_assert_int_eq(cpu, 200);
	/* d: trace 100m from 0, 300m from 20 s: (5*100 + 10*300)/15 = 233.3 -> 234m */
	ck_assert_int_eq(mpod(r, pod_of(r, "d", 0), 30000, &cpu, &mem, &ts), 0);
	ck_assert_int_eq(cpu, 234);
	ck_assert_int_eq(mem, 20 * 1048576);
	/* e: 600m shared + 10m per pod for 5 s of the window: 610*5/15 = 203.3 -> 204m */
	ck_assert_int_eq(mpod(r, pod_of(r, "e", 0), 30000, &cpu, &mem, &ts), 0);
	ck_assert_int_eq(cpu, 204);
	ck_assert_int_eq(mpod(r, pod_of(r, "e", 0), 45000, &cpu, &mem, &ts), 0);
	ck_assert_int_eq(cpu, 0);
	ksim_simulation_free(r);
	catalog_free((struct catalog *)(uintptr_t)cat);
}
END_TEST

/*
 * metrics-server's podStorage.Store, row by row from upstream's
 * pkg/storage/pod_test.go (resolution 60 s; times relative to the
 * container's start): the scrape's time, the previous scrape's (-1: none),
 * whether the container is reported and over which window.
 */
static const struct {
	const char	*what;		/* the upstream test */
	int64_t		 start, prev, ts; /* ms */
	int		 reported;
	int64_t		 window;	/* ms */
} ms_rows[] = {
	{ "first batch of a long-running container: wait for a second", 0, -1, 120000, 0, 0 },
	{ "second batch: the window between the two", 0, 120000, 125000, 1, 5000 },
	{ "fresh container, 10 s after its start", 0, -1, 10000, 1, 10000 },
	{ "fresh container's start time after the timestamp", 0, -1, -10000, 0, 0 },
	{ "fresh container, under 10 s after its start", 0, -1, 9000, 0, 0 },
	{ "restart: window from the new start time", 15000, 10000, 25000, 1, 10000 },
	/* ours: the edges of [10 s, resolution) */
	{ "exactly one resolution after the start, no earlier point", 0, -1, 60000, 0, 0 },
	{ "started at the previous scrape's instant", 0, 0, 60000, 0, 0 },
	{ "just under one resolution", 0, -1, 59999, 1, 59999 },
};

START_TEST(test_metrics_server_fresh)
{
	int64_t from;
	int rep = metrics_server_reports(MS_VER(0, 7, 2), 60000, ms_rows[_i].start,
	    ms_rows[_i].prev, ms_rows[_i].ts, &from);

	ck_assert_msg(rep == ms_rows[_i].reported, "%s: reported %d", ms_rows[_i].what, rep);
	if (rep)
		ck_assert_msg(ms_rows[_i].ts - from == ms_rows[_i].window, "%s: window %lld",
		    ms_rows[_i].what, (long long)(ms_rows[_i].ts - from));
	/* before v0.5.0 a fresh container waits for two scrapes */
	rep = metrics_server_reports(MS_VER(0, 4, 5), 60000, 0, -1, 10000, &from);
	ck_assert_int_eq(rep, 0);
	rep = metrics_server_reports(MS_VER(0, 4, 5), 60000, 0, 0, 60000, &from);
	ck_assert_int_eq(rep, 1);
}
END_TEST

/* metricsServer offset 8 s: scrapes at 8, 23, 38 s; window [23,38] at 38 s. */
START_TEST(test_metrics_offset)
{
	const struct catalog *cat;
	struct ks_run *r;
	int64_t cpu, mem, ts;

	write_metrics_scenario("  metricsServer: {resolution: 15s, offset: 8s}\n");
	r = simulate(tpath("m.yaml"), &cat);
	ck_assert_int_eq(metrics_resolution(r), 15000);
	ck_assert_int_eq(mpod(r, pod_of(r, "a", 0), 7999, &cpu, &mem, &ts), KS_ENOENT);
	ck_assert_int_eq(mpod(r, pod_of(r, "a", 0), 22999, &cpu, &mem, &ts), KS_ENOENT);
	ck_assert_int_eq(mpod(r, pod_of(r, "a", 0), 23000, &cpu, &mem, &ts), 0);
	ck_assert_int_eq(ts, 23000);
	/* b at 38 s: window [23,38], two pods all along: 315m */
	ck_assert_int_eq(mpod(r, pod_of(r, "b", 0), 38000, &cpu, &mem, &ts), 0);
	ck_assert_int_eq(cpu, 315);
	ksim_simulation_free(r);
	catalog_free((struct catalog *)(uintptr_t)cat);
}
END_TEST

/*
 * metrics-server v0.4.5 (spec.metricsServer.version), before the fresh
 * container rule: a, running at 1 s, waits for the scrapes at 15 and 30 s.
 */
START_TEST(test_metrics_old_release)
{
	const struct catalog *cat;
	struct ks_run *r;
	int64_t cpu, mem, ts;
	const char *src;

	write_metrics_scenario("  metricsServer: {version: v0.4.5}\n");
	r = simulate(tpath("m.yaml"), &cat);
	ck_assert_int_eq(metrics_server_version(r, &src), MS_VER(0, 4, 5));
	ck_assert_str_eq(src, "spec.metricsServer.version");
	ck_assert_int_eq(lm_release_parse("v0.7.2"), MS_VER(0, 7, 2));
	ck_assert_int_eq(lm_release_parse("1.4"), 10400);
	ck_assert_int_eq(lm_release_parse("0.6.4-gke.1"), MS_VER(0, 6, 4));
	ck_assert_int_eq(lm_release_parse("latest"), -1);
	ck_assert_int_eq(lm_release_parse("v1"), -1);
	ck_assert_int_eq(mpod(r, pod_of(r, "a", 0), 15000, &cpu, &mem, &ts), KS_ENOENT);
	ck_assert_int_eq(mpod(r, pod_of(r, "a", 0), 30000, &cpu, &mem, &ts), 0);
	ck_assert_int_eq(cpu, 500);
	ksim_simulation_free(r);
	catalog_free((struct catalog *)(uintptr_t)cat);
}
END_TEST

/* ---- custom metrics and pods without requests --------------------------- */

/*
 * tests/cases/hpa-custom-metrics.yaml: one HPA each on a Pods, an External
 * and an Object metric, and one on a Deployment without a cpu request; its
 * expect: block asserts and derives the replicas.  Here: the readings
 * (milli-units) and the failed metric's condition and warning.
 */
START_TEST(test_custom_metrics)
{
	json_t *root, *h, *c;
	char buf[256];
	size_t i;
	int found = 0;

	root = tu_run_ok(CASE("hpa-custom-metrics"));
	/* at 30 s the Pods metric reads 12/3 = 4 per pod */
	ck_assert_int_eq(scur(sample_at(tu_find(root, "hpas", "p"), 30000)), 4000);
	/* the Ingress's 2k, milli */
	ck_assert_int_eq(scur(sample_at(tu_find(root, "hpas", "o"), 15000)), 2000000);
	h = tu_find(root, "hpas", "nr");
	rescales(h, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(h, "warning")),
	    "container main has no cpu request"));
	json_array_foreach(json_object_get(h, "conditions"), i, c) {
		if (strcmp(json_string_value(json_object_get(c, "type")), "ScalingActive") != 0)
			continue;
		found = 1;
		ck_assert_str_eq(json_string_value(json_object_get(c, "status")), "False");
		ck_assert_str_eq(json_string_value(json_object_get(c, "reason")),
		    "FailedGetResourceMetric");
		ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(c, "message")),
		    "the HPA was unable to compute the replica count: failed to get cpu "
		    "utilization: missing request for cpu in container main of Pod nr-"));
	}
	ck_assert_int_eq(found, 1);
	json_decref(root);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

struct err_case {
	const char	*spec;		/* added to the Scenario's spec */
	const char	*hpa;		/* an HPA document, or "" */
	int		 line, col;	/* expected position */
	const char	*msg;		/* expected message start */
};

static const char err_base[] =
    "apiVersion: ksim/v1alpha1\n"		/* 1 */
    "kind: Scenario\n"				/* 2 */
    "metadata: {name: e}\n"			/* 3 */
    "spec:\n"					/* 4 */
    "  duration: 1m\n"				/* 5 */
    "%s"					/* 6.. */
    "---\n"
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata: {name: web}\n"
    "spec:\n"
    "  selector: {matchLabels: {app: web}}\n"
    "  template:\n"
    "    metadata: {labels: {app: web}}\n"
    "    spec:\n"
    "      containers:\n"
    "      - {name: web, image: nginx, resources: {requests: {cpu: 100m}}}\n"
    "%s";

#define HPA_HEAD							\
    "---\n"				/* 17 */			\
    "apiVersion: autoscaling/v2\n"	/* 18 */			\
    "kind: HorizontalPodAutoscaler\n"	/* 19 */			\
    "metadata: {name: web}\n"		/* 20 */			\
    "spec:\n"				/* 21 */

static const struct err_case err_cases[] = {
	{ "", HPA_HEAD
	    "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: nope}\n"
	    "  maxReplicas: 3\n", 22, 65,
	    "scaleTargetRef names Deployment default/nope, which the scenario does not declare" },
	{ "", HPA_HEAD
	    "  scaleTargetRef: {kind: Deployment, name: web}\n"
	    "  maxReplicas: 3\n"
	    "  metrics:\n"
	    "  - type: Resource\n"
	    "    resource: {name: cpu, target: {type: Utilization, averageUtilization: -50}}\n",
	    26, 75, "expected averageUtilization to be greater than 0, found -50" },
	{ "", HPA_HEAD
	    "  scaleTargetRef: {kind: Deployment, name: web}\n"
	    "  maxReplicas: 3\n"
	    "  metrics:\n"
	    "  - type: Custom\n", 25, 11,
	    "expected metric type Resource, ContainerResource, Pods, Object or External, "
	    "found \"Custom\"" },
	{ "", HPA_HEAD
	    "  scaleTargetRef: {kind: Deployment, name: web}\n"
	    "  minReplicas: 4\n"
	    "  maxReplicas: 3\n", 24, 16,
	    "expected maxReplicas to be at least minReplicas (4), found 3" },
	{ "  load:\n  - {workload: Deployment/nope, perPod: {cpu: 1}}\n", "", 7, 16,
	    "spec.load names Deployment default/nope, which the scenario does not declare" },
	{ "  load:\n  - {workload: Deployment/web, perPod: {cpu: 1}, shared: {cpu: 1}}\n", "",
	    7, 5, "expected exactly one of perPod and shared in a load entry, found both" },
	{ "  load:\n  - {workload: Deployment/web, perPod: {cpu: 1, mem: 1}}\n", "", 7, 49,
	    "unknown field \"mem\" in a load entry's perPod" },
	{ "  load:\n  - workload: Deployment/web\n    perPod:\n      series:\n"
	    "      - {at: 10s, cpu: 1}\n      - {at: 5s, cpu: 2, ramp: curvy}\n", "", 11, 14,
	    "expected series times to increase from 0s, found 5000 ms after 10000 ms" },
	{ "  load:\n  - {workload: Deployment/web, perPod: {trace: missing.csv}}\n", "", 7, 48,
	    "cannot open trace" },
	{ "  metricsServer: {resolution: 500ms}\n", "", 6, 31,
	    "expected a resolution of 1s or more, found 500 ms" },
	{ "  load:\n  - {workload: Deployment/web, perPod: {cpu: -1}}\n", "", 7, 46,
	    "quantity \"-1\" must not be negative" },
};

START_TEST(test_errors)
{
	const struct err_case *ec = &err_cases[_i];
	struct ks_error err;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	int rc;

	fprintf(fp, err_base, ec->spec, ec->hpa);
	fclose(fp);
	rc = tu_validate(tu_write_in(tmpdir, "e.yaml", text), &err);
	free(text);
	ck_assert_msg(rc == KS_EINVAL || rc == KS_ENOENT, "case %d: rc %d (%s)", _i, rc, err.msg);
	ck_assert_msg(strncmp(err.msg, ec->msg, strlen(ec->msg)) == 0, "case %d: %s", _i,
	    err.msg);
	ck_assert_msg(err.at.line == ec->line && err.at.col == ec->col,
	    "case %d: at %d:%d, expected %d:%d (%s)", _i, err.at.line, err.at.col, ec->line,
	    ec->col, err.msg);
}
END_TEST

Suite *
hpa_suite(void)
{
	Suite *s = suite_create("hpa");
	TCase *tc;

	tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, tu_cleanup);
	tcase_add_test(tc, test_php_apache);
	tcase_add_test(tc, test_php_apache_behavior);
	tcase_add_test(tc, test_metrics_window);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, tu_cleanup);
	tcase_add_test(tc, test_metrics_offset);
	tcase_add_test(tc, test_metrics_old_release);
	tcase_add_loop_test(tc, test_metrics_server_fresh, 0,
	    (int)(sizeof(ms_rows) / sizeof(ms_rows[0])));
	tcase_add_test(tc, test_legacy_cap);
	tcase_add_test(tc, test_custom_metrics);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, tu_cleanup);
	tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof(err_cases) / sizeof(err_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_main(hpa_suite());
}
