/*
 * check_events.c: the timeline's event correlation (cluster_event() in
 * cluster/cluster.c) and what counts events downstream.
 *
 * The rule under test is client-go's eventLogger, reached from
 * EventCorrelator.EventCorrelate in tools/record/events_cache.go:
 * eventObserve() looks the event up by getEventKey(), which joins the
 * source, the involved object, the type, the reason and the message; on a
 * hit the Event keeps its name and firstTimestamp and gets count + 1 and
 * the new lastTimestamp.  So only an identical repeat is folded; a
 * different message, object or reason is an Event of its own.  ksim's
 * reason implies the source (one component emits each reason), and it
 * keeps every key for the whole run (no LRU of 4,096, no 1 h TTL); it does
 * not model the EventAggregator or the spam filter (ksim-scenario(5)).
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cluster/cluster.h"
#include "sim/engine.h"
#include "whatif/whatif.h"
#include "testutil.h"

Suite *events_suite(void);

static struct sim	 S;
static struct ks_cluster C;

static void
setup(void)
{
	sim_init(&S, 3600 * 1000);
	cluster_init(&C, &S, 1);
}

static void
teardown(void)
{
	cluster_free(&C);
	sim_free(&S);
}

/* An identical repeat bumps count and lastTimestamp, keeps firstTimestamp (eventObserve). */
START_TEST(identical_repeat_bumps_count)
{
	S.now_ms = 1000;
	cluster_event(&C, "FailedScheduling", "pod/default/a", "0/%d nodes are available", 3);
	S.now_ms = 5000;
	cluster_event(&C, "FailedScheduling", "pod/default/a", "0/%d nodes are available", 3);
	S.now_ms = 9000;
	cluster_event(&C, "FailedScheduling", "pod/default/a", "0/3 nodes are available");
	ck_assert_uint_eq(C.nevents, 1);
	ck_assert_int_eq(C.events[0].at_ms, 1000);
	ck_assert_int_eq(C.events[0].last_ms, 9000);
	ck_assert_uint_eq(C.events[0].count, 3);
	ck_assert_str_eq(C.events[0].message, "0/3 nodes are available");
	ck_assert_uint_eq(C.ev_occurrences, 3);
}
END_TEST

/* getEventKey includes the reason, the involved object and the message: any difference is a new Event. */
START_TEST(any_difference_is_a_new_event)
{
	S.now_ms = 0;
	cluster_event(&C, "Unconsolidatable", "node/n1", "can't replace");
	cluster_event(&C, "Unconsolidatable", "node/n2", "can't replace");	/* object */
	cluster_event(&C, "Unconsolidatable", "node/n1", "can't remove");	/* message */
	cluster_event(&C, "DisruptionBlocked", "node/n1", "can't replace");	/* reason */
	ck_assert_uint_eq(C.nevents, 4);
	for (size_t i = 0; i < C.nevents; i++)
		ck_assert_uint_eq(C.events[i].count, 1);
	/* an event whose message varies (upstream would aggregate at 10 in 10 min: not modelled) */
	for (int k = 0; k < 12; k++)
		cluster_event(&C, "SuccessfulRescale", "hpa/default/web", "New size: %d", k);
	ck_assert_uint_eq(C.nevents, 16);
}
END_TEST

/* Records stay in order of first occurrence; a repeat does not move its record. */
START_TEST(order_of_first_occurrence)
{
	S.now_ms = 10;
	cluster_event(&C, "A", "node/x", "m");
	S.now_ms = 20;
	cluster_event(&C, "B", "node/x", "m");
	S.now_ms = 30;
	cluster_event(&C, "A", "node/x", "m");
	ck_assert_uint_eq(C.nevents, 2);
	ck_assert_str_eq(C.events[0].type, "A");
	ck_assert_int_eq(C.events[0].count, 2);
	ck_assert_int_eq(C.events[0].last_ms, 30);
	ck_assert_str_eq(C.events[1].type, "B");
	ck_assert_int_eq(C.events[1].last_ms, 20);
}
END_TEST

/* Many distinct events (the index grows several times), then a repeat of each. */
START_TEST(index_survives_growth)
{
	enum { N = 5000 };

	for (int round = 0; round < 2; round++) {
		S.now_ms = round * 1000;
		for (int i = 0; i < N; i++)
			cluster_event(&C, "Scheduled", "pod/default/p", "assigned p-%d", i);
	}
	ck_assert_uint_eq(C.nevents, N);
	for (size_t i = 0; i < C.nevents; i++) {
		char want[32];

		snprintf(want, sizeof(want), "assigned p-%zu", i);
		ck_assert_str_eq(C.events[i].message, want);
		ck_assert_uint_eq(C.events[i].count, 2);
		ck_assert_int_eq(C.events[i].last_ms, 1000);
	}
}
END_TEST

START_TEST(no_events_records_nothing)
{
	C.no_events = 1;
	cluster_event(&C, "A", "node/x", "m");
	ck_assert_uint_eq(C.nevents, 0);
	ck_assert_uint_eq(C.ev_occurrences, 0);
}
END_TEST

/* compare's SCALING ACTIONS count occurrences: the sum of the records' counts (1 when absent). */
START_TEST(summary_counts_occurrences)
{
	json_t *rep = json_pack("{s:I, s:[], s:[], s:[{s:s, s:i}, {s:s}, {s:s, s:i}]}",
	    "duration_ms", (json_int_t)60000, "pods", "nodes", "events",
	    "type", "Unconsolidatable", "count", 7, "type", "Unconsolidatable",
	    "type", "NodeReady", "count", 1);
	json_t *s, *ev;

	ck_assert_ptr_nonnull(rep);
	s = whatif_summary(rep);
	ev = json_object_get(s, "events");
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "Unconsolidatable")), 8);
	ck_assert_int_eq(json_integer_value(json_object_get(ev, "NodeReady")), 1);
	json_decref(s);
	json_decref(rep);
}
END_TEST

Suite *
events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("correlator");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, identical_repeat_bumps_count);
	tcase_add_test(tc, any_difference_is_a_new_event);
	tcase_add_test(tc, order_of_first_occurrence);
	tcase_add_test(tc, index_survives_growth);
	tcase_add_test(tc, no_events_records_nothing);
	tcase_add_test(tc, summary_counts_occurrences);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_main(events_suite());
}
