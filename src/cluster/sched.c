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
 * of registered nodes and tie-break stream (struct sched), and hears of
 * the cluster through cluster_sched_ops: a pod added (queue it, kick a
 * pass), a bound pod gone (retry the unschedulable ones), a node joining
 * or going.  The cluster knows nothing of it beyond that table, so
 * cluster.c builds and reads without this file.
 *
 * Costs: a pod is O(nodes examined) for plain pods (scores read the
 * node's NonZeroRequested sums, kept on bind, not its pods).  Pods with
 * topology spread or (anti-)affinity also pay O(workloads + matching pods
 * + nodes) to count matches per node and per domain: a controller's pods
 * share its template, so a selector is matched once per workload, never
 * once per pod in the cluster (upstream's PreFilter walks every pod).  As
 * soon as one pod has required anti-affinity, every pod pays
 * O(workloads with such terms + their matching pods).  Within one pass, a
 * pod identical to one that already failed (same template and requests,
 * no inter-pod terms) fails without a new search: kube-scheduler does the
 * work again, but the answer cannot differ because binding only takes
 * capacity away.  tests/bench/README.md has the measurements.
 */
#include "cluster/sched.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/intern.h"
#include "util/xmalloc.h"

#define NONZERO_CPU_M	100
#define NONZERO_MEM_B	(200LL * 1024 * 1024)

static const char *HOSTNAME_KEY = "kubernetes.io/hostname";

struct cand {
	uint32_t	node;
	int64_t		base;	/* fit + balanced */
	int64_t		taints;	/* untolerated PreferNoSchedule taints */
	int64_t		aff;	/* preferred affinity weight */
};

/* The scheduler's own state, one per cluster (cluster->sched). */
struct sched {
	struct ks_cluster	*c;		/* the cluster it serves (borrowed) */
	struct sched_opts	 opts;		/* profile knobs */
	struct sched_stats	 stats;		/* counters (benchmarks, tests) */
	struct ks_rng		 rng;		/* tie-break stream (seed, 2) */
	struct sim_event	*ev;		/* the pending scheduling pass, or NULL */
	int			 retry_armed;	/* the periodic unschedulable retry is queued */
	int			 changed;	/* something that may unblock pods happened */
	size_t			 next_start;	/* kube-scheduler's nextStartNodeIndex */
	struct cand		*cands;		/* scratch: scored candidates */
	size_t			 candcap;	/* its capacity */
	uint32_t		*live;		/* ids of registered nodes (Ready or deleting), by id */
	size_t			 nlive, livecap;
	int			 live_dirty;	/* the node set changed: rebuild live */
	size_t			 nanti;		/* pods ever created with required anti-affinity */
	uint32_t		*anti_ids;	/* ids of those without a controller, in creation order */
	size_t			 nanti_bare, anticap; /* their number, capacity */
};

static const struct cluster_sched_ops sched_ops;

static struct sched *
sched_of(const struct ks_cluster *c)
{
	assert(c->sched_ops == &sched_ops && c->sched != NULL);
	return c->sched;
}

static void
live_rebuild(struct sched *s)
{
	struct ks_cluster *c = s->c;

	if (!s->live_dirty && s->live != NULL)
		return;
	s->nlive = 0;
	for (size_t i = 0; i < c->nnodes; i++) {
		enum node_state st = c->nodes[i]->state;

		if (st == NODE_READY || st == NODE_DELETING)
			VEC_PUSH(s->live, s->nlive, s->livecap, (uint32_t)i);
	}
	if (s->live == NULL)
		s->live = xmalloc(sizeof(*s->live));
	s->live_dirty = 0;
}

/* ---- inter-pod context ---- */

struct term_counts {
	int		*by_node;	/* matching pods bound on each node id */
	int		 total;		/* matching pods anywhere */
	struct ptrmap	 by_domain;	/* interned domain value -> matching pods (as intptr_t) */
};

struct sched_ctx {
	size_t			 nnodes;
	struct term_counts	*aff;		/* per required podAffinity term */
	struct term_counts	*anti;		/* per required podAntiAffinity term */
	struct term_counts	*tsc;		/* per topology spread constraint */
	int			*tsc_min;	/* min count over eligible domains */
	int			*existing_anti;	/* per node: forbidden by an existing pod's anti-affinity */
	struct ptrmap		 anti_domains;	/* scratch: domains one term forbids */
	int			 self_aff;	/* the pod matches all its own affinity terms */
	size_t			 naff, nanti, ntsc;	/* entries in aff, anti, tsc (the pod's terms) */
};

static int
ns_in(const struct ks_podaff *t, const char *pod_ns, const char *ns)
{
	if (t->nns == 0)
		return ns == pod_ns;
	for (size_t i = 0; i < t->nns; i++)
		if (t->namespaces[i] == ns)
			return 1;
	return 0;
}

/*
 * The value of an interned label key on n (labels_set interns every key).
 * The scan runs from the end: the keys are sorted and the topology keys
 * ("topology.kubernetes.io/zone") sort last among the well-known labels.
 */
static const char *
node_label(const struct ks_node *n, const char *key)
{
	for (size_t i = n->labels.n; i-- > 0;)
		if (n->labels.v[i].key == key)
			return n->labels.v[i].val;
	return NULL;
}

static const char *
node_domain(const struct ks_node *n, const char *key)
{
	/* topology keys are normally interned: try the pointer scan first */
	const char *h = node_label(n, key);

	if (h == NULL)
		h = labels_get(&n->labels, key);
	if (h == NULL && (key == HOSTNAME_KEY || (key[0] == 'k' && strcmp(key, HOSTNAME_KEY) == 0)))
		h = n->name;	/* every node has a hostname */
	return h;
}

/* Matching pods in the same domain as node n: O(1) (by_domain is built once). */
static int
domain_count(struct ks_cluster *c, const struct term_counts *tc, const char *key,
    const struct ks_node *n)
{
	const char *d;

	(void)c;
	if (key[0] == 'k' && strcmp(key, HOSTNAME_KEY) == 0)
		return tc->by_node[n->id];
	d = node_domain(n, key);
	return d != NULL ? (int)(intptr_t)ptrmap_get(&tc->by_domain, d) : 0;
}

/* Sum by_node per domain of key (zone, ...): one pass over the live nodes. */
static void
domain_index(struct sched *s, struct term_counts *tc, const char *key)
{
	struct ks_cluster *c = s->c;

	if (strcmp(key, HOSTNAME_KEY) == 0)
		return;
	for (size_t i = 0; i < s->nlive; i++) {
		const struct ks_node *m = c->nodes[s->live[i]];
		const char *d = node_domain(m, key);

		if (d != NULL && tc->by_node[m->id] != 0)
			ptrmap_put(&tc->by_domain, d, (void *)((intptr_t)ptrmap_get(&tc->by_domain, d) +
			    tc->by_node[m->id]));
	}
}

/* Count q on its node when it is bound (not gone) to a registered node. */
static void
count_pod(struct ks_cluster *c, const struct ks_pod *q, struct term_counts *tc)
{
	const struct ks_node *n;

	if (q->node < 0 || !pod_alive(q))
		return;
	n = c->nodes[q->node];
	if (n->state != NODE_READY && n->state != NODE_DELETING)
		return;
	tc->by_node[n->id]++;
	tc->total++;
}

static void
count_matches(struct ks_cluster *c, const struct ks_selector *sel,
    const struct ks_podaff *t, const char *pod_ns, const char *ns_only,
    struct term_counts *tc)
{
	tc->by_node = xcalloc(c->nnodes ? c->nnodes : 1, sizeof(int));
	tc->total = 0;
	/*
	 * A controller's pods share its template (cluster.h), so the selector
	 * is matched once per workload and only the pods of matching ones are
	 * walked, plus the bare pods: O(workloads + matches), where a walk of
	 * every bound pod (what PreFilter does upstream) would make a
	 * 150,000-pod cluster quadratic in pods with spread or affinity.
	 */
	for (size_t i = 0; i < c->nwls; i++) {
		const struct ks_workload *w = c->wls[i];

		if (w->npods == 0 || (t != NULL ? !ns_in(t, pod_ns, w->ns) : w->ns != ns_only) ||
		    !selector_matches(sel, &w->spec.labels))
			continue;
		for (size_t j = 0; j < w->npods; j++)
			count_pod(c, c->pods[w->pods[j]], tc);
	}
	for (size_t i = 0; i < c->nbare; i++) {
		const struct ks_pod *q = c->pods[c->bare_ids[i]];

		if ((t != NULL ? !ns_in(t, pod_ns, q->ns) : q->ns != ns_only) ||
		    !selector_matches(sel, &q->spec->labels))
			continue;
		count_pod(c, q, tc);
	}
}

static int node_affinity_ok(const struct ks_podspec *, const struct ks_node *);

/*
 * Existing anti-affinity: mark the node of q (bound, on a registered node)
 * as forbidden.  For a topology key other than the hostname, the domain
 * is collected in x->anti_domains and existing_anti_spread() marks every
 * node of it afterwards, once per term.
 */
static void
existing_anti_mark(struct ks_cluster *c, struct sched_ctx *x, const struct ks_pod *q,
    const struct ks_podaff *t)
{
	const struct ks_node *n;
	const char *d;

	if (q->node < 0 || !pod_alive(q))
		return;
	n = c->nodes[q->node];
	if (n->state != NODE_READY && n->state != NODE_DELETING)
		return;
	d = node_domain(n, t->topology_key);
	if (d == NULL)
		return;
	if (x->existing_anti == NULL)
		x->existing_anti = xcalloc(c->nnodes ? c->nnodes : 1, sizeof(int));
	if (strcmp(t->topology_key, HOSTNAME_KEY) == 0)
		x->existing_anti[n->id] = 1;
	else
		ptrmap_put(&x->anti_domains, d, (void *)1);
}

static void
existing_anti_spread(struct sched *s, struct sched_ctx *x, const struct ks_podaff *t)
{
	struct ks_cluster *c = s->c;

	if (x->anti_domains.n == 0)
		return;
	for (size_t m = 0; m < s->nlive; m++) {
		const struct ks_node *o = c->nodes[s->live[m]];
		const char *d = node_domain(o, t->topology_key);

		if (d != NULL && ptrmap_get(&x->anti_domains, d) != NULL)
			x->existing_anti[o->id] = 1;
	}
	ptrmap_free(&x->anti_domains);
}

struct sched_ctx *
sched_ctx_new(struct ks_cluster *c, const struct ks_pod *p)
{
	const struct ks_podspec *s = p->spec;
	struct sched *sc = sched_of(c);
	struct sched_ctx *x;

	live_rebuild(sc);
	if (s->npod_aff == 0 && s->npod_anti == 0 && s->ntsc == 0 && sc->nanti == 0)
		return NULL;
	x = xcalloc(1, sizeof(*x));
	x->nnodes = c->nnodes;
	x->self_aff = 1;
	if (s->npod_aff > 0) {
		x->aff = xcalloc(s->npod_aff, sizeof(*x->aff));
		x->naff = s->npod_aff;
		for (size_t i = 0; i < s->npod_aff; i++) {
			count_matches(c, &s->pod_aff[i].sel, &s->pod_aff[i], p->ns, NULL, &x->aff[i]);
			domain_index(sc, &x->aff[i], s->pod_aff[i].topology_key);
			if (!ns_in(&s->pod_aff[i], p->ns, p->ns) ||
			    !selector_matches(&s->pod_aff[i].sel, &s->labels))
				x->self_aff = 0;
		}
	}
	if (s->npod_anti > 0) {
		x->anti = xcalloc(s->npod_anti, sizeof(*x->anti));
		x->nanti = s->npod_anti;
		for (size_t i = 0; i < s->npod_anti; i++) {
			count_matches(c, &s->pod_anti[i].sel, &s->pod_anti[i], p->ns, NULL, &x->anti[i]);
			domain_index(sc, &x->anti[i], s->pod_anti[i].topology_key);
		}
	}
	if (s->ntsc > 0) {
		x->tsc = xcalloc(s->ntsc, sizeof(*x->tsc));
		x->ntsc = s->ntsc;
		x->tsc_min = xcalloc(s->ntsc, sizeof(int));
		for (size_t i = 0; i < s->ntsc; i++) {
			int min = -1, host;

			count_matches(c, &s->tsc[i].sel, NULL, NULL, p->ns, &x->tsc[i]);
			domain_index(sc, &x->tsc[i], s->tsc[i].topology_key);
			host = strcmp(s->tsc[i].topology_key, HOSTNAME_KEY) == 0;
			/* the smallest count over the domains of the nodes the pod
			 * may use (nodeAffinityPolicy Honor, the default) */
			for (size_t j = 0; j < sc->nlive && min != 0; j++) {
				const struct ks_node *n = c->nodes[sc->live[j]];
				const char *d = node_domain(n, s->tsc[i].topology_key);
				int k;

				if (d == NULL || !node_affinity_ok(s, n))
					continue;
				k = host ? x->tsc[i].by_node[n->id] :
				    (int)(intptr_t)ptrmap_get(&x->tsc[i].by_domain, d);
				if (min < 0 || k < min)
					min = k;
			}
			x->tsc_min[i] = min < 0 ? 0 : min;
		}
	}
	if (sc->nanti > 0) {
		/*
		 * Existing pods whose required anti-affinity matches p forbid
		 * their own topology domain (upstream keeps the nodes' pods with
		 * such terms, PodsWithRequiredAntiAffinity).  A controller's pods
		 * share its terms, so each term is matched against p once per
		 * workload; then only that workload's bound pods are marked.
		 */
		for (size_t i = 0; i < c->nwls; i++) {
			const struct ks_workload *w = c->wls[i];

			for (size_t k = 0; k < w->spec.npod_anti && w->npods > 0; k++) {
				const struct ks_podaff *t = &w->spec.pod_anti[k];

				if (!ns_in(t, w->ns, p->ns) || !selector_matches(&t->sel, &s->labels))
					continue;
				for (size_t j = 0; j < w->npods; j++)
					existing_anti_mark(c, x, c->pods[w->pods[j]], t);
				existing_anti_spread(sc, x, t);
			}
		}
		for (size_t i = 0; i < sc->nanti_bare; i++) {
			const struct ks_pod *q = c->pods[sc->anti_ids[i]];

			for (size_t k = 0; k < q->spec->npod_anti; k++) {
				const struct ks_podaff *t = &q->spec->pod_anti[k];

				if (!ns_in(t, q->ns, p->ns) || !selector_matches(&t->sel, &s->labels))
					continue;
				existing_anti_mark(c, x, q, t);
				existing_anti_spread(sc, x, t);
			}
		}
	}
	return x;
}

void
sched_ctx_free(struct sched_ctx *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; x->aff && i < x->naff; i++) {
		free(x->aff[i].by_node);
		ptrmap_free(&x->aff[i].by_domain);
	}
	for (size_t i = 0; x->anti && i < x->nanti; i++) {
		free(x->anti[i].by_node);
		ptrmap_free(&x->anti[i].by_domain);
	}
	for (size_t i = 0; x->tsc && i < x->ntsc; i++) {
		free(x->tsc[i].by_node);
		ptrmap_free(&x->tsc[i].by_domain);
	}
	free(x->aff);
	free(x->anti);
	free(x->tsc);
	free(x->existing_anti);
	free(x->tsc_min);
	free(x);
}

/* ---- filters ---- */

static int
node_affinity_ok(const struct ks_podspec *s, const struct ks_node *n)
{
	for (size_t i = 0; i < s->node_selector.n; i++)
		if (node_label(n, s->node_selector.v[i].key) != s->node_selector.v[i].val)
			return 0;
	if (s->naffinity == 0)
		return 1;
	for (size_t i = 0; i < s->naffinity; i++) {
		const struct ks_selector *t = &s->affinity[i];
		int ok = !t->match_nothing;

		for (size_t j = 0; ok && j < t->n; j++) {
			const struct ks_req *r = &t->reqs[j];

			if (strcmp(r->key, "metadata.name") == 0) {
				/* matchFields: only In/NotIn on the node name */
				struct ks_labels one = { NULL, 0 };
				struct ks_label l = { r->key, n->name };

				one.v = &l;
				one.n = 1;
				ok = req_matches(r, &one);
			} else {
				ok = req_matches(r, &n->labels);
			}
		}
		if (ok)
			return 1;
	}
	return 0;
}

int
sched_fits(struct ks_cluster *c, const struct ks_pod *p, const struct ks_node *n,
    const struct ks_res *extra, struct sched_ctx *x, struct sched_fit *out)
{
	const struct ks_podspec *s = p->spec;
	struct ks_res free_;

	memset(out, 0, sizeof(*out));
	sched_of(c)->stats.filter_calls++;
	if (n->unschedulable) {
		/* NodeUnschedulable: tolerating node.kubernetes.io/unschedulable
		 * lets a pod (a DaemonSet's) through. */
		struct ks_taint t = { intern("node.kubernetes.io/unschedulable"), intern(""),
		    EFFECT_NOSCHEDULE };

		if (taints_untolerated(&t, 1, s->tols, s->ntols) != NULL && !s->is_daemon) {
			out->fail = SF_UNSCHEDULABLE;
			return 0;
		}
	}
	if ((s->node_name != NULL && s->node_name != n->name) ||
	    (p->pin_node >= 0 && (uint32_t)p->pin_node != n->id)) {
		out->fail = SF_NODENAME;
		return 0;
	}
	out->taint = taints_untolerated(n->taints, n->ntaints, s->tols, s->ntols);
	if (out->taint != NULL) {
		out->fail = SF_TAINT;
		return 0;
	}
	if (!node_affinity_ok(s, n)) {
		out->fail = SF_AFFINITY;
		return 0;
	}
	free_ = n->alloc;
	res_sub(&free_, &n->used);
	if (extra != NULL)
		res_sub(&free_, extra);
	out->short_res = res_short(&p->req, &free_);
	if (out->short_res != 0) {
		out->fail = SF_RESOURCES;
		return 0;
	}
	if (x == NULL)
		return 1;
	for (size_t i = 0; x->tsc != NULL && i < s->ntsc; i++) {
		const struct ks_tsc *t = &s->tsc[i];
		int cnt, self;

		if (!t->do_not_schedule)
			continue;
		if (node_domain(n, t->topology_key) == NULL) {
			out->fail = SF_SPREAD_LABEL;
			return 0;
		}
		cnt = domain_count(c, &x->tsc[i], t->topology_key, n);
		self = selector_matches(&t->sel, &s->labels) ? 1 : 0;
		if (cnt + self - x->tsc_min[i] > t->max_skew) {
			out->fail = SF_SPREAD;
			return 0;
		}
	}
	for (size_t i = 0; x->aff != NULL && i < s->npod_aff; i++) {
		if (node_domain(n, s->pod_aff[i].topology_key) == NULL ||
		    domain_count(c, &x->aff[i], s->pod_aff[i].topology_key, n) == 0) {
			/* the first pod of a group may go anywhere (satisfyPodAffinity) */
			int any = 0;

			for (size_t j = 0; j < s->npod_aff; j++)
				any += x->aff[j].total;
			if (any == 0 && x->self_aff)
				continue;
			out->fail = SF_POD_AFF;
			return 0;
		}
	}
	for (size_t i = 0; x->anti != NULL && i < s->npod_anti; i++) {
		if (node_domain(n, s->pod_anti[i].topology_key) != NULL &&
		    domain_count(c, &x->anti[i], s->pod_anti[i].topology_key, n) > 0) {
			out->fail = SF_POD_ANTI;
			return 0;
		}
	}
	if (x->existing_anti != NULL && x->existing_anti[n->id]) {
		out->fail = SF_EXISTING_ANTI;
		return 0;
	}
	return 1;
}

/* ---- reasons ---- */

void
sched_hist_add(struct sched_hist *h, const char *reason)
{
	const char *r = intern(reason);

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
sched_hist_add_fit(struct sched_hist *h, const struct sched_fit *f)
{
	char buf[600];

	switch (f->fail) {
	case SF_UNSCHEDULABLE:
		sched_hist_add(h, "node(s) were unschedulable");
		break;
	case SF_NODENAME:
		sched_hist_add(h, "node(s) didn't match the requested node name");
		break;
	case SF_TAINT:
		snprintf(buf, sizeof(buf), "node(s) had untolerated taint {%s: %s}",
		    f->taint->key, f->taint->val);
		sched_hist_add(h, buf);
		break;
	case SF_AFFINITY:
		sched_hist_add(h, "node(s) didn't match Pod's node affinity/selector");
		break;
	case SF_RESOURCES:
		for (int r = 0; r < RES_N; r++) {
			if (!(f->short_res & (1u << r)))
				continue;
			if (r == RES_PODS) {
				sched_hist_add(h, "Too many pods");
			} else {
				snprintf(buf, sizeof(buf), "Insufficient %s", res_name[r]);
				sched_hist_add(h, buf);
			}
		}
		break;
	case SF_SPREAD:
		sched_hist_add(h, "node(s) didn't match pod topology spread constraints");
		break;
	case SF_SPREAD_LABEL:
		sched_hist_add(h, "node(s) didn't match pod topology spread constraints (missing required label)");
		break;
	case SF_POD_AFF:
		sched_hist_add(h, "node(s) didn't match pod affinity rules");
		break;
	case SF_POD_ANTI:
		sched_hist_add(h, "node(s) didn't match pod anti-affinity rules");
		break;
	case SF_EXISTING_ANTI:
		sched_hist_add(h, "node(s) didn't satisfy existing pods anti-affinity rules");
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
preemption_reason(struct ks_cluster *c, const struct ks_pod *p, const struct ks_node *n,
    struct sched_ctx *x, struct sched_hist *ph)
{
	struct ks_res freed = { { 0 } };
	struct sched_fit f;
	int victims = 0;

	for (size_t i = 0; i < n->npods; i++) {
		const struct ks_pod *q = c->pods[n->pods[i]];

		if (q->spec->priority < p->spec->priority) {
			res_sub(&freed, &q->req);	/* a negative extra frees room */
			victims++;
		}
	}
	if (victims == 0) {
		sched_hist_add(ph, "No preemption victims found for incoming pod");
		return 0;
	}
	if (sched_fits(c, p, n, &freed, x, &f))
		return 1;
	sched_hist_add_fit(ph, &f);
	return 0;
}

static void
explain(struct sched *s, const struct ks_pod *p, struct sched_ctx *x, char *buf, size_t n)
{
	struct ks_cluster *c = s->c;
	struct sched_hist h = { .n = 0 }, ph = { .n = 0 };
	char a[2048], b[1024];
	int nnodes = (int)s->nlive;

	for (size_t i = 0; i < s->nlive; i++) {
		const struct ks_node *nd = c->nodes[s->live[i]];
		struct sched_fit f;

		if (sched_fits(c, p, nd, NULL, x, &f))
			continue;
		sched_hist_add_fit(&h, &f);
		if (unresolvable(f.fail))
			sched_hist_add(&ph, "Preemption is not helpful for scheduling");
		else
			(void)preemption_reason(c, p, nd, x, &ph);
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
	struct sched_ctx *x = sched_ctx_new(c, p);

	for (size_t i = 0; i < s->nlive; i++) {
		struct sched_fit f;

		if (sched_fits(c, p, c->nodes[s->live[i]], NULL, x, &f)) {
			sched_ctx_free(x);
			return 1;
		}
	}
	explain(s, p, x, buf, n);
	sched_ctx_free(x);
	return 0;
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

static int64_t
score_node(const struct sched *s, const struct ks_pod *p, const struct ks_node *n,
    int64_t *taint_cnt, int64_t *aff_w)
{
	int64_t ncpu, nmem, pcpu, pmem, fit, bal;
	double fc, fm, d;

	/* NodeInfo.NonZeroRequested, kept by the cluster on bind and unbind */
	nonzero(&p->req, &pcpu, &pmem);
	ncpu = n->nz_cpu_m + pcpu;
	nmem = n->nz_mem_b + pmem;
	fit = (frac_score(ncpu, n->alloc.v[RES_CPU], s->opts.most_allocated) +
	    frac_score(nmem, n->alloc.v[RES_MEM], s->opts.most_allocated)) / 2;
	fc = n->alloc.v[RES_CPU] ? (double)(n->used.v[RES_CPU] + p->req.v[RES_CPU]) /
	    (double)n->alloc.v[RES_CPU] : 0;
	fm = n->alloc.v[RES_MEM] ? (double)(n->used.v[RES_MEM] + p->req.v[RES_MEM]) /
	    (double)n->alloc.v[RES_MEM] : 0;
	if (fc > 1)
		fc = 1;
	if (fm > 1)
		fm = 1;
	d = fc > fm ? fc - fm : fm - fc;
	bal = (int64_t)((1.0 - d / 2) * 100);
	*taint_cnt = taints_prefer_count(n->taints, n->ntaints, p->spec->tols, p->spec->ntols);
	*aff_w = 0;
	for (size_t i = 0; i < p->spec->npref; i++)
		if (selector_matches(&p->spec->pref_affinity[i], &n->labels))
			*aff_w += p->spec->pref_weight[i];
	return fit + bal;
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

/* Try to place p; returns the chosen node or NULL with *fail_msg set. */
static struct ks_node *
schedule_one(struct sched *s, struct ks_pod *p, char *msg, size_t msgsz)
{
	struct ks_cluster *c = s->c;
	struct sched_ctx *x = sched_ctx_new(c, p);
	size_t want = feasible_to_find(s, s->nlive), found = 0, processed = 0;
	struct cand *cands = s->cands;
	int64_t max_taints = 0, max_aff = 0, best = -1;
	struct ks_node *pick = NULL;
	uint64_t ties = 0;

	s->stats.attempts++;
	if (s->candcap < want + 1) {
		s->candcap = want + 1;
		cands = xreallocarray(cands, s->candcap, sizeof(*cands));
		s->cands = cands;
	}
	for (size_t k = 0; k < s->nlive && found < want; k++) {
		size_t idx = (s->next_start + k) % s->nlive;
		const struct ks_node *n = c->nodes[s->live[idx]];
		struct sched_fit f;

		processed++;
		if (!sched_fits(c, p, n, NULL, x, &f))
			continue;
		cands[found].node = n->id;
		cands[found].base = score_node(s, p, n, &cands[found].taints, &cands[found].aff);
		if (cands[found].taints > max_taints)
			max_taints = cands[found].taints;
		if (cands[found].aff > max_aff)
			max_aff = cands[found].aff;
		found++;
	}
	if (s->nlive > 0)
		s->next_start = (s->next_start + processed) % s->nlive;
	if (found == 0) {
		explain(s, p, x, msg, msgsz);
		sched_ctx_free(x);
		return NULL;
	}
	for (size_t i = 0; i < found; i++) {
		int64_t sc = cands[i].base;

		/* TaintToleration x3: fewer intolerable PreferNoSchedule is better */
		sc += 3 * (max_taints ? 100 - cands[i].taints * 100 / max_taints : 100);
		/* NodeAffinity x2: normalized preferred weight */
		sc += 2 * (max_aff ? cands[i].aff * 100 / max_aff : 0);
		if (sc > best) {
			best = sc;
			pick = c->nodes[cands[i].node];
			ties = 1;
		} else if (sc == best) {
			ties++;
			if (rng_below(&s->rng, ties) == 0)
				pick = c->nodes[cands[i].node];
		}
	}
	sched_ctx_free(x);
	return pick;
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
	    a->pin_node < 0 && b->pin_node < 0 && a->spec->npod_aff == 0 && a->spec->ntsc == 0 &&
	    a->spec->npod_anti == 0;
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
	char msg[4096], ref[600];

	live_rebuild(s);
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
			n = schedule_one(s, p, msg, sizeof(msg));
			reason = n == NULL ? intern(msg) : NULL;
		}
		if (n != NULL) {
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
hook_pod_unbound(struct ks_cluster *c, struct ks_pod *p, struct ks_node *n, void *arg)
{
	struct sched *s = arg;

	(void)c;
	(void)p;
	(void)n;
	s->changed = 1;
	sched_kick(s);
}

static void
hook_node_changed(struct ks_cluster *c, struct ks_node *n, void *arg)
{
	struct sched *s = arg;

	(void)c;
	s->live_dirty = 1;
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
	free(s->live);
	free(s->anti_ids);
	free(s);
}

static const struct cluster_sched_ops sched_ops = {
	.pod_added = hook_pod_added,
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
	cluster_sched_set(c, &sched_ops, s);
}

const struct sched_stats *
sched_stats(const struct ks_cluster *c)
{
	return &sched_of(c)->stats;
}
