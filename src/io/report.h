/*
 * report.h: compatibility header.
 *
 * The reports of a run are now src/report/ (report/report.h), and what
 * used to live here beside them is util/fmt.h (times, money, XML text),
 * util/stats.h (percentiles), util/atomic.h (atomic writes) and
 * cloud/billing.h (a node's cost).  This header includes them all and
 * keeps the old names as inline forwarders, so callers build unchanged
 * while the tree is being reorganised (report_write() maps the front
 * door's enum ksim_output, which src/report/ does not depend on, to
 * report_write_format()).  New code includes the new headers and calls
 * the new names; delete this file when nothing includes it.
 */
#ifndef KS_REPORT_H
#define KS_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cloud/billing.h"
#include "io/expect.h"
#include "ksim.h"
#include "report/report.h"
#include "util/atomic.h"
#include "util/fmt.h"
#include "util/stats.h"

struct ks_node;
struct ks_run;

static inline int
report_write(struct ks_run *r, enum ksim_output fmt, const char *path, struct ks_error *err)
{
	return report_write_format(r, fmt == KSIM_JSON ? REPORT_JSON : REPORT_TEXT, path, err);
}

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

static inline void
expect_print_text(FILE *fp, const struct expect_result *r, size_t n)
{
	report_check_text(fp, r, n);
}

static inline void
expect_print_tap(FILE *fp, const struct expect_result *r, size_t n)
{
	report_tap(fp, r, n);
}

static inline char *
expect_junit(const char *suite, const struct expect_result *r, size_t n, double secs)
{
	return report_junit(suite, r, n, secs);
}

#endif
