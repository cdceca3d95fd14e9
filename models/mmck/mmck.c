/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/mmck/mmck.h"

#include <math.h>

#include <gsl/gsl_randist.h>

#include "sim/engine.h"
#include "sim/model.h"
#include "sim/recorder.h"
#include "sim/rng.h"

struct server {
	struct mmck *m;
	fc_time_t arrived; /* of the customer in service */
};

struct mmck {
	const struct mmck_params *p;
	struct engine *e;
	struct rng_stream arrivals, service;
	struct server *server; /* c of them */
	unsigned *idle;        /* stack of idle server indices */
	unsigned nidle;
	fc_time_t *waiting;    /* ring of arrival times, K - c places */
	unsigned wait_head, nwaiting;
	unsigned in_system;
	fc_time_t window_start, window_end, last_change;
	double area_in_system, area_busy; /* in customer-nanoseconds */
	double response_sum_ns;
	uint64_t arrivals_n, served, lost;
	struct recorder *rec;
	struct rec_stat *response;
	struct rec_vector *in_system_v;
};

gboolean
mmck_params_check(const struct mmck_params *p, GError **err)
{
	const char *what = NULL;

	if (p->servers < 1)
		what = "servers must be at least 1";
	else if (p->capacity < p->servers)
		what = "capacity (customers in the system) must be at least the number of servers";
	else if (!(p->arrival_rate > 0) || !isfinite(p->arrival_rate))
		what = "arrival rate must be a positive number";
	else if (!(p->service_rate > 0) || !isfinite(p->service_rate))
		what = "service rate must be a positive number";
	else if (p->duration == 0)
		what = "duration must be positive";
	else if (p->warmup > FC_TIME_NEVER - 1 - p->duration)
		what = "warm-up plus duration is too long";
	else if (1e9 / p->arrival_rate < 1 || 1e9 / p->service_rate < 1)
		what = "rates above 10^9 per second cannot be timed in nanoseconds";
	if (what) {
		g_set_error_literal(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, what);
		return FALSE;
	}
	return TRUE;
}

static fc_time_t
exp_ns(struct rng_stream *s, double rate_per_s)
{
	return rng_time_from_ns(gsl_ran_exponential(rng_stream_gsl(s), 1e9 / rate_per_s) + 0.5);
}

/* Adds the time since the last change, clipped to the window, to the areas. */
static void
account(struct mmck *m, fc_time_t now)
{
	fc_time_t from = MAX(m->last_change, m->window_start);
	fc_time_t to = MIN(now, m->window_end);

	if (to > from) {
		double dt = (double)(to - from);

		m->area_in_system += m->in_system * dt;
		m->area_busy += (m->p->servers - m->nidle) * dt;
	}
	m->last_change = now;
}

static bool
in_window(const struct mmck *m, fc_time_t t)
{
	return t >= m->window_start && t < m->window_end;
}

static void departure(struct engine *e, void *data, fc_time_t now);

static void
start_service(struct mmck *m, fc_time_t arrived)
{
	struct server *s = &m->server[m->idle[--m->nidle]];

	s->arrived = arrived;
	engine_schedule(m->e, exp_ns(&m->service, m->p->service_rate), departure, s);
}

static void
departure(struct engine *e, void *data, fc_time_t now)
{
	struct server *s = data;
	struct mmck *m = s->m;

	account(m, now);
	if (in_window(m, now)) {
		m->served++;
		m->response_sum_ns += (double)(now - s->arrived);
		rec_stat_add(m->response, fc_time_to_sec(now - s->arrived));
	}
	if (m->p->log_full && m->in_system == m->p->capacity)
		rec_event(m->rec, now, "station", "room", "in_system=%u", m->in_system - 1);
	m->in_system--;
	m->idle[m->nidle++] = (unsigned)(s - m->server);
	if (m->nwaiting > 0) {
		fc_time_t arrived = m->waiting[m->wait_head];

		m->wait_head = (m->wait_head + 1) % (m->p->capacity - m->p->servers);
		m->nwaiting--;
		start_service(m, arrived);
	}
}

static void
arrival(struct engine *e, void *data, fc_time_t now)
{
	struct mmck *m = data;
	bool counted = in_window(m, now);

	account(m, now);
	m->arrivals_n += counted;
	if (m->in_system == m->p->capacity) {
		m->lost += counted;
	} else {
		m->in_system++;
		if (m->p->log_full && m->in_system == m->p->capacity)
			rec_event(m->rec, now, "station", "full", "in_system=%u",
				  m->in_system);
		if (m->nidle > 0) {
			start_service(m, now);
		} else {
			unsigned room = m->p->capacity - m->p->servers;

			m->waiting[(m->wait_head + m->nwaiting) % room] = now;
			m->nwaiting++;
		}
	}
	engine_schedule(e, exp_ns(&m->arrivals, m->p->arrival_rate), arrival, m);
}

/* Samples the customers in the system, every sample_interval in the window. */
static void
sample(struct engine *e, void *data, fc_time_t now)
{
	struct mmck *m = data;

	rec_vector_add(m->in_system_v, now, m->in_system);
	if (fc_time_add(now, m->p->sample_interval) < m->window_end)
		engine_schedule(e, m->p->sample_interval, sample, m);
}

/*
 * A station on engine e (whose clock is at 0), recording into rec (may be
 * NULL): a statistic of response times and, as p asks, a vector of the
 * customers in the system and event_log rows.  p must have passed
 * mmck_params_check() and must outlive the station.
 */
static struct mmck *
mmck_new(const struct mmck_params *p, struct engine *e, struct recorder *rec)
{
	struct mmck *m = g_new0(struct mmck, 1);

	m->p = p;
	m->e = e;
	m->rec = rec;
	rng_stream_init(&m->arrivals, p->seed, p->replication, "mmck-arrivals", 0);
	rng_stream_init(&m->service, p->seed, p->replication, "mmck-service", 0);
	m->server = g_new(struct server, p->servers);
	m->idle = g_new(unsigned, p->servers);
	for (unsigned i = 0; i < p->servers; i++) {
		m->server[i] = (struct server){ m, 0 };
		m->idle[i] = p->servers - 1 - i;
	}
	m->nidle = p->servers;
	m->waiting = g_new(fc_time_t, MAX(1u, p->capacity - p->servers));
	m->window_start = p->warmup;
	m->window_end = p->warmup + p->duration;
	m->response = rec_stat_new(rec, "station", "response_s");
	if (p->sample_interval) {
		m->in_system_v = rec_vector_new(rec, "station", "in_system");
		engine_schedule_at(e, p->warmup, sample, m);
	}
	engine_schedule(e, exp_ns(&m->arrivals, p->arrival_rate), arrival, m);
	return m;
}

/* Accepts NULL. */
static void
mmck_free(struct mmck *m)
{
	if (!m)
		return;
	g_free(m->server);
	g_free(m->idle);
	g_free(m->waiting);
	g_free(m);
}

/* The results once the engine has run to warmup + duration. */
static void
mmck_result(struct mmck *m, struct mmck_result *out)
{
	double window = (double)m->p->duration;

	g_assert(engine_now(m->e) == m->window_end);
	account(m, m->window_end);
	*out = (struct mmck_result){
		.mean_in_system = m->area_in_system / window,
		.mean_response_s = m->served ? m->response_sum_ns / m->served / 1e9 : NAN,
		.loss_ratio = m->arrivals_n ? (double)m->lost / m->arrivals_n : 0,
		.throughput = m->served / fc_time_to_sec(window),
		.utilisation = m->area_busy / window / m->p->servers,
		.arrivals = m->arrivals_n,
		.served = m->served,
		.lost = m->lost,
		.events = engine_executed(m->e),
	};
}

void
mmck_simulate(const struct mmck_params *p, struct mmck_result *out)
{
	struct engine *e = engine_new(NULL);
	struct mmck *m = mmck_new(p, e, NULL);

	engine_run_until(e, p->warmup + p->duration);
	mmck_result(m, out);
	mmck_free(m);
	engine_free(e);
}

void
mmck_theory(const struct mmck_params *p, struct mmck_theory *out)
{
	unsigned c = p->servers, K = p->capacity;
	double a = p->arrival_rate / p->service_rate;
	double pn = 1, sum = 0, mean = 0, busy = 0, pK = 0;

	/*
	 * Unnormalised p_n from p_0 = 1: p_n = p_{n-1} a / min(n, c), summed
	 * as they come.  When the load exceeds 1 the terms grow geometrically,
	 * so everything is scaled down together before it could overflow.
	 */
	for (unsigned n = 0; n <= K; n++) {
		if (n > 0)
			pn *= a / (n < c ? n : c);
		sum += pn;
		mean += n * pn;
		busy += (n < c ? n : c) * pn;
		if (n == K)
			pK = pn;
		if (sum > 1e200) {
			pn *= 1e-200;
			sum *= 1e-200;
			mean *= 1e-200;
			busy *= 1e-200;
		}
	}
	out->loss_ratio = pK / sum;
	out->mean_in_system = mean / sum;
	out->throughput = p->arrival_rate * (1 - out->loss_ratio);
	out->mean_response_s = out->mean_in_system / out->throughput;
	out->utilisation = busy / sum / c;
}

/* ---- The model as a scenario runs it ([run] model = mmck). ---- */

static void
params_from(const struct scenario *sc, struct mmck_params *p)
{
	*p = (struct mmck_params){
		.servers = (unsigned)scenario_count(sc, "mmck", "servers"),
		.capacity = (unsigned)scenario_count(sc, "mmck", "capacity"),
		.arrival_rate = scenario_real(sc, "mmck", "arrival_rate"),
		.service_rate = scenario_real(sc, "mmck", "service_rate"),
		.warmup = scenario_duration(sc, "run", "warmup"),
		.duration = scenario_duration(sc, "run", "duration"),
		.sample_interval = scenario_duration(sc, "mmck", "sample_interval"),
		.log_full = scenario_bool(sc, "mmck", "log_full"),
		.seed = scenario_count(sc, "run", "seed"),
	};
}

static gboolean
model_check(const struct scenario *sc, GError **err)
{
	if (scenario_count(sc, "mmck", "capacity") < scenario_count(sc, "mmck", "servers"))
		return scenario_invalid(sc, err, "mmck", "capacity",
					"%s customers in all is fewer than the %s "
					"servers ([mmck] servers, %s)",
					scenario_value_text(sc, "mmck", "capacity"),
					scenario_value_text(sc, "mmck", "servers"),
					scenario_where(sc, "mmck", "servers"));
	return TRUE;
}

struct mmck_model {
	struct mmck_params p;
	struct mmck *m;
};

static void *
model_create(struct sim_ctx *ctx, const struct scenario *sc, GError **err)
{
	struct mmck_model *mm = g_new0(struct mmck_model, 1);

	params_from(sc, &mm->p);
	mm->p.replication = ctx->replication;
	if (!mmck_params_check(&mm->p, err)) {
		g_free(mm);
		return NULL;
	}
	mm->m = mmck_new(&mm->p, ctx->engine, ctx->rec);
	return mm;
}

static void
model_finish(void *data, struct sim_ctx *ctx)
{
	struct mmck_model *mm = data;
	struct mmck_result r;
	struct mmck_theory th;
	static const char *const names[] = {
		"mean_in_system", "mean_response_s", "loss_ratio", "throughput",
		"utilisation",
	};

	mmck_result(mm->m, &r);
	mmck_theory(&mm->p, &th);
	{
		const double sim[] = { r.mean_in_system, r.mean_response_s, r.loss_ratio,
				       r.throughput, r.utilisation };
		const double theory[] = { th.mean_in_system, th.mean_response_s,
					  th.loss_ratio, th.throughput, th.utilisation };

		for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
			rec_scalar(ctx->rec, "station", names[i], sim[i]);
			rec_scalar(ctx->rec, "theory", names[i], theory[i]);
		}
	}
	rec_scalar(ctx->rec, "station", "arrivals", (double)r.arrivals);
	rec_scalar(ctx->rec, "station", "served", (double)r.served);
	rec_scalar(ctx->rec, "station", "lost", (double)r.lost);
}

static void
model_destroy(void *data)
{
	struct mmck_model *mm = data;

	if (!mm)
		return;
	mmck_free(mm->m);
	g_free(mm);
}

/*
 * Events: every arrival, the departure of every customer served (at most
 * c mu per second), and the samples.  Memory: a server, an idle-stack
 * entry and a waiting place per customer of K.
 */
static void
model_estimate(const struct scenario *sc, fc_time_t end, struct budget *b)
{
	double t = fc_time_to_sec(end);
	double lambda = scenario_real(sc, "mmck", "arrival_rate");
	double c = (double)scenario_count(sc, "mmck", "servers");
	double mu = scenario_real(sc, "mmck", "service_rate");
	fc_time_t si = scenario_duration(sc, "mmck", "sample_interval");

	budget_add_events(b, lambda * t, "[mmck] arrival_rate over [run] duration");
	budget_add_events(b, MIN(lambda, c * mu) * t,
			  "[mmck] arrival_rate, servers, service_rate over [run] duration");
	if (si)
		budget_add_events(b, (double)end / (double)si,
				  "[mmck] sample_interval over [run] duration");
	budget_add_bytes(b, c * (sizeof(struct server) + sizeof(unsigned)) +
			 (double)scenario_count(sc, "mmck", "capacity") * sizeof(fc_time_t),
			 "[mmck] servers, capacity");
}

const struct model_type mmck_model = {
	.name = "mmck",
	.check = model_check,
	.estimate = model_estimate,
	.create = model_create,
	.finish = model_finish,
	.destroy = model_destroy,
	.groups = (const char *const[]){ "mmck", NULL },
	.headline_entity = "station",
	.headline_name = "mean_response_s",
};
