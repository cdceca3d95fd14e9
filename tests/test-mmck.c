/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Model validation: the simulated M/M/c/K station against its closed-form
 * stationary solution.  For each configuration, independent replications give
 * a mean and a Student-t confidence interval (99.8%, two-sided) for each
 * measure, and the theoretical value must lie inside it.  The closed form is
 * itself checked against textbook values first (M/M/1, Erlang B).
 */
#include <math.h>

#include <glib.h>

#include "models/mmck/mmck.h"
#include "tests/testutil.h"

static void
test_theory_textbook(void)
{
	struct mmck_theory th;
	/* M/M/1 with a huge room is M/M/1: L = rho / (1 - rho), W = 1 / (mu - lambda). */
	struct mmck_params p = { .servers = 1, .capacity = 2000,
				 .arrival_rate = 0.8, .service_rate = 1 };

	mmck_theory(&p, &th);
	g_assert_cmpfloat_with_epsilon(th.mean_in_system, 4.0, 1e-9);
	g_assert_cmpfloat_with_epsilon(th.mean_response_s, 5.0, 1e-9);
	g_assert_cmpfloat_with_epsilon(th.utilisation, 0.8, 1e-9);

	/* M/M/2/2 is Erlang's loss system: B(2, a) = (a^2/2) / (1 + a + a^2/2). */
	p = (struct mmck_params){ .servers = 2, .capacity = 2,
				  .arrival_rate = 1.5, .service_rate = 1 };
	mmck_theory(&p, &th);
	g_assert_cmpfloat_with_epsilon(th.loss_ratio, 1.125 / 3.625, 1e-12);

	/* M/M/1/K at rho = 1: uniform over 0..K, so L = K/2 and loss 1/(K+1). */
	p = (struct mmck_params){ .servers = 1, .capacity = 9,
				  .arrival_rate = 2, .service_rate = 2 };
	mmck_theory(&p, &th);
	g_assert_cmpfloat_with_epsilon(th.mean_in_system, 4.5, 1e-12);
	g_assert_cmpfloat_with_epsilon(th.loss_ratio, 0.1, 1e-12);

	/* Overload with a long queue must not overflow. */
	p = (struct mmck_params){ .servers = 1, .capacity = 100000,
				  .arrival_rate = 2, .service_rate = 1 };
	mmck_theory(&p, &th);
	g_assert_true(isfinite(th.mean_in_system));
	g_assert_cmpfloat_with_epsilon(th.loss_ratio, 0.5, 1e-9);
}

struct config {
	const char *name;
	unsigned c, K;
	double lambda, mu;
};

static void
test_against_theory(gconstpointer data)
{
	enum { R = 12 };
	const struct config *cf = data;
	struct mmck_params p = {
		.servers = cf->c, .capacity = cf->K,
		.arrival_rate = cf->lambda, .service_rate = cf->mu,
		.warmup = 500 * FC_SEC, .duration = 20000 * FC_SEC, .seed = 2024,
	};
	double L[R], W[R], loss[R], util[R], little[R];
	struct mmck_theory th;

	g_assert_true(mmck_params_check(&p, NULL));
	mmck_theory(&p, &th);
	for (unsigned r = 0; r < R; r++) {
		struct mmck_result res;

		p.replication = r;
		mmck_simulate(&p, &res);
		L[r] = res.mean_in_system;
		W[r] = res.mean_response_s;
		loss[r] = res.loss_ratio;
		util[r] = res.utilisation;
		/* Little's law within one run: L = throughput * W. */
		little[r] = res.throughput * res.mean_response_s - res.mean_in_system;
	}
	testutil_assert_in_interval("mean in system", L, R, th.mean_in_system);
	testutil_assert_in_interval("response time", W, R, th.mean_response_s);
	testutil_assert_in_interval("utilisation", util, R, th.utilisation);
	if (th.loss_ratio > 1e-6)
		testutil_assert_in_interval("loss ratio", loss, R, th.loss_ratio);
	testutil_assert_in_interval("Little's law gap", little, R, 0.0);
}

static void
test_params_check(void)
{
	struct mmck_params ok = { .servers = 2, .capacity = 5, .arrival_rate = 1,
				  .service_rate = 1, .duration = FC_SEC };
	struct mmck_params p;
	GError *err = NULL;

	g_assert_true(mmck_params_check(&ok, NULL));
	p = ok;
	p.capacity = 1;
	g_assert_false(mmck_params_check(&p, &err));
	g_assert_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
	g_clear_error(&err);
	p = ok;
	p.arrival_rate = NAN;
	g_assert_false(mmck_params_check(&p, NULL));
	p = ok;
	p.service_rate = -1;
	g_assert_false(mmck_params_check(&p, NULL));
	p = ok;
	p.duration = 0;
	g_assert_false(mmck_params_check(&p, NULL));
}

/* Same parameters, same numbers: the model is deterministic. */
static void
test_deterministic(void)
{
	struct mmck_params p = { .servers = 3, .capacity = 8, .arrival_rate = 2.5,
				 .service_rate = 1, .duration = 2000 * FC_SEC,
				 .seed = 9 };
	struct mmck_result a, b;

	mmck_simulate(&p, &a);
	mmck_simulate(&p, &b);
	g_assert_cmpmem(&a, sizeof a, &b, sizeof b);
	p.replication = 1;
	mmck_simulate(&p, &b);
	g_assert_cmpuint(a.events, !=, b.events);
}

int
main(int argc, char **argv)
{
	static const struct config configs[] = {
		{ "mm1-rho0.5", 1, 10000, 0.5, 1 },
		{ "mm1-rho0.9", 1, 10000, 0.9, 1 },
		{ "mm4-k10", 4, 10, 3.5, 1 },
		{ "erlang-b", 2, 2, 1.5, 1 },
		{ "overload-mm8-k16", 8, 16, 9, 1 },
	};

	testutil_init(&argc, &argv);
	g_test_add_func("/mmck/theory-textbook", test_theory_textbook);
	g_test_add_func("/mmck/params-check", test_params_check);
	g_test_add_func("/mmck/deterministic", test_deterministic);
	for (size_t i = 0; i < G_N_ELEMENTS(configs); i++) {
		char *path = g_strdup_printf("/mmck/against-theory/%s", configs[i].name);

		g_test_add_data_func(path, &configs[i], test_against_theory);
		g_free(path);
	}
	return g_test_run();
}
