/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Torrent files (BEP 3): making a multi-file torrent of files under a
 * directory, and reading one back.
 *
 * A torrent made here has the form mktorrent gives (so the same files make
 * the same info-hash): the top dictionary holds "announce" and "info"; the
 * info dictionary "files" (each "length" and "path", in the order given),
 * "name", "piece length", "pieces" and, when asked, "private" = 1.  The
 * pieces are hashed with SHA-1 over the files' bytes laid end to end, so a
 * piece may span a file boundary; the last piece may be short.  The files
 * of a torrent are numbered from 1 in that order (aria2's --select-file).
 */
#ifndef FLASHCOOP_TESTBED_BT_TORRENT_H
#define FLASHCOOP_TESTBED_BT_TORRENT_H

#include <glib.h>

#define TB_INFO_HASH_LEN 20
/* Piece lengths accepted: powers of two in this range. */
#define TB_PIECE_MIN (16u << 10)
#define TB_PIECE_MAX (16u << 20)

#define TB_TORRENT_ERROR (tb_torrent_error_quark())
GQuark tb_torrent_error_quark(void);

enum tb_torrent_error_code {
	TB_TORRENT_ERROR_ARGS,	  /* a bad piece length, file list, name or URL */
	TB_TORRENT_ERROR_CHANGED, /* a file changed size while it was hashed */
	TB_TORRENT_ERROR_FORMAT,  /* a torrent file that is not one (also TB_BENC_ERROR) */
};

/* What a torrent is made of. */
struct tb_torrent_spec {
	const char *root_dir;	   /* the files are under it */
	const char *const *files;  /* paths relative to root_dir, '/'-separated */
	gsize nfiles;		   /* at least 1 */
	guint piece_length;	   /* a power of two, TB_PIECE_MIN..TB_PIECE_MAX */
	const char *announce;	   /* the tracker's announce URL (http:// or udp://) */
	const char *name;	   /* NULL: root_dir's base name */
	gboolean private_flag;	   /* "private" = 1 in the info dictionary */
};

/*
 * The bencoded torrent of spec, and its info-hash in info_hash.  Each file
 * must be a regular file (empty ones too); the paths must be relative,
 * without "." or ".." components or empty ones, and not repeated; at least
 * one byte in all.  NULL with error set (TB_TORRENT_ERROR_ARGS naming the
 * argument, G_FILE_ERROR naming the file) otherwise.
 */
GBytes *tb_torrent_build(const struct tb_torrent_spec *spec, guint8 info_hash[TB_INFO_HASH_LEN],
			 GError **error);

/*
 * tb_torrent_build() of the files under root_dir (the torrent named after
 * it, not private), written to out_path (replacing it atomically).
 */
gboolean tb_torrent_write(const char *root_dir, const char *const *files, gsize nfiles,
			  guint piece_length, const char *announce, const char *out_path,
			  guint8 info_hash[TB_INFO_HASH_LEN], GError **error);

/* ---- Reading ---- */

struct tb_torrent_file {
	char *path;	 /* '/'-joined components, relative to the torrent's name */
	guint64 length;
	guint64 offset;	 /* of its first byte in the torrent's byte stream */
};

struct tb_torrent {
	char *announce;	 /* NULL when the torrent has none */
	char *name;
	guint64 piece_length;
	guint npieces;
	guint64 total_length;
	gboolean private_flag;
	gboolean multi_file; /* "files" (else one file, "length") */
	GArray *files;	     /* struct tb_torrent_file; one for a single-file torrent */
	guint8 info_hash[TB_INFO_HASH_LEN]; /* SHA-1 of the info dictionary's encoding */
	guint8 *pieces;			    /* npieces * 20 bytes */
};

/*
 * Reads a torrent from its bencoded bytes, checking what a client relies
 * on: "info" with a name, a positive piece length, a list of files with
 * non-negative lengths and safe path components (no "", ".", ".." or '/'),
 * and exactly one 20-byte piece hash per piece.  NULL with error set
 * (TB_BENC_ERROR or TB_TORRENT_ERROR_FORMAT) otherwise.
 */
struct tb_torrent *tb_torrent_parse(const void *data, gsize len, GError **error);
/* tb_torrent_parse() of a file; errors are prefixed with its path. */
struct tb_torrent *tb_torrent_load(const char *path, GError **error);
void tb_torrent_free(struct tb_torrent *t);
typedef struct tb_torrent tb_torrent;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_torrent, tb_torrent_free)

/* The 40 lower-case hex digits of an info-hash, NUL-terminated in out. */
void tb_info_hash_hex(const guint8 hash[TB_INFO_HASH_LEN], char out[2 * TB_INFO_HASH_LEN + 1]);
/* Parses 40 hex digits (either case, nothing else); FALSE when s is not that. */
gboolean tb_info_hash_parse(const char *s, guint8 hash[TB_INFO_HASH_LEN]);

#endif
