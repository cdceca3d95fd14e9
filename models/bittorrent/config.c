/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The swarm model's configuration: mainline BitTorrent's values, and the
 * [bittorrent] keys of a scenario.  The swarm model (swarm.h and the files
 * behind it) reads a scenario here and nowhere else.
 */
#include "models/bittorrent/swarm.h"

#include "models/bittorrent/swarm-private.h"

#include <math.h>

#include "sim/scenario.h"

/* Mainline's values (swarm_config_default). */
#define MAINLINE_PIECE_SIZE (256 * 1024)                 /* bytes */
#define MAINLINE_BLOCK_SIZE (16 * 1024)                  /* bytes */
#define MAINLINE_REQUEST_BLOCKS 4                        /* blocks per request */
#define MAINLINE_MAX_CONNECTIONS 40                      /* peers */
#define MAINLINE_REGULAR_UNCHOKES 3                      /* peers */
#define MAINLINE_OPTIMISTIC_UNCHOKES 1                   /* peers */
#define MAINLINE_RECHOKE_INTERVAL (10 * FC_SEC)
#define MAINLINE_OPTIMISTIC_INTERVAL (30 * FC_SEC)
#define MAINLINE_RANDOM_FIRST 4                          /* pieces */
#define MAINLINE_MIN_PEERS 20                            /* peers */
#define MAINLINE_ANNOUNCE_INTERVAL (30 * 60 * FC_SEC)
#define MAINLINE_MIN_ANNOUNCE_INTERVAL (5 * 60 * FC_SEC)

void
swarm_config_default(struct swarm_config *c)
{
	*c = (struct swarm_config){
		.piece_size = MAINLINE_PIECE_SIZE,
		.block_size = MAINLINE_BLOCK_SIZE,
		.request_blocks = MAINLINE_REQUEST_BLOCKS,
		.max_connections = MAINLINE_MAX_CONNECTIONS,
		.regular_unchokes = MAINLINE_REGULAR_UNCHOKES,
		.optimistic_unchokes = MAINLINE_OPTIMISTIC_UNCHOKES,
		.rechoke_interval = MAINLINE_RECHOKE_INTERVAL,
		.optimistic_interval = MAINLINE_OPTIMISTIC_INTERVAL,
		.random_first = MAINLINE_RANDOM_FIRST,
		.min_peers = MAINLINE_MIN_PEERS,
		.announce_interval = MAINLINE_ANNOUNCE_INTERVAL,
		.min_announce_interval = MAINLINE_MIN_ANNOUNCE_INTERVAL,
	};
}

gboolean
swarm_config_check(const struct scenario *sc, uint64_t torrent_bytes, GError **err)
{
	uint64_t piece = scenario_size(sc, "bittorrent", "piece_size");
	uint64_t block = scenario_size(sc, "bittorrent", "block_size");
	uint64_t most;

	if (block > piece)
		return scenario_invalid(sc, err, "bittorrent", "block_size",
					"%s is larger than a piece ([bittorrent] piece_size = %s)",
					scenario_value_text(sc, "bittorrent", "block_size"),
					scenario_value_text(sc, "bittorrent", "piece_size"));
	if (!g_uint64_checked_mul(&most, block, SWARM_MAX_BLOCKS))
		most = UINT64_MAX;
	if (piece > most)
		return scenario_invalid(sc, err, "bittorrent", "piece_size",
					"%s is more than %d blocks of [bittorrent] block_size = %s",
					scenario_value_text(sc, "bittorrent", "piece_size"),
					SWARM_MAX_BLOCKS,
					scenario_value_text(sc, "bittorrent", "block_size"));
	if (torrent_bytes / piece >= UINT32_MAX)
		return scenario_invalid(sc, err, "bittorrent", "piece_size",
					"%s cuts a torrent of %" G_GUINT64_FORMAT " bytes into "
					"2^32 pieces or more", scenario_value_text(sc, "bittorrent",
										   "piece_size"),
					torrent_bytes);
	return TRUE;
}

/* Events per request of blocks: its flow's completion, the request that
 * follows it, and their share of rate changes (measured on the swarm
 * model, tests/test-budget.c). */
#define EVENTS_PER_REQUEST 1.5
/* A peer's events cost more the more pieces its torrent has: picking a
 * piece walks them all, and so does keeping interest and availability.
 * Measured: about 1.5 ns per piece per event, against a microsecond per
 * event, so each piece adds a thousandth of an event to every event (the
 * budget counts work in events). */
#define EVENTS_PER_PIECE_SCANNED 0.001

double
swarm_estimate_peer_events(const struct scenario *sc, uint64_t bytes, double seconds)
{
	struct swarm_config c;
	double pieces, blocks_per_piece, periodic;

	swarm_config_read(&c, sc);
	pieces = ceil((double)bytes / (double)c.piece_size);
	blocks_per_piece = ceil((double)MIN(bytes, c.piece_size) / (double)c.block_size);
	periodic = 1 / fc_time_to_sec(c.rechoke_interval) +
		   1 / fc_time_to_sec(c.optimistic_interval) +
		   1 / fc_time_to_sec(c.min_announce_interval);
	return (EVENTS_PER_REQUEST * pieces * ceil(blocks_per_piece / c.request_blocks) +
		seconds * periodic) * (1 + pieces * EVENTS_PER_PIECE_SCANNED);
}

double
swarm_estimate_peer_bytes(const struct scenario *sc, uint64_t bytes)
{
	struct swarm_config c;
	double pieces;

	swarm_config_read(&c, sc);
	pieces = ceil((double)bytes / (double)c.piece_size);
	/* Two bitmaps and a count per piece, and its connections. */
	return pieces * (2.0 / 8 + sizeof(uint32_t)) +
	       (double)c.max_connections * sizeof(struct conn) + sizeof(struct swarm_peer);
}

void
swarm_config_read(struct swarm_config *c, const struct scenario *sc)
{
	swarm_config_default(c);
	c->piece_size = scenario_size(sc, "bittorrent", "piece_size");
	c->block_size = scenario_size(sc, "bittorrent", "block_size");
	c->request_blocks = (unsigned)scenario_count(sc, "bittorrent", "request_blocks");
	c->max_connections = (unsigned)scenario_count(sc, "bittorrent", "connections");
	c->regular_unchokes = (unsigned)scenario_count(sc, "bittorrent", "regular_unchokes");
	c->optimistic_unchokes = (unsigned)scenario_count(sc, "bittorrent", "optimistic_unchokes");
	c->rechoke_interval = scenario_duration(sc, "bittorrent", "rechoke_interval");
	c->optimistic_interval = scenario_duration(sc, "bittorrent", "optimistic_interval");
	c->random_first = (unsigned)scenario_count(sc, "bittorrent", "random_first");
	c->min_peers = (unsigned)scenario_count(sc, "bittorrent", "min_peers");
	c->announce_interval = scenario_duration(sc, "bittorrent", "announce_interval");
	c->min_announce_interval = scenario_duration(sc, "bittorrent", "min_announce_interval");
}

void
swarm_tracker_config_read(struct swarm_tracker_config *c, const struct scenario *sc)
{
	*c = (struct swarm_tracker_config){
		.answer = (unsigned)scenario_count(sc, "bittorrent", "tracker_answer"),
		.down_at = scenario_duration(sc, "bittorrent", "tracker_down_at"),
		.down_for = scenario_duration(sc, "bittorrent", "tracker_down_for"),
	};
}

