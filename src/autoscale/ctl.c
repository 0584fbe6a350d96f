/* ctl.c: the controller table, in the order controllers start and report. */
#include "autoscale/ctl.h"

const struct ctl_ops *const ctl_table[] = {
	NULL
};
