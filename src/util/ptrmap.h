/*
 * ptrmap.h: a hash map keyed by interned-string pointers (so key equality is
 * pointer equality).  Used for name lookups only: iteration order is never
 * exposed, because hash order must not reach output.
 */
#ifndef KS_PTRMAP_H
#define KS_PTRMAP_H

#include <stddef.h>

struct ptrmap {
	const void	**keys;		/* NULL when the slot is free */
	void		**vals;
	size_t		  cap;		/* power of two */
	size_t		  n;
};

void	 ptrmap_put(struct ptrmap *, const void *key, void *val);
void	*ptrmap_get(const struct ptrmap *, const void *key);
void	 ptrmap_free(struct ptrmap *);

#endif
