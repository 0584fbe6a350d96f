/*
 * plan.h: capacity planning: `ksim plan headroom|nodes|cost ...`.
 * plan_main() takes the command line after "ksim" (argv[0] is "plan") and
 * returns an exit status (0 ok, 1 the cheapest option is over --max-cost,
 * 2 bad usage or input).  The functions below are the library behind it,
 * exported for the tests.
 *
 * Ownership: every array handed out through a `**out` is owned by the
 * caller and released with free() (or the matching _free function); the
 * instance types they point to are borrowed from the catalog.
 * Money is nano-USD (int64_t), times are simulated ms.
 */
#ifndef KS_PLAN_H
#define KS_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct catalog;
struct cat_itype;
struct ks_run;
struct ks_pod;

#define PLAN_DAY_MS	INT64_C(86400000)		/* a day */
#define PLAN_MONTH_MS	(INT64_C(730) * 3600 * 1000)	/* AWS's billing month: 730 hours */

/* One candidate of `plan nodes`: an instance type bought one way. */
struct plan_option {
	const struct cat_itype	*it;		/* borrowed from the catalog */
	int			 spot;		/* 1 spot, 0 on-demand */
	int			 viable;	/* 0: cannot serve the workload, see why */
	char			 why[240];	/* not viable: the reason */
	int64_t			 price_nusd_h;	/* price, nano-USD per hour */
	int			 est_nodes;	/* first-fit-decreasing estimate, nodes */
	int			 nodes;		/* nodes needed (simulated), nodes */
	int64_t			 cost_nusd;	/* cost over the scenario, nano-USD */
	int64_t			 peak_ms;	/* when requests peaked in the simulation */
	int			 cpu_pm;	/* requested/allocatable cpu at peak, per mille */
	int			 mem_pm;	/* requested/allocatable memory at peak, per mille */
	int			 unsched;	/* pods that ever failed to schedule, pods */
	int64_t			 burst_ms;	/* longest creation-to-binding wait, ms; -1 never bound */
	int			 failed;	/* the simulation could not run (message in why) */
};

/*
 * --instance-types LIST: comma-separated names and shell globs over the
 * catalog ("c6i.*,m6i.large").  Types come out in catalog (name) order,
 * each once.  A name that is not in the catalog, or a glob that matches
 * nothing, is KS_EUSAGE with a message naming `flag` and the value.
 */
int	plan_types_parse(const struct catalog *, const char *flag, const char *list,
	    const struct cat_itype ***out, size_t *n, struct ks_error *);
/* --capacity-type LIST: "on-demand", "spot" -> bit 0 on-demand, bit 1 spot. */
int	plan_captypes_parse(const char *flag, const char *list, unsigned *mask,
	    struct ks_error *);
/* "12.5" USD -> nano-USD; 0 or KS_EUSAGE (negative, empty, junk). */
int	plan_usd_parse(const char *flag, const char *s, int64_t *nusd, struct ks_error *);

/*
 * The ranking: options that serve every pod (viable, nothing left
 * unschedulable) by total cost, then nodes, then type name, on-demand
 * before spot; then viable options that leave pods unschedulable (fewest
 * first, then cost); then the options that are not viable, by name.
 */
void	plan_rank(struct plan_option *, size_t n);
/* The first option if it serves every pod, else NULL. */
const struct plan_option *plan_cheapest(const struct plan_option *, size_t n);

/* A cost over run_ms scaled to period_ms, rounded to the nearest nano-USD. */
int64_t	plan_scale(int64_t nusd, int64_t run_ms, int64_t period_ms);

/* One line of a cost breakdown. */
struct plan_cost_line {
	char		 name[240];	/* node group / pool, or Kind/ns/name */
	int		 count;		/* groups: nodes; workloads: pods */
	int64_t		 nusd;		/* cost over the run, nano-USD */
	int64_t		 idle_nusd;	/* groups: paid for but not requested, nano-USD */
};

struct plan_cost {
	int64_t			 run_ms;	/* simulated time */
	int64_t			 total_nusd;	/* every node, as billed */
	int64_t			 ondemand_nusd;	/* on-demand nodes */
	int64_t			 spot_nusd;	/* spot nodes */
	int64_t			 idle_nusd;	/* paid for but not requested */
	struct plan_cost_line	*groups;	/* by cost, descending */
	size_t			 ngroups;
	struct plan_cost_line	*wls;		/* by cost, descending */
	size_t			 nwls;
};

/*
 * The cost breakdown of a finished run.  A node's bill (per second, 60 s
 * minimum) is shared among the pods bound to it in proportion to their
 * requests, the mean of the cpu and memory fractions of allocatable, over
 * the time each was bound; what is left is idle.  So the workloads and the
 * idle share add up to the total (to rounding).
 */
void	plan_cost_compute(struct ks_run *, struct plan_cost *out);
void	plan_cost_free(struct plan_cost *);

/* One node of `plan headroom`. */
struct plan_headroom_node {
	const char	*name;		/* node name (interned) */
	const char	*itype;		/* instance type or "-" */
	int64_t		 free_cpu_m;	/* allocatable - requested, millicores */
	int64_t		 free_mem_b;	/* allocatable - requested, bytes */
	int		 fits;		/* more copies that fit, pods */
	char		 stop[240];	/* kube-scheduler's reason the next copy does not */
};

/*
 * How many more copies of `probe` fit on each Ready node of a run, as
 * kube-scheduler's filters see it, copies accumulating on each node.
 * *out has one entry per Ready node, in node order; returns the total.
 */
int	plan_headroom_compute(struct ks_run *, const struct ks_pod *probe,
	    struct plan_headroom_node **out, size_t *n);

int	plan_main(int argc, char **argv);

#endif
