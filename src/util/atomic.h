/*
 * atomic.h: whole-file writes that a reader never sees half done.  Every
 * file ksim writes (reports, CSV, SVG, JUnit, plans) goes through here.
 */
#ifndef KS_UTIL_ATOMIC_H
#define KS_UTIL_ATOMIC_H

#include <stddef.h>
#include <stdio.h>

#include "util/error.h"

/*
 * Write buf to path through a temporary file beside it (mkstemp(3),
 * "PATH.ksim-tmp.XXXXXX") and rename(2), so path holds either its old
 * content or all of buf.  A path that exists and is not a regular file (a
 * device, a FIFO, a symlink) is written in place instead, not atomically.
 * On failure returns KS_EIO with err marked at path (interned here) and
 * leaves no temporary file behind, also when SIGINT, SIGTERM or SIGHUP
 * ends the process during the write.
 */
int	atomic_write(const char *path, const char *buf, size_t len, struct ks_error *);
/*
 * The same for a file written as a stream: atomic_open() returns the
 * temporary file beside path (NULL and KS_EIO in err when it cannot be
 * created) and its name in *tmp (owned; NULL when path is written in
 * place); atomic_commit() closes it and renames it over path, or removes
 * it when anything written to fp failed.  It frees *tmp either way.
 */
FILE	*atomic_open(const char *path, char **tmp, struct ks_error *);
int	atomic_commit(FILE *fp, char *tmp, const char *path, struct ks_error *);
/*
 * Every file committed between atomic_group_begin() and atomic_group_end()
 * is renamed into place at the end, all of them when ok and no rename
 * fails (0), or none (they are removed; KS_EIO in err when a rename
 * failed).  Files written in place are written at once.  Groups nest: the
 * outermost end renames, when every group inside it ended ok.
 */
void	atomic_group_begin(void);
int	atomic_group_end(int ok, struct ks_error *);

#endif
