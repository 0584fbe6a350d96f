/*
 * plan/headroom.c: `plan headroom`, the question kubernetes-sigs/
 * cluster-capacity answers: on every Ready node of a run, add copies of
 * the probe pod one by one, each as kube-scheduler's Filter phase would
 * see it with the earlier copies' requests counted as `extra`
 * (sched_fits()), until one does not fit; the failing filter gives the
 * reason in kube-scheduler's words ("Insufficient cpu", "Too many pods",
 * "node(s) had untolerated taint {k: v}", "node(s) didn't match Pod's node
 * affinity/selector").  Inter-pod terms are evaluated against the pods
 * already bound; among the copies themselves only a required anti-affinity
 * that matches the probe's own labels is applied (one copy per node for a
 * hostname topology key, one in all for any other key, since the copies
 * would share the domain).  Also the probe (a pod of the scenario seen by
 * the filters anywhere) that `plan nodes` uses too.
 *
 * Costs: O(nodes x copies) filter calls.
 */
#include "plan/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "cluster/sched.h"
#include "run/run.h"
#include "util/xmalloc.h"

#define PLAN_MAX_COPIES	100000		/* headroom: copies tried per node, at most */

/* ---- probes: a pod of the scenario seen by the filters anywhere ---- */

void
plan_probe_init(struct plan_probe *pr, const struct ks_podspec *spec, const struct ks_res *req,
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
		if (strcmp(t->topology_key, PLAN_HOSTNAME_KEY) == 0) {
			if (worst == 0)
				worst = 1;
		} else {
			worst = 2;
		}
	}
	return worst;
}

int
plan_anti_between(const struct ks_pod *a, const struct ks_pod *b)
{
	int x = anti_match(a, b), y = anti_match(b, a);

	return x > y ? x : y;
}

/* The words of one failed filter, reasons sorted and joined by ", ". */
void
plan_fit_reason(const struct sched_fit *f, char *buf, size_t n)
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

	if (v == NULL && strcmp(key, PLAN_HOSTNAME_KEY) == 0)
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
				plan_fit_reason(&fit, h->stop, sizeof(h->stop));
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
				plan_fit_reason(&fit, h->stop, sizeof(h->stop));
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
