/*
 * error.c: the ks_error value and the one place that formats diagnostics,
 * so every message ksim prints has the GNU "program: file:line:col: text"
 * shape whatever module raised it.
 */
#include "util/error.h"

#include <string.h>

FILE *ks_warn_stream;
unsigned long ks_warn_count;

int
ks_error_vset(struct ks_error *err, const struct ks_mark *at, int code,
    const char *fmt, va_list ap)
{
	if (err == NULL || err->code != 0)
		return code;
	err->code = code;
	if (at != NULL)
		err->at = *at;
	else
		memset(&err->at, 0, sizeof(err->at));
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int
ks_error_set(struct ks_error *err, const struct ks_mark *at, int code,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ks_error_vset(err, at, code, fmt, ap);
	va_end(ap);
	return code;
}

void
ks_error_clear(struct ks_error *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

static void
mark_print(FILE *fp, const struct ks_mark *at)
{
	if (at == NULL || at->file == NULL)
		return;
	if (at->line > 0 && at->col > 0)
		fprintf(fp, "%s:%d:%d: ", at->file, at->line, at->col);
	else if (at->line > 0)
		fprintf(fp, "%s:%d: ", at->file, at->line);
	else
		fprintf(fp, "%s: ", at->file);
}

void
ks_error_print(FILE *fp, const struct ks_error *err)
{
	fputs("ksim: ", fp);
	mark_print(fp, &err->at);
	fprintf(fp, "%s\n", err->msg[0] ? err->msg : "unknown error");
}

void
ks_warn(const struct ks_mark *at, const char *fmt, ...)
{
	FILE *fp = ks_warn_stream;
	va_list ap;

	ks_warn_count++;
	if (fp == NULL)
		return;
	fputs("ksim: ", fp);
	mark_print(fp, at);
	fputs("warning: ", fp);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
}
