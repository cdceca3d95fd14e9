/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Torrents: the info-hash against mktorrent's (an independent
 * implementation), the pieces against SHA-1 of the files laid end to end,
 * reading back, and the refusals.
 */
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "testbed/bt/bencode.h"
#include "testbed/bt/torrent.h"

#define PIECE (32u << 10)
#define ANNOUNCE "http://127.0.0.1:6969/announce"

/* A site under a fresh temporary directory: files of lengths around the
 * piece boundaries, one empty, in sorted order (as mktorrent lists them). */
struct site {
	char *tmp, *root;
	GPtrArray *files; /* relative paths */
	GByteArray *stream; /* every byte, file after file */
};

static const struct {
	const char *path;
	gsize length;
} site_files[] = {
	{ "a.html", 1 },
	{ "img/b.png", PIECE - 1 },
	{ "img/c.png", PIECE + 1 },
	{ "img/d/e.bin", 0 },
	{ "z.css", 3 * PIECE + 17 },
};

static void
site_make(struct site *s)
{
	g_autoptr(GError) err = NULL;
	GRand *rng = g_rand_new_with_seed(4);

	s->tmp = g_dir_make_tmp("fc-test-torrent-XXXXXX", &err);
	g_assert_no_error(err);
	s->root = g_build_filename(s->tmp, "site0", NULL);
	s->files = g_ptr_array_new_with_free_func(g_free);
	s->stream = g_byte_array_new();
	for (gsize i = 0; i < G_N_ELEMENTS(site_files); i++) {
		g_autofree char *path = g_build_filename(s->root, site_files[i].path, NULL);
		g_autofree char *dir = g_path_get_dirname(path);
		g_autofree guint8 *data = g_malloc(site_files[i].length + 1);

		for (gsize k = 0; k < site_files[i].length; k++)
			data[k] = (guint8)g_rand_int(rng);
		g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
		g_file_set_contents(path, (const char *)data, (gssize)site_files[i].length, &err);
		g_assert_no_error(err);
		g_ptr_array_add(s->files, g_strdup(site_files[i].path));
		g_byte_array_append(s->stream, data, (guint)site_files[i].length);
	}
	g_ptr_array_add(s->files, NULL);
	g_rand_free(rng);
}

static void
site_clear(struct site *s)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", s->tmp);

	g_assert_cmpint(system(cmd), ==, 0);
	g_free(s->tmp);
	g_free(s->root);
	g_ptr_array_unref(s->files);
	g_byte_array_unref(s->stream);
}

static gsize
site_nfiles(const struct site *s)
{
	return s->files->len - 1;
}

/* The info dictionary's bytes of a torrent file. */
static GString *
info_bytes(const char *data, gsize len)
{
	g_autoptr(GError) err = NULL;
	struct tb_benc *top = tb_benc_parse(data, len, &err);
	GString *out = g_string_new(NULL);

	g_assert_no_error(err);
	g_string_append_len(out, data + tb_benc_dict_get(top, "info")->start,
			    (gssize)tb_benc_dict_get(top, "info")->span);
	tb_benc_free(top);
	return out;
}

static void
check_mktorrent(gboolean priv)
{
	g_autofree char *mk = g_find_program_in_path("mktorrent");
	g_autoptr(GError) err = NULL;
	g_autofree char *theirs = NULL, *mine = NULL, *out = NULL;
	g_autofree char *tdata = NULL, *mdata = NULL;
	g_autoptr(GString) tinfo = NULL, minfo = NULL;
	gsize tlen, mlen;
	guint8 hash[TB_INFO_HASH_LEN];
	gint status;
	struct site s;
	struct tb_torrent *t;

	if (!mk) {
		g_test_skip("mktorrent is not installed");
		return;
	}
	site_make(&s);
	theirs = g_build_filename(s.tmp, "theirs.torrent", NULL);
	mine = g_build_filename(s.tmp, "mine.torrent", NULL);
	{
		const char *argv[] = { mk, "-l", "15", "-a", ANNOUNCE, "-o", theirs,
				       priv ? "-p" : "-d", s.root, NULL };

		g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
			     NULL, &out, &status, &err);
		g_assert_no_error(err);
		g_assert_true(g_spawn_check_wait_status(status, &err));
	}
	if (priv) {
		const struct tb_torrent_spec spec = { .root_dir = s.root,
						      .files = (const char *const *)s.files->pdata,
						      .nfiles = site_nfiles(&s),
						      .piece_length = PIECE,
						      .announce = ANNOUNCE,
						      .private_flag = TRUE };
		g_autoptr(GBytes) b = tb_torrent_build(&spec, hash, &err);

		g_assert_no_error(err);
		g_file_set_contents(mine, g_bytes_get_data(b, NULL), (gssize)g_bytes_get_size(b),
				    &err);
		g_assert_no_error(err);
	} else {
		g_assert_true(tb_torrent_write(s.root, (const char *const *)s.files->pdata,
					       site_nfiles(&s), PIECE, ANNOUNCE, mine, hash, &err));
		g_assert_no_error(err);
	}
	g_file_get_contents(theirs, &tdata, &tlen, &err);
	g_assert_no_error(err);
	g_file_get_contents(mine, &mdata, &mlen, &err);
	g_assert_no_error(err);
	/* The same info dictionary, byte for byte, hence the same info-hash. */
	tinfo = info_bytes(tdata, tlen);
	minfo = info_bytes(mdata, mlen);
	g_assert_cmpmem(minfo->str, minfo->len, tinfo->str, tinfo->len);
	t = tb_torrent_parse(tdata, tlen, &err);
	g_assert_no_error(err);
	g_assert_cmpmem(t->info_hash, TB_INFO_HASH_LEN, hash, TB_INFO_HASH_LEN);
	g_assert_cmpint(t->private_flag, ==, priv);
	tb_torrent_free(t);
	site_clear(&s);
}

static void
test_mktorrent(void)
{
	check_mktorrent(FALSE);
}

static void
test_mktorrent_private(void)
{
	check_mktorrent(TRUE);
}

/* Read back: files, offsets, and each piece the SHA-1 of its bytes of the
 * stream (pieces span file boundaries; the last one is short). */
static void
test_read_back(void)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *path = NULL;
	guint8 hash[TB_INFO_HASH_LEN];
	struct tb_torrent *t;
	struct site s;
	guint64 offset = 0;

	site_make(&s);
	path = g_build_filename(s.tmp, "t.torrent", NULL);
	g_assert_true(tb_torrent_write(s.root, (const char *const *)s.files->pdata,
				       site_nfiles(&s), PIECE, ANNOUNCE, path, hash, &err));
	t = tb_torrent_load(path, &err);
	g_assert_no_error(err);
	g_assert_cmpstr(t->name, ==, "site0");
	g_assert_cmpstr(t->announce, ==, ANNOUNCE);
	g_assert_true(t->multi_file);
	g_assert_false(t->private_flag);
	g_assert_cmpuint(t->piece_length, ==, PIECE);
	g_assert_cmpuint(t->total_length, ==, s.stream->len);
	g_assert_cmpuint(t->npieces, ==, (s.stream->len + PIECE - 1) / PIECE);
	g_assert_cmpmem(t->info_hash, TB_INFO_HASH_LEN, hash, TB_INFO_HASH_LEN);
	g_assert_cmpuint(t->files->len, ==, G_N_ELEMENTS(site_files));
	for (guint i = 0; i < t->files->len; i++) {
		const struct tb_torrent_file *f = &g_array_index(t->files, struct tb_torrent_file, i);

		g_assert_cmpstr(f->path, ==, site_files[i].path);
		g_assert_cmpuint(f->length, ==, site_files[i].length);
		g_assert_cmpuint(f->offset, ==, offset);
		offset += f->length;
	}
	for (guint p = 0; p < t->npieces; p++) {
		g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA1);
		guint8 digest[TB_INFO_HASH_LEN];
		gsize n = sizeof digest;
		gsize from = (gsize)p * PIECE;

		g_checksum_update(sum, s.stream->data + from, MIN(PIECE, s.stream->len - from));
		g_checksum_get_digest(sum, digest, &n);
		g_assert_cmpmem(t->pieces + p * TB_INFO_HASH_LEN, TB_INFO_HASH_LEN, digest,
				TB_INFO_HASH_LEN);
	}
	tb_torrent_free(t);
	/* The same files in another order are another torrent. */
	{
		const char *rev[] = { "z.css", "a.html" };
		guint8 other[TB_INFO_HASH_LEN];

		g_assert_true(tb_torrent_write(s.root, rev, 2, PIECE, ANNOUNCE, path, other, &err));
		g_assert_true(memcmp(other, hash, TB_INFO_HASH_LEN) != 0);
	}
	site_clear(&s);
}

static void
test_bad_args(void)
{
	static const struct {
		guint piece;
		const char *files[3];
		const char *announce;
		gint code;
		const char *message; /* a part of it */
	} cases[] = {
		{ 3000, { "a.html" }, ANNOUNCE, TB_TORRENT_ERROR_ARGS, "piece length 3000" },
		{ 8192, { "a.html" }, ANNOUNCE, TB_TORRENT_ERROR_ARGS, "power of two" },
		{ PIECE, { "a.html" }, "ftp://x/", TB_TORRENT_ERROR_ARGS, "announce URL" },
		{ PIECE, { "../a.html" }, ANNOUNCE, TB_TORRENT_ERROR_ARGS, "\"../a.html\"" },
		{ PIECE, { "/etc/passwd" }, ANNOUNCE, TB_TORRENT_ERROR_ARGS, "relative" },
		{ PIECE, { "img//b.png" }, ANNOUNCE, TB_TORRENT_ERROR_ARGS, "img//b.png" },
		{ PIECE, { "img/./b.png" }, ANNOUNCE, TB_TORRENT_ERROR_ARGS, "img/./b.png" },
		{ PIECE, { "a.html", "a.html" }, ANNOUNCE, TB_TORRENT_ERROR_ARGS, "twice" },
		{ PIECE, { "img" }, ANNOUNCE, TB_TORRENT_ERROR_ARGS, "not a regular file" },
		{ PIECE, { "img/d/e.bin" }, ANNOUNCE, TB_TORRENT_ERROR_ARGS, "hold no bytes" },
	};
	struct site s;
	guint8 hash[TB_INFO_HASH_LEN];

	site_make(&s);
	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		g_autofree char *out = g_build_filename(s.tmp, "bad.torrent", NULL);
		gsize n = cases[i].files[1] ? 2 : 1;

		g_assert_false(tb_torrent_write(s.root, cases[i].files, n, cases[i].piece,
						cases[i].announce, out, hash, &err));
		g_assert_error(err, TB_TORRENT_ERROR, cases[i].code);
		if (!strstr(err->message, cases[i].message))
			g_error("case %zu: \"%s\" lacks \"%s\"", i, err->message, cases[i].message);
		g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
	}
	{
		g_autoptr(GError) err = NULL;
		const char *missing[] = { "nothing.html" };
		g_autofree char *out = g_build_filename(s.tmp, "bad.torrent", NULL);

		g_assert_false(tb_torrent_write(s.root, missing, 1, PIECE, ANNOUNCE, out, hash,
						&err));
		g_assert_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
		g_assert_nonnull(strstr(err->message, "nothing.html"));
	}
	site_clear(&s);
}

static void
test_bad_format(void)
{
	static const struct {
		const char *text;
		const char *message; /* a part of it */
	} cases[] = {
		{ "de", "no \"info\" dictionary" },
		{ "d4:infoi1ee", "no \"info\" dictionary" },
		{ "d4:infod6:lengthi1e12:piece lengthi16384e6:pieces20:01234567890123456789ee",
		  "no \"name\"" },
		{ "d4:infod6:lengthi1e4:name2:..12:piece lengthi16384e6:pieces20:01234567890123456789ee",
		  "name is not a file name" },
		{ "d4:infod6:lengthi1e4:name1:x12:piece lengthi0e6:pieces20:01234567890123456789ee",
		  "piece length" },
		{ "d4:infod6:lengthi1e4:name1:x12:piece lengthi16384e6:pieces19:0123456789012345678ee",
		  "one 20-byte hash per piece" },
		{ "d4:infod6:lengthi-1e4:name1:x12:piece lengthi16384e6:pieces0:ee", "negative" },
		{ "d4:infod5:filesld6:lengthi1e4:pathl2:..eee4:name1:x12:piece lengthi16384e"
		  "6:pieces20:01234567890123456789ee",
		  "path component" },
		{ "d4:infod5:filesld6:lengthi1e4:pathleee4:name1:x12:piece lengthi16384e"
		  "6:pieces20:01234567890123456789ee",
		  "without a \"path\"" },
		{ "d4:infod5:filesle4:name1:x12:piece lengthi16384e6:pieces0:ee", "non-empty list" },
		{ "d4:infod4:name1:x12:piece lengthi16384e6:pieces0:ee", "no \"length\"" },
		{ "d8:announcei1e4:infod6:lengthi1e4:name1:x12:piece lengthi16384e"
		  "6:pieces20:01234567890123456789ee",
		  "\"announce\" is not a URL" },
		{ "d4:info", "bencode: byte" },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		struct tb_torrent *t = tb_torrent_parse(cases[i].text, strlen(cases[i].text), &err);

		if (t || !strstr(err->message, cases[i].message))
			g_error("case %zu: expected an error with \"%s\", got %s", i,
				cases[i].message, t ? "a torrent" : err->message);
	}
	/* A single-file torrent is read. */
	{
		static const char one[] = "d4:infod6:lengthi20000e4:name1:x12:piece lengthi16384e"
					  "6:pieces40:0123456789012345678901234567890123456789ee";
		g_autoptr(GError) err = NULL;
		struct tb_torrent *t = tb_torrent_parse(one, sizeof one - 1, &err);

		g_assert_no_error(err);
		g_assert_false(t->multi_file);
		g_assert_cmpuint(t->npieces, ==, 2);
		g_assert_cmpuint(t->files->len, ==, 1);
		g_assert_cmpstr(g_array_index(t->files, struct tb_torrent_file, 0).path, ==, "x");
		tb_torrent_free(t);
	}
}

static void
test_hex(void)
{
	guint8 h[TB_INFO_HASH_LEN], back[TB_INFO_HASH_LEN];
	char hex[2 * TB_INFO_HASH_LEN + 1];

	for (gsize i = 0; i < TB_INFO_HASH_LEN; i++)
		h[i] = (guint8)(i * 13 + 7);
	tb_info_hash_hex(h, hex);
	g_assert_cmpstr(hex, ==, "0714212e3b4855626f7c8996a3b0bdcad7e4f1fe");
	g_assert_true(tb_info_hash_parse("0714212E3B4855626F7C8996A3B0BDCAD7E4F1FE", back));
	g_assert_cmpmem(back, TB_INFO_HASH_LEN, h, TB_INFO_HASH_LEN);
	g_assert_false(tb_info_hash_parse("07142128353c494f5c6370777d8a91989eb2b9c", back));
	g_assert_false(tb_info_hash_parse("07142128353c494f5c6370777d8a91989eb2b9c60", back));
	g_assert_false(tb_info_hash_parse("0714212835xc494f5c6370777d8a91989eb2b9c6", back));
	g_assert_false(tb_info_hash_parse("", back));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/torrent/mktorrent", test_mktorrent);
	g_test_add_func("/torrent/mktorrent-private", test_mktorrent_private);
	g_test_add_func("/torrent/read-back", test_read_back);
	g_test_add_func("/torrent/bad-args", test_bad_args);
	g_test_add_func("/torrent/bad-format", test_bad_format);
	g_test_add_func("/torrent/hex", test_hex);
	return g_test_run();
}
