/*
 * ca.h: the Cluster Autoscaler's state, shared by the files of
 * src/autoscale/ca/ (internal: only ca_ctl leaves the folder, through
 * ctl_table[]).  ca_state owns the groups, their launches and records.
 */
#ifndef KS_CA_H
#define KS_CA_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "autoscale/ctl.h"
#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "io/load.h"
#include "run/run.h"
#include "sim/rng.h"

#define CA_TBD_TAINT	"ToBeDeletedByClusterAutoscaler"
#define CA_SOFT_TAINT	"DeletionCandidateOfClusterAutoscaler"
#define CA_SD_DISABLED	"cluster-autoscaler.kubernetes.io/scale-down-disabled"
#define CA_RNG_STREAM	0x4341u		/* "CA": the random expander's stream */
#define CA_NEW_POD_MS	2000		/* unschedulablePodTimeBuffer */
#define CA_NEW_GPU_POD_MS 30000		/* unschedulablePodWithGpuTimeBuffer */
#define CA_TMPL_STABLE_MS 60000		/* stabilizationDelay of a template node */
#define CA_EVICT_RETRY_MS 10000		/* drain.go DefaultEvictionRetryTime */
#define CA_EVICT_HEADROOM_MS 30000	/* drain.go DefaultPodEvictionHeadroom */
#define CA_DRAIN_POLL_MS 5000		/* waitPodsToDisappear's poll */
#define CA_DEFAULT_VERSION 36

enum { EXP_RANDOM, EXP_MOST_PODS, EXP_LEAST_NODES, EXP_LEAST_WASTE, EXP_PRICE,
       EXP_PRIORITY, EXP_N };
extern const char *const ca_exp_name[EXP_N];

/* The flags that change decisions (config/flags/flags.go); defaults in flags[] (flags.c). */
struct ca_opts {
	int64_t		 scan_ms;		/* scan-interval */
	int		 frequent;		/* frequent-loops-enabled */
	int64_t		 new_pod_delay_ms;	/* new-pod-scale-up-delay */
	int		 exp[EXP_N];		/* expander chain, EXP_* */
	int		 nexp;
	struct ks_mark	 exp_at;		/* where the expander flag was given */
	int		 aws;			/* cloud-provider is aws */
	int		 max_nodes_total;	/* 0 = unlimited */
	int64_t		 cores_min, cores_max;	/* cores-total, cores */
	int64_t		 mem_min_gib, mem_max_gib; /* memory-total, GiB */
	int		 max_per_scaleup;	/* max-nodes-per-scaleup */
	int		 balance;		/* balance-similar-node-groups */
	double		 max_free_diff;		/* max-free-difference-ratio */
	double		 max_alloc_diff;	/* max-allocatable-difference-ratio */
	double		 mem_diff;		/* memory-difference-ratio */
	const char	*ignore_labels[16];	/* balancing-ignore-label, interned */
	int		 nignore;
	int64_t		 provision_ms;		/* max-node-provision-time */
	int64_t		 backoff_init_ms;	/* initial-node-group-backoff-duration */
	int64_t		 backoff_max_ms;	/* max-node-group-backoff-duration */
	int64_t		 backoff_reset_ms;	/* node-group-backoff-reset-timeout */
	int		 sd_enabled;		/* scale-down-enabled */
	double		 sd_threshold;		/* scale-down-utilization-threshold */
	double		 sd_gpu_threshold;	/* scale-down-gpu-utilization-threshold */
	int64_t		 sd_unneeded_ms;	/* scale-down-unneeded-time */
	int64_t		 sd_after_add_ms;	/* scale-down-delay-after-add */
	int64_t		 sd_after_delete_ms;	/* scale-down-delay-after-delete */
	int64_t		 sd_after_failure_ms;	/* scale-down-delay-after-failure */
	int64_t		 recheck_ms;		/* unremovable-node-recheck-timeout */
	int		 max_sd_parallel;	/* max-scale-down-parallelism */
	int		 max_drain_parallel;	/* max-drain-parallelism */
	int		 ignore_ds_util;	/* ignore-daemonsets-utilization */
	int		 skip_system;		/* skip-nodes-with-system-pods */
	int		 skip_local;		/* skip-nodes-with-local-storage */
	int		 skip_custom;		/* skip-nodes-with-custom-controller-pods */
	int64_t		 system_block_ms;	/* blocking-system-pod-distruption-timeout, -1 forever */
	int		 min_replicas;		/* min-replica-count */
	int64_t		 taint_delay_ms;	/* node-delete-delay-after-taint */
	int64_t		 max_evict_ms;		/* max-pod-eviction-time */
	int		 max_grace_s;		/* max-graceful-termination-sec */
	int		 cutoff;		/* expendable-pods-priority-cutoff */
	int		 strict_under;		/* util < threshold (<= 1.34) instead of <= */
	int64_t		 asg_ms;		/* AWS: SetDesiredCapacity -> instance (not a flag) */
	int64_t		 boot_ms;		/* AWS: instance -> Node Ready (not a flag) */
};

struct ca_sample {
	int64_t		 at_ms;		/* when */
	int		 desired;	/* ASG desired capacity */
	int		 ready;		/* Ready nodes of the group */
};

struct ca_group {
	const char		*name;		/* ASG / node group name, interned */
	const struct cat_itype	*itype;		/* the template's instance type */
	int			 min, max;	/* ASG sizes */
	int			 desired;	/* ASG desired capacity (CA's target) */
	int			 spot;		/* spot instances */
	const char		*zones[8];	/* availability zones, interned */
	int			 nzones;
	struct ks_labels	 labels;	/* node labels */
	struct ks_labels	 annotations;	/* node annotations (spec.nodeGroups[]) */
	struct ks_taint		*taints;	/* node taints */
	size_t			 ntaints;
	int			 max_pods;	/* kubelet maxPods, 0 = ENI limit */
	const char		*prefix;	/* node name prefix, NULL = EC2 names */
	int64_t			 asg_ms;	/* ASG reaction, ms; -1 = the scenario's */
	int64_t			 boot_ms;	/* boot to Ready, ms; -1 = the scenario's */
	struct cluster_timing	 pull;		/* image pull times on its nodes; pull_ms -1 = the scenario's */
	struct ks_mark		 mark;		/* where it was declared */
	/* state */
	struct ks_node		 tmpl;		/* template node (never in the cluster) */
	int			 tmpl_ok;	/* tmpl is built */
	int			 tmpl_real;	/* tmpl copied from a real node (cached) */
	int64_t			 scaleup_at_ms;	/* last IncreaseSize, -1 none outstanding */
	int64_t			 backoff_until_ms; /* no scale-up before, 0 none */
	int64_t			 backoff_ms;	/* last backoff duration */
	int64_t			 last_fail_ms;	/* last failed scale-up, -1 */
	struct ca_launch	*launches;	/* instances starting (list) */
	int			 nscaleups;	/* scale-ups of this group */
	int			 nscaledowns;	/* nodes it removed */
	struct ca_sample	*samples;
	size_t			 nsamples, samplecap;
};

struct sd_job;			/* a node deletion (scaledown.c) */

/* One instance between SetDesiredCapacity and Node Ready. */
struct ca_launch {
	struct ca_state		*st;
	struct ca_group		*g;
	struct ks_node		*node;		/* NULL until the instance exists */
	struct sim_event	*ev;		/* its next step */
	struct ca_launch	*next;
};

/* CA's view of one cluster node, indexed by node id. */
struct ca_nodeinfo {
	int64_t		 unneeded_since;	/* -1 when needed */
	int64_t		 recheck_at;		/* unremovable until, 0 none */
	const char	*why;			/* interned: why it stays */
	double		 util;			/* last utilization */
	int		 deleting;		/* tainted by CA */
	int		 empty;			/* no pods to move at the last check */
};

struct ca_record {
	int64_t		 at_ms;		/* decision time */
	int		 up;		/* 1 scale-up, 0 scale-down */
	const char	*group;		/* interned */
	int		 from, to;	/* desired before and after */
	const char	*expander;	/* deciding expander (scale-up) */
	double		 score;		/* its score, NAN when none */
	int		 options;	/* options it chose from */
	int		 pods;		/* pods helped */
	const char	*node;		/* removed node (scale-down) */
	int		 empty;		/* the node was empty */
};

struct ca_prio {
	int		 prio;		/* priority value */
	regex_t		 re;		/* compiled pattern */
};

struct ca_state {
	struct ks_run		*r;
	struct ca_opts		 o;
	int			 enabled;	/* CA runs (else groups are static) */
	int			 version;	/* minor version, 1.<version> */
	const char		*source;	/* where the config came from (text) */
	struct ca_group		**groups;
	size_t			 ngroups, gcap;
	struct ca_nodeinfo	*ni;
	size_t			 nni;
	struct ks_rng		 rng;		/* random expander */
	struct sim_event	*loop_ev;	/* the next loop */
	int			 in_loop;	/* a loop is running */
	int			 triggered;	/* a pod event arrived during the loop */
	int64_t			 last_scale_up;	/* -inf = INT64_MIN / 2 */
	int64_t			 last_delete;
	int64_t			 last_sd_fail;
	struct ca_prio		*prios;		/* priority expander config */
	size_t			 nprios;
	struct ca_record	*recs;
	size_t			 nrecs, reccap;
	uint64_t		 loops;		/* loops run */
	int			 at_node_cap;	/* MaxNodesTotalReached was reported */
	struct sd_job		*jobs;		/* node deletions so far (scaledown.c) */
};

/* One node group's scale-up option, as the estimator priced it. */
struct ca_option {
	struct ca_group	 *g;		/* the group that would grow */
	int		  nodes;	/* N: nodes to add */
	struct ks_pod	**pods;		/* pods the estimate placed */
	size_t		  npods;	/* entries in pods */
	double		  score;	/* deciding expander's score, NAN none */
};

/* ca.c: small helpers */
int	ca_pod_is_daemon(const struct ks_pod *);
const char *ca_pod_annotation(const struct ks_pod *, const char *key);
void	ca_record_add(struct ca_state *, const struct ca_record *);
int	ca_all_pods_new(struct ks_pod *const *pods, size_t n, int64_t now_ms);

/* flags.c: configuration */
int	ca_parse_int(const char *v, int64_t *out);
/* Version, defaults, command line and spec.clusterAutoscaler into st. */
int	ca_config_load(struct ca_state *, struct ks_error *);
/* --nodes=min:max:name, once the node groups are loaded. */
int	ca_config_nodes(struct ca_state *, struct ks_error *);

/* nodegroup.c: node groups, templates, launches */
struct ca_group *ca_node_group(struct ca_state *, const struct ks_node *);
int	ca_group_ready(struct ca_state *, const struct ca_group *);
void	ca_group_sample(struct ca_state *, struct ca_group *);
void	ca_group_free(struct ca_group *);
int	ca_groups_load(struct ca_state *, struct ks_error *);
void	ca_tmpl_update(struct ca_state *, struct ca_group *);
struct ks_node *ca_group_node_new(struct ca_state *, struct ca_group *);
void	ca_group_launch(struct ca_state *, struct ca_group *, int k);
void	ca_group_check_timeout(struct ca_state *, struct ca_group *);

/* expander.c: choosing an option, similar groups */
int	ca_priorities_load(struct ca_state *, struct ks_error *);
size_t	ca_expander_choose(struct ca_state *, struct ca_option *opt, size_t n,
	    const char **by);
int	ca_similar(struct ca_state *, const struct ks_node *a, const struct ks_node *b);

/* scaleup.c */
int	ca_sng_node_limit(const struct ca_group *, struct ca_group *const *similar, size_t n);
void	ca_pod_why(struct ca_state *, struct ks_pod *, const char *type, const char *msg);
size_t	ca_filter_schedulable(struct ca_state *, struct ks_pod **pods, size_t n);
int	ca_scale_up(struct ca_state *, struct ks_pod **pods, size_t n);

/* scaledown.c */
int	ca_scale_down(struct ca_state *, int forbidden);
void	ca_jobs_free(struct ca_state *);

/* report.c */
void	ca_report_json(struct ks_run *, void *state, json_t *root);

#endif
