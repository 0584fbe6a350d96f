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
 * Workers die with the pool: while it runs, SIGINT, SIGTERM and SIGHUP to
 * the parent are forwarded to every running worker, which are reaped
 * before the parent dies of the signal in turn (the handler then restores
 * the disposition it found and raises the signal again; kill(2), waitpid(2)
 * and raise(3) are async-signal-safe).  On Linux each worker also asks for
 * SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG), which covers a
 * parent killed by SIGKILL, where no handler runs.  Workers hold nothing
 * to clean up: their results are unlinked temporary files.
 *
 * Costs: one fork and one temporary file per job; the parent holds one
 * result at a time.
 */
#include "util/pool.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "util/xmalloc.h"

struct worker {
	pid_t	 pid;		/* 0 = free slot */
	size_t	 job;		/* its job index */
	FILE	*out;		/* its result */
};

static const int forward_sigs[] = { SIGINT, SIGTERM, SIGHUP };
#define NSIGS	(sizeof(forward_sigs) / sizeof(forward_sigs[0]))

/* The running pool, for the signal handler (one pool at a time). */
static struct {
	struct worker	*ws;		/* its slots */
	size_t		 nw;		/* entries in ws */
	struct sigaction old[NSIGS];	/* dispositions found when it started */
} running_pool;

static void
on_signal(int sig)
{
	for (size_t k = 0; k < running_pool.nw; k++) {
		pid_t pid = running_pool.ws[k].pid;

		if (pid > 0) {
			kill(pid, sig);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
	}
	for (size_t k = 0; k < NSIGS; k++)
		if (forward_sigs[k] == sig)
			sigaction(sig, &running_pool.old[k], NULL);
	raise(sig);
}

/* Forward the signals to the workers in ws from now on (on), or no longer. */
static void
forward(struct worker *ws, size_t nw, int on)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t k = 0; k < NSIGS; k++)
		sigaddset(&sa.sa_mask, forward_sigs[k]);
	for (size_t k = 0; k < NSIGS; k++) {
		if (!on) {
			sigaction(forward_sigs[k], &running_pool.old[k], NULL);
			continue;
		}
		sigaction(forward_sigs[k], NULL, &running_pool.old[k]);
		if (running_pool.old[k].sa_handler != SIG_IGN)
			sigaction(forward_sigs[k], &sa, NULL);
	}
	running_pool.ws = on ? ws : NULL;
	running_pool.nw = on ? nw : 0;
}

/* In a new worker: the default dispositions, and death with the parent. */
static void
child_setup(pid_t parent)
{
	for (size_t k = 0; k < NSIGS; k++)
		if (running_pool.old[k].sa_handler != SIG_IGN)
			signal(forward_sigs[k], SIG_DFL);
#ifdef __linux__
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)	/* it died before prctl */
		_exit(1);
#else
	(void)parent;
#endif
}

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
	pid_t parent, pid;
	sigset_t set, old;
	int rc;

	w->job = i;
	if ((w->out = tmpfile()) == NULL) {
		snprintf(why, sizeof(why), "cannot create a temporary file: %s", strerror(errno));
		return ops->done(i, why, strlen(why), POOL_NOSTART, arg);
	}
	fflush(stdout);
	fflush(stderr);
	parent = getpid();
	/* the handler must see the pid of every worker it may have to forward to */
	sigemptyset(&set);
	for (size_t k = 0; k < NSIGS; k++)
		sigaddset(&set, forward_sigs[k]);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	w->pid = pid > 0 ? pid : 0;
	if (pid != 0)
		sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		snprintf(why, sizeof(why), "cannot fork: %s", strerror(errno));
		fclose(w->out);
		return ops->done(i, why, strlen(why), POOL_NOSTART, arg);
	}
	if (pid == 0) {
		child_setup(parent);
		sigprocmask(SIG_SETMASK, &old, NULL);
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
	forward(ws, jobs, 1);
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
	forward(ws, jobs, 0);
	free(ws);
}
