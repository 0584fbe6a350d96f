/*
 * intern.h: a process-wide string pool.  Equal strings get the same pointer,
 * so label keys and values, namespaces and image names compare by address.
 * Interned strings are never freed (they are bounded by the input).
 */
#ifndef KS_INTERN_H
#define KS_INTERN_H

#include <stddef.h>

const char	*intern(const char *s);
const char	*intern_n(const char *s, size_t n);
/* Release the pool (tests and valgrind runs). */
void		 intern_reset(void);
/* Bumped by every intern_reset: a cache of interned pointers checks it. */
unsigned	 intern_generation(void);

#endif
