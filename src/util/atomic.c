/*
 * atomic.c: write a whole file or nothing (see atomic.h).
 *
 * A regular file (or a path that does not exist yet) is written to a
 * temporary file in the target's directory, so rename(2) stays on one file
 * system and is atomic.  The temporary file is created by mkstemp(3): its
 * name is unpredictable and it is opened with O_CREAT|O_EXCL, so a symlink
 * planted beside the target by another user cannot redirect the write.
 * mkstemp creates it 0600; it gets the mode a new file would get (0666 less
 * the umask) before anything is written to it.
 *
 * Anything else -- a character device (/dev/null, /dev/full), a FIFO, a
 * symlink such as /dev/stdout -- is opened and written in place: renaming
 * over it would replace a device node with a regular file when run as
 * root, and fail on /dev (a directory an ordinary user cannot write) as
 * anyone else.  Such a write is not atomic, and its errors (ENOSPC on
 * /dev/full, EIO) are reported like any other.
 *
 * Temporary files are registered while they exist: SIGINT, SIGTERM and
 * SIGHUP are caught while any is registered, and the handler unlinks them
 * all (unlink(2) is async-signal-safe), restores the disposition it found
 * and raises the signal again, so ksim still dies of it.  The registry is
 * changed only with those signals blocked, so the handler never sees it
 * half updated.  A signal that was ignored stays ignored.
 *
 * A group (atomic_group_begin/end) defers the renames of every file
 * committed inside it until its end, where they are all renamed when every
 * write succeeded and all removed otherwise: a run's report, CSV files and
 * SVG appear together or not at all.  Groups nest; only the outermost
 * renames, and a failure anywhere inside it removes everything.  Should a
 * rename itself fail half way (the renames are in one directory each, so
 * only an I/O error can), the files renamed so far stay.
 *
 * No fsync: the guarantee is against readers and against a crash of ksim,
 * not against a power loss.
 */
#include "util/atomic.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/intern.h"
#include "util/xmalloc.h"

static const int catch_sigs[] = { SIGINT, SIGTERM, SIGHUP };
#define NSIGS	(sizeof(catch_sigs) / sizeof(catch_sigs[0]))

static struct {
	char			**tmp;		/* registered temporary files (owned paths) */
	const char		**dest;		/* their targets when committed in a group, else NULL */
	volatile sig_atomic_t	 n;		/* entries in tmp and dest */
	size_t			 cap;		/* allocated entries */
	struct sigaction	 old[NSIGS];	/* dispositions found when the first was registered */
	int			 group;		/* depth of atomic_group_begin/end */
	int			 group_failed;	/* an inner group ended with ok == 0 */
} reg;

static void
on_signal(int sig)
{
	for (sig_atomic_t i = 0; i < reg.n; i++)
		unlink(reg.tmp[i]);
	for (size_t k = 0; k < NSIGS; k++)
		if (catch_sigs[k] == sig)
			sigaction(sig, &reg.old[k], NULL);
	/* delivered with the old disposition once this handler returns */
	raise(sig);
}

static void
block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t k = 0; k < NSIGS; k++)
		sigaddset(&set, catch_sigs[k]);
	sigprocmask(SIG_BLOCK, &set, old);
}

/* Called with the signals blocked. */
static void
reg_add(char *tmp)
{
	if (reg.n == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		for (size_t k = 0; k < NSIGS; k++) {
			sigaction(catch_sigs[k], NULL, &reg.old[k]);
			if (reg.old[k].sa_handler != SIG_IGN)
				sigaction(catch_sigs[k], &sa, NULL);
		}
	}
	if ((size_t)reg.n == reg.cap) {
		reg.cap = reg.cap ? reg.cap * 2 : 8;
		reg.tmp = xreallocarray(reg.tmp, reg.cap, sizeof(*reg.tmp));
		reg.dest = xreallocarray(reg.dest, reg.cap, sizeof(*reg.dest));
	}
	reg.tmp[reg.n] = tmp;
	reg.dest[reg.n] = NULL;
	reg.n++;
}

/* Forget entry i (its file already renamed or removed); called with the signals blocked. */
static void
reg_drop(size_t i)
{
	free(reg.tmp[i]);
	/* shifted, not swapped: a group renames in the order its files were written */
	memmove(reg.tmp + i, reg.tmp + i + 1, ((size_t)reg.n - i - 1) * sizeof(*reg.tmp));
	memmove(reg.dest + i, reg.dest + i + 1, ((size_t)reg.n - i - 1) * sizeof(*reg.dest));
	reg.n--;
	if (reg.n == 0)
		for (size_t k = 0; k < NSIGS; k++)
			sigaction(catch_sigs[k], &reg.old[k], NULL);
}

static size_t
reg_find(const char *tmp)
{
	for (size_t i = 0; i < (size_t)reg.n; i++)
		if (reg.tmp[i] == tmp)
			return i;
	abort();	/* not registered: a caller's bug */
}

/* Remove the temporary file tmp and forget it. */
static void
tmp_remove(char *tmp)
{
	sigset_t old;

	block(&old);
	unlink(tmp);
	reg_drop(reg_find(tmp));
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Rename tmp over dest and forget it; 0 or KS_EIO in err. */
static int
tmp_rename(char *tmp, const char *dest, struct ks_error *err)
{
	struct ks_mark at = { intern(dest), 0, 0 };
	sigset_t old;
	int rc = 0;

	block(&old);
	if (rename(tmp, dest) != 0) {
		rc = ks_error_set(err, &at, KS_EIO, "cannot write: %s", strerror(errno));
		unlink(tmp);
	}
	reg_drop(reg_find(tmp));
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Does path name something to write in place rather than rename over? */
static int
in_place(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

FILE *
atomic_open(const char *path, char **tmp, struct ks_error *err)
{
	struct ks_mark at = { intern(path), 0, 0 };
	mode_t mask;
	sigset_t old;
	FILE *fp;
	int fd;

	*tmp = NULL;
	if (in_place(path)) {
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY, 0666)) < 0 ||
		    (fp = fdopen(fd, "wb")) == NULL) {
			ks_error_set(err, &at, KS_EIO, "cannot write: %s", strerror(errno));
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		return fp;
	}
	*tmp = xasprintf("%s.ksim-tmp.XXXXXX", path);
	block(&old);
	if ((fd = mkstemp(*tmp)) >= 0)
		reg_add(*tmp);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (fd < 0) {
		ks_error_set(err, &at, KS_EIO, "cannot write: %s", strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (fp = fdopen(fd, "wb")) == NULL) {
		ks_error_set(err, &at, KS_EIO, "cannot write: %s", strerror(errno));
		close(fd);
		tmp_remove(*tmp);
		*tmp = NULL;
		return NULL;
	}
	return fp;
}

int
atomic_commit(FILE *fp, char *tmp, const char *path, struct ks_error *err)
{
	struct ks_mark at = { intern(path), 0, 0 };
	int bad = ferror(fp) || fflush(fp) != 0;
	int saved = errno;

	if (fclose(fp) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	if (bad) {
		/* ferror() without a failing fflush: errno was set by the failed write */
		ks_error_set(err, &at, KS_EIO, "cannot write: %s",
		    strerror(saved ? saved : EIO));
		if (tmp != NULL)
			tmp_remove(tmp);
		return KS_EIO;
	}
	if (tmp == NULL)
		return 0;
	if (reg.group) {
		reg.dest[reg_find(tmp)] = intern(path);
		return 0;
	}
	return tmp_rename(tmp, path, err);
}

int
atomic_write(const char *path, const char *buf, size_t len, struct ks_error *err)
{
	char *tmp;
	FILE *fp = atomic_open(path, &tmp, err);

	if (fp == NULL)
		return KS_EIO;
	errno = 0;
	fwrite(buf, 1, len, fp);
	return atomic_commit(fp, tmp, path, err);
}

void
atomic_group_begin(void)
{
	reg.group++;
}

int
atomic_group_end(int ok, struct ks_error *err)
{
	int rc = 0;

	assert(reg.group > 0);
	if (!ok)
		reg.group_failed = 1;
	if (--reg.group > 0)
		return 0;
	ok = !reg.group_failed;
	reg.group_failed = 0;
	/* each rename or removal drops its entry, shifting the rest down */
	for (size_t i = 0; i < (size_t)reg.n;) {
		if (reg.dest[i] == NULL) {
			i++;
			continue;
		}
		if (ok && rc == 0)
			rc = tmp_rename(reg.tmp[i], reg.dest[i], err);
		else
			tmp_remove(reg.tmp[i]);
	}
	return rc;
}
