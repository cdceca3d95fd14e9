/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The tracker: opentracker's configuration for one run, and an HTTP
 * announce (BEP 3, BEP 23 compact peers) to ask it for the peers of a
 * torrent.
 *
 * Debian builds opentracker with a whitelist (WANT_ACCESSLIST_WHITE): it
 * answers only for the info-hashes listed in its whitelist file, one as 40
 * hex digits per line, and refuses the others with a failure reason.  The
 * caller starts `opentracker -f DIR/opentracker.conf` (it stays in the
 * foreground; its PID is the one to stop) and may rewrite the whitelist
 * with tb_tracker_write_whitelist() and send opentracker SIGHUP to have it
 * read again.  Started as root, opentracker chroots into DIR and becomes
 * the user "nobody": so DIR is made world-searchable and the whitelist
 * world-readable, and the configuration names the whitelist relative to
 * DIR (which is also where a non-root opentracker changes directory).
 */
#ifndef FLASHCOOP_TESTBED_BT_TRACKER_H
#define FLASHCOOP_TESTBED_BT_TRACKER_H

#include <glib.h>

#include "testbed/bt/torrent.h"

#define TB_TRACKER_CONFIG "opentracker.conf"
#define TB_TRACKER_WHITELIST "whitelist.txt"
/* The user opentracker becomes when started as root. */
#define TB_TRACKER_USER "nobody"

#define TB_TRACKER_ERROR (tb_tracker_error_quark())
GQuark tb_tracker_error_quark(void);

enum tb_tracker_error_code {
	TB_TRACKER_ERROR_ARGS,	    /* a bad address, port or URL */
	TB_TRACKER_ERROR_TRANSPORT, /* no HTTP answer (refused, timed out) */
	TB_TRACKER_ERROR_ANSWER,    /* an answer that is no tracker answer */
	TB_TRACKER_ERROR_REFUSED,   /* the tracker's "failure reason" */
};

/*
 * Writes DIR/opentracker.conf, listening on address:port only (TCP and
 * UDP; address an IPv4 literal, port not 0), and DIR/whitelist.txt with
 * the n info-hashes; makes DIR (mode 0755) if needed.  FALSE with error
 * set (TB_TRACKER_ERROR_ARGS or G_FILE_ERROR naming the path).
 */
gboolean tb_tracker_write_config(const char *dir, const char *address, guint16 port,
				 const guint8 (*hashes)[TB_INFO_HASH_LEN], gsize n, GError **error);

/* Rewrites DIR/whitelist.txt (atomically) with the n info-hashes. */
gboolean tb_tracker_write_whitelist(const char *dir, const guint8 (*hashes)[TB_INFO_HASH_LEN],
				    gsize n, GError **error);

/* "http://ADDRESS:PORT/announce", the URL to put in the torrents. */
char *tb_tracker_announce_url(const char *address, guint16 port);

/* A tracker's answer to an announce. */
struct tb_announce {
	gint64 interval;	 /* seconds */
	gint64 complete, incomplete; /* seeders and leechers; -1 when not given */
	GArray *peers;		 /* struct tb_peer */
};

struct tb_peer {
	char address[16]; /* dotted IPv4 */
	guint16 port;
};

/*
 * Parses a tracker's bencoded answer: peers compact (6 bytes each) or as
 * a list of dictionaries.  A "failure reason" gives NULL with
 * TB_TRACKER_ERROR_REFUSED and the reason as the message; anything else
 * that is not an answer TB_TRACKER_ERROR_ANSWER (or TB_BENC_ERROR).
 */
struct tb_announce *tb_announce_parse(const void *data, gsize len, GError **error);
void tb_announce_free(struct tb_announce *a);
typedef struct tb_announce tb_announce;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_announce, tb_announce_free)

/*
 * Announces ("event=started", compact) the info-hash to the tracker at
 * url as a peer listening on port, with a peer id made from peer_id (at
 * most 20 bytes, padded with '-'), waiting at most timeout_ms.  Returns the
 * answer, or NULL with error set as tb_announce_parse() does, or
 * TB_TRACKER_ERROR_TRANSPORT.
 */
struct tb_announce *tb_tracker_announce(const char *url, const guint8 hash[TB_INFO_HASH_LEN],
					const char *peer_id, guint16 port, guint timeout_ms,
					GError **error);

#endif
