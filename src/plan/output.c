/*
 * plan/output.c: what the plan commands' writers share: GiB and per-mille
 * formatting, and writing the output to stdout or atomically to a file.
 */
#include "plan/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/atomic.h"
#include "util/xmalloc.h"

/* ---- output helpers ---- */

char *
plan_fmt_gib(int64_t b, char *buf, size_t n)
{
	int64_t m = b < 0 ? -b : b;
	int64_t t = (m * 10 + (INT64_C(1) << 29)) >> 30;	/* tenths of GiB, rounded */

	snprintf(buf, n, "%s%lld.%lldGi", b < 0 ? "-" : "", (long long)(t / 10), (long long)(t % 10));
	return buf;
}

char *
plan_fmt_pm(int pm, char *buf, size_t n)
{
	snprintf(buf, n, "%d.%d%%", pm / 10, pm % 10);
	return buf;
}

int
plan_share_pm(int64_t part, int64_t whole)
{
	if (whole <= 0)
		return 0;
	return (int)((part * 1000 + whole / 2) / whole);
}

int
plan_emit(const char *path, char *buf, size_t len, struct ks_error *err)
{
	int rc = 0;

	if (path != NULL)
		rc = atomic_write(path, buf, len, err);
	else
		fwrite(buf, 1, len, stdout);
	free(buf);
	return rc;
}

char *
plan_json_text(json_t *j, size_t *len)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	size_t n = strlen(s);
	char *out = xmalloc(n + 2);

	memcpy(out, s, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	free(s);
	json_decref(j);
	*len = n + 1;
	return out;
}
