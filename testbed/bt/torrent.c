/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/bt/torrent.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "testbed/bt/bencode.h"

G_DEFINE_QUARK(tb-torrent-error-quark, tb_torrent_error)

static gboolean args_error(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
args_error(GError **error, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, TB_TORRENT_ERROR, TB_TORRENT_ERROR_ARGS, msg);
	return FALSE;
}

/* A path component a client may create: not empty, ".", "..", nor with a
 * '/' or NUL in it. */
static gboolean
component_ok(const char *c, gsize len)
{
	return len > 0 && !(len == 1 && c[0] == '.') && !(len == 2 && c[0] == '.' && c[1] == '.') &&
	       !memchr(c, '/', len) && !memchr(c, '\0', len);
}

static gboolean
path_ok(const char *path)
{
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);

	for (gsize i = 0; parts[i]; i++)
		if (!component_ok(parts[i], strlen(parts[i])))
			return FALSE;
	return TRUE;
}

static gboolean
check_spec(const struct tb_torrent_spec *s, GError **error)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	guint pl = s->piece_length;

	if (pl < TB_PIECE_MIN || pl > TB_PIECE_MAX || (pl & (pl - 1)) != 0) {
		g_set_error(error, TB_TORRENT_ERROR, TB_TORRENT_ERROR_ARGS,
			    "torrent: piece length %u is not a power of two from %u to %u", pl,
			    TB_PIECE_MIN, TB_PIECE_MAX);
		return FALSE;
	}
	if (s->nfiles == 0)
		return args_error(error, "torrent: no files under %s", s->root_dir);
	if (!s->announce ||
	    !(g_str_has_prefix(s->announce, "http://") || g_str_has_prefix(s->announce, "udp://")))
		return args_error(error, "torrent: announce URL \"%s\" is not http:// or udp://",
				  s->announce ? s->announce : "");
	if (s->name && !component_ok(s->name, strlen(s->name)))
		return args_error(error, "torrent: name \"%s\" is not a file name", s->name);
	for (gsize i = 0; i < s->nfiles; i++) {
		if (!path_ok(s->files[i]))
			return args_error(error,
					  "torrent: file \"%s\" is not a relative path without "
					  "empty, \".\" or \"..\" components",
					  s->files[i]);
		if (!g_hash_table_add(seen, (gpointer)s->files[i]))
			return args_error(error, "torrent: file \"%s\" is listed twice",
					  s->files[i]);
	}
	return TRUE;
}

/* The pieces' SHA-1 hashes, the files' bytes laid end to end: `piece`
 * holds the `fill` bytes of the piece being filled. */
struct hasher {
	guint piece_length;
	guint8 *piece;
	gsize fill;
	GByteArray *pieces;
};

static void
hasher_piece(struct hasher *h)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA1);
	guint8 digest[TB_INFO_HASH_LEN];
	gsize n = sizeof digest;

	g_checksum_update(sum, h->piece, h->fill);
	g_checksum_get_digest(sum, digest, &n);
	g_byte_array_append(h->pieces, digest, sizeof digest);
	h->fill = 0;
}

static gboolean
hash_file(struct hasher *h, const char *path, guint64 *length, GError **error)
{
	struct stat st;
	FILE *f = fopen(path, "rb");
	guint64 total = 0;
	int e;

	if (!f)
		goto io_error;
	if (fstat(fileno(f), &st) != 0)
		goto io_error;
	if (!S_ISREG(st.st_mode)) {
		fclose(f);
		return args_error(error, "torrent: %s is not a regular file", path);
	}
	for (;;) {
		size_t n = fread(h->piece + h->fill, 1, h->piece_length - h->fill, f);

		if (n == 0)
			break;
		h->fill += n;
		total += n;
		if (h->fill == h->piece_length)
			hasher_piece(h);
	}
	if (ferror(f))
		goto io_error;
	fclose(f);
	if (total != (guint64)st.st_size) {
		g_set_error(error, TB_TORRENT_ERROR, TB_TORRENT_ERROR_CHANGED,
			    "torrent: %s changed size while it was read", path);
		return FALSE;
	}
	*length = total;
	return TRUE;
io_error:
	e = errno;
	if (f)
		fclose(f);
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "torrent: %s: %s", path,
		    g_strerror(e));
	return FALSE;
}

GBytes *
tb_torrent_build(const struct tb_torrent_spec *spec, guint8 info_hash[TB_INFO_HASH_LEN],
		 GError **error)
{
	g_autofree guint64 *lengths = NULL;
	g_autofree guint8 *piece = NULL;
	g_autoptr(GByteArray) pieces = g_byte_array_new();
	g_autoptr(GString) info = g_string_new(NULL);
	g_autofree char *base = NULL;
	struct hasher h;
	guint64 total = 0;
	GString *out;

	if (!check_spec(spec, error))
		return NULL;
	base = spec->name ? g_strdup(spec->name) : g_path_get_basename(spec->root_dir);
	if (!component_ok(base, strlen(base))) {
		args_error(error, "torrent: directory %s has no usable name", spec->root_dir);
		return NULL;
	}
	lengths = g_new(guint64, spec->nfiles);
	piece = g_malloc(spec->piece_length);
	h = (struct hasher){ .piece_length = spec->piece_length, .piece = piece, .pieces = pieces };
	for (gsize i = 0; i < spec->nfiles; i++) {
		g_autofree char *path = g_build_filename(spec->root_dir, spec->files[i], NULL);

		if (!hash_file(&h, path, &lengths[i], error))
			return NULL;
		total += lengths[i];
	}
	if (h.fill > 0)
		hasher_piece(&h);
	if (total == 0) {
		args_error(error, "torrent: the files under %s hold no bytes", spec->root_dir);
		return NULL;
	}

	/* The info dictionary, keys in byte order. */
	tb_benc_put_dict_begin(info);
	tb_benc_put_str(info, "files");
	tb_benc_put_list_begin(info);
	for (gsize i = 0; i < spec->nfiles; i++) {
		g_auto(GStrv) parts = g_strsplit(spec->files[i], "/", -1);

		tb_benc_put_dict_begin(info);
		tb_benc_put_str(info, "length");
		tb_benc_put_int(info, (gint64)lengths[i]);
		tb_benc_put_str(info, "path");
		tb_benc_put_list_begin(info);
		for (gsize k = 0; parts[k]; k++)
			tb_benc_put_str(info, parts[k]);
		tb_benc_put_end(info);
		tb_benc_put_end(info);
	}
	tb_benc_put_end(info);
	tb_benc_put_str(info, "name");
	tb_benc_put_str(info, base);
	tb_benc_put_str(info, "piece length");
	tb_benc_put_int(info, spec->piece_length);
	tb_benc_put_str(info, "pieces");
	tb_benc_put_bytes(info, pieces->data, pieces->len);
	if (spec->private_flag) {
		tb_benc_put_str(info, "private");
		tb_benc_put_int(info, 1);
	}
	tb_benc_put_end(info);

	{
		g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA1);
		gsize n = TB_INFO_HASH_LEN;

		g_checksum_update(sum, (const guchar *)info->str, info->len);
		g_checksum_get_digest(sum, info_hash, &n);
	}

	out = g_string_new(NULL);
	tb_benc_put_dict_begin(out);
	tb_benc_put_str(out, "announce");
	tb_benc_put_str(out, spec->announce);
	tb_benc_put_str(out, "info");
	g_string_append_len(out, info->str, (gssize)info->len);
	tb_benc_put_end(out);
	return g_string_free_to_bytes(out);
}

gboolean
tb_torrent_write(const char *root_dir, const char *const *files, gsize nfiles,
		 guint piece_length, const char *announce, const char *out_path,
		 guint8 info_hash[TB_INFO_HASH_LEN], GError **error)
{
	const struct tb_torrent_spec spec = { .root_dir = root_dir,
					      .files = files,
					      .nfiles = nfiles,
					      .piece_length = piece_length,
					      .announce = announce };
	g_autoptr(GBytes) bytes = tb_torrent_build(&spec, info_hash, error);
	gsize len;
	const char *data;

	if (!bytes)
		return FALSE;
	data = g_bytes_get_data(bytes, &len);
	return g_file_set_contents(out_path, data, (gssize)len, error);
}

/* ---- Reading ---- */

static gboolean
format_error(GError **error, const char *what)
{
	g_set_error(error, TB_TORRENT_ERROR, TB_TORRENT_ERROR_FORMAT, "torrent: %s", what);
	return FALSE;
}

static void
file_clear(gpointer p)
{
	struct tb_torrent_file *f = p;

	g_free(f->path);
}

void
tb_torrent_free(struct tb_torrent *t)
{
	if (!t)
		return;
	g_free(t->announce);
	g_free(t->name);
	if (t->files)
		g_array_unref(t->files);
	g_free(t->pieces);
	g_free(t);
}

/* One entry of "files" into t->files. */
static gboolean
parse_file_entry(struct tb_torrent *t, const struct tb_benc *e, GError **error)
{
	const struct tb_benc *path = tb_benc_dict_get(e, "path");
	struct tb_torrent_file f = { 0 };
	g_autoptr(GString) joined = g_string_new(NULL);
	gint64 length;

	if (e->type != TB_BENC_DICT)
		return format_error(error, "an entry of \"files\" is not a dictionary");
	if (!tb_benc_dict_int(e, "length", "torrent: an entry of \"files\"", &length, error))
		return FALSE;
	if (length < 0)
		return format_error(error, "a file of negative length");
	if (!path || path->type != TB_BENC_LIST || tb_benc_count(path) == 0)
		return format_error(error, "a file without a \"path\" list");
	for (guint k = 0; k < tb_benc_count(path); k++) {
		const struct tb_benc *c = tb_benc_list_item(path, k);

		if (c->type != TB_BENC_STR || !component_ok(c->s, c->len))
			return format_error(error, "a file path component is not a file name");
		if (k > 0)
			g_string_append_c(joined, '/');
		g_string_append_len(joined, c->s, (gssize)c->len);
	}
	if ((guint64)length > G_MAXUINT64 - t->total_length)
		return format_error(error, "files longer than 2^64 bytes");
	f.path = g_string_free(g_steal_pointer(&joined), FALSE);
	f.length = (guint64)length;
	f.offset = t->total_length;
	t->total_length += f.length;
	g_array_append_val(t->files, f);
	return TRUE;
}

struct tb_torrent *
tb_torrent_parse(const void *data, gsize len, GError **error)
{
	struct tb_benc *top = tb_benc_parse(data, len, error);
	const struct tb_benc *info, *name, *pieces, *files, *announce, *priv;
	struct tb_torrent *t = NULL;
	gint64 pl;
	guint64 want;

	if (!top)
		return NULL;
	t = g_new0(struct tb_torrent, 1);
	t->files = g_array_new(FALSE, TRUE, sizeof(struct tb_torrent_file));
	g_array_set_clear_func(t->files, file_clear);
	info = tb_benc_dict_get(top, "info");
	if (!info || info->type != TB_BENC_DICT) {
		format_error(error, "no \"info\" dictionary");
		goto error;
	}
	announce = tb_benc_dict_get(top, "announce");
	if (announce) {
		if (announce->type != TB_BENC_STR || memchr(announce->s, '\0', announce->len)) {
			format_error(error, "\"announce\" is not a URL");
			goto error;
		}
		t->announce = g_strdup(announce->s);
	}
	if (!tb_benc_dict_str(info, "name", "torrent: info", &name, error) ||
	    !tb_benc_dict_int(info, "piece length", "torrent: info", &pl, error) ||
	    !tb_benc_dict_str(info, "pieces", "torrent: info", &pieces, error))
		goto error;
	if (!component_ok(name->s, name->len)) {
		format_error(error, "the name is not a file name");
		goto error;
	}
	t->name = g_strdup(name->s);
	if (pl <= 0 || pl > G_MAXUINT32) {
		format_error(error, "the piece length is not positive, or too large");
		goto error;
	}
	t->piece_length = (guint64)pl;
	priv = tb_benc_dict_get(info, "private");
	t->private_flag = priv && priv->type == TB_BENC_INT && priv->i == 1;

	files = tb_benc_dict_get(info, "files");
	if (files) {
		if (files->type != TB_BENC_LIST || tb_benc_count(files) == 0 ||
		    tb_benc_dict_get(info, "length")) {
			format_error(error, "\"files\" is not a non-empty list (or \"length\" too)");
			goto error;
		}
		t->multi_file = TRUE;
		for (guint i = 0; i < tb_benc_count(files); i++)
			if (!parse_file_entry(t, tb_benc_list_item(files, i), error))
				goto error;
	} else {
		struct tb_torrent_file f = { 0 };
		gint64 length;

		if (!tb_benc_dict_int(info, "length", "torrent: info (no \"files\")", &length,
				      error))
			goto error;
		if (length < 0) {
			format_error(error, "a file of negative length");
			goto error;
		}
		f.path = g_strdup(t->name);
		f.length = (guint64)length;
		t->total_length = f.length;
		g_array_append_val(t->files, f);
	}

	want = t->total_length / t->piece_length + (t->total_length % t->piece_length != 0);
	if (want > G_MAXUINT / TB_INFO_HASH_LEN || pieces->len != want * TB_INFO_HASH_LEN) {
		format_error(error, "\"pieces\" does not hold one 20-byte hash per piece");
		goto error;
	}
	t->npieces = (guint)want;
	t->pieces = g_memdup2(pieces->s, pieces->len);
	{
		g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA1);
		gsize n = TB_INFO_HASH_LEN;

		g_checksum_update(sum, (const guchar *)data + info->start, info->span);
		g_checksum_get_digest(sum, t->info_hash, &n);
	}
	tb_benc_free(top);
	return t;
error:
	tb_benc_free(top);
	tb_torrent_free(t);
	return NULL;
}

struct tb_torrent *
tb_torrent_load(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	gsize len;
	GError *local = NULL;
	struct tb_torrent *t;

	if (!g_file_get_contents(path, &data, &len, error))
		return NULL;
	t = tb_torrent_parse(data, len, &local);
	if (!t) {
		g_prefix_error(&local, "%s: ", path);
		g_propagate_error(error, local);
	}
	return t;
}

void
tb_info_hash_hex(const guint8 hash[TB_INFO_HASH_LEN], char out[2 * TB_INFO_HASH_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (gsize i = 0; i < TB_INFO_HASH_LEN; i++) {
		out[2 * i] = digits[hash[i] >> 4];
		out[2 * i + 1] = digits[hash[i] & 15];
	}
	out[2 * TB_INFO_HASH_LEN] = '\0';
}

gboolean
tb_info_hash_parse(const char *s, guint8 hash[TB_INFO_HASH_LEN])
{
	for (gsize i = 0; i < 2 * TB_INFO_HASH_LEN; i++)
		if (!g_ascii_isxdigit(s[i]))
			return FALSE;
	if (s[2 * TB_INFO_HASH_LEN] != '\0')
		return FALSE;
	for (gsize i = 0; i < TB_INFO_HASH_LEN; i++)
		hash[i] = (guint8)(g_ascii_xdigit_value(s[2 * i]) << 4 |
				   g_ascii_xdigit_value(s[2 * i + 1]));
	return TRUE;
}
