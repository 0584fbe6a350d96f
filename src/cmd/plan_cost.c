/*
 * cmd/plan_cost.c: `ksim plan cost`: the bill of a run, scaled to a day
 * and to AWS's 730-hour month, split on-demand / spot, and shared out per
 * node group and per workload (plan/cost.c), as text or JSON.
 */
#include "cmd/plan.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/catalog.h"
#include "ksim.h"
#include "plan/plan.h"
#include "run/run.h"
#include "util/fmt.h"
#include "util/xmalloc.h"

static void
cost_row(FILE *fp, const char *what, int64_t v, const struct plan_cost *pc)
{
	char u1[32], u2[32], u3[32], p1[16];

	fprintf(fp, "%-12s %-14s %-14s %-16s %s\n", what, fmt_usd(v, u1, sizeof(u1)),
	    fmt_usd(plan_scale(v, pc->run_ms, PLAN_DAY_MS), u2, sizeof(u2)),
	    fmt_usd(plan_scale(v, pc->run_ms, PLAN_MONTH_MS), u3, sizeof(u3)),
	    plan_fmt_pm(plan_share_pm(v, pc->total_nusd), p1, sizeof(p1)));
}

int
cmd_cost(struct plan_args *a, struct ks_error *err)
{
	struct catalog *cat = NULL;
	struct ks_run *r = NULL;
	struct plan_cost pc;
	struct ksim_edit ed = { plan_edit_region, NULL, NULL };
	const char *region = NULL;
	size_t len = 0;
	char *buf = NULL;
	int rc;

	memset(&pc, 0, sizeof(pc));
	if ((rc = ksim_catalog_load(&a->o, &cat, err)) != 0)
		return rc;
	if (a->region != NULL && (region = plan_region_intern(cat, "--region", a->region, err)) == NULL) {
		rc = KS_EUSAGE;
		goto cleanup;
	}
	ed.arg = (void *)(uintptr_t)region;
	if ((rc = ksim_simulate(&a->o, cat, region ? &ed : NULL, &r, err)) != 0)
		goto cleanup;
	plan_cost_compute(r, &pc);
	if (a->o.output == KSIM_JSON) {
		json_t *j = json_object(), *g = json_array(), *w = json_array(), *t = json_object();

		json_object_set_new(j, "scenario", json_string(r->scn->name));
		json_object_set_new(j, "duration_ms", json_integer(pc.run_ms));
		json_object_set_new(j, "region", json_string(r->region));
		json_object_set_new(j, "period", json_string(a->period));
		json_object_set_new(t, "run_usd", fmt_json_usd(pc.total_nusd));
		json_object_set_new(t, "day_usd", fmt_json_usd(plan_scale(pc.total_nusd,
		    pc.run_ms, PLAN_DAY_MS)));
		json_object_set_new(t, "month_usd", fmt_json_usd(plan_scale(pc.total_nusd,
		    pc.run_ms, PLAN_MONTH_MS)));
		json_object_set_new(t, "on_demand_usd", fmt_json_usd(plan_scale(pc.ondemand_nusd,
		    pc.run_ms, a->period_ms)));
		json_object_set_new(t, "spot_usd", fmt_json_usd(plan_scale(pc.spot_nusd,
		    pc.run_ms, a->period_ms)));
		json_object_set_new(t, "idle_usd", fmt_json_usd(plan_scale(pc.idle_nusd,
		    pc.run_ms, a->period_ms)));
		json_object_set_new(t, "idle_share", json_real(plan_share_pm(pc.idle_nusd,
		    pc.total_nusd) / 1000.0));
		json_object_set_new(j, "cost", t);
		for (size_t i = 0; i < pc.ngroups; i++) {
			json_t *e = json_object();

			json_object_set_new(e, "group", json_string(pc.groups[i].name));
			json_object_set_new(e, "nodes", json_integer(pc.groups[i].count));
			json_object_set_new(e, "usd", fmt_json_usd(plan_scale(pc.groups[i].nusd,
			    pc.run_ms, a->period_ms)));
			json_object_set_new(e, "idle_usd", fmt_json_usd(plan_scale(
			    pc.groups[i].idle_nusd, pc.run_ms, a->period_ms)));
			json_array_append_new(g, e);
		}
		json_object_set_new(j, "groups", g);
		for (size_t i = 0; i < pc.nwls; i++) {
			json_t *e = json_object();

			json_object_set_new(e, "workload", json_string(pc.wls[i].name));
			json_object_set_new(e, "pods", json_integer(pc.wls[i].count));
			json_object_set_new(e, "usd", fmt_json_usd(plan_scale(pc.wls[i].nusd,
			    pc.run_ms, a->period_ms)));
			json_object_set_new(e, "share", json_real(plan_share_pm(pc.wls[i].nusd,
			    pc.total_nusd) / 1000.0));
			json_array_append_new(w, e);
		}
		json_object_set_new(j, "workloads", w);
		buf = plan_json_text(j, &len);
	} else {
		FILE *fp = open_memstream(&buf, &len);
		char t1[32], u1[32], u2[32], p1[16];

		fprintf(fp, "Cost of scenario %s: %s simulated, region %s\n", r->scn->name,
		    fmt_time(pc.run_ms, t1, sizeof(t1)), r->region);
		fprintf(fp, "Scaled from the run to a day and to a month of 730 hours; idle is "
		    "capacity paid for\nbut not requested (mean of the cpu and memory shares "
		    "of allocatable).\n\n");
		fprintf(fp, "%-12s %-14s %-14s %-16s %s\n", "", "RUN(USD)", "PER DAY(USD)",
		    "PER MONTH(USD)", "SHARE");
		cost_row(fp, "total", pc.total_nusd, &pc);
		cost_row(fp, "on-demand", pc.ondemand_nusd, &pc);
		cost_row(fp, "spot", pc.spot_nusd, &pc);
		cost_row(fp, "idle", pc.idle_nusd, &pc);
		fprintf(fp, "\nNODE GROUPS (per %s)\n%-40s %-6s %-14s %-14s %s\n", a->period,
		    "GROUP", "NODES", "COST(USD)", "IDLE(USD)", "IDLE%");
		for (size_t i = 0; i < pc.ngroups; i++)
			fprintf(fp, "%-40s %-6d %-14s %-14s %s\n", pc.groups[i].name, pc.groups[i].count,
			    fmt_usd(plan_scale(pc.groups[i].nusd, pc.run_ms, a->period_ms), u1,
			    sizeof(u1)),
			    fmt_usd(plan_scale(pc.groups[i].idle_nusd, pc.run_ms, a->period_ms), u2,
			    sizeof(u2)),
			    plan_fmt_pm(plan_share_pm(pc.groups[i].idle_nusd, pc.groups[i].nusd), p1, sizeof(p1)));
		fprintf(fp, "\nWORKLOADS (per %s, by requests share)\n%-50s %-5s %-14s %s\n",
		    a->period, "WORKLOAD", "PODS", "COST(USD)", "SHARE");
		for (size_t i = 0; i < pc.nwls; i++)
			fprintf(fp, "%-50s %-5d %-14s %s\n", pc.wls[i].name, pc.wls[i].count,
			    fmt_usd(plan_scale(pc.wls[i].nusd, pc.run_ms, a->period_ms), u1,
			    sizeof(u1)),
			    plan_fmt_pm(plan_share_pm(pc.wls[i].nusd, pc.total_nusd), p1, sizeof(p1)));
		fclose(fp);
	}
	rc = plan_emit(a->o.output_file, buf, len, err);
cleanup:
	plan_cost_free(&pc);
	ksim_simulation_free(r);
	catalog_free(cat);
	return rc;
}

const struct cmd_entry cmd_plan_cost_entry = {
	.name = "plan cost",
	.brief = "what the run costs per day or month",
	.usage = "ksim plan cost [options] [--period day|month] [--region R] FILE...\n",
	.nofiles = "expected scenario files, found none",
	.family = CMD_FAM_PLAN,
	.opts = CMD_OPTS_SHARED | CMD_OPT(OPT_PERIOD) | CMD_OPT(OPT_REGION),
	.priv_new = plan_args_new,
	.priv_free = plan_args_free,
	.option = plan_option,
	.exec = plan_exec,
};
