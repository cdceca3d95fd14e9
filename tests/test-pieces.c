/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Piece selection: rarest first, random first pieces, uniform ties,
 * endgame, nothing to ask for. */
#include <glib.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#include "models/bittorrent/pieces.h"
#include "sim/rng.h"
#include "tests/testutil.h"

#define N 100

struct bed {
	uint64_t mine[2], theirs[2], flight[2];
	uint32_t avail[N];
	struct pieces_choice c;
	struct rng_stream s;
};

static void
bed_init(struct bed *b)
{
	memset(b, 0, sizeof *b);
	for (uint32_t i = 0; i < N; i++) {
		pieces_add(b->theirs, i);
		b->avail[i] = 5;
	}
	b->c = (struct pieces_choice){ N, b->mine, b->theirs, b->flight, b->avail, 4 };
	rng_stream_init(&b->s, 1, 0, "pieces", 0);
}

static void
test_rarest(void)
{
	struct bed b;
	bool eg;

	bed_init(&b);
	for (uint32_t i = 0; i < 10; i++)
		pieces_add(b.mine, i);      /* past the random first pieces */
	b.avail[42] = 1;                    /* the rarest */
	b.avail[7] = 0;                     /* rarer, but the peer has it */
	g_assert_cmpint(pieces_pick(&b.c, &b.s, &eg), ==, 42);
	g_assert_false(eg);
	pieces_remove(b.theirs, 42);        /* the neighbour lacks it */
	b.avail[60] = 2;
	g_assert_cmpint(pieces_pick(&b.c, &b.s, &eg), ==, 60);
	pieces_add(b.flight, 60);           /* already being fetched */
	g_assert_cmpint(pieces_pick(&b.c, &b.s, &eg), !=, 60);
}

/* Ties among the rarest, and the first pieces, are uniform. */
static void
test_uniform(void)
{
	struct bed b;
	unsigned count[N] = { 0 };
	double chi2 = 0, e;
	bool eg;

	bed_init(&b);
	for (int k = 0; k < 9000; k++)
		count[pieces_pick(&b.c, &b.s, &eg)]++; /* nothing yet: random */
	e = 9000.0 / N;
	for (int i = 0; i < N; i++)
		chi2 += (count[i] - e) * (count[i] - e) / e;
	g_assert_cmpfloat(chi2, <, (N - 1) + 5 * sqrt(2.0 * (N - 1)));

	memset(count, 0, sizeof count);
	for (uint32_t i = 0; i < 10; i++)
		pieces_add(b.mine, i);
	for (uint32_t i = 50; i < 60; i++)
		b.avail[i] = 1;             /* ten tied rarest */
	for (int k = 0; k < 5000; k++)
		count[pieces_pick(&b.c, &b.s, &eg)]++;
	chi2 = 0;
	for (int i = 0; i < N; i++) {
		if (i < 50 || i >= 60) {
			g_assert_cmpuint(count[i], ==, 0);
			continue;
		}
		chi2 += (count[i] - 500.0) * (count[i] - 500.0) / 500.0;
	}
	g_assert_cmpfloat(chi2, <, 9 + 5 * sqrt(18.0));
}

static void
test_endgame(void)
{
	struct bed b;
	bool eg;

	bed_init(&b);
	for (uint32_t i = 0; i < N; i++)
		if (i != 3 && i != 97)
			pieces_add(b.mine, i);
	pieces_add(b.flight, 3);
	pieces_add(b.flight, 97);
	{
		int64_t p = pieces_pick(&b.c, &b.s, &eg);

		g_assert_true(p == 3 || p == 97);
		g_assert_true(eg);
	}
	/* Not endgame while a missing piece is not in flight, even if this
	 * neighbour has only in-flight pieces to offer. */
	pieces_remove(b.mine, 50);
	pieces_remove(b.theirs, 50);
	g_assert_cmpint(pieces_pick(&b.c, &b.s, &eg), ==, -1);
	g_assert_false(eg);
	pieces_add(b.mine, 50);
	pieces_remove(b.theirs, 3);
	pieces_remove(b.theirs, 97);
	g_assert_cmpint(pieces_pick(&b.c, &b.s, &eg), ==, -1);
	g_assert_false(eg);
	g_assert_cmpuint(pieces_count(b.mine, N), ==, N - 2);
}

/*
 * The straightforward pick: a walk over every piece with the same draws,
 * against which pieces_pick (which finds candidates a word at a time) is
 * pinned.
 */
static int64_t
ref_choose(const struct pieces_choice *c, bool in_flight_ok, bool rarest, gsl_rng *r)
{
	int64_t best = -1;
	uint32_t best_rank = UINT32_MAX, ties = 0;

	for (uint32_t i = 0; i < c->npieces; i++) {
		uint32_t rank;

		if (pieces_has(c->mine, i) || !pieces_has(c->theirs, i))
			continue;
		if (pieces_has(c->in_flight, i) != in_flight_ok)
			continue;
		rank = rarest ? c->avail[i] : 0;
		if (rank < best_rank) {
			best_rank = rank;
			best = i;
			ties = 1;
		} else if (rank == best_rank && gsl_rng_uniform_int(r, ++ties) == 0) {
			best = i;
		}
	}
	return best;
}

static int64_t
ref_pick(const struct pieces_choice *c, struct rng_stream *s, bool *endgame)
{
	gsl_rng *r = rng_stream_gsl(s);
	bool rarest = pieces_count(c->mine, c->npieces) >= c->random_first;
	int64_t p = ref_choose(c, false, rarest, r);

	*endgame = false;
	if (p >= 0)
		return p;
	for (uint32_t i = 0; i < c->npieces; i++)
		if (!pieces_has(c->mine, i) && !pieces_has(c->in_flight, i))
			return -1;
	p = ref_choose(c, true, false, r);
	*endgame = p >= 0;
	return p;
}

/*
 * Random piece sets of random sizes (across word boundaries), with few
 * distinct availabilities (many ties): pieces_pick and the walk above give
 * the same piece, the same endgame flag, and leave their streams at the
 * same point.
 */
static void
test_reference(void)
{
	struct rng_stream gen, s1, s2;
	gsl_rng *g;

	rng_stream_init(&gen, 7, 0, "workload", 0);
	rng_stream_init(&s1, 7, 0, "pick", 0);
	rng_stream_init(&s2, 7, 0, "pick", 0);
	g = rng_stream_gsl(&gen);
	for (int k = 0; k < 20000; k++) {
		uint32_t n = 1 + (uint32_t)gsl_rng_uniform_int(g, 200);
		uint64_t mine[4] = { 0 }, theirs[4] = { 0 }, flight[4] = { 0 };
		uint32_t avail[200];
		double pm = gsl_rng_uniform(g), pt = gsl_rng_uniform(g), pf = gsl_rng_uniform(g);
		struct pieces_choice c = { n, mine, theirs, flight, avail,
					   (uint32_t)gsl_rng_uniform_int(g, 8) };
		bool e1, e2;
		int64_t p1, p2;

		for (uint32_t i = 0; i < n; i++) {
			if (gsl_rng_uniform(g) < pm)
				pieces_add(mine, i);
			if (gsl_rng_uniform(g) < pt)
				pieces_add(theirs, i);
			if (gsl_rng_uniform(g) < pf)
				pieces_add(flight, i);
			avail[i] = (uint32_t)gsl_rng_uniform_int(g, 3);
		}
		/* Stray bits past the last piece must not count. */
		if (n % 64 && gsl_rng_uniform(g) < 0.5)
			flight[n / 64] |= ~(((uint64_t)1 << (n % 64)) - 1);
		p1 = pieces_pick(&c, &s1, &e1);
		p2 = ref_pick(&c, &s2, &e2);
		g_assert_cmpint(p1, ==, p2);
		g_assert(e1 == e2);
		g_assert_cmpuint(gsl_rng_get(rng_stream_gsl(&s1)), ==,
				 gsl_rng_get(rng_stream_gsl(&s2)));
	}
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/pieces/rarest", test_rarest);
	g_test_add_func("/pieces/uniform", test_uniform);
	g_test_add_func("/pieces/endgame", test_endgame);
	g_test_add_func("/pieces/reference", test_reference);
	return g_test_run();
}
