/*
 * whatif/whatif.h: the what-if commands: compare, sweep, merge.  The
 * summary of a run and the sweep arithmetic (tested directly), then what
 * the commands in src/cmd/ share.
 *
 * Ownership: whatif_summary() returns a new reference (json_decref it).
 */
#ifndef KS_WHATIF_H
#define KS_WHATIF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ksim.h"
#include "util/error.h"

/*
 * The numbers compare and sweep print, from a run's JSON report: cost_usd,
 * nodes_launched, max_nodes, peak_nodes_by_type, pods, pending_at_end,
 * p50/p95/max_pending_s, max_replicas, workloads (the same per workload),
 * events (count per timeline event type), expectations {passed, total}.
 */
json_t	*whatif_summary(json_t *report);
/* Combination index -> the value chosen for each --vary (the last varies fastest). */
void	 whatif_combo(const size_t *nvalues, size_t nvary, size_t index, size_t *choice);
/* Shard `shard` of `nshards` runs combination index (index % nshards == shard). */
int	 whatif_in_shard(size_t index, size_t shard, size_t nshards);

/* ---- shared by the what-if commands (src/cmd/compare.c, sweep.c, merge.c) ---- */

struct whatif_vary {
	char		*path;		/* PATH of --vary PATH=v1,v2 (owned) */
	char		**values;	/* the values in order (owned) */
	size_t		 nvalues;	/* at least 1 */
};

struct whatif_opts {
	struct ksim_opts	 o;		/* common options; o.sets = --set */
	const char		**sets;		/* --set, borrowed (the command line's) */
	size_t			 nsets;		/* entries in sets */
	const char		**a, **b;	/* compare --a / --b, like sets */
	size_t			 na, nb;	/* entries in a and b */
	struct whatif_vary		*vary;		/* sweep --vary, in command-line order */
	size_t			 nvary;		/* entries in vary */
	long			 jobs;		/* -j, 0 = the number of cores */
	int			 sharded;	/* --shard given */
	size_t			 shard, nshards;/* --shard I/N: I and N */
	char			**metrics;	/* --metrics (or the default), owned */
	size_t			 nmetrics;	/* entries in metrics */
	int			 metrics_given;	/* --metrics was given */
};

int64_t	whatif_jint(json_t *o, const char *k);
const char	*whatif_jstr(json_t *o, const char *k);
int	whatif_cmp_str(const void *a, const void *b);
/* One metric value as the table prints it; "-" when absent. */
char	*whatif_fmt_metric(const char *name, json_t *v, char *buf, size_t n);
/* "Xm Ys" as Go prints durations, from seconds */
char	*whatif_fmt_dur(json_t *v, char *buf, size_t n);
/*
 * Look up a dotted metric path in a summary: "cost_usd",
 * "workloads.Deployment/web.p95_pending_s", "peak_nodes_by_type.m5.large".
 * Keys may hold dots, so the longest key that fits wins at each level.
 */
json_t	*whatif_metric_get(json_t *o, const char *path);
void	whatif_compare_text(FILE *fp, const char *const label[2], json_t *const sum[2]);
/* "scenarios/x.yaml --set a=1 --set b=2" */
char	*whatif_variant_label(const struct ksim_opts *o, const char **extra, size_t nextra);
/*
 * The table (or JSON array) of parsed sweep lines rows[0..n), ordered by
 * index; metrics from the lines unless m is given.
 */
char	*whatif_sweep_table(json_t **rows, size_t n, char **m, size_t nm,
	    enum ksim_output out, size_t *len);
int	whatif_cmp_index(const void *a, const void *b);
/* Parse lines into rows; print the first error; -1 on any error. */
int	whatif_parse_rows(char **lines, size_t n, json_t **rows, const char *what);
/* Load every value of every --vary once before forking: a typo fails fast, once. */
int	whatif_sweep_prevalidate(const struct whatif_opts *w, size_t *choice, struct ks_error *err);
/* Run one combination in a forked child and write its line to out; 0 or the run's error. */
int	whatif_child_run(const struct whatif_opts *w, size_t ncombos, size_t index,
	    const size_t *choice, FILE *out);
void	whatif_push_str(const char ***v, size_t *n, const char *s);
int	whatif_run_summary(const struct ksim_opts *o, int progress, json_t **out,
	    struct ks_error *err);
char	*whatif_json_text(json_t *j, size_t flags);
/* The options' state of the three commands (struct cmd_entry's priv_new, priv_free). */
void	*whatif_wopts_new(void);
void	 whatif_wopts_free(void *);
/* "a,b,c" -> owned strings */
char	**whatif_split_commas(const char *s, size_t *n);
/* A decimal size_t, digits only; 0 or -1. */
int	 whatif_parse_size(const char *s, size_t *out);
/* --metrics M1,M2,...: each checked against the summary's keys; 0 or KS_EUSAGE in *err. */
int	 whatif_metrics_option(struct whatif_opts *, const char *arg, struct ks_error *err);
/* The shared options and --set (borrowed) into w, and the default --metrics. */
void	 whatif_wopts_finish(struct whatif_opts *w, const struct ksim_opts *o, const char **sets,
	    size_t nsets);

/*
 * ---- merge: shard outputs read back and checked (whatif/merge.c) ----
 * whatif_merge_new() returns an owned reader (whatif_merge_free() it).
 */
struct whatif_merge;
struct whatif_merge	*whatif_merge_new(void);
void	 whatif_merge_free(struct whatif_merge *);
/* Every non-blank line of fp, read from file, checked; 0 or an error marked FILE:LINE. */
int	 whatif_merge_read(struct whatif_merge *, const char *file, FILE *fp, struct ks_error *);
/* One line (line number lineno of file) checked and kept; 0 or KS_EINVAL. */
int	 whatif_merge_line(struct whatif_merge *, const char *file, size_t lineno,
	    const char *text, struct ks_error *);
/*
 * The lines checked as one sweep (the same vary and metrics, every
 * combination exactly once, no failed run) and printed as the sweep would
 * print them into *buf (owned, *len bytes), with metrics m[0..nm), or the
 * lines' own when m is NULL; 0 or KS_EINVAL.
 */
int	 whatif_merge_table(struct whatif_merge *, char **m, size_t nm, enum ksim_output,
	    char **buf, size_t *len, struct ks_error *);

#endif
