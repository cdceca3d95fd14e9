/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The web flash-crowd traffic ([run] model = web): an origin and its
 * cooperators, each a web server (models/web/server.h) with a cooperation
 * node (libflashcoop-core) whose actions the model carries out — messages
 * over the network with latency, DNS updates, content fetches through
 * BitTorrent swarms (models/bittorrent/swarm.h) or over HTTP, deletions —
 * and clients arriving by a flash-crowd profile or a trace, each a session
 * (models/web/client.h) that resolves through caching resolvers
 * (models/web/dns.h), some of them BitTorrent clients that download the
 * site from its swarm and seed it.  Server 0 is the origin; server i hosts
 * site i; the flash crowd is at site 0.  Every transfer is a flow in the
 * shared world's network (models/world/world.h).
 */
#ifndef FLASHCOOP_MODELS_WEB_WEB_H
#define FLASHCOOP_MODELS_WEB_WEB_H

#include "models/world/world.h"

/* The web traffic, for a world. */
extern const struct traffic_type web_traffic;

#endif
