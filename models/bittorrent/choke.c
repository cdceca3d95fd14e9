/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Interest and choking (see swarm.h): whether a peer wants something of a
 * neighbour, the upload slots a peer gives to interested neighbours (by
 * rate at each rechoke, plus optimistic ones drawn at random), slots freed
 * between rechokes given at once, and the rechoke timer itself.
 */
#include <stdlib.h>

#include <glib.h>
#include <gsl/gsl_rng.h>

#include "models/bittorrent/pieces.h"
#include "models/bittorrent/swarm-private.h"

/* Whether u has a piece d lacks. */
bool
swarm__has_wanted(const struct swarm_peer *u, const struct swarm_peer *d)
{
	for (size_t w = 0; w < pieces_words(swarm__npieces(d)); w++)
		if (u->have[w] & ~d->have[w])
			return true;
	return false;
}

static void
unchoke(struct swarm *s, struct conn *c, int ku)
{
	g_assert(c->s[ku].choking);
	c->s[ku].choking = false;
	swarm__conn_update(c, 1 - ku);
	c->p[ku]->unchoked++;
	swarm__request(s, c, 1 - ku);
}

/*
 * End ku chokes the other: the blocks of its request not begun are
 * dropped (free to be asked of others), the block under way is finished.
 * A choke stops the uploader from serving requests; it does not cut a
 * piece message in the middle.
 */
static void
choke(struct swarm *s, struct conn *c, int ku, fc_time_t now)
{
	(void)now;
	g_assert(!c->s[ku].choking);
	c->s[ku].choking = true;
	swarm__conn_update(c, 1 - ku);
	c->s[ku].optimistic = false;
	c->p[ku]->unchoked--;
	if (c->s[1 - ku].flow && swarm__finish_block(s, c, 1 - ku))
		swarm__kick(s, c->p[1 - ku]);
}

unsigned
swarm__slots(const struct swarm *s)
{
	return s->c.regular_unchokes + s->c.optimistic_unchokes;
}

/* Gives u's free upload slots to interested neighbours drawn at random. */
void
swarm__fill(struct swarm *s, struct swarm_peer *u)
{
	while (!u->leaving && u->unchoked < swarm__slots(s)) {
		struct conn *pick = NULL;
		unsigned seen = 0;

		for (guint i = 0; i < u->conns->len; i++) {
			struct conn *c = u->conns->pdata[i];
			int ku = swarm__end_of(c, u);

			if (c->s[ku].choking && c->s[1 - ku].interested &&
			    gsl_rng_uniform_int(rng_stream_gsl(&u->rng), ++seen) == 0)
				pick = c;
		}
		if (!pick)
			return;
		unchoke(s, pick, swarm__end_of(pick, u));
	}
}

/* Side k's interest in the other end becomes v. */
void
swarm__set_interested(struct swarm *s, struct conn *c, int k, bool v, fc_time_t now)
{
	struct swarm_peer *u = c->p[1 - k];

	if (c->s[k].interested == v)
		return;
	c->s[k].interested = v;
	swarm__conn_update(c, k);
	if (v) {
		if (!u->leaving && u->unchoked < swarm__slots(s))
			unchoke(s, c, 1 - k);
	} else if (!c->s[1 - k].choking) {
		choke(s, c, 1 - k, now);
		swarm__fill(s, u);
	}
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
		u->next_optimistic = fc_time_add(now, s->c.optimistic_interval);
	for (guint i = 0; i < u->conns->len; i++) {
		struct conn *c = u->conns->pdata[i];
		int ku = swarm__end_of(c, u);

		for (int k = 0; k < 2; k++)
			if (c->s[k].flow)
				swarm__credit(s, c, k, net_flow_received(s->net, c->s[k].flow),
					      false);
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
		struct side *su = &cand[i].c->s[swarm__end_of(cand[i].c, u)];

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
			struct side *su = &cand[i].c->s[swarm__end_of(cand[i].c, u)];

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
		int ku = swarm__end_of(c, u);
		bool want = false;

		for (size_t j = 0; j < n && j < s->c.regular_unchokes; j++)
			want |= cand[j].c == c;
		want |= c->s[ku].optimistic;
		if (!want && !c->s[ku].choking)
			choke(s, c, ku, now);
	}
	for (size_t i = 0; i < n; i++) {
		struct conn *c = cand[i].c;
		int ku = swarm__end_of(c, u);

		if ((cand[i].regular || c->s[ku].optimistic) && c->s[ku].choking &&
		    c->s[1 - ku].interested && !u->leaving)
			unchoke(s, c, ku);
	}
	/* Slots the rules left empty (few regular candidates) still serve. */
	swarm__fill(s, u);
	for (guint i = 0; i < u->conns->len; i++) {
		struct conn *c = u->conns->pdata[i];
		struct side *su = &c->s[swarm__end_of(c, u)];

		su->recv[1] = su->recv[0];
		su->sent[1] = su->sent[0];
		su->recv[0] = su->sent[0] = 0;
	}
}

/* The rechoke timer: every rechoke_interval from the peer's phase on. */
static void
rechoke_ev(struct engine *e, void *data, fc_time_t now)
{
	struct swarm_peer *p = data;

	p->rechoke_ev = engine_schedule(e, p->sw->c.rechoke_interval, rechoke_ev, p);
	net_hold(p->sw->net);
	rechoke(p->sw, p, now);
	net_release(p->sw->net);
}

void
swarm__rechoke_start(struct swarm *s, struct swarm_peer *p, fc_time_t now)
{
	fc_time_t phase;

	/* Rechokes at a phase of its own, drawn in [0, rechoke_interval), the
	 * first at least a nanosecond after joining. */
	p->next_optimistic = now;
	phase = (fc_time_t)(gsl_rng_uniform(rng_stream_gsl(&p->rng)) *
			    (double)s->c.rechoke_interval);
	p->rechoke_ev = engine_schedule(s->e, FC_NSEC + phase, rechoke_ev, p);
}
