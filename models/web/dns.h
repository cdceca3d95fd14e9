/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * DNS as the clients of a flash crowd meet it.  Each site has an
 * authoritative set of A records: its origin, plus the rescuers that add
 * themselves by dynamic update (RFC 2136) and are removed again; an update
 * takes effect after a delay.  Answers rotate the records (round robin).
 * Resolvers cache an answer for the TTL; a share of them ("sticky") keep it
 * longer, as real resolvers and browsers do.  Clients are mapped to
 * resolvers by the caller.
 */
#ifndef FLASHCOOP_MODELS_WEB_DNS_H
#define FLASHCOOP_MODELS_WEB_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/engine.h"
#include "flashcoop/time.h"
#include "sim/recorder.h"

struct dns;

struct dns_params {
	fc_time_t ttl;           /* of every answer */
	fc_time_t update_delay;  /* from a dynamic update to its effect */
	fc_time_t sticky_hold;   /* how long a sticky resolver keeps an answer */
	size_t resolvers;        /* resolvers 0..resolvers-1 */
	size_t sticky;           /* the first `sticky` of them are sticky */
};

/*
 * DNS on engine e for sites 0..nsites-1, each starting with the one record
 * origin[i]; records in force are written to rec as vectors
 * ("site.<i>", "dns_records") when they change.
 */
struct dns *dns_new(struct engine *e, const struct dns_params *p, size_t nsites,
		    const uint32_t *origin, struct recorder *rec);
/* Accepts NULL. */
void dns_free(struct dns *d);

/* A record in place from the start (a mirror, say); no delay. */
void dns_add_now(struct dns *d, uint32_t site, uint32_t address);

/* Dynamic updates: take effect update_delay from now; idempotent. */
void dns_add(struct dns *d, uint32_t site, uint32_t address);
void dns_remove(struct dns *d, uint32_t site, uint32_t address);

/*
 * A client of `resolver` resolves `site` now.  The answer is copied to
 * answer[0..max-1] in the order the client gets it, and its length
 * returned: all of its records when they fit in max (>= 1), the first max
 * otherwise, none (0) when the site has no record.  The first is the
 * address the client connects to; the others are there for it to try
 * next (RFC 8305).  The resolver rotates its copy on every use (round
 * robin), so its next client gets the same records starting one later.
 * *cached says whether the resolver answered from its cache.
 */
size_t dns_resolve(struct dns *d, size_t resolver, uint32_t site, uint32_t *answer,
		   size_t max, bool *cached);

/* The authoritative records of site in force now, and how many. */
size_t dns_records(const struct dns *d, uint32_t site, const uint32_t **addresses);

/* Queries that reached the authority (cache misses). */
uint64_t dns_authority_queries(const struct dns *d);

/*
 * The authority is unavailable in [from, until): a resolver whose cache
 * has no valid answer gets none (dns_resolve() returns 0, nothing is
 * cached), and dynamic updates due then take effect at until, as an
 * updater that retries would make them.  Answers cached before keep
 * being used until they expire.
 */
void dns_set_down(struct dns *d, fc_time_t from, fc_time_t until);
/* Queries the authority could not answer, being down. */
uint64_t dns_failed_queries(const struct dns *d);

#endif
