/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The core's per-peer deadline heap (core/deadlines.c) against the
 * straightforward structure it replaced, an array scanned in full: random
 * timer workloads of moves earlier, later, to never and to equal times
 * (the ties that slot order must break), with the earliest deadline and
 * the due slots, in slot order, compared after every step.
 */
#include <glib.h>

#include "core/internal.h"
#include "flashcoop/core.h"
#include "tests/testutil.h"

#define WORKLOADS 100
#define STEPS 1000

/* The earliest of at[0..n) by a scan. */
static fc_time_t
scan_first(const fc_time_t *at, size_t n)
{
	fc_time_t t = FC_TIME_NEVER;

	for (size_t i = 0; i < n; i++)
		t = MIN(t, at[i]);
	return t;
}

/* The slots due at now by a scan, in slot order. */
static size_t
scan_due(const fc_time_t *at, size_t n, fc_time_t now, uint32_t *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (at[i] <= now)
			out[k++] = (uint32_t)i;
	return k;
}

static void
check(struct fc__deadlines *d, const fc_time_t *at, size_t n, fc_time_t now)
{
	g_autofree uint32_t *want = g_new(uint32_t, MAX(n, 1));
	const uint32_t *got;
	size_t nwant = scan_due(at, n, now, want);
	size_t ngot = fc__deadlines_due(d, now, &got);

	g_assert_cmpuint(fc__deadlines_first(d), ==, scan_first(at, n));
	g_assert_cmpmem(got, ngot * sizeof *got, want, nwant * sizeof *want);
}

static void
workload(GRand *r, size_t n)
{
	struct fc__deadlines d;
	g_autofree fc_time_t *at = g_new(fc_time_t, MAX(n, 1));
	/* A small span of times makes equal deadlines common. */
	fc_time_t span = g_rand_boolean(r) ? 20 : 1000000, now = 0;

	fc__deadlines_init(&d, n);
	for (size_t i = 0; i < n; i++)
		at[i] = FC_TIME_NEVER;
	check(&d, at, n, now);
	for (int step = 0; n && step < STEPS; step++) {
		size_t slot = (size_t)g_rand_int_range(r, 0, (gint32)n);
		int what = g_rand_int_range(r, 0, 10);

		if (what == 0)
			at[slot] = FC_TIME_NEVER;
		else if (what == 1)
			at[slot] = at[(size_t)g_rand_int_range(r, 0, (gint32)n)]; /* a tie */
		else if (what == 2)
			now += (fc_time_t)g_rand_int_range(r, 0, (gint32)(span / 4 + 1));
		else
			at[slot] = now + (fc_time_t)g_rand_int_range(r, 0, (gint32)span);
		fc__deadlines_set(&d, slot, at[slot]);
		check(&d, at, n, now);
		/* The query at times beside now, too, as a timer may be late. */
		check(&d, at, n, now + span / 2);
	}
	fc__deadlines_clear(&d);
}

static void
test_random(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(4242);

	for (int w = 0; w < WORKLOADS; w++) {
		/* From no peers to a few hundred, with the heap's edges. */
		static const size_t edge[] = { 0, 1, 2, 3, 7, 8 };
		size_t n = w < (int)G_N_ELEMENTS(edge) ? edge[w] :
			   (size_t)g_rand_int_range(r, 1, 300);

		workload(r, n);
	}
}

/* What a node's timer does: take the due slots, move each past now. */
static void
test_timer(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(99);
	const size_t n = 100;
	struct fc__deadlines d;
	fc_time_t at[100], now = 0;

	fc__deadlines_init(&d, n);
	for (size_t i = 0; i < n; i++) {
		at[i] = (fc_time_t)g_rand_int_range(r, 1, 1000);
		fc__deadlines_set(&d, i, at[i]);
	}
	for (int step = 0; step < 20000; step++) {
		const uint32_t *due;
		size_t k;
		uint32_t want[100];
		size_t nwant;

		now = fc__deadlines_first(&d);
		g_assert_cmpuint(now, ==, scan_first(at, n));
		nwant = scan_due(at, n, now, want);
		k = fc__deadlines_due(&d, now, &due);
		g_assert_cmpmem(due, k * sizeof *due, want, nwant * sizeof *want);
		g_assert_cmpuint(k, >, 0);
		for (size_t i = 0; i < k; i++) {
			at[due[i]] = now + (fc_time_t)g_rand_int_range(r, 1, 1000);
			fc__deadlines_set(&d, due[i], at[due[i]]);
		}
	}
	fc__deadlines_clear(&d);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/deadlines/scan/random", test_random);
	g_test_add_func("/deadlines/scan/timer", test_timer);
	return g_test_run();
}
