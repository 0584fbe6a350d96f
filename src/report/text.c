/*
 * text.c: the account rendered for a person (see report.h).
 *
 * The timeline (every event in time order, ties in the order they
 * happened), then each pod with its node and times, or Pending with
 * kube-scheduler's reason; each node with its type, lifetime and cost; the
 * controllers' own sections; the expectations' verdicts; the warnings; a
 * summary.  Columns are as wide as their longest entry (up to 200), so
 * every row lines up.
 *
 * Also the verdicts of `ksim check` as plain lines, in the same words as
 * the report's EXPECTATIONS section.
 */
#include "report/report.h"

#include <stdio.h>
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

static void
text_pods(struct ks_cluster *c, FILE *fp, int wpod, int wnode)
{
	char t1[32], t2[32], t3[32];

	fprintf(fp, "\nPODS\n%-*s %-*s %-10s %-10s %-10s %s\n", wpod, "POD", wnode, "NODE", "CREATED",
	    "SCHEDULED", "RUNNING", "STATUS");
	for (size_t i = 0; i < c->npods; i++) {
		const struct ks_pod *p = c->pods[i];
		char name[300];

		snprintf(name, sizeof(name), "%s/%s", p->ns, p->name);
		fprintf(fp, "%-*s %-*s %-10s %-10s %-10s %s\n", wpod, fmt_safe(name), wnode,
		    p->node >= 0 ? fmt_safe(c->nodes[p->node]->name) : "<none>",
		    fmt_time(p->created_ms, t1, sizeof(t1)),
		    p->scheduled_ms >= 0 ? fmt_time(p->scheduled_ms, t2, sizeof(t2)) : "-",
		    p->running_ms >= 0 ? fmt_time(p->running_ms, t3, sizeof(t3)) : "-",
		    report_pod_status(p));
		if (p->phase == POD_PENDING) {
			fprintf(fp, "    reason: %s\n", p->reason ? fmt_safe(p->reason) : "not yet attempted");
			if (p->why_not != NULL)
				fprintf(fp, "    autoscaler: %s\n", fmt_safe(p->why_not));
		}
	}
}

static void
text_nodes(const struct report_account *a, FILE *fp, int wnode)
{
	struct ks_cluster *c = &a->run->cluster;
	char t1[32], t2[32], t3[32], usd[32];

	fprintf(fp, "\nNODES\n%-*s %-14s %-10s %-12s %-10s %-10s %-10s %s\n", wnode, "NODE", "TYPE",
	    "CAPACITY", "ZONE", "LAUNCHED", "READY", "GONE", "COST(USD)");
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *n = c->nodes[i];

		fprintf(fp, "%-*s %-14s %-10s %-12s %-10s %-10s %-10s %s\n", wnode, fmt_safe(n->name),
		    n->itype ? n->itype->name : "-", n->spot ? "spot" : "on-demand",
		    n->zone[0] ? fmt_safe(n->zone) : "-", fmt_time(n->launched_ms, t1, sizeof(t1)),
		    n->ready_ms >= 0 ? fmt_time(n->ready_ms, t2, sizeof(t2)) : "-",
		    n->gone_ms >= 0 ? fmt_time(n->gone_ms, t3, sizeof(t3)) : "-",
		    fmt_usd(a->node_cost[i], usd, sizeof(usd)));
	}
}

void
report_text(struct ks_run *r, FILE *fp)
{
	struct ks_cluster *c = &r->cluster;
	struct report_account *a = report_account_new(r);
	char t1[32], usd[32];
	int wobj = 6, wpod = 3, wnode = 6;	/* column widths: "OBJECT", "POD", "<none>" */

	fprintf(fp, "Scenario %s: %s simulated, seed %llu, region %s\n\n", fmt_safe(r->scn->name),
	    fmt_time(r->scn->duration_ms, t1, sizeof(t1)), (unsigned long long)r->scn->seed,
	    r->region);
	for (size_t i = 0; i < c->nevents; i++)
		wobj = widest(wobj, strlen(c->events[i].object));
	for (size_t i = 0; i < c->npods; i++)
		wpod = widest(wpod, strlen(c->pods[i]->ns) + 1 + strlen(c->pods[i]->name));
	for (size_t i = 0; i < c->nnodes; i++)
		wnode = widest(wnode, strlen(c->nodes[i]->name));
	fprintf(fp, "TIMELINE\n%-12s %-22s %-*s %s\n", "TIME", "EVENT", wobj, "OBJECT", "MESSAGE");
	for (size_t i = 0; i < c->nevents; i++) {
		const struct ks_event *e = &c->events[i];

		fprintf(fp, "%-12s %-22s %-*s %s\n", fmt_time(e->at_ms, t1, sizeof(t1)),
		    e->type, wobj, fmt_safe(e->object), fmt_safe(e->message));
	}
	text_pods(c, fp, wpod, wnode);
	text_nodes(a, fp, wnode);
	for (size_t i = 0; ctl_table[i] != NULL; i++)
		if (r->ctl_state[i] != NULL && ctl_table[i]->report_text != NULL)
			ctl_table[i]->report_text(r, r->ctl_state[i], fp);
	if (r->scn->expect != NULL) {
		json_t *doc = report_json_body(a);

		report_account_expect(a, doc);
		json_decref(doc);
		fprintf(fp, "\nEXPECTATIONS\n");
		for (size_t i = 0; i < a->nverdicts; i++)
			fprintf(fp, "%s  %s: %s\n", verdict_word(&a->verdicts[i]),
			    fmt_safe(a->verdicts[i].name), fmt_safe(a->verdicts[i].msg));
	}
	if (a->nwarnings > 0)
		fprintf(fp, "\nWARNINGS\n");
	for (size_t i = 0; i < a->nwarnings; i++)
		fprintf(fp, "warning: %s\n", fmt_safe(a->warnings[i]));
	fprintf(fp, "\nSUMMARY\n");
	fprintf(fp, "pods: %zu created, %zu pending at the end\n", c->npods, a->pending);
	fprintf(fp, "nodes: %zu launched\n", c->nnodes);
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
