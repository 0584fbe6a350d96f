/* rng.c: xoshiro256** (Blackman & Vigna, public domain algorithm). */
#include "sim/rng.h"

#include <assert.h>

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rng_seed(struct ks_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next(struct ks_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t
rng_below(struct ks_rng *r, uint64_t n)
{
	uint64_t lim, x;

	assert(n > 0);
	lim = -n % n;	/* 2^64 mod n: values below it are biased */
	do
		x = rng_next(r);
	while (x < lim);
	return x % n;
}

double
rng_unit(struct ks_rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}
