/*
 * whatif/compare.c: the side-by-side table of `ksim compare`: two run
 * summaries (whatif_summary()) as rows of label, A, B: the scalar numbers,
 * the peak of each instance type, time to schedule per workload, nodes
 * over time and the timeline events counted by type.  Columns are as wide
 * as their longest cell; section titles span the row.
 */
#include "whatif/whatif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

/* A row of the side-by-side table; cells are copied. */
struct crow {
	char	*label;		/* the row's name, first column (owned) */
	char	*cell[2];	/* A and B (owned) */
};

static void
crow_add(struct crow **v, size_t *n, const char *label, const char *a, const char *b)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].label = xstrdup(label);
	(*v)[*n].cell[0] = xstrdup(a);
	(*v)[*n].cell[1] = xstrdup(b);
	(*n)++;
}

/* A row comparing member `key` of the two summaries (or of obj[0], obj[1]). */
static void
crow_metric(struct crow **v, size_t *n, const char *label, const char *fmt, json_t *const *obj,
    const char *key)
{
	char a[128], b[128];

	crow_add(v, n, label, whatif_fmt_metric(fmt, json_object_get(obj[0], key), a, sizeof(a)),
	    whatif_fmt_metric(fmt, json_object_get(obj[1], key), b, sizeof(b)));
}

/* The scalar rows at the top of the comparison, in order. */
static const struct {
	const char	*label;	/* first column */
	const char	*key;	/* summary member */
	const char	*fmt;	/* whatif_fmt_metric's name */
} rows_top[] = {
	{ "cost (USD)", "cost_usd", "cost_usd" },
	{ "nodes launched", "nodes_launched", "n" },
	{ "peak nodes", "max_nodes", "n" },
	{ "pods created", "pods", "n" },
	{ "pods pending at the end", "pending_at_end", "n" },
	{ "max replicas of a workload", "max_replicas", "n" },
};

/* "90s", "2m", "1h": a time point of nodes_over_time */
static char *
fmt_point(long long secs, char *buf, size_t n)
{
	if (secs % 3600 == 0 && secs > 0)
		snprintf(buf, n, "%lldh", secs / 3600);
	else if (secs % 60 == 0 && secs > 0)
		snprintf(buf, n, "%lldm", secs / 60);
	else
		snprintf(buf, n, "%llds", secs);
	return buf;
}

/* "3 (1 c6g.large, 2 m5.large)": the nodes at time point k of a run */
static void
over_time_cell(json_t *ot, size_t k, const char *at_label, char *buf, size_t n)
{
	json_t *by = json_object_get(ot, "by_type"), *v;
	long long total = (long long)json_integer_value(json_array_get(json_object_get(ot,
	    "total"), k));
	const char *type;
	char at[32];
	size_t len = 0, shown = 0;

	if (ot == NULL || k >= json_array_size(json_object_get(ot, "at_s"))) {
		snprintf(buf, n, "-");
		return;
	}
	fmt_point((long long)json_integer_value(json_array_get(json_object_get(ot, "at_s"), k)),
	    at, sizeof(at));
	/* the runs have different durations: say when this one was sampled */
	if (strcmp(at, at_label) != 0)
		len += (size_t)snprintf(buf + len, n - len, "(at %s) ", at);
	len += (size_t)snprintf(buf + len, n - len, "%lld", total);
	json_object_foreach(by, type, v) {
		long long c = (long long)json_integer_value(json_array_get(v, k));

		if (c == 0 || len >= n)
			continue;
		len += (size_t)snprintf(buf + len, n - len, "%s%lld %s", shown++ ? ", " : " (", c,
		    type);
	}
	if (shown > 0 && len < n)
		snprintf(buf + len, n - len, ")");
}

/* "p50/p95/max" of a summary or workload object */
static char *
fmt_pending3(json_t *o, char *buf, size_t n)
{
	char a[32], b[32], c[32];

	if (o == NULL)
		return snprintf(buf, n, "-"), buf;
	snprintf(buf, n, "%s / %s / %s", whatif_fmt_dur(json_object_get(o, "p50_pending_s"), a, sizeof(a)),
	    whatif_fmt_dur(json_object_get(o, "p95_pending_s"), b, sizeof(b)),
	    whatif_fmt_dur(json_object_get(o, "max_pending_s"), c, sizeof(c)));
	return buf;
}

/* keys of object a, then those of b that a lacks */
static const char **
union_keys(json_t *a, json_t *b, size_t *n)
{
	const char **v = NULL, *k;
	json_t *x;

	*n = 0;
	json_object_foreach(a, k, x)
		whatif_push_str(&v, n, k);
	json_object_foreach(b, k, x)
		if (json_object_get(a, k) == NULL)
			whatif_push_str(&v, n, k);
	return v;
}

void
whatif_compare_text(FILE *fp, const char *const label[2], json_t *const sum[2])
{
	struct crow *rows = NULL;
	size_t nrows = 0, w0 = 0, w1 = 1, nk;
	const char **keys;
	char a[128], b[128], lab[600];

	crow_add(&rows, &nrows, "", "A", "B");
	for (size_t i = 0; i < sizeof(rows_top) / sizeof(rows_top[0]); i++) {
		crow_metric(&rows, &nrows, rows_top[i].label, rows_top[i].fmt, sum, rows_top[i].key);
		if (i != 2)
			continue;
		/* after "peak nodes": the peak of each instance type */
		keys = union_keys(json_object_get(sum[0], "peak_nodes_by_type"),
		    json_object_get(sum[1], "peak_nodes_by_type"), &nk);
		qsort(keys, nk, sizeof(*keys), whatif_cmp_str);
		for (size_t k = 0; k < nk; k++) {
			json_t *by[2] = { json_object_get(sum[0], "peak_nodes_by_type"),
			    json_object_get(sum[1], "peak_nodes_by_type") };

			snprintf(lab, sizeof(lab), "  %s", keys[k]);
			crow_metric(&rows, &nrows, lab, "n", by, keys[k]);
		}
		free(keys);
	}
	if (json_object_get(sum[0], "expectations") || json_object_get(sum[1], "expectations")) {
		for (int s = 0; s < 2; s++) {
			json_t *e = json_object_get(sum[s], "expectations");
			char *c = s ? b : a;

			if (e == NULL)
				snprintf(c, sizeof(a), "-");
			else
				snprintf(c, sizeof(a), "%lld/%lld", (long long)whatif_jint(e, "passed"),
				    (long long)whatif_jint(e, "total"));
		}
		crow_add(&rows, &nrows, "expectations passed", a, b);
	}
	crow_add(&rows, &nrows, "", "", "");
	crow_add(&rows, &nrows, "TIME TO SCHEDULE (p50 / p95 / max)", "", "");
	crow_add(&rows, &nrows, "  all pods", fmt_pending3(sum[0], a, sizeof(a)),
	    fmt_pending3(sum[1], b, sizeof(b)));
	keys = union_keys(json_object_get(sum[0], "workloads"), json_object_get(sum[1], "workloads"),
	    &nk);
	for (size_t i = 0; i < nk; i++) {
		snprintf(lab, sizeof(lab), "  %s", keys[i]);
		crow_add(&rows, &nrows, lab,
		    fmt_pending3(json_object_get(json_object_get(sum[0], "workloads"), keys[i]),
		    a, sizeof(a)),
		    fmt_pending3(json_object_get(json_object_get(sum[1], "workloads"), keys[i]),
		    b, sizeof(b)));
	}
	free(keys);
	crow_add(&rows, &nrows, "", "", "");
	crow_add(&rows, &nrows, "NODES OVER TIME", "", "");
	{
		json_t *ot[2] = { json_object_get(sum[0], "nodes_over_time"),
		    json_object_get(sum[1], "nodes_over_time") };
		json_t *at0 = json_object_get(ot[0], "at_s"), *at1 = json_object_get(ot[1], "at_s");
		size_t np = json_array_size(at0) > json_array_size(at1) ? json_array_size(at0) :
		    json_array_size(at1);

		for (size_t k = 0; k < np; k++) {
			json_t *at = k < json_array_size(at0) ? at0 : at1;
			char when[32];

			fmt_point((long long)json_integer_value(json_array_get(at, k)), when,
			    sizeof(when));
			snprintf(lab, sizeof(lab), "  at %s", when);
			over_time_cell(ot[0], k, when, a, sizeof(a));
			over_time_cell(ot[1], k, when, b, sizeof(b));
			crow_add(&rows, &nrows, lab, a, b);
		}
	}
	crow_add(&rows, &nrows, "", "", "");
	crow_add(&rows, &nrows, "SCALING ACTIONS (timeline events)", "", "");
	keys = union_keys(json_object_get(sum[0], "events"), json_object_get(sum[1], "events"), &nk);
	qsort(keys, nk, sizeof(*keys), whatif_cmp_str);
	for (size_t i = 0; i < nk; i++) {
		json_t *x = json_object_get(json_object_get(sum[0], "events"), keys[i]);
		json_t *y = json_object_get(json_object_get(sum[1], "events"), keys[i]);

		snprintf(lab, sizeof(lab), "  %s", keys[i]);
		snprintf(a, sizeof(a), "%lld", x ? (long long)json_integer_value(x) : 0LL);
		snprintf(b, sizeof(b), "%lld", y ? (long long)json_integer_value(y) : 0LL);
		crow_add(&rows, &nrows, lab, a, b);
	}
	free(keys);
	for (size_t i = 0; i < nrows; i++) {
		size_t l = strlen(rows[i].label), c = strlen(rows[i].cell[0]);

		/* section titles span the row: they do not widen the label column */
		if (rows[i].cell[0][0] != '\0' && l > w0)
			w0 = l;
		if (c > w1)
			w1 = c;
	}
	fprintf(fp, "A: %s\nB: %s\n\n", label[0], label[1]);
	for (size_t i = 0; i < nrows; i++) {
		if (rows[i].cell[0][0] == '\0' && rows[i].cell[1][0] == '\0')
			fprintf(fp, "%s\n", rows[i].label);
		else
			fprintf(fp, "%-*s  %-*s  %s\n", (int)w0, rows[i].label, (int)w1, rows[i].cell[0],
			    rows[i].cell[1]);
		free(rows[i].label);
		free(rows[i].cell[0]);
		free(rows[i].cell[1]);
	}
	free(rows);
}

/* "scenarios/x.yaml --set a=1 --set b=2" */
char *
whatif_variant_label(const struct ksim_opts *o, const char **extra, size_t nextra)
{
	char *s = xstrdup(""), *t;

	for (size_t i = 0; i < o->nfiles; i++) {
		t = xasprintf("%s%s%s", s, i ? " " : "", o->files[i]);
		free(s);
		s = t;
	}
	for (size_t i = 0; i < nextra; i++) {
		t = xasprintf("%s --set %s", s, extra[i]);
		free(s);
		s = t;
	}
	return s;
}
