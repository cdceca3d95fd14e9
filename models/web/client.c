/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/web/client.h"

#include <stddef.h>
#include <string.h>

#include <glib.h>

struct target;

enum cstate {
	C_SYN,    /* SYN sent, no answer yet */
	C_OPEN,   /* accepted or in the backlog */
	C_CLOSED,
};

struct sconn {
	struct server_conn conn;
	struct session *s;
	struct target *t;
	enum cstate state;
	unsigned syns;         /* sent so far */
	fc_time_t syn_sent, established, oneway;
	engine_event ev;       /* SYN arrival or retry; in a race of
				  attempts, the SYN-ACK's arrival */
	int current;           /* object in flight, or -1 */
	bool first;            /* no request sent on it yet */
};

/* A server the session fetches from, with the objects waiting for it. */
struct target {
	uint32_t address;
	uint8_t token[FC_TOKEN_LEN];
	bool has_token;
	GQueue waiting;        /* object indices, as GINT_TO_POINTER(i + 1) */
	GPtrArray *conns;      /* struct sconn, open or opening */
};

struct session {
	struct engine *e;
	struct client_world world;
	struct client_params p;
	uint64_t id;
	uint32_t site;
	uint64_t *objects;
	uint64_t first_object;
	size_t n, remaining;
	net_link downlink, via;
	bool has_via;
	GPtrArray *targets;
	GPtrArray *dead;       /* connections stopped by the session itself,
				  freed with it: a server may be in a
				  callback on one of them */
	fc_time_t start;
	engine_event patience_ev, resolve_ev;
	uint32_t *answer;      /* what the name resolved to, in order */
	size_t nanswer, tried; /* addresses in it; attempts started */
	engine_event attempt_ev; /* the next attempt's start */
	bool racing;           /* attempts to several addresses under way,
				  none established yet */
	uint32_t page_address; /* the server that sent the page's HTML, or 0 */
	bool over;
	unsigned redirects, syn_retries;
	void *user;
};

#define SCONN(c) ((struct sconn *)(void *)((char *)(c) - offsetof(struct sconn, conn)))

static void finish(struct session *s, enum session_result r);
static void send_syn(struct sconn *c);
static void win(struct sconn *c);

static struct target *
target_for(struct session *s, uint32_t address, const uint8_t *token)
{
	struct target *t = NULL;

	for (guint i = 0; i < s->targets->len; i++)
		if (((struct target *)s->targets->pdata[i])->address == address)
			t = s->targets->pdata[i];
	if (!t) {
		t = g_new0(struct target, 1);
		t->address = address;
		g_queue_init(&t->waiting);
		t->conns = g_ptr_array_new();
		g_ptr_array_add(s->targets, t);
	}
	if (token) {
		memcpy(t->token, token, FC_TOKEN_LEN);
		t->has_token = true;
	}
	return t;
}

static void
open_conn(struct session *s, struct target *t)
{
	struct sconn *c = g_new0(struct sconn, 1);

	c->s = s;
	c->t = t;
	c->current = -1;
	c->first = true;
	g_ptr_array_add(t->conns, c);
	send_syn(c);
}

/* Opens connections to t for its waiting objects, up to the limit. */
static void
staff(struct session *s, struct target *t)
{
	guint live = t->conns->len;

	while (live < s->p.connections && live < g_queue_get_length(&t->waiting)) {
		open_conn(s, t);
		live++;
	}
}

static bool
c_next(struct server_conn *sc, struct server_request *req, fc_time_t now)
{
	struct sconn *c = SCONN(sc);
	struct session *s = c->s;
	int obj;

	if (s->over || g_queue_is_empty(&c->t->waiting))
		return false;
	obj = GPOINTER_TO_INT(g_queue_pop_head(&c->t->waiting)) - 1;
	c->current = obj;
	*req = (struct server_request){
		.site = s->site, .object = s->first_object + (uint64_t)obj,
		.bytes = s->objects[obj],
		.downlink = s->downlink, .via = s->via, .has_via = s->has_via,
		.latency = c->oneway,
		.token = c->t->has_token ? c->t->token : NULL,
		/* The first request follows the SYN-ACK; the others follow
		 * the reply before them. */
		.ready_at = c->first ? c->established + 2 * c->oneway : now + c->oneway,
	};
	c->first = false;
	return true;
}

static void
c_reply(struct server_conn *sc, fc_time_t now)
{
	struct sconn *c = SCONN(sc);
	struct session *s = c->s;
	int obj = c->current;

	(void)now;
	/* A reply follows the SYN-ACK; only when nothing takes time do the
	 * two come at once. */
	if (s->racing)
		win(c);
	c->current = -1;
	switch (sc->reply.status) {
	case SERVER_OK:
		s->remaining--;
		if (obj == 0) {
			s->page_address = c->t->address;
			/* The page is here: now its embedded objects. */
			for (size_t i = 1; i < s->n; i++)
				g_queue_push_tail(&c->t->waiting, GINT_TO_POINTER((int)i + 1));
			staff(s, c->t);
		}
		if (s->remaining == 0)
			finish(s, SESSION_DONE);
		break;
	case SERVER_REDIRECT: {
		struct target *t = target_for(s, sc->reply.location,
					      sc->reply.has_token ? sc->reply.token : NULL);

		s->redirects++;
		g_queue_push_tail(&t->waiting, GINT_TO_POINTER(obj + 1));
		staff(s, t);
		break;
	}
	case SERVER_NOT_FOUND:
	case SERVER_UNAVAILABLE:
		finish(s, SESSION_NOT_FOUND);
		break;
	}
}

static void
forget(struct sconn *c)
{
	c->state = C_CLOSED;
	g_ptr_array_remove(c->t->conns, c);
	g_free(c);
}

static void
c_end(struct server_conn *sc, enum server_end why, fc_time_t now)
{
	struct sconn *c = SCONN(sc);
	struct session *s = c->s;
	struct target *t = c->t;

	(void)now;
	if (why == SERVER_END_CRASH && c->current >= 0)
		g_queue_push_head(&t->waiting, GINT_TO_POINTER(c->current + 1));
	engine_cancel(s->e, c->ev); /* a SYN-ACK on its way */
	forget(c);
	/* Objects still waiting for this server need a connection. */
	if (!s->over)
		staff(s, t);
}

static const struct server_conn_ops conn_ops = { c_next, c_reply, c_end };

static void
retry(struct engine *e, void *data, fc_time_t now)
{
	struct sconn *c = data;

	(void)e;
	(void)now;
	c->ev = 0;
	c->s->syn_retries++;
	send_syn(c);
}

static void attempt(struct session *s);

/* Whether an attempt of the race is still under way. */
static bool
attempts_left(const struct session *s)
{
	for (guint i = 0; i < s->targets->len; i++)
		if (((struct target *)s->targets->pdata[i])->conns->len)
			return true;
	return false;
}

static void
give_up(struct engine *e, void *data, fc_time_t now)
{
	struct sconn *c = data;
	struct session *s = c->s;

	(void)e;
	(void)now;
	c->ev = 0;
	if (!s->racing) {
		finish(s, SESSION_NO_SERVER);
		return;
	}
	/* An attempt of a race failed: the next address at once (RFC 8305
	 * §5); the session fails when the last attempt has. */
	g_queue_clear(&c->t->waiting);
	forget(c);
	if (s->tried < s->nanswer)
		attempt(s);
	else if (!attempts_left(s))
		finish(s, SESSION_NO_SERVER);
}

/* The SYN-ACK of an attempt of a race reaches the client. */
static void
handshake(struct engine *e, void *data, fc_time_t now)
{
	struct sconn *c = data;

	(void)e;
	(void)now;
	c->ev = 0;
	win(c);
}

/* The SYN reaches the server (or nobody). */
static void
syn_arrives(struct engine *e, void *data, fc_time_t now)
{
	struct sconn *c = data;
	struct session *s = c->s;
	struct server *srv = s->world.server(s->world.w, c->t->address);
	enum server_accept r;
	fc_time_t wait;

	c->ev = 0;
	/* A worker may ask for the first request right away. */
	c->state = C_OPEN;
	c->established = now;
	/* In a race, the client knows the connection is established when
	 * the SYN-ACK is back.  Scheduled before connecting: a server that
	 * ends c at once ends this too (c_end). */
	if (s->racing)
		c->ev = engine_schedule(e, c->oneway, handshake, c);
	r = srv ? server_connect(srv, &c->conn, &conn_ops) : SERVER_DOWN;
	if (r == SERVER_ACCEPTED || r == SERVER_QUEUED)
		return;
	engine_cancel(e, c->ev);
	c->state = C_SYN;
	/* Lost: the client hears nothing and sends it again after its
	 * timeout, doubled each time; after the last one's timeout it gives
	 * up (Linux: 1 + 2 + ... + 64 = 127 s for 6 retries). */
	wait = s->p.syn_timeout > FC_TIME_NEVER >> (c->syns - 1) ? FC_TIME_NEVER :
	       s->p.syn_timeout << (c->syns - 1);
	c->ev = engine_schedule_at(e, MAX(now, fc_time_add(c->syn_sent, wait)),
				   c->syns > s->p.syn_retries ? give_up : retry, c);
}

static void
send_syn(struct sconn *c)
{
	struct session *s = c->s;

	c->state = C_SYN;
	c->syns++;
	c->syn_sent = engine_now(s->e);
	c->oneway = s->world.oneway(s->world.w, s, c->t->address);
	c->ev = engine_schedule(s->e, c->oneway, syn_arrives, c);
}

static void
next_attempt(struct engine *e, void *data, fc_time_t now)
{
	struct session *s = data;

	(void)e;
	(void)now;
	s->attempt_ev = 0;
	attempt(s);
}

/*
 * Connects for the HTML to the next address of the answer and, when one
 * is left after it, starts the Connection Attempt Delay of RFC 8305 §5:
 * the attempts before keep going (SYNs sent again as ever), and the first
 * to complete its handshake wins (win()).
 */
static void
attempt(struct session *s)
{
	struct target *t = target_for(s, s->answer[s->tried++], NULL);

	/* The records of a name are distinct: a fresh target. */
	g_assert(t->conns->len == 0 && g_queue_is_empty(&t->waiting));
	engine_cancel(s->e, s->attempt_ev);
	s->attempt_ev = 0;
	g_queue_push_tail(&t->waiting, GINT_TO_POINTER(1)); /* the HTML */
	open_conn(s, t);
	if (s->racing && s->tried < s->nanswer)
		s->attempt_ev = engine_schedule(s->e, s->p.attempt_delay, next_attempt, s);
}

/* The answer has come back: connect for the HTML. */
static void
resolved(struct engine *e, void *data, fc_time_t now)
{
	struct session *s = data;

	(void)e;
	(void)now;
	s->resolve_ev = 0;
	if (s->nanswer == 0) {
		finish(s, SESSION_NO_SERVER);
		return;
	}
	s->racing = s->nanswer > 1;
	attempt(s);
}

static void
impatient(struct engine *e, void *data, fc_time_t now)
{
	struct session *s = data;

	(void)e;
	(void)now;
	s->patience_ev = 0;
	finish(s, SESSION_IMPATIENT);
}

/*
 * The lookup: asked now, answered after the world's delay.  Without the
 * fallback the first address is all the session needs.
 */
static void
start_resolve(struct engine *e, void *data, fc_time_t now)
{
	struct session *s = data;
	uint32_t answer[CLIENT_ANSWER_MAX];
	size_t max = s->p.attempt_delay ? CLIENT_ANSWER_MAX : 1;
	fc_time_t delay = 0;

	(void)now;
	s->nanswer = s->world.resolve(s->world.w, s, s->site, answer, max, &delay);
	g_assert(s->nanswer <= max);
	s->answer = g_memdup2(answer, s->nanswer * sizeof *answer);
	s->resolve_ev = engine_schedule(e, delay, resolved, s);
}

/*
 * Stops t's connections: their events cancelled, the servers told (a
 * connection accepted or in a backlog is closed there, one whose SYN is
 * on its way never arrives), and kept until the session is freed.
 */
static void
drop_conns(struct session *s, struct target *t)
{
	while (t->conns->len) {
		struct sconn *c = t->conns->pdata[0];

		engine_cancel(s->e, c->ev);
		c->ev = 0;
		if (c->state == C_OPEN)
			server_abort(&c->conn);
		c->state = C_CLOSED;
		g_ptr_array_remove_index(t->conns, 0);
		g_ptr_array_add(s->dead, c);
	}
}

/*
 * c's handshake completed first: its address is the session's for the
 * page and its embedded objects; the other attempts are cancelled, those
 * not yet made are not made (RFC 8305 §5).
 */
static void
win(struct sconn *c)
{
	struct session *s = c->s;

	s->racing = false;
	engine_cancel(s->e, s->attempt_ev);
	engine_cancel(s->e, c->ev);
	s->attempt_ev = c->ev = 0;
	for (guint i = 0; i < s->targets->len; i++) {
		struct target *t = s->targets->pdata[i];

		if (t == c->t)
			continue;
		g_queue_clear(&t->waiting);
		drop_conns(s, t);
	}
}

/* Stops everything the session has under way. */
static void
stop(struct session *s)
{
	engine_cancel(s->e, s->patience_ev);
	engine_cancel(s->e, s->resolve_ev);
	engine_cancel(s->e, s->attempt_ev);
	s->patience_ev = s->resolve_ev = s->attempt_ev = 0;
	for (guint i = 0; i < s->targets->len; i++)
		drop_conns(s, s->targets->pdata[i]);
}

static void
finish(struct session *s, enum session_result r)
{
	if (s->over)
		return;
	s->over = true;
	stop(s);
	s->world.done(s->world.w, s, r, engine_now(s->e));
}

struct session *
session_start(struct engine *e, const struct client_world *world,
	      const struct client_params *p, uint64_t id, uint32_t site,
	      uint64_t first_object, const uint64_t *objects, size_t n, net_link downlink)
{
	struct session *s = g_new0(struct session, 1);

	g_assert(n >= 1 && p->connections >= 1);
	s->e = e;
	s->world = *world;
	s->p = *p;
	s->id = id;
	s->site = site;
	s->first_object = first_object;
	s->objects = g_memdup2(objects, n * sizeof *objects);
	s->n = s->remaining = n;
	s->downlink = downlink;
	s->targets = g_ptr_array_new();
	s->dead = g_ptr_array_new_with_free_func(g_free);
	s->start = engine_now(e);
	s->patience_ev = engine_schedule(e, p->patience, impatient, s);
	s->resolve_ev = engine_schedule(e, 0, start_resolve, s);
	return s;
}

void
session_free(struct session *s)
{
	if (!s)
		return;
	if (!s->over)
		stop(s);
	for (guint i = 0; i < s->targets->len; i++) {
		struct target *t = s->targets->pdata[i];

		g_queue_clear(&t->waiting);
		g_ptr_array_unref(t->conns);
		g_free(t);
	}
	g_ptr_array_unref(s->targets);
	g_ptr_array_unref(s->dead);
	g_free(s->answer);
	g_free(s->objects);
	g_free(s);
}

void
session_set_via(struct session *s, net_link link)
{
	s->via = link;
	s->has_via = true;
}

void
session_set_user(struct session *s, void *user)
{
	s->user = user;
}

void *
session_user(const struct session *s)
{
	return s->user;
}

fc_time_t
session_started(const struct session *s)
{
	return s->start;
}

uint32_t
session_page_server(const struct session *s)
{
	return s->page_address;
}

unsigned
session_redirects(const struct session *s)
{
	return s->redirects;
}

unsigned
session_syn_retries(const struct session *s)
{
	return s->syn_retries;
}
