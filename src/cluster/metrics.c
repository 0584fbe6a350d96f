/*
 * metrics.c: the load model and metrics-server's view of it.
 *
 * What it models.  Pods use what the scenario's `spec.load` says: per pod
 * (each running pod of the workload burns X, as hamster does) or a shared
 * demand (a load generator's total, split evenly by a Service over the
 * READY pods behind it, as php-apache's is), each container capped at its
 * limit (CPU is throttled at the limit; memory is simply capped, OOM kills
 * are not modelled).  A value is constant, a piecewise series of points
 * (a step at each point, or a linear ramp into a point marked `ramp:
 * linear`) or a CSV trace (time,cpu,memory; steps).  Entries for the same
 * workload add up.  A pod with no entry uses nothing.  Custom metrics for
 * the HPA's Pods, Object and External metric types come from the same
 * entries (`metrics:` per pod or shared, `object:`, `external:`).
 *
 * metrics-server (kubernetes-sigs/metrics-server, pkg/storage) scrapes the
 * kubelets every --metric-resolution (15 s) and reports a CPU rate computed
 * from the last two cumulative counters, so what the HPA reads at time t is
 * the mean usage over [s - res, s] for the latest scrape s <= t, with
 * timestamp s and window res; a container appears only once two scrapes
 * have seen it (the reference hpa-vpa.md A4 and open question A).  Memory
 * is the working set at s.  CPU is reported in nanocores and the HPA reads
 * it with Quantity.MilliValue(), which rounds up: so do we.  Scrapes happen
 * at offset + k * res; the offset is the scenario's (default 0) because
 * metrics-server's phase relative to the load is what decides whether a
 * freshly loaded pod reads 130 % or 250 % on its first window.
 *
 * Nothing is sampled: the windowed mean is integrated exactly from the pod
 * records (ready/deleted times are kept for gone pods too) over the pieces
 * between breakpoints, where the per-pod usage is linear and the cap makes
 * at most one kink.  Alternatives rejected: scrape events in the engine
 * (they would interleave with controller ticks and need per-pod history)
 * and fixed-step sampling (inexact at ready transitions).
 *
 * Costs: one metrics_pod() call is O(E * (P + K) log(P + K)) for E entries
 * of the pod's workload, P pods ever created by it and K series points in
 * the window; a run without `spec.load` costs nothing.
 */
#include "cluster/metrics.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/quantity.h"
#include "io/load.h"
#include "run/run.h"
#include "util/duration.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define MX_RES_DEFAULT	15000		/* metrics-server --metric-resolution, ms */
#define MX_MEMO		64		/* remembered ready counts per entry */

enum { CH_CPU, CH_MEM, CH_FIXED };	/* channels every workload entry has */

enum mx_target {
	MX_WORKLOAD,			/* pods of a workload */
	MX_OBJECT,			/* an Object metric */
	MX_EXTERNAL,			/* an External metric */
};

struct mx_point {
	int64_t		 at_ms;		/* relative to the entry's `from`, ms */
	int64_t		 v;		/* millicores, bytes or milli-units */
	int		 linear;	/* ramp linearly from the previous point */
};

struct mx_chan {
	const char	*name;		/* interned: "cpu", "memory" or a metric name */
	struct mx_point	*pts;		/* in time order */
	size_t		 n, cap;	/* points used, allocated */
};

struct mx_entry {
	enum mx_target	 target;	/* what the entry feeds */
	enum wl_kind	 kind;		/* MX_WORKLOAD: workload kind */
	const char	*ns;		/* interned namespace */
	const char	*name;		/* interned workload, object or metric name */
	const char	*obj_kind;	/* MX_OBJECT: interned kind */
	const char	*metric;	/* MX_OBJECT: interned metric name */
	const char	*container;	/* interned container, NULL = the first one */
	int		 shared;	/* split over ready pods (else per pod) */
	int64_t		 from_ms;	/* active from, ms */
	int64_t		 until_ms;	/* active until (exclusive), -1 = forever */
	struct mx_chan	*ch;		/* CH_CPU, CH_MEM, then custom metrics */
	size_t		 nch, chcap;	/* channels used, allocated */
	uint32_t	*pods;		/* ids of the workload's pods, ever */
	size_t		 npods, podcap;	/* pods used, allocated */
	size_t		 scanned;	/* cluster pods looked at so far */
	int64_t		 memo_t[MX_MEMO]; /* past times whose ready count is known, ms */
	int		 memo_n[MX_MEMO]; /* ready pods at memo_t[i] */
	size_t		 nmemo;		/* memo entries written (ring) */
	struct ks_mark	 mark;		/* where the entry was written */
};

struct metrics {
	struct ks_run	*r;		/* borrowed: the run it belongs to */
	int64_t		 res_ms;	/* scrape interval, ms */
	int64_t		 offset_ms;	/* first scrape, ms */
	struct mx_entry	*e;		/* load entries in spec order */
	size_t		 n, cap;	/* entries used, allocated */
};

/*
 * The models of the live runs.  A run has no field for us, so the model is
 * found by the run's address; runs in one process are few and sequential.
 */
static struct metrics	**reg;
static size_t		  nreg, regcap;

static struct metrics *
mx_get(struct ks_run *r)
{
	for (size_t i = 0; i < nreg; i++)
		if (reg[i]->r == r)
			return reg[i];
	return NULL;
}

/* ---- parsing --------------------------------------------------------- */

static const char *const entry_keys[] = { "workload", "namespace", "container", "perPod",
	"shared", "from", "until", "object", "metric", "external", "value", "series", NULL };
static const char *const usage_keys[] = { "cpu", "memory", "metrics", "series", "trace",
	NULL };
static const char *const point_keys[] = { "at", "cpu", "memory", "metrics", "value", "ramp",
	NULL };
static const char *const ms_keys[] = { "resolution", "offset", NULL };

static struct mx_chan *
entry_chan(struct mx_entry *e, const char *name)
{
	const char *in = intern(name);

	for (size_t i = 0; i < e->nch; i++)
		if (e->ch[i].name == in)
			return &e->ch[i];
	VEC_GROW(e->ch, e->nch, e->chcap);
	memset(&e->ch[e->nch], 0, sizeof(e->ch[0]));
	e->ch[e->nch].name = in;
	return &e->ch[e->nch++];
}

static void
chan_push(struct mx_chan *c, int64_t at, int64_t v, int linear)
{
	struct mx_point pt = { at, v, linear };

	VEC_PUSH(c->pts, c->n, c->cap, pt);
}

/* A quantity for channel ch: cpu millicores, memory bytes, else milli-units. */
static int
parse_value(const char *ch, const char *s, int64_t *v, struct ks_error *err,
    const struct ks_mark *at)
{
	if (strcmp(ch, "cpu") == 0)
		return qty_parse_cpu(s, v, err, at);
	if (strcmp(ch, "memory") == 0)
		return qty_parse_bytes(s, v, err, at);
	if (qty_parse(s, v, NULL, err, at) != 0)
		return KS_EINVAL;
	if (*v < 0)
		return ks_error_set(err, at, KS_EINVAL,
		    "expected a non-negative quantity, found \"%s\"", s);
	return 0;
}

static int
parse_node_value(const char *ch, const struct yt_node *n, int64_t *v, struct ks_error *err)
{
	const char *s;

	if (yt_get_str(n, &s, err) != 0)
		return KS_EINVAL;
	return parse_value(ch, s, v, err, &n->mark);
}

/* `metrics: {name: quantity}` of one point (or the constant form). */
static int
parse_custom(struct mx_entry *e, const struct yt_node *m, int64_t at, int linear,
    struct ks_error *err)
{
	if (yt_expect_map(m, err) != 0)
		return KS_EINVAL;
	for (size_t i = 0; i < m->npairs; i++) {
		const char *name;
		int64_t v;

		if (yt_get_str(m->pairs[i].key, &name, err) != 0 ||
		    parse_node_value(name, m->pairs[i].value, &v, err) != 0)
			return KS_EINVAL;
		if (strcmp(name, "cpu") == 0 || strcmp(name, "memory") == 0)
			return ks_error_set(err, &m->pairs[i].key->mark, KS_EINVAL,
			    "expected a custom metric name in metrics, found \"%s\" "
			    "(write cpu and memory beside metrics)", name);
		chan_push(entry_chan(e, name), at, v, linear);
	}
	return 0;
}

static int
parse_series(struct mx_entry *e, const struct yt_node *s, int values, struct ks_error *err)
{
	int64_t last = -1;

	if (yt_expect_seq(s, err) != 0)
		return KS_EINVAL;
	if (s->nitems == 0)
		return ks_error_set(err, &s->mark, KS_EINVAL,
		    "expected at least one point in series, found none");
	for (size_t i = 0; i < s->nitems; i++) {
		const struct yt_node *p = s->items[i], *v;
		int64_t at, x;
		int linear = 0;

		if (yt_expect_map(p, err) != 0 || load_strict(p, point_keys, "a series point",
		    err) != 0)
			return KS_EINVAL;
		if ((v = yt_map_get(p, "at")) == NULL)
			return ks_error_set(err, &p->mark, KS_EINVAL,
			    "expected `at` in a series point, found none");
		if (yt_get_duration(v, &at, err) != 0)
			return KS_EINVAL;
		if (at < 0 || at <= last)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected series times to increase from 0s, found %lld ms after %lld ms",
			    (long long)at, (long long)last);
		last = at;
		if ((v = yt_map_get(p, "ramp")) != NULL) {
			const char *str;

			if (yt_get_str(v, &str, err) != 0)
				return KS_EINVAL;
			if (strcmp(str, "linear") != 0 && strcmp(str, "step") != 0)
				return ks_error_set(err, &v->mark, KS_EINVAL,
				    "expected ramp linear or step, found \"%s\"", str);
			linear = strcmp(str, "linear") == 0;
		}
		if (values) {
			if ((v = yt_map_get(p, "cpu")) != NULL || (v = yt_map_get(p, "memory")) != NULL ||
			    (v = yt_map_get(p, "metrics")) != NULL)
				return ks_error_set(err, &v->mark, KS_EINVAL,
				    "expected only at, value and ramp in an object or external "
				    "series point");
			if ((v = yt_map_get(p, "value")) == NULL)
				return ks_error_set(err, &p->mark, KS_EINVAL,
				    "expected `value` in a series point, found none");
			if (parse_node_value("", v, &x, err) != 0)
				return KS_EINVAL;
			chan_push(&e->ch[CH_CPU], at, x, linear);
			continue;
		}
		if ((v = yt_map_get(p, "value")) != NULL)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected cpu, memory or metrics in a workload's series point, found value");
		if ((v = yt_map_get(p, "cpu")) != NULL) {
			if (parse_node_value("cpu", v, &x, err) != 0)
				return KS_EINVAL;
			chan_push(&e->ch[CH_CPU], at, x, linear);
		}
		if ((v = yt_map_get(p, "memory")) != NULL) {
			if (parse_node_value("memory", v, &x, err) != 0)
				return KS_EINVAL;
			chan_push(&e->ch[CH_MEM], at, x, linear);
		}
		if ((v = yt_map_get(p, "metrics")) != NULL &&
		    parse_custom(e, v, at, linear, err) != 0)
			return KS_EINVAL;
	}
	return 0;
}

/* Split a CSV line in place into at most 3 fields; returns the count. */
static int
csv_split(char *line, char **f, int *col)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		f[n] = p;
		col[n] = (int)(p - line) + 1;
		n++;
		p = strchr(p, ',');
		if (p == NULL || n == 3)
			break;
		*p++ = '\0';
	}
	for (int i = 0; i < n; i++) {
		size_t len = strlen(f[i]);

		while (len > 0 && (f[i][len - 1] == ' ' || f[i][len - 1] == '\t' ||
		    f[i][len - 1] == '\r'))
			f[i][--len] = '\0';
	}
	return n;
}

/* "90s", "1m30s" or plain seconds ("90", "1.5"). */
static int
csv_time(const char *s, int64_t *ms, struct ks_error *err, const struct ks_mark *at)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(s, &end);
	if (end != s && *end == '\0' && errno == 0) {
		if (!(x >= 0 && x < 9e15))
			return ks_error_set(err, at, KS_EINVAL,
			    "expected a time of 0 or more seconds, found \"%s\"", s);
		*ms = (int64_t)llround(x * 1000);
		return 0;
	}
	return ks_duration_parse(s, ms, err, at);
}

static int
parse_trace(struct mx_entry *e, const struct yt_node *v, struct ks_error *err)
{
	const char *rel, *slash, *dir = v->mark.file;
	char path[4096], line[1024];
	int64_t last = -1;
	int lineno = 0, rc = 0;
	FILE *fp;

	if (yt_get_str(v, &rel, err) != 0)
		return KS_EINVAL;
	slash = dir != NULL ? strrchr(dir, '/') : NULL;
	if (rel[0] == '/' || slash == NULL)
		snprintf(path, sizeof(path), "%s", rel);
	else
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - dir), dir, rel);
	if ((fp = fopen(path, "r")) == NULL)
		return ks_error_set(err, &v->mark, KS_ENOENT, "cannot open trace %s: %s", path,
		    strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL) {
		struct ks_mark at = { intern(path), ++lineno, 1 };
		char *f[3];
		int col[3], nf;
		int64_t t, x;

		line[strcspn(line, "\n")] = '\0';
		nf = csv_split(line, f, col);
		if (f[0][0] == '\0' || f[0][0] == '#')
			continue;
		if (e->ch[CH_CPU].n == 0 && e->ch[CH_MEM].n == 0 && strcmp(f[0], "time") == 0)
			continue;	/* the header */
		if (nf < 2) {
			rc = ks_error_set(err, &at, KS_EINVAL,
			    "expected time,cpu[,memory] in the trace, found \"%s\"", f[0]);
			break;
		}
		at.col = col[0];
		if ((rc = csv_time(f[0], &t, err, &at)) != 0)
			break;
		if (t <= last) {
			rc = ks_error_set(err, &at, KS_EINVAL,
			    "expected trace times to increase, found %s after %lld ms", f[0],
			    (long long)last);
			break;
		}
		last = t;
		at.col = col[1];
		if ((rc = parse_value("cpu", f[1], &x, err, &at)) != 0)
			break;
		chan_push(&e->ch[CH_CPU], t, x, 0);
		if (nf == 3 && f[2][0] != '\0') {
			at.col = col[2];
			if ((rc = parse_value("memory", f[2], &x, err, &at)) != 0)
				break;
			chan_push(&e->ch[CH_MEM], t, x, 0);
		}
	}
	fclose(fp);
	if (rc == 0 && last < 0)
		rc = ks_error_set(err, &v->mark, KS_EINVAL, "trace %s has no data rows", path);
	return rc;
}

/* perPod: / shared: */
static int
parse_usage(struct mx_entry *e, const struct yt_node *u, struct ks_error *err)
{
	const struct yt_node *v, *s = yt_map_get(u, "series"), *t = yt_map_get(u, "trace");
	int64_t x;

	if (yt_expect_map(u, err) != 0 || load_strict(u, usage_keys, e->shared ?
	    "a load entry's shared" : "a load entry's perPod", err) != 0)
		return KS_EINVAL;
	if (u->npairs == 0)
		return ks_error_set(err, &u->mark, KS_EINVAL,
		    "expected cpu, memory, metrics, series or trace, found an empty mapping");
	if ((s != NULL || t != NULL) && u->npairs > 1) {
		const struct yt_node *k = u->pairs[0].key;

		if (yt_map_get(u, k->str) == s || yt_map_get(u, k->str) == t)
			k = u->pairs[1].key;
		return ks_error_set(err, &k->mark, KS_EINVAL,
		    "expected series or trace alone, found \"%s\" beside it", k->str);
	}
	if (s != NULL)
		return parse_series(e, s, 0, err);
	if (t != NULL)
		return parse_trace(e, t, err);
	if ((v = yt_map_get(u, "cpu")) != NULL) {
		if (parse_node_value("cpu", v, &x, err) != 0)
			return KS_EINVAL;
		chan_push(&e->ch[CH_CPU], 0, x, 0);
	}
	if ((v = yt_map_get(u, "memory")) != NULL) {
		if (parse_node_value("memory", v, &x, err) != 0)
			return KS_EINVAL;
		chan_push(&e->ch[CH_MEM], 0, x, 0);
	}
	if ((v = yt_map_get(u, "metrics")) != NULL && parse_custom(e, v, 0, 0, err) != 0)
		return KS_EINVAL;
	return 0;
}

/* "Kind/name" */
static int
parse_ref(const struct yt_node *v, const char **kind, const char **name, struct ks_error *err)
{
	const char *s, *slash;

	if (yt_get_str(v, &s, err) != 0)
		return KS_EINVAL;
	slash = strchr(s, '/');
	if (slash == NULL || slash == s || slash[1] == '\0' || strchr(slash + 1, '/') != NULL)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "expected Kind/name (e.g. Deployment/php-apache), found \"%s\"", s);
	*kind = intern_n(s, (size_t)(slash - s));
	*name = intern(slash + 1);
	return 0;
}

/* The template of a declared workload, or NULL. */
static const struct ks_podspec *
scn_template(const struct ks_scenario *s, enum wl_kind k, const char *ns, const char *name)
{
	for (size_t i = 0; i < s->nwls; i++)
		if (s->wls[i]->kind == k && s->wls[i]->ns == ns && s->wls[i]->name == name)
			return s->wls[i]->spec;
	for (size_t i = 0; i < s->nactions; i++) {
		const struct wl_def *w = s->actions[i].wl;

		if (w != NULL && w->kind == k && w->ns == ns && w->name == name)
			return w->spec;
	}
	return NULL;
}

static int
parse_workload(struct ks_run *r, struct mx_entry *e, const struct yt_node *n,
    struct ks_error *err)
{
	const struct yt_node *v = yt_map_get(n, "workload"), *pp, *sh;
	const struct ks_podspec *spec;
	const char *kind;
	int k = -1;

	if (parse_ref(v, &kind, &e->name, err) != 0)
		return KS_EINVAL;
	for (int i = WL_DEPLOYMENT; i < WL_KIND_N; i++)
		if (strcmp(kind, wl_kind_name[i]) == 0)
			k = i;
	if (k < 0)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "expected a workload kind (Deployment, ReplicaSet, StatefulSet, Job, "
		    "Notebook, DaemonSet), found \"%s\"", kind);
	e->kind = (enum wl_kind)k;
	spec = scn_template(r->scn, e->kind, e->ns, e->name);
	if (spec == NULL)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "spec.load names %s %s/%s, which the scenario does not declare", kind, e->ns,
		    e->name);
	if ((v = yt_map_get(n, "container")) != NULL) {
		const char *c;
		int found = 0;

		if (yt_get_str(v, &c, err) != 0)
			return KS_EINVAL;
		e->container = intern(c);
		for (size_t i = 0; spec != NULL && i < spec->nctrs; i++)
			found |= spec->ctrs[i].name == e->container &&
			    (!spec->ctrs[i].init || spec->ctrs[i].sidecar);
		if (!found)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "%s/%s has no running container \"%s\"", kind, e->name, c);
	}
	pp = yt_map_get(n, "perPod");
	sh = yt_map_get(n, "shared");
	if ((pp == NULL) == (sh == NULL))
		return ks_error_set(err, &n->mark, KS_EINVAL,
		    "expected exactly one of perPod and shared in a load entry, found %s",
		    pp == NULL ? "neither" : "both");
	if ((v = yt_map_get(n, "value")) != NULL || (v = yt_map_get(n, "series")) != NULL ||
	    (v = yt_map_get(n, "metric")) != NULL)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "expected the usage of a workload under perPod or shared");
	e->shared = sh != NULL;
	return parse_usage(e, sh != NULL ? sh : pp, err);
}

/* object: Kind/name + metric, or external: name; then value or series */
static int
parse_metric_entry(struct mx_entry *e, const struct yt_node *n, struct ks_error *err)
{
	const struct yt_node *v, *val = yt_map_get(n, "value"), *s = yt_map_get(n, "series");
	int64_t x;

	if ((v = yt_map_get(n, "perPod")) != NULL || (v = yt_map_get(n, "shared")) != NULL ||
	    (v = yt_map_get(n, "container")) != NULL)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "expected value or series in an object or external load entry");
	if ((v = yt_map_get(n, "object")) != NULL) {
		const char *m;

		e->target = MX_OBJECT;
		if (parse_ref(v, &e->obj_kind, &e->name, err) != 0)
			return KS_EINVAL;
		if ((v = yt_map_get(n, "metric")) == NULL)
			return ks_error_set(err, &n->mark, KS_EINVAL,
			    "expected `metric` in an object load entry, found none");
		if (yt_get_str(v, &m, err) != 0)
			return KS_EINVAL;
		e->metric = intern(m);
	} else {
		const char *m;

		e->target = MX_EXTERNAL;
		v = yt_map_get(n, "external");
		if (yt_get_str(v, &m, err) != 0)
			return KS_EINVAL;
		e->name = e->metric = intern(m);
		if ((v = yt_map_get(n, "metric")) != NULL)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected the metric name as the value of external, found metric");
	}
	if ((val == NULL) == (s == NULL))
		return ks_error_set(err, &n->mark, KS_EINVAL,
		    "expected exactly one of value and series in a load entry, found %s",
		    val == NULL ? "neither" : "both");
	if (s != NULL)
		return parse_series(e, s, 1, err);
	if (parse_node_value("", val, &x, err) != 0)
		return KS_EINVAL;
	chan_push(&e->ch[CH_CPU], 0, x, 0);
	return 0;
}

static int
parse_entry(struct ks_run *r, struct mx_entry *e, const struct yt_node *n,
    struct ks_error *err)
{
	const struct yt_node *v;
	int targets;

	memset(e, 0, sizeof(*e));
	e->mark = n->mark;
	e->until_ms = -1;
	e->ns = intern("default");
	entry_chan(e, "cpu");
	entry_chan(e, "memory");
	if (yt_expect_map(n, err) != 0 || load_strict(n, entry_keys, "a load entry", err) != 0)
		return KS_EINVAL;
	targets = (yt_map_get(n, "workload") != NULL) + (yt_map_get(n, "object") != NULL) +
	    (yt_map_get(n, "external") != NULL);
	if (targets != 1)
		return ks_error_set(err, &n->mark, KS_EINVAL,
		    "expected exactly one of workload, object and external in a load entry, "
		    "found %d", targets);
	if ((v = yt_map_get(n, "namespace")) != NULL) {
		const char *ns;

		if (yt_get_str(v, &ns, err) != 0)
			return KS_EINVAL;
		e->ns = intern(ns);
	}
	if ((v = yt_map_get(n, "from")) != NULL && yt_get_duration(v, &e->from_ms, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(n, "until")) != NULL) {
		if (yt_get_duration(v, &e->until_ms, err) != 0)
			return KS_EINVAL;
		if (e->until_ms <= e->from_ms)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected until after from (%lld ms), found %lld ms",
			    (long long)e->from_ms, (long long)e->until_ms);
	}
	if (e->from_ms < 0)
		return ks_error_set(err, &yt_map_get(n, "from")->mark, KS_EINVAL,
		    "expected from to be 0s or later, found %lld ms", (long long)e->from_ms);
	if (yt_map_get(n, "workload") != NULL)
		return parse_workload(r, e, n, err);
	return parse_metric_entry(e, n, err);
}

static void
mx_destroy(struct metrics *m)
{
	for (size_t i = 0; i < m->n; i++) {
		for (size_t j = 0; j < m->e[i].nch; j++)
			free(m->e[i].ch[j].pts);
		free(m->e[i].ch);
		free(m->e[i].pods);
	}
	free(m->e);
	free(m);
}

int
metrics_init(struct ks_run *r, struct ks_error *err)
{
	const struct yt_node *spec = r->scn != NULL ? r->scn->spec : NULL, *v;
	struct metrics *m;
	int rc = 0;

	if (mx_get(r) != NULL)
		return 0;
	m = xcalloc(1, sizeof(*m));
	m->r = r;
	m->res_ms = MX_RES_DEFAULT;
	if (spec != NULL && (v = yt_map_get(spec, "metricsServer")) != NULL && !yt_is_null(v)) {
		const struct yt_node *x;

		if ((rc = load_strict(v, ms_keys, "spec.metricsServer", err)) != 0)
			goto fail;
		if ((x = yt_map_get(v, "resolution")) != NULL) {
			if ((rc = yt_get_duration(x, &m->res_ms, err)) != 0)
				goto fail;
			if (m->res_ms < 1000) {
				rc = ks_error_set(err, &x->mark, KS_EINVAL,
				    "expected a resolution of 1s or more, found %lld ms",
				    (long long)m->res_ms);
				goto fail;
			}
		}
		if ((x = yt_map_get(v, "offset")) != NULL) {
			if ((rc = yt_get_duration(x, &m->offset_ms, err)) != 0)
				goto fail;
			if (m->offset_ms < 0 || m->offset_ms >= m->res_ms) {
				rc = ks_error_set(err, &x->mark, KS_EINVAL,
				    "expected an offset from 0s to below the resolution, found %lld ms",
				    (long long)m->offset_ms);
				goto fail;
			}
		}
	}
	if (spec != NULL && (v = yt_map_get(spec, "load")) != NULL && !yt_is_null(v)) {
		if ((rc = yt_expect_seq(v, err)) != 0)
			goto fail;
		m->e = xcalloc(v->nitems ? v->nitems : 1, sizeof(*m->e));
		m->cap = v->nitems;
		for (size_t i = 0; i < v->nitems; i++) {
			m->n++;
			if ((rc = parse_entry(r, &m->e[i], v->items[i], err)) != 0)
				goto fail;
		}
	}
	VEC_PUSH(reg, nreg, regcap, m);
	return 0;
fail:
	mx_destroy(m);
	return rc;
}

void
metrics_free(struct ks_run *r)
{
	for (size_t i = 0; i < nreg; i++) {
		if (reg[i]->r != r)
			continue;
		mx_destroy(reg[i]);
		reg[i] = reg[--nreg];
		break;
	}
	if (nreg == 0) {
		free(reg);
		reg = NULL;
		regcap = 0;
	}
}

int64_t
metrics_resolution(struct ks_run *r)
{
	struct metrics *m = mx_get(r);

	return m != NULL ? m->res_ms : MX_RES_DEFAULT;
}

/* ---- evaluation -------------------------------------------------------- */

/* Index of the last point at or before t (relative ms), -1 before the first. */
static ssize_t
chan_seg(const struct mx_chan *c, int64_t t)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->pts[mid].at_ms <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

/* Value at relative time t using the formula of segment i (which holds t). */
static double
chan_at(const struct mx_chan *c, ssize_t i, double t)
{
	const struct mx_point *a, *b;
	double a_at, a_v;

	if ((size_t)(i + 1) < c->n && c->pts[i + 1].linear) {
		b = &c->pts[i + 1];
		if (i < 0) {
			a_at = 0;
			a_v = 0;
		} else {
			a = &c->pts[i];
			a_at = (double)a->at_ms;
			a_v = (double)a->v;
		}
		if ((double)b->at_ms <= a_at)
			return (double)b->v;
		return a_v + ((double)b->v - a_v) * (t - a_at) / ((double)b->at_ms - a_at);
	}
	return i < 0 ? 0 : (double)c->pts[i].v;
}

static int
pod_ready_at(const struct ks_pod *p, int64_t t)
{
	return p->ready_ms >= 0 && p->ready_ms <= t && (p->deleted_ms < 0 || t < p->deleted_ms) &&
	    (p->gone_ms < 0 || t < p->gone_ms);
}

static int
pod_running_at(const struct ks_pod *p, int64_t t)
{
	return p->running_ms >= 0 && p->running_ms <= t &&
	    (p->deleted_ms < 0 || t < p->deleted_ms) && (p->gone_ms < 0 || t < p->gone_ms);
}

static int
entry_matches(const struct mx_entry *e, const struct ks_pod *p)
{
	return e->target == MX_WORKLOAD && p->owner != NULL && p->owner->kind == e->kind &&
	    p->owner->ns == e->ns && p->owner->name == e->name;
}

/* Bring the entry's list of its workload's pods up to date. */
static void
entry_scan(struct ks_cluster *c, struct mx_entry *e)
{
	for (; e->scanned < c->npods; e->scanned++)
		if (entry_matches(e, c->pods[e->scanned]))
			VEC_PUSH(e->pods, e->npods, e->podcap, (uint32_t)e->scanned);
}

/*
 * Ready pods of the entry's workload at t.  Pod records of times before now
 * never change, so counts for them are remembered: every pod of a workload
 * asks for the same window breakpoints, which makes a sync O(pods) rather
 * than O(pods^2).
 */
static int
entry_nready(struct ks_cluster *c, struct mx_entry *e, int64_t t)
{
	size_t lim = e->nmemo < MX_MEMO ? e->nmemo : MX_MEMO;
	int n = 0;

	for (size_t i = 0; i < lim; i++)
		if (e->memo_t[i] == t)
			return e->memo_n[i];
	for (size_t i = 0; i < e->npods; i++)
		n += pod_ready_at(c->pods[e->pods[i]], t);
	if (t < c->sim->now_ms) {
		e->memo_t[e->nmemo % MX_MEMO] = t;
		e->memo_n[e->nmemo % MX_MEMO] = n;
		e->nmemo++;
	}
	return n;
}

/* The container an entry's cpu and memory go to. */
static size_t
entry_ctr(const struct mx_entry *e, const struct ks_pod *p)
{
	for (size_t i = 0; i < p->spec->nctrs; i++) {
		const struct ks_container *k = &p->spec->ctrs[i];

		if (k->init && !k->sidecar)
			continue;
		if (e->container == NULL || k->name == e->container)
			return i;
	}
	return SIZE_MAX;
}

/*
 * The pod's share of entry e's channel ch on [s, t1] (t1 evaluated with the
 * formula in force at s): *v0 at s, *v1 at t1.  0 when inactive.
 */
static void
entry_share(struct ks_cluster *c, struct mx_entry *e, const struct mx_chan *ch,
    const struct ks_pod *p, int64_t s, int64_t t1, double *v0, double *v1)
{
	ssize_t seg;
	int n = 1;

	*v0 = *v1 = 0;
	if (s < e->from_ms || (e->until_ms >= 0 && s >= e->until_ms))
		return;
	if (e->shared) {
		if (!pod_ready_at(p, s))
			return;
		n = entry_nready(c, e, s);
		assert(n > 0);
	} else if (!pod_running_at(p, s))
		return;
	seg = chan_seg(ch, s - e->from_ms);
	*v0 = chan_at(ch, seg, (double)(s - e->from_ms)) / n;
	*v1 = chan_at(ch, seg, (double)(t1 - e->from_ms)) / n;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
bp_add(int64_t **bp, size_t *n, size_t *cap, int64_t a, int64_t b, int64_t t)
{
	if (t > a && t < b)
		VEC_PUSH(*bp, *n, *cap, t);
}

/* Integral over [0, L] of min(cap, u0 + (u1 - u0) x / L); cap 0 = none. */
static double
capped_integral(double u0, double u1, double cap, double len)
{
	double x;

	if (cap <= 0 || (u0 <= cap && u1 <= cap))
		return (u0 + u1) / 2 * len;
	if (u0 >= cap && u1 >= cap)
		return cap * len;
	x = (cap - u0) / (u1 - u0) * len;	/* where the line crosses the cap */
	if (u0 < cap)
		return (u0 + cap) / 2 * x + cap * (len - x);
	return cap * x + (cap + u1) / 2 * (len - x);
}

/*
 * Integral of container ctr's usage of channel chn (CH_CPU or CH_MEM) over
 * [a, b], in unit-ms, with the container's limit applied.
 */
static double
usage_integral(struct metrics *m, const struct ks_pod *p, size_t ctr, int chn, int64_t a,
    int64_t b)
{
	struct ks_cluster *c = &m->r->cluster;
	int64_t *bp = NULL;
	size_t nbp = 0, bpcap = 0;
	double lim = (double)pod_ctr_lim(p, ctr)->v[chn == CH_CPU ? RES_CPU : RES_MEM], sum = 0;
	int any = 0;

	VEC_PUSH(bp, nbp, bpcap, a);
	VEC_PUSH(bp, nbp, bpcap, b);
	bp_add(&bp, &nbp, &bpcap, a, b, p->running_ms);
	bp_add(&bp, &nbp, &bpcap, a, b, p->ready_ms);
	bp_add(&bp, &nbp, &bpcap, a, b, p->deleted_ms);
	bp_add(&bp, &nbp, &bpcap, a, b, p->gone_ms);
	for (size_t i = 0; i < m->n; i++) {
		struct mx_entry *e = &m->e[i];
		const struct mx_chan *ch = &e->ch[chn];

		if (!entry_matches(e, p) || entry_ctr(e, p) != ctr || ch->n == 0)
			continue;
		any = 1;
		bp_add(&bp, &nbp, &bpcap, a, b, e->from_ms);
		if (e->until_ms >= 0)
			bp_add(&bp, &nbp, &bpcap, a, b, e->until_ms);
		for (size_t k = 0; k < ch->n; k++)
			bp_add(&bp, &nbp, &bpcap, a, b, e->from_ms + ch->pts[k].at_ms);
		if (!e->shared)
			continue;
		entry_scan(c, e);
		for (size_t k = 0; k < e->npods; k++) {
			const struct ks_pod *q = c->pods[e->pods[k]];

			bp_add(&bp, &nbp, &bpcap, a, b, q->ready_ms);
			bp_add(&bp, &nbp, &bpcap, a, b, q->deleted_ms);
			bp_add(&bp, &nbp, &bpcap, a, b, q->gone_ms);
		}
	}
	if (!any) {
		free(bp);
		return 0;
	}
	qsort(bp, nbp, sizeof(*bp), cmp_i64);
	for (size_t k = 0; k + 1 < nbp; k++) {
		int64_t s = bp[k], t1 = bp[k + 1];
		double u0 = 0, u1 = 0;

		if (t1 <= s)
			continue;
		for (size_t i = 0; i < m->n; i++) {
			struct mx_entry *e = &m->e[i];
			double v0, v1;

			if (!entry_matches(e, p) || entry_ctr(e, p) != ctr || e->ch[chn].n == 0)
				continue;
			entry_share(c, e, &e->ch[chn], p, s, t1, &v0, &v1);
			u0 += v0;
			u1 += v1;
		}
		sum += capped_integral(u0, u1, lim, (double)(t1 - s));
	}
	free(bp);
	return sum;
}

/* Instantaneous usage of channel chn of container ctr at t, capped. */
static double
usage_at(struct metrics *m, const struct ks_pod *p, size_t ctr, int chn, int64_t t)
{
	struct ks_cluster *c = &m->r->cluster;
	double u = 0, lim = (double)pod_ctr_lim(p, ctr)->v[chn == CH_CPU ? RES_CPU : RES_MEM];

	for (size_t i = 0; i < m->n; i++) {
		struct mx_entry *e = &m->e[i];
		double v0, v1;

		if (!entry_matches(e, p) || entry_ctr(e, p) != ctr || e->ch[chn].n == 0)
			continue;
		if (e->shared)
			entry_scan(c, e);
		entry_share(c, e, &e->ch[chn], p, t, t, &v0, &v1);
		u += v0;
	}
	return lim > 0 && u > lim ? lim : u;
}

/* Round a non-negative double up to an integer, forgiving float noise. */
static int64_t
ceil_noise(double x)
{
	double r = nearbyint(x);

	if (fabs(x - r) < 1e-6)
		return (int64_t)r;
	return (int64_t)ceil(x);
}

void
metrics_usage(struct ks_run *r, const struct ks_pod *p, size_t ctr, int64_t t_ms,
    int64_t *cpu_m, int64_t *mem_b)
{
	struct metrics *m = mx_get(r);

	assert(p != NULL && cpu_m != NULL && mem_b != NULL);
	*cpu_m = *mem_b = 0;
	if (m == NULL || ctr >= p->spec->nctrs)
		return;
	*cpu_m = ceil_noise(usage_at(m, p, ctr, CH_CPU, t_ms));
	*mem_b = ceil_noise(usage_at(m, p, ctr, CH_MEM, t_ms));
}

/* The latest scrape at or before now; -1 before the first. */
static int64_t
last_scrape(const struct metrics *m, int64_t now)
{
	if (now < m->offset_ms)
		return -1;
	return m->offset_ms + (now - m->offset_ms) / m->res_ms * m->res_ms;
}

int
metrics_pod(struct ks_run *r, const struct ks_pod *p, size_t ctr, int64_t *cpu_m,
    int64_t *mem_b, int64_t *ts_ms, int64_t *window_ms)
{
	struct metrics *m = mx_get(r);
	const struct ks_container *k;
	int64_t res = m != NULL ? m->res_ms : MX_RES_DEFAULT, off = m != NULL ? m->offset_ms : 0;
	int64_t now = r->sim.now_ms, s;
	double mean;

	assert(p != NULL);
	*cpu_m = *mem_b = *ts_ms = *window_ms = 0;
	if (ctr >= p->spec->nctrs)
		return KS_ENOENT;
	k = &p->spec->ctrs[ctr];
	if (k->init && !k->sidecar)
		return KS_ENOENT;
	s = now < off ? -1 : off + (now - off) / res * res;
	/* two scrapes must have seen the container: s - res and s */
	if (s < 0 || p->running_ms < 0 || p->running_ms > s - res ||
	    (p->gone_ms >= 0 && p->gone_ms <= s))
		return KS_ENOENT;
	*ts_ms = s;
	*window_ms = res;
	if (m == NULL)
		return 0;
	/* metrics-server's nanocores, read back with MilliValue() (rounds up) */
	mean = usage_integral(m, p, ctr, CH_CPU, s - res, s) / (double)res;
	*cpu_m = ceil_noise(mean);
	*mem_b = ceil_noise(usage_at(m, p, ctr, CH_MEM, s));
	return 0;
}

int
metrics_pod_custom(struct ks_run *r, const struct ks_pod *p, const char *name,
    int64_t *value_m, int64_t *ts_ms, int64_t *window_ms)
{
	struct metrics *m = mx_get(r);
	const char *in = intern(name);
	int64_t s;
	double v = 0;
	int any = 0;

	*value_m = *ts_ms = *window_ms = 0;
	if (m == NULL)
		return KS_ENOENT;
	s = last_scrape(m, r->sim.now_ms);
	if (s < 0 || !pod_running_at(p, s))
		return KS_ENOENT;
	for (size_t i = 0; i < m->n; i++) {
		struct mx_entry *e = &m->e[i];

		if (!entry_matches(e, p))
			continue;
		for (size_t j = CH_FIXED; j < e->nch; j++) {
			double v0, v1;

			if (e->ch[j].name != in)
				continue;
			any = 1;
			if (e->shared)
				entry_scan(&r->cluster, e);
			entry_share(&r->cluster, e, &e->ch[j], p, s, s, &v0, &v1);
			v += v0;
		}
	}
	if (!any)
		return KS_ENOENT;
	*value_m = ceil_noise(v);
	*ts_ms = s;
	*window_ms = m->res_ms;
	return 0;
}

static int
metric_value(struct ks_run *r, enum mx_target tg, const char *ns, const char *kind,
    const char *name, const char *metric, int64_t *value_m)
{
	struct metrics *m = mx_get(r);
	int64_t now = r->sim.now_ms;
	double v = 0;
	int any = 0;

	*value_m = 0;
	if (m == NULL)
		return KS_ENOENT;
	for (size_t i = 0; i < m->n; i++) {
		const struct mx_entry *e = &m->e[i];
		const struct mx_chan *ch = &e->ch[CH_CPU];

		if (e->target != tg || e->ns != intern(ns) || e->metric != intern(metric))
			continue;
		if (tg == MX_OBJECT && (e->obj_kind != intern(kind) || e->name != intern(name)))
			continue;
		any = 1;
		if (now < e->from_ms || (e->until_ms >= 0 && now >= e->until_ms))
			continue;
		v += chan_at(ch, chan_seg(ch, now - e->from_ms), (double)(now - e->from_ms));
	}
	if (!any)
		return KS_ENOENT;
	*value_m = ceil_noise(v);
	return 0;
}

int
metrics_object(struct ks_run *r, const char *ns, const char *kind, const char *name,
    const char *metric, int64_t *value_m)
{
	return metric_value(r, MX_OBJECT, ns, kind, name, metric, value_m);
}

int
metrics_external(struct ks_run *r, const char *ns, const char *metric, int64_t *value_m)
{
	return metric_value(r, MX_EXTERNAL, ns, NULL, NULL, metric, value_m);
}
