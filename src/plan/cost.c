/*
 * plan/cost.c: the bill of a run shared out per node group and per
 * workload by requests (plan_cost_compute(), see plan.h); what no pod
 * requested is idle.
 */
#include "plan/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/billing.h"
#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "run/run.h"
#include "util/xmalloc.h"

/* ---- cost ---- */

static size_t
line_find(struct plan_cost_line **v, size_t *n, size_t *cap, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].name, name) == 0)
			return i;
	VEC_GROW(*v, *n, *cap);
	memset(&(*v)[*n], 0, sizeof(**v));
	snprintf((*v)[*n].name, sizeof((*v)[*n].name), "%s", name);
	return (*n)++;
}

static int
line_cmp(const void *x, const void *y)
{
	const struct plan_cost_line *a = x, *b = y;
	int d = plan_cmp_i64(b->nusd, a->nusd);

	return d != 0 ? d : strcmp(a->name, b->name);
}

/* Requests share of a pod on a node: mean of the cpu and memory fractions. */
static double
pod_share(const struct ks_res *req, const struct ks_node *n)
{
	double s = 0;
	int k = 0;

	if (n->alloc.v[RES_CPU] > 0) {
		s += (double)req->v[RES_CPU] / (double)n->alloc.v[RES_CPU];
		k++;
	}
	if (n->alloc.v[RES_MEM] > 0) {
		s += (double)req->v[RES_MEM] / (double)n->alloc.v[RES_MEM];
		k++;
	}
	return k ? s / k : 0;
}

void
plan_cost_compute(struct ks_run *r, struct plan_cost *out)
{
	struct ks_cluster *c = &r->cluster;
	int64_t end = r->sim.now_ms;
	size_t gcap = 0, wcap = 0;
	int64_t *pod_nusd = xcalloc(c->npods ? c->npods : 1, sizeof(int64_t));

	memset(out, 0, sizeof(*out));
	out->run_ms = end;
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *n = c->nodes[i];
		int64_t bill = billing_node_cost_nusd(n, end), used = 0;
		int64_t until = n->gone_ms >= 0 ? n->gone_ms : end;
		char name[240];
		size_t g;

		out->total_nusd += bill;
		if (n->spot)
			out->spot_nusd += bill;
		else
			out->ondemand_nusd += bill;
		for (size_t j = 0; j < c->npods; j++) {
			const struct ks_pod *p = c->pods[j];
			int64_t from, to, v;

			if (p->node != (int32_t)n->id || p->scheduled_ms < 0)
				continue;
			from = p->scheduled_ms > n->launched_ms ? p->scheduled_ms : n->launched_ms;
			to = p->gone_ms >= 0 ? p->gone_ms : end;
			if (to > until)
				to = until;
			if (to <= from)
				continue;
			v = (int64_t)((double)(n->price_nusd_h + n->fee_nusd_h) *
			    (double)(to - from) / 3600000.0 *
			    pod_share(&p->req, n) + 0.5);
			pod_nusd[j] += v;
			used += v;
		}
		if (used > bill)
			used = bill;
		out->idle_nusd += bill - used;
		if (n->group != NULL)
			snprintf(name, sizeof(name), "%s", n->group);
		else
			snprintf(name, sizeof(name), "static/%s", n->itype ? n->itype->name : "-");
		g = line_find(&out->groups, &out->ngroups, &gcap, name);
		out->groups[g].count++;
		out->groups[g].nusd += bill;
		out->groups[g].idle_nusd += bill - used;
	}
	for (size_t j = 0; j < c->npods; j++) {
		const struct ks_pod *p = c->pods[j];
		char name[240];
		size_t w;

		if (p->scheduled_ms < 0)
			continue;
		if (p->owner != NULL)
			snprintf(name, sizeof(name), "%s/%s/%s", wl_kind_name[p->owner->kind],
			    p->owner->ns, p->owner->name);
		else
			snprintf(name, sizeof(name), "Pod/%s/%s", p->ns, p->name);
		w = line_find(&out->wls, &out->nwls, &wcap, name);
		out->wls[w].count++;
		out->wls[w].nusd += pod_nusd[j];
	}
	free(pod_nusd);
	if (out->ngroups > 1)
		qsort(out->groups, out->ngroups, sizeof(*out->groups), line_cmp);
	if (out->nwls > 1)
		qsort(out->wls, out->nwls, sizeof(*out->wls), line_cmp);
}

void
plan_cost_free(struct plan_cost *pc)
{
	if (pc == NULL)
		return;
	free(pc->groups);
	free(pc->wls);
	pc->groups = pc->wls = NULL;
	pc->ngroups = pc->nwls = 0;
}
