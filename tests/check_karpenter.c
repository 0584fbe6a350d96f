/*
 * check_karpenter.c: Karpenter's allocatable estimate and instance-type
 * choice against hand-computed numbers (the requirement algebra has its
 * own suite, check_kp_requirements.c), and whole runs of the scenarios
 * (SCENARIOS.md §4 and §5, reference ca-karpenter.md §C.2) through the
 * library and its JSON report.
 */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autoscale/karpenter/karpenter.h"
#include "ksim.h"
#include "testutil.h"
#include "util/error.h"
#include "util/xmalloc.h"

Suite *karpenter_suite(void);

#define SPOT_POOL "karpenter.sh/capacity-type In spot; " \
	"karpenter.k8s.aws/instance-category In c m r; " \
	"karpenter.k8s.aws/instance-size NotIn nano micro small medium; " \
	"karpenter.k8s.aws/instance-hypervisor In nitro"
#define V1ALPHA5_DEFAULTS "kubernetes.io/os In linux; kubernetes.io/arch In amd64; " \
	"karpenter.sh/capacity-type In on-demand; karpenter.k8s.aws/instance-category In c m r; " \
	"karpenter.k8s.aws/instance-generation Gt 2"

static json_t *
run_scenario(const char *name)
{
	char file[256];

	snprintf(file, sizeof(file), "%s.yaml", name);
	return tu_run_ok(tu_scenario(file));
}

/* Run a scenario after replacing `from` with `to` in its text. */
static json_t *
run_edited(const char *name, const char *from, const char *to)
{
	char file[256], *text, *at, *edited;
	const char *path;
	json_t *j;

	snprintf(file, sizeof(file), "%s.yaml", name);
	path = tu_scenario(file);
	text = tu_slurp(path);
	at = strstr(text, from);
	ck_assert_msg(at != NULL, "\"%s\" not in %s", from, path);
	edited = xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	j = tu_run_text(edited);
	free(text);
	free(edited);
	return j;
}

static const char *
claim_str(json_t *j, size_t i, const char *field)
{
	json_t *c = json_array_get(json_object_get(j, "node_claims"), i);

	ck_assert_msg(c != NULL, "no node_claims[%zu]", i);
	return tu_str(c, field);
}

static int64_t
claim_int(json_t *j, size_t i, const char *field)
{
	return tu_int(json_array_get(json_object_get(j, "node_claims"), i), field);
}

/* ---- core: allocatable estimate (reference B.8) ---- */

START_TEST(test_estimate)
{
	int64_t cpu, mem, pods;

	/* c6gd.2xlarge: 8000 - 90 = 7910m; (16384 - 64) = 16320, less
	 * ceil(16320 x 0.075) = 1224 -> 15096, less 11 x 58 + 255 = 893 and
	 * 100 -> 14103 MiB; 58 pods */
	ck_assert_int_eq(karpenter_estimate("c6gd.2xlarge", 1, &cpu, &mem, &pods), 0);
	ck_assert_int_eq(cpu, 7910);
	ck_assert_int_eq(mem, 14103);
	ck_assert_int_eq(pods, 58);
	/* the catalog's column agrees */
	ck_assert_int_eq(karpenter_estimate("c6gd.2xlarge", 0, &cpu, &mem, &pods), 0);
	ck_assert_int_eq(mem, 14103);
	/* m5.4xlarge: 65536 - ceil(4915.2) = 60620, - 2829 - 100 = 57691; 16000 - 110 */
	ck_assert_int_eq(karpenter_estimate("m5.4xlarge", 1, &cpu, &mem, &pods), 0);
	ck_assert_int_eq(cpu, 15890);
	ck_assert_int_eq(mem, 57691);
	ck_assert_int_eq(pods, 234);
	/* c6gd.large: 4096 - 64 = 4032 - 303 = 3729 - 574 - 100 = 3055; 2000 - 70 */
	ck_assert_int_eq(karpenter_estimate("c6gd.large", 1, &cpu, &mem, &pods), 0);
	ck_assert_int_eq(cpu, 1930);
	ck_assert_int_eq(mem, 3055);
	ck_assert_int_eq(pods, 29);
}
END_TEST

/* ---- core: instance-type filtering and ordering ---- */

START_TEST(test_cheapest)
{
	char type[64];
	size_t n;

	/* §C.2: 5 x 1000m + 155m DaemonSets = 5155m, 5 x 1024 + 120 = 5240 MiB:
	 * 8 vCPU and up; the cheapest spot in us-east-1 is c6gd.2xlarge ($0.064512) */
	ck_assert_int_eq(karpenter_cheapest("us-east-1", SPOT_POOL, 5155, 5240, type, sizeof(type),
	    &n), 0);
	ck_assert_str_eq(type, "c6gd.2xlarge");
	/* one pod: 1155m / 1144 MiB fits every large; c6g.large ($0.02788) */
	ck_assert_int_eq(karpenter_cheapest("us-east-1", SPOT_POOL, 1155, 1144, type, sizeof(type),
	    &n), 0);
	ck_assert_str_eq(type, "c6g.large");
	ck_assert_uint_gt(n, 15);
	/* §5: 2155m / 2680 MiB on the v1alpha5 defaults in ap-northeast-2: an
	 * xlarge (a large predicts 1930m); c5a.xlarge at $0.172 on-demand */
	ck_assert_int_eq(karpenter_cheapest("ap-northeast-2", V1ALPHA5_DEFAULTS, 2155, 2680, type,
	    sizeof(type), &n), 0);
	ck_assert_str_eq(type, "c5a.xlarge");
	/* nothing holds 1000 vCPUs */
	ck_assert_int_eq(karpenter_cheapest("us-east-1", SPOT_POOL, 1000000, 1, type, sizeof(type),
	    &n), KS_ENOENT);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- core: whole runs ---- */

START_TEST(test_run_spot_consolidation)
{
	json_t *j = run_scenario("karpenter-spot-consolidation");

	/* 0 -> 5 at 1m: window closes at 1:01, one claim of five pods */
	ck_assert_str_eq(claim_str(j, 0, "instance_type"), "c6gd.2xlarge");
	ck_assert_str_eq(claim_str(j, 0, "capacity_type"), "spot");
	ck_assert_int_eq(claim_int(j, 0, "launched_at_ms"), 61000);
	ck_assert_int_eq(claim_int(j, 0, "ready_at_ms"), 121000);
	/* 5 -> 1 at 5m: decided at 5:00, validated at 5:15, replacement Ready
	 * at 6:15, then the 2xlarge goes */
	ck_assert_str_eq(claim_str(j, 0, "reason"), "consolidated-replace");
	ck_assert_int_eq(claim_int(j, 0, "terminated_at_ms"), 375000);
	ck_assert_str_eq(claim_str(j, 1, "instance_type"), "c6g.large");
	ck_assert_str_eq(claim_str(j, 1, "capacity_type"), "spot");
	ck_assert_int_eq(claim_int(j, 1, "launched_at_ms"), 315000);
	ck_assert_str_eq(claim_str(j, 1, "created_by"), "consolidation");
	ck_assert_int_eq(claim_int(j, 1, "terminated_at_ms"), -1);
	ck_assert_int_eq(claim_int(j, 1, "instance_type_options"), 15);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "node_claims")), 2);
	ck_assert(tu_events(j, "DisruptionCommand",
	    "Underutilized/Replace, terminating 1 nodes (1 pods)", NULL));
	ck_assert(tu_events(j, "DisruptionTerminating", "Disrupting NodeClaim: Underutilized",
	    NULL));
	json_decref(j);
}
END_TEST

START_TEST(test_run_gate_off)
{
	json_t *j = run_scenario("karpenter-spot-consolidation-gate-off");

	ck_assert_uint_eq(json_array_size(json_object_get(j, "node_claims")), 1);
	ck_assert_str_eq(claim_str(j, 0, "instance_type"), "c6gd.2xlarge");
	ck_assert_str_eq(claim_str(j, 0, "reason"), "provisioned");
	ck_assert_int_eq(claim_int(j, 0, "terminated_at_ms"), -1);
	ck_assert(tu_events(j, "Unconsolidatable", "SpotToSpotConsolidation is disabled, can't "
	    "replace a spot node with a spot node", NULL));
	json_decref(j);
}
END_TEST

/*
 * Unconsolidatable is deduplicated per node for 15 minutes whatever its
 * message (upstream's recorder keys it on the object's UID): the gate-off
 * node says "SpotToSpotConsolidation is disabled" at 2:10; a pod pinned to
 * it at 7m changes the reason to "not all pods would schedule", which is
 * not published before 2:10 + 15m (the run ends at 12m).
 */
START_TEST(test_uncons_dedupe)
{
	json_t *j = run_edited("karpenter-spot-consolidation-gate-off",
	    "      scale: {kind: Deployment, name: inflate, replicas: 1}\n",
	    "      scale: {kind: Deployment, name: inflate, replicas: 1}\n"
	    "    - at: 7m\n"
	    "      create:\n"
	    "        apiVersion: v1\n"
	    "        kind: Pod\n"
	    "        metadata: {name: pinned, namespace: default}\n"
	    "        spec:\n"
	    "          nodeSelector: {kubernetes.io/hostname: ip-10-0-0-12.ec2.internal}\n"
	    "          containers:\n"
	    "            - name: app\n"
	    "              image: k8s.gcr.io/pause\n"
	    "              resources: {requests: {cpu: 100m, memory: 64Mi}}\n");
	int64_t at = -1;

	ck_assert_int_eq(tu_events(j, "Scheduled", "Successfully assigned default/pinned to "
	    "ip-10-0-0-12.ec2.internal", NULL), 1);
	ck_assert_int_eq(tu_events(j, "Unconsolidatable", NULL, &at), 2);
	ck_assert_int_eq(at, 130000);
	ck_assert_int_eq(tu_events(j, "Unconsolidatable", "not all pods would schedule", NULL), 0);
	json_decref(j);
}
END_TEST

START_TEST(test_run_taints)
{
	json_t *j = run_scenario("karpenter-taints");
	json_t *pods = json_object_get(j, "pods"), *p;
	size_t i;
	int seen = 0;

	ck_assert_uint_eq(json_array_size(json_object_get(j, "node_claims")), 1);
	ck_assert_str_eq(claim_str(j, 0, "instance_type"), "c5a.xlarge");
	ck_assert_str_eq(claim_str(j, 0, "capacity_type"), "on-demand");
	ck_assert_str_eq(claim_str(j, 0, "zone"), "ap-northeast-2a");
	/* the pod goes at 4:01; ttlSecondsAfterEmpty 30 -> 4:31; the pass at
	 * 4:40 decides, 4:55 deletes */
	ck_assert_str_eq(claim_str(j, 0, "reason"), "consolidated-delete");
	ck_assert_int_eq(claim_int(j, 0, "terminated_at_ms"), 295000);
	json_array_foreach(pods, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));

		if (strcmp(name, "arm-only") != 0)
			continue;
		seen = 1;
		ck_assert_str_eq(json_string_value(json_object_get(p, "autoscaler_reason")),
		    "incompatible with nodepool \"default\", incompatible requirements, key "
		    "kubernetes.io/arch, kubernetes.io/arch In [arm64] not in kubernetes.io/arch "
		    "In [amd64]");
	}
	ck_assert(seen);
	json_decref(j);
}
END_TEST

/* ---- limits: budgets, do-not-disrupt, pool limits ---- */

START_TEST(test_budget_zero_blocks)
{
	json_t *j = run_edited("karpenter-spot-consolidation", "    expireAfter: 720h\n",
	    "    expireAfter: 720h\n    budgets: [{nodes: \"0\"}]\n");

	ck_assert_uint_eq(json_array_size(json_object_get(j, "node_claims")), 1);
	ck_assert_str_eq(claim_str(j, 0, "reason"), "provisioned");
	json_decref(j);
}
END_TEST

START_TEST(test_budget_schedule)
{
	/* t=0 is 00:00 UTC: a midnight schedule active for 24h blocks ... */
	json_t *j = run_edited("karpenter-spot-consolidation", "    expireAfter: 720h\n",
	    "    expireAfter: 720h\n    budgets: [{nodes: \"0\", schedule: \"0 0 * * *\", "
	    "duration: 24h}]\n");

	ck_assert_uint_eq(json_array_size(json_object_get(j, "node_claims")), 1);
	json_decref(j);
	/* ... one at noon is not active during the run: the default-like 10% holds */
	j = run_edited("karpenter-spot-consolidation", "    expireAfter: 720h\n",
	    "    expireAfter: 720h\n    budgets: [{nodes: \"0\", schedule: \"0 12 * * *\", "
	    "duration: 1h}, {nodes: \"10%\"}]\n");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "node_claims")), 2);
	ck_assert_str_eq(claim_str(j, 0, "reason"), "consolidated-replace");
	json_decref(j);
}
END_TEST

START_TEST(test_do_not_disrupt)
{
	json_t *j = run_edited("karpenter-spot-consolidation", "      labels:\n        app: inflate\n",
	    "      labels:\n        app: inflate\n      annotations:\n"
	    "        karpenter.sh/do-not-disrupt: \"true\"\n");

	ck_assert_uint_eq(json_array_size(json_object_get(j, "node_claims")), 1);
	ck_assert_str_eq(claim_str(j, 0, "reason"), "provisioned");
	json_decref(j);
}
END_TEST

START_TEST(test_pool_limit)
{
	/* cpu: 4 leaves only types of <= 4 vCPUs: five 1-CPU pods need
	 * 5155m, more than an xlarge's 3920m, so one xlarge claim takes three
	 * pods (3155m) and the limit (4 - 4 = 0 vCPU left) stops the rest;
	 * m6g.xlarge ($0.04928 spot) is the cheapest 4-vCPU type */
	json_t *j = run_edited("karpenter-spot-consolidation", "    cpu: 100\n", "    cpu: 4\n");
	json_t *evs = json_object_get(j, "events"), *e;
	size_t i;
	int pending = 0;

	ck_assert_str_eq(claim_str(j, 0, "instance_type"), "m6g.xlarge");
	json_array_foreach(evs, i, e) {
		const char *m = json_string_value(json_object_get(e, "message"));

		pending += strcmp(m, "Failed to schedule pod, all available instance types exceed "
		    "limits for nodepool: \"default\"") == 0;
	}
	ck_assert_int_eq(pending, 2);
	json_decref(j);
}
END_TEST

/* Two m5.large claims of two 800m pods each, then one pod each: the
 * multi-node replace would be another m5.large, which a candidate already
 * is (filterOutSameType), so single-node consolidation deletes the older
 * node (lower disruption cost: less lifetime left) and its pod moves. */
static const char *const multi_yaml =
	"apiVersion: ksim/v1alpha1\n"
	"kind: Scenario\n"
	"metadata: {name: multi}\n"
	"spec:\n"
	"  duration: 8m\n"
	"  timeline:\n"
	"    - at: 20s\n"
	"      scale: {kind: Deployment, name: b, replicas: 2}\n"
	"    - at: 5m\n"
	"      scale: {kind: Deployment, name: a, replicas: 1}\n"
	"    - at: 5m\n"
	"      scale: {kind: Deployment, name: b, replicas: 1}\n"
	"---\n"
	"apiVersion: karpenter.sh/v1\n"
	"kind: NodePool\n"
	"metadata: {name: default}\n"
	"spec:\n"
	"  template:\n"
	"    spec:\n"
	"      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}\n"
	"      requirements:\n"
	"        - {key: node.kubernetes.io/instance-type, operator: In, values: [m5.large, m5.xlarge]}\n"
	"        - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}\n"
	"---\n"
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata: {name: a}\n"
	"spec:\n"
	"  replicas: 2\n"
	"  selector: {matchLabels: {app: a}}\n"
	"  template:\n"
	"    metadata: {labels: {app: a}}\n"
	"    spec:\n"
	"      containers: [{name: c, image: busybox, resources: {requests: {cpu: 800m, memory: 256Mi}}}]\n"
	"---\n"
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata: {name: b}\n"
	"spec:\n"
	"  replicas: 0\n"
	"  selector: {matchLabels: {app: b}}\n"
	"  template:\n"
	"    metadata: {labels: {app: b}}\n"
	"    spec:\n"
	"      containers: [{name: c, image: busybox, resources: {requests: {cpu: 800m, memory: 256Mi}}}]\n"
;

START_TEST(test_multi_then_single)
{
	json_t *j = tu_run_text(multi_yaml);

	ck_assert_uint_eq(json_array_size(json_object_get(j, "node_claims")), 2);
	ck_assert_str_eq(claim_str(j, 0, "instance_type"), "m5.large");
	ck_assert_str_eq(claim_str(j, 1, "instance_type"), "m5.large");
	ck_assert_str_eq(claim_str(j, 0, "reason"), "consolidated-delete");
	ck_assert_str_eq(claim_str(j, 1, "reason"), "provisioned");
	/* pods gone at 5:01; pass at 5:10; validated and deleted at 5:25 */
	ck_assert(tu_events(j, "DisruptionCommand",
	    "Underutilized/Delete, terminating 1 nodes (1 pods)", NULL));
	ck_assert_int_eq(claim_int(j, 0, "terminated_at_ms"), 326000);
	json_decref(j);
}
END_TEST

START_TEST(test_interruption)
{
	/* at 3:00 the c6gd.2xlarge (us-east-1a) is interrupted: its offering
	 * is unavailable for 3 min, so the five pods get a c6gd.2xlarge in
	 * us-east-1b, Ready at 4:01, running at 4:07: 5 x 67 s = 335 s */
	json_t *j = run_edited("karpenter-spot-consolidation", "  karpenter:\n",
	    "  karpenter:\n    interruptions: [{at: 3m}]\n");
	json_t *kp = json_object_get(j, "karpenter");

	ck_assert_str_eq(claim_str(j, 0, "reason"), "interrupted");
	ck_assert_int_eq(claim_int(j, 0, "terminated_at_ms"), 180000);
	ck_assert_str_eq(claim_str(j, 1, "instance_type"), "c6gd.2xlarge");
	ck_assert_str_eq(claim_str(j, 1, "zone"), "us-east-1b");
	ck_assert_int_eq(claim_int(j, 1, "launched_at_ms"), 181000);
	ck_assert_int_eq(json_integer_value(json_object_get(kp, "spot_interruptions")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(kp, "interrupted_pods")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(kp, "interrupted_pod_seconds")), 335);
	/* capacity paid for that served no pod: the interrupted node is gone at
	 * the notice (0 s), the replacement was billed from 3:01 to Ready at
	 * 4:01: 60 node-seconds */
	ck_assert_int_eq(json_integer_value(json_object_get(kp, "interrupted_node_seconds")), 60);
	json_decref(j);
}
END_TEST

START_TEST(test_expiry)
{
	/* expireAfter 3m: the claim made at 1:01 is deleted at 4:01, without
	 * budgets; its pods come back through provisioning */
	json_t *j = run_edited("karpenter-spot-consolidation", "expireAfter: 720h", "expireAfter: 3m");

	ck_assert_str_eq(claim_str(j, 0, "reason"), "expired");
	ck_assert(tu_events(j, "DisruptionTerminating", "Disrupting NodeClaim: Expired", NULL));
	ck_assert_str_eq(claim_str(j, 1, "instance_type"), "c6gd.2xlarge");
	ck_assert_int_eq(claim_int(j, 1, "launched_at_ms"), 242000);
	json_decref(j);
}
END_TEST

START_TEST(test_warn_unsatisfiable)
{
	const char *text =
	    "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: none}\nspec:\n"
	    "  template:\n    spec:\n"
	    "      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}\n"
	    "      requirements:\n"
	    "        - {key: karpenter.k8s.aws/instance-family, operator: In, values: [zz9]}\n";
	struct ks_error err;
	unsigned long before = ks_warn_count;

	ck_assert_int_eq(tu_validate_text(text, &err), 0);
	/* one for the missing EC2NodeClass, one for the empty NodePool */
	ck_assert_uint_eq(ks_warn_count - before, 2);
}
END_TEST

/* At 3m the timeline re-applies the NodePool with instance-family NotIn
 * [c6gd]: the c6gd.2xlarge claim is drifted (RequirementsDrifted) and is
 * replaced at once, without the price rule, by the cheapest type left for
 * 5155m: c7g.2xlarge ($0.0899 spot); the old node goes when it is Ready. */
static const char *const drift_block =
	"    - at: 3m\n"
	"      create:\n"
	"        apiVersion: karpenter.sh/v1beta1\n"
	"        kind: NodePool\n"
	"        metadata:\n"
	"          name: default\n"
	"        spec:\n"
	"          template:\n"
	"            metadata:\n"
	"              labels:\n"
	"                intent: apps\n"
	"            spec:\n"
	"              nodeClassRef:\n"
	"                name: default\n"
	"              requirements:\n"
	"                - key: karpenter.sh/capacity-type\n"
	"                  operator: In\n"
	"                  values: [\"spot\"]\n"
	"                - key: karpenter.k8s.aws/instance-category\n"
	"                  operator: In\n"
	"                  values: [\"c\",\"m\",\"r\"]\n"
	"                - key: karpenter.k8s.aws/instance-size\n"
	"                  operator: NotIn\n"
	"                  values: [\"nano\",\"micro\",\"small\",\"medium\"]\n"
	"                - key: karpenter.k8s.aws/instance-hypervisor\n"
	"                  operator: In\n"
	"                  values: [\"nitro\"]\n"
	"                - key: karpenter.k8s.aws/instance-family\n"
	"                  operator: NotIn\n"
	"                  values: [\"c6gd\"]\n"
	"          limits:\n"
	"            cpu: 100\n"
	"            memory: 100Gi\n"
	"          disruption:\n"
	"            consolidationPolicy: WhenUnderutilized\n"
	"            expireAfter: 720h\n"
;

START_TEST(test_drift)
{
	char to[4096];
	json_t *j;

	snprintf(to, sizeof(to), "%s    - at: 5m\n", drift_block);
	j = run_edited("karpenter-spot-consolidation", "    - at: 5m\n", to);
	ck_assert_str_eq(claim_str(j, 0, "reason"), "drifted");
	ck_assert_int_eq(claim_int(j, 0, "terminated_at_ms"), 240000);
	ck_assert_str_eq(claim_str(j, 1, "instance_type"), "c7g.2xlarge");
	ck_assert_str_eq(claim_str(j, 1, "created_by"), "drift");
	ck_assert_int_eq(claim_int(j, 1, "launched_at_ms"), 180000);
	ck_assert(tu_events(j, "Drifted", "NodeClaim ", NULL));
	ck_assert(tu_events(j, "DisruptionTerminating", "Disrupting NodeClaim: Drifted", NULL));
	json_decref(j);
}
END_TEST

/* Four 1-CPU pods spread over zones with maxSkew 1: claims in us-east-1a,
 * b and c (the fourth pod joins the first claim: 2 - 1 <= 1); with
 * instance-family In [m5] minValues 2 no claim can be made. */
static const char *const spread_yaml =
	"apiVersion: ksim/v1alpha1\n"
	"kind: Scenario\n"
	"metadata: {name: spread}\n"
	"spec:\n"
	"  duration: 3m\n"
	"---\n"
	"apiVersion: karpenter.sh/v1\n"
	"kind: NodePool\n"
	"metadata: {name: default}\n"
	"spec:\n"
	"  template:\n"
	"    spec:\n"
	"      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}\n"
	"      requirements:\n"
	"        - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}\n"
	"        - {key: karpenter.k8s.aws/instance-category, operator: In, values: [c, m, r]}\n"
	"        - {key: karpenter.k8s.aws/instance-family, operator: In, values: [m5], minValues: 1}\n"
	"---\n"
	"apiVersion: karpenter.k8s.aws/v1\n"
	"kind: EC2NodeClass\n"
	"metadata: {name: default}\n"
	"spec: {amiSelectorTerms: [{alias: al2023@latest}]}\n"
	"---\n"
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata:\n"
	"  name: zone-spread\n"
	"spec:\n"
	"  replicas: 4\n"
	"  selector:\n"
	"    matchLabels:\n"
	"      app: zone-spread\n"
	"  template:\n"
	"    metadata:\n"
	"      labels:\n"
	"        app: zone-spread\n"
	"    spec:\n"
	"      containers:\n"
	"      - image: public.ecr.aws/eks-distro/kubernetes/pause:3.2\n"
	"        name: zone-spread\n"
	"        resources:\n"
	"          requests:\n"
	"            cpu: \"1\"\n"
	"            memory: 256M\n"
	"      topologySpreadConstraints:\n"
	"      - labelSelector:\n"
	"          matchLabels:\n"
	"            app: zone-spread\n"
	"        maxSkew: 1\n"
	"        topologyKey: topology.kubernetes.io/zone\n"
	"        whenUnsatisfiable: DoNotSchedule\n"
;

START_TEST(test_zone_spread)
{
	json_t *j = tu_run_text(spread_yaml);

	ck_assert_uint_eq(json_array_size(json_object_get(j, "node_claims")), 3);
	ck_assert_str_eq(claim_str(j, 0, "zone"), "us-east-1a");
	ck_assert_str_eq(claim_str(j, 1, "zone"), "us-east-1b");
	ck_assert_str_eq(claim_str(j, 2, "zone"), "us-east-1c");
	/* 2 pods: 2155m > 1930m of an m5.large */
	ck_assert_str_eq(claim_str(j, 0, "instance_type"), "m5.xlarge");
	ck_assert_str_eq(claim_str(j, 1, "instance_type"), "m5.large");
	json_decref(j);
}
END_TEST

START_TEST(test_min_values)
{
	char *text = strdup(spread_yaml), *at = strstr(text, "minValues: 1");
	json_t *j, *p;
	size_t i;

	ck_assert(at != NULL);
	at[11] = '2';
	j = tu_run_text(text);
	free(text);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "node_claims")), 0);
	json_array_foreach(json_object_get(j, "pods"), i, p)
		ck_assert_str_eq(json_string_value(json_object_get(p, "autoscaler_reason")),
		    "incompatible with nodepool \"default\", minValues requirement is not met for "
		    "label karpenter.k8s.aws/instance-family");
	json_decref(j);
}
END_TEST

/* ---- errors ---- */

static const char *const bad_pool_head =
	"apiVersion: karpenter.sh/v1\n"
	"kind: NodePool\n"
	"metadata: {name: bad}\n"
	"spec:\n"
	"  template:\n"
	"    spec:\n"
	"      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}\n"
	"      requirements:\n"
	"        - key: karpenter.k8s.aws/instance-generation\n"
	"          operator: ";

static void
check_bad(const char *op, const char *val, int line, int col, const char *msg)
{
	char text[2048];
	struct ks_error err;

	snprintf(text, sizeof(text), "%s%s\n          values: [\"%s\"]\n", bad_pool_head, op, val);
	ck_assert_int_eq(tu_validate_text(text, &err), KS_EINVAL);
	ck_assert_int_eq(err.at.line, line);
	ck_assert_int_eq(err.at.col, col);
	ck_assert_str_eq(err.msg, msg);
}

START_TEST(test_err_operator)
{
	check_bad("Greater", "2", 10, 21, "unknown operator \"Greater\" in the requirement on "
	    "\"karpenter.k8s.aws/instance-generation\": expected In, NotIn, Exists, DoesNotExist, "
	    "Gt or Lt");
}
END_TEST

START_TEST(test_err_gt_value)
{
	check_bad("Gt", "two", 11, 20, "expected a non-negative integer value for operator Gt on "
	    "\"karpenter.k8s.aws/instance-generation\", found \"two\"");
}
END_TEST

START_TEST(test_err_settings)
{
	const char *text =
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec:\n"
	    "  karpenter:\n    featureGates: {spotToSpot: true}\n";
	struct ks_error err;

	ck_assert_int_eq(tu_validate_text(text, &err), KS_EINVAL);
	ck_assert_int_eq(err.at.line, 6);
	ck_assert_int_eq(err.at.col, 20);
	ck_assert(strstr(err.msg, "unknown field \"spotToSpot\" in karpenter featureGates") != NULL);
}
END_TEST

Suite *
karpenter_suite(void)
{
	Suite *s = suite_create("karpenter");
	TCase *core = tcase_create("core"), *limits = tcase_create("limits");
	TCase *errors = tcase_create("errors");

	tcase_set_timeout(core, 60);
	tcase_set_timeout(limits, 60);
	tcase_add_test(core, test_estimate);
	tcase_add_test(core, test_cheapest);
	tcase_add_test(core, test_run_spot_consolidation);
	tcase_add_test(core, test_run_gate_off);
	tcase_add_test(core, test_uncons_dedupe);
	tcase_add_test(core, test_run_taints);
	tcase_add_test(limits, test_budget_zero_blocks);
	tcase_add_test(limits, test_budget_schedule);
	tcase_add_test(limits, test_do_not_disrupt);
	tcase_add_test(limits, test_pool_limit);
	tcase_add_test(limits, test_multi_then_single);
	tcase_add_test(limits, test_interruption);
	tcase_add_test(limits, test_expiry);
	tcase_add_test(limits, test_drift);
	tcase_add_test(core, test_zone_spread);
	tcase_add_test(limits, test_min_values);
	tcase_add_test(errors, test_warn_unsatisfiable);
	tcase_add_test(errors, test_err_operator);
	tcase_add_test(errors, test_err_gt_value);
	tcase_add_test(errors, test_err_settings);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	suite_add_tcase(s, errors);
	return s;
}

int
main(void)
{
	return tu_main(karpenter_suite());
}
