/*
 * check_plan.c: ksim plan: candidate lists, ranking, cost scaling and
 * breakdown, headroom, and (through the built binary named by $KSIM, with
 * the sources at $srcdir, as make check sets them: the golden plan of
 * scenarios/plan-notebooks.yaml and the command-line errors; without $KSIM
 * the rest runs and the program exits 77, SKIP).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "ksim.h"
#include "plan/plan.h"
#include "run/run.h"
#include "testutil.h"
#include "util/intern.h"

#define NUSD	INT64_C(1000000000)	/* nano-USD per USD */
#define GI	(INT64_C(1) << 30)

static struct catalog *cat;

static void
cat_setup(void)
{
	struct ks_error err;

	ks_error_clear(&err);
	ck_assert_int_eq(catalog_load_default(&cat, &err), 0);
}

static void
cat_teardown(void)
{
	catalog_free(cat);
	cat = NULL;
}

/* ---- cost scaling ---- */

START_TEST(test_scale_day_month)
{
	/* two m5.4xlarge (0.768 USD/h each) for 15 min = 0.384 USD;
	 * a day is 96 quarter-hours: 36.864 USD; a month of 730 h is
	 * 2920 quarter-hours: 1121.28 USD */
	ck_assert_int_eq(plan_scale(384000000, 15 * 60000, PLAN_DAY_MS), 36864000000);
	ck_assert_int_eq(plan_scale(384000000, 15 * 60000, PLAN_MONTH_MS), 1121280000000);
	/* one hour to a month is x730 */
	ck_assert_int_eq(plan_scale(96000000, 3600000, PLAN_MONTH_MS), 70080000000);
}
END_TEST

START_TEST(test_scale_rounding)
{
	/* 1 nano-USD over 3 ms scaled to 2 ms = 0.667 -> 1; to 1 ms = 0.333 -> 0 */
	ck_assert_int_eq(plan_scale(1, 3, 2), 1);
	ck_assert_int_eq(plan_scale(1, 3, 1), 0);
	/* 10 over 4 to 2 = 5 exactly */
	ck_assert_int_eq(plan_scale(10, 4, 2), 5);
}
END_TEST

/* ---- ranking ---- */

static const struct cat_itype it_a = { .name = "a.large" };
static const struct cat_itype it_b = { .name = "b.large" };
static const struct cat_itype it_c = { .name = "c.large" };

static struct plan_option
opt(const struct cat_itype *it, int spot, int viable, int nodes, int64_t cost, int unsched)
{
	struct plan_option o;

	memset(&o, 0, sizeof(o));
	o.it = it;
	o.spot = spot;
	o.viable = viable;
	o.nodes = nodes;
	o.cost_nusd = cost;
	o.unsched = unsched;
	return o;
}

START_TEST(test_rank_order)
{
	struct plan_option v[6];

	v[0] = opt(&it_c, 0, 0, 0, 0, 0);		/* not viable: last */
	v[1] = opt(&it_a, 0, 1, 3, 5 * NUSD, 0);	/* 5 USD */
	v[2] = opt(&it_b, 0, 1, 2, 4 * NUSD, 0);	/* 4 USD: first */
	v[3] = opt(&it_a, 1, 1, 2, 5 * NUSD, 0);	/* 5 USD, 2 nodes: before v[1] */
	v[4] = opt(&it_c, 1, 1, 1, 1 * NUSD, 2);	/* cheapest but leaves 2 pods: after all that serve */
	v[5] = opt(&it_b, 1, 0, 0, 0, 0);		/* not viable */
	plan_rank(v, 6);
	ck_assert_ptr_eq(v[0].it, &it_b);
	ck_assert_int_eq(v[0].cost_nusd, 4 * NUSD);
	ck_assert_ptr_eq(v[1].it, &it_a);
	ck_assert_int_eq(v[1].spot, 1);
	ck_assert_ptr_eq(v[2].it, &it_a);
	ck_assert_int_eq(v[2].spot, 0);
	ck_assert_ptr_eq(v[3].it, &it_c);
	ck_assert_int_eq(v[3].unsched, 2);
	/* not viable: by name */
	ck_assert_ptr_eq(v[4].it, &it_b);
	ck_assert_ptr_eq(v[5].it, &it_c);
	ck_assert_ptr_eq(plan_cheapest(v, 6), &v[0]);
}
END_TEST

START_TEST(test_rank_tie_spot_after_on_demand)
{
	struct plan_option v[2];

	v[0] = opt(&it_a, 1, 1, 2, 3 * NUSD, 0);
	v[1] = opt(&it_a, 0, 1, 2, 3 * NUSD, 0);
	plan_rank(v, 2);
	ck_assert_int_eq(v[0].spot, 0);
	ck_assert_int_eq(v[1].spot, 1);
}
END_TEST

/* ---- candidate lists ---- */

START_TEST(test_types_globs)
{
	const struct cat_itype **t;
	size_t n, m5 = 0;
	struct ks_error err;

	ks_error_clear(&err);
	for (size_t i = 0; i < catalog_count(cat); i++)
		m5 += strncmp(catalog_at(cat, i)->name, "m5.", 3) == 0;
	ck_assert_uint_gt(m5, 5);
	/* a name listed twice, once through a glob, comes out once, in name order */
	ck_assert_int_eq(plan_types_parse(cat, "--instance-types", "m5.large,m5.*", &t, &n, &err), 0);
	ck_assert_uint_eq(n, m5);
	for (size_t i = 1; i < n; i++)
		ck_assert_int_lt(strcmp(t[i - 1]->name, t[i]->name), 0);
	free(t);
	ck_assert_int_eq(plan_types_parse(cat, "--instance-types", "m5.4xlarge, r5.8xlarge", &t, &n,
	    &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(t[0]->name, "m5.4xlarge");
	ck_assert_str_eq(t[1]->name, "r5.8xlarge");
	free(t);
}
END_TEST

START_TEST(test_captypes_usd)
{
	unsigned m;
	int64_t v;
	struct ks_error err;

	ks_error_clear(&err);
	ck_assert_int_eq(plan_captypes_parse("--capacity-type", "spot,on-demand", &m, &err), 0);
	ck_assert_uint_eq(m, 3);
	ck_assert_int_eq(plan_captypes_parse("--capacity-type", "spot", &m, &err), 0);
	ck_assert_uint_eq(m, 2);
	ck_assert_int_eq(plan_usd_parse("--max-cost", "0.75", &v, &err), 0);
	ck_assert_int_eq(v, 750000000);
	ck_assert_int_eq(plan_usd_parse("--max-cost", "3.072", &v, &err), 0);
	ck_assert_int_eq(v, 3072000000);
	ck_assert_int_eq(plan_usd_parse("--max-cost", "12", &v, &err), 0);
	ck_assert_int_eq(v, 12 * NUSD);
	/* digits beyond the nano-USD are dropped */
	ck_assert_int_eq(plan_usd_parse("--max-cost", "0.0000000019", &v, &err), 0);
	ck_assert_int_eq(v, 1);
}
END_TEST

/* ---- a finished run: cost breakdown and headroom ---- */

/*
 * n1: an m5.large (0.096 USD/h on demand in us-east-1) declared with
 * allocatable 2 cpu / 8Gi, running p1 (1 cpu / 2Gi) for the whole hour.
 * n2: no instance type (no price), 4 cpu, 2 pods.  n3: tainted.
 */
static const char fixture[] =
	"apiVersion: ksim/v1alpha1\n"
	"kind: Scenario\n"
	"metadata: {name: plan-unit}\n"
	"spec: {duration: 1h}\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Node\n"
	"metadata: {name: n1, labels: {node.kubernetes.io/instance-type: m5.large}}\n"
	"status: {allocatable: {cpu: \"2\", memory: 8Gi, pods: \"110\"}}\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Node\n"
	"metadata: {name: n2}\n"
	"status: {allocatable: {cpu: \"4\", memory: 8Gi, pods: \"2\"}}\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Node\n"
	"metadata: {name: n3}\n"
	"spec: {taints: [{key: dedicated, value: gpu, effect: NoSchedule}]}\n"
	"status: {allocatable: {cpu: \"4\", memory: 8Gi, pods: \"110\"}}\n"
	"---\n"
	"apiVersion: v1\n"
	"kind: Pod\n"
	"metadata: {name: p1, namespace: default}\n"
	"spec:\n"
	"  nodeName: n1\n"
	"  containers:\n"
	"    - {name: c, image: x, resources: {requests: {cpu: \"1\", memory: 2Gi}}}\n"
	"status: {phase: Running}\n";

static struct ks_run *
fixture_run(int64_t duration_ms)
{
	char *path = tu_write(fixture);
	const char *files[1] = { path };
	struct ksim_opts o;
	struct ks_run *r = NULL;
	struct ks_error err;

	tu_opts_init(&o, files, 1);
	o.duration_ms = duration_ms;
	ks_error_clear(&err);
	ck_assert_msg(ksim_simulate(&o, cat, NULL, &r, &err) == 0, "%s", err.msg);
	unlink(path);
	free(path);
	return r;
}

START_TEST(test_cost_breakdown)
{
	struct ks_run *r = fixture_run(-1);
	struct plan_cost pc;
	int64_t wl = -1;

	plan_cost_compute(r, &pc);
	/* n1 bills 0.096 USD for the hour; n2 and n3 have no price */
	ck_assert_int_eq(pc.run_ms, 3600000);
	ck_assert_int_eq(pc.total_nusd, 96000000);
	ck_assert_int_eq(pc.ondemand_nusd, 96000000);
	ck_assert_int_eq(pc.spot_nusd, 0);
	/* p1's share of n1 = (1/2 cpu + 2/8 memory) / 2 = 0.375: 0.036 USD;
	 * idle = 0.096 - 0.036 = 0.060 USD */
	for (size_t i = 0; i < pc.nwls; i++)
		if (strcmp(pc.wls[i].name, "Pod/default/p1") == 0)
			wl = pc.wls[i].nusd;
	ck_assert_int_eq(wl, 36000000);
	ck_assert_int_eq(pc.idle_nusd, 60000000);
	/* groups by cost: static/m5.large first */
	ck_assert_uint_eq(pc.ngroups, 2);
	ck_assert_str_eq(pc.groups[0].name, "static/m5.large");
	ck_assert_int_eq(pc.groups[0].count, 1);
	ck_assert_int_eq(pc.groups[0].idle_nusd, 60000000);
	ck_assert_str_eq(pc.groups[1].name, "static/-");
	ck_assert_int_eq(pc.groups[1].count, 2);
	/* a month: 0.096 x 730 = 70.08 USD, of which idle 0.06 x 730 = 43.8 */
	ck_assert_int_eq(plan_scale(pc.total_nusd, pc.run_ms, PLAN_MONTH_MS), 70080000000);
	ck_assert_int_eq(plan_scale(pc.idle_nusd, pc.run_ms, PLAN_MONTH_MS), 43800000000);
	plan_cost_free(&pc);
	ksim_simulation_free(r);
}
END_TEST

START_TEST(test_headroom_reasons)
{
	struct ks_run *r = fixture_run(1);
	struct ks_podspec spec;
	struct ks_pod p;
	struct plan_headroom_node *h;
	size_t n;
	int total;

	memset(&spec, 0, sizeof(spec));
	memset(&p, 0, sizeof(p));
	p.spec = &spec;
	p.ns = intern("default");
	p.name = intern("probe");
	p.node = -1;
	p.pin_node = -1;
	p.req.v[RES_CPU] = 300;
	p.req.v[RES_MEM] = GI;
	p.req.v[RES_PODS] = 1;
	total = plan_headroom_compute(r, &p, &h, &n);
	ck_assert_uint_eq(n, 3);
	/* n1: 2000m - 1000m = 1000m free: 3 x 300m, the 4th needs 1200m */
	ck_assert_str_eq(h[0].name, "n1");
	ck_assert_int_eq(h[0].free_cpu_m, 1000);
	ck_assert_int_eq(h[0].free_mem_b, 6 * GI);
	ck_assert_int_eq(h[0].fits, 3);
	ck_assert_str_eq(h[0].stop, "Insufficient cpu");
	/* n2: 2 pods allowed */
	ck_assert_int_eq(h[1].fits, 2);
	ck_assert_str_eq(h[1].stop, "Too many pods");
	/* n3: tainted */
	ck_assert_int_eq(h[2].fits, 0);
	ck_assert_str_eq(h[2].stop, "node(s) had untolerated taint {dedicated: gpu}");
	ck_assert_int_eq(total, 5);
	free(h);

	/* a nodeSelector no node matches */
	labels_set(&spec.node_selector, "kubernetes.io/arch", "arm64");
	total = plan_headroom_compute(r, &p, &h, &n);
	ck_assert_int_eq(total, 0);
	ck_assert_str_eq(h[0].stop, "node(s) didn't match Pod's node affinity/selector");
	free(h);
	labels_free(&spec.node_selector);

	/* 5 cpu and 7Gi fit nowhere: both resources named, sorted */
	p.req.v[RES_CPU] = 5000;
	p.req.v[RES_MEM] = 7 * GI;
	total = plan_headroom_compute(r, &p, &h, &n);
	ck_assert_int_eq(total, 0);
	ck_assert_str_eq(h[0].stop, "Insufficient cpu, Insufficient memory");
	free(h);
	ksim_simulation_free(r);
}
END_TEST

/* ---- limits ---- */

START_TEST(test_scale_limits)
{
	/* no run time: nothing to scale */
	ck_assert_int_eq(plan_scale(5, 0, PLAN_DAY_MS), 0);
	/* a huge cost over 1 ms saturates instead of overflowing */
	ck_assert_int_eq(plan_scale(INT64_MAX / 2, 1, PLAN_MONTH_MS), INT64_MAX);
	/* a million USD over a month to a month is unchanged */
	ck_assert_int_eq(plan_scale(1000000 * NUSD, PLAN_MONTH_MS, PLAN_MONTH_MS), 1000000 * NUSD);
}
END_TEST

START_TEST(test_rank_empty)
{
	struct plan_option v[1];

	plan_rank(v, 0);
	ck_assert_ptr_null(plan_cheapest(v, 0));
	v[0] = opt(&it_a, 0, 1, 2, NUSD, 1);
	plan_rank(v, 1);
	/* the only option leaves a pod unschedulable: no cheapest */
	ck_assert_ptr_null(plan_cheapest(v, 1));
}
END_TEST

/* ---- errors ---- */

START_TEST(test_types_errors)
{
	const struct cat_itype **t = NULL;
	size_t n = 0;
	struct ks_error err;

	ks_error_clear(&err);
	ck_assert_int_eq(plan_types_parse(cat, "--instance-types", "m5.large,m5.huge", &t, &n, &err),
	    KS_EUSAGE);
	ck_assert_str_eq(err.msg, "--instance-types: unknown instance type \"m5.huge\"");
	ck_assert_ptr_null(t);
	ks_error_clear(&err);
	ck_assert_int_eq(plan_types_parse(cat, "--instance-types", "x9.*", &t, &n, &err), KS_EUSAGE);
	ck_assert_str_eq(err.msg, "--instance-types: \"x9.*\" matches no instance type in the catalog");
	ks_error_clear(&err);
	ck_assert_int_eq(plan_types_parse(cat, "--instance-types", ",", &t, &n, &err), KS_EUSAGE);
	ck_assert_str_eq(err.msg, "--instance-types: expected instance types or globs, found \",\"");
}
END_TEST

START_TEST(test_flag_value_errors)
{
	unsigned m;
	int64_t v;
	struct ks_error err;

	ks_error_clear(&err);
	ck_assert_int_eq(plan_captypes_parse("--capacity-type", "spot,reserved", &m, &err), KS_EUSAGE);
	ck_assert_str_eq(err.msg, "--capacity-type: expected spot or on-demand, found \"reserved\"");
	ks_error_clear(&err);
	ck_assert_int_eq(plan_usd_parse("--max-cost", "-1", &v, &err), KS_EUSAGE);
	ck_assert_str_eq(err.msg,
	    "--max-cost: expected an amount of US dollars such as 25 or 0.75, found \"-1\"");
	ks_error_clear(&err);
	ck_assert_int_eq(plan_usd_parse("--max-cost", "3usd", &v, &err), KS_EUSAGE);
	ks_error_clear(&err);
	ck_assert_int_eq(plan_usd_parse("--max-cost", ".", &v, &err), KS_EUSAGE);
}
END_TEST

/* ---- the binary: golden plan and command-line errors ---- */

/*
 * "<dir>/<what>" in a temporary directory of this test's process (each
 * test runs in its own), removed when the process ends.
 */
static const char *
tmp(const char *what)
{
	static const char *dir;
	static pid_t dir_pid;
	static char buf[8][256];
	static int k;
	char *b = buf[k++ % 8];

	if (dir == NULL || dir_pid != getpid()) {
		dir = tu_tmpdir();
		dir_pid = getpid();
	}
	snprintf(b, sizeof(buf[0]), "%s/%s", dir, what);
	return b;
}

#define GOLDEN_ARGS "plan nodes -j 4 --instance-types 'm5.*,r5.*,c5.*' scenarios/plan-notebooks.yaml"

START_TEST(test_golden_plan_notebooks)
{
	char cmd[1024];
	char *got, *want;
	int rc;

	ck_assert_int_eq(tu_run_ksim(GOLDEN_ARGS, tmp("golden.txt"), tmp("golden.err")), 0);
	if (getenv("KSIM_REGEN") != NULL) {
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s/tests/golden/plan-notebooks.plan.txt'",
		    tmp("golden.txt"), tu_srcdir());
		ck_assert_int_eq(system(cmd), 0);
	}
	snprintf(cmd, sizeof(cmd), "diff -u '%s/tests/golden/plan-notebooks.plan.txt' '%s'",
	    tu_srcdir(), tmp("golden.txt"));
	rc = system(cmd);
	got = tu_slurp(tmp("golden.txt"));
	want = tu_slurp(tmp("golden.err"));
	/* the answer of the field report: never m5.4xlarge, which cannot hold 16 CPU / 64Gi */
	ck_assert_ptr_nonnull(strstr(got, "Cheapest: m5.8xlarge on-demand, 2 nodes"));
	ck_assert_ptr_nonnull(strstr(got, "m5.4xlarge     on-demand  kubeflow-user/nb-16cpu-64gi-0 "
	    "does not fit an empty node: Insufficient cpu, Insufficient memory"));
	ck_assert_str_eq(want, "");
	free(got);
	free(want);
	ck_assert_msg(rc == 0, "plan output differs from tests/golden/plan-notebooks.plan.txt");
	/* the same with one process: byte for byte */
	ck_assert_int_eq(tu_run_ksim("plan nodes -j 1 --instance-types 'm5.*,r5.*,c5.*' "
	    "scenarios/plan-notebooks.yaml", tmp("j1.txt"), tmp("j1.err")), 0);
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", tmp("golden.txt"), tmp("j1.txt"));
	ck_assert_int_eq(system(cmd), 0);
	unlink(tmp("golden.txt"));
	unlink(tmp("golden.err"));
	unlink(tmp("j1.txt"));
	unlink(tmp("j1.err"));
}
END_TEST

START_TEST(test_max_cost_exit)
{
	/* the cheapest option, 2 x m5.8xlarge for an hour, costs 3.072 USD */
	ck_assert_int_eq(tu_run_ksim("plan nodes -q -j 2 --instance-types m5.4xlarge,m5.8xlarge "
	    "--max-cost 3.072 scenarios/plan-notebooks.yaml", "/dev/null", "/dev/null"), 0);
	ck_assert_int_eq(tu_run_ksim("plan nodes -q -j 2 --instance-types m5.4xlarge,m5.8xlarge "
	    "--max-cost 3 scenarios/plan-notebooks.yaml", "/dev/null", "/dev/null"), 1);
	/* only m5.4xlarge: nothing serves every pod */
	ck_assert_int_eq(tu_run_ksim("plan nodes -q --instance-types m5.4xlarge --max-cost 1000 "
	    "scenarios/plan-notebooks.yaml", "/dev/null", "/dev/null"), 1);
}
END_TEST

/*
 * The scenario's plan expectations decide the exit status too: with only
 * m5.4xlarge offered, no option serves every pod, so "the answer is not
 * m5.4xlarge" fails with a message saying so, and the run-side ones are
 * not plan's to judge.
 */
START_TEST(test_plan_expectations)
{
	FILE *fp;
	char buf[8192];
	size_t n;

	ck_assert_int_eq(tu_run_ksim("plan nodes -q --instance-types m5.4xlarge "
	    "scenarios/plan-notebooks.yaml", tmp("pe.txt"), "/dev/null"), 1);
	fp = fopen(tmp("pe.txt"), "r");
	ck_assert_ptr_nonnull(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(buf, "FAIL  the answer is not m5.4xlarge, which cannot hold the "
	    "16 CPU / 64Gi notebook: expected a cheapest option that serves every pod, but none of "
	    "the candidates does\n"));
	ck_assert_ptr_nonnull(strstr(buf, "0 passed, 2 failed\n"));
	ck_assert_int_eq(tu_run_ksim("plan nodes -q --instance-types m5.8xlarge "
	    "scenarios/plan-notebooks.yaml", "/dev/null", "/dev/null"), 0);
}
END_TEST

static const struct {
	const char	*args;		/* after `ksim` */
	const char	*stderr_;	/* exactly */
} flag_errors[] = {
	{ "plan nodes --instance-types m5.huge scenarios/plan-notebooks.yaml",
	  "ksim: --instance-types: unknown instance type \"m5.huge\"\n" },
	{ "plan nodes --instance-types 'm5.*,x9.*' scenarios/plan-notebooks.yaml",
	  "ksim: --instance-types: \"x9.*\" matches no instance type in the catalog\n" },
	{ "plan nodes --capacity-type reserved scenarios/plan-notebooks.yaml",
	  "ksim: --capacity-type: expected spot or on-demand, found \"reserved\"\n" },
	{ "plan nodes --region mars-1 scenarios/plan-notebooks.yaml",
	  "ksim: --region: no prices for region \"mars-1\" in the catalog\n" },
	{ "plan nodes --max-cost lots scenarios/plan-notebooks.yaml",
	  "ksim: --max-cost: expected an amount of US dollars such as 25 or 0.75, found \"lots\"\n" },
	{ "plan nodes -j 0 scenarios/plan-notebooks.yaml",
	  "ksim: --jobs: expected an integer from 1 to 256, found \"0\"\n" },
	{ "plan nodes --method hpa scenarios/plan-notebooks.yaml",
	  "ksim: --method: expected static or ca, found \"hpa\"\n" },
	{ "plan cost --period week scenarios/plan-notebooks.yaml",
	  "ksim: --period: expected day or month, found \"week\"\n" },
	{ "plan cost --pod x.yaml scenarios/plan-notebooks.yaml",
	  "ksim: plan cost: --pod is not an option of this command\n" },
	{ "plan headroom scenarios/plan-notebooks.yaml",
	  "ksim: plan headroom: expected one of --pod FILE or --replicas-of Kind/name\n" },
	{ "plan headroom --replicas-of Deployment/web scenarios/plan-notebooks.yaml",
	  "ksim: --replicas-of: no workload \"Deployment/web\" in the scenario\n" },
	{ "plan nodes",
	  "ksim: plan nodes: expected scenario files, found none\n" },
	{ "plan nodes --instance-typo m5.large scenarios/plan-notebooks.yaml",
	  "ksim: plan nodes: unknown option \"--instance-typo\"\n" },
	{ "plan headroom scenarios/plan-notebooks.yaml --pod",
	  "ksim: plan headroom: option \"--pod\" expects a value\n" },
	{ "plan grow scenarios/plan-notebooks.yaml",
	  "ksim: plan: expected headroom, nodes or cost, found \"grow\"\n" },
};

START_TEST(test_flag_errors)
{
	char *got;

	ck_assert_int_eq(tu_run_ksim(flag_errors[_i].args, "/dev/null", tmp("flag.err")), 2);
	got = tu_slurp(tmp("flag.err"));
	/* the usage text may follow the message: compare the first line */
	{
		char *nl = strchr(got, '\n');

		if (nl != NULL)
			nl[1] = '\0';
	}
	ck_assert_str_eq(got, flag_errors[_i].stderr_);
	free(got);
	unlink(tmp("flag.err"));
}
END_TEST

/* The Karpenter row: every pod served, by a NodePool of every candidate. */
START_TEST(test_karpenter_row)
{
	char *got;

	ck_assert_int_eq(tu_run_ksim("plan nodes -j 2 --karpenter --instance-types 'm5.*' "
	    "scenarios/plan-notebooks.yaml", tmp("kp.txt"), "/dev/null"), 0);
	got = tu_slurp(tmp("kp.txt"));
	ck_assert_ptr_nonnull(strstr(got, "KARPENTER: the scenario's capacity replaced by a NodePool "
	    "allowing the 9 candidate types (on-demand)\n"));
	ck_assert_ptr_nonnull(strstr(got, "; 0 pods pending at the end; "));
	free(got);
	unlink(tmp("kp.txt"));
}
END_TEST

/* --method ca: each type as an autoscaled group; m5.4xlarge still not viable. */
START_TEST(test_method_ca)
{
	char *got;

	ck_assert_int_eq(tu_run_ksim("plan nodes -j 2 --method ca "
	    "--instance-types m5.4xlarge,m5.8xlarge scenarios/plan-notebooks.yaml", tmp("ca.txt"),
	    "/dev/null"), 0);
	got = tu_slurp(tmp("ca.txt"));
	ck_assert_ptr_nonnull(strstr(got, "Method: each instance type as a Cluster Autoscaler "
	    "node group from zero\n"));
	ck_assert_ptr_nonnull(strstr(got, "\n1    m5.8xlarge     on-demand  2     2     "));
	ck_assert_ptr_nonnull(strstr(got, "m5.4xlarge     on-demand  kubeflow-user/nb-16cpu-64gi-0 "
	    "does not fit an empty node: Insufficient cpu, Insufficient memory\n"));
	free(got);
	unlink(tmp("ca.txt"));
}
END_TEST

/* The `ksim plan` examples of ksim(1) run and exit 0. */
START_TEST(test_man_examples)
{
	char path[1024], line[1024], args[1024];
	FILE *fp;
	int n = 0;

	snprintf(path, sizeof(path), "%s/man/ksim.1", tu_srcdir());
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t k = 0;

		if (strncmp(line, ".Dl ksim plan ", 14) != 0)
			continue;
		/* "\-" is mdoc for "-" */
		for (const char *q = line + 9; *q != '\0' && *q != '\n' && k + 1 < sizeof(args); q++) {
			if (q[0] == '\\' && q[1] == '-')
				q++;
			args[k++] = *q;
		}
		args[k] = '\0';
		ck_assert_msg(tu_run_ksim(args, "/dev/null", tmp("man.err")) == 0,
		    "example fails: %s", args);
		n++;
	}
	fclose(fp);
	unlink(tmp("man.err"));
	ck_assert_int_ge(n, 3);
}
END_TEST

/*
 * The suite; with_binary adds the tests of the built ksim ($KSIM), which
 * main() leaves out, and then exits 77 (SKIP), when $KSIM is not there.
 */
static Suite *
plan_suite(int with_binary)
{
	Suite *s = suite_create("plan");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, cat_setup, cat_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_scale_day_month);
	tcase_add_test(tc, test_scale_rounding);
	tcase_add_test(tc, test_rank_order);
	tcase_add_test(tc, test_rank_tie_spot_after_on_demand);
	tcase_add_test(tc, test_types_globs);
	tcase_add_test(tc, test_captypes_usd);
	tcase_add_test(tc, test_cost_breakdown);
	tcase_add_test(tc, test_headroom_reasons);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, test_scale_limits);
	tcase_add_test(tc, test_rank_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, cat_setup, cat_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_types_errors);
	tcase_add_test(tc, test_flag_value_errors);
	suite_add_tcase(s, tc);
	if (!with_binary)
		return s;
	tc = tcase_create("binary");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_golden_plan_notebooks);
	tcase_add_test(tc, test_max_cost_exit);
	tcase_add_test(tc, test_plan_expectations);
	tcase_add_test(tc, test_man_examples);
	tcase_add_test(tc, test_karpenter_row);
	tcase_add_test(tc, test_method_ca);
	tcase_add_loop_test(tc, test_flag_errors, 0, (int)(sizeof(flag_errors) / sizeof(flag_errors[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int with_binary = tu_have_ksim();
	int rc = tu_main(plan_suite(with_binary));

	/* the tests of the binary did not run: SKIP, unless another test failed */
	return rc == EXIT_SUCCESS && !with_binary ? 77 : rc;
}
