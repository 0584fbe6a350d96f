/*
 * xmalloc.h: allocation that cannot fail.  ksim is a command-line tool; on
 * out-of-memory it prints one line and aborts rather than threading ENOMEM
 * through every loader and controller (the tmux convention).
 */
#ifndef KS_XMALLOC_H
#define KS_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
/* realloc for n elements of size sz, overflow-checked */
void	*xreallocarray(void *, size_t n, size_t sz);
char	*xstrdup(const char *);
/* Print "ksim: out of memory[ in WHERE]" and abort (for allocators not ours). */
void	 xmalloc_fail(const char *where) __attribute__((noreturn));
char	*xstrndup(const char *, size_t);
/* asprintf that aborts on failure */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * Growable arrays: `VEC_PUSH(v, n, cap, x)` appends x to v[0..n), growing
 * cap geometrically.  Used everywhere a model object owns a list.
 */
#define VEC_GROW(v, n, cap) do {					\
	if ((n) >= (cap)) {						\
		(cap) = (cap) ? (cap) * 2 : 8;				\
		(v) = xreallocarray((v), (cap), sizeof(*(v)));		\
	}								\
} while (0)
#define VEC_PUSH(v, n, cap, x) do {					\
	VEC_GROW(v, n, cap);						\
	(v)[(n)++] = (x);						\
} while (0)

#endif
