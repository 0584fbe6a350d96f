/*
 * cmd/explain.c: `ksim explain FILE... OBJECT [--at TIME]`: run the
 * scenario with the decision log on (explain/record.c) and print one
 * object's decisions: each with its time span, the controller, the rule
 * (the upstream word), its wording and inputs.
 *
 * OBJECT is kind/name or kind/namespace/name: pod, node, nodeclaim, hpa,
 * vpa, nodegroup, nodepool, or a workload (deploy, sts, rs, job, ds,
 * notebook), whose pods are summarised one line each, then their
 * decisions.  A node's NodeClaim (Karpenter) is explained with it.  An
 * object the run does not know is an error that lists the nearest names
 * (Levenshtein distance over every object the run knows), CMD_BAD.
 *
 * --at TIME keeps the decisions made by TIME and marks, per controller,
 * the one in force then ("*").  -o json prints the same as one object:
 * { object, state, decisions[] } with decisions as in the run report.
 */
#include "cmd/cmd.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "explain/explain.h"
#include "run/run.h"
#include "util/duration.h"
#include "util/fmt.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define EXPLAIN_MAX_PODS	10	/* a workload's pods listed one line each */

struct explain_opts {
	int64_t		 at_ms;		/* --at, -1 = the end of the run */
};

/* The words of OBJECT's kind and what the log calls them. */
static const struct {
	const char	*word;		/* as typed */
	const char	*kind;		/* the log's kind, or NULL for a workload */
	int		 wl;		/* enum wl_kind when kind is NULL */
	int		 namespaced;	/* NS/NAME rather than NAME */
} kinds[] = {
	{ "pod", "pod", 0, 1 }, { "po", "pod", 0, 1 },
	{ "node", "node", 0, 0 }, { "no", "node", 0, 0 },
	{ "nodeclaim", "nodeclaim", 0, 0 },
	{ "hpa", "hpa", 0, 1 }, { "horizontalpodautoscaler", "hpa", 0, 1 },
	{ "vpa", "vpa", 0, 1 }, { "verticalpodautoscaler", "vpa", 0, 1 },
	{ "nodegroup", "nodegroup", 0, 0 }, { "nodepool", "nodepool", 0, 0 },
	{ "deploy", NULL, WL_DEPLOYMENT, 1 }, { "deployment", NULL, WL_DEPLOYMENT, 1 },
	{ "rs", NULL, WL_REPLICASET, 1 }, { "replicaset", NULL, WL_REPLICASET, 1 },
	{ "sts", NULL, WL_STATEFULSET, 1 }, { "statefulset", NULL, WL_STATEFULSET, 1 },
	{ "job", NULL, WL_JOB, 1 }, { "ds", NULL, WL_DAEMONSET, 1 },
	{ "daemonset", NULL, WL_DAEMONSET, 1 }, { "notebook", NULL, WL_NOTEBOOK, 1 },
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

static void *
explain_priv_new(void)
{
	struct explain_opts *e = xcalloc(1, sizeof(*e));

	e->at_ms = -1;
	return e;
}

static int
explain_option(struct cmd_args *a, enum cmd_opt id, const char *arg)
{
	struct explain_opts *e = a->priv;
	struct ks_error err;

	if (id != OPT_AT)
		return -1;
	ks_error_clear(&err);
	if (ks_duration_parse(arg, &e->at_ms, &err, NULL) != 0 || e->at_ms < 0) {
		fprintf(stderr, "ksim: --at: expected a duration such as 10m, found \"%s\"\n", arg);
		return -1;
	}
	return 0;
}

/* Levenshtein distance of a and b (short names: two rows on the stack or heap). */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), *prev, *cur, d;

	prev = xcalloc(lb + 1, sizeof(*prev));
	cur = xcalloc(lb + 1, sizeof(*cur));
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *t;

		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	d = prev[lb];
	free(prev);
	free(cur);
	return d;
}

/* Every name the run knows, interned, for the nearest-name list. */
struct names {
	const char	**v;
	size_t		 n, cap;
};

static void
names_add(struct names *nm, const char *s)
{
	s = intern(s);
	for (size_t i = 0; i < nm->n; i++)
		if (nm->v[i] == s)
			return;
	VEC_PUSH(nm->v, nm->n, nm->cap, s);
}

static void
names_collect(struct ks_run *r, struct names *nm)
{
	struct ks_cluster *c = &r->cluster;
	char buf[700];

	for (size_t i = 0; i < c->nnodes; i++) {
		snprintf(buf, sizeof(buf), "node/%s", c->nodes[i]->name);
		names_add(nm, buf);
	}
	for (size_t i = 0; i < c->npods; i++)
		names_add(nm, pod_ref(c->pods[i], buf, sizeof(buf)));
	for (size_t i = 0; i < c->nwls; i++) {
		const struct ks_workload *w = c->wls[i];
		const char *word = NULL;

		for (size_t k = 0; k < NKINDS && word == NULL; k++)
			if (kinds[k].kind == NULL && kinds[k].wl == (int)w->kind)
				word = kinds[k].word;
		if (word == NULL)
			continue;
		snprintf(buf, sizeof(buf), "%s/%s/%s", word, w->ns, w->name);
		names_add(nm, buf);
	}
	for (size_t i = 0; i < r->xp->n; i++)
		names_add(nm, r->xp->v[i].obj);
}

static void
say_unknown(struct ks_run *r, const char *obj)
{
	struct names nm = { 0 };
	size_t best[5], nbest = 0;

	names_collect(r, &nm);
	for (size_t i = 0; i < nm.n; i++) {
		size_t d = edit_distance(obj, nm.v[i]), k;

		/* keep the five nearest, ties in the run's order */
		for (k = nbest; k > 0 && edit_distance(obj, nm.v[best[k - 1]]) > d; k--)
			if (k < 5)
				best[k] = best[k - 1];
		if (k < 5) {
			best[k] = i;
			if (nbest < 5)
				nbest++;
		}
	}
	fprintf(stderr, "ksim: explain: no object %s in the run", obj);
	for (size_t k = 0; k < nbest; k++)
		fprintf(stderr, "%s%s", k ? ", " : "; the nearest: ", nm.v[best[k]]);
	fputc('\n', stderr);
	free(nm.v);
}

/* The subject: what OBJECT names, resolved against the run. */
struct subject {
	char			 ref[600];	/* the log's name: "pod/NS/NAME" */
	const char		*kind;		/* the log's kind, NULL for a workload */
	struct ks_pod		*pod;		/* pod/ */
	struct ks_node		*node;		/* node/ */
	struct ks_workload	*wl;		/* a workload */
	char			 claim[600];	/* node/: its NodeClaim's name in the log, or "" */
};

static int	subject_has(struct ks_run *, const struct subject *, const struct xp_rec *);

/* 0, or -1 when the OBJECT is malformed (said) or unknown (said, with the nearest names). */
static int
subject_resolve(struct ks_run *r, const char *arg, struct subject *s)
{
	struct ks_cluster *c = &r->cluster;
	const char *slash = strchr(arg, '/'), *rest;
	char word[64], ns[256] = "", name[300] = "";
	size_t k;

	memset(s, 0, sizeof(*s));
	if (slash == NULL || (size_t)(slash - arg) >= sizeof(word)) {
		fprintf(stderr, "ksim: explain: expected OBJECT as kind/name or kind/namespace/name "
		    "(pod/default/web-0, node/NAME, hpa/default/web), found \"%s\"\n", arg);
		return -1;
	}
	memcpy(word, arg, (size_t)(slash - arg));
	word[slash - arg] = '\0';
	for (k = 0; k < NKINDS && strcmp(kinds[k].word, word) != 0; k++)
		;
	if (k == NKINDS) {
		fprintf(stderr, "ksim: explain: unknown kind \"%s\": expected pod, node, nodeclaim, "
		    "hpa, vpa, nodegroup, nodepool, deploy, sts, rs, job, ds or notebook\n", word);
		return -1;
	}
	rest = slash + 1;
	if (kinds[k].namespaced) {
		const char *s2 = strchr(rest, '/');

		if (s2 == NULL) {
			snprintf(ns, sizeof(ns), "default");
			snprintf(name, sizeof(name), "%s", rest);
		} else {
			snprintf(ns, sizeof(ns), "%.*s", (int)(s2 - rest), rest);
			snprintf(name, sizeof(name), "%s", s2 + 1);
		}
	} else {
		snprintf(name, sizeof(name), "%s", rest);
	}
	s->kind = kinds[k].kind;
	if (s->kind == NULL) {
		s->wl = cluster_workload_find(c, (enum wl_kind)kinds[k].wl, intern(ns), intern(name));
		snprintf(s->ref, sizeof(s->ref), "%s/%s/%s", word, ns, name);
		if (s->wl == NULL)
			goto unknown;
		return 0;
	}
	if (kinds[k].namespaced)
		snprintf(s->ref, sizeof(s->ref), "%s/%s/%s", s->kind, ns, name);
	else
		snprintf(s->ref, sizeof(s->ref), "%s/%s", s->kind, name);
	if (strcmp(s->kind, "pod") == 0)
		s->pod = cluster_pod_find(c, intern(ns), intern(name));
	if (strcmp(s->kind, "node") == 0)
		s->node = cluster_node_find(c, name);
	if (s->node != NULL && s->node->owner_kind == NODE_OWNER_NODECLAIM) {
		/* Karpenter notes the node's launch by its NodeClaim */
		for (size_t i = 0; i < r->xp->n; i++) {
			const struct xp_rec *x = &r->xp->v[i];

			if (x->rule == XR_NODE_LAUNCHED && x->by != NULL &&
			    strcmp(x->obj, s->ref) == 0 && strncmp(x->by, "nodeclaim/", 10) == 0)
				snprintf(s->claim, sizeof(s->claim), "%s", x->by);
		}
	}
	if (s->pod != NULL || s->node != NULL)
		return 0;
	for (size_t i = 0; i < r->xp->n; i++)
		if (subject_has(r, s, &r->xp->v[i]))
			return 0;
unknown:
	say_unknown(r, s->ref);
	return -1;
}

/*
 * Does record x belong to the subject?  Its own records (a VPA's are per
 * container, "vpa/NS/NAME/CONTAINER"), a node's NodeClaim's, a workload's
 * pods', and for a VPA, node group or NodePool the records they decided
 * (the pods the VPA kept or evicted, the nodes and claims they launched).
 */
static int
subject_has(struct ks_run *r, const struct subject *s, const struct xp_rec *x)
{
	size_t l = strlen(s->ref);

	if (strcmp(x->obj, s->ref) == 0 || (s->claim[0] != '\0' && strcmp(x->obj, s->claim) == 0))
		return 1;
	if (s->kind != NULL && strcmp(s->kind, "vpa") == 0 && strncmp(x->obj, s->ref, l) == 0 &&
	    x->obj[l] == '/')
		return 1;
	if (s->kind != NULL && (strcmp(s->kind, "vpa") == 0 || strcmp(s->kind, "nodegroup") == 0 ||
	    strcmp(s->kind, "nodepool") == 0) && x->by != NULL && strcmp(x->by, s->ref) == 0)
		return 1;
	if (s->wl != NULL && strncmp(x->obj, "pod/", 4) == 0) {
		const char *ns = x->obj + 4, *sl = strchr(ns, '/');
		struct ks_pod *p;

		if (sl == NULL)
			return 0;
		p = cluster_pod_find(&r->cluster, intern_n(ns, (size_t)(sl - ns)), sl + 1);
		return p != NULL && p->owner == s->wl;
	}
	return 0;
}

/* Is record i the one its object and controller had in force at t? */
static int
in_force(const struct xp_log *x, size_t i, int64_t t)
{
	const struct xp_rec *a = &x->v[i];

	for (size_t k = i + 1; k < x->n && x->v[k].first_ms <= t; k++)
		if (x->v[k].obj == a->obj && xp_rules[x->v[k].rule].ctl == xp_rules[a->rule].ctl)
			return 0;
	return a->first_ms <= t;
}

static void
pod_line(FILE *fp, const struct ks_cluster *c, const struct ks_pod *p)
{
	char a[32], b[32], ref[600];

	fprintf(fp, "%s: %s, created %s", pod_ref(p, ref, sizeof(ref)), pod_phase_name[p->phase],
	    fmt_time(p->created_ms, a, sizeof(a)));
	if (p->scheduled_ms >= 0)
		fprintf(fp, ", bound %s to node/%s", fmt_time(p->scheduled_ms, b, sizeof(b)),
		    c->nodes[p->node]->name);
	else
		fputs(", never bound", fp);
	fputc('\n', fp);
}

static void
node_line(FILE *fp, const struct ks_node *n)
{
	char a[32], b[32], c[32];

	fprintf(fp, "node/%s: %s%s%s%s, launched %s", n->name, n->itype ? n->itype->name : "",
	    n->spot ? " spot" : "", n->group ? ", group " : "", n->group ? n->group : "",
	    fmt_time(n->launched_ms, a, sizeof(a)));
	if (n->ready_ms >= 0 && n->state != NODE_NOTREADY)
		fprintf(fp, ", ready %s", fmt_time(n->ready_ms, b, sizeof(b)));
	if (n->gone_ms >= 0)
		fprintf(fp, ", removed %s (%s)", fmt_time(n->gone_ms, c, sizeof(c)),
		    n->removed_by ? n->removed_by : "");
	fputc('\n', fp);
}

/*
 * A workload's decisions, summarised: the records of its pods that say the
 * same (rule and wording; a bind's node aside), one line each with the
 * number of pods and the span from the first to the last.
 */
struct agg {
	const struct xp_rec	*rec;		/* the first such record */
	int64_t			 last_ms;	/* the latest last_ms */
	size_t			 npods;		/* records merged (one per pod and span) */
};

static void
print_wl_summary(FILE *fp, struct ks_run *r, const struct subject *s, int64_t at)
{
	const struct xp_log *x = r->xp;
	struct agg *v = NULL;
	size_t n = 0, cap = 0;
	char a[32], b[32];

	for (size_t i = 0; i < x->n; i++) {
		const struct xp_rec *rec = &x->v[i];
		size_t k;

		if (!subject_has(r, s, rec) || (at >= 0 && rec->first_ms > at))
			continue;
		for (k = 0; k < n; k++)
			if (v[k].rec->rule == rec->rule && v[k].rec->msg == rec->msg &&
			    (rec->rule == XR_BOUND || v[k].rec->by == rec->by))
				break;
		if (k == n) {
			VEC_GROW(v, n, cap);
			v[n++] = (struct agg){ rec, rec->last_ms, 0 };
		}
		v[k].npods++;
		if (rec->last_ms > v[k].last_ms)
			v[k].last_ms = rec->last_ms;
	}
	for (size_t k = 0; k < n; k++) {
		const struct xp_rule_info *ri = &xp_rules[v[k].rec->rule];

		fprintf(fp, "  %s-%s  %s  %s: %s", fmt_time(v[k].rec->first_ms, a, sizeof(a)),
		    fmt_time(v[k].last_ms, b, sizeof(b)), xp_ctl_name[ri->ctl], ri->name,
		    v[k].rec->msg != NULL ? v[k].rec->msg : ri->wording);
		if (v[k].rec->by != NULL && v[k].rec->rule != XR_BOUND)
			fprintf(fp, " [by %s]", v[k].rec->by);
		fprintf(fp, " (%zu record%s)\n", v[k].npods, v[k].npods == 1 ? "" : "s");
	}
	if (n == 0)
		fputs("  no decisions recorded\n", fp);
	free(v);
}

static void
print_text(FILE *fp, struct ks_run *r, const struct subject *s, int64_t at)
{
	struct ks_cluster *c = &r->cluster;
	const struct xp_log *x = r->xp;
	size_t shown = 0;

	if (s->pod != NULL)
		pod_line(fp, c, s->pod);
	else if (s->node != NULL)
		node_line(fp, s->node);
	else if (s->wl != NULL) {
		fprintf(fp, "%s: %s, %d replicas wanted at the end\n", s->ref,
		    wl_kind_name[s->wl->kind], s->wl->replicas);
		size_t npods = 0;

		for (size_t i = 0; i < c->npods; i++)
			if (c->pods[i]->owner == s->wl && npods++ < EXPLAIN_MAX_PODS) {
				fputs("  ", fp);
				pod_line(fp, c, c->pods[i]);
			}
		if (npods > EXPLAIN_MAX_PODS)
			fprintf(fp, "  ... and %zu more pods\n", npods - EXPLAIN_MAX_PODS);
		print_wl_summary(fp, r, s, at);
		return;
	} else
		fprintf(fp, "%s:\n", s->ref);
	for (size_t i = 0; i < x->n; i++) {
		const struct xp_rec *rec = &x->v[i];

		if (!subject_has(r, s, rec) || (at >= 0 && rec->first_ms > at))
			continue;
		if (at >= 0)
			fputs(in_force(x, i, at) ? "*" : " ", fp);
		if (strcmp(rec->obj, s->ref) != 0)
			fprintf(fp, "  %s:\n", rec->obj);
		xp_rec_print(fp, rec);
		shown++;
	}
	if (shown == 0)
		fputs("  no decisions recorded\n", fp);
}

static json_t *
make_json(struct ks_run *r, const struct subject *s, int64_t at)
{
	const struct xp_log *x = r->xp;
	json_t *o = json_object(), *arr = json_array();

	json_object_set_new(o, "object", json_string(s->ref));
	if (at >= 0)
		json_object_set_new(o, "at_ms", json_integer(at));
	for (size_t i = 0; i < x->n; i++) {
		const struct xp_rec *rec = &x->v[i];
		json_t *d;

		if (!subject_has(r, s, rec) || (at >= 0 && rec->first_ms > at))
			continue;
		d = xp_rec_json(rec);
		if (at >= 0)
			json_object_set_new(d, "in_force", json_boolean(in_force(x, i, at)));
		json_array_append_new(arr, d);
	}
	json_object_set_new(o, "decisions", arr);
	return o;
}

static enum cmd_status
explain_exec(struct cmd_args *a)
{
	struct explain_opts *e = a->priv;
	struct ksim_opts o = a->o;
	struct catalog *cat = NULL;
	struct ks_run *r = NULL;
	struct ks_error err;
	struct subject s;
	enum cmd_status st = CMD_OK;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	if (o.nfiles < 2) {
		fprintf(stderr, "ksim: explain: expected scenario FILE... and an OBJECT "
		    "(pod/NS/NAME, node/NAME, hpa/NS/NAME, ...)\n");
		return CMD_BAD;
	}
	o.nfiles--;		/* the last operand is the object */
	o.explain = 1;
	ks_error_clear(&err);
	if (ksim_catalog_load(&o, &cat, &err) != 0 || ksim_simulate(&o, cat, NULL, &r, &err) != 0) {
		st = cmd_error(&err);
		goto cleanup;
	}
	if (subject_resolve(r, o.files[o.nfiles], &s) != 0) {
		st = CMD_BAD;
		goto cleanup;
	}
	fp = open_memstream(&buf, &len);
	if (o.output == KSIM_JSON) {
		json_t *j = make_json(r, &s, e->at_ms);

		json_dumpf(j, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', fp);
		json_decref(j);
	} else
		print_text(fp, r, &s, e->at_ms);
	fclose(fp);
	st = cmd_write(&o, buf, len);
cleanup:
	free(buf);
	ksim_simulation_free(r);
	if (cat != NULL)
		catalog_free(cat);
	return st;
}

const struct cmd_entry cmd_explain_entry = {
	.name = "explain",
	.brief = "say why a pod, node, HPA, VPA or NodeClaim is as it is",
	.usage = "ksim explain [options] [--at DUR] FILE... OBJECT\n",
	.nofiles = "expected scenario FILE... and an OBJECT (pod/NS/NAME, node/NAME, ...)",
	.family = CMD_FAM_RUN,
	.opts = CMD_OPTS_SHARED | CMD_OPT(OPT_AT),
	.priv_new = explain_priv_new,
	.priv_free = free,
	.option = explain_option,
	.exec = explain_exec,
};
