/* override.c: placeholder; --set is being written. */
#include "io/override.h"

#include "io/ytree.h"

int
override_apply(struct yt_stream **streams, size_t nstreams, const char *const *sets,
    size_t nsets, struct ks_error *err)
{
	(void)streams;
	(void)nstreams;
	if (nsets > 0)
		return ks_error_set(err, NULL, KS_EUSAGE, "--set %s: not supported yet", sets[0]);
	return 0;
}
