/*
 * report.h: the account of a finished run, and the formats that render it.
 *
 * The account
 * -----------
 * A run leaves behind everything a person or a program may ask about it:
 * the cluster's pods, nodes and events, each in creation order (ids), never
 * in hash order; the controllers' own state (an HPA's samples, a NodePool's
 * disruptions); and the Scenario's expectations.  The account is that
 * model read once, plus what every format derives from it the same way:
 *
 *   each node's cost     per second with a 60 s minimum (cloud/billing.h),
 *                        up to the run's end; their sum is the run's cost;
 *   pending              the pods still Pending at the end;
 *   warnings             about the input (a template without requests);
 *   verdicts             each expectation, evaluated (io/expect.h);
 *   series               the run sampled on a time grid (csv.c, svg.c).
 *
 * A format is one file that renders the account; a new format is one new
 * file, its line here and in Makefile.am, and the option that asks for it:
 *
 *   text.c   what a person reads: the timeline, pods, nodes, the
 *            controllers' sections, expectations, warnings, a summary;
 *   json.c   what a program parses: the same, complete (schema in
 *            ksim-scenario(5)); money as exact micro-USD;
 *   csv.c    the series and one table per kind of object, for spreadsheets;
 *   svg.c    the series as a chart, for the eye;
 *   tap.c    the verdicts of `ksim check` as TAP 13;
 *   junit.c  the verdicts as JUnit XML, for CI servers.
 *
 * The controllers' sections are the exception still: each controller's
 * ops (autoscale/ctl.h) add its section to the JSON document and print it
 * in the text report itself, so those two formats are written in five
 * places.  The next step is for a controller to contribute records (as
 * json.c's pod, node and event records) that the formats render.
 *
 * Expectations are evaluated against the JSON document, so they assert
 * exactly what a user can read there (see io/expect.h); the text report's
 * EXPECTATIONS section and `ksim check` print the same verdicts.
 *
 * Memory: the account is read from the model as it is written out; the
 * JSON report streams its big arrays (json.c), so writing a report costs
 * about one element, not a tree of the run.
 *
 * Determinism: every list is in creation order and money is formatted
 * from integers (util/fmt.h), so a run prints the same bytes everywhere.
 *
 * Ownership: report_account_new() returns an owned account that borrows
 * the run (which must outlive it); report_account_free() releases it.
 */
#ifndef KS_REPORT_REPORT_H
#define KS_REPORT_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "io/expect.h"
#include "util/error.h"

struct ks_node;
struct ks_pod;
struct ks_run;

/* The account of a finished run; see above. */
struct report_account {
	struct ks_run		*run;		/* the run (borrowed) */
	int64_t			 end_ms;	/* the run's end, simulated ms */
	int64_t			*node_cost;	/* [i]: nano-USD node i cost up to end_ms */
	int64_t			 total_nusd;	/* sum of node_cost, nano-USD */
	size_t			 pending;	/* pods Pending at the end */
	char			**warnings;	/* about the input, creation order (owned) */
	size_t			 nwarnings;	/* entries in warnings */
	struct expect_result	*verdicts;	/* NULL until report_account_expect() */
	size_t			 nverdicts;	/* entries in verdicts */
};

/* account.c */
struct report_account *report_account_new(struct ks_run *);
void	report_account_free(struct report_account *);
/* Evaluate the Scenario's expectations (if any) against doc, the JSON body. */
void	report_account_expect(struct report_account *, json_t *doc);
/* "Running (not ready)", "Pending", ...: a pod as `kubectl get pods` words it. */
const char *report_pod_status(const struct ks_pod *);
/* "Ready,SchedulingDisabled", "Terminated", ...: a node as `kubectl get nodes` words it. */
const char *report_node_state(const struct ks_node *);
/* The formats of the report of a run (`ksim run -o`). */
enum report_format { REPORT_TEXT, REPORT_JSON };
/* Write the report of r to path (atomically) or to stdout when path is NULL. */
int	report_write_format(struct ks_run *, enum report_format, const char *path,
	    struct ks_error *);

/* text.c */
void	report_text(struct ks_run *, FILE *);
/* The verdicts of `ksim check`, one line each and a count. */
void	report_check_text(FILE *, const struct expect_result *, size_t n);

/* json.c */
json_t	*report_json(struct ks_run *);
/* The same document, streamed to fp: the same bytes and a newline, without the whole tree. */
void	report_json_write(struct ks_run *, FILE *);
/* The document the expectations are evaluated against: no verdicts, no arrays they do not read. */
json_t	*report_json_body(struct report_account *);

/* csv.c: series.csv, pods.csv, nodes.csv and events.csv into dir (created if missing). */
int	report_csv(struct ks_run *, const char *dir, struct ks_error *);

/* svg.c: the timeline chart to path (atomically). */
int	report_svg(struct ks_run *, const char *path, struct ks_error *);

/* series.c: the sampling step of the CSV grid: 200 samples or one every 15 s, whichever is coarser. */
int64_t	series_step_ms(int64_t duration_ms);

/* tap.c */
void	report_tap(FILE *, const struct expect_result *, size_t n);

/* junit.c: a JUnit XML document (owned by the caller). */
char	*report_junit(const char *suite, const struct expect_result *, size_t n, double secs);

#endif
