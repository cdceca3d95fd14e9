/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/bittorrent/fluid.h"

#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>

/* The integrator's first step (seconds) and its error bounds (absolute, in
 * peers, and relative). */
#define FLUID_FIRST_STEP 1e-3
#define FLUID_EPS_ABS 1e-9
#define FLUID_EPS_REL 1e-9

void
fluid_equilibrium(const struct fluid_params *p, struct fluid_state *out)
{
	double x = p->lambda / (p->c + p->theta);
	double keep = 1 - p->mu / p->gamma; /* of each completion, not uploaded back */

	out->upload_limited = false;
	if (keep > 0) {
		double xu = (p->lambda * keep - p->sigma) / (p->mu * p->eta + p->theta * keep);

		if (xu > x) {
			x = xu;
			out->upload_limited = true;
		}
	}
	out->downloaders = x;
	out->seeds = (p->lambda - p->theta * x) / p->gamma;
	out->download_time = x / p->lambda;
}

static int
rhs(double t, const double y[], double dydt[], void *params)
{
	const struct fluid_params *p = params;
	double x = fmax(y[0], 0), s = fmax(y[1], 0);
	double flow = fmin(p->c * x, p->mu * (p->eta * x + s) + p->sigma);

	(void)t;
	dydt[0] = p->lambda - p->theta * x - flow;
	dydt[1] = flow - p->gamma * s;
	return GSL_SUCCESS;
}

bool
fluid_integrate(const struct fluid_params *p, double x0, double y0, double t,
		struct fluid_state *out)
{
	gsl_odeiv2_system sys = { rhs, NULL, 2, (void *)p };
	gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rkf45,
							     FLUID_FIRST_STEP, FLUID_EPS_ABS,
							     FLUID_EPS_REL);
	double y[2] = { x0, y0 }, now = 0;
	int rc = gsl_odeiv2_driver_apply(d, &now, t, y);

	gsl_odeiv2_driver_free(d);
	if (rc != GSL_SUCCESS)
		return false;
	out->downloaders = y[0];
	out->seeds = y[1];
	out->download_time = NAN;
	out->upload_limited = false;
	return true;
}
