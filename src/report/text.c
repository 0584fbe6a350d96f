/*
 * text.c: the account rendered for a person (see report.h).
 *
 * The timeline (every event in time order, ties in the order they
 * happened), then each pod with its node and times, or Pending with
 * kube-scheduler's reason; each node with its type, lifetime and cost; the
 * controllers' sections (text_*.c, rendered from their data: text.h); the
 * expectations' verdicts; the warnings; a summary.  Columns are as wide
 * as their longest entry (up to 200), so every row lines up.  `-o wide`
 * adds columns at the end of the pods'
 * (status padded, workload, requests) and the nodes' rows (group, state,
 * allocatable, price), as kubectl's wide output does.  --detail picks the
 * sections (report.h); without it a section of more than
 * REPORT_TEXT_ROWS rows prints those and a line counting the rest, so a
 * run of 150,000 pods still reads.
 *
 * Also the verdicts of `ksim check` as plain lines, in the same words as
 * the report's EXPECTATIONS section.
 */
#include "report/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "run/run.h"
#include "util/fmt.h"

/* The wider of a column's width so far and an entry's length. */
static int
widest(int w, size_t len)
{
	return len > (size_t)w ? (int)(len < 200 ? len : 200) : w;
}

static const char *
verdict_word(const struct expect_result *v)
{
	return v->skipped ? "SKIP" : v->ok ? "PASS" : "FAIL";
}

size_t
report_text_rows(const struct report_view *v, size_t n)
{
	return v->detail == REPORT_DETAIL_DEFAULT && n > REPORT_TEXT_ROWS ? REPORT_TEXT_ROWS : n;
}

void
report_text_more(FILE *fp, size_t shown, size_t n, const char *what, const char *level)
{
	if (shown < n)
		fprintf(fp, "... %zu more %s (--detail %s lists them all)\n", n - shown, what, level);
}

const char *
report_data_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int64_t
report_data_int(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* The controllers' text sections, by controller name (autoscale/ctl.h). */
static const struct {
	const char		*ctl;		/* ctl_ops.name */
	report_text_section	*render;	/* renders the data its report op adds */
} text_sections[] = {
	{ "hpa", report_text_hpa },
	{ "vpa", report_text_vpa },
	{ "ca", report_text_ca },
	{ "karpenter", report_text_karpenter },
};

/* Each active controller's section, rendered from the data it adds to the report. */
static void
text_controllers(const struct report_account *a, const struct report_view *v, FILE *fp)
{
	struct ks_run *r = a->run;

	for (size_t i = 0; ctl_table[i] != NULL; i++) {
		json_t *data;

		if (r->ctl_state[i] == NULL || ctl_table[i]->report == NULL)
			continue;
		data = json_object();
		ctl_table[i]->report(r, r->ctl_state[i], data);
		for (size_t k = 0; k < sizeof(text_sections) / sizeof(text_sections[0]); k++)
			if (strcmp(text_sections[k].ctl, ctl_table[i]->name) == 0)
				text_sections[k].render(a, v, data, fp);
		json_decref(data);
	}
}

static void
text_timeline(struct ks_cluster *c, const struct report_view *v, FILE *fp, int wobj)
{
	size_t n = report_text_rows(v, c->nevents);
	char t1[32];

	fprintf(fp, "TIMELINE\n%-12s %-22s %-*s %s\n", "TIME", "EVENT", wobj, "OBJECT", "MESSAGE");
	for (size_t i = 0; i < n; i++) {
		const struct ks_event *e = &c->events[i];

		fprintf(fp, "%-12s %-22s %-*s %s", fmt_time(e->at_ms, t1, sizeof(t1)),
		    e->type, wobj, fmt_safe(e->object), fmt_safe(e->message));
		if (e->count > 1)	/* repeats of the same event, as kubectl's COUNT */
			fprintf(fp, " (x%lu, last %s)", (unsigned long)e->count,
			    fmt_time(e->last_ms, t1, sizeof(t1)));
		fputc('\n', fp);
	}
	report_text_more(fp, n, c->nevents, "events", "events");
}

/* -o wide: a pod's workload and requests, after its status. */
static void
text_pod_wide(FILE *fp, const struct ks_pod *p)
{
	char wl[300], cpu[32], mem[32];

	if (p->owner != NULL)
		snprintf(wl, sizeof(wl), "%s/%s", wl_kind_name[p->owner->kind], p->owner->name);
	snprintf(cpu, sizeof(cpu), "%lldm", (long long)p->req.v[RES_CPU]);
	snprintf(mem, sizeof(mem), "%lldMi", (long long)(p->req.v[RES_MEM] >> 20));
	fprintf(fp, "%-19s %-30s %-7s %s", report_pod_status(p),
	    p->owner != NULL ? fmt_safe(wl) : "<none>", cpu, mem);
}

static void
text_pods(struct ks_cluster *c, const struct report_view *v, FILE *fp, int wpod, int wnode)
{
	size_t n = report_text_rows(v, c->npods);
	char t1[32], t2[32], t3[32];

	fprintf(fp, "\nPODS\n%-*s %-*s %-10s %-10s %-10s %s\n", wpod, "POD", wnode, "NODE", "CREATED",
	    "SCHEDULED", "RUNNING", v->wide ? "STATUS              WORKLOAD                       "
	    "CPU     MEMORY" : "STATUS");
	for (size_t i = 0; i < n; i++) {
		const struct ks_pod *p = c->pods[i];
		char name[300];

		snprintf(name, sizeof(name), "%s/%s", p->ns, p->name);
		fprintf(fp, "%-*s %-*s %-10s %-10s %-10s ", wpod, fmt_safe(name), wnode,
		    p->node >= 0 ? fmt_safe(c->nodes[p->node]->name) : "<none>",
		    fmt_time(p->created_ms, t1, sizeof(t1)),
		    p->scheduled_ms >= 0 ? fmt_time(p->scheduled_ms, t2, sizeof(t2)) : "-",
		    p->running_ms >= 0 ? fmt_time(p->running_ms, t3, sizeof(t3)) : "-");
		if (v->wide)
			text_pod_wide(fp, p);
		else
			fputs(report_pod_status(p), fp);
		fputc('\n', fp);
		if (p->phase == POD_PENDING) {
			fprintf(fp, "    reason: %s\n", p->reason ? fmt_safe(p->reason) : "not yet attempted");
			if (p->why_not != NULL)
				fprintf(fp, "    autoscaler: %s\n", fmt_safe(p->why_not));
		}
	}
	report_text_more(fp, n, c->npods, "pods", "pods");
}

/* -o wide: a node's group, state, allocatable and price, after its cost. */
static void
text_node_wide(FILE *fp, const struct ks_node *n)
{
	char usd[32], cpu[32], mem[32];

	snprintf(cpu, sizeof(cpu), "%lldm", (long long)n->alloc.v[RES_CPU]);
	snprintf(mem, sizeof(mem), "%lldMi", (long long)(n->alloc.v[RES_MEM] >> 20));
	fprintf(fp, " %-16s %-24s %-8s %-10s %-5lld %s", n->group ? fmt_safe(n->group) : "-",
	    report_node_state(n), cpu, mem,
	    (long long)n->alloc.v[RES_PODS], fmt_usd(n->price_nusd_h, usd, sizeof(usd)));
}

static void
text_nodes(const struct report_account *a, const struct report_view *v, FILE *fp, int wnode)
{
	struct ks_cluster *c = &a->run->cluster;
	size_t nrows = report_text_rows(v, c->nnodes);
	char t1[32], t2[32], t3[32], usd[32];

	fprintf(fp, "\nNODES\n%-*s %-14s %-10s %-12s %-10s %-10s %-10s %s\n", wnode, "NODE", "TYPE",
	    "CAPACITY", "ZONE", "LAUNCHED", "READY", "GONE", v->wide ? "COST(USD)  GROUP            "
	    "STATE                    CPU      MEMORY     PODS  USD/H" : "COST(USD)");
	for (size_t i = 0; i < nrows; i++) {
		const struct ks_node *n = c->nodes[i];

		fprintf(fp, "%-*s %-14s %-10s %-12s %-10s %-10s %-10s %s", wnode, fmt_safe(n->name),
		    n->itype ? n->itype->name : "-", n->spot ? "spot" : "on-demand",
		    n->zone[0] ? fmt_safe(n->zone) : "-", fmt_time(n->launched_ms, t1, sizeof(t1)),
		    n->ready_ms >= 0 ? fmt_time(n->ready_ms, t2, sizeof(t2)) : "-",
		    n->gone_ms >= 0 ? fmt_time(n->gone_ms, t3, sizeof(t3)) : "-",
		    v->wide ? "" : fmt_usd(a->node_cost[i], usd, sizeof(usd)));
		if (v->wide) {
			fprintf(fp, "%-10s", fmt_usd(a->node_cost[i], usd, sizeof(usd)));
			text_node_wide(fp, n);
		}
		fputc('\n', fp);
	}
	report_text_more(fp, nrows, c->nnodes, "nodes", "workloads");
}

/* --detail workloads and more: a row per workload, its pods counted by phase at the end. */
static void
text_workloads(struct ks_cluster *c, FILE *fp)
{
	struct report_wl_count *n = report_wl_counts(c);
	int wname = 8;	/* "WORKLOAD" */

	for (size_t i = 0; i < c->nwls; i++)
		wname = widest(wname, strlen(wl_kind_name[c->wls[i]->kind]) + strlen(c->wls[i]->ns) +
		    strlen(c->wls[i]->name) + 2);
	fprintf(fp, "\nWORKLOADS\n%-*s %-8s %-8s %-8s %s\n", wname, "WORKLOAD", "REPLICAS", "CREATED",
	    "RUNNING", "PENDING");
	for (size_t i = 0; i < c->nwls; i++) {
		const struct ks_workload *w = c->wls[i];
		char name[600], rep[16] = "-";	/* a DaemonSet has no replicas */

		snprintf(name, sizeof(name), "%s/%s/%s", wl_kind_name[w->kind], w->ns, w->name);
		if (w->kind != WL_DAEMONSET)
			snprintf(rep, sizeof(rep), "%d", (int)w->replicas);
		fprintf(fp, "%-*s %-8s %-8zu %-8zu %zu%s\n", wname, fmt_safe(name), rep, n[i].created,
		    n[i].running, n[i].pending, w->deleted ? " (deleted)" : "");
	}
	free(n);
}

/* The column widths of the timeline, the pods and the nodes. */
static void
text_widths(struct ks_cluster *c, int *wobj, int *wpod, int *wnode)
{
	for (size_t i = 0; i < c->nevents; i++)
		*wobj = widest(*wobj, strlen(c->events[i].object));
	for (size_t i = 0; i < c->npods; i++)
		*wpod = widest(*wpod, strlen(c->pods[i]->ns) + 1 + strlen(c->pods[i]->name));
	for (size_t i = 0; i < c->nnodes; i++)
		*wnode = widest(*wnode, strlen(c->nodes[i]->name));
}

/* The verdicts, evaluated on the whole run whatever the detail. */
static void
text_expectations(struct report_account *a, FILE *fp)
{
	json_t *doc = report_json_body(a);

	report_account_expect(a, doc);
	json_decref(doc);
	fprintf(fp, "\nEXPECTATIONS\n");
	for (size_t i = 0; i < a->nverdicts; i++)
		fprintf(fp, "%s  %s: %s\n", verdict_word(&a->verdicts[i]),
		    fmt_safe(a->verdicts[i].name), fmt_safe(a->verdicts[i].msg));
}

void
report_text(struct ks_run *r, const struct report_view *v, FILE *fp)
{
	struct ks_cluster *c = &r->cluster;
	struct report_account *a = report_account_new(r);
	enum report_detail d = v->detail;
	char t1[32], usd[32];
	int wobj = 6, wpod = 3, wnode = 6;	/* column widths: "OBJECT", "POD", "<none>" */

	fprintf(fp, "Scenario %s: %s simulated, seed %llu, region %s\n", fmt_safe(r->scn->name),
	    fmt_time(r->scn->duration_ms, t1, sizeof(t1)), (unsigned long long)r->scn->seed,
	    r->region);
	text_widths(c, &wobj, &wpod, &wnode);
	if (d == REPORT_DETAIL_DEFAULT || d >= REPORT_DETAIL_EVENTS) {
		fputc('\n', fp);
		text_timeline(c, v, fp, wobj);
	}
	if (d >= REPORT_DETAIL_WORKLOADS)
		text_workloads(c, fp);
	if (d == REPORT_DETAIL_DEFAULT || d >= REPORT_DETAIL_PODS)
		text_pods(c, v, fp, wpod, wnode);
	if (d != REPORT_DETAIL_SUMMARY)
		text_nodes(a, v, fp, wnode);
	if (d != REPORT_DETAIL_SUMMARY)
		text_controllers(a, v, fp);
	if (r->scn->expect != NULL)
		text_expectations(a, fp);
	if (a->nwarnings > 0)
		fprintf(fp, "\nWARNINGS\n");
	for (size_t i = 0; i < a->nwarnings; i++)
		fprintf(fp, "warning: %s\n", fmt_safe(a->warnings[i]));
	fprintf(fp, "\nSUMMARY\n");
	fprintf(fp, "pods: %zu created, %zu pending at the end\n", c->npods, a->pending);
	fprintf(fp, "nodes: %zu launched\n", c->nnodes);
	if (d != REPORT_DETAIL_DEFAULT)
		fprintf(fp, "events: %zu\n", c->nevents);
	fprintf(fp, "cost: %s USD\n", fmt_usd(a->total_nusd, usd, sizeof(usd)));
	report_account_free(a);
}

void
report_check_text(FILE *fp, const struct expect_result *r, size_t n)
{
	size_t failed = 0, skipped = 0;

	for (size_t i = 0; i < n; i++) {
		fprintf(fp, "%s  %s: %s\n", verdict_word(&r[i]), fmt_safe(r[i].name),
		    fmt_safe(r[i].msg));
		failed += !r[i].ok;
		skipped += r[i].skipped;
	}
	if (skipped > 0)
		fprintf(fp, "%zu passed, %zu failed, %zu skipped\n", n - failed - skipped, failed,
		    skipped);
	else
		fprintf(fp, "%zu passed, %zu failed\n", n - failed, failed);
}
