/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The web model's estimate of a run's work (traffic_type.estimate,
 * sim/budget.h): what the scenario asks for, computed from the keys
 * alone, before anything is built.  The events of a visit, a probe and a
 * sample are constants measured on the shipped scenarios; the estimate is
 * checked against the events they execute (tests/test-budget.c).
 */
#include "models/web/internal.h"

#include <math.h>

/* Events of one visit: its arrival, DNS, connections and end. */
#define EVENTS_PER_VISIT 8.0
/* Events of one object of a page: request, CPU, transfer, rate changes. */
#define EVENTS_PER_OBJECT 6.0
/* Events of one sample of every server's time series. */
#define EVENTS_PER_SAMPLE 1.0
/* Events of one load report, probe, heartbeat (messages with latency). */
#define EVENTS_PER_LOAD 1.0
#define EVENTS_PER_PROBE 2.0
#define EVENTS_PER_HEARTBEAT 1.0
/* Bytes of one visit in progress, of a cached DNS answer, of one
 * cooperator as a peer of one node (its key, its state, its tables). */
#define BYTES_PER_VISIT 1024.0
#define BYTES_PER_DNS_ENTRY 32.0
#define BYTES_PER_NODE_PEER 2400.0
/* Work of a node call per peer it keeps (the core walks its peers for its
 * next deadline on every call), in events: measured at 500 cooperators. */
#define EVENTS_PER_NODE_CALL_PEER 0.01

/* E[min(floor(X), most)] for X Pareto with scale k and shape alpha, the
 * embedded objects of a page (content.c), bounded above by `most`. */
static double
embedded_mean(double k, double alpha, double most)
{
	double m = MAX(most, k);

	if (fabs(alpha - 1) < 1e-9)
		return MIN(most, k + k * log(m / k));
	return MIN(most, k + pow(k, alpha) * (pow(m, 1 - alpha) - pow(k, 1 - alpha)) /
		   (1 - alpha));
}

/* The mean of a lognormal size, as drawn (at most OBJECT_MAX_BYTES). */
static double
lognormal_bytes(double mu, double sigma)
{
	return MIN(exp(mu + sigma * sigma / 2), OBJECT_MAX_BYTES);
}

void
web_estimate(const struct scenario *sc, fc_time_t end, struct budget *b)
{
	double t = fc_time_to_sec(end);
	int policy = scenario_enum(sc, "web", "policy");
	double coops = (double)scenario_count(sc, "web", "cooperators"), n = coops + 1;
	double objects = 1 + embedded_mean(scenario_real(sc, "site", "embedded_k"),
					   scenario_real(sc, "site", "embedded_alpha"),
					   (double)scenario_count(sc, "site", "embedded_max"));
	double pages = (double)scenario_count(sc, "site", "pages");
	double tail_alpha = scenario_real(sc, "site", "tail_alpha");
	double tail_share = scenario_ratio(sc, "site", "tail_share");
	double html = (1 - tail_share) * lognormal_bytes(scenario_real(sc, "site", "html_mu"),
							 scenario_real(sc, "site", "html_sigma")) +
		      tail_share * (tail_alpha > 1 ?
				    MIN((double)scenario_size(sc, "site", "tail_k") * tail_alpha /
					(tail_alpha - 1), OBJECT_MAX_BYTES) : OBJECT_MAX_BYTES);
	double site_bytes = pages * (html + (objects - 1) *
				     lognormal_bytes(scenario_real(sc, "site", "embedded_mu"),
						     scenario_real(sc, "site", "embedded_sigma")));
	double patience = fc_time_to_sec(scenario_duration(sc, "clients", "patience"));
	double bt = scenario_ratio(sc, "clients", "bittorrent");
	double flash = 0, peak = 0, visits, bt_stay;
	g_autoptr(GError) err = NULL;
	struct arrivals *a = web_flash_arrivals(sc, &err);

	/* A trace that cannot be read is refused when the model is built. */
	if (a) {
		flash = arrivals_expected(a, 0, end);
		for (fc_time_t at = 0; at < end; at = fc_time_add(at, MAX(end / 1024, 1)))
			peak = MAX(peak, arrivals_rate(a, at));
		arrivals_free(a);
	}
	visits = flash + scenario_real(sc, "clients", "other_sites") * coops * t;
	budget_add_events(b, visits * (EVENTS_PER_VISIT + EVENTS_PER_OBJECT * objects),
			  "[clients] baseline, shock, other_sites, trace, [site] embedded_k, "
			  "embedded_alpha over [run] duration");

	/* BitTorrent clients stay for their download, then seed. */
	bt_stay = MIN(t, MIN(site_bytes * 8 / (double)scenario_rate(sc, "clients",
								    "downlink_median"), patience) +
		      fc_time_to_sec(scenario_duration(sc, "clients", "seeding_time")));
	if (bt > 0)
		budget_add_events(b, bt * flash * swarm_estimate_peer_events(sc, (uint64_t)MIN(site_bytes, 1e18),
									   bt_stay),
				  "[clients] bittorrent, [site] pages, [bittorrent] piece_size, "
				  "block_size, rechoke_interval over [run] duration");

	budget_add_events(b, EVENTS_PER_SAMPLE * n * (double)end /
			  (double)scenario_duration(sc, "web", "sample_interval"),
			  "[web] cooperators, sample_interval over [run] duration");
	if (web_policy_has_nodes(policy)) {
		budget_add_events(b, EVENTS_PER_LOAD * n * (double)end /
				  (double)scenario_duration(sc, "coop", "load_interval"),
				  "[web] cooperators, [coop] load_interval over [run] duration");
		budget_add_events(b, n * coops * (double)end *
				  (EVENTS_PER_PROBE /
				   (double)scenario_duration(sc, "coop", "probe_interval") +
				   EVENTS_PER_HEARTBEAT /
				   (double)scenario_duration(sc, "coop", "heartbeat_interval")),
				  "[web] cooperators, [coop] probe_interval, heartbeat_interval "
				  "over [run] duration");
		budget_add_events(b, EVENTS_PER_NODE_CALL_PEER * n * coops * coops * t,
				  "[web] cooperators (pairwise messages, each node call "
				  "linear in its peers) over [run] duration");
		budget_add_bytes(b, n * coops * BYTES_PER_NODE_PEER, "[web] cooperators");
	}

	budget_add_bytes(b, n * pages * (objects * 2 * sizeof(uint64_t) + sizeof(struct page)),
			 "[web] cooperators, [site] pages, embedded_max");
	budget_add_bytes(b, (double)scenario_count(sc, "clients", "resolvers") * n *
			 BYTES_PER_DNS_ENTRY, "[clients] resolvers, [web] cooperators");
	budget_add_bytes(b, (peak + scenario_real(sc, "clients", "other_sites") * coops) *
			 MIN(patience, t) * (BYTES_PER_VISIT + objects * sizeof(uint64_t)),
			 "[clients] baseline, shock, trace, other_sites, patience");
	if (bt > 0)
		budget_add_bytes(b, peak * bt * bt_stay *
				 swarm_estimate_peer_bytes(sc, (uint64_t)MIN(site_bytes, 1e18)),
				 "[clients] bittorrent, seeding_time, [site] pages, "
				 "[bittorrent] piece_size");
}
