/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The shared world: its links, host placement, link reuse, and several
 * traffic models in one world, built, finished and freed in order. */
#include <glib.h>
#include <gsl/gsl_rng.h>

#include "models/models.h"
#include "models/world/net.h"
#include "models/world/world.h"
#include "sim/autoptr.h"
#include "sim/engine.h"
#include "sim/evq.h"
#include "sim/scenario.h"
#include "tests/testutil.h"

struct fixture {
	struct engine *e;
	struct sim_ctx ctx;
	struct scenario *sc;
};

static void
setup(struct fixture *f, gconstpointer data)
{
	const char *const *sets = data;
	g_autoptr(GError) err = NULL;

	f->e = engine_new(evq_type_find("radix"));
	f->ctx = (struct sim_ctx){ .engine = f->e, .seed = 7, .replication = 0,
				   .end = FC_TIME_NEVER };
	f->sc = scenario_new(&flashcoop_keys);
	for (size_t i = 0; sets && sets[i]; i++)
		g_assert_true(scenario_assign(f->sc, sets[i], "test", &err));
	g_assert_no_error(err);
}

static void
teardown(struct fixture *f, gconstpointer data)
{
	(void)data;
	scenario_free(f->sc);
	engine_free(f->e);
	g_free(f->ctx.failure);
}

static void
flow_done(struct net *n, struct net_flow *fl, void *data, fc_time_t now)
{
	(void)n;
	(void)fl;
	*(fc_time_t *)data = now;
}

/* Flows of two traffic models on one ISP link share it max-min fairly: a
 * web download and a P2P transfer at 5 Mbit/s each on a 10 Mbit/s link,
 * then the survivor at the whole link. */
static const char *const isp_sets[] = { "network.isps=2", "network.isp_link=10Mbit/s", NULL };

static void
test_isps(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) err = NULL;
	struct world *w = world_new(&f->ctx, f->sc, &err);
	struct net *n;
	net_link a, b, path_a[2], path_b[2];
	struct net_flow *fa, *fb;
	fc_time_t done_a = 0, done_b = 0;

	(void)data;
	g_assert_no_error(err);
	n = world_net(w);
	g_assert_cmpuint(world_isps(w), ==, 2);
	g_assert_cmpuint(world_isp_link(w, 0), !=, world_isp_link(w, 1));
	a = world_link_take(w, 100000000);
	b = world_link_take(w, 100000000);
	path_a[0] = a;
	path_b[0] = b;
	path_a[1] = path_b[1] = world_isp_link(w, 1);
	/* 625,000 bytes at 5 Mbit/s: 1 s; then 1,250,000 - 625,000 at 10. */
	fa = net_flow_start(n, path_a, 2, 625000, flow_done, &done_a);
	fb = net_flow_start(n, path_b, 2, 1250000, flow_done, &done_b);
	g_assert_cmpfloat(net_flow_rate(fa), ==, 5e6);
	g_assert_cmpfloat(net_flow_rate(fb), ==, 5e6);
	engine_run(f->e);
	g_assert_cmpuint(done_a, ==, FC_SEC);
	g_assert_cmpuint(done_b, ==, FC_SEC + FC_SEC / 2);
	world_free(w);
}

/* Without a topology every host is at router 0 and placing draws nothing;
 * with one, a host's router is a function of (seed, kind, index) alone. */
static const char *const topo_sets[] = { "network.latency=topology", "network.routers=50", NULL };

static void
test_place_flat(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) err = NULL;
	struct world *w = world_new(&f->ctx, f->sc, &err);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng *copy = gsl_rng_clone(r);

	(void)data;
	g_assert_no_error(err);
	g_assert_cmpuint(world_place(w, "server-router", 3), ==, 0);
	g_assert_cmpuint(world_random_router(w, r), ==, 0);
	g_assert_cmpuint(world_random_isp(w, r), ==, 0);
	g_assert_cmpuint(gsl_rng_get(r), ==, gsl_rng_get(copy));
	g_assert_cmpuint(world_hops(w, 0, 0), ==, 0);
	gsl_rng_free(r);
	gsl_rng_free(copy);
	world_free(w);
}

static void
test_place_topology(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) err = NULL;
	struct world *w = world_new(&f->ctx, f->sc, &err);
	unsigned first[20];
	unsigned distinct = 0;

	(void)data;
	g_assert_no_error(err);
	for (unsigned i = 0; i < 20; i++) {
		first[i] = world_place(w, "server-router", i);
		g_assert_cmpuint(first[i], <, 50);
	}
	/* Placing other hosts in between moves nobody. */
	for (unsigned i = 20; i-- > 0;) {
		(void)world_place(w, "winny-node", i);
		g_assert_cmpuint(world_place(w, "server-router", i), ==, first[i]);
	}
	for (unsigned i = 1; i < 20; i++)
		distinct += first[i] != first[0];
	g_assert_cmpuint(distinct, >, 0);
	g_assert_cmpuint(world_hops(w, first[0], first[0]), ==, 0);
	g_assert_cmpuint(world_hops(w, first[0], first[1]), ==, world_hops(w, first[1], first[0]));
	world_free(w);
}

/* An access link given back is the next one taken, at its new capacity. */
static void
test_links(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) err = NULL;
	struct world *w = world_new(&f->ctx, f->sc, &err);
	net_link a = world_link_take(w, 1000000), b, c;
	struct net_flow *fl;
	fc_time_t done = 0;

	(void)data;
	g_assert_no_error(err);
	world_link_give(w, a);
	b = world_link_take(w, 8000000);
	g_assert_cmpuint(a, ==, b);
	c = world_link_take(w, 8000000);
	g_assert_cmpuint(c, !=, b);
	fl = net_flow_start(world_net(w), &b, 1, 1000000, flow_done, &done);
	g_assert_cmpfloat(net_flow_rate(fl), ==, 8e6);
	engine_run(f->e);
	g_assert_cmpuint(done, ==, FC_SEC);
	world_free(w);
}

/* Two traffic models in one world, and one the scenario does not enable. */
struct trace {
	GString *log;
	bool fail_second;
};

static struct trace the_trace;

static bool
never(const struct scenario *sc)
{
	(void)sc;
	return false;
}

static void *
t_create(struct world *w, const struct scenario *sc, GError **err, char tag)
{
	(void)sc;
	g_string_append_printf(the_trace.log, "create %c;", tag);
	if (tag == 'b' && the_trace.fail_second) {
		g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no such file");
		return NULL;
	}
	g_assert_nonnull(world_net(w));
	return GINT_TO_POINTER(tag);
}

static void *
a_create(struct world *w, const struct scenario *sc, GError **err)
{
	return t_create(w, sc, err, 'a');
}

static void *
b_create(struct world *w, const struct scenario *sc, GError **err)
{
	return t_create(w, sc, err, 'b');
}

static void *
c_create(struct world *w, const struct scenario *sc, GError **err)
{
	return t_create(w, sc, err, 'c');
}

static void
t_finish(void *t, struct sim_ctx *ctx)
{
	(void)ctx;
	g_string_append_printf(the_trace.log, "finish %c;", GPOINTER_TO_INT(t));
}

static void
t_destroy(void *t)
{
	g_string_append_printf(the_trace.log, "destroy %c;", GPOINTER_TO_INT(t));
}

static const struct traffic_type ta = { "a", NULL, NULL, a_create, t_finish, t_destroy, NULL };
static const struct traffic_type tb = { "b", NULL, NULL, b_create, t_finish, t_destroy, NULL };
static const struct traffic_type tc = { "c", never, NULL, c_create, t_finish, t_destroy, NULL };
static const struct traffic_type *const abc[] = { &ta, &tc, &tb, NULL };

static void
test_traffic(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) err = NULL;
	void *m;

	(void)data;
	the_trace.log = g_string_new(NULL);
	the_trace.fail_second = false;
	g_assert_true(world_model_check(abc, f->sc, &err));
	m = world_model_create(abc, &f->ctx, f->sc, &err);
	g_assert_no_error(err);
	g_assert_nonnull(m);
	world_model_finish(m, &f->ctx);
	world_model_destroy(m);
	g_assert_cmpstr(the_trace.log->str, ==,
			"create a;create b;finish a;finish b;destroy b;destroy a;");

	/* The second fails: the first is freed, the error comes out. */
	g_string_truncate(the_trace.log, 0);
	the_trace.fail_second = true;
	m = world_model_create(abc, &f->ctx, f->sc, &err);
	g_assert_null(m);
	g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_assert_cmpstr(the_trace.log->str, ==, "create a;create b;destroy a;");
	g_string_free(the_trace.log, TRUE);
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	g_test_add("/world/isps", struct fixture, isp_sets, setup, test_isps, teardown);
	g_test_add("/world/place-flat", struct fixture, NULL, setup, test_place_flat, teardown);
	g_test_add("/world/place-topology", struct fixture, topo_sets, setup,
		   test_place_topology, teardown);
	g_test_add("/world/links", struct fixture, NULL, setup, test_links, teardown);
	g_test_add("/world/traffic", struct fixture, NULL, setup, test_traffic, teardown);
	return g_test_run();
}
