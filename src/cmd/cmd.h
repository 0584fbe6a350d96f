/*
 * cmd.h: the command table, as tmux's cmd_table: each command of the
 * command line is one struct cmd_entry (its name, synopsis, the options it
 * takes and its handler), and one parser (cmd_parse() in cmd.c) reads the
 * options every command shares into a struct ksim_opts before it hands
 * the command's own options, one at a time, to the command.  A command
 * returns a status, never an exit code: only main.c maps a status to the
 * process's exit code (as jq does), so the numbers live in one place.
 *
 * Adding a command is one new file in src/cmd/ holding its entry (and its
 * option handling) and one line in cmd_table[] (cmd.c); a new option is
 * one enum value and one line of cmd_options[].  `ksim CMD --help` and
 * `ksim --list-options` (the man page test reads it) come from the table.
 *
 * Options are grouped by the family of commands that first had them (the
 * run family, the what-if family, plan): a family shares the short
 * letters (-j is --junit for check, --jobs for sweep and plan) and the
 * wording of its command-line errors, which stay as they were.
 */
#ifndef KS_CMD_H
#define KS_CMD_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "ksim.h"

/* What a command tells main.c; main.c alone turns it into an exit code. */
enum cmd_status {
	CMD_OK,			/* success */
	CMD_EXPECT_FAILED,	/* an expectation failed (check, plan nodes --max-cost) */
	CMD_BAD,		/* bad usage or bad input, said on stderr */
};

/* Every option of every command, the index into cmd_options[]. */
enum cmd_opt {
	/* shared by every command: cmd_parse() applies them to struct ksim_opts */
	OPT_OUTPUT, OPT_OUTPUT_FILE, OPT_DURATION, OPT_SEED, OPT_CATALOG, OPT_QUIET,
	OPT_JUNIT, OPT_TAP, OPT_SET, OPT_CSV, OPT_SVG, OPT_HELP, OPT_VERSION,
	OPT_VERBOSE, OPT_STRICT, OPT_DETAIL,
	/* the command's own: handed to cmd_entry.option */
	OPT_A, OPT_B, OPT_VARY, OPT_JOBS, OPT_SHARD, OPT_METRICS,
	OPT_POD, OPT_REPLICAS_OF, OPT_AT, OPT_TYPES, OPT_CAPTYPE, OPT_REGION,
	OPT_MAX_COST, OPT_PERIOD, OPT_KARPENTER, OPT_METHOD,
	OPT_EXPLAIN,		/* run family: record decisions into the JSON report */
	OPT_N
};

_Static_assert(OPT_N <= 64, "the options of a command are a 64-bit mask");
#define CMD_OPT(o)	(UINT64_C(1) << (o))
/* The options every command takes. */
#define CMD_OPTS_SHARED	(CMD_OPT(OPT_OUTPUT) | CMD_OPT(OPT_OUTPUT_FILE) | \
	CMD_OPT(OPT_DURATION) | CMD_OPT(OPT_SEED) | CMD_OPT(OPT_CATALOG) | \
	CMD_OPT(OPT_QUIET) | CMD_OPT(OPT_SET) | CMD_OPT(OPT_HELP))
/* What run, validate and check take (--junit and --tap parse for all three). */
#define CMD_OPTS_RUN_FAMILY	(CMD_OPTS_SHARED | CMD_OPT(OPT_JUNIT) | CMD_OPT(OPT_TAP) | \
	CMD_OPT(OPT_CSV) | CMD_OPT(OPT_SVG) | CMD_OPT(OPT_VERSION) | CMD_OPT(OPT_VERBOSE) | \
	CMD_OPT(OPT_STRICT) | CMD_OPT(OPT_EXPLAIN))

#define CMD_OUT(f)	(1u << (f))	/* an enum ksim_output in cmd_entry.outputs */

struct cmd_option {
	const char	*name;		/* long name, without "--" */
	int		 letter;	/* short name, 0 = none */
	const char	*arg;		/* the value's name in --help, NULL = takes none */
	const char	*help;		/* one line for --help */
};
extern const struct cmd_option cmd_options[OPT_N];

/* The family of a command: how its command line reads and complains. */
enum cmd_family { CMD_FAM_RUN, CMD_FAM_WHATIF, CMD_FAM_PLAN };

struct cmd_entry;

/* A command line being parsed, then run. */
struct cmd_args {
	const struct cmd_entry	*cmd;		/* the command */
	struct ksim_opts	 o;		/* shared options; files = the operands */
	const char		**sets;		/* --set values (owned array of argv strings) */
	size_t			 nsets;		/* entries in sets */
	void			*priv;		/* the command's own options, cmd->priv_new() */
};

struct cmd_entry {
	const char		*name;		/* "sweep", "plan nodes" */
	const char		*brief;		/* what it does, a few words (shell completion) */
	const char		*usage;		/* synopsis, lines after "usage: " */
	const char		*nofiles;	/* the complaint when no operand is given */
	enum cmd_family		 family;	/* see above */
	uint64_t		 opts;		/* CMD_OPT() of every option it takes */
	unsigned		 outputs;	/* CMD_OUT() of the -o formats it writes, 0 = text and json */
	/* its own options' state (NULL: none) */
	void			*(*priv_new)(void);
	void			 (*priv_free)(void *);
	/* one of its own options; 0, or -1 when the value is bad (said on stderr) */
	int			 (*option)(struct cmd_args *, enum cmd_opt, const char *arg);
	enum cmd_status		 (*exec)(struct cmd_args *);
	const struct cmd_entry *const *sub;	/* subcommands ("plan"), NULL-terminated */
};

/* The commands, NULL-terminated. */
extern const struct cmd_entry *const cmd_table[];

extern const struct cmd_entry cmd_run_entry, cmd_validate_entry, cmd_check_entry;
extern const struct cmd_entry cmd_compare_entry, cmd_sweep_entry, cmd_merge_entry;
extern const struct cmd_entry cmd_plan_entry, cmd_completion_entry;
extern const struct cmd_entry cmd_explain_entry;

/* The entry called name in table (NULL-terminated), or NULL. */
const struct cmd_entry *cmd_find(const struct cmd_entry *const *table, const char *name);
/*
 * Run the command named by argv[depth] (or, for an entry with
 * subcommands, the one argv[depth + 1] names): parse the options after
 * its name, call its handler, and return the handler's status.
 */
enum cmd_status	cmd_main(const struct cmd_entry *, int argc, char **argv, int depth);
/* err on stderr ("ksim: file:line:col: msg"); CMD_BAD. */
enum cmd_status	cmd_error(const struct ks_error *err);
/* buf to o->output_file (atomically) or stdout; CMD_BAD (said) when it cannot be written. */
enum cmd_status	cmd_write(const struct ksim_opts *o, const char *buf, size_t len);
/*
 * The handler of run and validate: fn (ksim_run, ksim_validate) on the
 * options; CMD_BAD (said) when it fails or when --junit or --tap was given.
 */
enum cmd_status	cmd_run_family_exec(const struct cmd_args *,
		    int (*fn)(const struct ksim_opts *, struct ks_error *));
/*
 * Before a run-family command runs: warnings grouped by kind, or each as
 * it comes under --verbose (util/error.h).
 */
void	cmd_warn_arm(const struct ksim_opts *o);
/* The progress line of a long run on a terminal (cmd/progress.c). */
struct cmd_progress {
	struct timespec	 last;		/* wall clock of the last line printed */
	int		 printed;	/* a line is on the terminal */
};
/* Set o->progress to print on stderr when it is a terminal (else NULL). */
void	cmd_progress_arm(struct cmd_progress *, struct ksim_opts *o);
/* Clear the line, if one was printed. */
void	cmd_progress_done(struct cmd_progress *);

/* `ksim --help`: every command's synopsis and the run family's options. */
void	cmd_usage(FILE *);
/* `ksim --version` */
void	cmd_version(FILE *);
/* `ksim --list-options`: "COMMAND --OPTION" for every option of every command. */
void	cmd_list_options(FILE *);

#endif
