/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An M/M/c/K station: Poisson arrivals, exponential service, c servers and
 * room for K customers in all (c in service, K - c waiting, FIFO); an arrival
 * that finds K customers is lost.  It is the skeleton of a web server with
 * MaxRequestWorkers = c and a listen backlog of K - c, and its closed-form
 * solution is what validates the engine and the random streams end to end.
 */
#ifndef FLASHCOOP_MODELS_MMCK_MMCK_H
#define FLASHCOOP_MODELS_MMCK_MMCK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "flashcoop/time.h"

struct engine;
struct recorder;
struct model_type;

struct mmck_params {
	unsigned servers;     /* c >= 1 */
	unsigned capacity;    /* K >= c */
	double arrival_rate;  /* lambda, per second, > 0 */
	double service_rate;  /* mu, per server, per second, > 0 */
	fc_time_t warmup;     /* statistics start here */
	fc_time_t duration;   /* and are taken over this much time after it */
	fc_time_t sample_interval; /* of the in_system vector; 0: none */
	bool log_full;        /* event_log rows when the station fills up */
	uint64_t seed;
	uint64_t replication;
};

/* Time averages and customer averages over the measured period. */
struct mmck_result {
	double mean_in_system;  /* L, time average */
	double mean_response_s; /* W, over customers served, seconds */
	double loss_ratio;      /* arrivals lost / arrivals */
	double throughput;      /* customers served per second */
	double utilisation;     /* mean busy servers / c */
	uint64_t arrivals, served, lost;
	uint64_t events;
};

/* The same quantities from the closed-form stationary distribution. */
struct mmck_theory {
	double mean_in_system, mean_response_s, loss_ratio, throughput,
		utilisation;
};

/* Checks the parameters; on error sets err (G_OPTION_ERROR_BAD_VALUE). */
gboolean mmck_params_check(const struct mmck_params *p, GError **err);

/* Simulates one replication on an engine of its own, recording nothing. */
void mmck_simulate(const struct mmck_params *p, struct mmck_result *out);

/* The stationary M/M/c/K solution for p. */
void mmck_theory(const struct mmck_params *p, struct mmck_theory *out);

/* The model type for [run] model = mmck. */
extern const struct model_type mmck_model;

#endif
