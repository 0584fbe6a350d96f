/*
 * pool.c: a pool of forked worker processes.  Each job runs in a child of
 * its own (fork(2): the simulation engine stays single-threaded, and a job
 * that crashes takes only itself down), at most `jobs` at once.  A child
 * writes its result to an unlinked temporary file (tmpfile(3): no pipe to
 * fill up and block on, nothing left behind), and the parent reads it back
 * once the child has ended and hands it to done() with the child's wait
 * status.  Callers store results by job index, so what they print does not
 * depend on which job finished first.
 *
 * stdout and stderr are flushed before each fork, so a child never writes
 * out the parent's buffered output a second time.
 *
 * Costs: one fork and one temporary file per job; the parent holds one
 * result at a time.
 */
#include "util/pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/xmalloc.h"

struct worker {
	pid_t	 pid;		/* 0 = free slot */
	size_t	 job;		/* its job index */
	FILE	*out;		/* its result */
};

/* The whole of fp from its start, NUL-terminated; owned. */
static char *
slurp(FILE *fp, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0, got;

	*len = 0;
	rewind(fp);
	do {
		if (cap - *len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + *len, 1, cap - *len - 1, fp);
		*len += got;
	} while (got > 0);
	buf[*len] = '\0';
	return buf;
}

/* Start job i in slot w of ws; 0, or done()'s answer when it could not start. */
static int
start(struct worker *ws, struct worker *w, size_t i, const struct pool_ops *ops, void *arg)
{
	char why[300];
	int rc;

	w->job = i;
	if ((w->out = tmpfile()) == NULL) {
		snprintf(why, sizeof(why), "cannot create a temporary file: %s", strerror(errno));
		return ops->done(i, why, strlen(why), POOL_NOSTART, arg);
	}
	fflush(stdout);
	fflush(stderr);
	if ((w->pid = fork()) < 0) {
		snprintf(why, sizeof(why), "cannot fork: %s", strerror(errno));
		fclose(w->out);
		w->pid = 0;
		return ops->done(i, why, strlen(why), POOL_NOSTART, arg);
	}
	if (w->pid == 0) {
		rc = ops->run(i, w->out, arg);
		if (fclose(w->out) != 0)
			rc = -1;
		if (ops->child_free != NULL)
			ops->child_free(arg);
		free(ws);	/* the child leaves as clean as a run does (valgrind follows it) */
		_exit(rc == 0 ? 0 : 1);
	}
	return 0;
}

/* Wait for one child and report it; 0, -1 when there is none, else done()'s answer. */
static int
reap(struct worker *ws, size_t nw, size_t *running, const struct pool_ops *ops, void *arg)
{
	int status, rc;
	pid_t pid = waitpid(-1, &status, 0);

	if (pid < 0)
		return errno == EINTR ? 0 : -1;
	for (size_t k = 0; k < nw; k++) {
		char *data;
		size_t len;

		if (ws[k].pid != pid)
			continue;
		data = slurp(ws[k].out, &len);
		fclose(ws[k].out);
		ws[k].pid = 0;
		(*running)--;
		rc = ops->done(ws[k].job, data, len, status, arg);
		free(data);
		return rc;
	}
	return 0;	/* not ours */
}

void
pool_run(size_t n, size_t jobs, const struct pool_ops *ops, void *arg)
{
	struct worker *ws;
	size_t running = 0, next = 0;
	int stop = 0;

	if (jobs < 1)
		jobs = 1;
	ws = xcalloc(jobs, sizeof(*ws));
	while (next < n && !stop) {
		size_t slot = 0;
		int rc;

		while (running >= jobs && !stop) {
			if ((rc = reap(ws, jobs, &running, ops, arg)) < 0)
				break;
			stop = rc != 0;
		}
		if (stop || running >= jobs)
			break;
		while (ws[slot].pid != 0)
			slot++;
		if ((rc = start(ws, &ws[slot], next++, ops, arg)) != 0)
			stop = 1;
		else if (ws[slot].pid != 0)
			running++;
	}
	while (running > 0) {
		if (reap(ws, jobs, &running, ops, arg) < 0)
			break;
	}
	free(ws);
}
