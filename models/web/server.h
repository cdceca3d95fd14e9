/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A web server as a flash crowd meets it (Apache prefork, say): a pool of
 * MaxRequestWorkers workers; a connection that finds them all busy waits
 * in the listen backlog, and one that finds the backlog full is dropped
 * (its SYN is lost; the client retries).  A worker holds one connection at
 * a time and serves its requests one after another: CPU time, then the
 * response sent over the network from the server's uplink, which all its
 * transfers share — so a flash crowd can fill the access link before the
 * CPU.  A server can crash after being overloaded (its backlog at least
 * 90% full) for a while, and reboot
 * after a delay; a crash drops every connection it holds.
 *
 * The client side is a struct server_conn with callbacks: the server asks
 * it for its next request when a worker is ready, and tells it when a
 * response has arrived and when the connection ends.
 */
#ifndef FLASHCOOP_MODELS_WEB_SERVER_H
#define FLASHCOOP_MODELS_WEB_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/engine.h"
#include "flashcoop/core.h"
#include "flashcoop/names.h"
#include "flashcoop/time.h"
#include "models/world/net.h"
#include "sim/rng.h"

struct server;
struct server_conn;

enum server_cpu {
	SERVER_CPU_EXPONENTIAL,
	SERVER_CPU_CONSTANT,
};
/* [web] cpu_distribution. */
extern const struct fc_enum_name server_cpu_names[];

struct server_params {
	unsigned workers;        /* MaxRequestWorkers, >= 1 */
	unsigned backlog;        /* ListenBacklog: connections waiting, at most */
	double cpu_mean_s;       /* CPU time per request, seconds (> 0) */
	enum server_cpu cpu;
	fc_time_t crash_after;   /* crash when the backlog stays at least 90%
				    full this long (0: never) */
	fc_time_t reboot_delay;  /* back up this long after a crash */
	unsigned initial_window; /* TCP's initial window, segments of
				    SERVER_MSS bytes (RFC 6928: 10): the first
				    response on a connection pays its slow
				    start (server_slow_start()); 0: every
				    response starts at its max-min rate */
};

/* The TCP segment's payload, bytes (Ethernet's 1500 less 40 of headers). */
#define SERVER_MSS 1460

/*
 * How much later than at `rate` (bits per second) from its first byte a
 * response of `bytes` ends when it starts in slow start on a new
 * connection: the window starts at iw segments of SERVER_MSS bytes and
 * doubles every round trip `rtt` until it carries `rate`; each round sends
 * its window at `rate`, then waits for the round trip to end.  After k
 * such rounds that sent s bytes, the rest goes at `rate`, so the delay is
 * k rtt - 8 s / rate (Cardwell, Savage and Anderson, "Modeling TCP
 * latency", INFOCOM 2000, without losses or delayed ACKs).  0 for iw 0.
 */
fc_time_t server_slow_start(uint64_t bytes, unsigned iw, fc_time_t rtt, double rate);

/* What a client asks on a connection. */
struct server_request {
	uint32_t site;
	uint64_t object;
	uint64_t bytes;       /* of the response; 0: none to send */
	net_link downlink;    /* the client's, for the response */
	net_link via;         /* a shared link on the way (an ISP's), if has_via */
	bool has_via;
	fc_time_t ready_at;   /* when the request reaches the server; the
				 worker waits for it (keep-alive holds it) */
	fc_time_t latency;    /* one way, server to client: the reply is
				 complete there this long after it is sent */
	const uint8_t *token; /* what the redirect carried, or NULL */
	bool internal;        /* a cooperator fetching content, not a client */
};

enum server_status {
	SERVER_OK = 200,
	SERVER_REDIRECT = 302,
	SERVER_NOT_FOUND = 404,
	SERVER_UNAVAILABLE = 503, /* a rescuer could not get the content */
};

/* How the server answers a request, decided after its CPU time. */
struct server_reply {
	enum server_status status;
	uint64_t bytes;          /* to send; a redirect sends none */
	uint32_t location;       /* SERVER_REDIRECT: the address to go to */
	uint8_t token[FC_TOKEN_LEN];
	bool has_token;
	bool hold;               /* the content is not here yet: the worker
				    waits until server_resume() */
};

/*
 * The server's host decides each reply (through its cooperation node, say);
 * without a router every request is answered 200 with req->bytes.
 */
struct server_router {
	void (*route)(void *user, struct server *srv, struct server_conn *c,
		      const struct server_request *req, struct server_reply *out,
		      fc_time_t now);
	/* The server crashed (up false) or rebooted; may be NULL. */
	void (*updown)(void *user, struct server *srv, bool up, fc_time_t now);
	/* A held connection stopped waiting without server_resume() (the
	 * client gave up, or a crash); the host must forget it.  May be NULL. */
	void (*unheld)(void *user, struct server *srv, struct server_conn *c);
	void *user;
	/* Bytes of a response to req left the server: all of it (complete),
	 * or what had gone when the transfer was cut short.  For accounting
	 * by site; may be NULL.  Last, so that initialisers may omit it. */
	void (*sent)(void *user, struct server *srv, const struct server_request *req,
		     uint64_t bytes, bool complete);
};

enum server_end {
	SERVER_END_CLOSED,   /* the client had no more requests */
	SERVER_END_CRASH,    /* the server crashed */
};

struct server_conn_ops {
	/* A worker is ready: fill *req and return true, or false to close. */
	bool (*next)(struct server_conn *c, struct server_request *req, fc_time_t now);
	/* The response to the last request has arrived in full (c->reply). */
	void (*reply)(struct server_conn *c, fc_time_t now);
	/* The connection is over; the server no longer refers to c. */
	void (*end)(struct server_conn *c, enum server_end why, fc_time_t now);
};

/* Embedded in the client's own structure. */
struct server_conn {
	const struct server_conn_ops *ops;
	/* The server's, private: */
	struct server *srv;
	fc_time_t queued_at;
	engine_event cpu_ev;
	struct net_flow *flow;
	struct server_request req;
	struct server_reply reply;
	bool in_backlog, in_worker, held;
	bool warm; /* a response went out on it: its window is open */
};

enum server_accept {
	SERVER_ACCEPTED,  /* a worker took it */
	SERVER_QUEUED,    /* it waits in the backlog */
	SERVER_DROPPED,   /* the backlog is full: the SYN is lost */
	SERVER_DOWN,      /* crashed: no answer */
};

/*
 * A server on engine e, sending over uplink of net n, drawing CPU times
 * from s (which must outlive it).
 */
struct server *server_new(struct engine *e, struct net *n, net_link uplink,
			  const struct server_params *p, struct rng_stream *s);
/* Accepts NULL; connections still held get no callbacks. */
void server_free(struct server *srv);

/* Sets how replies are decided (by default: 200 with the bytes asked). */
void server_set_router(struct server *srv, const struct server_router *r);

/* A connection arrives now (the SYN reaches the server). */
enum server_accept server_connect(struct server *srv, struct server_conn *c,
				  const struct server_conn_ops *ops);

/*
 * The reply that c's worker holds (reply.hold) can go now, as c->reply
 * says (the host may have changed it, to a 404 say).  Nothing happens if c
 * is no longer held (the client gave up, the server crashed).
 */
void server_resume(struct server_conn *c);

/* The client gives up on c now: out of the backlog or off its worker
 * (CPU and transfer stop); no callback follows. */
void server_abort(struct server_conn *c);

/*
 * A crash on demand, now: as an overload crash, everything the server
 * holds is lost and the router is told (updown); it comes back after
 * down_for, or never for FC_TIME_NEVER.  A server already down stays down
 * until the later of its reboot and now + down_for.  Counted in crashes.
 */
void server_crash(struct server *srv, fc_time_t down_for);

/* Now: workers busy, connections in the backlog, whether it is up. */
unsigned server_busy(const struct server *srv);
unsigned server_waiting(const struct server *srv);
bool server_up(const struct server *srv);

/* Totals since the start. */
struct server_counts {
	uint64_t connections, accepted, queued, dropped, refused_down;
	uint64_t requests, replies, redirects, not_found, unavailable, bytes_sent,
		crashes;
};
const struct server_counts *server_counts(const struct server *srv);

#endif
