/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Winny identification (models/winny/identify.c) on flow logs written by
 * hand, whose answers for methods 0, 1 and 2 are worked out below.
 *
 * The hosts: inside, A (Winny on 1000) and H, which runs Winny on 2000
 * and Share on 2001; outside, W1 (Winny, 3000), W2 (Winny, 4000), W3
 * (Winny, 6000) and S1 (Share only, 5000).  The decoys learned W1:3000.
 *
 *   1. A -> W1:3000 at 10 s, W1 -> A:1000 at 12 s   A and W1 relate
 *   2. A -> H:2000 at 20 s, H -> A:1000 at 25 s     A and H (Winny)
 *   3. H -> W2:4000 at 30 s, W2 -> H:2000 at 35 s   H (Winny) and W2
 *   4. S1 -> H:2001 at 40 s, H -> S1:5000 at 45 s   H (Share) and S1
 *   5. A -> W3:6000 at 50 s; W3's SYN to A:1000 at 55 s unanswered
 *
 * Service endpoints seen: W1:3000, A:1000, H:2000, W2:4000, W3:6000 (the
 * five Winny ones), H:2001 and S1:5000.
 *
 * Method 2 (endpoints): W1:3000 -> A:1000 (1) -> H:2000 (2) -> W2:4000
 * (3); H:2000 does not reach S1:5000, since S1 connected to H:2001, not
 * to H:2000.  Labelled: 4, all Winny; W3 missed: FN 1/5, FP 0.  (H is a
 * host with two service ports, but A, W2 and S1 are not, so method 2
 * uses its relations.)
 *
 * Method 0 (hosts): W1 -> A -> H -> W2 and S1 (H and S1 connected both
 * ways, ports aside).  Labelled: every service port of those hosts, 6,
 * of which H:2001 and S1:5000 are Share's: FP 2/6; FN 1/5.
 *
 * Method 1: H has two service ports, so rows 2-4 go; W1 -> A.  Labelled:
 * W1:3000 and A:1000: FP 0, FN 3/5.
 */
#include <string.h>

#include <glib.h>

#include "models/winny/identify.h"
#include "tests/testutil.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define A IP(10, 0, 0, 1)
#define H IP(10, 0, 0, 2)
#define W1 IP(100, 0, 0, 1)
#define W2 IP(100, 0, 0, 2)
#define S1 IP(100, 0, 0, 3)
#define W3 IP(100, 0, 0, 4)
#define Z IP(100, 0, 0, 5)
#define S2 IP(10, 0, 0, 3)
#define DECOY IP(100, 0, 1, 1)
#define S(x) ((fc_time_t)(x) * FC_SEC)

static const struct ident_flow log1[] = {
	{ S(10), A, W1, 3000, true, true },
	{ S(12), W1, A, 1000, true, true },
	{ S(20), A, H, 2000, true, true },
	{ S(25), H, A, 1000, true, true },
	{ S(30), H, W2, 4000, true, true },
	{ S(35), W2, H, 2000, true, true },
	{ S(40), S1, H, 2001, true, false },
	{ S(45), H, S1, 5000, true, false },
	{ S(50), A, W3, 6000, true, true },
	{ S(55), W3, A, 1000, false, true },
};

static const struct ident_endpoint seeds1[] = { { W1, 3000 } };
static const struct ident_endpoint own[] = { { DECOY, 9000 } };

/* Runs method m on flows (with the multi-port hosts found in them). */
static void
identify(const struct ident_flow *flows, size_t n, const struct ident_endpoint *seeds,
	 size_t nseeds, enum ident_method m, fc_time_t within, struct ident_result *r)
{
	uint32_t *multi = NULL;
	size_t nmulti = ident_multi_hosts(flows, n, &multi);

	ident_window(flows, n, seeds, nseeds, own, G_N_ELEMENTS(own), multi, nmulti, m,
		     within, r);
	g_free(multi);
}

static void
check(const struct ident_result *r, uint64_t seen, uint64_t learned, uint64_t identified,
      uint64_t labelled, uint64_t false_pos)
{
	g_assert_cmpuint(r->winny_seen, ==, seen);
	g_assert_cmpuint(r->learned, ==, learned);
	g_assert_cmpuint(r->identified, ==, identified);
	g_assert_cmpuint(r->labelled, ==, labelled);
	g_assert_cmpuint(r->false_pos, ==, false_pos);
}

static void
test_multi(void)
{
	g_autofree uint32_t *multi = NULL;

	g_assert_cmpuint(ident_multi_hosts(log1, G_N_ELEMENTS(log1), &multi), ==, 1);
	g_assert_cmpuint(multi[0], ==, H);
}

static void
test_endpoints(void)
{
	struct ident_result r;

	identify(log1, G_N_ELEMENTS(log1), seeds1, 1, IDENT_ENDPOINTS, FC_MIN, &r);
	check(&r, 5, 1, 4, 4, 0);
	g_assert_cmpfloat(ident_fp_rate(&r), ==, 0);
	g_assert_cmpfloat_with_epsilon(ident_fn_rate(&r), 0.2, 1e-12);
}

static void
test_hosts(void)
{
	struct ident_result r;

	identify(log1, G_N_ELEMENTS(log1), seeds1, 1, IDENT_HOSTS, FC_MIN, &r);
	check(&r, 5, 1, 4, 6, 2);
	g_assert_cmpfloat_with_epsilon(ident_fp_rate(&r), 2.0 / 6, 1e-12);
	g_assert_cmpfloat_with_epsilon(ident_fn_rate(&r), 0.2, 1e-12);
}

static void
test_single_port(void)
{
	struct ident_result r;

	identify(log1, G_N_ELEMENTS(log1), seeds1, 1, IDENT_SINGLE_PORT, FC_MIN, &r);
	check(&r, 5, 1, 2, 2, 0);
	g_assert_cmpfloat_with_epsilon(ident_fn_rate(&r), 0.6, 1e-12);
}

/* The answer is a fixpoint: the order of the log does not matter. */
static void
test_order(void)
{
	GRand *rand = g_rand_new_with_seed(17);
	struct ident_flow f[G_N_ELEMENTS(log1)];

	for (int round = 0; round < 50; round++) {
		struct ident_result r0, r1, r2;

		memcpy(f, log1, sizeof f);
		for (size_t i = G_N_ELEMENTS(f) - 1; i > 0; i--) {
			size_t j = (size_t)g_rand_int_range(rand, 0, (gint32)i + 1);
			struct ident_flow t = f[i];

			f[i] = f[j];
			f[j] = t;
		}
		identify(f, G_N_ELEMENTS(f), seeds1, 1, IDENT_HOSTS, FC_MIN, &r0);
		identify(f, G_N_ELEMENTS(f), seeds1, 1, IDENT_SINGLE_PORT, FC_MIN, &r1);
		identify(f, G_N_ELEMENTS(f), seeds1, 1, IDENT_ENDPOINTS, FC_MIN, &r2);
		check(&r0, 5, 1, 4, 6, 2);
		check(&r1, 5, 1, 2, 2, 0);
		check(&r2, 5, 1, 4, 4, 0);
	}
	g_rand_free(rand);
}

/*
 * The relation needs both connections within `within`: W1 answers A
 * 100 s later, so with a minute nothing joins W1:3000, and with the whole
 * window (here 10 minutes) everything of method 2 does.
 */
static void
test_within(void)
{
	struct ident_flow f[G_N_ELEMENTS(log1)];
	struct ident_result r;

	memcpy(f, log1, sizeof f);
	f[1].start = S(110);
	identify(f, G_N_ELEMENTS(f), seeds1, 1, IDENT_ENDPOINTS, FC_MIN, &r);
	check(&r, 5, 1, 1, 1, 0);
	identify(f, G_N_ELEMENTS(f), seeds1, 1, IDENT_ENDPOINTS, 10 * FC_MIN, &r);
	check(&r, 5, 1, 4, 4, 0);
	identify(f, G_N_ELEMENTS(f), seeds1, 1, IDENT_HOSTS, FC_MIN, &r);
	check(&r, 5, 1, 1, 1, 0);
}

/* f: log1's flows, then the n of extra. */
static void
log1_with(struct ident_flow *f, const struct ident_flow *extra, size_t n)
{
	memcpy(f, log1, sizeof log1);
	memcpy(f + G_N_ELEMENTS(log1), extra, n * sizeof *extra);
}

/*
 * Two hosts that both run Winny and Share: Z (outside, Winny 7000,
 * Share 7001, which S2 inside reached) and H.  Z's Share connects to
 * H's Share port and H's Winny to Z's Winny port, two seconds apart, and
 * the decoys know Z:7000.  Taken as a relation it would carry the Winny
 * set into Share (H:2001, then S1:5000); method 2 does not use a relation
 * between two hosts with two service ports each.
 */
static void
test_two_dual(void)
{
	static const struct ident_flow extra[] = {
		{ S(60), Z, H, 2001, true, false },
		{ S(62), H, Z, 7000, true, true },
		{ S(70), S2, Z, 7001, true, false },
	};
	static const struct ident_endpoint seeds[] = { { W1, 3000 }, { Z, 7000 } };
	struct ident_flow f[G_N_ELEMENTS(log1) + G_N_ELEMENTS(extra)];
	struct ident_result r;

	log1_with(f, extra, G_N_ELEMENTS(extra));
	/* Winny seen: the five and Z:7000; Z:7001 is Share's. */
	identify(f, G_N_ELEMENTS(f), seeds, 2, IDENT_ENDPOINTS, FC_MIN, &r);
	check(&r, 6, 2, 5, 5, 0);
	/* Were H and Z not known to run two applications, H:2001 and S1
	 * would join through them. */
	ident_window(f, G_N_ELEMENTS(f), seeds, 2, own, G_N_ELEMENTS(own), NULL, 0,
		     IDENT_ENDPOINTS, FC_MIN, &r);
	check(&r, 6, 2, 5, 7, 2);
}

/*
 * The same pair, but Z's Share port is not seen, so that Z does not look
 * like a host with two applications: Z's Winny connected to H:2000 and
 * its Share to H:2001.  Z talked to two ports of H, so which of them
 * answers H's connection to Z:7000 cannot be told, and method 2 uses
 * neither (H:2000 is found through A anyway).
 */
static void
test_two_ports(void)
{
	static const struct ident_flow extra[] = {
		{ S(58), Z, H, 2000, true, true },
		{ S(60), Z, H, 2001, true, false },
		{ S(62), H, Z, 7000, true, true },
	};
	static const struct ident_endpoint seeds[] = { { W1, 3000 }, { Z, 7000 } };
	struct ident_flow f[G_N_ELEMENTS(log1) + G_N_ELEMENTS(extra)];
	struct ident_result r;

	log1_with(f, extra, G_N_ELEMENTS(extra));
	identify(f, G_N_ELEMENTS(f), seeds, 2, IDENT_ENDPOINTS, FC_MIN, &r);
	check(&r, 6, 2, 5, 5, 0);
	/* Seeded with Z:7000 alone, H is reached through nobody. */
	identify(f, G_N_ELEMENTS(f), seeds + 1, 1, IDENT_ENDPOINTS, FC_MIN, &r);
	check(&r, 6, 1, 1, 1, 0);
}

/* An empty window: nothing seen, rates 0. */
static void
test_empty(void)
{
	struct ident_result r;

	identify(NULL, 0, seeds1, 1, IDENT_ENDPOINTS, FC_MIN, &r);
	check(&r, 0, 0, 0, 0, 0);
	g_assert_cmpfloat(ident_fp_rate(&r), ==, 0);
	g_assert_cmpfloat(ident_fn_rate(&r), ==, 0);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/identify/multi-port", test_multi);
	g_test_add_func("/identify/method2/endpoints", test_endpoints);
	g_test_add_func("/identify/method0/hosts", test_hosts);
	g_test_add_func("/identify/method1/single-port", test_single_port);
	g_test_add_func("/identify/order", test_order);
	g_test_add_func("/identify/within", test_within);
	g_test_add_func("/identify/two-dual", test_two_dual);
	g_test_add_func("/identify/two-ports", test_two_ports);
	g_test_add_func("/identify/empty", test_empty);
	return g_test_run();
}
