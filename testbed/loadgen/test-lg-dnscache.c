/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clients' DNS cache: TTL expiry, several addresses, rotation and
 * the order in which a client tries them. */
#include <arpa/inet.h>

#include <glib.h>

#include "testbed/loadgen/dnscache.h"
#include "tests/testutil.h"

static uint32_t
ip(const char *s)
{
	struct in_addr a;

	g_assert_cmpint(inet_pton(AF_INET, s, &a), ==, 1);
	return a.s_addr;
}

static void
test_ttl(void)
{
	g_autoptr(lg_dnscache) c = lg_dnscache_new(TRUE);
	const uint32_t one = ip("10.77.1.2"), two = ip("10.77.2.2");
	struct lg_addrs a;

	g_assert_false(lg_dnscache_get(c, "site0.flash.test", 0, &a));
	lg_dnscache_put(c, "site0.flash.test", &one, 1, 30, 5 * FC_SEC);
	/* Within the TTL: the answer, for every client. */
	g_assert_true(lg_dnscache_get(c, "site0.flash.test", 5 * FC_SEC, &a));
	g_assert_cmpuint(a.n, ==, 1);
	g_assert_cmpuint(a.a[0], ==, one);
	g_assert_true(lg_dnscache_get(c, "site0.flash.test", 35 * FC_SEC - 1, &a));
	g_assert_false(lg_dnscache_get(c, "site1.flash.test", 6 * FC_SEC, &a));
	/* At the TTL: gone, asked again; the new answer replaces it. */
	g_assert_false(lg_dnscache_get(c, "site0.flash.test", 35 * FC_SEC, &a));
	g_assert_false(lg_dnscache_get(c, "site0.flash.test", 34 * FC_SEC, &a));
	lg_dnscache_put(c, "site0.flash.test", &two, 1, 1, 35 * FC_SEC);
	g_assert_true(lg_dnscache_get(c, "site0.flash.test", 35 * FC_SEC, &a));
	g_assert_cmpuint(a.a[0], ==, two);
	/* A TTL of 0 is not cached, and drops what was. */
	lg_dnscache_put(c, "site0.flash.test", &one, 1, 0, 35 * FC_SEC);
	g_assert_false(lg_dnscache_get(c, "site0.flash.test", 35 * FC_SEC, &a));
}

static void
test_prune(void)
{
	g_autoptr(lg_dnscache) c = lg_dnscache_new(FALSE);
	const uint32_t one = ip("10.77.1.2");

	lg_dnscache_put(c, "a", &one, 1, 10, 0);
	lg_dnscache_put(c, "b", &one, 1, 20, 0);
	lg_dnscache_put(c, "c", &one, 1, 30, 0);
	g_assert_cmpuint(lg_dnscache_prune(c, 0), ==, 3);
	g_assert_cmpuint(lg_dnscache_prune(c, 10 * FC_SEC), ==, 2);
	g_assert_cmpuint(lg_dnscache_prune(c, 30 * FC_SEC), ==, 0);
}

/* Several addresses: the cache rotates them, one step per client, as the
 * simulator's resolvers do; a client tries its answer in order. */
static void
test_rotation_and_fallback(void)
{
	g_autoptr(lg_dnscache) c = lg_dnscache_new(TRUE);
	g_autoptr(lg_dnscache) fixed = lg_dnscache_new(FALSE);
	const uint32_t three[] = { ip("10.77.1.2"), ip("10.77.2.2"), ip("10.77.3.2") };
	struct lg_addrs a;
	uint32_t x;

	lg_dnscache_put(c, "site0.flash.test", three, 3, 60, 0);
	lg_dnscache_put(fixed, "site0.flash.test", three, 3, 60, 0);
	for (guint client = 0; client < 7; client++) {
		g_assert_true(lg_dnscache_get(c, "site0.flash.test", FC_SEC, &a));
		g_assert_cmpuint(a.n, ==, 3);
		/* Client k tries k, k+1, k+2 (mod 3), then gives up. */
		for (guint i = 0; i < 3; i++) {
			g_assert_true(lg_addrs_next(&a, &x));
			g_assert_cmpuint(x, ==, three[(client + i) % 3]);
		}
		g_assert_false(lg_addrs_next(&a, &x));
		g_assert_false(lg_addrs_next(&a, &x));
		/* Without rotation every client gets the authority's order. */
		g_assert_true(lg_dnscache_get(fixed, "site0.flash.test", FC_SEC, &a));
		for (guint i = 0; i < 3; i++) {
			g_assert_true(lg_addrs_next(&a, &x));
			g_assert_cmpuint(x, ==, three[i]);
		}
		g_assert_false(lg_addrs_next(&a, &x));
	}
}

/* More records than a client keeps: the first LG_ADDRS_MAX. */
static void
test_many(void)
{
	g_autoptr(lg_dnscache) c = lg_dnscache_new(FALSE);
	uint32_t many[LG_ADDRS_MAX + 4];
	struct lg_addrs a;

	for (guint i = 0; i < G_N_ELEMENTS(many); i++)
		many[i] = htonl(0x0a4d0002 + (i << 8));
	lg_dnscache_put(c, "x", many, G_N_ELEMENTS(many), 5, 0);
	g_assert_true(lg_dnscache_get(c, "x", 0, &a));
	g_assert_cmpuint(a.n, ==, LG_ADDRS_MAX);
	g_assert_cmpuint(a.a[LG_ADDRS_MAX - 1], ==, many[LG_ADDRS_MAX - 1]);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/lg-dnscache/ttl", test_ttl);
	g_test_add_func("/lg-dnscache/prune", test_prune);
	g_test_add_func("/lg-dnscache/rotation-and-fallback", test_rotation_and_fallback);
	g_test_add_func("/lg-dnscache/many", test_many);
	return g_test_run();
}
