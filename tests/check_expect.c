/*
 * check_expect.c: expectations parse strictly (errors with line and column)
 * and evaluate against a hand-built JSON report: each kind holds, fails with
 * the message that says what was expected, what happened and when.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "io/expect.h"
#include "io/ytree.h"
#include "report/report.h"
#include "testutil.h"

Suite *expect_suite(void);

/* Two pods: web-1 created 0 s, scheduled 5 s, running 65 s; web-2 created 10 s,
 * never scheduled. An HPA with samples 1 -> 3 -> 7 -> 1. Two nodes of group
 * ng, one from 0 to 600 s, one from 120 s on; one VPA target 587m / 262144k. */
static const char *report_json_text =
    "{\"duration_ms\": 900000, \"cost\": {\"total_usd\": 0.25},"
    " \"pods\": ["
    "  {\"name\": \"web-1\", \"namespace\": \"default\", \"workload\": \"Deployment/web\","
    "   \"created_at_ms\": 0, \"scheduled_at_ms\": 5000, \"running_at_ms\": 65000,"
    "   \"deleted_at_ms\": null, \"reason\": null},"
    "  {\"name\": \"web-2\", \"namespace\": \"default\", \"workload\": \"Deployment/web\","
    "   \"created_at_ms\": 10000, \"scheduled_at_ms\": null, \"running_at_ms\": null,"
    "   \"deleted_at_ms\": null, \"reason\": \"0/1 nodes are available: 1 Insufficient cpu.\"}],"
    " \"hpas\": [{\"name\": \"web\", \"samples\": ["
    "  {\"at_ms\": 15000, \"current_replicas\": 1, \"desired_replicas\": 3},"
    "  {\"at_ms\": 30000, \"current_replicas\": 3, \"desired_replicas\": 7},"
    "  {\"at_ms\": 600000, \"current_replicas\": 7, \"desired_replicas\": 1}]}],"
    " \"vpas\": [{\"name\": \"hamster-vpa\", \"containers\": [{\"name\": \"hamster\","
    "   \"target\": {\"cpu_m\": 587, \"memory_bytes\": 262144000, \"cpu\": \"587m\", \"memory\": \"262144k\"}}]}],"
    " \"nodes\": ["
    "  {\"name\": \"a\", \"group\": \"ng\", \"launched_at_ms\": 0, \"terminated_at_ms\": 600000},"
    "  {\"name\": \"b\", \"group\": \"ng\", \"launched_at_ms\": 120000, \"terminated_at_ms\": null}]}";

static struct expect_result res[16];

/* A `ksim plan nodes` report: two m6i.8xlarge for 3.072 USD are cheapest. */
static const char *plan_json_text =
    "{\"options\": [], \"cheapest\": {\"instance_type\": \"m6i.8xlarge\","
    " \"capacity_type\": \"on-demand\", \"nodes\": 2, \"cost_usd\": 3.072}}";
static const char *report_text_in_use;
static enum expect_ctx ctx_in_use = EXPECT_RUN;

/* Parse spec.expect from YAML text and evaluate it; returns the count. */
static size_t
run(const char *yaml, struct ks_error *err)
{
	struct yt_stream *st = NULL;
	struct expect_set *set = NULL;
	json_error_t jerr;
	json_t *rep;
	size_t n;

	ck_assert_int_eq(yt_load_buffer("t.yaml", yaml, strlen(yaml), &st, err), 0);
	if (expect_parse(st->docs[0].root, &set, err) != 0) {
		yt_stream_free(st);
		return (size_t)-1;
	}
	rep = json_loads(report_text_in_use ? report_text_in_use : report_json_text, 0, &jerr);
	ck_assert_ptr_nonnull(rep);
	n = expect_count(set);
	ck_assert_uint_le(n, 16);
	expect_eval(set, rep, ctx_in_use, res);
	json_decref(rep);
	expect_set_free(set);
	yt_stream_free(st);
	return n;
}

START_TEST(pods_hold_and_fail)
{
	struct ks_error err = { 0 };
	size_t n = run(
	    "- {name: a, pod: default/web-1, scheduledWithin: 5s, runningWithin: 65s}\n"
	    "- {name: b, pod: default/web-1, runningWithin: 1m}\n"
	    "- {name: c, pod: default/web-2, reason: Insufficient cpu}\n"
	    "- {name: d, pod: default/web-2, runningWithin: 1m}\n"
	    "- {name: e, workload: Deployment/web, pendingMax: 5s}\n"
	    "- {name: f, pod: default/nope, pending: true}\n", &err);

	ck_assert_uint_eq(n, 6);
	ck_assert(res[0].ok);
	ck_assert(!res[1].ok);
	ck_assert_str_eq(res[1].msg, "expected pod web-1 running within 1m0s of its creation, "
	    "but it took 1m5s (running at 0:01:05)");
	ck_assert(res[2].ok);
	ck_assert(!res[3].ok);
	ck_assert_str_eq(res[3].msg, "expected pod web-2 running within 1m0s of its creation at "
	    "0:00:10, but it never ran: 0/1 nodes are available: 1 Insufficient cpu.");
	/* web-2 pends from 10 s to the end (900 s): 890 s */
	ck_assert(!res[4].ok);
	ck_assert_str_eq(res[4].msg, "expected the maximum pending time of Deployment/web at most "
	    "5s, but it was 14m50s over 2 pods");
	ck_assert(!res[5].ok);
	ck_assert_str_eq(res[5].msg, "expected pod default/nope, but the run has no such pod");
}
END_TEST

/* Which arrays of the report each kind of expectation reads (the report streams the others). */
static const struct {
	const char	*yaml;		/* spec.expect */
	enum expect_ctx	 ctx;		/* evaluated by */
	int		 pods, nodes;	/* reads them */
} reads[] = {
	{ "- {name: a, hpa: web, maxReplicas: 3}\n- {name: b, maxCostUsd: 1}\n", EXPECT_RUN, 0, 0 },
	{ "- {name: a, pod: default/web-1, runningWithin: 1m}\n", EXPECT_RUN, 1, 0 },
	{ "- {name: a, maxPending: 1m}\n", EXPECT_RUN, 1, 0 },
	{ "- {name: a, nodes: all, maxNodes: 3}\n", EXPECT_RUN, 0, 1 },
	{ "- {name: a, vpa: web, targetCpu: 100m}\n- {name: b, nodes: g, maxNodes: 2}\n",
	    EXPECT_RUN, 0, 1 },
	/* skipped by the other command: reads nothing */
	{ "- {name: a, pod: default/web-1, runningWithin: 1m}\n", EXPECT_PLAN, 0, 0 },
	{ "- {name: a, plan: cheapest, maxNodes: 3}\n", EXPECT_RUN, 0, 0 },
};

START_TEST(reads_arrays)
{
	struct ks_error err = { 0 };
	struct yt_stream *st = NULL;
	struct expect_set *set = NULL;

	ck_assert_int_eq(yt_load_buffer("t.yaml", reads[_i].yaml, strlen(reads[_i].yaml), &st,
	    &err), 0);
	ck_assert_int_eq(expect_parse(st->docs[0].root, &set, &err), 0);
	ck_assert_int_eq(expect_reads(set, reads[_i].ctx, "pods"), reads[_i].pods);
	ck_assert_int_eq(expect_reads(set, reads[_i].ctx, "nodes"), reads[_i].nodes);
	ck_assert_int_eq(expect_reads(set, reads[_i].ctx, "events"), 0);
	expect_set_free(set);
	yt_stream_free(st);
}
END_TEST

START_TEST(percentiles)
{
	struct ks_error err = { 0 };

	/* pending times 5 s and 890 s: nearest rank p50 = 5 s, p95 = 890 s */
	ck_assert_uint_eq(run("- {name: p50, workload: Deployment/web, pendingP50: 5s}\n"
	    "- {name: p95, workload: Deployment/web, pendingP95: 14m}\n", &err), 2);
	ck_assert(res[0].ok);
	ck_assert(!res[1].ok);
	ck_assert_str_eq(res[1].msg, "expected the p95 pending time of Deployment/web at most 14m0s, "
	    "but it was 14m50s over 2 pods");
}
END_TEST

START_TEST(hpa_vpa_nodes_cost)
{
	struct ks_error err = { 0 };
	size_t n = run(
	    "- {name: h1, hpa: web, at: 1m, replicas: 7}\n"
	    "- {name: h2, hpa: web, maxReplicas: 6}\n"
	    "- {name: h3, hpa: web, minReplicas: 1, from: 20s, until: 5m}\n"
	    "- {name: v1, vpa: hamster-vpa, container: hamster, targetCpu: 587m, targetMemory: 262144k}\n"
	    "- {name: v2, vpa: hamster-vpa, targetCpu: 500m}\n"
	    "- {name: n1, nodes: ng, at: 3m, count: 2}\n"
	    "- {name: n2, nodes: ng, maxNodes: 1}\n"
	    "- {name: c1, maxCostUsd: 0.25, maxCostPerHourUsd: 1}\n"
	    "- {name: c2, maxCostPerHourUsd: 0.9}\n", &err);

	ck_assert_uint_eq(n, 9);
	ck_assert(res[0].ok);
	ck_assert(!res[1].ok);
	ck_assert_str_eq(res[1].msg, "expected HPA web at most 6 replicas, but it wanted 7 at 0:00:30");
	ck_assert(res[2].ok);
	ck_assert(res[3].ok);
	ck_assert(!res[4].ok);
	ck_assert_str_eq(res[4].msg, "expected VPA hamster-vpa target cpu 500m, but it is 587m");
	ck_assert(res[5].ok);
	ck_assert(!res[6].ok);
	ck_assert_str_eq(res[6].msg, "expected at most 1 nodes in ng, but there were 2 at 0:02:00");
	ck_assert(res[7].ok);
	/* 0.25 USD over 15 min = 1.00 USD per hour */
	ck_assert(!res[8].ok);
	ck_assert_str_eq(res[8].msg, "expected a cost of at most 0.900000 USD per hour, but it was "
	    "1.000000 USD per hour");
}
END_TEST

START_TEST(max_pending)
{
	struct ks_error err = { 0 };

	ck_assert_uint_eq(run("- {name: m, maxPending: 1m}\n", &err), 1);
	ck_assert(!res[0].ok);
	ck_assert_str_eq(res[0].msg, "expected no pod Pending longer than 1m0s, but web-2 was "
	    "Pending for 14m50s");
}
END_TEST

START_TEST(plan_expectations)
{
	struct ks_error err = { 0 };
	const char *yaml =
	    "- {name: p1, plan: cheapest, maxCostUsd: 3.5, notInstanceType: m5.4xlarge}\n"
	    "- {name: p2, plan: cheapest, instanceType: r6i.8xlarge}\n"
	    "- {name: p3, plan: cheapest, maxCostUsd: 3, maxNodes: 2}\n"
	    "- {name: p4, plan: cheapest, maxNodes: 1}\n"
	    "- {name: r1, maxPending: 1m}\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	report_text_in_use = plan_json_text;
	ctx_in_use = EXPECT_PLAN;
	ck_assert_uint_eq(run(yaml, &err), 5);
	report_text_in_use = NULL;
	ctx_in_use = EXPECT_RUN;
	ck_assert(res[0].ok && !res[0].skipped);
	ck_assert_str_eq(res[0].msg, "2 x m6i.8xlarge, 3.072000 USD");
	ck_assert(!res[1].ok);
	ck_assert_str_eq(res[1].msg, "expected the cheapest option to be r6i.8xlarge, but it is m6i.8xlarge");
	ck_assert(!res[2].ok);
	ck_assert_str_eq(res[2].msg, "expected the cheapest option to cost at most 3.000000 USD, "
	    "but m6i.8xlarge costs 3.072000 USD");
	ck_assert(!res[3].ok);
	ck_assert_str_eq(res[3].msg, "expected the cheapest option to need at most 1 nodes, but "
	    "m6i.8xlarge needs 2");
	/* a run expectation is not plan's to evaluate */
	ck_assert(res[4].ok && res[4].skipped);
	ck_assert_str_eq(res[4].msg, "evaluated by ksim run and ksim check");
	fp = open_memstream(&buf, &len);
	report_check_text(fp, res, 5);
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(buf, "SKIP  r1: evaluated by ksim run and ksim check\n"));
	ck_assert_ptr_nonnull(strstr(buf, "1 passed, 3 failed, 1 skipped\n"));
	free(buf);
	/* and a plan expectation is not run's */
	ck_assert_uint_eq(run("- {name: p, plan: cheapest, maxNodes: 1}\n", &err), 1);
	ck_assert(res[0].ok && res[0].skipped);
	ck_assert_str_eq(res[0].msg, "evaluated by ksim plan nodes");
	fp = open_memstream(&buf, &len);
	report_tap(fp, res, 1);
	fclose(fp);
	ck_assert_str_eq(buf, "TAP version 13\n1..1\nok 1 - p # SKIP evaluated by ksim plan nodes\n");
	free(buf);
	buf = report_junit("s", res, 1, 0);
	ck_assert_ptr_nonnull(strstr(buf, "skipped=\"1\""));
	ck_assert_ptr_nonnull(strstr(buf, "<skipped message=\"evaluated by ksim plan nodes\"/>"));
	free(buf);
}
END_TEST

struct bad_case {
	const char	*yaml;
	int		 line, col;
	const char	*msg;
};

static const struct bad_case bad[] = {
	{ "- {pod: default/x, pending: true}\n", 1, 3, "expected a name for the expectation" },
	{ "- {name: a, pod: default/x}\n", 1, 3, "expectation \"a\" asserts nothing: expected "
	  "scheduledWithin, runningWithin, pending, reason, pendingP50, pendingP95 or pendingMax" },
	{ "- {name: a, pod: x, pending: true}\n", 1, 3, "expected pod as namespace/name in "
	  "expectation \"a\"" },
	{ "- {name: a, hpa: web, at: 1m}\n", 1, 3, "expectation \"a\": at and replicas go together" },
	{ "- {name: a, hpa: web, maxReplica: 3}\n", 1, 23, "unknown field \"maxReplica\" in an HPA "
	  "expectation: expected one of name, hpa, namespace, at, replicas, maxReplicas, "
	  "minReplicas, from, until" },
	{ "- {name: a, vpa: v, targetCpu: 12Qi}\n", 1, 32, "invalid quantity \"12Qi\": expected a "
	  "number with an optional suffix (m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei) or exponent" },
	{ "- {name: a, maxCostUsd: -1}\n", 1, 25, "maxCostUsd must be a non-negative amount of USD, "
	  "found -1" },
	{ "- {name: a, something: 1}\n", 1, 3, "expectation \"a\" has no subject: expected pod, "
	  "workload, hpa, vpa, nodes, maxCostUsd, maxCostPerHourUsd, maxPending, plan or decision" },
	{ "- {name: a, plan: dearest, maxNodes: 1}\n", 1, 19, "expected plan: cheapest (the "
	  "option ksim plan nodes ranks first), found \"dearest\"" },
	{ "- {name: a, plan: cheapest}\n", 1, 3, "expectation \"a\" asserts nothing: expected "
	  "maxCostUsd, maxNodes, instanceType or notInstanceType" },
	{ "- {name: a, maxPending: 1m}\n- {name: a, maxPending: 2m}\n", 2, 3,
	  "duplicate expectation name \"a\" (first at line 1)" },
	{ "- {name: a, pod: default/x, runningWithin: 90}\n", 1, 44,
	  "expected a duration such as \"90s\" or \"5m\", found \"90\"" },
};

START_TEST(errors_have_places)
{
	struct ks_error err = { 0 };

	ck_assert_uint_eq(run(bad[_i].yaml, &err), (size_t)-1);
	ck_assert_int_eq(err.code, KS_EINVAL);
	ck_assert_str_eq(err.msg, bad[_i].msg);
	ck_assert_int_eq(err.at.line, bad[_i].line);
	ck_assert_int_eq(err.at.col, bad[_i].col);
}
END_TEST

START_TEST(junit_and_tap)
{
	struct expect_result r[2] = {
		{ "ok one", 1, 0, "fine", { "s.yaml", 3, 5 } },
		{ "bad <one>", 0, 0, "expected \"x\" & got y", { "s.yaml", 7, 5 } },
	};
	char *x = report_junit("suite", r, 2, 0), *buf = NULL;
	size_t len = 0;
	FILE *fp;

	ck_assert_ptr_nonnull(strstr(x, "<testsuite name=\"suite\" tests=\"2\" failures=\"1\""));
	ck_assert_ptr_nonnull(strstr(x, "<testcase classname=\"ksim.suite\" name=\"ok one\" time=\"0\"/>"));
	ck_assert_ptr_nonnull(strstr(x, "name=\"bad &lt;one&gt;\""));
	ck_assert_ptr_nonnull(strstr(x, "message=\"expected &quot;x&quot; &amp; got y\""));
	free(x);
	fp = open_memstream(&buf, &len);
	report_tap(fp, r, 2);
	fclose(fp);
	ck_assert_str_eq(buf, "TAP version 13\n1..2\nok 1 - ok one\nnot ok 2 - bad <one>\n"
	    "  ---\n  message: 'expected \"x\" & got y'\n  at: 's.yaml:7'\n  ...\n");
	free(buf);
}
END_TEST

/*
 * Parse XML back, enough to know a CI system can: a prolog, then properly
 * nested elements with quoted attributes, text and attribute values with
 * no raw '<' and only the five predefined entities.  Counts the elements
 * named `count_a` and `count_b`.  Returns 0 when well formed.
 */
static int
xml_entity(const char **p)
{
	static const char *const ent[] = { "&lt;", "&gt;", "&amp;", "&quot;", "&apos;" };

	for (size_t i = 0; i < 5; i++)
		if (strncmp(*p, ent[i], strlen(ent[i])) == 0) {
			*p += strlen(ent[i]);
			return 0;
		}
	return -1;
}

static int
xml_parse(const char *p, const char *count_a, int *na, const char *count_b, int *nb)
{
	const char *stack[32];
	size_t slen[32];
	int depth = 0, seen_root = 0;

	*na = *nb = 0;
	if (strncmp(p, "<?xml ", 6) == 0) {
		p = strstr(p, "?>");
		if (p == NULL)
			return -1;
		p += 2;
	}
	while (*p) {
		if (*p != '<') {
			if (*p == '&' ? xml_entity(&p) != 0 : (p++, 0))
				return -1;
			continue;
		}
		if (p[1] == '/') {
			const char *name = p + 2;
			size_t len = strcspn(name, ">");

			if (depth == 0 || len != slen[depth - 1] || strncmp(name, stack[depth - 1], len) != 0)
				return -1;
			depth--;
			p = name + len + 1;
			continue;
		}
		{
			const char *name = ++p;
			size_t len = strcspn(name, " />");

			if (len == 0 || (depth == 0 && seen_root) || depth == 32)
				return -1;
			seen_root = 1;
			*na += len == strlen(count_a) && strncmp(name, count_a, len) == 0;
			*nb += len == strlen(count_b) && strncmp(name, count_b, len) == 0;
			p = name + len;
			while (*p == ' ') {
				const char *eq;

				p++;
				eq = strchr(p, '=');
				if (eq == NULL || eq == p || eq[1] != '"')
					return -1;
				p = eq + 2;
				while (*p != '"') {
					if (*p == '\0' || *p == '<')
						return -1;
					if (*p == '&' ? xml_entity(&p) != 0 : (p++, 0))
						return -1;
				}
				p++;
			}
			if (p[0] == '/' && p[1] == '>') {
				p += 2;
			} else if (p[0] == '>') {
				stack[depth] = name;
				slen[depth++] = len;
				p++;
			} else {
				return -1;
			}
		}
	}
	return depth == 0 && seen_root ? 0 : -1;
}

START_TEST(junit_parses_back)
{
	struct expect_result r[3] = {
		{ "holds", 1, 0, "fine", { "s.yaml", 3, 5 } },
		{ "a <tricky> & \"quoted\" 'name'", 0, 0, "expected <1> & got \"2\"\x01", { "s.yaml", 7, 5 } },
		{ "fails too", 0, 0, "plain", { "s.yaml", 9, 5 } },
	};
	char *x = report_junit("a&b", r, 3, 0);
	int cases, failures;

	ck_assert_int_eq(xml_parse(x, "testcase", &cases, "failure", &failures), 0);
	ck_assert_int_eq(cases, 3);
	ck_assert_int_eq(failures, 2);
	ck_assert_ptr_nonnull(strstr(x, "tests=\"3\" failures=\"2\""));
	free(x);
	/* and the checker does reject what is not well formed */
	ck_assert_int_eq(xml_parse("<a><b></a></b>", "a", &cases, "b", &failures), -1);
	ck_assert_int_eq(xml_parse("<a x=\"1 < 2\"/>", "a", &cases, "b", &failures), -1);
	ck_assert_int_eq(xml_parse("<a>AT&T</a>", "a", &cases, "b", &failures), -1);
}
END_TEST

Suite *
expect_suite(void)
{
	Suite *s = suite_create("expect");
	TCase *core = tcase_create("core"), *lim = tcase_create("limits"), *errs = tcase_create("errors");

	tcase_add_test(core, pods_hold_and_fail);
	tcase_add_test(core, hpa_vpa_nodes_cost);
	tcase_add_test(core, max_pending);
	tcase_add_test(core, junit_and_tap);
	tcase_add_test(core, junit_parses_back);
	tcase_add_test(core, plan_expectations);
	tcase_add_loop_test(core, reads_arrays, 0, (int)(sizeof(reads) / sizeof(reads[0])));
	tcase_add_test(lim, percentiles);
	tcase_add_loop_test(errs, errors_have_places, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, core);
	suite_add_tcase(s, lim);
	suite_add_tcase(s, errs);
	return s;
}

int
main(void)
{
	return tu_main(expect_suite());
}
