/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The web server model: alone, with Poisson arrivals, exponential CPU time
 * and nothing to send, it is an M/M/c/K queue (c workers, K = c + backlog),
 * and its loss ratio and mean response time must match the closed form at
 * several loads, overload included; then hand-timed cases of transfers,
 * persistent connections, the backlog, aborts, crashes and reboots.
 */
#include <math.h>
#include <stddef.h>

#include <glib.h>
#include <gsl/gsl_randist.h>

#include "sim/engine.h"
#include "models/mmck/mmck.h"
#include "models/world/net.h"
#include "sim/rng.h"
#include "models/web/server.h"
#include "tests/testutil.h"

#define MBIT 1000000ULL

struct client {
	struct server_conn conn;
	fc_time_t oneway;   /* latency between client and server */
	fc_time_t start;
	int requests;       /* still to ask */
	uint64_t bytes;
	net_link down;
	int replies;
	fc_time_t last_reply;
	enum server_end end;
	enum server_status last_status;
	bool ended;
	struct sim *sim;
};

#define CLIENT(c) ((struct client *)(void *)((char *)(c) - offsetof(struct client, conn)))

/* ---- M/M/c/K ---- */

struct sim {
	struct engine *e;
	struct server *srv;
	struct rng_stream arrivals;
	double lambda;
	fc_time_t w0, w1; /* measurement window */
	uint64_t arrived, lost, served;
	double response_sum;
	GPtrArray *clients;
};

static bool
mm_next(struct server_conn *c, struct server_request *req, fc_time_t now)
{
	struct client *cl = CLIENT(c);

	(void)now;
	if (cl->requests == 0)
		return false;
	cl->requests--;
	*req = (struct server_request){ .site = 0, .object = 0, .bytes = 0 };
	return true;
}

static void
mm_reply(struct server_conn *c, fc_time_t now)
{
	struct client *cl = CLIENT(c);
	struct sim *s = cl->sim;

	if (cl->start >= s->w0 && cl->start < s->w1) {
		s->served++;
		s->response_sum += fc_time_to_sec(now - cl->start);
	}
}

static void
mm_end(struct server_conn *c, enum server_end why, fc_time_t now)
{
	(void)c;
	(void)why;
	(void)now;
}

static const struct server_conn_ops mm_ops = { mm_next, mm_reply, mm_end };

static void
mm_arrival(struct engine *e, void *data, fc_time_t now)
{
	struct sim *s = data;
	struct client *cl = g_new0(struct client, 1);
	bool counted = now >= s->w0 && now < s->w1;

	cl->start = now;
	cl->requests = 1;
	cl->sim = s;
	g_ptr_array_add(s->clients, cl);
	s->arrived += counted;
	if (server_connect(s->srv, &cl->conn, &mm_ops) == SERVER_DROPPED)
		s->lost += counted;
	engine_schedule(e, fc_time_from_sec(gsl_ran_exponential(rng_stream_gsl(&s->arrivals),
							     1 / s->lambda)),
			mm_arrival, s);
}

struct config {
	const char *name;
	unsigned c, backlog;
	double lambda;
};

static void
test_mmck(gconstpointer data)
{
	enum { R = 12 };
	const struct config *cf = data;
	struct mmck_params p = { .servers = cf->c, .capacity = cf->c + cf->backlog,
				 .arrival_rate = cf->lambda, .service_rate = 1 };
	struct mmck_theory th;
	double loss[R], resp[R];

	mmck_theory(&p, &th);
	for (int r = 0; r < R; r++) {
		struct sim s = { 0 };
		struct rng_stream cpu;
		struct net *n;
		const struct server_params sp = { .workers = cf->c, .backlog = cf->backlog,
						  .cpu_mean_s = 1, .cpu = SERVER_CPU_EXPONENTIAL };

		s.e = engine_new(NULL);
		n = net_new(s.e);
		rng_stream_init(&cpu, 7, (uint64_t)r, "server-cpu", 0);
		rng_stream_init(&s.arrivals, 7, (uint64_t)r, "arrivals", 0);
		s.srv = server_new(s.e, n, net_link_add(n, MBIT), &sp, &cpu);
		s.lambda = cf->lambda;
		s.w0 = 500 * FC_SEC;
		s.w1 = 20500 * FC_SEC;
		s.clients = g_ptr_array_new_with_free_func(g_free);
		engine_schedule(s.e, 0, mm_arrival, &s);
		engine_run_until(s.e, s.w1 + 2000 * FC_SEC);
		loss[r] = (double)s.lost / (double)s.arrived;
		resp[r] = s.response_sum / (double)s.served;
		server_free(s.srv);
		net_free(n);
		engine_free(s.e);
		g_ptr_array_unref(s.clients);
	}
	testutil_assert_in_interval("loss ratio", loss, R, th.loss_ratio);
	testutil_assert_in_interval("response (s)", resp, R, th.mean_response_s);
}

/* ---- Hand-timed cases ---- */

static bool
h_next(struct server_conn *c, struct server_request *req, fc_time_t now)
{
	struct client *cl = CLIENT(c);

	(void)now;
	if (cl->requests == 0)
		return false;
	cl->requests--;
	/* The request reaches the server one way later. */
	*req = (struct server_request){ .site = 1, .object = 2, .bytes = cl->bytes,
					.downlink = cl->down, .ready_at = now + cl->oneway,
					.latency = cl->oneway };
	return true;
}

static void
h_reply(struct server_conn *c, fc_time_t now)
{
	struct client *cl = CLIENT(c);

	cl->replies++;
	cl->last_reply = now;
	cl->last_status = c->reply.status;
}

static void
h_end(struct server_conn *c, enum server_end why, fc_time_t now)
{
	struct client *cl = CLIENT(c);

	(void)now;
	cl->ended = true;
	cl->end = why;
}

static const struct server_conn_ops h_ops = { h_next, h_reply, h_end };

struct bed {
	struct engine *e;
	struct net *n;
	struct rng_stream rng;
	struct server *srv;
	net_link up, down;
};

static void
bed_init(struct bed *b, unsigned workers, unsigned backlog, fc_time_t crash_after)
{
	const struct server_params sp = { .workers = workers, .backlog = backlog,
					  .cpu_mean_s = 0.1, .cpu = SERVER_CPU_CONSTANT,
					  .crash_after = crash_after,
					  .reboot_delay = 60 * FC_SEC };

	b->e = engine_new(NULL);
	b->n = net_new(b->e);
	b->up = net_link_add(b->n, 8 * MBIT);
	b->down = net_link_add(b->n, 100 * MBIT);
	rng_stream_init(&b->rng, 1, 0, "cpu", 0);
	b->srv = server_new(b->e, b->n, b->up, &sp, &b->rng);
}

static void
bed_clear(struct bed *b)
{
	server_free(b->srv);
	net_free(b->n);
	engine_free(b->e);
}

/* CPU 0.1 s, then 1 MB over an 8 Mbit/s uplink: 1.1 s; three requests on
 * one persistent connection: 3.3 s. */
static void
test_transfer_timing(void)
{
	struct bed b;
	struct client cl = { .requests = 3, .bytes = 1000000 };

	bed_init(&b, 1, 0, 0);
	cl.down = b.down;
	g_assert_cmpint(server_connect(b.srv, &cl.conn, &h_ops), ==, SERVER_ACCEPTED);
	engine_run_until(b.e, 1100 * FC_MSEC - 1);
	g_assert_cmpint(cl.replies, ==, 0);
	engine_run_until(b.e, 1100 * FC_MSEC);
	g_assert_cmpint(cl.replies, ==, 1);
	engine_run(b.e);
	g_assert_cmpint(cl.replies, ==, 3);
	g_assert_cmpuint(cl.last_reply, ==, 3300 * FC_MSEC);
	g_assert_true(cl.ended);
	g_assert_cmpint(cl.end, ==, SERVER_END_CLOSED);
	g_assert_cmpuint(server_counts(b.srv)->bytes_sent, ==, 3000000);
	g_assert_cmpuint(server_busy(b.srv), ==, 0);
	bed_clear(&b);
}

/*
 * Slow start by hand (server_slow_start()): a window of 10 x 1460 =
 * 14,600 bytes doubling each round trip of 100 ms at 8 Mbit/s (a window
 * of 100,000 bytes carries the rate).
 */
static void
test_slow_start_formula(void)
{
	fc_time_t rtt = 100 * FC_MSEC;

	/* 1 MB: rounds of 14,600, 29,200 and 58,400 bytes (102,200 in all,
	 * 102.2 ms at the rate) fill 3 round trips; then the window of
	 * 116,800 carries the rate: 300 ms - 102.2 ms later than at the rate
	 * throughout. */
	g_assert_cmpuint(server_slow_start(1000000, 10, rtt, 8e6), ==, 197800 * FC_USEC);
	/* 20,000 bytes: one full round of 14,600 (14.6 ms), the rest in the
	 * second: 100 ms - 14.6 ms. */
	g_assert_cmpuint(server_slow_start(20000, 10, rtt, 8e6), ==, 85400 * FC_USEC);
	/* Within the first window: no later than at the rate. */
	g_assert_cmpuint(server_slow_start(14600, 10, rtt, 8e6), ==, 0);
	/* A first window that already carries the rate (1 Mbit/s: 12,500
	 * bytes a round trip), no window, no round trip: none. */
	g_assert_cmpuint(server_slow_start(1000000, 10, rtt, 1e6), ==, 0);
	g_assert_cmpuint(server_slow_start(1000000, 0, rtt, 8e6), ==, 0);
	g_assert_cmpuint(server_slow_start(1000000, 10, 0, 8e6), ==, 0);
	/* RFC 3390's smaller window (4 segments, 5,840 bytes): 5 rounds of
	 * 5,840 to 93,440 bytes (181,040 in all, 181.04 ms at the rate)
	 * before the sixth window, 186,880, carries the rate: 500 ms -
	 * 181.04 ms. */
	g_assert_cmpuint(server_slow_start(1000000, 4, rtt, 8e6), ==, 318960 * FC_USEC);
}

/*
 * The first response on a connection pays its slow start, the next ones
 * do not: 1 MB at 8 Mbit/s, one way 50 ms, CPU 100 ms.  The request
 * arrives at 50 ms, the CPU is done at 150 ms, the slow start adds
 * 197.8 ms, the transfer takes 1 s and the last byte arrives 50 ms later:
 * 1397.8 ms.  The second request arrives 50 ms after, takes 100 ms of
 * CPU, 1 s and 50 ms: 2597.8 ms, 1.2 s after the first as without slow
 * start.
 */
static void
test_slow_start_timing(void)
{
	struct bed b;
	struct client cl = { .requests = 2, .bytes = 1000000, .oneway = 50 * FC_MSEC };
	const struct server_params sp = { .workers = 1, .cpu_mean_s = 0.1,
					  .cpu = SERVER_CPU_CONSTANT, .initial_window = 10 };

	bed_init(&b, 1, 0, 0);
	server_free(b.srv);
	b.srv = server_new(b.e, b.n, b.up, &sp, &b.rng);
	cl.down = b.down;
	g_assert_cmpint(server_connect(b.srv, &cl.conn, &h_ops), ==, SERVER_ACCEPTED);
	engine_run_until(b.e, 1397800 * FC_USEC - 1);
	g_assert_cmpint(cl.replies, ==, 0);
	engine_run_until(b.e, 1397800 * FC_USEC);
	g_assert_cmpint(cl.replies, ==, 1);
	engine_run(b.e);
	g_assert_cmpint(cl.replies, ==, 2);
	g_assert_cmpuint(cl.last_reply, ==, 2597800 * FC_USEC);
	g_assert_cmpuint(server_counts(b.srv)->bytes_sent, ==, 2000000);
	bed_clear(&b);
}

/* One worker, a backlog of one: the third connection's SYN is lost; an
 * abort in the backlog lets the next one in. */
static void
test_backlog(void)
{
	struct bed b;
	struct client c[4] = { { .requests = 1 }, { .requests = 1 }, { .requests = 1 },
			       { .requests = 1 } };

	bed_init(&b, 1, 1, 0);
	g_assert_cmpint(server_connect(b.srv, &c[0].conn, &h_ops), ==, SERVER_ACCEPTED);
	g_assert_cmpint(server_connect(b.srv, &c[1].conn, &h_ops), ==, SERVER_QUEUED);
	g_assert_cmpint(server_connect(b.srv, &c[2].conn, &h_ops), ==, SERVER_DROPPED);
	server_abort(&c[1].conn);
	g_assert_cmpuint(server_waiting(b.srv), ==, 0);
	g_assert_cmpint(server_connect(b.srv, &c[3].conn, &h_ops), ==, SERVER_QUEUED);
	engine_run(b.e);
	g_assert_cmpint(c[0].replies, ==, 1);
	g_assert_cmpint(c[1].replies, ==, 0);
	g_assert_false(c[1].ended); /* an abort has no callback */
	g_assert_cmpint(c[3].replies, ==, 1);
	g_assert_cmpuint(c[3].last_reply, ==, 200 * FC_MSEC);
	g_assert_cmpuint(server_counts(b.srv)->dropped, ==, 1);
	bed_clear(&b);
}

/* Full for 10 s: crash; everything held ends with SERVER_END_CRASH; no
 * answer until the reboot 60 s later. */
static void
test_crash(void)
{
	struct bed b;
	struct client c[3] = { { .requests = 1000 }, { .requests = 1 }, { .requests = 1 } };

	bed_init(&b, 1, 1, 10 * FC_SEC);
	server_connect(b.srv, &c[0].conn, &h_ops); /* keeps its worker */
	engine_run_until(b.e, 5 * FC_SEC);
	g_assert_cmpint(server_connect(b.srv, &c[1].conn, &h_ops), ==, SERVER_QUEUED);
	engine_run_until(b.e, 15 * FC_SEC - 1);
	g_assert_true(server_up(b.srv));
	engine_run_until(b.e, 15 * FC_SEC);
	g_assert_false(server_up(b.srv));
	g_assert_true(c[0].ended && c[1].ended);
	g_assert_cmpint(c[0].end, ==, SERVER_END_CRASH);
	g_assert_cmpint(c[1].end, ==, SERVER_END_CRASH);
	g_assert_cmpint(server_connect(b.srv, &c[2].conn, &h_ops), ==, SERVER_DOWN);
	engine_run_until(b.e, 75 * FC_SEC);
	g_assert_true(server_up(b.srv));
	g_assert_cmpint(server_connect(b.srv, &c[2].conn, &h_ops), ==, SERVER_ACCEPTED);
	engine_run(b.e);
	g_assert_cmpint(c[2].replies, ==, 1);
	g_assert_cmpuint(server_counts(b.srv)->crashes, ==, 1);
	bed_clear(&b);
}

static void
redirect_odd(void *user, struct server *srv, struct server_conn *c,
	     const struct server_request *req, struct server_reply *out, fc_time_t now)
{
	int *n = user;

	(void)srv;
	(void)c;
	(void)req;
	(void)now;
	if ((*n)++ % 2 == 0)
		*out = (struct server_reply){ .status = SERVER_REDIRECT, .location = 7 };
}

/*
 * 50 ms one way: the request arrives at 50 ms, CPU to 150 ms, 1 MB at
 * 8 Mbit/s to 1.15 s, at the client at 1.2 s; the next request arrives at
 * 1.25 s, and so on.  A router that redirects every other request: a
 * redirect sends nothing.
 */
static void
test_latency_and_router(void)
{
	struct bed b;
	struct client cl = { .requests = 3, .bytes = 1000000, .oneway = 50 * FC_MSEC };
	int calls = 0;

	bed_init(&b, 1, 0, 0);
	cl.down = b.down;
	g_assert_cmpint(server_connect(b.srv, &cl.conn, &h_ops), ==, SERVER_ACCEPTED);
	engine_run_until(b.e, 1200 * FC_MSEC);
	g_assert_cmpint(cl.replies, ==, 1);
	g_assert_cmpuint(cl.last_reply, ==, 1200 * FC_MSEC);
	engine_run(b.e);
	g_assert_cmpuint(cl.last_reply, ==, 3600 * FC_MSEC);
	bed_clear(&b);

	bed_init(&b, 1, 0, 0);
	server_set_router(b.srv, &(struct server_router){ redirect_odd, NULL, NULL, &calls, NULL });
	cl = (struct client){ .requests = 2, .bytes = 1000000, .oneway = 50 * FC_MSEC,
			      .down = b.down };
	server_connect(b.srv, &cl.conn, &h_ops);
	engine_run_until(b.e, 200 * FC_MSEC);
	g_assert_cmpint(cl.replies, ==, 1);
	g_assert_cmpint(cl.last_status, ==, SERVER_REDIRECT);
	g_assert_cmpuint(cl.last_reply, ==, 200 * FC_MSEC);
	engine_run(b.e);
	g_assert_cmpint(cl.last_status, ==, SERVER_OK);
	g_assert_cmpuint(cl.last_reply, ==, (200 + 50 + 100 + 1000 + 50) * FC_MSEC);
	g_assert_cmpuint(server_counts(b.srv)->redirects, ==, 1);
	g_assert_cmpuint(server_counts(b.srv)->bytes_sent, ==, 1000000);
	bed_clear(&b);
}

static struct server_conn *held_conn;

static void
hold_all(void *user, struct server *srv, struct server_conn *c,
	 const struct server_request *req, struct server_reply *out, fc_time_t now)
{
	(void)user;
	(void)srv;
	(void)req;
	(void)now;
	out->hold = true;
	held_conn = c;
}

static void
resume_held(struct engine *e, void *data, fc_time_t now)
{
	(void)e;
	(void)data;
	(void)now;
	server_resume(held_conn);
}

/* A reply held for content that arrives at 2 s: CPU to 0.1 s, held to
 * 2 s, 1 MB to 3 s.  Resuming a connection that is gone does nothing. */
static void
test_hold(void)
{
	struct bed b;
	struct client cl = { .requests = 1, .bytes = 1000000 };

	bed_init(&b, 1, 0, 0);
	cl.down = b.down;
	server_set_router(b.srv, &(struct server_router){ hold_all, NULL, NULL, NULL, NULL });
	server_connect(b.srv, &cl.conn, &h_ops);
	engine_schedule_at(b.e, 2 * FC_SEC, resume_held, NULL);
	engine_run(b.e);
	g_assert_cmpuint(cl.last_reply, ==, 3 * FC_SEC);
	g_assert_cmpuint(server_busy(b.srv), ==, 0);
	server_resume(held_conn); /* long gone */
	bed_clear(&b);
}

int
main(int argc, char **argv)
{
	static const struct config configs[] = {
		{ "light", 4, 6, 2.0 },
		{ "heavy", 4, 6, 3.6 },
		{ "overload", 4, 6, 6.0 },
		{ "loss-only", 8, 0, 6.0 },
	};

	testutil_init(&argc, &argv);
	for (size_t i = 0; i < G_N_ELEMENTS(configs); i++) {
		g_autofree char *path = g_strdup_printf("/server/mmck/%s", configs[i].name);

		g_test_add_data_func(path, &configs[i], test_mmck);
	}
	g_test_add_func("/server/transfer-timing", test_transfer_timing);
	g_test_add_func("/server/slow-start-formula", test_slow_start_formula);
	g_test_add_func("/server/slow-start-timing", test_slow_start_timing);
	g_test_add_func("/server/backlog", test_backlog);
	g_test_add_func("/server/crash", test_crash);
	g_test_add_func("/server/latency-and-router", test_latency_and_router);
	g_test_add_func("/server/hold", test_hold);
	return g_test_run();
}
