/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The testbed's plan: the web model built on an engine that never runs,
 * then its arrival streams drawn again from their start, in the order the
 * engine would have run them, and each client drawn by the model's own
 * web_visit_draw().
 */
#include "models/web/plan.h"

#include <string.h>

#include "models/web/internal.h"
#include "sim/evq.h"

/* The next arrival at the cooperators' own sites, as web_other_arrival()
 * draws it: the site, then the gap to the one after. */
static uint32_t
other_site(struct web *w)
{
	return 1 + (uint32_t)gsl_rng_uniform_int(rng_stream_gsl(&w->others_rng), w->nservers - 1);
}

static void
plan_add(struct web *w, GArray *visits, fc_time_t t, uint32_t site)
{
	struct visit v = { 0 };
	struct web_plan_visit pv;

	v.id = w->next_client++;
	web_visit_draw(w, &v, site);
	pv = (struct web_plan_visit){
		.start = t,
		.id = v.id,
		.site = site,
		.page = (uint32_t)v.page,
		.bittorrent = v.wants_bt,
		.counted = t >= w->ctx->warmup,
	};
	g_array_append_val(visits, pv);
}

static void
plan_sites(struct web_plan *p, const struct web *w)
{
	p->sites = g_new0(struct web_plan_site, w->nservers);
	for (unsigned i = 0; i < w->nservers; i++) {
		const struct site *st = &w->sites[i];
		struct web_plan_site *ps = &p->sites[i];

		ps->npages = st->npages;
		ps->bytes = st->bytes;
		ps->pages = g_new0(struct web_plan_page, st->npages);
		for (size_t k = 0; k < st->npages; k++) {
			ps->pages[k].n = st->pages[k].n;
			ps->pages[k].bytes = g_memdup2(st->pages[k].objects,
						       st->pages[k].n * sizeof(uint64_t));
		}
	}
}

/*
 * The arrivals of [0, end): the flash crowd's and the other sites', merged
 * in time order.  At equal times the engine runs the event scheduled first;
 * the two streams' first events are scheduled flash first, and a tie
 * between two nanosecond draws is left to that order.
 */
static void
plan_visits(struct web_plan *p, struct web *w)
{
	g_autoptr(GArray) visits = g_array_new(FALSE, FALSE, sizeof(struct web_plan_visit));
	fc_time_t end = w->ctx->end;
	fc_time_t flash, other = FC_TIME_NEVER;

	rng_stream_init(&w->arrivals_rng, w->ctx->seed, w->ctx->replication, "flash-arrivals", 0);
	rng_stream_init(&w->others_rng, w->ctx->seed, w->ctx->replication, "other-arrivals", 0);
	flash = arrivals_next(w->flash, &w->arrivals_rng, 0);
	if (w->other_rate > 0 && w->nservers > 1)
		other = web_other_gap(w);
	for (;;) {
		bool take_flash = flash < end && flash <= other;

		if (take_flash) {
			plan_add(w, visits, flash, 0);
			flash = arrivals_next(w->flash, &w->arrivals_rng, flash);
		} else if (other < end) {
			plan_add(w, visits, other, other_site(w));
			other = fc_time_add(other, web_other_gap(w));
		} else {
			break;
		}
	}
	p->nvisits = visits->len;
	p->visits = (struct web_plan_visit *)(void *)g_array_free(g_steal_pointer(&visits), FALSE);
}

struct web_plan *
web_plan_new(const struct scenario *sc, uint64_t replication, GError **err)
{
	struct sim_ctx ctx = {
		.seed = (uint64_t)scenario_count(sc, "run", "seed"),
		.replication = replication,
		.warmup = scenario_duration(sc, "run", "warmup"),
	};
	struct world *world;
	struct web *w;
	struct web_plan *p;

	ctx.end = fc_time_add(ctx.warmup, scenario_duration(sc, "run", "duration"));
	ctx.engine = engine_new(NULL);
	world = world_new(&ctx, sc, err);
	if (!world) {
		engine_free(ctx.engine);
		return NULL;
	}
	w = web_traffic.create(world, sc, err);
	if (!w) {
		world_free(world);
		engine_free(ctx.engine);
		return NULL;
	}
	p = g_new0(struct web_plan, 1);
	p->seed = ctx.seed;
	p->replication = replication;
	p->warmup = ctx.warmup;
	p->end = ctx.end;
	p->nservers = w->nservers;
	p->node = w->node_cfg;
	p->keys = g_memdup2(w->keys, (size_t)w->nservers * w->nservers * sizeof *w->keys);
	plan_sites(p, w);
	plan_visits(p, w);
	web_traffic.destroy(w);
	world_free(world);
	engine_free(ctx.engine);
	return p;
}

void
web_plan_free(struct web_plan *p)
{
	if (!p)
		return;
	for (unsigned i = 0; p->sites && i < p->nservers; i++) {
		for (size_t k = 0; k < p->sites[i].npages; k++)
			g_free(p->sites[i].pages[k].bytes);
		g_free(p->sites[i].pages);
	}
	g_free(p->sites);
	g_free(p->visits);
	g_free(p->keys);
	g_free(p);
}

const uint8_t *
web_plan_key(const struct web_plan *p, unsigned i, unsigned j)
{
	g_return_val_if_fail(i < p->nservers && j < p->nservers && i != j, NULL);
	return p->keys[MIN(i, j) * p->nservers + MAX(i, j)];
}
