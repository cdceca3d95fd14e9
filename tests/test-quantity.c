/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>

#include "flashcoop/quantity.h"
#include "tests/testutil.h"

static void
test_size(void)
{
	static const struct {
		const char *text;
		guint64 bytes;
	} good[] = {
		{ "0B", 0 },          { "64KiB", 65536 },
		{ "1.5MB", 1500000 }, { "1.5 MiB", 1572864 },
		{ "4GiB", G_GUINT64_CONSTANT(4294967296) },
		{ "133kB", 133000 },  { "0.5KiB", 512 },
		{ "2TB", G_GUINT64_CONSTANT(2000000000000) },
		{ "18446744073709551615B", G_MAXUINT64 },
	};
	static const char *const bad[] = {
		"", "64", "64 KB", "64kib", "0.1B", "1.0001kB", "-1B", "64KiB ",
		"18446744073709551616B", "16777216TiB", "B", "1e3B",
	};
	guint64 v;

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		g_assert_true(fc_size_parse(good[i].text, &v));
		g_assert_cmpuint(v, ==, good[i].bytes);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		v = 7;
		if (fc_size_parse(bad[i], &v))
			g_error("'%s' was accepted as %" G_GUINT64_FORMAT, bad[i], v);
		g_assert_cmpuint(v, ==, 7);
	}
}

static void
test_rate(void)
{
	static const struct {
		const char *text;
		guint64 bps;
	} good[] = {
		{ "100Mbit/s", 100000000 }, { "1.5 Gbit/s", 1500000000 },
		{ "56kbit/s", 56000 },      { "1B/s", 8 },
		{ "12.5MB/s", 100000000 },  { "0.001kbit/s", 1 },
	};
	static const char *const bad[] = {
		"100", "100Mbps", "100 mbit/s", "0.0001kbit/s", "1Mbit", "bit/s",
	};
	guint64 v;

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		g_assert_true(fc_rate_parse(good[i].text, &v));
		g_assert_cmpuint(v, ==, good[i].bps);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		g_assert_false(fc_rate_parse(bad[i], &v));
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/quantity/size", test_size);
	g_test_add_func("/quantity/rate", test_rate);
	return g_test_run();
}
