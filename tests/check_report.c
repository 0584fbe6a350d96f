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

/* Grouped warnings: one line per format string, the first place and the count of the rest. */
START_TEST(warnings_grouped)
{
	struct ks_mark a = { "in.yaml", 3, 1 }, b = { "in.yaml", 9, 5 };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ks_warn_mode = KS_WARN_GROUP;
	ks_warn(&a, "unknown kind \"%s\" skipped", "Frob");
	ks_warn(&b, "resource %s is not modelled", "x");
	ks_warn(&b, "unknown kind \"%s\" skipped", "Widget");
	ks_warn(NULL, "%s", "one text");
	ks_warn(NULL, "%s", "another text");
	ks_warn(&a, "unknown kind \"%s\" skipped", "Gadget");
	ck_assert_uint_eq(ks_warn_flush(fp, "warning"), 4);
	ck_assert_uint_eq(ks_warn_flush(fp, "warning"), 0);
	ks_warn_mode = KS_WARN_PRINT;
	fclose(fp);
	ck_assert_str_eq(buf,
	    "ksim: in.yaml:3:1: warning: unknown kind \"Frob\" skipped (and 2 more like it)\n"
	    "ksim: in.yaml:9:5: warning: resource x is not modelled\n"
	    "ksim: warning: one text\n"
	    "ksim: warning: another text\n");
	free(buf);
}
END_TEST

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

/* A document at each level of detail: streamed as the tree builds it; verdicts on the whole run. */
START_TEST(json_detail_streamed_is_tree)
{
	static const char *const want_keys[][8] = {
		[KSIM_DETAIL_SUMMARY] = { "summary", NULL },
		[KSIM_DETAIL_WORKLOADS] = { "summary", "workloads", "nodes", NULL },
		[KSIM_DETAIL_PODS] = { "summary", "workloads", "pods", "nodes", NULL },
		[KSIM_DETAIL_EVENTS] = { "summary", "workloads", "pods", "nodes", "events", NULL },
	};
	const char *dir = tu_tmpdir(), *path = tu_write_in(dir, "r.json", "");
	char file[1024];
	const char *files[1] = { file };
	struct ksim_opts o;
	struct ks_error err = { 0 };
	json_t *tree = NULL, *v;
	char *want, *got;
	size_t nkeys = 0;

	snprintf(file, sizeof(file), "%s/tests/cases/report-detail-big.yaml", tu_srcdir());
	tu_opts_init(&o, files, 1);
	o.detail = (enum ksim_detail)_i;
	ck_assert_int_eq(ksim_run_json(&o, 0, &tree, &err), 0);
	for (size_t k = 0; want_keys[_i][k] != NULL; k++, nkeys++)
		ck_assert_ptr_nonnull(json_object_get(tree, want_keys[_i][k]));
	/* scenario, duration_ms, seed, region, cost, warnings, expectations and those */
	ck_assert_uint_eq(json_object_size(tree), 7 + nkeys);
	v = json_array_get(json_object_get(tree, "expectations"), 0);
	ck_assert(json_is_true(json_object_get(v, "ok")));
	ck_assert_str_eq(json_string_value(json_object_get(v, "message")), "250 pods as expected");
	v = json_object_get(tree, "summary");
	ck_assert_int_eq(json_integer_value(json_object_get(v, "pods_created")), 250);
	want = json_dumps(tree, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	o.output = KSIM_JSON;
	o.output_file = path;
	ck_assert_int_eq(ksim_run(&o, &err), 0);
	got = tu_slurp(path);
	ck_assert_uint_eq(strlen(got), strlen(want) + 1);
	got[strlen(want)] = '\0';
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
	json_decref(tree);
}
END_TEST

/* Count the lines of s that begin with prefix. */
static size_t
count_lines(const char *s, const char *prefix)
{
	size_t n = 0;

	for (const char *p = s; p != NULL && *p != '\0'; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += strncmp(p, prefix, strlen(prefix)) == 0;
	return n;
}

/* The text report: long sections cut without --detail, whole at --detail pods; summary has none. */
START_TEST(text_detail_cuts)
{
	const char *dir = tu_tmpdir(), *path = tu_write_in(dir, "r.txt", "");
	char file[1024];
	const char *files[1] = { file };
	struct ksim_opts o;
	struct ks_error err = { 0 };
	char *got;

	snprintf(file, sizeof(file), "%s/tests/cases/report-detail-big.yaml", tu_srcdir());
	tu_opts_init(&o, files, 1);
	o.output_file = path;
	ck_assert_int_eq(ksim_run(&o, &err), 0);
	got = tu_slurp(path);
	ck_assert_uint_eq(count_lines(got, "default/many-"), REPORT_TEXT_ROWS);
	ck_assert_ptr_nonnull(strstr(got, "\n... 50 more pods (--detail pods lists them all)\n"));
	ck_assert_ptr_nonnull(strstr(got, "PASS  all 250 pods are bound at once: 250 pods as expected"));
	free(got);
	o.detail = KSIM_DETAIL_PODS;
	ck_assert_int_eq(ksim_run(&o, &err), 0);
	got = tu_slurp(path);
	ck_assert_uint_eq(count_lines(got, "default/many-"), 250);
	ck_assert_ptr_null(strstr(got, "more pods"));
	ck_assert_ptr_null(strstr(got, "TIMELINE"));
	ck_assert_ptr_nonnull(strstr(got, "\nWORKLOADS\n"));
	free(got);
	o.detail = KSIM_DETAIL_SUMMARY;
	ck_assert_int_eq(ksim_run(&o, &err), 0);
	got = tu_slurp(path);
	ck_assert_uint_eq(count_lines(got, "default/many-"), 0);
	ck_assert_ptr_null(strstr(got, "NODES"));
	ck_assert_ptr_nonnull(strstr(got, "PASS  all 250 pods are bound at once: 250 pods as expected"));
	free(got);
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
	tcase_add_test(core, warnings_grouped);
	tcase_add_test(core, text_detail_cuts);
	tcase_add_loop_test(core, json_detail_streamed_is_tree, KSIM_DETAIL_SUMMARY,
	    KSIM_DETAIL_EVENTS + 1);
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
