/*
 * vpa_parse.c: the VerticalPodAutoscaler document (autoscaling.k8s.io/v1,
 * v1beta2) into a struct vpa_obj: targetRef, updatePolicy (mode,
 * minReplicas, evictionRequirements), resourcePolicy.containerPolicies and
 * recommenders, with the API's defaults, and the ksim.io/vpa-version
 * annotation.  Moved out of vpa.c whole: the controller there reads the
 * parsed object and never the YAML.
 */
#include "autoscale/vpa_obj.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/quantity.h"
#include "io/load.h"
#include "util/xmalloc.h"

const char *const vpa_mode_name[] = { "Off", "Initial", "Recreate", "Auto",
    "InPlaceOrRecreate" };

struct vpa_res_ctx {
	struct vpa_resources	*out;	/* the bounds read */
	struct ks_mark		*marks;	/* where each was given, by VPA_CPU / VPA_MEM */
};

/* One pair of a policy's minAllowed or maxAllowed: cpu or memory only. */
static int
vpa_resource_pair(const struct yt_node *k, const struct yt_node *v, const char *s, void *arg,
    struct ks_error *err)
{
	struct vpa_res_ctx *x = arg;
	int r;

	if (k->str != NULL && strcmp(k->str, "cpu") == 0) {
		r = VPA_CPU;
		if (qty_parse_cpu(s, &x->out->v[r], err, &v->mark) != 0)
			return KS_EINVAL;
	} else if (k->str != NULL && strcmp(k->str, "memory") == 0) {
		r = VPA_MEM;
		if (qty_parse_bytes(s, &x->out->v[r], err, &v->mark) != 0)
			return KS_EINVAL;
	} else {
		return ks_error_set(err, &k->mark, KS_EINVAL,
		    "expected cpu or memory in a VPA container policy, found \"%s\"",
		    k->str ? k->str : "?");
	}
	x->out->has |= VPA_RES_BIT(r);
	x->marks[r] = v->mark;
	return 0;
}

static int
vpa_parse_resources(const struct yt_node *m, struct vpa_resources *out,
    struct ks_mark *marks, struct ks_error *err)
{
	struct vpa_res_ctx x = { out, marks };

	out->has = 0;
	out->v[VPA_CPU] = out->v[VPA_MEM] = 0;
	return load_qty_pairs(m, vpa_resource_pair, &x, err);
}

static int
vpa_parse_res_list(const struct yt_node *seq, unsigned *out, struct ks_error *err)
{
	*out = 0;
	if (yt_expect_seq(seq, err) != 0)
		return KS_EINVAL;
	for (size_t i = 0; i < seq->nitems; i++) {
		const char *s;

		if (yt_get_str(seq->items[i], &s, err) != 0)
			return KS_EINVAL;
		if (strcmp(s, "cpu") == 0)
			*out |= VPA_RES_BIT(VPA_CPU);
		else if (strcmp(s, "memory") == 0)
			*out |= VPA_RES_BIT(VPA_MEM);
		else
			return ks_error_set(err, &seq->items[i]->mark, KS_EINVAL,
			    "expected cpu or memory, found \"%s\"", s);
	}
	return 0;
}

static int
vpa_parse_cpolicy(const struct yt_node *e, struct vpa_ctr_policy *cp, struct ks_error *err)
{
	static const char *const keys[] = { "containerName", "mode", "minAllowed",
	    "maxAllowed", "controlledResources", "controlledValues", NULL };
	struct ks_mark minm[VPA_NRES], maxm[VPA_NRES];
	const struct yt_node *v;
	const char *s;

	vpa_cpolicy_init(&cp->pol);
	if (yt_expect_map(e, err) != 0 ||
	    load_strict(e, keys, "resourcePolicy.containerPolicies[]", err) != 0)
		return KS_EINVAL;
	if (load_str_opt(e, "containerName", &cp->ctr, err) != 0)
		return KS_EINVAL;
	if (cp->ctr == NULL)
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expected containerName in a VPA container policy, found none");
	if (load_str_opt(e, "mode", &s, err) != 0)
		return KS_EINVAL;
	if (s != NULL && strcmp(s, "Off") == 0)
		cp->pol.mode = VPA_CMODE_OFF;
	else if (s != NULL && strcmp(s, "Auto") != 0)
		return ks_error_set(err, &yt_map_get(e, "mode")->mark, KS_EINVAL,
		    "expected container policy mode Auto or Off, found \"%s\"", s);
	if (vpa_parse_resources(yt_map_get(e, "minAllowed"), &cp->pol.min_allowed, minm,
	    err) != 0 ||
	    vpa_parse_resources(yt_map_get(e, "maxAllowed"), &cp->pol.max_allowed, maxm,
	    err) != 0)
		return KS_EINVAL;
	for (int r = 0; r < VPA_NRES; r++) {
		unsigned bit = VPA_RES_BIT(r);
		char a[QTY_BUFSZ], b[QTY_BUFSZ];

		if (!(cp->pol.min_allowed.has & bit) || !(cp->pol.max_allowed.has & bit) ||
		    cp->pol.max_allowed.v[r] == 0 ||
		    cp->pol.min_allowed.v[r] <= cp->pol.max_allowed.v[r])
			continue;
		if (r == VPA_CPU) {
			qty_format_cpu(cp->pol.min_allowed.v[r], a, sizeof(a));
			qty_format_cpu(cp->pol.max_allowed.v[r], b, sizeof(b));
		} else {
			qty_format_bytes(cp->pol.min_allowed.v[r], QTY_BINARY_SI, a, sizeof(a));
			qty_format_bytes(cp->pol.max_allowed.v[r], QTY_BINARY_SI, b, sizeof(b));
		}
		return ks_error_set(err, &minm[r], KS_EINVAL,
		    "minAllowed %s %s is greater than maxAllowed %s %s of container policy \"%s\"",
		    r == VPA_CPU ? "cpu" : "memory", a, r == VPA_CPU ? "cpu" : "memory", b,
		    cp->ctr);
	}
	if ((v = yt_map_get(e, "controlledResources")) != NULL && !yt_is_null(v) &&
	    vpa_parse_res_list(v, &cp->pol.controlled, err) != 0)
		return KS_EINVAL;
	if (load_str_opt(e, "controlledValues", &s, err) != 0)
		return KS_EINVAL;
	if (s != NULL && strcmp(s, "RequestsOnly") == 0)
		cp->pol.values = VPA_REQUESTS_ONLY;
	else if (s != NULL && strcmp(s, "RequestsAndLimits") != 0)
		return ks_error_set(err, &yt_map_get(e, "controlledValues")->mark, KS_EINVAL,
		    "expected controlledValues RequestsAndLimits or RequestsOnly, found \"%s\"", s);
	return 0;
}

static int
vpa_parse_update_policy(const struct yt_node *up, struct vpa_obj *v, struct ks_error *err)
{
	static const char *const keys[] = { "updateMode", "minReplicas",
	    "evictionRequirements", NULL };
	const struct yt_node *n;
	const char *s;

	if (up == NULL || yt_is_null(up))
		return 0;
	if (load_strict(up, keys, "updatePolicy", err) != 0)
		return KS_EINVAL;
	if (load_str_opt(up, "updateMode", &s, err) != 0)
		return KS_EINVAL;
	if (s != NULL) {
		size_t i;

		for (i = 0; i < sizeof(vpa_mode_name) / sizeof(vpa_mode_name[0]); i++)
			if (strcmp(s, vpa_mode_name[i]) == 0)
				break;
		if (i == sizeof(vpa_mode_name) / sizeof(vpa_mode_name[0]))
			return ks_error_set(err, &yt_map_get(up, "updateMode")->mark, KS_EINVAL,
			    "expected updateMode Off, Initial, Recreate, Auto or InPlaceOrRecreate, "
			    "found \"%s\"", s);
		v->mode = (enum vpa_mode)i;
		v->mode_set = 1;
	}
	if ((n = yt_map_get(up, "minReplicas")) != NULL && !yt_is_null(n)) {
		int64_t x;

		if (yt_get_int64(n, &x, err) != 0)
			return KS_EINVAL;
		if (x < 1 || x > 1000000)
			return ks_error_set(err, &n->mark, KS_EINVAL,
			    "expected minReplicas of at least 1, found %" PRId64, x);
		v->min_replicas = (int)x;
	}
	if ((n = yt_map_get(up, "evictionRequirements")) != NULL && !yt_is_null(n)) {
		static const char *const ekeys[] = { "resources", "changeRequirement", NULL };

		if (yt_expect_seq(n, err) != 0)
			return KS_EINVAL;
		v->evreqs = xcalloc(n->nitems ? n->nitems : 1, sizeof(*v->evreqs));
		for (size_t i = 0; i < n->nitems; i++) {
			const struct yt_node *e = n->items[i], *res;

			if (yt_expect_map(e, err) != 0 ||
			    load_strict(e, ekeys, "updatePolicy.evictionRequirements[]", err) != 0)
				return KS_EINVAL;
			if ((res = yt_map_get(e, "resources")) == NULL)
				return ks_error_set(err, &e->mark, KS_EINVAL,
				    "expected resources in an eviction requirement, found none");
			if (vpa_parse_res_list(res, &v->evreqs[i].res, err) != 0)
				return KS_EINVAL;
			if (load_str_opt(e, "changeRequirement", &s, err) != 0)
				return KS_EINVAL;
			if (s != NULL && strcmp(s, "TargetHigherThanRequests") == 0)
				v->evreqs[i].higher = 1;
			else if (s == NULL || strcmp(s, "TargetLowerThanRequests") != 0)
				return ks_error_set(err, &e->mark, KS_EINVAL,
				    "expected changeRequirement TargetHigherThanRequests or "
				    "TargetLowerThanRequests, found %s%s%s", s ? "\"" : "",
				    s ? s : "none", s ? "\"" : "");
			v->nevreqs++;
		}
	}
	return 0;
}

/* Is workload kind/ns/name declared at t=0 or created by the timeline? */
static int
vpa_target_declared(const struct ks_scenario *s, enum wl_kind k, const char *ns,
    const char *name)
{
	for (size_t i = 0; i < s->nwls; i++)
		if (s->wls[i]->kind == k && s->wls[i]->ns == ns && s->wls[i]->name == name)
			return 1;
	for (size_t i = 0; i < s->nactions; i++) {
		const struct wl_def *w = s->actions[i].wl;

		if (s->actions[i].type == ACT_CREATE && w != NULL && w->kind == k &&
		    w->ns == ns && w->name == name)
			return 1;
	}
	return 0;
}

int
vpa_parse(const struct ks_scenario *scn, const struct ks_doc *d, int64_t at_ms, struct vpa_obj *v,
    struct ks_error *err)
{
	static const char *const keys[] = { "targetRef", "updatePolicy", "resourcePolicy",
	    "recommenders", NULL };
	static const char *const tkeys[] = { "apiVersion", "kind", "name", NULL };
	const struct yt_node *spec = yt_map_get(d->root, "spec"), *t, *rp, *n;
	const char *kind;
	int k;

	memset(v, 0, sizeof(*v));
	v->name = d->name;
	v->ns = d->ns;
	v->mark = d->mark;
	v->mode = VPA_MODE_AUTO;
	v->min_replicas = -1;
	v->created_ms = at_ms;
	v->provided_ms = -1;
	if (strcmp(d->api_version, "autoscaling.k8s.io/v1") != 0 &&
	    strcmp(d->api_version, "autoscaling.k8s.io/v1beta2") != 0)
		return ks_error_set(err, &d->mark, KS_EINVAL,
		    "expected apiVersion autoscaling.k8s.io/v1 for VerticalPodAutoscaler %s, "
		    "found \"%s\"", d->name, d->api_version);
	if (spec == NULL || yt_is_null(spec))
		return ks_error_set(err, &d->mark, KS_EINVAL,
		    "expected a spec in VerticalPodAutoscaler %s, found none", d->name);
	if (yt_expect_map(spec, err) != 0 || load_strict(spec, keys, "VerticalPodAutoscaler spec",
	    err) != 0)
		return KS_EINVAL;
	if ((t = yt_map_get(spec, "targetRef")) == NULL || yt_is_null(t))
		return ks_error_set(err, &spec->mark, KS_EINVAL,
		    "expected a targetRef in VerticalPodAutoscaler %s, found none", d->name);
	if (yt_expect_map(t, err) != 0 || load_strict(t, tkeys, "targetRef", err) != 0)
		return KS_EINVAL;
	if (load_str_opt(t, "kind", &kind, err) != 0 || load_str_opt(t, "name", &v->tname, err) != 0)
		return KS_EINVAL;
	if (kind == NULL || v->tname == NULL)
		return ks_error_set(err, &t->mark, KS_EINVAL,
		    "expected kind and name in targetRef, found %s", kind ? "no name" : "no kind");
	for (k = 0; k < WL_KIND_N; k++)
		if (k != WL_POD && strcmp(kind, wl_kind_name[k]) == 0)
			break;
	if (k == WL_KIND_N)
		return ks_error_set(err, &yt_map_get(t, "kind")->mark, KS_EINVAL,
		    "expected targetRef kind Deployment, ReplicaSet, StatefulSet, DaemonSet, Job "
		    "or Notebook, found \"%s\"", kind);
	v->tkind = (enum wl_kind)k;
	if (!vpa_target_declared(scn, v->tkind, v->ns, v->tname))
		return ks_error_set(err, &yt_map_get(t, "name")->mark, KS_EINVAL,
		    "unknown targetRef %s %s/%s: the scenario declares no such workload",
		    kind, v->ns, v->tname);
	if (vpa_parse_update_policy(yt_map_get(spec, "updatePolicy"), v, err) != 0)
		return KS_EINVAL;
	if ((rp = yt_map_get(spec, "resourcePolicy")) != NULL && !yt_is_null(rp)) {
		static const char *const rkeys[] = { "containerPolicies", NULL };

		if (load_strict(rp, rkeys, "resourcePolicy", err) != 0)
			return KS_EINVAL;
		if ((n = yt_map_get(rp, "containerPolicies")) != NULL && !yt_is_null(n)) {
			if (yt_expect_seq(n, err) != 0)
				return KS_EINVAL;
			v->pols = xcalloc(n->nitems ? n->nitems : 1, sizeof(*v->pols));
			for (size_t i = 0; i < n->nitems; i++) {
				if (vpa_parse_cpolicy(n->items[i], &v->pols[i], err) != 0)
					return KS_EINVAL;
				v->npols++;
			}
		}
	}
	if ((n = yt_map_get(spec, "recommenders")) != NULL && !yt_is_null(n)) {
		if (yt_expect_seq(n, err) != 0)
			return KS_EINVAL;
		for (size_t i = 0; i < n->nitems; i++) {
			const char *rn;

			if (yt_expect_map(n->items[i], err) != 0 ||
			    load_str_opt(n->items[i], "name", &rn, err) != 0)
				return KS_EINVAL;
			if (rn != NULL && strcmp(rn, "default") != 0)
				ks_warn(&n->items[i]->mark, "recommender \"%s\" is not simulated; "
				    "VerticalPodAutoscaler %s uses the default recommender", rn, d->name);
		}
	}
	if (v->mode == VPA_MODE_INPLACE_OR_RECREATE)
		ks_warn(&d->mark, "VerticalPodAutoscaler %s: ksim does not model in-place resize; "
		    "the updater falls back to eviction, as upstream does when a resize fails",
		    d->name);
	return 0;
}

/* ksim.io/vpa-version: "1.4" -> 1, 4 */
int
vpa_parse_version(const struct ks_doc *d, int *major, int *minor, const struct yt_node **at,
    struct ks_error *err)
{
	const struct yt_node *md = yt_map_get(d->root, "metadata");
	const struct yt_node *an = md ? yt_map_get(md, "annotations") : NULL;
	const struct yt_node *v = an ? yt_map_get(an, "ksim.io/vpa-version") : NULL;
	const char *s;
	char tail;

	*at = v;
	if (v == NULL)
		return 0;
	if (yt_get_str(v, &s, err) != 0)
		return KS_EINVAL;
	if (s[0] == 'v')
		s++;
	if (sscanf(s, "%d.%d%c", major, minor, &tail) != 2 || *major < 0 || *minor < 0)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "expected a VPA release like \"1.4\" in ksim.io/vpa-version, found \"%s\"", s);
	return 0;
}
