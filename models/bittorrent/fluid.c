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
	double inv_up = (1 / p->mu - 1 / p->gamma) / p->eta;
	double inv_beta = fmax(1 / p->c, inv_up);
	double beta = 1 / inv_beta;

	out->downloaders = p->lambda / (beta + p->theta);
	out->seeds = p->lambda * beta / (p->gamma * (beta + p->theta));
	out->download_time = 1 / (beta + p->theta);
	out->upload_limited = inv_up > 1 / p->c;
}

static int
rhs(double t, const double y[], double dydt[], void *params)
{
	const struct fluid_params *p = params;
	double x = fmax(y[0], 0), s = fmax(y[1], 0);
	double flow = fmin(p->c * x, p->mu * (p->eta * x + s));

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
