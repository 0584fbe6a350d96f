/*
 * main.c: the command line.  Finds the command in the table (cmd/cmd.h),
 * lets it parse and run, and maps the status it returns to the exit code:
 * the one place the exit codes are written down.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

/* The process's exit codes: written here and nowhere else. */
enum exit_status {
	EXIT_OK = 0,		/* success */
	EXIT_EXPECT = 1,	/* an expectation failed (check, plan nodes) */
	EXIT_BAD = 2,		/* bad usage or bad input */
};

static enum exit_status
exit_code(enum cmd_status st)
{
	switch (st) {
	case CMD_OK:
		return EXIT_OK;
	case CMD_EXPECT_FAILED:
		return EXIT_EXPECT;
	case CMD_BAD:
		break;
	}
	return EXIT_BAD;
}

int
main(int argc, char **argv)
{
	const struct cmd_entry *e;

	if (argc < 2) {
		cmd_usage(stderr);
		return exit_code(CMD_BAD);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cmd_usage(stdout);
		return exit_code(CMD_OK);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		cmd_version(stdout);
		return exit_code(CMD_OK);
	}
	if (strcmp(argv[1], "--list-options") == 0) {
		/* hidden: the man page test reads every command's options here */
		cmd_list_options(stdout);
		return exit_code(CMD_OK);
	}
	if ((e = cmd_find(cmd_table, argv[1])) == NULL) {
		fprintf(stderr, "ksim: unknown command \"%s\": expected ", argv[1]);
		for (size_t i = 0; cmd_table[i] != NULL; i++)
			fprintf(stderr, "%s%s", i == 0 ? "" : cmd_table[i + 1] == NULL ? " or " : ", ",
			    cmd_table[i]->name);
		fputc('\n', stderr);
		cmd_usage(stderr);
		return exit_code(CMD_BAD);
	}
	return exit_code(cmd_main(e, argc, argv, 1));
}
