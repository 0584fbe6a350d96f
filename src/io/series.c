/* series.c: placeholder; --csv and --svg are being written. */
#include "io/series.h"

int
report_csv(struct ks_run *r, const char *dir, struct ks_error *err)
{
	(void)r;
	return ks_error_set(err, NULL, KS_EUSAGE, "--csv %s: not supported yet", dir);
}

int
report_svg(struct ks_run *r, const char *path, struct ks_error *err)
{
	(void)r;
	return ks_error_set(err, NULL, KS_EUSAGE, "--svg %s: not supported yet", path);
}
