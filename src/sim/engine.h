/*
 * engine.h: the discrete-event engine.
 *
 * One binary min-heap of events keyed by (at_ms, seq).  seq grows on every
 * insertion, so events due at the same simulated millisecond run in the
 * order they were scheduled: a run is a pure function of its inputs and
 * seed.  An event's callback returns the delay until it should run again
 * (a periodic controller returns its period), or SIM_NOMORE.
 *
 * Ownership: the engine owns the events it allocates (sim_at/sim_after) and
 * frees them when they end or when the engine is freed.  `arg` is borrowed,
 * except for events made by sim_at_owned/sim_after_owned: those own their
 * arg, and the engine calls free_arg(arg) whenever it frees the event (after
 * the callback returns SIM_NOMORE, on sim_cancel, or in sim_free when the
 * run ends before the event fires), so the callback must not free it.
 */
#ifndef KS_ENGINE_H
#define KS_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#define SIM_NOMORE	(-1)

struct sim;
struct sim_event;
/* Runs at ev's time; returns the delay in ms until the next run, or SIM_NOMORE. */
typedef int64_t sim_event_fn(struct sim *, void *arg);
/* Releases an owned event's arg. */
typedef void sim_free_fn(void *arg);

struct sim_event {
	int64_t		 at_ms;		/* simulated ms since scenario start */
	uint64_t	 seq;		/* insertion order; the tie-breaker */
	size_t		 heap_idx;	/* position in the heap, SIZE_MAX when not queued */
	sim_event_fn	*fn;		/* the callback */
	void		*arg;		/* borrowed, or owned when free_arg is set */
	sim_free_fn	*free_arg;	/* releases arg with the event, or NULL */
	const char	*name;		/* static; for debugging */
};

struct sim {
	int64_t			 now_ms;	/* the clock: time of the running event */
	int64_t			 end_ms;	/* the run stops before events after this */
	uint64_t		 next_seq;	/* next insertion number */
	struct sim_event	**heap;		/* binary min-heap on (at_ms, seq) */
	size_t			 n, cap;	/* heap size and capacity */
	uint64_t		 executed;	/* events run so far */
	int			 stopped;	/* sim_stop() was called */
	void			*world;		/* the model events act on (the cluster); borrowed */
};

void		 sim_init(struct sim *, int64_t end_ms);
void		 sim_free(struct sim *);
/* Schedule fn(arg) at absolute time at_ms (>= now). Returns the event (owned by the engine). */
struct sim_event *sim_at(struct sim *, int64_t at_ms, const char *name, sim_event_fn *, void *arg);
/* Schedule fn(arg) after delay_ms. */
struct sim_event *sim_after(struct sim *, int64_t delay_ms, const char *name, sim_event_fn *, void *arg);
/* The same, with an event that owns arg and releases it with free_arg. */
struct sim_event *sim_at_owned(struct sim *, int64_t at_ms, const char *name, sim_event_fn *,
		    void *arg, sim_free_fn *free_arg);
struct sim_event *sim_after_owned(struct sim *, int64_t delay_ms, const char *name,
		    sim_event_fn *, void *arg, sim_free_fn *free_arg);
/* Cancel a queued event and free it (and its arg, if owned). */
void		 sim_cancel(struct sim *, struct sim_event *);
/* Move a queued event to a new time (it gets a new seq, as if scheduled now). */
void		 sim_reschedule(struct sim *, struct sim_event *, int64_t at_ms);
/* Run events in order until the queue empties, end_ms passes or sim_stop(). */
void		 sim_run(struct sim *);
void		 sim_stop(struct sim *);

/* Heap primitives, exposed for the unit tests. */
void		 sim_heap_push(struct sim *, struct sim_event *);
struct sim_event *sim_heap_pop(struct sim *);
void		 sim_heap_remove(struct sim *, struct sim_event *);
int		 sim_heap_check(const struct sim *);	/* 1 if the heap invariant holds */

#endif
