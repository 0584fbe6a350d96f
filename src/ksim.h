/*
 * ksim.h: the library's front door, used by main.c and the tests.
 */
#ifndef KS_KSIM_H
#define KS_KSIM_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum ksim_output { KSIM_TEXT, KSIM_JSON };

struct ksim_opts {
	const char *const	*files;		/* scenario files, in order */
	size_t			 nfiles;
	enum ksim_output	 output;	/* --output */
	const char		*output_file;	/* --output-file, NULL = stdout */
	int64_t			 duration_ms;	/* --duration, -1 = the scenario's */
	int			 has_seed;	/* --seed given */
	uint64_t		 seed;		/* --seed */
	const char		*catalog_dir;	/* --catalog, NULL = compiled in */
	int			 quiet;		/* no warnings on stderr */
	const char		*junit_file;	/* check --junit */
	const char *const	*sets;		/* --set PATH=VALUE, in order */
	size_t			 nsets;
	const char		*csv_dir;	/* --csv DIR */
	const char		*svg_file;	/* --svg FILE */
	int			 tap;		/* check --tap */
};

/* Load and validate only. */
int	ksim_validate(const struct ksim_opts *, struct ks_error *);
/* Load, simulate and write the report. */
int	ksim_run(const struct ksim_opts *, struct ks_error *);
/* Load, simulate and evaluate spec.expect; *failed = expectations that failed. */
int	ksim_check(const struct ksim_opts *, size_t *failed, struct ks_error *);

#endif
