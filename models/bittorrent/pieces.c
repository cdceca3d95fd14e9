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
 * Uniform choice among the pieces the neighbour has and the peer lacks, in
 * flight or not as asked, with the lowest rank (rank all 0: uniform among
 * all), in one pass in the order of the pieces: the k-th candidate of the
 * best rank so far replaces the choice with probability 1/k.  The
 * candidates are found a word of the bitfields at a time.
 */
static int64_t
choose(const struct pieces_choice *c, bool in_flight_ok, bool rarest, gsl_rng *r)
{
	int64_t best = -1;
	uint32_t best_rank = UINT32_MAX, ties = 0;
	size_t words = pieces_words(c->npieces);

	for (size_t w = 0; w < words; w++) {
		uint64_t cand = c->theirs[w] & ~c->mine[w] &
				(in_flight_ok ? c->in_flight[w] : ~c->in_flight[w]);

		if (w == words - 1 && c->npieces % PIECES_WORD_BITS)
			cand &= ((uint64_t)1 << (c->npieces % PIECES_WORD_BITS)) - 1;
		for (; cand; cand &= cand - 1) {
			uint32_t i = (uint32_t)(w * PIECES_WORD_BITS) +
				     (uint32_t)__builtin_ctzll(cand);
			uint32_t rank = rarest ? c->avail[i] : 0;

			if (rank < best_rank) {
				best_rank = rank;
				best = i;
				ties = 1;
			} else if (rank == best_rank && gsl_rng_uniform_int(r, ++ties) == 0) {
				best = i;
			}
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
