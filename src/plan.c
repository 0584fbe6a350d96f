/*
 * plan.c: capacity planning, `ksim plan headroom|nodes|cost`: the
 * questions a platform team asks before a quarter, answered from the same
 * model `ksim run` simulates.
 *
 * headroom (the question kubernetes-sigs/cluster-capacity answers):
 * simulate the scenario up to --at (default: just after t=0, once the
 * scheduler has placed what it can), then on every Ready node add copies
 * of the probe pod one by one, each as kube-scheduler's Filter phase would
 * see it with the earlier copies' requests counted as `extra`
 * (sched_fits()), until one does not fit; the failing filter gives the
 * reason in kube-scheduler's words ("Insufficient cpu", "Too many pods",
 * "node(s) had untolerated taint {k: v}", "node(s) didn't match Pod's node
 * affinity/selector").  Inter-pod terms are evaluated against the pods
 * already bound; among the copies themselves only a required anti-affinity
 * that matches the probe's own labels is applied (one copy per node for a
 * hostname topology key, one in all for any other key, since the copies
 * would share the domain).
 *
 * nodes: which single instance type serves the scenario at the lowest
 * cost.  The Cluster Autoscaler and Karpenter were being written when this
 * was, so the ranked method is a static node group sized for the peak, not
 * an autoscaled one: (1) the scenario is simulated as written, and the peak
 * is the moment when the pods alive (created, not yet gone, DaemonSet pods
 * excluded) request the most cpu; (2) for each candidate, a pod that cannot
 * fit an empty node of the type (its EKS allocatable, minus the DaemonSet
 * pods that would run there) makes the type not viable, with the reason;
 * (3) the peak's pods are packed first-fit-decreasing (by cpu, then
 * memory) onto nodes of the type, which estimates the nodes needed; (4) the
 * scenario is simulated again with its capacity replaced by that many
 * nodes of the type (spec.nodes, Node objects, timeline node creations,
 * spec.nodeGroups and the ClusterConfig / NodePool / Provisioner documents
 * are swapped out for the run and put back before it is freed, and
 * snapshot pods lose their nodeName), and the count is grown one node at a
 * time, at most PLAN_GROW times, until no pod ever fails to schedule:
 * kube-scheduler's LeastAllocated spreading can need more nodes than the
 * packing.  Pods pinned to a node of the scenario by a hostname
 * nodeSelector cannot move and are left out (and counted).  The
 * candidates' simulations are independent, so they run in parallel
 * processes (-j, fork(2)), each writing its fixed-size result into a pipe;
 * results are stored by candidate index, so the output does not depend on
 * which finished first.  Cost = the nodes' bills over the scenario (per
 * second, 60 s minimum), so a static group costs nodes x price x duration.
 * --method ca replaces step (4): each candidate is one simulation with the
 * capacity replaced by an eksctl managed node group of the type from zero
 * nodes and a cluster-autoscaler Deployment of 0 replicas that turns CA on
 * (least-waste); nodes = the most alive at once, unschedulable = the pods
 * still Pending at the end.  --karpenter adds one more simulation, reported
 * beside the ranking: the capacity replaced by a karpenter.sh/v1 NodePool
 * allowing every candidate.  Both are written as YAML to a temporary file
 * given after the scenario's files (sim_extra()), so ca.c and karpenter.c
 * read them as they read any ClusterConfig or NodePool.
 *
 * cost: the bill of a run, scaled to a day and to AWS's 730-hour month,
 * split on-demand / spot, and shared out per node group and per workload
 * by requests (plan_cost_compute(), see plan.h); what no pod requested is
 * idle.
 *
 * Costs: headroom is O(nodes x copies) filter calls.  nodes is one
 * simulation of the scenario plus, per viable candidate, O(pods x nodes)
 * filter calls for the packing and one to PLAN_GROW + 1 simulations.
 */
#include "plan.h"

#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "cluster/quantity.h"
#include "cluster/sched.h"
#include "io/expect.h"
#include "io/load.h"
#include "io/report.h"
#include "io/ytree.h"
#include "ksim.h"
#include "run.h"
#include "util/duration.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define PLAN_GROW	8		/* nodes added beyond the estimate, at most */
#define PLAN_MAX_COPIES	100000		/* headroom: copies tried per node, at most */
#define HOSTNAME_KEY	"kubernetes.io/hostname"
#define DEFAULT_TYPES	"c6i.*,m6i.*,r6i.*"
#define PLAN_OWN	"ksim-plan"	/* name of the documents plan adds */
#define PLAN_CA_MAX	1000		/* --method ca: the node group's maxSize */

/* ---- flags ---- */

static int
has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

int
plan_types_parse(const struct catalog *cat, const char *flag, const char *list,
    const struct cat_itype ***out, size_t *n, struct ks_error *err)
{
	size_t nc = catalog_count(cat), k = 0;
	char *copy = xstrdup(list), *save = NULL, *tok;
	unsigned char *pick = xcalloc(nc ? nc : 1, 1);
	int rc = 0;

	*out = NULL;
	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		int found = 0;

		while (*tok == ' ')
			tok++;
		if (*tok == '\0')
			continue;
		for (size_t i = 0; i < nc; i++) {
			const struct cat_itype *it = catalog_at(cat, i);

			if (has_glob(tok) ? fnmatch(tok, it->name, 0) == 0 : strcmp(tok, it->name) == 0) {
				pick[i] = 1;
				found = 1;
			}
		}
		if (!found) {
			rc = has_glob(tok) ?
			    ks_error_set(err, NULL, KS_EUSAGE,
				"%s: \"%s\" matches no instance type in the catalog", flag, tok) :
			    ks_error_set(err, NULL, KS_EUSAGE,
				"%s: unknown instance type \"%s\"", flag, tok);
			goto cleanup;
		}
	}
	for (size_t i = 0; i < nc; i++)
		k += pick[i];
	if (k == 0) {
		rc = ks_error_set(err, NULL, KS_EUSAGE,
		    "%s: expected instance types or globs, found \"%s\"", flag, list);
		goto cleanup;
	}
	*out = xcalloc(k, sizeof(**out));
	for (size_t i = 0; i < nc; i++)
		if (pick[i])
			(*out)[(*n)++] = catalog_at(cat, i);
cleanup:
	free(pick);
	free(copy);
	return rc;
}

int
plan_captypes_parse(const char *flag, const char *list, unsigned *mask, struct ks_error *err)
{
	char *copy = xstrdup(list), *save = NULL, *tok;
	int rc = 0;

	*mask = 0;
	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "on-demand") == 0) {
			*mask |= 1;
		} else if (strcmp(tok, "spot") == 0) {
			*mask |= 2;
		} else {
			rc = ks_error_set(err, NULL, KS_EUSAGE,
			    "%s: expected spot or on-demand, found \"%s\"", flag, tok);
			break;
		}
	}
	if (rc == 0 && *mask == 0)
		rc = ks_error_set(err, NULL, KS_EUSAGE,
		    "%s: expected spot or on-demand, found \"%s\"", flag, list);
	free(copy);
	return rc;
}

int
plan_usd_parse(const char *flag, const char *s, int64_t *nusd, struct ks_error *err)
{
	int64_t whole = 0, frac = 0, scale = CAT_NUSD_PER_USD;
	const char *p = s;
	int digits = 0;

	*nusd = 0;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (whole > INT64_MAX / 10 / CAT_NUSD_PER_USD - 1)
			goto bad;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
		}
	}
	if (*p != '\0' || digits == 0)
		goto bad;
	*nusd = whole * CAT_NUSD_PER_USD + frac;
	return 0;
bad:
	return ks_error_set(err, NULL, KS_EUSAGE,
	    "%s: expected an amount of US dollars such as 25 or 0.75, found \"%s\"", flag, s);
}

/* ---- ranking and scaling ---- */

static int
rank_class(const struct plan_option *o)
{
	if (!o->viable || o->failed)
		return 2;
	return o->unsched > 0 ? 1 : 0;
}

static int
cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

static int
option_cmp(const void *x, const void *y)
{
	const struct plan_option *a = x, *b = y;
	int ca = rank_class(a), cb = rank_class(b), d;

	if (ca != cb)
		return ca - cb;
	if (ca == 1 && (d = a->unsched - b->unsched) != 0)
		return d;
	if (ca < 2 && (d = cmp_i64(a->cost_nusd, b->cost_nusd)) != 0)
		return d;
	if (ca < 2 && (d = a->nodes - b->nodes) != 0)
		return d;
	if ((d = strcmp(a->it->name, b->it->name)) != 0)
		return d;
	return a->spot - b->spot;
}

void
plan_rank(struct plan_option *o, size_t n)
{
	if (n > 1)
		qsort(o, n, sizeof(*o), option_cmp);
}

const struct plan_option *
plan_cheapest(const struct plan_option *o, size_t n)
{
	return n > 0 && rank_class(&o[0]) == 0 ? &o[0] : NULL;
}

int64_t
plan_scale(int64_t nusd, int64_t run_ms, int64_t period_ms)
{
	if (run_ms <= 0)
		return 0;
#ifdef __SIZEOF_INT128__
	{
		__int128 v = ((__int128)nusd * period_ms + run_ms / 2) / run_ms;

		return v > INT64_MAX ? INT64_MAX : v < -INT64_MAX ? -INT64_MAX : (int64_t)v;
	}
#else
	/* nusd * period / run without overflow for costs below ~9e9 USD */
	return nusd / run_ms * period_ms + (nusd % run_ms * period_ms + run_ms / 2) / run_ms;
#endif
}

/* ---- probes: a pod of the scenario seen by the filters anywhere ---- */

/* A copy of a pod whose spec has no nodeName (it is tried on new nodes). */
struct probe {
	struct ks_podspec	spec;		/* shallow copy, borrowed pointers */
	struct ks_pod		pod;		/* spec points at the copy above */
};

static void
probe_init(struct probe *pr, const struct ks_podspec *spec, const struct ks_res *req,
    const char *ns, const char *name)
{
	pr->spec = *spec;
	pr->spec.node_name = NULL;
	memset(&pr->pod, 0, sizeof(pr->pod));
	pr->pod.spec = &pr->spec;
	pr->pod.req = *req;
	pr->pod.ns = ns;
	pr->pod.name = name;
	pr->pod.node = -1;
	pr->pod.pin_node = -1;
	pr->pod.ordinal = -1;
	pr->pod.scheduled_ms = pr->pod.running_ms = pr->pod.ready_ms = -1;
	pr->pod.deleted_ms = pr->pod.gone_ms = pr->pod.unsched_since = -1;
}

/*
 * Does a required anti-affinity term of a match b (a's namespace rules)?
 * 0 no, 1 on the hostname topology key, 2 on another key.
 */
static int
anti_match(const struct ks_pod *a, const struct ks_pod *b)
{
	int worst = 0;

	for (size_t i = 0; i < a->spec->npod_anti; i++) {
		const struct ks_podaff *t = &a->spec->pod_anti[i];
		int ns_ok = t->nns == 0 ? strcmp(a->ns, b->ns) == 0 : 0;

		for (size_t j = 0; j < t->nns && !ns_ok; j++)
			ns_ok = strcmp(t->namespaces[j], b->ns) == 0;
		if (!ns_ok || !selector_matches(&t->sel, &b->spec->labels))
			continue;
		if (strcmp(t->topology_key, HOSTNAME_KEY) == 0) {
			if (worst == 0)
				worst = 1;
		} else {
			worst = 2;
		}
	}
	return worst;
}

static int
anti_between(const struct ks_pod *a, const struct ks_pod *b)
{
	int x = anti_match(a, b), y = anti_match(b, a);

	return x > y ? x : y;
}

/* The words of one failed filter, reasons sorted and joined by ", ". */
static void
fit_reason(const struct sched_fit *f, char *buf, size_t n)
{
	struct sched_hist h;
	size_t len = 0;

	memset(&h, 0, sizeof(h));
	sched_hist_add_fit(&h, f);
	/* kube-scheduler sorts reasons as strings; so do we */
	for (int i = 1; i < h.n; i++)
		for (int j = i; j > 0 && strcmp(h.reason[j - 1], h.reason[j]) > 0; j--) {
			const char *t = h.reason[j];

			h.reason[j] = h.reason[j - 1];
			h.reason[j - 1] = t;
		}
	buf[0] = '\0';
	for (int i = 0; i < h.n && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", h.reason[i]);
}

/* ---- headroom ---- */

static const char *
domain_of(const struct ks_node *n, const char *key)
{
	const char *v = labels_get(&n->labels, key);

	if (v == NULL && strcmp(key, HOSTNAME_KEY) == 0)
		v = n->name;
	return v;
}

static int
term_ns_has(const struct ks_podaff *t, const char *owner_ns, const char *ns)
{
	if (t->nns == 0)
		return strcmp(owner_ns, ns) == 0;
	for (size_t i = 0; i < t->nns; i++)
		if (strcmp(t->namespaces[i], ns) == 0)
			return 1;
	return 0;
}

/* Some pod bound in n's domain of t's key matches t (owned by a pod of owner_ns)? */
static int
term_hit(struct ks_cluster *c, const struct ks_podaff *t, const char *owner_ns,
    const struct ks_node *n, int anywhere)
{
	const char *d = domain_of(n, t->topology_key);

	if (d == NULL && !anywhere)
		return 0;
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *m = c->nodes[i];
		const char *dm;

		if (m->state != NODE_READY)
			continue;
		dm = domain_of(m, t->topology_key);
		if (!anywhere && (dm == NULL || strcmp(dm, d) != 0))
			continue;
		for (size_t j = 0; j < m->npods; j++) {
			const struct ks_pod *q = c->pods[m->pods[j]];

			if (term_ns_has(t, owner_ns, q->ns) && selector_matches(&t->sel, &q->spec->labels))
				return 1;
		}
	}
	return 0;
}

/*
 * The inter-pod filters for a probe with terms of its own, evaluated here
 * because sched_ctx_free() does not release a context's per-term counts.
 * Topology spread constraints are not evaluated.  NULL when n passes.
 */
static const char *
interpod_fail(struct ks_cluster *c, const struct ks_pod *p, const struct ks_node *n)
{
	const struct ks_podspec *s = p->spec;

	for (size_t i = 0; i < s->npod_aff; i++) {
		const struct ks_podaff *t = &s->pod_aff[i];

		if (term_hit(c, t, p->ns, n, 0))
			continue;
		/* the first pod of a group may go anywhere (satisfyPodAffinity) */
		if (!term_hit(c, t, p->ns, n, 1) && term_ns_has(t, p->ns, p->ns) &&
		    selector_matches(&t->sel, &s->labels))
			continue;
		return "node(s) didn't match pod affinity rules";
	}
	for (size_t i = 0; i < s->npod_anti; i++)
		if (term_hit(c, &s->pod_anti[i], p->ns, n, 0))
			return "node(s) didn't match pod anti-affinity rules";
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *m = c->nodes[i];

		if (m->state != NODE_READY)
			continue;
		for (size_t j = 0; j < m->npods; j++) {
			const struct ks_pod *q = c->pods[m->pods[j]];

			for (size_t k = 0; k < q->spec->npod_anti; k++) {
				const struct ks_podaff *t = &q->spec->pod_anti[k];
				const char *dq = domain_of(m, t->topology_key), *dn;

				dn = domain_of(n, t->topology_key);
				if (dq != NULL && dn != NULL && strcmp(dq, dn) == 0 &&
				    term_ns_has(t, q->ns, p->ns) && selector_matches(&t->sel, &s->labels))
					return "node(s) didn't satisfy existing pods anti-affinity rules";
			}
		}
	}
	return NULL;
}

int
plan_headroom_compute(struct ks_run *r, const struct ks_pod *probe,
    struct plan_headroom_node **out, size_t *n)
{
	struct ks_cluster *c = &r->cluster;
	const struct ks_podspec *s = probe->spec;
	int own = s->npod_aff > 0 || s->npod_anti > 0 || s->ntsc > 0;
	struct sched_ctx *ctx = own ? NULL : sched_ctx_new(c, probe);
	int self_anti = anti_match(probe, probe), total = 0;

	*out = xcalloc(c->nnodes ? c->nnodes : 1, sizeof(**out));
	*n = 0;
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *node = c->nodes[i];
		struct plan_headroom_node *h;
		struct ks_res extra;
		struct sched_fit fit;

		if (node->state != NODE_READY)
			continue;
		h = &(*out)[(*n)++];
		memset(&extra, 0, sizeof(extra));
		h->name = node->name;
		h->itype = node->itype != NULL ? node->itype->name : "-";
		h->free_cpu_m = node->alloc.v[RES_CPU] - node->used.v[RES_CPU];
		h->free_mem_b = node->alloc.v[RES_MEM] - node->used.v[RES_MEM];
		if (own) {
			const char *why;

			/* the resource and node filters first, as kube-scheduler runs them */
			if (!sched_fits(c, probe, node, &extra, NULL, &fit)) {
				fit_reason(&fit, h->stop, sizeof(h->stop));
				continue;
			}
			if ((why = interpod_fail(c, probe, node)) != NULL) {
				snprintf(h->stop, sizeof(h->stop), "%s", why);
				continue;
			}
		}
		for (;;) {
			if ((self_anti == 1 && h->fits > 0) || (self_anti == 2 && total > 0)) {
				snprintf(h->stop, sizeof(h->stop), "%s",
				    "node(s) didn't match pod anti-affinity rules");
				break;
			}
			if (h->fits >= PLAN_MAX_COPIES) {
				snprintf(h->stop, sizeof(h->stop), "more than %d copies", PLAN_MAX_COPIES);
				break;
			}
			if (!sched_fits(c, probe, node, &extra, ctx, &fit)) {
				fit_reason(&fit, h->stop, sizeof(h->stop));
				break;
			}
			res_add(&extra, &probe->req);
			h->fits++;
			total++;
		}
	}
	sched_ctx_free(ctx);
	return total;
}

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
	int d = cmp_i64(b->nusd, a->nusd);

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
		int64_t bill = node_cost_nusd(n, end), used = 0;
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
			    (double)(to - from) / 3600000.0 * pod_share(&p->req, n) + 0.5);
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

/* ---- nodes: replacing the scenario's capacity ---- */

/* The scenario edit of one candidate simulation (and what it swapped out). */
struct cand_edit {
	const struct cat_itype	*it;		/* candidate type, NULL = no static nodes */
	int			 spot;		/* capacity type */
	int			 count;		/* nodes */
	const char		*region;	/* interned, NULL = the scenario's */
	struct static_nodes	 mine;		/* the replacement spec.nodes entry */
	struct static_nodes	*snodes;	/* swapped out */
	size_t			 nsnodes;
	struct node_def		**nodes;	/* swapped out */
	size_t			 nnodes;
	struct node_def		**act_nodes;	/* per action, swapped out */
	enum action_type	*act_type;	/* per action, the original type */
	struct ks_doc		**docs;		/* swapped out: every document */
	size_t			 ndocs;
	struct ks_doc		**kept;		/* the documents the candidate keeps */
	const struct yt_node	*spec;		/* swapped out: the Scenario's spec */
	struct yt_node		 myspec;	/* the spec without nodeGroups */
};

/* Documents that bring capacity of their own: set aside for a candidate. */
static int
doc_brings_capacity(const struct ks_doc *d)
{
	/* but not the ones plan adds (the Karpenter row, --method ca) */
	if (strcmp(d->kind, "NodePool") == 0 || strcmp(d->kind, "ClusterConfig") == 0)
		return strcmp(d->name, PLAN_OWN) != 0;
	return strcmp(d->kind, "Provisioner") == 0;
}

/* A pod pinned to a node of the scenario by hostname cannot move. */
static int
pod_pinned(const struct ks_pod *p)
{
	return labels_get(&p->spec->node_selector, HOSTNAME_KEY) != NULL;
}

static int
edit_region(struct ks_scenario *s, void *arg, struct ks_error *err)
{
	(void)err;
	s->region = arg;
	return 0;
}

static int
cand_apply(struct ks_scenario *s, void *arg, struct ks_error *err)
{
	struct cand_edit *e = arg;

	(void)err;
	if (e->region != NULL)
		s->region = e->region;
	memset(&e->mine, 0, sizeof(e->mine));
	e->snodes = s->snodes;
	e->nsnodes = s->nsnodes;
	if (e->it != NULL) {
		e->mine.itype = intern(e->it->name);
		e->mine.count = e->count;
		e->mine.spot = e->spot;
		e->mine.prefix = intern(e->it->name);
		e->mine.mark = s->spec_mark;
		if (s->nsnodes > 0)
			labels_copy(&e->mine.labels, &s->snodes[0].labels);
		s->snodes = &e->mine;
		s->nsnodes = 1;
	} else {
		/* no static capacity at all (the Karpenter row) */
		s->snodes = NULL;
		s->nsnodes = 0;
	}
	e->nodes = s->nodes;
	e->nnodes = s->nnodes;
	s->nodes = NULL;
	s->nnodes = 0;
	e->act_nodes = xcalloc(s->nactions ? s->nactions : 1, sizeof(*e->act_nodes));
	e->act_type = xcalloc(s->nactions ? s->nactions : 1, sizeof(*e->act_type));
	for (size_t i = 0; i < s->nactions; i++) {
		struct ks_action *a = &s->actions[i];

		e->act_type[i] = a->type;
		e->act_nodes[i] = a->node;
		a->node = NULL;
		/* deleting a Node the candidate does not have: a no-op */
		if (a->type == ACT_DELETE && strcmp(a->kind, "Node") == 0)
			a->type = ACT_CREATE;
	}
	for (size_t i = 0; i < s->npods; i++) {
		s->pods[i]->node_name = NULL;
		if (s->pods[i]->spec != NULL)
			s->pods[i]->spec->node_name = NULL;
	}
	/* node groups (eksctl, spec.nodeGroups) and other NodePools go too */
	e->docs = s->docs;
	e->ndocs = s->ndocs;
	e->kept = xcalloc(s->ndocs ? s->ndocs : 1, sizeof(*e->kept));
	s->ndocs = 0;
	for (size_t i = 0; i < e->ndocs; i++)
		if (!doc_brings_capacity(e->docs[i]))
			e->kept[s->ndocs++] = e->docs[i];
	s->docs = e->kept;
	e->spec = s->spec;
	if (s->spec != NULL && s->spec->kind == YT_MAP) {
		e->myspec = *s->spec;
		e->myspec.pairs = xcalloc(s->spec->npairs ? s->spec->npairs : 1,
		    sizeof(*e->myspec.pairs));
		e->myspec.npairs = 0;
		for (size_t i = 0; i < s->spec->npairs; i++) {
			const struct yt_node *k = s->spec->pairs[i].key;

			if (k->kind == YT_SCALAR && strcmp(k->str, "nodeGroups") == 0)
				continue;
			e->myspec.pairs[e->myspec.npairs++] = s->spec->pairs[i];
		}
		s->spec = &e->myspec;
	}
	return 0;
}

static void
cand_undo(struct ks_scenario *s, void *arg)
{
	struct cand_edit *e = arg;

	if (e->act_nodes == NULL)
		return;
	s->snodes = e->snodes;
	s->nsnodes = e->nsnodes;
	s->nodes = e->nodes;
	s->nnodes = e->nnodes;
	for (size_t i = 0; i < s->nactions; i++) {
		s->actions[i].node = e->act_nodes[i];
		s->actions[i].type = e->act_type[i];
	}
	s->docs = e->docs;
	s->ndocs = e->ndocs;
	s->spec = e->spec;
	labels_free(&e->mine.labels);
	free(e->act_nodes);
	free(e->act_type);
	free(e->kept);
	free(e->myspec.pairs);
	e->act_nodes = NULL;
	e->act_type = NULL;
	e->kept = NULL;
	e->myspec.pairs = NULL;
}

/* Everything the candidates share: the scenario as written, simulated. */
struct nodes_ctx {
	const struct ksim_opts	*o;		/* the files and flags */
	const struct catalog	*cat;		/* borrowed */
	const char		*region;	/* interned, NULL = the scenario's */
	struct ks_run		*base;		/* the scenario as written, simulated */
	struct ks_pod		**pods;		/* non-DaemonSet pods, cpu then memory descending */
	size_t			 npods;
	struct ks_pod		**peak;		/* pods alive at the peak, same order */
	size_t			 npeak;
	int64_t			 peak_ms;	/* when the peak was */
	size_t			 npinned;	/* pods left out: nodeSelector on a hostname */
	int			 method_ca;	/* --method ca: an autoscaled group per candidate */
	struct ks_res		 peak_req;	/* what the peak's pods request */
};

static int
pod_size_cmp(const void *x, const void *y)
{
	const struct ks_pod *a = *(struct ks_pod *const *)x, *b = *(struct ks_pod *const *)y;
	int d = cmp_i64(b->req.v[RES_CPU], a->req.v[RES_CPU]);

	if (d == 0)
		d = cmp_i64(b->req.v[RES_MEM], a->req.v[RES_MEM]);
	return d != 0 ? d : cmp_i64(a->id, b->id);
}

static int64_t
pod_end(const struct ks_pod *p, int64_t end)
{
	return p->gone_ms >= 0 ? p->gone_ms : end;
}

/* The pods of the run as written, and the moment their requests peak. */
static void
nodes_ctx_peak(struct nodes_ctx *nc)
{
	struct ks_cluster *c = &nc->base->cluster;
	int64_t end = nc->base->sim.now_ms, best = -1;

	nc->pods = xcalloc(c->npods ? c->npods : 1, sizeof(*nc->pods));
	nc->peak = xcalloc(c->npods ? c->npods : 1, sizeof(*nc->peak));
	for (size_t i = 0; i < c->npods; i++) {
		if (c->pods[i]->spec->is_daemon)
			continue;
		if (pod_pinned(c->pods[i]))
			nc->npinned++;
		else
			nc->pods[nc->npods++] = c->pods[i];
	}
	qsort(nc->pods, nc->npods, sizeof(*nc->pods), pod_size_cmp);
	/* the sum only grows when a pod is created: try each creation time */
	for (size_t i = 0; i < nc->npods; i++) {
		int64_t t = nc->pods[i]->created_ms, sum = 0;

		for (size_t j = 0; j < nc->npods; j++) {
			const struct ks_pod *p = nc->pods[j];

			if (p->created_ms <= t && pod_end(p, end) > t)
				sum += p->req.v[RES_CPU];
		}
		if (sum > best || (sum == best && t < nc->peak_ms)) {
			best = sum;
			nc->peak_ms = t;
		}
	}
	memset(&nc->peak_req, 0, sizeof(nc->peak_req));
	for (size_t j = 0; j < nc->npods; j++) {
		struct ks_pod *p = nc->pods[j];

		if (p->created_ms <= nc->peak_ms && pod_end(p, end) > nc->peak_ms) {
			nc->peak[nc->npeak++] = p;
			res_add(&nc->peak_req, &p->req);
		}
	}
}

/* An empty node of the type, as EKS would create it, to try pods on. */
static struct ks_node *
template_node(struct nodes_ctx *nc, const struct cat_itype *it, int spot)
{
	struct ks_run *r = nc->base;
	struct ks_node *n = run_node_new(r, it, run_zone(r, 0), spot, 0, "plan-template");
	const struct ks_scenario *s = r->scn;

	if (s->nsnodes > 0)
		for (size_t l = 0; l < s->snodes[0].labels.n; l++)
			labels_set(&n->labels, s->snodes[0].labels.v[l].key,
			    s->snodes[0].labels.v[l].val);
	return n;
}

/* Requests of the DaemonSet pods that would run on n. */
static void
daemon_extra(struct nodes_ctx *nc, const struct ks_node *n, struct ks_res *extra)
{
	struct ks_cluster *c = &nc->base->cluster;

	memset(extra, 0, sizeof(*extra));
	for (size_t i = 0; i < c->nwls; i++) {
		const struct ks_workload *w = c->wls[i];
		struct sched_fit fit;
		struct probe pr;

		if (w->kind != WL_DAEMONSET || w->deleted)
			continue;
		probe_init(&pr, &w->spec, &w->spec.req, w->ns, w->name);
		if (sched_fits(c, &pr.pod, n, extra, NULL, &fit))
			res_add(extra, &w->spec.req);
	}
}

/* First-fit-decreasing of the peak's pods onto nodes like tmpl: nodes used. */
static int
pack_ffd(struct nodes_ctx *nc, const struct ks_node *tmpl, const struct ks_res *ds)
{
	struct ks_cluster *c = &nc->base->cluster;
	struct ks_res *extra = xcalloc(nc->npeak + 1, sizeof(*extra));
	int *where = xcalloc(nc->npeak + 1, sizeof(int));
	size_t nn = 0;

	for (size_t i = 0; i < nc->npeak; i++) {
		struct probe pr;
		struct sched_fit fit;
		int other = 0;
		size_t k;

		probe_init(&pr, nc->peak[i]->spec, &nc->peak[i]->req, nc->peak[i]->ns,
		    nc->peak[i]->name);
		where[i] = -1;
		for (size_t j = 0; j < i; j++)
			if (where[j] >= 0 && anti_between(&pr.pod, nc->peak[j]) == 2)
				other = 1;
		if (other)
			continue;	/* one per zone, and every node is in one zone */
		for (k = 0; k <= nn; k++) {
			int clash = 0;

			if (k == nn)
				extra[k] = *ds;
			for (size_t j = 0; j < i && !clash; j++)
				clash = where[j] == (int)k && anti_between(&pr.pod, nc->peak[j]) == 1;
			if (!clash && sched_fits(c, &pr.pod, tmpl, &extra[k], NULL, &fit))
				break;
		}
		if (k > nn)
			continue;	/* fits no node of the type */
		if (k == nn)
			nn++;
		res_add(&extra[k], &nc->peak[i]->req);
		where[i] = (int)k;
	}
	free(extra);
	free(where);
	return nn > 0 ? (int)nn : 1;
}

/* The most nodes alive at once (at some node's launch). */
static int
nodes_max_alive(const struct ks_cluster *c)
{
	int best = 0;

	for (size_t i = 0; i < c->nnodes; i++) {
		int alive = 0;

		for (size_t j = 0; j < c->nnodes; j++)
			if (c->nodes[j]->launched_ms <= c->nodes[i]->launched_ms &&
			    (c->nodes[j]->gone_ms < 0 || c->nodes[j]->gone_ms > c->nodes[i]->launched_ms))
				alive++;
		if (alive > best)
			best = alive;
	}
	return best;
}

/*
 * Simulate the scenario edited by e with one more file holding `yaml`
 * (given after the scenario's files).  The file is removed once loaded.
 */
static int
sim_extra(struct nodes_ctx *nc, struct cand_edit *e, const char *yaml, struct ks_run **out,
    struct ks_error *err)
{
	struct ksim_opts o = *nc->o;
	struct ksim_edit ed = { cand_apply, cand_undo, e };
	const char **files;
	char path[64];
	FILE *fp;
	int fd, rc;

	*out = NULL;
	snprintf(path, sizeof(path), "/tmp/ksim-plan-XXXXXX.yaml");
	if ((fd = mkstemps(path, 5)) < 0)
		return ks_error_set(err, NULL, KS_EIO, "cannot create a temporary file: %s",
		    strerror(errno));
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
		return ks_error_set(err, NULL, KS_EIO, "cannot write %s: %s", path, strerror(errno));
	}
	fputs(yaml, fp);
	if (fclose(fp) != 0) {
		unlink(path);
		return ks_error_set(err, NULL, KS_EIO, "cannot write %s: %s", path, strerror(errno));
	}
	files = xcalloc(o.nfiles + 1, sizeof(*files));
	memcpy(files, o.files, o.nfiles * sizeof(*files));
	files[o.nfiles] = path;
	o.files = files;
	o.nfiles++;
	o.quiet = 1;
	rc = ksim_simulate(&o, nc->cat, &ed, out, err);
	unlink(path);
	free(files);
	return rc;
}

/* --method ca: the candidate as an autoscaled node group from zero. */
static char *
ca_yaml(const char *region, const struct cat_itype *it, int spot)
{
	return xasprintf(
	    "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n"
	    "metadata: {name: %s, region: %s}\nmanagedNodeGroups:\n"
	    "  - {name: %s, instanceType: %s, minSize: 0, maxSize: %d, desiredCapacity: 0, "
	    "spot: %s}\n"
	    "---\napiVersion: apps/v1\nkind: Deployment\n"
	    "metadata: {name: %s-cluster-autoscaler, namespace: kube-system}\n"
	    "spec:\n  replicas: 0\n  selector: {matchLabels: {app: %s-cluster-autoscaler}}\n"
	    "  template:\n    metadata: {labels: {app: %s-cluster-autoscaler}}\n"
	    "    spec:\n      containers:\n        - name: cluster-autoscaler\n"
	    "          image: registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.0\n"
	    "          command: [./cluster-autoscaler, --cloud-provider=aws, "
	    "--expander=least-waste]\n",
	    PLAN_OWN, region, PLAN_OWN, it->name, PLAN_CA_MAX, spot ? "true" : "false",
	    PLAN_OWN, PLAN_OWN, PLAN_OWN);
}

/* What a candidate's simulation shows. */
static void
measure(struct ks_run *r, struct plan_option *opt, int autoscaled)
{
	struct ks_cluster *c = &r->cluster;
	int64_t end = r->sim.now_ms, best = -1, all = 0, late = 0;
	int any_late = 0, all_never = 0, late_never = 0;

	opt->unsched = 0;
	opt->cost_nusd = 0;
	for (size_t i = 0; i < c->nnodes; i++)
		opt->cost_nusd += node_cost_nusd(c->nodes[i], end);
	for (size_t i = 0; i < c->npods; i++) {
		const struct ks_pod *p = c->pods[i];
		int64_t wait;

		if (p->spec->is_daemon || pod_pinned(p))
			continue;
		/* an autoscaler acts on unschedulable pods: count what it left */
		if (autoscaled ? p->phase == POD_PENDING : p->unsched_since >= 0)
			opt->unsched++;
		wait = p->scheduled_ms >= 0 ? p->scheduled_ms - p->created_ms : -1;
		if (wait < 0)
			all_never = 1;
		else if (wait > all)
			all = wait;
		if (p->created_ms > 0) {
			/* the burst: pods created after the start */
			any_late = 1;
			if (wait < 0)
				late_never = 1;
			else if (wait > late)
				late = wait;
		}
	}
	if (any_late)
		opt->burst_ms = late_never ? -1 : late;
	else
		opt->burst_ms = all_never ? -1 : all;
	/* utilization at the moment bound requests peak */
	opt->peak_ms = 0;
	opt->cpu_pm = opt->mem_pm = 0;
	for (size_t i = 0; i < c->npods; i++) {
		int64_t t = c->pods[i]->scheduled_ms;
		struct ks_res req, alloc;

		if (t < 0)
			continue;
		memset(&req, 0, sizeof(req));
		memset(&alloc, 0, sizeof(alloc));
		for (size_t j = 0; j < c->npods; j++) {
			const struct ks_pod *p = c->pods[j];

			if (p->scheduled_ms >= 0 && p->scheduled_ms <= t && pod_end(p, end) > t)
				res_add(&req, &p->req);
		}
		if (req.v[RES_CPU] < best || (req.v[RES_CPU] == best && t >= opt->peak_ms))
			continue;
		for (size_t k = 0; k < c->nnodes; k++) {
			const struct ks_node *n = c->nodes[k];

			if (n->ready_ms >= 0 && n->ready_ms <= t && (n->gone_ms < 0 || n->gone_ms > t))
				res_add(&alloc, &n->alloc);
		}
		best = req.v[RES_CPU];
		opt->peak_ms = t;
		opt->cpu_pm = alloc.v[RES_CPU] > 0 ?
		    (int)((req.v[RES_CPU] * 1000 + alloc.v[RES_CPU] / 2) / alloc.v[RES_CPU]) : 0;
		opt->mem_pm = alloc.v[RES_MEM] > 0 ?
		    (int)((double)req.v[RES_MEM] * 1000.0 / (double)alloc.v[RES_MEM] + 0.5) : 0;
	}
}

/* Viability, packing and simulations of one candidate (in a child process). */
static void
option_eval(struct nodes_ctx *nc, struct plan_option *opt)
{
	struct ks_cluster *c = &nc->base->cluster;
	struct ks_node *tmpl = template_node(nc, opt->it, opt->spot);
	struct ks_res ds;
	struct plan_option best;
	struct ksim_opts o = *nc->o;
	int have = 0;

	o.quiet = 1;
	daemon_extra(nc, tmpl, &ds);
	for (size_t i = 0; i < nc->npods; i++) {
		const struct ks_pod *p = nc->pods[i];
		struct probe pr;
		struct sched_fit fit;
		char why[200];

		probe_init(&pr, p->spec, &p->req, p->ns, p->name);
		if (sched_fits(c, &pr.pod, tmpl, &ds, NULL, &fit))
			continue;
		fit_reason(&fit, why, sizeof(why));
		opt->viable = 0;
		snprintf(opt->why, sizeof(opt->why), "%s/%s does not fit an empty node: %s",
		    p->ns, p->name, why);
		return;
	}
	opt->est_nodes = pack_ffd(nc, tmpl, &ds);
	if (nc->method_ca) {
		struct cand_edit e;
		struct ks_error err;
		struct ks_run *r;
		char *yaml = ca_yaml(nc->base->region, opt->it, opt->spot);

		memset(&e, 0, sizeof(e));
		e.region = nc->region;
		ks_error_clear(&err);
		if (sim_extra(nc, &e, yaml, &r, &err) != 0) {
			opt->failed = 1;
			snprintf(opt->why, sizeof(opt->why), "the simulation failed: %.200s", err.msg);
		} else {
			measure(r, opt, 1);
			opt->nodes = nodes_max_alive(&r->cluster);
			ksim_simulation_free(r);
		}
		free(yaml);
		return;
	}
	for (int k = opt->est_nodes; k <= opt->est_nodes + PLAN_GROW; k++) {
		struct cand_edit e;
		struct ksim_edit ed = { cand_apply, cand_undo, &e };
		struct ks_error err;
		struct ks_run *r;
		struct plan_option cur = *opt;

		memset(&e, 0, sizeof(e));
		e.it = opt->it;
		e.spot = opt->spot;
		e.count = k;
		e.region = nc->region;
		ks_error_clear(&err);
		if (ksim_simulate(&o, nc->cat, &ed, &r, &err) != 0) {
			opt->failed = 1;
			snprintf(opt->why, sizeof(opt->why), "the simulation failed: %.200s", err.msg);
			return;
		}
		cur.nodes = k;
		measure(r, &cur, 0);
		ksim_simulation_free(r);
		if (!have || cur.unsched < best.unsched) {
			best = cur;
			have = 1;
		}
		if (cur.unsched == 0)
			break;
	}
	*opt = best;
}

/* Run option_eval for every viable option, `jobs` processes at a time. */
static void
options_eval(struct nodes_ctx *nc, struct plan_option *opts, size_t n, int jobs)
{
	struct child {
		pid_t	pid;		/* the process */
		int	fd;		/* read end of its pipe */
		size_t	idx;		/* its option */
	} *run;
	size_t next = 0, active = 0;

	if (jobs <= 1) {
		for (size_t i = 0; i < n; i++)
			if (opts[i].viable)
				option_eval(nc, &opts[i]);
		return;
	}
	run = xcalloc((size_t)jobs, sizeof(*run));
	fflush(stdout);
	fflush(stderr);
	while (next < n || active > 0) {
		while (active < (size_t)jobs && next < n) {
			size_t i = next++;
			int fd[2];
			pid_t pid;

			if (!opts[i].viable)
				continue;
			if (pipe(fd) != 0) {
				/* no pipe to spare: evaluate here */
				option_eval(nc, &opts[i]);
				continue;
			}
			if ((pid = fork()) < 0) {
				close(fd[0]);
				close(fd[1]);
				option_eval(nc, &opts[i]);
				continue;
			}
			if (pid == 0) {
				ssize_t w;

				close(fd[0]);
				ks_warn_stream = NULL;
				option_eval(nc, &opts[i]);
				/* smaller than PIPE_BUF: one atomic write */
				w = write(fd[1], &opts[i], sizeof(opts[i]));
				_exit(w == (ssize_t)sizeof(opts[i]) ? 0 : 1);
			}
			close(fd[1]);
			run[active].pid = pid;
			run[active].fd = fd[0];
			run[active].idx = i;
			active++;
		}
		if (active == 0)
			continue;
		{
			int st;
			pid_t pid = waitpid(-1, &st, 0);
			size_t k;

			if (pid < 0 && errno == EINTR)
				continue;
			for (k = 0; k < active && run[k].pid != pid; k++)
				;
			if (pid < 0) {
				k = 0;	/* nothing to wait for: collect what is there */
				st = 1;
			}
			if (k == active)
				continue;
			{
				struct plan_option got;
				ssize_t rd = read(run[k].fd, &got, sizeof(got));
				struct plan_option *opt = &opts[run[k].idx];

				if (rd == (ssize_t)sizeof(got) && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
					*opt = got;
				} else {
					opt->failed = 1;
					snprintf(opt->why, sizeof(opt->why),
					    "the simulation process failed (status %d)", st);
				}
			}
			close(run[k].fd);
			run[k] = run[--active];
		}
	}
	free(run);
}

/* ---- nodes: a Karpenter NodePool allowing every candidate ---- */

#define KP_POOL		PLAN_OWN	/* the NodePool and EC2NodeClass added */
#define KP_MAX_TYPES	8		/* instance types named in the summary */

/* What the Karpenter row shows. */
struct plan_kp {
	int		 ran;		/* --karpenter was given and there was a candidate */
	int		 failed;	/* the simulation could not run (message in why) */
	char		 why[240];	/* failure */
	size_t		 ntypes;	/* instance types the NodePool allows */
	int		 nodes_max;	/* nodes alive at once, at most */
	int		 launched;	/* nodes launched */
	int64_t		 cost_nusd;	/* over the scenario */
	int		 pending;	/* pods Pending at the end */
	int64_t		 burst_ms;	/* longest creation-to-binding wait after t=0; -1 never */
	char		 used[240];	/* "m5.8xlarge x2, c5.large x1" */
};

/* The NodePool and EC2NodeClass, as YAML (owned by the caller). */
static char *
kp_yaml(const struct plan_option *opts, size_t n, unsigned mask, size_t *ntypes)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	*ntypes = 0;
	fprintf(fp, "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: %s}\n"
	    "spec:\n  template:\n    spec:\n      nodeClassRef: {group: karpenter.k8s.aws, "
	    "kind: EC2NodeClass, name: %s}\n      requirements:\n"
	    "        - key: node.kubernetes.io/instance-type\n          operator: In\n"
	    "          values:\n", KP_POOL, KP_POOL);
	for (size_t i = 0; i < n; i++) {
		int dup = 0;

		/* every candidate with a price: small types serve small pods */
		if (opts[i].price_nusd_h <= 0)
			continue;
		for (size_t j = 0; j < i && !dup; j++)
			dup = opts[j].price_nusd_h > 0 && opts[j].it == opts[i].it;
		if (dup)
			continue;
		fprintf(fp, "            - \"%s\"\n", opts[i].it->name);
		(*ntypes)++;
	}
	fprintf(fp, "        - key: karpenter.sh/capacity-type\n          operator: In\n"
	    "          values: [%s%s%s]\n", mask & 1 ? "on-demand" : "", mask == 3 ? ", " : "",
	    mask & 2 ? "spot" : "");
	fprintf(fp, "---\napiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\n"
	    "metadata: {name: %s}\nspec:\n  amiSelectorTerms: [{alias: al2023@latest}]\n"
	    "  role: KarpenterNodeRole-ksim-plan\n"
	    "  subnetSelectorTerms: [{tags: {karpenter.sh/discovery: ksim-plan}}]\n"
	    "  securityGroupSelectorTerms: [{tags: {karpenter.sh/discovery: ksim-plan}}]\n",
	    KP_POOL);
	fclose(fp);
	return buf;
}

static int
type_count_cmp(const void *x, const void *y)
{
	const struct { const char *name; int n; } *a = x, *b = y;

	return a->n != b->n ? b->n - a->n : strcmp(a->name, b->name);
}

static void
kp_measure(struct ks_run *r, struct plan_kp *kp)
{
	struct ks_cluster *c = &r->cluster;
	int64_t end = r->sim.now_ms;
	struct { const char *name; int n; } *tc = xcalloc(c->nnodes + 1, sizeof(*tc));
	size_t ntc = 0, len = 0;

	kp->launched = (int)c->nnodes;
	kp->burst_ms = 0;
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *n = c->nodes[i];
		const char *name = n->itype ? n->itype->name : "-";
		size_t k;

		kp->cost_nusd += node_cost_nusd(n, end);
		for (k = 0; k < ntc && strcmp(tc[k].name, name) != 0; k++)
			;
		if (k == ntc)
			tc[ntc++].name = name;
		tc[k].n++;
	}
	kp->nodes_max = nodes_max_alive(c);
	for (size_t i = 0; i < c->npods; i++) {
		const struct ks_pod *p = c->pods[i];

		if (p->spec->is_daemon || pod_pinned(p))
			continue;
		if (p->phase == POD_PENDING)
			kp->pending++;
		if (p->created_ms <= 0 || kp->burst_ms < 0)
			continue;
		if (p->scheduled_ms < 0)
			kp->burst_ms = -1;
		else if (p->scheduled_ms - p->created_ms > kp->burst_ms)
			kp->burst_ms = p->scheduled_ms - p->created_ms;
	}
	if (ntc > 1)
		qsort(tc, ntc, sizeof(*tc), type_count_cmp);
	kp->used[0] = '\0';
	for (size_t k = 0; k < ntc && k < KP_MAX_TYPES && len < sizeof(kp->used); k++)
		len += (size_t)snprintf(kp->used + len, sizeof(kp->used) - len, "%s%s x%d",
		    k ? ", " : "", tc[k].name, tc[k].n);
	if (ntc == 0)
		snprintf(kp->used, sizeof(kp->used), "none");
	free(tc);
}

/* Simulate the scenario with its capacity replaced by the NodePool. */
static void
kp_eval(struct nodes_ctx *nc, const struct plan_option *opts, size_t n, unsigned mask,
    struct plan_kp *kp)
{
	struct cand_edit e;
	struct ks_error err;
	struct ks_run *r;
	char *yaml;

	memset(kp, 0, sizeof(*kp));
	yaml = kp_yaml(opts, n, mask, &kp->ntypes);
	if (kp->ntypes == 0) {
		free(yaml);
		return;
	}
	kp->ran = 1;
	memset(&e, 0, sizeof(e));
	e.region = nc->region;
	ks_error_clear(&err);
	if (sim_extra(nc, &e, yaml, &r, &err) != 0) {
		kp->failed = 1;
		snprintf(kp->why, sizeof(kp->why), "the simulation failed: %.200s", err.msg);
	} else {
		kp_measure(r, kp);
		ksim_simulation_free(r);
	}
	free(yaml);
}

/* ---- output helpers ---- */

static char *
fmt_gib(int64_t b, char *buf, size_t n)
{
	int64_t m = b < 0 ? -b : b;
	int64_t t = (m * 10 + (INT64_C(1) << 29)) >> 30;	/* tenths of GiB, rounded */

	snprintf(buf, n, "%s%lld.%lldGi", b < 0 ? "-" : "", (long long)(t / 10), (long long)(t % 10));
	return buf;
}

static char *
fmt_pm(int pm, char *buf, size_t n)
{
	snprintf(buf, n, "%d.%d%%", pm / 10, pm % 10);
	return buf;
}

static int
share_pm(int64_t part, int64_t whole)
{
	if (whole <= 0)
		return 0;
	return (int)((part * 1000 + whole / 2) / whole);
}

static int
emit(const char *path, char *buf, size_t len, struct ks_error *err)
{
	int rc = 0;

	if (path != NULL)
		rc = atomic_write(path, buf, len, err);
	else
		fwrite(buf, 1, len, stdout);
	free(buf);
	return rc;
}

static char *
json_text(json_t *j, size_t *len)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	size_t n = strlen(s);
	char *out = xmalloc(n + 2);

	memcpy(out, s, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	free(s);
	json_decref(j);
	*len = n + 1;
	return out;
}

/* ---- the commands ---- */

enum plan_cmd { PLAN_HEADROOM, PLAN_NODES, PLAN_COST };

struct plan_args {
	enum plan_cmd		 cmd;
	struct ksim_opts	 o;		/* files and common flags */
	const char		*pod_file;	/* headroom --pod */
	const char		*replicas_of;	/* headroom --replicas-of */
	int64_t			 at_ms;		/* headroom --at, -1 = just after t=0 */
	const char		*types;		/* nodes --instance-types */
	const char		*captypes;	/* nodes --capacity-type */
	const char		*region;	/* nodes/cost --region */
	int			 jobs;		/* nodes -j */
	int64_t			 max_cost;	/* nodes --max-cost, nano-USD, -1 = none */
	int			 karpenter;	/* nodes --karpenter */
	int			 method_ca;	/* nodes --method ca */
	int64_t			 period_ms;	/* cost --period */
	const char		*period;	/* "day" | "month" */
};

static const char *
region_intern(const struct catalog *cat, const char *flag, const char *region, struct ks_error *err)
{
	if (!catalog_has_region(cat, region)) {
		ks_error_set(err, NULL, KS_EUSAGE, "%s: no prices for region \"%s\" in the catalog",
		    flag, region);
		return NULL;
	}
	return intern(region);
}

/* The probe of headroom: --pod FILE or --replicas-of Kind/[ns/]name. */
struct headroom_probe {
	struct probe		 pr;		/* the pod tried */
	struct ks_podspec	*own;		/* the spec read from --pod, or NULL */
	struct yt_stream	*stream;	/* --pod's YAML */
	char			 what[300];	/* for the report */
};

static int
probe_from_file(struct headroom_probe *hp, const char *path, struct ks_error *err)
{
	int rc = yt_load_file(path, &hp->stream, err);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < hp->stream->ndocs; i++) {
		const struct yt_node *root = hp->stream->docs[i].root, *k, *tmpl;
		const char *kind, *ns, *name;

		if (root == NULL || root->kind != YT_MAP || (k = yt_map_get(root, "kind")) == NULL ||
		    k->kind != YT_SCALAR)
			continue;
		kind = k->str;
		tmpl = strcmp(kind, "Pod") == 0 ? root :
		    yt_map_get(yt_map_get(root, "spec"), "template");
		if (tmpl == NULL)
			continue;
		if ((rc = load_meta(root, &ns, &name, err)) != 0)
			return rc;
		hp->own = xcalloc(1, sizeof(*hp->own));
		if ((rc = load_podspec(tmpl, ns, hp->own, err)) != 0)
			return rc;
		probe_init(&hp->pr, hp->own, &hp->own->req, ns, name);
		snprintf(hp->what, sizeof(hp->what), "%s %s/%s", kind, ns, name);
		return 0;
	}
	return ks_error_set(err, NULL, KS_EUSAGE,
	    "--pod: %s: expected a Pod or a workload with a pod template, found none", path);
}

static int
probe_from_workload(struct headroom_probe *hp, struct ks_run *r, const char *ref,
    struct ks_error *err)
{
	struct ks_cluster *c = &r->cluster;
	const char *slash = strchr(ref, '/'), *last = strrchr(ref, '/');
	char kind[64], ns[256] = "";
	const char *name;

	if (slash == NULL || slash == ref || last[1] == '\0' || (size_t)(slash - ref) >= sizeof(kind))
		return ks_error_set(err, NULL, KS_EUSAGE,
		    "--replicas-of: expected Kind/name or Kind/namespace/name, found \"%s\"", ref);
	snprintf(kind, sizeof(kind), "%.*s", (int)(slash - ref), ref);
	if (last != slash)
		snprintf(ns, sizeof(ns), "%.*s", (int)(last - slash - 1), slash + 1);
	name = last + 1;
	for (size_t i = 0; i < c->nwls; i++) {
		const struct ks_workload *w = c->wls[i];

		if (w->deleted || strcasecmp(wl_kind_name[w->kind], kind) != 0 ||
		    strcmp(w->name, name) != 0 || (ns[0] != '\0' && strcmp(w->ns, ns) != 0))
			continue;
		probe_init(&hp->pr, &w->spec, &w->spec.req, w->ns, w->name);
		snprintf(hp->what, sizeof(hp->what), "%s %s/%s", wl_kind_name[w->kind], w->ns, w->name);
		return 0;
	}
	return ks_error_set(err, NULL, KS_EUSAGE,
	    "--replicas-of: no workload \"%s\" in the scenario", ref);
}

static int
cmd_headroom(struct plan_args *a, struct ks_error *err)
{
	struct ksim_opts o = a->o;
	struct catalog *cat = NULL;
	struct ks_run *r = NULL;
	struct headroom_probe hp;
	struct plan_headroom_node *hn = NULL;
	size_t n = 0, len = 0;
	char *buf = NULL;
	int rc, total;
	char t1[32], q1[QTY_BUFSZ], q2[QTY_BUFSZ], g1[32];

	memset(&hp, 0, sizeof(hp));
	if ((a->pod_file == NULL) == (a->replicas_of == NULL))
		return ks_error_set(err, NULL, KS_EUSAGE,
		    "plan headroom: expected one of --pod FILE or --replicas-of Kind/name");
	o.duration_ms = a->at_ms > 0 ? a->at_ms : 1;
	if ((rc = ksim_catalog_load(&o, &cat, err)) != 0)
		return rc;
	if ((rc = ksim_simulate(&o, cat, NULL, &r, err)) != 0)
		goto cleanup;
	rc = a->pod_file != NULL ? probe_from_file(&hp, a->pod_file, err) :
	    probe_from_workload(&hp, r, a->replicas_of, err);
	if (rc != 0)
		goto cleanup;
	total = plan_headroom_compute(r, &hp.pr.pod, &hn, &n);
	if (a->o.output == KSIM_JSON) {
		json_t *j = json_object(), *arr = json_array(), *pj = json_object();

		json_object_set_new(j, "scenario", json_string(r->scn->name));
		json_object_set_new(j, "at_ms", json_integer(a->at_ms > 0 ? a->at_ms : 0));
		json_object_set_new(pj, "object", json_string(hp.what));
		json_object_set_new(pj, "cpu_m", json_integer(hp.pr.pod.req.v[RES_CPU]));
		json_object_set_new(pj, "memory_bytes", json_integer(hp.pr.pod.req.v[RES_MEM]));
		json_object_set_new(j, "pod", pj);
		for (size_t i = 0; i < n; i++) {
			json_t *e = json_object();

			json_object_set_new(e, "node", json_string(hn[i].name));
			json_object_set_new(e, "instance_type", json_string(hn[i].itype));
			json_object_set_new(e, "free_cpu_m", json_integer(hn[i].free_cpu_m));
			json_object_set_new(e, "free_memory_bytes", json_integer(hn[i].free_mem_b));
			json_object_set_new(e, "fits", json_integer(hn[i].fits));
			json_object_set_new(e, "stopped_by", json_string(hn[i].stop));
			json_array_append_new(arr, e);
		}
		json_object_set_new(j, "nodes", arr);
		json_object_set_new(j, "total", json_integer(total));
		buf = json_text(j, &len);
	} else {
		FILE *fp = open_memstream(&buf, &len);

		fprintf(fp, "Headroom in scenario %s at %s for %s (requests cpu %s, memory %s)\n\n",
		    r->scn->name, report_time(a->at_ms > 0 ? a->at_ms : 0, t1, sizeof(t1)), hp.what,
		    qty_format_cpu(hp.pr.pod.req.v[RES_CPU], q1, sizeof(q1)),
		    qty_format_bytes(hp.pr.pod.req.v[RES_MEM], QTY_BINARY_SI, q2, sizeof(q2)));
		fprintf(fp, "%-34s %-14s %-10s %-10s %-6s %s\n", "NODE", "TYPE", "FREE CPU",
		    "FREE MEM", "FITS", "NEXT COPY STOPPED BY");
		for (size_t i = 0; i < n; i++)
			fprintf(fp, "%-34s %-14s %-10s %-10s %-6d %s\n", hn[i].name, hn[i].itype,
			    qty_format_cpu(hn[i].free_cpu_m, q1, sizeof(q1)),
			    fmt_gib(hn[i].free_mem_b, g1, sizeof(g1)), hn[i].fits, hn[i].stop);
		fprintf(fp, "\nTOTAL: %d more fit on %zu node%s\n", total, n, n == 1 ? "" : "s");
		fclose(fp);
	}
	rc = emit(a->o.output_file, buf, len, err);
cleanup:
	free(hn);
	if (hp.own != NULL) {
		podspec_free(hp.own);
		free(hp.own);
	}
	yt_stream_free(hp.stream);
	ksim_simulation_free(r);
	catalog_free(cat);
	return rc;
}

static void
kp_text(FILE *fp, const struct plan_kp *kp, unsigned mask)
{
	char t1[32], u1[32];

	if (!kp->ran)
		return;
	fprintf(fp, "\nKARPENTER: the scenario's capacity replaced by a NodePool allowing the %zu "
	    "candidate types (%s)\n", kp->ntypes, mask == 3 ? "on-demand, spot" : mask & 2 ? "spot" :
	    "on-demand");
	if (kp->failed) {
		fprintf(fp, "%s\n", kp->why);
		return;
	}
	fprintf(fp, "%d node%s at most, %d launched (%s); %d pod%s pending at the end; burst %s; "
	    "cost %s USD\n", kp->nodes_max, kp->nodes_max == 1 ? "" : "s", kp->launched, kp->used,
	    kp->pending, kp->pending == 1 ? "" : "s",
	    kp->burst_ms >= 0 ? report_time(kp->burst_ms, t1, sizeof(t1)) : "never",
	    report_usd(kp->cost_nusd, u1, sizeof(u1)));
}

static json_t *
kp_json(const struct plan_kp *kp)
{
	json_t *j = json_object();

	json_object_set_new(j, "instance_types", json_integer((json_int_t)kp->ntypes));
	if (kp->failed) {
		json_object_set_new(j, "error", json_string(kp->why));
		return j;
	}
	json_object_set_new(j, "nodes_max", json_integer(kp->nodes_max));
	json_object_set_new(j, "nodes_launched", json_integer(kp->launched));
	json_object_set_new(j, "launched", json_string(kp->used));
	json_object_set_new(j, "pending_pods", json_integer(kp->pending));
	json_object_set_new(j, "burst_ms", kp->burst_ms >= 0 ? json_integer(kp->burst_ms) : json_null());
	json_object_set_new(j, "cost_usd", report_json_usd(kp->cost_nusd));
	return j;
}

static void
nodes_text(FILE *fp, const struct nodes_ctx *nc, const struct plan_option *opts, size_t n,
    const struct plan_args *a, const struct plan_kp *kp, unsigned mask)
{
	const struct ks_run *r = nc->base;
	const struct plan_option *best = plan_cheapest(opts, n);
	char t1[32], t2[32], u1[32], u2[32], q1[QTY_BUFSZ], g1[32], p1[16], p2[16];
	size_t rank = 0, nv = 0;

	fprintf(fp, "Capacity plan for scenario %s: %s simulated, seed %llu, region %s\n",
	    r->scn->name, report_time(r->scn->duration_ms, t1, sizeof(t1)),
	    (unsigned long long)r->scn->seed, r->region);
	if (nc->method_ca)
		fprintf(fp, "Method: each instance type as a Cluster Autoscaler node group from zero\n"
		    "(eksctl managed node group, expander least-waste), simulated; NODES is the\n"
		    "most nodes alive at once, UNSCHED the pods Pending at the end.\n");
	else
		fprintf(fp, "Method: a static node group of one instance type sized for the peak,\n"
		    "estimated by first-fit-decreasing packing (EST), then simulated and grown\n"
		    "until no pod fails to schedule (NODES); autoscalers are not simulated.\n");
	fprintf(fp, "Peak at %s: %zu pods requesting cpu %s, memory %s (DaemonSet pods excluded)\n",
	    report_time(nc->peak_ms, t1, sizeof(t1)), nc->npeak,
	    qty_format_cpu(nc->peak_req.v[RES_CPU], q1, sizeof(q1)),
	    fmt_gib(nc->peak_req.v[RES_MEM], g1, sizeof(g1)));
	if (nc->npinned > 0)
		fprintf(fp, "Left out: %zu pod%s pinned to a node of the scenario by a hostname "
		    "nodeSelector\n", nc->npinned, nc->npinned == 1 ? "" : "s");
	fprintf(fp, "\n%-4s %-14s %-10s %-5s %-5s %-7s %-7s %-7s %-8s %-10s %s\n", "RANK", "TYPE",
	    "CAPACITY", "EST", "NODES", "CPU%", "MEM%", "UNSCHED", "BURST", "USD/HOUR",
	    "COST(USD)");
	for (size_t i = 0; i < n; i++) {
		const struct plan_option *o = &opts[i];

		if (!o->viable || o->failed) {
			nv++;
			continue;
		}
		fprintf(fp, "%-4zu %-14s %-10s %-5d %-5d %-7s %-7s %-7d %-8s %-10s %s\n", ++rank,
		    o->it->name, o->spot ? "spot" : "on-demand", o->est_nodes, o->nodes,
		    fmt_pm(o->cpu_pm, p1, sizeof(p1)), fmt_pm(o->mem_pm, p2, sizeof(p2)), o->unsched,
		    o->burst_ms >= 0 ? report_time(o->burst_ms, t2, sizeof(t2)) : "never",
		    report_usd(o->price_nusd_h * o->nodes, u1, sizeof(u1)),
		    report_usd(o->cost_nusd, u2, sizeof(u2)));
	}
	if (nv > 0) {
		fprintf(fp, "\nNOT VIABLE\n%-14s %-10s %s\n", "TYPE", "CAPACITY", "REASON");
		for (size_t i = 0; i < n; i++)
			if (!opts[i].viable || opts[i].failed)
				fprintf(fp, "%-14s %-10s %s\n", opts[i].it->name,
				    opts[i].spot ? "spot" : "on-demand", opts[i].why);
	}
	kp_text(fp, kp, mask);
	fprintf(fp, "\n");
	if (best != NULL)
		fprintf(fp, "Cheapest: %s %s, %d node%s, %s USD per hour, %s USD over the scenario\n",
		    best->it->name, best->spot ? "spot" : "on-demand", best->nodes,
		    best->nodes == 1 ? "" : "s", report_usd(best->price_nusd_h * best->nodes, u1,
		    sizeof(u1)), report_usd(best->cost_nusd, u2, sizeof(u2)));
	else
		fprintf(fp, "Cheapest: none of the candidates serves every pod\n");
	if (a->max_cost >= 0)
		fprintf(fp, "Max cost %s USD: %s\n", report_usd(a->max_cost, u1, sizeof(u1)),
		    best == NULL ? "FAIL, no candidate serves every pod" :
		    best->cost_nusd <= a->max_cost ? "PASS" : "FAIL, the cheapest option costs more");
}

static json_t *
nodes_json(const struct nodes_ctx *nc, const struct plan_option *opts, size_t n,
    const struct plan_args *a, const struct plan_kp *kp)
{
	const struct ks_run *r = nc->base;
	const struct plan_option *best = plan_cheapest(opts, n);
	json_t *j = json_object(), *arr = json_array(), *pk = json_object();
	size_t rank = 0;

	json_object_set_new(j, "scenario", json_string(r->scn->name));
	json_object_set_new(j, "duration_ms", json_integer(r->scn->duration_ms));
	json_object_set_new(j, "region", json_string(r->region));
	json_object_set_new(j, "method", json_string(nc->method_ca ? "ca" : "static"));
	json_object_set_new(pk, "at_ms", json_integer(nc->peak_ms));
	json_object_set_new(pk, "pods", json_integer((json_int_t)nc->npeak));
	json_object_set_new(pk, "cpu_m", json_integer(nc->peak_req.v[RES_CPU]));
	json_object_set_new(pk, "memory_bytes", json_integer(nc->peak_req.v[RES_MEM]));
	json_object_set_new(j, "peak", pk);
	json_object_set_new(j, "pinned_pods", json_integer((json_int_t)nc->npinned));
	for (size_t i = 0; i < n; i++) {
		const struct plan_option *o = &opts[i];
		json_t *e = json_object();
		int ok = o->viable && !o->failed;

		json_object_set_new(e, "rank", ok ? json_integer((json_int_t)++rank) : json_null());
		json_object_set_new(e, "instance_type", json_string(o->it->name));
		json_object_set_new(e, "capacity_type", json_string(o->spot ? "spot" : "on-demand"));
		json_object_set_new(e, "viable", json_boolean(ok));
		json_object_set_new(e, "usd_per_hour_per_node", report_json_usd(o->price_nusd_h));
		if (!ok) {
			json_object_set_new(e, "reason", json_string(o->why));
		} else {
			json_object_set_new(e, "estimated_nodes", json_integer(o->est_nodes));
			json_object_set_new(e, "nodes", json_integer(o->nodes));
			json_object_set_new(e, "peak_ms", json_integer(o->peak_ms));
			json_object_set_new(e, "cpu_utilization", json_real(o->cpu_pm / 1000.0));
			json_object_set_new(e, "memory_utilization", json_real(o->mem_pm / 1000.0));
			json_object_set_new(e, "unschedulable_pods", json_integer(o->unsched));
			json_object_set_new(e, "burst_ms",
			    o->burst_ms >= 0 ? json_integer(o->burst_ms) : json_null());
			json_object_set_new(e, "cost_usd", report_json_usd(o->cost_nusd));
		}
		json_array_append_new(arr, e);
	}
	json_object_set_new(j, "options", arr);
	if (kp->ran)
		json_object_set_new(j, "karpenter", kp_json(kp));
	if (best != NULL) {
		json_t *b = json_object();

		json_object_set_new(b, "instance_type", json_string(best->it->name));
		json_object_set_new(b, "capacity_type", json_string(best->spot ? "spot" : "on-demand"));
		json_object_set_new(b, "nodes", json_integer(best->nodes));
		json_object_set_new(b, "cost_usd", report_json_usd(best->cost_nusd));
		json_object_set_new(j, "cheapest", b);
	} else {
		json_object_set_new(j, "cheapest", json_null());
	}
	if (a->max_cost >= 0) {
		json_t *m = json_object();

		json_object_set_new(m, "usd", report_json_usd(a->max_cost));
		json_object_set_new(m, "ok", json_boolean(best != NULL && best->cost_nusd <= a->max_cost));
		json_object_set_new(j, "max_cost", m);
	}
	return j;
}

static int
cmd_nodes(struct plan_args *a, int *over, struct ks_error *err)
{
	struct catalog *cat = NULL;
	const struct cat_itype **types = NULL;
	struct plan_option *opts = NULL;
	struct plan_kp kp;
	struct nodes_ctx nc;
	struct ksim_edit ed = { edit_region, NULL, NULL };
	size_t ntypes = 0, n = 0, len = 0;
	unsigned mask = 1;
	char *buf = NULL;
	int rc;

	memset(&nc, 0, sizeof(nc));
	memset(&kp, 0, sizeof(kp));
	*over = 0;
	if ((rc = ksim_catalog_load(&a->o, &cat, err)) != 0)
		return rc;
	if ((rc = plan_types_parse(cat, "--instance-types", a->types ? a->types : DEFAULT_TYPES,
	    &types, &ntypes, err)) != 0)
		goto cleanup;
	if (a->captypes != NULL && (rc = plan_captypes_parse("--capacity-type", a->captypes,
	    &mask, err)) != 0)
		goto cleanup;
	if (a->region != NULL &&
	    (nc.region = region_intern(cat, "--region", a->region, err)) == NULL) {
		rc = KS_EUSAGE;
		goto cleanup;
	}
	nc.o = &a->o;
	nc.cat = cat;
	nc.method_ca = a->method_ca;
	ed.arg = (void *)(uintptr_t)nc.region;
	if ((rc = ksim_simulate(&a->o, cat, nc.region ? &ed : NULL, &nc.base, err)) != 0)
		goto cleanup;
	nodes_ctx_peak(&nc);
	opts = xcalloc(ntypes * 2, sizeof(*opts));
	for (size_t i = 0; i < ntypes; i++)
		for (int spot = 0; spot < 2; spot++) {
			struct plan_option *o;

			if (!(mask & (1u << spot)))
				continue;
			o = &opts[n++];
			o->it = types[i];
			o->spot = spot;
			o->viable = 1;
			if (catalog_price(cat, nc.base->region, types[i]->name, spot,
			    &o->price_nusd_h) != 0) {
				o->viable = 0;
				snprintf(o->why, sizeof(o->why), "no %s price in %s",
				    spot ? "spot" : "on-demand", nc.base->region);
			}
		}
	options_eval(&nc, opts, n, a->jobs);
	plan_rank(opts, n);
	if (a->karpenter)
		kp_eval(&nc, opts, n, mask, &kp);
	if (a->max_cost >= 0) {
		const struct plan_option *best = plan_cheapest(opts, n);

		*over = best == NULL || best->cost_nusd > a->max_cost;
	}
	{
		/* the scenario's plan expectations are evaluated against the ranking */
		json_t *j = nodes_json(&nc, opts, n, a, &kp);
		const struct expect_set *ex = nc.base->scn->expect;
		size_t nex = expect_count(ex);
		struct expect_result *res = xcalloc(nex ? nex : 1, sizeof(*res));
		json_t *arr = json_array();

		expect_eval(ex, j, EXPECT_PLAN, res);
		for (size_t i = 0; i < nex; i++) {
			json_t *e = json_object();

			json_object_set_new(e, "name", json_string(res[i].name));
			json_object_set_new(e, "ok", json_boolean(res[i].ok));
			if (res[i].skipped)
				json_object_set_new(e, "skipped", json_true());
			json_object_set_new(e, "message", json_string(res[i].msg));
			json_array_append_new(arr, e);
			*over |= !res[i].ok;
		}
		if (nex > 0)
			json_object_set_new(j, "expectations", arr);
		else
			json_decref(arr);
		if (a->o.output == KSIM_JSON) {
			buf = json_text(j, &len);
		} else {
			FILE *fp = open_memstream(&buf, &len);

			json_decref(j);
			nodes_text(fp, &nc, opts, n, a, &kp, mask);
			if (nex > 0) {
				fprintf(fp, "\nEXPECTATIONS\n");
				expect_print_text(fp, res, nex);
			}
			fclose(fp);
		}
		free(res);
	}
	rc = emit(a->o.output_file, buf, len, err);
cleanup:
	free(opts);
	free(types);
	free(nc.pods);
	free(nc.peak);
	ksim_simulation_free(nc.base);
	catalog_free(cat);
	return rc;
}

static void
cost_row(FILE *fp, const char *what, int64_t v, const struct plan_cost *pc)
{
	char u1[32], u2[32], u3[32], p1[16];

	fprintf(fp, "%-12s %-14s %-14s %-16s %s\n", what, report_usd(v, u1, sizeof(u1)),
	    report_usd(plan_scale(v, pc->run_ms, PLAN_DAY_MS), u2, sizeof(u2)),
	    report_usd(plan_scale(v, pc->run_ms, PLAN_MONTH_MS), u3, sizeof(u3)),
	    fmt_pm(share_pm(v, pc->total_nusd), p1, sizeof(p1)));
}

static int
cmd_cost(struct plan_args *a, struct ks_error *err)
{
	struct catalog *cat = NULL;
	struct ks_run *r = NULL;
	struct plan_cost pc;
	struct ksim_edit ed = { edit_region, NULL, NULL };
	const char *region = NULL;
	size_t len = 0;
	char *buf = NULL;
	int rc;

	memset(&pc, 0, sizeof(pc));
	if ((rc = ksim_catalog_load(&a->o, &cat, err)) != 0)
		return rc;
	if (a->region != NULL && (region = region_intern(cat, "--region", a->region, err)) == NULL) {
		rc = KS_EUSAGE;
		goto cleanup;
	}
	ed.arg = (void *)(uintptr_t)region;
	if ((rc = ksim_simulate(&a->o, cat, region ? &ed : NULL, &r, err)) != 0)
		goto cleanup;
	plan_cost_compute(r, &pc);
	if (a->o.output == KSIM_JSON) {
		json_t *j = json_object(), *g = json_array(), *w = json_array(), *t = json_object();

		json_object_set_new(j, "scenario", json_string(r->scn->name));
		json_object_set_new(j, "duration_ms", json_integer(pc.run_ms));
		json_object_set_new(j, "region", json_string(r->region));
		json_object_set_new(j, "period", json_string(a->period));
		json_object_set_new(t, "run_usd", report_json_usd(pc.total_nusd));
		json_object_set_new(t, "day_usd", report_json_usd(plan_scale(pc.total_nusd,
		    pc.run_ms, PLAN_DAY_MS)));
		json_object_set_new(t, "month_usd", report_json_usd(plan_scale(pc.total_nusd,
		    pc.run_ms, PLAN_MONTH_MS)));
		json_object_set_new(t, "on_demand_usd", report_json_usd(plan_scale(pc.ondemand_nusd,
		    pc.run_ms, a->period_ms)));
		json_object_set_new(t, "spot_usd", report_json_usd(plan_scale(pc.spot_nusd,
		    pc.run_ms, a->period_ms)));
		json_object_set_new(t, "idle_usd", report_json_usd(plan_scale(pc.idle_nusd,
		    pc.run_ms, a->period_ms)));
		json_object_set_new(t, "idle_share", json_real(share_pm(pc.idle_nusd,
		    pc.total_nusd) / 1000.0));
		json_object_set_new(j, "cost", t);
		for (size_t i = 0; i < pc.ngroups; i++) {
			json_t *e = json_object();

			json_object_set_new(e, "group", json_string(pc.groups[i].name));
			json_object_set_new(e, "nodes", json_integer(pc.groups[i].count));
			json_object_set_new(e, "usd", report_json_usd(plan_scale(pc.groups[i].nusd,
			    pc.run_ms, a->period_ms)));
			json_object_set_new(e, "idle_usd", report_json_usd(plan_scale(
			    pc.groups[i].idle_nusd, pc.run_ms, a->period_ms)));
			json_array_append_new(g, e);
		}
		json_object_set_new(j, "groups", g);
		for (size_t i = 0; i < pc.nwls; i++) {
			json_t *e = json_object();

			json_object_set_new(e, "workload", json_string(pc.wls[i].name));
			json_object_set_new(e, "pods", json_integer(pc.wls[i].count));
			json_object_set_new(e, "usd", report_json_usd(plan_scale(pc.wls[i].nusd,
			    pc.run_ms, a->period_ms)));
			json_object_set_new(e, "share", json_real(share_pm(pc.wls[i].nusd,
			    pc.total_nusd) / 1000.0));
			json_array_append_new(w, e);
		}
		json_object_set_new(j, "workloads", w);
		buf = json_text(j, &len);
	} else {
		FILE *fp = open_memstream(&buf, &len);
		char t1[32], u1[32], u2[32], p1[16];

		fprintf(fp, "Cost of scenario %s: %s simulated, region %s\n", r->scn->name,
		    report_time(pc.run_ms, t1, sizeof(t1)), r->region);
		fprintf(fp, "Scaled from the run to a day and to a month of 730 hours; idle is "
		    "capacity paid for\nbut not requested (mean of the cpu and memory shares "
		    "of allocatable).\n\n");
		fprintf(fp, "%-12s %-14s %-14s %-16s %s\n", "", "RUN(USD)", "PER DAY(USD)",
		    "PER MONTH(USD)", "SHARE");
		cost_row(fp, "total", pc.total_nusd, &pc);
		cost_row(fp, "on-demand", pc.ondemand_nusd, &pc);
		cost_row(fp, "spot", pc.spot_nusd, &pc);
		cost_row(fp, "idle", pc.idle_nusd, &pc);
		fprintf(fp, "\nNODE GROUPS (per %s)\n%-40s %-6s %-14s %-14s %s\n", a->period,
		    "GROUP", "NODES", "COST(USD)", "IDLE(USD)", "IDLE%");
		for (size_t i = 0; i < pc.ngroups; i++)
			fprintf(fp, "%-40s %-6d %-14s %-14s %s\n", pc.groups[i].name, pc.groups[i].count,
			    report_usd(plan_scale(pc.groups[i].nusd, pc.run_ms, a->period_ms), u1,
			    sizeof(u1)),
			    report_usd(plan_scale(pc.groups[i].idle_nusd, pc.run_ms, a->period_ms), u2,
			    sizeof(u2)),
			    fmt_pm(share_pm(pc.groups[i].idle_nusd, pc.groups[i].nusd), p1, sizeof(p1)));
		fprintf(fp, "\nWORKLOADS (per %s, by requests share)\n%-50s %-5s %-14s %s\n",
		    a->period, "WORKLOAD", "PODS", "COST(USD)", "SHARE");
		for (size_t i = 0; i < pc.nwls; i++)
			fprintf(fp, "%-50s %-5d %-14s %s\n", pc.wls[i].name, pc.wls[i].count,
			    report_usd(plan_scale(pc.wls[i].nusd, pc.run_ms, a->period_ms), u1,
			    sizeof(u1)),
			    fmt_pm(share_pm(pc.wls[i].nusd, pc.total_nusd), p1, sizeof(p1)));
		fclose(fp);
	}
	rc = emit(a->o.output_file, buf, len, err);
cleanup:
	plan_cost_free(&pc);
	ksim_simulation_free(r);
	catalog_free(cat);
	return rc;
}

/* ---- command line ---- */

static void
plan_usage(FILE *fp)
{
	fputs("usage: ksim plan headroom [options] (--pod FILE | --replicas-of KIND/NAME) [--at DUR] FILE...\n"
	    "       ksim plan nodes [options] [--instance-types LIST] [--capacity-type LIST]\n"
	    "                   [--region R] [-j N] [--max-cost USD] [--method static|ca]\n"
	    "                   [--karpenter] FILE...\n"
	    "       ksim plan cost [options] [--period day|month] [--region R] FILE...\n"
	    "\n"
	    "options: -o text|json, -f PATH, -d DUR, -s SEED, -c DIR, -q, -S PATH=VALUE\n"
	    "See ksim(1).\n", fp);
}

enum {
	OPT_POD = 1000, OPT_REPLICAS_OF, OPT_AT, OPT_TYPES, OPT_CAPTYPE, OPT_REGION,
	OPT_MAX_COST, OPT_PERIOD, OPT_KARPENTER, OPT_METHOD,
};

/* Which subcommands take an option: bit PLAN_* set. */
static int
opt_allowed(int ch, enum plan_cmd cmd, const char **name)
{
	static const struct { int ch; const char *name; unsigned cmds; } t[] = {
		{ OPT_POD, "--pod", 1u << PLAN_HEADROOM },
		{ OPT_REPLICAS_OF, "--replicas-of", 1u << PLAN_HEADROOM },
		{ OPT_AT, "--at", 1u << PLAN_HEADROOM },
		{ OPT_TYPES, "--instance-types", 1u << PLAN_NODES },
		{ OPT_CAPTYPE, "--capacity-type", 1u << PLAN_NODES },
		{ OPT_REGION, "--region", (1u << PLAN_NODES) | (1u << PLAN_COST) },
		{ 'j', "--jobs", 1u << PLAN_NODES },
		{ OPT_MAX_COST, "--max-cost", 1u << PLAN_NODES },
		{ OPT_KARPENTER, "--karpenter", 1u << PLAN_NODES },
		{ OPT_METHOD, "--method", 1u << PLAN_NODES },
		{ OPT_PERIOD, "--period", 1u << PLAN_COST },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].ch == ch) {
			*name = t[i].name;
			return (t[i].cmds >> cmd) & 1;
		}
	return 1;
}

static const char *const cmd_name[] = { "headroom", "nodes", "cost" };

int
plan_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "output-file", required_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "catalog", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "set", required_argument, NULL, 'S' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "pod", required_argument, NULL, OPT_POD },
		{ "replicas-of", required_argument, NULL, OPT_REPLICAS_OF },
		{ "at", required_argument, NULL, OPT_AT },
		{ "instance-types", required_argument, NULL, OPT_TYPES },
		{ "capacity-type", required_argument, NULL, OPT_CAPTYPE },
		{ "region", required_argument, NULL, OPT_REGION },
		{ "max-cost", required_argument, NULL, OPT_MAX_COST },
		{ "period", required_argument, NULL, OPT_PERIOD },
		{ "karpenter", no_argument, NULL, OPT_KARPENTER },
		{ "method", required_argument, NULL, OPT_METHOD },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct plan_args a;
	struct ks_error err;
	const char **sets = NULL;
	size_t nsets = 0;
	int ch, rc = 2, over = 0, common;
	long cpus;

	memset(&a, 0, sizeof(a));
	ks_error_clear(&err);
	a.o.duration_ms = -1;
	a.at_ms = -1;
	a.max_cost = -1;
	a.period = "month";
	a.period_ms = PLAN_MONTH_MS;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	a.jobs = cpus < 1 ? 1 : cpus > 8 ? 8 : (int)cpus;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		plan_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "headroom") == 0)
		a.cmd = PLAN_HEADROOM;
	else if (strcmp(argv[1], "nodes") == 0)
		a.cmd = PLAN_NODES;
	else if (strcmp(argv[1], "cost") == 0)
		a.cmd = PLAN_COST;
	else {
		fprintf(stderr, "ksim: plan: expected headroom, nodes or cost, found \"%s\"\n", argv[1]);
		plan_usage(stderr);
		return 2;
	}
	optind = 2;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:f:d:s:c:qS:j:h", longopts, NULL)) != -1) {
		const char *name = NULL;

		if (!opt_allowed(ch, a.cmd, &name)) {
			fprintf(stderr, "ksim: plan %s: %s is not an option of this command\n",
			    cmd_name[a.cmd], name);
			rc = 2;
			goto done;
		}
		common = ksim_opt_common(&a.o, ch, optarg, &sets, &nsets);
		if (common < 0) {
			rc = 2;
			goto done;
		}
		if (common > 0)
			continue;
		switch (ch) {
		case OPT_AT: {
			int64_t ms;

			if (ks_duration_parse(optarg, &ms, &err, NULL) != 0 || ms < 0) {
				fprintf(stderr, "ksim: --at: expected a non-negative duration such as "
				    "90s or 5m, found \"%s\"\n", optarg);
				rc = 2;
				goto done;
			}
			a.at_ms = ms;
			break;
		}
		case 'j': {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 || v > 256) {
				fprintf(stderr, "ksim: --jobs: expected an integer from 1 to 256, "
				    "found \"%s\"\n", optarg);
				rc = 2;
				goto done;
			}
			a.jobs = (int)v;
			break;
		}
		case OPT_POD:
			a.pod_file = optarg;
			break;
		case OPT_REPLICAS_OF:
			a.replicas_of = optarg;
			break;
		case OPT_TYPES:
			a.types = optarg;
			break;
		case OPT_CAPTYPE:
			a.captypes = optarg;
			break;
		case OPT_REGION:
			a.region = optarg;
			break;
		case OPT_MAX_COST:
			if (plan_usd_parse("--max-cost", optarg, &a.max_cost, &err) != 0) {
				ks_error_print(stderr, &err);
				rc = 2;
				goto done;
			}
			break;
		case OPT_KARPENTER:
			a.karpenter = 1;
			break;
		case OPT_METHOD:
			if (strcmp(optarg, "static") == 0 || strcmp(optarg, "ca") == 0) {
				a.method_ca = optarg[0] == 'c';
			} else {
				fprintf(stderr, "ksim: --method: expected static or ca, found \"%s\"\n",
				    optarg);
				rc = 2;
				goto done;
			}
			break;
		case OPT_PERIOD:
			if (strcmp(optarg, "day") == 0) {
				a.period_ms = PLAN_DAY_MS;
			} else if (strcmp(optarg, "month") == 0) {
				a.period_ms = PLAN_MONTH_MS;
			} else {
				fprintf(stderr, "ksim: --period: expected day or month, found \"%s\"\n",
				    optarg);
				rc = 2;
				goto done;
			}
			a.period = optarg;
			break;
		case 'h':
			plan_usage(stdout);
			rc = 0;
			goto done;
		case ':':
			fprintf(stderr, "ksim: plan %s: option \"%s\" expects a value\n", cmd_name[a.cmd],
			    argv[optind - 1]);
			plan_usage(stderr);
			rc = 2;
			goto done;
		default:
			fprintf(stderr, "ksim: plan %s: unknown option \"%s\"\n", cmd_name[a.cmd],
			    argv[optind - 1]);
			plan_usage(stderr);
			rc = 2;
			goto done;
		}
	}
	a.o.files = (const char *const *)(argv + optind);
	a.o.nfiles = (size_t)(argc - optind);
	a.o.sets = sets;
	a.o.nsets = nsets;
	if (a.o.nfiles == 0) {
		fprintf(stderr, "ksim: plan %s: expected scenario files, found none\n", cmd_name[a.cmd]);
		rc = 2;
		goto done;
	}
	switch (a.cmd) {
	case PLAN_HEADROOM:
		rc = cmd_headroom(&a, &err);
		break;
	case PLAN_NODES:
		rc = cmd_nodes(&a, &over, &err);
		break;
	case PLAN_COST:
		rc = cmd_cost(&a, &err);
		break;
	}
	if (rc != 0) {
		ks_error_print(stderr, &err);
		rc = 2;
	} else {
		rc = over ? 1 : 0;
	}
done:
	free(sets);
	return rc;
}
