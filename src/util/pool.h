/*
 * pool.h: one worker pool of forked processes, for the commands that run
 * independent simulations side by side (sweep, plan nodes).  See pool.c.
 */
#ifndef KS_UTIL_POOL_H
#define KS_UTIL_POOL_H

#include <stddef.h>
#include <stdio.h>

#define POOL_NOSTART	(-1)	/* done()'s status: the job could not be started */

struct pool_ops {
	/*
	 * In the child: job i's work, its result written to out (the pool
	 * closes it).  Returns 0 on success; the child's exit status is 0 or 1.
	 */
	int	(*run)(size_t i, FILE *out, void *arg);
	/* In the child, after run and before _exit: free what it holds of the parent's (may be NULL). */
	void	(*child_free)(void *arg);
	/*
	 * In the parent, as job i ends: the bytes it wrote (len of them, and a
	 * NUL after them; borrowed for the call) and its wait(2) status; or
	 * status POOL_NOSTART when it could not be started, with the reason in
	 * data ("cannot fork: ...").  Returns nonzero to start no more jobs
	 * (those running are still waited for and reported).
	 */
	int	(*done)(size_t i, const char *data, size_t len, int status, void *arg);
};

/*
 * Run jobs 0..n-1 with at most `jobs` (at least 1) processes at once, in
 * index order; results reach done() in finishing order.  Returns when
 * every started job has ended.
 */
void	pool_run(size_t n, size_t jobs, const struct pool_ops *, void *arg);

#endif
