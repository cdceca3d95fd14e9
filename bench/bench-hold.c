/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The classic hold model (Jones, CACM 1986): N events pending; each event,
 * when it runs, schedules one more at now + uniform(0, 2 ms); M events are
 * run and timed.  The increments are integers in nanoseconds drawn from
 * GSL's taus2, the same generator and draw as bench-hold-ns3.cc, so that the
 * two programs differ only in their simulator cores.
 *
 *   bench-hold --pending N --events M [--queue NAME] [--seed S]
 *
 * NAME is one of the engine's queues (radix, heap4), or plain-heap4: a bare
 * 4-ary heap of (time, seq, handler, data) records with no engine around it,
 * the reference that the engine must beat.  Prints one line of key=value
 * pairs, among them events_per_s (wall clock) and events_per_cpu_s.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "sim/engine.h"
#include "sim/rng.h"

#define HOLD_SPAN (2 * FC_MSEC)

struct hold {
	gsl_rng *g;
	uint64_t remaining;
};

/* The wall and CPU (user + system, this process) time of a run's timed
 * part: on a shared machine the wall time counts the other programs' turns
 * on our core, the CPU time does not. */
struct span {
	double wall, cpu;
};

static double
clock_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return fc_time_to_sec((fc_time_t)ts.tv_sec * FC_SEC + (fc_time_t)ts.tv_nsec);
}

static struct span
span_now(void)
{
	return (struct span){ clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_PROCESS_CPUTIME_ID) };
}

static struct span
span_since(struct span t0)
{
	struct span t1 = span_now();

	return (struct span){ t1.wall - t0.wall, t1.cpu - t0.cpu };
}

static inline fc_time_t
hold_increment(gsl_rng *g)
{
	return gsl_rng_uniform_int(g, HOLD_SPAN + 1);
}

/* ---- the engine -------------------------------------------------------- */

static void
hold_fire(struct engine *e, void *data, fc_time_t now)
{
	struct hold *h = data;

	if (--h->remaining == 0) {
		engine_stop(e);
		return;
	}
	engine_schedule(e, hold_increment(h->g), hold_fire, h);
}

static struct span
run_engine(const struct evq_type *qt, gsl_rng *g, uint64_t pending,
	   uint64_t events)
{
	struct engine *e = engine_new(qt);
	struct hold h = { g, events };
	struct span t;

	for (uint64_t i = 0; i < pending; i++)
		engine_schedule(e, hold_increment(g), hold_fire, &h);
	t = span_now();
	engine_run(e);
	t = span_since(t);
	g_assert_cmpuint(engine_executed(e), ==, events);
	engine_free(e);
	return t;
}

/* ---- the reference: a bare 4-ary heap of whole records --------------- */

struct plain_heap;

struct plain_rec {
	fc_time_t t;
	uint64_t seq;
	void (*fn)(struct plain_heap *, void *, fc_time_t);
	void *data;
};

struct plain_heap {
	struct plain_rec *v;
	size_t n, cap;
	uint64_t seq;
	bool stop;
};

static inline bool
rec_before(const struct plain_rec *a, const struct plain_rec *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void
plain_push(struct plain_heap *h, fc_time_t t,
	   void (*fn)(struct plain_heap *, void *, fc_time_t), void *data)
{
	struct plain_rec r = { t, h->seq++, fn, data };
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->v = g_renew(struct plain_rec, h->v, h->cap);
	}
	for (i = h->n++; i > 0; i = (i - 1) / 4) {
		if (!rec_before(&r, &h->v[(i - 1) / 4]))
			break;
		h->v[i] = h->v[(i - 1) / 4];
	}
	h->v[i] = r;
}

static struct plain_rec
plain_pop(struct plain_heap *h)
{
	struct plain_rec top = h->v[0], last = h->v[--h->n];
	size_t i = 0;

	for (;;) {
		size_t first = 4 * i + 1, best = first;

		if (first >= h->n)
			break;
		for (size_t c = first + 1; c < first + 4 && c < h->n; c++)
			if (rec_before(&h->v[c], &h->v[best]))
				best = c;
		if (!rec_before(&h->v[best], &last))
			break;
		h->v[i] = h->v[best];
		i = best;
	}
	if (h->n > 0)
		h->v[i] = last;
	return top;
}

static void
plain_fire(struct plain_heap *ph, void *data, fc_time_t now)
{
	struct hold *h = data;

	if (--h->remaining == 0) {
		ph->stop = true;
		return;
	}
	plain_push(ph, now + hold_increment(h->g), plain_fire, h);
}

static struct span
run_plain(gsl_rng *g, uint64_t pending, uint64_t events)
{
	struct plain_heap ph = { 0 };
	struct hold h = { g, events };
	fc_time_t now = 0;
	struct span t;

	for (uint64_t i = 0; i < pending; i++)
		plain_push(&ph, hold_increment(g), plain_fire, &h);
	t = span_now();
	while (!ph.stop && ph.n > 0) {
		struct plain_rec r = plain_pop(&ph);

		g_assert(r.t >= now);
		now = r.t;
		r.fn(&ph, r.data, now);
	}
	t = span_since(t);
	g_free(ph.v);
	return t;
}

int
main(int argc, char **argv)
{
	gint64 pending = 1000, events = 1000000, seed = 1;
	char *queue = NULL;
	GOptionEntry entries[] = {
		{ "pending", 'n', 0, G_OPTION_ARG_INT64, &pending, "events pending (N)", "N" },
		{ "events", 'm', 0, G_OPTION_ARG_INT64, &events, "events to run and time (M)", "M" },
		{ "queue", 'q', 0, G_OPTION_ARG_STRING, &queue,
		  "radix (default), heap4, or plain-heap4 (reference, no engine)", "NAME" },
		{ "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "seed of the increments", "S" },
		{ NULL },
	};
	GOptionContext *ctx = g_option_context_new("- the hold model on the flashcoop engine");
	GError *err = NULL;
	struct rng_stream rs;
	const struct evq_type *qt = NULL;
	const char *name;
	struct span secs;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "bench-hold: %s\n", err->message);
		return 2;
	}
	g_option_context_free(ctx);
	if (pending < 1 || events < 1 || pending > UINT32_MAX / 2) {
		fprintf(stderr, "bench-hold: --pending must be in 1..%u and --events >= 1\n",
			UINT32_MAX / 2);
		return 2;
	}
	if (queue && g_strcmp0(queue, "plain-heap4") != 0 && !(qt = evq_type_find(queue))) {
		fprintf(stderr, "bench-hold: unknown queue '%s'\n", queue);
		return 2;
	}
	gsl_set_error_handler_off();
	rng_stream_init(&rs, (uint64_t)seed, 0, "hold", 0);
	if (qt || !queue) {
		qt = qt ? qt : evq_types[0];
		name = qt->name;
		secs = run_engine(qt, rng_stream_gsl(&rs), (uint64_t)pending, (uint64_t)events);
	} else {
		name = "plain-heap4";
		secs = run_plain(rng_stream_gsl(&rs), (uint64_t)pending, (uint64_t)events);
	}
	printf("bench=hold impl=flashcoop queue=%s pending=%" G_GINT64_FORMAT
	       " events=%" G_GINT64_FORMAT " seconds=%.6f events_per_s=%.0f"
	       " cpu_s=%.6f events_per_cpu_s=%.0f\n",
	       name, pending, events, secs.wall, (double)events / secs.wall, secs.cpu,
	       (double)events / secs.cpu);
	g_free(queue);
	return 0;
}
