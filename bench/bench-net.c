/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The flow network under churn, through net.h's public API only: the
 * workloads of bench-flows.h (a star of N concurrent fetches through one
 * shared uplink, a swarm of P peers with K uploads each), the same flows as
 * bench-net-simgrid.cc simulates on SimGrid.  Reports flow changes (starts
 * and ends) per CPU second of the process, the wall time beside it, the
 * simulated time reached (the same in both programs when they compute the
 * same rates) and flows re-rated per change.
 *
 *   bench-net [--shape star] [--flows N] [--changes M] [--seed S]
 *   bench-net --shape swarm [--peers P] [--per-peer K] [--changes M] [--seed S]
 *   bench-net --shape parking
 *
 * Prints one line of key=value pairs; parking prints the three completion
 * times instead (bench-flows.h gives the expected ones).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "bench/bench-flows.h"
#include "models/world/net.h"
#include "sim/engine.h"

struct bench {
	struct engine *e;
	struct net *n;
	uint64_t seed;
	uint64_t peers;
	const net_link *downlinks; /* swarm: each peer's */
	uint64_t budget;           /* changes to count */
	uint64_t counted;          /* changes since the clock started */
	bool timing;
	double cpu0, wall0, cpu1, wall1;
	fc_time_t sim1; /* when the run stopped */
};

/* A client (star) or an upload slot (swarm): starts its next flow when the
 * last one ends. */
struct source {
	struct bench *b;
	net_link path[2];
	uint64_t index; /* client, or slot = peer * K + s */
	uint64_t peer;  /* swarm: the sender */
	uint64_t next;  /* flows started so far */
	bool swarm;
};

static double
seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
source_start(struct source *s);

static void
flow_done(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	struct source *s = data;
	struct bench *b = s->b;

	(void)n;
	(void)f;
	if (!b->timing) {
		b->timing = true;
		b->cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
		b->wall0 = seconds(CLOCK_MONOTONIC);
	}
	if (++b->counted >= b->budget) {
		b->cpu1 = seconds(CLOCK_PROCESS_CPUTIME_ID);
		b->wall1 = seconds(CLOCK_MONOTONIC);
		b->sim1 = now;
		engine_stop(b->e);
		return;
	}
	b->counted++;
	source_start(s);
}

static void
source_start(struct source *s)
{
	struct bench *b = s->b;
	uint64_t bytes;

	if (s->swarm) {
		s->path[1] = b->downlinks[bf_swarm_receiver(b->seed, b->peers, s->peer,
							    s->index, s->next)];
		bytes = bf_swarm_piece_bytes(b->seed, s->index, s->next);
	} else {
		bytes = bf_star_object_bytes(b->seed, s->index, s->next);
	}
	s->next++;
	net_flow_start(b->n, s->path, 2, bytes, flow_done, s);
}

/* ---- the parking lot ---------------------------------------------------- */

static void
parking_done(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	(void)n;
	(void)f;
	*(fc_time_t *)data = now;
}

static void
run_parking(void)
{
	struct engine *e = engine_new(NULL);
	struct net *n = net_new(e);
	net_link l1 = net_link_add(n, BF_PARKING_L1_BPS);
	net_link l2 = net_link_add(n, BF_PARKING_L2_BPS);
	net_link a[] = { l1, l2 }, b[] = { l1 }, c[] = { l2 };
	fc_time_t t[3] = { 0, 0, 0 };

	net_flow_start(n, a, 2, BF_PARKING_A_BYTES, parking_done, &t[0]);
	net_flow_start(n, b, 1, BF_PARKING_B_BYTES, parking_done, &t[1]);
	net_flow_start(n, c, 1, BF_PARKING_C_BYTES, parking_done, &t[2]);
	engine_run(e);
	printf("shape=parking A=%.9f B=%.9f C=%.9f\n", fc_time_to_sec(t[0]),
	       fc_time_to_sec(t[1]), fc_time_to_sec(t[2]));
	net_free(n);
	engine_free(e);
}

int
main(int argc, char **argv)
{
	const char *shape = "star";
	uint64_t flows = 1000, peers = 1000, per_peer = 4, changes = 200000, seed = 1;
	struct bench b = { 0 };
	struct source *src;
	net_link *down = NULL;
	uint64_t nsrc;

	for (int i = 1; i + 1 < argc; i += 2) {
		uint64_t v = strtoull(argv[i + 1], NULL, 10);

		if (strcmp(argv[i], "--shape") == 0)
			shape = argv[i + 1];
		else if (strcmp(argv[i], "--flows") == 0)
			flows = v;
		else if (strcmp(argv[i], "--peers") == 0)
			peers = v;
		else if (strcmp(argv[i], "--per-peer") == 0)
			per_peer = v;
		else if (strcmp(argv[i], "--changes") == 0)
			changes = v;
		else if (strcmp(argv[i], "--seed") == 0)
			seed = v;
		else
			goto usage;
	}
	if (strcmp(shape, "parking") == 0) {
		run_parking();
		return 0;
	}
	if ((strcmp(shape, "star") != 0 && strcmp(shape, "swarm") != 0) || flows == 0 ||
	    peers < 2 || per_peer == 0 || changes == 0)
		goto usage;

	b.e = engine_new(NULL);
	b.n = net_new(b.e);
	b.seed = seed;
	b.peers = peers;
	b.budget = changes;
	if (strcmp(shape, "star") == 0) {
		net_link up = net_link_add(b.n, BF_STAR_UPLINK_BPS);

		nsrc = flows;
		src = g_new(struct source, nsrc);
		for (uint64_t i = 0; i < nsrc; i++)
			src[i] = (struct source){ &b, { up, net_link_add(b.n, bf_star_downlink_bps(seed, i)) },
						  i, 0, 0, false };
	} else {
		net_link *up = g_new(net_link, peers);

		down = g_new(net_link, peers);
		for (uint64_t p = 0; p < peers; p++) {
			up[p] = net_link_add(b.n, bf_swarm_uplink_bps(seed, p));
			down[p] = net_link_add(b.n, bf_swarm_downlink_bps(seed, p));
		}
		b.downlinks = down;
		nsrc = peers * per_peer;
		src = g_new(struct source, nsrc);
		for (uint64_t i = 0; i < nsrc; i++)
			src[i] = (struct source){ &b, { up[i / per_peer], 0 }, i, i / per_peer, 0, true };
		g_free(up);
	}
	for (uint64_t i = 0; i < nsrc; i++)
		source_start(&src[i]);
	engine_run(b.e);
	if (b.counted < b.budget) {
		fprintf(stderr, "bench-net: the run ended before %" PRIu64 " changes\n", changes);
		return 1;
	}
	printf("shape=%s flows=%" PRIu64, shape, nsrc);
	if (src[0].swarm)
		printf(" peers=%" PRIu64 " per_peer=%" PRIu64, peers, per_peer);
	printf(" changes=%" PRIu64 " cpu_s=%.3f wall_s=%.3f changes_per_cpu_s=%.0f"
	       " sim_s=%.6f re_rated_per_change=%.1f\n", b.counted,
	       b.cpu1 - b.cpu0, b.wall1 - b.wall0, (double)b.counted / (b.cpu1 - b.cpu0),
	       fc_time_to_sec(b.sim1), (double)net_flows_rated(b.n) / (double)net_recomputations(b.n));
	net_free(b.n);
	engine_free(b.e);
	g_free(src);
	g_free(down);
	return 0;

usage:
	fprintf(stderr, "usage: bench-net [--shape star|swarm|parking] [--flows N] [--peers P] "
		"[--per-peer K] [--changes M] [--seed S]\n");
	return 2;
}
