/*
 * account.c: the account of a finished run (see report.h), read once from
 * the model and shared by every format: the nodes' costs and their total,
 * the pods left Pending, the warnings about the input and the verdicts of
 * the expectations; and report_write_format(), which picks the format.
 *
 * Costs: O(pods + nodes + workloads) to build; the verdicts cost what the
 * expectations cost (io/expect.c).
 */
#include "report/report.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/billing.h"
#include "autoscale/ctl.h"
#include "cluster/cluster.h"
#include "run/run.h"
#include "util/atomic.h"
#include "util/xmalloc.h"

static void
add_warning(struct report_account *a, const struct ks_mark *at, char *w)
{
	a->warnings = xreallocarray(a->warnings, a->nwarnings + 1, sizeof(*a->warnings));
	a->warning_at = xreallocarray(a->warning_at, a->nwarnings + 1, sizeof(*a->warning_at));
	a->warning_at[a->nwarnings] = *at;
	a->warnings[a->nwarnings++] = w;
}

/*
 * The warnings about the input, in creation order: a pod template without
 * cpu or memory requests counts as zero for the scheduler and the
 * autoscalers (upstream does the same), which is rarely what its author
 * meant.  One line per template: per workload, or per bare pod.
 */
static void
account_warnings(struct report_account *a)
{
	struct ks_cluster *c = &a->run->cluster;

	for (size_t i = 0; i < c->nwls; i++) {
		const struct ks_workload *w = c->wls[i];

		if (w->kind == WL_POD || w->spec.has_requests || w->npods + (size_t)w->replicas == 0)
			continue;
		add_warning(a, &w->mark, xasprintf("%s %s/%s has no cpu or memory requests: "
		    "the scheduler and the autoscalers count its pods as requesting nothing",
		    wl_kind_name[w->kind], w->ns, w->name));
	}
	for (size_t i = 0; i < c->npods; i++) {
		const struct ks_pod *p = c->pods[i];

		if (p->owner != NULL || p->spec->has_requests)
			continue;
		add_warning(a, &p->spec->mark, xasprintf("Pod %s/%s has no cpu or memory requests: "
		    "the scheduler and the autoscalers count it as requesting nothing", p->ns, p->name));
	}
}

struct report_account *
report_account_new(struct ks_run *r)
{
	struct ks_cluster *c = &r->cluster;
	struct report_account *a = xcalloc(1, sizeof(*a));

	a->run = r;
	a->end_ms = r->sim.now_ms;
	a->node_cost = xcalloc(c->nnodes + 1, sizeof(*a->node_cost));
	for (size_t i = 0; i < c->nnodes; i++) {
		a->node_cost[i] = billing_node_cost_nusd(c->nodes[i], a->end_ms);
		a->total_nusd += a->node_cost[i];
	}
	for (size_t i = 0; i < c->npods; i++)
		a->pending += c->pods[i]->phase == POD_PENDING;
	account_warnings(a);
	return a;
}

void
report_account_free(struct report_account *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->nwarnings; i++)
		free(a->warnings[i]);
	free(a->warnings);
	free(a->warning_at);
	free(a->node_cost);
	free(a->verdicts);
	free(a);
}

void
report_account_expect(struct report_account *a, json_t *doc)
{
	const struct expect_set *s = a->run->scn->expect;

	assert(a->verdicts == NULL);
	if (s == NULL)
		return;
	a->nverdicts = expect_count(s);
	a->verdicts = xcalloc(a->nverdicts + 1, sizeof(*a->verdicts));
	expect_eval(s, doc, EXPECT_RUN, a->verdicts);
}

struct report_wl_count *
report_wl_counts(const struct ks_cluster *c)
{
	struct report_wl_count *n = xcalloc(c->nwls + 1, sizeof(*n));

	for (size_t i = 0; i < c->npods; i++) {
		const struct ks_pod *p = c->pods[i];

		if (p->owner == NULL)
			continue;
		assert(p->owner->id < c->nwls);
		n[p->owner->id].created++;
		n[p->owner->id].running += p->phase == POD_RUNNING;
		n[p->owner->id].pending += p->phase == POD_PENDING;
	}
	return n;
}

const char *
report_node_state(const struct ks_node *n)
{
	switch (n->state) {
	case NODE_READY:
		return n->unschedulable ? "Ready,SchedulingDisabled" : "Ready";
	case NODE_NOTREADY:
		return "NotReady";
	case NODE_DELETING:
		return "Deleting";
	case NODE_GONE:
		return "Terminated";
	}
	return "?";
}

const char *
report_pod_status(const struct ks_pod *p)
{
	if (p->phase == POD_BOUND)
		return "ContainerCreating";
	if (p->phase == POD_RUNNING && !p->ready)
		return "Running (not ready)";
	return pod_phase_name[p->phase];
}

const char *const report_detail_name[] = {
	[REPORT_DETAIL_DEFAULT] = NULL,
	[REPORT_DETAIL_SUMMARY] = "summary",
	[REPORT_DETAIL_WORKLOADS] = "workloads",
	[REPORT_DETAIL_PODS] = "pods",
	[REPORT_DETAIL_EVENTS] = "events",
};

int
report_write_format(struct ks_run *r, enum report_format fmt, const char *path,
    struct ks_error *err)
{
	struct report_view v = { fmt, REPORT_DETAIL_DEFAULT, 0 };

	return report_write_view(r, &v, path, err);
}

int
report_write_view(struct ks_run *r, const struct report_view *v, const char *path,
    struct ks_error *err)
{
	char *tmp = NULL;
	FILE *fp = stdout;

	if (path != NULL && (fp = atomic_open(path, &tmp, err)) == NULL)
		return KS_EIO;
	switch (v->format) {
	case REPORT_JSON:
		report_json_write(r, v->detail, fp);
		break;
	case REPORT_YAML:
		report_yaml_write(r, v->detail, fp);
		break;
	case REPORT_TEXT:
		report_text(r, v, fp);
		break;
	}
	if (path != NULL)
		return atomic_commit(fp, tmp, path, err);
	if (ferror(stdout) || fflush(stdout) != 0)
		return ks_error_set(err, NULL, KS_EIO, "cannot write the report: %s", strerror(errno));
	return 0;
}

void
report_ctl_sections(struct ks_run *r, json_t *root)
{
	for (size_t i = 0; ctl_table[i] != NULL; i++)
		if (r->ctl_state[i] != NULL && ctl_table[i]->report != NULL)
			ctl_table[i]->report(r, r->ctl_state[i], root);
}

json_t *
report_ctl_data(struct ks_run *r)
{
	json_t *root = json_object();

	report_ctl_sections(r, root);
	return root;
}

int64_t
report_jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}
