/*
 * whatif.c: ksim compare, ksim sweep and ksim merge: the same scenario
 * under different settings, side by side or over a grid.
 *
 * Every run is an ordinary run (ksim_run_json) with --set overrides
 * applied to its documents (io/override.c); what the commands add is the
 * summary of a run's JSON report, so compare, sweep and check all read the
 * numbers a user can read in the report:
 *   time to schedule   created -> scheduled for each pod (or -> deleted, or
 *                      -> the end of the run when it never was), p50/p95/max
 *                      as nearest-rank percentiles, as expect.c does;
 *   peak nodes         the most nodes alive at once, [launched, terminated);
 *   max_replicas       the most pods of one workload alive at once
 *                      (created, not yet deleted);
 *   events             timeline events counted by type.
 *
 * compare runs its two variants one after the other in this process.
 * sweep forks one process per combination, at most -j at once (the runs
 * are independent; the engine itself stays single-threaded).  A child
 * writes its summary as one JSON line to an unlinked temporary file
 * (tmpfile(3): no pipe to fill up, nothing left behind), and the parent
 * prints the rows in combination order whatever the finishing order, so
 * the output is deterministic.  --shard I/N keeps combinations with
 * index % N == I and prints the JSON lines themselves; merge parses such
 * lines and prints them through the same code as an unsharded sweep, which
 * also parses its children's lines: the two outputs are the same bytes.
 *
 * Costs: a sweep loads the scenario 1 + sum(values - 1) times up front to
 * reject a bad --vary before forking anything, then runs each combination
 * once; the parent holds one JSON line per combination.
 */
#include "whatif.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ksim.h"
#include "io/report.h"
#include "util/duration.h"
#include "util/error.h"
#include "util/xmalloc.h"

#define WHATIF_MAX_COMBOS	1000000
#define WHATIF_TIME_POINTS	7	/* nodes over time: at most this many times */

enum { EXIT_OK = 0, EXIT_BAD = 2 };

/* Summary metrics a sweep may print (the keys of whatif_summary()). */
static const char *const metric_names[] = { "cost_usd", "nodes_launched", "max_nodes",
	"peak_nodes_by_type", "pods", "pending_at_end", "p50_pending_s", "p95_pending_s",
	"max_pending_s", "max_replicas", "workloads", "events", NULL };
static const char *const default_metrics[] = { "cost_usd", "max_nodes", "pending_at_end",
	"p95_pending_s", "max_replicas", NULL };

struct vary {
	char		*path;		/* PATH of --vary PATH=v1,v2 (owned) */
	char		**values;	/* the values in order (owned) */
	size_t		 nvalues;	/* at least 1 */
};

struct wopts {
	struct ksim_opts	 o;		/* common options; o.sets = --set */
	const char		**sets;		/* --set, owned array of borrowed argv strings */
	size_t			 nsets;		/* entries in sets */
	const char		**a, **b;	/* compare --a / --b, like sets */
	size_t			 na, nb;	/* entries in a and b */
	struct vary		*vary;		/* sweep --vary, in command-line order */
	size_t			 nvary;		/* entries in vary */
	long			 jobs;		/* -j, 0 = the number of cores */
	int			 sharded;	/* --shard given */
	size_t			 shard, nshards;/* --shard I/N: I and N */
	char			**metrics;	/* --metrics (or the default), owned */
	size_t			 nmetrics;	/* entries in metrics */
	int			 metrics_given;	/* --metrics was given */
};

/* ---- the summary of one run ---- */

static int64_t
jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static const char *
jstr(json_t *o, const char *k)
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
	qsort(start, n, sizeof(*start), report_cmp_i64);
	qsort(end, nend, sizeof(*end), report_cmp_i64);
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
	qsort(v, n, sizeof(*v), report_cmp_i64);
	json_object_set_new(o, "p50_pending_s", secs(report_percentile(v, n, 50)));
	json_object_set_new(o, "p95_pending_s", secs(report_percentile(v, n, 95)));
	json_object_set_new(o, "max_pending_s", secs(report_percentile(v, n, 100)));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* counts[key]++ for every key, into a new object with sorted keys */
static json_t *
count_sorted(const char **keys, size_t n)
{
	json_t *o = json_object();

	qsort(keys, n, sizeof(*keys), cmp_str);
	for (size_t i = 0; i < n; i++) {
		size_t k = i;

		while (k + 1 < n && strcmp(keys[k + 1], keys[i]) == 0)
			k++;
		json_object_set_new(o, keys[i], json_integer((json_int_t)(k - i + 1)));
		i = k;
	}
	return o;
}

static const char *
pod_group(json_t *p)
{
	const char *w = jstr(p, "workload");

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
		const char *it = jstr(n, "instance_type");

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
			const char *it = jstr(n, "instance_type");
			int64_t l = jint(n, "launched_at_ms"), g = jint(n, "terminated_at_ms");
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
	int64_t end = jint(rep, "duration_ms"), maxrep = 0;
	int64_t *pend = xcalloc(np + 1, sizeof(*pend)), *st = xcalloc(np + nn + 1, sizeof(*st));
	int64_t *en = xcalloc(np + nn + 1, sizeof(*en));
	const char **keys = xcalloc(ne + nn + 1, sizeof(*keys));

	json_object_set_new(s, "cost_usd",
	    json_real(json_number_value(json_object_get(json_object_get(rep, "cost"), "total_usd"))));
	json_object_set_new(s, "nodes_launched", json_integer((json_int_t)nn));
	json_array_foreach(nodes, i, o) {
		st[i] = jint(o, "launched_at_ms");
		en[i] = jint(o, "terminated_at_ms");
	}
	json_object_set_new(s, "max_nodes", json_integer(max_overlap(st, en, nn)));
	/* peak per instance type: the types in sorted order */
	json_array_foreach(nodes, i, o) {
		const char *t = jstr(o, "instance_type");

		keys[i] = t != NULL ? t : "(unknown)";
	}
	qsort(keys, nn, sizeof(*keys), cmp_str);
	for (i = 0; i < nn; i++) {
		size_t m = 0;

		if (i > 0 && strcmp(keys[i], keys[i - 1]) == 0)
			continue;
		json_array_foreach(nodes, k, o) {
			const char *t = jstr(o, "instance_type");

			if (strcmp(t != NULL ? t : "(unknown)", keys[i]) != 0)
				continue;
			st[m] = jint(o, "launched_at_ms");
			en[m++] = jint(o, "terminated_at_ms");
		}
		json_object_set_new(peak, keys[i], json_integer(max_overlap(st, en, m)));
	}
	json_object_set_new(s, "peak_nodes_by_type", peak);
	json_object_set_new(s, "nodes_over_time", nodes_over_time(nodes, end));
	/* pods: pending times, overall and per workload (in order of first pod) */
	json_array_foreach(pods, i, o) {
		int64_t c = jint(o, "created_at_ms"), sc = jint(o, "scheduled_at_ms");
		int64_t d = jint(o, "deleted_at_ms"), until = sc >= 0 ? sc : d >= 0 ? d : end;
		const char *g = pod_group(o);

		pend[i] = until > c ? until - c : 0;
		if (strcmp(jstr(o, "phase") ? jstr(o, "phase") : "", "Pending") == 0)
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
				int64_t c = jint(o, "created_at_ms"), sc = jint(o, "scheduled_at_ms");
				int64_t d = jint(o, "deleted_at_ms"), until = sc >= 0 ? sc : d >= 0 ? d : end;

				if (strcmp(pod_group(o), g) != 0)
					continue;
				pend[m] = until > c ? until - c : 0;
				st[m] = c;
				en[m++] = d;
				wpend += strcmp(jstr(o, "phase") ? jstr(o, "phase") : "", "Pending") == 0;
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
	json_array_foreach(events, i, o)
		keys[i] = jstr(o, "type") ? jstr(o, "type") : "?";
	json_object_set_new(s, "events", count_sorted(keys, ne));
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
static char *
fmt_metric(const char *name, json_t *v, char *buf, size_t n)
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
static char *
fmt_dur(json_t *v, char *buf, size_t n)
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
static json_t *
metric_get(json_t *o, const char *path)
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

/* ---- the command line ---- */

static void
wopts_free(struct wopts *w)
{
	free(w->sets);
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
}

static void
push_str(const char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = s;
}

/* "a,b,c" -> owned strings */
static char **
split_commas(const char *s, size_t *n)
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
check_metric(const char *m)
{
	size_t len = strcspn(m, ".");

	for (size_t i = 0; metric_names[i] != NULL; i++)
		if (strlen(metric_names[i]) == len && strncmp(m, metric_names[i], len) == 0)
			return 0;
	if (strncmp(m, "expectations", len) == 0 && len == 12)
		return 0;
	fprintf(stderr, "ksim: --metrics: unknown metric \"%s\": expected one of", m);
	for (size_t i = 0; metric_names[i] != NULL; i++)
		fprintf(stderr, "%s %s", i ? "," : "", metric_names[i]);
	fprintf(stderr, " (or a path inside one, e.g. workloads.Deployment/web.p95_pending_s)\n");
	return -1;
}

static int
parse_size(const char *s, size_t *out)
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

static void
whatif_usage(const char *cmd, FILE *fp)
{
	if (strcmp(cmd, "compare") == 0)
		fputs("usage: ksim compare [options] A.yaml B.yaml\n"
		    "       ksim compare [options] --a PATH=VALUE... --b PATH=VALUE... FILE...\n", fp);
	else if (strcmp(cmd, "sweep") == 0)
		fputs("usage: ksim sweep [options] --vary PATH=V1,V2,... [--vary ...] [-j N]\n"
		    "       [--shard I/N] [--metrics M1,M2,...] FILE...\n", fp);
	else
		fputs("usage: ksim merge [-o text|json] [--metrics M1,M2,...] SHARD-OUTPUT...\n", fp);
	fputs("See ksim(1).\n", fp);
}

/* Returns -1 on a bad command line (message printed), 1 after --help, 0 otherwise. */
static int
parse_args(const char *cmd, int argc, char **argv, struct wopts *w)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "output-file", required_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "catalog", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "set", required_argument, NULL, 'S' },
		{ "a", required_argument, NULL, 'A' },
		{ "b", required_argument, NULL, 'B' },
		{ "vary", required_argument, NULL, 'v' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, 1001 },
		{ "metrics", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int is_compare = strcmp(cmd, "compare") == 0, is_sweep = strcmp(cmd, "sweep") == 0;
	int ch, li = -1;

	memset(w, 0, sizeof(*w));
	w->o.duration_ms = -1;
	optind = 1;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "o:f:d:s:c:qS:j:m:h", longopts, &li)) != -1) {
		int common = ksim_opt_common(&w->o, ch, optarg, &w->sets, &w->nsets);

		if (common < 0)
			return -1;
		if (common > 0)
			continue;
		switch (ch) {
		case 'A':
		case 'B':
			if (!is_compare)
				goto wrong_cmd;
			if (strchr(optarg, '=') == NULL || optarg[0] == '=') {
				fprintf(stderr, "ksim: %s: expected PATH=VALUE, found \"%s\"\n",
				    ch == 'A' ? "--a" : "--b", optarg);
				return -1;
			}
			push_str(ch == 'A' ? &w->a : &w->b, ch == 'A' ? &w->na : &w->nb, optarg);
			break;
		case 'v': {
			const char *eq = strchr(optarg, '=');
			struct vary *v;

			if (!is_sweep)
				goto wrong_cmd;
			if (eq == NULL || eq == optarg || eq[1] == '\0') {
				fprintf(stderr, "ksim: --vary: expected PATH=V1,V2,..., found \"%s\"\n",
				    optarg);
				return -1;
			}
			w->vary = xreallocarray(w->vary, w->nvary + 1, sizeof(*w->vary));
			v = &w->vary[w->nvary++];
			v->path = xasprintf("%.*s", (int)(eq - optarg), optarg);
			v->values = split_commas(eq + 1, &v->nvalues);
			break;
		}
		case 'j': {
			size_t v;

			if (!is_sweep)
				goto wrong_cmd;
			if (parse_size(optarg, &v) != 0 || v == 0 || v > 4096) {
				fprintf(stderr, "ksim: --jobs: expected a number of processes from 1 "
				    "to 4096, found \"%s\"\n", optarg);
				return -1;
			}
			w->jobs = (long)v;
			break;
		}
		case 1001: {
			const char *sl = strchr(optarg, '/');
			char ibuf[32];

			if (!is_sweep)
				goto wrong_cmd;
			if (sl == NULL || (size_t)(sl - optarg) >= sizeof(ibuf))
				goto bad_shard;
			snprintf(ibuf, sizeof(ibuf), "%.*s", (int)(sl - optarg), optarg);
			if (parse_size(ibuf, &w->shard) != 0 || parse_size(sl + 1, &w->nshards) != 0 ||
			    w->nshards == 0 || w->shard >= w->nshards)
				goto bad_shard;
			w->sharded = 1;
			break;
bad_shard:
			fprintf(stderr, "ksim: --shard: expected I/N with 0 <= I < N (e.g. 0/4), "
			    "found \"%s\"\n", optarg);
			return -1;
		}
		case 'm':
			if (is_compare)
				goto wrong_cmd;
			for (size_t i = 0; i < w->nmetrics; i++)
				free(w->metrics[i]);
			free(w->metrics);
			w->metrics = split_commas(optarg, &w->nmetrics);
			w->metrics_given = 1;
			for (size_t i = 0; i < w->nmetrics; i++)
				if (check_metric(w->metrics[i]) != 0)
					return -1;
			break;
		case 'h':
			whatif_usage(cmd, stdout);
			return 1;
		default:
			whatif_usage(cmd, stderr);
			return -1;
		}
		li = -1;
		continue;
wrong_cmd:
		if (li >= 0)
			fprintf(stderr, "ksim: %s: option --%s does not go with %s\n", cmd,
			    longopts[li].name, cmd);
		else
			fprintf(stderr, "ksim: %s: option -%c does not go with %s\n", cmd, ch, cmd);
		return -1;
	}
	w->o.sets = w->sets;
	w->o.nsets = w->nsets;
	w->o.files = (const char *const *)argv + optind;
	w->o.nfiles = (size_t)(argc - optind);
	if (w->o.nfiles == 0) {
		fprintf(stderr, "ksim: %s: expected at least one %s\n", cmd,
		    strcmp(cmd, "merge") == 0 ? "shard output FILE" : "scenario FILE");
		return -1;
	}
	if (w->metrics == NULL) {
		for (size_t i = 0; default_metrics[i] != NULL; i++) {
			w->metrics = xreallocarray(w->metrics, w->nmetrics + 1, sizeof(*w->metrics));
			w->metrics[w->nmetrics++] = xstrdup(default_metrics[i]);
		}
	}
	return 0;
}

/* ---- running ---- */

static int
run_summary(const struct ksim_opts *o, int progress, json_t **out, struct ks_error *err)
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

static int
emit(const struct ksim_opts *o, const char *buf, size_t len)
{
	struct ks_error err;

	ks_error_clear(&err);
	if (o->output_file != NULL) {
		if (atomic_write(o->output_file, buf, len, &err) != 0) {
			ks_error_print(stderr, &err);
			return EXIT_BAD;
		}
		return EXIT_OK;
	}
	if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		fprintf(stderr, "ksim: cannot write the output: %s\n", strerror(errno));
		return EXIT_BAD;
	}
	return EXIT_OK;
}

static char *
json_text(json_t *j, size_t flags)
{
	char *s = json_dumps(j, flags | JSON_PRESERVE_ORDER), *t;

	t = xasprintf("%s\n", s);
	free(s);
	return t;
}

/* ---- compare ---- */

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

	crow_add(v, n, label, fmt_metric(fmt, json_object_get(obj[0], key), a, sizeof(a)),
	    fmt_metric(fmt, json_object_get(obj[1], key), b, sizeof(b)));
}

/* The scalar rows at the top of the comparison, in order. */
static const struct {
	const char	*label;	/* first column */
	const char	*key;	/* summary member */
	const char	*fmt;	/* fmt_metric's name */
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
	snprintf(buf, n, "%s / %s / %s", fmt_dur(json_object_get(o, "p50_pending_s"), a, sizeof(a)),
	    fmt_dur(json_object_get(o, "p95_pending_s"), b, sizeof(b)),
	    fmt_dur(json_object_get(o, "max_pending_s"), c, sizeof(c)));
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
		push_str(&v, n, k);
	json_object_foreach(b, k, x)
		if (json_object_get(a, k) == NULL)
			push_str(&v, n, k);
	return v;
}

static void
compare_text(FILE *fp, const char *const label[2], json_t *const sum[2])
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
		qsort(keys, nk, sizeof(*keys), cmp_str);
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
				snprintf(c, sizeof(a), "%lld/%lld", (long long)jint(e, "passed"),
				    (long long)jint(e, "total"));
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
	qsort(keys, nk, sizeof(*keys), cmp_str);
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
static char *
variant_label(const struct ksim_opts *o, const char **extra, size_t nextra)
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

static int
cmd_compare(struct wopts *w)
{
	struct ksim_opts o[2];
	const char **sets[2] = { NULL, NULL };
	size_t nsets[2] = { 0, 0 };
	char *label[2] = { NULL, NULL };
	json_t *sum[2] = { NULL, NULL };
	struct ks_error err;
	int rc = EXIT_OK;

	if (w->na == 0 && w->nb == 0 && w->o.nfiles != 2) {
		fprintf(stderr, "ksim: compare: expected two scenario files A and B, or --a and --b "
		    "variants of one scenario, found %zu file%s\n", w->o.nfiles,
		    w->o.nfiles == 1 ? "" : "s");
		return EXIT_BAD;
	}
	for (int v = 0; v < 2; v++) {
		const char **extra = v ? w->b : w->a;
		size_t nextra = v ? w->nb : w->na;

		o[v] = w->o;
		for (size_t i = 0; i < w->nsets; i++)
			push_str(&sets[v], &nsets[v], w->sets[i]);
		for (size_t i = 0; i < nextra; i++)
			push_str(&sets[v], &nsets[v], extra[i]);
		o[v].sets = sets[v];
		o[v].nsets = nsets[v];
		if (w->na == 0 && w->nb == 0) {
			o[v].files = w->o.files + v;
			o[v].nfiles = 1;
		}
		label[v] = variant_label(&o[v], extra, nextra);
	}
	for (int v = 0; v < 2 && rc == EXIT_OK; v++) {
		ks_error_clear(&err);
		if (run_summary(&o[v], 1, &sum[v], &err) != 0) {
			ks_error_print(stderr, &err);
			rc = EXIT_BAD;
		}
	}
	if (rc == EXIT_OK) {
		char *buf = NULL;
		size_t len = 0;

		if (w->o.output == KSIM_JSON) {
			json_t *j = json_object();

			for (int v = 0; v < 2; v++) {
				json_t *x = json_object();

				json_object_set_new(x, "label", json_string(label[v]));
				json_object_set(x, "summary", sum[v]);
				json_object_set_new(j, v ? "b" : "a", x);
			}
			buf = json_text(j, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
			len = strlen(buf);
			json_decref(j);
		} else {
			FILE *fp = open_memstream(&buf, &len);

			compare_text(fp, (const char *const *)label, sum);
			fclose(fp);
		}
		rc = emit(&w->o, buf, len);
		free(buf);
	}
	for (int v = 0; v < 2; v++) {
		json_decref(sum[v]);
		free(label[v]);
		free(sets[v]);
	}
	return rc;
}

/* ---- sweep ---- */

/* The --set strings of combination `index`: base sets, then one per --vary. */
static const char **
combo_sets(const struct wopts *w, const size_t *choice, size_t *n, char ***owned)
{
	const char **v = NULL;

	*n = 0;
	*owned = xcalloc(w->nvary + 1, sizeof(**owned));
	for (size_t i = 0; i < w->nsets; i++)
		push_str(&v, n, w->sets[i]);
	for (size_t k = 0; k < w->nvary; k++) {
		(*owned)[k] = xasprintf("%s=%s", w->vary[k].path, w->vary[k].values[choice[k]]);
		push_str(&v, n, (*owned)[k]);
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
vary_json(const struct wopts *w)
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
sweep_line(const struct wopts *w, size_t ncombos, size_t index, const size_t *choice,
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
static char *
sweep_table(json_t **rows, size_t n, char **m, size_t nm, enum ksim_output out, size_t *len)
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
		buf = json_text(a, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
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
		cell[1 + k] = xstrdup(jstr(json_array_get(vary, k), "path"));
	for (size_t i = 0; i < nm; i++)
		cell[1 + nv + i] = xstrdup(m[i]);
	cell[ncol - 1] = xstrdup(has_ex ? "expect" : "");
	for (size_t r = 0; r < n; r++) {
		char **c = cell + (r + 1) * ncol;
		json_t *set = json_object_get(rows[r], "set"), *sum = json_object_get(rows[r], "summary");
		json_t *ex = json_object_get(sum, "expectations");

		c[0] = xasprintf("%lld", (long long)jint(rows[r], "index"));
		for (size_t k = 0; k < nv; k++) {
			const char *p = jstr(json_array_get(vary, k), "path");

			c[1 + k] = xstrdup(jstr(set, p) ? jstr(set, p) : "-");
		}
		for (size_t i = 0; i < nm; i++)
			c[1 + nv + i] = xstrdup(fmt_metric(m[i], metric_get(sum, m[i]), num, sizeof(num)));
		if (ex != NULL)
			c[ncol - 1] = xasprintf("%lld/%lld", (long long)jint(ex, "passed"),
			    (long long)jint(ex, "total"));
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

static int
cmp_index(const void *a, const void *b)
{
	int64_t x = jint(*(json_t *const *)a, "index"), y = jint(*(json_t *const *)b, "index");

	return x < y ? -1 : x > y;
}

static void
progress(size_t done, size_t total, int final)
{
	if (!isatty(STDERR_FILENO))
		return;
	if (final)
		fputs("\r\033[K", stderr);
	else
		fprintf(stderr, "\rksim: sweep: %zu/%zu runs done", done, total);
}

/* Load every value of every --vary once before forking: a typo fails fast, once. */
static int
sweep_prevalidate(const struct wopts *w, size_t *choice)
{
	struct ks_error err;
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
			ks_error_clear(&err);
			if ((rc = ksim_validate(&o, &err)) != 0)
				ks_error_print(stderr, &err);
			free(sets);
			free_owned(owned, w->nvary);
		}
	}
	return rc;
}

struct child {
	pid_t	 pid;		/* 0 = free slot */
	size_t	 index;		/* combination */
	FILE	*out;		/* its JSON line */
};

/* Run one combination in a forked child; returns the child's exit status. */
static int
child_run(const struct wopts *w, size_t ncombos, size_t index, const size_t *choice, FILE *out)
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
	rc = run_summary(&o, 0, &sum, &err);
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
	fclose(out);
	/* the child leaves as clean as a run does (valgrind follows it) */
	free(line);
	json_decref(sum);
	free_owned(owned, w->nvary);
	free(sets);
	return rc != 0 ? EXIT_BAD : EXIT_OK;
}

static char *
slurp(FILE *fp)
{
	char *buf = NULL;
	size_t len = 0, cap = 0, got;

	rewind(fp);
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + len, 1, cap - len - 1, fp);
		len += got;
	} while (got > 0);
	buf[len] = '\0';
	return buf;
}

/* Wait for one child; store its line in lines[index].  Returns 0 or -1. */
static int
reap(struct child *kids, size_t nkids, char **lines, size_t *running)
{
	int status;
	pid_t pid = waitpid(-1, &status, 0);

	if (pid < 0)
		return -1;
	for (size_t i = 0; i < nkids; i++) {
		if (kids[i].pid != pid)
			continue;
		lines[kids[i].index] = slurp(kids[i].out);
		fclose(kids[i].out);
		if (lines[kids[i].index][0] == '\0') {
			free(lines[kids[i].index]);
			lines[kids[i].index] = WIFSIGNALED(status) ?
			    xasprintf("{\"index\":%zu,\"error\":\"ksim: run %zu was killed by "
			    "signal %d\"}\n", kids[i].index, kids[i].index, WTERMSIG(status)) :
			    xasprintf("{\"index\":%zu,\"error\":\"ksim: run %zu exited with "
			    "status %d and no result\"}\n", kids[i].index, kids[i].index,
			    WEXITSTATUS(status));
		}
		kids[i].pid = 0;
		(*running)--;
		return 0;
	}
	return 0;
}

/* Parse lines into rows; print the first error; -1 on any error. */
static int
parse_rows(char **lines, size_t n, json_t **rows, const char *what)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		json_error_t je;

		rows[i] = json_loads(lines[i], 0, &je);
		if (rows[i] == NULL || !json_is_object(rows[i]) ||
		    !json_is_integer(json_object_get(rows[i], "index")) ||
		    !json_is_array(json_object_get(rows[i], "vary"))) {
			if (rc == 0)
				fprintf(stderr, "ksim: %s: line %zu: expected a line of `ksim sweep "
				    "--shard` output, %s\n", what, i + 1,
				    rows[i] ? "found other JSON" : je.text);
			rc = -1;
		} else if (json_object_get(rows[i], "error") != NULL) {
			if (rc == 0)
				fprintf(stderr, "%s (sweep combination %lld)\n",
				    jstr(rows[i], "error"), (long long)jint(rows[i], "index"));
			rc = -1;
		}
	}
	return rc;
}

static int
cmd_sweep(struct wopts *w)
{
	size_t ncombos = 1, nmine = 0, running = 0, done = 0, *choice, *nvalues;
	long jobs = w->jobs ? w->jobs : sysconf(_SC_NPROCESSORS_ONLN);
	struct child *kids;
	char **lines;
	json_t **rows;
	int rc = EXIT_OK;

	if (w->nvary == 0) {
		fprintf(stderr, "ksim: sweep: expected at least one --vary PATH=V1,V2,...\n");
		return EXIT_BAD;
	}
	if (jobs < 1)
		jobs = 1;
	nvalues = xcalloc(w->nvary, sizeof(*nvalues));
	for (size_t k = 0; k < w->nvary; k++) {
		nvalues[k] = w->vary[k].nvalues;
		if (ncombos > WHATIF_MAX_COMBOS / nvalues[k]) {
			fprintf(stderr, "ksim: sweep: more than %d combinations\n", WHATIF_MAX_COMBOS);
			free(nvalues);
			return EXIT_BAD;
		}
		ncombos *= nvalues[k];
	}
	choice = xcalloc(w->nvary, sizeof(*choice));
	if (sweep_prevalidate(w, choice) != 0) {
		free(choice);
		free(nvalues);
		return EXIT_BAD;
	}
	kids = xcalloc((size_t)jobs, sizeof(*kids));
	lines = xcalloc(ncombos, sizeof(*lines));
	for (size_t i = 0; i < ncombos; i++)
		nmine += whatif_in_shard(i, w->shard, w->sharded ? w->nshards : 0);
	for (size_t i = 0; i < ncombos; i++) {
		size_t slot = 0;

		if (!whatif_in_shard(i, w->shard, w->sharded ? w->nshards : 0))
			continue;
		while (running >= (size_t)jobs) {
			if (reap(kids, (size_t)jobs, lines, &running) != 0)
				break;
			progress(++done, nmine, 0);
		}
		while (kids[slot].pid != 0)
			slot++;
		whatif_combo(nvalues, w->nvary, i, choice);
		kids[slot].index = i;
		if ((kids[slot].out = tmpfile()) == NULL) {
			fprintf(stderr, "ksim: sweep: cannot create a temporary file: %s\n",
			    strerror(errno));
			rc = EXIT_BAD;
			break;
		}
		fflush(stdout);
		fflush(stderr);
		kids[slot].pid = fork();
		if (kids[slot].pid < 0) {
			fprintf(stderr, "ksim: sweep: cannot fork: %s\n", strerror(errno));
			fclose(kids[slot].out);
			kids[slot].pid = 0;
			rc = EXIT_BAD;
			break;
		}
		if (kids[slot].pid == 0) {
			int crc = child_run(w, ncombos, i, choice, kids[slot].out);

			free(choice);
			free(nvalues);
			free(kids);
			for (size_t k = 0; k < ncombos; k++)
				free(lines[k]);
			free(lines);
			_exit(crc);
		}
		running++;
	}
	while (running > 0) {
		if (reap(kids, (size_t)jobs, lines, &running) != 0)
			break;
		progress(++done, nmine, 0);
	}
	progress(done, nmine, 1);
	if (rc == EXIT_OK) {
		char **mine = xcalloc(nmine + 1, sizeof(*mine));
		size_t m = 0;

		for (size_t i = 0; i < ncombos; i++)
			if (lines[i] != NULL)
				mine[m++] = lines[i];
		if (w->sharded) {
			/* the lines themselves, in index order, for ksim merge */
			char *buf = NULL;
			size_t len = 0;
			FILE *fp = open_memstream(&buf, &len);

			for (size_t i = 0; i < m; i++)
				fputs(mine[i], fp);
			fclose(fp);
			rows = xcalloc(m + 1, sizeof(*rows));
			if (parse_rows(mine, m, rows, "sweep") != 0)
				rc = EXIT_BAD;
			else
				rc = emit(&w->o, buf, len);
			for (size_t i = 0; i < m; i++)
				json_decref(rows[i]);
			free(rows);
			free(buf);
		} else {
			size_t len;
			char *buf;

			rows = xcalloc(m + 1, sizeof(*rows));
			if (m != ncombos || parse_rows(mine, m, rows, "sweep") != 0) {
				rc = EXIT_BAD;
			} else {
				buf = sweep_table(rows, m, w->metrics, w->nmetrics, w->o.output, &len);
				rc = emit(&w->o, buf, len);
				free(buf);
			}
			for (size_t i = 0; i < m; i++)
				json_decref(rows[i]);
			free(rows);
		}
		free(mine);
	}
	for (size_t i = 0; i < ncombos; i++)
		free(lines[i]);
	free(lines);
	free(kids);
	free(choice);
	free(nvalues);
	return rc;
}

/* ---- merge ---- */

static int
cmd_merge(struct wopts *w, int metrics_given)
{
	char **lines = NULL;
	size_t n = 0, ncombos;
	json_t **rows = NULL, *vary;
	char **m = w->metrics, **mfrom = NULL;
	size_t nm = w->nmetrics;
	int rc = EXIT_OK;

	for (size_t f = 0; f < w->o.nfiles; f++) {
		FILE *fp = strcmp(w->o.files[f], "-") == 0 ? stdin : fopen(w->o.files[f], "r");
		char *line = NULL;
		size_t cap = 0;
		ssize_t got;

		if (fp == NULL) {
			fprintf(stderr, "ksim: %s: cannot read: %s\n", w->o.files[f], strerror(errno));
			rc = EXIT_BAD;
			break;
		}
		while ((got = getline(&line, &cap, fp)) > 0) {
			if (strspn(line, " \t\r\n") == (size_t)got)
				continue;
			lines = xreallocarray(lines, n + 1, sizeof(*lines));
			lines[n++] = xstrdup(line);
		}
		free(line);
		if (fp != stdin)
			fclose(fp);
	}
	if (rc == EXIT_OK && n == 0) {
		fprintf(stderr, "ksim: merge: the shard outputs hold no sweep lines\n");
		rc = EXIT_BAD;
	}
	if (rc == EXIT_OK) {
		rows = xcalloc(n, sizeof(*rows));
		if (parse_rows(lines, n, rows, "merge") != 0)
			rc = EXIT_BAD;
	}
	if (rc == EXIT_OK) {
		unsigned char *seen;
		size_t missing = 0;

		vary = json_object_get(rows[0], "vary");
		ncombos = (size_t)jint(rows[0], "combinations");
		seen = xcalloc(ncombos + 1, 1);
		for (size_t i = 0; i < n && rc == EXIT_OK; i++) {
			int64_t idx = jint(rows[i], "index");

			if (!json_equal(json_object_get(rows[i], "vary"), vary) ||
			    jint(rows[i], "combinations") != (int64_t)ncombos) {
				fprintf(stderr, "ksim: merge: line %zu comes from a different sweep "
				    "(other --vary values)\n", i + 1);
				rc = EXIT_BAD;
			} else if (idx < 0 || (size_t)idx >= ncombos) {
				fprintf(stderr, "ksim: merge: line %zu: index %lld is out of range "
				    "(0 to %zu)\n", i + 1, (long long)idx, ncombos - 1);
				rc = EXIT_BAD;
			} else if (seen[idx]++) {
				fprintf(stderr, "ksim: merge: combination %lld appears twice (the same "
				    "shard given twice?)\n", (long long)idx);
				rc = EXIT_BAD;
			}
		}
		for (size_t i = 0; i < ncombos && rc == EXIT_OK; i++)
			missing += !seen[i];
		if (rc == EXIT_OK && missing > 0) {
			fprintf(stderr, "ksim: merge: %zu of %zu combinations are missing, the first "
			    "is", missing, ncombos);
			for (size_t i = 0; i < ncombos; i++)
				if (!seen[i]) {
					fprintf(stderr, " %zu", i);
					break;
				}
			fprintf(stderr, " (a shard output is missing or incomplete)\n");
			rc = EXIT_BAD;
		}
		free(seen);
	}
	if (rc == EXIT_OK) {
		char *buf;
		size_t len;

		if (!metrics_given) {
			json_t *jm = json_object_get(rows[0], "metrics");

			nm = json_array_size(jm);
			mfrom = xcalloc(nm + 1, sizeof(*mfrom));
			for (size_t i = 0; i < nm; i++)
				mfrom[i] = xstrdup(json_string_value(json_array_get(jm, i)) ?
				    json_string_value(json_array_get(jm, i)) : "-");
			m = mfrom;
		}
		qsort(rows, n, sizeof(*rows), cmp_index);
		buf = sweep_table(rows, n, m, nm, w->o.output, &len);
		rc = emit(&w->o, buf, len);
		free(buf);
	}
	for (size_t i = 0; i < n; i++) {
		if (rows != NULL)
			json_decref(rows[i]);
		free(lines[i]);
	}
	if (mfrom != NULL)
		for (size_t i = 0; i < nm; i++)
			free(mfrom[i]);
	free(mfrom);
	free(rows);
	free(lines);
	return rc;
}

int
whatif_main(const char *cmd, int argc, char **argv)
{
	struct wopts w;
	int rc;

	if ((rc = parse_args(cmd, argc, argv, &w)) != 0) {
		wopts_free(&w);
		return rc > 0 ? EXIT_OK : EXIT_BAD;
	}
	if (strcmp(cmd, "compare") == 0)
		rc = cmd_compare(&w);
	else if (strcmp(cmd, "sweep") == 0)
		rc = cmd_sweep(&w);
	else
		rc = cmd_merge(&w, w.metrics_given);
	wopts_free(&w);
	return rc;
}
