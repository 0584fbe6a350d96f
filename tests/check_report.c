/*
 * check_report.c: what the reports print and what they rest on: time and
 * money formats (util/fmt.c), nearest-rank percentiles (util/stats.c),
 * billing (cloud/billing.c: per second with a 60 s minimum, EC2's rule for
 * Linux instances), the atomic write (util/atomic.c), and the warning
 * about pods without requests (report/account.c).
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/cluster.h"
#include "cloud/billing.h"
#include "ksim.h"
#include "report/report.h"
#include "util/atomic.h"
#include "util/fmt.h"
#include "util/stats.h"
#include "testutil.h"

Suite *report_suite(void);

START_TEST(time_format)
{
	char b[32];

	ck_assert_str_eq(fmt_time(0, b, sizeof(b)), "0:00:00");
	ck_assert_str_eq(fmt_time(90 * 1000, b, sizeof(b)), "0:01:30");
	ck_assert_str_eq(fmt_time(3600 * 1000 + 250, b, sizeof(b)), "1:00:00.250");
	ck_assert_str_eq(fmt_time(26LL * 3600 * 1000, b, sizeof(b)), "26:00:00");
}
END_TEST

START_TEST(usd_format)
{
	char b[32];

	/* nano-USD rounded to micro-USD */
	ck_assert_str_eq(fmt_usd(96000000, b, sizeof(b)), "0.096000");
	ck_assert_str_eq(fmt_usd(1499, b, sizeof(b)), "0.000001");
	ck_assert_str_eq(fmt_usd(499, b, sizeof(b)), "0.000000");
	ck_assert_str_eq(fmt_usd(123456789012LL, b, sizeof(b)), "123.456789");
}
END_TEST

/* m5.large on demand in us-east-1: 0.096 USD/h = 96,000,000 nano-USD/h. */
static const struct {
	int64_t launched, gone, end;	/* ms */
	int64_t nusd;
} bills[] = {
	/* 10 s billed as the 60 s minimum: 96e6 * 60 / 3600 = 1.6e6 */
	{ 0, 10000, 999999, 1600000 },
	/* 61.2 s rounds up to 62 s: 96e6 * 62 / 3600 = 1,653,333.3 -> 1,653,333 */
	{ 1000, 62200, 999999, 1653333 },
	/* still running at the end (15 min): 96e6 * 900 / 3600 = 24e6 */
	{ 0, -1, 900000, 24000000 },
	/* one hour */
	{ 0, 3600000, 7200000, 96000000 },
};

START_TEST(billing)
{
	struct ks_node n;

	memset(&n, 0, sizeof(n));
	n.price_nusd_h = 96000000;
	n.launched_ms = bills[_i].launched;
	n.gone_ms = bills[_i].gone;
	ck_assert_int_eq(billing_node_cost_nusd(&n, bills[_i].end), bills[_i].nusd);
}
END_TEST

/* A node alive from 10 s to 100 s: its cost at times before, during and after. */
START_TEST(billing_cost_at)
{
	struct ks_node n;

	memset(&n, 0, sizeof(n));
	n.price_nusd_h = 96000000;
	n.launched_ms = 10000;
	n.gone_ms = 100000;
	ck_assert_int_eq(billing_node_cost_at(&n, 5000), 0);
	/* 20 s in: still the 60 s minimum */
	ck_assert_int_eq(billing_node_cost_at(&n, 30000), 1600000);
	/* 80 s in: 96e6 * 80 / 3600 = 2,133,333.3 */
	ck_assert_int_eq(billing_node_cost_at(&n, 90000), 2133333);
	/* gone at 100 s: 90 s billed from then on, the same as its final cost */
	ck_assert_int_eq(billing_node_cost_at(&n, 500000), 2400000);
	ck_assert_int_eq(billing_node_cost_at(&n, 500000), billing_node_cost_nusd(&n, 500000));
}
END_TEST

/* Nearest rank: the ceil(p * n / 100)-th smallest, never an interpolation. */
START_TEST(percentiles)
{
	int64_t v[] = { 40, 10, 30, 20, 50, 60, 70, 80, 90, 100 };

	qsort(v, 10, sizeof(v[0]), stats_cmp_i64);
	ck_assert_int_eq(v[0], 10);
	ck_assert_int_eq(v[9], 100);
	ck_assert_int_eq(stats_percentile(v, 10, 50), 50);
	ck_assert_int_eq(stats_percentile(v, 10, 95), 100);
	ck_assert_int_eq(stats_percentile(v, 10, 100), 100);
	ck_assert_int_eq(stats_percentile(v, 10, 1), 10);
	ck_assert_int_eq(stats_percentile(v, 3, 50), 20);
	ck_assert_int_eq(stats_percentile(v, 0, 50), 0);
}
END_TEST

START_TEST(atomic_write_replaces)
{
	char dir[] = "/tmp/ksim-report-XXXXXX", path[64], buf[16];
	struct ks_error err = { 0 };
	FILE *fp;
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out", dir);
	ck_assert_int_eq(atomic_write(path, "first", 5, &err), 0);
	ck_assert_int_eq(atomic_write(path, "second", 6, &err), 0);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	ck_assert_str_eq(buf, "second");
	unlink(path);
	rmdir(dir);
	/* a directory that does not exist: an error naming the path, nothing written */
	ck_assert_int_eq(atomic_write("/nonexistent-dir/out", "x", 1, &err), KS_EIO);
	ck_assert_str_eq(err.at.file, "/nonexistent-dir/out");
	ck_assert_str_eq(err.msg, "cannot write: No such file or directory");
}
END_TEST

/* tests/cases/pods-without-requests.yaml: every pod is bound at once */
START_TEST(warns_pods_without_requests)
{
	json_t *rep = tu_run_ok(tu_scenario("../tests/cases/pods-without-requests.yaml")), *w;

	w = json_object_get(rep, "warnings");
	/* web and the bare pod; api has a request */
	ck_assert_uint_eq(json_array_size(w), 2);
	ck_assert_str_eq(json_string_value(json_array_get(w, 0)), "Deployment default/web has "
	    "no cpu or memory requests: the scheduler and the autoscalers count its pods as "
	    "requesting nothing");
	ck_assert_str_eq(json_string_value(json_array_get(w, 1)), "Pod default/loose has no "
	    "cpu or memory requests: the scheduler and the autoscalers count it as requesting nothing");
	json_decref(rep);
}
END_TEST

/*
 * The streamed JSON report (ksim run -o json) is the tree's dump byte for
 * byte: with and without expectations, with events and none.
 */
static const char *const streamed_cases[] = { "karpenter-taints.yaml", "hamster-vpa.yaml",
	"burst-ca.yaml", "php-apache-hpa.yaml", NULL };
static const char *const empty_scenario =
    "apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n  duration: 1m\n";

START_TEST(json_streamed_is_tree)
{
	const char *dir = tu_tmpdir(), *path = tu_write_in(dir, "r.json", "");
	/* the last case: no pods, nodes or events ("[]") */
	const char *files[1] = { streamed_cases[_i] ? tu_scenario(streamed_cases[_i]) :
	    tu_write_in(dir, "empty.yaml", empty_scenario) };
	struct ksim_opts o;
	struct ks_error err = { 0 };
	json_t *tree = NULL;
	char *want, *got;

	tu_opts_init(&o, files, 1);
	ck_assert_int_eq(ksim_run_json(&o, 0, &tree, &err), 0);
	want = json_dumps(tree, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	o.output = KSIM_JSON;
	o.output_file = path;
	ck_assert_int_eq(ksim_run(&o, &err), 0);
	got = tu_slurp(path);
	ck_assert_uint_eq(strlen(got), strlen(want) + 1);
	ck_assert_int_eq(got[strlen(want)], '\n');
	got[strlen(want)] = '\0';
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
	json_decref(tree);
}
END_TEST

Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *core = tcase_create("core"), *lim = tcase_create("limits"), *errs = tcase_create("errors");

	tcase_add_test(core, time_format);
	tcase_add_test(core, usd_format);
	tcase_add_loop_test(core, billing, 0, (int)(sizeof(bills) / sizeof(bills[0])));
	tcase_add_test(core, billing_cost_at);
	tcase_add_test(core, percentiles);
	tcase_add_test(core, warns_pods_without_requests);
	tcase_add_loop_test(core, json_streamed_is_tree, 0,
	    (int)(sizeof(streamed_cases) / sizeof(streamed_cases[0])));
	tcase_add_test(lim, atomic_write_replaces);
	suite_add_tcase(s, core);
	suite_add_tcase(s, lim);
	suite_add_tcase(s, errs);
	return s;
}

int
main(void)
{
	return tu_main(report_suite());
}
