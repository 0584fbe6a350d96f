/*
 * karpenter.h: what the files of src/autoscale/karpenter/ share; outside
 * the folder only its tests include it (other modules reach Karpenter
 * through karpenter_ctl, in autoscale/ctl.h's table): the upstream
 * constants, the controller's state (NodePools, instance types, NodeClaims,
 * disruption commands) and each file's functions that others call.
 * Ownership: the kp_state owns its pools, types, claims and commands;
 * everything else borrows from it.
 */
#ifndef KS_KP_KARPENTER_H
#define KS_KP_KARPENTER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "autoscale/karpenter/requirements.h"
#include "cloud/catalog.h"
#include "cluster/sched.h"
#include "run/run.h"

#define KP_MIB			(INT64_C(1024) * 1024)
#define KP_GIB			(KP_MIB * 1024)

/*
 * ---- upstream defaults, in one table ----
 * Every number Karpenter's own code or its defaults fix, with where it
 * comes from (karpenter = kubernetes-sigs/karpenter, aws =
 * aws/karpenter-provider-aws).  The scenario may override the first three
 * (spec.karpenter, settings.c) and a NodePool its expiry and budgets.
 */
#define KP_BATCH_IDLE_MS	1000		/* settings BATCH_IDLE_DURATION */
#define KP_BATCH_MAX_MS		10000		/* settings BATCH_MAX_DURATION */
#define KP_BOOT_MS		60000		/* NodeClaim created -> Ready (reference 0.4, C.2) */
#define KP_EXPIRE_AFTER_MS	(720LL * 3600 * 1000)	/* v1beta1/v1 expireAfter default */
#define KP_BUDGET_PCT		10		/* default disruption budget, nodes: 10% */
#define KP_DISRUPT_PERIOD_MS	10000		/* disruption controller poll */
#define KP_VALIDATE_MS		15000		/* consolidationTTL */
#define KP_NOMINATION_MS	20000		/* max(2 x batch max, 10 s) */
#define KP_CONS_REARM_MS	(5 * 60 * 1000)	/* state/cluster.go consolidation state TTL */
#define KP_S2S_MIN_TYPES	15		/* spot-to-spot minimum cheaper types */
#define KP_FLEET_TYPES		60		/* types sent to CreateFleet */
#define KP_MULTI_MAX		100		/* multi-node maxParallel (its batches reach 101) */
#define KP_UNCONS_DEDUPE_MS	(15 * 60 * 1000)	/* Unconsolidatable dedupe, per node (events.go) */
#define KP_INTERRUPT_NOTICE_MS	120000		/* spot interruption notice */
#define KP_UNAVAIL_MS		(3 * 60 * 1000)	/* aws:pkg/cache unavailable offerings TTL */
#define KP_BALANCED_K		2		/* karpenter:apis/v1 BalancedK: approve score >= 1/k */
#define KP_NODE_BASE_COST	1.0		/* karpenter:PerNodeBaseDisruptionCost */

/* ---- instance types ---- */

/* The label keys an instance type answers, in kp_it.lab order. */
enum {
	KL_TYPE, KL_FAMILY, KL_CATEGORY, KL_GENERATION, KL_SIZE, KL_CPU, KL_MEMORY,
	KL_GPU_COUNT, KL_HYPERVISOR, KL_CPU_MANUFACTURER, KL_ARCH, KL_OS, KL_REGION,
	KL_GPU_NAME, KL_GPU_MANUFACTURER, KL_GPU_MEMORY, KL_ACC_NAME, KL_ACC_MANUFACTURER,
	KL_ACC_COUNT, KL_N
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
	int			 band;		/* spot advisor interruption band 0..4, -1 unknown */
};

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
	struct ks_labels	 annotations;	/* template annotations (on claims and nodes) */
	struct ks_taint		*taints;	/* spec taints */
	size_t			 ntaints;
	struct ks_taint		*startup;	/* startupTaints (removed before Ready in the model) */
	size_t			 nstartup;
	struct ks_res		 limits;	/* spec.limits */
	unsigned		 limited;	/* bit RES_* when limits has that resource */
	int64_t			 limit_nodes;	/* limits.nodes, -1 unset */
	int			 empty_ok;	/* emptiness may remove nodes */
	int			 underutil_ok;	/* consolidation may remove or replace nodes */
	int			 balanced;	/* consolidationPolicy Balanced: moves are scored */
	int64_t			 consolidate_after_ms; /* -1 = Never */
	int64_t			 expire_after_ms;	/* -1 = never */
	struct kp_budget	*budgets;	/* disruption budgets (default one of 10%) */
	size_t			 nbudgets;
	int			 max_pods;	/* kubelet maxPods, 0 = ENI limit */
	const char		*nodeclass;	/* interned nodeClassRef / providerRef name, or NULL */
	int			 automode;	/* EKS Auto Mode: nodeClassRef group eks.amazonaws.com */
	struct ks_mark		 mark;	/* where it was declared */
	const struct kp_it	**its;		/* types compatible with the pool, with an offering */
	size_t			 nits;
	struct ks_res		*ovcap;		/* NodeOverlay capacity per st->its index, or NULL */
	int64_t			 replicas;	/* spec.replicas: a static pool; -1 dynamic */
	const struct kp_it	**static_its;	/* a static pool's types, cheapest first (static.c) */
	size_t			 nstatic;
	const struct kp_it	*its_base;	/* st->its, to index ovcap */
};

/* ---- NodeOverlays (overlay.c) ---- */

enum { KP_ADJ_NONE, KP_ADJ_PRICE, KP_ADJ_ABS, KP_ADJ_PCT };

struct kp_overlay {
	const char		*name;		/* interned */
	int			 weight;	/* spec.weight, 0 when unset */
	struct kp_reqs		 reqs;		/* which offerings it applies to */
	int			 adj_kind;	/* KP_ADJ_*: price, +-amount, +-percent, none */
	int64_t			 price_nusd;	/* KP_ADJ_PRICE: the price, nano-USD/h */
	double			 adj;		/* KP_ADJ_ABS: USD/h; KP_ADJ_PCT: percent */
	struct ks_res		 cap;		/* extended resources added */
	unsigned		 capmask;	/* bit r when cap.v[r] is set */
	struct ks_mark		 mark;		/* where it was declared */
};

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
	int			 anti;		/* holds a pod with required pod anti-affinity */
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
	int			 do_not_disrupt; /* annotated karpenter.sh/do-not-disrupt: "true" */
	int64_t			 drifted_ms;	/* when it drifted, -1 */
	int			 excl;		/* simulated away by the round being solved */
	size_t			 vslot;		/* its slot in the view, if that slot's claim is it */
	const char		*uncons_msg;	/* last Unconsolidatable published (interned), NULL = none */
	int64_t			 uncons_ms;	/* when it was published: none for 15 min after */
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

/* A NodePool the timeline applies later (create, or update by name). */
struct kp_later {
	struct kp_state		*st;		/* back pointer for the engine callback */
	int64_t			 at_ms;		/* when it is applied */
	struct kp_pool		*pool;		/* parsed at load time; owned until applied */
};

struct kp_view;

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
	int			 drift;		/* featureGates.drift (before v1.0; default on) */
	int			 ver_major, ver_minor;	/* the release simulated; -1 = by API version */
	const char		*version_s;	/* interned "1.8.1", or NULL */
	const char		*version_src;	/* interned: where the release came from */
	int			 overlay_gate;	/* featureGates.nodeOverlay (default off) */
	int			 static_gate;	/* featureGates.staticCapacity (default off) */
	struct kp_overlay	*overlays;	/* by weight desc, then name desc */
	size_t			 noverlays;
	int64_t			 idle_ms;	/* batchIdleDuration */
	int64_t			 max_ms;	/* batchMaxDuration */
	int64_t			 boot_ms;	/* NodeClaim created -> Node Ready */
	struct kp_interrupt	*intr;		/* scenario spot interruptions */
	size_t			 nintr;
	unsigned		 builtin;	/* autoMode.nodePools: 1 general-purpose, 2 system */
	struct ks_mark		 builtin_mark;	/* where autoMode.nodePools was given */
	/* batcher */
	struct sim_event	*batch_ev;	/* window close, NULL when no window */
	int64_t			 batch_start;	/* first trigger of the window */
	uint32_t		*seen;		/* per pod id: the window it was last seen in, 0 none */
	size_t			 nseen;		/* length of seen */
	uint32_t		 window;	/* the current window's number, from 1 */
	/* claims and commands */
	struct kp_claim		**claims;	/* every claim ever launched, in order */
	size_t			 nclaims, claimcap;
	struct kp_cmd		**cmds;	/* disruption commands, in order */
	size_t			 ncmds, cmdcap;
	const void		**nom;		/* per pod id: what it was last nominated to */
	size_t			 nnom;
	struct ks_rng		 rng;		/* NodeClaim name suffixes */
	struct ks_rng		 fleet_rng;	/* CreateFleet's spot pool choice (fleet.c) */
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
	int			 in_pass;	/* a disruption pass is computing: rounds share view */
	struct kp_view		*view;		/* the pass's cluster before exclusions, or NULL */
};

/* ---- one scheduling round (provisioning and consolidation share it) ---- */

/*
 * What every round of a disruption pass starts from, built by the pass's
 * first round (kp_view_build) and reused by the others, which apply their
 * candidates' exclusion to it as a delta: nothing a round reads changes
 * between the simulations of one pass (a pass ends when it starts a
 * command).  Upstream likewise snapshots the cluster state once per pass
 * (disruption/controller.go: cluster state nodes, then every method's
 * SimulateScheduling against that snapshot).
 */
struct kp_fit {
	int64_t			*mx;		/* max free cpu (m) per tree node; leaves from size */
	size_t			 size;		/* leaves: a power of two >= the slots */
	size_t			 n;		/* slots */
};

struct kp_view {
	struct kp_slot		*slots;		/* schedulable nodes and in-flight claims, sorted */
	size_t			 nslots;
	struct kp_fit		 fit;		/* the slots' free cpu, for first fit (packing.c) */
	size_t			*touched;	/* slots the current round packed onto */
	size_t			 ntouched, touchcap;
	struct ks_res		*used;		/* per pool: capacity of its live claims */
	int64_t			*nlive;		/* per pool: its live claims */
};

struct kp_slot {
	struct ks_node		*n;		/* the node (Ready, or NotReady in flight) */
	struct kp_claim		*claim;		/* NULL for nodes Karpenter does not own */
	int			 inflight;	/* not initialized: use the predicted allocatable */
	struct ks_res		 extra;		/* requests packed onto it this round */
};

struct kp_round {
	struct kp_state		*st;	/* the controller */
	struct kp_view		*view;	/* what it packs onto; restored by kp_round_free */
	int			 own_view; /* view is the round's own (outside a pass) */
	struct kp_slot		*slots;	/* the view's: existing nodes and in-flight claims */
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

/* An instance type with the price of the offering it would launch with. */
struct kp_priced {
	const struct kp_it	*k;		/* the instance type */
	int64_t			 price;		/* its offering's price, nano-USD/h */
};

extern const char *const kp_label_names[KL_N];
extern const char *kp_spot_s, *kp_od_s;

/* offerings.c */
void	kp_estimate(const struct cat_itype *it, struct ks_res *cap, struct ks_res *alloc);
void	kp_it_init(struct kp_it *k, const struct cat_itype *it, const char *region);
int	kp_label_index(const struct kp_state *st, const char *key);
const char	*kp_label_key(const struct kp_state *st, const struct kp_pool *p, int i);
int	kp_automode_family(const char *family);
void	kp_node_automode(struct kp_state *st, const struct kp_pool *p, struct ks_node *n);
int64_t	kp_it_price(const struct kp_state *st, const struct kp_it *k, const struct kp_reqs *rs,
    int only_spot, int *spot_out);
int	kp_it_labels_ok(const struct kp_state *st, const struct kp_it *k, const struct kp_reqs *rs,
    const struct kp_req **bad);
int	kp_it_compatible(const struct kp_state *st, const struct kp_it *k, const struct kp_reqs *rs);
void	kp_it_free_res(const struct kp_pool *p, const struct kp_it *k, const struct ks_res *ds,
    struct ks_res *out);
int	kp_priced_cmp(const void *a, const void *b);
size_t	kp_launch_order(const struct kp_state *st, const struct kp_reqs *rs,
    const struct kp_it *const *its, size_t nits, int *spot, struct kp_priced *out, size_t max);
void	kp_pool_types(struct kp_state *st, struct kp_pool *p);

/* nodepool.c */
int	kp_parse_reqs(struct kp_state *st, const struct yt_node *seq, struct kp_reqs *out,
    const char *what, struct ks_error *err);
void	kp_pool_clear(struct kp_pool *p);
void	kp_pool_free(struct kp_pool *p);
const char	*kp_pool_hash(const struct kp_pool *p);
int	kp_pool_parse(struct kp_state *st, const struct ks_doc *d, struct kp_pool **out,
    struct ks_error *err);
size_t	kp_pool_index(const struct kp_state *st, const struct kp_pool *p);
int	kp_pool_cmp(const void *a, const void *b);
void	kp_builtin_pools(struct kp_state *st);

/* packing.c */
void	kp_ds_overhead(struct kp_state *st, const struct kp_pool *p, const struct kp_it *k,
    struct ks_res *out);
int	kp_pod_provisionable(const struct ks_pod *p);
uint32_t	*kp_pending_pods(struct kp_state *st, size_t *n);
void	kp_round_init(struct kp_round *R, struct kp_state *st, struct kp_claim **exclude,
    size_t nexclude);
void	kp_pass_begin(struct kp_state *st);
void	kp_pass_end(struct kp_state *st);
void	kp_round_free(struct kp_round *R);
void	kp_round_solve(struct kp_round *R, uint32_t *pods, size_t npods);

/* provisioning.c */
void	kp_node_add_taint(struct ks_node *n, const struct ks_taint *t);
void	kp_node_del_taint(struct ks_node *n, const char *key);
struct kp_claim	*kp_claim_launch(struct kp_state *st, struct kp_claim *k, const char *created_by);
void	kp_claim_delete(struct kp_state *st, struct kp_claim *k, const char *reason);
void	kp_trigger(struct kp_state *st, uint32_t pod_id);
void	kp_hook_unschedulable(struct ks_cluster *c, struct ks_pod *p, void *arg);
void	kp_hook_pod_event(struct ks_cluster *c, struct ks_pod *p, void *arg);
void	kp_hook_node_gone(struct ks_cluster *c, struct ks_node *n, void *arg);
/* kp_explain.c: the launch of k as a decision record (when the run records them) */
void	kp_explain_launch(struct kp_state *st, const struct kp_claim *k, int spot);

/* budgets.c */
int64_t	kp_budget_allowed(const struct kp_state *st, const struct kp_pool *p, unsigned reason);

/* disruption.c */
void	kp_cmds_progress(struct kp_state *st, struct kp_claim *ready);
int64_t	kp_disrupt_fired(struct sim *sim, void *arg);
int64_t	kp_apply_fired(struct sim *sim, void *arg);
int64_t	kp_interrupt_fired(struct sim *sim, void *arg);

/* overlay.c */
int	kp_overlay_parse(struct kp_state *st, const struct ks_doc *d, struct ks_error *err);
void	kp_overlays_free(struct kp_state *st);
int64_t	kp_offer_price(const struct kp_state *st, const struct kp_it *k, const struct kp_reqs *rs,
    int spot);
void	kp_overlay_capacity_of(const struct kp_state *st, const struct kp_it *k,
    const struct kp_reqs *rs, struct ks_res *cap);

/* static.c */
int64_t	kp_static_fired(struct sim *sim, void *arg);
void	kp_static_setup(struct kp_state *st, struct kp_pool *p);

/* versions.c */
enum kp_version	kp_era(const struct kp_state *st, const struct kp_pool *p);
const char	*kp_msg_no_cheaper(const struct kp_state *st, const struct kp_pool *p);
int	kp_drift_enabled(const struct kp_state *st, const struct kp_pool *p);
int	kp_do_not_evict(const struct kp_state *st, const struct kp_pool *p);
int	kp_version_set(struct kp_state *st, const char *v, const char *source,
    const struct ks_mark *m, struct ks_error *err);
int	kp_version_resolve(struct kp_state *st, const struct ks_scenario *scn,
    struct ks_error *err);
void	kp_version_describe(const struct kp_state *st, char *buf, size_t n);

/* fleet.c */
#define KP_FLEET_RNG_STREAM	8		/* rng stream of the spot pool choice */
size_t	kp_fleet_pick(struct kp_state *st, const int *avail, const struct kp_it *const *its,
    size_t n, int spot);

/* balanced.c */
double	kp_eviction_cost(const struct ks_pod *p);
double	kp_resched_cost(const struct kp_state *st, const struct kp_claim *k);
int	kp_claim_empty(const struct kp_state *st, const struct kp_claim *k, size_t npods);
int	kp_balanced_reject(const struct kp_state *st, struct kp_claim *const *cands, size_t ncands,
    const struct kp_cmd *cmd, int64_t cand_price, char *msg, size_t msgn);

/* settings.c */
int	kp_parse_settings(struct kp_state *st, const struct yt_node *k, struct ks_error *err);
void	kp_default_zones(struct kp_state *st, const char *region);

/* report.c */
void	karpenter_report_json(struct ks_run *r, void *state, json_t *root);

/* karpenter.c */
void	kp_claim_free(struct kp_claim *k);
void	kp_cmd_free(struct kp_cmd *c);

/*
 * ---- testing interface (tests/check_karpenter.c) ----
 * Requirement strings are kp_reqs_from_text()'s.
 */
/* Karpenter's allocatable for a type: the catalog's, or the formula's when formula. */
int	karpenter_estimate(const char *itype, int formula, int64_t *cpu_m, int64_t *mem_mib,
	    int64_t *pods);
/* Balanced's score of a move (savings over disruption, as pool fractions); 0 when no savings. */
double	karpenter_balanced_score(double savings, double pool_cost, double disruption,
	    double pool_disruption);
/* The index CreateFleet launches of n types (cheapest first) of these spot bands; seed's stream. */
size_t	karpenter_fleet_pick(const int *bands, size_t n, uint64_t seed, int spot);
/* A pool budget of `nodes` ("3" or "50%") with these claims: how many more may go. */
int64_t	karpenter_budget_allowed(const char *nodes, int ready, int disrupting, int booting);
/* The types a claim sends to CreateFleet, space-separated in out; returns how many. */
size_t	karpenter_launch_types(const char *region, const char *reqs, int64_t cpu_m,
	    int64_t mem_mib, char *out, size_t n, size_t *ntypes, int *spot);
/* The type a claim with reqs and these requests launches in region; *ntypes could hold it. */
int	karpenter_cheapest(const char *region, const char *reqs, int64_t cpu_m, int64_t mem_mib,
	    char *out, size_t n, size_t *ntypes);

#endif
