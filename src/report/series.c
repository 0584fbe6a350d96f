/*
 * series.c: the run as time series, for spreadsheets (--csv DIR, csv.c) and
 * for the eye (--svg FILE, svg.c).
 *
 * The series are sampled after the run from what the model keeps anyway:
 * every pod's created/scheduled/running/deleted/gone times and every node's
 * launched/gone times, so no controller needs to know that charts exist and
 * a run costs nothing extra unless a chart is asked for.  At sample time t:
 *   a pod is alive     created <= t, not deleted and not gone by t;
 *   pending            alive and not yet bound at t;
 *   running            alive and its containers started by t;
 *   replicas of w      w's alive pods (what `kubectl get` counts: pods
 *                      being deleted no longer count);
 *   nodes              launched <= t < terminated (billed: booting included);
 *   cost               what the nodes have cost up to t: per second, at
 *                      least 60 s per node, as cloud/billing.c bills them.
 * The CSV grid has 200 samples, or one every 15 s when that is coarser (a
 * 10-minute run is not sampled every 3 s), and always ends at the run's
 * end; the chart's grid is its own (svg.c).
 *
 * Costs: O(samples x (pods + nodes)) after the run; 630 samples for a chart.
 */
#include "report/series.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/billing.h"
#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "report/report.h"
#include "run/run.h"
#include "util/xmalloc.h"

#define SERIES_SAMPLES	200		/* samples over the run, at most */
#define SERIES_MIN_STEP	15000		/* ms; never finer than this */

int64_t
series_step_ms(int64_t duration_ms)
{
	int64_t step = (duration_ms + SERIES_SAMPLES - 1) / SERIES_SAMPLES;

	step = (step + 999) / 1000 * 1000;
	return step > SERIES_MIN_STEP ? step : SERIES_MIN_STEP;
}

static int
alive_at(const struct ks_pod *p, int64_t t)
{
	return p->created_ms <= t && (p->deleted_ms < 0 || p->deleted_ms > t) &&
	    (p->gone_ms < 0 || p->gone_ms > t);
}

static char *
gt_label_of(const struct ks_node *nd)
{
	return xasprintf("%s/%s", nd->group ? nd->group : "static",
	    nd->itype ? nd->itype->name : "unknown");
}

void
series_build(struct ks_run *r, struct series *s, int64_t step_ms)
{
	struct ks_cluster *c = &r->cluster;
	int64_t end = r->sim.now_ms;
	size_t *node_gt = xcalloc(c->nnodes + 1, sizeof(*node_gt));

	memset(s, 0, sizeof(*s));
	s->step_ms = step_ms;
	s->n = (size_t)((end + s->step_ms - 1) / s->step_ms) + 1;
	s->t = xcalloc(s->n, sizeof(*s->t));
	for (size_t i = 0; i < s->n; i++)
		s->t[i] = (int64_t)i * s->step_ms < end ? (int64_t)i * s->step_ms : end;
	s->pending = xcalloc(s->n, sizeof(*s->pending));
	s->running = xcalloc(s->n, sizeof(*s->running));
	s->nodes = xcalloc(s->n, sizeof(*s->nodes));
	s->cost = xcalloc(s->n, sizeof(*s->cost));
	s->nwl = c->nwls;
	s->wl_label = xcalloc(s->nwl + 1, sizeof(*s->wl_label));
	s->wl_daemon = xcalloc(s->nwl + 1, sizeof(*s->wl_daemon));
	s->rep = xcalloc(s->nwl * s->n + 1, sizeof(*s->rep));
	for (size_t w = 0; w < c->nwls; w++) {
		const struct ks_workload *wl = c->wls[w];

		s->wl_label[w] = strcmp(wl->ns, "default") == 0 ?
		    xasprintf("%s/%s", wl_kind_name[wl->kind], wl->name) :
		    xasprintf("%s/%s/%s", wl_kind_name[wl->kind], wl->ns, wl->name);
		s->wl_daemon[w] = wl->kind == WL_DAEMONSET;
	}
	/* group/type pairs in order of the first node of each */
	for (size_t k = 0; k < c->nnodes; k++) {
		char *l = gt_label_of(c->nodes[k]);
		size_t g;

		for (g = 0; g < s->ngt && strcmp(s->gt_label[g], l) != 0; g++)
			;
		if (g == s->ngt) {
			s->gt_label = xreallocarray(s->gt_label, s->ngt + 1, sizeof(*s->gt_label));
			s->gt_label[s->ngt++] = l;
		} else {
			free(l);
		}
		node_gt[k] = g;
	}
	s->gt = xcalloc(s->ngt * s->n + 1, sizeof(*s->gt));
	for (size_t i = 0; i < s->n; i++) {
		int64_t t = s->t[i];

		for (size_t k = 0; k < c->npods; k++) {
			const struct ks_pod *p = c->pods[k];

			if (!alive_at(p, t))
				continue;
			if (p->scheduled_ms < 0 || p->scheduled_ms > t)
				s->pending[i]++;
			else if (p->running_ms >= 0 && p->running_ms <= t)
				s->running[i]++;
			if (p->owner != NULL && p->owner->kind != WL_POD)
				s->rep[p->owner->id * s->n + i]++;
		}
		for (size_t k = 0; k < c->nnodes; k++) {
			const struct ks_node *nd = c->nodes[k];

			s->cost[i] += billing_node_cost_at(nd, t);
			if (nd->launched_ms <= t && (nd->gone_ms < 0 || nd->gone_ms > t)) {
				s->nodes[i]++;
				s->gt[node_gt[k] * s->n + i]++;
			}
		}
	}
	free(node_gt);
}

void
series_free(struct series *s)
{
	for (size_t w = 0; w < s->nwl; w++)
		free(s->wl_label[w]);
	for (size_t g = 0; g < s->ngt; g++)
		free(s->gt_label[g]);
	free(s->wl_label);
	free(s->wl_daemon);
	free(s->gt_label);
	free(s->t);
	free(s->pending);
	free(s->running);
	free(s->nodes);
	free(s->cost);
	free(s->rep);
	free(s->gt);
}
