/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * BitTorrent swarms at the level of pieces, over the flow network.
 *
 * A peer joins a torrent with its access links; it announces to the tracker
 * (on joining, every announce_interval, sooner while it has fewer than
 * min_peers neighbours, on completion and on leaving) and connects to the
 * peers of the answer, up to max_connections on both ends.  Each neighbour
 * knows the other's pieces (bitfield, then HAVE messages), so a peer knows
 * how many of its neighbours hold each piece and whether a neighbour has
 * something it lacks (interest).
 *
 * Choking as in mainline BitTorrent: every rechoke_interval a peer unchokes
 * the regular_unchokes interested neighbours that sent it the most over the
 * last two rechoke intervals (a seed: those it sent the most), plus
 * optimistic ones
 * drawn at random among the others, redrawn every optimistic_interval.  A
 * slot freed between rechokes (a neighbour loses interest or leaves) is
 * given at once to another interested neighbour, as mainline's rechoke on
 * those events does.
 *
 * Pieces are cut into blocks.  A peer unchoked by a neighbour asks it for
 * up to request_blocks blocks in a row (a pipeline of requests), one request
 * at a time per neighbour, each carried by one flow over the uploader's
 * uplink path and the downloader's downlink path: first blocks not yet asked
 * for of a piece it has begun, else of a new piece (random first pieces,
 * then rarest first among its neighbours; see pieces.h).  In endgame,
 * when every block it lacks is asked for, an idle connection first takes
 * over the blocks another flow has not begun (that flow now ends with the
 * block it is receiving), and else asks for a second copy of the block
 * due last, one copy at most per block, kept only if at the rates the
 * network gives both it arrives first (the other is then cut).
 * So several neighbours serve one piece at once, as in real clients; with
 * whole pieces per request, an unchoked peer whose wanted pieces are all
 * under way elsewhere would leave its slot idle, and small torrents would
 * come out markedly slower than the fluid model.  A choke drops the blocks
 * of a request not begun and lets the block under way finish; a flow cut
 * short (departure, a copy that lost) keeps the blocks that arrived whole;
 * the block cut in two is waste.  A piece counts (HAVE, upload to others)
 * once all its blocks are there.  Messages between peers take no time:
 * transfers dominate.  docs/swarm.md compares the model with the fluid
 * model.
 *
 * Bytes are conserved: everything the flows delivered is in a completed
 * piece, in blocks of a piece begun, waste, or the blocks of peers that
 * left (swarm_check asserts it).  Peers draw their random choices from a stream
 * of their own, keyed by the id the host gives them.
 */
#ifndef FLASHCOOP_MODELS_BITTORRENT_SWARM_H
#define FLASHCOOP_MODELS_BITTORRENT_SWARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "sim/engine.h"
#include "flashcoop/time.h"
#include "models/world/net.h"
#include "models/bittorrent/tracker.h"

struct swarm;
struct swarm_peer;

struct swarm_config {
	uint64_t piece_size;            /* bytes */
	uint64_t block_size;            /* piece_size <= 64 blocks */
	unsigned request_blocks;        /* blocks in a row per request, 1..64 */
	unsigned max_connections;       /* neighbours of a peer at most */
	unsigned regular_unchokes;      /* by rate */
	unsigned optimistic_unchokes;   /* at random */
	fc_time_t rechoke_interval;
	fc_time_t optimistic_interval;
	unsigned random_first;          /* pieces picked at random at first */
	unsigned min_peers;             /* fewer neighbours: announce sooner */
	fc_time_t announce_interval;
	fc_time_t min_announce_interval;
	uint64_t master_seed, replication; /* for the peers' streams */
	/* Tests: every endgame copy is started to learn its rate, without
	 * the estimate that turns most of them down first (transfer.c). */
	bool exact_copies;
};

/* Mainline's values: 256 KiB pieces of 16 KiB blocks, requests of 4 blocks, 40 connections, 3 + 1 unchokes,
 * 10 s / 30 s, 4 random first pieces, 20 peers, 30 / 5 min. */
void swarm_config_default(struct swarm_config *c);

struct scenario;
/*
 * Checks that the [bittorrent] keys of a scenario fit together, and with a
 * torrent of torrent_bytes (0: none of a size known before the run): a
 * block no larger than a piece, a piece of at most 64 blocks (the blocks of
 * a piece are bits of one 64-bit word), and fewer than 2^32 pieces in the
 * torrent (pieces are numbered in 32 bits).  Errors through
 * scenario_invalid().
 */
gboolean swarm_config_check(const struct scenario *sc, uint64_t torrent_bytes, GError **err);

/*
 * For a model's work estimate (sim/budget.h): the events one peer causes
 * while it is in a swarm of a torrent of `bytes` for `seconds` (downloading
 * it whole, then seeding), in events of the usual cost (an event costs more
 * with more pieces), and the bytes it holds while there, under the
 * [bittorrent] keys of sc.
 */
double swarm_estimate_peer_events(const struct scenario *sc, uint64_t bytes, double seconds);
double swarm_estimate_peer_bytes(const struct scenario *sc, uint64_t bytes);

/* The [bittorrent] keys of a scenario into c (seeds left at 0). */
void swarm_config_read(struct swarm_config *c, const struct scenario *sc);
/* The tracker of [bittorrent]: the size of its answers and an outage. */
struct swarm_tracker_config {
	unsigned answer;      /* peers per answer */
	fc_time_t down_at;    /* the outage starts */
	fc_time_t down_for;   /* and lasts (0: no outage) */
};

/* The tracker keys of [bittorrent] into c. */
void swarm_tracker_config_read(struct swarm_tracker_config *c, const struct scenario *sc);

/* What the host hears of a peer; any may be NULL. */
struct swarm_hooks {
	/* A piece has arrived (after the peer's state is updated). */
	void (*piece)(struct swarm_peer *p, uint32_t piece, void *data, fc_time_t now);
	/* The peer has every piece: it is a seed from now on. */
	void (*complete)(struct swarm_peer *p, void *data, fc_time_t now);
};

/* Byte accounts, for conservation and metrics. */
struct swarm_bytes {
	uint64_t sent;     /* delivered by piece flows, complete or cut short */
	uint64_t pieces;   /* in pieces that were completed */
	uint64_t partial;  /* in blocks of pieces begun by present peers */
	uint64_t wasted;   /* blocks cut in two, copies (endgame) */
	uint64_t lost;     /* blocks of pieces begun by peers that left */
};

/*
 * A swarm over network n and tracker t on engine e (all must outlive it);
 * the tracker's unavailability is its own (tracker_set_down).
 */
struct swarm *swarm_new(struct engine *e, struct net *n, struct tracker *t,
			const struct swarm_config *c);
/* Frees it and its peers, cancelling their flows (so before the network);
 * accepts NULL. */
void swarm_free(struct swarm *s);

/* A torrent of bytes (> 0) cut into pieces of piece_size; returns its id. */
uint32_t swarm_torrent_add(struct swarm *s, uint64_t bytes);
uint64_t swarm_piece_bytes(const struct swarm *s, uint32_t torrent, uint32_t piece);

/*
 * Peer `id` (unique in the swarm; it keys the peer's random stream and is
 * what the tracker hands out) joins torrent at the engine's time.  Its
 * uploads cross up[0..nup-1] and its downloads down[0..ndown-1] (at most
 * two each; a link both ends share, such as one ISP link, is not crossed).
 * A seed starts with every piece.  It announces at once.
 */
struct swarm_peer *swarm_join(struct swarm *s, uint32_t torrent, uint64_t id,
			      const net_link *up, size_t nup,
			      const net_link *down, size_t ndown, bool seed,
			      const struct swarm_hooks *hooks, void *data);

/* The peer leaves now (announcing it); its handle is freed. */
void swarm_leave(struct swarm *s, struct swarm_peer *p);

bool swarm_peer_seed(const struct swarm_peer *p);
bool swarm_peer_has(const struct swarm_peer *p, uint32_t piece);
uint32_t swarm_peer_pieces(const struct swarm_peer *p);
size_t swarm_peer_neighbours(const struct swarm_peer *p);
/* Bytes it has uploaded and downloaded (flows complete or cut short). */
uint64_t swarm_peer_uploaded(const struct swarm_peer *p);
uint64_t swarm_peer_downloaded(const struct swarm_peer *p);

/*
 * Peers belong to one of SWARM_CLASSES classes of the host's (0 unless
 * set: origin, cooperators and clients, say); the swarm counts the bytes
 * each class uploaded, flows complete or cut short.
 */
#define SWARM_CLASSES 4
void swarm_peer_set_class(struct swarm_peer *p, unsigned cls);
uint64_t swarm_uploaded_by(const struct swarm *s, unsigned cls);
/* The same for one torrent: what class cls uploaded into it. */
uint64_t swarm_torrent_uploaded_by(const struct swarm *s, uint32_t torrent, unsigned cls);

/* Present peers of a torrent: seeds and leechers. */
size_t swarm_seeds(const struct swarm *s, uint32_t torrent);
size_t swarm_leechers(const struct swarm *s, uint32_t torrent);

struct swarm_bytes swarm_bytes(const struct swarm *s);

/* Asserts the byte accounts and every peer's bookkeeping. */
void swarm_check(const struct swarm *s);

#endif
