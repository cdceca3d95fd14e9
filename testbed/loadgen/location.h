/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Redirects, followed by hand: which statuses redirect, the URL a
 * Location header leads to (absolute, or relative to the URL asked,
 * RFC 3986), and the bound on a chain of them.  Only http URLs to a DNS
 * name or an IPv4 literal are followed.
 */
#ifndef FLASHCOOP_TESTBED_LOADGEN_LOCATION_H
#define FLASHCOOP_TESTBED_LOADGEN_LOCATION_H

#include <stdint.h>

#include <glib.h>

/* An http URL taken apart. */
struct lg_url {
	char *url;          /* the whole URL, normalised */
	char *host;         /* a DNS name (lower case) or an IPv4 literal */
	guint port;
	char *target;       /* the path and the query: what the request line asks */
	gboolean literal;   /* host is an IPv4 literal ... */
	uint32_t addr;      /* ... this one, network byte order */
};

/* Frees what u holds and zeroes it; accepts a zeroed one. */
void lg_url_clear(struct lg_url *u);

/*
 * Builds the URL of target (a path) on host:port into u (cleared first).
 * FALSE with err set when it is not a valid http URL.
 */
gboolean lg_url_make(struct lg_url *u, const char *host, guint port, const char *target,
		     GError **err);

/* Copies src into dst (cleared first). */
void lg_url_copy(struct lg_url *dst, const struct lg_url *src);

/* Whether an HTTP status is a redirect that is followed (301, 302, 303,
 * 307, 308). */
gboolean lg_redirect_status(long status);

/*
 * Follows a redirect from *cur to location: *cur becomes the URL it names
 * and *count grows by one.  FALSE with err set, *cur and *count left as
 * they were, when location is missing (NULL), not an http URL, names an
 * IPv6 literal, or when the chain would exceed max redirects.
 */
gboolean lg_redirect_follow(struct lg_url *cur, guint *count, guint max,
			    const char *location, GError **err);

#endif
