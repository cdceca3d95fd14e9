/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The key index of a Winny-style overlay, key by key (seed 002 §3): what an
 * operator can do to a file's keys, and what searches then find.
 *
 * The traffic model (overlay.c, files.c) stands for the keys with an index
 * of who holds what; this model keeps them.  Every node holds at most one
 * key per file ID, as Winny's key table does: a location (a node, or one
 * that does not exist), a time of expiry (the TTL runs down by 1 per
 * second) and the hops it has travelled.  A key received for a file ID
 * replaces the held one when
 *   - the held one has expired, or
 *   - it points to the same location with a larger TTL (a refresh: seed
 *     002 §3-1, the copy with the larger TTL is kept), or
 *   - it points to another location: with [index] rewrite = ttl if its TTL
 *     is larger (it was diffused more recently), with rewrite = latest
 *     whatever its TTL.  This is Winny's key rewriting rule, which seed
 *     002 §3-2 exploits; it holds at the uploader too, which from then on
 *     diffuses the rewritten key as its own.
 *
 * Nodes sit in three tiers by line speed (fast, middle, slow; the
 * uploader, the downloaders and the survey peer are middle nodes).  Each
 * keeps up_links search links towards nodes of its own tier or a faster
 * one and accepts down_links from below; a link lasts an exponential time
 * (link_life, at most link_life_max) and is then replaced.  Keys move over
 * a link at key_rate each way: each direction is a queue of file IDs, each
 * at most once; a key arrives 1 / key_rate (plus the latency) after the
 * link is free for it, and what arrives is the sender's key for the file
 * at that moment (so a queue never carries a stale copy).  A node queues a
 * key on its other links when it takes one that has travelled fewer than
 * relay_hops hops; the uploader puts each of its keys, with a full TTL, on
 * every link every refresh; both ends of a new link offer each other what
 * they hold.
 *
 * A query travels query_hops hops over the search links; each node reached
 * answers with its live keys of the files asked (query_keys at most).
 * Downloaders search every query_interval from download_start.  With
 * pick = table each takes the answers into its own key table under the
 * rewrite rule, as every node keeps one key per file ID, and tries the
 * location its table then holds; with pick = all it tries every location
 * the answers name, largest TTL first.  One that does not exist costs the
 * unanswered SYNs (connect_timeout, syn_retries); the uploader's starts
 * a connection, a flow of the world's network over the uploader's uplink
 * and the downloader's downlink.  The uploader closes a connection after
 * slot_time; the downloader keeps what arrived and searches again at once.
 *
 * Control (from control_start):
 *   decoys  the operator's decoy peers take every search link slot of the
 *           uploader that frees, each with probability 1 - leak at each
 *           try (they try every decoy_interval and at once when a slot
 *           frees); they swallow the keys the uploader sends them and
 *           relay nothing (seed 002 §3-1, Fig. 10);
 *   poison  threads connections of a control node, each to a random node
 *           (changed every link_life on average), each injecting a dummy
 *           key of the uploader's file IDs thread_rate times a second:
 *           same file ID, a location that does not exist, the full TTL
 *           (seed 002 §3-2, Fig. 13).
 *
 * What is recorded: the survey peer's largest TTL per file per query
 * (vector survey.ttl) and the files it found (survey.files_found); the
 * nodes holding a live genuine or dummy key of file 0 every sample_interval
 * (index.genuine_holders, index.dummy_holders); the download times
 * (statistic download.time_s) and the downloads still missing at the end.
 */
#include "models/winny/internal.h"

#include "sim/budget.h"

/* A key's location: a node's id, or one of these. */
#define LOC_NONE (-1)  /* no key held */
#define LOC_FAKE (-2)  /* a node that does not exist (a dummy key) */

/* Candidates drawn for an up link before the node waits RETRY. */
#define CANDIDATE_TRIES 16
#define RETRY_SEC 10.0

enum index_control { CONTROL_NONE, CONTROL_DECOYS, CONTROL_POISON };

const struct fc_enum_name index_control_names[] = {
	{ "none", CONTROL_NONE },
	{ "decoys", CONTROL_DECOYS },
	{ "poison", CONTROL_POISON },
	{ NULL, 0 },
};

enum index_rewrite { REWRITE_LATEST, REWRITE_TTL };

const struct fc_enum_name index_rewrite_names[] = {
	{ "latest", REWRITE_LATEST },
	{ "ttl", REWRITE_TTL },
	{ NULL, 0 },
};

enum index_pick { PICK_TABLE, PICK_ALL };

const struct fc_enum_name index_pick_names[] = {
	{ "table", PICK_TABLE },
	{ "all", PICK_ALL },
	{ NULL, 0 },
};

enum tier { TIER_FAST, TIER_MIDDLE, TIER_SLOW, TIERS };

struct index_params {
	uint64_t relays[TIERS];
	uint64_t rate[TIERS];
	uint64_t downloaders;
	bool survey;
	uint64_t files;
	uint64_t file_size;
	uint64_t up_links, down_links;
	fc_time_t link_life, link_life_max;
	double key_rate;
	fc_time_t ttl, refresh;
	uint64_t relay_hops, query_hops, query_keys;
	fc_time_t query_interval, download_start, slot_time;
	fc_time_t connect_timeout;
	uint64_t syn_retries;
	fc_time_t latency;
	int control, rewrite, pick;
	fc_time_t control_start, decoy_interval;
	double leak;
	uint64_t threads;
	double thread_rate;
	fc_time_t sample_interval;
};

struct ikey {
	int32_t loc;
	uint32_t hops;
	fc_time_t expires;
};

enum role { ROLE_RELAY, ROLE_UPLOADER, ROLE_DOWNLOADER, ROLE_SURVEY };

struct ix;

struct inode {
	struct ix *x;
	uint32_t id;
	uint8_t tier, role;
	net_link up, down;
	uint32_t nup, ndown;
	GPtrArray *links;       /* struct ilink *, in the order they formed */
	struct ikey *keys;      /* one per file */
	engine_event link_ev, query_ev;
	uint32_t seen;          /* the last query that reached it */
	/* Downloaders: done once remaining is 0. */
	bool connecting;
	uint64_t remaining;     /* bytes of file 0 still to come */
	struct net_flow *flow;
	engine_event slot_ev;   /* the uploader closes the connection */
	struct rng_stream rng;
};

/* One direction of a link: the file IDs waiting, each at most once. */
struct ixq {
	uint32_t *fifo;
	uint8_t *queued;
	uint32_t head, len;
	engine_event send_ev;   /* the key being sent arrives */
};

/* A search link: a opened it towards b; b is NULL for a decoy. */
struct ilink {
	struct ix *x;
	struct inode *a, *b;
	bool decoy_up;          /* a decoy that holds one of a's up slots */
	struct ixq q[2];        /* 0: a to b, 1: b to a */
	engine_event end_ev;
};

/* A poisoning thread of the control node. */
struct thread {
	struct ix *x;
	struct inode *target;
	struct rng_stream rng;
};

struct ix {
	struct sim_ctx *ctx;
	struct engine *e;
	struct net *net;
	struct index_params p;
	size_t n;
	size_t tier_end[TIERS];  /* nodes of tiers <= t: ids [0, tier_end[t]) */
	struct inode *nodes;
	struct inode *uploader, *survey;
	struct thread *threads;
	uint32_t query_gen;
	fc_time_t key_time;      /* to send one key over a link */
	struct rng_stream rng;   /* the decoys' draws */
	GPtrArray *bfs;          /* scratch for queries */
	struct rec_vector *ttl_v, *found_v, *genuine_v, *dummy_v;
	struct rec_stat *time_stat;
	uint64_t links_opened, decoy_links, keys_sent, keys_accepted, keys_swallowed,
		 dummies, queries, fake_connects, downloads_done, slots_cut;
};

static void link_attempt(struct engine *e, void *data, fc_time_t now);
static void ixq_kick(struct ilink *l, int dir, fc_time_t now);

static gsl_rng *
nrng(struct inode *v)
{
	return rng_stream_gsl(&v->rng);
}

/* The life of a search link: exponential, at most link_life_max. */
static fc_time_t
link_life(const struct ix *x, gsl_rng *r)
{
	fc_time_t life = winny_exp_time(r, x->p.link_life);

	return MAX(MIN(life, x->p.link_life_max), 1);
}

static bool
key_live(const struct ikey *k, fc_time_t now)
{
	return k->loc != LOC_NONE && k->expires > now;
}

/*
 * Whether a node holding `held` takes `got` for the same file ID (the rule
 * at the top of this file).
 */
static bool
key_takes(int rewrite, const struct ikey *held, const struct ikey *got, fc_time_t now)
{
	if (!key_live(got, now))
		return false;
	if (!key_live(held, now))
		return true;
	if (held->loc == got->loc || rewrite == REWRITE_TTL)
		return got->expires > held->expires;
	return true;
}

/* ---- keys over links ---- */

static struct inode *
link_end(const struct ilink *l, int dir)
{
	return dir == 0 ? l->b : l->a;
}

static struct inode *
link_start(const struct ilink *l, int dir)
{
	return dir == 0 ? l->a : l->b;
}

static void
ixq_push(struct ilink *l, int dir, uint32_t file, fc_time_t now)
{
	struct ix *x = l->x;
	struct ixq *q = &l->q[dir];

	if (!link_end(l, dir)) {
		/* A decoy: it takes what it is sent and relays nothing. */
		x->keys_swallowed++;
		return;
	}
	if (q->queued[file])
		return;
	q->queued[file] = 1;
	q->fifo[(q->head + q->len) % x->p.files] = file;
	q->len++;
	ixq_kick(l, dir, now);
}

/* Offer the node's key of `file` on every link but `except`. */
static void
node_offer(struct inode *v, uint32_t file, const struct ilink *except, fc_time_t now)
{
	for (guint i = 0; i < v->links->len; i++) {
		struct ilink *l = g_ptr_array_index(v->links, i);

		if (l != except)
			ixq_push(l, l->a == v ? 0 : 1, file, now);
	}
}

/* v receives `got` for `file` over `from` (NULL: from the control node). */
static void
node_receive(struct inode *v, uint32_t file, const struct ikey *got,
	     const struct ilink *from, fc_time_t now)
{
	struct ix *x = v->x;

	if (!key_takes(x->p.rewrite, &v->keys[file], got, now))
		return;
	v->keys[file] = *got;
	x->keys_accepted++;
	if (got->hops < x->p.relay_hops)
		node_offer(v, file, from, now);
}

static void
ixq_send(struct ilink *l, int dir, fc_time_t now)
{
	struct ix *x = l->x;
	struct ixq *q = &l->q[dir];
	struct inode *from = link_start(l, dir), *to = link_end(l, dir);
	uint32_t file;
	struct ikey k;

	q->send_ev = ENGINE_EVENT_NONE;
	if (q->len == 0)
		return;
	file = q->fifo[q->head];
	q->head = (uint32_t)((q->head + 1) % x->p.files);
	q->len--;
	q->queued[file] = 0;
	k = from->keys[file];
	if (key_live(&k, now)) {
		k.hops++;
		x->keys_sent++;
		node_receive(to, file, &k, l, now);
	}
	ixq_kick(l, dir, now);
}

static void
ixq_send_ab(struct engine *e, void *data, fc_time_t now)
{
	(void)e;
	ixq_send(data, 0, now);
}

static void
ixq_send_ba(struct engine *e, void *data, fc_time_t now)
{
	(void)e;
	ixq_send(data, 1, now);
}

static void
ixq_kick(struct ilink *l, int dir, fc_time_t now)
{
	struct ixq *q = &l->q[dir];

	if (q->len == 0 || engine_is_pending(l->x->e, q->send_ev))
		return;
	/* One key at a time: it arrives 1 / key_rate (and the latency) after
	 * the previous one, or after it was queued on an idle link. */
	q->send_ev = engine_schedule(l->x->e, l->x->key_time,
				     dir == 0 ? ixq_send_ab : ixq_send_ba, l);
}

/* ---- links ---- */

static bool
linked(const struct inode *a, const struct inode *b)
{
	for (guint i = 0; i < a->links->len; i++) {
		const struct ilink *l = g_ptr_array_index(a->links, i);

		if ((l->a == a && l->b == b) || (l->b == a && l->a == b))
			return true;
	}
	return false;
}

static bool
controlled(const struct ix *x, const struct inode *v, fc_time_t now)
{
	return x->p.control == CONTROL_DECOYS && v == x->uploader && now >= x->p.control_start;
}

static void link_end_ev(struct engine *e, void *data, fc_time_t now);

/*
 * The slots l takes (d = 1) or gives back (d = -1): an up slot of a and a
 * down slot of b; a decoy's link takes the slot of the uploader (a) that
 * the decoy holds.
 */
static void
link_slots(const struct ilink *l, int d)
{
	if (l->b) {
		l->a->nup += (uint32_t)d;
		l->b->ndown += (uint32_t)d;
	} else if (l->decoy_up) {
		l->a->nup += (uint32_t)d;
	} else {
		l->a->ndown += (uint32_t)d;
	}
}

static struct ilink *
link_new(struct ix *x, struct inode *a, struct inode *b, bool decoy_up, fc_time_t now)
{
	struct ilink *l = g_new0(struct ilink, 1);

	l->x = x;
	l->a = a;
	l->b = b;
	l->decoy_up = decoy_up;
	for (int d = 0; d < 2; d++) {
		l->q[d].fifo = g_new(uint32_t, x->p.files);
		l->q[d].queued = g_new0(uint8_t, x->p.files);
		l->q[d].send_ev = ENGINE_EVENT_NONE;
	}
	link_slots(l, 1);
	g_ptr_array_add(a->links, l);
	if (b)
		g_ptr_array_add(b->links, l);
	l->end_ev = engine_schedule(x->e, link_life(x, nrng(a)), link_end_ev, l);
	if (b)
		x->links_opened++;
	else
		x->decoy_links++;
	/* Both ends offer what they hold. */
	for (uint32_t f = 0; f < x->p.files; f++) {
		if (key_live(&a->keys[f], now))
			ixq_push(l, 0, f, now);
		if (b && key_live(&b->keys[f], now))
			ixq_push(l, 1, f, now);
	}
	return l;
}

/* The decoys try the uploader's free slots, each with probability 1 - leak. */
static void
decoys_fill(struct ix *x, fc_time_t now)
{
	struct inode *u = x->uploader;
	gsl_rng *r = rng_stream_gsl(&x->rng);

	while (u->ndown < x->p.down_links && gsl_rng_uniform(r) >= x->p.leak)
		link_new(x, u, NULL, false, now);
	while (u->nup < x->p.up_links && gsl_rng_uniform(r) >= x->p.leak)
		link_new(x, u, NULL, true, now);
}

static void
decoys_ev(struct engine *e, void *data, fc_time_t now)
{
	struct ix *x = data;

	decoys_fill(x, now);
	engine_schedule(e, x->p.decoy_interval, decoys_ev, x);
}

static void
link_schedule(struct inode *v, fc_time_t delay)
{
	struct ix *x = v->x;

	if (engine_is_pending(x->e, v->link_ev) || v->nup >= x->p.up_links)
		return;
	v->link_ev = engine_schedule(x->e, delay, link_attempt, v);
}

static void
link_free(struct ilink *l)
{
	struct ix *x = l->x;

	for (int d = 0; d < 2; d++) {
		engine_cancel(x->e, l->q[d].send_ev);
		g_free(l->q[d].fifo);
		g_free(l->q[d].queued);
	}
	engine_cancel(x->e, l->end_ev);
	g_free(l);
}

static void
link_end_ev(struct engine *e, void *data, fc_time_t now)
{
	struct ilink *l = data;
	struct ix *x = l->x;
	struct inode *a = l->a, *b = l->b;

	(void)e;
	l->end_ev = ENGINE_EVENT_NONE;
	g_ptr_array_remove(a->links, l);
	if (b)
		g_ptr_array_remove(b->links, l);
	link_slots(l, -1);
	link_free(l);
	/* A slot of the controlled uploader that frees: the decoys first. */
	if (controlled(x, a, now) || (b && controlled(x, b, now)))
		decoys_fill(x, now);
	link_schedule(a, 2 * x->p.latency);
}

/* v looks for an upstream node with a free slot. */
static void
link_attempt(struct engine *e, void *data, fc_time_t now)
{
	struct inode *v = data;
	struct ix *x = v->x;
	gsl_rng *r = nrng(v);
	size_t span = x->tier_end[v->tier];

	(void)e;
	v->link_ev = ENGINE_EVENT_NONE;
	while (v->nup < x->p.up_links) {
		struct inode *c = NULL;

		for (int t = 0; t < CANDIDATE_TRIES && !c; t++) {
			struct inode *m = &x->nodes[gsl_rng_uniform_int(r, span)];

			if (m != v && m->ndown < x->p.down_links && !linked(v, m))
				c = m;
		}
		if (!c)
			break;
		link_new(x, v, c, false, now);
	}
	link_schedule(v, fc_time_from_sec(RETRY_SEC));
}

/* ---- the uploader, queries and downloads ---- */

static void
refresh_ev(struct engine *e, void *data, fc_time_t now)
{
	struct inode *u = data;
	struct ix *x = u->x;

	for (uint32_t f = 0; f < x->p.files; f++) {
		struct ikey *k = &u->keys[f];

		/* Its key, rewritten or not, goes out again with a full TTL. */
		k->expires = now + x->p.ttl;
		k->hops = 0;
		node_offer(u, f, NULL, now);
	}
	engine_schedule(e, x->p.refresh, refresh_ev, u);
}

/*
 * The nodes a query from q reaches within query_hops hops, in the order a
 * breadth-first walk over its links meets them (q itself not included).
 */
static GPtrArray *
query_reach(struct ix *x, struct inode *q)
{
	GPtrArray *reach = x->bfs;
	guint from = 0;

	g_ptr_array_set_size(reach, 0);
	x->query_gen++;
	q->seen = x->query_gen;
	g_ptr_array_add(reach, q);
	for (uint64_t h = 0; h < x->p.query_hops; h++) {
		guint to = reach->len;

		for (guint i = from; i < to; i++) {
			struct inode *v = g_ptr_array_index(reach, i);

			for (guint j = 0; j < v->links->len; j++) {
				struct ilink *l = g_ptr_array_index(v->links, j);
				struct inode *m = l->a == v ? l->b : l->a;

				if (m && m->seen != x->query_gen) {
					m->seen = x->query_gen;
					g_ptr_array_add(reach, m);
				}
			}
		}
		from = to;
	}
	g_ptr_array_remove_index(reach, 0);
	return reach;
}

static fc_time_t
connect_fail_time(const struct ix *x)
{
	return x->p.connect_timeout * (fc_time_t)(1 + x->p.syn_retries);
}

static void
download_complete(struct inode *d, fc_time_t now)
{
	struct ix *x = d->x;

	d->remaining = 0;
	x->downloads_done++;
	rec_stat_add(x->time_stat, fc_time_to_sec(now - x->p.download_start));
	engine_cancel(x->e, d->query_ev);
	engine_cancel(x->e, d->slot_ev);
}

static void
download_done(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	struct inode *d = data;

	(void)n;
	(void)f;
	d->flow = NULL;
	download_complete(d, now);
}

static void download_search(struct inode *d, fc_time_t now);

/*
 * The uploader closes a connection that has lasted slot_time (it serves
 * its queue in turns): the downloader keeps what arrived and looks for a
 * source again at once, with a new search.
 */
static void
download_cut(struct engine *e, void *data, fc_time_t now)
{
	struct inode *d = data;
	struct ix *x = d->x;
	uint64_t got;

	(void)e;
	d->slot_ev = ENGINE_EVENT_NONE;
	got = net_flow_cancel(x->net, d->flow);

	d->remaining -= MIN(d->remaining, got);
	d->flow = NULL;
	if (d->remaining == 0) {
		/* The last byte arrived at this very instant. */
		download_complete(d, now);
		return;
	}
	x->slots_cut++;
	x->queries++;
	download_search(d, now);
}

static void
download_begin(struct engine *e, void *data, fc_time_t now)
{
	struct inode *d = data;
	struct ix *x = d->x;
	net_link path[2] = { x->uploader->up, d->down };

	(void)now;
	d->connecting = false;
	d->flow = net_flow_start(x->net, path, 2, d->remaining, download_done, d);
	d->slot_ev = engine_schedule(e, x->p.slot_time, download_cut, d);
}

static void
connecting_over(struct engine *e, void *data, fc_time_t now)
{
	struct inode *d = data;

	(void)e;
	(void)now;
	d->connecting = false;
}

struct found {
	int32_t loc;
	fc_time_t expires;
};

static gint
found_cmp(gconstpointer a, gconstpointer b)
{
	const struct found *x = a, *y = b;

	if (x->expires != y->expires)
		return x->expires > y->expires ? -1 : 1;
	return x->loc < y->loc ? -1 : x->loc > y->loc;
}

/* Adds k's location to the locations found, with the largest TTL seen. */
static void
found_add(GArray *found, const struct ikey *k)
{
	for (guint j = 0; j < found->len; j++) {
		struct found *f = &g_array_index(found, struct found, j);

		if (f->loc == k->loc) {
			f->expires = MAX(f->expires, k->expires);
			return;
		}
	}
	g_array_append_val(found, ((struct found){ k->loc, k->expires }));
}

/*
 * A downloader's search for file 0: the location its key table holds
 * once it has taken the answers (pick = table), or every location found,
 * largest TTL first (pick = all); each that does not exist costs the SYNs
 * nobody answers, the uploader's starts the download.
 */
static void
download_search(struct inode *d, fc_time_t now)
{
	struct ix *x = d->x;
	GPtrArray *reach = query_reach(x, d);
	GArray *found = g_array_new(FALSE, FALSE, sizeof(struct found));
	fc_time_t delay = 0;
	guint i;

	for (i = 0; i < reach->len; i++) {
		const struct inode *v = g_ptr_array_index(reach, i);
		const struct ikey *k = &v->keys[0];

		if (x->p.pick == PICK_ALL && key_live(k, now))
			found_add(found, k);
		else if (x->p.pick == PICK_TABLE && key_takes(x->p.rewrite, &d->keys[0], k, now))
			d->keys[0] = *k;
	}
	if (x->p.pick == PICK_TABLE && key_live(&d->keys[0], now))
		found_add(found, &d->keys[0]);
	g_array_sort(found, found_cmp);
	for (i = 0; i < found->len; i++) {
		const struct found *f = &g_array_index(found, struct found, i);

		if (f->loc == (int32_t)x->uploader->id) {
			d->connecting = true;
			engine_schedule(x->e, delay + 2 * x->p.latency, download_begin, d);
			break;
		}
		/* A dummy (or a node that is not the uploader: none holds the
		 * file in this model) leaves the SYNs unanswered. */
		x->fake_connects++;
		delay += connect_fail_time(x);
	}
	if (i == found->len && delay > 0) {
		d->connecting = true;
		engine_schedule(x->e, delay, connecting_over, d);
	}
	g_array_unref(found);
}

static void
survey_query(struct ix *x, fc_time_t now)
{
	GPtrArray *reach = query_reach(x, x->survey);
	uint64_t found = 0;

	/* It asks for every file; an answer carries query_keys keys at most. */
	for (uint32_t f = 0; f < MIN(x->p.files, x->p.query_keys); f++) {
		fc_time_t best = now; /* a live key expires after now */

		for (guint i = 0; i < reach->len; i++) {
			const struct inode *v = g_ptr_array_index(reach, i);
			const struct ikey *k = &v->keys[f];

			if (key_live(k, now))
				best = MAX(best, k->expires);
		}
		if (best > now) {
			found++;
			rec_vector_add(x->ttl_v, now, fc_time_to_sec(best - now));
		}
	}
	rec_vector_add(x->found_v, now, (double)found);
}

static void
query_ev(struct engine *e, void *data, fc_time_t now)
{
	struct inode *q = data;
	struct ix *x = q->x;

	x->queries++;
	if (q->role == ROLE_SURVEY)
		survey_query(x, now);
	else if (!q->connecting && !q->flow && q->remaining > 0)
		download_search(q, now);
	if (q->role == ROLE_SURVEY || q->remaining > 0)
		q->query_ev = engine_schedule(e, x->p.query_interval, query_ev, q);
}

/* ---- the control node's poisoning threads ---- */

static void
thread_move(struct engine *e, void *data, fc_time_t now)
{
	struct thread *t = data;
	struct ix *x = t->x;
	gsl_rng *r = rng_stream_gsl(&t->rng);

	(void)now;
	t->target = &x->nodes[gsl_rng_uniform_int(r, x->n)];
	engine_schedule(e, link_life(x, r), thread_move, t);
}

static void
thread_push(struct engine *e, void *data, fc_time_t now)
{
	struct thread *t = data;
	struct ix *x = t->x;

	for (uint32_t f = 0; f < x->p.files; f++) {
		struct ikey dummy = { .loc = LOC_FAKE, .hops = 1, .expires = now + x->p.ttl };

		x->dummies++;
		node_receive(t->target, f, &dummy, NULL, now);
	}
	engine_schedule(e, fc_time_from_sec(1.0 / x->p.thread_rate), thread_push, t);
}

static void
control_start_ev(struct engine *e, void *data, fc_time_t now)
{
	struct ix *x = data;

	if (x->p.control == CONTROL_DECOYS) {
		decoys_ev(e, x, now);
		return;
	}
	for (uint64_t i = 0; i < x->p.threads; i++) {
		struct thread *t = &x->threads[i];
		gsl_rng *r = rng_stream_gsl(&t->rng);

		thread_move(e, t, now);
		engine_schedule(e, fc_time_from_sec(gsl_rng_uniform(r) / x->p.thread_rate),
				thread_push, t);
	}
}

/* ---- sampling, building, the traffic type ---- */

static void
sample_ev(struct engine *e, void *data, fc_time_t now)
{
	struct ix *x = data;
	uint64_t genuine = 0, dummy = 0;

	for (size_t i = 0; i < x->n; i++) {
		const struct ikey *k = &x->nodes[i].keys[0];

		if (!key_live(k, now))
			continue;
		if (k->loc == (int32_t)x->uploader->id)
			genuine++;
		else
			dummy++;
	}
	rec_vector_add(x->genuine_v, now, (double)genuine);
	rec_vector_add(x->dummy_v, now, (double)dummy);
	engine_schedule(e, x->p.sample_interval, sample_ev, x);
}

static void
params_read(struct index_params *p, const struct scenario *sc)
{
	*p = (struct index_params){
		.relays = { scenario_count(sc, "index", "fast"),
			    scenario_count(sc, "index", "middle"),
			    scenario_count(sc, "index", "slow") },
		.rate = { scenario_rate(sc, "index", "fast_rate"),
			  scenario_rate(sc, "index", "middle_rate"),
			  scenario_rate(sc, "index", "slow_rate") },
		.downloaders = scenario_count(sc, "index", "downloaders"),
		.survey = scenario_bool(sc, "index", "survey"),
		.files = scenario_count(sc, "index", "files"),
		.file_size = scenario_size(sc, "index", "file_size"),
		.up_links = scenario_count(sc, "index", "up_links"),
		.down_links = scenario_count(sc, "index", "down_links"),
		.link_life = scenario_duration(sc, "index", "link_life"),
		.link_life_max = scenario_duration(sc, "index", "link_life_max"),
		.key_rate = scenario_real(sc, "index", "key_rate"),
		.ttl = scenario_duration(sc, "index", "ttl"),
		.refresh = scenario_duration(sc, "index", "refresh"),
		.relay_hops = scenario_count(sc, "index", "relay_hops"),
		.query_hops = scenario_count(sc, "index", "query_hops"),
		.query_keys = scenario_count(sc, "index", "query_keys"),
		.query_interval = scenario_duration(sc, "index", "query_interval"),
		.download_start = scenario_duration(sc, "index", "download_start"),
		.slot_time = scenario_duration(sc, "index", "slot_time"),
		.connect_timeout = scenario_duration(sc, "index", "connect_timeout"),
		.syn_retries = scenario_count(sc, "index", "syn_retries"),
		.latency = scenario_duration(sc, "index", "latency"),
		.control = scenario_enum(sc, "index", "control"),
		.rewrite = scenario_enum(sc, "index", "rewrite"),
		.pick = scenario_enum(sc, "index", "pick"),
		.control_start = scenario_duration(sc, "index", "control_start"),
		.decoy_interval = scenario_duration(sc, "index", "decoy_interval"),
		.leak = scenario_ratio(sc, "index", "leak"),
		.threads = scenario_count(sc, "index", "threads"),
		.thread_rate = scenario_real(sc, "index", "thread_rate"),
		.sample_interval = scenario_duration(sc, "index", "sample_interval"),
	};
}

static gboolean
index_check(const struct scenario *sc, GError **err)
{
	struct index_params p;

	params_read(&p, sc);
	if (p.link_life_max < p.link_life)
		return scenario_invalid(sc, err, "index", "link_life_max",
					"%s is below [index] link_life (%s)",
					scenario_value_text(sc, "index", "link_life_max"),
					scenario_value_text(sc, "index", "link_life"));
	if (p.relays[TIER_FAST] + p.relays[TIER_MIDDLE] + p.downloaders + p.survey == 0)
		return scenario_invalid(sc, err, "index", "fast",
					"the uploader needs another fast or middle node to link to");
	if (p.control == CONTROL_POISON && p.threads > 0 && p.thread_rate == 0)
		return scenario_invalid(sc, err, "index", "thread_rate",
					"%" G_GUINT64_FORMAT " poisoning threads at 0 keys/s",
					p.threads);
	if (p.control == CONTROL_DECOYS && p.leak >= 1)
		return scenario_invalid(sc, err, "index", "leak",
					"with leak = 1 the decoys never take a slot");
	return TRUE;
}

static void
index_estimate(const struct scenario *sc, fc_time_t end, struct budget *b)
{
	struct index_params p;
	double sec = fc_time_to_sec(end), n;

	params_read(&p, sc);
	n = (double)(p.relays[0] + p.relays[1] + p.relays[2] + p.downloaders + p.survey + 1);
	/* Each link can carry key_rate keys a second each way, and is busy
	 * about half the time (measured: 1.3 events a node and second with
	 * one file and 2 up links, 2 with 50 files). */
	budget_add_events(b, n * (double)p.up_links * p.key_rate * sec,
			  "[index] nodes, up_links and key_rate over [run] duration");
	if (p.control == CONTROL_POISON)
		budget_add_events(b, (double)p.threads * p.thread_rate * sec,
				  "[index] threads and thread_rate over [run] duration");
	budget_add_bytes(b, n * (256.0 + 32.0 * (double)p.files) +
			 n * (double)(p.up_links + p.down_links) * (128.0 + 10.0 * (double)p.files),
			 "[index] nodes and files");
}

static void
nodes_new(struct ix *x)
{
	const struct index_params *p = &x->p;
	size_t middle_roles = 1 + p->downloaders + p->survey;
	size_t fast = p->relays[TIER_FAST], middle = p->relays[TIER_MIDDLE] + middle_roles;
	size_t first_role = fast + p->relays[TIER_MIDDLE];

	x->n = fast + middle + p->relays[TIER_SLOW];
	x->tier_end[TIER_FAST] = fast;
	x->tier_end[TIER_MIDDLE] = fast + middle;
	x->tier_end[TIER_SLOW] = x->n;
	x->nodes = g_new0(struct inode, x->n);
	for (size_t i = 0; i < x->n; i++) {
		struct inode *v = &x->nodes[i];

		v->x = x;
		v->id = (uint32_t)i;
		v->tier = i < x->tier_end[TIER_FAST] ? TIER_FAST :
			  i < x->tier_end[TIER_MIDDLE] ? TIER_MIDDLE : TIER_SLOW;
		v->role = ROLE_RELAY;
		if (i == first_role)
			v->role = ROLE_UPLOADER;
		else if (i > first_role && i <= first_role + p->downloaders)
			v->role = ROLE_DOWNLOADER;
		else if (p->survey && i == first_role + p->downloaders + 1)
			v->role = ROLE_SURVEY;
		v->up = net_link_add(x->net, p->rate[v->tier]);
		v->down = net_link_add(x->net, p->rate[v->tier]);
		v->links = g_ptr_array_new();
		v->keys = g_new(struct ikey, p->files);
		for (uint32_t f = 0; f < p->files; f++)
			v->keys[f] = (struct ikey){ .loc = LOC_NONE };
		v->link_ev = v->query_ev = v->slot_ev = ENGINE_EVENT_NONE;
		v->remaining = p->file_size;
		rng_stream_init(&v->rng, x->ctx->seed, x->ctx->replication, "index-node", i);
	}
	x->uploader = &x->nodes[first_role];
	x->survey = p->survey ? &x->nodes[first_role + p->downloaders + 1] : NULL;
}

static void *
index_create(struct world *world, const struct scenario *sc, GError **err)
{
	struct ix *x = g_new0(struct ix, 1);
	struct recorder *rec;

	(void)err;
	x->ctx = world_ctx(world);
	x->e = world_engine(world);
	x->net = world_net(world);
	rec = x->ctx->rec;
	params_read(&x->p, sc);
	x->key_time = fc_time_from_sec(1.0 / x->p.key_rate) + x->p.latency;
	rng_stream_init(&x->rng, x->ctx->seed, x->ctx->replication, "index-control", 0);
	x->bfs = g_ptr_array_new();
	nodes_new(x);
	x->ttl_v = rec_vector_new(rec, "survey", "ttl");
	x->found_v = rec_vector_new(rec, "survey", "files_found");
	x->genuine_v = rec_vector_new(rec, "index", "genuine_holders");
	x->dummy_v = rec_vector_new(rec, "index", "dummy_holders");
	x->time_stat = rec_stat_new(rec, "download", "time_s");
	for (size_t i = 0; i < x->n; i++) {
		struct inode *v = &x->nodes[i];
		gsl_rng *r = nrng(v);

		v->link_ev = engine_schedule(x->e, fc_time_from_sec(gsl_rng_uniform(r)),
					     link_attempt, v);
		if (v->role == ROLE_UPLOADER) {
			/* It holds its files, and their keys, from the start. */
			for (uint32_t f = 0; f < x->p.files; f++)
				v->keys[f] = (struct ikey){ .loc = (int32_t)v->id, .expires = x->p.ttl };
			engine_schedule(
				x->e, fc_time_from_sec(gsl_rng_uniform(r) * fc_time_to_sec(x->p.refresh)),
				refresh_ev, v);
		}
		else if (v->role == ROLE_SURVEY)
			v->query_ev = engine_schedule(
				x->e, fc_time_from_sec(gsl_rng_uniform(r) * fc_time_to_sec(x->p.query_interval)),
				query_ev, v);
		else if (v->role == ROLE_DOWNLOADER)
			v->query_ev = engine_schedule(
				x->e, x->p.download_start +
				fc_time_from_sec(gsl_rng_uniform(r) * fc_time_to_sec(x->p.query_interval)),
				query_ev, v);
	}
	if (x->p.control == CONTROL_POISON && x->p.threads > 0) {
		x->threads = g_new0(struct thread, x->p.threads);
		for (uint64_t i = 0; i < x->p.threads; i++) {
			x->threads[i].x = x;
			rng_stream_init(&x->threads[i].rng, x->ctx->seed, x->ctx->replication,
					"index-thread", i);
		}
	}
	if (x->p.control != CONTROL_NONE)
		engine_schedule_at(x->e, x->p.control_start, control_start_ev, x);
	if (x->p.sample_interval > 0)
		engine_schedule(x->e, 0, sample_ev, x);
	return x;
}

static void
index_finish(void *data, struct sim_ctx *ctx)
{
	struct ix *x = data;
	struct recorder *rec = ctx->rec;
	uint64_t links = 0, decoy = 0;

	for (size_t i = 0; i < x->n; i++) {
		const struct inode *v = &x->nodes[i];

		for (guint j = 0; j < v->links->len; j++) {
			const struct ilink *l = g_ptr_array_index(v->links, j);

			links += l->a == v && l->b;
			decoy += l->a == v && !l->b;
		}
	}
	rec_scalar(rec, "index", "nodes", (double)x->n);
	rec_scalar(rec, "index", "links_opened", (double)x->links_opened);
	rec_scalar(rec, "index", "links_at_end", (double)links);
	rec_scalar(rec, "index", "decoy_links", (double)x->decoy_links);
	rec_scalar(rec, "index", "decoy_links_at_end", (double)decoy);
	rec_scalar(rec, "index", "keys_sent", (double)x->keys_sent);
	rec_scalar(rec, "index", "keys_accepted", (double)x->keys_accepted);
	rec_scalar(rec, "index", "keys_to_decoys", (double)x->keys_swallowed);
	rec_scalar(rec, "index", "dummies_injected", (double)x->dummies);
	rec_scalar(rec, "index", "queries", (double)x->queries);
	rec_scalar(rec, "download", "fake_connects", (double)x->fake_connects);
	rec_scalar(rec, "download", "connections_cut", (double)x->slots_cut);
	rec_scalar(rec, "download", "done", (double)x->downloads_done);
	rec_scalar(rec, "download", "missing", (double)(x->p.downloaders - x->downloads_done));
}

static void
index_destroy(void *data)
{
	struct ix *x = data;

	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++) {
		struct inode *v = &x->nodes[i];

		/* A link is freed once, by the node that opened it, after it
		 * left the other end's list. */
		for (guint j = 0; j < v->links->len; j++) {
			struct ilink *l = g_ptr_array_index(v->links, j);

			if (l->a != v)
				continue;
			if (l->b)
				g_ptr_array_remove(l->b->links, l);
			link_free(l);
		}
		if (v->flow)
			net_flow_cancel(x->net, v->flow);
	}
	for (size_t i = 0; i < x->n; i++) {
		g_ptr_array_unref(x->nodes[i].links);
		g_free(x->nodes[i].keys);
	}
	g_free(x->nodes);
	g_free(x->threads);
	g_ptr_array_unref(x->bfs);
	g_free(x);
}

static void
index_warn(const struct scenario *sc, GPtrArray *warnings)
{
	int control = scenario_enum(sc, "index", "control");

	if (control != CONTROL_DECOYS) {
		scenario_warn_if_set(sc, warnings, "index", "leak", "[index] control is not decoys");
		scenario_warn_if_set(sc, warnings, "index", "decoy_interval",
				     "[index] control is not decoys");
	}
	if (control != CONTROL_POISON) {
		scenario_warn_if_set(sc, warnings, "index", "threads", "[index] control is not poison");
		scenario_warn_if_set(sc, warnings, "index", "thread_rate",
				     "[index] control is not poison");
	}
	if (control == CONTROL_NONE)
		scenario_warn_if_set(sc, warnings, "index", "control_start",
				     "[index] control is none");
	if (scenario_count(sc, "index", "downloaders") == 0) {
		scenario_warn_if_set(sc, warnings, "index", "file_size", "[index] downloaders is 0");
		scenario_warn_if_set(sc, warnings, "index", "download_start",
				     "[index] downloaders is 0");
	}
}

static const char *const index_groups[] = { "index", NULL };

const struct traffic_type winny_index_traffic = {
	.name = "winny-index",
	.check = index_check,
	.estimate = index_estimate,
	.create = index_create,
	.finish = index_finish,
	.destroy = index_destroy,
	.groups = index_groups,
	.warn = index_warn,
};
