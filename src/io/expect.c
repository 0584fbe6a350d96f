/*
 * expect.c: the Scenario's expectations, for CI regression of scaling
 * policies (`ksim check`).
 *
 * Each entry of spec.expect names one subject (a pod or workload, an HPA, a
 * VPA's container, the nodes of a group or pool, the cost, or every pod) and
 * one or more assertions about it.  Entries are parsed strictly at load time;
 * after the run they are evaluated against the JSON report, whose schema
 * ksim-scenario(5) documents, so every assertion reads the same numbers a
 * user reads.  A failure message says what was expected, what happened, and
 * when, in simulated time.
 *
 * Costs: an expectation walks the report's pods or samples once (pending
 * percentiles sort the matching pods' pending times).
 */
#include "io/expect.h"

#include <stdlib.h>
#include <string.h>

#include "cluster/quantity.h"
#include "io/load.h"
#include "io/ytree.h"
#include "util/duration.h"
#include "util/fmt.h"
#include "util/intern.h"
#include "util/stats.h"
#include "util/xmalloc.h"

enum ex_kind { EX_POD, EX_HPA, EX_VPA, EX_NODES, EX_COST, EX_MAXPENDING, EX_PLAN,
	       EX_DECISION };

struct expectation {
	enum ex_kind	 kind;
	const char	*name;		/* interned */
	struct ks_mark	 mark;
	/* subject */
	const char	*ns;		/* interned, NULL = any namespace */
	const char	*obj;		/* pod name, "Kind/name", HPA/VPA name, group; interned */
	int		 is_workload;	/* obj is "Kind/name" */
	const char	*container;	/* VPA container */
	/* assertions; -1 = not asserted */
	int64_t		 scheduled_within, running_within;
	int		 pending;	/* 1: never scheduled */
	const char	*reason;	/* substring of the pending reason */
	int64_t		 p50, p95, pmax;	/* pending-time percentiles at most */
	int64_t		 at_ms, from_ms, until_ms;
	int64_t		 replicas, max_replicas, min_replicas;
	int64_t		 target_cpu_m, target_mem_b;
	int64_t		 count, max_nodes;
	int64_t		 max_cost_nusd, max_cost_h_nusd;
	int64_t		 max_pending;
	const char	*itype;		/* plan: the cheapest is this type; nodes: every node is */
	const char	*not_itype;	/* plan: the cheapest is not this one */
	/* decision: obj is the object ("node/NAME", a trailing * a prefix) */
	const char	*rule;		/* decision: the rule's name (interned) */
	const char	*by;		/* decision: substring of the deciding object, or NULL */
	const char	*message;	/* decision: substring of the message, or NULL */
	int		 never;		/* decision: no record matches */
	int64_t		 since_ms;	/* decision: the first matching record starts then */
};

struct expect_set {
	struct expectation	*v;
	size_t			 n;
};

static const char *const keys_pod[] = { "name", "pod", "workload", "namespace",
	"scheduledWithin", "runningWithin", "pending", "reason", "pendingP50", "pendingP95",
	"pendingMax", NULL };
static const char *const keys_hpa[] = { "name", "hpa", "namespace", "at", "replicas",
	"maxReplicas", "minReplicas", "from", "until", NULL };
static const char *const keys_vpa[] = { "name", "vpa", "namespace", "container", "targetCpu",
	"targetMemory", NULL };
static const char *const keys_nodes[] = { "name", "nodes", "at", "count", "maxNodes",
	"instanceType", NULL };
static const char *const keys_cost[] = { "name", "maxCostUsd", "maxCostPerHourUsd", NULL };
static const char *const keys_maxpending[] = { "name", "maxPending", NULL };
static const char *const keys_decision[] = { "name", "decision", "rule", "by", "message",
	"at", "since", "until", "never", NULL };
static const char *const keys_plan[] = { "name", "plan", "maxCostUsd", "instanceType",
	"notInstanceType", "maxNodes", NULL };

void
expect_set_free(struct expect_set *s)
{
	if (s == NULL)
		return;
	free(s->v);
	free(s);
}

size_t
expect_count(const struct expect_set *s)
{
	return s ? s->n : 0;
}

static int
get_dur(const struct yt_node *e, const char *key, int64_t *out, struct ks_error *err)
{
	const struct yt_node *v = yt_map_get(e, key);

	*out = -1;
	if (v == NULL)
		return 0;
	return yt_get_duration(v, out, err);
}

static int
get_int(const struct yt_node *e, const char *key, int64_t *out, struct ks_error *err)
{
	const struct yt_node *v = yt_map_get(e, key);

	*out = -1;
	if (v == NULL)
		return 0;
	if (yt_get_int64(v, out, err) != 0)
		return KS_EINVAL;
	if (*out < 0)
		return ks_error_set(err, &v->mark, KS_EINVAL, "%s must not be negative, found %lld",
		    key, (long long)*out);
	return 0;
}

/* "1.25" USD -> nano-USD */
static int
get_usd(const struct yt_node *e, const char *key, int64_t *out, struct ks_error *err)
{
	const struct yt_node *v = yt_map_get(e, key);
	double d;

	*out = -1;
	if (v == NULL)
		return 0;
	if (yt_get_double(v, &d, err) != 0)
		return KS_EINVAL;
	if (!(d >= 0 && d < 1e9))
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "%s must be a non-negative amount of USD, found %s", key, v->str);
	*out = (int64_t)(d * 1e9 + 0.5);
	return 0;
}

static int
get_subject(const struct yt_node *e, const char *key, struct expectation *x, struct ks_error *err)
{
	const struct yt_node *v = yt_map_get(e, key);
	const char *s;

	if (v == NULL || yt_is_null(v))
		return 0;
	if (yt_get_str(v, &s, err) != 0)
		return KS_EINVAL;
	x->obj = intern(s);
	return 0;
}

static int
parse_pod(const struct yt_node *e, struct expectation *x, struct ks_error *err)
{
	const struct yt_node *v;
	const char *s;

	x->kind = EX_POD;
	if (load_strict(e, keys_pod, "a pod expectation", err) != 0)
		return KS_EINVAL;
	if (yt_map_get(e, "pod") != NULL && yt_map_get(e, "workload") != NULL)
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expected pod or workload in expectation \"%s\", found both", x->name);
	x->is_workload = yt_map_get(e, "workload") != NULL;
	if (get_subject(e, x->is_workload ? "workload" : "pod", x, err) != 0)
		return KS_EINVAL;
	if (x->obj == NULL || strchr(x->obj, '/') == NULL)
		return ks_error_set(err, &e->mark, KS_EINVAL, "expected %s in expectation \"%s\"",
		    x->is_workload ? "workload as Kind/name (Deployment/web)" :
		    "pod as namespace/name", x->name);
	if (get_dur(e, "scheduledWithin", &x->scheduled_within, err) != 0 ||
	    get_dur(e, "runningWithin", &x->running_within, err) != 0 ||
	    get_dur(e, "pendingP50", &x->p50, err) != 0 ||
	    get_dur(e, "pendingP95", &x->p95, err) != 0 ||
	    get_dur(e, "pendingMax", &x->pmax, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(e, "pending")) != NULL && yt_get_bool(v, &x->pending, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(e, "reason")) != NULL) {
		if (yt_get_str(v, &s, err) != 0)
			return KS_EINVAL;
		x->reason = intern(s);
		x->pending = 1;
	}
	if (x->scheduled_within < 0 && x->running_within < 0 && !x->pending &&
	    x->p50 < 0 && x->p95 < 0 && x->pmax < 0)
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expectation \"%s\" asserts nothing: expected scheduledWithin, runningWithin, "
		    "pending, reason, pendingP50, pendingP95 or pendingMax", x->name);
	return 0;
}

static int
parse_hpa(const struct yt_node *e, struct expectation *x, struct ks_error *err)
{
	x->kind = EX_HPA;
	if (load_strict(e, keys_hpa, "an HPA expectation", err) != 0 ||
	    get_subject(e, "hpa", x, err) != 0 ||
	    get_dur(e, "at", &x->at_ms, err) != 0 || get_dur(e, "from", &x->from_ms, err) != 0 ||
	    get_dur(e, "until", &x->until_ms, err) != 0 ||
	    get_int(e, "replicas", &x->replicas, err) != 0 ||
	    get_int(e, "maxReplicas", &x->max_replicas, err) != 0 ||
	    get_int(e, "minReplicas", &x->min_replicas, err) != 0)
		return KS_EINVAL;
	if ((x->at_ms >= 0) != (x->replicas >= 0))
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expectation \"%s\": at and replicas go together", x->name);
	if (x->replicas < 0 && x->max_replicas < 0 && x->min_replicas < 0)
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expectation \"%s\" asserts nothing: expected at + replicas, maxReplicas "
		    "or minReplicas", x->name);
	return 0;
}

static int
parse_vpa(const struct yt_node *e, struct expectation *x, struct ks_error *err)
{
	const struct yt_node *v;
	const char *s;

	x->kind = EX_VPA;
	x->target_cpu_m = x->target_mem_b = -1;
	if (load_strict(e, keys_vpa, "a VPA expectation", err) != 0 ||
	    get_subject(e, "vpa", x, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(e, "container")) != NULL) {
		if (yt_get_str(v, &s, err) != 0)
			return KS_EINVAL;
		x->container = intern(s);
	}
	if ((v = yt_map_get(e, "targetCpu")) != NULL &&
	    (yt_get_str(v, &s, err) != 0 || qty_parse_cpu(s, &x->target_cpu_m, err, &v->mark) != 0))
		return KS_EINVAL;
	if ((v = yt_map_get(e, "targetMemory")) != NULL &&
	    (yt_get_str(v, &s, err) != 0 || qty_parse_bytes(s, &x->target_mem_b, err, &v->mark) != 0))
		return KS_EINVAL;
	if (x->target_cpu_m < 0 && x->target_mem_b < 0)
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expectation \"%s\" asserts nothing: expected targetCpu or targetMemory", x->name);
	return 0;
}

static int
parse_nodes(const struct yt_node *e, struct expectation *x, struct ks_error *err)
{
	const struct yt_node *v;
	const char *s;

	x->kind = EX_NODES;
	if (load_strict(e, keys_nodes, "a nodes expectation", err) != 0 ||
	    get_dur(e, "at", &x->at_ms, err) != 0 || get_int(e, "count", &x->count, err) != 0 ||
	    get_int(e, "maxNodes", &x->max_nodes, err) != 0 ||
	    load_str_opt(e, "instanceType", &x->itype, err) != 0)
		return KS_EINVAL;
	v = yt_map_get(e, "nodes");
	if (!yt_is_null(v) && !(v->kind == YT_SCALAR && (strcmp(v->str, "all") == 0 ||
	    v->str[0] == '\0'))) {
		if (yt_get_str(v, &s, err) != 0)
			return KS_EINVAL;
		x->obj = intern(s);
	}
	if ((x->at_ms >= 0) != (x->count >= 0))
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expectation \"%s\": at and count go together", x->name);
	if (x->count < 0 && x->max_nodes < 0 && x->itype == NULL)
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expectation \"%s\" asserts nothing: expected at + count, maxNodes or "
		    "instanceType", x->name);
	return 0;
}

static int
parse_plan(const struct yt_node *e, struct expectation *x, struct ks_error *err)
{
	const struct yt_node *v;
	const char *s;

	v = yt_map_get(e, "plan");
	x->kind = EX_PLAN;
	if (load_strict(e, keys_plan, "a plan expectation", err) != 0 ||
	    yt_get_str(v, &s, err) != 0)
		return KS_EINVAL;
	if (strcmp(s, "cheapest") != 0)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "expected plan: cheapest (the option ksim plan nodes ranks first), found \"%s\"", s);
	if (get_usd(e, "maxCostUsd", &x->max_cost_nusd, err) != 0 ||
	    get_int(e, "maxNodes", &x->max_nodes, err) != 0 ||
	    load_str_opt(e, "instanceType", &x->itype, err) != 0 ||
	    load_str_opt(e, "notInstanceType", &x->not_itype, err) != 0)
		return KS_EINVAL;
	if (x->max_cost_nusd < 0 && x->max_nodes < 0 && x->itype == NULL && x->not_itype == NULL)
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expectation \"%s\" asserts nothing: expected maxCostUsd, maxNodes, "
		    "instanceType or notInstanceType", x->name);
	return 0;
}

static int
parse_decision(const struct yt_node *e, struct expectation *x, struct ks_error *err)
{
	const struct yt_node *v;

	x->kind = EX_DECISION;
	if (load_strict(e, keys_decision, "a decision expectation", err) != 0 ||
	    get_subject(e, "decision", x, err) != 0 ||
	    load_str_opt(e, "rule", &x->rule, err) != 0 ||
	    load_str_opt(e, "by", &x->by, err) != 0 ||
	    load_str_opt(e, "message", &x->message, err) != 0 ||
	    get_dur(e, "at", &x->at_ms, err) != 0 || get_dur(e, "since", &x->since_ms, err) != 0 ||
	    get_dur(e, "until", &x->until_ms, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(e, "never")) != NULL && yt_get_bool(v, &x->never, err) != 0)
		return KS_EINVAL;
	if (x->obj == NULL || strchr(x->obj, '/') == NULL)
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expected decision as kind/name (node/NAME, hpa/NS/NAME, node/*) in "
		    "expectation \"%s\"", x->name);
	if (x->rule == NULL)
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expected rule (BlockedByPod, ScaleDownStabilized, ...) in expectation \"%s\"",
		    x->name);
	if (x->never && (x->at_ms >= 0 || x->since_ms >= 0 || x->until_ms >= 0))
		return ks_error_set(err, &e->mark, KS_EINVAL,
		    "expectation \"%s\": never goes with no time (at, since, until)", x->name);
	return 0;
}

static int
parse_one(const struct yt_node *e, struct expectation *x, struct ks_error *err)
{
	const struct yt_node *v;
	const char *s;

	memset(x, 0, sizeof(*x));
	x->mark = e->mark;
	if (yt_expect_map(e, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(e, "name")) == NULL)
		return ks_error_set(err, &e->mark, KS_EINVAL, "expected a name for the expectation");
	if (yt_get_str(v, &s, err) != 0)
		return KS_EINVAL;
	x->name = intern(s);
	if ((v = yt_map_get(e, "namespace")) != NULL) {
		if (yt_get_str(v, &s, err) != 0)
			return KS_EINVAL;
		x->ns = intern(s);
	}
	if (yt_map_get(e, "pod") != NULL || yt_map_get(e, "workload") != NULL)
		return parse_pod(e, x, err);
	if (yt_map_get(e, "hpa") != NULL)
		return parse_hpa(e, x, err);
	if (yt_map_get(e, "vpa") != NULL)
		return parse_vpa(e, x, err);
	if (yt_map_get(e, "nodes") != NULL)
		return parse_nodes(e, x, err);
	if (yt_map_get(e, "plan") != NULL)
		return parse_plan(e, x, err);
	if (yt_map_get(e, "decision") != NULL)
		return parse_decision(e, x, err);
	if (yt_map_get(e, "maxCostUsd") != NULL || yt_map_get(e, "maxCostPerHourUsd") != NULL) {
		x->kind = EX_COST;
		if (load_strict(e, keys_cost, "a cost expectation", err) != 0 ||
		    get_usd(e, "maxCostUsd", &x->max_cost_nusd, err) != 0 ||
		    get_usd(e, "maxCostPerHourUsd", &x->max_cost_h_nusd, err) != 0)
			return KS_EINVAL;
		return 0;
	}
	if (yt_map_get(e, "maxPending") != NULL) {
		x->kind = EX_MAXPENDING;
		if (load_strict(e, keys_maxpending, "a maxPending expectation", err) != 0 ||
		    get_dur(e, "maxPending", &x->max_pending, err) != 0)
			return KS_EINVAL;
		return 0;
	}
	return ks_error_set(err, &e->mark, KS_EINVAL,
	    "expectation \"%s\" has no subject: expected pod, workload, hpa, vpa, nodes, "
	    "maxCostUsd, maxCostPerHourUsd, maxPending, plan or decision", x->name);
}

int
expect_parse(const struct yt_node *list, struct expect_set **out, struct ks_error *err)
{
	struct expect_set *s;

	*out = NULL;
	if (list == NULL || yt_is_null(list))
		return 0;
	if (yt_expect_seq(list, err) != 0)
		return KS_EINVAL;
	s = xcalloc(1, sizeof(*s));
	s->v = xcalloc(list->nitems ? list->nitems : 1, sizeof(*s->v));
	for (size_t i = 0; i < list->nitems; i++) {
		if (parse_one(list->items[i], &s->v[i], err) != 0) {
			expect_set_free(s);
			return KS_EINVAL;
		}
		for (size_t j = 0; j < i; j++)
			if (s->v[j].name == s->v[i].name) {
				int rc = ks_error_set(err, &list->items[i]->mark, KS_EINVAL,
				    "duplicate expectation name \"%s\" (first at line %d)",
				    s->v[i].name, s->v[j].mark.line);

				expect_set_free(s);
				return rc;
			}
		s->n++;
	}
	*out = s;
	return 0;
}

/* ---- evaluation ---- */

static int64_t
jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static char *
dur(int64_t ms, char *buf, size_t n)
{
	return ks_duration_format(ms, buf, n);
}

static int
pod_matches(const struct expectation *x, json_t *p)
{
	const char *ns = jstr(p, "namespace"), *name = jstr(p, "name"), *wl = jstr(p, "workload");
	char full[600];

	if (x->is_workload) {
		if (wl == NULL || strcmp(wl, x->obj) != 0)
			return 0;
		return x->ns == NULL || (ns != NULL && strcmp(ns, x->ns) == 0);
	}
	snprintf(full, sizeof(full), "%s/%s", ns ? ns : "", name ? name : "");
	return strcmp(full, x->obj) == 0;
}

static void
eval_pod(const struct expectation *x, json_t *rep, struct expect_result *r)
{
	json_t *pods = json_object_get(rep, "pods"), *p;
	int64_t end = jint(rep, "duration_ms"), *pend = NULL;
	size_t i, n = 0, matched = 0;
	char a[32], b[32], t[32];

	r->ok = 1;
	pend = xcalloc(json_array_size(pods) + 1, sizeof(*pend));
	json_array_foreach(pods, i, p) {
		int64_t created = jint(p, "created_at_ms"), sched = jint(p, "scheduled_at_ms");
		int64_t run = jint(p, "running_at_ms");
		const char *why = jstr(p, "reason"), *name = jstr(p, "name");

		if (!pod_matches(x, p))
			continue;
		matched++;
		pend[n++] = (sched >= 0 ? sched : end) - created;
		if (!r->ok)
			continue;
		if (x->pending && sched >= 0) {
			r->ok = 0;
			snprintf(r->msg, sizeof(r->msg), "expected pod %s never to be scheduled, "
			    "but it was scheduled at %s", name, fmt_time(sched, t, sizeof(t)));
		} else if (x->reason != NULL && (why == NULL || strstr(why, x->reason) == NULL)) {
			r->ok = 0;
			snprintf(r->msg, sizeof(r->msg), "expected pod %s Pending with a reason "
			    "containing \"%s\", but the reason is \"%s\"", name, x->reason,
			    why ? why : "(none)");
		} else if (x->scheduled_within >= 0 && (sched < 0 || sched - created > x->scheduled_within)) {
			r->ok = 0;
			if (sched < 0)
				snprintf(r->msg, sizeof(r->msg), "expected pod %s scheduled within %s of "
				    "its creation at %s, but it was never scheduled%s%s", name,
				    dur(x->scheduled_within, a, sizeof(a)), fmt_time(created, t, sizeof(t)),
				    why ? ": " : "", why ? why : "");
			else
				snprintf(r->msg, sizeof(r->msg), "expected pod %s scheduled within %s of "
				    "its creation, but it took %s (scheduled at %s)", name,
				    dur(x->scheduled_within, a, sizeof(a)), dur(sched - created, b, sizeof(b)),
				    fmt_time(sched, t, sizeof(t)));
		} else if (x->running_within >= 0 && (run < 0 || run - created > x->running_within)) {
			r->ok = 0;
			if (run < 0)
				snprintf(r->msg, sizeof(r->msg), "expected pod %s running within %s of "
				    "its creation at %s, but it never ran%s%s", name,
				    dur(x->running_within, a, sizeof(a)), fmt_time(created, t, sizeof(t)),
				    why ? ": " : "", why ? why : "");
			else
				snprintf(r->msg, sizeof(r->msg), "expected pod %s running within %s of "
				    "its creation, but it took %s (running at %s)", name,
				    dur(x->running_within, a, sizeof(a)), dur(run - created, b, sizeof(b)),
				    fmt_time(run, t, sizeof(t)));
		}
	}
	if (matched == 0) {
		r->ok = 0;
		snprintf(r->msg, sizeof(r->msg), "expected %s %s, but the run has no such pod",
		    x->is_workload ? "pods of" : "pod", x->obj);
	} else if (r->ok && (x->p50 >= 0 || x->p95 >= 0 || x->pmax >= 0)) {
		const int pcts[3] = { 50, 95, 100 };
		const int64_t lim[3] = { x->p50, x->p95, x->pmax };

		qsort(pend, n, sizeof(*pend), stats_cmp_i64);
		for (int k = 0; k < 3 && r->ok; k++) {
			int64_t v = stats_percentile(pend, n, pcts[k]);

			if (lim[k] < 0 || v <= lim[k])
				continue;
			r->ok = 0;
			snprintf(r->msg, sizeof(r->msg), "expected the %s pending time of %s at most %s, "
			    "but it was %s over %zu pods", k == 2 ? "maximum" : k ? "p95" : "p50", x->obj,
			    dur(lim[k], a, sizeof(a)), dur(v, b, sizeof(b)), n);
		}
	}
	if (r->ok)
		snprintf(r->msg, sizeof(r->msg), "%zu pod%s as expected", matched, matched == 1 ? "" : "s");
	free(pend);
}

static json_t *
find_named(json_t *arr, const char *name, const char *ns)
{
	json_t *o;
	size_t i;

	json_array_foreach(arr, i, o) {
		const char *n = jstr(o, "name"), *s = jstr(o, "namespace");

		if (n != NULL && strcmp(n, name) == 0 && (ns == NULL || s == NULL || strcmp(s, ns) == 0))
			return o;
	}
	return NULL;
}

static void
eval_hpa(const struct expectation *x, json_t *rep, struct expect_result *r)
{
	json_t *h = find_named(json_object_get(rep, "hpas"), x->obj, x->ns), *samples, *s;
	int64_t at_val = -1, mx = -1, mn = -1, mx_at = 0, mn_at = 0;
	int64_t from = x->from_ms >= 0 ? x->from_ms : 0;
	int64_t until = x->until_ms >= 0 ? x->until_ms : INT64_MAX;
	char t[32];
	size_t i;

	r->ok = 0;
	if (h == NULL) {
		snprintf(r->msg, sizeof(r->msg), "expected HPA %s, but the run has no such HPA", x->obj);
		return;
	}
	samples = json_object_get(h, "samples");
	json_array_foreach(samples, i, s) {
		int64_t at = jint(s, "at_ms"), d = jint(s, "desired_replicas");

		if (x->at_ms >= 0 && at <= x->at_ms)
			at_val = d;
		if (at < from || at > until)
			continue;
		if (mx < 0 || d > mx) {
			mx = d;
			mx_at = at;
		}
		if (mn < 0 || d < mn) {
			mn = d;
			mn_at = at;
		}
	}
	if (x->replicas >= 0 && at_val != x->replicas) {
		snprintf(r->msg, sizeof(r->msg), "expected HPA %s at %lld replicas at %s, but it was at %lld",
		    x->obj, (long long)x->replicas, fmt_time(x->at_ms, t, sizeof(t)), (long long)at_val);
		return;
	}
	if (x->max_replicas >= 0 && mx > x->max_replicas) {
		snprintf(r->msg, sizeof(r->msg), "expected HPA %s at most %lld replicas, but it wanted %lld at %s",
		    x->obj, (long long)x->max_replicas, (long long)mx, fmt_time(mx_at, t, sizeof(t)));
		return;
	}
	if (x->min_replicas >= 0 && mn >= 0 && mn < x->min_replicas) {
		snprintf(r->msg, sizeof(r->msg), "expected HPA %s at least %lld replicas, but it wanted %lld at %s",
		    x->obj, (long long)x->min_replicas, (long long)mn, fmt_time(mn_at, t, sizeof(t)));
		return;
	}
	r->ok = 1;
	snprintf(r->msg, sizeof(r->msg), "replicas between %lld and %lld", (long long)mn, (long long)mx);
}

static void
eval_vpa(const struct expectation *x, json_t *rep, struct expect_result *r)
{
	json_t *v = find_named(json_object_get(rep, "vpas"), x->obj, x->ns), *c, *tgt = NULL;
	char a[QTY_BUFSZ], b[QTY_BUFSZ];
	size_t i;

	r->ok = 0;
	if (v == NULL) {
		snprintf(r->msg, sizeof(r->msg), "expected VPA %s, but the run has no such VPA", x->obj);
		return;
	}
	json_array_foreach(json_object_get(v, "containers"), i, c) {
		const char *n = jstr(c, "name");

		if (x->container == NULL || (n != NULL && strcmp(n, x->container) == 0)) {
			tgt = json_object_get(c, "target");
			break;
		}
	}
	if (tgt == NULL) {
		snprintf(r->msg, sizeof(r->msg), "expected a recommendation for %s of VPA %s, but it has none",
		    x->container ? x->container : "a container", x->obj);
		return;
	}
	if (x->target_cpu_m >= 0 && jint(tgt, "cpu_m") != x->target_cpu_m) {
		snprintf(r->msg, sizeof(r->msg), "expected VPA %s target cpu %s, but it is %s", x->obj,
		    qty_format_cpu(x->target_cpu_m, a, sizeof(a)),
		    jstr(tgt, "cpu") ? jstr(tgt, "cpu") : qty_format_cpu(jint(tgt, "cpu_m"), b, sizeof(b)));
		return;
	}
	if (x->target_mem_b >= 0 && jint(tgt, "memory_bytes") != x->target_mem_b) {
		snprintf(r->msg, sizeof(r->msg), "expected VPA %s target memory %s, but it is %s", x->obj,
		    qty_format_bytes(x->target_mem_b, QTY_DECIMAL_SI, a, sizeof(a)),
		    jstr(tgt, "memory") ? jstr(tgt, "memory") : "none");
		return;
	}
	r->ok = 1;
	snprintf(r->msg, sizeof(r->msg), "target cpu %s, memory %s", jstr(tgt, "cpu") ? jstr(tgt, "cpu") : "-",
	    jstr(tgt, "memory") ? jstr(tgt, "memory") : "-");
}

static int
node_in(const struct expectation *x, json_t *n)
{
	const char *g = jstr(n, "group");

	return x->obj == NULL || (g != NULL && strcmp(g, x->obj) == 0);
}

static void
eval_nodes(const struct expectation *x, json_t *rep, struct expect_result *r)
{
	json_t *nodes = json_object_get(rep, "nodes"), *n;
	int64_t at_count = 0, peak = 0, peak_at = 0;
	size_t i, j;
	char t[32];
	const char *what = x->obj ? x->obj : "the cluster";

	/* the count only changes when a node launches: check at every launch */
	json_array_foreach(nodes, i, n) {
		int64_t l = jint(n, "launched_at_ms"), g = jint(n, "terminated_at_ms"), cnt = 0;
		json_t *m;

		if (!node_in(x, n))
			continue;
		if (x->itype != NULL && (jstr(n, "instance_type") == NULL ||
		    strcmp(jstr(n, "instance_type"), x->itype) != 0)) {
			r->ok = 0;
			snprintf(r->msg, sizeof(r->msg), "expected every node of %s to be %s, but %s "
			    "is %s", what, x->itype, jstr(n, "name"),
			    jstr(n, "instance_type") ? jstr(n, "instance_type") : "of no catalog type");
			return;
		}
		if (x->at_ms >= 0 && l <= x->at_ms && (g < 0 || g > x->at_ms))
			at_count++;
		json_array_foreach(nodes, j, m) {
			int64_t ml = jint(m, "launched_at_ms"), mg = jint(m, "terminated_at_ms");

			if (node_in(x, m) && ml <= l && (mg < 0 || mg > l))
				cnt++;
		}
		if (cnt > peak) {
			peak = cnt;
			peak_at = l;
		}
	}
	r->ok = 0;
	if (x->count >= 0 && at_count != x->count) {
		snprintf(r->msg, sizeof(r->msg), "expected %lld nodes in %s at %s, but there were %lld",
		    (long long)x->count, what, fmt_time(x->at_ms, t, sizeof(t)), (long long)at_count);
		return;
	}
	if (x->max_nodes >= 0 && peak > x->max_nodes) {
		snprintf(r->msg, sizeof(r->msg), "expected at most %lld nodes in %s, but there were %lld at %s",
		    (long long)x->max_nodes, what, (long long)peak, fmt_time(peak_at, t, sizeof(t)));
		return;
	}
	r->ok = 1;
	snprintf(r->msg, sizeof(r->msg), "at most %lld nodes%s%s", (long long)peak,
	    x->itype ? ", all " : "", x->itype ? x->itype : "");
}

static void
eval_cost(const struct expectation *x, json_t *rep, struct expect_result *r)
{
	json_t *c = json_object_get(json_object_get(rep, "cost"), "total_usd");
	int64_t total = (int64_t)(json_number_value(c) * 1e9 + 0.5), end = jint(rep, "duration_ms");
	int64_t per_h = end > 0 ? (int64_t)((double)total * 3600000.0 / (double)end + 0.5) : total;
	char a[32], b[32];

	r->ok = 0;
	if (x->max_cost_nusd >= 0 && total > x->max_cost_nusd) {
		snprintf(r->msg, sizeof(r->msg), "expected a total cost of at most %s USD, but it was %s USD",
		    fmt_usd(x->max_cost_nusd, a, sizeof(a)), fmt_usd(total, b, sizeof(b)));
		return;
	}
	if (x->max_cost_h_nusd >= 0 && per_h > x->max_cost_h_nusd) {
		snprintf(r->msg, sizeof(r->msg), "expected a cost of at most %s USD per hour, but it was %s USD per hour",
		    fmt_usd(x->max_cost_h_nusd, a, sizeof(a)), fmt_usd(per_h, b, sizeof(b)));
		return;
	}
	r->ok = 1;
	snprintf(r->msg, sizeof(r->msg), "%s USD, %s USD per hour", fmt_usd(total, a, sizeof(a)),
	    fmt_usd(per_h, b, sizeof(b)));
}

static void
eval_maxpending(const struct expectation *x, json_t *rep, struct expect_result *r)
{
	json_t *pods = json_object_get(rep, "pods"), *p;
	int64_t end = jint(rep, "duration_ms"), worst = -1;
	const char *who = NULL;
	char a[32], b[32];
	size_t i;

	json_array_foreach(pods, i, p) {
		int64_t c = jint(p, "created_at_ms"), s = jint(p, "scheduled_at_ms");
		int64_t d = jint(p, "deleted_at_ms");
		int64_t until = s >= 0 ? s : d >= 0 ? d : end;

		if (until - c > worst) {
			worst = until - c;
			who = jstr(p, "name");
		}
	}
	r->ok = worst <= x->max_pending;
	if (r->ok)
		snprintf(r->msg, sizeof(r->msg), "longest pending %s", dur(worst < 0 ? 0 : worst, a, sizeof(a)));
	else
		snprintf(r->msg, sizeof(r->msg), "expected no pod Pending longer than %s, but %s was "
		    "Pending for %s", dur(x->max_pending, a, sizeof(a)), who ? who : "?",
		    dur(worst, b, sizeof(b)));
}

/* The cheapest option of a `ksim plan nodes` report. */
static void
eval_plan(const struct expectation *x, json_t *rep, struct expect_result *r)
{
	json_t *b = json_object_get(rep, "cheapest");
	const char *it = jstr(b, "instance_type");
	int64_t cost = (int64_t)(json_number_value(json_object_get(b, "cost_usd")) * 1e9 + 0.5);
	int64_t nodes = jint(b, "nodes");
	char a[32], c[32];

	r->ok = 0;
	if (!json_is_object(b) || it == NULL) {
		snprintf(r->msg, sizeof(r->msg), "expected a cheapest option that serves every pod, "
		    "but none of the candidates does");
		return;
	}
	if (x->itype != NULL && strcmp(it, x->itype) != 0) {
		snprintf(r->msg, sizeof(r->msg), "expected the cheapest option to be %s, but it is %s",
		    x->itype, it);
		return;
	}
	if (x->not_itype != NULL && strcmp(it, x->not_itype) == 0) {
		snprintf(r->msg, sizeof(r->msg), "expected the cheapest option not to be %s, but it is",
		    x->not_itype);
		return;
	}
	if (x->max_cost_nusd >= 0 && cost > x->max_cost_nusd) {
		snprintf(r->msg, sizeof(r->msg), "expected the cheapest option to cost at most %s USD, "
		    "but %s costs %s USD", fmt_usd(x->max_cost_nusd, a, sizeof(a)), it,
		    fmt_usd(cost, c, sizeof(c)));
		return;
	}
	if (x->max_nodes >= 0 && nodes > x->max_nodes) {
		snprintf(r->msg, sizeof(r->msg), "expected the cheapest option to need at most %lld "
		    "nodes, but %s needs %lld", (long long)x->max_nodes, it, (long long)nodes);
		return;
	}
	r->ok = 1;
	snprintf(r->msg, sizeof(r->msg), "%lld x %s, %s USD", (long long)nodes, it,
	    fmt_usd(cost, a, sizeof(a)));
}

/* ---- decisions (the report's decisions[], explain/record.c) ---- */

static int
dec_obj_matches(const struct expectation *x, const char *obj)
{
	size_t l = strlen(x->obj);

	if (obj == NULL)
		return 0;
	if (l > 0 && x->obj[l - 1] == '*')
		return strncmp(obj, x->obj, l - 1) == 0;
	return strcmp(obj, x->obj) == 0;
}

/* The rule's name, or the upstream reason its message starts with ("ScaleDownStabilized: ..."). */
static int
dec_rule_is(const char *rule, const char *msg, const char *want)
{
	size_t l = strlen(want);

	return strcmp(rule, want) == 0 ||
	    (msg != NULL && strncmp(msg, want, l) == 0 && (msg[l] == '\0' || msg[l] == ':'));
}

static int
dec_matches(const struct expectation *x, json_t *d)
{
	const char *by = jstr(d, "by"), *msg = jstr(d, "message"), *rule = jstr(d, "rule");

	return dec_obj_matches(x, jstr(d, "object")) && rule != NULL &&
	    dec_rule_is(rule, msg, x->rule) &&
	    (x->by == NULL || (by != NULL && strstr(by, x->by) != NULL)) &&
	    (x->message == NULL || (msg != NULL && strstr(msg, x->message) != NULL));
}

/* Record i holds at t: it began by t and no later record of its object and controller did. */
static int
dec_holds_at(json_t *arr, size_t i, int64_t t)
{
	json_t *d = json_array_get(arr, i);
	const char *obj = jstr(d, "object"), *ctl = jstr(d, "controller");

	if (jint(d, "at_ms") > t)
		return 0;
	for (size_t k = i + 1; k < json_array_size(arr); k++) {
		json_t *e = json_array_get(arr, k);

		if (jint(e, "at_ms") > t)
			break;
		if (strcmp(jstr(e, "object"), obj) == 0 && strcmp(jstr(e, "controller"), ctl) == 0)
			return 0;
	}
	return 1;
}

static void
eval_decision(const struct expectation *x, json_t *rep, struct expect_result *r)
{
	json_t *arr = json_object_get(rep, "decisions");
	int64_t first = -1, last = -1;
	size_t n = 0, i;
	int at_ok = 0;
	char a[32], b[32], c[32], d2[32];
	json_t *d;

	json_array_foreach(arr, i, d) {
		if (!dec_matches(x, d))
			continue;
		if (n++ == 0)
			first = jint(d, "at_ms");
		last = jint(d, "until_ms");
		if (x->at_ms >= 0 && !at_ok)
			at_ok = dec_holds_at(arr, i, x->at_ms);
	}
	r->ok = x->never ? n == 0 : n > 0 && (x->at_ms < 0 || at_ok) &&
	    (x->since_ms < 0 || first == x->since_ms) && (x->until_ms < 0 || last == x->until_ms);
	if (n == 0) {
		snprintf(r->msg, sizeof(r->msg), "%s: %s %s", x->obj, x->rule,
		    x->never ? "never decided" : "was never decided");
		return;
	}
	if (x->never) {
		snprintf(r->msg, sizeof(r->msg), "%s: %s decided %zu time(s), first at %s",
		    x->obj, x->rule, n, dur(first, a, sizeof(a)));
		return;
	}
	if (x->at_ms >= 0 && !at_ok) {
		snprintf(r->msg, sizeof(r->msg), "%s: %s did not hold at %s (first at %s, last %s)",
		    x->obj, x->rule, dur(x->at_ms, a, sizeof(a)), dur(first, b, sizeof(b)),
		    dur(last, c, sizeof(c)));
		return;
	}
	snprintf(r->msg, sizeof(r->msg), "%s: %s from %s until %s (%zu record(s))%s%s%s%s", x->obj,
	    x->rule, dur(first, a, sizeof(a)), dur(last, b, sizeof(b)), n,
	    r->ok || x->since_ms < 0 ? "" : ", expected from ",
	    r->ok || x->since_ms < 0 ? "" : dur(x->since_ms, c, sizeof(c)),
	    r->ok || x->until_ms < 0 ? "" : ", expected until ",
	    r->ok || x->until_ms < 0 ? "" : dur(x->until_ms, d2, sizeof(d2)));
}

int
expect_reads(const struct expect_set *s, enum expect_ctx ctx, const char *key)
{
	for (size_t i = 0; s != NULL && i < s->n; i++) {
		const struct expectation *x = &s->v[i];

		if ((x->kind == EX_PLAN) != (ctx == EXPECT_PLAN))
			continue;	/* skipped: reads nothing */
		if ((x->kind == EX_POD || x->kind == EX_MAXPENDING) && strcmp(key, "pods") == 0)
			return 1;
		if (x->kind == EX_NODES && strcmp(key, "nodes") == 0)
			return 1;
		if (x->kind == EX_DECISION && strcmp(key, "decisions") == 0)
			return 1;
	}
	return 0;
}

void
expect_eval(const struct expect_set *s, json_t *rep, enum expect_ctx ctx,
    struct expect_result *res)
{
	for (size_t i = 0; s != NULL && i < s->n; i++) {
		const struct expectation *x = &s->v[i];
		struct expect_result *r = &res[i];

		memset(r, 0, sizeof(*r));
		r->name = x->name;
		r->mark = x->mark;
		if ((x->kind == EX_PLAN) != (ctx == EXPECT_PLAN)) {
			r->ok = r->skipped = 1;
			snprintf(r->msg, sizeof(r->msg), "evaluated by %s",
			    x->kind == EX_PLAN ? "ksim plan nodes" : "ksim run and ksim check");
			continue;
		}
		switch (x->kind) {
		case EX_PLAN:
			eval_plan(x, rep, r);
			break;
		case EX_POD:
			eval_pod(x, rep, r);
			break;
		case EX_HPA:
			eval_hpa(x, rep, r);
			break;
		case EX_VPA:
			eval_vpa(x, rep, r);
			break;
		case EX_NODES:
			eval_nodes(x, rep, r);
			break;
		case EX_COST:
			eval_cost(x, rep, r);
			break;
		case EX_MAXPENDING:
			eval_maxpending(x, rep, r);
			break;
		case EX_DECISION:
			eval_decision(x, rep, r);
			break;
		}
	}
}
