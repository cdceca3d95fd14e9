/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Qiu-Srikant fluid model: the equilibrium by hand in both regimes,
 * and the integrated equations converging to it.
 */
#include <glib.h>

#include "models/bittorrent/fluid.h"
#include "tests/testutil.h"

/*
 * Upload-limited: lambda 1, mu 0.01, c 0.1, theta 0.001, gamma 0.05, eta 1
 * (sigma 0):
 * 1/beta = max(10, 100 - 20) = 80, beta = 0.0125; x = 1 / 0.0135,
 * y = 0.0125 / (0.05 * 0.0135), T = 1 / 0.0135.
 */
static void
test_upload_limited(void)
{
	const struct fluid_params p = { 1, 0.01, 0.1, 0.001, 0.05, 1, 0 };
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
	const struct fluid_params p = { 1, 0.01, 0.02, 0.001, 0.005, 1, 0 };
	struct fluid_state e, s;

	fluid_equilibrium(&p, &e);
	g_assert_false(e.upload_limited);
	g_assert_cmpfloat_with_epsilon(e.downloaders, 1 / 0.021, 1e-9);
	g_assert_cmpfloat_with_epsilon(e.seeds, 0.02 / (0.005 * 0.021), 1e-9);
	g_assert_true(fluid_integrate(&p, 10, 10, 20000, &s));
	g_assert_cmpfloat_with_epsilon(s.downloaders, e.downloaders, 1e-3 * e.downloaders);
	g_assert_cmpfloat_with_epsilon(s.seeds, e.seeds, 1e-3 * e.seeds);
}

/*
 * A seed that never leaves, of sigma = 0.05 files per second, beside the
 * upload-limited case above without aborts: f = lambda = 1 completions
 * per second need mu (x + y) + sigma = 1 with y = f / gamma = 20, so
 * x = (1 - 0.05) / 0.01 - 20 = 75 (the formula: (1 x 0.8 - 0.05) / 0.01);
 * with theta = 0.001, x = (0.8 - 0.05) / (0.01 + 0.0008) = 69.444...,
 * y = (1 - 0.001 x) / 0.05.  With sigma = 0.75 the uploads would need
 * only x = (0.8 - 0.75) / 0.01 = 5 downloaders, fewer than the downlinks
 * allow (lambda / c = 10): download-limited, x = 10, y = 20.
 */
static void
test_permanent_seeds(void)
{
	struct fluid_params p = { 1, 0.01, 0.1, 0, 0.05, 1, 0.05 };
	struct fluid_state e, s;

	fluid_equilibrium(&p, &e);
	g_assert_true(e.upload_limited);
	g_assert_cmpfloat_with_epsilon(e.downloaders, 75, 1e-9);
	g_assert_cmpfloat_with_epsilon(e.seeds, 20, 1e-9);
	g_assert_cmpfloat_with_epsilon(e.download_time, 75, 1e-9);
	g_assert_true(fluid_integrate(&p, 0, 0, 40000, &s));
	g_assert_cmpfloat_with_epsilon(s.downloaders, e.downloaders, 1e-3 * e.downloaders);
	g_assert_cmpfloat_with_epsilon(s.seeds, e.seeds, 1e-3 * e.seeds);

	p.theta = 0.001;
	fluid_equilibrium(&p, &e);
	g_assert_cmpfloat_with_epsilon(e.downloaders, 0.75 / 0.0108, 1e-9);
	g_assert_cmpfloat_with_epsilon(e.seeds, (1 - 0.001 * 0.75 / 0.0108) / 0.05, 1e-9);

	p.theta = 0;
	p.sigma = 0.75;
	fluid_equilibrium(&p, &e);
	g_assert_false(e.upload_limited);
	g_assert_cmpfloat_with_epsilon(e.downloaders, 10, 1e-9);
	g_assert_cmpfloat_with_epsilon(e.seeds, 20, 1e-9);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/fluid/upload-limited", test_upload_limited);
	g_test_add_func("/fluid/download-limited", test_download_limited);
	g_test_add_func("/fluid/permanent-seeds", test_permanent_seeds);
	return g_test_run();
}
