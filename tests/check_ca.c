/*
 * check_ca.c: the Cluster Autoscaler, end to end through the library.
 *
 * Each test runs a scenario (the shipped kubeflow one, or a small one
 * written to a temporary file) with ksim_run_json() and asserts CA's
 * decisions in the JSON report: scale-ups (group, from, to, pods, score),
 * scale-downs, node statuses and the pods' autoscaler reasons.  The
 * numbers are worked by hand in the comments.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autoscale/ca/ca.h"
#include "ksim.h"
#include "testutil.h"
#include "util/error.h"

Suite *ca_suite(void);

static json_t *
ca_obj(json_t *rep, const char *key)
{
	json_t *ca = json_object_get(rep, "cluster_autoscaler");

	ck_assert_ptr_nonnull(ca);
	return json_object_get(ca, key);
}

static const char *
node_status(json_t *rep, const char *name)
{
	return tu_str(tu_named(ca_obj(rep, "nodes"), name), "status");
}

/* The EKS DaemonSets in one: 155m / 120Mi per node. */
#define DS_YAML \
	"---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds, namespace: kube-system}\n" \
	"spec:\n  selector: {matchLabels: {app: ds}}\n  template:\n    metadata: {labels: {app: ds}}\n" \
	"    spec:\n      priority: 2000001000\n      tolerations: [{operator: Exists}]\n      containers:\n" \
	"        - {name: d, image: ds:1, resources: {requests: {cpu: 155m, memory: 120Mi}}}\n"

/* ---- core ---- */

/*
 * Reference C.1 on ng-m5-4xl (CA 1.32 from the upstream Deployment: a loop
 * every 10 s).  P1 16 CPU / 64Gi: the template's free cpu is
 * 15890 - 155 = 15735 < 16000 and memory 60640.5 - 120 MiB < 65536 MiB, so
 * it never triggers a scale-up.  P2 (created 2:00) triggers 2->3 at the
 * 2:10 loop; node Ready 10 s + 70 s later (3:30), image pull 120 s +
 * container start 1 s: Running at 5:31, 211 s after creation.  P3, P4 fit
 * at once.  P5 (8:00) triggers 3->4 at 8:10.  The four running notebooks
 * are deleted at 12:00; the 12:10 loop finds C and D empty; removable
 * once strictly more than 10 min has passed (unneeded/nodes.go
 * unremovableReason: since + time Before now), not at 22:10: the 22:20
 * loop taints them and at 22:25 they are removed, desired 4 -> 2.
 */
START_TEST(test_kubeflow_c1)
{
	json_t *rep = tu_run_ok(tu_scenario("kubeflow-notebooks-ca.yaml"));
	json_t *ups = ca_obj(rep, "scale_ups"), *downs = ca_obj(rep, "scale_downs");
	json_t *p1 = tu_find(rep, "pods", "nb-16cpu-64gi-0");
	json_t *p2 = tu_find(rep, "pods", "nb-10cpu-10gi-0");
	json_t *p3 = tu_find(rep, "pods", "nb-4cpu-32gi-0");
	json_t *p4 = tu_find(rep, "pods", "nb-8cpu-32gi-0");
	json_t *u;
	long long took;

	ck_assert_str_eq(tu_str(rep, "scenario"), "kubeflow-notebooks-ca");
	/* exactly two scale-ups: P2 and P5 */
	ck_assert_int_eq(json_array_size(ups), 2);
	u = json_array_get(ups, 0);
	ck_assert_int_eq(tu_int(u, "at_ms"), 130000);
	ck_assert_int_eq(tu_int(u, "from"), 2);
	ck_assert_int_eq(tu_int(u, "to"), 3);
	ck_assert_int_eq(tu_int(u, "pods"), 1);
	/* least-waste = (16000-10000)/16000 + (63569.5-10240)/63569.5 MiB = 0.375 + 0.839 */
	ck_assert(fabs(json_real_value(json_object_get(u, "score")) - 1.214) < 1e-9);
	u = json_array_get(ups, 1);
	ck_assert_int_eq(tu_int(u, "at_ms"), 490000);
	ck_assert_int_eq(tu_int(u, "from"), 3);
	ck_assert_int_eq(tu_int(u, "to"), 4);
	/* (16000-15000)/16000 + (63569.5-32768)/63569.5 = 0.0625 + 0.4845 */
	ck_assert(fabs(json_real_value(json_object_get(u, "score")) - 0.547) < 1e-9);
	/* P1 stays Pending with both reasons */
	ck_assert_str_eq(tu_str(p1, "phase"), "Pending");
	ck_assert_ptr_nonnull(strstr(tu_str(p1, "reason"), "Insufficient cpu"));
	ck_assert_str_eq(tu_str(p1, "autoscaler_reason"),
	    "pod didn't trigger scale-up: 1 Insufficient cpu, 1 Insufficient memory");
	/* P2 Running about 200 s after creation */
	took = tu_int(p2, "running_at_ms") - tu_int(p2, "created_at_ms");
	ck_assert_int_eq(took, 211000);
	ck_assert_int_eq(tu_int(p2, "scheduled_at_ms"), 210000);
	/* P3 and P4 are bound at once on existing nodes */
	ck_assert_int_eq(tu_int(p3, "scheduled_at_ms"), tu_int(p3, "created_at_ms"));
	ck_assert_int_eq(tu_int(p4, "scheduled_at_ms"), tu_int(p4, "created_at_ms"));
	ck_assert_str_ne(tu_str(p3, "node"), tu_str(p4, "node"));
	/* the two empty nodes go at the first loop more than 10 min after the
	 * 12:10 one, 5 s after the taint */
	ck_assert_int_eq(json_array_size(downs), 2);
	ck_assert_int_eq(tu_int(json_array_get(downs, 0), "at_ms"), 1345000);
	ck_assert(json_is_true(json_object_get(json_array_get(downs, 0), "empty")));
	ck_assert_int_eq(tu_int(json_array_get(downs, 1), "to"), 2);
	json_decref(rep);
}
END_TEST

START_TEST(test_node_group_samples)
{
	json_t *rep = tu_run_ok(tu_scenario("kubeflow-notebooks-ca.yaml"));
	json_t *g = json_array_get(json_object_get(rep, "node_groups"), 0);
	json_t *s = json_object_get(g, "samples");
	static const long long want[][3] = {
		{ 0, 2, 2 }, { 130000, 3, 2 }, { 210000, 3, 3 }, { 490000, 4, 3 },
		{ 570000, 4, 4 }, { 1345000, 2, 2 },
	};

	ck_assert_str_eq(tu_str(g, "name"), "ng-m5-4xl");
	ck_assert_str_eq(tu_str(g, "instance_type"), "m5.4xlarge");
	ck_assert_int_eq(json_array_size(s), 6);
	for (size_t i = 0; i < 6; i++) {
		json_t *x = json_array_get(s, i);

		ck_assert_int_eq(tu_int(x, "at_ms"), want[i][0]);
		ck_assert_int_eq(tu_int(x, "desired"), want[i][1]);
		ck_assert_int_eq(tu_int(x, "ready"), want[i][2]);
	}
	json_decref(rep);
}
END_TEST

static const char *const expander_head =
    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
    "  duration: 5m\n  clusterAutoscaler: {expander: ";
static const char *const expander_tail = "}\n"
    "  nodeGroups:\n"
    "    - {name: ng-c5, instanceType: c5.xlarge, minSize: 0, maxSize: 1, desiredCapacity: 0}\n"
    "    - {name: ng-m5, instanceType: m5.2xlarge, minSize: 0, maxSize: 1, desiredCapacity: 0}\n"
    "  timeline:\n    - at: 30s\n      create:\n        apiVersion: apps/v1\n"
    "        kind: Deployment\n        metadata: {name: b}\n        spec:\n          replicas: 6\n"
    "          selector: {matchLabels: {app: b}}\n          template:\n"
    "            metadata: {labels: {app: b}}\n            spec:\n              containers:\n"
    "                - {name: w, image: w:1, resources: {requests: {cpu: '1', memory: 1Gi}}}\n"
    DS_YAML;

static json_t *
run_expander(const char *exp)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s%s%s", expander_head, exp, expander_tail);
	return tu_run_text(buf);
}

/*
 * Options for 6 pods of 1 CPU / 1 GiB, each group +1 at most (templates from
 * the ASG: allocatable = capacity, minus the 155m DaemonSet):
 *   ng-c5 (4000m / 8 GiB): 3 pods; ng-m5 (8000m / 32 GiB): 6 pods.
 * least-waste: 0.25 + 5120/8192 = 0.875 vs 0.25 + 26624/32768 = 1.0625 -> ng-c5.
 * most-pods: 6 > 3 -> ng-m5.
 */
START_TEST(test_expanders_differ)
{
	json_t *rep = run_expander("least-waste"), *u;

	u = json_array_get(ca_obj(rep, "scale_ups"), 0);
	ck_assert_str_eq(tu_str(u, "group"), "ng-c5");
	ck_assert_int_eq(tu_int(u, "pods"), 3);
	ck_assert_int_eq(tu_int(u, "options"), 2);
	ck_assert(fabs(json_real_value(json_object_get(u, "score")) - 0.875) < 1e-9);
	/* the three left need the other group, in the next (immediate) loop */
	ck_assert_int_eq(json_array_size(ca_obj(rep, "scale_ups")), 2);
	ck_assert_str_eq(tu_str(json_array_get(ca_obj(rep, "scale_ups"), 1), "group"), "ng-m5");
	json_decref(rep);

	rep = run_expander("most-pods");
	ck_assert_int_eq(json_array_size(ca_obj(rep, "scale_ups")), 1);
	u = json_array_get(ca_obj(rep, "scale_ups"), 0);
	ck_assert_str_eq(tu_str(u, "group"), "ng-m5");
	ck_assert_int_eq(tu_int(u, "pods"), 6);
	json_decref(rep);

	/* least-nodes: both need one node -> a tie, broken by the seeded random draw */
	rep = run_expander("least-nodes");
	ck_assert_int_ge(json_array_size(ca_obj(rep, "scale_ups")), 1);
	json_decref(rep);
}
END_TEST

/*
 * --expander=price: upstream's AWS provider has no pricing model
 * (Pricing() returns ErrNotImplemented) and the expander factory stops
 * the autoscaler at start; ksim rejects the flag where it is given
 * (tests/errors/ca-price-expander-aws shows the command-line case).
 */
START_TEST(test_price_expander_on_aws)
{
	char buf[4096];
	struct ks_error err;

	snprintf(buf, sizeof(buf), "%s%s%s", expander_head, "'least-waste,price'", expander_tail);
	ck_assert_int_eq(tu_validate_text(buf, &err), KS_EINVAL);
	ck_assert_int_eq(err.at.line, 6);
	ck_assert_int_eq(err.at.col, 33);
	ck_assert_str_eq(err.msg, "expander price: cluster-autoscaler on AWS exits at start with "
	    "\"Couldn't access cloud provider pricing for price expander: Not implemented\" "
	    "(the AWS provider has no pricing model)");
}
END_TEST

/*
 * Binpacking (reference C.3): 30 pods of 1000m / 2048Mi on an m5.4xlarge
 * group at zero.  ASG template: 16000m - 155m = 15845m free -> 15 pods per
 * node by cpu (memory: (65536-120)/2048 = 31) -> N = 2, one scale-up 0->2.
 */
START_TEST(test_estimator)
{
	json_t *rep = tu_run_text(
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  duration: 4m\n  clusterAutoscaler: {}\n"
	    "  nodeGroups:\n"
	    "    - {name: ng, instanceType: m5.4xlarge, minSize: 0, maxSize: 10, desiredCapacity: 0}\n"
	    "  timeline:\n    - at: 0s\n      create:\n        apiVersion: apps/v1\n"
	    "        kind: Deployment\n        metadata: {name: b}\n        spec:\n          replicas: 30\n"
	    "          selector: {matchLabels: {app: b}}\n          template:\n"
	    "            metadata: {labels: {app: b}}\n            spec:\n              containers:\n"
	    "                - {name: w, image: w:1, resources: {requests: {cpu: '1', memory: 2Gi}}}\n"
	    DS_YAML);
	json_t *u = json_array_get(ca_obj(rep, "scale_ups"), 0);

	ck_assert_int_eq(json_array_size(ca_obj(rep, "scale_ups")), 1);
	ck_assert_int_eq(tu_int(u, "from"), 0);
	ck_assert_int_eq(tu_int(u, "to"), 2);
	ck_assert_int_eq(tu_int(u, "pods"), 30);
	/* created at 0, all new until 2 s: the 10 s loop scales up */
	ck_assert_int_eq(tu_int(u, "at_ms"), 10000);
	json_decref(rep);
}
END_TEST

/* ---- limits ---- */

/*
 * A group at zero: the ASG template has allocatable = capacity (16000m), so
 * a 15800m pod seems to fit (15800 + 155 <= 16000) and CA adds a node; the
 * real node has 15890m, 15800 + 155 > 15890: the pod stays Pending.  Until
 * that node (Ready at 2:00) has been Ready for strictly more than 1 min
 * (isNodeGoodTemplateCandidate: ready + stabilizationDelay Before now) the
 * ASG template is still used, so the 2:10 loop adds a second node
 * (upcoming nodes no longer cover the pod); from 3:10 the template is the
 * real node and the pod is rejected ("1 Insufficient cpu").  The first
 * node, unneeded from 2:00, is removable after 12:00 and the 2:10
 * scale-up holds scale-down back (scale-down-delay-after-add 10 min)
 * until 12:10: tainted then, removed at 12:15.
 */
START_TEST(test_template_from_asg)
{
	json_t *rep = tu_run_text(
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  duration: 20m\n  clusterAutoscaler: {}\n"
	    "  nodeGroups:\n"
	    "    - {name: ng, instanceType: m5.4xlarge, minSize: 0, maxSize: 3, desiredCapacity: 0}\n"
	    "  timeline:\n    - at: 30s\n      create:\n        apiVersion: v1\n        kind: Pod\n"
	    "        metadata: {name: big}\n        spec:\n          containers:\n"
	    "            - {name: c, image: c:1, resources: {requests: {cpu: 15800m, memory: 50Gi}}}\n"
	    DS_YAML);
	json_t *p = tu_find(rep, "pods", "big");
	int64_t first = -1;

	ck_assert_int_eq(json_array_size(ca_obj(rep, "scale_ups")), 2);
	/* the real template first at 3:10: Ready at 2:00, not stable at 3:00 */
	ck_assert_int_ge(tu_events(rep, "NotTriggerScaleUp", "pod didn't trigger scale-up:", &first), 1);
	ck_assert_int_eq(first, 190000);
	ck_assert_int_eq(tu_int(json_array_get(ca_obj(rep, "scale_ups"), 0), "at_ms"), 40000);
	ck_assert_int_eq(tu_int(json_array_get(ca_obj(rep, "scale_ups"), 1), "at_ms"), 130000);
	ck_assert_str_eq(tu_str(p, "phase"), "Pending");
	ck_assert_str_eq(tu_str(p, "autoscaler_reason"),
	    "pod didn't trigger scale-up: 1 Insufficient cpu");
	ck_assert_int_eq(json_array_size(ca_obj(rep, "scale_downs")), 2);
	ck_assert_int_eq(tu_int(json_array_get(ca_obj(rep, "scale_downs"), 0), "at_ms"), 735000);
	json_decref(rep);
}
END_TEST

START_TEST(test_max_size)
{
	json_t *rep = tu_run_text(
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  duration: 2m\n  clusterAutoscaler: {}\n"
	    "  nodeGroups:\n"
	    "    - {name: ng, instanceType: m5.large, minSize: 1, maxSize: 1, desiredCapacity: 1}\n"
	    "  timeline:\n    - at: 30s\n      create:\n        apiVersion: v1\n        kind: Pod\n"
	    "        metadata: {name: p}\n        spec:\n          containers:\n"
	    "            - {name: c, image: c:1, resources: {requests: {cpu: '1900m'}}}\n"
	    DS_YAML);

	ck_assert_int_eq(json_array_size(ca_obj(rep, "scale_ups")), 0);
	ck_assert_str_eq(tu_str(tu_find(rep, "pods", "p"), "autoscaler_reason"),
	    "pod didn't trigger scale-up: 1 max node group size reached");
	json_decref(rep);
}
END_TEST

/*
 * A node group's own image pull times win over the scenario's on its nodes
 * (a pre-baked AMI): the scenario pulls the 3 GB image in 2 min, group
 * "baked" in 5 s.  The same pod, created at 30 s, on each group (a
 * nodeSelector picks it): the baked node runs it 115 s sooner.
 */
START_TEST(test_group_image_pull)
{
	json_t *rep = tu_run_text(
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  duration: 10m\n  clusterAutoscaler: {}\n"
	    "  timing: {images: {big:1: 2m}}\n"
	    "  nodeGroups:\n"
	    "    - {name: plain, instanceType: m5.large, minSize: 0, maxSize: 2, desiredCapacity: 0,"
	    " labels: {g: plain}}\n"
	    "    - {name: baked, instanceType: m5.large, minSize: 0, maxSize: 2, desiredCapacity: 0,"
	    " labels: {g: baked}, images: {big:1: 5s}}\n"
	    "  timeline:\n"
	    "    - at: 30s\n      create: {apiVersion: v1, kind: Pod, metadata: {name: a},"
	    " spec: {nodeSelector: {g: plain}, containers: [{name: c, image: big:1,"
	    " resources: {requests: {cpu: 1}}}]}}\n"
	    "    - at: 30s\n      create: {apiVersion: v1, kind: Pod, metadata: {name: b},"
	    " spec: {nodeSelector: {g: baked}, containers: [{name: c, image: big:1,"
	    " resources: {requests: {cpu: 1}}}]}}\n");
	json_t *a = tu_find(rep, "pods", "a"), *b = tu_find(rep, "pods", "b");

	/* both groups scale in the same loop and boot alike: same bind time */
	ck_assert_int_eq(tu_int(a, "scheduled_at_ms"), tu_int(b, "scheduled_at_ms"));
	ck_assert_int_eq(tu_int(a, "running_at_ms") - tu_int(a, "scheduled_at_ms"), 120000 + 1000);
	ck_assert_int_eq(tu_int(b, "running_at_ms") - tu_int(b, "scheduled_at_ms"), 5000 + 1000);
	json_decref(rep);
}
END_TEST

/*
 * --max-nodes-total counts nodes on their way: three 1900m pods on a group
 * of m5.large (one pod each) created 30 s apart, cap 2.  The first scale-up
 * adds one node; the second pod triggers another while the first boots;
 * the third must not, though only one node is Ready yet: 0 ready + 2
 * upcoming = 2 = the cap.
 */
START_TEST(test_max_nodes_total_counts_upcoming)
{
	json_t *rep = tu_run_text(
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  duration: 10m\n  clusterAutoscaler: {maxNodesTotal: 2}\n"
	    "  nodeGroups:\n"
	    "    - {name: ng, instanceType: m5.large, minSize: 0, maxSize: 10, desiredCapacity: 0}\n"
	    "  timeline:\n"
	    "    - {at: 30s, scale: {kind: Deployment, name: d, replicas: 1}}\n"
	    "    - {at: 50s, scale: {kind: Deployment, name: d, replicas: 2}}\n"
	    "    - {at: 70s, scale: {kind: Deployment, name: d, replicas: 3}}\n"
	    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
	    "spec:\n  replicas: 0\n  selector: {matchLabels: {app: d}}\n  template:\n"
	    "    metadata: {labels: {app: d}}\n    spec:\n      containers:\n"
	    "        - {name: c, image: c:1, resources: {requests: {cpu: '1900m'}}}\n");
	json_t *n;
	size_t i, count = 0;

	json_array_foreach(json_object_get(rep, "nodes"), i, n)
		count++;
	ck_assert_uint_eq(count, 2);
	json_decref(rep);
}
END_TEST

/*
 * max-node-provision-time: the group "slow" boots in 20 min, so its
 * scale-up at 0:40 times out at the first loop strictly after 0:40 + 15 min
 * (clusterstate.go updateScaleRequests: ExpectedAddTime Before now), 15:50;
 * the instance is given up (desired 1 -> 0), the group is backed off
 * 5 min, and the same loop scales "fast".
 * least-waste first preferred slow: m5.large 2000m/8 GiB for 1000m:
 * 0.5 + 1 = 1.5 against m5.xlarge 0.75 + 1 = 1.75.
 */
START_TEST(test_timeout_backoff)
{
	json_t *rep = tu_run_text(
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  duration: 20m\n  clusterAutoscaler: {}\n"
	    "  nodeGroups:\n"
	    "    - {name: slow, instanceType: m5.large, minSize: 0, maxSize: 3, desiredCapacity: 0,"
	    " nodeStartup: 20m}\n"
	    "    - {name: fast, instanceType: m5.xlarge, minSize: 0, maxSize: 3, desiredCapacity: 0}\n"
	    "  timeline:\n    - at: 30s\n      create:\n        apiVersion: v1\n        kind: Pod\n"
	    "        metadata: {name: p}\n        spec:\n          containers:\n"
	    "            - {name: c, image: c:1, resources: {requests: {cpu: '1'}}}\n");
	json_t *ups = ca_obj(rep, "scale_ups");
	json_t *slow = json_array_get(json_object_get(rep, "node_groups"), 0);

	ck_assert_int_eq(json_array_size(ups), 2);
	ck_assert_str_eq(tu_str(json_array_get(ups, 0), "group"), "slow");
	ck_assert(fabs(json_real_value(json_object_get(json_array_get(ups, 0), "score")) - 1.5) < 1e-9);
	ck_assert_str_eq(tu_str(json_array_get(ups, 1), "group"), "fast");
	ck_assert_int_eq(tu_int(json_array_get(ups, 1), "at_ms"), 950000);
	ck_assert_int_eq(tu_int(slow, "desired"), 0);
	/* Ready 10 s + 70 s after 15:50 */
	ck_assert_int_eq(tu_int(tu_find(rep, "pods", "p"), "scheduled_at_ms"), 1030000);
	json_decref(rep);
}
END_TEST

/*
 * Scale-down blockers.  Four m5.xlarge nodes (min 0), each with one small
 * pod pinned by nodeSelector, so every node is under-utilized:
 *   n-1 a bare pod                      -> BlockedByPod (NotReplicated)
 *   n-2 safe-to-evict: "false"          -> BlockedByPod (NotSafeToEvictAnnotation)
 *   n-3 kube-system, no PDB             -> BlockedByPod (UnmovableKubeSystemPod)
 *   n-4 an emptyDir volume              -> BlockedByPod (LocalStorageRequested)
 * a fifth, n-5, whose pod can only run there -> NoPlaceToMovePods, and a
 * sixth whose pod a PodDisruptionBudget (minAvailable 1 of 1) protects ->
 * BlockedByPod (NotEnoughPdb).
 */
START_TEST(test_blockers)
{
	char buf[8192];
	size_t len = 0;
	json_t *rep;
	static const char *const what[6] = {
		"", "      annotations: {cluster-autoscaler.kubernetes.io/safe-to-evict: \"false\"}\n",
		"", "", "", "" };

	len += (size_t)snprintf(buf + len, sizeof(buf) - len,
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  duration: 3m\n  clusterAutoscaler: {version: \"1.36\"}\n"
	    "  nodeGroups:\n"
	    "    - {name: ng, instanceType: m5.xlarge, minSize: 0, maxSize: 6, desiredCapacity: 6,"
	    " namePrefix: n}\n"
	    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: bare}\nspec:\n  nodeName: n-1\n"
	    "  containers: [{name: c, image: c:1, resources: {requests: {cpu: 100m}}}]\n"
	    "status: {phase: Running}\n");
	for (int k = 2; k <= 6; k++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d%d, namespace: %s}\n"
		    "spec:\n  replicas: 1\n  selector: {matchLabels: {app: d%d}}\n  template:\n"
		    "    metadata:\n      labels: {app: d%d}\n%s"
		    "    spec:\n      nodeSelector: {kubernetes.io/hostname: n-%d}\n"
		    "      containers: [{name: c, image: c:1, resources: {requests: {cpu: 100m}}}]\n%s",
		    k, k == 3 ? "kube-system" : "default", k, k, what[k - 1], k,
		    k == 4 ? "      volumes: [{name: v, emptyDir: {}}]\n" : "");
	len += (size_t)snprintf(buf + len, sizeof(buf) - len,
	    "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: d6}\n"
	    "spec:\n  minAvailable: 1\n  selector: {matchLabels: {app: d6}}\n");
	rep = tu_run_text(buf);
	ck_assert_str_eq(node_status(rep, "n-1"), "BlockedByPod: default/bare (NotReplicated)");
	ck_assert_ptr_nonnull(strstr(node_status(rep, "n-2"), "(NotSafeToEvictAnnotation)"));
	ck_assert_ptr_nonnull(strstr(node_status(rep, "n-3"), "(UnmovableKubeSystemPod)"));
	ck_assert_ptr_nonnull(strstr(node_status(rep, "n-4"), "(LocalStorageRequested)"));
	ck_assert_str_eq(node_status(rep, "n-5"), "NoPlaceToMovePods");
	ck_assert_ptr_nonnull(strstr(node_status(rep, "n-6"), "(NotEnoughPdb)"));
	json_decref(rep);
}
END_TEST

/*
 * Utilization of node A in C.1: requests 155 (DaemonSets) + 100 + 100
 * (coredns, metrics-server) + 7000 (U1) = 7355m of 15890m = 0.463; memory
 * 120 + 70 + 200 + 20480 = 20870 MiB of 60640.5 MiB = 0.344; max = 0.463.
 */
START_TEST(test_utilization)
{
	json_t *rep = tu_run_ok(tu_scenario("kubeflow-notebooks-ca.yaml"));
	json_t *nodes = ca_obj(rep, "nodes"), *n;
	size_t i;
	int seen = 0;

	json_array_foreach(nodes, i, n)
		if (strcmp(tu_str(n, "name"), "ng-m5-4xl-1") == 0) {
			ck_assert(fabs(json_real_value(json_object_get(n, "utilization")) - 0.463) < 1e-9);
			seen = 1;
		}
	ck_assert(seen);
	json_decref(rep);
}
END_TEST

/* Two identical groups: the priority ConfigMap picks the one with 50. */
START_TEST(test_priority_expander)
{
	json_t *rep = tu_run_text(
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  duration: 2m\n  clusterAutoscaler: {expander: 'priority,least-waste'}\n"
	    "  nodeGroups:\n"
	    "    - {name: ng-a, instanceType: m5.large, minSize: 0, maxSize: 3, desiredCapacity: 0}\n"
	    "    - {name: ng-b, instanceType: m5.large, minSize: 0, maxSize: 3, desiredCapacity: 0}\n"
	    "  timeline:\n    - at: 30s\n      create:\n        apiVersion: v1\n        kind: Pod\n"
	    "        metadata: {name: p}\n        spec:\n          containers:\n"
	    "            - {name: c, image: c:1, resources: {requests: {cpu: '1'}}}\n"
	    "---\napiVersion: v1\nkind: ConfigMap\n"
	    "metadata: {name: cluster-autoscaler-priority-expander, namespace: kube-system}\n"
	    "data:\n  priorities: |-\n    10:\n      - .*-a\n    50:\n      - .*-b$\n");

	ck_assert_int_eq(json_array_size(ca_obj(rep, "scale_ups")), 1);
	ck_assert_str_eq(tu_str(json_array_get(ca_obj(rep, "scale_ups"), 0), "group"), "ng-b");
	json_decref(rep);
}
END_TEST

/* balance-similar-node-groups: 4 pods needing 2 nodes go 1 + 1 to two zones' groups. */
START_TEST(test_balance_similar)
{
	json_t *rep = tu_run_text(
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  duration: 2m\n  clusterAutoscaler: {balanceSimilarNodeGroups: true}\n"
	    "  nodeGroups:\n"
	    "    - {name: ng-1a, instanceType: m5.large, minSize: 0, maxSize: 3, desiredCapacity: 0,"
	    " availabilityZones: [us-east-1a]}\n"
	    "    - {name: ng-1b, instanceType: m5.large, minSize: 0, maxSize: 3, desiredCapacity: 0,"
	    " availabilityZones: [us-east-1b]}\n"
	    "  timeline:\n    - at: 0s\n      create:\n        apiVersion: apps/v1\n"
	    "        kind: Deployment\n        metadata: {name: b}\n        spec:\n          replicas: 2\n"
	    "          selector: {matchLabels: {app: b}}\n          template:\n"
	    "            metadata: {labels: {app: b}}\n            spec:\n              containers:\n"
	    "                - {name: w, image: w:1, resources: {requests: {cpu: '1200m'}}}\n");
	json_t *ups = ca_obj(rep, "scale_ups");

	/* m5.large ASG template: 2000m, one 1200m pod per node -> N = 2, one per group */
	ck_assert_int_eq(json_array_size(ups), 2);
	ck_assert_int_eq(tu_int(json_array_get(ups, 0), "to") -
	    tu_int(json_array_get(ups, 0), "from"), 1);
	ck_assert_int_eq(tu_int(json_array_get(ups, 1), "to") -
	    tu_int(json_array_get(ups, 1), "from"), 1);
	ck_assert_str_ne(tu_str(json_array_get(ups, 0), "group"),
	    tu_str(json_array_get(ups, 1), "group"));
	json_decref(rep);
}
END_TEST

/*
 * estimator/sng_capacity_threshold_test.go, TestSngCapacityThreshold: the
 * room of the option's group plus that of each similar group, a group
 * over its max counting 0; -1 when the sum is 0.  Rows: the similar
 * groups as {max, target size}, then the option's group, and the limit.
 */
static const struct {
	int	sim[3][2];	/* similar groups: max, target size */
	int	own[2];		/* the option's group */
	int	want;		/* NodeLimit */
} sng_cases[] = {
	{ { { 10, 5 }, { 100, 50 }, { 5, 3 } }, { 20, 10 }, 67 },	/* returns available capacity */
	{ { { 10, 5 }, { 10, 11 }, { 0, 5 } }, { 5, 10 }, 5 },	/* skips over-provisioned groups */
	{ { { 10, 10 }, { 100, 100 }, { 0, 0 } }, { 5, 5 }, -1 },	/* cluster has no capacity */
	{ { { 10, 11 }, { 100, 111 }, { 0, 5 } }, { 5, 10 }, -1 },	/* all over-provisioned */
};

START_TEST(test_sng_node_limit)
{
	struct ca_group g[4], *sim[3];

	memset(g, 0, sizeof(g));
	for (int k = 0; k < 3; k++) {
		g[k].max = sng_cases[_i].sim[k][0];
		g[k].desired = sng_cases[_i].sim[k][1];
		sim[k] = &g[k];
	}
	g[3].max = sng_cases[_i].own[0];
	g[3].desired = sng_cases[_i].own[1];
	ck_assert_int_eq(ca_sng_node_limit(&g[3], sim, 3), sng_cases[_i].want);
	/* without similar groups (no balancing) only the group's own room */
	ck_assert_int_eq(ca_sng_node_limit(&g[3], sim, 0),
	    g[3].max > g[3].desired ? g[3].max - g[3].desired : -1);
}
END_TEST

/*
 * The same rule in a run (tests/cases/ca-balance-similar-limit.yaml, whose
 * comment works the numbers): one scale-up loop adds all four nodes, two
 * in each group.
 */
START_TEST(test_balance_similar_limit)
{
	json_t *rep = tu_run_ok(tu_scenario("../tests/cases/ca-balance-similar-limit.yaml"));
	json_t *ups = ca_obj(rep, "scale_ups");

	ck_assert_int_eq(json_array_size(ups), 2);
	for (size_t k = 0; k < 2; k++) {
		ck_assert_int_eq(tu_int(json_array_get(ups, k), "at_ms"), 10000);
		ck_assert_int_eq(tu_int(json_array_get(ups, k), "from"), 0);
		ck_assert_int_eq(tu_int(json_array_get(ups, k), "to"), 2);
	}
	json_decref(rep);
}
END_TEST

/*
 * allPodsAreNew (static_autoscaler.go) keys the GPU wait on the oldest
 * GPU pod (core/utils GetOldestCreateTimeWithGpu; its test's pods: p1
 * without a GPU created 1 min before, p2 and p3 with one, 2 and 3 min
 * before), and the 2 s wait on the oldest pod of all.
 */
START_TEST(test_all_pods_new)
{
	struct ks_pod p[4], *v[4];
	int64_t now = 600000;

	memset(p, 0, sizeof(p));
	for (int k = 0; k < 4; k++)
		v[k] = &p[k];
	p[0].created_ms = now - 60000;
	p[1].created_ms = now - 120000;
	p[1].req.v[RES_GPU] = 1;
	p[2].created_ms = now - 180000;
	p[2].req.v[RES_GPU] = 1;
	ck_assert(!ca_all_pods_new(v, 0, now));
	ck_assert(!ca_all_pods_new(v, 3, now));		/* p1, p2, p3: all old */
	/* a GPU pod 5 s old next to one 40 s old: the oldest decides, no wait */
	p[3].created_ms = now - 5000;
	p[3].req.v[RES_GPU] = 1;
	p[1].created_ms = now - 40000;
	ck_assert(!ca_all_pods_new(v + 1, 1, now));
	ck_assert(!ca_all_pods_new(&v[1], 3, now));
	{
		struct ks_pod *w[2] = { &p[1], &p[3] };

		ck_assert(!ca_all_pods_new(w, 2, now));
		/* alone, the 5 s old GPU pod waits (30 s), even next to an old CPU pod */
		w[0] = &p[0];
		ck_assert(ca_all_pods_new(w, 2, now));
		ck_assert(ca_all_pods_new(&w[1], 1, now));
		/* exactly 30 s old: no longer new (After is strict) */
		p[3].created_ms = now - 30000;
		ck_assert(!ca_all_pods_new(w, 2, now));
	}
	/* every pod younger than 2 s: new; exactly 2 s: not */
	p[0].created_ms = now - 1999;
	ck_assert(ca_all_pods_new(v, 1, now));
	p[0].created_ms = now - 2000;
	ck_assert(!ca_all_pods_new(v, 1, now));
}
END_TEST

/*
 * --max-nodes-total reached (tests/cases/ca-max-nodes-total.yaml): from
 * 1.33 the pod's reason and event are ReasonsMessage's "max total nodes in
 * cluster reached" with one MaxNodesTotalReached warning; 1.32 records no
 * pod event and ksim keeps its log line as the reason.
 */
START_TEST(test_max_nodes_total_reason)
{
	static const char *const v132[] = { "clusterAutoscaler.version=1.32" };
	const char *f = tu_scenario("../tests/cases/ca-max-nodes-total.yaml");
	struct ks_error err;
	json_t *rep = tu_run_ok(f);

	ck_assert_str_eq(tu_str(tu_find(rep, "pods", "more"), "autoscaler_reason"),
	    "pod didn't trigger scale-up: max total nodes in cluster reached");
	ck_assert_int_eq(tu_events(rep, "NotTriggerScaleUp",
	    "pod didn't trigger scale-up: max total nodes in cluster reached", NULL), 1);
	ck_assert_int_eq(tu_events(rep, "MaxNodesTotalReached",
	    "Max total nodes in cluster reached: 1", NULL), 1);
	json_decref(rep);
	ck_assert_int_eq(tu_run(f, v132, 1, &rep, &err), 0);
	ck_assert_str_eq(tu_str(tu_find(rep, "pods", "more"), "autoscaler_reason"),
	    "max total nodes in cluster reached (--max-nodes-total): no scale-up was tried");
	ck_assert_int_eq(tu_events(rep, "NotTriggerScaleUp", "", NULL), 0);
	ck_assert_int_eq(tu_events(rep, "MaxNodesTotalReached", "", NULL), 0);
	json_decref(rep);
}
END_TEST

/*
 * No scale-down in the loop of a successful scale-up up to 1.33
 * (tests/cases/ca-no-scale-down-after-scale-up.yaml works the numbers):
 * the empty node, removable from the 60 s loop that scales up (unneeded
 * since 0 s, unneeded time 50 s), is tainted
 * at 70 s and removed at 75 s by 1.33, tainted at 60 s and removed at
 * 65 s by 1.34.
 */
START_TEST(test_no_scale_down_after_scale_up)
{
	static const char *const v134[] = { "clusterAutoscaler.version=1.34" };
	const char *f = tu_scenario("../tests/cases/ca-no-scale-down-after-scale-up.yaml");
	struct ks_error err;
	json_t *rep = tu_run_ok(f), *d;

	ck_assert_int_eq(tu_int(json_array_get(ca_obj(rep, "scale_ups"), 0), "at_ms"), 60000);
	d = json_array_get(ca_obj(rep, "scale_downs"), 0);
	ck_assert_str_eq(tu_str(d, "node"), "small-2");
	ck_assert_int_eq(tu_int(d, "at_ms"), 75000);
	json_decref(rep);
	ck_assert_int_eq(tu_run(f, v134, 1, &rep, &err), 0);
	ck_assert_int_eq(tu_int(json_array_get(ca_obj(rep, "scale_ups"), 0), "at_ms"), 60000);
	ck_assert_int_eq(tu_int(json_array_get(ca_obj(rep, "scale_downs"), 0), "at_ms"), 65000);
	json_decref(rep);
}
END_TEST

/*
 * No NotTriggerScaleUp in a loop that scaled up
 * (tests/cases/ca-not-triggered-after-scale-up.yaml): huge's first
 * NotTriggerScaleUp comes from the 20 s loop, not the 10 s one that
 * scaled up for fits, and its reason is never empty.
 */
START_TEST(test_not_triggered_after_scale_up)
{
	json_t *rep = tu_run_ok(tu_scenario("../tests/cases/ca-not-triggered-after-scale-up.yaml"));
	int64_t first = -1;

	ck_assert_int_eq(tu_events(rep, "TriggeredScaleUp", "pod triggered scale-up:", &first), 1);
	ck_assert_int_eq(first, 10000);
	ck_assert_int_eq(tu_events(rep, "NotTriggerScaleUp",
	    "pod didn't trigger scale-up: 1 Insufficient cpu", &first), 1);
	ck_assert_int_eq(first, 20000);
	ck_assert_str_eq(tu_str(tu_find(rep, "pods", "huge"), "autoscaler_reason"),
	    "pod didn't trigger scale-up: 1 Insufficient cpu");
	json_decref(rep);
}
END_TEST

/*
 * Never an empty reason: with no node group at all there is no reason to
 * give, so no NotTriggerScaleUp (upstream's would end in "scale-up: ").
 */
START_TEST(test_no_empty_reason)
{
	json_t *rep = tu_run_text(
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  duration: 1m\n  clusterAutoscaler: {}\n"
	    "  nodes: [{instanceType: m5.large, count: 1}]\n"
	    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: huge}\nspec:\n"
	    "  containers: [{name: c, image: c:1, resources: {requests: {cpu: '8'}}}]\n");

	ck_assert_int_eq(tu_events(rep, "NotTriggerScaleUp", "", NULL), 0);
	json_decref(rep);
}
END_TEST

/*
 * The quota reason by version (tests/cases/ca-quota-reason.yaml works the
 * numbers): both limits exceeded, then only cores when memoryTotal is
 * raised to 100 GiB.
 */
START_TEST(test_quota_reason)
{
	static const struct {
		const char	*set[2];	/* --set items */
		size_t		 nset;
		const char	*want;		/* wide's reason */
	} runs[] = {
		{ { NULL, NULL }, 0, "pod didn't trigger scale-up: 1 exceeded quota: \"cluster-wide\", "
		    "resources: cpu, memory, 1 max node group size reached" },
		{ { "clusterAutoscaler.version=1.34", NULL }, 1, "pod didn't trigger scale-up: "
		    "1 max cluster cpu, memory limit reached, 1 max node group size reached" },
		{ { "clusterAutoscaler.memoryTotal=0:100", NULL }, 1, "pod didn't trigger scale-up: "
		    "1 exceeded quota: \"cluster-wide\", resources: cpu, 1 max node group size reached" },
		{ { "clusterAutoscaler.version=1.34", "clusterAutoscaler.memoryTotal=0:100" }, 2,
		    "pod didn't trigger scale-up: 1 max cluster cpu limit reached, "
		    "1 max node group size reached" },
	};
	const char *f = tu_scenario("../tests/cases/ca-quota-reason.yaml");

	for (size_t k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
		struct ks_error err;
		json_t *rep;

		ck_assert_int_eq(tu_run(f, runs[k].set, runs[k].nset, &rep, &err), 0);
		ck_assert_str_eq(tu_str(tu_find(rep, "pods", "wide"), "autoscaler_reason"), runs[k].want);
		json_decref(rep);
	}
}
END_TEST

/*
 * scale-down-disabled (tests/cases/ca-scale-down-disabled.yaml): the
 * annotated node's status is ScaleDownDisabledAnnotation, the other empty
 * node is removed at 75 s (tainted at the first loop strictly more than
 * 1 min after the 0 s one).
 */
START_TEST(test_scale_down_disabled)
{
	json_t *rep = tu_run_ok(tu_scenario("../tests/cases/ca-scale-down-disabled.yaml"));

	ck_assert_str_eq(node_status(rep, "kept-1"), "ScaleDownDisabledAnnotation");
	ck_assert_str_eq(node_status(rep, "plain-2"), "Removed");
	ck_assert_int_eq(json_array_size(ca_obj(rep, "scale_downs")), 1);
	ck_assert_int_eq(tu_int(json_array_get(ca_obj(rep, "scale_downs"), 0), "at_ms"), 75000);
	json_decref(rep);
}
END_TEST

/*
 * The minimum of --cores-total at scale-down
 * (tests/cases/ca-scale-down-min-resources.yaml): one of three empty
 * m5.large goes, the others are MinimalResourceLimitExceeded; with
 * --memory-total's minimum instead (8 GiB nominal, 7.76 GiB each: a
 * minimum of 10 GiB leaves 23.3 - 10 = 13.3 GiB of room, one node) the
 * same.
 */
START_TEST(test_scale_down_min_resources)
{
	static const char *const mem[] = { "clusterAutoscaler.coresTotal=0:100",
		"clusterAutoscaler.memoryTotal=10:1000" };
	const char *f = tu_scenario("../tests/cases/ca-scale-down-min-resources.yaml");
	struct ks_error err;
	json_t *rep = tu_run_ok(f);

	ck_assert_int_eq(json_array_size(ca_obj(rep, "scale_downs")), 1);
	ck_assert_str_eq(node_status(rep, "ng-2"), "MinimalResourceLimitExceeded");
	ck_assert_str_eq(node_status(rep, "ng-3"), "MinimalResourceLimitExceeded");
	json_decref(rep);
	ck_assert_int_eq(tu_run(f, mem, 2, &rep, &err), 0);
	ck_assert_int_eq(json_array_size(ca_obj(rep, "scale_downs")), 1);
	ck_assert_str_eq(node_status(rep, "ng-3"), "MinimalResourceLimitExceeded");
	json_decref(rep);
}
END_TEST

/*
 * Drain with eviction retries and pod grace
 * (tests/cases/ca-drain-eviction-retry.yaml works the numbers): the
 * PodDisruptionBudget lets one pod go at 85 s, the retry 10 s later the
 * other, and the node goes at the first 5 s check after it has
 * terminated, 100 s.
 */
START_TEST(test_drain_eviction_retry)
{
	json_t *rep = tu_run_ok(tu_scenario("../tests/cases/ca-drain-eviction-retry.yaml"));
	json_t *e, *d;
	size_t i;
	int64_t at[2] = { -1, -1 };
	int k = 0;

	json_array_foreach(json_object_get(rep, "events"), i, e)
		if (strcmp(tu_str(e, "type"), "ScaleDown") == 0 &&
		    strcmp(tu_str(e, "message"), "deleting pod for node scale down") == 0 && k < 2)
			at[k++] = tu_int(e, "at_ms");
	ck_assert_int_eq(k, 2);
	ck_assert_int_eq(at[0], 85000);
	ck_assert_int_eq(at[1], 95000);
	d = json_array_get(ca_obj(rep, "scale_downs"), 0);
	ck_assert_int_eq(tu_int(d, "at_ms"), 100000);
	ck_assert(json_is_false(json_object_get(d, "empty")));
	json_decref(rep);
}
END_TEST

/*
 * The drain gives up at --max-pod-eviction-time
 * (tests/cases/ca-drain-eviction-timeout.yaml works the numbers): the
 * refused pod's ScaleDownFailed and the node's come at 6:25, 2 min after
 * the first eviction, without a try at that time; the node goes in a later
 * drain, at 9:40.
 */
START_TEST(test_drain_eviction_timeout)
{
	json_t *rep = tu_run_ok(tu_scenario("../tests/cases/ca-drain-eviction-timeout.yaml"));
	int64_t first = -1;

	ck_assert_int_eq(tu_events(rep, "ScaleDownFailed", "failed to delete pod for ScaleDown",
	    &first), 1);
	ck_assert_int_eq(first, 385000);
	ck_assert_int_eq(tu_events(rep, "ScaleDownFailed", "failed to drain the node", &first), 1);
	ck_assert_int_eq(first, 385000);
	ck_assert_int_eq(json_array_size(ca_obj(rep, "scale_downs")), 1);
	ck_assert_int_eq(tu_int(json_array_get(ca_obj(rep, "scale_downs"), 0), "at_ms"), 580000);
	json_decref(rep);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_err_min_gt_max)
{
	struct ks_error err;

	ck_assert_int_eq(tu_validate_text(
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  nodeGroups:\n"
	    "    - name: ng\n      instanceType: m5.large\n      minSize: 5\n      maxSize: 2\n", &err),
	    KS_EINVAL);
	ck_assert_int_eq(err.at.line, 8);
	ck_assert_int_eq(err.at.col, 16);
	ck_assert_str_eq(err.msg, "node group \"ng\": minSize 5 is greater than maxSize 2");
}
END_TEST

START_TEST(test_err_unknown_expander)
{
	struct ks_error err;

	ck_assert_int_eq(tu_validate_text(
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  clusterAutoscaler:\n    expander: cheapest\n", &err), KS_EINVAL);
	ck_assert_int_eq(err.at.line, 6);
	ck_assert_int_eq(err.at.col, 15);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown expander \"cheapest\""));
	/* and in the Deployment's command line */
	ck_assert_int_eq(tu_validate_text(
	    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cluster-autoscaler, namespace: kube-system}\n"
	    "spec:\n  selector: {matchLabels: {app: ca}}\n  template:\n    metadata: {labels: {app: ca}}\n"
	    "    spec:\n      containers:\n        - name: cluster-autoscaler\n"
	    "          image: registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.1\n"
	    "          command:\n            - ./cluster-autoscaler\n            - --expander=fastest\n",
	    &err), KS_EINVAL);
	ck_assert_int_eq(err.at.line, 14);
	ck_assert_int_eq(err.at.col, 15);
}
END_TEST

START_TEST(test_err_unknown_itype)
{
	struct ks_error err;

	ck_assert_int_eq(tu_validate_text(
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  nodeGroups:\n    - {name: ng, instanceType: m5.4xlargee}\n", &err), KS_EINVAL);
	ck_assert_int_eq(err.at.line, 6);
	ck_assert_int_eq(err.at.col, 32);
	ck_assert_str_eq(err.msg, "unknown instance type \"m5.4xlargee\": not in the catalog");
}
END_TEST

START_TEST(test_err_strict_keys)
{
	struct ks_error err;

	ck_assert_int_eq(tu_validate_text(
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  clusterAutoscaler:\n    scanIntervall: 5s\n", &err), KS_EINVAL);
	ck_assert_int_eq(err.at.line, 6);
	ck_assert_int_eq(err.at.col, 5);
}
END_TEST

/*
 * The flag table's version-dependent defaults: the expander is random up
 * to 1.32 and least-waste from 1.33 on (the defaults that changed, as the
 * design essay of ca/ca.c lists them); a flag given in
 * spec.clusterAutoscaler replaces the default of every version.
 */
static const struct {
	const char	*version;	/* spec.clusterAutoscaler.version */
	const char	*extra;		/* further keys of the block */
	const char	*expander;	/* the expander chain CA reports */
} version_defaults[] = {
	{ "1.32", "", "random" },
	{ "1.33", "", "least-waste" },
	{ "1.36", "", "least-waste" },
	{ "1.32", ", expander: \"most-pods,least-nodes\"", "most-pods,least-nodes" },
};

START_TEST(test_version_defaults)
{
	char buf[512];
	json_t *rep;

	snprintf(buf, sizeof(buf),
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n"
	    "  duration: 1m\n  clusterAutoscaler: {version: \"%s\"%s}\n"
	    "  nodeGroups:\n    - {name: ng, instanceType: m5.large, minSize: 1, maxSize: 2}\n",
	    version_defaults[_i].version, version_defaults[_i].extra);
	rep = tu_run_text(buf);
	ck_assert_str_eq(json_string_value(ca_obj(rep, "version")), version_defaults[_i].version);
	ck_assert_str_eq(json_string_value(ca_obj(rep, "expander")), version_defaults[_i].expander);
	json_decref(rep);
}
END_TEST

Suite *
ca_suite(void)
{
	Suite *s = suite_create("ca");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_kubeflow_c1);
	tcase_add_test(tc, test_node_group_samples);
	tcase_add_test(tc, test_expanders_differ);
	tcase_add_test(tc, test_estimator);
	tcase_add_test(tc, test_all_pods_new);
	tcase_add_loop_test(tc, test_version_defaults, 0,
	    (int)(sizeof(version_defaults) / sizeof(version_defaults[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_template_from_asg);
	tcase_add_test(tc, test_max_size);
	tcase_add_test(tc, test_max_nodes_total_counts_upcoming);
	tcase_add_test(tc, test_max_nodes_total_reason);
	tcase_add_test(tc, test_no_scale_down_after_scale_up);
	tcase_add_test(tc, test_not_triggered_after_scale_up);
	tcase_add_test(tc, test_no_empty_reason);
	tcase_add_test(tc, test_quota_reason);
	tcase_add_test(tc, test_scale_down_disabled);
	tcase_add_test(tc, test_scale_down_min_resources);
	tcase_add_test(tc, test_drain_eviction_retry);
	tcase_add_test(tc, test_drain_eviction_timeout);
	tcase_add_test(tc, test_group_image_pull);
	tcase_add_test(tc, test_timeout_backoff);
	tcase_add_test(tc, test_blockers);
	tcase_add_test(tc, test_utilization);
	tcase_add_test(tc, test_priority_expander);
	tcase_add_test(tc, test_balance_similar);
	tcase_add_test(tc, test_balance_similar_limit);
	tcase_add_loop_test(tc, test_sng_node_limit, 0,
	    (int)(sizeof(sng_cases) / sizeof(sng_cases[0])));
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_test(tc, test_err_min_gt_max);
	tcase_add_test(tc, test_err_unknown_expander);
	tcase_add_test(tc, test_err_unknown_itype);
	tcase_add_test(tc, test_err_strict_keys);
	tcase_add_test(tc, test_price_expander_on_aws);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_main(ca_suite());
}
