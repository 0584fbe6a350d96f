/*
 * text_hpa.c: the HPAs' section of the text report, rendered from their
 * data ("hpas", autoscale/hpa.c's hpa_report()).
 *
 * Per HPA: its target and bounds, the warning about pods without
 * requests, the samples where something changed (targets, replicas,
 * desired; as `kubectl get hpa -w` prints them: "133%/80%", "250m/500m")
 * and the conditions at the end.  Without --detail at most
 * REPORT_TEXT_ROWS HPAs are printed (text.h).
 */
#include "report/text.h"

#include <stdio.h>
#include <string.h>

#include "cluster/quantity.h"
#include "util/fmt.h"

/* A value as kubectl prints it: "133%", "250m", "100Mi"-like quantities; null is "<unknown>". */
static char *
hpa_val(const json_t *metric, const json_t *v, char *buf, size_t n)
{
	char q[QTY_BUFSZ];
	const char *unit = report_data_str(metric, "unit");

	if (!json_is_integer(v))
		snprintf(buf, n, "<unknown>");
	else if (unit != NULL && strcmp(unit, "percent") == 0)
		snprintf(buf, n, "%lld%%", (long long)json_integer_value(v));
	else
		snprintf(buf, n, "%s", qty_format(json_integer_value(v), QTY_DECIMAL_SI, q,
		    sizeof(q)));
	return buf;
}

/* "current/target" of each metric of a sample, comma-separated. */
static void
hpa_targets(const json_t *sample, char *buf, size_t n)
{
	const json_t *ms = json_object_get(sample, "metrics");
	size_t len = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < json_array_size(ms) && len < n; k++) {
		const json_t *m = json_array_get(ms, k);
		char a[64], b[64];

		len += (size_t)snprintf(buf + len, n - len, "%s%s/%s", k ? ", " : "",
		    hpa_val(m, json_object_get(m, "current"), a, sizeof(a)),
		    hpa_val(m, json_object_get(m, "target"), b, sizeof(b)));
	}
}

/* The samples where the targets, the replicas or the desired count changed. */
static void
hpa_samples(const json_t *h, FILE *fp)
{
	const json_t *samples = json_object_get(h, "samples");
	int64_t min = report_data_int(h, "min_replicas"), max = report_data_int(h, "max_replicas");
	int64_t pc = -1, pd = -1;
	char prev[512] = "";

	fprintf(fp, "  %-10s %-24s %-8s %-8s %-9s %s\n", "TIME", "TARGETS", "MINPODS",
	    "MAXPODS", "REPLICAS", "DESIRED");
	for (size_t j = 0; j < json_array_size(samples); j++) {
		const json_t *s = json_array_get(samples, j);
		int64_t cur = report_data_int(s, "current_replicas");
		int64_t des = report_data_int(s, "desired_replicas");
		char tg[512], t[16];

		hpa_targets(s, tg, sizeof(tg));
		if (strcmp(tg, prev) == 0 && cur == pc && des == pd)
			continue;
		snprintf(prev, sizeof(prev), "%s", tg);
		pc = cur;
		pd = des;
		fprintf(fp, "  %-10s %-24s %-8d %-8d %-9d %d\n",
		    fmt_time(report_data_int(s, "at_ms"), t, sizeof(t)), tg, (int)min, (int)max,
		    (int)cur, (int)des);
	}
}

void
report_text_hpa(const struct report_account *a, const struct report_view *v, const json_t *root,
    FILE *fp)
{
	const json_t *hpas = json_object_get(root, "hpas"), *h0 = json_array_get(hpas, 0);
	size_t n = json_array_size(hpas), rows = report_text_rows(v, n);

	(void)a;
	if (n == 0)
		return;
	fprintf(fp, "\nHORIZONTAL POD AUTOSCALERS\n");
	fprintf(fp, "metrics-server %s (%s)\n", report_data_str(h0, "metrics_server_version"),
	    report_data_str(h0, "metrics_server_version_source"));
	for (size_t i = 0; i < rows; i++) {
		const json_t *h = json_array_get(hpas, i), *conds = json_object_get(h, "conditions");
		const char *warning = report_data_str(h, "warning");

		fprintf(fp, "%s/%s: %s %s, min %d, max %d, %s\n", report_data_str(h, "namespace"),
		    report_data_str(h, "name"), report_data_str(h, "api_version"),
		    report_data_str(h, "target"), (int)report_data_int(h, "min_replicas"),
		    (int)report_data_int(h, "max_replicas"),
		    json_is_true(json_object_get(h, "behavior")) ? "behavior" :
		    "no behavior (legacy rate limits)");
		if (warning != NULL)
			fprintf(fp, "  warning: %s\n", warning);
		hpa_samples(h, fp);
		fprintf(fp, "  conditions at the end:\n");
		for (size_t k = 0; k < json_array_size(conds); k++) {
			const json_t *c = json_array_get(conds, k);

			fprintf(fp, "  %-15s %-6s %-28s %s\n", report_data_str(c, "type"),
			    report_data_str(c, "status"), report_data_str(c, "reason"),
			    report_data_str(c, "message"));
		}
	}
	report_text_more(fp, rows, n, "HPAs", "workloads");
}
