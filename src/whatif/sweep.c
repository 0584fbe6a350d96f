/*
 * whatif/sweep.c: the lines and the table of `ksim sweep` and `ksim merge`.
 * A combination's result is one JSON line (index, combinations, the
 * --vary description, the metrics, the --set values chosen, and the
 * summary or the error), written by the child process that ran it.  The
 * parent, or merge reading shard outputs, parses such lines back and
 * prints them through whatif_sweep_table(), so a sharded sweep merged and
 * an unsharded one are the same bytes.  whatif_sweep_prevalidate() loads
 * every value of every --vary once before anything is forked, so a typo
 * fails fast, once.
 */
#include "whatif/whatif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

/* The --set strings of combination `index`: base sets, then one per --vary. */
static const char **
combo_sets(const struct whatif_opts *w, const size_t *choice, size_t *n, char ***owned)
{
	const char **v = NULL;

	*n = 0;
	*owned = xcalloc(w->nvary + 1, sizeof(**owned));
	for (size_t i = 0; i < w->nsets; i++)
		whatif_push_str(&v, n, w->sets[i]);
	for (size_t k = 0; k < w->nvary; k++) {
		(*owned)[k] = xasprintf("%s=%s", w->vary[k].path, w->vary[k].values[choice[k]]);
		whatif_push_str(&v, n, (*owned)[k]);
	}
	return v;
}

static void
free_owned(char **owned, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	free(owned);
}

/* The "vary" description every shard line carries. */
static json_t *
vary_json(const struct whatif_opts *w)
{
	json_t *a = json_array();

	for (size_t k = 0; k < w->nvary; k++) {
		json_t *o = json_object(), *vals = json_array();

		for (size_t j = 0; j < w->vary[k].nvalues; j++)
			json_array_append_new(vals, json_string(w->vary[k].values[j]));
		json_object_set_new(o, "path", json_string(w->vary[k].path));
		json_object_set_new(o, "values", vals);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
metrics_json(char **m, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(m[i]));
	return a;
}

/* One JSON line for combination index (summary, or error when summary is NULL). */
static char *
sweep_line(const struct whatif_opts *w, size_t ncombos, size_t index, const size_t *choice,
    json_t *summary, const char *error)
{
	json_t *o = json_object(), *set = json_object();
	char *s, *t;

	json_object_set_new(o, "index", json_integer((json_int_t)index));
	json_object_set_new(o, "combinations", json_integer((json_int_t)ncombos));
	json_object_set_new(o, "vary", vary_json(w));
	json_object_set_new(o, "metrics", metrics_json(w->metrics, w->nmetrics));
	for (size_t k = 0; k < w->nvary; k++)
		json_object_set_new(set, w->vary[k].path, json_string(w->vary[k].values[choice[k]]));
	json_object_set_new(o, "set", set);
	if (summary != NULL)
		json_object_set(o, "summary", summary);
	else
		json_object_set_new(o, "error", json_string(error));
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	t = xasprintf("%s\n", s);
	free(s);
	return t;
}

/*
 * The table (or JSON array) of parsed sweep lines rows[0..n), ordered by
 * index; metrics from the lines unless m is given.
 */
char *
whatif_sweep_table(json_t **rows, size_t n, char **m, size_t nm, enum ksim_output out, size_t *len)
{
	json_t *vary = json_object_get(rows[0], "vary");
	size_t nv = json_array_size(vary), ncol = 1 + nv + nm + 1, cells;
	char **cell, num[64], *buf = NULL;
	size_t *width;
	int has_ex = 0;
	FILE *fp;

	if (out == KSIM_JSON) {
		json_t *a = json_array();

		for (size_t r = 0; r < n; r++) {
			json_t *o = json_object();

			json_object_set(o, "index", json_object_get(rows[r], "index"));
			json_object_set(o, "set", json_object_get(rows[r], "set"));
			json_object_set(o, "summary", json_object_get(rows[r], "summary"));
			json_array_append_new(a, o);
		}
		buf = whatif_json_text(a, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
		json_decref(a);
		*len = strlen(buf);
		return buf;
	}
	for (size_t r = 0; r < n; r++)
		has_ex |= json_object_get(json_object_get(rows[r], "summary"), "expectations") != NULL;
	cells = (n + 1) * ncol;
	cell = xcalloc(cells, sizeof(*cell));
	width = xcalloc(ncol, sizeof(*width));
	cell[0] = xstrdup("#");
	for (size_t k = 0; k < nv; k++)
		cell[1 + k] = xstrdup(whatif_jstr(json_array_get(vary, k), "path"));
	for (size_t i = 0; i < nm; i++)
		cell[1 + nv + i] = xstrdup(m[i]);
	cell[ncol - 1] = xstrdup(has_ex ? "expect" : "");
	for (size_t r = 0; r < n; r++) {
		char **c = cell + (r + 1) * ncol;
		json_t *set = json_object_get(rows[r], "set"), *sum = json_object_get(rows[r], "summary");
		json_t *ex = json_object_get(sum, "expectations");

		c[0] = xasprintf("%lld", (long long)whatif_jint(rows[r], "index"));
		for (size_t k = 0; k < nv; k++) {
			const char *p = whatif_jstr(json_array_get(vary, k), "path");

			c[1 + k] = xstrdup(whatif_jstr(set, p) ? whatif_jstr(set, p) : "-");
		}
		for (size_t i = 0; i < nm; i++)
			c[1 + nv + i] = xstrdup(whatif_fmt_metric(m[i], whatif_metric_get(sum, m[i]), num, sizeof(num)));
		if (ex != NULL)
			c[ncol - 1] = xasprintf("%lld/%lld", (long long)whatif_jint(ex, "passed"),
			    (long long)whatif_jint(ex, "total"));
		else
			c[ncol - 1] = xstrdup(has_ex ? "-" : "");
	}
	for (size_t i = 0; i < cells; i++)
		if (strlen(cell[i]) > width[i % ncol])
			width[i % ncol] = strlen(cell[i]);
	fp = open_memstream(&buf, len);
	for (size_t r = 0; r <= n; r++) {
		char **c = cell + r * ncol;
		size_t last = has_ex ? ncol - 1 : ncol - 2;

		for (size_t i = 0; i <= last; i++) {
			/* the index and the metrics are numbers: right-aligned */
			int right = i == 0 || i > nv;
			const char *sep = i == last ? "\n" : "  ";

			if (i == last && !right)
				fprintf(fp, "%s%s", c[i], sep);
			else
				fprintf(fp, right ? "%*s%s" : "%-*s%s", (int)width[i], c[i], sep);
		}
	}
	fclose(fp);
	for (size_t i = 0; i < cells; i++)
		free(cell[i]);
	free(cell);
	free(width);
	return buf;
}

int
whatif_cmp_index(const void *a, const void *b)
{
	int64_t x = whatif_jint(*(json_t *const *)a, "index");
	int64_t y = whatif_jint(*(json_t *const *)b, "index");

	return x < y ? -1 : x > y;
}

/*
 * Parse lines into rows; -1 on any error, the first one in *err.  A row
 * that records a failed combination carries the error line its shard
 * printed ("ksim: FILE:LINE:COL: MSG"); its "ksim: " is dropped here, as
 * ks_error_print() puts it back.
 */
int
whatif_parse_rows(char **lines, size_t n, json_t **rows, const char *what,
    struct ks_error *err)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		json_error_t je;

		rows[i] = json_loads(lines[i], 0, &je);
		if (rows[i] == NULL || !json_is_object(rows[i]) ||
		    !json_is_integer(json_object_get(rows[i], "index")) ||
		    !json_is_array(json_object_get(rows[i], "vary"))) {
			if (rc == 0)
				ks_error_set(err, NULL, KS_EINVAL, "%s: line %zu: expected a line of "
				    "`ksim sweep --shard` output, %s", what, i + 1,
				    rows[i] ? "found other JSON" : je.text);
			rc = -1;
		} else if (json_object_get(rows[i], "error") != NULL) {
			const char *e = whatif_jstr(rows[i], "error");

			if (e == NULL)
				e = "(null)";
			else if (strncmp(e, "ksim: ", 6) == 0)
				e += 6;
			if (rc == 0)
				ks_error_set(err, NULL, KS_EINVAL, "%s (sweep combination %lld)",
				    e, (long long)whatif_jint(rows[i], "index"));
			rc = -1;
		}
	}
	return rc;
}

/* Load every value of every --vary once before forking: a typo fails fast, once. */
int
whatif_sweep_prevalidate(const struct whatif_opts *w, size_t *choice, struct ks_error *err)
{
	struct ksim_opts o = w->o;
	char **owned;
	const char **sets;
	size_t n;
	int rc = 0;

	for (size_t k = 0; k <= w->nvary && rc == 0; k++) {
		size_t from = k == 0 ? 0 : 1;
		size_t to = k == 0 ? 1 : w->vary[k - 1].nvalues;

		for (size_t j = from; j < to && rc == 0; j++) {
			memset(choice, 0, w->nvary * sizeof(*choice));
			if (k > 0)
				choice[k - 1] = j;
			sets = combo_sets(w, choice, &n, &owned);
			o.sets = sets;
			o.nsets = n;
			o.quiet = w->o.quiet || k > 0 || j > 0;	/* warnings once */
			rc = ksim_validate(&o, err);
			free(sets);
			free_owned(owned, w->nvary);
		}
	}
	return rc;
}

/* Run one combination in a forked child and write its line to out; 0 or the run's error. */
int
whatif_child_run(const struct whatif_opts *w, size_t ncombos, size_t index, const size_t *choice,
    FILE *out)
{
	struct ksim_opts o = w->o;
	struct ks_error err;
	char **owned, *line;
	const char **sets;
	json_t *sum = NULL;
	size_t n;
	int rc;

	sets = combo_sets(w, choice, &n, &owned);
	o.sets = sets;
	o.nsets = n;
	o.quiet = 1;
	o.csv_dir = NULL;
	o.svg_file = NULL;
	ks_error_clear(&err);
	rc = whatif_run_summary(&o, 0, &sum, &err);
	if (rc != 0) {
		char msg[700];
		FILE *m = fmemopen(msg, sizeof(msg), "w");

		ks_error_print(m, &err);
		fclose(m);
		msg[strcspn(msg, "\n")] = '\0';
		line = sweep_line(w, ncombos, index, choice, NULL, msg);
	} else {
		line = sweep_line(w, ncombos, index, choice, sum, NULL);
	}
	fputs(line, out);
	/* the child leaves as clean as a run does (valgrind follows it) */
	free(line);
	json_decref(sum);
	free_owned(owned, w->nvary);
	free(sets);
	return rc;
}
