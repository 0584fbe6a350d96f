/* ptrmap.c: linear probing, load <= 1/2, no deletion (objects are never forgotten). */
#include "util/ptrmap.h"

#include <stdint.h>
#include <stdlib.h>

#include "util/xmalloc.h"

static size_t
slot(const void *key, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)key;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (size_t)h & (cap - 1);
}

static void
grow(struct ptrmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	const void **nk = xcalloc(ncap, sizeof(*nk));
	void **nv = xcalloc(ncap, sizeof(*nv));

	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (m->keys[i] == NULL)
			continue;
		j = slot(m->keys[i], ncap);
		while (nk[j] != NULL)
			j = (j + 1) & (ncap - 1);
		nk[j] = m->keys[i];
		nv[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = nk;
	m->vals = nv;
	m->cap = ncap;
}

void
ptrmap_put(struct ptrmap *m, const void *key, void *val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap)
		grow(m);
	i = slot(key, m->cap);
	while (m->keys[i] != NULL && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	if (m->keys[i] == NULL)
		m->n++;
	m->keys[i] = key;
	m->vals[i] = val;
}

void *
ptrmap_get(const struct ptrmap *m, const void *key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = slot(key, m->cap);
	while (m->keys[i] != NULL) {
		if (m->keys[i] == key)
			return m->vals[i];
		i = (i + 1) & (m->cap - 1);
	}
	return NULL;
}

void
ptrmap_free(struct ptrmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}
