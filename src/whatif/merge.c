/*
 * whatif/merge.c: `ksim merge`'s reading of shard outputs.  Shard files
 * come from other machines, so every line is checked field by field before
 * anything trusts it, and the lines together are checked to be one sweep
 * with every combination exactly once; then they print through
 * whatif_sweep_table() as the unsharded sweep would.
 *
 * A line (as whatif/sweep.c writes it) is a JSON object with exactly:
 *   index         an integer, 0 <= index < combinations
 *   combinations  an integer, the product of the numbers of vary values
 *   vary          a non-empty array of {path, values}: path a string,
 *                 values a non-empty array of strings, paths distinct
 *   metrics       an array of strings
 *   set           an object holding, for each vary path, the value that
 *                 combination `index` chooses (whatif_combo()), nothing else
 *   summary       an object (see check_summary()), or instead
 *   error         a string: the combination's run failed
 * Strings that reach the table (paths, values) hold no control characters.
 * Every error names the file and line ("ksim: FILE:LINE: ...") except a
 * missing combination, which no line shows.
 *
 * Costs: the lines are kept parsed (one JSON tree each); they are sorted
 * by index to find duplicates and gaps, so nothing is allocated by the
 * number of combinations a line claims.
 */
#include "whatif/whatif.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define MERGE_MAX_LINE	(16u << 20)	/* bytes in one shard line */
#define MERGE_MAX_NUM	1e15		/* largest number a summary may hold */

struct merge_line {
	json_t		*row;		/* the parsed line (owned) */
	struct ks_mark	 at;		/* its file (interned) and line */
	size_t		 seq;		/* order read, to keep sorting stable */
};

struct whatif_merge {
	struct merge_line	*lines;		/* every line read, in order */
	size_t			 n;		/* entries in lines */
};

struct whatif_merge *
whatif_merge_new(void)
{
	return xcalloc(1, sizeof(struct whatif_merge));
}

void
whatif_merge_free(struct whatif_merge *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		json_decref(m->lines[i].row);
	free(m->lines);
	free(m);
}

/* s holds no control character (it would forge or garble the table). */
static int
printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* A number a summary may hold: an integer >= 0, or a finite real in [0, 1e15]. */
static int
good_number(json_t *v)
{
	if (json_is_integer(v))
		return json_integer_value(v) >= 0;
	return json_is_real(v) && isfinite(json_real_value(v)) && json_real_value(v) >= 0 &&
	    json_real_value(v) <= MERGE_MAX_NUM;
}

/*
 * Every leaf of a summary tree: numbers as good_number(), arrays of them,
 * objects with printable keys; depth bounded.  The first bad value's path
 * and what is wrong with it go to what (".workloads.x is not a number").
 */
static int
good_tree(json_t *v, int depth, char *what, size_t n)
{
	const char *k;
	json_t *e;
	size_t i;

	if (depth > 8)
		return snprintf(what, n, " is nested too deeply"), 0;
	if (json_is_object(v)) {
		json_object_foreach(v, k, e) {
			if (!printable(k))
				return snprintf(what, n, " has a key with a control character"), 0;
			if (!good_tree(e, depth + 1, what, n)) {
				char sub[300];

				/* truncated when deep and long: the start of the path is enough */
				if (snprintf(sub, sizeof(sub), "%s", what) < 0 ||
				    snprintf(what, n, ".%s%s", k, sub) < 0)
					what[0] = '\0';
				return 0;
			}
		}
		return 1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			if (!good_number(e))
				return snprintf(what, n, " holds a value that is not a number >= 0 "
				    "(up to 1e15)"), 0;
		return 1;
	}
	if (!good_number(v))
		return snprintf(what, n, " is not a number >= 0 (up to 1e15)"), 0;
	return 1;
}

/* The summary of a line: the keys whatif_summary() always writes, and good values. */
static int
check_summary(json_t *s, const struct ks_mark *at, struct ks_error *err)
{
	static const char *const ints[] = { "nodes_launched", "max_nodes", "pods",
		"pending_at_end", "max_replicas", NULL };
	static const char *const nums[] = { "cost_usd", "p50_pending_s", "p95_pending_s",
		"max_pending_s", NULL };
	static const char *const objs[] = { "peak_nodes_by_type", "workloads", "events", NULL };
	json_t *ex = json_object_get(s, "expectations");
	char what[300];

	for (size_t i = 0; ints[i] != NULL; i++)
		if (!json_is_integer(json_object_get(s, ints[i])))
			return ks_error_set(err, at, KS_EINVAL, "summary: expected an integer "
			    "%s", ints[i]);
	for (size_t i = 0; nums[i] != NULL; i++)
		if (!json_is_number(json_object_get(s, nums[i])))
			return ks_error_set(err, at, KS_EINVAL, "summary: expected a number %s",
			    nums[i]);
	for (size_t i = 0; objs[i] != NULL; i++)
		if (!json_is_object(json_object_get(s, objs[i])))
			return ks_error_set(err, at, KS_EINVAL, "summary: expected an object %s",
			    objs[i]);
	if (!good_tree(s, 0, what, sizeof(what)))
		return ks_error_set(err, at, KS_EINVAL, "summary%s", what);
	if (ex != NULL && (!json_is_integer(json_object_get(ex, "passed")) ||
	    !json_is_integer(json_object_get(ex, "total")) ||
	    json_integer_value(json_object_get(ex, "passed")) >
	    json_integer_value(json_object_get(ex, "total"))))
		return ks_error_set(err, at, KS_EINVAL, "summary: expected expectations "
		    "{passed, total} with passed <= total");
	return 0;
}

/* vary: its entries, and their product into *ncombos. */
static int
check_vary(json_t *vary, size_t *ncombos, const struct ks_mark *at, struct ks_error *err)
{
	json_t *e;
	size_t k;

	if (!json_is_array(vary) || json_array_size(vary) == 0)
		return ks_error_set(err, at, KS_EINVAL, "expected a non-empty array vary");
	*ncombos = 1;
	json_array_foreach(vary, k, e) {
		json_t *path = json_object_get(e, "path"), *vals = json_object_get(e, "values"), *v;
		size_t j;

		if (!json_is_object(e) || !json_is_string(path) || !printable(json_string_value(path)))
			return ks_error_set(err, at, KS_EINVAL, "vary %zu: expected a path "
			    "(a string without control characters)", k);
		if (!json_is_array(vals) || json_array_size(vals) == 0)
			return ks_error_set(err, at, KS_EINVAL, "vary %zu: expected a non-empty "
			    "array of values", k);
		json_array_foreach(vals, j, v)
			if (!json_is_string(v) || !printable(json_string_value(v)))
				return ks_error_set(err, at, KS_EINVAL, "vary %zu: value %zu is not "
				    "a string without control characters", k, j);
		for (size_t p = 0; p < k; p++)
			if (strcmp(json_string_value(path), whatif_jstr(json_array_get(vary, p),
			    "path")) == 0)
				return ks_error_set(err, at, KS_EINVAL, "vary %zu: path %s is "
				    "varied twice", k, json_string_value(path));
		if (*ncombos > (size_t)INT64_MAX / json_array_size(vals))
			return ks_error_set(err, at, KS_EINVAL, "vary: too many combinations");
		*ncombos *= json_array_size(vals);
	}
	return 0;
}

/* set: exactly the values combination index chooses. */
static int
check_set(json_t *row, json_t *vary, size_t index, const struct ks_mark *at,
    struct ks_error *err)
{
	json_t *set = json_object_get(row, "set");
	size_t nv = json_array_size(vary), *nvalues, *choice;
	int rc = 0;

	if (!json_is_object(set) || json_object_size(set) != nv)
		return ks_error_set(err, at, KS_EINVAL, "expected set, an object of one value "
		    "per vary path");
	nvalues = xcalloc(nv, sizeof(*nvalues));
	choice = xcalloc(nv, sizeof(*choice));
	for (size_t k = 0; k < nv; k++)
		nvalues[k] = json_array_size(json_object_get(json_array_get(vary, k), "values"));
	whatif_combo(nvalues, nv, index, choice);
	for (size_t k = 0; k < nv && rc == 0; k++) {
		json_t *e = json_array_get(vary, k);
		const char *path = whatif_jstr(e, "path"), *got = whatif_jstr(set, path);
		const char *want = json_string_value(json_array_get(json_object_get(e, "values"),
		    choice[k]));

		if (got == NULL || strcmp(got, want) != 0)
			rc = ks_error_set(err, at, KS_EINVAL, "set: combination %zu has %s=%s, "
			    "found %s", index, path, want, got ? fmt_safe(got) : "none");
	}
	free(nvalues);
	free(choice);
	return rc;
}

/* One line, every field of it; 0 or KS_EINVAL marked at the line. */
static int
check_line(json_t *row, const struct ks_mark *at, struct ks_error *err)
{
	static const char *const keys[] = { "index", "combinations", "vary", "metrics", "set",
		"summary", "error", NULL };
	json_t *idx = json_object_get(row, "index"), *nc = json_object_get(row, "combinations");
	json_t *metrics = json_object_get(row, "metrics"), *v;
	size_t ncombos = 0, i;
	const char *k;
	int rc;

	json_object_foreach(row, k, v) {
		for (i = 0; keys[i] != NULL && strcmp(keys[i], k) != 0; i++)
			;
		if (keys[i] == NULL)
			return ks_error_set(err, at, KS_EINVAL, "unknown field \"%s\"", fmt_safe(k));
	}
	if ((rc = check_vary(json_object_get(row, "vary"), &ncombos, at, err)) != 0)
		return rc;
	if (!json_is_integer(nc) || json_integer_value(nc) != (json_int_t)ncombos)
		return ks_error_set(err, at, KS_EINVAL, "expected combinations %zu (the product "
		    "of the numbers of vary values)", ncombos);
	if (!json_is_integer(idx) || json_integer_value(idx) < 0 ||
	    json_integer_value(idx) >= (json_int_t)ncombos)
		return ks_error_set(err, at, KS_EINVAL, "expected an index from 0 to %zu",
		    ncombos - 1);
	if (!json_is_array(metrics))
		return ks_error_set(err, at, KS_EINVAL, "expected an array metrics");
	json_array_foreach(metrics, i, v)
		if (!json_is_string(v) || !printable(json_string_value(v)))
			return ks_error_set(err, at, KS_EINVAL, "metric %zu is not a string without "
			    "control characters", i);
	if ((rc = check_set(row, json_object_get(row, "vary"), (size_t)json_integer_value(idx),
	    at, err)) != 0)
		return rc;
	v = json_object_get(row, "summary");
	if ((v == NULL) == (json_object_get(row, "error") == NULL))
		return ks_error_set(err, at, KS_EINVAL, "expected either a summary or an error");
	if (v == NULL && !json_is_string(json_object_get(row, "error")))
		return ks_error_set(err, at, KS_EINVAL, "expected a string error");
	if (v != NULL && !json_is_object(v))
		return ks_error_set(err, at, KS_EINVAL, "expected an object summary");
	return v != NULL ? check_summary(v, at, err) : 0;
}

int
whatif_merge_line(struct whatif_merge *m, const char *file, size_t lineno, const char *text,
    struct ks_error *err)
{
	struct ks_mark at = { intern(file), lineno > INT32_MAX ? INT32_MAX : (int)lineno, 0 };
	json_error_t je;
	json_t *row = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	int rc;

	if (row == NULL || !json_is_object(row)) {
		rc = ks_error_set(err, &at, KS_EINVAL, "expected a line of `ksim sweep --shard` "
		    "output, %s", row ? "found other JSON" : fmt_safe(je.text));
		json_decref(row);
		return rc;
	}
	if ((rc = check_line(row, &at, err)) != 0) {
		json_decref(row);
		return rc;
	}
	m->lines = xreallocarray(m->lines, m->n + 1, sizeof(*m->lines));
	m->lines[m->n].row = row;
	m->lines[m->n].at = at;
	m->lines[m->n].seq = m->n;
	m->n++;
	return 0;
}

int
whatif_merge_read(struct whatif_merge *m, const char *file, FILE *fp, struct ks_error *err)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t got;
	int rc = 0;

	while (rc == 0 && (got = getline(&line, &cap, fp)) > 0) {
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)got)
			continue;
		if ((size_t)got > MERGE_MAX_LINE || strlen(line) != (size_t)got) {
			struct ks_mark at = { intern(file), lineno > INT32_MAX ? INT32_MAX :
			    (int)lineno, 0 };

			rc = ks_error_set(err, &at, KS_EINVAL, "expected a line of `ksim sweep "
			    "--shard` output, found %s", strlen(line) != (size_t)got ?
			    "a NUL byte" : "a line longer than 16 MiB");
			break;
		}
		rc = whatif_merge_line(m, file, lineno, line, err);
	}
	free(line);
	if (rc == 0 && ferror(fp)) {
		struct ks_mark at = { intern(file), 0, 0 };

		rc = ks_error_set(err, &at, KS_EIO, "cannot read: %s", strerror(errno));
	}
	return rc;
}

static int
cmp_line(const void *a, const void *b)
{
	const struct merge_line *x = a, *y = b;
	int64_t i = whatif_jint(x->row, "index"), j = whatif_jint(y->row, "index");

	if (i != j)
		return i < j ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The lines as one sweep: same vary and metrics, every combination once. */
static int
merge_check(struct whatif_merge *m, struct ks_error *err)
{
	json_t *first = m->lines[0].row;
	size_t ncombos = (size_t)whatif_jint(first, "combinations"), distinct = 0, gap = SIZE_MAX;

	for (size_t i = 1; i < m->n; i++) {
		json_t *row = m->lines[i].row;

		if (!json_equal(json_object_get(row, "vary"), json_object_get(first, "vary")))
			return ks_error_set(err, &m->lines[i].at, KS_EINVAL, "comes from a different "
			    "sweep than %s:%d (other --vary values)", m->lines[0].at.file,
			    m->lines[0].at.line);
		if (!json_equal(json_object_get(row, "metrics"), json_object_get(first, "metrics")))
			return ks_error_set(err, &m->lines[i].at, KS_EINVAL, "comes from a different "
			    "sweep than %s:%d (other --metrics)", m->lines[0].at.file,
			    m->lines[0].at.line);
	}
	qsort(m->lines, m->n, sizeof(*m->lines), cmp_line);
	for (size_t i = 0; i < m->n; i++) {
		size_t idx = (size_t)whatif_jint(m->lines[i].row, "index");

		if (i > 0 && idx == (size_t)whatif_jint(m->lines[i - 1].row, "index"))
			return ks_error_set(err, &m->lines[i].at, KS_EINVAL, "combination %zu appears "
			    "twice, first at %s:%d (the same shard given twice?)", idx,
			    m->lines[i - 1].at.file, m->lines[i - 1].at.line);
		if (gap == SIZE_MAX && idx != distinct)
			gap = distinct;
		distinct++;
	}
	if (distinct < ncombos)
		return ks_error_set(err, NULL, KS_EINVAL, "merge: %zu of %zu combinations are "
		    "missing, the first is %zu (a shard output is missing or incomplete)",
		    ncombos - distinct, ncombos, gap == SIZE_MAX ? distinct : gap);
	return 0;
}

int
whatif_merge_table(struct whatif_merge *m, char **metrics, size_t nmetrics,
    enum ksim_output out, char **buf, size_t *len, struct ks_error *err)
{
	json_t **rows;
	char **mfrom = NULL;
	int rc;

	*buf = NULL;
	*len = 0;
	if (m->n == 0)
		return ks_error_set(err, NULL, KS_EINVAL, "merge: the shard outputs hold no sweep "
		    "lines");
	if ((rc = merge_check(m, err)) != 0)
		return rc;
	for (size_t i = 0; i < m->n; i++) {
		json_t *e = json_object_get(m->lines[i].row, "error");

		if (e != NULL) {
			const char *msg = json_string_value(e);

			/* the child's own "ksim: FILE:LINE:COL: message", as sweep prints it */
			if (strncmp(msg, "ksim: ", 6) == 0)
				msg += 6;
			return ks_error_set(err, NULL, KS_EINVAL, "%s (sweep combination %lld)",
			    fmt_safe(msg), (long long)whatif_jint(m->lines[i].row, "index"));
		}
	}
	if (metrics == NULL) {
		json_t *jm = json_object_get(m->lines[0].row, "metrics");

		nmetrics = json_array_size(jm);
		mfrom = xcalloc(nmetrics + 1, sizeof(*mfrom));
		for (size_t i = 0; i < nmetrics; i++)
			mfrom[i] = (char *)json_string_value(json_array_get(jm, i));
		metrics = mfrom;
	}
	rows = xcalloc(m->n, sizeof(*rows));
	for (size_t i = 0; i < m->n; i++)
		rows[i] = m->lines[i].row;
	*buf = whatif_sweep_table(rows, m->n, metrics, nmetrics, out, len);
	free(rows);
	free(mfrom);
	return 0;
}
