/*
 * load_compat.c: deprecated API versions of the kinds controllers read.
 *
 * Kubernetes kinds are read leniently, so an old apiVersion that users
 * still have in their repositories is a warning, not the end of a
 * multi-file scenario: where its schema is the current one's, the
 * document is read as the current version; where it is not, it is
 * skipped with a warning that says why.
 *
 *   autoscaling.k8s.io/v1beta2 VerticalPodAutoscaler: v1's schema; read
 *     as v1.
 *   autoscaling.k8s.io/v1beta1 VerticalPodAutoscaler: read as v1 when it
 *     names its target with targetRef; one that selects pods with
 *     spec.selector (removed in v1beta2) is skipped.
 *   batch/v1beta1 CronJob: cluster/cronjob.c warns and reads it as v1.
 */
#include "io/load.h"

#include <string.h>

#include "util/intern.h"

int
load_compat(struct ks_doc *d)
{
	const struct yt_node *sp = yt_map_get(d->root, "spec");

	if (strcmp(d->kind, "VerticalPodAutoscaler") != 0)
		return 0;
	if (strcmp(d->api_version, "autoscaling.k8s.io/v1beta2") == 0) {
		ks_warn(&d->mark, "VerticalPodAutoscaler %s/%s: apiVersion %s is deprecated; "
		    "read as autoscaling.k8s.io/v1", d->ns, d->name, d->api_version);
		d->api_version = intern("autoscaling.k8s.io/v1");
		return 0;
	}
	if (strcmp(d->api_version, "autoscaling.k8s.io/v1beta1") != 0)
		return 0;
	if (yt_map_get(sp, "targetRef") == NULL || yt_map_get(sp, "selector") != NULL) {
		ks_warn(&d->mark, "VerticalPodAutoscaler %s/%s: apiVersion %s selects pods with "
		    "spec.selector, which later versions replaced by targetRef; skipped",
		    d->ns, d->name, d->api_version);
		return 1;
	}
	ks_warn(&d->mark, "VerticalPodAutoscaler %s/%s: apiVersion %s is deprecated; read as "
	    "autoscaling.k8s.io/v1", d->ns, d->name, d->api_version);
	d->api_version = intern("autoscaling.k8s.io/v1");
	return 0;
}
