/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Every pending-event set against a reference model (a linear scan for the
 * least (time, push order)), on random workloads that keep the queue's
 * contract: pushes never earlier than the last pop, many ties, time spans
 * from nanoseconds to centuries so that every level of the radix queue is
 * used, pops with limits, and purges.
 */
#include <glib.h>

#include "sim/evq.h"
#include "tests/testutil.h"

struct ref_entry {
	fc_time_t t;
	uint64_t seq;
	uint64_t ref;
};

struct ref_model {
	GArray *v; /* of struct ref_entry */
	uint64_t seq;
};

static void
model_push(struct ref_model *m, fc_time_t t, uint64_t ref)
{
	struct ref_entry e = { t, m->seq++, ref };

	g_array_append_val(m->v, e);
}

static bool
model_pop(struct ref_model *m, fc_time_t limit, fc_time_t *t, uint64_t *ref)
{
	guint best = G_MAXUINT;

	for (guint i = 0; i < m->v->len; i++) {
		struct ref_entry *e = &g_array_index(m->v, struct ref_entry, i);
		struct ref_entry *b;

		if (best == G_MAXUINT) {
			best = i;
			continue;
		}
		b = &g_array_index(m->v, struct ref_entry, best);
		if (e->t < b->t || (e->t == b->t && e->seq < b->seq))
			best = i;
	}
	if (best == G_MAXUINT ||
	    g_array_index(m->v, struct ref_entry, best).t > limit)
		return false;
	*t = g_array_index(m->v, struct ref_entry, best).t;
	*ref = g_array_index(m->v, struct ref_entry, best).ref;
	g_array_remove_index(m->v, best);
	return true;
}

static bool
keep_not_multiple(void *ctx, uint64_t ref)
{
	return ref % *(uint64_t *)ctx != 0;
}

static void
model_purge(struct ref_model *m, uint64_t mod)
{
	for (guint i = m->v->len; i-- > 0;)
		if (g_array_index(m->v, struct ref_entry, i).ref % mod == 0)
			g_array_remove_index(m->v, i);
}

/* A delay whose magnitude is itself random: 0, small, or up to 2^62 ns. */
static fc_time_t
random_delay(GRand *r)
{
	switch (g_rand_int_range(r, 0, 8)) {
	case 0:
		return 0;
	case 1:
		return (fc_time_t)g_rand_int_range(r, 0, 4);
	case 2:
		return (fc_time_t)g_rand_int_range(r, 0, 300);
	case 3:
		return (fc_time_t)g_rand_int_range(r, 0, 70000);
	case 4:
		return ((fc_time_t)g_rand_int(r) << 30) >> g_rand_int_range(r, 0, 62);
	default:
		return (fc_time_t)g_rand_int_range(r, 0, 2000000);
	}
}

static void
test_against_model(gconstpointer data)
{
	const struct evq_type *qt = data;

	for (guint32 seed = 1; seed <= 10; seed++) {
		GRand *r = g_rand_new_with_seed(seed);
		struct ref_model m = { g_array_new(FALSE, FALSE, sizeof(struct ref_entry)), 0 };
		void *q = qt->create();
		fc_time_t now = 0;
		uint64_t next_ref = 1;
		int push_pct = 50 + 2 * (int)(seed % 3);

		for (int op = 0; op < 20000; op++) {
			int what = g_rand_int_range(r, 0, 1000);

			if (what < 10 * push_pct) {
				fc_time_t t = now + random_delay(r);

				qt->push(q, t, next_ref);
				model_push(&m, t, next_ref);
				next_ref++;
			} else if (what < 995) {
				fc_time_t limit = g_rand_boolean(r) ? FC_TIME_NEVER
						  : now + random_delay(r);
				fc_time_t t1 = 0, t2 = 0;
				uint64_t r1 = 0, r2 = 0;
				bool ok1 = qt->pop(q, limit, &t1, &r1);
				bool ok2 = model_pop(&m, limit, &t2, &r2);

				g_assert_cmpint(ok1, ==, ok2);
				if (ok1) {
					g_assert_cmpuint(t1, ==, t2);
					g_assert_cmpuint(r1, ==, r2);
					now = t1;
				} else if (limit != FC_TIME_NEVER && limit > now) {
					/* As the engine does: the clock goes to the limit. */
					now = limit;
				}
			} else {
				uint64_t mod = (uint64_t)g_rand_int_range(r, 2, 5);

				qt->purge(q, keep_not_multiple, &mod);
				model_purge(&m, mod);
			}
			g_assert_cmpuint(qt->size(q), ==, m.v->len);
		}
		qt->destroy(q);
		g_array_free(m.v, TRUE);
		g_rand_free(r);
	}
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	for (size_t i = 0; evq_types[i]; i++) {
		char *path = g_strdup_printf("/evq/%s/against-model", evq_types[i]->name);

		g_test_add_data_func(path, evq_types[i], test_against_model);
		g_free(path);
	}
	return g_test_run();
}
