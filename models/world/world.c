/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/world/world.h"

#include <string.h>

#include <gsl/gsl_rng.h>

#include "models/world/topology.h"
#include "sim/rng.h"

struct world {
	struct sim_ctx *ctx;
	struct engine *e;
	struct net *net;
	struct topology *topo; /* NULL: access latencies only */
	net_link *isp;         /* the ISPs' shared links */
	size_t nisps;
	GArray *free_links;    /* access links given back, reused */
};

struct world *
world_new(struct sim_ctx *ctx, const struct scenario *sc, GError **err)
{
	struct world *w = g_new0(struct world, 1);

	w->ctx = ctx;
	w->e = ctx->engine;
	w->net = net_new(w->e);
	w->free_links = g_array_new(FALSE, FALSE, sizeof(net_link));
	if (scenario_enum(sc, "network", "latency") == WORLD_LATENCY_TOPOLOGY) {
		struct rng_stream ts;

		rng_stream_init(&ts, ctx->seed, ctx->replication, "topology", 0);
		w->topo = topology_new(scenario_enum(sc, "network", "generator"),
				       (unsigned)scenario_count(sc, "network", "routers"),
				       (unsigned)scenario_count(sc, "network", "degree"),
				       scenario_ratio(sc, "network", "rewire"),
				       scenario_duration(sc, "network", "hop_delay"),
				       gsl_rng_get(rng_stream_gsl(&ts)), err);
		if (!w->topo) {
			g_prefix_error(err, "%s: [network] generator: ",
				       scenario_where(sc, "network", "generator"));
			world_free(w);
			return NULL;
		}
	}
	w->nisps = scenario_count(sc, "network", "isps");
	w->isp = g_new(net_link, MAX(w->nisps, 1u));
	for (size_t i = 0; i < w->nisps; i++)
		w->isp[i] = net_link_add(w->net, scenario_rate(sc, "network", "isp_link"));
	return w;
}

void
world_free(struct world *w)
{
	if (!w)
		return;
	topology_free(w->topo);
	g_free(w->isp);
	net_free(w->net);
	g_array_unref(w->free_links);
	g_free(w);
}

struct sim_ctx *
world_ctx(const struct world *w)
{
	return w->ctx;
}

struct engine *
world_engine(const struct world *w)
{
	return w->e;
}

struct net *
world_net(const struct world *w)
{
	return w->net;
}

size_t
world_isps(const struct world *w)
{
	return w->nisps;
}

net_link
world_isp_link(const struct world *w, size_t i)
{
	g_assert(i < w->nisps);
	return w->isp[i];
}

unsigned
world_place(const struct world *w, const char *kind, uint64_t index)
{
	struct rng_stream rs;

	if (!w->topo)
		return 0;
	rng_stream_init(&rs, w->ctx->seed, w->ctx->replication, kind, index);
	return (unsigned)gsl_rng_uniform_int(rng_stream_gsl(&rs), topology_routers(w->topo));
}

unsigned
world_random_router(const struct world *w, gsl_rng *r)
{
	return w->topo ? (unsigned)gsl_rng_uniform_int(r, topology_routers(w->topo)) : 0;
}

size_t
world_random_isp(const struct world *w, gsl_rng *r)
{
	return w->nisps ? (size_t)gsl_rng_uniform_int(r, w->nisps) : 0;
}

fc_time_t
world_hops(const struct world *w, unsigned a, unsigned b)
{
	return w->topo ? topology_delay(w->topo, a, b) : 0;
}

net_link
world_link_take(struct world *w, uint64_t bps)
{
	net_link l;

	if (!w->free_links->len)
		return net_link_add(w->net, bps);
	l = g_array_index(w->free_links, net_link, w->free_links->len - 1);
	g_array_set_size(w->free_links, w->free_links->len - 1);
	net_link_set(w->net, l, bps);
	return l;
}

void
world_link_give(struct world *w, net_link l)
{
	g_array_append_val(w->free_links, l);
}

/* ---- A world and its traffic models, as one model of the run driver ---- */

struct world_model {
	struct world *world;
	GPtrArray *traffic; /* one instance per enabled type, in order */
	GPtrArray *of;      /* its type */
};

static bool
enabled(const struct traffic_type *t, const struct scenario *sc)
{
	return !t->enabled || t->enabled(sc);
}

gboolean
world_model_check(const struct traffic_type *const *types, const struct scenario *sc,
		  GError **err)
{
	/*
	 * An Erdős–Rényi graph of n routers and n * degree / 2 links is
	 * connected only with n - 1 links or more, and has room for
	 * n (n - 1) / 2 at most: outside that the topology would fail as the
	 * run starts, so it is refused here, before a sweep runs anything.
	 * (Within it, whether a drawn graph is connected depends on the seed;
	 * the run says so when it is not.)
	 */
	if (scenario_enum(sc, "network", "latency") == WORLD_LATENCY_TOPOLOGY &&
	    scenario_enum(sc, "network", "generator") == TOPOLOGY_ERDOS_RENYI) {
		uint64_t n = scenario_count(sc, "network", "routers");
		uint64_t degree = scenario_count(sc, "network", "degree");

		if (degree < 2 || degree > n - 1)
			return scenario_invalid(sc, err, "network", "degree",
						"generator = erdos_renyi with %" G_GUINT64_FORMAT
						" routers needs a mean degree from 2 to %"
						G_GUINT64_FORMAT ", found %" G_GUINT64_FORMAT,
						n, n - 1, degree);
	}
	for (size_t i = 0; types[i]; i++)
		if (enabled(types[i], sc) && types[i]->check && !types[i]->check(sc, err))
			return FALSE;
	return TRUE;
}

gboolean
world_model_reads_group(const struct traffic_type *const *types, const char *group)
{
	/* The world's own group: links, ISPs, latencies, the topology. */
	if (strcmp(group, "network") == 0)
		return TRUE;
	for (size_t i = 0; types[i]; i++)
		for (size_t j = 0; types[i]->groups && types[i]->groups[j]; j++)
			if (strcmp(types[i]->groups[j], group) == 0)
				return TRUE;
	return FALSE;
}

void
world_model_warn(const struct traffic_type *const *types, const struct scenario *sc,
		 GPtrArray *warnings)
{
	if (scenario_enum(sc, "network", "latency") != WORLD_LATENCY_TOPOLOGY) {
		static const char *const topo[] = { "generator", "routers", "degree",
						    "rewire", "hop_delay" };

		for (size_t i = 0; i < G_N_ELEMENTS(topo); i++)
			scenario_warn_if_set(sc, warnings, "network", topo[i],
					     "[network] latency is %s, not topology",
					     scenario_choice(sc, "network", "latency"));
	}
	if (scenario_count(sc, "network", "isps") == 0)
		scenario_warn_if_set(sc, warnings, "network", "isp_link",
				     "[network] isps is 0");
	for (size_t i = 0; types[i]; i++)
		if (enabled(types[i], sc) && types[i]->warn)
			types[i]->warn(sc, warnings);
}

void
world_model_estimate(const struct traffic_type *const *types, const struct scenario *sc,
		     fc_time_t end, struct budget *b)
{
	if (scenario_enum(sc, "network", "latency") == WORLD_LATENCY_TOPOLOGY) {
		double routers = (double)scenario_count(sc, "network", "routers");

		/* Hops as 16 bits, and igraph's distance matrix while they
		 * are computed. */
		budget_add_bytes(b, routers * routers * (sizeof(uint16_t) + sizeof(double)),
				 "[network] routers");
	}
	for (size_t i = 0; types[i]; i++)
		if (enabled(types[i], sc) && types[i]->estimate)
			types[i]->estimate(sc, end, b);
}

void *
world_model_create(const struct traffic_type *const *types, struct sim_ctx *ctx,
		   const struct scenario *sc, GError **err)
{
	struct world_model *m = g_new0(struct world_model, 1);

	m->traffic = g_ptr_array_new();
	m->of = g_ptr_array_new();
	m->world = world_new(ctx, sc, err);
	if (!m->world) {
		world_model_destroy(m);
		return NULL;
	}
	for (size_t i = 0; types[i]; i++) {
		void *t;

		if (!enabled(types[i], sc))
			continue;
		t = types[i]->create(m->world, sc, err);
		if (!t) {
			world_model_destroy(m);
			return NULL;
		}
		g_ptr_array_add(m->traffic, t);
		g_ptr_array_add(m->of, (gpointer)types[i]);
	}
	return m;
}

void
world_model_finish(void *model, struct sim_ctx *ctx)
{
	struct world_model *m = model;
	struct net *n = m->world->net;

	for (guint i = 0; i < m->traffic->len; i++) {
		const struct traffic_type *t = m->of->pdata[i];

		t->finish(m->traffic->pdata[i], ctx);
	}
	rec_scalar(ctx->rec, "all", "bytes_delivered", (double)net_bytes_delivered(n));
	/* The cost of the flow model: rate recomputations, flows re-rated. */
	rec_scalar(ctx->rec, "network", "recomputations", (double)net_recomputations(n));
	rec_scalar(ctx->rec, "network", "flows_rated", (double)net_flows_rated(n));
}

void
world_model_destroy(void *model)
{
	struct world_model *m = model;

	if (!m)
		return;
	/* Traffic models first, last created first: they let go of their
	 * flows and links before the network goes. */
	for (guint i = m->traffic->len; i-- > 0;) {
		const struct traffic_type *t = m->of->pdata[i];

		t->destroy(m->traffic->pdata[i]);
	}
	g_ptr_array_unref(m->traffic);
	g_ptr_array_unref(m->of);
	world_free(m->world);
	g_free(m);
}

const struct fc_enum_name world_latency_names[] = {
	{ "access", WORLD_LATENCY_ACCESS }, { "topology", WORLD_LATENCY_TOPOLOGY }, { NULL, 0 },
};
