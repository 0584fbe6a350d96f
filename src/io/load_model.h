/*
 * load_model.h: the Scenario's load model as written: the entries of
 * `spec.load` (the usage of a workload's pods, per pod or shared, and the
 * values of Object and External metrics, each a constant, a series of
 * points or a CSV trace) and `spec.metricsServer`'s scrape timing, parsed
 * and checked against the scenario's workloads.
 *
 * This is input, not behaviour: what a pod uses at a given time and what
 * metrics-server reports of it are cluster/metrics.c's, which reads the
 * parsed model.  Keeping the YAML here leaves the model free of the
 * document format, as the other io/ loaders do for the cluster.
 */
#ifndef KS_LOAD_MODEL_H
#define KS_LOAD_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "cluster/cluster.h"
#include "util/error.h"

struct ks_scenario;

#define LM_RES_DEFAULT	15000		/* metrics-server --metric-resolution, ms */

enum { LM_CPU, LM_MEM, LM_FIXED };	/* channels every entry has, then custom metrics */

enum lm_target {
	LM_WORKLOAD,			/* pods of a workload */
	LM_OBJECT,			/* an Object metric */
	LM_EXTERNAL,			/* an External metric */
};

struct lm_point {
	int64_t		 at_ms;		/* relative to the entry's `from`, ms */
	int64_t		 v;		/* millicores, bytes or milli-units */
	int		 linear;	/* ramp linearly from the previous point */
};

struct lm_chan {
	const char	*name;		/* interned: "cpu", "memory" or a metric name */
	struct lm_point	*pts;		/* in time order */
	size_t		 n, cap;	/* points used, allocated */
};

struct lm_entry {
	enum lm_target	 target;	/* what the entry feeds */
	enum wl_kind	 kind;		/* LM_WORKLOAD: workload kind */
	const char	*ns;		/* interned namespace */
	const char	*name;		/* interned workload, object or metric name */
	const char	*obj_kind;	/* LM_OBJECT: interned kind */
	const char	*metric;	/* LM_OBJECT: interned metric name */
	const char	*container;	/* interned container, NULL = the first one */
	int		 shared;	/* split over ready pods (else per pod) */
	int64_t		 from_ms;	/* active from, ms */
	int64_t		 until_ms;	/* active until (exclusive), -1 = forever */
	struct lm_chan	*ch;		/* LM_CPU, LM_MEM, then custom metrics */
	size_t		 nch, chcap;	/* channels used, allocated */
	struct ks_mark	 mark;		/* where the entry was written */
};

struct load_model {
	int64_t		 res_ms;	/* metrics-server scrape interval, ms */
	int64_t		 offset_ms;	/* first scrape, ms */
	int		 ms_version;	/* metrics-server release (MS_VER), 0 = not named */
	const char	*ms_version_src; /* interned: where it was named, or NULL */
	struct lm_entry	*e;		/* load entries in spec order */
	size_t		 n;		/* entries */
};

/*
 * Parse spec.metricsServer and spec.load of the scenario into lm (zeroed
 * first; defaults when absent).  On error lm holds nothing to free.
 */
int	load_model_parse(const struct ks_scenario *, struct load_model *lm,
	    struct ks_error *);
void	load_model_free(struct load_model *);

/*
 * A release "v0.7.2", "0.7" or "1.4.1" as major * 10000 + minor * 100 +
 * patch; -1 when s is not one.
 */
int	lm_release_parse(const char *s);
/*
 * The release of a component deployed by the scenario's manifests: the tag
 * of the first container image whose last path element is `component`
 * (registry.k8s.io/metrics-server/metrics-server:v0.7.2 for
 * "metrics-server"), in a Deployment, StatefulSet, DaemonSet or Pod.
 * Returns the release (as lm_release_parse) and *image, or 0 when none
 * names a release.
 */
int	lm_image_release(const struct ks_scenario *, const char *component, const char **image);

#endif
