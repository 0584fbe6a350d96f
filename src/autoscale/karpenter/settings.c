/*
 * settings.c: the scenario's spec.karpenter block: the controller's
 * settings and feature gates (as flags or as helm values under settings),
 * batch durations, the boot time, the offered zones (three of the region
 * by default) and the spot interruptions to deliver.  The defaults of
 * upstream are in karpenter.h's table, which kp_state_new() applies.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"
#include "util/duration.h"
#include "util/intern.h"
#include "util/xmalloc.h"

/* ---- settings and set-up ---- */

static int
kp_parse_gates(struct kp_state *st, const struct yt_node *g, struct ks_error *err)
{
	static const char *const keys[] = { "spotToSpotConsolidation", "nodeRepair",
		"reservedCapacity", "nodeOverlay", "staticCapacity", "drift", NULL };
	const struct yt_node *v;

	if (g == NULL || yt_is_null(g))
		return 0;
	if (load_strict(g, keys, "karpenter featureGates", err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(g, "spotToSpotConsolidation")) != NULL &&
	    yt_get_bool(v, &st->s2s, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(g, "drift")) != NULL && yt_get_bool(v, &st->drift, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(g, "nodeOverlay")) != NULL &&
	    yt_get_bool(v, &st->overlay_gate, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(g, "staticCapacity")) != NULL &&
	    yt_get_bool(v, &st->static_gate, err) != 0)
		return KS_EINVAL;
	for (size_t i = 1; keys[i] != NULL; i++) {
		int b;

		if ((v = yt_map_get(g, keys[i])) != NULL && yt_get_bool(v, &b, err) != 0)
			return KS_EINVAL;
	}
	return 0;
}

static int
kp_parse_batch(struct kp_state *st, const struct yt_node *m, struct ks_error *err)
{
	const struct yt_node *v;

	if ((v = yt_map_get(m, "batchIdleDuration")) != NULL &&
	    load_duration_nonneg(v, "batchIdleDuration", &st->idle_ms, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(m, "batchMaxDuration")) != NULL &&
	    load_duration_nonneg(v, "batchMaxDuration", &st->max_ms, err) != 0)
		return KS_EINVAL;
	if (st->idle_ms < 0 || st->max_ms < 1)
		return ks_error_set(err, &m->mark, KS_EINVAL,
		    "expected positive batch durations, found idle %lld ms and max %lld ms",
		    (long long)st->idle_ms, (long long)st->max_ms);
	return 0;
}

/*
 * autoMode.nodePools: EKS Auto Mode's built-in NodePools to enable, as the
 * cluster's computeConfig.nodePools lists them ("general-purpose",
 * "system"); nodepool.c's kp_builtin_pools() makes them.
 */
static int
kp_parse_automode(struct kp_state *st, const struct yt_node *m, struct ks_error *err)
{
	static const char *const keys[] = { "nodePools", NULL };
	const struct yt_node *v;

	if (m == NULL || yt_is_null(m))
		return 0;
	if (load_strict(m, keys, "spec.karpenter.autoMode", err) != 0)
		return KS_EINVAL;
	v = yt_map_get(m, "nodePools");
	if (v == NULL || yt_is_null(v))
		return 0;
	if (yt_expect_seq(v, err) != 0)
		return KS_EINVAL;
	st->builtin_mark = v->mark;
	for (size_t i = 0; i < v->nitems; i++) {
		const char *s;

		if (yt_get_str(v->items[i], &s, err) != 0)
			return KS_EINVAL;
		if (strcmp(s, "general-purpose") == 0)
			st->builtin |= 1;
		else if (strcmp(s, "system") == 0)
			st->builtin |= 2;
		else
			return ks_error_set(err, &v->items[i]->mark, KS_EINVAL,
			    "unknown EKS Auto Mode built-in NodePool \"%s\": expected "
			    "general-purpose or system", s);
	}
	return 0;
}

int
kp_parse_settings(struct kp_state *st, const struct yt_node *k, struct ks_error *err)
{
	static const char *const keys[] = { "featureGates", "batchIdleDuration",
		"batchMaxDuration", "bootTime", "zones", "interruptions", "settings", "autoMode",
		"version", NULL };
	static const char *const helm[] = { "featureGates", "batchIdleDuration",
		"batchMaxDuration", "clusterName", "clusterEndpoint", "interruptionQueue",
		"isolatedVPC", "reservedENIs", "vmMemoryOverheadPercent", NULL };
	static const char *const ikeys[] = { "at", "nodePool", NULL };
	const struct yt_node *v, *s;

	if (k == NULL || yt_is_null(k))
		return 0;
	if (load_strict(k, keys, "spec.karpenter", err) != 0)
		return KS_EINVAL;
	if ((s = yt_map_get(k, "settings")) != NULL && !yt_is_null(s)) {
		/* helm values: settings.featureGates.spotToSpotConsolidation=true */
		if (load_strict(s, helm, "spec.karpenter.settings", err) != 0 ||
		    kp_parse_gates(st, yt_map_get(s, "featureGates"), err) != 0 ||
		    kp_parse_batch(st, s, err) != 0)
			return KS_EINVAL;
		if ((v = yt_map_get(s, "vmMemoryOverheadPercent")) != NULL) {
			double pct;

			if (yt_get_double(v, &pct, err) != 0)
				return KS_EINVAL;
			if (pct != 0.075)
				ks_warn(&v->mark, "vmMemoryOverheadPercent %g is not modelled: the "
				    "catalog's estimates use 0.075", pct);
		}
	}
	if (kp_parse_gates(st, yt_map_get(k, "featureGates"), err) != 0 ||
	    kp_parse_batch(st, k, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(k, "bootTime")) != NULL &&
	    load_duration_nonneg(v, "bootTime", &st->boot_ms, err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(k, "version")) != NULL && !yt_is_null(v)) {
		const char *ver;

		if (yt_get_str(v, &ver, err) != 0 ||
		    kp_version_set(st, ver, "spec.karpenter.version", &v->mark, err) != 0)
			return KS_EINVAL;
	}
	if (kp_parse_automode(st, yt_map_get(k, "autoMode"), err) != 0)
		return KS_EINVAL;
	if ((v = yt_map_get(k, "zones")) != NULL && !yt_is_null(v)) {
		if (yt_expect_seq(v, err) != 0)
			return KS_EINVAL;
		if (v->nitems == 0)
			return ks_error_set(err, &v->mark, KS_EINVAL,
			    "expected at least one zone, found an empty list");
		st->zones = xreallocarray(NULL, v->nitems, sizeof(*st->zones));
		for (size_t i = 0; i < v->nitems; i++) {
			const char *z;

			if (yt_get_str(v->items[i], &z, err) != 0)
				return KS_EINVAL;
			st->zones[st->nzones++] = intern(z);
		}
	}
	if ((v = yt_map_get(k, "interruptions")) != NULL && !yt_is_null(v)) {
		if (yt_expect_seq(v, err) != 0)
			return KS_EINVAL;
		st->intr = xcalloc(v->nitems + 1, sizeof(*st->intr));
		for (size_t i = 0; i < v->nitems; i++) {
			const struct yt_node *e = v->items[i], *at;
			struct kp_interrupt *in = &st->intr[st->nintr];

			if (load_strict(e, ikeys, "a spot interruption", err) != 0)
				return KS_EINVAL;
			if ((at = yt_map_get(e, "at")) == NULL)
				return ks_error_set(err, &e->mark, KS_EINVAL,
				    "expected \"at\" in a spot interruption, found none");
			if (load_duration_nonneg(at, "at", &in->at_ms, err) != 0 ||
			    load_str_opt(e, "nodePool", &in->pool, err) != 0)
				return KS_EINVAL;
			in->st = st;
			in->mark = e->mark;
			st->nintr++;
		}
	}
	return 0;
}

void
kp_default_zones(struct kp_state *st, const char *region)
{
	char buf[64];

	if (st->nzones > 0)
		return;
	st->zones = xreallocarray(NULL, 3, sizeof(*st->zones));
	for (int z = 0; z < 3; z++) {
		snprintf(buf, sizeof(buf), "%s%c", region, 'a' + z);
		st->zones[st->nzones++] = intern(buf);
	}
}
