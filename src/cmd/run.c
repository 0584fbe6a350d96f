/*
 * cmd/run.c: `ksim run`: load, simulate and write the report (text or
 * JSON, and --csv / --svg beside it) through the library's front door.
 * Also what run and validate share: both refuse --junit and --tap, which
 * the run family parses for check.
 */
#include "cmd/cmd.h"

#include <stdio.h>

#include "util/error.h"

enum cmd_status
cmd_run_family_exec(const struct cmd_args *a,
    int (*fn)(const struct ksim_opts *, struct ks_error *))
{
	struct ks_error err;

	if (a->o.junit_file != NULL || a->o.tap) {
		fprintf(stderr, "ksim: --junit and --tap go with check, not %s\n", a->cmd->name);
		return CMD_BAD;
	}
	ks_error_clear(&err);
	cmd_warn_arm(&a->o);
	return fn(&a->o, &err) != 0 ? cmd_error(&err) : CMD_OK;
}

/* ksim_run with the progress line on a terminal */
static int
run_progress(const struct ksim_opts *o, struct ks_error *err)
{
	struct ksim_opts mine = *o;
	struct cmd_progress pg;
	int rc;

	cmd_progress_arm(&pg, &mine);
	rc = ksim_run(&mine, err);
	cmd_progress_done(&pg);
	return rc;
}

static enum cmd_status
run_exec(struct cmd_args *a)
{
	return cmd_run_family_exec(a, run_progress);
}

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.brief = "simulate and print the report",
	.usage = "ksim run [options] FILE...\n",
	.nofiles = "expected at least one scenario FILE",
	.family = CMD_FAM_RUN,
	.opts = CMD_OPTS_RUN_FAMILY | CMD_OPT(OPT_DETAIL),
	.outputs = CMD_OUT(KSIM_TEXT) | CMD_OUT(KSIM_JSON) | CMD_OUT(KSIM_YAML) | CMD_OUT(KSIM_WIDE),
	.exec = run_exec,
};
