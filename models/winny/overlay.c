/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Peers, their sessions, presence probes and search links.
 *
 * A peer is online for an exponential session and offline for an
 * exponential pause whose mean keeps [winny] availability of the peers
 * that only download online (the stationary share of an on/off process);
 * uploaders' sessions are uploader_stay times longer (uploaders stay
 * long).  At time 0 each peer is online with its stationary probability
 * and, the distributions being memoryless, its first session or pause is a
 * full one.
 *
 * While online, a peer keeps up_links search links towards upstream peers,
 * those whose declared line speed is no lower than its own (Winny's search
 * network puts fast peers above slow ones), and accepts up to down_links
 * from below.  It opens a link to a peer from its node list (learnt from
 * the node information that probes exchange; a share [winny] stale of the
 * entries are peers that have gone): a peer that is gone leaves its SYNs
 * unanswered; one with no free slot answers, swaps node
 * information and closes.  A link lasts an exponential time, at most
 * link_life_max (Winny keeps rotating its links towards better ones), or
 * until either end leaves; keys flow over it at key_rate each way.  Every
 * probe_interval on average, a peer also checks that a peer from its list
 * is there: an open, a hello of node information each way, a close.
 *
 * Probes between two peers outside every stub network cross no tap and
 * change no state, so they are not simulated.  The probes that outside
 * peers send to an inside peer are drawn per inside peer, as the thinned
 * superposition of all outside peers' probes: at the largest rate they
 * can have (probe_in_max()), each kept with the probability that the rate
 * now (which depends on who is online) bears to it.
 */
#include "models/winny/internal.h"

#include <math.h>

#include <gsl/gsl_randist.h>

static void peer_join(struct engine *e, void *data, fc_time_t now);
static void peer_leave(struct engine *e, void *data, fc_time_t now);
static void link_attempt(struct engine *e, void *data, fc_time_t now);

static gsl_rng *
prng(struct peer *p)
{
	return rng_stream_gsl(&p->rng);
}

static fc_time_t
exp_time(gsl_rng *r, fc_time_t mean)
{
	return fc_time_from_sec(gsl_ran_exponential(r, fc_time_to_sec(mean)));
}

fc_time_t
overlay_rtt(const struct winny *w, const struct peer *a, const struct peer *b)
{
	(void)a;
	(void)b;
	return 4 * w->p.latency;
}

uint16_t
overlay_ephemeral(struct peer *p)
{
	uint16_t port = (uint16_t)(WINNY_EPHEMERAL_FIRST + p->next_ephemeral);

	p->next_ephemeral = (uint16_t)((p->next_ephemeral + 1) % WINNY_EPHEMERAL_PORTS);
	return port;
}

static struct peer *
overlay_random_peer(struct winny *w, struct peer *self)
{
	uint64_t i = gsl_rng_uniform_int(prng(self), w->npeers - 1);

	if (i >= self->id)
		i++;
	return &w->peers[i];
}

/*
 * A peer from self's node list: with probability [winny] stale an entry
 * whose peer may have gone (any peer of the overlay), otherwise one that
 * is online, found by rejection (a fresh entry).
 */
static struct peer *
known_peer(struct winny *w, struct peer *self)
{
	struct peer *q = overlay_random_peer(w, self);

	if (gsl_rng_uniform(prng(self)) < w->p.stale)
		return q;
	for (int i = 0; i < 64 * WINNY_CANDIDATE_TRIES && !q->online; i++)
		q = overlay_random_peer(w, self);
	return q;
}

void
overlay_log_failed(struct winny *w, struct peer *a, struct peer *b, fc_time_t now,
		   const char *kind)
{
	uint32_t syns = (uint32_t)w->p.syn_retries + 1;

	w->failed_connects++;
	if (tap_crosses(a, b))
		tap_log(w, a, b, overlay_ephemeral(a), now,
			now + syns * w->p.connect_timeout, 0, syns, 0, 0, kind);
}

void
overlay_log_short(struct winny *w, struct peer *a, struct peer *b, fc_time_t now,
		  uint64_t bytes, const char *kind)
{
	if (tap_crosses(a, b))
		tap_log(w, a, b, overlay_ephemeral(a), now, now + 2 * overlay_rtt(w, a, b),
			bytes, bytes ? 1 : 0, bytes, bytes ? 1 : 0, kind);
}

/* Search links. */

static bool
upstream_of(const struct peer *p, const struct peer *q)
{
	return q->up_bps >= p->up_bps;
}

/* A fraction of a second, uniform: peers open their connections one
 * after another, not at one instant. */
static fc_time_t
jitter(struct peer *p)
{
	return fc_time_from_sec(gsl_rng_uniform(rng_stream_gsl(&p->rng)));
}

static void
link_want(struct winny *w, struct peer *p, fc_time_t delay)
{
	if (p->online && p->nup < w->p.up_links && p->link_ev == ENGINE_EVENT_NONE)
		p->link_ev = engine_schedule(w->e, delay, link_attempt, p);
}

/* Closes l now: logs what crossed the tap and frees both ends' slots. */
static void
link_close(struct winny *w, struct slink *l, fc_time_t now)
{
	double secs = fc_time_to_sec(now - l->start);
	uint64_t keys = (uint64_t)floor(secs * w->p.key_rate);
	uint32_t packets = (uint32_t)keys;

	engine_cancel(w->e, l->end_ev);
	if (tap_crosses(l->a, l->b))
		tap_log(w, l->a, l->b, l->a_port, l->start, now,
			keys * w->p.key_size + l->extra_ab,
			packets + l->extra_packets_ab + WINNY_HANDSHAKE_PACKETS,
			keys * w->p.key_size + l->extra_ba,
			packets + l->extra_packets_ba + WINNY_HANDSHAKE_PACKETS, "search");
	g_ptr_array_remove(l->a->links, l);
	g_ptr_array_remove(l->b->links, l);
	l->a->nup--;
	l->b->ndown--;
	g_free(l);
}

static void
link_end(struct engine *e, void *data, fc_time_t now)
{
	struct slink *l = data;
	struct peer *a = l->a;
	struct winny *w = a->w;

	(void)e;
	l->end_ev = ENGINE_EVENT_NONE;
	link_close(w, l, now);
	link_want(w, a, jitter(a));
}

static void
link_attempt(struct engine *e, void *data, fc_time_t now)
{
	struct peer *p = data, *q = NULL;
	struct winny *w = p->w;
	fc_time_t life;
	struct slink *l;

	(void)e;
	p->link_ev = ENGINE_EVENT_NONE;
	if (!p->online || p->nup >= w->p.up_links)
		return;
	for (int i = 0; i < WINNY_CANDIDATE_TRIES && !q; i++) {
		struct peer *c = known_peer(w, p);

		if (upstream_of(p, c))
			q = c;
	}
	if (!q) {
		link_want(w, p, w->p.connect_timeout);
		return;
	}
	if (!q->online) {
		overlay_log_failed(w, p, q, now, "control");
		link_want(w, p, (w->p.syn_retries + 1) * w->p.connect_timeout);
		return;
	}
	for (guint i = 0; i < p->links->len; i++) {
		struct slink *o = p->links->pdata[i];

		if (o->a == q || o->b == q) {
			/* Already linked: the hello finds out, and it looks again. */
			overlay_log_short(w, p, q, now, w->p.hello, "control");
			w->rejects++;
			link_want(w, p, 2 * overlay_rtt(w, p, q) + jitter(p));
			return;
		}
	}
	if (q->ndown >= w->p.down_links) {
		overlay_log_short(w, p, q, now, w->p.hello, "control");
		w->rejects++;
		link_want(w, p, 2 * overlay_rtt(w, p, q) + jitter(p));
		return;
	}
	l = g_new0(struct slink, 1);
	l->a = p;
	l->b = q;
	l->start = now;
	l->a_port = overlay_ephemeral(p);
	life = exp_time(prng(p), w->p.link_life);
	life = MIN(life, w->p.link_life_max);
	l->end_ev = engine_schedule(w->e, overlay_rtt(w, p, q) + life, link_end, l);
	g_ptr_array_add(p->links, l);
	g_ptr_array_add(q->links, l);
	p->nup++;
	q->ndown++;
	w->links_opened++;
	if (p->nup < w->p.up_links)
		link_want(w, p, jitter(p));
}

/* Presence probes. */

/* p probes q: a hello each way if q is there, unanswered SYNs if not. */
static void
probe_one(struct winny *w, struct peer *p, struct peer *q, fc_time_t now)
{
	w->probes++;
	if (!q->online)
		overlay_log_failed(w, p, q, now, "control");
	else
		overlay_log_short(w, p, q, now, w->p.hello, "control");
}

static void
probe(struct engine *e, void *data, fc_time_t now)
{
	struct peer *p = data;
	struct winny *w = p->w;

	(void)e;
	p->probe_ev = engine_schedule(w->e, exp_time(prng(p), w->p.probe_interval), probe, p);
	probe_one(w, p, known_peer(w, p), now);
}

/*
 * The largest rate at which outside peers probe one inside peer: every
 * outside peer online, and the inside peer the only one online for the
 * fresh entries of their node lists.
 */
static double
probe_in_max(const struct winny *w)
{
	double s = w->p.stale;

	return ((1 - s) + s * (double)w->p.outside / (double)(w->npeers - 1)) /
	       fc_time_to_sec(w->p.probe_interval);
}

/* A probe from an outside peer to inside peer p (see the head comment). */
static void
probe_in(struct engine *e, void *data, fc_time_t now)
{
	struct peer *p = data, *q = NULL;
	struct winny *w = p->w;
	gsl_rng *r = prng(p);
	double max = probe_in_max(w), s = w->p.stale, rate;

	(void)e;
	p->probe_in_ev = engine_schedule(w->e, fc_time_from_sec(gsl_ran_exponential(r, 1 / max)),
					 probe_in, p);
	/* The rate now: online outside peers, each probing p through a stale
	 * entry (any peer) or, while p is online, a fresh one (an online peer). */
	rate = (double)w->online_outside / fc_time_to_sec(w->p.probe_interval) *
	       (s / (double)(w->npeers - 1) +
		(p->online ? (1 - s) / (double)MAX(w->online, 1u) : 0));
	if (gsl_rng_uniform(r) * max >= rate)
		return;
	/* The sender: an online outside peer, found by rejection. */
	for (int i = 0; i < 64 * WINNY_CANDIDATE_TRIES && !q; i++) {
		struct peer *c = &w->peers[w->ninside_total + gsl_rng_uniform_int(r, w->p.outside)];

		if (c->online)
			q = c;
	}
	if (q)
		probe_one(w, q, p, now);
}

/* Sessions. */

static fc_time_t
pause_mean(const struct winny *w)
{
	double a = w->p.availability;

	return fc_time_from_sec(fc_time_to_sec(w->p.session) * (1 - a) / a);
}

/* Uploaders stay online uploader_stay times longer than the others. */
static fc_time_t
session_mean(const struct winny *w, const struct peer *p)
{
	return p->shares ? fc_time_from_sec(fc_time_to_sec(w->p.session) * w->p.uploader_stay)
			 : w->p.session;
}

static void
go_online(struct winny *w, struct peer *p, fc_time_t now)
{
	gsl_rng *r = prng(p);

	p->online = true;
	w->online++;
	if (!p->inside)
		w->online_outside++;
	p->session_ev = engine_schedule(w->e, exp_time(r, session_mean(w, p)), peer_leave, p);
	if (p->inside)
		p->probe_ev = engine_schedule(w->e, exp_time(r, w->p.probe_interval), probe, p);
	link_want(w, p, fc_time_from_sec(gsl_rng_uniform(r)));
	files_peer_join(w, p, now);
}

static void
peer_join(struct engine *e, void *data, fc_time_t now)
{
	struct peer *p = data;

	(void)e;
	go_online(p->w, p, now);
}

static void
peer_leave(struct engine *e, void *data, fc_time_t now)
{
	struct peer *p = data;
	struct winny *w = p->w;

	(void)e;
	p->online = false;
	p->offline_since = now;
	w->online--;
	if (!p->inside)
		w->online_outside--;
	engine_cancel(w->e, p->probe_ev);
	engine_cancel(w->e, p->link_ev);
	p->probe_ev = p->link_ev = ENGINE_EVENT_NONE;
	/* Its links close; the peers below it look for another upstream. */
	while (p->links->len) {
		struct slink *l = p->links->pdata[p->links->len - 1];
		struct peer *other = l->a == p ? l->b : l->a;
		bool other_opened = l->a == other;

		link_close(w, l, now);
		if (other_opened)
			link_want(w, other, jitter(other));
	}
	files_peer_leave(w, p, now);
	p->session_ev = engine_schedule(w->e, exp_time(prng(p), pause_mean(w)), peer_join, p);
}

void
overlay_start(struct winny *w)
{
	/* Sessions and their first events, in peer order. */
	for (size_t i = 0; i < w->npeers; i++) {
		struct peer *p = &w->peers[i];

		double on = fc_time_to_sec(session_mean(w, p));

		if (gsl_rng_uniform(prng(p)) < on / (on + fc_time_to_sec(pause_mean(w))))
			go_online(w, p, 0);
		else
			p->session_ev = engine_schedule(w->e, exp_time(prng(p), pause_mean(w)),
							peer_join, p);
	}
	if (w->p.outside > 0 && w->npeers > 1)
		for (size_t i = 0; i < w->ninside_total; i++) {
			struct peer *p = &w->peers[i];

			p->probe_in_ev = engine_schedule(
				w->e, fc_time_from_sec(gsl_ran_exponential(prng(p),
									   1 / probe_in_max(w))),
				probe_in, p);
		}
}

void
overlay_stop(struct winny *w)
{
	/* The engine is freed with its events; only the links are ours,
	 * each listed by both its ends and freed once, by its opener. */
	GPtrArray *all = g_ptr_array_new_with_free_func(g_free);

	for (size_t i = 0; i < w->npeers; i++) {
		struct peer *p = &w->peers[i];

		for (guint j = 0; j < p->links->len; j++) {
			struct slink *l = p->links->pdata[j];

			if (l->a == p)
				g_ptr_array_add(all, l);
		}
	}
	for (size_t i = 0; i < w->npeers; i++)
		g_ptr_array_set_size(w->peers[i].links, 0);
	g_ptr_array_unref(all);
}
