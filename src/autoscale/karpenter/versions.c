/*
 * versions.c: the rules and words that differ between the Karpenter
 * releases a scenario's manifests come from.  The API version a pool is
 * written in stands for the release that serves it: karpenter.sh/v1alpha5
 * Provisioners for v0.31 and before, v1beta1 NodePools for v0.32 to v0.37,
 * v1 NodePools for v1.0 and later, unless the scenario names the
 * release (spec.karpenter.version) or runs Karpenter's own controller
 * (a Deployment whose image is .../karpenter/controller:TAG), which then
 * selects the rules for every pool and must be able to serve their APIs
 * (v1alpha5 went in v0.32, v1beta1 in v1.1; v1 came in v1.0).  The
 * report prints the release and where it came from.  Kept here, not
 * spread over the controllers, so that each difference is stated once:
 * - the Unconsolidatable message when no cheaper type exists: "can't
 *   replace with a cheaper node" (pkg/controllers/deprovisioning, v0.31),
 *   "Can't replace with a cheaper node" (pkg/controllers/disruption,
 *   v0.32 on);
 * - the Drift feature gate: honoured before v1.0 (settings featureGates
 *   drift, default on since v0.33), removed in v1.0 where drift is always
 *   on;
 * - the pod annotation karpenter.sh/do-not-evict: honoured before v1.0
 *   (disruption.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/karpenter/karpenter.h"
#include "util/intern.h"

/* The API generation whose rules apply to pool p. */
enum kp_version
kp_era(const struct kp_state *st, const struct kp_pool *p)
{
	if (st->ver_major < 0)
		return p->version;
	if (st->ver_major >= 1)
		return KP_V1;
	return st->ver_minor >= 32 ? KP_V1BETA1 : KP_V1ALPHA5;
}

const char *
kp_msg_no_cheaper(const struct kp_state *st, const struct kp_pool *p)
{
	return kp_era(st, p) == KP_V1ALPHA5 ? "can't replace with a cheaper node" :
	    "Can't replace with a cheaper node";
}

int
kp_drift_enabled(const struct kp_state *st, const struct kp_pool *p)
{
	return kp_era(st, p) == KP_V1 || st->drift;
}

int
kp_do_not_evict(const struct kp_state *st, const struct kp_pool *p)
{
	return kp_era(st, p) != KP_V1;
}

/* "1.8", "v1.8.1", "0.37.0" -> major, minor; -1 when it is not one. */
static int
kp_version_parse(const char *s, int *major, int *minor)
{
	char *end;
	long a, b;

	if (*s == 'v')
		s++;
	a = strtol(s, &end, 10);
	if (end == s || *end != '.')
		return -1;
	s = end + 1;
	b = strtol(s, &end, 10);
	if (end == s || (*end != '\0' && *end != '.' && *end != '-'))
		return -1;
	*major = (int)a;
	*minor = (int)b;
	return 0;
}

int
kp_version_set(struct kp_state *st, const char *v, const char *source, const struct ks_mark *m,
    struct ks_error *err)
{
	if (kp_version_parse(v, &st->ver_major, &st->ver_minor) != 0)
		return ks_error_set(err, m, KS_EINVAL, "expected a Karpenter version such as "
		    "\"1.8\" or \"v0.37.0\", found \"%s\"", v);
	st->version_s = intern(v[0] == 'v' ? v + 1 : v);
	st->version_src = intern(source);
	return 0;
}

/* The tag of a Karpenter controller image (".../karpenter/controller:1.8.1"), or NULL. */
static const char *
kp_controller_tag(const char *image)
{
	const char *c = strstr(image, "karpenter/controller:");

	if (c == NULL)
		c = strstr(image, "karpenter/karpenter:");
	return c != NULL ? strchr(c, ':') + 1 : NULL;
}

/*
 * The release: already set by spec.karpenter.version, else the tag of a
 * Karpenter controller the scenario runs, else none (each pool's API
 * version); then every pool must be served by it.
 */
int
kp_version_resolve(struct kp_state *st, const struct ks_scenario *scn, struct ks_error *err)
{
	for (size_t i = 0; i < scn->nwls && st->ver_major < 0; i++) {
		const struct ks_podspec *ps = scn->wls[i]->spec;

		for (size_t c = 0; ps != NULL && c < ps->nctrs && st->ver_major < 0; c++) {
			const char *tag = kp_controller_tag(ps->ctrs[c].image);
			char src[300];
			int a, b;

			if (tag == NULL || kp_version_parse(tag, &a, &b) != 0)
				continue;
			snprintf(src, sizeof(src), "image %s", ps->ctrs[c].image);
			if (kp_version_set(st, tag, src, NULL, err) != 0)
				return KS_EINVAL;
		}
	}
	if (st->ver_major < 0)
		return 0;
	for (size_t i = 0; i < st->npools; i++) {
		const struct kp_pool *p = st->pools[i];
		const char *why = NULL;

		if (p->version == KP_V1 && st->ver_major < 1)
			why = "karpenter.sh/v1 came in v1.0";
		else if (p->version == KP_V1BETA1 && (st->ver_major > 1 ||
		    (st->ver_major == 1 && st->ver_minor >= 1) ||
		    (st->ver_major == 0 && st->ver_minor < 32)))
			why = "karpenter.sh/v1beta1 is served from v0.32 to v1.0";
		else if (p->version == KP_V1ALPHA5 && (st->ver_major >= 1 || st->ver_minor >= 32))
			why = "karpenter.sh/v1alpha5 was removed in v0.32";
		if (why != NULL)
			return ks_error_set(err, &p->mark, KS_EINVAL, "%s \"%s\" cannot run on "
			    "Karpenter %s (%s): %s", p->kind, p->name, st->version_s, st->version_src,
			    why);
	}
	return 0;
}

/* What the report says: the release and its source, or what the pools' APIs stand for. */
void
kp_version_describe(const struct kp_state *st, char *buf, size_t n)
{
	enum kp_version newest = KP_V1ALPHA5;

	if (st->ver_major >= 0) {
		snprintf(buf, n, "%s (%s)", st->version_s, st->version_src);
		return;
	}
	for (size_t i = 0; i < st->npools; i++)
		if (st->pools[i]->version > newest)
			newest = st->pools[i]->version;
	snprintf(buf, n, "%s", newest == KP_V1 ? "v1.x (karpenter.sh/v1)" :
	    newest == KP_V1BETA1 ? "v0.32-v0.37 (karpenter.sh/v1beta1)" :
	    "v0.31 or before (karpenter.sh/v1alpha5)");
}
