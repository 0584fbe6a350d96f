/* karpenter.c: placeholder; the controller is being written. */
#include "autoscale/ctl.h"
#include "run.h"

static int
karpenter_init(struct ks_run *r, void **state, struct ks_error *err)
{
	(void)r;
	(void)err;
	*state = NULL;
	return 0;
}

static void
karpenter_free(void *state)
{
	(void)state;
}

const struct ctl_ops karpenter_ctl = { "karpenter", karpenter_init, NULL, NULL, karpenter_free };
