/*
 * plan/karpenter.c: the Karpenter row of `plan nodes --karpenter`: one more
 * simulation, the scenario's capacity replaced by a karpenter.sh/v1
 * NodePool allowing every candidate type, written as YAML given after the
 * scenario's files (plan_sim_extra()), so karpenter.c reads it as it
 * reads any NodePool.
 */
#include "plan/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "cloud/billing.h"
#include "run/run.h"
#include "util/xmalloc.h"

#define KP_POOL		PLAN_OWN	/* the NodePool and EC2NodeClass added */

#define KP_MAX_TYPES	8		/* instance types named in the summary */

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

		kp->cost_nusd += billing_node_cost_nusd(n, end);
		for (k = 0; k < ntc && strcmp(tc[k].name, name) != 0; k++)
			;
		if (k == ntc)
			tc[ntc++].name = name;
		tc[k].n++;
	}
	kp->nodes_max = plan_nodes_max_alive(c);
	for (size_t i = 0; i < c->npods; i++) {
		const struct ks_pod *p = c->pods[i];

		if (p->spec->is_daemon || plan_pod_pinned(p))
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
void
plan_kp_eval(struct plan_nodes_ctx *nc, const struct plan_option *opts, size_t n, unsigned mask,
    struct plan_kp *kp)
{
	struct plan_cand_edit e;
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
	if (plan_sim_extra(nc, &e, yaml, &r, &err) != 0) {
		kp->failed = 1;
		snprintf(kp->why, sizeof(kp->why), "the simulation failed: %.200s", err.msg);
	} else {
		kp_measure(r, kp);
		ksim_simulation_free(r);
	}
	free(yaml);
}
