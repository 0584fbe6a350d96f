/*
 * ksim.h: the library's front door, used by the commands (src/cmd/) and
 * the tests.
 */
#ifndef KS_KSIM_H
#define KS_KSIM_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* -o: the report's format (wide: text with more columns; yaml: the JSON document as YAML). */
enum ksim_output { KSIM_TEXT, KSIM_JSON, KSIM_YAML, KSIM_WIDE, KSIM_OUTPUT_N };
/* --detail: how much a report holds (report/report.h), DEFAULT when not given. */
enum ksim_detail { KSIM_DETAIL_DEFAULT, KSIM_DETAIL_SUMMARY, KSIM_DETAIL_WORKLOADS,
	KSIM_DETAIL_PODS, KSIM_DETAIL_EVENTS };

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
	int			 verbose;	/* --verbose: every warning, not grouped */
	int			 strict;	/* --strict: a warning fails the run (as spec.strict) */
	const char		*junit_file;	/* check --junit */
	const char *const	*sets;		/* --set PATH=VALUE, in order */
	size_t			 nsets;
	const char		*csv_dir;	/* --csv DIR */
	const char		*svg_file;	/* --svg FILE */
	int			 tap;		/* check --tap */
	int			 explain;	/* record decisions (run --explain, ksim explain) */
	enum ksim_detail	 detail;	/* --detail */
	/* run, check, ksim_run_json(progress 1): called every simulated minute, NULL = none;
	 * now_ms -1: clear the line, warnings follow */
	void			(*progress)(int64_t now_ms, int64_t end_ms, void *arg);
	void			*progress_arg;	/* passed to progress */
};

/* Load and validate only. */
int	ksim_validate(const struct ksim_opts *, struct ks_error *);
/* Load, simulate and write the report. */
int	ksim_run(const struct ksim_opts *, struct ks_error *);
/* Load, simulate and evaluate spec.expect; *failed = expectations that failed. */
int	ksim_check(const struct ksim_opts *, size_t *failed, struct ks_error *);
/*
 * Load (with o->sets), simulate and hand back the JSON report in *out (the
 * caller owns it: json_decref), for compare and sweep.  o->output and
 * o->output_file are ignored; o->csv_dir and o->svg_file are honoured.
 * progress: report the simulated time reached through o->progress.
 */
struct json_t;
int	ksim_run_json(const struct ksim_opts *, int progress, struct json_t **out,
	    struct ks_error *);

/*
 * Finished runs kept for inspection (ksim plan).  A run consumes its
 * scenario, so each simulation loads the files again; the catalog is
 * loaded once and shared.  ksim_catalog_load() hands the caller an owned
 * catalog (catalog_free() releases it).  ksim_simulate() loads o's files,
 * lets edit->apply change the scenario (edit may be NULL), simulates it to
 * the end and hands the caller the finished run in *out: owned, released
 * by ksim_simulation_free(), which calls edit->undo before it frees the
 * scenario (so apply may swap parts of the scenario out and undo put them
 * back).  The catalog must outlive the run.
 */
struct catalog;
struct ks_run;
struct ks_scenario;
struct ksim_edit {
	int	(*apply)(struct ks_scenario *, void *arg, struct ks_error *);	/* may be NULL */
	void	(*undo)(struct ks_scenario *, void *arg);	/* may be NULL */
	void	*arg;		/* passed to both */
};
int	ksim_catalog_load(const struct ksim_opts *, struct catalog **out, struct ks_error *);
int	ksim_simulate(const struct ksim_opts *, const struct catalog *,
	    const struct ksim_edit *, struct ks_run **out, struct ks_error *);
void	ksim_simulation_free(struct ks_run *);

#endif
