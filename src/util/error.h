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
 *
 * Warnings are printed as they come (KS_WARN_PRINT, the default, and
 * `--verbose`) or grouped (KS_WARN_GROUP, what `ksim run`, `validate` and
 * `check` use): a warning's kind is its format string, so the callers
 * stay as they are, and a group holds the first warning of its kind (its
 * place and text) and how many more came.  A format that is only "%s"
 * carries its whole text in the argument, so there the text is the kind.
 * ks_warn_flush() prints one line per group, in the order their first
 * warning came:
 *
 *     ksim: FILE:LINE:COL: warning: MSG (and N more like it)
 *
 * Grouping keeps state without a lock: only single-threaded commands
 * turn it on (sweep and plan run simulations in threads and print).
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
/* Number of warnings raised so far (printed, grouped or silenced). */
extern unsigned long ks_warn_count;

enum ks_warn_mode {
	KS_WARN_PRINT,		/* each warning printed when raised (the default) */
	KS_WARN_GROUP,		/* kept in groups until ks_warn_flush() */
};
/* How ks_warn() treats a warning (see above). */
extern enum ks_warn_mode ks_warn_mode;
/*
 * Print the groups kept so far to fp, one line each, with `label`
 * ("warning", or "error" when --strict made them errors) after the place;
 * then forget them.  fp NULL: only forget.  Returns the number of groups.
 */
size_t	ks_warn_flush(FILE *fp, const char *label);
/* The number of groups kept and not yet flushed. */
size_t	ks_warn_groups(void);

#endif
