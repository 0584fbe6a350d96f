/*
 * series.c: the run as time series, for spreadsheets (--csv DIR) and for
 * the eye (--svg FILE).
 *
 * The series are sampled after the run from what the model keeps anyway:
 * every pod's created/scheduled/running/deleted/gone times and every node's
 * launched/gone times, so no controller needs to know that charts exist and
 * a run costs nothing extra unless a chart is asked for.  At sample time t:
 *   a pod is alive     created <= t, not deleted and not gone by t;
 *   pending            alive and not yet bound at t;
 *   running            alive and its containers started by t;
 *   replicas of w      w's alive pods (what `kubectl get` counts: pods
 *                      being deleted no longer count);
 *   nodes              launched <= t < terminated (billed: booting included);
 *   cost               what the nodes have cost up to t: per second, at
 *                      least 60 s per node, as io/report.c bills them.
 * The CSV grid has 200 samples, or one every 15 s when that is coarser (a
 * 10-minute run is not sampled every 3 s), and always ends at the run's
 * end.  The chart samples once per pixel (at most once a second), so a
 * change is drawn where it happened; step functions are drawn as steps.
 *
 * The chart has two panels over one time axis: pods (replicas per workload
 * as lines, pending pods as a red area) and nodes (stacked by node group or
 * pool and instance type, with the cumulative cost on a second axis); the
 * timeline's scaling events (anything not about one pod) are ticks under
 * the panels, with the event as a tooltip.  Plain SVG 1.1, no script, so
 * any browser or rsvg-convert renders it.
 *
 * Costs: O(samples x (pods + nodes)) after the run; 630 samples for a chart.
 */
#include "io/series.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "io/report.h"
#include "run.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define SERIES_SAMPLES	200		/* samples over the run, at most */
#define SERIES_MIN_STEP	15000		/* ms; never finer than this */

struct series {
	int64_t		  step_ms;	/* grid step */
	size_t		  n;		/* samples */
	int64_t		 *t;		/* sample times, ms */
	int32_t		 *pending;	/* pods pending at t */
	int32_t		 *running;	/* pods running at t */
	int32_t		 *nodes;	/* nodes alive at t */
	int64_t		 *cost;		/* cumulative cost at t, nano-USD */
	size_t		  nwl;		/* workloads */
	char		**wl_label;	/* "Deployment/web", "Deployment/ns/web" */
	int		 *wl_daemon;	/* a DaemonSet (left out of the chart) */
	int32_t		 *rep;		/* rep[w * n + i]: replicas of workload w at t[i] */
	size_t		  ngt;		/* node group/type pairs */
	char		**gt_label;	/* "default/m5.large", "static/m5.4xlarge" */
	int32_t		 *gt;		/* gt[g * n + i]: nodes of pair g at t[i] */
};

int64_t
series_step_ms(int64_t duration_ms)
{
	int64_t step = (duration_ms + SERIES_SAMPLES - 1) / SERIES_SAMPLES;

	step = (step + 999) / 1000 * 1000;
	return step > SERIES_MIN_STEP ? step : SERIES_MIN_STEP;
}

static int
alive_at(const struct ks_pod *p, int64_t t)
{
	return p->created_ms <= t && (p->deleted_ms < 0 || p->deleted_ms > t) &&
	    (p->gone_ms < 0 || p->gone_ms > t);
}

/* Nano-USD a node has cost by time t (0 before its launch). */
static int64_t
node_cost_at(const struct ks_node *nd, int64_t t)
{
	int64_t until = nd->gone_ms >= 0 && nd->gone_ms < t ? nd->gone_ms : t, secs;

	if (nd->launched_ms > t || until < nd->launched_ms)
		return 0;
	secs = (until - nd->launched_ms + 999) / 1000;
	if (secs < 60)
		secs = 60;
	return ((nd->price_nusd_h + nd->fee_nusd_h) * secs + 1800) / 3600;
}

static char *
gt_label_of(const struct ks_node *nd)
{
	return xasprintf("%s/%s", nd->group ? nd->group : "static",
	    nd->itype ? nd->itype->name : "unknown");
}

static void
series_build(struct ks_run *r, struct series *s, int64_t step_ms)
{
	struct ks_cluster *c = &r->cluster;
	int64_t end = r->sim.now_ms;
	size_t *node_gt = xcalloc(c->nnodes + 1, sizeof(*node_gt));

	memset(s, 0, sizeof(*s));
	s->step_ms = step_ms;
	s->n = (size_t)((end + s->step_ms - 1) / s->step_ms) + 1;
	s->t = xcalloc(s->n, sizeof(*s->t));
	for (size_t i = 0; i < s->n; i++)
		s->t[i] = (int64_t)i * s->step_ms < end ? (int64_t)i * s->step_ms : end;
	s->pending = xcalloc(s->n, sizeof(*s->pending));
	s->running = xcalloc(s->n, sizeof(*s->running));
	s->nodes = xcalloc(s->n, sizeof(*s->nodes));
	s->cost = xcalloc(s->n, sizeof(*s->cost));
	s->nwl = c->nwls;
	s->wl_label = xcalloc(s->nwl + 1, sizeof(*s->wl_label));
	s->wl_daemon = xcalloc(s->nwl + 1, sizeof(*s->wl_daemon));
	s->rep = xcalloc(s->nwl * s->n + 1, sizeof(*s->rep));
	for (size_t w = 0; w < c->nwls; w++) {
		const struct ks_workload *wl = c->wls[w];

		s->wl_label[w] = strcmp(wl->ns, "default") == 0 ?
		    xasprintf("%s/%s", wl_kind_name[wl->kind], wl->name) :
		    xasprintf("%s/%s/%s", wl_kind_name[wl->kind], wl->ns, wl->name);
		s->wl_daemon[w] = wl->kind == WL_DAEMONSET;
	}
	/* group/type pairs in order of the first node of each */
	for (size_t k = 0; k < c->nnodes; k++) {
		char *l = gt_label_of(c->nodes[k]);
		size_t g;

		for (g = 0; g < s->ngt && strcmp(s->gt_label[g], l) != 0; g++)
			;
		if (g == s->ngt) {
			s->gt_label = xreallocarray(s->gt_label, s->ngt + 1, sizeof(*s->gt_label));
			s->gt_label[s->ngt++] = l;
		} else {
			free(l);
		}
		node_gt[k] = g;
	}
	s->gt = xcalloc(s->ngt * s->n + 1, sizeof(*s->gt));
	for (size_t i = 0; i < s->n; i++) {
		int64_t t = s->t[i];

		for (size_t k = 0; k < c->npods; k++) {
			const struct ks_pod *p = c->pods[k];

			if (!alive_at(p, t))
				continue;
			if (p->scheduled_ms < 0 || p->scheduled_ms > t)
				s->pending[i]++;
			else if (p->running_ms >= 0 && p->running_ms <= t)
				s->running[i]++;
			if (p->owner != NULL && p->owner->kind != WL_POD)
				s->rep[p->owner->id * s->n + i]++;
		}
		for (size_t k = 0; k < c->nnodes; k++) {
			const struct ks_node *nd = c->nodes[k];

			s->cost[i] += node_cost_at(nd, t);
			if (nd->launched_ms <= t && (nd->gone_ms < 0 || nd->gone_ms > t)) {
				s->nodes[i]++;
				s->gt[node_gt[k] * s->n + i]++;
			}
		}
	}
	free(node_gt);
}

static void
series_free(struct series *s)
{
	for (size_t w = 0; w < s->nwl; w++)
		free(s->wl_label[w]);
	for (size_t g = 0; g < s->ngt; g++)
		free(s->gt_label[g]);
	free(s->wl_label);
	free(s->wl_daemon);
	free(s->gt_label);
	free(s->t);
	free(s->pending);
	free(s->running);
	free(s->nodes);
	free(s->cost);
	free(s->rep);
	free(s->gt);
}

/* ---- CSV ---- */

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

int
report_csv(struct ks_run *r, const char *dir, struct ks_error *err)
{
	struct ks_cluster *c = &r->cluster;
	struct ks_mark at = { intern(dir), 0, 0 };
	struct series s;
	char *buf = NULL, a[32], b[64];
	size_t len = 0;
	FILE *fp;
	int rc;

	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return ks_error_set(err, &at, KS_EIO, "cannot create the directory: %s",
		    strerror(errno));
	series_build(r, &s, series_step_ms(r->sim.now_ms));
	fp = open_memstream(&buf, &len);
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
		    s.running[i], s.nodes[i], report_usd(s.cost[i], b, sizeof(b)));
		for (size_t w = 0; w < s.nwl; w++)
			fprintf(fp, ",%d", s.rep[w * s.n + i]);
		for (size_t g = 0; g < s.ngt; g++)
			fprintf(fp, ",%d", s.gt[g * s.n + i]);
		fputc('\n', fp);
	}
	fclose(fp);
	series_free(&s);
	if ((rc = write_file(dir, "series.csv", buf, len, err)) != 0)
		return rc;

	buf = NULL;
	fp = open_memstream(&buf, &len);
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
	fclose(fp);
	if ((rc = write_file(dir, "pods.csv", buf, len, err)) != 0)
		return rc;

	buf = NULL;
	fp = open_memstream(&buf, &len);
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
		csv_field(fp, report_usd(nd->price_nusd_h, b, sizeof(b)), 0);
		csv_field(fp, report_usd(node_cost_nusd(nd, r->sim.now_ms), b, sizeof(b)), 1);
	}
	fclose(fp);
	if ((rc = write_file(dir, "nodes.csv", buf, len, err)) != 0)
		return rc;

	buf = NULL;
	fp = open_memstream(&buf, &len);
	fputs("time_s,type,object,message\n", fp);
	for (size_t k = 0; k < c->nevents; k++) {
		const struct ks_event *e = &c->events[k];

		csv_field(fp, csv_secs(e->at_ms, a, sizeof(a)), 0);
		csv_field(fp, e->type, 0);
		csv_field(fp, e->object, 0);
		csv_field(fp, e->message, 1);
	}
	fclose(fp);
	return write_file(dir, "events.csv", buf, len, err);
}

/* ---- SVG ---- */

/* Tableau 10: distinct, and readable on white. */
static const char *const palette[] = { "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1",
	"#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac", "#e15759" };
#define NPALETTE	(sizeof(palette) / sizeof(palette[0]))
#define PENDING_COLOR	"#e15759"
#define COST_COLOR	"#222222"

/* Geometry, in SVG user units (px). */
#define SVG_W		1100
#define SVG_H		640
#define PLOT_X0		70		/* left edge of the plots */
#define PLOT_X1		700		/* right edge */
#define LEGEND_X	775		/* legends start here */
#define P1_Y0		60		/* pods panel: top */
#define P1_Y1		260		/* bottom */
#define P2_Y0		310		/* nodes panel */
#define P2_Y1		510
#define EV_Y0		522		/* event ticks */
#define EV_Y1		542

/* A "nice" step (1, 2, 5 x 10^k) giving about 5 ticks up to max. */
static double
nice_step(double max)
{
	double raw = max / 5, p = 1;

	if (raw <= 0)
		return 1;
	while (p * 10 <= raw)
		p *= 10;
	while (p > raw)
		p /= 10;
	if (raw <= p)
		return p;
	if (raw <= 2 * p)
		return 2 * p;
	if (raw <= 5 * p)
		return 5 * p;
	return 10 * p;
}

struct axis {
	double	 max;		/* value at the top */
	double	 step;		/* between ticks */
	int	 y0, y1;	/* panel top and bottom */
};

static struct axis
axis_new(double max, int y0, int y1, int integer)
{
	struct axis a;

	if (max <= 0)
		max = 1;
	a.step = nice_step(max);
	if (integer && a.step < 1)
		a.step = 1;
	a.max = a.step * (double)(long long)((max + a.step - 1e-9) / a.step);
	if (a.max <= max)
		a.max += a.step;	/* headroom: a line at the maximum stays off the frame */
	a.y0 = y0;
	a.y1 = y1;
	return a;
}

static double
ay(const struct axis *a, double v)
{
	return a->y1 - (a->y1 - a->y0) * v / a->max;
}

static double
tx(int64_t t, int64_t end)
{
	return PLOT_X0 + (PLOT_X1 - PLOT_X0) * (double)t / (double)(end > 0 ? end : 1);
}

/* "%g" for tick labels without float noise */
static char *
tick_label(double v, char *buf, size_t n)
{
	if (v == (double)(long long)v)
		snprintf(buf, n, "%lld", (long long)v);
	else
		snprintf(buf, n, "%.2f", v);
	return buf;
}

/* "$0.50", "$1.00": as many decimals as the tick step needs */
static char *
usd_label(double v, double step, char *buf, size_t n)
{
	int d = 0;

	for (double x = step; x < 0.999 && d < 6; x *= 10)
		d++;
	snprintf(buf, n, "$%.*f", d, v);
	return buf;
}

static void
axis_draw(FILE *fp, const struct axis *a, int right, const char *title, const char *color)
{
	char lab[32];
	int x = right ? PLOT_X1 : PLOT_X0;

	for (double v = 0; v <= a->max + a->step / 2; v += a->step) {
		double y = ay(a, v);

		if (!right)
			fprintf(fp, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>\n",
			    PLOT_X0, y, PLOT_X1, y);
		fprintf(fp, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\">%s</text>\n",
		    right ? x + 6 : x - 6, y + 4, right ? "start" : "end", color,
		    right ? usd_label(v, a->step, lab, sizeof(lab)) : tick_label(v, lab, sizeof(lab)));
	}
	fprintf(fp, "<text transform=\"translate(%d,%d) rotate(-90)\" text-anchor=\"middle\" "
	    "fill=\"%s\">", right ? x + 58 : x - 48, (a->y0 + a->y1) / 2, color);
	report_xml_escape(fp, title);
	fputs("</text>\n", fp);
}

/* A step line through the samples. */
static void
step_path(FILE *fp, const struct series *s, const int32_t *v, const struct axis *a,
    int64_t end, const char *color, const char *extra)
{
	fprintf(fp, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s d=\"M%.1f %.1f", color,
	    extra, tx(s->t[0], end), ay(a, v[0]));
	for (size_t i = 1; i < s->n; i++)
		if (v[i] != v[i - 1])
			fprintf(fp, " H%.1f V%.1f", tx(s->t[i], end), ay(a, v[i]));
	fprintf(fp, " H%.1f\"/>\n", tx(s->t[s->n - 1], end));
}

/* A filled step area between lo and hi (lo NULL = the axis). */
static void
step_area(FILE *fp, const struct series *s, const int32_t *lo, const int32_t *hi,
    const struct axis *a, int64_t end, const char *color, const char *title)
{
	fprintf(fp, "<path fill=\"%s\" fill-opacity=\"%s\" stroke=\"%s\" stroke-width=\"1\" "
	    "d=\"M%.1f %.1f", color, lo == NULL && strcmp(color, PENDING_COLOR) == 0 ? "0.3" : "0.55",
	    color, tx(s->t[0], end), ay(a, hi[0]));
	for (size_t i = 1; i < s->n; i++)
		if (hi[i] != hi[i - 1])
			fprintf(fp, " H%.1f V%.1f", tx(s->t[i], end), ay(a, hi[i]));
	fprintf(fp, " H%.1f V%.1f", tx(s->t[s->n - 1], end), ay(a, lo ? lo[s->n - 1] : 0));
	for (size_t i = s->n - 1; i > 0; i--)
		if (lo != NULL && lo[i - 1] != lo[i])
			fprintf(fp, " H%.1f V%.1f", tx(s->t[i], end), ay(a, lo[i - 1]));
	fprintf(fp, " H%.1f", tx(s->t[0], end));
	fputs(" Z\"><title>", fp);
	report_xml_escape(fp, title);
	fputs("</title></path>\n", fp);
}

/* One legend entry at row `row` of the panel starting at y0. */
static void
legend(FILE *fp, int y0, int row, const char *color, int dashed, int area, const char *label)
{
	int y = y0 + 6 + row * 17;

	if (area)
		fprintf(fp, "<rect x=\"%d\" y=\"%d\" width=\"18\" height=\"10\" fill=\"%s\" "
		    "fill-opacity=\"0.55\" stroke=\"%s\"/>\n", LEGEND_X, y - 9, color, color);
	else
		fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
		    "stroke-width=\"2\"%s/>\n", LEGEND_X, y - 4, LEGEND_X + 18, y - 4, color,
		    dashed ? " stroke-dasharray=\"6 3\"" : "");
	fprintf(fp, "<text x=\"%d\" y=\"%d\">", LEGEND_X + 24, y);
	if (strlen(label) > 46) {
		/* keep the end, where the workload's name is */
		fputs("...", fp);
		report_xml_escape(fp, label + strlen(label) - 43);
	} else {
		report_xml_escape(fp, label);
	}
	fputs("</text>\n", fp);
}

/* A minute step giving at most 10 labels over the run. */
static int64_t
time_step_ms(int64_t end)
{
	static const int mins[] = { 1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080 };
	size_t i;

	for (i = 0; i < sizeof(mins) / sizeof(mins[0]) - 1; i++)
		if (end / ((int64_t)mins[i] * 60000) <= 10)
			break;
	return (int64_t)mins[i] * 60000;
}

/* A scaling event: anything not about a single pod. */
static int
is_scaling_event(const struct ks_event *e)
{
	return strncmp(e->object, "pod/", 4) != 0;
}

static const char *
event_color(const struct ks_event *e)
{
	const char *t = e->type;

	if (strstr(t, "Remov") || strstr(t, "Delet") || strstr(t, "ScaleDown") ||
	    strstr(t, "ScaledDown") ||
	    strstr(t, "Terminat") || strstr(t, "Disrupt") || strstr(t, "Consolidat") ||
	    strstr(t, "NotSchedulable"))
		return "#e15759";
	if (strstr(t, "Ready") || strstr(t, "Launch") || strstr(t, "ScaleUp") ||
	    strstr(t, "ScaledUp") ||
	    strstr(t, "Register"))
		return "#59a14f";
	return "#4e79a7";
}

int
report_svg(struct ks_run *r, const char *path, struct ks_error *err)
{
	struct ks_cluster *c = &r->cluster;
	int64_t end = r->sim.now_ms, tstep;
	struct series s;
	struct axis a1, a2, ac;
	int32_t maxv = 1, *stack, *prev;
	char *buf = NULL, t1[32], usd[32];
	size_t len = 0, row, shown;
	double maxcost;
	FILE *fp;
	int rc;

	/* one sample per pixel (at least a second apart): changes land where they happened */
	series_build(r, &s, end / (PLOT_X1 - PLOT_X0) > 1000 ? end / (PLOT_X1 - PLOT_X0) : 1000);
	for (size_t i = 0; i < s.n; i++) {
		if (s.pending[i] > maxv)
			maxv = s.pending[i];
		for (size_t w = 0; w < s.nwl; w++)
			if (!s.wl_daemon[w] && s.rep[w * s.n + i] > maxv)
				maxv = s.rep[w * s.n + i];
	}
	a1 = axis_new(maxv, P1_Y0, P1_Y1, 1);
	maxv = 1;
	for (size_t i = 0; i < s.n; i++)
		if (s.nodes[i] > maxv)
			maxv = s.nodes[i];
	a2 = axis_new(maxv, P2_Y0, P2_Y1, 1);
	maxcost = (double)s.cost[s.n - 1] / 1e9;
	ac = axis_new(maxcost > 0 ? maxcost : 1, P2_Y0, P2_Y1, 0);

	fp = open_memstream(&buf, &len);
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
	    "font-size=\"12\">\n", SVG_W, SVG_H, SVG_W, SVG_H);
	fputs("<title>ksim: ", fp);
	report_xml_escape(fp, r->scn->name);
	fputs("</title>\n", fp);
	fprintf(fp, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", SVG_W, SVG_H);
	fprintf(fp, "<text x=\"%d\" y=\"28\" font-size=\"16\" font-weight=\"bold\">", PLOT_X0);
	report_xml_escape(fp, r->scn->name);
	fprintf(fp, "</text>\n<text x=\"%d\" y=\"46\" fill=\"#555\">%s simulated, seed %llu, "
	    "region ", PLOT_X0, report_time(end, t1, sizeof(t1)), (unsigned long long)r->scn->seed);
	report_xml_escape(fp, r->region);
	fprintf(fp, "; %zu pod%s, %zu node%s, total cost $%s</text>\n", c->npods,
	    c->npods == 1 ? "" : "s", c->nnodes, c->nnodes == 1 ? "" : "s",
	    report_usd(s.cost[s.n - 1], usd, sizeof(usd)));

	/* panel 1: pods */
	fprintf(fp, "<g id=\"pods\">\n<text x=\"%d\" y=\"%d\" font-weight=\"bold\">Pods</text>\n",
	    LEGEND_X, P1_Y0 - 6);
	axis_draw(fp, &a1, 0, "pods", "#333");
	step_area(fp, &s, NULL, s.pending, &a1, end, PENDING_COLOR, "pending pods");
	row = 0;
	legend(fp, P1_Y0 + 8, (int)row++, PENDING_COLOR, 0, 1, "pending pods");
	shown = 0;
	for (size_t w = 0; w < s.nwl; w++) {
		const char *col = palette[shown % (NPALETTE - 1)];
		char *l;

		if (s.wl_daemon[w])
			continue;
		fputs("<g>", fp);
		l = xasprintf(" stroke-linejoin=\"round\"");
		step_path(fp, &s, s.rep + w * s.n, &a1, end, col, l);
		free(l);
		fputs("<title>replicas of ", fp);
		report_xml_escape(fp, s.wl_label[w]);
		fputs("</title></g>\n", fp);
		if (row < 11) {
			l = xasprintf("%s replicas", s.wl_label[w]);
			legend(fp, P1_Y0 + 8, (int)row++, col, 0, 0, l);
			free(l);
		} else if (row == 11) {
			legend(fp, P1_Y0 + 8, (int)row++, "#999", 0, 0, "(more workloads)");
		}
		shown++;
	}
	fputs("</g>\n", fp);

	/* panel 2: nodes stacked by group/type, cost on the right */
	fprintf(fp, "<g id=\"nodes\">\n<text x=\"%d\" y=\"%d\" font-weight=\"bold\">Nodes and "
	    "cost</text>\n", LEGEND_X, P2_Y0 - 6);
	axis_draw(fp, &a2, 0, "nodes", "#333");
	axis_draw(fp, &ac, 1, "cumulative cost (USD)", COST_COLOR);
	stack = xcalloc(s.n, sizeof(*stack));
	prev = xcalloc(s.n, sizeof(*prev));
	row = 0;
	for (size_t g = 0; g < s.ngt; g++) {
		const char *col = palette[g % NPALETTE];
		char *l = xasprintf("nodes %s", s.gt_label[g]);

		memcpy(prev, stack, s.n * sizeof(*stack));
		for (size_t i = 0; i < s.n; i++)
			stack[i] += s.gt[g * s.n + i];
		step_area(fp, &s, prev, stack, &a2, end, col, l);
		if (row < 10)
			legend(fp, P2_Y0 + 8, (int)row++, col, 0, 1, l);
		free(l);
	}
	free(stack);
	free(prev);
	/* cost: a dashed line on the right axis */
	fprintf(fp, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"6 3\" "
	    "d=\"M%.1f %.1f", COST_COLOR, tx(s.t[0], end), ay(&ac, (double)s.cost[0] / 1e9));
	for (size_t i = 1; i < s.n; i++)
		fprintf(fp, " L%.1f %.1f", tx(s.t[i], end), ay(&ac, (double)s.cost[i] / 1e9));
	fputs("\"><title>cumulative cost (USD)</title></path>\n", fp);
	legend(fp, P2_Y0 + 8, (int)row++, COST_COLOR, 1, 0, "cumulative cost (right axis)");
	fputs("</g>\n", fp);

	/* scaling events: ticks with the event as a tooltip */
	fprintf(fp, "<g id=\"events\">\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">"
	    "events</text>\n", PLOT_X0 - 6, EV_Y1 - 5);
	for (size_t k = 0; k < c->nevents; k++) {
		const struct ks_event *e = &c->events[k];
		double x = tx(e->at_ms, end);

		if (!is_scaling_event(e))
			continue;
		fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
		    "stroke-width=\"2\"><title>%s ", x, EV_Y0, x, EV_Y1, event_color(e),
		    report_time(e->at_ms, t1, sizeof(t1)));
		report_xml_escape(fp, e->type);
		fputs(" ", fp);
		report_xml_escape(fp, e->object);
		fputs(": ", fp);
		report_xml_escape(fp, e->message);
		fputs("</title></line>\n", fp);
	}
	legend(fp, EV_Y0 + 4, 0, "#59a14f", 0, 0, "scale up / node ready");
	legend(fp, EV_Y0 + 4, 1, "#e15759", 0, 0, "scale down / removal");
	legend(fp, EV_Y0 + 4, 2, "#4e79a7", 0, 0, "other scaling event");
	fputs("</g>\n", fp);

	/* time axis, under everything, with the panel frames */
	fprintf(fp, "<g id=\"frame\" fill=\"none\" stroke=\"#333\">\n"
	    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n"
	    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n</g>\n",
	    PLOT_X0, P1_Y0, PLOT_X1 - PLOT_X0, P1_Y1 - P1_Y0,
	    PLOT_X0, P2_Y0, PLOT_X1 - PLOT_X0, P2_Y1 - P2_Y0);
	tstep = time_step_ms(end);
	for (int64_t t = 0; t <= end; t += tstep) {
		double x = tx(t, end);

		fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>\n",
		    x, EV_Y1, x, EV_Y1 + 5);
		fprintf(fp, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%lld:%02lld</text>\n", x,
		    EV_Y1 + 19, (long long)(t / 3600000), (long long)(t / 60000 % 60));
	}
	fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", PLOT_X0,
	    EV_Y1, PLOT_X1, EV_Y1);
	fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">simulated time (h:mm)</text>\n",
	    (PLOT_X0 + PLOT_X1) / 2, EV_Y1 + 40);
	fputs("</svg>\n", fp);
	fclose(fp);
	series_free(&s);
	rc = atomic_write(path, buf, len, err);
	free(buf);
	return rc;
}
