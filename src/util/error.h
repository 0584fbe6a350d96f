/*
 * error.h: errors as values with a location.
 *
 * Every fallible libksim function returns 0 on success or a negative KS_E*
 * code, and, when its `err` argument is not NULL, fills *err.  The first
 * error wins: once err->code is set, later ks_error_set() calls leave it
 * alone, so a caller deep in a loader cannot overwrite the precise cause
 * with a vaguer one.  The message lives in a fixed buffer: setting an error
 * never allocates, so it works on the out-of-memory path too.
 *
 * Marks are 1-based line and column, as GNU tools print them; libyaml's are
 * 0-based and the YAML tree adds one when it records them.
 */
#ifndef KS_ERROR_H
#define KS_ERROR_H

#include <stdarg.h>
#include <stdio.h>

enum {
	KS_OK = 0,
	KS_EINVAL = -1,		/* bad input: syntax, type, value */
	KS_ENOENT = -2,		/* a file or a named object does not exist */
	KS_EIO = -3,		/* reading or writing failed */
	KS_EUSAGE = -4,		/* bad command line */
	KS_EEXPECT = -5,	/* an expectation did not hold (check) */
};

struct ks_mark {
	const char	*file;	/* interned or static; NULL when unknown */
	int		 line;	/* 1-based; 0 when unknown */
	int		 col;	/* 1-based; 0 when unknown */
};

struct ks_error {
	int		 code;	/* 0 while unset, else a KS_E* code */
	struct ks_mark	 at;	/* where; at.file NULL for errors without a place */
	char		 msg[512];	/* lowercase, no trailing period or newline */
};

/* Fill *err unless it is NULL or already set; returns `code`. */
int	ks_error_set(struct ks_error *err, const struct ks_mark *at, int code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int	ks_error_vset(struct ks_error *err, const struct ks_mark *at, int code,
	    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
void	ks_error_clear(struct ks_error *err);
/* "ksim: file:line:col: msg\n" (or "ksim: file: msg", "ksim: msg"). */
void	ks_error_print(FILE *fp, const struct ks_error *err);
/* Same shape for a warning: "ksim: file:line:col: warning: msg\n". */
void	ks_warn(const struct ks_mark *at, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Warnings go to this stream (stderr by default; NULL silences them). */
extern FILE *ks_warn_stream;
/* Number of warnings printed so far. */
extern unsigned long ks_warn_count;

#endif
