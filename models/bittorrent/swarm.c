/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The swarm as a whole: its torrents, its peers by id, the byte accounts
 * and the check of every peer's bookkeeping.  The rest of the model is in
 * transfer.c, choke.c and peer.c (see swarm-private.h).
 */
#include "models/bittorrent/swarm.h"

#include <string.h>

#include <glib.h>

#include "models/bittorrent/pieces.h"
#include "models/bittorrent/swarm-private.h"
#include "sim/hash.h"

struct swarm *
swarm_new(struct engine *e, struct net *n, struct tracker *t, const struct swarm_config *c)
{
	struct swarm *s = g_new0(struct swarm, 1);

	g_assert(c->piece_size > 0 && c->max_connections > 0);
	g_assert(c->block_size > 0 && c->piece_size <= SWARM_MAX_BLOCKS * c->block_size);
	g_assert(c->request_blocks >= 1 && c->request_blocks <= SWARM_MAX_BLOCKS);
	g_assert(c->regular_unchokes + c->optimistic_unchokes > 0);
	g_assert(c->rechoke_interval > 0 && c->optimistic_interval > 0);
	s->e = e;
	s->net = n;
	s->tr = t;
	s->c = *c;
	s->torrents = g_array_new(FALSE, TRUE, sizeof(struct torrent));
	s->peers = swarm__peer_table();
	s->answer = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	return s;
}

static gint
peer_cmp(gconstpointer a, gconstpointer b)
{
	const struct swarm_peer *x = *(struct swarm_peer *const *)a;
	const struct swarm_peer *y = *(struct swarm_peer *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

void
swarm_free(struct swarm *s)
{
	g_autoptr(GPtrArray) all = NULL;
	GHashTableIter it;
	gpointer v;

	if (!s)
		return;
	/* Flows are cancelled in the order of the peers' ids, never in the
	 * hash table's, so even a swarm freed during a run leaves the network
	 * in one determined state. */
	all = g_ptr_array_new();
	g_hash_table_iter_init(&it, s->peers);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(all, v);
	g_ptr_array_sort(all, peer_cmp);
	for (guint i = 0; i < all->len; i++) {
		struct swarm_peer *p = all->pdata[i];

		for (guint j = 0; j < p->conns->len; j++) {
			struct conn *c = p->conns->pdata[j];
			int k = swarm__end_of(c, p);

			if (c->s[k].flow)
				net_flow_cancel(s->net, c->s[k].flow);
			c->s[k].flow = NULL;
			/* The other end frees the connection. */
			if (c->p[1 - k]->leaving)
				g_free(c);
		}
		p->leaving = true;
	}
	for (guint i = 0; i < all->len; i++)
		swarm__peer_free(all->pdata[i]);
	g_hash_table_unref(s->peers);
	g_array_unref(s->torrents);
	g_array_unref(s->answer);
	g_free(s);
}

uint32_t
swarm_torrent_add(struct swarm *s, uint64_t bytes)
{
	struct torrent t = { 0 };

	g_assert(bytes > 0);
	t.bytes = bytes;
	t.npieces = (uint32_t)((bytes + s->c.piece_size - 1) / s->c.piece_size);
	g_array_append_val(s->torrents, t);
	return s->torrents->len - 1;
}

struct torrent *
swarm__torrent_at(const struct swarm *s, uint32_t id)
{
	g_assert(id < s->torrents->len);
	return &g_array_index(s->torrents, struct torrent, id);
}

uint64_t
swarm_piece_bytes(const struct swarm *s, uint32_t torrent, uint32_t piece)
{
	const struct torrent *t = swarm__torrent_at(s, torrent);
	uint64_t start = (uint64_t)piece * s->c.piece_size;

	g_assert(piece < t->npieces);
	return MIN(s->c.piece_size, t->bytes - start);
}

uint32_t
swarm__npieces(const struct swarm_peer *p)
{
	return swarm__torrent_at(p->sw, p->torrent)->npieces;
}

uint64_t
swarm_uploaded_by(const struct swarm *s, unsigned cls)
{
	g_assert(cls < SWARM_CLASSES);
	return s->up_by[cls];
}

uint64_t
swarm_torrent_uploaded_by(const struct swarm *s, uint32_t torrent, unsigned cls)
{
	g_assert(cls < SWARM_CLASSES);
	return swarm__torrent_at(s, torrent)->up_by[cls];
}

size_t
swarm_seeds(const struct swarm *s, uint32_t torrent)
{
	return swarm__torrent_at(s, torrent)->seeds;
}

size_t
swarm_leechers(const struct swarm *s, uint32_t torrent)
{
	return swarm__torrent_at(s, torrent)->leechers;
}

struct swarm_bytes
swarm_bytes(const struct swarm *s)
{
	return s->b;
}

/* The count of p's flows fetching each block of x, against the flows. */
static void
check_cover(const struct swarm_peer *p, const struct partial *x)
{
	unsigned count[SWARM_MAX_BLOCKS] = { 0 };

	for (guint j = 0; j < p->conns->len; j++) {
		const struct conn *c = p->conns->pdata[j];
		const struct side *sd = &c->s[swarm__end_of(c, p)];

		if (sd->flow && sd->piece == x->piece)
			for (unsigned b = sd->first; b < (unsigned)sd->first + sd->nblocks; b++)
				count[b]++;
	}
	for (unsigned b = 0; b < SWARM_MAX_BLOCKS; b++) {
		unsigned have = 0;

		for (int i = 0; i < SWARM_COVER_BITS; i++)
			have |= (unsigned)((x->cover[i] >> b) & 1) << i;
		g_assert_cmpuint(have, ==, count[b]);
	}
}

void
swarm_check(const struct swarm *s)
{
	g_autoptr(GPtrArray) all = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;
	uint64_t partial = 0, by_class = 0;

	g_hash_table_iter_init(&it, s->peers);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(all, v);
	g_ptr_array_sort(all, peer_cmp);
	for (guint i = 0; i < all->len; i++) {
		const struct swarm_peer *p = all->pdata[i];
		uint32_t n = swarm__npieces(p);
		g_autofree uint32_t *avail = g_new0(uint32_t, n);
		unsigned unchoked = 0;

		g_assert_cmpuint(pieces_count(p->have, n), ==, p->npieces);
		g_assert(p->seed == (p->npieces == n));
		g_assert_cmpuint(p->conns->len, <=, s->c.max_connections);
		for (guint j = 0; j < p->conns->len; j++) {
			const struct conn *c = p->conns->pdata[j];
			int k = swarm__end_of(c, p);
			const struct swarm_peer *o = c->p[1 - k];

			g_assert(c->p[k] == p && c->pos[k] == j);
			for (int w = 0; w < SWARM_SETS; w++)
				g_assert(swarm__in_set(p, (enum swarm_set)w, j) ==
					 swarm__belongs(c, k, (enum swarm_set)w));
			g_assert(!(p->seed && o->seed));
			for (uint32_t x = 0; x < n; x++)
				avail[x] += pieces_has(o->have, x);
			if (!c->s[k].choking) {
				unchoked++;
				g_assert(c->s[1 - k].interested);
			}
			g_assert(c->s[k].interested == (!p->seed && swarm__has_wanted(o, p)));
			if (c->s[k].flow) {
				const struct partial *x = swarm__partial_find(p, c->s[k].piece);
				uint64_t mine = swarm__all_blocks(c->s[k].nblocks) << c->s[k].first;

				/* Choked, it only finishes the block under way. */
				if (c->s[1 - k].choking)
					g_assert_cmpuint(net_flow_received(s->net, c->s[k].flow), >=,
							 swarm__mask_bytes(s, p->torrent, c->s[k].piece,
									   mine & (mine >> 1)));

				g_assert(x && (x->requested & mine) == mine);
				g_assert(!pieces_has(p->have, c->s[k].piece));
			}
		}
		for (guint j = p->conns->len; j < s->c.max_connections; j++)
			for (int w = 0; w < SWARM_SETS; w++)
				g_assert(!swarm__in_set(p, (enum swarm_set)w, j));
		g_assert_cmpuint(unchoked, ==, p->unchoked);
		g_assert_cmpuint(unchoked, <=, swarm__slots(s));
		g_assert(memcmp(avail, p->avail, n * sizeof *avail) == 0);
		if (p->partials)
			for (guint j = 0; j < p->partials->len; j++) {
				const struct partial *x = &g_array_index(p->partials,
									 struct partial, j);
				uint64_t full = swarm__all_blocks(
					swarm__blocks_in(s, p->torrent, x->piece));

				g_assert(!pieces_has(p->have, x->piece));
				g_assert_cmpuint(x->full, ==, full);
				check_cover(p, x);
				g_assert((x->received & ~x->requested) == 0);
				g_assert(x->received != full);
				g_assert(pieces_has(p->flight, x->piece) == (x->requested == full));
				partial += swarm__mask_bytes(s, p->torrent, x->piece, x->received);
			}
	}
	g_assert_cmpuint(partial, ==, s->b.partial);
	g_assert_cmpuint(s->b.sent, ==, s->b.pieces + s->b.partial + s->b.wasted + s->b.lost);
	for (unsigned k = 0; k < SWARM_CLASSES; k++)
		by_class += s->up_by[k];
	g_assert_cmpuint(by_class, ==, s->b.sent);
}
