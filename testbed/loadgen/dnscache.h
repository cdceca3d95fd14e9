/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The clients' resolver cache: the A records of a name, kept until their
 * TTL runs out.  One cache stands for the whole population of clients (a
 * shared recursive resolver in front of the authority), as the
 * simulator's resolvers do; like them it rotates the records of a cached
 * answer on every use (round robin), unless told not to.  Time is given
 * by the caller (nanoseconds on any clock, the same on every call).
 *
 * A client tries the addresses of an answer in order, the next one when
 * it cannot connect to the one before (struct lg_addrs), as browsers do.
 */
#ifndef FLASHCOOP_TESTBED_LOADGEN_DNSCACHE_H
#define FLASHCOOP_TESTBED_LOADGEN_DNSCACHE_H

#include <stdint.h>

#include <glib.h>

#include "flashcoop/time.h"

/* An answer keeps at most this many records (the others are dropped). */
#define LG_ADDRS_MAX 16

/* The addresses a client tries, in order; IPv4 in network byte order. */
struct lg_addrs {
	uint32_t a[LG_ADDRS_MAX];
	guint n;
	guint next; /* the next one to try */
};

/* The next address to try into *out, FALSE when every one was tried. */
gboolean lg_addrs_next(struct lg_addrs *l, uint32_t *out);

struct lg_dnscache;

struct lg_dnscache *lg_dnscache_new(gboolean rotate);

/* Accepts NULL. */
void lg_dnscache_free(struct lg_dnscache *c);

/*
 * The answer for name at now into *out (next = 0), in the order this
 * client gets it (rotated by one for the next client when the cache
 * rotates): TRUE on a hit, FALSE when the name is not cached or its TTL
 * has run out (the entry is then forgotten).
 */
gboolean lg_dnscache_get(struct lg_dnscache *c, const char *name, fc_time_t now,
			 struct lg_addrs *out);

/* Caches addrs[0..n) for name from now for ttl seconds (n >= 1; a TTL
 * of 0 caches nothing), replacing what was there. */
void lg_dnscache_put(struct lg_dnscache *c, const char *name, const uint32_t *addrs,
		     guint n, guint32 ttl, fc_time_t now);

/* Forgets the expired entries at now; returns how many are left. */
guint lg_dnscache_prune(struct lg_dnscache *c, fc_time_t now);

typedef struct lg_dnscache lg_dnscache;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(lg_dnscache, lg_dnscache_free)

#endif
