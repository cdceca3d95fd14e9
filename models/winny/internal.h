/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Winny model's private header: its state, shared by the files that
 * make it up, one concept each:
 *
 *   winny.c     building the model from the [winny] keys; its entry points
 *   overlay.c   peers, their sessions (churn), presence probes (of Winny
 *               and of the Share-like second application, with their
 *               probes back) and search links, the keys pushed over those
 *               links, and the decoy peers
 *   files.c     the file catalogue, who holds what (the keys' index),
 *               queries, downloads and their transfers in 64 KiB blocks
 *   tap.c       what crosses the measurement point: the flow log, and the
 *               non-Winny background traffic beside the overlay
 *
 * (index.c, the key index model, is a model of its own and shares only
 * winny_exp_time().)
 *
 * identify.c is not part of the model but an analysis of what a run
 * recorded (flashcoop identify, identify.h); it reads the results
 * database only, never this header.
 *
 * A peer is either inside an ISP's stub network (its flows to the outside
 * cross that ISP's shared link, where the tap sits) or outside every ISP.
 * Nothing outside models/winny/ includes this header.
 */
#ifndef FLASHCOOP_MODELS_WINNY_INTERNAL_H
#define FLASHCOOP_MODELS_WINNY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <gsl/gsl_randist.h>

#include "models/winny/winny.h"
#include "models/world/net.h"
#include "models/world/world.h"
#include "sim/engine.h"
#include "sim/model.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/scenario.h"

/* IP and TCP headers of one packet, bytes. */
#define WINNY_HEADER_BYTES 40
/* Payload of a full TCP segment (Ethernet MTU 1500 less headers), bytes. */
#define WINNY_MSS 1460
/* Packets of an opened and closed connection that carry no payload, each
 * way: SYN (or SYN-ACK), the ACK that completes or answers it, and FIN. */
#define WINNY_HANDSHAKE_PACKETS 3
/* First ephemeral port, and how many there are (IANA's dynamic range). */
#define WINNY_EPHEMERAL_FIRST 49152
#define WINNY_EPHEMERAL_PORTS 16384
/* Service ports are drawn from [WINNY_PORT_FIRST, WINNY_EPHEMERAL_FIRST). */
#define WINNY_PORT_FIRST 1024
/* Address blocks: ISP k's stub network is 10.k.0.0/16 (k < 65536 is
 * checked), the outside overlay 100.0.0.0/8 and the outside hosts that
 * the background traffic talks to 120.0.0.0/8. */
#define WINNY_INSIDE_BASE 0x0A000000u
#define WINNY_OUTSIDE_BASE 0x64000000u
#define WINNY_REMOTE_BASE 0x78000000u
/* Candidates drawn when a peer looks for an upstream peer or a source
 * before it gives up for now. */
#define WINNY_CANDIDATE_TRIES 16
/* Downloads a peer keeps waiting at most (the rest of its wishes are
 * dropped). */
#define WINNY_MAX_QUEUED 16
/* Probes back a peer has promised at most; a peer that is sent more in
 * the short time before it answers forgets the newest. */
#define WINNY_MAX_CALLBACKS 32

/*
 * The P2P applications of the model.  A host that runs both (a share
 * [winny] share_hosts of the Winny peers) uses one address and a service
 * port for each; each application's peers talk only to its own peers.
 */
enum winny_app {
	APP_WINNY,
	APP_SHARE,
};

/* The [winny] keys, in base units. */
struct winny_params {
	uint64_t inside;          /* Winny peers inside each ISP */
	uint64_t addresses;       /* addresses of each ISP's stub network */
	uint64_t outside;         /* Winny peers outside every ISP */
	double availability;      /* share of peers online at any time */
	fc_time_t session;        /* mean online session */
	uint64_t up_links, down_links;
	fc_time_t link_life, link_life_max;
	fc_time_t probe_interval; /* presence probes of one online peer */
	double stale;             /* share of a node list that has gone */
	uint64_t hello;           /* node information exchanged by a probe */
	double callback;          /* share of accepted probes answered back */
	fc_time_t callback_delay; /* mean time before the probe back */
	uint64_t key_size;
	double key_rate;          /* keys per second each way on a search link */
	fc_time_t ttl;            /* of a key after its holder left */
	fc_time_t query_interval;
	uint64_t query_keys;      /* keys in an answer, at most */
	uint64_t query_size;      /* bytes of a query */
	uint64_t files;
	double zipf;
	uint64_t file_median, file_max;
	double file_sigma;
	uint64_t block;           /* transfer unit */
	double held;              /* mean files a peer holds at the start */
	double uploaders;         /* share of peers that serve what they hold */
	double uploader_stay;     /* their sessions, relative to the others' */
	double downloads;         /* wishes per online hour, mean over peers */
	double demand_sigma;      /* lognormal spread of the peers' wishes */
	fc_time_t slot_time;      /* longest time one transfer connection lasts */
	uint64_t slot_blocks;     /* most blocks one transfer connection carries */
	uint64_t upload_slots;
	uint64_t request;         /* bytes of a transfer request */
	fc_time_t connect_timeout;
	uint64_t syn_retries;
	double inside_fast, outside_fast;
	uint64_t fast_up, fast_down, slow_up, slow_down; /* bit/s */
	fc_time_t latency;        /* one-way, from a peer to the core */
	double background_rate;   /* connections per second through each tap */
	uint64_t background_size; /* mean bytes of a background response */
	double background_alpha;  /* Pareto shape of those sizes */
	uint64_t background_request;
	uint64_t background_access; /* bit/s of a background host's link */
	double background_outbound; /* share of connections whose data leaves */
	double share_hosts;       /* share of Winny hosts that also run Share */
	uint64_t share_peers;     /* Share-only peers, outside */
	uint64_t decoys;
	fc_time_t decoy_probe_interval;
};

struct wfile {
	uint64_t blocks;
	GArray *holders; /* uint32_t peer ids, in the order they got the file */
};

struct transfer;

/* A probe back that a peer has promised: at `at`, to peer `to`'s service
 * port of application `app`. */
struct callback {
	fc_time_t at;
	uint32_t to;
	uint32_t app; /* enum winny_app */
};

/*
 * A host of the model.  Winny peers (inside, outside, then the decoys)
 * come first in struct winny's array; the peers that run only Share come
 * last: those have a session and Share probes, and nothing else.
 */
struct peer {
	struct winny *w;
	uint32_t id;
	uint32_t ip;
	uint16_t port;
	uint16_t next_ephemeral;
	uint16_t share_port;      /* Share's service port; 0: no Share here */
	bool inside, online;
	bool winny;               /* runs Winny (false: Share only) */
	bool decoy;
	bool shares;              /* diffuses keys of what it holds, serves them */
	uint32_t isp;             /* inside peers only */
	net_link up, down;
	uint64_t up_bps;
	fc_time_t offline_since;  /* when it last left (keys live ttl after) */
	engine_event session_ev;  /* the next join or leave */
	engine_event probe_ev, link_ev, query_ev, wish_ev;
	engine_event probe_in_ev; /* probes from outside peers (inside peers) */
	engine_event share_probe_ev, share_probe_in_ev; /* the same for Share */
	engine_event callback_ev; /* the earliest promised probe back, */
	fc_time_t callback_at;    /* at this time */
	GArray *callbacks;        /* struct callback, promised, in promise order */
	uint32_t link_tries;      /* failed attempts since the last link */
	uint32_t nup, ndown;      /* search links it opened, and accepted */
	GPtrArray *links;         /* struct slink *, opened and accepted */
	uint32_t uploads;         /* transfers it serves now */
	GPtrArray *serving;       /* struct transfer * it serves */
	double demand;            /* wishes per second while online */
	GArray *held;             /* uint32_t file ids, sorted */
	/* The download in progress: file, blocks still missing; UINT32_MAX
	 * when none. */
	uint32_t want;
	uint64_t missing;
	struct transfer *getting; /* its transfer now, or NULL */
	struct peer *source;      /* the holder to ask again next, or NULL */
	GArray *queue;            /* uint32_t file ids wished for next */
	uint64_t bytes_up, bytes_down; /* transfer payload */
	struct rng_stream rng;
};

/* A search link: a opened it towards its upstream peer b. */
struct slink {
	struct peer *a, *b;
	fc_time_t start;
	uint16_t a_port;
	uint64_t extra_ab, extra_ba; /* query and answer bytes */
	uint32_t extra_packets_ab, extra_packets_ba;
	engine_event end_ev;
};

/* One transfer connection: to opened it to download from from. */
struct transfer {
	struct winny *w;
	struct peer *to, *from;
	uint64_t blocks;          /* asked for, or kept at the slot time */
	bool cut;                 /* closed at the slot time */
	fc_time_t start;
	uint16_t to_port;
	struct net_flow *flow;
	engine_event cut_ev;
};

struct winny {
	struct world *world;
	struct sim_ctx *ctx;
	struct engine *e;
	struct net *net;
	struct winny_params p;
	/* Peers: ninside_total inside (ISP by ISP), p.outside outside, then
	 * p.decoys decoys (nwinny in all, the Winny overlay), then
	 * p.share_peers that run only Share (npeers in all). */
	size_t npeers, nwinny, ninside_total;
	size_t online_outside;     /* outside Winny peers online now, not decoys */
	size_t online;             /* Winny peers online now, decoys too */
	struct peer *peers;
	/* The hosts that run Share, in peer order (the inside ones first),
	 * how many of them are outside, and how many are online. */
	GArray *share_ids;
	size_t share_outside, share_online, share_online_outside;
	struct wfile *files;
	double *zipf_cdf;          /* cumulative popularity of file ranks */
	struct rng_stream files_rng;
	struct rng_stream *bg_rng; /* one per ISP */
	void *bg_sources;          /* tap.c's arrival processes, one per ISP */
	GPtrArray *bg_flows;       /* background connections in flight */
	/* Counters, for the scalars. */
	uint64_t probes, failed_connects, rejects, links_opened, queries,
		 wishes, downloads_done, transfers, transfer_bytes, busy,
		 background, background_bytes, tap_flows, callbacks, share_probes,
		 decoy_probes, decoy_learned;
};

/* An exponential time of mean `mean`, drawn from r. */
static inline fc_time_t
winny_exp_time(gsl_rng *r, fc_time_t mean)
{
	return fc_time_from_sec(gsl_ran_exponential(r, fc_time_to_sec(mean)));
}

/* overlay.c */
void overlay_start(struct winny *w);
void overlay_stop(struct winny *w);
fc_time_t overlay_rtt(const struct winny *w, const struct peer *a, const struct peer *b);
uint16_t overlay_ephemeral(struct peer *p);
/* p's service port for app. */
uint16_t overlay_port(const struct peer *p, enum winny_app app);
/* A connection attempt to b's app that is gone: SYNs that nobody answers. */
void overlay_log_failed(struct winny *w, struct peer *a, struct peer *b, enum winny_app app,
			fc_time_t now, const char *kind);
/* A connection to b's app that opened, exchanged `bytes` each way in
 * single packets and closed (a presence probe, a refusal). */
void overlay_log_short(struct winny *w, struct peer *a, struct peer *b, enum winny_app app,
		       fc_time_t now, uint64_t bytes, const char *kind);

/* files.c */
gboolean files_new(struct winny *w, GError **err);
void files_free(struct winny *w);
void files_peer_join(struct winny *w, struct peer *p, fc_time_t now);
void files_peer_leave(struct winny *w, struct peer *p, fc_time_t now);

/* tap.c */
bool tap_crosses(const struct peer *a, const struct peer *b);
/* Logs a connection that a opened to b's service port of app. */
void tap_log(struct winny *w, const struct peer *a, const struct peer *b, enum winny_app app,
	     uint16_t a_port, fc_time_t start, fc_time_t end, uint64_t payload_ab,
	     uint32_t packets_ab, uint64_t payload_ba, uint32_t packets_ba, const char *kind);
uint32_t tap_packets(uint64_t payload);
void background_start(struct winny *w);
void background_stop(struct winny *w);

#endif
