/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "testbed/bt/fuzz-bencode.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "testbed/bt/bencode.h"
#include "testbed/bt/torrent.h"
#include "testbed/bt/tracker.h"

unsigned long fuzz_bencode_accepted, fuzz_bencode_torrents;

static const uint8_t *input;
static size_t input_len;

static G_NORETURN void
fuzz_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz input (%zu bytes):", input_len);
	for (size_t i = 0; i < input_len; i++)
		fprintf(stderr, "%02x", input[i]);
	fprintf(stderr, "\n");
	g_assertion_message_expr(G_LOG_DOMAIN, __FILE__, line, "fuzz_bencode_one", what);
}

#define CHECK(expr)                                \
	do {                                       \
		if (!(expr))                       \
			fuzz_fail(__LINE__, #expr); \
	} while (0)

/* A refusal: an error with one non-empty line. */
static void
check_refusal(const GError *err)
{
	CHECK(err != NULL);
	CHECK(err->message[0] != '\0');
	CHECK(strchr(err->message, '\n') == NULL);
}

static void
check_torrent(const struct tb_torrent *t)
{
	guint64 offset = 0;

	CHECK(t->piece_length > 0);
	CHECK(t->files->len >= 1);
	for (guint i = 0; i < t->files->len; i++) {
		const struct tb_torrent_file *f = &g_array_index(t->files, struct tb_torrent_file, i);

		CHECK(f->offset == offset);
		CHECK(f->path[0] != '\0' && f->path[0] != '/');
		CHECK(strstr(f->path, "//") == NULL);
		offset += f->length;
	}
	CHECK(offset == t->total_length);
	CHECK((guint64)t->npieces ==
	      t->total_length / t->piece_length + (t->total_length % t->piece_length != 0));
}

int
fuzz_bencode_one(const uint8_t *data, size_t size)
{
	GError *err = NULL;
	struct tb_benc *v;
	struct tb_torrent *t;
	struct tb_announce *a;

	input = data;
	input_len = size;
	v = tb_benc_parse(data, size, &err);
	if (!v) {
		check_refusal(err);
		g_clear_error(&err);
	} else {
		GString *out = g_string_new(NULL);

		/* Only the canonical form is accepted: it encodes back. */
		tb_benc_write(out, v);
		CHECK(out->len == size && memcmp(out->str, data, size) == 0);
		CHECK(v->start == 0 && v->span == size);
		g_string_free(out, TRUE);
		tb_benc_free(v);
		fuzz_bencode_accepted++;
	}

	t = tb_torrent_parse(data, size, &err);
	if (!t) {
		check_refusal(err);
		g_clear_error(&err);
	} else {
		check_torrent(t);
		tb_torrent_free(t);
		fuzz_bencode_torrents++;
	}

	a = tb_announce_parse(data, size, &err);
	if (!a) {
		check_refusal(err);
		g_clear_error(&err);
	} else {
		CHECK(a->peers != NULL);
		tb_announce_free(a);
	}
	return 0;
}

#ifdef FLASHCOOP_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_bencode_one(data, size);
}
#endif
