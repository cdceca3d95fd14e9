/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The tracker: membership by events, answers of distinct other peers,
 * uniform choice, unavailability. */
#include <glib.h>
#include <math.h>

#include "sim/rng.h"
#include "models/bittorrent/tracker.h"
#include "tests/testutil.h"

static void
test_membership(void)
{
	struct rng_stream s;
	struct tracker *t;
	g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(uint64_t));

	rng_stream_init(&s, 1, 0, "tracker", 0);
	t = tracker_new(&s, 50);
	g_assert_true(tracker_announce(t, 7, 100, TRACKER_COMPLETED, 0, out)); /* a seed */
	g_assert_cmpuint(out->len, ==, 0);
	for (uint64_t p = 1; p <= 30; p++)
		g_assert_true(tracker_announce(t, 7, p, TRACKER_STARTED, FC_SEC, out));
	g_assert_cmpuint(tracker_seeds(t, 7), ==, 1);
	g_assert_cmpuint(tracker_leechers(t, 7), ==, 30);
	/* Fewer than 50 others: all of them, never itself, no repeats. */
	tracker_announce(t, 7, 5, TRACKER_REGULAR, 2 * FC_SEC, out);
	g_assert_cmpuint(out->len, ==, 30);
	{
		g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);

		for (guint i = 0; i < out->len; i++) {
			uint64_t p = g_array_index(out, uint64_t, i);

			g_assert_cmpuint(p, !=, 5);
			g_assert_false(g_hash_table_contains(seen, GSIZE_TO_POINTER(p)));
			g_hash_table_add(seen, GSIZE_TO_POINTER(p));
		}
	}
	tracker_announce(t, 7, 5, TRACKER_COMPLETED, 3 * FC_SEC, out);
	g_assert_cmpuint(tracker_seeds(t, 7), ==, 2);
	tracker_announce(t, 7, 5, TRACKER_STOPPED, 4 * FC_SEC, out);
	tracker_announce(t, 7, 100, TRACKER_STOPPED, 4 * FC_SEC, out);
	g_assert_cmpuint(tracker_seeds(t, 7), ==, 0);
	g_assert_cmpuint(tracker_leechers(t, 7), ==, 29);
	/* Another torrent is another swarm. */
	tracker_announce(t, 8, 5, TRACKER_STARTED, 5 * FC_SEC, out);
	g_assert_cmpuint(out->len, ==, 0);
	/* Down from 10 s to 20 s: no answer, nothing changes. */
	tracker_set_down(t, 10 * FC_SEC, 20 * FC_SEC);
	g_assert_false(tracker_announce(t, 7, 999, TRACKER_STARTED, 15 * FC_SEC, out));
	g_assert_cmpuint(tracker_leechers(t, 7), ==, 29);
	g_assert_true(tracker_announce(t, 7, 999, TRACKER_STARTED, 20 * FC_SEC, out));
	g_assert_cmpuint(out->len, ==, 29);
	tracker_free(t);
}

/* In a swarm of 1000, answers of 50: each other peer is named with
 * probability 50/999; over 2000 announces a chi-square test. */
static void
test_uniform(void)
{
	struct rng_stream s;
	struct tracker *t;
	g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	g_autofree unsigned *count = g_new0(unsigned, 1000);
	double e = 2000.0 * 50 / 999, chi2 = 0;

	rng_stream_init(&s, 2, 0, "tracker", 0);
	t = tracker_new(&s, 50);
	for (uint64_t p = 0; p < 1000; p++)
		tracker_announce(t, 1, p, TRACKER_STARTED, 0, out);
	for (int i = 0; i < 2000; i++) {
		tracker_announce(t, 1, 0, TRACKER_REGULAR, FC_SEC, out);
		g_assert_cmpuint(out->len, ==, 50);
		for (guint k = 0; k < out->len; k++)
			count[g_array_index(out, uint64_t, k)]++;
	}
	g_assert_cmpuint(count[0], ==, 0);
	for (int p = 1; p < 1000; p++)
		chi2 += (count[p] - e) * (count[p] - e) / e;
	/* 998 degrees of freedom: mean 998, sd about 45. */
	if (chi2 > 998 + 5 * sqrt(2.0 * 998))
		g_error("chi-square %.1f", chi2);
	tracker_free(t);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/tracker/membership", test_membership);
	g_test_add_func("/tracker/uniform", test_uniform);
	return g_test_run();
}
