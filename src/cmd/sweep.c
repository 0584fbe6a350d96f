/*
 * cmd/sweep.c: `ksim sweep`: the scenario over a grid of --vary values.
 * One process per combination, at most -j at once, from the worker pool
 * (util/pool.c: the runs are independent; the engine itself stays
 * single-threaded).  A child writes its summary as one JSON line, and the
 * parent prints the rows in combination order whatever the finishing
 * order, so the output is deterministic.  --shard I/N keeps combinations with index % N == I and
 * prints the JSON lines themselves, for `ksim merge`.
 *
 * Costs: a sweep loads the scenario 1 + sum(values - 1) times up front to
 * reject a bad --vary before forking anything, then runs each combination
 * once; the parent holds one JSON line per combination.
 */
#include "cmd/cmd.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/pool.h"
#include "util/xmalloc.h"
#include "whatif/whatif.h"

#define WHATIF_MAX_COMBOS	1000000

static void
progress(size_t done, size_t total, int final)
{
	if (!isatty(STDERR_FILENO))
		return;
	if (final)
		fputs("\r\033[K", stderr);
	else
		fprintf(stderr, "\rksim: sweep: %zu/%zu runs done", done, total);
}

/* A sweep under way: what the pool's callbacks share. */
struct sweep {
	struct whatif_opts	*w;		/* the command line */
	size_t		 ncombos;	/* combinations in all */
	size_t		*nvalues;	/* values of each --vary */
	size_t		*choice;	/* the child's combination, value per --vary */
	size_t		*idx;		/* job -> combination index (this shard's) */
	size_t		 nmine;		/* jobs */
	char		**lines;	/* per combination: its JSON line, NULL = not run */
	size_t		 done;		/* jobs ended */
	int		 failed;	/* a job could not be started */
};

static int
sweep_job(size_t j, FILE *out, void *arg)
{
	struct sweep *sw = arg;

	whatif_combo(sw->nvalues, sw->w->nvary, sw->idx[j], sw->choice);
	return whatif_child_run(sw->w, sw->ncombos, sw->idx[j], sw->choice, out);
}

static void
sweep_free(void *arg)
{
	struct sweep *sw = arg;

	free(sw->choice);
	free(sw->nvalues);
	free(sw->idx);
	for (size_t k = 0; k < sw->ncombos; k++)
		free(sw->lines[k]);
	free(sw->lines);
}

static int
sweep_done(size_t j, const char *data, size_t len, int status, void *arg)
{
	struct sweep *sw = arg;
	size_t i = sw->idx[j];

	if (status == POOL_NOSTART) {
		fprintf(stderr, "ksim: sweep: %s\n", data);
		sw->failed = 1;
		return 1;
	}
	if (len == 0 || data[0] == '\0')
		sw->lines[i] = WIFSIGNALED(status) ?
		    xasprintf("{\"index\":%zu,\"error\":\"ksim: run %zu was killed by "
		    "signal %d\"}\n", i, i, WTERMSIG(status)) :
		    xasprintf("{\"index\":%zu,\"error\":\"ksim: run %zu exited with "
		    "status %d and no result\"}\n", i, i, WEXITSTATUS(status));
	else
		sw->lines[i] = xstrdup(data);
	progress(++sw->done, sw->nmine, 0);
	return 0;
}

/* The lines of a finished sweep, as --shard lines or as the table. */
static enum cmd_status
sweep_print(struct sweep *sw)
{
	struct whatif_opts *w = sw->w;
	char **mine = xcalloc(sw->nmine + 1, sizeof(*mine)), *buf = NULL;
	json_t **rows;
	size_t m = 0, len = 0;
	enum cmd_status rc;

	for (size_t i = 0; i < sw->ncombos; i++)
		if (sw->lines[i] != NULL)
			mine[m++] = sw->lines[i];
	rows = xcalloc(m + 1, sizeof(*rows));
	if (w->sharded) {
		/* the lines themselves, in index order, for ksim merge */
		FILE *fp = open_memstream(&buf, &len);

		for (size_t i = 0; i < m; i++)
			fputs(mine[i], fp);
		fclose(fp);
		if (whatif_parse_rows(mine, m, rows, "sweep") != 0)
			rc = CMD_BAD;
		else
			rc = cmd_write(&w->o, buf, len);
	} else if (m != sw->ncombos || whatif_parse_rows(mine, m, rows, "sweep") != 0) {
		rc = CMD_BAD;
	} else {
		buf = whatif_sweep_table(rows, m, w->metrics, w->nmetrics, w->o.output, &len);
		rc = cmd_write(&w->o, buf, len);
	}
	for (size_t i = 0; i < m; i++)
		json_decref(rows[i]);
	free(rows);
	free(buf);
	free(mine);
	return rc;
}

/* The number of combinations of w's --vary values; 0 (said) when there are too many. */
static size_t
sweep_count(const struct whatif_opts *w, size_t *nvalues)
{
	size_t ncombos = 1;

	for (size_t k = 0; k < w->nvary; k++) {
		nvalues[k] = w->vary[k].nvalues;
		if (ncombos > WHATIF_MAX_COMBOS / nvalues[k]) {
			fprintf(stderr, "ksim: sweep: more than %d combinations\n", WHATIF_MAX_COMBOS);
			return 0;
		}
		ncombos *= nvalues[k];
	}
	return ncombos;
}

static enum cmd_status
sweep_exec(struct cmd_args *a)
{
	struct whatif_opts *w = a->priv;
	static const struct pool_ops ops = { sweep_job, sweep_free, sweep_done };
	long jobs = w->jobs ? w->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	struct sweep sw;
	struct ks_error err;
	enum cmd_status rc = CMD_OK;

	whatif_wopts_finish(w, &a->o, a->sets, a->nsets);

	if (w->nvary == 0) {
		fprintf(stderr, "ksim: sweep: expected at least one --vary PATH=V1,V2,...\n");
		return CMD_BAD;
	}
	memset(&sw, 0, sizeof(sw));
	sw.w = w;
	sw.nvalues = xcalloc(w->nvary, sizeof(*sw.nvalues));
	if ((sw.ncombos = sweep_count(w, sw.nvalues)) == 0) {
		free(sw.nvalues);
		return CMD_BAD;
	}
	sw.choice = xcalloc(w->nvary, sizeof(*sw.choice));
	ks_error_clear(&err);
	if (whatif_sweep_prevalidate(w, sw.choice, &err) != 0) {
		free(sw.choice);
		free(sw.nvalues);
		return cmd_error(&err);
	}
	sw.lines = xcalloc(sw.ncombos, sizeof(*sw.lines));
	sw.idx = xcalloc(sw.ncombos, sizeof(*sw.idx));
	for (size_t i = 0; i < sw.ncombos; i++)
		if (whatif_in_shard(i, w->shard, w->sharded ? w->nshards : 0))
			sw.idx[sw.nmine++] = i;
	pool_run(sw.nmine, jobs < 1 ? 1 : (size_t)jobs, &ops, &sw);
	progress(sw.done, sw.nmine, 1);
	if (sw.failed)
		rc = CMD_BAD;
	else
		rc = sweep_print(&sw);
	sweep_free(&sw);
	return rc;
}

/* --shard I/N; 0 or -1 (said) */
static int
shard_option(struct whatif_opts *w, const char *arg)
{
	const char *sl = strchr(arg, '/');
	char ibuf[32];

	if (sl != NULL && (size_t)(sl - arg) < sizeof(ibuf)) {
		snprintf(ibuf, sizeof(ibuf), "%.*s", (int)(sl - arg), arg);
		if (whatif_parse_size(ibuf, &w->shard) == 0 &&
		    whatif_parse_size(sl + 1, &w->nshards) == 0 && w->nshards != 0 &&
		    w->shard < w->nshards) {
			w->sharded = 1;
			return 0;
		}
	}
	fprintf(stderr, "ksim: --shard: expected I/N with 0 <= I < N (e.g. 0/4), found \"%s\"\n",
	    arg);
	return -1;
}

static int
sweep_option(struct cmd_args *a, enum cmd_opt id, const char *arg)
{
	struct whatif_opts *w = a->priv;
	struct ks_error err;
	const char *eq;
	struct whatif_vary *v;
	size_t n;

	switch (id) {
	case OPT_VARY:
		eq = strchr(arg, '=');
		if (eq == NULL || eq == arg || eq[1] == '\0') {
			fprintf(stderr, "ksim: --vary: expected PATH=V1,V2,..., found \"%s\"\n", arg);
			return -1;
		}
		w->vary = xreallocarray(w->vary, w->nvary + 1, sizeof(*w->vary));
		v = &w->vary[w->nvary++];
		v->path = xasprintf("%.*s", (int)(eq - arg), arg);
		v->values = whatif_split_commas(eq + 1, &v->nvalues);
		return 0;
	case OPT_JOBS:
		if (whatif_parse_size(arg, &n) != 0 || n == 0 || n > 4096) {
			fprintf(stderr, "ksim: --jobs: expected a number of processes from 1 to 4096, "
			    "found \"%s\"\n", arg);
			return -1;
		}
		w->jobs = (long)n;
		return 0;
	case OPT_SHARD:
		return shard_option(w, arg);
	default:
		assert(id == OPT_METRICS);
		ks_error_clear(&err);
		if (whatif_metrics_option(w, arg, &err) != 0) {
			ks_error_print(stderr, &err);
			return -1;
		}
		return 0;
	}
}

const struct cmd_entry cmd_sweep_entry = {
	.name = "sweep",
	.brief = "run a grid of variants",
	.usage = "ksim sweep [options] --vary PATH=V1,V2,... [--vary ...] [-j N]\n"
	    "       [--shard I/N] [--metrics M1,M2,...] FILE...\n",
	.nofiles = "expected at least one scenario FILE",
	.family = CMD_FAM_WHATIF,
	.opts = CMD_OPTS_SHARED | CMD_OPT(OPT_VARY) | CMD_OPT(OPT_JOBS) | CMD_OPT(OPT_SHARD) |
	    CMD_OPT(OPT_METRICS),
	.priv_new = whatif_wopts_new,
	.priv_free = whatif_wopts_free,
	.option = sweep_option,
	.exec = sweep_exec,
};
