/*
 * metrics.h: the load model (true usage of every container over time) and
 * metrics-server's view of it (windowed averages at its resolution), which
 * is what the HPA and the VPA see.
 */
#ifndef KS_METRICS_H
#define KS_METRICS_H

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

#endif
