/*
 * series.h: time series of a finished run (replicas per workload, nodes by
 * group and type, pending pods, cumulative cost), sampled on a fixed grid,
 * for --csv and --svg.
 */
#ifndef KS_SERIES_H
#define KS_SERIES_H

#include "util/error.h"

struct ks_run;

/* Write the CSV files into dir (created if missing). */
int	report_csv(struct ks_run *, const char *dir, struct ks_error *);
/* Write the SVG timeline chart to path (atomically). */
int	report_svg(struct ks_run *, const char *path, struct ks_error *);

#endif
