/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Client arrivals: a non-homogeneous Poisson process whose rate follows a
 * flash-crowd profile or a trace of counts.  A flash crowd is more distinct
 * clients, not faster ones (Jung, Krishnamurthy and Rabinovich, WWW 2002),
 * so what arrives is a client, each starting a session.
 *
 * A profile: the baseline rate until `start`, a ramp up to shock x baseline
 * over ramp_up, that peak for `sustained`, a ramp back down over ramp_down,
 * then the baseline again.  Ramps are linear, or exponential (the rate grows
 * by the same factor every second).  A trace: counts per period (a minute or
 * a second), read as a piecewise-constant rate, stretched in time and scaled
 * in rate; after its end the rate is 0.
 *
 * Arrival times are drawn by thinning (Lewis and Shedler) over short pieces,
 * each with its own rate bound, so that a 1000x shock costs no more than
 * the arrivals it makes.
 */
#ifndef FLASHCOOP_MODELS_WEB_ARRIVALS_H
#define FLASHCOOP_MODELS_WEB_ARRIVALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "flashcoop/names.h"
#include "flashcoop/time.h"
#include "sim/rng.h"

enum arrivals_ramp {
	ARRIVALS_LINEAR,
	ARRIVALS_EXPONENTIAL,
};
/* [clients] ramp. */
extern const struct fc_enum_name arrivals_ramp_names[];

struct arrivals_profile {
	double baseline;   /* clients per second, > 0 */
	double shock;      /* peak / baseline, >= 1 */
	fc_time_t start, ramp_up, sustained, ramp_down;
	enum arrivals_ramp ramp;
};

struct arrivals;

/* Arrivals following a profile; the rate function is piecewise (see above). */
struct arrivals *arrivals_new_profile(const struct arrivals_profile *p);

/*
 * Arrivals following counts[0..n-1], one per `period`, the trace's time
 * multiplied by time_scale (2 = twice as slow) and its rates by rate_scale.
 */
struct arrivals *arrivals_new_trace(const double *counts, size_t n, fc_time_t period,
				    double time_scale, double rate_scale);

/* Accepts NULL. */
void arrivals_free(struct arrivals *a);

/* The rate at time t, clients per second. */
double arrivals_rate(const struct arrivals *a, fc_time_t t);

/* The expected number of arrivals in [t0, t1). */
double arrivals_expected(const struct arrivals *a, fc_time_t t0, fc_time_t t1);

/*
 * The first arrival after `after` drawn from s, or FC_TIME_NEVER when the
 * rate stays 0 for ever after.
 */
fc_time_t arrivals_next(const struct arrivals *a, struct rng_stream *s, fc_time_t after);

#define ARRIVALS_ERROR (arrivals_error_quark())
GQuark arrivals_error_quark(void);

/*
 * Reads a trace file: "CSV" (a header line, then "period,count" lines, as
 * in the WC98 per-minute files) or one count per line (as in the NASA
 * per-second files).  Returns the counts (g_free) and their number, or NULL
 * with err naming the file and line.
 */
double *arrivals_read_trace(const char *path, size_t *n, GError **err);

#endif
