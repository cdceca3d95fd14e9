/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The host of libflashcoop-core in the simulator: one node per server,
 * its timer, its messages over the network, the actions it asks for, the
 * routing of each request, the HTTP fetches of a rescuer and the load
 * reports.  Each step is what a real server's host does with real I/O.
 */
#include "models/web/internal.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static void drain(struct wserver *ws);
static void fetch_start(struct wserver *ws, uint32_t site, uint64_t object);
struct fetch;
static void fetch_try(struct fetch *f);

static void
node_timer(struct engine *e, void *data, fc_time_t now)
{
	struct wserver *ws = data;

	(void)e;
	ws->node_ev = 0;
	if (!ws->node)
		return;
	fc_node_handle_expiry(ws->node, now);
	drain(ws);
}

/* Keeps one engine event at the node's deadline. */
static void
arm(struct wserver *ws)
{
	fc_time_t t;

	if (!ws->node)
		return;
	t = fc_node_expiry(ws->node);
	if (ws->node_ev && t == ws->node_at)
		return;
	engine_cancel(ws->w->e, ws->node_ev);
	ws->node_ev = 0;
	ws->node_at = t;
	if (t != FC_TIME_NEVER)
		ws->node_ev = engine_schedule_at(ws->w->e, t, node_timer, ws);
}

static void
deliver(struct engine *e, void *data, fc_time_t now)
{
	struct message *m = data;
	struct wserver *ws = m->to;

	(void)e;
	/* A node that crashed since the message left is not the one it was
	 * for; a down server hears nothing. */
	if (ws->node && ws->node_generation == m->generation && server_up(ws->srv)) {
		fc_node_recv(ws->node, now, m->data, m->len);
		drain(ws);
	}
	slab_give(&ws->w->msgs, m);
}

static void
log_state(struct wserver *ws, const struct fc_action *a)
{
	struct web *w = ws->w;
	g_autofree char *entity = g_strdup_printf("server.%u", ws->idx);

	ws->state = a->to;
	rec_vector_add(ws->v[V_STATE], engine_now(w->e), a->to);
	if (a->peer)
		rec_event(w->ctx->rec, engine_now(w->e), entity, "state", "%s -> %s: %s (server.%u)",
			  fc_state_name(a->from), fc_state_name(a->to),
			  fc_input_name(a->input), a->peer - 1);
	else
		rec_event(w->ctx->rec, engine_now(w->e), entity, "state", "%s -> %s: %s",
			  fc_state_name(a->from), fc_state_name(a->to), fc_input_name(a->input));
	/* The origin is rescued once a cooperator starts to rescue it. */
	if (a->peer == 1 && a->input == FC_IN_RESCUE_START &&
	    w->origin_crash != FC_TIME_NEVER && w->origin_rescued == FC_TIME_NEVER)
		w->origin_rescued = engine_now(w->e);
}

/*
 * The node pushes a copy of its site to a peer that consented
 * (predistribution, seed 000 Sec. 4.2.3).  With [coop] predistribution =
 * bittorrent the peer downloads it from the site's swarm; with ready the
 * copy is already on the peer's disk.
 */
static void
push_copy(struct wserver *ws, fc_node_id peer, uint32_t site)
{
	struct web *w = ws->w;
	struct wserver *to = web_server_at(w, peer); /* ids are addresses */

	g_assert(to && site == ws->idx);
	if (!w->copies_by_bt || !web_takes_copy(to, site) || to->copied[site] ||
	    !server_up(to->srv))
		return;
	if (!web_speer_of(to, site, FC_WHOLE_SITE))
		web_speer_join(to, web_torrent_get(w, site, FC_WHOLE_SITE), SP_COPY);
}

/* Carries out what the node wants done; returns how many actions. */
static unsigned
carry_out(struct wserver *ws)
{
	struct web *w = ws->w;
	struct fc_action a;
	unsigned count = 0;

	if (!ws->node)
		return 0;
	while (fc_node_next_action(ws->node, &a)) {
		count++;
		switch (a.type) {
		case FC_ACT_SEND: {
			struct wserver *to = web_server_at(w, a.peer); /* ids are addresses */
			struct message *m;

			g_assert(to);
			m = slab_take(&w->msgs);
			m->to = to;
			m->generation = to->node_generation;
			m->len = a.len;
			memcpy(m->data, a.data, a.len);
			engine_schedule(w->e, 2 * w->server_latency +
					world_hops(w->world, ws->router, to->router), deliver, m);
			break;
		}
		case FC_ACT_PROBE:
			break; /* the nodes probe by message */
		case FC_ACT_DNS_ADD:
			if (web_policy_moves_dns(w->policy))
				dns_add(w->dns, a.site, a.address);
			break;
		case FC_ACT_DNS_REMOVE:
			if (web_policy_moves_dns(w->policy))
				dns_remove(w->dns, a.site, a.address);
			break;
		case FC_ACT_FETCH:
			fetch_start(ws, a.site, a.object);
			break;
		case FC_ACT_DELETE: {
			GHashTableIter it;
			gpointer k;
			g_autofree char *prefix = g_strdup_printf("%u/", a.site);

			g_hash_table_iter_init(&it, ws->have);
			while (g_hash_table_iter_next(&it, &k, NULL))
				if (g_str_has_prefix(k, prefix))
					g_hash_table_iter_remove(&it);
			web_add_copies(ws); /* a copy made beforehand stays */
			/* Leaving the swarms tells the tracker (Fig. 10). */
			if (w->swarm)
				web_speers_leave(ws, a.site, false);
			web_release_site(ws, a.site, FC_WHOLE_SITE, false);
			break;
		}
		case FC_ACT_PUSH:
			push_copy(ws, a.peer, a.site);
			break;
		case FC_ACT_STATE:
			log_state(ws, &a);
			break;
		case FC_ACT_PEER: {
			g_autofree char *entity = g_strdup_printf("server.%u", ws->idx);

			rec_event(w->ctx->rec, engine_now(w->e), entity,
				  a.up ? "peer_up" : "peer_down", "server.%u", a.peer - 1);
			break;
		}
		}
	}
	return count;
}

static void
drain(struct wserver *ws)
{
	carry_out(ws);
	arm(ws);
}

/*
 * After routing a request: a route moves no deadline earlier (a renewed
 * rescue only moves one later, and the timer finds nothing to do), so the
 * timer needs a look only when the node wanted something done.
 */
static void
drain_routed(struct wserver *ws)
{
	if (carry_out(ws))
		arm(ws);
}

static uint64_t
host_rand(void *user)
{
	return gsl_rng_get(rng_stream_gsl(user)) ^
	       ((uint64_t)gsl_rng_get(rng_stream_gsl(user)) << 32);
}

void
web_site_published(struct wserver *ws)
{
	int rc = fc_node_site_changed(ws->node, engine_now(ws->w->e), ws->idx);

	g_assert(rc == 0);
	drain(ws);
}

/* A node per server; rebuilt (its state lost) when the server reboots. */
void
web_node_start(struct wserver *ws)
{
	struct web *w = ws->w;
	struct fc_config c = w->node_cfg;
	g_autofree struct fc_peer *peers = g_new0(struct fc_peer, w->nservers - 1);
	g_autofree struct fc_site *sites = g_new0(struct fc_site, w->nservers);
	struct fc_host host;
	size_t k = 0;
	int rc;

	for (unsigned i = 0; i < w->nservers; i++)
		sites[i] = (struct fc_site){ i, w->sites[i].bytes };
	for (unsigned j = 0; j < w->nservers; j++) {
		if (j == ws->idx)
			continue;
		peers[k++] = (struct fc_peer){
			.id = j + 1, .address = j + 1,
			.key = w->keys[MIN(ws->idx, j) * w->nservers + MAX(ws->idx, j)],
			.key_len = 32,
			.accepts_copy = w->predistributed,
			.copy_limit = w->copy_limit,
			.holds_copy = w->predistributed && w->sites[j].bytes <= w->copy_limit,
			.sites = &sites[j], .nsites = 1,
		};
	}
	c.id = ws->idx + 1;
	c.address = ws->address;
	c.sites = &sites[ws->idx];
	c.nsites = 1;
	c.peers = peers;
	c.npeers = k;
	host = (struct fc_host){ host_rand, &ws->node_rng };
	rc = fc_node_new(&c, &host, engine_now(w->e), &ws->node);
	g_assert(rc == 0);
	ws->node_generation++;
	arm(ws);
}


struct fetch {
	struct server_conn conn;
	struct wserver *ws, *from;
	uint32_t site;
	uint64_t object, bytes;
	unsigned tries;
	bool asked, got;
};

/* A rescuer's HTTP fetch is tried this often, FETCH_RETRY_FIRST after the
 * first refusal and twice as long after each next one. */
#define FETCH_TRIES 4
#define FETCH_RETRY_FIRST FC_SEC

#define FETCH(c) ((struct fetch *)(void *)((char *)(c) - offsetof(struct fetch, conn)))

/* The rescuer's held connections for site (and object, or all). */
void
web_release_site(struct wserver *ws, uint32_t site, uint64_t object, bool ok)
{
	g_autoptr(GPtrArray) go = g_ptr_array_new();

	for (guint i = 0; i < ws->waiters->len;) {
		struct waiter *wt = ws->waiters->pdata[i];

		if (wt->site == site && (object == FC_WHOLE_SITE || wt->object == object)) {
			g_ptr_array_add(go, wt->c);
			g_ptr_array_remove_index(ws->waiters, i); /* frees wt */
		} else {
			i++;
		}
	}
	for (guint i = 0; i < go->len; i++) {
		struct server_conn *c = go->pdata[i];

		if (!ok)
			c->reply = (struct server_reply){ .status = SERVER_UNAVAILABLE };
		server_resume(c);
	}
}

/* Held connections whose content has arrived through a swarm. */
void
web_release_arrived(struct wserver *ws, uint32_t site)
{
	g_autoptr(GPtrArray) go = g_ptr_array_new();

	for (guint i = 0; i < ws->waiters->len;) {
		struct waiter *wt = ws->waiters->pdata[i];

		if (wt->site == site && web_has_content(ws, site, wt->object)) {
			g_ptr_array_add(go, wt->c);
			g_ptr_array_remove_index(ws->waiters, i); /* frees wt */
		} else {
			i++;
		}
	}
	for (guint i = 0; i < go->len; i++)
		server_resume(go->pdata[i]);
}

/* One way between a rescuer and the server it fetches from. */
static fc_time_t
fetch_oneway(const struct fetch *f)
{
	return 2 * f->ws->w->server_latency +
	       world_hops(f->ws->w->world, f->ws->router, f->from->router);
}

static bool
f_next(struct server_conn *c, struct server_request *req, fc_time_t now)
{
	struct fetch *f = FETCH(c);
	fc_time_t oneway;

	if (f->asked)
		return false;
	f->asked = true;
	oneway = fetch_oneway(f);
	/* Accepted as the SYN arrived: the SYN-ACK goes back, the request
	 * comes, a round trip later. */
	*req = (struct server_request){
		.site = f->site, .object = f->object, .bytes = f->bytes,
		.downlink = f->ws->down, .ready_at = fc_time_add(now, 2 * oneway),
		.latency = oneway, .internal = true,
	};
	return true;
}

/* A rescuer's fetch of site's object has ended: the node hears it (once
 * the data is here its record may go into the site's name). */
void
web_fetch_done(struct wserver *ws, uint32_t site, uint64_t object, bool ok)
{
	if (!ws->node || !server_up(ws->srv))
		return;
	fc_node_fetch_done(ws->node, engine_now(ws->w->e), site, object, ok);
	drain(ws);
}

static void
f_reply(struct server_conn *c, fc_time_t now)
{
	struct fetch *f = FETCH(c);
	struct wserver *ws = f->ws;
	g_autofree char *key = web_content_key(f->site, f->object);

	(void)now;
	f->got = c->reply.status == SERVER_OK;
	g_hash_table_remove(ws->fetching, key);
	if (f->got)
		g_hash_table_add(ws->have, g_steal_pointer(&key));
	web_release_site(ws, f->site, f->object, f->got);
	web_fetch_done(ws, f->site, f->object, f->got);
}

static void
f_end(struct server_conn *c, enum server_end why, fc_time_t now)
{
	struct fetch *f = FETCH(c);

	(void)why;
	(void)now;
	if (!f->got) {
		g_autofree char *key = web_content_key(f->site, f->object);

		g_hash_table_remove(f->ws->fetching, key);
		web_release_site(f->ws, f->site, f->object, false);
		web_fetch_done(f->ws, f->site, f->object, false);
	}
	g_hash_table_remove(f->ws->w->fetches, f); /* frees it */
}

static const struct server_conn_ops fetch_ops = { f_next, f_reply, f_end };

static void
fetch_retry(struct engine *e, void *data, fc_time_t now)
{
	(void)e;
	(void)now;
	fetch_try(data);
}

static void
fetch_try(struct fetch *f)
{
	enum server_accept r = server_connect(f->from->srv, &f->conn, &fetch_ops);

	if (r == SERVER_ACCEPTED || r == SERVER_QUEUED)
		return;
	if (++f->tries < FETCH_TRIES) {
		engine_schedule(f->ws->w->e, FETCH_RETRY_FIRST << (f->tries - 1), fetch_retry, f);
		return;
	}
	f_end(&f->conn, SERVER_END_CLOSED, engine_now(f->ws->w->e));
}

static void
fetch_start(struct wserver *ws, uint32_t site, uint64_t object)
{
	struct web *w = ws->w;
	g_autofree char *key = web_content_key(site, object);
	struct fetch *f;

	if (site >= w->nservers || site == ws->idx || web_has_content(ws, site, object) ||
	    web_fetch_underway(ws, site, object))
		return;
	/* Through the swarm (seed 000 Sec. 4.3.3, steps 5 and 6). */
	if (w->bt_fetch) {
		web_speer_join(ws, web_torrent_get(w, site, object), SP_FETCH);
		return;
	}
	f = g_new0(struct fetch, 1);
	f->ws = ws;
	f->from = &w->servers[site];
	f->site = site;
	f->object = object;
	f->bytes = web_object_bytes(w, site, object);
	g_hash_table_add(ws->fetching, g_steal_pointer(&key));
	g_hash_table_add(w->fetches, f);
	/* The SYN reaches the origin one way later. */
	engine_schedule(w->e, fetch_oneway(f), fetch_retry, f);
}

void
web_route(void *user, struct server *srv, struct server_conn *c,
      const struct server_request *req, struct server_reply *out, fc_time_t now)
{
	struct wserver *ws = user;
	struct web *w = ws->w;
	struct fc_request fr = { req->site, req->object, req->token,
				 req->token ? FC_TOKEN_LEN : 0 };
	struct fc_route r;

	(void)srv;
	/* The .torrent: any server holding something of the site has it. */
	if (req->object == TORRENT_OBJECT) {
		if (!web_holds_any(ws, req->site))
			*out = (struct server_reply){ .status = SERVER_NOT_FOUND };
		return;
	}
	if (req->internal || w->policy == WEB_POLICY_MIRROR)
		return; /* 200, as asked */
	if (w->policy == WEB_POLICY_NONE || !ws->node) {
		if (req->site != ws->idx)
			*out = (struct server_reply){ .status = SERVER_NOT_FOUND };
		return;
	}
	fc_node_route(ws->node, now, &fr, &r);
	switch (r.kind) {
	case FC_ROUTE_SERVE:
		break;
	case FC_ROUTE_REDIRECT:
		*out = (struct server_reply){ .status = SERVER_REDIRECT, .location = r.address,
					      .has_token = req->site == ws->idx };
		memcpy(out->token, r.token, FC_TOKEN_LEN);
		/* Demand the server sends away is still demand on it: the
		 * feedback share is the excess of all of it. */
		if (req->site == ws->idx)
			ws->redirected_bytes += web_redirect_bytes(w, req->site, req->object);
		break;
	case FC_ROUTE_RESCUE:
		if (!web_has_content(ws, req->site, req->object)) {
			struct waiter *wt = g_new(struct waiter, 1);

			*wt = (struct waiter){ c, req->site, req->object };
			g_ptr_array_add(ws->waiters, wt);
			out->hold = true;
		}
		break;
	case FC_ROUTE_UNKNOWN:
		*out = (struct server_reply){ .status = SERVER_NOT_FOUND };
		break;
	}
	drain_routed(ws);
	/*
	 * A held request needs a fetch under way.  The node asks for each
	 * object once; when that fetch failed (the origin dropped it, say),
	 * the host asks again rather than hold the worker for ever.
	 */
	if (out->hold && !web_fetch_underway(ws, req->site, req->object))
		fetch_start(ws, req->site, req->object);
}

void
web_unheld(void *user, struct server *srv, struct server_conn *c)
{
	struct wserver *ws = user;

	(void)srv;
	for (guint i = 0; i < ws->waiters->len; i++) {
		struct waiter *wt = ws->waiters->pdata[i];

		if (wt->c == c) {
			g_ptr_array_remove_index(ws->waiters, i); /* frees wt */
			return;
		}
	}
}

void
web_updown(void *user, struct server *srv, bool up, fc_time_t now)
{
	struct wserver *ws = user;
	struct web *w = ws->w;
	g_autofree char *entity = g_strdup_printf("server.%u", ws->idx);

	(void)srv;
	rec_event(w->ctx->rec, now, entity, up ? "reboot" : "crash", NULL);
	if (!up) {
		/* The machine is down: the node's state is gone. */
		engine_cancel(w->e, ws->node_ev);
		ws->node_ev = 0;
		fc_node_free(ws->node);
		ws->node = NULL;
		g_hash_table_remove_all(ws->have);
		web_add_copies(ws); /* on disk, they survive the crash */
		if (w->swarm)
			web_speers_leave(ws, 0, true);
		if (ws->idx == 0 && w->origin_crash == FC_TIME_NEVER)
			w->origin_crash = now;
		return;
	}
	if (web_policy_has_nodes(w->policy))
		web_node_start(ws);
	/* Back up: it seeds its own site's torrents and its copies again, and
	 * takes again the copies it had not finished. */
	for (guint t = 0; w->swarm && t < w->torrent_of->len; t++) {
		const struct torrent_of *of = &g_array_index(w->torrent_of, struct torrent_of, t);

		if (of->site == ws->idx ||
		    (of->object == FC_WHOLE_SITE && web_seeds_site(ws, of->site)))
			web_speer_join(ws, t, SP_SEED);
		else if (of->object == FC_WHOLE_SITE && web_takes_copy(ws, of->site))
			web_speer_join(ws, t, SP_COPY);
	}
}

double
web_uplink_demand(const struct wserver *ws)
{
	return (net_link_load(ws->w->net, ws->up) + ws->redirected_bps) / ws->uplink_bps;
}

/*
 * What a real server measures: its workers busy and the connections in
 * its accept queue, the rate its uplink carries (interface counters) and
 * the sizes of the objects it answered with a redirect (its access log).
 * The demand form is flow-level: it sees the demand that reaches the
 * server, not SYNs lost to a full backlog, and the uplink's served part
 * at the rate the flows get, so an uplink that is full and redirects
 * nothing reports 1; the excess shows in the workers' figure (the
 * backlog fills), and once redirects start, what they send away counts.
 */
size_t
web_load_figures(const struct wserver *ws, struct fc_load out[3])
{
	const struct web *w = ws->w;
	size_t n = 0;

	if (w->load_form == WEB_LOAD_DEMAND) {
		out[n++] = (struct fc_load){ (double)server_busy(ws->srv) +
					     server_waiting(ws->srv), ws->sp.workers };
		out[n++] = (struct fc_load){ web_uplink_demand(ws) * ws->uplink_bps,
					     ws->uplink_bps };
		return n;
	}
	out[n++] = (struct fc_load){ server_busy(ws->srv), ws->sp.workers };
	if (ws->sp.backlog)
		out[n++] = (struct fc_load){ server_waiting(ws->srv), ws->sp.backlog };
	/* The uplink: bits per second over its capacity. */
	out[n++] = (struct fc_load){ net_link_load(w->net, ws->up), ws->uplink_bps };
	return n;
}

void
web_report_loads(struct engine *e, void *data, fc_time_t now)
{
	struct web *w = data;

	for (unsigned i = 0; i < w->nservers; i++) {
		struct wserver *ws = &w->servers[i];
		struct fc_load loads[3];
		size_t n;

		ws->redirected_bps = (double)(ws->redirected_bytes - ws->redirected_last) * 8 /
				     fc_time_to_sec(w->load_interval);
		ws->redirected_last = ws->redirected_bytes;
		if (!ws->node || !server_up(ws->srv))
			continue;
		n = web_load_figures(ws, loads);
		fc_node_report_load(ws->node, now, loads, n);
		drain(ws);
	}
	engine_schedule(e, w->load_interval, web_report_loads, w);
}
