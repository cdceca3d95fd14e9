/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/bittorrent/tracker.h"

#include <gsl/gsl_rng.h>

#include "sim/hash.h"

/* Peers are hash keys by value. */
G_STATIC_ASSERT(sizeof(gpointer) >= sizeof(uint64_t));
#define KEY(peer) ((gpointer)(uintptr_t)(peer))

struct entry {
	uint64_t peer;
	bool seed;
};

struct tswarm {
	GArray *peers;        /* struct entry; order changes on removal */
	GHashTable *index;    /* peer -> position + 1 */
	size_t seeds;
};

struct tracker {
	struct rng_stream *rng;
	unsigned max_peers;
	GHashTable *swarms;   /* torrent -> struct tswarm */
	fc_time_t down_from, down_until;
};

static void
tswarm_free(gpointer p)
{
	struct tswarm *s = p;

	g_array_unref(s->peers);
	g_hash_table_unref(s->index);
	g_free(s);
}

struct tracker *
tracker_new(struct rng_stream *s, unsigned max_peers)
{
	struct tracker *t = g_new0(struct tracker, 1);

	t->rng = s;
	t->max_peers = max_peers;
	t->swarms = g_hash_table_new_full(sim_hash_direct, g_direct_equal, NULL, tswarm_free);
	return t;
}

void
tracker_free(struct tracker *t)
{
	if (!t)
		return;
	g_hash_table_unref(t->swarms);
	g_free(t);
}

void
tracker_set_down(struct tracker *t, fc_time_t from, fc_time_t until)
{
	t->down_from = from;
	t->down_until = until;
}

bool
tracker_up(const struct tracker *t, fc_time_t now)
{
	return !(now >= t->down_from && now < t->down_until);
}

static struct tswarm *
swarm_of(struct tracker *t, uint32_t torrent)
{
	struct tswarm *s = g_hash_table_lookup(t->swarms, GUINT_TO_POINTER(torrent));

	if (!s) {
		s = g_new0(struct tswarm, 1);
		s->peers = g_array_new(FALSE, FALSE, sizeof(struct entry));
		s->index = g_hash_table_new(sim_hash_direct, g_direct_equal);
		g_hash_table_insert(t->swarms, GUINT_TO_POINTER(torrent), s);
	}
	return s;
}

static void
forget(struct tswarm *s, guint at)
{
	struct entry *e = &g_array_index(s->peers, struct entry, at);
	guint last = s->peers->len - 1;

	s->seeds -= e->seed;
	g_hash_table_remove(s->index, KEY(e->peer));
	if (at != last) {
		/* The last entry takes its place. */
		*e = g_array_index(s->peers, struct entry, last);
		g_hash_table_insert(s->index, KEY(e->peer), GUINT_TO_POINTER(at + 1));
	}
	g_array_set_size(s->peers, last);
}

bool
tracker_announce(struct tracker *t, uint32_t torrent, uint64_t peer, enum tracker_event ev,
		 fc_time_t now, GArray *out)
{
	struct tswarm *s;
	guint at, self;
	size_t others, want;
	gsl_rng *r = rng_stream_gsl(t->rng);

	if (!tracker_up(t, now))
		return false;
	s = swarm_of(t, torrent);
	at = GPOINTER_TO_UINT(g_hash_table_lookup(s->index, KEY(peer)));
	if (ev == TRACKER_STOPPED) {
		if (at)
			forget(s, at - 1);
		return true;
	}
	if (!at) {
		struct entry e = { peer, ev == TRACKER_COMPLETED };

		g_array_append_val(s->peers, e);
		at = s->peers->len;
		g_hash_table_insert(s->index, KEY(peer), GUINT_TO_POINTER(at));
		s->seeds += e.seed;
	} else if (ev == TRACKER_COMPLETED) {
		struct entry *e = &g_array_index(s->peers, struct entry, at - 1);

		s->seeds += !e->seed;
		e->seed = true;
	}
	self = at - 1;
	/*
	 * Up to max_peers others, chosen by Floyd's algorithm over the
	 * positions of the others: O(max_peers), however big the swarm.
	 */
	g_array_set_size(out, 0);
	others = s->peers->len - 1;
	want = MIN(others, (size_t)t->max_peers);
	if (want) {
		g_autoptr(GHashTable) chosen = g_hash_table_new(sim_hash_direct, g_direct_equal);

		for (size_t j = others - want; j < others; j++) {
			size_t pick = gsl_rng_uniform_int(r, j + 1);
			size_t idx;

			if (g_hash_table_contains(chosen, GSIZE_TO_POINTER(pick + 1)))
				pick = j;
			g_hash_table_add(chosen, GSIZE_TO_POINTER(pick + 1));
			idx = pick < self ? pick : pick + 1; /* skip the announcer */
			g_array_append_val(out, g_array_index(s->peers, struct entry, idx).peer);
		}
	}
	return true;
}

size_t
tracker_seeds(const struct tracker *t, uint32_t torrent)
{
	struct tswarm *s = g_hash_table_lookup(t->swarms, GUINT_TO_POINTER(torrent));

	return s ? s->seeds : 0;
}

size_t
tracker_leechers(const struct tracker *t, uint32_t torrent)
{
	struct tswarm *s = g_hash_table_lookup(t->swarms, GUINT_TO_POINTER(torrent));

	return s ? s->peers->len - s->seeds : 0;
}
