/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Client sessions, timed by hand to the nanosecond: one client, known
 * latencies, a page of three objects over two connections; a redirect to
 * a helper; DNS answers cached for the TTL and fetched again after it; SYNs
 * lost to a full backlog and sent again after 1, 2, 4, ... s until the
 * client gives up; patience; the next address of a DNS answer tried when
 * the first does not answer (RFC 8305 §5).
 */
#include <glib.h>

#include "models/web/client.h"
#include "models/web/dns.h"
#include "sim/engine.h"
#include "models/world/net.h"
#include "sim/rng.h"
#include "models/web/server.h"
#include "tests/testutil.h"

#define MBIT 1000000ULL
#define MS FC_MSEC

/* Origin at address 1 (20 ms one way), helper at 2 (30 ms). */
struct bed {
	struct engine *e;
	struct net *n;
	struct dns *dns;
	struct rng_stream rng;
	struct server *srv[2];
	net_link down;
	struct client_world world;
	int redirect_object; /* the origin redirects this object, or -1 */
	enum session_result result;
	fc_time_t ended;
	int done;
	struct session *last;
};

static struct server *
w_server(void *w, uint32_t address)
{
	struct bed *b = w;

	return address >= 1 && address <= 2 ? b->srv[address - 1] : NULL;
}

static fc_time_t
w_oneway(void *w, const struct session *s, uint32_t address)
{
	(void)w;
	(void)s;
	return address == 1 ? 20 * MS : 30 * MS;
}

/* A cache miss takes 10 ms, a hit nothing. */
static size_t
w_resolve(void *w, const struct session *s, uint32_t site, uint32_t *answer, size_t max,
	  fc_time_t *delay)
{
	struct bed *b = w;
	bool cached;
	size_t n = dns_resolve(b->dns, 0, site, answer, max, &cached);

	(void)s;
	*delay = cached ? 0 : 10 * MS;
	return n;
}

static void
w_done(void *w, struct session *s, enum session_result r, fc_time_t now)
{
	struct bed *b = w;

	b->result = r;
	b->ended = now;
	b->done++;
	b->last = s;
}

static void
redirect_one(void *user, struct server *srv, struct server_conn *c,
	     const struct server_request *req, struct server_reply *out, fc_time_t now)
{
	struct bed *b = user;

	(void)srv;
	(void)c;
	(void)now;
	if ((int)req->object == b->redirect_object)
		*out = (struct server_reply){ .status = SERVER_REDIRECT, .location = 2,
					      .has_token = true };
}

static void
bed_init(struct bed *b, unsigned workers, unsigned backlog)
{
	const struct server_params sp = { .workers = workers, .backlog = backlog,
					  .cpu_mean_s = 0.01, .cpu = SERVER_CPU_CONSTANT };
	const struct dns_params dp = { .ttl = 60 * FC_SEC, .update_delay = FC_SEC,
				       .resolvers = 1 };
	const uint32_t origin[] = { 1 };

	*b = (struct bed){ 0 };
	b->e = engine_new(NULL);
	b->n = net_new(b->e);
	b->dns = dns_new(b->e, &dp, 1, origin, NULL);
	rng_stream_init(&b->rng, 1, 0, "cpu", 0);
	for (int i = 0; i < 2; i++)
		b->srv[i] = server_new(b->e, b->n, net_link_add(b->n, 8 * MBIT), &sp, &b->rng);
	b->down = net_link_add(b->n, 100 * MBIT);
	b->world = (struct client_world){ w_server, w_oneway, w_resolve, w_done, b };
	b->redirect_object = -1;
	server_set_router(b->srv[0], &(struct server_router){ redirect_one, NULL, NULL, b, NULL });
}

static void
bed_clear(struct bed *b)
{
	for (int i = 0; i < 2; i++)
		server_free(b->srv[i]);
	dns_free(b->dns);
	net_free(b->n);
	engine_free(b->e);
}

static const struct client_params cp = { .connections = 2, .syn_retries = 6,
					 .syn_timeout = FC_SEC, .patience = 300 * FC_SEC,
					 .attempt_delay = 250 * MS };
static const uint64_t page[] = { 100000, 200000, 200000 };

/*
 * Resolved at 10 ms; SYN at the origin at 30 ms; HTML asked at 70 ms, CPU
 * to 80 ms, 100 kB at 8 Mbit/s to 180 ms, read at 200 ms.  Object 1 on the
 * same connection: asked at 220 ms, sent from 230 ms.  A second connection
 * (SYN at 220 ms) asks object 2 at 260 ms, sent from 270 ms.  From 270 ms
 * the two share the uplink: object 1 (160 kB left) ends at 590 ms, object
 * 2 (40 kB left then) at 630 ms; read at 650 ms.
 */
static void
test_page_timing(void)
{
	struct bed b;
	struct session *s;

	bed_init(&b, 4, 4);
	s = session_start(b.e, &b.world, &cp, 1, 0, 0, page, 3, b.down);
	engine_run(b.e);
	g_assert_cmpint(b.done, ==, 1);
	g_assert_cmpint(b.result, ==, SESSION_DONE);
	g_assert_cmpuint(b.ended, ==, 650 * MS);
	g_assert_cmpuint(server_counts(b.srv[0])->bytes_sent, ==, 500000);
	g_assert_cmpuint(server_counts(b.srv[0])->connections, ==, 2);
	session_free(s);
	bed_clear(&b);
}

/*
 * The origin redirects object 2: its 302 leaves at 270 ms and is read at
 * 290 ms; SYN to the helper at 320 ms, request there at 380 ms, CPU to
 * 390 ms, 200 kB alone to 590 ms, read at 620 ms.  Object 1, alone on the
 * origin from 230 ms, is read at 450 ms.  The page is complete at 620 ms.
 */
static void
test_redirect_timing(void)
{
	struct bed b;
	struct session *s;

	bed_init(&b, 4, 4);
	b.redirect_object = 2;
	s = session_start(b.e, &b.world, &cp, 1, 0, 0, page, 3, b.down);
	engine_run(b.e);
	g_assert_cmpint(b.result, ==, SESSION_DONE);
	g_assert_cmpuint(b.ended, ==, 620 * MS);
	g_assert_cmpuint(session_redirects(s), ==, 1);
	g_assert_cmpuint(server_counts(b.srv[0])->redirects, ==, 1);
	g_assert_cmpuint(server_counts(b.srv[1])->bytes_sent, ==, 200000);
	session_free(s);
	bed_clear(&b);
}

/*
 * DNS: the first visit misses (10 ms), a visit 5 s later hits the cache
 * (the page then takes 10 ms less).  The helper is added to the name at
 * 20 s (in effect at 21 s).  A visit at 70 s misses again (the TTL is
 * 60 s) and gets [1, 2]: the origin.  The resolver rotates its copy, so a
 * visit at 71 s goes to the helper, 10 ms farther each way: 30 + 60 + 10 +
 * 100 + 30 = 230 ms.
 */
static void
test_dns_ttl(void)
{
	struct bed b;
	const uint64_t html[] = { 100000 };
	struct session *s;

	bed_init(&b, 4, 4);
	s = session_start(b.e, &b.world, &cp, 1, 0, 0, html, 1, b.down);
	engine_run(b.e);
	/* 10 + 20 + 40 + 10 + 100 + 20 */
	g_assert_cmpuint(b.ended, ==, 200 * MS);
	session_free(s);

	engine_run_until(b.e, 5 * FC_SEC);
	s = session_start(b.e, &b.world, &cp, 2, 0, 0, html, 1, b.down);
	engine_run(b.e);
	g_assert_cmpuint(b.ended - 5 * FC_SEC, ==, 190 * MS);
	session_free(s);

	engine_run_until(b.e, 20 * FC_SEC);
	dns_add(b.dns, 0, 2);
	engine_run_until(b.e, 70 * FC_SEC);
	s = session_start(b.e, &b.world, &cp, 3, 0, 0, html, 1, b.down);
	engine_run(b.e);
	g_assert_cmpuint(b.ended - 70 * FC_SEC, ==, 200 * MS);
	g_assert_cmpuint(server_counts(b.srv[1])->bytes_sent, ==, 0);
	session_free(s);

	engine_run_until(b.e, 71 * FC_SEC);
	s = session_start(b.e, &b.world, &cp, 4, 0, 0, html, 1, b.down);
	engine_run(b.e);
	g_assert_cmpuint(b.ended - 71 * FC_SEC, ==, 230 * MS);
	g_assert_cmpuint(server_counts(b.srv[1])->bytes_sent, ==, 100000);
	session_free(s);
	bed_clear(&b);
}

/*
 * One worker, no backlog, held by a long visit: a second client's SYNs are
 * lost at 20 ms, then sent at 1, 3, 7, 15, 31 and 63 s (from 0 s); after the
 * last one's 64 s it gives up, at 127 s.  With 100 s of patience it gives up
 * at 100 s instead.
 */
static void
test_syn_retries(void)
{
	struct bed b;
	const uint64_t big[] = { 1000000000 }; /* 1 GB: 1000 s at 8 Mbit/s */
	const uint64_t html[] = { 1000 };
	struct client_params impatient = cp;
	struct session *hog, *s;

	bed_init(&b, 1, 0);
	hog = session_start(b.e, &b.world, &cp, 1, 0, 0, big, 1, b.down);
	engine_run_until(b.e, FC_SEC / 2);
	s = session_start(b.e, &b.world, &cp, 2, 0, 0, html, 1, b.down);
	engine_run_until(b.e, 200 * FC_SEC);
	g_assert_cmpint(b.result, ==, SESSION_NO_SERVER);
	/* Started at 0.5 s; cached DNS: first SYN at 0.5 s. */
	g_assert_cmpuint(b.ended, ==, FC_SEC / 2 + 127 * FC_SEC);
	g_assert_cmpuint(session_syn_retries(s), ==, 6);
	g_assert_cmpuint(server_counts(b.srv[0])->dropped, ==, 7);
	session_free(s);

	impatient.patience = 100 * FC_SEC;
	s = session_start(b.e, &b.world, &impatient, 3, 0, 0, html, 1, b.down);
	engine_run_until(b.e, 400 * FC_SEC);
	g_assert_cmpint(b.result, ==, SESSION_IMPATIENT);
	g_assert_cmpuint(b.ended, ==, 300 * FC_SEC);
	session_free(s);
	session_free(hog);
	bed_clear(&b);
}

/*
 * The fallback to the next address (RFC 8305 §5), with the attempt delay
 * of 250 ms.  The origin (1) has crashed; the name has [1, 2].  Resolved
 * at 10 ms; the SYN to 1 is lost at 30 ms (the next would go at 1010 ms).
 * At 260 ms the client tries 2 as well: the SYN arrives at 290 ms, the
 * SYN-ACK is back at 320 ms and 2 wins (nothing more goes to 1).  The
 * HTML is asked at 350 ms, CPU to 360 ms, 100 kB at 8 Mbit/s to 460 ms,
 * read at 490 ms.  Then as /client/page-timing, from 2 (30 ms away):
 * object 1 asked at 520 ms, sent from 530 ms; the second connection's SYN
 * arrives at 520 ms, object 2 is asked at 580 ms, sent from 590 ms.  From
 * 530 to 590 ms object 1 goes alone (60 kB); then the two share: object 1
 * (140 kB left) ends at 870 ms, object 2 (60 kB left) at 930 ms, read at
 * 960 ms.
 */
static void
test_fallback_dead_first(void)
{
	struct bed b;
	struct session *s;

	bed_init(&b, 4, 4);
	dns_add_now(b.dns, 0, 2);
	server_crash(b.srv[0], FC_TIME_NEVER);
	s = session_start(b.e, &b.world, &cp, 1, 0, 0, page, 3, b.down);
	engine_run(b.e);
	g_assert_cmpint(b.done, ==, 1);
	g_assert_cmpint(b.result, ==, SESSION_DONE);
	g_assert_cmpuint(b.ended, ==, 960 * MS);
	g_assert_cmpuint(session_page_server(s), ==, 2);
	g_assert_cmpuint(session_syn_retries(s), ==, 0);
	g_assert_cmpuint(server_counts(b.srv[0])->connections, ==, 1);
	g_assert_cmpuint(server_counts(b.srv[0])->refused_down, ==, 1);
	g_assert_cmpuint(server_counts(b.srv[1])->connections, ==, 2);
	g_assert_cmpuint(server_counts(b.srv[1])->bytes_sent, ==, 500000);
	session_free(s);
	bed_clear(&b);
}

/*
 * Both attempts reach live servers; the one that completes its handshake
 * first wins, not the first started.  The resolver has [1, 2] cached from
 * an earlier client and rotated, so this one gets [2, 1] at once.  The
 * attempt delay is 15 ms.  The SYN to 2 (30 ms) is accepted at 30 ms, its
 * SYN-ACK due back at 60 ms; at 15 ms the client tries 1 (20 ms), accepted
 * at 35 ms, SYN-ACK back at 55 ms: 1 wins, and 2 closes its connection
 * (its worker is free again) before the request it waited for would have
 * come (90 ms).  From 1: request at 75 ms, CPU to 85 ms, 100 kB to 185 ms,
 * read at 205 ms.
 */
static void
test_fallback_race(void)
{
	struct bed b;
	const uint64_t html[] = { 100000 };
	struct client_params quick = cp;
	uint32_t answer[2];
	bool cached;
	struct session *s;

	bed_init(&b, 4, 4);
	dns_add_now(b.dns, 0, 2);
	g_assert_cmpuint(dns_resolve(b.dns, 0, 0, answer, 2, &cached), ==, 2);
	quick.attempt_delay = 15 * MS;
	s = session_start(b.e, &b.world, &quick, 1, 0, 0, html, 1, b.down);
	engine_run_until(b.e, 40 * MS);
	g_assert_cmpuint(server_busy(b.srv[0]), ==, 1);
	g_assert_cmpuint(server_busy(b.srv[1]), ==, 1);
	engine_run_until(b.e, 55 * MS);
	g_assert_cmpuint(server_busy(b.srv[1]), ==, 0);
	engine_run(b.e);
	g_assert_cmpint(b.result, ==, SESSION_DONE);
	g_assert_cmpuint(b.ended, ==, 205 * MS);
	g_assert_cmpuint(session_page_server(s), ==, 1);
	g_assert_cmpuint(server_counts(b.srv[1])->accepted, ==, 1);
	g_assert_cmpuint(server_counts(b.srv[1])->replies, ==, 0);
	g_assert_cmpuint(server_counts(b.srv[1])->bytes_sent, ==, 0);
	g_assert_cmpuint(server_counts(b.srv[0])->bytes_sent, ==, 100000);
	session_free(s);
	bed_clear(&b);
}

/*
 * An answer of one record is as without the fallback: the page of
 * /client/page-timing at 650 ms, and the crashed origin alone gets seven
 * SYNs (at 10 ms, then 1, 2, 4, ... s later) and the session fails at
 * 10 ms + 127 s.
 */
static void
test_fallback_one_record(void)
{
	struct bed b;
	const uint64_t html[] = { 100000 };
	struct session *s;

	bed_init(&b, 4, 4);
	s = session_start(b.e, &b.world, &cp, 1, 0, 0, page, 3, b.down);
	engine_run(b.e);
	g_assert_cmpint(b.result, ==, SESSION_DONE);
	g_assert_cmpuint(b.ended, ==, 650 * MS);
	g_assert_cmpuint(server_counts(b.srv[0])->connections, ==, 2);
	session_free(s);
	bed_clear(&b);

	bed_init(&b, 4, 4);
	server_crash(b.srv[0], FC_TIME_NEVER);
	s = session_start(b.e, &b.world, &cp, 1, 0, 0, html, 1, b.down);
	engine_run(b.e);
	g_assert_cmpint(b.result, ==, SESSION_NO_SERVER);
	g_assert_cmpuint(b.ended, ==, 10 * MS + 127 * FC_SEC);
	g_assert_cmpuint(session_syn_retries(s), ==, 6);
	g_assert_cmpuint(server_counts(b.srv[0])->refused_down, ==, 7);
	session_free(s);
	bed_clear(&b);
}

/*
 * Every address dead: [1, 2], both crashed.  The attempt to 1 starts at
 * 10 ms, the one to 2 at 260 ms; each sends its SYN seven times and gives
 * up 127 s after it started, 1 at 127.01 s (2 is still trying), 2 at
 * 127.26 s: only then does the session fail.
 */
static void
test_fallback_all_dead(void)
{
	struct bed b;
	const uint64_t html[] = { 100000 };
	struct session *s;

	bed_init(&b, 4, 4);
	dns_add_now(b.dns, 0, 2);
	server_crash(b.srv[0], FC_TIME_NEVER);
	server_crash(b.srv[1], FC_TIME_NEVER);
	s = session_start(b.e, &b.world, &cp, 1, 0, 0, html, 1, b.down);
	engine_run(b.e);
	g_assert_cmpint(b.done, ==, 1);
	g_assert_cmpint(b.result, ==, SESSION_NO_SERVER);
	g_assert_cmpuint(b.ended, ==, 260 * MS + 127 * FC_SEC);
	g_assert_cmpuint(session_syn_retries(s), ==, 12);
	g_assert_cmpuint(server_counts(b.srv[0])->refused_down, ==, 7);
	g_assert_cmpuint(server_counts(b.srv[1])->refused_down, ==, 7);
	session_free(s);
	bed_clear(&b);
}

/*
 * An attempt that fails moves on to the next address at once, before the
 * attempt delay: one SYN each (no retries), a timeout of 100 ms, and the
 * answer [1, 3, 2], 1 crashed and nobody at 3 (30 ms away).  The SYN to 1
 * at 10 ms goes unanswered; the attempt fails at 110 ms and the client
 * tries 3 then (not at 260 ms); that fails at 210 ms, and 2 is tried: SYN
 * there at 240 ms, SYN-ACK back at 270 ms, request at 300 ms, CPU to
 * 310 ms, 100 kB to 410 ms, read at 440 ms.
 */
static void
test_fallback_failed_attempt(void)
{
	struct bed b;
	const uint64_t html[] = { 100000 };
	struct client_params once = cp;
	struct session *s;

	bed_init(&b, 4, 4);
	dns_add_now(b.dns, 0, 3);
	dns_add_now(b.dns, 0, 2);
	server_crash(b.srv[0], FC_TIME_NEVER);
	once.syn_retries = 0;
	once.syn_timeout = 100 * MS;
	s = session_start(b.e, &b.world, &once, 1, 0, 0, html, 1, b.down);
	engine_run(b.e);
	g_assert_cmpint(b.result, ==, SESSION_DONE);
	g_assert_cmpuint(b.ended, ==, 440 * MS);
	g_assert_cmpuint(session_page_server(s), ==, 2);
	g_assert_cmpuint(server_counts(b.srv[0])->refused_down, ==, 1);
	session_free(s);
	bed_clear(&b);
}

/*
 * attempt_delay = 0 switches the fallback off: with [1, 2] and 1 crashed,
 * the session sends its SYNs to 1 alone and fails at 10 ms + 127 s, as
 * before the fallback; with both up, /client/page-timing is unchanged.
 */
static void
test_fallback_off(void)
{
	struct bed b;
	const uint64_t html[] = { 100000 };
	struct client_params off = cp;
	struct session *s;

	off.attempt_delay = 0;
	bed_init(&b, 4, 4);
	dns_add_now(b.dns, 0, 2);
	server_crash(b.srv[0], FC_TIME_NEVER);
	s = session_start(b.e, &b.world, &off, 1, 0, 0, html, 1, b.down);
	engine_run(b.e);
	g_assert_cmpint(b.result, ==, SESSION_NO_SERVER);
	g_assert_cmpuint(b.ended, ==, 10 * MS + 127 * FC_SEC);
	g_assert_cmpuint(session_syn_retries(s), ==, 6);
	g_assert_cmpuint(server_counts(b.srv[0])->refused_down, ==, 7);
	g_assert_cmpuint(server_counts(b.srv[1])->connections, ==, 0);
	session_free(s);
	bed_clear(&b);

	bed_init(&b, 4, 4);
	dns_add_now(b.dns, 0, 2);
	s = session_start(b.e, &b.world, &off, 1, 0, 0, page, 3, b.down);
	engine_run(b.e);
	g_assert_cmpint(b.result, ==, SESSION_DONE);
	g_assert_cmpuint(b.ended, ==, 650 * MS);
	g_assert_cmpuint(server_counts(b.srv[1])->connections, ==, 0);
	session_free(s);
	bed_clear(&b);
}

/*
 * Patience ends the race: [1, 2] both crashed, 5 s of patience; every
 * pending SYN and the attempt timer go with the session (LeakSanitizer and
 * the engine's empty queue watch).
 */
static void
test_fallback_impatient(void)
{
	struct bed b;
	const uint64_t html[] = { 100000 };
	struct client_params impatient = cp;
	struct session *s;

	bed_init(&b, 4, 4);
	dns_add_now(b.dns, 0, 2);
	dns_add_now(b.dns, 0, 3);
	server_crash(b.srv[0], FC_TIME_NEVER);
	server_crash(b.srv[1], FC_TIME_NEVER);
	impatient.patience = 5 * FC_SEC;
	s = session_start(b.e, &b.world, &impatient, 1, 0, 0, html, 1, b.down);
	engine_run(b.e);
	g_assert_cmpint(b.result, ==, SESSION_IMPATIENT);
	g_assert_cmpuint(b.ended, ==, 5 * FC_SEC);
	g_assert_cmpuint(engine_now(b.e), ==, 5 * FC_SEC);
	session_free(s);
	bed_clear(&b);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/client/page-timing", test_page_timing);
	g_test_add_func("/client/redirect-timing", test_redirect_timing);
	g_test_add_func("/client/dns-ttl", test_dns_ttl);
	g_test_add_func("/client/syn-retries", test_syn_retries);
	g_test_add_func("/client/fallback-dead-first", test_fallback_dead_first);
	g_test_add_func("/client/fallback-race", test_fallback_race);
	g_test_add_func("/client/fallback-one-record", test_fallback_one_record);
	g_test_add_func("/client/fallback-all-dead", test_fallback_all_dead);
	g_test_add_func("/client/fallback-failed-attempt", test_fallback_failed_attempt);
	g_test_add_func("/client/fallback-off", test_fallback_off);
	g_test_add_func("/client/fallback-impatient", test_fallback_impatient);
	return g_test_run();
}
