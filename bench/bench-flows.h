/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The flow-churn workloads of bench-net (flashcoop's flow network) and
 * bench-net-simgrid (SimGrid's max-min solver), defined once here so that
 * both simulate the same flows: C and C++ include this header.
 *
 * Numbers are counter-based: the n-th flow of a source is a hash of (seed,
 * source, n), never the next draw of a shared generator, so each source
 * asks for the same objects whatever order two simulators complete
 * simultaneous flows in or run their actors in.
 *
 * Shapes.
 *   star    one shared server uplink of 1 Gbit/s and N client downlinks of
 *           random capacities (so that many bottleneck levels exist); each
 *           client fetches objects of random sizes back to back, so N flows
 *           are always in progress, all coupled through the uplink.
 *   swarm   P peers, each with an uplink and a downlink of random capacities
 *           (asymmetric access lines); each peer keeps K uploads in progress,
 *           each a piece of random size to a random other peer over the
 *           sender's uplink and the receiver's downlink, so flows are coupled
 *           through both ends (P * K flows, one connected component).
 *   parking three flows on a two-link parking lot, the hand-checked case
 *           (the comment at BF_PARKING_* gives the expected times).
 *
 * The run.  Every source starts its first flow at time 0; when a flow ends,
 * its source starts the next at once.  A flow change is a start or an end.
 * The clock (CPU and wall) starts at the first end, so that the initial
 * burst of N starts is not counted (flashcoop rates flows once per start,
 * SimGrid once per batch of same-time starts); from there every end and
 * start counts, and the run stops at the end that makes `changes` changes.
 */
#ifndef FLASHCOOP_BENCH_BENCH_FLOWS_H
#define FLASHCOOP_BENCH_BENCH_FLOWS_H

#include <stdint.h>

/* Star: the server uplink, the clients' downlinks drawn uniformly in
 * [MIN, MIN + SPREAD), objects likewise. */
#define BF_STAR_UPLINK_BPS UINT64_C(1000000000)        /* 1 Gbit/s */
#define BF_STAR_DOWNLINK_MIN_BPS UINT64_C(100000)      /* 100 kbit/s */
#define BF_STAR_DOWNLINK_SPREAD_BPS UINT64_C(20000000) /* + up to 20 Mbit/s */
#define BF_STAR_OBJECT_MIN_BYTES UINT64_C(1000)
#define BF_STAR_OBJECT_SPREAD_BYTES UINT64_C(200000)

/* Swarm: ADSL/cable-like access lines (uplinks 1 to 20 Mbit/s, downlinks
 * 10 to 100 Mbit/s) and BitTorrent pieces of 64 to 512 KiB. */
#define BF_SWARM_UPLINK_MIN_BPS UINT64_C(1000000)
#define BF_SWARM_UPLINK_SPREAD_BPS UINT64_C(19000000)
#define BF_SWARM_DOWNLINK_MIN_BPS UINT64_C(10000000)
#define BF_SWARM_DOWNLINK_SPREAD_BPS UINT64_C(90000000)
#define BF_SWARM_PIECE_MIN_BYTES UINT64_C(65536)
#define BF_SWARM_PIECE_SPREAD_BYTES UINT64_C(458752)

/*
 * Parking lot: L1 of 10 Mbit/s and L2 of 4 Mbit/s; flow A (1 MB) crosses
 * both, B (1.5 MB) only L1, C (250 kB) only L2, all started at 0.  Max-min:
 * A and C share L2 at 2 Mbit/s, B takes the rest of L1, 8 Mbit/s; C ends
 * at 1 s (2 Mbit).  Then A gets min(L2 = 4, L1 / 2 = 5) = 4 and B 6 Mbit/s:
 * B's remaining 4 Mbit end at 1 + 2/3 s.  A, alone, keeps 4 Mbit/s: its
 * remaining 8 - 2 - 4 * 2/3 = 10/3 Mbit end at 2.5 s.
 */
#define BF_PARKING_L1_BPS UINT64_C(10000000)
#define BF_PARKING_L2_BPS UINT64_C(4000000)
#define BF_PARKING_A_BYTES UINT64_C(1000000)
#define BF_PARKING_B_BYTES UINT64_C(1500000)
#define BF_PARKING_C_BYTES UINT64_C(250000)

/* Kinds of numbers, kept apart in the hash. */
enum bf_stream {
	BF_STAR_DOWNLINK = 1,
	BF_STAR_OBJECT,
	BF_SWARM_UPLINK,
	BF_SWARM_DOWNLINK,
	BF_SWARM_PEER,
	BF_SWARM_PIECE,
};

/* The SplitMix64 output function. */
static inline uint64_t
bf_mix(uint64_t z)
{
	z += UINT64_C(0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* The n-th number of (kind, index) below `below` (> 0), uniform up to a
 * bias of below / 2^64. */
static inline uint64_t
bf_draw(uint64_t seed, enum bf_stream kind, uint64_t index, uint64_t n, uint64_t below)
{
	uint64_t x = bf_mix(bf_mix(bf_mix(bf_mix(seed) ^ (uint64_t)kind) ^ index) ^ n);

	return (uint64_t)(((unsigned __int128)x * below) >> 64);
}

static inline uint64_t
bf_star_downlink_bps(uint64_t seed, uint64_t client)
{
	return BF_STAR_DOWNLINK_MIN_BPS +
	       bf_draw(seed, BF_STAR_DOWNLINK, client, 0, BF_STAR_DOWNLINK_SPREAD_BPS);
}

static inline uint64_t
bf_star_object_bytes(uint64_t seed, uint64_t client, uint64_t n)
{
	return BF_STAR_OBJECT_MIN_BYTES +
	       bf_draw(seed, BF_STAR_OBJECT, client, n, BF_STAR_OBJECT_SPREAD_BYTES);
}

static inline uint64_t
bf_swarm_uplink_bps(uint64_t seed, uint64_t peer)
{
	return BF_SWARM_UPLINK_MIN_BPS +
	       bf_draw(seed, BF_SWARM_UPLINK, peer, 0, BF_SWARM_UPLINK_SPREAD_BPS);
}

static inline uint64_t
bf_swarm_downlink_bps(uint64_t seed, uint64_t peer)
{
	return BF_SWARM_DOWNLINK_MIN_BPS +
	       bf_draw(seed, BF_SWARM_DOWNLINK, peer, 0, BF_SWARM_DOWNLINK_SPREAD_BPS);
}

/* The receiver of the n-th piece of upload slot `slot` (peer * K + s) of
 * `peer`: any peer but the sender. */
static inline uint64_t
bf_swarm_receiver(uint64_t seed, uint64_t peers, uint64_t peer, uint64_t slot, uint64_t n)
{
	uint64_t r = bf_draw(seed, BF_SWARM_PEER, slot, n, peers - 1);

	return r >= peer ? r + 1 : r;
}

static inline uint64_t
bf_swarm_piece_bytes(uint64_t seed, uint64_t slot, uint64_t n)
{
	return BF_SWARM_PIECE_MIN_BYTES +
	       bf_draw(seed, BF_SWARM_PIECE, slot, n, BF_SWARM_PIECE_SPREAD_BYTES);
}

#endif
