/*
 * cmd.c: the command table and its one option parser (see cmd.h).
 *
 * cmd_parse() builds getopt_long's tables from cmd_options[] for the
 * options the command's family knows, applies the shared ones (those that
 * land in struct ksim_opts) itself and hands the command's own to its
 * entry, in command-line order, so a bad value is reported where it
 * stands.  An option the family knows but the command does not take is
 * refused by name; one nobody knows is refused by getopt (the run and
 * what-if families, in getopt's words) or here (plan), and the family's
 * usage follows.  The three families keep the wording they had before
 * they shared this parser, so no message a user or a script may read
 * changed.
 */
#include "cmd/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "report/report.h"
#include "util/atomic.h"
#include "util/duration.h"
#include "util/error.h"
#include "util/xmalloc.h"

const struct cmd_option cmd_options[OPT_N] = {
	[OPT_OUTPUT] = { "output", 'o', "FORMAT", "text (default), json; run: also yaml, wide" },
	[OPT_OUTPUT_FILE] = { "output-file", 'f', "PATH", "write the report to PATH (atomically)" },
	[OPT_DURATION] = { "duration", 'd', "DUR",
	    "simulate DUR (e.g. 30m) instead of the scenario's" },
	[OPT_SEED] = { "seed", 's', "N", "use seed N instead of the scenario's" },
	[OPT_CATALOG] = { "catalog", 'c', "DIR", "read instance types and prices from DIR" },
	[OPT_QUIET] = { "quiet", 'q', NULL, "do not print warnings" },
	[OPT_JUNIT] = { "junit", 'j', "FILE", "check: also write JUnit XML to FILE" },
	[OPT_TAP] = { "tap", 't', NULL, "check: print TAP instead of one line per expectation" },
	[OPT_SET] = { "set", 'S', "PATH=VALUE",
	    "change a Scenario or manifest field (repeatable)" },
	[OPT_CSV] = { "csv", 0, "DIR", "run: also write the time series as CSV files into DIR" },
	[OPT_SVG] = { "svg", 0, "FILE", "run: also write a timeline chart as SVG to FILE" },
	[OPT_HELP] = { "help", 'h', NULL, "print this help" },
	[OPT_VERSION] = { "version", 'V', NULL, "print the version" },
	[OPT_VERBOSE] = { "verbose", 'v', NULL, "print every warning, not one line per kind" },
	[OPT_STRICT] = { "strict", 0, NULL, "make every warning an error (exit 2, nothing written)" },
	[OPT_DETAIL] = { "detail", 0, "LEVEL", "run: summary, workloads, pods or events" },
	[OPT_A] = { "a", 0, "PATH=VALUE", "variant A: a --set of its own (repeatable)" },
	[OPT_B] = { "b", 0, "PATH=VALUE", "variant B: a --set of its own (repeatable)" },
	[OPT_VARY] = { "vary", 0, "PATH=V1,V2,...", "run every value of PATH (repeatable: a grid)" },
	[OPT_JOBS] = { "jobs", 'j', "N", "run at most N simulations at once" },
	[OPT_SHARD] = { "shard", 0, "I/N", "run the combinations with index % N == I, as JSON lines" },
	[OPT_METRICS] = { "metrics", 'm', "M1,M2,...", "the summary metrics to print" },
	[OPT_POD] = { "pod", 0, "FILE", "the pod to fit, from a manifest" },
	[OPT_REPLICAS_OF] = { "replicas-of", 0, "KIND/NAME", "the pod to fit: a workload's" },
	[OPT_AT] = { "at", 0, "DUR", "look at the cluster at DUR (default: just after t=0)" },
	[OPT_TYPES] = { "instance-types", 0, "LIST", "candidate types: names and globs" },
	[OPT_CAPTYPE] = { "capacity-type", 0, "LIST", "on-demand, spot or both" },
	[OPT_REGION] = { "region", 0, "R", "price the nodes in region R" },
	[OPT_MAX_COST] = { "max-cost", 0, "USD", "exit 1 when the cheapest option costs more" },
	[OPT_PERIOD] = { "period", 0, "day|month", "scale the cost to a day or a month" },
	[OPT_KARPENTER] = { "karpenter", 0, NULL, "also try a Karpenter NodePool of every candidate" },
	[OPT_METHOD] = { "method", 0, "static|ca", "size static node groups, or autoscale them" },
	[OPT_EXPLAIN] = { "explain", 0, NULL,
	    "run: add the decisions (ksim explain) to the JSON report" },
};

const struct cmd_entry *const cmd_table[] = {
	&cmd_run_entry, &cmd_validate_entry, &cmd_check_entry,
	&cmd_compare_entry, &cmd_sweep_entry, &cmd_merge_entry,
	&cmd_plan_entry, &cmd_completion_entry,
	&cmd_explain_entry,
	NULL
};

#define LONG_BASE	1000	/* getopt_long's value of a long option: LONG_BASE + id */

const struct cmd_entry *
cmd_find(const struct cmd_entry *const *table, const char *name)
{
	const char *sp;

	for (size_t i = 0; table[i] != NULL; i++) {
		/* a subcommand is found by its last word: "nodes" of "plan nodes" */
		sp = strrchr(table[i]->name, ' ');
		if (strcmp(sp != NULL ? sp + 1 : table[i]->name, name) == 0)
			return table[i];
	}
	return NULL;
}

/* The options the commands of family f take, together. */
static uint64_t
family_opts(enum cmd_family f)
{
	uint64_t m = 0;

	for (size_t i = 0; cmd_table[i] != NULL; i++) {
		const struct cmd_entry *e = cmd_table[i];

		if (e->family != f)
			continue;
		m |= e->opts;
		for (size_t k = 0; e->sub != NULL && e->sub[k] != NULL; k++)
			m |= e->sub[k]->opts;
	}
	return m;
}

void
cmd_version(FILE *fp)
{
	fprintf(fp, "ksim %s\n", PACKAGE_VERSION);
}

/* "  -o, --output FORMAT     text (default) or json" */
static void
option_line(FILE *fp, enum cmd_opt id)
{
	const struct cmd_option *op = &cmd_options[id];
	char left[64];

	if (op->letter != 0)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", op->letter, op->name,
		    op->arg ? " " : "", op->arg ? op->arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", op->name, op->arg ? " " : "",
		    op->arg ? op->arg : "");
	/* the help in one column, after at least two spaces */
	fprintf(fp, "  %-24s%s%s\n", left, strlen(left) < 23 ? "" : "  ", op->help);
}

void
cmd_usage(FILE *fp)
{
	uint64_t run = family_opts(CMD_FAM_RUN);
	const char *lead = "usage: ";

	for (size_t i = 0; cmd_table[i] != NULL; i++) {
		if (cmd_table[i]->family == CMD_FAM_RUN) {
			fprintf(fp, "%s%s", lead, cmd_table[i]->usage);
			lead = "       ";
		}
	}
	/* the other families in one line each: "ksim compare|sweep|merge ..." */
	for (int f = CMD_FAM_RUN + 1; f <= CMD_FAM_PLAN; f++) {
		const char *sep = "";

		fprintf(fp, "%sksim ", lead);
		for (size_t i = 0; cmd_table[i] != NULL; i++) {
			const struct cmd_entry *e = cmd_table[i];

			if (e->family != (enum cmd_family)f)
				continue;
			fprintf(fp, "%s%s", sep, e->name);
			sep = "|";
			for (size_t k = 0; e->sub != NULL && e->sub[k] != NULL; k++)
				fprintf(fp, "%s%s", k ? "|" : " ", strrchr(e->sub[k]->name, ' ') + 1);
		}
		fputs(" ... (see ksim(1))\n", fp);
	}
	fprintf(fp, "%sksim --help | --version\n\noptions:\n", lead);
	for (int id = 0; id < OPT_N; id++)
		if (run & CMD_OPT(id))
			option_line(fp, (enum cmd_opt)id);
	fputs("\nSee ksim(1) and ksim-scenario(5).\n", fp);
}

/* What a family prints after a bad command line (and plan after --help). */
static void
family_usage(const struct cmd_entry *e, FILE *fp)
{
	switch (e->family) {
	case CMD_FAM_RUN:
		cmd_usage(fp);
		return;
	case CMD_FAM_WHATIF:
		fprintf(fp, "usage: %sSee ksim(1).\n", e->usage);
		return;
	case CMD_FAM_PLAN:
		/* every plan subcommand's synopsis */
		for (size_t k = 0; cmd_plan_entry.sub[k] != NULL; k++)
			fprintf(fp, "%s%s", k ? "       " : "usage: ", cmd_plan_entry.sub[k]->usage);
		fputs("\noptions: -o text|json, -f PATH, -d DUR, -s SEED, -c DIR, -q, -S PATH=VALUE\n"
		    "See ksim(1).\n", fp);
		return;
	}
}

/* `ksim CMD --help`: its synopsis and its options, from the table. */
static void
cmd_help(const struct cmd_entry *e, FILE *fp)
{
	fprintf(fp, "usage: %s\noptions:\n", e->usage);
	for (int id = 0; id < OPT_N; id++)
		if (e->opts & CMD_OPT(id))
			option_line(fp, (enum cmd_opt)id);
	fputs("\nSee ksim(1).\n", fp);
}

void
cmd_list_options(FILE *fp)
{
	for (size_t i = 0; cmd_table[i] != NULL; i++) {
		const struct cmd_entry *e = cmd_table[i];
		const struct cmd_entry *one[2] = { e, NULL };
		const struct cmd_entry *const *v = e->sub != NULL ? e->sub : one;

		for (size_t k = 0; v[k] != NULL; k++)
			for (int id = 0; id < OPT_N; id++)
				if (v[k]->opts & CMD_OPT(id))
					fprintf(fp, "%s --%s\n", v[k]->name, cmd_options[id].name);
	}
}

static const char *const output_name[KSIM_OUTPUT_N] = {
	[KSIM_TEXT] = "text", [KSIM_JSON] = "json", [KSIM_YAML] = "yaml", [KSIM_WIDE] = "wide",
};

/* -o FORMAT for e: one of the formats it writes, or -1 (said: "expected text or json"). */
static int
parse_output(const struct cmd_entry *e, const char *arg, enum ksim_output *out)
{
	unsigned ok = e->outputs ? e->outputs : CMD_OUT(KSIM_TEXT) | CMD_OUT(KSIM_JSON);
	int n = 0, k = 0;

	for (int f = 0; f < KSIM_OUTPUT_N; f++) {
		n += (ok & CMD_OUT(f)) != 0;
		if ((ok & CMD_OUT(f)) && strcmp(arg, output_name[f]) == 0) {
			*out = (enum ksim_output)f;
			return 0;
		}
	}
	fputs("ksim: --output: expected ", stderr);
	for (int f = 0; f < KSIM_OUTPUT_N; f++)
		if (ok & CMD_OUT(f)) {
			k++;
			fprintf(stderr, "%s%s", k == 1 ? "" : k == n ? " or " : ", ", output_name[f]);
		}
	fprintf(stderr, ", found \"%s\"\n", arg);
	return -1;
}

/*
 * The options every command shares, into a->o (and --set into a->sets).
 * Returns 0, or -1 when the value is bad (said on stderr).
 */
static int
apply_shared(struct cmd_args *a, enum cmd_opt id, const char *arg)
{
	struct ksim_opts *o = &a->o;
	struct ks_error err;
	char *end;

	switch (id) {
	case OPT_OUTPUT:
		return parse_output(a->cmd, arg, &o->output);
	case OPT_DETAIL:
		for (int d = KSIM_DETAIL_SUMMARY; d <= KSIM_DETAIL_EVENTS; d++)
			if (strcmp(arg, report_detail_name[d]) == 0) {
				o->detail = (enum ksim_detail)d;
				return 0;
			}
		fprintf(stderr, "ksim: --detail: expected summary, workloads, pods or events, "
		    "found \"%s\"\n", arg);
		return -1;
	case OPT_OUTPUT_FILE:
		o->output_file = arg;
		return 0;
	case OPT_DURATION:
		ks_error_clear(&err);
		if (ks_duration_parse(arg, &o->duration_ms, &err, NULL) != 0 &&
		    strstr(err.msg, "unit") != NULL) {
			fprintf(stderr, "ksim: --duration: %s\n", err.msg);	/* "1d": the units */
			return -1;
		}
		if (err.code != 0 || o->duration_ms <= 0) {
			fprintf(stderr, "ksim: --duration: expected a positive duration such as 90s "
			    "or 5m, found \"%s\"\n", arg);
			return -1;
		}
		return 0;
	case OPT_SEED:
		errno = 0;
		o->seed = strtoull(arg, &end, 10);
		if (errno != 0 || *end != '\0' || arg[0] == '\0' || arg[0] == '-') {
			fprintf(stderr, "ksim: --seed: expected a non-negative integer, found \"%s\"\n",
			    arg);
			return -1;
		}
		o->has_seed = 1;
		return 0;
	case OPT_CATALOG:
		o->catalog_dir = arg;
		return 0;
	case OPT_QUIET:
		o->quiet = 1;
		return 0;
	case OPT_SET:
		if (strchr(arg, '=') == NULL || arg[0] == '=') {
			fprintf(stderr, "ksim: --set: expected PATH=VALUE, found \"%s\"\n", arg);
			return -1;
		}
		a->sets = xreallocarray(a->sets, a->nsets + 1, sizeof(*a->sets));
		a->sets[a->nsets++] = arg;
		return 0;
	case OPT_JUNIT:
		o->junit_file = arg;
		return 0;
	case OPT_TAP:
		o->tap = 1;
		return 0;
	case OPT_CSV:
		o->csv_dir = arg;
		return 0;
	case OPT_SVG:
		o->svg_file = arg;
		return 0;
	case OPT_EXPLAIN:
		o->explain = 1;
		return 0;
	case OPT_VERBOSE:
		o->verbose = 1;
		return 0;
	case OPT_STRICT:
		o->strict = 1;
		return 0;
	default:
		return a->cmd->option(a, id, arg);
	}
}

/* The option getopt_long returned as ch, or OPT_N for none (an error). */
static enum cmd_opt
opt_of(int ch, uint64_t known)
{
	if (ch >= LONG_BASE && ch < LONG_BASE + OPT_N)
		return (enum cmd_opt)(ch - LONG_BASE);
	for (int id = 0; id < OPT_N; id++)
		if ((known & CMD_OPT(id)) && cmd_options[id].letter == ch)
			return (enum cmd_opt)id;
	return OPT_N;
}

/* A bad command line: what getopt_long did not say already, then the usage. */
static void
complain(const struct cmd_entry *e, int ch, const char *word)
{
	if (e->family == CMD_FAM_PLAN) {
		if (ch == ':')
			fprintf(stderr, "ksim: %s: option \"%s\" expects a value\n", e->name, word);
		else
			fprintf(stderr, "ksim: %s: unknown option \"%s\"\n", e->name, word);
	}
	family_usage(e, stderr);
}

/* An option of the family that this command does not take. */
static void
not_taken(const struct cmd_entry *e, enum cmd_opt id, int ch, int li, const struct option *lo)
{
	if (e->family == CMD_FAM_PLAN)
		fprintf(stderr, "ksim: %s: --%s is not an option of this command\n", e->name,
		    cmd_options[id].name);
	else if (li >= 0)
		fprintf(stderr, "ksim: %s: option --%s does not go with %s\n", e->name, lo[li].name,
		    e->name);
	else
		fprintf(stderr, "ksim: %s: option -%c does not go with %s\n", e->name, ch, e->name);
}

static int	spool_stdin(const struct ksim_opts *);

/*
 * Parse argv[depth + 1 ...] for a->cmd (argv[depth] is its name).
 * getopt_long sees the command's name as argv[0] in the what-if and plan
 * families (its messages begin "sweep: "), the program's in the run
 * family.  *done is set when --help or --version answered the command
 * line.
 */
static enum cmd_status
cmd_parse(struct cmd_args *a, int argc, char **argv, int depth, int *done)
{
	const struct cmd_entry *e = a->cmd;
	uint64_t known = family_opts(e->family);
	int shift = e->family == CMD_FAM_RUN ? 0 : 1, ch, li, n = 0;
	struct option lo[OPT_N + 1];
	char shorts[3 * OPT_N + 2], *sp = shorts;
	char **av = argv + shift;
	int ac = argc - shift;

	*done = 0;
	if (e->family == CMD_FAM_PLAN)
		*sp++ = ':';	/* a missing value is ':', said here */
	for (int id = 0; id < OPT_N; id++) {
		const struct cmd_option *op = &cmd_options[id];

		if (!(known & CMD_OPT(id)))
			continue;
		lo[n++] = (struct option){ op->name, op->arg ? required_argument : no_argument, NULL,
		    LONG_BASE + id };
		if (op->letter != 0) {
			*sp++ = (char)op->letter;
			if (op->arg != NULL)
				*sp++ = ':';
		}
	}
	*sp = '\0';
	memset(&lo[n], 0, sizeof(lo[n]));
	optind = depth + 1 - shift;
	opterr = e->family != CMD_FAM_PLAN;
	for (li = -1; (ch = getopt_long(ac, av, shorts, lo, &li)) != -1; li = -1) {
		enum cmd_opt id = opt_of(ch, known);

		if (id == OPT_N) {
			complain(e, ch, av[optind - 1]);
			return CMD_BAD;
		}
		if (!(e->opts & CMD_OPT(id))) {
			not_taken(e, id, ch, li, lo);
			return CMD_BAD;
		}
		if (id == OPT_HELP || id == OPT_VERSION) {
			if (id == OPT_HELP)
				cmd_help(e, stdout);
			else
				cmd_version(stdout);
			*done = 1;
			return CMD_OK;
		}
		if (apply_shared(a, id, optarg) != 0)
			return CMD_BAD;
	}
	a->o.sets = a->sets;
	a->o.nsets = a->nsets;
	a->o.files = (const char *const *)av + optind;
	a->o.nfiles = (size_t)(ac - optind);
	if (a->o.nfiles == 0) {
		fprintf(stderr, "ksim: %s: %s\n", e->name, e->nofiles);
		return CMD_BAD;
	}
	return spool_stdin(&a->o) != 0 ? CMD_BAD : CMD_OK;
}

void
cmd_warn_arm(const struct ksim_opts *o)
{
	ks_warn_mode = o->verbose ? KS_WARN_PRINT : KS_WARN_GROUP;
}

/*
 * "-" among the operands is the standard input, as kubectl reads it.  A
 * command may load its files more than once (compare, sweep and plan
 * simulate many times, in threads), so the input is copied once into an
 * unlinked temporary file that becomes descriptor 0; the loader opens
 * /dev/stdin, which gives each open its own offset on a file, and names
 * it <stdin> in messages (io/ytree.c).  Returns 0, or -1 (said).
 */
static int
spool_stdin(const struct ksim_opts *o)
{
	size_t dashes = 0;
	char buf[65536];
	ssize_t n;
	FILE *tf;

	for (size_t i = 0; i < o->nfiles; i++)
		dashes += strcmp(o->files[i], "-") == 0;
	if (dashes == 0)
		return 0;
	if (dashes > 1) {
		fprintf(stderr, "ksim: -: the standard input can be read once, found \"-\" %zu times\n",
		    dashes);
		return -1;
	}
	if ((tf = tmpfile()) == NULL) {
		fprintf(stderr, "ksim: <stdin>: cannot make a temporary file: %s\n", strerror(errno));
		return -1;
	}
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && fwrite(buf, 1, (size_t)n, tf) != (size_t)n)
			break;
	if (n < 0 || fflush(tf) != 0 || ferror(tf) ||
	    dup2(fileno(tf), STDIN_FILENO) < 0 || lseek(STDIN_FILENO, 0, SEEK_SET) != 0) {
		fprintf(stderr, "ksim: <stdin>: cannot read: %s\n", strerror(errno));
		fclose(tf);
		return -1;
	}
	fclose(tf);
	return 0;
}

enum cmd_status
cmd_error(const struct ks_error *err)
{
	ks_error_print(stderr, err);
	return CMD_BAD;
}

enum cmd_status
cmd_write(const struct ksim_opts *o, const char *buf, size_t len)
{
	struct ks_error err;

	ks_error_clear(&err);
	if (o->output_file != NULL)
		return atomic_write(o->output_file, buf, len, &err) != 0 ? cmd_error(&err) : CMD_OK;
	if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		ks_error_set(&err, NULL, KS_EIO, "cannot write the output: %s", strerror(errno));
		return cmd_error(&err);
	}
	return CMD_OK;
}

/* "expected headroom, nodes or cost" */
static void
expected_subs(const struct cmd_entry *e, FILE *fp)
{
	fputs("expected ", fp);
	for (size_t k = 0; e->sub[k] != NULL; k++)
		fprintf(fp, "%s%s", k == 0 ? "" : e->sub[k + 1] == NULL ? " or " : ", ",
		    strrchr(e->sub[k]->name, ' ') + 1);
}

enum cmd_status
cmd_main(const struct cmd_entry *e, int argc, char **argv, int depth)
{
	struct cmd_args a;
	enum cmd_status st;
	int done;

	if (e->sub != NULL) {
		const struct cmd_entry *s;

		const char *word = depth + 1 < argc ? argv[depth + 1] : NULL;

		if (word == NULL) {
			family_usage(e, stderr);
			return CMD_BAD;
		}
		if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
			family_usage(e, stdout);
			return CMD_OK;
		}
		if ((s = cmd_find(e->sub, word)) == NULL) {
			fprintf(stderr, "ksim: %s: ", e->name);
			expected_subs(e, stderr);
			fprintf(stderr, ", found \"%s\"\n", word);
			family_usage(e, stderr);
			return CMD_BAD;
		}
		return cmd_main(s, argc, argv, depth + 1);
	}
	memset(&a, 0, sizeof(a));
	a.cmd = e;
	a.o.duration_ms = -1;
	if (e->priv_new != NULL)
		a.priv = e->priv_new();
	st = cmd_parse(&a, argc, argv, depth, &done);
	if (st == CMD_OK && !done)
		st = e->exec(&a);
	if (e->priv_free != NULL)
		e->priv_free(a.priv);
	free(a.sets);
	return st;
}
