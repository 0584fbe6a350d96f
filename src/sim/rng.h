/*
 * rng.h: the only source of randomness in a run: xoshiro256** seeded from
 * the scenario seed through splitmix64.  Each consumer (pod names, the
 * scheduler's tie-break, the CA random expander, spot interruptions) draws
 * from its own stream derived from the seed and a fixed stream id, so adding
 * draws in one component does not change another's sequence.
 */
#ifndef KS_RNG_H
#define KS_RNG_H

#include <stdint.h>

struct ks_rng {
	uint64_t	s[4];	/* xoshiro256** state */
};

void		rng_seed(struct ks_rng *, uint64_t seed, uint64_t stream);
uint64_t	rng_next(struct ks_rng *);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint64_t	rng_below(struct ks_rng *, uint64_t n);
/* Uniform double in [0, 1). */
double		rng_unit(struct ks_rng *);

#endif
