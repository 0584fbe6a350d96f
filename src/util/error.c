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

/* The warnings of one kind, in KS_WARN_GROUP mode. */
struct warn_group {
	const char	*fmt;		/* the kind: the format string (static) */
	char		*file;		/* the first one's file (owned copy), NULL = none */
	int		 line, col;	/* the first one's place */
	char		*msg;		/* the first one's text (owned) */
	unsigned long	 more;		/* how many more of the kind came */
};

static struct warn_group *groups;	/* in order of their first warning */
static size_t ngroups, groupcap;	/* entries used and allocated */

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

/* Keep a warning in its group (a new group when it is the first of its kind). */
static void
warn_keep(const struct ks_mark *at, const char *fmt, va_list ap)
{
	char msg[sizeof(((struct ks_error *)0)->msg)];
	/* "%s" alone: the text is the kind */
	int bytext = strcmp(fmt, "%s") == 0;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (size_t i = 0; i < ngroups; i++) {
		if (strcmp(groups[i].fmt, fmt) == 0 && (!bytext || strcmp(groups[i].msg, msg) == 0)) {
			groups[i].more++;
			return;
		}
	}
	if (ngroups == groupcap) {
		groupcap = groupcap ? 2 * groupcap : 16;
		groups = xreallocarray(groups, groupcap, sizeof(*groups));
	}
	groups[ngroups++] = (struct warn_group){
		.fmt = fmt,
		.file = at != NULL && at->file != NULL ? xstrdup(at->file) : NULL,
		.line = at != NULL ? at->line : 0,
		.col = at != NULL ? at->col : 0,
		.msg = xstrdup(msg),
	};
}

size_t
ks_warn_flush(FILE *fp, const char *label)
{
	size_t n = ngroups;

	for (size_t i = 0; i < ngroups; i++) {
		struct warn_group *g = &groups[i];
		struct ks_mark at = { g->file, g->line, g->col };

		if (fp != NULL) {
			fputs("ksim: ", fp);
			mark_print(fp, &at);
			fprintf(fp, "%s: %s", label, g->msg);
			if (g->more > 0)
				fprintf(fp, " (and %lu more like it)", g->more);
			fputc('\n', fp);
		}
		free(g->file);
		free(g->msg);
	}
	free(groups);
	groups = NULL;
	ngroups = groupcap = 0;
	return n;
}

size_t
ks_warn_groups(void)
{
	return ngroups;
}

void
ks_warn(const struct ks_mark *at, const char *fmt, ...)
{
	FILE *fp = ks_warn_stream;
	va_list ap;

	ks_warn_count++;
	if (ks_warn_mode == KS_WARN_GROUP) {
		va_start(ap, fmt);
		warn_keep(at, fmt, ap);
		va_end(ap);
		return;
	}
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
