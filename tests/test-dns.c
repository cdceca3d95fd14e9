/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DNS: update delay, TTL caching, sticky resolvers, round robin and the
 * whole answer a client gets, by hand.
 */
#include <glib.h>

#include "models/web/dns.h"
#include "sim/engine.h"
#include "tests/testutil.h"

static uint32_t
at(struct engine *e, struct dns *d, fc_time_t t, size_t resolver, bool *cached)
{
	uint32_t first;

	engine_run_until(e, t);
	return dns_resolve(d, resolver, 0, &first, 1, cached) ? first : 0;
}

static void
test_timeline(void)
{
	struct engine *e = engine_new(NULL);
	const struct dns_params p = { .ttl = 60 * FC_SEC, .update_delay = 2 * FC_SEC,
				      .sticky_hold = 600 * FC_SEC, .resolvers = 3,
				      .sticky = 1 };
	const uint32_t origin[] = { 1 };
	struct dns *d = dns_new(e, &p, 1, origin, NULL);
	const uint32_t *rr;
	bool cached;

	g_assert_cmpuint(at(e, d, 0, 1, &cached), ==, 1);
	g_assert_false(cached);
	g_assert_cmpuint(at(e, d, 0, 0, &cached), ==, 1); /* the sticky one */
	engine_run_until(e, 5 * FC_SEC);
	dns_add(d, 0, 2);
	dns_add(d, 0, 2); /* idempotent */
	engine_run_until(e, 6 * FC_SEC);
	g_assert_cmpuint(dns_records(d, 0, &rr), ==, 1);
	engine_run_until(e, 7 * FC_SEC);
	g_assert_cmpuint(dns_records(d, 0, &rr), ==, 2);
	g_assert_cmpuint(rr[1], ==, 2);
	/* Within the TTL: the cached answer. */
	g_assert_cmpuint(at(e, d, 30 * FC_SEC, 1, &cached), ==, 1);
	g_assert_true(cached);
	/* At the TTL: asked again; the authority answers [1, 2]. */
	g_assert_cmpuint(at(e, d, 60 * FC_SEC, 1, &cached), ==, 1);
	g_assert_false(cached);
	/* The resolver rotates its copy: the next client gets 2. */
	g_assert_cmpuint(at(e, d, 61 * FC_SEC, 1, &cached), ==, 2);
	g_assert_true(cached);
	/* Another resolver: the authority rotated, [2, 1]. */
	g_assert_cmpuint(at(e, d, 61 * FC_SEC, 2, &cached), ==, 2);
	g_assert_false(cached);
	/* The sticky resolver still has the origin alone. */
	g_assert_cmpuint(at(e, d, 100 * FC_SEC, 0, &cached), ==, 1);
	g_assert_true(cached);
	g_assert_cmpuint(at(e, d, 101 * FC_SEC, 0, &cached), ==, 1);
	/* The rescuer leaves at 200 s, in effect at 202 s. */
	engine_run_until(e, 200 * FC_SEC);
	dns_remove(d, 0, 2);
	g_assert_cmpuint(at(e, d, 201 * FC_SEC, 2, &cached), ==, 1);
	g_assert_false(cached); /* expired at 121 s; the update is not in effect */
	/* At 202 s the removal is in effect (an update at the same instant
	 * runs first: it was scheduled earlier). */
	g_assert_cmpuint(at(e, d, 202 * FC_SEC, 1, &cached), ==, 1);
	g_assert_false(cached); /* expired at 120 s */
	engine_run_until(e, 203 * FC_SEC);
	g_assert_cmpuint(dns_records(d, 0, &rr), ==, 1);
	g_assert_cmpuint(at(e, d, 263 * FC_SEC, 1, &cached), ==, 1);
	g_assert_cmpuint(at(e, d, 263 * FC_SEC, 1, &cached), ==, 1);
	/* The sticky resolver lets go after 600 s. */
	g_assert_cmpuint(at(e, d, 600 * FC_SEC, 0, &cached), ==, 1);
	g_assert_false(cached);
	g_assert_cmpuint(dns_authority_queries(d), ==, 8);
	dns_free(d);
	engine_free(e);
}

/* Pending updates are freed with the model (LeakSanitizer watches). */
static void
test_free_pending(void)
{
	struct engine *e = engine_new(NULL);
	const struct dns_params p = { .ttl = FC_SEC, .update_delay = FC_HOUR,
				      .resolvers = 1 };
	const uint32_t origin[] = { 1, 2 };
	struct dns *d = dns_new(e, &p, 2, origin, NULL);

	dns_add(d, 1, 3);
	dns_free(d);
	engine_free(e);
}

/*
 * The authority down in [100 s, 150 s): a resolver holding an answer
 * (asked at 90 s, TTL 60 s) keeps using it; one without gets none and
 * caches nothing, so it asks again and gets an answer at 150 s; an update
 * sent at 120 s (delay 2 s) takes effect at 150 s, when the authority is
 * back.
 */
static void
test_outage(void)
{
	struct engine *e = engine_new(NULL);
	const struct dns_params p = { .ttl = 60 * FC_SEC, .update_delay = 2 * FC_SEC,
				      .sticky_hold = 60 * FC_SEC, .resolvers = 2 };
	const uint32_t origin[] = { 1 };
	struct dns *d = dns_new(e, &p, 1, origin, NULL);
	const uint32_t *rr;
	bool cached;

	dns_set_down(d, 100 * FC_SEC, 150 * FC_SEC);
	g_assert_cmpuint(at(e, d, 90 * FC_SEC, 0, &cached), ==, 1);
	g_assert_cmpuint(at(e, d, 100 * FC_SEC, 1, &cached), ==, 0);
	g_assert_false(cached);
	g_assert_cmpuint(at(e, d, 110 * FC_SEC, 0, &cached), ==, 1);
	g_assert_true(cached);
	engine_run_until(e, 120 * FC_SEC);
	dns_add(d, 0, 2);
	g_assert_cmpuint(at(e, d, 149 * FC_SEC, 1, &cached), ==, 0);
	g_assert_cmpuint(dns_records(d, 0, &rr), ==, 1);
	g_assert_cmpuint(at(e, d, 150 * FC_SEC, 0, &cached), ==, 1); /* expired at 150 s */
	g_assert_false(cached);
	g_assert_cmpuint(dns_records(d, 0, &rr), ==, 2);
	g_assert_cmpuint(at(e, d, 150 * FC_SEC, 1, &cached), !=, 0);
	g_assert_cmpuint(dns_failed_queries(d), ==, 2);
	dns_free(d);
	engine_free(e);
}

/*
 * The whole answer, as a client gets it: [1, 2, 3] from the authority,
 * then, from the resolver's copy, [2, 3, 1] and [3, 1, 2] (the first of
 * each as dns_resolve() with room for one gives); another resolver asks
 * the authority, which has rotated: [2, 3, 1].  With room for two, the
 * first two.  A site without records: nothing.
 */
static void
test_answer(void)
{
	struct engine *e = engine_new(NULL);
	const struct dns_params p = { .ttl = 60 * FC_SEC, .update_delay = FC_SEC,
				      .resolvers = 2 };
	const uint32_t origin[] = { 1 };
	const uint32_t want[][3] = { { 1, 2, 3 }, { 2, 3, 1 }, { 3, 1, 2 }, { 1, 2, 3 } };
	struct dns *d = dns_new(e, &p, 1, origin, NULL);
	uint32_t a[4];
	bool cached;

	dns_add_now(d, 0, 2);
	dns_add_now(d, 0, 3);
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
		g_assert_cmpuint(dns_resolve(d, 0, 0, a, G_N_ELEMENTS(a), &cached), ==, 3);
		g_assert_true(cached == (i > 0));
		g_assert_cmpmem(a, 3 * sizeof *a, want[i], sizeof want[i]);
	}
	g_assert_cmpuint(dns_resolve(d, 0, 0, a, 1, &cached), ==, 1);
	g_assert_cmpuint(a[0], ==, 2);
	g_assert_cmpuint(dns_resolve(d, 1, 0, a, G_N_ELEMENTS(a), &cached), ==, 3);
	g_assert_false(cached);
	g_assert_cmpmem(a, 3 * sizeof *a, want[1], sizeof want[1]);
	g_assert_cmpuint(dns_resolve(d, 1, 0, a, 2, &cached), ==, 2);
	g_assert_cmpuint(a[0], ==, 3);
	g_assert_cmpuint(a[1], ==, 1);

	/* Every record removed; the answers expire at 60 s. */
	dns_remove(d, 0, 1);
	dns_remove(d, 0, 2);
	dns_remove(d, 0, 3);
	engine_run_until(e, 60 * FC_SEC);
	g_assert_cmpuint(dns_resolve(d, 0, 0, a, G_N_ELEMENTS(a), &cached), ==, 0);
	dns_free(d);
	engine_free(e);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/dns/timeline", test_timeline);
	g_test_add_func("/dns/free-pending", test_free_pending);
	g_test_add_func("/dns/outage", test_outage);
	g_test_add_func("/dns/answer", test_answer);
	return g_test_run();
}
