/*
 * check_kp_requirements.c: Karpenter's requirements algebra
 * (src/autoscale/karpenter/requirements.h) called directly, against the
 * semantics of kubernetes-sigs/karpenter pkg/scheduling/requirement.go:
 * In is a set, NotIn and Exists are complements, DoesNotExist is the
 * empty set, Gt/Lt are Exists with an integer bound; a NotIn or
 * DoesNotExist requirement is met by a node without the label; two
 * requirements intersect when their intersection is non-empty or both
 * are met by an absent label; a pod is compatible with a pool when every
 * key it constrains intersects the pool's, an undefined well-known key
 * meaning "any value".  Expected values are worked out by hand in the
 * comments.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "autoscale/karpenter/requirements.h"
#include "testutil.h"
#include "util/intern.h"

Suite *kp_requirements_suite(void);

/*
 * Formats a ∩ b into buf; returns kp_reqs_compatible(a, b): whether b
 * (a pod's requirements) is compatible with a (a pool's).
 */
static int
isect(const char *a, const char *b, char *buf, size_t n)
{
	struct kp_reqs ra, rb, x;
	int ok;

	kp_reqs_from_text(a, &ra);
	kp_reqs_from_text(b, &rb);
	ok = kp_reqs_compatible(&ra, &rb, NULL);
	kp_reqs_copy(&x, &ra);
	kp_reqs_merge(&x, &rb);
	kp_reqs_format(&x, buf, n);
	kp_reqs_free(&ra);
	kp_reqs_free(&rb);
	kp_reqs_free(&x);
	return ok;
}

/* Does the one requirement of text admit v (NULL: the label is absent)? */
static int
admits(const char *text, const char *v)
{
	struct kp_reqs rs;
	int ok;

	kp_reqs_from_text(text, &rs);
	ck_assert_uint_eq(rs.n, 1);
	ok = kp_req_admits(&rs.v[0], v == NULL ? NULL : intern(v));
	kp_reqs_free(&rs);
	return ok;
}

/* ---- core ---- */

/*
 * a ∩ b for a pool a and a pod b: whether b is compatible with a, and the
 * intersection as upstream prints it (NULL: not checked).
 */
static const struct {
	const char	*a, *b;		/* pool, pod */
	int		 ok;		/* kp_reqs_compatible(a, b) */
	const char	*want;		/* kp_reqs_format(a ∩ b), or NULL */
} isect_cases[] = {
	/* {a,b,c} ∩ complement{b} = {a,c} */
	{ "k In a b c", "k NotIn b", 1, "k In [a c]" },
	/* {a} ∩ {b} = {} : incompatible */
	{ "k In a", "k In b", 0, "k DoesNotExist" },
	/* complement{a} ∩ complement{b} = complement{a,b} */
	{ "k NotIn a", "k NotIn b", 1, "k NotIn [a b]" },
	/* Gt 2 filters {1,3,x}: 1 fails, x is not an integer */
	{ "g Gt 2", "g In 1 3 x", 1, "g In [3]" },
	/* 2 < v < 4 leaves 3 */
	{ "g Gt 2", "g Lt 4", 1, "g Gt 2 Lt 4" },
	/* 2 < v < 3 leaves no integer */
	{ "g Gt 2", "g Lt 3", 0, NULL },
	/* Gt 2 ∩ Gt 5 = Gt 5 */
	{ "g Gt 2", "g Gt 5", 1, "g Gt 5" },
	/* a finite set is filtered by the bounds, which are then spent: 1 < v < 10 */
	{ "g Gt 1; g Lt 10", "g In 1 5 10 12", 1, "g In [5]" },
	/* Gt 4 ∩ Lt 5: no integer lies between; Gt 4 ∩ Lt 6 holds 5 */
	{ "g Gt 4", "g Lt 5", 0, NULL },
	{ "g Gt 4", "g Lt 6", 1, NULL },
	/* NotIn with Exists: still complement{a} */
	{ "k NotIn a", "k Exists", 1, "k NotIn [a]" },
	/* DoesNotExist and NotIn: both admit an absent label */
	{ "k DoesNotExist", "k NotIn a", 1, NULL },
	/* DoesNotExist and Exists: nothing */
	{ "k DoesNotExist", "k Exists", 0, NULL },
	/* a custom key the pool does not define: In fails, NotIn passes */
	{ "intent In apps", "team In ml", 0, NULL },
	{ "intent In apps", "team NotIn ml", 1, NULL },
	/* an undefined well-known label means "any" */
	{ "intent In apps", "topology.kubernetes.io/zone In us-east-1b", 1, NULL },
	{ "intent In apps", "karpenter.k8s.aws/instance-family In c6gd", 1, NULL },
};

START_TEST(test_isect)
{
	char buf[512];

	ck_assert_int_eq(isect(isect_cases[_i].a, isect_cases[_i].b, buf, sizeof(buf)),
	    isect_cases[_i].ok);
	if (isect_cases[_i].want != NULL)
		ck_assert_str_eq(buf, isect_cases[_i].want);
}
END_TEST

START_TEST(test_compatible_bad)
{
	struct kp_reqs pool, pod;
	const struct kp_req *bad = NULL;

	/* *bad names the pod's requirement that failed */
	kp_reqs_from_text("intent In apps", &pool);
	kp_reqs_from_text("intent In apps; team In ml", &pod);
	ck_assert_int_eq(kp_reqs_compatible(&pool, &pod, &bad), 0);
	ck_assert_ptr_nonnull(bad);
	ck_assert_str_eq(bad->key, "team");
	kp_reqs_free(&pool);
	kp_reqs_free(&pod);
}
END_TEST

/* Does the one requirement `req` admit the label value v (NULL: absent)? */
static const struct {
	const char	*req;		/* one requirement */
	const char	*v;		/* the node's value, NULL = no such label */
	int		 ok;		/* kp_req_admits */
} admits_cases[] = {
	/* In {a,b}: a member, not another value, not an absent label */
	{ "k In a b", "a", 1 }, { "k In a b", "c", 0 }, { "k In a b", NULL, 0 },
	/* NotIn {a}: any other value, and an absent label */
	{ "k NotIn a", "a", 0 }, { "k NotIn a", "b", 1 }, { "k NotIn a", NULL, 1 },
	/* Exists: any value, not an absent label; DoesNotExist: the reverse */
	{ "k Exists", "z", 1 }, { "k Exists", NULL, 0 },
	{ "k DoesNotExist", "z", 0 }, { "k DoesNotExist", NULL, 1 },
	/* Gt 2: integers above 2 only; an absent label or a word fails */
	{ "g Gt 2", "3", 1 }, { "g Gt 2", "2", 0 }, { "g Gt 2", "x", 0 }, { "g Gt 2", NULL, 0 },
	/* Lt 4: 3 and -1 pass, 4 does not */
	{ "g Lt 4", "3", 1 }, { "g Lt 4", "-1", 1 }, { "g Lt 4", "4", 0 },
};

START_TEST(test_admits)
{
	ck_assert_int_eq(admits(admits_cases[_i].req, admits_cases[_i].v), admits_cases[_i].ok);
}
END_TEST

START_TEST(test_add_same_key)
{
	struct kp_reqs rs = { NULL, 0 };
	const char *ab[] = { "a", "b" }, *bc[] = { "b", "c" };
	char buf[256];

	/* adding a key twice keeps one requirement: {a,b} ∩ {b,c} = {b} */
	kp_reqs_add_op(&rs, "k", OP_IN, ab, 2, 0);
	kp_reqs_add_op(&rs, "k", OP_IN, bc, 2, 0);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_ptr_eq(kp_reqs_get(&rs, intern("k")), &rs.v[0]);
	ck_assert_ptr_null(kp_reqs_get(&rs, intern("other")));
	kp_reqs_format(&rs, buf, sizeof(buf));
	ck_assert_str_eq(buf, "k In [b]");
	kp_reqs_free(&rs);
	ck_assert_uint_eq(rs.n, 0);
}
END_TEST

START_TEST(test_format_order)
{
	struct kp_reqs rs;
	char buf[256];

	/* values sorted and deduplicated, keys sorted, as upstream prints them */
	kp_reqs_from_text("b In z x z; a Exists; c DoesNotExist; d NotIn q p", &rs);
	kp_reqs_format(&rs, buf, sizeof(buf));
	ck_assert_str_eq(buf, "a Exists, b In [x z], c DoesNotExist, d NotIn [p q]");
	/* insertion order is kept in the set itself */
	ck_assert_str_eq(rs.v[0].key, "b");
	ck_assert_uint_eq(rs.v[0].nvals, 2);
	kp_reqs_free(&rs);
}
END_TEST

/* ---- limits ---- */

START_TEST(test_format_truncates)
{
	struct kp_reqs rs;
	char buf[8], one[6];

	/* "k In [a b c]" cut to 7 characters and a NUL */
	kp_reqs_from_text("k In a b c", &rs);
	kp_reqs_format(&rs, buf, sizeof(buf));
	ck_assert_str_eq(buf, "k In [a");
	/* kp_req_format returns the length it wanted, like snprintf */
	ck_assert_uint_eq(kp_req_format(&rs.v[0], one, sizeof(one)), strlen("k In [a b c]"));
	ck_assert_str_eq(one, "k In ");
	kp_reqs_free(&rs);
	/* no requirements: the empty string */
	memset(&rs, 0, sizeof(rs));
	kp_reqs_format(&rs, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_min_values_and_copy)
{
	struct kp_reqs a, b, c;

	/* the intersection keeps the larger minValues */
	kp_reqs_from_text("k Exists", &a);
	kp_reqs_from_text("k NotIn x", &b);
	a.v[0].min_values = 3;
	b.v[0].min_values = 5;
	kp_reqs_merge(&a, &b);
	ck_assert_int_eq(a.v[0].min_values, 5);
	/* a copy owns its values: it outlives the original */
	kp_reqs_copy(&c, &a);
	kp_reqs_free(&a);
	kp_reqs_free(&b);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_int_eq(c.v[0].comp, 1);
	ck_assert_uint_eq(c.v[0].nvals, 1);
	ck_assert_str_eq(c.v[0].vals[0], "x");
	kp_reqs_free(&c);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_parse_int)
{
	int64_t v = 7;

	ck_assert_int_eq(kp_parse_int("-3", &v), 0);
	ck_assert_int_eq(v, -3);
	ck_assert_int_eq(kp_parse_int("", &v), -1);
	ck_assert_int_eq(kp_parse_int(NULL, &v), -1);
	ck_assert_int_eq(kp_parse_int("12x", &v), -1);
	ck_assert_int_eq(v, -3);
}
END_TEST

START_TEST(test_text_skips_bad_parts)
{
	struct kp_reqs rs;

	/* an unknown operator and a key alone are skipped; the rest is kept */
	kp_reqs_from_text("k Foo a; lonely; j In b", &rs);
	ck_assert_uint_eq(rs.n, 1);
	ck_assert_str_eq(rs.v[0].key, "j");
	kp_reqs_free(&rs);
}
END_TEST

Suite *
kp_requirements_suite(void)
{
	Suite *s = suite_create("kp_requirements");
	TCase *core = tcase_create("core"), *limits = tcase_create("limits");
	TCase *errors = tcase_create("errors");

	tcase_add_loop_test(core, test_isect, 0, (int)(sizeof(isect_cases) / sizeof(isect_cases[0])));
	tcase_add_test(core, test_compatible_bad);
	tcase_add_loop_test(core, test_admits, 0,
	    (int)(sizeof(admits_cases) / sizeof(admits_cases[0])));
	tcase_add_test(core, test_add_same_key);
	tcase_add_test(core, test_format_order);
	tcase_add_test(limits, test_format_truncates);
	tcase_add_test(limits, test_min_values_and_copy);
	tcase_add_test(errors, test_parse_int);
	tcase_add_test(errors, test_text_skips_bad_parts);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	suite_add_tcase(s, errors);
	return s;
}

int
main(void)
{
	return tu_main(kp_requirements_suite());
}
