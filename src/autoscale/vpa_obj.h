/*
 * vpa_obj.h: one VerticalPodAutoscaler as the VPA controller (vpa.c) holds
 * it, and the parser of its document (vpa_parse.c).  Private to the VPA:
 * nothing outside src/autoscale/vpa*.c includes it.
 */
#ifndef KS_VPA_OBJ_H
#define KS_VPA_OBJ_H

#include <stddef.h>
#include <stdint.h>

#include "autoscale/vpa_calc.h"
#include "cluster/cluster.h"
#include "util/error.h"

struct ks_scenario;
struct ks_doc;
struct yt_node;

enum vpa_mode {
	VPA_MODE_OFF,
	VPA_MODE_INITIAL,
	VPA_MODE_RECREATE,
	VPA_MODE_AUTO,
	VPA_MODE_INPLACE_OR_RECREATE,
};
extern const char *const vpa_mode_name[];	/* by enum vpa_mode */

/* resourcePolicy.containerPolicies[] */
struct vpa_ctr_policy {
	const char		*ctr;		/* interned containerName, "*" = default */
	struct vpa_cpolicy	 pol;		/* mode, min/maxAllowed, controlled */
};

/* updatePolicy.evictionRequirements[] */
struct vpa_evreq {
	unsigned		 res;		/* VPA_RES_BIT mask of resources */
	int			 higher;	/* TargetHigherThanRequests, else Lower */
};

/* The status recommendation of one container name. */
struct vpa_crec {
	const char		*ctr;		/* interned container name */
	struct vpa_rec		 rec;		/* capped target, bounds, uncapped */
};

/* One recommender loop's status, for the report's samples[]. */
struct vpa_sample {
	int64_t			 at_ms;		/* when the loop ran */
	struct vpa_crec		*recs;		/* owned */
	size_t			 nrecs;
};

struct vpa_obj {
	const char		*name, *ns;	/* interned */
	struct ks_mark		 mark;		/* the document */
	enum wl_kind		 tkind;		/* targetRef kind */
	const char		*tname;		/* interned targetRef name */
	enum vpa_mode		 mode;		/* updatePolicy.updateMode */
	int			 mode_set;	/* updateMode was given */
	int			 min_replicas;	/* updatePolicy.minReplicas, -1 = the flag */
	struct vpa_ctr_policy	*pols;		/* container policies, in order */
	size_t			 npols;
	struct vpa_evreq	*evreqs;	/* eviction requirements */
	size_t			 nevreqs;
	int64_t			 created_ms;	/* creation time (0, or its timeline create) */
	size_t			 seq;		/* document order */
	struct vpa_crec		*recs;		/* current status recommendation, owned */
	size_t			 nrecs;
	int64_t			 provided_ms;	/* first recommendation, -1 = none yet */
	int			 pod_count;	/* pods selected at the last loop */
	int			 loop_count;	/* pods selected in this loop, so far */
	struct vpa_sample	*samples;	/* one per recommender loop */
	size_t			 nsamples, samplecap;
	int			 evictions;	/* pods evicted by the updater */
	int			 pdb_blocked;	/* evictions a PDB refused */
	int			 admitted;	/* pods whose requests admission set */
	char			**warnings;	/* owned messages for the report */
	size_t			 nwarnings;
};

/*
 * Parse VerticalPodAutoscaler document d, created at at_ms, into v (which
 * it zeroes first); its targetRef must be a workload scn declares.
 */
int	vpa_parse(const struct ks_scenario *scn, const struct ks_doc *d, int64_t at_ms,
	    struct vpa_obj *v, struct ks_error *err);
/* The ksim.io/vpa-version annotation ("1.4" -> 1, 4); *at = its node, NULL when absent. */
int	vpa_parse_version(const struct ks_doc *d, int *major, int *minor,
	    const struct yt_node **at, struct ks_error *err);

#endif
