/*
 * fuzz_merge.c: libFuzzer target for `ksim merge`: one input is one shard
 * output file, read and checked line by line (whatif_merge_read) and, when
 * every line is good, checked as one sweep and printed as the text table
 * and as JSON (whatif_merge_table), exactly as the command does.
 *
 * Why this shape.  Shard files come from other machines, so merge must
 * refuse any line it cannot print correctly, and never crash, leak or run
 * into undefined behaviour on one (the class of a line without
 * `combinations`, which wrote out of bounds on the heap).  Merging needs
 * no catalog and no simulation, so an input costs microseconds and the
 * whole command fits in one process.
 *
 * A good seed is the output of `ksim sweep --shard 0/2 scenarios/whatif-web.yaml
 * --vary nodes.0.count=2,3` (one JSON line per combination).  Built like
 * fuzz_run.c with clang's -fsanitize=fuzzer,address,undefined; see README.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ksim.h"
#include "util/error.h"
#include "whatif/whatif.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum ksim_output outs[] = { KSIM_TEXT, KSIM_JSON };
	struct whatif_merge *m;
	struct ks_error err;
	FILE *fp;

	if (size == 0)
		return 0;
	if ((fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	m = whatif_merge_new();
	ks_error_clear(&err);
	if (whatif_merge_read(m, "shard.jsonl", fp, &err) == 0) {
		for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
			char *buf = NULL;
			size_t len;

			ks_error_clear(&err);
			if (whatif_merge_table(m, NULL, 0, outs[i], &buf, &len, &err) == 0 &&
			    buf == NULL)
				abort();	/* success without output */
			free(buf);
		}
	}
	fclose(fp);
	whatif_merge_free(m);
	return 0;
}
