/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Bencoding: the writer, round trips, the reader's refusals, and the fuzz
 * target (fuzz-bencode.h) over its seed corpus, testbed/bt/corpus/ (run
 * from the top of the source tree, as make check does).
 */
#include <string.h>

#include <glib.h>

#include "testbed/bt/bencode.h"
#include "testbed/bt/fuzz-bencode.h"

/* Parses text (its strlen), re-encodes, and checks the bytes are equal. */
static struct tb_benc *
round_trip(const char *text)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	struct tb_benc *v = tb_benc_parse(text, strlen(text), &err);

	g_assert_no_error(err);
	g_assert_nonnull(v);
	g_assert_cmpuint(v->start, ==, 0);
	g_assert_cmpuint(v->span, ==, strlen(text));
	tb_benc_write(out, v);
	g_assert_cmpstr(out->str, ==, text);
	return v;
}

static void
test_write(void)
{
	g_autoptr(GString) s = g_string_new(NULL);

	tb_benc_put_dict_begin(s);
	tb_benc_put_str(s, "a");
	tb_benc_put_int(s, -42);
	tb_benc_put_str(s, "b");
	tb_benc_put_list_begin(s);
	tb_benc_put_bytes(s, "x\0y", 3);
	tb_benc_put_int(s, 0);
	tb_benc_put_str(s, "");
	tb_benc_put_end(s);
	tb_benc_put_end(s);
	g_assert_cmpuint(s->len, ==, strlen("d1:ai-42e1:bl3:x") + 2 + strlen("i0e0:ee"));
	g_assert_cmpmem(s->str, s->len, "d1:ai-42e1:bl3:x\0yi0e0:ee", s->len);
}

static void
test_round_trip(void)
{
	static const char *const texts[] = {
		"i0e", "i-1e", "i9223372036854775807e", "i-9223372036854775808e", "0:",
		"4:spam", "le", "de", "l4:spami42ee", "d3:bar4:spam3:fooi42ee",
		"d1:ad1:bl1:cee1:dlleee", "d0:i1e1:ai2e2:aai3e1:bi4ee",
	};

	for (gsize i = 0; i < G_N_ELEMENTS(texts); i++)
		tb_benc_free(round_trip(texts[i]));
}

static void
test_values(void)
{
	struct tb_benc *v = round_trip("d3:bar4:spam3:fooi42e4:listl1:xi-3eee");
	const struct tb_benc *x, *l;
	g_autoptr(GError) err = NULL;
	gint64 n;

	g_assert_cmpint(v->type, ==, TB_BENC_DICT);
	g_assert_cmpuint(tb_benc_count(v), ==, 3);
	x = tb_benc_dict_get(v, "bar");
	g_assert_nonnull(x);
	g_assert_cmpint(x->type, ==, TB_BENC_STR);
	g_assert_cmpstr(x->s, ==, "spam");
	g_assert_cmpuint(x->start, ==, 6);
	g_assert_cmpuint(x->span, ==, 6);
	g_assert_true(tb_benc_dict_int(v, "foo", "test", &n, &err));
	g_assert_cmpint(n, ==, 42);
	g_assert_null(tb_benc_dict_get(v, "nothing"));
	g_assert_null(tb_benc_dict_get(v, "ba"));
	l = tb_benc_dict_get(v, "list");
	g_assert_cmpuint(tb_benc_count(l), ==, 2);
	g_assert_cmpint(tb_benc_list_item(l, 1)->i, ==, -3);
	/* Typed look-ups name the key when it is missing or of another type. */
	g_assert_false(tb_benc_dict_int(v, "bar", "the thing", &n, &err));
	g_assert_error(err, TB_BENC_ERROR, TB_BENC_ERROR_SCHEMA);
	g_assert_cmpstr(err->message, ==, "the thing: \"bar\" is not an integer");
	g_clear_error(&err);
	g_assert_false(tb_benc_dict_str(v, "baz", "the thing", &x, &err));
	g_assert_cmpstr(err->message, ==, "the thing: no \"baz\"");
	tb_benc_free(v);
}

static void
test_malformed(void)
{
	static const struct {
		const char *text;
		gint code;
		const char *message;
	} cases[] = {
		{ "", TB_BENC_ERROR_TRUNCATED, "bencode: byte 0: empty input" },
		{ "i", TB_BENC_ERROR_TRUNCATED, NULL },
		{ "ie", TB_BENC_ERROR_SYNTAX, "bencode: byte 1: digit expected" },
		{ "i-e", TB_BENC_ERROR_SYNTAX, NULL },
		{ "i-0e", TB_BENC_ERROR_SYNTAX, "bencode: byte 0: negative zero" },
		{ "i03e", TB_BENC_ERROR_SYNTAX, "bencode: byte 1: leading zero in a number" },
		{ "i-03e", TB_BENC_ERROR_SYNTAX, NULL },
		{ "i1x", TB_BENC_ERROR_SYNTAX, "bencode: byte 2: 'e' expected" },
		{ "i+1e", TB_BENC_ERROR_SYNTAX, NULL },
		{ "i9223372036854775808e", TB_BENC_ERROR_RANGE, NULL },
		{ "i-9223372036854775809e", TB_BENC_ERROR_RANGE, NULL },
		{ "i99999999999999999999999e", TB_BENC_ERROR_RANGE, NULL },
		{ "5:abc", TB_BENC_ERROR_TRUNCATED, NULL },
		{ "99999999999999999999999:a", TB_BENC_ERROR_TRUNCATED, NULL },
		{ "03:abc", TB_BENC_ERROR_SYNTAX, NULL },
		{ "3abc", TB_BENC_ERROR_SYNTAX, NULL },
		{ "3", TB_BENC_ERROR_TRUNCATED, NULL },
		{ "l", TB_BENC_ERROR_TRUNCATED, "bencode: byte 1: input ends inside a list" },
		{ "li1e", TB_BENC_ERROR_TRUNCATED, NULL },
		{ "d", TB_BENC_ERROR_TRUNCATED, NULL },
		{ "d1:a", TB_BENC_ERROR_TRUNCATED, "bencode: byte 4: dictionary key without a value" },
		{ "di1ei2ee", TB_BENC_ERROR_SYNTAX, "bencode: byte 1: dictionary key is not a string" },
		{ "d1:bi1e1:ai2ee", TB_BENC_ERROR_SYNTAX, NULL },
		{ "d1:ai1e1:ai2ee", TB_BENC_ERROR_SYNTAX, NULL },
		{ "d2:abi1e1:ai2ee", TB_BENC_ERROR_SYNTAX, NULL },
		{ "i1ei2e", TB_BENC_ERROR_TRAILING, "bencode: byte 3: bytes after the value" },
		{ "le ", TB_BENC_ERROR_TRAILING, NULL },
		{ "x", TB_BENC_ERROR_SYNTAX, "bencode: byte 0: not the start of a value" },
		{ "e", TB_BENC_ERROR_SYNTAX, NULL },
		{ "l-1e", TB_BENC_ERROR_SYNTAX, NULL },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) err = NULL;
		struct tb_benc *v = tb_benc_parse(cases[i].text, strlen(cases[i].text), &err);

		if (v || !g_error_matches(err, TB_BENC_ERROR, cases[i].code))
			g_error("\"%s\": expected error %d, got %s", cases[i].text, cases[i].code,
				v ? "a value" : err->message);
		if (cases[i].message)
			g_assert_cmpstr(err->message, ==, cases[i].message);
		g_assert_null(strchr(err->message, '\n'));
	}
}

static void
test_depth(void)
{
	g_autoptr(GString) ok = g_string_new(NULL);
	g_autoptr(GString) deep = NULL;
	g_autoptr(GError) err = NULL;

	for (int i = 0; i < TB_BENC_MAX_DEPTH; i++)
		g_string_prepend_c(ok, 'l');
	for (int i = 0; i < TB_BENC_MAX_DEPTH; i++)
		g_string_append_c(ok, 'e');
	tb_benc_free(round_trip(ok->str));
	deep = g_string_new("l");
	g_string_append(deep, ok->str);
	g_string_append_c(deep, 'e');
	g_assert_null(tb_benc_parse(deep->str, deep->len, &err));
	g_assert_error(err, TB_BENC_ERROR, TB_BENC_ERROR_DEPTH);
}

/* Every proper prefix of a value is refused; no parse reads past its
 * length (the sanitizer build checks that). */
static void
test_prefixes(void)
{
	static const char text[] = "d4:infod5:filesld6:lengthi5e4:pathl1:aeee4:name1:xe1:zli-7eee";
	const gsize len = sizeof text - 1;

	tb_benc_free(round_trip(text));
	for (gsize n = 0; n < len; n++) {
		g_autoptr(GError) err = NULL;
		g_autofree char *copy = g_memdup2(text, n); /* exactly n bytes */

		g_assert_null(tb_benc_parse(copy, n, &err));
		g_assert_nonnull(err);
	}
}

/* Mutated inputs: each is refused or re-encodes to itself. */
static void
test_mutations(void)
{
	static const char seed[] = "d1:ai12e1:bl3:xyzi-1ede1:cd0:0:ee";
	static const char alphabet[] = "ilde0123456789:-x";
	GRand *rng = g_rand_new_with_seed(18);
	guint accepted = 0;

	for (int k = 0; k < 20000; k++) {
		char buf[sizeof seed];
		gsize len = sizeof seed - 1;
		g_autoptr(GError) err = NULL;
		struct tb_benc *v;

		memcpy(buf, seed, sizeof seed);
		for (int m = g_rand_int_range(rng, 1, 4); m > 0; m--)
			buf[g_rand_int_range(rng, 0, (gint32)len)] =
				alphabet[g_rand_int_range(rng, 0, sizeof alphabet - 1)];
		len = (gsize)g_rand_int_range(rng, 1, (gint32)len + 1);
		v = tb_benc_parse(buf, len, &err);
		if (v) {
			g_autoptr(GString) out = g_string_new(NULL);

			tb_benc_write(out, v);
			g_assert_cmpmem(out->str, out->len, buf, len);
			accepted++;
			tb_benc_free(v);
		} else {
			g_assert_nonnull(err);
		}
	}
	/* Some mutations keep the input valid: the check above ran. */
	g_assert_cmpuint(accepted, >, 0);
	g_rand_free(rng);
}

/* The seed corpus through the fuzz target: every seed keeps its contract,
 * the seeds reach past the bencode reader, and some are torrents. */
static void
test_corpus(void)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(GDir) d = g_dir_open("testbed/bt/corpus", 0, &err);
	unsigned long accepted = fuzz_bencode_accepted, torrents = fuzz_bencode_torrents;
	const char *name;
	guint n = 0;

	g_assert_no_error(err);
	while ((name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename("testbed/bt/corpus", name, NULL);
		g_autofree char *data = NULL;
		gsize len;

		g_file_get_contents(path, &data, &len, &err);
		g_assert_no_error(err);
		g_assert_cmpuint(len, <=, 4096);
		g_assert_cmpint(fuzz_bencode_one((const guint8 *)data, len), ==, 0);
		n++;
	}
	g_assert_cmpuint(n, >=, 5);
	g_assert_cmpuint(fuzz_bencode_accepted - accepted, ==, n);
	g_assert_cmpuint(fuzz_bencode_torrents - torrents, >=, 3);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bencode/write", test_write);
	g_test_add_func("/bencode/round-trip", test_round_trip);
	g_test_add_func("/bencode/values", test_values);
	g_test_add_func("/bencode/malformed", test_malformed);
	g_test_add_func("/bencode/depth", test_depth);
	g_test_add_func("/bencode/prefixes", test_prefixes);
	g_test_add_func("/bencode/mutations", test_mutations);
	g_test_add_func("/bencode/corpus", test_corpus);
	return g_test_run();
}
