/*
 * engine.c: the clock and the event heap.
 *
 * The heap is an array-backed binary min-heap (libevent's minheap shape):
 * every event stores its own index so cancellation and rescheduling are
 * O(log n) without a search.  Key order is (at_ms, seq); seq is unique, so
 * the order is total and no two runs can pop events in different orders.
 *
 * A periodic controller is one event that returns its period; the engine
 * re-inserts it with a fresh seq.  That matches how upstream controllers
 * are driven (wait.Until / a ticker): the next run is scheduled after the
 * current one, so two controllers due at the same millisecond alternate in
 * the order they were first registered.
 *
 * Alternatives rejected: a calendar queue (ns-3) is faster for millions of
 * near-uniform events, but our event count is dominated by pod lifecycle
 * transitions (a few per pod) and controller ticks; a heap keeps the code
 * small and the cost at O(log n) per event.
 */
#include "sim/engine.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/xmalloc.h"

static int
ev_less(const struct sim_event *a, const struct sim_event *b)
{
	if (a->at_ms != b->at_ms)
		return a->at_ms < b->at_ms;
	return a->seq < b->seq;
}

static void
heap_set(struct sim *s, size_t i, struct sim_event *e)
{
	s->heap[i] = e;
	e->heap_idx = i;
}

static void
sift_up(struct sim *s, size_t i)
{
	struct sim_event *e = s->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!ev_less(e, s->heap[p]))
			break;
		heap_set(s, i, s->heap[p]);
		i = p;
	}
	heap_set(s, i, e);
}

static void
sift_down(struct sim *s, size_t i)
{
	struct sim_event *e = s->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= s->n)
			break;
		if (c + 1 < s->n && ev_less(s->heap[c + 1], s->heap[c]))
			c++;
		if (!ev_less(s->heap[c], e))
			break;
		heap_set(s, i, s->heap[c]);
		i = c;
	}
	heap_set(s, i, e);
}

void
sim_heap_push(struct sim *s, struct sim_event *e)
{
	assert(e->heap_idx == SIZE_MAX);
	e->seq = s->next_seq++;
	VEC_GROW(s->heap, s->n, s->cap);
	s->n++;
	heap_set(s, s->n - 1, e);
	sift_up(s, s->n - 1);
}

void
sim_heap_remove(struct sim *s, struct sim_event *e)
{
	size_t i = e->heap_idx;

	assert(i < s->n && s->heap[i] == e);
	s->n--;
	if (i != s->n) {
		heap_set(s, i, s->heap[s->n]);
		if (i > 0 && ev_less(s->heap[i], s->heap[(i - 1) / 2]))
			sift_up(s, i);
		else
			sift_down(s, i);
	}
	e->heap_idx = SIZE_MAX;
}

struct sim_event *
sim_heap_pop(struct sim *s)
{
	struct sim_event *e;

	if (s->n == 0)
		return NULL;
	e = s->heap[0];
	sim_heap_remove(s, e);
	return e;
}

int
sim_heap_check(const struct sim *s)
{
	for (size_t i = 1; i < s->n; i++)
		if (ev_less(s->heap[i], s->heap[(i - 1) / 2]))
			return 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->heap[i]->heap_idx != i)
			return 0;
	return 1;
}

/* Free an event that has left the heap, and its arg if it owns it. */
static void
ev_free(struct sim_event *e)
{
	if (e->free_arg != NULL)
		e->free_arg(e->arg);
	free(e);
}

void
sim_init(struct sim *s, int64_t end_ms)
{
	s->now_ms = 0;
	s->end_ms = end_ms;
	s->next_seq = 0;
	s->heap = NULL;
	s->n = s->cap = 0;
	s->executed = 0;
	s->stopped = 0;
	s->world = NULL;
}

void
sim_free(struct sim *s)
{
	for (size_t i = 0; i < s->n; i++)
		ev_free(s->heap[i]);
	free(s->heap);
	s->heap = NULL;
	s->n = s->cap = 0;
}

struct sim_event *
sim_at_owned(struct sim *s, int64_t at_ms, const char *name, sim_event_fn *fn, void *arg,
    sim_free_fn *free_arg)
{
	struct sim_event *e = xmalloc(sizeof(*e));

	assert(fn != NULL);
	e->at_ms = at_ms < s->now_ms ? s->now_ms : at_ms;
	e->heap_idx = SIZE_MAX;
	e->fn = fn;
	e->arg = arg;
	e->free_arg = free_arg;
	e->name = name;
	sim_heap_push(s, e);
	return e;
}

struct sim_event *
sim_at(struct sim *s, int64_t at_ms, const char *name, sim_event_fn *fn, void *arg)
{
	return sim_at_owned(s, at_ms, name, fn, arg, NULL);
}

/* now + delay, saturating: a huge delay means "never" within any run. */
static int64_t
after(const struct sim *s, int64_t delay_ms)
{
	if (delay_ms <= 0)
		return s->now_ms;
	return delay_ms > INT64_MAX - s->now_ms ? INT64_MAX : s->now_ms + delay_ms;
}

struct sim_event *
sim_after_owned(struct sim *s, int64_t delay_ms, const char *name, sim_event_fn *fn, void *arg,
    sim_free_fn *free_arg)
{
	return sim_at_owned(s, after(s, delay_ms), name, fn, arg, free_arg);
}

struct sim_event *
sim_after(struct sim *s, int64_t delay_ms, const char *name, sim_event_fn *fn, void *arg)
{
	return sim_at_owned(s, after(s, delay_ms), name, fn, arg, NULL);
}

void
sim_cancel(struct sim *s, struct sim_event *e)
{
	if (e == NULL)
		return;
	if (e->heap_idx != SIZE_MAX)
		sim_heap_remove(s, e);
	ev_free(e);
}

void
sim_reschedule(struct sim *s, struct sim_event *e, int64_t at_ms)
{
	sim_heap_remove(s, e);
	e->at_ms = at_ms < s->now_ms ? s->now_ms : at_ms;
	sim_heap_push(s, e);
}

void
sim_stop(struct sim *s)
{
	s->stopped = 1;
}

void
sim_run(struct sim *s)
{
	struct sim_event *e;

	while (!s->stopped && s->n > 0 && s->heap[0]->at_ms <= s->end_ms) {
		int64_t next;

		e = sim_heap_pop(s);
		assert(e->at_ms >= s->now_ms);
		s->now_ms = e->at_ms;
		next = e->fn(s, e->arg);
		s->executed++;
		if (next == SIM_NOMORE) {
			ev_free(e);
			continue;
		}
		e->at_ms = after(s, next);
		sim_heap_push(s, e);
	}
	if (!s->stopped && s->now_ms < s->end_ms)
		s->now_ms = s->end_ms;
}
