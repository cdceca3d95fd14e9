/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/bittorrent/pieces.h"

#include <gsl/gsl_rng.h>

uint32_t
pieces_count(const uint64_t *set, uint32_t n)
{
	uint32_t c = 0;

	for (size_t w = 0; w < pieces_words(n); w++)
		c += (uint32_t)__builtin_popcountll(set[w]);
	return c;
}

/*
 * Uniform choice among the pieces for which keep() holds, with the lowest
 * rank (rank all 0: uniform among all), in one pass: the k-th candidate of
 * the best rank so far replaces the choice with probability 1/k.
 */
static int64_t
choose(const struct pieces_choice *c, bool in_flight_ok, bool rarest, gsl_rng *r)
{
	int64_t best = -1;
	uint32_t best_rank = UINT32_MAX, ties = 0;

	for (uint32_t i = 0; i < c->npieces; i++) {
		uint32_t rank;

		if (pieces_has(c->mine, i) || !pieces_has(c->theirs, i))
			continue;
		if (pieces_has(c->in_flight, i) != in_flight_ok)
			continue;
		rank = rarest ? c->avail[i] : 0;
		if (rank < best_rank) {
			best_rank = rank;
			best = i;
			ties = 1;
		} else if (rank == best_rank && gsl_rng_uniform_int(r, ++ties) == 0) {
			best = i;
		}
	}
	return best;
}

int64_t
pieces_pick(const struct pieces_choice *c, struct rng_stream *s, bool *endgame)
{
	gsl_rng *r = rng_stream_gsl(s);
	bool rarest = pieces_count(c->mine, c->npieces) >= c->random_first;
	int64_t p = choose(c, false, rarest, r);

	*endgame = false;
	if (p >= 0)
		return p;
	/* Nothing new to ask this neighbour for: endgame only if every piece
	 * the peer lacks is in flight already (from anyone). */
	for (size_t w = 0; w < pieces_words(c->npieces); w++) {
		uint64_t missing = ~(c->mine[w] | c->in_flight[w]);

		if (w == pieces_words(c->npieces) - 1 && c->npieces % PIECES_WORD_BITS)
			missing &= ((uint64_t)1 << (c->npieces % PIECES_WORD_BITS)) - 1;
		if (missing)
			return -1;
	}
	p = choose(c, true, false, r);
	*endgame = p >= 0;
	return p;
}
