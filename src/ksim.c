/*
 * ksim.c: one run, from files to report.
 *
 * Order of a run (all at simulated t=0 unless the timeline says otherwise):
 * static nodes and Node objects join Ready; workloads are declared; pods of
 * the snapshot are bound where spec.nodeName says and are Running; then
 * the workload controllers create what is missing, the autoscalers start
 * their loops, and the timeline's actions are scheduled.  The engine runs
 * to the scenario's duration; the report is written to a temporary file
 * and renamed, so a failed run never leaves half a report.
 */
#include "ksim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cloud/catalog.h"
#include "cluster/sched.h"
#include "io/expect.h"
#include "io/load.h"
#include "io/report.h"
#include "io/series.h"
#include "run.h"
#include "util/duration.h"
#include "util/intern.h"
#include "util/xmalloc.h"

const char *
run_zone(struct ks_run *r, int z)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s%c", r->region, 'a' + z % 26);
	return intern(buf);
}

struct ks_node *
run_node_new(struct ks_run *r, const struct cat_itype *it, const char *zone, int spot,
    int max_pods, const char *prefix)
{
	struct cat_resources cap, alloc;
	struct ks_node *n;
	char name[256];
	uint32_t k = ++r->node_seq;

	if (prefix != NULL)
		snprintf(name, sizeof(name), "%s-%u", prefix, k);
	else if (strcmp(r->region, "us-east-1") == 0)
		snprintf(name, sizeof(name), "ip-10-0-%u-%u.ec2.internal", k / 250, 10 + k % 250);
	else
		snprintf(name, sizeof(name), "ip-10-0-%u-%u.%s.compute.internal", k / 250,
		    10 + k % 250, r->region);
	n = cluster_node_new(&r->cluster, name);
	catalog_eks_node(it, max_pods, &cap, &alloc);
	n->cap.v[RES_CPU] = cap.cpu_m;
	n->cap.v[RES_MEM] = cap.memory_b;
	n->cap.v[RES_EPH] = cap.eph_b;
	n->cap.v[RES_PODS] = cap.pods;
	n->cap.v[RES_GPU] = cap.gpus;
	n->alloc.v[RES_CPU] = alloc.cpu_m;
	n->alloc.v[RES_MEM] = alloc.memory_b;
	n->alloc.v[RES_EPH] = alloc.eph_b;
	n->alloc.v[RES_PODS] = alloc.pods;
	n->alloc.v[RES_GPU] = alloc.gpus;
	n->itype = it;
	n->zone = zone;
	n->spot = spot;
	if (catalog_price(r->cat, r->region, it->name, spot, &n->price_nusd_h) != 0)
		n->price_nusd_h = 0;
	labels_set(&n->labels, "kubernetes.io/hostname", n->name);
	labels_set(&n->labels, "kubernetes.io/os", "linux");
	labels_set(&n->labels, "kubernetes.io/arch", it->arch);
	labels_set(&n->labels, "node.kubernetes.io/instance-type", it->name);
	labels_set(&n->labels, "topology.kubernetes.io/region", r->region);
	labels_set(&n->labels, "topology.kubernetes.io/zone", zone);
	labels_set(&n->labels, "karpenter.sh/capacity-type", spot ? "spot" : "on-demand");
	labels_set(&n->labels, "eks.amazonaws.com/capacityType", spot ? "SPOT" : "ON_DEMAND");
	return n;
}

static void
node_add_taints(struct ks_node *n, const struct ks_taint *t, size_t nt)
{
	if (nt == 0)
		return;
	n->taints = xreallocarray(n->taints, n->ntaints + nt, sizeof(*n->taints));
	memcpy(n->taints + n->ntaints, t, nt * sizeof(*t));
	n->ntaints += nt;
}

static void
create_node_def(struct ks_run *r, struct node_def *d)
{
	struct ks_node *n = cluster_node_new(&r->cluster, d->name);

	labels_copy(&n->labels, &d->labels);
	node_add_taints(n, d->taints, d->ntaints);
	n->unschedulable = d->unschedulable;
	n->zone = d->zone;
	n->spot = d->spot;
	n->mark = d->mark;
	if (d->itype != NULL) {
		struct cat_resources cap, alloc;

		n->itype = catalog_find(r->cat, d->itype);
		catalog_eks_node(n->itype, 0, &cap, &alloc);
		if (catalog_price(r->cat, r->region, d->itype, d->spot, &n->price_nusd_h) != 0)
			n->price_nusd_h = 0;
		if (d->alloc.v[RES_CPU] == 0) {
			d->alloc.v[RES_CPU] = alloc.cpu_m;
			d->alloc.v[RES_MEM] = alloc.memory_b;
			d->alloc.v[RES_EPH] = alloc.eph_b;
			d->alloc.v[RES_PODS] = alloc.pods;
			d->alloc.v[RES_GPU] = alloc.gpus;
			d->cap.v[RES_CPU] = cap.cpu_m;
			d->cap.v[RES_MEM] = cap.memory_b;
			d->cap.v[RES_EPH] = cap.eph_b;
			d->cap.v[RES_PODS] = cap.pods;
			d->cap.v[RES_GPU] = cap.gpus;
		}
	}
	n->alloc = d->alloc;
	n->cap = d->cap.v[RES_CPU] ? d->cap : d->alloc;
	if (n->alloc.v[RES_PODS] == 0)
		n->alloc.v[RES_PODS] = 110;	/* the kubelet's default maxPods */
	if (labels_get(&n->labels, "kubernetes.io/hostname") == NULL)
		labels_set(&n->labels, "kubernetes.io/hostname", n->name);
	cluster_node_ready(&r->cluster, n);
}

static struct ks_workload *
create_wl_def(struct ks_run *r, struct wl_def *d)
{
	struct ks_workload *w = cluster_workload_find(&r->cluster, d->kind, d->ns, d->name);

	if (w != NULL && !w->deleted)
		return w;
	w = cluster_workload_new(&r->cluster, d->kind, d->ns, d->name);
	podspec_free(&w->spec);
	w->spec = *d->spec;		/* the workload takes the template */
	free(d->spec);
	d->spec = NULL;
	selector_copy(&w->selector, &d->sel);
	w->replicas = d->replicas;
	w->run_ms = d->run_ms;
	w->completions = d->completions;
	w->mark = d->mark;
	return w;
}

static struct ks_workload *
find_owner(struct ks_run *r, const struct wl_def *d)
{
	struct ks_cluster *c = &r->cluster;
	struct ks_workload *w;

	if (d->owner_name == NULL)
		return NULL;
	if (d->owner_kind == WL_REPLICASET) {
		/* ReplicaSet "web-5d4f8c7b9" belongs to Deployment "web" */
		const char *dash = strrchr(d->owner_name, '-');

		w = cluster_workload_find(c, WL_REPLICASET, d->ns, d->owner_name);
		if (w == NULL && dash != NULL) {
			char dep[256];

			snprintf(dep, sizeof(dep), "%.*s", (int)(dash - d->owner_name), d->owner_name);
			w = cluster_workload_find(c, WL_DEPLOYMENT, d->ns, dep);
		}
		return w;
	}
	if (d->owner_kind < WL_KIND_N)
		return cluster_workload_find(c, d->owner_kind, d->ns, d->owner_name);
	return NULL;
}

static void
create_pod_def(struct ks_run *r, struct wl_def *d)
{
	struct ks_cluster *c = &r->cluster;
	struct ks_workload *owner = find_owner(r, d);
	const struct ks_podspec *spec;
	struct ks_pod *p;

	if (owner != NULL) {
		/* snapshot pod of a workload: it shares the template */
		spec = &owner->spec;
	} else {
		spec = d->spec;
		d->spec = NULL;		/* the pod owns it */
	}
	p = cluster_pod_new(c, owner, spec, d->ns, d->name);
	if (owner == NULL)
		p->owner = NULL;
	if (owner != NULL && owner->kind == WL_STATEFULSET) {
		const char *dash = strrchr(d->name, '-');

		p->ordinal = dash ? atoi(dash + 1) : -1;
	}
	if (owner == NULL && spec != NULL) {
		/* the pod's own spec: the requests it declared */
		podspec_effective(spec, NULL, &p->req);
	}
	if (d->node_name != NULL) {
		struct ks_node *n = cluster_node_find(c, d->node_name);

		if (n == NULL) {
			ks_warn(&d->mark, "pod %s/%s is bound to node %s, which the snapshot does not have; "
			    "it will be scheduled", d->ns, d->name, d->node_name);
			return;
		}
		p->queued = 0;	/* stays in the queue array but is skipped once bound */
		cluster_pod_bind(c, p, n);
		if (d->running)
			cluster_pod_set_running(c, p);
	}
}

struct progress;
static struct progress	*progress_arm(struct ks_run *);
static void		 progress_done(struct progress *);

/* ---- timeline ---- */

static int64_t
action_fired(struct sim *sim, void *arg)
{
	struct ks_run *r = arg;
	struct ks_scenario *s = r->scn;
	struct ks_cluster *c = &r->cluster;

	for (size_t i = 0; i < s->nactions; i++) {
		struct ks_action *a = &s->actions[i];

		if (a->at_ms != sim->now_ms || a->mark.line < 0)
			continue;
		a->mark.line = -a->mark.line;	/* done */
		if (a->type == ACT_CREATE) {
			if (a->node != NULL) {
				create_node_def(r, a->node);
			} else if (a->wl != NULL && a->wl->kind == WL_POD) {
				create_pod_def(r, a->wl);
			} else if (a->wl != NULL) {
				struct ks_workload *w = create_wl_def(r, a->wl);

				cluster_workload_start(c, w);
			}
			continue;
		}
		if (a->type == ACT_DELETE || a->type == ACT_SCALE) {
			enum wl_kind k = WL_KIND_N;
			struct ks_workload *w = NULL;

			for (int j = 0; j < WL_KIND_N; j++)
				if (strcmp(a->kind, wl_kind_name[j]) == 0)
					k = (enum wl_kind)j;
			if (k == WL_POD) {
				struct ks_pod *p = cluster_pod_find(c, a->ns, a->name);

				if (p != NULL)
					cluster_pod_delete(c, p, "deleted by the scenario");
				continue;
			}
			if (k != WL_KIND_N)
				w = cluster_workload_find(c, k, a->ns, a->name);
			if (w == NULL) {
				if (strcmp(a->kind, "Node") == 0) {
					struct ks_node *n = cluster_node_find(c, a->name);

					if (n != NULL)
						cluster_node_delete(c, n, "deleted by the scenario");
				}
				continue;
			}
			if (a->type == ACT_SCALE)
				cluster_workload_scale(c, w, a->replicas, NULL);
			else
				cluster_workload_delete(c, w);
		}
	}
	return SIM_NOMORE;
}

static int
check_actions(struct ks_run *r, struct ks_error *err)
{
	struct ks_scenario *s = r->scn;

	/* A delete or scale must name something the scenario declares. */
	for (size_t i = 0; i < s->nactions; i++) {
		struct ks_action *a = &s->actions[i];
		int found = 0;

		if (a->type == ACT_CREATE)
			continue;
		if (strcmp(a->kind, "Node") == 0) {
			for (size_t j = 0; j < s->nnodes && !found; j++)
				found = s->nodes[j]->name == a->name;
		} else {
			for (size_t j = 0; j < s->nwls && !found; j++)
				found = strcmp(wl_kind_name[s->wls[j]->kind], a->kind) == 0 &&
				    s->wls[j]->ns == a->ns && s->wls[j]->name == a->name;
			for (size_t j = 0; j < s->npods && !found; j++)
				found = strcmp(a->kind, "Pod") == 0 && s->pods[j]->ns == a->ns &&
				    s->pods[j]->name == a->name;
			for (size_t j = 0; j < s->nactions && !found; j++) {
				const struct wl_def *w = s->actions[j].wl;

				found = w != NULL && s->actions[j].at_ms <= a->at_ms &&
				    strcmp(wl_kind_name[w->kind], a->kind) == 0 &&
				    w->ns == a->ns && w->name == a->name;
			}
		}
		if (!found)
		{
			char t[32];

			return ks_error_set(err, &a->mark, KS_EINVAL,
			    "expected %s %s/%s to be declared in the scenario at or before %s, found no such object",
			    a->kind, a->ns, a->name, ks_duration_format(a->at_ms, t, sizeof(t)));
		}
	}
	return 0;
}

static void
run_setup(struct ks_run *r)
{
	struct ks_scenario *s = r->scn;
	struct ks_cluster *c = &r->cluster;

	for (size_t i = 0; i < s->nsnodes; i++) {
		const struct static_nodes *sn = &s->snodes[i];
		const struct cat_itype *it = catalog_find(r->cat, sn->itype);

		for (int k = 0; k < sn->count; k++) {
			struct ks_node *n = run_node_new(r, it, sn->zone ? sn->zone : run_zone(r, 0),
			    sn->spot, sn->max_pods, sn->prefix);

			for (size_t l = 0; l < sn->labels.n; l++)
				labels_set(&n->labels, sn->labels.v[l].key, sn->labels.v[l].val);
			node_add_taints(n, sn->taints, sn->ntaints);
			n->mark = sn->mark;
			cluster_node_ready(c, n);
		}
	}
	for (size_t i = 0; i < s->nnodes; i++)
		create_node_def(r, s->nodes[i]);
	for (size_t i = 0; i < s->npdbs; i++) {
		VEC_GROW(c->pdbs, c->npdbs, c->pdbcap);
		c->pdbs[c->npdbs++] = s->pdbs[i];
		s->pdbs[i] = NULL;
	}
	for (size_t i = 0; i < s->nwls; i++)
		create_wl_def(r, s->wls[i]);
	for (size_t i = 0; i < s->npods; i++)
		create_pod_def(r, s->pods[i]);
	for (size_t i = 0; i < c->nwls; i++)
		cluster_workload_start(c, c->wls[i]);
	for (size_t i = 0; i < s->nactions; i++)
		if (i == 0 || s->actions[i].at_ms != s->actions[i - 1].at_ms)
			sim_at(&r->sim, s->actions[i].at_ms, "timeline", action_fired, r);
}

static int
load_all(const struct ksim_opts *o, struct catalog **cat, struct ks_scenario **scn,
    struct ks_error *err)
{
	int rc;

	*cat = NULL;
	*scn = NULL;
	ks_warn_stream = o->quiet ? NULL : stderr;
	if (o->nfiles == 0)
		return ks_error_set(err, NULL, KS_EUSAGE, "no scenario files given");
	rc = o->catalog_dir ? catalog_load_dir(o->catalog_dir, cat, err) :
	    catalog_load_default(cat, err);
	if (rc != 0)
		return rc;
	rc = ks_scenario_load(o->files, o->nfiles, o->sets, o->nsets, *cat, scn, err);
	if (rc != 0) {
		catalog_free(*cat);
		*cat = NULL;
	}
	return rc;
}

static int
run_init(struct ks_run *r, const struct ksim_opts *o, struct catalog *cat,
    struct ks_scenario *scn, struct ks_error *err)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (o->duration_ms > 0)
		scn->duration_ms = o->duration_ms;
	if (o->has_seed)
		scn->seed = o->seed;
	r->cat = cat;
	r->scn = scn;
	r->region = scn->region;
	sim_init(&r->sim, scn->duration_ms);
	cluster_init(&r->cluster, &r->sim, scn->seed);
	r->cluster.timing = scn->timing;	/* the image tables stay the scenario's */
	r->cluster.most_allocated = scn->most_allocated;
	if (o->duration_ms > 0 && (rc = ks_scenario_check_duration(scn, "--duration", err)) != 0)
		return rc;
	if ((rc = check_actions(r, err)) != 0)
		return rc;
	for (size_t i = 0; ctl_table[i] != NULL; i++)
		if ((rc = ctl_table[i]->init(r, &r->ctl_state[i], err)) != 0)
			return rc;
	return 0;
}

static void
run_free(struct ks_run *r)
{
	for (size_t i = 0; ctl_table[i] != NULL; i++)
		if (r->ctl_state[i] != NULL)
			ctl_table[i]->free(r->ctl_state[i]);
	cluster_free(&r->cluster);
	sim_free(&r->sim);
}

int
ksim_validate(const struct ksim_opts *o, struct ks_error *err)
{
	struct catalog *cat;
	struct ks_scenario *scn;
	struct ks_run r;
	int rc;

	if ((rc = load_all(o, &cat, &scn, err)) != 0)
		return rc;
	rc = run_init(&r, o, cat, scn, err);
	run_free(&r);
	ks_scenario_free(scn);
	catalog_free(cat);
	return rc;
}

/* ---- finished runs for ksim plan ---- */

/* A finished run and what is needed to free it; run first, so the
 * ks_run pointer handed out is the box's. */
struct sim_box {
	struct ks_run		run;		/* the finished run */
	struct ksim_edit	edit;		/* undone before the scenario is freed */
	int			has_edit;	/* edit was given */
};

int
ksim_catalog_load(const struct ksim_opts *o, struct catalog **out, struct ks_error *err)
{
	*out = NULL;
	return o->catalog_dir ? catalog_load_dir(o->catalog_dir, out, err) :
	    catalog_load_default(out, err);
}

/*
 * Load the scenario of o (with an optional edit), build the run and
 * simulate it to the end.  The one way every command runs a scenario.
 */
static int
simulate(const struct ksim_opts *o, const struct catalog *cat, const struct ksim_edit *edit,
    int progress, struct ks_run **out, struct ks_error *err)
{
	struct sim_box *b;
	struct ks_scenario *scn;
	struct progress *pg = NULL;
	int rc;

	*out = NULL;
	ks_warn_stream = o->quiet ? NULL : stderr;
	if (o->nfiles == 0)
		return ks_error_set(err, NULL, KS_EUSAGE, "no scenario files given");
	rc = ks_scenario_load(o->files, o->nfiles, o->sets, o->nsets, cat, &scn, err);
	if (rc != 0)
		return rc;
	b = xcalloc(1, sizeof(*b));
	if (edit != NULL) {
		b->edit = *edit;
		b->has_edit = 1;
	}
	if (edit != NULL && edit->apply != NULL && (rc = edit->apply(scn, edit->arg, err)) != 0) {
		if (edit->undo != NULL)
			edit->undo(scn, edit->arg);
		ks_scenario_free(scn);
		free(b);
		return rc;
	}
	/* run_init only stores the catalog, as a const pointer */
	rc = run_init(&b->run, o, (struct catalog *)(uintptr_t)cat, scn, err);
	if (rc != 0) {
		b->run.scn = scn;
		ksim_simulation_free(&b->run);
		return rc;
	}
	run_setup(&b->run);
	if (progress)
		pg = progress_arm(&b->run);
	sim_run(&b->run.sim);
	progress_done(pg);
	*out = &b->run;
	return 0;
}

int
ksim_simulate(const struct ksim_opts *o, const struct catalog *cat, const struct ksim_edit *edit,
    struct ks_run **out, struct ks_error *err)
{
	return simulate(o, cat, edit, 0, out, err);
}

void
ksim_simulation_free(struct ks_run *r)
{
	struct sim_box *b = (struct sim_box *)r;
	struct ks_scenario *scn;

	if (r == NULL)
		return;
	scn = r->scn;
	run_free(r);
	if (b->has_edit && b->edit.undo != NULL)
		b->edit.undo(scn, b->edit.arg);
	ks_scenario_free(scn);
	free(b);
}

/* The files a run writes besides its report: --csv DIR and --svg FILE. */
static int
write_extras(const struct ksim_opts *o, struct ks_run *r, struct ks_error *err)
{
	int rc = 0;

	if (o->csv_dir != NULL)
		rc = report_csv(r, o->csv_dir, err);
	if (rc == 0 && o->svg_file != NULL)
		rc = report_svg(r, o->svg_file, err);
	return rc;
}

int
ksim_run(const struct ksim_opts *o, struct ks_error *err)
{
	struct catalog *cat;
	struct ks_run *r;
	int rc;

	if ((rc = ksim_catalog_load(o, &cat, err)) != 0)
		return rc;
	if ((rc = simulate(o, cat, NULL, 1, &r, err)) == 0) {
		rc = report_write(r, o->output, o->output_file, err);
		if (rc == 0)
			rc = write_extras(o, r, err);
		ksim_simulation_free(r);
	}
	catalog_free(cat);
	return rc;
}

int
ksim_run_json(const struct ksim_opts *o, int progress, json_t **out, struct ks_error *err)
{
	struct catalog *cat;
	struct ks_run *r;
	int rc;

	*out = NULL;
	if ((rc = ksim_catalog_load(o, &cat, err)) != 0)
		return rc;
	if ((rc = simulate(o, cat, NULL, progress, &r, err)) == 0) {
		*out = report_json(r);
		rc = write_extras(o, r, err);
		ksim_simulation_free(r);
	}
	catalog_free(cat);
	if (rc != 0) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int
ksim_check(const struct ksim_opts *o, size_t *failed, struct ks_error *err)
{
	struct expect_result *res = NULL;
	struct catalog *cat;
	struct ks_run *r;
	char *out = NULL;
	size_t n, len = 0;
	json_t *j;
	FILE *fp;
	int rc;

	*failed = 0;
	if ((rc = ksim_catalog_load(o, &cat, err)) != 0)
		return rc;
	if ((rc = simulate(o, cat, NULL, 1, &r, err)) != 0) {
		catalog_free(cat);
		return rc;
	}
	if (r->scn->expect == NULL) {
		rc = ks_error_set(err, NULL, KS_EINVAL,
		    "%s: the scenario has no expectations (spec.expect) to check", o->files[0]);
		goto cleanup;
	}
	j = report_json(r);
	n = expect_count(r->scn->expect);
	res = xcalloc(n, sizeof(*res));
	expect_eval(r->scn->expect, j, EXPECT_RUN, res);
	json_decref(j);
	for (size_t i = 0; i < n; i++)
		*failed += !res[i].ok;
	fp = open_memstream(&out, &len);
	if (o->tap)
		expect_print_tap(fp, res, n);
	else
		expect_print_text(fp, res, n);
	fclose(fp);
	if (o->junit_file != NULL) {
		char *x = expect_junit(r->scn->name, res, n, 0);

		rc = atomic_write(o->junit_file, x, strlen(x), err);
		free(x);
	}
	if (rc == 0 && o->output_file != NULL)
		rc = atomic_write(o->output_file, out, len, err);
	else if (rc == 0)
		fwrite(out, 1, len, stdout);
cleanup:
	free(out);
	free(res);
	ksim_simulation_free(r);
	catalog_free(cat);
	return rc;
}

/* ---- progress on a terminal (long runs) ---- */

struct progress {
	struct timespec	 last;		/* wall clock of the last line printed */
	int		 printed;	/* a line is on the terminal */
};

static int64_t
progress_tick(struct sim *sim, void *arg)
{
	struct progress *pg = arg;
	struct timespec now;
	char t1[32], t2[32];

	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - pg->last.tv_sec) * 1000 + (now.tv_nsec - pg->last.tv_nsec) / 1000000 >= 250) {
		fprintf(stderr, "\rksim: simulated %s of %s", report_time(sim->now_ms, t1, sizeof(t1)),
		    report_time(sim->end_ms, t2, sizeof(t2)));
		pg->last = now;
		pg->printed = 1;
	}
	/* a simulated minute between looks at the wall clock: cheap, fine-grained enough */
	return 60 * 1000;
}

/*
 * Arm the progress line of a run: when stderr is a terminal, the simulated
 * time reached is printed about four times a second.  The timer only reads
 * the clock, so the run's output is the same with or without it.  Returns
 * the state for progress_done(), NULL when quiet.
 */
static struct progress *
progress_arm(struct ks_run *r)
{
	struct progress *pg;

	if (!isatty(STDERR_FILENO))
		return NULL;
	pg = xcalloc(1, sizeof(*pg));
	clock_gettime(CLOCK_MONOTONIC, &pg->last);
	sim_after(&r->sim, 60 * 1000, "progress", progress_tick, pg);
	return pg;
}

static void
progress_done(struct progress *pg)
{
	if (pg != NULL && pg->printed)
		fputs("\r\033[K", stderr);
	free(pg);
}


int
ksim_opt_common(struct ksim_opts *o, int ch, const char *arg, const char ***sets,
    size_t *nsets)
{
	struct ks_error err;
	char *end;

	switch (ch) {
	case 'o':
		if (strcmp(arg, "text") == 0)
			o->output = KSIM_TEXT;
		else if (strcmp(arg, "json") == 0)
			o->output = KSIM_JSON;
		else {
			fprintf(stderr, "ksim: --output: expected text or json, found \"%s\"\n", arg);
			return -1;
		}
		return 1;
	case 'f':
		o->output_file = arg;
		return 1;
	case 'd':
		ks_error_clear(&err);
		if (ks_duration_parse(arg, &o->duration_ms, &err, NULL) != 0 || o->duration_ms <= 0) {
			fprintf(stderr, "ksim: --duration: expected a positive duration such as 90s "
			    "or 5m, found \"%s\"\n", arg);
			return -1;
		}
		return 1;
	case 's':
		errno = 0;
		o->seed = strtoull(arg, &end, 10);
		if (errno != 0 || *end != '\0' || arg[0] == '\0' || arg[0] == '-') {
			fprintf(stderr, "ksim: --seed: expected a non-negative integer, found \"%s\"\n",
			    arg);
			return -1;
		}
		o->has_seed = 1;
		return 1;
	case 'c':
		o->catalog_dir = arg;
		return 1;
	case 'q':
		o->quiet = 1;
		return 1;
	case 'S':
		if (strchr(arg, '=') == NULL || arg[0] == '=') {
			fprintf(stderr, "ksim: --set: expected PATH=VALUE, found \"%s\"\n", arg);
			return -1;
		}
		*sets = xreallocarray(*sets, *nsets + 1, sizeof(**sets));
		(*sets)[(*nsets)++] = arg;
		return 1;
	}
	return 0;
}
