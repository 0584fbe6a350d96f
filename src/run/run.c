/*
 * run/run.c: one run, from files to report (the library behind ksim.h).
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/catalog.h"
#include "run/metrics.h"
#include "cluster/sched.h"
#include "explain/explain.h"
#include "io/expect.h"
#include "io/load.h"
#include "io/ytree.h"
#include "report/report.h"
#include "run/run.h"
#include "util/atomic.h"
#include "util/duration.h"
#include "util/xmalloc.h"

/*
 * The MIG profile of a node whose GPUs the NVIDIA GPU Operator's MIG
 * manager partitioned whole (label nvidia.com/mig.config=all-PROFILE), for
 * the device plugin's mixed strategy; NULL otherwise (strategy none).
 */
static const char *
run_mig_profile(const struct ks_labels *l)
{
	const char *v = labels_get(l, "nvidia.com/mig.config");

	return v != NULL && strncmp(v, "all-", 4) == 0 ? v + 4 : NULL;
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
			res_set_devices(&d->alloc, n->itype, run_mig_profile(&d->labels));
			d->cap.v[RES_CPU] = cap.cpu_m;
			d->cap.v[RES_MEM] = cap.memory_b;
			d->cap.v[RES_EPH] = cap.eph_b;
			d->cap.v[RES_PODS] = cap.pods;
			res_set_devices(&d->cap, n->itype, run_mig_profile(&d->labels));
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
	w->succeeded = d->succeeded;	/* a Job of a dump continues */
	if (d->tmpl_hash != NULL)
		w->hash = d->tmpl_hash;	/* the current revision names new pods */
	w->mark = d->mark;
	return w;
}

static struct ks_workload *
find_owner(struct ks_run *r, const struct wl_def *d)
{
	struct ks_cluster *c = &r->cluster;

	if (d->owner_name == NULL)
		return NULL;
	/* the loader resolved the chain (io/load_owners.c): a ReplicaSet's
	 * pod names its Deployment */
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
		if (owner != NULL && owner->kind == WL_DAEMONSET)
			p->pin_node = (int32_t)n->id;	/* the daemon pod of its node */
		cluster_pod_bind(c, p, n);
		if (d->running)
			cluster_pod_set_running(c, p);
	}
}

/* ---- progress (long runs) ---- */

/* Every simulated minute: tell o->progress how far the run is. */
static int64_t
progress_tick(struct sim *sim, void *arg)
{
	const struct ksim_opts *o = arg;

	o->progress(sim->now_ms, sim->end_ms, o->progress_arg);
	return 60 * 1000;
}

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

void
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
			if (run_mig_profile(&n->labels) != NULL) {
				res_set_devices(&n->cap, it, run_mig_profile(&n->labels));
				res_set_devices(&n->alloc, it, run_mig_profile(&n->labels));
			}
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

_Static_assert((int)KSIM_DETAIL_EVENTS == (int)REPORT_DETAIL_EVENTS &&
    (int)KSIM_DETAIL_SUMMARY == (int)REPORT_DETAIL_SUMMARY &&
    (int)KSIM_DETAIL_DEFAULT == (int)REPORT_DETAIL_DEFAULT, "--detail is the report's level");

/* ---- warnings: grouped, printed at the end of each phase; --strict ---- */

/* spec.strict of the Scenario (0 when absent or there is no scenario). */
static int
scenario_strict(const struct ks_scenario *scn, int *strict, struct ks_error *err)
{
	const struct yt_node *v;

	*strict = 0;
	if (scn == NULL || scn->spec == NULL || (v = yt_map_get(scn->spec, "strict")) == NULL)
		return 0;
	return yt_get_bool(v, strict, err);
}

/*
 * The end of a phase of a run (loading and setting up, simulating): print
 * the warnings kept in groups (util/error.h), and under --strict or
 * spec.strict fail when the phase raised any (since: ks_warn_count when
 * the run began), so nothing is written.  Under strictness the groups
 * are printed as errors even with --quiet.
 */
static int
warn_end(const struct ksim_opts *o, const struct ks_scenario *scn, unsigned long since,
    struct ks_error *err)
{
	unsigned long n = ks_warn_count - since;
	int strict = 0, rc;

	if ((rc = scenario_strict(scn, &strict, err)) != 0) {
		ks_warn_flush(ks_warn_stream, "warning");
		return rc;
	}
	strict |= o->strict;
	/* the progress line (a terminal's, cmd/progress.c) is cleared first */
	if (o->progress != NULL && ks_warn_groups() > 0 && (strict || ks_warn_stream == stderr))
		o->progress(-1, 0, o->progress_arg);
	ks_warn_flush(strict ? stderr : ks_warn_stream, strict ? "error" : "warning");
	if (strict && n > 0)
		return ks_error_set(err, NULL, KS_EINVAL, "%lu warning%s, and %s makes warnings errors",
		    n, n == 1 ? "" : "s", o->strict ? "--strict" : "spec.strict");
	return 0;
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
	r->cluster.max_pods = scn->limits.max_pods;	/* the controllers stop there too */
	r->cluster.max_pods_mark = scn->limits.mark;
	r->cluster.timing = scn->timing;	/* the image tables stay the scenario's */
	sched_attach(&r->cluster, &(struct sched_opts){ .most_allocated = scn->most_allocated });
	if (o->duration_ms > 0 && (rc = ks_scenario_check_duration(scn, "--duration", err)) != 0)
		return rc;
	if ((rc = check_actions(r, err)) != 0)
		return rc;
	if ((rc = metrics_init(r, err)) != 0)	/* the load model, before the controllers */
		return rc;
	if (o->explain || expect_reads(scn->expect, EXPECT_RUN, "decisions")) {
		r->xp = xp_log_new(&r->sim);
		xp_log_attach(r->xp, &r->cluster);
	}
	for (size_t i = 0; ctl_table[i] != NULL; i++)
		if ((rc = ctl_table[i]->init(r, &r->ctl_state[i], err)) != 0)
			return rc;
	return 0;
}

static void
run_free(struct ks_run *r)
{
	if (r->warnings != NULL) {
		ks_warn_log_clear(r->warnings);
		free(r->warnings);
		r->warnings = NULL;
	}
	for (size_t i = 0; ctl_table[i] != NULL; i++)
		if (r->ctl_state[i] != NULL)
			ctl_table[i]->free(r->ctl_state[i]);
	metrics_free(r);
	xp_log_free(r->xp);
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

	unsigned long since = ks_warn_count;

	if ((rc = load_all(o, &cat, &scn, err)) != 0) {
		warn_end(o, NULL, since, NULL);
		return rc;
	}
	rc = run_init(&r, o, cat, scn, err);
	if (rc == 0)
		rc = warn_end(o, scn, since, err);
	else
		warn_end(o, NULL, since, NULL);
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
simulate_run(const struct ksim_opts *o, const struct catalog *cat, const struct ksim_edit *edit,
    int progress, struct ks_run **out, struct ks_error *err)
{
	unsigned long since = ks_warn_count;
	struct sim_box *b;
	struct ks_scenario *scn;
	int rc;

	*out = NULL;
	ks_warn_stream = o->quiet ? NULL : stderr;
	if (o->nfiles == 0)
		return ks_error_set(err, NULL, KS_EUSAGE, "no scenario files given");
	rc = ks_scenario_load(o->files, o->nfiles, o->sets, o->nsets, cat, &scn, err);
	if (rc != 0) {
		warn_end(o, NULL, since, NULL);
		return rc;
	}
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
	if (rc != 0)
		warn_end(o, NULL, since, NULL);
	else
		rc = warn_end(o, scn, since, err);
	if (rc != 0) {
		b->run.scn = scn;
		ksim_simulation_free(&b->run);
		return rc;
	}
	run_setup(&b->run);
	/* the timer only reports, so the run's output is the same with or without it */
	if (progress && o->progress != NULL)
		sim_after(&b->run.sim, 60 * 1000, "progress", progress_tick, (void *)(uintptr_t)o);
	sim_run(&b->run.sim);
	if ((rc = warn_end(o, scn, since, err)) != 0) {
		ksim_simulation_free(&b->run);
		return rc;
	}
	*out = &b->run;
	return 0;
}

/*
 * simulate_run() with every warning it raises recorded (util/error.h) in
 * the finished run, for the JSON report.
 */
static int
simulate(const struct ksim_opts *o, const struct catalog *cat, const struct ksim_edit *edit,
    int progress, struct ks_run **out, struct ks_error *err)
{
	struct ks_warn_log *prev = ks_warn_record, *log = xcalloc(1, sizeof(*log));
	int rc;

	ks_warn_record = log;
	rc = simulate_run(o, cat, edit, progress, out, err);
	ks_warn_record = prev;
	if (rc != 0) {
		ks_warn_log_clear(log);
		free(log);
		return rc;
	}
	(*out)->warnings = log;
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

/* The report and the extras, renamed into place all together or none (util/atomic.h). */
static int
write_outputs(const struct ksim_opts *o, struct ks_run *r, const struct report_view *view,
    struct ks_error *err)
{
	int rc, end;

	atomic_group_begin();
	rc = report_write_view(r, view, o->output_file, err);
	if (rc == 0)
		rc = write_extras(o, r, err);
	end = atomic_group_end(rc == 0, err);
	return rc != 0 ? rc : end;
}

int
ksim_run(const struct ksim_opts *o, struct ks_error *err)
{
	struct report_view view = {
		o->output == KSIM_JSON ? REPORT_JSON : o->output == KSIM_YAML ? REPORT_YAML : REPORT_TEXT,
		(enum report_detail)o->detail, o->output == KSIM_WIDE,
	};
	struct catalog *cat;
	struct ks_run *r;
	int rc;

	if ((rc = ksim_catalog_load(o, &cat, err)) != 0)
		return rc;
	if ((rc = simulate(o, cat, NULL, 1, &r, err)) == 0) {
		rc = write_outputs(o, r, &view, err);
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
		int end;

		*out = report_json_detail(r, (enum report_detail)o->detail);
		atomic_group_begin();
		rc = write_extras(o, r, err);
		end = atomic_group_end(rc == 0, err);
		rc = rc != 0 ? rc : end;
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
		report_tap(fp, res, n);
	else if (o->output == KSIM_JSON)
		report_check_json(fp, r->scn->name, res, n);
	else
		report_check_text(fp, res, n);
	fclose(fp);
	atomic_group_begin();	/* the JUnit file and the verdicts: both or neither */
	if (o->junit_file != NULL) {
		char *x = report_junit(r->scn->name, res, n, 0);

		rc = atomic_write(o->junit_file, x, strlen(x), err);
		free(x);
	}
	if (rc == 0 && o->output_file != NULL)
		rc = atomic_write(o->output_file, out, len, err);
	if (atomic_group_end(rc == 0, err) != 0 && rc == 0)
		rc = KS_EIO;
	if (rc == 0 && o->output_file == NULL)
		fwrite(out, 1, len, stdout);
cleanup:
	free(out);
	free(res);
	ksim_simulation_free(r);
	catalog_free(cat);
	return rc;
}
