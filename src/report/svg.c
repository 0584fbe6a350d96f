/*
 * svg.c: the account as a chart (--svg FILE; see report.h and series.c).
 *
 * Two panels over one time axis: pods (replicas per workload as lines,
 * pending pods as a red area) and nodes (stacked by node group or pool and
 * instance type, with the cumulative cost on a second axis); the
 * timeline's scaling events (anything not about one pod) are ticks under
 * the panels, with the event as a tooltip.  The chart samples once per
 * pixel (at most once a second), so a change is drawn where it happened;
 * step functions are drawn as steps.  Plain SVG 1.1, no script, so any
 * browser or rsvg-convert renders it.
 */
#include "report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "report/series.h"
#include "report/svg_autoscale.h"
#include "run/run.h"
#include "util/atomic.h"
#include "util/fmt.h"
#include "util/xmalloc.h"

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
	fmt_xml_escape(fp, title);
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
	fmt_xml_escape(fp, title);
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
		fmt_xml_escape(fp, label + strlen(label) - 43);
	} else {
		fmt_xml_escape(fp, label);
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

/* The title lines: the scenario, its length, seed and region, totals. */
static void
svg_head(FILE *fp, struct ks_run *r, const struct series *s, int64_t end, int h)
{
	struct ks_cluster *c = &r->cluster;
	char t1[32], usd[32];

	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
	    "font-size=\"12\">\n", SVG_W, h, SVG_W, h);
	fputs("<title>ksim: ", fp);
	fmt_xml_escape(fp, r->scn->name);
	fputs("</title>\n", fp);
	fprintf(fp, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", SVG_W, h);
	fprintf(fp, "<text x=\"%d\" y=\"28\" font-size=\"16\" font-weight=\"bold\">", PLOT_X0);
	fmt_xml_escape(fp, r->scn->name);
	fprintf(fp, "</text>\n<text x=\"%d\" y=\"46\" fill=\"#555\">%s simulated, seed %llu, "
	    "region ", PLOT_X0, fmt_time(end, t1, sizeof(t1)), (unsigned long long)r->scn->seed);
	fmt_xml_escape(fp, r->region);
	fprintf(fp, "; %zu pod%s, %zu node%s, total cost $%s</text>\n", c->npods,
	    c->npods == 1 ? "" : "s", c->nnodes, c->nnodes == 1 ? "" : "s",
	    fmt_usd(s->cost[s->n - 1], usd, sizeof(usd)));
}

/* Panel 1: replicas per workload as lines, pending pods as an area. */
static void
svg_pods(FILE *fp, const struct series *s, int64_t end)
{
	int32_t maxv = 1;
	struct axis a1;
	size_t row, shown;

	for (size_t i = 0; i < s->n; i++) {
		if (s->pending[i] > maxv)
			maxv = s->pending[i];
		for (size_t w = 0; w < s->nwl; w++)
			if (!s->wl_daemon[w] && s->rep[w * s->n + i] > maxv)
				maxv = s->rep[w * s->n + i];
	}
	a1 = axis_new(maxv, P1_Y0, P1_Y1, 1);
	fprintf(fp, "<g id=\"pods\">\n<text x=\"%d\" y=\"%d\" font-weight=\"bold\">Pods</text>\n",
	    LEGEND_X, P1_Y0 - 6);
	axis_draw(fp, &a1, 0, "pods", "#333");
	step_area(fp, s, NULL, s->pending, &a1, end, PENDING_COLOR, "pending pods");
	row = 0;
	legend(fp, P1_Y0 + 8, (int)row++, PENDING_COLOR, 0, 1, "pending pods");
	shown = 0;
	for (size_t w = 0; w < s->nwl; w++) {
		const char *col = palette[shown % (NPALETTE - 1)];
		char *l;

		if (s->wl_daemon[w])
			continue;
		fputs("<g>", fp);
		l = xasprintf(" stroke-linejoin=\"round\"");
		step_path(fp, s, s->rep + w * s->n, &a1, end, col, l);
		free(l);
		fputs("<title>replicas of ", fp);
		fmt_xml_escape(fp, s->wl_label[w]);
		fputs("</title></g>\n", fp);
		if (row < 11) {
			l = xasprintf("%s replicas", s->wl_label[w]);
			legend(fp, P1_Y0 + 8, (int)row++, col, 0, 0, l);
			free(l);
		} else if (row == 11) {
			legend(fp, P1_Y0 + 8, (int)row++, "#999", 0, 0, "(more workloads)");
		}
		shown++;
	}
	fputs("</g>\n", fp);
}

/* Panel 2: nodes stacked by group/type, the cumulative cost on the right axis. */
static void
svg_nodes(FILE *fp, const struct series *s, int64_t end)
{
	int32_t maxv = 1, *stack, *prev;
	struct axis a2, ac;
	double maxcost;
	size_t row;

	for (size_t i = 0; i < s->n; i++)
		if (s->nodes[i] > maxv)
			maxv = s->nodes[i];
	a2 = axis_new(maxv, P2_Y0, P2_Y1, 1);
	maxcost = (double)s->cost[s->n - 1] / 1e9;
	ac = axis_new(maxcost > 0 ? maxcost : 1, P2_Y0, P2_Y1, 0);
	fprintf(fp, "<g id=\"nodes\">\n<text x=\"%d\" y=\"%d\" font-weight=\"bold\">Nodes and "
	    "cost</text>\n", LEGEND_X, P2_Y0 - 6);
	axis_draw(fp, &a2, 0, "nodes", "#333");
	axis_draw(fp, &ac, 1, "cumulative cost (USD)", COST_COLOR);
	stack = xcalloc(s->n, sizeof(*stack));
	prev = xcalloc(s->n, sizeof(*prev));
	row = 0;
	for (size_t g = 0; g < s->ngt; g++) {
		const char *col = palette[g % NPALETTE];
		char *l = xasprintf("nodes %s", s->gt_label[g]);

		memcpy(prev, stack, s->n * sizeof(*stack));
		for (size_t i = 0; i < s->n; i++)
			stack[i] += s->gt[g * s->n + i];
		step_area(fp, s, prev, stack, &a2, end, col, l);
		if (row < 10)
			legend(fp, P2_Y0 + 8, (int)row++, col, 0, 1, l);
		free(l);
	}
	free(stack);
	free(prev);
	/* cost: a dashed line on the right axis */
	fprintf(fp, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"6 3\" "
	    "d=\"M%.1f %.1f", COST_COLOR, tx(s->t[0], end), ay(&ac, (double)s->cost[0] / 1e9));
	for (size_t i = 1; i < s->n; i++)
		fprintf(fp, " L%.1f %.1f", tx(s->t[i], end), ay(&ac, (double)s->cost[i] / 1e9));
	fputs("\"><title>cumulative cost (USD)</title></path>\n", fp);
	legend(fp, P2_Y0 + 8, (int)row++, COST_COLOR, 1, 0, "cumulative cost (right axis)");
	fputs("</g>\n", fp);
}

/* Scaling events as ticks under the panels, with the event as a tooltip. */
static void
svg_events(FILE *fp, const struct ks_cluster *c, int64_t end)
{
	char t1[32];

	fprintf(fp, "<g id=\"events\">\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#555\">"
	    "events</text>\n", PLOT_X0 - 6, EV_Y1 - 5);
	for (size_t k = 0; k < c->nevents; k++) {
		const struct ks_event *e = &c->events[k];
		double x = tx(e->at_ms, end);

		if (!is_scaling_event(e))
			continue;
		fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
		    "stroke-width=\"2\"><title>%s ", x, EV_Y0, x, EV_Y1, event_color(e),
		    fmt_time(e->at_ms, t1, sizeof(t1)));
		fmt_xml_escape(fp, e->type);
		fputs(" ", fp);
		fmt_xml_escape(fp, e->object);
		fputs(": ", fp);
		fmt_xml_escape(fp, e->message);
		if (e->count > 1)
			fprintf(fp, " (x%lu, last %s)", (unsigned long)e->count,
			    fmt_time(e->last_ms, t1, sizeof(t1)));
		fputs("</title></line>\n", fp);
	}
	legend(fp, EV_Y0 + 4, 0, "#59a14f", 0, 0, "scale up / node ready");
	legend(fp, EV_Y0 + 4, 1, "#e15759", 0, 0, "scale down / removal");
	legend(fp, EV_Y0 + 4, 2, "#4e79a7", 0, 0, "other scaling event");
	fputs("</g>\n", fp);
}

/* The panel frames and the time axis, under everything. */
static void
svg_frame(FILE *fp, int64_t end)
{
	int64_t tstep = time_step_ms(end);

	fprintf(fp, "<g id=\"frame\" fill=\"none\" stroke=\"#333\">\n"
	    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n"
	    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n</g>\n",
	    PLOT_X0, P1_Y0, PLOT_X1 - PLOT_X0, P1_Y1 - P1_Y0,
	    PLOT_X0, P2_Y0, PLOT_X1 - PLOT_X0, P2_Y1 - P2_Y0);
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
}

int
report_svg(struct ks_run *r, const char *path, struct ks_error *err)
{
	int64_t end = r->sim.now_ms;
	struct series s;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	int rc, extra = svg_autoscale_height(r);	/* the autoscalers' panels below */

	/* one sample per pixel (at least a second apart): changes land where they happened */
	series_build(r, &s, end / (PLOT_X1 - PLOT_X0) > 1000 ? end / (PLOT_X1 - PLOT_X0) : 1000);
	fp = open_memstream(&buf, &len);
	svg_head(fp, r, &s, end, SVG_H + extra);
	svg_pods(fp, &s, end);
	svg_nodes(fp, &s, end);
	svg_events(fp, &r->cluster, end);
	svg_frame(fp, end);
	if (extra > 0)
		svg_autoscale(fp, r, &(struct svg_geom){ PLOT_X0, PLOT_X1, LEGEND_X, SVG_H + 30, end,
		    time_step_ms(end) });
	fputs("</svg>\n", fp);
	fclose(fp);
	series_free(&s);
	rc = atomic_write(path, buf, len, err);
	free(buf);
	return rc;
}
