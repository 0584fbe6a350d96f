/*
 * csv_autoscale.h: the autoscalers' series as CSV files beside csv.c's
 * (private to src/report/).  csv.c lends its writers, so both quote and
 * write files the same way.
 */
#ifndef KS_REPORT_CSV_AUTOSCALE_H
#define KS_REPORT_CSV_AUTOSCALE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

struct ks_run;

struct csv_writers {
	/* write buf (owned, freed) as dir/name, atomically */
	int		(*write_file)(const char *dir, const char *name, char *buf, size_t len,
			    struct ks_error *);
	/* s, RFC 4180 quoted when it must be */
	void		(*quoted)(FILE *, const char *s);
	/* seconds with at most millisecond digits */
	const char	*(*secs)(int64_t ms, char *buf, size_t n);
};

/*
 * hpa.csv (one row per HPA sync and metric), vpa.csv (one row per VPA
 * recommendation and container) and decisions.csv (when the run recorded
 * them), each written only when the run has what it holds.
 */
int	csv_autoscale(struct ks_run *, const char *dir, const struct csv_writers *,
	    struct ks_error *);

#endif
