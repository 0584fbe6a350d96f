/*
 * junit.c: the verdicts of `ksim check --junit FILE` as JUnit XML, the
 * dialect CI servers read (Jenkins, GitLab, GitHub actions' reporters):
 * one <testsuite> named after the Scenario, one <testcase> per
 * expectation, a <failure> carrying the message and where the expectation
 * was written, <skipped> for the expectations another command evaluates.
 */
#include "report/report.h"

#include <stdio.h>

#include "util/fmt.h"

char *
report_junit(const char *suite, const struct expect_result *r, size_t n, double secs)
{
	char *buf = NULL;
	size_t len = 0, failed = 0, skipped = 0;
	FILE *fp = open_memstream(&buf, &len);

	for (size_t i = 0; i < n; i++) {
		failed += !r[i].ok;
		skipped += r[i].skipped;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", fp);
	fputs("  <testsuite name=\"", fp);
	fmt_xml_escape(fp, suite);
	fprintf(fp, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\">\n",
	    n, failed, skipped, secs);
	for (size_t i = 0; i < n; i++) {
		fputs("    <testcase classname=\"ksim.", fp);
		fmt_xml_escape(fp, suite);
		fputs("\" name=\"", fp);
		fmt_xml_escape(fp, r[i].name);
		fputs("\" time=\"0\"", fp);
		if (r[i].skipped) {
			fputs(">\n      <skipped message=\"", fp);
			fmt_xml_escape(fp, r[i].msg);
			fputs("\"/>\n    </testcase>\n", fp);
			continue;
		}
		if (r[i].ok) {
			fputs("/>\n", fp);
			continue;
		}
		fputs(">\n      <failure message=\"", fp);
		fmt_xml_escape(fp, r[i].msg);
		fputs("\" type=\"expectation\">", fp);
		fprintf(fp, "%s:%d: ", r[i].mark.file ? r[i].mark.file : "", r[i].mark.line);
		fmt_xml_escape(fp, r[i].msg);
		fputs("</failure>\n    </testcase>\n", fp);
	}
	fputs("  </testsuite>\n</testsuites>\n", fp);
	fclose(fp);
	return buf;
}
