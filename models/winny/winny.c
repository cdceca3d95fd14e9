/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Winny model: built from the [winny] keys, on the shared world. */
#include "models/winny/internal.h"

#include <math.h>

#include <gsl/gsl_randist.h>

#include "sim/budget.h"

/*
 * The cost of a run, for the work budget (sim/budget.h): events per peer
 * and simulated hour at the defaults (bench/winny.sh measures 170 for the
 * outside peers; inside peers also probe and are probed across the tap),
 * events per background connection (its arrival and its end), and bytes
 * per peer (its state, its arrays, its links) and per file and key held.
 * A peer that runs only Share has a session and nothing else; an inside
 * host that also runs Share probes and is probed as much again; a decoy
 * probes every decoy_probe_interval, and a share [winny] callback of the
 * inside peers it reaches probe it back.
 */
#define EVENTS_PER_PEER_HOUR 200.0
#define EVENTS_PER_INSIDE_PEER_HOUR 600.0
#define EVENTS_PER_BACKGROUND 2.0
#define EVENTS_PER_SHARE_PEER_HOUR 1.0
#define EVENTS_PER_DECOY_PROBE 2.0
#define BYTES_PER_PEER 1024.0
#define BYTES_PER_FILE 64.0
#define BYTES_PER_HELD 12.0

static void
params_read(struct winny_params *p, const struct scenario *sc)
{
	*p = (struct winny_params){
		.inside = scenario_count(sc, "winny", "inside"),
		.addresses = scenario_count(sc, "winny", "addresses"),
		.outside = scenario_count(sc, "winny", "outside"),
		.availability = scenario_ratio(sc, "winny", "availability"),
		.session = scenario_duration(sc, "winny", "session"),
		.up_links = scenario_count(sc, "winny", "up_links"),
		.down_links = scenario_count(sc, "winny", "down_links"),
		.link_life = scenario_duration(sc, "winny", "link_life"),
		.link_life_max = scenario_duration(sc, "winny", "link_life_max"),
		.probe_interval = scenario_duration(sc, "winny", "probe_interval"),
		.stale = scenario_ratio(sc, "winny", "stale"),
		.hello = scenario_size(sc, "winny", "hello"),
		.callback = scenario_ratio(sc, "winny", "callback"),
		.callback_delay = scenario_duration(sc, "winny", "callback_delay"),
		.key_size = scenario_size(sc, "winny", "key_size"),
		.key_rate = scenario_real(sc, "winny", "key_rate"),
		.ttl = scenario_duration(sc, "winny", "ttl"),
		.query_interval = scenario_duration(sc, "winny", "query_interval"),
		.query_keys = scenario_count(sc, "winny", "query_keys"),
		.query_size = scenario_size(sc, "winny", "query_size"),
		.files = scenario_count(sc, "winny", "files"),
		.zipf = scenario_real(sc, "winny", "zipf"),
		.file_median = scenario_size(sc, "winny", "file_median"),
		.file_sigma = scenario_real(sc, "winny", "file_sigma"),
		.file_max = scenario_size(sc, "winny", "file_max"),
		.block = scenario_size(sc, "winny", "block"),
		.held = scenario_real(sc, "winny", "held"),
		.uploaders = scenario_ratio(sc, "winny", "uploaders"),
		.uploader_stay = scenario_real(sc, "winny", "uploader_stay"),
		.downloads = scenario_real(sc, "winny", "downloads"),
		.demand_sigma = scenario_real(sc, "winny", "demand_sigma"),
		.slot_time = scenario_duration(sc, "winny", "slot_time"),
		.slot_blocks = scenario_count(sc, "winny", "slot_blocks"),
		.upload_slots = scenario_count(sc, "winny", "upload_slots"),
		.request = scenario_size(sc, "winny", "request"),
		.connect_timeout = scenario_duration(sc, "winny", "connect_timeout"),
		.syn_retries = scenario_count(sc, "winny", "syn_retries"),
		.inside_fast = scenario_ratio(sc, "winny", "inside_fast"),
		.outside_fast = scenario_ratio(sc, "winny", "outside_fast"),
		.fast_up = scenario_rate(sc, "winny", "fast_up"),
		.fast_down = scenario_rate(sc, "winny", "fast_down"),
		.slow_down = scenario_rate(sc, "winny", "slow_down"),
		.slow_up = scenario_rate(sc, "winny", "slow_up"),
		.latency = scenario_duration(sc, "winny", "latency"),
		.background_rate = scenario_real(sc, "winny", "background_rate"),
		.background_size = scenario_size(sc, "winny", "background_size"),
		.background_alpha = scenario_real(sc, "winny", "background_alpha"),
		.background_request = scenario_size(sc, "winny", "background_request"),
		.background_access = scenario_rate(sc, "winny", "background_access"),
		.background_outbound = scenario_ratio(sc, "winny", "background_outbound"),
		.share_hosts = scenario_ratio(sc, "winny", "share_hosts"),
		.share_peers = scenario_count(sc, "winny", "share_peers"),
		.decoys = scenario_count(sc, "winny", "decoys"),
		.decoy_probe_interval = scenario_duration(sc, "winny", "decoy_probe_interval"),
	};
}

static gboolean
winny_check(const struct scenario *sc, GError **err)
{
	struct winny_params p;
	uint64_t isps = scenario_count(sc, "network", "isps");

	params_read(&p, sc);
	if (p.inside > 0 && isps == 0)
		return scenario_invalid(sc, err, "winny", "inside",
					"peers inside an ISP need [network] isps >= 1");
	if (p.background_rate > 0 && isps == 0)
		return scenario_invalid(sc, err, "winny", "background_rate",
					"background traffic crosses the ISPs' links: it needs "
					"[network] isps >= 1");
	if (isps > 65536 && (p.inside > 0 || p.background_rate > 0))
		return scenario_invalid(sc, err, "network", "isps",
					"the Winny model numbers at most 65536 stub networks "
					"(10.k.0.0/16)");
	if (p.inside > p.addresses)
		return scenario_invalid(sc, err, "winny", "inside",
					"%" G_GUINT64_FORMAT " peers do not fit in [winny] "
					"addresses = %" G_GUINT64_FORMAT, p.inside, p.addresses);
	if (p.background_rate > 0 && p.inside == p.addresses)
		return scenario_invalid(sc, err, "winny", "background_rate",
					"every address of the stub network is a Winny peer: "
					"no host is left for the background traffic");
	if (isps * p.inside + p.outside < 2)
		return scenario_invalid(sc, err, "winny", "outside",
					"the overlay needs at least two peers");
	/* Outside hosts are numbered in 100.0.0.0/8 from 100.0.0.1. */
	if (p.outside + p.decoys + p.share_peers >= (1u << 24) - 1)
		return scenario_invalid(sc, err, "winny", "share_peers",
					"[winny] outside, decoys and share_peers are more "
					"hosts than 100.0.0.0/8 holds");
	if (p.link_life_max < p.link_life)
		return scenario_invalid(sc, err, "winny", "link_life_max",
					"%s is below [winny] link_life (%s)",
					scenario_value_text(sc, "winny", "link_life_max"),
					scenario_value_text(sc, "winny", "link_life"));
	if (p.file_max < p.block)
		return scenario_invalid(sc, err, "winny", "file_max",
					"%s is below one block ([winny] block = %s)",
					scenario_value_text(sc, "winny", "file_max"),
					scenario_value_text(sc, "winny", "block"));
	if (p.file_median > p.file_max)
		return scenario_invalid(sc, err, "winny", "file_median",
					"%s is above [winny] file_max (%s)",
					scenario_value_text(sc, "winny", "file_median"),
					scenario_value_text(sc, "winny", "file_max"));
	if (p.slow_up > p.fast_up)
		return scenario_invalid(sc, err, "winny", "slow_up",
					"%s is above [winny] fast_up (%s): a slow line would "
					"be upstream of a fast one",
					scenario_value_text(sc, "winny", "slow_up"),
					scenario_value_text(sc, "winny", "fast_up"));
	return TRUE;
}

static void
winny_estimate(const struct scenario *sc, fc_time_t end, struct budget *b)
{
	double hours = fc_time_to_sec(end) / 3600;
	double isps = (double)scenario_count(sc, "network", "isps");
	double inside = isps * (double)scenario_count(sc, "winny", "inside");
	double peers = inside + (double)scenario_count(sc, "winny", "outside");
	double share_peers = (double)scenario_count(sc, "winny", "share_peers");
	double decoys = (double)scenario_count(sc, "winny", "decoys");

	budget_add_events(b, EVENTS_PER_PEER_HOUR * peers * hours,
			  "[winny] outside and inside over [run] duration");
	budget_add_events(b, EVENTS_PER_INSIDE_PEER_HOUR * inside * hours,
			  "[winny] inside over [run] duration");
	budget_add_events(b, EVENTS_PER_BACKGROUND * isps * fc_time_to_sec(end) *
			  scenario_real(sc, "winny", "background_rate"),
			  "[winny] background_rate over [run] duration");
	budget_add_events(b, EVENTS_PER_INSIDE_PEER_HOUR * inside * hours *
			  scenario_ratio(sc, "winny", "share_hosts"),
			  "[winny] share_hosts of inside over [run] duration");
	budget_add_events(b, EVENTS_PER_SHARE_PEER_HOUR * share_peers * hours,
			  "[winny] share_peers over [run] duration");
	budget_add_events(b, EVENTS_PER_DECOY_PROBE * decoys * fc_time_to_sec(end) /
			  fc_time_to_sec(scenario_duration(sc, "winny", "decoy_probe_interval")),
			  "[winny] decoys and decoy_probe_interval over [run] duration");
	budget_add_bytes(b, peers * (BYTES_PER_PEER + BYTES_PER_HELD * scenario_real(sc, "winny", "held")) +
			 BYTES_PER_FILE * (double)scenario_count(sc, "winny", "files"),
			 "[winny] outside, inside and files");
	budget_add_bytes(b, (share_peers + decoys) * BYTES_PER_PEER,
			 "[winny] share_peers and decoys");
}

/* A service port, uniform over the registered and user ports. */
static uint16_t
service_port(gsl_rng *r)
{
	return (uint16_t)(WINNY_PORT_FIRST +
			  gsl_rng_uniform_int(r, WINNY_EPHEMERAL_FIRST - WINNY_PORT_FIRST));
}

/*
 * The Winny hosts that also run Share: round(share_hosts * n) of the n
 * peers from `first` on, drawn from the stream `r`, each with a Share
 * port other than its Winny port.
 */
static void
share_choose(struct winny *w, gsl_rng *r, size_t first, size_t n)
{
	size_t k = (size_t)llround(w->p.share_hosts * (double)n);
	uint32_t *all, *chosen;

	if (k == 0)
		return;
	all = g_new(uint32_t, n);
	chosen = g_new(uint32_t, k);
	for (size_t i = 0; i < n; i++)
		all[i] = (uint32_t)(first + i);
	gsl_ran_choose(r, chosen, k, all, n, sizeof *all);
	for (size_t i = 0; i < k; i++) {
		struct peer *q = &w->peers[chosen[i]];

		do
			q->share_port = service_port(r);
		while (q->share_port == q->port);
	}
	g_free(all);
	g_free(chosen);
}

static void
peers_new(struct winny *w)
{
	const struct winny_params *p = &w->p;
	size_t isps = world_isps(w->world);
	struct rng_stream share_rng;

	w->ninside_total = p->inside ? isps * p->inside : 0;
	w->nwinny = w->ninside_total + p->outside + p->decoys;
	w->npeers = w->nwinny + p->share_peers;
	w->peers = g_new0(struct peer, w->npeers);
	for (size_t i = 0; i < w->npeers; i++) {
		struct peer *q = &w->peers[i];
		gsl_rng *r;
		uint64_t down;
		bool fast;

		q->w = w;
		q->id = (uint32_t)i;
		rng_stream_init(&q->rng, w->ctx->seed, w->ctx->replication, "winny-peer", i);
		r = rng_stream_gsl(&q->rng);
		q->inside = i < w->ninside_total;
		q->winny = i < w->nwinny;
		q->decoy = q->winny && i >= w->ninside_total + p->outside;
		if (q->inside) {
			q->isp = (uint32_t)(i / p->inside);
			q->ip = WINNY_INSIDE_BASE + (q->isp << 16) + (uint32_t)(i % p->inside) + 1;
		} else {
			q->ip = WINNY_OUTSIDE_BASE + (uint32_t)(i - w->ninside_total) + 1;
		}
		q->port = service_port(r);
		q->next_ephemeral = (uint16_t)gsl_rng_uniform_int(r, WINNY_EPHEMERAL_PORTS);
		fast = gsl_rng_uniform(r) < (q->inside ? p->inside_fast : p->outside_fast);
		q->shares = gsl_rng_uniform(r) < p->uploaders;
		/* Decoys are the lab's fast machines; they hold nothing, wish
		 * for nothing and serve nothing. */
		if (q->decoy) {
			fast = true;
			q->shares = false;
		}
		q->up_bps = fast ? p->fast_up : p->slow_up;
		down = fast ? p->fast_down : p->slow_down;
		/* Wishes per second, lognormal around the mean with the mean kept. */
		q->demand = p->downloads / 3600.0 *
			    exp(p->demand_sigma * gsl_ran_ugaussian(r) -
				p->demand_sigma * p->demand_sigma / 2);
		if (q->decoy || !q->winny)
			q->demand = 0;
		/* A Share-only peer moves no data: it needs no links. */
		if (q->winny) {
			q->up = net_link_add(w->net, q->up_bps);
			q->down = net_link_add(w->net, down);
		} else {
			q->share_port = q->port;
			q->port = 0;
			q->shares = false;
		}
		q->links = g_ptr_array_new();
		q->serving = g_ptr_array_new();
		q->held = g_array_new(FALSE, FALSE, sizeof(uint32_t));
		q->queue = g_array_new(FALSE, FALSE, sizeof(uint32_t));
		q->callbacks = g_array_new(FALSE, FALSE, sizeof(struct callback));
		q->want = UINT32_MAX;
	}
	/* Which Winny hosts also run Share: per ISP, and outside (not the
	 * decoys), from a stream of their own so that the peers' draws do
	 * not change. */
	if (p->share_hosts > 0) {
		rng_stream_init(&share_rng, w->ctx->seed, w->ctx->replication, "winny-share", 0);
		for (size_t k = 0; p->inside && k < isps; k++)
			share_choose(w, rng_stream_gsl(&share_rng), k * p->inside, p->inside);
		share_choose(w, rng_stream_gsl(&share_rng), w->ninside_total, p->outside);
	}
	w->share_ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	for (size_t i = 0; i < w->npeers; i++)
		if (w->peers[i].share_port) {
			g_array_append_val(w->share_ids, w->peers[i].id);
			w->share_outside += !w->peers[i].inside;
		}
}

static void *
winny_create(struct world *world, const struct scenario *sc, GError **err)
{
	struct winny *w = g_new0(struct winny, 1);

	w->world = world;
	w->ctx = world_ctx(world);
	w->e = world_engine(world);
	w->net = world_net(world);
	params_read(&w->p, sc);
	peers_new(w);
	if (!files_new(w, err)) {
		files_free(w);
		g_free(w->peers);
		g_free(w);
		return NULL;
	}
	overlay_start(w);
	background_start(w);
	return w;
}

static void
winny_finish(void *data, struct sim_ctx *ctx)
{
	struct winny *w = data;
	struct recorder *rec = ctx->rec;
	uint64_t inside_up = 0, inside_down = 0, online = 0;

	for (size_t i = 0; i < w->npeers; i++) {
		struct peer *q = &w->peers[i];

		online += q->online;
		if (q->inside) {
			inside_up += q->bytes_up;
			inside_down += q->bytes_down;
		}
	}
	rec_scalar(rec, "winny", "peers", (double)(w->ninside_total + w->p.outside));
	rec_scalar(rec, "winny", "online_at_end", (double)online);
	rec_scalar(rec, "winny", "probes", (double)w->probes);
	if (w->p.callback > 0)
		rec_scalar(rec, "winny", "probes_back", (double)w->callbacks);
	if (w->share_ids->len) {
		rec_scalar(rec, "share", "peers", (double)w->share_ids->len);
		rec_scalar(rec, "share", "probes", (double)w->share_probes);
	}
	if (w->p.decoys) {
		rec_scalar(rec, "decoys", "probes", (double)w->decoy_probes);
		rec_scalar(rec, "decoys", "learned", (double)w->decoy_learned);
	}
	rec_scalar(rec, "winny", "failed_connects", (double)w->failed_connects);
	rec_scalar(rec, "winny", "refused_links", (double)w->rejects);
	rec_scalar(rec, "winny", "search_links", (double)w->links_opened);
	rec_scalar(rec, "winny", "queries", (double)w->queries);
	rec_scalar(rec, "winny", "wishes", (double)w->wishes);
	rec_scalar(rec, "winny", "downloads_done", (double)w->downloads_done);
	rec_scalar(rec, "winny", "transfers", (double)w->transfers);
	rec_scalar(rec, "winny", "busy_sources", (double)w->busy);
	rec_scalar(rec, "winny", "transfer_bytes", (double)w->transfer_bytes);
	rec_scalar(rec, "winny", "inside_bytes_up", (double)inside_up);
	rec_scalar(rec, "winny", "inside_bytes_down", (double)inside_down);
	rec_scalar(rec, "winny", "tap_connections", (double)w->tap_flows);
	rec_scalar(rec, "background", "connections", (double)w->background);
	rec_scalar(rec, "background", "bytes", (double)w->background_bytes);
}

static void
winny_destroy(void *data)
{
	struct winny *w = data;

	if (!w)
		return;
	background_stop(w);
	overlay_stop(w);
	files_free(w);
	for (size_t i = 0; i < w->npeers; i++) {
		struct peer *q = &w->peers[i];

		g_ptr_array_unref(q->links);
		g_ptr_array_unref(q->serving);
		g_array_unref(q->held);
		g_array_unref(q->queue);
		g_array_unref(q->callbacks);
	}
	if (w->share_ids)
		g_array_unref(w->share_ids);
	g_free(w->peers);
	g_free(w);
}

/* Keys that have no effect in this scenario. */
static void
winny_warn(const struct scenario *sc, GPtrArray *warnings)
{
	static const char *const background[] = { "background_size", "background_alpha",
						  "background_request", "background_access",
						  "background_outbound" };

	if (scenario_real(sc, "winny", "background_rate") == 0)
		for (size_t i = 0; i < G_N_ELEMENTS(background); i++)
			scenario_warn_if_set(sc, warnings, "winny", background[i],
					     "[winny] background_rate is 0");
	if (scenario_count(sc, "winny", "inside") == 0)
		scenario_warn_if_set(sc, warnings, "winny", "inside_fast",
				     "[winny] inside is 0");
	if (scenario_ratio(sc, "winny", "callback") == 0)
		scenario_warn_if_set(sc, warnings, "winny", "callback_delay",
				     "[winny] callback is 0");
	if (scenario_count(sc, "winny", "decoys") == 0)
		scenario_warn_if_set(sc, warnings, "winny", "decoy_probe_interval",
				     "[winny] decoys is 0");
	/* Share crosses a tap only through the hosts inside that run it. */
	if (scenario_ratio(sc, "winny", "share_hosts") == 0)
		scenario_warn_if_set(sc, warnings, "winny", "share_peers",
				     "[winny] share_hosts is 0");
}

static const char *const winny_groups[] = { "winny", NULL };

static bool
winny_enabled(const struct scenario *sc)
{
	return scenario_bool(sc, "winny", "enabled");
}

/* The overlay as a traffic type; `enabled` NULL: always. */
#define WINNY_TRAFFIC(enabled_fn) {                                             \
	.name = "winny",                                                        \
	.enabled = (enabled_fn),                                                \
	.check = winny_check,                                                   \
	.estimate = winny_estimate,                                             \
	.create = winny_create,                                                 \
	.finish = winny_finish,                                                 \
	.destroy = winny_destroy,                                               \
	.groups = winny_groups,                                                 \
	.warn = winny_warn,                                                     \
}

const struct traffic_type winny_traffic = WINNY_TRAFFIC(winny_enabled);
const struct traffic_type winny_alone_traffic = WINNY_TRAFFIC(NULL);
