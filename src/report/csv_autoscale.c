/*
 * csv_autoscale.c: the autoscalers studied, as CSV (--csv DIR):
 *
 *   hpa.csv        time_s, hpa, current_replicas, desired_replicas, metric,
 *                  unit, current, target: one row per sync and metric, the
 *                  utilization (or value) against its target with replicas;
 *   vpa.csv        time_s, vpa, container, target, lower and upper bounds
 *                  (cpu in millicores, memory in bytes), and the requests
 *                  its target's pod template asks for;
 *   decisions.csv  at_s, until_s, count, object, controller, rule, message,
 *                  by: the decision records (ksim explain), when recorded.
 *
 * The HPA and VPA rows are read from the controllers' own JSON members
 * (hpas[].samples, vpas[].samples: the account ksim-scenario(5)
 * documents), so this file needs nothing of their internals.  A file is
 * written only when the run has its subject, so a run without autoscalers
 * writes the files it always wrote.
 */
#include "report/csv_autoscale.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ctl.h"
#include "explain/explain.h"
#include "report/report.h"
#include "run/run.h"
#include "util/xmalloc.h"

static const char *
jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* A quantity of a VPA member ({cpu_m, memory_bytes}), "" when absent. */
static void
put_pair(FILE *fp, json_t *q)
{
	int64_t c = report_jint(q, "cpu_m"), m = report_jint(q, "memory_bytes");

	if (c >= 0)
		fprintf(fp, ",%lld", (long long)c);
	else
		fputc(',', fp);
	if (m >= 0)
		fprintf(fp, ",%lld", (long long)m);
	else
		fputc(',', fp);
}

static void
hpa_rows(FILE *fp, json_t *hpas, const struct csv_writers *w)
{
	size_t i, j, k;
	json_t *h, *s, *m;
	char t[32];

	fputs("time_s,hpa,current_replicas,desired_replicas,metric,unit,current,target\n", fp);
	json_array_foreach(hpas, i, h) {
		char *name = xasprintf("%s/%s", jstr(h, "namespace"), jstr(h, "name"));

		json_array_foreach(json_object_get(h, "samples"), j, s)
			json_array_foreach(json_object_get(s, "metrics"), k, m) {
				fprintf(fp, "%s,", w->secs(report_jint(s, "at_ms"), t, sizeof(t)));
				w->quoted(fp, name);
				fprintf(fp, ",%lld,%lld,", (long long)report_jint(s, "current_replicas"),
				    (long long)report_jint(s, "desired_replicas"));
				w->quoted(fp, jstr(m, "name"));
				fputc(',', fp);
				w->quoted(fp, jstr(m, "unit"));
				if (report_jint(m, "current") >= 0)
					fprintf(fp, ",%lld", (long long)report_jint(m, "current"));
				else
					fputc(',', fp);
				fprintf(fp, ",%lld\n", (long long)report_jint(m, "target"));
			}
		free(name);
	}
}

/* The requests of container ctr in the VPA's target's pod template, as {cpu_m, memory_bytes}. */
static json_t *
template_requests(struct ks_run *r, json_t *v, const char *ctr)
{
	const char *ref = jstr(v, "target_ref"), *sl = strchr(ref, '/');
	const struct ks_workload *wl = NULL;
	json_t *q = json_object();

	for (size_t i = 0; sl != NULL && i < r->cluster.nwls && wl == NULL; i++) {
		const struct ks_workload *x = r->cluster.wls[i];

		if (strncmp(wl_kind_name[x->kind], ref, (size_t)(sl - ref)) == 0 &&
		    wl_kind_name[x->kind][sl - ref] == '\0' && strcmp(x->name, sl + 1) == 0 &&
		    strcmp(x->ns, jstr(v, "namespace")) == 0)
			wl = x;
	}
	for (size_t k = 0; wl != NULL && k < wl->spec.nctrs; k++)
		if (strcmp(wl->spec.ctrs[k].name, ctr) == 0) {
			json_object_set_new(q, "cpu_m", json_integer(wl->spec.ctrs[k].req.v[RES_CPU]));
			json_object_set_new(q, "memory_bytes",
			    json_integer(wl->spec.ctrs[k].req.v[RES_MEM]));
		}
	return q;
}

static void
vpa_rows(FILE *fp, struct ks_run *r, json_t *vpas, const struct csv_writers *w)
{
	size_t i, j, k;
	json_t *v, *s, *c;
	char t[32];

	fputs("time_s,vpa,container,target_cpu_m,target_memory_b,lower_cpu_m,lower_memory_b,"
	    "upper_cpu_m,upper_memory_b,request_cpu_m,request_memory_b\n", fp);
	json_array_foreach(vpas, i, v) {
		char *name = xasprintf("%s/%s", jstr(v, "namespace"), jstr(v, "name"));

		json_array_foreach(json_object_get(v, "samples"), j, s)
			json_array_foreach(json_object_get(s, "containers"), k, c) {
				json_t *req = template_requests(r, v, jstr(c, "name"));

				fprintf(fp, "%s,", w->secs(report_jint(s, "at_ms"), t, sizeof(t)));
				w->quoted(fp, name);
				fputc(',', fp);
				w->quoted(fp, jstr(c, "name"));
				put_pair(fp, json_object_get(c, "target"));
				put_pair(fp, json_object_get(c, "lower_bound"));
				put_pair(fp, json_object_get(c, "upper_bound"));
				put_pair(fp, req);
				fputc('\n', fp);
				json_decref(req);
			}
		free(name);
	}
}

static void
decision_rows(FILE *fp, const struct xp_log *x, const struct csv_writers *w)
{
	char a[32], b[32];

	fputs("at_s,until_s,count,object,controller,rule,message,by\n", fp);
	for (size_t i = 0; i < x->n; i++) {
		const struct xp_rec *d = &x->v[i];
		const struct xp_rule_info *ri = &xp_rules[d->rule];

		fprintf(fp, "%s,%s,%u,", w->secs(d->first_ms, a, sizeof(a)),
		    w->secs(d->last_ms, b, sizeof(b)), d->count);
		w->quoted(fp, d->obj);
		fprintf(fp, ",%s,%s,", xp_ctl_name[ri->ctl], ri->name);
		w->quoted(fp, d->msg != NULL ? d->msg : ri->wording);
		fputc(',', fp);
		w->quoted(fp, d->by);
		fputc('\n', fp);
	}
}

int
csv_autoscale(struct ks_run *r, const char *dir, const struct csv_writers *w,
    struct ks_error *err)
{
	json_t *root = report_ctl_data(r), *hpas = json_object_get(root, "hpas");
	json_t *vpas = json_object_get(root, "vpas");
	char *buf;
	size_t len;
	FILE *fp;
	int rc = 0;

	if (json_array_size(hpas) > 0) {
		fp = open_memstream(&buf, &len);
		hpa_rows(fp, hpas, w);
		fclose(fp);
		rc = w->write_file(dir, "hpa.csv", buf, len, err);
	}
	if (rc == 0 && json_array_size(vpas) > 0) {
		fp = open_memstream(&buf, &len);
		vpa_rows(fp, r, vpas, w);
		fclose(fp);
		rc = w->write_file(dir, "vpa.csv", buf, len, err);
	}
	if (rc == 0 && r->xp != NULL) {
		fp = open_memstream(&buf, &len);
		decision_rows(fp, r->xp, w);
		fclose(fp);
		rc = w->write_file(dir, "decisions.csv", buf, len, err);
	}
	json_decref(root);
	return rc;
}
