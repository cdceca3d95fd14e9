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

#include "flashcoop/names.h"

/* [web] policy: who cooperates, and how. */
enum web_policy {
	WEB_POLICY_NONE,     /* no cooperation */
	WEB_POLICY_MIRROR,   /* every server holds every site; DNS round robin */
	WEB_POLICY_REDIRECT, /* HTTP redirects only; helpers fetch from the origin */
	WEB_POLICY_COOP,     /* the proposed method, through libflashcoop-core */
	WEB_POLICY_BACKSLASH,/* Backslash-like: the excess redirected, each
				object to one helper by hash, helpers fetch
				from the origin by HTTP; no DNS changes */
	WEB_POLICY_DOTSLASH, /* DotSlash-like: the excess redirected to helpers
				by their spare capacity, helpers fetch by HTTP
				and join the name in DNS (round robin) */
};
extern const struct fc_enum_name web_policy_names[];

/* Whether the servers of policy run cooperation nodes (libflashcoop-core),
 * and whether their DNS actions are carried out. */
bool web_policy_has_nodes(int policy);
bool web_policy_moves_dns(int policy);

/* [clients] arrival: a flash-crowd profile, or a trace of counts. */
enum web_arrival { WEB_ARRIVAL_PROFILE, WEB_ARRIVAL_TRACE };
extern const struct fc_enum_name web_arrival_names[];

/* [coop] predistribution: copies on disk before the run, or downloaded
 * from the swarms when it starts. */
enum web_predistribution { WEB_PREDISTRIBUTION_READY, WEB_PREDISTRIBUTION_BITTORRENT };
extern const struct fc_enum_name web_predistribution_names[];

/* [coop] transport: how a rescuer fetches what it serves. */
enum web_transport { WEB_TRANSPORT_BITTORRENT, WEB_TRANSPORT_HTTP };
extern const struct fc_enum_name web_transport_names[];

/*
 * [coop] load_form: the figures a server reports to its node.  demand:
 * connections wanting a worker (busy + waiting) over MaxRequestWorkers,
 * and the bits per second asked of the uplink (what it carries plus what
 * the server redirected of its own site) over its capacity; both exceed 1
 * in overload.  paper: busy over MaxRequestWorkers, waiting over the
 * backlog, uplink rate over capacity (seed 000's "current value over
 * limit"), each at most 1.
 */
enum web_load_form { WEB_LOAD_DEMAND, WEB_LOAD_PAPER };
extern const struct fc_enum_name web_load_form_names[];

/* [web] crash_roles: the servers that crash_after applies to. */
enum web_crash_roles { WEB_CRASH_ROLES_ALL, WEB_CRASH_ROLES_ORIGIN, WEB_CRASH_ROLES_COOPERATORS };
extern const struct fc_enum_name web_crash_roles_names[];

/* [faults] crash: which servers crash on demand. */
enum web_crash {
	WEB_CRASH_NONE,
	WEB_CRASH_ORIGIN,
	WEB_CRASH_COOPERATOR,  /* [faults] crash_cooperator */
	WEB_CRASH_COOPERATORS, /* the first [faults] crash_share of them */
};
extern const struct fc_enum_name web_crash_names[];

/* The web traffic, for a world. */
extern const struct traffic_type web_traffic;

#endif
