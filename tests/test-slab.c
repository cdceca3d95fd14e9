/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The slab of records (sim/slab.c) against the straightforward version it
 * replaced, one g_malloc() and g_free() per record: random workloads of
 * takes and gives back in any order, every record out filled with its own
 * pattern and checked intact after every step (no two records out share a
 * byte), the count out kept, a record given back being the next one taken,
 * and everything freed by slab_clear() with records still out (under
 * valgrind or ASan, a leak or an overlap shows).
 */
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "sim/slab.h"
#include "tests/testutil.h"

#define WORKLOADS 60
#define STEPS 4000

struct out {
	unsigned char *rec;  /* from the slab */
	unsigned char *want; /* the same bytes, from g_malloc() */
};

static void
fill(GRand *r, struct out *o, size_t size)
{
	for (size_t i = 0; i < size; i++)
		o->rec[i] = o->want[i] = (unsigned char)g_rand_int(r);
}

static void
check_all(const GArray *outs, size_t size)
{
	for (guint i = 0; i < outs->len; i++) {
		const struct out *o = &g_array_index(outs, struct out, i);

		g_assert_true((uintptr_t)o->rec % alignof(max_align_t) == 0);
		g_assert_cmpmem(o->rec, size, o->want, size);
	}
}

static void
workload(GRand *r, size_t size)
{
	struct slab s;
	g_autoptr(GArray) outs = g_array_new(FALSE, FALSE, sizeof(struct out));
	/* Mostly takes at first, then mostly gives: the free list fills up
	 * and empties, across chunk boundaries. */
	int bias = g_rand_int_range(r, 2, 8);

	slab_init(&s, size);
	for (int step = 0; step < STEPS; step++) {
		bool take = outs->len == 0 ||
			    g_rand_int_range(r, 0, 10) < (step < STEPS / 2 ? bias : 10 - bias);

		if (take) {
			struct out o = { slab_take(&s), g_malloc(size) };

			fill(r, &o, size);
			g_array_append_val(outs, o);
		} else {
			guint at = (guint)g_rand_int_range(r, 0, (gint32)outs->len);
			struct out o = g_array_index(outs, struct out, at);

			g_array_remove_index(outs, at);
			slab_give(&s, o.rec);
			g_free(o.want);
			/* The record given back is the next one taken. */
			if (g_rand_boolean(r)) {
				unsigned char *back = o.rec;

				o.rec = slab_take(&s);
				g_assert_true(o.rec == back);
				o.want = g_malloc(size);
				fill(r, &o, size);
				g_array_append_val(outs, o);
			}
		}
		g_assert_cmpuint(s.taken, ==, outs->len);
		if (step % 64 == 0)
			check_all(outs, size);
	}
	check_all(outs, size);
	for (guint i = 0; i < outs->len; i++)
		g_free(g_array_index(outs, struct out, i).want);
	slab_clear(&s); /* with records still out */
	g_assert_cmpuint(s.taken, ==, 0);
	/* Usable again after a clear. */
	g_assert_nonnull(slab_take(&s));
	slab_clear(&s);
}

static void
test_random(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(2718);

	for (int w = 0; w < WORKLOADS; w++) {
		/* Sizes below a pointer, odd ones, and one bigger than a chunk. */
		static const size_t edge[] = { 1, 3, 8, 17, 200, 20000 };
		size_t size = w < (int)G_N_ELEMENTS(edge) ? edge[w] :
			      (size_t)g_rand_int_range(r, 1, 400);

		workload(r, size);
	}
}

/* Given back, a record is the next one taken, whatever the chunks hold. */
static void
test_reuse(void)
{
	struct slab s;
	void *a, *b, *c;

	slab_init(&s, 40);
	a = slab_take(&s);
	b = slab_take(&s);
	g_assert_true(a != b);
	slab_give(&s, a);
	slab_give(&s, b);
	c = slab_take(&s);
	g_assert_true(c == b);
	c = slab_take(&s);
	g_assert_true(c == a);
	g_assert_true(slab_take(&s) != a);
	g_assert_cmpuint(s.taken, ==, 3);
	slab_clear(&s);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/slab/random", test_random);
	g_test_add_func("/slab/reuse", test_reuse);
	return g_test_run();
}
