/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-loadgen's configuration: a key file with one group, [loadgen]
 * (testbed/loadgen/README.md lists the keys).  Unknown groups and keys,
 * and values out of range, are errors naming file:line and the key.
 */
#ifndef FLASHCOOP_TESTBED_LOADGEN_CONFIG_H
#define FLASHCOOP_TESTBED_LOADGEN_CONFIG_H

#include <glib.h>

#include "flashcoop/time.h"

enum lg_cache {
	LG_CACHE_SHARED, /* one cache for every client, answers kept for their TTL */
	LG_CACHE_NONE,   /* every lookup asks the server */
};

struct lg_config {
	char *dns_server;        /* "IPv4:port" */
	enum lg_cache cache;
	gboolean rotate;         /* a cached answer's records rotate on every use */
	guint port;              /* the HTTP port of a name without one */
	guint max_redirects;
	fc_time_t connect_timeout;
	fc_time_t dns_timeout;   /* per try */
	guint dns_tries;
	guint parallel;          /* objects of one visit in flight at once */
	guint max_connections;   /* connections open at once, all visits */
	char *user_agent;
	char *source_address;    /* IPv4 to bind, or NULL */
	char *results;           /* the visits' TSV, or NULL */
	char *requests;          /* the requests' TSV, or NULL */
	gboolean has_start;
	fc_time_t start;         /* the run's start, CLOCK_REALTIME ns */
};

/* The defaults (no DNS server: the file must give one). */
void lg_config_init(struct lg_config *c);

/* Frees what c holds. */
void lg_config_clear(struct lg_config *c);

/* Reads path into c (initialised first); FALSE with err set on a bad file. */
gboolean lg_config_load(struct lg_config *c, const char *path, GError **err);

#endif
