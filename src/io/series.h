/*
 * series.h: time series of a finished run (replicas per workload, nodes by
 * group and type, pending pods, cumulative cost), sampled on a fixed grid,
 * for --csv and --svg.
 */
#ifndef KS_SERIES_H
#define KS_SERIES_H

#include <stdint.h>

#include "util/error.h"

struct ks_run;

/* Write series.csv, pods.csv, nodes.csv and events.csv into dir (created if missing). */
int	report_csv(struct ks_run *, const char *dir, struct ks_error *);
/* Write the SVG timeline chart to path (atomically). */
int	report_svg(struct ks_run *, const char *path, struct ks_error *);
/* The sampling step: 200 samples or one every 15 s, whichever is coarser (whole seconds). */
int64_t	series_step_ms(int64_t duration_ms);

#endif
