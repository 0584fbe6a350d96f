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

struct flag_def {
	const char	*name;		/* flag name without dashes */
	enum flag_type	 type;
	size_t		 off;		/* offset in struct ca_opts (or of the first of a pair) */
	size_t		 off2;		/* FT_RANGE: the max */
};

#define O(f)	offsetof(struct ca_opts, f)
static const struct flag_def flags[] = {
	{ "scan-interval", FT_DUR, O(scan_ms), 0 },
	{ "frequent-loops-enabled", FT_BOOL, O(frequent), 0 },
	{ "new-pod-scale-up-delay", FT_DUR, O(new_pod_delay_ms), 0 },
	{ "expander", FT_EXPANDER, 0, 0 },
	{ "estimator", FT_ESTIMATOR, 0, 0 },
	{ "max-nodes-total", FT_INT, O(max_nodes_total), 0 },
	{ "cores-total", FT_RANGE, O(cores_min), O(cores_max) },
	{ "memory-total", FT_RANGE, O(mem_min_gib), O(mem_max_gib) },
	{ "max-nodes-per-scaleup", FT_INT, O(max_per_scaleup), 0 },
	{ "balance-similar-node-groups", FT_BOOL, O(balance), 0 },
	{ "balancing-ignore-label", FT_LABEL, 0, 0 },
	{ "max-free-difference-ratio", FT_FLOAT, O(max_free_diff), 0 },
	{ "max-allocatable-difference-ratio", FT_FLOAT, O(max_alloc_diff), 0 },
	{ "memory-difference-ratio", FT_FLOAT, O(mem_diff), 0 },
	{ "max-node-provision-time", FT_DUR, O(provision_ms), 0 },
	{ "initial-node-group-backoff-duration", FT_DUR, O(backoff_init_ms), 0 },
	{ "max-node-group-backoff-duration", FT_DUR, O(backoff_max_ms), 0 },
	{ "node-group-backoff-reset-timeout", FT_DUR, O(backoff_reset_ms), 0 },
	{ "scale-down-enabled", FT_BOOL, O(sd_enabled), 0 },
	{ "scale-down-utilization-threshold", FT_FLOAT, O(sd_threshold), 0 },
	{ "scale-down-gpu-utilization-threshold", FT_FLOAT, O(sd_gpu_threshold), 0 },
	{ "scale-down-unneeded-time", FT_DUR, O(sd_unneeded_ms), 0 },
	{ "scale-down-delay-after-add", FT_DUR, O(sd_after_add_ms), 0 },
	{ "scale-down-delay-after-delete", FT_DUR, O(sd_after_delete_ms), 0 },
	{ "scale-down-delay-after-failure", FT_DUR, O(sd_after_failure_ms), 0 },
	{ "unremovable-node-recheck-timeout", FT_DUR, O(recheck_ms), 0 },
	{ "max-scale-down-parallelism", FT_INT, O(max_sd_parallel), 0 },
	{ "max-drain-parallelism", FT_INT, O(max_drain_parallel), 0 },
	{ "ignore-daemonsets-utilization", FT_BOOL, O(ignore_ds_util), 0 },
	{ "skip-nodes-with-system-pods", FT_BOOL, O(skip_system), 0 },
	{ "skip-nodes-with-local-storage", FT_BOOL, O(skip_local), 0 },
	{ "skip-nodes-with-custom-controller-pods", FT_BOOL, O(skip_custom), 0 },
	{ "blocking-system-pod-distruption-timeout", FT_DUR, O(system_block_ms), 0 },
	{ "min-replica-count", FT_INT, O(min_replicas), 0 },
	{ "node-delete-delay-after-taint", FT_DUR, O(taint_delay_ms), 0 },
	{ "expendable-pods-priority-cutoff", FT_INT, O(cutoff), 0 },
	{ "nodes", FT_NODES, 0, 0 },
	{ "cloud-provider", FT_PROVIDER, 0, 0 },
	/* accepted; they do not change a decision ksim models */
	{ "v", FT_NOEFFECT, 0, 0 }, { "stderrthreshold", FT_NOEFFECT, 0, 0 },
	{ "logtostderr", FT_NOEFFECT, 0, 0 }, { "node-group-auto-discovery", FT_NOEFFECT, 0, 0 },
	{ "aws-use-static-instance-list", FT_NOEFFECT, 0, 0 }, { "kubeconfig", FT_NOEFFECT, 0, 0 },
	{ "namespace", FT_NOEFFECT, 0, 0 }, { "address", FT_NOEFFECT, 0, 0 },
	{ "leader-elect", FT_NOEFFECT, 0, 0 }, { "write-status-configmap", FT_NOEFFECT, 0, 0 },
	{ "status-config-map-name", FT_NOEFFECT, 0, 0 }, { "cluster-name", FT_NOEFFECT, 0, 0 },
	{ "profiling", FT_NOEFFECT, 0, 0 }, { "max-node-startup-time", FT_NOEFFECT, 0, 0 },
	{ "scale-down-unready-time", FT_NOEFFECT, 0, 0 },
	{ "scale-down-unready-enabled", FT_NOEFFECT, 0, 0 },
	{ "max-graceful-termination-sec", FT_NOEFFECT, 0, 0 },
	{ "max-pod-eviction-time", FT_NOEFFECT, 0, 0 },
	{ "max-empty-bulk-delete", FT_NOEFFECT, 0, 0 },
	{ "ignore-mirror-pods-utilization", FT_NOEFFECT, 0, 0 },
	{ "scale-down-simulation-timeout", FT_NOEFFECT, 0, 0 },
	{ "max-binpacking-time", FT_NOEFFECT, 0, 0 },
	{ "max-nodegroup-binpacking-duration", FT_NOEFFECT, 0, 0 },
	{ "max-total-unready-percentage", FT_NOEFFECT, 0, 0 },
	{ "ok-total-unready-count", FT_NOEFFECT, 0, 0 },
	{ "regional", FT_NOEFFECT, 0, 0 }, { "feature-gates", FT_NOEFFECT, 0, 0 },
	{ "enforce-node-group-min-size", FT_NOEFFECT, 0, 0 },
	{ "daemonset-eviction-for-occupied-nodes", FT_NOEFFECT, 0, 0 },
	{ "daemonset-eviction-for-empty-nodes", FT_NOEFFECT, 0, 0 },
	{ "cordon-node-before-terminating", FT_NOEFFECT, 0, 0 },
	{ NULL, FT_NOEFFECT, 0, 0 }
};
#undef O

static void
opts_defaults(struct ca_opts *o, int version)
{
	memset(o, 0, sizeof(*o));
	o->scan_ms = 10000;
	o->frequent = version >= 35;
	o->exp[0] = version >= 33 ? EXP_LEAST_WASTE : EXP_RANDOM;
	o->nexp = 1;
	o->cores_max = 320000;
	o->mem_max_gib = 6400000;
	o->max_per_scaleup = 1000;
	o->max_free_diff = 0.05;
	o->max_alloc_diff = 0.05;
	o->mem_diff = 0.015;
	o->provision_ms = 15 * 60000;
	o->backoff_init_ms = 5 * 60000;
	o->backoff_max_ms = 30 * 60000;
	o->backoff_reset_ms = 3 * 3600000;
	o->sd_enabled = 1;
	o->sd_threshold = 0.5;
	o->sd_gpu_threshold = 0.5;
	o->sd_unneeded_ms = 10 * 60000;
	o->sd_after_add_ms = 10 * 60000;
	o->sd_after_failure_ms = 3 * 60000;
	o->recheck_ms = 5 * 60000;
	o->max_sd_parallel = 10;
	o->max_drain_parallel = 1;
	o->skip_system = 1;
	o->skip_local = 1;
	o->skip_custom = 1;
	o->system_block_ms = version >= 33 ? 3600000 : -1;
	o->taint_delay_ms = 5000;
	o->cutoff = -10;
	o->strict_under = version < 35;
	o->asg_ms = 10000;
	o->boot_ms = 70000;
}

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
		if (strcmp(v, "aws") != 0)
			ks_warn(at, "cloud provider \"%s\": ksim models AWS Auto Scaling groups", v);
		break;
	case FT_NODES:
		return group_set_minmax(st, v, at, err);
	case FT_NOEFFECT:
		break;
	}
	return 0;
}

/* One command-line item "--name=value" / "--name"; items that are not flags are skipped. */
int
ca_flag_item(struct ca_state *st, const struct yt_node *item, int nodes_pass, struct ks_error *err)
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
const struct yt_node *
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

int
ca_config_load(struct ca_state *st, struct ks_error *err)
{
	struct ks_scenario *s = st->r->scn;
	const struct yt_node *cmd = NULL, *args = NULL, *block = NULL, *v;
	const struct ks_doc *dep = NULL;
	int version = CA_DEFAULT_VERSION, has_block;

	for (size_t i = 0; i < s->ndocs && dep == NULL; i++) {
		const struct yt_node *ctr = ca_container(s->docs[i]);

		if (ctr == NULL)
			continue;
		dep = s->docs[i];
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
	if (block != NULL) {
		if (spec_ca_check(block, err) != 0)
			return KS_EINVAL;
		if ((v = yt_map_get(block, "version")) != NULL) {
			const char *str;
			char tmp[64];

			if (yt_get_str(v, &str, err) != 0)
				return KS_EINVAL;
			snprintf(tmp, sizeof(tmp), "x:%s", str);
			version = image_minor(tmp);
			if (version < 20 || version > 40)
				return ks_error_set(err, &v->mark, KS_EINVAL,
				    "expected a cluster-autoscaler version 1.20 to 1.40 such as \"1.32\", "
				    "found \"%s\"", str);
		}
	}
	st->version = version;
	opts_defaults(&st->o, version);
	st->enabled = dep != NULL || has_block;
	if (dep != NULL) {
		static char src[300];

		snprintf(src, sizeof(src), "Deployment %s/%s", dep->ns, dep->name);
		st->source = intern(src);
	} else {
		st->source = intern(has_block ? "spec.clusterAutoscaler" : "defaults");
	}
	{
		const struct yt_node *lists[2] = { cmd, args };

		for (int l = 0; l < 2; l++) {
			if (lists[l] == NULL || yt_is_null(lists[l]))
				continue;
			if (yt_expect_seq(lists[l], err) != 0)
				return KS_EINVAL;
			for (size_t i = 0; i < lists[l]->nitems; i++)
				if (ca_flag_item(st, lists[l]->items[i], 0, err) != 0)
					return KS_EINVAL;
		}
	}
	if (block != NULL) {
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
	}
	return 0;
}
