/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Random streams: one independent GSL generator per simulated entity, seeded
 * from (master seed, replication, entity kind, entity index).
 *
 * Independence.  A stream's seed is a hash of those four values and nothing
 * else, so an entity draws the same numbers whatever other entities exist:
 * adding a cooperator, or a millionth client, leaves every other entity's
 * draws unchanged, and replication r of a run is the same whether it is run
 * alone or inside a sweep.
 *
 * The hash (stable: changing it changes every published result).  With
 * mix(z) the SplitMix64 output function
 *     z += 0x9e3779b97f4a7c15;
 *     z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
 *     z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
 *     return z ^ (z >> 31);
 * and fnv(kind) the 64-bit FNV-1a hash of the kind's bytes, the key is
 *     key = mix(mix(mix(mix(master) ^ replication) ^ fnv(kind)) ^ index)
 * and the generator's three 32-bit state words are the low halves of
 * mix(key), mix(key + 1) and mix(key + 2), raised to the generator's minimum
 * values (2, 8, 16) where lower, followed by six discarded draws, as GSL's own
 * seeding does.
 *
 * Generator.  GSL's taus2 (L'Ecuyer's maximally equidistributed combined
 * Tausworthe generator, period 2^88), chosen because its state is 24 bytes:
 * a whole stream is sizeof(struct rng_stream) = 40 bytes with no separate
 * allocation, so 10^6 clients with a stream each cost 40 MB, where mt19937
 * would cost 2.5 GB.  GSL's own seeding of taus2 takes 32 bits, and 10^6
 * streams seeded from 32-bit values would share seeds (about a hundred
 * colliding pairs are expected); the state is therefore written directly
 * (GSL documents direct access to a generator's state) from 96 bits of the
 * key, and a test checks that the layout is the one GSL's taus2 uses.
 *
 * Use rng_stream_gsl() with any GSL distribution (gsl_ran_*, gsl_rng_uniform).
 */
#ifndef FLASHCOOP_SIM_RNG_H
#define FLASHCOOP_SIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "flashcoop/time.h"

/*
 * A stream; it contains a pointer to itself, so it must not be copied by
 * value (initialise the copy's place instead).  Needs no clearing.
 */
struct rng_stream {
	gsl_rng r;
	unsigned long state[3];
};

/* The documented hash above: the key of one entity's stream. */
uint64_t rng_stream_key(uint64_t master, uint64_t replication,
			const char *kind, uint64_t index);

/* Seeds s as the stream of entity (kind, index) in (master, replication). */
void rng_stream_init(struct rng_stream *s, uint64_t master,
		     uint64_t replication, const char *kind, uint64_t index);

/*
 * A drawn number of nanoseconds as a time, truncated towards zero.  It
 * saturates, because a draw can be anything a double holds (an exponential
 * with a mean of 10^300 ns, say) and converting a double that does not fit
 * into an integer is undefined behaviour: NaN and values below 0 give 0,
 * values of 2^64 ns or more give FC_TIME_NEVER, which the engine takes as
 * "after the end of the run" (sim/engine.h).
 */
fc_time_t rng_time_from_ns(double ns);

/* The stream as a GSL generator, valid as long as s is. */
static inline gsl_rng *
rng_stream_gsl(struct rng_stream *s)
{
	return &s->r;
}

#endif
