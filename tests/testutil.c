/*
 * testutil.c: helpers shared by the Check suites (see testutil.h).
 *
 * The suites used to carry their own copies of these: a scenario path
 * under $srcdir, a temporary file, a whole-file reader, a run through
 * ksim_run_json() (or ksim_run() to a file read back), a lookup by name in
 * the report, an integer member with null as -1, and a main().  One copy
 * keeps their behaviour the same across suites: every run is quiet and
 * takes its duration from the scenario, every failure names its file and
 * place the way ksim prints errors (file:line:col: message).
 *
 * Temporary paths go into a small registry tagged with the pid that made
 * them.  Check runs each test in a forked process that ends with exit()
 * when the test passes, so an atexit() handler removes what a passing test
 * made even when the test did not clean up; a failed assertion ends the
 * process with _exit(), which leaves the files of the failure to look at.
 * The pid tag keeps a child from removing what its parent made (and the
 * reverse).  The cost is a linear scan of a list of a handful of paths.
 *
 * Rejected: a fixture per suite that makes one directory (the suites that
 * need several files in one directory ask for one with tu_tmpdir()), and
 * popen() for the binary (stdout and stderr both matter, so both go to
 * files the test reads with tu_slurp()).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"	/* _GNU_SOURCE, for nftw() */
#endif

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "util/xmalloc.h"

struct tu_tmp {
	char	*path;		/* owned */
	int	 isdir;		/* removed with everything below it */
	pid_t	 pid;		/* the process that made it */
};

static struct tu_tmp	*tmps;		/* made so far, in order */
static size_t		 ntmps;
static size_t		 tmps_cap;
static int		 atexit_done;	/* tu_cleanup registered with atexit() */

static const char *
tu_remember(const char *path, int isdir)
{
	struct tu_tmp *t;

	if (!atexit_done) {
		atexit(tu_cleanup);
		atexit_done = 1;
	}
	if (ntmps == tmps_cap) {
		tmps_cap = tmps_cap ? 2 * tmps_cap : 16;
		tmps = xreallocarray(tmps, tmps_cap, sizeof(*tmps));
	}
	t = &tmps[ntmps++];
	t->path = xstrdup(path);
	t->isdir = isdir;
	t->pid = getpid();
	return t->path;
}

static int
tu_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void
tu_cleanup(void)
{
	pid_t me = getpid();
	size_t i, keep = 0;

	for (i = ntmps; i-- > 0;) {
		struct tu_tmp *t = &tmps[i];

		if (t->pid != me)
			continue;
		if (t->isdir)
			nftw(t->path, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
		else if (unlink(t->path) != 0 && errno != ENOENT)
			fprintf(stderr, "testutil: cannot remove %s: %s\n", t->path,
			    strerror(errno));
	}
	for (i = 0; i < ntmps; i++) {
		if (tmps[i].pid == me)
			free(tmps[i].path);
		else
			tmps[keep++] = tmps[i];
	}
	ntmps = keep;
}

const char *
tu_srcdir(void)
{
	const char *s = getenv("srcdir");

	return s != NULL && s[0] != '\0' ? s : ".";
}

const char *
tu_scenario(const char *name)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s/scenarios/%s", tu_srcdir(), name);
	return buf;
}

static void
tu_put(FILE *fp, const char *path, const char *text)
{
	size_t n = strlen(text);

	ck_assert_msg(fp != NULL, "cannot write %s: %s", path, strerror(errno));
	ck_assert_msg(fwrite(text, 1, n, fp) == n, "cannot write %s", path);
	ck_assert_msg(fclose(fp) == 0, "cannot write %s: %s", path, strerror(errno));
}

char *
tu_write(const char *text)
{
	char *path = xstrdup("/tmp/ksim-test-XXXXXX");
	int fd = mkstemp(path);

	ck_assert_msg(fd >= 0, "cannot create %s: %s", path, strerror(errno));
	tu_remember(path, 0);
	tu_put(fdopen(fd, "w"), path, text);
	return path;
}

const char *
tu_tmpdir(void)
{
	char path[] = "/tmp/ksim-test-XXXXXX";

	ck_assert_msg(mkdtemp(path) != NULL, "cannot create %s: %s", path, strerror(errno));
	return tu_remember(path, 1);
}

const char *
tu_write_in(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	const char *p = NULL;
	size_t i;

	for (i = 0; i < ntmps && p == NULL; i++)
		if (strcmp(tmps[i].path, path) == 0)
			p = tmps[i].path;
	if (p == NULL)
		p = tu_remember(path, 0);
	free(path);
	tu_put(fopen(p, "w"), p, text);
	return p;
}

char *
tu_slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(fp != NULL, "cannot open %s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	ck_assert_msg(n >= 0, "cannot read %s", path);
	rewind(fp);
	buf = xmalloc((size_t)n + 1);
	ck_assert_msg(fread(buf, 1, (size_t)n, fp) == (size_t)n, "cannot read %s", path);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

void
tu_opts_init(struct ksim_opts *o, const char *const *files, size_t nfiles)
{
	memset(o, 0, sizeof(*o));
	o->files = files;
	o->nfiles = nfiles;
	o->duration_ms = -1;
	o->quiet = 1;
}

int
tu_run_files(const char *const *files, size_t nfiles, const char *const *sets, size_t nsets,
    json_t **out, struct ks_error *err)
{
	struct ksim_opts o;

	tu_opts_init(&o, files, nfiles);
	o.sets = sets;
	o.nsets = nsets;
	ks_error_clear(err);
	return ksim_run_json(&o, 0, out, err);
}

int
tu_run(const char *path, const char *const *sets, size_t nsets, json_t **out,
    struct ks_error *err)
{
	const char *files[1] = { path };

	return tu_run_files(files, 1, sets, nsets, out, err);
}

json_t *
tu_run_files_ok(const char *const *files, size_t nfiles)
{
	struct ks_error err;
	json_t *rep = NULL;
	int rc = tu_run_files(files, nfiles, NULL, 0, &rep, &err);

	ck_assert_msg(rc == 0, "run of %s failed: %s:%d:%d: %s", files[0],
	    err.at.file != NULL ? err.at.file : "-", err.at.line, err.at.col, err.msg);
	ck_assert_ptr_nonnull(rep);
	return rep;
}

json_t *
tu_run_ok(const char *path)
{
	const char *files[1] = { path };

	return tu_run_files_ok(files, 1);
}

json_t *
tu_run_text(const char *text)
{
	char *path = tu_write(text);
	json_t *rep = tu_run_ok(path);

	unlink(path);
	free(path);
	return rep;
}

int
tu_validate(const char *path, struct ks_error *err)
{
	const char *files[1] = { path };
	struct ksim_opts o;

	tu_opts_init(&o, files, 1);
	ks_error_clear(err);
	return ksim_validate(&o, err);
}

int
tu_validate_text(const char *text, struct ks_error *err)
{
	char *path = tu_write(text);
	int rc = tu_validate(path, err);

	unlink(path);
	free(path);
	return rc;
}

json_t *
tu_named(json_t *arr, const char *name)
{
	json_t *o;
	size_t i;

	json_array_foreach(arr, i, o) {
		const char *n = json_string_value(json_object_get(o, "name"));

		if (n != NULL && strcmp(n, name) == 0)
			return o;
	}
	return NULL;
}

json_t *
tu_find(json_t *o, const char *array, const char *name)
{
	json_t *e = tu_named(json_object_get(o, array), name);

	ck_assert_msg(e != NULL, "no %s named %s in the report", array, name);
	return e;
}

json_t *
tu_path(json_t *o, const char *path)
{
	char buf[256], *save, *tok;
	json_t *cur = o;

	ck_assert_uint_lt(strlen(path), sizeof(buf));
	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL; tok = strtok_r(NULL, ".", &save)) {
		if (json_is_array(cur))
			cur = json_array_get(cur, (size_t)atoi(tok));
		else
			cur = json_object_get(cur, tok);
		ck_assert_msg(cur != NULL, "no %s in %s", tok, path);
	}
	return cur;
}

int64_t
tu_path_int(json_t *o, const char *path)
{
	json_t *v = tu_path(o, path);

	ck_assert_msg(json_is_integer(v), "%s is not an integer", path);
	return (int64_t)json_integer_value(v);
}

const char *
tu_path_str(json_t *o, const char *path)
{
	json_t *v = tu_path(o, path);

	ck_assert_msg(json_is_string(v), "%s is not a string", path);
	return json_string_value(v);
}

double
tu_num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_number(v), "no number %s", key);
	return json_number_value(v);
}

int64_t
tu_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return -1;
	ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
	return (int64_t)json_integer_value(v);
}

const char *
tu_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int
tu_events(json_t *rep, const char *type, const char *msg_prefix, int64_t *first_ms)
{
	json_t *e;
	size_t i;
	int n = 0;

	json_array_foreach(json_object_get(rep, "events"), i, e) {
		const char *t = tu_str(e, "type"), *m = tu_str(e, "message");

		if (t == NULL || strcmp(t, type) != 0)
			continue;
		if (msg_prefix != NULL &&
		    (m == NULL || strncmp(m, msg_prefix, strlen(msg_prefix)) != 0))
			continue;
		if (n == 0 && first_ms != NULL)
			*first_ms = tu_int(e, "at_ms");
		n++;
	}
	return n;
}

int
tu_have_ksim(void)
{
	const char *ksim = getenv("KSIM");

	if (ksim != NULL && ksim[0] != '\0' && access(ksim, X_OK) == 0)
		return 1;
	fprintf(stderr, "testutil: KSIM unset or not executable: tests of the binary skipped\n");
	return 0;
}

int
tu_run_ksim(const char *args, const char *out_path, const char *err_path)
{
	const char *ksim = getenv("KSIM");
	char *cmd;
	int st;

	ck_assert_msg(ksim != NULL, "KSIM is not set");
	cmd = xasprintf("cd '%s' && '%s' %s > '%s' 2> '%s'", tu_srcdir(), ksim, args,
	    out_path != NULL ? out_path : "/dev/null", err_path != NULL ? err_path : "/dev/null");
	st = system(cmd);
	free(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
tu_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int nf;

	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
