/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A client's visit to a site (a session): resolve the site's name, connect
 * (a SYN lost to a full backlog is sent again after 1, 2, 4, 8, 16 and 32 s,
 * then the client gives up, as Linux does; when the answer has several
 * addresses and the first has not answered within the connection attempt
 * delay, it tries the next as well, as RFC 8305 §5 says), fetch the page,
 * then its
 * embedded objects over a few parallel persistent connections, follow a
 * 302 to a cooperator (a new connection: one more round trip), and give up
 * when the page is not complete within the client's patience.
 *
 * Where servers are, how far away, and what the name resolves to is the
 * world's business (struct client_world); the session calls it.
 */
#ifndef FLASHCOOP_MODELS_WEB_CLIENT_H
#define FLASHCOOP_MODELS_WEB_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/engine.h"
#include "flashcoop/time.h"
#include "models/world/net.h"
#include "models/web/server.h"

struct session;

enum session_result {
	SESSION_DONE,      /* every object arrived */
	SESSION_IMPATIENT, /* the patience ran out */
	SESSION_NO_SERVER, /* no address, or the SYNs went unanswered */
	SESSION_NOT_FOUND, /* a server answered 404 or 503 */
};

struct client_world {
	/* The server at address, or NULL. */
	struct server *(*server)(void *w, uint32_t address);
	/* One-way latency between the session's client and address. */
	fc_time_t (*oneway)(void *w, const struct session *s, uint32_t address);
	/* What the name of site resolves to for this client: at most max
	 * addresses of the answer, in its order, copied to answer; returns
	 * how many (0: no answer).  *delay: how long resolving takes. */
	size_t (*resolve)(void *w, const struct session *s, uint32_t site,
			  uint32_t *answer, size_t max, fc_time_t *delay);
	/* The session is over.  Free it later, not from this callback (a
	 * server may be in a callback on one of its connections). */
	void (*done)(void *w, struct session *s, enum session_result r, fc_time_t now);
	void *w;
};

/*
 * The addresses of an answer a session tries at most.  A site has its
 * origin and up to about a hundred rescuers; at the recommended attempt
 * delay (250 ms), 128 attempts take longer than the default patience
 * (30 s), so the bound does not bind there.
 */
#define CLIENT_ANSWER_MAX 128

struct client_params {
	unsigned connections;   /* parallel connections per server, >= 1 */
	unsigned syn_retries;   /* SYNs sent again at most (Linux: 6) */
	fc_time_t syn_timeout;  /* the first wait; doubled each time (1 s) */
	fc_time_t patience;     /* give up on the page after this */
	/* RFC 8305 §5 Connection Attempt Delay: the first connection to the
	 * name not established after this, the next address of the answer
	 * is tried too (250 ms); 0: the first address only. */
	fc_time_t attempt_delay;
};

/*
 * A session on engine e, for the page of site made of objects[0..n-1]
 * (bytes; objects[0] is the HTML, the others are embedded in it), over the
 * client's downlink.  Requests name object i as first_object + i.  It
 * starts now.  objects is copied.
 */
struct session *session_start(struct engine *e, const struct client_world *world,
			      const struct client_params *p, uint64_t id, uint32_t site,
			      uint64_t first_object, const uint64_t *objects, size_t n,
			      net_link downlink);
/* Frees a session that is over (not from within done), or stops one
 * that is not (no callback). */
void session_free(struct session *s);

/* Responses to this session also cross link (its ISP's, say). */
void session_set_via(struct session *s, net_link link);

/* A pointer the world keeps with the session. */
void session_set_user(struct session *s, void *user);
void *session_user(const struct session *s);
fc_time_t session_started(const struct session *s);
/* The address of the server that sent the page itself (object 0, after
 * any redirects), or 0 before it arrived. */
uint32_t session_page_server(const struct session *s);
/* Redirects followed and SYNs sent again so far. */
unsigned session_redirects(const struct session *s);
unsigned session_syn_retries(const struct session *s);

#endif
