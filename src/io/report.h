/*
 * report.h: the text and JSON reports of a finished run.
 *
 * Compatibility: formatting, percentiles, atomic writes and billing used to
 * live here; they are now util/fmt.h, util/stats.h, util/atomic.h and
 * cloud/billing.h.  The old names below forward to them so callers keep
 * building while the tree is being reorganised; new code includes the new
 * headers and calls the new names.
 */
#ifndef KS_REPORT_H
#define KS_REPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "cloud/billing.h"
#include "ksim.h"
#include "util/atomic.h"
#include "util/error.h"
#include "util/fmt.h"
#include "util/stats.h"

struct ks_run;
struct ks_node;

/* Write the report of r to path (atomically) or to stdout when path is NULL. */
int	report_write(struct ks_run *, enum ksim_output, const char *path, struct ks_error *);
void	report_text(struct ks_run *, FILE *);
json_t	*report_json(struct ks_run *);

/* ---- old names (compatibility; see above) ---- */

static inline char *
report_time(int64_t ms, char *buf, size_t n)
{
	return fmt_time(ms, buf, n);
}

static inline char *
report_usd(int64_t nusd, char *buf, size_t n)
{
	return fmt_usd(nusd, buf, n);
}

static inline json_t *
report_json_usd(int64_t nusd)
{
	return fmt_json_usd(nusd);
}

static inline void
report_xml_escape(FILE *fp, const char *s)
{
	fmt_xml_escape(fp, s);
}

static inline int
report_cmp_i64(const void *a, const void *b)
{
	return stats_cmp_i64(a, b);
}

static inline int64_t
report_percentile(const int64_t *v, size_t n, int pct)
{
	return stats_percentile(v, n, pct);
}

static inline int64_t
node_cost_nusd(const struct ks_node *n, int64_t end_ms)
{
	return billing_node_cost_nusd(n, end_ms);
}

#endif
