/*
 * check_whatif.c: compare, sweep and merge.
 *
 * Unit tests: the summary of a hand-built JSON report (percentiles, peaks,
 * replicas, event counts, expectations), the combination order and the
 * shard partition.  End-to-end tests run the built ksim ($KSIM, from the
 * source tree $srcdir; without $KSIM the rest runs and the program exits
 * 77, SKIP) on
 * scenarios/whatif-web.yaml: compare and sweep output against
 * tests/golden/whatif-*.{txt,json} (KSIM_REGEN=1 rewrites them), every
 * combination exactly once over N shards, `ksim merge` of the shards byte
 * for byte the unsharded output, and the usage errors.  Hostile shard
 * lines (bad_merge[]) go through whatif/merge.c in the library, each with
 * the exact message merge prints.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "whatif/whatif.h"

/*
 * Two workloads and bare pods over a 600 s run:
 *   web-0 created 0 scheduled 0        pending 0
 *   web-1 created 0 scheduled 30 s     pending 30 s
 *   web-2 created 60 s, never           pending 600 - 60 = 540 s (Pending at the end)
 *   web-3 created 60 s deleted 90 s     pending 30 s (deleted before binding)
 *   job-0 created 100 s scheduled 110 s pending 10 s, deleted at 200 s
 *   job-1 created 200 s scheduled 200 s pending 0
 *   bare  created 0 scheduled 0        pending 0
 * Sorted: 0 0 0 10 30 30 540; nearest rank p50 = ceil(3.5) = 4th = 10 s,
 * p95 = ceil(6.65) = 7th = 540 s.  web: 0 30 30 540: p50 = 2nd = 30 s.
 * web replicas at once: web-0, web-1, web-2, web-3 alive in [60, 90) = 4.
 * job: job-0 gone at 200 when job-1 comes: 1.
 * Nodes: a m5.large [0, -), b m5.large [0, 300 s), c c5.xlarge [300 s, -):
 * at most 2 at once (b ends when c starts); m5.large 2, c5.xlarge 1.
 */
static const char report[] =
    "{\"duration_ms\": 600000, \"cost\": {\"total_usd\": 0.123456},"
    " \"pods\": ["
    "  {\"name\": \"web-0\", \"workload\": \"Deployment/web\", \"phase\": \"Running\","
    "   \"created_at_ms\": 0, \"scheduled_at_ms\": 0, \"deleted_at_ms\": null},"
    "  {\"name\": \"web-1\", \"workload\": \"Deployment/web\", \"phase\": \"Running\","
    "   \"created_at_ms\": 0, \"scheduled_at_ms\": 30000, \"deleted_at_ms\": null},"
    "  {\"name\": \"web-2\", \"workload\": \"Deployment/web\", \"phase\": \"Pending\","
    "   \"created_at_ms\": 60000, \"scheduled_at_ms\": null, \"deleted_at_ms\": null},"
    "  {\"name\": \"web-3\", \"workload\": \"Deployment/web\", \"phase\": \"Gone\","
    "   \"created_at_ms\": 60000, \"scheduled_at_ms\": null, \"deleted_at_ms\": 90000},"
    "  {\"name\": \"job-0\", \"workload\": \"Job/batch\", \"phase\": \"Gone\","
    "   \"created_at_ms\": 100000, \"scheduled_at_ms\": 110000, \"deleted_at_ms\": 200000},"
    "  {\"name\": \"job-1\", \"workload\": \"Job/batch\", \"phase\": \"Running\","
    "   \"created_at_ms\": 200000, \"scheduled_at_ms\": 200000, \"deleted_at_ms\": null},"
    "  {\"name\": \"bare\", \"workload\": null, \"phase\": \"Running\","
    "   \"created_at_ms\": 0, \"scheduled_at_ms\": 0, \"deleted_at_ms\": null}],"
    " \"nodes\": ["
    "  {\"instance_type\": \"m5.large\", \"launched_at_ms\": 0, \"terminated_at_ms\": null},"
    "  {\"instance_type\": \"m5.large\", \"launched_at_ms\": 0, \"terminated_at_ms\": 300000},"
    "  {\"instance_type\": \"c5.xlarge\", \"launched_at_ms\": 300000, \"terminated_at_ms\": null}],"
    " \"events\": [{\"type\": \"Scheduled\"}, {\"type\": \"FailedScheduling\"},"
    "  {\"type\": \"Scheduled\"}, {\"type\": \"NodeReady\"}],"
    " \"expectations\": [{\"ok\": true}, {\"ok\": false}, {\"ok\": true}]}";

static json_t *
load_report(void)
{
	json_error_t je;
	json_t *j = json_loads(report, 0, &je);

	ck_assert_msg(j != NULL, "bad fixture: %s", je.text);
	return j;
}

START_TEST(test_summary)
{
	json_t *rep = load_report(), *s = whatif_summary(rep), *w, *e;
	char *dump;

	ck_assert_double_eq_tol(tu_num(s, "cost_usd"), 0.123456, 1e-12);
	ck_assert_int_eq((int)tu_num(s, "nodes_launched"), 3);
	ck_assert_int_eq((int)tu_num(s, "max_nodes"), 2);
	ck_assert_int_eq((int)tu_num(json_object_get(s, "peak_nodes_by_type"), "m5.large"), 2);
	ck_assert_int_eq((int)tu_num(json_object_get(s, "peak_nodes_by_type"), "c5.xlarge"), 1);
	ck_assert_int_eq((int)tu_num(s, "pods"), 7);
	ck_assert_int_eq((int)tu_num(s, "pending_at_end"), 1);
	ck_assert_double_eq(tu_num(s, "p50_pending_s"), 10);
	ck_assert_double_eq(tu_num(s, "p95_pending_s"), 540);
	ck_assert_double_eq(tu_num(s, "max_pending_s"), 540);
	ck_assert_int_eq((int)tu_num(s, "max_replicas"), 4);
	w = json_object_get(json_object_get(s, "workloads"), "Deployment/web");
	ck_assert_int_eq((int)tu_num(w, "pods"), 4);
	ck_assert_int_eq((int)tu_num(w, "pending_at_end"), 1);
	ck_assert_double_eq(tu_num(w, "p50_pending_s"), 30);
	ck_assert_double_eq(tu_num(w, "max_pending_s"), 540);
	ck_assert_int_eq((int)tu_num(w, "max_replicas"), 4);
	w = json_object_get(json_object_get(s, "workloads"), "Job/batch");
	ck_assert_int_eq((int)tu_num(w, "max_replicas"), 1);
	ck_assert_double_eq(tu_num(w, "p95_pending_s"), 10);
	ck_assert_ptr_nonnull(json_object_get(json_object_get(s, "workloads"), "(bare pods)"));
	e = json_object_get(s, "expectations");
	ck_assert_int_eq((int)tu_num(e, "passed"), 2);
	ck_assert_int_eq((int)tu_num(e, "total"), 3);
	/* event types counted, in sorted order whatever the timeline's order */
	dump = json_dumps(json_object_get(s, "events"), JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_str_eq(dump, "{\"FailedScheduling\":1,\"NodeReady\":1,\"Scheduled\":2}");
	free(dump);
	/* the workloads in order of their first pod */
	dump = json_dumps(json_object_get(s, "peak_nodes_by_type"), JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_str_eq(dump, "{\"c5.xlarge\":1,\"m5.large\":2}");
	free(dump);
	/*
	 * Nodes over time: 600 s / 6 = 100 s, rounded up to whole minutes
	 * (the run is at least 6 min): 0, 120, 240, 360, 480, and the end 600.
	 * b goes at 300 s when c comes: 2 nodes throughout.
	 */
	dump = json_dumps(json_object_get(s, "nodes_over_time"), JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_str_eq(dump, "{\"at_s\":[0,120,240,360,480,600],"
	    "\"total\":[2,2,2,2,2,2],"
	    "\"by_type\":{\"m5.large\":[2,2,2,1,1,1],\"c5.xlarge\":[0,0,0,1,1,1]}}");
	free(dump);
	json_decref(s);
	json_decref(rep);
}
END_TEST

START_TEST(test_summary_empty)
{
	json_t *rep = json_loads("{\"duration_ms\": 60000, \"pods\": [], \"nodes\": [],"
	    " \"events\": [], \"cost\": {\"total_usd\": 0.0}}", 0, NULL), *s;

	s = whatif_summary(rep);
	ck_assert_int_eq((int)tu_num(s, "max_nodes"), 0);
	ck_assert_double_eq(tu_num(s, "p95_pending_s"), 0);
	ck_assert_int_eq((int)tu_num(s, "max_replicas"), 0);
	ck_assert_ptr_null(json_object_get(s, "expectations"));
	json_decref(s);
	json_decref(rep);
}
END_TEST

START_TEST(test_combo_order)
{
	/* --vary a=1,2 --vary b=x,y,z: index 0..5 = (1,x) (1,y) (1,z) (2,x) (2,y) (2,z) */
	const size_t nv[2] = { 2, 3 };
	const size_t want[6][2] = { { 0, 0 }, { 0, 1 }, { 0, 2 }, { 1, 0 }, { 1, 1 }, { 1, 2 } };
	size_t c[2];

	for (size_t i = 0; i < 6; i++) {
		whatif_combo(nv, 2, i, c);
		ck_assert_uint_eq(c[0], want[i][0]);
		ck_assert_uint_eq(c[1], want[i][1]);
	}
}
END_TEST

START_TEST(test_shard_partition)
{
	/* every combination in exactly one shard, for any total and shard count */
	for (size_t total = 1; total <= 40; total++) {
		for (size_t n = 1; n <= 9; n++) {
			for (size_t i = 0; i < total; i++) {
				size_t hits = 0;

				for (size_t s = 0; s < n; s++)
					hits += (size_t)whatif_in_shard(i, s, n);
				ck_assert_uint_eq(hits, 1);
			}
		}
	}
	/* no sharding: everything */
	ck_assert(whatif_in_shard(7, 0, 0));
}
END_TEST

/* ---- end to end, with the built binary ---- */

/* Run "ksim ARGS" from srcdir; its stdout (or its stderr) in *out; the exit status. */
static int
run_cmd(const char *args, int want_stderr, char **out)
{
	char *path = tu_write("");
	int st = want_stderr ? tu_run_ksim(args, NULL, path) : tu_run_ksim(args, path, NULL);

	*out = tu_slurp(path);
	unlink(path);
	free(path);
	return st;
}

/* stdout of "ksim ARGS" */
static int
run_ksim(const char *args, char **out)
{
	return run_cmd(args, 0, out);
}

/* stderr of "ksim ARGS" (stdout dropped) */
static int
run_ksim_err(const char *args, char **err)
{
	return run_cmd(args, 1, err);
}

static void
golden(const char *name, const char *got)
{
	char path[512], file[1024];
	FILE *fp;
	char *want = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "tests/golden/%s", name);
	snprintf(file, sizeof(file), "%s/%s", tu_srcdir(), path);
	if (getenv("KSIM_REGEN") != NULL && getenv("KSIM_REGEN")[0] != '\0') {
		fp = fopen(file, "w");
		ck_assert_ptr_nonnull(fp);
		fputs(got, fp);
		fclose(fp);
		return;
	}
	fp = fopen(file, "r");
	ck_assert_msg(fp != NULL, "missing %s (KSIM_REGEN=1 writes it)", path);
	ck_assert_int_ne(getdelim(&want, &len, '\0', fp), -1);
	fclose(fp);
	ck_assert_msg(strcmp(want, got) == 0, "%s differs; got:\n%s", path, got);
	free(want);
}

#define SCN	"scenarios/whatif-web.yaml"
#define VARY	"--vary nodes.0.count=2,3 " \
		"--vary deploy/web.spec.template.spec.containers.0.resources.requests.cpu=250m,500m,1"

START_TEST(test_compare_golden)
{
	char *out;

	ck_assert_int_eq(run_ksim("compare -q " SCN " --a nodes.0.count=2 --b nodes.0.count=3",
	    &out), 0);
	golden("whatif-compare.txt", out);
	free(out);
	ck_assert_int_eq(run_ksim("compare -q -o json " SCN " --a nodes.0.count=2 "
	    "--b nodes.0.count=3", &out), 0);
	golden("whatif-compare.json", out);
	free(out);
}
END_TEST

/* The README's showcase: the burst of SCENARIOS.md §5 under CA and under Karpenter. */
START_TEST(test_compare_showcase)
{
	char *out;

	ck_assert_int_eq(run_ksim("compare -q scenarios/burst-ca.yaml "
	    "scenarios/burst-karpenter.yaml", &out), 0);
	golden("burst-compare.txt", out);
	free(out);
}
END_TEST

START_TEST(test_sweep_golden)
{
	char *out, *again;

	ck_assert_int_eq(run_ksim("sweep -q -j 3 " SCN " " VARY, &out), 0);
	golden("whatif-sweep.txt", out);
	/* the finishing order does not matter: one process at a time prints the same */
	ck_assert_int_eq(run_ksim("sweep -q -j 1 " SCN " " VARY, &again), 0);
	ck_assert_str_eq(out, again);
	free(out);
	free(again);
	ck_assert_int_eq(run_ksim("sweep -q -o json --metrics cost_usd," \
	    "workloads.Deployment/web.p95_pending_s " SCN " " VARY, &out), 0);
	golden("whatif-sweep.json", out);
	free(out);
}
END_TEST

START_TEST(test_shards_merge)
{
	char dir[] = "/tmp/ksim-shards-XXXXXX", args[1024], *out, *all, *merged;
	int seen[6] = { 0 };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(run_ksim("sweep -q " SCN " " VARY, &all), 0);
	for (int i = 0; i < 4; i++) {
		char *line, *save = NULL;

		snprintf(args, sizeof(args), "sweep -q --shard %d/4 " SCN " " VARY, i);
		ck_assert_int_eq(run_ksim(args, &out), 0);
		/* every combination exactly once over the 4 shards: index % 4 == i */
		for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			json_t *j = json_loads(line, 0, NULL);
			json_int_t idx;

			ck_assert_ptr_nonnull(j);
			idx = json_integer_value(json_object_get(j, "index"));
			ck_assert_int_eq((int)(idx % 4), i);
			ck_assert_int_eq(json_integer_value(json_object_get(j, "combinations")), 6);
			seen[idx]++;
			json_decref(j);
		}
		free(out);
		snprintf(args, sizeof(args), "sweep -q --shard %d/4 -f %s/shard%d.jsonl " SCN " "
		    VARY, i, dir, i);
		ck_assert_int_eq(run_ksim(args, &out), 0);
		ck_assert_str_eq(out, "");
		free(out);
	}
	for (int i = 0; i < 6; i++)
		ck_assert_int_eq(seen[i], 1);
	/* merge, in any order of the files, prints the unsharded table byte for byte */
	snprintf(args, sizeof(args), "merge %s/shard3.jsonl %s/shard1.jsonl %s/shard0.jsonl "
	    "%s/shard2.jsonl", dir, dir, dir, dir);
	ck_assert_int_eq(run_ksim(args, &merged), 0);
	ck_assert_str_eq(merged, all);
	free(merged);
	/* a missing shard is an error naming the first missing combination */
	snprintf(args, sizeof(args), "merge %s/shard0.jsonl %s/shard2.jsonl %s/shard3.jsonl",
	    dir, dir, dir);
	ck_assert_int_eq(run_ksim_err(args, &out), 2);
	ck_assert_str_eq(out, "ksim: merge: 2 of 6 combinations are missing, the first is 1 "
	    "(a shard output is missing or incomplete)\n");
	free(out);
	/* the same shard twice */
	snprintf(args, sizeof(args), "merge %s/shard0.jsonl %s/shard0.jsonl", dir, dir);
	ck_assert_int_eq(run_ksim_err(args, &out), 2);
	snprintf(args, sizeof(args), "ksim: %s/shard0.jsonl:1: combination 0 appears twice, "
	    "first at %s/shard0.jsonl:1 (the same shard given twice?)\n", dir, dir);
	ck_assert_str_eq(out, args);
	free(out);
	free(all);
	snprintf(args, sizeof(args), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(args), 0);
}
END_TEST

static const struct {
	const char	*args;
	const char	*err;
} bad[] = {
	{ "sweep " SCN " --vary deploy/web.spec.replica=1,2",
	  "ksim: --set deploy/web.spec.replica=1: Deployment web has no field \"replica\" in spec "
	  "(it has replicas, selector, template)\n" },
	{ "sweep " SCN " --vary seed=1,x",
	  "ksim: --set seed=x: expected an integer, found \"x\"\n" },
	{ "sweep " SCN, "ksim: sweep: expected at least one --vary PATH=V1,V2,...\n" },
	{ "sweep --shard 4/4 --vary seed=1 " SCN,
	  "ksim: --shard: expected I/N with 0 <= I < N (e.g. 0/4), found \"4/4\"\n" },
	{ "sweep --metrics cost,max_nodes --vary seed=1 " SCN,
	  "ksim: --metrics: unknown metric \"cost\": expected one of cost_usd, nodes_launched, "
	  "max_nodes, peak_nodes_by_type, pods, pending_at_end, p50_pending_s, p95_pending_s, "
	  "max_pending_s, max_replicas, workloads, events (or a path inside one, e.g. "
	  "workloads.Deployment/web.p95_pending_s)\n" },
	{ "compare " SCN,
	  "ksim: compare: expected two scenario files A and B, or --a and --b variants of one "
	  "scenario, found 1 file\n" },
	{ "compare --vary seed=1 " SCN " " SCN,
	  "ksim: compare: option --vary does not go with compare\n" },
	{ "compare " SCN " --a nodes.0.count=2 --b hpa/web.spec.maxReplicas=3",
	  "ksim: --set hpa/web.spec.maxReplicas=3: the scenario has no object of kind \"hpa\"\n" },
};

START_TEST(test_usage_errors)
{
	char *err;

	ck_assert_int_eq(run_ksim_err(bad[_i].args, &err), 2);
	ck_assert_str_eq(err, bad[_i].err);
	free(err);
}
END_TEST

/* ---- merge: hostile shard lines ---- */

#define M_VARY	"\"vary\":[{\"path\":\"seed\",\"values\":[\"1\",\"2\"]}],\"metrics\":[\"cost_usd\"]"
/* a summary with these values (and `extra` members at its end) */
#define M_SUMX(cost, nodes, p95, pods, events, extra) \
		"{\"cost_usd\":" cost ",\"nodes_launched\":1,\"max_nodes\":" nodes "," \
		"\"peak_nodes_by_type\":{\"m5.large\":1},\"pods\":" pods ",\"pending_at_end\":0," \
		"\"p50_pending_s\":0.0,\"p95_pending_s\":" p95 ",\"max_pending_s\":3.0," \
		"\"max_replicas\":1,\"workloads\":{},\"events\":" events extra "}"
#define M_SUM	M_SUMX("0.5", "1", "2.5", "1", "{\"Scheduled\":1}", "")
/* a good line of combination 0 and of combination 1 */
#define M_L0	"{\"index\":0,\"combinations\":2," M_VARY ",\"set\":{\"seed\":\"1\"}," \
		"\"summary\":" M_SUM "}\n"
#define M_L1	"{\"index\":1,\"combinations\":2," M_VARY ",\"set\":{\"seed\":\"2\"}," \
		"\"summary\":" M_SUM "}\n"
/* combination 0 with the summary sum */
#define M_SUMBAD(sum) "{\"index\":0,\"combinations\":2," M_VARY ",\"set\":{\"seed\":\"1\"}," \
		"\"summary\":" sum "}\n"

static const struct {
	const char	*text;	/* the shard file "s.jsonl" */
	const char	*err;	/* what merge prints */
} bad_merge[] = {
	/* no combinations, or -1: wrote out of bounds on the heap */
	{ "{\"index\":1," M_VARY ",\"set\":{\"seed\":\"2\"},\"summary\":" M_SUM "}\n",
	  "ksim: s.jsonl:1: expected combinations 2 (the product of the numbers of vary values)\n" },
	{ "{\"index\":1,\"combinations\":-1," M_VARY ",\"set\":{\"seed\":\"2\"},\"summary\":"
	  M_SUM "}\n",
	  "ksim: s.jsonl:1: expected combinations 2 (the product of the numbers of vary values)\n" },
	/* 1e18 and -5 aborted */
	{ "{\"index\":1,\"combinations\":1e18," M_VARY ",\"set\":{\"seed\":\"2\"},\"summary\":"
	  M_SUM "}\n",
	  "ksim: s.jsonl:1: expected combinations 2 (the product of the numbers of vary values)\n" },
	{ M_L0 "{\"index\":1,\"combinations\":1000000000000000000," M_VARY ",\"set\":{\"seed\":"
	  "\"2\"},\"summary\":" M_SUM "}\n",
	  "ksim: s.jsonl:2: expected combinations 2 (the product of the numbers of vary values)\n" },
	{ "{\"index\":1,\"combinations\":-5," M_VARY ",\"set\":{\"seed\":\"2\"},\"summary\":"
	  M_SUM "}\n",
	  "ksim: s.jsonl:1: expected combinations 2 (the product of the numbers of vary values)\n" },
	/* a vary entry without path dereferenced NULL */
	{ "{\"index\":0,\"combinations\":2,\"vary\":[{\"values\":[\"1\",\"2\"]}],\"metrics\":[],"
	  "\"set\":{\"seed\":\"1\"},\"summary\":" M_SUM "}\n",
	  "ksim: s.jsonl:1: vary 0: expected a path (a string without control characters)\n" },
	{ "{\"index\":0,\"combinations\":2,\"vary\":[{\"path\":\"seed\",\"values\":[\"1\\n2\",\"2\"]}],"
	  "\"metrics\":[],\"set\":{\"seed\":\"1\\n2\"},\"summary\":" M_SUM "}\n",
	  "ksim: s.jsonl:1: vary 0: value 0 is not a string without control characters\n" },
	{ "{\"index\":0,\"combinations\":1,\"vary\":[],\"metrics\":[],\"set\":{},\"summary\":"
	  M_SUM "}\n",
	  "ksim: s.jsonl:1: expected a non-empty array vary\n" },
	/* out of range, and a set that is not what the index chooses */
	{ "{\"index\":2,\"combinations\":2," M_VARY ",\"set\":{\"seed\":\"2\"},\"summary\":" M_SUM
	  "}\n",
	  "ksim: s.jsonl:1: expected an index from 0 to 1\n" },
	{ M_L0 "\n{\"index\":1,\"combinations\":2," M_VARY ",\"set\":{\"seed\":\"1\"},\"summary\":"
	  M_SUM "}\n",
	  "ksim: s.jsonl:3: set: combination 1 has seed=2, found 1\n" },
	/* corrupted summaries */
	{ M_SUMBAD(M_SUMX("\"x\"", "1", "2.5", "1", "{}", "")),
	  "ksim: s.jsonl:1: summary: expected a number cost_usd\n" },
	{ M_SUMBAD(M_SUMX("0.5", "-3", "2.5", "1", "{}", "")),
	  "ksim: s.jsonl:1: summary.max_nodes is not a number >= 0 (up to 1e15)\n" },
	{ M_SUMBAD(M_SUMX("0.5", "1", "1e300", "1", "{}", "")),
	  "ksim: s.jsonl:1: summary.p95_pending_s is not a number >= 0 (up to 1e15)\n" },
	{ M_SUMBAD(M_SUMX("0.5", "1", "2.5", "1", "{\"Scheduled\":\"many\"}", "")),
	  "ksim: s.jsonl:1: summary.events.Scheduled is not a number >= 0 (up to 1e15)\n" },
	{ M_SUMBAD(M_SUMX("0.5", "1", "2.5", "1", "{}",
	  ",\"expectations\":{\"passed\":3,\"total\":2}")),
	  "ksim: s.jsonl:1: summary: expected expectations {passed, total} with passed <= total\n" },
	{ M_SUMBAD(M_SUMX("0.5", "1", "2.5", "null", "{}", "")),
	  "ksim: s.jsonl:1: summary: expected an integer pods\n" },
	/* the lines do not make one sweep */
	{ M_L0 "{\"index\":1,\"combinations\":2,\"vary\":[{\"path\":\"seed\",\"values\":[\"1\","
	  "\"2\"]}],\"metrics\":[\"max_nodes\"],\"set\":{\"seed\":\"2\"},\"summary\":" M_SUM "}\n",
	  "ksim: s.jsonl:2: comes from a different sweep than s.jsonl:1 (other --metrics)\n" },
	{ M_L0 M_L0, "ksim: s.jsonl:2: combination 0 appears twice, first at s.jsonl:1 (the same "
	  "shard given twice?)\n" },
	{ M_L1, "ksim: merge: 1 of 2 combinations are missing, the first is 0 (a shard output is "
	  "missing or incomplete)\n" },
	/* the rest of a line */
	{ "[1]\n", "ksim: s.jsonl:1: expected a line of `ksim sweep --shard` output, found other "
	  "JSON\n" },
	{ "{\"index\":0,\"combinations\":2," M_VARY ",\"set\":{\"seed\":\"1\"},\"summary\":" M_SUM
	  ",\"error\":\"boom\"}\n",
	  "ksim: s.jsonl:1: expected either a summary or an error\n" },
	{ "{\"index\":0,\"combinations\":2," M_VARY ",\"set\":{\"seed\":\"1\"},\"summary\":" M_SUM
	  ",\"extra\":1}\n",
	  "ksim: s.jsonl:1: unknown field \"extra\"\n" },
	{ "{\"index\":0,\"combinations\":2," M_VARY ",\"set\":{\"seed\":\"1\"},\"error\":"
	  "\"ksim: x.yaml:3:4: boom\\u001b[2J\"}\n" M_L1,
	  "ksim: x.yaml:3:4: boom\\x1b[2J (sweep combination 0)\n" },
};

/* merge of bad_merge[_i].text, in the library, prints bad_merge[_i].err */
START_TEST(test_merge_bad)
{
	struct whatif_merge *m = whatif_merge_new();
	FILE *in = fmemopen((void *)bad_merge[_i].text, strlen(bad_merge[_i].text), "r");
	struct ks_error err;
	char msg[1024] = "", *buf = NULL;
	size_t len;
	FILE *out;
	int rc;

	ks_error_clear(&err);
	rc = whatif_merge_read(m, "s.jsonl", in, &err);
	fclose(in);
	if (rc == 0)
		rc = whatif_merge_table(m, NULL, 0, KSIM_TEXT, &buf, &len, &err);
	whatif_merge_free(m);
	free(buf);
	ck_assert_int_ne(rc, 0);
	out = fmemopen(msg, sizeof(msg), "w");
	ks_error_print(out, &err);
	fclose(out);
	ck_assert_str_eq(msg, bad_merge[_i].err);
}
END_TEST

/* The good lines merge; the binary exits 2 on a bad one with the file and line. */
START_TEST(test_merge_lines)
{
	struct whatif_merge *m = whatif_merge_new();
	const char *text = M_L1 M_L0;
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	const char *dir;
	char *buf = NULL, *err, args[600];
	size_t len;

	ck_assert_int_eq(whatif_merge_read(m, "s.jsonl", in, NULL), 0);
	fclose(in);
	ck_assert_int_eq(whatif_merge_table(m, NULL, 0, KSIM_TEXT, &buf, &len, NULL), 0);
	ck_assert_str_eq(buf, "#  seed  cost_usd\n0  1     0.500000\n1  2     0.500000\n");
	free(buf);
	whatif_merge_free(m);
	if (!tu_have_ksim())
		return;
	dir = tu_tmpdir();
	tu_write_in(dir, "s.jsonl", bad_merge[0].text);
	snprintf(args, sizeof(args), "merge %s/s.jsonl", dir);
	ck_assert_int_eq(run_ksim_err(args, &err), 2);
	snprintf(args, sizeof(args), "ksim: %s/s.jsonl:1: expected combinations 2", dir);
	ck_assert_msg(strncmp(err, args, strlen(args)) == 0, "got %s", err);
	free(err);
}
END_TEST

/*
 * The suite; with_binary adds the tests of the built ksim ($KSIM), which
 * main() leaves out, and then exits 77 (SKIP), when $KSIM is not there.
 */
static Suite *
whatif_suite(int with_binary)
{
	Suite *s = suite_create("whatif");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_summary);
	tcase_add_test(tc, test_combo_order);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_test(tc, test_summary_empty);
	tcase_add_test(tc, test_shard_partition);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	tc = tcase_create("merge");
	tcase_add_loop_test(tc, test_merge_bad, 0, (int)(sizeof(bad_merge) / sizeof(bad_merge[0])));
	tcase_add_test(tc, test_merge_lines);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	if (!with_binary)
		return s;
	tc = tcase_create("binary");
	tcase_add_test(tc, test_compare_golden);
	tcase_add_test(tc, test_compare_showcase);
	tcase_add_test(tc, test_sweep_golden);
	tcase_add_test(tc, test_shards_merge);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_usage_errors, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int with_binary = tu_have_ksim();
	int rc = tu_main(whatif_suite(with_binary));

	/* the tests of the binary did not run: SKIP, unless another test failed */
	return rc == EXIT_SUCCESS && !with_binary ? 77 : rc;
}
