/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The value syntax (sim/value.h): canonical texts read back to their value,
 * equal values written differently format the same, and a bad value gets a
 * reason that helps.
 */
#include <glib.h>
#include <string.h>

#include "flashcoop/quantity.h"
#include "sim/value.h"
#include "tests/testutil.h"

static void
test_canonical(void)
{
	static const struct {
		gboolean (*parse)(const char *, uint64_t *, char **);
		char *(*format)(uint64_t);
		const char *text, *canon;
	} cases[] = {
		{ value_parse_duration, value_format_duration, "60s", "1min" },
		{ value_parse_duration, value_format_duration, "0ms", "0s" },
		{ value_parse_duration, value_format_duration, "1.5 s", "1500ms" },
		{ value_parse_size, value_format_size, "1024000B", "1000KiB" },
		{ value_parse_size, value_format_size, "0KiB", "0B" },
		{ value_parse_size, value_format_size, "1.5MB", "1500kB" },
		{ value_parse_rate, value_format_rate, "1MB/s", "8Mbit/s" },
		{ value_parse_rate, value_format_rate, "0B/s", "0bit/s" },
		{ value_parse_count, value_format_count, " 42 ", "42" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		uint64_t v = 0, back = 0;
		g_autofree char *why = NULL, *canon = NULL;

		g_assert_true(cases[i].parse(cases[i].text, &v, &why));
		canon = cases[i].format(v);
		g_assert_cmpstr(canon, ==, cases[i].canon);
		g_assert_true(cases[i].parse(canon, &back, &why));
		g_assert_cmpuint(back, ==, v);
	}
}

static void
test_reals(void)
{
	double d = 0;
	bool b = false;
	g_autofree char *why = NULL, *t1 = NULL, *t2 = NULL;

	g_assert_true(value_parse_ratio("30%", &d, &why));
	g_assert_cmpfloat(d, ==, 0.3);
	g_assert_true(value_parse_real("1e-3", &d, &why));
	t1 = value_format_real(d);
	g_assert_cmpstr(t1, ==, "0.001");
	t2 = value_format_real(-0.0);
	g_assert_cmpstr(t2, ==, "0");
	g_assert_false(value_parse_real("inf", &d, &why));
	g_clear_pointer(&why, g_free);
	g_assert_true(value_parse_bool(" 1", &b, &why));
	g_assert_true(b);
}

static void
test_reasons(void)
{
	static const struct fc_enum_name names[] = {
		{ "round_robin", 0 }, { "spare", 1 }, { NULL, 0 },
	};
	uint64_t u;
	size_t i;
	char *why = NULL;

	g_assert_false(value_parse_duration("30 sec", &u, &why));
	g_assert_nonnull(strstr(why, "did you mean 's'?"));
	g_clear_pointer(&why, g_free);
	g_assert_false(value_parse_size("64", &u, &why));
	g_assert_nonnull(strstr(why, "the unit is missing (B, kB, MB"));
	g_clear_pointer(&why, g_free);
	g_assert_false(value_parse_duration("1.5ns", &u, &why));
	g_assert_nonnull(strstr(why, "not a whole number of nanoseconds"));
	g_clear_pointer(&why, g_free);
	g_assert_false(value_parse_choice("spaer", names, &i, &why));
	g_assert_cmpstr(why, ==, "expected one of round_robin, spare, found 'spaer'; "
			"did you mean 'spare'?");
	g_clear_pointer(&why, g_free);
	g_assert_true(value_parse_choice(" spare ", names, &i, &why));
	g_assert_cmpuint(i, ==, 1);
}

/*
 * The network spellings of rates are bits; a suggestion for an unknown rate
 * unit never crosses between bits and bytes, and none is made when the
 * unit could be either.
 */
static void
test_rate_aliases(void)
{
	static const struct {
		const char *text;
		uint64_t bps;
	} ok[] = {
		{ "100Mbps", 100000000 }, { "64 kbps", 64000 }, { "64Kbps", 64000 },
		{ "1Gbps", 1000000000 }, { "1500bps", 1500 }, { "1.5Mbps", 1500000 },
	};
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "100Mbsp", "did you mean 'Mbps'?" },
		{ "100mbit", "did you mean 'Mbit/s'?" },
		{ "100MB/sec", "did you mean 'MB/s'?" },
		{ "100MBps", "write bit/s for bits, B/s for bytes)" },
		{ "100M", "write bit/s for bits, B/s for bytes)" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
		uint64_t u = 0;
		char *why = NULL;

		g_assert_true(value_parse_rate(ok[i].text, &u, &why));
		g_assert_cmpuint(u, ==, ok[i].bps);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		uint64_t u;
		g_autofree char *why = NULL;

		g_assert_false(value_parse_rate(bad[i].text, &u, &why));
		if (!strstr(why, bad[i].why))
			g_error("%s: %s", bad[i].text, why);
		if (g_str_has_suffix(bad[i].why, "bytes)"))
			g_assert_null(strstr(why, "did you mean"));
	}
}

static void
test_core_format(void)
{
	char buf[32];

	g_assert_cmpstr(fc_size_format(65536, buf, sizeof buf), ==, "64KiB");
	g_assert_cmpstr(fc_size_format(2000000, buf, sizeof buf), ==, "2MB");
	g_assert_cmpstr(fc_rate_format(100000000, buf, sizeof buf), ==, "100Mbit/s");
	g_assert_cmpstr(fc_rate_format(12, buf, sizeof buf), ==, "12bit/s");
	g_assert_cmpstr(fc_size_format(G_MAXUINT64, buf, sizeof buf), ==,
			"18446744073709551615B");
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/value/canonical", test_canonical);
	g_test_add_func("/value/reals", test_reals);
	g_test_add_func("/value/reasons", test_reasons);
	g_test_add_func("/value/rate-aliases", test_rate_aliases);
	g_test_add_func("/value/core-format", test_core_format);
	return g_test_run();
}
