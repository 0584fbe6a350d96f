/*
 * cmd/validate.c: `ksim validate`: load the scenario and set up its run
 * (every controller's configuration read), without simulating.
 */
#include "cmd/cmd.h"

static enum cmd_status
validate_exec(struct cmd_args *a)
{
	return cmd_run_family_exec(a, ksim_validate);
}

const struct cmd_entry cmd_validate_entry = {
	.name = "validate",
	.brief = "load and check the scenario without simulating",
	.usage = "ksim validate [options] FILE...\n",
	.nofiles = "expected at least one scenario FILE",
	.family = CMD_FAM_RUN,
	.opts = CMD_OPTS_RUN_FAMILY,
	.exec = validate_exec,
};
