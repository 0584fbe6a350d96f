/*
 * load_k8s.c: Kubernetes objects -> model definitions.
 *
 * Reads the fields of core/v1 Pod and PodTemplateSpec, apps/v1 workloads,
 * batch/v1 Job, kubeflow.org Notebook, policy/v1 PodDisruptionBudget and
 * core/v1 Node that change scheduling or autoscaling, and ignores the
 * rest, because users paste real manifests full of fields ksim has no use
 * for.  Values are checked where they are read: a bad quantity, a wrong
 * type or an unknown operator is an error at its line and column, in the
 * API server's terms where it has them.
 *
 * Integers are range-checked as the API's int32 fields are (never
 * truncated), durations that cannot be negative are refused when they are,
 * resource quantities stay within RES_QTY_MAX so that sums cannot wrap,
 * and a pod spec needs containers with unique names and images
 * (ValidatePodSpec).
 *
 * Defaults are the API server's: a container with limits and no requests
 * requests its limits; terminationGracePeriodSeconds 30; replicas 1;
 * a missing namespace is "default".
 */
#include "io/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/quantity.h"
#include "util/intern.h"
#include "util/xmalloc.h"

static const struct ks_mark nomark;

const struct ks_mark *
load_mark(const struct yt_node *n)
{
	return n != NULL ? &n->mark : &nomark;
}

int
load_strict(const struct yt_node *map, const char *const *allowed, const char *what,
    struct ks_error *err)
{
	if (map == NULL || yt_is_null(map))
		return 0;
	if (yt_expect_map(map, err) != 0)
		return KS_EINVAL;
	for (size_t i = 0; i < map->npairs; i++) {
		const struct yt_node *k = map->pairs[i].key;
		int ok = 0;

		for (size_t j = 0; allowed[j] != NULL && !ok; j++)
			ok = k->str != NULL && strcmp(k->str, allowed[j]) == 0;
		if (!ok) {
			char list[512] = "";
			size_t len = 0;

			for (size_t j = 0; allowed[j] != NULL && len < sizeof(list); j++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
				    j ? ", " : "", allowed[j]);
			return ks_error_set(err, &k->mark, KS_EINVAL,
			    "unknown field \"%s\" in %s: expected one of %s",
			    k->str ? k->str : "?", what, list);
		}
	}
	return 0;
}

int
load_str_opt(const struct yt_node *map, const char *key, const char **out,
    struct ks_error *err)
{
	const struct yt_node *v = yt_map_get(map, key);

	*out = NULL;
	if (v == NULL || yt_is_null(v))
		return 0;
	if (yt_get_str(v, out, err) != 0)
		return KS_EINVAL;
	*out = intern(*out);
	return 0;
}

int
load_int_in(const struct yt_node *v, const char *what, int64_t min, int64_t max,
    int64_t *out, struct ks_error *err)
{
	if (yt_get_int64(v, out, err) != 0)
		return KS_EINVAL;
	if (*out < 0 && min == 0)
		return ks_error_set(err, &v->mark, KS_EINVAL, "%s must not be negative, found %lld",
		    what, (long long)*out);
	if (*out < min || *out > max)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "%s must be between %lld and %lld, found %lld", what, (long long)min,
		    (long long)max, (long long)*out);
	return 0;
}

int
load_duration_nonneg(const struct yt_node *v, const char *what, int64_t *ms,
    struct ks_error *err)
{
	char buf[64];

	if (yt_get_duration(v, ms, err) != 0)
		return KS_EINVAL;
	if (*ms < 0)
		return ks_error_set(err, &v->mark, KS_EINVAL, "%s must not be negative, found %s",
		    what, yt_describe(v, buf, sizeof(buf)));
	return 0;
}

int
load_meta(const struct yt_node *root, const char **ns, const char **name,
    struct ks_error *err)
{
	const struct yt_node *md = yt_map_get(root, "metadata");

	*ns = intern("default");
	*name = NULL;
	if (md == NULL)
		return ks_error_set(err, &root->mark, KS_EINVAL,
		    "expected metadata.name, found no metadata");
	if (yt_expect_map(md, err) != 0)
		return KS_EINVAL;
	if (load_str_opt(md, "name", name, err) != 0)
		return KS_EINVAL;
	if (*name == NULL) {
		const char *gen = NULL;

		if (load_str_opt(md, "generateName", &gen, err) != 0)
			return KS_EINVAL;
		if (gen == NULL)
			return ks_error_set(err, &md->mark, KS_EINVAL,
			    "expected metadata.name, found none");
		*name = gen;
	}
	if (load_str_opt(md, "namespace", ns, err) != 0)
		return KS_EINVAL;
	if (*ns == NULL)
		*ns = intern("default");
	return 0;
}

/* spec.limits.maxLabels of the scenario being loaded. */
static int64_t max_labels = KS_DEFAULT_MAX_LABELS;

void
load_set_max_labels(int64_t max)
{
	max_labels = max;
}

int
load_labels(const struct yt_node *m, struct ks_labels *out, struct ks_error *err)
{
	if (m == NULL || yt_is_null(m))
		return 0;
	if (yt_expect_map(m, err) != 0)
		return KS_EINVAL;
	/* labels_set inserts in order, so a huge map costs its square */
	if (m->npairs > (uint64_t)max_labels)
		return ks_error_set(err, &m->mark, KS_EINVAL,
		    "expected at most %lld labels in a map (spec.limits.maxLabels), found %zu",
		    (long long)max_labels, m->npairs);
	for (size_t i = 0; i < m->npairs; i++) {
		const char *k, *v = "";

		if (yt_get_str(m->pairs[i].key, &k, err) != 0)
			return KS_EINVAL;
		if (!yt_is_null(m->pairs[i].value) && yt_get_str(m->pairs[i].value, &v, err) != 0)
			return KS_EINVAL;
		labels_set(out, k, v);
	}
	return 0;
}

/* matchExpressions entry of a LabelSelector or NodeSelectorTerm */
static int
load_req(const struct yt_node *e, int node_ops, struct ks_req *r, struct ks_error *err)
{
	const struct yt_node *vals = yt_map_get(e, "values");
	const struct yt_node *opn = yt_map_get(e, "operator");
	const char *key, *op;

	memset(r, 0, sizeof(*r));
	if (yt_expect_map(e, err) != 0)
		return KS_EINVAL;
	if (load_str_opt(e, "key", &key, err) != 0)
		return KS_EINVAL;
	if (key == NULL)
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expected a key in the requirement, found none");
	if (opn == NULL || yt_get_str(opn, &op, err) != 0)
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expected an operator in the requirement on \"%s\"", key);
	if (req_op_parse(op, &r->op) != 0 || (!node_ops && r->op >= OP_GT))
		return ks_error_set(err, &opn->mark, KS_EINVAL,
		    "unknown operator \"%s\": expected In, NotIn, Exists, DoesNotExist%s",
		    op, node_ops ? ", Gt or Lt" : "");
	r->key = key;
	if (vals != NULL && !yt_is_null(vals)) {
		if (yt_expect_seq(vals, err) != 0)
			return KS_EINVAL;
		r->vals = xreallocarray(NULL, vals->nitems ? vals->nitems : 1, sizeof(*r->vals));
		for (size_t i = 0; i < vals->nitems; i++) {
			const char *v;

			if (yt_get_str(vals->items[i], &v, err) != 0)
				return KS_EINVAL;	/* the caller frees r->vals */
			r->vals[r->nvals++] = intern(v);
		}
	}
	switch (r->op) {
	case OP_IN:
	case OP_NOTIN:
		if (r->nvals == 0)
			return ks_error_set(err, &e->mark, KS_EINVAL,
			    "operator %s on \"%s\" needs at least one value", op, key);
		break;
	case OP_EXISTS:
	case OP_DOESNOTEXIST:
		if (r->nvals != 0)
			return ks_error_set(err, &vals->mark, KS_EINVAL,
			    "operator %s on \"%s\" takes no values, found %zu", op, key, r->nvals);
		break;
	case OP_GT:
	case OP_LT: {
		char *end;

		if (r->nvals != 1)
			return ks_error_set(err, &e->mark, KS_EINVAL,
			    "operator %s on \"%s\" needs exactly one value, found %zu", op, key, r->nvals);
		r->num = strtoll(r->vals[0], &end, 10);
		if (*end != '\0' || r->vals[0][0] == '\0')
			return ks_error_set(err, &vals->items[0]->mark, KS_EINVAL,
			    "operator %s on \"%s\" needs an integer, found \"%s\"", op, key, r->vals[0]);
		break;
	}
	}
	return 0;
}

static int
load_exprs(const struct yt_node *exprs, int node_ops, struct ks_selector *out,
    struct ks_error *err)
{
	if (exprs == NULL || yt_is_null(exprs))
		return 0;
	if (yt_expect_seq(exprs, err) != 0)
		return KS_EINVAL;
	for (size_t i = 0; i < exprs->nitems; i++) {
		struct ks_req r;

		if (load_req(exprs->items[i], node_ops, &r, err) != 0) {
			free(r.vals);
			return KS_EINVAL;
		}
		selector_add(out, &r);
		free(r.vals);
	}
	return 0;
}

int
load_label_selector(const struct yt_node *n, struct ks_selector *out, struct ks_error *err)
{
	const struct yt_node *ml;

	memset(out, 0, sizeof(*out));
	if (n == NULL || yt_is_null(n)) {
		out->match_nothing = 1;
		return 0;
	}
	if (yt_expect_map(n, err) != 0)
		return KS_EINVAL;
	ml = yt_map_get(n, "matchLabels");
	if (ml != NULL && !yt_is_null(ml)) {
		if (yt_expect_map(ml, err) != 0)
			return KS_EINVAL;
		for (size_t i = 0; i < ml->npairs; i++) {
			struct ks_req r = { 0 };
			const char *k, *v;

			if (yt_get_str(ml->pairs[i].key, &k, err) != 0 ||
			    yt_get_str(ml->pairs[i].value, &v, err) != 0)
				return KS_EINVAL;
			v = intern(v);
			r.key = intern(k);
			r.op = OP_IN;
			r.vals = &v;
			r.nvals = 1;
			selector_add(out, &r);
		}
	}
	return load_exprs(yt_map_get(n, "matchExpressions"), 0, out, err);
}

int
load_node_selector_term(const struct yt_node *n, struct ks_selector *out, struct ks_error *err)
{
	memset(out, 0, sizeof(*out));
	if (yt_expect_map(n, err) != 0)
		return KS_EINVAL;
	if (load_exprs(yt_map_get(n, "matchExpressions"), 1, out, err) != 0)
		return KS_EINVAL;
	if (load_exprs(yt_map_get(n, "matchFields"), 1, out, err) != 0)
		return KS_EINVAL;
	return 0;
}

int
load_taints(const struct yt_node *n, struct ks_taint **out, size_t *nout, struct ks_error *err)
{
	*out = NULL;
	*nout = 0;
	if (n == NULL || yt_is_null(n))
		return 0;
	if (yt_expect_seq(n, err) != 0)
		return KS_EINVAL;
	*out = xcalloc(n->nitems ? n->nitems : 1, sizeof(**out));
	for (size_t i = 0; i < n->nitems; i++) {
		const struct yt_node *t = n->items[i];
		const struct yt_node *en;
		const char *key, *val, *eff;
		struct ks_taint *d = &(*out)[i];

		if (yt_expect_map(t, err) != 0 || load_str_opt(t, "key", &key, err) != 0 ||
		    load_str_opt(t, "value", &val, err) != 0)
			return KS_EINVAL;
		if (key == NULL)
			return ks_error_set(err, &t->mark, KS_EINVAL, "expected a taint key, found none");
		en = yt_map_get(t, "effect");
		if (en == NULL || yt_get_str(en, &eff, err) != 0)
			return ks_error_set(err, &t->mark, KS_EINVAL,
			    "expected a taint effect (NoSchedule, PreferNoSchedule or NoExecute) on \"%s\"", key);
		if (taint_effect_parse(eff, &d->effect) != 0)
			return ks_error_set(err, &en->mark, KS_EINVAL,
			    "unknown taint effect \"%s\": expected NoSchedule, PreferNoSchedule or NoExecute", eff);
		d->key = key;
		d->val = val ? val : intern("");
		(*nout)++;
	}
	return 0;
}

/*
 * Quantities above RES_QTY_MAX are refused as Kubernetes refuses the ones
 * above int64 ("12E"), rather than saturating as it does for BinarySI
 * ("9Ei" is 2^63-1 upstream): either way the sums of the model would wrap.
 */
static int
qty_too_large(const struct yt_node *v, const char *s, int cpu, struct ks_error *err)
{
	char buf[QTY_BUFSZ];

	return ks_error_set(err, &v->mark, KS_EINVAL,
	    "quantity \"%s\" is out of range: ksim accepts at most %s", s,
	    cpu ? qty_format_cpu(RES_QTY_MAX, buf, sizeof(buf)) :
	    qty_format_bytes(RES_QTY_MAX, QTY_BINARY_SI, buf, sizeof(buf)));
}

/*
 * An extended resource (any name with a '/', as the API requires: vendor
 * device plugins, MIG profiles, anything a Node advertises) gets its own
 * slot of res.h, so NodeResourcesFit can say "Insufficient <name>"; only
 * when the slots are used up, or for a name that is no extended resource,
 * is it ignored, with a warning.
 */
static void
load_extended_resource(const struct yt_node *k, int64_t x, struct ks_res *out)
{
	int r = strchr(k->str, '/') != NULL ? res_index(k->str) : -1;

	if (r >= 0) {
		out->v[r] = x;
		return;
	}
	if (strchr(k->str, '/') != NULL)
		ks_warn(&k->mark, "extended resource \"%s\" is not modelled (ksim tracks at most "
		    "%d names besides the device plugins'); ignored", k->str, RES_NEXT);
	else
		ks_warn(&k->mark, "resource \"%s\" is not modelled; ignored", k->str);
}

int
load_resources(const struct yt_node *m, struct ks_res *out, struct ks_error *err)
{
	memset(out, 0, sizeof(*out));
	if (m == NULL || yt_is_null(m))
		return 0;
	if (yt_expect_map(m, err) != 0)
		return KS_EINVAL;
	for (size_t i = 0; i < m->npairs; i++) {
		const struct yt_node *k = m->pairs[i].key, *v = m->pairs[i].value;
		const char *s;
		int64_t x;
		int rc;

		if (yt_get_str(v, &s, err) != 0)
			return KS_EINVAL;
		if (strcmp(k->str, "cpu") == 0) {
			if (qty_parse_cpu(s, &x, err, &v->mark) != 0)
				return KS_EINVAL;
			if (x > RES_QTY_MAX)
				return qty_too_large(v, s, 1, err);
			out->v[RES_CPU] = x;
			continue;
		}
		rc = qty_parse_bytes(s, &x, err, &v->mark);
		if (rc != 0)
			return rc;
		if (x > RES_QTY_MAX)
			return qty_too_large(v, s, 0, err);
		if (strcmp(k->str, "memory") == 0)
			out->v[RES_MEM] = x;
		else if (strcmp(k->str, "ephemeral-storage") == 0)
			out->v[RES_EPH] = x;
		else if (strcmp(k->str, "pods") == 0)
			out->v[RES_PODS] = x;
		else if (strncmp(k->str, "hugepages-", 10) != 0)
			load_extended_resource(k, x, out);
	}
	return 0;
}

static int
load_container(const struct yt_node *c, int init, struct ks_container *out,
    struct ks_error *err)
{
	const struct yt_node *res;
	const char *name, *image, *rp;

	memset(out, 0, sizeof(*out));
	if (yt_expect_map(c, err) != 0 || load_str_opt(c, "name", &name, err) != 0 ||
	    load_str_opt(c, "image", &image, err) != 0 ||
	    load_str_opt(c, "restartPolicy", &rp, err) != 0)
		return KS_EINVAL;
	out->name = name ? name : intern("");
	out->image = image ? image : intern("");
	out->init = init;
	out->sidecar = init && rp != NULL && strcmp(rp, "Always") == 0;
	res = yt_map_get(c, "resources");
	if (res != NULL && !yt_is_null(res)) {
		const struct yt_node *rq = yt_map_get(res, "requests");
		struct ks_res lim;

		if (yt_expect_map(res, err) != 0 ||
		    load_resources(rq, &out->req, err) != 0 ||
		    load_resources(yt_map_get(res, "limits"), &lim, err) != 0)
			return KS_EINVAL;
		/* API defaulting: requests default to limits per resource */
		for (int r = 0; r < RES_N; r++) {
			int has = rq != NULL && !yt_is_null(rq) && res_name[r] != NULL &&
			    yt_map_get(rq, res_name[r]) != NULL;

			if (!has && lim.v[r] != 0)
				out->req.v[r] = lim.v[r];
			out->req_set |= has || lim.v[r] != 0 ? 1u << r : 0;
		}
		out->lim = lim;
		for (int r = 0; r < RES_N; r++)
			if (out->lim.v[r] != 0 && out->req.v[r] > out->lim.v[r]) {
				const struct yt_node *at = yt_map_get(rq, res_name[r]);

				return ks_error_set(err, load_mark(at ? at : res), KS_EINVAL,
				    "%s request of container \"%s\" must be less than or equal to its limit",
				    res_name[r], out->name);
			}
	}
	return 0;
}

static int
load_tolerations(const struct yt_node *n, struct ks_podspec *s, struct ks_error *err)
{
	if (n == NULL || yt_is_null(n))
		return 0;
	if (yt_expect_seq(n, err) != 0)
		return KS_EINVAL;
	s->tols = xcalloc(n->nitems ? n->nitems : 1, sizeof(*s->tols));
	for (size_t i = 0; i < n->nitems; i++) {
		const struct yt_node *t = n->items[i];
		struct ks_toleration *d = &s->tols[s->ntols];
		const char *key, *op, *val, *eff;
		const struct yt_node *sec;

		if (yt_expect_map(t, err) != 0 || load_str_opt(t, "key", &key, err) != 0 ||
		    load_str_opt(t, "operator", &op, err) != 0 ||
		    load_str_opt(t, "value", &val, err) != 0 ||
		    load_str_opt(t, "effect", &eff, err) != 0)
			return KS_EINVAL;
		d->key = key ? key : intern("");
		d->val = val ? val : intern("");
		d->exists = op != NULL && strcmp(op, "Exists") == 0;
		if (op != NULL && !d->exists && strcmp(op, "Equal") != 0)
			return ks_error_set(err, &yt_map_get(t, "operator")->mark, KS_EINVAL,
			    "unknown toleration operator \"%s\": expected Equal or Exists", op);
		d->effect = EFFECT_ANY;
		if (eff != NULL && eff[0] != '\0' && taint_effect_parse(eff, &d->effect) != 0)
			return ks_error_set(err, &yt_map_get(t, "effect")->mark, KS_EINVAL,
			    "unknown taint effect \"%s\": expected NoSchedule, PreferNoSchedule or NoExecute", eff);
		d->seconds = -1;
		sec = yt_map_get(t, "tolerationSeconds");
		if (sec != NULL && !yt_is_null(sec) && yt_get_int64(sec, &d->seconds, err) != 0)
			return KS_EINVAL;
		s->ntols++;
	}
	return 0;
}

static int
load_podaff_terms(const struct yt_node *n, int preferred, struct ks_podaff **out,
    size_t *nout, struct ks_error *err)
{
	if (n == NULL || yt_is_null(n))
		return 0;
	if (yt_expect_seq(n, err) != 0)
		return KS_EINVAL;
	*out = xcalloc(n->nitems ? n->nitems : 1, sizeof(**out));
	for (size_t i = 0; i < n->nitems; i++) {
		const struct yt_node *t = n->items[i], *nss;
		struct ks_podaff *d = &(*out)[(*nout)++];	/* counted now: freed on error */
		const char *tk;
		int64_t w = 0;

		if (preferred) {
			const struct yt_node *wn = yt_map_get(t, "weight");

			if (wn != NULL && load_int_in(wn, "weight", 1, 100, &w, err) != 0)
				return KS_EINVAL;
			t = yt_map_get(t, "podAffinityTerm");
			if (t == NULL)
				return ks_error_set(err, &n->items[i]->mark, KS_EINVAL,
				    "expected podAffinityTerm in a preferred term, found none");
		}
		if (yt_expect_map(t, err) != 0 ||
		    load_label_selector(yt_map_get(t, "labelSelector"), &d->sel, err) != 0 ||
		    load_str_opt(t, "topologyKey", &tk, err) != 0)
			return KS_EINVAL;
		if (tk == NULL)
			return ks_error_set(err, &t->mark, KS_EINVAL,
			    "expected a topologyKey in the pod affinity term, found none");
		d->topology_key = tk;
		d->weight = (int)w;
		nss = yt_map_get(t, "namespaces");
		if (nss != NULL && !yt_is_null(nss)) {
			if (yt_expect_seq(nss, err) != 0)
				return KS_EINVAL;
			d->namespaces = xcalloc(nss->nitems ? nss->nitems : 1, sizeof(char *));
			for (size_t j = 0; j < nss->nitems; j++) {
				const char *v;

				if (yt_get_str(nss->items[j], &v, err) != 0)
					return KS_EINVAL;
				d->namespaces[d->nns++] = intern(v);
			}
		}
	}
	return 0;
}

static int
load_affinity(const struct yt_node *a, struct ks_podspec *s, struct ks_error *err)
{
	const struct yt_node *na, *pa, *paa, *req;

	if (a == NULL || yt_is_null(a))
		return 0;
	if (yt_expect_map(a, err) != 0)
		return KS_EINVAL;
	na = yt_map_get(a, "nodeAffinity");
	if (na != NULL && !yt_is_null(na)) {
		const struct yt_node *pref;

		req = yt_map_get(na, "requiredDuringSchedulingIgnoredDuringExecution");
		if (req != NULL && !yt_is_null(req)) {
			const struct yt_node *terms = yt_map_get(req, "nodeSelectorTerms");

			if (terms == NULL || yt_expect_seq(terms, err) != 0)
				return ks_error_set(err, &req->mark, KS_EINVAL,
				    "expected nodeSelectorTerms (a sequence) in required node affinity");
			s->affinity = xcalloc(terms->nitems ? terms->nitems : 1, sizeof(*s->affinity));
			for (size_t i = 0; i < terms->nitems; i++) {
				if (load_node_selector_term(terms->items[i], &s->affinity[i], err) != 0) {
					selector_free(&s->affinity[i]);
					return KS_EINVAL;
				}
				s->naffinity++;
			}
		}
		pref = yt_map_get(na, "preferredDuringSchedulingIgnoredDuringExecution");
		if (pref != NULL && !yt_is_null(pref)) {
			if (yt_expect_seq(pref, err) != 0)
				return KS_EINVAL;
			s->pref_affinity = xcalloc(pref->nitems ? pref->nitems : 1, sizeof(*s->pref_affinity));
			s->pref_weight = xcalloc(pref->nitems ? pref->nitems : 1, sizeof(int));
			for (size_t i = 0; i < pref->nitems; i++) {
				const struct yt_node *t = pref->items[i];
				const struct yt_node *wn = yt_map_get(t, "weight");
				int64_t w = 1;

				if (wn != NULL && load_int_in(wn, "weight", 1, 100, &w, err) != 0)
					return KS_EINVAL;
				if (load_node_selector_term(yt_map_get(t, "preference") ?
				    yt_map_get(t, "preference") : t, &s->pref_affinity[i], err) != 0) {
					selector_free(&s->pref_affinity[i]);
					return KS_EINVAL;
				}
				s->pref_weight[i] = (int)w;
				s->npref++;
			}
		}
	}
	pa = yt_map_get(a, "podAffinity");
	if (pa != NULL && !yt_is_null(pa) && load_podaff_terms(yt_map_get(pa,
	    "requiredDuringSchedulingIgnoredDuringExecution"), 0, &s->pod_aff, &s->npod_aff, err) != 0)
		return KS_EINVAL;
	paa = yt_map_get(a, "podAntiAffinity");
	if (paa != NULL && !yt_is_null(paa) && load_podaff_terms(yt_map_get(paa,
	    "requiredDuringSchedulingIgnoredDuringExecution"), 0, &s->pod_anti, &s->npod_anti, err) != 0)
		return KS_EINVAL;
	return 0;
}

static int
load_tsc(const struct yt_node *n, struct ks_podspec *s, struct ks_error *err)
{
	if (n == NULL || yt_is_null(n))
		return 0;
	if (yt_expect_seq(n, err) != 0)
		return KS_EINVAL;
	s->tsc = xcalloc(n->nitems ? n->nitems : 1, sizeof(*s->tsc));
	for (size_t i = 0; i < n->nitems; i++) {
		const struct yt_node *t = n->items[i], *ms, *md;
		struct ks_tsc *d = &s->tsc[s->ntsc++];	/* counted now: freed on error */
		const char *tk, *wu;
		int64_t skew = 1, mind = 0;

		if (yt_expect_map(t, err) != 0 || load_str_opt(t, "topologyKey", &tk, err) != 0 ||
		    load_str_opt(t, "whenUnsatisfiable", &wu, err) != 0 ||
		    load_label_selector(yt_map_get(t, "labelSelector"), &d->sel, err) != 0)
			return KS_EINVAL;
		ms = yt_map_get(t, "maxSkew");
		if (ms != NULL && yt_get_int64(ms, &skew, err) != 0)
			return KS_EINVAL;
		if (skew < 1)
			return ks_error_set(err, load_mark(ms), KS_EINVAL,
			    "maxSkew must be greater than zero, found %lld", (long long)skew);
		if (skew > INT32_MAX)
			return ks_error_set(err, &ms->mark, KS_EINVAL,
			    "maxSkew must be between 1 and %d, found %lld", INT32_MAX, (long long)skew);
		md = yt_map_get(t, "minDomains");
		if (md != NULL && !yt_is_null(md) &&
		    load_int_in(md, "minDomains", 0, INT32_MAX, &mind, err) != 0)
			return KS_EINVAL;
		if (tk == NULL)
			return ks_error_set(err, &t->mark, KS_EINVAL,
			    "expected a topologyKey in the topology spread constraint, found none");
		d->topology_key = tk;
		d->max_skew = (int)skew;
		d->min_domains = (int)mind;
		d->do_not_schedule = wu == NULL || strcmp(wu, "DoNotSchedule") == 0;
		if (wu != NULL && !d->do_not_schedule && strcmp(wu, "ScheduleAnyway") != 0)
			return ks_error_set(err, &yt_map_get(t, "whenUnsatisfiable")->mark, KS_EINVAL,
			    "unknown whenUnsatisfiable \"%s\": expected DoNotSchedule or ScheduleAnyway", wu);
	}
	return 0;
}

/*
 * The API server's checks on a container list (ValidatePodSpec): a name
 * and an image are required, and names are unique across init and app
 * containers.  Messages use its field paths and wording, relative to the
 * pod (or template): `spec.containers[1].name: Duplicate value: "web"`.
 */
static int
check_container(const struct yt_node *c, const char *field, size_t i,
    const struct ks_podspec *s, struct ks_error *err)
{
	const struct ks_container *ct = &s->ctrs[s->nctrs];
	const struct yt_node *v;

	if (ct->name[0] == '\0')
		return ks_error_set(err, load_mark(yt_map_get(c, "name") ? yt_map_get(c, "name") : c),
		    KS_EINVAL, "spec.%s[%zu].name: Required value", field, i);
	if (ct->image[0] == '\0')
		return ks_error_set(err, load_mark(yt_map_get(c, "image") ? yt_map_get(c, "image") : c),
		    KS_EINVAL, "spec.%s[%zu].image: Required value", field, i);
	for (size_t j = 0; j < s->nctrs; j++)
		if (s->ctrs[j].name == ct->name) {
			v = yt_map_get(c, "name");
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "spec.%s[%zu].name: Duplicate value: \"%s\"", field, i, ct->name);
		}
	return 0;
}

static int
load_containers(const struct yt_node *n, int init, struct ks_podspec *s, struct ks_error *err)
{
	const char *field = init ? "initContainers" : "containers";

	if (n == NULL || yt_is_null(n))
		return 0;
	if (yt_expect_seq(n, err) != 0)
		return KS_EINVAL;
	s->ctrs = xreallocarray(s->ctrs, s->nctrs + n->nitems + 1, sizeof(*s->ctrs));
	for (size_t i = 0; i < n->nitems; i++) {
		if (load_container(n->items[i], init, &s->ctrs[s->nctrs], err) != 0 ||
		    check_container(n->items[i], field, i, s, err) != 0)
			return KS_EINVAL;
		s->nctrs++;
	}
	return 0;
}

/*
 * A pod's requests, all containers together, stay within RES_QTY_MAX per
 * resource (two containers of 4Ei each overflowed the sum).  Each term is
 * at most RES_QTY_MAX, so the running sum cannot wrap before the check.
 * Containers are still in load order: initContainers, then containers.
 */
static int
check_pod_sum(const struct yt_node *sp, const struct ks_podspec *s, struct ks_error *err)
{
	const struct yt_node *init = yt_map_get(sp, "initContainers");
	const struct yt_node *app = yt_map_get(sp, "containers");
	size_t ninit = init != NULL && init->kind == YT_SEQ ? init->nitems : 0;
	char buf[QTY_BUFSZ];

	for (int r = 0; r < RES_N; r++) {
		int64_t sum = 0;

		for (size_t i = 0; i < s->nctrs; i++) {
			const struct yt_node *c = i < ninit ? init->items[i] : app->items[i - ninit];

			sum += s->ctrs[i].req.v[r];
			if (sum > RES_QTY_MAX)
				return ks_error_set(err, &c->mark, KS_EINVAL,
				    "%s requests of the pod's containers add up to more than %s, the "
				    "most ksim accepts", res_name[r] ? res_name[r] : "extended",
				    r == RES_CPU ? qty_format_cpu(RES_QTY_MAX, buf, sizeof(buf)) :
				    qty_format_bytes(RES_QTY_MAX, QTY_BINARY_SI, buf, sizeof(buf)));
		}
	}
	return 0;
}

/* tmpl is a PodTemplateSpec or a Pod: {metadata, spec}. */
int
load_podspec(const struct yt_node *tmpl, const char *ns, struct ks_podspec *s,
    struct ks_error *err)
{
	const struct yt_node *md, *sp, *v, *vols;
	const char *nn, *pc;

	(void)ns;
	memset(s, 0, sizeof(*s));
	s->grace_ms = 30000;
	if (tmpl == NULL || yt_expect_map(tmpl, err) != 0)
		return tmpl == NULL ? ks_error_set(err, NULL, KS_EINVAL, "expected a pod template") :
		    KS_EINVAL;
	s->mark = tmpl->mark;
	md = yt_map_get(tmpl, "metadata");
	if (md != NULL && !yt_is_null(md)) {
		if (load_labels(yt_map_get(md, "labels"), &s->labels, err) != 0 ||
		    load_labels(yt_map_get(md, "annotations"), &s->annotations, err) != 0)
			return KS_EINVAL;
	}
	sp = yt_map_get(tmpl, "spec");
	if (sp == NULL || yt_is_null(sp))
		return ks_error_set(err, &tmpl->mark, KS_EINVAL,
		    "expected a pod spec with containers, found none");
	if (yt_expect_map(sp, err) != 0 ||
	    load_containers(yt_map_get(sp, "initContainers"), 1, s, err) != 0 ||
	    load_containers(yt_map_get(sp, "containers"), 0, s, err) != 0)
		return KS_EINVAL;
	v = yt_map_get(sp, "containers");
	if (v == NULL || v->kind != YT_SEQ || v->nitems == 0)
		return ks_error_set(err, v != NULL ? &v->mark : &sp->mark, KS_EINVAL,
		    "spec.containers: Required value");
	if (check_pod_sum(sp, s, err) != 0)
		return KS_EINVAL;
	{
		/* app containers first, then init containers: keep the order stable */
		size_t k = 0;
		struct ks_container *tmp = xreallocarray(NULL, s->nctrs + 1, sizeof(*tmp));

		for (size_t i = 0; i < s->nctrs; i++)
			if (!s->ctrs[i].init)
				tmp[k++] = s->ctrs[i];
		for (size_t i = 0; i < s->nctrs; i++)
			if (s->ctrs[i].init)
				tmp[k++] = s->ctrs[i];
		free(s->ctrs);
		s->ctrs = tmp;
	}
	for (size_t i = 0; i < s->nctrs; i++)
		if (s->ctrs[i].req.v[RES_CPU] || s->ctrs[i].req.v[RES_MEM])
			s->has_requests = 1;
	if (load_labels(yt_map_get(sp, "nodeSelector"), &s->node_selector, err) != 0 ||
	    load_tolerations(yt_map_get(sp, "tolerations"), s, err) != 0 ||
	    load_affinity(yt_map_get(sp, "affinity"), s, err) != 0 ||
	    load_tsc(yt_map_get(sp, "topologySpreadConstraints"), s, err) != 0 ||
	    load_str_opt(sp, "nodeName", &nn, err) != 0 ||
	    load_str_opt(sp, "priorityClassName", &pc, err) != 0 ||
	    load_resources(yt_map_get(sp, "overhead"), &s->overhead, err) != 0)
		return KS_EINVAL;
	s->node_name = nn;
	s->priority_class = pc;
	v = yt_map_get(sp, "priority");
	if (v != NULL && !yt_is_null(v)) {
		int64_t pr;

		if (load_int_in(v, "priority", INT32_MIN, INT32_MAX, &pr, err) != 0)
			return KS_EINVAL;
		s->priority = (int32_t)pr;
	}
	v = yt_map_get(sp, "terminationGracePeriodSeconds");
	if (v != NULL && !yt_is_null(v)) {
		int64_t g;

		if (load_int_in(v, "terminationGracePeriodSeconds", 0, INT64_MAX / 1000, &g,
		    err) != 0)
			return KS_EINVAL;
		s->grace_ms = g * 1000;
	}
	vols = yt_map_get(sp, "volumes");
	if (vols != NULL && vols->kind == YT_SEQ)
		for (size_t i = 0; i < vols->nitems; i++)
			if (yt_map_get(vols->items[i], "emptyDir") != NULL ||
			    yt_map_get(vols->items[i], "hostPath") != NULL)
				s->local_storage = 1;
	/* readiness: the first container's readinessProbe initial delay */
	for (size_t i = 0; i < s->nctrs; i++) {
		const struct yt_node *c = NULL, *cs = yt_map_get(sp, "containers"), *rp, *d;

		if (s->ctrs[i].init || cs == NULL || cs->kind != YT_SEQ || i >= cs->nitems)
			continue;
		c = cs->items[i];
		rp = yt_map_get(c, "readinessProbe");
		if (rp == NULL)
			continue;
		d = yt_map_get(rp, "initialDelaySeconds");
		if (d != NULL && !yt_is_null(d)) {
			int64_t sec;

			if (load_int_in(d, "initialDelaySeconds", 0, INT32_MAX, &sec, err) != 0)
				return KS_EINVAL;
			if (sec * 1000 > s->ready_delay_ms)
				s->ready_delay_ms = sec * 1000;
		}
	}
	podspec_effective(s, NULL, &s->req);
	return 0;
}
