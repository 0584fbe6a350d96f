/*
 * svg_autoscale.h: the chart's panels about the autoscalers studied, under
 * svg.c's (private to src/report/).
 */
#ifndef KS_REPORT_SVG_AUTOSCALE_H
#define KS_REPORT_SVG_AUTOSCALE_H

#include <stdint.h>
#include <stdio.h>

struct ks_run;

/* Where svg.c's plots are, so these panels share their time axis. */
struct svg_geom {
	int		 x0, x1;	/* the plots' left and right edges */
	int		 legend_x;	/* legends start here */
	int		 y0;		/* the top of the first panel here */
	int64_t		 end;		/* the run's end, ms: the time axis */
	int64_t		 tstep;		/* the time grid's step, ms */
};

/* The height the panels of r need (0: none, the chart is as it was). */
int	svg_autoscale_height(struct ks_run *);
/* Draw them from g->y0 down. */
void	svg_autoscale(FILE *, struct ks_run *, const struct svg_geom *);

#endif
