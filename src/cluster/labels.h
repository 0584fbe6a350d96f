/*
 * labels.h: labels, label selectors, node-selector requirements, taints and
 * tolerations: the matching rules kube-scheduler and the autoscalers share.
 *
 * Ownership: every string here is interned (util/intern.h) and lives as long
 * as the process; arrays are owned by the struct that holds them and freed
 * by the *_free function of that struct.  Interning makes label comparison
 * a pointer comparison on the hot path of the scheduler.
 */
#ifndef KS_LABELS_H
#define KS_LABELS_H

#include <stddef.h>
#include <stdint.h>

struct ks_label {
	const char	*key;	/* interned */
	const char	*val;	/* interned */
};

/* A set of labels, sorted by key (strcmp), keys unique. */
struct ks_labels {
	struct ks_label	*v;
	size_t		 n;
};

void		 labels_set(struct ks_labels *, const char *key, const char *val);
/* n labels_set calls in one (a later entry wins over an earlier one and over
 * the set's own), in O((l->n + n) log n) instead of O(l->n * n). */
void		 labels_merge(struct ks_labels *, const struct ks_label *add, size_t n);
const char	*labels_get(const struct ks_labels *, const char *key);
/* The same for an interned key: a pointer scan, no string compares. */
const char	*labels_lookup(const struct ks_labels *, const char *key);
void		 labels_copy(struct ks_labels *dst, const struct ks_labels *src);
void		 labels_free(struct ks_labels *);

/* Operators of metav1.LabelSelectorRequirement and NodeSelectorRequirement. */
enum req_op { OP_IN, OP_NOTIN, OP_EXISTS, OP_DOESNOTEXIST, OP_GT, OP_LT };
extern const char *const req_op_name[];
int		 req_op_parse(const char *s, enum req_op *out);

struct ks_req {
	const char	*key;		/* interned */
	enum req_op	 op;
	const char	**vals;		/* interned; sorted for In/NotIn */
	size_t		 nvals;
	int64_t		 num;		/* Gt/Lt operand */
};

/* A conjunction of requirements (one NodeSelectorTerm, or one LabelSelector). */
struct ks_selector {
	struct ks_req	*reqs;
	size_t		 n;
	int		 match_nothing;	/* a nil LabelSelector selects nothing */
};

int	 selector_matches(const struct ks_selector *, const struct ks_labels *);
void	 selector_add(struct ks_selector *, const struct ks_req *);
void	 selector_copy(struct ks_selector *dst, const struct ks_selector *src);
void	 selector_free(struct ks_selector *);
int	 req_matches(const struct ks_req *, const struct ks_labels *);

enum taint_effect { EFFECT_ANY = 0, EFFECT_NOSCHEDULE, EFFECT_PREFERNOSCHEDULE, EFFECT_NOEXECUTE };
extern const char *const taint_effect_name[];
int	 taint_effect_parse(const char *s, enum taint_effect *out);

struct ks_taint {
	const char		*key;	/* interned */
	const char		*val;	/* interned, "" when absent */
	enum taint_effect	 effect;
};

struct ks_toleration {
	const char		*key;	/* interned; "" with Exists tolerates everything */
	int			 exists;	/* operator Exists (else Equal) */
	const char		*val;	/* interned */
	enum taint_effect	 effect;	/* EFFECT_ANY matches all effects */
	int64_t			 seconds;	/* tolerationSeconds, -1 when unset */
};

int	 toleration_tolerates(const struct ks_toleration *, const struct ks_taint *);
/* First NoSchedule/NoExecute taint not tolerated, or NULL. */
const struct ks_taint *taints_untolerated(const struct ks_taint *, size_t,
	    const struct ks_toleration *, size_t);
/* Number of PreferNoSchedule taints not tolerated (scoring). */
int	 taints_prefer_count(const struct ks_taint *, size_t,
	    const struct ks_toleration *, size_t);

#endif
