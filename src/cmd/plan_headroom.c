/*
 * cmd/plan_headroom.c: `ksim plan headroom`: the probe from --pod FILE or
 * --replicas-of Kind/[ns/]name, the run simulated up to --at, and the
 * copies that fit on each node (plan/headroom.c) as text or JSON.
 */
#include "cmd/plan.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "cluster/quantity.h"
#include "io/load.h"
#include "io/ytree.h"
#include "ksim.h"
#include "plan/plan.h"
#include "run/run.h"
#include "util/duration.h"
#include "util/fmt.h"
#include "util/intern.h"
#include "util/xmalloc.h"

/* The probe of headroom: --pod FILE or --replicas-of Kind/[ns/]name. */
struct headroom_probe {
	struct plan_probe		 pr;		/* the pod tried */
	struct ks_podspec	*own;		/* the spec read from --pod, or NULL */
	struct yt_stream	*stream;	/* --pod's YAML */
	char			 what[300];	/* for the report */
};

static int
probe_from_file(struct headroom_probe *hp, const char *path, struct ks_error *err)
{
	int rc = yt_load_file(path, &hp->stream, err);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < hp->stream->ndocs; i++) {
		const struct yt_node *root = hp->stream->docs[i].root, *k, *tmpl;
		const char *kind, *ns, *name;

		if (root == NULL || root->kind != YT_MAP || (k = yt_map_get(root, "kind")) == NULL ||
		    k->kind != YT_SCALAR)
			continue;
		kind = k->str;
		tmpl = strcmp(kind, "Pod") == 0 ? root :
		    yt_map_get(yt_map_get(root, "spec"), "template");
		if (tmpl == NULL)
			continue;
		if ((rc = load_meta(root, &ns, &name, err)) != 0)
			return rc;
		hp->own = xcalloc(1, sizeof(*hp->own));
		if ((rc = load_podspec(tmpl, ns, hp->own, err)) != 0)
			return rc;
		plan_probe_init(&hp->pr, hp->own, &hp->own->req, ns, name);
		snprintf(hp->what, sizeof(hp->what), "%s %s/%s", kind, ns, name);
		return 0;
	}
	return ks_error_set(err, NULL, KS_EUSAGE,
	    "--pod: %s: expected a Pod or a workload with a pod template, found none", path);
}

static int
probe_from_workload(struct headroom_probe *hp, struct ks_run *r, const char *ref,
    struct ks_error *err)
{
	struct ks_cluster *c = &r->cluster;
	const char *slash = strchr(ref, '/'), *last = strrchr(ref, '/');
	char kind[64], ns[256] = "";
	const char *name;

	if (slash == NULL || slash == ref || last[1] == '\0' || (size_t)(slash - ref) >= sizeof(kind))
		return ks_error_set(err, NULL, KS_EUSAGE,
		    "--replicas-of: expected Kind/name or Kind/namespace/name, found \"%s\"", ref);
	snprintf(kind, sizeof(kind), "%.*s", (int)(slash - ref), ref);
	if (last != slash)
		snprintf(ns, sizeof(ns), "%.*s", (int)(last - slash - 1), slash + 1);
	name = last + 1;
	for (size_t i = 0; i < c->nwls; i++) {
		const struct ks_workload *w = c->wls[i];

		if (w->deleted || strcasecmp(wl_kind_name[w->kind], kind) != 0 ||
		    strcmp(w->name, name) != 0 || (ns[0] != '\0' && strcmp(w->ns, ns) != 0))
			continue;
		plan_probe_init(&hp->pr, &w->spec, &w->spec.req, w->ns, w->name);
		snprintf(hp->what, sizeof(hp->what), "%s %s/%s", wl_kind_name[w->kind], w->ns, w->name);
		return 0;
	}
	return ks_error_set(err, NULL, KS_EUSAGE,
	    "--replicas-of: no workload \"%s\" in the scenario", ref);
}

int
cmd_headroom(struct plan_args *a, struct ks_error *err)
{
	struct ksim_opts o = a->o;
	struct catalog *cat = NULL;
	struct ks_run *r = NULL;
	struct headroom_probe hp;
	struct plan_headroom_node *hn = NULL;
	size_t n = 0, len = 0;
	char *buf = NULL;
	int rc, total;
	char t1[32], q1[QTY_BUFSZ], q2[QTY_BUFSZ], g1[32];

	memset(&hp, 0, sizeof(hp));
	if ((a->pod_file == NULL) == (a->replicas_of == NULL))
		return ks_error_set(err, NULL, KS_EUSAGE,
		    "plan headroom: expected one of --pod FILE or --replicas-of Kind/name");
	o.duration_ms = a->at_ms > 0 ? a->at_ms : 1;
	if ((rc = ksim_catalog_load(&o, &cat, err)) != 0)
		return rc;
	if ((rc = ksim_simulate(&o, cat, NULL, &r, err)) != 0)
		goto cleanup;
	rc = a->pod_file != NULL ? probe_from_file(&hp, a->pod_file, err) :
	    probe_from_workload(&hp, r, a->replicas_of, err);
	if (rc != 0)
		goto cleanup;
	total = plan_headroom_compute(r, &hp.pr.pod, &hn, &n);
	if (a->o.output == KSIM_JSON) {
		json_t *j = json_object(), *arr = json_array(), *pj = json_object();

		json_object_set_new(j, "scenario", json_string(r->scn->name));
		json_object_set_new(j, "at_ms", json_integer(a->at_ms > 0 ? a->at_ms : 0));
		json_object_set_new(pj, "object", json_string(hp.what));
		json_object_set_new(pj, "cpu_m", json_integer(hp.pr.pod.req.v[RES_CPU]));
		json_object_set_new(pj, "memory_bytes", json_integer(hp.pr.pod.req.v[RES_MEM]));
		json_object_set_new(j, "pod", pj);
		for (size_t i = 0; i < n; i++) {
			json_t *e = json_object();

			json_object_set_new(e, "node", json_string(hn[i].name));
			json_object_set_new(e, "instance_type", json_string(hn[i].itype));
			json_object_set_new(e, "free_cpu_m", json_integer(hn[i].free_cpu_m));
			json_object_set_new(e, "free_memory_bytes", json_integer(hn[i].free_mem_b));
			json_object_set_new(e, "fits", json_integer(hn[i].fits));
			json_object_set_new(e, "stopped_by", json_string(hn[i].stop));
			json_array_append_new(arr, e);
		}
		json_object_set_new(j, "nodes", arr);
		json_object_set_new(j, "total", json_integer(total));
		buf = plan_json_text(j, &len);
	} else {
		FILE *fp = open_memstream(&buf, &len);

		fprintf(fp, "Headroom in scenario %s at %s for %s (requests cpu %s, memory %s)\n\n",
		    r->scn->name, fmt_time(a->at_ms > 0 ? a->at_ms : 0, t1, sizeof(t1)), hp.what,
		    qty_format_cpu(hp.pr.pod.req.v[RES_CPU], q1, sizeof(q1)),
		    qty_format_bytes(hp.pr.pod.req.v[RES_MEM], QTY_BINARY_SI, q2, sizeof(q2)));
		fprintf(fp, "%-34s %-14s %-10s %-10s %-6s %s\n", "NODE", "TYPE", "FREE CPU",
		    "FREE MEM", "FITS", "NEXT COPY STOPPED BY");
		for (size_t i = 0; i < n; i++)
			fprintf(fp, "%-34s %-14s %-10s %-10s %-6d %s\n", hn[i].name, hn[i].itype,
			    qty_format_cpu(hn[i].free_cpu_m, q1, sizeof(q1)),
			    plan_fmt_gib(hn[i].free_mem_b, g1, sizeof(g1)), hn[i].fits, hn[i].stop);
		fprintf(fp, "\nTOTAL: %d more fit on %zu node%s\n", total, n, n == 1 ? "" : "s");
		fclose(fp);
	}
	rc = plan_emit(a->o.output_file, buf, len, err);
cleanup:
	free(hn);
	if (hp.own != NULL) {
		podspec_free(hp.own);
		free(hp.own);
	}
	yt_stream_free(hp.stream);
	ksim_simulation_free(r);
	catalog_free(cat);
	return rc;
}

const struct cmd_entry cmd_plan_headroom_entry = {
	.name = "plan headroom",
	.brief = "how many more of a pod fit",
	.usage = "ksim plan headroom [options] (--pod FILE | --replicas-of KIND/NAME) "
	    "[--at DUR] FILE...\n",
	.nofiles = "expected scenario files, found none",
	.family = CMD_FAM_PLAN,
	.opts = CMD_OPTS_SHARED | CMD_OPT(OPT_POD) | CMD_OPT(OPT_REPLICAS_OF) | CMD_OPT(OPT_AT),
	.priv_new = plan_args_new,
	.priv_free = plan_args_free,
	.option = plan_option,
	.exec = plan_exec,
};
