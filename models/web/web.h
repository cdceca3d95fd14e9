/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The web flash-crowd model ([run] model = web): an origin and its
 * cooperators, each a web server (models/server.h) with a cooperation node
 * (libflashcoop-core) whose actions the model carries out — messages over
 * the network with latency, DNS updates, content fetches and deletions —
 * clients arriving by a flash-crowd profile or a trace, each a session
 * (models/client.h) that resolves through caching resolvers
 * (models/dns.h), and one flow-level network (models/net.h) for every
 * transfer.  Server 0 is the origin; server i hosts site i; the flash crowd
 * is at site 0.
 *
 * Until the BitTorrent model exists, a rescuer gets content from the
 * site's server over HTTP (a request like a client's, which the origin's
 * load slows down) or from a copy made before the run
 * ([coop] spread = predistributed).
 */
#ifndef FLASHCOOP_MODELS_WEB_H
#define FLASHCOOP_MODELS_WEB_H

/* The model type for [run] model = web. */
extern const struct model_type web_model;

#endif
