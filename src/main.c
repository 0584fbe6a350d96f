/*
 * main.c: the command line.  Parses flags, calls the library, maps errors
 * to exit codes.  Nothing else lives here.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ksim.h"
#include "plan/plan.h"
#include "whatif/whatif.h"
#include "util/duration.h"
#include "util/error.h"

#define EXIT_EXPECT	1	/* an expectation failed (check); 0 and 2 from whatif.h */

static void
usage(FILE *fp)
{
	fputs("usage: ksim run [options] FILE...\n"
	    "       ksim validate [options] FILE...\n"
	    "       ksim check [options] [--junit FILE] [--tap] FILE...\n"
	    "       ksim compare|sweep|merge ... (see ksim(1))\n"
	    "       ksim plan headroom|nodes|cost ... (see ksim(1))\n"
	    "       ksim --help | --version\n"
	    "\n"
	    "options:\n"
	    "  -o, --output FORMAT     text (default) or json\n"
	    "  -f, --output-file PATH  write the report to PATH (atomically)\n"
	    "  -d, --duration DUR      simulate DUR (e.g. 30m) instead of the scenario's\n"
	    "  -s, --seed N            use seed N instead of the scenario's\n"
	    "  -c, --catalog DIR       read instance types and prices from DIR\n"
	    "  -q, --quiet             do not print warnings\n"
	    "  -j, --junit FILE        check: also write JUnit XML to FILE\n"
	    "  -t, --tap               check: print TAP instead of one line per expectation\n"
	    "  -S, --set PATH=VALUE    change a Scenario or manifest field (repeatable)\n"
	    "      --csv DIR           run: also write the time series as CSV files into DIR\n"
	    "      --svg FILE          run: also write a timeline chart as SVG to FILE\n"
	    "  -h, --help              print this help\n"
	    "  -V, --version           print the version\n"
	    "\n"
	    "See ksim(1) and ksim-scenario(5).\n", fp);
}

static int
fail(const struct ks_error *err)
{
	ks_error_print(stderr, err);
	return EXIT_BAD;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "output-file", required_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "catalog", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "junit", required_argument, NULL, 'j' },
		{ "tap", no_argument, NULL, 't' },
		{ "set", required_argument, NULL, 'S' },
		{ "csv", required_argument, NULL, 1001 },
		{ "svg", required_argument, NULL, 1002 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct ksim_opts o;
	struct ks_error err;
	const char **sets = NULL;
	const char *cmd;
	int ch, rc;

	memset(&o, 0, sizeof(o));
	ks_error_clear(&err);
	o.duration_ms = -1;
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
		printf("ksim %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_BAD;
	}
	cmd = argv[1];
	if (strcmp(cmd, "compare") == 0 || strcmp(cmd, "sweep") == 0 || strcmp(cmd, "merge") == 0)
		return whatif_main(cmd, argc - 1, argv + 1);
	if (strcmp(cmd, "plan") == 0)
		return plan_main(argc - 1, argv + 1);
	if (strcmp(cmd, "run") != 0 && strcmp(cmd, "validate") != 0 && strcmp(cmd, "check") != 0) {
		fprintf(stderr, "ksim: unknown command \"%s\": expected run, validate or check\n", cmd);
		usage(stderr);
		return EXIT_BAD;
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "o:f:d:s:c:qj:tS:hV", longopts, NULL)) != -1) {
		int common = ksim_opt_common(&o, ch, optarg, &sets, &o.nsets);

		if (common < 0) {
			free(sets);
			return EXIT_BAD;
		}
		if (common > 0)
			continue;
		switch (ch) {
		case 'j':
			o.junit_file = optarg;
			break;
		case 't':
			o.tap = 1;
			break;
		case 1001:
			o.csv_dir = optarg;
			break;
		case 1002:
			o.svg_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("ksim %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_BAD;
		}
	}
	o.sets = sets;
	o.files = (const char *const *)argv + optind;
	o.nfiles = (size_t)(argc - optind);
	if (o.nfiles == 0) {
		fprintf(stderr, "ksim: %s: expected at least one scenario FILE\n", cmd);
		return EXIT_BAD;
	}
	if ((o.junit_file != NULL || o.tap) && strcmp(cmd, "check") != 0) {
		fprintf(stderr, "ksim: --junit and --tap go with check, not %s\n", cmd);
		return EXIT_BAD;
	}
	if (strcmp(cmd, "check") == 0) {
		size_t failed;

		rc = ksim_check(&o, &failed, &err);
		free(sets);
		if (rc != 0)
			return fail(&err);
		return failed ? EXIT_EXPECT : EXIT_OK;
	}
	rc = strcmp(cmd, "validate") == 0 ? ksim_validate(&o, &err) : ksim_run(&o, &err);
	free(sets);
	if (rc != 0)
		return fail(&err);
	return EXIT_OK;
}
