/*
 * check_series.c: --csv and --svg on a small run whose series can be
 * computed by hand, and the SVG rendered by a real renderer (rsvg-convert,
 * from $RSVG_CONVERT; that test is not added, and says SKIP, when it is
 * empty).
 *
 * The run, tests/cases/series-taint-pending.yaml (whose expect: block
 * asserts the pending times and the cost): two m5.large nodes (one
 * tainted), Deployment web with 2 pods of 500m at t=0, scaled to 5 at
 * 30 s.  An m5.large has 1930m allocatable, so the untainted node holds 3
 * pods and 2 stay Pending from 30 s on.  Pods
 * start 1 s after they are bound (containerStart default).  Duration 2m:
 * 2m / 200 = 0.6 s is finer than 15 s, so the grid is every 15 s, 9 samples.
 * Cost: 2 x 0.096 USD/h; at least 60 s each, so 0.0032 until 60 s, then
 * 2 x 0.096 x t / 3600: 0.004 at 75 s, 0.0048 at 90 s, 0.0064 at 120 s.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ksim.h"
#include "report/report.h"
#include "testutil.h"

Suite *series_suite(void);

static const char *dir;

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
setup(void)
{
	dir = tu_tmpdir();
}

/* Run the scenario with --csv DIR/csv (or bad_csv) and --svg DIR/chart.svg. */
static int
run(const char *csv, struct ks_error *err)
{
	char out[300], csvdir[300], svg[300];
	const char *files[1] = { tu_scenario("../tests/cases/series-taint-pending.yaml") };
	struct ksim_opts o;

	snprintf(out, sizeof(out), "%s/report.txt", dir);
	snprintf(csvdir, sizeof(csvdir), "%s/%s", dir, csv);
	snprintf(svg, sizeof(svg), "%s/chart.svg", dir);
	tu_opts_init(&o, files, 1);
	o.output_file = out;
	o.csv_dir = csvdir;
	o.svg_file = svg;
	ks_error_clear(err);
	return ksim_run(&o, err);
}

static char *
read_out(const char *name)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return tu_slurp(path);
}

START_TEST(test_series_csv)
{
	struct ks_error err;
	char *s;

	ck_assert_int_eq(run("csv", &err), 0);
	s = read_out("csv/series.csv");
	ck_assert_str_eq(s,
	    "time_s,pending,running,nodes,cost_usd,replicas:Deployment/web,nodes:static/m5.large\n"
	    "0,0,0,2,0.003200,2,2\n"
	    "15,0,2,2,0.003200,2,2\n"
	    "30,2,2,2,0.003200,5,2\n"
	    "45,2,3,2,0.003200,5,2\n"
	    "60,2,3,2,0.003200,5,2\n"
	    "75,2,3,2,0.004000,5,2\n"
	    "90,2,3,2,0.004800,5,2\n"
	    "105,2,3,2,0.005600,5,2\n"
	    "120,2,3,2,0.006400,5,2\n");
	free(s);
}
END_TEST

START_TEST(test_pods_nodes_events_csv)
{
	struct ks_error err;
	char *s, *line;

	ck_assert_int_eq(run("csv", &err), 0);
	s = read_out("csv/pods.csv");
	ck_assert(starts(s, "namespace,name,workload,node,phase,cpu_m,memory_bytes,created_s,"
	    "scheduled_s,running_s,deleted_s,pending_s,reason\n"));
	/* a pending pod: created at 30 s, pending 90 s at the end, its reason quoted (commas) */
	line = strstr(s, ",Pending,");
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_nonnull(strstr(line, ",Pending,500,134217728,30,,,,90,\"0/2 nodes are "
	    "available: 1 Insufficient cpu, 1 node(s) had untolerated taint"));
	/* a running pod of the snapshot's start */
	ck_assert_ptr_nonnull(strstr(s, ",Deployment/web,n-1,Running,500,134217728,0,0,1,,0,\n"));
	free(s);
	s = read_out("csv/nodes.csv");
	ck_assert_str_eq(s, "name,instance_type,capacity_type,zone,group,launched_s,ready_s,"
	    "terminated_s,price_usd_per_hour,cost_usd\n"
	    "n-1,m5.large,on-demand,us-east-1a,,0,0,,0.096000,0.003200\n"
	    "gpu-2,m5.large,on-demand,us-east-1a,,0,0,,0.096000,0.003200\n");
	free(s);
	s = read_out("csv/events.csv");
	ck_assert(starts(s, "time_s,type,object,message,count,last_time_s\n0,NodeReady,node/n-1,"));
	ck_assert_ptr_nonnull(strstr(s, "\n30,ScalingReplicaSet,deployment/default/web,"));
	free(s);
}
END_TEST

START_TEST(test_svg)
{
	struct ks_error err;
	char *s;

	ck_assert_int_eq(run("csv", &err), 0);
	s = read_out("chart.svg");
	ck_assert(starts(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
	ck_assert_ptr_nonnull(strstr(s, ">series-test</text>"));
	ck_assert_ptr_nonnull(strstr(s, ">Deployment/web replicas</text>"));
	ck_assert_ptr_nonnull(strstr(s, ">pending pods</text>"));
	ck_assert_ptr_nonnull(strstr(s, ">nodes static/m5.large</text>"));
	ck_assert_ptr_nonnull(strstr(s, ">cumulative cost (USD)</text>"));
	ck_assert_ptr_nonnull(strstr(s, ">simulated time (h:mm)</text>"));
	/* the scale-up at 30 s is a tick with its event as the tooltip */
	ck_assert_ptr_nonnull(strstr(s, "<title>0:00:30 ScalingReplicaSet deployment/default/web: "));
	/* pod events are not ticks */
	ck_assert_ptr_null(strstr(s, "<title>0:00:30 FailedScheduling"));
	ck_assert_ptr_nonnull(strstr(s, "</svg>\n"));
	free(s);
}
END_TEST

/* The SVG rendered by rsvg-convert; added only when $RSVG_CONVERT names it. */
START_TEST(test_svg_render)
{
	const char *rsvg = getenv("RSVG_CONVERT");
	struct ks_error err;
	char *s, cmd[1200], png[300];

	ck_assert_int_eq(run("csv", &err), 0);
	snprintf(png, sizeof(png), "%s/chart.png", dir);
	snprintf(cmd, sizeof(cmd), "'%s' -o '%s' '%s/chart.svg'", rsvg, png, dir);
	ck_assert_int_eq(system(cmd), 0);
	s = tu_slurp(png);
	ck_assert(memcmp(s, "\x89PNG", 4) == 0);
	free(s);
}
END_TEST

START_TEST(test_step)
{
	/* 200 samples or one every 15 s, whichever is coarser, in whole seconds */
	ck_assert_int_eq(series_step_ms(3600000), 18000);	/* 1h / 200 = 18 s */
	ck_assert_int_eq(series_step_ms(1800000), 15000);	/* 30m / 200 = 9 s < 15 s */
	ck_assert_int_eq(series_step_ms(3600001), 19000);	/* 18.000005 s -> 19 s */
	ck_assert_int_eq(series_step_ms(36000000), 180000);	/* 10h / 200 = 3 min */
	ck_assert_int_eq(series_step_ms(0), 15000);
	ck_assert_int_eq(series_step_ms(1), 15000);
}
END_TEST

START_TEST(test_csv_dir_error)
{
	struct ks_error err;
	char want[400];

	ck_assert_int_eq(run("no/such/dir", &err), KS_EIO);
	snprintf(want, sizeof(want), "%s/no/such/dir", dir);
	ck_assert_str_eq(err.at.file, want);
	ck_assert_str_eq(err.msg, "cannot create the directory: No such file or directory");
	ck_assert_int_eq(err.at.line, 0);
}
END_TEST

Suite *
series_suite(void)
{
	Suite *s = suite_create("series");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, tu_cleanup);
	tcase_add_test(tc, test_series_csv);
	tcase_add_test(tc, test_pods_nodes_events_csv);
	tcase_add_test(tc, test_svg);
	if (getenv("RSVG_CONVERT") != NULL && getenv("RSVG_CONVERT")[0] != '\0')
		tcase_add_test(tc, test_svg_render);
	else
		fprintf(stderr, "SKIP: test_svg_render: $RSVG_CONVERT is empty (no rsvg-convert)\n");
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_test(tc, test_step);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, tu_cleanup);
	tcase_add_test(tc, test_csv_dir_error);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_main(series_suite());
}
