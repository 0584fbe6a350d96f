/*
 * load.h: from YAML files to a scenario: the Kubernetes objects users
 * already have, plus our Scenario kind (ksim/v1alpha1).
 *
 * Every document of every file is one object.  Objects the model knows
 * (Node, Pod, workloads, PodDisruptionBudget, PriorityClass) are parsed
 * into definitions here; autoscaler kinds (HPA, VPA, node groups, NodePools)
 * are kept as documents for their controllers to parse (each controller
 * claims its kinds in ksim.c); kinds that do not change scheduling (RBAC,
 * Service, ConfigMap, ...) are accepted and skipped; any other kind is a
 * warning with its location.
 *
 * Ownership: ks_scenario_free releases everything, including the YAML
 * streams the documents point into.
 */
#ifndef KS_LOAD_H
#define KS_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/cluster.h"
#include "io/ytree.h"
#include "util/error.h"

struct catalog;
struct expect_set;

/* A workload or bare pod, ready to instantiate. */
struct wl_def {
	enum wl_kind		 kind;
	const char		*ns, *name;	/* interned */
	struct ks_podspec	*spec;		/* owned until instantiated */
	struct ks_selector	 sel;		/* spec.selector */
	int32_t			 replicas;	/* spec.replicas (parallelism for Jobs) */
	int64_t			 run_ms;	/* Job: pod run time (ksim.io/run-duration annotation), -1 */
	int32_t			 completions;	/* Job: spec.completions, -1 */
	/* bare pods from a snapshot */
	const char		*node_name;	/* interned spec.nodeName or NULL */
	int			 running;	/* status.phase Running (snapshot) */
	enum wl_kind		 owner_kind;	/* ownerReferences[0] kind, WL_POD when none */
	const char		*owner_name;	/* interned */
	/* owner chains of a dump (load_owners.c) */
	const char		*uid;		/* metadata.uid, interned, NULL when absent */
	const char		*owner_kind_name; /* the controller reference's kind, interned, or NULL */
	const char		*owner_uid;	/* its uid, interned, or NULL */
	const char		*tmpl_hash;	/* label pod-template-hash (current revision's for a Deployment) */
	struct wl_def		*revision_of;	/* a ReplicaSet: the Deployment it is a revision of */
	int32_t			 succeeded;	/* Job: status.succeeded */
	int			 finished;	/* Job: condition Complete or Failed is True */
	int			 terminating;	/* metadata.deletionTimestamp is set */
	struct ks_mark		 mark;
	struct ks_mark		 count_mark;	/* replicas, parallelism or completions; else mark */
};

struct node_def {
	const char		*name;		/* interned */
	const char		*itype;		/* interned or NULL */
	struct ks_labels	 labels;
	struct ks_taint		*taints;
	size_t			 ntaints;
	struct ks_res		 cap, alloc;	/* 0 when absent (derived from the catalog) */
	int			 unschedulable;
	int			 spot;
	const char		*zone;		/* interned or "" */
	int			 max_pods;	/* static node groups: override, 0 = catalog */
	struct ks_mark		 mark;
};

/* A static node set of the Scenario: spec.nodes[] */
struct static_nodes {
	const char		*itype;		/* interned */
	int			 count;
	const char		*zone;		/* interned, NULL = region's "a" zone */
	int			 spot;
	const char		*prefix;	/* node name prefix */
	struct ks_labels	 labels;
	struct ks_taint		*taints;
	size_t			 ntaints;
	int			 max_pods;	/* 0 = catalog value */
	struct ks_mark		 mark;
};

/* A document kept for a controller to parse. */
struct ks_doc {
	const char		*api_version;	/* interned */
	const char		*kind;		/* interned */
	const char		*ns, *name;	/* interned */
	const struct yt_node	*root;		/* borrowed from the scenario's streams */
	struct ks_mark		 mark;
};

enum action_type { ACT_CREATE, ACT_DELETE, ACT_SCALE };

struct ks_action {
	int64_t			 at_ms;
	enum action_type	 type;
	/* ACT_CREATE: one of these */
	struct wl_def		*wl;
	struct node_def		*node;
	struct ks_doc		*doc;		/* a controller kind */
	/* ACT_DELETE / ACT_SCALE */
	const char		*kind;		/* interned */
	const char		*ns, *name;	/* interned */
	int32_t			 replicas;
	struct ks_mark		 mark;
};

/*
 * spec.limits: bounds on what a run may cost, so that valid but hostile
 * input (replicas: 1000000000, a duration of 292 years, 50,000 labels)
 * is refused with a message instead of exhausting memory or time.  Each
 * can be raised in the Scenario; the defaults are far above any scenario
 * we ship (the benchmark declares 150,000 pods over 24h).
 */
#define KS_DEFAULT_MAX_PODS		1000000			/* spec.limits.maxPods */
#define KS_DEFAULT_MAX_DURATION_MS	(720LL * 3600 * 1000)	/* spec.limits.maxDuration: 30 days */
#define KS_DEFAULT_MAX_LABELS		1000			/* spec.limits.maxLabels */
/* The most any limit may be raised to (the engine's clock and the pod
 * arrays stay far from overflow below these). */
#define KS_CEIL_MAX_PODS		100000000
#define KS_CEIL_MAX_DURATION_MS		(87600LL * 3600 * 1000)	/* 10 years */
#define KS_CEIL_MAX_LABELS		1000000

struct ks_limits {
	int64_t			 max_pods;	/* pods the objects and timeline may declare at once */
	int64_t			 max_duration_ms; /* simulated ms a run may last */
	int64_t			 max_labels;	/* entries in one labels, annotations or nodeSelector map */
	struct ks_mark		 mark;		/* spec.limits, or no file when absent */
};

struct ks_scenario {
	const char		*name;		/* metadata.name or the first file's base name */
	int64_t			 duration_ms;	/* spec.duration, default 1h */
	uint64_t		 seed;		/* spec.seed, default 1 */
	const char		*region;	/* spec.region, default us-east-1 */
	struct static_nodes	*snodes;
	size_t			 nsnodes;
	struct node_def		**nodes;	/* Node objects, created at t=0 */
	size_t			 nnodes;
	struct wl_def		**wls;		/* workloads, created at t=0 */
	size_t			 nwls;
	struct wl_def		**pods;		/* bare and snapshot pods at t=0 */
	size_t			 npods;
	struct ks_pdb		**pdbs;
	size_t			 npdbs;
	struct ks_doc		**docs;		/* every known document at t=0, in order (controllers scan by kind) */
	size_t			 ndocs;
	struct ks_action	*actions;	/* sorted by at_ms, stable */
	size_t			 nactions;
	struct cluster_timing	 timing;
	const struct yt_node	*spec;		/* the Scenario's spec (controllers read their blocks) */
	struct ks_mark		 spec_mark;
	int			 has_scenario;	/* a Scenario document was given */
	struct yt_stream	**streams;
	size_t			 nstreams;
	int			 most_allocated;/* scheduler.scoring: MostAllocated */
	struct expect_set	*expect;	/* spec.expect, NULL when none */
	struct ks_limits	 limits;	/* spec.limits, defaults filled in */
	struct ks_mark		 duration_mark;	/* spec.duration, or no file when absent */
	const char		**pc_names;	/* PriorityClass names (interned) */
	int32_t			*pc_values;	/* and their values */
	size_t			 npc;
};

/* Load every document of every file into a scenario. */
int	ks_scenario_load(const char *const *files, size_t nfiles, const char *const *sets,
	    size_t nsets, const struct catalog *, struct ks_scenario **out, struct ks_error *err);
void	ks_scenario_free(struct ks_scenario *);
/*
 * Refuse a duration_ms (the scenario's, or one a flag set) above
 * spec.limits.maxDuration; `what` names its source for the message
 * ("--duration"), or NULL for spec.duration.
 */
int	ks_scenario_check_duration(const struct ks_scenario *, const char *what,
	    struct ks_error *err);
/* load_labels refuses maps of more than max entries (spec.limits.maxLabels);
 * process-wide, set by ks_scenario_load before it reads any object. */
void	load_set_max_labels(int64_t max);
/* sp->priority from its priorityClassName, when the scenario has that PriorityClass. */
void	ks_scenario_priority(const struct ks_scenario *, struct ks_podspec *sp);

/* Parsers shared with the controllers. */
int	load_podspec(const struct yt_node *tmpl, const char *ns, struct ks_podspec *out,
	    struct ks_error *err);
int	load_label_selector(const struct yt_node *, struct ks_selector *out, struct ks_error *);
int	load_node_selector_term(const struct yt_node *, struct ks_selector *out, struct ks_error *);
int	load_labels(const struct yt_node *, struct ks_labels *out, struct ks_error *);
int	load_taints(const struct yt_node *, struct ks_taint **out, size_t *n, struct ks_error *);
int	load_resources(const struct yt_node *, struct ks_res *out, struct ks_error *);
/* A map of image -> pull duration (spec.timing.images, a node group's images). */
int	load_images(const struct yt_node *, struct cluster_timing *, struct ks_error *);
/* An optional string field: *out interned, or NULL when absent or null. */
int	load_str_opt(const struct yt_node *map, const char *key, const char **out,
	    struct ks_error *err);
/*
 * An integer within [min, max], as the API server's int32 fields are
 * (replicas, priority): "replicas must be between 0 and 2147483647, found
 * 4294967298" at the value, never truncated.  `what` names the field.
 */
int	load_int_in(const struct yt_node *v, const char *what, int64_t min, int64_t max,
	    int64_t *out, struct ks_error *err);
/* A duration that must not be negative (timeouts, delays, `at:`): "imagePull
 * must not be negative, found \"-5s\"" at the value. */
int	load_duration_nonneg(const struct yt_node *v, const char *what, int64_t *ms,
	    struct ks_error *err);
/* metadata.name / namespace ("default" when absent). */
int	load_meta(const struct yt_node *root, const char **ns, const char **name,
	    struct ks_error *err);
/* Keys of a mapping not in `allowed` (NULL-terminated) are errors: our own kinds are strict. */
int	load_strict(const struct yt_node *map, const char *const *allowed, const char *what,
	    struct ks_error *err);
/* A Job's parallelism, completions and ksim.io/run-duration (from ann) into d. */
int	load_job_spec(const struct yt_node *spec, const struct yt_node *ann, struct wl_def *d,
	    struct ks_error *err);
/* load_compat.c: a deprecated apiVersion of d read as the current one
 * (warned), or 1: skip d (warned). */
int	load_compat(struct ks_doc *d);
/* load_owners.c: metadata.uid, the controller reference, pod-template-hash, a Job's status. */
int	load_owner_meta(const struct yt_node *root, struct wl_def *d, struct ks_error *err);
/* Resolve the owner chains of the scenario's objects, at t=0 and on the
 * timeline (after all are loaded). */
void	load_owners_resolve(struct ks_scenario *);
void	wl_def_free(struct wl_def *);
/* load_list.c: a List or typed list (kind ...List with items)? */
int	load_is_list(const struct yt_node *root);
/* Each item of the list to fn; kind/api are the typed list's item kind and
 * apiVersion (for items that omit them), NULL for a plain List. */
typedef int load_item_fn(void *arg, const struct yt_node *item, const char *kind,
	    const char *api, struct ks_error *err);
int	load_list_items(const struct yt_node *root, load_item_fn *fn, void *arg,
	    struct ks_error *err);
/* A mark for a node (or the document when n is NULL). */
const struct ks_mark *load_mark(const struct yt_node *n);

#endif
