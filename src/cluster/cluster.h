/*
 * cluster.h: the Kubernetes model: nodes, pods, workloads, disruption
 * budgets, and the operations controllers use on them.
 *
 * Ownership: the cluster owns every node, pod, workload and PDB; everything
 * else borrows pointers into it.  Objects are never freed before the
 * cluster is: a deleted pod or node keeps its record (state GONE) so the
 * report can say when it went.  Ids are indexes into the cluster's arrays,
 * assigned in creation order, so iterating an array is deterministic.
 *
 * Controllers act only through the cluster_* operations below (scale a
 * workload, evict a pod, set a pod's requests, add or remove a node), the
 * way the real ones act only through the API server.  Each operation
 * records a timeline event.
 */
#ifndef KS_CLUSTER_H
#define KS_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/labels.h"
#include "cluster/res.h"
#include "sim/engine.h"
#include "sim/rng.h"
#include "util/error.h"
#include "util/ptrmap.h"

struct ks_cluster;
struct ks_node;
struct cat_itype;

struct ks_container {
	const char	*name;		/* interned */
	const char	*image;		/* interned; "" when absent */
	struct ks_res	 req;		/* requests (limits when only limits are set) */
	struct ks_res	 lim;		/* limits; 0 = none */
	unsigned	 req_set;	/* bit r: requests[r] given (even "0") or defaulted from a limit */
	int		 init;		/* an init container */
	int		 sidecar;	/* an init container with restartPolicy Always */
};

/* podAffinity / podAntiAffinity term (required) */
struct ks_podaff {
	struct ks_selector	 sel;		/* labelSelector */
	const char		*topology_key;	/* interned */
	const char		**namespaces;	/* interned; NULL/0 = the pod's namespace */
	size_t			 nns;
	int			 weight;	/* preferred terms only, else 0 */
};

/* topologySpreadConstraints entry */
struct ks_tsc {
	int			 max_skew;	/* maxSkew */
	const char		*topology_key;	/* interned */
	int			 do_not_schedule; /* whenUnsatisfiable DoNotSchedule (else ScheduleAnyway) */
	struct ks_selector	 sel;		/* labelSelector */
	int			 min_domains;	/* minDomains, 0 when unset */
};

struct ks_podspec {
	struct ks_labels	 labels;	/* pod labels (template metadata.labels) */
	struct ks_labels	 annotations;	/* the annotations the model reads */
	struct ks_container	*ctrs;		/* containers, then init containers */
	size_t			 nctrs;
	struct ks_res		 req;		/* effective pod request (0.1 of the reference) incl. overhead, pods=1 */
	struct ks_res		 overhead;	/* spec.overhead */
	struct ks_labels	 node_selector;	/* spec.nodeSelector */
	struct ks_selector	*affinity;	/* required node affinity: OR of terms */
	size_t			 naffinity;
	struct ks_selector	*pref_affinity;	/* preferred node affinity terms */
	int			*pref_weight;	/* their weights */
	size_t			 npref;
	struct ks_toleration	*tols;
	size_t			 ntols;
	struct ks_podaff	*pod_aff;	/* required podAffinity */
	size_t			 npod_aff;
	struct ks_podaff	*pod_anti;	/* required podAntiAffinity */
	size_t			 npod_anti;
	struct ks_tsc		*tsc;
	size_t			 ntsc;
	const char		*node_name;	/* spec.nodeName, interned, NULL when unset */
	const char		*priority_class;/* interned or NULL */
	int32_t			 priority;	/* resolved priority */
	int64_t			 grace_ms;	/* terminationGracePeriodSeconds, default 30 s */
	int64_t			 ready_delay_ms;/* readinessProbe initialDelaySeconds (+period) */
	int			 local_storage;	/* has emptyDir/hostPath volumes */
	int			 has_requests;	/* some container requests cpu or memory */
	int			 is_daemon;	/* created by a DaemonSet */
	struct ks_mark		 mark;		/* where the template was written */
};

enum pod_phase {
	POD_PENDING,		/* not bound */
	POD_BOUND,		/* bound to a node, pulling images / starting */
	POD_RUNNING,		/* containers started */
	POD_TERMINATING,	/* deletion requested, grace period running */
	POD_GONE,		/* deleted */
	POD_SUCCEEDED,		/* finished (Job pods) */
};
extern const char *const pod_phase_name[];

struct ks_workload;

struct ks_pod {
	uint32_t		 id;		/* index in cluster->pods */
	const char		*name;		/* interned */
	const char		*ns;		/* interned */
	const struct ks_podspec	*spec;		/* borrowed from the workload (or owned for bare pods) */
	struct ks_res		 req;		/* effective requests now (VPA may change them) */
	struct ks_res		*ctr_req;	/* per-container requests when changed (VPA), else NULL */
	struct ks_res		*ctr_lim;	/* per-container limits when changed, else NULL */
	struct ks_workload	*owner;		/* controller, NULL for a bare pod */
	enum pod_phase		 phase;
	int			 ready;		/* Ready condition */
	int32_t			 node;		/* node id, -1 when not bound */
	int			 ordinal;	/* StatefulSet ordinal, else -1 */
	int64_t			 created_ms;
	int64_t			 scheduled_ms;	/* -1 until bound */
	int64_t			 running_ms;	/* -1 until running */
	int64_t			 ready_ms;	/* -1 until ready */
	int64_t			 deleted_ms;	/* -1 until deletion requested */
	int64_t			 gone_ms;	/* -1 until gone */
	int64_t			 unsched_since;	/* first failed attempt, -1 when none */
	const char		*reason;	/* last scheduler failure message (interned) or NULL */
	const char		*why_not;	/* an autoscaler's reason it did not help (interned) */
	const char		*evicted_by;	/* interned: who evicted it, or NULL */
	int			 queued;	/* in the scheduling queue */
	int			 preexisting;	/* from the snapshot (already running at t=0) */
	int64_t			 nominated_until; /* an autoscaler nominated a node for it until then */
	int32_t			 pin_node;	/* DaemonSet pod: the only node it may use, else -1 */
	size_t			 owner_idx;	/* position in owner->pods, or in cluster->bare_ids */
	size_t			 alive_idx;	/* position in cluster->alive while alive */
	size_t			 node_idx;	/* position in node->pods */
	int			 unsched_listed;/* in cluster->unsched */
	struct sim_event	*timer;		/* the pending lifecycle event */
};

enum wl_kind { WL_POD, WL_DEPLOYMENT, WL_REPLICASET, WL_STATEFULSET, WL_JOB,
	       WL_NOTEBOOK, WL_DAEMONSET, WL_KIND_N };
extern const char *const wl_kind_name[];

struct ks_workload {
	uint32_t		 id;		/* index in cluster->wls */
	enum wl_kind		 kind;
	const char		*name;		/* interned */
	const char		*ns;		/* interned */
	struct ks_podspec	 spec;		/* the pod template */
	struct ks_selector	 selector;	/* spec.selector */
	int32_t			 replicas;	/* desired (spec.replicas) */
	int32_t			*ordinals;	/* StatefulSet: ordinals in use, unused */
	uint32_t		*pods;		/* ids of pods it owns that are not gone */
	size_t			 npods, podcap;
	int			 next_ordinal;	/* StatefulSet / Notebook */
	int64_t			 run_ms;	/* Job: how long each pod runs, -1 forever */
	int32_t			 completions;	/* Job: completions wanted, -1 unset */
	int32_t			 succeeded;	/* Job: pods that finished */
	int			 deleted;	/* the workload was deleted */
	const char		*hash;		/* pod-template-hash (interned) */
	struct ks_mark		 mark;		/* where it was declared */
};

struct ks_pdb {
	const char		*name, *ns;	/* interned */
	struct ks_selector	 sel;		/* spec.selector */
	int32_t			 min_available;	/* -1 unset */
	int32_t			 max_unavailable; /* -1 unset */
	int			 pct;		/* the set value is a percentage */
	struct ks_mark		 mark;
};

enum node_state { NODE_READY, NODE_NOTREADY, NODE_DELETING, NODE_GONE };

struct cluster_timing;

struct ks_node {
	uint32_t		 id;		/* index in cluster->nodes */
	const char		*name;		/* interned */
	struct ks_labels	 labels;
	struct ks_taint		*taints;
	size_t			 ntaints;
	struct ks_res		 cap;		/* capacity */
	struct ks_res		 alloc;		/* allocatable */
	struct ks_res		 used;		/* sum of requests of pods bound here (incl. terminating) */
	int64_t			 nz_cpu_m;	/* NodeInfo.NonZeroRequested cpu: used, 100m for pods without */
	int64_t			 nz_mem_b;	/* NonZeroRequested memory: used, 200Mi for pods without */
	const struct cat_itype	*itype;		/* catalog entry, NULL when unknown */
	const char		*zone;		/* interned, "" when unknown */
	int			 spot;		/* capacity type spot */
	int64_t			 price_nusd_h;	/* price, nano-USD per hour; 0 unknown */
	int64_t			 fee_nusd_h;	/* EKS Auto Mode fee, nano-USD per hour, billed too */
	int			 unschedulable;	/* spec.unschedulable (cordoned) */
	enum node_state		 state;
	int64_t			 launched_ms;	/* asked for (billing starts) */
	int64_t			 ready_ms;	/* joined the cluster Ready */
	int64_t			 gone_ms;	/* terminated, -1 while alive */
	uint32_t		*pods;		/* ids of pods bound here, not gone */
	size_t			 npods, podcap;
	const struct cluster_timing *pull;	/* image pull times of its group (borrowed), or NULL */
	const char		**images;	/* images pulled or being pulled (interned) */
	int64_t			*image_at;	/* when each is available */
	size_t			 nimages, imgcap;
	int			 owner_kind;	/* NODE_OWNER_* */
	void			*owner;		/* the node group or NodeClaim */
	const char		*group;		/* node group / NodePool name, or NULL */
	const char		*removed_by;	/* interned reason for its removal */
	struct ks_mark		 mark;
};
enum { NODE_OWNER_STATIC, NODE_OWNER_NODEGROUP, NODE_OWNER_NODECLAIM };

/*
 * One record of the timeline, as `kubectl get events` shows one Event:
 * identical occurrences (same reason, object and message) are one record
 * whose count grows, the way client-go's event correlator patches the
 * Event it created first (see cluster_event()).
 */
struct ks_event {
	int64_t		 at_ms;		/* the first occurrence (firstTimestamp), ms */
	int64_t		 last_ms;	/* the latest occurrence (lastTimestamp), ms */
	uint32_t	 count;		/* occurrences, >= 1 */
	const char	*type;		/* interned: Scheduled, FailedScheduling, ... */
	const char	*object;	/* interned: "pod/default/web-0" etc. */
	const char	*message;	/* interned */
};

/* Hooks other modules register to hear about the cluster. */
struct cluster_hooks {
	void	(*pod_unschedulable)(struct ks_cluster *, struct ks_pod *, void *);
	void	(*pod_created)(struct ks_cluster *, struct ks_pod *, void *);
	void	(*pod_bound)(struct ks_cluster *, struct ks_pod *, void *);
	void	(*pod_gone)(struct ks_cluster *, struct ks_pod *, void *);
	void	(*node_ready)(struct ks_cluster *, struct ks_node *, void *);
	void	(*node_gone)(struct ks_cluster *, struct ks_node *, void *);
	void	*arg;
};

/* Timing knobs of the model, set from the Scenario. */
struct cluster_timing {
	int64_t		 pull_ms;	/* default image pull on a node that lacks the image */
	int64_t		 start_ms;	/* container start after pull */
	int64_t		 shutdown_ms;	/* containers exit this long after SIGTERM (capped by grace) */
	int64_t		 sched_retry_ms;/* periodic retry of unschedulable pods (5 min upstream) */
	const char	**img_names;	/* per-image pull times (borrowed from the scenario) */
	int64_t		*img_ms;	/* (borrowed) */
	size_t		 nimg;
};

/*
 * The scheduler plugs into the cluster through this table (registered by
 * the run with cluster_sched_set): the cluster tells it what changed, at
 * the moments kube-scheduler's informers would hear of it, and never
 * calls into the scheduler otherwise.  Any entry may be NULL.  The calls
 * come at fixed points of each operation (after the other hooks of a new
 * pod, after a bound pod leaves its node), so the engine events they
 * queue keep their order.
 */
struct cluster_sched_ops {
	/* p was created and put on c->queue */
	void	(*pod_added)(struct ks_cluster *, struct ks_pod *, void *);
	/* p was bound to c->nodes[p->node] */
	void	(*pod_bound)(struct ks_cluster *, struct ks_pod *, void *);
	/* p, bound to n, is gone or finished: its room on n is free */
	void	(*pod_unbound)(struct ks_cluster *, struct ks_pod *, struct ks_node *, void *);
	/* n joined Ready, or is gone */
	void	(*node_changed)(struct ks_cluster *, struct ks_node *, void *);
	/* release the scheduler's state (cluster_free, or a replacement) */
	void	(*free)(void *);
};

struct ks_cluster {
	struct sim		*sim;		/* borrowed engine */
	uint64_t		 seed;		/* the scenario seed: modules derive their streams */
	struct ks_rng		 rng_names;	/* pod name suffixes */
	struct ks_node		**nodes;
	size_t			 nnodes, nodecap;
	struct ks_pod		**pods;
	size_t			 npods, podcap;
	struct ks_workload	**wls;
	size_t			 nwls, wlcap;
	struct ks_pdb		**pdbs;
	size_t			 npdbs, pdbcap;
	struct ks_event		*events;	/* the timeline, in order of first occurrence */
	size_t			 nevents, evcap;
	uint32_t		*ev_slots;	/* open-addressing index of events: id + 1, 0 = free */
	size_t			 ev_nslots;	/* slots, a power of two (0 before the first event) */
	uint64_t		 ev_occurrences;/* cluster_event() calls recorded (sum of counts) */
	/*
	 * Pending pods as the API server shows them: the scheduler drains
	 * queue and moves the pods that fail to unsched (their PodScheduled
	 * condition is False); autoscalers read both.
	 */
	uint32_t		*queue;		/* pod ids waiting for the scheduler */
	size_t			 nqueue, qcap;
	uint32_t		*unsched;	/* pod ids that failed, waiting for a change */
	size_t			 nunsched, unschedcap;
	struct ptrmap		 node_idx;	/* interned name -> node */
	struct ptrmap		 pod_idx;	/* interned "ns/name" -> pod */
	struct ptrmap		 wl_idx;	/* interned "kind/ns/name" -> workload */
	uint32_t		*bare_ids;	/* ids of alive pods created without a controller (any order) */
	size_t			 nbare, barecap;
	/*
	 * The pods not yet gone or succeeded, for loops that would otherwise
	 * walk every pod ever created (pods[] only grows).  Swap-removal: the
	 * order is deterministic but not creation order; sort the ids where
	 * order reaches output.  Iterate backwards if the loop deletes pods.
	 */
	uint32_t		*alive;		/* pod ids */
	size_t			 nalive, alivecap;
	struct cluster_timing	 timing;
	struct cluster_hooks	*hooks;		/* registered hooks */
	size_t			 nhooks;
	const struct cluster_sched_ops *sched_ops; /* the scheduler plugged in, or NULL */
	void			*sched;		/* its state (owned: freed by sched_ops->free) */
	int			 no_events;	/* do not record timeline events (benchmarks) */
};

void	cluster_init(struct ks_cluster *, struct sim *, uint64_t seed);
void	cluster_free(struct ks_cluster *);
void	cluster_hook(struct ks_cluster *, const struct cluster_hooks *);
/* Plug a scheduler in (replacing, and freeing, any earlier one). */
void	cluster_sched_set(struct ks_cluster *, const struct cluster_sched_ops *, void *state);
/* The scheduler gave up on p for now: tell the pod_unschedulable hooks. */
void	cluster_pod_unschedulable(struct ks_cluster *, struct ks_pod *);

/* Timeline. */
void	cluster_event(struct ks_cluster *, const char *type, const char *object,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Nodes. */
struct ks_node *cluster_node_new(struct ks_cluster *, const char *name);
struct ks_node *cluster_node_find(struct ks_cluster *, const char *name);
/* The node joins Ready now: the scheduler can use it. */
void	cluster_node_ready(struct ks_cluster *, struct ks_node *);
void	cluster_node_cordon(struct ks_cluster *, struct ks_node *, const char *by);
/* Evict its pods (their controllers recreate them), then remove it. */
void	cluster_node_delete(struct ks_cluster *, struct ks_node *, const char *reason);
int	node_has_image(const struct ks_node *, const char *image);

/* Workloads and pods. */
struct ks_workload *cluster_workload_new(struct ks_cluster *, enum wl_kind,
	    const char *ns, const char *name);
struct ks_workload *cluster_workload_find(struct ks_cluster *, enum wl_kind,
	    const char *ns, const char *name);
/* Set desired replicas and reconcile pods now. */
void	cluster_workload_scale(struct ks_cluster *, struct ks_workload *, int32_t replicas,
	    const char *by);
void	cluster_workload_delete(struct ks_cluster *, struct ks_workload *);
/* Create the workload's pods (call after the spec is complete). */
void	cluster_workload_start(struct ks_cluster *, struct ks_workload *);
/* A bare pod (or a snapshot pod) with its own spec, owned by wl (WL_POD or a controller). */
struct ks_pod *cluster_pod_new(struct ks_cluster *, struct ks_workload *owner,
	    const struct ks_podspec *spec, const char *ns, const char *name);
struct ks_pod *cluster_pod_find(struct ks_cluster *, const char *ns, const char *name);
/* Bind a pod to a node now (scheduler or snapshot). */
void	cluster_pod_bind(struct ks_cluster *, struct ks_pod *, struct ks_node *);
/* Mark a snapshot pod as already running and ready at t=0 (a Job's pod then
 * runs its Job's whole run time). */
void	cluster_pod_set_running(struct ks_cluster *, struct ks_pod *);
/* Time to pull image on node n from now (0 when present). */
int64_t	node_pull_ms(const struct ks_cluster *, const struct ks_node *, const char *image);
/* Delete (graceful); its controller replaces it. by: who asked (for the timeline). */
void	cluster_pod_delete(struct ks_cluster *, struct ks_pod *, const char *by);
/* Evict: like delete but the message says evicted; honours nothing (callers check PDBs). */
void	cluster_pod_evict(struct ks_cluster *, struct ks_pod *, const char *type, const char *msg);
/* Change a pod's per-container requests (VPA admission); only for pods not yet bound. */
void	cluster_pod_set_requests(struct ks_cluster *, struct ks_pod *,
	    const struct ks_res *ctr_req, const struct ks_res *ctr_lim);
/* Requests of container i of pod p (VPA-adjusted when set). */
const struct ks_res *pod_ctr_req(const struct ks_pod *, size_t i);
const struct ks_res *pod_ctr_lim(const struct ks_pod *, size_t i);
/* Effective pod request from container requests (0.1 of the reference). */
void	podspec_effective(const struct ks_podspec *, const struct ks_res *ctr_req, struct ks_res *out);
int	pod_alive(const struct ks_pod *);	/* not gone and not succeeded */
/* How many pods a PDB allows to be disrupted now. */
int32_t	pdb_allowed(struct ks_cluster *, const struct ks_pdb *);
const struct ks_pdb *pdb_for_pod(struct ks_cluster *, const struct ks_pod *);

void	podspec_free(struct ks_podspec *);

/* "pod/ns/name" into a caller buffer */
const char *pod_ref(const struct ks_pod *, char *buf, size_t n);

#endif
