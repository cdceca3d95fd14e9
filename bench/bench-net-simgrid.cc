// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * The workloads of bench-flows.h on SimGrid (Debian 12's libsimgrid-dev,
 * 3.32), for comparison with bench-net.c: the same links, the same flows
 * (every source asks for the same sizes and receivers, whatever the order
 * in which simultaneous ends are handled), the same counting of changes,
 * the same output line.  Public API only (S4U): each source is an actor
 * that sends its flows one after the other with Comm::sendto() between two
 * hosts, routed over the sender's "up" links and the receiver's "down"
 * links of a star zone.
 *
 *   bench-net-simgrid [--shape star] [--flows N] [--changes M] [--seed S]
 *   bench-net-simgrid --shape swarm [--peers P] [--per-peer K] [--changes M] [--seed S]
 *   bench-net-simgrid --shape parking
 *
 * Network model.  CM02 (max-min sharing without correction factors: its
 * latency and bandwidth factors are 1 and its weight-S 0) with lazy
 * updates (the default "network/optim:Lazy": partial invalidation of the
 * max-min system and a heap of completion dates), set below.  Rates are
 * then plain max-min, as in flashcoop, given that
 *   - links have no latency, so no flow waits before it starts and the
 *     TCP-gamma window bound (gamma / 2 latency) is not applied (it is also
 *     switched off);
 *   - cross-traffic is off: SimGrid otherwise charges every flow 5% of its
 *     rate on the reverse route, for the acknowledgements.
 * What still differs, all of it below what the comparison measures:
 *   - SimGrid bandwidths are bytes per second (the bit rates / 8), in
 *     doubles; a flow ends when its remaining bytes fall below a precision
 *     (maxmin/precision and precision/work-amount), and dates are doubles.
 *     flashcoop counts bits in integers and ends a flow at the first
 *     nanosecond at which all its bits have arrived: completion times agree
 *     to the nanosecond (the parking case, checked by bench/net.sh).
 *   - SimGrid solves the max-min system once per date, for all the flows
 *     that started or ended at that date; flashcoop re-rates at each start
 *     and end.  With random sizes two changes rarely share a date.
 *   - Each change costs SimGrid a context switch to the actor and a
 *     simcall, which a flashcoop done callback does not: that is the price
 *     of its public API, and part of what is measured.
 */
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <simgrid/s4u.hpp>
#include <xbt/config.hpp>
#include <xbt/log.h>

#include "bench/bench-flows.h"

namespace sg4 = simgrid::s4u;

// SimGrid's unit is the byte.
static constexpr double BITS_PER_BYTE = 8.0;
// Actor stacks: a source's loop is shallow; SimGrid's default of 8 MiB
// each would reserve 64 GiB of address space for 8000 sources.
static const char *const ACTOR_STACK_KIB = "contexts/stack-size:128";

struct bench {
	uint64_t seed = 1;
	uint64_t peers = 0;
	uint64_t budget = 0;
	uint64_t counted = 0;
	bool timing = false;
	bool stopped = false;
	double cpu0 = 0, wall0 = 0, cpu1 = 0, wall1 = 0, sim1 = 0;
	std::vector<sg4::Host *> hosts; // star: server, clients; swarm: peers
};

static bench g;

static double
seconds(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static sg4::Link *
link_new(sg4::NetZone *zone, const std::string &name, uint64_t bits_per_s)
{
	return zone->create_link(name, (double)bits_per_s / BITS_PER_BYTE)->set_latency(0)->seal();
}

// A host with its own uplink and downlink in a star zone.
static sg4::Host *
host_new(sg4::NetZone *zone, const std::string &name, uint64_t up_bps, uint64_t down_bps)
{
	sg4::Host *h = zone->create_host(name, 1e9)->seal();
	sg4::Link *up = link_new(zone, name + "-up", up_bps);
	sg4::Link *down = link_new(zone, name + "-down", down_bps);

	zone->add_route(h->get_netpoint(), nullptr, nullptr, nullptr, { sg4::LinkInRoute(up) }, false);
	zone->add_route(nullptr, h->get_netpoint(), nullptr, nullptr, { sg4::LinkInRoute(down) }, false);
	return h;
}

// A flow ended: the counting of bench-flows.h.  Returns whether the source
// starts another.
static bool
flow_ended()
{
	if (!g.timing) {
		g.timing = true;
		g.cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
		g.wall0 = seconds(CLOCK_MONOTONIC);
	}
	if (++g.counted >= g.budget) {
		g.cpu1 = seconds(CLOCK_PROCESS_CPUTIME_ID);
		g.wall1 = seconds(CLOCK_MONOTONIC);
		g.sim1 = sg4::Engine::get_clock();
		g.stopped = true;
		sg4::Actor::kill_all();
		return false;
	}
	g.counted++;
	return true;
}

static void
star_client(uint64_t client)
{
	for (uint64_t n = 0;; n++) {
		sg4::Comm::sendto(g.hosts[0], g.hosts[1 + client],
				  bf_star_object_bytes(g.seed, client, n));
		if (!flow_ended())
			return;
	}
}

static void
swarm_slot(uint64_t peer, uint64_t slot)
{
	for (uint64_t n = 0;; n++) {
		uint64_t to = bf_swarm_receiver(g.seed, g.peers, peer, slot, n);

		sg4::Comm::sendto(g.hosts[peer], g.hosts[to], bf_swarm_piece_bytes(g.seed, slot, n));
		if (!flow_ended())
			return;
	}
}

static void
run_parking(sg4::Engine &e)
{
	sg4::NetZone *zone = sg4::create_full_zone("parking");
	sg4::Link *l1 = link_new(zone, "L1", BF_PARKING_L1_BPS);
	sg4::Link *l2 = link_new(zone, "L2", BF_PARKING_L2_BPS);
	std::vector<sg4::Host *> h;
	double t[3] = { 0, 0, 0 };
	const uint64_t bytes[3] = { BF_PARKING_A_BYTES, BF_PARKING_B_BYTES, BF_PARKING_C_BYTES };

	for (int i = 0; i < 6; i++)
		h.push_back(zone->create_host("h" + std::to_string(i), 1e9)->seal());
	zone->add_route(h[0]->get_netpoint(), h[1]->get_netpoint(), nullptr, nullptr,
			{ sg4::LinkInRoute(l1), sg4::LinkInRoute(l2) }, false);
	zone->add_route(h[2]->get_netpoint(), h[3]->get_netpoint(), nullptr, nullptr,
			{ sg4::LinkInRoute(l1) }, false);
	zone->add_route(h[4]->get_netpoint(), h[5]->get_netpoint(), nullptr, nullptr,
			{ sg4::LinkInRoute(l2) }, false);
	zone->seal();
	for (int i = 0; i < 3; i++) {
		sg4::Actor::create("flow" + std::to_string(i), h[2 * i], [&h, &t, &bytes, i]() {
			sg4::Comm::sendto(h[2 * i], h[2 * i + 1], bytes[i]);
			t[i] = sg4::Engine::get_clock();
		});
	}
	e.run();
	std::printf("shape=parking A=%.9f B=%.9f C=%.9f\n", t[0], t[1], t[2]);
}

static int
usage()
{
	std::fprintf(stderr, "usage: bench-net-simgrid [--shape star|swarm|parking] [--flows N] "
		     "[--peers P] [--per-peer K] [--changes M] [--seed S]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	std::string shape = "star";
	uint64_t flows = 1000, per_peer = 4, nsrc;

	g.peers = 1000;
	g.budget = 200000;
	// SimGrid's informational messages (each configuration change) would
	// mix with the result line.
	xbt_log_control_set("root.thresh:warning");
	sg4::Engine e(&argc, argv);
	for (int i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return usage();
		uint64_t v = std::strtoull(argv[i + 1], nullptr, 10);

		if (std::strcmp(argv[i], "--shape") == 0)
			shape = argv[i + 1];
		else if (std::strcmp(argv[i], "--flows") == 0)
			flows = v;
		else if (std::strcmp(argv[i], "--peers") == 0)
			g.peers = v;
		else if (std::strcmp(argv[i], "--per-peer") == 0)
			per_peer = v;
		else if (std::strcmp(argv[i], "--changes") == 0)
			g.budget = v;
		else if (std::strcmp(argv[i], "--seed") == 0)
			g.seed = v;
		else
			return usage();
	}
	sg4::Engine::set_config("network/model:CM02");
	sg4::Engine::set_config("network/optim:Lazy");
	sg4::Engine::set_config("network/crosstraffic:0");
	sg4::Engine::set_config("network/TCP-gamma:0");
	sg4::Engine::set_config(ACTOR_STACK_KIB);

	if (shape == "parking") {
		run_parking(e);
		return 0;
	}
	if ((shape != "star" && shape != "swarm") || flows == 0 || g.peers < 2 || per_peer == 0 ||
	    g.budget == 0)
		return usage();

	sg4::NetZone *zone = sg4::create_star_zone(shape);
	if (shape == "star") {
		g.hosts.push_back(host_new(zone, "server", BF_STAR_UPLINK_BPS, BF_STAR_UPLINK_BPS));
		for (uint64_t i = 0; i < flows; i++)
			g.hosts.push_back(host_new(zone, "c" + std::to_string(i), BF_STAR_UPLINK_BPS,
						   bf_star_downlink_bps(g.seed, i)));
		zone->seal();
		nsrc = flows;
		for (uint64_t i = 0; i < nsrc; i++)
			sg4::Actor::create("c" + std::to_string(i), g.hosts[1 + i], star_client, i);
	} else {
		for (uint64_t p = 0; p < g.peers; p++)
			g.hosts.push_back(host_new(zone, "p" + std::to_string(p),
						   bf_swarm_uplink_bps(g.seed, p),
						   bf_swarm_downlink_bps(g.seed, p)));
		zone->seal();
		nsrc = g.peers * per_peer;
		for (uint64_t i = 0; i < nsrc; i++)
			sg4::Actor::create("s" + std::to_string(i), g.hosts[i / per_peer], swarm_slot,
					   i / per_peer, i);
	}
	e.run();
	if (!g.stopped) {
		std::fprintf(stderr, "bench-net-simgrid: the run ended before %" PRIu64 " changes\n",
			     g.budget);
		return 1;
	}
	std::printf("shape=%s flows=%" PRIu64, shape.c_str(), nsrc);
	if (shape == "swarm")
		std::printf(" peers=%" PRIu64 " per_peer=%" PRIu64, g.peers, per_peer);
	std::printf(" changes=%" PRIu64 " cpu_s=%.3f wall_s=%.3f changes_per_cpu_s=%.0f sim_s=%.6f"
		    " model=%s optim=%s crosstraffic=%d\n",
		    g.counted, g.cpu1 - g.cpu0, g.wall1 - g.wall0,
		    (double)g.counted / (g.cpu1 - g.cpu0), g.sim1,
		    simgrid::config::get_value<std::string>("network/model").c_str(),
		    simgrid::config::get_value<std::string>("network/optim").c_str(),
		    (int)simgrid::config::get_value<bool>("network/crosstraffic"));
	return 0;
}
