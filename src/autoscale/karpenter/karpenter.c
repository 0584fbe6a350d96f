/*
 * karpenter.c: Karpenter (kubernetes-sigs/karpenter core with the AWS
 * provider, aws/karpenter-provider-aws) replayed on the simulated cluster.
 *
 * What it models (reference ca-karpenter.md Part B):
 *  - The APIs users write: karpenter.sh/v1 NodePool + karpenter.k8s.aws/v1
 *    EC2NodeClass, their v1beta1 forms, and the v1alpha5 Provisioner +
 *    v1alpha1 AWSNodeTemplate.  Each is mapped to one struct kp_pool with
 *    the defaults of its version (B.1): v1alpha5 gets the AWS webhook's
 *    requirement defaults (linux, amd64, on-demand, c/m/r, generation > 2),
 *    never expires unless ttlSecondsUntilExpired says so, and consolidates
 *    only with consolidation.enabled; v1beta1 and v1 expire after 720h and
 *    consolidate WhenUnderutilized / WhenEmptyOrUnderutilized by default.
 *  - The requirements algebra (pkg/scheduling/requirement.go): a set or
 *    the complement of a set, with integer bounds for Gt/Lt; intersection,
 *    "intersects", and compatibility where an undefined well-known label
 *    means "any value".  Instance types answer the AWS well-known labels
 *    from the catalog (family, category, generation, size, cpu, memory,
 *    gpu-count, hypervisor, cpu-manufacturer, arch, os); zone and
 *    capacity type come from offerings (every zone of the EC2NodeClass
 *    times the capacity types the catalog has a price for).
 *  - Provisioning (pkg/controllers/provisioning): a pod the scheduler
 *    marks unschedulable triggers the batcher (1 s idle, 10 s max); a round
 *    packs all provisionable pods, sorted by cpu then memory descending,
 *    first onto existing nodes (sched_fits, with the pods already packed
 *    this round as extra load), then onto in-flight NodeClaims (Karpenter's
 *    own allocatable estimate, catalog kp_* columns), then onto the new
 *    claims of this round, then into a new claim from the first NodePool,
 *    by weight, whose taints the pod tolerates, whose requirements are
 *    compatible, whose limits leave room and for which some instance type
 *    fits the claim plus its DaemonSet overhead.  Failed pods are retried
 *    with preferences relaxed (preferred node affinity, then tolerating
 *    PreferNoSchedule); a pod nobody can help gets Karpenter's reason.
 *  - Launch (aws:pkg/providers/instance): capacity type spot when allowed,
 *    else on-demand; metal and GPU types only when nothing else is left;
 *    the 60 cheapest; then, deterministically, the cheapest offering (the
 *    reference leaves price-capacity-optimized to a model: we take its
 *    most likely outcome).  The Node appears at once, NotReady, and joins
 *    Ready after the boot time (60 s by default, reference 0.4 and C.2).
 *  - Disruption (pkg/controllers/disruption), every 10 s, in the v1.5+
 *    order Emptiness, Drift, Multi-node, Single-node consolidation: candidates
 *    are initialized claims without do-not-disrupt pods or blocking PDBs,
 *    not nominated in the last 20 s, past consolidateAfter; each method
 *    respects the NodePool budgets (default 10%, cron schedules honoured
 *    with t=0 as Monday 2024-01-01 00:00 UTC).  computeConsolidation
 *    re-packs the candidates' pods without them: delete when no new claim
 *    is needed, replace with one strictly cheaper claim otherwise, with
 *    spot-to-spot behind its feature gate and its 15-type minimum.  A
 *    command waits 15 s, re-validates, taints the candidates
 *    karpenter.sh/disrupted:NoSchedule, launches the replacement, waits
 *    until it is Ready, then deletes the candidates (the cluster drains
 *    them).  Expiration is forceful (v1): the claim is deleted at
 *    expireAfter.  Spot interruptions (scenario-listed) delete the claim
 *    at once and put the offering in the 3-minute unavailable cache; its
 *    pods come back through provisioning.
 *  - Drift: a NodePool the timeline re-applies replaces the old one in
 *    place (claims keep pointing at it); claims whose labels fail the new
 *    requirements, or whose pool hash (labels, taints, kubelet, node
 *    class) changed, are drifted and replaced without the price rule.
 *  - Zonal topology spread narrows each new claim to the zone with the
 *    fewest matching pods within maxSkew; hostname anti-affinity keeps
 *    such pods on separate claims; minValues is enforced (Strict).
 *
 * Costs: a provisioning round is O(pods x (nodes + claims + types)); the
 * instance-type filter is a walk over the pool's prefiltered types with a
 * handful of requirement checks each.  A consolidation check is one round
 * per candidate set.  Scenarios have tens of pods; the catalog ~1400 types.
 *
 * Rejected: a requirement as a bitmap over the catalog's types (fast, but
 * it cannot express the complement sets pods and pools write, and keys the
 * catalog does not answer).  Not modelled (said in ksim-scenario(5)): node
 * class drift, capacity reservations, insufficient-capacity errors,
 * PodDisruptionBudgets beyond "blocks when it allows no eviction".
 *
 * Where things are (src/autoscale/karpenter/): this file holds the
 * controller's life (state, init, karpenter_ctl) and the testing
 * interface; karpenter.h the shared state and the upstream defaults;
 * requirements.c the algebra; offerings.c instance types, prices and
 * launch order; nodepool.c the NodePool APIs; settings.c spec.karpenter;
 * packing.c the scheduling round; provisioning.c the batcher, launch and
 * NodeClaim lifecycle; budgets.c disruption budgets; disruption.c
 * consolidation, drift and interruptions; report.c the report.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"
#include "cloud/catalog.h"
#include "util/intern.h"
#include "util/xmalloc.h"

void
kp_claim_free(struct kp_claim *k)
{
	if (k == NULL)
		return;
	kp_reqs_free(&k->reqs);
	free(k->its);
	free(k);
}

void
kp_cmd_free(struct kp_cmd *c)
{
	if (c == NULL)
		return;
	free(c->cands);
	for (size_t i = 0; i < c->nplans; i++)
		kp_claim_free(c->plans[i]);
	free(c->plans);
	free(c->repls);
	free(c);
}

static void
kp_state_free(struct kp_state *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->npools; i++)
		kp_pool_free(st->pools[i]);
	free(st->pools);
	free(st->its);
	free(st->zones);
	free(st->intr);
	free(st->seen);
	for (size_t i = 0; i < st->nclaims; i++)
		kp_claim_free(st->claims[i]);
	free(st->claims);
	for (size_t i = 0; i < st->ncmds; i++)
		kp_cmd_free(st->cmds[i]);
	free(st->cmds);
	free(st->nom);
	for (size_t i = 0; i < st->nlater; i++)
		kp_pool_free(st->later[i].pool);
	free(st->later);
	free(st->unavail);
	free(st);
}

/* State with the catalog's types and the label keys; no pools yet. */
static struct kp_state *
kp_state_new(struct ks_run *r, const struct catalog *cat, const char *region)
{
	struct kp_state *st = xcalloc(1, sizeof(*st));
	size_t n = catalog_count(cat);

	st->r = r;
	for (int i = 0; i < KL_N; i++)
		st->labk[i] = intern(kp_label_names[i]);
	st->zone_key = intern(KP_ZONE_KEY);
	st->ct_key = intern(KP_CT_KEY);
	st->hostname_key = intern("kubernetes.io/hostname");
	kp_spot_s = intern("spot");
	kp_od_s = intern("on-demand");
	st->idle_ms = KP_BATCH_IDLE_MS;
	st->max_ms = KP_BATCH_MAX_MS;
	st->boot_ms = KP_BOOT_MS;
	st->its = xcalloc(n + 1, sizeof(*st->its));
	region = intern(region);
	for (size_t i = 0; i < n; i++) {
		const struct cat_itype *it = catalog_at(cat, i);
		struct kp_it *k = &st->its[st->nits];

		kp_it_init(k, it, region);
		if (catalog_price(cat, region, it->name, 0, &k->od_nusd) != 0)
			k->od_nusd = 0;
		if (catalog_price(cat, region, it->name, 1, &k->spot_nusd) != 0)
			k->spot_nusd = 0;
		if (k->od_nusd > 0 || k->spot_nusd > 0)
			st->nits++;
	}
	return st;
}

static int64_t
kp_disrupt_first(struct sim *sim, void *arg)
{
	return kp_disrupt_fired(sim, arg);
}

/* A node class kind: EC2NodeClass, AWSNodeTemplate, or Auto Mode's NodeClass. */
static int
kp_is_nodeclass(const char *kind)
{
	return strcmp(kind, "EC2NodeClass") == 0 || strcmp(kind, "AWSNodeTemplate") == 0 ||
	    strcmp(kind, "NodeClass") == 0;
}

/* An EC2NodeClass, AWSNodeTemplate or NodeClass must carry its kind's apiVersion. */
static int
kp_nodeclass_check(const struct ks_doc *d, struct ks_error *err)
{
	int ok;

	if (strcmp(d->kind, "NodeClass") == 0) {
		if (strcmp(d->api_version, "eks.amazonaws.com/v1") == 0)
			return 0;
		return ks_error_set(err, &d->mark, KS_EINVAL, "expected apiVersion "
		    "eks.amazonaws.com/v1 for NodeClass \"%s\", found %s", d->name, d->api_version);
	}
	ok = strcmp(d->kind, "AWSNodeTemplate") == 0 ?
	    strcmp(d->api_version, "karpenter.k8s.aws/v1alpha1") == 0 :
	    strcmp(d->api_version, "karpenter.k8s.aws/v1") == 0 ||
	    strcmp(d->api_version, "karpenter.k8s.aws/v1beta1") == 0;

	if (ok)
		return 0;
	return ks_error_set(err, &d->mark, KS_EINVAL,
	    "expected apiVersion %s for %s \"%s\", found %s",
	    strcmp(d->kind, "AWSNodeTemplate") == 0 ? "karpenter.k8s.aws/v1alpha1" :
	    "karpenter.k8s.aws/v1 or karpenter.k8s.aws/v1beta1", d->kind, d->name,
	    d->api_version);
}

/* The scenario's node classes (checked) and NodePools/Provisioners (parsed, names unique). */
static int
kp_parse_docs(struct kp_state *st, const struct ks_scenario *scn, struct ks_error *err)
{
	for (size_t i = 0; i < scn->ndocs; i++) {
		const struct ks_doc *d = scn->docs[i];
		struct kp_pool *p;

		if (kp_is_nodeclass(d->kind)) {
			if (kp_nodeclass_check(d, err) != 0)
				return KS_EINVAL;
			continue;
		}
		if (strcmp(d->kind, "NodePool") != 0 && strcmp(d->kind, "Provisioner") != 0)
			continue;
		for (size_t j = 0; j < st->npools; j++)
			if (st->pools[j]->name == d->name)
				return ks_error_set(err, &d->mark, KS_EINVAL,
				    "duplicate %s \"%s\": NodePool and Provisioner names share one "
				    "namespace", d->kind, d->name);
		if (kp_pool_parse(st, d, &p, err) != 0)
			return KS_EINVAL;
		st->pools = xreallocarray(st->pools, st->npools + 1, sizeof(*st->pools));
		st->pools[st->npools++] = p;
	}
	return 0;
}

/* Warn about a pool whose node class the scenario does not declare. */
static void
kp_nodeclass_refs(const struct kp_state *st, const struct ks_scenario *scn)
{
	for (size_t i = 0; i < st->npools; i++) {
		struct kp_pool *p = st->pools[i];
		int found = p->nodeclass == NULL;

		for (size_t j = 0; j < scn->ndocs && !found; j++) {
			const struct ks_doc *d = scn->docs[j];

			found = kp_is_nodeclass(d->kind) && d->name == p->nodeclass;
		}
		/* Auto Mode's default NodeClass exists with its built-in pools */
		if (!found && p->automode && strcmp(p->nodeclass, "default") == 0)
			found = 1;
		if (!found)
			ks_warn(&p->mark, "%s \"%s\" refers to node class \"%s\", which the scenario "
			    "does not declare; its defaults are assumed", p->kind, p->name, p->nodeclass);
	}
}

/* NodePools the timeline creates later: parsed now, applied by kp_apply_fired. */
static int
kp_parse_later(struct kp_state *st, const struct ks_scenario *scn, struct ks_error *err)
{
	for (size_t i = 0; i < scn->nactions; i++) {
		const struct ks_action *a = &scn->actions[i];
		struct kp_pool *p;

		if (a->type != ACT_CREATE || a->doc == NULL ||
		    (strcmp(a->doc->kind, "NodePool") != 0 && strcmp(a->doc->kind, "Provisioner") != 0))
			continue;
		if (kp_pool_parse(st, a->doc, &p, err) != 0)
			return KS_EINVAL;
		st->later = xreallocarray(st->later, st->nlater + 1, sizeof(*st->later));
		st->later[st->nlater].st = st;
		st->later[st->nlater].at_ms = a->at_ms;
		st->later[st->nlater++].pool = p;
	}
	return 0;
}

/* Order the pools, prefilter their types, hook the cluster and arm the timers. */
static void
kp_start(struct kp_state *st, struct ks_run *r)
{
	struct cluster_hooks h;

	qsort(st->pools, st->npools, sizeof(*st->pools), kp_pool_cmp);
	for (size_t i = 0; i < st->npools; i++)
		kp_pool_types(st, st->pools[i]);
	rng_seed(&st->rng, r->scn->seed, 7);
	memset(&h, 0, sizeof(h));
	h.pod_unschedulable = kp_hook_unschedulable;
	h.pod_bound = kp_hook_pod_event;
	h.pod_gone = kp_hook_pod_event;
	h.node_gone = kp_hook_node_gone;
	h.arg = st;
	cluster_hook(&r->cluster, &h);
	sim_at(&r->sim, KP_DISRUPT_PERIOD_MS, "kp-disruption", kp_disrupt_first, st);
	for (size_t i = 0; i < st->nintr; i++)
		sim_at(&r->sim, st->intr[i].at_ms, "kp-interrupt", kp_interrupt_fired, &st->intr[i]);
	for (size_t i = 0; i < st->nlater; i++)
		sim_at(&r->sim, st->later[i].at_ms, "kp-apply", kp_apply_fired, &st->later[i]);
}

static int
karpenter_init(struct ks_run *r, void **state, struct ks_error *err)
{
	const struct yt_node *ks = r->scn->spec ? yt_map_get(r->scn->spec, "karpenter") : NULL;
	struct kp_state *st;

	*state = NULL;
	st = kp_state_new(r, r->cat, r->region);
	if (kp_parse_settings(st, ks, err) != 0)
		goto fail;
	kp_default_zones(st, r->region);
	if (kp_parse_docs(st, r->scn, err) != 0)
		goto fail;
	kp_builtin_pools(st);
	kp_nodeclass_refs(st, r->scn);
	if (kp_parse_later(st, r->scn, err) != 0)
		goto fail;
	if (st->npools == 0 && st->nlater == 0) {
		if (ks != NULL && !yt_is_null(ks))
			ks_warn(&r->scn->spec_mark, "spec.karpenter is set but no NodePool or "
			    "Provisioner is declared: Karpenter stays idle");
		kp_state_free(st);
		return 0;
	}
	kp_start(st, r);
	*state = st;
	return 0;
fail:
	kp_state_free(st);
	return KS_EINVAL;
}

static void
karpenter_free(void *state)
{
	kp_state_free(state);
}

static const char *const karpenter_kinds[] = { "NodePool", "EC2NodeClass", "Provisioner",
	"AWSNodeTemplate", "NodeClaim", "NodeClass", NULL };
static const char *const karpenter_spec_keys[] = { "karpenter", NULL };

const struct ctl_ops karpenter_ctl = { .name = "karpenter", .kinds = karpenter_kinds,
	.spec_keys = karpenter_spec_keys, .init = karpenter_init, .report = karpenter_report_json,
	.free = karpenter_free };

/* ---- testing interface (declared in karpenter.h) ---- */

/* Karpenter's allocatable for a type: the catalog's, or the formula's when formula. */
int
karpenter_estimate(const char *itype, int formula, int64_t *cpu_m, int64_t *mem_mib,
    int64_t *pods)
{
	struct catalog *cat = NULL;
	const struct cat_itype *it;
	struct cat_itype copy;
	struct ks_res cap, alloc;

	if (catalog_load_default(&cat, NULL) != 0)
		return KS_EIO;
	if ((it = catalog_find(cat, itype)) == NULL) {
		catalog_free(cat);
		return KS_ENOENT;
	}
	copy = *it;
	if (formula)
		copy.has_kp = 0;
	kp_estimate(&copy, &cap, &alloc);
	*cpu_m = alloc.v[RES_CPU];
	*mem_mib = alloc.v[RES_MEM] / KP_MIB;
	*pods = alloc.v[RES_PODS];
	catalog_free(cat);
	return 0;
}

/*
 * The type a claim with these requirements and requests (DaemonSets
 * included) launches in region, as the provisioner would choose it;
 * *ntypes = how many types could hold it.
 */
int
karpenter_cheapest(const char *region, const char *reqs, int64_t cpu_m, int64_t mem_mib,
    char *out, size_t n, size_t *ntypes)
{
	struct catalog *cat = NULL;
	struct kp_state *st;
	struct kp_reqs rs;
	const struct kp_it **its;
	struct kp_priced *ord;
	size_t nits = 0, nord;
	int spot, rc = KS_ENOENT;

	if (catalog_load_default(&cat, NULL) != 0)
		return KS_EIO;
	st = kp_state_new(NULL, cat, region);
	kp_default_zones(st, region);
	kp_reqs_from_text(reqs, &rs);
	its = xcalloc(st->nits + 1, sizeof(*its));
	ord = xcalloc(st->nits + 1, sizeof(*ord));
	for (size_t i = 0; i < st->nits; i++) {
		const struct kp_it *k = &st->its[i];

		if (kp_it_compatible(st, k, &rs) && k->alloc.v[RES_CPU] >= cpu_m &&
		    k->alloc.v[RES_MEM] >= mem_mib * KP_MIB)
			its[nits++] = k;
	}
	*ntypes = nits;
	nord = kp_launch_order(st, &rs, its, nits, &spot, ord, KP_FLEET_TYPES);
	if (nord > 0) {
		snprintf(out, n, "%s", ord[0].k->it->name);
		rc = 0;
	}
	free(ord);
	free(its);
	kp_reqs_free(&rs);
	kp_state_free(st);
	catalog_free(cat);
	return rc;
}
