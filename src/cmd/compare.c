/*
 * cmd/compare.c: `ksim compare`: the same scenario under two settings (two
 * files, or --a and --b variants of one), each run one after the other in
 * this process, summarized (whatif_summary()) and printed side by side
 * (whatif_compare_text()) or as JSON.
 */
#include "cmd/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "whatif/whatif.h"

static enum cmd_status
compare_exec(struct cmd_args *a)
{
	struct whatif_opts *w = a->priv;
	struct ksim_opts o[2];
	const char **sets[2] = { NULL, NULL };
	size_t nsets[2] = { 0, 0 };
	char *label[2] = { NULL, NULL };
	json_t *sum[2] = { NULL, NULL };
	struct ks_error err;
	enum cmd_status rc = CMD_OK;

	whatif_wopts_finish(w, &a->o, a->sets, a->nsets);

	if (w->na == 0 && w->nb == 0 && w->o.nfiles != 2) {
		fprintf(stderr, "ksim: compare: expected two scenario files A and B, or --a and --b "
		    "variants of one scenario, found %zu file%s\n", w->o.nfiles,
		    w->o.nfiles == 1 ? "" : "s");
		return CMD_BAD;
	}
	for (int v = 0; v < 2; v++) {
		const char **extra = v ? w->b : w->a;
		size_t nextra = v ? w->nb : w->na;

		o[v] = w->o;
		for (size_t i = 0; i < w->nsets; i++)
			whatif_push_str(&sets[v], &nsets[v], w->sets[i]);
		for (size_t i = 0; i < nextra; i++)
			whatif_push_str(&sets[v], &nsets[v], extra[i]);
		o[v].sets = sets[v];
		o[v].nsets = nsets[v];
		if (w->na == 0 && w->nb == 0) {
			o[v].files = w->o.files + v;
			o[v].nfiles = 1;
		}
		label[v] = whatif_variant_label(&o[v], extra, nextra);
	}
	for (int v = 0; v < 2 && rc == CMD_OK; v++) {
		struct cmd_progress pg;
		int failed;

		ks_error_clear(&err);
		cmd_progress_arm(&pg, &o[v]);
		failed = whatif_run_summary(&o[v], 1, &sum[v], &err) != 0;
		cmd_progress_done(&pg);
		if (failed)
			rc = cmd_error(&err);
	}
	if (rc == CMD_OK) {
		char *buf = NULL;
		size_t len = 0;

		if (w->o.output == KSIM_JSON) {
			json_t *j = json_object();

			for (int v = 0; v < 2; v++) {
				json_t *x = json_object();

				json_object_set_new(x, "label", json_string(label[v]));
				json_object_set(x, "summary", sum[v]);
				json_object_set_new(j, v ? "b" : "a", x);
			}
			buf = whatif_json_text(j, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
			len = strlen(buf);
			json_decref(j);
		} else {
			FILE *fp = open_memstream(&buf, &len);

			whatif_compare_text(fp, (const char *const *)label, sum);
			fclose(fp);
		}
		rc = cmd_write(&w->o, buf, len);
		free(buf);
	}
	for (int v = 0; v < 2; v++) {
		json_decref(sum[v]);
		free(label[v]);
		free(sets[v]);
	}
	return rc;
}

static int
compare_option(struct cmd_args *a, enum cmd_opt id, const char *arg)
{
	struct whatif_opts *w = a->priv;

	if (strchr(arg, '=') == NULL || arg[0] == '=') {
		fprintf(stderr, "ksim: %s: expected PATH=VALUE, found \"%s\"\n",
		    id == OPT_A ? "--a" : "--b", arg);
		return -1;
	}
	whatif_push_str(id == OPT_A ? &w->a : &w->b, id == OPT_A ? &w->na : &w->nb, arg);
	return 0;
}

const struct cmd_entry cmd_compare_entry = {
	.name = "compare",
	.brief = "run two variants and compare them",
	.usage = "ksim compare [options] A.yaml B.yaml\n"
	    "       ksim compare [options] --a PATH=VALUE... --b PATH=VALUE... FILE...\n",
	.nofiles = "expected at least one scenario FILE",
	.family = CMD_FAM_WHATIF,
	.opts = CMD_OPTS_SHARED | CMD_OPT(OPT_A) | CMD_OPT(OPT_B),
	.priv_new = whatif_wopts_new,
	.priv_free = whatif_wopts_free,
	.option = compare_option,
	.exec = compare_exec,
};
