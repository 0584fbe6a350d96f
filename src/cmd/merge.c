/*
 * cmd/merge.c: `ksim merge`: the JSON lines of `ksim sweep --shard I/N`
 * outputs, checked to come from one sweep (same --vary, every combination
 * exactly once) and printed as the unsharded sweep would print them.
 */
#include "cmd/cmd.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "util/xmalloc.h"
#include "whatif/whatif.h"

static enum cmd_status
merge_exec(struct cmd_args *a)
{
	struct whatif_opts *w = a->priv;
	char **lines = NULL;
	size_t n = 0, ncombos;
	json_t **rows = NULL, *vary;
	char **m = w->metrics, **mfrom = NULL;
	size_t nm = w->nmetrics;
	enum cmd_status rc = CMD_OK;

	whatif_wopts_finish(w, &a->o, a->sets, a->nsets);

	for (size_t f = 0; f < w->o.nfiles; f++) {
		FILE *fp = strcmp(w->o.files[f], "-") == 0 ? stdin : fopen(w->o.files[f], "r");
		char *line = NULL;
		size_t cap = 0;
		ssize_t got;

		if (fp == NULL) {
			fprintf(stderr, "ksim: %s: cannot read: %s\n", w->o.files[f], strerror(errno));
			rc = CMD_BAD;
			break;
		}
		while ((got = getline(&line, &cap, fp)) > 0) {
			if (strspn(line, " \t\r\n") == (size_t)got)
				continue;
			lines = xreallocarray(lines, n + 1, sizeof(*lines));
			lines[n++] = xstrdup(line);
		}
		free(line);
		if (fp != stdin)
			fclose(fp);
	}
	if (rc == CMD_OK && n == 0) {
		fprintf(stderr, "ksim: merge: the shard outputs hold no sweep lines\n");
		rc = CMD_BAD;
	}
	if (rc == CMD_OK) {
		rows = xcalloc(n, sizeof(*rows));
		if (whatif_parse_rows(lines, n, rows, "merge") != 0)
			rc = CMD_BAD;
	}
	if (rc == CMD_OK) {
		unsigned char *seen;
		size_t missing = 0;

		vary = json_object_get(rows[0], "vary");
		ncombos = (size_t)whatif_jint(rows[0], "combinations");
		seen = xcalloc(ncombos + 1, 1);
		for (size_t i = 0; i < n && rc == CMD_OK; i++) {
			int64_t idx = whatif_jint(rows[i], "index");

			if (!json_equal(json_object_get(rows[i], "vary"), vary) ||
			    whatif_jint(rows[i], "combinations") != (int64_t)ncombos) {
				fprintf(stderr, "ksim: merge: line %zu comes from a different sweep "
				    "(other --vary values)\n", i + 1);
				rc = CMD_BAD;
			} else if (idx < 0 || (size_t)idx >= ncombos) {
				fprintf(stderr, "ksim: merge: line %zu: index %lld is out of range "
				    "(0 to %zu)\n", i + 1, (long long)idx, ncombos - 1);
				rc = CMD_BAD;
			} else if (seen[idx]++) {
				fprintf(stderr, "ksim: merge: combination %lld appears twice (the same "
				    "shard given twice?)\n", (long long)idx);
				rc = CMD_BAD;
			}
		}
		for (size_t i = 0; i < ncombos && rc == CMD_OK; i++)
			missing += !seen[i];
		if (rc == CMD_OK && missing > 0) {
			fprintf(stderr, "ksim: merge: %zu of %zu combinations are missing, the first "
			    "is", missing, ncombos);
			for (size_t i = 0; i < ncombos; i++)
				if (!seen[i]) {
					fprintf(stderr, " %zu", i);
					break;
				}
			fprintf(stderr, " (a shard output is missing or incomplete)\n");
			rc = CMD_BAD;
		}
		free(seen);
	}
	if (rc == CMD_OK) {
		char *buf;
		size_t len;

		if (!w->metrics_given) {
			json_t *jm = json_object_get(rows[0], "metrics");

			nm = json_array_size(jm);
			mfrom = xcalloc(nm + 1, sizeof(*mfrom));
			for (size_t i = 0; i < nm; i++)
				mfrom[i] = xstrdup(json_string_value(json_array_get(jm, i)) ?
				    json_string_value(json_array_get(jm, i)) : "-");
			m = mfrom;
		}
		qsort(rows, n, sizeof(*rows), whatif_cmp_index);
		buf = whatif_sweep_table(rows, n, m, nm, w->o.output, &len);
		rc = cmd_write(&w->o, buf, len);
		free(buf);
	}
	for (size_t i = 0; i < n; i++) {
		if (rows != NULL)
			json_decref(rows[i]);
		free(lines[i]);
	}
	if (mfrom != NULL)
		for (size_t i = 0; i < nm; i++)
			free(mfrom[i]);
	free(mfrom);
	free(rows);
	free(lines);
	return rc;
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
	.usage = "ksim merge [-o text|json] [--metrics M1,M2,...] SHARD-OUTPUT...\n",
	.nofiles = "expected at least one shard output FILE",
	.family = CMD_FAM_WHATIF,
	.opts = CMD_OPTS_SHARED | CMD_OPT(OPT_METRICS),
	.priv_new = whatif_wopts_new,
	.priv_free = whatif_wopts_free,
	.option = merge_option,
	.exec = merge_exec,
};
