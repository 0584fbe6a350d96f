/*
 * check_explain.c: the decision log (src/explain/record.c): when notes
 * merge into one record and when they start a new one, the per-controller
 * "last record", the JSON of a record, and a NULL log doing nothing.  The
 * controllers' notes are tested as behaviour, by tests/cases/explain-*.yaml.
 * Also --csv's vpa.csv and decisions.csv (report/csv_autoscale.c) on
 * scenarios/hamster-vpa.yaml (tests/cases/explain-vpa.yaml derives its
 * numbers; it has decision expectations, so it always records): the
 * first recommendation at 60 s, target 587m / 262144000 B, bounds capped
 * to [100m, 1] cpu, against the template's 100m / 50Mi (52428800 B).
 * And --svg's autoscaler panels (report/svg_autoscale.c) are there.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksim.h"
#include "explain/explain.h"
#include "sim/engine.h"
#include "testutil.h"
#include "util/intern.h"

Suite *explain_suite(void);

static struct sim sim;
static struct xp_log *xl;

static void
setup(void)
{
	sim_init(&sim, 3600 * 1000);
	xl = xp_log_new(&sim);
}

static void
teardown(void)
{
	xp_log_free(xl);
	sim_free(&sim);
}

/* Identical notes extend one record: first and last time, count. */
START_TEST(test_repeat_merges)
{
	for (int i = 0; i < 3; i++) {
		sim.now_ms = 10000 * i;
		xp_note(xl, "pod/default/a", XR_UNSCHEDULABLE, &(struct xp_in){ .msg = "0/1 nodes" });
	}
	ck_assert_uint_eq(xl->n, 1);
	ck_assert_int_eq(xl->v[0].first_ms, 0);
	ck_assert_int_eq(xl->v[0].last_ms, 20000);
	ck_assert_uint_eq(xl->v[0].count, 3);
	ck_assert_ptr_eq(xl->v[0].msg, intern("0/1 nodes"));
}
END_TEST

/* A new message, rule or deciding object starts a record; so do new inputs of an event rule. */
START_TEST(test_change_starts)
{
	xp_note(xl, "pod/default/a", XR_UNSCHEDULABLE, &(struct xp_in){ .msg = "x" });
	xp_note(xl, "pod/default/a", XR_UNSCHEDULABLE, &(struct xp_in){ .msg = "y" });
	xp_note(xl, "pod/default/a", XR_UNSCHEDULABLE, &(struct xp_in){ .msg = "y", .by = "b" });
	xp_note(xl, "hpa/default/w", XR_HPA_RESCALE, &(struct xp_in){ .v = { 1, 2, 2, 80 } });
	xp_note(xl, "hpa/default/w", XR_HPA_RESCALE, &(struct xp_in){ .v = { 2, 3, 3, 80 } });
	ck_assert_uint_eq(xl->n, 5);
}
END_TEST

/* A state rule merges whatever its inputs, and keeps the first ones. */
START_TEST(test_state_keeps_first_inputs)
{
	xp_note(xl, "hpa/default/w", XR_HPA_HELD, &(struct xp_in){ .msg = "ScaleDownStabilized: .",
	    .v = { 7, 0, 7, 10 } });
	sim.now_ms = 15000;
	xp_note(xl, "hpa/default/w", XR_HPA_HELD, &(struct xp_in){ .msg = "ScaleDownStabilized: .",
	    .v = { 7, 0, 7, 0 } });
	ck_assert_uint_eq(xl->n, 1);
	ck_assert_int_eq(xl->v[0].in[3], 10);
	ck_assert_uint_eq(xl->v[0].count, 2);
}
END_TEST

/* Each controller has its own last record: interleaved notes still merge. */
START_TEST(test_per_controller)
{
	for (int i = 0; i < 2; i++) {
		sim.now_ms = 10000 * i;
		xp_note(xl, "pod/default/a", XR_UNSCHEDULABLE, &(struct xp_in){ .msg = "s" });
		xp_note(xl, "pod/default/a", XR_CA_NOSCALEUP, &(struct xp_in){ .msg = "c" });
	}
	ck_assert_uint_eq(xl->n, 2);
	ck_assert_uint_eq(xl->v[0].count, 2);
	ck_assert_uint_eq(xl->v[1].count, 2);
}
END_TEST

START_TEST(test_by_kind)
{
	xp_note(xl, "node/n", XR_NODE_LAUNCHED, &(struct xp_in){ .by = "apps", .by_kind = "nodegroup" });
	xp_note(xl, "pod/d/p", XR_VPA_KEEP, &(struct xp_in){ .by = "v", .by_ns = "d", .by_kind = "vpa" });
	ck_assert_str_eq(xl->v[0].by, "nodegroup/apps");
	ck_assert_str_eq(xl->v[1].by, "vpa/d/v");
}
END_TEST

START_TEST(test_json)
{
	json_t *a, *d;

	sim.now_ms = 5000;
	xp_note(xl, "node/n", XR_CA_UNNEEDED, &(struct xp_in){ .msg = "NotUnneededLongEnough",
	    .v = { 5000, 52 } });
	xp_note(xl, "node/m", XR_NODE_READY, NULL);
	a = xp_json(xl, "node/n");
	ck_assert_uint_eq(json_array_size(a), 1);
	d = json_array_get(a, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "at_ms")), 5000);
	ck_assert_str_eq(json_string_value(json_object_get(d, "controller")), "cluster-autoscaler");
	ck_assert_str_eq(json_string_value(json_object_get(d, "rule")), "Unneeded");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(d, "inputs"),
	    "utilization_permille")), 52);
	json_decref(a);
	a = xp_json(xl, NULL);
	ck_assert_uint_eq(json_array_size(a), 2);
	json_decref(a);
}
END_TEST

START_TEST(test_rule_names)
{
	for (int i = 0; i < XR_N; i++) {
		ck_assert_ptr_nonnull(xp_rules[i].name);
		ck_assert_int_eq(xp_rule_find(xp_rules[i].name) >= 0, 1);
	}
	ck_assert_int_eq(xp_rule_find("NoSuchRule"), -1);
}
END_TEST

/* Recording off: every note is a no-op on a NULL log. */
START_TEST(test_null_log)
{
	json_t *a;

	xp_note(NULL, "pod/default/a", XR_UNSCHEDULABLE, NULL);
	xp_obj(NULL, "hpa", "default", "w", XR_HPA_HELD, NULL);
	a = xp_json(NULL, NULL);
	xp_log_free(NULL);
	ck_assert_uint_eq(json_array_size(a), 0);
	json_decref(a);
}
END_TEST

static const char *
csv_run(int explain)
{
	static char csvdir[300];
	const char *files[1] = { tu_scenario("hamster-vpa.yaml") };
	const char *dir = tu_tmpdir();
	char out[300];
	struct ksim_opts o;
	struct ks_error err;

	snprintf(out, sizeof(out), "%s/report.txt", dir);
	snprintf(csvdir, sizeof(csvdir), "%s/csv", dir);
	tu_opts_init(&o, files, 1);
	o.output_file = out;
	o.csv_dir = csvdir;
	o.explain = explain;
	ks_error_clear(&err);
	ck_assert_msg(ksim_run(&o, &err) == 0, "%s", err.msg);
	return csvdir;
}

START_TEST(test_vpa_csv)
{
	char path[400], *s;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/vpa.csv", csv_run(0));
	s = tu_slurp(path);
	ck_assert_ptr_nonnull(strstr(s, "time_s,vpa,container,target_cpu_m,target_memory_b,"
	    "lower_cpu_m,lower_memory_b,upper_cpu_m,upper_memory_b,request_cpu_m,"
	    "request_memory_b\n60,default/hamster-vpa,hamster,587,262144000,100,"));
	ck_assert_ptr_nonnull(strstr(s, ",1000,524288000,100,52428800\n"));
	free(s);
	/* no decisions recorded, no decisions.csv */
	snprintf(path, sizeof(path), "%s/decisions.csv", csv_run(0));
	fp = fopen(path, "r");
	ck_assert_ptr_null(fp);
}
END_TEST

START_TEST(test_decisions_csv)
{
	char path[400], *s;

	snprintf(path, sizeof(path), "%s/decisions.csv", csv_run(1));
	s = tu_slurp(path);
	ck_assert_ptr_nonnull(strstr(s, "at_s,until_s,count,object,controller,rule,message,by\n"));
	ck_assert_ptr_nonnull(strstr(s, "60,120,2,vpa/default/hamster-vpa/hamster,vpa,"
	    "Recommendation,container hamster,\n"));
	free(s);
}
END_TEST

/* --svg: a panel per HPA and per VPA container and resource, node bands when nodes came. */
START_TEST(test_svg_panels)
{
	static const struct { const char *scn, *want; } cases[] = {
		{ "php-apache-hpa.yaml", "HPA default/php-apache: cpu against its target" },
		{ "hamster-vpa.yaml", "VPA default/hamster-vpa, container hamster: memory target" },
		{ "burst-karpenter.yaml", "Nodes: launching, ready, draining" },
	};
	const char *dir = tu_tmpdir();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *files[1] = { tu_scenario(cases[i].scn) };
		char out[300], svg[300], *s;
		struct ksim_opts o;
		struct ks_error err;

		snprintf(out, sizeof(out), "%s/report.txt", dir);
		snprintf(svg, sizeof(svg), "%s/chart%zu.svg", dir, i);
		tu_opts_init(&o, files, 1);
		o.output_file = out;
		o.svg_file = svg;
		ks_error_clear(&err);
		ck_assert_msg(ksim_run(&o, &err) == 0, "%s", err.msg);
		s = tu_slurp(svg);
		ck_assert_msg(strstr(s, cases[i].want) != NULL, "%s: no \"%s\"", cases[i].scn,
		    cases[i].want);
		ck_assert_ptr_nonnull(strstr(s, "<g id=\"autoscalers\""));
		ck_assert_ptr_nonnull(strstr(s, "</svg>\n"));
		free(s);
	}
}
END_TEST

Suite *
explain_suite(void)
{
	Suite *s = suite_create("explain");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_repeat_merges);
	tcase_add_test(tc, test_change_starts);
	tcase_add_test(tc, test_state_keeps_first_inputs);
	tcase_add_test(tc, test_per_controller);
	tcase_add_test(tc, test_by_kind);
	tcase_add_test(tc, test_json);
	suite_add_tcase(s, tc);
	tc = tcase_create("csv");
	tcase_add_checked_fixture(tc, NULL, tu_cleanup);
	tcase_add_test(tc, test_vpa_csv);
	tcase_add_test(tc, test_decisions_csv);
	tcase_add_test(tc, test_svg_panels);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_test(tc, test_rule_names);
	tcase_add_test(tc, test_null_log);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_main(explain_suite());
}
