/* hpa.c: placeholder; the controller is being written. */
#include "autoscale/ctl.h"
#include "run.h"

static int
hpa_init(struct ks_run *r, void **state, struct ks_error *err)
{
	(void)r;
	(void)err;
	*state = NULL;
	return 0;
}

static void
hpa_free(void *state)
{
	(void)state;
}

const struct ctl_ops hpa_ctl = { "hpa", hpa_init, NULL, NULL, hpa_free };
