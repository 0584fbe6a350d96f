/*
 * cmd/progress.c: the progress line of a long run on a terminal.  The
 * library reports the simulated time reached every simulated minute
 * (struct ksim_opts.progress); when stderr is a terminal, this prints it
 * about four times a second ("ksim: simulated 1h30m of 6h") and clears
 * the line when the run ends.  The report only reads the clock, so the
 * run's output is the same with or without it.
 */
#include "cmd/cmd.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/fmt.h"

#define PROGRESS_EVERY_MS	250	/* wall-clock ms between two lines, at least */

static void
progress_tick(int64_t now_ms, int64_t end_ms, void *arg)
{
	struct cmd_progress *pg = arg;
	struct timespec now;
	char t1[32], t2[32];

	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - pg->last.tv_sec) * 1000 + (now.tv_nsec - pg->last.tv_nsec) / 1000000 >=
	    PROGRESS_EVERY_MS) {
		fprintf(stderr, "\rksim: simulated %s of %s", fmt_time(now_ms, t1, sizeof(t1)),
		    fmt_time(end_ms, t2, sizeof(t2)));
		pg->last = now;
		pg->printed = 1;
	}
}

void
cmd_progress_arm(struct cmd_progress *pg, struct ksim_opts *o)
{
	memset(pg, 0, sizeof(*pg));
	o->progress = NULL;
	o->progress_arg = NULL;
	if (!isatty(STDERR_FILENO))
		return;
	clock_gettime(CLOCK_MONOTONIC, &pg->last);
	o->progress = progress_tick;
	o->progress_arg = pg;
}

void
cmd_progress_done(struct cmd_progress *pg)
{
	if (pg->printed)
		fputs("\r\033[K", stderr);
	pg->printed = 0;
}
