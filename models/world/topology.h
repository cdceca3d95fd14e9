/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A router-level topology for latencies, generated with igraph: routers
 * joined by links of one hop delay each, hosts attached to routers, and
 * the delay between two routers the length of the shortest path between
 * them (all pairs computed once).  Generators: Barabasi-Albert preferential
 * attachment (an Internet-like power-law degree), Erdos-Renyi G(n, m), and
 * Watts-Strogatz small world (a ring lattice when the rewiring is 0).
 */
#ifndef FLASHCOOP_MODELS_WORLD_TOPOLOGY_H
#define FLASHCOOP_MODELS_WORLD_TOPOLOGY_H

#include <stdint.h>

#include <glib.h>

#include "flashcoop/names.h"
#include "flashcoop/time.h"

enum topology_generator {
	TOPOLOGY_BARABASI,
	TOPOLOGY_ERDOS_RENYI,
	TOPOLOGY_WATTS_STROGATZ,
};
/* [network] generator. */
extern const struct fc_enum_name topology_generator_names[];

struct topology;

/*
 * routers >= 2; degree: links each new router makes (Barabasi), mean degree
 * (Erdos-Renyi), neighbours on each side (Watts-Strogatz); rewire: the
 * Watts-Strogatz rewiring probability.  A disconnected Erdos-Renyi graph is
 * refused with err (raise the degree).  The same seed gives the same graph.
 */
struct topology *topology_new(enum topology_generator g, unsigned routers,
			      unsigned degree, double rewire, fc_time_t hop_delay,
			      uint64_t seed, GError **err);
/* Accepts NULL. */
void topology_free(struct topology *t);

unsigned topology_routers(const struct topology *t);
/* One-way delay between routers a and b: hops on a shortest path times
 * the hop delay. */
fc_time_t topology_delay(const struct topology *t, unsigned a, unsigned b);
/* Hops between a and b. */
unsigned topology_hops(const struct topology *t, unsigned a, unsigned b);

#endif
