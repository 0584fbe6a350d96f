/*
 * json.c: the account rendered for a program (see report.h); its schema is
 * documented in ksim-scenario(5).
 *
 * The document is complete: every pod, node and event, the cost, the
 * warnings, the controllers' sections (added by their ops), and last the
 * expectations' verdicts, which are evaluated against the document built
 * so far.  Numbers that are money are rounded to micro-USD and printed
 * with a fixed precision (util/fmt.h), so the same run prints the same
 * bytes on every machine.  Times are integer ms; absent ones are null.
 *
 * Two ways to the same bytes.  report_json() builds the whole document as
 * a jansson tree: the expectations are evaluated against it, and compare
 * and sweep read their figures out of it.  report_json_write() streams
 * it: the document is built with the pods, nodes and events left empty,
 * dumped, and each of those three arrays is written where jansson printed
 * "[]", one element at a time, each element dumped by jansson itself and
 * indented to its depth (a dumped string never holds a raw newline, so
 * indenting after every newline is exact).  Memory is then one element,
 * not the run's every pod and event: for the 50 MB report of
 * `tests/bench/gen.sh 2000 60000`, the peak RSS of `ksim run -o json`
 * falls from 380 MB to 50 MB.  CPU stays about the same, since every
 * element is still built and dumped by jansson.  A run with expectations
 * takes the tree, which they need.
 */
#include "report/report.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "run.h"
#include "util/fmt.h"

static json_t *
ms_or_null(int64_t ms)
{
	return ms >= 0 ? json_integer(ms) : json_null();
}

static json_t *
json_pod(const struct ks_cluster *c, const struct ks_pod *p)
{
	json_t *o = json_object();
	char wl[600];

	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "namespace", json_string(p->ns));
	if (p->owner != NULL) {
		snprintf(wl, sizeof(wl), "%s/%s", wl_kind_name[p->owner->kind], p->owner->name);
		json_object_set_new(o, "workload", json_string(wl));
	} else {
		json_object_set_new(o, "workload", json_null());
	}
	json_object_set_new(o, "node", p->node >= 0 ?
	    json_string(c->nodes[p->node]->name) : json_null());
	json_object_set_new(o, "phase", json_string(pod_phase_name[p->phase]));
	json_object_set_new(o, "cpu_m", json_integer(p->req.v[RES_CPU]));
	json_object_set_new(o, "memory_bytes", json_integer(p->req.v[RES_MEM]));
	json_object_set_new(o, "created_at_ms", json_integer(p->created_ms));
	json_object_set_new(o, "scheduled_at_ms", ms_or_null(p->scheduled_ms));
	json_object_set_new(o, "running_at_ms", ms_or_null(p->running_ms));
	json_object_set_new(o, "ready_at_ms", ms_or_null(p->ready_ms));
	json_object_set_new(o, "deleted_at_ms", ms_or_null(p->deleted_ms));
	json_object_set_new(o, "reason", p->phase == POD_PENDING && p->reason ?
	    json_string(p->reason) : json_null());
	json_object_set_new(o, "autoscaler_reason", p->phase == POD_PENDING && p->why_not ?
	    json_string(p->why_not) : json_null());
	return o;
}

static json_t *
json_node(const struct ks_node *n, int64_t cost_nusd)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(n->name));
	json_object_set_new(o, "instance_type", n->itype ? json_string(n->itype->name) : json_null());
	json_object_set_new(o, "capacity_type", json_string(n->spot ? "spot" : "on-demand"));
	json_object_set_new(o, "zone", n->zone[0] ? json_string(n->zone) : json_null());
	json_object_set_new(o, "group", n->group ? json_string(n->group) : json_null());
	json_object_set_new(o, "state", json_string(report_node_state(n)));
	json_object_set_new(o, "allocatable_cpu_m", json_integer(n->alloc.v[RES_CPU]));
	json_object_set_new(o, "allocatable_memory_bytes", json_integer(n->alloc.v[RES_MEM]));
	json_object_set_new(o, "allocatable_pods", json_integer(n->alloc.v[RES_PODS]));
	json_object_set_new(o, "launched_at_ms", json_integer(n->launched_ms));
	json_object_set_new(o, "ready_at_ms", ms_or_null(n->ready_ms));
	json_object_set_new(o, "terminated_at_ms", ms_or_null(n->gone_ms));
	json_object_set_new(o, "price_usd_per_hour", fmt_json_usd(n->price_nusd_h));
	json_object_set_new(o, "cost_usd", fmt_json_usd(cost_nusd));
	return o;
}

static json_t *
json_event(const struct ks_event *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "at_ms", json_integer(e->at_ms));
	json_object_set_new(o, "type", json_string(e->type));
	json_object_set_new(o, "object", json_string(e->object));
	json_object_set_new(o, "message", json_string(e->message));
	return o;
}

/* The document; with `empty`, the pods, nodes and events arrays are left empty. */
static json_t *
json_body(struct report_account *a, int empty)
{
	struct ks_run *r = a->run;
	struct ks_cluster *c = &r->cluster;
	json_t *root = json_object(), *pods = json_array(), *nodes = json_array();
	json_t *events = json_array(), *cost = json_object(), *warnings = json_array();

	json_object_set_new(root, "scenario", json_string(r->scn->name));
	json_object_set_new(root, "duration_ms", json_integer(r->scn->duration_ms));
	json_object_set_new(root, "seed", json_integer((json_int_t)r->scn->seed));
	json_object_set_new(root, "region", json_string(r->region));
	for (size_t i = 0; !empty && i < c->npods; i++)
		json_array_append_new(pods, json_pod(c, c->pods[i]));
	for (size_t i = 0; !empty && i < c->nnodes; i++)
		json_array_append_new(nodes, json_node(c->nodes[i], a->node_cost[i]));
	for (size_t i = 0; !empty && i < c->nevents; i++)
		json_array_append_new(events, json_event(&c->events[i]));
	json_object_set_new(root, "pods", pods);
	json_object_set_new(root, "nodes", nodes);
	json_object_set_new(root, "events", events);
	json_object_set_new(cost, "total_usd", fmt_json_usd(a->total_nusd));
	json_object_set_new(root, "cost", cost);
	for (size_t i = 0; i < a->nwarnings; i++)
		json_array_append_new(warnings, json_string(a->warnings[i]));
	json_object_set_new(root, "warnings", warnings);
	for (size_t i = 0; ctl_table[i] != NULL; i++)
		if (r->ctl_state[i] != NULL && ctl_table[i]->report_json != NULL)
			ctl_table[i]->report_json(r, r->ctl_state[i], root);
	return root;
}

json_t *
report_json_body(struct report_account *a)
{
	return json_body(a, 0);
}

json_t *
report_json(struct ks_run *r)
{
	struct report_account *a = report_account_new(r);
	json_t *root = report_json_body(a);

	if (r->scn->expect != NULL) {
		json_t *arr = json_array();

		report_account_expect(a, root);
		for (size_t i = 0; i < a->nverdicts; i++) {
			const struct expect_result *v = &a->verdicts[i];
			json_t *o = json_object();

			json_object_set_new(o, "name", json_string(v->name));
			json_object_set_new(o, "ok", json_boolean(v->ok));
			if (v->skipped)
				json_object_set_new(o, "skipped", json_true());
			json_object_set_new(o, "message", json_string(v->msg));
			json_array_append_new(arr, o);
		}
		json_object_set_new(root, "expectations", arr);
	}
	report_account_free(a);
	return root;
}

/* ---- streaming ---- */

#define DUMP_FLAGS	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* Write v as jansson dumps it at `depth` (its lines indented by 2 * depth spaces). */
static void
put_indented(FILE *fp, json_t *v, int depth)
{
	char *text = json_dumps(v, DUMP_FLAGS | JSON_ENCODE_ANY);

	assert(text != NULL);
	for (const char *p = text; *p != '\0'; p++) {
		fputc(*p, fp);
		if (*p == '\n')
			fprintf(fp, "%*s", 2 * depth, "");
	}
	free(text);
}

/* The i-th element of one of the streamed arrays. */
static json_t *
elem_pod(struct report_account *a, size_t i)
{
	return json_pod(&a->run->cluster, a->run->cluster.pods[i]);
}

static json_t *
elem_node(struct report_account *a, size_t i)
{
	return json_node(a->run->cluster.nodes[i], a->node_cost[i]);
}

static json_t *
elem_event(struct report_account *a, size_t i)
{
	return json_event(&a->run->cluster.events[i]);
}

/* The root's arrays that are streamed, in the document's order. */
static const struct {
	const char	*marker;	/* the key and the empty array, as the root dump prints them */
	json_t		*(*elem)(struct report_account *, size_t);	/* builds element i */
	size_t		 count_off;	/* offsetof the element count in struct ks_cluster */
} streamed[] = {
	{ "\n  \"pods\": []", elem_pod, offsetof(struct ks_cluster, npods) },
	{ "\n  \"nodes\": []", elem_node, offsetof(struct ks_cluster, nnodes) },
	{ "\n  \"events\": []", elem_event, offsetof(struct ks_cluster, nevents) },
};

/* An array of the root, at depth 1, as jansson would have printed it. */
static void
put_array(FILE *fp, struct report_account *a, size_t k)
{
	size_t n = *(const size_t *)((const char *)&a->run->cluster + streamed[k].count_off);

	if (n == 0) {
		fputs("[]", fp);
		return;
	}
	fputc('[', fp);
	for (size_t i = 0; i < n; i++) {
		json_t *o = streamed[k].elem(a, i);

		fputs(i == 0 ? "\n    " : ",\n    ", fp);
		put_indented(fp, o, 2);
		json_decref(o);
	}
	fputs("\n  ]", fp);
}

void
report_json_write(struct ks_run *r, FILE *fp)
{
	struct report_account *a;
	json_t *root;
	char *text;
	const char *p;

	if (r->scn->expect != NULL) {
		/* the verdicts are evaluated against the whole document */
		root = report_json(r);
		put_indented(fp, root, 0);
		fputc('\n', fp);
		json_decref(root);
		return;
	}
	a = report_account_new(r);
	root = json_body(a, 1);
	text = json_dumps(root, DUMP_FLAGS);
	json_decref(root);
	p = text;
	for (size_t k = 0; k < sizeof(streamed) / sizeof(streamed[0]); k++) {
		const char *at = strstr(p, streamed[k].marker);
		size_t keylen = strlen(streamed[k].marker) - 2;	/* up to the "[]" */

		assert(at != NULL);
		fwrite(p, 1, (size_t)(at - p) + keylen, fp);
		put_array(fp, a, k);
		p = at + keylen + 2;
	}
	fputs(p, fp);
	fputc('\n', fp);
	free(text);
	report_account_free(a);
}
