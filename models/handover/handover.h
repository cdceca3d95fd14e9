/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Moving clients to a helper, request by request ([run] model = handover):
 * the three ways a server can send a client elsewhere, compared on what the
 * client waits for and what the origin spends.  An origin and a helper sit
 * in one cluster; clients arrive as a Poisson process, look the site's
 * name up through one of a set of caching resolvers, connect, send their
 * request and read the response.  From move_at on, the origin sends every
 * client to the helper:
 *
 *   redirect  it parses the request and answers 302; the client looks the
 *             helper's name up (if it is a new name), connects to the
 *             helper and asks again (seed 000);
 *   dns       the site's name resolves to the helper, but a resolver keeps
 *             the origin's address until its cached answer expires (TTL);
 *   dts       it parses the request and hands the connection to the helper
 *             inside the cluster (seed 003, core/dts.c): an intra-cluster
 *             handshake, the request's bytes, the FIN, and the window the
 *             client advertised (or, without it, the destination's persist
 *             timer and a client round trip);
 *   none      it serves everyone itself.
 *
 * The origin and each of `helpers` helpers (a moved client goes to one at
 * random) have a CPU, a FIFO queue in front of their cores, with fixed
 * costs per step (parse, 302, hand-over, serve), so work per moved request
 * also costs waiting under load; every link is uncontended (a fixed
 * delay), which keeps the comparison on the moving itself.  The fixed
 * time of each path and the M/D/c waits give a closed form
 * (handover_theory) that the tests hold the simulation to.
 */
#ifndef FLASHCOOP_MODELS_HANDOVER_HANDOVER_H
#define FLASHCOOP_MODELS_HANDOVER_HANDOVER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "flashcoop/names.h"
#include "flashcoop/time.h"

struct model_type;

enum handover_mechanism {
	HANDOVER_NONE,
	HANDOVER_REDIRECT,
	HANDOVER_DNS,
	HANDOVER_DTS,
};

extern const struct fc_enum_name handover_mechanism_names[];

enum handover_reopen {
	HANDOVER_REOPEN_INJECT,  /* the FIN carries the client's window */
	HANDOVER_REOPEN_PERSIST, /* the destination's persist timer */
};

extern const struct fc_enum_name handover_reopen_names[];

struct handover_params {
	enum handover_mechanism mechanism;
	double arrival_rate;        /* clients per second */
	fc_time_t move_at;          /* the origin starts moving clients */
	fc_time_t duration;         /* the run ends */
	fc_time_t drain;            /* requests that start in [move_at,
				       duration - drain) are measured */
	fc_time_t client_rtt;       /* client <-> cluster */
	fc_time_t resolver_rtt;     /* client <-> its resolver */
	fc_time_t authority_rtt;    /* resolver <-> the site's name server */
	fc_time_t ttl;              /* of the site's and the helper's records */
	unsigned resolvers;
	bool new_name;              /* a redirect names another host: a lookup */
	uint64_t request_bytes;
	uint64_t response_bytes;
	uint64_t client_rate;       /* bits per second of a response transfer */
	fc_time_t intra_rtt;        /* inside the cluster */
	uint64_t intra_rate;        /* bits per second inside the cluster */
	fc_time_t parse_cpu, serve_cpu, redirect_cpu, handover_cpu;
	unsigned origin_cpus;
	unsigned helpers;           /* moved clients go to one at random */
	unsigned helper_cpus;
	enum handover_reopen reopen;
	fc_time_t rto_min;          /* the persist timer's first wait */
	uint64_t seed, replication;
};

struct handover_result {
	uint64_t measured;          /* requests that started in the window */
	uint64_t moved;             /* of them, served by the helper */
	double moved_share;
	double latency_s;           /* mean, moved requests (all, for none) */
	double extra_s;             /* mean over the same requests of what they
				       waited beyond a fetch straight from the
				       server that served them (with the same
				       first lookup and the same wait there):
				       the price of being moved */
	double latency_p95_s;
	double origin_work_s;       /* origin CPU per moved request */
	double origin_wait_s;       /* mean wait for the origin's CPU, window */
	double origin_utilisation;  /* over the window */
	double helper_wait_s;       /* mean wait for a helper's CPU */
	double helper_utilisation;  /* mean over the helpers */
	double stale_share;         /* dns: window requests still at the origin */
	double last_stale_s;        /* dns: after move_at, the last such start */
	double dns_miss_share;      /* moved requests whose lookup missed */
	uint64_t events;
};

/* The same figures at the parameters from closed forms: each path's
   fixed delays, the resolvers' hit ratio and the M/D/c wait. */
struct handover_theory {
	double latency_s;
	double extra_s;
	double origin_work_s;
	double origin_wait_s;
	double origin_utilisation;
	double helper_wait_s;
	double helper_utilisation;
	double hit_ratio;           /* of a lookup at a resolver */
	double stale_share;         /* dns */
};

gboolean handover_params_check(const struct handover_params *p, GError **err);
void handover_simulate(const struct handover_params *p, struct handover_result *out);
void handover_theory(const struct handover_params *p, struct handover_theory *out);

/* The model type for [run] model = handover. */
extern const struct model_type handover_model;

#endif
