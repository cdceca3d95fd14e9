/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/bittorrent/swarm.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <gsl/gsl_rng.h>

#include "models/bittorrent/pieces.h"
#include "sim/rng.h"

struct torrent {
	uint64_t bytes;
	uint32_t npieces;
	size_t seeds, leechers;
};

/* One end of a connection: what that end does. */
struct side {
	struct net_flow *flow;  /* this end downloading blocks from the other */
	uint32_t piece;         /* blocks first .. first + nblocks - 1 of it */
	uint8_t first, nblocks;
	uint64_t credited;      /* bytes of the flow already in the rate windows */
	uint64_t recv[2];       /* from the other: this and the last interval */
	uint64_t sent[2];       /* to the other */
	bool choking;           /* this end chokes the other */
	bool interested;        /* this end wants a piece of the other's */
	bool optimistic;        /* the other is this end's optimistic unchoke */
};

struct conn {
	struct swarm_peer *p[2];
	guint pos[2];           /* index in each end's conns */
	struct side s[2];
};

/* A piece some of whose blocks are requested or have arrived. */
struct partial {
	uint32_t piece;
	uint64_t requested;     /* blocks asked for (or arrived) */
	uint64_t received;      /* blocks arrived */
};

struct swarm_peer {
	struct swarm *sw;
	uint64_t id;
	uint32_t torrent;
	net_link up[2], down[2];
	uint8_t nup, ndown;
	bool seed, leaving;
	uint64_t *have, *flight;
	uint32_t *avail;        /* neighbours holding each piece */
	uint32_t npieces;       /* held */
	GPtrArray *conns;
	GArray *partials;       /* struct partial, NULL when none */
	unsigned unchoked;      /* neighbours it does not choke */
	struct rng_stream rng;
	engine_event rechoke_ev, announce_ev;
	fc_time_t last_announce, next_announce, next_optimistic;
	uint64_t uploaded, downloaded;
	unsigned cls;           /* the host's class, for swarm_uploaded_by */
	const struct swarm_hooks *hooks;
	void *data;
};

struct swarm {
	struct engine *e;
	struct net *net;
	struct tracker *tr;
	struct swarm_config c;
	GArray *torrents;       /* struct torrent */
	GHashTable *peers;      /* id -> struct swarm_peer */
	struct swarm_bytes b;
	uint64_t up_by[SWARM_CLASSES];
	GArray *answer;         /* scratch: tracker answers */
};

struct swarm *
swarm_new(struct engine *e, struct net *n, struct tracker *t, const struct swarm_config *c)
{
	struct swarm *s = g_new0(struct swarm, 1);

	g_assert(c->piece_size > 0 && c->max_connections > 0);
	g_assert(c->block_size > 0 && c->piece_size <= 64 * c->block_size);
	g_assert(c->request_blocks >= 1 && c->request_blocks <= 64);
	g_assert(c->regular_unchokes + c->optimistic_unchokes > 0);
	g_assert(c->rechoke_interval > 0 && c->optimistic_interval > 0);
	s->e = e;
	s->net = n;
	s->tr = t;
	s->c = *c;
	s->torrents = g_array_new(FALSE, TRUE, sizeof(struct torrent));
	s->peers = g_hash_table_new(g_int64_hash, g_int64_equal);
	s->answer = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	return s;
}

static void peer_free(struct swarm_peer *p);

void
swarm_free(struct swarm *s)
{
	g_autoptr(GPtrArray) all = NULL;
	GHashTableIter it;
	gpointer v;

	if (!s)
		return;
	/* Freeing has no effect on results, so the hash order does not
	 * matter here. */
	all = g_ptr_array_new();
	g_hash_table_iter_init(&it, s->peers);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(all, v);
	for (guint i = 0; i < all->len; i++) {
		struct swarm_peer *p = all->pdata[i];

		for (guint j = 0; j < p->conns->len; j++) {
			struct conn *c = p->conns->pdata[j];
			int k = c->p[1] == p;

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
		peer_free(all->pdata[i]);
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

static struct torrent *
torrent_at(const struct swarm *s, uint32_t id)
{
	g_assert(id < s->torrents->len);
	return &g_array_index(s->torrents, struct torrent, id);
}

uint32_t
swarm_torrent_pieces(const struct swarm *s, uint32_t torrent)
{
	return torrent_at(s, torrent)->npieces;
}

uint64_t
swarm_piece_bytes(const struct swarm *s, uint32_t torrent, uint32_t piece)
{
	const struct torrent *t = torrent_at(s, torrent);
	uint64_t start = (uint64_t)piece * s->c.piece_size;

	g_assert(piece < t->npieces);
	return MIN(s->c.piece_size, t->bytes - start);
}

static uint32_t
npieces_of(const struct swarm_peer *p)
{
	return torrent_at(p->sw, p->torrent)->npieces;
}

static int
end_of(const struct conn *c, const struct swarm_peer *p)
{
	return c->p[1] == p;
}

/* Whether u has a piece d lacks. */
static bool
has_wanted(const struct swarm_peer *u, const struct swarm_peer *d)
{
	for (size_t w = 0; w < pieces_words(npieces_of(d)); w++)
		if (u->have[w] & ~d->have[w])
			return true;
	return false;
}

/* Blocks: a piece is cut into blocks of block_size (at most 64). */
static uint32_t
blocks_in(const struct swarm *s, uint32_t torrent, uint32_t piece)
{
	return (uint32_t)((swarm_piece_bytes(s, torrent, piece) + s->c.block_size - 1) /
			  s->c.block_size);
}

static uint64_t
block_bytes(const struct swarm *s, uint32_t torrent, uint32_t piece, uint32_t block)
{
	uint64_t len = swarm_piece_bytes(s, torrent, piece);

	return MIN(s->c.block_size, len - (uint64_t)block * s->c.block_size);
}

static uint64_t
all_blocks(uint32_t n)
{
	return n == 64 ? UINT64_MAX : ((uint64_t)1 << n) - 1;
}

/* Bytes of the blocks in mask. */
static uint64_t
mask_bytes(const struct swarm *s, uint32_t torrent, uint32_t piece, uint64_t mask)
{
	uint64_t sum = 0;

	while (mask) {
		sum += block_bytes(s, torrent, piece, (uint32_t)__builtin_ctzll(mask));
		mask &= mask - 1;
	}
	return sum;
}

/* Partial pieces: few at a time, kept in a small array. */
static struct partial *
partial_find(const struct swarm_peer *p, uint32_t piece)
{
	if (p->partials)
		for (guint i = 0; i < p->partials->len; i++)
			if (g_array_index(p->partials, struct partial, i).piece == piece)
				return &g_array_index(p->partials, struct partial, i);
	return NULL;
}

static struct partial *
partial_add(struct swarm_peer *p, uint32_t piece)
{
	struct partial np = { piece, 0, 0 };

	if (!p->partials)
		p->partials = g_array_new(FALSE, FALSE, sizeof(struct partial));
	g_array_append_val(p->partials, np);
	return &g_array_index(p->partials, struct partial, p->partials->len - 1);
}

static void
partial_drop(struct swarm_peer *p, uint32_t piece)
{
	for (guint i = 0; i < p->partials->len; i++)
		if (g_array_index(p->partials, struct partial, i).piece == piece) {
			g_array_remove_index_fast(p->partials, i);
			return;
		}
	g_assert_not_reached();
}

/* The links a piece from u to d crosses: u's upload path then d's download
 * path, without a link both have (traffic inside one ISP). */
static size_t
path_of(const struct swarm_peer *u, const struct swarm_peer *d, net_link *path)
{
	size_t n = 0;

	for (unsigned i = 0; i < u->nup; i++) {
		bool shared = false;

		for (unsigned j = 0; j < d->ndown; j++)
			shared |= d->down[j] == u->up[i];
		if (!shared)
			path[n++] = u->up[i];
	}
	for (unsigned j = 0; j < d->ndown; j++) {
		bool shared = false;

		for (unsigned i = 0; i < u->nup; i++)
			shared |= d->down[j] == u->up[i];
		if (!shared)
			path[n++] = d->down[j];
	}
	g_assert(n > 0);
	return n;
}

/* Bytes of side k's flow that have arrived, into the rate windows and the
 * per-peer counts; final when the flow is over. */
static void
credit(struct swarm *s, struct conn *c, int k, uint64_t got, bool final)
{
	uint64_t delta = got - c->s[k].credited;

	c->s[k].recv[0] += delta;
	c->s[1 - k].sent[0] += delta;
	c->s[k].credited = got;
	if (final) {
		c->p[k]->downloaded += got;
		c->p[1 - k]->uploaded += got;
		s->up_by[c->p[1 - k]->cls] += got;
		s->b.sent += got;
		c->s[k].credited = 0;
	}
}

static void piece_done(struct net *n, struct net_flow *f, void *data, fc_time_t now);
static void piece_arrived(struct swarm *s, struct swarm_peer *d, uint32_t piece, fc_time_t now);

static bool covered(const struct swarm_peer *d, uint32_t piece, uint32_t block);

/* Blocks of a piece that two flows of d are fetching. */
static uint64_t
doubled(const struct swarm_peer *d, uint32_t piece)
{
	uint64_t once = 0, twice = 0;

	for (guint i = 0; i < d->conns->len; i++) {
		const struct conn *c = d->conns->pdata[i];
		const struct side *sd = &c->s[end_of(c, d)];
		uint64_t m;

		if (!sd->flow || sd->piece != piece)
			continue;
		m = all_blocks(sd->nblocks) << sd->first;
		twice |= once & m;
		once |= m;
	}
	return twice;
}

/* Blocks of a piece that flows of d have delivered whole while they go on
 * (the flows count them when they end). */
static uint64_t
delivered(const struct swarm *s, const struct swarm_peer *d, uint32_t piece)
{
	uint64_t m = 0;

	for (guint i = 0; i < d->conns->len; i++) {
		const struct conn *c = d->conns->pdata[i];
		const struct side *sd = &c->s[end_of(c, d)];
		uint64_t got;

		if (!sd->flow || sd->piece != piece)
			continue;
		got = net_flow_received(s->net, sd->flow);
		for (uint32_t b = sd->first; b < (uint32_t)sd->first + sd->nblocks; b++) {
			uint64_t bb = block_bytes(s, d->torrent, piece, b);

			if (got < bb)
				break;
			m |= (uint64_t)1 << b;
			got -= bb;
		}
	}
	return m;
}

/*
 * Side k asks the other end for up to request_blocks blocks in a row: of a
 * piece already begun that the other has, else of the piece pieces_pick
 * chooses (in endgame, blocks already asked of others).
 */
static void
request(struct swarm *s, struct conn *c, int k)
{
	struct swarm_peer *d = c->p[k], *u = c->p[1 - k];
	struct side *sd = &c->s[k];
	struct partial *pp = NULL;
	net_link path[4];
	size_t n;
	uint64_t full, free_blocks, bytes = 0;
	uint32_t nb, first, run;
	bool endgame = false;

	if (sd->flow || !sd->interested || c->s[1 - k].choking || d->seed || d->leaving ||
	    u->leaving)
		return;
	if (d->partials)
		for (guint i = 0; i < d->partials->len && !pp; i++) {
			struct partial *x = &g_array_index(d->partials, struct partial, i);

			if (pieces_has(u->have, x->piece) &&
			    x->requested != all_blocks(blocks_in(s, d->torrent, x->piece)))
				pp = x;
		}
	if (!pp) {
		struct pieces_choice ch = { npieces_of(d), d->have, u->have, d->flight, d->avail,
					    s->c.random_first };
		int64_t piece = pieces_pick(&ch, &d->rng, &endgame);

		if (piece < 0)
			return; /* what it wants is on its way from others */
		pp = partial_find(d, (uint32_t)piece);
		if (!pp)
			pp = partial_add(d, (uint32_t)piece);
	}
	nb = blocks_in(s, d->torrent, pp->piece);
	full = all_blocks(nb);
	free_blocks = ~pp->requested & full;
	if (endgame) {
		/* A block gets one second copy at most, so that a peer with
		 * many neighbours does not fetch its last blocks from all; not
		 * one a flow has already delivered; and the last of a piece's
		 * free blocks, which its flow would deliver last (a request's
		 * blocks come in order). */
		pp = NULL;
		for (guint i = 0; i < d->partials->len && !pp; i++) {
			struct partial *x = &g_array_index(d->partials, struct partial, i);

			if (!pieces_has(u->have, x->piece))
				continue;
			nb = blocks_in(s, d->torrent, x->piece);
			full = all_blocks(nb);
			free_blocks = ~x->received & full & ~doubled(d, x->piece) &
				      ~delivered(s, d, x->piece);
			if (free_blocks)
				pp = x;
		}
		if (!pp)
			return;
	}
	g_assert(free_blocks);
	first = endgame ? 63 - (uint32_t)__builtin_clzll(free_blocks) :
		(uint32_t)__builtin_ctzll(free_blocks);
	/* In endgame one block at a time, as its copies are waste. */
	for (run = 0; run < (endgame ? 1 : s->c.request_blocks) && first + run < nb &&
		      ((free_blocks >> (first + run)) & 1); run++) {
		pp->requested |= (uint64_t)1 << (first + run);
		bytes += block_bytes(s, d->torrent, pp->piece, first + run);
	}
	if (pp->requested == full)
		pieces_add(d->flight, pp->piece);
	sd->piece = pp->piece;
	sd->first = (uint8_t)first;
	sd->nblocks = (uint8_t)run;
	sd->credited = 0;
	n = path_of(u, d, path);
	sd->flow = net_flow_start(s->net, path, n, bytes, piece_done, c);
}

/* Requests on every connection of d that is idle and may carry one. */
static void
kick(struct swarm *s, struct swarm_peer *d)
{
	for (guint i = 0; i < d->conns->len; i++) {
		struct conn *c = d->conns->pdata[i];

		request(s, c, end_of(c, d));
	}
}

/* Whether a flow of d is fetching the block. */
static bool
covered(const struct swarm_peer *d, uint32_t piece, uint32_t block)
{
	for (guint i = 0; i < d->conns->len; i++) {
		const struct conn *c = d->conns->pdata[i];
		const struct side *sd = &c->s[end_of(c, d)];

		if (sd->flow && sd->piece == piece && block >= sd->first &&
		    block < (uint32_t)sd->first + sd->nblocks)
			return true;
	}
	return false;
}

/*
 * The first `got` bytes of side k's blocks (its flow is over) have arrived:
 * whole blocks join the piece (or are waste if they were there already), a
 * block cut short is waste and is free to be asked for again.  Returns
 * whether the piece is complete.
 */
static bool
blocks_arrived(struct swarm *s, struct swarm_peer *d, struct side *sd, uint64_t got)
{
	struct partial *pp = partial_find(d, sd->piece);
	uint32_t nb = blocks_in(s, d->torrent, sd->piece);

	for (uint32_t b = sd->first; b < (uint32_t)sd->first + sd->nblocks; b++) {
		uint64_t bit = (uint64_t)1 << b, bb = block_bytes(s, d->torrent, sd->piece, b);

		if (got >= bb && !(pp->received & bit)) {
			pp->received |= bit;
			s->b.partial += bb;
		} else if (got >= bb) {
			s->b.wasted += bb;
		} else {
			s->b.wasted += got;
			if (!(pp->received & bit) && !covered(d, sd->piece, b))
				pp->requested &= ~bit;
		}
		got -= MIN(got, bb);
	}
	if (pp->requested != all_blocks(nb))
		pieces_remove(d->flight, sd->piece);
	if (pp->received != all_blocks(nb))
		return false;
	s->b.partial -= swarm_piece_bytes(s, d->torrent, sd->piece);
	s->b.pieces += swarm_piece_bytes(s, d->torrent, sd->piece);
	partial_drop(d, sd->piece);
	return true;
}

/*
 * Blocks from block `from` on arrived by another flow: side k's flow drops
 * them if it has not begun them (it ends sooner; nothing is wasted), and
 * blocks it drops that nobody else brings are free to be asked for again.
 * Returns false when the flow has begun them, or they are its first.
 */
static bool
trim(struct swarm *s, struct conn *c, int k, uint32_t from)
{
	struct swarm_peer *d = c->p[k];
	struct side *sd = &c->s[k];
	struct partial *pp = partial_find(d, sd->piece);
	uint32_t end = (uint32_t)sd->first + sd->nblocks;
	uint64_t keep = 0;

	if (from <= sd->first)
		return false;
	for (uint32_t b = sd->first; b < from; b++)
		keep += block_bytes(s, d->torrent, sd->piece, b);
	if (net_flow_received(s->net, sd->flow) >= keep)
		return false;
	net_flow_shrink(s->net, sd->flow, keep);
	sd->nblocks = (uint8_t)(from - sd->first);
	for (uint32_t b = from; b < end; b++) {
		uint64_t bit = (uint64_t)1 << b;

		if (!(pp->received & bit) && !covered(d, sd->piece, b))
			pp->requested &= ~bit;
	}
	if (pp->requested != all_blocks(blocks_in(s, d->torrent, sd->piece)))
		pieces_remove(d->flight, sd->piece);
	return true;
}

/*
 * Cuts side k's flow short.  Returns the piece if what arrived completed
 * it (then the caller calls piece_arrived), or -1.
 */
static int64_t
cut(struct swarm *s, struct conn *c, int k)
{
	struct swarm_peer *d = c->p[k];
	struct side *sd = &c->s[k];
	uint64_t got = net_flow_cancel(s->net, sd->flow);

	sd->flow = NULL;
	credit(s, c, k, got, true);
	if (pieces_has(d->have, sd->piece)) {
		s->b.wasted += got;
		return -1;
	}
	return blocks_arrived(s, d, sd, got) ? (int64_t)sd->piece : -1;
}

static void
unchoke(struct swarm *s, struct conn *c, int ku)
{
	g_assert(c->s[ku].choking);
	c->s[ku].choking = false;
	c->p[ku]->unchoked++;
	request(s, c, 1 - ku);
}

/* End ku chokes the other; a piece under way is cut short. */
static void
choke(struct swarm *s, struct conn *c, int ku, fc_time_t now)
{
	struct swarm_peer *d = c->p[1 - ku];

	g_assert(!c->s[ku].choking);
	c->s[ku].choking = true;
	c->s[ku].optimistic = false;
	c->p[ku]->unchoked--;
	if (c->s[1 - ku].flow) {
		int64_t done = cut(s, c, 1 - ku);

		if (done >= 0)
			piece_arrived(s, d, (uint32_t)done, now);
		else
			kick(s, d);
	}
}

static unsigned
slots(const struct swarm *s)
{
	return s->c.regular_unchokes + s->c.optimistic_unchokes;
}

/* Gives u's free upload slots to interested neighbours drawn at random. */
static void
fill(struct swarm *s, struct swarm_peer *u)
{
	while (!u->leaving && u->unchoked < slots(s)) {
		struct conn *pick = NULL;
		unsigned seen = 0;

		for (guint i = 0; i < u->conns->len; i++) {
			struct conn *c = u->conns->pdata[i];
			int ku = end_of(c, u);

			if (c->s[ku].choking && c->s[1 - ku].interested &&
			    gsl_rng_uniform_int(rng_stream_gsl(&u->rng), ++seen) == 0)
				pick = c;
		}
		if (!pick)
			return;
		unchoke(s, pick, end_of(pick, u));
	}
}

/* Side k's interest in the other end becomes v. */
static void
set_interested(struct swarm *s, struct conn *c, int k, bool v, fc_time_t now)
{
	struct swarm_peer *u = c->p[1 - k];

	if (c->s[k].interested == v)
		return;
	c->s[k].interested = v;
	if (v) {
		if (!u->leaving && u->unchoked < slots(s))
			unchoke(s, c, 1 - k);
	} else if (!c->s[1 - k].choking) {
		choke(s, c, 1 - k, now);
		fill(s, u);
	}
}

static void disconnect(struct swarm *s, struct conn *c, fc_time_t now);
static void announce(struct swarm *s, struct swarm_peer *p, enum tracker_event ev,
		     fc_time_t now);

static void
become_seed(struct swarm *s, struct swarm_peer *d, fc_time_t now)
{
	struct torrent *t = torrent_at(s, d->torrent);

	d->seed = true;
	t->leechers--;
	t->seeds++;
	/* Seeds have nothing to say to each other. */
	for (guint i = d->conns->len; i-- > 0;) {
		struct conn *c = d->conns->pdata[i];

		if (c->p[1 - end_of(c, d)]->seed)
			disconnect(s, c, now);
	}
	announce(s, d, TRACKER_COMPLETED, now);
	if (d->hooks && d->hooks->complete)
		d->hooks->complete(d, d->data, now);
}

/*
 * A piece has arrived at d: copies still on their way are cut short, the
 * neighbours hear of it (and may want it), d may want less of them.
 */
static void
piece_arrived(struct swarm *s, struct swarm_peer *d, uint32_t piece, fc_time_t now)
{
	pieces_add(d->have, piece);
	pieces_remove(d->flight, piece);
	d->npieces++;
	for (guint i = 0; i < d->conns->len; i++) {
		struct conn *c = d->conns->pdata[i];
		int k = end_of(c, d);

		if (c->s[k].flow && c->s[k].piece == piece)
			(void)cut(s, c, k); /* a duplicate: waste */
	}
	for (guint i = 0; i < d->conns->len; i++) {
		struct conn *c = d->conns->pdata[i];
		int k = end_of(c, d);
		struct swarm_peer *o = c->p[1 - k];

		o->avail[piece]++;
		if (!o->seed && !pieces_has(o->have, piece))
			set_interested(s, c, 1 - k, true, now);
		if (c->s[k].interested && pieces_has(o->have, piece) && !has_wanted(o, d))
			set_interested(s, c, k, false, now);
	}
	if (d->hooks && d->hooks->piece)
		d->hooks->piece(d, piece, d->data, now);
	if (d->npieces == npieces_of(d))
		become_seed(s, d, now);
	else
		kick(s, d);
}

static void
piece_done(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	struct conn *c = data;
	int k = c->s[1].flow == f;
	struct swarm_peer *d = c->p[k];
	struct side *sd = &c->s[k];
	struct swarm *s = d->sw;
	uint64_t bytes = 0;

	(void)n;
	g_assert(sd->flow == f && !pieces_has(d->have, sd->piece));
	for (uint32_t b = sd->first; b < (uint32_t)sd->first + sd->nblocks; b++)
		bytes += block_bytes(s, d->torrent, sd->piece, b);
	sd->flow = NULL;
	credit(s, c, k, bytes, true);
	if (blocks_arrived(s, d, sd, bytes)) {
		piece_arrived(s, d, sd->piece, now);
		return;
	}
	/* Endgame: copies of these blocks still on their way are cancelled. */
	for (guint i = 0; i < d->conns->len; i++) {
		struct conn *o = d->conns->pdata[i];
		struct side *so = &o->s[end_of(o, d)];

		if (so->flow && so->piece == sd->piece && so->first < sd->first + sd->nblocks &&
		    sd->first < so->first + so->nblocks) {
			if (trim(s, o, end_of(o, d), MAX(so->first, sd->first)))
				continue;
			if (cut(s, o, end_of(o, d)) >= 0) {
				piece_arrived(s, d, sd->piece, now);
				return;
			}
		}
	}
	kick(s, d);
}

static bool
connected(const struct swarm_peer *a, const struct swarm_peer *b)
{
	const struct swarm_peer *few = a->conns->len <= b->conns->len ? a : b;
	const struct swarm_peer *other = few == a ? b : a;

	for (guint i = 0; i < few->conns->len; i++) {
		const struct conn *c = few->conns->pdata[i];

		if (c->p[1 - end_of(c, few)] == other)
			return true;
	}
	return false;
}

static void
avail_add(struct swarm_peer *to, const struct swarm_peer *of, int sign)
{
	uint32_t n = npieces_of(to);

	for (size_t w = 0; w < pieces_words(n); w++) {
		uint64_t bits = of->have[w];

		while (bits) {
			uint32_t i = (uint32_t)(w * 64) + (uint32_t)__builtin_ctzll(bits);

			to->avail[i] = (uint32_t)((int64_t)to->avail[i] + sign);
			bits &= bits - 1;
		}
	}
}

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
		avail_add(c->p[k], c->p[1 - k], +1);
	}
	for (int k = 0; k < 2; k++)
		if (!c->p[k]->seed && has_wanted(c->p[1 - k], c->p[k]))
			set_interested(s, c, k, true, now);
}

static void
unlink_conn(struct swarm_peer *p, struct conn *c)
{
	int k = end_of(c, p);
	guint at = c->pos[k];
	struct conn *last = p->conns->pdata[p->conns->len - 1];

	g_assert(p->conns->pdata[at] == c);
	p->conns->pdata[at] = last;
	last->pos[end_of(last, p)] = at;
	g_ptr_array_set_size(p->conns, p->conns->len - 1);
}

/* Announces sooner when p has too few neighbours (and is not leaving). */
static void announce_soon(struct swarm *s, struct swarm_peer *p, fc_time_t now);

static void
disconnect(struct swarm *s, struct conn *c, fc_time_t now)
{
	int64_t done[2] = { -1, -1 };

	for (int k = 0; k < 2; k++)
		if (c->s[k].flow)
			done[k] = cut(s, c, k);
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
			piece_arrived(s, p, (uint32_t)done[k], now);
		else if (!p->seed)
			kick(s, p);
		fill(s, p);
		announce_soon(s, p, now);
	}
	g_free(c);
}

static void
announce_ev(struct engine *e, void *data, fc_time_t now)
{
	struct swarm_peer *p = data;

	(void)e;
	p->announce_ev = 0;
	announce(p->sw, p, TRACKER_REGULAR, now);
}

static void
announce_at(struct swarm *s, struct swarm_peer *p, fc_time_t at)
{
	engine_cancel(s->e, p->announce_ev);
	p->next_announce = at;
	p->announce_ev = engine_schedule_at(s->e, at, announce_ev, p);
}

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
			struct swarm_peer *q = g_hash_table_lookup(s->peers, &id);

			if (q && q->torrent == p->torrent)
				peer_connect(s, p, q, now);
		}
	}
	/* A failed announce is tried again after the shorter interval. */
	announce_at(s, p, now + (!ok || p->conns->len < s->c.min_peers ?
				 s->c.min_announce_interval : s->c.announce_interval));
}

static void
announce_soon(struct swarm *s, struct swarm_peer *p, fc_time_t now)
{
	fc_time_t at;

	if (p->conns->len >= s->c.min_peers)
		return;
	at = MAX(now, p->last_announce + s->c.min_announce_interval);
	if (!p->announce_ev || p->next_announce > at)
		announce_at(s, p, at);
}

struct cand {
	struct conn *c;
	uint64_t rate;
	uint32_t tie;
	bool regular;
};

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	return x->tie < y->tie ? -1 : x->tie > y->tie;
}

/*
 * The periodic rechoke of u: the regular slots to the interested neighbours
 * with the best rates, the optimistic ones kept until their interval is up
 * (then redrawn among the rest); then the rate windows move on.
 */
static void
rechoke(struct swarm *s, struct swarm_peer *u, fc_time_t now)
{
	g_autofree struct cand *cand = g_new(struct cand, u->conns->len + 1);
	gsl_rng *r = rng_stream_gsl(&u->rng);
	size_t n = 0, others = 0;
	unsigned opt = 0;
	bool rotate = now >= u->next_optimistic;

	if (rotate)
		u->next_optimistic = now + s->c.optimistic_interval;
	for (guint i = 0; i < u->conns->len; i++) {
		struct conn *c = u->conns->pdata[i];
		int ku = end_of(c, u);

		for (int k = 0; k < 2; k++)
			if (c->s[k].flow)
				credit(s, c, k, net_flow_received(s->net, c->s[k].flow), false);
		if (rotate)
			c->s[ku].optimistic = false;
		if (!c->s[1 - ku].interested) {
			c->s[ku].optimistic = false;
			continue;
		}
		cand[n].c = c;
		cand[n].rate = u->seed ? c->s[ku].sent[0] + c->s[ku].sent[1] :
			       c->s[ku].recv[0] + c->s[ku].recv[1];
		cand[n].tie = (uint32_t)gsl_rng_get(r);
		cand[n].regular = false;
		n++;
	}
	qsort(cand, n, sizeof *cand, cand_cmp);
	for (size_t i = 0; i < n; i++) {
		struct side *su = &cand[i].c->s[end_of(cand[i].c, u)];

		if (i < s->c.regular_unchokes) {
			cand[i].regular = true;
			su->optimistic = false;
		} else if (su->optimistic) {
			opt++;
		} else {
			others++;
		}
	}
	/* Optimistic slots left: drawn at random among the others. */
	while (opt < s->c.optimistic_unchokes && others > 0) {
		size_t pick = gsl_rng_uniform_int(r, others);

		for (size_t i = s->c.regular_unchokes; i < n; i++) {
			struct side *su = &cand[i].c->s[end_of(cand[i].c, u)];

			if (su->optimistic)
				continue;
			if (pick-- == 0) {
				su->optimistic = true;
				break;
			}
		}
		opt++;
		others--;
	}
	/* Chokes first, so that the count of unchoked stays within slots. */
	for (guint i = 0; i < u->conns->len; i++) {
		struct conn *c = u->conns->pdata[i];
		int ku = end_of(c, u);
		bool want = false;

		for (size_t j = 0; j < n && j < s->c.regular_unchokes; j++)
			want |= cand[j].c == c;
		want |= c->s[ku].optimistic;
		if (!want && !c->s[ku].choking)
			choke(s, c, ku, now);
	}
	for (size_t i = 0; i < n; i++) {
		struct conn *c = cand[i].c;
		int ku = end_of(c, u);

		if ((cand[i].regular || c->s[ku].optimistic) && c->s[ku].choking &&
		    c->s[1 - ku].interested && !u->leaving)
			unchoke(s, c, ku);
	}
	/* Slots the rules left empty (few regular candidates) still serve. */
	fill(s, u);
	for (guint i = 0; i < u->conns->len; i++) {
		struct conn *c = u->conns->pdata[i];
		struct side *su = &c->s[end_of(c, u)];

		su->recv[1] = su->recv[0];
		su->sent[1] = su->sent[0];
		su->recv[0] = su->sent[0] = 0;
	}
}

static void
rechoke_ev(struct engine *e, void *data, fc_time_t now)
{
	struct swarm_peer *p = data;

	p->rechoke_ev = engine_schedule(e, p->sw->c.rechoke_interval, rechoke_ev, p);
	rechoke(p->sw, p, now);
}

struct swarm_peer *
swarm_join(struct swarm *s, uint32_t torrent, uint64_t id, const net_link *up, size_t nup,
	   const net_link *down, size_t ndown, bool seed, const struct swarm_hooks *hooks,
	   void *data)
{
	struct torrent *t = torrent_at(s, torrent);
	struct swarm_peer *p = g_new0(struct swarm_peer, 1);
	size_t words = pieces_words(t->npieces);
	fc_time_t now = engine_now(s->e);

	g_assert(nup >= 1 && nup <= 2 && ndown >= 1 && ndown <= 2);
	g_assert(!g_hash_table_contains(s->peers, &id));
	p->sw = s;
	p->id = id;
	p->torrent = torrent;
	memcpy(p->up, up, nup * sizeof *up);
	memcpy(p->down, down, ndown * sizeof *down);
	p->nup = (uint8_t)nup;
	p->ndown = (uint8_t)ndown;
	p->have = g_new0(uint64_t, 2 * words);
	p->flight = p->have + words;
	p->avail = g_new0(uint32_t, t->npieces);
	p->conns = g_ptr_array_new();
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
	g_hash_table_insert(s->peers, &p->id, p);
	/* Rechokes at a phase of its own. */
	p->next_optimistic = now;
	p->rechoke_ev = engine_schedule(s->e, 1 + (fc_time_t)(gsl_rng_uniform(rng_stream_gsl(&p->rng)) *
								   (double)s->c.rechoke_interval),
					rechoke_ev, p);
	announce(s, p, TRACKER_STARTED, now);
	return p;
}

static void
peer_free(struct swarm_peer *p)
{
	engine_cancel(p->sw->e, p->rechoke_ev);
	engine_cancel(p->sw->e, p->announce_ev);
	g_ptr_array_unref(p->conns);
	if (p->partials)
		g_array_unref(p->partials);
	g_free(p->have);
	g_free(p->avail);
	g_free(p);
}

void
swarm_leave(struct swarm *s, struct swarm_peer *p)
{
	struct torrent *t = torrent_at(s, p->torrent);
	fc_time_t now = engine_now(s->e);

	g_assert(!p->leaving);
	p->leaving = true;
	announce(s, p, TRACKER_STOPPED, now);
	while (p->conns->len > 0)
		disconnect(s, p->conns->pdata[p->conns->len - 1], now);
	if (p->partials)
		for (guint i = 0; i < p->partials->len; i++) {
			const struct partial *x = &g_array_index(p->partials, struct partial, i);
			uint64_t b = mask_bytes(s, p->torrent, x->piece, x->received);

			s->b.partial -= b;
			s->b.lost += b;
		}
	if (p->seed)
		t->seeds--;
	else
		t->leechers--;
	g_hash_table_remove(s->peers, &p->id);
	peer_free(p);
}

bool
swarm_peer_seed(const struct swarm_peer *p)
{
	return p->seed;
}

bool
swarm_peer_has(const struct swarm_peer *p, uint32_t piece)
{
	return piece < npieces_of(p) && pieces_has(p->have, piece);
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
swarm_peer_id(const struct swarm_peer *p)
{
	return p->id;
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

uint64_t
swarm_uploaded_by(const struct swarm *s, unsigned cls)
{
	g_assert(cls < SWARM_CLASSES);
	return s->up_by[cls];
}

size_t
swarm_seeds(const struct swarm *s, uint32_t torrent)
{
	return torrent_at(s, torrent)->seeds;
}

size_t
swarm_leechers(const struct swarm *s, uint32_t torrent)
{
	return torrent_at(s, torrent)->leechers;
}

struct swarm_bytes
swarm_bytes(const struct swarm *s)
{
	return s->b;
}

static gint
peer_cmp(gconstpointer a, gconstpointer b)
{
	const struct swarm_peer *x = *(struct swarm_peer *const *)a;
	const struct swarm_peer *y = *(struct swarm_peer *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
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
		uint32_t n = npieces_of(p);
		g_autofree uint32_t *avail = g_new0(uint32_t, n);
		unsigned unchoked = 0;

		g_assert_cmpuint(pieces_count(p->have, n), ==, p->npieces);
		g_assert(p->seed == (p->npieces == n));
		g_assert_cmpuint(p->conns->len, <=, s->c.max_connections);
		for (guint j = 0; j < p->conns->len; j++) {
			const struct conn *c = p->conns->pdata[j];
			int k = end_of(c, p);
			const struct swarm_peer *o = c->p[1 - k];

			g_assert(c->p[k] == p && c->pos[k] == j);
			g_assert(!(p->seed && o->seed));
			for (uint32_t x = 0; x < n; x++)
				avail[x] += pieces_has(o->have, x);
			if (!c->s[k].choking) {
				unchoked++;
				g_assert(c->s[1 - k].interested);
			}
			g_assert(c->s[k].interested == (!p->seed && has_wanted(o, p)));
			if (c->s[k].flow) {
				g_assert(!c->s[1 - k].choking);
				const struct partial *x = partial_find(p, c->s[k].piece);
				uint64_t mine = all_blocks(c->s[k].nblocks) << c->s[k].first;

				g_assert(x && (x->requested & mine) == mine);
				g_assert(!pieces_has(p->have, c->s[k].piece));
			}
		}
		g_assert_cmpuint(unchoked, ==, p->unchoked);
		g_assert_cmpuint(unchoked, <=, slots(s));
		g_assert(memcmp(avail, p->avail, n * sizeof *avail) == 0);
		if (p->partials)
			for (guint j = 0; j < p->partials->len; j++) {
				const struct partial *x = &g_array_index(p->partials,
									 struct partial, j);
				uint64_t full = all_blocks(blocks_in(s, p->torrent, x->piece));

				g_assert(!pieces_has(p->have, x->piece));
				g_assert((x->received & ~x->requested) == 0);
				g_assert(x->received != full);
				g_assert(pieces_has(p->flight, x->piece) == (x->requested == full));
				partial += mask_bytes(s, p->torrent, x->piece, x->received);
			}
	}
	g_assert_cmpuint(partial, ==, s->b.partial);
	g_assert_cmpuint(s->b.sent, ==, s->b.pieces + s->b.partial + s->b.wasted + s->b.lost);
	for (unsigned k = 0; k < SWARM_CLASSES; k++)
		by_class += s->up_by[k];
	g_assert_cmpuint(by_class, ==, s->b.sent);
}
