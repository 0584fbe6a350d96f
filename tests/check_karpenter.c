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

/* Run a scenario after replacing each from[i] with to[i] in its text, in order. */
static json_t *
run_edited_n(const char *name, const char *const *from, const char *const *to, size_t n)
{
	char file[256], *text, *at, *edited;
	json_t *j;

	snprintf(file, sizeof(file), "%s.yaml", name);
	text = tu_slurp(tu_scenario(file));
	for (size_t i = 0; i < n; i++) {
		at = strstr(text, from[i]);
		ck_assert_msg(at != NULL, "\"%s\" not in %s", from[i], file);
		edited = xasprintf("%.*s%s%s", (int)(at - text), text, to[i], at + strlen(from[i]));
		free(text);
		text = edited;
	}
	j = tu_run_text(text);
	free(text);
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

/*
 * The AWS provider's launch filters (pkg/providers/instance/filter,
 * filter_test.go's contexts, in instance.go's order: exotic, then spot),
 * on us-east-1 prices: g4dn.xlarge 0.526, inf1.xlarge 0.228, c5.4xlarge
 * 0.68 on-demand / 0.2312 spot, m5.large 0.096 / 0.03264.
 */
#define AMD_OD "kubernetes.io/arch In amd64; karpenter.sh/capacity-type In on-demand; "
#define BOTH "kubernetes.io/arch In amd64; karpenter.sh/capacity-type In spot on-demand; "
#define ITYPE "node.kubernetes.io/instance-type In "
START_TEST(test_launch_filters)
{
	char out[512];
	size_t n;
	int spot;

	/* exotic types go while a generic one stays, even a cheaper GPU type */
	ck_assert_uint_eq(karpenter_launch_types("us-east-1", AMD_OD ITYPE "g4dn.xlarge c5.4xlarge",
	    1000, 1024, out, sizeof(out), &n, &spot), 1);
	ck_assert_str_eq(out, "c5.4xlarge");
	/* ... but minValues skips the filter (HasMinValues) */
	ck_assert_uint_eq(karpenter_launch_types("us-east-1", AMD_OD ITYPE
	    "g4dn.xlarge c5.4xlarge minValues=2", 1000, 1024, out, sizeof(out), &n, &spot), 2);
	ck_assert_str_eq(out, "g4dn.xlarge c5.4xlarge");
	/* spot and on-demand allowed: c5.4xlarge spot (0.2312) costs more than
	 * the cheapest on-demand, m5.large (0.096): it is not sent */
	ck_assert_uint_eq(karpenter_launch_types("us-east-1", BOTH ITYPE "c5.4xlarge m5.large",
	    1000, 1024, out, sizeof(out), &n, &spot), 1);
	ck_assert_str_eq(out, "m5.large");
	ck_assert_int_eq(spot, 1);
	/* spot only: no filter */
	ck_assert_uint_eq(karpenter_launch_types("us-east-1", "kubernetes.io/arch In amd64; "
	    "karpenter.sh/capacity-type In spot; " ITYPE "c5.4xlarge m5.large", 1000, 1024, out,
	    sizeof(out), &n, &spot), 2);
	/* minValues: no filter either */
	ck_assert_uint_eq(karpenter_launch_types("us-east-1", BOTH ITYPE
	    "c5.4xlarge m5.large minValues=2", 1000, 1024, out, sizeof(out), &n, &spot), 2);
	/* exotic before spot: with inf1.xlarge (0.228 on-demand) gone first,
	 * the cheapest on-demand is c5.4xlarge's 0.68 and its spot offering
	 * (0.2312) stays; in the other order it would have gone (> 0.228) and
	 * the Inferentia type been launched */
	ck_assert_uint_eq(karpenter_launch_types("us-east-1", BOTH ITYPE "inf1.xlarge c5.4xlarge",
	    1000, 1024, out, sizeof(out), &n, &spot), 1);
	ck_assert_str_eq(out, "c5.4xlarge");
	ck_assert_int_eq(spot, 1);
	/* at most 60 types are sent (instance.go maxInstanceTypes) */
	ck_assert_uint_eq(karpenter_launch_types("us-east-1", "karpenter.sh/capacity-type In spot",
	    1000, 1024, out, sizeof(out), &n, &spot), KP_FLEET_TYPES);
	ck_assert_uint_gt(n, 60);
}
END_TEST
#undef AMD_OD
#undef BOTH
#undef ITYPE

/*
 * CreateFleet's price-capacity-optimized choice (fleet.c): cheapest first,
 * the first type found deep, with P(deep) by the spot advisor band (<5 %
 * 0.9 ... >20 % 0.3); the cheapest when none is; on-demand is lowest-price.
 */
START_TEST(test_fleet_pick)
{
	int b1[6] = { 1, 3, 2, 2, 1, 3 }, b2[2] = { 4, 0 }, b3[1] = { 4 };
	size_t cnt[6] = { 0 }, first = 0, n = 20000;

	for (uint64_t s = 0; s < n; s++) {
		cnt[karpenter_fleet_pick(b1, 6, s, 1)]++;
		first += karpenter_fleet_pick(b2, 2, s, 1) == 0;
		ck_assert_uint_eq(karpenter_fleet_pick(b3, 1, s, 1), 0);
		ck_assert_uint_eq(karpenter_fleet_pick(b2, 2, s, 0), 0);
	}
	/* band 1 first: 0.75; then 0.25 x 0.45 = 0.1125; ... */
	ck_assert_double_eq_tol((double)cnt[0] / (double)n, 0.75, 0.015);
	ck_assert_double_eq_tol((double)cnt[1] / (double)n, 0.1125, 0.01);
	/* a band-4 type first: 0.3, plus 0.7 x 0.1 when neither is deep */
	ck_assert_double_eq_tol((double)first / (double)n, 0.37, 0.015);
	/* the same seed, the same choice */
	ck_assert_uint_eq(karpenter_fleet_pick(b1, 6, 42, 1), karpenter_fleet_pick(b1, 6, 42, 1));
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
	 * at 6:15, then the 2xlarge goes.  The 15 cheapest spot types are
	 * sent (c6g.large 0.02788 ... m7i.large); price-capacity-optimized
	 * (fleet.c) takes the first deep one of them cheapest first, and with
	 * seed 1 the draws pass over c6g.large, c6a.large, m7g.large,
	 * m7i-flex.large and c6gd.large and take r6g.large (0.03024 $/h) */
	ck_assert_str_eq(claim_str(j, 0, "reason"), "consolidated-replace");
	ck_assert_int_eq(claim_int(j, 0, "terminated_at_ms"), 375000);
	ck_assert_str_eq(claim_str(j, 1, "instance_type"), "r6g.large");
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

/*
 * BuildDisruptionBudgetMapping (pkg/controllers/disruption/helpers.go and
 * its suite's "Budgets" cases): a percentage of the initialized nodes,
 * those being disrupted included, rounded up, minus those being disrupted;
 * nodes not yet initialized count for nothing.
 */
START_TEST(test_budget_mapping)
{
	/* 10 initialized, 3 of them disrupting, 50%: 5 - 3 = 2 (not 4 - 3) */
	ck_assert_int_eq(karpenter_budget_allowed("50%", 7, 3, 0), 2);
	/* 10 Ready and 5 booting, 10%: 1 (booting nodes neither count nor block) */
	ck_assert_int_eq(karpenter_budget_allowed("10%", 10, 0, 5), 1);
	/* 1 node, 10%: rounds up to 1 */
	ck_assert_int_eq(karpenter_budget_allowed("10%", 1, 0, 0), 1);
	/* a count: 3 - 2 disrupting = 1; never below 0 */
	ck_assert_int_eq(karpenter_budget_allowed("3", 5, 2, 4), 1);
	ck_assert_int_eq(karpenter_budget_allowed("1", 5, 2, 0), 0);
	/* nothing initialized: 0% of 0 */
	ck_assert_int_eq(karpenter_budget_allowed("100%", 0, 0, 3), 0);
}
END_TEST

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

/*
 * Balanced's score, with designs/balanced-consolidation.md's examples (10
 * nodes: eight m7i.xlarge at $4.84/day, two m7i.2xlarge at $9.68/day,
 * $58.08/day in all, 80 pods of disruption cost 1): approved at score >=
 * 1/BalancedK = 0.5.
 */
START_TEST(test_balanced_score)
{
	/* oversized 2xlarge, 3 pods, replaced by an m7i.large ($2.42/day) */
	ck_assert_double_eq_tol(karpenter_balanced_score(7.26, 58.08, 3, 80), 3.33, 0.01);
	/* spare-capacity delete of an xlarge with 4 pods */
	ck_assert_double_eq_tol(karpenter_balanced_score(4.84, 58.08, 4, 80), 1.67, 0.01);
	/* marginal: xlarge with 8 pods to a large: 0.42, rejected */
	ck_assert_double_eq_tol(karpenter_balanced_score(2.42, 58.08, 8, 80), 0.42, 0.01);
	ck_assert(karpenter_balanced_score(2.42, 58.08, 8, 80) < 1.0 / KP_BALANCED_K);
	/* uniform pool replace: exactly the boundary, approved */
	ck_assert(karpenter_balanced_score(2.42, 48.40, 8, 80) >= 1.0 / KP_BALANCED_K);
	/* heterogeneous disruption: node B (cost 31 of 107) rejected */
	ck_assert_double_eq_tol(karpenter_balanced_score(4.84, 58.08, 31, 107), 0.29, 0.01);
	/* a single-node pool's delete scores 1; no savings scores 0 */
	ck_assert_double_eq_tol(karpenter_balanced_score(1, 1, 5, 5), 1.0, 1e-9);
	ck_assert_double_eq(karpenter_balanced_score(0, 10, 1, 10), 0.0);
	ck_assert_double_eq(karpenter_balanced_score(-1, 10, 1, 10), 0.0);
}
END_TEST

/* tests/cases/karpenter-balanced.yaml: the replace scores 0.25 and is rejected. */
START_TEST(test_balanced_rejects)
{
	json_t *j = tu_run_ok(tu_scenario("../tests/cases/karpenter-balanced.yaml"));

	ck_assert_uint_eq(json_array_size(json_object_get(j, "node_claims")), 2);
	ck_assert_str_eq(claim_str(j, 1, "reason"), "provisioned");
	/* its Unconsolidatable ("score 0.25 < threshold 0.50 ...") is not seen:
	 * the node published one at 3:10, and upstream's recorder keeps one per
	 * node per 15 minutes */
	json_decref(j);
	/* the same pool under WhenEmptyOrUnderutilized replaces the 2xlarge */
	j = run_edited("../tests/cases/karpenter-balanced", "    consolidationPolicy: Balanced",
	    "    consolidationPolicy: WhenEmptyOrUnderutilized");
	ck_assert_str_eq(claim_str(j, 1, "reason"), "consolidated-replace");
	ck_assert_str_eq(claim_str(j, 2, "instance_type"), "m5.xlarge");
	json_decref(j);
}
END_TEST

/* Balanced is a v1 policy: a v1beta1 NodePool cannot ask for it. */
START_TEST(test_balanced_v1_only)
{
#define BALANCED_POOL(v) \
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n---\n" \
	    "apiVersion: karpenter.sh/" v "\nkind: NodePool\nmetadata: {name: p}\nspec:\n" \
	    "  template: {spec: {nodeClassRef: {name: default}}}\n" \
	    "  disruption: {consolidationPolicy: Balanced}\n"
	char *text = xstrdup(BALANCED_POOL("v1beta1"));
	struct ks_error err;

	ck_assert_int_eq(tu_validate_text(text, &err), KS_EINVAL);
	ck_assert_int_eq(err.at.line, 10);
	ck_assert(strstr(err.msg, "unknown consolidationPolicy \"Balanced\": expected "
	    "WhenUnderutilized or WhenEmpty") != NULL);
	free(text);
	text = xstrdup(BALANCED_POOL("v1"));
#undef BALANCED_POOL
	ck_assert_int_eq(tu_validate_text(text, &err), 0);
	free(text);
}
END_TEST

/*
 * A node-level karpenter.sh/do-not-disrupt through the NodePool's
 * template.metadata.annotations (pkg/controllers/state/statenode.go
 * ValidateNodeDisruptable): the claim is never a candidate, so the 2xlarge
 * is not replaced; the template labels still reach the node.
 */
START_TEST(test_do_not_disrupt_node)
{
	json_t *j = run_edited("karpenter-spot-consolidation", "      labels:\n        intent: apps\n",
	    "      labels:\n        intent: apps\n      annotations:\n"
	    "        karpenter.sh/do-not-disrupt: \"true\"\n");

	ck_assert_uint_eq(json_array_size(json_object_get(j, "node_claims")), 1);
	ck_assert_str_eq(claim_str(j, 0, "reason"), "provisioned");
	json_decref(j);
}
END_TEST

/* karpenter.sh/do-not-evict is honoured by v1beta1 and gone in v1. */
START_TEST(test_do_not_evict_by_version)
{
	const char *from = "      labels:\n        app: inflate\n";
	const char *to = "      labels:\n        app: inflate\n      annotations:\n"
	    "        karpenter.sh/do-not-evict: \"true\"\n";
	json_t *j = run_edited("karpenter-spot-consolidation", from, to);

	/* v1beta1 (the scenario's): the pod blocks the replace */
	ck_assert_uint_eq(json_array_size(json_object_get(j, "node_claims")), 1);
	json_decref(j);
	/* v1 (tests/cases/karpenter-balanced.yaml, WhenEmptyOrUnderutilized):
	 * the annotation means nothing, the 2xlarge is replaced */
	{
		const char *f[2] = { "    consolidationPolicy: Balanced",
		    "    metadata: {labels: {app: small}}" };
		const char *t[2] = { "    consolidationPolicy: WhenEmptyOrUnderutilized",
		    "    metadata: {labels: {app: small}, annotations: "
		    "{karpenter.sh/do-not-evict: \"true\"}}" };

		j = run_edited_n("../tests/cases/karpenter-balanced", f, t, 2);
	}
	ck_assert_str_eq(claim_str(j, 1, "reason"), "consolidated-replace");
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
	 * us-east-1b, Ready at 4:01, running at 4:07: 5 x 67 s = 335 s.  The
	 * pool is narrowed to that one type, so that CreateFleet's choice
	 * (fleet.c) has nothing else to pick. */
	const char *f[2] = { "  karpenter:\n", "          values: [\"spot\"]\n" };
	const char *t[2] = { "  karpenter:\n    interruptions: [{at: 3m}]\n",
	    "          values: [\"spot\"]\n        - key: node.kubernetes.io/instance-type\n"
	    "          operator: In\n          values: [\"c6gd.2xlarge\"]\n" };
	json_t *j = run_edited_n("karpenter-spot-consolidation", f, t, 2);
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
	 * budgets; its pods come back through provisioning (the same 60 types;
	 * this time CreateFleet's draw, fleet.c, passes over c6gd.2xlarge,
	 * deep with 30 %, and takes the next cheapest, c7g.2xlarge) */
	json_t *j = run_edited("karpenter-spot-consolidation", "expireAfter: 720h", "expireAfter: 3m");

	ck_assert_str_eq(claim_str(j, 0, "reason"), "expired");
	ck_assert(tu_events(j, "DisruptionTerminating", "Disrupting NodeClaim: Expired", NULL));
	ck_assert_str_eq(claim_str(j, 1, "instance_type"), "c7g.2xlarge");
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

/*
 * The Drift gate (featureGates.drift, before v1.0): off, the v1beta1
 * pool's re-applied template drifts nothing (versions.c); v1 removed the
 * gate, so a v1 pool drifts whatever it says.
 */
START_TEST(test_drift_gate)
{
	char to[4096];
	const char *f[2] = { "    - at: 5m\n", "        spotToSpotConsolidation: true\n" };
	const char *t[2] = { to, "        spotToSpotConsolidation: true\n        drift: false\n" };
	json_t *j;

	snprintf(to, sizeof(to), "%s    - at: 5m\n", drift_block);
	j = run_edited_n("karpenter-spot-consolidation", f, t, 2);
	ck_assert_str_ne(claim_str(j, 0, "reason"), "drifted");
	ck_assert(!tu_events(j, "Drifted", "NodeClaim ", NULL));
	json_decref(j);
}
END_TEST

/* The no-cheaper-node message by release: lowercase in the v0.31
 * deprovisioning controller (v1alpha5), capitalised from v0.32 on. */
START_TEST(test_msg_by_version)
{
	struct kp_pool p;
	struct kp_state st;

	memset(&p, 0, sizeof(p));
	memset(&st, 0, sizeof(st));
	st.ver_major = st.ver_minor = -1;
	p.version = KP_V1ALPHA5;
	ck_assert_str_eq(kp_msg_no_cheaper(&st, &p), "can't replace with a cheaper node");
	p.version = KP_V1BETA1;
	ck_assert_str_eq(kp_msg_no_cheaper(&st, &p), "Can't replace with a cheaper node");
	ck_assert(kp_do_not_evict(&st, &p));
	p.version = KP_V1;
	ck_assert_str_eq(kp_msg_no_cheaper(&st, &p), "Can't replace with a cheaper node");
	ck_assert(!kp_do_not_evict(&st, &p));
	/* a named release decides for every pool: v1.0 serves v1beta1 with v1's rules */
	st.ver_major = 1;
	st.ver_minor = 0;
	p.version = KP_V1BETA1;
	ck_assert(!kp_do_not_evict(&st, &p));
	st.ver_major = 0;
	st.ver_minor = 31;
	ck_assert_str_eq(kp_msg_no_cheaper(&st, &p), "can't replace with a cheaper node");
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

/* A NodeOverlay cannot set both price and priceAdjustment (its CRD rule). */
START_TEST(test_err_overlay)
{
	const char *text =
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n---\n"
	    "apiVersion: karpenter.sh/v1alpha1\nkind: NodeOverlay\nmetadata: {name: o}\n"
	    "spec:\n  price: \"0.5\"\n  priceAdjustment: \"+10%\"\n";
	const char *bad_adj =
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n---\n"
	    "apiVersion: karpenter.sh/v1alpha1\nkind: NodeOverlay\nmetadata: {name: o}\n"
	    "spec:\n  priceAdjustment: \"10%\"\n";
	struct ks_error err;

	ck_assert_int_eq(tu_validate_text(text, &err), KS_EINVAL);
	ck_assert_int_eq(err.at.line, 9);
	ck_assert(strstr(err.msg, "cannot set both 'price' and 'priceAdjustment'") != NULL);
	ck_assert_int_eq(tu_validate_text(bad_adj, &err), KS_EINVAL);
	ck_assert_int_eq(err.at.line, 9);
	ck_assert(strstr(err.msg, "expected a priceAdjustment such as") != NULL);
}
END_TEST

/*
 * tests/cases/karpenter-static.yaml re-applied at 5m with replicas 1: the
 * static controller deletes the surplus without budgets, the empty node
 * first (the pod stays on its node); requirements are unchanged, so
 * nothing drifts.
 */
START_TEST(test_static_scale_down)
{
	const char *f[1] = { "  expect:\n" };
	const char *t[1] = {
	    "  timeline:\n"
	    "    - at: 5m\n"
	    "      create:\n"
	    "        apiVersion: karpenter.sh/v1\n"
	    "        kind: NodePool\n"
	    "        metadata: {name: default}\n"
	    "        spec:\n"
	    "          replicas: 1\n"
	    "          template:\n"
	    "            spec:\n"
	    "              nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, "
	    "name: default}\n"
	    "              requirements:\n"
	    "                - {key: karpenter.sh/capacity-type, operator: In, "
	    "values: [on-demand]}\n"
	    "                - {key: node.kubernetes.io/instance-type, operator: In, "
	    "values: [m5.large]}\n"
	    "  expect:\n" };
	json_t *j = run_edited_n("../tests/cases/karpenter-static", f, t, 1);
	json_t *claims = json_object_get(j, "node_claims");
	size_t gone = 0, i;
	json_t *c;

	ck_assert_uint_eq(json_array_size(claims), 2);
	json_array_foreach(claims, i, c) {
		if (strcmp(tu_str(c, "reason"), "static-scale-down") == 0) {
			gone++;
			ck_assert_int_ge(tu_int(c, "terminated_at_ms"), 300000);
		}
	}
	ck_assert_uint_eq(gone, 1);
	json_decref(j);
}
END_TEST

/* A static NodePool may set neither a weight nor limits other than nodes. */
START_TEST(test_err_static)
{
	const char *weight =
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n---\n"
	    "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: p}\nspec:\n"
	    "  weight: 10\n  replicas: 3\n"
	    "  template: {spec: {nodeClassRef: {name: default}}}\n";
	const char *limits =
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n---\n"
	    "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: p}\nspec:\n"
	    "  replicas: 3\n  limits: {cpu: 10, nodes: 5}\n"
	    "  template: {spec: {nodeClassRef: {name: default}}}\n";
	struct ks_error err;

	ck_assert_int_eq(tu_validate_text(weight, &err), KS_EINVAL);
	ck_assert_int_eq(err.at.line, 10);
	ck_assert(strstr(err.msg, "a static NodePool (replicas) cannot set a weight") != NULL);
	ck_assert_int_eq(tu_validate_text(limits, &err), KS_EINVAL);
	ck_assert(strstr(err.msg, "cannot set limits other than nodes") != NULL);
}
END_TEST

/*
 * The Karpenter release: spec.karpenter.version or a controller image tag
 * decides the rules for every pool and must serve their API versions
 * (v1 from v1.0; v1beta1 from v0.32 to v1.0; v1alpha5 until v0.31).
 */
START_TEST(test_version)
{
	const char *v1_on_037 =
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n"
	    "spec:\n  karpenter: {version: \"0.37\"}\n---\n"
	    "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: p}\nspec:\n"
	    "  template: {spec: {nodeClassRef: {name: default}}}\n";
	const char *beta_on_image =
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n---\n"
	    "apiVersion: karpenter.sh/v1beta1\nkind: NodePool\nmetadata: {name: p}\nspec:\n"
	    "  template: {spec: {nodeClassRef: {name: default}}}\n---\n"
	    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: karpenter}\nspec:\n"
	    "  selector: {matchLabels: {app: k}}\n  template:\n    metadata: {labels: {app: k}}\n"
	    "    spec:\n      containers:\n"
	    "        - {name: controller, image: public.ecr.aws/karpenter/controller:1.8.1}\n";
	const char *f[2] = { "  karpenter:\n", "      labels:\n        app: inflate\n" };
	const char *t[2] = { "  karpenter:\n    version: \"1.0\"\n",
	    "      labels:\n        app: inflate\n      annotations:\n"
	    "        karpenter.sh/do-not-evict: \"true\"\n" };
	struct ks_error err;
	json_t *j;

	ck_assert_int_eq(tu_validate_text(v1_on_037, &err), KS_EINVAL);
	ck_assert_int_eq(err.at.line, 7);
	ck_assert(strstr(err.msg, "NodePool \"p\" cannot run on Karpenter 0.37 "
	    "(spec.karpenter.version): karpenter.sh/v1 came in v1.0") != NULL);
	ck_assert_int_eq(tu_validate_text(beta_on_image, &err), KS_EINVAL);
	ck_assert(strstr(err.msg, "cannot run on Karpenter 1.8.1 (image public.ecr.aws/karpenter/"
	    "controller:1.8.1): karpenter.sh/v1beta1 is served from v0.32 to v1.0") != NULL);
	/* v1.0 serves the v1beta1 pool with v1's rules: do-not-evict is gone */
	j = run_edited_n("karpenter-spot-consolidation", f, t, 2);
	ck_assert_str_eq(tu_str(json_object_get(j, "karpenter"), "version"),
	    "1.0 (spec.karpenter.version)");
	ck_assert_str_eq(claim_str(j, 0, "reason"), "consolidated-replace");
	json_decref(j);
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
	tcase_add_test(core, test_launch_filters);
	tcase_add_test(core, test_fleet_pick);
	tcase_add_test(core, test_run_spot_consolidation);
	tcase_add_test(core, test_run_gate_off);
	tcase_add_test(core, test_uncons_dedupe);
	tcase_add_test(core, test_run_taints);
	tcase_add_test(limits, test_budget_mapping);
	tcase_add_test(limits, test_budget_zero_blocks);
	tcase_add_test(limits, test_budget_schedule);
	tcase_add_test(limits, test_do_not_disrupt);
	tcase_add_test(limits, test_do_not_disrupt_node);
	tcase_add_test(limits, test_do_not_evict_by_version);
	tcase_add_test(limits, test_pool_limit);
	tcase_add_test(core, test_balanced_score);
	tcase_add_test(limits, test_balanced_rejects);
	tcase_add_test(errors, test_balanced_v1_only);
	tcase_add_test(limits, test_multi_then_single);
	tcase_add_test(limits, test_interruption);
	tcase_add_test(limits, test_expiry);
	tcase_add_test(limits, test_drift);
	tcase_add_test(limits, test_drift_gate);
	tcase_add_test(core, test_msg_by_version);
	tcase_add_test(core, test_zone_spread);
	tcase_add_test(limits, test_min_values);
	tcase_add_test(errors, test_warn_unsatisfiable);
	tcase_add_test(errors, test_err_operator);
	tcase_add_test(errors, test_err_gt_value);
	tcase_add_test(errors, test_err_settings);
	tcase_add_test(errors, test_err_overlay);
	tcase_add_test(errors, test_err_static);
	tcase_add_test(limits, test_version);
	tcase_add_test(limits, test_static_scale_down);
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
