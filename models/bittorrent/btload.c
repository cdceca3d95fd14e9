/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/bittorrent/btload.h"

#include <math.h>

#include <glib.h>
#include <gsl/gsl_randist.h>

#include "sim/engine.h"
#include "sim/model.h"
#include "models/world/net.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "models/bittorrent/tracker.h"

/* Nanoseconds in a second, for times in seconds as doubles. */
#define NS_PER_SEC 1e9
#define BITS_PER_BYTE 8.0
/* Peers in a tracker answer when the parameters leave it at 0. */
#define DEFAULT_TRACKER_ANSWER 50
/* The fluid model's eta when the parameters leave it at 0: sharing among
 * downloaders as effective as seeding, Qiu and Srikant's many pieces. */
#define SHARING_EFFECTIVENESS 1

struct lpeer {
	struct btload *b;
	struct swarm_peer *sp;
	uint64_t id;
	fc_time_t joined;
	engine_event leave_ev;    /* abort while downloading, departure after */
	net_link up, down;
	guint pos;                /* in b->present */
	bool seed;
};

struct btload {
	const struct btload_params *p;
	struct engine *e;
	struct recorder *rec;
	struct net *net;
	struct rng_stream tracker_rs, arrivals;
	struct tracker *tr;
	struct swarm *s;
	uint32_t torrent;
	GPtrArray *present;       /* struct lpeer, not the initial seeds */
	GArray *free_links;       /* net_link pairs of departed peers */
	uint64_t next_id, arrived;
	/* Time averages: integrals of x and y since the warm-up. */
	fc_time_t t_last;
	double x_int, y_int;
	size_t x, y;
	double dl_sum, sojourn_sum;
	uint64_t joined, completed, aborted, all_completed, sojourns;
	struct rec_vector *v_x, *v_y;
	struct rec_stat *st_dl;
};

void
btload_fluid(const struct btload_params *p, struct fluid_params *out)
{
	double file_bits = BITS_PER_BYTE * (double)p->file_bytes;

	*out = (struct fluid_params){
		.lambda = p->arrival_rate,
		.mu = (double)p->upload_bps / file_bits,
		.c = (double)p->download_bps / file_bits,
		.theta = p->abort_rate,
		.gamma = NS_PER_SEC / (double)p->seeding_time,
		.eta = p->eta > 0 ? p->eta : SHARING_EFFECTIVENESS,
		.sigma = (double)p->initial_seeds * (double)p->initial_seed_bps / file_bits,
	};
}

/* Moves the integrals of x and y up to now. */
static void
integrate(struct btload *b, fc_time_t now)
{
	if (now > b->p->warmup) {
		fc_time_t from = MAX(b->t_last, b->p->warmup);

		if (now > from) {
			b->x_int += (double)b->x * (double)(now - from) / NS_PER_SEC;
			b->y_int += (double)b->y * (double)(now - from) / NS_PER_SEC;
		}
	}
	b->t_last = now;
}

static void
leave(struct engine *e, void *data, fc_time_t now)
{
	struct lpeer *lp = data;
	struct btload *b = lp->b;
	struct lpeer *last;

	(void)e;
	lp->leave_ev = 0;
	integrate(b, now);
	if (lp->seed) {
		b->y--;
	} else {
		b->x--;
		if (now >= b->p->warmup) {
			b->aborted++;
			b->sojourn_sum += fc_time_to_sec(now - lp->joined);
			b->sojourns++;
		}
	}
	swarm_leave(b->s, lp->sp);
	/* Its links carry nothing now: they serve the next peer. */
	g_array_append_val(b->free_links, lp->up);
	g_array_append_val(b->free_links, lp->down);
	last = b->present->pdata[b->present->len - 1];
	b->present->pdata[lp->pos] = last;
	last->pos = lp->pos;
	g_ptr_array_set_size(b->present, b->present->len - 1);
	g_free(lp);
}

static void
on_complete(struct swarm_peer *sp, void *data, fc_time_t now)
{
	struct lpeer *lp = data;
	struct btload *b = lp->b;
	struct rng_stream rs;
	fc_time_t stay;

	(void)sp;
	integrate(b, now);
	b->x--;
	b->y++;
	lp->seed = true;
	b->all_completed++;
	if (now >= b->p->warmup) {
		double t = fc_time_to_sec(now - lp->joined);

		b->completed++;
		b->dl_sum += t;
		b->sojourn_sum += t;
		b->sojourns++;
		rec_stat_add(b->st_dl, t);
	}
	engine_cancel(b->e, lp->leave_ev);
	rng_stream_init(&rs, b->p->seed, b->p->replication, "bt-seeding", lp->id);
	stay = b->p->seeding_exponential ?
	       rng_time_from_ns(gsl_ran_exponential(rng_stream_gsl(&rs), 1.0) *
			   (double)b->p->seeding_time) :
	       b->p->seeding_time;
	lp->leave_ev = engine_schedule(b->e, stay, leave, lp);
}

static const struct swarm_hooks load_hooks = { NULL, on_complete };

static void
link_pair(struct btload *b, net_link *up, net_link *down)
{
	if (b->free_links->len >= 2) {
		*down = g_array_index(b->free_links, net_link, b->free_links->len - 1);
		*up = g_array_index(b->free_links, net_link, b->free_links->len - 2);
		g_array_set_size(b->free_links, b->free_links->len - 2);
		net_link_set(b->net, *up, b->p->upload_bps);
		net_link_set(b->net, *down, b->p->download_bps);
	} else {
		*up = net_link_add(b->net, b->p->upload_bps);
		*down = net_link_add(b->net, b->p->download_bps);
	}
}

static void
arrive(struct engine *e, void *data, fc_time_t now)
{
	struct btload *b = data;
	struct lpeer *lp = g_new0(struct lpeer, 1);
	double gap = gsl_ran_exponential(rng_stream_gsl(&b->arrivals), 1.0 / b->p->arrival_rate);

	/* The next arrival at least a nanosecond later: one at a time. */
	if (b->p->max_peers == 0 || ++b->arrived < b->p->max_peers)
		engine_schedule(e, fc_time_add(rng_time_from_ns(gap * NS_PER_SEC), FC_NSEC),
				arrive, b);
	integrate(b, now);
	lp->b = b;
	lp->id = b->next_id++;
	lp->joined = now;
	lp->pos = b->present->len;
	g_ptr_array_add(b->present, lp);
	b->x++;
	if (now >= b->p->warmup)
		b->joined++;
	if (b->p->abort_rate > 0) {
		struct rng_stream rs;

		rng_stream_init(&rs, b->p->seed, b->p->replication, "bt-abort", lp->id);
		lp->leave_ev = engine_schedule(
			e, rng_time_from_ns(gsl_ran_exponential(rng_stream_gsl(&rs),
							 1.0 / b->p->abort_rate) * NS_PER_SEC),
			leave, lp);
	}
	link_pair(b, &lp->up, &lp->down);
	lp->sp = swarm_join(b->s, b->torrent, lp->id, &lp->up, 1, &lp->down, 1, false,
			    &load_hooks, lp);
}

static void
sample(struct engine *e, void *data, fc_time_t now)
{
	struct btload *b = data;

	rec_vector_add(b->v_x, now, (double)b->x);
	rec_vector_add(b->v_y, now, (double)b->y);
	if (fc_time_add(now, b->p->sample_interval) < b->p->end)
		engine_schedule(e, b->p->sample_interval, sample, b);
}

static void
tracker_down_ev(struct engine *e, void *data, fc_time_t now)
{
	struct btload *b = data;

	(void)e;
	rec_event(b->rec, now, "tracker", "down", "for %.0f s",
		  fc_time_to_sec(b->p->tracker_down_for));
}

/* The workload on engine e (clock at 0), recording into rec (may be NULL). */
static struct btload *
btload_new(const struct btload_params *p, struct engine *e, struct recorder *rec)
{
	struct btload *b = g_new0(struct btload, 1);
	struct swarm_config c = p->swarm;

	b->p = p;
	b->e = e;
	b->rec = rec;
	b->net = net_new(e);
	rng_stream_init(&b->tracker_rs, p->seed, p->replication, "bt-tracker", 0);
	rng_stream_init(&b->arrivals, p->seed, p->replication, "bt-arrivals", 0);
	b->tr = tracker_new(&b->tracker_rs,
			    p->tracker_answer ? p->tracker_answer : DEFAULT_TRACKER_ANSWER);
	if (p->tracker_down_for > 0) {
		tracker_set_down(b->tr, p->tracker_down_from,
				 fc_time_add(p->tracker_down_from, p->tracker_down_for));
		engine_schedule_at(e, p->tracker_down_from, tracker_down_ev, b);
	}
	c.master_seed = p->seed;
	c.replication = p->replication;
	b->s = swarm_new(e, b->net, b->tr, &c);
	b->torrent = swarm_torrent_add(b->s, p->file_bytes);
	b->present = g_ptr_array_new();
	b->free_links = g_array_new(FALSE, FALSE, sizeof(net_link));
	b->v_x = rec_vector_new(rec, "swarm", "downloaders");
	b->v_y = rec_vector_new(rec, "swarm", "seeds");
	b->st_dl = rec_stat_new(rec, "swarm", "download_time");
	/* Initial seeds take ids from the top so that arrivals number 0, 1... */
	for (unsigned i = 0; i < p->initial_seeds; i++) {
		net_link up = net_link_add(b->net, p->initial_seed_bps);
		net_link down = net_link_add(b->net, p->download_bps);

		swarm_join(b->s, b->torrent, UINT64_MAX - i, &up, 1, &down, 1, true, NULL, NULL);
	}
	engine_schedule(e, rng_time_from_ns(gsl_ran_exponential(rng_stream_gsl(&b->arrivals),
							  1.0 / p->arrival_rate) * NS_PER_SEC),
			arrive, b);
	if (p->sample_interval > 0)
		engine_schedule_at(e, p->warmup, sample, b);
	return b;
}

/* Accepts NULL. */
static void
btload_free(struct btload *b)
{
	if (!b)
		return;
	swarm_free(b->s);
	for (guint i = 0; i < b->present->len; i++)
		g_free(b->present->pdata[i]);
	g_ptr_array_unref(b->present);
	g_array_unref(b->free_links);
	net_free(b->net);
	tracker_free(b->tr);
	g_free(b);
}

/* Results once the engine has run to p->end; asserts byte conservation. */
static void
btload_result(struct btload *b, struct btload_result *out)
{
	fc_time_t now = engine_now(b->e);
	double span = fc_time_to_sec(now - MIN(now, b->p->warmup));

	integrate(b, now);
	swarm_check(b->s);
	*out = (struct btload_result){
		.downloaders_mean = span > 0 ? b->x_int / span : 0,
		.seeds_mean = span > 0 ? b->y_int / span : 0,
		.download_time_mean = b->completed ? b->dl_sum / (double)b->completed : 0,
		.sojourn_mean = b->sojourns ? b->sojourn_sum / (double)b->sojourns : 0,
		.joined = b->joined,
		.completed = b->completed,
		.aborted = b->aborted,
		.all_completed = b->all_completed,
		.bytes = swarm_bytes(b->s),
		.net_delivered = net_bytes_delivered(b->net),
	};
	g_assert_cmpuint(out->bytes.sent, ==, out->net_delivered);
}

void
btload_simulate(const struct btload_params *p, struct btload_result *out)
{
	struct engine *e = engine_new(NULL);
	struct btload *b = btload_new(p, e, NULL);

	engine_run_until(e, p->end);
	btload_result(b, out);
	btload_free(b);
	engine_free(e);
}

/* ---- The model as a scenario runs it ([run] model = swarm). ---- */

struct load_model {
	struct btload_params p;
	struct btload *b;
};

static void *
model_create(struct sim_ctx *ctx, const struct scenario *sc, GError **err)
{
	struct load_model *m = g_new0(struct load_model, 1);
	struct btload_params *p = &m->p;
	struct swarm_tracker_config tc;

	(void)err;
	swarm_tracker_config_read(&tc, sc);
	*p = (struct btload_params){
		.arrival_rate = scenario_real(sc, "swarm", "arrival_rate"),
		.max_peers = scenario_count(sc, "swarm", "peers"),
		.file_bytes = scenario_size(sc, "swarm", "file_size"),
		.upload_bps = scenario_rate(sc, "swarm", "upload"),
		.download_bps = scenario_rate(sc, "swarm", "download"),
		.seeding_time = scenario_duration(sc, "swarm", "seeding_time"),
		.seeding_exponential = scenario_enum(sc, "swarm", "seeding_distribution") ==
				       BTLOAD_SEEDING_EXPONENTIAL,
		.abort_rate = scenario_real(sc, "swarm", "abort_rate"),
		.initial_seeds = (unsigned)scenario_count(sc, "swarm", "initial_seeds"),
		.initial_seed_bps = scenario_rate(sc, "swarm", "initial_seed_upload"),
		.tracker_answer = tc.answer,
		.tracker_down_from = tc.down_at,
		.tracker_down_for = tc.down_for,
		.warmup = ctx->warmup,
		.end = ctx->end,
		.sample_interval = scenario_duration(sc, "swarm", "sample_interval"),
		.seed = ctx->seed,
		.replication = ctx->replication,
	};
	swarm_config_read(&p->swarm, sc);
	m->b = btload_new(p, ctx->engine, ctx->rec);
	return m;
}

static void
model_finish(void *data, struct sim_ctx *ctx)
{
	struct load_model *m = data;
	struct btload_result r;
	struct fluid_params fp;
	struct fluid_state eq;

	btload_result(m->b, &r);
	btload_fluid(&m->p, &fp);
	fluid_equilibrium(&fp, &eq);
	rec_scalar(ctx->rec, "swarm", "downloaders_mean", r.downloaders_mean);
	rec_scalar(ctx->rec, "swarm", "seeds_mean", r.seeds_mean);
	rec_scalar(ctx->rec, "swarm", "download_time_mean", r.download_time_mean);
	rec_scalar(ctx->rec, "swarm", "sojourn_mean", r.sojourn_mean);
	rec_scalar(ctx->rec, "swarm", "joined", (double)r.joined);
	rec_scalar(ctx->rec, "swarm", "completed", (double)r.completed);
	rec_scalar(ctx->rec, "swarm", "aborted", (double)r.aborted);
	rec_scalar(ctx->rec, "swarm", "bytes_sent", (double)r.bytes.sent);
	rec_scalar(ctx->rec, "swarm", "bytes_in_pieces", (double)r.bytes.pieces);
	rec_scalar(ctx->rec, "swarm", "bytes_wasted", (double)r.bytes.wasted);
	rec_scalar(ctx->rec, "fluid", "downloaders_mean", eq.downloaders);
	rec_scalar(ctx->rec, "fluid", "seeds_mean", eq.seeds);
	rec_scalar(ctx->rec, "fluid", "sojourn_mean", eq.download_time);
	rec_scalar(ctx->rec, "fluid", "upload_limited", eq.upload_limited);
}

static void
model_destroy(void *data)
{
	struct load_model *m = data;

	if (!m)
		return;
	btload_free(m->b);
	g_free(m);
}

static gboolean
model_check(const struct scenario *sc, GError **err)
{
	return swarm_config_check(sc, scenario_size(sc, "swarm", "file_size"), err);
}

/*
 * Events: each downloader's blocks and periodic events while it stays (its
 * download at the smaller of its links, then its seeding time), the
 * initial seeds' periodic events, and the samples.  Memory: the peers
 * present at once (Little's law), each with its pieces and connections.
 */
static void
model_estimate(const struct scenario *sc, fc_time_t end, struct budget *b)
{
	double t = fc_time_to_sec(end);
	double lambda = scenario_real(sc, "swarm", "arrival_rate");
	uint64_t bytes = scenario_size(sc, "swarm", "file_size");
	double link = (double)MIN(scenario_rate(sc, "swarm", "upload"),
				  scenario_rate(sc, "swarm", "download"));
	double stay = MIN(t, (double)bytes * 8 / link +
			  fc_time_to_sec(scenario_duration(sc, "swarm", "seeding_time")));
	double peers = lambda * t, seeds = (double)scenario_count(sc, "swarm", "initial_seeds");
	fc_time_t si = scenario_duration(sc, "swarm", "sample_interval");

	if (scenario_count(sc, "swarm", "peers"))
		peers = MIN(peers, (double)scenario_count(sc, "swarm", "peers"));
	budget_add_events(b, peers * swarm_estimate_peer_events(sc, bytes, stay),
			  "[swarm] arrival_rate, peers, file_size, [bittorrent] piece_size, "
			  "block_size, request_blocks over [run] duration");
	budget_add_events(b, seeds * swarm_estimate_peer_events(sc, 0, t),
			  "[swarm] initial_seeds over [run] duration");
	if (si)
		budget_add_events(b, (double)end / (double)si,
				  "[swarm] sample_interval over [run] duration");
	budget_add_bytes(b, (MIN(peers, lambda * stay) + seeds) *
			 swarm_estimate_peer_bytes(sc, bytes),
			 "[swarm] arrival_rate, file_size, initial_seeds, "
			 "[bittorrent] piece_size, connections");
}

const struct model_type btload_model = {
	.name = "swarm",
	.check = model_check,
	.estimate = model_estimate,
	.create = model_create,
	.finish = model_finish,
	.destroy = model_destroy,
	.groups = (const char *const[]){ "swarm", "bittorrent", NULL },
	.headline_entity = "swarm",
	.headline_name = "download_time_mean",
};

const struct fc_enum_name btload_seeding_names[] = {
	{ "exponential", BTLOAD_SEEDING_EXPONENTIAL },
	{ "constant", BTLOAD_SEEDING_CONSTANT },
	{ NULL, 0 },
};
