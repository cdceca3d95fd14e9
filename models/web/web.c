/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The web model: built from the scenario, on the shared world. */
#include "models/web/internal.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/hash.h"


/* Orders a server's swarms by torrent id (GUINT_TO_POINTER keys). */
static gint
torrent_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	guint x = GPOINTER_TO_UINT(a), y = GPOINTER_TO_UINT(b);

	(void)unused;
	return x < y ? -1 : x > y;
}

static void
tracker_down(struct engine *e, void *data, fc_time_t now)
{
	struct web *w = data;

	(void)e;
	rec_event(w->ctx->rec, now, "tracker", "down", NULL);
}

/*
 * Reads the trace of [clients] trace; NULL with err set, prefixed with
 * where the key was set, when the file is missing, not a regular file of
 * bounded size, or not a trace.
 */
static double *
read_trace(const struct scenario *sc, size_t *n, GError **err)
{
	double *counts = arrivals_read_trace(scenario_string(sc, "clients", "trace"), n,
					     err);

	if (!counts)
		g_prefix_error(err, "%s: [clients] trace: ",
			       scenario_where(sc, "clients", "trace"));
	return counts;
}

static gboolean
web_check(const struct scenario *sc, GError **err)
{
	if (scenario_enum(sc, "clients", "arrival") == WEB_ARRIVAL_TRACE) {
		g_autofree double *counts = NULL;
		size_t n;

		if (!*scenario_string(sc, "clients", "trace"))
			return scenario_invalid(sc, err, "clients", "trace",
						"[clients] arrival = trace needs a trace file");
		/* The file is read here too, so that a sweep finds a bad trace
		 * before any of its runs starts. */
		counts = read_trace(sc, &n, err);
		if (!counts)
			return FALSE;
	}
	if (scenario_enum(sc, "clients", "arrival") == WEB_ARRIVAL_PROFILE &&
	    scenario_real(sc, "clients", "shock") > 1) {
		fc_time_t start = scenario_duration(sc, "clients", "start");
		fc_time_t warmup = scenario_duration(sc, "run", "warmup");
		fc_time_t end = warmup + scenario_duration(sc, "run", "duration");

		/* A crowd the measurement does not see reports a calm run. */
		if (start < warmup)
			return scenario_invalid(sc, err, "clients", "start",
						"the flash crowd starts at %s, before the "
						"measurement starts ([run] warmup = %s)",
						scenario_value_text(sc, "clients", "start"),
						scenario_value_text(sc, "run", "warmup"));
		if (start >= end)
			return scenario_invalid(sc, err, "clients", "start",
						"the flash crowd starts at %s, when the run "
						"has ended ([run] warmup + duration = %.9gs)",
						scenario_value_text(sc, "clients", "start"),
						fc_time_to_sec(end));
	}
	if (scenario_real(sc, "coop", "low_water") > scenario_real(sc, "coop", "flash_threshold"))
		return scenario_invalid(sc, err, "coop", "low_water",
					"%s is above [coop] flash_threshold (%s)",
					scenario_value_text(sc, "coop", "low_water"),
					scenario_value_text(sc, "coop", "flash_threshold"));
	if (scenario_duration(sc, "web", "latency") == 0 &&
	    scenario_enum(sc, "web", "policy") == WEB_POLICY_COOP)
		return scenario_invalid(sc, err, "web", "latency",
					"the cooperation nodes need a latency above 0s");
	/* RFC 8305 §5: an attempt "MUST NOT be started within 10 milliseconds
	 * of the previous attempt". */
	if (scenario_duration(sc, "clients", "attempt_delay") > 0 &&
	    scenario_duration(sc, "clients", "attempt_delay") < 10 * FC_MSEC)
		return scenario_invalid(sc, err, "clients", "attempt_delay",
					"%s is below 10ms, the least RFC 8305 allows "
					"(0s: no fallback)",
					scenario_value_text(sc, "clients", "attempt_delay"));
	if (!web_faults_check(sc, err))
		return FALSE;
	/* A site's torrent is as large as its pages are drawn, which is
	 * known only when the model is built. */
	return swarm_config_check(sc, 0, err);
}

static void
site_params_read(struct site_params *p, const struct scenario *sc)
{
	*p = (struct site_params){
		.pages = scenario_count(sc, "site", "pages"),
		.zipf = scenario_real(sc, "site", "zipf"),
		.html_mu = scenario_real(sc, "site", "html_mu"),
		.html_sigma = scenario_real(sc, "site", "html_sigma"),
		.tail_share = scenario_ratio(sc, "site", "tail_share"),
		.tail_alpha = scenario_real(sc, "site", "tail_alpha"),
		.tail_k = scenario_size(sc, "site", "tail_k"),
		.embedded_k = scenario_real(sc, "site", "embedded_k"),
		.embedded_alpha = scenario_real(sc, "site", "embedded_alpha"),
		.embedded_max = scenario_count(sc, "site", "embedded_max"),
		.embedded_mu = scenario_real(sc, "site", "embedded_mu"),
		.embedded_sigma = scenario_real(sc, "site", "embedded_sigma"),
	};
}

#define REPLAY_WINDOW_MIN (30 * FC_SEC)
#define REPLAY_WINDOW_LATENCIES 8

/* The nodes' common configuration, from [coop]. */
static void
node_config(struct web *w, const struct scenario *sc)
{
	struct fc_config *c = &w->node_cfg;

	fc_config_default(c);
	c->flash_threshold = scenario_real(sc, "coop", "flash_threshold");
	c->low_water = scenario_real(sc, "coop", "low_water");
	c->smoothing = scenario_enum(sc, "coop", "smoothing");
	c->smooth_time = scenario_duration(sc, "coop", "smooth_time");
	c->leave = scenario_enum(sc, "coop", "leave");
	c->flash_hold = scenario_duration(sc, "coop", "flash_hold");
	c->calm_hold = scenario_duration(sc, "coop", "calm_hold");
	c->extend_while_high = scenario_bool(sc, "coop", "extend_while_high");
	c->rescue_hold = scenario_duration(sc, "coop", "rescue_hold");
	c->protect_self = scenario_bool(sc, "coop", "protect_self");
	c->protect_threshold = scenario_real(sc, "coop", "protect_threshold");
	c->share = scenario_enum(sc, "coop", "share");
	c->redirect_share = scenario_ratio(sc, "coop", "redirect_share");
	c->target_load = scenario_real(sc, "coop", "target_load");
	c->max_share = scenario_ratio(sc, "coop", "max_share");
	c->target = scenario_enum(sc, "coop", "target");
	c->probe_mode = FC_PROBE_MESSAGE;
	c->probe_interval = scenario_duration(sc, "coop", "probe_interval");
	c->probe_jitter = scenario_ratio(sc, "coop", "probe_jitter");
	c->probe_timeout = scenario_duration(sc, "coop", "probe_timeout");
	c->probe_misses = (unsigned)scenario_count(sc, "coop", "probe_misses");
	c->heartbeat_interval = scenario_duration(sc, "coop", "heartbeat_interval");
	c->spread = scenario_enum(sc, "coop", "spread");
	c->dns_when = scenario_enum(sc, "coop", "dns_when");
	c->takeover_dns = scenario_bool(sc, "coop", "takeover_dns");
	/*
	 * The baselines from the literature fix how much goes and where
	 * (docs/baselines.md).  Backslash (Stading, Maniatis and Baker,
	 * IPTPS 2002): an overloaded site sends its excess to the overlay,
	 * where the node a URL hashes to fetches and caches it.  DotSlash
	 * (Zhao and Schulzrinne, 2004): the origin sheds load adaptively to
	 * rescue servers allotted by their spare capacity; a rescue server
	 * is a caching reverse proxy of the origin.
	 */
	if (w->policy == WEB_POLICY_BACKSLASH) {
		c->share = FC_SHARE_FEEDBACK;
		c->max_share = 1;
		c->target = FC_TARGET_HASH;
		c->spread = FC_SPREAD_OBJECTS;
	} else if (w->policy == WEB_POLICY_DOTSLASH) {
		c->share = FC_SHARE_FEEDBACK;
		c->target = FC_TARGET_SPARE;
		c->spread = FC_SPREAD_OBJECTS;
	}
	/* Messages cross the network twice a server's latency: the replay
	 * window is REPLAY_WINDOW_LATENCIES such trips, REPLAY_WINDOW_MIN at
	 * least. */
	c->replay_window = MAX(REPLAY_WINDOW_MIN, REPLAY_WINDOW_LATENCIES * w->server_latency);
}

static void web_destroy(void *data);

/*
 * The settings of server ws by its role: the origin's MaxRequestWorkers
 * and uplink where [web] origin_workers and origin_uplink are not 0, and
 * crash_after only for the roles [web] crash_roles names.  Returns its
 * uplink, bits per second.
 */
static uint64_t
server_role_params(struct wserver *ws, const struct scenario *sc)
{
	bool origin = ws->idx == 0;
	int roles = scenario_enum(sc, "web", "crash_roles");
	uint64_t workers = scenario_count(sc, "web", "origin_workers");
	uint64_t uplink = scenario_rate(sc, "web", "origin_uplink");

	ws->sp = ws->w->sp;
	if (!(origin && uplink))
		uplink = scenario_rate(sc, "web", "uplink");
	ws->uplink_bps = (double)uplink;
	if (origin && workers)
		ws->sp.workers = (unsigned)workers;
	if ((origin && roles == WEB_CRASH_ROLES_COOPERATORS) ||
	    (!origin && roles == WEB_CRASH_ROLES_ORIGIN))
		ws->sp.crash_after = 0;
	return uplink;
}

struct arrivals *
web_flash_arrivals(const struct scenario *sc, GError **err)
{
	size_t n;
	g_autofree double *counts = NULL;

	if (scenario_enum(sc, "clients", "arrival") == WEB_ARRIVAL_PROFILE) {
		const struct arrivals_profile prof = {
			.baseline = scenario_real(sc, "clients", "baseline"),
			.shock = scenario_real(sc, "clients", "shock"),
			.start = scenario_duration(sc, "clients", "start"),
			.ramp_up = scenario_duration(sc, "clients", "ramp_up"),
			.sustained = scenario_duration(sc, "clients", "sustained"),
			.ramp_down = scenario_duration(sc, "clients", "ramp_down"),
			.ramp = scenario_enum(sc, "clients", "ramp"),
		};

		return arrivals_new_profile(&prof);
	}
	counts = read_trace(sc, &n, err);
	if (!counts)
		return NULL;
	return arrivals_new_trace(counts, n, scenario_duration(sc, "clients", "trace_period"),
				  scenario_real(sc, "clients", "trace_time_scale"),
				  scenario_real(sc, "clients", "trace_rate_scale"));
}

static void *
web_create(struct world *world, const struct scenario *sc, GError **err)
{
	struct sim_ctx *ctx = world_ctx(world);
	struct web *w = g_new0(struct web, 1);
	g_autofree uint32_t *origins = NULL;
	struct dns_params dp;
	struct swarm_config bc;
	struct site_params sitep;
	fc_time_t first;

	w->world = world;
	w->ctx = ctx;
	w->e = world_engine(world);
	w->net = world_net(world);
	w->policy = scenario_enum(sc, "web", "policy");
	w->nservers = (unsigned)scenario_count(sc, "web", "cooperators") + 1;
	w->sp = (struct server_params){
		.workers = (unsigned)scenario_count(sc, "web", "workers"),
		.backlog = (unsigned)scenario_count(sc, "web", "backlog"),
		.cpu_mean_s = fc_time_to_sec(scenario_duration(sc, "web", "cpu")),
		.cpu = scenario_enum(sc, "web", "cpu_distribution"),
		.crash_after = scenario_duration(sc, "web", "crash_after"),
		.reboot_delay = scenario_duration(sc, "web", "reboot_delay"),
		.initial_window = (unsigned)scenario_count(sc, "web", "initial_window"),
	};
	w->cp = (struct client_params){
		.connections = (unsigned)scenario_count(sc, "clients", "connections"),
		.syn_retries = (unsigned)scenario_count(sc, "clients", "syn_retries"),
		.syn_timeout = scenario_duration(sc, "clients", "syn_timeout"),
		.patience = scenario_duration(sc, "clients", "patience"),
		.attempt_delay = scenario_duration(sc, "clients", "attempt_delay"),
	};
	w->server_latency = scenario_duration(sc, "web", "latency");
	w->sample_interval = scenario_duration(sc, "web", "sample_interval");
	w->load_interval = scenario_duration(sc, "coop", "load_interval");
	w->load_form = scenario_enum(sc, "coop", "load_form");
	w->other_rate = scenario_real(sc, "clients", "other_sites");
	w->down_median = (double)scenario_rate(sc, "clients", "downlink_median");
	w->down_sigma = scenario_real(sc, "clients", "downlink_sigma");
	w->lat_median_s = fc_time_to_sec(scenario_duration(sc, "clients", "latency_median"));
	w->lat_sigma = scenario_real(sc, "clients", "latency_sigma");
	w->resolvers = scenario_count(sc, "clients", "resolvers");
	slab_init(&w->msgs, sizeof(struct message));
	w->live = g_hash_table_new(sim_hash_direct, g_direct_equal);
	w->fetches = g_hash_table_new_full(sim_hash_direct, g_direct_equal, g_free, NULL);
	w->finished = g_ptr_array_new();
	w->origin_crash = w->origin_rescued = w->origin_served = FC_TIME_NEVER;
	w->predistributed = w->policy == WEB_POLICY_COOP &&
			    scenario_enum(sc, "coop", "spread") == FC_SPREAD_PREDISTRIBUTED;
	w->copy_limit = scenario_size(sc, "coop", "copy_limit");
	w->copies_by_bt = w->predistributed &&
			  scenario_enum(sc, "coop", "predistribution") ==
			  WEB_PREDISTRIBUTION_BITTORRENT;
	swarm_config_read(&bc, sc);
	bc.master_seed = ctx->seed;
	bc.replication = ctx->replication;
	w->piece_size = bc.piece_size;
	w->bt_fetch = w->policy == WEB_POLICY_COOP &&
		      scenario_enum(sc, "coop", "transport") == WEB_TRANSPORT_BITTORRENT;
	/* The two kinds of client are the clients' own (seed 000 Sec. 4.2.4),
	 * whatever the servers do. */
	w->bt_share = scenario_ratio(sc, "clients", "bittorrent");
	w->uplink_share = scenario_ratio(sc, "clients", "uplink_share");
	w->seeding_mean = scenario_duration(sc, "clients", "seeding_time");
	w->cp_torrent = w->cp;
	w->cp_torrent.patience = scenario_duration(sc, "clients", "torrent_timeout");

	/* The arrivals first: a bad trace is bad input. */
	w->flash = web_flash_arrivals(sc, err);
	if (!w->flash) {
		web_destroy(w);
		return NULL;
	}

	site_params_read(&sitep, sc);
	w->sites = g_new0(struct site, w->nservers);
	for (uint32_t i = 0; i < w->nservers; i++)
		web_build_site(w, &sitep, i);

	dp = (struct dns_params){
		.ttl = scenario_duration(sc, "dns", "ttl"),
		.update_delay = scenario_duration(sc, "dns", "update_delay"),
		.sticky_hold = scenario_duration(sc, "dns", "sticky_hold"),
		.resolvers = w->resolvers,
		.sticky = (size_t)floor(scenario_ratio(sc, "clients", "sticky_share") *
					(double)w->resolvers),
	};
	origins = g_new(uint32_t, w->nservers);
	for (uint32_t i = 0; i < w->nservers; i++)
		origins[i] = i + 1;
	w->dns = dns_new(w->e, &dp, w->nservers, origins, ctx->rec);
	if (w->policy == WEB_POLICY_MIRROR)
		for (uint32_t site = 0; site < w->nservers; site++)
			for (uint32_t a = 1; a <= w->nservers; a++)
				if (a != site + 1)
					dns_add_now(w->dns, site, a);

	/* A key per pair of servers, from the seed. */
	w->keys = g_malloc0((size_t)w->nservers * w->nservers * 32);
	for (unsigned i = 0; i < w->nservers; i++) {
		for (unsigned j = i + 1; j < w->nservers; j++) {
			g_autofree char *text = g_strdup_printf(
				"flashcoop pair key %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
				" %u %u", ctx->seed, ctx->replication, i, j);
			GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
			gsize len = 32;

			g_checksum_update(ck, (const guchar *)text, -1);
			g_checksum_get_digest(ck, w->keys[i * w->nservers + j], &len);
			g_checksum_free(ck);
		}
	}
	node_config(w, sc);

	if (w->bt_fetch || w->bt_share > 0 || w->copies_by_bt) {
		struct swarm_tracker_config tc;

		swarm_tracker_config_read(&tc, sc);
		rng_stream_init(&w->tracker_rs, ctx->seed, ctx->replication, "bt-tracker", 0);
		w->tr = tracker_new(&w->tracker_rs, tc.answer);
		if (tc.down_for > 0) {
			tracker_set_down(w->tr, tc.down_at, fc_time_add(tc.down_at, tc.down_for));
			engine_schedule_at(w->e, tc.down_at, tracker_down, w);
		}
		w->swarm = swarm_new(w->e, w->net, w->tr, &bc);
		w->torrents = g_hash_table_new_full(sim_hash_int64, g_int64_equal, g_free, NULL);
		w->torrent_of = g_array_new(FALSE, FALSE, sizeof(struct torrent_of));
	}
	w->servers = g_new0(struct wserver, w->nservers);
	for (unsigned i = 0; i < w->nservers; i++) {
		struct wserver *ws = &w->servers[i];
		g_autofree char *entity = g_strdup_printf("server.%u", i);

		ws->w = w;
		ws->idx = i;
		ws->address = i + 1;
		ws->router = world_place(world, "server-router", i);
		ws->up = net_link_add(w->net, server_role_params(ws, sc));
		ws->down = net_link_add(w->net, scenario_rate(sc, "web", "downlink"));
		rng_stream_init(&ws->cpu, ctx->seed, ctx->replication, "server-cpu", i);
		rng_stream_init(&ws->node_rng, ctx->seed, ctx->replication, "node", i);
		ws->srv = server_new(w->e, w->net, ws->up, &ws->sp, &ws->cpu);
		server_set_router(ws->srv, &(struct server_router){ web_route, web_updown, web_unheld,
								   ws, web_sent });
		ws->have = g_hash_table_new_full(sim_hash_str, g_str_equal, g_free, NULL);
		ws->fetching = g_hash_table_new_full(sim_hash_str, g_str_equal, g_free, NULL);
		ws->waiters = g_ptr_array_new_with_free_func(g_free);
		ws->speers = g_tree_new_full(torrent_cmp, NULL, NULL, g_free);
		ws->copied = g_new0(bool, w->nservers);
		web_add_copies(ws);
	}
	web_metrics_new(w);
	web_faults_start(w, sc);
	if (web_policy_has_nodes(w->policy)) {
		for (unsigned i = 0; i < w->nservers; i++)
			web_node_start(&w->servers[i]);
		engine_schedule(w->e, w->load_interval, web_report_loads, w);
	}
	/* Predistribution through BitTorrent: each site is published at the
	 * start, and its node pushes copies to the cooperators that consented,
	 * which download them from its swarm. */
	for (uint32_t site = 0; w->copies_by_bt && site < w->nservers; site++)
		web_site_published(&w->servers[site]);
	rng_stream_init(&w->arrivals_rng, ctx->seed, ctx->replication, "flash-arrivals", 0);
	rng_stream_init(&w->others_rng, ctx->seed, ctx->replication, "other-arrivals", 0);
	first = arrivals_next(w->flash, &w->arrivals_rng, 0);
	if (first < ctx->end)
		engine_schedule_at(w->e, first, web_flash_arrival, w);
	if (w->other_rate > 0 && w->nservers > 1)
		engine_schedule(w->e, web_other_gap(w), web_other_arrival, w);
	engine_schedule(w->e, w->sample_interval, web_sample, w);
	return w;
}

/* Orders visits (in a pointer array) by their numbers. */
static gint
visit_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	const struct visit *x = *(struct visit *const *)a, *y = *(struct visit *const *)b;

	(void)unused;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void
web_destroy(void *data)
{
	struct web *w = data;

	if (!w)
		return;
	/* Sessions first: they let go of the servers' connections.  In the
	 * order of the visits' numbers, not the hash table's: freeing one can
	 * start another's request or cancel a flow. */
	if (w->live) {
		GHashTableIter it;
		gpointer k;
		guint first = w->finished->len;

		g_hash_table_iter_init(&it, w->live);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_ptr_array_add(w->finished, k);
		g_hash_table_unref(w->live);
		g_qsort_with_data(w->finished->pdata + first, (gint)(w->finished->len - first),
				  sizeof(gpointer), visit_cmp, NULL);
	}
	web_reap(w->e, w, 0);
	g_ptr_array_unref(w->finished);
	swarm_free(w->swarm); /* before the servers' peers and the network */
	for (unsigned i = 0; w->servers && i < w->nservers; i++) {
		struct wserver *ws = &w->servers[i];

		fc_node_free(ws->node);
		server_free(ws->srv);
		g_hash_table_unref(ws->have);
		g_hash_table_unref(ws->fetching);
		g_ptr_array_unref(ws->waiters);
		if (ws->speers)
			g_tree_unref(ws->speers);
		g_free(ws->copied);
	}
	g_free(w->servers);
	for (unsigned i = 0; w->sites && i < w->nservers; i++) {
		for (size_t p = 0; p < w->sites[i].npages; p++) {
			g_free(w->sites[i].pages[p].objects);
			g_free(w->sites[i].pages[p].offset);
		}
		g_free(w->sites[i].pages);
		g_free(w->sites[i].cdf);
	}
	g_free(w->sites);
	for (int g = 0; g < 2; g++)
		if (w->groups[g].interval_times)
			g_array_unref(w->groups[g].interval_times);
	g_free(w->keys);
	dns_free(w->dns);
	arrivals_free(w->flash);
	tracker_free(w->tr);
	if (w->torrents)
		g_hash_table_unref(w->torrents);
	if (w->torrent_of)
		g_array_unref(w->torrent_of);
	slab_clear(&w->msgs);
	if (w->fetches)
		g_hash_table_unref(w->fetches);
	g_free(w);
}


/* Warns about the keys set that the other values make useless. */
static void
web_warn(const struct scenario *sc, GPtrArray *warnings)
{
	static const char *const profile[] = { "baseline", "shock", "start", "ramp_up",
					       "sustained", "ramp_down", "ramp" };
	static const char *const trace[] = { "trace", "trace_period", "trace_time_scale",
					     "trace_rate_scale" };
	static const char *const bt_clients[] = { "torrent_timeout", "uplink_share",
						  "seeding_time" };
	int policy = scenario_enum(sc, "web", "policy");
	const char *pname = scenario_choice(sc, "web", "policy");
	const struct key_table *t = scenario_keys_table(sc);
	bool bt_clients_on = scenario_ratio(sc, "clients", "bittorrent") > 0;

	if (scenario_enum(sc, "clients", "arrival") == WEB_ARRIVAL_PROFILE) {
		for (size_t i = 0; i < G_N_ELEMENTS(trace); i++)
			scenario_warn_if_set(sc, warnings, "clients", trace[i],
					     "[clients] arrival is profile, not trace");
	} else {
		for (size_t i = 0; i < G_N_ELEMENTS(profile); i++)
			scenario_warn_if_set(sc, warnings, "clients", profile[i],
					     "[clients] arrival is trace, not profile");
	}
	if (scenario_duration(sc, "web", "crash_after") == 0) {
		scenario_warn_if_set(sc, warnings, "web", "reboot_delay",
				     "[web] crash_after is 0s: servers never crash");
		scenario_warn_if_set(sc, warnings, "web", "crash_roles",
				     "[web] crash_after is 0s: servers never crash");
	}
	web_faults_warn(sc, warnings);
	if (!bt_clients_on)
		for (size_t i = 0; i < G_N_ELEMENTS(bt_clients); i++)
			scenario_warn_if_set(sc, warnings, "clients", bt_clients[i],
					     "no client uses BitTorrent");
	/* Swarms run for rescuers fetching by BitTorrent, for BitTorrent
	 * clients and for copies spread by BitTorrent (web_create()). */
	if (!bt_clients_on &&
	    (policy != WEB_POLICY_COOP ||
	     (scenario_enum(sc, "coop", "transport") != WEB_TRANSPORT_BITTORRENT &&
	      !(scenario_enum(sc, "coop", "spread") == FC_SPREAD_PREDISTRIBUTED &&
		scenario_enum(sc, "coop", "predistribution") == WEB_PREDISTRIBUTION_BITTORRENT)))) {
		for (size_t i = 0; i < t->n; i++)
			if (strcmp(t->defs[i].group, "bittorrent") == 0)
				scenario_warn_if_set(sc, warnings, "bittorrent",
						     t->defs[i].name, "no swarm runs");
	} else if (scenario_duration(sc, "bittorrent", "tracker_down_for") == 0) {
		scenario_warn_if_set(sc, warnings, "bittorrent", "tracker_down_at",
				     "[bittorrent] tracker_down_for is 0s");
	}
	if (policy == WEB_POLICY_NONE || policy == WEB_POLICY_MIRROR) {
		/* No server has a cooperation node. */
		for (size_t i = 0; i < t->n; i++)
			if (strcmp(t->defs[i].group, "coop") == 0)
				scenario_warn_if_set(sc, warnings, "coop", t->defs[i].name,
						     "[web] policy = %s has no "
						     "cooperation nodes", pname);
		return;
	}
	if (policy != WEB_POLICY_COOP)
		scenario_warn_if_set(sc, warnings, "coop", "transport",
				     "[web] policy = %s always fetches by http", pname);
	if (!web_policy_moves_dns(policy)) {
		scenario_warn_if_set(sc, warnings, "coop", "dns_when",
				     "[web] policy = %s changes no DNS records", pname);
		scenario_warn_if_set(sc, warnings, "coop", "takeover_dns",
				     "[web] policy = %s changes no DNS records", pname);
	}
	if (policy == WEB_POLICY_BACKSLASH || policy == WEB_POLICY_DOTSLASH) {
		static const char *const fixed[] = { "share", "redirect_share", "max_share",
						     "target", "spread" };

		for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
			if (policy == WEB_POLICY_BACKSLASH || strcmp(fixed[i], "max_share") != 0)
				scenario_warn_if_set(sc, warnings, "coop", fixed[i],
						     "[web] policy = %s sets it (docs/baselines.md)",
						     pname);
	} else if (scenario_enum(sc, "coop", "share") == FC_SHARE_FIXED) {
		scenario_warn_if_set(sc, warnings, "coop", "target_load",
				     "[coop] share is fixed, not feedback");
		scenario_warn_if_set(sc, warnings, "coop", "max_share",
				     "[coop] share is fixed, not feedback");
	} else {
		scenario_warn_if_set(sc, warnings, "coop", "redirect_share",
				     "[coop] share is feedback, not fixed");
	}
	if (scenario_enum(sc, "coop", "leave") == FC_LEAVE_TIMER) {
		scenario_warn_if_set(sc, warnings, "coop", "calm_hold",
				     "[coop] leave is timer, not hysteresis");
	} else {
		scenario_warn_if_set(sc, warnings, "coop", "flash_hold",
				     "[coop] leave is hysteresis, not timer");
		scenario_warn_if_set(sc, warnings, "coop", "extend_while_high",
				     "[coop] leave is hysteresis, not timer");
	}
	if (!scenario_bool(sc, "coop", "protect_self"))
		scenario_warn_if_set(sc, warnings, "coop", "protect_threshold",
				     "[coop] protect_self is false");
	if (scenario_enum(sc, "coop", "spread") != FC_SPREAD_PREDISTRIBUTED) {
		scenario_warn_if_set(sc, warnings, "coop", "predistribution",
				     "[coop] spread is not predistributed");
		scenario_warn_if_set(sc, warnings, "coop", "copy_limit",
				     "[coop] spread is not predistributed");
	}
}

/* The groups the web traffic reads; [bittorrent] for its swarms. */
static const char *const web_groups[] = {
	"web", "site", "clients", "dns", "coop", "faults", "bittorrent", NULL,
};

/* The web traffic: servers, their cooperation, clients, BitTorrent. */
const struct traffic_type web_traffic = {
	.name = "web",
	.enabled = NULL, /* always */
	.check = web_check,
	.create = web_create,
	.estimate = web_estimate,
	.finish = web_finish,
	.destroy = web_destroy,
	.groups = web_groups,
	.warn = web_warn,
};

const struct fc_enum_name web_policy_names[] = {
	{ "none", WEB_POLICY_NONE },
	{ "mirror", WEB_POLICY_MIRROR },
	{ "redirect", WEB_POLICY_REDIRECT },
	{ "coop", WEB_POLICY_COOP },
	{ "backslash", WEB_POLICY_BACKSLASH },
	{ "dotslash", WEB_POLICY_DOTSLASH },
	{ NULL, 0 },
};

bool
web_policy_has_nodes(int policy)
{
	return policy != WEB_POLICY_NONE && policy != WEB_POLICY_MIRROR;
}

bool
web_policy_moves_dns(int policy)
{
	return policy == WEB_POLICY_COOP || policy == WEB_POLICY_DOTSLASH;
}

const struct fc_enum_name web_arrival_names[] = {
	{ "profile", WEB_ARRIVAL_PROFILE }, { "trace", WEB_ARRIVAL_TRACE }, { NULL, 0 },
};

const struct fc_enum_name web_predistribution_names[] = {
	{ "ready", WEB_PREDISTRIBUTION_READY },
	{ "bittorrent", WEB_PREDISTRIBUTION_BITTORRENT },
	{ NULL, 0 },
};

const struct fc_enum_name web_crash_roles_names[] = {
	{ "all", WEB_CRASH_ROLES_ALL },
	{ "origin", WEB_CRASH_ROLES_ORIGIN },
	{ "cooperators", WEB_CRASH_ROLES_COOPERATORS },
	{ NULL, 0 },
};

const struct fc_enum_name web_load_form_names[] = {
	{ "demand", WEB_LOAD_DEMAND }, { "paper", WEB_LOAD_PAPER }, { NULL, 0 },
};

const struct fc_enum_name web_transport_names[] = {
	{ "bittorrent", WEB_TRANSPORT_BITTORRENT }, { "http", WEB_TRANSPORT_HTTP }, { NULL, 0 },
};
