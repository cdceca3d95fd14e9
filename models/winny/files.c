/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Files, keys, queries and downloads.
 *
 * The catalogue has [winny] files files, ranked by a Zipf popularity, of
 * lognormal sizes in whole blocks.  At the start each peer holds a Poisson
 * number of them, drawn by popularity.  A key says that a peer holds a file;
 * the holder keeps re-diffusing it while online, so its key is alive while
 * the holder is online and for ttl after it left (the key's TTL runs down by
 * 1 per second once no fresh copy comes, seed 002 §3-1).  The index of who
 * holds a file stands for the keys diffused over the search links (only
 * the [winny] uploaders share of the peers diffuse keys and serve: the
 * others only download): a query
 * finds the live keys of the file, and also dead ones, which point to peers
 * that are gone.  A downloader's key enters the index with its first
 * blocks: Winny shares incomplete caches, each with a part of the file.
 *
 * An online peer wishes for files at its own rate (lognormal around
 * [winny] downloads per hour: users differ), by popularity, and downloads
 * one at a time, the others waiting.  A download searches: every
 * query_interval (Winny's automatic search) it sends a query up each of its
 * upstream search links, answered with up to query_keys keys.  It then
 * tries the key of the fastest holder it found, and opens a transfer link to
 * one: a holder that is gone leaves the SYNs unanswered; one that already
 * serves upload_slots downloads refuses.  Blocks flow at the rate the
 * network gives, at most slot_blocks of them per connection; once the
 * connection has lasted slot_time the uploader finishes the block in
 * flight (at least one) and closes it (an uploader serves its queue in
 * turns).  The downloader
 * keeps its whole blocks; after a connection that carried all it asked
 * for it asks the same holder again, while after one closed at the slot
 * time, a refusal or the holder's departure it goes on from another key.
 * Fast holders therefore keep their downloaders and slow ones lose them,
 * which is what concentrates the uploads (Fig. 7).  The finished
 * file is a new cached copy whose key the downloader diffuses: the reason,
 * the seed says, Winny's volume is spread more evenly than other networks'.
 */
#include "models/winny/internal.h"

#include <math.h>

#include <gsl/gsl_randist.h>

static void query(struct engine *e, void *data, fc_time_t now);
static void retry_source(struct engine *e, void *data, fc_time_t now);
static void wish(struct engine *e, void *data, fc_time_t now);

static gsl_rng *
prng(struct peer *p)
{
	return rng_stream_gsl(&p->rng);
}

/* A file rank drawn by popularity. */
static uint32_t
zipf_draw(const struct winny *w, gsl_rng *r)
{
	double u = gsl_rng_uniform(r) * w->zipf_cdf[w->p.files - 1];
	size_t lo = 0, hi = w->p.files - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->zipf_cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return (uint32_t)lo;
}

static bool
holds(const struct peer *p, uint32_t f)
{
	guint lo = 0, hi = p->held->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		uint32_t x = g_array_index(p->held, uint32_t, mid);

		if (x == f)
			return true;
		if (x < f)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* p's key for f goes into the index, if p shares. */
static void
index_add(struct winny *w, struct peer *p, uint32_t f)
{
	if (p->shares)
		g_array_append_val(w->files[f].holders, p->id);
}

/* p now holds all of f. */
static void
hold(struct peer *p, uint32_t f)
{
	guint i = 0;

	while (i < p->held->len && g_array_index(p->held, uint32_t, i) < f)
		i++;
	if (i < p->held->len && g_array_index(p->held, uint32_t, i) == f)
		return;
	g_array_insert_val(p->held, i, f);
}

/* The share of f's blocks that c holds: all, the part of its download so
 * far (an incomplete cache), or none. */
static double
completeness(const struct winny *w, const struct peer *c, uint32_t f)
{
	if (holds(c, f))
		return 1;
	if (c->want == f)
		return 1 - (double)c->missing / (double)w->files[f].blocks;
	return 0;
}

gboolean
files_new(struct winny *w, GError **err)
{
	const struct winny_params *p = &w->p;
	gsl_rng *r;
	double sum = 0;
	uint64_t max_blocks = p->file_max / p->block;

	(void)err;
	rng_stream_init(&w->files_rng, w->ctx->seed, w->ctx->replication, "winny-files", 0);
	r = rng_stream_gsl(&w->files_rng);
	w->files = g_new0(struct wfile, p->files);
	w->zipf_cdf = g_new(double, p->files);
	for (uint64_t i = 0; i < p->files; i++) {
		double bytes = (double)p->file_median *
			       exp(p->file_sigma * gsl_ran_ugaussian(r));
		double blocks = ceil(bytes / (double)p->block);

		sum += pow((double)(i + 1), -p->zipf);
		w->zipf_cdf[i] = sum;
		w->files[i].blocks = blocks < 1 ? 1 :
				     blocks > (double)max_blocks ? max_blocks : (uint64_t)blocks;
		w->files[i].holders = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	}
	/* Decoys and the peers that run only Share hold nothing. */
	for (size_t i = 0; i < w->nwinny; i++) {
		struct peer *q = &w->peers[i];
		unsigned n;

		if (q->decoy)
			continue;
		n = gsl_ran_poisson(prng(q), p->held);

		for (unsigned k = 0; k < n; k++) {
			uint32_t f = zipf_draw(w, prng(q));

			if (!holds(q, f)) {
				hold(q, f);
				index_add(w, q, f);
			}
		}
	}
	return TRUE;
}

void
files_free(struct winny *w)
{
	/* The transfers in flight, each listed once, by its holder; their
	 * flows and timers go with the network and the engine. */
	for (size_t i = 0; w->peers && i < w->npeers; i++) {
		GPtrArray *serving = w->peers[i].serving;

		for (guint j = 0; serving && j < serving->len; j++)
			g_free(serving->pdata[j]);
		if (serving)
			g_ptr_array_set_size(serving, 0);
	}
	if (w->files)
		for (uint64_t i = 0; i < w->p.files; i++)
			if (w->files[i].holders)
				g_array_unref(w->files[i].holders);
	g_free(w->files);
	g_free(w->zipf_cdf);
	w->files = NULL;
	w->zipf_cdf = NULL;
}

/* A key lives while its holder is online and for ttl after it left. */
static bool
files_key_alive(const struct winny *w, const struct peer *holder, fc_time_t now)
{
	return holder->online || now - holder->offline_since < w->p.ttl;
}

/* Downloads. */

static void
search_in(struct winny *w, struct peer *p, fc_time_t delay, engine_fn fn)
{
	engine_cancel(w->e, p->query_ev);
	p->query_ev = engine_schedule(w->e, delay, fn, p);
}

/* The next automatic search takes p's download up. */
static void
search_soon(struct winny *w, struct peer *p)
{
	search_in(w, p, fc_time_from_sec(gsl_rng_uniform(prng(p)) *
					 fc_time_to_sec(w->p.query_interval)), query);
}

static void
download_start(struct winny *w, struct peer *p, uint32_t f)
{
	p->want = f;
	p->missing = w->files[f].blocks;
	search_soon(w, p);
}

static void
download_next(struct winny *w, struct peer *p)
{
	p->want = UINT32_MAX;
	p->missing = 0;
	while (p->queue->len && p->want == UINT32_MAX) {
		uint32_t f = g_array_index(p->queue, uint32_t, 0);

		g_array_remove_index(p->queue, 0);
		if (!holds(p, f))
			download_start(w, p, f);
	}
}

static void transfer_end(struct transfer *t, fc_time_t now, uint64_t received);

static void
transfer_done(struct net *n, struct net_flow *f, void *data, fc_time_t now)
{
	struct transfer *t = data;
	uint64_t bytes = t->blocks * t->w->p.block;

	(void)n;
	(void)f;
	t->flow = NULL;
	transfer_end(t, now, bytes);
}

static void
transfer_cut(struct engine *e, void *data, fc_time_t now)
{
	struct transfer *t = data;
	uint64_t block = t->w->p.block;
	uint64_t keep = (net_flow_received(t->w->net, t->flow) + block - 1) / block;

	(void)e;
	(void)now;
	t->cut_ev = ENGINE_EVENT_NONE;
	/* The block in flight (at least one) is finished, then it closes. */
	keep = MAX(keep, 1u);
	if (keep < t->blocks) {
		net_flow_shrink(t->w->net, t->flow, keep * block);
		t->blocks = keep;
		t->cut = true;
	}
}

static void
transfer_start(struct winny *w, struct peer *p, struct peer *h, fc_time_t now)
{
	struct transfer *t;
	net_link path[4];
	size_t n = 0;
	uint64_t avail = p->missing;
	double c = completeness(w, h, p->want);

	/* An incomplete cache has a random part of the blocks: as many of
	 * those p lacks as a binomial draw gives.  None: the holder answers
	 * that it has nothing new, and p tries another key. */
	if (c < 1)
		avail = gsl_ran_binomial(prng(p), c, (unsigned)MIN(p->missing, (uint64_t)UINT_MAX));
	if (avail == 0) {
		overlay_log_short(w, p, h, APP_WINNY, now, w->p.request, "control");
		search_in(w, p, 2 * overlay_rtt(w, p, h), retry_source);
		return;
	}
	t = g_new0(struct transfer, 1);

	t->w = w;
	t->to = p;
	t->from = h;
	t->start = now;
	t->to_port = overlay_ephemeral(p);
	path[n++] = h->up;
	if (h->inside)
		path[n++] = world_isp_link(w->world, h->isp);
	if (p->inside && !(h->inside && h->isp == p->isp))
		path[n++] = world_isp_link(w->world, p->isp);
	path[n++] = p->down;
	t->blocks = MIN(avail, w->p.slot_blocks);
	t->flow = net_flow_start(w->net, path, n, t->blocks * w->p.block, transfer_done, t);
	t->cut_ev = engine_schedule(w->e, w->p.slot_time, transfer_cut, t);
	h->uploads++;
	g_ptr_array_add(h->serving, t);
	p->getting = t;
	w->transfers++;
}

/*
 * The connection ends with `received` bytes delivered: the whole blocks
 * count, the downloader goes on from another holder or is done.
 */
static void
transfer_end(struct transfer *t, fc_time_t now, uint64_t received)
{
	struct winny *w = t->w;
	struct peer *p = t->to, *h = t->from;
	uint64_t blocks = MIN(received / w->p.block, p->missing);
	uint64_t t_blocks = t->blocks;
	bool cut = t->cut;

	engine_cancel(w->e, t->cut_ev);
	if (tap_crosses(p, h))
		tap_log(w, p, h, APP_WINNY, t->to_port, t->start, now + overlay_rtt(w, p, h),
			w->p.request, 1 + WINNY_HANDSHAKE_PACKETS,
			received, tap_packets(received) + WINNY_HANDSHAKE_PACKETS, "transfer");
	h->uploads--;
	g_ptr_array_remove(h->serving, t);
	p->getting = NULL;
	p->bytes_down += received;
	h->bytes_up += received;
	w->transfer_bytes += received;
	g_free(t);
	if (blocks > 0 && p->missing == w->files[p->want].blocks)
		index_add(w, p, p->want); /* its first blocks: a cache to share */
	p->missing -= blocks;
	if (p->missing == 0) {
		hold(p, p->want);
		w->downloads_done++;
		download_next(w, p);
	} else if (p->online) {
		/* A connection that carried all it asked for keeps its holder;
		 * one cut by the slot time or by a departure does not. */
		p->source = !cut && received == t_blocks * w->p.block && h->online ? h : NULL;
		search_in(w, p, p->source ? overlay_rtt(w, p, h) : 0, retry_source);
	}
}

/*
 * Tries one of the keys found for p's file: of WINNY_CANDIDATE_TRIES drawn
 * from the index, the live one whose holder declares the fastest line (the
 * first of equals; a key carries its holder's line speed).  False when
 * none is live.
 */
static bool
pick_source(struct winny *w, struct peer *p, fc_time_t now)
{
	GArray *holders = w->files[p->want].holders;
	gsl_rng *r = prng(p);
	struct peer *h = NULL;

	for (int i = 0; i < WINNY_CANDIDATE_TRIES && holders->len; i++) {
		struct peer *c = &w->peers[g_array_index(holders, uint32_t,
						       gsl_rng_uniform_int(r, holders->len))];

		if (c != p && files_key_alive(w, c, now) && completeness(w, c, p->want) > 0 &&
		    (!h || c->up_bps > h->up_bps))
			h = c;
	}
	if (!h)
		return false;
	if (!h->online) {
		overlay_log_failed(w, p, h, APP_WINNY, now, "control");
		search_in(w, p, (w->p.syn_retries + 1) * w->p.connect_timeout, retry_source);
	} else if (h->uploads >= w->p.upload_slots) {
		overlay_log_short(w, p, h, APP_WINNY, now, w->p.request, "control");
		w->busy++;
		search_in(w, p, 2 * overlay_rtt(w, p, h), retry_source);
	} else {
		transfer_start(w, p, h, now);
	}
	return true;
}

static void
retry_source(struct engine *e, void *data, fc_time_t now)
{
	struct peer *p = data, *h = p->source;
	struct winny *w = p->w;

	(void)e;
	p->query_ev = ENGINE_EVENT_NONE;
	p->source = NULL;
	if (!p->online || p->want == UINT32_MAX || p->getting)
		return;
	/* It asks the holder that just served it again, if it can. */
	if (h && h->online && h->uploads < w->p.upload_slots) {
		transfer_start(w, p, h, now);
		return;
	}
	if (!pick_source(w, p, now))
		search_in(w, p, w->p.query_interval, query);
}

/* The automatic search: a query up every upstream link, and its answers. */
static void
query(struct engine *e, void *data, fc_time_t now)
{
	struct peer *p = data;
	struct winny *w = p->w;
	GArray *holders;
	uint64_t alive = 0, sample, answer;
	gsl_rng *r = prng(p);

	(void)e;
	p->query_ev = ENGINE_EVENT_NONE;
	if (!p->online || p->want == UINT32_MAX || p->getting)
		return;
	if (p->nup == 0) {
		search_in(w, p, w->p.query_interval, query);
		return;
	}
	w->queries++;
	/* How many live keys the answers carry: estimated from a sample of
	 * the index, so a query costs the same for any popularity. */
	holders = w->files[p->want].holders;
	sample = MIN(holders->len, (guint)WINNY_CANDIDATE_TRIES);
	for (uint64_t i = 0; i < sample; i++) {
		const struct peer *c = &w->peers[g_array_index(
			holders, uint32_t, gsl_rng_uniform_int(r, holders->len))];

		alive += c != p && files_key_alive(w, c, now) && completeness(w, c, p->want) > 0;
	}
	answer = sample ? MIN(w->p.query_keys, alive * holders->len / sample) : 0;
	for (guint i = 0; i < p->links->len; i++) {
		struct slink *l = p->links->pdata[i];
		uint64_t bytes = answer * w->p.key_size;

		if (l->a != p)
			continue;
		l->extra_ab += w->p.query_size;
		l->extra_packets_ab += tap_packets(w->p.query_size);
		l->extra_ba += bytes;
		l->extra_packets_ba += tap_packets(bytes);
	}
	if (!pick_source(w, p, now))
		search_in(w, p, w->p.query_interval, query);
}

static void
wish(struct engine *e, void *data, fc_time_t now)
{
	struct peer *p = data;
	struct winny *w = p->w;
	gsl_rng *r = prng(p);
	uint32_t f;

	(void)e;
	(void)now;
	p->wish_ev = engine_schedule(w->e, fc_time_from_sec(gsl_ran_exponential(r, 1 / p->demand)),
				     wish, p);
	f = zipf_draw(w, r);
	if (holds(p, f) || f == p->want)
		return;
	for (guint i = 0; i < p->queue->len; i++)
		if (g_array_index(p->queue, uint32_t, i) == f)
			return;
	w->wishes++;
	if (p->want == UINT32_MAX)
		download_start(w, p, f);
	else if (p->queue->len < WINNY_MAX_QUEUED)
		g_array_append_val(p->queue, f);
}

void
files_peer_join(struct winny *w, struct peer *p, fc_time_t now)
{
	(void)now;
	if (p->demand > 0)
		p->wish_ev = engine_schedule(
			w->e, fc_time_from_sec(gsl_ran_exponential(prng(p), 1 / p->demand)),
			wish, p);
	if (p->want != UINT32_MAX)
		search_soon(w, p);
	else
		download_next(w, p);
}

void
files_peer_leave(struct winny *w, struct peer *p, fc_time_t now)
{
	engine_cancel(w->e, p->wish_ev);
	engine_cancel(w->e, p->query_ev);
	p->wish_ev = p->query_ev = ENGINE_EVENT_NONE;
	if (p->getting) {
		struct transfer *t = p->getting;
		uint64_t got = net_flow_cancel(w->net, t->flow);

		t->flow = NULL;
		transfer_end(t, now, got);
	}
	/* The downloads it serves end; their downloaders look elsewhere. */
	while (p->serving->len) {
		struct transfer *t = p->serving->pdata[p->serving->len - 1];
		uint64_t got = net_flow_cancel(w->net, t->flow);

		t->flow = NULL;
		transfer_end(t, now, got);
	}
}
