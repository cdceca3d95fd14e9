/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-delay's delay table (delaytab.h): longest-prefix lookup, the sum of
 * both ends' delays, and one error line naming file:line for every kind
 * of bad line, with the table left as it was.
 */
#include <glib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "testbed/net/delaytab.h"
#include "tests/testutil.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void
test_lookup(void)
{
	g_autoptr(tb_delaytab) t = tb_delaytab_new();
	g_autoptr(GError) error = NULL;
	const char *text = "# hosts\n"
			   "\n"
			   "10.77.1.0/24 20\n"
			   "  10.77.2.0/24\t2.5  \n"
			   "10.77.0.0/16 1\n"
			   "10.77.2.7/32 0.001\n"
			   "0.0.0.0/0 100\n";

	g_assert_true(tb_delaytab_parse(t, "tab", text, -1, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(tb_delaytab_size(t), ==, 5);
	g_assert_cmpuint(tb_delaytab_lookup(t, IP(10, 77, 1, 2)), ==, 20 * FC_MSEC);
	g_assert_cmpuint(tb_delaytab_lookup(t, IP(10, 77, 2, 2)), ==, 2500 * FC_USEC);
	g_assert_cmpuint(tb_delaytab_lookup(t, IP(10, 77, 2, 7)), ==, FC_USEC);
	g_assert_cmpuint(tb_delaytab_lookup(t, IP(10, 77, 200, 2)), ==, FC_MSEC);
	g_assert_cmpuint(tb_delaytab_lookup(t, IP(192, 0, 2, 1)), ==, 100 * FC_MSEC);
	g_assert_cmpuint(tb_delaytab_delay(t, IP(10, 77, 1, 2), IP(10, 77, 2, 2)), ==,
			 22500 * FC_USEC);
	g_assert_cmpuint(tb_delaytab_delay(t, IP(10, 77, 2, 2), IP(10, 77, 1, 2)), ==,
			 22500 * FC_USEC);
}

static void
test_empty(void)
{
	g_autoptr(tb_delaytab) t = tb_delaytab_new();
	g_autoptr(GError) error = NULL;

	g_assert_cmpuint(tb_delaytab_delay(t, IP(10, 77, 1, 2), IP(10, 77, 2, 2)), ==, 0);
	g_assert_true(tb_delaytab_parse(t, "tab", "# nothing\n\n", -1, &error));
	g_assert_cmpuint(tb_delaytab_size(t), ==, 0);
	/* Lines are added to what is there. */
	g_assert_true(tb_delaytab_parse(t, "a", "10.77.1.0/24 3", -1, &error));
	g_assert_true(tb_delaytab_parse(t, "b", "10.77.2.0/24 4\n", -1, &error));
	g_assert_cmpuint(tb_delaytab_delay(t, IP(10, 77, 1, 2), IP(10, 77, 2, 2)), ==,
			 7 * FC_MSEC);
}

static void
test_errors(void)
{
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
		{ "10.77.1.0/24", "tab:1: expected 'PREFIX/LEN DELAY_MS'" },
		{ "\n10.77.1.0/24 1 2", "tab:2: expected 'PREFIX/LEN DELAY_MS', found more: '2'" },
		{ "10.77.1.0 5", "tab:1: '10.77.1.0' has no /LEN" },
		{ "10.77.1/24 5", "tab:1: '10.77.1' is not an IPv4 address" },
		{ "10.77.1.300/24 5", "tab:1: '10.77.1.300' is not an IPv4 address" },
		{ "10.77.1.0/33 5", "tab:1: prefix length '33' is not a number 0..32" },
		{ "10.77.1.0/ 5", "tab:1: prefix length '' is not a number 0..32" },
		{ "10.77.1.0/-1 5", "tab:1: prefix length '-1' is not a number 0..32" },
		{ "10.77.1.0/2x 5", "tab:1: prefix length '2x' is not a number 0..32" },
		{ "10.77.1.1/24 5", "tab:1: '10.77.1.1/24' has host bits set" },
		{ "10.77.1.0/24 fast", "tab:1: delay 'fast' is not a number of milliseconds" },
		{ "10.77.1.0/24 5ms", "tab:1: delay '5ms' is not a number of milliseconds" },
		{ "10.77.1.0/24 -5", "tab:1: delay '-5' is not a number of milliseconds" },
		{ "10.77.1.0/24 nan", "tab:1: delay 'nan' is not a number of milliseconds" },
		{ "10.77.1.0/24 60001", "tab:1: delay 60001 ms is outside 0..60000 ms" },
		{ "# x\n10.77.1.0/24 5\n10.77.1.0/24 6\n",
		  "tab:3: the prefix of '10.77.1.0/24 6' is given twice" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(tb_delaytab) t = tb_delaytab_new();
		g_autoptr(GError) error = NULL;

		g_assert_true(tb_delaytab_parse(t, "base", "10.77.9.0/24 1\n", -1, &error));
		g_assert_false(tb_delaytab_parse(t, "tab", cases[i].text, -1, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		g_assert_cmpstr(error->message, ==, cases[i].message);
		/* The table is as it was. */
		g_assert_cmpuint(tb_delaytab_size(t), ==, 1);
		g_assert_cmpuint(tb_delaytab_lookup(t, IP(10, 77, 1, 2)), ==, 0);
	}
	{
		/* A prefix already in the table counts as given twice too. */
		g_autoptr(tb_delaytab) t = tb_delaytab_new();
		g_autoptr(GError) error = NULL;

		g_assert_true(tb_delaytab_parse(t, "a", "10.77.9.0/24 1\n", -1, &error));
		g_assert_false(tb_delaytab_parse(t, "b", "10.77.9.0/24 2\n", -1, &error));
		g_assert_cmpstr(error->message, ==,
				"b:1: the prefix of '10.77.9.0/24 2' is given twice");
	}
}

static void
test_load(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("delaytab-XXXXXX", &error);
	g_autofree char *path = g_build_filename(dir, "delays", NULL);
	g_autofree char *missing = g_build_filename(dir, "none", NULL);
	g_autoptr(tb_delaytab) t = NULL;
	g_autoptr(tb_delaytab) none = NULL;
	g_autoptr(tb_delaytab) bad = NULL;
	g_autofree char *want = NULL;

	g_assert_no_error(error);
	g_assert_true(g_file_set_contents(path, "10.77.1.0/24 20\n", -1, &error));
	t = tb_delaytab_load(path, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(tb_delaytab_lookup(t, IP(10, 77, 1, 9)), ==, 20 * FC_MSEC);

	none = tb_delaytab_load(missing, &error);
	g_assert_null(none);
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_clear_error(&error);

	g_assert_true(g_file_set_contents(path, "10.77.1.0/24 20\nbad\n", -1, &error));
	bad = tb_delaytab_load(path, &error);
	g_assert_null(bad);
	want = g_strdup_printf("%s:2: expected 'PREFIX/LEN DELAY_MS'", path);
	g_assert_cmpstr(error->message, ==, want);

	g_unlink(path);
	g_rmdir(dir);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/delaytab/lookup", test_lookup);
	g_test_add_func("/delaytab/empty", test_empty);
	g_test_add_func("/delaytab/errors", test_errors);
	g_test_add_func("/delaytab/load", test_load);
	return g_test_run();
}
