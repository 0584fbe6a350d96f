/*
 * sched_int.h: the scheduler's private state, shared by its two files:
 * sched.c (the queue, the pass, the search, the scores, the cluster
 * hook) and sched_filter.c (the per-template records, the inter-pod
 * context and the filters).  Nothing outside cluster/sched*.c includes
 * it.
 */
#ifndef KS_SCHED_INT_H
#define KS_SCHED_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/cluster.h"
#include "cluster/sched.h"
#include "cluster/topo.h"
#include "util/ptrmap.h"

/*
 * What the search reads of a node, by node id, so that checking a node is
 * (for a pod without extended resources) the first cache line here rather than misses in its struct, its facts and its
 * verdict.  room and the score inputs follow every bind and unbind the
 * cluster reports; the shape and the cordon flag are read again once per
 * scheduling pass (nothing relabels, taints or cordons a node while a
 * pass runs: autoscalers act from their own events).
 */
struct hot {
	uint32_t	pass;		/* the pass shape and unsched were read in */
	uint32_t	shape;		/* topo shape id + 1 */
	int32_t		unsched;	/* spec.unschedulable */
	int32_t		pad_;		/* (alignment) */
	struct ks_res	room;		/* alloc - used */
};

/* What scoring reads, by node id, apart: only feasible nodes are scored. */
struct hot_score {
	int64_t		alloc_cpu_m;	/* allocatable cpu, millicores */
	int64_t		alloc_mem_b;	/* allocatable memory, bytes */
	int64_t		nz_cpu_m;	/* NonZeroRequested cpu, millicores */
	int64_t		nz_mem_b;	/* NonZeroRequested memory, bytes */
	int64_t		memo_cpu_m;	/* the pod cpu request memo_base was scored for, -1 none */
	int64_t		memo_mem_b;	/* its memory request */
	int64_t		memo_base;	/* NodeResourcesFit + BalancedAllocation for it */
};

struct cand {
	uint32_t	node;
	int64_t		base;	/* fit + balanced */
	int64_t		taints;	/* untolerated PreferNoSchedule taints */
	int64_t		aff;	/* preferred affinity weight */
};

/* The scheduler's own state, one per cluster (cluster->sched). */
struct sched {
	struct ks_cluster	*c;		/* the cluster it serves (borrowed) */
	struct sched_opts	 opts;		/* profile knobs */
	struct sched_stats	 stats;		/* counters (benchmarks, tests) */
	struct ks_rng		 rng;		/* tie-break stream (seed, 2) */
	struct sim_event	*ev;		/* the pending scheduling pass, or NULL */
	int			 retry_armed;	/* the periodic unschedulable retry is queued */
	int			 changed;	/* something that may unblock pods happened */
	size_t			 next_start;	/* kube-scheduler's nextStartNodeIndex */
	struct cand		*cands;		/* scratch: scored candidates */
	size_t			 candcap;	/* its capacity */
	uint32_t		*live;		/* ids of registered nodes (Ready or deleting), by id */
	size_t			 nlive, livecap;
	int			 live_dirty;	/* the node set changed: rebuild live */
	size_t			 nanti;		/* pods ever created with required anti-affinity */
	uint32_t		*anti_ids;	/* ids of those without a controller, in creation order */
	size_t			 nanti_bare, anticap; /* their number, capacity */
	uint64_t		 live_ver;	/* bumped when the node set changes (from 1) */
	struct hot		*hot;		/* by node id: what the search reads of a node */
	struct hot_score	*hsc;		/* by node id: what scoring reads */
	int64_t			*minprio;	/* by node id: lowest priority of its pods, PRIO_UNKNOWN stale */
	size_t			 hotcap;	/* entries of hot, hsc and minprio */
	uint64_t		 bind_ver;	/* bumped by every bind, unbind and node change */
	uint32_t		 pass;		/* scheduling passes run (stamps hot records) */
	uint32_t		 swept;		/* the pass whose start read every live node's facts */
	uint64_t		 swept_ver;	/* live_ver then */
	struct topo		*topo;		/* per-node facts and per-workload counts */
	struct ptrmap		 spec_idx;	/* pod template -> struct spec_info */
	struct spec_info	**infos;	/* the same records, to free them */
	size_t			 ninfos, infocap;
};

#define NO_TAINT	UINT16_MAX
#define PRIO_UNKNOWN	INT64_MIN

/* Static filter results of one pod template on one node shape. */
struct verdict {
	uint8_t		known;		/* computed */
	uint8_t		aff_ok;		/* nodeSelector and required node affinity pass */
	uint16_t	taint;		/* first untolerated NoSchedule/NoExecute taint, or NO_TAINT */
	int32_t		prefer;		/* untolerated PreferNoSchedule taints (scoring) */
	int64_t		aff_w;		/* preferred node affinity weight (scoring) */
};

/* Ids of the workloads whose template a term selects, extended as workloads appear. */
struct idlist {
	uint32_t	*v;
	size_t		 n, cap;
};

/* A workload's required anti-affinity term that selects a template. */
struct anti_ref {
	uint32_t	wl;		/* workload id */
	uint32_t	term;		/* index in its spec.pod_anti */
};

/* Eligible domains of one topology spread constraint (non-hostname key). */
struct domlist {
	const char	**v;		/* interned domain values, each once */
	size_t		 n, cap;
};

/*
 * What the scheduler keeps per pod template (a workload's spec, or a bare
 * pod's): the verdicts of its static filters per node shape, and the
 * workloads its inter-pod terms select.  Templates live as long as the
 * cluster, so the record is kept for the run, keyed by the spec pointer.
 */
struct spec_info {
	const struct ks_podspec	*spec;		/* the template (borrowed) */
	const char		*ns;		/* namespace of its pods */
	int			 by_shape;	/* static filters read only the node shape */
	int			 tol_unsched;	/* tolerates node.kubernetes.io/unschedulable */
	struct verdict		*v;		/* per shape id */
	size_t			 nv;
	struct idlist		*aff, *anti, *tsc;	/* per term of the spec */
	struct anti_ref		*xanti;		/* other workloads' anti terms selecting it */
	size_t			 nxanti, xanticap;
	size_t			 wls_seen;	/* c->wls[0, wls_seen) matched so far */
	struct domlist		*tsc_dom;	/* per topology spread constraint */
	uint64_t		 tsc_ver;	/* live_ver tsc_dom was built for; 0 = never */
	uint32_t		 use_pass;	/* the pass uses counts pods in */
	uint32_t		 uses;		/* its pods searched for in that pass */
	uint32_t		*skip;		/* by live position: next one its static filters pass */
	size_t			 skipcap;	/* entries of skip */
	uint32_t		 skip_pass;	/* the pass skip was built in, 0 none */
	int			 skip_flat;	/* no laid-out node has a preference score */
	uint32_t		 fail_pass;	/* the pass fail_reason was found in, 0 none */
	uint64_t		 fail_ver;	/* bind_ver then */
	struct ks_res		 fail_req;	/* the requests of the pod that failed */
	const char		*fail_reason;	/* its FailedScheduling message, interned */
};

struct sched	*sched_of(const struct ks_cluster *);
/* Rebuild the list of registered nodes when the node set changed. */
void		 sched_live_rebuild(struct sched *);

/* sched_filter.c */
/* The record of p's template; *own: a temporary one the caller frees. */
struct spec_info *sched_spec_get(struct sched *, const struct ks_pod *p, int *own);
void		 sched_spec_free(struct spec_info *);
/* Static verdicts of si's template on n, shared per node shape; NULL when not shareable. */
const struct verdict *sched_verdict(struct sched *, struct spec_info *si, const struct ks_node *n);
/* sched_fits with p's template record si at hand (NULL: evaluate everything). */
int		 sched_fits_si(struct sched *, struct spec_info *si, const struct ks_pod *p,
		    const struct ks_node *n, const struct ks_res *extra, struct sched_ctx *x,
		    struct sched_fit *out);
int		 sched_node_affinity_ok(const struct ks_podspec *, const struct ks_node *);
/* The inter-pod context of p (NULL when none applies); own: si is the context's to free. */
struct sched_ctx *sched_ctx_make(struct sched *, const struct ks_pod *p, struct spec_info *si,
		    int own);
/* The inter-pod filters on node id, whose facts were read in this pass. */
int		 sched_interpod_ok(struct sched *, const struct ks_podspec *, uint32_t id,
		    struct sched_ctx *);

#endif
