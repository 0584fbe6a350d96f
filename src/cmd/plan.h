/*
 * cmd/plan.h: what the three plan commands (plan_headroom.c, plan_nodes.c,
 * plan_cost.c) share with cmd/plan.c, which parses their options: the
 * options' values, and the handlers.
 */
#ifndef KS_CMD_PLAN_H
#define KS_CMD_PLAN_H

#include <stdint.h>

#include "cmd/cmd.h"
#include "ksim.h"
#include "util/error.h"

enum plan_cmd { PLAN_HEADROOM, PLAN_NODES, PLAN_COST };

struct plan_args {
	enum plan_cmd		 cmd;
	struct ksim_opts	 o;		/* files and common flags */
	const char		*pod_file;	/* headroom --pod */
	const char		*replicas_of;	/* headroom --replicas-of */
	int64_t			 at_ms;		/* headroom --at, -1 = just after t=0 */
	const char		*types;		/* nodes --instance-types */
	const char		*captypes;	/* nodes --capacity-type */
	const char		*region;	/* nodes/cost --region */
	int			 jobs;		/* nodes -j */
	int64_t			 max_cost;	/* nodes --max-cost, nano-USD, -1 = none */
	int			 karpenter;	/* nodes --karpenter */
	int			 method_ca;	/* nodes --method ca */
	int64_t			 period_ms;	/* cost --period */
	const char		*period;	/* "day" | "month" */
};

/* Each returns 0 or an error in *err; plan nodes sets *over when the answer fails. */
int	cmd_headroom(struct plan_args *a, struct ks_error *err);
int	cmd_nodes(struct plan_args *a, int *over, struct ks_error *err);
int	cmd_cost(struct plan_args *a, struct ks_error *err);

/* Parse state of every plan command (struct cmd_entry's priv_new, priv_free, option). */
void	*plan_args_new(void);
void	 plan_args_free(void *);
int	 plan_option(struct cmd_args *, enum cmd_opt, const char *arg);
/* The handler of the three plan commands: the answer's status. */
enum cmd_status	plan_exec(struct cmd_args *);

extern const struct cmd_entry cmd_plan_headroom_entry, cmd_plan_nodes_entry, cmd_plan_cost_entry;

#endif
