/*
 * whatif/summary.c: the summary of one run's JSON report, the numbers
 * compare, sweep and check all read, and how a table prints them:
 *   time to schedule   created -> scheduled for each pod (or -> deleted, or
 *                      -> the end of the run when it never was), p50/p95/max
 *                      as nearest-rank percentiles, as expect.c does;
 *   peak nodes         the most nodes alive at once, [launched, terminated);
 *   max_replicas       the most pods of one workload alive at once
 *                      (created, not yet deleted);
 *   events             timeline events counted by type: occurrences, each
 *                      record counting its `count` (1 when absent).
 * Also the combination arithmetic of a sweep (whatif_combo(),
 * whatif_in_shard()), which the tests check directly.
 */
#include "whatif/whatif.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/duration.h"
#include "util/fmt.h"
#include "util/stats.h"
#include "util/xmalloc.h"

#define WHATIF_TIME_POINTS	7	/* nodes over time: at most this many times */

/* ---- the summary of one run ---- */

int64_t
whatif_jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

const char *
whatif_jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The most intervals [start, end) alive at once; end < 0 = never ends. */
static int64_t
max_overlap(int64_t *start, int64_t *end, size_t n)
{
	size_t i = 0, j = 0, alive = 0, best = 0, nend = 0;

	for (size_t k = 0; k < n; k++)
		if (end[k] >= 0)
			end[nend++] = end[k];
	qsort(start, n, sizeof(*start), stats_cmp_i64);
	qsort(end, nend, sizeof(*end), stats_cmp_i64);
	while (i < n) {
		if (j < nend && end[j] <= start[i]) {
			alive--;
			j++;
			continue;
		}
		alive++;
		i++;
		if (alive > best)
			best = alive;
	}
	return (int64_t)best;
}

static json_t *
secs(int64_t ms)
{
	return json_real((double)ms / 1000.0);
}

/* p50, p95, max of the pending times v[0..n) (sorted here) into o */
static void
put_pending(json_t *o, int64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), stats_cmp_i64);
	json_object_set_new(o, "p50_pending_s", secs(stats_percentile(v, n, 50)));
	json_object_set_new(o, "p95_pending_s", secs(stats_percentile(v, n, 95)));
	json_object_set_new(o, "max_pending_s", secs(stats_percentile(v, n, 100)));
}

int
whatif_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A key and how many times it counts: an event record's type and count. */
struct wkey {
	const char	*key;		/* borrowed */
	int64_t		 n;		/* occurrences, >= 1 */
};

static int
cmp_wkey(const void *a, const void *b)
{
	return strcmp(((const struct wkey *)a)->key, ((const struct wkey *)b)->key);
}

/* counts[key] += n for every key, into a new object with sorted keys */
static json_t *
count_sorted(struct wkey *keys, size_t n)
{
	json_t *o = json_object();

	qsort(keys, n, sizeof(*keys), cmp_wkey);
	for (size_t i = 0; i < n; i++) {
		int64_t sum = 0;
		size_t k = i;

		while (k + 1 < n && strcmp(keys[k + 1].key, keys[i].key) == 0)
			k++;
		for (size_t m = i; m <= k; m++)
			sum += keys[m].n;
		json_object_set_new(o, keys[i].key, json_integer((json_int_t)sum));
		i = k;
	}
	return o;
}

static const char *
pod_group(json_t *p)
{
	const char *w = whatif_jstr(p, "workload");

	return w != NULL ? w : "(bare pods)";
}

/*
 * Nodes alive (launched <= t < terminated) per instance type and in all at
 * times 0, s, 2s, ... and the end, where the step s is a sixth of the run
 * rounded up to a whole minute (a whole second for runs under 6 min): at
 * most 7 times, at round values.
 */
static json_t *
nodes_over_time(json_t *nodes, int64_t end)
{
	json_t *o = json_object(), *at = json_array(), *total = json_array();
	json_t *types = json_object(), *n;
	int64_t t[WHATIF_TIME_POINTS], step, unit;
	int npoints = 0;
	size_t i;

	unit = end >= 60000 * (WHATIF_TIME_POINTS - 1) ? 60000 : 1000;
	step = (end + WHATIF_TIME_POINTS - 2) / (WHATIF_TIME_POINTS - 1);
	step = (step + unit - 1) / unit * unit;
	if (step <= 0)
		step = unit;
	for (int64_t x = 0; x < end && npoints < WHATIF_TIME_POINTS - 1; x += step)
		t[npoints++] = x;
	t[npoints++] = end;
	for (int k = 0; k < npoints; k++)
		json_array_append_new(at, json_integer(t[k] / 1000));
	json_array_foreach(nodes, i, n) {
		const char *it = whatif_jstr(n, "instance_type");

		if (json_object_get(types, it ? it : "(unknown)") == NULL) {
			json_t *v = json_array();

			for (int k = 0; k < npoints; k++)
				json_array_append_new(v, json_integer(0));
			json_object_set_new(types, it ? it : "(unknown)", v);
		}
	}
	json_object_set_new(o, "at_s", at);
	for (int k = 0; k < npoints; k++) {
		json_int_t all = 0;

		json_array_foreach(nodes, i, n) {
			const char *it = whatif_jstr(n, "instance_type");
			int64_t l = whatif_jint(n, "launched_at_ms"), g = whatif_jint(n, "terminated_at_ms");
			json_t *v;

			if (l > t[k] || (g >= 0 && g <= t[k]))
				continue;	/* not yet launched, or gone */
			v = json_array_get(json_object_get(types, it ? it : "(unknown)"), (size_t)k);
			json_integer_set(v, json_integer_value(v) + 1);
			all++;
		}
		json_array_append_new(total, json_integer(all));
	}
	json_object_set_new(o, "total", total);
	json_object_set_new(o, "by_type", types);
	return o;
}

json_t *
whatif_summary(json_t *rep)
{
	json_t *s = json_object(), *pods = json_object_get(rep, "pods");
	json_t *nodes = json_object_get(rep, "nodes"), *events = json_object_get(rep, "events");
	json_t *wls = json_object(), *peak = json_object(), *ex, *o;
	size_t np = json_array_size(pods), nn = json_array_size(nodes), i, k;
	size_t ne = json_array_size(events), pending = 0;
	int64_t end = whatif_jint(rep, "duration_ms"), maxrep = 0;
	int64_t *pend = xcalloc(np + 1, sizeof(*pend)), *st = xcalloc(np + nn + 1, sizeof(*st));
	int64_t *en = xcalloc(np + nn + 1, sizeof(*en));
	const char **keys = xcalloc(nn + 1, sizeof(*keys));
	struct wkey *ev = xcalloc(ne + 1, sizeof(*ev));

	json_object_set_new(s, "cost_usd",
	    json_real(json_number_value(json_object_get(json_object_get(rep, "cost"), "total_usd"))));
	json_object_set_new(s, "nodes_launched", json_integer((json_int_t)nn));
	json_array_foreach(nodes, i, o) {
		st[i] = whatif_jint(o, "launched_at_ms");
		en[i] = whatif_jint(o, "terminated_at_ms");
	}
	json_object_set_new(s, "max_nodes", json_integer(max_overlap(st, en, nn)));
	/* peak per instance type: the types in sorted order */
	json_array_foreach(nodes, i, o) {
		const char *t = whatif_jstr(o, "instance_type");

		keys[i] = t != NULL ? t : "(unknown)";
	}
	qsort(keys, nn, sizeof(*keys), whatif_cmp_str);
	for (i = 0; i < nn; i++) {
		size_t m = 0;

		if (i > 0 && strcmp(keys[i], keys[i - 1]) == 0)
			continue;
		json_array_foreach(nodes, k, o) {
			const char *t = whatif_jstr(o, "instance_type");

			if (strcmp(t != NULL ? t : "(unknown)", keys[i]) != 0)
				continue;
			st[m] = whatif_jint(o, "launched_at_ms");
			en[m++] = whatif_jint(o, "terminated_at_ms");
		}
		json_object_set_new(peak, keys[i], json_integer(max_overlap(st, en, m)));
	}
	json_object_set_new(s, "peak_nodes_by_type", peak);
	json_object_set_new(s, "nodes_over_time", nodes_over_time(nodes, end));
	/* pods: pending times, overall and per workload (in order of first pod) */
	json_array_foreach(pods, i, o) {
		int64_t c = whatif_jint(o, "created_at_ms"), sc = whatif_jint(o, "scheduled_at_ms");
		int64_t d = whatif_jint(o, "deleted_at_ms"), until = sc >= 0 ? sc : d >= 0 ? d : end;
		const char *g = pod_group(o);

		pend[i] = until > c ? until - c : 0;
		if (strcmp(whatif_jstr(o, "phase") ? whatif_jstr(o, "phase") : "", "Pending") == 0)
			pending++;
		if (json_object_get(wls, g) == NULL)
			json_object_set_new(wls, g, json_object());
	}
	json_object_set_new(s, "pods", json_integer((json_int_t)np));
	json_object_set_new(s, "pending_at_end", json_integer((json_int_t)pending));
	put_pending(s, pend, np);
	{
		const char *g;
		json_t *w;

		json_object_foreach(wls, g, w) {
			size_t m = 0, wpend = 0;
			int64_t mr;

			json_array_foreach(pods, i, o) {
				int64_t c = whatif_jint(o, "created_at_ms"), sc = whatif_jint(o, "scheduled_at_ms");
				int64_t d = whatif_jint(o, "deleted_at_ms"), until = sc >= 0 ? sc : d >= 0 ? d : end;

				if (strcmp(pod_group(o), g) != 0)
					continue;
				pend[m] = until > c ? until - c : 0;
				st[m] = c;
				en[m++] = d;
				wpend += strcmp(whatif_jstr(o, "phase") ? whatif_jstr(o, "phase") : "", "Pending") == 0;
			}
			json_object_set_new(w, "pods", json_integer((json_int_t)m));
			json_object_set_new(w, "pending_at_end", json_integer((json_int_t)wpend));
			put_pending(w, pend, m);
			mr = max_overlap(st, en, m);
			json_object_set_new(w, "max_replicas", json_integer(mr));
			if (strcmp(g, "(bare pods)") != 0 && mr > maxrep)
				maxrep = mr;
		}
	}
	json_object_set_new(s, "max_replicas", json_integer(maxrep));
	json_object_set_new(s, "workloads", wls);
	/* occurrences, not records: a record stands for count identical events */
	json_array_foreach(events, i, o) {
		int64_t cnt = whatif_jint(o, "count");

		ev[i].key = whatif_jstr(o, "type") ? whatif_jstr(o, "type") : "?";
		ev[i].n = cnt >= 1 ? cnt : 1;
	}
	json_object_set_new(s, "events", count_sorted(ev, ne));
	if ((ex = json_object_get(rep, "expectations")) != NULL) {
		json_t *e = json_object();
		size_t passed = 0;

		json_array_foreach(ex, i, o)
			passed += json_is_true(json_object_get(o, "ok"));
		json_object_set_new(e, "passed", json_integer((json_int_t)passed));
		json_object_set_new(e, "total", json_integer((json_int_t)json_array_size(ex)));
		json_object_set_new(s, "expectations", e);
	}
	free(pend);
	free(st);
	free(en);
	free(keys);
	free(ev);
	return s;
}

void
whatif_combo(const size_t *nvalues, size_t nvary, size_t index, size_t *choice)
{
	for (size_t k = nvary; k-- > 0;) {
		assert(nvalues[k] > 0);
		choice[k] = index % nvalues[k];
		index /= nvalues[k];
	}
}

int
whatif_in_shard(size_t index, size_t shard, size_t nshards)
{
	return nshards == 0 || index % nshards == shard;
}

/* ---- formatting ---- */

/* "12.5", "3", "0.25": seconds with at most millisecond digits */
static char *
fmt_secs(double v, char *buf, size_t n)
{
	long long ms = (long long)(v * 1000.0 + (v >= 0 ? 0.5 : -0.5));

	if (ms % 1000 == 0)
		snprintf(buf, n, "%lld", ms / 1000);
	else {
		char *p;

		snprintf(buf, n, "%lld.%03lld", ms / 1000, (ms < 0 ? -ms : ms) % 1000);
		p = buf + strlen(buf);
		while (p[-1] == '0')
			*--p = '\0';
	}
	return buf;
}

/* One metric value as the table prints it; "-" when absent. */
char *
whatif_fmt_metric(const char *name, json_t *v, char *buf, size_t n)
{
	size_t len = strlen(name);

	if (json_is_integer(v))
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v) && len > 4 && strcmp(name + len - 4, "_usd") == 0)
		snprintf(buf, n, "%.6f", json_real_value(v));
	else if (json_is_real(v) && len > 2 && strcmp(name + len - 2, "_s") == 0)
		fmt_secs(json_real_value(v), buf, n);
	else if (json_is_real(v))
		snprintf(buf, n, "%.6g", json_real_value(v));
	else if (json_is_string(v))
		snprintf(buf, n, "%s", json_string_value(v));
	else
		snprintf(buf, n, "-");
	return buf;
}

/* "Xm Ys" as Go prints durations, from seconds */
char *
whatif_fmt_dur(json_t *v, char *buf, size_t n)
{
	if (!json_is_number(v))
		return snprintf(buf, n, "-"), buf;
	return ks_duration_format((int64_t)(json_number_value(v) * 1000.0 + 0.5), buf, n);
}

/*
 * Look up a dotted metric path in a summary: "cost_usd",
 * "workloads.Deployment/web.p95_pending_s", "peak_nodes_by_type.m5.large".
 * Keys may hold dots, so the longest key that fits wins at each level.
 */
json_t *
whatif_metric_get(json_t *o, const char *path)
{
	while (*path != '\0' && json_is_object(o)) {
		const char *key, *best = NULL;
		size_t bestlen = 0;
		json_t *v, *bestv = NULL;

		json_object_foreach(o, key, v) {
			size_t kl = strlen(key);

			if (kl > bestlen && strncmp(path, key, kl) == 0 &&
			    (path[kl] == '\0' || path[kl] == '.')) {
				best = key;
				bestlen = kl;
				bestv = v;
			}
		}
		if (best == NULL)
			return NULL;
		o = bestv;
		path += bestlen;
		if (*path == '.')
			path++;
	}
	return o;
}
