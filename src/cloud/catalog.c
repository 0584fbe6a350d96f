/*
 * catalog.c: the EC2 instance-type catalog, on-demand and spot prices, the
 * Spot Instance Advisor's data, and EKS node allocatable.
 *
 * What it models.  Everything ksim knows about an EC2 instance type comes
 * from four CSVs (data/README.md documents their columns and sources):
 * instance-types.csv (Karpenter's generated docs page plus the Cluster
 * Autoscaler's static list, ec2_instance_types.go), prices.csv (Karpenter's
 * zz_generated.pricing_aws.go for us-east-1, the AWS price list elsewhere,
 * spot as an advisor-based estimate), karpenter-allocatable.csv (what
 * Karpenter's docs page says is left for pods) and spot-advisor.csv.  The
 * files are compiled in by gen_catalog.sh; --catalog DIR reads the same
 * four names at run time through the same parser.  Two more are optional:
 * accelerators.csv says which device each accelerated type carries and
 * which extended resources its device plugin advertises
 * (catalog_device_resources(); without the file the gpus column is read
 * as NVIDIA GPUs, as before the file existed), and automode-fees.csv holds
 * the EKS Auto Mode fee as rules matched most-specific first.  Both keep
 * an owned copy of their text with fields terminated in place, like
 * instance-types.csv; a type points at its accelerator row.
 *
 * Allocatable.  catalog_eks_node() is the EKS AMI's formula (AL2
 * bootstrap.sh, AL2023 nodeadm internal/kubelet/config.go; Karpenter
 * re-derives it in aws:pkg/providers/instancetype/types.go), as in
 * reference ca-karpenter.md section 0.2.  The kube-reserved memory uses
 * the ENI-limited max pods even when max pods is overridden (nodeadm and
 * Karpenter both do; section B.8).  Memory capacity is the kernel's
 * MemTotal, which EC2 does not publish: 0.97 x nominal for non-GPU types
 * and 0.945 x nominal for GPU types (section 0.2's g6.4xlarge data point,
 * "about 5.5%" below nominal), rounded down to whole KiB like MemTotal.
 *
 * Derived labels.  hypervisor follows DescribeInstanceTypes as Karpenter's
 * docs page shows it: "" for bare metal, "xen" for the families listed in
 * xen_families[], "nitro" otherwise (all of a1, z1d, t3, i3en, g4dn ... are
 * Nitro despite generations below 5).  local_nvme is 1 when the family's
 * suffix after its generation digits contains 'd' (m5d, c6gd, r5dn, g4dn,
 * p4d, x2iedn) or the category is "i" (i3, i4i, im4gn); d2/d3 (HDD) and
 * p5 are missed, which the data cannot tell apart.
 *
 * Costs.  Loading parses about 1.7 MB of CSV (about 46 000 rows) in one
 * pass each, without allocating per row: instance-type strings point into
 * one owned copy of that CSV (commas overwritten by NULs), prices live in a
 * dense region-major table ntypes x nregions of fixed-size slots, and the
 * type lookup while parsing is a hash (FNV-1a, linear probing, load <= 1/2).
 * About 5 ms on a laptop; 1 MB of slots for 32 regions.  Rejected: a
 * sorted array with bsearch for the 44 000 price rows (slower, and the
 * hash is needed anyway for catalog_find), and a generated C table of
 * structs (faster start, but then --catalog DIR would need a second
 * parser and the generator would no longer be a few lines of awk).
 *
 * Rows of prices.csv and spot-advisor.csv naming a type that
 * instance-types.csv lacks (mac*, i3.metal, u-*tb1 ...) are skipped: ksim
 * cannot launch a type it has no shape for.
 */
#include "cloud/catalog.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#define CAT_MIB		INT64_C(1048576)	/* bytes in one MiB */
#define CAT_GIB		INT64_C(1073741824)	/* bytes in one GiB */

/* One (region, type) cell of the price table. */
struct cat_slot {
	int64_t		 od_nusd;	/* on-demand nano-USD/h, -1 none */
	int64_t		 spot_nusd;	/* spot estimate nano-USD/h, -1 none */
	int8_t		 savings;	/* advisor savings percent, INT8_MIN none */
	int8_t		 interruption;	/* advisor index 0..4, -1 none */
};

struct cat_region {
	char		*name;		/* "us-east-1", owned */
	int		 has_price;	/* 1 when prices.csv has a row */
};

struct catalog {
	char		*itypes_text;	/* owned copy of instance-types.csv */
	struct cat_itype *types;	/* sorted by name; ntypes */
	size_t		 ntypes;	/* entries in types */
	uint32_t	*hash;		/* index+1 into types, 0 empty; nhash */
	size_t		 nhash;		/* power of two >= 2 * ntypes */
	struct cat_region *regions;	/* in first-seen order; nregions */
	size_t		 nregions;	/* entries in regions */
	size_t		 aregions;	/* allocated regions */
	struct cat_slot	*slots;		/* [region * ntypes + type] */
	const char	**region_order;	/* names of regions with prices, sorted */
	size_t		 nregion_order;	/* entries in region_order */
	char		*accel_text;	/* owned copy of accelerators.csv, NULL none */
	struct cat_accel *accels;	/* one per accelerated type; naccels */
	size_t		 naccels;	/* entries in accels */
	char		*fees_text;	/* owned copy of automode-fees.csv, NULL none */
	struct cat_fee	*fees;		/* automode-fees.csv rules; nfees */
	size_t		 nfees;		/* entries in fees */
};

/* One automode-fees.csv row: "*" region or name matches any. */
struct cat_fee {
	const char	*region;	/* "us-east-1" or "*" (points into fees_text) */
	const char	*name;		/* "m5.large" or "*" */
	int64_t		 nusd;		/* nano-USD/h, -1 when given as a percentage */
	int64_t		 pct_e6;	/* percent of on-demand x 10^6, -1 when nusd */
};

/* A cursor over one CSV text; lines and columns are 1-based. */
struct csv {
	const char	*file;		/* interned name for marks */
	const char	*p;		/* next unread byte */
	const char	*end;		/* one past the last byte */
	int		 line;		/* line of the current row */
	const char	*field[12];	/* current row's fields (not NUL-ended) */
	size_t		 flen[12];	/* their lengths */
	int		 fcol[12];	/* their 1-based columns */
	int		 nfield;	/* fields in the current row */
};

static const char *const xen_families[] = {
	"c1", "c3", "c4", "cc2", "cr1", "d2", "f1", "g2", "g3", "g3s", "h1",
	"hs1", "i2", "i3", "m1", "m2", "m3", "m4", "p2", "p3", "r3", "r4",
	"t1", "t2", "x1", "x1e",
};

/* Process-lifetime names for marks, so an error outlives a failed load. */
struct cat_intern {
	struct cat_intern *next;	/* older entries */
	char		 s[];		/* the name */
};
static struct cat_intern *cat_interned;

static const char *
catalog_intern(const char *a, const char *b)
{
	struct cat_intern *it;
	size_t la = strlen(a), lb = strlen(b);

	for (it = cat_interned; it != NULL; it = it->next) {
		if (strlen(it->s) == la + lb && memcmp(it->s, a, la) == 0 &&
		    strcmp(it->s + la, b) == 0)
			return it->s;
	}
	it = xmalloc(sizeof(*it) + la + lb + 1);
	memcpy(it->s, a, la);
	memcpy(it->s + la, b, lb + 1);
	it->next = cat_interned;
	cat_interned = it;
	return it->s;
}

static uint32_t
catalog_hash_str(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* Index of the type named s[0..n), or -1. */
static long
catalog_lookup(const struct catalog *cat, const char *s, size_t n)
{
	size_t mask, i;
	uint32_t v;

	if (cat->nhash == 0)
		return -1;
	mask = cat->nhash - 1;
	i = catalog_hash_str(s, n) & mask;
	while ((v = cat->hash[i]) != 0) {
		const char *name = cat->types[v - 1].name;

		if (strncmp(name, s, n) == 0 && name[n] == '\0')
			return (long)(v - 1);
		i = (i + 1) & mask;
	}
	return -1;
}

static void
csv_init(struct csv *c, const char *file, const char *text, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->file = file;
	c->p = text;
	c->end = text + len;
}

static int
csv_error(struct csv *c, int col, struct ks_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
csv_error(struct csv *c, int col, struct ks_error *err, const char *fmt, ...)
{
	struct ks_mark at = { c->file, c->line, col };
	va_list ap;

	va_start(ap, fmt);
	ks_error_vset(err, &at, KS_EINVAL, fmt, ap);
	va_end(ap);
	return KS_EINVAL;
}

/*
 * Read the next non-empty row into c->field; expects `want` fields.
 * Returns 1 for a row, 0 at the end, or KS_EINVAL.
 */
static int
csv_next(struct csv *c, int want, struct ks_error *err)
{
	const char *p, *eol, *f;
	size_t len;

	assert(want <= (int)(sizeof(c->field) / sizeof(c->field[0])));
	for (;;) {
		if (c->p >= c->end)
			return 0;
		c->line++;
		p = c->p;
		eol = memchr(p, '\n', (size_t)(c->end - p));
		if (eol == NULL)
			eol = c->end;
		c->p = eol < c->end ? eol + 1 : eol;
		len = (size_t)(eol - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > 0)
			break;
	}
	c->nfield = 0;
	f = p;
	for (;;) {
		const char *comma = memchr(f, ',', (size_t)(p + len - f));
		const char *fend = comma != NULL ? comma : p + len;

		if (c->nfield == want)
			return csv_error(c, (int)(f - p), err,
			    "expected %d fields, found more", want);
		c->field[c->nfield] = f;
		c->flen[c->nfield] = (size_t)(fend - f);
		c->fcol[c->nfield] = (int)(f - p) + 1;
		if (memchr(f, '"', c->flen[c->nfield]) != NULL)
			return csv_error(c, c->fcol[c->nfield], err,
			    "expected an unquoted field, found '\"'");
		c->nfield++;
		if (comma == NULL)
			break;
		f = comma + 1;
	}
	if (c->nfield != want)
		return csv_error(c, (int)len + 1, err,
		    "expected %d fields, found %d", want, c->nfield);
	return 1;
}

/* The first row must be exactly `header`. */
static int
csv_header(struct csv *c, const char *header, int nfields,
    struct ks_error *err)
{
	size_t n;
	int rc;

	rc = csv_next(c, nfields, err);
	if (rc < 0)
		return rc;
	if (rc == 0 || c->line != 1) {
		struct ks_mark at = { c->file, 1, 1 };

		return ks_error_set(err, &at, KS_EINVAL,
		    "expected header \"%s\", found an empty line or file",
		    header);
	}
	n = (size_t)(c->field[nfields - 1] + c->flen[nfields - 1] -
	    c->field[0]);
	if (n != strlen(header) || memcmp(c->field[0], header, n) != 0)
		return csv_error(c, 1, err, "expected header \"%s\", found "
		    "\"%.*s\"", header, (int)(n > 200 ? 200 : n),
		    c->field[0]);
	return 0;
}

/* Field i as a non-negative integer no larger than max. */
static int
csv_int(struct csv *c, int i, int64_t max, const char *what, int64_t *out,
    struct ks_error *err)
{
	const char *s = c->field[i];
	size_t n = c->flen[i], k;
	int64_t v = 0;

	if (n == 0)
		return csv_error(c, c->fcol[i], err,
		    "expected an integer %s, found an empty field", what);
	for (k = 0; k < n; k++) {
		if (s[k] < '0' || s[k] > '9')
			return csv_error(c, c->fcol[i] + (int)k, err,
			    "expected an integer %s, found \"%.*s\"", what,
			    (int)n, s);
		v = v * 10 + (s[k] - '0');
		if (v > max)
			return csv_error(c, c->fcol[i], err,
			    "expected %s at most %lld, found \"%.*s\"", what,
			    (long long)max, (int)n, s);
	}
	*out = v;
	return 0;
}

/* Field i as an integer in [-max, max] (a leading '-' allowed). */
static int
csv_sint(struct csv *c, int i, int64_t max, const char *what, int64_t *out,
    struct ks_error *err)
{
	int neg = c->flen[i] > 0 && c->field[i][0] == '-';
	int rc;

	if (neg) {
		c->field[i]++;
		c->flen[i]--;
		c->fcol[i]++;
	}
	rc = csv_int(c, i, max, what, out, err);
	if (neg) {
		c->field[i]--;
		c->flen[i]++;
		c->fcol[i]--;
		*out = -*out;
	}
	return rc;
}

/*
 * Field i as a non-negative decimal scaled by 10^scale, exactly: "0.096" at
 * scale 9 is 96000000.  Digits beyond the scale must be zeros.
 */
static int
csv_decimal(struct csv *c, int i, int scale, const char *what, int64_t *out,
    struct ks_error *err)
{
	const char *s = c->field[i];
	size_t n = c->flen[i], k;
	int64_t ip = 0, fp = 0, lim = INT64_MAX, p10 = 1;
	int nfrac = 0, dot = 0, digits = 0;

	for (k = 0; k < (size_t)scale; k++)
		p10 *= 10;
	lim = INT64_MAX / p10 - 1;
	for (k = 0; k < n; k++) {
		char ch = s[k];

		if (ch == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (ch < '0' || ch > '9')
			return csv_error(c, c->fcol[i] + (int)k, err,
			    "expected a decimal %s, found \"%.*s\"", what,
			    (int)n, s);
		digits++;
		if (!dot) {
			ip = ip * 10 + (ch - '0');
			if (ip > lim)
				return csv_error(c, c->fcol[i], err,
				    "%s \"%.*s\" is too large", what, (int)n,
				    s);
		} else if (nfrac < scale) {
			fp = fp * 10 + (ch - '0');
			nfrac++;
		} else if (ch != '0')
			return csv_error(c, c->fcol[i] + (int)k, err,
			    "expected at most %d decimal places in %s, "
			    "found \"%.*s\"", scale, what, (int)n, s);
	}
	if (digits == 0)
		return csv_error(c, c->fcol[i], err,
		    "expected a decimal %s, found \"%.*s\"", what, (int)n, s);
	for (; nfrac < scale; nfrac++)
		fp *= 10;
	*out = ip * p10 + fp;
	return 0;
}

static int
csv_is(const struct csv *c, int i, const char *s)
{
	return c->flen[i] == strlen(s) && memcmp(c->field[i], s, c->flen[i]) ==
	    0;
}

static int
catalog_type_cmp(const void *a, const void *b)
{
	const struct cat_itype *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static const char *
catalog_hypervisor(const struct cat_itype *t)
{
	size_t i;

	if (t->metal)
		return "";
	for (i = 0; i < sizeof(xen_families) / sizeof(xen_families[0]); i++)
		if (strcmp(t->family, xen_families[i]) == 0)
			return "xen";
	return "nitro";
}

static int
catalog_local_nvme(const struct cat_itype *t)
{
	const char *s = t->family + strlen(t->category);

	if (strcmp(t->category, "i") == 0)
		return 1;
	while (*s >= '0' && *s <= '9')
		s++;
	return strchr(s, 'd') != NULL;
}

static int
catalog_parse_itypes(struct catalog *cat, struct csv *c, struct ks_error *err)
{
	static const char header[] = "name,family,category,generation,size,"
	    "vcpu,memory_mib,arch,gpus,max_pods";
	size_t cap = 0, i;
	int64_t v;
	int rc;

	if ((rc = csv_header(c, header, 10, err)) != 0)
		return rc;
	while ((rc = csv_next(c, 10, err)) == 1) {
		struct cat_itype t;
		char *base = cat->itypes_text;
		int k;

		memset(&t, 0, sizeof(t));
		for (k = 0; k < 5; k++) {
			if (c->flen[k] == 0 && k != 3)
				return csv_error(c, c->fcol[k], err,
				    "expected a non-empty %s, found an empty "
				    "field", k == 0 ? "name" : k == 1 ?
				    "family" : k == 2 ? "category" : "size");
		}
		/*
		 * Fields point into cat->itypes_text (c's buffer is that
		 * text); terminate them in place.
		 */
		for (k = 0; k < 10; k++)
			base[c->field[k] - base + (ptrdiff_t)c->flen[k]] =
			    '\0';
		t.name = c->field[0];
		t.family = c->field[1];
		t.category = c->field[2];
		t.size = c->field[4];
		if ((rc = csv_int(c, 3, 1000, "generation", &v, err)) != 0)
			return rc;
		t.generation = (int)v;
		if ((rc = csv_int(c, 5, 1 << 20, "vcpu", &v, err)) != 0)
			return rc;
		t.vcpu = (int)v;
		if ((rc = csv_int(c, 6, INT64_C(1) << 40, "memory_mib", &v,
		    err)) != 0)
			return rc;
		t.memory_mib = v;
		if (csv_is(c, 7, "amd64"))
			t.arch = "amd64";
		else if (csv_is(c, 7, "arm64"))
			t.arch = "arm64";
		else
			return csv_error(c, c->fcol[7], err,
			    "expected arch amd64 or arm64, found \"%s\"",
			    c->field[7]);
		if ((rc = csv_int(c, 8, 1024, "gpus", &v, err)) != 0)
			return rc;
		t.gpus = (int)v;
		if ((rc = csv_int(c, 9, 1 << 20, "max_pods", &v, err)) != 0)
			return rc;
		t.max_pods = (int)v;
		if (t.vcpu == 0 || t.memory_mib == 0 || t.max_pods == 0)
			return csv_error(c, c->fcol[t.vcpu == 0 ? 5 :
			    t.memory_mib == 0 ? 6 : 9], err,
			    "expected a positive vcpu, memory_mib and "
			    "max_pods for %s, found 0", t.name);
		t.metal = strncmp(t.size, "metal", 5) == 0;
		t.hypervisor = catalog_hypervisor(&t);
		t.local_nvme = catalog_local_nvme(&t);
		/* Remember the row's line for duplicate reports. */
		t.kp_pods = c->line;
		VEC_PUSH(cat->types, cat->ntypes, cap, t);
	}
	if (rc < 0)
		return rc;

	if (cat->ntypes > 1)	/* types is NULL when empty: qsort(NULL) is UB */
		qsort(cat->types, cat->ntypes, sizeof(*cat->types), catalog_type_cmp);
	for (i = 1; i < cat->ntypes; i++) {
		if (strcmp(cat->types[i - 1].name, cat->types[i].name) == 0) {
			int l1 = (int)cat->types[i - 1].kp_pods;
			int l2 = (int)cat->types[i].kp_pods;
			struct ks_mark at = { c->file, l1 > l2 ? l1 : l2, 1 };

			return ks_error_set(err, &at, KS_EINVAL,
			    "duplicate instance type %s (first on line %d)",
			    cat->types[i].name, l1 < l2 ? l1 : l2);
		}
	}
	for (i = 0; i < cat->ntypes; i++)
		cat->types[i].kp_pods = 0;

	cat->nhash = 16;
	while (cat->nhash < 2 * cat->ntypes)
		cat->nhash *= 2;
	cat->hash = xcalloc(cat->nhash, sizeof(*cat->hash));
	for (i = 0; i < cat->ntypes; i++) {
		const char *name = cat->types[i].name;
		size_t j = catalog_hash_str(name, strlen(name)) &
		    (cat->nhash - 1);

		while (cat->hash[j] != 0)
			j = (j + 1) & (cat->nhash - 1);
		cat->hash[j] = (uint32_t)(i + 1);
	}
	return 0;
}

static int
catalog_parse_kp(struct catalog *cat, struct csv *c, struct ks_error *err)
{
	static const char header[] = "name,cpu_millicores,memory_mib,"
	    "ephemeral_storage_gib,pods";
	int64_t cpu, mem, eph, pods;
	int rc;

	if ((rc = csv_header(c, header, 5, err)) != 0)
		return rc;
	while ((rc = csv_next(c, 5, err)) == 1) {
		struct cat_itype *t;
		long idx;

		if ((rc = csv_int(c, 1, INT64_C(1) << 40, "cpu_millicores",
		    &cpu, err)) != 0 ||
		    (rc = csv_int(c, 2, INT64_C(1) << 40, "memory_mib", &mem,
		    err)) != 0 ||
		    (rc = csv_decimal(c, 3, 0, "ephemeral_storage_gib", &eph,
		    err)) != 0 ||
		    (rc = csv_int(c, 4, 1 << 20, "pods", &pods, err)) != 0)
			return rc;
		idx = catalog_lookup(cat, c->field[0], c->flen[0]);
		if (idx < 0)
			continue;
		t = &cat->types[idx];
		if (t->has_kp)
			return csv_error(c, 1, err,
			    "duplicate karpenter-allocatable row for %s",
			    t->name);
		t->has_kp = 1;
		t->kp_cpu_m = cpu;
		t->kp_memory_mib = mem;
		t->kp_eph_gib = eph;
		t->kp_pods = pods;
	}
	return rc < 0 ? rc : 0;
}

/* Index of region s[0..n), added (with a fresh row of slots) if new. */
static size_t
catalog_region(struct catalog *cat, const char *s, size_t n)
{
	size_t i, j;

	for (i = cat->nregions; i-- > 0;) {
		const char *r = cat->regions[i].name;

		if (strncmp(r, s, n) == 0 && r[n] == '\0')
			return i;
	}
	if (cat->nregions == cat->aregions) {
		cat->aregions = cat->aregions ? cat->aregions * 2 : 16;
		cat->regions = xreallocarray(cat->regions, cat->aregions,
		    sizeof(*cat->regions));
		cat->slots = xreallocarray(cat->slots, cat->aregions *
		    (cat->ntypes ? cat->ntypes : 1), sizeof(*cat->slots));
	}
	i = cat->nregions++;
	cat->regions[i].name = xstrndup(s, n);
	cat->regions[i].has_price = 0;
	for (j = 0; j < cat->ntypes; j++) {
		struct cat_slot *sl = &cat->slots[i * cat->ntypes + j];

		sl->od_nusd = sl->spot_nusd = -1;
		sl->savings = INT8_MIN;
		sl->interruption = -1;
	}
	return i;
}

/*
 * The slot for the current row's region (field ri) and type (field ti),
 * or NULL when the type is not in the catalog.  *last caches the region.
 */
static struct cat_slot *
catalog_row_slot(struct catalog *cat, struct csv *c, int ri, int ti,
    size_t *last)
{
	const char *r;
	long idx;

	idx = catalog_lookup(cat, c->field[ti], c->flen[ti]);
	if (idx < 0)
		return NULL;
	r = *last < cat->nregions ? cat->regions[*last].name : NULL;
	if (r == NULL || strncmp(r, c->field[ri], c->flen[ri]) != 0 ||
	    r[c->flen[ri]] != '\0')
		*last = catalog_region(cat, c->field[ri], c->flen[ri]);
	return &cat->slots[*last * cat->ntypes + (size_t)idx];
}

static int
catalog_parse_prices(struct catalog *cat, struct csv *c, struct ks_error *err)
{
	static const char header[] = "region,name,capacity_type,usd_per_hour";
	size_t last = SIZE_MAX;
	int64_t nusd;
	int rc;

	if ((rc = csv_header(c, header, 4, err)) != 0)
		return rc;
	while ((rc = csv_next(c, 4, err)) == 1) {
		struct cat_slot *sl;
		int64_t *dst;
		int spot;

		if (c->flen[0] == 0)
			return csv_error(c, 1, err,
			    "expected a region, found an empty field");
		if (csv_is(c, 2, "on-demand"))
			spot = 0;
		else if (csv_is(c, 2, "spot"))
			spot = 1;
		else
			return csv_error(c, c->fcol[2], err,
			    "expected capacity_type on-demand or spot, found "
			    "\"%.*s\"", (int)c->flen[2], c->field[2]);
		if ((rc = csv_decimal(c, 3, 9, "usd_per_hour", &nusd,
		    err)) != 0)
			return rc;
		if ((sl = catalog_row_slot(cat, c, 0, 1, &last)) == NULL)
			continue;
		dst = spot ? &sl->spot_nusd : &sl->od_nusd;
		if (*dst >= 0)
			return csv_error(c, 1, err, "duplicate %s price for "
			    "%.*s in %s", spot ? "spot" : "on-demand",
			    (int)c->flen[1], c->field[1],
			    cat->regions[last].name);
		*dst = nusd;
		cat->regions[last].has_price = 1;
	}
	return rc < 0 ? rc : 0;
}

static int
catalog_parse_advisor(struct catalog *cat, struct csv *c,
    struct ks_error *err)
{
	static const char header[] = "region,name,savings_pct,"
	    "interruption_index,interruption_label";
	size_t last = SIZE_MAX;
	int64_t sav, idx;
	int rc;

	if ((rc = csv_header(c, header, 5, err)) != 0)
		return rc;
	while ((rc = csv_next(c, 5, err)) == 1) {
		struct cat_slot *sl;

		if (c->flen[0] == 0)
			return csv_error(c, 1, err,
			    "expected a region, found an empty field");
		/* Negative when spot costs more (ca-central-1 p5.48xlarge). */
		if ((rc = csv_sint(c, 2, 100, "savings_pct", &sav, err)) != 0 ||
		    (rc = csv_int(c, 3, 4, "interruption_index", &idx,
		    err)) != 0)
			return rc;
		if ((sl = catalog_row_slot(cat, c, 0, 1, &last)) == NULL)
			continue;
		if (sl->interruption >= 0)
			return csv_error(c, 1, err, "duplicate spot-advisor "
			    "row for %.*s in %s", (int)c->flen[1],
			    c->field[1], cat->regions[last].name);
		sl->savings = (int8_t)sav;
		sl->interruption = (int8_t)idx;
	}
	return rc < 0 ? rc : 0;
}

static int
catalog_region_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
catalog_load_mem(const char *dir, const char *itypes, size_t itypes_len,
    const char *prices, size_t prices_len, const char *kp, size_t kp_len,
    const char *advisor, size_t advisor_len, struct catalog **out,
    struct ks_error *err)
{
	struct catalog *cat;
	struct csv c;
	size_t i;
	int rc;

	assert(dir != NULL && out != NULL);
	assert(itypes != NULL && prices != NULL && kp != NULL &&
	    advisor != NULL);
	*out = NULL;
	cat = xcalloc(1, sizeof(*cat));
	cat->itypes_text = xmalloc(itypes_len + 1);
	memcpy(cat->itypes_text, itypes, itypes_len);
	cat->itypes_text[itypes_len] = '\0';

	csv_init(&c, catalog_intern(dir, "/instance-types.csv"),
	    cat->itypes_text, itypes_len);
	if ((rc = catalog_parse_itypes(cat, &c, err)) != 0)
		goto cleanup;
	csv_init(&c, catalog_intern(dir, "/karpenter-allocatable.csv"), kp,
	    kp_len);
	if ((rc = catalog_parse_kp(cat, &c, err)) != 0)
		goto cleanup;
	csv_init(&c, catalog_intern(dir, "/prices.csv"), prices, prices_len);
	if ((rc = catalog_parse_prices(cat, &c, err)) != 0)
		goto cleanup;
	csv_init(&c, catalog_intern(dir, "/spot-advisor.csv"), advisor,
	    advisor_len);
	if ((rc = catalog_parse_advisor(cat, &c, err)) != 0)
		goto cleanup;

	cat->region_order = xcalloc(cat->nregions + 1,
	    sizeof(*cat->region_order));
	for (i = 0; i < cat->nregions; i++)
		if (cat->regions[i].has_price)
			cat->region_order[cat->nregion_order++] =
			    cat->regions[i].name;
	qsort(cat->region_order, cat->nregion_order,
	    sizeof(*cat->region_order), catalog_region_cmp);
	*out = cat;
	cat = NULL;
	rc = 0;
cleanup:
	catalog_free(cat);
	return rc;
}

int
catalog_load_default(struct catalog **out, struct ks_error *err)
{
	int rc = catalog_load_mem("data", catalog_csv_instance_types,
	    catalog_csv_instance_types_size, catalog_csv_prices,
	    catalog_csv_prices_size, catalog_csv_karpenter_allocatable,
	    catalog_csv_karpenter_allocatable_size, catalog_csv_spot_advisor,
	    catalog_csv_spot_advisor_size, out, err);

	if (rc == 0)
		rc = catalog_add_accelerators(*out, "data", catalog_csv_accelerators,
		    catalog_csv_accelerators_size, err);
	if (rc == 0)
		rc = catalog_add_automode_fees(*out, "data", catalog_csv_automode_fees,
		    catalog_csv_automode_fees_size, err);
	if (rc != 0) {
		catalog_free(*out);
		*out = NULL;
	}
	return rc;
}

/* Read dir/name whole; *text is owned by the caller. */
static int
catalog_read_file(const char *dir, const char *name, char **text,
    size_t *len, struct ks_error *err)
{
	const char *path = catalog_intern(dir, name);
	struct ks_mark at = { path, 0, 0 };
	size_t cap = 65536, n = 0, got;
	char *buf;
	FILE *fp;

	*text = NULL;
	if ((fp = fopen(path, "rb")) == NULL)
		return ks_error_set(err, &at, errno == ENOENT ? KS_ENOENT :
		    KS_EIO, "cannot open catalog file: %s", strerror(errno));
	buf = xmalloc(cap);
	while ((got = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	if (ferror(fp)) {
		fclose(fp);
		free(buf);
		return ks_error_set(err, &at, KS_EIO,
		    "cannot read catalog file");
	}
	fclose(fp);
	*text = buf;
	*len = n;
	return 0;
}

/* DIR's accelerators.csv and automode-fees.csv, each optional. */
static int
catalog_load_optional(struct catalog *cat, const char *dir, struct ks_error *err)
{
	static const char *const names[2] = { "/accelerators.csv", "/automode-fees.csv" };
	int rc = 0;

	for (int i = 0; i < 2 && rc == 0; i++) {
		struct ks_error e2;
		char *text = NULL;
		size_t len = 0;

		memset(&e2, 0, sizeof(e2));
		rc = catalog_read_file(dir, names[i], &text, &len, &e2);
		if (rc == KS_ENOENT) {
			rc = 0;
			continue;
		}
		if (rc != 0) {
			if (err != NULL)
				*err = e2;
			return rc;
		}
		rc = i == 0 ? catalog_add_accelerators(cat, dir, text, len, err) :
		    catalog_add_automode_fees(cat, dir, text, len, err);
		free(text);
	}
	return rc;
}

int
catalog_load_dir(const char *dir, struct catalog **out, struct ks_error *err)
{
	static const char *const names[4] = { "/instance-types.csv",
	    "/prices.csv", "/karpenter-allocatable.csv", "/spot-advisor.csv" };
	char *text[4] = { NULL, NULL, NULL, NULL };
	size_t len[4] = { 0, 0, 0, 0 };
	int i, rc = 0;

	assert(dir != NULL && out != NULL);
	*out = NULL;
	for (i = 0; i < 4; i++)
		if ((rc = catalog_read_file(dir, names[i], &text[i], &len[i],
		    err)) != 0)
			goto cleanup;
	rc = catalog_load_mem(dir, text[0], len[0], text[1], len[1], text[2],
	    len[2], text[3], len[3], out, err);
	if (rc == 0)
		rc = catalog_load_optional(*out, dir, err);
	if (rc != 0 && *out != NULL) {
		catalog_free(*out);
		*out = NULL;
	}
cleanup:
	for (i = 0; i < 4; i++)
		free(text[i]);
	return rc;
}

void
catalog_free(struct catalog *cat)
{
	size_t i;

	if (cat == NULL)
		return;
	for (i = 0; i < cat->nregions; i++)
		free(cat->regions[i].name);
	free(cat->regions);
	free(cat->slots);
	free((void *)cat->region_order);
	free(cat->hash);
	free(cat->types);
	free(cat->itypes_text);
	free(cat->accels);
	free(cat->accel_text);
	free(cat->fees);
	free(cat->fees_text);
	free(cat);
}

const struct cat_itype *
catalog_find(const struct catalog *cat, const char *name)
{
	long idx;

	assert(cat != NULL && name != NULL);
	idx = catalog_lookup(cat, name, strlen(name));
	return idx < 0 ? NULL : &cat->types[idx];
}

size_t
catalog_count(const struct catalog *cat)
{
	assert(cat != NULL);
	return cat->ntypes;
}

const struct cat_itype *
catalog_at(const struct catalog *cat, size_t i)
{
	assert(cat != NULL && i < cat->ntypes);
	return &cat->types[i];
}

/* The slot for (region, itype), or NULL when either is unknown. */
static const struct cat_slot *
catalog_slot(const struct catalog *cat, const char *region, const char *itype)
{
	size_t r;
	long idx;

	assert(cat != NULL && region != NULL && itype != NULL);
	if ((idx = catalog_lookup(cat, itype, strlen(itype))) < 0)
		return NULL;
	for (r = 0; r < cat->nregions; r++)
		if (strcmp(cat->regions[r].name, region) == 0)
			return &cat->slots[r * cat->ntypes + (size_t)idx];
	return NULL;
}

int
catalog_price(const struct catalog *cat, const char *region,
    const char *itype, int spot, int64_t *nusd_per_hour)
{
	const struct cat_slot *sl = catalog_slot(cat, region, itype);
	int64_t v;

	assert(nusd_per_hour != NULL && (spot == 0 || spot == 1));
	if (sl == NULL)
		return KS_ENOENT;
	v = spot ? sl->spot_nusd : sl->od_nusd;
	if (v < 0)
		return KS_ENOENT;
	*nusd_per_hour = v;
	return 0;
}

int
catalog_has_region(const struct catalog *cat, const char *region)
{
	size_t r;

	assert(cat != NULL && region != NULL);
	for (r = 0; r < cat->nregions; r++)
		if (strcmp(cat->regions[r].name, region) == 0)
			return cat->regions[r].has_price;
	return 0;
}

size_t
catalog_region_count(const struct catalog *cat)
{
	assert(cat != NULL);
	return cat->nregion_order;
}

const char *
catalog_region_at(const struct catalog *cat, size_t i)
{
	assert(cat != NULL && i < cat->nregion_order);
	return cat->region_order[i];
}

int
catalog_spot_interruption(const struct catalog *cat, const char *region,
    const char *itype)
{
	const struct cat_slot *sl = catalog_slot(cat, region, itype);

	return sl == NULL ? -1 : sl->interruption;
}

int
catalog_spot_savings(const struct catalog *cat, const char *region,
    const char *itype, int *pct)
{
	const struct cat_slot *sl = catalog_slot(cat, region, itype);

	assert(pct != NULL);
	if (sl == NULL || sl->savings == INT8_MIN)
		return KS_ENOENT;
	*pct = sl->savings;
	return 0;
}

int64_t
catalog_eks_kube_reserved_cpu_m(int64_t vcpu)
{
	int64_t t = vcpu * 1000, r = 0;

	assert(vcpu >= 0);
	/* 6% of the first core, 1% of the second, 0.5% of cores 3-4,
	 * 0.25% above 4 (all in millicores). */
	r += (t < 1000 ? t : 1000) * 6 / 100;
	if (t > 1000)
		r += ((t < 2000 ? t : 2000) - 1000) * 1 / 100;
	if (t > 2000)
		r += ((t < 4000 ? t : 4000) - 2000) * 5 / 1000;
	if (t > 4000)
		r += (t - 4000) * 25 / 10000;
	return r;
}

int64_t
catalog_eks_kube_reserved_mem_mib(int64_t max_pods)
{
	assert(max_pods >= 0);
	return 11 * max_pods + 255;
}

void
catalog_eks_node(const struct cat_itype *t, int max_pods_override,
    struct cat_resources *cap, struct cat_resources *alloc)
{
	int64_t kib, pods, eph_reserved, eph_evict;

	assert(t != NULL && cap != NULL && alloc != NULL);
	assert(max_pods_override >= 0);
	pods = max_pods_override > 0 ? max_pods_override : t->max_pods;

	/* MemTotal estimate, whole KiB, rounded down. */
	kib = t->memory_mib * 1024 * (t->gpus > 0 ? 945 : 970) / 1000;
	cap->cpu_m = (int64_t)t->vcpu * 1000;
	cap->memory_b = kib * 1024;
	cap->eph_b = CAT_EKS_ROOT_GIB * CAT_GIB;
	cap->pods = pods;
	cap->gpus = t->gpus;

	/* nodefs.available 10%: the kubelet's percentage of capacity. */
	eph_reserved = CAT_GIB;
	eph_evict = cap->eph_b / 10;
	alloc->cpu_m = cap->cpu_m - catalog_eks_kube_reserved_cpu_m(t->vcpu);
	alloc->memory_b = cap->memory_b -
	    catalog_eks_kube_reserved_mem_mib(t->max_pods) * CAT_MIB -
	    100 * CAT_MIB;
	alloc->eph_b = cap->eph_b - eph_reserved - eph_evict;
	alloc->pods = pods;
	alloc->gpus = t->gpus;
	if (alloc->memory_b < 0)
		alloc->memory_b = 0;
	if (alloc->cpu_m < 0)
		alloc->cpu_m = 0;
}

/* ---- accelerators and the Auto Mode fee ---- */

/* Terminate row fields in place; the row lives in `text`. */
static void
csv_terminate(struct csv *c, char *text, int n)
{
	for (int k = 0; k < n; k++)
		text[c->field[k] - text + (ptrdiff_t)c->flen[k]] = '\0';
}

/* Check a MIG profile list, "1g.5gb:7 2g.10gb:3": names and counts 1..7. */
static int
catalog_check_mig(struct csv *c, int i, struct ks_error *err)
{
	const char *s = c->field[i];

	while (*s != '\0') {
		const char *colon = strchr(s, ':');
		char *end;
		long v;

		if (colon == NULL || colon == s)
			return csv_error(c, c->fcol[i] + (int)(s - c->field[i]), err,
			    "expected profile:count in mig_profiles, found \"%s\"", s);
		v = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || v < 1 || v > 7 || (*end != ' ' && *end != '\0'))
			return csv_error(c, c->fcol[i] + (int)(colon + 1 - c->field[i]), err,
			    "expected a count 1..7 after \"%.*s:\" in mig_profiles",
			    (int)(colon - s), s);
		s = *end == ' ' ? end + 1 : end;
	}
	return 0;
}

int
catalog_add_accelerators(struct catalog *cat, const char *dir, const char *text,
    size_t len, struct ks_error *err)
{
	static const char header[] = "name,kind,manufacturer,device,count,memory_mib,"
	    "resource,cores,mig_profiles";
	size_t cap = 0, *owner = NULL, ocap = 0, nown = 0;
	struct csv c;
	int64_t v;
	int rc;

	assert(cat != NULL && dir != NULL && text != NULL);
	assert(cat->accel_text == NULL);
	cat->accel_text = xmalloc(len + 1);
	memcpy(cat->accel_text, text, len);
	cat->accel_text[len] = '\0';
	csv_init(&c, catalog_intern(dir, "/accelerators.csv"), cat->accel_text, len);
	if ((rc = csv_header(&c, header, 9, err)) != 0)
		goto cleanup;
	while ((rc = csv_next(&c, 9, err)) == 1) {
		struct cat_accel a;
		long idx = catalog_lookup(cat, c.field[0], c.flen[0]);

		memset(&a, 0, sizeof(a));
		if (!csv_is(&c, 1, "gpu") && !csv_is(&c, 1, "accelerator")) {
			rc = csv_error(&c, c.fcol[1], err, "expected kind gpu or accelerator, "
			    "found \"%.*s\"", (int)c.flen[1], c.field[1]);
			goto cleanup;
		}
		if (c.flen[2] == 0 || c.flen[3] == 0) {
			rc = csv_error(&c, c.fcol[c.flen[2] == 0 ? 2 : 3], err,
			    "expected a non-empty manufacturer and device, found an empty field");
			goto cleanup;
		}
		csv_terminate(&c, cat->accel_text, 9);
		a.kind = csv_is(&c, 1, "gpu") ? "gpu" : "accelerator";
		a.manufacturer = c.field[2];
		a.device = c.field[3];
		if ((rc = csv_int(&c, 4, 1024, "count", &v, err)) != 0)
			goto cleanup;
		a.count = (int)v;
		if ((rc = csv_int(&c, 5, INT64_C(1) << 30, "memory_mib", &v, err)) != 0)
			goto cleanup;
		a.memory_mib = v;
		a.resource = c.field[6];
		if ((rc = csv_int(&c, 7, 1 << 16, "cores", &v, err)) != 0)
			goto cleanup;
		a.cores = (int)v;
		a.mig = c.field[8];
		if ((rc = catalog_check_mig(&c, 8, err)) != 0)
			goto cleanup;
		if (idx < 0)
			continue;
		if (cat->types[idx].accel != NULL) {
			rc = csv_error(&c, 1, err, "duplicate accelerators row for %s",
			    cat->types[idx].name);
			goto cleanup;
		}
		/* mark the type; pointers are set once the vector stops moving */
		cat->types[idx].accel = (const struct cat_accel *)cat;
		VEC_PUSH(cat->accels, cat->naccels, cap, a);
		VEC_PUSH(owner, nown, ocap, (size_t)idx);
	}
	if (rc < 0)
		goto cleanup;
	for (size_t i = 0; i < nown; i++)
		cat->types[owner[i]].accel = &cat->accels[i];
	rc = 0;
cleanup:
	if (rc != 0)
		for (size_t i = 0; i < nown; i++)
			cat->types[owner[i]].accel = NULL;
	free(owner);
	return rc;
}

int
catalog_add_automode_fees(struct catalog *cat, const char *dir, const char *text,
    size_t len, struct ks_error *err)
{
	static const char header[] = "region,name,usd_per_hour,pct_of_on_demand";
	size_t cap = 0;
	struct csv c;
	int rc;

	assert(cat != NULL && dir != NULL && text != NULL);
	assert(cat->fees_text == NULL);
	cat->fees_text = xmalloc(len + 1);
	memcpy(cat->fees_text, text, len);
	cat->fees_text[len] = '\0';
	csv_init(&c, catalog_intern(dir, "/automode-fees.csv"), cat->fees_text, len);
	if ((rc = csv_header(&c, header, 4, err)) != 0)
		return rc;
	while ((rc = csv_next(&c, 4, err)) == 1) {
		struct cat_fee f = { NULL, NULL, -1, -1 };

		if (c.flen[0] == 0 || c.flen[1] == 0)
			return csv_error(&c, c.fcol[c.flen[0] == 0 ? 0 : 1], err,
			    "expected a region and a name (or \"*\"), found an empty field");
		if ((c.flen[2] == 0) == (c.flen[3] == 0))
			return csv_error(&c, c.fcol[2], err,
			    "expected exactly one of usd_per_hour and pct_of_on_demand");
		if (c.flen[2] != 0 &&
		    (rc = csv_decimal(&c, 2, 9, "usd_per_hour", &f.nusd, err)) != 0)
			return rc;
		if (c.flen[3] != 0 &&
		    (rc = csv_decimal(&c, 3, 6, "pct_of_on_demand", &f.pct_e6, err)) != 0)
			return rc;
		csv_terminate(&c, cat->fees_text, 4);
		f.region = c.field[0];
		f.name = c.field[1];
		VEC_PUSH(cat->fees, cat->nfees, cap, f);
	}
	return rc < 0 ? rc : 0;
}

int
catalog_automode_fee(const struct catalog *cat, const char *region, const char *itype,
    int64_t *nusd_per_hour)
{
	const struct cat_fee *best = NULL;
	int best_score = -1;
	int64_t od;

	assert(cat != NULL && region != NULL && itype != NULL && nusd_per_hour != NULL);
	for (size_t i = 0; i < cat->nfees; i++) {
		const struct cat_fee *f = &cat->fees[i];
		int rx = strcmp(f->region, region) == 0, nx = strcmp(f->name, itype) == 0;
		int score;

		if ((!rx && strcmp(f->region, "*") != 0) || (!nx && strcmp(f->name, "*") != 0))
			continue;
		score = 2 * rx + nx;
		if (score > best_score) {
			best = f;
			best_score = score;
		}
	}
	if (best == NULL)
		return KS_ENOENT;
	if (best->nusd >= 0) {
		*nusd_per_hour = best->nusd;
		return 0;
	}
	if (catalog_price(cat, region, itype, 0, &od) != 0)
		return KS_ENOENT;
	/* pct_e6 / 10^8 of the price, rounded half up to whole nano-USD */
	*nusd_per_hour = (od * best->pct_e6 + 50000000) / 100000000;
	return 0;
}

int
catalog_mig_per_gpu(const struct cat_itype *t, const char *profile)
{
	const char *s;
	size_t n;

	assert(t != NULL && profile != NULL);
	if (t->accel == NULL || t->accel->mig[0] == '\0')
		return 0;
	n = strlen(profile);
	for (s = t->accel->mig; *s != '\0'; s++) {
		if ((s == t->accel->mig || s[-1] == ' ') && strncmp(s, profile, n) == 0 &&
		    s[n] == ':')
			return atoi(s + n + 1);
	}
	return 0;
}

size_t
catalog_device_resources(const struct cat_itype *t, const char *mig_profile,
    struct cat_devres *out, size_t max)
{
	const struct cat_accel *a;
	size_t n = 0;

	assert(t != NULL && out != NULL && max >= 3);
	a = t->accel;
	if (a == NULL) {
		/* no accelerators.csv: the gpus column, read as NVIDIA GPUs */
		if (t->gpus > 0) {
			out[n].name = "nvidia.com/gpu";
			out[n++].count = t->gpus;
		}
		return n;
	}
	if (a->count == 0 || a->resource[0] == '\0')
		return 0;
	if (mig_profile != NULL && strcmp(a->resource, "nvidia.com/gpu") == 0) {
		int per = catalog_mig_per_gpu(t, mig_profile);

		if (per > 0) {
			char buf[64];

			snprintf(buf, sizeof(buf), "nvidia.com/mig-%s", mig_profile);
			out[n].name = catalog_intern(buf, "");
			out[n++].count = (int64_t)per * a->count;
			return n;
		}
	}
	out[n].name = a->resource;
	out[n++].count = a->count;
	if (strcmp(a->resource, "aws.amazon.com/neuron") == 0) {
		out[n].name = "aws.amazon.com/neurondevice";
		out[n++].count = a->count;
		if (a->cores > 0) {
			out[n].name = "aws.amazon.com/neuroncore";
			out[n++].count = a->cores;
		}
	}
	return n;
}
