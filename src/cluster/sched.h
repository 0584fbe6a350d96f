/*
 * sched.h: kube-scheduler: filter, score, bind, and the FailedScheduling
 * message.  The scheduler plugs into a cluster as its cluster_sched_ops
 * (sched_attach) and keeps its own state; it runs as an engine event
 * whenever a pod is queued or something may unblock a pending one, at the
 * same simulated millisecond.
 *
 * Ownership: sched_attach() gives the scheduler's state to the cluster,
 * which frees it in cluster_free(); the functions below take the cluster
 * and find the scheduler in it.
 */
#ifndef KS_SCHED_H
#define KS_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/cluster.h"

/* The profile's knobs (KubeSchedulerConfiguration). */
struct sched_opts {
	int	most_allocated;		/* score with MostAllocated instead of LeastAllocated */
	int	pct_nodes_to_score;	/* percentageOfNodesToScore, 0 = adaptive */
};

/* Counters, for benchmarks and tests. */
struct sched_stats {
	uint64_t	attempts;	/* pods tried by the scheduler */
	uint64_t	filter_calls;	/* node checks made */
};

/* Plug a scheduler into c (o NULL: the defaults); its stream is (c->seed, 2). */
void	sched_attach(struct ks_cluster *, const struct sched_opts *o);
const struct sched_stats *sched_stats(const struct ks_cluster *);

/* Filter outcome for one node (a bit per failed check). */
enum sched_fail {
	SF_UNSCHEDULABLE = 1 << 0,	/* node(s) were unschedulable */
	SF_NODENAME = 1 << 1,		/* didn't match the requested node name */
	SF_TAINT = 1 << 2,		/* had untolerated taint */
	SF_AFFINITY = 1 << 3,		/* didn't match Pod's node affinity/selector */
	SF_RESOURCES = 1 << 4,		/* Insufficient <resource> / Too many pods */
	SF_SPREAD = 1 << 5,		/* topology spread constraints */
	SF_SPREAD_LABEL = 1 << 6,	/* topology spread: missing required label */
	SF_POD_AFF = 1 << 7,		/* pod affinity rules */
	SF_POD_ANTI = 1 << 8,		/* pod anti-affinity rules */
	SF_EXISTING_ANTI = 1 << 9,	/* existing pods anti-affinity rules */
};

struct sched_fit {
	unsigned		 fail;		/* SF_* of the first failing filter */
	unsigned		 short_res;	/* RES_* bits when SF_RESOURCES */
	const struct ks_taint	*taint;		/* the untolerated taint when SF_TAINT */
};

/*
 * Does pod p fit node n, given `extra` already-requested resources on top of
 * what is bound (autoscalers use extra to pack pods onto a template node)?
 * Runs the filters in kube-scheduler's order and stops at the first failure.
 * ctx may be NULL (no inter-pod terms are evaluated then).
 */
struct sched_ctx;
int	sched_fits(struct ks_cluster *, const struct ks_pod *, const struct ks_node *,
	    const struct ks_res *extra, struct sched_ctx *ctx, struct sched_fit *out);
/* Inter-pod context for one pod (topology counts); NULL when the pod has none. */
struct sched_ctx *sched_ctx_new(struct ks_cluster *, const struct ks_pod *);
void	sched_ctx_free(struct sched_ctx *);

/* Run one scheduling pass over the queue now (the engine event calls this). */
void	sched_run(struct ks_cluster *);

/*
 * Build kube-scheduler's FitError text for pod p over the nodes it can see,
 * "0/3 nodes are available: 1 Insufficient memory, 2 Insufficient cpu.
 * preemption: 0/3 nodes are available: 3 No preemption victims found for
 * incoming pod.." into buf.  Returns 1 if some node fits (buf untouched).
 */
int	sched_explain(struct ks_cluster *, const struct ks_pod *, char *buf, size_t n);

/* Histogram of reasons -> "a, b, c" helper shared with autoscaler messages. */
struct sched_hist {
	const char	*reason[32];	/* interned */
	int		 count[32];
	int		 n;
};
void	sched_hist_add(struct sched_hist *, const char *reason);
void	sched_hist_add_fit(struct sched_hist *, const struct sched_fit *);
/* "1 Insufficient memory, 2 Insufficient cpu": sorted as Go's sort.Strings. */
size_t	sched_hist_format(const struct sched_hist *, char *buf, size_t n);

#endif
