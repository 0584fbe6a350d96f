/*
 * vpa.c: the Vertical Pod Autoscaler controller: recommender, updater and
 * admission controller (kubernetes/autoscaler vertical-pod-autoscaler,
 * pkg/recommender, pkg/updater, pkg/admission-controller; reference
 * shared/reference/hpa-vpa.md Part B, worked example §C1).
 *
 * What it models.  Every VerticalPodAutoscaler document (autoscaling.k8s.io
 * /v1) of the scenario becomes a `struct vpa_obj`.  Three parts act on it,
 * each through the cluster's public operations only:
 *
 * - The recommender (routines/recommender.go) runs every minute, the first
 *   time one minute after the start (a Go ticker).  Each loop it reads one
 *   metrics-server sample per container of every Running pod a VPA selects
 *   (metrics_pod(); Pending pods are not in its model) and feeds it to the
 *   container's state, which feeds the aggregate keyed by (namespace,
 *   container name, pod labels) (model/cluster.go), so a replacement pod
 *   continues its predecessor's history.  The load model caps memory at
 *   the limit, so a container whose true use (metrics_usage()) reaches its
 *   memory limit is taken as OOM-killed: a timeline row "OOMKilled" (once
 *   per pod) and the kill recorded as upstream's OOM observer would
 *   (memory = the request; input/oom/observer.go).  The model does not
 *   restart the container.  Then
 *   per VPA: the matching aggregates are merged by container name, `mode:
 *   Off` containers dropped, and vpa_calc.c's estimator and capping give
 *   target, lowerBound, upperBound and uncappedTarget.  A change of target
 *   is a timeline row "VPARecommendation"; the report's samples[] keep
 *   the status over time (see vpa_sample_due()).
 * - The updater (updater/logic/updater.go) runs every minute after the
 *   recommender of the same minute (both processes start at 0; ksim orders
 *   the recommender first so a recommendation made at 1:00 can act at 1:00).
 *   VPAs in Recreate, Auto or InPlaceOrRecreate mode: scheduled, not
 *   terminating pods of the target are grouped by their controller; a group
 *   with fewer live pods than minReplicas (2) is skipped; the priority
 *   calculator says which pods want an update (outside the bounds, quick
 *   OOM, or bound 12 h ago with a 10 % difference), evictionRequirements filter
 *   them, and they are evicted in priority order while the eviction
 *   tolerance (50 %) and PodDisruptionBudgets allow.  ksim has no in-place
 *   resize, so InPlaceOrRecreate takes upstream's fallback: eviction.
 * - The admission controller (admission-controller/resource/pod) is a
 *   pod_created hook: a pod created while a VPA that is not Off controls it
 *   and has a recommendation gets the capped target as requests, and with
 *   RequestsAndLimits limits scaled in proportion.
 *
 * Which VPA controls a pod: the pod's controller must be the targetRef and
 * its labels must match the target's selector; the earliest-created VPA
 * wins, a tie goes to the smaller name (utils/vpa/api.go).
 *
 * Version: quantities print as VPA 1.4.x does (CPU 587m, memory DecimalSI
 * 262144k) unless the annotation ksim.io/vpa-version on a VPA names
 * another release ("1.5" prints 250Mi; "1.3" weights CPU samples by the
 * request).  The version is per run, as it is per cluster.
 *
 * HPA and VPA on the same resource of the same workload fight: the VPA
 * sizes requests to usage, the HPA scales on usage relative to those
 * requests.  init() finds such pairs in the documents and warns.
 *
 * The document is parsed by vpa_parse.c into a struct vpa_obj
 * (vpa_obj.h); this file is the controller.
 *
 * Alternatives rejected: per-VPA aggregates (upstream shares aggregates
 * between VPAs selecting the same pods, and the replacement pod must find
 * its predecessor's history); reading the load model directly (the VPA sees
 * what metrics-server reports, with its windows and delays).
 *
 * Costs: per loop O(live pods x VPAs) selector checks (the pods not gone,
 * kept in id order: not every pod ever created), O(selected pods x
 * containers) samples plus O(VPAs x aggregates) merges of 2 x 176 buckets;
 * admission is O(VPAs) per pod created.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ctl.h"
#include "autoscale/vpa_calc.h"
#include "autoscale/vpa_obj.h"
#include "run/metrics.h"
#include "cluster/quantity.h"
#include "explain/explain.h"
#include "io/load.h"
#include "io/load_model.h"
#include "run/run.h"
#include "util/intern.h"
#include "util/ptrmap.h"
#include "util/xmalloc.h"

#define VPA_LOOP_MS	INT64_C(60000)	/* --recommender-interval, --updater-interval */
#define VPA_EVICT_MSG	"Pod was evicted by VPA Updater to apply resource recommendation."


/* The VPAs whose target's selector matches a pod template's labels. */
struct vpa_selrow {
	size_t			 off, n;	/* its VPA indexes in vpa_state.rowv */
};

/* An aggregate container state and its key. */
struct vpa_aggent {
	const char		*ns;		/* interned */
	const char		*ctr;		/* interned container name */
	struct ks_labels	 labels;	/* the pod labels (own copy) */
	struct vpa_agg		 agg;		/* the history */
};

/* Recommender state of one pod: a ContainerState per container. */
struct vpa_podstate {
	struct vpa_container	*ctrs;		/* per spec container (init ones unused) */
	size_t			 nctrs;
	int64_t			 oom_ms;	/* last OOM kill seen, -1 = none */
	int			 oom_quick;	/* that OOM came < 10 min after start */
};

struct vpa_state {
	struct ks_run		*r;		/* borrowed */
	struct vpa_config	 cfg;		/* the VPA release simulated */
	const char		*ver_src;	/* where the release came from: "default", ... */
	struct vpa_obj		*vpas;		/* in document order */
	size_t			 nvpas;
	struct vpa_aggent	**aggs;		/* stable addresses: containers borrow them */
	size_t			 naggs, aggcap;
	struct vpa_podstate	**ps;		/* by pod id, NULL when not tracked */
	size_t			 nps;
	struct ks_workload	**tw;		/* per VPA: its target when last found, or NULL */
	size_t			 ntw;		/* entries of tw */
	uint32_t		*alive;		/* ids of the pods not gone, ascending */
	size_t			 nalive, alivecap; /* used, allocated */
	size_t			 scanned;	/* cluster pods looked at for alive */
	const struct ks_selector **tsel; /* per VPA, this loop: its target's selector or NULL */
	struct ptrmap		 row_idx;	/* this loop: pod template -> 1 + its row */
	struct vpa_selrow	*rows;		/* this loop: VPAs selecting each template */
	size_t			 nrows, rowcap;	/* used, allocated */
	uint32_t		*rowv;		/* the rows' VPA indexes, concatenated */
	size_t			 nrowv, rowvcap; /* used, allocated */
};

/* ---- HPA x VPA ---------------------------------------------------------- */

/* The resources (VPA_RES_BIT) an HPA document scales on, for target kind/name. */
static unsigned
vpa_hpa_resources(const struct ks_doc *d, const char **tkind, const char **tname)
{
	const struct yt_node *spec = yt_map_get(d->root, "spec"), *ref, *ms, *n;
	unsigned res = 0;

	*tkind = *tname = NULL;
	if (spec == NULL || (ref = yt_map_get(spec, "scaleTargetRef")) == NULL)
		return 0;
	if ((n = yt_map_get(ref, "kind")) != NULL)
		*tkind = n->str;
	if ((n = yt_map_get(ref, "name")) != NULL)
		*tname = n->str;
	if (strcmp(d->api_version, "autoscaling/v1") == 0)
		return VPA_RES_BIT(VPA_CPU);	/* targetCPUUtilizationPercentage, default 80 */
	ms = yt_map_get(spec, "metrics");
	if (ms == NULL || yt_is_null(ms) || ms->kind != YT_SEQ)
		return VPA_RES_BIT(VPA_CPU);	/* no metrics: 80 % CPU */
	for (size_t i = 0; i < ms->nitems; i++) {
		const struct yt_node *m = ms->items[i], *rs, *nm;

		rs = yt_map_get(m, "resource");
		if (rs == NULL)
			rs = yt_map_get(m, "containerResource");
		if (rs == NULL || (nm = yt_map_get(rs, "name")) == NULL || nm->str == NULL)
			continue;
		if (strcmp(nm->str, "cpu") == 0)
			res |= VPA_RES_BIT(VPA_CPU);
		else if (strcmp(nm->str, "memory") == 0)
			res |= VPA_RES_BIT(VPA_MEM);
	}
	return res;
}

/* Resources a VPA changes on some container (not Off, some policy controls them). */
static unsigned
vpa_controlled(const struct vpa_obj *v)
{
	unsigned res = 0;
	int has_default = 0;

	if (v->mode == VPA_MODE_OFF)
		return 0;
	for (size_t i = 0; i < v->npols; i++) {
		if (v->pols[i].pol.mode != VPA_CMODE_OFF)
			res |= v->pols[i].pol.controlled;
		if (strcmp(v->pols[i].ctr, "*") == 0)
			has_default = 1;
	}
	if (!has_default)
		res |= VPA_RES_ALL;	/* containers without a policy: cpu and memory */
	return res;
}

static void
vpa_check_fights(struct vpa_state *st, struct vpa_obj *v)
{
	const struct ks_scenario *s = st->r->scn;

	for (size_t i = 0; i < s->ndocs; i++) {
		const struct ks_doc *d = s->docs[i];
		const char *tk, *tn;
		unsigned both;
		char msg[512];

		if (strcmp(d->kind, "HorizontalPodAutoscaler") != 0 || d->ns != v->ns)
			continue;
		both = vpa_hpa_resources(d, &tk, &tn) & vpa_controlled(v);
		if (both == 0 || tk == NULL || tn == NULL ||
		    strcmp(tk, wl_kind_name[v->tkind]) != 0 || strcmp(tn, v->tname) != 0)
			continue;
		snprintf(msg, sizeof(msg), "HorizontalPodAutoscaler %s and VerticalPodAutoscaler %s "
		    "both act on the %s of %s %s/%s: they will fight (the VPA resizes requests to "
		    "usage, the HPA scales on usage relative to those requests); "
		    "let the HPA use another metric or the VPA control other resources",
		    d->name, v->name,
		    both == VPA_RES_ALL ? "cpu and memory" : both & VPA_RES_BIT(VPA_CPU) ? "cpu" :
		    "memory", wl_kind_name[v->tkind], v->ns, v->tname);
		ks_warn(&v->mark, "%s", msg);
		v->warnings = xreallocarray(v->warnings, v->nwarnings + 1, sizeof(char *));
		v->warnings[v->nwarnings++] = xstrdup(msg);
	}
}

/* ---- model -------------------------------------------------------------- */

static int
vpa_active(const struct vpa_state *st, const struct vpa_obj *v)
{
	return v->created_ms <= st->r->sim.now_ms;
}

/*
 * The target workload, or NULL.  The one found last stays the target until
 * it is deleted: the cluster declares another of the same name only then.
 */
static struct ks_workload *
vpa_target(struct vpa_state *st, const struct vpa_obj *v)
{
	size_t i = (size_t)(v - st->vpas);
	struct ks_workload *w;

	assert(i < st->nvpas);
	if (i >= st->ntw) {
		st->tw = xreallocarray(st->tw, st->nvpas, sizeof(*st->tw));
		memset(st->tw + st->ntw, 0, (st->nvpas - st->ntw) * sizeof(*st->tw));
		st->ntw = st->nvpas;
	}
	if ((w = st->tw[i]) == NULL || w->deleted)
		w = st->tw[i] = cluster_workload_find(&st->r->cluster, v->tkind, v->ns,
		    v->tname);
	return w != NULL && !w->deleted ? w : NULL;
}

/*
 * Bring st->alive up to date: drop the pods that went, append the ones
 * created since.  Ascending ids, as the cluster's own array, so loops over
 * it visit pods in the same order as over every pod ever created.
 */
static void
vpa_alive_update(struct vpa_state *st)
{
	struct ks_cluster *c = &st->r->cluster;
	size_t k = 0;

	for (size_t i = 0; i < st->nalive; i++)
		if (pod_alive(c->pods[st->alive[i]]))
			st->alive[k++] = st->alive[i];
	st->nalive = k;
	for (; st->scanned < c->npods; st->scanned++)
		if (pod_alive(c->pods[st->scanned]))
			VEC_PUSH(st->alive, st->nalive, st->alivecap, (uint32_t)st->scanned);
}

/* Start a recommender loop: the pods alive now and each VPA's target now. */
static void
vpa_loop_begin(struct vpa_state *st)
{
	vpa_alive_update(st);
	if (st->tsel == NULL)
		st->tsel = xcalloc(st->nvpas ? st->nvpas : 1, sizeof(*st->tsel));
	for (size_t j = 0; j < st->nvpas; j++) {
		const struct vpa_obj *v = &st->vpas[j];
		const struct ks_workload *w = vpa_active(st, v) ? vpa_target(st, v) : NULL;

		st->tsel[j] = w != NULL ? &w->selector : NULL;
	}
	ptrmap_free(&st->row_idx);
	st->nrows = st->nrowv = 0;
}

/*
 * The VPAs whose target's selector matches p's template in this loop, in
 * document order: vpa_selects() is one of these in p's namespace.  Worked
 * out once per template (the pods of a workload share theirs); valid until
 * the next loop begins.
 */
static const uint32_t *
vpa_selecting(struct vpa_state *st, const struct ks_pod *p, size_t *n)
{
	uintptr_t ix = (uintptr_t)ptrmap_get(&st->row_idx, p->spec);
	const struct vpa_selrow *row;

	if (ix == 0) {
		struct vpa_selrow nr = { st->nrowv, 0 };

		for (size_t j = 0; j < st->nvpas; j++)
			if (st->tsel[j] != NULL && selector_matches(st->tsel[j], &p->spec->labels)) {
				VEC_PUSH(st->rowv, st->nrowv, st->rowvcap, (uint32_t)j);
				nr.n++;
			}
		VEC_PUSH(st->rows, st->nrows, st->rowcap, nr);
		ix = st->nrows;
		ptrmap_put(&st->row_idx, p->spec, (void *)ix);
	}
	row = &st->rows[ix - 1];
	*n = row->n;
	/* no VPA selects it: rowv may still be NULL, and NULL + 0 is undefined */
	if (row->n == 0)
		return NULL;
	assert(row->off + row->n <= st->nrowv);
	return st->rowv + row->off;
}

/* Does v select pod p by labels (the recommender's view)? */
static int
vpa_selects(struct vpa_state *st, const struct vpa_obj *v, const struct ks_pod *p)
{
	struct ks_workload *w;

	if (!vpa_active(st, v) || p->ns != v->ns || (w = vpa_target(st, v)) == NULL)
		return 0;
	return selector_matches(&w->selector, &p->spec->labels);
}

/* The VPA controlling pod p (owner == targetRef, labels match), or NULL. */
static struct vpa_obj *
vpa_for_pod(struct vpa_state *st, const struct ks_pod *p)
{
	struct vpa_obj *best = NULL;

	if (p->owner == NULL)
		return NULL;
	for (size_t i = 0; i < st->nvpas; i++) {
		struct vpa_obj *v = &st->vpas[i];

		if (p->owner->kind != v->tkind || p->owner->name != v->tname ||
		    !vpa_selects(st, v, p))
			continue;
		if (best == NULL || v->created_ms < best->created_ms ||
		    (v->created_ms == best->created_ms && strcmp(v->name, best->name) < 0))
			best = v;
	}
	return best;
}

static const struct vpa_cpolicy *
vpa_policy(const struct vpa_obj *v, const char *ctr)
{
	const struct vpa_cpolicy *def = NULL;

	for (size_t i = 0; i < v->npols; i++) {
		if (v->pols[i].ctr == ctr)
			return &v->pols[i].pol;
		if (strcmp(v->pols[i].ctr, "*") == 0)
			def = &v->pols[i].pol;
	}
	return def;
}

static const struct vpa_crec *
vpa_rec_for(const struct vpa_obj *v, const char *ctr)
{
	for (size_t i = 0; i < v->nrecs; i++)
		if (v->recs[i].ctr == ctr)
			return &v->recs[i];
	return NULL;
}

static int
labels_equal(const struct ks_labels *a, const struct ks_labels *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].key != b->v[i].key || a->v[i].val != b->v[i].val)
			return 0;
	return 1;
}

static struct vpa_agg *
vpa_agg_get(struct vpa_state *st, const char *ns, const char *ctr, const struct ks_labels *l)
{
	struct vpa_aggent *e;

	for (size_t i = 0; i < st->naggs; i++) {
		e = st->aggs[i];
		if (e->ns == ns && e->ctr == ctr && labels_equal(&e->labels, l))
			return &e->agg;
	}
	e = xcalloc(1, sizeof(*e));
	e->ns = ns;
	e->ctr = ctr;
	labels_copy(&e->labels, l);
	vpa_agg_init(&e->agg, &st->cfg);
	VEC_PUSH(st->aggs, st->naggs, st->aggcap, e);
	return &e->agg;
}

static struct vpa_podstate *
vpa_podstate(struct vpa_state *st, const struct ks_pod *p)
{
	struct vpa_podstate *ps;

	if (p->id >= st->nps) {
		size_t n = st->nps ? st->nps : 16;

		while (n <= p->id)
			n *= 2;
		st->ps = xreallocarray(st->ps, n, sizeof(*st->ps));
		memset(st->ps + st->nps, 0, (n - st->nps) * sizeof(*st->ps));
		st->nps = n;
	}
	if ((ps = st->ps[p->id]) != NULL)
		return ps;
	ps = xcalloc(1, sizeof(*ps));
	ps->nctrs = p->spec->nctrs;
	ps->ctrs = xcalloc(ps->nctrs ? ps->nctrs : 1, sizeof(*ps->ctrs));
	ps->oom_ms = -1;
	for (size_t i = 0; i < ps->nctrs; i++)
		if (!p->spec->ctrs[i].init)
			vpa_container_init(&ps->ctrs[i], vpa_agg_get(st, p->ns,
			    p->spec->ctrs[i].name, &p->spec->labels));
	st->ps[p->id] = ps;
	return ps;
}

static void
vpa_podstate_free(struct vpa_podstate *ps)
{
	if (ps == NULL)
		return;
	free(ps->ctrs);
	free(ps);
}

/* ---- printing ----------------------------------------------------------- */

static char *
vpa_fmt(const struct vpa_state *st, int r, int64_t v, char *buf, size_t n)
{
	if (r == VPA_CPU)
		return vpa_format_cpu(v, buf, n);
	return vpa_format_mem(v, st->cfg.mem_binary_si, buf, n);
}

/* "587m/262144k", "-" for an absent resource */
static char *
vpa_fmt_pair(const struct vpa_state *st, const struct vpa_resources *x, char *buf, size_t n)
{
	char a[VPA_QTY_BUFSZ] = "-", b[VPA_QTY_BUFSZ] = "-";

	if (x->has & VPA_RES_BIT(VPA_CPU))
		vpa_fmt(st, VPA_CPU, x->v[VPA_CPU], a, sizeof(a));
	if (x->has & VPA_RES_BIT(VPA_MEM))
		vpa_fmt(st, VPA_MEM, x->v[VPA_MEM], b, sizeof(b));
	snprintf(buf, n, "%s/%s", a, b);
	return buf;
}

/* ---- recommender -------------------------------------------------------- */

static int
vpa_res_equal(const struct vpa_resources *a, const struct vpa_resources *b)
{
	return a->has == b->has && a->v[0] == b->v[0] && a->v[1] == b->v[1];
}

static void
vpa_feed(struct vpa_state *st)
{
	struct ks_run *r = st->r;
	struct ks_cluster *c = &r->cluster;
	int64_t now = r->sim.now_ms;

	for (size_t j = 0; j < st->nvpas; j++)
		st->vpas[j].loop_count = 0;
	for (size_t i = 0; i < st->nalive; i++) {
		const struct ks_pod *p = c->pods[st->alive[i]];
		struct vpa_podstate *ps;
		const uint32_t *sel;
		size_t nsel;
		int selected = 0;

		sel = vpa_selecting(st, p, &nsel);
		for (size_t j = 0; j < nsel; j++)
			if (st->vpas[sel[j]].ns == p->ns) {
				st->vpas[sel[j]].loop_count++;
				selected = 1;
			}
		if (p->phase != POD_RUNNING && p->phase != POD_TERMINATING)
			continue;
		if (!selected)
			continue;
		ps = vpa_podstate(st, p);
		for (size_t k = 0; k < p->spec->nctrs; k++) {
			const struct ks_container *ct = &p->spec->ctrs[k];
			int64_t cpu, mem, ts, win, ucpu, umem, lim;

			if (ct->init)
				continue;
			if (metrics_pod(r, p, k, &cpu, &mem, &ts, &win) == 0) {
				vpa_container_add_cpu(&ps->ctrs[k], &st->cfg, ts, cpu,
				    pod_ctr_req(p, k)->v[RES_CPU]);
				vpa_container_add_mem(&ps->ctrs[k], &st->cfg, ts, mem);
			}
			/* OOM: true use past the memory limit (drained after the samples) */
			lim = pod_ctr_lim(p, k)->v[RES_MEM];
			if (lim <= 0)
				continue;
			metrics_usage(r, p, k, now, &ucpu, &umem);
			if (umem < lim)
				continue;
			if (ps->oom_ms < 0) {
				char ref[600];

				cluster_event(c, "OOMKilled", pod_ref(p, ref, sizeof(ref)),
				    "Container %s was OOM-killed: its memory use reached its limit "
				    "%" PRId64, ct->name, lim);
			}
			ps->oom_ms = now;
			ps->oom_quick = vpa_quick_oom(&st->cfg, p->running_ms, now);
			vpa_container_record_oom(&ps->ctrs[k], &st->cfg, now,
			    pod_ctr_req(p, k)->v[RES_MEM]);
		}
	}
}

static int
vpa_crec_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vpa_crec *)a)->ctr, ((const struct vpa_crec *)b)->ctr);
}

/*
 * samples[] thins out with time so that a day-long run stays readable:
 * every loop for the first 15 minutes, every 15 minutes up to 6 hours, then
 * hourly; and every loop whose target changed.
 */
static int
vpa_sample_due(int64_t now)
{
	int64_t every = now <= 15 * VPA_LOOP_MS ? VPA_LOOP_MS :
	    now <= 6 * 60 * VPA_LOOP_MS ? 15 * VPA_LOOP_MS : 60 * VPA_LOOP_MS;

	return now % every == 0;
}

static void
vpa_recommend(struct vpa_state *st, struct vpa_obj *v)
{
	struct ks_cluster *c = &st->r->cluster;
	struct ks_workload *w = vpa_target(st, v);
	struct vpa_crec *recs = NULL;
	struct vpa_agg *merged = NULL;
	size_t n = 0, cap = 0;
	int changed;

	v->pod_count = v->loop_count;
	/* merge the aggregates v selects by container name (model/vpa.go) */
	for (size_t i = 0; w != NULL && i < st->naggs; i++) {
		struct vpa_aggent *e = st->aggs[i];
		const struct vpa_cpolicy *pol;
		size_t j;

		if (e->ns != v->ns || !selector_matches(&w->selector, &e->labels))
			continue;
		pol = vpa_policy(v, e->ctr);
		if (pol != NULL && pol->mode == VPA_CMODE_OFF)
			continue;
		for (j = 0; j < n; j++)
			if (recs[j].ctr == e->ctr)
				break;
		if (j == n) {
			if (n == cap) {
				cap = cap ? 2 * cap : 4;
				recs = xreallocarray(recs, cap, sizeof(*recs));
				merged = xreallocarray(merged, cap, sizeof(*merged));
			}
			recs[n].ctr = e->ctr;
			vpa_agg_init(&merged[n], &st->cfg);
			n++;
		}
		vpa_agg_merge(&merged[j], &e->agg);
	}
	for (size_t j = 0; j < n; j++) {
		const struct vpa_cpolicy *pol = vpa_policy(v, recs[j].ctr);

		vpa_estimate(&st->cfg, &merged[j], n, pol ? pol->controlled : VPA_RES_ALL,
		    &recs[j].rec);
		vpa_rec_cap(&recs[j].rec, pol, NULL, NULL);
	}
	free(merged);
	if (n > 1)
		qsort(recs, n, sizeof(*recs), vpa_crec_cmp);
	/* timeline: one row per container whose target changed */
	changed = n != v->nrecs;
	for (size_t j = 0; j < n; j++) {
		const struct vpa_crec *old = vpa_rec_for(v, recs[j].ctr);
		char ref[600], t[64], lo[64], up[64];

		xp_vpa_rec(st->r->xp, v->ns, v->name, recs[j].ctr, &recs[j].rec);
		if (old != NULL && vpa_res_equal(&old->rec.target, &recs[j].rec.target))
			continue;
		changed = 1;
		snprintf(ref, sizeof(ref), "vpa/%s/%s", v->ns, v->name);
		cluster_event(c, "VPARecommendation", ref,
		    "container %s: target %s (lower bound %s, upper bound %s)", recs[j].ctr,
		    vpa_fmt_pair(st, &recs[j].rec.target, t, sizeof(t)),
		    vpa_fmt_pair(st, &recs[j].rec.lower, lo, sizeof(lo)),
		    vpa_fmt_pair(st, &recs[j].rec.upper, up, sizeof(up)));
	}
	if (n > 0 && v->provided_ms < 0)
		v->provided_ms = st->r->sim.now_ms;
	free(v->recs);
	v->recs = recs;
	v->nrecs = n;
	if (!changed && !vpa_sample_due(st->r->sim.now_ms))
		return;
	/* the report's samples */
	VEC_GROW(v->samples, v->nsamples, v->samplecap);
	v->samples[v->nsamples].at_ms = st->r->sim.now_ms;
	v->samples[v->nsamples].nrecs = n;
	v->samples[v->nsamples].recs = NULL;
	if (n > 0) {
		v->samples[v->nsamples].recs = xreallocarray(NULL, n, sizeof(*recs));
		memcpy(v->samples[v->nsamples].recs, recs, n * sizeof(*recs));
	}
	v->nsamples++;
}

static int64_t
vpa_recommender_loop(struct sim *sim, void *arg)
{
	struct vpa_state *st = arg;

	(void)sim;
	vpa_loop_begin(st);
	vpa_feed(st);
	for (size_t i = 0; i < st->nvpas; i++)
		if (vpa_active(st, &st->vpas[i]))
			vpa_recommend(st, &st->vpas[i]);
	return VPA_LOOP_MS;
}

/* ---- updater ------------------------------------------------------------ */

/* The recommendation for pod p's container k, capped for the pod (B8.6, B9.2). */
static int
vpa_pod_rec(const struct vpa_obj *v, const struct ks_pod *p, size_t k, struct vpa_rec *out)
{
	const struct ks_container *ct = &p->spec->ctrs[k];
	const struct vpa_crec *cr = vpa_rec_for(v, ct->name);
	const struct vpa_cpolicy *pol = vpa_policy(v, ct->name);
	struct vpa_resources lim;

	if (ct->init || cr == NULL || (pol != NULL && pol->mode == VPA_CMODE_OFF))
		return 0;
	*out = cr->rec;
	lim.has = VPA_RES_ALL;
	lim.v[VPA_CPU] = pod_ctr_lim(p, k)->v[RES_CPU];
	lim.v[VPA_MEM] = pod_ctr_lim(p, k)->v[RES_MEM];
	vpa_rec_cap(out, pol, NULL, pol != NULL && pol->values == VPA_REQUESTS_ONLY ? &lim : NULL);
	return 1;
}

static void
vpa_req_of(const struct ks_pod *p, size_t k, struct vpa_resources *out)
{
	const struct ks_res *q = pod_ctr_req(p, k);

	unsigned set = p->spec->ctrs[k].req_set;

	/* a request written as "0" is a request (the updater tests presence) */
	out->has = 0;
	out->v[VPA_CPU] = q->v[RES_CPU];
	out->v[VPA_MEM] = q->v[RES_MEM];
	if (q->v[RES_CPU] > 0 || (set & (1u << RES_CPU)))
		out->has |= VPA_RES_BIT(VPA_CPU);
	if (q->v[RES_MEM] > 0 || (set & (1u << RES_MEM)))
		out->has |= VPA_RES_BIT(VPA_MEM);
}

/*
 * updatePolicy.evictionRequirements (scalingDirectionPodEvictionAdmission):
 * the pod is admitted when one container with a recommendation lacks a cpu
 * or a memory request, or meets every requirement by itself (a requirement
 * holds when one of its resources compares as asked; a resource the target
 * leaves out counts as 0, as upstream's empty Quantity does).
 */
static int
vpa_evreqs_hold(const struct vpa_obj *v, const struct ks_pod *p)
{
	if (v->nevreqs == 0)
		return 1;
	for (size_t k = 0; k < p->spec->nctrs; k++) {
		struct vpa_rec rec;
		struct vpa_resources req;
		size_t i;

		if (p->spec->ctrs[k].init || !vpa_pod_rec(v, p, k, &rec))
			continue;
		vpa_req_of(p, k, &req);
		if ((req.has & VPA_RES_ALL) != VPA_RES_ALL)
			return 1;	/* no cpu or no memory request: admitted */
		for (i = 0; i < v->nevreqs; i++) {
			int holds = 0;

			for (int r = 0; r < VPA_NRES && !holds; r++) {
				int64_t t = (rec.target.has & VPA_RES_BIT(r)) ? rec.target.v[r] : 0;

				if (!(v->evreqs[i].res & VPA_RES_BIT(r)))
					continue;
				holds = v->evreqs[i].higher ? t > req.v[r] : t < req.v[r];
			}
			if (!holds)
				break;
		}
		if (i == v->nevreqs)
			return 1;
	}
	return 0;
}

static void
vpa_update(struct vpa_state *st, struct vpa_obj *v)
{
	struct ks_cluster *c = &st->r->cluster;
	struct ks_workload *w = vpa_target(st, v);
	struct ks_pod **pods = NULL;
	struct vpa_priority *pr = NULL;
	size_t *order = NULL, npods = 0, ncand = 0;
	struct ks_pod **cand = NULL;
	struct vpa_group g;
	int live = 0, pending = 0, configured;
	int64_t now = st->r->sim.now_ms;

	if (w == NULL || v->nrecs == 0)
		return;
	/* scheduled, not terminating pods this VPA controls */
	pods = xcalloc(w->npods ? w->npods : 1, sizeof(*pods));
	for (size_t i = 0; i < w->npods; i++) {
		struct ks_pod *p = c->pods[w->pods[i]];

		if (p->node < 0 || (p->phase != POD_BOUND && p->phase != POD_RUNNING) ||
		    vpa_for_pod(st, p) != v)
			continue;
		pods[npods++] = p;
		live++;
		if (p->phase == POD_BOUND)
			pending++;
	}
	/* pods are in w->pods order, which moves on removal: sort by id */
	for (size_t i = 1; i < npods; i++)
		for (size_t j = i; j > 0 && pods[j - 1]->id > pods[j]->id; j--) {
			struct ks_pod *t = pods[j];

			pods[j] = pods[j - 1];
			pods[j - 1] = t;
		}
	switch (w->kind) {
	case WL_DAEMONSET:
		configured = 0;
		for (size_t i = 0; i < w->npods; i++)
			configured += c->pods[w->pods[i]]->ready;
		break;
	case WL_JOB:
		configured = live;
		break;
	default:
		configured = w->replicas;
		break;
	}
	if (!vpa_group_init(&g, &st->cfg, v->min_replicas > 0 ? v->min_replicas :
	    st->cfg.min_replicas, configured, live, pending))
		goto cleanup;
	pr = xcalloc(npods ? npods : 1, sizeof(*pr));
	cand = xcalloc(npods ? npods : 1, sizeof(*cand));
	order = xcalloc(npods ? npods : 1, sizeof(*order));
	for (size_t i = 0; i < npods; i++) {
		struct ks_pod *p = pods[i];
		struct vpa_upd_container *uc = xcalloc(p->spec->nctrs ? p->spec->nctrs : 1,
		    sizeof(*uc));
		struct vpa_rec *recs = xcalloc(p->spec->nctrs ? p->spec->nctrs : 1, sizeof(*recs));
		struct vpa_podstate *ps = p->id < st->nps ? st->ps[p->id] : NULL;
		size_t nu = 0;
		int quick = ps != NULL && ps->oom_ms >= 0 && ps->oom_quick;

		for (size_t k = 0; k < p->spec->nctrs; k++) {
			if (p->spec->ctrs[k].init)
				continue;
			vpa_req_of(p, k, &uc[nu].request);
			uc[nu].rec = vpa_pod_rec(v, p, k, &recs[k]) ? &recs[k] : NULL;
			nu++;
		}
		vpa_priority_calc(uc, nu, &pr[ncand]);
		if (st->r->xp != NULL)	/* explain: why a pod is not a candidate */
			xp_vpa_verdict(st->r->xp, p, v->ns, v->name, &st->cfg, &pr[ncand], quick,
			    now, vpa_evreqs_hold(v, p));
		if (vpa_update_wanted(&st->cfg, &pr[ncand], quick,
		    p->scheduled_ms >= 0 ? p->scheduled_ms : VPA_TIME_ZERO, now) &&
		    vpa_evreqs_hold(v, p))
			cand[ncand++] = p;
		free(uc);
		free(recs);
	}
	vpa_priority_order(pr, ncand, order);
	for (size_t i = 0; i < ncand; i++) {
		struct ks_pod *p = cand[order[i]];
		int is_pending = p->phase == POD_BOUND;
		const struct ks_pdb *b;

		if (!vpa_group_can_evict(&g, is_pending)) {
			xp_pod(st->r->xp, p, XR_VPA_KEEP, &(struct xp_in){ .msg = "EvictionTolerance: "
			    "the replica group's minReplicas or eviction tolerance allows no more now",
			    .by = v->name, .by_ns = v->ns, .by_kind = "vpa" });
			continue;
		}
		if ((b = pdb_for_pod(c, p)) != NULL && pdb_allowed(c, b) <= 0) {
			xp_pod(st->r->xp, p, XR_VPA_KEEP, &(struct xp_in){ .msg = "NotEnoughPdb: the "
			    "PodDisruptionBudget allows no disruption",
			    .by = v->name, .by_ns = v->ns, .by_kind = "vpa" });
			v->pdb_blocked++;
			continue;
		}
		xp_pod(st->r->xp, p, XR_VPA_EVICT, &(struct xp_in){ .msg = pr[order[i]].outside ?
		    "OutsideBounds: " VPA_EVICT_MSG : "UpdatePriority: " VPA_EVICT_MSG,
		    .v = { pr[order[i]].outside, (int64_t)(pr[order[i]].resource_diff * 1000 + 0.5) },
		    .by = v->name, .by_ns = v->ns, .by_kind = "vpa" });
		cluster_pod_evict(c, p, "EvictedByVPA", VPA_EVICT_MSG);
		vpa_group_note_evicted(&g, is_pending);
		v->evictions++;
	}
cleanup:
	free(pods);
	free(pr);
	free(cand);
	free(order);
}

static int64_t
vpa_updater_loop(struct sim *sim, void *arg)
{
	struct vpa_state *st = arg;

	(void)sim;
	for (size_t i = 0; i < st->nvpas; i++) {
		struct vpa_obj *v = &st->vpas[i];

		if (vpa_active(st, v) && (v->mode == VPA_MODE_RECREATE || v->mode == VPA_MODE_AUTO ||
		    v->mode == VPA_MODE_INPLACE_OR_RECREATE))
			vpa_update(st, v);
	}
	return VPA_LOOP_MS;
}

/* ---- admission ---------------------------------------------------------- */

/* upstream's vpaUpdates annotation: "container 0: cpu request, memory request" */
static const char *
vpa_item_sep(int first, size_t k, char *buf, size_t n)
{
	if (!first)
		return ", ";
	snprintf(buf, n, "%scontainer %zu: ", k ? "; " : " ", k);
	return buf;
}

static void
vpa_pod_created(struct ks_cluster *c, struct ks_pod *p, void *arg)
{
	struct vpa_state *st = arg;
	struct vpa_obj *v = vpa_for_pod(st, p);
	struct ks_res *req, *lim;
	size_t n = p->spec->nctrs;
	char msg[900], ref[600];
	size_t len;
	int changed = 0;

	if (v == NULL || v->mode == VPA_MODE_OFF || v->nrecs == 0)
		return;
	req = xcalloc(n ? n : 1, sizeof(*req));
	lim = xcalloc(n ? n : 1, sizeof(*lim));
	len = (size_t)snprintf(msg, sizeof(msg), "Pod resources updated by %s:", v->name);
	for (size_t k = 0; k < n; k++) {
		const struct vpa_cpolicy *pol = vpa_policy(v, p->spec->ctrs[k].name);
		struct vpa_rec rec;
		int first = 1;

		req[k] = *pod_ctr_req(p, k);
		lim[k] = *pod_ctr_lim(p, k);
		if (!vpa_pod_rec(v, p, k, &rec))
			continue;
		for (int r = 0; r < VPA_NRES; r++) {
			int rr = r == VPA_CPU ? RES_CPU : RES_MEM;
			int64_t orig_req = req[k].v[rr], orig_lim = lim[k].v[rr], nl;
			bool capped;
			char q[VPA_QTY_BUFSZ], buf[48];

			if (!(rec.target.has & VPA_RES_BIT(r)))
				continue;
			req[k].v[rr] = rec.target.v[r];
			changed = 1;
			if (len < sizeof(msg))
				len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s%s request %s",
				    vpa_item_sep(first, k, buf, sizeof(buf)),
				    r == VPA_CPU ? "cpu" : "memory",
				    vpa_fmt(st, r, rec.target.v[r], q, sizeof(q)));
			first = 0;
			if (pol != NULL && pol->values == VPA_REQUESTS_ONLY)
				continue;
			if (vpa_limit_scale(r, orig_lim, orig_req, rec.target.v[r], &nl, &capped)) {
				lim[k].v[rr] = nl;
				if (len < sizeof(msg))
					len += (size_t)snprintf(msg + len, sizeof(msg) - len,
					    ", %s limit %s", r == VPA_CPU ? "cpu" : "memory",
					    vpa_fmt(st, r, nl, q, sizeof(q)));
			}
		}
	}
	if (changed) {
		cluster_pod_set_requests(c, p, req, lim);
		v->admitted++;
		cluster_event(c, "VPAAdmission", pod_ref(p, ref, sizeof(ref)), "%s", msg);
	}
	free(req);
	free(lim);
}

static void
vpa_pod_gone(struct ks_cluster *c, struct ks_pod *p, void *arg)
{
	struct vpa_state *st = arg;

	(void)c;
	if (p->id < st->nps) {
		vpa_podstate_free(st->ps[p->id]);
		st->ps[p->id] = NULL;
	}
}

/* ---- controller --------------------------------------------------------- */

static void
vpa_free(void *arg)
{
	struct vpa_state *st = arg;

	if (st == NULL)
		return;
	free(st->tw);
	free(st->alive);
	free(st->tsel);
	ptrmap_free(&st->row_idx);
	free(st->rows);
	free(st->rowv);
	for (size_t i = 0; i < st->nvpas; i++) {
		struct vpa_obj *v = &st->vpas[i];

		free(v->pols);
		free(v->evreqs);
		free(v->recs);
		for (size_t j = 0; j < v->nsamples; j++)
			free(v->samples[j].recs);
		free(v->samples);
		for (size_t j = 0; j < v->nwarnings; j++)
			free(v->warnings[j]);
		free(v->warnings);
	}
	free(st->vpas);
	for (size_t i = 0; i < st->naggs; i++) {
		labels_free(&st->aggs[i]->labels);
		free(st->aggs[i]);
	}
	free(st->aggs);
	for (size_t i = 0; i < st->nps; i++)
		vpa_podstate_free(st->ps[i]);
	free(st->ps);
	free(st);
}

static int
vpa_add_doc(struct vpa_state *st, const struct ks_doc *d, int64_t at_ms, int *vset,
    struct ks_error *err)
{
	const struct yt_node *vn;
	int major, minor;
	struct vpa_obj *v;

	if (strcmp(d->kind, "VerticalPodAutoscaler") != 0)
		return 0;
	if (vpa_parse_version(d, &major, &minor, &vn, err) != 0)
		return KS_EINVAL;
	if (vn != NULL) {
		if (*vset && (major != st->cfg.ver_major || minor != st->cfg.ver_minor))
			return ks_error_set(err, &vn->mark, KS_EINVAL,
			    "expected one VPA release per scenario (%d.%d), found %d.%d",
			    st->cfg.ver_major, st->cfg.ver_minor, major, minor);
		vpa_config_init(&st->cfg, major, minor);
		*vset = 1;
	}
	st->vpas = xreallocarray(st->vpas, st->nvpas + 1, sizeof(*st->vpas));
	v = &st->vpas[st->nvpas];
	if (vpa_parse(st->r->scn, d, at_ms, v, err) != 0) {
		free(v->pols);
		free(v->evreqs);
		return KS_EINVAL;
	}
	v->seq = st->nvpas++;
	for (size_t i = 0; i + 1 < st->nvpas; i++)
		if (st->vpas[i].ns == v->ns && st->vpas[i].name == v->name)
			return ks_error_set(err, &d->mark, KS_EINVAL,
			    "VerticalPodAutoscaler %s/%s is declared twice", v->ns, v->name);
	return 0;
}

/*
 * The release simulated: the ksim.io/vpa-version annotation, else the tag
 * of the recommender's (or updater's, or admission controller's) image
 * among the manifests, else 1.4.
 */
static void
vpa_release_from_images(struct vpa_state *st, int vset)
{
	static const char *const comp[] = { "vpa-recommender", "vpa-updater",
		"vpa-admission-controller" };
	const char *img;
	int v;

	st->ver_src = vset ? "annotation ksim.io/vpa-version" : "default";
	for (size_t i = 0; !vset && i < sizeof(comp) / sizeof(comp[0]); i++)
		if ((v = lm_image_release(st->r->scn, comp[i], &img)) > 0) {
			vpa_config_init(&st->cfg, v / 10000, v / 100 % 100);
			st->ver_src = img;
			return;
		}
}

static int
vpa_init(struct ks_run *r, void **state, struct ks_error *err)
{
	struct vpa_state *st = xcalloc(1, sizeof(*st));
	struct cluster_hooks h;
	int vset = 0;

	*state = NULL;
	st->r = r;
	vpa_config_init(&st->cfg, 1, 4);
	for (size_t i = 0; i < r->scn->ndocs; i++)
		if (vpa_add_doc(st, r->scn->docs[i], 0, &vset, err) != 0)
			goto fail;
	for (size_t i = 0; i < r->scn->nactions; i++) {
		const struct ks_action *a = &r->scn->actions[i];

		if (a->type == ACT_CREATE && a->doc != NULL &&
		    vpa_add_doc(st, a->doc, a->at_ms, &vset, err) != 0)
			goto fail;
	}
	if (st->nvpas == 0) {
		vpa_free(st);
		return 0;
	}
	vpa_release_from_images(st, vset);
	for (size_t i = 0; i < st->nvpas; i++)
		vpa_check_fights(st, &st->vpas[i]);
	memset(&h, 0, sizeof(h));
	h.pod_created = vpa_pod_created;
	h.pod_gone = vpa_pod_gone;
	h.arg = st;
	cluster_hook(&r->cluster, &h);
	/* the recommender first: within one minute its status is what the updater reads */
	sim_at(&r->sim, VPA_LOOP_MS, "vpa-recommender", vpa_recommender_loop, st);
	sim_at(&r->sim, VPA_LOOP_MS, "vpa-updater", vpa_updater_loop, st);
	*state = st;
	return 0;
fail:
	vpa_free(st);
	return KS_EINVAL;
}

/* ---- report ------------------------------------------------------------- */

static json_t *
vpa_json_res(const struct vpa_state *st, const struct vpa_resources *x)
{
	json_t *o = json_object();
	char buf[VPA_QTY_BUFSZ];
	int hc = (x->has & VPA_RES_BIT(VPA_CPU)) != 0, hm = (x->has & VPA_RES_BIT(VPA_MEM)) != 0;

	json_object_set_new(o, "cpu_m", hc ? json_integer(x->v[VPA_CPU]) : json_null());
	json_object_set_new(o, "memory_bytes", hm ? json_integer(x->v[VPA_MEM]) : json_null());
	json_object_set_new(o, "cpu", hc ? json_string(vpa_fmt(st, VPA_CPU, x->v[VPA_CPU], buf,
	    sizeof(buf))) : json_null());
	json_object_set_new(o, "memory", hm ? json_string(vpa_fmt(st, VPA_MEM, x->v[VPA_MEM], buf,
	    sizeof(buf))) : json_null());
	return o;
}

static json_t *
vpa_json_recs(const struct vpa_state *st, const struct vpa_crec *recs, size_t n, int uncapped)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(recs[i].ctr));
		json_object_set_new(o, "target", vpa_json_res(st, &recs[i].rec.target));
		json_object_set_new(o, "lower_bound", vpa_json_res(st, &recs[i].rec.lower));
		json_object_set_new(o, "upper_bound", vpa_json_res(st, &recs[i].rec.upper));
		if (uncapped)
			json_object_set_new(o, "uncapped_target",
			    vpa_json_res(st, &recs[i].rec.uncapped));
		json_array_append_new(a, o);
	}
	return a;
}

static const char *
vpa_mode_str(const struct vpa_obj *v)
{
	return vpa_mode_name[v->mode];
}

/*
 * The VPAs' data: everything the formats print of them (report/text_vpa.c
 * renders it as text), under "vpas".
 */
static void
vpa_report(struct ks_run *r, void *arg, json_t *root)
{
	struct vpa_state *st = arg;
	json_t *arr = json_array();
	char ver[32];

	(void)r;
	snprintf(ver, sizeof(ver), "%d.%d", st->cfg.ver_major, st->cfg.ver_minor);
	for (size_t i = 0; i < st->nvpas; i++) {
		const struct vpa_obj *v = &st->vpas[i];
		json_t *o = json_object(), *samples = json_array(), *warn = json_array();
		char tref[300];

		snprintf(tref, sizeof(tref), "%s/%s", wl_kind_name[v->tkind], v->tname);
		json_object_set_new(o, "name", json_string(v->name));
		json_object_set_new(o, "namespace", json_string(v->ns));
		json_object_set_new(o, "target_ref", json_string(tref));
		json_object_set_new(o, "mode", json_string(vpa_mode_str(v)));
		json_object_set_new(o, "vpa_version", json_string(ver));
		json_object_set_new(o, "vpa_version_source", json_string(st->ver_src));
		json_object_set_new(o, "created_at_ms", json_integer(v->created_ms));
		json_object_set_new(o, "recommendation_provided_at_ms", v->provided_ms >= 0 ?
		    json_integer(v->provided_ms) : json_null());
		json_object_set_new(o, "pod_count", json_integer(v->pod_count));
		json_object_set_new(o, "evictions", json_integer(v->evictions));
		json_object_set_new(o, "evictions_refused_by_pdb", json_integer(v->pdb_blocked));
		json_object_set_new(o, "pods_admitted", json_integer(v->admitted));
		json_object_set_new(o, "containers", vpa_json_recs(st, v->recs, v->nrecs, 1));
		for (size_t j = 0; j < v->nsamples; j++) {
			json_t *s = json_object();

			json_object_set_new(s, "at_ms", json_integer(v->samples[j].at_ms));
			json_object_set_new(s, "containers", vpa_json_recs(st, v->samples[j].recs,
			    v->samples[j].nrecs, 0));
			json_array_append_new(samples, s);
		}
		json_object_set_new(o, "samples", samples);
		for (size_t j = 0; j < v->nwarnings; j++)
			json_array_append_new(warn, json_string(v->warnings[j]));
		json_object_set_new(o, "warnings", warn);
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "vpas", arr);
}

static const char *const vpa_kinds[] = { "VerticalPodAutoscaler",
	"VerticalPodAutoscalerCheckpoint", NULL };
static const char *const vpa_spec_keys[] = { NULL };

const struct ctl_ops vpa_ctl = {
	.name = "vpa",
	.kinds = vpa_kinds,
	.spec_keys = vpa_spec_keys,
	.init = vpa_init,
	.report = vpa_report,
	.free = vpa_free,
};
