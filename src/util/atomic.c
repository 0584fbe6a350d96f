/*
 * atomic.c: write a whole file or nothing (see atomic.h).
 *
 * The temporary file lives in the target's directory, so rename(2) stays
 * on one file system and is atomic; its name carries the pid, so two ksim
 * processes writing beside each other (a sweep's workers) do not collide.
 * No fsync: the guarantee is against readers and against a crash of ksim,
 * not against a power loss.
 */
#include "util/atomic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/intern.h"
#include "util/xmalloc.h"

FILE *
atomic_open(const char *path, char **tmp, struct ks_error *err)
{
	struct ks_mark at = { intern(path), 0, 0 };
	FILE *fp;

	*tmp = xasprintf("%s.ksim-tmp.%ld", path, (long)getpid());
	if ((fp = fopen(*tmp, "wb")) == NULL) {
		ks_error_set(err, &at, KS_EIO, "cannot write: %s", strerror(errno));
		free(*tmp);
		*tmp = NULL;
	}
	return fp;
}

int
atomic_commit(FILE *fp, char *tmp, const char *path, struct ks_error *err)
{
	struct ks_mark at = { intern(path), 0, 0 };
	int rc = 0;

	if (ferror(fp) || fflush(fp) != 0) {
		rc = ks_error_set(err, &at, KS_EIO, "cannot write: %s", strerror(errno));
		fclose(fp);
		unlink(tmp);
	} else if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		rc = ks_error_set(err, &at, KS_EIO, "cannot write: %s", strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

int
atomic_write(const char *path, const char *buf, size_t len, struct ks_error *err)
{
	char *tmp;
	FILE *fp = atomic_open(path, &tmp, err);

	if (fp == NULL)
		return KS_EIO;
	fwrite(buf, 1, len, fp);
	return atomic_commit(fp, tmp, path, err);
}
