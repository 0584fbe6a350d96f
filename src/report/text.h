/*
 * text.h: what the files of the text format share (text.c, text_*.c);
 * private to src/report/.
 *
 * The text report is text.c plus one file per controller's section
 * (text_hpa.c, text_vpa.c, text_ca.c, text_karpenter.c).  A controller
 * gives the report its data only: the sections its `report` op adds to
 * the JSON document (autoscale/ctl.h).  Its text file renders those same
 * sections, so the text and the JSON report print one set of figures and
 * cannot drift; the account (the run's end, its nodes) is at hand for
 * what is the cluster's, not the controller's.  A controller without a
 * text file has no text section.
 *
 * Without --detail a controller's per-object list prints at most
 * REPORT_TEXT_ROWS objects and a line counting the rest, as the
 * timeline, the pods and the nodes do (report_text_rows(),
 * report_text_more()).
 */
#ifndef KS_REPORT_TEXT_H
#define KS_REPORT_TEXT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report/report.h"

/* Rows of a section to print: all of them, or REPORT_TEXT_ROWS without --detail. */
size_t	report_text_rows(const struct report_view *, size_t n);
/* The line that says what a cut section left out ("... 5 more pods (--detail pods ...)"). */
void	report_text_more(FILE *, size_t shown, size_t n, const char *what, const char *level);

/* A string member of a data object, or NULL when absent or null. */
const char *report_data_str(const json_t *o, const char *key);
/* An integer member of a data object, or 0 when absent or null. */
int64_t	report_data_int(const json_t *o, const char *key);

/*
 * A controller's text section: rendered from root, the JSON object its
 * `report` op filled (its sections as keys), and the account.
 */
typedef void report_text_section(const struct report_account *, const struct report_view *,
    const json_t *root, FILE *);

report_text_section report_text_hpa;		/* text_hpa.c */
report_text_section report_text_vpa;		/* text_vpa.c */
report_text_section report_text_ca;		/* text_ca.c */
report_text_section report_text_karpenter;	/* text_karpenter.c */

#endif
