/*
 * cmd/check.c: `ksim check`: run the scenario and evaluate its
 * expectations (spec.expect); a failed expectation is CMD_EXPECT_FAILED.
 * The verdicts print as lines, as JSON (-o json) or as TAP (--tap), whose
 * consumer reads the standard output only: bad input there is also a
 * "Bail out!" line (the TAP way to say the run could not be made), after
 * the usual error on the standard error.
 */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

/* "Bail out! input.yaml:3:5: msg": the error as ks_error_print() words it, without "ksim: ". */
static void
bail_out(const struct ks_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		return;
	ks_error_print(fp, err);
	fclose(fp);
	printf("TAP version 13\nBail out! %s", strncmp(buf, "ksim: ", 6) == 0 ? buf + 6 : buf);
	fflush(stdout);
	free(buf);
}

static enum cmd_status
check_exec(struct cmd_args *a)
{
	struct cmd_progress pg;
	struct ks_error err;
	size_t failed;
	int rc;

	if (a->o.tap && a->o.output != KSIM_TEXT) {
		fprintf(stderr, "ksim: check: --tap and --output are two formats: give one\n");
		return CMD_BAD;
	}
	ks_error_clear(&err);
	cmd_warn_arm(&a->o);
	cmd_progress_arm(&pg, &a->o);
	rc = ksim_check(&a->o, &failed, &err);
	cmd_progress_done(&pg);
	if (rc != 0) {
		ks_error_print(stderr, &err);
		if (a->o.tap && a->o.output_file == NULL)
			bail_out(&err);
		return CMD_BAD;
	}
	return failed ? CMD_EXPECT_FAILED : CMD_OK;
}

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.brief = "simulate and evaluate the scenario's expectations",
	.usage = "ksim check [options] [--junit FILE] [--tap] FILE...\n",
	.nofiles = "expected at least one scenario FILE",
	.family = CMD_FAM_RUN,
	.opts = CMD_OPTS_RUN_FAMILY,
	.exec = check_exec,
};
