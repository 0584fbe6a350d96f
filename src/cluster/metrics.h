/*
 * metrics.h: the load model (true usage of every container over time) and
 * metrics-server's view of it (windowed averages at its resolution), which
 * is what the HPA and the VPA see.
 *
 * Ownership: the run owns the state (ks_run.metrics): metrics_init()
 * parses the model and attaches it (idempotent: a second call for the same
 * run returns 0 at once); metrics_free() releases it.  Every function
 * accepts a run without a model: usage is then 0 and metrics-server
 * reports every running container at 0.
 *
 * Contract: within one engine event, a caller reads metrics before it
 * changes pods (as the HPA and the VPA recommender do: read, decide, act).
 * A workload's ready count at the current instant is remembered for the
 * rest of the event, so a read after an eviction or a scale in the same
 * event would not see it.
 */
#ifndef KS_METRICS_H
#define KS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct ks_run;
struct ks_pod;

/* Parse spec.load and spec.metricsServer of the Scenario; attach to the run. */
int	metrics_init(struct ks_run *, struct ks_error *);
void	metrics_free(struct ks_run *);
/* True usage of container i of pod p at time t (cpu millicores, memory bytes). */
void	metrics_usage(struct ks_run *, const struct ks_pod *, size_t ctr, int64_t t_ms,
	    int64_t *cpu_m, int64_t *mem_b);
/*
 * What metrics-server reports now for container i of pod p: 0 and the values
 * (windowed average cpu, working-set memory, timestamp, window) when it has a
 * sample, KS_ENOENT when it has none yet (pod too young or not running).
 */
int	metrics_pod(struct ks_run *, const struct ks_pod *, size_t ctr,
	    int64_t *cpu_m, int64_t *mem_b, int64_t *ts_ms, int64_t *window_ms);
/*
 * A custom per-pod metric (HPA type Pods) as the custom metrics API reports
 * it now, in milli-units: KS_ENOENT when no load entry of the pod's workload
 * defines `name` or the pod is not running.
 */
int	metrics_pod_custom(struct ks_run *, const struct ks_pod *, const char *name,
	    int64_t *value_m, int64_t *ts_ms, int64_t *window_ms);
/* An Object metric (describedObject kind/name in ns) now, milli-units; KS_ENOENT if none. */
int	metrics_object(struct ks_run *, const char *ns, const char *kind, const char *name,
	    const char *metric, int64_t *value_m);
/* An External metric now (the sum of its series), milli-units; KS_ENOENT if none. */
int	metrics_external(struct ks_run *, const char *ns, const char *metric, int64_t *value_m);
/* metrics-server's scrape interval (--metric-resolution), ms. */
int64_t	metrics_resolution(struct ks_run *);

/* A metrics-server release as one number: MS_VER(0, 7, 2) = 702. */
#define MS_VER(a, b, c)		((a) * 10000 + (b) * 100 + (c))
#define MS_VER_FRESH		MS_VER(0, 5, 0)	/* first with the fresh-container rule */
#define MS_VER_DEFAULT		MS_VER(0, 9, 0)	/* simulated when nothing names one */
#define MS_FRESH_MIN_MS		10000	/* freshContainerMinMetricsResolution */

/*
 * podStorage.Store's rule for one container (pure, for tests): does the
 * scrape at ts_ms report the container started at start_ms, and from when
 * is its CPU rate taken (*from_ms; the window is ts_ms - *from_ms)?
 * prev_ms is the previous scrape, -1 when there was none.  1 when it is
 * reported, 0 when not.
 */
int	metrics_server_reports(int version, int64_t res_ms, int64_t start_ms, int64_t prev_ms,
	    int64_t ts_ms, int64_t *from_ms);
/* The simulated metrics-server release and where it came from ("default", an image, ...). */
int	metrics_server_version(struct ks_run *, const char **source);

#endif
