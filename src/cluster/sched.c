/*
 * sched.c: kube-scheduler, one pod at a time.
 *
 * What it reproduces (kubernetes/pkg/scheduler):
 *  - the queue: active pods sorted by priority, then creation time
 *    (PrioritySort); pods that fail wait in an unschedulable list until the
 *    cluster changes (a node joins, a pod goes away), or at least every
 *    5 minutes (podMaxInUnschedulablePodsDuration);
 *  - the filters, in the default profile's order, stopping at the first
 *    that fails for a node: NodeUnschedulable, NodeName, TaintToleration,
 *    NodeAffinity (nodeSelector + required affinity), NodeResourcesFit,
 *    PodTopologySpread, InterPodAffinity;
 *  - numFeasibleNodesToFind (schedule_one.go): with 100 nodes or more only
 *    max(100, n * (50 - n/125)%) feasible nodes are looked for, starting at
 *    nextStartNodeIndex, which then advances by the nodes processed; this is
 *    what keeps a 5,000-node cluster cheap, exactly as upstream;
 *  - scores with the default weights: NodeResourcesFit LeastAllocated (or
 *    MostAllocated) x1 over cpu and memory with the non-zero defaults
 *    (100m, 200Mi) for pods without requests, BalancedAllocation x1,
 *    TaintToleration x3 (PreferNoSchedule), NodeAffinity x2 (preferred
 *    terms); the highest total wins and ties are broken by reservoir
 *    sampling, as selectHost does, from the scenario-seeded stream;
 *  - the FitError text: "0/N nodes are available: <sorted histogram>."
 *    followed by the preemption post-filter's own histogram (framework/
 *    types.go FitError.Error, preemption.go).
 *
 * State: the scheduler owns its queue position, candidate scratch, list
 * of registered nodes, tie-break stream, per-node records and per-template
 * records (struct sched, sched_int.h), and hears of the cluster through
 * cluster_sched_ops: a pod added (queue it, kick a pass), a pod bound or
 * a bound pod gone (update the counts and the node's record; retry the
 * unschedulable ones), a node joining or going.  The cluster knows nothing
 * of it beyond that table, so cluster.c builds and reads without it.
 * The filters and the per-template records are in sched_filter.c, the
 * per-workload topology counts in topo.c.
 *
 * Costs: a pod is O(nodes examined) plus O(its inter-pod terms x the
 * workloads they select): nothing in its set-up grows with the cluster
 * (sched_filter.c).  Examining a node reads the first cache line of the
 * scheduler's own (struct hot: free room, shape, cordon flag), the
 * template's verdict for the node's shape, and, for a feasible node, a
 * memoized resource score.  In a big pass (a burst of pods) each
 * template's verdicts are laid out by live position once, and the search
 * jumps over the nodes they reject; those still count as processed, so
 * nextStartNodeIndex and every decision are what the node-by-node walk
 * gives.  Within one pass, a pod identical to one that already failed
 * (same template and requests, no inter-pod terms) fails without a new
 * search: kube-scheduler does the work again, but the answer cannot
 * differ because binding only takes capacity away.  Its FailedScheduling
 * message (every live node re-checked for the reasons) is kept per
 * template until the next bind, unbind or node change of the pass, and
 * its reasons are interned once, not formatted per node.
 * tests/bench/README.md has the measurements.
 */
#include "cluster/sched.h"
#include "cluster/sched_int.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/topo.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define NONZERO_CPU_M	100
#define NONZERO_MEM_B	(200LL * 1024 * 1024)

static const struct cluster_sched_ops sched_ops;

struct sched *
sched_of(const struct ks_cluster *c)
{
	assert(c->sched_ops == &sched_ops && c->sched != NULL);
	return c->sched;
}

/* Refresh n's hot record after a change of its requests or of the node set. */
static void
hot_set(struct sched *s, const struct ks_node *n)
{
	struct hot *h;
	struct hot_score *hs;

	if (n->id >= s->hotcap) {
		size_t cap = s->hotcap ? s->hotcap : 64;

		while (cap <= n->id)
			cap *= 2;
		s->hot = xreallocarray(s->hot, cap, sizeof(*s->hot));
		memset(s->hot + s->hotcap, 0, (cap - s->hotcap) * sizeof(*s->hot));
		s->hsc = xreallocarray(s->hsc, cap, sizeof(*s->hsc));
		memset(s->hsc + s->hotcap, 0, (cap - s->hotcap) * sizeof(*s->hsc));
		s->minprio = xreallocarray(s->minprio, cap, sizeof(*s->minprio));
		s->hotcap = cap;
	}
	h = &s->hot[n->id];
	h->room = n->alloc;
	res_sub(&h->room, &n->used);
	hs = &s->hsc[n->id];
	hs->alloc_cpu_m = n->alloc.v[RES_CPU];
	hs->alloc_mem_b = n->alloc.v[RES_MEM];
	hs->nz_cpu_m = n->nz_cpu_m;
	hs->nz_mem_b = n->nz_mem_b;
	hs->memo_cpu_m = -1;
	s->minprio[n->id] = PRIO_UNKNOWN;
}

void
sched_live_rebuild(struct sched *s)
{
	struct ks_cluster *c = s->c;

	if (!s->live_dirty && s->live != NULL)
		return;
	s->nlive = 0;
	for (size_t i = 0; i < c->nnodes; i++) {
		enum node_state st = c->nodes[i]->state;

		if (st == NODE_READY || st == NODE_DELETING) {
			VEC_PUSH(s->live, s->nlive, s->livecap, (uint32_t)i);
			hot_set(s, c->nodes[i]);
		}
	}
	if (s->live == NULL)
		s->live = xmalloc(sizeof(*s->live));
	s->live_dirty = 0;
}

/* ---- reasons ---- */

/* The fixed reasons, interned once per string pool (explain reads them per node). */
enum {
	R_UNSCHED, R_NODENAME, R_AFFINITY, R_TOO_MANY, R_SPREAD, R_SPREAD_LABEL, R_POD_AFF,
	R_POD_ANTI, R_EXISTING_ANTI, R_NOT_HELPFUL, R_NO_VICTIMS, R_INSUFFICIENT,
	R_N = R_INSUFFICIENT + RES_N
};

static const char *
reason_text(int r)
{
	static const char *const fixed[R_INSUFFICIENT] = {
		[R_UNSCHED] = "node(s) were unschedulable",
		[R_NODENAME] = "node(s) didn't match the requested node name",
		[R_AFFINITY] = "node(s) didn't match Pod's node affinity/selector",
		[R_TOO_MANY] = "Too many pods",
		[R_SPREAD] = "node(s) didn't match pod topology spread constraints",
		[R_SPREAD_LABEL] = "node(s) didn't match pod topology spread constraints (missing required label)",
		[R_POD_AFF] = "node(s) didn't match pod affinity rules",
		[R_POD_ANTI] = "node(s) didn't match pod anti-affinity rules",
		[R_EXISTING_ANTI] = "node(s) didn't satisfy existing pods anti-affinity rules",
		[R_NOT_HELPFUL] = "Preemption is not helpful for scheduling",
		[R_NO_VICTIMS] = "No preemption victims found for incoming pod",
	};
	static const char *interned[R_N];
	static unsigned gen;
	static int set;

	if (!set || gen != intern_generation()) {
		char buf[600];

		for (int i = 0; i < R_INSUFFICIENT; i++)
			interned[i] = intern(fixed[i]);
		for (int i = 0; i < RES_N; i++) {
			snprintf(buf, sizeof(buf), "Insufficient %s", res_name[i]);
			interned[R_INSUFFICIENT + i] = intern(buf);
		}
		gen = intern_generation();
		set = 1;
	}
	return interned[r];
}

/* Add an interned reason. */
static void
hist_add(struct sched_hist *h, const char *r)
{
	for (int i = 0; i < h->n; i++)
		if (h->reason[i] == r) {
			h->count[i]++;
			return;
		}
	if (h->n < 32) {
		h->reason[h->n] = r;
		h->count[h->n++] = 1;
	}
}

void
sched_hist_add(struct sched_hist *h, const char *reason)
{
	hist_add(h, intern(reason));
}

/* "node(s) had untolerated taint {k: v}", interned; the last one is kept. */
static const char *
taint_reason(const struct ks_taint *t)
{
	static const char *key, *val, *r;
	static unsigned gen;
	char buf[600];

	if (r != NULL && t->key == key && t->val == val && gen == intern_generation())
		return r;
	snprintf(buf, sizeof(buf), "node(s) had untolerated taint {%s: %s}", t->key, t->val);
	r = intern(buf);
	key = t->key;
	val = t->val;
	gen = intern_generation();
	return r;
}

void
sched_hist_add_fit(struct sched_hist *h, const struct sched_fit *f)
{
	switch (f->fail) {
	case SF_UNSCHEDULABLE:
		hist_add(h, reason_text(R_UNSCHED));
		break;
	case SF_NODENAME:
		hist_add(h, reason_text(R_NODENAME));
		break;
	case SF_TAINT:
		hist_add(h, taint_reason(f->taint));
		break;
	case SF_AFFINITY:
		hist_add(h, reason_text(R_AFFINITY));
		break;
	case SF_RESOURCES:
		for (int r = 0; r < RES_N; r++) {
			if (!(f->short_res & (1u << r)))
				continue;
			hist_add(h, reason_text(r == RES_PODS ? R_TOO_MANY : R_INSUFFICIENT + r));
		}
		break;
	case SF_SPREAD:
		hist_add(h, reason_text(R_SPREAD));
		break;
	case SF_SPREAD_LABEL:
		hist_add(h, reason_text(R_SPREAD_LABEL));
		break;
	case SF_POD_AFF:
		hist_add(h, reason_text(R_POD_AFF));
		break;
	case SF_POD_ANTI:
		hist_add(h, reason_text(R_POD_ANTI));
		break;
	case SF_EXISTING_ANTI:
		hist_add(h, reason_text(R_EXISTING_ANTI));
		break;
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

size_t
sched_hist_format(const struct sched_hist *h, char *buf, size_t n)
{
	char items[32][600];
	const char *ptr[32];
	size_t len = 0;

	for (int i = 0; i < h->n; i++) {
		snprintf(items[i], sizeof(items[i]), "%d %s", h->count[i], h->reason[i]);
		ptr[i] = items[i];
	}
	qsort(ptr, (size_t)h->n, sizeof(ptr[0]), cmp_str);
	buf[0] = '\0';
	for (int i = 0; i < h->n; i++) {
		int w = snprintf(buf + len, len < n ? n - len : 0, "%s%s", i ? ", " : "", ptr[i]);

		if (w > 0)
			len += (size_t)w;
	}
	return len;
}

/* Filters whose failure preemption cannot fix (UnschedulableAndUnresolvable). */
static int
unresolvable(unsigned fail)
{
	return fail & (SF_UNSCHEDULABLE | SF_NODENAME | SF_TAINT | SF_AFFINITY |
	    SF_SPREAD_LABEL | SF_POD_AFF);
}

/*
 * The preemption post-filter's verdict for a node that failed a resolvable
 * filter (SelectVictimsOnNode, framework/preemption): with no pod of lower
 * priority on it, "No preemption victims found for incoming pod"; else the
 * filters run again with every lower-priority pod removed, and their
 * failure is the node's reason.  Returns 1 when removing them would let p
 * fit (a preemption candidate: ksim does not preempt, so it adds nothing).
 */
static int
preemption_reason(struct sched *s, const struct ks_pod *p, const struct ks_node *n,
    struct sched_ctx *x, struct spec_info *si, struct sched_hist *ph)
{
	struct ks_cluster *c = s->c;
	struct ks_res freed = { { 0 } };
	struct sched_fit f;
	int64_t *low = &s->minprio[n->id];

	if (*low == PRIO_UNKNOWN) {
		/* kept until the node's pods change (hot_set) */
		*low = INT64_MAX;
		for (size_t i = 0; i < n->npods; i++)
			if (c->pods[n->pods[i]]->spec->priority < *low)
				*low = c->pods[n->pods[i]]->spec->priority;
	}
	if (*low >= p->spec->priority) {
		hist_add(ph, reason_text(R_NO_VICTIMS));
		return 0;
	}
	for (size_t i = 0; i < n->npods; i++) {
		const struct ks_pod *q = c->pods[n->pods[i]];

		if (q->spec->priority < p->spec->priority)
			res_sub(&freed, &q->req);	/* a negative extra frees room */
	}
	if (sched_fits_si(s, si, p, n, &freed, x, &f))
		return 1;
	sched_hist_add_fit(ph, &f);
	return 0;
}

static void
explain(struct sched *s, const struct ks_pod *p, struct sched_ctx *x, struct spec_info *si,
    char *buf, size_t n)
{
	struct ks_cluster *c = s->c;
	struct sched_hist h = { .n = 0 }, ph = { .n = 0 };
	char a[2048], b[1024];
	int nnodes = (int)s->nlive;

	for (size_t i = 0; i < s->nlive; i++) {
		const struct ks_node *nd = c->nodes[s->live[i]];
		struct sched_fit f;

		if (sched_fits_si(s, si, p, nd, NULL, x, &f))
			continue;
		sched_hist_add_fit(&h, &f);
		if (unresolvable(f.fail))
			hist_add(&ph, reason_text(R_NOT_HELPFUL));
		else
			(void)preemption_reason(s, p, nd, x, si, &ph);
	}
	sched_hist_format(&h, a, sizeof(a));
	sched_hist_format(&ph, b, sizeof(b));
	if (nnodes == 0)
		snprintf(buf, n, "0/0 nodes are available: no nodes available to schedule pods.");
	else
		snprintf(buf, n, "0/%d nodes are available: %s. preemption: 0/%d nodes are available: %s..",
		    nnodes, a, nnodes, b);
}

int
sched_explain(struct ks_cluster *c, const struct ks_pod *p, char *buf, size_t n)
{
	struct sched *s = sched_of(c);
	int own;
	struct spec_info *si = sched_spec_get(s, p, &own);
	struct sched_ctx *x = sched_ctx_make(s, p, si, 0);
	int fit = 0;

	for (size_t i = 0; i < s->nlive && !fit; i++) {
		struct sched_fit f;

		fit = sched_fits_si(s, si, p, c->nodes[s->live[i]], NULL, x, &f);
	}
	if (!fit)
		explain(s, p, x, si, buf, n);
	sched_ctx_free(x);
	if (own)
		sched_spec_free(si);
	return fit;
}

/* ---- scoring ---- */

static int64_t
frac_score(int64_t req, int64_t alloc, int most)
{
	if (alloc <= 0)
		return 0;
	if (req > alloc)
		return most ? 0 : 0;
	return most ? req * 100 / alloc : (alloc - req) * 100 / alloc;
}

static void
nonzero(const struct ks_res *r, int64_t *cpu, int64_t *mem)
{
	*cpu = r->v[RES_CPU] ? r->v[RES_CPU] : NONZERO_CPU_M;
	*mem = r->v[RES_MEM] ? r->v[RES_MEM] : NONZERO_MEM_B;
}

/* NodeResourcesFit + BalancedAllocation of p on the node of h. */
static int64_t
resource_score(const struct sched *s, const struct hot *hr, const struct hot_score *h,
    const struct ks_pod *p)
{
	int64_t ncpu, nmem, pcpu, pmem, fit, bal;
	int64_t used_cpu = h->alloc_cpu_m - hr->room.v[RES_CPU];
	int64_t used_mem = h->alloc_mem_b - hr->room.v[RES_MEM];
	double fc, fm, d;

	/* NodeInfo.NonZeroRequested, kept by the cluster on bind and unbind */
	nonzero(&p->req, &pcpu, &pmem);
	ncpu = h->nz_cpu_m + pcpu;
	nmem = h->nz_mem_b + pmem;
	fit = (frac_score(ncpu, h->alloc_cpu_m, s->opts.most_allocated) +
	    frac_score(nmem, h->alloc_mem_b, s->opts.most_allocated)) / 2;
	fc = h->alloc_cpu_m ? (double)(used_cpu + p->req.v[RES_CPU]) / (double)h->alloc_cpu_m : 0;
	fm = h->alloc_mem_b ? (double)(used_mem + p->req.v[RES_MEM]) / (double)h->alloc_mem_b : 0;
	if (fc > 1)
		fc = 1;
	if (fm > 1)
		fm = 1;
	d = fc > fm ? fc - fm : fm - fc;
	bal = (int64_t)((1.0 - d / 2) * 100);
	return fit + bal;
}

/*
 * The resource scores of a node read only its requests and the pod's cpu
 * and memory requests, so the last result is kept in the node's hot record
 * until its requests change: consecutive pods of a workload, which ask
 * the same, then cost no divisions.
 */
static int64_t
score_node(const struct sched *s, const struct verdict *v, const struct ks_pod *p,
    uint32_t id, int64_t *taint_cnt, int64_t *aff_w)
{
	struct hot_score *h = &s->hsc[id];
	const struct ks_node *n;

	if (h->memo_cpu_m != p->req.v[RES_CPU] || h->memo_mem_b != p->req.v[RES_MEM]) {
		h->memo_base = resource_score(s, &s->hot[id], h, p);
		h->memo_cpu_m = p->req.v[RES_CPU];
		h->memo_mem_b = p->req.v[RES_MEM];
	}
	if (v != NULL) {
		*taint_cnt = v->prefer;
		*aff_w = v->aff_w;
		return h->memo_base;
	}
	n = s->c->nodes[id];
	*taint_cnt = taints_prefer_count(n->taints, n->ntaints, p->spec->tols, p->spec->ntols);
	*aff_w = 0;
	for (size_t i = 0; i < p->spec->npref; i++)
		if (selector_matches(&p->spec->pref_affinity[i], &n->labels))
			*aff_w += p->spec->pref_weight[i];
	return h->memo_base;
}

/*
 * The filters for the search: the same verdict as fits(), but cheapest
 * first, since only pass or fail matters here (explain() runs fits() for
 * the reasons).  *vp: the static verdicts when shared, for the scores.
 */
static inline int
search_fits(struct sched *s, struct spec_info *si, const struct ks_pod *p,
    uint32_t id, struct sched_ctx *x, const struct verdict **vp, int laid_out)
{
	const struct ks_podspec *sp = p->spec;
	const struct verdict *v = NULL;
	struct hot *h = &s->hot[id];
	const struct ks_node *n = NULL;

	s->stats.filter_calls++;
	assert(id < s->hotcap);
	/* res_short's rule (a request of 0 always fits), resource by resource */
	_Static_assert(RES_GPU == 4, "search_fits unrolls the first five resources");
	if ((p->req.v[RES_CPU] > 0 && p->req.v[RES_CPU] > h->room.v[RES_CPU]) ||
	    (p->req.v[RES_MEM] > 0 && p->req.v[RES_MEM] > h->room.v[RES_MEM]) ||
	    (p->req.v[RES_PODS] > 0 && p->req.v[RES_PODS] > h->room.v[RES_PODS]) ||
	    (p->req.v[RES_EPH] > 0 && p->req.v[RES_EPH] > h->room.v[RES_EPH]) ||
	    (p->req.v[RES_GPU] > 0 && p->req.v[RES_GPU] > h->room.v[RES_GPU]))
		return 0;
	/* the other extended resources: zero for most pods */
	for (int r = RES_GPU + 1; r < RES_N; r++)
		if (p->req.v[r] > 0 && p->req.v[r] > h->room.v[r])
			return 0;
	if (laid_out) {
		/* skip_ready found the static filters and the cordon pass here */
		v = &si->v[h->shape - 1];
		assert(h->pass == s->pass && v->known && v->taint == NO_TAINT && v->aff_ok);
		*vp = v;
		return x == NULL || sched_interpod_ok(s, sp, id, x);
	}
	if (h->pass != s->pass) {
		n = s->c->nodes[id];
		h->shape = topo_node(s->topo, n)->shape;
		h->unsched = n->unschedulable;
		h->pass = s->pass;
	}
	if (h->unsched && !sp->is_daemon && !si->tol_unsched)
		return 0;
	if (p->pin_node >= 0 && (uint32_t)p->pin_node != id)
		return 0;
	if (sp->node_name != NULL && sp->node_name != s->c->nodes[id]->name)
		return 0;
	if (si->by_shape && h->shape - 1 < si->nv && si->v[h->shape - 1].known) {
		v = &si->v[h->shape - 1];
	} else if (si->by_shape) {
		v = sched_verdict(s, si, s->c->nodes[id]);
	} else {
		n = s->c->nodes[id];
		if (taints_untolerated(n->taints, n->ntaints, sp->tols, sp->ntols) != NULL ||
		    !sched_node_affinity_ok(sp, n))
			return 0;
	}
	if (v != NULL && (v->taint != NO_TAINT || !v->aff_ok))
		return 0;
	*vp = v;
	return x == NULL || sched_interpod_ok(s, sp, id, x);
}

/* numFeasibleNodesToFind (schedule_one.go) */
static size_t
feasible_to_find(const struct sched *s, size_t all)
{
	int64_t pct = s->opts.pct_nodes_to_score, num;

	if (all < 100 || pct >= 100)
		return all;
	if (pct <= 0) {
		pct = 50 - (int64_t)all / 125;
		if (pct < 5)
			pct = 5;
	}
	num = (int64_t)all * pct / 100;
	return num < 100 ? 100 : (size_t)num;
}

/*
 * A big pass reads every live node's facts at its start (sweep), so that
 * within it a template's static verdicts can be laid out by live position
 * (skip_ready) and the search can jump over nodes they reject without
 * looking at them.  The cost, O(live nodes) per sweep and per template
 * that schedules several pods in the pass, is paid only when the batch is
 * large enough to repay it; small passes check node by node.  Either way
 * the same nodes are counted as processed and the same ones found.
 */
#define SWEEP_PODS_PER_NODE	64	/* sweep when batch * this >= live nodes */
#define SKIP_MIN_USES		4	/* lay a template out from its 4th pod in a pass */

static void
sweep(struct sched *s)
{
	for (size_t i = 0; i < s->nlive; i++) {
		const struct ks_node *n = s->c->nodes[s->live[i]];
		struct hot *h = &s->hot[n->id];

		h->shape = topo_node(s->topo, n)->shape;
		h->unsched = n->unschedulable;
		h->pass = s->pass;
	}
	s->swept = s->pass;
	s->swept_ver = s->live_ver;
}

/* Is skipping usable for si now (building it when worth it)? */
static int
skip_ready(struct sched *s, struct spec_info *si)
{
	const struct ks_podspec *sp = si->spec;
	size_t nl = s->nlive;

	if (si->use_pass != s->pass) {
		si->use_pass = s->pass;
		si->uses = 0;
	}
	si->uses++;
	if (s->swept != s->pass || s->swept_ver != s->live_ver || !si->by_shape)
		return 0;
	if (si->skip_pass == s->pass)
		return 1;
	if (si->uses < SKIP_MIN_USES)
		return 0;
	if (si->skipcap < nl + 1) {
		si->skipcap = nl + 1;
		si->skip = xreallocarray(si->skip, si->skipcap, sizeof(*si->skip));
	}
	si->skip[nl] = (uint32_t)nl;
	si->skip_flat = 1;
	for (size_t i = nl; i-- > 0;) {
		uint32_t id = s->live[i];
		const struct hot *h = &s->hot[id];
		const struct verdict *v;
		int ok;

		assert(h->pass == s->pass);
		v = h->shape - 1 < si->nv && si->v[h->shape - 1].known ? &si->v[h->shape - 1] :
		    sched_verdict(s, si, s->c->nodes[id]);
		ok = v->taint == NO_TAINT && v->aff_ok &&
		    !(h->unsched && !sp->is_daemon && !si->tol_unsched);
		si->skip[i] = ok ? (uint32_t)i : si->skip[i + 1];
		if (ok && (v->prefer != 0 || v->aff_w != 0))
			si->skip_flat = 0;
	}
	si->skip_pass = s->pass;
	return 1;
}

/* Live positions from idx (of `left` still to process) that si surely rejects. */
static size_t
skip_len(const struct sched *s, const struct spec_info *si, size_t idx, size_t left)
{
	size_t nxt = si->skip[idx], d;

	if (nxt < s->nlive)
		d = nxt - idx;
	else if (si->skip[0] < idx)
		d = s->nlive - idx + si->skip[0];
	else
		d = left;
	return d < left ? d : left;
}

/* selectHost: the highest score wins, ties by reservoir sampling. */
struct pick {
	int64_t		best;		/* highest score offered, -1 none */
	uint64_t	ties;		/* nodes offered with that score */
	uint32_t	node;		/* the one kept */
};

static inline void
pick_offer(struct sched *s, struct pick *pk, int64_t sc, uint32_t node)
{
	if (sc > pk->best) {
		pk->best = sc;
		pk->node = node;
		pk->ties = 1;
	} else if (sc == pk->best) {
		pk->ties++;
		if (rng_below(&s->rng, pk->ties) == 0)
			pk->node = node;
	}
}

struct found {
	size_t		n;		/* candidates found */
	int64_t		max_taints;	/* their most untolerated PreferNoSchedule taints */
	int64_t		max_aff;	/* their highest preferred affinity weight */
	int		flat;		/* no preference scores: picked on the way, in pk */
	struct pick	pk;		/* then: the pick */
};

/*
 * Walk the live nodes from nextStartNodeIndex until `want` fit, scoring
 * each that does; advance nextStartNodeIndex by the nodes processed.
 */
static void
search(struct sched *s, struct spec_info *si, const struct ks_pod *p, struct sched_ctx *x,
    size_t want, struct found *fd)
{
	struct cand *cands = s->cands;
	size_t processed = 0, idx = s->next_start;
	int skip = p->pin_node < 0 && p->spec->node_name == NULL && skip_ready(s, si);

	/*
	 * Without PreferNoSchedule counts or preferred-affinity weights among
	 * the laid-out nodes, every normalized preference score is 3 x 100 +
	 * 2 x 0: the pick can be made as the nodes are found, in the same
	 * order, with the same draws, and nothing is stored.
	 */
	fd->flat = skip && si->skip_flat;

	while (processed < s->nlive && fd->n < want) {
		const struct verdict *v;
		struct cand *cd = &cands[fd->n];

		if (idx >= s->nlive)
			idx -= s->nlive;	/* a skip may wrap past the end */
		if (skip) {
			size_t d = skip_len(s, si, idx, s->nlive - processed);

			if (d > 0) {
				processed += d;
				s->stats.filter_calls += d;
				idx += d;
				continue;
			}
		}
		processed++;
		idx++;
		if (!search_fits(s, si, p, s->live[idx - 1], x, &v, skip))
			continue;
		cd->node = s->live[idx - 1];
		cd->base = score_node(s, v, p, cd->node, &cd->taints, &cd->aff);
		if (fd->flat) {
			assert(cd->taints == 0 && cd->aff == 0);
			pick_offer(s, &fd->pk, cd->base + 3 * 100, cd->node);
			fd->n++;
			continue;
		}
		if (cd->taints > fd->max_taints)
			fd->max_taints = cd->taints;
		if (cd->aff > fd->max_aff)
			fd->max_aff = cd->aff;
		fd->n++;
	}
	if (s->nlive > 0)
		s->next_start = (s->next_start + processed) % s->nlive;
}

/* p has no inter-pod terms and no pin: its verdicts read only its template and requests. */
static int
plain_pod(const struct ks_pod *p)
{
	return p->pin_node < 0 && p->spec->npod_aff == 0 && p->spec->ntsc == 0 &&
	    p->spec->npod_anti == 0;
}

/*
 * The FailedScheduling message of a plain pod whose template failed with
 * the same requests earlier in this pass, with no bind since (within a
 * pass only binds change what the filters read), or NULL.  The answer
 * cannot differ: explain() would scan the same nodes in the same state.
 */
static const char *
failed_before(const struct sched *s, const struct spec_info *si, const struct ks_pod *p)
{
	if (si->fail_pass != s->pass || si->fail_ver != s->bind_ver || !plain_pod(p) ||
	    memcmp(&si->fail_req, &p->req, sizeof(p->req)) != 0)
		return NULL;
	return si->fail_reason;
}

/* Try to place p; returns the chosen node or NULL with *reason set (interned). */
static struct ks_node *
schedule_one(struct sched *s, struct ks_pod *p, const char **reason)
{
	struct ks_cluster *c = s->c;
	int own;
	struct spec_info *si = sched_spec_get(s, p, &own);
	struct sched_ctx *x;
	size_t want = feasible_to_find(s, s->nlive), found;
	struct cand *cands;
	struct found fd = { 0, 0, 0, 0, { -1, 0, 0 } };
	int64_t max_taints, max_aff;

	s->stats.attempts++;
	if (!own && (*reason = failed_before(s, si, p)) != NULL)
		return NULL;
	x = sched_ctx_make(s, p, si, 0);
	if (s->candcap < want + 1) {
		s->candcap = want + 1;
		s->cands = xreallocarray(s->cands, s->candcap, sizeof(*s->cands));
	}
	cands = s->cands;
	search(s, si, p, x, want, &fd);
	found = fd.n;
	max_taints = fd.max_taints;
	max_aff = fd.max_aff;
	if (found == 0) {
		char msg[4096];

		explain(s, p, x, si, msg, sizeof(msg));
		*reason = intern(msg);
		sched_ctx_free(x);
		if (own) {
			sched_spec_free(si);
		} else if (plain_pod(p)) {
			si->fail_pass = s->pass;
			si->fail_ver = s->bind_ver;
			si->fail_req = p->req;
			si->fail_reason = *reason;
		}
		return NULL;
	}
	for (size_t i = 0; i < found && !fd.flat; i++) {
		int64_t sc = cands[i].base;

		/* TaintToleration x3: fewer intolerable PreferNoSchedule is better */
		sc += 3 * (max_taints ? 100 - cands[i].taints * 100 / max_taints : 100);
		/* NodeAffinity x2: normalized preferred weight */
		sc += 2 * (max_aff ? cands[i].aff * 100 / max_aff : 0);
		pick_offer(s, &fd.pk, sc, cands[i].node);
	}
	sched_ctx_free(x);
	if (own)
		sched_spec_free(si);
	return c->nodes[fd.pk.node];
}

static int
queue_less(const struct ks_pod *a, const struct ks_pod *b)
{
	if (a->spec->priority != b->spec->priority)
		return a->spec->priority > b->spec->priority;
	if (a->created_ms != b->created_ms)
		return a->created_ms < b->created_ms;
	return a->id < b->id;
}

static struct ks_cluster *sort_cluster;

static int
queue_cmp(const void *x, const void *y)
{
	const struct ks_pod *a = sort_cluster->pods[*(const uint32_t *)x];
	const struct ks_pod *b = sort_cluster->pods[*(const uint32_t *)y];

	return queue_less(a, b) ? -1 : queue_less(b, a) ? 1 : 0;
}

static int
same_shape(const struct ks_pod *a, const struct ks_pod *b)
{
	return a->spec == b->spec && memcmp(&a->req, &b->req, sizeof(a->req)) == 0 &&
	    plain_pod(a) && plain_pod(b);
}

static void	sched_kick(struct sched *);

void
sched_run(struct ks_cluster *c)
{
	struct sched *s = sched_of(c);
	uint32_t *batch;
	size_t nbatch;
	const struct ks_pod *last_fail = NULL;
	const char *last_reason = NULL;
	char ref[600];

	sched_live_rebuild(s);
	s->pass++;
	if (s->pass == 0)
		s->pass = 1;	/* 0 marks a record never read */
	if (s->changed) {
		/* MoveAllToActiveOrBackoffQueue: every unschedulable pod retries */
		for (size_t i = 0; i < c->nunsched; i++) {
			struct ks_pod *p = c->pods[c->unsched[i]];

			p->unsched_listed = 0;
			if (p->phase == POD_PENDING && !p->queued) {
				p->queued = 1;
				VEC_PUSH(c->queue, c->nqueue, c->qcap, p->id);
			}
		}
		c->nunsched = 0;
		s->changed = 0;
	}
	batch = c->queue;
	nbatch = c->nqueue;
	c->queue = NULL;
	c->nqueue = c->qcap = 0;
	sort_cluster = c;
	if (nbatch > 1)
		qsort(batch, nbatch, sizeof(*batch), queue_cmp);
	if (nbatch > 0 && nbatch * SWEEP_PODS_PER_NODE >= s->nlive)
		sweep(s);
	for (size_t i = 0; i < nbatch; i++) {
		struct ks_pod *p = c->pods[batch[i]];
		struct ks_node *n;
		const char *reason;

		p->queued = 0;
		if (p->phase != POD_PENDING)
			continue;
		if (last_fail != NULL && same_shape(p, last_fail)) {
			n = NULL;
			reason = last_reason;
		} else {
			reason = NULL;
			n = schedule_one(s, p, &reason);
		}
		if (n != NULL) {
			/* NodeResourcesFit held: the bind cannot overcommit */
			assert(res_short_free(&p->req, &n->alloc, &n->used, NULL) == 0);
			cluster_pod_bind(c, p, n);
			continue;
		}
		last_fail = p;
		last_reason = reason;
		if (p->unsched_since < 0)
			p->unsched_since = c->sim->now_ms;
		if (p->reason != reason)
			cluster_event(c, "FailedScheduling", pod_ref(p, ref, sizeof(ref)), "%s", reason);
		p->reason = reason;
		if (!p->unsched_listed) {
			p->unsched_listed = 1;
			VEC_PUSH(c->unsched, c->nunsched, c->unschedcap, p->id);
		}
		cluster_pod_unschedulable(c, p);
	}
	free(batch);
}

static int64_t
sched_fired(struct sim *sim, void *arg)
{
	struct sched *s = arg;

	(void)sim;
	s->ev = NULL;
	sched_run(s->c);
	return SIM_NOMORE;
}

static int64_t
sched_retry_fired(struct sim *sim, void *arg)
{
	struct sched *s = arg;

	(void)sim;
	if (s->c->nunsched > 0) {
		s->changed = 1;
		sched_kick(s);
	}
	return s->c->timing.sched_retry_ms;
}

/* Ask for a scheduling pass at the current time (idempotent). */
static void
sched_kick(struct sched *s)
{
	struct ks_cluster *c = s->c;

	if (!s->retry_armed && c->timing.sched_retry_ms > 0) {
		s->retry_armed = 1;
		sim_after(c->sim, c->timing.sched_retry_ms, "sched-retry", sched_retry_fired, s);
	}
	if (s->ev == NULL)
		s->ev = sim_after(c->sim, 0, "schedule", sched_fired, s);
}

/* ---- the cluster hook ---- */

static void
hook_pod_added(struct ks_cluster *c, struct ks_pod *p, void *arg)
{
	struct sched *s = arg;

	if (p->spec->npod_anti > 0) {
		s->nanti++;
		if (p->owner == NULL)
			VEC_PUSH(s->anti_ids, s->nanti_bare, s->anticap, p->id);
	}
	(void)c;
	sched_kick(s);
}

static void
hook_pod_bound(struct ks_cluster *c, struct ks_pod *p, void *arg)
{
	struct sched *s = arg;

	topo_pod_bound(s->topo, p);
	hot_set(s, c->nodes[p->node]);
	s->bind_ver++;
}

static void
hook_pod_unbound(struct ks_cluster *c, struct ks_pod *p, struct ks_node *n, void *arg)
{
	struct sched *s = arg;

	(void)c;
	topo_pod_unbound(s->topo, p, n);
	hot_set(s, n);
	s->bind_ver++;
	s->changed = 1;
	sched_kick(s);
}

static void
hook_node_changed(struct ks_cluster *c, struct ks_node *n, void *arg)
{
	struct sched *s = arg;

	(void)c;
	s->live_dirty = 1;
	s->live_ver++;
	s->bind_ver++;
	topo_node_changed(s->topo, n);
	if (n->state == NODE_READY) {
		/* a node joined: every unschedulable pod may fit now */
		s->changed = 1;
		sched_kick(s);
	}
}

static void
sched_free(void *arg)
{
	struct sched *s = arg;

	if (s == NULL)
		return;
	free(s->cands);
	free(s->hot);
	free(s->hsc);
	free(s->minprio);
	free(s->live);
	free(s->anti_ids);
	for (size_t i = 0; i < s->ninfos; i++)
		sched_spec_free(s->infos[i]);
	free(s->infos);
	ptrmap_free(&s->spec_idx);
	topo_free(s->topo);
	free(s);
}

static const struct cluster_sched_ops sched_ops = {
	.pod_added = hook_pod_added,
	.pod_bound = hook_pod_bound,
	.pod_unbound = hook_pod_unbound,
	.node_changed = hook_node_changed,
	.free = sched_free,
};

void
sched_attach(struct ks_cluster *c, const struct sched_opts *o)
{
	struct sched *s = xcalloc(1, sizeof(*s));

	s->c = c;
	if (o != NULL)
		s->opts = *o;
	rng_seed(&s->rng, c->seed, 2);
	s->live_dirty = 1;
	s->live_ver = 1;
	s->topo = topo_new(c);
	cluster_sched_set(c, &sched_ops, s);
}

const struct sched_stats *
sched_stats(const struct ks_cluster *c)
{
	return &sched_of(c)->stats;
}
