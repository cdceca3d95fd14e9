/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/web/server.h"

#include <math.h>

#include <glib.h>
#include <gsl/gsl_randist.h>

struct server {
	struct engine *e;
	struct net *net;
	net_link uplink;
	struct server_params p;
	struct rng_stream *rng;
	GQueue backlog;          /* struct server_conn, oldest first */
	GPtrArray *active;       /* connections on a worker, for a crash */
	bool up;
	fc_time_t full_since;    /* the backlog has been full since; NEVER if not */
	engine_event crash_ev, reboot_ev;
	fc_time_t back_at;       /* down: when reboot_ev brings it back */
	struct server_router router;
	struct server_counts n;
};

static void serve_next(struct server *srv, struct server_conn *c);

struct server *
server_new(struct engine *e, struct net *n, net_link uplink, const struct server_params *p,
	   struct rng_stream *s)
{
	struct server *srv = g_new0(struct server, 1);

	g_assert(p->workers >= 1 && p->cpu_mean_s > 0);
	srv->e = e;
	srv->net = n;
	srv->uplink = uplink;
	srv->p = *p;
	srv->rng = s;
	g_queue_init(&srv->backlog);
	srv->active = g_ptr_array_new();
	srv->up = true;
	srv->full_since = FC_TIME_NEVER;
	return srv;
}

void
server_set_router(struct server *srv, const struct server_router *r)
{
	srv->router = *r;
}

void
server_free(struct server *srv)
{
	if (!srv)
		return;
	for (guint i = 0; i < srv->active->len; i++) {
		struct server_conn *c = srv->active->pdata[i];

		engine_cancel(srv->e, c->cpu_ev);
		if (c->flow)
			net_flow_cancel(srv->net, c->flow);
		c->srv = NULL;
	}
	g_ptr_array_unref(srv->active);
	g_queue_clear(&srv->backlog);
	engine_cancel(srv->e, srv->crash_ev);
	engine_cancel(srv->e, srv->reboot_ev);
	g_free(srv);
}

static fc_time_t
cpu_time(struct server *srv)
{
	double s = srv->p.cpu == SERVER_CPU_CONSTANT ? srv->p.cpu_mean_s :
		   gsl_ran_exponential(rng_stream_gsl(srv->rng), srv->p.cpu_mean_s);

	return fc_time_from_sec(s);
}

static void crash(struct engine *e, void *data, fc_time_t now);

/* Tracks how long the backlog has been full, for crashes. */
static void
watch_overload(struct server *srv)
{
	/* Overloaded: the backlog at least 90% full (a connection taken now
	 * and then does not end the overload). */
	bool full = srv->p.backlog == 0 ? srv->active->len == srv->p.workers :
		    g_queue_get_length(&srv->backlog) >= MAX(1u, srv->p.backlog -
							     srv->p.backlog / 10);

	if (full && srv->full_since == FC_TIME_NEVER) {
		srv->full_since = engine_now(srv->e);
		if (srv->p.crash_after)
			srv->crash_ev = engine_schedule(srv->e, srv->p.crash_after, crash, srv);
	} else if (!full && srv->full_since != FC_TIME_NEVER) {
		srv->full_since = FC_TIME_NEVER;
		engine_cancel(srv->e, srv->crash_ev);
		srv->crash_ev = 0;
	}
}

static void
assign(struct server *srv, struct server_conn *c)
{
	c->in_worker = true;
	g_ptr_array_add(srv->active, c);
	serve_next(srv, c);
}

/* Frees c's worker and gives it to the oldest waiting connection. */
static void
release(struct server *srv, struct server_conn *c)
{
	c->in_worker = false;
	g_ptr_array_remove(srv->active, c);
	if (!g_queue_is_empty(&srv->backlog)) {
		struct server_conn *next = g_queue_pop_head(&srv->backlog);

		next->in_backlog = false;
		assign(srv, next);
	}
	watch_overload(srv);
}

static void
finish(struct server *srv, struct server_conn *c, enum server_end why)
{
	fc_time_t now = engine_now(srv->e);

	release(srv, c);
	c->srv = NULL;
	c->ops->end(c, why, now);
}

/* The reply has reached the client: it reads it, then asks again. */
static void
delivered(struct engine *e, void *data, fc_time_t now)
{
	struct server_conn *c = data;
	struct server *srv = c->srv;

	(void)e;
	c->cpu_ev = 0;
	c->ops->reply(c, now);
	/* The client may have given up in its callback. */
	if (c->in_worker && c->srv == srv)
		serve_next(srv, c);
}

/* The last byte has left the server. */
static void
reply_done(struct server *srv, struct server_conn *c)
{
	srv->n.replies++;
	c->cpu_ev = engine_schedule(srv->e, c->req.latency, delivered, c);
}

/* Counts bytes of c's response as sent, and tells the router. */
static void
count_sent(struct server *srv, struct server_conn *c, uint64_t bytes, bool complete)
{
	srv->n.bytes_sent += bytes;
	if (srv->router.sent)
		srv->router.sent(srv->router.user, srv, &c->req, bytes, complete);
}

static void
sent(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	struct server_conn *c = data;
	struct server *srv = c->srv;

	(void)n;
	(void)f;
	(void)now;
	c->flow = NULL;
	count_sent(srv, c, c->reply.bytes, true);
	reply_done(srv, c);
}

fc_time_t
server_slow_start(uint64_t bytes, unsigned iw, fc_time_t rtt, double rate)
{
	double w = (double)iw * SERVER_MSS, bdp = rate / 8 * fc_time_to_sec(rtt);
	double sent = 0, d;
	unsigned k = 0;

	if (iw == 0 || rtt == 0 || !(rate > 0) || !isfinite(rate))
		return 0;
	while (w < bdp && sent + w < (double)bytes) {
		sent += w;
		w *= 2;
		k++;
	}
	d = (double)k * fc_time_to_sec(rtt) - sent * 8 / rate;
	return d > 0 ? fc_time_from_sec(d) : 0;
}

static size_t
reply_path(struct server *srv, struct server_conn *c, net_link path[3])
{
	size_t n = 0;

	path[n++] = srv->uplink;
	if (c->req.has_via)
		path[n++] = c->req.via;
	path[n++] = c->req.downlink;
	return n;
}

static void
start_flow(struct server *srv, struct server_conn *c)
{
	net_link path[3];
	size_t n = reply_path(srv, c, path);

	c->flow = net_flow_start(srv->net, path, n, c->reply.bytes, sent, c);
}

/* The slow start of the connection's first response is over. */
static void
window_open(struct engine *e, void *data, fc_time_t now)
{
	struct server_conn *c = data;

	(void)e;
	(void)now;
	c->cpu_ev = 0;
	start_flow(c->srv, c);
}

static void
send_reply(struct server *srv, struct server_conn *c)
{
	srv->n.redirects += c->reply.status == SERVER_REDIRECT;
	srv->n.not_found += c->reply.status == SERVER_NOT_FOUND;
	srv->n.unavailable += c->reply.status == SERVER_UNAVAILABLE;
	if (c->reply.bytes == 0) {
		reply_done(srv, c);
		return;
	}
	/*
	 * The first response on a connection starts in slow start, at the
	 * rate a new flow would get now; later ones find the window open
	 * (keep-alive connections here close before they would idle past a
	 * retransmission timeout, RFC 5681 Sec. 4.1).  The flow-level
	 * stand-in: the flow starts the slow start's delay later, then runs
	 * at its max-min rate.
	 */
	if (srv->p.initial_window && !c->warm) {
		net_link path[3];
		size_t n = reply_path(srv, c, path);
		fc_time_t d = server_slow_start(c->reply.bytes, srv->p.initial_window,
						2 * c->req.latency,
						net_path_rate(srv->net, path, n));

		c->warm = true;
		if (d > 0) {
			c->cpu_ev = engine_schedule(srv->e, d, window_open, c);
			return;
		}
	}
	start_flow(srv, c);
}

void
server_resume(struct server_conn *c)
{
	if (!c->held || !c->srv || !c->in_worker)
		return;
	c->held = false;
	c->reply.hold = false;
	send_reply(c->srv, c);
}

static void
cpu_done(struct engine *e, void *data, fc_time_t now)
{
	struct server_conn *c = data;
	struct server *srv = c->srv;

	(void)e;
	c->cpu_ev = 0;
	c->reply = (struct server_reply){ .status = SERVER_OK, .bytes = c->req.bytes };
	if (srv->router.route)
		srv->router.route(srv->router.user, srv, c, &c->req, &c->reply, now);
	if (c->reply.hold) {
		c->held = true;
		return;
	}
	send_reply(srv, c);
}

static void
serve_next(struct server *srv, struct server_conn *c)
{
	fc_time_t now = engine_now(srv->e);

	if (!c->ops->next(c, &c->req, now)) {
		finish(srv, c, SERVER_END_CLOSED);
		return;
	}
	srv->n.requests++;
	/* The worker waits for the request, then works on it. */
	c->cpu_ev = engine_schedule_at(srv->e, fc_time_add(MAX(now, c->req.ready_at),
							   cpu_time(srv)), cpu_done, c);
}

enum server_accept
server_connect(struct server *srv, struct server_conn *c, const struct server_conn_ops *ops)
{
	c->ops = ops;
	c->srv = srv;
	c->queued_at = engine_now(srv->e);
	c->cpu_ev = 0;
	c->flow = NULL;
	c->in_backlog = c->in_worker = c->held = c->warm = false;
	srv->n.connections++;
	if (!srv->up) {
		srv->n.refused_down++;
		c->srv = NULL;
		return SERVER_DOWN;
	}
	if (srv->active->len < srv->p.workers) {
		srv->n.accepted++;
		assign(srv, c);
		watch_overload(srv);
		return SERVER_ACCEPTED;
	}
	if (g_queue_get_length(&srv->backlog) < srv->p.backlog) {
		srv->n.queued++;
		c->in_backlog = true;
		g_queue_push_tail(&srv->backlog, c);
		watch_overload(srv);
		return SERVER_QUEUED;
	}
	srv->n.dropped++;
	c->srv = NULL;
	watch_overload(srv);
	return SERVER_DROPPED;
}

void
server_abort(struct server_conn *c)
{
	struct server *srv = c->srv;

	if (!srv)
		return;
	if (c->in_backlog) {
		g_queue_remove(&srv->backlog, c);
		c->in_backlog = false;
		watch_overload(srv);
	} else if (c->in_worker) {
		if (c->held) {
			c->held = false;
			if (srv->router.unheld)
				srv->router.unheld(srv->router.user, srv, c);
		}
		engine_cancel(srv->e, c->cpu_ev);
		c->cpu_ev = 0;
		if (c->flow) {
			count_sent(srv, c, net_flow_cancel(srv->net, c->flow), false);
			c->flow = NULL;
		}
		release(srv, c);
	}
	c->srv = NULL;
}

static void
reboot(struct engine *e, void *data, fc_time_t now)
{
	struct server *srv = data;

	(void)e;
	srv->reboot_ev = 0;
	srv->up = true;
	if (srv->router.updown)
		srv->router.updown(srv->router.user, srv, true, now);
}

/* Down now, everything it holds lost; back after back_after (NEVER: not). */
static void
go_down(struct server *srv, fc_time_t now, fc_time_t back_after)
{
	struct engine *e = srv->e;
	g_autoptr(GPtrArray) lost = g_ptr_array_new();

	engine_cancel(e, srv->crash_ev);
	srv->crash_ev = 0;
	srv->up = false;
	srv->n.crashes++;
	srv->full_since = FC_TIME_NEVER;
	while (!g_queue_is_empty(&srv->backlog)) {
		struct server_conn *c = g_queue_pop_head(&srv->backlog);

		c->in_backlog = false;
		g_ptr_array_add(lost, c);
	}
	for (guint i = 0; i < srv->active->len; i++) {
		struct server_conn *c = srv->active->pdata[i];

		engine_cancel(e, c->cpu_ev);
		c->cpu_ev = 0;
		if (c->held) {
			c->held = false;
			if (srv->router.unheld)
				srv->router.unheld(srv->router.user, srv, c);
		}
		if (c->flow) {
			count_sent(srv, c, net_flow_cancel(srv->net, c->flow), false);
			c->flow = NULL;
		}
		c->in_worker = false;
		g_ptr_array_add(lost, c);
	}
	g_ptr_array_set_size(srv->active, 0);
	srv->back_at = fc_time_add(now, back_after);
	if (back_after != FC_TIME_NEVER)
		srv->reboot_ev = engine_schedule(e, back_after, reboot, srv);
	if (srv->router.updown)
		srv->router.updown(srv->router.user, srv, false, now);
	for (guint i = 0; i < lost->len; i++) {
		struct server_conn *c = lost->pdata[i];

		c->srv = NULL;
		c->ops->end(c, SERVER_END_CRASH, now);
	}
}

/* Overloaded for crash_after: everything it holds is lost. */
static void
crash(struct engine *e, void *data, fc_time_t now)
{
	struct server *srv = data;

	(void)e;
	srv->crash_ev = 0;
	go_down(srv, now, srv->p.reboot_delay);
}

void
server_crash(struct server *srv, fc_time_t down_for)
{
	fc_time_t now = engine_now(srv->e);

	if (srv->up) {
		go_down(srv, now, down_for);
		return;
	}
	/* Down already: it comes back when the later of the two says. */
	if (fc_time_add(now, down_for) <= srv->back_at)
		return;
	engine_cancel(srv->e, srv->reboot_ev);
	srv->reboot_ev = 0;
	srv->back_at = fc_time_add(now, down_for);
	if (down_for != FC_TIME_NEVER)
		srv->reboot_ev = engine_schedule(srv->e, down_for, reboot, srv);
}

unsigned
server_busy(const struct server *srv)
{
	return srv->active->len;
}

unsigned
server_waiting(const struct server *srv)
{
	return srv->backlog.length;
}

bool
server_up(const struct server *srv)
{
	return srv->up;
}

const struct server_counts *
server_counts(const struct server *srv)
{
	return &srv->n;
}

const struct fc_enum_name server_cpu_names[] = {
	{ "exponential", SERVER_CPU_EXPONENTIAL }, { "constant", SERVER_CPU_CONSTANT }, { NULL, 0 },
};
