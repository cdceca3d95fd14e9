/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <math.h>

#include "flashcoop/time.h"
#include "tests/testutil.h"

static void
test_units(void)
{
	g_assert_cmpuint(FC_SEC, ==, 1000 * FC_MSEC);
	g_assert_cmpuint(FC_MSEC, ==, 1000 * FC_USEC);
	g_assert_cmpuint(FC_USEC, ==, 1000 * FC_NSEC);
	g_assert_cmpuint(FC_HOUR, ==, G_GUINT64_CONSTANT(3600000000000));
	g_assert_cmpuint(FC_DAY, ==, 24 * FC_HOUR);
}

static void
test_add_saturates(void)
{
	g_assert_cmpuint(fc_time_add(5, 7), ==, 12);
	g_assert_cmpuint(fc_time_add(FC_TIME_NEVER - 1, 1), ==, FC_TIME_NEVER);
	g_assert_cmpuint(fc_time_add(FC_TIME_NEVER - 1, 2), ==, FC_TIME_NEVER);
	g_assert_cmpuint(fc_time_add(10, FC_TIME_NEVER), ==, FC_TIME_NEVER);
	g_assert_cmpuint(fc_time_add(0, 0), ==, 0);
}

static void
test_seconds(void)
{
	g_assert_cmpuint(fc_time_from_sec(1.5), ==, 1500 * FC_MSEC);
	g_assert_cmpuint(fc_time_from_sec(0.4e-9), ==, 0);
	g_assert_cmpuint(fc_time_from_sec(0.5e-9), ==, 1);   /* halves go up */
	g_assert_cmpuint(fc_time_from_sec(2.6e-9), ==, 3);
	g_assert_cmpuint(fc_time_from_sec(-1), ==, 0);
	g_assert_cmpuint(fc_time_from_sec(NAN), ==, 0);
	g_assert_cmpuint(fc_time_from_sec(-INFINITY), ==, 0);
	g_assert_cmpuint(fc_time_from_sec(INFINITY), ==, FC_TIME_NEVER);
	g_assert_cmpuint(fc_time_from_sec(1e12), ==, FC_TIME_NEVER); /* 31700 years */
	g_assert_cmpuint(fc_time_from_sec(3600), ==, FC_HOUR);
	g_assert_cmpfloat(fc_time_to_sec(1500 * FC_MSEC), ==, 1.5);
	g_assert_cmpfloat(fc_time_to_sec(0), ==, 0);
	/* Whole milliseconds survive the round trip. */
	for (fc_time_t t = 0; t < 10 * FC_SEC; t += 7 * FC_MSEC)
		g_assert_cmpuint(fc_time_from_sec(fc_time_to_sec(t)), ==, t);
}

static void
test_format(void)
{
	static const struct {
		fc_time_t t;
		const char *text;
	} cases[] = {
		{ 0, "0ns" },
		{ 17, "17ns" },
		{ 1500 * FC_MSEC, "1500ms" },
		{ 30 * FC_SEC, "30s" },
		{ 90 * FC_SEC, "90s" },
		{ 2 * FC_HOUR, "2h" },
		{ 3 * FC_DAY, "3d" },
		{ 5 * FC_MIN, "5min" },
		{ 2 * FC_USEC, "2us" },
		{ FC_TIME_NEVER, "never" },
		{ FC_TIME_NEVER - 1, "18446744073709551614ns" },
	};
	char buf[24];

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
		g_assert_cmpstr(fc_time_format(cases[i].t, buf, sizeof buf), ==,
				cases[i].text);
	/* Truncation stays NUL-terminated. */
	g_assert_cmpstr(fc_time_format(30 * FC_SEC, buf, 2), ==, "3");
}

static void
test_parse(void)
{
	static const struct {
		const char *text;
		fc_time_t t;
	} good[] = {
		{ "0s", 0 },
		{ "30s", 30 * FC_SEC },
		{ "1.5ms", 1500 * FC_USEC },
		{ "2 h", 2 * FC_HOUR },
		{ "0.000000001s", 1 },
		{ "5min", 5 * FC_MIN },
		{ "7d", 7 * FC_DAY },
		{ "17ns", 17 },
		{ "2.5us", 2500 },
		{ "18446744073709551614ns", FC_TIME_NEVER - 1 },
	};
	static const char *const bad[] = {
		"", "s", "30", "30 sec", "-1s", "1.5ns", "0.0000000001s", "1e3s",
		"18446744073709551615ns", "213504d", "30s ", "3O s", ".s",
	};
	fc_time_t t;
	char buf[24];

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		g_assert_true(fc_time_parse(good[i].text, &t));
		g_assert_cmpuint(t, ==, good[i].t);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		t = 42;
		g_assert_false(fc_time_parse(bad[i], &t));
		g_assert_cmpuint(t, ==, 42);
	}
	/* format and parse are inverses. */
	for (fc_time_t v = 1; v < FC_TIME_NEVER / 7; v = v * 7 + 3) {
		g_assert_true(fc_time_parse(fc_time_format(v, buf, sizeof buf), &t));
		g_assert_cmpuint(t, ==, v);
	}
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/time/units", test_units);
	g_test_add_func("/time/add-saturates", test_add_saturates);
	g_test_add_func("/time/seconds", test_seconds);
	g_test_add_func("/time/format", test_format);
	g_test_add_func("/time/parse", test_parse);
	return g_test_run();
}
