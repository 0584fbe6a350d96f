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
 *   warnings             about the input (a template without requests), after
 *                        those the load and the run raised (run->warnings);
 *   verdicts             each expectation, evaluated (io/expect.h);
 *   series               the run sampled on a time grid (csv.c, svg.c).
 *
 * A format is one file that renders the account; a new format is one new
 * file, its line here and in Makefile.am, and the option that asks for it:
 *
 *   text.c   what a person reads: the timeline, pods, nodes, the
 *            controllers' sections (text_hpa.c, text_vpa.c, text_ca.c,
 *            text_karpenter.c; see text.h), expectations, warnings, a
 *            summary; `-o wide` adds columns, as kubectl's does;
 *   json.c   what a program parses: the same, complete (schema in
 *            ksim-scenario(5)); money as exact micro-USD;
 *   yaml.c   the JSON document as YAML (`-o yaml`, as kubectl's);
 *   csv.c    the series and one table per kind of object, for spreadsheets;
 *   svg.c    the series as a chart, for the eye;
 *   tap.c    the verdicts of `ksim check` as TAP 13;
 *   junit.c  the verdicts as JUnit XML, for CI servers.
 *
 * The controllers contribute data, not formatting: each controller's
 * `report` op (autoscale/ctl.h) adds its sections to the JSON document,
 * holding everything any format prints of it, and the formats render
 * those sections: json.c and yaml.c as they are, text_*.c as a person
 * reads them (text.h).  So the text and the JSON report cannot drift,
 * and a new format renders the same data in its own file.
 *
 * Expectations are evaluated against the JSON document, so they assert
 * exactly what a user can read there (see io/expect.h); the text report's
 * EXPECTATIONS section and `ksim check` print the same verdicts.
 *
 * Detail (`--detail`): a run of 150,000 pods has millions of events, and
 * CI or a dashboard wants its figures, not a 1 GB document.  The levels
 * add to each other: summary (the header, cost, counts, warnings,
 * verdicts), workloads (+ a row per workload, the nodes, the controllers'
 * sections), pods (+ every pod), events (+ every event).  Without
 * --detail a report is what it always was, but the text report prints at
 * most REPORT_TEXT_ROWS rows of a section (the controllers' per-object
 * lists too: HPAs, VPAs, node groups, NodeClaims) and says how many more
 * there are.  The verdicts are always evaluated on the whole run
 * (report_json_body()), whatever the level.
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
	struct ks_mark		*warning_at;	/* [i]: where warnings[i]'s object was declared */
	size_t			 nwarnings;	/* entries in warnings */
	struct expect_result	*verdicts;	/* NULL until report_account_expect() */
	size_t			 nverdicts;	/* entries in verdicts */
};

/* account.c */
struct report_account *report_account_new(struct ks_run *);
void	report_account_free(struct report_account *);
/* Evaluate the Scenario's expectations (if any) against doc, the JSON body. */
void	report_account_expect(struct report_account *, json_t *doc);
/* A workload's pods, counted at the end of the run. */
struct report_wl_count {
	size_t		 created;	/* every pod it created */
	size_t		 running;	/* Running at the end */
	size_t		 pending;	/* Pending at the end */
};
/* One count per workload of c, indexed as c->wls (owned by the caller: free). */
struct ks_cluster;
struct report_wl_count *report_wl_counts(const struct ks_cluster *c);
/* Each active controller's sections (its ops' report) added to root. */
void	report_ctl_sections(struct ks_run *, json_t *root);
/* The same sections in a fresh object (the caller owns it). */
json_t	*report_ctl_data(struct ks_run *);
/* o's integer member key, or -1 when it is missing or not an integer. */
int64_t	report_jint(const json_t *o, const char *key);
/* "Running (not ready)", "Pending", ...: a pod as `kubectl get pods` words it. */
const char *report_pod_status(const struct ks_pod *);
/* "Ready,SchedulingDisabled", "Terminated", ...: a node as `kubectl get nodes` words it. */
const char *report_node_state(const struct ks_node *);
/* The formats of the report of a run (`ksim run -o`). */
enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_YAML };
/* How much a report holds (`--detail`, see above); each level adds to the one before. */
enum report_detail {
	REPORT_DETAIL_DEFAULT,		/* no --detail: everything, long text sections cut */
	REPORT_DETAIL_SUMMARY,		/* header, counts, cost, warnings, verdicts */
	REPORT_DETAIL_WORKLOADS,	/* + workloads, nodes, the controllers' sections */
	REPORT_DETAIL_PODS,		/* + every pod */
	REPORT_DETAIL_EVENTS,		/* + every event */
};
/* The level names, for --detail and its messages ("summary", ...; [DEFAULT] is NULL). */
extern const char *const report_detail_name[];
/* How a report is written. */
struct report_view {
	enum report_format	 format;	/* text, json or yaml */
	enum report_detail	 detail;	/* how much */
	int			 wide;		/* text: the extra columns of -o wide */
};
/* The rows of a text section printed without --detail; the rest are counted. */
#define REPORT_TEXT_ROWS	200
/* Write the report of r to path (atomically) or to stdout when path is NULL. */
int	report_write_view(struct ks_run *, const struct report_view *, const char *path,
	    struct ks_error *);
/* The same with the default detail and columns. */
int	report_write_format(struct ks_run *, enum report_format, const char *path,
	    struct ks_error *);

/* text.c */
void	report_text(struct ks_run *, const struct report_view *, FILE *);
/* The verdicts of `ksim check`, one line each and a count. */
void	report_check_text(FILE *, const struct expect_result *, size_t n);

/* json.c */
json_t	*report_json(struct ks_run *);
/* The document at a level of detail (owned by the caller). */
json_t	*report_json_detail(struct ks_run *, enum report_detail);
/* The same document, streamed to fp: the same bytes and a newline, without the whole tree. */
void	report_json_write(struct ks_run *, enum report_detail, FILE *);
/* The same document as YAML (yaml.c). */
void	report_yaml_write(struct ks_run *, enum report_detail, FILE *);
/* A JSON value as YAML at indent `depth` (yaml.c), for check -o yaml too. */
void	report_yaml_value(FILE *, json_t *, int depth);
/* The verdicts of `ksim check -o json`: counts and one object per expectation, and a newline. */
void	report_check_json(FILE *, const char *scenario, const struct expect_result *, size_t n);
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
