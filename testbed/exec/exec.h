/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The testbed's real executor (testbed/node/executor.h): the node's DNS
 * actions become TSIG-signed RFC 2136 updates of the run's BIND
 * (testbed/dns/dnsupdate.h), its fetches HTTP GETs from the owner's web
 * server with libcurl, written into the rescue root that mod_flashcoop
 * serves rescued copies from, and its deletes remove those copies.
 *
 * Names and places (README.md has the keys of [executor]):
 *   site S's DNS name      siteS.ZONE (site0.flash.test.)
 *   object N of site S     http://OWNER:HTTP_PORT/FETCH_PATH/S/o/N
 *   its rescued copy       RESCUE_ROOT/S/o/N
 *   a whole site           every N of the site's own files, [site S] root/o/N
 *
 * A copy appears in the rescue root whole or not at all: it is written to
 * a temporary file in the same directory, checked against the answer's
 * Content-Length, and renamed.  A connection refused is tried again as
 * the simulator's host does (models/web/host.c, FETCH_TRIES and
 * FETCH_RETRY_FIRST), within fetch_timeout.  A remove while a fetch of
 * the same site is in flight makes that fetch fail and leave nothing.
 *
 * Pushing a copy (spread = predistributed) is not possible over HTTP
 * without the peer asking for it: push always fails, and the harness
 * refuses that configuration.
 */
#ifndef TESTBED_EXEC_EXEC_H
#define TESTBED_EXEC_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "testbed/node/config.h"
#include "testbed/node/executor.h"

/* A fetch is tried this often when the connection is refused, the first
 * retry TB_EXEC_RETRY_FIRST_MS after the first refusal and each next one
 * twice as long after the one before (as the simulator's host). */
#define TB_EXEC_FETCH_TRIES 4
#define TB_EXEC_RETRY_FIRST_MS 1000

#define TB_EXEC_ERROR (tb_exec_error_quark())
GQuark tb_exec_error_quark(void);

enum tb_exec_error {
	TB_EXEC_ERROR_HTTP,      /* a status other than 200, or a short or long body */
	TB_EXEC_ERROR_TRANSFER,  /* no connection, a timeout, a broken transfer */
	TB_EXEC_ERROR_FILE,      /* the rescue root or the site's root cannot be used */
	TB_EXEC_ERROR_REMOVED,   /* the site's copy was removed during the fetch */
	TB_EXEC_ERROR_PUSH,      /* push is not supported */
};

/*
 * The [executor] group as read, for tests and --check.  Strings owned by
 * the executor.
 */
struct tb_exec_settings {
	char *dns_address;        /* IPv4, dotted */
	uint16_t dns_port;
	char *zone;               /* normalized, final dot */
	char *key_name;           /* normalized, final dot */
	char *key_secret;         /* base64 */
	uint32_t ttl;             /* seconds */
	unsigned dns_timeout_ms;
	uint16_t http_port;
	char *fetch_path;         /* "/fcfetch": a leading, no trailing slash */
	unsigned fetch_timeout_ms;
	char *rescue_root;        /* an absolute path to a directory */
	char *source_address;     /* IPv4, dotted, or NULL */
	bool dns_updates;         /* false: DNS actions succeed without an update */
};

/*
 * The executor: reads [executor] of c->keyfile strictly (an unknown key,
 * a missing required key or a bad value is an error "FILE: [executor]
 * KEY: what was expected, found 'value'", TB_NODE_CONFIG_ERROR), checks
 * that rescue_root is a directory, initializes libcurl once per process,
 * and returns the executor, or NULL with err set.  It keeps a copy of
 * the sites' roots ([site S] root), which list a whole site's objects.
 */
struct tb_executor *tb_executor_real_new(const struct tb_node_config *c, GError **err);

/* The settings of an executor made by tb_executor_real_new(). */
const struct tb_exec_settings *tb_exec_settings(const struct tb_executor *e);

#endif
