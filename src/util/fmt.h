/*
 * fmt.h: the fixed text forms of times and money that every output of
 * ksim shares (reports, plans, comparisons, controllers' sections, error
 * messages), so the same number reads the same everywhere and the same run
 * prints the same bytes on every machine.
 *
 * Go durations ("1m30s") are in util/duration.h and Kubernetes quantities
 * ("250m", "1Gi") in cluster/quantity.h; this file holds the forms of our
 * own: a point of simulated time as h:mm:ss, money as USD with six
 * decimals, XML-escaped text for the XML formats, and names with their
 * control characters escaped for the text formats.
 */
#ifndef KS_UTIL_FMT_H
#define KS_UTIL_FMT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "0:01:30" or "0:01:30.250"; returns buf.  32 bytes always suffice. */
char	*fmt_time(int64_t ms, char *buf, size_t n);
/* "12.345678" from nano-USD (rounded to micro-USD); returns buf. */
char	*fmt_usd(int64_t nusd, char *buf, size_t n);
/* A JSON number of USD from nano-USD, with at most 6 decimals, printed exactly. */
json_t	*fmt_json_usd(int64_t nusd);
/* Write s with &, <, >, " and ' escaped for XML (JUnit, SVG); drops control characters. */
void	fmt_xml_escape(FILE *, const char *s);
/*
 * s with control characters written as C escapes (\n, \t, \r, \xHH,
 * \u0080-\u009f), for a name or message from the input in a text report:
 * s itself when it holds none, else an interned copy (never freed); NULL
 * for NULL.  fmt_tap_safe() also escapes '#' and '\\' (TAP 14 descriptions).
 */
const char	*fmt_safe(const char *s);
const char	*fmt_tap_safe(const char *s);

#endif
