/* ca.c: placeholder; the controller is being written. */
#include "autoscale/ctl.h"
#include "run.h"

static int
ca_init(struct ks_run *r, void **state, struct ks_error *err)
{
	(void)r;
	(void)err;
	*state = NULL;
	return 0;
}

static void
ca_free(void *state)
{
	(void)state;
}

const struct ctl_ops ca_ctl = { "ca", ca_init, NULL, NULL, ca_free };
