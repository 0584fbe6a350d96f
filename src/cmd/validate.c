/*
 * cmd/validate.c: `ksim validate`: load the scenario and set up its run
 * (every controller's configuration read), without simulating.
 */
#include "cmd/cmd.h"

#include <stdio.h>

#include "util/error.h"

static enum cmd_status
validate_exec(struct cmd_args *a)
{
	struct ks_error err;

	if (cmd_run_family_check_only(a) != CMD_OK)
		return CMD_BAD;
	ks_error_clear(&err);
	if (ksim_validate(&a->o, &err) != 0) {
		ks_error_print(stderr, &err);
		return CMD_BAD;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_validate_entry = {
	.name = "validate",
	.usage = "ksim validate [options] FILE...\n",
	.nofiles = "expected at least one scenario FILE",
	.family = CMD_FAM_RUN,
	.opts = CMD_OPTS_RUN_FAMILY,
	.exec = validate_exec,
};
