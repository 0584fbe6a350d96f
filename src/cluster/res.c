/*
 * res.c: the names of the resource slots of res.h, and the device plugins'
 * extended resources of an instance type.  The run-time slots are named in
 * first-use order; see res.h for why a fixed table and not a map.
 */
#include "cluster/res.h"

#include <assert.h>
#include <string.h>

#include "cloud/catalog.h"
#include "util/intern.h"

const char *res_name[RES_N] = { "cpu", "memory", "ephemeral-storage", "pods",
    "nvidia.com/gpu", "amd.com/gpu", "aws.amazon.com/neuron",
    "aws.amazon.com/neurondevice", "aws.amazon.com/neuroncore", "habana.ai/gaudi" };

int
res_lookup(const char *name)
{
	assert(name != NULL);
	for (int i = 0; i < RES_N && res_name[i] != NULL; i++)
		if (strcmp(res_name[i], name) == 0)
			return i;
	return -1;
}

int
res_index(const char *name)
{
	int i = res_lookup(name);

	if (i >= 0)
		return i;
	for (i = RES_EXT0; i < RES_N; i++)
		if (res_name[i] == NULL) {
			res_name[i] = intern(name);
			return i;
		}
	return -1;
}

void
res_set_devices(struct ks_res *r, const struct cat_itype *it, const char *mig_profile)
{
	struct cat_devres d[4];
	size_t n;

	assert(r != NULL && it != NULL);
	for (int i = RES_GPU; i < RES_N; i++)
		r->v[i] = 0;
	n = catalog_device_resources(it, mig_profile, d, 4);
	for (size_t i = 0; i < n; i++) {
		int k = res_index(d[i].name);

		if (k >= 0)
			r->v[k] = d[i].count;
	}
}
