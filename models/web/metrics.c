/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The web model's samples (time series) and summaries (scalars). */
#include "models/web/internal.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

static const char *const vnames[] = { "connections", "served", "redirected", "dropped",
				      "busy", "backlog", "load", "uplink_use",
				      "uplink_demand", "state" };

G_STATIC_ASSERT(G_N_ELEMENTS(vnames) == V_STATE + 1);

/* The largest of the figures the server reports (or would report) now. */
static double
load_sample(const struct wserver *ws)
{
	struct fc_load f[3];
	size_t n = web_load_figures(ws, f);
	double m = 0;

	for (size_t i = 0; i < n; i++)
		m = MAX(m, f[i].value / f[i].limit);
	return m;
}

/* Replicas of site 0, its swarms, and who sent how much since the last
 * sample. */
static void
sample_bittorrent(struct web *w, fc_time_t now)
{
	uint64_t servers = 0, objects = 0, seeds = 0, leechers = 0, http[2] = { 0, 0 };

	for (unsigned i = 0; i < w->nservers; i++) {
		struct wserver *ws = &w->servers[i];
		GHashTableIter it;
		gpointer k;
		uint64_t held = 0;

		http[i > 0] += server_counts(ws->srv)->bytes_sent;
		if (!server_up(ws->srv))
			continue;
		if (i == 0 || web_has_content(ws, 0, FC_WHOLE_SITE)) {
			held = w->sites[0].nobjects;
		} else {
			g_hash_table_iter_init(&it, ws->have);
			while (g_hash_table_iter_next(&it, &k, NULL))
				held += g_str_has_prefix(k, "0/");
		}
		servers += held > 0;
		objects += held;
	}
	for (guint t = 0; t < w->torrent_of->len; t++)
		if (g_array_index(w->torrent_of, struct torrent_of, t).site == 0) {
			seeds += swarm_seeds(w->swarm, t);
			leechers += swarm_leechers(w->swarm, t);
		}
	rec_vector_add(w->v_rep_servers, now, (double)servers);
	rec_vector_add(w->v_rep_objects, now, (double)objects);
	rec_vector_add(w->v_rep_clients, now, (double)w->site0_clients_holding);
	rec_vector_add(w->v_seeds, now, (double)seeds);
	rec_vector_add(w->v_leechers, now, (double)leechers);
	for (int k = 0; k < 3; k++) {
		uint64_t bt = swarm_uploaded_by(w->swarm, (unsigned)k) +
			(k == BT_COOPERATORS ? swarm_uploaded_by(w->swarm, BT_OWN_SITE) : 0);

		if (k < 2) {
			rec_vector_add(w->v_bytes[k][0], now, (double)(http[k] - w->last_http[k]));
			w->last_http[k] = http[k];
		}
		rec_vector_add(w->v_bytes[k][1], now, (double)(bt - w->last_bt[k]));
		w->last_bt[k] = bt;
	}
}

void
web_sample(struct engine *e, void *data, fc_time_t now)
{
	struct web *w = data;

	for (unsigned i = 0; i < w->nservers; i++) {
		struct wserver *ws = &w->servers[i];
		const struct server_counts *c = server_counts(ws->srv);

		rec_vector_add(ws->v[V_CONN], now, (double)(c->connections - ws->last.connections));
		rec_vector_add(ws->v[V_SERVED], now,
			       (double)((c->replies - c->redirects - c->not_found -
					 c->unavailable) -
					(ws->last.replies - ws->last.redirects -
					 ws->last.not_found - ws->last.unavailable)));
		rec_vector_add(ws->v[V_REDIRECTED], now, (double)(c->redirects - ws->last.redirects));
		rec_vector_add(ws->v[V_DROPPED], now,
			       (double)(c->dropped + c->refused_down - ws->last.dropped -
					ws->last.refused_down));
		rec_vector_add(ws->v[V_BUSY], now, server_busy(ws->srv));
		rec_vector_add(ws->v[V_BACKLOG], now, server_waiting(ws->srv));
		rec_vector_add(ws->v[V_LOAD], now, ws->node ? fc_node_load(ws->node) :
			       load_sample(ws));
		rec_vector_add(ws->v[V_UPLINK], now, net_link_load(w->net, ws->up) /
			       ws->uplink_bps);
		rec_vector_add(ws->v[V_UPLINK_DEMAND], now, web_uplink_demand(ws));
		ws->last = *c;
	}
	if (w->swarm)
		sample_bittorrent(w, now);
	for (int g = 0; g < 2; g++) {
		struct group *gr = &w->groups[g];
		double *x = (double *)(void *)gr->interval_times->data;
		size_t n = gr->interval_times->len;
		uint64_t total = gr->interval_ok + gr->interval_failed;

		rec_vector_add(gr->v_ok, now, (double)gr->interval_ok);
		rec_vector_add(gr->v_failed, now, (double)gr->interval_failed);
		rec_vector_add(gr->v_ratio, now, total ? (double)gr->interval_ok / total : NAN);
		if (n) {
			gsl_sort(x, 1, n);
			rec_vector_add(gr->v_p50, now, gsl_stats_quantile_from_sorted_data(x, 1, n, 0.5));
			rec_vector_add(gr->v_p90, now, gsl_stats_quantile_from_sorted_data(x, 1, n, 0.9));
			rec_vector_add(gr->v_p99, now, gsl_stats_quantile_from_sorted_data(x, 1, n, 0.99));
		}
		g_array_set_size(gr->interval_times, 0);
		gr->interval_ok = gr->interval_failed = 0;
	}
	if (fc_time_add(now, w->sample_interval) <= w->ctx->end)
		engine_schedule(e, w->sample_interval, web_sample, w);
}

void
web_sent(void *user, struct server *srv, const struct server_request *req,
	 uint64_t bytes, bool complete)
{
	struct wserver *ws = user;
	struct group *g = &ws->w->groups[req->site == 0 ? 0 : 1];
	int role = ws->idx == req->site ? ROLE_ORIGIN : ROLE_COOPERATORS;

	(void)srv;
	if (req->internal) {
		g->fetch_bytes[role] += bytes;
	} else {
		g->http_bytes[role] += bytes;
		g->objects[role] += complete;
	}
}

/*
 * Who served each group of sites: bytes over HTTP and into the swarms, and
 * pages, by the site's own server ("origin"), the other servers
 * ("cooperators") and BitTorrent clients.  Only new scalars: the totals
 * above them stay as they were.
 */
static void
finish_by_site(struct web *w, struct sim_ctx *ctx)
{
	static const char *const role[] = { "origin", "cooperators", "clients" };

	for (int g = 0; g < 2; g++) {
		struct group *gr = &w->groups[g];
		uint64_t bt[3] = { 0, 0, 0 };

		for (int r = 0; r < 2; r++) {
			g_autofree char *http = g_strdup_printf("http_bytes_%s", role[r]);
			g_autofree char *fetch = g_strdup_printf("fetch_bytes_%s", role[r]);
			g_autofree char *obj = g_strdup_printf("objects_%s", role[r]);
			g_autofree char *pages = g_strdup_printf("pages_%s", role[r]);

			rec_scalar(ctx->rec, gr->entity, http, (double)gr->http_bytes[r]);
			rec_scalar(ctx->rec, gr->entity, fetch, (double)gr->fetch_bytes[r]);
			rec_scalar(ctx->rec, gr->entity, obj, (double)gr->objects[r]);
			rec_scalar(ctx->rec, gr->entity, pages, (double)gr->pages_by[r]);
		}
		rec_scalar(ctx->rec, gr->entity, "pages_bittorrent", (double)gr->pages_bt);
		if (!w->swarm)
			continue;
		/* A site's torrents: the whole site, and one per object. */
		for (guint t = 0; t < w->torrent_of->len; t++) {
			uint32_t site = g_array_index(w->torrent_of, struct torrent_of, t).site;

			if ((site == 0) != (g == 0))
				continue;
			/* Towards site j > 0, server.0 is a cooperator and
			 * server.j the origin. */
			bt[g == 0 ? 0 : 1] += swarm_torrent_uploaded_by(w->swarm, t, BT_ORIGIN);
			bt[1] += swarm_torrent_uploaded_by(w->swarm, t, BT_COOPERATORS);
			bt[2] += swarm_torrent_uploaded_by(w->swarm, t, BT_CLIENTS);
			bt[0] += swarm_torrent_uploaded_by(w->swarm, t, BT_OWN_SITE);
		}
		for (int k = 0; k < 3; k++) {
			g_autofree char *name = g_strdup_printf("bt_bytes_%s", role[k]);

			rec_scalar(ctx->rec, gr->entity, name, (double)bt[k]);
		}
	}
}

void
web_finish(void *data, struct sim_ctx *ctx)
{
	struct web *w = data;
	uint64_t coop_bytes = 0, redirects = 0, crashes = 0, dropped = 0;

	for (int g = 0; g < 2; g++) {
		const struct group *gr = &w->groups[g];
		uint64_t failed = gr->impatient + gr->no_server + gr->not_found;

		rec_scalar(ctx->rec, gr->entity, "sessions", (double)gr->arrived);
		rec_scalar(ctx->rec, gr->entity, "pages_ok", (double)gr->done);
		rec_scalar(ctx->rec, gr->entity, "pages_impatient", (double)gr->impatient);
		rec_scalar(ctx->rec, gr->entity, "pages_no_server", (double)gr->no_server);
		rec_scalar(ctx->rec, gr->entity, "pages_not_found", (double)gr->not_found);
		rec_scalar(ctx->rec, gr->entity, "success_ratio",
			   gr->done + failed ? (double)gr->done / (double)(gr->done + failed) : NAN);
		/* While no server of the site was up: all clients, BitTorrent ones. */
		rec_scalar(ctx->rec, gr->entity, "dark_sessions", (double)gr->dark_arrived);
		rec_scalar(ctx->rec, gr->entity, "dark_pages_ok", (double)gr->dark_done);
		if (w->bt_share > 0) {
			rec_scalar(ctx->rec, gr->entity, "bt_sessions", (double)gr->bt_arrived);
			rec_scalar(ctx->rec, gr->entity, "bt_pages_ok", (double)gr->bt_done);
			rec_scalar(ctx->rec, gr->entity, "bt_dark_sessions", (double)gr->bt_dark_arrived);
			rec_scalar(ctx->rec, gr->entity, "bt_dark_pages_ok", (double)gr->bt_dark_done);
		}
	}
	if (w->swarm) {
		struct swarm_bytes b = swarm_bytes(w->swarm);

		swarm_check(w->swarm); /* bytes conserved, bookkeeping sound */
		rec_scalar(ctx->rec, "origin", "bt_bytes_sent",
			   (double)swarm_uploaded_by(w->swarm, BT_ORIGIN));
		rec_scalar(ctx->rec, "cooperators", "bt_bytes_sent",
			   (double)(swarm_uploaded_by(w->swarm, BT_COOPERATORS) +
				    swarm_uploaded_by(w->swarm, BT_OWN_SITE)));
		rec_scalar(ctx->rec, "clients", "bt_bytes_sent",
			   (double)swarm_uploaded_by(w->swarm, BT_CLIENTS));
		rec_scalar(ctx->rec, "bittorrent", "torrents", (double)w->torrent_of->len);
		rec_scalar(ctx->rec, "bittorrent", "bytes_in_pieces", (double)b.pieces);
		rec_scalar(ctx->rec, "bittorrent", "bytes_wasted", (double)b.wasted);
	}
	for (unsigned i = 0; i < w->nservers; i++) {
		const struct server_counts *c = server_counts(w->servers[i].srv);

		if (i > 0)
			coop_bytes += c->bytes_sent;
		redirects += c->redirects;
		crashes += c->crashes;
		dropped += c->dropped;
	}
	rec_scalar(ctx->rec, "origin", "bytes_sent",
		   (double)server_counts(w->servers[0].srv)->bytes_sent);
	rec_scalar(ctx->rec, "origin", "dropped", (double)server_counts(w->servers[0].srv)->dropped);
	rec_scalar(ctx->rec, "origin", "crashes", (double)server_counts(w->servers[0].srv)->crashes);
	rec_scalar(ctx->rec, "cooperators", "bytes_sent", (double)coop_bytes);
	rec_scalar(ctx->rec, "all", "redirects", (double)redirects);
	rec_scalar(ctx->rec, "all", "crashes", (double)crashes);
	rec_scalar(ctx->rec, "all", "dropped", (double)dropped);
	rec_scalar(ctx->rec, "all", "sessions_in_progress", (double)w->in_progress);
	rec_scalar(ctx->rec, "all", "dns_authority_queries",
		   (double)dns_authority_queries(w->dns));
	if (w->fault.dns_until)
		rec_scalar(ctx->rec, "all", "dns_failed_queries",
			   (double)dns_failed_queries(w->dns));
	if (w->origin_crash != FC_TIME_NEVER) {
		rec_scalar(ctx->rec, "origin", "crash_s", fc_time_to_sec(w->origin_crash));
		rec_scalar(ctx->rec, "origin", "time_to_rescue_s",
			   w->origin_rescued == FC_TIME_NEVER ? NAN :
			   fc_time_to_sec(w->origin_rescued - w->origin_crash));
		rec_scalar(ctx->rec, "origin", "time_to_service_s",
			   w->origin_served == FC_TIME_NEVER ? NAN :
			   fc_time_to_sec(w->origin_served - w->origin_crash));
	}
	finish_by_site(w, ctx);
}

/*
 * The model's recorders, made once the servers exist and before anything
 * happens: per server, per group of sites, and the BitTorrent ones when
 * there are swarms.
 */
void
web_metrics_new(struct web *w)
{
	struct sim_ctx *ctx = w->ctx;

	for (unsigned i = 0; i < w->nservers; i++) {
		struct wserver *ws = &w->servers[i];
		g_autofree char *entity = g_strdup_printf("server.%u", i);

		for (int v = 0; v < (int)G_N_ELEMENTS(vnames); v++)
			ws->v[v] = rec_vector_new(ctx->rec, entity, vnames[v]);
		rec_vector_add(ws->v[V_STATE], 0, FC_STATE_LOW);
	}
	for (int g = 0; g < 2; g++) {
		struct group *gr = &w->groups[g];

		gr->entity = g == 0 ? "site.0" : "site.others";
		gr->interval_times = g_array_new(FALSE, FALSE, sizeof(double));
		gr->page_time = rec_stat_new(ctx->rec, gr->entity, "page_time_s");
		gr->v_ok = rec_vector_new(ctx->rec, gr->entity, "pages_ok");
		gr->v_failed = rec_vector_new(ctx->rec, gr->entity, "pages_failed");
		gr->v_ratio = rec_vector_new(ctx->rec, gr->entity, "success_ratio");
		gr->v_p50 = rec_vector_new(ctx->rec, gr->entity, "page_time_p50_s");
		gr->v_p90 = rec_vector_new(ctx->rec, gr->entity, "page_time_p90_s");
		gr->v_p99 = rec_vector_new(ctx->rec, gr->entity, "page_time_p99_s");
		if (w->bt_share > 0)
			gr->bt_page_time = rec_stat_new(ctx->rec, gr->entity, "bt_page_time_s");
	}
	if (!w->swarm)
		return;
	w->fetch_time = rec_stat_new(ctx->rec, "cooperators", "fetch_time_s");
	if (w->copies_by_bt)
		w->copy_time = rec_stat_new(ctx->rec, "cooperators", "copy_time_s");
	w->bt_download_time = rec_stat_new(ctx->rec, "clients", "download_time_s");
	w->v_rep_servers = rec_vector_new(ctx->rec, "site.0", "replicas_servers");
	w->v_rep_objects = rec_vector_new(ctx->rec, "site.0", "object_replicas_servers");
	w->v_rep_clients = rec_vector_new(ctx->rec, "site.0", "replicas_clients");
	w->v_seeds = rec_vector_new(ctx->rec, "site.0", "swarm_seeds");
	w->v_leechers = rec_vector_new(ctx->rec, "site.0", "swarm_leechers");
	for (int k = 0; k < 3; k++) {
		static const char *const who[] = { "origin", "cooperators", "clients" };

		if (k < 2)
			w->v_bytes[k][0] = rec_vector_new(ctx->rec, who[k], "http_bytes");
		w->v_bytes[k][1] = rec_vector_new(ctx->rec, who[k], "bt_bytes");
	}
}
