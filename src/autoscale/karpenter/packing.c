/*
 * packing.c: one scheduling simulation of Karpenter's provisioner
 * (pkg/controllers/provisioning/scheduling), shared by provisioning and
 * consolidation.  A round packs pods, largest first, onto existing nodes,
 * in-flight claims, the round's new claims and finally a new claim per
 * NodePool by weight, relaxing preferences and PreferNoSchedule taints
 * before it gives up with Karpenter's reason.  The DaemonSet overhead a
 * new node carries, zonal topology spread, hostname anti-affinity and
 * minValues are decided here.  Nothing here launches anything: a round's
 * result is where each pod went and the new claims it would need.
 * A round packs onto a view of the cluster (struct kp_view): its own when
 * it provisions, else the disruption pass's, built once for all the
 * pass's simulations; each hides its candidates in it and undoes its
 * packing when freed, so a simulation costs what it packs.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"
#include "cluster/quantity.h"
#include "util/intern.h"
#include "util/xmalloc.h"

/* ---- DaemonSet overhead ---- */

static int
kp_ds_tolerates(const struct ks_podspec *s, const struct ks_taint *t, size_t nt)
{
	for (size_t i = 0; i < nt; i++) {
		if (t[i].effect == EFFECT_PREFERNOSCHEDULE)
			continue;
		if (taints_untolerated(&t[i], 1, s->tols, s->ntols) != NULL)
			return 0;
	}
	return 1;
}

static int
kp_spec_matches_labels(const struct ks_podspec *s, const struct ks_labels *l)
{
	for (size_t i = 0; i < s->node_selector.n; i++)
		if (labels_get(l, s->node_selector.v[i].key) != s->node_selector.v[i].val)
			return 0;
	if (s->naffinity == 0)
		return 1;
	for (size_t i = 0; i < s->naffinity; i++)
		if (selector_matches(&s->affinity[i], l))
			return 1;
	return 0;
}

/* Labels a node of type k from pool p will carry (for DaemonSet selection). */
static void
kp_node_labels(const struct kp_state *st, const struct kp_pool *p, const struct kp_it *k,
    struct ks_labels *l)
{
	labels_copy(l, &p->labels);
	for (int i = 0; i < KL_N; i++)
		if (k->lab[i] != NULL)
			labels_set(l, st->labk[i], k->lab[i]);
}

/* Sum of the requests of the DaemonSet pods a node of type k in pool p runs. */
void
kp_ds_overhead(struct kp_state *st, const struct kp_pool *p, const struct kp_it *k,
    struct ks_res *out)
{
	struct ks_cluster *c = &st->r->cluster;
	struct ks_labels l = { NULL, 0 };
	int have_labels = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < c->nwls; i++) {
		const struct ks_workload *w = c->wls[i];
		struct ks_res req;

		if (w->kind != WL_DAEMONSET || w->deleted)
			continue;
		if (!kp_ds_tolerates(&w->spec, p->taints, p->ntaints))
			continue;
		if (w->spec.node_selector.n > 0 || w->spec.naffinity > 0) {
			if (!have_labels) {
				kp_node_labels(st, p, k, &l);
				have_labels = 1;
			}
			if (!kp_spec_matches_labels(&w->spec, &l))
				continue;
		}
		podspec_effective(&w->spec, NULL, &req);
		res_add(out, &req);
	}
	labels_free(&l);
}

/* ---- pods ---- */

int
kp_pod_provisionable(const struct ks_pod *p)
{
	return p->phase == POD_PENDING && p->node < 0 && p->unsched_since >= 0 &&
	    !p->spec->is_daemon && p->pin_node < 0 && p->spec->node_name == NULL;
}

static int
kp_id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The provisionable pods, by id, in a new array (*n of them).  A pending
 * pod that failed to schedule is on the scheduler's unschedulable list or,
 * once the cluster changed, back in its queue (the lists the Cluster
 * Autoscaler reads too), so this walks those, not every pod ever created.
 */
uint32_t *
kp_pending_pods(struct kp_state *st, size_t *n)
{
	struct ks_cluster *c = &st->r->cluster;
	uint32_t *ids = xcalloc(c->nunsched + c->nqueue + 1, sizeof(*ids));
	size_t m = 0, k = 0;

	for (int list = 0; list < 2; list++) {
		const uint32_t *from = list ? c->queue : c->unsched;
		size_t nfrom = list ? c->nqueue : c->nunsched;

		for (size_t i = 0; i < nfrom; i++)
			if (kp_pod_provisionable(c->pods[from[i]]))
				ids[m++] = from[i];
	}
	if (m > 1)
		qsort(ids, m, sizeof(*ids), kp_id_cmp);
	for (size_t i = 0; i < m; i++)
		if (k == 0 || ids[k - 1] != ids[i])
			ids[k++] = ids[i];
	*n = k;
	return ids;
}

/*
 * The pod's node requirements for attempt (term, pref): nodeSelector, the
 * term-th required node-affinity term, and the heaviest preferred term
 * when pref (Karpenter treats preferences as required until relaxed).
 */
static void
kp_pod_reqs(const struct ks_pod *p, size_t term, int pref, struct kp_reqs *out)
{
	const struct ks_podspec *s = p->spec;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < s->node_selector.n; i++) {
		const char *v = s->node_selector.v[i].val;

		kp_reqs_add_op(out, s->node_selector.v[i].key, OP_IN, &v, 1, 0);
	}
	if (term < s->naffinity)
		for (size_t i = 0; i < s->affinity[term].n; i++) {
			const struct ks_req *q = &s->affinity[term].reqs[i];

			kp_reqs_add_op(out, q->key, q->op, q->vals, q->nvals, q->num);
		}
	if (pref && s->npref > 0) {
		size_t best = 0;

		for (size_t i = 1; i < s->npref; i++)
			if (s->pref_weight[i] > s->pref_weight[best])
				best = i;
		for (size_t i = 0; i < s->pref_affinity[best].n; i++) {
			const struct ks_req *q = &s->pref_affinity[best].reqs[i];

			kp_reqs_add_op(out, q->key, q->op, q->vals, q->nvals, q->num);
		}
	}
}

/* First pool taint the pod does not tolerate (PreferNoSchedule too, unless relaxed). */
static const struct ks_taint *
kp_pool_untolerated(const struct kp_pool *p, const struct ks_pod *pod, int tolerate_prefer)
{
	const struct ks_podspec *s = pod->spec;

	for (size_t i = 0; i < p->ntaints; i++) {
		const struct ks_taint *t = &p->taints[i];
		int ok = 0;

		if (tolerate_prefer && t->effect == EFFECT_PREFERNOSCHEDULE)
			continue;
		for (size_t j = 0; j < s->ntols && !ok; j++)
			ok = toleration_tolerates(&s->tols[j], t);
		if (!ok)
			return t;
	}
	return NULL;
}

/* The pod has required hostname anti-affinity against pod q. */
static int
kp_pod_anti(const struct kp_state *st, const struct ks_pod *p, const struct ks_pod *q)
{
	for (size_t i = 0; i < p->spec->npod_anti; i++) {
		const struct ks_podaff *a = &p->spec->pod_anti[i];

		if (a->topology_key == st->hostname_key && q->ns == p->ns &&
		    selector_matches(&a->sel, &q->spec->labels))
			return 1;
	}
	return 0;
}

static int
kp_res_key_cmp(const void *a, const void *b)
{
	return strcmp(res_name[*(const int *)a], res_name[*(const int *)b]);
}

/* Requests as Karpenter prints them: a JSON object, keys sorted as Go sorts a map. */
static char *
kp_res_json(const struct ks_res *r, char *buf, size_t n)
{
	char q[QTY_BUFSZ];
	int keys[RES_N], nk = 0;
	size_t len = 0;

	keys[nk++] = RES_CPU;
	if (r->v[RES_MEM] > 0)
		keys[nk++] = RES_MEM;
	keys[nk++] = RES_PODS;
	for (int i = RES_GPU; i < RES_N; i++)
		if (r->v[i] > 0)
			keys[nk++] = i;
	qsort(keys, (size_t)nk, sizeof(keys[0]), kp_res_key_cmp);
	for (int i = 0; i < nk && len < n; i++) {
		int k = keys[i];
		const char *v = k == RES_CPU ? qty_format_cpu(r->v[k], q, sizeof(q)) :
		    k == RES_MEM ? qty_format_bytes(r->v[k], QTY_BINARY_SI, q, sizeof(q)) : NULL;

		if (v == NULL) {
			snprintf(q, sizeof(q), "%lld", (long long)r->v[k]);
			v = q;
		}
		len += (size_t)snprintf(buf + len, n - len, "%s\"%s\":\"%s\"", i ? "," : "{",
		    res_name[k], v);
	}
	if (len < n)
		snprintf(buf + len, n - len, "}");
	return buf;
}

/* Claim k is simulated away by round R (its candidates carry excl while it lives). */
static int
kp_excluded(const struct kp_round *R, const struct kp_claim *k)
{
	return R->nexclude > 0 && k->excl;
}

static int
kp_slot_cmp(const void *a, const void *b)
{
	const struct kp_slot *x = a, *y = b;

	if (x->inflight != y->inflight)
		return x->inflight - y->inflight;
	return strcmp(x->n->name, y->n->name);
}

/*
 * ---- first fit without trying every node ----
 * A round tries the slots in order and takes the first that fits, as
 * upstream's scheduler tries its existing nodes.  A slot whose free cpu is
 * below the pod's cpu request cannot fit it (res_short, in sched_fits and
 * kp_slot_fits alike), so a max-tree over the slots' free cpu finds the
 * next slot worth trying in O(log slots): the same first fit, without
 * the O(slots) walk per pod that made consolidation O(nodes x pods).
 */
/* Free cpu of slot s, millicores: what its node can still take this round. */
static int64_t
kp_slot_free_cpu(const struct kp_slot *s)
{
	struct ks_res free_;

	if (s->inflight)
		kp_it_free_res(s->claim->pool, s->claim->it, &s->claim->ds, &free_);
	else
		free_ = s->n->alloc;
	return free_.v[RES_CPU] - s->n->used.v[RES_CPU] - s->extra.v[RES_CPU];
}

static void
kp_fit_set(struct kp_fit *t, size_t i, int64_t v)
{
	size_t l = t->size + i;

	t->mx[l] = v;
	for (l >>= 1; l > 0; l >>= 1)
		t->mx[l] = t->mx[2 * l] > t->mx[2 * l + 1] ? t->mx[2 * l] : t->mx[2 * l + 1];
}

static void
kp_fit_init(struct kp_fit *t, const struct kp_slot *slots, size_t n)
{
	t->n = n;
	for (t->size = 1; t->size < n; t->size *= 2)
		;
	t->mx = xreallocarray(NULL, 2 * t->size, sizeof(*t->mx));
	for (size_t i = 0; i < t->size; i++)
		t->mx[t->size + i] = i < n ? kp_slot_free_cpu(&slots[i]) : INT64_MIN;
	for (size_t l = t->size - 1; l > 0; l--)
		t->mx[l] = t->mx[2 * l] > t->mx[2 * l + 1] ? t->mx[2 * l] : t->mx[2 * l + 1];
}

/* The first slot >= from with at least need free cpu, or t->n. */
static size_t
kp_fit_next(const struct kp_fit *t, size_t from, int64_t need)
{
	size_t l = t->size + from;

	if (from >= t->n)
		return t->n;
	while (t->mx[l] < need) {
		while (l & 1)		/* a right child: its parent ends where it does */
			l >>= 1;
		if (l == 0)		/* climbed past the root: nothing to the right */
			return t->n;
		l++;			/* the subtree right after l's */
	}
	while (l < t->size)
		l = t->mx[2 * l] >= need ? 2 * l : 2 * l + 1;
	return l - t->size < t->n ? l - t->size : t->n;
}

/* The cluster a round starts from, before its exclusions (struct kp_view). */
static void
kp_view_build(struct kp_state *st, struct kp_view *v)
{
	struct ks_cluster *c = &st->r->cluster;

	memset(v, 0, sizeof(*v));
	v->slots = xcalloc(c->nnodes + 1, sizeof(*v->slots));
	for (size_t i = 0; i < c->nnodes; i++) {
		struct ks_node *n = c->nodes[i];
		struct kp_claim *k = n->owner_kind == NODE_OWNER_NODECLAIM ? n->owner : NULL;
		struct kp_slot *s;

		if (n->state == NODE_GONE || n->state == NODE_DELETING || n->unschedulable)
			continue;
		if ((k != NULL && k->disrupting) || (n->state == NODE_NOTREADY && k == NULL))
			continue;
		s = &v->slots[v->nslots++];
		s->n = n;
		s->claim = k;
		s->inflight = n->state == NODE_NOTREADY;
	}
	qsort(v->slots, v->nslots, sizeof(*v->slots), kp_slot_cmp);
	for (size_t i = 0; i < v->nslots; i++)
		if (v->slots[i].claim != NULL)
			v->slots[i].claim->vslot = i;
	kp_fit_init(&v->fit, v->slots, v->nslots);
	v->used = xcalloc(st->npools + 1, sizeof(*v->used));
	v->nlive = xcalloc(st->npools + 1, sizeof(*v->nlive));
	for (size_t j = 0; j < st->nclaims; j++) {
		struct kp_claim *k = st->claims[j];

		if (k->gone_ms >= 0)
			continue;
		for (size_t i = 0; i < st->npools; i++)
			if (k->pool == st->pools[i]) {
				res_add(&v->used[i], &k->it->cap);
				v->nlive[i]++;
			}
	}
}

static void
kp_view_free(struct kp_view *v)
{
	free(v->slots);
	free(v->fit.mx);
	free(v->touched);
	free(v->used);
	free(v->nlive);
	memset(v, 0, sizeof(*v));
}

/* A disruption pass starts: its rounds share one view until kp_pass_end. */
void
kp_pass_begin(struct kp_state *st)
{
	assert(!st->in_pass && st->view == NULL);
	st->in_pass = 1;
}

/* The pass ends, or is about to change the cluster (launch, delete). */
void
kp_pass_end(struct kp_state *st)
{
	if (st->view != NULL) {
		kp_view_free(st->view);
		free(st->view);
		st->view = NULL;
	}
	st->in_pass = 0;
}

/* Claim k's slot in view v, or v->nslots when it has none (cordoned, say). */
static size_t
kp_view_slot(const struct kp_view *v, const struct kp_claim *k)
{
	return k->vslot < v->nslots && v->slots[k->vslot].claim == k ? k->vslot : v->nslots;
}

/* Slot i of the view is back to free cpu as it stands (or hidden, INT64_MIN). */
static void
kp_view_reset(struct kp_view *v, size_t i, int hide)
{
	kp_fit_set(&v->fit, i, hide ? INT64_MIN : kp_slot_free_cpu(&v->slots[i]));
}

/*
 * A round over the cluster without the claims exclude[] (consolidation's
 * candidates): it packs onto the view's slots, theirs hidden from first
 * fit and skipped, and each pool's limits are less what its other live
 * claims hold.  kp_round_free undoes what the round did to the view, so
 * each simulation of a pass costs what it packs, not the cluster's size.
 */
void
kp_round_init(struct kp_round *R, struct kp_state *st, struct kp_claim **exclude, size_t nexclude)
{
	struct kp_view *v = st->view;

	memset(R, 0, sizeof(*R));
	R->st = st;
	R->exclude = exclude;
	R->nexclude = nexclude;
	if (v == NULL) {
		v = xmalloc(sizeof(*v));
		kp_view_build(st, v);
		if (st->in_pass)
			st->view = v;
		else
			R->own_view = 1;
	}
	assert(v->ntouched == 0);
	R->view = v;
	R->slots = v->slots;
	R->nslots = v->nslots;
	for (size_t i = 0; i < nexclude; i++) {
		size_t s = kp_view_slot(v, exclude[i]);

		assert(!exclude[i]->excl);
		exclude[i]->excl = 1;
		if (s < v->nslots)
			kp_view_reset(v, s, 1);
	}
	R->remaining = xcalloc(st->npools + 1, sizeof(*R->remaining));
	R->nodes_left = xcalloc(st->npools + 1, sizeof(*R->nodes_left));
	for (size_t i = 0; i < st->npools; i++) {
		struct kp_pool *p = st->pools[i];
		int64_t live = v->nlive[i];

		R->remaining[i] = p->limits;
		res_sub(&R->remaining[i], &v->used[i]);
		for (size_t j = 0; j < nexclude; j++)
			if (exclude[j]->pool == p && exclude[j]->gone_ms < 0) {
				res_add(&R->remaining[i], &exclude[j]->it->cap);
				live--;
			}
		R->nodes_left[i] = p->limit_nodes;
		if (p->limit_nodes >= 0)
			R->nodes_left[i] = p->limit_nodes > live ? p->limit_nodes - live : 0;
	}
}

void
kp_round_free(struct kp_round *R)
{
	struct kp_view *v = R->view;

	if (v != NULL) {
		for (size_t i = 0; i < v->ntouched; i++) {
			memset(&v->slots[v->touched[i]].extra, 0, sizeof(struct ks_res));
			kp_view_reset(v, v->touched[i], 0);
		}
		v->ntouched = 0;
		for (size_t i = 0; i < R->nexclude; i++) {
			size_t s = kp_view_slot(v, R->exclude[i]);

			if (s < v->nslots)
				kp_view_reset(v, s, 0);
		}
	}
	for (size_t i = 0; i < R->nexclude; i++)
		R->exclude[i]->excl = 0;
	if (R->own_view) {
		kp_view_free(v);
		free(v);
	}
	for (size_t i = 0; i < R->nnews; i++) {
		kp_claim_free(R->news[i]);
		free(R->news_pods[i]);
	}
	free(R->news);
	free(R->news_pods);
	free(R->remaining);
	free(R->nodes_left);
	free(R->where);
	free(R->why);
	free(R->ds);
	free(R->ds_ok);
}

/* kp_ds_overhead, computed once per (pool, type) and round. */
static void
kp_round_ds(struct kp_round *R, const struct kp_pool *p, const struct kp_it *k, struct ks_res *out)
{
	struct kp_state *st = R->st;
	size_t i;

	if (R->ds == NULL) {
		R->ds = xcalloc(st->npools * st->nits + 1, sizeof(*R->ds));
		R->ds_ok = xcalloc(st->npools * st->nits + 1, 1);
	}
	i = kp_pool_index(st, p) * st->nits + (size_t)(k - st->its);
	if (!R->ds_ok[i]) {
		kp_ds_overhead(st, p, k, &R->ds[i]);
		R->ds_ok[i] = 1;
	}
	*out = R->ds[i];
}

/* Does the type's capacity fit in what the pool's limits leave? */
static int
kp_within_limits(const struct kp_pool *p, const struct kp_it *k, const struct ks_res *left)
{
	for (int i = 0; i < RES_N; i++)
		if ((p->limited & (1u << i)) && k->cap.v[i] > left->v[i])
			return 0;
	return 1;
}

static int	kp_inflight_spread_ok(const struct kp_round *, const struct kp_slot *,
		    const struct ks_pod *);

/* Fit the pod onto an existing node or in-flight claim. */
static int
kp_slot_fits(struct kp_round *R, struct kp_slot *s, const struct ks_pod *p, struct sched_ctx *ctx)
{
	struct kp_state *st = R->st;
	struct ks_res free_;

	if (!s->inflight) {
		struct sched_fit fit;

		return sched_fits(&st->r->cluster, p, s->n, &s->extra, ctx, &fit);
	}
	if (taints_untolerated(s->n->taints, s->n->ntaints, p->spec->tols, p->spec->ntols) != NULL)
		return 0;
	if (!kp_spec_matches_labels(p->spec, &s->n->labels))
		return 0;
	if (!kp_inflight_spread_ok(R, s, p))
		return 0;
	kp_it_free_res(s->claim->pool, s->claim->it, &s->claim->ds, &free_);
	res_sub(&free_, &s->n->used);
	res_sub(&free_, &s->extra);
	if (res_short(&p->req, &free_) != 0)
		return 0;
	return 1;
}

/* The next slot >= from to try for a pod requesting cpu (every slot when it requests none). */
static size_t
kp_fit_from(const struct kp_fit *t, size_t from, int64_t cpu)
{
	return cpu > 0 ? kp_fit_next(t, from, cpu) : from;
}

/* Types of `from` compatible with rs whose free space holds need, within limits. */
static size_t
kp_filter_types(struct kp_round *R, const struct kp_pool *p, const struct kp_it *const *from,
    size_t nfrom, const struct kp_reqs *rs, const struct ks_res *need, int limits,
    const struct kp_it **out, unsigned *why)
{
	struct kp_state *st = R->st;
	const struct ks_res *left = &R->remaining[kp_pool_index(st, p)];
	size_t n = 0;

	*why = 0;
	for (size_t i = 0; i < nfrom; i++) {
		const struct kp_it *k = from[i];
		struct ks_res ds, free_;
		int req_ok = kp_it_labels_ok(st, k, rs, NULL);
		int offer_ok = kp_it_price(st, k, rs, 0, NULL) > 0;
		int fits;

		kp_round_ds(R, p, k, &ds);
		kp_it_free_res(p, k, &ds, &free_);
		fits = res_short(need, &free_) == 0;
		if (req_ok)
			*why |= 1;
		if (fits)
			*why |= 2;
		if (req_ok && fits)
			*why |= 4;
		if (req_ok && fits && offer_ok)
			*why |= 8;
		if (req_ok && fits && offer_ok && limits && !kp_within_limits(p, k, left))
			*why |= 16;
		else if (req_ok && fits && offer_ok)
			out[n++] = k;
	}
	return n;
}

static const char *
kp_filter_why(unsigned why)
{
	if (!(why & 1) && !(why & 2))
		return "no instance type met the scheduling requirements or had enough resources";
	if (!(why & 1))
		return "no instance type met all requirements";
	if (!(why & 2))
		return "no instance type has enough resources";
	if (!(why & 4))
		return "no instance type which met the scheduling requirements had enough resources";
	if (!(why & 8))
		return "no instance type which met the scheduling requirements and had enough "
		    "resources had the required offering";
	return "all available instance types exceed limits for nodepool";
}

/* ---- topology spread over zones, and minValues ---- */

static int
kp_zone_index(const struct kp_state *st, const char *zone)
{
	for (size_t z = 0; z < st->nzones; z++)
		if (st->zones[z] == zone)
			return (int)z;
	return -1;
}

/* The single zone a new claim of this round is narrowed to, or NULL. */
static const char *
kp_claim_zone(const struct kp_state *st, const struct kp_claim *k)
{
	const struct kp_req *zr = kp_reqs_get(&k->reqs, st->zone_key);

	return zr != NULL && !zr->comp && zr->nvals == 1 ? zr->vals[0] : NULL;
}

/* Pods matching spread constraint t per offering zone: bound ones and this round's. */
static void
kp_zone_counts(const struct kp_round *R, const struct ks_pod *p, const struct ks_tsc *t,
    int64_t *cnt)
{
	const struct kp_state *st = R->st;
	const struct ks_cluster *c = &st->r->cluster;

	memset(cnt, 0, st->nzones * sizeof(*cnt));
	/* the pods bound and alive: each node's list, not every pod ever created */
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *n = c->nodes[i];
		int z = n->npods > 0 ? kp_zone_index(st, n->zone) : -1;

		if (z < 0 || (n->owner_kind == NODE_OWNER_NODECLAIM && kp_excluded(R, n->owner)))
			continue;
		for (size_t j = 0; j < n->npods; j++) {
			const struct ks_pod *q = c->pods[n->pods[j]];

			if (q->phase != POD_TERMINATING && q->ns == p->ns &&
			    selector_matches(&t->sel, &q->spec->labels))
				cnt[z]++;
		}
	}
	for (size_t i = 0; i < R->ndone; i++) {
		const struct ks_pod *q = c->pods[R->pods[i]];
		const char *zone = NULL;
		int w = R->where[i], z;

		if (w == -1 || q->ns != p->ns || !selector_matches(&t->sel, &q->spec->labels))
			continue;
		if (q->node >= 0 && (w >= 0 ? R->slots[w].n->id == (uint32_t)q->node : 0))
			continue;	/* already counted where it is bound */
		zone = w >= 0 ? R->slots[w].n->zone : kp_claim_zone(st, R->news[-w - 2]);
		if (zone != NULL && (z = kp_zone_index(st, zone)) >= 0)
			cnt[z]++;
	}
}

/*
 * Zonal topology spread for a claim (B.7): among the zones rs admits, the
 * one with the fewest matching pods whose count (+1 when the pod matches
 * itself) stays within maxSkew of the minimum over the zones the pool and
 * the pod allow; rs is narrowed to it.  Soft constraints count when soft.
 * Returns 0 when no zone qualifies.
 */
static int
kp_zone_narrow(const struct kp_round *R, const struct ks_pod *p, const struct kp_pool *pool,
    const struct kp_reqs *preqs, int soft, struct kp_reqs *rs)
{
	const struct kp_state *st = R->st;
	int64_t *cnt = xcalloc(st->nzones + 1, sizeof(*cnt));
	int ok = 1;

	for (size_t i = 0; i < p->spec->ntsc && ok; i++) {
		const struct ks_tsc *t = &p->spec->tsc[i];
		const struct kp_req *pz = kp_reqs_get(&pool->reqs, st->zone_key);
		const struct kp_req *qz = kp_reqs_get(preqs, st->zone_key);
		const struct kp_req *rz = kp_reqs_get(rs, st->zone_key);
		int64_t gmin = INT64_MAX;
		int self = selector_matches(&t->sel, &p->spec->labels), best = -1;

		if (t->topology_key != st->zone_key || (!t->do_not_schedule && !soft))
			continue;
		kp_zone_counts(R, p, t, cnt);
		for (size_t z = 0; z < st->nzones; z++)
			if ((pz == NULL || kp_req_admits(pz, st->zones[z])) &&
			    (qz == NULL || kp_req_admits(qz, st->zones[z])) && cnt[z] < gmin)
				gmin = cnt[z];
		for (size_t z = 0; z < st->nzones; z++) {
			if (rz != NULL && !kp_req_admits(rz, st->zones[z]))
				continue;
			if (cnt[z] + self - gmin > t->max_skew)
				continue;
			if (best < 0 || cnt[z] < cnt[best])
				best = (int)z;
		}
		if (best < 0) {
			ok = 0;
			break;
		}
		kp_reqs_add_op(rs, KP_ZONE_KEY, OP_IN, &st->zones[best], 1, 0);
	}
	free(cnt);
	return ok;
}

/* Hard zone spread constraints allow the pod in the in-flight claim's zone. */
static int
kp_inflight_spread_ok(const struct kp_round *R, const struct kp_slot *s, const struct ks_pod *p)
{
	const struct kp_state *st = R->st;
	int64_t *cnt = xcalloc(st->nzones + 1, sizeof(*cnt));
	int z = kp_zone_index(st, s->n->zone), ok = 1;

	for (size_t i = 0; i < p->spec->ntsc && ok && z >= 0; i++) {
		const struct ks_tsc *t = &p->spec->tsc[i];
		int64_t gmin = INT64_MAX;

		if (t->topology_key != st->zone_key || !t->do_not_schedule)
			continue;
		kp_zone_counts(R, p, t, cnt);
		for (size_t k = 0; k < st->nzones; k++)
			if (cnt[k] < gmin)
				gmin = cnt[k];
		ok = cnt[z] + selector_matches(&t->sel, &p->spec->labels) - gmin <= t->max_skew;
	}
	free(cnt);
	return ok;
}

/* Every minValues requirement still spans enough distinct values. */
static const struct kp_req *
kp_min_values_short(const struct kp_state *st, const struct kp_reqs *rs,
    const struct kp_it *const *its, size_t n)
{
	const char **seen = xcalloc(n + 1, sizeof(*seen));

	for (size_t i = 0; i < rs->n; i++) {
		const struct kp_req *q = &rs->v[i];
		int li = kp_label_index(st, q->key);
		size_t ns = 0;

		if (q->min_values == 0 || li < 0)
			continue;
		for (size_t j = 0; j < n; j++) {
			const char *v = its[j]->lab[li];
			size_t k;

			for (k = 0; k < ns && seen[k] != v; k++)
				;
			if (k == ns && v != NULL)
				seen[ns++] = v;
		}
		if ((int)ns < q->min_values) {
			free(seen);
			return q;
		}
	}
	free(seen);
	return NULL;
}

/* Try to add pod p to new claim i of this round. */
static int
kp_news_add(struct kp_round *R, size_t i, struct ks_pod *p, const struct kp_reqs *preqs,
    int tolerate_prefer, int soft)
{
	struct kp_state *st = R->st;
	struct kp_claim *k = R->news[i];
	struct ks_cluster *c = &st->r->cluster;
	struct kp_reqs rs;
	struct ks_res need = k->req;
	const struct kp_it **its;
	size_t n;
	unsigned why;

	if (kp_pool_untolerated(k->pool, p, tolerate_prefer) != NULL)
		return 0;
	if (!kp_reqs_compatible(&k->reqs, preqs, NULL))
		return 0;
	for (size_t j = 0; (k->anti || p->spec->npod_anti > 0) && j < k->npods; j++) {
		struct ks_pod *q = c->pods[R->news_pods[i][j]];

		if (kp_pod_anti(st, p, q) || kp_pod_anti(st, q, p))
			return 0;
	}
	kp_reqs_copy(&rs, &k->reqs);
	kp_reqs_merge(&rs, preqs);
	if (!kp_zone_narrow(R, p, k->pool, preqs, soft, &rs)) {
		kp_reqs_free(&rs);
		return 0;
	}
	res_add(&need, &p->req);
	its = xreallocarray(NULL, k->nits + 1, sizeof(*its));
	n = kp_filter_types(R, k->pool, k->its, k->nits, &rs, &need, 0, its, &why);
	if (n > 0 && kp_min_values_short(st, &rs, its, n) != NULL)
		n = 0;
	if (n == 0) {
		free(its);
		kp_reqs_free(&rs);
		return 0;
	}
	free(k->its);
	k->its = its;
	k->nits = n;
	kp_reqs_free(&k->reqs);
	k->reqs = rs;
	k->req = need;
	k->anti |= p->spec->npod_anti > 0;
	R->news_pods[i] = xreallocarray(R->news_pods[i], k->npods + 1, sizeof(uint32_t));
	R->news_pods[i][k->npods++] = p->id;
	return 1;
}

/* Why the pod's requirement bad is incompatible with pool p, into out. */
static void
kp_why_reqs(const struct kp_pool *p, const struct kp_req *bad, const char *sep, char *out,
    size_t n)
{
	const struct kp_req *have = kp_reqs_get(&p->reqs, bad->key);
	char a[512], b[512];

	kp_req_format(bad, a, sizeof(a));
	if (have != NULL) {
		kp_req_format(have, b, sizeof(b));
		snprintf(out, n, "%sincompatible with nodepool \"%s\", incompatible "
		    "requirements, key %s, %s not in %s", sep, p->name, bad->key, a, b);
	} else {
		snprintf(out, n, "%sincompatible with nodepool \"%s\", incompatible "
		    "requirements, label \"%s\" does not have known values", sep, p->name,
		    bad->key);
	}
}

/* Why no type of pool p holds the pod under rs (kp_filter_types' why bits), into out. */
static void
kp_why_no_type(struct kp_state *st, struct kp_pool *p, const struct ks_pod *pod,
    const struct kp_reqs *rs, unsigned why, const char *sep, char *out, size_t n)
{
	char ds[256], rq[256], rstr[2048];
	struct ks_res ov = { { 0 } };

	if (p->nits > 0)
		kp_ds_overhead(st, p, p->its[0], &ov);
	kp_reqs_format(rs, rstr, sizeof(rstr));
	if (why & 16)
		snprintf(out, n, "%sall available instance types exceed limits "
		    "for nodepool: \"%s\"", sep, p->name);
	else
		snprintf(out, n, "%sincompatible with nodepool \"%s\", daemonset "
		    "overhead=%s, no instance type satisfied resources %s and requirements %s (%s)",
		    sep, p->name, kp_res_json(&ov, ds, sizeof(ds)),
		    kp_res_json(&pod->req, rq, sizeof(rq)), rstr, kp_filter_why(why));
}

/* A new claim of pool p (index pi) for the pod, owning rs and its[0..n): add it to the round. */
static void
kp_news_push(struct kp_round *R, struct kp_pool *p, size_t pi, const struct ks_pod *pod,
    struct kp_reqs *rs, const struct kp_it **its, size_t n)
{
	struct kp_claim *k = xcalloc(1, sizeof(*k));

	k->pool = p;
	k->reqs = *rs;
	k->its = its;
	k->nits = n;
	k->req = pod->req;
	k->npods = 1;
	k->anti = pod->spec->npod_anti > 0;
	k->gone_ms = k->ready_ms = k->last_pod_event_ms = -1;
	/* the pool's limits shrink by the largest type the claim may become */
	{
		struct ks_res big = { { 0 } };

		for (size_t i = 0; i < n; i++)
			res_max(&big, &its[i]->cap);
		res_sub(&R->remaining[pi], &big);
		if (R->nodes_left[pi] > 0)
			R->nodes_left[pi]--;
	}
	if (R->nnews >= R->newcap) {
		R->newcap = R->newcap ? 2 * R->newcap : 4;
		R->news = xreallocarray(R->news, R->newcap, sizeof(*R->news));
		R->news_pods = xreallocarray(R->news_pods, R->newcap, sizeof(*R->news_pods));
	}
	R->news_pods[R->nnews] = xmalloc(sizeof(uint32_t));
	R->news_pods[R->nnews][0] = pod->id;
	R->news[R->nnews++] = k;
}

/* Try a new claim from pool p; on failure append the reason to err. */
static int
kp_news_new(struct kp_round *R, struct kp_pool *p, struct ks_pod *pod, const struct kp_reqs *preqs,
    int tolerate_prefer, int soft, char *err, size_t errn)
{
	struct kp_state *st = R->st;
	size_t pi = kp_pool_index(st, p), n, len = strlen(err);
	const struct ks_taint *t;
	const struct kp_req *bad = NULL, *mv = NULL;
	const struct kp_it **its;
	struct kp_reqs rs;
	unsigned why;
	char sep[3] = "";

	if (len > 0)
		strcpy(sep, "; ");
	if (R->nodes_left[pi] == 0) {
		snprintf(err + len, errn - len, "%sall available instance types exceed limits for "
		    "nodepool: \"%s\"", sep, p->name);
		return 0;
	}
	if ((t = kp_pool_untolerated(p, pod, tolerate_prefer)) != NULL) {
		snprintf(err + len, errn - len, "%sincompatible with nodepool \"%s\", did not tolerate "
		    "%s=%s:%s", sep, p->name, t->key, t->val, taint_effect_name[t->effect]);
		return 0;
	}
	if (!kp_reqs_compatible(&p->reqs, preqs, &bad)) {
		kp_why_reqs(p, bad, sep, err + len, errn - len);
		return 0;
	}
	kp_reqs_copy(&rs, &p->reqs);
	kp_reqs_merge(&rs, preqs);
	if (!kp_zone_narrow(R, pod, p, preqs, soft, &rs)) {
		snprintf(err + len, errn - len, "%sincompatible with nodepool \"%s\", unsatisfiable "
		    "topology constraint for topology spread, key=%s", sep, p->name, KP_ZONE_KEY);
		kp_reqs_free(&rs);
		return 0;
	}
	its = xreallocarray(NULL, p->nits + 1, sizeof(*its));
	n = kp_filter_types(R, p, p->its, p->nits, &rs, &pod->req, 1, its, &why);
	if (n > 0 && (mv = kp_min_values_short(st, &rs, its, n)) != NULL)
		snprintf(err + len, errn - len, "%sincompatible with nodepool \"%s\", minValues "
		    "requirement is not met for label %s", sep, p->name, mv->key);
	else if (n == 0)
		kp_why_no_type(st, p, pod, &rs, why, sep, err + len, errn - len);
	if (n == 0 || mv != NULL) {
		free(its);
		kp_reqs_free(&rs);
		return 0;
	}
	kp_news_push(R, p, pi, pod, &rs, its, n);
	return 1;
}

/* scheduler.go: pods by cpu desc, memory desc, creation asc, id. */
static struct ks_cluster *kp_sort_cluster;

static int
kp_pod_cmp(const void *a, const void *b)
{
	const struct ks_pod *x = kp_sort_cluster->pods[*(const uint32_t *)a];
	const struct ks_pod *y = kp_sort_cluster->pods[*(const uint32_t *)b];

	if (x->req.v[RES_CPU] != y->req.v[RES_CPU])
		return x->req.v[RES_CPU] > y->req.v[RES_CPU] ? -1 : 1;
	if (x->req.v[RES_MEM] != y->req.v[RES_MEM])
		return x->req.v[RES_MEM] > y->req.v[RES_MEM] ? -1 : 1;
	if (x->created_ms != y->created_ms)
		return x->created_ms < y->created_ms ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* New claims in ascending pod count (stable by index). */
static void
kp_news_order(const struct kp_round *R, size_t *ord)
{
	for (size_t i = 0; i < R->nnews; i++)
		ord[i] = i;
	for (size_t i = 1; i < R->nnews; i++)
		for (size_t j = i; j > 0 && R->news[ord[j - 1]]->npods > R->news[ord[j]]->npods; j--) {
			size_t t = ord[j];

			ord[j] = ord[j - 1];
			ord[j - 1] = t;
		}
}

/*
 * Place pods[] (sorted here): existing nodes, in-flight claims, new claims
 * of the round, a new claim per pool by weight; relaxing preferences and
 * finally PreferNoSchedule taints before giving up (B.5).
 */
void
kp_round_solve(struct kp_round *R, uint32_t *pods, size_t npods)
{
	struct kp_state *st = R->st;
	struct ks_cluster *c = &st->r->cluster;
	struct kp_view *v = R->view;
	int any_prefer = 0;

	for (size_t i = 0; i < st->npools; i++)
		for (size_t j = 0; j < st->pools[i]->ntaints; j++)
			any_prefer |= st->pools[i]->taints[j].effect == EFFECT_PREFERNOSCHEDULE;
	kp_sort_cluster = c;
	qsort(pods, npods, sizeof(*pods), kp_pod_cmp);
	R->where = xcalloc(npods + 1, sizeof(*R->where));
	R->why = xcalloc(npods + 1, sizeof(*R->why));
	R->pods = pods;
	for (size_t pi = 0; pi < npods; pi++) {
		struct ks_pod *p = c->pods[pods[pi]];
		int64_t cpu = p->req.v[RES_CPU];
		int soft = p->spec->npref > 0;
		struct sched_ctx *ctx = sched_ctx_new(c, p);
		size_t nterms = p->spec->naffinity ? p->spec->naffinity : 1;
		char err[4096] = "";
		int done = 0;

		R->where[pi] = -1;
		R->ndone = pi;
		for (size_t i = 0; i < p->spec->ntsc; i++)
			soft |= !p->spec->tsc[i].do_not_schedule;
		for (size_t s = kp_fit_from(&v->fit, 0, cpu); s < R->nslots && !done;
		    s = kp_fit_from(&v->fit, s + 1, cpu)) {
			struct kp_slot *sl = &R->slots[s];

			if ((sl->claim != NULL && kp_excluded(R, sl->claim)) ||
			    !kp_slot_fits(R, sl, p, ctx))
				continue;
			res_add(&sl->extra, &p->req);
			VEC_PUSH(v->touched, v->ntouched, v->touchcap, s);
			kp_view_reset(v, s, 0);
			R->where[pi] = (int)s;
			done = 1;
		}
		sched_ctx_free(ctx);
		/* attempts: each required term, with then without preferences, then
		 * tolerating PreferNoSchedule */
		for (int tol = 0; tol <= any_prefer && !done; tol++) {
			for (size_t term = 0; term < nterms && !done; term++) {
				for (int pref = soft; pref >= 0 && !done; pref--) {
					struct kp_reqs preqs;
					size_t *ord = xcalloc(R->nnews + 1, sizeof(*ord));

					kp_pod_reqs(p, term, pref, &preqs);
					kp_news_order(R, ord);
					for (size_t k = 0; k < R->nnews && !done; k++)
						if (kp_news_add(R, ord[k], p, &preqs, tol, pref)) {
							R->where[pi] = -(int)ord[k] - 2;
							done = 1;
						}
					free(ord);
					err[0] = '\0';
					for (size_t k = 0; k < st->npools && !done; k++)
						if (kp_news_new(R, st->pools[k], p, &preqs, tol, pref,
						    err, sizeof(err))) {
							R->where[pi] = -(int)R->nnews - 1;
							done = 1;
						}
					kp_reqs_free(&preqs);
				}
			}
		}
		if (!done)
			R->why[pi] = intern(st->npools == 0 ? "no nodepools found" : err);
	}
}
