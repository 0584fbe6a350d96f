/*
 * expander.c: choosing among scale-up options, and similar node groups.
 *
 * The expander chain (the expander/ directory): each expander keeps the options with
 * its best score and passes them to the next; ties left are broken with
 * the run's random stream.  least-waste scores the template capacity left
 * unused, price (only with a --cloud-provider other than aws, whose
 * provider has no pricing model: see flags.c) uses the GCE price model
 * with catalog node prices,
 * priority reads the cluster-autoscaler-priority-expander ConfigMap.
 * ca_similar is processors/nodegroupset's test used by
 * balance-similar-node-groups.
 */
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ca/ca.h"
#include "util/xmalloc.h"

/* The priority expander's ConfigMap (expander/priority/priority.go). */
int
ca_priorities_load(struct ca_state *st, struct ks_error *err)
{
	struct ks_scenario *s = st->r->scn;
	struct yt_stream *ys = NULL;
	const struct yt_node *pr, *root;

	for (size_t i = 0; i < s->ndocs; i++) {
		const struct ks_doc *d = s->docs[i];

		if (strcmp(d->kind, "ConfigMap") != 0 ||
		    strcmp(d->name, "cluster-autoscaler-priority-expander") != 0)
			continue;
		pr = yt_map_get(yt_map_get(d->root, "data"), "priorities");
		if (pr == NULL || pr->str == NULL) {
			ks_warn(&d->mark, "ConfigMap %s has no data.priorities; the priority expander "
			    "passes every option", d->name);
			return 0;
		}
		if (yt_load_buffer(pr->mark.file, pr->str, pr->len, &ys, err) != 0) {
			/* marks inside a block scalar: point at the scalar */
			err->at = pr->mark;
			return KS_EINVAL;
		}
		root = ys->ndocs > 0 ? ys->docs[0].root : NULL;
		if (root == NULL || root->kind != YT_MAP) {
			yt_stream_free(ys);
			return ks_error_set(err, &pr->mark, KS_EINVAL,
			    "expected priorities as a map of integer -> list of regexps");
		}
		for (size_t k = 0; k < root->npairs; k++) {
			const struct yt_node *key = root->pairs[k].key, *list = root->pairs[k].value;
			int64_t p;

			if (key->str == NULL || ca_parse_int(key->str, &p) != 0 || list->kind != YT_SEQ) {
				yt_stream_free(ys);
				return ks_error_set(err, &pr->mark, KS_EINVAL,
				    "expected priorities as a map of integer -> list of regexps");
			}
			for (size_t j = 0; j < list->nitems; j++) {
				struct ca_prio cp;

				if (list->items[j]->str == NULL ||
				    regcomp(&cp.re, list->items[j]->str, REG_EXTENDED | REG_NOSUB) != 0) {
					yt_stream_free(ys);
					return ks_error_set(err, &pr->mark, KS_EINVAL,
					    "bad regular expression in priorities for %lld", (long long)p);
				}
				cp.prio = (int)p;
				st->prios = xreallocarray(st->prios, st->nprios + 1, sizeof(*st->prios));
				st->prios[st->nprios++] = cp;
			}
		}
		yt_stream_free(ys);
		return 0;
	}
	return 0;
}

/* least-waste (expander/waste/waste.go), over the template's capacity. */
static double
ca_waste_score(const struct ks_node *tmpl, int nodes, struct ks_pod **pods, size_t npods)
{
	double cpu = (double)tmpl->cap.v[RES_CPU] * nodes, mem = (double)tmpl->cap.v[RES_MEM] * nodes;
	double rc = 0, rm = 0;

	for (size_t i = 0; i < npods; i++) {
		rc += (double)pods[i]->req.v[RES_CPU];
		rm += (double)pods[i]->req.v[RES_MEM];
	}
	if (cpu <= 0 || mem <= 0)
		return INFINITY;
	return (cpu - rc) / cpu + (mem - rm) / mem;
}

/* price (expander/price): GCE's pod prices, node prices from the catalog. */
static double
ca_price_score(struct ca_state *st, const struct ca_option *o, size_t nclusternodes)
{
	static const double cpu_h = 0.033174, gib_h = 0.004446;	/* gce_price_model.go */
	int64_t nusd = 0;
	double node_price, pod_price = 0, stab, pref, unfit, cores;

	if (catalog_price(st->r->cat, st->r->region, o->g->itype->name, o->g->spot, &nusd) != 0)
		nusd = 0;
	node_price = (double)nusd / 1e9 * o->nodes;
	for (size_t i = 0; i < o->npods; i++)
		pod_price += (double)o->pods[i]->req.v[RES_CPU] / 1000.0 * cpu_h +
		    (double)o->pods[i]->req.v[RES_MEM] / (1024.0 * 1024 * 1024) * gib_h;
	stab = 0.5 * cpu_h + 500.0 / 1024 * gib_h;
	/* simplePreferredNodeProvider: the preferred size doubles as the cluster triples */
	pref = nclusternodes <= 2 ? 1 : nclusternodes <= 6 ? 2 : nclusternodes <= 20 ? 4 :
	    nclusternodes <= 60 ? 8 : nclusternodes <= 200 ? 16 : 32;
	cores = (double)o->g->tmpl.cap.v[RES_CPU] / 1000.0;
	unfit = cores > 0 ? fmax(pref / cores, cores / pref) : 1000;
	unfit = (unfit - 1) * (1 - tanh((o->nodes - 1) / 15.0)) + 1;
	return unfit * (node_price + stab) / (pod_price + stab);
}

static int
prio_of(struct ca_state *st, const char *group, int *out)
{
	int found = 0;

	for (size_t i = 0; i < st->nprios; i++)
		if (regexec(&st->prios[i].re, group, 0, NULL, 0) == 0 &&
		    (!found || st->prios[i].prio > *out)) {
			*out = st->prios[i].prio;
			found = 1;
		}
	return found;
}

/* Run the chain; returns the chosen index, sets *by to the deciding expander. */
size_t
ca_expander_choose(struct ca_state *st, struct ca_option *opt, size_t n, const char **by)
{
	size_t *keep = xcalloc(n, sizeof(*keep)), nk = n, pick;
	double *sc = xcalloc(n, sizeof(*sc));
	size_t nodes = 0;

	for (size_t i = 0; i < st->r->cluster.nnodes; i++)
		nodes += st->r->cluster.nodes[i]->state == NODE_READY;
	for (size_t i = 0; i < n; i++) {
		keep[i] = i;
		opt[i].score = NAN;
	}
	*by = ca_exp_name[st->o.exp[0]];
	/* each expander keeps the options with the best (lowest) score */
	for (int e = 0; e < st->o.nexp && (nk > 1 || e == 0); e++) {
		int kind = st->o.exp[e];
		double best = INFINITY;
		size_t k = 0;

		*by = ca_exp_name[kind];
		if (kind == EXP_RANDOM)
			break;
		for (size_t i = 0; i < nk; i++) {
			struct ca_option *o = &opt[keep[i]];
			int pr = 0;

			switch (kind) {
			case EXP_MOST_PODS:
				sc[i] = -(double)o->npods;
				break;
			case EXP_LEAST_NODES:
				sc[i] = o->nodes;
				break;
			case EXP_LEAST_WASTE:
				sc[i] = o->score = ca_waste_score(&o->g->tmpl, o->nodes, o->pods, o->npods);
				break;
			case EXP_PRICE:
				sc[i] = o->score = ca_price_score(st, o, nodes);
				break;
			default:	/* EXP_PRIORITY: higher is better; no match = dropped */
				sc[i] = prio_of(st, o->g->name, &pr) ? -(double)pr : INFINITY;
				break;
			}
			if (i == 0 || sc[i] < best)
				best = sc[i];
		}
		if (kind == EXP_PRIORITY && isinf(best))
			continue;	/* nothing matched: every option passes */
		for (size_t i = 0; i < nk; i++)
			if (sc[i] == best)
				keep[k++] = keep[i];
		nk = k;
	}
	/* ties left are broken at random */
	pick = keep[nk > 1 ? rng_below(&st->rng, nk) : 0];
	free(keep);
	free(sc);
	return pick;
}

static int
ignored_label(struct ca_state *st, const char *k)
{
	static const char *const builtin[] = { "kubernetes.io/hostname",
		"topology.kubernetes.io/zone", "topology.kubernetes.io/region",
		"failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
		"beta.kubernetes.io/fluentd-ds-ready", "kops.k8s.io/instancegroup",
		"alpha.eksctl.io/instance-id", "alpha.eksctl.io/nodegroup-name",
		"eks.amazonaws.com/nodegroup", "k8s.amazonaws.com/eniConfig", "lifecycle",
		"topology.ebs.csi.aws.com/zone", "topology.k8s.aws/zone-id", NULL };

	for (size_t i = 0; builtin[i] != NULL; i++)
		if (strcmp(k, builtin[i]) == 0)
			return 1;
	for (int i = 0; i < st->o.nignore; i++)
		if (strcmp(k, st->o.ignore_labels[i]) == 0)
			return 1;
	return 0;
}

static int
within(int64_t a, int64_t b, double ratio)
{
	int64_t mx = a > b ? a : b, d = a > b ? a - b : b - a;

	return mx == 0 || (double)d / (double)mx <= ratio;
}

/* processors/nodegroupset: similar templates (A.6.5). */
int
ca_similar(struct ca_state *st, const struct ks_node *a, const struct ks_node *b)
{
	const struct ca_opts *o = &st->o;

	for (int r = 0; r < RES_N; r++) {
		if (r == RES_MEM) {
			if (!within(a->cap.v[r], b->cap.v[r], o->mem_diff))
				return 0;
		} else if (r != RES_EPH && a->cap.v[r] != b->cap.v[r]) {
			return 0;
		}
	}
	if (!within(a->alloc.v[RES_CPU], b->alloc.v[RES_CPU], o->max_alloc_diff) ||
	    !within(a->alloc.v[RES_MEM], b->alloc.v[RES_MEM], o->max_alloc_diff) ||
	    !within(a->alloc.v[RES_CPU] - a->used.v[RES_CPU], b->alloc.v[RES_CPU] - b->used.v[RES_CPU],
	    o->max_free_diff) ||
	    !within(a->alloc.v[RES_MEM] - a->used.v[RES_MEM], b->alloc.v[RES_MEM] - b->used.v[RES_MEM],
	    o->max_free_diff))
		return 0;
	for (int pass = 0; pass < 2; pass++) {
		const struct ks_labels *x = pass ? &b->labels : &a->labels;
		const struct ks_labels *y = pass ? &a->labels : &b->labels;

		for (size_t i = 0; i < x->n; i++) {
			if (ignored_label(st, x->v[i].key))
				continue;
			if (labels_get(y, x->v[i].key) != x->v[i].val)
				return 0;
		}
	}
	return 1;
}
