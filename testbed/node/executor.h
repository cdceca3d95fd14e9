/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What fc-noded hands to the outside world: the node's DNS, content and
 * copy actions (FC_ACT_DNS_ADD, FC_ACT_DNS_REMOVE, FC_ACT_FETCH,
 * FC_ACT_DELETE, FC_ACT_PUSH), carried out by an executor.  The daemon
 * links the log-only executor below; the testbed harness builds the same
 * daemon with one that sends RFC 2136 updates and drives aria2
 * (tb_noded_main() takes the executor's constructor).
 *
 * Threads.  Every function is called on a worker thread, never on the
 * daemon's main loop, and may block (each bounded by its own timeouts):
 * the node is not held up meanwhile.  DNS calls run one at a time, in the
 * order the node asked for them, on one thread; fetch, remove and push run
 * on up to [node] threads threads at once, so they must be thread-safe
 * with respect to one another and to the DNS calls.  Each returns TRUE
 * when done, or FALSE with err set (the daemon logs the message).  A fetch
 * returns once the object (or, for FC_WHOLE_SITE, the whole site) is on
 * disk where the web server serves rescued copies from (mod_flashcoop's
 * FlashcoopRescueRoot: ROOT/<site>/o/<object>); the daemon then marks it
 * present and the requests waiting for it are served.
 *
 * Addresses are IPv4 in host byte order (10.77.3.2 is 0x0a4d0302).
 */
#ifndef TESTBED_NODE_EXECUTOR_H
#define TESTBED_NODE_EXECUTOR_H

#include <stdint.h>

#include <glib.h>

#include "flashcoop/core.h"
#include "testbed/node/config.h"

struct tb_executor {
	/* Add or remove the A record `address` for site's name (the harness
	 * knows the names: site.flash.test. for the flash-crowd site). */
	gboolean (*dns_add)(void *user, uint32_t site, uint32_t address, GError **err);
	gboolean (*dns_remove)(void *user, uint32_t site, uint32_t address, GError **err);
	/* Fetch object of site (FC_WHOLE_SITE: all of it), whose owner is
	 * node `owner` at owner_address, through BitTorrent; return when it
	 * is on disk. */
	gboolean (*fetch)(void *user, uint32_t site, uint64_t object, fc_node_id owner,
			  uint32_t owner_address, GError **err);
	/* Stop serving site's rescued copy: delete it, leave its swarms
	 * (which tells the tracker). */
	gboolean (*remove)(void *user, uint32_t site, GError **err);
	/* Pre-distribute the whole of the own site `site` to cooperator
	 * `peer` at peer_address (FC_SPREAD_PREDISTRIBUTED). */
	gboolean (*push)(void *user, uint32_t site, fc_node_id peer, uint32_t peer_address,
			 GError **err);
	/* Frees user, after every call has returned; may be NULL. */
	void (*free)(void *user);
	void *user;
};

/*
 * An executor's constructor: reads the [executor] group of the daemon's
 * configuration (c->keyfile; the group may be absent) strictly, as the
 * configuration is read (an unknown key is an error naming file, group
 * and key), and returns a new executor, or NULL with err set.
 */
typedef struct tb_executor *(*tb_executor_new_fn)(const struct tb_node_config *c,
						  GError **err);

/* Frees e and its user data (e->free); accepts NULL. */
void tb_executor_free(struct tb_executor *e);
typedef struct tb_executor tb_executor;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_executor, tb_executor_free)

/*
 * The log-only executor: every call succeeds at once and changes nothing
 * outside (the daemon's log records each action and its end), except
 * that, from [executor]:
 *   fetch_delay = DURATION  a fetch takes this long (default 0ms)
 *   fetch_fail = BOOL       every fetch fails (default false)
 * For tests, and for runs that need no DNS or BitTorrent.
 */
struct tb_executor *tb_executor_log_new(const struct tb_node_config *c, GError **err);

#endif
