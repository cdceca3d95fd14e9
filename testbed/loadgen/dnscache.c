/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/loadgen/dnscache.h"

#include <string.h>

struct entry {
	uint32_t a[LG_ADDRS_MAX];
	guint n;
	guint rot;          /* where the next client's answer starts */
	fc_time_t expires;
};

struct lg_dnscache {
	GHashTable *names;  /* name -> struct entry */
	gboolean rotate;
};

gboolean
lg_addrs_next(struct lg_addrs *l, uint32_t *out)
{
	if (l->next >= l->n)
		return FALSE;
	*out = l->a[l->next++];
	return TRUE;
}

struct lg_dnscache *
lg_dnscache_new(gboolean rotate)
{
	struct lg_dnscache *c = g_new0(struct lg_dnscache, 1);

	c->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	c->rotate = rotate;
	return c;
}

void
lg_dnscache_free(struct lg_dnscache *c)
{
	if (!c)
		return;
	g_hash_table_unref(c->names);
	g_free(c);
}

gboolean
lg_dnscache_get(struct lg_dnscache *c, const char *name, fc_time_t now, struct lg_addrs *out)
{
	struct entry *e = g_hash_table_lookup(c->names, name);

	if (!e)
		return FALSE;
	if (now >= e->expires) {
		g_hash_table_remove(c->names, name);
		return FALSE;
	}
	out->n = e->n;
	out->next = 0;
	for (guint i = 0; i < e->n; i++)
		out->a[i] = e->a[(e->rot + i) % e->n];
	if (c->rotate)
		e->rot = (e->rot + 1) % e->n;
	return TRUE;
}

void
lg_dnscache_put(struct lg_dnscache *c, const char *name, const uint32_t *addrs, guint n,
		guint32 ttl, fc_time_t now)
{
	struct entry *e;

	g_assert(n >= 1);
	if (ttl == 0) {
		g_hash_table_remove(c->names, name);
		return;
	}
	e = g_new0(struct entry, 1);
	e->n = MIN(n, (guint)LG_ADDRS_MAX);
	memcpy(e->a, addrs, e->n * sizeof *addrs);
	e->expires = fc_time_add(now, (fc_time_t)ttl * FC_SEC);
	g_hash_table_replace(c->names, g_strdup(name), e);
}

static gboolean
expired(gpointer key, gpointer value, gpointer now)
{
	(void)key;
	return *(const fc_time_t *)now >= ((const struct entry *)value)->expires;
}

guint
lg_dnscache_prune(struct lg_dnscache *c, fc_time_t now)
{
	g_hash_table_foreach_remove(c->names, expired, &now);
	return g_hash_table_size(c->names);
}
