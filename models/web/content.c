/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sites, objects, torrents and the replicas the servers hold. */
#include "models/web/internal.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

struct wserver *
web_server_at(struct web *w, uint32_t address)
{
	return address >= 1 && address <= w->nservers ? &w->servers[address - 1] : NULL;
}

char *
web_content_key(uint32_t site, uint64_t object)
{
	if (object == FC_WHOLE_SITE)
		return g_strdup_printf("%u/all", site);
	return g_strdup_printf("%u/%" G_GUINT64_FORMAT, site, object);
}

static uint64_t
torrent_key(uint32_t site, uint64_t object)
{
	return ((uint64_t)site << TORRENT_SITE_SHIFT) |
	       (object == FC_WHOLE_SITE ? (((uint64_t)1 << TORRENT_SITE_SHIFT) - 1) : object);
}

/* The torrent of (site, object), or UINT32_MAX when none was published. */
static uint32_t
torrent_find(const struct web *w, uint32_t site, uint64_t object)
{
	uint64_t k = torrent_key(site, object);
	gpointer v;

	if (!w->swarm || !(v = g_hash_table_lookup(w->torrents, &k)))
		return UINT32_MAX;
	return (uint32_t)(GPOINTER_TO_SIZE(v) - 1);
}

struct speer *
web_speer_of(const struct wserver *ws, uint32_t site, uint64_t object)
{
	uint32_t t = torrent_find(ws->w, site, object);

	return t == UINT32_MAX ? NULL : g_tree_lookup(ws->speers, GUINT_TO_POINTER(t));
}

/* Where an object lies in its site's torrent. */
static void
object_range(const struct web *w, uint32_t site, uint64_t object, uint64_t *off, uint64_t *len)
{
	const struct page *pg =
		&w->sites[site].pages[(object >> OBJECT_INDEX_BITS) % w->sites[site].npages];
	size_t i = (size_t)MIN(object & (OBJECTS_PER_PAGE_MAX - 1), pg->n - 1);

	*off = pg->offset[i];
	*len = pg->objects[i];
}

uint64_t
web_object_bytes(const struct web *w, uint32_t site, uint64_t object)
{
	uint64_t off, len;

	if (object == FC_WHOLE_SITE)
		return w->sites[site].bytes;
	object_range(w, site, object, &off, &len);
	return len;
}

uint64_t
web_redirect_bytes(const struct web *w, uint32_t site, uint64_t object)
{
	const struct page *pg;

	if (object == FC_WHOLE_SITE || object == TORRENT_OBJECT ||
	    (object & (OBJECTS_PER_PAGE_MAX - 1)) != 0)
		return web_object_bytes(w, site, object);
	/* A page's objects lie one after another in the torrent. */
	pg = &w->sites[site].pages[(object >> OBJECT_INDEX_BITS) % w->sites[site].npages];
	return pg->offset[pg->n - 1] + pg->objects[pg->n - 1] - pg->offset[0];
}

/* Whether p holds bytes [off, off + len) of its torrent. */
bool
web_peer_covers(const struct web *w, const struct swarm_peer *p, uint64_t off, uint64_t len)
{
	uint64_t ps = w->piece_size;

	if (swarm_peer_seed(p))
		return true;
	for (uint64_t i = off / ps; i <= (off + len - 1) / ps; i++)
		if (!swarm_peer_has(p, (uint32_t)i))
			return false;
	return true;
}

bool
web_has_content(struct wserver *ws, uint32_t site, uint64_t object)
{
	g_autofree char *whole = web_content_key(site, FC_WHOLE_SITE);
	g_autofree char *one = web_content_key(site, object);
	const struct speer *sp;

	if (g_hash_table_contains(ws->have, whole) || g_hash_table_contains(ws->have, one))
		return true;
	/* What has arrived through a swarm so far. */
	if ((sp = web_speer_of(ws, site, FC_WHOLE_SITE))) {
		uint64_t off, len;

		if (object == FC_WHOLE_SITE)
			return swarm_peer_seed(sp->p);
		object_range(ws->w, site, object, &off, &len);
		if (web_peer_covers(ws->w, sp->p, off, len))
			return true;
	}
	return object != FC_WHOLE_SITE && (sp = web_speer_of(ws, site, object)) &&
	       swarm_peer_seed(sp->p);
}

/* Whether ws has anything of site (and so its .torrent). */
bool
web_holds_any(struct wserver *ws, uint32_t site)
{
	GHashTableIter it;
	gpointer k;
	g_autofree char *prefix = g_strdup_printf("%u/", site);

	if (site == ws->idx || ws->w->policy == WEB_POLICY_MIRROR)
		return true;
	g_hash_table_iter_init(&it, ws->have);
	while (g_hash_table_iter_next(&it, &k, NULL))
		if (g_str_has_prefix(k, prefix))
			return true;
	for (GTreeNode *n = g_tree_node_first(ws->speers); n; n = g_tree_node_next(n))
		if (((struct speer *)g_tree_node_value(n))->site == site)
			return true;
	return false;
}

/* Whether ws takes a copy of site (spread = predistributed). */
bool
web_takes_copy(const struct wserver *ws, uint32_t site)
{
	const struct web *w = ws->w;

	return w->predistributed && site != ws->idx && w->sites[site].bytes <= w->copy_limit;
}

/* Whether ws holds its copy of site: made before the run, or fetched. */
bool
web_holds_copy(const struct wserver *ws, uint32_t site)
{
	return web_takes_copy(ws, site) && (!ws->w->copies_by_bt || ws->copied[site]);
}

/* Whether ws seeds the whole-site torrent of another server's site: it
 * holds a copy, or it mirrors every site. */
bool
web_seeds_site(const struct wserver *ws, uint32_t site)
{
	return ws->w->policy == WEB_POLICY_MIRROR || web_holds_copy(ws, site);
}

/* The copies made before the run ([coop] spread = predistributed): every
 * site within the copy limit, except a server's own (it has it anyway). */
void
web_add_copies(struct wserver *ws)
{
	struct web *w = ws->w;

	for (unsigned s = 0; s < w->nservers; s++)
		if (web_holds_copy(ws, s))
			g_hash_table_add(ws->have, web_content_key(s, FC_WHOLE_SITE));
}

/*
 * The torrent of (site, object), published now if it was not: the site's
 * server seeds it, and so do the holders of copies made beforehand and
 * the mirrors (of the whole site).  A torrent is published when first needed; until then no
 * swarm has anything to do.
 */
uint32_t
web_torrent_get(struct web *w, uint32_t site, uint64_t object)
{
	uint32_t t = torrent_find(w, site, object);
	uint64_t *k;
	struct torrent_of of = { site, object };

	if (t != UINT32_MAX)
		return t;
	t = swarm_torrent_add(w->swarm, web_object_bytes(w, site, object));
	g_assert(t == w->torrent_of->len);
	g_array_append_val(w->torrent_of, of);
	k = g_new(uint64_t, 1);
	*k = torrent_key(site, object);
	g_hash_table_insert(w->torrents, k, GSIZE_TO_POINTER((gsize)t + 1));
	for (unsigned i = 0; i < w->nservers; i++) {
		struct wserver *ws = &w->servers[i];

		if (server_up(ws->srv) &&
		    (i == site || (object == FC_WHOLE_SITE && web_seeds_site(ws, site))))
			web_speer_join(ws, t, SP_SEED);
	}
	return t;
}

static void
sp_piece(struct swarm_peer *p, uint32_t piece, void *data, fc_time_t now)
{
	struct speer *sp = data;

	(void)p;
	(void)piece;
	(void)now;
	if (sp->kind != SP_SEED && sp->ws->waiters->len)
		web_release_arrived(sp->ws, sp->site);
}

static void
sp_complete(struct swarm_peer *p, void *data, fc_time_t now)
{
	struct speer *sp = data;
	struct wserver *ws = sp->ws;

	(void)p;
	if (sp->kind == SP_SEED)
		return;
	if (sp->kind == SP_COPY)
		ws->copied[sp->site] = true;
	g_hash_table_add(ws->have, web_content_key(sp->site, sp->object));
	if (sp->started >= ws->w->ctx->warmup)
		rec_stat_add(sp->kind == SP_COPY ? ws->w->copy_time : ws->w->fetch_time,
			      fc_time_to_sec(now - sp->started));
	web_release_site(ws, sp->site, sp->object, true);
	if (sp->kind == SP_FETCH)
		web_fetch_done(ws, sp->site, sp->object, true);
}

static const struct swarm_hooks server_hooks = { sp_piece, sp_complete };

static void
speer_log(const struct speer *sp, const char *kind)
{
	g_autofree char *entity = g_strdup_printf("server.%u", sp->ws->idx);

	if (sp->object == FC_WHOLE_SITE)
		rec_event(sp->ws->w->ctx->rec, engine_now(sp->ws->w->e), entity, kind,
			  "site.%u", sp->site);
	else
		rec_event(sp->ws->w->ctx->rec, engine_now(sp->ws->w->e), entity, kind,
			  "site.%u object %" G_GUINT64_FORMAT, sp->site, sp->object);
}

/*
 * ws joins the swarm of torrent over its access links: as a seed (its own
 * site, or a copy it holds), to fetch what it serves, or to take its copy.
 */
void
web_speer_join(struct wserver *ws, uint32_t torrent, enum speer_kind kind)
{
	struct web *w = ws->w;
	const struct torrent_of *of = &g_array_index(w->torrent_of, struct torrent_of, torrent);
	struct speer *sp = g_new0(struct speer, 1);
	/* Servers' peer ids have the top bit set; clients' do not. */
	uint64_t id = SERVER_PEER_BIT | ((uint64_t)ws->idx << SERVER_JOIN_BITS) | ws->joins++;

	g_assert(ws->joins < ((uint64_t)1 << SERVER_JOIN_BITS));
	g_assert(!g_tree_lookup(ws->speers, GUINT_TO_POINTER(torrent)));
	*sp = (struct speer){ ws, NULL, of->site, of->object, engine_now(w->e), kind };
	g_tree_insert(ws->speers, GUINT_TO_POINTER(torrent), sp);
	sp->p = swarm_join(w->swarm, torrent, id, &ws->up, 1, &ws->down, 1, kind == SP_SEED,
			   &server_hooks, sp);
	/* A cooperator seeding its own site has a class of its own, so that
	 * a site's swarms tell its own server from the others. */
	swarm_peer_set_class(sp->p, ws->idx == 0 ? BT_ORIGIN :
			     ws->idx == of->site ? BT_OWN_SITE : BT_COOPERATORS);
	if (kind == SP_FETCH)
		speer_log(sp, "bt_join");
}

/*
 * ws leaves the swarms of site that it joined to fetch (all its swarms
 * with every_one), telling the tracker; in the order of the torrents, so
 * the leaves and their records never depend on a hash table's order.
 */
void
web_speers_leave(struct wserver *ws, uint32_t site, bool every_one)
{
	g_autoptr(GArray) gone = g_array_new(FALSE, FALSE, sizeof(gpointer));

	for (GTreeNode *n = g_tree_node_first(ws->speers); n; n = g_tree_node_next(n)) {
		struct speer *sp = g_tree_node_value(n);

		if (every_one || (sp->kind == SP_FETCH && sp->site == site)) {
			gpointer key = g_tree_node_key(n);

			if (sp->kind == SP_FETCH)
				speer_log(sp, "bt_leave");
			swarm_leave(ws->w->swarm, sp->p);
			g_array_append_val(gone, key);
		}
	}
	for (guint i = 0; i < gone->len; i++)
		g_tree_remove(ws->speers, g_array_index(gone, gpointer, i)); /* frees sp */
}

/* Whether a fetch of (site, object) is under way at ws. */
bool
web_fetch_underway(struct wserver *ws, uint32_t site, uint64_t object)
{
	g_autofree char *one = web_content_key(site, object);
	g_autofree char *whole = web_content_key(site, FC_WHOLE_SITE);

	return g_hash_table_contains(ws->fetching, one) ||
	       g_hash_table_contains(ws->fetching, whole) ||
	       web_speer_of(ws, site, FC_WHOLE_SITE) ||
	       (object != FC_WHOLE_SITE && web_speer_of(ws, site, object));
}

static uint64_t
clamp_bytes(double b)
{
	return b < 1 ? 1 : b > OBJECT_MAX_BYTES ? (uint64_t)OBJECT_MAX_BYTES : (uint64_t)b;
}

/* Site i: its pages and objects drawn from its own stream (SURGE). */
void
web_build_site(struct web *w, const struct site_params *sp, uint32_t i)
{
	struct site *st = &w->sites[i];
	struct rng_stream rs;
	gsl_rng *r;
	double norm = 0;

	rng_stream_init(&rs, w->ctx->seed, w->ctx->replication, "site", i);
	r = rng_stream_gsl(&rs);
	st->npages = sp->pages;
	st->pages = g_new0(struct page, st->npages);
	st->cdf = g_new(double, st->npages);
	for (size_t p = 0; p < st->npages; p++) {
		struct page *pg = &st->pages[p];
		double k = gsl_ran_pareto(r, sp->embedded_alpha, sp->embedded_k);
		size_t emb = (size_t)MIN(floor(k), (double)sp->embedded_max);

		emb = MIN(emb, OBJECTS_PER_PAGE_MAX - 1);
		pg->n = 1 + emb;
		pg->objects = g_new(uint64_t, pg->n);
		if (gsl_rng_uniform(r) < sp->tail_share)
			pg->objects[0] = clamp_bytes(gsl_ran_pareto(r, sp->tail_alpha,
								    (double)sp->tail_k));
		else
			pg->objects[0] = clamp_bytes(gsl_ran_lognormal(r, sp->html_mu,
								       sp->html_sigma));
		for (size_t o = 1; o < pg->n; o++)
			pg->objects[o] = clamp_bytes(gsl_ran_lognormal(r, sp->embedded_mu,
								       sp->embedded_sigma));
		pg->offset = g_new(uint64_t, pg->n);
		for (size_t o = 0; o < pg->n; o++) {
			pg->offset[o] = st->bytes;
			st->bytes += pg->objects[o];
		}
		st->nobjects += pg->n;
		norm += pow((double)(p + 1), -sp->zipf);
		st->cdf[p] = norm;
	}
	for (size_t p = 0; p < st->npages; p++)
		st->cdf[p] /= norm;
	st->torrent_bytes = TORRENT_HEADER_BYTES +
			    TORRENT_PIECE_HASH_BYTES * ((st->bytes + w->piece_size - 1) / w->piece_size) +
			    TORRENT_FILE_ENTRY_BYTES * st->nobjects;
}
