/*
 * check_atomic.c: the output files ksim writes (util/atomic.c) and the
 * worker pool's processes (util/pool.c), the two places where ksim meets
 * the file system and other processes rather than its own data.
 *
 * atomic: a new file gets 0666 less the umask; a symlink planted at the
 * old predictable temporary name is not followed; a FIFO and /dev/null
 * are written in place and stay what they were (stat before and after);
 * /dev/full fails with ENOSPC named at the file; SIGTERM during a write
 * leaves no temporary file; a group renames all its files or none, and
 * only at its outermost end.
 *
 * pool: SIGTERM to the process running a pool ends its workers too (the
 * test makes itself a child subreaper, so the orphans come back to it
 * and it can tell that they ended; Linux only, else the test passes).
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "testutil.h"
#include "util/atomic.h"
#include "util/pool.h"
#include "util/xmalloc.h"

/* In a forked child: the default dispositions (Check's own handler kills the whole test). */
static void
default_signals(void)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}

/* Entries of dir other than . and .. */
static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

START_TEST(test_mode_umask)
{
	const char *dir = tu_tmpdir();
	char *path = xasprintf("%s/out.txt", dir), *got;
	struct stat st;
	mode_t old = umask(027);

	ck_assert_int_eq(atomic_write(path, "hello\n", 6, NULL), 0);
	umask(old);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	got = tu_slurp(path);
	ck_assert_str_eq(got, "hello\n");
	ck_assert_int_eq(count_entries(dir), 1);
	free(got);
	unlink(path);
	free(path);
}
END_TEST

/* The temporary name of the old code, "PATH.ksim-tmp.PID", planted as a symlink. */
START_TEST(test_planted_symlink)
{
	const char *dir = tu_tmpdir();
	const char *victim = tu_write_in(dir, "victim", "precious\n");
	char *path = xasprintf("%s/out.txt", dir);
	char *trap = xasprintf("%s.ksim-tmp.%ld", path, (long)getpid()), *got;

	ck_assert_int_eq(symlink(victim, trap), 0);
	ck_assert_int_eq(atomic_write(path, "report\n", 7, NULL), 0);
	got = tu_slurp(victim);
	ck_assert_str_eq(got, "precious\n");
	free(got);
	got = tu_slurp(path);
	ck_assert_str_eq(got, "report\n");
	free(got);
	unlink(trap);
	unlink(path);
	free(trap);
	free(path);
}
END_TEST

START_TEST(test_fifo_in_place)
{
	const char *dir = tu_tmpdir();
	char *fifo = xasprintf("%s/fifo", dir), buf[64] = "";
	struct stat st;
	pid_t pid;
	int fd, status;
	ssize_t got;

	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	if ((pid = fork()) == 0) {
		int rc = atomic_write(fifo, "through\n", 8, NULL);

		free(fifo);	/* the child leaves clean (valgrind follows it) */
		_exit(rc == 0 ? 0 : 1);
	}
	fd = open(fifo, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(got, 8);
	ck_assert_str_eq(buf, "through\n");
	ck_assert_int_eq(lstat(fifo, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(count_entries(dir), 1);
	unlink(fifo);
	free(fifo);
}
END_TEST

START_TEST(test_dev_null)
{
	struct stat before, after;

	if (stat("/dev/null", &before) != 0 || !S_ISCHR(before.st_mode))
		return;	/* already not a device here: nothing to protect */
	ck_assert_int_eq(atomic_write("/dev/null", "x\n", 2, NULL), 0);
	ck_assert_int_eq(stat("/dev/null", &after), 0);
	ck_assert(S_ISCHR(after.st_mode));
	ck_assert_int_eq(before.st_rdev, after.st_rdev);
	ck_assert_int_eq(before.st_ino, after.st_ino);
}
END_TEST

START_TEST(test_dev_full)
{
	struct ks_error err;
	struct stat st;
	char big[65536];

	if (stat("/dev/full", &st) != 0 || !S_ISCHR(st.st_mode))
		return;	/* not every system has one */
	memset(big, 'x', sizeof(big));
	ks_error_clear(&err);
	ck_assert_int_eq(atomic_write("/dev/full", big, sizeof(big), &err), KS_EIO);
	ck_assert_str_eq(err.at.file, "/dev/full");
	ck_assert_str_eq(err.msg, "cannot write: No space left on device");
	ks_error_clear(&err);
	ck_assert_int_eq(atomic_write("/dev/full", "x\n", 2, &err), KS_EIO);
	ck_assert_str_eq(err.msg, "cannot write: No space left on device");
	ck_assert_int_eq(stat("/dev/full", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
}
END_TEST

START_TEST(test_signal_removes_tmp)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	const char *dir = tu_tmpdir();
	char *path = xasprintf("%s/out.txt", dir);

	for (size_t k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++) {
		pid_t pid;
		int status;

		if ((pid = fork()) == 0) {
			char *tmp;
			FILE *fp;

			default_signals();
			if ((fp = atomic_open(path, &tmp, NULL)) == NULL)
				_exit(3);
			fputs("half a report", fp);
			fflush(fp);
			raise(sigs[k]);
			_exit(4);	/* not reached: the signal ends the process */
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == sigs[k],
		    "signal %d: status %#x", sigs[k], status);
		ck_assert_int_eq(count_entries(dir), 0);
	}
	/* and the handlers are gone once the write is done */
	{
		struct sigaction before, after;

		sigaction(SIGTERM, NULL, &before);
		ck_assert_int_eq(atomic_write(path, "x", 1, NULL), 0);
		sigaction(SIGTERM, NULL, &after);
		ck_assert(before.sa_handler == after.sa_handler);
	}
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_group)
{
	const char *dir = tu_tmpdir();
	char *a = xasprintf("%s/a", dir), *b = xasprintf("%s/b", dir), *got;
	char *bad = xasprintf("%s/none/c", dir);
	struct ks_error err;

	/* a failure in the group: nothing appears */
	atomic_group_begin();
	ck_assert_int_eq(atomic_write(a, "a1", 2, NULL), 0);
	ck_assert_int_eq(atomic_write(b, "b1", 2, NULL), 0);
	ks_error_clear(&err);
	ck_assert_int_eq(atomic_write(bad, "c1", 2, &err), KS_EIO);
	ck_assert_int_eq(atomic_group_end(0, NULL), 0);
	ck_assert_int_eq(count_entries(dir), 0);
	/* all written: all appear */
	atomic_group_begin();
	ck_assert_int_eq(atomic_write(a, "a2", 2, NULL), 0);
	ck_assert_int_eq(access(a, F_OK), -1);
	/* a group inside: only the outermost end renames */
	atomic_group_begin();
	ck_assert_int_eq(atomic_write(b, "b2", 2, NULL), 0);
	ck_assert_int_eq(atomic_group_end(1, NULL), 0);
	ck_assert_int_eq(access(b, F_OK), -1);
	ck_assert_int_eq(atomic_group_end(1, NULL), 0);
	ck_assert_int_eq(count_entries(dir), 2);
	got = tu_slurp(a);
	ck_assert_str_eq(got, "a2");
	free(got);
	got = tu_slurp(b);
	ck_assert_str_eq(got, "b2");
	free(got);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
	free(bad);
}
END_TEST

/* ---- pool ---- */

/* A job that records its pid in dir/<job> and then waits to be killed. */
static int
sleeper(size_t i, FILE *out, void *arg)
{
	char *p = xasprintf("%s/%zu", (const char *)arg, i);
	FILE *fp = fopen(p, "w");

	(void)out;
	fprintf(fp, "%ld\n", (long)getpid());
	fclose(fp);
	free(p);
	for (;;)
		pause();
	return 0;
}

static int
sleeper_done(size_t i, const char *data, size_t len, int status, void *arg)
{
	(void)i, (void)data, (void)len, (void)status, (void)arg;
	return 0;
}

/* The pid written to dir/<i>, waiting up to 10 s for it; 0 when it never came. */
static pid_t
read_pid(const char *dir, size_t i)
{
	char *p = xasprintf("%s/%zu", dir, i);
	long pid = 0;

	for (int t = 0; t < 1000 && pid == 0; t++) {
		FILE *fp = fopen(p, "r");

		if (fp == NULL || fscanf(fp, "%ld", &pid) != 1) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			pid = 0;
			nanosleep(&ts, NULL);
		}
		if (fp != NULL)
			fclose(fp);
	}
	free(p);
	return (pid_t)pid;
}

START_TEST(test_pool_sigterm)
{
#ifdef __linux__
	static const struct pool_ops ops = { sleeper, NULL, sleeper_done };
	const char *dir = tu_tmpdir();
	pid_t pool, w[2];
	int status;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	if ((pool = fork()) == 0) {
		default_signals();
		pool_run(4, 2, &ops, (void *)dir);
		_exit(0);
	}
	w[0] = read_pid(dir, 0);
	w[1] = read_pid(dir, 1);
	ck_assert(w[0] > 0 && w[1] > 0);
	kill(pool, SIGTERM);
	ck_assert_int_eq(waitpid(pool, &status, 0), pool);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	/* the workers were reaped by the pool before it died, or die with it */
	for (int k = 0; k < 2; k++) {
		pid_t got;

		for (int t = 0; t < 500; t++) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			if ((got = waitpid(w[k], &status, WNOHANG)) != 0)
				break;
			nanosleep(&ts, NULL);
		}
		ck_assert_msg(got == w[k] || (got < 0 && errno == ECHILD),
		    "worker %ld still running after its pool died", (long)w[k]);
		if (got < 0)
			kill(w[k], SIGKILL);
	}
	prctl(PR_SET_CHILD_SUBREAPER, 0);
#endif
}
END_TEST

static Suite *
atomic_suite(void)
{
	Suite *s = suite_create("atomic");
	TCase *tc = tcase_create("files");

	tcase_add_test(tc, test_mode_umask);
	tcase_add_test(tc, test_planted_symlink);
	tcase_add_test(tc, test_fifo_in_place);
	tcase_add_test(tc, test_dev_null);
	tcase_add_test(tc, test_dev_full);
	tcase_add_test(tc, test_signal_removes_tmp);
	tcase_add_test(tc, test_group);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	tc = tcase_create("pool");
	tcase_add_test(tc, test_pool_sigterm);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_main(atomic_suite());
}
