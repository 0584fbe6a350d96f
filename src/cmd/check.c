/*
 * cmd/check.c: `ksim check`: run the scenario and evaluate its
 * expectations (spec.expect); a failed expectation is CMD_EXPECT_FAILED.
 */
#include "cmd/cmd.h"

#include <stdio.h>

#include "util/error.h"

static enum cmd_status
check_exec(struct cmd_args *a)
{
	struct cmd_progress pg;
	struct ks_error err;
	size_t failed;
	int rc;

	ks_error_clear(&err);
	cmd_progress_arm(&pg, &a->o);
	rc = ksim_check(&a->o, &failed, &err);
	cmd_progress_done(&pg);
	if (rc != 0) {
		ks_error_print(stderr, &err);
		return CMD_BAD;
	}
	return failed ? CMD_EXPECT_FAILED : CMD_OK;
}

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.usage = "ksim check [options] [--junit FILE] [--tap] FILE...\n",
	.nofiles = "expected at least one scenario FILE",
	.family = CMD_FAM_RUN,
	.opts = CMD_OPTS_RUN_FAMILY,
	.exec = check_exec,
};
