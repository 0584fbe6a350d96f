/*
 * flags.c: the Cluster Autoscaler's configuration.
 *
 * CA is configured by the command line of its container
 * (config/flags/flags.go names and defaults), then by the strict
 * spec.clusterAutoscaler block of the Scenario, whose keys are the same
 * flags in camelCase plus version, enabled, asgReaction and nodeStartup.
 * The version (the image tag, or spec.clusterAutoscaler.version) is read
 * first because it selects the defaults that changed between releases.
 * Flags ksim accepts but that change no decision it models are listed as
 * FT_NOEFFECT so a real command line loads without warnings.
 *
 * Every flag is one row of flags[]: name, type (which selects its parser
 * in flag_apply), the ca_opts field it sets and its upstream default as
 * it would be written on the command line, with the newer default where
 * a release changed it.  The defaults go through the same parser as the
 * user's values, so a default cannot be read differently from the flag.
 */
#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale/ca/ca.h"
#include "util/duration.h"
#include "util/intern.h"

/* ---- configuration: flags ---- */

const char *const ca_exp_name[EXP_N] = { "random", "most-pods", "least-nodes",
    "least-waste", "price", "priority" };

enum flag_type { FT_BOOL, FT_INT, FT_DUR, FT_FLOAT, FT_EXPANDER, FT_RANGE, FT_LABEL,
		 FT_NODES, FT_ESTIMATOR, FT_PROVIDER, FT_NOEFFECT };

/*
 * One cluster-autoscaler flag, as config/flags/flags.go declares it: its
 * name; its type, which picks the parser in flag_apply() (the command line
 * and the camelCase keys of spec.clusterAutoscaler both go through it);
 * where the value is stored in struct ca_opts; and its upstream default,
 * written as on the command line and applied by opts_defaults() through
 * the same parser, with the default of the releases from 1.<since> on
 * where it changed.
 */
struct flag_def {
	const char	*name;		/* flag name without dashes */
	enum flag_type	 type;		/* how its value is parsed (flag_apply) */
	size_t		 off;		/* offset in struct ca_opts (or of the first of a pair) */
	size_t		 off2;		/* FT_RANGE: the max */
	const char	*def;		/* upstream default; NULL = none (zero) */
	int		 since;		/* minor version from which def_since is the default, 0 none */
	const char	*def_since;	/* the default from 1.<since> on */
};

#define O(f)	offsetof(struct ca_opts, f)
/* accepted; they do not change a decision ksim models */
#define NOEFFECT(name)	{ name, FT_NOEFFECT, 0, 0, NULL, 0, NULL }
static const struct flag_def flags[] = {
	{ "scan-interval", FT_DUR, O(scan_ms), 0, "10s", 0, NULL },
	{ "frequent-loops-enabled", FT_BOOL, O(frequent), 0, "false", 35, "true" },
	{ "new-pod-scale-up-delay", FT_DUR, O(new_pod_delay_ms), 0, "0s", 0, NULL },
	{ "expander", FT_EXPANDER, 0, 0, "random", 33, "least-waste" },
	{ "estimator", FT_ESTIMATOR, 0, 0, "binpacking", 0, NULL },
	{ "max-nodes-total", FT_INT, O(max_nodes_total), 0, "0", 0, NULL },
	{ "cores-total", FT_RANGE, O(cores_min), O(cores_max), "0:320000", 0, NULL },
	{ "memory-total", FT_RANGE, O(mem_min_gib), O(mem_max_gib), "0:6400000", 0, NULL },
	{ "max-nodes-per-scaleup", FT_INT, O(max_per_scaleup), 0, "1000", 0, NULL },
	{ "balance-similar-node-groups", FT_BOOL, O(balance), 0, "false", 0, NULL },
	{ "balancing-ignore-label", FT_LABEL, 0, 0, NULL, 0, NULL },
	{ "max-free-difference-ratio", FT_FLOAT, O(max_free_diff), 0, "0.05", 0, NULL },
	{ "max-allocatable-difference-ratio", FT_FLOAT, O(max_alloc_diff), 0, "0.05", 0, NULL },
	{ "memory-difference-ratio", FT_FLOAT, O(mem_diff), 0, "0.015", 0, NULL },
	{ "max-node-provision-time", FT_DUR, O(provision_ms), 0, "15m", 0, NULL },
	{ "initial-node-group-backoff-duration", FT_DUR, O(backoff_init_ms), 0, "5m", 0, NULL },
	{ "max-node-group-backoff-duration", FT_DUR, O(backoff_max_ms), 0, "30m", 0, NULL },
	{ "node-group-backoff-reset-timeout", FT_DUR, O(backoff_reset_ms), 0, "3h", 0, NULL },
	{ "scale-down-enabled", FT_BOOL, O(sd_enabled), 0, "true", 0, NULL },
	{ "scale-down-utilization-threshold", FT_FLOAT, O(sd_threshold), 0, "0.5", 0, NULL },
	{ "scale-down-gpu-utilization-threshold", FT_FLOAT, O(sd_gpu_threshold), 0, "0.5", 0, NULL },
	{ "scale-down-unneeded-time", FT_DUR, O(sd_unneeded_ms), 0, "10m", 0, NULL },
	{ "scale-down-delay-after-add", FT_DUR, O(sd_after_add_ms), 0, "10m", 0, NULL },
	{ "scale-down-delay-after-delete", FT_DUR, O(sd_after_delete_ms), 0, "0s", 0, NULL },
	{ "scale-down-delay-after-failure", FT_DUR, O(sd_after_failure_ms), 0, "3m", 0, NULL },
	{ "unremovable-node-recheck-timeout", FT_DUR, O(recheck_ms), 0, "5m", 0, NULL },
	{ "max-scale-down-parallelism", FT_INT, O(max_sd_parallel), 0, "10", 0, NULL },
	{ "max-drain-parallelism", FT_INT, O(max_drain_parallel), 0, "1", 0, NULL },
	{ "ignore-daemonsets-utilization", FT_BOOL, O(ignore_ds_util), 0, "false", 0, NULL },
	{ "skip-nodes-with-system-pods", FT_BOOL, O(skip_system), 0, "true", 0, NULL },
	{ "skip-nodes-with-local-storage", FT_BOOL, O(skip_local), 0, "true", 0, NULL },
	{ "skip-nodes-with-custom-controller-pods", FT_BOOL, O(skip_custom), 0, "true", 0, NULL },
	/* -1: kube-system pods block forever, as before the flag (1.33) */
	{ "blocking-system-pod-distruption-timeout", FT_DUR, O(system_block_ms), 0, "-1ms", 33, "1h" },
	{ "min-replica-count", FT_INT, O(min_replicas), 0, "0", 0, NULL },
	{ "node-delete-delay-after-taint", FT_DUR, O(taint_delay_ms), 0, "5s", 0, NULL },
	{ "max-pod-eviction-time", FT_DUR, O(max_evict_ms), 0, "2m", 0, NULL },
	{ "max-graceful-termination-sec", FT_INT, O(max_grace_s), 0, "600", 0, NULL },
	{ "expendable-pods-priority-cutoff", FT_INT, O(cutoff), 0, "-10", 0, NULL },
	{ "nodes", FT_NODES, 0, 0, NULL, 0, NULL },
	{ "cloud-provider", FT_PROVIDER, 0, 0, "aws", 0, NULL },
	NOEFFECT("v"), NOEFFECT("stderrthreshold"), NOEFFECT("logtostderr"),
	NOEFFECT("node-group-auto-discovery"), NOEFFECT("aws-use-static-instance-list"),
	NOEFFECT("kubeconfig"), NOEFFECT("namespace"), NOEFFECT("address"),
	NOEFFECT("leader-elect"), NOEFFECT("write-status-configmap"),
	NOEFFECT("status-config-map-name"), NOEFFECT("cluster-name"), NOEFFECT("profiling"),
	NOEFFECT("max-node-startup-time"), NOEFFECT("scale-down-unready-time"),
	NOEFFECT("scale-down-unready-enabled"), NOEFFECT("max-empty-bulk-delete"),
	NOEFFECT("ignore-mirror-pods-utilization"), NOEFFECT("scale-down-simulation-timeout"),
	NOEFFECT("max-binpacking-time"), NOEFFECT("max-nodegroup-binpacking-duration"),
	NOEFFECT("max-total-unready-percentage"), NOEFFECT("ok-total-unready-count"),
	NOEFFECT("regional"), NOEFFECT("feature-gates"),
	NOEFFECT("enforce-node-group-min-size"),
	NOEFFECT("daemonset-eviction-for-occupied-nodes"),
	NOEFFECT("daemonset-eviction-for-empty-nodes"),
	NOEFFECT("cordon-node-before-terminating"),
	{ NULL, FT_NOEFFECT, 0, 0, NULL, 0, NULL }
};
#undef NOEFFECT
#undef O

/* "scale-down-unneeded-time" -> "scaleDownUnneededTime" */
static void
camel(const char *flag, char *buf, size_t n)
{
	size_t k = 0;
	int up = 0;

	for (; *flag && k + 1 < n; flag++) {
		if (*flag == '-') {
			up = 1;
			continue;
		}
		buf[k++] = up && *flag >= 'a' && *flag <= 'z' ? (char)(*flag - 'a' + 'A') : *flag;
		up = 0;
	}
	buf[k] = '\0';
}

static const struct flag_def *
flag_find(const char *name, int camel_case)
{
	char buf[128];

	for (size_t i = 0; flags[i].name != NULL; i++) {
		if (camel_case) {
			camel(flags[i].name, buf, sizeof(buf));
			if (strcmp(buf, name) == 0)
				return &flags[i];
		} else if (strcmp(flags[i].name, name) == 0) {
			return &flags[i];
		}
	}
	return NULL;
}

static int
parse_bool(const char *v, int *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "t") == 0 ||
	    strcmp(v, "True") == 0 || strcmp(v, "TRUE") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "f") == 0 ||
	    strcmp(v, "False") == 0 || strcmp(v, "FALSE") == 0) {
		*out = 0;
		return 0;
	}
	return -1;
}

int
ca_parse_int(const char *v, int64_t *out)
{
	char *end;

	if (*v == '\0')
		return -1;
	*out = strtoll(v, &end, 10);
	return *end == '\0' ? 0 : -1;
}

static int
group_set_minmax(struct ca_state *st, const char *spec, const struct ks_mark *at,
    struct ks_error *err)
{
	/* --nodes=min:max:asg-name */
	char buf[256], *c1, *c2;
	int64_t mn, mx;

	snprintf(buf, sizeof(buf), "%s", spec);
	c1 = strchr(buf, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c1 == NULL || c2 == NULL)
		return ks_error_set(err, at, KS_EINVAL,
		    "expected --nodes=min:max:name, found \"%s\"", spec);
	*c1 = *c2 = '\0';
	if (ca_parse_int(buf, &mn) != 0 || ca_parse_int(c1 + 1, &mx) != 0 || mn < 0 || mx < mn)
		return ks_error_set(err, at, KS_EINVAL,
		    "expected --nodes=min:max:name with 0 <= min <= max, found \"%s\"", spec);
	for (size_t i = 0; i < st->ngroups; i++) {
		struct ca_group *g = st->groups[i];

		if (strcmp(g->name, c2 + 1) != 0)
			continue;
		g->min = (int)mn;
		g->max = (int)mx;
		if (g->desired < g->min)
			g->desired = g->min;
		if (g->desired > g->max)
			g->desired = g->max;
		return 0;
	}
	ks_warn(at, "--nodes names node group \"%s\", which no ClusterConfig or spec.nodeGroups "
	    "declares; ignored", c2 + 1);
	return 0;
}

static int
set_expander(struct ca_opts *o, const char *v, const struct ks_mark *at, struct ks_error *err)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", v);
	o->nexp = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		int k;

		for (k = 0; k < EXP_N; k++)
			if (strcmp(tok, ca_exp_name[k]) == 0)
				break;
		if (k == EXP_N)
			return ks_error_set(err, at, KS_EINVAL,
			    "unknown expander \"%s\": expected random, most-pods, least-nodes, "
			    "least-waste, price or priority", tok);
		if (o->nexp >= EXP_N)
			return ks_error_set(err, at, KS_EINVAL, "too many expanders in \"%s\"", v);
		o->exp[o->nexp++] = k;
	}
	if (o->nexp == 0)
		return ks_error_set(err, at, KS_EINVAL, "expected an expander name, found \"\"");
	if (at != NULL)
		o->exp_at = *at;
	return 0;
}

/*
 * expander/factory/expander_factory.go builds the price expander only
 * when the cloud provider has a pricing model; the AWS provider's
 * Pricing() returns ErrNotImplemented ("Not implemented"), so upstream
 * stops at start with klog.Fatalf.  An input error at the flag, then.
 */
static int
check_price_on_aws(const struct ca_opts *o, struct ks_error *err)
{
	for (int e = 0; e < o->nexp; e++)
		if (o->exp[e] == EXP_PRICE && o->aws)
			return ks_error_set(err, &o->exp_at, KS_EINVAL,
			    "expander price: cluster-autoscaler on AWS exits at start with "
			    "\"Couldn't access cloud provider pricing for price expander: "
			    "Not implemented\" (the AWS provider has no pricing model)");
	return 0;
}

/* Apply one flag; groups must exist for --nodes (applied in a second pass). */
static int
flag_apply(struct ca_state *st, const struct flag_def *f, const char *v, int has_value,
    const struct ks_mark *at, int nodes_pass, struct ks_error *err)
{
	struct ca_opts *o = &st->o;
	char *base = (char *)o;
	int64_t x;
	double d;
	char *end;
	int b;

	if ((f->type == FT_NODES) != nodes_pass)
		return 0;
	if (!has_value && f->type != FT_BOOL && f->type != FT_NOEFFECT)
		return ks_error_set(err, at, KS_EINVAL, "flag --%s needs a value (--%s=...)",
		    f->name, f->name);
	switch (f->type) {
	case FT_BOOL:
		if (!has_value)
			b = 1;
		else if (parse_bool(v, &b) != 0)
			return ks_error_set(err, at, KS_EINVAL,
			    "expected true or false for --%s, found \"%s\"", f->name, v);
		*(int *)(base + f->off) = b;
		break;
	case FT_INT:
		if (ca_parse_int(v, &x) != 0 || x < INT32_MIN || x > INT32_MAX)
			return ks_error_set(err, at, KS_EINVAL,
			    "expected an integer for --%s, found \"%s\"", f->name, v);
		*(int *)(base + f->off) = (int)x;
		break;
	case FT_DUR:
		if (ks_duration_parse(v, &x, err, at) != 0)
			return KS_EINVAL;
		*(int64_t *)(base + f->off) = x;
		break;
	case FT_FLOAT:
		d = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || d < 0)
			return ks_error_set(err, at, KS_EINVAL,
			    "expected a non-negative number for --%s, found \"%s\"", f->name, v);
		*(double *)(base + f->off) = d;
		break;
	case FT_RANGE: {
		char buf[128], *colon;
		int64_t lo, hi;

		snprintf(buf, sizeof(buf), "%s", v);
		colon = strchr(buf, ':');
		if (colon == NULL)
			return ks_error_set(err, at, KS_EINVAL,
			    "expected min:max for --%s, found \"%s\"", f->name, v);
		*colon = '\0';
		if (ca_parse_int(buf, &lo) != 0 || ca_parse_int(colon + 1, &hi) != 0 || lo < 0 || hi < lo)
			return ks_error_set(err, at, KS_EINVAL,
			    "expected min:max with 0 <= min <= max for --%s, found \"%s\"", f->name, v);
		*(int64_t *)(base + f->off) = lo;
		*(int64_t *)(base + f->off2) = hi;
		break;
	}
	case FT_LABEL:
		if (o->nignore < 16)
			o->ignore_labels[o->nignore++] = intern(v);
		break;
	case FT_EXPANDER:
		return set_expander(o, v, at, err);
	case FT_ESTIMATOR:
		if (strcmp(v, "binpacking") != 0)
			return ks_error_set(err, at, KS_EINVAL,
			    "unknown estimator \"%s\": expected binpacking", v);
		break;
	case FT_PROVIDER:
		o->aws = strcmp(v, "aws") == 0;
		if (!o->aws)
			ks_warn(at, "cloud provider \"%s\": ksim models AWS Auto Scaling groups", v);
		break;
	case FT_NODES:
		return group_set_minmax(st, v, at, err);
	case FT_NOEFFECT:
		break;
	}
	return 0;
}

/*
 * Upstream's defaults for CA 1.<version>, from the flag table through the
 * flags' own parser, then the AWS timings, which are not flags.
 */
static void
opts_defaults(struct ca_state *st, int version)
{
	struct ca_opts *o = &st->o;

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; flags[i].name != NULL; i++) {
		const struct flag_def *f = &flags[i];
		const char *v = f->since > 0 && version >= f->since ? f->def_since : f->def;
		int rc;

		if (v == NULL)
			continue;
		rc = flag_apply(st, f, v, 1, NULL, 0, NULL);
		assert(rc == 0);
		(void)rc;
	}
	o->strict_under = version < 35;	/* util < threshold before 1.35, <= since */
	o->asg_ms = 10000;
	o->boot_ms = 70000;
}

/* One command-line item "--name=value" / "--name"; items that are not flags are skipped. */
static int
flag_item(struct ca_state *st, const struct yt_node *item, int nodes_pass, struct ks_error *err)
{
	const char *s, *eq;
	char name[128];
	const struct flag_def *f;

	if (item->kind != YT_SCALAR || item->str == NULL)
		return ks_error_set(err, &item->mark, KS_EINVAL,
		    "expected a command-line string, found %s", yt_kind_name(item));
	s = item->str;
	if (s[0] != '-')
		return 0;	/* ./cluster-autoscaler */
	while (*s == '-')
		s++;
	eq = strchr(s, '=');
	snprintf(name, sizeof(name), "%.*s", (int)(eq ? (size_t)(eq - s) : strlen(s)), s);
	f = flag_find(name, 0);
	if (f == NULL) {
		if (!nodes_pass)
			ks_warn(&item->mark, "unknown cluster-autoscaler flag --%s ignored", name);
		return 0;
	}
	return flag_apply(st, f, eq ? eq + 1 : "", eq != NULL, &item->mark, nodes_pass, err);
}

/* The cluster-autoscaler container of a Deployment, or NULL. */
static const struct yt_node *
ca_container(const struct ks_doc *d)
{
	const struct yt_node *t, *cs;

	if (strcmp(d->kind, "Deployment") != 0)
		return NULL;
	t = yt_map_get(yt_map_get(yt_map_get(d->root, "spec"), "template"), "spec");
	cs = yt_map_get(t, "containers");
	if (cs == NULL || cs->kind != YT_SEQ)
		return NULL;
	for (size_t i = 0; i < cs->nitems; i++) {
		const struct yt_node *n = yt_map_get(cs->items[i], "name");
		const struct yt_node *im = yt_map_get(cs->items[i], "image");

		if ((n != NULL && n->str != NULL && strcmp(n->str, "cluster-autoscaler") == 0) ||
		    (im != NULL && im->str != NULL && strstr(im->str, "/cluster-autoscaler:") != NULL))
			return cs->items[i];
	}
	return NULL;
}

/* "registry.k8s.io/autoscaling/cluster-autoscaler:v1.32.1" -> 32 */
static int
image_minor(const char *image)
{
	const char *tag = image ? strrchr(image, ':') : NULL;
	int major, minor;

	if (tag == NULL)
		return -1;
	tag++;
	if (*tag == 'v')
		tag++;
	if (sscanf(tag, "%d.%d", &major, &minor) != 2 || major != 1)
		return -1;
	return minor;
}

static const char *const spec_ca_keys_extra[] = { "version", "enabled", "asgReaction",
	"nodeStartup", NULL };

static int
spec_ca_check(const struct yt_node *b, struct ks_error *err)
{
	if (yt_expect_map(b, err) != 0)
		return KS_EINVAL;
	for (size_t i = 0; i < b->npairs; i++) {
		const struct yt_node *k = b->pairs[i].key;
		int ok = 0;

		if (k->str == NULL)
			return ks_error_set(err, &k->mark, KS_EINVAL, "expected a key, found %s",
			    yt_kind_name(k));
		for (size_t j = 0; spec_ca_keys_extra[j] != NULL; j++)
			ok |= strcmp(k->str, spec_ca_keys_extra[j]) == 0;
		if (!ok) {
			const struct flag_def *f = flag_find(k->str, 1);

			ok = f != NULL && f->type != FT_NOEFFECT && f->type != FT_NODES &&
			    f->type != FT_PROVIDER;
		}
		if (!ok)
			return ks_error_set(err, &k->mark, KS_EINVAL,
			    "unknown field \"%s\" in spec.clusterAutoscaler: expected version, enabled, "
			    "asgReaction, nodeStartup or a cluster-autoscaler flag in camelCase "
			    "(scanInterval, expander, scaleDownUnneededTime, ...)", k->str);
	}
	return 0;
}

/* The first Deployment with a cluster-autoscaler container (*ctr), or NULL. */
static const struct ks_doc *
config_deployment(const struct ks_scenario *s, const struct yt_node **ctr)
{
	for (size_t i = 0; i < s->ndocs; i++)
		if ((*ctr = ca_container(s->docs[i])) != NULL)
			return s->docs[i];
	*ctr = NULL;
	return NULL;
}

/* spec.clusterAutoscaler.version ("1.32") into *version. */
static int
config_block_version(const struct yt_node *block, int *version, struct ks_error *err)
{
	const struct yt_node *v;
	const char *str;
	char tmp[64];

	if ((v = yt_map_get(block, "version")) == NULL)
		return 0;
	if (yt_get_str(v, &str, err) != 0)
		return KS_EINVAL;
	snprintf(tmp, sizeof(tmp), "x:%s", str);
	*version = image_minor(tmp);
	if (*version < 20 || *version > 40)
		return ks_error_set(err, &v->mark, KS_EINVAL,
		    "expected a cluster-autoscaler version 1.20 to 1.40 such as \"1.32\", "
		    "found \"%s\"", str);
	return 0;
}

/* The container's command, then its args; nodes_pass applies only --nodes. */
static int
config_cmdline(struct ca_state *st, const struct yt_node *cmd, const struct yt_node *args,
    int nodes_pass, struct ks_error *err)
{
	const struct yt_node *lists[2] = { cmd, args };

	for (int l = 0; l < 2; l++) {
		if (lists[l] == NULL || yt_is_null(lists[l]))
			continue;
		if (yt_expect_seq(lists[l], err) != 0)
			return KS_EINVAL;
		for (size_t i = 0; i < lists[l]->nitems; i++)
			if (flag_item(st, lists[l]->items[i], nodes_pass, err) != 0)
				return KS_EINVAL;
	}
	return 0;
}

/* spec.clusterAutoscaler after the command line, so its keys win. */
static int
config_block(struct ca_state *st, const struct yt_node *block, struct ks_error *err)
{
	for (size_t i = 0; i < block->npairs; i++) {
		const struct yt_node *k = block->pairs[i].key, *val = block->pairs[i].value;
		const struct flag_def *f;
		const char *str;

		if (strcmp(k->str, "version") == 0)
			continue;
		if (strcmp(k->str, "enabled") == 0) {
			if (yt_get_bool(val, &st->enabled, err) != 0)
				return KS_EINVAL;
			continue;
		}
		if (strcmp(k->str, "asgReaction") == 0 || strcmp(k->str, "nodeStartup") == 0) {
			int64_t ms;

			if (yt_get_duration(val, &ms, err) != 0)
				return KS_EINVAL;
			if (ms < 0)
				return ks_error_set(err, &val->mark, KS_EINVAL,
				    "expected a non-negative duration, found \"%s\"", val->str);
			if (k->str[0] == 'a')
				st->o.asg_ms = ms;
			else
				st->o.boot_ms = ms;
			continue;
		}
		f = flag_find(k->str, 1);
		assert(f != NULL);
		if (yt_get_str(val, &str, err) != 0)
			return KS_EINVAL;
		if (flag_apply(st, f, str, 1, &val->mark, 0, err) != 0)
			return KS_EINVAL;
	}
	return 0;
}

int
ca_config_load(struct ca_state *st, struct ks_error *err)
{
	struct ks_scenario *s = st->r->scn;
	const struct yt_node *ctr, *cmd = NULL, *args = NULL, *block = NULL, *v;
	const struct ks_doc *dep;
	int version = CA_DEFAULT_VERSION, has_block;

	if ((dep = config_deployment(s, &ctr)) != NULL) {
		cmd = yt_map_get(ctr, "command");
		args = yt_map_get(ctr, "args");
		v = yt_map_get(ctr, "image");
		if (v != NULL && v->str != NULL && image_minor(v->str) > 0)
			version = image_minor(v->str);
	}
	if (s->spec != NULL)
		block = yt_map_get(s->spec, "clusterAutoscaler");
	has_block = block != NULL;	/* an empty block means the defaults */
	if (block != NULL && yt_is_null(block))
		block = NULL;
	if (block != NULL && (spec_ca_check(block, err) != 0 ||
	    config_block_version(block, &version, err) != 0))
		return KS_EINVAL;
	st->version = version;
	opts_defaults(st, version);
	st->enabled = dep != NULL || has_block;
	if (dep != NULL) {
		static char src[300];

		snprintf(src, sizeof(src), "Deployment %s/%s", dep->ns, dep->name);
		st->source = intern(src);
	} else {
		st->source = intern(has_block ? "spec.clusterAutoscaler" : "defaults");
	}
	if (config_cmdline(st, cmd, args, 0, err) != 0)
		return KS_EINVAL;
	if (block != NULL && config_block(st, block, err) != 0)
		return KS_EINVAL;
	return check_price_on_aws(&st->o, err);
}

/* --nodes=min:max:name, applied once the node groups are loaded. */
int
ca_config_nodes(struct ca_state *st, struct ks_error *err)
{
	const struct yt_node *ctr;

	if (config_deployment(st->r->scn, &ctr) == NULL)
		return 0;
	return config_cmdline(st, yt_map_get(ctr, "command"), yt_map_get(ctr, "args"), 1, err);
}
