/*
 * check_sched.c: kube-scheduler's filters, scores and FailedScheduling
 * text (cluster/sched.c), and the controllers around it (cluster/cluster.c).
 *
 * Every test builds its cluster in code: nodes with an allocatable vector
 * and labels, pods with a podspec, then runs the engine.  The reason texts
 * are checked byte for byte against what kube-scheduler prints: the
 * histogram "<count> <reason>" entries sorted with Go's sort.Strings
 * (framework/types.go FitError.Error), then the preemption post-filter's
 * own "0/N nodes are available: ..." followed by a second period.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "cluster/sched.h"
#include "sim/engine.h"
#include "testutil.h"
#include "util/intern.h"
#include "util/xmalloc.h"

Suite *sched_suite(void);

#define GI	(1024LL * 1024 * 1024)
#define MI	(1024LL * 1024)

static struct sim	 S;
static struct ks_cluster C;

static void
setup(void)
{
	sim_init(&S, 3600 * 1000);
	cluster_init(&C, &S, 1);
	sched_attach(&C, NULL);
}

static void
teardown(void)
{
	cluster_free(&C);
	sim_free(&S);
}

static struct ks_node *
mknode(const char *name, int64_t cpu_m, int64_t mem_b, int64_t pods, const char *zone)
{
	struct ks_node *n = cluster_node_new(&C, name);

	n->alloc.v[RES_CPU] = cpu_m;
	n->alloc.v[RES_MEM] = mem_b;
	n->alloc.v[RES_PODS] = pods;
	n->alloc.v[RES_EPH] = 20 * GI;
	n->cap = n->alloc;
	labels_set(&n->labels, "kubernetes.io/hostname", name);
	if (zone != NULL) {
		labels_set(&n->labels, "topology.kubernetes.io/zone", zone);
		n->zone = intern(zone);
	}
	return n;
}

static void
spec_init(struct ks_podspec *s, int64_t cpu_m, int64_t mem_b)
{
	memset(s, 0, sizeof(*s));
	s->ctrs = xcalloc(1, sizeof(*s->ctrs));
	s->nctrs = 1;
	s->ctrs[0].name = intern("app");
	s->ctrs[0].image = intern("");
	s->ctrs[0].req.v[RES_CPU] = cpu_m;
	s->ctrs[0].req.v[RES_MEM] = mem_b;
	s->grace_ms = 30000;
	s->has_requests = cpu_m != 0 || mem_b != 0;
	podspec_effective(s, NULL, &s->req);
}

/* A bare pod: the cluster owns (and frees) its spec. */
static struct ks_podspec *
mkspec(int64_t cpu_m, int64_t mem_b)
{
	struct ks_podspec *s = xcalloc(1, sizeof(*s));

	spec_init(s, cpu_m, mem_b);
	return s;
}

static struct ks_pod *
mkpod(const char *name, struct ks_podspec *s)
{
	podspec_effective(s, NULL, &s->req);
	return cluster_pod_new(&C, NULL, s, "default", name);
}

static struct ks_workload *
mkwl(enum wl_kind kind, const char *name, int32_t replicas, int64_t cpu_m, int64_t mem_b)
{
	struct ks_workload *w = cluster_workload_new(&C, kind, "default", name);

	spec_init(&w->spec, cpu_m, mem_b);
	labels_set(&w->spec.labels, "app", name);
	w->replicas = replicas;
	if (kind == WL_DAEMONSET)
		w->spec.is_daemon = 1;
	return w;
}

static void
run_until(int64_t t)
{
	S.end_ms = t;
	sim_run(&S);
}

static const char *
node_of(const struct ks_pod *p)
{
	return p->node >= 0 ? C.nodes[p->node]->name : "(none)";
}

/* Number of events of a type recorded for an object. */
static int
count_events(const char *type, const char *object)
{
	int n = 0;

	for (size_t i = 0; i < C.nevents; i++)
		if (strcmp(C.events[i].type, type) == 0 &&
		    (object == NULL || strcmp(C.events[i].object, object) == 0))
			n++;
	return n;
}

static const char *
last_event_msg(const char *type, const char *object)
{
	for (size_t i = C.nevents; i-- > 0;)
		if (strcmp(C.events[i].type, type) == 0 && strcmp(C.events[i].object, object) == 0)
			return C.events[i].message;
	return NULL;
}

static int
pods_on(const struct ks_node *n)
{
	return (int)n->npods;
}

/* ---- core: resources and the reason text ---- */

START_TEST(insufficient_cpu_and_memory)
{
	struct ks_pod *p;
	const char *want =
	    "0/3 nodes are available: 1 Insufficient memory, 2 Insufficient cpu. "
	    "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..";

	/* a, b: 2 cpu, 8Gi (cpu short for 3 cpu); c: 4 cpu, 2Gi (memory short for 4Gi) */
	cluster_node_ready(&C, mknode("a", 2000, 8 * GI, 110, NULL));
	cluster_node_ready(&C, mknode("b", 2000, 8 * GI, 110, NULL));
	cluster_node_ready(&C, mknode("c", 4000, 2 * GI, 110, NULL));
	p = mkpod("big", mkspec(3000, 4 * GI));
	run_until(10000);
	ck_assert_int_eq(p->phase, POD_PENDING);
	ck_assert_int_eq(p->node, -1);
	ck_assert_str_eq(p->reason, want);
	ck_assert_str_eq(last_event_msg("FailedScheduling", "pod/default/big"), want);
	ck_assert_int_eq(p->unsched_since, 0);
}
END_TEST

START_TEST(fits_exactly)
{
	struct ks_pod *p;

	/* requests equal to allocatable fit (the check is need > free) */
	cluster_node_ready(&C, mknode("a", 2000, 8 * GI, 110, NULL));
	p = mkpod("exact", mkspec(2000, 8 * GI));
	run_until(10000);
	ck_assert_str_eq(node_of(p), "a");
	ck_assert_int_eq(p->scheduled_ms, 0);
	/* no image, containerStart 1 s: Running at 1 s */
	ck_assert_int_eq(p->phase, POD_RUNNING);
	ck_assert_int_eq(p->running_ms, 1000);
	ck_assert_int_eq(C.nodes[0]->used.v[RES_CPU], 2000);
	ck_assert_int_eq(C.nodes[0]->used.v[RES_PODS], 1);
}
END_TEST

START_TEST(too_many_pods)
{
	struct ks_pod *p[3];
	const char *want =
	    "0/1 nodes are available: 1 Too many pods. "
	    "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..";

	cluster_node_ready(&C, mknode("a", 4000, 8 * GI, 2, NULL));
	p[0] = mkpod("p0", mkspec(100, 0));
	p[1] = mkpod("p1", mkspec(100, 0));
	p[2] = mkpod("p2", mkspec(100, 0));
	run_until(10000);
	ck_assert_str_eq(node_of(p[0]), "a");
	ck_assert_str_eq(node_of(p[1]), "a");
	ck_assert_str_eq(p[2]->reason, want);
}
END_TEST

START_TEST(gpu)
{
	struct ks_node *g;
	struct ks_podspec *s1 = mkspec(1000, GI), *s2 = mkspec(1000, GI), *s3 = mkspec(1000, GI);
	struct ks_pod *p1, *p2, *p3;
	const char *want =
	    "0/2 nodes are available: 2 Insufficient nvidia.com/gpu. "
	    "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod..";

	cluster_node_ready(&C, mknode("cpu", 8000, 32 * GI, 110, NULL));
	g = mknode("gpu", 8000, 32 * GI, 110, NULL);
	g->alloc.v[RES_GPU] = 1;
	cluster_node_ready(&C, g);
	s1->ctrs[0].req.v[RES_GPU] = 1;
	s2->ctrs[0].req.v[RES_GPU] = 1;
	p1 = mkpod("train-1", s1);
	p2 = mkpod("train-2", s2);
	p3 = mkpod("web", s3);
	run_until(10000);
	ck_assert_str_eq(node_of(p1), "gpu");
	/* the one GPU is taken: both nodes are short of it */
	ck_assert_ptr_nonnull(p2->reason);
	ck_assert_str_eq(p2->reason, want);
	ck_assert_int_ne(p3->node, -1);
}
END_TEST

START_TEST(histogram_sorted_as_go)
{
	struct sched_hist h = { .n = 0 };
	char buf[512];

	/* sort.Strings compares bytes: "10 ..." < "2 ..." and "1 node" < "1 Too"? no: 'T' < 'n' */
	for (int i = 0; i < 10; i++)
		sched_hist_add(&h, "Insufficient cpu");
	sched_hist_add(&h, "Too many pods");
	sched_hist_add(&h, "Too many pods");
	sched_hist_add(&h, "node(s) were unschedulable");
	sched_hist_add(&h, "Insufficient memory");
	sched_hist_format(&h, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1 Insufficient memory, 1 node(s) were unschedulable, "
	    "10 Insufficient cpu, 2 Too many pods");
}
END_TEST

/* ---- core: node selection ---- */

START_TEST(node_selector_and_affinity)
{
	struct ks_podspec *sel = mkspec(100, 0), *in = mkspec(100, 0), *notin = mkspec(100, 0);
	struct ks_podspec *ex = mkspec(100, 0), *gt = mkspec(100, 0), *none = mkspec(100, 0);
	struct ks_node *a = mknode("a", 4000, 8 * GI, 110, "z1");
	struct ks_node *b = mknode("b", 4000, 8 * GI, 110, "z2");
	struct ks_node *c = mknode("c", 4000, 8 * GI, 110, "z3");
	const char *vals[2];
	struct ks_req r;
	struct ks_pod *p[6];

	labels_set(&a->labels, "disk", "ssd");
	labels_set(&b->labels, "gen", "5");
	labels_set(&c->labels, "gen", "7");
	labels_set(&c->labels, "gpu", "true");
	cluster_node_ready(&C, a);
	cluster_node_ready(&C, b);
	cluster_node_ready(&C, c);

	labels_set(&sel->node_selector, "disk", "ssd");			/* -> a */

	vals[0] = intern("z2");
	r = (struct ks_req){ intern("topology.kubernetes.io/zone"), OP_IN, vals, 1, 0 };
	in->affinity = xcalloc(1, sizeof(*in->affinity));
	in->naffinity = 1;
	selector_add(&in->affinity[0], &r);				/* -> b */

	vals[0] = intern("z1");
	vals[1] = intern("z2");
	r = (struct ks_req){ intern("topology.kubernetes.io/zone"), OP_NOTIN, vals, 2, 0 };
	notin->affinity = xcalloc(1, sizeof(*notin->affinity));
	notin->naffinity = 1;
	selector_add(&notin->affinity[0], &r);				/* -> c */

	r = (struct ks_req){ intern("gpu"), OP_EXISTS, NULL, 0, 0 };
	ex->affinity = xcalloc(1, sizeof(*ex->affinity));
	ex->naffinity = 1;
	selector_add(&ex->affinity[0], &r);				/* -> c */

	vals[0] = intern("6");
	r = (struct ks_req){ intern("gen"), OP_GT, vals, 1, 6 };
	gt->affinity = xcalloc(1, sizeof(*gt->affinity));
	gt->naffinity = 1;
	selector_add(&gt->affinity[0], &r);				/* gen 7 > 6 -> c */

	labels_set(&none->node_selector, "disk", "nvme");		/* nowhere */

	p[0] = mkpod("sel", sel);
	p[1] = mkpod("in", in);
	p[2] = mkpod("notin", notin);
	p[3] = mkpod("exists", ex);
	p[4] = mkpod("gt", gt);
	p[5] = mkpod("none", none);
	run_until(10000);
	ck_assert_str_eq(node_of(p[0]), "a");
	ck_assert_str_eq(node_of(p[1]), "b");
	ck_assert_str_eq(node_of(p[2]), "c");
	ck_assert_str_eq(node_of(p[3]), "c");
	ck_assert_str_eq(node_of(p[4]), "c");
	ck_assert_str_eq(p[5]->reason,
	    "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. "
	    "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..");
}
END_TEST

START_TEST(affinity_terms_are_ored)
{
	struct ks_podspec *s = mkspec(100, 0);
	struct ks_node *a = mknode("a", 4000, 8 * GI, 110, "z1");
	struct ks_node *b = mknode("b", 4000, 8 * GI, 110, "z2");
	const char *v1 = intern("nope"), *v2 = intern("z2");
	struct ks_req r1 = { intern("topology.kubernetes.io/zone"), OP_IN, &v1, 1, 0 };
	struct ks_req r2 = { intern("topology.kubernetes.io/zone"), OP_IN, &v2, 1, 0 };
	struct ks_pod *p;

	cluster_node_ready(&C, a);
	cluster_node_ready(&C, b);
	/* two nodeSelectorTerms: the first matches nothing, the second b */
	s->affinity = xcalloc(2, sizeof(*s->affinity));
	s->naffinity = 2;
	selector_add(&s->affinity[0], &r1);
	selector_add(&s->affinity[1], &r2);
	p = mkpod("p", s);
	run_until(10000);
	ck_assert_str_eq(node_of(p), "b");
}
END_TEST

START_TEST(taints_and_tolerations)
{
	struct ks_node *g = mknode("gpu", 8000, 32 * GI, 110, NULL);
	struct ks_taint t = { intern("dedicated"), intern("gpu"), EFFECT_NOSCHEDULE };
	struct ks_podspec *eq = mkspec(100, 0), *any = mkspec(100, 0), *wrong = mkspec(100, 0);
	struct ks_podspec *plain = mkspec(3000, 0);
	struct ks_pod *p[4];

	g->taints = xcalloc(1, sizeof(*g->taints));
	g->taints[0] = t;
	g->ntaints = 1;
	cluster_node_ready(&C, g);
	cluster_node_ready(&C, mknode("small-1", 2000, 8 * GI, 110, NULL));
	cluster_node_ready(&C, mknode("small-2", 2000, 8 * GI, 110, NULL));

	/* Equal dedicated=gpu:NoSchedule */
	eq->tols = xcalloc(1, sizeof(*eq->tols));
	eq->tols[0] = (struct ks_toleration){ intern("dedicated"), 0, intern("gpu"),
	    EFFECT_NOSCHEDULE, -1 };
	eq->ntols = 1;
	labels_set(&eq->node_selector, "kubernetes.io/hostname", "gpu");
	/* operator Exists with an empty key tolerates every taint */
	any->tols = xcalloc(1, sizeof(*any->tols));
	any->tols[0] = (struct ks_toleration){ intern(""), 1, intern(""), EFFECT_ANY, -1 };
	any->ntols = 1;
	labels_set(&any->node_selector, "kubernetes.io/hostname", "gpu");
	/* a toleration with the wrong value does not */
	wrong->tols = xcalloc(1, sizeof(*wrong->tols));
	wrong->tols[0] = (struct ks_toleration){ intern("dedicated"), 0, intern("cpu"),
	    EFFECT_ANY, -1 };
	wrong->ntols = 1;
	labels_set(&wrong->node_selector, "kubernetes.io/hostname", "gpu");

	p[0] = mkpod("eq", eq);
	p[1] = mkpod("any", any);
	p[2] = mkpod("wrong", wrong);
	p[3] = mkpod("plain", plain);
	run_until(10000);
	ck_assert_str_eq(node_of(p[0]), "gpu");
	ck_assert_str_eq(node_of(p[1]), "gpu");
	/* the node-selector fails first on small-*, the taint on gpu */
	ck_assert_str_eq(p[2]->reason,
	    "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, "
	    "2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are "
	    "available: 3 Preemption is not helpful for scheduling..");
	ck_assert_str_eq(p[3]->reason,
	    "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, "
	    "2 Insufficient cpu. preemption: 0/3 nodes are available: "
	    "1 Preemption is not helpful for scheduling, "
	    "2 No preemption victims found for incoming pod..");
}
END_TEST

START_TEST(taint_matching_rules)
{
	struct ks_taint ns = { intern("k"), intern("v"), EFFECT_NOSCHEDULE };
	struct ks_taint ne = { intern("k"), intern("v"), EFFECT_NOEXECUTE };
	struct ks_taint pns = { intern("k"), intern("v"), EFFECT_PREFERNOSCHEDULE };
	struct ks_toleration exists_k = { intern("k"), 1, intern(""), EFFECT_ANY, -1 };
	struct ks_toleration eq_ns = { intern("k"), 0, intern("v"), EFFECT_NOSCHEDULE, -1 };
	struct ks_toleration all = { intern(""), 1, intern(""), EFFECT_ANY, -1 };
	struct ks_toleration all_ne = { intern(""), 1, intern(""), EFFECT_NOEXECUTE, -1 };
	struct ks_taint both[2];

	ck_assert(toleration_tolerates(&exists_k, &ns));
	ck_assert(toleration_tolerates(&exists_k, &ne));
	ck_assert(toleration_tolerates(&eq_ns, &ns));
	ck_assert(!toleration_tolerates(&eq_ns, &ne));		/* effect must match */
	ck_assert(toleration_tolerates(&all, &ne));
	ck_assert(toleration_tolerates(&all_ne, &ne));
	ck_assert(!toleration_tolerates(&all_ne, &ns));
	/* PreferNoSchedule never blocks; it only counts for scoring */
	ck_assert_ptr_null(taints_untolerated(&pns, 1, NULL, 0));
	ck_assert_int_eq(taints_prefer_count(&pns, 1, NULL, 0), 1);
	ck_assert_int_eq(taints_prefer_count(&pns, 1, &all, 1), 0);
	both[0] = pns;
	both[1] = ne;
	ck_assert_ptr_eq(taints_untolerated(both, 2, &eq_ns, 1), &both[1]);
	ck_assert_ptr_null(taints_untolerated(both, 2, &all_ne, 1));
}
END_TEST

START_TEST(prefer_no_schedule_scoring)
{
	struct ks_node *t = mknode("tainted", 4000, 16 * GI, 110, NULL);
	struct ks_node *u = mknode("clean", 4000, 16 * GI, 110, NULL);
	struct ks_pod *p[4];

	t->taints = xcalloc(1, sizeof(*t->taints));
	t->taints[0] = (struct ks_taint){ intern("spot"), intern(""), EFFECT_PREFERNOSCHEDULE };
	t->ntaints = 1;
	cluster_node_ready(&C, t);
	cluster_node_ready(&C, u);
	/*
	 * TaintToleration x3 gives clean 300 and tainted 0; the other scores
	 * (fit + balanced) differ by at most 200, so all four go to clean
	 * even as it fills (4 x 500m of 4 cpu).
	 */
	for (int i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "p%d", i);
		p[i] = mkpod(name, mkspec(500, 2 * GI));
	}
	run_until(10000);
	for (int i = 0; i < 4; i++)
		ck_assert_str_eq(node_of(p[i]), "clean");
	ck_assert_int_eq(pods_on(t), 0);
}
END_TEST

START_TEST(unschedulable_node)
{
	struct ks_node *a = mknode("a", 4000, 8 * GI, 110, NULL);
	struct ks_pod *p, *q;
	struct ks_podspec *tol = mkspec(100, 0);

	cluster_node_ready(&C, a);
	cluster_node_cordon(&C, a, "test");
	p = mkpod("p", mkspec(100, 0));
	/* tolerating node.kubernetes.io/unschedulable passes NodeUnschedulable */
	tol->tols = xcalloc(1, sizeof(*tol->tols));
	tol->tols[0] = (struct ks_toleration){ intern("node.kubernetes.io/unschedulable"), 1,
	    intern(""), EFFECT_NOSCHEDULE, -1 };
	tol->ntols = 1;
	q = mkpod("q", tol);
	run_until(10000);
	ck_assert_str_eq(p->reason,
	    "0/1 nodes are available: 1 node(s) were unschedulable. "
	    "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..");
	ck_assert_str_eq(node_of(q), "a");
	ck_assert_int_eq(count_events("NodeNotSchedulable", "node/a"), 1);
}
END_TEST

START_TEST(no_nodes)
{
	struct ks_pod *p = mkpod("lonely", mkspec(100, 0));

	run_until(10000);
	ck_assert_str_eq(p->reason, "0/0 nodes are available: no nodes available to schedule pods.");
}
END_TEST

START_TEST(preemption_with_victims_that_do_not_help)
{
	struct ks_podspec *low = mkspec(1000, GI), *high = mkspec(3000, GI);
	struct ks_pod *l, *h;

	cluster_node_ready(&C, mknode("a", 2000, 8 * GI, 110, NULL));
	high->priority = 1000;
	l = mkpod("low", low);
	run_until(5000);
	ck_assert_str_eq(node_of(l), "a");
	h = mkpod("high", high);
	run_until(10000);
	/*
	 * SelectVictimsOnNode removes "low" (priority 0 < 1000) and runs the
	 * filters again: 3 cpu of 2 still does not fit, and that filter
	 * failure is the node's preemption reason.
	 */
	ck_assert_str_eq(h->reason,
	    "0/1 nodes are available: 1 Insufficient cpu. "
	    "preemption: 0/1 nodes are available: 1 Insufficient cpu..");
}
END_TEST

/* ---- core: inter-pod constraints ---- */

START_TEST(anti_affinity_hostname)
{
	struct ks_workload *w = mkwl(WL_DEPLOYMENT, "web", 4, 100, 0);
	const char *v = intern("web");
	struct ks_req r = { intern("app"), OP_IN, &v, 1, 0 };
	int seen[3] = { 0 }, pending = 0;
	const char *reason = NULL;

	for (int i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%d", i);
		cluster_node_ready(&C, mknode(name, 4000, 8 * GI, 110, NULL));
	}
	w->spec.pod_anti = xcalloc(1, sizeof(*w->spec.pod_anti));
	w->spec.npod_anti = 1;
	selector_add(&w->spec.pod_anti[0].sel, &r);
	w->spec.pod_anti[0].topology_key = intern("kubernetes.io/hostname");
	cluster_workload_start(&C, w);
	run_until(10000);
	ck_assert_uint_eq(C.npods, 4);
	for (size_t i = 0; i < C.npods; i++) {
		if (C.pods[i]->node < 0) {
			pending++;
			reason = C.pods[i]->reason;
			continue;
		}
		seen[C.pods[i]->node]++;
	}
	ck_assert_int_eq(pending, 1);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(seen[i], 1);
	/* InterPodAffinity checks the pod's own anti-affinity before the existing pods' */
	ck_assert_str_eq(reason,
	    "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. "
	    "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..");
}
END_TEST

START_TEST(existing_anti_affinity)
{
	struct ks_podspec *guard = mkspec(100, 0), *other = mkspec(100, 0);
	const char *v = intern("noisy");
	struct ks_req r = { intern("app"), OP_IN, &v, 1, 0 };
	struct ks_pod *g, *o;

	cluster_node_ready(&C, mknode("a", 4000, 8 * GI, 110, NULL));
	/* guard refuses pods labelled app=noisy next to it */
	guard->pod_anti = xcalloc(1, sizeof(*guard->pod_anti));
	guard->npod_anti = 1;
	selector_add(&guard->pod_anti[0].sel, &r);
	guard->pod_anti[0].topology_key = intern("kubernetes.io/hostname");
	g = mkpod("guard", guard);
	run_until(5000);
	ck_assert_str_eq(node_of(g), "a");
	labels_set(&other->labels, "app", "noisy");
	o = mkpod("noisy", other);
	run_until(10000);
	ck_assert_str_eq(o->reason,
	    "0/1 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules. "
	    "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod..");
}
END_TEST

START_TEST(topology_spread_zone)
{
	struct ks_workload *w = mkwl(WL_DEPLOYMENT, "spread", 6, 100, 0);
	int za = 0, zb = 0;

	/* zone a has two nodes, zone b one: without the constraint, zone a would get 4 */
	cluster_node_ready(&C, mknode("a1", 8000, 32 * GI, 110, "a"));
	cluster_node_ready(&C, mknode("a2", 8000, 32 * GI, 110, "a"));
	cluster_node_ready(&C, mknode("b1", 8000, 32 * GI, 110, "b"));
	w->spec.tsc = xcalloc(1, sizeof(*w->spec.tsc));
	w->spec.ntsc = 1;
	w->spec.tsc[0].max_skew = 1;
	w->spec.tsc[0].topology_key = intern("topology.kubernetes.io/zone");
	w->spec.tsc[0].do_not_schedule = 1;
	selector_copy(&w->spec.tsc[0].sel, &(struct ks_selector){ NULL, 0, 0 });
	{
		const char *v = intern("spread");
		struct ks_req r = { intern("app"), OP_IN, &v, 1, 0 };

		selector_add(&w->spec.tsc[0].sel, &r);
	}
	cluster_workload_start(&C, w);
	run_until(10000);
	for (size_t i = 0; i < C.npods; i++) {
		const struct ks_pod *p = C.pods[i];

		ck_assert_int_ne(p->node, -1);
		if (strcmp(C.nodes[p->node]->zone, "a") == 0)
			za++;
		else
			zb++;
	}
	ck_assert_int_eq(za, 3);
	ck_assert_int_eq(zb, 3);
}
END_TEST

START_TEST(spread_blocked_by_cordon)
{
	struct ks_workload *w = mkwl(WL_DEPLOYMENT, "s", 2, 100, 0);
	struct ks_node *b1;
	const char *v = intern("s");
	struct ks_req r = { intern("app"), OP_IN, &v, 1, 0 };
	struct ks_pod *last;

	cluster_node_ready(&C, mknode("a1", 8000, 32 * GI, 110, "a"));
	cluster_node_ready(&C, mknode("a2", 8000, 32 * GI, 110, "a"));
	b1 = mknode("b1", 8000, 32 * GI, 110, "b");
	cluster_node_ready(&C, b1);
	w->spec.tsc = xcalloc(1, sizeof(*w->spec.tsc));
	w->spec.ntsc = 1;
	w->spec.tsc[0].max_skew = 1;
	w->spec.tsc[0].topology_key = intern("topology.kubernetes.io/zone");
	w->spec.tsc[0].do_not_schedule = 1;
	selector_add(&w->spec.tsc[0].sel, &r);
	cluster_workload_start(&C, w);
	run_until(10000);
	/* one pod per zone; then b1 is cordoned and the Deployment grows */
	ck_assert_int_eq(pods_on(b1), 1);
	cluster_node_cordon(&C, b1, "test");
	cluster_workload_scale(&C, w, 3, NULL);
	run_until(20000);
	/* a=2, b=1: skew 1, allowed */
	ck_assert_int_ne(C.pods[2]->node, -1);
	cluster_workload_scale(&C, w, 4, NULL);
	run_until(30000);
	last = C.pods[3];
	/*
	 * a would hold 3 against b's 1 (the cordoned node's zone still counts:
	 * nodeTaintsPolicy Ignore): skew 2 on a1 and a2; b1 is unschedulable.
	 */
	ck_assert_int_eq(last->node, -1);
	ck_assert_str_eq(last->reason,
	    "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match "
	    "pod topology spread constraints. preemption: 0/3 nodes are available: "
	    "1 Preemption is not helpful for scheduling, "
	    "2 No preemption victims found for incoming pod..");
}
END_TEST

/*
 * The spread counts follow every unbind.  Zone a holds two app=z pods
 * (a nodeSelector puts them there); zone b's only node is full.  A pod
 * spreading app=z over zones (maxSkew 1) fits nowhere: a would make the
 * skew 2 - 0 + 0 = 2, b has no room.  Once the app=z pods are gone, a's
 * count is 0 and the pod goes there, which needs the count to drop.
 */
START_TEST(spread_counts_follow_unbind)
{
	struct ks_workload *w = mkwl(WL_DEPLOYMENT, "z", 2, 100, 0);
	struct ks_podspec *fs = mkspec(950, 0), *ss = mkspec(100, 0);
	const char *v = intern("z");
	struct ks_req r = { intern("app"), OP_IN, &v, 1, 0 };
	struct ks_node *a1 = mknode("a1", 8000, 32 * GI, 110, "a");
	struct ks_pod *p;

	cluster_node_ready(&C, a1);
	cluster_node_ready(&C, mknode("b1", 1000, 32 * GI, 110, "b"));
	labels_set(&w->spec.node_selector, "topology.kubernetes.io/zone", "a");
	labels_set(&fs->node_selector, "topology.kubernetes.io/zone", "b");
	cluster_workload_start(&C, w);
	mkpod("filler", fs);
	run_until(10000);
	ss->tsc = xcalloc(1, sizeof(*ss->tsc));
	ss->ntsc = 1;
	ss->tsc[0].max_skew = 1;
	ss->tsc[0].topology_key = intern("topology.kubernetes.io/zone");
	ss->tsc[0].do_not_schedule = 1;
	selector_add(&ss->tsc[0].sel, &r);
	p = mkpod("s", ss);
	run_until(20000);
	ck_assert_int_eq(p->node, -1);
	cluster_workload_scale(&C, w, 0, NULL);
	run_until(120000);
	ck_assert_str_eq(node_of(p), "a1");
}
END_TEST

/* Finished pods leave the cluster's alive and bare lists. */
START_TEST(finished_pods_leave_lists)
{
	struct ks_workload *w = mkwl(WL_DEPLOYMENT, "d", 4, 100, 0);
	struct ks_pod *bare[3];
	size_t alive = 0, nbare = 0;

	cluster_node_ready(&C, mknode("a", 8000, 32 * GI, 110, NULL));
	cluster_workload_start(&C, w);
	for (int i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "b%d", i);
		bare[i] = mkpod(name, mkspec(100, 0));
	}
	run_until(10000);
	cluster_pod_delete(&C, bare[1], "test");
	cluster_workload_scale(&C, w, 1, NULL);
	run_until(60000);
	for (size_t i = 0; i < C.npods; i++) {
		alive += pod_alive(C.pods[i]);
		nbare += pod_alive(C.pods[i]) && C.pods[i]->owner == NULL;
	}
	ck_assert_uint_eq(alive, 3);	/* 1 replica + 2 bare pods */
	ck_assert_uint_eq(C.nalive, alive);
	ck_assert_uint_eq(C.nbare, nbare);
	for (size_t i = 0; i < C.nalive; i++) {
		ck_assert(pod_alive(C.pods[C.alive[i]]));
		ck_assert_uint_eq(C.pods[C.alive[i]]->alive_idx, i);
	}
	for (size_t i = 0; i < C.nbare; i++)
		ck_assert(C.pods[C.bare_ids[i]] != bare[1]);
}
END_TEST

START_TEST(spread_missing_label)
{
	struct ks_podspec *s = mkspec(100, 0);
	struct ks_pod *p;

	cluster_node_ready(&C, mknode("nolabel", 4000, 8 * GI, 110, NULL));
	s->tsc = xcalloc(1, sizeof(*s->tsc));
	s->ntsc = 1;
	s->tsc[0].max_skew = 1;
	s->tsc[0].topology_key = intern("topology.kubernetes.io/zone");
	s->tsc[0].do_not_schedule = 1;
	p = mkpod("p", s);
	run_until(10000);
	ck_assert_str_eq(p->reason,
	    "0/1 nodes are available: 1 node(s) didn't match pod topology spread constraints "
	    "(missing required label). preemption: 0/1 nodes are available: "
	    "1 Preemption is not helpful for scheduling..");
}
END_TEST

/* ---- core: scoring ---- */

static void
spread_vs_pack(int most, int *on_a, int *on_b)
{
	struct ks_node *a, *b;

	sched_attach(&C, &(struct sched_opts){ .most_allocated = most });
	a = mknode("a", 4000, 16 * GI, 110, NULL);
	b = mknode("b", 4000, 16 * GI, 110, NULL);
	cluster_node_ready(&C, a);
	cluster_node_ready(&C, b);
	/* 500m / 2Gi is 1/8 of both resources: BalancedAllocation stays at 100 */
	for (int i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "p%d", i);
		mkpod(name, mkspec(500, 2 * GI));
	}
	run_until(10000);
	*on_a = pods_on(a);
	*on_b = pods_on(b);
}

START_TEST(least_allocated_spreads)
{
	int a, b;

	/*
	 * LeastAllocated: after one pod, the busy node scores
	 * ((4000-1000)*100/4000 + (16-4)*100/16)/2 = 75 against the empty
	 * node's 87: the next pod goes to the other node; 2 and 2.
	 */
	spread_vs_pack(0, &a, &b);
	ck_assert_int_eq(a, 2);
	ck_assert_int_eq(b, 2);
}
END_TEST

START_TEST(most_allocated_packs)
{
	int a, b;

	/* MostAllocated: the busy node scores 25 against 12: all four together */
	spread_vs_pack(1, &a, &b);
	ck_assert_int_eq(a + b, 4);
	ck_assert(a == 4 || b == 4);
}
END_TEST

START_TEST(preferred_node_affinity)
{
	struct ks_podspec *s = mkspec(100, 0);
	struct ks_node *a = mknode("a", 4000, 8 * GI, 110, "z1");
	struct ks_node *b = mknode("b", 4000, 8 * GI, 110, "z2");
	const char *v = intern("z2");
	struct ks_req r = { intern("topology.kubernetes.io/zone"), OP_IN, &v, 1, 0 };
	struct ks_pod *p;

	cluster_node_ready(&C, a);
	cluster_node_ready(&C, b);
	s->pref_affinity = xcalloc(1, sizeof(*s->pref_affinity));
	s->pref_weight = xcalloc(1, sizeof(int));
	s->npref = 1;
	s->pref_weight[0] = 10;
	selector_add(&s->pref_affinity[0], &r);
	p = mkpod("p", s);
	run_until(10000);
	ck_assert_str_eq(node_of(p), "b");
}
END_TEST

/* ---- core: lifecycle and controllers ---- */

static int64_t
add_node_fired(struct sim *sim, void *arg)
{
	(void)sim;
	(void)arg;
	cluster_node_ready(&C, mknode("new", 8000, 32 * GI, 110, NULL));
	return SIM_NOMORE;
}

START_TEST(retry_when_node_joins)
{
	struct ks_pod *p;

	cluster_node_ready(&C, mknode("small", 1000, 4 * GI, 110, NULL));
	p = mkpod("big", mkspec(4000, 8 * GI));
	sim_at(&S, 90000, "add", add_node_fired, NULL);
	run_until(120000);
	ck_assert_str_eq(node_of(p), "new");
	ck_assert_int_eq(p->scheduled_ms, 90000);
	ck_assert_int_eq(p->unsched_since, 0);
	ck_assert_ptr_null(p->reason);
	/* one FailedScheduling at t=0: the reason did not change while pending */
	ck_assert_int_eq(count_events("FailedScheduling", "pod/default/big"), 1);
	ck_assert_int_eq(count_events("Scheduled", "pod/default/big"), 1);
}
END_TEST

static struct ks_pod *victim;

static int64_t
delete_fired(struct sim *sim, void *arg)
{
	(void)sim;
	(void)arg;
	cluster_pod_delete(&C, victim, "test");
	return SIM_NOMORE;
}

START_TEST(retry_when_pod_goes)
{
	struct ks_pod *p, *q;

	cluster_node_ready(&C, mknode("a", 2000, 8 * GI, 110, NULL));
	p = mkpod("first", mkspec(1500, GI));
	q = mkpod("second", mkspec(1500, GI));
	victim = p;
	sim_at(&S, 20000, "delete", delete_fired, NULL);
	run_until(60000);
	/* SIGTERM at 20 s, containers exit 1 s later (podShutdown): the room frees at 21 s */
	ck_assert_int_eq(p->phase, POD_GONE);
	ck_assert_int_eq(p->deleted_ms, 20000);
	ck_assert_int_eq(p->gone_ms, 21000);
	ck_assert_str_eq(node_of(q), "a");
	ck_assert_int_eq(q->scheduled_ms, 21000);
}
END_TEST

START_TEST(deployment_replaces_deleted_pod)
{
	struct ks_workload *w = mkwl(WL_DEPLOYMENT, "web", 3, 100, 0);
	struct ks_pod *r;
	char prefix[64];

	cluster_node_ready(&C, mknode("a", 4000, 8 * GI, 110, NULL));
	cluster_workload_start(&C, w);
	run_until(10000);
	ck_assert_uint_eq(C.npods, 3);
	ck_assert_uint_eq(w->npods, 3);
	victim = C.pods[1];
	sim_at(&S, 20000, "delete", delete_fired, NULL);
	run_until(60000);
	ck_assert_uint_eq(C.npods, 4);
	r = C.pods[3];
	/* the replacement is created when the old one starts terminating */
	ck_assert_int_eq(r->created_ms, 20000);
	ck_assert_ptr_eq(r->owner, w);
	snprintf(prefix, sizeof(prefix), "web-%s-", w->hash);
	ck_assert_int_eq(strncmp(r->name, prefix, strlen(prefix)), 0);
	ck_assert_uint_eq(strlen(r->name), strlen(prefix) + 5);
	ck_assert_int_eq(strlen(w->hash), 10);
	ck_assert_int_eq(r->phase, POD_RUNNING);
	ck_assert_int_eq(victim->phase, POD_GONE);
	ck_assert_uint_eq(w->npods, 3);
	ck_assert_int_eq(count_events("Killing", NULL), 1);
}
END_TEST

START_TEST(deployment_scale_down_newest_first)
{
	struct ks_workload *w = mkwl(WL_DEPLOYMENT, "web", 2, 100, 0);
	struct ks_pod *a, *b, *c;

	/* one node that holds two pods: the third stays Pending */
	cluster_node_ready(&C, mknode("n", 4000, 8 * GI, 2, NULL));
	cluster_workload_start(&C, w);
	run_until(10000);
	cluster_workload_scale(&C, w, 3, NULL);
	run_until(20000);
	a = C.pods[0];
	b = C.pods[1];
	c = C.pods[2];
	ck_assert_int_eq(c->phase, POD_PENDING);
	/* ActivePods: the unassigned pod is deleted first */
	cluster_workload_scale(&C, w, 2, NULL);
	run_until(30000);
	ck_assert_int_eq(c->phase, POD_GONE);
	ck_assert_int_eq(a->phase, POD_RUNNING);
	ck_assert_int_eq(b->phase, POD_RUNNING);
	ck_assert_int_eq(count_events("ScalingReplicaSet", "deployment/default/web"), 2);
}
END_TEST

START_TEST(statefulset_ordinals)
{
	struct ks_workload *w = mkwl(WL_STATEFULSET, "db", 3, 100, 0);

	cluster_node_ready(&C, mknode("a", 4000, 8 * GI, 110, NULL));
	cluster_workload_start(&C, w);
	run_until(60000);
	ck_assert_uint_eq(C.npods, 3);
	/* OrderedReady: each ordinal waits for the previous one to be Ready (1 s start) */
	for (int i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "db-%d", i);
		ck_assert_str_eq(C.pods[i]->name, name);
		ck_assert_int_eq(C.pods[i]->ordinal, i);
		ck_assert_int_eq(C.pods[i]->created_ms, 1000 * i);
		ck_assert_int_eq(C.pods[i]->ready_ms, 1000 * (i + 1));
	}
	ck_assert_ptr_eq(cluster_pod_find(&C, "default", "db-2"), C.pods[2]);
}
END_TEST

START_TEST(statefulset_recreates_same_name)
{
	struct ks_workload *w = mkwl(WL_STATEFULSET, "db", 2, 100, 0);

	cluster_node_ready(&C, mknode("a", 4000, 8 * GI, 110, NULL));
	cluster_workload_start(&C, w);
	run_until(10000);
	victim = C.pods[0];
	sim_at(&S, 20000, "delete", delete_fired, NULL);
	run_until(60000);
	/* db-0 comes back with the same name only after the old one is gone (21 s) */
	ck_assert_uint_eq(C.npods, 3);
	ck_assert_str_eq(C.pods[2]->name, "db-0");
	ck_assert_int_eq(C.pods[2]->created_ms, 21000);
	ck_assert_int_eq(C.pods[2]->phase, POD_RUNNING);
}
END_TEST

START_TEST(daemonset_every_node)
{
	struct ks_workload *w = mkwl(WL_DAEMONSET, "agent", 1, 50, 64 * MI);
	struct ks_node *t = mknode("tainted", 4000, 8 * GI, 110, NULL);
	int per[5] = { 0 };

	cluster_node_ready(&C, mknode("a", 4000, 8 * GI, 110, NULL));
	cluster_node_ready(&C, mknode("b", 4000, 8 * GI, 110, NULL));
	t->taints = xcalloc(1, sizeof(*t->taints));
	t->taints[0] = (struct ks_taint){ intern("dedicated"), intern("gpu"), EFFECT_NOSCHEDULE };
	t->ntaints = 1;
	cluster_node_ready(&C, t);
	cluster_workload_start(&C, w);
	run_until(10000);
	/* a and b: one each; the tainted node is skipped (no toleration) */
	ck_assert_uint_eq(C.npods, 2);
	sim_at(&S, 20000, "add", add_node_fired, NULL);
	run_until(30000);
	ck_assert_uint_eq(C.npods, 3);
	for (size_t i = 0; i < C.npods; i++) {
		ck_assert_int_ne(C.pods[i]->node, -1);
		ck_assert_int_eq(C.pods[i]->node, C.pods[i]->pin_node);
		per[C.pods[i]->node]++;
		ck_assert_int_eq(strncmp(C.pods[i]->name, "agent-", 6), 0);
	}
	ck_assert_int_eq(per[0], 0);	/* tainted was created first: id 0 */
	ck_assert_int_eq(per[1], 1);
	ck_assert_int_eq(per[2], 1);
	ck_assert_int_eq(per[3], 1);	/* "new", joined at 20 s */
	ck_assert_int_eq(C.pods[2]->scheduled_ms, 20000);
}
END_TEST

START_TEST(pdb_allowed_counts)
{
	struct ks_workload *w = mkwl(WL_DEPLOYMENT, "web", 4, 100, 0);
	struct ks_podspec *bare = mkspec(100, 0);
	struct ks_pdb *b = xcalloc(1, sizeof(*b));
	const char *v = intern("web");
	struct ks_req r = { intern("app"), OP_IN, &v, 1, 0 };
	struct ks_pod *bp;

	cluster_node_ready(&C, mknode("a", 8000, 32 * GI, 110, NULL));
	cluster_workload_start(&C, w);
	labels_set(&bare->labels, "app", "web");
	bp = mkpod("stray-web", bare);
	b->name = intern("web-pdb");
	b->ns = intern("default");
	selector_add(&b->sel, &r);
	b->min_available = 3;
	b->max_unavailable = -1;
	VEC_PUSH(C.pdbs, C.npdbs, C.pdbcap, b);
	run_until(10000);
	/* 4 replicas + 1 bare pod, all Ready: 5 healthy - minAvailable 3 = 2 */
	ck_assert_ptr_eq(pdb_for_pod(&C, bp), b);
	ck_assert_int_eq(pdb_allowed(&C, b), 2);
	/* maxUnavailable 50% of 5 expected rounds up to 3: desired 2, allowed 3 */
	b->min_available = -1;
	b->max_unavailable = 50;
	b->pct = 1;
	ck_assert_int_eq(pdb_allowed(&C, b), 3);
	/* a terminating pod is neither expected nor healthy: 4 - (4 - 2) = 2 */
	victim = bp;
	sim_at(&S, 20000, "delete", delete_fired, NULL);
	run_until(20000);
	ck_assert_int_eq(bp->phase, POD_TERMINATING);
	ck_assert_int_eq(pdb_allowed(&C, b), 2);
}
END_TEST

START_TEST(sched_fits_direct)
{
	struct ks_node *a = mknode("a", 2000, 4 * GI, 110, NULL);
	struct ks_podspec *s = mkspec(1500, GI);
	struct ks_res extra = { { 0 } };
	struct sched_fit f;
	struct ks_pod *p;

	cluster_node_ready(&C, a);
	p = mkpod("p", s);
	/* before running the engine: the pod is pending; test the filter itself */
	ck_assert(sched_fits(&C, p, a, NULL, NULL, &f));
	ck_assert_uint_eq(f.fail, 0);
	extra.v[RES_CPU] = 600;		/* 2000 - 600 = 1400 < 1500 */
	ck_assert(!sched_fits(&C, p, a, &extra, NULL, &f));
	ck_assert_uint_eq(f.fail, SF_RESOURCES);
	ck_assert_uint_eq(f.short_res, 1u << RES_CPU);
	extra.v[RES_CPU] = 500;		/* exactly 1500 free */
	ck_assert(sched_fits(&C, p, a, &extra, NULL, &f));
}
END_TEST

/* ---- limits ---- */

START_TEST(many_nodes_feasible_sampling)
{
	struct ks_workload *w = mkwl(WL_DEPLOYMENT, "web", 1000, 100, 128 * MI);
	int bound = 0;

	/*
	 * 500 nodes: numFeasibleNodesToFind = 500 * (50 - 500/125)% = 230,
	 * and every pod is placed.  The filter count stays well under
	 * pods x nodes (500,000).
	 */
	for (int i = 0; i < 500; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%03d", i);
		cluster_node_ready(&C, mknode(name, 4000, 16 * GI, 110, i % 3 ? "a" : "b"));
	}
	cluster_workload_start(&C, w);
	run_until(10000);
	for (size_t i = 0; i < C.npods; i++)
		bound += C.pods[i]->node >= 0;
	ck_assert_int_eq(bound, 1000);
	ck_assert_uint_eq(sched_stats(&C)->attempts, 1000);
	ck_assert_uint_eq(sched_stats(&C)->filter_calls, 1000 * 230);
}
END_TEST

START_TEST(identical_failures_share_a_search)
{
	struct ks_workload *w = mkwl(WL_DEPLOYMENT, "huge", 50, 64000, GI);
	int64_t calls;

	for (int i = 0; i < 10; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%d", i);
		cluster_node_ready(&C, mknode(name, 4000, 16 * GI, 110, NULL));
	}
	cluster_workload_start(&C, w);
	run_until(10000);
	calls = (int64_t)sched_stats(&C)->filter_calls;
	/* first pod: 10 filter calls to search + 10 to explain; the other 49 reuse them */
	ck_assert_int_eq(calls, 20);
	for (size_t i = 0; i < C.npods; i++)
		ck_assert_str_eq(C.pods[i]->reason,
		    "0/10 nodes are available: 10 Insufficient cpu. preemption: 0/10 nodes are "
		    "available: 10 No preemption victims found for incoming pod..");
	ck_assert_int_eq(count_events("FailedScheduling", NULL), 50);
}
END_TEST

START_TEST(scale_down_many)
{
	struct ks_workload *w = mkwl(WL_DEPLOYMENT, "web", 30000, 10, MI);
	int running = 0, gone = 0;

	/*
	 * 30,000 replicas, 110 of them bound: scaling to 10 deletes 29,990
	 * pods in one loop (a deletion once reconciled the Deployment again,
	 * recursing once per pod and overflowing the stack), unbound ones
	 * first (controller.ActivePods), so 10 of the bound pods stay.
	 */
	cluster_node_ready(&C, mknode("a", 64000, 256 * GI, 110, NULL));
	cluster_workload_start(&C, w);
	run_until(10000);
	cluster_workload_scale(&C, w, 10, NULL);
	run_until(60000);
	for (size_t i = 0; i < C.npods; i++) {
		running += C.pods[i]->phase == POD_RUNNING;
		gone += C.pods[i]->phase == POD_GONE;
	}
	ck_assert_uint_eq(C.npods, 30000);
	ck_assert_int_eq(running, 10);
	ck_assert_int_eq(gone, 29990);
	ck_assert_uint_eq(w->npods, 10);
	cluster_workload_delete(&C, w);
	run_until(120000);
	ck_assert_uint_eq(w->npods, 0);
}
END_TEST

START_TEST(pods_without_requests)
{
	struct ks_pod *p[3];

	/* zero requests fit anywhere; only the pods count limits them */
	cluster_node_ready(&C, mknode("a", 1000, GI, 2, NULL));
	for (int i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "z%d", i);
		p[i] = mkpod(name, mkspec(0, 0));
	}
	run_until(10000);
	ck_assert_int_ne(p[0]->node, -1);
	ck_assert_int_ne(p[1]->node, -1);
	ck_assert_int_eq(p[2]->node, -1);
	ck_assert_int_eq(C.nodes[0]->used.v[RES_CPU], 0);
	ck_assert_int_eq(C.nodes[0]->used.v[RES_PODS], 2);
}
END_TEST

START_TEST(determinism)
{
	char first[64][64];
	int n = 0;

	/* two identical runs place identical pods on identical nodes */
	for (int run = 0; run < 2; run++) {
		struct ks_workload *w;

		if (run == 1) {
			teardown();
			setup();
		}
		for (int i = 0; i < 6; i++) {
			char name[16];

			snprintf(name, sizeof(name), "n%d", i);
			cluster_node_ready(&C, mknode(name, 4000, 16 * GI, 110, NULL));
		}
		w = mkwl(WL_DEPLOYMENT, "web", 40, 250, GI);
		cluster_workload_start(&C, w);
		run_until(10000);
		ck_assert_uint_eq(C.npods, 40);
		for (size_t i = 0; i < C.npods; i++) {
			char buf[64];

			snprintf(buf, sizeof(buf), "%s@%s", C.pods[i]->name, node_of(C.pods[i]));
			if (run == 0) {
				snprintf(first[n++], sizeof(first[0]), "%s", buf);
			} else {
				ck_assert_str_eq(first[i], buf);
			}
		}
	}
}
END_TEST

/* ---- errors ---- */

START_TEST(retry_periodic_without_change)
{
	struct ks_pod *p;

	/* nothing changes: the pod is retried every 5 min, the reason stays, one event */
	cluster_node_ready(&C, mknode("a", 1000, GI, 110, NULL));
	p = mkpod("p", mkspec(2000, 0));
	run_until(20 * 60 * 1000);
	ck_assert_int_eq(p->phase, POD_PENDING);
	ck_assert_int_eq(count_events("FailedScheduling", "pod/default/p"), 1);
	ck_assert_uint_ge(sched_stats(&C)->attempts, 4);	/* t=0, then 5, 10, 15, 20 min */
}
END_TEST

START_TEST(two_clusters_in_one_process)
{
	struct ks_pod *p;

	/* the periodic retry is per cluster, not per process */
	cluster_node_ready(&C, mknode("a", 1000, GI, 110, NULL));
	mkpod("p", mkspec(2000, 0));
	run_until(1000);
	teardown();
	setup();
	cluster_node_ready(&C, mknode("a", 1000, GI, 110, NULL));
	p = mkpod("p", mkspec(2000, 0));
	run_until(11 * 60 * 1000);
	ck_assert_int_eq(p->phase, POD_PENDING);
	ck_assert_uint_eq(sched_stats(&C)->attempts, 3);	/* 0, 5 and 10 min */
}
END_TEST

Suite *
sched_suite(void)
{
	Suite *s = suite_create("sched");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, insufficient_cpu_and_memory);
	tcase_add_test(tc, fits_exactly);
	tcase_add_test(tc, too_many_pods);
	tcase_add_test(tc, gpu);
	tcase_add_test(tc, histogram_sorted_as_go);
	tcase_add_test(tc, node_selector_and_affinity);
	tcase_add_test(tc, affinity_terms_are_ored);
	tcase_add_test(tc, taints_and_tolerations);
	tcase_add_test(tc, taint_matching_rules);
	tcase_add_test(tc, prefer_no_schedule_scoring);
	tcase_add_test(tc, unschedulable_node);
	tcase_add_test(tc, no_nodes);
	tcase_add_test(tc, preemption_with_victims_that_do_not_help);
	tcase_add_test(tc, anti_affinity_hostname);
	tcase_add_test(tc, existing_anti_affinity);
	tcase_add_test(tc, topology_spread_zone);
	tcase_add_test(tc, spread_blocked_by_cordon);
	tcase_add_test(tc, spread_missing_label);
	tcase_add_test(tc, spread_counts_follow_unbind);
	tcase_add_test(tc, finished_pods_leave_lists);
	tcase_add_test(tc, least_allocated_spreads);
	tcase_add_test(tc, most_allocated_packs);
	tcase_add_test(tc, preferred_node_affinity);
	tcase_add_test(tc, retry_when_node_joins);
	tcase_add_test(tc, retry_when_pod_goes);
	tcase_add_test(tc, deployment_replaces_deleted_pod);
	tcase_add_test(tc, deployment_scale_down_newest_first);
	tcase_add_test(tc, statefulset_ordinals);
	tcase_add_test(tc, statefulset_recreates_same_name);
	tcase_add_test(tc, daemonset_every_node);
	tcase_add_test(tc, pdb_allowed_counts);
	tcase_add_test(tc, sched_fits_direct);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, many_nodes_feasible_sampling);
	tcase_add_test(tc, identical_failures_share_a_search);
	tcase_add_test(tc, scale_down_many);
	tcase_add_test(tc, pods_without_requests);
	tcase_add_test(tc, determinism);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, retry_periodic_without_change);
	tcase_add_test(tc, two_clusters_in_one_process);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_main(sched_suite());
}
