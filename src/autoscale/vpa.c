/* vpa.c: placeholder; the controller is being written. */
#include "autoscale/ctl.h"
#include "run.h"

static int
vpa_init(struct ks_run *r, void **state, struct ks_error *err)
{
	(void)r;
	(void)err;
	*state = NULL;
	return 0;
}

static void
vpa_free(void *state)
{
	(void)state;
}

const struct ctl_ops vpa_ctl = { "vpa", vpa_init, NULL, NULL, vpa_free };
