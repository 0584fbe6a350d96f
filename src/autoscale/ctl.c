/* ctl.c: the controller table, in the order controllers start and report. */
#include "autoscale/ctl.h"

extern const struct ctl_ops hpa_ctl, vpa_ctl, ca_ctl, karpenter_ctl, cronjob_ctl;

const struct ctl_ops *const ctl_table[] = {
	&hpa_ctl,
	&vpa_ctl,
	&ca_ctl,
	&karpenter_ctl,
	&cronjob_ctl,
	NULL
};
