/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Redirects: Location parsing (absolute, relative, IP literal) and the
 * bound on a chain. */
#include <arpa/inet.h>
#include <string.h>

#include <glib.h>

#include "testbed/loadgen/location.h"
#include "tests/testutil.h"

static void
at(struct lg_url *u, const char *host, guint port, const char *target)
{
	g_autoptr(GError) err = NULL;

	g_assert_true(lg_url_make(u, host, port, target, &err));
	g_assert_no_error(err);
}

static void
test_statuses(void)
{
	static const long yes[] = { 301, 302, 303, 307, 308 };
	static const long no[] = { 200, 204, 300, 304, 305, 306, 309, 404, 503, 0 };

	for (gsize i = 0; i < G_N_ELEMENTS(yes); i++)
		g_assert_true(lg_redirect_status(yes[i]));
	for (gsize i = 0; i < G_N_ELEMENTS(no); i++)
		g_assert_false(lg_redirect_status(no[i]));
}

static void
test_make(void)
{
	struct lg_url u = { 0 };
	g_autoptr(GError) err = NULL;

	at(&u, "site0.flash.test", 80, "/o/1024");
	g_assert_cmpstr(u.url, ==, "http://site0.flash.test/o/1024");
	g_assert_cmpstr(u.host, ==, "site0.flash.test");
	g_assert_cmpuint(u.port, ==, 80);
	g_assert_cmpstr(u.target, ==, "/o/1024");
	g_assert_false(u.literal);
	at(&u, "10.77.3.2", 8080, "/o/1?t=x");
	g_assert_cmpstr(u.url, ==, "http://10.77.3.2:8080/o/1?t=x");
	g_assert_true(u.literal);
	g_assert_cmpuint(u.addr, ==, inet_addr("10.77.3.2"));
	g_assert_false(lg_url_make(&u, "bad host", 80, "/", &err));
	g_assert_nonnull(err);
	lg_url_clear(&u);
}

/* A Location, and where it leads from http://site0.flash.test/o/5?q=1. */
static const struct {
	const char *location, *url, *host, *target;
	guint port;
	gboolean literal;
} good[] = {
	{ "http://s3.flash.test/o/5?fc=ab12", "http://s3.flash.test/o/5?fc=ab12",
	  "s3.flash.test", "/o/5?fc=ab12", 80, FALSE },
	{ "http://S3.Flash.TEST:8080/o/5", "http://s3.flash.test:8080/o/5", "s3.flash.test",
	  "/o/5", 8080, FALSE },
	{ "http://10.77.4.2/o/5?fc=1", "http://10.77.4.2/o/5?fc=1", "10.77.4.2", "/o/5?fc=1",
	  80, TRUE },
	{ "http://10.77.4.2:81", "http://10.77.4.2:81/", "10.77.4.2", "/", 81, TRUE },
	{ "/elsewhere?x=1", "http://site0.flash.test/elsewhere?x=1", "site0.flash.test",
	  "/elsewhere?x=1", 80, FALSE },
	{ "six", "http://site0.flash.test/o/six", "site0.flash.test", "/o/six", 80, FALSE },
	{ "../up", "http://site0.flash.test/up", "site0.flash.test", "/up", 80, FALSE },
	{ "?only=query", "http://site0.flash.test/o/5?only=query", "site0.flash.test",
	  "/o/5?only=query", 80, FALSE },
	{ "//10.77.9.2/o/5", "http://10.77.9.2/o/5", "10.77.9.2", "/o/5", 80, TRUE },
	{ "http://s3.flash.test/o/5#frag", "http://s3.flash.test/o/5", "s3.flash.test",
	  "/o/5", 80, FALSE },
};

static void
test_follow(void)
{
	for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
		struct lg_url u = { 0 };
		g_autoptr(GError) err = NULL;
		guint count = 2;

		at(&u, "site0.flash.test", 80, "/o/5?q=1");
		if (!lg_redirect_follow(&u, &count, 5, good[i].location, &err))
			g_error("'%s' refused: %s", good[i].location, err->message);
		g_assert_cmpuint(count, ==, 3);
		g_assert_cmpstr(u.url, ==, good[i].url);
		g_assert_cmpstr(u.host, ==, good[i].host);
		g_assert_cmpstr(u.target, ==, good[i].target);
		g_assert_cmpuint(u.port, ==, good[i].port);
		g_assert_cmpint(u.literal, ==, good[i].literal);
		lg_url_clear(&u);
	}
}

static void
test_refused(void)
{
	static const struct {
		const char *location, *msg;
	} bad[] = {
		{ NULL, "without a Location" },
		{ "", "without a Location" },
		{ "https://s3.flash.test/o/5", "not an http URL" },
		{ "ftp://s3.flash.test/o/5", "not an http URL" },
		{ "http://[fd00::1]/o/5", "IPv6" },
		{ "http://s3.flash.test:99999/", "not a valid Location" },
		{ "http:// bad/", "not a valid Location" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct lg_url u = { 0 };
		g_autoptr(GError) err = NULL;
		guint count = 1;

		at(&u, "site0.flash.test", 80, "/o/5");
		if (lg_redirect_follow(&u, &count, 5, bad[i].location, &err))
			g_error("'%s' was followed to %s", bad[i].location, u.url);
		if (!strstr(err->message, bad[i].msg))
			g_error("'%s': message '%s' lacks '%s'", bad[i].location, err->message,
				bad[i].msg);
		/* Nothing changed. */
		g_assert_cmpuint(count, ==, 1);
		g_assert_cmpstr(u.url, ==, "http://site0.flash.test/o/5");
		lg_url_clear(&u);
	}
}

/* A loop between two servers stops after max redirects. */
static void
test_loop_bound(void)
{
	for (guint max = 0; max <= 7; max++) {
		struct lg_url u = { 0 };
		g_autoptr(GError) err = NULL;
		guint count = 0, followed = 0;

		at(&u, "a.test", 80, "/loop");
		while (lg_redirect_follow(&u, &count, max,
					  followed % 2 ? "http://a.test/loop" : "http://b.test/loop",
					  &err))
			followed++;
		g_assert_cmpuint(followed, ==, max);
		g_assert_cmpuint(count, ==, max);
		g_assert_nonnull(strstr(err->message, "more than"));
		g_assert_cmpstr(u.host, ==, max % 2 ? "b.test" : "a.test");
		lg_url_clear(&u);
	}
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/lg-location/statuses", test_statuses);
	g_test_add_func("/lg-location/make", test_make);
	g_test_add_func("/lg-location/follow", test_follow);
	g_test_add_func("/lg-location/refused", test_refused);
	g_test_add_func("/lg-location/loop-bound", test_loop_bound);
	return g_test_run();
}
