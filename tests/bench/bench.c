/*
 * bench.c: phase timings of one run of a scenario written by gen.sh.
 *
 *   bench FILE...     (prints load, set-up, schedule, lifecycle, report)
 *
 * It drives the library the way ksim.c's run does for a scenario of
 * static nodes and workloads (what `gen.sh` without -s writes): load the
 * files, create the static nodes and the workloads, run the engine to t=0
 * (the one scheduling pass that places every pod), run it to the end (the
 * pod lifecycle: image pulls, starts), write the JSON report.  Snapshot
 * pods, Node objects and controllers are not set up here: time
 * `ksim validate` and `ksim run` for those (README.md).
 *
 * Wall-clock time comes from CLOCK_MONOTONIC and CPU time from
 * CLOCK_PROCESS_CPUTIME_ID; on a busy machine trust the CPU column.
 * Not built by make: see tests/bench/README.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cloud/catalog.h"
#include "cluster/sched.h"
#include "io/load.h"
#include "ksim.h"
#include "report/report.h"
#include "run/run.h"
#include "util/xmalloc.h"

struct stamp {
	double	wall;	/* seconds, CLOCK_MONOTONIC */
	double	cpu;	/* seconds, CLOCK_PROCESS_CPUTIME_ID */
};

static struct stamp
now(void)
{
	struct timespec a, b;
	struct stamp s;

	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	s.wall = (double)a.tv_sec + (double)a.tv_nsec / 1e9;
	s.cpu = (double)b.tv_sec + (double)b.tv_nsec / 1e9;
	return s;
}

static void
phase(const char *name, struct stamp *prev)
{
	struct stamp t = now();

	printf("%-10s %9.3f s wall %9.3f s cpu\n", name, t.wall - prev->wall, t.cpu - prev->cpu);
	*prev = t;
}

int
main(int argc, char **argv)
{
	struct catalog *cat;
	struct ks_scenario *scn;
	struct ks_error err = { 0 };
	struct ks_run *r = xcalloc(1, sizeof(*r));
	struct ks_cluster *c = &r->cluster;
	struct stamp t0, t, sched0, sched1;
	char out[] = "/tmp/ksim-bench.XXXXXX";
	size_t bound = 0, pending = 0;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: bench FILE...\n");
		return 2;
	}
	ks_warn_stream = NULL;
	if (catalog_load_default(&cat, &err) != 0)
		goto fail;
	t0 = t = now();
	if (ks_scenario_load((const char *const *)argv + 1, (size_t)argc - 1, NULL, 0, cat,
	    &scn, &err) != 0)
		goto fail;
	phase("load", &t);

	r->cat = cat;
	r->scn = scn;
	r->region = scn->region;
	sim_init(&r->sim, scn->duration_ms);
	cluster_init(c, &r->sim, scn->seed);
	c->timing = scn->timing;
	sched_attach(c, &(struct sched_opts){ .most_allocated = scn->most_allocated });
	for (size_t i = 0; i < scn->nsnodes; i++) {
		const struct static_nodes *sn = &scn->snodes[i];
		const struct cat_itype *it = catalog_find(cat, sn->itype);

		for (int k = 0; k < sn->count; k++) {
			struct ks_node *n = run_node_new(r, it, sn->zone ? sn->zone : run_zone(r, 0),
			    sn->spot, sn->max_pods, sn->prefix);

			for (size_t l = 0; l < sn->labels.n; l++)
				labels_set(&n->labels, sn->labels.v[l].key, sn->labels.v[l].val);
			if (sn->ntaints > 0) {
				n->taints = xreallocarray(NULL, sn->ntaints, sizeof(*n->taints));
				memcpy(n->taints, sn->taints, sn->ntaints * sizeof(*n->taints));
				n->ntaints = sn->ntaints;
			}
			cluster_node_ready(c, n);
		}
	}
	for (size_t i = 0; i < scn->nwls; i++) {
		struct wl_def *d = scn->wls[i];
		struct ks_workload *w = cluster_workload_new(c, d->kind, d->ns, d->name);

		podspec_free(&w->spec);
		w->spec = *d->spec;
		free(d->spec);
		d->spec = NULL;
		selector_copy(&w->selector, &d->sel);
		w->replicas = d->replicas;
		w->run_ms = d->run_ms;
		w->completions = d->completions;
	}
	for (size_t i = 0; i < c->nwls; i++)
		cluster_workload_start(c, c->wls[i]);
	phase("setup", &t);

	sched0 = t;
	r->sim.end_ms = 0;
	sim_run(&r->sim);
	sched1 = now();
	phase("schedule", &t);
	for (size_t i = 0; i < c->npods; i++) {
		if (c->pods[i]->node >= 0)
			bound++;
		else
			pending++;
	}

	r->sim.end_ms = scn->duration_ms;
	sim_run(&r->sim);
	phase("lifecycle", &t);

	if ((fd = mkstemp(out)) < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	if (report_write_format(r, REPORT_JSON, out, &err) != 0)
		goto fail;
	unlink(out);
	phase("report", &t);

	printf("%-10s %9.3f s wall %9.3f s cpu\n", "total", t.wall - t0.wall, t.cpu - t0.cpu);
	printf("nodes %zu, pods %zu: %zu bound at t=0, %zu pending; %llu filter calls, "
	    "%zu events\n", c->nnodes, c->npods, bound, pending,
	    (unsigned long long)sched_stats(c)->filter_calls, c->nevents);
	/* every pod was created at t=0 and tried once in the pass at t=0 */
	printf("scheduling throughput: %.0f pods/s (cpu), %.0f pods/s (wall)\n",
	    (double)sched_stats(c)->attempts / (sched1.cpu - sched0.cpu),
	    (double)sched_stats(c)->attempts / (sched1.wall - sched0.wall));
	return 0;
fail:
	ks_error_print(stderr, &err);
	return 2;
}
