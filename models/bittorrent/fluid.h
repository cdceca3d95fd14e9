/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The fluid model of a BitTorrent swarm of Qiu and Srikant (SIGCOMM 2004),
 * the reference the swarm model is validated against:
 *
 *   dx/dt = lambda - theta x - min(c x, mu (eta x + y) + sigma)
 *   dy/dt = min(c x, mu (eta x + y) + sigma) - gamma y
 *
 * x downloaders, y seeds; lambda arrivals per second; mu upload and c
 * download rate of a peer (files per second); theta the rate at which a
 * downloader aborts, gamma the rate at which a seed leaves; eta the
 * effectiveness of sharing among downloaders (about 1 with many pieces,
 * less with few: docs/swarm.md).  sigma is the upload of seeds that never
 * leave (the publisher's; files per second), which Qiu and Srikant leave
 * out; with sigma = 0, in equilibrium, with
 * 1/beta = max(1/c, (1/eta)(1/mu - 1/gamma)):
 *
 *   x = lambda / (beta + theta),  y = lambda beta / (gamma (beta + theta)),
 *   T = 1 / (beta + theta)        (time a downloader stays, by Little's law)
 *
 * the swarm being download-limited when beta = c, upload-limited otherwise.
 * With sigma, the completions f = lambda - theta x are c x, or, when the
 * uploads bind, f = mu (eta x + f / gamma) + sigma, so
 *
 *   x = max(lambda / (c + theta),
 *           (lambda (1 - mu/gamma) - sigma) / (mu eta + theta (1 - mu/gamma))),
 *   y = (lambda - theta x) / gamma,  T = x / lambda
 *
 * (the second term only when mu < gamma: seeds that upload a copy each or
 * more never let the uploads bind).
 */
#ifndef FLASHCOOP_MODELS_BITTORRENT_FLUID_H
#define FLASHCOOP_MODELS_BITTORRENT_FLUID_H

#include <stdbool.h>

struct fluid_params {
	double lambda, mu, c, theta, gamma, eta; /* all > 0 but theta >= 0 */
	double sigma;                            /* >= 0 */
};

struct fluid_state {
	double downloaders, seeds;
	double download_time;  /* equilibrium only */
	bool upload_limited;   /* equilibrium only */
};

/* The equilibrium. */
void fluid_equilibrium(const struct fluid_params *p, struct fluid_state *out);

/*
 * Integrates the equations from (x0, y0) for t seconds (GSL's embedded
 * Runge-Kutta-Fehlberg 4(5) with adaptive steps); false if GSL fails.
 */
bool fluid_integrate(const struct fluid_params *p, double x0, double y0, double t,
		     struct fluid_state *out);

#endif
