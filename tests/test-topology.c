/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Topologies from igraph: a ring lattice by hand, and the properties of
 * shortest-path distances on the random generators. */
#include <glib.h>
#include <igraph/igraph.h>
#include <string.h>

#include "models/world/topology.h"
#include "tests/testutil.h"

/* Watts-Strogatz with no rewiring is a ring where each router links to
 * its `degree` neighbours on each side: hops(a, b) = ceil(ring / degree). */
static void
test_ring(void)
{
	g_autoptr(GError) err = NULL;
	struct topology *t = topology_new(TOPOLOGY_WATTS_STROGATZ, 20, 2, 0, 3 * FC_MSEC,
					  1, &err);

	g_assert_no_error(err);
	for (unsigned a = 0; a < 20; a++) {
		for (unsigned b = 0; b < 20; b++) {
			unsigned ring = MIN((a + 20 - b) % 20, (b + 20 - a) % 20);

			g_assert_cmpuint(topology_hops(t, a, b), ==, (ring + 1) / 2);
		}
	}
	g_assert_cmpuint(topology_delay(t, 0, 10), ==, 15 * FC_MSEC);
	topology_free(t);
}

static void
check_metric(struct topology *t)
{
	unsigned n = topology_routers(t);

	for (unsigned a = 0; a < n; a++) {
		g_assert_cmpuint(topology_hops(t, a, a), ==, 0);
		for (unsigned b = 0; b < n; b++) {
			g_assert_cmpuint(topology_hops(t, a, b), ==, topology_hops(t, b, a));
			if (a != b)
				g_assert_cmpuint(topology_hops(t, a, b), >=, 1);
			for (unsigned c = 0; c < n; c += 7)
				g_assert_cmpuint(topology_hops(t, a, b), <=,
						 topology_hops(t, a, c) + topology_hops(t, c, b));
		}
	}
}

static void
test_random(void)
{
	static const enum topology_generator gens[] = {
		TOPOLOGY_BARABASI, TOPOLOGY_ERDOS_RENYI, TOPOLOGY_WATTS_STROGATZ,
	};
	/* G(n, m) needs a mean degree above ln n to be connected. */
	static const unsigned degree[] = { 2, 10, 3 };

	for (size_t i = 0; i < G_N_ELEMENTS(gens); i++) {
		g_autoptr(GError) err = NULL;
		struct topology *a = topology_new(gens[i], 120, degree[i], 0.1, FC_MSEC, 5, &err);
		struct topology *b = topology_new(gens[i], 120, degree[i], 0.1, FC_MSEC, 5, NULL);
		struct topology *c = topology_new(gens[i], 120, degree[i], 0.1, FC_MSEC, 6, NULL);
		bool differ = false;

		g_assert_no_error(err);
		check_metric(a);
		for (unsigned x = 0; x < 120; x++)
			for (unsigned y = 0; y < 120; y++) {
				g_assert_cmpuint(topology_hops(a, x, y), ==, topology_hops(b, x, y));
				differ |= topology_hops(a, x, y) != topology_hops(c, x, y);
			}
		/* The ring without rewiring would not differ; with 0.1 it does. */
		g_assert_true(differ);
		topology_free(a);
		topology_free(b);
		topology_free(c);
	}
}

static void
test_disconnected(void)
{
	g_autoptr(GError) err = NULL;

	/* 200 routers and 100 links cannot be connected. */
	g_assert_null(topology_new(TOPOLOGY_ERDOS_RENYI, 200, 1, 0, FC_MSEC, 1, &err));
	g_assert_nonnull(strstr(err->message, "not connected"));
}

int
main(int argc, char **argv)
{
	igraph_set_error_handler(igraph_error_handler_ignore);
	testutil_init(&argc, &argv);
	g_test_add_func("/topology/ring", test_ring);
	g_test_add_func("/topology/random", test_random);
	g_test_add_func("/topology/disconnected", test_disconnected);
	return g_test_run();
}
