/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Bencoding (BEP 3): a writer that appends to a GString, and a strict
 * reader for .torrent files and tracker answers.
 *
 * The writer emits what it is told; the caller must put a dictionary's keys
 * in ascending byte order (BEP 3), which tb_benc_write() checks for a
 * parsed value.  The reader accepts only the canonical form: integers
 * without leading zeros or "-0", string lengths without leading zeros,
 * dictionary keys strictly ascending (so none repeated), nesting at most
 * TB_BENC_MAX_DEPTH deep, and nothing after the top value.  It never reads
 * past the buffer it is given; anything else is a TB_BENC_ERROR naming the
 * byte offset.
 */
#ifndef FLASHCOOP_TESTBED_BT_BENCODE_H
#define FLASHCOOP_TESTBED_BT_BENCODE_H

#include <glib.h>

/* Deepest nesting of lists and dictionaries the reader accepts. */
#define TB_BENC_MAX_DEPTH 64

#define TB_BENC_ERROR (tb_benc_error_quark())
GQuark tb_benc_error_quark(void);

enum tb_benc_error_code {
	TB_BENC_ERROR_SYNTAX,	/* not bencoding, or not its canonical form */
	TB_BENC_ERROR_TRUNCATED, /* the input ends inside a value */
	TB_BENC_ERROR_DEPTH,	/* nested deeper than TB_BENC_MAX_DEPTH */
	TB_BENC_ERROR_TRAILING, /* bytes after the top value */
	TB_BENC_ERROR_RANGE,	/* an integer that does not fit in gint64 */
	TB_BENC_ERROR_SCHEMA,	/* well formed, but not what the caller wanted */
};

/* ---- Writing ---- */

void tb_benc_put_int(GString *out, gint64 v);
/* A byte string of len bytes (may hold NULs). */
void tb_benc_put_bytes(GString *out, const void *data, gsize len);
/* A NUL-terminated string. */
void tb_benc_put_str(GString *out, const char *s);
/* "l" / "d" / "e": the caller writes the items (for a dictionary, key then
 * value, keys ascending) between begin and end. */
void tb_benc_put_list_begin(GString *out);
void tb_benc_put_dict_begin(GString *out);
void tb_benc_put_end(GString *out);

/* ---- Reading ---- */

enum tb_benc_type {
	TB_BENC_INT,
	TB_BENC_STR,
	TB_BENC_LIST,
	TB_BENC_DICT,
};

/*
 * A parsed value.  A string's bytes are copied and followed by a NUL that
 * is not part of len.  A list's items, and a dictionary's keys (strings)
 * and values, are children the value owns; `start` and `span` locate the
 * value's encoding in the parsed buffer (for a torrent's info-hash).
 */
struct tb_benc {
	enum tb_benc_type type;
	gsize start, span;
	gint64 i;	  /* TB_BENC_INT */
	char *s;	  /* TB_BENC_STR */
	gsize len;	  /* TB_BENC_STR */
	GPtrArray *items; /* TB_BENC_LIST: struct tb_benc *; TB_BENC_DICT: key, value, ... */
};

/*
 * Parses one value taking up the whole of data[0..len).  Returns it (free
 * with tb_benc_free()), or NULL with error set (TB_BENC_ERROR, the message
 * names the offset).
 */
struct tb_benc *tb_benc_parse(const void *data, gsize len, GError **error);

/* Frees v and its children; NULL is fine. */
void tb_benc_free(struct tb_benc *v);
typedef struct tb_benc tb_benc;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tb_benc, tb_benc_free)

/* The canonical encoding of v appended to out (a parsed value encodes back
 * to the bytes it came from). */
void tb_benc_write(GString *out, const struct tb_benc *v);

/* A dictionary's value for key, or NULL when v is no dictionary or has no
 * such key (a binary search: keys are sorted). */
const struct tb_benc *tb_benc_dict_get(const struct tb_benc *v, const char *key);

/* Number of items of a list, or of entries of a dictionary; 0 otherwise. */
guint tb_benc_count(const struct tb_benc *v);
/* The i-th item of a list (i < tb_benc_count()). */
const struct tb_benc *tb_benc_list_item(const struct tb_benc *v, guint i);

/*
 * Typed look-ups of a dictionary entry: TRUE and *out set when key is
 * there with that type, else FALSE with a TB_BENC_ERROR_SCHEMA error
 * naming the key ("what" says in what, e.g. "torrent info").  *out of the
 * string variant points into v (valid while v lives).
 */
gboolean tb_benc_dict_int(const struct tb_benc *v, const char *key, const char *what,
			  gint64 *out, GError **error);
gboolean tb_benc_dict_str(const struct tb_benc *v, const char *key, const char *what,
			  const struct tb_benc **out, GError **error);

#endif
