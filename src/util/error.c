/*
 * error.c: the ks_error value and the one place that formats diagnostics,
 * so every message ksim prints has the GNU "program: file:line:col: text"
 * shape whatever module raised it.
 */
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

FILE *ks_warn_stream;
unsigned long ks_warn_count;
enum ks_warn_mode ks_warn_mode = KS_WARN_PRINT;

static struct ks_warn_log kept;		/* KS_WARN_GROUP: until ks_warn_flush() */
struct ks_warn_log *ks_warn_record;

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

/* Keep a warning in its group of log (a new group when it is the first of its kind). */
static void
warn_keep(struct ks_warn_log *log, const struct ks_mark *at, const char *fmt, const char *msg)
{
	/* "%s" alone: the text is the kind */
	int bytext = strcmp(fmt, "%s") == 0;

	for (size_t i = 0; i < log->n; i++) {
		struct ks_warn_group *g = &log->v[i];

		if (strcmp(g->fmt, fmt) == 0 && (!bytext || strcmp(g->msg, msg) == 0)) {
			g->count++;
			return;
		}
	}
	if (log->n == log->cap) {
		log->cap = log->cap ? 2 * log->cap : 16;
		log->v = xreallocarray(log->v, log->cap, sizeof(*log->v));
	}
	log->v[log->n++] = (struct ks_warn_group){
		.fmt = fmt,
		.file = at != NULL && at->file != NULL ? xstrdup(at->file) : NULL,
		.line = at != NULL ? at->line : 0,
		.col = at != NULL ? at->col : 0,
		.msg = xstrdup(msg),
		.count = 1,
	};
}

void
ks_warn_log_clear(struct ks_warn_log *log)
{
	for (size_t i = 0; i < log->n; i++) {
		free(log->v[i].file);
		free(log->v[i].msg);
	}
	free(log->v);
	memset(log, 0, sizeof(*log));
}

size_t
ks_warn_flush(FILE *fp, const char *label)
{
	size_t n = kept.n;

	for (size_t i = 0; fp != NULL && i < kept.n; i++) {
		const struct ks_warn_group *g = &kept.v[i];
		struct ks_mark at = { g->file, g->line, g->col };

		fputs("ksim: ", fp);
		mark_print(fp, &at);
		fprintf(fp, "%s: %s", label, g->msg);
		if (g->count > 1)
			fprintf(fp, " (and %lu more like it)", g->count - 1);
		fputc('\n', fp);
	}
	ks_warn_log_clear(&kept);
	return n;
}

size_t
ks_warn_groups(void)
{
	return kept.n;
}

void
ks_warn(const struct ks_mark *at, const char *fmt, ...)
{
	char msg[sizeof(((struct ks_error *)0)->msg)];
	FILE *fp = ks_warn_stream;
	va_list ap;

	ks_warn_count++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ks_warn_record != NULL)
		warn_keep(ks_warn_record, at, fmt, msg);
	if (ks_warn_mode == KS_WARN_GROUP) {
		warn_keep(&kept, at, fmt, msg);
		return;
	}
	if (fp == NULL)
		return;
	fputs("ksim: ", fp);
	mark_print(fp, at);
	fprintf(fp, "warning: %s\n", msg);
}
