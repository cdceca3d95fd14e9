/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The core's peers by id (core/peers.c) against the straightforward
 * structure it replaced, a GHashTable from id to index: random sets of
 * distinct ids, dense (1..n, shuffled, with gaps, next to 0 and to
 * UINT32_MAX) and sparse (anywhere in 32 bits), each looked up for every
 * id it holds, for ids beside them and for random ones, the answers
 * compared.
 */
#include <glib.h>

#include "core/internal.h"
#include "flashcoop/core.h"
#include "tests/testutil.h"

#define WORKLOADS 400
#define PROBES 2000

static void
compare(GHashTable *want, const struct fc__peer_index *x, fc_node_id id)
{
	gpointer v;
	bool in = g_hash_table_lookup_extended(want, GUINT_TO_POINTER(id), NULL, &v);
	uint32_t got = UINT32_MAX;

	g_assert_cmpint(fc__peer_index_find(x, id, &got), ==, in);
	if (in)
		g_assert_cmpuint(got, ==, GPOINTER_TO_UINT(v));
}

static void
workload(GRand *r, int kind, size_t n)
{
	g_autoptr(GHashTable) want = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_autofree fc_node_id *ids = g_new(fc_node_id, MAX(n, 1));
	struct fc__peer_index x;
	/* Dense ranges start at 1 (the simulator), 0, a random place, or end
	 * at UINT32_MAX. */
	fc_node_id base = kind == 0 ? 1 : kind == 1 ? 0 :
			  kind == 2 ? g_rand_int(r) / 2 : UINT32_MAX - (fc_node_id)(3 * n);
	size_t k = 0;

	while (k < n) {
		fc_node_id id;

		if (kind < 4)
			/* Dense: a few gaps, at most ~3 slots per peer. */
			id = base + (fc_node_id)g_rand_int_range(r, 0, (gint32)(3 * n + 1));
		else
			id = g_rand_int(r) >> (kind == 5 ? g_rand_int_range(r, 0, 32) : 0);
		if (g_hash_table_contains(want, GUINT_TO_POINTER(id)))
			continue;
		g_hash_table_insert(want, GUINT_TO_POINTER(id), GUINT_TO_POINTER((guint)k));
		ids[k++] = id;
	}
	fc__peer_index_init(&x, ids, n);
	/* Both forms are under test: dense ranges take the table, ids
	 * scattered over 32 bits the bisection. */
	if (n && kind < 4)
		g_assert_cmpuint(x.span, >, 0);
	if (n > 2 && kind == 4)
		g_assert_cmpuint(x.span, ==, 0);
	for (size_t i = 0; i < n; i++) {
		compare(want, &x, ids[i]);
		compare(want, &x, ids[i] - 1);
		compare(want, &x, ids[i] + 1);
	}
	for (int p = 0; p < PROBES; p++)
		compare(want, &x, p % 2 ? g_rand_int(r) :
				  base + (fc_node_id)g_rand_int_range(r, -8, (gint32)(3 * n + 8)));
	compare(want, &x, 0);
	compare(want, &x, UINT32_MAX);
	fc__peer_index_clear(&x);
	/* Cleared, it knows no peer and can be cleared again. */
	g_assert_false(fc__peer_index_find(&x, n ? ids[0] : 0, &(uint32_t){ 0 }));
	fc__peer_index_clear(&x);
}

static void
test_random(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(31337);

	for (int w = 0; w < WORKLOADS; w++) {
		static const size_t edge[] = { 0, 1, 2, 3 };
		size_t n = w < 6 * (int)G_N_ELEMENTS(edge) ? edge[w / 6] :
			   (size_t)g_rand_int_range(r, 1, 1000);

		workload(r, w % 6, n);
	}
}

/* The simulator's ids, 1..n without the node's own. */
static void
test_servers(void)
{
	for (fc_node_id self = 1; self <= 40; self++) {
		fc_node_id ids[39];
		struct fc__peer_index x;
		size_t k = 0;
		uint32_t at;

		for (fc_node_id id = 1; id <= 40; id++)
			if (id != self)
				ids[k++] = id;
		fc__peer_index_init(&x, ids, k);
		g_assert_false(fc__peer_index_find(&x, self, &at));
		g_assert_false(fc__peer_index_find(&x, 0, &at));
		g_assert_false(fc__peer_index_find(&x, 41, &at));
		for (size_t i = 0; i < k; i++) {
			g_assert_true(fc__peer_index_find(&x, ids[i], &at));
			g_assert_cmpuint(at, ==, i);
		}
		fc__peer_index_clear(&x);
	}
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/peer-index/hash/random", test_random);
	g_test_add_func("/peer-index/servers", test_servers);
	return g_test_run();
}
