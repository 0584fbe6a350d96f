/*
 * plan.c: the command line of `ksim plan headroom|nodes|cost`; the
 * planning itself is src/plan/, the commands src/cmd/plan_*.c.
 */
#include "plan/plan.h"

#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "cluster/quantity.h"
#include "cluster/sched.h"
#include "io/expect.h"
#include "io/load.h"
#include "io/report.h"
#include "io/ytree.h"
#include "ksim.h"
#include "run/run.h"
#include "util/duration.h"
#include "util/intern.h"
#include "util/xmalloc.h"

/* ---- nodes: a Karpenter NodePool allowing every candidate ---- */

/* ---- the commands ---- */

/* ---- command line ---- */

static void
plan_usage(FILE *fp)
{
	fputs("usage: ksim plan headroom [options] (--pod FILE | --replicas-of KIND/NAME) [--at DUR] FILE...\n"
	    "       ksim plan nodes [options] [--instance-types LIST] [--capacity-type LIST]\n"
	    "                   [--region R] [-j N] [--max-cost USD] [--method static|ca]\n"
	    "                   [--karpenter] FILE...\n"
	    "       ksim plan cost [options] [--period day|month] [--region R] FILE...\n"
	    "\n"
	    "options: -o text|json, -f PATH, -d DUR, -s SEED, -c DIR, -q, -S PATH=VALUE\n"
	    "See ksim(1).\n", fp);
}

enum {
	OPT_POD = 1000, OPT_REPLICAS_OF, OPT_AT, OPT_TYPES, OPT_CAPTYPE, OPT_REGION,
	OPT_MAX_COST, OPT_PERIOD, OPT_KARPENTER, OPT_METHOD,
};

/* Which subcommands take an option: bit PLAN_* set. */
static int
opt_allowed(int ch, enum plan_cmd cmd, const char **name)
{
	static const struct { int ch; const char *name; unsigned cmds; } t[] = {
		{ OPT_POD, "--pod", 1u << PLAN_HEADROOM },
		{ OPT_REPLICAS_OF, "--replicas-of", 1u << PLAN_HEADROOM },
		{ OPT_AT, "--at", 1u << PLAN_HEADROOM },
		{ OPT_TYPES, "--instance-types", 1u << PLAN_NODES },
		{ OPT_CAPTYPE, "--capacity-type", 1u << PLAN_NODES },
		{ OPT_REGION, "--region", (1u << PLAN_NODES) | (1u << PLAN_COST) },
		{ 'j', "--jobs", 1u << PLAN_NODES },
		{ OPT_MAX_COST, "--max-cost", 1u << PLAN_NODES },
		{ OPT_KARPENTER, "--karpenter", 1u << PLAN_NODES },
		{ OPT_METHOD, "--method", 1u << PLAN_NODES },
		{ OPT_PERIOD, "--period", 1u << PLAN_COST },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].ch == ch) {
			*name = t[i].name;
			return (t[i].cmds >> cmd) & 1;
		}
	return 1;
}

static const char *const cmd_name[] = { "headroom", "nodes", "cost" };

int
plan_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "output-file", required_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "catalog", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "set", required_argument, NULL, 'S' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "pod", required_argument, NULL, OPT_POD },
		{ "replicas-of", required_argument, NULL, OPT_REPLICAS_OF },
		{ "at", required_argument, NULL, OPT_AT },
		{ "instance-types", required_argument, NULL, OPT_TYPES },
		{ "capacity-type", required_argument, NULL, OPT_CAPTYPE },
		{ "region", required_argument, NULL, OPT_REGION },
		{ "max-cost", required_argument, NULL, OPT_MAX_COST },
		{ "period", required_argument, NULL, OPT_PERIOD },
		{ "karpenter", no_argument, NULL, OPT_KARPENTER },
		{ "method", required_argument, NULL, OPT_METHOD },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct plan_args a;
	struct ks_error err;
	const char **sets = NULL;
	size_t nsets = 0;
	int ch, rc = 2, over = 0, common;
	long cpus;

	memset(&a, 0, sizeof(a));
	ks_error_clear(&err);
	a.o.duration_ms = -1;
	a.at_ms = -1;
	a.max_cost = -1;
	a.period = "month";
	a.period_ms = PLAN_MONTH_MS;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	a.jobs = cpus < 1 ? 1 : cpus > 8 ? 8 : (int)cpus;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		plan_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "headroom") == 0)
		a.cmd = PLAN_HEADROOM;
	else if (strcmp(argv[1], "nodes") == 0)
		a.cmd = PLAN_NODES;
	else if (strcmp(argv[1], "cost") == 0)
		a.cmd = PLAN_COST;
	else {
		fprintf(stderr, "ksim: plan: expected headroom, nodes or cost, found \"%s\"\n", argv[1]);
		plan_usage(stderr);
		return 2;
	}
	optind = 2;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:f:d:s:c:qS:j:h", longopts, NULL)) != -1) {
		const char *name = NULL;

		if (!opt_allowed(ch, a.cmd, &name)) {
			fprintf(stderr, "ksim: plan %s: %s is not an option of this command\n",
			    cmd_name[a.cmd], name);
			rc = 2;
			goto done;
		}
		common = ksim_opt_common(&a.o, ch, optarg, &sets, &nsets);
		if (common < 0) {
			rc = 2;
			goto done;
		}
		if (common > 0)
			continue;
		switch (ch) {
		case OPT_AT: {
			int64_t ms;

			if (ks_duration_parse(optarg, &ms, &err, NULL) != 0 || ms < 0) {
				fprintf(stderr, "ksim: --at: expected a non-negative duration such as "
				    "90s or 5m, found \"%s\"\n", optarg);
				rc = 2;
				goto done;
			}
			a.at_ms = ms;
			break;
		}
		case 'j': {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 || v > 256) {
				fprintf(stderr, "ksim: --jobs: expected an integer from 1 to 256, "
				    "found \"%s\"\n", optarg);
				rc = 2;
				goto done;
			}
			a.jobs = (int)v;
			break;
		}
		case OPT_POD:
			a.pod_file = optarg;
			break;
		case OPT_REPLICAS_OF:
			a.replicas_of = optarg;
			break;
		case OPT_TYPES:
			a.types = optarg;
			break;
		case OPT_CAPTYPE:
			a.captypes = optarg;
			break;
		case OPT_REGION:
			a.region = optarg;
			break;
		case OPT_MAX_COST:
			if (plan_usd_parse("--max-cost", optarg, &a.max_cost, &err) != 0) {
				ks_error_print(stderr, &err);
				rc = 2;
				goto done;
			}
			break;
		case OPT_KARPENTER:
			a.karpenter = 1;
			break;
		case OPT_METHOD:
			if (strcmp(optarg, "static") == 0 || strcmp(optarg, "ca") == 0) {
				a.method_ca = optarg[0] == 'c';
			} else {
				fprintf(stderr, "ksim: --method: expected static or ca, found \"%s\"\n",
				    optarg);
				rc = 2;
				goto done;
			}
			break;
		case OPT_PERIOD:
			if (strcmp(optarg, "day") == 0) {
				a.period_ms = PLAN_DAY_MS;
			} else if (strcmp(optarg, "month") == 0) {
				a.period_ms = PLAN_MONTH_MS;
			} else {
				fprintf(stderr, "ksim: --period: expected day or month, found \"%s\"\n",
				    optarg);
				rc = 2;
				goto done;
			}
			a.period = optarg;
			break;
		case 'h':
			plan_usage(stdout);
			rc = 0;
			goto done;
		case ':':
			fprintf(stderr, "ksim: plan %s: option \"%s\" expects a value\n", cmd_name[a.cmd],
			    argv[optind - 1]);
			plan_usage(stderr);
			rc = 2;
			goto done;
		default:
			fprintf(stderr, "ksim: plan %s: unknown option \"%s\"\n", cmd_name[a.cmd],
			    argv[optind - 1]);
			plan_usage(stderr);
			rc = 2;
			goto done;
		}
	}
	a.o.files = (const char *const *)(argv + optind);
	a.o.nfiles = (size_t)(argc - optind);
	a.o.sets = sets;
	a.o.nsets = nsets;
	if (a.o.nfiles == 0) {
		fprintf(stderr, "ksim: plan %s: expected scenario files, found none\n", cmd_name[a.cmd]);
		rc = 2;
		goto done;
	}
	switch (a.cmd) {
	case PLAN_HEADROOM:
		rc = cmd_headroom(&a, &err);
		break;
	case PLAN_NODES:
		rc = cmd_nodes(&a, &over, &err);
		break;
	case PLAN_COST:
		rc = cmd_cost(&a, &err);
		break;
	}
	if (rc != 0) {
		ks_error_print(stderr, &err);
		rc = 2;
	} else {
		rc = over ? 1 : 0;
	}
done:
	free(sets);
	return rc;
}
