/*
 * ctl.h: the controller table.  Each autoscaler (hpa.c, vpa.c, ca.c,
 * karpenter.c) exports one `const struct ctl_ops`; the run walks ctl_table[]
 * in order, so controllers are set up, report and are freed in a fixed
 * order.  A controller registers its own periodic timers on the engine in
 * init (HPA every 15 s, VPA every 1 min, ...) and acts only through the
 * cluster_* operations, as the real ones act only through the API server.
 *
 * A controller declares here what it claims of the input: the kinds of
 * the documents it parses (the loader keeps those documents for it) and
 * the keys of the Scenario's spec it reads (the loader allows them), so
 * adding a controller touches its own folder and this table, not the
 * loader.  It contributes to the report data, not text: its `report` op
 * adds its JSON sections, and each format renders them (src/report/).
 */
#ifndef KS_CTL_H
#define KS_CTL_H

#include <jansson.h>

#include "util/error.h"

struct ks_run;

struct ctl_ops {
	const char	*name;		/* "hpa", ...: also names its text section (report/text.c) */
	const char *const *kinds;	/* the kinds whose documents it parses, NULL-terminated */
	const char *const *spec_keys;	/* the Scenario spec keys it reads, NULL-terminated */
	/* Parse the controller's documents and scenario block; NULL *state = not active. */
	int		(*init)(struct ks_run *, void **state, struct ks_error *);
	/*
	 * Add the controller's data to root: its sections of the JSON report,
	 * holding everything any format prints of it (may be NULL).  The
	 * formats render these sections (report/text_*.c); a controller
	 * writes no text itself.
	 */
	void		(*report)(struct ks_run *, void *state, json_t *root);
	void		(*free)(void *state);
};

extern const struct ctl_ops *const ctl_table[];

#endif
