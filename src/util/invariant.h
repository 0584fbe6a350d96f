/*
 * invariant.h: how ksim checks the invariants whose breaking would give a
 * wrong number silently (SQLite's discipline).
 *
 * Two tiers.  Cheap checks -- O(1), or O(RES_N) on a node's resource
 * vector -- are plain assert()s and stay on in every build: configure
 * never defines NDEBUG, because a release that prints a wrong bill is
 * worse than one that stops.  Hot paths (the scheduler's bind, the event
 * heap) hold only such checks, so the scale benchmark does not move.
 *
 * Full checks walk a structure (the whole heap, a node's pod list) and
 * would make a run O(n^2).  They are functions returning 1 when the
 * invariant holds, called through KS_INVARIANT(), which runs them only
 * when ks_invariants is set: from the environment variable
 * KSIM_INVARIANTS=1 (read once at start-up), or always when the library
 * is compiled with -DKS_DEBUG_INVARIANTS.  `make check` exports
 * KSIM_INVARIANTS=1, so every unit test and every scenario the shell
 * tests run through the binary is checked in full.
 *
 * Rejected: a compile-time switch alone.  libksim.a is built once for the
 * binary and the tests; a second checked build would double the build on
 * small machines, and the shell-driven scenarios, where most behaviour is
 * tested, would not be covered.  The run-time switch costs one predictable
 * branch per call site.
 */
#ifndef KS_INVARIANT_H
#define KS_INVARIANT_H

#include <assert.h>

/* 1: KS_INVARIANT() runs its full check (KSIM_INVARIANTS=1 in the environment). */
extern int ks_invariants;

/* assert(full) when full checks are on; `full` is not evaluated otherwise. */
#define KS_INVARIANT(full)	assert(!ks_invariants || (full))

#endif
