/*
 * sched_filter.c: kube-scheduler's filters, and what the scheduler keeps
 * per pod template to run them cheaply.
 *
 * A pod template (a workload's spec, or a bare pod's) gets a record, kept
 * for the run: the verdicts of its static filters (TaintToleration,
 * NodeAffinity's nodeSelector and required terms, and the
 * PreferNoSchedule and preferred-affinity scores) per node shape (topo.c),
 * computed at most once per shape; the workloads each of its inter-pod
 * terms selects, matched once per workload as workloads appear; the
 * workloads whose required anti-affinity selects it; the eligible spread
 * domains per version of the node set.  A template that reads the node's
 * name or hostname in a node selector is evaluated per node instead.
 *
 * The inter-pod context of a pod (PodTopologySpread, InterPodAffinity)
 * then sums the per-workload counts of topo.c over the workloads a term
 * selects, plus a walk of the bare pods: O(terms x selected workloads +
 * bare pods) per pod, nothing per node of the cluster (upstream's
 * PreFilter walks every node's pods).
 *
 * sched_fits() runs the filters in the default profile's order and stops
 * at the first failure, so the reason it reports is upstream's.
 */
#include "cluster/sched.h"
#include "cluster/sched_int.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/topo.h"
#include "util/intern.h"
#include "util/xmalloc.h"

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

void
sched_spec_free(struct spec_info *si)
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
struct spec_info *
sched_spec_get(struct sched *s, const struct ks_pod *p, int *own)
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

int
sched_node_affinity_ok(const struct ks_podspec *s, const struct ks_node *n)
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
	v->aff_ok = (uint8_t)sched_node_affinity_ok(sp, n);
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
const struct verdict *
sched_verdict(struct sched *s, struct spec_info *si, const struct ks_node *n)
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
	const struct verdict *v = sched_verdict(s, si, n);

	return v != NULL ? v->aff_ok : sched_node_affinity_ok(si->spec, n);
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
	const char	*last_dom;	/* the domain last looked up in dom (nodes come by zone) */
	int		 last_n;	/* its count */
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
term_count(struct sched *s, struct term_counts *tc, const struct at *w)
{
	const char *d;

	if (tc->host)
		return term_on_node(tc, w->n, w->id);
	d = at_domain(s, w, tc->key);
	if (d == NULL)
		return 0;
	if (d != tc->last_dom) {
		/* dom is fixed for the context's life: remember the last answer */
		tc->last_dom = d;
		tc->last_n = topo_count_get(&tc->dom, d);
	}
	return tc->last_n;
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
	size_t kept = 0;

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

		/* finished pods leave the list (it keeps creation order) */
		if (!pod_alive(q))
			continue;
		s->anti_ids[kept++] = q->id;
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
	s->nanti_bare = kept;
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

struct sched_ctx *
sched_ctx_make(struct sched *s, const struct ks_pod *p, struct spec_info *si, int own)
{
	const struct ks_podspec *sp = p->spec;
	struct sched_ctx *x;

	sched_live_rebuild(s);
	if (sp->npod_aff == 0 && sp->npod_anti == 0 && sp->ntsc == 0 && s->nanti == 0) {
		if (own)
			sched_spec_free(si);
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
	struct spec_info *si = sched_spec_get(s, p, &own);

	return sched_ctx_make(s, p, si, own);
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
		sched_spec_free(x->si);
	free(x);
}

/* The inter-pod filters, in kube-scheduler's order. */
static unsigned
interpod_fail(struct sched *s, const struct ks_podspec *sp, const struct at *w,
    struct sched_ctx *x)
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
int
sched_fits_si(struct sched *s, struct spec_info *si, const struct ks_pod *p, const struct ks_node *n,
    const struct ks_res *extra, struct sched_ctx *x, struct sched_fit *out)
{
	const struct ks_podspec *sp = p->spec;
	const struct verdict *v;

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
	if ((v = sched_verdict(s, si, n)) != NULL) {
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
		if (!sched_node_affinity_ok(sp, n)) {
			out->fail = SF_AFFINITY;
			return 0;
		}
	}
	out->short_res = res_short_free(&p->req, &n->alloc, &n->used, extra);
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

		si = sched_spec_get(s, p, &own);
		if (own) {
			int r = sched_fits_si(s, si, p, n, extra, x, out);

			sched_spec_free(si);
			return r;
		}
	}
	return sched_fits_si(s, si, p, n, extra, x, out);
}

int
sched_interpod_ok(struct sched *s, const struct ks_podspec *sp, uint32_t id,
    struct sched_ctx *x)
{
	struct at w = { s->c->nodes[id], id, 1 };

	return interpod_fail(s, sp, &w, x) == 0;
}
