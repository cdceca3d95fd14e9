/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The delay line (delayq.h): time order with FIFO ties, no overtaking
 * within a pair when its delay changes, drop-tail at capacity, and random
 * workloads of many interleaved pairs checked against a reference model
 * (a linear scan for the least (due, push order), with each pair's due
 * time held at or after its previous one).
 */
#include <glib.h>

#include "testbed/net/delayq.h"
#include "tests/testutil.h"

/* Pops everything due by now into a string "item item ...". */
static char *
pop_all(struct tb_delayq *q, fc_time_t now)
{
	GString *s = g_string_new(NULL);
	uint64_t item;

	while (tb_delayq_pop(q, now, &item, NULL))
		g_string_append_printf(s, "%s%" G_GUINT64_FORMAT, s->len ? " " : "", item);
	return g_string_free(s, FALSE);
}

static void
test_order(void)
{
	g_autoptr(tb_delayq) q = tb_delayq_new(16);
	g_autofree char *early = NULL, *rest = NULL;
	fc_time_t due;
	uint64_t item;

	g_assert_cmpuint(tb_delayq_next_due(q), ==, FC_TIME_NEVER);
	g_assert_false(tb_delayq_pop(q, 50, &item, NULL));
	/* Four pairs, each with its own delay, pushed at 100. */
	g_assert_true(tb_delayq_push(q, 100, 40, 1, 10));
	g_assert_true(tb_delayq_push(q, 100, 10, 2, 11));
	g_assert_true(tb_delayq_push(q, 100, 30, 3, 12));
	g_assert_true(tb_delayq_push(q, 100, 20, 4, 13));
	g_assert_cmpuint(tb_delayq_len(q), ==, 4);
	g_assert_cmpuint(tb_delayq_next_due(q), ==, 110);
	/* Nothing comes out before it is due. */
	g_assert_false(tb_delayq_pop(q, 109, &item, NULL));
	early = pop_all(q, 125);
	g_assert_cmpstr(early, ==, "11 13");
	g_assert_cmpuint(tb_delayq_next_due(q), ==, 130);
	g_assert_true(tb_delayq_pop(q, 135, &item, &due));
	g_assert_cmpuint(item, ==, 12);
	g_assert_cmpuint(due, ==, 130);
	rest = pop_all(q, 1000);
	g_assert_cmpstr(rest, ==, "10");
	g_assert_cmpuint(tb_delayq_len(q), ==, 0);
	g_assert_cmpuint(tb_delayq_next_due(q), ==, FC_TIME_NEVER);
}

static void
test_ties(void)
{
	g_autoptr(tb_delayq) q = tb_delayq_new(64);
	g_autofree char *got = NULL;

	/* Different pairs, different push times and delays, one due time. */
	g_assert_true(tb_delayq_push(q, 0, 50, 7, 1));
	g_assert_true(tb_delayq_push(q, 10, 40, 3, 2));
	g_assert_true(tb_delayq_push(q, 20, 30, 9, 3));
	g_assert_true(tb_delayq_push(q, 20, 30, 7, 4));
	g_assert_true(tb_delayq_push(q, 50, 0, 1, 5));
	got = pop_all(q, 50);
	g_assert_cmpstr(got, ==, "1 2 3 4 5");
}

static void
test_pair_fifo(void)
{
	g_autoptr(tb_delayq) q = tb_delayq_new(8);
	g_autofree char *first = NULL, *second = NULL;
	fc_time_t due;
	uint64_t item;

	/* Pair 1's delay drops from 50 to 10: its second packet waits for the first. */
	g_assert_true(tb_delayq_push(q, 0, 50, 1, 100));
	g_assert_true(tb_delayq_push(q, 5, 10, 1, 101));
	/* Pair 2 has the short delay and overtakes both. */
	g_assert_true(tb_delayq_push(q, 5, 10, 2, 200));
	g_assert_cmpuint(tb_delayq_next_due(q), ==, 15);
	first = pop_all(q, 49);
	g_assert_cmpstr(first, ==, "200");
	g_assert_true(tb_delayq_pop(q, 50, &item, &due));
	g_assert_cmpuint(item, ==, 100);
	g_assert_true(tb_delayq_pop(q, 50, &item, &due));
	g_assert_cmpuint(item, ==, 101);
	g_assert_cmpuint(due, ==, 50);

	/* Once the pair has left the line its old due time holds nothing back. */
	g_assert_true(tb_delayq_push(q, 60, 10, 1, 102));
	g_assert_cmpuint(tb_delayq_next_due(q), ==, 70);
	second = pop_all(q, 70);
	g_assert_cmpstr(second, ==, "102");
}

static void
test_capacity(void)
{
	g_autoptr(tb_delayq) q = tb_delayq_new(3);
	struct tb_delayq_stats s;
	uint64_t item;

	g_assert_cmpuint(tb_delayq_capacity(q), ==, 3);
	for (uint64_t i = 0; i < 3; i++)
		g_assert_true(tb_delayq_push(q, 0, 10, i, i));
	/* Drop-tail: the new packet is refused, the held ones stay. */
	g_assert_false(tb_delayq_push(q, 1, 0, 9, 9));
	g_assert_false(tb_delayq_push(q, 2, 0, 0, 10));
	g_assert_cmpuint(tb_delayq_len(q), ==, 3);
	g_assert_cmpuint(tb_delayq_next_due(q), ==, 10);
	g_assert_true(tb_delayq_pop(q, 10, &item, NULL));
	g_assert_cmpuint(item, ==, 0);
	g_assert_true(tb_delayq_push(q, 10, 5, 9, 11));
	tb_delayq_get_stats(q, &s);
	g_assert_cmpuint(s.pushed, ==, 4);
	g_assert_cmpuint(s.dropped, ==, 2);
	g_assert_cmpuint(s.popped, ==, 1);
	g_assert_cmpuint(s.max_len, ==, 3);
	g_assert_cmpuint(tb_delayq_len(q), ==, 3);
}

/* A delay of "never" saturates instead of wrapping around. */
static void
test_saturate(void)
{
	g_autoptr(tb_delayq) q = tb_delayq_new(2);
	uint64_t item;

	g_assert_true(tb_delayq_push(q, 5, FC_TIME_NEVER, 1, 1));
	g_assert_true(tb_delayq_push(q, 5, 1, 2, 2));
	g_assert_cmpuint(tb_delayq_next_due(q), ==, 6);
	g_assert_true(tb_delayq_pop(q, 6, &item, NULL));
	g_assert_cmpuint(tb_delayq_next_due(q), ==, FC_TIME_NEVER);
	g_assert_false(tb_delayq_pop(q, FC_TIME_NEVER - 1, &item, NULL));
	g_assert_true(tb_delayq_pop(q, FC_TIME_NEVER, &item, NULL));
	g_assert_cmpuint(item, ==, 1);
}

struct ref_entry {
	fc_time_t due;
	uint64_t seq;
	uint64_t item;
	uint64_t pair;
};

/*
 * Random workloads: pushes and pops at non-decreasing times, many pairs
 * (more pairs over the run than the line has room for, so that the pair
 * table fills, empties and shifts entries back), delays that change from
 * packet to packet, a capacity that is reached now and then.
 */
static void
test_random(void)
{
	for (guint32 seed = 1; seed <= 40; seed++) {
		g_autoptr(GRand) rng = g_rand_new_with_seed(seed);
		size_t capacity = 1 + (size_t)g_rand_int_range(rng, 0, 200);
		g_autoptr(tb_delayq) q = tb_delayq_new(capacity);
		g_autoptr(GArray) ref = g_array_new(FALSE, FALSE, sizeof(struct ref_entry));
		g_autoptr(GHashTable) last_due = g_hash_table_new_full(g_int64_hash, g_int64_equal,
									g_free, g_free);
		g_autoptr(GHashTable) last_item = g_hash_table_new_full(g_int64_hash, g_int64_equal,
									 g_free, g_free);
		int n_pairs = g_rand_int_range(rng, 1, 600);
		uint64_t seq = 0, dropped = 0, next_item = 0;
		fc_time_t now = 0;

		for (int step = 0; step < 6000; step++) {
			now += (fc_time_t)g_rand_int_range(rng, 0, 4);
			if (g_rand_int_range(rng, 0, 100) < 55) {
				struct ref_entry e;
				gint64 key = g_rand_int_range(rng, 0, n_pairs);
				fc_time_t delay = (fc_time_t)g_rand_int_range(rng, 0, 60);
				fc_time_t *ld = g_hash_table_lookup(last_due, &key);
				bool full = ref->len == capacity;

				e.due = now + delay;
				if (ld && *ld > e.due)
					e.due = *ld;
				e.seq = seq++;
				e.item = next_item++;
				e.pair = (uint64_t)key;
				g_assert_cmpint(tb_delayq_push(q, now, delay, e.pair, e.item), ==,
						!full);
				if (full) {
					dropped++;
					continue;
				}
				g_hash_table_insert(last_due, g_memdup2(&key, sizeof key),
						    g_memdup2(&e.due, sizeof e.due));
				g_array_append_val(ref, e);
			} else {
				guint best = G_MAXUINT;
				uint64_t item;
				fc_time_t due;

				for (guint i = 0; i < ref->len; i++) {
					struct ref_entry *e = &g_array_index(ref, struct ref_entry, i);
					struct ref_entry *b;

					if (best == G_MAXUINT) {
						best = i;
						continue;
					}
					b = &g_array_index(ref, struct ref_entry, best);
					if (e->due < b->due || (e->due == b->due && e->seq < b->seq))
						best = i;
				}
				g_assert_cmpuint(tb_delayq_next_due(q), ==,
						 best == G_MAXUINT ? FC_TIME_NEVER
								   : g_array_index(ref, struct ref_entry,
										   best).due);
				if (best == G_MAXUINT ||
				    g_array_index(ref, struct ref_entry, best).due > now) {
					g_assert_false(tb_delayq_pop(q, now, &item, &due));
					continue;
				}
				g_assert_true(tb_delayq_pop(q, now, &item, &due));
				{
					struct ref_entry *b = &g_array_index(ref, struct ref_entry, best);
					gint64 key = (gint64)b->pair;
					uint64_t *li = g_hash_table_lookup(last_item, &key);

					g_assert_cmpuint(item, ==, b->item);
					g_assert_cmpuint(due, ==, b->due);
					/* Within a pair, items (numbered in push order) rise. */
					g_assert_true(!li || *li < item);
					g_hash_table_insert(last_item, g_memdup2(&key, sizeof key),
							    g_memdup2(&item, sizeof item));
				}
				g_array_remove_index(ref, best);
			}
			g_assert_cmpuint(tb_delayq_len(q), ==, ref->len);
		}
		{
			struct tb_delayq_stats s;

			tb_delayq_get_stats(q, &s);
			g_assert_cmpuint(s.dropped, ==, dropped);
			g_assert_cmpuint(s.pushed, ==, next_item - dropped);
		}
	}
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/delayq/order", test_order);
	g_test_add_func("/delayq/ties", test_ties);
	g_test_add_func("/delayq/pair-fifo", test_pair_fifo);
	g_test_add_func("/delayq/capacity", test_capacity);
	g_test_add_func("/delayq/saturate", test_saturate);
	g_test_add_func("/delayq/random", test_random);
	return g_test_run();
}
