/*
 * cmd/run.c: `ksim run`: load, simulate and write the report (text or
 * JSON, and --csv / --svg beside it) through the library's front door.
 */
#include "cmd/cmd.h"

#include <stdio.h>

#include "util/error.h"

/* --junit and --tap parse for every command of the run family; only check takes them. */
enum cmd_status
cmd_run_family_check_only(const struct cmd_args *a)
{
	if (a->o.junit_file != NULL || a->o.tap) {
		fprintf(stderr, "ksim: --junit and --tap go with check, not %s\n", a->cmd->name);
		return CMD_BAD;
	}
	return CMD_OK;
}

static enum cmd_status
run_exec(struct cmd_args *a)
{
	struct ks_error err;

	if (cmd_run_family_check_only(a) != CMD_OK)
		return CMD_BAD;
	ks_error_clear(&err);
	if (ksim_run(&a->o, &err) != 0) {
		ks_error_print(stderr, &err);
		return CMD_BAD;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.usage = "ksim run [options] FILE...\n",
	.nofiles = "expected at least one scenario FILE",
	.family = CMD_FAM_RUN,
	.opts = CMD_OPTS_RUN_FAMILY,
	.exec = run_exec,
};
