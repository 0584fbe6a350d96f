/*
 * intern.c: open-addressing hash set of strings (FNV-1a, linear probing,
 * load factor <= 1/2).  Strings live in 64 KiB chunks that are only freed by
 * intern_reset().  The table never reaches output: callers sort by content.
 */
#include "util/intern.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

struct chunk {
	struct chunk	*next;
	size_t		 used;	/* bytes used in data */
	size_t		 size;	/* bytes in data */
	char		 data[];
};

static const char	**table;	/* slots, NULL when free */
static size_t		  cap;		/* slots, a power of two */
static size_t		  count;	/* occupied slots */
static struct chunk	 *chunks;
static unsigned		  generation;	/* intern_reset calls */

static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static char *
store(const char *s, size_t n)
{
	struct chunk *c = chunks;
	char *p;

	if (c == NULL || c->size - c->used < n + 1) {
		size_t sz = n + 1 > 65536 ? n + 1 : 65536;

		c = xmalloc(sizeof(*c) + sz);
		c->next = chunks;
		c->used = 0;
		c->size = sz;
		chunks = c;
	}
	p = c->data + c->used;
	memcpy(p, s, n);
	p[n] = '\0';
	c->used += n + 1;
	return p;
}

static void
grow(void)
{
	size_t ncap = cap ? cap * 2 : 1024;
	const char **nt = xcalloc(ncap, sizeof(*nt));

	for (size_t i = 0; i < cap; i++) {
		if (table[i] == NULL)
			continue;
		size_t j = hash(table[i], strlen(table[i])) & (ncap - 1);
		while (nt[j] != NULL)
			j = (j + 1) & (ncap - 1);
		nt[j] = table[i];
	}
	free(table);
	table = nt;
	cap = ncap;
}

const char *
intern_n(const char *s, size_t n)
{
	size_t i;

	if (2 * (count + 1) > cap)
		grow();
	i = hash(s, n) & (cap - 1);
	while (table[i] != NULL) {
		if (strncmp(table[i], s, n) == 0 && table[i][n] == '\0')
			return table[i];
		i = (i + 1) & (cap - 1);
	}
	table[i] = store(s, n);
	count++;
	return table[i];
}

const char *
intern(const char *s)
{
	return intern_n(s, strlen(s));
}

unsigned
intern_generation(void)
{
	return generation;
}

void
intern_reset(void)
{
	generation++;
	while (chunks != NULL) {
		struct chunk *next = chunks->next;

		free(chunks);
		chunks = next;
	}
	free(table);
	table = NULL;
	cap = count = 0;
}
