/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The engine's contract: order with ties, cancel (pending, next, already run,
 * already cancelled, reused slot, mass cancellation), stop, run-until, the
 * clock, determinism of a randomised model, and independence of two engines
 * in one process.  Every case runs on every queue implementation.
 */
#include <glib.h>
#include <gsl/gsl_rng.h>

#include "sim/engine.h"
#include "sim/rng.h"
#include "tests/testutil.h"

/* ---- a trace of handler calls ---------------------------------------- */

struct trace {
	GArray *t;   /* fc_time_t */
	GArray *tag; /* guint64 */
};

struct tagged {
	struct trace *tr;
	guint64 tag;
	bool stop; /* call engine_stop() after recording */
};

static void
trace_init(struct trace *tr)
{
	tr->t = g_array_new(FALSE, FALSE, sizeof(fc_time_t));
	tr->tag = g_array_new(FALSE, FALSE, sizeof(guint64));
}

static void
trace_clear(struct trace *tr)
{
	g_array_free(tr->t, TRUE);
	g_array_free(tr->tag, TRUE);
}

static void
record(struct engine *e, void *data, fc_time_t now)
{
	struct tagged *x = data;

	g_assert_cmpuint(now, ==, engine_now(e));
	g_array_append_val(x->tr->t, now);
	g_array_append_val(x->tr->tag, x->tag);
	if (x->stop)
		engine_stop(e);
}

static guint64
tag_at(const struct trace *tr, guint i)
{
	return g_array_index(tr->tag, guint64, i);
}

static fc_time_t
time_at(const struct trace *tr, guint i)
{
	return g_array_index(tr->t, fc_time_t, i);
}

/* ---- cases ------------------------------------------------------------ */

/* Events come out by time, and by scheduling order among equal times. */
static void
test_order_ties(gconstpointer qt)
{
	enum { N = 5000 };
	struct engine *e = engine_new(qt);
	struct trace tr;
	struct tagged *x = g_new0(struct tagged, N);
	GRand *r = g_rand_new_with_seed(7);

	trace_init(&tr);
	for (guint i = 0; i < N; i++) {
		/* Few distinct times, so most events tie with others. */
		fc_time_t t = (fc_time_t)g_rand_int_range(r, 0, 50) * FC_MSEC;

		x[i] = (struct tagged){ &tr, i, false };
		engine_schedule_at(e, t, record, &x[i]);
	}
	g_assert_cmpint(engine_run(e), ==, ENGINE_EMPTY);
	g_assert_cmpuint(tr.t->len, ==, N);
	for (guint i = 1; i < N; i++) {
		g_assert_cmpuint(time_at(&tr, i - 1), <=, time_at(&tr, i));
		if (time_at(&tr, i - 1) == time_at(&tr, i))
			g_assert_cmpuint(tag_at(&tr, i - 1), <, tag_at(&tr, i));
	}
	g_assert_cmpuint(engine_executed(e), ==, N);
	g_assert_cmpuint(engine_now(e), ==, time_at(&tr, N - 1));
	g_rand_free(r);
	g_free(x);
	trace_clear(&tr);
	engine_free(e);
}

/* Zero-delay events scheduled from a handler run after those already due. */
static void
sched_zero(struct engine *e, void *data, fc_time_t now)
{
	struct tagged *x = data;

	record(e, data, now);
	if (x->tag == 1)
		engine_schedule(e, 0, record, x + 2); /* tag 3 */
}

static void
test_zero_delay(gconstpointer qt)
{
	struct engine *e = engine_new(qt);
	struct trace tr;
	struct tagged x[4];

	trace_init(&tr);
	for (guint i = 0; i < 4; i++)
		x[i] = (struct tagged){ &tr, i, false };
	engine_schedule_at(e, 10, record, &x[0]);
	engine_schedule_at(e, 10, sched_zero, &x[1]);
	engine_schedule_at(e, 10, record, &x[2]);
	engine_run(e);
	g_assert_cmpuint(tr.t->len, ==, 4);
	for (guint i = 0; i < 4; i++) {
		g_assert_cmpuint(tag_at(&tr, i), ==, i);
		g_assert_cmpuint(time_at(&tr, i), ==, 10);
	}
	trace_clear(&tr);
	engine_free(e);
}

static void
test_cancel(gconstpointer qt)
{
	struct engine *e = engine_new(qt);
	struct trace tr;
	struct tagged x[4];
	engine_event a, b, c, d;

	trace_init(&tr);
	for (guint i = 0; i < 4; i++)
		x[i] = (struct tagged){ &tr, i, false };
	a = engine_schedule_at(e, 10, record, &x[0]);
	b = engine_schedule_at(e, 20, record, &x[1]);
	c = engine_schedule_at(e, 20, record, &x[2]);
	g_assert_true(a != ENGINE_EVENT_NONE && b != a && c != b);
	g_assert_true(engine_is_pending(e, a));

	/* Cancel the next event. */
	g_assert_true(engine_cancel(e, a));
	g_assert_false(engine_is_pending(e, a));
	g_assert_false(engine_cancel(e, a)); /* twice: no-op */
	g_assert_false(engine_cancel(e, ENGINE_EVENT_NONE));
	g_assert_cmpuint(engine_pending(e), ==, 2);

	/* A new event reuses a's slot; a's id must not reach it. */
	d = engine_schedule_at(e, 15, record, &x[3]);
	g_assert_false(engine_cancel(e, a));
	g_assert_true(engine_is_pending(e, d));

	g_assert_cmpint(engine_run_until(e, 15), ==, ENGINE_UNTIL);
	g_assert_cmpuint(tr.t->len, ==, 1);
	g_assert_cmpuint(tag_at(&tr, 0), ==, 3);

	/* Cancelling an event that already ran does nothing. */
	g_assert_false(engine_cancel(e, d));
	g_assert_true(engine_cancel(e, b));
	g_assert_cmpint(engine_run(e), ==, ENGINE_EMPTY);
	g_assert_cmpuint(tr.t->len, ==, 2);
	g_assert_cmpuint(tag_at(&tr, 1), ==, 2);
	g_assert_false(engine_cancel(e, c));
	g_assert_cmpuint(engine_pending(e), ==, 0);
	g_assert_cmpuint(engine_executed(e), ==, 2);
	trace_clear(&tr);
	engine_free(e);
}

/* A handler cancelling itself (already running) and a later event. */
struct self_cancel {
	engine_event self, victim;
	bool self_result, victim_result;
};

static void
cancel_both(struct engine *e, void *data, fc_time_t now)
{
	struct self_cancel *s = data;

	s->self_result = engine_cancel(e, s->self);
	s->victim_result = engine_cancel(e, s->victim);
}

static void
must_not_run(struct engine *e, void *data, fc_time_t now)
{
	g_assert_not_reached();
}

static void
test_cancel_from_handler(gconstpointer qt)
{
	struct engine *e = engine_new(qt);
	struct self_cancel s = { 0 };

	s.self = engine_schedule_at(e, 5, cancel_both, &s);
	s.victim = engine_schedule_at(e, 5, must_not_run, NULL);
	g_assert_cmpint(engine_run(e), ==, ENGINE_EMPTY);
	g_assert_false(s.self_result);
	g_assert_true(s.victim_result);
	g_assert_cmpuint(engine_executed(e), ==, 1);
	engine_free(e);
}

/*
 * A cancelled event later than every live one must not hold the clock back
 * or forward: after it is skipped, scheduling earlier than it still works.
 */
static void
test_cancel_then_earlier(gconstpointer qt)
{
	struct engine *e = engine_new(qt);
	struct trace tr;
	struct tagged x[3];

	trace_init(&tr);
	for (guint i = 0; i < 3; i++)
		x[i] = (struct tagged){ &tr, i, false };
	engine_cancel(e, engine_schedule_at(e, 1000000, record, &x[0]));
	g_assert_cmpint(engine_run(e), ==, ENGINE_EMPTY);
	g_assert_cmpuint(engine_now(e), ==, 0);
	engine_schedule_at(e, 500, record, &x[1]);
	engine_cancel(e, engine_schedule_at(e, 900, record, &x[0]));
	g_assert_cmpint(engine_run_until(e, 2000), ==, ENGINE_EMPTY);
	g_assert_cmpuint(engine_now(e), ==, 2000);
	engine_schedule_at(e, 2000, record, &x[2]);
	engine_run(e);
	g_assert_cmpuint(tr.t->len, ==, 2);
	g_assert_cmpuint(time_at(&tr, 0), ==, 500);
	g_assert_cmpuint(time_at(&tr, 1), ==, 2000);
	trace_clear(&tr);
	engine_free(e);
}

/* Cancelling most of a large pending set triggers purges; order survives. */
static void
test_mass_cancel(gconstpointer qt)
{
	enum { N = 100000 };
	struct engine *e = engine_new(qt);
	struct trace tr;
	struct tagged *x = g_new0(struct tagged, N);
	engine_event *id = g_new(engine_event, N);
	bool *cancelled = g_new0(bool, N);
	GRand *r = g_rand_new_with_seed(11);
	guint expect = 0;

	trace_init(&tr);
	for (guint i = 0; i < N; i++) {
		x[i] = (struct tagged){ &tr, i, false };
		id[i] = engine_schedule_at(e, (fc_time_t)g_rand_int_range(r, 0, 1 << 20),
					   record, &x[i]);
	}
	for (guint i = 0; i < N; i++) {
		if (g_rand_int_range(r, 0, 10) != 0) {
			g_assert_true(engine_cancel(e, id[i]));
			cancelled[i] = true;
		} else {
			expect++;
		}
	}
	g_assert_cmpuint(engine_pending(e), ==, expect);
	engine_run(e);
	g_assert_cmpuint(tr.t->len, ==, expect);
	for (guint i = 0; i < tr.t->len; i++) {
		g_assert_false(cancelled[tag_at(&tr, i)]);
		if (i > 0) {
			g_assert_cmpuint(time_at(&tr, i - 1), <=, time_at(&tr, i));
			if (time_at(&tr, i - 1) == time_at(&tr, i))
				g_assert_cmpuint(tag_at(&tr, i - 1), <, tag_at(&tr, i));
		}
	}
	g_rand_free(r);
	g_free(cancelled);
	g_free(id);
	g_free(x);
	trace_clear(&tr);
	engine_free(e);
}

static void
test_stop(gconstpointer qt)
{
	struct engine *e = engine_new(qt);
	struct trace tr;
	struct tagged x[3];

	trace_init(&tr);
	for (guint i = 0; i < 3; i++)
		x[i] = (struct tagged){ &tr, i, i == 1 };
	engine_stop(e); /* outside a run: no effect */
	engine_schedule_at(e, 10, record, &x[0]);
	engine_schedule_at(e, 20, record, &x[1]);
	engine_schedule_at(e, 20, record, &x[2]);
	g_assert_cmpint(engine_run_until(e, 100), ==, ENGINE_STOPPED);
	g_assert_cmpuint(engine_now(e), ==, 20);
	g_assert_cmpuint(tr.t->len, ==, 2);
	g_assert_cmpuint(engine_pending(e), ==, 1);
	/* A later run resumes with what is left. */
	g_assert_cmpint(engine_run(e), ==, ENGINE_EMPTY);
	g_assert_cmpuint(tr.t->len, ==, 3);
	g_assert_cmpuint(tag_at(&tr, 2), ==, 2);
	g_assert_cmpuint(engine_now(e), ==, 20);
	trace_clear(&tr);
	engine_free(e);
}

static void
test_run_until(gconstpointer qt)
{
	struct engine *e = engine_new(qt);
	struct trace tr;
	struct tagged x[3];

	trace_init(&tr);
	for (guint i = 0; i < 3; i++) {
		x[i] = (struct tagged){ &tr, i, false };
		engine_schedule_at(e, 10 * (i + 1), record, &x[i]);
	}
	g_assert_cmpint(engine_run_until(e, 20), ==, ENGINE_UNTIL);
	g_assert_cmpuint(tr.t->len, ==, 2); /* until is inclusive */
	g_assert_cmpuint(engine_now(e), ==, 20);
	g_assert_cmpint(engine_run_until(e, 25), ==, ENGINE_UNTIL);
	g_assert_cmpuint(engine_now(e), ==, 25);
	g_assert_cmpint(engine_run_until(e, 5), ==, ENGINE_UNTIL); /* past: nothing */
	g_assert_cmpuint(engine_now(e), ==, 25);
	g_assert_cmpint(engine_run_until(e, 1000), ==, ENGINE_EMPTY);
	g_assert_cmpuint(engine_now(e), ==, 1000);
	g_assert_cmpuint(tr.t->len, ==, 3);
	/* Time moves on with nothing pending, and delays count from it. */
	engine_schedule(e, 7, record, &x[0]);
	g_assert_cmpint(engine_run(e), ==, ENGINE_EMPTY);
	g_assert_cmpuint(time_at(&tr, 3), ==, 1007);
	trace_clear(&tr);
	engine_free(e);
}

/* ---- a randomised model: determinism and independence ---------------- */

/*
 * Customers of a hold-like model with random delays from their own streams,
 * zero delays (ties), and random cancellation of other customers' events.
 * The trace is folded into a hash of (time, customer) pairs.
 */
struct model;

struct customer {
	struct model *m;
	guint index;
	struct rng_stream rs;
	engine_event next;
};

struct model {
	struct engine *e;
	struct customer *c;
	guint n;
	guint64 hash, budget;
};

static void
fold(guint64 *h, guint64 v)
{
	*h = (*h ^ v) * G_GUINT64_CONSTANT(0x100000001b3);
}

static void
customer_fire(struct engine *e, void *data, fc_time_t now)
{
	struct customer *c = data;
	struct model *m = c->m;
	gsl_rng *g = rng_stream_gsl(&c->rs);
	unsigned long u = gsl_rng_uniform_int(g, 100);

	fold(&m->hash, now);
	fold(&m->hash, c->index);
	c->next = ENGINE_EVENT_NONE;
	if (m->budget == 0)
		return;
	m->budget--;
	if (u < 5) {
		/* Cancel and re-arm another customer: the commonest timer pattern. */
		struct customer *o = &m->c[gsl_rng_uniform_int(g, m->n)];

		if (engine_cancel(e, o->next))
			o->next = engine_schedule(e, gsl_rng_uniform_int(g, 1000),
						  customer_fire, o);
	}
	c->next = engine_schedule(e, u < 10 ? 0 : gsl_rng_uniform_int(g, 2 * FC_MSEC + 1),
				  customer_fire, c);
}

static void
model_init(struct model *m, const struct evq_type *qt, guint64 seed, guint n,
	   guint64 budget)
{
	m->e = engine_new(qt);
	m->n = n;
	m->c = g_new0(struct customer, n);
	m->hash = G_GUINT64_CONSTANT(0xcbf29ce484222325);
	m->budget = budget;
	for (guint i = 0; i < n; i++) {
		m->c[i].m = m;
		m->c[i].index = i;
		rng_stream_init(&m->c[i].rs, seed, 0, "customer", i);
		m->c[i].next = engine_schedule(m->e, gsl_rng_uniform_int(rng_stream_gsl(&m->c[i].rs), FC_MSEC),
					       customer_fire, &m->c[i]);
	}
}

static void
model_clear(struct model *m)
{
	engine_free(m->e);
	g_free(m->c);
}

static guint64
model_hash(const struct evq_type *qt, guint64 seed)
{
	struct model m;
	guint64 h;

	model_init(&m, qt, seed, 300, 200000);
	engine_run(m.e);
	fold(&m.hash, engine_now(m.e));
	fold(&m.hash, engine_executed(m.e));
	h = m.hash;
	model_clear(&m);
	return h;
}

/* Same seed, same trace; and every queue gives the same trace. */
static void
test_determinism(void)
{
	guint64 first = model_hash(evq_types[0], 42);

	g_assert_cmpuint(model_hash(evq_types[0], 42), ==, first);
	for (size_t i = 1; evq_types[i]; i++)
		g_assert_cmpuint(model_hash(evq_types[i], 42), ==, first);
	g_assert_cmpuint(model_hash(evq_types[0], 43), !=, first);
}

/*
 * Two engines stepped in turn in one process produce the traces that each
 * produces alone.
 */
static void
test_two_engines(gconstpointer qt)
{
	struct model a, b, sa, sb;
	fc_time_t t = 0;

	model_init(&a, qt, 1, 300, 200000);
	model_init(&b, qt, 2, 300, 200000);
	while (engine_pending(a.e) || engine_pending(b.e)) {
		t += 37 * FC_USEC;
		engine_run_until(a.e, t);
		engine_run_until(b.e, t);
	}
	model_init(&sa, qt, 1, 300, 200000);
	model_init(&sb, qt, 2, 300, 200000);
	engine_run(sa.e);
	engine_run(sb.e);
	g_assert_cmpuint(a.hash, ==, sa.hash);
	g_assert_cmpuint(b.hash, ==, sb.hash);
	g_assert_cmpuint(a.hash, !=, b.hash);
	g_assert_cmpuint(engine_executed(a.e), ==, engine_executed(sa.e));
	g_assert_cmpuint(engine_executed(b.e), ==, engine_executed(sb.e));
	model_clear(&a);
	model_clear(&b);
	model_clear(&sa);
	model_clear(&sb);
}

/* A handler that schedules itself again 1 ns later, forever. */
static void
tick(struct engine *e, void *data, fc_time_t now)
{
	(void)now;
	engine_schedule(e, 1, tick, data);
}

/* A handler that raises the interrupt flag it is given, as a signal would. */
static void
raise_flag(struct engine *e, void *data, fc_time_t now)
{
	(void)e;
	(void)now;
	*(volatile sig_atomic_t *)data = SIGTERM;
}

/*
 * engine_set_limit(): the run stops after exactly that many handlers
 * (however the poll period falls), a later run with the limit raised goes
 * on from there, and a run at the limit runs nothing.
 */
static void
test_limit(gconstpointer data)
{
	struct engine *e = engine_new(data);

	engine_schedule_at(e, 0, tick, NULL);
	engine_set_limit(e, 5000);
	g_assert_cmpint(engine_run_until(e, 1000000), ==, ENGINE_LIMIT);
	g_assert_cmpuint(engine_executed(e), ==, 5000);
	g_assert_cmpuint(engine_now(e), ==, 4999);
	g_assert_cmpint(engine_run_until(e, 1000000), ==, ENGINE_LIMIT);
	g_assert_cmpuint(engine_executed(e), ==, 5000);
	engine_set_limit(e, 5001);
	g_assert_cmpint(engine_run(e), ==, ENGINE_LIMIT);
	g_assert_cmpuint(engine_executed(e), ==, 5001);
	engine_set_limit(e, 0);
	g_assert_cmpint(engine_run_until(e, 6000), ==, ENGINE_UNTIL);
	g_assert_cmpuint(engine_executed(e), ==, 6001);
	engine_free(e);
}

/*
 * engine_set_interrupt(): the run returns right after the handler in which
 * the flag was raised, with the other events still pending.
 */
static void
test_interrupt(gconstpointer data)
{
	struct engine *e = engine_new(data);
	volatile sig_atomic_t flag = 0;

	engine_set_interrupt(e, &flag);
	engine_schedule_at(e, 0, tick, NULL);
	engine_schedule_at(e, 100, raise_flag, (void *)&flag);
	g_assert_cmpint(engine_run(e), ==, ENGINE_INTERRUPTED);
	g_assert_cmpuint(engine_now(e), ==, 100);
	/* tick at 0..99, then raise_flag at 100, scheduled before the tick
	 * of 100 was. */
	g_assert_cmpuint(engine_executed(e), ==, 101);
	g_assert_cmpuint(engine_pending(e), ==, 1);
	flag = 0;
	g_assert_cmpint(engine_run_until(e, 200), ==, ENGINE_UNTIL);
	g_assert_cmpuint(engine_executed(e), ==, 202);
	engine_free(e);
}

/*
 * A delay past the end of time (a configured or drawn delay near 2^64 ns)
 * schedules the event at the last nanosecond instead of aborting: it runs
 * after everything else, and never within a run that ends before it.
 */
static void
test_end_of_time(gconstpointer qt)
{
	struct engine *e = engine_new(qt);
	struct trace tr;
	struct tagged x[3];

	trace_init(&tr);
	for (guint i = 0; i < 3; i++)
		x[i] = (struct tagged){ &tr, i, false };
	g_assert_cmpint(engine_run_until(e, 1000), ==, ENGINE_EMPTY);
	engine_schedule(e, FC_TIME_NEVER - 10, record, &x[0]);
	engine_schedule_at(e, FC_TIME_NEVER, record, &x[1]);
	engine_schedule(e, 5, record, &x[2]);
	g_assert_cmpint(engine_run_until(e, FC_TIME_NEVER - 2), ==, ENGINE_UNTIL);
	g_assert_cmpuint(tr.t->len, ==, 1);
	g_assert_cmpuint(tag_at(&tr, 0), ==, 2);
	g_assert_cmpint(engine_run(e), ==, ENGINE_EMPTY);
	g_assert_cmpuint(tr.t->len, ==, 3);
	g_assert_cmpuint(time_at(&tr, 1), ==, FC_TIME_NEVER - 1);
	g_assert_cmpuint(time_at(&tr, 2), ==, FC_TIME_NEVER - 1);
	g_assert_cmpuint(tag_at(&tr, 1), ==, 0);
	g_assert_cmpuint(tag_at(&tr, 2), ==, 1);
	trace_clear(&tr);
	engine_free(e);
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		GTestDataFunc fn;
	} cases[] = {
		{ "order-ties", test_order_ties },
		{ "zero-delay", test_zero_delay },
		{ "cancel", test_cancel },
		{ "cancel-from-handler", test_cancel_from_handler },
		{ "cancel-then-earlier", test_cancel_then_earlier },
		{ "mass-cancel", test_mass_cancel },
		{ "stop", test_stop },
		{ "run-until", test_run_until },
		{ "two-engines", test_two_engines },
		{ "limit", test_limit },
		{ "interrupt", test_interrupt },
		{ "end-of-time", test_end_of_time },
	};

	testutil_init(&argc, &argv);
	for (size_t q = 0; evq_types[q]; q++) {
		for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
			char *path = g_strdup_printf("/engine/%s/%s", evq_types[q]->name,
						     cases[i].name);

			g_test_add_data_func(path, evq_types[q], cases[i].fn);
			g_free(path);
		}
	}
	g_test_add_func("/engine/determinism", test_determinism);
	return g_test_run();
}
