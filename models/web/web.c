/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/web/web.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "models/web/arrivals.h"
#include "models/web/client.h"
#include "models/web/dns.h"
#include "flashcoop/core.h"
#include "sim/model.h"
#include "models/world/net.h"
#include "sim/rng.h"
#include "models/web/server.h"
#include "models/bittorrent/swarm.h"
#include "models/world/topology.h"
#include "models/bittorrent/tracker.h"

enum policy {
	POLICY_NONE,
	POLICY_MIRROR,
	POLICY_REDIRECT,
	POLICY_COOP,
};

struct page {
	uint64_t *objects; /* bytes; [0] is the HTML */
	uint64_t *offset;  /* where each object starts in the site's torrent */
	size_t n;
};

struct site {
	struct page *pages;
	size_t npages;
	double *cdf;       /* page popularity, cumulative */
	uint64_t bytes;    /* all its objects */
	uint64_t nobjects;
	uint64_t torrent_bytes; /* its .torrent file */
};

/*
 * Objects are named page * 1024 + index; the .torrent of a site is an
 * object of its own, which any server holding the site serves itself.
 */
#define TORRENT_OBJECT ((uint64_t)1 << 40)

/* Who uploads into the swarms, for the byte accounts. */
enum { BT_ORIGIN, BT_COOPERATORS, BT_CLIENTS };

/* A torrent: a whole site, or one object of it (spread = objects). */
struct torrent_of {
	uint32_t site;
	uint64_t object;   /* FC_WHOLE_SITE for the site */
};

/* Why a server is in a swarm. */
enum speer_kind {
	SP_SEED,   /* its own site, or a copy it holds */
	SP_FETCH,  /* a rescuer fetching what it serves */
	SP_COPY,   /* taking its copy (predistribution through BitTorrent) */
};

/* A server's place in a swarm. */
struct speer {
	struct wserver *ws;
	struct swarm_peer *p;
	uint32_t site;
	uint64_t object;
	fc_time_t started;
	enum speer_kind kind;
};

/* A connection held by a rescuer until the content it asks has come. */
struct waiter {
	struct server_conn *c;
	uint32_t site;
	uint64_t object;
};

struct wserver {
	struct web *w;
	unsigned idx;
	uint32_t address;      /* idx + 1 */
	struct server *srv;
	struct rng_stream cpu, node_rng;
	net_link up, down;
	unsigned router;       /* with a topology */
	struct fc_node *node;  /* NULL with no cooperation, or while down */
	engine_event node_ev;
	fc_time_t node_at;
	uint64_t node_generation; /* bumped when the node is replaced */
	GHashTable *have;      /* keys "site/object", or "site/all" for a whole site */
	GHashTable *fetching;  /* the same keys: a fetch is under way */
	GPtrArray *waiters;    /* struct waiter, oldest first */
	GHashTable *speers;    /* torrent id -> struct speer */
	bool *copied;          /* per site: its copy is complete (predistribution) */
	uint32_t joins;        /* swarm joins so far, for peer ids */
	/* Counts at the last sample. */
	struct server_counts last;
	struct rec_vector *v[9];
	enum fc_state state;
};

enum { V_CONN, V_SERVED, V_REDIRECTED, V_DROPPED, V_BUSY, V_BACKLOG, V_LOAD,
       V_UPLINK, V_STATE };
static const char *const vnames[] = { "connections", "served", "redirected", "dropped",
				      "busy", "backlog", "load", "uplink_use", "state" };

/* A client's visit. */
struct visit {
	struct web *w;
	struct session *s;
	uint32_t site;
	net_link link;
	fc_time_t oneway;
	size_t resolver;
	unsigned router;
	size_t isp;
	size_t page;
	uint64_t id;
	bool counted; /* started in the measured window */
	bool dark;    /* started while no server of the site was up */
	bool over;    /* its page is done or failed */
	struct rng_stream rng;
	double down_bps;
	/* A BitTorrent client: first the .torrent, then its uplink and its
	 * peer in the site's swarm. */
	bool wants_bt, bt;
	net_link uplink;
	struct swarm_peer *peer;
	fc_time_t joined;
	engine_event ev;      /* patience, then the end of seeding */
	engine_event join_ev; /* the .torrent from the tracker */
};

/* Per site group: the flash-crowd site and the others. */
struct group {
	const char *entity;
	uint64_t arrived, done, impatient, no_server, not_found;
	/* BitTorrent clients, and visits while no server of the site was up. */
	uint64_t bt_arrived, bt_done, dark_arrived, dark_done, bt_dark_arrived, bt_dark_done;
	struct rec_stat *bt_page_time;
	GArray *interval_times; /* page times of this interval, s */
	uint64_t interval_ok, interval_failed;
	struct rec_stat *page_time;
	struct rec_vector *v_ok, *v_failed, *v_ratio, *v_p50, *v_p90, *v_p99;
};

struct web {
	struct sim_ctx *ctx;
	struct engine *e;
	struct net *net;
	struct dns *dns;
	enum policy policy;
	unsigned nservers;
	struct wserver *servers;
	struct site *sites;
	struct server_params sp;
	struct client_params cp;
	fc_time_t server_latency, sample_interval, load_interval;
	double uplink_bps;
	double other_rate;
	struct arrivals *flash;
	struct rng_stream arrivals_rng, others_rng;
	uint64_t next_client;
	/* Client attributes. */
	double down_median, down_sigma, lat_median_s, lat_sigma;
	size_t resolvers;
	/* Client access links, reused. */
	GArray *free_links;
	GPtrArray *finished;   /* visits to free */
	engine_event reap_ev;
	uint64_t in_progress;
	struct group groups[2];
	/* Crashes of the origin, for the time to rescue and to service. */
	fc_time_t origin_crash, origin_rescued, origin_served;
	struct fc_config node_cfg;  /* common part */
	uint8_t (*keys)[32];        /* nservers x nservers, symmetric */
	bool predistributed;
	bool copies_by_bt;     /* copies fetched through the swarms from time 0 */
	uint64_t copy_limit;
	GHashTable *inflight;  /* messages on their way, freed at the end */
	GHashTable *live;      /* visits under way, for the end */
	GHashTable *fetches;   /* fetches under way, for the end */
	struct topology *topo; /* NULL: access latencies only */
	net_link *isp;         /* the ISPs' shared links */
	size_t nisps;
	/* BitTorrent: one tracker and one swarm model for every torrent. */
	bool bt_fetch;         /* rescuers fetch through the swarms */
	double bt_share;       /* of the clients */
	double uplink_share;
	fc_time_t seeding_mean;
	struct client_params cp_torrent;
	struct rng_stream tracker_rs;
	struct tracker *tr;
	struct swarm *swarm;
	uint64_t piece_size;
	GHashTable *torrents;  /* torrent_key(site, object) -> id + 1 */
	GArray *torrent_of;    /* id -> struct torrent_of */
	uint64_t site0_clients_holding;
	struct rec_stat *fetch_time, *copy_time, *bt_download_time;
	struct rec_vector *v_rep_servers, *v_rep_objects, *v_rep_clients, *v_seeds,
			  *v_leechers, *v_bytes[3][2];
	uint64_t last_http[2], last_bt[3];
};

/* One-way latency between routers a and b (0 without a topology). */
static fc_time_t
hops_delay(const struct web *w, unsigned a, unsigned b)
{
	return w->topo ? topology_delay(w->topo, a, b) : 0;
}

static struct wserver *
server_at(struct web *w, uint32_t address)
{
	return address >= 1 && address <= w->nservers ? &w->servers[address - 1] : NULL;
}

static char *
content_key(uint32_t site, uint64_t object)
{
	if (object == FC_WHOLE_SITE)
		return g_strdup_printf("%u/all", site);
	return g_strdup_printf("%u/%" G_GUINT64_FORMAT, site, object);
}

/* ---- Torrents ---- */

static uint64_t
torrent_key(uint32_t site, uint64_t object)
{
	return ((uint64_t)site << 40) | (object == FC_WHOLE_SITE ? (((uint64_t)1 << 40) - 1) : object);
}

/* The torrent of (site, object), or UINT32_MAX when none was published. */
static uint32_t
torrent_find(const struct web *w, uint32_t site, uint64_t object)
{
	uint64_t k = torrent_key(site, object);
	gpointer v;

	if (!w->swarm || !(v = g_hash_table_lookup(w->torrents, &k)))
		return UINT32_MAX;
	return (uint32_t)(GPOINTER_TO_SIZE(v) - 1);
}

static struct speer *
speer_of(const struct wserver *ws, uint32_t site, uint64_t object)
{
	uint32_t t = torrent_find(ws->w, site, object);

	return t == UINT32_MAX ? NULL : g_hash_table_lookup(ws->speers, GUINT_TO_POINTER(t));
}

/* Where an object lies in its site's torrent. */
static void
object_range(const struct web *w, uint32_t site, uint64_t object, uint64_t *off, uint64_t *len)
{
	const struct page *pg = &w->sites[site].pages[(object >> 10) % w->sites[site].npages];
	size_t i = (size_t)MIN(object & 1023, pg->n - 1);

	*off = pg->offset[i];
	*len = pg->objects[i];
}

static uint64_t
object_bytes(const struct web *w, uint32_t site, uint64_t object)
{
	uint64_t off, len;

	if (object == FC_WHOLE_SITE)
		return w->sites[site].bytes;
	object_range(w, site, object, &off, &len);
	return len;
}

/* Whether p holds bytes [off, off + len) of its torrent. */
static bool
peer_covers(const struct web *w, const struct swarm_peer *p, uint64_t off, uint64_t len)
{
	uint64_t ps = w->piece_size;

	if (swarm_peer_seed(p))
		return true;
	for (uint64_t i = off / ps; i <= (off + len - 1) / ps; i++)
		if (!swarm_peer_has(p, (uint32_t)i))
			return false;
	return true;
}

static bool
has_content(struct wserver *ws, uint32_t site, uint64_t object)
{
	g_autofree char *whole = content_key(site, FC_WHOLE_SITE);
	g_autofree char *one = content_key(site, object);
	const struct speer *sp;

	if (g_hash_table_contains(ws->have, whole) || g_hash_table_contains(ws->have, one))
		return true;
	/* What has arrived through a swarm so far. */
	if ((sp = speer_of(ws, site, FC_WHOLE_SITE))) {
		uint64_t off, len;

		if (object == FC_WHOLE_SITE)
			return swarm_peer_seed(sp->p);
		object_range(ws->w, site, object, &off, &len);
		if (peer_covers(ws->w, sp->p, off, len))
			return true;
	}
	return object != FC_WHOLE_SITE && (sp = speer_of(ws, site, object)) &&
	       swarm_peer_seed(sp->p);
}

/* Whether ws has anything of site (and so its .torrent). */
static bool
holds_any(struct wserver *ws, uint32_t site)
{
	GHashTableIter it;
	gpointer k, v;
	g_autofree char *prefix = g_strdup_printf("%u/", site);

	if (site == ws->idx)
		return true;
	g_hash_table_iter_init(&it, ws->have);
	while (g_hash_table_iter_next(&it, &k, NULL))
		if (g_str_has_prefix(k, prefix))
			return true;
	g_hash_table_iter_init(&it, ws->speers);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (((struct speer *)v)->site == site)
			return true;
	return false;
}

static void speer_join(struct wserver *ws, uint32_t torrent, enum speer_kind kind);

/* Whether ws takes a copy of site (spread = predistributed). */
static bool
takes_copy(const struct wserver *ws, uint32_t site)
{
	const struct web *w = ws->w;

	return w->predistributed && site != ws->idx && w->sites[site].bytes <= w->copy_limit;
}

/* Whether ws holds its copy of site: made before the run, or fetched. */
static bool
holds_copy(const struct wserver *ws, uint32_t site)
{
	return takes_copy(ws, site) && (!ws->w->copies_by_bt || ws->copied[site]);
}

/* The copies made before the run ([coop] spread = predistributed): every
 * site within the copy limit, except a server's own (it has it anyway). */
static void
add_copies(struct wserver *ws)
{
	struct web *w = ws->w;

	for (unsigned s = 0; s < w->nservers; s++)
		if (holds_copy(ws, s))
			g_hash_table_add(ws->have, content_key(s, FC_WHOLE_SITE));
}

/*
 * The torrent of (site, object), published now if it was not: the site's
 * server seeds it, and so do the holders of copies made beforehand (of the
 * whole site).  A torrent is published when first needed; until then no
 * swarm has anything to do.
 */
static uint32_t
torrent_get(struct web *w, uint32_t site, uint64_t object)
{
	uint32_t t = torrent_find(w, site, object);
	uint64_t *k;
	struct torrent_of of = { site, object };

	if (t != UINT32_MAX)
		return t;
	t = swarm_torrent_add(w->swarm, object_bytes(w, site, object));
	g_assert(t == w->torrent_of->len);
	g_array_append_val(w->torrent_of, of);
	k = g_new(uint64_t, 1);
	*k = torrent_key(site, object);
	g_hash_table_insert(w->torrents, k, GSIZE_TO_POINTER((gsize)t + 1));
	for (unsigned i = 0; i < w->nservers; i++) {
		struct wserver *ws = &w->servers[i];

		if (server_up(ws->srv) &&
		    (i == site || (object == FC_WHOLE_SITE && holds_copy(ws, site))))
			speer_join(ws, t, SP_SEED);
	}
	return t;
}

/* ---- The cooperation node's host ---- */

static void drain(struct wserver *ws);
static void drain_routed(struct wserver *ws);

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

struct message {
	struct wserver *to;
	uint64_t generation;
	size_t len;
	uint8_t data[FC_MSG_MAX];
};

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
	g_hash_table_remove(ws->w->inflight, m); /* frees it */
}

static void fetch_start(struct wserver *ws, uint32_t site, uint64_t object);
static void speers_leave(struct wserver *ws, uint32_t site, bool every_one);
static void release_site(struct wserver *ws, uint32_t site, uint64_t object, bool ok);

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
			struct wserver *to = server_at(w, a.peer); /* ids are addresses */
			struct message *m;

			g_assert(to);
			m = g_new(struct message, 1);
			m->to = to;
			m->generation = to->node_generation;
			m->len = a.len;
			memcpy(m->data, a.data, a.len);
			g_hash_table_add(w->inflight, m);
			engine_schedule(w->e, 2 * w->server_latency +
					hops_delay(w, ws->router, to->router), deliver, m);
			break;
		}
		case FC_ACT_PROBE:
			break; /* the nodes probe by message */
		case FC_ACT_DNS_ADD:
			if (w->policy == POLICY_COOP)
				dns_add(w->dns, a.site, a.address);
			break;
		case FC_ACT_DNS_REMOVE:
			if (w->policy == POLICY_COOP)
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
			add_copies(ws); /* a copy made beforehand stays */
			/* Leaving the swarms tells the tracker (Fig. 10). */
			if (w->swarm)
				speers_leave(ws, a.site, false);
			release_site(ws, a.site, FC_WHOLE_SITE, false);
			break;
		}
		case FC_ACT_PUSH:
			break; /* copies are made before the run */
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

/* A node per server; rebuilt (its state lost) when the server reboots. */
static void
node_start(struct wserver *ws)
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

/* ---- Content fetched by a rescuer ---- */

struct fetch {
	struct server_conn conn;
	struct wserver *ws, *from;
	uint32_t site;
	uint64_t object, bytes;
	unsigned tries;
	bool asked, got;
};

#define FETCH(c) ((struct fetch *)(void *)((char *)(c) - offsetof(struct fetch, conn)))

/* The rescuer's held connections for site (and object, or all). */
static void
release_site(struct wserver *ws, uint32_t site, uint64_t object, bool ok)
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
static void
release_arrived(struct wserver *ws, uint32_t site)
{
	g_autoptr(GPtrArray) go = g_ptr_array_new();

	for (guint i = 0; i < ws->waiters->len;) {
		struct waiter *wt = ws->waiters->pdata[i];

		if (wt->site == site && has_content(ws, site, wt->object)) {
			g_ptr_array_add(go, wt->c);
			g_ptr_array_remove_index(ws->waiters, i); /* frees wt */
		} else {
			i++;
		}
	}
	for (guint i = 0; i < go->len; i++)
		server_resume(go->pdata[i]);
}

static void
sp_piece(struct swarm_peer *p, uint32_t piece, void *data, fc_time_t now)
{
	struct speer *sp = data;

	(void)p;
	(void)piece;
	(void)now;
	if (sp->kind != SP_SEED && sp->ws->waiters->len)
		release_arrived(sp->ws, sp->site);
}

static void
sp_complete(struct swarm_peer *p, void *data, fc_time_t now)
{
	struct speer *sp = data;
	struct wserver *ws = sp->ws;

	(void)p;
	if (sp->kind == SP_SEED)
		return;
	if (sp->kind == SP_COPY)
		ws->copied[sp->site] = true;
	g_hash_table_add(ws->have, content_key(sp->site, sp->object));
	if (sp->started >= ws->w->ctx->warmup)
		rec_stat_add(sp->kind == SP_COPY ? ws->w->copy_time : ws->w->fetch_time,
			      (double)(now - sp->started) / 1e9);
	release_site(ws, sp->site, sp->object, true);
}

static const struct swarm_hooks server_hooks = { sp_piece, sp_complete };

static void
speer_log(const struct speer *sp, const char *kind)
{
	g_autofree char *entity = g_strdup_printf("server.%u", sp->ws->idx);

	if (sp->object == FC_WHOLE_SITE)
		rec_event(sp->ws->w->ctx->rec, engine_now(sp->ws->w->e), entity, kind,
			  "site.%u", sp->site);
	else
		rec_event(sp->ws->w->ctx->rec, engine_now(sp->ws->w->e), entity, kind,
			  "site.%u object %" G_GUINT64_FORMAT, sp->site, sp->object);
}

/*
 * ws joins the swarm of torrent over its access links: as a seed (its own
 * site, or a copy it holds), to fetch what it serves, or to take its copy.
 */
static void
speer_join(struct wserver *ws, uint32_t torrent, enum speer_kind kind)
{
	struct web *w = ws->w;
	const struct torrent_of *of = &g_array_index(w->torrent_of, struct torrent_of, torrent);
	struct speer *sp = g_new0(struct speer, 1);
	/* Servers' peer ids have the top bit set; clients' do not. */
	uint64_t id = ((uint64_t)1 << 63) | ((uint64_t)ws->idx << 40) | ws->joins++;

	g_assert(ws->joins < ((uint64_t)1 << 40));
	g_assert(!g_hash_table_contains(ws->speers, GUINT_TO_POINTER(torrent)));
	*sp = (struct speer){ ws, NULL, of->site, of->object, engine_now(w->e), kind };
	g_hash_table_insert(ws->speers, GUINT_TO_POINTER(torrent), sp);
	sp->p = swarm_join(w->swarm, torrent, id, &ws->up, 1, &ws->down, 1, kind == SP_SEED,
			   &server_hooks, sp);
	swarm_peer_set_class(sp->p, ws->idx == 0 ? BT_ORIGIN : BT_COOPERATORS);
	if (kind == SP_FETCH)
		speer_log(sp, "bt_join");
}

/* ws leaves the swarms of site that it joined to fetch (all its swarms
 * with every_one), telling the tracker. */
static void
speers_leave(struct wserver *ws, uint32_t site, bool every_one)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, ws->speers);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct speer *sp = v;

		if (every_one || (sp->kind == SP_FETCH && sp->site == site)) {
			if (sp->kind == SP_FETCH)
				speer_log(sp, "bt_leave");
			swarm_leave(ws->w->swarm, sp->p);
			g_hash_table_iter_remove(&it); /* frees sp */
		}
	}
}

/* Whether a fetch of (site, object) is under way at ws. */
static bool
fetch_underway(struct wserver *ws, uint32_t site, uint64_t object)
{
	g_autofree char *one = content_key(site, object);
	g_autofree char *whole = content_key(site, FC_WHOLE_SITE);

	return g_hash_table_contains(ws->fetching, one) ||
	       g_hash_table_contains(ws->fetching, whole) ||
	       speer_of(ws, site, FC_WHOLE_SITE) ||
	       (object != FC_WHOLE_SITE && speer_of(ws, site, object));
}

static bool
f_next(struct server_conn *c, struct server_request *req, fc_time_t now)
{
	struct fetch *f = FETCH(c);
	fc_time_t oneway;

	if (f->asked)
		return false;
	f->asked = true;
	oneway = 2 * f->ws->w->server_latency +
		 hops_delay(f->ws->w, f->ws->router, f->from->router);
	*req = (struct server_request){
		.site = f->site, .object = f->object, .bytes = f->bytes,
		.downlink = f->ws->down, .ready_at = now + oneway,
		.latency = oneway, .internal = true,
	};
	return true;
}

static void
f_reply(struct server_conn *c, fc_time_t now)
{
	struct fetch *f = FETCH(c);
	struct wserver *ws = f->ws;
	g_autofree char *key = content_key(f->site, f->object);

	(void)now;
	f->got = c->reply.status == SERVER_OK;
	g_hash_table_remove(ws->fetching, key);
	if (f->got)
		g_hash_table_add(ws->have, g_steal_pointer(&key));
	release_site(ws, f->site, f->object, f->got);
}

static void
f_end(struct server_conn *c, enum server_end why, fc_time_t now)
{
	struct fetch *f = FETCH(c);

	(void)why;
	(void)now;
	if (!f->got) {
		g_autofree char *key = content_key(f->site, f->object);

		g_hash_table_remove(f->ws->fetching, key);
		release_site(f->ws, f->site, f->object, false);
	}
	g_hash_table_remove(f->ws->w->fetches, f); /* frees it */
}

static const struct server_conn_ops fetch_ops = { f_next, f_reply, f_end };

static void fetch_try(struct fetch *f);

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
	if (++f->tries < 4) {
		engine_schedule(f->ws->w->e, FC_SEC << (f->tries - 1), fetch_retry, f);
		return;
	}
	f_end(&f->conn, SERVER_END_CLOSED, engine_now(f->ws->w->e));
}

static void
fetch_start(struct wserver *ws, uint32_t site, uint64_t object)
{
	struct web *w = ws->w;
	g_autofree char *key = content_key(site, object);
	struct fetch *f;

	if (site >= w->nservers || site == ws->idx || has_content(ws, site, object) ||
	    fetch_underway(ws, site, object))
		return;
	/* Through the swarm (seed 000 Sec. 4.3.3, steps 5 and 6). */
	if (w->bt_fetch) {
		speer_join(ws, torrent_get(w, site, object), SP_FETCH);
		return;
	}
	f = g_new0(struct fetch, 1);
	f->ws = ws;
	f->from = &w->servers[site];
	f->site = site;
	f->object = object;
	f->bytes = object_bytes(w, site, object);
	g_hash_table_add(ws->fetching, g_steal_pointer(&key));
	g_hash_table_add(w->fetches, f);
	fetch_try(f);
}

/* ---- Routing each request ---- */

static void
route(void *user, struct server *srv, struct server_conn *c,
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
		if (!holds_any(ws, req->site))
			*out = (struct server_reply){ .status = SERVER_NOT_FOUND };
		return;
	}
	if (req->internal || w->policy == POLICY_MIRROR)
		return; /* 200, as asked */
	if (w->policy == POLICY_NONE || !ws->node) {
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
		break;
	case FC_ROUTE_RESCUE:
		if (!has_content(ws, req->site, req->object)) {
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
	if (out->hold && !fetch_underway(ws, req->site, req->object))
		fetch_start(ws, req->site, req->object);
}

static void
unheld(void *user, struct server *srv, struct server_conn *c)
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

static void
updown(void *user, struct server *srv, bool up, fc_time_t now)
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
		add_copies(ws); /* on disk, they survive the crash */
		if (w->swarm)
			speers_leave(ws, 0, true);
		if (ws->idx == 0 && w->origin_crash == FC_TIME_NEVER)
			w->origin_crash = now;
		return;
	}
	if (w->policy == POLICY_COOP || w->policy == POLICY_REDIRECT)
		node_start(ws);
	/* Back up: it seeds its own site's torrents and its copies again, and
	 * takes again the copies it had not finished. */
	for (guint t = 0; w->swarm && t < w->torrent_of->len; t++) {
		const struct torrent_of *of = &g_array_index(w->torrent_of, struct torrent_of, t);

		if (of->site == ws->idx ||
		    (of->object == FC_WHOLE_SITE && holds_copy(ws, of->site)))
			speer_join(ws, t, SP_SEED);
		else if (of->object == FC_WHOLE_SITE && takes_copy(ws, of->site))
			speer_join(ws, t, SP_COPY);
	}
}

/* ---- Clients ---- */

static struct server *
w_server(void *user, uint32_t address)
{
	struct wserver *ws = server_at(user, address);

	return ws ? ws->srv : NULL;
}

static fc_time_t
w_oneway(void *user, const struct session *s, uint32_t address)
{
	struct web *w = user;
	const struct visit *v = session_user(s);
	const struct wserver *ws = server_at(w, address);

	return v->oneway + w->server_latency + (ws ? hops_delay(w, v->router, ws->router) : 0);
}

static uint32_t
w_resolve(void *user, const struct session *s, uint32_t site, fc_time_t *delay)
{
	struct web *w = user;
	const struct visit *v = session_user(s);
	bool cached;
	uint32_t a = dns_resolve(w->dns, v->resolver, site, &cached);

	/* A miss: a round trip to the resolver, which asks the authority. */
	*delay = cached ? 0 : 2 * v->oneway + 2 * w->server_latency;
	return a;
}

static void
reap(struct engine *e, void *data, fc_time_t now)
{
	struct web *w = data;

	(void)e;
	(void)now;
	w->reap_ev = 0;
	for (guint i = 0; i < w->finished->len; i++) {
		struct visit *v = w->finished->pdata[i];

		session_free(v->s);
		g_array_append_val(w->free_links, v->link);
		if (v->bt)
			g_array_append_val(w->free_links, v->uplink);
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
		w->reap_ev = engine_schedule(w->e, 0, reap, w);
}

/* The visit's page is done, or will not be. */
static void
visit_result(struct visit *v, enum session_result r, fc_time_t now)
{
	struct web *w = v->w;
	struct group *g = &w->groups[v->site == 0 ? 0 : 1];
	double t = (double)(now - session_started(v->s)) / 1e9;

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

/* A client access link of bps: one a finished visit gave back, or a new one. */
static net_link
link_take(struct web *w, uint64_t bps)
{
	net_link l;

	if (!w->free_links->len)
		return net_link_add(w->net, bps);
	l = g_array_index(w->free_links, net_link, w->free_links->len - 1);
	g_array_set_size(w->free_links, w->free_links->len - 1);
	net_link_set(w->net, l, bps);
	return l;
}

/* ---- BitTorrent clients (seed 000 Sec. 4.2.4, Figs. 6 and 9) ---- */

static bool
page_arrived(const struct visit *v)
{
	const struct web *w = v->w;
	const struct page *pg = &w->sites[v->site].pages[v->page];

	for (size_t i = 0; i < pg->n; i++)
		if (!peer_covers(w, v->peer, pg->offset[i], pg->objects[i]))
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
		rec_stat_add(w->bt_download_time, (double)(now - v->joined) / 1e9);
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
	uint64_t bps = (uint64_t)MAX(v->down_bps * w->uplink_share, 1000.0);

	(void)e;
	v->join_ev = 0;
	v->uplink = link_take(w, bps);
	v->bt = true;
	up[n] = v->uplink;
	down[n++] = v->link;
	if (w->nisps) {
		up[n] = w->isp[v->isp];
		down[n++] = w->isp[v->isp];
	}
	v->joined = now;
	v->peer = swarm_join(w->swarm, torrent_get(w, v->site, FC_WHOLE_SITE), v->id,
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
		const struct wserver *ws = server_at((struct web *)w, a[i]);

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

static void
visit_start(struct web *w, uint32_t site)
{
	const struct client_world world = { w_server, w_oneway, w_resolve, w_done, w };
	struct visit *v = g_new0(struct visit, 1);
	gsl_rng *r;
	double u;
	const struct site *st = &w->sites[site];
	const struct page *pg;
	g_autofree uint64_t *objects = NULL;

	v->id = w->next_client++;
	rng_stream_init(&v->rng, w->ctx->seed, w->ctx->replication, "client", v->id);
	r = rng_stream_gsl(&v->rng);
	v->down_bps = MAX(lognormal_median(r, w->down_median, w->down_sigma), 1000.0);
	v->oneway = (fc_time_t)(lognormal_median(r, w->lat_median_s, w->lat_sigma) * 1e9 + 0.5);
	v->resolver = (size_t)gsl_rng_uniform_int(r, w->resolvers);
	u = gsl_rng_uniform(r);
	if (w->topo)
		v->router = (unsigned)gsl_rng_uniform_int(r, topology_routers(w->topo));
	if (w->nisps)
		v->isp = (size_t)gsl_rng_uniform_int(r, w->nisps);
	while (v->page + 1 < st->npages && st->cdf[v->page] < u)
		v->page++;
	pg = &st->pages[v->page];
	v->wants_bt = w->bt_share > 0 && gsl_rng_uniform(r) < w->bt_share;
	v->w = w;
	v->site = site;
	v->counted = engine_now(w->e) >= w->ctx->warmup;
	v->dark = site_dark(w, site);
	v->link = link_take(w, (uint64_t)v->down_bps);
	if (v->wants_bt) {
		/* First the .torrent, from the servers of the site, in no more
		 * than torrent_timeout; the page must come within patience. */
		uint64_t bytes = st->torrent_bytes;

		v->s = session_start(w->e, &world, &w->cp_torrent, v->id, site, TORRENT_OBJECT,
				     &bytes, 1, v->link);
		v->ev = engine_schedule(w->e, w->cp.patience, bt_impatient, v);
	} else {
		/* Objects are named page * 1024 + index, for fetches. */
		objects = g_memdup2(pg->objects, pg->n * sizeof *pg->objects);
		v->s = session_start(w->e, &world, &w->cp, v->id, site, (uint64_t)v->page << 10,
				     objects, pg->n, v->link);
	}
	session_set_user(v->s, v);
	if (w->nisps)
		session_set_via(v->s, w->isp[v->isp]);
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

static void
flash_arrival(struct engine *e, void *data, fc_time_t now)
{
	struct web *w = data;
	fc_time_t next;

	visit_start(w, 0);
	next = arrivals_next(w->flash, &w->arrivals_rng, now);
	if (next < w->ctx->end)
		engine_schedule_at(e, next, flash_arrival, w);
}

static void
other_arrival(struct engine *e, void *data, fc_time_t now)
{
	struct web *w = data;
	gsl_rng *r = rng_stream_gsl(&w->others_rng);
	double rate = w->other_rate * (w->nservers - 1);

	visit_start(w, 1 + (uint32_t)gsl_rng_uniform_int(r, w->nservers - 1));
	engine_schedule_at(e, now + (fc_time_t)(gsl_ran_exponential(r, 1e9 / rate) + 1),
			   other_arrival, w);
}

/* ---- Load reports and samples ---- */

static void
report_loads(struct engine *e, void *data, fc_time_t now)
{
	struct web *w = data;

	for (unsigned i = 0; i < w->nservers; i++) {
		struct wserver *ws = &w->servers[i];
		struct fc_load loads[3];
		size_t n = 0;

		if (!ws->node || !server_up(ws->srv))
			continue;
		loads[n++] = (struct fc_load){ server_busy(ws->srv), w->sp.workers };
		if (w->sp.backlog)
			loads[n++] = (struct fc_load){ server_waiting(ws->srv), w->sp.backlog };
		/* The uplink: bits per second over its capacity. */
		loads[n++] = (struct fc_load){ net_link_load(w->net, ws->up), w->uplink_bps };
		fc_node_report_load(ws->node, now, loads, n);
		drain(ws);
	}
	engine_schedule(e, w->load_interval, report_loads, w);
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
		if (i == 0 || has_content(ws, 0, FC_WHOLE_SITE)) {
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
		uint64_t bt = swarm_uploaded_by(w->swarm, (unsigned)k);

		if (k < 2) {
			rec_vector_add(w->v_bytes[k][0], now, (double)(http[k] - w->last_http[k]));
			w->last_http[k] = http[k];
		}
		rec_vector_add(w->v_bytes[k][1], now, (double)(bt - w->last_bt[k]));
		w->last_bt[k] = bt;
	}
}

static void
sample(struct engine *e, void *data, fc_time_t now)
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
			       (double)server_busy(ws->srv) / w->sp.workers);
		rec_vector_add(ws->v[V_UPLINK], now, net_link_load(w->net, ws->up) /
			       w->uplink_bps);
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
	if (now + w->sample_interval <= w->ctx->end)
		engine_schedule(e, w->sample_interval, sample, w);
}

/* ---- Building the world from the scenario ---- */

static uint64_t
clamp_bytes(double b)
{
	return b < 1 ? 1 : b > 1e12 ? (uint64_t)1e12 : (uint64_t)b;
}

static void
build_site(struct web *w, const struct scenario *sc, uint32_t i)
{
	struct site *st = &w->sites[i];
	struct rng_stream rs;
	gsl_rng *r;
	double zipf = scenario_real(sc, "site", "zipf"), norm = 0;

	rng_stream_init(&rs, w->ctx->seed, w->ctx->replication, "site", i);
	r = rng_stream_gsl(&rs);
	st->npages = scenario_count(sc, "site", "pages");
	st->pages = g_new0(struct page, st->npages);
	st->cdf = g_new(double, st->npages);
	for (size_t p = 0; p < st->npages; p++) {
		struct page *pg = &st->pages[p];
		double k = gsl_ran_pareto(r, scenario_real(sc, "site", "embedded_alpha"),
					  scenario_real(sc, "site", "embedded_k"));
		size_t emb = (size_t)MIN(floor(k), (double)scenario_count(sc, "site",
									  "embedded_max"));

		emb = MIN(emb, (size_t)1023);
		pg->n = 1 + emb;
		pg->objects = g_new(uint64_t, pg->n);
		if (gsl_rng_uniform(r) < scenario_ratio(sc, "site", "tail_share"))
			pg->objects[0] = clamp_bytes(gsl_ran_pareto(
				r, scenario_real(sc, "site", "tail_alpha"),
				(double)scenario_size(sc, "site", "tail_k")));
		else
			pg->objects[0] = clamp_bytes(gsl_ran_lognormal(
				r, scenario_real(sc, "site", "html_mu"),
				scenario_real(sc, "site", "html_sigma")));
		for (size_t o = 1; o < pg->n; o++)
			pg->objects[o] = clamp_bytes(gsl_ran_lognormal(
				r, scenario_real(sc, "site", "embedded_mu"),
				scenario_real(sc, "site", "embedded_sigma")));
		pg->offset = g_new(uint64_t, pg->n);
		for (size_t o = 0; o < pg->n; o++) {
			pg->offset[o] = st->bytes;
			st->bytes += pg->objects[o];
		}
		st->nobjects += pg->n;
		norm += pow((double)(p + 1), -zipf);
		st->cdf[p] = norm;
	}
	for (size_t p = 0; p < st->npages; p++)
		st->cdf[p] /= norm;
	/* A .torrent: a header, 20 bytes of SHA-1 per piece, a name and a
	 * length per file (object). */
	st->torrent_bytes = 200 + 20 * ((st->bytes + w->piece_size - 1) / w->piece_size) +
			    50 * st->nobjects;
}

static void
node_config(struct web *w, const struct scenario *sc)
{
	struct fc_config *c = &w->node_cfg;

	fc_config_default(c);
	c->flash_threshold = scenario_real(sc, "coop", "flash_threshold");
	c->low_water = scenario_real(sc, "coop", "low_water");
	c->smoothing = strcmp(scenario_choice(sc, "coop", "smoothing"), "ewma") == 0 ?
		       FC_SMOOTH_EWMA : FC_SMOOTH_WINDOW;
	c->smooth_time = scenario_duration(sc, "coop", "smooth_time");
	c->leave = strcmp(scenario_choice(sc, "coop", "leave"), "timer") == 0 ?
		   FC_LEAVE_TIMER : FC_LEAVE_HYSTERESIS;
	c->flash_hold = scenario_duration(sc, "coop", "flash_hold");
	c->calm_hold = scenario_duration(sc, "coop", "calm_hold");
	c->extend_while_high = scenario_bool(sc, "coop", "extend_while_high");
	c->rescue_hold = scenario_duration(sc, "coop", "rescue_hold");
	c->protect_self = scenario_bool(sc, "coop", "protect_self");
	c->protect_threshold = scenario_real(sc, "coop", "protect_threshold");
	c->share = strcmp(scenario_choice(sc, "coop", "share"), "fixed") == 0 ?
		   FC_SHARE_FIXED : FC_SHARE_FEEDBACK;
	c->redirect_share = scenario_ratio(sc, "coop", "redirect_share");
	c->target_load = scenario_real(sc, "coop", "target_load");
	c->max_share = scenario_ratio(sc, "coop", "max_share");
	c->target = strcmp(scenario_choice(sc, "coop", "target"), "round_robin") == 0 ?
		    FC_TARGET_ROUND_ROBIN :
		    strcmp(scenario_choice(sc, "coop", "target"), "spare") == 0 ?
		    FC_TARGET_SPARE : FC_TARGET_HASH;
	c->probe_mode = FC_PROBE_MESSAGE;
	c->probe_interval = scenario_duration(sc, "coop", "probe_interval");
	c->probe_jitter = scenario_ratio(sc, "coop", "probe_jitter");
	c->probe_timeout = scenario_duration(sc, "coop", "probe_timeout");
	c->probe_misses = (unsigned)scenario_count(sc, "coop", "probe_misses");
	c->heartbeat_interval = scenario_duration(sc, "coop", "heartbeat_interval");
	c->spread = strcmp(scenario_choice(sc, "coop", "spread"), "site") == 0 ?
		    FC_SPREAD_SITE :
		    strcmp(scenario_choice(sc, "coop", "spread"), "predistributed") == 0 ?
		    FC_SPREAD_PREDISTRIBUTED : FC_SPREAD_OBJECTS;
	/* Messages cross the network twice a server's latency. */
	c->replay_window = MAX(30 * FC_SEC, 8 * w->server_latency);
}

static void
tracker_down(struct engine *e, void *data, fc_time_t now)
{
	struct web *w = data;

	(void)e;
	rec_event(w->ctx->rec, now, "tracker", "down", NULL);
}

static gboolean
web_check(const struct scenario *sc, GError **err)
{
	if (strcmp(scenario_choice(sc, "clients", "arrival"), "trace") == 0 &&
	    !*scenario_string(sc, "clients", "trace"))
		return scenario_invalid(sc, err, "clients", "trace",
					"[clients] arrival = trace needs a trace file");
	if (scenario_real(sc, "coop", "low_water") > scenario_real(sc, "coop", "flash_threshold"))
		return scenario_invalid(sc, err, "coop", "low_water",
					"%s is above [coop] flash_threshold (%s)",
					scenario_value_text(sc, "coop", "low_water"),
					scenario_value_text(sc, "coop", "flash_threshold"));
	if (scenario_duration(sc, "web", "latency") == 0 &&
	    strcmp(scenario_choice(sc, "web", "policy"), "coop") == 0)
		return scenario_invalid(sc, err, "web", "latency",
					"the cooperation nodes need a latency above 0s");
	return TRUE;
}

static void web_destroy(void *data);

static void *
web_create(struct sim_ctx *ctx, const struct scenario *sc, GError **err)
{
	struct web *w = g_new0(struct web, 1);
	const char *policy = scenario_choice(sc, "web", "policy");
	g_autofree uint32_t *origins = NULL;
	struct dns_params dp;
	struct swarm_config bc;
	fc_time_t first;

	w->ctx = ctx;
	w->e = ctx->engine;
	w->net = net_new(w->e);
	w->policy = strcmp(policy, "none") == 0 ? POLICY_NONE :
		    strcmp(policy, "mirror") == 0 ? POLICY_MIRROR :
		    strcmp(policy, "redirect") == 0 ? POLICY_REDIRECT : POLICY_COOP;
	w->nservers = (unsigned)scenario_count(sc, "web", "cooperators") + 1;
	w->sp = (struct server_params){
		.workers = (unsigned)scenario_count(sc, "web", "workers"),
		.backlog = (unsigned)scenario_count(sc, "web", "backlog"),
		.cpu_mean_s = (double)scenario_duration(sc, "web", "cpu") / 1e9,
		.cpu = strcmp(scenario_choice(sc, "web", "cpu_distribution"), "constant") == 0 ?
		       SERVER_CPU_CONSTANT : SERVER_CPU_EXPONENTIAL,
		.crash_after = scenario_duration(sc, "web", "crash_after"),
		.reboot_delay = scenario_duration(sc, "web", "reboot_delay"),
	};
	w->cp = (struct client_params){
		.connections = (unsigned)scenario_count(sc, "clients", "connections"),
		.syn_retries = (unsigned)scenario_count(sc, "clients", "syn_retries"),
		.syn_timeout = scenario_duration(sc, "clients", "syn_timeout"),
		.patience = scenario_duration(sc, "clients", "patience"),
	};
	w->server_latency = scenario_duration(sc, "web", "latency");
	w->sample_interval = scenario_duration(sc, "web", "sample_interval");
	w->load_interval = scenario_duration(sc, "coop", "load_interval");
	w->uplink_bps = (double)scenario_rate(sc, "web", "uplink");
	w->other_rate = scenario_real(sc, "clients", "other_sites");
	w->down_median = (double)scenario_rate(sc, "clients", "downlink_median");
	w->down_sigma = scenario_real(sc, "clients", "downlink_sigma");
	w->lat_median_s = (double)scenario_duration(sc, "clients", "latency_median") / 1e9;
	w->lat_sigma = scenario_real(sc, "clients", "latency_sigma");
	w->resolvers = scenario_count(sc, "clients", "resolvers");
	w->free_links = g_array_new(FALSE, FALSE, sizeof(net_link));
	w->inflight = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_free, NULL);
	w->live = g_hash_table_new(g_direct_hash, g_direct_equal);
	w->fetches = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_free, NULL);
	w->finished = g_ptr_array_new();
	w->origin_crash = w->origin_rescued = w->origin_served = FC_TIME_NEVER;
	w->predistributed = w->policy == POLICY_COOP &&
			    strcmp(scenario_choice(sc, "coop", "spread"), "predistributed") == 0;
	w->copy_limit = scenario_size(sc, "coop", "copy_limit");
	w->copies_by_bt = w->predistributed &&
			  strcmp(scenario_choice(sc, "coop", "predistribution"), "bittorrent") == 0;
	swarm_config_read(&bc, sc);
	bc.master_seed = ctx->seed;
	bc.replication = ctx->replication;
	w->piece_size = bc.piece_size;
	w->bt_fetch = w->policy == POLICY_COOP &&
		      strcmp(scenario_choice(sc, "coop", "transport"), "bittorrent") == 0;
	w->bt_share = w->policy == POLICY_COOP ? scenario_ratio(sc, "clients", "bittorrent") : 0;
	w->uplink_share = scenario_ratio(sc, "clients", "uplink_share");
	w->seeding_mean = scenario_duration(sc, "clients", "seeding_time");
	w->cp_torrent = w->cp;
	w->cp_torrent.patience = scenario_duration(sc, "clients", "torrent_timeout");

	/* The arrivals first: a bad trace is bad input. */
	if (strcmp(scenario_choice(sc, "clients", "arrival"), "trace") == 0) {
		size_t n;
		g_autofree double *counts = arrivals_read_trace(
			scenario_string(sc, "clients", "trace"), &n, err);

		if (!counts) {
			g_prefix_error(err, "%s: [clients] trace: ",
				       scenario_where(sc, "clients", "trace"));
			web_destroy(w);
			return NULL;
		}
		w->flash = arrivals_new_trace(counts, n, scenario_duration(sc, "clients", "trace_period"),
					      scenario_real(sc, "clients", "trace_time_scale"),
					      scenario_real(sc, "clients", "trace_rate_scale"));
	} else {
		const struct arrivals_profile prof = {
			.baseline = scenario_real(sc, "clients", "baseline"),
			.shock = scenario_real(sc, "clients", "shock"),
			.start = scenario_duration(sc, "clients", "start"),
			.ramp_up = scenario_duration(sc, "clients", "ramp_up"),
			.sustained = scenario_duration(sc, "clients", "sustained"),
			.ramp_down = scenario_duration(sc, "clients", "ramp_down"),
			.ramp = strcmp(scenario_choice(sc, "clients", "ramp"), "linear") == 0 ?
				ARRIVALS_LINEAR : ARRIVALS_EXPONENTIAL,
		};

		w->flash = arrivals_new_profile(&prof);
	}

	w->sites = g_new0(struct site, w->nservers);
	for (uint32_t i = 0; i < w->nservers; i++)
		build_site(w, sc, i);

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
	if (w->policy == POLICY_MIRROR)
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

	if (strcmp(scenario_choice(sc, "network", "latency"), "topology") == 0) {
		const char *gen = scenario_choice(sc, "network", "generator");
		struct rng_stream ts;

		rng_stream_init(&ts, ctx->seed, ctx->replication, "topology", 0);
		w->topo = topology_new(strcmp(gen, "barabasi") == 0 ? TOPOLOGY_BARABASI :
				       strcmp(gen, "erdos_renyi") == 0 ? TOPOLOGY_ERDOS_RENYI :
				       TOPOLOGY_WATTS_STROGATZ,
				       (unsigned)scenario_count(sc, "network", "routers"),
				       (unsigned)scenario_count(sc, "network", "degree"),
				       scenario_ratio(sc, "network", "rewire"),
				       scenario_duration(sc, "network", "hop_delay"),
				       gsl_rng_get(rng_stream_gsl(&ts)), err);
		if (!w->topo) {
			g_prefix_error(err, "%s: [network] generator: ",
				       scenario_where(sc, "network", "generator"));
			web_destroy(w);
			return NULL;
		}
	}
	w->nisps = scenario_count(sc, "network", "isps");
	w->isp = g_new(net_link, MAX(w->nisps, 1u));
	for (size_t i = 0; i < w->nisps; i++)
		w->isp[i] = net_link_add(w->net, scenario_rate(sc, "network", "isp_link"));
	if (w->bt_fetch || w->bt_share > 0 || w->copies_by_bt) {
		fc_time_t down_at = scenario_duration(sc, "bittorrent", "tracker_down_at");
		fc_time_t down_for = scenario_duration(sc, "bittorrent", "tracker_down_for");

		rng_stream_init(&w->tracker_rs, ctx->seed, ctx->replication, "bt-tracker", 0);
		w->tr = tracker_new(&w->tracker_rs, swarm_tracker_answer(sc));
		if (down_for > 0) {
			tracker_set_down(w->tr, down_at, down_at + down_for);
			engine_schedule_at(w->e, down_at, tracker_down, w);
		}
		w->swarm = swarm_new(w->e, w->net, w->tr, &bc);
		w->torrents = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
		w->torrent_of = g_array_new(FALSE, FALSE, sizeof(struct torrent_of));
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
	w->servers = g_new0(struct wserver, w->nservers);
	for (unsigned i = 0; i < w->nservers; i++) {
		struct wserver *ws = &w->servers[i];
		g_autofree char *entity = g_strdup_printf("server.%u", i);

		ws->w = w;
		ws->idx = i;
		ws->address = i + 1;
		if (w->topo) {
			struct rng_stream rs;

			rng_stream_init(&rs, ctx->seed, ctx->replication, "server-router", i);
			ws->router = (unsigned)gsl_rng_uniform_int(rng_stream_gsl(&rs),
								   topology_routers(w->topo));
		}
		ws->up = net_link_add(w->net, scenario_rate(sc, "web", "uplink"));
		ws->down = net_link_add(w->net, scenario_rate(sc, "web", "downlink"));
		rng_stream_init(&ws->cpu, ctx->seed, ctx->replication, "server-cpu", i);
		rng_stream_init(&ws->node_rng, ctx->seed, ctx->replication, "node", i);
		ws->srv = server_new(w->e, w->net, ws->up, &w->sp, &ws->cpu);
		server_set_router(ws->srv, &(struct server_router){ route, updown, unheld, ws });
		ws->have = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		ws->fetching = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		ws->waiters = g_ptr_array_new_with_free_func(g_free);
		ws->speers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
		ws->copied = g_new0(bool, w->nservers);
		for (int v = 0; v < (int)G_N_ELEMENTS(vnames); v++)
			ws->v[v] = rec_vector_new(ctx->rec, entity, vnames[v]);
		rec_vector_add(ws->v[V_STATE], 0, FC_STATE_LOW);
		add_copies(ws);
	}
	/* Predistribution through BitTorrent: each site is published now and
	 * the cooperators that take a copy of it download it from its swarm. */
	for (uint32_t site = 0; w->copies_by_bt && site < w->nservers; site++) {
		uint32_t t = torrent_get(w, site, FC_WHOLE_SITE);

		for (unsigned i = 0; i < w->nservers; i++)
			if (takes_copy(&w->servers[i], site))
				speer_join(&w->servers[i], t, SP_COPY);
	}
	if (w->policy == POLICY_COOP || w->policy == POLICY_REDIRECT) {
		for (unsigned i = 0; i < w->nservers; i++)
			node_start(&w->servers[i]);
		engine_schedule(w->e, w->load_interval, report_loads, w);
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
	rng_stream_init(&w->arrivals_rng, ctx->seed, ctx->replication, "flash-arrivals", 0);
	rng_stream_init(&w->others_rng, ctx->seed, ctx->replication, "other-arrivals", 0);
	first = arrivals_next(w->flash, &w->arrivals_rng, 0);
	if (first < ctx->end)
		engine_schedule_at(w->e, first, flash_arrival, w);
	if (w->other_rate > 0 && w->nservers > 1)
		engine_schedule(w->e, (fc_time_t)(gsl_ran_exponential(
			rng_stream_gsl(&w->others_rng), 1e9 / (w->other_rate * (w->nservers - 1))) + 1),
			other_arrival, w);
	engine_schedule(w->e, w->sample_interval, sample, w);
	return w;
}

static void
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
			   (double)swarm_uploaded_by(w->swarm, BT_COOPERATORS));
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
	rec_scalar(ctx->rec, "all", "bytes_delivered", (double)net_bytes_delivered(w->net));
	/* The cost of the flow model: rate recomputations, flows re-rated. */
	rec_scalar(ctx->rec, "network", "recomputations", (double)net_recomputations(w->net));
	rec_scalar(ctx->rec, "network", "flows_rated", (double)net_flows_rated(w->net));
	if (w->origin_crash != FC_TIME_NEVER) {
		rec_scalar(ctx->rec, "origin", "crash_s", (double)w->origin_crash / 1e9);
		rec_scalar(ctx->rec, "origin", "time_to_rescue_s",
			   w->origin_rescued == FC_TIME_NEVER ? NAN :
			   (double)(w->origin_rescued - w->origin_crash) / 1e9);
		rec_scalar(ctx->rec, "origin", "time_to_service_s",
			   w->origin_served == FC_TIME_NEVER ? NAN :
			   (double)(w->origin_served - w->origin_crash) / 1e9);
	}
}

static void
web_destroy(void *data)
{
	struct web *w = data;

	if (!w)
		return;
	/* Sessions first: they let go of the servers' connections. */
	if (w->live) {
		GHashTableIter it;
		gpointer k;

		g_hash_table_iter_init(&it, w->live);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_ptr_array_add(w->finished, k);
		g_hash_table_unref(w->live);
	}
	reap(w->e, w, 0);
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
			g_hash_table_unref(ws->speers);
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
	topology_free(w->topo);
	g_free(w->isp);
	arrivals_free(w->flash);
	tracker_free(w->tr);
	if (w->torrents)
		g_hash_table_unref(w->torrents);
	if (w->torrent_of)
		g_array_unref(w->torrent_of);
	net_free(w->net);
	g_array_unref(w->free_links);
	g_hash_table_unref(w->inflight);
	if (w->fetches)
		g_hash_table_unref(w->fetches);
	g_free(w);
}

const struct model_type web_model = {
	.name = "web",
	.check = web_check,
	.create = web_create,
	.finish = web_finish,
	.destroy = web_destroy,
};
