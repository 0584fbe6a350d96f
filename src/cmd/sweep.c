/*
 * cmd/sweep.c: `ksim sweep`: the scenario over a grid of --vary values.
 * One process per combination, at most -j at once (the runs are
 * independent; the engine itself stays single-threaded).  A child writes
 * its summary as one JSON line to an unlinked temporary file (tmpfile(3):
 * no pipe to fill up, nothing left behind), and the parent prints the rows
 * in combination order whatever the finishing order, so the output is
 * deterministic.  --shard I/N keeps combinations with index % N == I and
 * prints the JSON lines themselves, for `ksim merge`.
 *
 * Costs: a sweep loads the scenario 1 + sum(values - 1) times up front to
 * reject a bad --vary before forking anything, then runs each combination
 * once; the parent holds one JSON line per combination.
 */
#include "whatif/whatif.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/xmalloc.h"

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

struct child {
	pid_t	 pid;		/* 0 = free slot */
	size_t	 index;		/* combination */
	FILE	*out;		/* its JSON line */
};

static char *
slurp(FILE *fp)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, got;

	rewind(fp);
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + len, 1, cap - len - 1, fp);
		len += got;
	} while (got > 0);
	buf[len] = '\0';
	return buf;
}

/* Wait for one child; store its line in lines[index].  Returns 0 or -1. */
static int
reap(struct child *kids, size_t nkids, char **lines, size_t *running)
{
	int status;
	pid_t pid = waitpid(-1, &status, 0);

	if (pid < 0)
		return -1;
	for (size_t i = 0; i < nkids; i++) {
		if (kids[i].pid != pid)
			continue;
		lines[kids[i].index] = slurp(kids[i].out);
		fclose(kids[i].out);
		if (lines[kids[i].index][0] == '\0') {
			free(lines[kids[i].index]);
			lines[kids[i].index] = WIFSIGNALED(status) ?
			    xasprintf("{\"index\":%zu,\"error\":\"ksim: run %zu was killed by "
			    "signal %d\"}\n", kids[i].index, kids[i].index, WTERMSIG(status)) :
			    xasprintf("{\"index\":%zu,\"error\":\"ksim: run %zu exited with "
			    "status %d and no result\"}\n", kids[i].index, kids[i].index,
			    WEXITSTATUS(status));
		}
		kids[i].pid = 0;
		(*running)--;
		return 0;
	}
	return 0;
}

static enum cmd_status
sweep_run(struct wopts *w)
{
	size_t ncombos = 1, nmine = 0, running = 0, done = 0, *choice, *nvalues;
	long jobs = w->jobs ? w->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	struct child *kids;
	char **lines;
	json_t **rows;
	enum cmd_status rc = CMD_OK;

	if (w->nvary == 0) {
		fprintf(stderr, "ksim: sweep: expected at least one --vary PATH=V1,V2,...\n");
		return CMD_BAD;
	}
	if (jobs < 1)
		jobs = 1;
	nvalues = xcalloc(w->nvary, sizeof(*nvalues));
	for (size_t k = 0; k < w->nvary; k++) {
		nvalues[k] = w->vary[k].nvalues;
		if (ncombos > WHATIF_MAX_COMBOS / nvalues[k]) {
			fprintf(stderr, "ksim: sweep: more than %d combinations\n", WHATIF_MAX_COMBOS);
			free(nvalues);
			return CMD_BAD;
		}
		ncombos *= nvalues[k];
	}
	choice = xcalloc(w->nvary, sizeof(*choice));
	if (whatif_sweep_prevalidate(w, choice) != 0) {
		free(choice);
		free(nvalues);
		return CMD_BAD;
	}
	kids = xcalloc((size_t)jobs, sizeof(*kids));
	lines = xcalloc(ncombos, sizeof(*lines));
	for (size_t i = 0; i < ncombos; i++)
		nmine += whatif_in_shard(i, w->shard, w->sharded ? w->nshards : 0);
	for (size_t i = 0; i < ncombos; i++) {
		size_t slot = 0;

		if (!whatif_in_shard(i, w->shard, w->sharded ? w->nshards : 0))
			continue;
		while (running >= (size_t)jobs) {
			if (reap(kids, (size_t)jobs, lines, &running) != 0)
				break;
			progress(++done, nmine, 0);
		}
		while (kids[slot].pid != 0)
			slot++;
		whatif_combo(nvalues, w->nvary, i, choice);
		kids[slot].index = i;
		if ((kids[slot].out = tmpfile()) == NULL) {
			fprintf(stderr, "ksim: sweep: cannot create a temporary file: %s\n",
			    strerror(errno));
			rc = CMD_BAD;
			break;
		}
		fflush(stdout);
		fflush(stderr);
		kids[slot].pid = fork();
		if (kids[slot].pid < 0) {
			fprintf(stderr, "ksim: sweep: cannot fork: %s\n", strerror(errno));
			fclose(kids[slot].out);
			kids[slot].pid = 0;
			rc = CMD_BAD;
			break;
		}
		if (kids[slot].pid == 0) {
			int crc = whatif_child_run(w, ncombos, i, choice, kids[slot].out);

			free(choice);
			free(nvalues);
			free(kids);
			for (size_t k = 0; k < ncombos; k++)
				free(lines[k]);
			free(lines);
			_exit(crc == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
		}
		running++;
	}
	while (running > 0) {
		if (reap(kids, (size_t)jobs, lines, &running) != 0)
			break;
		progress(++done, nmine, 0);
	}
	progress(done, nmine, 1);
	if (rc == CMD_OK) {
		char **mine = xcalloc(nmine + 1, sizeof(*mine));
		size_t m = 0;

		for (size_t i = 0; i < ncombos; i++)
			if (lines[i] != NULL)
				mine[m++] = lines[i];
		if (w->sharded) {
			/* the lines themselves, in index order, for ksim merge */
			char *buf = NULL;
			size_t len = 0;
			FILE *fp = open_memstream(&buf, &len);

			for (size_t i = 0; i < m; i++)
				fputs(mine[i], fp);
			fclose(fp);
			rows = xcalloc(m + 1, sizeof(*rows));
			if (whatif_parse_rows(mine, m, rows, "sweep") != 0)
				rc = CMD_BAD;
			else
				rc = whatif_emit(&w->o, buf, len);
			for (size_t i = 0; i < m; i++)
				json_decref(rows[i]);
			free(rows);
			free(buf);
		} else {
			size_t len;
			char *buf;

			rows = xcalloc(m + 1, sizeof(*rows));
			if (m != ncombos || whatif_parse_rows(mine, m, rows, "sweep") != 0) {
				rc = CMD_BAD;
			} else {
				buf = whatif_sweep_table(rows, m, w->metrics, w->nmetrics, w->o.output, &len);
				rc = whatif_emit(&w->o, buf, len);
				free(buf);
			}
			for (size_t i = 0; i < m; i++)
				json_decref(rows[i]);
			free(rows);
		}
		free(mine);
	}
	for (size_t i = 0; i < ncombos; i++)
		free(lines[i]);
	free(lines);
	free(kids);
	free(choice);
	free(nvalues);
	return rc;
}

/* --shard I/N; 0 or -1 (said) */
static int
shard_option(struct wopts *w, const char *arg)
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
	struct wopts *w = a->priv;
	const char *eq;
	struct vary *v;
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
		return whatif_metrics_option(w, arg);
	}
}

static enum cmd_status
sweep_exec(struct cmd_args *a)
{
	return whatif_exec(a, sweep_run);
}

const struct cmd_entry cmd_sweep_entry = {
	.name = "sweep",
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
