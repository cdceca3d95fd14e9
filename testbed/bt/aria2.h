/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A client of one aria2c daemon over its JSON-RPC interface (HTTP POST of
 * JSON-RPC 2.0 to http://127.0.0.1:PORT/jsonrpc, every call authenticated
 * with "token:SECRET"), and the one command line such a daemon is started
 * with (tb_aria2_argv()).
 *
 * Every call blocks for at most the client's timeout (a wait, for the
 * time it is given).  A client may be shared by threads: its requests go
 * out one at a time.  An error object in
 * aria2's answer becomes a TB_ARIA2_ERROR_RPC error carrying aria2's own
 * message; no answer (connection refused, timeout) TB_ARIA2_ERROR_TRANSPORT;
 * an answer that is not JSON-RPC TB_ARIA2_ERROR_PROTOCOL.  Messages start
 * with "aria2 URL: METHOD: ".
 *
 * The request building and answer parsing are exposed (tb_aria2_request(),
 * tb_aria2_result(), tb_aria2_status_from_json()) so that they can be
 * tested on canned JSON without a daemon.
 */
#ifndef FLASHCOOP_TESTBED_BT_ARIA2_H
#define FLASHCOOP_TESTBED_BT_ARIA2_H

#include <sys/types.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#define TB_ARIA2_ERROR (tb_aria2_error_quark())
GQuark tb_aria2_error_quark(void);

enum tb_aria2_error_code {
	TB_ARIA2_ERROR_ARGS,	  /* a bad argument (option list, file index) */
	TB_ARIA2_ERROR_TRANSPORT, /* no HTTP answer */
	TB_ARIA2_ERROR_PROTOCOL,  /* an answer that is not the JSON-RPC expected */
	TB_ARIA2_ERROR_RPC,	  /* aria2's error object: its message */
	TB_ARIA2_ERROR_TIMEOUT,	  /* a removal or a wait that did not finish in time */
	TB_ARIA2_ERROR_FAILED,	  /* the download stopped (status error or removed) */
};

/* ---- The daemon's command line ---- */

struct tb_aria2_daemon {
	const char *program;	 /* NULL: "aria2c" from PATH */
	guint16 rpc_port;	 /* JSON-RPC on 127.0.0.1:rpc_port */
	const char *secret;	 /* the RPC token, not empty */
	const char *dir;	 /* default download directory */
	guint16 bt_port;	 /* BitTorrent TCP listen port */
	const char *external_ip; /* NULL, or the address announced to trackers */
	const char *log_path;	 /* NULL, or aria2's log file (log level info) */
	guint tracker_interval;	 /* seconds between announces; 0: the tracker's */
	guint max_downloads;	 /* active downloads at once; 0: 1000 */
	pid_t stop_with;	 /* 0, or aria2 quits when this process ends */
};

/*
 * The argv (NULL-terminated, g_strfreev()) that starts an aria2c for the
 * testbed: in the foreground (--daemon=false, so the caller's child PID is
 * aria2's), no configuration file (--no-conf), JSON-RPC on 127.0.0.1 only
 * with the secret, the tracker as the only source of peers (DHT, DHT6,
 * local peer discovery and peer exchange off), seeding forever
 * (--seed-ratio=0.0, no --seed-time), seeding downloads not counted among
 * the active ones, existing files hash-checked when a torrent is added (so
 * a server seeds what it holds), no pre-allocation, IPv4 only, uploaded
 * torrents not saved to disk, no console read-out.
 */
char **tb_aria2_argv(const struct tb_aria2_daemon *d);

/* ---- The client ---- */

struct tb_aria2;

/* A client of the daemon at url ("http://127.0.0.1:6800/jsonrpc") with the
 * RPC secret (may be NULL: no token), each call bounded by timeout_ms. */
struct tb_aria2 *tb_aria2_new(const char *url, const char *secret, guint timeout_ms);
void tb_aria2_free(struct tb_aria2 *c);
typedef struct tb_aria2 tb_aria2;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_aria2, tb_aria2_free)

/* aria2.getVersion: its version string (g_free), e.g. to wait until the
 * daemon answers. */
char *tb_aria2_version(struct tb_aria2 *c, GError **error);

/*
 * aria2.addTorrent: starts the torrent (its file's bytes) downloading into
 * dir (NULL: the daemon's) and returns its GID (g_free), or NULL with error
 * set.  select[0..nselect) are the files to fetch, numbered from 1 in the
 * torrent's order (nselect 0: all).  options are extra aria2 options as
 * "name", "value", ..., NULL (may be NULL).
 */
char *tb_aria2_add_torrent(struct tb_aria2 *c, GBytes *torrent, const char *dir,
			   const guint *select, gsize nselect, const char *const *options,
			   GError **error);

struct tb_aria2_file {
	guint index; /* from 1 */
	char *path;
	guint64 length, completed;
	gboolean selected;
};

struct tb_aria2_status {
	char *gid;
	char *status; /* active, waiting, paused, error, complete or removed */
	guint64 total, completed, uploaded; /* bytes (total: of the pieces the
					     * selected files need) */
	guint64 download_speed, upload_speed; /* bytes/s */
	guint connections;
	guint seeders;	  /* seeders connected to (numSeeders) */
	gboolean seeder;  /* this download holds every selected piece */
	char *dir;	  /* the download's directory */
	char *name;	  /* the torrent's name (its folder under dir); NULL if none */
	char *info_hash;  /* NULL when not a torrent */
	char *error_code; /* NULL, or aria2's errorCode when not "0" */
	char *error_message;
	GArray *files;	  /* struct tb_aria2_file */
};

/* aria2.tellStatus of gid: its status (tb_aria2_status_free). */
struct tb_aria2_status *tb_aria2_tell_status(struct tb_aria2 *c, const char *gid, GError **error);
void tb_aria2_status_free(struct tb_aria2_status *s);
typedef struct tb_aria2_status tb_aria2_status;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_aria2_status, tb_aria2_status_free)

/* TRUE when file `index` (from 1) of s is there with every byte; FALSE
 * also when s has no such file. */
gboolean tb_aria2_file_complete(const struct tb_aria2_status *s, guint index);

/*
 * Waits until every selected file of gid is complete, asking its status
 * every poll_ms, at most timeout_ms.  TRUE when complete; FALSE with
 * TB_ARIA2_ERROR_TIMEOUT (how far it got), TB_ARIA2_ERROR_FAILED (the
 * download stopped: aria2's errorMessage) or a call's error.  *last (may
 * be NULL) gets the last status read, or NULL.
 */
gboolean tb_aria2_wait(struct tb_aria2 *c, const char *gid, guint timeout_ms, guint poll_ms,
		       struct tb_aria2_status **last, GError **error);

/*
 * Changes which files of gid are fetched to select[0..nselect) (from 1;
 * nselect 0: all), e.g. to add an object of a site whose torrent is
 * already running (aria2 refuses the same torrent twice).  aria2 changes
 * select-file only in a paused download: so this pauses it (forcePause,
 * waiting for "paused" within the timeout), changes the option and
 * resumes it; the pieces it holds are kept (hash-checked again).
 */
gboolean tb_aria2_select_files(struct tb_aria2 *c, const char *gid, const guint *select,
			       gsize nselect, GError **error);

/*
 * aria2.remove of gid (which tells the trackers that the peer leaves),
 * waits (within the timeout) for it to be removed, falling back to
 * aria2.forceRemove when that takes too long, then
 * aria2.removeDownloadResult, so that the same torrent can be added again.
 * A download already stopped (complete, error) is only forgotten.  The
 * files stay.  Takes up to twice the client's timeout.
 */
gboolean tb_aria2_remove(struct tb_aria2 *c, const char *gid, GError **error);

/* tb_aria2_remove(), then deletes the download's files and aria2's control
 * file (PATH.aria2) for each; files already missing are fine. */
gboolean tb_aria2_remove_files(struct tb_aria2 *c, const char *gid, GError **error);

/* aria2.shutdown (force: aria2.forceShutdown, which does not wait to tell
 * the trackers).  The daemon then exits; the caller waits for its PID. */
gboolean tb_aria2_shutdown(struct tb_aria2 *c, gboolean force, GError **error);

/* ---- Requests and answers, for the tests ---- */

/* The JSON text of request id calling method with the token (when secret
 * is not NULL) followed by the items of params (a JSON array, may be
 * NULL). */
char *tb_aria2_request(guint64 id, const char *method, const char *secret, JsonArray *params);

/* The parameters of aria2.addTorrent (without the token); NULL with error
 * set for a bad selection or option list. */
JsonArray *tb_aria2_add_torrent_params(GBytes *torrent, const char *dir, const guint *select,
				       gsize nselect, const char *const *options, GError **error);

/* The "result" of an answer to request id (a new node, json_node_unref),
 * or NULL with error set: TB_ARIA2_ERROR_RPC with the error object's
 * message, TB_ARIA2_ERROR_PROTOCOL for anything that is not an answer to
 * id. */
JsonNode *tb_aria2_result(const char *body, gsize len, guint64 id, GError **error);

/* A tellStatus result as a status; NULL with TB_ARIA2_ERROR_PROTOCOL when
 * a field is missing or not what aria2 sends (numbers as decimal strings). */
struct tb_aria2_status *tb_aria2_status_from_json(JsonNode *result, GError **error);

#endif
