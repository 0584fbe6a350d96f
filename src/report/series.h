/*
 * series.h: the run sampled on a time grid, shared by csv.c and svg.c
 * (private to src/report/; see series.c for what is counted and how).
 */
#ifndef KS_REPORT_SERIES_H
#define KS_REPORT_SERIES_H

#include <stddef.h>
#include <stdint.h>

struct ks_run;

struct series {
	int64_t		  step_ms;	/* grid step */
	size_t		  n;		/* samples */
	int64_t		 *t;		/* sample times, ms */
	int32_t		 *pending;	/* pods pending at t */
	int32_t		 *running;	/* pods running at t */
	int32_t		 *nodes;	/* nodes alive at t */
	int64_t		 *cost;		/* cumulative cost at t, nano-USD */
	size_t		  nwl;		/* workloads */
	char		**wl_label;	/* "Deployment/web", "Deployment/ns/web" */
	int		 *wl_daemon;	/* a DaemonSet (left out of the chart) */
	int32_t		 *rep;		/* rep[w * n + i]: replicas of workload w at t[i] */
	size_t		  ngt;		/* node group/type pairs */
	char		**gt_label;	/* "default/m5.large", "static/m5.4xlarge" */
	int32_t		 *gt;		/* gt[g * n + i]: nodes of pair g at t[i] */
};

/* Sample r every step_ms from 0 to its end (the last sample is the end). */
void	series_build(struct ks_run *, struct series *, int64_t step_ms);
void	series_free(struct series *);

#endif
