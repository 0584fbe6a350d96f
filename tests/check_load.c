/*
 * check_load.c: from files to a scenario (io/load_scenario.c,
 * io/load_k8s.c), and from a snapshot to a running cluster (ksim.c).
 *
 * "core": Kubernetes kinds and their fields, `kind: List`, JSON input and
 * the dumps in shared/upstream (skipped when absent), the Scenario kind,
 * snapshot pods bound where spec.nodeName says and tied to their
 * Deployment through a ReplicaSet owner reference.
 * "limits": many documents, many files, empty documents.
 * "errors": every loader error with its code, line and column, and the
 * unknown-kind warning with its location.
 *
 * The loader reads files, so each test writes its inputs into a private
 * temporary directory.
 */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloud/catalog.h"
#include "io/load.h"
#include "ksim.h"
#include "testutil.h"
#include "util/intern.h"
#include "util/xmalloc.h"

Suite *load_suite(void);

/*
 * The cluster dumps beside the project (../shared/upstream), which only
 * developers and CI have: the test that reads them is added only when
 * they are there, and says SKIP otherwise.
 */
static const char *
dump(const char *name)
{
	static char buf[3][1024];
	static int k;

	k = (k + 1) % 3;
	snprintf(buf[k], sizeof(buf[k]), "%s/../shared/upstream/cluster-dumps%s%s", tu_srcdir(),
	    name[0] ? "/" : "", name);
	return buf[k];
}
#define GI	(1024LL * 1024 * 1024)
#define MI	(1024LL * 1024)

static struct catalog	*cat;
static const char	*dir;		/* a temporary directory per test */

static void
setup(void)
{
	struct ks_error err = { 0 };

	dir = tu_tmpdir();
	ck_assert_int_eq(catalog_load_default(&cat, &err), 0);
	ks_warn_stream = NULL;
}

static void
teardown(void)
{
	tu_cleanup();
	catalog_free(cat);
	cat = NULL;
}

static struct ks_scenario *
load_ok(const char *const *files, size_t n)
{
	struct ks_scenario *s = NULL;
	struct ks_error err = { 0 };
	int rc = ks_scenario_load(files, n, NULL, 0, cat, &s, &err);

	ck_assert_msg(rc == 0, "load failed: %d:%d: %s", err.at.line, err.at.col, err.msg);
	ck_assert_ptr_nonnull(s);
	return s;
}

static struct ks_scenario *
load1(const char *text)
{
	const char *f = tu_write_in(dir, "in.yaml", text);

	return load_ok(&f, 1);
}

/* Loading text must fail with code at line:col and a message starting with msg. */
static void
load_fails(const char *text, int code, int line, int col, const char *msg)
{
	const char *f = tu_write_in(dir, "bad.yaml", text);
	struct ks_scenario *s = (struct ks_scenario *)1;
	struct ks_error err = { 0 };
	int rc = ks_scenario_load(&f, 1, NULL, 0, cat, &s, &err);

	ck_assert_int_eq(rc, code);
	ck_assert_int_eq(err.code, code);
	ck_assert_ptr_null(s);
	ck_assert_msg(err.at.line == line && err.at.col == col,
	    "at %d:%d, want %d:%d (%s)", err.at.line, err.at.col, line, col, err.msg);
	ck_assert_msg(strncmp(err.msg, msg, strlen(msg)) == 0, "message \"%s\", want \"%s\"",
	    err.msg, msg);
	ck_assert_ptr_nonnull(err.at.file);
	ck_assert_str_eq(err.at.file, f);
}

static const char *NODES_LIST =
    "apiVersion: v1\n"
    "kind: List\n"
    "items:\n"
    "- apiVersion: v1\n"
    "  kind: Node\n"
    "  metadata:\n"
    "    name: n1\n"
    "    labels:\n"
    "      topology.kubernetes.io/zone: us-east-1b\n"
    "      node.kubernetes.io/instance-type: m5.xlarge\n"
    "  spec:\n"
    "    taints:\n"
    "    - {key: dedicated, value: gpu, effect: NoSchedule}\n"
    "  status:\n"
    "    allocatable: {cpu: 3920m, memory: 15136820Ki, pods: \"58\", ephemeral-storage: 76224326324}\n"
    "    capacity: {cpu: \"4\", memory: 16078900Ki, pods: \"58\"}\n"
    "- apiVersion: v1\n"
    "  kind: Node\n"
    "  metadata: {name: n2}\n"
    "  spec: {unschedulable: true}\n"
    "  status:\n"
    "    allocatable: {cpu: \"2\", memory: 8Gi, pods: \"110\"}\n";

/* ---- core ---- */

START_TEST(list_of_nodes)
{
	struct ks_scenario *s = load1(NODES_LIST);
	const struct node_def *a, *b;

	ck_assert_uint_eq(s->nnodes, 2);
	a = s->nodes[0];
	b = s->nodes[1];
	ck_assert_str_eq(a->name, "n1");
	ck_assert_str_eq(a->zone, "us-east-1b");
	ck_assert_str_eq(a->itype, "m5.xlarge");
	ck_assert_int_eq(a->alloc.v[RES_CPU], 3920);
	ck_assert_int_eq(a->alloc.v[RES_MEM], 15136820LL * 1024);
	ck_assert_int_eq(a->alloc.v[RES_PODS], 58);
	ck_assert_int_eq(a->alloc.v[RES_EPH], 76224326324LL);
	ck_assert_int_eq(a->cap.v[RES_CPU], 4000);
	ck_assert_uint_eq(a->ntaints, 1);
	ck_assert_str_eq(a->taints[0].key, "dedicated");
	ck_assert_str_eq(a->taints[0].val, "gpu");
	ck_assert_int_eq(a->taints[0].effect, EFFECT_NOSCHEDULE);
	ck_assert_int_eq(a->mark.line, 4);
	ck_assert_int_eq(a->mark.col, 3);
	ck_assert_str_eq(b->name, "n2");
	ck_assert_int_eq(b->unschedulable, 1);
	ck_assert_ptr_null(b->itype);
	ck_assert_str_eq(b->zone, "");
	ck_assert_int_eq(b->alloc.v[RES_MEM], 8 * GI);
	ck_assert(!s->has_scenario);
	ck_assert_int_eq(s->duration_ms, 3600 * 1000);
	ck_assert_uint_eq(s->seed, 1);
	ck_assert_str_eq(s->region, "us-east-1");
	ks_scenario_free(s);
}
END_TEST

START_TEST(workloads_and_podspec)
{
	struct ks_scenario *s = load1(
	    "apiVersion: apps/v1\n"
	    "kind: Deployment\n"
	    "metadata: {name: web, namespace: shop}\n"
	    "spec:\n"
	    "  replicas: 3\n"
	    "  selector: {matchLabels: {app: web}}\n"
	    "  template:\n"
	    "    metadata: {labels: {app: web, tier: front}}\n"
	    "    spec:\n"
	    "      priorityClassName: high\n"
	    "      terminationGracePeriodSeconds: 5\n"
	    "      nodeSelector: {disk: ssd}\n"
	    "      tolerations:\n"
	    "      - {operator: Exists}\n"
	    "      - {key: dedicated, operator: Equal, value: gpu, effect: NoSchedule, tolerationSeconds: 30}\n"
	    "      initContainers:\n"
	    "      - name: init\n"
	    "        image: busybox\n"
	    "        resources: {requests: {cpu: \"2\", memory: 64Mi}}\n"
	    "      containers:\n"
	    "      - name: app\n"
	    "        image: nginx\n"
	    "        resources:\n"
	    "          requests: {cpu: 250m, memory: 256Mi}\n"
	    "          limits: {cpu: \"1\", memory: 512Mi, nvidia.com/gpu: 1}\n"
	    "        readinessProbe: {initialDelaySeconds: 10}\n"
	    "      - name: side\n"
	    "        image: envoy\n"
	    "        resources: {limits: {cpu: 100m, memory: 128Mi}}\n"
	    "---\n"
	    "apiVersion: scheduling.k8s.io/v1\n"
	    "kind: PriorityClass\n"
	    "metadata: {name: high}\n"
	    "value: 1000\n"
	    "---\n"
	    "apiVersion: apps/v1\n"
	    "kind: StatefulSet\n"
	    "metadata: {name: db}\n"
	    "spec:\n"
	    "  selector: {matchLabels: {app: db}}\n"
	    "  template:\n"
	    "    metadata: {labels: {app: db}}\n"
	    "    spec:\n"
	    "      containers: [{name: db, image: postgres}]\n"
	    "---\n"
	    "apiVersion: kubeflow.org/v1\n"
	    "kind: Notebook\n"
	    "metadata: {name: nb, namespace: kubeflow-user}\n"
	    "spec:\n"
	    "  template:\n"
	    "    spec:\n"
	    "      containers: [{name: nb, image: jupyter, resources: {requests: {cpu: \"4\", memory: 32Gi}}}]\n"
	    "---\n"
	    "apiVersion: policy/v1\n"
	    "kind: PodDisruptionBudget\n"
	    "metadata: {name: web-pdb, namespace: shop}\n"
	    "spec: {minAvailable: 50%, selector: {matchLabels: {app: web}}}\n");
	const struct wl_def *w, *db, *nb;
	const struct ks_podspec *sp;

	ck_assert_uint_eq(s->nwls, 3);
	w = s->wls[0];
	db = s->wls[1];
	nb = s->wls[2];
	ck_assert_int_eq(w->kind, WL_DEPLOYMENT);
	ck_assert_str_eq(w->ns, "shop");
	ck_assert_int_eq(w->replicas, 3);
	sp = w->spec;
	/* app containers first, then init containers */
	ck_assert_uint_eq(sp->nctrs, 3);
	ck_assert_str_eq(sp->ctrs[0].name, "app");
	ck_assert_str_eq(sp->ctrs[1].name, "side");
	ck_assert_str_eq(sp->ctrs[2].name, "init");
	/* side has only limits: requests default to them */
	ck_assert_int_eq(sp->ctrs[1].req.v[RES_CPU], 100);
	ck_assert_int_eq(sp->ctrs[1].req.v[RES_MEM], 128 * MI);
	/* the GPU limit becomes the request */
	ck_assert_int_eq(sp->ctrs[0].req.v[RES_GPU], 1);
	/*
	 * Effective request: max(app 250m + side 100m = 350m, init 2000m) =
	 * 2000m cpu; memory max(256Mi + 128Mi, 64Mi) = 384Mi; pods 1.
	 */
	ck_assert_int_eq(sp->req.v[RES_CPU], 2000);
	ck_assert_int_eq(sp->req.v[RES_MEM], 384 * MI);
	ck_assert_int_eq(sp->req.v[RES_PODS], 1);
	ck_assert_int_eq(sp->grace_ms, 5000);
	ck_assert_int_eq(sp->ready_delay_ms, 10000);
	ck_assert_str_eq(labels_get(&sp->node_selector, "disk"), "ssd");
	ck_assert_str_eq(labels_get(&sp->labels, "tier"), "front");
	ck_assert_uint_eq(sp->ntols, 2);
	ck_assert(sp->tols[0].exists);
	ck_assert_str_eq(sp->tols[0].key, "");
	ck_assert_int_eq(sp->tols[0].effect, EFFECT_ANY);
	ck_assert_int_eq(sp->tols[1].seconds, 30);
	/* the PriorityClass comes later in the file and still applies */
	ck_assert_int_eq(sp->priority, 1000);
	ck_assert_int_eq(db->kind, WL_STATEFULSET);
	ck_assert_int_eq(db->replicas, 1);
	ck_assert_str_eq(db->ns, "default");
	ck_assert_int_eq(nb->kind, WL_NOTEBOOK);
	ck_assert_str_eq(labels_get(&nb->spec->labels, "notebook-name"), "nb");
	ck_assert_int_eq(nb->spec->req.v[RES_MEM], 32 * GI);
	ck_assert_uint_eq(s->npdbs, 1);
	ck_assert_int_eq(s->pdbs[0]->min_available, 50);
	ck_assert_int_eq(s->pdbs[0]->pct, 1);
	ks_scenario_free(s);
}
END_TEST

START_TEST(scenario_kind)
{
	struct ks_scenario *s = load1(
	    "apiVersion: ksim/v1alpha1\n"
	    "kind: Scenario\n"
	    "metadata: {name: demo}\n"
	    "spec:\n"
	    "  duration: 30m\n"
	    "  seed: 7\n"
	    "  region: us-west-2\n"
	    "  scheduler: {scoring: MostAllocated}\n"
	    "  timing: {imagePull: 20s, containerStart: 2s, images: {\"jupyter:v1\": 3m}}\n"
	    "  nodes:\n"
	    "  - {instanceType: m5.4xlarge, count: 2, zone: us-west-2b}\n"
	    "  - {instanceType: m5.large, capacityType: spot, maxPods: 20, labels: {pool: a}}\n"
	    "  timeline:\n"
	    "  - at: 10m\n"
	    "    scale: {kind: Deployment, name: web, replicas: 0}\n"
	    "  - at: 1m\n"
	    "    create:\n"
	    "      apiVersion: v1\n"
	    "      kind: Pod\n"
	    "      metadata: {name: late}\n"
	    "      spec: {containers: [{name: a, image: x}]}\n"
	    "  - at: 10m\n"
	    "    delete: {kind: Pod, name: late}\n"
	    "---\n"
	    "apiVersion: apps/v1\n"
	    "kind: Deployment\n"
	    "metadata: {name: web}\n"
	    "spec:\n"
	    "  selector: {matchLabels: {app: web}}\n"
	    "  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: w, image: nginx}]}}\n");

	ck_assert(s->has_scenario);
	ck_assert_str_eq(s->name, "demo");
	ck_assert_int_eq(s->duration_ms, 30 * 60 * 1000);
	ck_assert_uint_eq(s->seed, 7);
	ck_assert_str_eq(s->region, "us-west-2");
	ck_assert_int_eq(s->most_allocated, 1);
	ck_assert_int_eq(s->timing.pull_ms, 20000);
	ck_assert_int_eq(s->timing.start_ms, 2000);
	ck_assert_uint_eq(s->timing.nimg, 1);
	ck_assert_str_eq(s->timing.img_names[0], "jupyter:v1");
	ck_assert_int_eq(s->timing.img_ms[0], 180000);
	ck_assert_uint_eq(s->nsnodes, 2);
	ck_assert_str_eq(s->snodes[0].itype, "m5.4xlarge");
	ck_assert_int_eq(s->snodes[0].count, 2);
	ck_assert_str_eq(s->snodes[0].zone, "us-west-2b");
	ck_assert_int_eq(s->snodes[1].count, 1);
	ck_assert_int_eq(s->snodes[1].spot, 1);
	ck_assert_int_eq(s->snodes[1].max_pods, 20);
	ck_assert_ptr_null(s->snodes[1].zone);
	/* the timeline is sorted by time, stable in file order */
	ck_assert_uint_eq(s->nactions, 3);
	ck_assert_int_eq(s->actions[0].at_ms, 60000);
	ck_assert_int_eq(s->actions[0].type, ACT_CREATE);
	ck_assert_str_eq(s->actions[0].wl->name, "late");
	ck_assert_int_eq(s->actions[1].type, ACT_SCALE);
	ck_assert_int_eq(s->actions[1].replicas, 0);
	ck_assert_int_eq(s->actions[2].type, ACT_DELETE);
	ck_assert_str_eq(s->actions[2].kind, "Pod");
	ck_assert_uint_eq(s->nwls, 1);
	ks_scenario_free(s);
}
END_TEST

START_TEST(json_input)
{
	const char *f = tu_write_in(dir, "in.json",
	    "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n"
	    "\t{\"apiVersion\": \"v1\", \"kind\": \"Node\",\n"
	    "\t \"metadata\": {\"name\": \"j1\", \"labels\": {\"kubernetes.io/hostname\": \"j1\"}},\n"
	    "\t \"status\": {\"allocatable\": {\"cpu\": \"1930m\", \"memory\": \"3217992Ki\", \"pods\": \"29\"}}},\n"
	    "\t{\"apiVersion\": \"v1\", \"kind\": \"Pod\",\n"
	    "\t \"metadata\": {\"name\": \"p\", \"namespace\": \"x\"},\n"
	    "\t \"spec\": {\"nodeName\": \"j1\", \"containers\": [{\"name\": \"c\", \"image\": \"i\",\n"
	    "\t   \"resources\": {\"requests\": {\"cpu\": \"100m\"}}}]},\n"
	    "\t \"status\": {\"phase\": \"Running\"}}\n"
	    "]}\n");
	struct ks_scenario *s = load_ok(&f, 1);

	ck_assert_uint_eq(s->nnodes, 1);
	ck_assert_int_eq(s->nodes[0]->alloc.v[RES_CPU], 1930);
	ck_assert_int_eq(s->nodes[0]->alloc.v[RES_MEM], 3217992LL * 1024);
	ck_assert_uint_eq(s->npods, 1);
	ck_assert_str_eq(s->pods[0]->node_name, "j1");
	ck_assert_int_eq(s->pods[0]->running, 1);
	ck_assert_str_eq(s->pods[0]->ns, "x");
	ck_assert_int_eq(s->pods[0]->spec->req.v[RES_CPU], 100);
	ks_scenario_free(s);
}
END_TEST

START_TEST(upstream_dumps)
{
	const char *files[3] = { dump("kubescape-eks-karpenter-node.json"),
	    dump("kubescape-kind-daemonset-pod.json"), dump("popeye-kind-node-list.yaml") };
	struct ks_scenario *s;
	const struct node_def *eks = NULL;
	const struct wl_def *pod;

	s = load_ok(files, 3);
	ck_assert_uint_ge(s->nnodes, 2);
	for (size_t i = 0; i < s->nnodes; i++)
		if (strcmp(s->nodes[i]->name, "ip-1-1-1-1.eu-west-1.compute.internal") == 0)
			eks = s->nodes[i];
	ck_assert_ptr_nonnull(eks);
	/* allocatable as the kubelet reported it; hugepages-* are skipped silently */
	ck_assert_int_eq(eks->alloc.v[RES_CPU], 1930);
	ck_assert_int_eq(eks->alloc.v[RES_MEM], 3217992LL * 1024);
	ck_assert_int_eq(eks->alloc.v[RES_PODS], 29);
	ck_assert_int_eq(eks->cap.v[RES_CPU], 2000);
	ck_assert_str_eq(eks->zone, "eu-west-1b");	/* from the beta zone label */
	ck_assert_uint_eq(eks->ntaints, 1);
	ck_assert_str_eq(eks->taints[0].key, "dedicated");
	ck_assert_str_eq(eks->taints[0].val, "test123");
	ck_assert_uint_eq(s->npods, 1);
	pod = s->pods[0];
	ck_assert_str_eq(pod->ns, "kubescape");
	ck_assert_str_eq(pod->node_name, "kind-control-plane");
	ck_assert_int_eq(pod->running, 1);
	ck_assert_int_eq(pod->owner_kind, WL_DAEMONSET);
	ck_assert_str_eq(pod->owner_name, "node-agent");
	ck_assert_int_eq(pod->spec->ctrs[0].req.v[RES_CPU], 100);
	ck_assert_int_eq(pod->spec->ctrs[0].req.v[RES_MEM], 180 * MI);
	ks_scenario_free(s);
}
END_TEST

/* tests/cases/snapshot-adopted-pods.yaml; its expect: block says the pods
 * run from time 0 and none is added */
START_TEST(snapshot_pods_bound_and_owned)
{
	const char *f = tu_scenario("../tests/cases/snapshot-adopted-pods.yaml");
	json_t *j = tu_run_files_ok(&f, 1), *pods = json_object_get(j, "pods"), *p;
	const char *names[2] = { "web-5d4f8c7b9-abcde", "web-5d4f8c7b9-fghij" };

	/* the Deployment adopts both pods and creates none; the finished pod is skipped */
	ck_assert_uint_eq(json_array_size(pods), 2);
	for (int i = 0; i < 2; i++) {
		p = tu_named(pods, names[i]);
		ck_assert_ptr_nonnull(p);
		ck_assert_str_eq(json_string_value(json_object_get(p, "node")), "n2");
		ck_assert_str_eq(json_string_value(json_object_get(p, "workload")), "Deployment/web");
		ck_assert_str_eq(json_string_value(json_object_get(p, "phase")), "Running");
		ck_assert_int_eq(json_integer_value(json_object_get(p, "scheduled_at_ms")), 0);
		ck_assert_int_eq(json_integer_value(json_object_get(p, "running_at_ms")), 0);
		ck_assert_int_eq(json_integer_value(json_object_get(p, "cpu_m")), 1000);
	}
	json_decref(j);
}
END_TEST

/* tests/cases/snapshot-pod-on-missing-node.yaml */
START_TEST(snapshot_pod_on_missing_node)
{
	const char *f = tu_scenario("../tests/cases/snapshot-pod-on-missing-node.yaml");
	json_t *j = tu_run_files_ok(&f, 1), *p;

	/* a warning, then the scheduler places it like any pending pod */
	p = tu_named(json_object_get(j, "pods"), "stray");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(json_string_value(json_object_get(p, "node")), "n1");
	ck_assert(json_is_null(json_object_get(p, "workload")));
	json_decref(j);
}
END_TEST

START_TEST(many_files_one_scenario)
{
	const char *files[2];
	struct ks_scenario *s;

	files[0] = tu_write_in(dir, "nodes.yaml", NODES_LIST);
	files[1] = tu_write_in(dir, "pods.yaml",
	    "---\n"
	    "# an empty document, then a pod\n"
	    "---\n"
	    "apiVersion: v1\n"
	    "kind: Pod\n"
	    "metadata: {name: p}\n"
	    "spec: {containers: [{name: c, image: x}]}\n"
	    "---\n"
	    "apiVersion: v1\n"
	    "kind: Service\n"
	    "metadata: {name: svc}\n"
	    "spec: {ports: [{port: 80}]}\n");
	s = load_ok(files, 2);
	ck_assert_uint_eq(s->nnodes, 2);
	ck_assert_uint_eq(s->npods, 1);
	ck_assert_uint_eq(s->nstreams, 2);
	/* the name comes from the first file when no Scenario gives one */
	ck_assert_str_eq(s->name, "nodes");
	ck_assert_str_eq(s->pods[0]->mark.file, files[1]);
	ck_assert_int_eq(s->pods[0]->mark.line, 4);
	ks_scenario_free(s);
}
END_TEST

/* ---- limits ---- */

START_TEST(many_documents)
{
	size_t len = 0, cap = 1 << 20;
	char *buf = xmalloc(cap);
	struct ks_scenario *s;

	for (int i = 0; i < 2000; i++)
		len += (size_t)snprintf(buf + len, cap - len,
		    "---\napiVersion: v1\nkind: Node\nmetadata: {name: node-%d}\n"
		    "status: {allocatable: {cpu: \"2\", memory: 8Gi, pods: \"110\"}}\n", i);
	s = load1(buf);
	free(buf);
	ck_assert_uint_eq(s->nnodes, 2000);
	ck_assert_str_eq(s->nodes[1999]->name, "node-1999");
	ck_assert_int_eq(s->nodes[1999]->mark.line, 1999 * 5 + 2);
	ks_scenario_free(s);
}
END_TEST

START_TEST(empty_file)
{
	struct ks_scenario *s = load1("");

	ck_assert_uint_eq(s->nnodes, 0);
	ck_assert_uint_eq(s->nwls, 0);
	ck_assert_uint_eq(s->ndocs, 0);
	ks_scenario_free(s);
}
END_TEST

/* spec.limits: each bound holds exactly at the limit, one more fails, and
 * raising the limit lets it load. */
START_TEST(scenario_limits)
{
	static const char dep[] =
	    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
	    "  replicas: 3\n  selector: {matchLabels: {app: web}}\n"
	    "  template:\n    metadata: {labels: {app: web}}\n"
	    "    spec: {containers: [{name: web, image: nginx}]}\n";
	char buf[1024];
	struct ks_scenario *s;

	s = load1("apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec:\n"
	    "  duration: 720h\n");
	ck_assert(s->limits.max_pods == KS_DEFAULT_MAX_PODS);
	ck_assert(s->limits.max_duration_ms == 720LL * 3600 * 1000);
	ck_assert(s->limits.max_labels == KS_DEFAULT_MAX_LABELS);
	ks_scenario_free(s);
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec:\n"
	    "  duration: 721h\n", KS_EINVAL, 5, 13, "duration 721h0m0s is longer than "
	    "spec.limits.maxDuration (720h0m0s): raise the limit to simulate longer");
	s = load1("apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec:\n"
	    "  duration: 8000h\n  limits: {maxDuration: 8760h}\n");
	ck_assert(s->duration_ms == 8000LL * 3600 * 1000);
	ks_scenario_free(s);
	snprintf(buf, sizeof(buf), "apiVersion: ksim/v1alpha1\nkind: Scenario\n"
	    "metadata: {name: s}\nspec:\n  limits: {maxPods: 3, maxLabels: 1}\n%s", dep);
	s = load1(buf);
	ck_assert_int_eq(s->wls[0]->replicas, 3);
	ks_scenario_free(s);
	snprintf(buf, sizeof(buf), "apiVersion: ksim/v1alpha1\nkind: Scenario\n"
	    "metadata: {name: s}\nspec:\n  limits: {maxPods: 2}\n%s", dep);
	load_fails(buf, KS_EINVAL, 11, 13, "the scenario declares 3 pods, more than "
	    "spec.limits.maxPods (2)");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec:\n"
	    "  limits: {maxPods: 0}\n", KS_EINVAL, 5, 21,
	    "maxPods must be between 1 and 100000000, found 0");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec:\n"
	    "  limits: {maxDuration: 87601h}\n", KS_EINVAL, 5, 25,
	    "maxDuration must be positive and at most 87600h (10 years), found \"87601h\"");
}
END_TEST

START_TEST(static_node_count_bounds)
{
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nspec:\n"
	    "  nodes: [{instanceType: m5.large, count: 100001}]\n",
	    KS_EINVAL, 4, 43, "count must be between 0 and 100000, found 100001");
}
END_TEST

/* ---- errors ---- */

START_TEST(unknown_kind_warns)
{
	char wbuf[1024] = "";
	FILE *w = fmemopen(wbuf, sizeof(wbuf) - 1, "w");
	unsigned long before = ks_warn_count;
	struct ks_scenario *s;
	char want[512], f[256];

	ks_warn_stream = w;
	s = load1("apiVersion: v1\nkind: Node\nmetadata: {name: n}\n"
	    "status: {allocatable: {cpu: \"1\"}}\n"
	    "---\n"
	    "apiVersion: example.com/v1\nkind: Frobnicator\nmetadata: {name: f}\n");
	fclose(w);
	ks_warn_stream = NULL;
	snprintf(f, sizeof(f), "%s/in.yaml", dir);
	snprintf(want, sizeof(want),
	    "ksim: %s:6:1: warning: unknown kind \"Frobnicator\" (apiVersion \"example.com/v1\") skipped\n",
	    f);
	ck_assert_str_eq(wbuf, want);
	ck_assert_uint_eq(ks_warn_count, before + 1);
	ck_assert_uint_eq(s->nnodes, 1);
	/* the unknown document is not kept for controllers either */
	for (size_t i = 0; i < s->ndocs; i++)
		ck_assert_str_ne(s->docs[i]->kind, "Frobnicator");
	ks_scenario_free(s);
}
END_TEST

START_TEST(scenario_unknown_fields)
{
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\n"
	    "spec:\n  duration: 10m\n  durtion: 20m\n",
	    KS_EINVAL, 6, 3, "unknown field \"durtion\" in the Scenario's spec: expected one of duration, ");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nspce: {}\n",
	    KS_EINVAL, 3, 1, "unknown field \"spce\" in the Scenario: expected one of apiVersion, kind, "
	    "metadata, spec");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nspec:\n  nodes:\n"
	    "  - instanceType: m5.large\n    instanceTypes: [m5.xlarge]\n",
	    KS_EINVAL, 6, 5, "unknown field \"instanceTypes\" in spec.nodes[]: expected one of "
	    "instanceType, count, zone, capacityType, namePrefix, labels, taints, maxPods");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nspec:\n  timing: {imagepull: 1s}\n",
	    KS_EINVAL, 4, 12, "unknown field \"imagepull\" in spec.timing");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nspec:\n  timeline:\n"
	    "  - {at: 1m, scale: {kind: Deployment, name: w, replica: 2}}\n",
	    KS_EINVAL, 5, 49, "unknown field \"replica\" in a scale action");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nspec:\n  scheduler: {scoring: Most}\n",
	    KS_EINVAL, 4, 24, "expected scoring LeastAllocated or MostAllocated, found \"Most\"");
}
END_TEST

START_TEST(scenario_bad_values)
{
	load_fails("apiVersion: ksim/v1alpha2\nkind: Scenario\n",
	    KS_EINVAL, 1, 13, "unsupported apiVersion \"ksim/v1alpha2\": expected ksim/v1alpha1");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nspec: {duration: 1d}\n",
	    KS_EINVAL, 3, 18, "unknown unit \"d\" in duration \"1d\"");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nspec: {duration: 0s}\n",
	    KS_EINVAL, 3, 18, "duration must be positive, found \"0s\"");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nspec: {region: mars-1}\n",
	    KS_EINVAL, 3, 16, "unknown region \"mars-1\": the catalog has no prices for it");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nspec:\n"
	    "  nodes: [{instanceType: m5.4xlarg}]\n",
	    KS_EINVAL, 4, 26, "unknown instance type \"m5.4xlarg\": not in the catalog");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nspec:\n"
	    "  nodes: [{instanceType: m5.large, capacityType: reserved}]\n",
	    KS_EINVAL, 4, 50, "expected capacityType spot or on-demand, found \"reserved\"");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\n---\n"
	    "apiVersion: ksim/v1alpha1\nkind: Scenario\n",
	    KS_EINVAL, 4, 1, "a second Scenario document (the first is at ");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nspec:\n  timeline:\n"
	    "  - {at: 1m, scale: {kind: Deployment, name: w, replicas: 2}, delete: {kind: Pod, name: p}}\n",
	    KS_EINVAL, 5, 5, "expected exactly one of create, delete or scale in the timeline entry, found 2");
	load_fails("apiVersion: ksim/v1alpha1\nkind: Scenario\nspec:\n  timeline:\n"
	    "  - {scale: {kind: Deployment, name: w, replicas: 2}}\n",
	    KS_EINVAL, 5, 5, "expected \"at\" (a duration such as \"90s\") in the timeline entry");
}
END_TEST

START_TEST(object_errors)
{
	load_fails("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
	    "  - name: app\n    resources: {requests: {cpu: 100m, memory: \"12Qi\"}}\n",
	    KS_EINVAL, 7, 47, "invalid quantity \"12Qi\"");
	load_fails("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
	    "  - name: app\n    resources: {requests: {cpu: \"-1\"}}\n",
	    KS_EINVAL, 7, 33, "quantity \"-1\" must not be negative");
	load_fails("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n"
	    "  - name: app\n    resources: {requests: {cpu: \"2\"}, limits: {cpu: \"1\"}}\n",
	    KS_EINVAL, 7, 33, "cpu request of container \"app\" must be less than or equal to its limit");
	load_fails("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
	    "  replicas: three\n  template: {spec: {containers: [{name: a, image: x}]}}\n",
	    KS_EINVAL, 5, 13, "expected an integer, found \"three\"");
	load_fails("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
	    "  replicas: -2\n  template: {spec: {containers: [{name: a, image: x}]}}\n",
	    KS_EINVAL, 5, 13, "replicas must not be negative, found -2");
	load_fails("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n",
	    KS_EINVAL, 4, 7, "expected spec.template in Deployment web, found none");
	load_fails("apiVersion: v1\nkind: Pod\nspec: {containers: []}\n",
	    KS_EINVAL, 1, 1, "expected metadata.name, found no metadata");
	load_fails("apiVersion: v1\nmetadata: {name: x}\n",
	    KS_EINVAL, 1, 1, "expected a Kubernetes object with apiVersion and kind, found no kind");
	load_fails("apiVersion: v1\nkind: Node\nmetadata: {name: g}\nspec:\n  taints:\n"
	    "  - {key: k, effect: NoSchedul}\n",
	    KS_EINVAL, 6, 22, "unknown taint effect \"NoSchedul\"");
	load_fails("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
	    "  tolerations: [{key: k, operator: Equals}]\n  containers: [{name: a, image: x}]\n",
	    KS_EINVAL, 5, 36, "unknown toleration operator \"Equals\": expected Equal or Exists");
	load_fails("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
	    "  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms:\n"
	    "    [{matchExpressions: [{key: gen, operator: Gt, values: [\"x\"]}]}]}}}\n"
	    "  containers: [{name: a, image: x}]\n",
	    KS_EINVAL, 6, 60, "operator Gt on \"gen\" needs an integer, found \"x\"");
	/* a pod affinity term or a spread constraint whose selector fails
	 * after a first requirement: the partial selector is freed (ASan) */
	load_fails("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
	    "  containers: [{name: a, image: x}]\n"
	    "  affinity: {podAffinity: {requiredDuringSchedulingIgnoredDuringExecution:\n"
	    "    [{labelSelector: {matchLabels: {a: b}, matchExpressions: [{key: c, operator: Bad}]}}]}}\n",
	    KS_EINVAL, 7, 82, "unknown operator \"Bad\"");
	load_fails("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
	    "  containers: [{name: a, image: x}]\n"
	    "  topologySpreadConstraints: [{topologyKey: zone, labelSelector:\n"
	    "    {matchLabels: {a: b}, matchExpressions: [{key: c, operator: Bad}]}}]\n",
	    KS_EINVAL, 7, 65, "unknown operator \"Bad\"");
	/* the first requirement is kept when the second fails: no leak (ASan) */
	load_fails("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
	    "  affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms:\n"
	    "    [{matchExpressions: [{key: a, operator: Exists}, {key: b, operator: Lt, values: [\"1\", \"2\"]}]}]}}}\n"
	    "  containers: [{name: a, image: x}]\n",
	    KS_EINVAL, 6, 54, "operator Lt on \"b\" needs exactly one value, found 2");
	load_fails("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
	    "  topologySpreadConstraints: [{maxSkew: 0, topologyKey: zone}]\n  containers: [{name: a, image: x}]\n",
	    KS_EINVAL, 5, 41, "maxSkew must be greater than zero, found 0");
	load_fails("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: {name: a}\n"
	    "- apiVersion: v1\n  kind: Node\n  metadata: {name: a}\n",
	    KS_EINVAL, 9, 20, "duplicate Node a (first at ");
	load_fails("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [1, 2\n",
	    KS_EINVAL, 6, 1, "did not find expected ',' or ']'");
}
END_TEST

START_TEST(missing_file)
{
	const char *f = "/nonexistent/ksim/none.yaml";
	struct ks_scenario *s = (struct ks_scenario *)1;
	struct ks_error err = { 0 };
	int rc = ks_scenario_load(&f, 1, NULL, 0, cat, &s, &err);

	ck_assert_int_lt(rc, 0);
	ck_assert_int_eq(rc, err.code);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(err.at.line, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "cannot open"));
}
END_TEST

Suite *
load_suite(void)
{
	Suite *s = suite_create("load");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, list_of_nodes);
	tcase_add_test(tc, workloads_and_podspec);
	tcase_add_test(tc, scenario_kind);
	tcase_add_test(tc, json_input);
	if (access(dump(""), R_OK) == 0)
		tcase_add_test(tc, upstream_dumps);
	else
		fprintf(stderr, "SKIP: upstream_dumps: %s not present\n", dump(""));
	tcase_add_test(tc, snapshot_pods_bound_and_owned);
	tcase_add_test(tc, snapshot_pod_on_missing_node);
	tcase_add_test(tc, many_files_one_scenario);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, many_documents);
	tcase_add_test(tc, empty_file);
	tcase_add_test(tc, static_node_count_bounds);
	tcase_add_test(tc, scenario_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, unknown_kind_warns);
	tcase_add_test(tc, scenario_unknown_fields);
	tcase_add_test(tc, scenario_bad_values);
	tcase_add_test(tc, object_errors);
	tcase_add_test(tc, missing_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_main(load_suite());
}
