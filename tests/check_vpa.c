/*
 * check_vpa.c: the VPA controller end to end, through the library's front
 * door (ksim_run_json, JSON report): hamster's 587m / 262144k (reference
 * hpa-vpa.md §C1), update modes, limits, minReplicas, PDBs, and bad VPA
 * input with its file:line:col.
 *
 * The behavioural scenarios are tests/cases/vpa-*.yaml: their expect:
 * blocks assert the recommendations (587m / 262144k for hamster's ~500m of
 * CPU and a few MiB of memory, derived there) and tests/cases.sh runs them
 * with `ksim check`; the tests here read the rest of the same runs'
 * reports.  Only the error tests build small scenarios in memory:
 *   CPU:    samples in bucket 25 = [0.477, 0.511) -> p90 = 0.511135 core
 *           -> 511m + (int)(511 * 0.15) = 511 + 76 = 587m
 *   memory: peaks < 1e7 B -> p90 = 1e7 -> 11500000 < 250 MiB minimum
 *           -> 262144000 B, printed "262144k" (VPA 1.4 DecimalSI)
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ksim.h"
#include "testutil.h"
#include "util/xmalloc.h"

Suite	*vpa_suite(void);

#define MIB	(INT64_C(1024) * 1024)

/* The scenario header: one m5.xlarge, each hamster container ~500m. */
#define HDR(dur)							\
	"apiVersion: ksim/v1alpha1\n"					\
	"kind: Scenario\n"						\
	"metadata: {name: t}\n"						\
	"spec:\n"							\
	"  duration: " dur "\n"						\
	"  nodes:\n"							\
	"    - {instanceType: m5.xlarge, count: 1, namePrefix: node}\n"	\
	"  load:\n"							\
	"    - workload: Deployment/hamster\n"				\
	"      perPod: {cpu: 500m, memory: 3Mi}\n"

/* The hamster Deployment; %d replicas, %s the resources block. */
#define DEPLOY								\
	"---\n"								\
	"apiVersion: apps/v1\n"						\
	"kind: Deployment\n"						\
	"metadata: {name: hamster}\n"					\
	"spec:\n"							\
	"  replicas: %d\n"						\
	"  selector: {matchLabels: {app: hamster}}\n"			\
	"  template:\n"							\
	"    metadata: {labels: {app: hamster}}\n"			\
	"    spec:\n"							\
	"      containers:\n"						\
	"        - name: hamster\n"					\
	"          image: ubuntu-slim:0.14\n"				\
	"          resources: %s\n"

#define REQ_ONLY	"{requests: {cpu: 100m, memory: 50Mi}}"

/* The hamster VPA: %s extra spec lines (indented 2), %s the policy's extra. */
#define VPA								\
	"---\n"								\
	"apiVersion: autoscaling.k8s.io/v1\n"				\
	"kind: VerticalPodAutoscaler\n"					\
	"metadata: {name: hamster-vpa}\n"				\
	"spec:\n"							\
	"  targetRef: {apiVersion: apps/v1, kind: Deployment, name: hamster}\n" \
	"%s"								\
	"  resourcePolicy:\n"						\
	"    containerPolicies:\n"					\
	"      - containerName: '*'\n"					\
	"        minAllowed: {cpu: 100m, memory: 50Mi}\n"		\
	"        maxAllowed: {cpu: 1, memory: 500Mi}\n"			\
	"%s"

/* Run a scenario text; returns the JSON report (owned) or NULL with *err. */
static json_t *
run_text(const char *text, struct ks_error *err)
{
	char *in = tu_write(text);
	json_t *root = NULL;

	tu_run(in, NULL, 0, &root, err);
	unlink(in);
	free(in);
	return root;
}

static json_t *
vpa0(json_t *root)
{
	json_t *v = json_array_get(json_object_get(root, "vpas"), 0);

	ck_assert_ptr_nonnull(v);
	return v;
}

/* Alive pods with the given requests. */
static int
count_pods(json_t *root, int64_t cpu_m, int64_t mem_b)
{
	json_t *pods = json_object_get(root, "pods"), *p;
	size_t i;
	int n = 0;

	json_array_foreach(pods, i, p) {
		const char *ph = json_string_value(json_object_get(p, "phase"));

		if (strcmp(ph, "Running") != 0 && strcmp(ph, "Pending") != 0)
			continue;
		if (json_integer_value(json_object_get(p, "cpu_m")) == cpu_m &&
		    json_integer_value(json_object_get(p, "memory_bytes")) == mem_b)
			n++;
	}
	return n;
}

/* HDR(...) text, the Deployment, the VPA, then `extra` documents. */
static char *
scenario(const char *dur_hdr, int replicas, const char *res, const char *vspec,
    const char *vpol, const char *extra)
{
	return xasprintf("%s" DEPLOY VPA "%s", dur_hdr, replicas, res, vspec, vpol, extra);
}

/* ---- core --------------------------------------------------------------- */

START_TEST(test_hamster_file)
{
	json_t *root = tu_run_ok(tu_scenario("hamster-vpa.yaml")), *v;
	int64_t t_rec = -1, t_ev = -1;

	v = vpa0(root);
	ck_assert_str_eq(tu_path_str(v, "name"), "hamster-vpa");
	ck_assert_str_eq(tu_path_str(v, "mode"), "Auto");
	/* 511m + 76m; 250 MiB floor */
	ck_assert_int_eq(tu_path_int(v, "containers.0.target.cpu_m"), 587);
	ck_assert_int_eq(tu_path_int(v, "containers.0.target.memory_bytes"), 262144000);
	ck_assert_str_eq(tu_path_str(v, "containers.0.target.cpu"), "587m");
	ck_assert_str_eq(tu_path_str(v, "containers.0.target.memory"), "262144k");
	/* upper: 1e14 or 587*(1+1440/(k-1)) capped to maxAllowed 1 core */
	ck_assert_str_eq(tu_path_str(v, "containers.0.upper_bound.cpu"), "1");
	ck_assert_int_eq(tu_path_int(v, "containers.0.lower_bound.memory_bytes"), 262144000);
	/* the recommendation is there 1-2 minutes in */
	ck_assert_int_eq(tu_events(root, "VPARecommendation", NULL, &t_rec), 1);
	ck_assert_int_ge(t_rec, 60000);
	ck_assert_int_le(t_rec, 120000);
	ck_assert_int_eq(tu_path_int(v, "samples.0.containers.0.target.cpu_m"), 587);
	/* two evictions, one at a time, both pods recreated at 587m/262144k */
	ck_assert_int_eq(tu_events(root, "EvictedByVPA", NULL, &t_ev), 2);
	ck_assert_int_ge(t_ev, t_rec);
	ck_assert_int_eq(tu_path_int(v, "evictions"), 2);
	ck_assert_int_eq(count_pods(root, 587, 262144000), 2);
	ck_assert_int_eq(count_pods(root, 100, 50 * MIB), 0);
	{
		json_t *ev = json_object_get(root, "events"), *e;
		size_t i;
		int64_t prev = -1;

		json_array_foreach(ev, i, e) {
			int64_t at = json_integer_value(json_object_get(e, "at_ms"));

			if (strcmp(json_string_value(json_object_get(e, "type")), "EvictedByVPA"))
				continue;
			ck_assert_str_eq(json_string_value(json_object_get(e, "message")),
			    "Pod was evicted by VPA Updater to apply resource recommendation.");
			ck_assert_int_gt(at, prev);	/* not in the same loop */
			prev = at;
		}
	}
	json_decref(root);
}
END_TEST

/*
 * The cases below are scenarios in tests/cases/vpa-*.yaml, whose expect:
 * blocks (run by tests/cases.sh) assert the recommendations and derive
 * them; these tests read what expect: cannot say: evictions, admissions,
 * the pods' requests, warnings and event messages.
 */
#define CASE(name)	tu_scenario("../tests/cases/" name ".yaml")

START_TEST(test_mode_off)
{
	json_t *root = tu_run_ok(CASE("vpa-mode-off")), *v = vpa0(root);

	/* recommendation only: no eviction, requests untouched */
	ck_assert_str_eq(tu_path_str(v, "mode"), "Off");
	ck_assert_int_eq(tu_events(root, "EvictedByVPA", NULL, NULL), 0);
	ck_assert_int_eq(count_pods(root, 100, 50 * MIB), 2);
	json_decref(root);
}
END_TEST

START_TEST(test_mode_initial)
{
	/* Initial: no eviction; a pod created at 3m (scale to 3) is admitted */
	json_t *root = tu_run_ok(CASE("vpa-mode-initial"));

	ck_assert_int_eq(tu_events(root, "EvictedByVPA", NULL, NULL), 0);
	ck_assert_int_eq(count_pods(root, 100, 50 * MIB), 2);
	ck_assert_int_eq(count_pods(root, 587, 262144000), 1);
	ck_assert_int_eq(tu_path_int(vpa0(root), "pods_admitted"), 1);
	json_decref(root);
}
END_TEST

START_TEST(test_mode_recreate)
{
	json_t *root = tu_run_ok(CASE("vpa-mode-recreate"));

	ck_assert_int_eq(tu_events(root, "EvictedByVPA", NULL, NULL), 2);
	ck_assert_int_eq(count_pods(root, 587, 262144000), 2);
	json_decref(root);
}
END_TEST

/*
 * The 12 h rule counts from status.startTime (bound at 0:00), not from the
 * container start (0:05 after a 5 minute pull): first eviction 12:00:00.
 */
START_TEST(test_start_time_rule)
{
	json_t *root = tu_run_ok(CASE("vpa-start-time"));
	int64_t first = -1;

	ck_assert_int_eq(tu_events(root, "EvictedByVPA", NULL, &first), 2);
	ck_assert_int_eq(first, 12 * 3600 * 1000);
	json_decref(root);
}
END_TEST

/* memory: "0" is a request: the cpu-lowering requirement keeps those pods. */
START_TEST(test_zero_request)
{
	json_t *root = tu_run_ok(CASE("vpa-zero-request"));

	ck_assert_int_eq(tu_events(root, "EvictedByVPA", NULL, NULL), 2);
	ck_assert_int_eq(count_pods(root, 100, 0), 2);
	ck_assert_int_eq(count_pods(root, 587, 262144000), 2);
	json_decref(root);
}
END_TEST

START_TEST(test_controlled_memory_only)
{
	/* controlledResources [memory]: cpu is neither recommended nor set */
	json_t *root = tu_run_ok(CASE("vpa-controlled-memory")), *v = vpa0(root);

	ck_assert(json_is_null(json_object_get(json_object_get(json_array_get(
	    json_object_get(v, "containers"), 0), "target"), "cpu_m")));
	ck_assert_int_eq(count_pods(root, 100, 262144000), 2);
	json_decref(root);
}
END_TEST

START_TEST(test_hpa_fight_warning)
{
	/* an HPA on cpu (autoscaling/v1: targetCPUUtilizationPercentage) and
	 * the VPA on cpu and memory of the same Deployment */
	json_t *root = tu_run_ok(CASE("vpa-hpa-fight-warning"));
	const char *w = tu_path_str(vpa0(root), "warnings.0");

	ck_assert_msg(strstr(w, "HorizontalPodAutoscaler hamster and VerticalPodAutoscaler "
	    "hamster-vpa both act on the cpu of Deployment default/hamster: they will fight")
	    != NULL, "%s", w);
	json_decref(root);
	/* the VPA limited to memory: no warning */
	root = tu_run_ok(CASE("vpa-hpa-no-fight"));
	ck_assert_int_eq(json_array_size(json_object_get(vpa0(root), "warnings")), 0);
	json_decref(root);
}
END_TEST

START_TEST(test_timeline_vpa)
{
	/* a VPA created at 2m: pods are tracked from the 2m loop on, which
	 * samples them and recommends at once (one sample is enough) */
	json_t *root = tu_run_ok(CASE("vpa-timeline")), *v = vpa0(root);
	int64_t t_rec = -1;

	ck_assert_str_eq(tu_path_str(v, "name"), "late");
	ck_assert_int_eq(tu_path_int(v, "created_at_ms"), 120000);
	ck_assert_int_eq(tu_events(root, "VPARecommendation", NULL, &t_rec), 1);
	ck_assert_int_eq(t_rec, 120000);
	json_decref(root);
}
END_TEST

/* ---- limits ------------------------------------------------------------- */

START_TEST(test_limits_proportional)
{
	/* RequestsAndLimits: limits keep their ratio to the requests (the
	 * case derives 5870m and 524288k) */
	json_t *root = tu_run_ok(CASE("vpa-limits-proportional"));
	json_t *ev = json_object_get(root, "events"), *e;
	size_t i;
	int seen = 0;

	ck_assert_int_eq(count_pods(root, 587, 262144000), 2);
	json_array_foreach(ev, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "type")), "VPAAdmission"))
			continue;
		ck_assert_str_eq(json_string_value(json_object_get(e, "message")),
		    "Pod resources updated by hamster-vpa: container 0: cpu request 587m, "
		    "cpu limit 5870m, memory request 262144k, memory limit 524288k");
		seen++;
	}
	ck_assert_int_eq(seen, 2);
	json_decref(root);
}
END_TEST

START_TEST(test_requests_only_capped)
{
	/* RequestsOnly with a 300m cpu limit: the status says 350m (the case
	 * derives it); the pods' requests are capped at the limit */
	json_t *root = tu_run_ok(CASE("vpa-requests-only-capped"));

	ck_assert_int_eq(count_pods(root, 300, 262144000), 2);
	json_decref(root);
}
END_TEST

START_TEST(test_min_replicas)
{
	/* one replica: live 1 < --min-replicas 2, the group is skipped */
	json_t *root = tu_run_ok(CASE("vpa-min-replicas-default"));

	ck_assert_int_eq(tu_events(root, "EvictedByVPA", NULL, NULL), 0);
	json_decref(root);
	/* updatePolicy.minReplicas 1: tolerance (int)(1*0.5) = 0, but
	 * configured == running and nothing evicted yet: one pod may go */
	root = tu_run_ok(CASE("vpa-min-replicas-one"));
	ck_assert_int_eq(tu_events(root, "EvictedByVPA", NULL, NULL), 1);
	ck_assert_int_eq(count_pods(root, 587, 262144000), 1);
	json_decref(root);
}
END_TEST

START_TEST(test_pdb_blocks)
{
	/* maxUnavailable 0: every eviction is refused */
	json_t *root = tu_run_ok(CASE("vpa-pdb-blocks")), *v = vpa0(root);

	ck_assert_int_eq(tu_events(root, "EvictedByVPA", NULL, NULL), 0);
	ck_assert_int_gt(tu_path_int(v, "evictions_refused_by_pdb"), 0);
	ck_assert_int_eq(count_pods(root, 100, 50 * MIB), 2);
	json_decref(root);
}
END_TEST

START_TEST(test_binary_si_version)
{
	/* VPA 1.5 prints the same 262144000 B as 250Mi */
	json_t *root = tu_run_ok(CASE("vpa-binary-si"));

	ck_assert_str_eq(tu_path_str(vpa0(root), "containers.0.target.memory"), "250Mi");
	json_decref(root);
}
END_TEST

/*
 * The release from the manifests: the recommender's Deployment runs
 * registry.k8s.io/autoscaling/vpa-recommender:1.5.0, so VPA 1.5 prints
 * 250Mi; the metrics-server Deployment's v0.7.2 is reported too.
 */
#define COMPONENTS							\
	"---\n"								\
	"apiVersion: apps/v1\n"						\
	"kind: Deployment\n"						\
	"metadata: {name: vpa-recommender, namespace: kube-system}\n"	\
	"spec:\n"							\
	"  selector: {matchLabels: {app: vpa-recommender}}\n"		\
	"  template:\n"							\
	"    metadata: {labels: {app: vpa-recommender}}\n"		\
	"    spec:\n"							\
	"      containers:\n"						\
	"        - name: recommender\n"					\
	"          image: registry.k8s.io/autoscaling/vpa-recommender:1.5.0\n" \
	"          resources: {requests: {cpu: 50m, memory: 500Mi}}\n"	\
	"---\n"								\
	"apiVersion: apps/v1\n"						\
	"kind: Deployment\n"						\
	"metadata: {name: metrics-server, namespace: kube-system}\n"	\
	"spec:\n"							\
	"  selector: {matchLabels: {k8s-app: metrics-server}}\n"		\
	"  template:\n"							\
	"    metadata: {labels: {k8s-app: metrics-server}}\n"		\
	"    spec:\n"							\
	"      containers:\n"						\
	"        - name: metrics-server\n"					\
	"          image: registry.k8s.io/metrics-server/metrics-server:v0.7.2\n" \
	"          resources: {requests: {cpu: 100m, memory: 200Mi}}\n"	\
	"---\n"								\
	"apiVersion: autoscaling/v1\n"					\
	"kind: HorizontalPodAutoscaler\n"				\
	"metadata: {name: hamster}\n"					\
	"spec:\n"							\
	"  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: hamster}\n" \
	"  maxReplicas: 2\n"

START_TEST(test_release_from_images)
{
	struct ks_error err;
	char *s = scenario(HDR("3m"), 2, REQ_ONLY, "", "", COMPONENTS);
	json_t *root = run_text(s, &err), *h;

	ck_assert_msg(root != NULL, "%s", err.msg);
	ck_assert_str_eq(tu_path_str(vpa0(root), "vpa_version"), "1.5");
	ck_assert_str_eq(tu_path_str(vpa0(root), "vpa_version_source"),
	    "registry.k8s.io/autoscaling/vpa-recommender:1.5.0");
	ck_assert_str_eq(tu_path_str(vpa0(root), "containers.0.target.memory"), "250Mi");
	h = json_array_get(json_object_get(root, "hpas"), 0);
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(tu_path_str(h, "metrics_server_version"), "v0.7.2");
	ck_assert_str_eq(tu_path_str(h, "metrics_server_version_source"),
	    "registry.k8s.io/metrics-server/metrics-server:v0.7.2");
	json_decref(root);
	free(s);
}
END_TEST

START_TEST(test_oom_bump)
{
	/* memory limit 300Mi, demand 400Mi: two OOM kills, then the bumped
	 * target (511772986 B, derived in the case); admission sets the limit
	 * to 300Mi * 511772986 / 50Mi = 6 * 511772986 = 3070637916 */
	json_t *root = tu_run_ok(CASE("vpa-oom-bump")), *v = vpa0(root);

	ck_assert_int_eq(tu_events(root, "OOMKilled", NULL, NULL), 2);
	ck_assert_str_eq(tu_path_str(v, "containers.0.target.memory"), "511772986");
	ck_assert_int_eq(count_pods(root, 587, 511772986), 2);
	json_decref(root);
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

static void
expect_error(const char *text, int line, int col, const char *needle)
{
	struct ks_error err;
	json_t *root = run_text(text, &err);

	ck_assert_ptr_null(root);
	ck_assert_int_eq(err.code, KS_EINVAL);
	ck_assert_msg(err.at.line == line && err.at.col == col, "error at %d:%d, expected %d:%d: %s",
	    err.at.line, err.at.col, line, col, err.msg);
	ck_assert_msg(strstr(err.msg, needle) != NULL, "message \"%s\" lacks \"%s\"", err.msg,
	    needle);
}

START_TEST(test_unknown_target)
{
	/* the targetRef name "hamsterr" is at line 5, column 60 */
	expect_error(
	    "apiVersion: autoscaling.k8s.io/v1\n"
	    "kind: VerticalPodAutoscaler\n"
	    "metadata: {name: v}\n"
	    "spec:\n"
	    "  targetRef: {apiVersion: apps/v1, kind: Deployment, name: hamsterr}\n",
	    5, 60, "unknown targetRef Deployment default/hamsterr");
}
END_TEST

START_TEST(test_min_above_max)
{
	char *s = scenario(HDR("3m"), 2, REQ_ONLY, "", "", "");
	char *t = strstr(s, "minAllowed: {cpu: 100m");
	int line = 1;

	/* minAllowed cpu 1.5 > maxAllowed cpu 1: reported at the minAllowed value */
	ck_assert_ptr_nonnull(t);
	memcpy(t, "minAllowed: {cpu: 1.5 ", strlen("minAllowed: {cpu: 1.5 "));
	for (const char *c = s; c < t; c++)
		line += *c == '\n';
	expect_error(s, line, 27, "minAllowed cpu 1500m is greater than maxAllowed cpu 1");
	free(s);
}
END_TEST

START_TEST(test_bad_mode)
{
	char *s = scenario(HDR("3m"), 2, REQ_ONLY, "  updatePolicy: {updateMode: Sometimes}\n",
	    "", "");
	char *t = strstr(s, "updatePolicy");
	int line = 1;

	for (const char *c = s; c < t; c++)
		line += *c == '\n';
	expect_error(s, line, 30, "expected updateMode Off, Initial, Recreate, Auto");
	free(s);
}
END_TEST

START_TEST(test_unknown_field)
{
	char *s = scenario(HDR("3m"), 2, REQ_ONLY, "  updatePolicy: {mode: Auto}\n", "", "");
	char *t = strstr(s, "updatePolicy");
	int line = 1;

	for (const char *c = s; c < t; c++)
		line += *c == '\n';
	expect_error(s, line, 18, "unknown field \"mode\" in updatePolicy");
	free(s);
}
END_TEST

Suite *
vpa_suite(void)
{
	Suite	*s = suite_create("vpa");
	TCase	*tc;

	tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_hamster_file);
	tcase_add_test(tc, test_mode_off);
	tcase_add_test(tc, test_mode_initial);
	tcase_add_test(tc, test_mode_recreate);
	tcase_add_test(tc, test_start_time_rule);
	tcase_add_test(tc, test_zero_request);
	tcase_add_test(tc, test_controlled_memory_only);
	tcase_add_test(tc, test_hpa_fight_warning);
	tcase_add_test(tc, test_timeline_vpa);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_limits_proportional);
	tcase_add_test(tc, test_requests_only_capped);
	tcase_add_test(tc, test_min_replicas);
	tcase_add_test(tc, test_pdb_blocks);
	tcase_add_test(tc, test_binary_si_version);
	tcase_add_test(tc, test_oom_bump);
	tcase_add_test(tc, test_release_from_images);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_unknown_target);
	tcase_add_test(tc, test_min_above_max);
	tcase_add_test(tc, test_bad_mode);
	tcase_add_test(tc, test_unknown_field);
	suite_add_tcase(s, tc);
	return s;
}

#ifndef KS_NO_TEST_MAIN
int
main(void)
{
	return tu_main(vpa_suite());
}
#endif
