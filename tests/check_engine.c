/*
 * check_engine.c: the event heap, the run loop, periodic timers and the
 * seeded random streams (sim/engine.c, sim/rng.c).
 *
 * The engine's one promise is a total order on (at_ms, seq): these tests
 * push events in a scrambled order and check they come out sorted by time
 * and, within a millisecond, in insertion order, including after random
 * cancellations and reschedules (sim_heap_check after every operation).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"
#include "sim/rng.h"
#include "testutil.h"
#include "util/xmalloc.h"

Suite *engine_suite(void);

/* A log of callback runs: (time, tag). */
struct trace {
	int64_t	at[256];
	int	tag[256];
	int	n;
};

struct tagged {
	struct trace	*tr;
	int		 tag;
	int		 runs;		/* how many times it still re-arms */
	int64_t		 period;	/* delay it returns */
};

static int64_t
record(struct sim *s, void *arg)
{
	struct tagged *t = arg;

	ck_assert_int_lt(t->tr->n, 256);
	t->tr->at[t->tr->n] = s->now_ms;
	t->tr->tag[t->tr->n++] = t->tag;
	if (t->runs > 0) {
		t->runs--;
		return t->period;
	}
	return SIM_NOMORE;
}

static struct sim_event *
ev_new(int64_t at)
{
	struct sim_event *e = xcalloc(1, sizeof(*e));

	e->at_ms = at;
	e->heap_idx = SIZE_MAX;
	return e;
}

/* ---- core ---- */

START_TEST(heap_random_order)
{
	struct sim s;
	struct sim_event *ev[2000];
	struct ks_rng r;
	int64_t last_at = -1;
	uint64_t last_seq = 0;

	sim_init(&s, 0);
	rng_seed(&r, 42, 0);
	for (int i = 0; i < 2000; i++) {
		/* only 50 distinct times: many ties */
		ev[i] = ev_new((int64_t)rng_below(&r, 50));
		sim_heap_push(&s, ev[i]);
		ck_assert_uint_eq(ev[i]->seq, (uint64_t)i);
	}
	ck_assert(sim_heap_check(&s));
	for (int i = 0; i < 2000; i++) {
		struct sim_event *e = sim_heap_pop(&s);

		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->heap_idx, SIZE_MAX);
		if (e->at_ms == last_at)
			ck_assert_uint_gt(e->seq, last_seq);	/* ties: insertion order */
		else
			ck_assert_int_gt(e->at_ms, last_at);
		last_at = e->at_ms;
		last_seq = e->seq;
		if (i % 97 == 0)
			ck_assert(sim_heap_check(&s));
		free(e);
	}
	ck_assert_ptr_null(sim_heap_pop(&s));
	sim_free(&s);
}
END_TEST

START_TEST(heap_remove_keeps_invariant)
{
	struct sim s;
	struct sim_event *ev[500];
	int alive[500];
	struct ks_rng r;
	size_t left = 500;

	sim_init(&s, 0);
	rng_seed(&r, 7, 0);
	for (int i = 0; i < 500; i++) {
		ev[i] = ev_new((int64_t)rng_below(&r, 1000));
		sim_heap_push(&s, ev[i]);
		alive[i] = 1;
	}
	/* remove 300 at random positions, checking the heap each time */
	for (int k = 0; k < 300; k++) {
		int i;

		do
			i = (int)rng_below(&r, 500);
		while (!alive[i]);
		sim_heap_remove(&s, ev[i]);
		ck_assert_uint_eq(ev[i]->heap_idx, SIZE_MAX);
		alive[i] = 0;
		left--;
		ck_assert_uint_eq(s.n, left);
		ck_assert(sim_heap_check(&s));
		free(ev[i]);
	}
	sim_free(&s);	/* frees the 200 still queued */
}
END_TEST

START_TEST(cancel_and_reschedule)
{
	struct sim s;
	struct trace tr = { .n = 0 };
	struct tagged t[6];
	struct sim_event *e[6];

	sim_init(&s, 10000);
	for (int i = 0; i < 6; i++) {
		t[i] = (struct tagged){ &tr, i, 0, 0 };
		e[i] = sim_at(&s, 100 * (i + 1), "t", record, &t[i]);	/* 100..600 */
	}
	sim_cancel(&s, e[2]);			/* 300 never runs */
	ck_assert(sim_heap_check(&s));
	sim_reschedule(&s, e[0], 500);		/* 100 -> 500, after tag 4 (same time) */
	ck_assert(sim_heap_check(&s));
	sim_reschedule(&s, e[5], 50);		/* 600 -> 50, first */
	ck_assert(sim_heap_check(&s));
	sim_cancel(&s, NULL);			/* no-op */
	sim_run(&s);
	ck_assert_int_eq(tr.n, 5);
	ck_assert_int_eq(tr.tag[0], 5);
	ck_assert_int_eq(tr.at[0], 50);
	ck_assert_int_eq(tr.tag[1], 1);
	ck_assert_int_eq(tr.tag[2], 3);
	ck_assert_int_eq(tr.tag[3], 4);
	ck_assert_int_eq(tr.tag[4], 0);		/* rescheduled: a new seq, after 4 */
	ck_assert_int_eq(tr.at[4], 500);
	ck_assert_uint_eq(s.executed, 5);
	/* the queue emptied before end_ms: the clock moves to the end */
	ck_assert_int_eq(s.now_ms, 10000);
	sim_free(&s);
}
END_TEST

START_TEST(ties_in_insertion_order)
{
	struct sim s;
	struct trace tr = { .n = 0 };
	struct tagged t[10];

	sim_init(&s, 1000);
	for (int i = 9; i >= 0; i--) {
		t[i] = (struct tagged){ &tr, i, 0, 0 };
		sim_at(&s, 5, "t", record, &t[i]);
	}
	sim_run(&s);
	ck_assert_int_eq(tr.n, 10);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(tr.tag[i], 9 - i);
	sim_free(&s);
}
END_TEST

START_TEST(periodic_timers)
{
	struct sim s;
	struct trace tr = { .n = 0 };
	/* A: every 15 s from 0, B: every 10 s from 0, both forever */
	struct tagged a = { &tr, 'A', 1000, 15000 }, b = { &tr, 'B', 1000, 10000 };
	int na = 0, nb = 0;

	sim_init(&s, 60000);
	sim_at(&s, 0, "a", record, &a);
	sim_at(&s, 0, "b", record, &b);
	sim_run(&s);
	/*
	 * A runs at 0,15,30,45,60 s (5), B at 0,10,...,60 s (7).  At 0 s A
	 * was scheduled first; at 30 s and 60 s both are due: A was re-armed
	 * at 15 s and B at 20 s (A's seq is lower), so A runs first; at 60 s
	 * A was re-armed at 45 s and B at 50 s: A first again.
	 */
	for (int i = 0; i < tr.n; i++) {
		na += tr.tag[i] == 'A';
		nb += tr.tag[i] == 'B';
	}
	ck_assert_int_eq(na, 5);
	ck_assert_int_eq(nb, 7);
	ck_assert_int_eq(tr.n, 12);
	ck_assert_int_eq(tr.tag[0], 'A');
	ck_assert_int_eq(tr.tag[1], 'B');
	for (int i = 1; i < tr.n; i++)
		ck_assert_int_le(tr.at[i - 1], tr.at[i]);
	for (int i = 0; i + 1 < tr.n; i++)
		if (tr.at[i] == tr.at[i + 1] && tr.at[i] > 0)
			ck_assert_int_eq(tr.tag[i], 'A');
	ck_assert_int_eq(tr.at[tr.n - 1], 60000);
	/* both are still queued at 75 s and 70 s: nothing ran past end_ms */
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(s.now_ms, 60000);
	sim_free(&s);
}
END_TEST

/* A periodic timer that stops by itself after a few runs. */
START_TEST(periodic_nomore)
{
	struct sim s;
	struct trace tr = { .n = 0 };
	struct tagged a = { &tr, 1, 3, 250 };

	sim_init(&s, 100000);
	sim_after(&s, 100, "a", record, &a);
	sim_run(&s);
	/* 100, 350, 600, 850 then SIM_NOMORE */
	ck_assert_int_eq(tr.n, 4);
	ck_assert_int_eq(tr.at[3], 850);
	ck_assert_uint_eq(s.n, 0);
	sim_free(&s);
}
END_TEST

static int64_t
stopper(struct sim *s, void *arg)
{
	(void)arg;
	sim_stop(s);
	return SIM_NOMORE;
}

START_TEST(run_stops_at_end_and_on_stop)
{
	struct sim s;
	struct trace tr = { .n = 0 };
	struct tagged t[3];

	sim_init(&s, 1000);
	for (int i = 0; i < 3; i++)
		t[i] = (struct tagged){ &tr, i, 0, 0 };
	sim_at(&s, 999, "a", record, &t[0]);
	sim_at(&s, 1000, "b", record, &t[1]);	/* at end_ms: runs */
	sim_at(&s, 1001, "c", record, &t[2]);	/* after: does not */
	sim_run(&s);
	ck_assert_int_eq(tr.n, 2);
	ck_assert_int_eq(s.now_ms, 1000);
	ck_assert_uint_eq(s.n, 1);
	sim_free(&s);

	tr.n = 0;
	sim_init(&s, 1000);
	sim_at(&s, 10, "a", record, &t[0]);
	sim_at(&s, 20, "stop", stopper, NULL);
	sim_at(&s, 30, "b", record, &t[1]);
	sim_run(&s);
	ck_assert_int_eq(tr.n, 1);
	ck_assert_int_eq(s.now_ms, 20);		/* stopped: the clock stays */
	sim_free(&s);
}
END_TEST

static int64_t
schedule_in_past(struct sim *s, void *arg)
{
	struct tagged *t = arg;

	/* a callback asking for a time already passed runs now, after itself */
	sim_at(s, s->now_ms - 100, "late", record, t);
	sim_after(s, -5, "neg", record, t);
	return SIM_NOMORE;
}

START_TEST(past_times_clamp_to_now)
{
	struct sim s;
	struct trace tr = { .n = 0 };
	struct tagged t = { &tr, 1, 0, 0 };

	sim_init(&s, 1000);
	sim_at(&s, 500, "p", schedule_in_past, &t);
	sim_run(&s);
	ck_assert_int_eq(tr.n, 2);
	ck_assert_int_eq(tr.at[0], 500);
	ck_assert_int_eq(tr.at[1], 500);
	sim_free(&s);
}
END_TEST

/* An owned arg: counts its releases. */
static void
count_free(void *arg)
{
	(*(int *)arg)++;
}

static int64_t
fire_once(struct sim *s, void *arg)
{
	(void)s;
	(void)arg;
	return SIM_NOMORE;
}

START_TEST(owned_args_freed_once)
{
	struct sim s;
	int ran = 0, cancelled = 0, pending = 0, borrowed = 0;
	struct sim_event *e;

	/* released after the callback ends it, on cancel, and by sim_free
	 * when the run ends before the event fires; never when borrowed */
	sim_init(&s, 1000);
	sim_after_owned(&s, 10, "ran", fire_once, &ran, count_free);
	e = sim_after_owned(&s, 20, "cancelled", fire_once, &cancelled, count_free);
	sim_after_owned(&s, 5000, "pending", fire_once, &pending, count_free);
	sim_at(&s, 5000, "borrowed", fire_once, &borrowed);
	sim_cancel(&s, e);
	ck_assert_int_eq(cancelled, 1);
	sim_run(&s);
	ck_assert_int_eq(ran, 1);
	ck_assert_int_eq(pending, 0);
	sim_free(&s);
	ck_assert_int_eq(ran, 1);
	ck_assert_int_eq(cancelled, 1);
	ck_assert_int_eq(pending, 1);
	ck_assert_int_eq(borrowed, 0);
}
END_TEST

START_TEST(huge_delay_saturates)
{
	struct sim s;
	struct sim_event *e;
	int n = 0;

	/* now + delay past INT64_MAX means never, not a wrapped past time */
	sim_init(&s, 1000);
	s.now_ms = 10;
	e = sim_after_owned(&s, INT64_MAX, "never", fire_once, &n, count_free);
	ck_assert(e->at_ms == INT64_MAX);
	sim_run(&s);
	ck_assert_int_eq(n, 0);
	sim_free(&s);
	ck_assert_int_eq(n, 1);
}
END_TEST

START_TEST(rng_deterministic)
{
	struct ks_rng a, b, c;
	int differ = 0;

	rng_seed(&a, 1, 1);
	rng_seed(&b, 1, 1);
	rng_seed(&c, 1, 2);	/* another stream of the same seed */
	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);

		ck_assert_uint_eq(x, y);
		differ += x != z;
	}
	ck_assert_int_gt(differ, 990);
	rng_seed(&a, 2, 1);
	rng_seed(&b, 1, 1);
	ck_assert_uint_ne(rng_next(&a), rng_next(&b));
}
END_TEST

/* ---- limits ---- */

START_TEST(rng_below_bounds)
{
	struct ks_rng r;
	int hist[7] = { 0 };

	rng_seed(&r, 99, 3);
	for (int i = 0; i < 70000; i++) {
		uint64_t x = rng_below(&r, 7);

		ck_assert_uint_lt(x, 7);
		hist[x]++;
	}
	/* 10000 expected per bucket; sd ~ 93: 5 sd = 465 */
	for (int i = 0; i < 7; i++) {
		ck_assert_int_gt(hist[i], 10000 - 500);
		ck_assert_int_lt(hist[i], 10000 + 500);
	}
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_eq(rng_below(&r, 1), 0);
	for (int i = 0; i < 1000; i++) {
		uint64_t big = UINT64_MAX - 1;

		ck_assert_uint_lt(rng_below(&r, big), big);
	}
	for (int i = 0; i < 1000; i++) {
		double u = rng_unit(&r);

		ck_assert(u >= 0.0 && u < 1.0);
	}
}
END_TEST

START_TEST(heap_many_events)
{
	struct sim s;
	struct ks_rng r;
	int64_t last = -1;

	/* 200k events: the heap grows and stays ordered */
	sim_init(&s, 0);
	rng_seed(&r, 5, 0);
	for (int i = 0; i < 200000; i++)
		sim_heap_push(&s, ev_new((int64_t)rng_below(&r, 1000000)));
	ck_assert(sim_heap_check(&s));
	while (s.n > 0) {
		struct sim_event *e = sim_heap_pop(&s);

		ck_assert_int_ge(e->at_ms, last);
		last = e->at_ms;
		free(e);
	}
	sim_free(&s);
}
END_TEST

START_TEST(empty_run)
{
	struct sim s;

	sim_init(&s, 5000);
	sim_run(&s);
	ck_assert_int_eq(s.now_ms, 5000);
	ck_assert_uint_eq(s.executed, 0);
	sim_free(&s);
	sim_free(&s);	/* idempotent */
}
END_TEST

/* ---- errors ---- */

START_TEST(heap_check_detects_breakage)
{
	struct sim s;
	struct sim_event *a = ev_new(10), *b = ev_new(20);

	sim_init(&s, 0);
	sim_heap_push(&s, a);
	sim_heap_push(&s, b);
	ck_assert(sim_heap_check(&s));
	a->at_ms = 30;		/* corrupt the key behind the heap's back */
	ck_assert(!sim_heap_check(&s));
	a->at_ms = 10;
	b->heap_idx = 0;	/* corrupt an index */
	ck_assert(!sim_heap_check(&s));
	b->heap_idx = 1;
	ck_assert(sim_heap_check(&s));
	sim_free(&s);
}
END_TEST

Suite *
engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, heap_random_order);
	tcase_add_test(tc, heap_remove_keeps_invariant);
	tcase_add_test(tc, cancel_and_reschedule);
	tcase_add_test(tc, ties_in_insertion_order);
	tcase_add_test(tc, periodic_timers);
	tcase_add_test(tc, periodic_nomore);
	tcase_add_test(tc, run_stops_at_end_and_on_stop);
	tcase_add_test(tc, past_times_clamp_to_now);
	tcase_add_test(tc, owned_args_freed_once);
	tcase_add_test(tc, rng_deterministic);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	/* 200,000 events: the 4 s default is too short on a loaded machine */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rng_below_bounds);
	tcase_add_test(tc, huge_delay_saturates);
	tcase_add_test(tc, heap_many_events);
	tcase_add_test(tc, empty_run);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, heap_check_detects_breakage);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_main(engine_suite());
}
