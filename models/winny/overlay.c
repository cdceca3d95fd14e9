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
 * A peer learns the peers that probe it from their hello, and a share
 * [winny] callback of the probes it accepts it answers with a probe of its
 * own back to the sender's service port, an exponential time of mean
 * callback_delay later: the bidirectional client/server relation of seed
 * 002 §2-1 that identification follows, which forms quickly (§2-1-4).
 * Its probes to its node list slow down by the factor 1 + callback
 * (1 - stale) (probe_mean()), so that a peer probes about as often as
 * before: only the probes that find their peer (the fresh entries, and
 * few of the stale ones) are answered back.  A probe back is not answered
 * back in turn, and a peer forgets the probes back it owes when it leaves.
 *
 * Probes between two peers outside every stub network cross no tap and
 * change no state, so they are not simulated, nor are the probes back
 * between two of them.  The probes that outside peers send to an inside
 * peer are drawn per inside peer, as the thinned superposition of all
 * outside peers' probes: at the largest rate they can have
 * (probe_in_max()), each kept with the probability that the rate now
 * (which depends on who is online) bears to it.
 *
 * Some hosts also run Share, a second P2P application ([winny]
 * share_hosts of the Winny peers, and share_peers outside that run only
 * Share).  Share peers probe each other the same way, probes back
 * included, on their own service ports, never a Winny peer: while its host
 * is online, an inside Share peer probes Share peers and is probed by the
 * outside ones, drawn as for Winny.  Nothing else of Share is modelled.
 *
 * Decoys ([winny] decoys) are Winny peers outside that are always online
 * and on everyone's node lists; they accept probes and search links, and
 * probe random peers of their node list every decoy_probe_interval on
 * average, as fast as they can handle.  They never probe back.  Each time
 * a decoy's probe is answered, it has learnt the peer's address and
 * service port (seed 002 §2-1: the address from the connection, the port
 * because the decoy connected to it), and the run records it as an
 * event_log row (entity decoy.K, kind 'learned', detail ADDRESS:PORT);
 * each decoy's own endpoint is an event of kind 'endpoint' at time 0.
 * `flashcoop identify` starts from those (models/winny/identify.h).
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

uint16_t
overlay_port(const struct peer *p, enum winny_app app)
{
	return app == APP_SHARE ? p->share_port : p->port;
}

/* Another peer of app's overlay than self, uniformly. */
static struct peer *
overlay_random_peer(struct winny *w, struct peer *self, enum winny_app app)
{
	uint64_t i;

	if (app == APP_SHARE) {
		GArray *ids = w->share_ids;
		struct peer *q;

		do
			q = &w->peers[g_array_index(ids, uint32_t,
						    gsl_rng_uniform_int(prng(self), ids->len))];
		while (q == self);
		return q;
	}
	i = gsl_rng_uniform_int(prng(self), w->nwinny - 1);
	if (i >= self->id)
		i++;
	return &w->peers[i];
}

/*
 * A peer from self's node list of app: with probability [winny] stale an
 * entry whose peer may have gone (any peer of the overlay), otherwise one
 * that is online, found by rejection (a fresh entry).
 */
static struct peer *
known_peer(struct winny *w, struct peer *self, enum winny_app app)
{
	struct peer *q = overlay_random_peer(w, self, app);

	if (gsl_rng_uniform(prng(self)) < w->p.stale)
		return q;
	for (int i = 0; i < 64 * WINNY_CANDIDATE_TRIES && !q->online; i++)
		q = overlay_random_peer(w, self, app);
	return q;
}

void
overlay_log_failed(struct winny *w, struct peer *a, struct peer *b, enum winny_app app,
		   fc_time_t now, const char *kind)
{
	uint32_t syns = (uint32_t)w->p.syn_retries + 1;

	w->failed_connects++;
	if (tap_crosses(a, b))
		tap_log(w, a, b, app, overlay_ephemeral(a), now,
			now + syns * w->p.connect_timeout, 0, syns, 0, 0, kind);
}

void
overlay_log_short(struct winny *w, struct peer *a, struct peer *b, enum winny_app app,
		  fc_time_t now, uint64_t bytes, const char *kind)
{
	if (tap_crosses(a, b))
		tap_log(w, a, b, app, overlay_ephemeral(a), now, now + 2 * overlay_rtt(w, a, b),
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
		tap_log(w, l->a, l->b, APP_WINNY, l->a_port, l->start, now,
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
		struct peer *c = known_peer(w, p, APP_WINNY);

		if (upstream_of(p, c))
			q = c;
	}
	if (!q) {
		link_want(w, p, w->p.connect_timeout);
		return;
	}
	if (!q->online) {
		overlay_log_failed(w, p, q, APP_WINNY, now, "control");
		link_want(w, p, (w->p.syn_retries + 1) * w->p.connect_timeout);
		return;
	}
	for (guint i = 0; i < p->links->len; i++) {
		struct slink *o = p->links->pdata[i];

		if (o->a == q || o->b == q) {
			/* Already linked: the hello finds out, and it looks again. */
			overlay_log_short(w, p, q, APP_WINNY, now, w->p.hello, "control");
			w->rejects++;
			link_want(w, p, 2 * overlay_rtt(w, p, q) + jitter(p));
			return;
		}
	}
	if (q->ndown >= w->p.down_links) {
		overlay_log_short(w, p, q, APP_WINNY, now, w->p.hello, "control");
		w->rejects++;
		link_want(w, p, 2 * overlay_rtt(w, p, q) + jitter(p));
		return;
	}
	l = g_new0(struct slink, 1);
	l->a = p;
	l->b = q;
	l->start = now;
	l->a_port = overlay_ephemeral(p);
	life = winny_exp_time(prng(p), w->p.link_life);
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

/*
 * The mean time between the probes a peer sends to its node list: slower
 * than probe_interval by the probes back it sends (see the head comment).
 */
static fc_time_t
probe_mean(const struct winny *w)
{
	const struct winny_params *p = &w->p;

	if (p->callback == 0)
		return p->probe_interval;
	return p->probe_interval +
	       fc_time_from_sec(fc_time_to_sec(p->probe_interval) * p->callback * (1 - p->stale));
}

static void callback_due(struct engine *e, void *data, fc_time_t now);

/* Schedules q's callback event at the earliest of its promised probes. */
static void
callback_schedule(struct winny *w, struct peer *q)
{
	fc_time_t first = FC_TIME_NEVER;

	engine_cancel(w->e, q->callback_ev);
	q->callback_ev = ENGINE_EVENT_NONE;
	for (guint i = 0; i < q->callbacks->len; i++)
		first = MIN(first, g_array_index(q->callbacks, struct callback, i).at);
	if (first != FC_TIME_NEVER) {
		q->callback_ev = engine_schedule_at(w->e, first, callback_due, q);
		q->callback_at = first;
	}
}

/*
 * q accepted a probe from p to its app: with probability [winny] callback
 * it promises a probe back.  Only the probes back that cross a tap, or
 * that an inside peer sends (its probes are all simulated), are drawn;
 * decoys never answer back.
 */
static void
callback_maybe(struct winny *w, struct peer *q, struct peer *p, enum winny_app app,
	       fc_time_t now)
{
	struct callback cb;
	gsl_rng *r = prng(q);

	if (w->p.callback == 0 || q->decoy || !(q->inside || tap_crosses(q, p)))
		return;
	if (gsl_rng_uniform(r) >= w->p.callback)
		return;
	cb.at = now + winny_exp_time(r, w->p.callback_delay);
	cb.to = p->id;
	cb.app = app;
	if (q->callbacks->len >= WINNY_MAX_CALLBACKS)
		return;
	g_array_append_val(q->callbacks, cb);
	if (q->callback_ev == ENGINE_EVENT_NONE || cb.at < q->callback_at) {
		engine_cancel(w->e, q->callback_ev);
		q->callback_ev = engine_schedule_at(w->e, cb.at, callback_due, q);
		q->callback_at = cb.at;
	}
}

/* An IPv4 address and port as text, ADDRESS:PORT. */
static void
endpoint_text(char *buf, size_t len, uint32_t ip, uint16_t port)
{
	g_snprintf(buf, len, "%u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
		   ip & 0xff, port);
}

/* Decoy d's probe was answered by q: d has learnt q's endpoint. */
static void
decoy_learn(struct winny *w, struct peer *d, struct peer *q, fc_time_t now)
{
	char entity[32], where[32];

	if (q->decoy || now < w->ctx->warmup)
		return;
	w->decoy_learned++;
	g_snprintf(entity, sizeof entity, "decoy.%zu", (size_t)d->id - w->ninside_total -
		   w->p.outside);
	endpoint_text(where, sizeof where, q->ip, q->port);
	rec_event(w->ctx->rec, now, entity, "learned", "%s", where);
}

/*
 * p probes q's app: a hello each way if q is there, unanswered SYNs if
 * not.  A probe back (back) is never answered back in turn.
 */
static void
probe_one(struct winny *w, struct peer *p, struct peer *q, enum winny_app app,
	  fc_time_t now, bool back)
{
	if (app == APP_SHARE)
		w->share_probes++;
	else
		w->probes++;
	if (back)
		w->callbacks++;
	if (!q->online) {
		overlay_log_failed(w, p, q, app, now, "control");
		return;
	}
	overlay_log_short(w, p, q, app, now, w->p.hello, "control");
	if (p->decoy)
		decoy_learn(w, p, q, now);
	if (!back)
		callback_maybe(w, q, p, app, now);
}

/* q's promised probes back whose time has come, in the order promised. */
static void
callback_due(struct engine *e, void *data, fc_time_t now)
{
	struct peer *q = data;
	struct winny *w = q->w;
	GArray *due = g_array_new(FALSE, FALSE, sizeof(struct callback));
	guint kept = 0;

	(void)e;
	q->callback_ev = ENGINE_EVENT_NONE;
	for (guint i = 0; i < q->callbacks->len; i++) {
		struct callback cb = g_array_index(q->callbacks, struct callback, i);

		if (cb.at <= now)
			g_array_append_val(due, cb);
		else
			g_array_index(q->callbacks, struct callback, kept++) = cb;
	}
	g_array_set_size(q->callbacks, kept);
	for (guint i = 0; i < due->len; i++) {
		struct callback *cb = &g_array_index(due, struct callback, i);

		probe_one(w, q, &w->peers[cb->to], (enum winny_app)cb->app, now, true);
	}
	g_array_unref(due);
	callback_schedule(w, q);
}

static void
probe(struct engine *e, void *data, fc_time_t now)
{
	struct peer *p = data;
	struct winny *w = p->w;

	(void)e;
	p->probe_ev = engine_schedule(w->e, winny_exp_time(prng(p), probe_mean(w)), probe, p);
	probe_one(w, p, known_peer(w, p, APP_WINNY), APP_WINNY, now, false);
}

static void
share_probe(struct engine *e, void *data, fc_time_t now)
{
	struct peer *p = data;
	struct winny *w = p->w;

	(void)e;
	p->share_probe_ev = engine_schedule(w->e, winny_exp_time(prng(p), probe_mean(w)),
					    share_probe, p);
	probe_one(w, p, known_peer(w, p, APP_SHARE), APP_SHARE, now, false);
}

/* A decoy probes as fast as it can handle, and is never offline. */
static void
decoy_probe(struct engine *e, void *data, fc_time_t now)
{
	struct peer *d = data;
	struct winny *w = d->w;

	(void)e;
	d->probe_ev = engine_schedule(w->e, winny_exp_time(prng(d), w->p.decoy_probe_interval),
				      decoy_probe, d);
	w->decoy_probes++;
	probe_one(w, d, known_peer(w, d, APP_WINNY), APP_WINNY, now, false);
}

/*
 * The outside peers of an overlay as senders of probes to one inside
 * peer: n of them (n_online online now) among n_all peers of the overlay
 * (the inside peer one of them), online_all of those online.
 */
struct senders {
	size_t n, n_online, n_all, online_all;
};

/*
 * The largest rate at which the senders probe one inside peer: every one
 * online, and the inside peer the only one online for the fresh entries
 * of their node lists.
 */
static double
probe_in_max(const struct winny *w, const struct senders *s)
{
	double st = w->p.stale;

	return ((1 - st) + st * (double)s->n / (double)(s->n_all - 1)) /
	       fc_time_to_sec(probe_mean(w));
}

/* The rate now: online senders, each probing p through a stale entry (any
 * peer) or, while p is online, a fresh one (an online peer). */
static double
probe_in_rate(const struct winny *w, const struct senders *s, const struct peer *p)
{
	double st = w->p.stale;

	return (double)s->n_online / fc_time_to_sec(probe_mean(w)) *
	       (st / (double)(s->n_all - 1) +
		(p->online ? (1 - st) / (double)MAX(s->online_all, 1u) : 0));
}

static void
winny_senders(const struct winny *w, struct senders *s)
{
	*s = (struct senders){ w->p.outside, w->online_outside, w->nwinny, w->online };
}

static void
share_senders(const struct winny *w, struct senders *s)
{
	*s = (struct senders){ w->share_outside, w->share_online_outside, w->share_ids->len,
			       w->share_online };
}

/* A probe from an outside peer to inside peer p (see the head comment). */
static void
probe_in(struct engine *e, void *data, fc_time_t now)
{
	struct peer *p = data, *q = NULL;
	struct winny *w = p->w;
	gsl_rng *r = prng(p);
	struct senders s;
	double max;

	(void)e;
	winny_senders(w, &s);
	max = probe_in_max(w, &s);
	p->probe_in_ev = engine_schedule(w->e, fc_time_from_sec(gsl_ran_exponential(r, 1 / max)),
					 probe_in, p);
	if (gsl_rng_uniform(r) * max >= probe_in_rate(w, &s, p))
		return;
	/* The sender: an online outside peer, found by rejection. */
	for (int i = 0; i < 64 * WINNY_CANDIDATE_TRIES && !q; i++) {
		struct peer *c = &w->peers[w->ninside_total + gsl_rng_uniform_int(r, w->p.outside)];

		if (c->online)
			q = c;
	}
	if (q)
		probe_one(w, q, p, APP_WINNY, now, false);
}

/* The same for Share: a probe from an outside Share peer to inside p. */
static void
share_probe_in(struct engine *e, void *data, fc_time_t now)
{
	struct peer *p = data, *q = NULL;
	struct winny *w = p->w;
	gsl_rng *r = prng(p);
	size_t first = w->share_ids->len - w->share_outside;
	struct senders s;
	double max;

	(void)e;
	share_senders(w, &s);
	max = probe_in_max(w, &s);
	p->share_probe_in_ev = engine_schedule(
		w->e, fc_time_from_sec(gsl_ran_exponential(r, 1 / max)), share_probe_in, p);
	if (gsl_rng_uniform(r) * max >= probe_in_rate(w, &s, p))
		return;
	for (int i = 0; i < 64 * WINNY_CANDIDATE_TRIES && !q; i++) {
		struct peer *c = &w->peers[g_array_index(
			w->share_ids, uint32_t, first + gsl_rng_uniform_int(r, w->share_outside))];

		if (c->online)
			q = c;
	}
	if (q)
		probe_one(w, q, p, APP_SHARE, now, false);
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

/* The online counters of p's kind: +1 or -1. */
static void
count_online(struct winny *w, const struct peer *p, int d)
{
	if (p->winny) {
		w->online += d;
		if (!p->inside && !p->decoy)
			w->online_outside += d;
	}
	if (p->share_port) {
		w->share_online += d;
		if (!p->inside)
			w->share_online_outside += d;
	}
}

static void
go_online(struct winny *w, struct peer *p, fc_time_t now)
{
	gsl_rng *r = prng(p);

	p->online = true;
	count_online(w, p, +1);
	p->session_ev = engine_schedule(w->e, winny_exp_time(r, session_mean(w, p)), peer_leave, p);
	if (!p->winny)
		return;
	if (p->inside)
		p->probe_ev = engine_schedule(w->e, winny_exp_time(r, probe_mean(w)), probe, p);
	link_want(w, p, fc_time_from_sec(gsl_rng_uniform(r)));
	files_peer_join(w, p, now);
	if (p->inside && p->share_port && w->share_ids->len > 1)
		p->share_probe_ev = engine_schedule(w->e, winny_exp_time(r, probe_mean(w)),
						    share_probe, p);
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
	count_online(w, p, -1);
	engine_cancel(w->e, p->probe_ev);
	engine_cancel(w->e, p->link_ev);
	engine_cancel(w->e, p->share_probe_ev);
	engine_cancel(w->e, p->callback_ev);
	p->probe_ev = p->link_ev = p->share_probe_ev = p->callback_ev = ENGINE_EVENT_NONE;
	/* What it promised to probe back is forgotten with its session. */
	g_array_set_size(p->callbacks, 0);
	/* Its links close; the peers below it look for another upstream. */
	while (p->links->len) {
		struct slink *l = p->links->pdata[p->links->len - 1];
		struct peer *other = l->a == p ? l->b : l->a;
		bool other_opened = l->a == other;

		link_close(w, l, now);
		if (other_opened)
			link_want(w, other, jitter(other));
	}
	if (p->winny)
		files_peer_leave(w, p, now);
	p->session_ev = engine_schedule(w->e, winny_exp_time(prng(p), pause_mean(w)), peer_join, p);
}

/* Decoys are online from the start to the end, and record where they are. */
static void
decoy_start(struct winny *w, struct peer *d)
{
	char entity[32], where[32];

	d->online = true;
	count_online(w, d, +1);
	d->probe_ev = engine_schedule(w->e, winny_exp_time(prng(d), w->p.decoy_probe_interval),
				      decoy_probe, d);
	g_snprintf(entity, sizeof entity, "decoy.%zu", (size_t)d->id - w->ninside_total -
		   w->p.outside);
	endpoint_text(where, sizeof where, d->ip, d->port);
	rec_event(w->ctx->rec, 0, entity, "endpoint", "%s", where);
}

void
overlay_start(struct winny *w)
{
	struct senders s;

	/* Sessions and their first events, in peer order. */
	for (size_t i = 0; i < w->npeers; i++) {
		struct peer *p = &w->peers[i];
		double on = fc_time_to_sec(session_mean(w, p));

		if (p->decoy)
			decoy_start(w, p);
		else if (gsl_rng_uniform(prng(p)) < on / (on + fc_time_to_sec(pause_mean(w))))
			go_online(w, p, 0);
		else
			p->session_ev = engine_schedule(w->e, winny_exp_time(prng(p), pause_mean(w)),
							peer_join, p);
	}
	winny_senders(w, &s);
	if (w->p.outside > 0 && w->nwinny > 1)
		for (size_t i = 0; i < w->ninside_total; i++) {
			struct peer *p = &w->peers[i];

			p->probe_in_ev = engine_schedule(
				w->e, fc_time_from_sec(gsl_ran_exponential(prng(p),
									   1 / probe_in_max(w, &s))),
				probe_in, p);
		}
	share_senders(w, &s);
	if (w->share_outside > 0 && w->share_ids->len > 1)
		for (size_t i = 0; i < w->ninside_total; i++) {
			struct peer *p = &w->peers[i];

			if (p->share_port)
				p->share_probe_in_ev = engine_schedule(
					w->e, fc_time_from_sec(gsl_ran_exponential(
						prng(p), 1 / probe_in_max(w, &s))),
					share_probe_in, p);
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
