/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The web model's private header: its state, shared by the files that
 * make it up, one concept each:
 *
 *   web.c      building the model from the scenario; its entry points
 *   host.c     the host of libflashcoop-core: node timers, messages,
 *              actions, routing each request, HTTP fetches by rescuers,
 *              load reports; what a real server's host must do, step by step
 *   content.c  sites, objects, torrents and the replicas servers hold
 *   visit.c    clients' visits over HTTP and BitTorrent, and arrivals
 *   metrics.c  samples and summaries
 *   faults.c   faults on demand: servers crashed at a given time
 *
 * Nothing outside models/web/ includes it.
 */
#ifndef FLASHCOOP_MODELS_WEB_INTERNAL_H
#define FLASHCOOP_MODELS_WEB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "flashcoop/core.h"
#include "models/bittorrent/swarm.h"
#include "models/bittorrent/tracker.h"
#include "models/web/arrivals.h"
#include "models/web/client.h"
#include "models/web/dns.h"
#include "models/web/server.h"
#include "models/web/web.h"
#include "models/world/net.h"
#include "models/world/world.h"
#include "sim/engine.h"
#include "sim/model.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/slab.h"

struct page {
	uint64_t *objects; /* bytes; [0] is the HTML */
	uint64_t *offset;  /* where each object starts in the site's torrent */
	size_t n;
};

/* How sites are drawn ([site] keys): SURGE's distributions. */
struct site_params {
	uint64_t pages;
	double zipf;                     /* page popularity */
	double html_mu, html_sigma;      /* lognormal body of HTML sizes */
	double tail_share, tail_alpha;   /* Pareto tail of HTML sizes */
	uint64_t tail_k;                 /* bytes */
	double embedded_k, embedded_alpha; /* Pareto count of embedded objects */
	uint64_t embedded_max;
	double embedded_mu, embedded_sigma; /* lognormal embedded sizes */
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
 * Objects are named (page << OBJECT_INDEX_BITS) + index, the HTML being
 * index 0, so a page has at most OBJECTS_PER_PAGE_MAX objects; the
 * .torrent of a site is an object of its own, which any server holding the
 * site serves itself.
 */
#define OBJECT_INDEX_BITS 10
#define OBJECTS_PER_PAGE_MAX ((size_t)1 << OBJECT_INDEX_BITS)
#define TORRENT_OBJECT ((uint64_t)1 << 40)

/* A torrent's key in the torrents table: the site above TORRENT_SITE_SHIFT
 * bits of object (all ones for the whole site). */
#define TORRENT_SITE_SHIFT 40

/*
 * Swarm peer ids: a server's have SERVER_PEER_BIT set, its index above
 * SERVER_JOIN_BITS bits that count its joins; a client's id is its number.
 */
#define SERVER_PEER_BIT ((uint64_t)1 << 63)
#define SERVER_JOIN_BITS 40

/* A drawn object size is kept within [1 B, OBJECT_MAX_BYTES]. */
#define OBJECT_MAX_BYTES 1e12

/*
 * A .torrent's size: a header, a SHA-1 per piece, and a name and a length
 * per file (object).
 */
#define TORRENT_HEADER_BYTES 200
#define TORRENT_PIECE_HASH_BYTES 20
#define TORRENT_FILE_ENTRY_BYTES 50

/* A client's access link is at least the first and at most the second
 * (bit/s); the upper bound keeps a lognormal draw from a median near
 * 2^64 bit/s convertible to a 64-bit rate. */
#define CLIENT_LINK_MIN_BPS 1000.0
#define CLIENT_LINK_MAX_BPS 1e18

/* Who uploads into the swarms, for the byte accounts. */
/* Swarm classes: server.0, the other servers, clients, and a cooperator in
 * the swarm of its own site (counted with the cooperators in the totals). */
enum { BT_ORIGIN, BT_COOPERATORS, BT_CLIENTS, BT_OWN_SITE };

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
	GTree *speers;         /* torrent id -> struct speer, in id order */
	bool *copied;          /* per site: its copy is complete (predistribution) */
	uint32_t joins;        /* swarm joins so far, for peer ids */
	/* Its own settings: the cooperators' or the origin's ([web]). */
	struct server_params sp;
	double uplink_bps;
	/* Counts at the last sample. */
	struct server_counts last;
	struct rec_vector *v[10];
	enum fc_state state;
	/* Bytes of the own site redirected elsewhere (web_redirect_bytes()),
	 * since the start and at the last load report, and their rate over
	 * the last load interval, bits per second (web_load_figures()). */
	uint64_t redirected_bytes, redirected_last;
	double redirected_bps;
};

/* A node's message on its way to another (models/web/host.c). */
struct message {
	struct wserver *to;
	uint64_t generation; /* of the node it is for */
	size_t len;
	uint8_t data[FC_MSG_MAX];
};

enum { V_CONN, V_SERVED, V_REDIRECTED, V_DROPPED, V_BUSY, V_BACKLOG, V_LOAD,
       V_UPLINK, V_UPLINK_DEMAND, V_STATE };

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
	/*
	 * Who served the group's sites, by role (enum web_role): bytes sent
	 * over HTTP to clients and to cooperators fetching the content, and
	 * objects served (since the start); pages completed in the window,
	 * by who sent the page itself, or through the swarm.
	 */
	uint64_t http_bytes[2], fetch_bytes[2], objects[2];
	uint64_t pages_by[2], pages_bt;
};

/* Roles of a server towards a site: its own server, or another one. */
enum web_role { ROLE_ORIGIN, ROLE_COOPERATORS };

struct web {
	struct world *world;
	struct sim_ctx *ctx;
	struct engine *e;      /* the world's */
	struct net *net;       /* the world's */
	struct dns *dns;
	enum web_policy policy;
	unsigned nservers;
	struct wserver *servers;
	struct site *sites;
	struct server_params sp;  /* the cooperators'; each server has its own */
	struct client_params cp;
	fc_time_t server_latency, sample_interval, load_interval;
	enum web_load_form load_form;
	double other_rate;
	struct arrivals *flash;
	struct rng_stream arrivals_rng, others_rng;
	uint64_t next_client;
	/* Client attributes. */
	double down_median, down_sigma, lat_median_s, lat_sigma;
	size_t resolvers;
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
	struct slab msgs;      /* struct message: on their way, freed at the end */
	GHashTable *live;      /* visits under way, for the end */
	GHashTable *fetches;   /* fetches under way, for the end */
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
	/* [faults]: servers first..first+count-1 crash, for crash_for (0:
	 * for good); the DNS authority is down in [dns_from, dns_until)
	 * when dns_until > 0. */
	struct {
		unsigned first, count;
		fc_time_t crash_for, dns_from, dns_until;
	} fault;
};

/* ---- Building the model (web.c) ---- */

/* The arrivals of the origin's clients, from [clients]: the profile, or
 * the trace file (NULL with err naming it when it cannot be read). */
struct arrivals *web_flash_arrivals(const struct scenario *sc, GError **err);

/* ---- The work estimate (estimate.c) ---- */

/* traffic_type.estimate: the events and memory of a run up to end. */
void web_estimate(const struct scenario *sc, fc_time_t end, struct budget *b);

/* ---- Sites, objects, torrents and replicas (content.c) ---- */

struct wserver *web_server_at(struct web *w, uint32_t address);
char *web_content_key(uint32_t site, uint64_t object);
uint64_t web_object_bytes(const struct web *w, uint32_t site, uint64_t object);
/* The bytes a redirect of object sends away: the object's, and for a
 * page's HTML its embedded objects' too, since the client fetches them
 * from the server that sent it the HTML (client.h). */
uint64_t web_redirect_bytes(const struct web *w, uint32_t site, uint64_t object);
/* Where ws is in the swarm of (site, object), or NULL. */
struct speer *web_speer_of(const struct wserver *ws, uint32_t site, uint64_t object);
bool web_peer_covers(const struct web *w, const struct swarm_peer *p, uint64_t off, uint64_t len);
bool web_has_content(struct wserver *ws, uint32_t site, uint64_t object);
bool web_holds_any(struct wserver *ws, uint32_t site);
bool web_takes_copy(const struct wserver *ws, uint32_t site);
bool web_holds_copy(const struct wserver *ws, uint32_t site);
bool web_seeds_site(const struct wserver *ws, uint32_t site);
void web_add_copies(struct wserver *ws);
uint32_t web_torrent_get(struct web *w, uint32_t site, uint64_t object);
void web_speer_join(struct wserver *ws, uint32_t torrent, enum speer_kind kind);
void web_speers_leave(struct wserver *ws, uint32_t site, bool every_one);
bool web_fetch_underway(struct wserver *ws, uint32_t site, uint64_t object);
void web_build_site(struct web *w, const struct site_params *sp, uint32_t i);
void web_visit_draw(struct web *w, struct visit *v, uint32_t site);

/* ---- The core's host (host.c) ---- */

void web_node_start(struct wserver *ws);
/* ws's site was published or changed: its node pushes copies of it
 * (FC_ACT_PUSH) to the cooperators that consented. */
void web_site_published(struct wserver *ws);
void web_release_site(struct wserver *ws, uint32_t site, uint64_t object, bool ok);
void web_fetch_done(struct wserver *ws, uint32_t site, uint64_t object, bool ok);
void web_release_arrived(struct wserver *ws, uint32_t site);
void web_route(void *user, struct server *srv, struct server_conn *c, const struct server_request *req, struct server_reply *out, fc_time_t now);
void web_unheld(void *user, struct server *srv, struct server_conn *c);
/* Bytes of a response left server srv (metrics.c): counted by site and role. */
void web_sent(void *user, struct server *srv, const struct server_request *req,
	      uint64_t bytes, bool complete);
void web_updown(void *user, struct server *srv, bool up, fc_time_t now);
/*
 * The load figures of ws now, as [coop] load_form says (web.h), into
 * out[0..3); returns how many.  web_report_loads() gives them to the
 * node every [coop] load_interval.
 */
size_t web_load_figures(const struct wserver *ws, struct fc_load out[3]);
/* The uplink's figure of demand: (rate carried + own-site bits redirected
 * per second over the last load interval) / capacity. */
double web_uplink_demand(const struct wserver *ws);
void web_report_loads(struct engine *e, void *data, fc_time_t now);

/* ---- Faults on demand (faults.c) ---- */

/* The [faults] keys against the rest of the scenario (traffic check). */
gboolean web_faults_check(const struct scenario *sc, GError **err);
/* Warns about [faults] keys that the other values make useless. */
void web_faults_warn(const struct scenario *sc, GPtrArray *warnings);
/* Schedules the faults, once the servers exist. */
void web_faults_start(struct web *w, const struct scenario *sc);

/* ---- Visits (visit.c) ---- */

void web_reap(struct engine *e, void *data, fc_time_t now);
void web_flash_arrival(struct engine *e, void *data, fc_time_t now);
fc_time_t web_other_gap(struct web *w);
void web_other_arrival(struct engine *e, void *data, fc_time_t now);

/* ---- Samples and summaries (metrics.c) ---- */

void web_sample(struct engine *e, void *data, fc_time_t now);
void web_metrics_new(struct web *w);
/* The run reached its end: the summaries (traffic_type.finish). */
void web_finish(void *data, struct sim_ctx *ctx);

#endif
