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

#include "cluster/topo.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define NONZERO_CPU_M	100
#define NONZERO_MEM_B	(200LL * 1024 * 1024)

/*
 * What the search reads of a node, by node id, so that checking a node is
 * one cache line here rather than misses in its struct, its facts and its
 * verdict.  room and the score inputs follow every bind and unbind the
 * cluster reports; the shape and the cordon flag are read again once per
 * scheduling pass (nothing relabels, taints or cordons a node while a
 * pass runs: autoscalers act from their own events).
 */
struct hot {
	uint32_t	pass;		/* the pass shape and unsched were read in */
	uint32_t	shape;		/* topo shape id + 1 */
	int32_t		unsched;	/* spec.unschedulable */
	int32_t		pad_;		/* (alignment) */
	struct ks_res	room;		/* alloc - used */
	int64_t		pad2_;		/* (64 bytes: cpu, memory and pods in the first 48) */
};

/* What scoring reads, by node id, apart: only feasible nodes are scored. */
struct hot_score {
	int64_t		alloc_cpu_m;	/* allocatable cpu, millicores */
	int64_t		alloc_mem_b;	/* allocatable memory, bytes */
	int64_t		nz_cpu_m;	/* NonZeroRequested cpu, millicores */
	int64_t		nz_mem_b;	/* NonZeroRequested memory, bytes */
	int64_t		memo_cpu_m;	/* the pod cpu request memo_base was scored for, -1 none */
	int64_t		memo_mem_b;	/* its memory request */
	int64_t		memo_base;	/* NodeResourcesFit + BalancedAllocation for it */
};

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
	uint64_t		 live_ver;	/* bumped when the node set changes (from 1) */
	struct hot		*hot;		/* by node id: what the search reads of a node */
	struct hot_score	*hsc;		/* by node id: what scoring reads */
	size_t			 hotcap;	/* entries of hot and hsc */
	uint32_t		 pass;		/* scheduling passes run (stamps hot records) */
	uint32_t		 swept;		/* the pass whose start read every live node's facts */
	uint64_t		 swept_ver;	/* live_ver then */
	struct topo		*topo;		/* per-node facts and per-workload counts */
	struct ptrmap		 spec_idx;	/* pod template -> struct spec_info */
	struct spec_info	**infos;	/* the same records, to free them */
	size_t			 ninfos, infocap;
};

static const struct cluster_sched_ops sched_ops;

static struct sched *
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

		if (st == NODE_READY || st == NODE_DELETING) {
			VEC_PUSH(s->live, s->nlive, s->livecap, (uint32_t)i);
			hot_set(s, c->nodes[i]);
		}
	}
	if (s->live == NULL)
		s->live = xmalloc(sizeof(*s->live));
	s->live_dirty = 0;
}

/* ---- per-template facts: static filter verdicts and matching workloads ---- */

#define NO_TAINT	UINT16_MAX

/* Static filter results of one pod template on one node shape. */
struct verdict {
	uint8_t		known;		/* computed */
	uint8_t		aff_ok;		/* nodeSelector and required node affinity pass */
	uint16_t	taint;		/* first untolerated NoSchedule/NoExecute taint, or NO_TAINT */
	int32_t		prefer;		/* untolerated PreferNoSchedule taints (scoring) */
	int64_t		aff_w;		/* preferred node affinity weight (scoring) */
};

/* Ids of the workloads whose template a term selects, extended as workloads appear. */
struct idlist {
	uint32_t	*v;
	size_t		 n, cap;
};

/* A workload's required anti-affinity term that selects a template. */
struct anti_ref {
	uint32_t	wl;		/* workload id */
	uint32_t	term;		/* index in its spec.pod_anti */
};

/* Eligible domains of one topology spread constraint (non-hostname key). */
struct domlist {
	const char	**v;		/* interned domain values, each once */
	size_t		 n, cap;
};

/*
 * What the scheduler keeps per pod template (a workload's spec, or a bare
 * pod's): the verdicts of its static filters per node shape, and the
 * workloads its inter-pod terms select.  Templates live as long as the
 * cluster, so the record is kept for the run, keyed by the spec pointer.
 */
struct spec_info {
	const struct ks_podspec	*spec;		/* the template (borrowed) */
	const char		*ns;		/* namespace of its pods */
	int			 by_shape;	/* static filters read only the node shape */
	int			 tol_unsched;	/* tolerates node.kubernetes.io/unschedulable */
	struct verdict		*v;		/* per shape id */
	size_t			 nv;
	struct idlist		*aff, *anti, *tsc;	/* per term of the spec */
	struct anti_ref		*xanti;		/* other workloads' anti terms selecting it */
	size_t			 nxanti, xanticap;
	size_t			 wls_seen;	/* c->wls[0, wls_seen) matched so far */
	struct domlist		*tsc_dom;	/* per topology spread constraint */
	uint64_t		 tsc_ver;	/* live_ver tsc_dom was built for; 0 = never */
	uint32_t		 use_pass;	/* the pass uses counts pods in */
	uint32_t		 uses;		/* its pods searched for in that pass */
	uint32_t		*skip;		/* by live position: next one its static filters pass */
	size_t			 skipcap;	/* entries of skip */
	uint32_t		 skip_pass;	/* the pass skip was built in, 0 none */
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

/* Does a node selector term read the node's name or hostname? */
static int
sel_per_node(const struct sched *s, const struct ks_selector *sel)
{
	for (size_t j = 0; j < sel->n; j++)
		if (topo_key_is_host(s->topo, sel->reqs[j].key) ||
		    strcmp(sel->reqs[j].key, "metadata.name") == 0)
			return 1;
	return 0;
}

static int
spec_by_shape(const struct sched *s, const struct ks_podspec *sp)
{
	for (size_t i = 0; i < sp->node_selector.n; i++)
		if (topo_key_is_host(s->topo, sp->node_selector.v[i].key))
			return 0;
	for (size_t i = 0; i < sp->naffinity; i++)
		if (sel_per_node(s, &sp->affinity[i]))
			return 0;
	for (size_t i = 0; i < sp->npref; i++)
		if (sel_per_node(s, &sp->pref_affinity[i]))
			return 0;
	return 1;
}

static struct spec_info *
spec_info_new(struct sched *s, const struct ks_podspec *sp, const char *ns)
{
	struct spec_info *si = xcalloc(1, sizeof(*si));
	struct ks_taint t = { intern("node.kubernetes.io/unschedulable"), intern(""),
	    EFFECT_NOSCHEDULE };

	si->spec = sp;
	si->ns = ns;
	si->by_shape = spec_by_shape(s, sp);
	si->tol_unsched = taints_untolerated(&t, 1, sp->tols, sp->ntols) == NULL;
	si->aff = xcalloc(sp->npod_aff + 1, sizeof(*si->aff));
	si->anti = xcalloc(sp->npod_anti + 1, sizeof(*si->anti));
	si->tsc = xcalloc(sp->ntsc + 1, sizeof(*si->tsc));
	si->tsc_dom = xcalloc(sp->ntsc + 1, sizeof(*si->tsc_dom));
	return si;
}

static void
spec_info_free(struct spec_info *si)
{
	const struct ks_podspec *sp;

	if (si == NULL)
		return;
	sp = si->spec;
	for (size_t i = 0; i < sp->npod_aff; i++)
		free(si->aff[i].v);
	for (size_t i = 0; i < sp->npod_anti; i++)
		free(si->anti[i].v);
	for (size_t i = 0; i < sp->ntsc; i++) {
		free(si->tsc[i].v);
		free(si->tsc_dom[i].v);
	}
	free(si->aff);
	free(si->anti);
	free(si->tsc);
	free(si->tsc_dom);
	free(si->xanti);
	free(si->v);
	free(si->skip);
	free(si);
}

/* Is p one of the cluster's pods (its spec then lives as long as the cluster)? */
static int
pod_in_cluster(const struct ks_cluster *c, const struct ks_pod *p)
{
	return p->id < c->npods && c->pods[p->id] == p;
}

/*
 * The record of p's template: the scheduler's own for a pod of the
 * cluster, else (an autoscaler's probe, whose spec may not outlive the
 * call) a new one the caller frees (*own set).
 */
static struct spec_info *
spec_info_get(struct sched *s, const struct ks_pod *p, int *own)
{
	struct spec_info *si;

	*own = 0;
	if (pod_in_cluster(s->c, p)) {
		si = ptrmap_get(&s->spec_idx, p->spec);
		if (si != NULL && si->ns == p->ns)
			return si;
		if (si == NULL) {
			si = spec_info_new(s, p->spec, p->ns);
			ptrmap_put(&s->spec_idx, p->spec, si);
			VEC_PUSH(s->infos, s->ninfos, s->infocap, si);
			return si;
		}
	}
	*own = 1;
	return spec_info_new(s, p->spec, p->ns);
}

/* Match the workloads created since the last call against si's terms. */
static void
spec_info_sync(struct sched *s, struct spec_info *si)
{
	struct ks_cluster *c = s->c;
	const struct ks_podspec *sp = si->spec;

	for (; si->wls_seen < c->nwls; si->wls_seen++) {
		const struct ks_workload *w = c->wls[si->wls_seen];
		uint32_t id = w->id;

		for (size_t i = 0; i < sp->npod_aff; i++)
			if (ns_in(&sp->pod_aff[i], si->ns, w->ns) &&
			    selector_matches(&sp->pod_aff[i].sel, &w->spec.labels))
				VEC_PUSH(si->aff[i].v, si->aff[i].n, si->aff[i].cap, id);
		for (size_t i = 0; i < sp->npod_anti; i++)
			if (ns_in(&sp->pod_anti[i], si->ns, w->ns) &&
			    selector_matches(&sp->pod_anti[i].sel, &w->spec.labels))
				VEC_PUSH(si->anti[i].v, si->anti[i].n, si->anti[i].cap, id);
		for (size_t i = 0; i < sp->ntsc; i++)
			if (w->ns == si->ns && selector_matches(&sp->tsc[i].sel, &w->spec.labels))
				VEC_PUSH(si->tsc[i].v, si->tsc[i].n, si->tsc[i].cap, id);
		for (size_t k = 0; k < w->spec.npod_anti; k++) {
			const struct ks_podaff *t = &w->spec.pod_anti[k];
			struct anti_ref r = { id, (uint32_t)k };

			if (ns_in(t, w->ns, si->ns) && selector_matches(&t->sel, &sp->labels))
				VEC_PUSH(si->xanti, si->nxanti, si->xanticap, r);
		}
	}
}

/* ---- filters ---- */

static int
node_affinity_ok(const struct ks_podspec *s, const struct ks_node *n)
{
	for (size_t i = 0; i < s->node_selector.n; i++)
		if (labels_lookup(&n->labels, s->node_selector.v[i].key) != s->node_selector.v[i].val)
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

static void
verdict_compute(const struct ks_podspec *sp, const struct ks_node *n, struct verdict *v)
{
	const struct ks_taint *t = taints_untolerated(n->taints, n->ntaints, sp->tols, sp->ntols);

	v->taint = t != NULL ? (uint16_t)(t - n->taints) : NO_TAINT;
	v->aff_ok = (uint8_t)node_affinity_ok(sp, n);
	v->prefer = taints_prefer_count(n->taints, n->ntaints, sp->tols, sp->ntols);
	v->aff_w = 0;
	for (size_t i = 0; i < sp->npref; i++)
		if (selector_matches(&sp->pref_affinity[i], &n->labels))
			v->aff_w += sp->pref_weight[i];
	v->known = 1;
}

/*
 * The static verdicts of si's template on n, computed once per node shape;
 * NULL when they cannot be shared (no record, a template that reads the
 * node's name, or a node outside the cluster such as a template node).
 */
static const struct verdict *
verdict_of(struct sched *s, struct spec_info *si, const struct ks_node *n)
{
	uint32_t id;
	struct verdict *v;

	if (si == NULL || !si->by_shape || !topo_has_node(s->topo, n))
		return NULL;
	id = topo_node(s->topo, n)->shape - 1;
	if (id >= si->nv) {
		size_t nv = topo_nshapes(s->topo);

		assert(id < nv);
		si->v = xreallocarray(si->v, nv, sizeof(*si->v));
		memset(si->v + si->nv, 0, (nv - si->nv) * sizeof(*si->v));
		si->nv = nv;
	}
	v = &si->v[id];
	if (!v->known)
		verdict_compute(si->spec, n, v);
	assert(v->taint == NO_TAINT || v->taint < n->ntaints);
	return v;
}

static int
aff_ok(struct sched *s, struct spec_info *si, const struct ks_node *n)
{
	const struct verdict *v = verdict_of(s, si, n);

	return v != NULL ? v->aff_ok : node_affinity_ok(si->spec, n);
}

/* ---- inter-pod context ---- */

struct term_counts {
	const char	*key;		/* topology key (interned) */
	int		 host;		/* the key is kubernetes.io/hostname */
	struct topo_wl	**tw;		/* counts of the workloads the term selects */
	size_t		 ntw;
	struct ptrmap	 bare_node;	/* matching bare pods: node -> count */
	struct ptrmap	 dom;		/* other keys: domain -> matching pods */
	int		 total;		/* matching pods anywhere */
};

/* An existing pod's required anti-affinity term that selects the pod. */
struct xanti {
	const char		*key;	/* its topology key */
	int			 host;	/* the key is the hostname */
	struct topo_wl		*tw;	/* a workload's pods, or NULL: */
	const struct ks_node	*node;	/* a bare pod's node */
	const char		*dom;	/* and its domain of key */
};

struct sched_ctx {
	struct spec_info	*si;		/* the pod's template record */
	int			 own_si;	/* si was made for this context */
	struct term_counts	*aff;		/* per required podAffinity term */
	struct term_counts	*anti;		/* per required podAntiAffinity term */
	struct term_counts	*tsc;		/* per topology spread constraint */
	int			*tsc_min;	/* min count over eligible domains */
	int			*tsc_self;	/* the pod matches the constraint's selector: 1 */
	struct xanti		*xa;		/* existing anti-affinity that forbids domains */
	size_t			 nxa, xacap;
	int			 self_aff;	/* the pod matches all its own affinity terms */
	size_t			 naff, nanti, ntsc;	/* entries in aff, anti, tsc (the pod's terms) */
};

/* Bound (not gone) to a registered node: counted by the inter-pod filters. */
static int
counted(struct sched *s, const struct ks_pod *q)
{
	return q->node >= 0 && pod_alive(q) && topo_registered(s->topo, s->c->nodes[q->node]);
}

static void
term_build(struct sched *s, struct term_counts *tc, const struct idlist *wls,
    const struct ks_selector *sel, const struct ks_podaff *t, const char *pod_ns,
    const char *key)
{
	struct ks_cluster *c = s->c;

	tc->key = key;
	tc->host = topo_key_is_host(s->topo, key);
	tc->tw = xreallocarray(NULL, wls->n + 1, sizeof(*tc->tw));
	for (size_t i = 0; i < wls->n; i++) {
		struct topo_wl *tw = topo_wl(s->topo, c->wls[wls->v[i]]);

		tc->tw[tc->ntw++] = tw;
		tc->total += topo_wl_total(tw);
		if (!tc->host)
			topo_wl_domains(s->topo, tw, key, &tc->dom);
	}
	for (size_t i = 0; i < c->nbare; i++) {
		const struct ks_pod *q = c->pods[c->bare_ids[i]];
		const struct ks_node *n;
		const char *d;

		if ((t != NULL ? !ns_in(t, pod_ns, q->ns) : q->ns != pod_ns) ||
		    !selector_matches(sel, &q->spec->labels) || !counted(s, q))
			continue;
		n = c->nodes[q->node];
		topo_count_add(&tc->bare_node, n, 1);
		tc->total++;
		if (!tc->host && (d = topo_domain_fast(s->topo, n, key)) != NULL)
			topo_count_add(&tc->dom, d, 1);
	}
}

/*
 * The node an inter-pod filter looks at: its id, and whether its facts
 * were read in this pass (the search), so that its zone and hostname
 * come from the topology record without touching the node.
 */
struct at {
	const struct ks_node	*n;		/* the node (not read when trusted) */
	uint32_t		 id;		/* its id */
	int			 trusted;	/* its topology record is current */
};

static inline const char *
at_domain(struct sched *s, const struct at *w, const char *key)
{
	if (w->trusted && (key == s->topo->k_zone || key == s->topo->k_host)) {
		const struct topo_node *e = &s->topo->nodes[w->id];

		assert(w->id < s->topo->nodecap);
		return key == s->topo->k_zone ? e->zone : e->host;
	}
	return topo_domain_fast(s->topo, w->n, key);
}

static int
term_on_node(const struct term_counts *tc, const struct ks_node *n, uint32_t id)
{
	int k = tc->bare_node.n ? topo_count_get(&tc->bare_node, n) : 0;

	for (size_t i = 0; i < tc->ntw; i++)
		k += topo_wl_on_node(tc->tw[i], id);
	return k;
}

/* Matching pods in the same domain of tc->key as the node. */
static int
term_count(struct sched *s, const struct term_counts *tc, const struct at *w)
{
	const char *d;

	if (tc->host)
		return term_on_node(tc, w->n, w->id);
	d = at_domain(s, w, tc->key);
	return d != NULL ? topo_count_get(&tc->dom, d) : 0;
}

static void
term_free(struct term_counts *tc)
{
	free(tc->tw);
	ptrmap_free(&tc->bare_node);
	ptrmap_free(&tc->dom);
}

/* The eligible domains of each non-hostname spread key: live nodes that
 * pass the pod's node affinity (nodeAffinityPolicy Honor, the default). */
static void
tsc_domains(struct sched *s, struct spec_info *si)
{
	const struct ks_podspec *sp = si->spec;

	if (si->tsc_ver == s->live_ver)
		return;
	for (size_t i = 0; i < sp->ntsc; i++) {
		struct domlist *dl = &si->tsc_dom[i];
		struct ptrmap seen = { 0 };

		dl->n = 0;
		if (topo_key_is_host(s->topo, sp->tsc[i].topology_key))
			continue;
		for (size_t j = 0; j < s->nlive; j++) {
			const struct ks_node *n = s->c->nodes[s->live[j]];
			const char *d = topo_domain_fast(s->topo, n, sp->tsc[i].topology_key);

			if (d == NULL || ptrmap_get(&seen, d) != NULL || !aff_ok(s, si, n))
				continue;
			ptrmap_put(&seen, d, (void *)1);
			VEC_PUSH(dl->v, dl->n, dl->cap, d);
		}
		ptrmap_free(&seen);
	}
	si->tsc_ver = s->live_ver;
}

static int
tsc_min(struct sched *s, struct sched_ctx *x, size_t i)
{
	const struct term_counts *tc = &x->tsc[i];
	const struct domlist *dl = &x->si->tsc_dom[i];
	int min = -1;

	if (!tc->host) {
		for (size_t j = 0; j < dl->n && min != 0; j++) {
			int k = topo_count_get(&tc->dom, dl->v[j]);

			if (min < 0 || k < min)
				min = k;
		}
		return min < 0 ? 0 : min;
	}
	for (size_t j = 0; j < s->nlive && min != 0; j++) {
		const struct ks_node *n = s->c->nodes[s->live[j]];
		int k;

		if (!aff_ok(s, x->si, n))
			continue;
		k = term_on_node(tc, n, n->id);
		if (min < 0 || k < min)
			min = k;
	}
	return min < 0 ? 0 : min;
}

/*
 * Existing pods whose required anti-affinity selects p forbid their own
 * topology domain (upstream keeps the nodes' pods with such terms,
 * PodsWithRequiredAntiAffinity).  A controller's pods share its terms, so
 * the terms that select p's template were found once (spec_info_sync) and
 * the workload's counts answer per node; bare pods are walked.
 */
static void
xanti_build(struct sched *s, struct sched_ctx *x, const struct ks_pod *p)
{
	struct ks_cluster *c = s->c;
	struct spec_info *si = x->si;

	for (size_t i = 0; i < si->nxanti; i++) {
		const struct ks_workload *w = c->wls[si->xanti[i].wl];
		const struct ks_podaff *t = &w->spec.pod_anti[si->xanti[i].term];
		struct xanti a = { t->topology_key, topo_key_is_host(s->topo, t->topology_key),
		    NULL, NULL, NULL };

		if (w->npods == 0)
			continue;
		a.tw = topo_wl(s->topo, w);
		if (topo_wl_total(a.tw) > 0)
			VEC_PUSH(x->xa, x->nxa, x->xacap, a);
	}
	for (size_t i = 0; i < s->nanti_bare; i++) {
		const struct ks_pod *q = c->pods[s->anti_ids[i]];

		if (!counted(s, q))
			continue;
		for (size_t k = 0; k < q->spec->npod_anti; k++) {
			const struct ks_podaff *t = &q->spec->pod_anti[k];
			const struct ks_node *n = c->nodes[q->node];
			struct xanti a = { t->topology_key, topo_key_is_host(s->topo, t->topology_key),
			    NULL, n, topo_domain_fast(s->topo, n, t->topology_key) };

			if (a.dom == NULL || !ns_in(t, q->ns, p->ns) ||
			    !selector_matches(&t->sel, &p->spec->labels))
				continue;
			VEC_PUSH(x->xa, x->nxa, x->xacap, a);
		}
	}
}

static int
xanti_forbids(struct sched *s, const struct sched_ctx *x, const struct at *w)
{
	for (size_t i = 0; i < x->nxa; i++) {
		const struct xanti *a = &x->xa[i];
		const char *d;

		if (a->host) {
			if (a->tw != NULL ? topo_wl_on_node(a->tw, w->id) > 0 : a->node == w->n)
				return 1;
			continue;
		}
		if ((d = at_domain(s, w, a->key)) == NULL)
			continue;
		if (a->tw != NULL ? topo_wl_in_domain(s->topo, a->tw, a->key, d) > 0 : a->dom == d)
			return 1;
	}
	return 0;
}

static struct sched_ctx *
ctx_new(struct sched *s, const struct ks_pod *p, struct spec_info *si, int own)
{
	const struct ks_podspec *sp = p->spec;
	struct sched_ctx *x;

	live_rebuild(s);
	if (sp->npod_aff == 0 && sp->npod_anti == 0 && sp->ntsc == 0 && s->nanti == 0) {
		if (own)
			spec_info_free(si);
		return NULL;
	}
	spec_info_sync(s, si);
	x = xcalloc(1, sizeof(*x));
	x->si = si;
	x->own_si = own;
	x->self_aff = 1;
	if (s->nanti > 0)
		xanti_build(s, x, p);
	if (sp->npod_aff == 0 && sp->npod_anti == 0 && sp->ntsc == 0 && x->nxa == 0) {
		/* nothing inter-pod applies: the same as no context */
		sched_ctx_free(x);
		return NULL;
	}
	x->naff = sp->npod_aff;
	x->aff = xcalloc(sp->npod_aff + 1, sizeof(*x->aff));
	for (size_t i = 0; i < sp->npod_aff; i++) {
		term_build(s, &x->aff[i], &si->aff[i], &sp->pod_aff[i].sel, &sp->pod_aff[i], p->ns,
		    sp->pod_aff[i].topology_key);
		if (!ns_in(&sp->pod_aff[i], p->ns, p->ns) ||
		    !selector_matches(&sp->pod_aff[i].sel, &sp->labels))
			x->self_aff = 0;
	}
	x->nanti = sp->npod_anti;
	x->anti = xcalloc(sp->npod_anti + 1, sizeof(*x->anti));
	for (size_t i = 0; i < sp->npod_anti; i++)
		term_build(s, &x->anti[i], &si->anti[i], &sp->pod_anti[i].sel, &sp->pod_anti[i],
		    p->ns, sp->pod_anti[i].topology_key);
	x->ntsc = sp->ntsc;
	x->tsc = xcalloc(sp->ntsc + 1, sizeof(*x->tsc));
	x->tsc_min = xcalloc(sp->ntsc + 1, sizeof(int));
	x->tsc_self = xcalloc(sp->ntsc + 1, sizeof(int));
	if (sp->ntsc > 0)
		tsc_domains(s, si);
	for (size_t i = 0; i < sp->ntsc; i++) {
		term_build(s, &x->tsc[i], &si->tsc[i], &sp->tsc[i].sel, NULL, p->ns,
		    sp->tsc[i].topology_key);
		x->tsc_min[i] = tsc_min(s, x, i);
		x->tsc_self[i] = selector_matches(&sp->tsc[i].sel, &sp->labels) ? 1 : 0;
	}
	return x;
}

struct sched_ctx *
sched_ctx_new(struct ks_cluster *c, const struct ks_pod *p)
{
	struct sched *s = sched_of(c);
	int own;
	struct spec_info *si = spec_info_get(s, p, &own);

	return ctx_new(s, p, si, own);
}

void
sched_ctx_free(struct sched_ctx *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; x->aff != NULL && i < x->naff; i++)
		term_free(&x->aff[i]);
	for (size_t i = 0; x->anti != NULL && i < x->nanti; i++)
		term_free(&x->anti[i]);
	for (size_t i = 0; x->tsc != NULL && i < x->ntsc; i++)
		term_free(&x->tsc[i]);
	free(x->aff);
	free(x->anti);
	free(x->tsc);
	free(x->tsc_min);
	free(x->tsc_self);
	free(x->xa);
	if (x->own_si)
		spec_info_free(x->si);
	free(x);
}

/* The inter-pod filters, in kube-scheduler's order. */
static unsigned
interpod_fail(struct sched *s, const struct ks_podspec *sp, const struct at *w,
    const struct sched_ctx *x)
{
	for (size_t i = 0; i < x->ntsc; i++) {
		const struct ks_tsc *t = &sp->tsc[i];

		if (!t->do_not_schedule)
			continue;
		if (at_domain(s, w, t->topology_key) == NULL)
			return SF_SPREAD_LABEL;
		if (term_count(s, &x->tsc[i], w) + x->tsc_self[i] - x->tsc_min[i] > t->max_skew)
			return SF_SPREAD;
	}
	for (size_t i = 0; i < x->naff; i++) {
		if (at_domain(s, w, sp->pod_aff[i].topology_key) == NULL ||
		    term_count(s, &x->aff[i], w) == 0) {
			/* the first pod of a group may go anywhere (satisfyPodAffinity) */
			int any = 0;

			for (size_t j = 0; j < x->naff; j++)
				any += x->aff[j].total;
			if (any == 0 && x->self_aff)
				continue;
			return SF_POD_AFF;
		}
	}
	for (size_t i = 0; i < x->nanti; i++)
		if (at_domain(s, w, sp->pod_anti[i].topology_key) != NULL &&
		    term_count(s, &x->anti[i], w) > 0)
			return SF_POD_ANTI;
	if (x->nxa > 0 && xanti_forbids(s, x, w))
		return SF_EXISTING_ANTI;
	return 0;
}

/* sched_fits with the template record at hand (NULL: evaluate everything). */
static int
fits(struct sched *s, struct spec_info *si, const struct ks_pod *p, const struct ks_node *n,
    const struct ks_res *extra, struct sched_ctx *x, struct sched_fit *out)
{
	const struct ks_podspec *sp = p->spec;
	const struct verdict *v;
	struct ks_res free_;

	memset(out, 0, sizeof(*out));
	s->stats.filter_calls++;
	if (n->unschedulable && !sp->is_daemon) {
		/* NodeUnschedulable: tolerating node.kubernetes.io/unschedulable
		 * lets a pod (a DaemonSet's) through. */
		int tol = si != NULL ? si->tol_unsched : 0;

		if (si == NULL) {
			struct ks_taint t = { intern("node.kubernetes.io/unschedulable"), intern(""),
			    EFFECT_NOSCHEDULE };

			tol = taints_untolerated(&t, 1, sp->tols, sp->ntols) == NULL;
		}
		if (!tol) {
			out->fail = SF_UNSCHEDULABLE;
			return 0;
		}
	}
	if ((sp->node_name != NULL && sp->node_name != n->name) ||
	    (p->pin_node >= 0 && (uint32_t)p->pin_node != n->id)) {
		out->fail = SF_NODENAME;
		return 0;
	}
	if ((v = verdict_of(s, si, n)) != NULL) {
		if (v->taint != NO_TAINT) {
			out->taint = &n->taints[v->taint];
			out->fail = SF_TAINT;
			return 0;
		}
		if (!v->aff_ok) {
			out->fail = SF_AFFINITY;
			return 0;
		}
	} else {
		out->taint = taints_untolerated(n->taints, n->ntaints, sp->tols, sp->ntols);
		if (out->taint != NULL) {
			out->fail = SF_TAINT;
			return 0;
		}
		if (!node_affinity_ok(sp, n)) {
			out->fail = SF_AFFINITY;
			return 0;
		}
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
	{
		struct at w = { n, n->id, 0 };

		out->fail = interpod_fail(s, sp, &w, x);
	}
	return out->fail == 0;
}

int
sched_fits(struct ks_cluster *c, const struct ks_pod *p, const struct ks_node *n,
    const struct ks_res *extra, struct sched_ctx *x, struct sched_fit *out)
{
	struct sched *s = sched_of(c);
	struct spec_info *si = x != NULL ? x->si : NULL;

	if (si == NULL && pod_in_cluster(c, p)) {
		int own;

		si = spec_info_get(s, p, &own);
		if (own) {
			int r = fits(s, si, p, n, extra, x, out);

			spec_info_free(si);
			return r;
		}
	}
	return fits(s, si, p, n, extra, x, out);
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
    uint32_t id, struct sched_ctx *x, const struct verdict **vp)
{
	const struct ks_podspec *sp = p->spec;
	const struct verdict *v = NULL;
	struct hot *h = &s->hot[id];
	const struct ks_node *n = NULL;

	s->stats.filter_calls++;
	assert(id < s->hotcap);
	/* res_short's rule (a request of 0 always fits), resource by resource */
	_Static_assert(RES_N == 5, "search_fits checks every resource");
	if ((p->req.v[RES_CPU] > 0 && p->req.v[RES_CPU] > h->room.v[RES_CPU]) ||
	    (p->req.v[RES_MEM] > 0 && p->req.v[RES_MEM] > h->room.v[RES_MEM]) ||
	    (p->req.v[RES_PODS] > 0 && p->req.v[RES_PODS] > h->room.v[RES_PODS]) ||
	    (p->req.v[RES_EPH] > 0 && p->req.v[RES_EPH] > h->room.v[RES_EPH]) ||
	    (p->req.v[RES_GPU] > 0 && p->req.v[RES_GPU] > h->room.v[RES_GPU]))
		return 0;
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
		v = verdict_of(s, si, s->c->nodes[id]);
	} else {
		n = s->c->nodes[id];
		if (taints_untolerated(n->taints, n->ntaints, sp->tols, sp->ntols) != NULL ||
		    !node_affinity_ok(sp, n))
			return 0;
	}
	if (v != NULL && (v->taint != NO_TAINT || !v->aff_ok))
		return 0;
	*vp = v;
	if (x != NULL) {
		struct at w = { s->c->nodes[id], id, 1 };

		return interpod_fail(s, sp, &w, x) == 0;
	}
	return 1;
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
 * (build_skip) and the search can jump over nodes they reject without
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
	for (size_t i = nl; i-- > 0;) {
		uint32_t id = s->live[i];
		const struct hot *h = &s->hot[id];
		const struct verdict *v;
		int ok;

		assert(h->pass == s->pass);
		v = h->shape - 1 < si->nv && si->v[h->shape - 1].known ? &si->v[h->shape - 1] :
		    verdict_of(s, si, s->c->nodes[id]);
		ok = v->taint == NO_TAINT && v->aff_ok &&
		    !(h->unsched && !sp->is_daemon && !si->tol_unsched);
		si->skip[i] = ok ? (uint32_t)i : si->skip[i + 1];
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

struct found {
	size_t		n;		/* candidates found */
	int64_t		max_taints;	/* their most untolerated PreferNoSchedule taints */
	int64_t		max_aff;	/* their highest preferred affinity weight */
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
		if (!search_fits(s, si, p, s->live[idx - 1], x, &v))
			continue;
		cd->node = s->live[idx - 1];
		cd->base = score_node(s, v, p, cd->node, &cd->taints, &cd->aff);
		if (cd->taints > fd->max_taints)
			fd->max_taints = cd->taints;
		if (cd->aff > fd->max_aff)
			fd->max_aff = cd->aff;
		fd->n++;
	}
	if (s->nlive > 0)
		s->next_start = (s->next_start + processed) % s->nlive;
}

/* Try to place p; returns the chosen node or NULL with *fail_msg set. */
static struct ks_node *
schedule_one(struct sched *s, struct ks_pod *p, char *msg, size_t msgsz)
{
	struct ks_cluster *c = s->c;
	int own;
	struct spec_info *si = spec_info_get(s, p, &own);
	struct sched_ctx *x = ctx_new(s, p, si, 0);
	size_t want = feasible_to_find(s, s->nlive), found;
	struct cand *cands;
	struct found fd = { 0, 0, 0 };
	int64_t max_taints, max_aff, best = -1;
	struct ks_node *pick = NULL;
	uint64_t ties = 0;

	s->stats.attempts++;
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
		explain(s, p, x, msg, msgsz);
		sched_ctx_free(x);
		if (own)
			spec_info_free(si);
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
	if (own)
		spec_info_free(si);
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
hook_pod_bound(struct ks_cluster *c, struct ks_pod *p, void *arg)
{
	struct sched *s = arg;

	topo_pod_bound(s->topo, p);
	hot_set(s, c->nodes[p->node]);
}

static void
hook_pod_unbound(struct ks_cluster *c, struct ks_pod *p, struct ks_node *n, void *arg)
{
	struct sched *s = arg;

	(void)c;
	topo_pod_unbound(s->topo, p, n);
	hot_set(s, n);
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
	free(s->live);
	free(s->anti_ids);
	for (size_t i = 0; i < s->ninfos; i++)
		spec_info_free(s->infos[i]);
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
