/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A peer's life in the swarm (see swarm.h): it joins, announces to the
 * tracker and connects to the peers of the answers, becomes a seed, loses
 * neighbours (and announces sooner when it has too few), and leaves.
 */
#include <string.h>

#include <glib.h>

#include "models/bittorrent/pieces.h"
#include "models/bittorrent/swarm-private.h"

static void announce(struct swarm *s, struct swarm_peer *p, enum tracker_event ev,
		     fc_time_t now);

/* Whether a and b are neighbours already. */
static bool
connected(const struct swarm_peer *a, const struct swarm_peer *b)
{
	const struct swarm_peer *few = a->conns->len <= b->conns->len ? a : b;
	const struct swarm_peer *other = few == a ? b : a;

	for (guint i = 0; i < few->conns->len; i++) {
		const struct conn *c = few->conns->pdata[i];

		if (c->p[1 - swarm__end_of(c, few)] == other)
			return true;
	}
	return false;
}

/* Counts of's pieces in to's availability (sign +1), or takes them out (-1). */
static void
avail_add(struct swarm_peer *to, const struct swarm_peer *of, int sign)
{
	uint32_t n = swarm__npieces(to);

	for (size_t w = 0; w < pieces_words(n); w++) {
		uint64_t bits = of->have[w];

		while (bits) {
			uint32_t i = (uint32_t)(w * PIECES_WORD_BITS) +
				     (uint32_t)__builtin_ctzll(bits);

			to->avail[i] = (uint32_t)((int64_t)to->avail[i] + sign);
			bits &= bits - 1;
		}
	}
}

/*
 * a connects to b, unless either is leaving, both are seeds, either has
 * max_connections already or they are neighbours; each learns the other's
 * pieces and may become interested.
 */
static void
peer_connect(struct swarm *s, struct swarm_peer *a, struct swarm_peer *b, fc_time_t now)
{
	struct conn *c;

	if (a == b || a->leaving || b->leaving || (a->seed && b->seed) ||
	    a->conns->len >= s->c.max_connections || b->conns->len >= s->c.max_connections ||
	    connected(a, b))
		return;
	c = g_new0(struct conn, 1);
	c->p[0] = a;
	c->p[1] = b;
	for (int k = 0; k < 2; k++) {
		c->s[k].choking = true;
		c->pos[k] = c->p[k]->conns->len;
		g_ptr_array_add(c->p[k]->conns, c);
		swarm__conn_update(c, k);
		avail_add(c->p[k], c->p[1 - k], +1);
	}
	for (int k = 0; k < 2; k++)
		if (!c->p[k]->seed && swarm__has_wanted(c->p[1 - k], c->p[k]))
			swarm__set_interested(s, c, k, true, now);
}

/* Takes c out of p's connections; the last takes its place. */
static void
unlink_conn(struct swarm_peer *p, struct conn *c)
{
	int k = swarm__end_of(c, p);
	guint at = c->pos[k];
	struct conn *last = p->conns->pdata[p->conns->len - 1];

	g_assert(p->conns->pdata[at] == c);
	p->conns->pdata[at] = last;
	last->pos[swarm__end_of(last, p)] = at;
	swarm__conn_update(last, swarm__end_of(last, p));
	for (int w = 0; w < SWARM_SETS; w++)
		swarm__set_put(p, (enum swarm_set)w, p->conns->len - 1, false);
	g_ptr_array_set_size(p->conns, p->conns->len - 1);
}

/* The periodic re-announce. */
static void
announce_ev(struct engine *e, void *data, fc_time_t now)
{
	struct swarm_peer *p = data;

	(void)e;
	p->announce_ev = 0;
	net_hold(p->sw->net);
	announce(p->sw, p, TRACKER_REGULAR, now);
	net_release(p->sw->net);
}

static void
announce_at(struct swarm *s, struct swarm_peer *p, fc_time_t at)
{
	engine_cancel(s->e, p->announce_ev);
	p->next_announce = at;
	p->announce_ev = engine_schedule_at(s->e, at, announce_ev, p);
}

/*
 * p announces ev: it connects to the peers of the answer and schedules its
 * next announce (none after STOPPED).
 */
static void
announce(struct swarm *s, struct swarm_peer *p, enum tracker_event ev, fc_time_t now)
{
	bool ok = tracker_announce(s->tr, p->torrent, p->id, ev, now, s->answer);

	if (ev == TRACKER_STOPPED)
		return;
	if (ok) {
		p->last_announce = now;
		for (guint i = 0; i < s->answer->len; i++) {
			uint64_t id = g_array_index(s->answer, uint64_t, i);
			struct swarm_peer *q = g_hash_table_lookup(s->peers, swarm__peer_key(&id));

			if (q && q->torrent == p->torrent)
				peer_connect(s, p, q, now);
		}
	}
	/* A failed announce is tried again after the shorter interval. */
	announce_at(s, p, fc_time_add(now, !ok || p->conns->len < s->c.min_peers ?
				 s->c.min_announce_interval : s->c.announce_interval));
}

/* Announces sooner when p has too few neighbours (and is not leaving). */
static void
announce_soon(struct swarm *s, struct swarm_peer *p, fc_time_t now)
{
	fc_time_t at;

	if (p->conns->len >= s->c.min_peers)
		return;
	at = MAX(now, fc_time_add(p->last_announce, s->c.min_announce_interval));
	if (!p->announce_ev || p->next_announce > at)
		announce_at(s, p, at);
}

/*
 * Ends connection c: flows under way are cut short (what arrived may
 * complete a piece), and an end that stays asks its other neighbours,
 * gives the freed slot away and announces sooner if it has few left.
 */
static void
disconnect(struct swarm *s, struct conn *c, fc_time_t now)
{
	int64_t done[2] = { -1, -1 };

	for (int k = 0; k < 2; k++)
		if (c->s[k].flow)
			done[k] = swarm__cut(s, c, k);
	for (int k = 0; k < 2; k++) {
		if (!c->s[k].choking)
			c->p[k]->unchoked--;
		avail_add(c->p[k], c->p[1 - k], -1);
		unlink_conn(c->p[k], c);
	}
	for (int k = 0; k < 2; k++) {
		struct swarm_peer *p = c->p[k];

		if (p->leaving)
			continue;
		if (done[k] >= 0)
			swarm__piece_arrived(s, p, (uint32_t)done[k], now);
		else if (!p->seed)
			swarm__kick(s, p);
		swarm__fill(s, p);
		announce_soon(s, p, now);
	}
	g_free(c);
}

void
swarm__become_seed(struct swarm *s, struct swarm_peer *d, fc_time_t now)
{
	struct torrent *t = swarm__torrent_at(s, d->torrent);

	d->seed = true;
	t->leechers--;
	t->seeds++;
	/* Seeds have nothing to say to each other. */
	for (guint i = d->conns->len; i-- > 0;) {
		struct conn *c = d->conns->pdata[i];

		if (c->p[1 - swarm__end_of(c, d)]->seed)
			disconnect(s, c, now);
	}
	announce(s, d, TRACKER_COMPLETED, now);
	if (d->hooks && d->hooks->complete)
		d->hooks->complete(d, d->data, now);
}

struct swarm_peer *
swarm_join(struct swarm *s, uint32_t torrent, uint64_t id, const net_link *up, size_t nup,
	   const net_link *down, size_t ndown, bool seed, const struct swarm_hooks *hooks,
	   void *data)
{
	struct torrent *t = swarm__torrent_at(s, torrent);
	struct swarm_peer *p = g_new0(struct swarm_peer, 1);
	size_t words = pieces_words(t->npieces);
	fc_time_t now = engine_now(s->e);

	g_assert(nup >= 1 && nup <= SWARM_MAX_LINKS);
	g_assert(ndown >= 1 && ndown <= SWARM_MAX_LINKS);
	g_assert(!g_hash_table_contains(s->peers, swarm__peer_key(&id)));
	p->sw = s;
	p->id = id;
	p->torrent = torrent;
	memcpy(p->up, up, nup * sizeof *up);
	memcpy(p->down, down, ndown * sizeof *down);
	p->nup = (uint8_t)nup;
	p->ndown = (uint8_t)ndown;
	/* Its two bitfields, have and flight, in one allocation. */
	p->have = g_new0(uint64_t, 2 * words);
	p->flight = p->have + words;
	p->avail = g_new0(uint32_t, t->npieces);
	p->conns = g_ptr_array_new();
	p->set_words = (s->c.max_connections + 63) / 64;
	p->sets = g_new0(uint64_t, SWARM_SETS * swarm__set_words(p));
	p->hooks = hooks;
	p->data = data;
	rng_stream_init(&p->rng, s->c.master_seed, s->c.replication, "bt-peer", id);
	if (seed) {
		for (uint32_t i = 0; i < t->npieces; i++)
			pieces_add(p->have, i);
		p->npieces = t->npieces;
		p->seed = true;
		t->seeds++;
	} else {
		t->leechers++;
	}
	g_hash_table_insert(s->peers, swarm__peer_key(&p->id), p);
	swarm__rechoke_start(s, p, now);
	net_hold(s->net);
	announce(s, p, TRACKER_STARTED, now);
	net_release(s->net);
	return p;
}

void
swarm__peer_free(struct swarm_peer *p)
{
	engine_cancel(p->sw->e, p->rechoke_ev);
	engine_cancel(p->sw->e, p->announce_ev);
	g_ptr_array_unref(p->conns);
	g_free(p->sets);
	if (p->partials)
		g_array_unref(p->partials);
	g_free(p->have);
	g_free(p->avail);
	g_free(p);
}

void
swarm_leave(struct swarm *s, struct swarm_peer *p)
{
	struct torrent *t = swarm__torrent_at(s, p->torrent);
	fc_time_t now = engine_now(s->e);

	g_assert(!p->leaving);
	net_hold(s->net);
	p->leaving = true;
	announce(s, p, TRACKER_STOPPED, now);
	while (p->conns->len > 0)
		disconnect(s, p->conns->pdata[p->conns->len - 1], now);
	if (p->partials)
		for (guint i = 0; i < p->partials->len; i++) {
			const struct partial *x = &g_array_index(p->partials, struct partial, i);
			uint64_t b = swarm__mask_bytes(s, p->torrent, x->piece, x->received);

			s->b.partial -= b;
			s->b.lost += b;
		}
	if (p->seed)
		t->seeds--;
	else
		t->leechers--;
	g_hash_table_remove(s->peers, swarm__peer_key(&p->id));
	swarm__peer_free(p);
	net_release(s->net);
}

bool
swarm_peer_seed(const struct swarm_peer *p)
{
	return p->seed;
}

bool
swarm_peer_has(const struct swarm_peer *p, uint32_t piece)
{
	return piece < swarm__npieces(p) && pieces_has(p->have, piece);
}

uint32_t
swarm_peer_pieces(const struct swarm_peer *p)
{
	return p->npieces;
}

size_t
swarm_peer_neighbours(const struct swarm_peer *p)
{
	return p->conns->len;
}


uint64_t
swarm_peer_uploaded(const struct swarm_peer *p)
{
	return p->uploaded;
}

uint64_t
swarm_peer_downloaded(const struct swarm_peer *p)
{
	return p->downloaded;
}

void
swarm_peer_set_class(struct swarm_peer *p, unsigned cls)
{
	g_assert(cls < SWARM_CLASSES);
	p->cls = cls;
}
