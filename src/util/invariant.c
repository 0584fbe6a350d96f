/*
 * invariant.c: the switch for the full invariant checks (see invariant.h).
 * Read from the environment before main() so that the unit tests, which
 * have their own main(), are covered without a call of their own.
 */
#include "util/invariant.h"

#include <stdlib.h>
#include <string.h>

#ifdef KS_DEBUG_INVARIANTS
int ks_invariants = 1;
#else
int ks_invariants = 0;
#endif

__attribute__((constructor)) static void
invariant_init(void)
{
	const char *v = getenv("KSIM_INVARIANTS");

	if (v != NULL && strcmp(v, "1") == 0)
		ks_invariants = 1;
}
