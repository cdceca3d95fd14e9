/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Clients' visits, over HTTP and BitTorrent, and their arrivals. */
#include "models/web/internal.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static struct server *
w_server(void *user, uint32_t address)
{
	struct wserver *ws = web_server_at(user, address);

	return ws ? ws->srv : NULL;
}

static fc_time_t
w_oneway(void *user, const struct session *s, uint32_t address)
{
	struct web *w = user;
	const struct visit *v = session_user(s);
	const struct wserver *ws = web_server_at(w, address);

	return v->oneway + w->server_latency + (ws ? world_hops(w->world, v->router, ws->router) : 0);
}

static size_t
w_resolve(void *user, const struct session *s, uint32_t site, uint32_t *answer, size_t max,
	  fc_time_t *delay)
{
	struct web *w = user;
	const struct visit *v = session_user(s);
	bool cached;
	size_t n = dns_resolve(w->dns, v->resolver, site, answer, max, &cached);

	/* A miss: a round trip to the resolver, which asks the authority. */
	*delay = cached ? 0 : 2 * v->oneway + 2 * w->server_latency;
	return n;
}

void
web_reap(struct engine *e, void *data, fc_time_t now)
{
	struct web *w = data;

	(void)e;
	(void)now;
	w->reap_ev = 0;
	for (guint i = 0; i < w->finished->len; i++) {
		struct visit *v = w->finished->pdata[i];

		session_free(v->s);
		world_link_give(w->world, v->link);
		if (v->bt)
			world_link_give(w->world, v->uplink);
		g_free(v);
	}
	g_ptr_array_set_size(w->finished, 0);
}

/* The visit is over: it is freed (with its session) once callbacks are done. */
static void
visit_end(struct visit *v)
{
	struct web *w = v->w;

	engine_cancel(w->e, v->ev);
	engine_cancel(w->e, v->join_ev);
	v->ev = v->join_ev = 0;
	g_hash_table_remove(w->live, v);
	g_ptr_array_add(w->finished, v);
	if (!w->reap_ev)
		w->reap_ev = engine_schedule(w->e, 0, web_reap, w);
}

/* The visit's page is done, or will not be. */
static void
visit_result(struct visit *v, enum session_result r, fc_time_t now)
{
	struct web *w = v->w;
	struct group *g = &w->groups[v->site == 0 ? 0 : 1];
	double t = fc_time_to_sec(now - session_started(v->s));

	g_assert(!v->over);
	v->over = true;
	w->in_progress--;
	if (r == SESSION_DONE) {
		g_array_append_val(g->interval_times, t);
		g->interval_ok++;
		if (v->site == 0 && w->origin_crash != FC_TIME_NEVER &&
		    w->origin_served == FC_TIME_NEVER && now > w->origin_crash)
			w->origin_served = now;
	} else {
		g->interval_failed++;
	}
	if (v->counted) {
		switch (r) {
		case SESSION_DONE:
			g->done++;
			if (v->bt)
				g->pages_bt++;
			else
				g->pages_by[session_page_server(v->s) == v->site + 1 ?
					    ROLE_ORIGIN : ROLE_COOPERATORS]++;
			rec_stat_add(g->page_time, t);
			g->bt_done += v->wants_bt;
			g->dark_done += v->dark;
			g->bt_dark_done += v->wants_bt && v->dark;
			if (v->wants_bt)
				rec_stat_add(g->bt_page_time, t);
			break;
		case SESSION_IMPATIENT: g->impatient++; break;
		case SESSION_NO_SERVER: g->no_server++; break;
		case SESSION_NOT_FOUND: g->not_found++; break;
		}
	}
}

static bool
page_arrived(const struct visit *v)
{
	const struct web *w = v->w;
	const struct page *pg = &w->sites[v->site].pages[v->page];

	for (size_t i = 0; i < pg->n; i++)
		if (!web_peer_covers(w, v->peer, pg->offset[i], pg->objects[i]))
			return false;
	return true;
}

static void
bt_piece(struct swarm_peer *p, uint32_t piece, void *data, fc_time_t now)
{
	struct visit *v = data;

	(void)p;
	(void)piece;
	if (!v->over && page_arrived(v)) {
		engine_cancel(v->w->e, v->ev);
		v->ev = 0;
		visit_result(v, SESSION_DONE, now);
	}
}

static void
bt_seeded(struct engine *e, void *data, fc_time_t now)
{
	struct visit *v = data;
	struct web *w = v->w;

	(void)e;
	(void)now;
	v->ev = 0;
	if (v->site == 0)
		w->site0_clients_holding--;
	swarm_leave(w->swarm, v->peer);
	v->peer = NULL;
	visit_end(v);
}

static void
bt_complete(struct swarm_peer *p, void *data, fc_time_t now)
{
	struct visit *v = data;
	struct web *w = v->w;
	gsl_rng *r = rng_stream_gsl(&v->rng);

	(void)p;
	if (!v->over)
		visit_result(v, SESSION_DONE, now);
	if (v->counted)
		rec_stat_add(w->bt_download_time, fc_time_to_sec(now - v->joined));
	if (v->site == 0)
		w->site0_clients_holding++;
	/* It seeds for a while, then leaves (from an event of its own: the
	 * swarm is in the middle of a piece). */
	engine_cancel(w->e, v->ev);
	v->ev = engine_schedule(w->e, w->seeding_mean ?
				(fc_time_t)gsl_ran_exponential(r, (double)w->seeding_mean) : 0,
				bt_seeded, v);
}

static const struct swarm_hooks client_hooks = { bt_piece, bt_complete };

/* The client has the .torrent: it joins the site's swarm. */
static void
bt_join(struct engine *e, void *data, fc_time_t now)
{
	struct visit *v = data;
	struct web *w = v->w;
	net_link up[2], down[2];
	size_t n = 0;
	uint64_t bps = (uint64_t)MAX(v->down_bps * w->uplink_share, CLIENT_LINK_MIN_BPS);

	(void)e;
	v->join_ev = 0;
	v->uplink = world_link_take(w->world, bps);
	v->bt = true;
	up[n] = v->uplink;
	down[n++] = v->link;
	if (world_isps(w->world)) {
		up[n] = world_isp_link(w->world, v->isp);
		down[n++] = world_isp_link(w->world, v->isp);
	}
	v->joined = now;
	v->peer = swarm_join(w->swarm, web_torrent_get(w, v->site, FC_WHOLE_SITE), v->id,
			     up, n, down, n, false, &client_hooks, v);
	swarm_peer_set_class(v->peer, BT_CLIENTS);
}

/* The patience of a BitTorrent client ran out before its page arrived. */
static void
bt_impatient(struct engine *e, void *data, fc_time_t now)
{
	struct visit *v = data;

	(void)e;
	v->ev = 0;
	visit_result(v, SESSION_IMPATIENT, now);
	if (v->peer) {
		swarm_leave(v->w->swarm, v->peer);
		v->peer = NULL;
	}
	visit_end(v);
}

/* The .torrent from the site's servers came, or did not: then from the
 * tracker (Fig. 9), a round trip away, if it is up. */
static void
bt_torrent(struct visit *v, enum session_result r, fc_time_t now)
{
	struct web *w = v->w;

	if (r == SESSION_DONE) {
		/* Not from within the session's callback. */
		v->join_ev = engine_schedule(w->e, 0, bt_join, v);
	} else if (tracker_up(w->tr, now)) {
		v->join_ev = engine_schedule(w->e, 2 * (v->oneway + w->server_latency), bt_join, v);
	} else {
		visit_result(v, SESSION_NO_SERVER, now);
		visit_end(v);
	}
}

static void
w_done(void *user, struct session *s, enum session_result r, fc_time_t now)
{
	struct visit *v = session_user(s);

	(void)user;
	if (v->over)
		return; /* a BitTorrent client that gave up */
	if (v->wants_bt) {
		bt_torrent(v, r, now);
		return;
	}
	visit_result(v, r, now);
	visit_end(v);
}

/* Whether no server the site's name points to is up. */
static bool
site_dark(const struct web *w, uint32_t site)
{
	const uint32_t *a;
	size_t n = dns_records(w->dns, site, &a);

	for (size_t i = 0; i < n; i++) {
		const struct wserver *ws = web_server_at((struct web *)w, a[i]);

		if (ws && server_up(ws->srv))
			return false;
	}
	return true;
}

static double
lognormal_median(gsl_rng *r, double median, double sigma)
{
	return median * exp(sigma * gsl_ran_gaussian(r, 1));
}

/*
 * Draws visit v's client from its own stream ("client", v->id): its
 * downlink, latency, resolver, router, ISP, page and whether it uses
 * BitTorrent, always in this order, so that the testbed's plan
 * (models/web/plan.h) draws the same clients.
 */
void
web_visit_draw(struct web *w, struct visit *v, uint32_t site)
{
	gsl_rng *r;
	double u;
	const struct site *st = &w->sites[site];

	rng_stream_init(&v->rng, w->ctx->seed, w->ctx->replication, "client", v->id);
	r = rng_stream_gsl(&v->rng);
	v->down_bps = MAX(lognormal_median(r, w->down_median, w->down_sigma), CLIENT_LINK_MIN_BPS);
	v->down_bps = MIN(v->down_bps, CLIENT_LINK_MAX_BPS);
	v->oneway = fc_time_from_sec(lognormal_median(r, w->lat_median_s, w->lat_sigma));
	v->resolver = (size_t)gsl_rng_uniform_int(r, w->resolvers);
	u = gsl_rng_uniform(r);
	v->router = world_random_router(w->world, r);
	v->isp = world_random_isp(w->world, r);
	v->page = 0;
	while (v->page + 1 < st->npages && st->cdf[v->page] < u)
		v->page++;
	v->wants_bt = w->bt_share > 0 && gsl_rng_uniform(r) < w->bt_share;
}

static void
visit_start(struct web *w, uint32_t site)
{
	const struct client_world world = { w_server, w_oneway, w_resolve, w_done, w };
	struct visit *v = g_new0(struct visit, 1);
	const struct site *st = &w->sites[site];
	const struct page *pg;
	g_autofree uint64_t *objects = NULL;

	v->id = w->next_client++;
	web_visit_draw(w, v, site);
	pg = &st->pages[v->page];
	v->w = w;
	v->site = site;
	v->counted = engine_now(w->e) >= w->ctx->warmup;
	v->dark = site_dark(w, site);
	v->link = world_link_take(w->world, (uint64_t)v->down_bps);
	if (v->wants_bt) {
		/* First the .torrent, from the servers of the site, in no more
		 * than torrent_timeout; the page must come within patience. */
		uint64_t bytes = st->torrent_bytes;

		v->s = session_start(w->e, &world, &w->cp_torrent, v->id, site, TORRENT_OBJECT,
				     &bytes, 1, v->link);
		v->ev = engine_schedule(w->e, w->cp.patience, bt_impatient, v);
	} else {
		/* Objects are named by page and index, for fetches. */
		objects = g_memdup2(pg->objects, pg->n * sizeof *pg->objects);
		v->s = session_start(w->e, &world, &w->cp, v->id, site, (uint64_t)v->page << OBJECT_INDEX_BITS,
				     objects, pg->n, v->link);
	}
	session_set_user(v->s, v);
	if (world_isps(w->world))
		session_set_via(v->s, world_isp_link(w->world, v->isp));
	g_hash_table_add(w->live, v);
	w->in_progress++;
	if (v->counted) {
		struct group *g = &w->groups[site == 0 ? 0 : 1];

		g->arrived++;
		g->bt_arrived += v->wants_bt;
		g->dark_arrived += v->dark;
		g->bt_dark_arrived += v->wants_bt && v->dark;
	}
}

void
web_flash_arrival(struct engine *e, void *data, fc_time_t now)
{
	struct web *w = data;
	fc_time_t next;

	visit_start(w, 0);
	next = arrivals_next(w->flash, &w->arrivals_rng, now);
	if (next < w->ctx->end)
		engine_schedule_at(e, next, web_flash_arrival, w);
}

/*
 * The gap to the next arrival at the cooperators' own sites (Poisson at
 * other_sites per site): truncated to the nanosecond and one added, so
 * that it is never zero.
 */
fc_time_t
web_other_gap(struct web *w)
{
	double rate = w->other_rate * (w->nservers - 1);

	return rng_time_from_ns(gsl_ran_exponential(rng_stream_gsl(&w->others_rng),
						     (double)FC_SEC / rate) + 1);
}

void
web_other_arrival(struct engine *e, void *data, fc_time_t now)
{
	struct web *w = data;
	gsl_rng *r = rng_stream_gsl(&w->others_rng);

	visit_start(w, 1 + (uint32_t)gsl_rng_uniform_int(r, w->nservers - 1));
	engine_schedule_at(e, fc_time_add(now, web_other_gap(w)), web_other_arrival, w);
}
