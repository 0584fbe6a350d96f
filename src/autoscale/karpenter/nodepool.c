/*
 * nodepool.c: the NodePool API as users write it, mapped to one struct
 * kp_pool: karpenter.sh/v1 and v1beta1 NodePools and the v1alpha5
 * Provisioner, each with the defaults of its version (reference B.1):
 * requirements, limits, disruption budgets, kubelet maxPods, node class
 * reference, consolidation policy and expiry.  Errors carry the
 * file:line:col of the offending node.  Also the pool order (weight, then
 * name) and the hash of the fields whose change drifts a pool's claims.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"
#include "cluster/quantity.h"
#include "util/duration.h"
#include "util/intern.h"
#include "util/xmalloc.h"

/* Free what p owns, not p: an applied update replaces a pool in place. */
void
kp_pool_clear(struct kp_pool *p)
{
	kp_reqs_free(&p->reqs);
	labels_free(&p->labels);
	labels_free(&p->annotations);
	free(p->taints);
	free(p->startup);
	free(p->budgets);
	free(p->its);
	free(p->ovcap);
	free(p->static_its);
}

void
kp_pool_free(struct kp_pool *p)
{
	if (p == NULL)
		return;
	kp_pool_clear(p);
	free(p);
}

/*
 * The fields whose change drifts a pool's claims (nodepool hash): template
 * labels and annotations, taints, startup taints, kubelet and node class; requirements
 * drift separately, behaviour (disruption, limits, weight) never does.
 */
const char *
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
	for (size_t i = 0; i < p->annotations.n; i++)
		KP_H("a%s=%s;", p->annotations.v[i].key, p->annotations.v[i].val);
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

/* ---- parsing ---- */

/* A duration or "Never" (-1). */
static int
kp_get_duration_never(const struct yt_node *v, const char *what, int64_t *ms, struct ks_error *err)
{
	if (v->kind == YT_SCALAR && v->str != NULL && strcmp(v->str, "Never") == 0) {
		*ms = -1;
		return 0;
	}
	return load_duration_nonneg(v, what, ms, err);
}

/*
 * An optional integer between lo and hi into *out (left alone when v is
 * absent or null); `what` names it in the error.
 */
static int
kp_get_bounded(const struct yt_node *v, const char *what, int lo, int hi, int *out,
    struct ks_error *err)
{
	int64_t x;

	if (v == NULL || yt_is_null(v))
		return 0;
	if (yt_get_int64(v, &x, err) != 0)
		return KS_EINVAL;
	if (x < lo || x > hi)
		return ks_error_set(err, &v->mark, KS_EINVAL, "expected %s between %d and %d, "
		    "found %lld", what, lo, hi, (long long)x);
	*out = (int)x;
	return 0;
}

/* requirements: [{key, operator, values, minValues}] (NodePools and NodeOverlays) */
int
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
		if (kp_get_bounded(mv, "minValues", 1, 50, &r.min_values, err) != 0) {
			kp_req_free(&r);
			return KS_EINVAL;
		}
		if ((strncmp(r.key, "karpenter.k8s.aws/", 18) == 0 ||
		    strncmp(r.key, "eks.amazonaws.com/", 18) == 0) && kp_label_index(st, r.key) < 0)
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
		else if (strchr(k, '/') != NULL && res_index(k) >= 0)
			p->limited |= 1u << res_index(k);
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

/* "10%": the default budget's nodes as a user would write them */
#define KP_STR_(x)		#x
#define KP_STR(x)		KP_STR_(x)
#define KP_BUDGET_PCT_STR	KP_STR(KP_BUDGET_PCT) "%"

static int
kp_parse_budgets(const struct yt_node *seq, struct kp_pool *p, int with_reasons,
    struct ks_error *err)
{
	static const char *const keys[] = { "nodes", "schedule", "duration", "reasons", NULL };

	if (seq == NULL || yt_is_null(seq)) {
		/* default: one budget of KP_BUDGET_PCT% for every reason */
		p->budgets = xcalloc(1, sizeof(*p->budgets));
		p->budgets[0].nodes = KP_BUDGET_PCT;
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
			s = KP_BUDGET_PCT_STR;
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
		if (v != NULL && load_duration_nonneg(v, "duration", &b->duration_ms, err) != 0)
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
	for (size_t i = 0; k->kind == YT_MAP && i < k->npairs; i++) {
		const char *key = k->pairs[i].key->str;

		if (key != NULL && strcmp(key, "maxPods") != 0)
			ks_warn(&k->pairs[i].key->mark, "%s %s: kubelet %s is not modelled: ksim "
			    "gives its nodes the EKS AMI's allocatable", p->kind, p->name, key);
	}
	return kp_get_bounded(yt_map_get(k, "maxPods"), "maxPods", 1, 10000, &p->max_pods, err);
}

static void
kp_pool_label(struct kp_pool *p, const char *key, const char *val)
{
	const char *v = intern(val);

	labels_set(&p->labels, key, v);
	kp_reqs_add_op(&p->reqs, key, OP_IN, &v, 1, 0);
}

/* apiVersion and kind -> p->version; an error for a pairing no version has. */
static int
kp_pool_version(const struct ks_doc *d, struct kp_pool *p, struct ks_error *err)
{
	if (strcmp(d->kind, "Provisioner") == 0) {
		p->version = KP_V1ALPHA5;
		if (strcmp(d->api_version, "karpenter.sh/v1alpha5") != 0)
			return ks_error_set(err, &d->mark, KS_EINVAL,
			    "expected apiVersion karpenter.sh/v1alpha5 for a Provisioner, found %s",
			    d->api_version);
	} else if (strcmp(d->api_version, "karpenter.sh/v1beta1") == 0) {
		p->version = KP_V1BETA1;
	} else if (strcmp(d->api_version, "karpenter.sh/v1") == 0) {
		p->version = KP_V1;
	} else {
		return ks_error_set(err, &d->mark, KS_EINVAL,
		    "expected apiVersion karpenter.sh/v1 or karpenter.sh/v1beta1 for a NodePool, "
		    "found %s", d->api_version);
	}
	return 0;
}

/* Template labels become In requirements, then the pool's own label. */
static void
kp_pool_labels_finish(struct kp_pool *p, const char *pool_key)
{
	/* Auto Mode labels its nodes; workloads select them by it */
	if (p->automode)
		labels_set(&p->labels, "eks.amazonaws.com/compute-type", "auto");
	if (labels_get(&p->labels, "nvidia.com/mig.config") != NULL)
		ks_warn(&p->mark, "%s \"%s\": nvidia.com/mig.config is not modelled on the nodes "
		    "it launches: they advertise whole GPUs as nvidia.com/gpu (MIG strategy "
		    "none); declare MIG-partitioned nodes as Nodes", p->kind, p->name);
	for (size_t i = 0; i < p->labels.n; i++) {
		const char *lv = p->labels.v[i].val;

		kp_reqs_add_op(&p->reqs, p->labels.v[i].key, OP_IN, &lv, 1, 0);
	}
	kp_pool_label(p, pool_key, p->name);
}

/* The v0.31 AWS webhook's defaults for a Provisioner's requirements. */
static void
kp_v1alpha5_defaults(const struct kp_state *st, struct kp_pool *p)
{
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
}

/* A v1alpha5 Provisioner: everything is flat under spec. */
static int
kp_parse_v1alpha5(struct kp_state *st, const struct yt_node *spec, struct kp_pool *p,
    struct ks_error *err)
{
	const struct yt_node *cons = yt_map_get(spec, "consolidation");
	const struct yt_node *ttl_empty = yt_map_get(spec, "ttlSecondsAfterEmpty");
	const struct yt_node *ttl_exp = yt_map_get(spec, "ttlSecondsUntilExpired");
	const struct yt_node *lim = yt_map_get(spec, "limits"), *v;
	const char *what = "a Provisioner requirement";
	int64_t secs;

	if (kp_parse_reqs(st, yt_map_get(spec, "requirements"), &p->reqs, what, err) != 0 ||
	    load_labels(yt_map_get(spec, "labels"), &p->labels, err) != 0 ||
	    load_taints(yt_map_get(spec, "taints"), &p->taints, &p->ntaints, err) != 0 ||
	    load_taints(yt_map_get(spec, "startupTaints"), &p->startup, &p->nstartup, err) != 0)
		return KS_EINVAL;
	if (lim != NULL && kp_parse_limits(yt_map_get(lim, "resources"), p, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(spec, "kubeletConfiguration")) != NULL &&
	    kp_parse_kubelet(v, p, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(spec, "providerRef")) != NULL && load_str_opt(v, "name",
	    &p->nodeclass, err) != 0)
		return KS_EINVAL;
	if (cons != NULL && !yt_is_null(cons)) {
		int on = 0;

		if ((v = yt_map_get(cons, "enabled")) != NULL && yt_get_bool(v, &on, err) != 0)
			return KS_EINVAL;
		if (on && ttl_empty != NULL)
			return ks_error_set(err, &ttl_empty->mark, KS_EINVAL,
			    "ttlSecondsAfterEmpty cannot be combined with consolidation.enabled");
		p->underutil_ok = p->empty_ok = on;
	}
	if (ttl_empty != NULL && !yt_is_null(ttl_empty)) {
		if (yt_get_int64(ttl_empty, &secs, err) != 0)
			return KS_EINVAL;
		p->empty_ok = 1;
		p->consolidate_after_ms = secs * 1000;
	}
	p->expire_after_ms = -1;
	if (ttl_exp != NULL && !yt_is_null(ttl_exp)) {
		if (yt_get_int64(ttl_exp, &secs, err) != 0)
			return KS_EINVAL;
		p->expire_after_ms = secs * 1000;
	}
	if (kp_parse_budgets(NULL, p, 0, err) != 0)
		return KS_EINVAL;
	kp_v1alpha5_defaults(st, p);
	kp_pool_labels_finish(p, "karpenter.sh/provisioner-name");
	return 0;
}

/*
 * spec.disruption of v1beta1 and v1: consolidationPolicy (WhenUnderutilized,
 * or WhenEmptyOrUnderutilized in v1, by default; or WhenEmpty; or, v1
 * only, Balanced: consolidation whose moves are scored, balanced.c),
 * consolidateAfter, and expireAfter (in spec.disruption in v1beta1, in
 * spec.template.spec in v1).  v1beta1 ties consolidateAfter to WhenEmpty.
 */
static int
kp_parse_disruption(const struct yt_node *spec, const struct yt_node *tspec,
    const struct yt_node *dis, const char *policy, struct kp_pool *p, struct ks_error *err)
{
	int v1 = p->version == KP_V1;
	const char *dflt = v1 ? "WhenEmptyOrUnderutilized" : "WhenUnderutilized";
	const struct yt_node *pol = dis ? yt_map_get(dis, "consolidationPolicy") : NULL;
	const struct yt_node *after = dis ? yt_map_get(dis, "consolidateAfter") : NULL, *v;

	if (policy == NULL)
		policy = dflt;
	p->balanced = v1 && strcmp(policy, "Balanced") == 0;
	if (strcmp(policy, dflt) != 0 && strcmp(policy, "WhenEmpty") != 0 && !p->balanced)
		return ks_error_set(err, &pol->mark, KS_EINVAL,
		    "unknown consolidationPolicy \"%s\": expected %s%s or WhenEmpty", policy, dflt,
		    v1 ? ", Balanced" : "");
	if (!v1 && strcmp(policy, "WhenUnderutilized") == 0 && after != NULL)
		return ks_error_set(err, &after->mark, KS_EINVAL,
		    "consolidateAfter cannot be combined with consolidationPolicy "
		    "WhenUnderutilized");
	if (!v1 && strcmp(policy, "WhenEmpty") == 0 && after == NULL)
		return ks_error_set(err, pol ? &pol->mark : &spec->mark, KS_EINVAL,
		    "consolidateAfter must be set with consolidationPolicy WhenEmpty");
	if (after != NULL && kp_get_duration_never(after, "consolidateAfter", &p->consolidate_after_ms, err) != 0)
		return KS_EINVAL;
	p->expire_after_ms = KP_EXPIRE_AFTER_MS;
	v = v1 ? yt_map_get(tspec, "expireAfter") : dis ? yt_map_get(dis, "expireAfter") : NULL;
	if (v != NULL && kp_get_duration_never(v, "expireAfter", &p->expire_after_ms, err) != 0)
		return KS_EINVAL;
	if (v1 && dis != NULL && (v = yt_map_get(dis, "expireAfter")) != NULL)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "expireAfter moved to spec.template.spec in karpenter.sh/v1");
	p->underutil_ok = strcmp(policy, dflt) == 0 || p->balanced;
	p->empty_ok = 1;
	return 0;
}

/* A v1 or v1beta1 NodePool: spec.template, spec.disruption, spec.limits. */
static int
kp_parse_nodepool(struct kp_state *st, const struct ks_doc *d, const struct yt_node *spec,
    struct kp_pool *p, struct ks_error *err)
{
	const struct yt_node *tmpl = yt_map_get(spec, "template"), *tspec = NULL, *md, *dis, *v;
	const char *policy = NULL, *what = "a NodePool requirement", *group = NULL;

	if (tmpl != NULL && !yt_is_null(tmpl)) {
		tspec = yt_map_get(tmpl, "spec");
		md = yt_map_get(tmpl, "metadata");
		if (md != NULL && (load_labels(yt_map_get(md, "labels"), &p->labels, err) != 0 ||
		    load_labels(yt_map_get(md, "annotations"), &p->annotations, err) != 0))
			return KS_EINVAL;
	}
	if (tspec == NULL || yt_is_null(tspec))
		return ks_error_set(err, tmpl ? &tmpl->mark : &spec->mark, KS_EINVAL,
		    "expected spec.template.spec in NodePool \"%s\", found none", d->name);
	if (kp_parse_reqs(st, yt_map_get(tspec, "requirements"), &p->reqs, what, err) != 0 ||
	    load_taints(yt_map_get(tspec, "taints"), &p->taints, &p->ntaints, err) != 0 ||
	    load_taints(yt_map_get(tspec, "startupTaints"), &p->startup, &p->nstartup,
	    err) != 0)
		return KS_EINVAL;
	if (kp_parse_limits(yt_map_get(spec, "limits"), p, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(tspec, "kubelet")) != NULL && kp_parse_kubelet(v, p, err) != 0)
		return KS_EINVAL;
	v = yt_map_get(tspec, "nodeClassRef");
	if (v != NULL && (load_str_opt(v, "name", &p->nodeclass, err) != 0 ||
	    load_str_opt(v, "group", &group, err) != 0))
		return KS_EINVAL;
	p->automode = group != NULL && strcmp(group, "eks.amazonaws.com") == 0;
	dis = yt_map_get(spec, "disruption");
	if (dis != NULL && yt_is_null(dis))
		dis = NULL;
	if (dis != NULL && yt_expect_map(dis, err) != 0)
		return KS_EINVAL;
	if (dis != NULL && load_str_opt(dis, "consolidationPolicy", &policy, err) != 0)
		return KS_EINVAL;
	if (kp_parse_disruption(spec, tspec, dis, policy, p, err) != 0)
		return KS_EINVAL;
	if (kp_parse_budgets(dis ? yt_map_get(dis, "budgets") : NULL, p,
	    p->version == KP_V1, err) != 0)
		return KS_EINVAL;
	kp_pool_labels_finish(p, "karpenter.sh/nodepool");
	return 0;
}

/*
 * spec.replicas (v1, designs/static-capacity.md): a static pool, which may
 * not set a weight nor limits other than nodes.
 */
static int
kp_parse_replicas(const struct yt_node *spec, struct kp_pool *p, struct ks_error *err)
{
	const struct yt_node *v = yt_map_get(spec, "replicas");

	if (v == NULL || yt_is_null(v))
		return 0;
	if (p->version != KP_V1)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "replicas (a static NodePool) needs karpenter.sh/v1");
	if (yt_get_int64(v, &p->replicas, err) != 0)
		return KS_EINVAL;
	if (p->replicas < 0)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "expected replicas of 0 or more, found %lld", (long long)p->replicas);
	if (p->weight != 0)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "a static NodePool (replicas) cannot set a weight");
	if (p->limited != 0)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "a static NodePool (replicas) cannot set limits other than nodes");
	return 0;
}

int
kp_pool_parse(struct kp_state *st, const struct ks_doc *d, struct kp_pool **out,
    struct ks_error *err)
{
	const struct yt_node *spec = yt_map_get(d->root, "spec");
	struct kp_pool *p = xcalloc(1, sizeof(*p));
	int rc = KS_EINVAL;

	*out = NULL;
	p->name = d->name;
	p->kind = d->kind;
	p->mark = d->mark;
	p->consolidate_after_ms = 0;
	p->limit_nodes = -1;
	p->replicas = -1;
	if (kp_pool_version(d, p, err) != 0)
		goto cleanup;
	if (spec == NULL || yt_is_null(spec)) {
		ks_error_set(err, &d->mark, KS_EINVAL, "expected a spec in %s \"%s\", found none",
		    d->kind, d->name);
		goto cleanup;
	}
	if (yt_expect_map(spec, err) != 0 ||
	    kp_get_bounded(yt_map_get(spec, "weight"), "a weight", 1, 100, &p->weight, err) != 0)
		goto cleanup;
	if (p->version == KP_V1ALPHA5 ? kp_parse_v1alpha5(st, spec, p, err) != 0 :
	    kp_parse_nodepool(st, d, spec, p, err) != 0)
		goto cleanup;
	if (kp_parse_replicas(spec, p, err) != 0)
		goto cleanup;
	*out = p;
	p = NULL;
	rc = 0;
cleanup:
	kp_pool_free(p);
	return rc;
}

/*
 * EKS Auto Mode's built-in NodePools, as AWS documents them (EKS User
 * Guide, "Enable or Disable Built-in NodePools", and the objects as a
 * cluster returns them): the default EKS NodeClass, on-demand only,
 * instance-category c, m or r, instance-generation > 4, Linux;
 * general-purpose amd64 only, system amd64 or arm64 with the taint
 * CriticalAddonsOnly:NoSchedule; consolidation WhenEmptyOrUnderutilized
 * after 30s, the default budget of 10%, expireAfter 336h.  The scenario
 * asks for them with spec.karpenter.autoMode.nodePools, as the cluster's
 * computeConfig.nodePools enables them; a NodePool of the same name the
 * scenario declares wins.
 */
static struct kp_pool *
kp_builtin_pool(struct kp_state *st, const char *name, int system)
{
	static const char *const cmr[] = { "c", "m", "r" };
	static const char *const od[] = { "on-demand" }, *const lin[] = { "linux" };
	static const char *const arch[] = { "amd64", "arm64" };
	struct kp_pool *p = xcalloc(1, sizeof(*p));

	p->name = intern(name);
	p->kind = "NodePool";
	p->version = KP_V1;
	p->mark = st->builtin_mark;
	p->nodeclass = intern("default");
	p->automode = 1;
	p->limit_nodes = -1;
	p->replicas = -1;
	p->empty_ok = p->underutil_ok = 1;
	p->consolidate_after_ms = 30000;
	p->expire_after_ms = 336LL * 3600 * 1000;
	kp_reqs_add_op(&p->reqs, KP_CT_KEY, OP_IN, (const char **)od, 1, 0);
	kp_reqs_add_op(&p->reqs, "eks.amazonaws.com/instance-category", OP_IN,
	    (const char **)cmr, 3, 0);
	kp_reqs_add_op(&p->reqs, "eks.amazonaws.com/instance-generation", OP_GT, NULL, 0, 4);
	kp_reqs_add_op(&p->reqs, "kubernetes.io/arch", OP_IN, (const char **)arch, system ? 2 : 1, 0);
	kp_reqs_add_op(&p->reqs, "kubernetes.io/os", OP_IN, (const char **)lin, 1, 0);
	if (system) {
		p->taints = xcalloc(1, sizeof(*p->taints));
		p->taints[0].key = intern("CriticalAddonsOnly");
		p->taints[0].val = intern("");
		p->taints[0].effect = EFFECT_NOSCHEDULE;
		p->ntaints = 1;
	}
	if (kp_parse_budgets(NULL, p, 1, NULL) != 0)
		assert(0 && "the default budget parses");
	kp_pool_labels_finish(p, "karpenter.sh/nodepool");
	return p;
}

void
kp_builtin_pools(struct kp_state *st)
{
	static const char *const names[2] = { "general-purpose", "system" };

	for (int b = 0; b < 2; b++) {
		const char *name = intern(names[b]);
		int declared = 0;

		if (!(st->builtin & (1u << b)))
			continue;
		for (size_t j = 0; j < st->npools; j++)
			declared |= st->pools[j]->name == name;
		if (declared) {
			ks_warn(&st->builtin_mark, "the scenario declares NodePool \"%s\": it replaces "
			    "EKS Auto Mode's built-in one", name);
			continue;
		}
		st->pools = xreallocarray(st->pools, st->npools + 1, sizeof(*st->pools));
		st->pools[st->npools++] = kp_builtin_pool(st, name, b == 1);
	}
}

size_t
kp_pool_index(const struct kp_state *st, const struct kp_pool *p)
{
	for (size_t i = 0; i < st->npools; i++)
		if (st->pools[i] == p)
			return i;
	assert(0 && "pool not in the table");
	return 0;
}

int
kp_pool_cmp(const void *a, const void *b)
{
	const struct kp_pool *x = *(const struct kp_pool *const *)a;
	const struct kp_pool *y = *(const struct kp_pool *const *)b;

	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return -strcmp(x->name, y->name);	/* ties: name descending */
}
