/*
 * report.h: the text and JSON reports of a finished run, and the atomic
 * file write every output goes through.
 */
#ifndef KS_REPORT_H
#define KS_REPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "ksim.h"
#include "util/error.h"

struct ks_run;
struct ks_node;

/* Write the report of r to path (atomically) or to stdout when path is NULL. */
int	report_write(struct ks_run *, enum ksim_output, const char *path, struct ks_error *);
void	report_text(struct ks_run *, FILE *);
json_t	*report_json(struct ks_run *);
/* Write buf to path through a temporary file and rename(2). */
int	atomic_write(const char *path, const char *buf, size_t len, struct ks_error *);
/* "0:01:30" or "0:01:30.250" */
char	*report_time(int64_t ms, char *buf, size_t n);
/* Billing: per second, 60 s minimum; nano-USD for the node up to end_ms. */
int64_t	node_cost_nusd(const struct ks_node *, int64_t end_ms);
/* "12.345678" from nano-USD (rounded to micro-USD) */
char	*report_usd(int64_t nusd, char *buf, size_t n);
/* Write s with &, <, >, " and ' escaped for XML (JUnit, SVG); drops control characters. */
void	report_xml_escape(FILE *, const char *s);
/* qsort comparator for int64_t */
int	report_cmp_i64(const void *, const void *);
/* Nearest-rank percentile (pct 1..100) of v[0..n), sorted ascending; 0 when n is 0. */
int64_t	report_percentile(const int64_t *v, size_t n, int pct);
/* A JSON number with at most 6 decimals, printed exactly. */
json_t	*report_json_usd(int64_t nusd);

#endif
