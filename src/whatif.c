/* whatif.c: placeholder; compare, sweep and merge are being written. */
#include "whatif.h"

#include <stdio.h>

int
whatif_main(const char *cmd, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ksim: %s: not available yet\n", cmd);
	return 2;
}
