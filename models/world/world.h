/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The world every traffic model shares: one flow-level network
 * (models/world/net.h), the ISPs' shared links, the router topology that
 * gives latencies between hosts (models/world/topology.h, or none: access
 * latencies only), and the hosts placed on them.  It is built once per run
 * from the [network] keys; then each traffic model of the run (the web
 * model, with BitTorrent inside it, and any other listed beside it in
 * models/models.c) adds its hosts and starts its flows on the same links,
 * so they compete for them.
 *
 * A host is where a traffic model's process sits: its access links, its
 * one-way latency to the core of the network, its router (world_place())
 * and its ISP.  The world owns the shared links and the topology; a traffic
 * model owns its hosts and never reaches into another traffic model's
 * state.
 *
 * The contract of a traffic model is struct traffic_type: it checks its
 * keys, populates the world, records its summaries and frees itself.  A
 * model type of the run driver (sim/model.h) can be a world plus a list of
 * traffic types (world_model_create() and friends), as [run] model = web
 * is.
 */
#ifndef FLASHCOOP_MODELS_WORLD_WORLD_H
#define FLASHCOOP_MODELS_WORLD_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <gsl/gsl_rng.h>

#include "flashcoop/names.h"
#include "flashcoop/time.h"
#include "models/world/net.h"
#include "sim/model.h"
#include "sim/scenario.h"

struct world;

/* [network] latency: from the hosts' access links only, or also through a
 * router topology. */
enum world_latency { WORLD_LATENCY_ACCESS, WORLD_LATENCY_TOPOLOGY };
extern const struct fc_enum_name world_latency_names[];

/*
 * Builds the world of a run from the [network] keys: the network, the
 * topology (with its own random stream) and one shared link per ISP.  NULL
 * with err set when the topology cannot be built (bad input).
 */
struct world *world_new(struct sim_ctx *ctx, const struct scenario *sc, GError **err);

/* Frees the world, after every traffic model that used it; accepts NULL. */
void world_free(struct world *w);

struct sim_ctx *world_ctx(const struct world *w);
struct engine *world_engine(const struct world *w);
struct net *world_net(const struct world *w);

/* The number of ISPs (0: none) and the shared link of ISP i. */
size_t world_isps(const struct world *w);
net_link world_isp_link(const struct world *w, size_t i);

/*
 * A router for the host `index` of `kind`, drawn from a stream of its own
 * (master seed, replication, kind, index), so adding hosts of one kind never
 * moves another's; 0 without a topology.
 */
unsigned world_place(const struct world *w, const char *kind, uint64_t index);

/* A router drawn from r, for hosts that draw it from their own stream; 0
 * without a topology, and then nothing is drawn. */
unsigned world_random_router(const struct world *w, gsl_rng *r);

/* An ISP drawn from r; 0 without ISPs, and then nothing is drawn. */
size_t world_random_isp(const struct world *w, gsl_rng *r);

/* The one-way delay between routers a and b through the topology (0
 * without one). */
fc_time_t world_hops(const struct world *w, unsigned a, unsigned b);

/*
 * An access link of bps for a short-lived host (a client): one that
 * world_link_give() returned, or a new one.  Links are reused so that a
 * flash crowd of millions does not grow the network without end.
 */
net_link world_link_take(struct world *w, uint64_t bps);
void world_link_give(struct world *w, net_link l);

/*
 * A traffic model: what it needs to populate a world.  check may be NULL;
 * enabled (may be NULL: always) says whether the scenario asks for it.
 */
struct traffic_type {
	const char *name;
	bool (*enabled)(const struct scenario *sc);
	gboolean (*check)(const struct scenario *sc, GError **err);
	/* Adds its hosts and schedules its first events; NULL with err set on
	 * bad input. */
	void *(*create)(struct world *w, const struct scenario *sc, GError **err);
	/* The run reached its end: record the summaries. */
	void (*finish)(void *t, struct sim_ctx *ctx);
	/* Accepts NULL; runs before the world is freed. */
	void (*destroy)(void *t);
	/* The scenario groups it reads, NULL-terminated (sim/model.h). */
	const char *const *groups;
	/* Its warnings about keys that have no effect (sim/model.h); may be
	 * NULL. */
	void (*warn)(const struct scenario *sc, GPtrArray *warnings);
	/* Its share of the run's work estimate (model_type.estimate in
	 * sim/model.h); NULL: none. */
	void (*estimate)(const struct scenario *sc, fc_time_t end, struct budget *b);
};

/*
 * The run driver's side (sim/model.h) of a world populated by the traffic
 * types of `types` (NULL-terminated) that the scenario enables: check,
 * create, finish and destroy in that order.  finish also records the
 * network's own scalars (bytes delivered, the flow model's cost).
 */
gboolean world_model_check(const struct traffic_type *const *types,
			   const struct scenario *sc, GError **err);
void *world_model_create(const struct traffic_type *const *types, struct sim_ctx *ctx,
			 const struct scenario *sc, GError **err);
/* The estimates of the enabled traffic types, and the world's own memory
 * (the router topology's table of hops). */
void world_model_estimate(const struct traffic_type *const *types,
			  const struct scenario *sc, fc_time_t end, struct budget *b);
void world_model_finish(void *model, struct sim_ctx *ctx);
/*
 * Whether the world ([network]) or one of the traffic types reads group,
 * and the warnings of the types the scenario enables (model_type's
 * reads_group and warn).
 */
gboolean world_model_reads_group(const struct traffic_type *const *types,
				 const char *group);
void world_model_warn(const struct traffic_type *const *types, const struct scenario *sc,
		      GPtrArray *warnings);
void world_model_destroy(void *model);

#endif
