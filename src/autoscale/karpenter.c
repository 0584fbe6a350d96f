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
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ctl.h"
#include "cloud/catalog.h"
#include "cluster/quantity.h"
#include "cluster/sched.h"
#include "io/report.h"
#include "run/run.h"
#include "util/duration.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define KP_MIB			(INT64_C(1024) * 1024)
#define KP_GIB			(KP_MIB * 1024)
#define KP_DISRUPT_PERIOD_MS	10000		/* disruption controller poll */
#define KP_VALIDATE_MS		15000		/* consolidationTTL */
#define KP_NOMINATION_MS	20000		/* max(2 x batch max, 10 s) */
#define KP_S2S_MIN_TYPES	15		/* spot-to-spot minimum cheaper types */
#define KP_FLEET_TYPES		60		/* types sent to CreateFleet */
#define KP_MULTI_MAX		100		/* multi-node consolidation candidates */
#define KP_UNCONS_DEDUPE_MS	(15 * 60 * 1000)	/* Unconsolidatable event dedupe */
#define KP_INTERRUPT_NOTICE_MS	120000		/* spot interruption notice */
#define KP_NO_BOUND		INT64_MIN

/* ---- requirements ---- */

/*
 * One key's requirement: the set `vals` (complement = 0) or everything but
 * `vals` (complement = 1), further limited by integer bounds.  In is a set,
 * NotIn and Exists are complements, DoesNotExist is the empty set, Gt/Lt
 * are Exists with a bound.  `vals` are interned and sorted by strcmp.
 */
struct kp_req {
	const char	*key;		/* interned */
	int		 comp;		/* vals is the complement */
	const char	**vals;		/* interned, sorted, owned */
	size_t		 nvals;
	int64_t		 gt;		/* value must be > gt; KP_NO_BOUND when unset */
	int64_t		 lt;		/* value must be < lt; KP_NO_BOUND when unset */
	int		 min_values;	/* minValues, 0 when unset */
};

struct kp_reqs {
	struct kp_req	*v;		/* in insertion order (printing) */
	size_t		 n;
};

static int
kp_str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
kp_parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

static int
kp_has_bounds(const struct kp_req *r)
{
	return r->gt != KP_NO_BOUND || r->lt != KP_NO_BOUND;
}

static int
kp_bounds_ok(const struct kp_req *r, const char *v)
{
	int64_t n;

	if (!kp_has_bounds(r))
		return 1;
	if (kp_parse_int(v, &n) != 0)
		return 0;
	if (r->gt != KP_NO_BOUND && !(n > r->gt))
		return 0;
	if (r->lt != KP_NO_BOUND && !(n < r->lt))
		return 0;
	return 1;
}

static int
kp_vals_has(const struct kp_req *r, const char *v)
{
	if (r->nvals == 0)
		return 0;
	return bsearch(&v, r->vals, r->nvals, sizeof(*r->vals), kp_str_cmp) != NULL;
}

static void
kp_req_init(struct kp_req *r, const char *key, enum req_op op, const char *const *vals,
    size_t nvals, int64_t num)
{
	memset(r, 0, sizeof(*r));
	r->key = intern(key);
	r->gt = r->lt = KP_NO_BOUND;
	switch (op) {
	case OP_IN:
	case OP_NOTIN:
		r->comp = op == OP_NOTIN;
		if (nvals > 0) {
			r->vals = xreallocarray(NULL, nvals, sizeof(*r->vals));
			for (size_t i = 0; i < nvals; i++)
				r->vals[i] = intern(vals[i]);
			qsort(r->vals, nvals, sizeof(*r->vals), kp_str_cmp);
			/* drop duplicates */
			for (size_t i = 0; i < nvals; i++)
				if (r->nvals == 0 || r->vals[r->nvals - 1] != r->vals[i])
					r->vals[r->nvals++] = r->vals[i];
		}
		break;
	case OP_EXISTS:
		r->comp = 1;
		break;
	case OP_DOESNOTEXIST:
		r->comp = 0;
		break;
	case OP_GT:
		r->comp = 1;
		r->gt = num;
		break;
	case OP_LT:
		r->comp = 1;
		r->lt = num;
		break;
	}
}

static void
kp_req_copy(struct kp_req *dst, const struct kp_req *src)
{
	*dst = *src;
	dst->vals = NULL;
	if (src->nvals > 0) {
		dst->vals = xreallocarray(NULL, src->nvals, sizeof(*dst->vals));
		memcpy(dst->vals, src->vals, src->nvals * sizeof(*dst->vals));
	}
}

static void
kp_req_free(struct kp_req *r)
{
	free(r->vals);
	r->vals = NULL;
	r->nvals = 0;
}

/* NotIn or DoesNotExist: a node without the label satisfies it. */
static int
kp_req_absent_ok(const struct kp_req *r)
{
	if (kp_has_bounds(r))
		return 0;
	return r->comp ? r->nvals > 0 : r->nvals == 0;
}

/* Does value v (NULL = the label is absent) satisfy r? */
static int
kp_req_admits(const struct kp_req *r, const char *v)
{
	if (v == NULL)
		return kp_req_absent_ok(r);
	if (!kp_bounds_ok(r, v))
		return 0;
	return r->comp ? !kp_vals_has(r, v) : kp_vals_has(r, v);
}

/* Some value satisfies r (DoesNotExist has none). */
static int
kp_req_nonempty(const struct kp_req *r)
{
	if (!r->comp)
		return r->nvals > 0;
	if (r->gt != KP_NO_BOUND && r->lt != KP_NO_BOUND && r->gt >= r->lt - 1)
		return 0;
	return 1;
}

/* out = a ∩ b (same key); out is owned by the caller. */
static void
kp_req_intersect(const struct kp_req *a, const struct kp_req *b, struct kp_req *out)
{
	const struct kp_req *fin = NULL, *other = NULL;

	memset(out, 0, sizeof(*out));
	out->key = a->key;
	out->gt = a->gt;
	if (b->gt != KP_NO_BOUND && (out->gt == KP_NO_BOUND || b->gt > out->gt))
		out->gt = b->gt;
	out->lt = a->lt;
	if (b->lt != KP_NO_BOUND && (out->lt == KP_NO_BOUND || b->lt < out->lt))
		out->lt = b->lt;
	out->min_values = a->min_values > b->min_values ? a->min_values : b->min_values;
	if (a->comp && b->comp) {
		/* complement of the union */
		out->comp = 1;
		out->vals = xreallocarray(NULL, a->nvals + b->nvals + 1, sizeof(*out->vals));
		for (size_t i = 0; i < a->nvals; i++)
			out->vals[out->nvals++] = a->vals[i];
		for (size_t i = 0; i < b->nvals; i++)
			if (!kp_vals_has(a, b->vals[i]))
				out->vals[out->nvals++] = b->vals[i];
		qsort(out->vals, out->nvals, sizeof(*out->vals), kp_str_cmp);
		return;
	}
	fin = a->comp ? b : a;
	other = a->comp ? a : b;
	out->comp = 0;
	out->vals = xreallocarray(NULL, fin->nvals + 1, sizeof(*out->vals));
	for (size_t i = 0; i < fin->nvals; i++) {
		const char *v = fin->vals[i];
		int keep = other->comp ? !kp_vals_has(other, v) : kp_vals_has(other, v);

		if (keep && kp_bounds_ok(out, v))
			out->vals[out->nvals++] = v;
	}
	/* a finite set is filtered by the bounds, which are then spent */
	out->gt = out->lt = KP_NO_BOUND;
}

/* requirement.go Intersects: non-empty, or both sides NotIn/DoesNotExist. */
static int
kp_req_intersects(const struct kp_req *a, const struct kp_req *b)
{
	struct kp_req x;
	int ok;

	kp_req_intersect(a, b, &x);
	ok = kp_req_nonempty(&x) || (kp_req_absent_ok(a) && kp_req_absent_ok(b));
	kp_req_free(&x);
	return ok;
}

static struct kp_req *
kp_reqs_get(const struct kp_reqs *rs, const char *key)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->v[i].key == key)
			return &rs->v[i];
	return NULL;
}

/* Add r (copied), intersecting with a requirement on the same key. */
static void
kp_reqs_add(struct kp_reqs *rs, const struct kp_req *r)
{
	struct kp_req *have = kp_reqs_get(rs, r->key);

	if (have != NULL) {
		struct kp_req x;

		kp_req_intersect(have, r, &x);
		kp_req_free(have);
		*have = x;
		return;
	}
	rs->v = xreallocarray(rs->v, rs->n + 1, sizeof(*rs->v));
	kp_req_copy(&rs->v[rs->n++], r);
}

static void
kp_reqs_add_op(struct kp_reqs *rs, const char *key, enum req_op op, const char *const *vals,
    size_t nvals, int64_t num)
{
	struct kp_req r;

	kp_req_init(&r, key, op, vals, nvals, num);
	kp_reqs_add(rs, &r);
	kp_req_free(&r);
}

static void
kp_reqs_free(struct kp_reqs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		kp_req_free(&rs->v[i]);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

static void
kp_reqs_copy(struct kp_reqs *dst, const struct kp_reqs *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->n; i++)
		kp_reqs_add(dst, &src->v[i]);
}

static void
kp_reqs_merge(struct kp_reqs *dst, const struct kp_reqs *src)
{
	for (size_t i = 0; i < src->n; i++)
		kp_reqs_add(dst, &src->v[i]);
}

/* Karpenter's well-known labels: undefined on a NodePool means "any". */
static int
kp_well_known(const char *key)
{
	static const char *const wk[] = {
		"karpenter.sh/nodepool", "karpenter.sh/provisioner-name",
		"topology.kubernetes.io/zone", "topology.kubernetes.io/region",
		"node.kubernetes.io/instance-type", "kubernetes.io/arch", "kubernetes.io/os",
		"karpenter.sh/capacity-type", "node.kubernetes.io/windows-build",
		"topology.k8s.aws/zone-id", NULL
	};

	if (strncmp(key, "karpenter.k8s.aws/", 18) == 0)
		return 1;
	for (size_t i = 0; wk[i] != NULL; i++)
		if (strcmp(key, wk[i]) == 0)
			return 1;
	return 0;
}

/*
 * requirements.go Compatible: every key the pod (b) constrains must be
 * defined by the pool (a) unless it is well-known or b's operator is
 * NotIn/DoesNotExist; shared keys must intersect.  On failure *bad is the
 * pod's requirement that failed.
 */
static int
kp_reqs_compatible(const struct kp_reqs *a, const struct kp_reqs *b, const struct kp_req **bad)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct kp_req *rb = &b->v[i], *ra = kp_reqs_get(a, rb->key);

		if (ra == NULL) {
			if (kp_well_known(rb->key) || kp_req_absent_ok(rb))
				continue;
			if (bad != NULL)
				*bad = rb;
			return 0;
		}
		if (!kp_req_intersects(ra, rb)) {
			if (bad != NULL)
				*bad = rb;
			return 0;
		}
	}
	return 1;
}

/* "key In [a b]", "key NotIn [x]", "key Exists", "key DoesNotExist", "key Gt 2" */
static size_t
kp_req_format(const struct kp_req *r, char *buf, size_t n)
{
	size_t len = 0;

#define KP_APPEND(...) do {						\
	int k_ = snprintf(buf + len, len < n ? n - len : 0, __VA_ARGS__);	\
	if (k_ > 0)							\
		len += (size_t)k_;					\
} while (0)
	if (r->comp && r->nvals == 0 && !kp_has_bounds(r)) {
		KP_APPEND("%s Exists", r->key);
	} else if (!r->comp && r->nvals == 0) {
		KP_APPEND("%s DoesNotExist", r->key);
	} else if (r->comp && r->nvals == 0) {
		KP_APPEND("%s", r->key);
		if (r->gt != KP_NO_BOUND)
			KP_APPEND(" Gt %lld", (long long)r->gt);
		if (r->lt != KP_NO_BOUND)
			KP_APPEND(" Lt %lld", (long long)r->lt);
	} else {
		KP_APPEND("%s %s [", r->key, r->comp ? "NotIn" : "In");
		for (size_t i = 0; i < r->nvals; i++)
			KP_APPEND("%s%s", i ? " " : "", r->vals[i]);
		KP_APPEND("]");
		if (r->gt != KP_NO_BOUND)
			KP_APPEND(" Gt %lld", (long long)r->gt);
		if (r->lt != KP_NO_BOUND)
			KP_APPEND(" Lt %lld", (long long)r->lt);
	}
#undef KP_APPEND
	if (n > 0 && len >= n)
		buf[n - 1] = '\0';
	return len;
}

/* Requirements sorted by key, ", "-separated, as upstream prints them. */
static void
kp_reqs_format(const struct kp_reqs *rs, char *buf, size_t n)
{
	const struct kp_req **o = xreallocarray(NULL, rs->n + 1, sizeof(*o));
	size_t len = 0;

	for (size_t i = 0; i < rs->n; i++)
		o[i] = &rs->v[i];
	for (size_t i = 1; i < rs->n; i++)
		for (size_t j = i; j > 0 && strcmp(o[j - 1]->key, o[j]->key) > 0; j--) {
			const struct kp_req *t = o[j];

			o[j] = o[j - 1];
			o[j - 1] = t;
		}
	if (n > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < rs->n && len + 2 < n; i++) {
		if (i > 0) {
			buf[len++] = ',';
			buf[len++] = ' ';
			buf[len] = '\0';
		}
		len += kp_req_format(o[i], buf + len, n - len);
		if (len >= n)
			len = n - 1;
	}
	free(o);
}

/* ---- instance types ---- */

/* The label keys an instance type answers, in kp_it.lab order. */
enum {
	KL_TYPE, KL_FAMILY, KL_CATEGORY, KL_GENERATION, KL_SIZE, KL_CPU, KL_MEMORY,
	KL_GPU_COUNT, KL_HYPERVISOR, KL_CPU_MANUFACTURER, KL_ARCH, KL_OS, KL_REGION, KL_N
};
static const char *const kp_label_names[KL_N] = {
	"node.kubernetes.io/instance-type", "karpenter.k8s.aws/instance-family",
	"karpenter.k8s.aws/instance-category", "karpenter.k8s.aws/instance-generation",
	"karpenter.k8s.aws/instance-size", "karpenter.k8s.aws/instance-cpu",
	"karpenter.k8s.aws/instance-memory", "karpenter.k8s.aws/instance-gpu-count",
	"karpenter.k8s.aws/instance-hypervisor", "karpenter.k8s.aws/instance-cpu-manufacturer",
	"kubernetes.io/arch", "kubernetes.io/os", "topology.kubernetes.io/region",
};
#define KP_ZONE_KEY	"topology.kubernetes.io/zone"
#define KP_CT_KEY	"karpenter.sh/capacity-type"

struct kp_it {
	const struct cat_itype	*it;		/* borrowed from the catalog */
	const char		*lab[KL_N];	/* interned label values, NULL = absent */
	struct ks_res		 cap;		/* Karpenter's capacity (limits): cpu m, memory bytes, pods, gpus */
	struct ks_res		 alloc;		/* Karpenter's pre-launch allocatable estimate */
	int64_t			 od_nusd;	/* on-demand price, nano-USD/h; 0 = no offering */
	int64_t			 spot_nusd;	/* spot price, nano-USD/h; 0 = no offering */
	int			 exotic;	/* metal or accelerated: launched only as a last resort */
};

/*
 * Karpenter's estimate for a type it has not seen yet (aws types.go, B.8):
 * memory capacity = (nominal - 64 MiB on arm64) less 7.5% (rounded up),
 * allocatable = capacity - kube-reserved (EKS formula on ENI pods) - 100 MiB
 * eviction; cpu = vCPUs - kube-reserved cpu; ephemeral 20 GiB - 1 GiB - 10%.
 * The catalog's karpenter-allocatable.csv holds the same numbers for every
 * type it knows; this formula covers the others.
 */
static void
kp_estimate(const struct cat_itype *it, struct ks_res *cap, struct ks_res *alloc)
{
	int64_t mem = it->memory_mib - (strcmp(it->arch, "arm64") == 0 ? 64 : 0);
	int64_t vm = (mem * 75 + 999) / 1000;

	memset(cap, 0, sizeof(*cap));
	memset(alloc, 0, sizeof(*alloc));
	mem -= vm;
	cap->v[RES_CPU] = (int64_t)it->vcpu * 1000;
	cap->v[RES_MEM] = mem * KP_MIB;
	cap->v[RES_EPH] = CAT_EKS_ROOT_GIB * KP_GIB;
	cap->v[RES_PODS] = it->max_pods;
	cap->v[RES_GPU] = it->gpus;
	if (it->has_kp) {
		alloc->v[RES_CPU] = it->kp_cpu_m;
		alloc->v[RES_MEM] = it->kp_memory_mib * KP_MIB;
		alloc->v[RES_EPH] = it->kp_eph_gib * KP_GIB;
		alloc->v[RES_PODS] = it->kp_pods;
	} else {
		alloc->v[RES_CPU] = cap->v[RES_CPU] - catalog_eks_kube_reserved_cpu_m(it->vcpu);
		alloc->v[RES_MEM] = (mem - catalog_eks_kube_reserved_mem_mib(it->max_pods) - 100) *
		    KP_MIB;
		alloc->v[RES_EPH] = (CAT_EKS_ROOT_GIB - 1) * KP_GIB - CAT_EKS_ROOT_GIB * KP_GIB / 10;
		alloc->v[RES_PODS] = it->max_pods;
	}
	alloc->v[RES_GPU] = it->gpus;
}

static const char *
kp_cpu_manufacturer(const struct cat_itype *it)
{
	const char *s = it->family;

	/* the letters after the generation digit: "gd" of c6gd, "a" of c5a */
	while (*s != '\0' && !(*s >= '0' && *s <= '9'))
		s++;
	while (*s >= '0' && *s <= '9')
		s++;
	if (strchr(s, 'g') != NULL && strcmp(it->arch, "arm64") == 0)
		return "aws";
	if (strchr(s, 'a') != NULL && strchr(s, 'm') == NULL)
		return "amd";
	return strcmp(it->arch, "arm64") == 0 ? "aws" : "intel";
}

static void
kp_it_init(struct kp_it *k, const struct cat_itype *it, const char *region)
{
	char buf[32];

	memset(k, 0, sizeof(*k));
	k->it = it;
	k->lab[KL_TYPE] = intern(it->name);
	k->lab[KL_FAMILY] = intern(it->family);
	k->lab[KL_CATEGORY] = intern(it->category);
	snprintf(buf, sizeof(buf), "%d", it->generation);
	k->lab[KL_GENERATION] = intern(buf);
	k->lab[KL_SIZE] = intern(it->size);
	snprintf(buf, sizeof(buf), "%d", it->vcpu);
	k->lab[KL_CPU] = intern(buf);
	snprintf(buf, sizeof(buf), "%lld", (long long)it->memory_mib);
	k->lab[KL_MEMORY] = intern(buf);
	if (it->gpus > 0) {
		snprintf(buf, sizeof(buf), "%d", it->gpus);
		k->lab[KL_GPU_COUNT] = intern(buf);
	}
	if (it->hypervisor != NULL && it->hypervisor[0] != '\0')
		k->lab[KL_HYPERVISOR] = intern(it->hypervisor);
	k->lab[KL_CPU_MANUFACTURER] = intern(kp_cpu_manufacturer(it));
	k->lab[KL_ARCH] = intern(it->arch);
	k->lab[KL_OS] = intern("linux");
	k->lab[KL_REGION] = region;
	kp_estimate(it, &k->cap, &k->alloc);
	k->exotic = it->metal || it->gpus > 0;
}

/* ---- NodePools ---- */

enum kp_version { KP_V1ALPHA5, KP_V1BETA1, KP_V1 };
enum { KR_EMPTY = 1, KR_UNDERUTILIZED = 2, KR_DRIFTED = 4, KR_ALL = 7 };

struct kp_budget {
	int64_t		 nodes;		/* node count, or percent when pct */
	int		 pct;		/* nodes is a percentage */
	const char	*schedule;	/* cron (UTC) or NULL = always active */
	int64_t		 duration_ms;	/* how long after the cron fires it is active */
	unsigned	 reasons;	/* KR_* it applies to */
};

struct kp_pool {
	const char		*name;		/* interned */
	enum kp_version		 version;	/* which API the user wrote */
	const char		*kind;		/* "NodePool" or "Provisioner" */
	int			 weight;	/* spec.weight, 0 when unset */
	struct kp_reqs		 reqs;		/* requirements, template labels, pool label */
	struct ks_labels	 labels;	/* template labels (and the pool label) */
	struct ks_taint		*taints;	/* spec taints */
	size_t			 ntaints;
	struct ks_taint		*startup;	/* startupTaints (removed before Ready in the model) */
	size_t			 nstartup;
	struct ks_res		 limits;	/* spec.limits */
	unsigned		 limited;	/* bit RES_* when limits has that resource */
	int64_t			 limit_nodes;	/* limits.nodes, -1 unset */
	int			 empty_ok;	/* emptiness may remove nodes */
	int			 underutil_ok;	/* consolidation may remove or replace nodes */
	int64_t			 consolidate_after_ms; /* -1 = Never */
	int64_t			 expire_after_ms;	/* -1 = never */
	struct kp_budget	*budgets;	/* disruption budgets (default one of 10%) */
	size_t			 nbudgets;
	int			 max_pods;	/* kubelet maxPods, 0 = ENI limit */
	const char		*nodeclass;	/* interned nodeClassRef / providerRef name, or NULL */
	struct ks_mark		 mark;	/* where it was declared */
	const struct kp_it	**its;		/* types compatible with the pool, with an offering */
	size_t			 nits;
};

static void
kp_pool_free(struct kp_pool *p)
{
	if (p == NULL)
		return;
	kp_reqs_free(&p->reqs);
	labels_free(&p->labels);
	free(p->taints);
	free(p->startup);
	free(p->budgets);
	free(p->its);
	free(p);
}

/*
 * The fields whose change drifts a pool's claims (nodepool hash): template
 * labels, taints, startup taints, kubelet and node class; requirements
 * drift separately, behaviour (disruption, limits, weight) never does.
 */
static const char *
kp_pool_hash(const struct kp_pool *p)
{
	char buf[4096];
	size_t len = 0;

#define KP_H(...) do {								\
	if (len < sizeof(buf))							\
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, __VA_ARGS__);	\
} while (0)
	for (size_t i = 0; i < p->labels.n; i++)
		KP_H("l%s=%s;", p->labels.v[i].key, p->labels.v[i].val);
	for (size_t i = 0; i < p->ntaints; i++)
		KP_H("t%s=%s:%d;", p->taints[i].key, p->taints[i].val, (int)p->taints[i].effect);
	for (size_t i = 0; i < p->nstartup; i++)
		KP_H("s%s=%s:%d;", p->startup[i].key, p->startup[i].val, (int)p->startup[i].effect);
	KP_H("m%d;c%s", p->max_pods, p->nodeclass ? p->nodeclass : "");
#undef KP_H
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	return intern_n(buf, len);
}

/* ---- NodeClaims ---- */

struct kp_state;

struct kp_claim {
	struct kp_state		*st;		/* back pointer for engine callbacks */
	const char		*name;		/* interned "default-x7k2p" */
	struct kp_pool		*pool;	/* the pool it came from */
	struct kp_reqs		 reqs;		/* pool requirements narrowed by its pods */
	const struct kp_it	**its;		/* instance-type options, cheapest first */
	size_t			 nits;
	struct ks_res		 req;		/* requests of the pods packed on it */
	size_t			 npods;		/* pods packed on it (this round) */
	int			 anti;		/* holds a pod with hostname anti-affinity */
	/* once launched */
	const struct kp_it	*it;		/* the instance type chosen */
	const char		*zone;		/* interned */
	int			 spot;		/* capacity type spot */
	struct ks_node		*node;		/* the Node (NotReady until it joins) */
	struct ks_res		 ds;		/* DaemonSet overhead expected on it */
	int64_t			 created_ms;	/* NodeClaim created (launch asked) */
	int64_t			 ready_ms;	/* Node Ready = Initialized, -1 */
	int64_t			 gone_ms;	/* instance terminated, -1 */
	int64_t			 last_pod_event_ms; /* last pod bind/terminate on it, -1 */
	int64_t			 nominated_until; /* not disruptable before this */
	const char		*reason;	/* provisioned, consolidated-delete, ... */
	const char		*created_by;	/* "provisioning", "consolidation", ... */
	int			 in_cmd;	/* a candidate of a pending command */
	int			 disrupting;	/* tainted for disruption, or being deleted */
	const char		*hash;		/* the pool's static hash at launch (interned) */
	int64_t			 drifted_ms;	/* when it drifted, -1 */
	const char		*uncons_msg;	/* last Unconsolidatable message (interned) */
	int64_t			 uncons_ms;	/* when it was published */
	struct sim_event	*ready_ev;	/* pending join */
	struct sim_event	*expire_ev;	/* pending expiry */
};

/* A disruption command waiting for its 15 s validation or its replacement. */
enum kp_cmd_kind { KC_DELETE, KC_REPLACE };

struct kp_cmd {
	enum kp_cmd_kind	 kind;		/* delete only, or replace */
	unsigned		 reason;	/* KR_EMPTY or KR_UNDERUTILIZED */
	struct kp_claim		**cands;	/* borrowed */
	size_t			 ncands;	/* number of candidates */
	struct kp_claim		**plans;	/* replacement templates, not launched (owned) */
	size_t			 nplans;
	struct kp_claim		**repls;	/* the replacements once launched (borrowed) */
	size_t			 nrepls;
	size_t			 nready;	/* replacements Ready so far */
	int			 done;		/* finished or aborted */
};

struct kp_interrupt {
	struct kp_state		*st;		/* back pointer for the engine callback */
	int64_t			 at_ms;		/* when the 2-minute notice arrives */
	const char		*pool;		/* interned NodePool name or NULL = any */
	struct ks_mark		 mark;	/* where the scenario lists it */
	int			 delivered;	/* a claim was interrupted */
	size_t			 pods_from;	/* replacement pods: ids [pods_from, pods_to) */
	size_t			 pods_to;
	struct kp_claim		*victim;	/* the claim interrupted */
};

/* An offering marked unavailable after an interruption (the ICE cache). */
struct kp_unavail {
	const struct kp_it	*k;		/* the instance type */
	const char		*zone;		/* interned */
	int			 spot;		/* capacity type spot */
	int64_t			 until_ms;	/* unavailable before this */
};
#define KP_UNAVAIL_MS	(3 * 60 * 1000)	/* aws:pkg/cache unavailable offerings TTL */

/* A NodePool the timeline applies later (create, or update by name). */
struct kp_later {
	struct kp_state		*st;		/* back pointer for the engine callback */
	int64_t			 at_ms;		/* when it is applied */
	struct kp_pool		*pool;		/* parsed at load time; owned until applied */
};

struct kp_state {
	struct ks_run		*r;		/* borrowed */
	struct kp_pool		**pools;	/* by weight desc, then name desc */
	size_t			 npools;
	struct kp_it		*its;		/* every catalog type priced in the region */
	size_t			 nits;
	const char		*labk[KL_N];	/* interned kp_label_names */
	const char		*zone_key, *ct_key, *hostname_key;	/* interned well-known keys */
	const char		**zones;	/* offering zones (interned) */
	size_t			 nzones;
	/* settings */
	int			 s2s;		/* featureGates.spotToSpotConsolidation */
	int64_t			 idle_ms;	/* batchIdleDuration */
	int64_t			 max_ms;	/* batchMaxDuration */
	int64_t			 boot_ms;	/* NodeClaim created -> Node Ready */
	struct kp_interrupt	*intr;		/* scenario spot interruptions */
	size_t			 nintr;
	/* batcher */
	struct sim_event	*batch_ev;	/* window close, NULL when no window */
	int64_t			 batch_start;	/* first trigger of the window */
	uint32_t		*seen;		/* pod ids seen in this window */
	size_t			 nseen, seencap;
	/* claims and commands */
	struct kp_claim		**claims;	/* every claim ever launched, in order */
	size_t			 nclaims, claimcap;
	struct kp_cmd		**cmds;	/* disruption commands, in order */
	size_t			 ncmds, cmdcap;
	const void		**nom;		/* per pod id: what it was last nominated to */
	size_t			 nnom;
	struct ks_rng		 rng;		/* NodeClaim name suffixes */
	uint64_t		 rounds;	/* provisioning rounds run */
	uint64_t		 interruptions;	/* spot interruptions delivered */
	uint64_t		 intr_pods;	/* pods evicted by interruptions */
	uint64_t		 version;	/* bumped on every change consolidation sees */
	uint64_t		 cons_version;	/* version when consolidation last found nothing */
	uint64_t		 cons_n;	/* signature of the candidates then */
	int64_t			 cons_ms;	/* when; re-armed after 5 minutes */
	struct kp_later		*later;		/* NodePools of the timeline */
	size_t			 nlater;
	struct kp_unavail	*unavail;	/* offerings in the ICE cache */
	size_t			 nunavail, unavailcap;
};

static void
kp_claim_free(struct kp_claim *k)
{
	if (k == NULL)
		return;
	kp_reqs_free(&k->reqs);
	free(k->its);
	free(k);
}

static void
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

/* ---- parsing ---- */

/* A duration or "Never" (-1). */
static int
kp_get_duration_never(const struct yt_node *v, int64_t *ms, struct ks_error *err)
{
	if (v->kind == YT_SCALAR && v->str != NULL && strcmp(v->str, "Never") == 0) {
		*ms = -1;
		return 0;
	}
	return yt_get_duration(v, ms, err);
}

/* The itype label index of key, or -1. */
static int
kp_label_index(const struct kp_state *st, const char *key)
{
	for (int i = 0; i < KL_N; i++)
		if (st->labk[i] == key)
			return i;
	return -1;
}

/* requirements: [{key, operator, values, minValues}] */
static int
kp_parse_reqs(struct kp_state *st, const struct yt_node *seq, struct kp_reqs *out,
    const char *what, struct ks_error *err)
{
	static const char *const keys[] = { "key", "operator", "values", "minValues", NULL };

	if (seq == NULL || yt_is_null(seq))
		return 0;
	if (yt_expect_seq(seq, err) != 0)
		return KS_EINVAL;
	for (size_t i = 0; i < seq->nitems; i++) {
		const struct yt_node *e = seq->items[i], *opn, *vals, *mv;
		const char *key, *op, **v = NULL;
		enum req_op o;
		struct kp_req r;
		size_t nv = 0;
		int64_t num = 0;

		if (yt_expect_map(e, err) != 0 || load_strict(e, keys, what, err) != 0 ||
		    load_str_opt(e, "key", &key, err) != 0)
			return KS_EINVAL;
		if (key == NULL)
			return ks_error_set(err, &e->mark, KS_EINVAL,
			    "expected a key in the requirement, found none");
		opn = yt_map_get(e, "operator");
		if (opn == NULL || yt_is_null(opn))
			return ks_error_set(err, &e->mark, KS_EINVAL,
			    "expected an operator in the requirement on \"%s\", found none", key);
		if (yt_get_str(opn, &op, err) != 0)
			return KS_EINVAL;
		if (req_op_parse(op, &o) != 0)
			return ks_error_set(err, &opn->mark, KS_EINVAL,
			    "unknown operator \"%s\" in the requirement on \"%s\": expected In, NotIn, "
			    "Exists, DoesNotExist, Gt or Lt", op, key);
		if (strcmp(key, "kubernetes.io/hostname") == 0)
			return ks_error_set(err, &e->mark, KS_EINVAL,
			    "label \"%s\" is restricted: a NodePool cannot require it", key);
		vals = yt_map_get(e, "values");
		if (vals != NULL && !yt_is_null(vals)) {
			if (yt_expect_seq(vals, err) != 0)
				return KS_EINVAL;
			v = xreallocarray(NULL, vals->nitems + 1, sizeof(*v));
			for (size_t j = 0; j < vals->nitems; j++) {
				if (yt_get_str(vals->items[j], &v[nv], err) != 0) {
					free(v);
					return KS_EINVAL;
				}
				nv++;
			}
		}
		if ((o == OP_IN) && nv == 0) {
			free(v);
			return ks_error_set(err, &e->mark, KS_EINVAL,
			    "expected at least one value for operator In on \"%s\", found none", key);
		}
		if ((o == OP_EXISTS || o == OP_DOESNOTEXIST) && nv > 0) {
			free(v);
			return ks_error_set(err, &vals->mark, KS_EINVAL,
			    "expected no values for operator %s on \"%s\", found %zu", op, key, nv);
		}
		if (o == OP_GT || o == OP_LT) {
			if (nv != 1) {
				free(v);
				return ks_error_set(err, vals ? &vals->mark : &e->mark, KS_EINVAL,
				    "expected exactly one integer value for operator %s on \"%s\", found %zu",
				    op, key, nv);
			}
			if (kp_parse_int(v[0], &num) != 0 || num < 0) {
				ks_error_set(err, &vals->items[0]->mark, KS_EINVAL,
				    "expected a non-negative integer value for operator %s on \"%s\", "
				    "found \"%s\"", op, key, v[0]);
				free(v);
				return KS_EINVAL;
			}
		}
		kp_req_init(&r, key, o, v, nv, num);
		free(v);
		mv = yt_map_get(e, "minValues");
		if (mv != NULL && !yt_is_null(mv)) {
			int64_t m;

			if (yt_get_int64(mv, &m, err) != 0) {
				kp_req_free(&r);
				return KS_EINVAL;
			}
			if (m < 1 || m > 50) {
				kp_req_free(&r);
				return ks_error_set(err, &mv->mark, KS_EINVAL,
				    "expected minValues between 1 and 50, found %lld", (long long)m);
			}
			r.min_values = (int)m;
		}
		if (strncmp(r.key, "karpenter.k8s.aws/", 18) == 0 && kp_label_index(st, r.key) < 0)
			ks_warn(&e->mark, "requirement on \"%s\" is not modelled (the catalog has no "
			    "such column); every instance type passes it", r.key);
		kp_reqs_add(out, &r);
		kp_req_free(&r);
	}
	return 0;
}

static int
kp_parse_limits(const struct yt_node *m, struct kp_pool *p, struct ks_error *err)
{
	struct ks_res lim;
	const struct yt_node *nodes;

	p->limit_nodes = -1;
	if (m == NULL || yt_is_null(m))
		return 0;
	if (yt_expect_map(m, err) != 0)
		return KS_EINVAL;
	/* load_resources warns about resources it does not model; nodes is ours */
	for (size_t i = 0; i < m->npairs; i++) {
		const char *k = m->pairs[i].key->str;

		if (k == NULL)
			continue;
		if (strcmp(k, "cpu") == 0)
			p->limited |= 1u << RES_CPU;
		else if (strcmp(k, "memory") == 0)
			p->limited |= 1u << RES_MEM;
		else if (strcmp(k, "ephemeral-storage") == 0)
			p->limited |= 1u << RES_EPH;
		else if (strcmp(k, "pods") == 0)
			p->limited |= 1u << RES_PODS;
		else if (strstr(k, "/gpu") != NULL)
			p->limited |= 1u << RES_GPU;
	}
	nodes = yt_map_get(m, "nodes");
	if (nodes != NULL) {
		const char *s;

		if (yt_get_str(nodes, &s, err) != 0 ||
		    qty_parse_value(s, &p->limit_nodes, NULL, err, &nodes->mark) != 0)
			return KS_EINVAL;
	}
	{
		/* parse everything but nodes */
		struct yt_node copy = *m;
		struct yt_pair *pairs = xreallocarray(NULL, m->npairs + 1, sizeof(*pairs));
		int rc;

		copy.npairs = 0;
		for (size_t i = 0; i < m->npairs; i++)
			if (m->pairs[i].key->str == NULL || strcmp(m->pairs[i].key->str, "nodes") != 0)
				pairs[copy.npairs++] = m->pairs[i];
		copy.pairs = pairs;
		rc = load_resources(&copy, &lim, err);
		free(pairs);
		if (rc != 0)
			return rc;
	}
	p->limits = lim;
	return 0;
}

static int
kp_parse_budgets(const struct yt_node *seq, struct kp_pool *p, int with_reasons,
    struct ks_error *err)
{
	static const char *const keys[] = { "nodes", "schedule", "duration", "reasons", NULL };

	if (seq == NULL || yt_is_null(seq)) {
		/* default: one budget of 10% for every reason */
		p->budgets = xcalloc(1, sizeof(*p->budgets));
		p->budgets[0].nodes = 10;
		p->budgets[0].pct = 1;
		p->budgets[0].reasons = KR_ALL;
		p->nbudgets = 1;
		return 0;
	}
	if (yt_expect_seq(seq, err) != 0)
		return KS_EINVAL;
	p->budgets = xcalloc(seq->nitems + 1, sizeof(*p->budgets));
	for (size_t i = 0; i < seq->nitems; i++) {
		const struct yt_node *e = seq->items[i], *v;
		struct kp_budget *b = &p->budgets[p->nbudgets];
		const char *s;
		size_t len;

		if (load_strict(e, keys, "a disruption budget", err) != 0)
			return KS_EINVAL;
		b->reasons = KR_ALL;
		if (load_str_opt(e, "nodes", &s, err) != 0)
			return KS_EINVAL;
		if (s == NULL)
			s = "10%";
		len = strlen(s);
		b->pct = len > 0 && s[len - 1] == '%';
		{
			char num[32];
			int64_t x;

			snprintf(num, sizeof(num), "%.*s", (int)(b->pct ? len - 1 : len), s);
			if (kp_parse_int(num, &x) != 0 || x < 0 || (b->pct && x > 100))
				return ks_error_set(err, load_mark(yt_map_get(e, "nodes")), KS_EINVAL,
				    "expected a node count or a percentage (\"10%%\") in the budget, "
				    "found \"%s\"", s);
			b->nodes = x;
		}
		if (load_str_opt(e, "schedule", &b->schedule, err) != 0)
			return KS_EINVAL;
		v = yt_map_get(e, "duration");
		if (v != NULL && yt_get_duration(v, &b->duration_ms, err) != 0)
			return KS_EINVAL;
		if ((b->schedule == NULL) != (v == NULL))
			return ks_error_set(err, &e->mark, KS_EINVAL,
			    "expected schedule and duration together in the budget, found only %s",
			    b->schedule ? "schedule" : "duration");
		if (b->schedule != NULL) {
			int fields = 0;

			for (const char *q = b->schedule; *q; q++)
				if ((q == b->schedule || *(q - 1) == ' ') && *q != ' ')
					fields++;
			if (fields != 5 && b->schedule[0] != '@')
				return ks_error_set(err, load_mark(yt_map_get(e, "schedule")), KS_EINVAL,
				    "expected a cron schedule of 5 fields, found \"%s\"", b->schedule);
		}
		v = yt_map_get(e, "reasons");
		if (v != NULL && !yt_is_null(v)) {
			if (!with_reasons)
				return ks_error_set(err, &v->mark, KS_EINVAL,
				    "budget reasons need karpenter.sh/v1, found them in v1beta1");
			if (yt_expect_seq(v, err) != 0)
				return KS_EINVAL;
			b->reasons = 0;
			for (size_t j = 0; j < v->nitems; j++) {
				if (yt_get_str(v->items[j], &s, err) != 0)
					return KS_EINVAL;
				if (strcmp(s, "Empty") == 0)
					b->reasons |= KR_EMPTY;
				else if (strcmp(s, "Underutilized") == 0)
					b->reasons |= KR_UNDERUTILIZED;
				else if (strcmp(s, "Drifted") == 0)
					b->reasons |= KR_DRIFTED;
				else
					return ks_error_set(err, &v->items[j]->mark, KS_EINVAL,
					    "unknown disruption reason \"%s\": expected Empty, "
					    "Underutilized or Drifted", s);
			}
		}
		p->nbudgets++;
	}
	return 0;
}

static int
kp_parse_kubelet(const struct yt_node *k, struct kp_pool *p, struct ks_error *err)
{
	const struct yt_node *mp = yt_map_get(k, "maxPods");
	int64_t v;

	if (mp == NULL || yt_is_null(mp))
		return 0;
	if (yt_get_int64(mp, &v, err) != 0)
		return KS_EINVAL;
	if (v < 1 || v > 10000)
		return ks_error_set(err, &mp->mark, KS_EINVAL,
		    "expected maxPods between 1 and 10000, found %lld", (long long)v);
	p->max_pods = (int)v;
	return 0;
}

static void
kp_pool_label(struct kp_pool *p, const char *key, const char *val)
{
	const char *v = intern(val);

	labels_set(&p->labels, key, v);
	kp_reqs_add_op(&p->reqs, key, OP_IN, &v, 1, 0);
}

static int
kp_pool_parse(struct kp_state *st, const struct ks_doc *d, struct kp_pool **out,
    struct ks_error *err)
{
	const struct yt_node *spec = yt_map_get(d->root, "spec"), *tmpl = NULL, *tspec = NULL;
	const struct yt_node *dis = NULL, *v;
	struct kp_pool *p = xcalloc(1, sizeof(*p));
	const char *what;
	int rc = KS_EINVAL;

	*out = NULL;
	p->name = d->name;
	p->kind = d->kind;
	p->mark = d->mark;
	p->consolidate_after_ms = 0;
	p->limit_nodes = -1;
	if (strcmp(d->kind, "Provisioner") == 0) {
		p->version = KP_V1ALPHA5;
		if (strcmp(d->api_version, "karpenter.sh/v1alpha5") != 0) {
			ks_error_set(err, &d->mark, KS_EINVAL,
			    "expected apiVersion karpenter.sh/v1alpha5 for a Provisioner, found %s",
			    d->api_version);
			goto cleanup;
		}
	} else if (strcmp(d->api_version, "karpenter.sh/v1beta1") == 0) {
		p->version = KP_V1BETA1;
	} else if (strcmp(d->api_version, "karpenter.sh/v1") == 0) {
		p->version = KP_V1;
	} else {
		ks_error_set(err, &d->mark, KS_EINVAL,
		    "expected apiVersion karpenter.sh/v1 or karpenter.sh/v1beta1 for a NodePool, "
		    "found %s", d->api_version);
		goto cleanup;
	}
	if (spec == NULL || yt_is_null(spec)) {
		ks_error_set(err, &d->mark, KS_EINVAL, "expected a spec in %s \"%s\", found none",
		    d->kind, d->name);
		goto cleanup;
	}
	if (yt_expect_map(spec, err) != 0)
		goto cleanup;
	if ((v = yt_map_get(spec, "weight")) != NULL && !yt_is_null(v)) {
		int64_t w;

		if (yt_get_int64(v, &w, err) != 0)
			goto cleanup;
		if (w < 1 || w > 100) {
			ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected a weight between 1 and 100, found %lld", (long long)w);
			goto cleanup;
		}
		p->weight = (int)w;
	}
	if (p->version == KP_V1ALPHA5) {
		/* everything is flat under spec */
		const struct yt_node *cons = yt_map_get(spec, "consolidation");
		const struct yt_node *ttl_empty = yt_map_get(spec, "ttlSecondsAfterEmpty");
		const struct yt_node *ttl_exp = yt_map_get(spec, "ttlSecondsUntilExpired");
		const struct yt_node *lim = yt_map_get(spec, "limits");
		int64_t secs;

		what = "a Provisioner requirement";
		if (kp_parse_reqs(st, yt_map_get(spec, "requirements"), &p->reqs, what, err) != 0 ||
		    load_labels(yt_map_get(spec, "labels"), &p->labels, err) != 0 ||
		    load_taints(yt_map_get(spec, "taints"), &p->taints, &p->ntaints, err) != 0 ||
		    load_taints(yt_map_get(spec, "startupTaints"), &p->startup, &p->nstartup, err) != 0)
			goto cleanup;
		if (lim != NULL && kp_parse_limits(yt_map_get(lim, "resources"), p, err) != 0)
			goto cleanup;
		if ((v = yt_map_get(spec, "kubeletConfiguration")) != NULL &&
		    kp_parse_kubelet(v, p, err) != 0)
			goto cleanup;
		if ((v = yt_map_get(spec, "providerRef")) != NULL && load_str_opt(v, "name",
		    &p->nodeclass, err) != 0)
			goto cleanup;
		if (cons != NULL && !yt_is_null(cons)) {
			int on = 0;

			if ((v = yt_map_get(cons, "enabled")) != NULL && yt_get_bool(v, &on, err) != 0)
				goto cleanup;
			if (on && ttl_empty != NULL) {
				ks_error_set(err, &ttl_empty->mark, KS_EINVAL,
				    "ttlSecondsAfterEmpty cannot be combined with consolidation.enabled");
				goto cleanup;
			}
			p->underutil_ok = p->empty_ok = on;
		}
		if (ttl_empty != NULL && !yt_is_null(ttl_empty)) {
			if (yt_get_int64(ttl_empty, &secs, err) != 0)
				goto cleanup;
			p->empty_ok = 1;
			p->consolidate_after_ms = secs * 1000;
		}
		p->expire_after_ms = -1;
		if (ttl_exp != NULL && !yt_is_null(ttl_exp)) {
			if (yt_get_int64(ttl_exp, &secs, err) != 0)
				goto cleanup;
			p->expire_after_ms = secs * 1000;
		}
		if (kp_parse_budgets(NULL, p, 0, err) != 0)
			goto cleanup;
		/* the v0.31 AWS webhook's defaults */
		if (kp_reqs_get(&p->reqs, intern("kubernetes.io/os")) == NULL) {
			const char *linux_ = "linux";

			kp_reqs_add_op(&p->reqs, "kubernetes.io/os", OP_IN, &linux_, 1, 0);
		}
		if (kp_reqs_get(&p->reqs, intern("kubernetes.io/arch")) == NULL) {
			const char *amd = "amd64";

			kp_reqs_add_op(&p->reqs, "kubernetes.io/arch", OP_IN, &amd, 1, 0);
		}
		if (kp_reqs_get(&p->reqs, intern(KP_CT_KEY)) == NULL) {
			const char *od = "on-demand";

			kp_reqs_add_op(&p->reqs, KP_CT_KEY, OP_IN, &od, 1, 0);
		}
		if (kp_reqs_get(&p->reqs, st->labk[KL_TYPE]) == NULL &&
		    kp_reqs_get(&p->reqs, st->labk[KL_FAMILY]) == NULL &&
		    kp_reqs_get(&p->reqs, st->labk[KL_CATEGORY]) == NULL &&
		    kp_reqs_get(&p->reqs, st->labk[KL_GENERATION]) == NULL) {
			const char *cmr[] = { "c", "m", "r" };

			kp_reqs_add_op(&p->reqs, kp_label_names[KL_CATEGORY], OP_IN, cmr, 3, 0);
			kp_reqs_add_op(&p->reqs, kp_label_names[KL_GENERATION], OP_GT, NULL, 0, 2);
		}
		for (size_t i = 0; i < p->labels.n; i++) {
			const char *lv = p->labels.v[i].val;

			kp_reqs_add_op(&p->reqs, p->labels.v[i].key, OP_IN, &lv, 1, 0);
		}
		kp_pool_label(p, "karpenter.sh/provisioner-name", p->name);
	} else {
		const struct yt_node *lim = yt_map_get(spec, "limits"), *md, *ref, *pol;
		const char *policy = NULL;

		tmpl = yt_map_get(spec, "template");
		if (tmpl != NULL && !yt_is_null(tmpl)) {
			tspec = yt_map_get(tmpl, "spec");
			md = yt_map_get(tmpl, "metadata");
			if (md != NULL && load_labels(yt_map_get(md, "labels"), &p->labels, err) != 0)
				goto cleanup;
		}
		if (tspec == NULL || yt_is_null(tspec)) {
			ks_error_set(err, tmpl ? &tmpl->mark : &spec->mark, KS_EINVAL,
			    "expected spec.template.spec in NodePool \"%s\", found none", d->name);
			goto cleanup;
		}
		what = "a NodePool requirement";
		if (kp_parse_reqs(st, yt_map_get(tspec, "requirements"), &p->reqs, what, err) != 0 ||
		    load_taints(yt_map_get(tspec, "taints"), &p->taints, &p->ntaints, err) != 0 ||
		    load_taints(yt_map_get(tspec, "startupTaints"), &p->startup, &p->nstartup,
		    err) != 0)
			goto cleanup;
		if (kp_parse_limits(lim, p, err) != 0)
			goto cleanup;
		if ((v = yt_map_get(tspec, "kubelet")) != NULL && kp_parse_kubelet(v, p, err) != 0)
			goto cleanup;
		ref = yt_map_get(tspec, "nodeClassRef");
		if (ref != NULL && load_str_opt(ref, "name", &p->nodeclass, err) != 0)
			goto cleanup;
		dis = yt_map_get(spec, "disruption");
		if (dis != NULL && yt_is_null(dis))
			dis = NULL;
		if (dis != NULL && yt_expect_map(dis, err) != 0)
			goto cleanup;
		if (dis != NULL && load_str_opt(dis, "consolidationPolicy", &policy, err) != 0)
			goto cleanup;
		pol = dis ? yt_map_get(dis, "consolidationPolicy") : NULL;
		if (p->version == KP_V1BETA1) {
			const char *dflt = "WhenUnderutilized";

			if (policy == NULL)
				policy = dflt;
			if (strcmp(policy, "WhenUnderutilized") != 0 && strcmp(policy, "WhenEmpty") != 0) {
				ks_error_set(err, &pol->mark, KS_EINVAL,
				    "unknown consolidationPolicy \"%s\": expected WhenUnderutilized or "
				    "WhenEmpty", policy);
				goto cleanup;
			}
			v = dis ? yt_map_get(dis, "consolidateAfter") : NULL;
			if (strcmp(policy, "WhenUnderutilized") == 0 && v != NULL) {
				ks_error_set(err, &v->mark, KS_EINVAL,
				    "consolidateAfter cannot be combined with consolidationPolicy "
				    "WhenUnderutilized");
				goto cleanup;
			}
			if (strcmp(policy, "WhenEmpty") == 0 && v == NULL) {
				ks_error_set(err, pol ? &pol->mark : &spec->mark, KS_EINVAL,
				    "consolidateAfter must be set with consolidationPolicy WhenEmpty");
				goto cleanup;
			}
			if (v != NULL && kp_get_duration_never(v, &p->consolidate_after_ms, err) != 0)
				goto cleanup;
			p->expire_after_ms = 720LL * 3600 * 1000;
			v = dis ? yt_map_get(dis, "expireAfter") : NULL;
			if (v != NULL && kp_get_duration_never(v, &p->expire_after_ms, err) != 0)
				goto cleanup;
			p->underutil_ok = strcmp(policy, "WhenUnderutilized") == 0;
			p->empty_ok = 1;
		} else {
			const char *dflt = "WhenEmptyOrUnderutilized";

			if (policy == NULL)
				policy = dflt;
			if (strcmp(policy, "WhenEmptyOrUnderutilized") != 0 &&
			    strcmp(policy, "WhenEmpty") != 0) {
				ks_error_set(err, &pol->mark, KS_EINVAL,
				    "unknown consolidationPolicy \"%s\": expected WhenEmptyOrUnderutilized "
				    "or WhenEmpty", policy);
				goto cleanup;
			}
			v = dis ? yt_map_get(dis, "consolidateAfter") : NULL;
			if (v != NULL && kp_get_duration_never(v, &p->consolidate_after_ms, err) != 0)
				goto cleanup;
			p->expire_after_ms = 720LL * 3600 * 1000;
			v = yt_map_get(tspec, "expireAfter");
			if (v != NULL && kp_get_duration_never(v, &p->expire_after_ms, err) != 0)
				goto cleanup;
			if (dis != NULL && (v = yt_map_get(dis, "expireAfter")) != NULL) {
				ks_error_set(err, &v->mark, KS_EINVAL,
				    "expireAfter moved to spec.template.spec in karpenter.sh/v1");
				goto cleanup;
			}
			p->underutil_ok = strcmp(policy, "WhenEmptyOrUnderutilized") == 0;
			p->empty_ok = 1;
		}
		if (kp_parse_budgets(dis ? yt_map_get(dis, "budgets") : NULL, p,
		    p->version == KP_V1, err) != 0)
			goto cleanup;
		for (size_t i = 0; i < p->labels.n; i++) {
			const char *lv = p->labels.v[i].val;

			kp_reqs_add_op(&p->reqs, p->labels.v[i].key, OP_IN, &lv, 1, 0);
		}
		kp_pool_label(p, "karpenter.sh/nodepool", p->name);
	}
	*out = p;
	p = NULL;
	rc = 0;
cleanup:
	kp_pool_free(p);
	return rc;
}

/* ---- offerings and instance-type filtering ---- */

static const char *kp_spot_s, *kp_od_s;

/*
 * The cheapest offering of type k the requirements allow: a zone of the
 * EC2NodeClass the zone requirement admits, times a capacity type the
 * capacity-type requirement admits and the catalog prices.  Prices are per
 * region, so every admitted zone costs the same.  0 = no offering.
 * *spot_out (may be NULL) says which capacity type won.
 */
static int64_t
kp_it_price(const struct kp_state *st, const struct kp_it *k, const struct kp_reqs *rs,
    int only_spot, int *spot_out)
{
	const struct kp_req *zr = kp_reqs_get(rs, st->zone_key);
	const struct kp_req *cr = kp_reqs_get(rs, st->ct_key);
	int zone_ok = 0;
	int64_t best = 0;

	for (size_t z = 0; z < st->nzones && !zone_ok; z++)
		zone_ok = zr == NULL || kp_req_admits(zr, st->zones[z]);
	if (!zone_ok)
		return 0;
	if (k->spot_nusd > 0 && (cr == NULL || kp_req_admits(cr, kp_spot_s))) {
		best = k->spot_nusd;
		if (spot_out != NULL)
			*spot_out = 1;
	}
	if (!only_spot && k->od_nusd > 0 && (cr == NULL || kp_req_admits(cr, kp_od_s)) &&
	    (best == 0 || k->od_nusd < best)) {
		best = k->od_nusd;
		if (spot_out != NULL)
			*spot_out = 0;
	}
	return best;
}

/* The type's labels satisfy every requirement on a key it defines. */
static int
kp_it_labels_ok(const struct kp_state *st, const struct kp_it *k, const struct kp_reqs *rs,
    const struct kp_req **bad)
{
	for (size_t i = 0; i < rs->n; i++) {
		int li = kp_label_index(st, rs->v[i].key);

		if (li < 0)
			continue;
		if (!kp_req_admits(&rs->v[i], k->lab[li])) {
			if (bad != NULL)
				*bad = &rs->v[i];
			return 0;
		}
	}
	return 1;
}

static int
kp_it_compatible(const struct kp_state *st, const struct kp_it *k, const struct kp_reqs *rs)
{
	return kp_it_labels_ok(st, k, rs, NULL) && kp_it_price(st, k, rs, 0, NULL) > 0;
}

/* Allocatable Karpenter expects of type k in pool p, less DaemonSet overhead ds. */
static void
kp_it_free_res(const struct kp_pool *p, const struct kp_it *k, const struct ks_res *ds,
    struct ks_res *out)
{
	*out = k->alloc;
	if (p != NULL && p->max_pods > 0)
		out->v[RES_PODS] = p->max_pods;
	if (ds != NULL)
		res_sub(out, ds);
}

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
static void
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

static int
kp_pod_provisionable(const struct ks_pod *p)
{
	return p->phase == POD_PENDING && p->node < 0 && p->unsched_since >= 0 &&
	    !p->spec->is_daemon && p->pin_node < 0 && p->spec->node_name == NULL;
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

static char *
kp_res_json(const struct ks_res *r, char *buf, size_t n)
{
	char a[QTY_BUFSZ], b[QTY_BUFSZ];
	size_t len = 0;

	len += (size_t)snprintf(buf + len, n - len, "{\"cpu\":\"%s\"",
	    qty_format_cpu(r->v[RES_CPU], a, sizeof(a)));
	if (r->v[RES_MEM] > 0 && len < n)
		len += (size_t)snprintf(buf + len, n - len, ",\"memory\":\"%s\"",
		    qty_format_bytes(r->v[RES_MEM], QTY_BINARY_SI, b, sizeof(b)));
	if (r->v[RES_GPU] > 0 && len < n)
		len += (size_t)snprintf(buf + len, n - len, ",\"nvidia.com/gpu\":\"%lld\"",
		    (long long)r->v[RES_GPU]);
	if (len < n)
		snprintf(buf + len, n - len, ",\"pods\":\"%lld\"}", (long long)r->v[RES_PODS]);
	return buf;
}

/* ---- one scheduling round (provisioning and consolidation share it) ---- */

struct kp_slot {
	struct ks_node		*n;		/* the node (Ready, or NotReady in flight) */
	struct kp_claim		*claim;		/* NULL for nodes Karpenter does not own */
	int			 inflight;	/* not initialized: use the predicted allocatable */
	struct ks_res		 extra;		/* requests packed onto it this round */
};

struct kp_round {
	struct kp_state		*st;	/* the controller */
	struct kp_slot		*slots;	/* existing nodes and in-flight claims */
	size_t			 nslots;
	struct kp_claim		**news;		/* new claims of this round (owned) */
	size_t			 nnews, newcap;
	uint32_t		**news_pods;	/* pod ids per new claim */
	struct ks_res		*remaining;	/* per pool: limits left */
	int64_t			*nodes_left;	/* per pool: limits.nodes left, -1 = no limit */
	struct kp_claim		**exclude;	/* candidates being simulated away */
	size_t			 nexclude;
	struct ks_res		*ds;		/* DaemonSet overhead per (pool, type), cached */
	unsigned char		*ds_ok;		/* ds[i] computed */
	const uint32_t		*pods;		/* the round's pods, in packing order */
	size_t			 ndone;		/* pods[0..ndone) are placed or failed */
	/* per pod of the round */
	int			*where;		/* -1 failed, >= 0 slot, <= -2 new claim -(i+2) */
	const char		**why;		/* interned reason when failed */
};

static int
kp_excluded(const struct kp_round *R, const struct kp_claim *k)
{
	for (size_t i = 0; i < R->nexclude; i++)
		if (R->exclude[i] == k)
			return 1;
	return 0;
}

static int
kp_slot_cmp(const void *a, const void *b)
{
	const struct kp_slot *x = a, *y = b;

	if (x->inflight != y->inflight)
		return x->inflight - y->inflight;
	return strcmp(x->n->name, y->n->name);
}

static void
kp_round_init(struct kp_round *R, struct kp_state *st, struct kp_claim **exclude, size_t nexclude)
{
	struct ks_cluster *c = &st->r->cluster;

	memset(R, 0, sizeof(*R));
	R->st = st;
	R->exclude = exclude;
	R->nexclude = nexclude;
	R->slots = xcalloc(c->nnodes + 1, sizeof(*R->slots));
	for (size_t i = 0; i < c->nnodes; i++) {
		struct ks_node *n = c->nodes[i];
		struct kp_claim *k = n->owner_kind == NODE_OWNER_NODECLAIM ? n->owner : NULL;
		struct kp_slot *s;

		if (n->state == NODE_GONE || n->state == NODE_DELETING || n->unschedulable)
			continue;
		if (k != NULL && (k->disrupting || kp_excluded(R, k)))
			continue;
		if (n->state == NODE_NOTREADY && k == NULL)
			continue;
		s = &R->slots[R->nslots++];
		s->n = n;
		s->claim = k;
		s->inflight = n->state == NODE_NOTREADY;
	}
	qsort(R->slots, R->nslots, sizeof(*R->slots), kp_slot_cmp);
	R->remaining = xcalloc(st->npools + 1, sizeof(*R->remaining));
	R->nodes_left = xcalloc(st->npools + 1, sizeof(*R->nodes_left));
	for (size_t i = 0; i < st->npools; i++) {
		struct kp_pool *p = st->pools[i];

		R->remaining[i] = p->limits;
		R->nodes_left[i] = p->limit_nodes;
		for (size_t j = 0; j < st->nclaims; j++) {
			struct kp_claim *k = st->claims[j];

			if (k->pool != p || k->gone_ms >= 0 || kp_excluded(R, k))
				continue;
			res_sub(&R->remaining[i], &k->it->cap);
			if (R->nodes_left[i] > 0)
				R->nodes_left[i]--;
			else if (R->nodes_left[i] == 0)
				R->nodes_left[i] = 0;
		}
	}
}

static void
kp_round_free(struct kp_round *R)
{
	for (size_t i = 0; i < R->nnews; i++) {
		kp_claim_free(R->news[i]);
		free(R->news_pods[i]);
	}
	free(R->news);
	free(R->news_pods);
	free(R->slots);
	free(R->remaining);
	free(R->nodes_left);
	free(R->where);
	free(R->why);
	free(R->ds);
	free(R->ds_ok);
}

static size_t	kp_pool_index(const struct kp_state *, const struct kp_pool *);

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

static size_t
kp_pool_index(const struct kp_state *st, const struct kp_pool *p)
{
	for (size_t i = 0; i < st->npools; i++)
		if (st->pools[i] == p)
			return i;
	assert(0 && "pool not in the table");
	return 0;
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
	for (size_t i = 0; i < c->npods; i++) {
		const struct ks_pod *q = c->pods[i];
		const struct ks_node *n;
		int z;

		if (q->node < 0 || !pod_alive(q) || q->phase == POD_TERMINATING || q->ns != p->ns ||
		    !selector_matches(&t->sel, &q->spec->labels))
			continue;
		n = c->nodes[q->node];
		if (n->owner_kind == NODE_OWNER_NODECLAIM && kp_excluded(R, n->owner))
			continue;
		if ((z = kp_zone_index(st, n->zone)) >= 0)
			cnt[z]++;
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
	for (size_t j = 0; j < k->npods; j++) {
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
	R->news_pods[i] = xreallocarray(R->news_pods[i], k->npods + 1, sizeof(uint32_t));
	R->news_pods[i][k->npods++] = p->id;
	return 1;
}

/* Try a new claim from pool p; on failure append the reason to err. */
static int
kp_news_new(struct kp_round *R, struct kp_pool *p, struct ks_pod *pod, const struct kp_reqs *preqs,
    int tolerate_prefer, int soft, char *err, size_t errn)
{
	struct kp_state *st = R->st;
	size_t pi = kp_pool_index(st, p), n, len = strlen(err);
	const struct ks_taint *t;
	const struct kp_req *bad = NULL;
	const struct kp_it **its;
	struct kp_claim *k;
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
		const struct kp_req *have = kp_reqs_get(&p->reqs, bad->key);
		char a[512], b[512];

		kp_req_format(bad, a, sizeof(a));
		if (have != NULL) {
			kp_req_format(have, b, sizeof(b));
			snprintf(err + len, errn - len, "%sincompatible with nodepool \"%s\", incompatible "
			    "requirements, key %s, %s not in %s", sep, p->name, bad->key, a, b);
		} else {
			snprintf(err + len, errn - len, "%sincompatible with nodepool \"%s\", incompatible "
			    "requirements, label \"%s\" does not have known values", sep, p->name,
			    bad->key);
		}
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
	if (n > 0) {
		const struct kp_req *mv = kp_min_values_short(st, &rs, its, n);

		if (mv != NULL) {
			snprintf(err + len, errn - len, "%sincompatible with nodepool \"%s\", minValues "
			    "requirement is not met for label %s", sep, p->name, mv->key);
			free(its);
			kp_reqs_free(&rs);
			return 0;
		}
	}
	if (n == 0) {
		char ds[256], rq[256], rstr[2048];
		struct ks_res ov = { { 0 } };

		if (p->nits > 0)
			kp_ds_overhead(st, p, p->its[0], &ov);
		kp_reqs_format(&rs, rstr, sizeof(rstr));
		if (why & 16)
			snprintf(err + len, errn - len, "%sall available instance types exceed limits "
			    "for nodepool: \"%s\"", sep, p->name);
		else
			snprintf(err + len, errn - len, "%sincompatible with nodepool \"%s\", daemonset "
			    "overhead=%s, no instance type satisfied resources %s and requirements %s (%s)",
			    sep, p->name, kp_res_json(&ov, ds, sizeof(ds)),
			    kp_res_json(&pod->req, rq, sizeof(rq)), rstr, kp_filter_why(why));
		free(its);
		kp_reqs_free(&rs);
		return 0;
	}
	k = xcalloc(1, sizeof(*k));
	k->pool = p;
	k->reqs = rs;
	k->its = its;
	k->nits = n;
	k->req = pod->req;
	k->npods = 1;
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
static void
kp_round_solve(struct kp_round *R, uint32_t *pods, size_t npods)
{
	struct kp_state *st = R->st;
	struct ks_cluster *c = &st->r->cluster;
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
		int soft = p->spec->npref > 0;
		struct sched_ctx *ctx = sched_ctx_new(c, p);
		size_t nterms = p->spec->naffinity ? p->spec->naffinity : 1;
		char err[4096] = "";
		int done = 0;

		R->where[pi] = -1;
		R->ndone = pi;
		for (size_t i = 0; i < p->spec->ntsc; i++)
			soft |= !p->spec->tsc[i].do_not_schedule;
		for (size_t s = 0; s < R->nslots && !done; s++)
			if (kp_slot_fits(R, &R->slots[s], p, ctx)) {
				res_add(&R->slots[s].extra, &p->req);
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

/*
 * The cheapest offering order over the claim's types, after the launch
 * filters (B.9): capacity type spot when allowed and offered, else
 * on-demand; exotic types only when nothing else is left; when both
 * capacity types are allowed, spot offerings above the cheapest on-demand
 * one are dropped.  Returns the number kept (<= 60) in out, cheapest first.
 */
struct kp_priced {
	const struct kp_it	*k;		/* the instance type */
	int64_t			 price;		/* its offering's price, nano-USD/h */
};

static int
kp_priced_cmp(const void *a, const void *b)
{
	const struct kp_priced *x = a, *y = b;

	if (x->price != y->price)
		return x->price < y->price ? -1 : 1;
	return strcmp(x->k->it->name, y->k->it->name);
}

static size_t
kp_launch_order(const struct kp_state *st, const struct kp_reqs *rs, const struct kp_it *const *its,
    size_t nits, int *spot, struct kp_priced *out, size_t max)
{
	const struct kp_req *cr = kp_reqs_get(rs, st->ct_key);
	int spot_ok = cr == NULL || kp_req_admits(cr, kp_spot_s);
	int od_ok = cr == NULL || kp_req_admits(cr, kp_od_s);
	int64_t od_min = 0;
	size_t n = 0, nonexotic = 0;

	*spot = 0;
	for (size_t i = 0; i < nits && spot_ok; i++)
		if (its[i]->spot_nusd > 0 && kp_it_price(st, its[i], rs, 1, NULL) > 0)
			*spot = 1;
	for (size_t i = 0; i < nits && od_ok; i++)
		if (its[i]->od_nusd > 0 && (od_min == 0 || its[i]->od_nusd < od_min))
			od_min = its[i]->od_nusd;
	for (size_t i = 0; i < nits; i++) {
		int64_t pr = *spot ? its[i]->spot_nusd : its[i]->od_nusd;

		if (pr <= 0 || kp_it_price(st, its[i], rs, 0, NULL) == 0)
			continue;
		if (*spot && od_ok && od_min > 0 && pr > od_min)
			continue;
		nonexotic += !its[i]->exotic;
		out[n].k = its[i];
		out[n++].price = pr;
	}
	if (nonexotic > 0 && nonexotic < n) {
		size_t m = 0;

		for (size_t i = 0; i < n; i++)
			if (!out[i].k->exotic)
				out[m++] = out[i];
		n = m;
	}
	qsort(out, n, sizeof(*out), kp_priced_cmp);
	return n < max ? n : max;
}

/* ---- launch and NodeClaim lifecycle ---- */

static void	kp_cmds_progress(struct kp_state *, struct kp_claim *ready);

static const char *
kp_claim_name(struct kp_state *st, const struct kp_pool *p)
{
	static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
	char buf[300];
	size_t len = (size_t)snprintf(buf, sizeof(buf) - 8, "%s-", p->name);

	if (len > sizeof(buf) - 8)
		len = sizeof(buf) - 8;
	for (int i = 0; i < 5; i++)
		buf[len++] = alnum[rng_below(&st->rng, sizeof(alnum) - 1)];
	buf[len] = '\0';
	return intern(buf);
}

static void
kp_node_add_taint(struct ks_node *n, const struct ks_taint *t)
{
	n->taints = xreallocarray(n->taints, n->ntaints + 1, sizeof(*n->taints));
	n->taints[n->ntaints++] = *t;
}

static void
kp_node_del_taint(struct ks_node *n, const char *key)
{
	for (size_t i = 0; i < n->ntaints; i++)
		if (n->taints[i].key == key) {
			memmove(&n->taints[i], &n->taints[i + 1], (n->ntaints - i - 1) * sizeof(*n->taints));
			n->ntaints--;
			return;
		}
}

static int64_t
kp_ready_fired(struct sim *sim, void *arg)
{
	struct kp_claim *k = arg;
	struct kp_state *st = k->st;

	(void)sim;
	k->ready_ev = NULL;
	if (k->gone_ms >= 0 || k->node->state != NODE_NOTREADY)
		return SIM_NOMORE;
	cluster_node_ready(&st->r->cluster, k->node);
	k->ready_ms = st->r->sim.now_ms;
	st->version++;
	kp_cmds_progress(st, k);
	return SIM_NOMORE;
}

static void	kp_claim_delete(struct kp_state *, struct kp_claim *, const char *reason);

static int64_t
kp_expire_fired(struct sim *sim, void *arg)
{
	struct kp_claim *k = arg;
	struct kp_state *st = k->st;
	char ref[300];

	(void)sim;
	k->expire_ev = NULL;
	if (k->gone_ms >= 0 || k->disrupting)
		return SIM_NOMORE;
	snprintf(ref, sizeof(ref), "nodeclaim/%s", k->name);
	cluster_event(&st->r->cluster, "DisruptionTerminating", ref, "Disrupting NodeClaim: Expired");
	kp_claim_delete(st, k, "expired");
	return SIM_NOMORE;
}

/*
 * Launch claim k (ownership passes to the state): pick the capacity type,
 * the cheapest of the 60 cheapest types and the first admitted zone,
 * create its Node (NotReady) and schedule its join.  NULL when nothing can
 * be launched (k is freed).
 */
static struct kp_claim *
kp_claim_launch(struct kp_state *st, struct kp_claim *k, const char *created_by)
{
	struct ks_run *r = st->r;
	struct kp_pool *p = k->pool;
	struct kp_priced *ord = xcalloc(k->nits + 1, sizeof(*ord));
	const struct kp_req *zr = kp_reqs_get(&k->reqs, st->zone_key);
	const struct kp_it **its;
	size_t n;
	int spot;
	char ref[300], cpu[QTY_BUFSZ], mem[QTY_BUFSZ];
	struct ks_node *node;
	struct ks_res total;

	n = kp_launch_order(st, &k->reqs, k->its, k->nits, &spot, ord, KP_FLEET_TYPES);
	if (n == 0) {
		free(ord);
		kp_claim_free(k);
		return NULL;
	}
	its = xreallocarray(NULL, n, sizeof(*its));
	for (size_t i = 0; i < n; i++)
		its[i] = ord[i].k;
	free(k->its);
	k->its = its;
	k->nits = n;
	free(ord);
	k->st = st;
	k->it = NULL;
	k->spot = spot;
	/* the cheapest type with an admitted zone whose offering is available */
	for (size_t i = 0; i < n && k->it == NULL; i++)
		for (size_t z = 0; z < st->nzones && k->it == NULL; z++) {
			int gone = 0;

			if (zr != NULL && !kp_req_admits(zr, st->zones[z]))
				continue;
			for (size_t u = 0; u < st->nunavail && !gone; u++)
				gone = st->unavail[u].k == its[i] && st->unavail[u].zone == st->zones[z] &&
				    st->unavail[u].spot == spot &&
				    st->unavail[u].until_ms > r->sim.now_ms;
			if (!gone) {
				k->it = its[i];
				k->zone = st->zones[z];
			}
		}
	if (k->it == NULL) {
		kp_claim_free(k);
		return NULL;
	}
	k->name = kp_claim_name(st, p);
	k->created_ms = r->sim.now_ms;
	k->ready_ms = k->gone_ms = k->last_pod_event_ms = -1;
	k->created_by = intern(created_by);
	k->hash = kp_pool_hash(p);
	k->drifted_ms = -1;
	kp_ds_overhead(st, p, k->it, &k->ds);
	node = run_node_new(r, k->it->it, k->zone, spot, p->max_pods, NULL);
	node->owner_kind = NODE_OWNER_NODECLAIM;
	node->owner = k;
	node->group = p->name;
	node->mark = p->mark;
	for (size_t i = 0; i < p->labels.n; i++)
		labels_set(&node->labels, p->labels.v[i].key, p->labels.v[i].val);
	for (int i = 0; i < KL_N; i++)
		if (k->it->lab[i] != NULL)
			labels_set(&node->labels, st->labk[i], k->it->lab[i]);
	for (size_t i = 0; i < p->ntaints; i++)
		kp_node_add_taint(node, &p->taints[i]);
	k->node = node;
	VEC_PUSH(st->claims, st->nclaims, st->claimcap, k);
	st->version++;
	total = k->req;
	res_add(&total, &k->ds);
	snprintf(ref, sizeof(ref), "nodeclaim/%s", k->name);
	cluster_event(&r->cluster, "Launched", ref,
	    "Launched NodeClaim %s (nodepool %s): %s %s in %s, node %s; requests cpu %s, memory %s, "
	    "pods %lld with daemonsets; %zu instance types",
	    k->name, p->name, k->it->it->name, spot ? "spot" : "on-demand", k->zone, node->name,
	    qty_format_cpu(total.v[RES_CPU], cpu, sizeof(cpu)),
	    qty_format_bytes(total.v[RES_MEM], QTY_BINARY_SI, mem, sizeof(mem)),
	    (long long)total.v[RES_PODS], n);
	k->ready_ev = sim_after(&r->sim, st->boot_ms, "kp-ready", kp_ready_fired, k);
	if (p->expire_after_ms > 0)
		k->expire_ev = sim_after(&r->sim, p->expire_after_ms, "kp-expire", kp_expire_fired, k);
	return k;
}

/* Delete the claim: its node is cordoned and drained, then terminated. */
static void
kp_claim_delete(struct kp_state *st, struct kp_claim *k, const char *reason)
{
	struct ks_cluster *c = &st->r->cluster;
	char by[128];

	if (k->gone_ms >= 0)
		return;
	k->reason = intern(reason);
	k->disrupting = 1;
	if (k->ready_ev != NULL) {
		sim_cancel(&st->r->sim, k->ready_ev);
		k->ready_ev = NULL;
	}
	if (k->expire_ev != NULL) {
		sim_cancel(&st->r->sim, k->expire_ev);
		k->expire_ev = NULL;
	}
	snprintf(by, sizeof(by), "karpenter: %s", reason);
	cluster_node_cordon(c, k->node, "karpenter");
	cluster_node_delete(c, k->node, by);
}

/* ---- provisioning ---- */

static void
kp_nominate(struct kp_state *st, struct ks_pod *p, const void *target, const char *what,
    const char *name)
{
	char ref[600];

	if (p->id >= st->nnom) {
		size_t n = st->r->cluster.npods + 16;

		st->nom = xreallocarray(st->nom, n, sizeof(*st->nom));
		memset(st->nom + st->nnom, 0, (n - st->nnom) * sizeof(*st->nom));
		st->nnom = n;
	}
	if (st->nom[p->id] == target)
		return;
	st->nom[p->id] = target;
	cluster_event(&st->r->cluster, "Nominated", pod_ref(p, ref, sizeof(ref)),
	    "Pod should schedule on: %s/%s", what, name);
}

static void
kp_provision(struct kp_state *st)
{
	struct ks_cluster *c = &st->r->cluster;
	struct kp_round R;
	uint32_t *pods = xcalloc(c->npods + 1, sizeof(*pods));
	size_t npods = 0;
	struct kp_claim **launched;
	char ref[600];

	for (size_t i = 0; i < c->npods; i++)
		if (kp_pod_provisionable(c->pods[i]))
			pods[npods++] = c->pods[i]->id;
	if (npods == 0) {
		free(pods);
		return;
	}
	st->rounds++;
	kp_round_init(&R, st, NULL, 0);
	kp_round_solve(&R, pods, npods);
	launched = xcalloc(R.nnews + 1, sizeof(*launched));
	for (size_t i = 0; i < R.nnews; i++) {
		launched[i] = kp_claim_launch(st, R.news[i], "provisioning");
		R.news[i] = NULL;
	}
	for (size_t i = 0; i < npods; i++) {
		struct ks_pod *p = c->pods[pods[i]];
		int w = R.where[i];

		if (w == -1) {
			if (p->why_not != R.why[i]) {
				p->why_not = R.why[i];
				cluster_event(c, "FailedScheduling", pod_ref(p, ref, sizeof(ref)),
				    "Failed to schedule pod, %s", p->why_not);
			}
			continue;
		}
		p->why_not = NULL;
		if (w >= 0) {
			struct kp_slot *s = &R.slots[w];

			if (s->claim != NULL)
				s->claim->nominated_until = st->r->sim.now_ms + KP_NOMINATION_MS;
			if (s->inflight)
				kp_nominate(st, p, s->claim, "nodeclaim", s->claim->name);
			continue;
		}
		if (launched[-w - 2] != NULL) {
			struct kp_claim *k = launched[-w - 2];

			k->nominated_until = st->r->sim.now_ms + KP_NOMINATION_MS;
			kp_nominate(st, p, k, "nodeclaim", k->name);
		} else {
			p->why_not = intern("no instance type could be launched");
		}
	}
	free(launched);
	kp_round_free(&R);
	free(pods);
}

static int64_t
kp_batch_fired(struct sim *sim, void *arg)
{
	struct kp_state *st = arg;

	(void)sim;
	st->batch_ev = NULL;
	st->nseen = 0;
	kp_provision(st);
	return SIM_NOMORE;
}

/* batcher.go: the window closes after idle without a new pod, or at max. */
static void
kp_trigger(struct kp_state *st, uint32_t pod_id)
{
	struct sim *sim = &st->r->sim;
	int64_t at;

	for (size_t i = 0; i < st->nseen; i++)
		if (st->seen[i] == pod_id) {
			if (st->batch_ev == NULL)
				break;
			return;
		}
	VEC_PUSH(st->seen, st->nseen, st->seencap, pod_id);
	if (st->batch_ev == NULL) {
		st->batch_start = sim->now_ms;
		st->batch_ev = sim_after(sim, st->idle_ms, "kp-batch", kp_batch_fired, st);
		return;
	}
	at = sim->now_ms + st->idle_ms;
	if (at > st->batch_start + st->max_ms)
		at = st->batch_start + st->max_ms;
	if (at != st->batch_ev->at_ms)
		sim_reschedule(sim, st->batch_ev, at);
}

static void
kp_hook_unschedulable(struct ks_cluster *c, struct ks_pod *p, void *arg)
{
	struct kp_state *st = arg;

	(void)c;
	st->version++;
	if (st->npools == 0 || !kp_pod_provisionable(p))
		return;
	kp_trigger(st, p->id);
}

static struct kp_claim *
kp_claim_of(const struct ks_cluster *c, const struct ks_pod *p)
{
	const struct ks_node *n;

	if (p->node < 0 || p->spec->is_daemon)
		return NULL;
	n = c->nodes[p->node];
	return n->owner_kind == NODE_OWNER_NODECLAIM ? n->owner : NULL;
}

static void
kp_hook_pod_event(struct ks_cluster *c, struct ks_pod *p, void *arg)
{
	struct kp_claim *k = kp_claim_of(c, p);

	((struct kp_state *)arg)->version++;
	if (k != NULL)
		k->last_pod_event_ms = c->sim->now_ms;
}

static void
kp_hook_node_gone(struct ks_cluster *c, struct ks_node *n, void *arg)
{
	struct kp_claim *k = n->owner_kind == NODE_OWNER_NODECLAIM ? n->owner : NULL;

	((struct kp_state *)arg)->version++;
	if (k == NULL)
		return;
	k->gone_ms = c->sim->now_ms;
	if (k->reason == NULL)
		k->reason = intern("deleted");
}

/* ---- disruption ---- */

/* Days since 1970-01-01 -> civil date (Howard Hinnant's algorithm). */
static void
kp_civil(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* One cron field ("*", "*\/n", "a", "a-b", "a-b/n", lists) admits v? */
static int
kp_cron_field(const char *f, size_t len, int v, int lo, int hi)
{
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		int a = lo, b = hi, step = 1;
		char part[64];

		while (j < len && f[j] != ',')
			j++;
		snprintf(part, sizeof(part), "%.*s", (int)(j - i), f + i);
		{
			char *slash = strchr(part, '/'), *dash;

			if (slash != NULL) {
				*slash = '\0';
				step = atoi(slash + 1);
				if (step < 1)
					step = 1;
			}
			if (strcmp(part, "*") != 0 && strcmp(part, "?") != 0) {
				dash = strchr(part, '-');
				a = atoi(part);
				b = dash ? atoi(dash + 1) : (slash ? hi : a);
			}
		}
		if (v >= a && v <= b && (v - a) % step == 0)
			return 1;
		i = j + 1;
	}
	return 0;
}

/* The cron schedule fires at minute index `min` (minutes since t=0, a Monday). */
static int
kp_cron_fires(const char *sched, int64_t min)
{
	const char *macro[][2] = { { "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" },
	    { "@monthly", "0 0 1 * *" }, { "@weekly", "0 0 * * 0" }, { "@daily", "0 0 * * *" },
	    { "@midnight", "0 0 * * *" }, { "@hourly", "0 * * * *" } };
	const char *f[5];
	size_t fl[5];
	int nf = 0, y, mo, d;
	int64_t days = min / 1440;

	for (size_t i = 0; i < sizeof(macro) / sizeof(macro[0]); i++)
		if (strcmp(sched, macro[i][0]) == 0)
			sched = macro[i][1];
	for (const char *q = sched; *q != '\0' && nf < 5;) {
		while (*q == ' ')
			q++;
		if (*q == '\0')
			break;
		f[nf] = q;
		while (*q != '\0' && *q != ' ')
			q++;
		fl[nf] = (size_t)(q - f[nf]);
		nf++;
	}
	if (nf != 5)
		return 0;
	kp_civil(19723 + days, &y, &mo, &d);	/* 19723 = 2024-01-01 */
	return kp_cron_field(f[0], fl[0], (int)(min % 60), 0, 59) &&
	    kp_cron_field(f[1], fl[1], (int)(min / 60 % 24), 0, 23) &&
	    kp_cron_field(f[2], fl[2], d, 1, 31) &&
	    kp_cron_field(f[3], fl[3], mo, 1, 12) &&
	    kp_cron_field(f[4], fl[4], (int)((days + 1) % 7), 0, 6);
}

static int
kp_budget_active(const struct kp_budget *b, int64_t now_ms)
{
	int64_t now_min = now_ms / 60000, back = b->duration_ms / 60000;

	if (b->schedule == NULL)
		return 1;
	if (back > 7 * 24 * 60)
		back = 7 * 24 * 60;
	for (int64_t m = now_min; m >= 0 && m > now_min - back - 1; m--)
		if (kp_cron_fires(b->schedule, m))
			return now_ms < m * 60000 + b->duration_ms;
	return 0;
}

/* Nodes of pool p that may still be disrupted for `reason` now (B.11.3). */
static int64_t
kp_budget_allowed(const struct kp_state *st, const struct kp_pool *p, unsigned reason)
{
	int64_t n = 0, busy = 0, allowed = INT64_MAX;

	for (size_t i = 0; i < st->nclaims; i++) {
		const struct kp_claim *k = st->claims[i];

		if (k->pool != p || k->gone_ms >= 0)
			continue;
		if (k->disrupting || k->in_cmd || k->node->state != NODE_READY)
			busy++;
		else
			n++;
	}
	for (size_t i = 0; i < p->nbudgets; i++) {
		const struct kp_budget *b = &p->budgets[i];
		int64_t v;

		if (!(b->reasons & reason) || !kp_budget_active(b, st->r->sim.now_ms))
			continue;
		v = b->pct ? (b->nodes * n + 99) / 100 : b->nodes;
		if (v < allowed)
			allowed = v;
	}
	if (allowed == INT64_MAX)
		return INT64_MAX;
	allowed -= busy;
	return allowed > 0 ? allowed : 0;
}

struct kp_cand {
	struct kp_claim		*k;		/* the candidate claim */
	size_t			 npods;		/* reschedulable pods */
	double			 cost;		/* disruption cost */
};

static int
kp_cand_cmp(const void *a, const void *b)
{
	const struct kp_cand *x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	return strcmp(x->k->name, y->k->name);
}

static int
kp_pod_reschedulable(const struct ks_pod *p)
{
	return !p->spec->is_daemon && (p->phase == POD_BOUND || p->phase == POD_RUNNING);
}

/* Can claim k be a candidate now?  Fills c; 0 when it cannot. */
static int
kp_candidate(struct kp_state *st, struct kp_claim *k, struct kp_cand *c)
{
	struct ks_cluster *cl = &st->r->cluster;
	int64_t now = st->r->sim.now_ms, age, exp = k->pool->expire_after_ms;
	double life = 1.0;

	if (k->gone_ms >= 0 || k->disrupting || k->in_cmd || k->node->state != NODE_READY ||
	    k->ready_ms < 0 || now < k->nominated_until)
		return 0;
	age = now - k->created_ms;
	if (exp > 0)
		life = age >= exp ? 0.0 : (double)(exp - age) / (double)exp;
	memset(c, 0, sizeof(*c));
	c->k = k;
	for (size_t i = 0; i < k->node->npods; i++) {
		const struct ks_pod *p = cl->pods[k->node->pods[i]];
		const char *dnd, *pdc;
		const struct ks_pdb *b;
		double w;

		if (!kp_pod_reschedulable(p))
			continue;
		dnd = labels_get(&p->spec->annotations, "karpenter.sh/do-not-disrupt");
		if (dnd == NULL)
			dnd = labels_get(&p->spec->annotations, "karpenter.sh/do-not-evict");
		if (dnd != NULL && strcmp(dnd, "true") == 0)
			return 0;
		if ((b = pdb_for_pod(cl, p)) != NULL && pdb_allowed(cl, b) == 0)
			return 0;
		pdc = labels_get(&p->spec->annotations, "controller.kubernetes.io/pod-deletion-cost");
		w = 1.0 + (pdc ? atof(pdc) : 0.0) / 134217728.0 + p->spec->priority / 33554432.0;
		if (w < -10.0)
			w = -10.0;
		if (w > 10.0)
			w = 10.0;
		c->cost += w * life;
		c->npods++;
	}
	return 1;
}

/* The claim's last pod event (or its initialization), ms. */
static int64_t
kp_last_event(const struct kp_state *st, const struct kp_claim *k)
{
	const struct ks_cluster *c = &st->r->cluster;
	int64_t since = k->last_pod_event_ms > k->ready_ms ? k->last_pod_event_ms : k->ready_ms;

	/* a pod starting to terminate is a pod event too (podevents controller) */
	for (size_t i = 0; i < k->node->npods; i++) {
		const struct ks_pod *p = c->pods[k->node->pods[i]];

		if (!p->spec->is_daemon && p->deleted_ms > since)
			since = p->deleted_ms;
	}
	return since;
}

static int
kp_consolidatable(const struct kp_state *st, const struct kp_claim *k)
{
	int64_t since = kp_last_event(st, k);

	if (k->pool->consolidate_after_ms < 0)
		return 0;
	return st->r->sim.now_ms - since >= k->pool->consolidate_after_ms;
}

static void
kp_uncons(struct kp_state *st, struct kp_claim *k, const char *msg)
{
	struct ks_cluster *c = &st->r->cluster;
	const char *m = intern(msg);
	int64_t now = st->r->sim.now_ms;
	char ref[300];

	if (k->uncons_msg == m && now - k->uncons_ms < KP_UNCONS_DEDUPE_MS)
		return;
	k->uncons_msg = m;
	k->uncons_ms = now;
	snprintf(ref, sizeof(ref), "node/%s", k->node->name);
	cluster_event(c, "Unconsolidatable", ref, "%s", m);
	snprintf(ref, sizeof(ref), "nodeclaim/%s", k->name);
	cluster_event(c, "Unconsolidatable", ref, "%s", m);
}

/*
 * computeConsolidation (B.11.5): re-pack the candidates' pods (and the
 * pending ones) without the candidates.  Returns a command (owned) or NULL.
 * quiet: do not publish Unconsolidatable (multi-node probing).
 */
static struct kp_cmd *
kp_compute(struct kp_state *st, struct kp_claim **cands, size_t ncands, int quiet, int drift)
{
	struct ks_cluster *c = &st->r->cluster;
	struct kp_round R;
	uint32_t *pods = xcalloc(c->npods + 1, sizeof(*pods));
	char *is_cand = xcalloc(c->npods + 1, 1);
	size_t npods = 0, nnew = 0, newi = 0;
	struct kp_cmd *cmd = NULL;
	int64_t cand_price = 0;
	int all_spot = 1;
	char msg[1024];

	for (size_t i = 0; i < ncands; i++) {
		struct ks_node *n = cands[i]->node;

		cand_price += n->price_nusd_h;
		all_spot &= cands[i]->spot;
		for (size_t j = 0; j < n->npods; j++) {
			struct ks_pod *p = c->pods[n->pods[j]];

			if (kp_pod_reschedulable(p)) {
				is_cand[p->id] = 1;
				pods[npods++] = p->id;
			}
		}
	}
	for (size_t i = 0; i < c->npods; i++)
		if (kp_pod_provisionable(c->pods[i]))
			pods[npods++] = c->pods[i]->id;
	kp_round_init(&R, st, cands, ncands);
	kp_round_solve(&R, pods, npods);
	msg[0] = '\0';
	for (size_t i = 0; i < npods && msg[0] == '\0'; i++) {
		struct ks_pod *p = c->pods[pods[i]];

		if (!is_cand[p->id])
			continue;
		if (R.where[i] == -1)
			snprintf(msg, sizeof(msg), "not all pods would schedule, %s/%s => %s", p->ns,
			    p->name, R.why[i]);
		else if (R.where[i] >= 0 && R.slots[R.where[i]].inflight)
			snprintf(msg, sizeof(msg), "not all pods would schedule, %s/%s => would schedule "
			    "against uninitialized nodeclaim/%s", p->ns, p->name,
			    R.slots[R.where[i]].claim->name);
	}
	if (msg[0] != '\0')
		goto done;
	/* new claims that hold a candidate's pod */
	for (size_t j = 0; j < R.nnews; j++) {
		int has = 0;

		for (size_t q = 0; q < R.news[j]->npods && !has; q++)
			has = is_cand[R.news_pods[j][q]];
		if (has) {
			nnew++;
			newi = j;
		}
	}
	if (nnew == 0) {
		cmd = xcalloc(1, sizeof(*cmd));
		cmd->kind = KC_DELETE;
		goto done;
	}
	if (drift) {
		/* drift.go: delete and launch what the simulation needs, any price */
		cmd = xcalloc(1, sizeof(*cmd));
		cmd->kind = KC_REPLACE;
		cmd->plans = xcalloc(nnew, sizeof(*cmd->plans));
		for (size_t j = 0; j < R.nnews; j++) {
			int has = 0;

			for (size_t q = 0; q < R.news[j]->npods && !has; q++)
				has = is_cand[R.news_pods[j][q]];
			if (has) {
				cmd->plans[cmd->nplans++] = R.news[j];
				R.news[j] = NULL;
			}
		}
		goto done;
	}
	if (nnew > 1) {
		snprintf(msg, sizeof(msg), "Can't remove without creating %zu candidates", nnew);
		goto done;
	}
	{
		struct kp_claim *k = R.news[newi];
		const struct kp_req *cr = kp_reqs_get(&k->reqs, st->ct_key);
		int allows_spot = cr == NULL || kp_req_admits(cr, kp_spot_s);
		int allows_od = cr == NULL || kp_req_admits(cr, kp_od_s);
		struct kp_priced *pr = xcalloc(k->nits + 1, sizeof(*pr));
		size_t n = 0;
		int s2s = all_spot && allows_spot;

		if (s2s && !st->s2s) {
			snprintf(msg, sizeof(msg), "SpotToSpotConsolidation is disabled, can't replace a "
			    "spot node with a spot node");
			free(pr);
			goto done;
		}
		if (s2s) {
			const char *sp = kp_spot_s;

			kp_reqs_add_op(&k->reqs, KP_CT_KEY, OP_IN, &sp, 1, 0);
		}
		for (size_t i = 0; i < k->nits; i++) {
			const struct kp_it *t = k->its[i];
			int spot = 0;
			int64_t worst;

			if (kp_it_price(st, t, &k->reqs, 0, NULL) == 0)
				continue;
			/* the most expensive offering of the preferred capacity type */
			spot = allows_spot && t->spot_nusd > 0 && kp_it_price(st, t, &k->reqs, 1, NULL) > 0;
			worst = spot ? t->spot_nusd : t->od_nusd;
			if (worst <= 0 || worst >= cand_price)
				continue;
			pr[n].k = t;
			pr[n++].price = worst;
		}
		qsort(pr, n, sizeof(*pr), kp_priced_cmp);
		if (n == 0) {
			snprintf(msg, sizeof(msg), s2s ? "Can't replace spot node with a cheaper spot node" :
			    "Can't replace with a cheaper node");
			free(pr);
			goto done;
		}
		if (s2s && ncands == 1 && n < KP_S2S_MIN_TYPES) {
			snprintf(msg, sizeof(msg), "SpotToSpotConsolidation requires %d cheaper instance "
			    "type options than the current candidate to consolidate, got %zu",
			    KP_S2S_MIN_TYPES, n);
			free(pr);
			goto done;
		}
		if (s2s && ncands == 1)
			n = KP_S2S_MIN_TYPES;
		if (ncands > 1) {
			/* multinodeconsolidation.go filterOutSameType: a type a
			 * candidate already runs caps the price of the replacement */
			int64_t cap = INT64_MAX;
			size_t m = 0;

			for (size_t i = 0; i < n; i++)
				for (size_t j = 0; j < ncands; j++)
					if (cands[j]->it == pr[i].k && cands[j]->node->price_nusd_h < cap)
						cap = cands[j]->node->price_nusd_h;
			for (size_t i = 0; i < n; i++)
				if (pr[i].price < cap)
					pr[m++] = pr[i];
			n = m;
			if (n == 0) {
				snprintf(msg, sizeof(msg), "Can't replace with a cheaper node");
				free(pr);
				goto done;
			}
		}
		if (!s2s && allows_spot && allows_od) {
			int any_spot = 0;

			for (size_t i = 0; i < n; i++)
				any_spot |= pr[i].k->spot_nusd > 0;
			if (any_spot) {
				const char *sp = kp_spot_s;

				kp_reqs_add_op(&k->reqs, KP_CT_KEY, OP_IN, &sp, 1, 0);
			}
		}
		for (size_t i = 0; i < n; i++)
			k->its[i] = pr[i].k;
		k->nits = n;
		free(pr);
		cmd = xcalloc(1, sizeof(*cmd));
		cmd->kind = KC_REPLACE;
		cmd->plans = xcalloc(1, sizeof(*cmd->plans));
		cmd->plans[cmd->nplans++] = k;
		R.news[newi] = NULL;
	}
done:
	if (cmd == NULL && msg[0] != '\0' && !quiet && !drift && ncands == 1)
		kp_uncons(st, cands[0], msg);
	if (cmd != NULL) {
		cmd->cands = xreallocarray(NULL, ncands, sizeof(*cmd->cands));
		memcpy(cmd->cands, cands, ncands * sizeof(*cands));
		cmd->ncands = ncands;
	}
	kp_round_free(&R);
	free(pods);
	free(is_cand);
	return cmd;
}

static const char *
kp_reason_name(unsigned reason)
{
	return reason == KR_EMPTY ? "Empty" : reason == KR_DRIFTED ? "Drifted" : "Underutilized";
}

static const char *
kp_cmd_claim_reason(const struct kp_cmd *cmd)
{
	if (cmd->reason == KR_DRIFTED)
		return "drifted";
	return cmd->kind == KC_DELETE ? "consolidated-delete" : "consolidated-replace";
}

static void
kp_cmd_untaint(struct kp_state *st, struct kp_cmd *cmd)
{
	for (size_t i = 0; i < cmd->ncands; i++) {
		cmd->cands[i]->in_cmd = 0;
		if (cmd->cands[i]->disrupting && cmd->cands[i]->gone_ms < 0 &&
		    cmd->cands[i]->reason == NULL) {
			cmd->cands[i]->disrupting = 0;
			kp_node_del_taint(cmd->cands[i]->node, intern("karpenter.sh/disrupted"));
		}
	}
	(void)st;
}

/* The replacements are initialized: delete the candidates. */
static void
kp_cmd_finish(struct kp_state *st, struct kp_cmd *cmd)
{
	struct ks_cluster *c = &st->r->cluster;
	const char *why = kp_reason_name(cmd->reason);
	char ref[300];

	for (size_t i = 0; i < cmd->ncands; i++) {
		struct kp_claim *k = cmd->cands[i];

		snprintf(ref, sizeof(ref), "node/%s", k->node->name);
		cluster_event(c, "DisruptionTerminating", ref, "Disrupting Node: %s", why);
		snprintf(ref, sizeof(ref), "nodeclaim/%s", k->name);
		cluster_event(c, "DisruptionTerminating", ref, "Disrupting NodeClaim: %s", why);
		kp_claim_delete(st, k, kp_cmd_claim_reason(cmd));
		k->in_cmd = 0;
	}
	cmd->done = 1;
}

static void
kp_cmds_progress(struct kp_state *st, struct kp_claim *ready)
{
	for (size_t i = 0; i < st->ncmds; i++) {
		struct kp_cmd *cmd = st->cmds[i];

		if (cmd->done)
			continue;
		for (size_t j = 0; j < cmd->nrepls; j++)
			if (cmd->repls[j] == ready && ++cmd->nready == cmd->nrepls)
				kp_cmd_finish(st, cmd);
	}
}

/* "Underutilized/Replace, terminating 1 nodes (1 pods) n/c6gd.2xlarge/spot and replacing ..." */
static void
kp_cmd_log(struct kp_state *st, const struct kp_cmd *cmd)
{
	const struct kp_claim *repl = cmd->nplans == 1 ? cmd->plans[0] : NULL;
	struct ks_cluster *c = &st->r->cluster;
	char buf[2048];
	size_t len, pods = 0;

	for (size_t i = 0; i < cmd->ncands; i++)
		for (size_t j = 0; j < cmd->cands[i]->node->npods; j++)
			pods += kp_pod_reschedulable(c->pods[cmd->cands[i]->node->pods[j]]);
	len = (size_t)snprintf(buf, sizeof(buf), "%s/%s, terminating %zu nodes (%zu pods) ",
	    kp_reason_name(cmd->reason), cmd->kind == KC_DELETE ? "Delete" : "Replace",
	    cmd->ncands, pods);
	for (size_t i = 0; i < cmd->ncands && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s/%s/%s", i ? ", " : "",
		    cmd->cands[i]->node->name, cmd->cands[i]->it->it->name,
		    cmd->cands[i]->spot ? "spot" : "on-demand");
	if (repl != NULL && len < sizeof(buf)) {
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    " and replacing with %s node from types ", repl->spot ? "spot" : "on-demand");
		for (size_t i = 0; i < repl->nits && i < 5 && len < sizeof(buf); i++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? ", " : "",
			    repl->its[i]->it->name);
		if (repl->nits > 5 && len < sizeof(buf))
			snprintf(buf + len, sizeof(buf) - len, " and %zu other(s)", repl->nits - 5);
	} else if (cmd->nplans > 1 && len < sizeof(buf)) {
		snprintf(buf + len, sizeof(buf) - len, " and replacing with %zu nodes", cmd->nplans);
	}
	cluster_event(c, "DisruptionCommand", "karpenter", "%s", buf);
}

/*
 * queue.go: taint the candidates, launch the replacements, and delete the
 * candidates once every replacement is Ready (at once when there is none).
 */
static void
kp_cmd_execute(struct kp_state *st, struct kp_cmd *cmd)
{
	struct ks_cluster *c = &st->r->cluster;
	struct ks_taint t = { intern("karpenter.sh/disrupted"), intern(""), EFFECT_NOSCHEDULE };
	char ref[300];

	for (size_t i = 0; i < cmd->ncands; i++) {
		kp_node_add_taint(cmd->cands[i]->node, &t);
		cmd->cands[i]->disrupting = 1;
	}
	for (size_t i = 0; i < cmd->nplans; i++) {
		struct kp_claim *pl = cmd->plans[i];
		struct kp_priced *ord = xcalloc(pl->nits + 1, sizeof(*ord));

		pl->nits = kp_launch_order(st, &pl->reqs, pl->its, pl->nits, &pl->spot, ord,
		    KP_FLEET_TYPES);
		for (size_t j = 0; j < pl->nits; j++)
			pl->its[j] = ord[j].k;
		free(ord);
	}
	kp_cmd_log(st, cmd);
	if (cmd->nplans == 0) {
		kp_cmd_finish(st, cmd);
		return;
	}
	cmd->repls = xcalloc(cmd->nplans, sizeof(*cmd->repls));
	for (size_t i = 0; i < cmd->nplans; i++) {
		struct kp_claim *k = kp_claim_launch(st, cmd->plans[i],
		    cmd->reason == KR_DRIFTED ? "drift" : "consolidation");

		cmd->plans[i] = NULL;
		if (k == NULL)
			continue;
		cmd->repls[cmd->nrepls++] = k;
		snprintf(ref, sizeof(ref), "nodeclaim/%s", k->name);
		cluster_event(c, "DisruptionLaunching", ref, "Launching NodeClaim: %s",
		    kp_reason_name(cmd->reason));
		cluster_event(c, "DisruptionWaitingReadiness", ref,
		    "Waiting on readiness to continue disruption");
	}
	cmd->nplans = 0;
	if (cmd->nrepls == 0) {
		kp_cmd_untaint(st, cmd);
		cmd->done = 1;
	}
}

static int64_t
kp_validate_fired(struct sim *sim, void *arg)
{
	struct kp_cmd *cmd = arg;
	struct kp_state *st = cmd->cands[0]->st;
	struct kp_cmd *again;
	struct kp_cand cc;

	(void)sim;
	/* re-validate: still candidates, and the simulation gives the same decision */
	for (size_t i = 0; i < cmd->ncands; i++) {
		cmd->cands[i]->in_cmd = 0;
		if (!kp_candidate(st, cmd->cands[i], &cc) ||
		    (cmd->reason == KR_EMPTY && cc.npods > 0)) {
			kp_cmd_untaint(st, cmd);
			cmd->done = 1;
			return SIM_NOMORE;
		}
	}
	again = kp_compute(st, cmd->cands, cmd->ncands, 1, 0);
	for (size_t i = 0; i < cmd->ncands; i++)
		cmd->cands[i]->in_cmd = 1;
	if (again == NULL || again->kind != cmd->kind) {
		kp_cmd_free(again);
		kp_cmd_untaint(st, cmd);
		cmd->done = 1;
		return SIM_NOMORE;
	}
	kp_cmd_free(again);
	kp_cmd_execute(st, cmd);
	return SIM_NOMORE;
}

/* Drift: no validation wait. */
static void
kp_cmd_start_now(struct kp_state *st, struct kp_cmd *cmd, unsigned reason)
{
	cmd->reason = reason;
	for (size_t i = 0; i < cmd->ncands; i++)
		cmd->cands[i]->in_cmd = 1;
	VEC_PUSH(st->cmds, st->ncmds, st->cmdcap, cmd);
	kp_cmd_execute(st, cmd);
	for (size_t i = 0; i < cmd->ncands; i++)
		if (cmd->done)
			cmd->cands[i]->in_cmd = 0;
}

static void
kp_cmd_start(struct kp_state *st, struct kp_cmd *cmd, unsigned reason)
{
	cmd->reason = reason;
	for (size_t i = 0; i < cmd->ncands; i++)
		cmd->cands[i]->in_cmd = 1;
	VEC_PUSH(st->cmds, st->ncmds, st->cmdcap, cmd);
	sim_after(&st->r->sim, KP_VALIDATE_MS, "kp-validate", kp_validate_fired, cmd);
}

/* Per pool budget left during one pass (decremented as candidates are taken). */
static int64_t *
kp_budgets_now(struct kp_state *st, unsigned reason)
{
	int64_t *b = xcalloc(st->npools + 1, sizeof(*b));

	for (size_t i = 0; i < st->npools; i++)
		b[i] = kp_budget_allowed(st, st->pools[i], reason);
	return b;
}

static int64_t
kp_disrupt_fired(struct sim *sim, void *arg)
{
	struct kp_state *st = arg;
	struct kp_cand *cands = xcalloc(st->nclaims + 1, sizeof(*cands));
	struct kp_claim **take = xcalloc(st->nclaims + 1, sizeof(*take));
	size_t nc = 0, nt = 0;
	uint64_t ncons;
	int64_t *budget;

	(void)sim;
	for (size_t i = 0; i < st->nclaims; i++)
		if (kp_candidate(st, st->claims[i], &cands[nc]))
			nc++;
	qsort(cands, nc, sizeof(*cands), kp_cand_cmp);

	/* Emptiness */
	budget = kp_budgets_now(st, KR_EMPTY);
	for (size_t i = 0; i < nc; i++) {
		struct kp_claim *k = cands[i].k;
		size_t pi = kp_pool_index(st, k->pool);

		if (cands[i].npods > 0 || !k->pool->empty_ok || !kp_consolidatable(st, k) ||
		    budget[pi] <= 0)
			continue;
		budget[pi]--;
		take[nt++] = k;
	}
	free(budget);
	if (nt > 0) {
		struct kp_cmd *cmd = xcalloc(1, sizeof(*cmd));

		cmd->kind = KC_DELETE;
		cmd->cands = xreallocarray(NULL, nt, sizeof(*take));
		memcpy(cmd->cands, take, nt * sizeof(*take));
		cmd->ncands = nt;
		kp_cmd_start(st, cmd, KR_EMPTY);
		goto out;
	}

	/* Drift: empty claims first, then by when they drifted */
	budget = kp_budgets_now(st, KR_DRIFTED);
	for (int pass = 0; pass < 2; pass++) {
		struct kp_claim *pick = NULL;
		size_t pick_pods = 0;

		for (size_t i = 0; i < nc; i++) {
			struct kp_claim *k = cands[i].k;

			if (k->drifted_ms < 0 || (pass == 0) != (cands[i].npods == 0) ||
			    budget[kp_pool_index(st, k->pool)] <= 0)
				continue;
			if (pick == NULL || k->drifted_ms < pick->drifted_ms) {
				pick = k;
				pick_pods = cands[i].npods;
			}
		}
		(void)pick_pods;
		if (pick != NULL) {
			struct kp_cmd *cmd = kp_compute(st, &pick, 1, 1, 1);

			if (cmd != NULL) {
				free(budget);
				kp_cmd_start_now(st, cmd, KR_DRIFTED);
				goto out;
			}
		}
	}
	free(budget);

	/*
	 * Consolidation is skipped while nothing changed since it last found
	 * nothing (state/cluster.go ConsolidationState), re-armed every 5 min.
	 */
	ncons = 0;
	for (size_t i = 0; i < nc; i++)
		if (cands[i].k->pool->underutil_ok && kp_consolidatable(st, cands[i].k))
			ncons = ncons * 1000003 + cands[i].npods * 7919 +
			    (uint64_t)kp_last_event(st, cands[i].k) + 1;
	if (st->version == st->cons_version && ncons == st->cons_n &&
	    st->r->sim.now_ms - st->cons_ms < 5 * 60 * 1000)
		goto out;

	/* Multi-node consolidation: the largest valid prefix, by binary search */
	budget = kp_budgets_now(st, KR_UNDERUTILIZED);
	for (size_t i = 0; i < nc && nt < KP_MULTI_MAX; i++) {
		struct kp_claim *k = cands[i].k;
		size_t pi = kp_pool_index(st, k->pool);

		if (cands[i].npods == 0 || !k->pool->underutil_ok || !kp_consolidatable(st, k) ||
		    budget[pi] <= 0)
			continue;
		budget[pi]--;
		take[nt++] = k;
	}
	free(budget);
	if (nt >= 2) {
		struct kp_cmd *best = NULL;
		size_t lo = 1, hi = nt - 1;

		while (lo <= hi) {
			size_t mid = (lo + hi) / 2;
			struct kp_cmd *cmd = kp_compute(st, take, mid + 1, 1, 0);

			if (cmd != NULL) {
				kp_cmd_free(best);
				best = cmd;
				lo = mid + 1;
			} else {
				if (mid == 0)
					break;
				hi = mid - 1;
			}
		}
		if (best != NULL) {
			kp_cmd_start(st, best, KR_UNDERUTILIZED);
			goto out;
		}
	}

	/* Single-node consolidation */
	budget = kp_budgets_now(st, KR_UNDERUTILIZED);
	for (size_t i = 0; i < nc; i++) {
		struct kp_claim *k = cands[i].k;
		size_t pi = kp_pool_index(st, k->pool);
		struct kp_cmd *cmd;

		if (cands[i].npods == 0 || !k->pool->underutil_ok || !kp_consolidatable(st, k) ||
		    budget[pi] <= 0)
			continue;
		if ((cmd = kp_compute(st, &k, 1, 0, 0)) != NULL) {
			kp_cmd_start(st, cmd, KR_UNDERUTILIZED);
			free(budget);
			goto out;
		}
	}
	free(budget);
	st->cons_version = st->version;
	st->cons_n = ncons;
	st->cons_ms = st->r->sim.now_ms;
out:
	free(cands);
	free(take);
	return KP_DISRUPT_PERIOD_MS;
}

/* ---- NodePools applied by the timeline, and drift ---- */

static void	kp_pool_types(struct kp_state *, struct kp_pool *);
static int	kp_pool_cmp(const void *, const void *);

/* Why claim k no longer matches its (changed) pool, or NULL. */
static const char *
kp_drift_reason(const struct kp_claim *k)
{
	const struct kp_pool *p = k->pool;

	if (k->hash != kp_pool_hash(p))
		return "NodePoolDrifted";
	for (size_t i = 0; i < p->reqs.n; i++) {
		const struct kp_req *q = &p->reqs.v[i];

		if (labels_get(&p->labels, q->key) != NULL)
			continue;
		if (!kp_req_admits(q, labels_get(&k->node->labels, q->key)))
			return "RequirementsDrifted";
	}
	return NULL;
}

static int64_t
kp_apply_fired(struct sim *sim, void *arg)
{
	struct kp_later *l = arg;
	struct kp_state *st = l->st;
	struct ks_cluster *c = &st->r->cluster;
	struct kp_pool *p = l->pool, *old = NULL;
	char ref[300];

	(void)sim;
	l->pool = NULL;
	st->version++;
	for (size_t i = 0; i < st->npools; i++)
		if (st->pools[i]->name == p->name)
			old = st->pools[i];
	kp_pool_types(st, p);
	snprintf(ref, sizeof(ref), "%s/%s", strcmp(p->kind, "Provisioner") == 0 ? "provisioner" :
	    "nodepool", p->name);
	if (old == NULL) {
		st->pools = xreallocarray(st->pools, st->npools + 1, sizeof(*st->pools));
		st->pools[st->npools++] = p;
		cluster_event(c, "Applied", ref, "%s %s created", p->kind, p->name);
	} else {
		/* keep the address: claims point at their pool */
		kp_reqs_free(&old->reqs);
		labels_free(&old->labels);
		free(old->taints);
		free(old->startup);
		free(old->budgets);
		free(old->its);
		*old = *p;
		free(p);
		cluster_event(c, "Applied", ref, "%s %s updated", old->kind, old->name);
		for (size_t i = 0; i < st->nclaims; i++) {
			struct kp_claim *k = st->claims[i];
			const char *why;

			if (k->pool != old || k->gone_ms >= 0 || k->drifted_ms >= 0 ||
			    (why = kp_drift_reason(k)) == NULL)
				continue;
			k->drifted_ms = st->r->sim.now_ms;
			snprintf(ref, sizeof(ref), "nodeclaim/%s", k->name);
			cluster_event(c, "Drifted", ref, "NodeClaim %s is drifted: %s", k->name, why);
		}
	}
	qsort(st->pools, st->npools, sizeof(*st->pools), kp_pool_cmp);
	/* pending pods may fit the new definition */
	for (size_t i = 0; i < c->npods; i++)
		if (kp_pod_provisionable(c->pods[i]))
			kp_trigger(st, c->pods[i]->id);
	return SIM_NOMORE;
}

/* ---- spot interruptions ---- */

static int64_t
kp_interrupt_fired(struct sim *sim, void *arg)
{
	struct kp_interrupt *in = arg;
	struct kp_state *st = in->st;
	struct ks_cluster *c = &st->r->cluster;
	struct kp_claim *victim = NULL;
	char ref[300];

	(void)sim;
	for (size_t i = 0; i < st->nclaims && victim == NULL; i++) {
		struct kp_claim *k = st->claims[i];

		if (k->spot && k->gone_ms < 0 && !k->disrupting &&
		    (in->pool == NULL || in->pool == k->pool->name))
			victim = k;
	}
	if (victim == NULL) {
		ks_warn(&in->mark, "no spot NodeClaim%s%s%s to interrupt at %lld ms",
		    in->pool ? " of nodepool \"" : "", in->pool ? in->pool : "", in->pool ? "\"" : "",
		    (long long)in->at_ms);
		return SIM_NOMORE;
	}
	st->interruptions++;
	{
		struct kp_unavail u = { victim->it, victim->zone, 1,
		    st->r->sim.now_ms + KP_UNAVAIL_MS };

		VEC_PUSH(st->unavail, st->nunavail, st->unavailcap, u);
	}
	for (size_t i = 0; i < victim->node->npods; i++)
		st->intr_pods += kp_pod_reschedulable(c->pods[victim->node->pods[i]]);
	snprintf(ref, sizeof(ref), "node/%s", victim->node->name);
	cluster_event(c, "SpotInterrupted", ref, "Spot interruption warning was triggered");
	snprintf(ref, sizeof(ref), "nodeclaim/%s", victim->name);
	cluster_event(c, "DisruptionTerminating", ref, "Disrupting NodeClaim: Interrupted");
	in->pods_from = c->npods;
	in->victim = victim;
	kp_claim_delete(st, victim, "interrupted");
	in->pods_to = c->npods;
	in->delivered = 1;
	return SIM_NOMORE;
}

/* ---- settings and set-up ---- */

static int
kp_parse_gates(struct kp_state *st, const struct yt_node *g, struct ks_error *err)
{
	static const char *const keys[] = { "spotToSpotConsolidation", "nodeRepair",
		"reservedCapacity", "nodeOverlay", "staticCapacity", "drift", NULL };
	const struct yt_node *v;

	if (g == NULL || yt_is_null(g))
		return 0;
	if (load_strict(g, keys, "karpenter featureGates", err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(g, "spotToSpotConsolidation")) != NULL &&
	    yt_get_bool(v, &st->s2s, err) != 0)
		return KS_EINVAL;
	for (size_t i = 1; keys[i] != NULL; i++) {
		int b;

		if ((v = yt_map_get(g, keys[i])) != NULL && yt_get_bool(v, &b, err) != 0)
			return KS_EINVAL;
	}
	return 0;
}

static int
kp_parse_batch(struct kp_state *st, const struct yt_node *m, struct ks_error *err)
{
	const struct yt_node *v;

	if ((v = yt_map_get(m, "batchIdleDuration")) != NULL &&
	    yt_get_duration(v, &st->idle_ms, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(m, "batchMaxDuration")) != NULL &&
	    yt_get_duration(v, &st->max_ms, err) != 0)
		return KS_EINVAL;
	if (st->idle_ms < 0 || st->max_ms < 1)
		return ks_error_set(err, &m->mark, KS_EINVAL,
		    "expected positive batch durations, found idle %lld ms and max %lld ms",
		    (long long)st->idle_ms, (long long)st->max_ms);
	return 0;
}

static int
kp_parse_settings(struct kp_state *st, const struct yt_node *k, struct ks_error *err)
{
	static const char *const keys[] = { "featureGates", "batchIdleDuration",
		"batchMaxDuration", "bootTime", "zones", "interruptions", "settings", NULL };
	static const char *const helm[] = { "featureGates", "batchIdleDuration",
		"batchMaxDuration", "clusterName", "clusterEndpoint", "interruptionQueue",
		"isolatedVPC", "reservedENIs", "vmMemoryOverheadPercent", NULL };
	static const char *const ikeys[] = { "at", "nodePool", NULL };
	const struct yt_node *v, *s;

	if (k == NULL || yt_is_null(k))
		return 0;
	if (load_strict(k, keys, "spec.karpenter", err) != 0)
		return KS_EINVAL;
	if ((s = yt_map_get(k, "settings")) != NULL && !yt_is_null(s)) {
		/* helm values: settings.featureGates.spotToSpotConsolidation=true */
		if (load_strict(s, helm, "spec.karpenter.settings", err) != 0 ||
		    kp_parse_gates(st, yt_map_get(s, "featureGates"), err) != 0 ||
		    kp_parse_batch(st, s, err) != 0)
			return KS_EINVAL;
		if ((v = yt_map_get(s, "vmMemoryOverheadPercent")) != NULL) {
			double pct;

			if (yt_get_double(v, &pct, err) != 0)
				return KS_EINVAL;
			if (pct != 0.075)
				ks_warn(&v->mark, "vmMemoryOverheadPercent %g is not modelled: the "
				    "catalog's estimates use 0.075", pct);
		}
	}
	if (kp_parse_gates(st, yt_map_get(k, "featureGates"), err) != 0 ||
	    kp_parse_batch(st, k, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(k, "bootTime")) != NULL && yt_get_duration(v, &st->boot_ms, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(k, "zones")) != NULL && !yt_is_null(v)) {
		if (yt_expect_seq(v, err) != 0)
			return KS_EINVAL;
		if (v->nitems == 0)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected at least one zone, found an empty list");
		st->zones = xreallocarray(NULL, v->nitems, sizeof(*st->zones));
		for (size_t i = 0; i < v->nitems; i++) {
			const char *z;

			if (yt_get_str(v->items[i], &z, err) != 0)
				return KS_EINVAL;
			st->zones[st->nzones++] = intern(z);
		}
	}
	if ((v = yt_map_get(k, "interruptions")) != NULL && !yt_is_null(v)) {
		if (yt_expect_seq(v, err) != 0)
			return KS_EINVAL;
		st->intr = xcalloc(v->nitems + 1, sizeof(*st->intr));
		for (size_t i = 0; i < v->nitems; i++) {
			const struct yt_node *e = v->items[i], *at;
			struct kp_interrupt *in = &st->intr[st->nintr];

			if (load_strict(e, ikeys, "a spot interruption", err) != 0)
				return KS_EINVAL;
			if ((at = yt_map_get(e, "at")) == NULL)
				return ks_error_set(err, &e->mark, KS_EINVAL,
				    "expected \"at\" in a spot interruption, found none");
			if (yt_get_duration(at, &in->at_ms, err) != 0 ||
			    load_str_opt(e, "nodePool", &in->pool, err) != 0)
				return KS_EINVAL;
			in->st = st;
			in->mark = e->mark;
			st->nintr++;
		}
	}
	return 0;
}

static int
kp_pool_cmp(const void *a, const void *b)
{
	const struct kp_pool *x = *(const struct kp_pool *const *)a;
	const struct kp_pool *y = *(const struct kp_pool *const *)b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return -strcmp(x->name, y->name);	/* ties: name descending */
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
	st->idle_ms = 1000;
	st->max_ms = 10000;
	st->boot_ms = 60000;
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

static void
kp_default_zones(struct kp_state *st, const char *region)
{
	char buf[64];

	if (st->nzones > 0)
		return;
	st->zones = xreallocarray(NULL, 3, sizeof(*st->zones));
	for (int z = 0; z < 3; z++) {
		snprintf(buf, sizeof(buf), "%s%c", region, 'a' + z);
		st->zones[st->nzones++] = intern(buf);
	}
}

static void
kp_pool_types(struct kp_state *st, struct kp_pool *p)
{
	char rs[2048];

	p->its = xreallocarray(NULL, st->nits + 1, sizeof(*p->its));
	p->nits = 0;
	for (size_t i = 0; i < st->nits; i++)
		if (kp_it_compatible(st, &st->its[i], &p->reqs))
			p->its[p->nits++] = &st->its[i];
	if (p->nits == 0) {
		kp_reqs_format(&p->reqs, rs, sizeof(rs));
		ks_warn(&p->mark, "%s \"%s\": no instance type in the catalog satisfies its "
		    "requirements (%s) in the offered zones", p->kind, p->name, rs);
	}
}

static int64_t
kp_disrupt_first(struct sim *sim, void *arg)
{
	return kp_disrupt_fired(sim, arg);
}

static int
karpenter_init(struct ks_run *r, void **state, struct ks_error *err)
{
	const struct yt_node *ks = r->scn->spec ? yt_map_get(r->scn->spec, "karpenter") : NULL;
	struct kp_state *st;
	struct cluster_hooks h;
	size_t npools = 0;
	int rc = KS_EINVAL;

	*state = NULL;
	for (size_t i = 0; i < r->scn->ndocs; i++) {
		const char *kind = r->scn->docs[i]->kind;

		npools += strcmp(kind, "NodePool") == 0 || strcmp(kind, "Provisioner") == 0;
	}
	st = kp_state_new(r, r->cat, r->region);
	if (kp_parse_settings(st, ks, err) != 0)
		goto fail;
	kp_default_zones(st, r->region);
	for (size_t i = 0; i < r->scn->ndocs; i++) {
		const struct ks_doc *d = r->scn->docs[i];
		struct kp_pool *p;

		if (strcmp(d->kind, "EC2NodeClass") == 0 || strcmp(d->kind, "AWSNodeTemplate") == 0) {
			int ok = strcmp(d->kind, "AWSNodeTemplate") == 0 ?
			    strcmp(d->api_version, "karpenter.k8s.aws/v1alpha1") == 0 :
			    strcmp(d->api_version, "karpenter.k8s.aws/v1") == 0 ||
			    strcmp(d->api_version, "karpenter.k8s.aws/v1beta1") == 0;

			if (!ok) {
				ks_error_set(err, &d->mark, KS_EINVAL,
				    "expected apiVersion %s for %s \"%s\", found %s",
				    strcmp(d->kind, "AWSNodeTemplate") == 0 ? "karpenter.k8s.aws/v1alpha1" :
				    "karpenter.k8s.aws/v1 or karpenter.k8s.aws/v1beta1", d->kind, d->name,
				    d->api_version);
				goto fail;
			}
			continue;
		}
		if (strcmp(d->kind, "NodePool") != 0 && strcmp(d->kind, "Provisioner") != 0)
			continue;
		for (size_t j = 0; j < st->npools; j++)
			if (st->pools[j]->name == d->name) {
				ks_error_set(err, &d->mark, KS_EINVAL,
				    "duplicate %s \"%s\": NodePool and Provisioner names share one namespace",
				    d->kind, d->name);
				goto fail;
			}
		if (kp_pool_parse(st, d, &p, err) != 0)
			goto fail;
		st->pools = xreallocarray(st->pools, st->npools + 1, sizeof(*st->pools));
		st->pools[st->npools++] = p;
	}
	for (size_t i = 0; i < st->npools; i++) {
		struct kp_pool *p = st->pools[i];
		int found = p->nodeclass == NULL;

		for (size_t j = 0; j < r->scn->ndocs && !found; j++) {
			const struct ks_doc *d = r->scn->docs[j];

			found = (strcmp(d->kind, "EC2NodeClass") == 0 ||
			    strcmp(d->kind, "AWSNodeTemplate") == 0) && d->name == p->nodeclass;
		}
		if (!found)
			ks_warn(&p->mark, "%s \"%s\" refers to node class \"%s\", which the scenario "
			    "does not declare; its defaults are assumed", p->kind, p->name, p->nodeclass);
	}
	for (size_t i = 0; i < r->scn->nactions; i++) {
		const struct ks_action *a = &r->scn->actions[i];
		struct kp_pool *p;

		if (a->type != ACT_CREATE || a->doc == NULL ||
		    (strcmp(a->doc->kind, "NodePool") != 0 && strcmp(a->doc->kind, "Provisioner") != 0))
			continue;
		if (kp_pool_parse(st, a->doc, &p, err) != 0)
			goto fail;
		st->later = xreallocarray(st->later, st->nlater + 1, sizeof(*st->later));
		st->later[st->nlater].st = st;
		st->later[st->nlater].at_ms = a->at_ms;
		st->later[st->nlater++].pool = p;
	}
	if (st->npools == 0 && st->nlater == 0) {
		if (ks != NULL && !yt_is_null(ks))
			ks_warn(&r->scn->spec_mark, "spec.karpenter is set but no NodePool or "
			    "Provisioner is declared: Karpenter stays idle");
		kp_state_free(st);
		return 0;
	}
	(void)npools;
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
	*state = st;
	return 0;
fail:
	kp_state_free(st);
	return rc;
}

/* ---- reports ---- */

static const char *
kp_claim_reason(const struct kp_claim *k)
{
	return k->reason ? k->reason : "provisioned";
}

/*
 * What interruptions cost the workloads: for each pod recreated when an
 * interrupted node drained, the seconds until it ran again (or until the
 * end of the run).
 */
static int64_t
kp_interrupt_pod_seconds(const struct kp_state *st)
{
	const struct ks_cluster *c = &st->r->cluster;
	int64_t ms = 0, end = st->r->sim.now_ms;

	for (size_t i = 0; i < st->nintr; i++) {
		const struct kp_interrupt *in = &st->intr[i];

		if (!in->delivered)
			continue;
		for (size_t j = in->pods_from; j < in->pods_to && j < c->npods; j++) {
			const struct ks_pod *p = c->pods[j];

			if (p->spec->is_daemon)
				continue;
			ms += (p->running_ms >= 0 ? p->running_ms : end) - in->at_ms;
		}
	}
	return ms / 1000;
}

/*
 * What interruptions cost in capacity: node-seconds paid for that served no
 * pod.  For each interruption, the interrupted node from its notice until
 * its instance is gone (cordoned, draining), and every NodeClaim that a
 * displaced pod ended up on, if it was launched after the notice, from its
 * launch until it was Ready (counted once).
 */
static int64_t
kp_interrupt_node_seconds(const struct kp_state *st)
{
	const struct ks_cluster *c = &st->r->cluster;
	int64_t ms = 0, end = st->r->sim.now_ms;
	const struct kp_claim **seen = NULL;
	size_t nseen = 0, seencap = 0;

	for (size_t i = 0; i < st->nintr; i++) {
		const struct kp_interrupt *in = &st->intr[i];

		if (!in->delivered)
			continue;
		ms += (in->victim->gone_ms >= 0 ? in->victim->gone_ms : end) - in->at_ms;
		for (size_t j = in->pods_from; j < in->pods_to && j < c->npods; j++) {
			const struct ks_pod *p = c->pods[j];
			const struct kp_claim *k = NULL;
			int dup = 0;

			if (p->spec->is_daemon || p->node < 0)
				continue;
			for (size_t m = 0; m < st->nclaims && k == NULL; m++)
				if (st->claims[m]->node == c->nodes[p->node])
					k = st->claims[m];
			if (k == NULL || k->created_ms < in->at_ms)
				continue;
			for (size_t m = 0; m < nseen && !dup; m++)
				dup = seen[m] == k;
			if (dup)
				continue;
			VEC_PUSH(seen, nseen, seencap, k);
			ms += (k->ready_ms >= 0 ? k->ready_ms : end) - k->created_ms;
		}
	}
	free(seen);
	return ms / 1000;
}

static void
karpenter_report_json(struct ks_run *r, void *state, json_t *root)
{
	struct kp_state *st = state;
	json_t *claims = json_array(), *kp = json_object(), *pools = json_array();

	(void)r;
	for (size_t i = 0; i < st->nclaims; i++) {
		const struct kp_claim *k = st->claims[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(k->name));
		json_object_set_new(o, "node_pool", json_string(k->pool->name));
		json_object_set_new(o, "node", json_string(k->node->name));
		json_object_set_new(o, "instance_type", json_string(k->it->it->name));
		json_object_set_new(o, "capacity_type", json_string(k->spot ? "spot" : "on-demand"));
		json_object_set_new(o, "zone", json_string(k->zone));
		json_object_set_new(o, "launched_at_ms", json_integer(k->created_ms));
		json_object_set_new(o, "ready_at_ms", k->ready_ms >= 0 ?
		    json_integer(k->ready_ms) : json_null());
		json_object_set_new(o, "terminated_at_ms", k->gone_ms >= 0 ?
		    json_integer(k->gone_ms) : json_null());
		json_object_set_new(o, "reason", json_string(kp_claim_reason(k)));
		json_object_set_new(o, "created_by", json_string(k->created_by));
		json_object_set_new(o, "instance_type_options", json_integer((json_int_t)k->nits));
		json_object_set_new(o, "price_usd_per_hour", report_json_usd(k->node->price_nusd_h));
		json_array_append_new(claims, o);
	}
	for (size_t i = 0; i < st->npools; i++) {
		const struct kp_pool *p = st->pools[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(p->name));
		json_object_set_new(o, "kind", json_string(p->kind));
		json_object_set_new(o, "api_version", json_string(p->version == KP_V1 ?
		    "karpenter.sh/v1" : p->version == KP_V1BETA1 ? "karpenter.sh/v1beta1" :
		    "karpenter.sh/v1alpha5"));
		json_object_set_new(o, "weight", json_integer(p->weight));
		json_object_set_new(o, "instance_types", json_integer((json_int_t)p->nits));
		json_array_append_new(pools, o);
	}
	json_object_set_new(kp, "node_pools", pools);
	json_object_set_new(kp, "spot_to_spot_consolidation", json_boolean(st->s2s));
	json_object_set_new(kp, "provisioning_rounds", json_integer((json_int_t)st->rounds));
	json_object_set_new(kp, "spot_interruptions", json_integer((json_int_t)st->interruptions));
	json_object_set_new(kp, "interrupted_pods", json_integer((json_int_t)st->intr_pods));
	json_object_set_new(kp, "interrupted_pod_seconds",
	    json_integer((json_int_t)kp_interrupt_pod_seconds(st)));
	json_object_set_new(kp, "interrupted_node_seconds",
	    json_integer((json_int_t)kp_interrupt_node_seconds(st)));
	json_object_set_new(root, "node_claims", claims);
	json_object_set_new(root, "karpenter", kp);
}

static void
karpenter_report_text(struct ks_run *r, void *state, FILE *fp)
{
	struct kp_state *st = state;
	char t1[32], t2[32], t3[32];

	(void)r;
	fprintf(fp, "\nKARPENTER\n%-22s %-16s %-14s %-10s %-12s %-10s %-10s %-10s %s\n",
	    "NODECLAIM", "NODEPOOL", "TYPE", "CAPACITY", "ZONE", "LAUNCHED", "READY", "GONE",
	    "REASON");
	for (size_t i = 0; i < st->nclaims; i++) {
		const struct kp_claim *k = st->claims[i];

		fprintf(fp, "%-22s %-16s %-14s %-10s %-12s %-10s %-10s %-10s %s\n", k->name,
		    k->pool->name, k->it->it->name, k->spot ? "spot" : "on-demand", k->zone,
		    report_time(k->created_ms, t1, sizeof(t1)),
		    k->ready_ms >= 0 ? report_time(k->ready_ms, t2, sizeof(t2)) : "-",
		    k->gone_ms >= 0 ? report_time(k->gone_ms, t3, sizeof(t3)) : "-",
		    kp_claim_reason(k));
	}
	fprintf(fp, "nodepools: %zu; spotToSpotConsolidation %s; provisioning rounds: %llu; "
	    "spot interruptions: %llu (%llu pods rescheduled, %lld pod-seconds until running "
	    "again, %lld extra node-seconds)\n", st->npools, st->s2s ? "on" : "off",
	    (unsigned long long)st->rounds, (unsigned long long)st->interruptions,
	    (unsigned long long)st->intr_pods, (long long)kp_interrupt_pod_seconds(st),
	    (long long)kp_interrupt_node_seconds(st));
}

static void
karpenter_free(void *state)
{
	kp_state_free(state);
}

const struct ctl_ops karpenter_ctl = { "karpenter", karpenter_init, karpenter_report_json,
	karpenter_report_text, karpenter_free };

/*
 * ---- testing interface ----
 * tests/check_karpenter.c declares these too (the module has no header of
 * its own: everything else is reached through karpenter_ctl).  Requirement
 * strings are "key Op v1 v2; key Op ..." with Op one of In, NotIn, Exists,
 * DoesNotExist, Gt, Lt.
 */
int	karpenter_reqs_intersect(const char *a, const char *b, char *out, size_t n);
int	karpenter_estimate(const char *itype, int formula, int64_t *cpu_m, int64_t *mem_mib,
	    int64_t *pods);
int	karpenter_cheapest(const char *region, const char *reqs, int64_t cpu_m, int64_t mem_mib,
	    char *out, size_t n, size_t *ntypes);

static void
kp_reqs_from_text(const char *text, struct kp_reqs *out)
{
	char *dup = xstrdup(text), *save = NULL;

	memset(out, 0, sizeof(*out));
	for (char *part = strtok_r(dup, ";", &save); part != NULL; part = strtok_r(NULL, ";", &save)) {
		const char *tok[32];
		size_t nt = 0;
		char *s2 = NULL;
		enum req_op op;
		int64_t num = 0;

		for (char *t = strtok_r(part, " ", &s2); t != NULL && nt < 32; t = strtok_r(NULL, " ", &s2))
			tok[nt++] = t;
		if (nt < 2 || req_op_parse(tok[1], &op) != 0)
			continue;
		if ((op == OP_GT || op == OP_LT) && nt > 2)
			kp_parse_int(tok[2], &num);
		kp_reqs_add_op(out, tok[0], op, tok + 2, op == OP_GT || op == OP_LT ? 0 : nt - 2, num);
	}
	free(dup);
}

/* Formats a ∩ b into out; returns 1 when b (a pod) is compatible with a (a pool). */
int
karpenter_reqs_intersect(const char *a, const char *b, char *out, size_t n)
{
	struct kp_reqs ra, rb, x;
	int ok;

	kp_reqs_from_text(a, &ra);
	kp_reqs_from_text(b, &rb);
	ok = kp_reqs_compatible(&ra, &rb, NULL);
	kp_reqs_copy(&x, &ra);
	kp_reqs_merge(&x, &rb);
	kp_reqs_format(&x, out, n);
	kp_reqs_free(&ra);
	kp_reqs_free(&rb);
	kp_reqs_free(&x);
	return ok;
}

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
