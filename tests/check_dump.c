/*
 * check_dump.c: what the CronJob controller and the loader of cluster
 * dumps rely on, where `expect:` cannot look.
 *
 * "requests": the effective pod request (cluster.c podspec_effective) of
 * pods read from YAML, against the cases of upstream's own test table
 * (k8s.io/component-helpers/resource/helpers_test.go, TestPodRequestsAndLimits
 * and TestPodResourceRequests): init containers, native sidecars
 * (initContainers with restartPolicy Always) and pod overhead.  Upstream
 * writes its quantities as plain numbers ("5" CPU, "10" bytes); the
 * same numbers are used here.
 * "requests" also holds the deprecated apiVersions that load with a warning,
 * and the owner chains of the dump-*.yaml cases (load_owners.c).
 * "cron": util/cron.c, the schedules Kubernetes' and Karpenter's parser
 * (robfig/cron) accepts and the minutes they fire at; the CronJob
 * controller's Jobs and events over a day (tests/cases/cronjob-day.yaml).
 */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "io/load.h"
#include "io/ytree.h"
#include "run/run.h"
#include "testutil.h"
#include "util/cron.h"

Suite *dump_suite(void);

/* The effective request of the pod in text (a Pod's {metadata, spec}). */
static struct ks_res
pod_request(const char *text)
{
	struct yt_stream *st = NULL;
	struct ks_error err = { 0 };
	struct ks_podspec ps;
	struct ks_res r;

	ck_assert_msg(yt_load_buffer("pod.yaml", text, strlen(text), &st, &err) == 0, "%s",
	    err.msg);
	ck_assert_msg(load_podspec(st->docs[0].root, "default", &ps, &err) == 0, "%d:%d: %s",
	    err.at.line, err.at.col, err.msg);
	r = ps.req;
	podspec_free(&ps);
	yt_stream_free(st);
	return r;
}

#define CPU(r)	((r).v[RES_CPU])
#define MEM(r)	((r).v[RES_MEM])

START_TEST(upstream_request_table)
{
	struct ks_res r;

	/* TestPodRequestsAndLimits "req-and-overhead": 1 CPU + 5 overhead, 10 + 5 bytes */
	r = pod_request("spec:\n"
	    "  overhead: {cpu: '5', memory: '5'}\n"
	    "  containers: [{name: a, image: x, resources: {requests: {cpu: '1', memory: '10'}}}]\n");
	ck_assert_int_eq(CPU(r), 6000);
	ck_assert_int_eq(MEM(r), 15);
	/* "just-overhead": no container requests, the overhead alone */
	r = pod_request("spec:\n"
	    "  overhead: {cpu: '5', memory: '5'}\n"
	    "  containers: [{name: a, image: x}]\n");
	ck_assert_int_eq(CPU(r), 5000);
	ck_assert_int_eq(MEM(r), 5);
	/* "nil options, larger init container": max(init 4, app 1) */
	r = pod_request("spec:\n"
	    "  initContainers: [{name: i, image: x, resources: {requests: {cpu: '4'}}}]\n"
	    "  containers: [{name: a, image: x, resources: {requests: {cpu: '1'}}}]\n");
	ck_assert_int_eq(CPU(r), 4000);
	/* "nil options, larger containers": max(init 2, apps 2 + 3) */
	r = pod_request("spec:\n"
	    "  initContainers: [{name: i, image: x, resources: {requests: {cpu: '2'}}}]\n"
	    "  containers: [{name: a, image: x, resources: {requests: {cpu: '2'}}},\n"
	    "               {name: b, image: x, resources: {requests: {cpu: '3'}}}]\n");
	ck_assert_int_eq(CPU(r), 5000);
	/* "pod overhead included": 5 + 1 CPU, the 1Gi of the overhead */
	r = pod_request("spec:\n"
	    "  overhead: {cpu: '1', memory: 1Gi}\n"
	    "  initContainers: [{name: i, image: x, resources: {requests: {cpu: '2'}, limits: {cpu: '2'}}}]\n"
	    "  containers: [{name: a, image: x, resources: {requests: {cpu: '2'}}},\n"
	    "               {name: b, image: x, resources: {requests: {cpu: '3'}}}]\n");
	ck_assert_int_eq(CPU(r), 6000);
	ck_assert_int_eq(MEM(r), 1LL << 30);
	/* "multiple restartable init containers": max(init-1 5, sidecars 1+2+3 + app 1) = 7 */
	r = pod_request("spec:\n"
	    "  initContainers:\n"
	    "  - {name: init-1, image: x, resources: {requests: {cpu: '5'}}}\n"
	    "  - {name: r1, image: x, restartPolicy: Always, resources: {requests: {cpu: '1'}}}\n"
	    "  - {name: r2, image: x, restartPolicy: Always, resources: {requests: {cpu: '2'}}}\n"
	    "  - {name: r3, image: x, restartPolicy: Always, resources: {requests: {cpu: '3'}}}\n"
	    "  containers: [{name: c, image: x, resources: {requests: {cpu: '1'}}}]\n");
	ck_assert_int_eq(CPU(r), 7000);
	/* "multiple restartable and regular init containers": init-2 needs 5 +
	 * the sidecars started before it (1 + 2) = 8; r3 starts after it */
	r = pod_request("spec:\n"
	    "  initContainers:\n"
	    "  - {name: init-1, image: x, resources: {requests: {cpu: '5'}}}\n"
	    "  - {name: r1, image: x, restartPolicy: Always, resources: {requests: {cpu: '1'}}}\n"
	    "  - {name: r2, image: x, restartPolicy: Always, resources: {requests: {cpu: '2'}}}\n"
	    "  - {name: init-2, image: x, resources: {requests: {cpu: '5'}}}\n"
	    "  - {name: r3, image: x, restartPolicy: Always, resources: {requests: {cpu: '3'}}}\n"
	    "  containers: [{name: c, image: x, resources: {requests: {cpu: '1'}}}]\n");
	ck_assert_int_eq(CPU(r), 8000);
	/* "restartable-init, init and regular": max(10 + 200, 10 + 100) = 210 */
	r = pod_request("spec:\n"
	    "  initContainers:\n"
	    "  - {name: r1, image: x, restartPolicy: Always, resources: {requests: {cpu: '10'}}}\n"
	    "  - {name: init-1, image: x, resources: {requests: {cpu: '200'}}}\n"
	    "  containers: [{name: c, image: x, resources: {requests: {cpu: '100'}}}]\n");
	ck_assert_int_eq(CPU(r), 210000);
	/* TestPodRequestsAndLimitsWithoutOverhead "massive init": 40 CPU, 120
	 * bytes without the overhead; kube-scheduler counts it: 43 and 128 */
	r = pod_request("spec:\n"
	    "  overhead: {cpu: '3', memory: '8'}\n"
	    "  initContainers:\n"
	    "  - {name: small, image: x, resources: {requests: {cpu: '1', memory: '5'}}}\n"
	    "  - {name: big, image: x, resources: {requests: {cpu: '40', memory: '120'}}}\n"
	    "  containers: [{name: a, image: x, resources: {requests: {cpu: '1', memory: '5'}}},\n"
	    "               {name: b, image: x, resources: {requests: {cpu: '4', memory: '12'}}}]\n");
	ck_assert_int_eq(CPU(r), 43000);
	ck_assert_int_eq(MEM(r), 128);
}
END_TEST

/* Minutes since t=0 (Monday 2024-01-01 00:00 UTC). */
#define AT(d, h, m)	((int64_t)(d) * 1440 + (h) * 60 + (m))

START_TEST(cron_schedules)
{
	char why[200];

	ck_assert(cron_fires("@hourly", AT(0, 5, 0)));
	ck_assert(!cron_fires("@hourly", AT(0, 5, 1)));
	ck_assert(cron_fires("*/15 9-17 * * MON-FRI", AT(4, 17, 45)));	/* Friday */
	ck_assert(!cron_fires("*/15 9-17 * * MON-FRI", AT(5, 12, 0)));	/* Saturday */
	ck_assert(cron_fires("0 0 * * sun", AT(6, 0, 0)));		/* Sunday 2024-01-07 */
	ck_assert(cron_fires("0 0 1 feb *", AT(31, 0, 0)));		/* 2024-02-01 */
	ck_assert(cron_fires("30 2 */2 * *", AT(2, 2, 30)));		/* the 3rd */
	ck_assert(!cron_fires("30 2 */2 * *", AT(1, 2, 30)));
	/* both day fields restricted: either matches (the 15th, or any Monday) */
	ck_assert(cron_fires("0 0 15 * 1", AT(7, 0, 0)));		/* Monday the 8th */
	ck_assert(cron_fires("0 0 15 * 1", AT(14, 0, 0)));		/* Monday the 15th */
	ck_assert(cron_fires("0 0 15 * 1", AT(45, 0, 0)));		/* Thursday 2024-02-15 */
	ck_assert(!cron_fires("0 0 15 * 1", AT(2, 0, 0)));
	/* one of them "*": both must match */
	ck_assert(!cron_fires("0 0 15 * *", AT(7, 0, 0)));
	ck_assert(cron_fires("0 5,17 * * ?", AT(3, 17, 0)));
	ck_assert(cron_fires("@every 90m", AT(0, 3, 0)));
	ck_assert(!cron_fires("@every 90m", AT(0, 2, 0)));
	ck_assert_int_eq(cron_check("*/5 * * * *", why, sizeof(why)), 0);
	ck_assert_int_eq(cron_check("@weekly", why, sizeof(why)), 0);
	ck_assert_int_eq(cron_check("0 0 * * 7", why, sizeof(why)), -1);
	ck_assert_str_eq(why, "bad day of week field \"7\": expected values 0-6");
	ck_assert_int_eq(cron_check("0 0 * *", why, sizeof(why)), -1);
	ck_assert_int_eq(cron_check("61 * * * *", why, sizeof(why)), -1);
	ck_assert_int_eq(cron_check("*/0 * * * *", why, sizeof(why)), -1);
	ck_assert_int_eq(cron_check("@fortnightly", why, sizeof(why)), -1);
	ck_assert_int_eq(cron_check("CRON_TZ=UTC 0 * * * *", why, sizeof(why)), -1);
	ck_assert(!cron_fires("0 0 * * 7", AT(6, 0, 0)));		/* invalid: never */
}
END_TEST

/* Jobs of the report whose name starts with prefix ("Job/sync-"), and pods. */
static int
count_jobs(json_t *rep, const char *prefix, int *pods)
{
	json_t *p;
	size_t i;
	int n = 0;
	char last[256] = "";

	*pods = 0;
	json_array_foreach(json_object_get(rep, "pods"), i, p) {
		const char *w = json_string_value(json_object_get(p, "workload"));

		if (w == NULL || strncmp(w, prefix, strlen(prefix)) != 0)
			continue;
		(*pods)++;
		if (strcmp(w, last) != 0)
			n++;
		snprintf(last, sizeof(last), "%s", w);
	}
	return n;
}

/* Events of type in the report's timeline about object (a repeated
 * identical event is one entry with a count, as client-go records it). */
static int
count_events(json_t *rep, const char *type, const char *object)
{
	json_t *e;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(rep, "events"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "type")), type) == 0 &&
		    strcmp(json_string_value(json_object_get(e, "object")), object) == 0)
			n += json_object_get(e, "count") != NULL ?
			    (int)json_integer_value(json_object_get(e, "count")) : 1;
	return n;
}

/* tests/cases/cronjob-day.yaml: its comment derives each count */
START_TEST(cronjob_day)
{
	json_t *rep = tu_run_ok(tu_scenario("../tests/cases/cronjob-day.yaml"));
	int pods;

	ck_assert_int_eq(count_jobs(rep, "Job/report-", &pods), 8);
	ck_assert_int_eq(pods, 8);
	ck_assert_int_eq(count_jobs(rep, "Job/sync-", &pods), 24);
	ck_assert_int_eq(count_jobs(rep, "Job/cleanup-", &pods), 48);
	ck_assert_int_eq(count_jobs(rep, "Job/paused-", &pods), 0);
	ck_assert_int_eq(count_jobs(rep, "Job/legacy-", &pods), 1);
	/* upstream's names: the scheduled time in Unix minutes; 3:00 is 28401300 */
	ck_assert_int_eq(count_jobs(rep, "Job/report-28401300", &pods), 1);
	/* sync: 0:20 and 0:40 of each hour forbidden, the 0:40 run missed when
	 * the running Job ends at 0:50 (23 times: the last Job outlives the run) */
	ck_assert_int_eq(count_events(rep, "JobAlreadyActive", "cronjob/batch/sync"), 48);
	ck_assert_int_eq(count_events(rep, "MissSchedule", "cronjob/batch/sync"), 23);
	/* cleanup: each of the 47 later Jobs replaces the one before */
	ck_assert_int_eq(count_events(rep, "SuccessfulDelete", "cronjob/batch/cleanup"), 47);
	json_decref(rep);
}
END_TEST

/* tests/cases/cronjob-dump.yaml: the dump's Job is the CronJob's active one */
START_TEST(cronjob_dump)
{
	json_t *rep = tu_run_ok(tu_scenario("../tests/cases/cronjob-dump.yaml"));
	int pods;

	ck_assert_int_eq(count_jobs(rep, "Job/etl-", &pods), 3);
	ck_assert_int_eq(pods, 3);
	ck_assert_int_eq(count_jobs(rep, "Job/etl-28401180", &pods), 1);
	ck_assert_int_eq(count_jobs(rep, "Job/etl-28401300", &pods), 1);
	ck_assert_int_eq(count_events(rep, "JobAlreadyActive", "cronjob/data/etl"), 5);
	ck_assert_int_eq(count_events(rep, "SuccessfulCreate", "cronjob/data/etl"), 2);
	json_decref(rep);
}
END_TEST

/* The CronJob's Jobs' pods have their PriorityClass's value. */
START_TEST(cronjob_priority)
{
	const char *files[1] = { tu_scenario("../tests/cases/cronjob-dump.yaml") };
	struct ksim_opts o;
	struct catalog *cat = NULL;
	struct ks_error err = { 0 };
	struct ks_run *r = NULL;
	int seen = 0;

	tu_opts_init(&o, files, 1);
	ck_assert_int_eq(ksim_catalog_load(&o, &cat, &err), 0);
	ck_assert_msg(ksim_simulate(&o, cat, NULL, &r, &err) == 0, "%s", err.msg);
	for (size_t i = 0; i < r->cluster.npods; i++) {
		const struct ks_pod *p = r->cluster.pods[i];

		if (p->owner != NULL && strcmp(p->owner->name, "etl-28401060") != 0) {
			ck_assert_int_eq(p->spec->priority, -10);
			seen++;
		}
	}
	ck_assert_int_eq(seen, 2);
	ksim_simulation_free(r);
	catalog_free(cat);
}
END_TEST

/* The pod of s named name. */
static const struct wl_def *
pod_def(const struct ks_scenario *s, const char *name)
{
	for (size_t i = 0; i < s->npods; i++)
		if (strcmp(s->pods[i]->name, name) == 0)
			return s->pods[i];
	ck_abort_msg("no pod %s", name);
	return NULL;
}

/* tests/cases/dump-owner-mismatch.yaml and dump-get-all.yaml: what each pod
 * is attached to, and the warnings */
START_TEST(owner_chains)
{
	const char *files[1] = { tu_scenario("../tests/cases/dump-owner-mismatch.yaml") };
	struct ks_scenario *s = NULL;
	struct ks_error err = { 0 };
	struct catalog *cat = NULL;
	unsigned long warned = ks_warn_count;

	ks_warn_stream = NULL;
	ck_assert_int_eq(catalog_load_default(&cat, &err), 0);
	ck_assert_msg(ks_scenario_load(files, 1, NULL, 0, cat, &s, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(ks_warn_count - warned, 3);
	ck_assert_int_eq(pod_def(s, "api-7d8f9-k2x8p")->owner_kind, WL_DEPLOYMENT);
	ck_assert_str_eq(pod_def(s, "api-7d8f9-k2x8p")->owner_name, "api");
	ck_assert_int_eq(pod_def(s, "api-7d8f9-q7v4n")->owner_kind, WL_POD);
	ck_assert_int_eq(pod_def(s, "api-7d8f9-z9w3c")->owner_kind, WL_POD);
	/* the ReplicaSet is a revision: not a workload */
	for (size_t i = 0; i < s->nwls; i++)
		ck_assert_int_ne(s->wls[i]->kind, WL_REPLICASET);
	ks_scenario_free(s);

	files[0] = tu_scenario("../tests/cases/dump-get-all.yaml");
	warned = ks_warn_count;
	ck_assert_msg(ks_scenario_load(files, 1, NULL, 0, cat, &s, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(ks_warn_count - warned, 0);
	/* Deployment web, StatefulSet db, DaemonSet agent; no ReplicaSet, no
	 * finished Job */
	ck_assert_uint_eq(s->nwls, 3);
	for (size_t i = 0; i < s->nwls; i++)
		if (s->wls[i]->kind == WL_DEPLOYMENT)
			ck_assert_str_eq(s->wls[i]->tmpl_hash, "7c9f8d6b5");	/* current */
	ck_assert_int_eq(pod_def(s, "web-7c9f8d6b5-h2kq9")->owner_kind, WL_DEPLOYMENT);
	ck_assert_int_eq(pod_def(s, "agent-m4n8p")->owner_kind, WL_DAEMONSET);
	ck_assert_int_eq(pod_def(s, "db-1")->owner_kind, WL_STATEFULSET);
	/* 2 web, 2 db, 2 agent: the Succeeded and the terminating pods are dropped */
	ck_assert_uint_eq(s->npods, 6);
	ks_scenario_free(s);
	catalog_free(cat);
}
END_TEST

/* Old apiVersions warn and load (load_compat.c, cronjob.c), never fail the scenario. */
START_TEST(deprecated_versions)
{
	static const char text[] =
	    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
	    "spec:\n  selector: {matchLabels: {app: web}}\n"
	    "  template:\n    metadata: {labels: {app: web}}\n"
	    "    spec: {containers: [{name: web, image: web}]}\n"
	    "---\napiVersion: autoscaling.k8s.io/v1beta1\nkind: VerticalPodAutoscaler\n"
	    "metadata: {name: old-ref}\n"
	    "spec: {targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}}\n"
	    "---\napiVersion: autoscaling.k8s.io/v1beta1\nkind: VerticalPodAutoscaler\n"
	    "metadata: {name: old-selector}\nspec: {selector: {matchLabels: {app: web}}}\n"
	    "---\napiVersion: autoscaling.k8s.io/v1beta2\nkind: VerticalPodAutoscaler\n"
	    "metadata: {name: beta2}\n"
	    "spec: {targetRef: {apiVersion: apps/v1, kind: Deployment, name: web},\n"
	    "       updatePolicy: {updateMode: \"Off\"}}\n"
	    "---\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: nightly}\n"
	    "spec:\n  schedule: '@daily'\n"
	    "  jobTemplate: {spec: {template: {spec: {containers: [{name: n, image: n}]}}}}\n";
	char *f = tu_write(text);
	const char *files[1] = { f };
	struct ks_scenario *s = NULL;
	struct ks_error err = { 0 };
	struct catalog *cat = NULL;
	unsigned long warned = ks_warn_count;
	size_t nvpa = 0;

	ks_warn_stream = NULL;
	ck_assert_int_eq(catalog_load_default(&cat, &err), 0);
	ck_assert_msg(ks_scenario_load(files, 1, NULL, 0, cat, &s, &err) == 0, "%s", err.msg);
	for (size_t i = 0; i < s->ndocs; i++)
		if (strcmp(s->docs[i]->kind, "VerticalPodAutoscaler") == 0) {
			ck_assert_str_eq(s->docs[i]->api_version, "autoscaling.k8s.io/v1");
			nvpa++;
		}
	ck_assert_uint_eq(nvpa, 2);		/* old-ref and beta2; old-selector skipped */
	ck_assert_uint_eq(ks_warn_count - warned, 3);
	ks_scenario_free(s);
	/* and the whole scenario runs: the VPAs and the CronJob's controllers accept them */
	ck_assert_msg(tu_validate(f, &err) == 0, "%d:%d: %s", err.at.line, err.at.col, err.msg);
	catalog_free(cat);
	unlink(f);
	free(f);
}
END_TEST

Suite *
dump_suite(void)
{
	Suite *s = suite_create("dump");
	TCase *tc = tcase_create("requests");

	tcase_add_test(tc, upstream_request_table);
	tcase_add_test(tc, deprecated_versions);
	tcase_add_test(tc, owner_chains);
	suite_add_tcase(s, tc);
	tc = tcase_create("cron");
	tcase_add_test(tc, cron_schedules);
	tcase_add_test(tc, cronjob_day);
	tcase_add_test(tc, cronjob_dump);
	tcase_add_test(tc, cronjob_priority);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_main(dump_suite());
}
