/*
 * testutil.h: what the Check suites in tests/check_*.c share: where the
 * sources are, temporary files, whole runs through the library's front
 * door (ksim.h) and through the built binary, and small readers of the
 * JSON report.
 *
 * Ownership, as the names say it:
 *  - tu_write() and tu_slurp() return owned strings (free()); the file
 *    tu_write() made is removed by unlink() or by tu_cleanup().
 *  - tu_tmpdir() and tu_write_in() return paths owned by testutil, valid
 *    until tu_cleanup(), which removes the directory and all it holds.
 *  - tu_run*() hand back owned JSON reports (json_decref()).
 *  - tu_srcdir(), tu_scenario(), tu_named(), tu_find(), tu_path() and
 *    tu_str() return borrowed or static storage; tu_scenario()'s buffer is
 *    overwritten by its next call.
 * Every temporary path is remembered with the process that made it;
 * tu_cleanup() (usable as a checked fixture's teardown) removes this
 * process's, and it also runs at exit, so a test that passes leaves
 * nothing behind in /tmp.  A failed assertion ends the test's process
 * with _exit(), so what a failing test made stays there for a look.
 *
 * Failures are Check assertions: a helper that cannot do its job fails
 * the test that called it, saying which file or key it wanted.
 */
#ifndef KS_TESTUTIL_H
#define KS_TESTUTIL_H

#include <check.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "ksim.h"
#include "util/error.h"

/* ---- the source tree ---- */

/* $srcdir (make check sets it to the source tree), or "." */
const char	*tu_srcdir(void);
/* "$srcdir/scenarios/<name>" (static buffer) */
const char	*tu_scenario(const char *name);

/* ---- temporary files ---- */

/* A new temporary file holding text (mkstemp under /tmp); owned path. */
char		*tu_write(const char *text);
/* A new temporary directory (mkdtemp under /tmp); borrowed path. */
const char	*tu_tmpdir(void);
/* dir/name holding text (replaced if it exists); borrowed path. */
const char	*tu_write_in(const char *dir, const char *name, const char *text);
/* The whole file, NUL-terminated (it may hold NULs too); owned. */
char		*tu_slurp(const char *path);
/* Remove every file and directory this process made through testutil. */
void		 tu_cleanup(void);

/* ---- runs through the library ---- */

/* Options for files as the suites run them: quiet, the scenario's duration. */
void	tu_opts_init(struct ksim_opts *o, const char *const *files, size_t nfiles);
/* ksim_run_json() of files with the --set list sets; *out owned (NULL on error). */
int	tu_run_files(const char *const *files, size_t nfiles, const char *const *sets,
	    size_t nsets, json_t **out, struct ks_error *err);
/* tu_run_files() of one file. */
int	tu_run(const char *path, const char *const *sets, size_t nsets, json_t **out,
	    struct ks_error *err);
/* tu_run_files() that must succeed ("file:line:col: msg" when it does not). */
json_t	*tu_run_files_ok(const char *const *files, size_t nfiles);
/* tu_run() that must succeed. */
json_t	*tu_run_ok(const char *path);
/* Write text to a temporary file, tu_run_ok() it, remove the file. */
json_t	*tu_run_text(const char *text);
/* ksim_validate() of one file, with *err cleared first. */
int	tu_validate(const char *path, struct ks_error *err);
/* Write text to a temporary file, tu_validate() it, remove the file. */
int	tu_validate_text(const char *text, struct ks_error *err);

/* ---- the JSON report ---- */

/* The element of arr whose "name" is name, or NULL. */
json_t		*tu_named(json_t *arr, const char *name);
/* The element of o[array] whose "name" is name; fails the test when absent. */
json_t		*tu_find(json_t *o, const char *array, const char *name);
/* o at a dotted path ("containers.0.target"; numbers index arrays); must exist. */
json_t		*tu_path(json_t *o, const char *path);
/* tu_path() that must be an integer, a string. */
int64_t		 tu_path_int(json_t *o, const char *path);
const char	*tu_path_str(json_t *o, const char *path);
/* Number member key (integer or real); fails when it is not a number. */
double		 tu_num(json_t *o, const char *key);
/* Integer member key, -1 when absent or null; fails when it is another type. */
int64_t		 tu_int(json_t *o, const char *key);
/* String member key, or NULL. */
const char	*tu_str(json_t *o, const char *key);
/*
 * The report's events of type whose message starts with msg_prefix (NULL:
 * any message): how many, and the first one's at_ms in *first_ms (when
 * first_ms is not NULL and there is one).
 */
int		 tu_events(json_t *rep, const char *type, const char *msg_prefix,
		    int64_t *first_ms);

/* ---- the built binary ---- */

/* $KSIM is set and executable (make check sets it); else says so on stderr. */
int	tu_have_ksim(void);
/*
 * system() of "cd $srcdir && $KSIM args > out_path 2> err_path" (NULL:
 * /dev/null); returns the exit status, -1 when it did not exit.
 */
int	tu_run_ksim(const char *args, const char *out_path, const char *err_path);

/* ---- main ---- */

/* Run every test of s; EXIT_SUCCESS when none failed, else EXIT_FAILURE. */
int	tu_main(Suite *s);

#endif
