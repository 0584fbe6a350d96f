/*
 * metrics.c: the load model and metrics-server's view of it.
 *
 * What it models.  Pods use what the scenario's `spec.load` says: per pod
 * (each running pod of the workload burns X, as hamster does) or a shared
 * demand (a load generator's total, split evenly by a Service over the
 * READY pods behind it, as php-apache's is), each container capped at its
 * limit (CPU is throttled at the limit; memory is simply capped, OOM kills
 * are not modelled).  A value is constant, a piecewise series of points
 * (a step at each point, or a linear ramp into a point marked `ramp:
 * linear`) or a CSV trace (time,cpu,memory; steps).  Entries for the same
 * workload add up.  A pod with no entry uses nothing.  Custom metrics for
 * the HPA's Pods, Object and External metric types come from the same
 * entries (`metrics:` per pod or shared, `object:`, `external:`).  The
 * YAML is parsed by io/load_model.c; this file only evaluates it.
 *
 * metrics-server (kubernetes-sigs/metrics-server, pkg/storage) scrapes the
 * kubelets every --metric-resolution (15 s) and reports a CPU rate computed
 * from the last two cumulative counters, so what the HPA reads at time t is
 * the mean usage over [s - res, s] for the latest scrape s <= t, with
 * timestamp s and window res.  A container the previous scrape did not see
 * (it started after it, or at its very instant) has no previous counter:
 * since v0.5.0 (podStorage.Store) the scrape s still reports it when
 * 10 s <= s - start < res, taking the counter as 0 at the container's start,
 * so the window is [start, s]; otherwise it first appears at the next
 * scrape.  Before v0.5.0 two scrapes had to see it.  metrics_server_reports()
 * is that rule alone, tested against upstream's own table.  Memory is the
 * working set at s.  CPU is reported in nanocores and the HPA reads
 * it with Quantity.MilliValue(), which rounds up: so do we.  Scrapes happen
 * at offset + k * res; the offset is the scenario's (default 0) because
 * metrics-server's phase relative to the load is what decides whether a
 * freshly loaded pod reads 130 % or 250 % on its first window.
 *
 * Nothing is sampled: the windowed mean is integrated exactly from the pod
 * records (ready/deleted times are kept for gone pods too) over the pieces
 * between breakpoints, where the per-pod usage is linear and the cap makes
 * at most one kink.  Alternatives rejected: scrape events in the engine
 * (they would interleave with controller ticks and need per-pod history)
 * and fixed-step sampling (inexact at ready transitions).
 *
 * Shared state, kept incrementally.  The entries are indexed by the
 * workload they name (a group per kind/namespace/name, found from the
 * workload's id), so a pod looks only at its own workload's entries.  A
 * group keeps its pods in two lists: live (handed over once from the
 * cluster's pod array as pods appear) and gone (moved there, in the order
 * they went, when a window is built), so the pods a window [a, b] can
 * see -- the live ones and those gone after a -- are found without
 * walking every pod the workload ever had.  A shared entry splits its
 * demand by the workload's ready count, a step function that changes only
 * at its pods' transitions: a group remembers it over the last windows
 * asked for (the transitions inside, the count at each), built once per
 * scrape and read by every pod of the workload.  A window that ended
 * before it was built stays true (pod records of past times never
 * change); one that ends now holds only within the engine event that
 * built it.  The breakpoints of one pod are its own transitions, its
 * entries' points in the window and, for a shared entry, the window's
 * transitions, merged in a scratch array: no allocation per pod.  The
 * breakpoints and the order of every sum are those of a direct
 * evaluation, so the numbers are identical to the bit.
 *
 * Costs: building a group's window is O(L + G + T log T) for L live pods,
 * G pods gone inside the window and T transitions in it, once per scrape;
 * one metrics_pod() call is then O(E (k + T) + k^2) for E entries of its
 * workload and k of its own breakpoints (a handful); a run without
 * `spec.load` costs nothing.
 */
#include "cluster/metrics.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/load_model.h"
#include "run/run.h"
#include "util/intern.h"
#include "util/ptrmap.h"
#include "util/xmalloc.h"

#define MX_WINS		2		/* windows remembered per group */

/*
 * The ready-pod count of a group over a window [a, b]: a step function
 * whose steps are the group's pod transitions inside the window.
 */
struct mx_win {
	int		 valid;		/* holds a window */
	int64_t		 a, b;		/* the window, ms */
	int64_t		 built_now;	/* simulated time it was built at, ms */
	uint64_t	 built_ev;	/* engine events executed then */
	size_t		 built_npods;	/* cluster pods then */
	uint64_t	 used;		/* last use (the least recent is replaced) */
	int64_t		*t;		/* a, the distinct pod times in (a, b), b; ms */
	int		*nready;	/* ready pods at t[i] */
	size_t		 n, cap;	/* points used, allocated */
};

/*
 * The load entries of one workload (kind, namespace, name) and the pods
 * any workload of that identity created: a workload deleted and declared
 * again keeps its entries and its history.
 */
struct mx_group {
	size_t		*ents;		/* indexes into lm.e, in spec order */
	size_t		 nents, entcap;	/* entries used, allocated */
	int		 shared;	/* an entry is shared: the pods are tracked */
	uint32_t	*live;		/* ids of its pods not seen gone */
	size_t		 nlive, livecap; /* pods used, allocated */
	uint32_t	*gone;		/* ids of its gone pods, by gone time */
	size_t		 ngone, gonecap; /* pods used, allocated */
	struct mx_win	 win[MX_WINS];	/* recent windows */
};

struct mx_gone {
	int64_t		 at_ms;		/* when the pod went */
	uint32_t	 id;		/* the pod */
};

struct mx_ev {
	int64_t		 at_ms;		/* when the ready count changes */
	int		 d;		/* +1 or -1 */
};

struct metrics {
	struct ks_run	*r;		/* borrowed: the run that owns it */
	struct load_model lm;		/* the parsed spec.load and spec.metricsServer */
	struct mx_group	**g;		/* one per workload the entries name */
	size_t		 ng;		/* groups */
	struct ptrmap	 g_idx;		/* interned "Kind/ns/name" -> group */
	struct mx_group	**by_wl;	/* by workload id: its group, or NULL */
	size_t		 nby_wl, bywlcap; /* workloads resolved, allocated */
	size_t		 scanned;	/* cluster pods handed to their groups */
	uint64_t	 tick;		/* window uses, for the replacement */
	int64_t		*bp, *bp2;	/* scratch: one pod's breakpoints */
	size_t		 nbp, bpcap, bp2cap; /* used, allocated */
	struct mx_ev	*ev;		/* scratch: ready-count changes in a window */
	size_t		 nev, evcap;	/* used, allocated */
	struct mx_gone	*moved;		/* scratch: pods found gone in a sweep */
	size_t		 nmoved, movedcap; /* used, allocated */
};

/* The run's model, or NULL when it has none. */
static struct metrics *
mx_get(struct ks_run *r)
{
	return r->metrics;
}

static const char *
group_key(enum wl_kind k, const char *ns, const char *name)
{
	char buf[600];

	snprintf(buf, sizeof(buf), "%s/%s/%s", wl_kind_name[k], ns, name);
	return intern(buf);
}

/* Index the workload entries by the workload they name. */
static void
mx_index(struct metrics *m)
{
	for (size_t i = 0; i < m->lm.n; i++) {
		const struct lm_entry *e = &m->lm.e[i];
		const char *key;
		struct mx_group *g;

		if (e->target != LM_WORKLOAD)
			continue;
		key = group_key(e->kind, e->ns, e->name);
		if ((g = ptrmap_get(&m->g_idx, key)) == NULL) {
			g = xcalloc(1, sizeof(*g));
			m->g = xreallocarray(m->g, m->ng + 1, sizeof(*m->g));
			m->g[m->ng++] = g;
			ptrmap_put(&m->g_idx, key, g);
		}
		VEC_PUSH(g->ents, g->nents, g->entcap, i);
		g->shared |= e->shared;
	}
}

int
metrics_init(struct ks_run *r, struct ks_error *err)
{
	struct metrics *m;
	int rc;

	if (r->metrics != NULL)
		return 0;
	m = xcalloc(1, sizeof(*m));
	m->r = r;
	if ((rc = load_model_parse(r->scn, &m->lm, err)) != 0) {
		free(m);
		return rc;
	}
	mx_index(m);
	r->metrics = m;
	return 0;
}

void
metrics_free(struct ks_run *r)
{
	struct metrics *m = r->metrics;

	if (m == NULL)
		return;
	for (size_t i = 0; i < m->ng; i++) {
		struct mx_group *g = m->g[i];

		for (size_t j = 0; j < MX_WINS; j++) {
			free(g->win[j].t);
			free(g->win[j].nready);
		}
		free(g->ents);
		free(g->live);
		free(g->gone);
		free(g);
	}
	free(m->g);
	ptrmap_free(&m->g_idx);
	free(m->by_wl);
	free(m->bp);
	free(m->bp2);
	free(m->ev);
	free(m->moved);
	load_model_free(&m->lm);
	free(m);
	r->metrics = NULL;
}

int64_t
metrics_resolution(struct ks_run *r)
{
	struct metrics *m = mx_get(r);

	return m != NULL ? m->lm.res_ms : LM_RES_DEFAULT;
}

/* ---- evaluation -------------------------------------------------------- */

/* Index of the last point at or before t (relative ms), -1 before the first. */
static ssize_t
chan_seg(const struct lm_chan *c, int64_t t)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->pts[mid].at_ms <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

/* Value at relative time t using the formula of segment i (which holds t). */
static double
chan_at(const struct lm_chan *c, ssize_t i, double t)
{
	const struct lm_point *a, *b;
	double a_at, a_v;

	if ((size_t)(i + 1) < c->n && c->pts[i + 1].linear) {
		b = &c->pts[i + 1];
		if (i < 0) {
			a_at = 0;
			a_v = 0;
		} else {
			a = &c->pts[i];
			a_at = (double)a->at_ms;
			a_v = (double)a->v;
		}
		if ((double)b->at_ms <= a_at)
			return (double)b->v;
		return a_v + ((double)b->v - a_v) * (t - a_at) / ((double)b->at_ms - a_at);
	}
	return i < 0 ? 0 : (double)c->pts[i].v;
}

static int
pod_ready_at(const struct ks_pod *p, int64_t t)
{
	return p->ready_ms >= 0 && p->ready_ms <= t && (p->deleted_ms < 0 || t < p->deleted_ms) &&
	    (p->gone_ms < 0 || t < p->gone_ms);
}

static int
pod_running_at(const struct ks_pod *p, int64_t t)
{
	return p->running_ms >= 0 && p->running_ms <= t &&
	    (p->deleted_ms < 0 || t < p->deleted_ms) && (p->gone_ms < 0 || t < p->gone_ms);
}

/* The group of workload w (resolving workloads created since the last call). */
static struct mx_group *
wl_group(struct metrics *m, const struct ks_workload *w)
{
	const struct ks_cluster *c = &m->r->cluster;

	while (m->nby_wl <= w->id) {
		const struct ks_workload *x = c->wls[m->nby_wl];

		assert(m->nby_wl < c->nwls && x->id == m->nby_wl);
		VEC_PUSH(m->by_wl, m->nby_wl, m->bywlcap,
		    ptrmap_get(&m->g_idx, group_key(x->kind, x->ns, x->name)));
	}
	return m->by_wl[w->id];
}

/* The group of p's workload, or NULL when no entry names it. */
static struct mx_group *
pod_group(struct metrics *m, const struct ks_pod *p)
{
	return p->owner != NULL && m->ng > 0 ? wl_group(m, p->owner) : NULL;
}

/* Hand the pods created since the last call to the groups that split a demand over them. */
static void
mx_scan(struct metrics *m)
{
	const struct ks_cluster *c = &m->r->cluster;

	for (; m->scanned < c->npods; m->scanned++) {
		const struct ks_pod *p = c->pods[m->scanned];
		struct mx_group *g = pod_group(m, p);

		if (g != NULL && g->shared)
			VEC_PUSH(g->live, g->nlive, g->livecap, p->id);
	}
}

static int
cmp_gone(const void *a, const void *b)
{
	const struct mx_gone *x = a, *y = b;

	if (x->at_ms != y->at_ms)
		return x->at_ms < y->at_ms ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * Move the pods that went since the last sweep from live to gone.  They
 * went no earlier than that sweep, so appending them in gone order keeps
 * gone sorted by gone time.
 */
static void
group_sweep(struct metrics *m, struct mx_group *g)
{
	const struct ks_cluster *c = &m->r->cluster;
	size_t k = 0;

	m->nmoved = 0;
	for (size_t i = 0; i < g->nlive; i++) {
		const struct ks_pod *p = c->pods[g->live[i]];

		if (p->gone_ms >= 0) {
			struct mx_gone x = { p->gone_ms, p->id };

			VEC_PUSH(m->moved, m->nmoved, m->movedcap, x);
		} else {
			g->live[k++] = g->live[i];
		}
	}
	g->nlive = k;
	if (m->nmoved > 1)
		qsort(m->moved, m->nmoved, sizeof(*m->moved), cmp_gone);
	assert(g->ngone == 0 || m->nmoved == 0 ||
	    c->pods[g->gone[g->ngone - 1]]->gone_ms <= m->moved[0].at_ms);
	for (size_t i = 0; i < m->nmoved; i++)
		VEC_PUSH(g->gone, g->ngone, g->gonecap, m->moved[i].id);
}

/* The first gone pod of g that went after t (the earlier ones cannot matter after t). */
static size_t
gone_after(const struct ks_cluster *c, const struct mx_group *g, int64_t t)
{
	size_t lo = 0, hi = g->ngone;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->pods[g->gone[mid]]->gone_ms <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int
cmp_ev(const void *a, const void *b)
{
	return cmp_i64(&((const struct mx_ev *)a)->at_ms, &((const struct mx_ev *)b)->at_ms);
}

/* One pod's part of a window: its times inside it, its ready-count changes. */
static void
win_add_pod(struct metrics *m, struct mx_win *w, const struct ks_pod *q, int *n0)
{
	int64_t ts[3] = { q->ready_ms, q->deleted_ms, q->gone_ms }, end = INT64_MAX;

	for (int i = 0; i < 3; i++)
		if (ts[i] > w->a && ts[i] < w->b)
			VEC_PUSH(w->t, w->n, w->cap, ts[i]);
	/* ready on [ready, end): counted at t iff ready <= t < end */
	if (q->deleted_ms >= 0)
		end = q->deleted_ms;
	if (q->gone_ms >= 0 && q->gone_ms < end)
		end = q->gone_ms;
	if (q->ready_ms < 0 || q->ready_ms >= end)
		return;
	*n0 += pod_ready_at(q, w->a);
	if (q->ready_ms > w->a && q->ready_ms <= w->b) {
		struct mx_ev e = { q->ready_ms, 1 };

		VEC_PUSH(m->ev, m->nev, m->evcap, e);
	}
	if (end > w->a && end <= w->b) {
		struct mx_ev e = { end, -1 };

		VEC_PUSH(m->ev, m->nev, m->evcap, e);
	}
}

/*
 * Build w for [a, b] from the pods of g that can matter there: the live
 * ones and those gone after a.  Exact integers: the count at each point is
 * the count at a plus the changes up to that point.
 */
static void
win_build(struct metrics *m, struct mx_group *g, struct mx_win *w, int64_t a, int64_t b)
{
	const struct ks_cluster *c = &m->r->cluster;
	size_t k = 0, n;
	int n0 = 0;

	assert(g->shared);
	mx_scan(m);
	group_sweep(m, g);
	w->valid = 1;
	w->a = a;
	w->b = b;
	w->built_now = c->sim->now_ms;
	w->built_ev = c->sim->executed;
	w->built_npods = c->npods;
	w->n = 0;
	m->nev = 0;
	VEC_PUSH(w->t, w->n, w->cap, a);
	for (size_t i = 0; i < g->nlive; i++)
		win_add_pod(m, w, c->pods[g->live[i]], &n0);
	for (size_t i = gone_after(c, g, a); i < g->ngone; i++)
		win_add_pod(m, w, c->pods[g->gone[i]], &n0);
	qsort(w->t + 1, w->n - 1, sizeof(*w->t), cmp_i64);
	n = 1;
	for (size_t i = 1; i < w->n; i++)
		if (w->t[i] != w->t[n - 1])
			w->t[n++] = w->t[i];
	w->n = n;
	VEC_PUSH(w->t, w->n, w->cap, b);
	w->nready = xreallocarray(w->nready, w->cap, sizeof(*w->nready));
	if (m->nev > 1)
		qsort(m->ev, m->nev, sizeof(*m->ev), cmp_ev);
	for (size_t i = 0; i < w->n; i++) {
		while (k < m->nev && m->ev[k].at_ms <= w->t[i])
			n0 += m->ev[k++].d;
		assert(n0 >= 0);
		w->nready[i] = n0;
	}
}

/*
 * Pod records of times before now never change, so a window that ended
 * before it was built stays true; one that did not holds only within the
 * event that built it, before any pod was created.
 */
static int
win_fresh(const struct metrics *m, const struct mx_win *w)
{
	const struct ks_cluster *c = &m->r->cluster;

	return w->valid && (w->b < w->built_now || (w->built_now == c->sim->now_ms &&
	    w->built_ev == c->sim->executed && w->built_npods == c->npods));
}

/* A window of g that covers [a, b]: a remembered one, else [a, b] built now. */
static const struct mx_win *
group_win(struct metrics *m, struct mx_group *g, int64_t a, int64_t b)
{
	struct mx_win *w = NULL;

	for (size_t i = 0; i < MX_WINS; i++) {
		struct mx_win *x = &g->win[i];

		if (win_fresh(m, x) && x->a <= a && b <= x->b) {
			x->used = ++m->tick;
			return x;
		}
		if (w == NULL || x->used < w->used)
			w = x;
	}
	if (a == b)		/* a single time: build the window a scrape ending there reads */
		a = b - m->lm.res_ms;
	win_build(m, g, w, a, b);
	w->used = ++m->tick;
	return w;
}

/* Ready pods of g at t. */
static int
group_nready(struct metrics *m, struct mx_group *g, int64_t t)
{
	const struct mx_win *w = group_win(m, g, t, t);
	size_t lo = 0, hi = w->n;

	while (lo < hi) {		/* the last point at or before t */
		size_t mid = (lo + hi) / 2;

		if (w->t[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	assert(lo > 0);
	return w->nready[lo - 1];
}

/* The container an entry's cpu and memory go to. */
static size_t
entry_ctr(const struct lm_entry *e, const struct ks_pod *p)
{
	for (size_t i = 0; i < p->spec->nctrs; i++) {
		const struct ks_container *k = &p->spec->ctrs[i];

		if (k->init && !k->sidecar)
			continue;
		if (e->container == NULL || k->name == e->container)
			return i;
	}
	return SIZE_MAX;
}

/*
 * The pod's share of entry e's channel ch on [s, t1] (t1 evaluated with the
 * formula in force at s): *v0 at s, *v1 at t1.  0 when inactive.
 */
static void
entry_share(struct metrics *m, struct mx_group *g, const struct lm_entry *e,
    const struct lm_chan *ch, const struct ks_pod *p, int64_t s, int64_t t1, double *v0,
    double *v1)
{
	ssize_t seg;
	int n = 1;

	*v0 = *v1 = 0;
	if (s < e->from_ms || (e->until_ms >= 0 && s >= e->until_ms))
		return;
	if (e->shared) {
		if (!pod_ready_at(p, s))
			return;
		n = group_nready(m, g, s);
		assert(n > 0);
	} else if (!pod_running_at(p, s))
		return;
	seg = chan_seg(ch, s - e->from_ms);
	*v0 = chan_at(ch, seg, (double)(s - e->from_ms)) / n;
	*v1 = chan_at(ch, seg, (double)(t1 - e->from_ms)) / n;
}

static void
bp_add(struct metrics *m, int64_t a, int64_t b, int64_t t)
{
	if (t > a && t < b)
		VEC_PUSH(m->bp, m->nbp, m->bpcap, t);
}

/* Integral over [0, L] of min(cap, u0 + (u1 - u0) x / L); cap 0 = none. */
static double
capped_integral(double u0, double u1, double cap, double len)
{
	double x;

	if (cap <= 0 || (u0 <= cap && u1 <= cap))
		return (u0 + u1) / 2 * len;
	if (u0 >= cap && u1 >= cap)
		return cap * len;
	x = (cap - u0) / (u1 - u0) * len;	/* where the line crosses the cap */
	if (u0 < cap)
		return (u0 + cap) / 2 * x + cap * (len - x);
	return cap * x + (cap + u1) / 2 * (len - x);
}

/* Does entry e of p's group feed channel chn of container ctr? */
static int
entry_feeds(const struct lm_entry *e, const struct ks_pod *p, size_t ctr, int chn)
{
	return e->ch[chn].n > 0 && entry_ctr(e, p) == ctr;
}

/*
 * The breakpoints of container ctr's channel chn over [a, b] into m->bp,
 * sorted and distinct: a and b, the pod's own transitions, those of the
 * entries feeding it and, when one of them is shared, the transitions of
 * every pod of the workload (from the group's window).  0 when no entry
 * feeds the container.
 */
static int
usage_breakpoints(struct metrics *m, struct mx_group *g, const struct ks_pod *p, size_t ctr,
    int chn, int64_t a, int64_t b)
{
	const struct mx_win *w;
	size_t n, i, j;
	int any = 0, shared = 0;

	m->nbp = 0;
	VEC_PUSH(m->bp, m->nbp, m->bpcap, a);
	VEC_PUSH(m->bp, m->nbp, m->bpcap, b);
	bp_add(m, a, b, p->running_ms);
	bp_add(m, a, b, p->ready_ms);
	bp_add(m, a, b, p->deleted_ms);
	bp_add(m, a, b, p->gone_ms);
	for (size_t k = 0; k < g->nents; k++) {
		const struct lm_entry *e = &m->lm.e[g->ents[k]];
		const struct lm_chan *ch = &e->ch[chn];

		if (!entry_feeds(e, p, ctr, chn))
			continue;
		any = 1;
		shared |= e->shared;
		bp_add(m, a, b, e->from_ms);
		if (e->until_ms >= 0)
			bp_add(m, a, b, e->until_ms);
		for (size_t q = (size_t)(chan_seg(ch, a - e->from_ms) + 1); q < ch->n &&
		    e->from_ms + ch->pts[q].at_ms < b; q++)
			bp_add(m, a, b, e->from_ms + ch->pts[q].at_ms);
	}
	if (!any)
		return 0;
	/* insertion sort: a pod has a handful of its own */
	for (i = 1; i < m->nbp; i++)
		for (j = i; j > 0 && m->bp[j - 1] > m->bp[j]; j--) {
			int64_t t = m->bp[j];

			m->bp[j] = m->bp[j - 1];
			m->bp[j - 1] = t;
		}
	if (!shared) {
		for (n = 1, i = 1; i < m->nbp; i++)
			if (m->bp[i] != m->bp[n - 1])
				m->bp[n++] = m->bp[i];
		m->nbp = n;
		return 1;
	}
	/* merge with the workload's transitions inside (a, b) */
	w = group_win(m, g, a, b);
	if (m->bp2cap < m->nbp + w->n) {
		m->bp2cap = m->nbp + w->n;
		m->bp2 = xreallocarray(m->bp2, m->bp2cap, sizeof(*m->bp2));
	}
	for (n = i = j = 0; i < m->nbp || j < w->n;) {
		int64_t t = j == w->n || (i < m->nbp && m->bp[i] < w->t[j]) ? m->bp[i++] :
		    w->t[j++];

		if (t < a || t > b)
			continue;
		if (n == 0 || t != m->bp2[n - 1])
			m->bp2[n++] = t;
	}
	{
		int64_t *x = m->bp;
		size_t xc = m->bpcap;

		m->bp = m->bp2;
		m->bpcap = m->bp2cap;
		m->bp2 = x;
		m->bp2cap = xc;
	}
	m->nbp = n;
	return 1;
}

/*
 * Integral of container ctr's usage of channel chn (LM_CPU or LM_MEM) over
 * [a, b], in unit-ms, with the container's limit applied.
 */
static double
usage_integral(struct metrics *m, const struct ks_pod *p, size_t ctr, int chn, int64_t a,
    int64_t b)
{
	struct mx_group *g = pod_group(m, p);
	double lim, sum = 0;

	if (g == NULL || !usage_breakpoints(m, g, p, ctr, chn, a, b))
		return 0;
	lim = (double)pod_ctr_lim(p, ctr)->v[chn == LM_CPU ? RES_CPU : RES_MEM];
	for (size_t k = 0; k + 1 < m->nbp; k++) {
		int64_t s = m->bp[k], t1 = m->bp[k + 1];
		double u0 = 0, u1 = 0;

		assert(t1 > s);
		for (size_t i = 0; i < g->nents; i++) {
			const struct lm_entry *e = &m->lm.e[g->ents[i]];
			double v0, v1;

			if (!entry_feeds(e, p, ctr, chn))
				continue;
			entry_share(m, g, e, &e->ch[chn], p, s, t1, &v0, &v1);
			u0 += v0;
			u1 += v1;
		}
		sum += capped_integral(u0, u1, lim, (double)(t1 - s));
	}
	return sum;
}

/* Instantaneous usage of channel chn of container ctr at t, capped. */
static double
usage_at(struct metrics *m, const struct ks_pod *p, size_t ctr, int chn, int64_t t)
{
	struct mx_group *g = pod_group(m, p);
	double u = 0, lim = (double)pod_ctr_lim(p, ctr)->v[chn == LM_CPU ? RES_CPU : RES_MEM];

	for (size_t i = 0; g != NULL && i < g->nents; i++) {
		const struct lm_entry *e = &m->lm.e[g->ents[i]];
		double v0, v1;

		if (!entry_feeds(e, p, ctr, chn))
			continue;
		entry_share(m, g, e, &e->ch[chn], p, t, t, &v0, &v1);
		u += v0;
	}
	return lim > 0 && u > lim ? lim : u;
}

/* Round a non-negative double up to an integer, forgiving float noise. */
static int64_t
ceil_noise(double x)
{
	double r = nearbyint(x);

	if (fabs(x - r) < 1e-6)
		return (int64_t)r;
	return (int64_t)ceil(x);
}

void
metrics_usage(struct ks_run *r, const struct ks_pod *p, size_t ctr, int64_t t_ms,
    int64_t *cpu_m, int64_t *mem_b)
{
	struct metrics *m = mx_get(r);

	assert(p != NULL && cpu_m != NULL && mem_b != NULL);
	*cpu_m = *mem_b = 0;
	if (m == NULL || ctr >= p->spec->nctrs)
		return;
	*cpu_m = ceil_noise(usage_at(m, p, ctr, LM_CPU, t_ms));
	*mem_b = ceil_noise(usage_at(m, p, ctr, LM_MEM, t_ms));
}

/* The latest scrape at or before now; -1 before the first. */
static int64_t
last_scrape(const struct metrics *m, int64_t now)
{
	if (now < m->lm.offset_ms)
		return -1;
	return m->lm.offset_ms + (now - m->lm.offset_ms) / m->lm.res_ms * m->lm.res_ms;
}

int
metrics_server_reports(int version, int64_t res_ms, int64_t start_ms, int64_t prev_ms,
    int64_t ts_ms, int64_t *from_ms)
{
	int64_t age = ts_ms - start_ms;

	*from_ms = -1;
	if (version < MS_VER_FRESH) {
		/* two scrapes saw the container running: prev and ts */
		if (prev_ms < 0 || prev_ms >= ts_ms || start_ms > prev_ms)
			return 0;
		*from_ms = prev_ms;
		return 1;
	}
	/* a fresh container: the counter was 0 at its start */
	if (start_ms < ts_ms && age < res_ms && age >= MS_FRESH_MIN_MS) {
		*from_ms = start_ms;
		return 1;
	}
	/* the previous point is kept only when the container started before it */
	if (prev_ms >= 0 && prev_ms < ts_ms && start_ms < prev_ms) {
		*from_ms = prev_ms;
		return 1;
	}
	return 0;
}

static int
ms_version(const struct metrics *m)
{
	return m != NULL && m->lm.ms_version > 0 ? m->lm.ms_version : MS_VER_DEFAULT;
}

int
metrics_server_version(struct ks_run *r, const char **source)
{
	struct metrics *m = mx_get(r);

	*source = m != NULL && m->lm.ms_version_src != NULL ? m->lm.ms_version_src : "default";
	return ms_version(m);
}

int
metrics_pod(struct ks_run *r, const struct ks_pod *p, size_t ctr, int64_t *cpu_m,
    int64_t *mem_b, int64_t *ts_ms, int64_t *window_ms)
{
	struct metrics *m = mx_get(r);
	const struct ks_container *k;
	int64_t res = m != NULL ? m->lm.res_ms : LM_RES_DEFAULT, off = m != NULL ? m->lm.offset_ms : 0;
	int64_t now = r->sim.now_ms, s, from;
	double mean;

	assert(p != NULL);
	*cpu_m = *mem_b = *ts_ms = *window_ms = 0;
	if (ctr >= p->spec->nctrs)
		return KS_ENOENT;
	k = &p->spec->ctrs[ctr];
	if (k->init && !k->sidecar)
		return KS_ENOENT;
	s = now < off ? -1 : off + (now - off) / res * res;
	if (s < 0 || p->running_ms < 0 || (p->gone_ms >= 0 && p->gone_ms <= s) ||
	    !metrics_server_reports(ms_version(m), res, p->running_ms, s - res >= off ? s - res : -1,
	    s, &from))
		return KS_ENOENT;
	*ts_ms = s;
	*window_ms = s - from;
	if (m == NULL)
		return 0;
	/* metrics-server's nanocores, read back with MilliValue() (rounds up) */
	mean = usage_integral(m, p, ctr, LM_CPU, from, s) / (double)(s - from);
	*cpu_m = ceil_noise(mean);
	*mem_b = ceil_noise(usage_at(m, p, ctr, LM_MEM, s));
	return 0;
}

int
metrics_pod_custom(struct ks_run *r, const struct ks_pod *p, const char *name,
    int64_t *value_m, int64_t *ts_ms, int64_t *window_ms)
{
	struct metrics *m = mx_get(r);
	const char *in = intern(name);
	struct mx_group *g;
	int64_t s;
	double v = 0;
	int any = 0;

	*value_m = *ts_ms = *window_ms = 0;
	if (m == NULL)
		return KS_ENOENT;
	s = last_scrape(m, r->sim.now_ms);
	if (s < 0 || !pod_running_at(p, s))
		return KS_ENOENT;
	g = pod_group(m, p);
	for (size_t i = 0; g != NULL && i < g->nents; i++) {
		const struct lm_entry *e = &m->lm.e[g->ents[i]];

		for (size_t j = LM_FIXED; j < e->nch; j++) {
			double v0, v1;

			if (e->ch[j].name != in)
				continue;
			any = 1;
			entry_share(m, g, e, &e->ch[j], p, s, s, &v0, &v1);
			v += v0;
		}
	}
	if (!any)
		return KS_ENOENT;
	*value_m = ceil_noise(v);
	*ts_ms = s;
	*window_ms = m->lm.res_ms;
	return 0;
}

static int
metric_value(struct ks_run *r, enum lm_target tg, const char *ns, const char *kind,
    const char *name, const char *metric, int64_t *value_m)
{
	struct metrics *m = mx_get(r);
	int64_t now = r->sim.now_ms;
	double v = 0;
	int any = 0;

	*value_m = 0;
	if (m == NULL)
		return KS_ENOENT;
	ns = intern(ns);
	metric = intern(metric);
	if (tg == LM_OBJECT) {
		kind = intern(kind);
		name = intern(name);
	}
	for (size_t i = 0; i < m->lm.n; i++) {
		const struct lm_entry *e = &m->lm.e[i];
		const struct lm_chan *ch = &e->ch[LM_CPU];

		if (e->target != tg || e->ns != ns || e->metric != metric)
			continue;
		if (tg == LM_OBJECT && (e->obj_kind != kind || e->name != name))
			continue;
		any = 1;
		if (now < e->from_ms || (e->until_ms >= 0 && now >= e->until_ms))
			continue;
		v += chan_at(ch, chan_seg(ch, now - e->from_ms), (double)(now - e->from_ms));
	}
	if (!any)
		return KS_ENOENT;
	*value_m = ceil_noise(v);
	return 0;
}

int
metrics_object(struct ks_run *r, const char *ns, const char *kind, const char *name,
    const char *metric, int64_t *value_m)
{
	return metric_value(r, LM_OBJECT, ns, kind, name, metric, value_m);
}

int
metrics_external(struct ks_run *r, const char *ns, const char *metric, int64_t *value_m)
{
	return metric_value(r, LM_EXTERNAL, ns, NULL, NULL, metric, value_m);
}
