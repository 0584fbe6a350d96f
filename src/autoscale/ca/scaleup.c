/*
 * scaleup.c: one loop's scale-up (A.5, A.6).
 *
 * "Filter out schedulable" drops pending pods that fit a Ready node or an
 * upcoming template node.  The rest are grouped into equivalence groups;
 * per node group the binpacking estimator counts the template nodes they
 * need (estimator/binpacking_estimator.go; with balancing, up to the room
 * of the group and of its similar groups), the expander chain picks one
 * option, balance-similar-node-groups spreads it.  When no scale-up
 * happened, every pod no group can take gets CA's reason in upstream
 * words (by version for the cores and memory limits); a loop that scaled
 * up gives none.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ca/ca.h"
#include "cluster/sched.h"
#include "explain/explain.h"
#include "util/intern.h"
#include "util/xmalloc.h"

/* ---- scale-up (A.5, A.6) ---- */

struct eqg {
	struct ks_pod	**pods;		/* members, in list order */
	size_t		  n, cap;
	int		  fits;		/* the sample fits the current group's template */
	double		  score;	/* estimator order */
};

static int
same_eq(const struct ks_pod *a, const struct ks_pod *b)
{
	return a->owner != NULL && a->owner == b->owner && a->spec == b->spec &&
	    memcmp(&a->req, &b->req, sizeof(a->req)) == 0;
}

static void
eq_build(struct ks_pod **pods, size_t n, struct eqg **out, size_t *nout)
{
	struct eqg *v = NULL;
	size_t nv = 0, cap = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < nv; j++)
			if (same_eq(v[j].pods[0], pods[i]))
				break;
		if (j == nv) {
			struct eqg e;

			memset(&e, 0, sizeof(e));
			VEC_PUSH(v, nv, cap, e);
		}
		VEC_PUSH(v[j].pods, v[j].n, v[j].cap, pods[i]);
	}
	*out = v;
	*nout = nv;
}

static void
eq_free(struct eqg *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].pods);
	free(v);
}

static int
eq_score_cmp(const void *x, const void *y)
{
	const struct eqg *const *a = x, *const *b = y;

	if ((*a)->score != (*b)->score)
		return (*a)->score > (*b)->score ? -1 : 1;
	/* the groups are elements of one array: this is their index order */
	return *a < *b ? -1 : *a > *b;
}

/*
 * The binpacking estimator (estimator/binpacking_estimator.go): how many
 * template nodes the fitting equivalence groups need, at most `limit`.
 * Placed pods are appended to *placed.  Returns N, the nodes that got a pod.
 */
static int
ca_estimate(struct ks_cluster *c, const struct ks_node *tmpl, struct eqg *eq, size_t neq,
    int limit, struct ks_pod ***placed, size_t *nplaced)
{
	struct eqg **order = xcalloc(neq ? neq : 1, sizeof(*order));
	struct ks_res *extra = NULL;
	int *count = NULL;
	size_t nn = 0, cap = 0, ord = 0, pcap = 0, last = 0;
	int used = 0;

	for (size_t i = 0; i < neq; i++) {
		const struct ks_pod *p = eq[i].pods[0];
		double s = 0;

		if (tmpl->alloc.v[RES_CPU] > 0)
			s += (double)p->req.v[RES_CPU] / (double)tmpl->alloc.v[RES_CPU];
		if (tmpl->alloc.v[RES_MEM] > 0)
			s += (double)p->req.v[RES_MEM] / (double)tmpl->alloc.v[RES_MEM];
		eq[i].score = s;
		if (eq[i].fits)
			order[ord++] = &eq[i];
	}
	if (ord > 1)
		qsort(order, ord, sizeof(*order), eq_score_cmp);
	for (size_t gi = 0; gi < ord; gi++) {
		struct eqg *e = order[gi];
		int existing = 1;

		for (size_t k = 0; k < e->n; k++) {
			struct ks_pod *p = e->pods[k];
			struct sched_fit f;
			int done = 0;

			if (existing && nn > 0) {
				/* first fit over the nodes added so far, from the last placement */
				for (size_t j = 0; j < nn && !done; j++) {
					size_t idx = (last + j) % nn;

					if (sched_fits(c, p, tmpl, &extra[idx], NULL, &f)) {
						res_add(&extra[idx], &p->req);
						count[idx]++;
						last = idx;
						done = 1;
					}
				}
				if (!done)
					existing = 0;
			}
			if (!done && nn > 0 && count[nn - 1] > 0 &&
			    sched_fits(c, p, tmpl, &extra[nn - 1], NULL, &f)) {
				res_add(&extra[nn - 1], &p->req);
				count[nn - 1]++;
				done = 1;
			}
			if (!done) {
				if (nn > 0 && count[nn - 1] == 0)
					break;	/* does not fit an empty node */
				if (used >= limit)
					break;	/* the limiter said no */
				if (nn >= cap) {
					cap = cap ? 2 * cap : 8;
					extra = xreallocarray(extra, cap, sizeof(*extra));
					count = xreallocarray(count, cap, sizeof(*count));
				}
				memset(&extra[nn], 0, sizeof(extra[nn]));
				count[nn] = 0;
				nn++;
				used++;
				if (!sched_fits(c, p, tmpl, &extra[nn - 1], NULL, &f))
					break;
				res_add(&extra[nn - 1], &p->req);
				count[nn - 1]++;
				last = nn - 1;
			}
			VEC_PUSH(*placed, *nplaced, pcap, p);
		}
	}
	used = 0;
	for (size_t j = 0; j < nn; j++)
		used += count[j] > 0;
	free(order);
	free(extra);
	free(count);
	return used;
}

/* The pod's autoscaler reason, and its event when the reason changes. */
void
ca_pod_why(struct ca_state *st, struct ks_pod *p, const char *type, const char *msg)
{
	char ref[600];

	msg = intern(msg);
	xp_pod(st->r->xp, p, type[0] == 'T' ? XR_CA_TRIGGERED : XR_CA_NOSCALEUP,
	    &(struct xp_in){ .msg = msg });
	if (p->why_not == msg)
		return;
	p->why_not = msg;
	cluster_event(&st->r->cluster, type, pod_ref(p, ref, sizeof(ref)), "%s", msg);
}

static int
group_backed_off(struct ca_state *st, const struct ca_group *g)
{
	return g->backoff_until_ms > st->r->sim.now_ms;
}

/* The cores (m) and memory (bytes) of the nodes and of the instances asked for. */
static void
quota_used(struct ca_state *st, int64_t *cores, int64_t *mem)
{
	struct ks_cluster *c = &st->r->cluster;

	*cores = *mem = 0;
	for (size_t i = 0; i < c->nnodes; i++)
		if (c->nodes[i]->state != NODE_GONE) {
			*cores += c->nodes[i]->cap.v[RES_CPU];
			*mem += c->nodes[i]->cap.v[RES_MEM];
		}
	for (size_t i = 0; i < st->ngroups; i++) {
		/* instances asked for but not created yet */
		for (struct ca_launch *l = st->groups[i]->launches; l != NULL; l = l->next)
			if (l->node == NULL) {
				*cores += st->groups[i]->tmpl.cap.v[RES_CPU];
				*mem += st->groups[i]->tmpl.cap.v[RES_MEM];
			}
	}
}

/* Cluster totals against cores-total / memory-total (maximums): how many of k fit. */
static int
quota_room(struct ca_state *st, const struct ca_group *g, int k)
{
	int64_t cores, mem;

	quota_used(st, &cores, &mem);
	while (k > 0 && (cores + k * g->tmpl.cap.v[RES_CPU] > st->o.cores_max * 1000 ||
	    mem + k * g->tmpl.cap.v[RES_MEM] > st->o.mem_max_gib * 1024 * 1024 * 1024))
		k--;
	return k;
}

/*
 * Why quota_room() leaves a group no room, naming the resources one more
 * node would exceed: up to 1.34 MaxResourceLimitReached's "max cluster
 * cpu, memory limit reached" (core/scaleup/orchestrator/skippedreasons.go,
 * the names sorted), from 1.35 the cluster-wide quota's "exceeded quota:
 * \"cluster-wide\", resources: cpu, memory" (resourcequotas, ID of
 * cloudprovider.ResourceLimiter).
 */
static const char *
quota_reason(struct ca_state *st, const struct ca_group *g)
{
	static char buf[128];
	int64_t cores, mem;
	int cpu_x, mem_x;

	quota_used(st, &cores, &mem);
	cpu_x = cores + g->tmpl.cap.v[RES_CPU] > st->o.cores_max * 1000;
	mem_x = mem + g->tmpl.cap.v[RES_MEM] > st->o.mem_max_gib * 1024 * 1024 * 1024;
	assert(cpu_x || mem_x);
	if (st->version <= 34)
		snprintf(buf, sizeof(buf), "max cluster %s%s%s limit reached", cpu_x ? "cpu" : "",
		    cpu_x && mem_x ? ", " : "", mem_x ? "memory" : "");
	else
		snprintf(buf, sizeof(buf), "exceeded quota: \"cluster-wide\", resources: %s%s%s",
		    cpu_x ? "cpu" : "", cpu_x && mem_x ? ", " : "", mem_x ? "memory" : "");
	return buf;
}

static int
pod_cmp_prio(const void *x, const void *y)
{
	const struct ks_pod *a = *(struct ks_pod *const *)x, *b = *(struct ks_pod *const *)y;

	if (a->spec->priority != b->spec->priority)
		return a->spec->priority > b->spec->priority ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * "Filter out schedulable": pods that fit a Ready node or an upcoming
 * template node (in priority order, first fit from the last placement) are
 * expected to land there.  Returns the number of pods kept in pods[].
 */
size_t
ca_filter_schedulable(struct ca_state *st, struct ks_pod **pods, size_t n)
{
	struct ks_cluster *c = &st->r->cluster;
	struct simnode { const struct ks_node *n; struct ks_res extra; } *sn = NULL;
	size_t nsn = 0, cap = 0, kept = 0, last = 0;

	for (size_t i = 0; i < c->nnodes; i++)
		if (c->nodes[i]->state == NODE_READY) {
			struct simnode s = { c->nodes[i], { { 0 } } };

			VEC_PUSH(sn, nsn, cap, s);
		}
	for (size_t gi = 0; gi < st->ngroups; gi++) {
		struct ca_group *g = st->groups[gi];
		int up = g->desired - ca_group_ready(st, g);

		if (group_backed_off(st, g) || !g->tmpl_ok)
			continue;
		for (int k = 0; k < up; k++) {
			struct simnode s = { &g->tmpl, { { 0 } } };

			VEC_PUSH(sn, nsn, cap, s);
		}
	}
	if (n > 1)
		qsort(pods, n, sizeof(*pods), pod_cmp_prio);
	for (size_t i = 0; i < n; i++) {
		struct ks_pod *p = pods[i];
		int placed = 0;

		for (size_t j = 0; j < nsn && !placed; j++) {
			size_t idx = (last + j) % nsn;
			struct sched_fit f;

			if (sched_fits(c, p, sn[idx].n, &sn[idx].extra, NULL, &f)) {
				res_add(&sn[idx].extra, &p->req);
				last = idx;
				placed = 1;
			}
		}
		if (!placed)
			pods[kept++] = p;
	}
	free(sn);
	return kept;
}

static void
record_scaleup(struct ca_state *st, struct ca_group *g, int from, const char *by,
    double score, int nopts, int npods)
{
	struct ca_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.at_ms = st->r->sim.now_ms;
	rec.up = 1;
	rec.group = g->name;
	rec.from = from;
	rec.to = g->desired;
	rec.expander = by;
	rec.score = score;
	rec.options = nopts;
	rec.pods = npods;
	ca_record_add(st, &rec);
}

/*
 * GetCappedNewNodeCount counts the nodes there are and the ones on their
 * way (desired - Ready per group), so a loop that runs while a node boots
 * cannot pass --max-nodes-total.
 */
static size_t
su_nodes_counted(struct ca_state *st)
{
	struct ks_cluster *c = &st->r->cluster;
	size_t readyn = 0;

	for (size_t i = 0; i < c->nnodes; i++)
		readyn += c->nodes[i]->state == NODE_READY;
	for (size_t gi = 0; gi < st->ngroups; gi++) {
		int up = st->groups[gi]->desired - ca_group_ready(st, st->groups[gi]);

		if (up > 0)
			readyn += (size_t)up;
	}
	return readyn;
}

/*
 * estimator/sng_capacity_threshold.go NodeLimit: the nodes an option may
 * add are the room (max - target size, never negative) of its own group
 * plus that of every similar group; -1 when none has room.
 */
int
ca_sng_node_limit(const struct ca_group *g, struct ca_group *const *similar, size_t n)
{
	int room = g->max - g->desired > 0 ? g->max - g->desired : 0;

	for (size_t i = 0; i < n; i++)
		if (similar[i]->max - similar[i]->desired > 0)
			room += similar[i]->max - similar[i]->desired;
	return room > 0 ? room : -1;
}

/* Which groups can grow and which equivalence groups fit each one's template. */
struct su_fits {
	char		*valid;		/* by group: not skipped */
	char		*fit;		/* [group * neq + eq]: its sample fits the template */
	size_t		 neq;		/* equivalence groups */
};

/*
 * ComputeSimilarNodeGroups with balance-similar-node-groups: the groups
 * similar to st->groups[gi] that can grow and take every equivalence
 * group gi takes.  Returns their number, at most max, in out[].
 */
static size_t
su_similar(struct ca_state *st, const struct su_fits *sf, size_t gi, struct ca_group **out,
    size_t max)
{
	struct ca_group *g = st->groups[gi];
	size_t n = 0;

	if (!st->o.balance)
		return 0;
	for (size_t hi = 0; hi < st->ngroups && n < max; hi++) {
		int ok = hi != gi && sf->valid[hi] &&
		    ca_similar(st, &g->tmpl, &st->groups[hi]->tmpl);

		for (size_t e = 0; ok && e < sf->neq; e++)
			ok = !sf->fit[gi * sf->neq + e] || sf->fit[hi * sf->neq + e];
		if (ok)
			out[n++] = st->groups[hi];
	}
	return n;
}

/*
 * Which groups can grow (the others give each pod their skip reason in
 * hist[]) and which equivalence groups fit each template (the misfits
 * give theirs).
 */
static void
su_fits_build(struct ca_state *st, struct ks_pod **pods, size_t n, struct eqg *eq, size_t neq,
    struct sched_hist *hist, struct su_fits *sf)
{
	struct ks_cluster *c = &st->r->cluster;

	sf->neq = neq;
	sf->valid = xcalloc(st->ngroups ? st->ngroups : 1, 1);
	sf->fit = xcalloc(st->ngroups * neq + 1, 1);
	for (size_t gi = 0; gi < st->ngroups; gi++) {
		struct ca_group *g = st->groups[gi];
		const char *skip = NULL;

		if (group_backed_off(st, g))
			skip = "in backoff after failed scale-up";
		else if (g->desired >= g->max)
			skip = "max node group size reached";
		else if (quota_room(st, g, 1) < 1)
			skip = quota_reason(st, g);
		if (skip != NULL) {
			for (size_t i = 0; i < n; i++)
				sched_hist_add(&hist[i], skip);
			continue;
		}
		sf->valid[gi] = 1;
		for (size_t e = 0; e < neq; e++) {
			struct sched_fit f;

			if ((sf->fit[gi * neq + e] = (char)sched_fits(c, eq[e].pods[0], &g->tmpl,
			    NULL, NULL, &f)))
				continue;
			for (size_t k = 0; k < eq[e].n; k++)
				for (size_t i = 0; i < n; i++)
					if (pods[i] == eq[e].pods[k])
						sched_hist_add_fit(&hist[i], &f);
		}
	}
}

/*
 * One option per node group that can grow: the estimator's node count,
 * within the limits of estimator/threshold_based_limiter.go (the
 * similar-groups room, max-nodes-per-scaleup, max-nodes-total), and the
 * pods it placed.  Returns the number of options in opt[].
 */
static size_t
su_options(struct ca_state *st, struct eqg *eq, size_t neq, size_t readyn,
    const struct su_fits *sf, struct ca_option *opt)
{
	struct ks_cluster *c = &st->r->cluster;
	struct ca_group *sim[64];
	size_t nopt = 0;

	for (size_t gi = 0; gi < st->ngroups; gi++) {
		struct ca_group *g = st->groups[gi];
		struct ca_option *o = &opt[nopt];
		size_t nsim;
		int limit;

		if (!sf->valid[gi])
			continue;
		for (size_t e = 0; e < neq; e++)
			eq[e].fits = sf->fit[gi * neq + e];
		nsim = su_similar(st, sf, gi, sim, 64);
		limit = ca_sng_node_limit(g, sim, nsim);
		if (limit > st->o.max_per_scaleup)
			limit = st->o.max_per_scaleup;
		if (st->o.max_nodes_total > 0 && limit > st->o.max_nodes_total - (int)readyn)
			limit = st->o.max_nodes_total - (int)readyn;
		o->g = g;
		o->nodes = ca_estimate(c, &g->tmpl, eq, neq, limit, &o->pods, &o->npods);
		if (o->nodes > 0 && o->npods > 0)
			nopt++;
		else {
			free(o->pods);
			memset(o, 0, sizeof(*o));
		}
	}
	return nopt;
}

/*
 * The groups that grow with the chosen option: its own, then with
 * balance-similar-node-groups the similar ones (balanceScaleUps).
 * Returns their number (at most max).
 */
static int
su_balance(struct ca_state *st, const struct ca_option *best, const struct su_fits *sf,
    struct ca_group **grps, int max)
{
	size_t gi = 0;

	while (st->groups[gi] != best->g)
		gi++;
	grps[0] = best->g;
	return 1 + (int)su_similar(st, sf, gi, grps + 1, (size_t)max - 1);
}

/* Water-filling: one node at a time to the smallest group below max. */
static void
su_spread(struct ca_group **grps, int *adds, int ng, int total)
{
	for (int i = 0; i < ng; i++)
		adds[i] = 0;
	for (int k = 0; k < total; k++) {
		int pick = -1;

		for (int i = 0; i < ng; i++)
			if (grps[i]->desired + adds[i] < grps[i]->max &&
			    (pick < 0 || grps[i]->desired + adds[i] < grps[pick]->desired + adds[pick]))
				pick = i;
		if (pick < 0)
			break;
		adds[pick]++;
	}
}

/*
 * Raise each group's desired capacity by adds[i] and launch the instances,
 * with the ScaledUpGroup events and records; infos gets upstream's
 * "{group from->to (max: n)}" list.  Returns 1 when a group grew.
 */
static int
su_grow(struct ca_state *st, const struct ca_option *best, size_t nopt, const char *by,
    struct ca_group **grps, const int *adds, int ng, char *infos, size_t infosz)
{
	struct ks_cluster *c = &st->r->cluster;
	size_t len = 0;
	int done = 0;

	infos[0] = '\0';
	for (int i = 0; i < ng; i++) {
		struct ca_group *g = grps[i];
		int from = g->desired;
		char obj[300];

		if (adds[i] == 0)
			continue;
		g->desired += adds[i];
		assert(g->desired <= g->max);	/* never above the group's maxSize */
		g->scaleup_at_ms = st->r->sim.now_ms;
		g->nscaleups++;
		ca_group_launch(st, g, adds[i]);
		len += (size_t)snprintf(infos + len, len < infosz ? infosz - len : 0,
		    "%s{%s %d->%d (max: %d)}", len ? " " : "", g->name, from, g->desired, g->max);
		snprintf(obj, sizeof(obj), "nodegroup/%s", g->name);
		if (isnan(best->score))
			cluster_event(c, "ScaledUpGroup", obj,
			    "Scale-up: setting group %s size to %d instead of %d (max: %d); "
			    "expander %s chose it from %zu option(s)", g->name, g->desired, from,
			    g->max, by, nopt);
		else
			cluster_event(c, "ScaledUpGroup", obj,
			    "Scale-up: setting group %s size to %d instead of %d (max: %d); "
			    "expander %s chose it from %zu option(s), score %.3f", g->name,
			    g->desired, from, g->max, by, nopt, best->score);
		xp_obj(st->r->xp, "nodegroup", NULL, g->name, XR_CA_SCALEUP, &(struct xp_in){
		    .by = by, .by_kind = "expander",
		    .v = { from, g->desired, g->max, (int64_t)nopt } });
		record_scaleup(st, g, from, by, g == best->g ? best->score : NAN, (int)nopt,
		    g == best->g ? (int)best->npods : 0);
		ca_group_sample(st, g);
		done = 1;
	}
	return done;
}

/*
 * The expander chain picks one option, balancing spreads it, the groups
 * grow; the pods it helps get TriggeredScaleUp.  Returns 1 when a
 * scale-up was executed.
 */
static int
su_execute(struct ca_state *st, struct ca_option *opt, size_t nopt, size_t readyn,
    const struct su_fits *sf)
{
	struct ca_option *best;
	struct ca_group *grps[64];
	int adds[64], ng, total;
	const char *by;
	char infos[1024], msg[2048];

	best = &opt[ca_expander_choose(st, opt, nopt, &by)];
	total = quota_room(st, best->g, best->nodes);
	if (st->o.max_nodes_total > 0 && (int)readyn + total > st->o.max_nodes_total)
		total = st->o.max_nodes_total - (int)readyn;
	ng = su_balance(st, best, sf, grps, 64);
	su_spread(grps, adds, ng, total);
	if (!su_grow(st, best, nopt, by, grps, adds, ng, infos, sizeof(infos)))
		return 0;
	snprintf(msg, sizeof(msg), "pod triggered scale-up: [%s]", infos);
	for (size_t k = 0; k < best->npods; k++)
		ca_pod_why(st, best->pods[k], "TriggeredScaleUp", msg);
	st->last_scale_up = st->r->sim.now_ms;
	return 1;
}

/* The equivalence group of pod p can go to a group that can grow (Schedulable). */
static int
su_schedulable(struct ca_state *st, const struct su_fits *sf, const struct eqg *eq,
    const struct ks_pod *p)
{
	for (size_t e = 0; e < sf->neq; e++) {
		int member = 0;

		for (size_t k = 0; k < eq[e].n && !member; k++)
			member = eq[e].pods[k] == p;
		if (!member)
			continue;
		for (size_t gi = 0; gi < st->ngroups; gi++)
			if (sf->valid[gi] && sf->fit[gi * sf->neq + e])
				return 1;
		return 0;
	}
	return 0;
}

/*
 * EventingScaleUpStatusProcessor: when no scale-up happened, the pods
 * that no group can take (PodsRemainUnschedulable: their equivalence
 * group is not Schedulable) get NotTriggerScaleUp with each group's
 * reason; a loop that scaled up gives none.  A pod with no reason at all
 * (no node group was considered) gets no event rather than upstream's
 * "pod didn't trigger scale-up: " with nothing after it.
 */
static void
su_explain(struct ca_state *st, struct ks_pod **pods, size_t n, const struct su_fits *sf,
    const struct eqg *eq, const struct sched_hist *hist)
{
	char msg[2048];

	for (size_t i = 0; i < n; i++) {
		size_t len;

		if (hist[i].n == 0 || su_schedulable(st, sf, eq, pods[i]))
			continue;
		len = (size_t)snprintf(msg, sizeof(msg), "pod didn't trigger scale-up: ");
		sched_hist_format(&hist[i], msg + len, sizeof(msg) - len);
		ca_pod_why(st, pods[i], "NotTriggerScaleUp", msg);
	}
}

/* Returns 1 when a scale-up was executed. */
int
ca_scale_up(struct ca_state *st, struct ks_pod **pods, size_t n)
{
	struct eqg *eq;
	size_t neq, nopt;
	struct ca_option *opt = xcalloc(st->ngroups ? st->ngroups : 1, sizeof(*opt));
	struct sched_hist *hist = xcalloc(n ? n : 1, sizeof(*hist));
	int done = 0;
	size_t readyn = su_nodes_counted(st);
	struct su_fits sf;

	eq_build(pods, n, &eq, &neq);
	su_fits_build(st, pods, n, eq, neq, hist, &sf);
	nopt = su_options(st, eq, neq, readyn, &sf, opt);
	if (nopt > 0)
		done = su_execute(st, opt, nopt, readyn, &sf);
	if (!done)
		su_explain(st, pods, n, &sf, eq, hist);
	for (size_t k = 0; k < nopt; k++)
		free(opt[k].pods);
	free(opt);
	free(hist);
	free(sf.valid);
	free(sf.fit);
	eq_free(eq, neq);
	return done;
}
