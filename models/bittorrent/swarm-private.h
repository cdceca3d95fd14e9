/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The inside of the swarm model (swarm.h), shared by its files and by
 * nobody else:
 *
 *   swarm.c     the swarm object, its torrents, the whole-swarm accounts
 *   transfer.c  blocks, requests, pieces, the flows carrying them, byte
 *               credit, the endgame
 *   choke.c     interest, choking and unchoking, the rechoke timer
 *   peer.c      a peer's life: join, connect, announce, seed, disconnect,
 *               leave
 *   config.c    the defaults and the [bittorrent] keys of a scenario
 *
 * Functions one file shares with the others are named swarm__*; the rest
 * stay static in their file.  Everything here runs inside engine events
 * and takes the time it is handed; a peer's random draws come from its own
 * stream, in the order the code makes them, so moving code between these
 * files must keep the order of calls.
 */
#ifndef FLASHCOOP_MODELS_BITTORRENT_SWARM_PRIVATE_H
#define FLASHCOOP_MODELS_BITTORRENT_SWARM_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "flashcoop/time.h"
#include "sim/engine.h"
#include "sim/rng.h"
#include "sim/hash.h"
#include "models/world/net.h"
#include "models/bittorrent/swarm.h"
#include "models/bittorrent/tracker.h"

/* Blocks of a piece at most: a piece's blocks are the bits of a uint64_t. */
#define SWARM_MAX_BLOCKS 64
/* Links on each side of a peer (access link, then perhaps an ISP link). */
#define SWARM_MAX_LINKS 2
/* Links a flow crosses at most: the uploader's and the downloader's. */
#define SWARM_MAX_PATH (2 * SWARM_MAX_LINKS)

struct torrent {
	uint64_t bytes;
	uint32_t npieces;
	size_t seeds, leechers;
	uint64_t up_by[SWARM_CLASSES]; /* bytes uploaded into it, by class */
};

/* One end of a connection: what that end does. */
struct side {
	struct net_flow *flow;  /* this end downloading blocks from the other */
	uint32_t piece;         /* blocks first .. first + nblocks - 1 of it */
	uint8_t first, nblocks;
	uint64_t credited;      /* bytes of the flow already in the rate windows */
	fc_time_t copy_after;   /* endgame: no copy asked for before (see transfer.c) */
	uint64_t recv[2];       /* from the other: this and the last interval */
	uint64_t sent[2];       /* to the other */
	bool choking;           /* this end chokes the other */
	bool interested;        /* this end wants a piece of the other's */
	bool optimistic;        /* the other is this end's optimistic unchoke */
};

struct conn {
	struct swarm_peer *p[2];
	guint pos[2];           /* index in each end's conns */
	struct side s[2];
};

/* Bits of the per-block count of flows fetching a block (struct partial). */
#define SWARM_COVER_BITS 3

/*
 * A piece some of whose blocks are requested or have arrived.  cover
 * counts, for each block, the flows of the peer fetching it, bit-sliced:
 * bit b of cover[i] is bit i of block b's count.  It is kept as flows
 * start, shrink and end, so that whether a block is on its way, or on its
 * way twice (the endgame's question), takes no walk over the connections;
 * swarm_check recounts it from the flows.
 */
struct partial {
	uint32_t piece;
	uint64_t full;          /* all its blocks */
	uint64_t requested;     /* blocks asked for (or arrived) */
	uint64_t received;      /* blocks arrived */
	uint64_t cover[SWARM_COVER_BITS];
};

struct swarm_peer {
	struct swarm *sw;
	uint64_t id;
	uint32_t torrent;
	net_link up[SWARM_MAX_LINKS], down[SWARM_MAX_LINKS];
	uint8_t nup, ndown;
	bool seed, leaving;
	uint64_t *have, *flight;
	uint32_t *avail;        /* neighbours holding each piece */
	uint32_t npieces;       /* held */
	GPtrArray *conns;       /* struct conn; removal moves the last into the gap */
	uint64_t *sets;         /* enum swarm_set, set_words each */
	uint32_t set_words;     /* words of a set: room for max_connections */
	GArray *partials;       /* struct partial, NULL when none */
	unsigned unchoked;      /* neighbours it does not choke */
	struct rng_stream rng;
	engine_event rechoke_ev, announce_ev;
	fc_time_t last_announce, next_announce, next_optimistic;
	uint64_t uploaded, downloaded;
	unsigned cls;           /* the host's class, for swarm_uploaded_by */
	const struct swarm_hooks *hooks;
	void *data;
};

struct swarm {
	struct engine *e;
	struct net *net;
	struct tracker *tr;
	struct swarm_config c;
	GArray *torrents;       /* struct torrent */
	GHashTable *peers;      /* swarm__peer_key(id) -> struct swarm_peer; see
				 * swarm_free on its order */
	struct swarm_bytes b;
	uint64_t up_by[SWARM_CLASSES];
	GArray *answer;         /* scratch: tracker answers */
};

/* Which end of c peer p is (0 or 1). */
static inline int
swarm__end_of(const struct conn *c, const struct swarm_peer *p)
{
	return c->p[1] == p;
}

/* The mask of blocks 0 .. n - 1 (n at most SWARM_MAX_BLOCKS). */
static inline uint64_t
swarm__all_blocks(uint32_t n)
{
	return n == SWARM_MAX_BLOCKS ? UINT64_MAX : ((uint64_t)1 << n) - 1;
}

/* The blocks side sd's flow carries. */
static inline uint64_t
swarm__side_blocks(const struct side *sd)
{
	return swarm__all_blocks(sd->nblocks) << sd->first;
}

/* Blocks of x that a flow is fetching. */
static inline uint64_t
swarm__covered(const struct partial *x)
{
	uint64_t m = 0;

	for (int i = 0; i < SWARM_COVER_BITS; i++)
		m |= x->cover[i];
	return m;
}

/* Blocks of x that two flows (or more) are fetching. */
static inline uint64_t
swarm__doubled(const struct partial *x)
{
	uint64_t m = 0;

	for (int i = 1; i < SWARM_COVER_BITS; i++)
		m |= x->cover[i];
	return m;
}

/*
 * Sets of a peer's connections, by position in its conns (bit i of a set:
 * conns[i]), for the walks that want few of them:
 *   SWARM_READY  its side may request now: it has no flow, it is
 *                interested and the other end does not choke it (the
 *                others would return at once from swarm__request);
 *   SWARM_BUSY   its side has a flow;
 *   SWARM_MULTI  its side has a flow of more than one block (the tails an
 *                endgame request may take over).
 * They are kept exact wherever a flow starts, shrinks or ends, interest or
 * choking changes, or a connection moves (swarm__conn_update), walked in
 * position order, and compared with the connections by swarm_check.
 */
enum swarm_set { SWARM_READY, SWARM_BUSY, SWARM_MULTI, SWARM_SETS };

/* Whether side k of c belongs in its end's set `which`. */
static inline bool
swarm__belongs(const struct conn *c, int k, enum swarm_set which)
{
	switch (which) {
	case SWARM_READY:
		return !c->s[k].flow && c->s[k].interested && !c->s[1 - k].choking;
	case SWARM_BUSY:
		return c->s[k].flow;
	case SWARM_MULTI:
		return c->s[k].flow && c->s[k].nblocks > 1;
	case SWARM_SETS:
		break;
	}
	g_assert_not_reached();
}

/* Words of each set (room for max_connections). */
static inline size_t
swarm__set_words(const struct swarm_peer *p)
{
	return p->set_words;
}

/* Whether conns[at] of p is in set `which`. */
static inline bool
swarm__in_set(const struct swarm_peer *p, enum swarm_set which, guint at)
{
	return (p->sets[which * swarm__set_words(p) + at / 64] >> (at % 64)) & 1;
}

/* Bit `at` of p's set `which` becomes v. */
static inline void
swarm__set_put(struct swarm_peer *p, enum swarm_set which, guint at, bool v)
{
	uint64_t *w = &p->sets[which * swarm__set_words(p) + at / 64];
	uint64_t bit = (uint64_t)1 << (at % 64);

	*w = v ? *w | bit : *w & ~bit;
}

/* Side k of c has changed (or moved): its bits in its end's sets follow. */
static inline void
swarm__conn_update(struct conn *c, int k)
{
	for (int w = 0; w < SWARM_SETS; w++)
		swarm__set_put(c->p[k], (enum swarm_set)w, c->pos[k],
			       swarm__belongs(c, k, (enum swarm_set)w));
}

/* The first of p's connections at i or after in set `which`
 * (p->conns->len if none). */
static inline guint
swarm__set_next(const struct swarm_peer *p, enum swarm_set which, guint i)
{
	size_t words = (p->conns->len + 63) / 64;
	const uint64_t *set = &p->sets[which * swarm__set_words(p)];

	for (size_t w = i / 64; w < words; w++) {
		uint64_t bits = set[w];

		if (w == i / 64)
			bits &= UINT64_MAX << (i % 64);
		if (bits)
			return (guint)(w * 64) + (guint)__builtin_ctzll(bits);
	}
	return p->conns->len;
}

/* Walks p's connections in set `which` in position order, reading the set
 * afresh at each step (the body may change the current one's bits). */
#define SWARM_SET_FOREACH(i, p, which) \
	for (guint i = swarm__set_next(p, which, 0); i < (p)->conns->len; \
	     i = swarm__set_next(p, which, i + 1))

/* ---- swarm.c ---- */

struct torrent *swarm__torrent_at(const struct swarm *s, uint32_t id);
/* Pieces of p's torrent. */
uint32_t swarm__npieces(const struct swarm_peer *p);

/* ---- transfer.c ---- */

/* Blocks in a piece. */
uint32_t swarm__blocks_in(const struct swarm *s, uint32_t torrent, uint32_t piece);
/* Bytes of the blocks in mask. */
uint64_t swarm__mask_bytes(const struct swarm *s, uint32_t torrent, uint32_t piece,
			   uint64_t mask);
/* d's partial piece, or NULL. */
struct partial *swarm__partial_find(const struct swarm_peer *p, uint32_t piece);
/*
 * Bytes of side k's flow that have arrived (got in all), into the rate
 * windows and the per-peer counts; final when the flow is over.
 */
void swarm__credit(struct swarm *s, struct conn *c, int k, uint64_t got, bool final);
/* Side k asks the other end for blocks, if it may and has something to ask. */
void swarm__request(struct swarm *s, struct conn *c, int k);
/* Requests on every connection of d that is idle and may carry one. */
void swarm__kick(struct swarm *s, struct swarm_peer *d);
/*
 * Side k's flow drops the blocks after the one it is receiving (which it
 * finishes); returns whether there were any.  The other end's choke.
 */
bool swarm__finish_block(struct swarm *s, struct conn *c, int k);
/*
 * Cuts side k's flow short.  Returns the piece if what arrived completed
 * it (then the caller calls swarm__piece_arrived), or -1.
 */
int64_t swarm__cut(struct swarm *s, struct conn *c, int k);
/* A piece has arrived at d: see transfer.c. */
void swarm__piece_arrived(struct swarm *s, struct swarm_peer *d, uint32_t piece,
			  fc_time_t now);

/* ---- choke.c ---- */

/* Whether u has a piece d lacks. */
bool swarm__has_wanted(const struct swarm_peer *u, const struct swarm_peer *d);
/* Upload slots of a peer: regular and optimistic unchokes. */
unsigned swarm__slots(const struct swarm *s);
/* Gives u's free upload slots to interested neighbours drawn at random. */
void swarm__fill(struct swarm *s, struct swarm_peer *u);
/* Side k's interest in the other end becomes v. */
void swarm__set_interested(struct swarm *s, struct conn *c, int k, bool v, fc_time_t now);
/* Starts p's rechoke timer, at a phase of its own (one draw from p's stream). */
void swarm__rechoke_start(struct swarm *s, struct swarm_peer *p, fc_time_t now);

/* ---- peer.c ---- */

/* d has every piece now: it drops its links to seeds and tells the tracker. */
void swarm__become_seed(struct swarm *s, struct swarm_peer *d, fc_time_t now);
/* Cancels p's timers and frees it; its connections are the caller's. */
void swarm__peer_free(struct swarm_peer *p);

/*
 * The key of the peer whose id *id is in the swarm's table: the id itself
 * where a pointer holds 64 bits, so that a lookup compares keys inside the
 * table instead of reading each candidate peer's id (an announce looks up
 * every peer of its answer); else id, which must then live as long as the
 * entry (the peer's own id when inserting).
 */
#if GLIB_SIZEOF_VOID_P >= 8
#define swarm__peer_table() g_hash_table_new(sim_hash_direct64, NULL)
static inline gpointer
swarm__peer_key(const uint64_t *id)
{
	return (gpointer)(guintptr)*id;
}
#else
#define swarm__peer_table() g_hash_table_new(sim_hash_int64, g_int64_equal)
static inline gpointer
swarm__peer_key(const uint64_t *id)
{
	return (gpointer)id;
}
#endif

#endif
