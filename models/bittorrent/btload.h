/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One torrent under the workload of Qiu and Srikant's fluid model (see
 * fluid.h): peers arrive as a Poisson process (lambda), each with an uplink
 * of mu and a downlink of c; a downloader aborts at rate theta; a peer that
 * completes seeds for a while (exponential with mean 1/gamma, or fixed) and
 * leaves.  A few initial seeds hold the file from the start and stay.
 * Everything else is the swarm model (swarm.h): tracker, choking, pieces,
 * flows.  The measured numbers of downloaders and seeds and the download
 * time are what the fluid model's equilibrium predicts; the run records
 * both.
 */
#ifndef FLASHCOOP_MODELS_BITTORRENT_BTLOAD_H
#define FLASHCOOP_MODELS_BITTORRENT_BTLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "flashcoop/names.h"
#include "flashcoop/time.h"
#include "models/bittorrent/fluid.h"
#include "models/bittorrent/swarm.h"

struct engine;
struct recorder;
struct model_type;

/* [swarm] seeding_distribution: how long a peer seeds after completing. */
enum btload_seeding { BTLOAD_SEEDING_EXPONENTIAL, BTLOAD_SEEDING_CONSTANT };
extern const struct fc_enum_name btload_seeding_names[];

struct btload_params {
	double arrival_rate;        /* lambda, peers per second */
	uint64_t max_peers;         /* arrivals at most (0: no limit) */
	uint64_t file_bytes;
	uint64_t upload_bps, download_bps;
	fc_time_t seeding_time;     /* mean */
	bool seeding_exponential;   /* else constant */
	double abort_rate;          /* theta, per second */
	unsigned initial_seeds;
	uint64_t initial_seed_bps;  /* their uplinks */
	unsigned tracker_answer;    /* peers per answer (0: 50) */
	fc_time_t tracker_down_from, tracker_down_for;
	fc_time_t warmup, end, sample_interval;
	double eta;                 /* the fluid model's (0: 1), for btload_fluid */
	struct swarm_config swarm;  /* its seeds are set from seed, replication */
	uint64_t seed, replication;
};

/* Over the measured period [warmup, end). */
struct btload_result {
	double downloaders_mean, seeds_mean; /* time averages; initial seeds not counted */
	double download_time_mean;  /* of the peers that completed, seconds */
	double sojourn_mean;        /* time spent downloading, completed or aborted */
	uint64_t joined, completed, aborted;
	uint64_t all_completed;     /* since 0 */
	struct swarm_bytes bytes;
	uint64_t net_delivered;
};

/* The fluid model's parameters for p (mu, c and sigma in files per
 * second; sigma the initial seeds' upload, as they never leave). */
void btload_fluid(const struct btload_params *p, struct fluid_params *out);

/* One replication on an engine of its own, recording nothing. */
void btload_simulate(const struct btload_params *p, struct btload_result *out);

/* The model type for [run] model = swarm. */
extern const struct model_type btload_model;

#endif
