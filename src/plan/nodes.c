/*
 * plan/nodes.c: `plan nodes`, the evaluation of each candidate.
 *
 * Which single instance type serves the scenario at the lowest
 * cost.  The Cluster Autoscaler and Karpenter were being written when this
 * was, so the ranked method is a static node group sized for the peak, not
 * an autoscaled one: (1) the scenario is simulated as written, and the peak
 * is the moment when the pods alive (created, not yet gone, DaemonSet pods
 * excluded) request the most cpu; (2) for each candidate, a pod that cannot
 * fit an empty node of the type (its EKS allocatable, minus the DaemonSet
 * pods that would run there) makes the type not viable, with the reason;
 * (3) the peak's pods are packed first-fit-decreasing (by cpu, then
 * memory) onto nodes of the type, which estimates the nodes needed; (4) the
 * scenario is simulated again with its capacity replaced by that many
 * nodes of the type (spec.nodes, Node objects, timeline node creations,
 * spec.nodeGroups and the ClusterConfig / NodePool / Provisioner documents
 * are swapped out for the run and put back before it is freed, and
 * snapshot pods lose their nodeName), and the count is grown one node at a
 * time, at most PLAN_GROW times, until no pod ever fails to schedule:
 * kube-scheduler's LeastAllocated spreading can need more nodes than the
 * packing.  Pods pinned to a node of the scenario by a hostname
 * nodeSelector cannot move and are left out (and counted).  The
 * candidates' simulations are independent, so they run in parallel
 * processes (-j, the worker pool of util/pool.c), each writing its
 * fixed-size result to its pool file; results are stored by candidate
 * index, so the output does not depend on
 * which finished first.  Cost = the nodes' bills over the scenario (per
 * second, 60 s minimum), so a static group costs nodes x price x duration.
 * --method ca replaces step (4): each candidate is one simulation with the
 * capacity replaced by an eksctl managed node group of the type from zero
 * nodes and a cluster-autoscaler Deployment of 0 replicas that turns CA on
 * (least-waste); nodes = the most alive at once, unschedulable = the pods
 * still Pending at the end.  --karpenter adds one more simulation, reported
 * beside the ranking: the capacity replaced by a karpenter.sh/v1 NodePool
 * allowing every candidate.  Both are written as YAML to a temporary file
 * given after the scenario's files (sim_extra()), so ca.c and karpenter.c
 * read them as they read any ClusterConfig or NodePool.
 *
 * Costs: `plan nodes` is one
 * simulation of the scenario plus, per viable candidate, O(pods x nodes)
 * filter calls for the packing and one to PLAN_GROW + 1 simulations.
 */
#include "plan/plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cloud/billing.h"
#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "cluster/quantity.h"
#include "cluster/sched.h"
#include "io/load.h"
#include "io/ytree.h"
#include "ksim.h"
#include "run/run.h"
#include "util/intern.h"
#include "util/pool.h"
#include "util/xmalloc.h"

#define PLAN_GROW	8		/* nodes added beyond the estimate, at most */

#define PLAN_CA_MAX	1000		/* --method ca: the node group's maxSize */

/* ---- nodes: replacing the scenario's capacity ---- */

/* Documents that bring capacity of their own: set aside for a candidate. */
static int
doc_brings_capacity(const struct ks_doc *d)
{
	/* but not the ones plan adds (the Karpenter row, --method ca) */
	if (strcmp(d->kind, "NodePool") == 0 || strcmp(d->kind, "ClusterConfig") == 0)
		return strcmp(d->name, PLAN_OWN) != 0;
	return strcmp(d->kind, "Provisioner") == 0;
}

/* A pod pinned to a node of the scenario by hostname cannot move. */
int
plan_pod_pinned(const struct ks_pod *p)
{
	return labels_get(&p->spec->node_selector, PLAN_HOSTNAME_KEY) != NULL;
}

int
plan_edit_region(struct ks_scenario *s, void *arg, struct ks_error *err)
{
	(void)err;
	s->region = arg;
	return 0;
}

static int
cand_apply(struct ks_scenario *s, void *arg, struct ks_error *err)
{
	struct plan_cand_edit *e = arg;

	(void)err;
	if (e->region != NULL)
		s->region = e->region;
	memset(&e->mine, 0, sizeof(e->mine));
	e->snodes = s->snodes;
	e->nsnodes = s->nsnodes;
	if (e->it != NULL) {
		e->mine.itype = intern(e->it->name);
		e->mine.count = e->count;
		e->mine.spot = e->spot;
		e->mine.prefix = intern(e->it->name);
		e->mine.mark = s->spec_mark;
		if (s->nsnodes > 0)
			labels_copy(&e->mine.labels, &s->snodes[0].labels);
		s->snodes = &e->mine;
		s->nsnodes = 1;
	} else {
		/* no static capacity at all (the Karpenter row) */
		s->snodes = NULL;
		s->nsnodes = 0;
	}
	e->nodes = s->nodes;
	e->nnodes = s->nnodes;
	s->nodes = NULL;
	s->nnodes = 0;
	e->act_nodes = xcalloc(s->nactions ? s->nactions : 1, sizeof(*e->act_nodes));
	e->act_type = xcalloc(s->nactions ? s->nactions : 1, sizeof(*e->act_type));
	for (size_t i = 0; i < s->nactions; i++) {
		struct ks_action *a = &s->actions[i];

		e->act_type[i] = a->type;
		e->act_nodes[i] = a->node;
		a->node = NULL;
		/* deleting a Node the candidate does not have: a no-op */
		if (a->type == ACT_DELETE && strcmp(a->kind, "Node") == 0)
			a->type = ACT_CREATE;
	}
	for (size_t i = 0; i < s->npods; i++) {
		s->pods[i]->node_name = NULL;
		if (s->pods[i]->spec != NULL)
			s->pods[i]->spec->node_name = NULL;
	}
	/* node groups (eksctl, spec.nodeGroups) and other NodePools go too */
	e->docs = s->docs;
	e->ndocs = s->ndocs;
	e->kept = xcalloc(s->ndocs ? s->ndocs : 1, sizeof(*e->kept));
	s->ndocs = 0;
	for (size_t i = 0; i < e->ndocs; i++)
		if (!doc_brings_capacity(e->docs[i]))
			e->kept[s->ndocs++] = e->docs[i];
	s->docs = e->kept;
	e->spec = s->spec;
	if (s->spec != NULL && s->spec->kind == YT_MAP) {
		e->myspec = *s->spec;
		e->myspec.pairs = xcalloc(s->spec->npairs ? s->spec->npairs : 1,
		    sizeof(*e->myspec.pairs));
		e->myspec.npairs = 0;
		for (size_t i = 0; i < s->spec->npairs; i++) {
			const struct yt_node *k = s->spec->pairs[i].key;

			if (k->kind == YT_SCALAR && strcmp(k->str, "nodeGroups") == 0)
				continue;
			e->myspec.pairs[e->myspec.npairs++] = s->spec->pairs[i];
		}
		s->spec = &e->myspec;
	}
	return 0;
}

static void
cand_undo(struct ks_scenario *s, void *arg)
{
	struct plan_cand_edit *e = arg;

	if (e->act_nodes == NULL)
		return;
	s->snodes = e->snodes;
	s->nsnodes = e->nsnodes;
	s->nodes = e->nodes;
	s->nnodes = e->nnodes;
	for (size_t i = 0; i < s->nactions; i++) {
		s->actions[i].node = e->act_nodes[i];
		s->actions[i].type = e->act_type[i];
	}
	s->docs = e->docs;
	s->ndocs = e->ndocs;
	s->spec = e->spec;
	labels_free(&e->mine.labels);
	free(e->act_nodes);
	free(e->act_type);
	free(e->kept);
	free(e->myspec.pairs);
	e->act_nodes = NULL;
	e->act_type = NULL;
	e->kept = NULL;
	e->myspec.pairs = NULL;
}

static int
pod_size_cmp(const void *x, const void *y)
{
	const struct ks_pod *a = *(struct ks_pod *const *)x, *b = *(struct ks_pod *const *)y;
	int d = plan_cmp_i64(b->req.v[RES_CPU], a->req.v[RES_CPU]);

	if (d == 0)
		d = plan_cmp_i64(b->req.v[RES_MEM], a->req.v[RES_MEM]);
	return d != 0 ? d : plan_cmp_i64(a->id, b->id);
}

static int64_t
pod_end(const struct ks_pod *p, int64_t end)
{
	return p->gone_ms >= 0 ? p->gone_ms : end;
}

/* The pods of the run as written, and the moment their requests peak. */
void
plan_nodes_ctx_peak(struct plan_nodes_ctx *nc)
{
	struct ks_cluster *c = &nc->base->cluster;
	int64_t end = nc->base->sim.now_ms, best = -1;

	nc->pods = xcalloc(c->npods ? c->npods : 1, sizeof(*nc->pods));
	nc->peak = xcalloc(c->npods ? c->npods : 1, sizeof(*nc->peak));
	for (size_t i = 0; i < c->npods; i++) {
		if (c->pods[i]->spec->is_daemon)
			continue;
		if (plan_pod_pinned(c->pods[i]))
			nc->npinned++;
		else
			nc->pods[nc->npods++] = c->pods[i];
	}
	qsort(nc->pods, nc->npods, sizeof(*nc->pods), pod_size_cmp);
	/* the sum only grows when a pod is created: try each creation time */
	for (size_t i = 0; i < nc->npods; i++) {
		int64_t t = nc->pods[i]->created_ms, sum = 0;

		for (size_t j = 0; j < nc->npods; j++) {
			const struct ks_pod *p = nc->pods[j];

			if (p->created_ms <= t && pod_end(p, end) > t)
				sum += p->req.v[RES_CPU];
		}
		if (sum > best || (sum == best && t < nc->peak_ms)) {
			best = sum;
			nc->peak_ms = t;
		}
	}
	memset(&nc->peak_req, 0, sizeof(nc->peak_req));
	for (size_t j = 0; j < nc->npods; j++) {
		struct ks_pod *p = nc->pods[j];

		if (p->created_ms <= nc->peak_ms && pod_end(p, end) > nc->peak_ms) {
			nc->peak[nc->npeak++] = p;
			res_add(&nc->peak_req, &p->req);
		}
	}
}

/* An empty node of the type, as EKS would create it, to try pods on. */
static struct ks_node *
template_node(struct plan_nodes_ctx *nc, const struct cat_itype *it, int spot)
{
	struct ks_run *r = nc->base;
	struct ks_node *n = run_node_new(r, it, run_zone(r, 0), spot, 0, "plan-template");
	const struct ks_scenario *s = r->scn;

	if (s->nsnodes > 0)
		for (size_t l = 0; l < s->snodes[0].labels.n; l++)
			labels_set(&n->labels, s->snodes[0].labels.v[l].key,
			    s->snodes[0].labels.v[l].val);
	return n;
}

/* Requests of the DaemonSet pods that would run on n. */
static void
daemon_extra(struct plan_nodes_ctx *nc, const struct ks_node *n, struct ks_res *extra)
{
	struct ks_cluster *c = &nc->base->cluster;

	memset(extra, 0, sizeof(*extra));
	for (size_t i = 0; i < c->nwls; i++) {
		const struct ks_workload *w = c->wls[i];
		struct sched_fit fit;
		struct plan_probe pr;

		if (w->kind != WL_DAEMONSET || w->deleted)
			continue;
		plan_probe_init(&pr, &w->spec, &w->spec.req, w->ns, w->name);
		if (sched_fits(c, &pr.pod, n, extra, NULL, &fit))
			res_add(extra, &w->spec.req);
	}
}

/* First-fit-decreasing of the peak's pods onto nodes like tmpl: nodes used. */
static int
pack_ffd(struct plan_nodes_ctx *nc, const struct ks_node *tmpl, const struct ks_res *ds)
{
	struct ks_cluster *c = &nc->base->cluster;
	struct ks_res *extra = xcalloc(nc->npeak + 1, sizeof(*extra));
	int *where = xcalloc(nc->npeak + 1, sizeof(int));
	size_t nn = 0;

	for (size_t i = 0; i < nc->npeak; i++) {
		struct plan_probe pr;
		struct sched_fit fit;
		int other = 0;
		size_t k;

		plan_probe_init(&pr, nc->peak[i]->spec, &nc->peak[i]->req, nc->peak[i]->ns,
		    nc->peak[i]->name);
		where[i] = -1;
		for (size_t j = 0; j < i; j++)
			if (where[j] >= 0 && plan_anti_between(&pr.pod, nc->peak[j]) == 2)
				other = 1;
		if (other)
			continue;	/* one per zone, and every node is in one zone */
		for (k = 0; k <= nn; k++) {
			int clash = 0;

			if (k == nn)
				extra[k] = *ds;
			for (size_t j = 0; j < i && !clash; j++)
				clash = where[j] == (int)k && plan_anti_between(&pr.pod, nc->peak[j]) == 1;
			if (!clash && sched_fits(c, &pr.pod, tmpl, &extra[k], NULL, &fit))
				break;
		}
		if (k > nn)
			continue;	/* fits no node of the type */
		if (k == nn)
			nn++;
		res_add(&extra[k], &nc->peak[i]->req);
		where[i] = (int)k;
	}
	free(extra);
	free(where);
	return nn > 0 ? (int)nn : 1;
}

/* The most nodes alive at once (at some node's launch). */
int
plan_nodes_max_alive(const struct ks_cluster *c)
{
	int best = 0;

	for (size_t i = 0; i < c->nnodes; i++) {
		int alive = 0;

		for (size_t j = 0; j < c->nnodes; j++)
			if (c->nodes[j]->launched_ms <= c->nodes[i]->launched_ms &&
			    (c->nodes[j]->gone_ms < 0 || c->nodes[j]->gone_ms > c->nodes[i]->launched_ms))
				alive++;
		if (alive > best)
			best = alive;
	}
	return best;
}

/*
 * Simulate the scenario edited by e with one more file holding `yaml`
 * (given after the scenario's files).  The file is removed once loaded.
 */
int
plan_sim_extra(struct plan_nodes_ctx *nc, struct plan_cand_edit *e, const char *yaml,
    struct ks_run **out, struct ks_error *err)
{
	struct ksim_opts o = *nc->o;
	struct ksim_edit ed = { cand_apply, cand_undo, e };
	const char **files;
	char path[64];
	FILE *fp;
	int fd, rc;

	*out = NULL;
	snprintf(path, sizeof(path), "/tmp/ksim-plan-XXXXXX.yaml");
	if ((fd = mkstemps(path, 5)) < 0)
		return ks_error_set(err, NULL, KS_EIO, "cannot create a temporary file: %s",
		    strerror(errno));
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
		return ks_error_set(err, NULL, KS_EIO, "cannot write %s: %s", path, strerror(errno));
	}
	fputs(yaml, fp);
	if (fclose(fp) != 0) {
		unlink(path);
		return ks_error_set(err, NULL, KS_EIO, "cannot write %s: %s", path, strerror(errno));
	}
	files = xcalloc(o.nfiles + 1, sizeof(*files));
	memcpy(files, o.files, o.nfiles * sizeof(*files));
	files[o.nfiles] = path;
	o.files = files;
	o.nfiles++;
	o.quiet = 1;
	rc = ksim_simulate(&o, nc->cat, &ed, out, err);
	unlink(path);
	free(files);
	return rc;
}

/* --method ca: the candidate as an autoscaled node group from zero. */
static char *
ca_yaml(const char *region, const struct cat_itype *it, int spot)
{
	return xasprintf(
	    "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\n"
	    "metadata: {name: %s, region: %s}\nmanagedNodeGroups:\n"
	    "  - {name: %s, instanceType: %s, minSize: 0, maxSize: %d, desiredCapacity: 0, "
	    "spot: %s}\n"
	    "---\napiVersion: apps/v1\nkind: Deployment\n"
	    "metadata: {name: %s-cluster-autoscaler, namespace: kube-system}\n"
	    "spec:\n  replicas: 0\n  selector: {matchLabels: {app: %s-cluster-autoscaler}}\n"
	    "  template:\n    metadata: {labels: {app: %s-cluster-autoscaler}}\n"
	    "    spec:\n      containers:\n        - name: cluster-autoscaler\n"
	    "          image: registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.0\n"
	    "          command: [./cluster-autoscaler, --cloud-provider=aws, "
	    "--expander=least-waste]\n",
	    PLAN_OWN, region, PLAN_OWN, it->name, PLAN_CA_MAX, spot ? "true" : "false",
	    PLAN_OWN, PLAN_OWN, PLAN_OWN);
}

/* What a candidate's simulation shows. */
static void
measure(struct ks_run *r, struct plan_option *opt, int autoscaled)
{
	struct ks_cluster *c = &r->cluster;
	int64_t end = r->sim.now_ms, best = -1, all = 0, late = 0;
	int any_late = 0, all_never = 0, late_never = 0;

	opt->unsched = 0;
	opt->cost_nusd = 0;
	for (size_t i = 0; i < c->nnodes; i++)
		opt->cost_nusd += billing_node_cost_nusd(c->nodes[i], end);
	for (size_t i = 0; i < c->npods; i++) {
		const struct ks_pod *p = c->pods[i];
		int64_t wait;

		if (p->spec->is_daemon || plan_pod_pinned(p))
			continue;
		/* an autoscaler acts on unschedulable pods: count what it left */
		if (autoscaled ? p->phase == POD_PENDING : p->unsched_since >= 0)
			opt->unsched++;
		wait = p->scheduled_ms >= 0 ? p->scheduled_ms - p->created_ms : -1;
		if (wait < 0)
			all_never = 1;
		else if (wait > all)
			all = wait;
		if (p->created_ms > 0) {
			/* the burst: pods created after the start */
			any_late = 1;
			if (wait < 0)
				late_never = 1;
			else if (wait > late)
				late = wait;
		}
	}
	if (any_late)
		opt->burst_ms = late_never ? -1 : late;
	else
		opt->burst_ms = all_never ? -1 : all;
	/* utilization at the moment bound requests peak */
	opt->peak_ms = 0;
	opt->cpu_pm = opt->mem_pm = 0;
	for (size_t i = 0; i < c->npods; i++) {
		int64_t t = c->pods[i]->scheduled_ms;
		struct ks_res req, alloc;

		if (t < 0)
			continue;
		memset(&req, 0, sizeof(req));
		memset(&alloc, 0, sizeof(alloc));
		for (size_t j = 0; j < c->npods; j++) {
			const struct ks_pod *p = c->pods[j];

			if (p->scheduled_ms >= 0 && p->scheduled_ms <= t && pod_end(p, end) > t)
				res_add(&req, &p->req);
		}
		if (req.v[RES_CPU] < best || (req.v[RES_CPU] == best && t >= opt->peak_ms))
			continue;
		for (size_t k = 0; k < c->nnodes; k++) {
			const struct ks_node *n = c->nodes[k];

			if (n->ready_ms >= 0 && n->ready_ms <= t && (n->gone_ms < 0 || n->gone_ms > t))
				res_add(&alloc, &n->alloc);
		}
		best = req.v[RES_CPU];
		opt->peak_ms = t;
		opt->cpu_pm = alloc.v[RES_CPU] > 0 ?
		    (int)((req.v[RES_CPU] * 1000 + alloc.v[RES_CPU] / 2) / alloc.v[RES_CPU]) : 0;
		opt->mem_pm = alloc.v[RES_MEM] > 0 ?
		    (int)((double)req.v[RES_MEM] * 1000.0 / (double)alloc.v[RES_MEM] + 0.5) : 0;
	}
}

/* Viability, packing and simulations of one candidate (in a child process). */
static void
option_eval(struct plan_nodes_ctx *nc, struct plan_option *opt)
{
	struct ks_cluster *c = &nc->base->cluster;
	struct ks_node *tmpl = template_node(nc, opt->it, opt->spot);
	struct ks_res ds;
	struct plan_option best;
	struct ksim_opts o = *nc->o;
	int have = 0;

	o.quiet = 1;
	daemon_extra(nc, tmpl, &ds);
	for (size_t i = 0; i < nc->npods; i++) {
		const struct ks_pod *p = nc->pods[i];
		struct plan_probe pr;
		struct sched_fit fit;
		char why[200];

		plan_probe_init(&pr, p->spec, &p->req, p->ns, p->name);
		if (sched_fits(c, &pr.pod, tmpl, &ds, NULL, &fit))
			continue;
		plan_fit_reason(&fit, why, sizeof(why));
		opt->viable = 0;
		snprintf(opt->why, sizeof(opt->why), "%s/%s does not fit an empty node: %s",
		    p->ns, p->name, why);
		return;
	}
	opt->est_nodes = pack_ffd(nc, tmpl, &ds);
	if (nc->method_ca) {
		struct plan_cand_edit e;
		struct ks_error err;
		struct ks_run *r;
		char *yaml = ca_yaml(nc->base->region, opt->it, opt->spot);

		memset(&e, 0, sizeof(e));
		e.region = nc->region;
		ks_error_clear(&err);
		if (plan_sim_extra(nc, &e, yaml, &r, &err) != 0) {
			opt->failed = 1;
			snprintf(opt->why, sizeof(opt->why), "the simulation failed: %.200s", err.msg);
		} else {
			measure(r, opt, 1);
			opt->nodes = plan_nodes_max_alive(&r->cluster);
			ksim_simulation_free(r);
		}
		free(yaml);
		return;
	}
	for (int k = opt->est_nodes; k <= opt->est_nodes + PLAN_GROW; k++) {
		struct plan_cand_edit e;
		struct ksim_edit ed = { cand_apply, cand_undo, &e };
		struct ks_error err;
		struct ks_run *r;
		struct plan_option cur = *opt;

		memset(&e, 0, sizeof(e));
		e.it = opt->it;
		e.spot = opt->spot;
		e.count = k;
		e.region = nc->region;
		ks_error_clear(&err);
		if (ksim_simulate(&o, nc->cat, &ed, &r, &err) != 0) {
			opt->failed = 1;
			snprintf(opt->why, sizeof(opt->why), "the simulation failed: %.200s", err.msg);
			return;
		}
		cur.nodes = k;
		measure(r, &cur, 0);
		ksim_simulation_free(r);
		if (!have || cur.unsched < best.unsched) {
			best = cur;
			have = 1;
		}
		if (cur.unsched == 0)
			break;
	}
	*opt = best;
}

/* plan_options_eval() under way: what the pool's callbacks share. */
struct eval {
	struct plan_nodes_ctx	*nc;		/* the candidates' context */
	struct plan_option	*opts;		/* the options, results stored by index */
	size_t			*idx;		/* job -> option index (the viable ones) */
};

static int
eval_job(size_t j, FILE *out, void *arg)
{
	struct eval *ev = arg;
	struct plan_option *opt = &ev->opts[ev->idx[j]];

	ks_warn_stream = NULL;
	option_eval(ev->nc, opt);
	return fwrite(opt, sizeof(*opt), 1, out) == 1 ? 0 : -1;
}

static void
eval_free(void *arg)
{
	free(((struct eval *)arg)->idx);
}

static int
eval_done(size_t j, const char *data, size_t len, int status, void *arg)
{
	struct eval *ev = arg;
	struct plan_option *opt = &ev->opts[ev->idx[j]];

	if (status == POOL_NOSTART) {
		/* no process to spare: evaluate here */
		option_eval(ev->nc, opt);
	} else if (len == sizeof(*opt) && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		memcpy(opt, data, sizeof(*opt));
	} else {
		opt->failed = 1;
		snprintf(opt->why, sizeof(opt->why), "the simulation process failed (status %d)",
		    status);
	}
	return 0;
}

/* Run option_eval for every viable option, `jobs` processes at a time. */
void
plan_options_eval(struct plan_nodes_ctx *nc, struct plan_option *opts, size_t n, int jobs)
{
	static const struct pool_ops ops = { eval_job, eval_free, eval_done };
	struct eval ev = { nc, opts, NULL };
	size_t nv = 0;

	if (jobs <= 1) {
		for (size_t i = 0; i < n; i++)
			if (opts[i].viable)
				option_eval(nc, &opts[i]);
		return;
	}
	ev.idx = xcalloc(n + 1, sizeof(*ev.idx));
	for (size_t i = 0; i < n; i++)
		if (opts[i].viable)
			ev.idx[nv++] = i;
	pool_run(nv, (size_t)jobs, &ops, &ev);
	free(ev.idx);
}
