/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Which piece a BitTorrent peer asks a neighbour for: the first few at
 * random (to have something to trade soon), then the rarest among its
 * neighbours, ties broken at random; and, once every piece it lacks is
 * already being fetched, endgame: any of those again from another peer.
 * Piece sets are bitfields of npieces bits.
 */
#ifndef FLASHCOOP_MODELS_BITTORRENT_PIECES_H
#define FLASHCOOP_MODELS_BITTORRENT_PIECES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/rng.h"

/* Pieces per word of a bitfield (the bits of a uint64_t). */
#define PIECES_WORD_BITS 64

/* A bitfield of n pieces: n / PIECES_WORD_BITS words, rounded up. */
static inline size_t
pieces_words(uint32_t n)
{
	return (n + PIECES_WORD_BITS - 1) / PIECES_WORD_BITS;
}

static inline bool
pieces_has(const uint64_t *set, uint32_t i)
{
	return (set[i / PIECES_WORD_BITS] >> (i % PIECES_WORD_BITS)) & 1;
}

static inline void
pieces_add(uint64_t *set, uint32_t i)
{
	set[i / PIECES_WORD_BITS] |= (uint64_t)1 << (i % PIECES_WORD_BITS);
}

static inline void
pieces_remove(uint64_t *set, uint32_t i)
{
	set[i / PIECES_WORD_BITS] &= ~((uint64_t)1 << (i % PIECES_WORD_BITS));
}

/* Pieces in a set. */
uint32_t pieces_count(const uint64_t *set, uint32_t n);

struct pieces_choice {
	uint32_t npieces;
	const uint64_t *mine;      /* what the peer has */
	const uint64_t *theirs;    /* what the neighbour has */
	const uint64_t *in_flight; /* what the peer is fetching already */
	const uint32_t *avail;     /* copies of each piece among its neighbours */
	uint32_t random_first;     /* pick at random while having fewer */
};

/*
 * The piece to ask the neighbour for, or -1 when it has nothing the peer
 * needs.  Draws from s for random choices and ties.  *endgame says whether
 * the piece is one already in flight.
 */
int64_t pieces_pick(const struct pieces_choice *c, struct rng_stream *s, bool *endgame);

#endif
