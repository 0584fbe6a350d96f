/*
 * text_ca.c: the Cluster Autoscaler's section of the text report,
 * rendered from its data ("node_groups", "cluster_autoscaler";
 * autoscale/ca/report.c).
 *
 * The node groups (sizes, the nodes Ready at the end, scale-ups and
 * -downs); with CA on, its version, expander and config source, every
 * scale-up and scale-down in time order, and each node's last scale-down
 * status.  The data keeps scale-ups and scale-downs in two lists, each in
 * time order; merged by time, a scale-up goes first at a tie, as a CA
 * loop scales up before it scales down.  "Ready" is the cluster's, not
 * CA's: the group's nodes Ready at the end.  Without --detail at most
 * REPORT_TEXT_ROWS node groups, decisions and nodes are printed
 * (text.h).
 */
#include "report/text.h"

#include <stdio.h>
#include <string.h>

#include "cluster/cluster.h"
#include "run/run.h"
#include "util/fmt.h"

/* The nodes of node group `name` Ready at the end of the run. */
static int
ca_ready(const struct ks_cluster *c, const char *name)
{
	int k = 0;

	for (size_t i = 0; i < c->nnodes; i++) {
		const struct ks_node *n = c->nodes[i];

		k += n->owner_kind == NODE_OWNER_NODEGROUP && n->group != NULL &&
		    strcmp(n->group, name) == 0 && n->state == NODE_READY;
	}
	return k;
}

static void
ca_groups(const struct report_account *a, const struct report_view *v, const json_t *groups,
    FILE *fp)
{
	size_t n = json_array_size(groups), rows = report_text_rows(v, n);

	fprintf(fp, "%-24s %-14s %-5s %-5s %-8s %-6s %-10s %s\n", "GROUP", "TYPE", "MIN", "MAX",
	    "DESIRED", "READY", "SCALE-UPS", "SCALE-DOWNS");
	for (size_t i = 0; i < rows; i++) {
		const json_t *g = json_array_get(groups, i);

		fprintf(fp, "%-24s %-14s %-5d %-5d %-8d %-6d %-10d %d\n", report_data_str(g, "name"),
		    report_data_str(g, "instance_type"), (int)report_data_int(g, "min"),
		    (int)report_data_int(g, "max"), (int)report_data_int(g, "desired"),
		    ca_ready(&a->run->cluster, report_data_str(g, "name")),
		    (int)report_data_int(g, "scale_ups"), (int)report_data_int(g, "scale_downs"));
	}
	report_text_more(fp, rows, n, "node groups", "workloads");
}

static void
ca_scale_up(const json_t *o, FILE *fp)
{
	const json_t *score = json_object_get(o, "score");
	char t1[32];

	fprintf(fp, "%-12s scale-up   %s %d->%d, %d pod(s), expander %s (%d option(s)%s",
	    fmt_time(report_data_int(o, "at_ms"), t1, sizeof(t1)), report_data_str(o, "group"),
	    (int)report_data_int(o, "from"), (int)report_data_int(o, "to"),
	    (int)report_data_int(o, "pods"), report_data_str(o, "expander"),
	    (int)report_data_int(o, "options"), json_is_number(score) ? ", " : ")\n");
	if (json_is_number(score))
		fprintf(fp, "score %.3f)\n", json_number_value(score));
}

static void
ca_scale_down(const json_t *o, FILE *fp)
{
	char t1[32];

	fprintf(fp, "%-12s scale-down %s %d->%d, node %s%s\n",
	    fmt_time(report_data_int(o, "at_ms"), t1, sizeof(t1)), report_data_str(o, "group"),
	    (int)report_data_int(o, "from"), (int)report_data_int(o, "to"),
	    report_data_str(o, "node"), json_is_true(json_object_get(o, "empty")) ? " (empty)" : "");
}

/* The scale-ups and scale-downs merged in time order, a scale-up first at a tie. */
static void
ca_decisions(const struct report_view *v, const json_t *ca, FILE *fp)
{
	const json_t *ups = json_object_get(ca, "scale_ups");
	const json_t *downs = json_object_get(ca, "scale_downs");
	size_t nu = json_array_size(ups), nd = json_array_size(downs), u = 0, d = 0;
	size_t rows = report_text_rows(v, nu + nd);

	while (u + d < rows) {
		const json_t *up = json_array_get(ups, u), *down = json_array_get(downs, d);

		if (up != NULL && (down == NULL ||
		    report_data_int(up, "at_ms") <= report_data_int(down, "at_ms"))) {
			ca_scale_up(up, fp);
			u++;
		} else {
			ca_scale_down(down, fp);
			d++;
		}
	}
	report_text_more(fp, rows, nu + nd, "scale-ups and scale-downs", "workloads");
}

void
report_text_ca(const struct report_account *a, const struct report_view *v, const json_t *root,
    FILE *fp)
{
	const json_t *ca = json_object_get(root, "cluster_autoscaler");
	const json_t *nodes = json_object_get(ca, "nodes");
	size_t n = json_array_size(nodes), rows = report_text_rows(v, n);

	if (ca != NULL)
		fprintf(fp, "\nCLUSTER AUTOSCALER %s (expander %s; config from %s)\n",
		    report_data_str(ca, "version"), report_data_str(ca, "expander"),
		    report_data_str(ca, "config"));
	else
		fprintf(fp, "\nNODE GROUPS (no cluster autoscaler)\n");
	ca_groups(a, v, json_object_get(root, "node_groups"), fp);
	if (ca == NULL)
		return;
	ca_decisions(v, ca, fp);
	fprintf(fp, "%-34s %-6s %s\n", "NODE", "UTIL", "SCALE-DOWN STATUS");
	for (size_t i = 0; i < rows; i++) {
		const json_t *o = json_array_get(nodes, i);

		fprintf(fp, "%-34s %-6.3f %s\n", report_data_str(o, "name"),
		    json_number_value(json_object_get(o, "utilization")),
		    report_data_str(o, "status"));
	}
	report_text_more(fp, rows, n, "nodes", "workloads");
}
