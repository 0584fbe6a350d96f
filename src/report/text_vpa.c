/*
 * text_vpa.c: the VPAs' section of the text report, rendered from their
 * data ("vpas", autoscale/vpa.c's vpa_report()).
 *
 * First `kubectl get vpa` at the end of the run (name, mode, the first
 * container's target, whether a recommendation is provided, age), its
 * quantities as the VPA release simulated prints them (the data carries
 * them formatted), then a line per VPA with its pods, evictions and
 * admissions, a line per container with its recommendation, and the
 * VPA's warnings.  Without --detail at most REPORT_TEXT_ROWS VPAs are
 * printed (text.h).
 */
#include "report/text.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"
#include "util/xmalloc.h"

/* kubectl's duration.HumanDuration, as the AGE column prints it. */
static char *
vpa_human_age(int64_t ms, char *buf, size_t n)
{
	int64_t s = ms / 1000, m = s / 60, h = m / 60;

	if (s < 0)
		snprintf(buf, n, "0s");
	else if (s < 120)
		snprintf(buf, n, "%" PRId64 "s", s);
	else if (m < 10 && s % 60 != 0)
		snprintf(buf, n, "%" PRId64 "m%" PRId64 "s", m, s % 60);
	else if (m < 180)
		snprintf(buf, n, "%" PRId64 "m", m);
	else if (h < 8 && m % 60 != 0)
		snprintf(buf, n, "%" PRId64 "h%" PRId64 "m", h, m % 60);
	else if (h < 48)
		snprintf(buf, n, "%" PRId64 "h", h);
	else if (h < 24 * 8 && h % 24 != 0)
		snprintf(buf, n, "%" PRId64 "d%" PRId64 "h", h / 24, h % 24);
	else
		snprintf(buf, n, "%" PRId64 "d", h / 24);
	return buf;
}

/* "587m/262144k" from a resources object, "-" for an absent resource. */
static char *
vpa_pair(const json_t *res, char *buf, size_t n)
{
	const char *cpu = report_data_str(res, "cpu"), *mem = report_data_str(res, "memory");

	snprintf(buf, n, "%s/%s", cpu != NULL ? cpu : "-", mem != NULL ? mem : "-");
	return buf;
}

/* `kubectl get vpa`: a row per VPA, columns as wide as their widest cell. */
static void
vpa_table(const struct report_account *a, const json_t *vpas, size_t rows, FILE *fp)
{
	enum { NCOL = 6 };
	static const char *const head[NCOL] = { "NAME", "MODE", "CPU", "MEM", "PROVIDED", "AGE" };
	char (*cell)[NCOL][64] = xcalloc(rows + 1, sizeof(*cell));
	size_t width[NCOL];

	for (int k = 0; k < NCOL; k++)
		snprintf(cell[0][k], sizeof(cell[0][k]), "%s", head[k]);
	for (size_t i = 0; i < rows; i++) {
		const json_t *v = json_array_get(vpas, i), *ctrs = json_object_get(v, "containers");
		const json_t *t = json_object_get(json_array_get(ctrs, 0), "target");
		char (*row)[64] = cell[i + 1];

		snprintf(row[0], 64, "%s", report_data_str(v, "name"));
		snprintf(row[1], 64, "%s", report_data_str(v, "mode"));
		if (report_data_str(t, "cpu") != NULL)
			snprintf(row[2], 64, "%s", report_data_str(t, "cpu"));
		if (report_data_str(t, "memory") != NULL)
			snprintf(row[3], 64, "%s", report_data_str(t, "memory"));
		snprintf(row[4], 64, "%s", json_array_size(ctrs) ? "True" : "False");
		vpa_human_age(a->end_ms - report_data_int(v, "created_at_ms"), row[5], 64);
	}
	for (int k = 0; k < NCOL; k++) {
		width[k] = 0;
		for (size_t i = 0; i <= rows; i++)
			if (strlen(cell[i][k]) > width[k])
				width[k] = strlen(cell[i][k]);
	}
	for (size_t i = 0; i <= rows; i++) {
		for (int k = 0; k < NCOL; k++) {
			if (k == NCOL - 1)
				fprintf(fp, "%s\n", cell[i][k]);
			else
				fprintf(fp, "%-*s", (int)width[k] + 3, cell[i][k]);
		}
	}
	free(cell);
}

/* A VPA's pods, evictions and admissions, its containers' recommendations, its warnings. */
static void
vpa_detail(const json_t *v, FILE *fp)
{
	const json_t *ctrs = json_object_get(v, "containers"), *warn = json_object_get(v, "warnings");
	const json_t *provided = json_object_get(v, "recommendation_provided_at_ms");
	int64_t refused = report_data_int(v, "evictions_refused_by_pdb");
	char ts[32];

	fprintf(fp, "%s/%s -> %s: %d pod(s), %d evicted, %d admitted with new requests",
	    report_data_str(v, "namespace"), report_data_str(v, "name"),
	    report_data_str(v, "target_ref"), (int)report_data_int(v, "pod_count"),
	    (int)report_data_int(v, "evictions"), (int)report_data_int(v, "pods_admitted"));
	if (refused)
		fprintf(fp, ", %d eviction(s) refused by a PodDisruptionBudget", (int)refused);
	if (json_is_integer(provided))
		fprintf(fp, "; first recommendation at %s",
		    fmt_time(json_integer_value(provided), ts, sizeof(ts)));
	fputc('\n', fp);
	for (size_t j = 0; j < json_array_size(ctrs); j++) {
		const json_t *c = json_array_get(ctrs, j);
		char t[64], lo[64], up[64], un[64];

		fprintf(fp, "    container %s: target %s, lower bound %s, upper bound %s, "
		    "uncapped target %s\n", report_data_str(c, "name"),
		    vpa_pair(json_object_get(c, "target"), t, sizeof(t)),
		    vpa_pair(json_object_get(c, "lower_bound"), lo, sizeof(lo)),
		    vpa_pair(json_object_get(c, "upper_bound"), up, sizeof(up)),
		    vpa_pair(json_object_get(c, "uncapped_target"), un, sizeof(un)));
	}
	for (size_t j = 0; j < json_array_size(warn); j++)
		fprintf(fp, "    warning: %s\n", json_string_value(json_array_get(warn, j)));
}

void
report_text_vpa(const struct report_account *a, const struct report_view *v, const json_t *root,
    FILE *fp)
{
	const json_t *vpas = json_object_get(root, "vpas"), *v0 = json_array_get(vpas, 0);
	size_t n = json_array_size(vpas), rows = report_text_rows(v, n);
	const char *ver = report_data_str(v0, "vpa_version");

	if (n == 0)
		return;
	fprintf(fp, "\nVERTICAL POD AUTOSCALERS (kubectl get vpa at the end; quantities as VPA "
	    "%s prints them)\n", ver);
	fprintf(fp, "VPA %s (%s)\n", ver, report_data_str(v0, "vpa_version_source"));
	vpa_table(a, vpas, rows, fp);
	for (size_t i = 0; i < rows; i++)
		vpa_detail(json_array_get(vpas, i), fp);
	report_text_more(fp, rows, n, "VPAs", "workloads");
}
