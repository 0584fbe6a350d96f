/* metrics.c: placeholder; the load model is being written. */
#include "cluster/metrics.h"

#include "run.h"

int
metrics_init(struct ks_run *r, struct ks_error *err)
{
	(void)r;
	(void)err;
	return 0;
}

void
metrics_free(struct ks_run *r)
{
	(void)r;
}

void
metrics_usage(struct ks_run *r, const struct ks_pod *p, size_t ctr, int64_t t_ms,
    int64_t *cpu_m, int64_t *mem_b)
{
	(void)r;
	(void)p;
	(void)ctr;
	(void)t_ms;
	*cpu_m = *mem_b = 0;
}

int
metrics_pod(struct ks_run *r, const struct ks_pod *p, size_t ctr,
    int64_t *cpu_m, int64_t *mem_b, int64_t *ts_ms, int64_t *window_ms)
{
	(void)r;
	(void)p;
	(void)ctr;
	*cpu_m = *mem_b = *ts_ms = *window_ms = 0;
	return KS_ENOENT;
}
