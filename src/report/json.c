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
 * "[]", one element at a time.  Each element is first a flat record (the
 * one definition of a pod, node or event in this file, which the tree
 * path turns into jansson objects too); a record of integers, nulls and
 * plain ASCII strings is printed directly in jansson's layout, any other
 * (escapes, UTF-8, money as a real) is dumped by jansson and indented to
 * its depth (a dump holds no raw newline inside a string, so indenting
 * after every newline is exact).  check_report.c compares the two paths
 * byte for byte.
 *
 * A run with expectations builds into the tree the arrays they read (the
 * pods, the nodes; never the events: io/expect.h) and streams the rest.
 *
 * Costs, on `tests/bench/gen.sh 2000 60000` (60,000 pods, 121,500 events,
 * a 50 MB report): the tree path peaks at 380 MB of RSS and takes about
 * 1.0 s of CPU to build and write; streaming, 50 MB and 0.2 s.
 */
#include "report/report.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/catalog.h"
#include "cluster/cluster.h"
#include "explain/explain.h"
#include "run/run.h"
#include "util/fmt.h"

/*
 * A pod, node or event as a flat record of (key, value) pairs in the
 * schema's order: one definition of each object, which the tree path turns
 * into jansson objects and the streaming path prints directly.
 */
enum jkind { JK_NULL, JK_STR, JK_INT, JK_USD };

struct jfield {
	const char	*key;		/* the JSON key */
	enum jkind	 kind;		/* which of s and i holds the value */
	const char	*s;		/* JK_STR: the string (borrowed) */
	int64_t		 i;		/* JK_INT: the integer; JK_USD: nano-USD */
};

#define POD_FIELDS	14
#define NODE_FIELDS	15	/* at most: the Auto Mode fee only where there is one */
#define EVENT_FIELDS	6
#define MAX_FIELDS	15

static struct jfield
f_str(const char *key, const char *s)
{
	return (struct jfield){ key, s != NULL ? JK_STR : JK_NULL, s, 0 };
}

static struct jfield
f_int(const char *key, int64_t i)
{
	return (struct jfield){ key, JK_INT, NULL, i };
}

/* An integer of ms, or null when negative (not happened). */
static struct jfield
f_ms(const char *key, int64_t ms)
{
	return (struct jfield){ key, ms >= 0 ? JK_INT : JK_NULL, NULL, ms };
}

static struct jfield
f_usd(const char *key, int64_t nusd)
{
	return (struct jfield){ key, JK_USD, NULL, nusd };
}

/* wl holds the "Kind/name" of the pod's workload; it must outlive f. */
static void
pod_record(const struct ks_cluster *c, const struct ks_pod *p, char *wl, size_t wlsz,
    struct jfield *f)
{
	int pending = p->phase == POD_PENDING;

	if (p->owner != NULL)
		snprintf(wl, wlsz, "%s/%s", wl_kind_name[p->owner->kind], p->owner->name);
	f[0] = f_str("name", p->name);
	f[1] = f_str("namespace", p->ns);
	f[2] = f_str("workload", p->owner != NULL ? wl : NULL);
	f[3] = f_str("node", p->node >= 0 ? c->nodes[p->node]->name : NULL);
	f[4] = f_str("phase", pod_phase_name[p->phase]);
	f[5] = f_int("cpu_m", p->req.v[RES_CPU]);
	f[6] = f_int("memory_bytes", p->req.v[RES_MEM]);
	f[7] = f_int("created_at_ms", p->created_ms);
	f[8] = f_ms("scheduled_at_ms", p->scheduled_ms);
	f[9] = f_ms("running_at_ms", p->running_ms);
	f[10] = f_ms("ready_at_ms", p->ready_ms);
	f[11] = f_ms("deleted_at_ms", p->deleted_ms);
	f[12] = f_str("reason", pending ? p->reason : NULL);
	f[13] = f_str("autoscaler_reason", pending ? p->why_not : NULL);
}

/* Fills f; returns the number of fields (the fee only where there is one). */
static size_t
node_record(const struct ks_node *n, int64_t cost_nusd, struct jfield *f)
{
	size_t i = 13;

	f[0] = f_str("name", n->name);
	f[1] = f_str("instance_type", n->itype ? n->itype->name : NULL);
	f[2] = f_str("capacity_type", n->spot ? "spot" : "on-demand");
	f[3] = f_str("zone", n->zone[0] ? n->zone : NULL);
	f[4] = f_str("group", n->group);
	f[5] = f_str("state", report_node_state(n));
	f[6] = f_int("allocatable_cpu_m", n->alloc.v[RES_CPU]);
	f[7] = f_int("allocatable_memory_bytes", n->alloc.v[RES_MEM]);
	f[8] = f_int("allocatable_pods", n->alloc.v[RES_PODS]);
	f[9] = f_int("launched_at_ms", n->launched_ms);
	f[10] = f_ms("ready_at_ms", n->ready_ms);
	f[11] = f_ms("terminated_at_ms", n->gone_ms);
	f[12] = f_usd("price_usd_per_hour", n->price_nusd_h);
	if (n->fee_nusd_h > 0)
		f[i++] = f_usd("automode_fee_usd_per_hour", n->fee_nusd_h);
	f[i++] = f_usd("cost_usd", cost_nusd);
	return i;
}

static void
event_record(const struct ks_event *e, struct jfield *f)
{
	f[0] = f_int("at_ms", e->at_ms);
	f[1] = f_str("type", e->type);
	f[2] = f_str("object", e->object);
	f[3] = f_str("message", e->message);
	f[4] = f_int("count", e->count);
	f[5] = f_int("last_at_ms", e->last_ms);
}

/* The record as a jansson object. */
static json_t *
record_json(const struct jfield *f, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; i < n; i++) {
		json_t *v = NULL;

		switch (f[i].kind) {
		case JK_NULL:
			v = json_null();
			break;
		case JK_STR:
			v = json_string(f[i].s);
			break;
		case JK_INT:
			v = json_integer(f[i].i);
			break;
		case JK_USD:
			v = fmt_json_usd(f[i].i);
			break;
		}
		json_object_set_new(o, f[i].key, v);
	}
	return o;
}

static json_t *
json_pod(const struct ks_cluster *c, const struct ks_pod *p)
{
	struct jfield f[POD_FIELDS];
	char wl[600];

	pod_record(c, p, wl, sizeof(wl), f);
	return record_json(f, POD_FIELDS);
}

static json_t *
json_node(const struct ks_node *n, int64_t cost_nusd)
{
	struct jfield f[NODE_FIELDS];

	return record_json(f, node_record(n, cost_nusd, f));
}

static json_t *
json_event(const struct ks_event *e)
{
	struct jfield f[EVENT_FIELDS];

	event_record(e, f);
	return record_json(f, EVENT_FIELDS);
}

#define DUMP_FLAGS	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/* Arrays of the root json_body() may leave empty, for report_json_write() to stream. */
#define OMIT_PODS	0x1
#define OMIT_NODES	0x2
#define OMIT_EVENTS	0x4

/* The arrays a level of detail leaves out altogether (absent, not streamed). */
static int
absent_at(enum report_detail d)
{
	switch (d) {
	case REPORT_DETAIL_SUMMARY:
		return OMIT_PODS | OMIT_NODES | OMIT_EVENTS;
	case REPORT_DETAIL_WORKLOADS:
		return OMIT_PODS | OMIT_EVENTS;
	case REPORT_DETAIL_PODS:
		return OMIT_EVENTS;
	case REPORT_DETAIL_DEFAULT:
	case REPORT_DETAIL_EVENTS:
		break;
	}
	return 0;
}

/* "summary": the run's counts, at every explicit level of detail. */
static json_t *
json_summary(const struct report_account *a)
{
	const struct ks_cluster *c = &a->run->cluster;
	size_t running = 0, alive = 0;
	json_t *o = json_object();

	for (size_t i = 0; i < c->npods; i++)
		running += c->pods[i]->phase == POD_RUNNING;
	for (size_t i = 0; i < c->nnodes; i++)
		alive += c->nodes[i]->state != NODE_GONE;
	json_object_set_new(o, "pods_created", json_integer((json_int_t)c->npods));
	json_object_set_new(o, "pods_running", json_integer((json_int_t)running));
	json_object_set_new(o, "pods_pending", json_integer((json_int_t)a->pending));
	json_object_set_new(o, "nodes_launched", json_integer((json_int_t)c->nnodes));
	json_object_set_new(o, "nodes_alive", json_integer((json_int_t)alive));
	json_object_set_new(o, "events", json_integer((json_int_t)c->nevents));
	return o;
}

/* "workloads": one row per workload, its pods counted by phase at the end. */
static json_t *
json_workloads(const struct report_account *a)
{
	const struct ks_cluster *c = &a->run->cluster;
	struct report_wl_count *n = report_wl_counts(c);
	json_t *arr = json_array();

	for (size_t i = 0; i < c->nwls; i++) {
		const struct ks_workload *w = c->wls[i];
		json_t *o = json_object();

		json_object_set_new(o, "kind", json_string(wl_kind_name[w->kind]));
		json_object_set_new(o, "namespace", json_string(w->ns));
		json_object_set_new(o, "name", json_string(w->name));
		/* a DaemonSet has no replicas */
		json_object_set_new(o, "replicas", w->kind == WL_DAEMONSET ? json_null() :
		    json_integer(w->replicas));
		json_object_set_new(o, "deleted", json_boolean(w->deleted));
		json_object_set_new(o, "pods_created", json_integer((json_int_t)n[i].created));
		json_object_set_new(o, "pods_running", json_integer((json_int_t)n[i].running));
		json_object_set_new(o, "pods_pending", json_integer((json_int_t)n[i].pending));
		json_array_append_new(arr, o);
	}
	free(n);
	return arr;
}

/* One warning: where (nulls when unknown), what, and how many of its kind. */
static json_t *
json_warning(const char *file, int line, int col, const char *msg, unsigned long count)
{
	json_t *o = json_object();

	json_object_set_new(o, "file", file != NULL ? json_string(file) : json_null());
	json_object_set_new(o, "line", line > 0 ? json_integer(line) : json_null());
	json_object_set_new(o, "column", col > 0 ? json_integer(col) : json_null());
	json_object_set_new(o, "message", json_string(msg));
	json_object_set_new(o, "count", json_integer((json_int_t)count));
	return o;
}

/*
 * Every warning of the run: those the load and the simulation raised, in
 * groups as stderr prints them (util/error.h), then the account's own.
 */
static void
json_warnings(const struct report_account *a, json_t *arr)
{
	const struct ks_warn_log *log = a->run->warnings;

	for (size_t i = 0; log != NULL && i < log->n; i++) {
		const struct ks_warn_group *g = &log->v[i];

		json_array_append_new(arr, json_warning(g->file, g->line, g->col, g->msg, g->count));
	}
	for (size_t i = 0; i < a->nwarnings; i++) {
		const struct ks_mark *at = &a->warning_at[i];

		json_array_append_new(arr, json_warning(at->file, at->line, at->col,
		    a->warnings[i], 1));
	}
}

/*
 * The document without its verdicts, at a level of detail: the arrays
 * the level leaves out are absent, those in `omit` left empty (for
 * report_json_write() to stream).
 */
static json_t *
json_body(struct report_account *a, int omit, enum report_detail detail)
{
	struct ks_run *r = a->run;
	struct ks_cluster *c = &r->cluster;
	int absent = absent_at(detail);
	json_t *root = json_object(), *cost = json_object(), *warnings = json_array();

	json_object_set_new(root, "scenario", json_string(r->scn->name));
	json_object_set_new(root, "duration_ms", json_integer(r->scn->duration_ms));
	json_object_set_new(root, "seed", json_integer((json_int_t)r->scn->seed));
	json_object_set_new(root, "region", json_string(r->region));
	if (detail != REPORT_DETAIL_DEFAULT)
		json_object_set_new(root, "summary", json_summary(a));
	if (detail >= REPORT_DETAIL_WORKLOADS)
		json_object_set_new(root, "workloads", json_workloads(a));
	if (!(absent & OMIT_PODS)) {
		json_t *pods = json_array();

		for (size_t i = 0; !(omit & OMIT_PODS) && i < c->npods; i++)
			json_array_append_new(pods, json_pod(c, c->pods[i]));
		json_object_set_new(root, "pods", pods);
	}
	if (!(absent & OMIT_NODES)) {
		json_t *nodes = json_array();

		for (size_t i = 0; !(omit & OMIT_NODES) && i < c->nnodes; i++)
			json_array_append_new(nodes, json_node(c->nodes[i], a->node_cost[i]));
		json_object_set_new(root, "nodes", nodes);
	}
	if (!(absent & OMIT_EVENTS)) {
		json_t *events = json_array();

		for (size_t i = 0; !(omit & OMIT_EVENTS) && i < c->nevents; i++)
			json_array_append_new(events, json_event(&c->events[i]));
		json_object_set_new(root, "events", events);
	}
	json_object_set_new(cost, "total_usd", fmt_json_usd(a->total_nusd));
	json_object_set_new(root, "cost", cost);
	json_warnings(a, warnings);
	json_object_set_new(root, "warnings", warnings);
	if (r->xp != NULL)	/* recorded only when asked: run --explain, or an expectation */
		json_object_set_new(root, "decisions", xp_json(r->xp, NULL));
	/* the controllers' sections (an HPA's samples) grow with the run: not in a summary */
	if (detail != REPORT_DETAIL_SUMMARY)
		report_ctl_sections(r, root);
	return root;
}

/* The arrays a document to evaluate the expectations against can leave out. */
static int
omit_for_expect(const struct report_account *a)
{
	const struct expect_set *s = a->run->scn->expect;

	assert(!expect_reads(s, EXPECT_RUN, "events"));
	return OMIT_EVENTS | (expect_reads(s, EXPECT_RUN, "pods") ? 0 : OMIT_PODS) |
	    (expect_reads(s, EXPECT_RUN, "nodes") ? 0 : OMIT_NODES);
}

json_t *
report_json_body(struct report_account *a)
{
	return json_body(a, omit_for_expect(a), REPORT_DETAIL_DEFAULT);
}

/*
 * Add the verdicts to root, evaluated against root itself when the
 * document is whole (the default detail), else against a document of
 * the whole run built for them (report_json_body()).
 */
static void
json_verdicts(struct report_account *a, json_t *root, enum report_detail detail)
{
	json_t *arr = json_array();

	if (detail == REPORT_DETAIL_DEFAULT) {
		report_account_expect(a, root);
	} else {
		json_t *doc = report_json_body(a);

		report_account_expect(a, doc);
		json_decref(doc);
	}
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

json_t *
report_json_detail(struct ks_run *r, enum report_detail detail)
{
	struct report_account *a = report_account_new(r);
	json_t *root = json_body(a, 0, detail);

	if (r->scn->expect != NULL)
		json_verdicts(a, root, detail);
	report_account_free(a);
	return root;
}

json_t *
report_json(struct ks_run *r)
{
	return report_json_detail(r, REPORT_DETAIL_DEFAULT);
}

void
report_check_json(FILE *fp, const char *scenario, const struct expect_result *v, size_t n)
{
	json_t *root = json_object(), *arr = json_array();
	size_t failed = 0, skipped = 0;

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		char at[1024];

		failed += !v[i].ok;
		skipped += v[i].skipped;
		snprintf(at, sizeof(at), "%s:%d", v[i].mark.file ? v[i].mark.file : "", v[i].mark.line);
		json_object_set_new(o, "name", json_string(v[i].name));
		json_object_set_new(o, "ok", json_boolean(v[i].ok));
		if (v[i].skipped)
			json_object_set_new(o, "skipped", json_true());
		json_object_set_new(o, "message", json_string(v[i].msg));
		json_object_set_new(o, "at", json_string(at));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "scenario", json_string(scenario));
	json_object_set_new(root, "passed", json_integer((json_int_t)(n - failed - skipped)));
	json_object_set_new(root, "failed", json_integer((json_int_t)failed));
	json_object_set_new(root, "skipped", json_integer((json_int_t)skipped));
	json_object_set_new(root, "expectations", arr);
	json_dumpf(root, fp, DUMP_FLAGS);
	fputc('\n', fp);
	json_decref(root);
}

/* ---- streaming ---- */

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

/*
 * A string jansson prints as it is, between quotes: printable ASCII but
 * the quote and the backslash.  Anything else (escapes, UTF-8, which
 * jansson also validates) goes through jansson.
 */
static int
plain(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

/*
 * Write the record as jansson would dump its object at depth 2 (an element
 * of an array of the root).  Printed directly when every value is null, an
 * integer or a plain string; otherwise by jansson.
 */
static void
put_record(FILE *fp, const struct jfield *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].kind == JK_USD || (f[i].kind == JK_STR && !plain(f[i].s)))
			break;
	if (i < n) {
		json_t *o = record_json(f, n);

		put_indented(fp, o, 2);
		json_decref(o);
		return;
	}
	fputc('{', fp);
	for (i = 0; i < n; i++) {
		fprintf(fp, "%s\n      \"%s\": ", i ? "," : "", f[i].key);
		if (f[i].kind == JK_STR)
			fprintf(fp, "\"%s\"", f[i].s);
		else if (f[i].kind == JK_INT)
			fprintf(fp, "%" JSON_INTEGER_FORMAT, (json_int_t)f[i].i);
		else
			fputs("null", fp);
	}
	fputs("\n    }", fp);
}

/* Element i of one of the streamed arrays, as a record. */
static size_t
elem_pod(struct report_account *a, size_t i, char *buf, size_t bufsz, struct jfield *f)
{
	pod_record(&a->run->cluster, a->run->cluster.pods[i], buf, bufsz, f);
	return POD_FIELDS;
}

static size_t
elem_node(struct report_account *a, size_t i, char *buf, size_t bufsz, struct jfield *f)
{
	(void)buf;
	(void)bufsz;
	return node_record(a->run->cluster.nodes[i], a->node_cost[i], f);
}

static size_t
elem_event(struct report_account *a, size_t i, char *buf, size_t bufsz, struct jfield *f)
{
	(void)buf;
	(void)bufsz;
	event_record(&a->run->cluster.events[i], f);
	return EVENT_FIELDS;
}

/* The root's arrays that are streamed, in the document's order. */
static const struct {
	int		 omit;		/* its bit for json_body() */
	const char	*marker;	/* the key and the empty array, as the root dump prints them */
	size_t		(*elem)(struct report_account *, size_t, char *, size_t, struct jfield *);
					/* fills element i's record, returns its length */
	size_t		 count_off;	/* offsetof the element count in struct ks_cluster */
} streamed[] = {
	{ OMIT_PODS, "\n  \"pods\": []", elem_pod, offsetof(struct ks_cluster, npods) },
	{ OMIT_NODES, "\n  \"nodes\": []", elem_node, offsetof(struct ks_cluster, nnodes) },
	{ OMIT_EVENTS, "\n  \"events\": []", elem_event, offsetof(struct ks_cluster, nevents) },
};

/* An array of the root, at depth 1, as jansson would have printed it. */
static void
put_array(FILE *fp, struct report_account *a, size_t k)
{
	size_t n = *(const size_t *)((const char *)&a->run->cluster + streamed[k].count_off);
	struct jfield f[MAX_FIELDS];
	char buf[600];

	if (n == 0) {
		fputs("[]", fp);
		return;
	}
	fputc('[', fp);
	for (size_t i = 0; i < n; i++) {
		size_t nf = streamed[k].elem(a, i, buf, sizeof(buf), f);

		fputs(i == 0 ? "\n    " : ",\n    ", fp);
		put_record(fp, f, nf);
	}
	fputs("\n  ]", fp);
}

void
report_json_write(struct ks_run *r, enum report_detail detail, FILE *fp)
{
	struct report_account *a = report_account_new(r);
	/*
	 * Every array present is streamed, but for a whole document with
	 * expectations, whose verdicts are evaluated against the tree: the
	 * arrays they read are built into it.
	 */
	int omit = (OMIT_PODS | OMIT_NODES | OMIT_EVENTS) & ~absent_at(detail);
	json_t *root;
	char *text;
	const char *p;

	if (r->scn->expect != NULL && detail == REPORT_DETAIL_DEFAULT)
		omit = omit_for_expect(a);
	root = json_body(a, omit, detail);
	if (r->scn->expect != NULL)
		json_verdicts(a, root, detail);
	text = json_dumps(root, DUMP_FLAGS);
	json_decref(root);
	p = text;
	for (size_t k = 0; k < sizeof(streamed) / sizeof(streamed[0]); k++) {
		const char *at;
		size_t keylen = strlen(streamed[k].marker) - 2;	/* up to the "[]" */

		if (!(omit & streamed[k].omit))
			continue;
		at = strstr(p, streamed[k].marker);
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
