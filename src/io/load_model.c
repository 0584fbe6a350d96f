/*
 * load_model.c: parsing of the Scenario's `spec.load` and
 * `spec.metricsServer` (see load_model.h; the evaluation is
 * cluster/metrics.c's).
 *
 * A load entry names one target: a workload (`workload: Kind/name`, whose
 * usage is given under `perPod` or `shared`), an Object metric (`object:
 * Kind/name` with `metric`) or an External metric (`external: name`).  A
 * usage or value is a constant, a `series` of points (a step at each
 * point, or a linear ramp into a point marked `ramp: linear`) or, for a
 * workload, a CSV `trace` (time,cpu[,memory]; steps) found relative to the
 * scenario file.  Every entry gets the cpu and memory channels first, so
 * the evaluator can index them; custom metrics follow in the order they
 * are first named.  Errors carry the mark of the offending node (or the
 * trace's file:line:col).
 *
 * The metrics-server release simulated is `spec.metricsServer.version`
 * or, without it, the tag of a metrics-server image among the manifests
 * (the components.yaml users apply); lm_image_release() serves the VPA's
 * images too.  Only the release's rules differ, so a tag is all we read.
 */
#include "io/load_model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/quantity.h"
#include "io/load.h"
#include "util/duration.h"
#include "util/intern.h"
#include "util/xmalloc.h"

static const char *const entry_keys[] = { "workload", "namespace", "container", "perPod",
	"shared", "from", "until", "object", "metric", "external", "value", "series", NULL };
static const char *const usage_keys[] = { "cpu", "memory", "metrics", "series", "trace",
	NULL };
static const char *const point_keys[] = { "at", "cpu", "memory", "metrics", "value", "ramp",
	NULL };
static const char *const ms_keys[] = { "resolution", "offset", "version", NULL };

static struct lm_chan *
entry_chan(struct lm_entry *e, const char *name)
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
chan_push(struct lm_chan *c, int64_t at, int64_t v, int linear)
{
	struct lm_point pt = { at, v, linear };

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
parse_custom(struct lm_entry *e, const struct yt_node *m, int64_t at, int linear,
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
parse_series(struct lm_entry *e, const struct yt_node *s, int values, struct ks_error *err)
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
			chan_push(&e->ch[LM_CPU], at, x, linear);
			continue;
		}
		if ((v = yt_map_get(p, "value")) != NULL)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected cpu, memory or metrics in a workload's series point, found value");
		if ((v = yt_map_get(p, "cpu")) != NULL) {
			if (parse_node_value("cpu", v, &x, err) != 0)
				return KS_EINVAL;
			chan_push(&e->ch[LM_CPU], at, x, linear);
		}
		if ((v = yt_map_get(p, "memory")) != NULL) {
			if (parse_node_value("memory", v, &x, err) != 0)
				return KS_EINVAL;
			chan_push(&e->ch[LM_MEM], at, x, linear);
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
parse_trace(struct lm_entry *e, const struct yt_node *v, struct ks_error *err)
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
		if (e->ch[LM_CPU].n == 0 && e->ch[LM_MEM].n == 0 && strcmp(f[0], "time") == 0)
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
		chan_push(&e->ch[LM_CPU], t, x, 0);
		if (nf == 3 && f[2][0] != '\0') {
			at.col = col[2];
			if ((rc = parse_value("memory", f[2], &x, err, &at)) != 0)
				break;
			chan_push(&e->ch[LM_MEM], t, x, 0);
		}
	}
	fclose(fp);
	if (rc == 0 && last < 0)
		rc = ks_error_set(err, &v->mark, KS_EINVAL, "trace %s has no data rows", path);
	return rc;
}

/* perPod: / shared: */
static int
parse_usage(struct lm_entry *e, const struct yt_node *u, struct ks_error *err)
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
		chan_push(&e->ch[LM_CPU], 0, x, 0);
	}
	if ((v = yt_map_get(u, "memory")) != NULL) {
		if (parse_node_value("memory", v, &x, err) != 0)
			return KS_EINVAL;
		chan_push(&e->ch[LM_MEM], 0, x, 0);
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
parse_workload(const struct ks_scenario *scn, struct lm_entry *e, const struct yt_node *n,
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
	spec = scn_template(scn, e->kind, e->ns, e->name);
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
parse_metric_entry(struct lm_entry *e, const struct yt_node *n, struct ks_error *err)
{
	const struct yt_node *v, *val = yt_map_get(n, "value"), *s = yt_map_get(n, "series");
	int64_t x;

	if ((v = yt_map_get(n, "perPod")) != NULL || (v = yt_map_get(n, "shared")) != NULL ||
	    (v = yt_map_get(n, "container")) != NULL)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "expected value or series in an object or external load entry");
	if ((v = yt_map_get(n, "object")) != NULL) {
		const char *m;

		e->target = LM_OBJECT;
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

		e->target = LM_EXTERNAL;
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
	chan_push(&e->ch[LM_CPU], 0, x, 0);
	return 0;
}

static int
parse_entry(const struct ks_scenario *scn, struct lm_entry *e, const struct yt_node *n,
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
		return parse_workload(scn, e, n, err);
	return parse_metric_entry(e, n, err);
}

void
load_model_free(struct load_model *lm)
{
	for (size_t i = 0; i < lm->n; i++) {
		for (size_t j = 0; j < lm->e[i].nch; j++)
			free(lm->e[i].ch[j].pts);
		free(lm->e[i].ch);
	}
	free(lm->e);
	memset(lm, 0, sizeof(*lm));
}

int
lm_release_parse(const char *s)
{
	int v[3] = { 0, 0, 0 }, n = 0;

	if (s[0] == 'v')
		s++;
	while (n < 3) {
		int x = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			x = x * 10 + (*s++ - '0');
			digits++;
		}
		if (digits == 0 || x > 99)
			return -1;
		v[n++] = x;
		if (*s != '.')
			break;
		s++;
	}
	/* a pre-release or build suffix ("-rc.1", "-gke.3") does not change the rules */
	if (n < 2 || (*s != '\0' && *s != '-' && *s != '+' && *s != '@'))
		return -1;
	return v[0] * 10000 + v[1] * 100 + v[2];
}

/* The release in an image's tag when its last path element is component. */
static int
image_release(const char *img, const char *component)
{
	const char *base = strrchr(img, '/'), *colon;
	size_t n = strlen(component);
	int v;

	base = base != NULL ? base + 1 : img;
	colon = strchr(base, ':');
	if (colon == NULL || (size_t)(colon - base) != n || strncmp(base, component, n) != 0)
		return 0;
	v = lm_release_parse(colon + 1);
	return v > 0 ? v : 0;
}

/* The first container image of a pod spec naming component's release. */
static int
podspec_release(const struct yt_node *ps, const char *component, const char **image)
{
	const struct yt_node *cs = yt_map_get(ps, "containers");

	for (size_t i = 0; cs != NULL && cs->kind == YT_SEQ && i < cs->nitems; i++) {
		const struct yt_node *im = yt_map_get(cs->items[i], "image");
		int v;

		if (im == NULL || im->kind != YT_SCALAR)
			continue;
		if ((v = image_release(im->str, component)) > 0) {
			*image = intern(im->str);
			return v;
		}
	}
	return 0;
}

int
lm_image_release(const struct ks_scenario *scn, const char *component, const char **image)
{
	*image = NULL;
	for (size_t i = 0; scn != NULL && i < scn->ndocs; i++) {
		const struct ks_doc *d = scn->docs[i];
		const struct yt_node *spec = yt_map_get(d->root, "spec"), *ps = NULL;
		int v;

		if (strcmp(d->kind, "Pod") == 0)
			ps = spec;
		else if (strcmp(d->kind, "Deployment") == 0 || strcmp(d->kind, "StatefulSet") == 0 ||
		    strcmp(d->kind, "DaemonSet") == 0)
			ps = yt_map_get(yt_map_get(spec, "template"), "spec");
		if (ps != NULL && (v = podspec_release(ps, component, image)) > 0)
			return v;
	}
	return 0;
}

/* spec.metricsServer: {resolution, offset, version} */
static int
parse_metrics_server(const struct yt_node *v, struct load_model *lm, struct ks_error *err)
{
	const struct yt_node *x;
	int rc;

	if ((rc = load_strict(v, ms_keys, "spec.metricsServer", err)) != 0)
		return rc;
	if ((x = yt_map_get(v, "resolution")) != NULL) {
		if ((rc = yt_get_duration(x, &lm->res_ms, err)) != 0)
			return rc;
		if (lm->res_ms < 1000)
			return ks_error_set(err, &x->mark, KS_EINVAL,
			    "expected a resolution of 1s or more, found %lld ms",
			    (long long)lm->res_ms);
	}
	if ((x = yt_map_get(v, "offset")) != NULL) {
		if ((rc = yt_get_duration(x, &lm->offset_ms, err)) != 0)
			return rc;
		if (lm->offset_ms < 0 || lm->offset_ms >= lm->res_ms)
			return ks_error_set(err, &x->mark, KS_EINVAL,
			    "expected an offset from 0s to below the resolution, found %lld ms",
			    (long long)lm->offset_ms);
	}
	if ((x = yt_map_get(v, "version")) != NULL) {
		const char *str;

		if ((rc = yt_get_str(x, &str, err)) != 0)
			return rc;
		if ((lm->ms_version = lm_release_parse(str)) < 0)
			return ks_error_set(err, &x->mark, KS_EINVAL,
			    "expected a metrics-server release like \"v0.7.2\", found \"%s\"", str);
		lm->ms_version_src = intern("spec.metricsServer.version");
	}
	return 0;
}

int
load_model_parse(const struct ks_scenario *scn, struct load_model *lm, struct ks_error *err)
{
	const struct yt_node *spec = scn != NULL ? scn->spec : NULL, *v;
	int rc = 0;

	memset(lm, 0, sizeof(*lm));
	lm->res_ms = LM_RES_DEFAULT;
	if (spec != NULL && (v = yt_map_get(spec, "metricsServer")) != NULL && !yt_is_null(v) &&
	    (rc = parse_metrics_server(v, lm, err)) != 0)
		goto fail;
	if (lm->ms_version == 0) {
		const char *img;

		if ((lm->ms_version = lm_image_release(scn, "metrics-server", &img)) > 0)
			lm->ms_version_src = img;
	}
	if (spec != NULL && (v = yt_map_get(spec, "load")) != NULL && !yt_is_null(v)) {
		if ((rc = yt_expect_seq(v, err)) != 0)
			goto fail;
		lm->e = xcalloc(v->nitems ? v->nitems : 1, sizeof(*lm->e));
		for (size_t i = 0; i < v->nitems; i++) {
			lm->n++;
			if ((rc = parse_entry(scn, &lm->e[i], v->items[i], err)) != 0)
				goto fail;
		}
	}
	return 0;
fail:
	load_model_free(lm);
	return rc;
}
