/*
 * report.c: what a person reads after a run, and what a program parses.
 *
 * Text: the timeline (every event in time order, ties in the order they
 * happened), then a summary: each pod with its node and times, or Pending
 * with kube-scheduler's reason; each node with its type, lifetime and cost;
 * the controllers' own sections; the total cost.
 *
 * JSON: the same, complete; schema in ksim-scenario(5).  Numbers that are
 * money are rounded to micro-USD and printed with a fixed precision, so
 * the same run prints the same bytes on every machine.
 *
 * Everything is listed in creation order (ids), never in hash order.
 */
#include "io/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloud/catalog.h"
#include "io/expect.h"
#include "cluster/cluster.h"
#include "run.h"
#include "util/intern.h"
#include "util/xmalloc.h"

static json_t	*report_warnings(struct ks_run *);

char *
report_time(int64_t ms, char *buf, size_t n)
{
	int64_t s = ms / 1000;

	if (ms % 1000 != 0)
		snprintf(buf, n, "%lld:%02lld:%02lld.%03lld", (long long)(s / 3600),
		    (long long)(s / 60 % 60), (long long)(s % 60), (long long)(ms % 1000));
	else
		snprintf(buf, n, "%lld:%02lld:%02lld", (long long)(s / 3600),
		    (long long)(s / 60 % 60), (long long)(s % 60));
	return buf;
}

int64_t
node_cost_nusd(const struct ks_node *n, int64_t end_ms)
{
	int64_t until = n->gone_ms >= 0 ? n->gone_ms : end_ms, secs;

	if (until < n->launched_ms)
		return 0;
	secs = (until - n->launched_ms + 999) / 1000;
	if (secs < 60)
		secs = 60;
	/* price per hour * seconds / 3600, rounded to the nearest nano-USD */
	return ((n->price_nusd_h + n->fee_nusd_h) * secs + 1800) / 3600;
}

char *
report_usd(int64_t nusd, char *buf, size_t n)
{
	int64_t micro = (nusd + 500) / 1000;

	snprintf(buf, n, "%lld.%06lld", (long long)(micro / 1000000), (long long)(micro % 1000000));
	return buf;
}

void
report_xml_escape(FILE *fp, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '&':
			fputs("&amp;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&apos;", fp);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, fp);
		}
	}
}

int
report_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int64_t
report_percentile(const int64_t *v, size_t n, int pct)
{
	size_t rank = ((size_t)pct * n + 99) / 100;

	return n == 0 ? 0 : v[rank ? rank - 1 : 0];
}

json_t *
report_json_usd(int64_t nusd)
{
	int64_t micro = (nusd + 500) / 1000;

	return json_real((double)micro / 1e6);
}

static const char *
node_state_name(const struct ks_node *n)
{
	switch (n->state) {
	case NODE_READY:
		return n->unschedulable ? "Ready,SchedulingDisabled" : "Ready";
	case NODE_NOTREADY:
		return "NotReady";
	case NODE_DELETING:
		return "Deleting";
	case NODE_GONE:
		return "Terminated";
	}
	return "?";
}

static const char *
pod_status(const struct ks_pod *p)
{
	if (p->phase == POD_BOUND)
		return "ContainerCreating";
	if (p->phase == POD_RUNNING && !p->ready)
		return "Running (not ready)";
	return pod_phase_name[p->phase];
}

/* The wider of a column's width so far and an entry's length. */
static int
widest(int w, size_t len)
{
	return len > (size_t)w ? (int)(len < 200 ? len : 200) : w;
}

void
report_text(struct ks_run *r, FILE *fp)
{
	struct ks_cluster *c = &r->cluster;
	int64_t total = 0, end = r->sim.now_ms;
	char t1[32], t2[32], t3[32], usd[32];
	size_t pending = 0;
	int wobj = 6, wpod = 3, wnode = 6;	/* column widths: "OBJECT", "POD", "<none>" */

	fprintf(fp, "Scenario %s: %s simulated, seed %llu, region %s\n\n", r->scn->name,
	    report_time(r->scn->duration_ms, t1, sizeof(t1)), (unsigned long long)r->scn->seed,
	    r->region);
	/* columns as wide as their longest entry, so every row lines up */
	for (size_t i = 0; i < c->nevents; i++)
		wobj = widest(wobj, strlen(c->events[i].object));
	for (size_t i = 0; i < c->npods; i++)
		wpod = widest(wpod, strlen(c->pods[i]->ns) + 1 + strlen(c->pods[i]->name));
	for (size_t i = 0; i < c->nnodes; i++)
		wnode = widest(wnode, strlen(c->nodes[i]->name));
	fprintf(fp, "TIMELINE\n%-12s %-22s %-*s %s\n", "TIME", "EVENT", wobj, "OBJECT", "MESSAGE");
	for (size_t i = 0; i < c->nevents; i++) {
		const struct ks_event *e = &c->events[i];

		fprintf(fp, "%-12s %-22s %-*s %s\n", report_time(e->at_ms, t1, sizeof(t1)),
		    e->type, wobj, e->object, e->message);
	}
	fprintf(fp, "\nPODS\n%-*s %-*s %-10s %-10s %-10s %s\n", wpod, "POD", wnode, "NODE", "CREATED",
	    "SCHEDULED", "RUNNING", "STATUS");
	for (size_t i = 0; i < c->npods; i++) {
		const struct ks_pod *p = c->pods[i];
		char name[300];

		snprintf(name, sizeof(name), "%s/%s", p->ns, p->name);
		fprintf(fp, "%-*s %-*s %-10s %-10s %-10s %s\n", wpod, name, wnode,
		    p->node >= 0 ? c->nodes[p->node]->name : "<none>",
		    report_time(p->created_ms, t1, sizeof(t1)),
		    p->scheduled_ms >= 0 ? report_time(p->scheduled_ms, t2, sizeof(t2)) : "-",
		    p->running_ms >= 0 ? report_time(p->running_ms, t3, sizeof(t3)) : "-",
		    pod_status(p));
		if (p->phase == POD_PENDING) {
			pending++;
			fprintf(fp, "    reason: %s\n", p->reason ? p->reason : "not yet attempted");
			if (p->why_not != NULL)
				fprintf(fp, "    autoscaler: %s\n", p->why_not);
		}
	}
	fprintf(fp, "\nNODES\n%-*s %-14s %-10s %-12s %-10s %-10s %-10s %s\n", wnode, "NODE", "TYPE",
	    "CAPACITY", "ZONE", "LAUNCHED", "READY", "GONE", "COST(USD)");
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *n = c->nodes[i];
		int64_t cost = node_cost_nusd(n, end);

		total += cost;
		fprintf(fp, "%-*s %-14s %-10s %-12s %-10s %-10s %-10s %s\n", wnode, n->name,
		    n->itype ? n->itype->name : "-", n->spot ? "spot" : "on-demand",
		    n->zone[0] ? n->zone : "-", report_time(n->launched_ms, t1, sizeof(t1)),
		    n->ready_ms >= 0 ? report_time(n->ready_ms, t2, sizeof(t2)) : "-",
		    n->gone_ms >= 0 ? report_time(n->gone_ms, t3, sizeof(t3)) : "-",
		    report_usd(cost, usd, sizeof(usd)));
	}
	for (size_t i = 0; ctl_table[i] != NULL; i++)
		if (r->ctl_state[i] != NULL && ctl_table[i]->report_text != NULL)
			ctl_table[i]->report_text(r, r->ctl_state[i], fp);
	if (r->scn->expect != NULL) {
		json_t *j = report_json(r), *e;
		size_t k;

		fprintf(fp, "\nEXPECTATIONS\n");
		json_array_foreach(json_object_get(j, "expectations"), k, e)
			fprintf(fp, "%s  %s: %s\n", json_is_true(json_object_get(e, "skipped")) ? "SKIP" :
			    json_is_true(json_object_get(e, "ok")) ? "PASS" : "FAIL",
			    json_string_value(json_object_get(e, "name")),
			    json_string_value(json_object_get(e, "message")));
		json_decref(j);
	}
	{
		json_t *w = report_warnings(r), *e;
		size_t k;

		if (json_array_size(w) > 0)
			fprintf(fp, "\nWARNINGS\n");
		json_array_foreach(w, k, e)
			fprintf(fp, "warning: %s\n", json_string_value(e));
		json_decref(w);
	}
	fprintf(fp, "\nSUMMARY\n");
	fprintf(fp, "pods: %zu created, %zu pending at the end\n", c->npods, pending);
	fprintf(fp, "nodes: %zu launched\n", c->nnodes);
	fprintf(fp, "cost: %s USD\n", report_usd(total, usd, sizeof(usd)));
}

/*
 * The report's warnings about the input, in creation order: a pod template
 * without cpu or memory requests counts as zero for the scheduler and the
 * autoscalers (upstream does the same), which is rarely what its author
 * meant.  One line per template: per workload, or per bare pod.
 */
static json_t *
report_warnings(struct ks_run *r)
{
	struct ks_cluster *c = &r->cluster;
	json_t *arr = json_array();

	for (size_t i = 0; i < c->nwls; i++) {
		const struct ks_workload *w = c->wls[i];

		if (w->kind == WL_POD || w->spec.has_requests || w->npods + (size_t)w->replicas == 0)
			continue;
		json_array_append_new(arr, json_sprintf("%s %s/%s has no cpu or memory requests: "
		    "the scheduler and the autoscalers count its pods as requesting nothing",
		    wl_kind_name[w->kind], w->ns, w->name));
	}
	for (size_t i = 0; i < c->npods; i++) {
		const struct ks_pod *p = c->pods[i];

		if (p->owner != NULL || p->spec->has_requests)
			continue;
		json_array_append_new(arr, json_sprintf("Pod %s/%s has no cpu or memory requests: "
		    "the scheduler and the autoscalers count it as requesting nothing", p->ns, p->name));
	}
	return arr;
}

static json_t *
ms_or_null(int64_t ms)
{
	return ms >= 0 ? json_integer(ms) : json_null();
}

json_t *
report_json(struct ks_run *r)
{
	struct ks_cluster *c = &r->cluster;
	json_t *root = json_object(), *pods = json_array(), *nodes = json_array();
	json_t *events = json_array(), *cost = json_object();
	int64_t total = 0, end = r->sim.now_ms;

	json_object_set_new(root, "scenario", json_string(r->scn->name));
	json_object_set_new(root, "duration_ms", json_integer(r->scn->duration_ms));
	json_object_set_new(root, "seed", json_integer((json_int_t)r->scn->seed));
	json_object_set_new(root, "region", json_string(r->region));
	for (size_t i = 0; i < c->npods; i++) {
		const struct ks_pod *p = c->pods[i];
		json_t *o = json_object();
		char wl[600];

		json_object_set_new(o, "name", json_string(p->name));
		json_object_set_new(o, "namespace", json_string(p->ns));
		if (p->owner != NULL) {
			snprintf(wl, sizeof(wl), "%s/%s", wl_kind_name[p->owner->kind], p->owner->name);
			json_object_set_new(o, "workload", json_string(wl));
		} else {
			json_object_set_new(o, "workload", json_null());
		}
		json_object_set_new(o, "node", p->node >= 0 ?
		    json_string(c->nodes[p->node]->name) : json_null());
		json_object_set_new(o, "phase", json_string(pod_phase_name[p->phase]));
		json_object_set_new(o, "cpu_m", json_integer(p->req.v[RES_CPU]));
		json_object_set_new(o, "memory_bytes", json_integer(p->req.v[RES_MEM]));
		json_object_set_new(o, "created_at_ms", json_integer(p->created_ms));
		json_object_set_new(o, "scheduled_at_ms", ms_or_null(p->scheduled_ms));
		json_object_set_new(o, "running_at_ms", ms_or_null(p->running_ms));
		json_object_set_new(o, "ready_at_ms", ms_or_null(p->ready_ms));
		json_object_set_new(o, "deleted_at_ms", ms_or_null(p->deleted_ms));
		json_object_set_new(o, "reason", p->phase == POD_PENDING && p->reason ?
		    json_string(p->reason) : json_null());
		json_object_set_new(o, "autoscaler_reason", p->phase == POD_PENDING && p->why_not ?
		    json_string(p->why_not) : json_null());
		json_array_append_new(pods, o);
	}
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *n = c->nodes[i];
		json_t *o = json_object();
		int64_t nc = node_cost_nusd(n, end);

		total += nc;
		json_object_set_new(o, "name", json_string(n->name));
		json_object_set_new(o, "instance_type", n->itype ? json_string(n->itype->name) : json_null());
		json_object_set_new(o, "capacity_type", json_string(n->spot ? "spot" : "on-demand"));
		json_object_set_new(o, "zone", n->zone[0] ? json_string(n->zone) : json_null());
		json_object_set_new(o, "group", n->group ? json_string(n->group) : json_null());
		json_object_set_new(o, "state", json_string(node_state_name(n)));
		json_object_set_new(o, "allocatable_cpu_m", json_integer(n->alloc.v[RES_CPU]));
		json_object_set_new(o, "allocatable_memory_bytes", json_integer(n->alloc.v[RES_MEM]));
		json_object_set_new(o, "allocatable_pods", json_integer(n->alloc.v[RES_PODS]));
		json_object_set_new(o, "launched_at_ms", json_integer(n->launched_ms));
		json_object_set_new(o, "ready_at_ms", ms_or_null(n->ready_ms));
		json_object_set_new(o, "terminated_at_ms", ms_or_null(n->gone_ms));
		json_object_set_new(o, "price_usd_per_hour", report_json_usd(n->price_nusd_h));
		if (n->fee_nusd_h > 0)
			json_object_set_new(o, "automode_fee_usd_per_hour",
			    report_json_usd(n->fee_nusd_h));
		json_object_set_new(o, "cost_usd", report_json_usd(nc));
		json_array_append_new(nodes, o);
	}
	for (size_t i = 0; i < c->nevents; i++) {
		const struct ks_event *e = &c->events[i];
		json_t *o = json_object();

		json_object_set_new(o, "at_ms", json_integer(e->at_ms));
		json_object_set_new(o, "type", json_string(e->type));
		json_object_set_new(o, "object", json_string(e->object));
		json_object_set_new(o, "message", json_string(e->message));
		json_array_append_new(events, o);
	}
	json_object_set_new(root, "pods", pods);
	json_object_set_new(root, "nodes", nodes);
	json_object_set_new(root, "events", events);
	json_object_set_new(cost, "total_usd", report_json_usd(total));
	json_object_set_new(root, "cost", cost);
	json_object_set_new(root, "warnings", report_warnings(r));
	for (size_t i = 0; ctl_table[i] != NULL; i++)
		if (r->ctl_state[i] != NULL && ctl_table[i]->report_json != NULL)
			ctl_table[i]->report_json(r, r->ctl_state[i], root);
	if (r->scn->expect != NULL) {
		size_t n = expect_count(r->scn->expect);
		struct expect_result *res = xcalloc(n, sizeof(*res));
		json_t *arr = json_array();

		expect_eval(r->scn->expect, root, EXPECT_RUN, res);
		for (size_t i = 0; i < n; i++) {
			json_t *o = json_object();

			json_object_set_new(o, "name", json_string(res[i].name));
			json_object_set_new(o, "ok", json_boolean(res[i].ok));
			if (res[i].skipped)
				json_object_set_new(o, "skipped", json_true());
			json_object_set_new(o, "message", json_string(res[i].msg));
			json_array_append_new(arr, o);
		}
		json_object_set_new(root, "expectations", arr);
		free(res);
	}
	return root;
}

int
atomic_write(const char *path, const char *buf, size_t len, struct ks_error *err)
{
	char *tmp = xasprintf("%s.ksim-tmp.%ld", path, (long)getpid());
	struct ks_mark at = { intern(path), 0, 0 };
	FILE *fp = fopen(tmp, "wb");
	int rc = 0;

	if (fp == NULL) {
		rc = ks_error_set(err, &at, KS_EIO, "cannot write: %s", strerror(errno));
		goto cleanup;
	}
	if (fwrite(buf, 1, len, fp) != len || fflush(fp) != 0) {
		rc = ks_error_set(err, &at, KS_EIO, "cannot write: %s", strerror(errno));
		fclose(fp);
		unlink(tmp);
		goto cleanup;
	}
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		rc = ks_error_set(err, &at, KS_EIO, "cannot write: %s", strerror(errno));
		unlink(tmp);
	}
cleanup:
	free(tmp);
	return rc;
}

int
report_write(struct ks_run *r, enum ksim_output fmt, const char *path, struct ks_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = 0;

	if (fmt == KSIM_JSON) {
		json_t *j = report_json(r);

		buf = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
		json_decref(j);
		len = strlen(buf);
		buf = xrealloc(buf, len + 2);
		buf[len++] = '\n';
		buf[len] = '\0';
	} else {
		FILE *mem = open_memstream(&buf, &len);

		report_text(r, mem);
		fclose(mem);
	}
	if (path == NULL) {
		if (fwrite(buf, 1, len, stdout) != len)
			rc = ks_error_set(err, NULL, KS_EIO, "cannot write the report: %s", strerror(errno));
	} else {
		rc = atomic_write(path, buf, len, err);
	}
	free(buf);
	return rc;
}
