/*
 * ctl.h: the controller table.  Each autoscaler (hpa.c, vpa.c, ca.c,
 * karpenter.c) exports one `const struct ctl_ops`; the run walks ctl_table[]
 * in order, so controllers are set up, report and are freed in a fixed
 * order.  A controller registers its own periodic timers on the engine in
 * init (HPA every 15 s, VPA every 1 min, ...) and acts only through the
 * cluster_* operations, as the real ones act only through the API server.
 */
#ifndef KS_CTL_H
#define KS_CTL_H

#include <jansson.h>
#include <stdio.h>

#include "util/error.h"

struct ks_run;

struct ctl_ops {
	const char	*name;
	/* Parse the controller's documents and scenario block; NULL *state = not active. */
	int		(*init)(struct ks_run *, void **state, struct ks_error *);
	/* Add the controller's part of the JSON report to root (may be NULL). */
	void		(*report_json)(struct ks_run *, void *state, json_t *root);
	/* Print the controller's section of the text summary (may be NULL). */
	void		(*report_text)(struct ks_run *, void *state, FILE *fp);
	void		(*free)(void *state);
};

extern const struct ctl_ops *const ctl_table[];

#endif
