/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/hash.h"

#include <stdlib.h>

/* The salt, read once; a test knob, constant for the life of the process. */
static guint
salt(void)
{
	static gsize once;
	static guint value;

	if (g_once_init_enter(&once)) {
		const char *s = getenv("FLASHCOOP_HASH_SALT");

		value = s ? (guint)g_ascii_strtoull(s, NULL, 0) : 0;
		g_once_init_leave(&once, 1);
	}
	return value;
}

/* A bijective mix of the hash with the salt (murmur3's finaliser), so that
 * a salt reorders buckets without adding collisions. */
static guint
mix(guint h)
{
	guint s = salt();

	if (!s)
		return h;
	h ^= s;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

guint
sim_hash_direct(gconstpointer v)
{
	return mix(g_direct_hash(v));
}

guint
sim_hash_str(gconstpointer v)
{
	return mix(g_str_hash(v));
}

guint
sim_hash_int64(gconstpointer v)
{
	return mix(g_int64_hash(v));
}

guint
sim_hash_direct64(gconstpointer v)
{
	guint64 x = (guint64)(guintptr)v;

	return mix((guint)(x ^ (x >> 32)));
}
