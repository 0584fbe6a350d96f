/*
 * whatif.c: the command line of ksim compare, ksim sweep and ksim merge:
 * the same scenario under different settings, side by side or over a
 * grid.  Every run is an ordinary run (ksim_run_json) with --set overrides
 * applied to its documents (io/override.c); what the commands add is the
 * summary of a run's JSON report (whatif/summary.c).  The commands
 * themselves are src/cmd/compare.c, sweep.c and merge.c.
 */
#include "whatif/whatif.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ksim.h"
#include "io/report.h"
#include "util/duration.h"
#include "util/error.h"
#include "util/xmalloc.h"

/* Summary metrics a sweep may print (the keys of whatif_summary()). */
static const char *const metric_names[] = { "cost_usd", "nodes_launched", "max_nodes",
	"peak_nodes_by_type", "pods", "pending_at_end", "p50_pending_s", "p95_pending_s",
	"max_pending_s", "max_replicas", "workloads", "events", NULL };

static const char *const default_metrics[] = { "cost_usd", "max_nodes", "pending_at_end",
	"p95_pending_s", "max_replicas", NULL };

/* ---- the command line ---- */

static void
wopts_free(struct wopts *w)
{
	free(w->sets);
	free(w->a);
	free(w->b);
	for (size_t i = 0; i < w->nvary; i++) {
		free(w->vary[i].path);
		for (size_t j = 0; j < w->vary[i].nvalues; j++)
			free(w->vary[i].values[j]);
		free(w->vary[i].values);
	}
	free(w->vary);
	for (size_t i = 0; i < w->nmetrics; i++)
		free(w->metrics[i]);
	free(w->metrics);
}

void
whatif_push_str(const char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

/* "a,b,c" -> owned strings */
static char **
split_commas(const char *s, size_t *n)
{
	char **v = NULL;
	const char *p = s;

	*n = 0;
	for (;;) {
		size_t len = strcspn(p, ",");

		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = xasprintf("%.*s", (int)len, p);
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return v;
}

static int
check_metric(const char *m)
{
	size_t len = strcspn(m, ".");

	for (size_t i = 0; metric_names[i] != NULL; i++)
		if (strlen(metric_names[i]) == len && strncmp(m, metric_names[i], len) == 0)
			return 0;
	if (strncmp(m, "expectations", len) == 0 && len == 12)
		return 0;
	fprintf(stderr, "ksim: --metrics: unknown metric \"%s\": expected one of", m);
	for (size_t i = 0; metric_names[i] != NULL; i++)
		fprintf(stderr, "%s %s", i ? "," : "", metric_names[i]);
	fprintf(stderr, " (or a path inside one, e.g. workloads.Deployment/web.p95_pending_s)\n");
	return -1;
}

static int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return -1;
	*out = (size_t)v;
	return 0;
}

static void
whatif_usage(const char *cmd, FILE *fp)
{
	if (strcmp(cmd, "compare") == 0)
		fputs("usage: ksim compare [options] A.yaml B.yaml\n"
		    "       ksim compare [options] --a PATH=VALUE... --b PATH=VALUE... FILE...\n", fp);
	else if (strcmp(cmd, "sweep") == 0)
		fputs("usage: ksim sweep [options] --vary PATH=V1,V2,... [--vary ...] [-j N]\n"
		    "       [--shard I/N] [--metrics M1,M2,...] FILE...\n", fp);
	else
		fputs("usage: ksim merge [-o text|json] [--metrics M1,M2,...] SHARD-OUTPUT...\n", fp);
	fputs("See ksim(1).\n", fp);
}

/* Returns -1 on a bad command line (message printed), 1 after --help, 0 otherwise. */
static int
parse_args(const char *cmd, int argc, char **argv, struct wopts *w)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "output-file", required_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "catalog", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "set", required_argument, NULL, 'S' },
		{ "a", required_argument, NULL, 'A' },
		{ "b", required_argument, NULL, 'B' },
		{ "vary", required_argument, NULL, 'v' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, 1001 },
		{ "metrics", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int is_compare = strcmp(cmd, "compare") == 0, is_sweep = strcmp(cmd, "sweep") == 0;
	int ch, li = -1;

	memset(w, 0, sizeof(*w));
	w->o.duration_ms = -1;
	optind = 1;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "o:f:d:s:c:qS:j:m:h", longopts, &li)) != -1) {
		int common = ksim_opt_common(&w->o, ch, optarg, &w->sets, &w->nsets);

		if (common < 0)
			return -1;
		if (common > 0)
			continue;
		switch (ch) {
		case 'A':
		case 'B':
			if (!is_compare)
				goto wrong_cmd;
			if (strchr(optarg, '=') == NULL || optarg[0] == '=') {
				fprintf(stderr, "ksim: %s: expected PATH=VALUE, found \"%s\"\n",
				    ch == 'A' ? "--a" : "--b", optarg);
				return -1;
			}
			whatif_push_str(ch == 'A' ? &w->a : &w->b, ch == 'A' ? &w->na : &w->nb, optarg);
			break;
		case 'v': {
			const char *eq = strchr(optarg, '=');
			struct vary *v;

			if (!is_sweep)
				goto wrong_cmd;
			if (eq == NULL || eq == optarg || eq[1] == '\0') {
				fprintf(stderr, "ksim: --vary: expected PATH=V1,V2,..., found \"%s\"\n",
				    optarg);
				return -1;
			}
			w->vary = xreallocarray(w->vary, w->nvary + 1, sizeof(*w->vary));
			v = &w->vary[w->nvary++];
			v->path = xasprintf("%.*s", (int)(eq - optarg), optarg);
			v->values = split_commas(eq + 1, &v->nvalues);
			break;
		}
		case 'j': {
			size_t v;

			if (!is_sweep)
				goto wrong_cmd;
			if (parse_size(optarg, &v) != 0 || v == 0 || v > 4096) {
				fprintf(stderr, "ksim: --jobs: expected a number of processes from 1 "
				    "to 4096, found \"%s\"\n", optarg);
				return -1;
			}
			w->jobs = (long)v;
			break;
		}
		case 1001: {
			const char *sl = strchr(optarg, '/');
			char ibuf[32];

			if (!is_sweep)
				goto wrong_cmd;
			if (sl == NULL || (size_t)(sl - optarg) >= sizeof(ibuf))
				goto bad_shard;
			snprintf(ibuf, sizeof(ibuf), "%.*s", (int)(sl - optarg), optarg);
			if (parse_size(ibuf, &w->shard) != 0 || parse_size(sl + 1, &w->nshards) != 0 ||
			    w->nshards == 0 || w->shard >= w->nshards)
				goto bad_shard;
			w->sharded = 1;
			break;
bad_shard:
			fprintf(stderr, "ksim: --shard: expected I/N with 0 <= I < N (e.g. 0/4), "
			    "found \"%s\"\n", optarg);
			return -1;
		}
		case 'm':
			if (is_compare)
				goto wrong_cmd;
			for (size_t i = 0; i < w->nmetrics; i++)
				free(w->metrics[i]);
			free(w->metrics);
			w->metrics = split_commas(optarg, &w->nmetrics);
			w->metrics_given = 1;
			for (size_t i = 0; i < w->nmetrics; i++)
				if (check_metric(w->metrics[i]) != 0)
					return -1;
			break;
		case 'h':
			whatif_usage(cmd, stdout);
			return 1;
		default:
			whatif_usage(cmd, stderr);
			return -1;
		}
		li = -1;
		continue;
wrong_cmd:
		if (li >= 0)
			fprintf(stderr, "ksim: %s: option --%s does not go with %s\n", cmd,
			    longopts[li].name, cmd);
		else
			fprintf(stderr, "ksim: %s: option -%c does not go with %s\n", cmd, ch, cmd);
		return -1;
	}
	w->o.sets = w->sets;
	w->o.nsets = w->nsets;
	w->o.files = (const char *const *)argv + optind;
	w->o.nfiles = (size_t)(argc - optind);
	if (w->o.nfiles == 0) {
		fprintf(stderr, "ksim: %s: expected at least one %s\n", cmd,
		    strcmp(cmd, "merge") == 0 ? "shard output FILE" : "scenario FILE");
		return -1;
	}
	if (w->metrics == NULL) {
		for (size_t i = 0; default_metrics[i] != NULL; i++) {
			w->metrics = xreallocarray(w->metrics, w->nmetrics + 1, sizeof(*w->metrics));
			w->metrics[w->nmetrics++] = xstrdup(default_metrics[i]);
		}
	}
	return 0;
}

/* ---- running ---- */

int
whatif_run_summary(const struct ksim_opts *o, int progress, json_t **out, struct ks_error *err)
{
	json_t *rep;
	int rc = ksim_run_json(o, progress, &rep, err);

	*out = NULL;
	if (rc != 0)
		return rc;
	*out = whatif_summary(rep);
	json_decref(rep);
	return 0;
}

int
whatif_emit(const struct ksim_opts *o, const char *buf, size_t len)
{
	struct ks_error err;

	ks_error_clear(&err);
	if (o->output_file != NULL) {
		if (atomic_write(o->output_file, buf, len, &err) != 0) {
			ks_error_print(stderr, &err);
			return EXIT_BAD;
		}
		return EXIT_OK;
	}
	if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		fprintf(stderr, "ksim: cannot write the output: %s\n", strerror(errno));
		return EXIT_BAD;
	}
	return EXIT_OK;
}

char *
whatif_json_text(json_t *j, size_t flags)
{
	char *s = json_dumps(j, flags | JSON_PRESERVE_ORDER), *t;

	t = xasprintf("%s\n", s);
	free(s);
	return t;
}

/* ---- compare ---- */

/* ---- sweep ---- */

/* ---- merge ---- */

int
whatif_main(const char *cmd, int argc, char **argv)
{
	struct wopts w;
	int rc;

	if ((rc = parse_args(cmd, argc, argv, &w)) != 0) {
		wopts_free(&w);
		return rc > 0 ? EXIT_OK : EXIT_BAD;
	}
	if (strcmp(cmd, "compare") == 0)
		rc = cmd_compare(&w);
	else if (strcmp(cmd, "sweep") == 0)
		rc = cmd_sweep(&w);
	else
		rc = cmd_merge(&w, w.metrics_given);
	wopts_free(&w);
	return rc;
}
