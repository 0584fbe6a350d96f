/*
 * cmd/plan.c: `ksim plan headroom|nodes|cost`: the plan entry of the
 * command table, whose subcommands are the three commands (their files
 * are plan_headroom.c, plan_nodes.c and plan_cost.c), and the values of
 * their own options.  The planning itself is src/plan/.
 */
#include "cmd/plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan/plan.h"
#include "util/duration.h"
#include "util/xmalloc.h"

#define PLAN_MAX_JOBS	8	/* -j default: the cores, at most this many */

void *
plan_args_new(void)
{
	struct plan_args *a = xcalloc(1, sizeof(*a));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	a->at_ms = -1;
	a->max_cost = -1;
	a->period = "month";
	a->period_ms = PLAN_MONTH_MS;
	a->jobs = cpus < 1 ? 1 : cpus > PLAN_MAX_JOBS ? PLAN_MAX_JOBS : (int)cpus;
	return a;
}

void
plan_args_free(void *a)
{
	free(a);
}

/* -j N: 1 to 256 */
static int
jobs_option(struct plan_args *a, const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 256) {
		fprintf(stderr, "ksim: --jobs: expected an integer from 1 to 256, found \"%s\"\n", arg);
		return -1;
	}
	a->jobs = (int)v;
	return 0;
}

/* The values that are one of a few words: --method, --period. */
static int
word_option(struct plan_args *a, enum cmd_opt id, const char *arg)
{
	if (id == OPT_METHOD) {
		if (strcmp(arg, "static") != 0 && strcmp(arg, "ca") != 0) {
			fprintf(stderr, "ksim: --method: expected static or ca, found \"%s\"\n", arg);
			return -1;
		}
		a->method_ca = arg[0] == 'c';
		return 0;
	}
	if (strcmp(arg, "day") == 0) {
		a->period_ms = PLAN_DAY_MS;
	} else if (strcmp(arg, "month") == 0) {
		a->period_ms = PLAN_MONTH_MS;
	} else {
		fprintf(stderr, "ksim: --period: expected day or month, found \"%s\"\n", arg);
		return -1;
	}
	a->period = arg;
	return 0;
}

int
plan_option(struct cmd_args *ca, enum cmd_opt id, const char *arg)
{
	struct plan_args *a = ca->priv;
	struct ks_error err;
	int64_t ms;

	ks_error_clear(&err);
	switch (id) {
	case OPT_AT:
		if (ks_duration_parse(arg, &ms, &err, NULL) != 0 && strstr(err.msg, "unit") != NULL) {
			fprintf(stderr, "ksim: --at: %s\n", err.msg);	/* "1d": the units */
			return -1;
		}
		if (err.code != 0 || ms < 0) {
			fprintf(stderr, "ksim: --at: expected a non-negative duration such as "
			    "90s or 5m, found \"%s\"\n", arg);
			return -1;
		}
		a->at_ms = ms;
		return 0;
	case OPT_JOBS:
		return jobs_option(a, arg);
	case OPT_POD:
		a->pod_file = arg;
		return 0;
	case OPT_REPLICAS_OF:
		a->replicas_of = arg;
		return 0;
	case OPT_TYPES:
		a->types = arg;
		return 0;
	case OPT_CAPTYPE:
		a->captypes = arg;
		return 0;
	case OPT_REGION:
		a->region = arg;
		return 0;
	case OPT_MAX_COST:
		if (plan_usd_parse("--max-cost", arg, &a->max_cost, &err) != 0) {
			ks_error_print(stderr, &err);
			return -1;
		}
		return 0;
	case OPT_KARPENTER:
		a->karpenter = 1;
		return 0;
	case OPT_METHOD:
	case OPT_PERIOD:
		return word_option(a, id, arg);
	default:
		return -1;	/* cmd_parse() hands over only the options of the table */
	}
}

enum cmd_status
plan_exec(struct cmd_args *ca)
{
	struct plan_args *a = ca->priv;
	struct ks_error err;
	int rc = 0, over = 0;

	ks_error_clear(&err);
	a->cmd = ca->cmd == &cmd_plan_headroom_entry ? PLAN_HEADROOM :
	    ca->cmd == &cmd_plan_nodes_entry ? PLAN_NODES : PLAN_COST;
	a->o = ca->o;
	switch (a->cmd) {
	case PLAN_HEADROOM:
		rc = cmd_headroom(a, &err);
		break;
	case PLAN_NODES:
		rc = cmd_nodes(a, &over, &err);
		break;
	case PLAN_COST:
		rc = cmd_cost(a, &err);
		break;
	}
	if (rc != 0) {
		ks_error_print(stderr, &err);
		return CMD_BAD;
	}
	return over ? CMD_EXPECT_FAILED : CMD_OK;
}

static const struct cmd_entry *const plan_sub[] = {
	&cmd_plan_headroom_entry, &cmd_plan_nodes_entry, &cmd_plan_cost_entry, NULL
};

const struct cmd_entry cmd_plan_entry = {
	.name = "plan",
	.brief = "capacity planning: headroom, nodes or cost",
	.family = CMD_FAM_PLAN,
	.sub = plan_sub,
};
