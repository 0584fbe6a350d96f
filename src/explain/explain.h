/*
 * explain.h: decision records, the answer to "why" (ksim explain).
 *
 * Every controller already decides for a reason it could name: the
 * scheduler's FitError, the Cluster Autoscaler's NotTriggerScaleUp message
 * and each node's UnremovableReason, Karpenter's Unconsolidatable message,
 * the HPA's conditions, the VPA updater's eviction verdict.  This module
 * keeps those reasons as records, one vector owned by the run:
 *
 *	time span, controller, object, rule code, up to four int64 inputs,
 *	an interned message (the upstream wording, as the event prints it)
 *	and an interned "by" (the object that decided: a PDB, a pod, a pool).
 *
 * A record is a state, not a sample: a note that repeats the last record
 * of the same object and controller (same rule, message, by and inputs)
 * only extends it (last time, count), so an HPA held by its stabilization
 * window for 300 s is one record of ~20 syncs, and a pending pod whose
 * reason never changes is one record until it binds.
 *
 * Cost: recording is off unless asked for (`ksim explain`, `run
 * --explain`, or an expectation that reads decisions): the run's log is
 * then NULL and every xp_* call returns at once; the scheduler's notes
 * come through cluster hooks registered only when the log exists.  Objects
 * are interned "kind/ns/name" strings, built only when recording.
 *
 * Ownership: xp_log_new() returns an owned log, xp_log_free() releases it;
 * records borrow interned strings only.
 */
#ifndef KS_EXPLAIN_H
#define KS_EXPLAIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/ptrmap.h"

struct ks_cluster;
struct ks_node;
struct ks_pod;
struct sim;

/* Who decided. */
enum xp_ctl {
	XP_SCHED,		/* kube-scheduler */
	XP_CLUSTER,		/* the kubelet and the API server: ready, removed */
	XP_CA,			/* cluster-autoscaler */
	XP_KARPENTER,		/* karpenter */
	XP_HPA,			/* horizontal-pod-autoscaler */
	XP_VPA,			/* vpa-recommender, vpa-updater */
	XP_CTL_N
};

/* The rule that decided; names and input names in xp_rules[] (record.c). */
enum xp_rule {
	XR_UNSCHEDULABLE,	/* sched: FitError, message per group of nodes */
	XR_BOUND,		/* sched: bound to the node in by */
	XR_NODE_LAUNCHED,	/* cluster: asked for (billing starts) */
	XR_NODE_READY,		/* cluster: joined Ready */
	XR_NODE_REMOVED,	/* cluster: gone; message = by whom */
	XR_CA_NOSCALEUP,	/* CA: NotTriggerScaleUp */
	XR_CA_TRIGGERED,	/* CA: TriggeredScaleUp */
	XR_CA_SCALEUP,		/* CA: a node group grows */
	XR_CA_UNNEEDED,		/* CA: node unneeded since in[0] */
	XR_CA_UNREMOVABLE,	/* CA: node kept; message = UnremovableReason */
	XR_CA_BLOCKED,		/* CA: BlockedByPod; by = the PDB when NotEnoughPdb */
	XR_CA_DELETING,		/* CA: tainted ToBeDeleted, draining */
	XR_CA_FAILED_EVICT,	/* CA: drain aborted, a PDB said no */
	XR_KP_UNSCHEDULABLE,	/* Karpenter: no NodePool/instance type fits the pod */
	XR_KP_NOMINATED,	/* Karpenter: the pod should schedule on a claim */
	XR_KP_LAUNCH,		/* Karpenter: a NodeClaim launched */
	XR_KP_UNCONSOLIDATABLE,	/* Karpenter: node kept, message says why */
	XR_KP_DISRUPT,		/* Karpenter: node disrupted, message = the reason */
	XR_KP_BLOCKED,		/* Karpenter: a candidate the pool's budget holds (by = the pool) */
	XR_HPA_RESCALE,		/* HPA: SuccessfulRescale */
	XR_HPA_HELD,		/* HPA: proposal not applied; message = condition */
	XR_HPA_LIMITED,		/* HPA: ScalingLimited True (min/max, rate) */
	XR_VPA_RECOMMEND,	/* VPA: a container's recommendation */
	XR_VPA_EVICT,		/* VPA updater: evicts the pod */
	XR_VPA_KEEP,		/* VPA updater: keeps the pod; message why */
	XR_N
};

struct xp_rule_info {
	const char	*name;		/* the upstream word: "BlockedByPod" */
	enum xp_ctl	 ctl;		/* who uses it */
	const char	*wording;	/* printed when a record has no message */
	const char	*in[4];		/* names of the inputs, NULL = unused */
	int		 state;		/* a state: repeats merge whatever their inputs (the first kept) */
};
extern const struct xp_rule_info xp_rules[XR_N];
extern const char *const xp_ctl_name[XP_CTL_N];

struct xp_rec {
	int64_t		 first_ms;	/* the first note, simulated ms */
	int64_t		 last_ms;	/* the last note that repeated it */
	int64_t		 in[4];		/* inputs, meaning per rule (xp_rules[].in) */
	const char	*obj;		/* interned "node/NAME", "pod/NS/NAME", ... */
	const char	*msg;		/* interned upstream wording, or NULL */
	const char	*by;		/* interned object that decided, or NULL */
	uint32_t	 count;		/* notes merged */
	uint16_t	 rule;		/* enum xp_rule */
};

struct xp_log {
	const struct sim *sim;		/* its clock (borrowed) */
	struct xp_rec	*v;		/* records, in order of first note */
	size_t		 n, cap;
	struct xp_obj	**objs;		/* per object: last record per controller (owned) */
	size_t		 nobjs, objcap;
	struct ptrmap	 idx;		/* interned obj -> its objs[] entry */
};

/* The inputs of a note (compound literal at the call site). */
struct xp_in {
	const char	*msg;		/* wording, copied into the pool (need not be interned) */
	const char	*by;		/* deciding object, likewise */
	const char	*by_kind;	/* when set, by is a name and the object "by_kind/by" */
	const char	*by_ns;		/* with by_kind: "by_kind/by_ns/by" */
	int64_t		 v[4];		/* inputs */
};

struct xp_log *xp_log_new(const struct sim *);
void	xp_log_free(struct xp_log *);
/* Listen to the cluster's pods and nodes (scheduler verdicts, ready, removed). */
void	xp_log_attach(struct xp_log *, struct ks_cluster *);

/* Note a decision about an object now; every form is a no-op on a NULL log. */
void	xp_note(struct xp_log *, const char *obj, enum xp_rule, const struct xp_in *);
void	xp_pod(struct xp_log *, const struct ks_pod *, enum xp_rule, const struct xp_in *);
void	xp_node(struct xp_log *, const struct ks_node *, enum xp_rule, const struct xp_in *);
/* "kind/ns/name", ns NULL = "kind/name" */
void	xp_obj(struct xp_log *, const char *kind, const char *ns, const char *name,
	    enum xp_rule, const struct xp_in *);
/* A CA node verdict from its UnremovableReason (ca/scaledown.c's ni->why). */
void	xp_ca_node(struct xp_log *, struct ks_cluster *, const struct ks_node *,
	    const char *why, int64_t unneeded_since, double util);

struct hpa_decision;
struct hpa_metric_result;
struct vpa_config;
struct vpa_priority;
struct vpa_rec;
/* One HPA sync (xp_ctl.c): rescaled, limited or held, and by what. */
void	xp_hpa(struct xp_log *, const char *ns, const char *name, const struct hpa_decision *,
	    const struct hpa_metric_result *res, size_t nres);
/* A VPA container's recommendation. */
void	xp_vpa_rec(struct xp_log *, const char *ns, const char *name, const char *ctr,
	    const struct vpa_rec *);
/* The updater's verdict on a pod that is not an eviction candidate (or fails its requirements). */
void	xp_vpa_verdict(struct xp_log *, const struct ks_pod *, const char *vpa_ns,
	    const char *vpa_name, const struct vpa_config *,
	    const struct vpa_priority *, int quick_oom, int64_t now, int evreqs_hold);

/* The records of an object, or of every object when obj is NULL, as JSON. */
json_t	*xp_json(const struct xp_log *, const char *obj);
json_t	*xp_rec_json(const struct xp_rec *);
/* One record as a line of text ("  10m00s-15m00s  cluster-autoscaler  ..."). */
void	xp_rec_print(FILE *, const struct xp_rec *);
/* The rule whose name is s, or -1. */
int	xp_rule_find(const char *s);

#endif
