/*
 * labels.c: label sets, selectors, taints and tolerations.
 *
 * Semantics follow k8s.io/apimachinery/pkg/labels/selector.go (In, NotIn,
 * Exists, DoesNotExist: NotIn and DoesNotExist match a missing key) and
 * k8s.io/component-helpers/scheduling/corev1/nodeaffinity (Gt and Lt parse
 * the label as an integer and fail when it is missing or not a number), and
 * k8s.io/api/core/v1/toleration.go ToleratesTaint (an empty key with Exists
 * tolerates every taint; an empty effect matches every effect).
 *
 * Label sets are small (tens of entries) and sorted by key, so lookup is a
 * binary search; all strings are interned so value comparison is pointer
 * equality.  labels_set inserts in place (a shift per insert), which is
 * fine for the few labels code adds; a map read from input goes through
 * labels_merge instead, which sorts the new entries once and merges them,
 * so 50,000 labels on one object (spec.limits.maxLabels raised) cost
 * n log n, not the n^2 of one insert each.
 */
#include "cluster/labels.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/intern.h"
#include "util/xmalloc.h"

const char *const req_op_name[] = { "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt" };
const char *const taint_effect_name[] = { "", "NoSchedule", "PreferNoSchedule", "NoExecute" };

static size_t
labels_find(const struct ks_labels *l, const char *key, int *found)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(l->v[mid].key, key);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

void
labels_set(struct ks_labels *l, const char *key, const char *val)
{
	int found;
	size_t i = labels_find(l, key, &found);

	if (found) {
		l->v[i].val = intern(val);
		return;
	}
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(*l->v));
	l->v[i].key = intern(key);
	l->v[i].val = intern(val);
	l->n++;
}

/* A new label and its position in the input, the tie-break that makes the
 * sort stable so that the last of equal keys is the one kept. */
struct label_ix {
	struct ks_label	 lab;	/* interned key and value */
	size_t		 ix;	/* index in labels_merge's input */
};

static int
label_ix_cmp(const void *a, const void *b)
{
	const struct label_ix *x = a, *y = b;
	int c = strcmp(x->lab.key, y->lab.key);

	if (c != 0)
		return c;
	return (x->ix > y->ix) - (x->ix < y->ix);
}

void
labels_merge(struct ks_labels *l, const struct ks_label *add, size_t n)
{
	struct label_ix *t;
	struct ks_label *out;
	size_t m = 0, i = 0, j = 0, k = 0;

	if (n == 0)
		return;
	t = xreallocarray(NULL, n, sizeof(*t));
	for (size_t a = 0; a < n; a++) {
		t[a].lab.key = intern(add[a].key);
		t[a].lab.val = intern(add[a].val);
		t[a].ix = a;
	}
	qsort(t, n, sizeof(*t), label_ix_cmp);
	for (size_t a = 0; a < n; a++)	/* the last of each key, in place */
		if (a + 1 == n || t[a + 1].lab.key != t[a].lab.key)
			t[m++] = t[a];
	out = xreallocarray(NULL, l->n + m, sizeof(*out));
	while (i < l->n || j < m) {	/* two sorted runs; the new value wins */
		int c = i == l->n ? 1 : j == m ? -1 : strcmp(l->v[i].key, t[j].lab.key);

		if (c < 0) {
			out[k++] = l->v[i++];
			continue;
		}
		if (c == 0)
			i++;
		out[k++] = t[j++].lab;
	}
	for (size_t a = 1; a < k; a++)
		assert(strcmp(out[a - 1].key, out[a].key) < 0);
	free(t);
	free(l->v);
	l->v = out;
	l->n = k;
}

const char *
labels_get(const struct ks_labels *l, const char *key)
{
	int found;
	size_t i = labels_find(l, key, &found);

	return found ? l->v[i].val : NULL;
}

void
labels_copy(struct ks_labels *dst, const struct ks_labels *src)
{
	dst->n = src->n;
	dst->v = NULL;
	if (src->n > 0) {
		dst->v = xreallocarray(NULL, src->n, sizeof(*dst->v));
		memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	}
}

void
labels_free(struct ks_labels *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
req_op_parse(const char *s, enum req_op *out)
{
	for (int i = OP_IN; i <= OP_LT; i++)
		if (strcmp(s, req_op_name[i]) == 0) {
			*out = (enum req_op)i;
			return 0;
		}
	return -1;
}

static int
parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/*
 * Lookup by an interned key: label keys are interned (labels_set), so a
 * linear pointer scan over the few labels of a node beats a binary search
 * of strcmp calls on the scheduler's hot path.
 */
const char *
labels_lookup(const struct ks_labels *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].key == key)
			return l->v[i].val;
	return NULL;
}

int
req_matches(const struct ks_req *r, const struct ks_labels *l)
{
	const char *v = labels_lookup(l, r->key);
	int64_t n;

	switch (r->op) {
	case OP_EXISTS:
		return v != NULL;
	case OP_DOESNOTEXIST:
		return v == NULL;
	case OP_IN:
	case OP_NOTIN: {
		int in = 0;

		if (v != NULL)
			for (size_t i = 0; i < r->nvals && !in; i++)
				in = r->vals[i] == v;
		return r->op == OP_IN ? in : !in;
	}
	case OP_GT:
	case OP_LT:
		if (parse_int(v, &n) != 0)
			return 0;
		return r->op == OP_GT ? n > r->num : n < r->num;
	}
	return 0;
}

int
selector_matches(const struct ks_selector *s, const struct ks_labels *l)
{
	if (s->match_nothing)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (!req_matches(&s->reqs[i], l))
			return 0;
	return 1;
}

void
selector_add(struct ks_selector *s, const struct ks_req *r)
{
	struct ks_req *d;

	s->reqs = xreallocarray(s->reqs, s->n + 1, sizeof(*s->reqs));
	d = &s->reqs[s->n++];
	*d = *r;
	d->vals = NULL;
	if (r->nvals > 0) {
		d->vals = xreallocarray(NULL, r->nvals, sizeof(*d->vals));
		memcpy(d->vals, r->vals, r->nvals * sizeof(*d->vals));
	}
}

void
selector_copy(struct ks_selector *dst, const struct ks_selector *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->match_nothing = src->match_nothing;
	for (size_t i = 0; i < src->n; i++)
		selector_add(dst, &src->reqs[i]);
}

void
selector_free(struct ks_selector *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->reqs[i].vals);
	free(s->reqs);
	memset(s, 0, sizeof(*s));
}

int
taint_effect_parse(const char *s, enum taint_effect *out)
{
	for (int i = EFFECT_NOSCHEDULE; i <= EFFECT_NOEXECUTE; i++)
		if (strcmp(s, taint_effect_name[i]) == 0) {
			*out = (enum taint_effect)i;
			return 0;
		}
	return -1;
}

int
toleration_tolerates(const struct ks_toleration *t, const struct ks_taint *taint)
{
	if (t->effect != EFFECT_ANY && t->effect != taint->effect)
		return 0;
	if (t->key[0] != '\0' && t->key != taint->key)
		return 0;
	if (t->exists)
		return 1;
	return t->val == taint->val;
}

static int
tolerated(const struct ks_taint *taint, const struct ks_toleration *tol, size_t ntol)
{
	for (size_t i = 0; i < ntol; i++)
		if (toleration_tolerates(&tol[i], taint))
			return 1;
	return 0;
}

const struct ks_taint *
taints_untolerated(const struct ks_taint *t, size_t nt,
    const struct ks_toleration *tol, size_t ntol)
{
	for (size_t i = 0; i < nt; i++) {
		if (t[i].effect == EFFECT_PREFERNOSCHEDULE)
			continue;
		if (!tolerated(&t[i], tol, ntol))
			return &t[i];
	}
	return NULL;
}

int
taints_prefer_count(const struct ks_taint *t, size_t nt,
    const struct ks_toleration *tol, size_t ntol)
{
	int n = 0;

	for (size_t i = 0; i < nt; i++)
		if (t[i].effect == EFFECT_PREFERNOSCHEDULE && !tolerated(&t[i], tol, ntol))
			n++;
	return n;
}
