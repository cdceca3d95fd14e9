/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A BitTorrent tracker as the swarm model meets it: per torrent, the peers
 * that announced and have not stopped (seeds and leechers); an announce
 * answers with up to max_peers other peers drawn at random.  The tracker can
 * be unavailable for a while (announces then get no answer).  Peers are
 * numbers the caller gives; nothing here does I/O or keeps time of its own.
 */
#ifndef FLASHCOOP_MODELS_BITTORRENT_TRACKER_H
#define FLASHCOOP_MODELS_BITTORRENT_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "flashcoop/time.h"
#include "sim/rng.h"

enum tracker_event {
	TRACKER_STARTED,
	TRACKER_REGULAR,   /* the periodic re-announce */
	TRACKER_COMPLETED, /* the peer became a seed */
	TRACKER_STOPPED,
};

struct tracker;

/* A tracker drawing its answers from s (which must outlive it). */
struct tracker *tracker_new(struct rng_stream *s, unsigned max_peers);
/* Accepts NULL. */
void tracker_free(struct tracker *t);

/* Announces from now on get no answer until `until` (from <= now < until). */
void tracker_set_down(struct tracker *t, fc_time_t from, fc_time_t until);
bool tracker_up(const struct tracker *t, fc_time_t now);

/*
 * Peer `peer` announces `ev` for `torrent` at now.  Returns false when the
 * tracker is down (nothing changes).  Otherwise updates the peer's entry
 * (a STOPPED peer is forgotten) and, for every event but STOPPED, fills out
 * (cleared first) with up to max_peers other peers of the torrent, chosen
 * at random without repetition.
 */
bool tracker_announce(struct tracker *t, uint32_t torrent, uint64_t peer,
		      enum tracker_event ev, fc_time_t now, GArray *out);

/* Peers of a torrent known now: seeds and leechers. */
size_t tracker_seeds(const struct tracker *t, uint32_t torrent);
size_t tracker_leechers(const struct tracker *t, uint32_t torrent);

#endif
