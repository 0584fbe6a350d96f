/*
 * check_override.c: --set PATH=VALUE on YAML documents: the Scenario (with
 * aliases and created keys), manifests by kind/name (short names, plurals,
 * namespaces, List items, sequences by index or name, dotted keys), and
 * the error messages for paths that do not exist.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "io/override.h"
#include "io/ytree.h"
#include "testutil.h"

Suite *override_suite(void);

static const char doc[] =
    "apiVersion: ksim/v1alpha1\n"
    "kind: Scenario\n"
    "metadata: {name: t}\n"
    "spec:\n"
    "  duration: 1h\n"
    "  clusterAutoscaler:\n"
    "  timeline:\n"
    "  - at: 1m\n"
    "    create:\n"
    "      apiVersion: kubeflow.org/v1\n"
    "      kind: Notebook\n"
    "      metadata: {name: nb, namespace: kubeflow-user}\n"
    "      spec: {template: {spec: {containers: [{name: nb, resources: {requests: {cpu: 4}}}]}}}\n"
    "---\n"
    "apiVersion: autoscaling/v2\n"
    "kind: HorizontalPodAutoscaler\n"
    "metadata: {name: php-apache}\n"
    "spec:\n"
    "  scaleTargetRef: {kind: Deployment, name: php-apache}\n"
    "  minReplicas: 1\n"
    "  maxReplicas: 10\n"
    "---\n"
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata: {name: web, namespace: shop}\n"
    "spec:\n"
    "  replicas: 2\n"
    "  template:\n"
    "    metadata:\n"
    "      annotations: {ksim.io/run-duration: 5m}\n"
    "    spec:\n"
    "      containers:\n"
    "      - name: app\n"
    "        resources: {requests: {cpu: 500m}}\n"
    "      - name: side\n"
    "        resources: {requests: {cpu: 100m}}\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: List\n"
    "items:\n"
    "- apiVersion: karpenter.sh/v1\n"
    "  kind: NodePool\n"
    "  metadata: {name: default}\n"
    "  spec:\n"
    "    disruption: {consolidationPolicy: WhenEmptyOrUnderutilized}\n";

static struct yt_stream *
load(void)
{
	struct yt_stream *st = NULL;
	struct ks_error err;

	ks_error_clear(&err);
	ck_assert_int_eq(yt_load_buffer("t.yaml", doc, strlen(doc), &st, &err), 0);
	return st;
}

/* Apply one --set, returning the code; err filled. */
static int
set1(struct yt_stream *st, const char *s, struct ks_error *err)
{
	const char *sets[1] = { s };

	ks_error_clear(err);
	return override_apply(&st, 1, sets, 1, err);
}

static const struct yt_node *
get(const struct yt_node *n, const char *const *path)
{
	for (; *path != NULL && n != NULL; path++) {
		if (n->kind == YT_SEQ)
			n = n->items[atoi(*path)];
		else
			n = yt_map_get(n, *path);
	}
	return n;
}

static void
assert_str(const struct yt_node *n, const char *want)
{
	ck_assert_ptr_nonnull(n);
	ck_assert_int_eq(n->kind, YT_SCALAR);
	ck_assert_str_eq(n->str, want);
}

START_TEST(test_scenario_paths)
{
	struct yt_stream *st = load();
	struct ks_error err;
	const struct yt_node *spec;

	ck_assert_int_eq(set1(st, "duration=30m", &err), 0);
	ck_assert_int_eq(set1(st, "seed=2", &err), 0);
	ck_assert_int_eq(set1(st, "timing.imagePull=30s", &err), 0);
	/* ca.X is spec.clusterAutoscaler.X; the null block becomes a mapping */
	ck_assert_int_eq(set1(st, "ca.expander=most-pods", &err), 0);
	ck_assert_int_eq(set1(st, "karpenter.batchMaxDuration=20s", &err), 0);
	ck_assert_int_eq(set1(st, "spec.region=eu-west-1", &err), 0);
	spec = yt_map_get(st->docs[0].root, "spec");
	assert_str(yt_map_get(spec, "duration"), "30m");
	assert_str(yt_map_get(spec, "seed"), "2");
	assert_str(yt_map_get(spec, "region"), "eu-west-1");
	assert_str(get(spec, (const char *[]){ "timing", "imagePull", NULL }), "30s");
	assert_str(get(spec, (const char *[]){ "clusterAutoscaler", "expander", NULL }), "most-pods");
	assert_str(get(spec, (const char *[]){ "karpenter", "batchMaxDuration", NULL }), "20s");
	/* a new value is plain, so "2" reads as an integer, and is marked "--set ..." */
	ck_assert_int_eq(yt_map_get(spec, "seed")->plain, 1);
	ck_assert_str_eq(yt_map_get(spec, "seed")->mark.file, "--set seed=2");
	ck_assert_int_eq(yt_map_get(spec, "seed")->mark.line, 0);
	/* the key order of the original is kept, new keys at the end */
	ck_assert_str_eq(spec->pairs[0].key->str, "duration");
	yt_stream_free(st);
}
END_TEST

START_TEST(test_manifest_paths)
{
	struct yt_stream *st = load();
	struct ks_error err;
	const struct yt_node *dep = st->docs[2].root, *np;

	ck_assert_int_eq(set1(st, "hpa/php-apache.spec.maxReplicas=5", &err), 0);
	assert_str(get(st->docs[1].root, (const char *[]){ "spec", "maxReplicas", NULL }), "5");
	ck_assert_int_eq(set1(st, "HorizontalPodAutoscaler/php-apache.spec.minReplicas=2", &err), 0);
	assert_str(get(st->docs[1].root, (const char *[]){ "spec", "minReplicas", NULL }), "2");
	/* namespace given or not, short and plural names */
	ck_assert_int_eq(set1(st, "deployment/web.spec.replicas=3", &err), 0);
	assert_str(get(dep, (const char *[]){ "spec", "replicas", NULL }), "3");
	ck_assert_int_eq(set1(st, "deploy/shop/web.spec.replicas=4", &err), 0);
	assert_str(get(dep, (const char *[]){ "spec", "replicas", NULL }), "4");
	ck_assert_int_eq(set1(st, "deployments/web.spec.replicas=5", &err), 0);
	assert_str(get(dep, (const char *[]){ "spec", "replicas", NULL }), "5");
	/* sequences by index, [index] and item name; a key holding dots */
	ck_assert_int_eq(set1(st,
	    "deploy/web.spec.template.spec.containers.1.resources.requests.cpu=200m", &err), 0);
	ck_assert_int_eq(set1(st,
	    "deploy/web.spec.template.spec.containers[0].resources.requests.cpu=1", &err), 0);
	assert_str(get(dep, (const char *[]){ "spec", "template", "spec", "containers", "0",
	    "resources", "requests", "cpu", NULL }), "1");
	assert_str(get(dep, (const char *[]){ "spec", "template", "spec", "containers", "1",
	    "resources", "requests", "cpu", NULL }), "200m");
	ck_assert_int_eq(set1(st,
	    "deploy/web.spec.template.spec.containers.side.resources.requests.cpu=300m", &err), 0);
	assert_str(get(dep, (const char *[]){ "spec", "template", "spec", "containers", "1",
	    "resources", "requests", "cpu", NULL }), "300m");
	ck_assert_int_eq(set1(st,
	    "deploy/web.spec.template.metadata.annotations.ksim.io/run-duration=10m", &err), 0);
	assert_str(get(dep, (const char *[]){ "spec", "template", "metadata", "annotations",
	    "ksim.io/run-duration", NULL }), "10m");
	/* an object the timeline creates */
	ck_assert_int_eq(set1(st,
	    "notebook/kubeflow-user/nb.spec.template.spec.containers.nb.resources.requests.cpu=8",
	    &err), 0);
	assert_str(get(st->docs[0].root, (const char *[]){ "spec", "timeline", "0", "create", "spec",
	    "template", "spec", "containers", "0", "resources", "requests", "cpu", NULL }), "8");
	/* a List item */
	ck_assert_int_eq(set1(st,
	    "nodepool/default.spec.disruption.consolidationPolicy=WhenEmpty", &err), 0);
	np = get(st->docs[3].root, (const char *[]){ "items", "0", NULL });
	assert_str(get(np, (const char *[]){ "spec", "disruption", "consolidationPolicy", NULL }),
	    "WhenEmpty");
	yt_stream_free(st);
}
END_TEST

START_TEST(test_several_sets_in_order)
{
	struct yt_stream *st = load();
	struct ks_error err;
	const char *sets[] = { "duration=10m", "duration=20m", "hpa/php-apache.spec.maxReplicas=7" };

	ks_error_clear(&err);
	ck_assert_int_eq(override_apply(&st, 1, sets, 3, &err), 0);
	assert_str(get(st->docs[0].root, (const char *[]){ "spec", "duration", NULL }), "20m");
	assert_str(get(st->docs[1].root, (const char *[]){ "spec", "maxReplicas", NULL }), "7");
	yt_stream_free(st);
}
END_TEST

START_TEST(test_limits)
{
	struct yt_stream *st = load();
	struct ks_error err;

	/* an empty value is YAML null; zero sets is a no-op */
	ck_assert_int_eq(set1(st, "hpa/php-apache.spec.minReplicas=", &err), 0);
	ck_assert(yt_is_null(get(st->docs[1].root, (const char *[]){ "spec", "minReplicas", NULL })));
	ks_error_clear(&err);
	ck_assert_int_eq(override_apply(&st, 1, NULL, 0, &err), 0);
	/* a value holding '=' keeps it */
	ck_assert_int_eq(set1(st, "metadata.name=a=b", &err), 0);
	assert_str(get(st->docs[0].root, (const char *[]){ "metadata", "name", NULL }), "a=b");
	yt_stream_free(st);
}
END_TEST

static const struct {
	const char	*set;
	const char	*msg;
} bad[] = {
	{ "hpa/php-apache.spec.maxReplica=5",
	  "--set hpa/php-apache.spec.maxReplica=5: HorizontalPodAutoscaler php-apache has no "
	  "field \"maxReplica\" in spec (it has scaleTargetRef, minReplicas, maxReplicas)" },
	{ "hpa/php.spec.maxReplicas=5",
	  "--set hpa/php.spec.maxReplicas=5: there is no HorizontalPodAutoscaler named \"php\" "
	  "(there are: default/php-apache)" },
	{ "sts/web.spec.replicas=1",
	  "--set sts/web.spec.replicas=1: the scenario has no object of kind \"sts\"" },
	{ "deploy/web.spec.template=1",
	  "--set deploy/web.spec.template=1: Deployment web spec.template is a mapping; --set "
	  "replaces single values, so name a field inside it" },
	{ "deploy/web.spec.replicas.x=1",
	  "--set deploy/web.spec.replicas.x=1: Deployment web has a value, not fields, in "
	  "spec.replicas (it is an integer), so it has no field \"x\"" },
	{ "deploy/web.spec.template.spec.containers.2.image=x",
	  "--set deploy/web.spec.template.spec.containers.2.image=x: Deployment web has no item 2 "
	  "in spec.template.spec.containers (it has 2 items, counted from 0)" },
	{ "deploy/web.spec.template.spec.containers.db.image=x",
	  "--set deploy/web.spec.template.spec.containers.db.image=x: Deployment web has no item "
	  "named \"db\" in spec.template.spec.containers (it has app, side)" },
	{ "deploy/other/web.spec.replicas=1",
	  "--set deploy/other/web.spec.replicas=1: there is no Deployment named \"web\" in "
	  "namespace other (there are: shop/web)" },
	{ "deploy/web=1",
	  "--set deploy/web=1: expected a field path after Deployment web, e.g. "
	  "deploy/web.spec.replicas" },
	{ "hpa/php-apache.kinds=1",
	  "--set hpa/php-apache.kinds=1: HorizontalPodAutoscaler php-apache has no field \"kinds\" "
	  "at the top level (it has apiVersion, kind, metadata, spec)" },
	{ "spec.duration.x=1",
	  "--set spec.duration.x=1: the Scenario has a value, not fields, in spec.duration "
	  "(it is a string), so it has no field \"x\"" },
	{ "=1", "--set: expected PATH=VALUE, found \"=1\"" },
};

START_TEST(test_errors)
{
	struct yt_stream *st = load();
	struct ks_error err;

	ck_assert_int_eq(set1(st, bad[_i].set, &err), KS_EUSAGE);
	ck_assert_str_eq(err.msg, bad[_i].msg);
	ck_assert_ptr_null(err.at.file);
	yt_stream_free(st);
}
END_TEST

START_TEST(test_no_scenario)
{
	static const char only[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n";
	struct yt_stream *st = NULL;
	struct ks_error err;

	ks_error_clear(&err);
	ck_assert_int_eq(yt_load_buffer("p.yaml", only, strlen(only), &st, &err), 0);
	ck_assert_int_eq(set1(st, "duration=5m", &err), KS_EUSAGE);
	ck_assert_str_eq(err.msg, "--set duration=5m: there is no Scenario document to change "
	    "(a path without kind/name names a field of the Scenario's spec)");
	ck_assert_int_eq(set1(st, "po/p.spec.nodeName=n1", &err), KS_EUSAGE);
	ck_assert_str_eq(err.msg, "--set po/p.spec.nodeName=n1: Pod p has no field \"nodeName\" "
	    "in spec (it has no fields)");
	yt_stream_free(st);
}
END_TEST

Suite *
override_suite(void)
{
	Suite *s = suite_create("override");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_test(tc, test_scenario_paths);
	tcase_add_test(tc, test_manifest_paths);
	tcase_add_test(tc, test_several_sets_in_order);
	suite_add_tcase(s, tc);
	tc = tcase_create("limits");
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	tc = tcase_create("errors");
	tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_no_scenario);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_main(override_suite());
}
