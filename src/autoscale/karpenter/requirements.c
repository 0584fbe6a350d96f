/*
 * requirements.c: Karpenter's requirements algebra (kubernetes-sigs/karpenter
 * pkg/scheduling/requirement.go and requirements.go) over interned label
 * values: one key's requirement is a sorted set or its complement, with
 * integer bounds for Gt/Lt; a set of requirements is one per key, kept in
 * insertion order.  Intersection, "intersects", compatibility (an
 * undefined well-known label means "any value") and the upstream text form
 * live here, with nothing of pools, claims or the catalog, so that the
 * algebra can be unit-tested on its own (tests/check_kp_requirements.c).
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/requirements.h"
#include "util/intern.h"
#include "util/xmalloc.h"

static int
kp_str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
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

void
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

void
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
int
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

struct kp_req *
kp_reqs_get(const struct kp_reqs *rs, const char *key)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->v[i].key == key)
			return &rs->v[i];
	return NULL;
}

/* Add r (copied), intersecting with a requirement on the same key. */
void
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

void
kp_reqs_add_op(struct kp_reqs *rs, const char *key, enum req_op op, const char *const *vals,
    size_t nvals, int64_t num)
{
	struct kp_req r;

	kp_req_init(&r, key, op, vals, nvals, num);
	kp_reqs_add(rs, &r);
	kp_req_free(&r);
}

void
kp_reqs_free(struct kp_reqs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		kp_req_free(&rs->v[i]);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

void
kp_reqs_copy(struct kp_reqs *dst, const struct kp_reqs *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->n; i++)
		kp_reqs_add(dst, &src->v[i]);
}

void
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
int
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
size_t
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
void
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

/* The text form of requirements.h; malformed parts are skipped. */
void
kp_reqs_from_text(const char *text, struct kp_reqs *out)
{
	char *dup = xstrdup(text), *save = NULL;

	memset(out, 0, sizeof(*out));
	for (char *part = strtok_r(dup, ";", &save); part != NULL; part = strtok_r(NULL, ";", &save)) {
		const char *tok[32];
		size_t nt = 0;
		char *s2 = NULL;
		enum req_op op;
		int64_t num = 0, mv = 0;

		for (char *t = strtok_r(part, " ", &s2); t != NULL && nt < 32; t = strtok_r(NULL, " ", &s2))
			tok[nt++] = t;
		if (nt > 2 && strncmp(tok[nt - 1], "minValues=", 10) == 0)
			kp_parse_int(tok[--nt] + 10, &mv);
		if (nt < 2 || req_op_parse(tok[1], &op) != 0)
			continue;
		if ((op == OP_GT || op == OP_LT) && nt > 2)
			kp_parse_int(tok[2], &num);
		kp_reqs_add_op(out, tok[0], op, tok + 2, op == OP_GT || op == OP_LT ? 0 : nt - 2, num);
		if (mv > 0)
			kp_reqs_get(out, intern(tok[0]))->min_values = (int)mv;
	}
	free(dup);
}
