/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Qiu-Srikant fluid model: the equilibrium by hand in both regimes,
 * and the integrated equations converging to it.
 */
#include <glib.h>

#include "models/bittorrent/fluid.h"
#include "tests/testutil.h"

/*
 * Upload-limited: lambda 1, mu 0.01, c 0.1, theta 0.001, gamma 0.05, eta 1:
 * 1/beta = max(10, 100 - 20) = 80, beta = 0.0125; x = 1 / 0.0135,
 * y = 0.0125 / (0.05 * 0.0135), T = 1 / 0.0135.
 */
static void
test_upload_limited(void)
{
	const struct fluid_params p = { 1, 0.01, 0.1, 0.001, 0.05, 1 };
	struct fluid_state e, s;

	fluid_equilibrium(&p, &e);
	g_assert_true(e.upload_limited);
	g_assert_cmpfloat_with_epsilon(e.downloaders, 1 / 0.0135, 1e-9);
	g_assert_cmpfloat_with_epsilon(e.seeds, 0.0125 / (0.05 * 0.0135), 1e-9);
	g_assert_cmpfloat_with_epsilon(e.download_time, 1 / 0.0135, 1e-9);
	g_assert_true(fluid_integrate(&p, 0, 0, 20000, &s));
	g_assert_cmpfloat_with_epsilon(s.downloaders, e.downloaders, 1e-3 * e.downloaders);
	g_assert_cmpfloat_with_epsilon(s.seeds, e.seeds, 1e-3 * e.seeds);
}

/*
 * Download-limited: seeds stay long (gamma 0.005 < mu 0.01), so uploads
 * never bind: beta = c = 0.02, x = 1 / 0.021, y = 0.02 / (0.005 * 0.021).
 */
static void
test_download_limited(void)
{
	const struct fluid_params p = { 1, 0.01, 0.02, 0.001, 0.005, 1 };
	struct fluid_state e, s;

	fluid_equilibrium(&p, &e);
	g_assert_false(e.upload_limited);
	g_assert_cmpfloat_with_epsilon(e.downloaders, 1 / 0.021, 1e-9);
	g_assert_cmpfloat_with_epsilon(e.seeds, 0.02 / (0.005 * 0.021), 1e-9);
	g_assert_true(fluid_integrate(&p, 10, 10, 20000, &s));
	g_assert_cmpfloat_with_epsilon(s.downloaders, e.downloaders, 1e-3 * e.downloaders);
	g_assert_cmpfloat_with_epsilon(s.seeds, e.seeds, 1e-3 * e.seeds);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/fluid/upload-limited", test_upload_limited);
	g_test_add_func("/fluid/download-limited", test_download_limited);
	return g_test_run();
}
