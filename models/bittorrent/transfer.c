/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Moving data between peers (see swarm.h): pieces cut into blocks, the
 * requests a downloader makes of an unchoking neighbour, the flows that
 * carry them over the network, the crediting of the bytes that arrived,
 * the endgame, and what a completed piece sets off.
 */
#include <glib.h>

#include "models/bittorrent/pieces.h"
#include "models/bittorrent/swarm-private.h"


/* Blocks: a piece is cut into blocks of block_size (at most SWARM_MAX_BLOCKS). */
uint32_t
swarm__blocks_in(const struct swarm *s, uint32_t torrent, uint32_t piece)
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

/*
 * Bytes of the blocks in mask.  Every block is block_size long but the
 * piece's last, which is short by what the piece lacks of whole blocks.
 */
uint64_t
swarm__mask_bytes(const struct swarm *s, uint32_t torrent, uint32_t piece, uint64_t mask)
{
	uint64_t len = swarm_piece_bytes(s, torrent, piece), bs = s->c.block_size;
	uint64_t nb = (len + bs - 1) / bs;
	uint64_t sum = (uint64_t)__builtin_popcountll(mask) * bs;

	if ((mask >> (nb - 1)) & 1)
		sum -= nb * bs - len;
	return sum;
}

/*
 * The count of flows fetching each block of x (struct partial) goes up by
 * one for the blocks in m, or down by one: a bit-sliced add or subtract.
 */
static void
cover_add(struct partial *x, uint64_t m)
{
	for (int i = 0; i < SWARM_COVER_BITS; i++) {
		uint64_t carry = x->cover[i] & m;

		x->cover[i] ^= m;
		m = carry;
	}
	g_assert(m == 0); /* more flows on a block than the count holds */
}

static void
cover_sub(struct partial *x, uint64_t m)
{
	for (int i = 0; i < SWARM_COVER_BITS; i++) {
		uint64_t borrow = ~x->cover[i] & m;

		x->cover[i] ^= m;
		m = borrow;
	}
	g_assert(m == 0); /* a flow that was not counted */
}

/* Partial pieces: few at a time, kept in a small array. */
struct partial *
swarm__partial_find(const struct swarm_peer *p, uint32_t piece)
{
	if (p->partials)
		for (guint i = 0; i < p->partials->len; i++)
			if (g_array_index(p->partials, struct partial, i).piece == piece)
				return &g_array_index(p->partials, struct partial, i);
	return NULL;
}

static struct partial *
partial_add(struct swarm *s, struct swarm_peer *p, uint32_t piece)
{
	struct partial np = { .piece = piece,
			      .full = swarm__all_blocks(swarm__blocks_in(s, p->torrent, piece)) };

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
void
swarm__credit(struct swarm *s, struct conn *c, int k, uint64_t got, bool final)
{
	uint64_t delta = got - c->s[k].credited;

	c->s[k].recv[0] += delta;
	c->s[1 - k].sent[0] += delta;
	c->s[k].credited = got;
	if (final) {
		c->p[k]->downloaded += got;
		c->p[1 - k]->uploaded += got;
		s->up_by[c->p[1 - k]->cls] += got;
		swarm__torrent_at(s, c->p[1 - k]->torrent)->up_by[c->p[1 - k]->cls] += got;
		s->b.sent += got;
		c->s[k].credited = 0;
	}
}

static void piece_done(struct net *n, struct net_flow *f, void *data, fc_time_t now);

/*
 * Side sd's flow has ended (its flow is NULL now): its blocks no longer
 * count as on their way.  A piece d has complete has no partial, and
 * nothing to count.
 */
static void
uncover(struct swarm_peer *d, const struct side *sd)
{
	struct partial *x = swarm__partial_find(d, sd->piece);

	if (x)
		cover_sub(x, swarm__side_blocks(sd));
}

/* The block side sd's flow is receiving: the first it has not delivered
 * whole. */
static uint32_t
block_under_way(const struct swarm *s, const struct side *sd)
{
	uint64_t got = net_flow_received(s->net, sd->flow);
	uint64_t before_last = (uint64_t)(sd->nblocks - 1) * s->c.block_size;

	/* Only the piece's last block is short, and only the flow's last
	 * block can be the piece's last: the ones before are all whole.  In
	 * the endgame most flows are on their last block: no division. */
	if (got >= before_last)
		return (uint32_t)sd->first + sd->nblocks - 1;
	return sd->first + (uint32_t)(got / s->c.block_size);
}

static bool trim(struct swarm *s, struct conn *c, int k, uint32_t from);

/*
 * Endgame, first step: a flow of d that carries blocks of a piece u has
 * beyond the one it is receiving gives them up, so that d can ask u for
 * them instead of for copies.  Returns whether one did.
 *
 * A real client in endgame asks for every block it lacks again, and the
 * copy of a block the first uploader has not begun to send costs nothing:
 * whichever arrives first, the other request is cancelled before it is
 * sent.  Here a request of several blocks is one flow, whose blocks the
 * swarm learns of only when it ends; a copy of a block in its middle
 * would arrive whole twice.  Handing the blocks not begun to the idle
 * connection is what the real exchange comes to.
 */
static bool
take_over_tail(struct swarm *s, struct swarm_peer *d, const struct swarm_peer *u)
{
	/* A flow of one block has no tail to give up. */
	SWARM_SET_FOREACH(i, d, SWARM_MULTI) {
		struct conn *o = d->conns->pdata[i];
		int ko = swarm__end_of(o, d);
		struct side *so = &o->s[ko];
		uint32_t cur;

		if (!pieces_has(u->have, so->piece))
			continue;
		cur = block_under_way(s, so);
		if (cur + 1 < (uint32_t)so->first + so->nblocks && trim(s, o, ko, cur + 1))
			return true;
	}
	return false;
}

/* Bytes side sd's flow has yet to deliver. */
static uint64_t
flow_left(const struct swarm *s, const struct swarm_peer *d, const struct side *sd)
{
	uint64_t all = swarm__mask_bytes(s, d->torrent, sd->piece,
					 swarm__all_blocks(sd->nblocks) << sd->first);

	return all - net_flow_received(s->net, sd->flow);
}

/*
 * Endgame, second step: side k asks the other end for a copy of the block
 * that the flows of d will deliver last (every flow on a piece the other
 * has is on its last block by now, see take_over_tail), one second copy
 * at most per block.  The copy is kept only if, at the rates the network
 * gives both once it has begun, it arrives first; else it is withdrawn at
 * once, before a byte is sent.  Real clients ask for copies blindly
 * because rates change under them and a copy sometimes wins; in the flow
 * model rates change only when flows come and go, and a copy that cannot
 * win at the start is a waste of the downloader's link (of all of it, to
 * the nanosecond, when both start together at one rate).  The original
 * it lost to, the best there was, ends by the time it is due at its
 * rate, and that sets off requests anyway: the connection asks for no
 * copy before then (trying at every block that arrives cost a swarm of
 * 1,000 peers half its run time).
 */
static void
endgame_copy(struct swarm *s, struct conn *c, int k)
{
	struct swarm_peer *d = c->p[k], *u = c->p[1 - k];
	struct side *sd = &c->s[k], *orig = NULL;
	struct partial *x;
	double orig_due = 0;
	net_link path[SWARM_MAX_PATH];
	size_t npath;
	uint64_t bytes;
	uint32_t last;
	fc_time_t now = engine_now(s->e);
	double due;
	bool hopeless;

	if (now < sd->copy_after)
		return;
	SWARM_SET_FOREACH(i, d, SWARM_BUSY) {
		const struct conn *o = d->conns->pdata[i];
		struct side *so = (struct side *)&o->s[swarm__end_of(o, d)];
		double left;

		if (!pieces_has(u->have, so->piece))
			continue;
		last = (uint32_t)so->first + so->nblocks - 1;
		x = swarm__partial_find(d, so->piece);
		g_assert(x);
		if (swarm__doubled(x) & ((uint64_t)1 << last))
			continue;
		left = (double)flow_left(s, d, so) / MAX(net_flow_rate(so->flow), 1.0);
		if (!orig || left > orig_due) {
			orig = so;
			orig_due = left;
		}
	}
	if (!orig)
		return;
	last = (uint32_t)orig->first + orig->nblocks - 1;
	bytes = block_bytes(s, d->torrent, orig->piece, last);
	npath = path_of(u, d, path);
	/*
	 * Most copies cannot win: a download-limited peer's flows share its
	 * link equally, and an upload-limited one's uploaders are alike.
	 * Starting a copy to learn its rate costs two recomputations of the
	 * rates around it, so the rate its path has free for it comes first
	 * (net_path_rate(): never below the copy's rate).  The original keeps
	 * its rate if slower than the copy, or stays at least as fast as the
	 * copy; so when it has no more than the copy's block left, a copy
	 * that cannot win at that free rate would lose once started too, and
	 * is not started.  A tie within rounding is left to the network.  The
	 * original is then due at the rate it has.
	 */
	hopeless = flow_left(s, d, orig) <= bytes &&
		   8.0 * (double)bytes / MAX(net_path_rate(s->net, path, npath), 1.0) >
			   8.0 * orig_due * (1 + 1e-9);
	if (hopeless && !s->c.exact_copies) {
		sd->copy_after = fc_time_add(now, fc_time_from_sec(8.0 * orig_due));
		return;
	}
	sd->piece = orig->piece;
	sd->first = (uint8_t)last;
	sd->nblocks = 1;
	sd->credited = 0;
	sd->flow = net_flow_start(s->net, path, npath, bytes, piece_done, c);
	swarm__conn_update(c, k);
	due = 8.0 * (double)flow_left(s, d, orig) / MAX(net_flow_rate(orig->flow), 1.0);
	if (8.0 * (double)bytes / MAX(net_flow_rate(sd->flow), 1.0) >= due) {
		net_flow_cancel(s->net, sd->flow);
		sd->flow = NULL;
		swarm__conn_update(c, k);
		sd->copy_after = fc_time_add(now, fc_time_from_sec(due));
		return;
	}
	/* Tests (exact_copies): the estimate turned down no copy that wins. */
	if (hopeless)
		g_error("endgame copy turned down by its free rate but wins at %.17g bit/s "
			"against the original due in %.17g s",
			net_flow_rate(sd->flow), due);
	x = swarm__partial_find(d, sd->piece);
	g_assert(x);
	cover_add(x, (uint64_t)1 << last);
}

/*
 * Side k asks the other end for up to request_blocks blocks in a row: of a
 * piece already begun that the other has, else of the piece pieces_pick
 * chooses (in endgame, blocks other flows have not begun, else a copy of
 * one under way).
 */
void
swarm__request(struct swarm *s, struct conn *c, int k)
{
	struct swarm_peer *d = c->p[k], *u = c->p[1 - k];
	struct side *sd = &c->s[k];
	struct partial *pp = NULL;
	net_link path[SWARM_MAX_PATH];
	size_t n;
	uint64_t free_blocks, mine;
	uint32_t first, run;
	bool endgame = false;

	if (sd->flow || !sd->interested || c->s[1 - k].choking || d->seed || d->leaving ||
	    u->leaving)
		return;
	if (d->partials)
		for (guint i = 0; i < d->partials->len && !pp; i++) {
			struct partial *x = &g_array_index(d->partials, struct partial, i);

			if (x->requested != x->full && pieces_has(u->have, x->piece))
				pp = x;
		}
	if (!pp) {
		struct pieces_choice ch = { swarm__npieces(d), d->have, u->have, d->flight,
					    d->avail, s->c.random_first };
		int64_t piece = pieces_pick(&ch, &d->rng, &endgame);

		if (piece < 0)
			return; /* what it wants is on its way from others */
		pp = swarm__partial_find(d, (uint32_t)piece);
		if (!pp)
			pp = partial_add(s, d, (uint32_t)piece);
	}
	free_blocks = ~pp->requested & pp->full;
	if (endgame && take_over_tail(s, d, u)) {
		swarm__request(s, c, k);
		return;
	}
	if (endgame) {
		/* A copy of the block due last, if it can arrive first. */
		endgame_copy(s, c, k);
		return;
	}
	g_assert(free_blocks);
	first = (uint32_t)__builtin_ctzll(free_blocks);
	for (run = 0; run < s->c.request_blocks && first + run < SWARM_MAX_BLOCKS &&
		      ((free_blocks >> (first + run)) & 1); run++)
		;
	mine = swarm__all_blocks(run) << first;
	pp->requested |= mine;
	cover_add(pp, mine);
	if (pp->requested == pp->full)
		pieces_add(d->flight, pp->piece);
	sd->piece = pp->piece;
	sd->first = (uint8_t)first;
	sd->nblocks = (uint8_t)run;
	sd->credited = 0;
	n = path_of(u, d, path);
	sd->flow = net_flow_start(s->net, path, n,
				  swarm__mask_bytes(s, d->torrent, pp->piece, mine), piece_done, c);
	swarm__conn_update(c, k);
}

/*
 * Requests on every connection of d that is idle and may carry one, in the
 * order of d's connections: those that are not ready would return at once,
 * so only the ready ones are asked (a request changes the readiness of its
 * own connection only, and the set is read afresh after each).
 */
void
swarm__kick(struct swarm *s, struct swarm_peer *d)
{
	SWARM_SET_FOREACH(i, d, SWARM_READY) {
		struct conn *c = d->conns->pdata[i];

		swarm__request(s, c, swarm__end_of(c, d));
	}
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
	struct partial *pp = swarm__partial_find(d, sd->piece);
	uint64_t len = swarm_piece_bytes(s, d->torrent, sd->piece), bs = s->c.block_size;

	for (uint32_t b = sd->first; b < (uint32_t)sd->first + sd->nblocks; b++) {
		uint64_t bit = (uint64_t)1 << b, bb = MIN(bs, len - (uint64_t)b * bs);

		if (got >= bb && !(pp->received & bit)) {
			pp->received |= bit;
			s->b.partial += bb;
		} else if (got >= bb) {
			s->b.wasted += bb;
		} else {
			s->b.wasted += got;
			if (!(pp->received & bit) && !(swarm__covered(pp) & bit))
				pp->requested &= ~bit;
		}
		got -= MIN(got, bb);
	}
	if (pp->requested != pp->full)
		pieces_remove(d->flight, sd->piece);
	if (pp->received != pp->full)
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
	struct partial *pp = swarm__partial_find(d, sd->piece);
	uint64_t mine = swarm__side_blocks(sd), kept, dropped, keep;

	if (from <= sd->first)
		return false;
	kept = swarm__all_blocks(from - sd->first) << sd->first;
	keep = swarm__mask_bytes(s, d->torrent, sd->piece, kept);
	if (net_flow_received(s->net, sd->flow) >= keep)
		return false;
	net_flow_shrink(s->net, sd->flow, keep);
	sd->nblocks = (uint8_t)(from - sd->first);
	swarm__conn_update(c, k);
	dropped = mine & ~kept;
	cover_sub(pp, dropped);
	pp->requested &= ~(dropped & ~pp->received & ~swarm__covered(pp));
	if (pp->requested != pp->full)
		pieces_remove(d->flight, sd->piece);
	return true;
}

/* Side k's flow ends with the block it is receiving; returns whether it
 * dropped blocks after it. */
bool
swarm__finish_block(struct swarm *s, struct conn *c, int k)
{
	struct side *sd = &c->s[k];
	uint32_t cur = block_under_way(s, sd);

	return cur + 1 < (uint32_t)sd->first + sd->nblocks && trim(s, c, k, cur + 1);
}

/*
 * Cuts side k's flow short.  Returns the piece if what arrived completed
 * it (then the caller calls swarm__piece_arrived), or -1.
 */
int64_t
swarm__cut(struct swarm *s, struct conn *c, int k)
{
	struct swarm_peer *d = c->p[k];
	struct side *sd = &c->s[k];
	uint64_t got = net_flow_cancel(s->net, sd->flow);

	sd->flow = NULL;
	swarm__conn_update(c, k);
	uncover(d, sd);
	swarm__credit(s, c, k, got, true);
	if (pieces_has(d->have, sd->piece)) {
		s->b.wasted += got;
		return -1;
	}
	return blocks_arrived(s, d, sd, got) ? (int64_t)sd->piece : -1;
}

/*
 * A piece has arrived at d: copies still on their way are cut short, the
 * neighbours hear of it (and may want it), d may want less of them.
 */
void
swarm__piece_arrived(struct swarm *s, struct swarm_peer *d, uint32_t piece, fc_time_t now)
{
	pieces_add(d->have, piece);
	pieces_remove(d->flight, piece);
	d->npieces++;
	SWARM_SET_FOREACH(i, d, SWARM_BUSY) {
		struct conn *c = d->conns->pdata[i];
		int k = swarm__end_of(c, d);

		if (c->s[k].piece == piece)
			(void)swarm__cut(s, c, k); /* a duplicate: waste */
	}
	for (guint i = 0; i < d->conns->len; i++) {
		struct conn *c = d->conns->pdata[i];
		int k = swarm__end_of(c, d);
		struct swarm_peer *o = c->p[1 - k];

		o->avail[piece]++;
		if (!o->seed && !pieces_has(o->have, piece))
			swarm__set_interested(s, c, 1 - k, true, now);
		if (c->s[k].interested && pieces_has(o->have, piece) && !swarm__has_wanted(o, d))
			swarm__set_interested(s, c, k, false, now);
	}
	if (d->hooks && d->hooks->piece)
		d->hooks->piece(d, piece, d->data, now);
	if (d->npieces == swarm__npieces(d))
		swarm__become_seed(s, d, now);
	else
		swarm__kick(s, d);
}

static void
piece_done(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	struct conn *c = data;
	int k = c->s[1].flow == f;
	struct swarm_peer *d = c->p[k];
	struct side *sd = &c->s[k];
	struct swarm *s = d->sw;
	uint64_t bytes;

	(void)n;
	g_assert(sd->flow == f && !pieces_has(d->have, sd->piece));
	bytes = swarm__mask_bytes(s, d->torrent, sd->piece, swarm__side_blocks(sd));
	sd->flow = NULL;
	swarm__conn_update(c, k);
	uncover(d, sd);
	swarm__credit(s, c, k, bytes, true);
	if (blocks_arrived(s, d, sd, bytes)) {
		swarm__piece_arrived(s, d, sd->piece, now);
		return;
	}
	/* Endgame: copies of these blocks still on their way are cancelled. */
	SWARM_SET_FOREACH(i, d, SWARM_BUSY) {
		struct conn *o = d->conns->pdata[i];
		struct side *so = &o->s[swarm__end_of(o, d)];

		if (so->piece == sd->piece && so->first < sd->first + sd->nblocks &&
		    sd->first < so->first + so->nblocks) {
			if (trim(s, o, swarm__end_of(o, d), MAX(so->first, sd->first)))
				continue;
			if (swarm__cut(s, o, swarm__end_of(o, d)) >= 0) {
				swarm__piece_arrived(s, d, sd->piece, now);
				return;
			}
		}
	}
	swarm__kick(s, d);
}
