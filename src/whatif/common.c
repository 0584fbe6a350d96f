/*
 * whatif/common.c: what compare, sweep and merge share: their options'
 * state (struct whatif_opts) and the values of --metrics, one run summarized,
 * and writing the output to stdout or atomically to --output-file.  The
 * commands are src/cmd/compare.c, sweep.c and merge.c; every run is an
 * ordinary run (ksim_run_json) with --set overrides applied to its
 * documents (io/override.c), summarized by whatif/summary.c.
 */
#include "whatif/whatif.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksim.h"
#include "util/duration.h"
#include "util/error.h"
#include "util/xmalloc.h"

/* Summary metrics a sweep may print (the keys of whatif_summary()). */
static const char *const metric_names[] = { "cost_usd", "nodes_launched", "max_nodes",
	"peak_nodes_by_type", "pods", "pending_at_end", "p50_pending_s", "p95_pending_s",
	"max_pending_s", "max_replicas", "workloads", "events", NULL };

static const char *const default_metrics[] = { "cost_usd", "max_nodes", "pending_at_end",
	"p95_pending_s", "max_replicas", NULL };

/* ---- the command line ---- */

void *
whatif_wopts_new(void)
{
	return xcalloc(1, sizeof(struct whatif_opts));
}

void
whatif_wopts_free(void *arg)
{
	struct whatif_opts *w = arg;

	if (w == NULL)
		return;
	free(w->a);
	free(w->b);
	for (size_t i = 0; i < w->nvary; i++) {
		free(w->vary[i].path);
		for (size_t j = 0; j < w->vary[i].nvalues; j++)
			free(w->vary[i].values[j]);
		free(w->vary[i].values);
	}
	free(w->vary);
	for (size_t i = 0; i < w->nmetrics; i++)
		free(w->metrics[i]);
	free(w->metrics);
	free(w);
}

void
whatif_push_str(const char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

/* "a,b,c" -> owned strings */
char **
whatif_split_commas(const char *s, size_t *n)
{
	char **v = NULL;
	const char *p = s;

	*n = 0;
	for (;;) {
		size_t len = strcspn(p, ",");

		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = xasprintf("%.*s", (int)len, p);
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return v;
}

static int
check_metric(const char *m, struct ks_error *err)
{
	size_t len = strcspn(m, ".");
	char names[300];

	for (size_t i = 0; metric_names[i] != NULL; i++)
		if (strlen(metric_names[i]) == len && strncmp(m, metric_names[i], len) == 0)
			return 0;
	if (strncmp(m, "expectations", len) == 0 && len == 12)
		return 0;
	names[0] = '\0';
	for (size_t i = 0, at = 0; metric_names[i] != NULL && at < sizeof(names); i++)
		at += (size_t)snprintf(names + at, sizeof(names) - at, "%s %s", i ? "," : "",
		    metric_names[i]);
	return ks_error_set(err, NULL, KS_EUSAGE, "--metrics: unknown metric \"%s\": expected "
	    "one of%s (or a path inside one, e.g. workloads.Deployment/web.p95_pending_s)", m,
	    names);
}

int
whatif_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return -1;
	*out = (size_t)v;
	return 0;
}

/* ---- running ---- */

int
whatif_run_summary(const struct ksim_opts *o, int progress, json_t **out, struct ks_error *err)
{
	json_t *rep;
	int rc = ksim_run_json(o, progress, &rep, err);

	*out = NULL;
	if (rc != 0)
		return rc;
	*out = whatif_summary(rep);
	json_decref(rep);
	return 0;
}

char *
whatif_json_text(json_t *j, size_t flags)
{
	char *s = json_dumps(j, flags | JSON_PRESERVE_ORDER), *t;

	t = xasprintf("%s\n", s);
	free(s);
	return t;
}

int
whatif_metrics_option(struct whatif_opts *w, const char *arg, struct ks_error *err)
{
	for (size_t i = 0; i < w->nmetrics; i++)
		free(w->metrics[i]);
	free(w->metrics);
	w->metrics = whatif_split_commas(arg, &w->nmetrics);
	w->metrics_given = 1;
	for (size_t i = 0; i < w->nmetrics; i++)
		if (check_metric(w->metrics[i], err) != 0)
			return err->code;
	return 0;
}

void
whatif_wopts_finish(struct whatif_opts *w, const struct ksim_opts *o, const char **sets,
    size_t nsets)
{
	w->o = *o;
	w->sets = sets;
	w->nsets = nsets;
	if (w->metrics == NULL) {
		for (size_t i = 0; default_metrics[i] != NULL; i++) {
			w->metrics = xreallocarray(w->metrics, w->nmetrics + 1, sizeof(*w->metrics));
			w->metrics[w->nmetrics++] = xstrdup(default_metrics[i]);
		}
	}
}

