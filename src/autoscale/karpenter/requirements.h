/*
 * requirements.h: Karpenter's requirements algebra (requirements.c), on
 * its own so that it can be tested directly.  A struct kp_reqs owns its
 * requirements and each requirement owns its `vals` array; the strings are
 * interned (util/intern.h) and borrowed.  kp_req_free() and
 * kp_reqs_free() release what kp_req_init(), kp_reqs_copy(),
 * kp_reqs_add*(), kp_reqs_merge() and kp_reqs_from_text() made.
 */
#ifndef KS_KP_REQUIREMENTS_H
#define KS_KP_REQUIREMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/labels.h"

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

/* A base-10 integer filling all of s into *out; -1 (and *out untouched) otherwise. */
int	kp_parse_int(const char *s, int64_t *out);
/* r = the requirement "key op vals" (num: the bound of Gt/Lt); vals are interned. */
void	kp_req_init(struct kp_req *r, const char *key, enum req_op op, const char *const *vals,
    size_t nvals, int64_t num);
void	kp_req_free(struct kp_req *r);
/* Value v (NULL = the label is absent) satisfies r. */
int	kp_req_admits(const struct kp_req *r, const char *v);
/* The requirement on the interned key, or NULL (borrowed). */
struct kp_req	*kp_reqs_get(const struct kp_reqs *rs, const char *key);
/* Add a copy of r, intersecting it with a requirement on the same key. */
void	kp_reqs_add(struct kp_reqs *rs, const struct kp_req *r);
/* kp_reqs_add() of kp_req_init(key, op, vals, num). */
void	kp_reqs_add_op(struct kp_reqs *rs, const char *key, enum req_op op, const char *const *vals,
    size_t nvals, int64_t num);
void	kp_reqs_free(struct kp_reqs *rs);
/* dst = a copy of src (dst is overwritten, not freed). */
void	kp_reqs_copy(struct kp_reqs *dst, const struct kp_reqs *src);
/* dst = dst ∩ src, key by key. */
void	kp_reqs_merge(struct kp_reqs *dst, const struct kp_reqs *src);
/* b (a pod's) is compatible with a (a pool's); else *bad (may be NULL) = b's failing one. */
int	kp_reqs_compatible(const struct kp_reqs *a, const struct kp_reqs *b, const struct kp_req **bad);
/* "key In [a b]" etc. into buf (truncated, NUL-terminated); returns the length wanted. */
size_t	kp_req_format(const struct kp_req *r, char *buf, size_t n);
/* Every requirement, sorted by key, ", "-separated, into buf (truncated). */
void	kp_reqs_format(const struct kp_reqs *rs, char *buf, size_t n);

/*
 * Requirements from text, for tests and the testing interface:
 * "key Op v1 v2; key Op ..." with Op one of In, NotIn, Exists,
 * DoesNotExist, Gt, Lt (Gt and Lt take one integer), optionally ending
 * in "minValues=N".  *out is owned.
 */
void	kp_reqs_from_text(const char *text, struct kp_reqs *out);

#endif
