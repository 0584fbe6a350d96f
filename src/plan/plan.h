/*
 * plan/plan.h: capacity planning: `ksim plan headroom|nodes|cost ...`:
 * the questions a platform team asks before a quarter, answered from the
 * same model `ksim run` simulates (headroom.c, nodes.c, karpenter.c,
 * cost.c; the commands are src/cmd/plan_*.c).
 * The functions below are the library behind the commands, exported for
 * the tests.
 *
 * Ownership: every array handed out through a `**out` is owned by the
 * caller and released with free() (or the matching _free function); the
 * instance types they point to are borrowed from the catalog.
 * Money is nano-USD (int64_t), times are simulated ms.
 */
#ifndef KS_PLAN_H
#define KS_PLAN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster/cluster.h"
#include "io/load.h"
#include "io/ytree.h"
#include "ksim.h"
#include "util/error.h"

struct catalog;
struct cat_itype;
struct ks_run;
struct ks_pod;
struct sched_fit;

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

/* ---- shared by src/plan/ and the plan commands in src/cmd/ ---- */

#define PLAN_HOSTNAME_KEY	"kubernetes.io/hostname"

#define PLAN_OWN	"ksim-plan"	/* name of the documents plan adds */

/* A copy of a pod whose spec has no nodeName (it is tried on new nodes). */
struct plan_probe {
	struct ks_podspec	spec;		/* shallow copy, borrowed pointers */
	struct ks_pod		pod;		/* spec points at the copy above */
};

/* The scenario edit of one candidate simulation (and what it swapped out). */
struct plan_cand_edit {
	const struct cat_itype	*it;		/* candidate type, NULL = no static nodes */
	int			 spot;		/* capacity type */
	int			 count;		/* nodes */
	const char		*region;	/* interned, NULL = the scenario's */
	struct static_nodes	 mine;		/* the replacement spec.nodes entry */
	struct static_nodes	*snodes;	/* swapped out */
	size_t			 nsnodes;
	struct node_def		**nodes;	/* swapped out */
	size_t			 nnodes;
	struct node_def		**act_nodes;	/* per action, swapped out */
	enum action_type	*act_type;	/* per action, the original type */
	struct ks_doc		**docs;		/* swapped out: every document */
	size_t			 ndocs;
	struct ks_doc		**kept;		/* the documents the candidate keeps */
	const struct yt_node	*spec;		/* swapped out: the Scenario's spec */
	struct yt_node		 myspec;	/* the spec without nodeGroups */
};

/* Everything the candidates share: the scenario as written, simulated. */
struct plan_nodes_ctx {
	const struct ksim_opts	*o;		/* the files and flags */
	const struct catalog	*cat;		/* borrowed */
	const char		*region;	/* interned, NULL = the scenario's */
	struct ks_run		*base;		/* the scenario as written, simulated */
	struct ks_pod		**pods;		/* non-DaemonSet pods, cpu then memory descending */
	size_t			 npods;
	struct ks_pod		**peak;		/* pods alive at the peak, same order */
	size_t			 npeak;
	int64_t			 peak_ms;	/* when the peak was */
	size_t			 npinned;	/* pods left out: nodeSelector on a hostname */
	int			 method_ca;	/* --method ca: an autoscaled group per candidate */
	struct ks_res		 peak_req;	/* what the peak's pods request */
};

/* What the Karpenter row shows. */
struct plan_kp {
	int		 ran;		/* --karpenter was given and there was a candidate */
	int		 failed;	/* the simulation could not run (message in why) */
	char		 why[240];	/* failure */
	size_t		 ntypes;	/* instance types the NodePool allows */
	int		 nodes_max;	/* nodes alive at once, at most */
	int		 launched;	/* nodes launched */
	int64_t		 cost_nusd;	/* over the scenario */
	int		 pending;	/* pods Pending at the end */
	int64_t		 burst_ms;	/* longest creation-to-binding wait after t=0; -1 never */
	char		 used[240];	/* "m5.8xlarge x2, c5.large x1" */
};

/* A region the catalog has prices for, interned; NULL and KS_EUSAGE naming flag if not. */
const char	*plan_region_intern(const struct catalog *cat, const char *flag,
	    const char *region, struct ks_error *err);
int	plan_cmp_i64(int64_t a, int64_t b);
void	plan_probe_init(struct plan_probe *pr, const struct ks_podspec *spec,
	    const struct ks_res *req, const char *ns, const char *name);
int	plan_anti_between(const struct ks_pod *a, const struct ks_pod *b);
/* The words of one failed filter, reasons sorted and joined by ", ". */
void	plan_fit_reason(const struct sched_fit *f, char *buf, size_t n);
/* A pod pinned to a node of the scenario by hostname cannot move. */
int	plan_pod_pinned(const struct ks_pod *p);
int	plan_edit_region(struct ks_scenario *s, void *arg, struct ks_error *err);
/* The pods of the run as written, and the moment their requests peak. */
void	plan_nodes_ctx_peak(struct plan_nodes_ctx *nc);
/* The most nodes alive at once (at some node's launch). */
int	plan_nodes_max_alive(const struct ks_cluster *c);
/*
 * Simulate the scenario edited by e with one more file holding `yaml`
 * (given after the scenario's files).  The file is removed once loaded.
 */
int	plan_sim_extra(struct plan_nodes_ctx *nc, struct plan_cand_edit *e, const char *yaml,
	    struct ks_run **out, struct ks_error *err);
/* Run option_eval for every viable option, `jobs` processes at a time. */
void	plan_options_eval(struct plan_nodes_ctx *nc, struct plan_option *opts, size_t n, int jobs);
/* Simulate the scenario with its capacity replaced by the NodePool. */
void	plan_kp_eval(struct plan_nodes_ctx *nc, const struct plan_option *opts, size_t n,
	    unsigned mask, struct plan_kp *kp);
char	*plan_fmt_gib(int64_t b, char *buf, size_t n);
char	*plan_fmt_pm(int pm, char *buf, size_t n);
int	plan_share_pm(int64_t part, int64_t whole);
int	plan_emit(const char *path, char *buf, size_t len, struct ks_error *err);
char	*plan_json_text(json_t *j, size_t *len);

#endif
