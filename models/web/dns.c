/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "models/web/dns.h"

#include <string.h>

#include <glib.h>

struct zone {
	GArray *records;  /* uint32_t, in the order added */
	uint64_t serial;  /* bumped by every change */
	size_t rotate;    /* round-robin offset of the next answer */
	struct rec_vector *v;
};

struct cached {
	uint32_t *answer;
	size_t n, next;   /* the resolver rotates its copy on every use */
	fc_time_t expires;
	bool valid;
};

struct dns {
	struct engine *e;
	struct dns_params p;
	struct zone *zones;
	size_t nsites;
	struct cached *cache; /* resolvers x sites */
	GPtrArray *pending;   /* updates not yet in effect */
	uint64_t authority_queries, failed_queries;
	fc_time_t down_from, down_until; /* the authority's outage */
};

struct update {
	struct dns *d;
	uint32_t site, address;
	bool add;
};

struct dns *
dns_new(struct engine *e, const struct dns_params *p, size_t nsites,
	const uint32_t *origin, struct recorder *rec)
{
	struct dns *d = g_new0(struct dns, 1);

	g_assert(p->resolvers > 0 && p->sticky <= p->resolvers);
	d->e = e;
	d->p = *p;
	d->nsites = nsites;
	d->zones = g_new0(struct zone, nsites);
	for (size_t i = 0; i < nsites; i++) {
		g_autofree char *entity = g_strdup_printf("site.%zu", i);

		d->zones[i].records = g_array_new(FALSE, FALSE, sizeof(uint32_t));
		g_array_append_val(d->zones[i].records, origin[i]);
		d->zones[i].v = rec_vector_new(rec, entity, "dns_records");
		rec_vector_add(d->zones[i].v, engine_now(e), 1);
	}
	d->down_from = d->down_until = FC_TIME_NEVER;
	d->cache = g_new0(struct cached, p->resolvers * nsites);
	d->pending = g_ptr_array_new_with_free_func(g_free);
	return d;
}

void
dns_free(struct dns *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nsites; i++)
		g_array_unref(d->zones[i].records);
	for (size_t i = 0; i < d->p.resolvers * d->nsites; i++)
		g_free(d->cache[i].answer);
	g_free(d->cache);
	g_free(d->zones);
	/* Updates still scheduled: their events die with the engine. */
	g_ptr_array_unref(d->pending);
	g_free(d);
}

static bool
authority_down(const struct dns *d, fc_time_t now)
{
	return now >= d->down_from && now < d->down_until;
}

static void
apply(struct engine *e, void *data, fc_time_t now)
{
	struct update *u = data;
	struct zone *z = &u->d->zones[u->site];
	guint at = G_MAXUINT;

	/* The updater retries until the authority answers again. */
	if (authority_down(u->d, now)) {
		engine_schedule_at(e, u->d->down_until, apply, u);
		return;
	}

	for (guint i = 0; i < z->records->len; i++)
		if (g_array_index(z->records, uint32_t, i) == u->address)
			at = i;
	if (u->add && at == G_MAXUINT)
		g_array_append_val(z->records, u->address);
	else if (!u->add && at != G_MAXUINT)
		g_array_remove_index(z->records, at);
	else
		goto done;
	z->serial++;
	rec_vector_add(z->v, now, z->records->len);
done:
	(void)e;
	g_ptr_array_remove_fast(u->d->pending, u); /* frees it */
}

static void
update(struct dns *d, uint32_t site, uint32_t address, bool add)
{
	struct update *u = g_new(struct update, 1);

	g_assert(site < d->nsites);
	*u = (struct update){ d, site, address, add };
	g_ptr_array_add(d->pending, u);
	engine_schedule(d->e, d->p.update_delay, apply, u);
}

void
dns_add_now(struct dns *d, uint32_t site, uint32_t address)
{
	struct update *u = g_new(struct update, 1);

	*u = (struct update){ d, site, address, true };
	g_ptr_array_add(d->pending, u);
	apply(d->e, u, engine_now(d->e));
}

void
dns_add(struct dns *d, uint32_t site, uint32_t address)
{
	update(d, site, address, true);
}

void
dns_remove(struct dns *d, uint32_t site, uint32_t address)
{
	update(d, site, address, false);
}

size_t
dns_resolve(struct dns *d, size_t resolver, uint32_t site, uint32_t *answer, size_t max,
	    bool *cached)
{
	struct cached *c;
	fc_time_t now = engine_now(d->e);
	size_t n;

	g_assert(resolver < d->p.resolvers && site < d->nsites && max >= 1);
	c = &d->cache[resolver * d->nsites + site];
	*cached = c->valid && now < c->expires;
	if (!*cached && authority_down(d, now)) {
		/* No answer (SERVFAIL); nothing is cached. */
		d->failed_queries++;
		return 0;
	}
	if (!*cached) {
		struct zone *z = &d->zones[site];
		size_t nz = z->records->len;

		d->authority_queries++;
		g_free(c->answer);
		c->answer = g_new(uint32_t, MAX(nz, 1u));
		/* The authority rotates its records for each answer. */
		for (size_t i = 0; i < nz; i++)
			c->answer[i] = g_array_index(z->records, uint32_t,
						     (z->rotate + i) % nz);
		if (nz)
			z->rotate = (z->rotate + 1) % nz;
		c->n = nz;
		c->next = 0;
		c->valid = true;
		c->expires = fc_time_add(now, resolver < d->p.sticky ?
					 MAX(d->p.ttl, d->p.sticky_hold) : d->p.ttl);
	}
	if (c->n == 0)
		return 0;
	/* The answer as this client gets it: the resolver's copy from where
	 * its rotation stands. */
	n = MIN(c->n, max);
	for (size_t i = 0; i < n; i++)
		answer[i] = c->answer[(c->next + i) % c->n];
	c->next = (c->next + 1) % c->n;
	return n;
}

size_t
dns_records(const struct dns *d, uint32_t site, const uint32_t **addresses)
{
	const struct zone *z = &d->zones[site];

	*addresses = (const uint32_t *)(void *)z->records->data;
	return z->records->len;
}

uint64_t
dns_authority_queries(const struct dns *d)
{
	return d->authority_queries;
}

void
dns_set_down(struct dns *d, fc_time_t from, fc_time_t until)
{
	d->down_from = from;
	d->down_until = until;
}

uint64_t
dns_failed_queries(const struct dns *d)
{
	return d->failed_queries;
}
