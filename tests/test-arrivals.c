/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Client arrivals: the rate functions and their integrals against hand
 * computation, the counts drawn against the integrals, and the trace
 * reader on small fixtures and (when ../shared/data is there) on the real
 * WC98 and NASA traces.
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "models/web/arrivals.h"
#include "sim/rng.h"
#include "tests/testutil.h"

static const struct arrivals_profile linear = {
	.baseline = 2, .shock = 10, .start = 100 * FC_SEC, .ramp_up = 100 * FC_SEC,
	.sustained = 200 * FC_SEC, .ramp_down = 100 * FC_SEC, .ramp = ARRIVALS_LINEAR,
};

static void
test_profile_rates(void)
{
	struct arrivals_profile p = linear;
	struct arrivals *a = arrivals_new_profile(&p);

	g_assert_cmpfloat(arrivals_rate(a, 0), ==, 2);
	g_assert_cmpfloat(arrivals_rate(a, 99 * FC_SEC), ==, 2);
	g_assert_cmpfloat_with_epsilon(arrivals_rate(a, 150 * FC_SEC), 11, 1e-9);
	g_assert_cmpfloat(arrivals_rate(a, 300 * FC_SEC), ==, 20);
	g_assert_cmpfloat_with_epsilon(arrivals_rate(a, 450 * FC_SEC), 11, 1e-9);
	g_assert_cmpfloat(arrivals_rate(a, 1000 * FC_SEC), ==, 2);
	/* 200 + 1100 + 4000 + 1100 + 200 */
	g_assert_cmpfloat_with_epsilon(arrivals_expected(a, 0, 600 * FC_SEC), 6600, 1e-6);
	arrivals_free(a);

	p.ramp = ARRIVALS_EXPONENTIAL;
	a = arrivals_new_profile(&p);
	g_assert_cmpfloat_with_epsilon(arrivals_rate(a, 150 * FC_SEC), 2 * sqrt(10), 1e-9);
	/* Each ramp: the integral of 2 e^{ks}, k = ln 10 / 100 s, is 18 / k. */
	g_assert_cmpfloat_with_epsilon(arrivals_expected(a, 100 * FC_SEC, 200 * FC_SEC),
				       1800 / log(10), 1e-6);
	g_assert_cmpfloat_with_epsilon(arrivals_expected(a, 0, 600 * FC_SEC),
				       400 + 4000 + 3600 / log(10), 1e-6);
	arrivals_free(a);
}

/* Counts drawn in windows against the expected numbers. */
static void
check_counts(struct arrivals *a, fc_time_t end, fc_time_t window, guint64 seed)
{
	struct rng_stream s;
	fc_time_t t = 0;
	GArray *times = g_array_new(FALSE, FALSE, sizeof(fc_time_t));
	double chi2 = 0;
	int windows = 0;

	rng_stream_init(&s, seed, 0, "arrivals", 0);
	while ((t = arrivals_next(a, &s, t)) < end)
		g_array_append_val(times, t);
	for (fc_time_t w0 = 0; w0 < end; w0 += window) {
		double e = arrivals_expected(a, w0, w0 + window);
		guint got = 0;

		for (guint i = 0; i < times->len; i++) {
			fc_time_t x = g_array_index(times, fc_time_t, i);

			got += x >= w0 && x < w0 + window;
		}
		if (e > 0) {
			chi2 += (got - e) * (got - e) / e;
			windows++;
		} else {
			g_assert_cmpuint(got, ==, 0);
		}
	}
	/* Chi-square with `windows` degrees of freedom: mean windows, sd
	 * sqrt(2 windows); 5 sd is far beyond chance. */
	if (chi2 > windows + 5 * sqrt(2.0 * windows))
		g_error("chi-square %.1f over %d windows", chi2, windows);
	for (guint i = 1; i < times->len; i++)
		g_assert_cmpuint(g_array_index(times, fc_time_t, i), >,
				 g_array_index(times, fc_time_t, i - 1));
	g_array_unref(times);
}

static void
test_profile_counts(void)
{
	struct arrivals_profile p = linear;
	struct arrivals *a;

	p.baseline = 5;
	p.shock = 1000;
	a = arrivals_new_profile(&p);
	check_counts(a, 700 * FC_SEC, 20 * FC_SEC, 1);
	arrivals_free(a);
	p.ramp = ARRIVALS_EXPONENTIAL;
	a = arrivals_new_profile(&p);
	check_counts(a, 700 * FC_SEC, 20 * FC_SEC, 2);
	arrivals_free(a);
}

static void
test_trace(void)
{
	static const double counts[] = { 60, 120, 0, 30 };
	struct arrivals *a = arrivals_new_trace(counts, 4, FC_MIN, 1, 1);
	struct rng_stream s;

	g_assert_cmpfloat(arrivals_rate(a, 30 * FC_SEC), ==, 1);
	g_assert_cmpfloat(arrivals_rate(a, 90 * FC_SEC), ==, 2);
	g_assert_cmpfloat(arrivals_rate(a, 150 * FC_SEC), ==, 0);
	g_assert_cmpfloat(arrivals_rate(a, 210 * FC_SEC), ==, 0.5);
	g_assert_cmpfloat(arrivals_rate(a, 300 * FC_SEC), ==, 0);
	g_assert_cmpfloat_with_epsilon(arrivals_expected(a, 0, FC_HOUR), 210, 1e-9);
	rng_stream_init(&s, 3, 0, "arrivals", 0);
	g_assert_cmpuint(arrivals_next(a, &s, 240 * FC_SEC), ==, FC_TIME_NEVER);
	arrivals_free(a);
	/* Twice as slow: half the rate, the same clients. */
	a = arrivals_new_trace(counts, 4, FC_MIN, 2, 1);
	g_assert_cmpfloat(arrivals_rate(a, 30 * FC_SEC), ==, 0.5);
	g_assert_cmpfloat_with_epsilon(arrivals_expected(a, 0, FC_HOUR), 210, 1e-9);
	arrivals_free(a);
	a = arrivals_new_trace(counts, 4, FC_MIN, 1, 10);
	g_assert_cmpfloat_with_epsilon(arrivals_expected(a, 0, FC_HOUR), 2100, 1e-9);
	check_counts(a, 300 * FC_SEC, 30 * FC_SEC, 4);
	arrivals_free(a);
}

static void
test_read_trace(void)
{
	g_autoptr(GError) err = NULL;
	size_t n = 0;
	g_autofree double *c = arrivals_read_trace("tests/data/trace-per-minute.csv", &n, &err);
	g_autofree double *d = NULL;
	g_autofree double *bad = NULL;

	g_assert_no_error(err);
	g_assert_cmpuint(n, ==, 4);
	g_assert_cmpfloat(c[1], ==, 120);
	d = arrivals_read_trace("tests/data/trace-per-second.txt", &n, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(n, ==, 4);
	g_assert_cmpfloat(d[2], ==, 5);
	bad = arrivals_read_trace("tests/data/trace-bad.csv", &n, &err);
	g_assert_null(bad);
	g_assert_nonnull(strstr(err->message, "trace-bad.csv:3: expected a count"));
	g_clear_error(&err);
	g_assert_null(arrivals_read_trace("tests/data/nowhere.csv", &n, &err));
	g_assert_nonnull(err);
}

/* The real traces, when the shared data is beside the project. */
static void
test_real_traces(void)
{
	const char *wc = "../shared/data/traces/wc98_semifinals_per_minute.csv";
	const char *nasa = "../shared/data/traces/nasa_1995-07-13_per_second.txt";
	g_autoptr(GError) err = NULL;
	g_autofree double *c = NULL, *d = NULL;
	size_t n, peak = 0;
	double sum = 0;

	if (!g_file_test(wc, G_FILE_TEST_EXISTS) || !g_file_test(nasa, G_FILE_TEST_EXISTS)) {
		g_test_skip("../shared/data/traces is not here");
		return;
	}
	c = arrivals_read_trace(wc, &n, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(n, ==, 2160); /* two days of minutes */
	for (size_t i = 0; i < n; i++)
		if (c[i] > c[peak])
			peak = i;
	/* The README: the peak is 229,426/min at 07-07 21:41 (the file
	 * starts at 07-07 12:00). */
	g_assert_cmpfloat(c[peak], ==, 229426);
	g_assert_cmpuint(peak, ==, 9 * 60 + 41);
	d = arrivals_read_trace(nasa, &n, &err);
	g_assert_no_error(err);
	g_assert_cmpuint(n, ==, 86400);
	for (size_t i = 0; i < n; i++)
		sum += d[i];
	/* "about 134k requests" on launch day */
	g_assert_cmpfloat(sum, >, 125000);
	g_assert_cmpfloat(sum, <, 145000);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/arrivals/profile-rates", test_profile_rates);
	g_test_add_func("/arrivals/profile-counts", test_profile_counts);
	g_test_add_func("/arrivals/trace", test_trace);
	g_test_add_func("/arrivals/read-trace", test_read_trace);
	g_test_add_func("/arrivals/real-traces", test_real_traces);
	return g_test_run();
}
