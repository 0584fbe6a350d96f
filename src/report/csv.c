/*
 * csv.c: the account as CSV files for spreadsheets (--csv DIR; see
 * report.h): series.csv (the run sampled on series_step_ms()'s grid:
 * pending, running, nodes, cumulative cost, replicas per workload, nodes
 * per group and type), pods.csv, nodes.csv and events.csv (one row per
 * object, in creation order).  RFC 4180 quoting; times in seconds with at
 * most millisecond digits; money as USD with six decimals.
 */
#include "report/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cloud/billing.h"
#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "report/csv_autoscale.h"
#include "report/series.h"
#include "run/run.h"
#include "util/atomic.h"
#include "util/fmt.h"
#include "util/intern.h"
#include "util/xmalloc.h"

static void	csv_quoted(FILE *, const char *);

/*
 * A field, quoted when it holds a comma, a quote or a line break (RFC 4180),
 * then a comma, or a newline when it is the last of its row.
 */
static void
csv_field(FILE *fp, const char *s, int last)
{
	csv_quoted(fp, s);
	fputs(last ? "\n" : ",", fp);
}

static void
csv_quoted(FILE *fp, const char *s)
{
	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\r\n") != NULL) {
		fputc('"', fp);
		for (; *s != '\0'; s++) {
			if (*s == '"')
				fputc('"', fp);
			fputc(*s, fp);
		}
		fputc('"', fp);
	} else {
		fputs(s, fp);
	}
}

/* Seconds with at most millisecond digits ("90", "1.5"); "" when ms < 0. */
static const char *
csv_secs(int64_t ms, char *buf, size_t n)
{
	if (ms < 0)
		snprintf(buf, n, "%s", "");
	else if (ms % 1000 == 0)
		snprintf(buf, n, "%lld", (long long)(ms / 1000));
	else
		snprintf(buf, n, "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
	return buf;
}

static int
write_file(const char *dir, const char *name, char *buf, size_t len, struct ks_error *err)
{
	char *path = xasprintf("%s/%s", dir, name);
	/* interned: an error's mark outlives this call */
	int rc = atomic_write(intern(path), buf, len, err);

	free(path);
	free(buf);
	return rc;
}

/* series.csv: the run on series_step_ms()'s grid. */
static void
csv_series(FILE *fp, struct ks_run *r)
{
	struct series s;
	char a[32], b[64];

	series_build(r, &s, series_step_ms(r->sim.now_ms));
	fputs("time_s,pending,running,nodes,cost_usd", fp);
	for (size_t w = 0; w < s.nwl; w++) {
		char *h = xasprintf("replicas:%s", s.wl_label[w]);

		fputc(',', fp);
		csv_quoted(fp, h);
		free(h);
	}
	for (size_t g = 0; g < s.ngt; g++) {
		char *h = xasprintf("nodes:%s", s.gt_label[g]);

		fputc(',', fp);
		csv_quoted(fp, h);
		free(h);
	}
	fputc('\n', fp);
	for (size_t i = 0; i < s.n; i++) {
		fprintf(fp, "%s,%d,%d,%d,%s", csv_secs(s.t[i], a, sizeof(a)), s.pending[i],
		    s.running[i], s.nodes[i], fmt_usd(s.cost[i], b, sizeof(b)));
		for (size_t w = 0; w < s.nwl; w++)
			fprintf(fp, ",%d", s.rep[w * s.n + i]);
		for (size_t g = 0; g < s.ngt; g++)
			fprintf(fp, ",%d", s.gt[g * s.n + i]);
		fputc('\n', fp);
	}
	series_free(&s);
}

/* pods.csv: one row per pod, in creation order. */
static void
csv_pods(FILE *fp, struct ks_run *r)
{
	struct ks_cluster *c = &r->cluster;
	char a[32];

	fputs("namespace,name,workload,node,phase,cpu_m,memory_bytes,created_s,scheduled_s,"
	    "running_s,deleted_s,pending_s,reason\n", fp);
	for (size_t k = 0; k < c->npods; k++) {
		const struct ks_pod *p = c->pods[k];
		char wl[600], num[32];
		int64_t until = p->scheduled_ms >= 0 ? p->scheduled_ms :
		    p->deleted_ms >= 0 ? p->deleted_ms : r->sim.now_ms;

		if (p->owner != NULL)
			snprintf(wl, sizeof(wl), "%s/%s", wl_kind_name[p->owner->kind], p->owner->name);
		else
			wl[0] = '\0';
		csv_field(fp, p->ns, 0);
		csv_field(fp, p->name, 0);
		csv_field(fp, wl, 0);
		csv_field(fp, p->node >= 0 ? c->nodes[p->node]->name : "", 0);
		csv_field(fp, pod_phase_name[p->phase], 0);
		snprintf(num, sizeof(num), "%lld", (long long)p->req.v[RES_CPU]);
		csv_field(fp, num, 0);
		snprintf(num, sizeof(num), "%lld", (long long)p->req.v[RES_MEM]);
		csv_field(fp, num, 0);
		csv_field(fp, csv_secs(p->created_ms, a, sizeof(a)), 0);
		csv_field(fp, csv_secs(p->scheduled_ms, a, sizeof(a)), 0);
		csv_field(fp, csv_secs(p->running_ms, a, sizeof(a)), 0);
		csv_field(fp, csv_secs(p->deleted_ms, a, sizeof(a)), 0);
		csv_field(fp, csv_secs(until > p->created_ms ? until - p->created_ms : 0, a,
		    sizeof(a)), 0);
		csv_field(fp, p->phase == POD_PENDING ? p->reason : "", 1);
	}
}

/* nodes.csv: one row per node, in creation order. */
static void
csv_nodes(FILE *fp, struct ks_run *r)
{
	struct ks_cluster *c = &r->cluster;
	char a[32], b[64];

	fputs("name,instance_type,capacity_type,zone,group,launched_s,ready_s,terminated_s,"
	    "price_usd_per_hour,cost_usd\n", fp);
	for (size_t k = 0; k < c->nnodes; k++) {
		const struct ks_node *nd = c->nodes[k];

		csv_field(fp, nd->name, 0);
		csv_field(fp, nd->itype ? nd->itype->name : "", 0);
		csv_field(fp, nd->spot ? "spot" : "on-demand", 0);
		csv_field(fp, nd->zone, 0);
		csv_field(fp, nd->group ? nd->group : "", 0);
		csv_field(fp, csv_secs(nd->launched_ms, a, sizeof(a)), 0);
		csv_field(fp, csv_secs(nd->ready_ms, a, sizeof(a)), 0);
		csv_field(fp, csv_secs(nd->gone_ms, a, sizeof(a)), 0);
		csv_field(fp, fmt_usd(nd->price_nusd_h, b, sizeof(b)), 0);
		csv_field(fp, fmt_usd(billing_node_cost_nusd(nd, r->sim.now_ms), b, sizeof(b)), 1);
	}
}

/* events.csv: the timeline, a row per record (count occurrences, the first at time_s). */
static void
csv_events(FILE *fp, struct ks_run *r)
{
	struct ks_cluster *c = &r->cluster;
	char a[32], n[16];

	fputs("time_s,type,object,message,count,last_time_s\n", fp);
	for (size_t k = 0; k < c->nevents; k++) {
		const struct ks_event *e = &c->events[k];

		csv_field(fp, csv_secs(e->at_ms, a, sizeof(a)), 0);
		csv_field(fp, e->type, 0);
		csv_field(fp, e->object, 0);
		csv_field(fp, e->message, 0);
		snprintf(n, sizeof(n), "%lu", (unsigned long)e->count);
		csv_field(fp, n, 0);
		csv_field(fp, csv_secs(e->last_ms, a, sizeof(a)), 1);
	}
}

/* The files of --csv DIR, written in this order. */
static const struct {
	const char	*name;				/* file name in DIR */
	void		(*write)(FILE *, struct ks_run *);	/* its content */
} csv_files[] = {
	{ "series.csv", csv_series },
	{ "pods.csv", csv_pods },
	{ "nodes.csv", csv_nodes },
	{ "events.csv", csv_events },
};

int
report_csv(struct ks_run *r, const char *dir, struct ks_error *err)
{
	struct ks_mark at = { intern(dir), 0, 0 };

	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return ks_error_set(err, &at, KS_EIO, "cannot create the directory: %s",
		    strerror(errno));
	for (size_t i = 0; i < sizeof(csv_files) / sizeof(csv_files[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&buf, &len);
		int rc;

		csv_files[i].write(fp, r);
		fclose(fp);
		if ((rc = write_file(dir, csv_files[i].name, buf, len, err)) != 0)
			return rc;
	}
	/* hpa.csv, vpa.csv, decisions.csv: when the run has them */
	return csv_autoscale(r, dir, &(struct csv_writers){ write_file, csv_quoted, csv_secs }, err);
}
