/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * BIND9 for one testbed run: the configuration, zone and TSIG key of an
 * authoritative named that lives entirely inside one directory, so that a
 * run never reads or writes /etc/bind, /var/cache/bind or /run/named.
 *
 * tb_named_write_config(cfg, DIR) writes
 *   DIR/named.conf   options (listen on cfg's address and port only, no
 *                    recursion, no transfers, no NOTIFY, no DNSSEC
 *                    validation, every file named keeps inside DIR), no
 *                    control channel (no rndc), logging to DIR/named.log,
 *                    and the zone, updatable by the key alone
 *   DIR/tsig.key     the key clause (hmac-sha256), mode 0600, included
 *                    by named.conf
 *   DIR/zone.db      the zone: SOA and NS (ns.ZONE, with the listen
 *                    address), the site's A records and one A record per
 *                    server name, all with cfg's TTL (also the SOA's
 *                    negative-caching TTL)
 * and deletes DIR/zone.db.jnl, the journal where named keeps the dynamic
 * updates, so that a run starts from the zone as written.  named itself
 * then writes DIR/named.pid, DIR/named.log, DIR/zone.db.jnl,
 * DIR/session.key, DIR/named.lock and the managed-keys files.
 *
 * Starting it (the caller records the PID; named does not fork with -f):
 *   named -f -n 1 [-4 | -6] -c DIR/named.conf
 * -f keeps it in the foreground with logging to DIR/named.log (-g would
 * send everything to stderr instead); -n 1 runs one worker thread.  Run
 * as root it stays root (no -u needed); run as another user it needs
 * only DIR and, for a port below 1024, the right to bind it.  Stop it
 * with SIGTERM to that PID.  tb_named_argv() gives this command.
 */
#ifndef FLASHCOOP_TESTBED_NAMED_H
#define FLASHCOOP_TESTBED_NAMED_H

#include <glib.h>

/* A server's own name in the zone, and its address (host byte order). */
struct tb_named_host {
	const char *name;
	guint32 addr;
};

/*
 * What the run's named serves.  Names are absolute (the final dot is
 * optional) and must lie in zone.  Strings and arrays belong to the
 * caller.
 */
struct tb_named {
	const char *listen_address; /* numeric IPv4 or IPv6; nothing else is listened on */
	guint16 port;
	const char *zone;           /* "flash.test." */
	const char *site;           /* "site.flash.test." */
	const guint32 *site_addrs;  /* the site's initial A records (host order) */
	gsize n_site_addrs;
	guint32 ttl;                /* the TTL of every record, seconds */
	const struct tb_named_host *hosts; /* "s1.flash.test." ... */
	gsize n_hosts;
	const char *key_name;       /* the TSIG key that may update the zone */
	const char *key_secret;     /* its secret, base64 */
};

/* The files, relative to the directory. */
#define TB_NAMED_CONF "named.conf"
#define TB_NAMED_ZONE "zone.db"
#define TB_NAMED_JOURNAL "zone.db.jnl"
#define TB_NAMED_KEY "tsig.key"
#define TB_NAMED_LOG "named.log"
#define TB_NAMED_PID "named.pid"

/*
 * Writes the files above into dir (created if missing; a relative path
 * is made absolute, as named.conf names every file by its absolute
 * path), replacing those there and deleting the journal.  FALSE with
 * error (TB_DNS_ERROR_INVAL for a bad value, named in the message, or a
 * GFileError) otherwise.
 */
gboolean tb_named_write_config(const struct tb_named *cfg, const char *dir, GError **error);

/*
 * The command that starts named for the configuration in dir (see
 * above), as a NULL-terminated argv; free with g_strfreev().
 */
char **tb_named_argv(const struct tb_named *cfg, const char *dir);

#endif
