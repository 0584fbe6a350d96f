/*
 * check_catalog.c: the instance-type catalog, prices, spot advice and EKS
 * allocatable.  The numbers come from the CSVs in data/ and from reference
 * ca-karpenter.md sections 0.2 and B.8; each computed one shows its
 * arithmetic.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cloud/catalog.h"
#include "cluster/res.h"
#include "testutil.h"

#define MIB	INT64_C(1048576)
#define GIB	INT64_C(1073741824)

Suite	*catalog_suite(void);

static struct catalog *cat;

static void
setup_default(void)
{
	struct ks_error err;

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(catalog_load_default(&cat, &err), 0);
	ck_assert_ptr_nonnull(cat);
}

static void
teardown_default(void)
{
	catalog_free(cat);
	cat = NULL;
}

START_TEST(test_m5_large)
{
	const struct cat_itype *t = catalog_find(cat, "m5.large");

	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->name, "m5.large");
	ck_assert_str_eq(t->family, "m5");
	ck_assert_str_eq(t->category, "m");
	ck_assert_str_eq(t->size, "large");
	ck_assert_int_eq(t->generation, 5);
	ck_assert_int_eq(t->vcpu, 2);
	ck_assert_int_eq(t->memory_mib, 8192);
	ck_assert_str_eq(t->arch, "amd64");
	ck_assert_int_eq(t->gpus, 0);
	ck_assert_int_eq(t->max_pods, 29);
	ck_assert_str_eq(t->hypervisor, "nitro");
	ck_assert_int_eq(t->local_nvme, 0);
	ck_assert_int_eq(t->metal, 0);
	/* Karpenter's docs page: 1930m, 6903Mi, 17Gi, 29 pods. */
	ck_assert_int_eq(t->has_kp, 1);
	ck_assert_int_eq(t->kp_cpu_m, 1930);
	ck_assert_int_eq(t->kp_memory_mib, 6903);
	ck_assert_int_eq(t->kp_eph_gib, 17);
	ck_assert_int_eq(t->kp_pods, 29);
}
END_TEST

START_TEST(test_m5_large_price)
{
	int64_t p = 0;
	int pct = 0;

	ck_assert_int_eq(catalog_price(cat, "us-east-1", "m5.large", 0, &p),
	    0);
	ck_assert_int_eq(p, 96000000);		/* 0.096 USD/h */
	ck_assert_int_eq(catalog_price(cat, "us-east-1", "m5.large", 1, &p),
	    0);
	ck_assert_int_eq(p, 32640000);		/* 0.03264 = 0.096 x (1 - 0.66) */
	ck_assert_int_eq(catalog_price(cat, "us-west-2", "m5.large", 1, &p),
	    0);
	ck_assert_int_eq(p, 36480000);		/* 0.03648 */
	ck_assert_int_eq(catalog_price(cat, "ap-northeast-2", "m5.large", 1,
	    &p), 0);
	ck_assert_int_eq(p, 37760000);		/* 0.03776 */
	ck_assert_int_eq(catalog_spot_interruption(cat, "us-east-1",
	    "m5.large"), 3);			/* 15-20% */
	ck_assert_int_eq(catalog_spot_savings(cat, "us-east-1", "m5.large",
	    &pct), 0);
	ck_assert_int_eq(pct, 66);
	/* The advisor saw spot above on-demand here after the 2025 cut. */
	ck_assert_int_eq(catalog_spot_savings(cat, "ca-central-1",
	    "p5.48xlarge", &pct), 0);
	ck_assert_int_eq(pct, -62);
	ck_assert_int_eq(catalog_spot_interruption(cat, "ca-central-1",
	    "p5.48xlarge"), 0);
}
END_TEST

START_TEST(test_c6gd_large)
{
	const struct cat_itype *t = catalog_find(cat, "c6gd.large");

	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->arch, "arm64");
	ck_assert_int_eq(t->vcpu, 2);
	ck_assert_int_eq(t->memory_mib, 4096);
	ck_assert_int_eq(t->max_pods, 29);
	ck_assert_int_eq(t->local_nvme, 1);	/* "gd" suffix */
	ck_assert_str_eq(t->hypervisor, "nitro");
	/* B.8: 4096 - 64 = 4032 -> 92.5% = 3729 -> 3729 - 574 - 100. */
	ck_assert_int_eq(t->kp_memory_mib, 3055);
	ck_assert_int_eq(t->kp_cpu_m, 1930);
}
END_TEST

START_TEST(test_m5_4xlarge_allocatable)
{
	const struct cat_itype *t = catalog_find(cat, "m5.4xlarge");
	struct cat_resources cap, al;

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->max_pods, 234);
	catalog_eks_node(t, 0, &cap, &al);
	/* cpu 16000 - 110 (60 + 10 + 10 + 12000 x 0.25% = 30) */
	ck_assert_int_eq(cap.cpu_m, 16000);
	ck_assert_int_eq(al.cpu_m, 15890);
	ck_assert_int_eq(cap.pods, 234);
	ck_assert_int_eq(al.pods, 234);
	/* kube-reserved memory 11 x 234 + 255 = 2829 MiB */
	ck_assert_int_eq(catalog_eks_kube_reserved_mem_mib(t->max_pods), 2829);
	/*
	 * MemTotal estimate: 65536 MiB x 1024 = 67108864 KiB x 0.97 =
	 * 65095598.08 -> 65095598 KiB = 66657892352 B (63569.92 MiB).
	 * allocatable = 66657892352 - 2829 MiB (2966421504) - 100 MiB
	 * (104857600) = 63586613248 B (60640.92 MiB; the reference's
	 * "~60570" used a rounded 63500 MiB MemTotal).
	 */
	ck_assert_int_eq(cap.memory_b, INT64_C(66657892352));
	ck_assert_int_eq(al.memory_b, INT64_C(63586613248));
	/* ephemeral: 20 GiB root - 1 GiB kube-reserved - 10% (2 GiB) */
	ck_assert_int_eq(cap.eph_b, 20 * GIB);
	ck_assert_int_eq(al.eph_b, 17 * GIB);
	ck_assert_int_eq(al.gpus, 0);
	/* Karpenter's pre-launch estimate differs (B.8): 57691 MiB. */
	ck_assert_int_eq(t->kp_memory_mib, 57691);
	ck_assert_int_eq(t->kp_cpu_m, 15890);
}
END_TEST

/* Section 0.2's kube-reserved cpu results. */
static const struct { int vcpu; int64_t m; } kr_cpu[] = {
	{ 1, 60 }, { 2, 70 }, { 4, 80 }, { 8, 90 }, { 16, 110 }, { 32, 150 },
	{ 48, 190 }, { 64, 230 }, { 96, 310 },
};

START_TEST(test_kube_reserved_cpu)
{
	ck_assert_int_eq(catalog_eks_kube_reserved_cpu_m(kr_cpu[_i].vcpu),
	    kr_cpu[_i].m);
}
END_TEST

START_TEST(test_unknown)
{
	int64_t p = -7;
	int pct;

	ck_assert_ptr_null(catalog_find(cat, "m5.huge"));
	ck_assert_ptr_null(catalog_find(cat, ""));
	ck_assert_ptr_null(catalog_find(cat, "m5.larg"));
	ck_assert_ptr_null(catalog_find(cat, "m5.large "));
	ck_assert_int_eq(catalog_price(cat, "us-east-1", "m5.huge", 0, &p),
	    KS_ENOENT);
	ck_assert_int_eq(catalog_price(cat, "mars-north-1", "m5.large", 0,
	    &p), KS_ENOENT);
	ck_assert_int_eq(p, -7);
	ck_assert_int_eq(catalog_has_region(cat, "mars-north-1"), 0);
	ck_assert_int_eq(catalog_spot_interruption(cat, "mars-north-1",
	    "m5.large"), -1);
	ck_assert_int_eq(catalog_spot_savings(cat, "us-east-1", "m5.huge",
	    &pct), KS_ENOENT);
}
END_TEST

START_TEST(test_counts_sorted)
{
	size_t i, n = catalog_count(cat);

	ck_assert_uint_eq(n, 1370);
	for (i = 1; i < n; i++)
		ck_assert_int_lt(strcmp(catalog_at(cat, i - 1)->name,
		    catalog_at(cat, i)->name), 0);
	for (i = 0; i < n; i++)
		ck_assert_ptr_eq(catalog_find(cat, catalog_at(cat, i)->name),
		    catalog_at(cat, i));
	ck_assert_uint_eq(catalog_region_count(cat), 32);
	for (i = 1; i < catalog_region_count(cat); i++)
		ck_assert_int_lt(strcmp(catalog_region_at(cat, i - 1),
		    catalog_region_at(cat, i)), 0);
	ck_assert_int_eq(catalog_has_region(cat, "us-east-1"), 1);
	ck_assert_int_eq(catalog_has_region(cat, "ap-northeast-2"), 1);
	/* Only the advisor knows ap-east-2: no prices, so not a region. */
	ck_assert_int_eq(catalog_has_region(cat, "ap-east-2"), 0);
}
END_TEST

START_TEST(test_derived_labels)
{
	const struct cat_itype *t;

	ck_assert_str_eq(catalog_find(cat, "m4.large")->hypervisor, "xen");
	ck_assert_str_eq(catalog_find(cat, "t3.micro")->hypervisor, "nitro");
	t = catalog_find(cat, "c6g.metal");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t->hypervisor, "");
	ck_assert_int_eq(t->metal, 1);
	ck_assert_int_eq(catalog_find(cat, "m5dn.large")->local_nvme, 1);
	ck_assert_int_eq(catalog_find(cat, "i4i.large")->local_nvme, 1);
	ck_assert_int_eq(catalog_find(cat, "c6in.large")->local_nvme, 0);
	ck_assert_int_eq(catalog_find(cat, "r5b.large")->local_nvme, 0);
}
END_TEST

/* Startup cost: the whole default catalog, measured on the CPU clock. */
START_TEST(test_load_time)
{
	struct catalog *c2 = NULL;
	struct timespec a, b;
	double ms;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	ck_assert_int_eq(catalog_load_default(&c2, NULL), 0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	catalog_free(c2);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	/* Generous: well under 50 ms unsanitized; ASan/UBSan slow it. */
	ck_assert_msg(ms < 250.0, "catalog load took %.1f ms", ms);
}
END_TEST

START_TEST(test_exact_prices)
{
	int64_t p;

	/* 55.04 in Karpenter's us-east-1 table */
	ck_assert_int_eq(catalog_price(cat, "us-east-1", "p5.48xlarge", 0,
	    &p), 0);
	ck_assert_int_eq(p, INT64_C(55040000000));
	/* 123.19496 and its 6-decimal spot estimate 68.989178 */
	ck_assert_int_eq(catalog_price(cat, "ap-northeast-1", "p5.48xlarge",
	    0, &p), 0);
	ck_assert_int_eq(p, INT64_C(123194960000));
	ck_assert_int_eq(catalog_price(cat, "ap-northeast-1", "p5.48xlarge",
	    1, &p), 0);
	ck_assert_int_eq(p, INT64_C(68989178000));
}
END_TEST

START_TEST(test_max_pods_override)
{
	const struct cat_itype *t = catalog_find(cat, "m5.large");
	struct cat_resources cap, al;

	catalog_eks_node(t, 110, &cap, &al);
	ck_assert_int_eq(cap.pods, 110);
	ck_assert_int_eq(al.pods, 110);
	/*
	 * kube-reserved memory still from the ENI-limited 29 pods (nodeadm,
	 * Karpenter B.8): 8192 x 1024 x 0.97 = 8136949 KiB
	 * = 8332235776 B; - (11 x 29 + 255 = 574) MiB - 100 MiB
	 * = 8332235776 - 706740224 = 7625495552 B.
	 */
	ck_assert_int_eq(cap.memory_b, INT64_C(8332235776));
	ck_assert_int_eq(al.memory_b, INT64_C(7625495552));
	ck_assert_int_eq(al.cpu_m, 1930);	/* 2000 - 70 */
}
END_TEST

START_TEST(test_gpu_node)
{
	const struct cat_itype *t = catalog_find(cat, "g6.4xlarge");
	struct cat_resources cap, al;

	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->gpus, 1);
	catalog_eks_node(t, 0, &cap, &al);
	/* 65536 x 1024 x 0.945 = 63417876.48 -> 63417876 KiB */
	ck_assert_int_eq(cap.memory_b, INT64_C(63417876) * 1024);
	ck_assert_int_eq(al.memory_b, INT64_C(63417876) * 1024 -
	    (2829 + 100) * MIB);
	ck_assert_int_eq(cap.gpus, 1);
	ck_assert_int_eq(al.gpus, 1);
}
END_TEST

/* ---- accelerators (data/accelerators.csv) and the Auto Mode fee ---- */

/* The device plugin resources of type name: count of resource res, 0 when absent. */
static int64_t
devres(const char *name, const char *mig, const char *res)
{
	const struct cat_itype *t = catalog_find(cat, name);
	struct cat_devres d[4];
	size_t n;

	ck_assert_msg(t != NULL, "no type %s", name);
	n = catalog_device_resources(t, mig, d, 4);
	for (size_t i = 0; i < n; i++)
		if (strcmp(d[i].name, res) == 0)
			return d[i].count;
	return 0;
}

START_TEST(test_accelerators)
{
	const struct cat_itype *t = catalog_find(cat, "p4d.24xlarge");

	/* Karpenter's docs page: 8 nvidia a100, 40960 MiB each */
	ck_assert_ptr_nonnull(t->accel);
	ck_assert_str_eq(t->accel->kind, "gpu");
	ck_assert_str_eq(t->accel->manufacturer, "nvidia");
	ck_assert_str_eq(t->accel->device, "a100");
	ck_assert_int_eq(t->accel->count, 8);
	ck_assert_int_eq(t->accel->memory_mib, 40960);
	/* NVIDIA MIG user guide, A100-SXM4-40GB: 7 x 1g.5gb, 3 x 2g.10gb */
	ck_assert_int_eq(catalog_mig_per_gpu(t, "1g.5gb"), 7);
	ck_assert_int_eq(catalog_mig_per_gpu(t, "2g.10gb"), 3);
	ck_assert_int_eq(catalog_mig_per_gpu(t, "1g.10gb"), 4);
	ck_assert_int_eq(catalog_mig_per_gpu(t, "g.5gb"), 0);
	ck_assert_int_eq(catalog_mig_per_gpu(t, "1g.20gb"), 0);
	/* A100-80GB (p4de) names its profiles by its memory */
	ck_assert_int_eq(catalog_mig_per_gpu(catalog_find(cat, "p4de.24xlarge"), "1g.10gb"), 7);
	ck_assert_int_eq(catalog_mig_per_gpu(catalog_find(cat, "g5.xlarge"), "1g.5gb"), 0);
	/* strategy none: whole GPUs; all-1g.5gb: 8 x 7 = 56 slices */
	ck_assert_int_eq(devres("p4d.24xlarge", NULL, "nvidia.com/gpu"), 8);
	ck_assert_int_eq(devres("p4d.24xlarge", "1g.5gb", "nvidia.com/mig-1g.5gb"), 56);
	ck_assert_int_eq(devres("p4d.24xlarge", "1g.5gb", "nvidia.com/gpu"), 0);
	/* a profile the GPU lacks leaves whole GPUs */
	ck_assert_int_eq(devres("g4dn.xlarge", "1g.5gb", "nvidia.com/gpu"), 1);
	/* AMD is amd.com/gpu, never nvidia.com/gpu */
	ck_assert_int_eq(devres("g4ad.xlarge", NULL, "amd.com/gpu"), 1);
	ck_assert_int_eq(devres("g4ad.xlarge", NULL, "nvidia.com/gpu"), 0);
	/* Neuron: devices under both names, and the cores (inf2: 2 per chip) */
	ck_assert_int_eq(devres("inf2.48xlarge", NULL, "aws.amazon.com/neuron"), 12);
	ck_assert_int_eq(devres("inf2.48xlarge", NULL, "aws.amazon.com/neurondevice"), 12);
	ck_assert_int_eq(devres("inf2.48xlarge", NULL, "aws.amazon.com/neuroncore"), 24);
	ck_assert_int_eq(devres("trn2.48xlarge", NULL, "aws.amazon.com/neuroncore"), 128);
	ck_assert_int_eq(devres("inf1.xlarge", NULL, "aws.amazon.com/neuroncore"), 4);
	ck_assert_str_eq(catalog_find(cat, "inf1.xlarge")->accel->kind, "accelerator");
	/* Gaudi (dl1) was counted as 8 NVIDIA GPUs by the gpus column */
	ck_assert_int_eq(devres("dl1.24xlarge", NULL, "habana.ai/gaudi"), 8);
	ck_assert_int_eq(devres("dl1.24xlarge", NULL, "nvidia.com/gpu"), 0);
	/* a GPU fraction (g6f) and a device without a modelled plugin: nothing */
	ck_assert_int_eq(devres("g6f.large", NULL, "nvidia.com/gpu"), 0);
	ck_assert_int_eq(devres("dl2q.24xlarge", NULL, "nvidia.com/gpu"), 0);
	ck_assert_ptr_null(catalog_find(cat, "m5.large")->accel);
	ck_assert_int_eq(devres("m5.large", NULL, "nvidia.com/gpu"), 0);
}
END_TEST

START_TEST(test_automode_fee)
{
	int64_t fee;

	/* 12% of m5.large's 0.096 $/h in us-east-1: 0.01152 $/h */
	ck_assert_int_eq(catalog_automode_fee(cat, "us-east-1", "m5.large", &fee), 0);
	ck_assert_int_eq(fee, 11520000);
	/* c5.large 0.085 x 0.12 = 0.0102 */
	ck_assert_int_eq(catalog_automode_fee(cat, "us-east-1", "c5.large", &fee), 0);
	ck_assert_int_eq(fee, 10200000);
	ck_assert_int_eq(catalog_automode_fee(cat, "xx-nowhere-1", "m5.large", &fee),
	    KS_ENOENT);
}
END_TEST

/* ---- res.h: the resource slots ---- */

START_TEST(test_res_slots)
{
	struct ks_res r, need, alloc, used;
	char name[32];
	int a, b;

	/* the device plugins' names have fixed slots */
	ck_assert_int_eq(res_lookup("nvidia.com/gpu"), RES_GPU);
	ck_assert_int_eq(res_lookup("amd.com/gpu"), RES_AMD_GPU);
	ck_assert_int_eq(res_index("aws.amazon.com/neuroncore"), RES_NEURONCORE);
	ck_assert_int_eq(res_lookup("cpu"), RES_CPU);
	/* other names are named at first use, once */
	ck_assert_int_eq(res_lookup("example.com/a"), -1);
	a = res_index("example.com/a");
	ck_assert_int_ge(a, RES_EXT0);
	ck_assert_int_eq(res_index("example.com/a"), a);
	b = res_index("example.com/b");
	ck_assert_int_ne(a, b);
	ck_assert_str_eq(res_name[b], "example.com/b");
	/* RES_NEXT of them; then -1 (this test's process started with none) */
	for (int i = 2; i < RES_NEXT; i++) {
		snprintf(name, sizeof(name), "example.com/x%d", i);
		ck_assert_int_ge(res_index(name), RES_EXT0);
	}
	ck_assert_int_eq(res_index("example.com/one-too-many"), -1);
	/* a p4d's devices land in their slots and clear the others */
	memset(&r, 0, sizeof(r));
	r.v[a] = 9;
	res_set_devices(&r, catalog_find(cat, "p4d.24xlarge"), NULL);
	ck_assert_int_eq(r.v[RES_GPU], 8);
	ck_assert_int_eq(r.v[a], 0);
	/* the fit check reads alloc - used - extra, only where need > 0 */
	memset(&need, 0, sizeof(need));
	memset(&alloc, 0, sizeof(alloc));
	memset(&used, 0, sizeof(used));
	need.v[RES_CPU] = 500;
	need.v[RES_GPU] = 1;
	alloc.v[RES_CPU] = 1000;
	alloc.v[RES_GPU] = 1;
	used.v[RES_CPU] = 400;
	ck_assert_uint_eq(res_short_free(&need, &alloc, &used, NULL), 0);
	used.v[RES_GPU] = 1;
	ck_assert_uint_eq(res_short_free(&need, &alloc, &used, NULL), 1u << RES_GPU);
	need.v[RES_CPU] = 700;
	ck_assert_uint_eq(res_short_free(&need, &alloc, &used, &need),
	    (1u << RES_GPU) | (1u << RES_CPU));
}
END_TEST

/* A scratch catalog directory with four small valid files. */
static const char *tmpdir;

static const char good_itypes[] =
    "name,family,category,generation,size,vcpu,memory_mib,arch,gpus,"
    "max_pods\n"
    "m5.large,m5,m,5,large,2,8192,amd64,0,29\n"
    "c6gd.large,c6gd,c,6,large,2,4096,arm64,0,29\n";
static const char good_prices[] =
    "region,name,capacity_type,usd_per_hour\n"
    "us-east-1,m5.large,on-demand,0.096\n"
    "us-east-1,m5.large,spot,0.03264\n"
    "us-east-1,mac1.metal,on-demand,1.083\n";
static const char good_kp[] =
    "name,cpu_millicores,memory_mib,ephemeral_storage_gib,pods\n"
    "m5.large,1930,6903,17.0,29\n";
static const char good_advisor[] =
    "region,name,savings_pct,interruption_index,interruption_label\n"
    "us-east-1,m5.large,66,3,15-20%\n";

static void
setup_dir(void)
{
	tmpdir = tu_tmpdir();
	tu_write_in(tmpdir, "instance-types.csv", good_itypes);
	tu_write_in(tmpdir, "prices.csv", good_prices);
	tu_write_in(tmpdir, "karpenter-allocatable.csv", good_kp);
	tu_write_in(tmpdir, "spot-advisor.csv", good_advisor);
}

/* Load tmpdir expecting failure; check code, file suffix, line, col. */
static void
expect_error(int code, const char *file, int line, int col,
    const char *msg_part)
{
	struct catalog *c2 = (struct catalog *)1;
	struct ks_error err;
	char want[256];

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(catalog_load_dir(tmpdir, &c2, &err), code);
	ck_assert_ptr_null(c2);
	ck_assert_int_eq(err.code, code);
	snprintf(want, sizeof(want), "%s/%s", tmpdir, file);
	ck_assert_ptr_nonnull(err.at.file);
	ck_assert_str_eq(err.at.file, want);
	ck_assert_int_eq(err.at.line, line);
	ck_assert_int_eq(err.at.col, col);
	ck_assert_msg(strstr(err.msg, msg_part) != NULL,
	    "message \"%s\" lacks \"%s\"", err.msg, msg_part);
}

START_TEST(test_dir_good)
{
	struct catalog *c2 = NULL;
	struct ks_error err;
	int64_t p;

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(catalog_load_dir(tmpdir, &c2, &err), 0);
	ck_assert_uint_eq(catalog_count(c2), 2);
	ck_assert_str_eq(catalog_at(c2, 0)->name, "c6gd.large");
	ck_assert_int_eq(catalog_at(c2, 0)->has_kp, 0);
	ck_assert_int_eq(catalog_price(c2, "us-east-1", "m5.large", 1, &p), 0);
	ck_assert_int_eq(p, 32640000);
	ck_assert_int_eq(catalog_price(c2, "us-east-1", "c6gd.large", 0, &p),
	    KS_ENOENT);
	ck_assert_ptr_null(catalog_find(c2, "mac1.metal"));
	ck_assert_int_eq(catalog_spot_interruption(c2, "us-east-1",
	    "m5.large"), 3);
	catalog_free(c2);
}
END_TEST

START_TEST(test_dir_bad_price)
{
	tu_write_in(tmpdir, "prices.csv", "region,name,capacity_type,usd_per_hour\n"
	    "us-east-1,m5.large,on-demand,0.096\n"
	    "us-east-1,m5.large,spot,0.0x264\n");
	/* "us-east-1,m5.large,spot," is 24 bytes, so field 4 starts at
	 * col 25; the 'x' is its fourth byte: col 28. */
	expect_error(KS_EINVAL, "prices.csv", 3, 28, "expected a decimal");
}
END_TEST

START_TEST(test_dir_bad_fields)
{
	tu_write_in(tmpdir, "instance-types.csv", "name,family,category,generation,"
	    "size,vcpu,memory_mib,arch,gpus,max_pods\n"
	    "\n"
	    "m5.large,m5,m,5,large,2,8192,amd64,0\n");
	/* 9 fields; the error points one past the row's 36 bytes */
	expect_error(KS_EINVAL, "instance-types.csv", 3, 37,
	    "expected 10 fields, found 9");
}
END_TEST

START_TEST(test_dir_bad_arch)
{
	tu_write_in(tmpdir, "instance-types.csv", "name,family,category,generation,"
	    "size,vcpu,memory_mib,arch,gpus,max_pods\n"
	    "m5.large,m5,m,5,large,2,8192,x86_64,0,29\n");
	expect_error(KS_EINVAL, "instance-types.csv", 2, 30,
	    "expected arch amd64 or arm64");
}
END_TEST

START_TEST(test_dir_duplicate)
{
	tu_write_in(tmpdir, "instance-types.csv", "name,family,category,generation,"
	    "size,vcpu,memory_mib,arch,gpus,max_pods\n"
	    "m5.large,m5,m,5,large,2,8192,amd64,0,29\n"
	    "c5.large,c5,c,5,large,2,4096,amd64,0,29\n"
	    "m5.large,m5,m,5,large,2,8192,amd64,0,29\n");
	expect_error(KS_EINVAL, "instance-types.csv", 4, 1,
	    "duplicate instance type m5.large (first on line 2)");
}
END_TEST

START_TEST(test_dir_bad_header)
{
	tu_write_in(tmpdir, "spot-advisor.csv", "region,name,savings,"
	    "interruption_index,interruption_label\n");
	expect_error(KS_EINVAL, "spot-advisor.csv", 1, 1, "expected header");
}
END_TEST

START_TEST(test_dir_bad_advisor)
{
	tu_write_in(tmpdir, "spot-advisor.csv", "region,name,savings_pct,"
	    "interruption_index,interruption_label\n"
	    "us-east-1,m5.large,66,5,>20%\n");
	/* "us-east-1,m5.large,66," is 22 bytes: index at col 23 */
	expect_error(KS_EINVAL, "spot-advisor.csv", 2, 23,
	    "expected interruption_index at most 4");
}
END_TEST

START_TEST(test_dir_precision)
{
	tu_write_in(tmpdir, "prices.csv", "region,name,capacity_type,usd_per_hour\n"
	    "us-east-1,m5.large,on-demand,0.0960000001\n");
	/* the 10th decimal, '1', is at col 30 + 11 = 41 */
	expect_error(KS_EINVAL, "prices.csv", 2, 41,
	    "expected at most 9 decimal places");
}
END_TEST

START_TEST(test_dir_missing)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/karpenter-allocatable.csv", tmpdir);
	unlink(path);
	expect_error(KS_ENOENT, "karpenter-allocatable.csv", 0, 0,
	    "cannot open");
}
END_TEST

START_TEST(test_dir_crlf_trailing)
{
	struct catalog *c2 = NULL;

	/* CRLF line ends and no final newline are accepted. */
	tu_write_in(tmpdir, "karpenter-allocatable.csv", "name,cpu_millicores,"
	    "memory_mib,ephemeral_storage_gib,pods\r\n"
	    "m5.large,1930,6903,17.0,29");
	ck_assert_int_eq(catalog_load_dir(tmpdir, &c2, NULL), 0);
	ck_assert_int_eq(catalog_find(c2, "m5.large")->kp_pods, 29);
	catalog_free(c2);
}
END_TEST

START_TEST(test_dir_accel_optional)
{
	struct catalog *c2 = NULL;
	struct cat_devres d[4];
	int64_t fee;

	/* without accelerators.csv the gpus column is NVIDIA GPUs */
	tu_write_in(tmpdir, "instance-types.csv", "name,family,category,generation,"
	    "size,vcpu,memory_mib,arch,gpus,max_pods\n"
	    "g4dn.xlarge,g4dn,g,4,xlarge,4,16384,amd64,1,29\n"
	    "m5.large,m5,m,5,large,2,8192,amd64,0,29\n");
	ck_assert_int_eq(catalog_load_dir(tmpdir, &c2, NULL), 0);
	ck_assert_uint_eq(catalog_device_resources(catalog_find(c2, "g4dn.xlarge"), NULL, d, 4), 1);
	ck_assert_str_eq(d[0].name, "nvidia.com/gpu");
	ck_assert_int_eq(d[0].count, 1);
	/* without automode-fees.csv there is no fee */
	ck_assert_int_eq(catalog_automode_fee(c2, "us-east-1", "g4dn.xlarge", &fee), KS_ENOENT);
	catalog_free(c2);
	/* with both: the amd row wins; the most specific fee row wins */
	tu_write_in(tmpdir, "accelerators.csv", "name,kind,manufacturer,device,count,"
	    "memory_mib,resource,cores,mig_profiles\n"
	    "g4dn.xlarge,gpu,amd,x,2,8192,amd.com/gpu,0,\n"
	    "zz.large,gpu,amd,x,2,8192,amd.com/gpu,0,\n");
	tu_write_in(tmpdir, "automode-fees.csv", "region,name,usd_per_hour,pct_of_on_demand\n"
	    "*,*,,12\n"
	    "us-east-1,g4dn.xlarge,0.5,\n"
	    "*,g4dn.xlarge,0.25,\n");
	ck_assert_int_eq(catalog_load_dir(tmpdir, &c2, NULL), 0);
	ck_assert_uint_eq(catalog_device_resources(catalog_find(c2, "g4dn.xlarge"), NULL, d, 4), 1);
	ck_assert_str_eq(d[0].name, "amd.com/gpu");
	ck_assert_int_eq(d[0].count, 2);
	ck_assert_int_eq(catalog_automode_fee(c2, "us-east-1", "g4dn.xlarge", &fee), 0);
	ck_assert_int_eq(fee, 500000000);
	ck_assert_int_eq(catalog_automode_fee(c2, "eu-west-1", "g4dn.xlarge", &fee), 0);
	ck_assert_int_eq(fee, 250000000);
	/* 12% of m5.large's 0.096 */
	ck_assert_int_eq(catalog_automode_fee(c2, "us-east-1", "m5.large", &fee), 0);
	ck_assert_int_eq(fee, 11520000);
	catalog_free(c2);
}
END_TEST

START_TEST(test_dir_bad_accel)
{
	tu_write_in(tmpdir, "accelerators.csv", "name,kind,manufacturer,device,count,"
	    "memory_mib,resource,cores,mig_profiles\n"
	    "m5.large,gpu,nvidia,a100,8,40960,nvidia.com/gpu,0,1g.5gb:9\n");
	/* "m5.large,gpu,nvidia,a100,8,40960,nvidia.com/gpu,0," is 50 bytes;
	 * the count after "1g.5gb:" starts at col 51 + 7 = 58 */
	expect_error(KS_EINVAL, "accelerators.csv", 2, 58, "expected a count 1..7");
	tu_write_in(tmpdir, "accelerators.csv", "name,kind,manufacturer,device,count,"
	    "memory_mib,resource,cores,mig_profiles\n"
	    "m5.large,fpga,xilinx,vu9p,1,0,,0,\n");
	expect_error(KS_EINVAL, "accelerators.csv", 2, 10, "expected kind gpu or accelerator");
	tu_write_in(tmpdir, "accelerators.csv", "name,kind,manufacturer,device,count,"
	    "memory_mib,resource,cores,mig_profiles\n");
	tu_write_in(tmpdir, "automode-fees.csv", "region,name,usd_per_hour,pct_of_on_demand\n"
	    "*,*,0.1,12\n");
	/* both columns given: the error points at usd_per_hour, col 5 */
	expect_error(KS_EINVAL, "automode-fees.csv", 2, 5, "expected exactly one of");
}
END_TEST

/* ---- the accel-* cases: the instance type each pod landed on ---- */

static const char *
pod_itype(json_t *rep, const char *pod)
{
	json_t *p = tu_find(rep, "pods", pod);
	const char *node = tu_str(p, "node");

	ck_assert_msg(node != NULL, "pod %s has no node", pod);
	return tu_str(tu_find(rep, "nodes", node), "instance_type");
}

static json_t *
run_case(const char *name)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/tests/cases/%s", tu_srcdir(), name);
	return tu_run_ok(path);
}

START_TEST(test_case_karpenter_families)
{
	json_t *rep = run_case("accel-karpenter.yaml");

	ck_assert_str_eq(pod_itype(rep, "nvidia"), "g4dn.xlarge");
	ck_assert_str_eq(pod_itype(rep, "amd"), "g4ad.xlarge");
	ck_assert_str_eq(pod_itype(rep, "neuron"), "inf1.xlarge");
	ck_assert_ptr_null(tu_str(tu_find(rep, "pods", "mig"), "node"));
	json_decref(rep);
}
END_TEST

START_TEST(test_case_ca_families)
{
	json_t *rep = run_case("accel-ca.yaml");

	ck_assert_str_eq(pod_itype(rep, "nvidia"), "g4dn.xlarge");
	ck_assert_ptr_null(tu_str(tu_find(rep, "pods", "amd"), "node"));
	json_decref(rep);
}
END_TEST

START_TEST(test_case_mig_nodes)
{
	json_t *rep = run_case("accel-mig.yaml");

	ck_assert_str_eq(tu_str(tu_find(rep, "pods", "whole-gpu"), "node"), "whole-1");
	json_decref(rep);
}
END_TEST

START_TEST(test_case_automode)
{
	json_t *rep = run_case("automode-nodepool.yaml"), *n;

	/* c6a.large, 0.0765 $/h, and 12% of it as the Auto Mode fee */
	ck_assert_str_eq(pod_itype(rep, tu_str(json_array_get(json_object_get(rep, "pods"), 0),
	    "name")), "c6a.large");
	n = json_array_get(json_object_get(rep, "nodes"), 0);
	ck_assert_str_eq(tu_str(n, "instance_type"), "c6a.large");
	ck_assert_double_eq_tol(tu_num(n, "price_usd_per_hour"), 0.0765, 1e-12);
	ck_assert_double_eq_tol(tu_num(n, "automode_fee_usd_per_hour"), 0.00918, 1e-12);
	/* (0.0765 + 0.00918) x 599 / 3600 */
	ck_assert_double_eq_tol(tu_num(n, "cost_usd"), 0.014256, 1e-12);
	json_decref(rep);
	rep = run_case("automode-builtin.yaml");
	ck_assert_str_eq(tu_str(json_array_get(json_object_get(rep, "nodes"), 1), "instance_type"),
	    "c6g.medium");
	json_decref(rep);
}
END_TEST

START_TEST(test_case_automode_warning)
{
	char path[1024], *err;

	if (!tu_have_ksim())
		return;
	snprintf(path, sizeof(path), "%s/stderr", tu_tmpdir());
	/* the requirement key ksim does not model is named, with what it does */
	ck_assert_int_eq(tu_run_ksim("validate tests/cases/automode-nodepool.yaml", NULL, path), 0);
	err = tu_slurp(path);
	ck_assert_msg(strstr(err, "requirement on \"eks.amazonaws.com/instance-network-bandwidth\" "
	    "is not modelled") != NULL, "stderr: %s", err);
	ck_assert_ptr_nonnull(strstr(err, "every instance type passes it"));
	free(err);
	tu_cleanup();
}
END_TEST

Suite *
catalog_suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc;

	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup_default, teardown_default);
	tcase_add_test(tc, test_m5_large);
	tcase_add_test(tc, test_m5_large_price);
	tcase_add_test(tc, test_c6gd_large);
	tcase_add_test(tc, test_m5_4xlarge_allocatable);
	tcase_add_loop_test(tc, test_kube_reserved_cpu, 0,
	    (int)(sizeof(kr_cpu) / sizeof(kr_cpu[0])));
	tcase_add_test(tc, test_unknown);
	tcase_add_test(tc, test_counts_sorted);
	tcase_add_test(tc, test_derived_labels);
	tcase_add_test(tc, test_accelerators);
	tcase_add_test(tc, test_automode_fee);
	tcase_add_test(tc, test_res_slots);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup_default, teardown_default);
	tcase_add_test(tc, test_load_time);
	tcase_add_test(tc, test_exact_prices);
	tcase_add_test(tc, test_max_pods_override);
	tcase_add_test(tc, test_gpu_node);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup_dir, tu_cleanup);
	tcase_add_test(tc, test_dir_good);
	tcase_add_test(tc, test_dir_bad_price);
	tcase_add_test(tc, test_dir_bad_fields);
	tcase_add_test(tc, test_dir_bad_arch);
	tcase_add_test(tc, test_dir_duplicate);
	tcase_add_test(tc, test_dir_bad_header);
	tcase_add_test(tc, test_dir_bad_advisor);
	tcase_add_test(tc, test_dir_precision);
	tcase_add_test(tc, test_dir_missing);
	tcase_add_test(tc, test_dir_crlf_trailing);
	tcase_add_test(tc, test_dir_accel_optional);
	tcase_add_test(tc, test_dir_bad_accel);
	suite_add_tcase(s, tc);

	tc = tcase_create("cases");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_case_karpenter_families);
	tcase_add_test(tc, test_case_ca_families);
	tcase_add_test(tc, test_case_mig_nodes);
	tcase_add_test(tc, test_case_automode);
	tcase_add_test(tc, test_case_automode_warning);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_main(catalog_suite());
}
