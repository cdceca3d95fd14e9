/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/world/topology.h"

#include <igraph/igraph.h>

struct topology {
	unsigned n;
	fc_time_t hop;
	uint16_t *hops; /* n x n */
};

static gboolean
fail(GError **err, const char *what, igraph_error_t rc)
{
	g_set_error(err, g_quark_from_static_string("flashcoop-topology"), 0, "%s: %s",
		    what, igraph_strerror(rc));
	return FALSE;
}

/* Builds the graph with igraph's generators, from a generator of our own
 * seeded with seed, so that igraph's default generator is left alone. */
static gboolean
generate(igraph_t *g, enum topology_generator gen, unsigned n, unsigned degree,
	 double rewire, uint64_t seed, GError **err)
{
	igraph_rng_t rng, *saved = igraph_rng_default();
	igraph_error_t rc;

	rc = igraph_rng_init(&rng, &igraph_rngtype_pcg64);
	if (rc != IGRAPH_SUCCESS)
		return fail(err, "topology", rc);
	igraph_rng_seed(&rng, (igraph_uint_t)seed);
	igraph_rng_set_default(&rng);
	switch (gen) {
	case TOPOLOGY_BARABASI:
		rc = igraph_barabasi_game(g, n, 1.0, degree, NULL, true, 1.0, false,
					  IGRAPH_BARABASI_PSUMTREE, NULL);
		break;
	case TOPOLOGY_ERDOS_RENYI:
		rc = igraph_erdos_renyi_game_gnm(g, n, (igraph_integer_t)n * degree / 2,
						 false, false);
		break;
	case TOPOLOGY_WATTS_STROGATZ:
		rc = igraph_watts_strogatz_game(g, 1, n, degree, rewire, false, false);
		break;
	}
	igraph_rng_set_default(saved);
	igraph_rng_destroy(&rng);
	if (rc != IGRAPH_SUCCESS)
		return fail(err, "topology: cannot generate the graph", rc);
	return TRUE;
}

struct topology *
topology_new(enum topology_generator gen, unsigned routers, unsigned degree, double rewire,
	     fc_time_t hop_delay, uint64_t seed, GError **err)
{
	igraph_t g;
	igraph_matrix_t d;
	igraph_bool_t connected = false;
	struct topology *t;
	igraph_error_t rc;

	g_assert(routers >= 2 && degree >= 1);
	if (!generate(&g, gen, routers, degree, rewire, seed, err))
		return NULL;
	rc = igraph_is_connected(&g, &connected, IGRAPH_WEAK);
	if (rc != IGRAPH_SUCCESS || !connected) {
		igraph_destroy(&g);
		g_set_error(err, g_quark_from_static_string("flashcoop-topology"), 0,
			    "the generated topology of %u routers is not connected; "
			    "raise the degree", routers);
		return NULL;
	}
	rc = igraph_matrix_init(&d, 0, 0);
	if (rc == IGRAPH_SUCCESS)
		rc = igraph_distances(&g, &d, igraph_vss_all(), igraph_vss_all(), IGRAPH_ALL);
	igraph_destroy(&g);
	if (rc != IGRAPH_SUCCESS) {
		igraph_matrix_destroy(&d);
		fail(err, "topology: shortest paths", rc);
		return NULL;
	}
	t = g_new0(struct topology, 1);
	t->n = routers;
	t->hop = hop_delay;
	t->hops = g_new(uint16_t, (size_t)routers * routers);
	for (unsigned a = 0; a < routers; a++)
		for (unsigned b = 0; b < routers; b++)
			t->hops[(size_t)a * routers + b] =
				(uint16_t)MIN(MATRIX(d, a, b), 65535.0);
	igraph_matrix_destroy(&d);
	return t;
}

void
topology_free(struct topology *t)
{
	if (!t)
		return;
	g_free(t->hops);
	g_free(t);
}

unsigned
topology_routers(const struct topology *t)
{
	return t->n;
}

unsigned
topology_hops(const struct topology *t, unsigned a, unsigned b)
{
	return t->hops[(size_t)a * t->n + b];
}

fc_time_t
topology_delay(const struct topology *t, unsigned a, unsigned b)
{
	return t->hop * topology_hops(t, a, b);
}

const struct fc_enum_name topology_generator_names[] = {
	{ "barabasi", TOPOLOGY_BARABASI },
	{ "erdos_renyi", TOPOLOGY_ERDOS_RENYI },
	{ "watts_strogatz", TOPOLOGY_WATTS_STROGATZ },
	{ NULL, 0 },
};
