/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/handover/handover.h"

#include <math.h>

#include <gsl/gsl_randist.h>

#include "sim/engine.h"
#include "sim/model.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/scenario.h"

const struct fc_enum_name handover_mechanism_names[] = {
	{ "none", HANDOVER_NONE },
	{ "redirect", HANDOVER_REDIRECT },
	{ "dns", HANDOVER_DNS },
	{ "dts", HANDOVER_DTS },
	{ NULL, 0 },
};

const struct fc_enum_name handover_reopen_names[] = {
	{ "inject", HANDOVER_REOPEN_INJECT },
	{ "persist", HANDOVER_REOPEN_PERSIST },
	{ NULL, 0 },
};

enum name { SITE_NAME, HELPER_NAME };

/* A resolver's cached answer for one name. */
struct cache {
	fc_time_t expires;     /* valid while now < expires */
	int answer;            /* -1: the origin; otherwise a helper */
};

struct request;

/* A server's CPU: one FIFO queue in front of `cores`. */
struct station {
	struct ho *m;
	GQueue queue;
	unsigned busy, cores;
	fc_time_t last_change;
	double busy_area;      /* core-nanoseconds in the window */
	double wait_sum;       /* of measured requests' jobs */
	uint64_t waits;
};

struct request {
	struct ho *m;
	fc_time_t start;
	fc_time_t enqueued;    /* at a CPU */
	fc_time_t cost;        /* of its job there */
	fc_time_t first_lookup;
	fc_time_t serve_wait;  /* its wait at the server that served it */
	void (*then)(struct request *r, fc_time_t now); /* after the job */
	unsigned resolver;
	int at;                /* where its request goes: -1 origin, or a helper */
	bool measured, moved, dts_path;
	bool missed;           /* a lookup went to the authority */
	GList link;            /* in a CPU's queue */
	GList live;            /* in the model's list of requests under way */
};

struct ho {
	const struct handover_params *p;
	struct engine *e;
	struct rng_stream arrivals, choice, pick;
	struct cache *caches;  /* resolvers x (1 + helpers): the site's name,
				  then each helper's */
	struct station origin;
	struct station *helpers;
	GQueue live;           /* requests under way, freed with the model */
	fc_time_t window_start, window_end;
	uint64_t measured, moved, stale, moved_missed;
	fc_time_t last_stale;
	double latency_sum, extra_sum, origin_work_ns;
	/* The fixed legs of a request's path, computed once. */
	fc_time_t to_server;   /* handshake, then the request one way */
	fc_time_t back;        /* the response, one way */
	fc_time_t intra;       /* a DTS hand-over inside the cluster */
	fc_time_t direct;      /* a fetch's fixed part beyond its first lookup */
	GArray *latencies;     /* double seconds, moved (all for none) */
	struct rec_stat *latency_stat;
};

static fc_time_t
bits_time(uint64_t bytes, uint64_t rate_bps)
{
	return fc_time_from_sec((double)bytes * 8.0 / (double)rate_bps);
}

gboolean
handover_params_check(const struct handover_params *p, GError **err)
{
	const char *what = NULL;

	if (!(p->arrival_rate > 0) || !isfinite(p->arrival_rate) || 1e9 / p->arrival_rate < 1)
		what = "arrival rate must be a positive number of at most 10^9 per second";
	else if (p->resolvers < 1)
		what = "there must be at least one resolver";
	else if (p->origin_cpus < 1 || p->helper_cpus < 1)
		what = "every server needs at least one CPU";
	else if (p->helpers < 1)
		what = "there must be at least one helper";
	else if (p->client_rate == 0 || p->intra_rate == 0)
		what = "rates must be positive";
	else if (p->move_at >= p->duration)
		what = "the origin must start moving clients before the run ends";
	if (what) {
		g_set_error_literal(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, what);
		return FALSE;
	}
	return TRUE;
}

/* ---- CPUs: FIFO, a number of cores each ---- */

static void
account(struct station *st, fc_time_t now)
{
	fc_time_t from = MAX(st->last_change, st->m->window_start);
	fc_time_t to = MIN(now, st->m->window_end);

	if (to > from)
		st->busy_area += (double)st->busy * (double)(to - from);
	st->last_change = now;
}

static void job_done(struct engine *e, void *data, fc_time_t now);

static struct station *
station_of(struct request *r)
{
	return r->at < 0 ? &r->m->origin : &r->m->helpers[r->at];
}

static void
job_start(struct station *st, struct request *r, fc_time_t now)
{
	account(st, now);
	st->busy++;
	r->serve_wait = now - r->enqueued;
	if (r->measured) {
		st->wait_sum += (double)(now - r->enqueued);
		st->waits++;
		if (st == &r->m->origin)
			r->m->origin_work_ns += (double)r->cost;
	}
	engine_schedule(r->m->e, r->cost, job_done, r);
}

static void
job_done(struct engine *e, void *data, fc_time_t now)
{
	struct request *r = data;
	struct station *st = station_of(r);

	(void)e;
	account(st, now);
	st->busy--;
	if (!g_queue_is_empty(&st->queue)) {
		GList *l = g_queue_pop_head_link(&st->queue);
		job_start(st, l->data, now);
	}
	r->then(r, now);
}

/* A job of `cost` for r at the CPU of the server it is at, then `then`. */
static void
submit(struct request *r, fc_time_t cost, void (*then)(struct request *, fc_time_t),
       fc_time_t now)
{
	struct station *st = station_of(r);

	r->enqueued = now;
	r->cost = cost;
	r->then = then;
	if (st->busy < st->cores) {
		job_start(st, r, now);
	} else {
		r->link.data = r;
		g_queue_push_tail_link(&st->queue, &r->link);
	}
}

/* ---- a client's request, step by step ---- */

static void done(struct engine *e, void *data, fc_time_t now);
static void at_server(struct engine *e, void *data, fc_time_t now);
static void connect_to(struct engine *e, void *data, fc_time_t now);

/* A helper, uniformly at random: a Poisson stream split at random stays
   Poisson, which keeps the helpers' queues M/D/c. */
static int
pick_helper(struct ho *m)
{
	return (int)gsl_rng_uniform_int(rng_stream_gsl(&m->pick), m->p->helpers);
}

/*
 * A lookup at the request's resolver of the site's name (helper < 0) or
 * of a helper's: its cost, and the answer in r->at.  A miss asks the
 * authority, whose answer for the site's name is a helper once the origin
 * moves clients by DNS.
 */
static fc_time_t
lookup(struct ho *m, struct request *r, int helper, fc_time_t now)
{
	struct cache *c = &m->caches[(size_t)r->resolver * (1 + m->p->helpers) + (size_t)(helper + 1)];
	fc_time_t cost = m->p->resolver_rtt;

	if (now >= c->expires) {
		cost += m->p->authority_rtt;
		c->expires = fc_time_add(now, m->p->ttl);
		if (helper >= 0)
			c->answer = helper;
		else if (m->p->mechanism == HANDOVER_DNS && now >= m->p->move_at)
			c->answer = pick_helper(m);
		else
			c->answer = -1;
		r->missed = true;
	}
	r->at = c->answer;
	return cost;
}

/* Connected (a handshake: one client round trip) and the request sent. */
static void
connect_to(struct engine *e, void *data, fc_time_t now)
{
	struct request *r = data;

	(void)now;
	engine_schedule(e, r->m->to_server, at_server, r);
}

/* The response leaves a server at `now`. */
static void
respond(struct request *r, fc_time_t now)
{
	(void)now;
	engine_schedule(r->m->e, r->m->back, done, r);
}

static void
window_reopened(struct engine *e, void *data, fc_time_t now)
{
	(void)e;
	respond(data, now);
}

/* Served by a helper; after a DTS hand-over without the window update,
   the persist timer and the client's answer come first. */
static void
helper_served(struct request *r, fc_time_t now)
{
	const struct handover_params *p = r->m->p;

	if (r->dts_path && p->reopen == HANDOVER_REOPEN_PERSIST)
		engine_schedule(r->m->e, p->rto_min + p->client_rtt, window_reopened, r);
	else
		respond(r, now);
}

static void
at_helper(struct request *r, fc_time_t now)
{
	const struct handover_params *p = r->m->p;
	fc_time_t t = p->parse_cpu + p->serve_cpu;

	/* The destination's side of a hand-over, then the app as usual. */
	if (r->dts_path)
		t += p->handover_cpu;
	submit(r, t, helper_served, now);
}

static void after_origin(struct request *r, fc_time_t now);

static void
at_server(struct engine *e, void *data, fc_time_t now)
{
	struct request *r = data;
	const struct handover_params *p = r->m->p;

	(void)e;
	if (r->at >= 0) {
		at_helper(r, now);
		return;
	}
	bool move = now >= p->move_at &&
		    (p->mechanism == HANDOVER_REDIRECT || p->mechanism == HANDOVER_DTS);
	fc_time_t cost = p->parse_cpu;

	if (!move)
		cost += p->serve_cpu;
	else if (p->mechanism == HANDOVER_REDIRECT)
		cost += p->redirect_cpu;
	else
		cost += p->handover_cpu;
	r->moved = move;
	submit(r, cost, move ? after_origin : respond, now);
}

static void
redirected(struct engine *e, void *data, fc_time_t now)
{
	struct request *r = data;
	int helper = pick_helper(r->m);
	fc_time_t t = 0;

	r->at = helper;
	if (r->m->p->new_name)
		t = lookup(r->m, r, helper, now);
	engine_schedule(e, t, connect_to, r);
}

static void
handed_over(struct engine *e, void *data, fc_time_t now)
{
	(void)e;
	at_helper(data, now);
}

/* The origin moved r: a 302 to the client, or a hand-over in the cluster. */
static void
after_origin(struct request *r, fc_time_t now)
{
	struct ho *m = r->m;
	const struct handover_params *p = m->p;

	(void)now;
	if (p->mechanism == HANDOVER_REDIRECT) {
		engine_schedule(m->e, p->client_rtt / 2, redirected, r);
	} else {
		/* The handover connection's handshake, the request's bytes
		   and the FIN inside the cluster. */
		r->dts_path = true;
		r->at = pick_helper(m);
		engine_schedule(m->e, m->intra, handed_over, r);
	}
}

static void
done(struct engine *e, void *data, fc_time_t now)
{
	struct request *r = data;
	struct ho *m = r->m;

	(void)e;
	if (r->measured) {
		bool helper = r->at >= 0;
		m->measured++;
		if (helper) {
			m->moved++;
			m->moved_missed += r->missed;
		} else if (m->p->mechanism == HANDOVER_DNS) {
			m->stale++;
			m->last_stale = MAX(m->last_stale, r->start);
		}
		if (helper || m->p->mechanism == HANDOVER_NONE) {
			double s = fc_time_to_sec(now - r->start);
			m->latency_sum += s;
			/* Beyond a fetch straight from the server that served
			   it, which would have queued there too. */
			m->extra_sum += s - fc_time_to_sec(r->first_lookup + m->direct + r->serve_wait);
			g_array_append_val(m->latencies, s);
			if (m->latency_stat)
				rec_stat_add(m->latency_stat, s);
		}
	}
	g_queue_unlink(&m->live, &r->live);
	g_free(r);
}

static void
arrival(struct engine *e, void *data, fc_time_t now)
{
	struct ho *m = data;
	struct request *r = g_new0(struct request, 1);

	r->m = m;
	r->live.data = r;
	g_queue_push_tail_link(&m->live, &r->live);
	r->start = now;
	r->measured = now >= m->window_start && now < m->window_end;
	r->resolver = (unsigned)gsl_rng_uniform_int(rng_stream_gsl(&m->choice), m->p->resolvers);
	r->first_lookup = lookup(m, r, -1, now);
	engine_schedule(e, r->first_lookup, connect_to, r);
	fc_time_t gap = rng_time_from_ns(
		gsl_ran_exponential(rng_stream_gsl(&m->arrivals), 1e9 / m->p->arrival_rate) + 0.5);
	if (fc_time_add(now, gap) < m->p->duration)
		engine_schedule(e, gap, arrival, m);
}

/* The probability that a resolver holds a valid answer at a random time:
   a cycle is the TTL plus the wait for the next query after it. */
static double
valid_share(const struct handover_params *p)
{
	double ttl = fc_time_to_sec(p->ttl), idle = p->resolvers / p->arrival_rate;
	return ttl > 0 ? ttl / (ttl + idle) : 0;
}

static void
station_init(struct ho *m, struct station *st, unsigned cores)
{
	st->m = m;
	st->cores = cores;
	g_queue_init(&st->queue);
}

static struct ho *
ho_new(const struct handover_params *p, struct engine *e, struct recorder *rec,
       fc_time_t window_start, fc_time_t window_end)
{
	struct ho *m = g_new0(struct ho, 1);
	struct rng_stream init;
	double pv = valid_share(p);
	size_t names = (size_t)p->resolvers * (1 + p->helpers);

	m->p = p;
	m->e = e;
	rng_stream_init(&m->arrivals, p->seed, p->replication, "handover-arrivals", 0);
	rng_stream_init(&m->choice, p->seed, p->replication, "handover-resolver", 0);
	rng_stream_init(&m->pick, p->seed, p->replication, "handover-helper", 0);
	rng_stream_init(&init, p->seed, p->replication, "handover-caches", 0);
	station_init(m, &m->origin, p->origin_cpus);
	m->helpers = g_new0(struct station, p->helpers);
	for (unsigned i = 0; i < p->helpers; i++)
		station_init(m, &m->helpers[i], p->helper_cpus);
	m->window_start = window_start;
	m->window_end = window_end;
	m->latencies = g_array_new(FALSE, FALSE, sizeof(double));
	m->to_server = fc_time_add(p->client_rtt + p->client_rtt / 2,
				   bits_time(p->request_bytes, p->client_rate));
	m->back = fc_time_add(bits_time(p->response_bytes, p->client_rate), p->client_rtt / 2);
	m->intra = fc_time_add(p->intra_rtt + p->intra_rtt / 2,
			       bits_time(p->request_bytes, p->intra_rate));
	m->direct = fc_time_add(fc_time_add(m->to_server, p->parse_cpu + p->serve_cpu), m->back);
	/* Every cache as the stationary renewal process leaves it: valid
	   with probability pv, then with a remaining life uniform in [0, TTL);
	   the site's name at the start, the helpers' names (which nobody
	   looks up before the origin moves clients) at move_at, as if they
	   were as much in use as the site's. */
	m->caches = g_new0(struct cache, names);
	for (size_t i = 0; i < names; i++) {
		gsl_rng *g = rng_stream_gsl(&init);
		bool valid = gsl_rng_uniform(g) < pv;
		double left = gsl_rng_uniform(g) * (double)p->ttl;
		int helper = (int)(i % (1 + p->helpers)) - 1;
		fc_time_t base = helper >= 0 ? p->move_at : 0;

		m->caches[i].answer = helper;
		m->caches[i].expires = valid ? base + rng_time_from_ns(left) : 0;
	}
	if (rec)
		m->latency_stat = rec_stat_new(rec, "handover", "latency_s");
	engine_schedule(e, rng_time_from_ns(gsl_ran_exponential(rng_stream_gsl(&m->arrivals),
								 1e9 / p->arrival_rate) + 0.5),
			arrival, m);
	return m;
}

static void
ho_free(struct ho *m)
{
	if (!m)
		return;
	/* Requests still under way when the run ended (the queues' links
	   live in them). */
	GList *l;
	while ((l = g_queue_pop_head_link(&m->live)))
		g_free(l->data);
	g_array_free(m->latencies, TRUE);
	g_free(m->helpers);
	g_free(m->caches);
	g_free(m);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void
ho_result(struct ho *m, struct handover_result *out)
{
	double window = fc_time_to_sec(m->window_end - m->window_start) * 1e9;
	uint64_t n = m->latencies->len, hwaits = 0;
	double hwait = 0, hbusy = 0;
	fc_time_t now = engine_now(m->e);

	account(&m->origin, now);
	for (unsigned i = 0; i < m->p->helpers; i++) {
		account(&m->helpers[i], now);
		hwait += m->helpers[i].wait_sum;
		hwaits += m->helpers[i].waits;
		hbusy += m->helpers[i].busy_area;
	}
	g_array_sort(m->latencies, cmp_double);
	*out = (struct handover_result){
		.measured = m->measured,
		.moved = m->moved,
		.moved_share = m->measured ? (double)m->moved / m->measured : NAN,
		.latency_s = n ? m->latency_sum / n : NAN,
		.extra_s = n ? m->extra_sum / n : NAN,
		.latency_p95_s = n ? g_array_index(m->latencies, double,
						    MIN(n - 1, (uint64_t)ceil(0.95 * n) - 1))
				   : NAN,
		.origin_work_s = m->measured ? m->origin_work_ns / 1e9 / m->measured : NAN,
		.origin_wait_s = m->origin.waits ? m->origin.wait_sum / m->origin.waits / 1e9 : 0,
		.origin_utilisation = m->origin.busy_area / window / m->p->origin_cpus,
		.helper_wait_s = hwaits ? hwait / hwaits / 1e9 : 0,
		.helper_utilisation = hbusy / window / m->p->helper_cpus / m->p->helpers,
		.stale_share = m->measured ? (double)m->stale / m->measured : NAN,
		.last_stale_s = m->stale ? fc_time_to_sec(m->last_stale - m->p->move_at) : 0,
		.dns_miss_share = m->moved ? (double)m->moved_missed / m->moved : NAN,
		.events = engine_executed(m->e),
	};
}

void
handover_simulate(const struct handover_params *p, struct handover_result *out)
{
	struct engine *e = engine_new(NULL);
	struct ho *m = ho_new(p, e, NULL, p->move_at, p->duration - MIN(p->drain, p->duration));

	engine_run_until(e, p->duration);
	ho_result(m, out);
	ho_free(m);
	engine_free(e);
}

/* The mean wait in an M/D/c queue: exact (Pollaczek-Khinchine) for c = 1,
   half the M/M/c wait otherwise (a standard approximation). */
static double
mdc_wait(double lambda, double s, unsigned c)
{
	double a = lambda * s, rho = a / c;

	if (rho >= 1)
		return INFINITY;
	if (c == 1)
		return rho * s / (2 * (1 - rho));
	/* Erlang C by the stable recursion of Erlang B. */
	double b = 1;
	for (unsigned k = 1; k <= c; k++)
		b = a * b / (k + a * b);
	double erlang_c = b / (1 - rho * (1 - b));
	return 0.5 * erlang_c * s / (c * (1 - rho));
}

void
handover_theory(const struct handover_params *p, struct handover_theory *out)
{
	double r = fc_time_to_sec(p->client_rtt), lambda = p->arrival_rate;
	double ttl = fc_time_to_sec(p->ttl);
	double q = lambda * ttl / p->resolvers;
	double h = q / (1 + q);
	double lookup = fc_time_to_sec(p->resolver_rtt) + (1 - h) * fc_time_to_sec(p->authority_rtt);
	double req = (double)p->request_bytes * 8 / (double)p->client_rate;
	double resp = (double)p->response_bytes * 8 / (double)p->client_rate;
	double parse = fc_time_to_sec(p->parse_cpu), serve = fc_time_to_sec(p->serve_cpu);
	double ho = fc_time_to_sec(p->handover_cpu), intra = fc_time_to_sec(p->intra_rtt);
	double to_server = r + r / 2 + req, back = resp + r / 2;
	double window = fc_time_to_sec(p->duration - MIN(p->drain, p->duration) - p->move_at);
	double s = parse;       /* the origin's job per client */
	double sh = parse + serve; /* a helper's */
	double moved = 1;       /* share of the clients moved */
	double wo = 0, wh = 0;

	*out = (struct handover_theory){ .hit_ratio = h };
	switch (p->mechanism) {
	case HANDOVER_NONE:
		s += serve;
		moved = 0;
		wo = mdc_wait(lambda, s, p->origin_cpus);
		out->latency_s = lookup + to_server + wo + s + back;
		break;
	case HANDOVER_REDIRECT:
		s += fc_time_to_sec(p->redirect_cpu);
		wo = mdc_wait(lambda, s, p->origin_cpus);
		wh = mdc_wait(lambda / p->helpers, sh, p->helper_cpus);
		out->extra_s = wo + s + r / 2 + (p->new_name ? lookup : 0) + to_server;
		out->latency_s = lookup + to_server + out->extra_s + wh + sh + back;
		break;
	case HANDOVER_DTS:
		s += ho;
		sh += ho;
		wo = mdc_wait(lambda, s, p->origin_cpus);
		wh = mdc_wait(lambda / p->helpers, sh, p->helper_cpus);
		out->extra_s = wo + s + intra + (double)p->request_bytes * 8 / (double)p->intra_rate +
			       intra / 2 + ho;
		if (p->reopen == HANDOVER_REOPEN_PERSIST)
			out->extra_s += fc_time_to_sec(p->rto_min) + r;
		out->latency_s = lookup + to_server + out->extra_s + wh + parse + serve + back;
		break;
	case HANDOVER_DNS:
	default: {
		double pv = valid_share(p);
		out->stale_share = window >= ttl ? pv * ttl / (2 * window)
						 : pv * (1 - window / (2 * ttl));
		s += serve;
		moved = 1 - out->stale_share;
		/* The origin's dwindling stream has no closed-form wait; the
		   helpers' is close to Poisson with one helper only (a
		   resolver sends all its clients to one helper for a TTL). */
		wo = NAN;
		wh = mdc_wait(moved * lambda / p->helpers, sh, p->helper_cpus);
		out->latency_s = lookup + to_server + wh + sh + back;
		out->origin_work_s = out->stale_share * s;
		out->origin_utilisation = out->stale_share * lambda * s / p->origin_cpus;
		out->origin_wait_s = wo;
		out->helper_wait_s = wh;
		out->helper_utilisation = moved * lambda * sh / p->helpers / p->helper_cpus;
		return;
	}
	}
	out->origin_work_s = s;
	out->origin_wait_s = wo;
	out->origin_utilisation = lambda * s / p->origin_cpus;
	out->helper_wait_s = wh;
	out->helper_utilisation = moved * lambda * sh / p->helpers / p->helper_cpus;
}

/* ---- the model as a scenario runs it ([run] model = handover) ---- */

static void
params_from(const struct scenario *sc, struct handover_params *p)
{
	*p = (struct handover_params){
		.mechanism = (enum handover_mechanism)scenario_enum(sc, "handover", "mechanism"),
		.arrival_rate = scenario_real(sc, "handover", "arrival_rate"),
		.move_at = scenario_duration(sc, "handover", "move_at"),
		.duration = scenario_duration(sc, "run", "warmup") +
			    scenario_duration(sc, "run", "duration"),
		.drain = scenario_duration(sc, "handover", "drain"),
		.client_rtt = scenario_duration(sc, "handover", "client_rtt"),
		.resolver_rtt = scenario_duration(sc, "handover", "resolver_rtt"),
		.authority_rtt = scenario_duration(sc, "handover", "authority_rtt"),
		.ttl = scenario_duration(sc, "handover", "ttl"),
		.resolvers = (unsigned)scenario_count(sc, "handover", "resolvers"),
		.new_name = scenario_bool(sc, "handover", "new_name"),
		.request_bytes = scenario_size(sc, "handover", "request_bytes"),
		.response_bytes = scenario_size(sc, "handover", "response_bytes"),
		.client_rate = scenario_rate(sc, "handover", "client_rate"),
		.intra_rtt = scenario_duration(sc, "handover", "intra_rtt"),
		.intra_rate = scenario_rate(sc, "handover", "intra_rate"),
		.parse_cpu = scenario_duration(sc, "handover", "parse_cpu"),
		.serve_cpu = scenario_duration(sc, "handover", "serve_cpu"),
		.redirect_cpu = scenario_duration(sc, "handover", "redirect_cpu"),
		.handover_cpu = scenario_duration(sc, "handover", "handover_cpu"),
		.origin_cpus = (unsigned)scenario_count(sc, "handover", "origin_cpus"),
		.helpers = (unsigned)scenario_count(sc, "handover", "helpers"),
		.helper_cpus = (unsigned)scenario_count(sc, "handover", "helper_cpus"),
		.reopen = (enum handover_reopen)scenario_enum(sc, "handover", "reopen"),
		.rto_min = scenario_duration(sc, "handover", "rto_min"),
		.seed = scenario_count(sc, "run", "seed"),
	};
}

static gboolean
model_check(const struct scenario *sc, GError **err)
{
	struct handover_params p;

	params_from(sc, &p);
	if (p.move_at >= p.duration || p.drain >= p.duration - p.move_at)
		return scenario_invalid(sc, err, "handover", "move_at",
					"the measured window [move_at, warmup + duration - drain) "
					"is empty: move_at %s, drain %s, [run] warmup + duration %.3g s",
					scenario_value_text(sc, "handover", "move_at"),
					scenario_value_text(sc, "handover", "drain"),
					fc_time_to_sec(p.duration));
	/* Before the move the origin serves everyone; after it a helper
	   serves its share, with a hand-over's cost at most. */
	double rho = p.arrival_rate * fc_time_to_sec(p.parse_cpu + p.serve_cpu) / p.origin_cpus;
	if (rho >= 1)
		return scenario_invalid(sc, err, "handover", "arrival_rate",
					"%s clients per second need %.3g of the origin's CPUs "
					"before the move: the queue would grow without bound",
					scenario_value_text(sc, "handover", "arrival_rate"), rho);
	double rho_h = p.arrival_rate *
		       fc_time_to_sec(p.parse_cpu + p.serve_cpu + p.handover_cpu) / p.helpers /
		       p.helper_cpus;
	if (rho_h >= 1)
		return scenario_invalid(sc, err, "handover", "helpers",
					"%s helpers with %s CPUs each cannot serve %s clients per "
					"second (they would need %.3g of their CPUs)",
					scenario_value_text(sc, "handover", "helpers"),
					scenario_value_text(sc, "handover", "helper_cpus"),
					scenario_value_text(sc, "handover", "arrival_rate"), rho_h);
	return TRUE;
}

struct handover_model {
	struct handover_params p;
	struct ho *m;
};

static void *
model_create(struct sim_ctx *ctx, const struct scenario *sc, GError **err)
{
	struct handover_model *hm = g_new0(struct handover_model, 1);

	params_from(sc, &hm->p);
	hm->p.replication = ctx->replication;
	if (!handover_params_check(&hm->p, err)) {
		g_free(hm);
		return NULL;
	}
	hm->m = ho_new(&hm->p, ctx->engine, ctx->rec, MAX(hm->p.move_at, ctx->warmup),
		       ctx->end - hm->p.drain);
	return hm;
}

static void
model_finish(void *data, struct sim_ctx *ctx)
{
	struct handover_model *hm = data;
	struct handover_result r;
	struct handover_theory th;

	ho_result(hm->m, &r);
	handover_theory(&hm->p, &th);
	const struct {
		const char *name;
		double sim, theory;
	} rows[] = {
		{ "latency_s", r.latency_s, th.latency_s },
		{ "extra_s", r.extra_s, th.extra_s },
		{ "origin_work_s", r.origin_work_s, th.origin_work_s },
		{ "origin_wait_s", r.origin_wait_s, th.origin_wait_s },
		{ "origin_utilisation", r.origin_utilisation, th.origin_utilisation },
		{ "helper_wait_s", r.helper_wait_s, th.helper_wait_s },
		{ "helper_utilisation", r.helper_utilisation, th.helper_utilisation },
		{ "stale_share", r.stale_share, th.stale_share },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		rec_scalar(ctx->rec, "handover", rows[i].name, rows[i].sim);
		rec_scalar(ctx->rec, "theory", rows[i].name, rows[i].theory);
	}
	rec_scalar(ctx->rec, "theory", "hit_ratio", th.hit_ratio);
	rec_scalar(ctx->rec, "handover", "latency_p95_s", r.latency_p95_s);
	rec_scalar(ctx->rec, "handover", "moved_share", r.moved_share);
	rec_scalar(ctx->rec, "handover", "measured", (double)r.measured);
	rec_scalar(ctx->rec, "handover", "moved", (double)r.moved);
	rec_scalar(ctx->rec, "handover", "last_stale_s", r.last_stale_s);
	rec_scalar(ctx->rec, "handover", "dns_miss_share", r.dns_miss_share);
}

static void
model_destroy(void *data)
{
	struct handover_model *hm = data;

	if (!hm)
		return;
	ho_free(hm->m);
	g_free(hm);
}

/*
 * Events: about ten per client (arrival, lookup, connect, server, CPU,
 * redirect or handover, response, done).  Memory: the resolvers' caches,
 * the requests under way (arrival rate times a latency of seconds) and
 * one latency per measured client.
 */
static void
model_estimate(const struct scenario *sc, fc_time_t end, struct budget *b)
{
	double clients = scenario_real(sc, "handover", "arrival_rate") * fc_time_to_sec(end);

	budget_add_events(b, 10 * clients, "[handover] arrival_rate over [run] duration");
	budget_add_bytes(b, (double)scenario_count(sc, "handover", "resolvers") *
				    (1.0 + (double)scenario_count(sc, "handover", "helpers")) *
				    sizeof(struct cache),
			 "[handover] resolvers, helpers");
	budget_add_bytes(b, clients * sizeof(double) +
				    scenario_real(sc, "handover", "arrival_rate") * 10 *
					    sizeof(struct request),
			 "[handover] arrival_rate over [run] duration");
}

const struct model_type handover_model = {
	.name = "handover",
	.check = model_check,
	.estimate = model_estimate,
	.create = model_create,
	.finish = model_finish,
	.destroy = model_destroy,
	.groups = (const char *const[]){ "handover", NULL },
	.headline_entity = "handover",
	.headline_name = "latency_s",
};
