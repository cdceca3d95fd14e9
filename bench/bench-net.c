/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The flow network under churn: one shared uplink and --flows client
 * downlinks of random capacities (so that many bottleneck levels exist),
 * each client fetching objects back to back; reports flow changes per
 * second and flows re-rated per change.
 * Usage: bench-net [--flows N] [--changes M] [--seed S]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <gsl/gsl_randist.h>

#include "sim/engine.h"
#include "models/world/net.h"
#include "sim/rng.h"

/* The workload: one server uplink shared by every flow, clients with
 * downlinks drawn uniformly in [MIN, MIN + SPREAD), objects likewise. */
#define SERVER_UPLINK_BPS UINT64_C(1000000000)       /* 1 Gbit/s */
#define CLIENT_DOWNLINK_MIN_BPS 100000               /* 100 kbit/s */
#define CLIENT_DOWNLINK_SPREAD_BPS 20000000          /* + up to 20 Mbit/s */
#define OBJECT_MIN_BYTES 1000
#define OBJECT_SPREAD_BYTES 200000

struct client {
	struct net *n;
	net_link path[2];
	struct rng_stream *rs;
	uint64_t *left;
};

static void
fetch(struct client *c);

static void
done(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	struct client *c = data;

	(void)n;
	(void)f;
	(void)now;
	if (*c->left > 0) {
		(*c->left)--;
		fetch(c);
	}
}

static void
fetch(struct client *c)
{
	uint64_t bytes = OBJECT_MIN_BYTES +
			 gsl_rng_uniform_int(rng_stream_gsl(c->rs), OBJECT_SPREAD_BYTES);

	net_flow_start(c->n, c->path, 2, bytes, done, c);
}

int
main(int argc, char **argv)
{
	unsigned long flows = 1000, changes = 200000, seed = 1;
	struct engine *e = engine_new(NULL);
	struct net *n = net_new(e);
	struct rng_stream rs;
	struct client *c;
	net_link up;
	uint64_t left;
	struct timespec t0, t1;
	double s;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--flows") == 0)
			flows = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--changes") == 0)
			changes = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--seed") == 0)
			seed = strtoul(argv[i + 1], NULL, 10);
	}
	left = changes / 2;
	rng_stream_init(&rs, seed, 0, "bench-net", 0);
	up = net_link_add(n, SERVER_UPLINK_BPS);
	c = g_new(struct client, flows);
	for (unsigned long i = 0; i < flows; i++) {
		c[i] = (struct client){ n, { up, net_link_add(n, CLIENT_DOWNLINK_MIN_BPS + gsl_rng_uniform_int(
			rng_stream_gsl(&rs), CLIENT_DOWNLINK_SPREAD_BPS)) }, &rs, &left };
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long i = 0; i < flows; i++)
		fetch(&c[i]);
	engine_run(e);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = fc_time_to_sec((fc_time_t)(t1.tv_sec - t0.tv_sec) * FC_SEC +
			   (fc_time_t)t1.tv_nsec - (fc_time_t)t0.tv_nsec);
	printf("flows %lu: %" G_GUINT64_FORMAT " changes in %.2f s, %.0f changes/s, "
	       "%.0f flows re-rated per change\n", flows, net_recomputations(n), s,
	       (double)net_recomputations(n) / s,
	       (double)net_flows_rated(n) / (double)net_recomputations(n));
	net_free(n);
	engine_free(e);
	g_free(c);
	return 0;
}
