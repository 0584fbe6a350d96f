/*
 * tap.c: the verdicts of `ksim check --tap` as TAP version 13 (see
 * report.h): one test point per expectation, in the Scenario's order; a
 * skipped one is "ok # SKIP" with the reason; a failed one carries a YAML
 * block with the message and where the expectation was written.
 */
#include "report/report.h"

#include <stdio.h>

#include "util/fmt.h"

static void
yaml_quote(FILE *fp, const char *s)
{
	fputc('\'', fp);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', fp);
		fputc(*s, fp);
	}
	fputc('\'', fp);
}

void
report_tap(FILE *fp, const struct expect_result *r, size_t n)
{
	fprintf(fp, "TAP version 13\n1..%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		if (r[i].skipped) {
			fprintf(fp, "ok %zu - %s # SKIP %s\n", i + 1, fmt_tap_safe(r[i].name),
			    fmt_safe(r[i].msg));
			continue;
		}
		fprintf(fp, "%s %zu - %s\n", r[i].ok ? "ok" : "not ok", i + 1,
		    fmt_tap_safe(r[i].name));
		if (!r[i].ok) {
			fputs("  ---\n  message: ", fp);
			yaml_quote(fp, fmt_safe(r[i].msg));
			fprintf(fp, "\n  at: '%s:%d'\n  ...\n", r[i].mark.file ? r[i].mark.file : "",
			    r[i].mark.line);
		}
	}
}
