/* plan.c: placeholder; capacity planning is being written. */
#include "plan.h"

#include <stdio.h>

int
plan_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ksim: plan: not available yet\n");
	return 2;
}
