/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The flow-level network against hand-computed max-min allocations and
 * completion times, and random workloads checked for the max-min property,
 * capacity and byte conservation.
 */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sim/engine.h"
#include "models/world/net.h"
#include "tests/testutil.h"

#define MBIT 1000000ULL

struct done_log {
	fc_time_t at[16];
	int n;
};

static void
on_done(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	struct done_log *d = data;

	(void)n;
	(void)f;
	d->at[d->n++] = now;
}

static void
test_two_flows_one_link(void)
{
	struct engine *e = engine_new(NULL);
	struct net *n = net_new(e);
	net_link l = net_link_add(n, 10 * MBIT);
	struct net_flow *a = net_flow_start(n, &l, 1, 1000, NULL, NULL);
	struct net_flow *b = net_flow_start(n, &l, 1, 1000, NULL, NULL);

	g_assert_cmpfloat(net_flow_rate(a), ==, 5e6);
	g_assert_cmpfloat(net_flow_rate(b), ==, 5e6);
	g_assert_cmpfloat(net_link_load(n, l), ==, 10e6);
	net_free(n);
	engine_free(e);
}

/* A server uplink of 100 shared by clients with downlinks 10, 50, 100:
 * 100/3 is more than 10, so that client gets 10, the other two 45 each. */
static void
test_shared_bottleneck(void)
{
	struct engine *e = engine_new(NULL);
	struct net *n = net_new(e);
	net_link up = net_link_add(n, 100 * MBIT);
	net_link down[3] = { net_link_add(n, 10 * MBIT), net_link_add(n, 50 * MBIT),
			     net_link_add(n, 100 * MBIT) };
	struct net_flow *f[3];

	for (int i = 0; i < 3; i++) {
		net_link path[2] = { up, down[i] };

		f[i] = net_flow_start(n, path, 2, 1000000, NULL, NULL);
	}
	g_assert_cmpfloat_with_epsilon(net_flow_rate(f[0]), 10e6, 1e-3);
	g_assert_cmpfloat_with_epsilon(net_flow_rate(f[1]), 45e6, 1e-3);
	g_assert_cmpfloat_with_epsilon(net_flow_rate(f[2]), 45e6, 1e-3);
	/* The 10 Mbit/s client leaves: 50 each. */
	net_flow_cancel(n, f[0]);
	g_assert_cmpfloat_with_epsilon(net_flow_rate(f[1]), 50e6, 1e-3);
	g_assert_cmpfloat_with_epsilon(net_flow_rate(f[2]), 50e6, 1e-3);
	net_free(n);
	engine_free(e);
}

/* Parking lot: f0 crosses links A and B, f1 only A, f2 only B. */
static void
test_parking_lot(void)
{
	struct engine *e = engine_new(NULL);
	struct net *n = net_new(e);
	net_link a = net_link_add(n, 10 * MBIT), b = net_link_add(n, 20 * MBIT);
	net_link both[2] = { a, b };
	struct net_flow *f0 = net_flow_start(n, both, 2, 1000, NULL, NULL);
	struct net_flow *f1 = net_flow_start(n, &a, 1, 1000, NULL, NULL);
	struct net_flow *f2 = net_flow_start(n, &b, 1, 1000, NULL, NULL);

	/* A gives 5 each to f0 and f1; f2 takes the 15 left on B. */
	g_assert_cmpfloat_with_epsilon(net_flow_rate(f0), 5e6, 1e-3);
	g_assert_cmpfloat_with_epsilon(net_flow_rate(f1), 5e6, 1e-3);
	g_assert_cmpfloat_with_epsilon(net_flow_rate(f2), 15e6, 1e-3);
	net_free(n);
	engine_free(e);
}

/* Two 1 MB flows on 8 Mbit/s, the second from 0.5 s: the first finishes
 * at 1.5 s (0.5 MB alone, 0.5 MB at half rate), the second at 2 s. */
static void
test_completion_times(void)
{
	struct engine *e = engine_new(NULL);
	struct net *n = net_new(e);
	net_link l = net_link_add(n, 8 * MBIT);
	struct done_log d = { { 0 }, 0 };

	net_flow_start(n, &l, 1, 1000000, on_done, &d);
	engine_run_until(e, 500 * FC_MSEC);
	net_flow_start(n, &l, 1, 1000000, on_done, &d);
	engine_run(e);
	g_assert_cmpint(d.n, ==, 2);
	g_assert_cmpuint(d.at[0], ==, 1500 * FC_MSEC);
	g_assert_cmpuint(d.at[1], ==, 2000 * FC_MSEC);
	g_assert_cmpuint(net_bytes_delivered(n), ==, 2000000);
	g_assert_cmpuint(net_flows(n), ==, 0);
	net_free(n);
	engine_free(e);
}

static void
test_cancel(void)
{
	struct engine *e = engine_new(NULL);
	struct net *n = net_new(e);
	net_link l = net_link_add(n, 8 * MBIT);
	struct net_flow *f = net_flow_start(n, &l, 1, 1000000, NULL, NULL);

	engine_run_until(e, 250 * FC_MSEC);
	g_assert_cmpuint(net_flow_received(n, f), ==, 250000);
	g_assert_cmpuint(net_flow_cancel(n, f), ==, 250000);
	g_assert_cmpuint(net_bytes_delivered(n), ==, 250000);
	g_assert_cmpint(engine_run(e), ==, ENGINE_EMPTY);
	net_free(n);
	engine_free(e);
}

/*
 * Shrinking: flow a, 1 MB on an 8 Mbit/s link (1 MB/s), alone for 125 ms
 * (125,000 bytes); then b (875,000 bytes) shares the link, 500 kB/s each.
 * At 250 ms a has 187,500 bytes and is cut to 312,500: its last 125,000
 * take 250 ms, so it ends at 500 ms, at the rate it had.  b has 187,500
 * bytes by then and its last 687,500 alone take 687.5 ms: it ends at
 * 1,187.5 ms.  A shrink to the bytes already in ends a flow at once.
 */
static void
test_shrink(void)
{
	struct engine *e = engine_new(NULL);
	struct net *n = net_new(e);
	net_link l = net_link_add(n, 8 * MBIT);
	struct done_log log = { { 0 }, 0 };
	struct net_flow *a = net_flow_start(n, &l, 1, 1000000, on_done, &log);

	engine_run_until(e, 125 * FC_MSEC);
	net_flow_start(n, &l, 1, 875000, on_done, &log); /* b */
	engine_run_until(e, 250 * FC_MSEC);
	/* 125,000 bytes alone, then 62,500 at 4 Mbit/s. */
	g_assert_cmpuint(net_flow_received(n, a), ==, 187500);
	net_flow_shrink(n, a, 312500);
	g_assert_cmpfloat(net_flow_rate(a), ==, 4e6);
	g_assert_cmpint(engine_run(e), ==, ENGINE_EMPTY);
	g_assert_cmpint(log.n, ==, 2);
	g_assert_cmpuint(log.at[0], ==, 500 * FC_MSEC);
	g_assert_cmpuint(log.at[1], ==, 1187500 * FC_USEC);
	g_assert_cmpuint(net_bytes_delivered(n), ==, 312500 + 875000);

	log.n = 0;
	a = net_flow_start(n, &l, 1, 1000000, on_done, &log);
	engine_run_until(e, engine_now(e) + 100 * FC_MSEC);
	net_flow_shrink(n, a, net_flow_received(n, a));
	g_assert_cmpint(engine_run(e), ==, ENGINE_EMPTY);
	g_assert_cmpint(log.n, ==, 1);
	g_assert_cmpuint(log.at[0], ==, 1287500 * FC_USEC);
	g_assert_cmpuint(net_bytes_delivered(n), ==, 312500 + 875000 + 100000);
	net_free(n);
	engine_free(e);
}

/* Flows in different components do not disturb each other. */
static void
test_components(void)
{
	struct engine *e = engine_new(NULL);
	struct net *n = net_new(e);
	net_link a = net_link_add(n, MBIT), b = net_link_add(n, MBIT);
	uint64_t rated;

	for (int i = 0; i < 100; i++)
		net_flow_start(n, &a, 1, 1000, NULL, NULL);
	rated = net_flows_rated(n);
	net_flow_start(n, &b, 1, 1000, NULL, NULL);
	g_assert_cmpuint(net_flows_rated(n) - rated, ==, 1);
	net_free(n);
	engine_free(e);
}

/* ---- Random workloads ---- */

struct live {
	struct net_flow *f;
	net_link path[6]; /* longer than a flow keeps inline (net.c) */
	size_t len;
	uint64_t bytes;
};

struct rnd {
	GArray *live; /* struct live */
	uint64_t completed_bytes;
};

static void
rnd_done(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	struct rnd *r = data;

	(void)now;
	for (guint i = 0; i < r->live->len; i++) {
		struct live *l = &g_array_index(r->live, struct live, i);

		if (l->f == f) {
			/* Not early: every byte has arrived at the rates it had
			 * (to a byte: the bits are a double's sum). */
			g_assert_cmpuint(net_flow_received(n, f) + 1, >=, l->bytes);
			r->completed_bytes += l->bytes;
			g_array_remove_index_fast(r->live, i);
			return;
		}
	}
	g_assert_not_reached();
}

/*
 * No link above its capacity, and max-min fairness: every flow crosses a
 * saturated link on which no flow is faster than it.
 */
static void
check_maxmin(struct net *n, const struct rnd *r, const double *cap, size_t nlinks)
{
	g_autofree double *fastest = g_new0(double, nlinks);
	g_autofree double *load = g_new0(double, nlinks);

	/* The load from the flows' rates, not from the network's own books,
	 * which net_link_load() reads. */
	for (guint i = 0; i < r->live->len; i++) {
		const struct live *lv = &g_array_index(r->live, struct live, i);

		for (size_t k = 0; k < lv->len; k++) {
			fastest[lv->path[k]] = MAX(fastest[lv->path[k]], net_flow_rate(lv->f));
			load[lv->path[k]] += net_flow_rate(lv->f);
		}
	}
	/* Not late either: a flow whose bytes have all arrived has ended. */
	for (guint i = 0; i < r->live->len; i++) {
		const struct live *lv = &g_array_index(r->live, struct live, i);

		g_assert_cmpuint(net_flow_received(n, lv->f), <, lv->bytes);
	}
	for (size_t l = 0; l < nlinks; l++) {
		g_assert_cmpfloat(load[l], <=, cap[l] * (1 + 1e-9));
		g_assert_cmpfloat(fabs(net_link_load(n, (net_link)l) - MIN(load[l], cap[l])), <=,
				  cap[l] * 1e-9);
	}
	for (guint i = 0; i < r->live->len; i++) {
		const struct live *lv = &g_array_index(r->live, struct live, i);
		double rate = net_flow_rate(lv->f);
		bool bottleneck = false;

		g_assert_cmpfloat(rate, >, 0);
		for (size_t k = 0; k < lv->len; k++) {
			net_link l = lv->path[k];

			if (load[l] >= cap[l] * (1 - 1e-9) &&
			    rate >= fastest[l] * (1 - 1e-9))
				bottleneck = true;
		}
		if (!bottleneck)
			g_error("flow %u at %g bit/s has no bottleneck link", i, rate);
	}
}

/*
 * The estimate of a new flow's rate, by hand: link A (12 Mbit/s) carries a
 * flow held to 2 Mbit/s by link B and one at the 10 left.  A new flow on A
 * leaves the slow one alone and shares the 10 with the fast one: 5.  On A
 * and B it gets 1 (B's 2 halved, the slow flow cut to 1 too); on an idle
 * link, the link.
 */
static void
test_path_rate(void)
{
	struct engine *e = engine_new(NULL);
	struct net *n = net_new(e);
	net_link a = net_link_add(n, 12 * MBIT), b = net_link_add(n, 2 * MBIT);
	net_link c = net_link_add(n, 7 * MBIT);
	net_link ab[] = { a, b };
	struct net_flow *f;

	net_flow_start(n, ab, 2, 1000000, NULL, NULL);
	net_flow_start(n, &a, 1, 1000000, NULL, NULL);
	g_assert_cmpfloat(fabs(net_path_rate(n, &a, 1) - 5e6), <, 1e-3);
	g_assert_cmpfloat(fabs(net_path_rate(n, ab, 2) - 1e6), <, 1e-3);
	g_assert_cmpfloat(fabs(net_path_rate(n, &c, 1) - 7e6), <, 1e-3);
	/* And the flows, once started, get those rates. */
	f = net_flow_start(n, &a, 1, 1000000, NULL, NULL);
	g_assert_cmpfloat(fabs(net_flow_rate(f) - 5e6), <, 1e-3);
	net_flow_cancel(n, f);
	f = net_flow_start(n, ab, 2, 1000000, NULL, NULL);
	g_assert_cmpfloat(fabs(net_flow_rate(f) - 1e6), <, 1e-3);
	net_free(n);
	engine_free(e);
}

static void
test_random(void)
{
	for (guint32 seed = 1; seed <= 10; seed++) {
		struct engine *e = engine_new(NULL);
		struct net *n = net_new(e);
		GRand *g = g_rand_new_with_seed(seed);
		struct rnd r = { g_array_new(FALSE, FALSE, sizeof(struct live)), 0 };
		size_t nlinks = 12;
		double cap[12], est;
		uint64_t cancelled_got = 0;
		unsigned started = 0, exact = 0;

		for (size_t l = 0; l < nlinks; l++) {
			uint64_t c = (uint64_t)g_rand_int_range(g, 1, 100) * MBIT;

			cap[l] = (double)c;
			net_link_add(n, c);
		}
		for (int step = 0; step < 1500; step++) {
			int op = g_rand_int_range(g, 0, 10);

			engine_run_until(e, engine_now(e) +
					 (fc_time_t)g_rand_int_range(g, 0, 50) * FC_MSEC);
			if (op < 6 || r.live->len == 0) {
				struct live lv = { 0 };

				lv.len = (size_t)g_rand_int_range(g, 1, 7);
				lv.bytes = (uint64_t)g_rand_int_range(g, 1, 2000000);
				for (size_t k = 0; k < lv.len; k++) {
					bool dup;

					do {
						lv.path[k] = (net_link)g_rand_int_range(g, 0,
											(gint32)nlinks);
						dup = false;
						for (size_t m = 0; m < k; m++)
							dup |= lv.path[m] == lv.path[k];
					} while (dup);
				}
				/* The estimate of its rate is never below the rate
				 * it gets (net.h). */
				est = net_path_rate(n, lv.path, lv.len);
				lv.f = net_flow_start(n, lv.path, lv.len, lv.bytes, rnd_done, &r);
				g_assert_cmpfloat(net_flow_rate(lv.f), <=, est * (1 + 1e-9));
				exact += net_flow_rate(lv.f) >= est * (1 - 1e-9);
				started++;
				g_array_append_val(r.live, lv);
			} else {
				guint i = (guint)g_rand_int_range(g, 0, (gint32)r.live->len);
				struct net_flow *f = g_array_index(r.live, struct live, i).f;
				uint64_t bytes = g_array_index(r.live, struct live, i).bytes;
				uint64_t seen = net_flow_received(n, f), got;

				g_array_remove_index_fast(r.live, i);
				got = net_flow_cancel(n, f);
				g_assert_cmpuint(got, ==, seen);
				g_assert_cmpuint(got, <=, bytes);
				cancelled_got += got;
			}
			check_maxmin(n, &r, cap, nlinks);
			g_assert_cmpuint(net_flows(n), ==, r.live->len);
		}
		g_test_message("seed %u: the estimate was the rate for %u of %u new flows",
			       (unsigned)seed, exact, started);
		engine_run(e);
		g_assert_cmpuint(r.live->len, ==, 0);
		g_assert_cmpuint(net_flows(n), ==, 0);
		/* Bytes delivered = completed flows in full + what cancelled
		 * flows had received. */
		g_assert_cmpuint(net_bytes_delivered(n), ==, r.completed_bytes + cancelled_got);
		g_array_unref(r.live);
		g_rand_free(g);
		net_free(n);
		engine_free(e);
	}
}

/* ---- Completion events left early, against moving them every time ---- */

struct lz_flow {
	fc_time_t start, cancel;  /* cancel: FC_TIME_NEVER for none */
	net_link path[3];
	size_t len;
	uint64_t bytes;
};

struct lz_run {
	struct net_flow **f;
	fc_time_t *done;          /* when each ended; FC_TIME_NEVER: not yet */
	uint64_t *got;            /* bytes a cancelled flow had */
};

static void
lz_done(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	fc_time_t *at = data;

	(void)n;
	(void)f;
	*at = now;
}

/*
 * One workload, fixed in advance so that nothing in it depends on the
 * order of completions: flows over one shared link of 100 Mbit/s (full
 * most of the time) and one or two of 40 access links, some cancelled.
 */
static void
lz_play(const struct lz_flow *w, size_t nw, const uint64_t *cap, size_t ncap, bool eager,
	struct lz_run *out, uint64_t *rated)
{
	struct engine *e = engine_new(NULL);
	struct net *n = net_new(e);
	size_t next_start = 0;

	net_set_eager_moves(n, eager);
	for (size_t l = 0; l < ncap; l++)
		net_link_add(n, cap[l]);
	for (size_t i = 0; i < nw; i++)
		out->done[i] = FC_TIME_NEVER;
	/* Starts are in time order; a cancel is handled at the next start
	 * after its time. */
	while (next_start < nw) {
		const struct lz_flow *s = &w[next_start];

		engine_run_until(e, s->start);
		for (size_t i = 0; i < next_start; i++)
			if (out->f[i] && out->done[i] == FC_TIME_NEVER && w[i].cancel <= s->start) {
				out->got[i] = net_flow_cancel(n, out->f[i]);
				out->done[i] = engine_now(e);
				out->f[i] = NULL;
			}
		out->f[next_start] = net_flow_start(n, s->path, s->len, s->bytes, lz_done,
						    &out->done[next_start]);
		next_start++;
	}
	engine_run(e);
	*rated = net_flows_rated(n);
	net_free(n);
	engine_free(e);
}

static void
test_lazy_moves(void)
{
	for (guint32 seed = 1; seed <= 5; seed++) {
		GRand *g = g_rand_new_with_seed(seed);
		size_t nw = 3000, ncap = 41;
		g_autofree struct lz_flow *w = g_new0(struct lz_flow, nw);
		uint64_t cap[41], rated_lazy, rated_eager;
		struct lz_run a, b;
		fc_time_t t = 0;
		unsigned cancels = 0;

		cap[0] = 100 * MBIT;
		for (size_t l = 1; l < ncap; l++)
			cap[l] = (uint64_t)g_rand_int_range(g, 1, 20) * MBIT;
		for (size_t i = 0; i < nw; i++) {
			t += (fc_time_t)g_rand_int_range(g, 0, 20) * FC_MSEC;
			w[i].start = t;
			w[i].bytes = (uint64_t)g_rand_int_range(g, 1000, 3000000);
			w[i].path[0] = 0;
			w[i].path[1] = (net_link)g_rand_int_range(g, 1, (gint32)ncap);
			w[i].len = 2;
			if (g_rand_int_range(g, 0, 4) == 0) {
				w[i].path[2] = (net_link)g_rand_int_range(g, 1, (gint32)ncap);
				w[i].len = w[i].path[2] == w[i].path[1] ? 2 : 3;
			}
			w[i].cancel = g_rand_int_range(g, 0, 8) == 0 ?
				      t + (fc_time_t)g_rand_int_range(g, 1, 3000) * FC_MSEC :
				      FC_TIME_NEVER;
		}
		a = (struct lz_run){ g_new0(struct net_flow *, nw), g_new(fc_time_t, nw),
				     g_new0(uint64_t, nw) };
		b = (struct lz_run){ g_new0(struct net_flow *, nw), g_new(fc_time_t, nw),
				     g_new0(uint64_t, nw) };
		lz_play(w, nw, cap, ncap, false, &a, &rated_lazy);
		lz_play(w, nw, cap, ncap, true, &b, &rated_eager);
		for (size_t i = 0; i < nw; i++) {
			g_assert_cmpint(a.done[i], ==, b.done[i]);
			g_assert_cmpuint(a.got[i], ==, b.got[i]);
			g_assert_cmpint(a.done[i], !=, FC_TIME_NEVER);
		}
		/* Both re-rated the same flows. */
		g_assert_cmpuint(rated_lazy, ==, rated_eager);
		for (size_t i = 0; i < nw; i++)
			cancels += w[i].cancel != FC_TIME_NEVER;
		g_test_message("seed %u: %zu flows (%u with a cancel), the same end times",
			       (unsigned)seed, nw, cancels);
		g_free(a.f);
		g_free(a.done);
		g_free(a.got);
		g_free(b.f);
		g_free(b.done);
		g_free(b.got);
		g_rand_free(g);
	}
}

/* Starts a flow of bytes over path and lists it in r. */
static void
rnd_start(struct net *n, struct rnd *r, const net_link *path, size_t len, uint64_t bytes)
{
	struct live lv = { 0 };

	lv.len = len;
	memcpy(lv.path, path, len * sizeof *path);
	lv.bytes = bytes;
	lv.f = net_flow_start(n, lv.path, lv.len, lv.bytes, rnd_done, r);
	g_array_append_val(r->live, lv);
}

/* Cancels one of r's flows at random; returns the bytes it had received. */
static uint64_t
rnd_cancel_any(struct net *n, GRand *g, struct rnd *r)
{
	guint i = (guint)g_rand_int_range(g, 0, (gint32)r->live->len);
	struct net_flow *f = g_array_index(r->live, struct live, i).f;

	g_array_remove_index_fast(r->live, i);
	return net_flow_cancel(n, f);
}

/*
 * A swarm-like mesh: 40 peers, each with an uplink and a downlink of random
 * capacity, flows from one peer's uplink to another's downlink, so that
 * every flow is coupled to every other through the links; the local
 * recomputation must still give the max-min allocation after each change.
 */
static void
test_mesh(void)
{
	for (guint32 seed = 1; seed <= 6; seed++) {
		struct engine *e = engine_new(NULL);
		struct net *n = net_new(e);
		GRand *g = g_rand_new_with_seed(seed);
		struct rnd r = { g_array_new(FALSE, FALSE, sizeof(struct live)), 0 };
		enum { PEERS = 40 };
		double cap[2 * PEERS];
		uint64_t cancelled_got = 0;

		for (size_t l = 0; l < 2 * PEERS; l++) {
			/* Uplinks 1..10, downlinks 1..40 (some below the
			 * uplinks, so both kinds of link are bottlenecks). */
			uint64_t c = (uint64_t)g_rand_int_range(g, 1, l < PEERS ? 11 : 41) * MBIT;

			cap[l] = (double)c;
			net_link_add(n, c);
		}
		for (int step = 0; step < 2000; step++) {
			engine_run_until(e, engine_now(e) +
					 (fc_time_t)g_rand_int_range(g, 0, 20) * FC_MSEC);
			if (g_rand_int_range(g, 0, 10) < 6 || r.live->len == 0) {
				gint32 from = g_rand_int_range(g, 0, PEERS), to;
				net_link path[2];

				do
					to = g_rand_int_range(g, 0, PEERS);
				while (to == from);
				path[0] = (net_link)from;
				path[1] = (net_link)(PEERS + to);
				rnd_start(n, &r, path, 2, (uint64_t)g_rand_int_range(g, 1, 1000000));
			} else {
				cancelled_got += rnd_cancel_any(n, g, &r);
			}
			check_maxmin(n, &r, cap, 2 * PEERS);
		}
		engine_run(e);
		g_assert_cmpuint(net_flows(n), ==, 0);
		g_assert_cmpuint(net_bytes_delivered(n), ==, r.completed_bytes + cancelled_got);
		g_array_unref(r.live);
		g_rand_free(g);
		net_free(n);
		engine_free(e);
	}
}

/*
 * A done function that starts flows and reads rates (as a swarm's next
 * request does): the rates of the flows it starts are those of the whole
 * change, read inside it or after.  Hand-computed: A (1 MB) and B (2 MB)
 * share 8 Mbit/s, so A ends at 2 s; C (1 MB), started in A's done
 * function, shares with B's last 1 MB: both end at 4 s.
 */
struct chain {
	net_link link;
	double c_rate;
	fc_time_t b_end, c_end;
	struct net_flow *b;
};

/* Done function that records when the flow ended, in *data. */
static void
record_end(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	(void)n;
	(void)f;
	*(fc_time_t *)data = now;
}

static void
chain_a_done(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	struct chain *c = data;
	struct net_flow *cf;

	(void)f;
	g_assert_cmpint(now, ==, 2 * FC_SEC);
	cf = net_flow_start(n, &c->link, 1, 1000000, record_end, &c->c_end);
	c->c_rate = net_flow_rate(cf);
	g_assert_cmpfloat(net_flow_rate(c->b), ==, 4 * MBIT);
	g_assert_cmpfloat(net_link_load(n, c->link), ==, 8 * MBIT);
}

static void
test_start_in_done(void)
{
	struct engine *e = engine_new(NULL);
	struct net *n = net_new(e);
	struct chain c = { 0 };

	c.link = net_link_add(n, 8 * MBIT);
	net_flow_start(n, &c.link, 1, 1000000, chain_a_done, &c);
	c.b = net_flow_start(n, &c.link, 1, 2000000, record_end, &c.b_end);
	engine_run(e);
	g_assert_cmpfloat(c.c_rate, ==, 4 * MBIT);
	g_assert_cmpint(c.b_end, ==, 4 * FC_SEC);
	g_assert_cmpint(c.c_end, ==, 4 * FC_SEC);
	g_assert_cmpuint(net_bytes_delivered(n), ==, 4000000);
	net_free(n);
	engine_free(e);
}

/*
 * The mesh again, with done functions that react as the models do: each
 * completion starts zero to two flows and may cancel one in flight, some
 * of them reading a rate in between; the allocation after every handler
 * is still max-min.
 */
struct react {
	struct rnd r;
	GRand *g;
	guint peers;
	uint64_t cancelled_got;
};

static void react_done(struct net *n, struct net_flow *f, void *data, fc_time_t now);

static void
react_start(struct net *n, struct react *x)
{
	struct live lv = { 0 };
	gint32 from = g_rand_int_range(x->g, 0, (gint32)x->peers), to;

	do
		to = g_rand_int_range(x->g, 0, (gint32)x->peers);
	while (to == from);
	lv.len = 2;
	lv.path[0] = (net_link)from;
	lv.path[1] = (net_link)(x->peers + (guint)to);
	lv.bytes = (uint64_t)g_rand_int_range(x->g, 1, 1000000);
	lv.f = net_flow_start(n, lv.path, lv.len, lv.bytes, react_done, x);
	g_array_append_val(x->r.live, lv);
	if (g_rand_int_range(x->g, 0, 4) == 0)
		g_assert_cmpfloat(net_flow_rate(lv.f), >, 0);
}

static void
react_done(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	struct react *x = data;
	int more = g_rand_int_range(x->g, 0, 3);

	rnd_done(n, f, &x->r, now);
	for (int i = 0; i < more; i++)
		react_start(n, x);
	if (x->r.live->len > 0 && g_rand_int_range(x->g, 0, 5) == 0) {
		guint i = (guint)g_rand_int_range(x->g, 0, (gint32)x->r.live->len);
		struct net_flow *h = g_array_index(x->r.live, struct live, i).f;

		g_array_remove_index_fast(x->r.live, i);
		x->cancelled_got += net_flow_cancel(n, h);
	}
}

static void
test_react(void)
{
	/* 30 peers fill over a few links at a time, 150 over many (the two
	 * ways net.c fills). */
	for (guint32 seed = 1; seed <= 8; seed++) {
		struct engine *e = engine_new(NULL);
		struct net *n = net_new(e);
		struct react x = { { g_array_new(FALSE, FALSE, sizeof(struct live)), 0 },
				   g_rand_new_with_seed(seed), seed % 2 ? 30 : 150, 0 };
		g_autofree double *cap = g_new(double, 2 * x.peers);
		guint most = x.peers * 2;

		for (size_t l = 0; l < 2 * x.peers; l++) {
			uint64_t c = (uint64_t)g_rand_int_range(x.g, 1, l < x.peers ? 11 : 41) * MBIT;

			cap[l] = (double)c;
			net_link_add(n, c);
		}
		for (int step = 0; step < 1500; step++) {
			engine_run_until(e, engine_now(e) +
					 (fc_time_t)g_rand_int_range(x.g, 0, 20) * FC_MSEC);
			if (x.r.live->len < most)
				react_start(n, &x);
			/* Links come and go with clients: adding one may move
			 * the links already there. */
			if (step % 50 == 0)
				net_link_add(n, MBIT);
			check_maxmin(n, &x.r, cap, 2 * x.peers);
			g_assert_cmpuint(net_flows(n), ==, x.r.live->len);
		}
		/* Drain by cancelling what is left. */
		while (x.r.live->len > 0) {
			guint i = x.r.live->len - 1;

			x.cancelled_got += net_flow_cancel(n, g_array_index(x.r.live, struct live, i).f);
			g_array_remove_index_fast(x.r.live, i);
		}
		g_assert_cmpuint(net_flows(n), ==, 0);
		g_assert_cmpuint(net_bytes_delivered(n), ==, x.r.completed_bytes + x.cancelled_got);
		g_array_unref(x.r.live);
		g_rand_free(x.g);
		net_free(n);
		engine_free(e);
	}
}

/*
 * A star: one shared link and 240 client links of random capacities,
 * flows over the shared link and one client link, started, completed and
 * cancelled at random.  The shared link's component spans more links
 * than net.c fills by scanning, so this is its heap's test.
 */
static void
test_star(void)
{
	for (guint32 seed = 1; seed <= 4; seed++) {
		struct engine *e = engine_new(NULL);
		struct net *n = net_new(e);
		GRand *g = g_rand_new_with_seed(seed);
		struct rnd r = { g_array_new(FALSE, FALSE, sizeof(struct live)), 0 };
		enum { CLIENTS = 240 };
		double cap[CLIENTS + 1];
		uint64_t cancelled_got = 0;

		cap[0] = 50.0 * MBIT;
		net_link_add(n, 50 * MBIT);
		for (size_t l = 1; l <= CLIENTS; l++) {
			/* 0.1 to 5 Mbit/s: some clients below the fair share,
			 * some above, at many levels. */
			uint64_t c = (uint64_t)g_rand_int_range(g, 1, 51) * MBIT / 10;

			cap[l] = (double)c;
			net_link_add(n, c);
		}
		for (int step = 0; step < 1500; step++) {
			engine_run_until(e, engine_now(e) +
					 (fc_time_t)g_rand_int_range(g, 0, 30) * FC_MSEC);
			if (g_rand_int_range(g, 0, 10) < 7 || r.live->len == 0) {
				net_link path[2] = { 0, (net_link)g_rand_int_range(g, 1, CLIENTS + 1) };

				rnd_start(n, &r, path, 2, (uint64_t)g_rand_int_range(g, 1, 4000000));
			} else {
				cancelled_got += rnd_cancel_any(n, g, &r);
			}
			check_maxmin(n, &r, cap, CLIENTS + 1);
		}
		engine_run(e);
		g_assert_cmpuint(net_flows(n), ==, 0);
		g_assert_cmpuint(net_bytes_delivered(n), ==, r.completed_bytes + cancelled_got);
		g_array_unref(r.live);
		g_rand_free(g);
		net_free(n);
		engine_free(e);
	}
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add_func("/net/two-flows-one-link", test_two_flows_one_link);
	g_test_add_func("/net/shared-bottleneck", test_shared_bottleneck);
	g_test_add_func("/net/parking-lot", test_parking_lot);
	g_test_add_func("/net/completion-times", test_completion_times);
	g_test_add_func("/net/cancel", test_cancel);
	g_test_add_func("/net/shrink", test_shrink);
	g_test_add_func("/net/components", test_components);
	g_test_add_func("/net/path-rate", test_path_rate);
	g_test_add_func("/net/random", test_random);
	g_test_add_func("/net/lazy-moves", test_lazy_moves);
	g_test_add_func("/net/mesh", test_mesh);
	g_test_add_func("/net/start-in-done", test_start_in_done);
	g_test_add_func("/net/react", test_react);
	g_test_add_func("/net/star", test_star);
	return g_test_run();
}
