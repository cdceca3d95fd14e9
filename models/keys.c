/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Every scenario key, once.  Parsing, validation, defaults, `flashcoop keys`
 * and docs/scenario.md all come from this table; a model reads its keys by
 * name through sim/scenario.h and asserts that they are here.
 */
#include "models/models.h"

#include <glib.h>

#include "flashcoop/core.h"
#include "models/web/arrivals.h"
#include "models/web/server.h"
#include "models/world/topology.h"
#include "sim/evq.h"
#include "sim/recorder.h"

/*
 * The choices of the models' KEY_ENUM keys whose enums are not public yet.
 * Where a model has its enum, the value is its constant; elsewhere it is
 * the position of the name, in this order, which the model's own enum is
 * to follow.
 */
static const struct fc_enum_name web_policy_names[] = {
	{ "none", 0 }, { "mirror", 1 }, { "redirect", 2 }, { "coop", 3 }, { NULL, 0 },
};

static const struct fc_enum_name cpu_distribution_names[] = {
	{ "exponential", SERVER_CPU_EXPONENTIAL }, { "constant", SERVER_CPU_CONSTANT },
	{ NULL, 0 },
};

static const struct fc_enum_name seeding_distribution_names[] = {
	{ "exponential", 0 }, { "constant", 1 }, { NULL, 0 },
};

static const struct fc_enum_name arrival_names[] = {
	{ "profile", 0 }, { "trace", 1 }, { NULL, 0 },
};

static const struct fc_enum_name ramp_names[] = {
	{ "linear", ARRIVALS_LINEAR }, { "exponential", ARRIVALS_EXPONENTIAL }, { NULL, 0 },
};

static const struct fc_enum_name latency_names[] = {
	{ "access", 0 }, { "topology", 1 }, { NULL, 0 },
};

static const struct fc_enum_name generator_names[] = {
	{ "barabasi", TOPOLOGY_BARABASI },
	{ "erdos_renyi", TOPOLOGY_ERDOS_RENYI },
	{ "watts_strogatz", TOPOLOGY_WATTS_STROGATZ },
	{ NULL, 0 },
};

static const struct fc_enum_name predistribution_names[] = {
	{ "ready", 0 }, { "bittorrent", 1 }, { NULL, 0 },
};

static const struct fc_enum_name transport_names[] = {
	{ "bittorrent", 0 }, { "http", 1 }, { NULL, 0 },
};

static const struct key_def defs[] = {
	/* What the scenario is: stored with each run, no effect on results. */
	{ "scenario", "name", KEY_STRING, KEY_META, NULL, "", NULL, NULL, NULL,
	  "short name stored with each run (empty: the file name without .ini)" },
	{ "scenario", "description", KEY_STRING, KEY_META, NULL, "", NULL, NULL, NULL,
	  "free text describing the scenario" },
	{ "scenario", "include", KEY_STRING, KEY_META, NULL, "", NULL, NULL, NULL,
	  "base scenario read first, whose keys this file overrides (path relative to this file)" },

	/* How the run goes. */
	{ "run", "model", KEY_ENUM, 0, NULL, "mmck", NULL, NULL, model_names,
	  "what is simulated: mmck, an M/M/c/K station with a closed-form solution; web, an origin, its cooperators and a flash crowd; swarm, one BitTorrent swarm under the fluid model's workload" },
	{ "run", "seed", KEY_COUNT, 0, "seed", "1", NULL, NULL, NULL,
	  "master seed of the random streams (each run also has a replication number)" },
	{ "run", "warmup", KEY_DURATION, 0, NULL, "0s", NULL, NULL, NULL,
	  "simulated time before measurement starts" },
	{ "run", "duration", KEY_DURATION, 0, NULL, "1h", ">0s", NULL, NULL,
	  "simulated time measured after the warm-up; the run ends at warmup + duration" },
	{ "run", "max_events", KEY_COUNT, 0, "events", "0", NULL, NULL, NULL,
	  "mark the run failed once it has executed this many events (0: no limit)" },
	{ "run", "record", KEY_ENUM, KEY_LIST, NULL, "scalar, vector, statistic, event",
	  NULL, NULL, recorder_kind_names,
	  "kinds of results written to the database; leave out what a sweep does not need" },
	{ "run", "queue", KEY_ENUM, KEY_META, NULL, "radix", NULL, NULL, evq_names,
	  "pending-event set of the engine; results are identical with either" },

	/* The M/M/c/K station (run.model = mmck). */
	{ "mmck", "servers", KEY_COUNT, 0, "servers", "1", "1", "1000000", NULL,
	  "servers c, each serving one customer at a time" },
	{ "mmck", "capacity", KEY_COUNT, 0, "customers", "1001", "1", "100000000", NULL,
	  "customers K in the system at most, in service and waiting; K >= servers" },
	{ "mmck", "arrival_rate", KEY_REAL, 0, "1/s", "0.8", ">0", "1e9", NULL,
	  "Poisson arrival rate lambda, customers per second" },
	{ "mmck", "service_rate", KEY_REAL, 0, "1/s", "1", ">0", "1e9", NULL,
	  "service rate mu of one server, customers per second" },
	{ "mmck", "sample_interval", KEY_DURATION, 0, NULL, "0s", NULL, NULL, NULL,
	  "period of the 'in_system' time series during measurement (0s: none)" },
	{ "mmck", "log_full", KEY_BOOL, 0, NULL, "false", NULL, NULL, NULL,
	  "write an event_log row each time the station fills up or has room again" },

	/* The web flash-crowd model (run.model = web): servers. */
	{ "web", "cooperators", KEY_COUNT, 0, "servers", "80", NULL, "1000", NULL,
	  "cooperating servers beside the origin, each hosting a site of its own" },
	{ "web", "policy", KEY_ENUM, 0, NULL, "coop", NULL, NULL, web_policy_names,
	  "none: no cooperation; mirror: every server holds every site, DNS round robin; redirect: HTTP redirects only, helpers fetch from the origin; coop: the proposed method through libflashcoop-core" },
	{ "web", "workers", KEY_COUNT, 0, "workers", "150", "1", "100000", NULL,
	  "MaxRequestWorkers of every server" },
	{ "web", "backlog", KEY_COUNT, 0, "connections", "511", NULL, "1000000", NULL,
	  "ListenBacklog: connections waiting for a worker, at most" },
	{ "web", "cpu", KEY_DURATION, 0, NULL, "2ms", ">0s", "1h", NULL,
	  "mean CPU time per request" },
	{ "web", "cpu_distribution", KEY_ENUM, 0, NULL, "exponential", NULL, NULL,
	  cpu_distribution_names, "distribution of the CPU time per request" },
	{ "web", "uplink", KEY_RATE, 0, NULL, "100Mbit/s", ">0bit/s", NULL, NULL,
	  "access link of every server, towards the clients" },
	{ "web", "downlink", KEY_RATE, 0, NULL, "100Mbit/s", ">0bit/s", NULL, NULL,
	  "access link of every server, inbound (content fetched from others)" },
	{ "web", "latency", KEY_DURATION, 0, NULL, "5ms", NULL, "10s", NULL,
	  "one-way latency from a server to the core of the network" },
	{ "web", "crash_after", KEY_DURATION, 0, NULL, "0s", NULL, NULL, NULL,
	  "a server whose backlog stays at least 90% full this long crashes (0s: never)" },
	{ "web", "reboot_delay", KEY_DURATION, 0, NULL, "5min", ">0s", NULL, NULL,
	  "a crashed server is back this long after the crash" },
	{ "web", "sample_interval", KEY_DURATION, 0, NULL, "10s", ">0s", NULL, NULL,
	  "period of the time series (per server and per site)" },

	/* What the sites hold: pages of SURGE-like objects. */
	{ "site", "pages", KEY_COUNT, 0, "pages", "10", "1", "100000", NULL,
	  "pages per site, chosen by clients with Zipf popularity" },
	{ "site", "zipf", KEY_REAL, 0, NULL, "1", "0", "10", NULL,
	  "Zipf exponent of page popularity (0: uniform)" },
	{ "site", "html_mu", KEY_REAL, 0, "ln bytes", "9.357", "0", "30", NULL,
	  "HTML size, lognormal body: mu (SURGE)" },
	{ "site", "html_sigma", KEY_REAL, 0, "ln bytes", "1.318", "0", "10", NULL,
	  "HTML size, lognormal body: sigma (SURGE)" },
	{ "site", "tail_share", KEY_RATIO, 0, NULL, "7%", "0", "1", NULL,
	  "share of HTML sizes drawn from the Pareto tail instead (SURGE)" },
	{ "site", "tail_k", KEY_SIZE, 0, NULL, "133kB", "1B", NULL, NULL,
	  "HTML size, Pareto tail: scale k (SURGE)" },
	{ "site", "tail_alpha", KEY_REAL, 0, NULL, "1.1", ">0", "10", NULL,
	  "HTML size, Pareto tail: shape alpha (SURGE)" },
	{ "site", "embedded_k", KEY_REAL, 0, "objects", "1", ">0", "100", NULL,
	  "embedded objects per page, Pareto: scale k (SURGE)" },
	{ "site", "embedded_alpha", KEY_REAL, 0, NULL, "2.43", ">0", "10", NULL,
	  "embedded objects per page, Pareto: shape alpha (SURGE)" },
	{ "site", "embedded_max", KEY_COUNT, 0, "objects", "50", NULL, "10000", NULL,
	  "embedded objects per page, at most" },
	{ "site", "embedded_mu", KEY_REAL, 0, "ln bytes", "8.215", "0", "30", NULL,
	  "embedded object size, lognormal: mu (SURGE)" },
	{ "site", "embedded_sigma", KEY_REAL, 0, "ln bytes", "1.46", "0", "10", NULL,
	  "embedded object size, lognormal: sigma (SURGE)" },

	/* The clients. */
	{ "clients", "arrival", KEY_ENUM, 0, NULL, "profile", NULL, NULL, arrival_names,
	  "arrivals of the origin's clients: a flash-crowd profile, or a trace of counts" },
	{ "clients", "baseline", KEY_REAL, 0, "clients/s", "4", ">0", "1e7", NULL,
	  "profile: arrival rate outside the flash crowd" },
	{ "clients", "shock", KEY_REAL, 0, "x baseline", "100", "1", "10000", NULL,
	  "profile: peak rate over the baseline" },
	{ "clients", "start", KEY_DURATION, 0, NULL, "300s", NULL, NULL, NULL,
	  "profile: when the ramp up begins" },
	{ "clients", "ramp_up", KEY_DURATION, 0, NULL, "60s", NULL, NULL, NULL,
	  "profile: time from the baseline to the peak" },
	{ "clients", "sustained", KEY_DURATION, 0, NULL, "600s", NULL, NULL, NULL,
	  "profile: time at the peak" },
	{ "clients", "ramp_down", KEY_DURATION, 0, NULL, "300s", NULL, NULL, NULL,
	  "profile: time from the peak back to the baseline" },
	{ "clients", "ramp", KEY_ENUM, 0, NULL, "linear", NULL, NULL, ramp_names,
	  "profile: shape of the ramps" },
	{ "clients", "trace", KEY_STRING, 0, NULL, "", NULL, NULL, NULL,
	  "trace: file of counts (CSV period,count or one count per line), relative to the working directory" },
	{ "clients", "trace_period", KEY_DURATION, 0, NULL, "1min", ">0s", NULL, NULL,
	  "trace: time each count covers" },
	{ "clients", "trace_time_scale", KEY_REAL, 0, NULL, "1", ">0", "1e6", NULL,
	  "trace: time stretch (0.1 plays a day in 2.4 hours)" },
	{ "clients", "trace_rate_scale", KEY_REAL, 0, NULL, "1", ">0", "1e6", NULL,
	  "trace: factor on the counts" },
	{ "clients", "other_sites", KEY_REAL, 0, "clients/s", "0.5", "0", "1e6", NULL,
	  "arrival rate at each cooperator's own site" },
	{ "clients", "connections", KEY_COUNT, 0, "connections", "4", "1", "32", NULL,
	  "parallel persistent connections per server" },
	{ "clients", "patience", KEY_DURATION, 0, NULL, "30s", ">0s", NULL, NULL,
	  "a client gives up on a page not complete after this" },
	{ "clients", "syn_retries", KEY_COUNT, 0, "SYNs", "6", NULL, "20", NULL,
	  "SYNs sent again when lost (Linux tcp_syn_retries)" },
	{ "clients", "syn_timeout", KEY_DURATION, 0, NULL, "1s", ">0s", NULL, NULL,
	  "wait before the first SYN is sent again; doubled each time" },
	{ "clients", "downlink_median", KEY_RATE, 0, NULL, "10Mbit/s", ">0bit/s", NULL, NULL,
	  "client access bandwidth, lognormal: median" },
	{ "clients", "downlink_sigma", KEY_REAL, 0, NULL, "1", "0", "5", NULL,
	  "client access bandwidth, lognormal: sigma of its logarithm" },
	{ "clients", "latency_median", KEY_DURATION, 0, NULL, "20ms", ">0s", "10s", NULL,
	  "one-way latency from a client to the core, lognormal: median" },
	{ "clients", "latency_sigma", KEY_REAL, 0, NULL, "0.5", "0", "5", NULL,
	  "one-way latency from a client to the core, lognormal: sigma" },
	{ "clients", "resolvers", KEY_COUNT, 0, "resolvers", "100", "1", "1000000", NULL,
	  "DNS resolvers the clients are spread over" },
	{ "clients", "sticky_share", KEY_RATIO, 0, NULL, "5%", "0", "1", NULL,
	  "share of resolvers that keep answers longer than the TTL" },
	{ "clients", "bittorrent", KEY_RATIO, 0, NULL, "0%", "0", "1", NULL,
	  "share of clients that use BitTorrent (web.policy = coop): they get the site's .torrent, download the site from its swarm and seed it" },
	{ "clients", "torrent_timeout", KEY_DURATION, 0, NULL, "5s", ">0s", NULL, NULL,
	  "a BitTorrent client that has no .torrent from the site's servers after this asks the tracker for it" },
	{ "clients", "uplink_share", KEY_RATIO, 0, NULL, "25%", ">0", "1", NULL,
	  "a BitTorrent client's uplink as a share of its downlink" },
	{ "clients", "seeding_time", KEY_DURATION, 0, NULL, "10min", NULL, NULL, NULL,
	  "mean time a BitTorrent client seeds the site once it has all of it (exponential)" },

	/* Latencies. */
	{ "network", "isps", KEY_COUNT, 0, "links", "0", NULL, "100000", NULL,
	  "ISPs the clients are spread over, each with one shared link that all its clients' downloads cross (0: none)" },
	{ "network", "isp_link", KEY_RATE, 0, NULL, "1Gbit/s", ">0bit/s", NULL, NULL,
	  "capacity of each ISP's shared link" },
	{ "network", "latency", KEY_ENUM, 0, NULL, "access", NULL, NULL, latency_names,
	  "access: a one-way latency is the sum of both ends' access latencies; topology: plus the hops between the routers they attach to" },
	{ "network", "generator", KEY_ENUM, 0, NULL, "barabasi", NULL, NULL,
	  generator_names,
	  "topology: igraph generator of the router graph" },
	{ "network", "routers", KEY_COUNT, 0, "routers", "200", "2", "5000", NULL,
	  "topology: routers; servers and clients attach to them at random" },
	{ "network", "degree", KEY_COUNT, 0, "links", "2", "1", "100", NULL,
	  "topology: links per new router (barabasi), mean degree (erdos_renyi), neighbours each side (watts_strogatz)" },
	{ "network", "rewire", KEY_RATIO, 0, NULL, "10%", "0", "1", NULL,
	  "topology: rewiring probability (watts_strogatz)" },
	{ "network", "hop_delay", KEY_DURATION, 0, NULL, "2ms", NULL, "1s", NULL,
	  "topology: one-way delay of each router hop" },

	/* DNS. */
	{ "dns", "ttl", KEY_DURATION, 0, NULL, "60s", NULL, NULL, NULL,
	  "TTL of every A record" },
	{ "dns", "update_delay", KEY_DURATION, 0, NULL, "1s", NULL, NULL, NULL,
	  "time from a dynamic update to its effect at the authority" },
	{ "dns", "sticky_hold", KEY_DURATION, 0, NULL, "10min", NULL, NULL, NULL,
	  "how long sticky resolvers keep an answer" },

	/* The cooperation node of every server (web.policy = coop or redirect). */
	{ "coop", "flash_threshold", KEY_REAL, 0, NULL, "0.8", ">0", "100", NULL,
	  "load (largest of busy/workers, waiting/backlog, uplink use) that starts a flash crowd" },
	{ "coop", "low_water", KEY_REAL, 0, NULL, "0.5", ">0", "100", NULL,
	  "hysteresis: load under which the node is calm" },
	{ "coop", "smoothing", KEY_ENUM, 0, NULL, "ewma", NULL, NULL, fc_smoothing_names,
	  "how load samples are smoothed" },
	{ "coop", "smooth_time", KEY_DURATION, 0, NULL, "10s", ">0s", NULL, NULL,
	  "time constant (ewma) or length (window) of the smoothing" },
	{ "coop", "load_interval", KEY_DURATION, 0, NULL, "1s", ">0s", NULL, NULL,
	  "how often a server reports its load to its node" },
	{ "coop", "leave", KEY_ENUM, 0, NULL, "timer", NULL, NULL, fc_leave_names,
	  "timer: leave the flash crowd after flash_hold (the paper); hysteresis: after calm_hold under low_water" },
	{ "coop", "flash_hold", KEY_DURATION, 0, NULL, "30min", ">0s", NULL, NULL,
	  "time in the flash-crowd state (timer)" },
	{ "coop", "calm_hold", KEY_DURATION, 0, NULL, "5min", ">0s", NULL, NULL,
	  "calm time before leaving the flash-crowd state (hysteresis)" },
	{ "coop", "extend_while_high", KEY_BOOL, 0, NULL, "false", NULL, NULL, NULL,
	  "restart the flash_hold timer while the load stays high" },
	{ "coop", "rescue_hold", KEY_DURATION, 0, NULL, "30min", ">0s", NULL, NULL,
	  "time a rescue lasts after its last cause" },
	{ "coop", "protect_self", KEY_BOOL, 0, NULL, "false", NULL, NULL, NULL,
	  "a rescuer under high load asks others to stop sending redirected load" },
	{ "coop", "protect_threshold", KEY_REAL, 0, NULL, "0.9", ">0", "100", NULL,
	  "load above which a self-protecting rescuer takes no new redirected load" },
	{ "coop", "share", KEY_ENUM, 0, NULL, "fixed", NULL, NULL, fc_share_names,
	  "fixed: redirect redirect_share of the requests (the paper); feedback: the excess above target_load" },
	{ "coop", "redirect_share", KEY_RATIO, 0, NULL, "50%", "0", "1", NULL,
	  "share of the origin's requests redirected in a flash crowd (fixed)" },
	{ "coop", "target_load", KEY_REAL, 0, NULL, "0.7", ">0", "100", NULL,
	  "load the origin aims to keep (feedback)" },
	{ "coop", "max_share", KEY_RATIO, 0, NULL, "90%", "0", "1", NULL,
	  "share redirected at most (feedback)" },
	{ "coop", "target", KEY_ENUM, 0, NULL, "round_robin", NULL, NULL,
	  fc_target_names,
	  "to whom requests are redirected: in turn, by reported spare capacity, or by a hash of the object" },
	{ "coop", "probe_interval", KEY_DURATION, 0, NULL, "10s", ">0s", NULL, NULL,
	  "liveness probes to each cooperator" },
	{ "coop", "probe_jitter", KEY_RATIO, 0, NULL, "10%", "0", "1", NULL,
	  "each probe interval is drawn within this share around it" },
	{ "coop", "probe_timeout", KEY_DURATION, 0, NULL, "2s", ">0s", NULL, NULL,
	  "a probe unanswered this long is a miss" },
	{ "coop", "probe_misses", KEY_COUNT, 0, "probes", "3", "1", "100", NULL,
	  "misses in a row before a cooperator is believed down" },
	{ "coop", "heartbeat_interval", KEY_DURATION, 0, NULL, "10s", ">0s", NULL, NULL,
	  "heartbeats carrying load and spare capacity" },
	{ "coop", "spread", KEY_ENUM, 0, NULL, "objects", NULL, NULL,
	  fc_spread_names,
	  "how rescuers get the data: the redirected objects (one torrent each under transport = bittorrent), the whole site, or copies distributed beforehand to the cooperators that consent (up to copy_limit)" },
	{ "coop", "predistribution", KEY_ENUM, 0, NULL, "ready", NULL, NULL, predistribution_names,
	  "spread = predistributed: the copies are there when the run starts (ready), or the site is published at time 0 and the cooperators that take copies download them from its swarm (bittorrent)" },
	{ "coop", "transport", KEY_ENUM, 0, NULL, "bittorrent", NULL, NULL, transport_names,
	  "how a rescuer fetches the data: through the site's BitTorrent swarm (serving what has arrived) or by HTTP from the origin; web.policy = redirect always uses http" },
	{ "coop", "copy_limit", KEY_SIZE, 0, NULL, "1GB", NULL, NULL, NULL,
	  "predistributed: cooperators accept copies of sites up to this size" },

	/* BitTorrent, wherever swarms run (run.model = swarm or web). */
	{ "bittorrent", "piece_size", KEY_SIZE, 0, NULL, "256KiB", "1B", NULL, NULL,
	  "size of a piece, the unit peers request and trade" },
	{ "bittorrent", "block_size", KEY_SIZE, 0, NULL, "16KiB", "1B", NULL, NULL,
	  "size of a block, the unit of requests; a piece has 64 blocks at most" },
	{ "bittorrent", "request_blocks", KEY_COUNT, 0, "blocks", "4", "1", "64", NULL,
	  "blocks in a row one request asks for (the requests a client keeps in its pipeline)" },
	{ "bittorrent", "connections", KEY_COUNT, 0, "peers", "40", "1", "10000", NULL,
	  "neighbours of a peer at most" },
	{ "bittorrent", "regular_unchokes", KEY_COUNT, 0, "peers", "3", "1", "1000", NULL,
	  "upload slots given by rate at each rechoke (download rate; upload rate when seeding)" },
	{ "bittorrent", "optimistic_unchokes", KEY_COUNT, 0, "peers", "1", NULL, "1000", NULL,
	  "upload slots given at random, redrawn every optimistic_interval" },
	{ "bittorrent", "rechoke_interval", KEY_DURATION, 0, NULL, "10s", ">0s", NULL, NULL,
	  "time between rechokes; rates are measured over the last two" },
	{ "bittorrent", "optimistic_interval", KEY_DURATION, 0, NULL, "30s", ">0s", NULL, NULL,
	  "time an optimistic unchoke lasts" },
	{ "bittorrent", "random_first", KEY_COUNT, 0, "pieces", "4", NULL, "100000", NULL,
	  "a peer picks pieces at random until it has this many, then rarest first" },
	{ "bittorrent", "tracker_answer", KEY_COUNT, 0, "peers", "50", "1", "10000", NULL,
	  "peers in a tracker answer at most, drawn at random" },
	{ "bittorrent", "min_peers", KEY_COUNT, 0, "peers", "20", NULL, "10000", NULL,
	  "a peer with fewer neighbours announces again after min_announce_interval" },
	{ "bittorrent", "announce_interval", KEY_DURATION, 0, NULL, "30min", ">0s", NULL, NULL,
	  "time between a peer's regular announces" },
	{ "bittorrent", "min_announce_interval", KEY_DURATION, 0, NULL, "5min", ">0s", NULL, NULL,
	  "time between announces of a peer short of neighbours (or whose announce failed)" },
	{ "bittorrent", "tracker_down_at", KEY_DURATION, 0, NULL, "0s", NULL, NULL, NULL,
	  "the tracker stops answering at this time (with tracker_down_for)" },
	{ "bittorrent", "tracker_down_for", KEY_DURATION, 0, NULL, "0s", NULL, NULL, NULL,
	  "and answers again this long after (0s: never down)" },

	/* One swarm under the fluid model's workload (run.model = swarm). */
	{ "swarm", "arrival_rate", KEY_REAL, 0, "1/s", "0.5", ">0", "1e6", NULL,
	  "Poisson arrival rate lambda of downloaders, peers per second" },
	{ "swarm", "peers", KEY_COUNT, 0, "peers", "0", NULL, NULL, NULL,
	  "arrivals stop after this many (0: no limit)" },
	{ "swarm", "file_size", KEY_SIZE, 0, NULL, "4MiB", "1B", NULL, NULL,
	  "size of the torrent's content" },
	{ "swarm", "upload", KEY_RATE, 0, NULL, "1Mbit/s", ">0bit/s", NULL, NULL,
	  "uplink of every peer (the fluid model's mu, times the file size)" },
	{ "swarm", "download", KEY_RATE, 0, NULL, "10Mbit/s", ">0bit/s", NULL, NULL,
	  "downlink of every peer (the fluid model's c, times the file size)" },
	{ "swarm", "seeding_time", KEY_DURATION, 0, NULL, "10s", ">0s", NULL, NULL,
	  "mean time a peer seeds after completing (1/gamma)" },
	{ "swarm", "seeding_distribution", KEY_ENUM, 0, NULL, "exponential", NULL, NULL,
	  seeding_distribution_names, "distribution of the seeding time" },
	{ "swarm", "abort_rate", KEY_REAL, 0, "1/s", "0", "0", "1e6", NULL,
	  "rate theta at which a downloader gives up" },
	{ "swarm", "initial_seeds", KEY_COUNT, 0, "peers", "1", NULL, "100000", NULL,
	  "seeds present from the start, never leaving (not counted in the seeds measured)" },
	{ "swarm", "initial_seed_upload", KEY_RATE, 0, NULL, "1Mbit/s", ">0bit/s", NULL, NULL,
	  "uplink of each initial seed" },
	{ "swarm", "sample_interval", KEY_DURATION, 0, NULL, "10s", NULL, NULL, NULL,
	  "period of the downloaders and seeds time series during measurement (0s: none)" },
};

const struct key_table scenario_keys = { defs, G_N_ELEMENTS(defs) };
