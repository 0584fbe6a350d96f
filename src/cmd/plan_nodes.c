/*
 * cmd/plan_nodes.c: `ksim plan nodes`: the candidates (--instance-types x
 * --capacity-type), each evaluated (plan/nodes.c), ranked (plan/rank.c)
 * and printed with the Karpenter row (plan/karpenter.c) as text or JSON;
 * the scenario's plan expectations and --max-cost decide the status.
 */
#include "cmd/plan.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/catalog.h"
#include "cluster/quantity.h"
#include "io/expect.h"
#include "io/load.h"
#include "ksim.h"
#include "plan/plan.h"
#include "report/report.h"
#include "run/run.h"
#include "util/duration.h"
#include "util/fmt.h"
#include "util/xmalloc.h"

#define DEFAULT_TYPES	"c6i.*,m6i.*,r6i.*"

static void
kp_text(FILE *fp, const struct plan_kp *kp, unsigned mask)
{
	char t1[32], u1[32];

	if (!kp->ran)
		return;
	fprintf(fp, "\nKARPENTER: the scenario's capacity replaced by a NodePool allowing the %zu "
	    "candidate types (%s)\n", kp->ntypes, mask == 3 ? "on-demand, spot" : mask & 2 ? "spot" :
	    "on-demand");
	if (kp->failed) {
		fprintf(fp, "%s\n", kp->why);
		return;
	}
	fprintf(fp, "%d node%s at most, %d launched (%s); %d pod%s pending at the end; burst %s; "
	    "cost %s USD\n", kp->nodes_max, kp->nodes_max == 1 ? "" : "s", kp->launched, kp->used,
	    kp->pending, kp->pending == 1 ? "" : "s",
	    kp->burst_ms >= 0 ? fmt_time(kp->burst_ms, t1, sizeof(t1)) : "never",
	    fmt_usd(kp->cost_nusd, u1, sizeof(u1)));
}

static json_t *
kp_json(const struct plan_kp *kp)
{
	json_t *j = json_object();

	json_object_set_new(j, "instance_types", json_integer((json_int_t)kp->ntypes));
	if (kp->failed) {
		json_object_set_new(j, "error", json_string(kp->why));
		return j;
	}
	json_object_set_new(j, "nodes_max", json_integer(kp->nodes_max));
	json_object_set_new(j, "nodes_launched", json_integer(kp->launched));
	json_object_set_new(j, "launched", json_string(kp->used));
	json_object_set_new(j, "pending_pods", json_integer(kp->pending));
	json_object_set_new(j, "burst_ms", kp->burst_ms >= 0 ? json_integer(kp->burst_ms) : json_null());
	json_object_set_new(j, "cost_usd", fmt_json_usd(kp->cost_nusd));
	return j;
}

static void
nodes_text(FILE *fp, const struct plan_nodes_ctx *nc, const struct plan_option *opts, size_t n,
    const struct plan_args *a, const struct plan_kp *kp, unsigned mask)
{
	const struct ks_run *r = nc->base;
	const struct plan_option *best = plan_cheapest(opts, n);
	char t1[32], t2[32], u1[32], u2[32], q1[QTY_BUFSZ], g1[32], p1[16], p2[16];
	size_t rank = 0, nv = 0;

	fprintf(fp, "Capacity plan for scenario %s: %s simulated, seed %llu, region %s\n",
	    r->scn->name, fmt_time(r->scn->duration_ms, t1, sizeof(t1)),
	    (unsigned long long)r->scn->seed, r->region);
	if (nc->method_ca)
		fprintf(fp, "Method: each instance type as a Cluster Autoscaler node group from zero\n"
		    "(eksctl managed node group, expander least-waste), simulated; NODES is the\n"
		    "most nodes alive at once, UNSCHED the pods Pending at the end.\n");
	else
		fprintf(fp, "Method: a static node group of one instance type sized for the peak,\n"
		    "estimated by first-fit-decreasing packing (EST), then simulated and grown\n"
		    "until no pod fails to schedule (NODES); autoscalers are not simulated.\n");
	fprintf(fp, "Peak at %s: %zu pods requesting cpu %s, memory %s (DaemonSet pods excluded)\n",
	    fmt_time(nc->peak_ms, t1, sizeof(t1)), nc->npeak,
	    qty_format_cpu(nc->peak_req.v[RES_CPU], q1, sizeof(q1)),
	    plan_fmt_gib(nc->peak_req.v[RES_MEM], g1, sizeof(g1)));
	if (nc->npinned > 0)
		fprintf(fp, "Left out: %zu pod%s pinned to a node of the scenario by a hostname "
		    "nodeSelector\n", nc->npinned, nc->npinned == 1 ? "" : "s");
	fprintf(fp, "\n%-4s %-14s %-10s %-5s %-5s %-7s %-7s %-7s %-8s %-10s %s\n", "RANK", "TYPE",
	    "CAPACITY", "EST", "NODES", "CPU%", "MEM%", "UNSCHED", "BURST", "USD/HOUR",
	    "COST(USD)");
	for (size_t i = 0; i < n; i++) {
		const struct plan_option *o = &opts[i];

		if (!o->viable || o->failed) {
			nv++;
			continue;
		}
		fprintf(fp, "%-4zu %-14s %-10s %-5d %-5d %-7s %-7s %-7d %-8s %-10s %s\n", ++rank,
		    o->it->name, o->spot ? "spot" : "on-demand", o->est_nodes, o->nodes,
		    plan_fmt_pm(o->cpu_pm, p1, sizeof(p1)), plan_fmt_pm(o->mem_pm, p2, sizeof(p2)), o->unsched,
		    o->burst_ms >= 0 ? fmt_time(o->burst_ms, t2, sizeof(t2)) : "never",
		    fmt_usd(o->price_nusd_h * o->nodes, u1, sizeof(u1)),
		    fmt_usd(o->cost_nusd, u2, sizeof(u2)));
	}
	if (nv > 0) {
		fprintf(fp, "\nNOT VIABLE\n%-14s %-10s %s\n", "TYPE", "CAPACITY", "REASON");
		for (size_t i = 0; i < n; i++)
			if (!opts[i].viable || opts[i].failed)
				fprintf(fp, "%-14s %-10s %s\n", opts[i].it->name,
				    opts[i].spot ? "spot" : "on-demand", opts[i].why);
	}
	kp_text(fp, kp, mask);
	fprintf(fp, "\n");
	if (best != NULL)
		fprintf(fp, "Cheapest: %s %s, %d node%s, %s USD per hour, %s USD over the scenario\n",
		    best->it->name, best->spot ? "spot" : "on-demand", best->nodes,
		    best->nodes == 1 ? "" : "s", fmt_usd(best->price_nusd_h * best->nodes, u1,
		    sizeof(u1)), fmt_usd(best->cost_nusd, u2, sizeof(u2)));
	else
		fprintf(fp, "Cheapest: none of the candidates serves every pod\n");
	if (a->max_cost >= 0)
		fprintf(fp, "Max cost %s USD: %s\n", fmt_usd(a->max_cost, u1, sizeof(u1)),
		    best == NULL ? "FAIL, no candidate serves every pod" :
		    best->cost_nusd <= a->max_cost ? "PASS" : "FAIL, the cheapest option costs more");
}

static json_t *
nodes_json(const struct plan_nodes_ctx *nc, const struct plan_option *opts, size_t n,
    const struct plan_args *a, const struct plan_kp *kp)
{
	const struct ks_run *r = nc->base;
	const struct plan_option *best = plan_cheapest(opts, n);
	json_t *j = json_object(), *arr = json_array(), *pk = json_object();
	size_t rank = 0;

	json_object_set_new(j, "scenario", json_string(r->scn->name));
	json_object_set_new(j, "duration_ms", json_integer(r->scn->duration_ms));
	json_object_set_new(j, "region", json_string(r->region));
	json_object_set_new(j, "method", json_string(nc->method_ca ? "ca" : "static"));
	json_object_set_new(pk, "at_ms", json_integer(nc->peak_ms));
	json_object_set_new(pk, "pods", json_integer((json_int_t)nc->npeak));
	json_object_set_new(pk, "cpu_m", json_integer(nc->peak_req.v[RES_CPU]));
	json_object_set_new(pk, "memory_bytes", json_integer(nc->peak_req.v[RES_MEM]));
	json_object_set_new(j, "peak", pk);
	json_object_set_new(j, "pinned_pods", json_integer((json_int_t)nc->npinned));
	for (size_t i = 0; i < n; i++) {
		const struct plan_option *o = &opts[i];
		json_t *e = json_object();
		int ok = o->viable && !o->failed;

		json_object_set_new(e, "rank", ok ? json_integer((json_int_t)++rank) : json_null());
		json_object_set_new(e, "instance_type", json_string(o->it->name));
		json_object_set_new(e, "capacity_type", json_string(o->spot ? "spot" : "on-demand"));
		json_object_set_new(e, "viable", json_boolean(ok));
		json_object_set_new(e, "usd_per_hour_per_node", fmt_json_usd(o->price_nusd_h));
		if (!ok) {
			json_object_set_new(e, "reason", json_string(o->why));
		} else {
			json_object_set_new(e, "estimated_nodes", json_integer(o->est_nodes));
			json_object_set_new(e, "nodes", json_integer(o->nodes));
			json_object_set_new(e, "peak_ms", json_integer(o->peak_ms));
			json_object_set_new(e, "cpu_utilization", json_real(o->cpu_pm / 1000.0));
			json_object_set_new(e, "memory_utilization", json_real(o->mem_pm / 1000.0));
			json_object_set_new(e, "unschedulable_pods", json_integer(o->unsched));
			json_object_set_new(e, "burst_ms",
			    o->burst_ms >= 0 ? json_integer(o->burst_ms) : json_null());
			json_object_set_new(e, "cost_usd", fmt_json_usd(o->cost_nusd));
		}
		json_array_append_new(arr, e);
	}
	json_object_set_new(j, "options", arr);
	if (kp->ran)
		json_object_set_new(j, "karpenter", kp_json(kp));
	if (best != NULL) {
		json_t *b = json_object();

		json_object_set_new(b, "instance_type", json_string(best->it->name));
		json_object_set_new(b, "capacity_type", json_string(best->spot ? "spot" : "on-demand"));
		json_object_set_new(b, "nodes", json_integer(best->nodes));
		json_object_set_new(b, "cost_usd", fmt_json_usd(best->cost_nusd));
		json_object_set_new(j, "cheapest", b);
	} else {
		json_object_set_new(j, "cheapest", json_null());
	}
	if (a->max_cost >= 0) {
		json_t *m = json_object();

		json_object_set_new(m, "usd", fmt_json_usd(a->max_cost));
		json_object_set_new(m, "ok", json_boolean(best != NULL && best->cost_nusd <= a->max_cost));
		json_object_set_new(j, "max_cost", m);
	}
	return j;
}

int
cmd_nodes(struct plan_args *a, int *over, struct ks_error *err)
{
	struct catalog *cat = NULL;
	const struct cat_itype **types = NULL;
	struct plan_option *opts = NULL;
	struct plan_kp kp;
	struct plan_nodes_ctx nc;
	struct ksim_edit ed = { plan_edit_region, NULL, NULL };
	size_t ntypes = 0, n = 0, len = 0;
	unsigned mask = 1;
	char *buf = NULL;
	int rc;

	memset(&nc, 0, sizeof(nc));
	memset(&kp, 0, sizeof(kp));
	*over = 0;
	if ((rc = ksim_catalog_load(&a->o, &cat, err)) != 0)
		return rc;
	if ((rc = plan_types_parse(cat, "--instance-types", a->types ? a->types : DEFAULT_TYPES,
	    &types, &ntypes, err)) != 0)
		goto cleanup;
	if (a->captypes != NULL && (rc = plan_captypes_parse("--capacity-type", a->captypes,
	    &mask, err)) != 0)
		goto cleanup;
	if (a->region != NULL &&
	    (nc.region = plan_region_intern(cat, "--region", a->region, err)) == NULL) {
		rc = KS_EUSAGE;
		goto cleanup;
	}
	nc.o = &a->o;
	nc.cat = cat;
	nc.method_ca = a->method_ca;
	ed.arg = (void *)(uintptr_t)nc.region;
	if ((rc = ksim_simulate(&a->o, cat, nc.region ? &ed : NULL, &nc.base, err)) != 0)
		goto cleanup;
	plan_nodes_ctx_peak(&nc);
	opts = xcalloc(ntypes * 2, sizeof(*opts));
	for (size_t i = 0; i < ntypes; i++)
		for (int spot = 0; spot < 2; spot++) {
			struct plan_option *o;

			if (!(mask & (1u << spot)))
				continue;
			o = &opts[n++];
			o->it = types[i];
			o->spot = spot;
			o->viable = 1;
			if (catalog_price(cat, nc.base->region, types[i]->name, spot,
			    &o->price_nusd_h) != 0) {
				o->viable = 0;
				snprintf(o->why, sizeof(o->why), "no %s price in %s",
				    spot ? "spot" : "on-demand", nc.base->region);
			}
		}
	plan_options_eval(&nc, opts, n, a->jobs);
	plan_rank(opts, n);
	if (a->karpenter)
		plan_kp_eval(&nc, opts, n, mask, &kp);
	if (a->max_cost >= 0) {
		const struct plan_option *best = plan_cheapest(opts, n);

		*over = best == NULL || best->cost_nusd > a->max_cost;
	}
	{
		/* the scenario's plan expectations are evaluated against the ranking */
		json_t *j = nodes_json(&nc, opts, n, a, &kp);
		const struct expect_set *ex = nc.base->scn->expect;
		size_t nex = expect_count(ex);
		struct expect_result *res = xcalloc(nex ? nex : 1, sizeof(*res));
		json_t *arr = json_array();

		expect_eval(ex, j, EXPECT_PLAN, res);
		for (size_t i = 0; i < nex; i++) {
			json_t *e = json_object();

			json_object_set_new(e, "name", json_string(res[i].name));
			json_object_set_new(e, "ok", json_boolean(res[i].ok));
			if (res[i].skipped)
				json_object_set_new(e, "skipped", json_true());
			json_object_set_new(e, "message", json_string(res[i].msg));
			json_array_append_new(arr, e);
			*over |= !res[i].ok;
		}
		if (nex > 0)
			json_object_set_new(j, "expectations", arr);
		else
			json_decref(arr);
		if (a->o.output == KSIM_JSON) {
			buf = plan_json_text(j, &len);
		} else {
			FILE *fp = open_memstream(&buf, &len);

			json_decref(j);
			nodes_text(fp, &nc, opts, n, a, &kp, mask);
			if (nex > 0) {
				fprintf(fp, "\nEXPECTATIONS\n");
				report_check_text(fp, res, nex);
			}
			fclose(fp);
		}
		free(res);
	}
	rc = plan_emit(a->o.output_file, buf, len, err);
cleanup:
	free(opts);
	free(types);
	free(nc.pods);
	free(nc.peak);
	ksim_simulation_free(nc.base);
	catalog_free(cat);
	return rc;
}

const struct cmd_entry cmd_plan_nodes_entry = {
	.name = "plan nodes",
	.brief = "the cheapest instance types for the workloads",
	.usage = "ksim plan nodes [options] [--instance-types LIST] [--capacity-type LIST]\n"
	    "                   [--region R] [-j N] [--max-cost USD] [--method static|ca]\n"
	    "                   [--karpenter] FILE...\n",
	.nofiles = "expected scenario files, found none",
	.family = CMD_FAM_PLAN,
	.opts = CMD_OPTS_SHARED | CMD_OPT(OPT_TYPES) | CMD_OPT(OPT_CAPTYPE) |
	    CMD_OPT(OPT_REGION) | CMD_OPT(OPT_JOBS) | CMD_OPT(OPT_MAX_COST) | CMD_OPT(OPT_KARPENTER) |
	    CMD_OPT(OPT_METHOD),
	.priv_new = plan_args_new,
	.priv_free = plan_args_free,
	.option = plan_option,
	.exec = plan_exec,
};
