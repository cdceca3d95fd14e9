/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fc-noded's configuration: one GLib key file, described key by key in
 * testbed/node/README.md.  Its groups are [node] (the daemon), [coop]
 * (every field of the core's struct fc_config, enums by the core's name
 * tables), one [site ID] per site of the group of servers, one [peer ID]
 * per cooperator, and [executor], which the daemon hands to the executor
 * (executor.h) unread.
 *
 * The parser is strict: an unknown group or key, a missing required key,
 * a value of the wrong form or out of range, or a configuration that the
 * core refuses (fc_config_check) is an error naming the file, the group
 * and the key.  Durations carry a unit ("250ms", "30s"), sizes too
 * ("1MiB", "4096B"), rates as well ("10Mbit/s").
 */
#ifndef TESTBED_NODE_CONFIG_H
#define TESTBED_NODE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "flashcoop/core.h"

#define TB_NODE_CONFIG_ERROR (tb_node_config_error_quark())
GQuark tb_node_config_error_quark(void);

enum tb_node_config_error {
	TB_NODE_CONFIG_ERROR_READ,  /* the file cannot be read or is no key file */
	TB_NODE_CONFIG_ERROR_GROUP, /* an unknown group */
	TB_NODE_CONFIG_ERROR_KEY,   /* an unknown or missing key */
	TB_NODE_CONFIG_ERROR_VALUE, /* a value of the wrong form or range */
	TB_NODE_CONFIG_ERROR_CORE,  /* the core refuses the whole (fc_config_check) */
};

struct tb_node_site {
	uint32_t id;
	uint64_t bytes;
	fc_node_id owner;
	char *root;      /* its document root, or NULL */
};

struct tb_node_peer {
	fc_node_id id;
	uint32_t address;   /* IPv4, host byte order */
	uint16_t port;      /* its UDP port for cooperation messages */
	char *http;         /* host[:port] that redirects name */
	uint8_t *key;
	size_t key_len;
	bool accepts_copy;   /* as struct fc_peer */
	bool holds_copy;
	uint64_t copy_limit;
};

struct tb_node_config {
	char *path;
	/* [node] */
	fc_node_id id;
	uint32_t address;      /* IPv4, host byte order */
	uint16_t udp_port;     /* where it hears cooperation messages */
	char *socket_path;     /* the Unix socket for mod_flashcoop */
	char *log_path;
	char *pid_file;        /* or NULL */
	fc_time_t load_interval;
	uint16_t listen_port;  /* the web server's port, for the accept queue; 0: none */
	unsigned backlog;      /* its listen backlog; 0: waiting not reported as load */
	char *interface;       /* the uplink's interface, or NULL: not measured */
	uint64_t uplink_bps;   /* its capacity */
	unsigned threads;      /* executor threads for content actions */
	bool publish;          /* fc_node_site_changed() for the own sites at start */
	bool load_demand;      /* the simulator's [coop] load_form = demand, else paper */

	struct tb_node_site *sites; /* every site, own and cooperators' */
	size_t nsites;
	struct tb_node_peer *peers;
	size_t npeers;

	/* The core's configuration, ready for fc_node_new(): its pointers
	 * point into the arrays below, owned by this struct. */
	struct fc_config fc;
	struct fc_site *fc_own_sites;
	struct fc_peer *fc_peers;
	struct fc_site *fc_peer_sites; /* every peer's, one after the other */

	/* The whole file, for the executor's [executor] group. */
	GKeyFile *keyfile;
};

/*
 * Reads and checks the file at path.  Returns the configuration, or NULL
 * with err set (TB_NODE_CONFIG_ERROR; the message names the file, group
 * and key, one line).
 */
struct tb_node_config *tb_node_config_load(const char *path, GError **err);

/* As tb_node_config_load(), from text; `path` only names it in messages. */
struct tb_node_config *tb_node_config_parse(const char *text, size_t len, const char *path,
					    GError **err);

/* Frees it; accepts NULL. */
void tb_node_config_free(struct tb_node_config *c);
typedef struct tb_node_config tb_node_config;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_node_config, tb_node_config_free)

/* The site with that id, or NULL. */
const struct tb_node_site *tb_node_config_site(const struct tb_node_config *c, uint32_t id);

/* The cooperator with that id, or NULL. */
const struct tb_node_peer *tb_node_config_peer(const struct tb_node_config *c, fc_node_id id);

#endif
