/*
 * svg_autoscale.c: the chart's panels about the autoscalers (--svg), drawn
 * under svg.c's pods and nodes panels on the same time axis:
 *
 *   node bands  one row per node: launching (asked for, not yet Ready),
 *               ready, draining (cordoned for removal: the
 *               NodeNotSchedulable event), for runs whose nodes came or
 *               went during the run;
 *   per HPA     its first metric's utilization (or value) at each sync
 *               against its target, and the replicas, on a second axis;
 *   per VPA     for each container and resource: the target and the band
 *               between the lower and upper bounds, against the pod
 *               template's request.
 *
 * The HPA and VPA numbers come from the controllers' documented JSON
 * members (hpas[].samples, vpas[].samples), as csv_autoscale.c reads
 * them.  A run with none of these gets no panel, so its chart is the one
 * svg.c always drew.
 */
#include "report/svg_autoscale.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ctl.h"
#include "cluster/cluster.h"
#include "report/report.h"
#include "run/run.h"
#include "util/fmt.h"
#include "util/xmalloc.h"

#define PANEL_H		130	/* a panel's plot height */
#define PANEL_GAP	50	/* title above, tick labels below */
#define BAND_MAX	130	/* node rows drawn at most */
#define LAUNCH_COLOR	"#bab0ac"
#define READY_COLOR	"#59a14f"
#define DRAIN_COLOR	"#f28e2b"
#define LINE_COLOR	"#4e79a7"
#define TARGET_COLOR	"#e15759"
#define REP_COLOR	"#222222"

/* Nodes came or went during the run: the bands say something. */
static int
nodes_changed(const struct ks_cluster *c)
{
	for (size_t i = 0; i < c->nnodes; i++)
		if (c->nodes[i]->launched_ms > 0 || c->nodes[i]->gone_ms >= 0)
			return 1;
	return 0;
}

static size_t
vpa_panels(json_t *vpas)
{
	size_t n = 0, i;
	json_t *v, *last;

	json_array_foreach(vpas, i, v) {
		json_t *s = json_object_get(v, "samples");

		last = json_array_get(s, json_array_size(s) - 1);
		n += 2 * json_array_size(json_object_get(last, "containers"));
	}
	return n;
}

int
svg_autoscale_height(struct ks_run *r)
{
	json_t *root = report_ctl_data(r);
	size_t n = json_array_size(json_object_get(root, "hpas")) +
	    vpa_panels(json_object_get(root, "vpas")) + (size_t)nodes_changed(&r->cluster);

	json_decref(root);
	return n > 0 ? (int)n * (PANEL_H + PANEL_GAP) + 20 : 0;
}

static double
px(const struct svg_geom *g, int64_t t)
{
	return g->x0 + (double)(g->x1 - g->x0) * (double)t / (double)(g->end > 0 ? g->end : 1);
}

/* y of v on an axis 0..max over [y0, y0 + PANEL_H]. */
static double
py(int y0, double v, double max)
{
	return y0 + PANEL_H - (max > 0 ? v / max : 0) * PANEL_H;
}

/* The panel's frame, its title, the time labels and a left axis up to max (none when max < 0). */
static void
frame(FILE *fp, const struct svg_geom *g, int y0, const char *title, double max,
    const char *unit)
{
	fprintf(fp, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">", g->x0, y0 - 8);
	fmt_xml_escape(fp, title);
	fprintf(fp, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
	    "stroke=\"#333\"/>\n", g->x0, y0, g->x1 - g->x0, PANEL_H);
	for (int64_t t = 0; g->tstep > 0 && t <= g->end; t += g->tstep)
		fprintf(fp, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">"
		    "%lld:%02lld</text>\n", px(g, t), y0 + PANEL_H + 15,
		    (long long)(t / 3600000), (long long)(t / 60000 % 60));
	if (max >= 0)
		fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>\n"
		    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", g->x0 - 6, y0 + 10,
		    max, g->x0 - 6, y0 + PANEL_H);
	fprintf(fp, "<text transform=\"translate(%d,%d) rotate(-90)\" text-anchor=\"middle\">",
	    g->x0 - 48, y0 + PANEL_H / 2);
	fmt_xml_escape(fp, unit);
	fputs("</text>\n", fp);
}

static void
key(FILE *fp, const struct svg_geom *g, int y0, int row, const char *color, int dashed,
    const char *label)
{
	int y = y0 + 12 + row * 17;

	fprintf(fp, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%d\""
	    "%s/>\n<text x=\"%d\" y=\"%d\">", g->legend_x, y - 4, g->legend_x + 18, y - 4, color,
	    dashed == 2 ? 8 : 2, dashed == 1 ? " stroke-dasharray=\"6 3\"" : "", g->legend_x + 24, y);
	fmt_xml_escape(fp, label);
	fputs("</text>\n", fp);
}

/* When node n was cordoned for its removal (the NodeNotSchedulable event), or -1. */
static int64_t
drain_start(const struct ks_cluster *c, const struct ks_node *n)
{
	char ref[300];

	snprintf(ref, sizeof(ref), "node/%s", n->name);
	for (size_t k = 0; k < c->nevents; k++)
		if (strcmp(c->events[k].type, "NodeNotSchedulable") == 0 &&
		    strcmp(c->events[k].object, ref) == 0)
			return c->events[k].at_ms;
	return -1;
}

static void
band(FILE *fp, const struct svg_geom *g, double y, double h, int64_t a, int64_t b,
    const char *color, const char *what, const char *node)
{
	if (b <= a)
		return;
	fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
	    "<title>", px(g, a), y, px(g, b) - px(g, a), h, color);
	fmt_xml_escape(fp, node);
	fprintf(fp, ": %s</title></rect>\n", what);
}

static int
node_bands(FILE *fp, struct ks_run *r, const struct svg_geom *g, int y0)
{
	const struct ks_cluster *c = &r->cluster;
	size_t n = c->nnodes < BAND_MAX ? c->nnodes : BAND_MAX;
	double h = (double)PANEL_H / (double)(n ? n : 1);

	frame(fp, g, y0, "Nodes: launching, ready, draining", -1, "nodes");
	for (size_t i = 0; i < n; i++) {
		const struct ks_node *nd = c->nodes[i];
		int64_t gone = nd->gone_ms >= 0 ? nd->gone_ms : g->end;
		int64_t ready = nd->ready_ms >= 0 ? nd->ready_ms : gone;
		int64_t drain = drain_start(c, nd);
		double y = y0 + (double)i * h;

		if (drain < 0 || drain > gone)
			drain = gone;
		band(fp, g, y, h * 0.8, nd->launched_ms, ready, LAUNCH_COLOR, "launching", nd->name);
		band(fp, g, y, h * 0.8, ready, drain, READY_COLOR, "ready", nd->name);
		band(fp, g, y, h * 0.8, drain, gone, DRAIN_COLOR, "draining", nd->name);
	}
	key(fp, g, y0, 0, LAUNCH_COLOR, 2, "launching");
	key(fp, g, y0, 1, READY_COLOR, 2, "ready");
	key(fp, g, y0, 2, DRAIN_COLOR, 2, "draining");
	if (c->nnodes > BAND_MAX)
		key(fp, g, y0, 3, "#ffffff", 0, "(the first 130 nodes)");
	return y0 + PANEL_H + PANEL_GAP;
}

/* A polyline of (t, v) through the points with v >= 0. */
static void
line(FILE *fp, const struct svg_geom *g, int y0, const int64_t *t, const double *v, size_t n,
    double max, const char *color, int dashed, int step)
{
	int pen = 0;

	fprintf(fp, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s d=\"", color,
	    dashed ? " stroke-dasharray=\"6 3\"" : "");
	for (size_t i = 0; i < n; i++) {
		if (v[i] < 0) {
			pen = 0;
			continue;
		}
		if (pen && step)
			fprintf(fp, " H%.1f", px(g, t[i]));
		fprintf(fp, "%s%.1f %.1f", pen ? " L" : " M", px(g, t[i]), py(y0, v[i], max));
		pen = 1;
	}
	if (pen && step && n > 0)
		fprintf(fp, " H%.1f", px(g, g->end));
	fputs("\"/>\n", fp);
}

static double
vmax(const double *v, size_t n, double floor)
{
	double m = floor;

	for (size_t i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m * 1.1;
}

static int
hpa_panel(FILE *fp, const struct svg_geom *g, int y0, json_t *h)
{
	json_t *samples = json_object_get(h, "samples"), *s, *m0 = NULL;
	size_t n = json_array_size(samples), i;
	int64_t *t = xcalloc(n + 1, sizeof(*t));
	double *cur = xcalloc(n + 1, sizeof(*cur)), *tgt = xcalloc(n + 1, sizeof(*tgt));
	double *rep = xcalloc(n + 1, sizeof(*rep)), max, rmax;
	char *title, *unit;

	json_array_foreach(samples, i, s) {
		json_t *m = json_array_get(json_object_get(s, "metrics"), 0);

		m0 = m0 != NULL ? m0 : m;
		t[i] = report_jint(s, "at_ms");
		cur[i] = (double)report_jint(m, "current");
		tgt[i] = (double)report_jint(m, "target");
		rep[i] = (double)report_jint(s, "current_replicas");
	}
	max = vmax(cur, n, vmax(tgt, n, 1));
	rmax = vmax(rep, n, 1);
	title = xasprintf("HPA %s/%s: %s against its target, with replicas",
	    json_string_value(json_object_get(h, "namespace")),
	    json_string_value(json_object_get(h, "name")),
	    m0 ? json_string_value(json_object_get(m0, "name")) : "");
	unit = xasprintf("%s", m0 ? json_string_value(json_object_get(m0, "unit")) : "");
	frame(fp, g, y0, title, max, unit);
	line(fp, g, y0, t, tgt, n, max, TARGET_COLOR, 1, 1);
	line(fp, g, y0, t, cur, n, max, LINE_COLOR, 0, 0);
	line(fp, g, y0, t, rep, n, rmax, REP_COLOR, 0, 1);
	fprintf(fp, "<text x=\"%d\" y=\"%d\">%.0f replicas</text>\n", g->x1 + 6, y0 + 10, rmax);
	key(fp, g, y0, 0, LINE_COLOR, 0, "current (left axis)");
	key(fp, g, y0, 1, TARGET_COLOR, 1, "target (left axis)");
	key(fp, g, y0, 2, REP_COLOR, 0, "replicas (right scale)");
	free(title);
	free(unit);
	free(t);
	free(cur);
	free(tgt);
	free(rep);
	return y0 + PANEL_H + PANEL_GAP;
}

/* The request of container ctr in the VPA's target's pod template (res: RES_CPU or RES_MEM), or -1. */
static double
tmpl_request(struct ks_run *r, json_t *v, const char *ctr, int res)
{
	const char *ref = json_string_value(json_object_get(v, "target_ref"));
	const char *ns = json_string_value(json_object_get(v, "namespace"));
	const char *sl = ref != NULL ? strchr(ref, '/') : NULL;

	for (size_t i = 0; sl != NULL && ns != NULL && i < r->cluster.nwls; i++) {
		const struct ks_workload *w = r->cluster.wls[i];

		if (strlen(wl_kind_name[w->kind]) != (size_t)(sl - ref) ||
		    strncmp(wl_kind_name[w->kind], ref, (size_t)(sl - ref)) != 0 ||
		    strcmp(w->name, sl + 1) != 0 || strcmp(w->ns, ns) != 0)
			continue;
		for (size_t k = 0; k < w->spec.nctrs; k++)
			if (strcmp(w->spec.ctrs[k].name, ctr) == 0)
				return (double)w->spec.ctrs[k].req.v[res];
	}
	return -1;
}

static int
vpa_panel(FILE *fp, struct ks_run *r, const struct svg_geom *g, int y0, json_t *v,
    const char *ctr, int mem)
{
	json_t *samples = json_object_get(v, "samples"), *s;
	size_t n = json_array_size(samples), i;
	const char *key_ = mem ? "memory_bytes" : "cpu_m";
	int64_t *t = xcalloc(n + 1, sizeof(*t));
	double *tg = xcalloc(n + 1, sizeof(*tg)), *lo = xcalloc(n + 1, sizeof(*lo));
	double *up = xcalloc(n + 1, sizeof(*up)), *rq = xcalloc(n + 1, sizeof(*rq));
	double req = tmpl_request(r, v, ctr, mem ? RES_MEM : RES_CPU), max;
	char *title;

	json_array_foreach(samples, i, s) {
		size_t k;
		json_t *c, *hit = NULL;

		json_array_foreach(json_object_get(s, "containers"), k, c)
			if (strcmp(json_string_value(json_object_get(c, "name")), ctr) == 0)
				hit = c;
		t[i] = report_jint(s, "at_ms");
		tg[i] = (double)report_jint(json_object_get(hit, "target"), key_);
		lo[i] = (double)report_jint(json_object_get(hit, "lower_bound"), key_);
		up[i] = (double)report_jint(json_object_get(hit, "upper_bound"), key_);
		rq[i] = req;
	}
	max = vmax(up, n, vmax(rq, n, 1));
	title = xasprintf("VPA %s/%s, container %s: %s target and bounds against the request",
	    json_string_value(json_object_get(v, "namespace")),
	    json_string_value(json_object_get(v, "name")), ctr, mem ? "memory" : "cpu");
	frame(fp, g, y0, title, mem ? max / (1 << 20) : max, mem ? "MiB" : "millicores");
	if (mem)
		for (size_t j = 0; j < n; j++) {
			tg[j] = tg[j] < 0 ? -1 : tg[j] / (1 << 20);
			lo[j] = lo[j] < 0 ? -1 : lo[j] / (1 << 20);
			up[j] = up[j] < 0 ? -1 : up[j] / (1 << 20);
			rq[j] = rq[j] < 0 ? -1 : rq[j] / (1 << 20);
		}
	if (mem)
		max /= 1 << 20;
	line(fp, g, y0, t, up, n, max, "#76b7b2", 0, 1);
	line(fp, g, y0, t, lo, n, max, "#76b7b2", 0, 1);
	line(fp, g, y0, t, tg, n, max, LINE_COLOR, 0, 1);
	line(fp, g, y0, t, rq, n, max, TARGET_COLOR, 1, 1);
	key(fp, g, y0, 0, LINE_COLOR, 0, "target");
	key(fp, g, y0, 1, "#76b7b2", 0, "lower and upper bounds");
	key(fp, g, y0, 2, TARGET_COLOR, 1, "request (pod template)");
	free(title);
	free(t);
	free(tg);
	free(lo);
	free(up);
	free(rq);
	return y0 + PANEL_H + PANEL_GAP;
}

void
svg_autoscale(FILE *fp, struct ks_run *r, const struct svg_geom *g)
{
	json_t *root = report_ctl_data(r), *h, *v, *c, *last;
	int y = g->y0;
	size_t i, k;

	fputs("<g id=\"autoscalers\" font-size=\"12\">\n", fp);
	if (nodes_changed(&r->cluster))
		y = node_bands(fp, r, g, y);
	json_array_foreach(json_object_get(root, "hpas"), i, h)
		y = hpa_panel(fp, g, y, h);
	json_array_foreach(json_object_get(root, "vpas"), i, v) {
		json_t *s = json_object_get(v, "samples");

		last = json_array_get(s, json_array_size(s) - 1);
		json_array_foreach(json_object_get(last, "containers"), k, c) {
			const char *ctr = json_string_value(json_object_get(c, "name"));

			y = vpa_panel(fp, r, g, y, v, ctr, 0);
			y = vpa_panel(fp, r, g, y, v, ctr, 1);
		}
	}
	fputs("</g>\n", fp);
	json_decref(root);
}
