/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "tests/testutil.h"

#include <math.h>

#include <glib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_statistics_double.h>

void
testutil_init(int *argc, char ***argv)
{
	g_test_init(argc, argv, NULL);
	gsl_set_error_handler_off();
}

void
testutil_assert_in_interval(const char *what, const double *x, size_t n, double theory)
{
	double mean, half;

	g_assert_cmpuint(n, >=, 2);
	mean = gsl_stats_mean(x, 1, n);
	half = gsl_cdf_tdist_Pinv(0.999, (double)(n - 1)) *
	       gsl_stats_sd_m(x, 1, n, mean) / sqrt((double)n);
	if (g_test_verbose())
		g_printerr("  %-16s sim %.5g +- %.3g, theory %.5g\n", what, mean, half, theory);
	if (!(fabs(mean - theory) <= half))
		g_error("%s: theory %.6g outside the 99.8%% interval %.6g +- %.3g", what,
			theory, mean, half);
}
