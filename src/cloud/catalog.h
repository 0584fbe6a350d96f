/*
 * catalog.h: the EC2 instance-type catalog, prices and spot advice.
 *
 * Ownership: catalog_load_default() and catalog_load_dir() hand the caller
 * an owned `struct catalog`; catalog_free() releases it (NULL is a no-op).
 * Every `const struct cat_itype *` and every string reached through one is
 * borrowed from the catalog and lives exactly as long as it.  A catalog is
 * read-only after loading, so any number of readers may share it.
 *
 * Units: money in nano-USD (int64_t, exact from the CSV decimals), cpu in
 * millicores, memory in MiB in the catalog rows and bytes in cat_resources.
 */
#ifndef KS_CLOUD_CATALOG_H
#define KS_CLOUD_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define CAT_NUSD_PER_USD	INT64_C(1000000000)	/* nano-USD in one USD */

/*
 * The accelerator an instance type carries (data/accelerators.csv): the
 * device, how many, and which extended resources its device plugin
 * advertises.  `kind` says which of Karpenter's label sets describes it:
 * "gpu" (instance-gpu-*) or "accelerator" (instance-accelerator-*).
 */
struct cat_accel {
	const char	*kind;		/* "gpu" | "accelerator" */
	const char	*manufacturer;	/* "nvidia", "amd", "aws", "habana", "qualcomm" */
	const char	*device;	/* "a100", "inferentia2", "gaudi" */
	int		 count;		/* devices per instance (0: a GPU fraction) */
	int64_t		 memory_mib;	/* memory per device, MiB */
	const char	*resource;	/* device plugin resource, "" = none modelled */
	int		 cores;		/* NeuronCores per instance, 0 otherwise */
	const char	*mig;		/* "1g.5gb:7 2g.10gb:3 ..." (profile:per GPU), "" */
};

struct cat_itype {
	const char	*name;		/* "m5.large" */
	const char	*family;	/* "m5" */
	const char	*category;	/* "m" */
	const char	*size;		/* "large" */
	int		 generation;	/* 5 */
	int		 vcpu;		/* vCPU count */
	int64_t		 memory_mib;	/* nominal EC2 memory, MiB */
	const char	*arch;		/* "amd64" | "arm64" (static string) */
	int		 gpus;		/* NVIDIA/AMD GPU count (Neuron not counted) */
	int		 max_pods;	/* ENI-limited max pods, pods */
	int		 has_kp;	/* 1 when karpenter-allocatable.csv has a row */
	int64_t		 kp_cpu_m;	/* Karpenter pre-launch allocatable, millicores */
	int64_t		 kp_memory_mib;	/* Karpenter pre-launch allocatable, MiB */
	int64_t		 kp_eph_gib;	/* Karpenter pre-launch allocatable, GiB */
	int64_t		 kp_pods;	/* Karpenter pre-launch allocatable, pods */
	const char	*hypervisor;	/* "nitro", "xen", or "" for *.metal* */
	int		 local_nvme;	/* 1 when the type has instance-store disks */
	int		 metal;		/* 1 for bare-metal sizes ("metal", "metal-24xl") */
	const struct cat_accel *accel;	/* its accelerator, NULL = none */
};

struct catalog;

/* The CSVs compiled in from data/ by gen_catalog.sh (catalog_data.c). */
extern const char catalog_csv_instance_types[];
extern const size_t catalog_csv_instance_types_size;	/* bytes, no NUL */
extern const char catalog_csv_prices[];
extern const size_t catalog_csv_prices_size;		/* bytes, no NUL */
extern const char catalog_csv_karpenter_allocatable[];
extern const size_t catalog_csv_karpenter_allocatable_size;	/* bytes */
extern const char catalog_csv_spot_advisor[];
extern const size_t catalog_csv_spot_advisor_size;	/* bytes, no NUL */
extern const char catalog_csv_accelerators[];
extern const size_t catalog_csv_accelerators_size;	/* bytes, no NUL */
extern const char catalog_csv_automode_fees[];
extern const size_t catalog_csv_automode_fees_size;	/* bytes, no NUL */

/* The compiled-in catalog.  Errors carry "data/<file>.csv:line:col". */
int	catalog_load_default(struct catalog **out, struct ks_error *err);
/*
 * --catalog DIR: the same four file names (instance-types.csv, prices.csv,
 * karpenter-allocatable.csv, spot-advisor.csv).  A missing file is KS_ENOENT,
 * a bad header or row KS_EINVAL, both with file:line:col.  Mark file names
 * are interned for the life of the process, so an error outlives the load.
 * accelerators.csv and automode-fees.csv are optional there: without the
 * first, the gpus column of instance-types.csv is read as NVIDIA GPUs (the
 * format before accelerators.csv); without the second, Auto Mode is free.
 */
int	catalog_load_dir(const char *dir, struct catalog **out,
	    struct ks_error *err);
/* Parse four CSV texts (not NUL-terminated); `dir` only names the marks. */
int	catalog_load_mem(const char *dir, const char *itypes, size_t itypes_len,
	    const char *prices, size_t prices_len, const char *kp, size_t kp_len,
	    const char *advisor, size_t advisor_len, struct catalog **out,
	    struct ks_error *err);
void	catalog_free(struct catalog *);
/*
 * Add accelerators.csv / automode-fees.csv text to a loaded catalog (the
 * default and DIR loaders call them; tests may too).  Rows naming a type
 * instance-types.csv lacks are skipped, like prices.  Errors as above.
 */
int	catalog_add_accelerators(struct catalog *, const char *dir, const char *text,
	    size_t len, struct ks_error *err);
int	catalog_add_automode_fees(struct catalog *, const char *dir, const char *text,
	    size_t len, struct ks_error *err);

/*
 * The extended resources a node of type t advertises when its vendor's
 * device plugin runs with its defaults: nvidia.com/gpu (NVIDIA, MIG
 * strategy none), amd.com/gpu (ROCm), aws.amazon.com/neuron and
 * aws.amazon.com/neurondevice (devices) and aws.amazon.com/neuroncore
 * (cores) for Neuron, habana.ai/gaudi.  With mig_profile non-NULL (the
 * node is labelled nvidia.com/mig.config=all-PROFILE and the plugin runs
 * the mixed strategy), a GPU that supports PROFILE is advertised as
 * nvidia.com/mig-PROFILE, instances per GPU x GPUs, instead.  Fills at
 * most max (name, count) pairs; returns how many.
 */
struct cat_devres {
	const char	*name;		/* extended resource name (static or interned) */
	int64_t		 count;		/* devices, cores or MIG instances */
};
size_t	catalog_device_resources(const struct cat_itype *t, const char *mig_profile,
	    struct cat_devres *out, size_t max);
/* MIG instances of `profile` ("1g.5gb") per GPU of t, 0 when unsupported. */
int	catalog_mig_per_gpu(const struct cat_itype *t, const char *profile);

/*
 * EKS Auto Mode management fee for type t in region, nano-USD per hour
 * (automode-fees.csv: the most specific row, region and name exact before
 * "*"; a row gives USD/h or a percentage of the type's on-demand price).
 * Returns 0, or KS_ENOENT when no row matches or the percentage has no
 * on-demand price to apply to.
 */
int	catalog_automode_fee(const struct catalog *, const char *region, const char *itype,
	    int64_t *nusd_per_hour);

/* O(1) hash lookup; NULL when unknown. */
const struct cat_itype *catalog_find(const struct catalog *, const char *name);
size_t	catalog_count(const struct catalog *);
/* Types sorted by name (strcmp), i < catalog_count(). */
const struct cat_itype *catalog_at(const struct catalog *, size_t i);

/*
 * Price in nano-USD per hour (0.096 -> 96000000).  spot: 0 on-demand, 1 spot
 * (the advisor-based estimate, see data/README.md).  Returns 0, or
 * KS_ENOENT when the catalog has no price for that region/type/capacity.
 */
int	catalog_price(const struct catalog *, const char *region,
	    const char *itype, int spot, int64_t *nusd_per_hour);
/* 1 when prices.csv has at least one row for region. */
int	catalog_has_region(const struct catalog *, const char *region);
/* Regions with prices, sorted by name. */
size_t	catalog_region_count(const struct catalog *);
const char *catalog_region_at(const struct catalog *, size_t i);
/* Spot advisor interruption index 0..4 (<5%, 5-10%, 10-15%, 15-20%, >20%), -1 unknown. */
int	catalog_spot_interruption(const struct catalog *, const char *region,
	    const char *itype);
/*
 * Spot advisor savings over on-demand, percent -100..100 (negative where
 * the advisor saw spot above on-demand).  Returns 0, or KS_ENOENT.
 */
int	catalog_spot_savings(const struct catalog *, const char *region,
	    const char *itype, int *pct);

/*
 * EKS node capacity and allocatable (reference ca-karpenter.md section 0.2,
 * the EKS AMI's formula): kube-reserved cpu piecewise, memory
 * 11*maxPods+255 MiB, ephemeral 1 GiB; eviction memory 100 MiB, nodefs 10%;
 * no system-reserved.  Memory capacity estimates the kernel's MemTotal:
 * 0.97 x nominal, 0.945 x nominal for GPU types.  Ephemeral capacity is the
 * AL2023 default 20 GiB root volume.
 */
struct cat_resources {
	int64_t		 cpu_m;		/* millicores */
	int64_t		 memory_b;	/* bytes */
	int64_t		 eph_b;		/* ephemeral storage, bytes */
	int64_t		 pods;		/* pods */
	int64_t		 gpus;		/* GPUs (nvidia.com/gpu or amd.com/gpu) */
};
#define CAT_EKS_ROOT_GIB	20	/* AL2023 default root volume, GiB */

/* kube-reserved cpu for `vcpu` vCPUs, millicores (EKS piecewise formula). */
int64_t	catalog_eks_kube_reserved_cpu_m(int64_t vcpu);
/* kube-reserved memory for `max_pods`, MiB: 11 * max_pods + 255. */
int64_t	catalog_eks_kube_reserved_mem_mib(int64_t max_pods);
/* max_pods_override 0 uses the catalog's ENI-limited value. */
void	catalog_eks_node(const struct cat_itype *, int max_pods_override,
	    struct cat_resources *capacity, struct cat_resources *allocatable);

#endif
