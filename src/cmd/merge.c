/*
 * cmd/merge.c: `ksim merge`: the JSON lines of `ksim sweep --shard I/N`
 * outputs, checked line by line and as one sweep (same --vary, every
 * combination exactly once; whatif/merge.c) and printed as the unsharded
 * sweep would print them.
 */
#include "cmd/cmd.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whatif/whatif.h"

static enum cmd_status
merge_exec(struct cmd_args *a)
{
	struct whatif_opts *w = a->priv;
	struct whatif_merge *m = whatif_merge_new();
	struct ks_error err;
	char *buf = NULL;
	size_t len;
	int rc = 0;

	whatif_wopts_finish(w, &a->o, a->sets, a->nsets);
	ks_error_clear(&err);
	for (size_t f = 0; f < w->o.nfiles && rc == 0; f++) {
		const char *name = w->o.files[f];
		FILE *fp = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");

		if (fp == NULL) {
			struct ks_mark at = { name, 0, 0 };

			rc = ks_error_set(&err, &at, KS_EIO, "cannot read: %s", strerror(errno));
			break;
		}
		rc = whatif_merge_read(m, name, fp, &err);
		if (fp != stdin)
			fclose(fp);
	}
	if (rc == 0)
		rc = whatif_merge_table(m, w->metrics_given ? w->metrics : NULL, w->nmetrics,
		    w->o.output, &buf, &len, &err);
	whatif_merge_free(m);
	if (rc != 0)
		return cmd_error(&err);
	{
		enum cmd_status st = cmd_write(&w->o, buf, len);

		free(buf);
		return st;
	}
}

static int
merge_option(struct cmd_args *a, enum cmd_opt id, const char *arg)
{
	struct ks_error err;

	assert(id == OPT_METRICS);
	ks_error_clear(&err);
	if (whatif_metrics_option(a->priv, arg, &err) != 0) {
		ks_error_print(stderr, &err);
		return -1;
	}
	return 0;
}

const struct cmd_entry cmd_merge_entry = {
	.name = "merge",
	.brief = "join the outputs of sweep --shard",
	.usage = "ksim merge [-o text|json] [--metrics M1,M2,...] SHARD-OUTPUT...\n",
	.nofiles = "expected at least one shard output FILE",
	.family = CMD_FAM_WHATIF,
	.opts = CMD_OPTS_SHARED | CMD_OPT(OPT_METRICS),
	.priv_new = whatif_wopts_new,
	.priv_free = whatif_wopts_free,
	.option = merge_option,
	.exec = merge_exec,
};
