/*
 * cronjob.c: the CronJob controller (batch/v1, pkg/controller/cronjob,
 * controller v2), on the simulated clock.
 *
 * Each CronJob creates a Job at each time its schedule names (util/cron.c;
 * t=0 is Monday 2024-01-01 00:00 UTC), named as upstream names it: the
 * CronJob's name and the scheduled time in minutes since the Unix epoch
 * ("nightly-28401120").  The controller wakes at each scheduled minute and
 * whenever one of its Jobs finishes, and then acts on the most recent
 * scheduled time not yet acted on, as syncCronJob does:
 *
 *   - startingDeadlineSeconds: a time more than that late is missed
 *     (event MissSchedule).  The simulated controller is never late on
 *     its own; a time is late only when Forbid held it back (below).
 *   - concurrencyPolicy Allow starts the Job beside running ones; Forbid
 *     starts none while one runs (event JobAlreadyActive) and, as upstream,
 *     starts the held-back run when the running Job finishes, if the
 *     deadline allows; Replace deletes the running Jobs first.
 *   - suspend: true creates nothing.
 *   - successfulJobsHistoryLimit / failedJobsHistoryLimit keep finished
 *     Jobs, which hold no pods: no effect on capacity, read and ignored.
 *
 * The Jobs of the dump that the CronJob owns (load_owners.c) are its
 * active Jobs at t=0; a scheduled time whose Job the dump already has is
 * not run twice.  A Job's pods run for its jobTemplate's (or the
 * CronJob's) ksim.io/run-duration annotation; without one they never
 * finish, which is said once as a warning.
 *
 * Time zones: the simulated clock is UTC; spec.timeZone other than UTC is
 * a warning and the schedule is read in UTC.  A TZ= or CRON_TZ= prefix
 * in the schedule is an error, as the API server's validation makes it.
 * batch/v1beta1 (removed in Kubernetes 1.25) has the same schema: a
 * warning, then read as batch/v1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ctl.h"
#include "io/load.h"
#include "run/run.h"
#include "util/cron.h"
#include "util/duration.h"
#include "util/intern.h"
#include "util/xmalloc.h"

#define CJ_EPOCH_MIN	28401120	/* t=0, 2024-01-01 00:00 UTC, in Unix minutes */
#define CJ_SCAN_MIN	(7 * 1440)	/* how far back a missed time is looked for */

enum cj_policy { CJ_ALLOW, CJ_FORBID, CJ_REPLACE };

struct cronjob {
	struct ks_run		*r;		/* borrowed */
	const char		*ns, *name;	/* interned */
	const char		*schedule;	/* interned, valid */
	enum cj_policy		 policy;	/* concurrencyPolicy */
	int64_t			 deadline_ms;	/* startingDeadlineSeconds, -1 unset */
	const struct yt_node	*tmpl;		/* jobTemplate (the scenario's) */
	struct wl_def		 job;		/* jobTemplate's Job fields (no spec) */
	struct ks_workload	**active;	/* its Jobs not finished */
	size_t			 nactive, activecap;
	int64_t			 last_min;	/* last scheduled minute acted on, or -1 */
	struct ks_mark		 mark;
};

struct cj_state {
	struct cronjob		**v;
	size_t			 n, cap;
};

static int
cj_job_done(const struct ks_workload *w)
{
	return w->deleted || (w->completions >= 0 && w->succeeded >= w->completions);
}

static void
cj_prune(struct cronjob *cj)
{
	size_t k = 0;

	for (size_t i = 0; i < cj->nactive; i++)
		if (!cj_job_done(cj->active[i]))
			cj->active[k++] = cj->active[i];
	cj->nactive = k;
}

static void
cj_event(struct cronjob *cj, const char *type, const char *what, const char *arg)
{
	char ref[300];

	snprintf(ref, sizeof(ref), "cronjob/%s/%s", cj->ns, cj->name);
	cluster_event(&cj->r->cluster, type, ref, "%s%s", what, arg);
}

static void
cj_create(struct cronjob *cj, int64_t min)
{
	struct ks_cluster *c = &cj->r->cluster;
	const struct yt_node *sp = yt_map_get(cj->tmpl, "spec");
	struct ks_error err = { 0 };
	struct ks_workload *w;
	char name[300];

	snprintf(name, sizeof(name), "%s-%lld", cj->name, (long long)(CJ_EPOCH_MIN + min));
	if (cluster_workload_find(c, WL_JOB, cj->ns, name) != NULL)
		return;		/* the dump has this run's Job already */
	w = cluster_workload_new(c, WL_JOB, cj->ns, name);
	podspec_free(&w->spec);
	/* checked in cj_parse, so it parses again */
	if (load_podspec(yt_map_get(sp, "template"), cj->ns, &w->spec, &err) != 0)
		abort();
	ks_scenario_priority(cj->r->scn, &w->spec);
	w->replicas = cj->job.replicas;
	w->completions = cj->job.completions;
	w->run_ms = cj->job.run_ms;
	w->mark = cj->mark;
	cj_event(cj, "SuccessfulCreate", "Created job ", w->name);
	VEC_PUSH(cj->active, cj->nactive, cj->activecap, w);
	cluster_workload_start(c, w);
}

/* syncCronJob: act on the most recent scheduled time not acted on. */
static void
cj_sync(struct cronjob *cj)
{
	int64_t now = cj->r->sim.now_ms, now_min = now / 60000, m = -1;
	char when[64];

	cj_prune(cj);
	for (int64_t t = now_min; t > cj->last_min && t > now_min - CJ_SCAN_MIN; t--)
		if (cron_fires(cj->schedule, t)) {
			m = t;
			break;
		}
	if (m < 0)
		return;
	ks_duration_format(m * 60000, when, sizeof(when));
	if (cj->deadline_ms >= 0 && now - m * 60000 > cj->deadline_ms) {
		cj_event(cj, "MissSchedule", "Missed scheduled time to start a job: ", when);
		return;
	}
	if (cj->policy == CJ_FORBID && cj->nactive > 0) {
		cj_event(cj, "JobAlreadyActive", "Not starting job because prior execution is "
		    "running and concurrency policy is Forbid", "");
		return;
	}
	if (cj->policy == CJ_REPLACE)
		for (size_t i = 0; i < cj->nactive; i++) {
			cj_event(cj, "SuccessfulDelete", "Deleted job ", cj->active[i]->name);
			cluster_workload_delete(&cj->r->cluster, cj->active[i]);
		}
	cj_prune(cj);
	cj->last_min = m;
	cj_create(cj, m);
}

/* The timer: sync at each scheduled minute, then sleep to the next one. */
static int64_t
cj_tick(struct sim *sim, void *arg)
{
	struct cronjob *cj = arg;
	int64_t end_min = sim->end_ms / 60000;

	cj_sync(cj);
	for (int64_t t = sim->now_ms / 60000 + 1; t <= end_min; t++)
		if (cron_fires(cj->schedule, t))
			return t * 60000 - sim->now_ms;
	return SIM_NOMORE;
}

/* A Job of ours finished: a held-back run may start now (Forbid). */
static void
cj_pod_gone(struct ks_cluster *c, struct ks_pod *p, void *arg)
{
	struct cj_state *st = arg;

	(void)c;
	if (p->owner == NULL || p->owner->kind != WL_JOB || !cj_job_done(p->owner))
		return;
	for (size_t i = 0; i < st->n; i++)
		for (size_t j = 0; j < st->v[i]->nactive; j++)
			if (st->v[i]->active[j] == p->owner) {
				cj_sync(st->v[i]);
				return;
			}
}

static int
cj_policy(const struct yt_node *sp, enum cj_policy *out, struct ks_error *err)
{
	const struct yt_node *v = yt_map_get(sp, "concurrencyPolicy");
	const char *s;

	*out = CJ_ALLOW;
	if (v == NULL || yt_is_null(v))
		return 0;
	if (yt_get_str(v, &s, err) != 0)
		return KS_EINVAL;
	if (strcmp(s, "Forbid") == 0)
		*out = CJ_FORBID;
	else if (strcmp(s, "Replace") == 0)
		*out = CJ_REPLACE;
	else if (strcmp(s, "Allow") != 0)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "unknown concurrencyPolicy \"%s\": expected Allow, Forbid or Replace", s);
	return 0;
}

/* schedule, timeZone, suspend, startingDeadlineSeconds; *skip when suspended. */
static int
cj_parse_timing(struct cronjob *cj, const struct yt_node *sp, int *skip, struct ks_error *err)
{
	const struct yt_node *v = yt_map_get(sp, "schedule");
	const char *s, *tz;
	char why[200];
	int64_t x;

	if (v == NULL || yt_get_str(v, &s, err) != 0)
		return v == NULL ? ks_error_set(err, &sp->mark, KS_EINVAL,
		    "expected spec.schedule in CronJob %s, found none", cj->name) : KS_EINVAL;
	if (cron_check(s, why, sizeof(why)) != 0)
		return ks_error_set(err, &v->mark, KS_EINVAL, "invalid schedule \"%s\": %s",
		    s, why);
	cj->schedule = intern(s);
	if (load_str_opt(sp, "timeZone", &tz, err) != 0)
		return KS_EINVAL;
	if (tz != NULL && strcmp(tz, "UTC") != 0 && strcmp(tz, "Etc/UTC") != 0 &&
	    strcmp(tz, "Etc/GMT") != 0 && strcmp(tz, "GMT") != 0)
		ks_warn(&yt_map_get(sp, "timeZone")->mark, "CronJob %s/%s: timeZone \"%s\" is "
		    "read as UTC (the simulated clock starts Monday 2024-01-01 00:00 UTC)",
		    cj->ns, cj->name, tz);
	if ((v = yt_map_get(sp, "suspend")) != NULL && !yt_is_null(v) &&
	    yt_get_bool(v, skip, err) != 0)
		return KS_EINVAL;
	cj->deadline_ms = -1;
	if ((v = yt_map_get(sp, "startingDeadlineSeconds")) != NULL && !yt_is_null(v)) {
		if (yt_get_int64(v, &x, err) != 0)
			return KS_EINVAL;
		if (x < 0)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "startingDeadlineSeconds must not be negative, found %lld",
			    (long long)x);
		cj->deadline_ms = x * 1000;
	}
	return 0;
}

/* One CronJob document into cj; *skip: not run (suspended, or an unknown apiVersion). */
static int
cj_parse(struct cronjob *cj, const struct ks_doc *d, int *skip, struct ks_error *err)
{
	const struct yt_node *sp = yt_map_get(d->root, "spec"), *js, *ann;
	struct ks_podspec ps;

	*skip = 0;
	cj->ns = d->ns;
	cj->name = d->name;
	cj->mark = d->mark;
	if (strcmp(d->api_version, "batch/v1beta1") == 0 ||
	    strcmp(d->api_version, "batch/v2alpha1") == 0) {
		ks_warn(&d->mark, "CronJob %s/%s: apiVersion %s is deprecated (removed in "
		    "Kubernetes 1.25); read as batch/v1", d->ns, d->name, d->api_version);
	} else if (strcmp(d->api_version, "batch/v1") != 0) {
		ks_warn(&d->mark, "CronJob %s/%s: unknown apiVersion \"%s\" (expected batch/v1); "
		    "skipped", d->ns, d->name, d->api_version);
		*skip = 1;
		return 0;
	}
	if (sp == NULL || yt_expect_map(sp, err) != 0)
		return sp == NULL ? ks_error_set(err, &d->mark, KS_EINVAL,
		    "expected a spec in CronJob %s, found none", d->name) : KS_EINVAL;
	if (cj_parse_timing(cj, sp, skip, err) != 0 || cj_policy(sp, &cj->policy, err) != 0)
		return KS_EINVAL;
	cj->tmpl = yt_map_get(sp, "jobTemplate");
	js = yt_map_get(cj->tmpl, "spec");
	if (cj->tmpl == NULL || js == NULL || yt_expect_map(js, err) != 0)
		return ks_error_set(err, &sp->mark, KS_EINVAL,
		    "expected spec.jobTemplate.spec in CronJob %s, found none", d->name);
	cj->job.replicas = 1;
	cj->job.run_ms = -1;
	cj->job.completions = -1;
	ann = yt_map_get(yt_map_get(cj->tmpl, "metadata"), "annotations");
	if (yt_map_get(ann, "ksim.io/run-duration") == NULL)
		ann = yt_map_get(yt_map_get(d->root, "metadata"), "annotations");
	if (load_job_spec(js, ann, &cj->job, err) != 0)
		return KS_EINVAL;
	/* API defaulting: neither completions nor parallelism -> one pod, once */
	if (cj->job.completions < 0 && yt_map_get(js, "parallelism") == NULL)
		cj->job.completions = 1;
	if (load_podspec(yt_map_get(js, "template"), d->ns, &ps, err) != 0) {
		podspec_free(&ps);
		return KS_EINVAL;
	}
	podspec_free(&ps);
	if (cj->job.run_ms < 0 && !*skip)
		ks_warn(&d->mark, "CronJob %s/%s has no ksim.io/run-duration annotation: its Jobs' "
		    "pods never finish", d->ns, d->name);
	return 0;
}

static void
cj_free(void *state)
{
	struct cj_state *st = state;

	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n; i++) {
		free(st->v[i]->active);
		free(st->v[i]);
	}
	free(st->v);
	free(st);
}

/* The dump's Jobs this CronJob owns are its active ones (after run_setup). */
static int64_t
cj_start(struct sim *sim, void *arg)
{
	struct cronjob *cj = arg;
	const struct ks_scenario *s = cj->r->scn;

	for (size_t i = 0; i < s->nwls; i++) {
		const struct wl_def *d = s->wls[i];
		struct ks_workload *w;

		if (d->kind != WL_JOB || d->owner_kind_name == NULL || d->ns != cj->ns ||
		    d->owner_name != cj->name || strcmp(d->owner_kind_name, "CronJob") != 0)
			continue;
		w = cluster_workload_find(&cj->r->cluster, WL_JOB, d->ns, d->name);
		if (w != NULL && !cj_job_done(w))
			VEC_PUSH(cj->active, cj->nactive, cj->activecap, w);
	}
	return cj_tick(sim, arg);
}

static int
cj_add(struct ks_run *r, struct cj_state *st, const struct ks_doc *d, int64_t at_ms,
    struct ks_error *err)
{
	struct cronjob *cj = xcalloc(1, sizeof(*cj));
	int skip;

	cj->r = r;
	if (cj_parse(cj, d, &skip, err) != 0 || skip) {
		free(cj);
		return skip ? 0 : KS_EINVAL;
	}
	cj->last_min = (at_ms + 59999) / 60000 - 1;	/* times from its creation on */
	VEC_PUSH(st->v, st->n, st->cap, cj);
	sim_at(&r->sim, at_ms, "cronjob", at_ms == 0 ? cj_start : cj_tick, cj);
	return 0;
}

static int
cj_init(struct ks_run *r, void **state, struct ks_error *err)
{
	struct cj_state *st = xcalloc(1, sizeof(*st));
	struct cluster_hooks h;

	*state = NULL;
	for (size_t i = 0; i < r->scn->ndocs; i++)
		if (r->scn->docs[i]->kind == intern("CronJob") &&
		    cj_add(r, st, r->scn->docs[i], 0, err) != 0)
			goto fail;
	for (size_t i = 0; i < r->scn->nactions; i++) {
		const struct ks_action *a = &r->scn->actions[i];

		if (a->type == ACT_CREATE && a->doc != NULL && a->doc->kind == intern("CronJob") &&
		    cj_add(r, st, a->doc, a->at_ms, err) != 0)
			goto fail;
	}
	if (st->n == 0) {
		cj_free(st);
		return 0;
	}
	memset(&h, 0, sizeof(h));
	h.pod_gone = cj_pod_gone;
	h.arg = st;
	cluster_hook(&r->cluster, &h);
	*state = st;
	return 0;
fail:
	cj_free(st);
	return KS_EINVAL;
}

static const char *const cj_kinds[] = { "CronJob", NULL };
static const char *const cj_spec_keys[] = { NULL };

const struct ctl_ops cronjob_ctl = {
	.name = "cronjob",
	.kinds = cj_kinds,
	.spec_keys = cj_spec_keys,
	.init = cj_init,
	.report = NULL,
	.free = cj_free,
};
