/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The message fuzz target (tests/fuzz/fuzz-msg.c) as a test: a fixed-seed
 * stream of valid messages, mutated ones and random bytes (--runs N of
 * them), or the inputs named on the command line.  Under `make
 * SANITIZE=...` it is a short fuzzing run with ASan and UBSan watching
 * every read; `make fuzz` builds the same target for libFuzzer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "flashcoop/core.h"
#include "tests/fuzz/fuzz-msg.h"
#include "tests/fuzz/fuzz.h"
#include "tests/testutil.h"

/* A valid message from the cooperator, of a random type. */
static size_t
valid(GRand *r, uint8_t *buf)
{
	struct fc_msg m = { .from = FUZZ_PEER, .to = FUZZ_ME, .timestamp = fuzz_now,
			    .nonce = g_rand_int(r) };
	size_t len = 0;

	m.type = (enum fc_msg_type)g_rand_int_range(r, FC_MSG_HELP_REQUEST, FC_MSG_ACK + 1);
	m.u.help.site = g_rand_boolean(r) ? fuzz_site_b.id : g_rand_int(r);
	if (m.type == FC_MSG_HEARTBEAT) {
		m.u.heartbeat.load = g_rand_double_range(r, 0, 2);
		m.u.heartbeat.spare = g_rand_double_range(r, 0, 1);
		m.u.heartbeat.accepting = g_rand_boolean(r);
	}
	g_assert_cmpint(fc_msg_encode(&m, fuzz_key, sizeof fuzz_key, buf, FC_MSG_MAX, &len), ==, 0);
	return len;
}

static unsigned long runs = 200000;

/*
 * A fixed-seed stream: a quarter random bytes, the rest valid messages,
 * of which a fifth are sent as they are and the others mutated.
 */
static void
test_stream(void)
{
	g_autoptr(GRand) r = g_rand_new_with_seed(20261121);

	fuzz_msg_accepted = 0;
	for (unsigned long k = 0; k < runs; k++) {
		uint8_t buf[FC_MSG_MAX * 2];
		size_t len;

		if (k % 4 == 0) {
			len = (size_t)g_rand_int_range(r, 0, (gint32)sizeof buf);
			for (size_t i = 0; i < len; i++)
				buf[i] = (uint8_t)g_rand_int(r);
		} else {
			len = valid(r, buf);
			switch (g_rand_int_range(r, 0, 5)) {
			case 0: /* as it is */
				break;
			case 1: /* flip bits */
				for (int b = g_rand_int_range(r, 1, 4); b > 0; b--)
					buf[g_rand_int_range(r, 0, (gint32)len)] ^=
						(uint8_t)(1u << g_rand_int_range(r, 0, 8));
				break;
			case 2: /* cut */
				len = (size_t)g_rand_int_range(r, 0, (gint32)len);
				break;
			case 3: /* grow */
				while (len < sizeof buf && g_rand_boolean(r))
					buf[len++] = (uint8_t)g_rand_int(r);
				break;
			default: /* a header field */
				buf[g_rand_int_range(r, 0, FC_MSG_HEADER)] = (uint8_t)g_rand_int(r);
				break;
			}
		}
		fuzz_msg_one(buf, len);
	}
	g_test_message("%lu inputs, %lu accepted", runs, fuzz_msg_accepted);
	/* Else only the decoder's rejections were fuzzed, not the node. */
	if (runs >= 100)
		g_assert_cmpuint(fuzz_msg_accepted, >, runs / 20);
}

static char **files;

static void
test_files(void)
{
	for (char **f = files; *f; f++) {
		g_autofree gchar *data = NULL;
		gsize len;
		g_autoptr(GError) err = NULL;

		g_file_get_contents(*f, &data, &len, &err);
		g_assert_no_error(err);
		fuzz_msg_one((const uint8_t *)data, len);
	}
}

/*
 * Writes the seed corpus of the libFuzzer target (tests/fuzz/corpus/msg/):
 * one valid message of each type, which the node accepts, and two it
 * refuses (another sender, a short one).  Run again after a change of the
 * wire format.
 */
static int
write_corpus(const char *dir)
{
	static const char *const names[] = { NULL, "help-request", "help-release",
					     "heartbeat", "probe", "ack" };
	uint8_t buf[FC_MSG_MAX];
	size_t len = 0;

	for (int t = FC_MSG_HELP_REQUEST; t <= FC_MSG_ACK; t++) {
		struct fc_msg m = { .type = (enum fc_msg_type)t, .from = FUZZ_PEER,
				    .to = FUZZ_ME, .timestamp = fuzz_now, .nonce = 1000 + (uint64_t)t };
		g_autofree char *path = g_strdup_printf("%s/%s", dir, names[t]);

		m.u.help.site = fuzz_site_b.id;
		if (t == FC_MSG_HEARTBEAT) {
			m.u.heartbeat.load = 0.9;
			m.u.heartbeat.spare = 0.1;
			m.u.heartbeat.accepting = true;
		}
		g_assert_cmpint(fc_msg_encode(&m, fuzz_key, sizeof fuzz_key, buf, sizeof buf,
					      &len), ==, 0);
		g_assert_true(g_file_set_contents(path, (const char *)buf, (gssize)len, NULL));
		if (t == FC_MSG_HELP_REQUEST) {
			g_autofree char *other = g_strdup_printf("%s/other-sender", dir);
			g_autofree char *cut = g_strdup_printf("%s/truncated", dir);

			buf[7] ^= 1;
			g_assert_true(g_file_set_contents(other, (const char *)buf,
							  (gssize)len, NULL));
			g_assert_true(g_file_set_contents(cut, (const char *)buf,
							  FC_MSG_HEADER, NULL));
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	testutil_init(&argc, &argv);
	if (argc > 2 && strcmp(argv[1], "--write-corpus") == 0)
		return write_corpus(argv[2]);
	if (argc > 2 && strcmp(argv[1], "--runs") == 0) {
		runs = strtoul(argv[2], NULL, 10);
		argc = 1;
	}
	if (argc > 1) {
		files = argv + 1;
		g_test_add_func("/core/fuzz/msg/files", test_files);
	} else {
		g_test_add_func("/core/fuzz/msg/stream", test_stream);
	}
	return g_test_run();
}
